//! 第二十条数据 in the console (`/console/article20`): the yearly figures an agency records for
//! table 2 of its annual report (二、主动公开政府信息情况, 国办公开办函〔2021〕30号): regulations and
//! normative documents issued, repealed and in force (Art. 20(一)), licensing decisions
//! (Art. 20(五)), penalties and coercive measures (Art. 20(六)) and administrative fees
//! (Art. 20(八)). One record per agency and year, viewed and edited a year at a time.
//!
//! Staff and approvers of the agency write; supervisors (and administrators) read. A year whose
//! report is published is locked (Art. 50 makes the report the agency's public account of the
//! year): the store refuses the write and the page says so (409). Every save, refused or not, is
//! audited (B2.3).

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use chrono::Datelike;
use gongkai_core::input::{ARTICLE20_FIELDS, FIRST_REPORT_YEAR, MAX_FIGURE};
use gongkai_core::register::{Agency, Article20Figures};
use gongkai_core::report::Amount;
use serde::Deserialize;

use crate::auth::{ConsoleForm, CurrentUser};
use crate::console::{chrome, page, Me};
use crate::error::WebError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/console/article20", get(show).post(save))
}

/// The ten figures: (form field, label naming the table-2 cell), the core's list.
const FIELDS: [(&str, &str); 10] = ARTICLE20_FIELDS;

#[derive(Debug, Deserialize)]
struct ShowQuery {
    agency: Option<String>,
    year: Option<String>,
    done: Option<String>,
}

/// One input of the form.
struct Field {
    name: &'static str,
    label: &'static str,
    value: String,
}

/// One recorded year in the list: the year and its ten figures as printed (blank stays blank).
struct YearRow {
    year: i32,
    locked: bool,
    cells: Vec<String>,
}

#[derive(Template)]
#[template(path = "console/article20.html")]
struct FiguresPage {
    chrome: crate::layout::Chrome,
    me: Me,
    agency: Agency,
    year: i32,
    /// Whether the shown year is locked by publication.
    locked: bool,
    can_write: bool,
    fields: Vec<Field>,
    headers: Vec<&'static str>,
    years: Vec<YearRow>,
    error: Option<String>,
    notice: Option<String>,
}

/// The form as typed: every figure as text, so a refused form comes back as it was.
#[derive(Debug, Default, Clone, Deserialize)]
struct FiguresForm {
    #[serde(default)]
    agency: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    rules_issued: String,
    #[serde(default)]
    rules_repealed: String,
    #[serde(default)]
    rules_in_force: String,
    #[serde(default)]
    normative_issued: String,
    #[serde(default)]
    normative_repealed: String,
    #[serde(default)]
    normative_in_force: String,
    #[serde(default)]
    licensing_decisions: String,
    #[serde(default)]
    penalty_decisions: String,
    #[serde(default)]
    coercive_decisions: String,
    #[serde(default)]
    fees_wan_yuan: String,
}

impl FiguresForm {
    /// The typed values in [`FIELDS`] order.
    fn values(&self) -> [&str; 10] {
        [
            &self.rules_issued,
            &self.rules_repealed,
            &self.rules_in_force,
            &self.normative_issued,
            &self.normative_repealed,
            &self.normative_in_force,
            &self.licensing_decisions,
            &self.penalty_decisions,
            &self.coercive_decisions,
            &self.fees_wan_yuan,
        ]
    }

    /// A stored record as the form shows it.
    fn of(f: &Article20Figures) -> FiguresForm {
        let n = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        FiguresForm {
            agency: f.agency.clone(),
            year: f.year.to_string(),
            rules_issued: n(f.rules_issued),
            rules_repealed: n(f.rules_repealed),
            rules_in_force: n(f.rules_in_force),
            normative_issued: n(f.normative_issued),
            normative_repealed: n(f.normative_repealed),
            normative_in_force: n(f.normative_in_force),
            licensing_decisions: n(f.licensing_decisions),
            penalty_decisions: n(f.penalty_decisions),
            coercive_decisions: n(f.coercive_decisions),
            fees_wan_yuan: f.fees_wan_yuan.as_ref().map(|a| a.as_str().to_string()).unwrap_or_default(),
        }
    }
}

/// The year asked for: a reporting year from 2008 to this year, or the field and reason.
fn parse_year(s: &str, today: chrono::NaiveDate) -> Result<i32, String> {
    let this_year = today.year();
    match s.trim().parse::<i32>() {
        Ok(y) if (FIRST_REPORT_YEAR..=this_year).contains(&y) => Ok(y),
        _ => Err(format!("年度：应为 {FIRST_REPORT_YEAR} 至 {this_year} 之间的年份")),
    }
}

/// A count as typed: blank (not recorded, a blank cell in table 2) or digits.
fn parse_count(v: &str, label: &str) -> Result<Option<i64>, String> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    if !v.chars().all(|c| c.is_ascii_digit()) {
        return Err(format!("{label}：应为不小于 0 的整数（未统计的留空）"));
    }
    v.parse::<i64>().map(Some).map_err(|_| format!("{label}：不能超过 {MAX_FIGURE}"))
}

/// An amount in 万元 as typed: blank, or a decimal number.
fn parse_fees(v: &str, label: &str) -> Result<Option<Amount>, String> {
    let v = v.trim();
    if v.is_empty() {
        return Ok(None);
    }
    if v.chars().count() > 20 {
        return Err(format!("{label}：不能超过 20 个字符"));
    }
    Amount::parse(v).map(Some).map_err(|_| format!("{label}：应为以万元计的数额，如 12.5"))
}

/// The form as figures, or the first value that is not a number. Every rule of the figures
/// (the year's range, the bounds, the fees' decimals) is the core's and the use case's
/// ([`gongkai_app::article20::save`]).
fn parse(agency: &str, f: &FiguresForm) -> Result<Article20Figures, String> {
    let year = f.year.trim().parse::<i32>().map_err(|_| "年度：应为四位数的年份，如 2025".to_string())?;
    let values = f.values();
    let mut counts = [None; 9];
    for (slot, (v, (_, label))) in counts.iter_mut().zip(values.iter().zip(FIELDS.iter())) {
        *slot = parse_count(v, label)?;
    }
    let fees = parse_fees(values[9], FIELDS[9].1)?;
    let [ri, rr, rf, ni, nr, nf, lic, pen, coe] = counts;
    Ok(Article20Figures {
        agency: agency.to_string(),
        year,
        rules_issued: ri,
        rules_repealed: rr,
        rules_in_force: rf,
        normative_issued: ni,
        normative_repealed: nr,
        normative_in_force: nf,
        licensing_decisions: lic,
        penalty_decisions: pen,
        coercive_decisions: coe,
        fees_wan_yuan: fees,
    })
}

/// The agency a console page of registers is about: `code` (trimmed) or the user's own, when the
/// user may read it (the guide editor shares it).
pub(crate) async fn agency_of(state: &AppState, user: &CurrentUser, code: Option<&str>) -> Result<Agency, WebError> {
    let code = code.map(str::trim).filter(|c| !c.is_empty()).unwrap_or(user.agency());
    user.require_read(code)?;
    state.store.get_agency(code).await.map_err(WebError::from)?.ok_or(WebError::NotFound("机关"))
}

#[allow(clippy::too_many_arguments)]
async fn render_page(
    state: &AppState,
    user: &CurrentUser,
    agency: Agency,
    year: i32,
    values: FiguresForm,
    error: Option<String>,
    notice: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let recorded = state.store.list_article20_figures(&agency.code).await.map_err(WebError::from)?;
    let locked_years = state.store.locked_years(&agency.code).await.map_err(WebError::from)?;
    let typed = values.values();
    let fields =
        FIELDS.iter().zip(typed).map(|((name, label), v)| Field { name, label, value: v.to_string() }).collect();
    let years = recorded
        .iter()
        .rev()
        .map(|f| {
            let form = FiguresForm::of(f);
            YearRow {
                year: f.year,
                locked: locked_years.contains(&f.year),
                cells: form.values().iter().map(|v| v.to_string()).collect(),
            }
        })
        .collect();
    page(
        &FiguresPage {
            chrome: chrome(state, format!("第二十条数据：{}", agency.name)),
            me: Me::of(user),
            can_write: user.can_write(&agency.code),
            locked: locked_years.contains(&year),
            agency,
            year,
            fields,
            headers: FIELDS.iter().map(|(_, l)| *l).collect(),
            years,
            error,
            notice,
        },
        status,
    )
}

/// `GET /console/article20?agency=&year=`: the year's figures (last year by default: the report
/// of a year is written early the next, Art. 50) and every recorded year.
async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ShowQuery>,
) -> Result<Response, WebError> {
    let agency = agency_of(&state, &user, q.agency.as_deref()).await?;
    let year = match q.year.as_deref().map(str::trim).filter(|y| !y.is_empty()) {
        None => state.clock.today().year() - 1,
        Some(y) => parse_year(y, state.clock.today())
            .map_err(|m| WebError::Invalid(vec![crate::error::FieldError::new("year", m)]))?,
    };
    let stored = state.store.get_article20_figures(&agency.code, year).await.map_err(WebError::from)?;
    let values = stored.as_ref().map(FiguresForm::of).unwrap_or_default();
    let notice = q.done.filter(|d| d == "saved").map(|_| format!("{year} 年数据已保存"));
    render_page(&state, &user, agency, year, values, None, notice, StatusCode::OK).await
}

/// `POST /console/article20`: records (or replaces) one year's figures.
async fn save(State(state): State<AppState>, form: ConsoleForm<FiguresForm>) -> Result<Response, WebError> {
    let ConsoleForm { user, form } = form;
    let agency = agency_of(&state, &user, Some(&form.agency)).await?;
    // The year as typed, cut short: the audit trail keeps no arbitrary input (B6).
    let target = format!("{}/{}", agency.code, form.year.trim().chars().take(8).collect::<String>());
    if let Err(e) = user.require_write(&agency.code) {
        user.audit(&state, "article20.save", &target, false, Some("not permitted".into())).await;
        return Err(e);
    }
    let today = state.clock.today();
    // The page shows the year typed when it is one; otherwise last year's list around the error.
    let shown_year = parse_year(&form.year, today).unwrap_or(today.year() - 1);
    let figures = match parse(&agency.code, &form) {
        Ok(f) => f,
        Err(msg) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return render_page(&state, &user, agency, shown_year, form, Some(msg), None, status).await;
        }
    };
    let saved = gongkai_app::article20::save(&state.store, &state.clock, &user.actor(), figures, None).await;
    let figures = match saved {
        Ok(saved) => saved.figures,
        Err(e) => {
            use gongkai_app::AppError;
            let status = match e {
                AppError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
                AppError::Locked(_) => StatusCode::CONFLICT,
                e => return Err(WebError::from(e)),
            };
            return render_page(&state, &user, agency, shown_year, form, Some(e.to_string()), None, status).await;
        }
    };
    let code = crate::portal::url_segment(&agency.code);
    Ok(Redirect::to(&format!("/console/article20?agency={code}&year={}&done=saved", figures.year)).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test_today() -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 27).unwrap_or_default()
    }

    /// A change to a form.
    type Change = fn(&mut FiguresForm);

    fn form(year: &str) -> FiguresForm {
        FiguresForm { agency: "FIN".into(), year: year.into(), ..FiguresForm::default() }
    }

    #[test]
    fn blank_figures_stay_blank_and_numbers_are_kept() {
        let mut f = form("2024");
        f.rules_issued = " 3 ".into();
        f.fees_wan_yuan = "12.50".into();
        let v = parse("FIN", &f).unwrap();
        assert_eq!(v.year, 2024);
        assert_eq!(v.rules_issued, Some(3));
        assert_eq!(v.rules_repealed, None, "blank is not zero");
        assert_eq!(v.fees_wan_yuan.unwrap().as_str(), "12.5");
    }

    /// What is not a number is the form's to say; the bounds are the core's
    /// (`Article20Figures::validated`, tested there).
    #[test]
    fn each_value_not_a_number_names_its_field() {
        let cases: [(&str, Change, &str); 4] = [
            ("2024", |f| f.penalty_decisions = "-1".into(), "行政处罚本年处理决定数量：应为不小于 0 的整数"),
            ("2024", |f| f.rules_in_force = "3.5".into(), "规章现行有效件数：应为不小于 0 的整数"),
            ("2024", |f| f.licensing_decisions = "99999999999999999999".into(), "行政许可本年处理决定数量：不能超过"),
            ("2024", |f| f.fees_wan_yuan = "十万".into(), "应为以万元计的数额"),
        ];
        for (year, change, message) in cases {
            let mut f = form(year);
            change(&mut f);
            let e = parse("FIN", &f).unwrap_err();
            assert!(e.contains(message), "{e} should contain {message}");
        }
        assert!(parse("FIN", &form("abc")).unwrap_err().starts_with("年度"));
        assert!(parse_year("2007", test_today()).unwrap_err().starts_with("年度：应为 2008"));
    }
}
