//! The supervising office's page in the console (`/console/supervise`): the overview of the
//! account's agency and everything below it — requests received, open, due soon and overdue
//! (each overdue request one click away), each annual report's status, findings and quality
//! scorecard — and the roll-up of tables 2–4 as a download. The same data as
//! `gongkai supervise` (`gongkai_store::Store::supervise`).
//!
//! Who: supervisors (their subtree, read-only) and administrators. Staff and approvers work on
//! their own agency's registers and get a 403 here.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use gongkai_core::quality::Verdict;
use gongkai_export::csv_field;
use gongkai_store::{AgencyOverview, Overview, Role};
use serde::Deserialize;

use crate::attachment::{self, Cache};
use crate::auth::CurrentUser;
use crate::console::{chrome, page, Me};
use crate::error::WebError;
use crate::AppState;
use gongkai_app::remind::{self, reminders, Reminder};

/// How many overdue requests are linked per agency (the rest are counted).
const OVERDUE_LINKS: usize = 10;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/supervise", get(overview_page))
        .route("/console/supervise/rollup/{format}", get(rollup))
        .route("/console/supervise/reminders", get(reminders_page))
        .route("/console/supervise/reminders.csv", get(reminders_csv))
        .route("/console/supervise/reminders/send", axum::routing::post(reminders_send))
        .route("/console/supervise/trend", get(trend_page))
        .route("/console/supervise/trend.csv", get(trend_csv))
        .route("/console/supervise/trend.xlsx", get(trend_xlsx))
        .route("/console/requests/by-number/{agency}/{number}", get(by_number))
}

#[derive(Debug, Deserialize)]
struct YearQuery {
    year: Option<String>,
    /// For the trend: one agency of the account's scope (with everything below it) instead of
    /// the account's whole subtree.
    agency: Option<String>,
}

/// The report year asked for, else the year whose report is due now (last year); the range is
/// the use case's ([`gongkai_app::supervise::report_year`]).
fn year_of(q: &YearQuery, today: chrono::NaiveDate) -> Result<i32, WebError> {
    let year = match q.year.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(s.parse::<i32>().map_err(|_| {
            WebError::Invalid(vec![crate::error::FieldError::new(
                "year",
                format!("年度应为四位数字的年份，如 2025（收到「{}」）", s.chars().take(20).collect::<String>()),
            )])
        })?),
    };
    Ok(gongkai_app::supervise::report_year(year, today)?)
}

/// Supervisors and administrators only.
fn require_oversight(user: &CurrentUser) -> Result<(), WebError> {
    if matches!(user.role(), Role::Supervisor | Role::Administrator) {
        Ok(())
    } else {
        Err(WebError::Forbidden(format!("{}无权查看监督总览；请使用监督员账号", user.role().label_zh())))
    }
}

async fn overview_of(state: &AppState, user: &CurrentUser, year: i32) -> Result<Overview, WebError> {
    require_oversight(user)?;
    Ok(gongkai_app::supervise::overview(
        &state.store,
        &state.clock,
        &state.calendar,
        user.agency(),
        Some(year),
        None,
        true,
    )
    .await?)
}

struct Row {
    code: String,
    name: String,
    depth_indent: String,
    received: i64,
    open: i64,
    due_soon: i64,
    overdue: i64,
    /// (link, tracking number, due date) of the first overdue requests.
    overdue_links: Vec<(String, String, String)>,
    overdue_more: usize,
    on_time: String,
    report_status: &'static str,
    report_class: &'static str,
    errors: usize,
    warnings: usize,
    quality: String,
    quality_failed: Vec<String>,
    /// The imported published file the report was read from (「来自已发布文件」), if any.
    source: Option<String>,
}

#[derive(Template)]
#[template(path = "console/supervise.html")]
struct OverviewPage {
    chrome: crate::layout::Chrome,
    me: Me,
    name: String,
    year: i32,
    today: String,
    rows: Vec<Row>,
    totals: (i64, i64, i64, i64),
    included: usize,
    missing: Vec<String>,
}

fn row(a: &AgencyOverview, depth: usize) -> Row {
    let r = &a.requests;
    let segment = |s: &str| crate::portal::url_segment(s);
    let failed: Vec<String> = a
        .scorecard
        .criteria
        .iter()
        .filter(|c| c.verdict == Verdict::Fail)
        .map(|c| {
            let what =
                gongkai_core::quality::CRITERIA.iter().find(|s| s.id == c.id).map_or(c.id.as_str(), |s| s.summary);
            format!("{what}：{}", c.reason)
        })
        .collect();
    Row {
        code: a.code.clone(),
        name: a.name.clone(),
        depth_indent: "　".repeat(depth.min(8)),
        received: r.received,
        open: r.open,
        due_soon: r.due_soon,
        overdue: r.overdue,
        overdue_links: r
            .overdue_requests
            .iter()
            .take(OVERDUE_LINKS)
            .map(|o| {
                (
                    format!("/console/requests/by-number/{}/{}", segment(&a.code), segment(&o.tracking_number)),
                    o.tracking_number.clone(),
                    o.due.to_string(),
                )
            })
            .collect(),
        overdue_more: r.overdue_requests.len().saturating_sub(OVERDUE_LINKS),
        on_time: r.on_time_rate.map_or_else(|| "—".to_string(), |x| format!("{:.1}%", x * 100.0)),
        report_status: a.report.status_label,
        report_class: match a.report.status {
            gongkai_store::ReportStatus::PublishedOnTime => "on_time",
            gongkai_store::ReportStatus::PublishedLate | gongkai_store::ReportStatus::Missing => "overdue",
            _ => "due_soon",
        },
        errors: a.report.errors,
        warnings: a.report.warnings,
        quality: format!("{}/{}", a.scorecard.passed, a.scorecard.criteria.len()),
        quality_failed: failed,
        source: a.report.source.as_ref().map(|s| s.file_name.clone()),
    }
}

/// `GET /console/supervise?year=Y`.
async fn overview_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<YearQuery>,
) -> Result<Response, WebError> {
    let year = year_of(&q, state.clock.today())?;
    let o = overview_of(&state, &user, year).await?;
    // Depth in the tree, for indentation (the list is the root first, then by depth).
    let mut depth: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut rows = Vec::with_capacity(o.agencies.len());
    for a in &o.agencies {
        let d = a.parent.as_deref().and_then(|p| depth.get(p)).map_or(0, |d| d + 1);
        depth.insert(a.code.as_str(), d);
        rows.push(row(a, d));
    }
    let t = &o.totals;
    user.audit(&state, "supervise.view", &o.agency, true, Some(format!("year {year}"))).await;
    page(
        &OverviewPage {
            chrome: chrome(&state, format!("监督总览：{}（{year}年度）", o.name)),
            me: Me::of(&user),
            name: o.name.clone(),
            year,
            today: o.today.to_string(),
            rows,
            totals: (t.received, t.open, t.due_soon, t.overdue),
            included: o.included.len(),
            missing: o.missing.clone(),
        },
        StatusCode::OK,
    )
}

/// `GET /console/supervise/rollup/{docx|xlsx|pdf|html|json}?year=Y`: tables 2–4 summed over the
/// subtree, exported like any report (issue 8: the starting point of the government's own report).
async fn rollup(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(format): Path<String>,
    Query(q): Query<YearQuery>,
) -> Result<Response, WebError> {
    let year = year_of(&q, state.clock.today())?;
    let o = overview_of(&state, &user, year).await?;
    let Some((content_type, bytes)) = crate::reports::file(&state, o.rollup, &format).await? else {
        return Err(WebError::NotFound("该下载格式"));
    };
    let name = attachment::file_name("rollup", &o.agency, &year.to_string(), &format);
    Ok(attachment::attachment(content_type, &name, bytes, Cache::Private))
}

/// `GET /console/requests/by-number/{agency}/{number}`: the console page of a request named by
/// its agency and tracking number (the overview's links), within the account's scope.
async fn by_number(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((agency, number)): Path<(String, String)>,
) -> Result<Response, WebError> {
    user.require_read(&agency)?;
    let id = state
        .store
        .find_request(&agency, &number)
        .await
        .map_err(WebError::from)?
        .ok_or(WebError::NotFound("该申请"))?;
    Ok(Redirect::to(&format!("/console/requests/{id}")).into_response())
}

// ------------------------------------------------------------------------------------- trends

/// How many years the trend shows, ending with the report year.
const TREND_YEARS: i32 = 5;

/// The table-3 outcome leaves: (path in `TrendPoint::outcomes`, printed label).
fn outcome_columns() -> Vec<(&'static str, String)> {
    gongkai_core::lifecycle::outcome_leaves()
        .into_iter()
        .map(|r| {
            let spec = gongkai_core::template::t3_row(r);
            (spec.path, format!("{}{}", spec.number, spec.label))
        })
        .collect()
}

/// The trend asked for: (last year, the agency whose subtree it covers, one point per year).
async fn trend_of(
    state: &AppState,
    user: &CurrentUser,
    q: &YearQuery,
) -> Result<(i32, String, Vec<gongkai_store::TrendPoint>), WebError> {
    require_oversight(user)?;
    let last = year_of(q, state.clock.today())?;
    let root = q.agency.as_deref().map(str::trim).filter(|a| !a.is_empty()).unwrap_or(user.agency()).to_string();
    user.require_read(&root)?;
    let (last, points) = gongkai_app::supervise::trend(
        &state.store,
        &state.clock,
        &state.calendar,
        &root,
        (Some(last), TREND_YEARS),
        None,
    )
    .await?;
    Ok((last, root, points))
}

/// A bar chart of received and replied requests per year with the on-time rate printed above,
/// as inline SVG (no script, nothing loaded from elsewhere). The table below the chart carries
/// the same figures for screen readers.
fn trend_svg(points: &[gongkai_store::TrendPoint]) -> String {
    use std::fmt::Write as _;
    let (w, h, left, bottom, top) = (640.0_f64, 260.0_f64, 48.0_f64, 40.0_f64, 28.0_f64);
    let max = points.iter().map(|p| p.received.max(p.replied)).max().unwrap_or(0).max(1);
    #[allow(clippy::cast_precision_loss)] // counts far below 2^52
    let scale = |n: i64| (n as f64) / (max as f64) * (h - bottom - top);
    #[allow(clippy::cast_precision_loss)]
    let slot = (w - left) / (points.len().max(1) as f64);
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"100%\" role=\"img\" \
         aria-labelledby=\"trend-title\" id=\"trend-chart\"><title id=\"trend-title\">各年度收到与答复的政府信息公开申请数</title>\
         <line x1=\"{left}\" y1=\"{y0}\" x2=\"{w}\" y2=\"{y0}\" stroke=\"#333\"/>\
         <text x=\"4\" y=\"{top}\" font-size=\"12\">{max}</text>",
        y0 = h - bottom
    );
    for (i, p) in points.iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        let x = left + slot * i as f64 + slot * 0.15;
        let bw = slot * 0.3;
        for (k, (n, colour)) in [(p.received, "#9e1b1b"), (p.replied, "#3a6ea5")].into_iter().enumerate() {
            let bh = scale(n);
            #[allow(clippy::cast_precision_loss)]
            let bx = x + bw * k as f64;
            let _ = write!(
                out,
                "<rect x=\"{bx:.1}\" y=\"{:.1}\" width=\"{bw:.1}\" height=\"{bh:.1}\" fill=\"{colour}\"><title>{n}</title></rect>",
                h - bottom - bh
            );
        }
        let rate = p.on_time_rate.map_or_else(|| "—".to_string(), |r| format!("{:.0}%", r * 100.0));
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"middle\">{}</text>\
             <text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\">按期 {rate}</text>",
            x + bw,
            h - bottom + 16.0,
            p.year,
            x + bw,
            h - bottom + 32.0
        );
    }
    let _ = write!(
        out,
        "<rect x=\"{left}\" y=\"4\" width=\"10\" height=\"10\" fill=\"#9e1b1b\"/><text x=\"{}\" y=\"13\" font-size=\"12\">收到申请</text>\
         <rect x=\"{}\" y=\"4\" width=\"10\" height=\"10\" fill=\"#3a6ea5\"/><text x=\"{}\" y=\"13\" font-size=\"12\">答复</text></svg>",
        left + 14.0,
        left + 90.0,
        left + 104.0
    );
    out
}

/// A grouped bar chart of yearly series as inline SVG (no script): one group of bars per year,
/// one bar per series, the value as each bar's title; the table below carries the same figures.
fn bars_svg(id: &str, title: &str, years: &[i32], series: &[(&str, &str, Vec<i64>)]) -> String {
    use std::fmt::Write as _;
    let (w, h, left, bottom, top) = (640.0_f64, 220.0_f64, 48.0_f64, 24.0_f64, 28.0_f64);
    let max = series.iter().flat_map(|(_, _, v)| v.iter().copied()).max().unwrap_or(0).max(1);
    #[allow(clippy::cast_precision_loss)] // counts far below 2^52
    let scale = |n: i64| (n.max(0) as f64) / (max as f64) * (h - bottom - top);
    #[allow(clippy::cast_precision_loss)]
    let slot = (w - left) / (years.len().max(1) as f64);
    #[allow(clippy::cast_precision_loss)]
    let bw = slot * 0.7 / (series.len().max(1) as f64);
    let mut out = String::new();
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" width=\"100%\" role=\"img\" \
         aria-labelledby=\"{id}-title\" id=\"{id}\"><title id=\"{id}-title\">{title}</title>\
         <line x1=\"{left}\" y1=\"{y0}\" x2=\"{w}\" y2=\"{y0}\" stroke=\"#333\"/>\
         <text x=\"4\" y=\"{top}\" font-size=\"12\">{max}</text>",
        y0 = h - bottom
    );
    for (i, year) in years.iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        let x = left + slot * i as f64 + slot * 0.15;
        for (k, (_, colour, values)) in series.iter().enumerate() {
            let n = values.get(i).copied().unwrap_or(0);
            let bh = scale(n);
            #[allow(clippy::cast_precision_loss)]
            let bx = x + bw * k as f64;
            let _ = write!(
                out,
                "<rect x=\"{bx:.1}\" y=\"{:.1}\" width=\"{bw:.1}\" height=\"{bh:.1}\" fill=\"{colour}\"><title>{n}</title></rect>",
                h - bottom - bh
            );
        }
        let _ = write!(
            out,
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"middle\">{year}</text>",
            x + slot * 0.35,
            h - bottom + 16.0
        );
    }
    for (k, (label, colour, _)) in series.iter().enumerate() {
        #[allow(clippy::cast_precision_loss)]
        let lx = left + 110.0 * k as f64;
        let _ = write!(
            out,
            "<rect x=\"{lx}\" y=\"4\" width=\"10\" height=\"10\" fill=\"{colour}\"/><text x=\"{}\" y=\"13\" font-size=\"12\">{label}</text>",
            lx + 14.0
        );
    }
    out.push_str("</svg>");
    out
}

struct TrendRow {
    year: i32,
    received: i64,
    replied: i64,
    on_time: String,
    withdrawn: i64,
    outcomes: Vec<i64>,
    /// 行政复议, 行政诉讼, 纠正, 主动公开 items, then the table-2 figures (blank when unrecorded).
    reviews: i64,
    litigations: i64,
    corrected: i64,
    proactive_items: i64,
    table2: Vec<String>,
}

#[derive(Template)]
#[template(path = "console/trend.html")]
struct TrendPage {
    chrome: crate::layout::Chrome,
    me: Me,
    year: i32,
    /// The agency of the trend, for the download links.
    agency_q: String,
    chart: String,
    /// Review and litigation, and proactive disclosure, per year.
    cases_chart: String,
    proactive_chart: String,
    outcome_labels: Vec<String>,
    rows: Vec<TrendRow>,
}

/// `GET /console/supervise/trend?year=Y`: the subtree's requests over the five years to Y.
async fn trend_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<YearQuery>,
) -> Result<Response, WebError> {
    let (year, agency, points) = trend_of(&state, &user, &q).await?;
    let agency_name =
        state.store.get_agency(&agency).await.map_err(WebError::from)?.map(|a| a.name).unwrap_or_default();
    let columns = outcome_columns();
    let rows = points
        .iter()
        .map(|p| TrendRow {
            year: p.year,
            received: p.received,
            replied: p.replied,
            on_time: p.on_time_rate.map_or_else(|| "—".to_string(), |r| format!("{:.1}%", r * 100.0)),
            withdrawn: p.withdrawn,
            outcomes: columns.iter().map(|(path, _)| p.outcomes.get(*path).copied().unwrap_or(0)).collect(),
            reviews: p.reviews,
            litigations: p.litigations,
            corrected: p.corrected,
            proactive_items: p.proactive_items,
            table2: [p.normative_issued, p.licensing_decisions, p.penalty_decisions]
                .iter()
                .map(|v| v.map_or_else(String::new, |n| n.to_string()))
                .collect(),
        })
        .collect();
    let years: Vec<i32> = points.iter().map(|p| p.year).collect();
    let series = |f: fn(&gongkai_store::TrendPoint) -> i64| points.iter().map(f).collect::<Vec<i64>>();
    let cases_chart = bars_svg(
        "cases-chart",
        "各年度行政复议、行政诉讼和被纠正的案件数",
        &years,
        &[
            ("行政复议", "#9e1b1b", series(|p| p.reviews)),
            ("行政诉讼", "#3a6ea5", series(|p| p.litigations)),
            ("被纠正", "#8a4b00", series(|p| p.corrected)),
        ],
    );
    let proactive_chart = bars_svg(
        "proactive-chart",
        "各年度主动公开信息条数",
        &years,
        &[("主动公开信息", "#1b6e1b", series(|p| p.proactive_items))],
    );
    page(
        &TrendPage {
            chrome: chrome(&state, format!("{agency_name}年度趋势（{}–{year}年）", year - TREND_YEARS + 1)),
            me: Me::of(&user),
            year,
            agency_q: crate::portal::url_segment(&agency),
            chart: trend_svg(&points),
            cases_chart,
            proactive_chart,
            outcome_labels: columns.into_iter().map(|(_, l)| l).collect(),
            rows,
        },
        StatusCode::OK,
    )
}

/// The trend's table: header, then one row per year (numbers as numbers, a missing rate blank).
fn trend_table(points: &[gongkai_store::TrendPoint]) -> (Vec<String>, Vec<Vec<Option<f64>>>) {
    let columns = outcome_columns();
    let mut header: Vec<String> =
        ["年度", "收到申请", "答复", "按期答复", "按期答复率", "撤回"].iter().map(|s| (*s).to_string()).collect();
    header.extend(columns.iter().map(|(_, l)| l.clone()));
    header.extend(
        ["行政复议", "行政诉讼", "复议诉讼被纠正", "主动公开信息", "制发规范性文件", "行政许可决定", "行政处罚决定"]
            .iter()
            .map(|s| (*s).to_string()),
    );
    #[allow(clippy::cast_precision_loss)] // counts and years far below 2^52
    let rows = points
        .iter()
        .map(|p| {
            let mut r = vec![
                Some(f64::from(p.year)),
                Some(p.received as f64),
                Some(p.replied as f64),
                Some(p.replied_on_time as f64),
                p.on_time_rate,
                Some(p.withdrawn as f64),
            ];
            r.extend(columns.iter().map(|(path, _)| Some(p.outcomes.get(*path).copied().unwrap_or(0) as f64)));
            r.extend([p.reviews, p.litigations, p.corrected, p.proactive_items].map(|n| Some(n as f64)));
            // Table-2 figures no agency recorded stay blank, not 0.
            r.extend([p.normative_issued, p.licensing_decisions, p.penalty_decisions].map(|n| n.map(|n| n as f64)));
            r
        })
        .collect();
    (header, rows)
}

/// `GET /console/supervise/trend.xlsx?year=Y`: the same figures as a workbook (one sheet,
/// header row frozen, the rate as a percentage).
async fn trend_xlsx(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<YearQuery>,
) -> Result<Response, WebError> {
    let (year, agency, points) = trend_of(&state, &user, &q).await?;
    let (header, rows) = trend_table(&points);
    let fail = |e: rust_xlsxwriter::XlsxError| WebError::Internal(format!("trend XLSX: {e}"));
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = book.add_worksheet();
    sheet.set_name("年度趋势").map_err(fail)?;
    let bold = rust_xlsxwriter::Format::new().set_bold().set_text_wrap();
    let percent = rust_xlsxwriter::Format::new().set_num_format("0.0%");
    for (c, h) in header.iter().enumerate() {
        let c = u16::try_from(c).unwrap_or(u16::MAX);
        sheet.write_string_with_format(0, c, h, &bold).map_err(fail)?;
        sheet.set_column_width(c, if c < 6 { 10 } else { 14 }).map_err(fail)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
        for (c, v) in row.iter().enumerate() {
            let c = u16::try_from(c).unwrap_or(u16::MAX);
            match (c, v) {
                (4, Some(x)) => sheet.write_number_with_format(r, c, *x, &percent).map_err(fail)?,
                (_, Some(x)) => sheet.write_number(r, c, *x).map_err(fail)?,
                (_, None) => sheet,
            };
        }
    }
    sheet.set_freeze_panes(1, 1).map_err(fail)?;
    let bytes = book.save_to_buffer().map_err(fail)?;
    let name = attachment::file_name("trend", &agency, &year.to_string(), "xlsx");
    Ok(attachment::attachment(attachment::XLSX, &name, bytes, Cache::Private))
}

/// `GET /console/supervise/trend.csv?year=Y`: the same figures as CSV (UTF-8 with a byte-order
/// mark, so that Excel opens the Chinese headers correctly).
async fn trend_csv(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<YearQuery>,
) -> Result<Response, WebError> {
    let (year, agency, points) = trend_of(&state, &user, &q).await?;
    let (header, rows) = trend_table(&points);
    let mut out = String::from("\u{feff}");
    out.push_str(&header.iter().map(|h| csv_field(h)).collect::<Vec<_>>().join(","));
    out.push_str("\r\n");
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(c, v)| match (c, v) {
                (_, None) => String::new(),
                // The on-time rate as a fraction; every other figure is a whole number.
                (4, Some(x)) => format!("{x:.4}"),
                (_, Some(x)) => x.to_string(),
            })
            .collect();
        out.push_str(&cells.join(","));
        out.push_str("\r\n");
    }
    let name = attachment::file_name("trend", &agency, &year.to_string(), "csv");
    Ok(attachment::attachment(attachment::CSV, &name, out, Cache::Private))
}

// ---------------------------------------------------------------------------------- reminders

#[derive(Template)]
#[template(path = "console/reminders.html")]
struct RemindersPage {
    chrome: crate::layout::Chrome,
    me: Me,
    year: i32,
    today: String,
    items: Vec<Reminder>,
    /// Whether an SMTP server is configured (the send button).
    can_mail: bool,
    /// After sending: the summary and one line per agency.
    mail_summary: String,
    mail_results: Vec<String>,
}

/// `GET /console/supervise/reminders?year=Y`.
async fn reminders_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<YearQuery>,
) -> Result<Response, WebError> {
    let year = year_of(&q, state.clock.today())?;
    let o = overview_of(&state, &user, year).await?;
    page(
        &RemindersPage {
            chrome: chrome(&state, format!("待办提醒：{}", o.name)),
            me: Me::of(&user),
            year,
            today: o.today.to_string(),
            items: reminders(&o),
            can_mail: state.mailer.is_some(),
            mail_summary: String::new(),
            mail_results: Vec::new(),
        },
        StatusCode::OK,
    )
}

#[derive(Debug, Deserialize)]
struct SendForm {
    year: Option<String>,
}

/// `POST /console/supervise/reminders/send`: each agency of the subtree with something to do gets
/// its reminders by e-mail at its disclosure guide's address (`mail`); the page then lists, per
/// agency, sent or why not. Needs an SMTP server (`gongkai serve --smtp-url`).
async fn reminders_send(
    State(state): State<AppState>,
    form: crate::auth::ConsoleForm<SendForm>,
) -> Result<Response, WebError> {
    let crate::auth::ConsoleForm { user, form } = form;
    let year = year_of(&YearQuery { year: form.year, agency: None }, state.clock.today())?;
    let o = overview_of(&state, &user, year).await?;
    let Some(mailer) = state.mailer.clone() else {
        return Err(WebError::Conflict("未配置 SMTP 服务器，不能发送提醒邮件".to_string()));
    };
    let results = remind::send(&state.store, &mailer, &o, &user.actor(), &state.clock).await.map_err(WebError::from)?;
    let sent = results.iter().filter(|(_, d)| matches!(d, remind::Delivery::Sent(_))).count();
    let failed = results.len() - sent;
    let lines = results
        .iter()
        .map(|(m, d)| match d {
            remind::Delivery::Sent(to) => format!("已发送 {}（{}）→ {to}，{}项", m.agency_name, m.agency, m.items),
            remind::Delivery::NoAddress => format!("未发送 {}（{}）：公开指南未登记电子邮箱", m.agency_name, m.agency),
            remind::Delivery::Failed(reason) => format!("未发送 {reason}"),
        })
        .collect();
    page(
        &RemindersPage {
            chrome: chrome(&state, format!("待办提醒：{}", o.name)),
            me: Me::of(&user),
            year,
            today: o.today.to_string(),
            items: reminders(&o),
            can_mail: true,
            mail_summary: format!("已发送 {sent} 封提醒邮件，{failed} 封未发送。"),
            mail_results: lines,
        },
        StatusCode::OK,
    )
}

/// `GET /console/supervise/reminders.csv?year=Y`: the same list as CSV (UTF-8 with BOM).
async fn reminders_csv(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<YearQuery>,
) -> Result<Response, WebError> {
    let year = year_of(&q, state.clock.today())?;
    let o = overview_of(&state, &user, year).await?;
    let mut out = String::from("\u{feff}机关代码,机关,事项,对象,期限\r\n");
    for r in reminders(&o) {
        let row = [r.agency_code.as_str(), r.agency.as_str(), r.kind, r.subject.as_str(), r.due.as_str()];
        out.push_str(&row.iter().map(|f| csv_field(f)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    let name = attachment::file_name("reminders", &o.agency, &o.today.to_string(), "csv");
    Ok(attachment::attachment(attachment::CSV, &name, out, Cache::Private))
}
