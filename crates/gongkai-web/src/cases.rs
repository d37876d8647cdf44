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
use gongkai_core::register::{Agency, Case};
use gongkai_core::report::{CaseGroup, CaseResult};
use gongkai_core::template;
use gongkai_store::StoreError;
use serde::Deserialize;

use crate::auth::{ConsoleForm, CurrentUser};
use crate::console::{chrome, page, Me};
use crate::error::WebError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/console/cases", get(list).post(add)).route("/console/cases/decide", post(decide))
}

/// The three results a decided case may have (尚未审结 and 总计 are counted, never chosen).
const RESULTS: [CaseResult; 3] = [CaseResult::Upheld, CaseResult::Corrected, CaseResult::Other];

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
    RESULTS.into_iter().find(|r| r.name() == s.trim())
}

/// A required or optional line of text, or the field and reason.
fn text(v: &str, label: &str, max: usize, required: bool) -> Result<Option<String>, String> {
    let v = v.trim();
    if v.is_empty() {
        return if required { Err(format!("{label}：不能为空")) } else { Ok(None) };
    }
    if v.chars().count() > max {
        return Err(format!("{label}：不能超过{max}个字符"));
    }
    if v.chars().any(char::is_control) {
        return Err(format!("{label}：不能含控制字符"));
    }
    Ok(Some(v.to_string()))
}

/// A date that has happened: blank (when optional), or `YYYY-MM-DD` not after today.
fn date(v: &str, label: &str, required: bool, today: NaiveDate) -> Result<Option<NaiveDate>, String> {
    let v = v.trim();
    if v.is_empty() {
        return if required { Err(format!("{label}：不能为空")) } else { Ok(None) };
    }
    let d = NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| format!("{label}：应为 YYYY-MM-DD 格式的日期"))?;
    if d > today {
        return Err(format!("{label}：不能晚于今天（{today}）"));
    }
    Ok(Some(d))
}

/// The outcome: a decision date and a result together, or neither (尚未审结). A decision before
/// the filing is impossible.
fn outcome(
    filed_on: NaiveDate,
    decided_on: &str,
    result: &str,
    required: bool,
    today: NaiveDate,
) -> Result<(Option<NaiveDate>, Option<CaseResult>), String> {
    let decided = date(decided_on, "审结日期", required, today)?;
    let result = match result.trim() {
        "" if required => return Err("结果：不能为空".into()),
        "" => None,
        s => Some(result_from(s).ok_or("结果：应为结果维持、结果纠正或其他结果之一")?),
    };
    match (decided, result) {
        (Some(d), _) if d < filed_on => Err(format!("审结日期：{d} 早于立案日期 {filed_on}")),
        (Some(_), None) => Err("结果：已填写审结日期，须选择结果".into()),
        (None, Some(_)) => Err("审结日期：已选择结果，须填写审结日期".into()),
        (d, r) => Ok((d, r)),
    }
}

/// The case, or the first field that is wrong and why. The request it arose from must be one of
/// the agency's (checked against the register by the caller).
fn validate(agency: &str, f: &NewCase, today: NaiveDate) -> Result<Case, String> {
    let number = text(&f.number, "案件编号", 64, true)?.unwrap_or_default();
    let group = group_from(&f.group).ok_or("类别：应为行政复议、未经复议直接起诉或复议后起诉之一")?;
    let request = text(&f.request, "关联受理编号", 64, false)?;
    let filed_on = date(&f.filed_on, "立案日期", true, today)?.ok_or("立案日期：不能为空")?;
    let (decided_on, result) = outcome(filed_on, &f.decided_on, &f.result, false, today)?;
    Ok(Case { agency: agency.to_string(), number, group, request, filed_on, decided_on, result })
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
            results: RESULTS.iter().map(|r| (r.name(), template::result_label(*r))).collect(),
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

/// The store's refusal as the page's message and status: a duplicate number or a locked year is
/// 409; anything else is not the user's doing.
fn refusal(e: StoreError, number: &str) -> Result<(String, StatusCode), WebError> {
    match e {
        StoreError::Conflict { .. } => Ok((format!("案件编号：{number} 已登记"), StatusCode::CONFLICT)),
        e @ StoreError::Locked { .. } => Ok((e.to_string(), StatusCode::CONFLICT)),
        e => Err(WebError::from(e)),
    }
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
    let mut checked = validate(&agency.code, &form, state.clock.today());
    if let Ok(case) = &checked {
        if let Some(n) = &case.request {
            if state.store.find_request(&agency.code, n).await.map_err(WebError::from)?.is_none() {
                checked = Err(format!("关联受理编号：本机关没有受理编号为「{n}」的申请"));
            }
        }
    }
    let case = match checked {
        Ok(c) => c,
        Err(msg) => {
            return render_page(&state, &user, agency, form, Some(msg), None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    };
    if let Err(e) = state.store.insert_case(&case).await {
        let (msg, status) = refusal(e, &case.number)?;
        user.audit(&state, "case.add", &case.number, false, Some("refused".into())).await;
        return render_page(&state, &user, agency, form, Some(msg), None, status).await;
    }
    user.audit(&state, "case.add", &case.number, true, None).await;
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
    let cases = state.store.list_cases(&agency.code).await.map_err(WebError::from)?;
    let unprocessable = |msg: String| (msg, StatusCode::UNPROCESSABLE_ENTITY);
    let checked = match cases.into_iter().find(|c| c.number == number) {
        None => Err(unprocessable(format!("案件编号：本机关没有编号为「{number}」的案件"))),
        Some(c) if c.result.is_some() => {
            Err((format!("案件编号：{number} 已审结，不能再次记录结果"), StatusCode::CONFLICT))
        }
        Some(c) => outcome(c.filed_on, &form.decided_on, &form.result, true, state.clock.today())
            .map(|(decided_on, result)| Case { decided_on, result, ..c })
            .map_err(unprocessable),
    };
    let refused = match checked {
        Ok(case) => match state.store.update_case(&case).await {
            Ok(()) => None,
            Err(e) => Some(refusal(e, &number)?),
        },
        Err(r) => Some(r),
    };
    if let Some((msg, status)) = refused {
        user.audit(&state, "case.decide", &number, false, Some("refused".into())).await;
        return render_page(&state, &user, agency, NewCase::default(), Some(msg), None, status).await;
    }
    user.audit(&state, "case.decide", &number, true, None).await;
    let code = crate::portal::url_segment(&agency.code);
    Ok(Redirect::to(&format!("/console/cases?agency={code}&done=decided")).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test_today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 27).unwrap_or_default()
    }

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
        let c = validate("FIN", &form(), test_today()).unwrap();
        assert_eq!((c.group, c.result), (CaseGroup::Review, Some(CaseResult::Upheld)));
        let mut f = form();
        f.decided_on.clear();
        f.result.clear();
        let c = validate("FIN", &f, test_today()).unwrap();
        assert_eq!((c.decided_on, c.result), (None, None), "尚未审结");
    }

    #[test]
    fn each_bad_value_names_its_field() {
        let cases: [(Change, &str); 9] = [
            (|f| f.number = " ".into(), "案件编号：不能为空"),
            (|f| f.group = "appeal".into(), "类别："),
            (|f| f.filed_on = "2026/03/01".into(), "立案日期：应为 YYYY-MM-DD"),
            (|f| f.filed_on = "2999-01-01".into(), "立案日期：不能晚于今天"),
            (|f| f.decided_on = "2026-02-01".into(), "审结日期：2026-02-01 早于立案日期"),
            (|f| f.result = "pending".into(), "结果：应为结果维持、结果纠正或其他结果之一"),
            (|f| f.result.clear(), "结果：已填写审结日期"),
            (|f| f.decided_on.clear(), "审结日期：已选择结果"),
            (|f| f.request = "号\u{7}".into(), "关联受理编号：不能含控制字符"),
        ];
        for (change, message) in cases {
            let mut f = form();
            change(&mut f);
            let e = validate("FIN", &f, test_today()).unwrap_err();
            assert!(e.starts_with(message), "{e} should start with {message}");
        }
    }
}
