//! 行政复议、行政诉讼登记 in the console (`/console/cases`): the review and litigation cases that
//! arise from the agency's disclosure work (Art. 51 gives applicants review and litigation), the
//! register table 4 of the annual report is counted from (四、政府信息公开行政复议、行政诉讼情况).
//!
//! The list shows every case with its outcome; a form registers a case (already decided, or
//! pending — 尚未审结), and a pending case is decided later with its date and result. Staff and
//! approvers of the agency write; supervisors read. A case that changes the table 4 of a year whose
//! report is published is refused (the period lock, 409). Every write is audited (B2.3).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::NaiveDate;
use gongkai_core::input::CASE_RESULTS;
use gongkai_core::register::{Agency, Case};
use gongkai_core::report::{CaseGroup, CaseResult};
use gongkai_core::template;
use serde::Deserialize;

use crate::auth::{ConsoleForm, CurrentUser};
use crate::console::{chrome, page, Me};
use crate::error::WebError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/console/cases", get(list).post(add)).route("/console/cases/decide", post(decide))
}

#[derive(Debug, Deserialize)]
struct ListQuery {
    agency: Option<String>,
    done: Option<String>,
}

/// A case as listed.
struct CaseRow {
    number: String,
    group: &'static str,
    request: String,
    filed_on: String,
    decided_on: String,
    /// 结果维持 / 结果纠正 / 其他结果, or 尚未审结.
    result: &'static str,
    pending: bool,
}

#[derive(Template)]
#[template(path = "console/cases.html")]
struct CasesPage {
    chrome: crate::layout::Chrome,
    me: Me,
    agency: Agency,
    cases: Vec<CaseRow>,
    can_write: bool,
    /// (glossary name, label) of the groups and results, for the form's lists.
    groups: Vec<(&'static str, &'static str)>,
    results: Vec<(&'static str, &'static str)>,
    values: NewCase,
    error: Option<String>,
    notice: Option<String>,
}

/// The registration form, as typed.
#[derive(Debug, Default, Clone, Deserialize)]
struct NewCase {
    #[serde(default)]
    agency: String,
    #[serde(default)]
    number: String,
    #[serde(default)]
    group: String,
    #[serde(default)]
    request: String,
    #[serde(default)]
    filed_on: String,
    #[serde(default)]
    decided_on: String,
    #[serde(default)]
    result: String,
}

/// The form deciding a pending case.
#[derive(Debug, Default, Clone, Deserialize)]
struct Decision {
    #[serde(default)]
    agency: String,
    #[serde(default)]
    number: String,
    #[serde(default)]
    decided_on: String,
    #[serde(default)]
    result: String,
}

fn group_from(s: &str) -> Option<CaseGroup> {
    CaseGroup::ALL.into_iter().find(|g| g.name() == s.trim())
}

fn result_from(s: &str) -> Option<CaseResult> {
    CASE_RESULTS.into_iter().find(|r| r.name() == s.trim())
}

/// A date as typed: blank, or `YYYY-MM-DD`.
fn date(v: &str, label: &str) -> Result<Option<NaiveDate>, String> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(v, "%Y-%m-%d").map(Some).map_err(|_| format!("{label}：应为 YYYY-MM-DD 格式的日期"))
}

/// The result as chosen: blank, or one of the three.
fn result(v: &str) -> Result<Option<CaseResult>, String> {
    match v.trim() {
        "" => Ok(None),
        s => result_from(s).map(Some).ok_or_else(|| "结果：应为结果维持、结果纠正或其他结果之一".to_string()),
    }
}

/// The form as a case, or the first value that is not of its kind (a date that is no date, a
/// group not in the list). Every rule of a case is the use case's ([`gongkai_app::cases::add`]).
fn parse(agency: &str, f: &NewCase) -> Result<Case, String> {
    let group = group_from(&f.group).ok_or("类别：应为行政复议、未经复议直接起诉或复议后起诉之一")?;
    let filed_on = date(&f.filed_on, "立案日期")?.ok_or("立案日期：不能为空")?;
    Ok(Case {
        agency: agency.to_string(),
        number: f.number.clone(),
        group,
        request: Some(f.request.clone()),
        filed_on,
        decided_on: date(&f.decided_on, "审结日期")?,
        result: result(&f.result)?,
    })
}

/// The decision as typed: both its date and its result are required.
fn parse_decision(f: &Decision) -> Result<(NaiveDate, CaseResult), String> {
    let decided_on = date(&f.decided_on, "审结日期")?.ok_or("审结日期：不能为空")?;
    let result = result(&f.result)?.ok_or("结果：不能为空")?;
    Ok((decided_on, result))
}

/// A use case's refusal as the page's message and status: a wrong field is 422, a duplicate
/// number, a decided case or a locked year 409; anything else is not the user's doing.
fn refusal(e: gongkai_app::AppError) -> Result<(String, StatusCode), WebError> {
    use gongkai_app::AppError;
    match e {
        e @ AppError::Invalid { .. } => Ok((e.to_string(), StatusCode::UNPROCESSABLE_ENTITY)),
        e @ (AppError::Conflict(_) | AppError::Locked(_)) => Ok((e.to_string(), StatusCode::CONFLICT)),
        e => Err(WebError::from(e)),
    }
}

async fn agency_of(state: &AppState, user: &CurrentUser, code: Option<&str>) -> Result<Agency, WebError> {
    let code = code.map(str::trim).filter(|c| !c.is_empty()).unwrap_or(user.agency());
    user.require_read(code)?;
    state.store.get_agency(code).await.map_err(WebError::from)?.ok_or(WebError::NotFound("机关"))
}

async fn render_page(
    state: &AppState,
    user: &CurrentUser,
    agency: Agency,
    values: NewCase,
    error: Option<String>,
    notice: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let mut cases = state.store.list_cases(&agency.code).await.map_err(WebError::from)?;
    cases.reverse();
    let cases = cases
        .into_iter()
        .map(|c| CaseRow {
            group: template::group_label(c.group),
            request: c.request.unwrap_or_default(),
            filed_on: c.filed_on.to_string(),
            decided_on: c.decided_on.map(|d| d.to_string()).unwrap_or_default(),
            result: template::result_label(c.result.unwrap_or(CaseResult::Pending)),
            pending: c.result.is_none(),
            number: c.number,
        })
        .collect();
    page(
        &CasesPage {
            chrome: chrome(state, format!("行政复议、行政诉讼登记：{}", agency.name)),
            me: Me::of(user),
            can_write: user.can_write(&agency.code),
            agency,
            cases,
            groups: CaseGroup::ALL.iter().map(|g| (g.name(), template::group_label(*g))).collect(),
            results: CASE_RESULTS.iter().map(|r| (r.name(), template::result_label(*r))).collect(),
            values,
            error,
            notice,
        },
        status,
    )
}

/// `GET /console/cases?agency=`: the agency's cases, newest first.
async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    let agency = agency_of(&state, &user, q.agency.as_deref()).await?;
    let notice = match q.done.as_deref() {
        Some("added") => Some("已登记".to_string()),
        Some("decided") => Some("已记录审结结果".to_string()),
        _ => None,
    };
    render_page(&state, &user, agency, NewCase::default(), None, notice, StatusCode::OK).await
}

/// `POST /console/cases`: registers a case.
async fn add(State(state): State<AppState>, form: ConsoleForm<NewCase>) -> Result<Response, WebError> {
    let ConsoleForm { user, form } = form;
    let agency = agency_of(&state, &user, Some(&form.agency)).await?;
    // The number as typed, cut short: the audit trail keeps no arbitrary input (B6).
    let target: String = form.number.trim().chars().take(64).collect();
    if let Err(e) = user.require_write(&agency.code) {
        user.audit(&state, "case.add", &target, false, Some("not permitted".into())).await;
        return Err(e);
    }
    let refused = match parse(&agency.code, &form) {
        Ok(case) => gongkai_app::cases::add(&state.store, &state.clock, &user.actor(), case, None)
            .await
            .err()
            .map(refusal)
            .transpose()?,
        Err(msg) => Some((msg, StatusCode::UNPROCESSABLE_ENTITY)),
    };
    if let Some((msg, status)) = refused {
        return render_page(&state, &user, agency, form, Some(msg), None, status).await;
    }
    let code = crate::portal::url_segment(&agency.code);
    Ok(Redirect::to(&format!("/console/cases?agency={code}&done=added")).into_response())
}

/// `POST /console/cases/decide`: records the decision of a pending case (its date and result).
async fn decide(State(state): State<AppState>, form: ConsoleForm<Decision>) -> Result<Response, WebError> {
    let ConsoleForm { user, form } = form;
    let agency = agency_of(&state, &user, Some(&form.agency)).await?;
    let number: String = form.number.trim().chars().take(64).collect();
    if let Err(e) = user.require_write(&agency.code) {
        user.audit(&state, "case.decide", &number, false, Some("not permitted".into())).await;
        return Err(e);
    }
    let refused = match parse_decision(&form) {
        Ok((decided_on, result)) => {
            let actor = user.actor();
            gongkai_app::cases::decide(
                &state.store,
                &state.clock,
                &actor,
                &agency.code,
                &number,
                decided_on,
                result,
                None,
            )
            .await
            .err()
            .map(refusal)
            .transpose()?
        }
        Err(msg) => Some((msg, StatusCode::UNPROCESSABLE_ENTITY)),
    };
    if let Some((msg, status)) = refused {
        return render_page(&state, &user, agency, NewCase::default(), Some(msg), None, status).await;
    }
    let code = crate::portal::url_segment(&agency.code);
    Ok(Redirect::to(&format!("/console/cases?agency={code}&done=decided")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A change to a form.
    type Change = fn(&mut NewCase);

    fn form() -> NewCase {
        NewCase {
            agency: "FIN".into(),
            number: "复议〔2026〕1号".into(),
            group: "review".into(),
            request: String::new(),
            filed_on: "2026-03-01".into(),
            decided_on: "2026-05-01".into(),
            result: "upheld".into(),
        }
    }

    #[test]
    fn a_decided_and_a_pending_case() {
        let c = parse("FIN", &form()).unwrap();
        assert_eq!((c.group, c.result), (CaseGroup::Review, Some(CaseResult::Upheld)));
        let mut f = form();
        f.decided_on.clear();
        f.result.clear();
        let c = parse("FIN", &f).unwrap();
        assert_eq!((c.decided_on, c.result), (None, None), "尚未审结");
    }

    /// What is not of its kind is the form's to say; every rule is the core's
    /// (`Case::validated`, tested there) and the use case's.
    #[test]
    fn each_value_not_of_its_kind_names_its_field() {
        let cases: [(Change, &str); 4] = [
            (|f| f.group = "appeal".into(), "类别："),
            (|f| f.filed_on = "2026/03/01".into(), "立案日期：应为 YYYY-MM-DD"),
            (|f| f.filed_on = " ".into(), "立案日期：不能为空"),
            (|f| f.result = "pending".into(), "结果：应为结果维持、结果纠正或其他结果之一"),
        ];
        for (change, message) in cases {
            let mut f = form();
            change(&mut f);
            let e = parse("FIN", &f).unwrap_err();
            assert!(e.starts_with(message), "{e} should start with {message}");
        }
    }
}
