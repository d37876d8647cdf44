//! Published reports of agencies that do not use gongkai, in the console
//! (`/console/supervise/published`): the supervising office uploads the file an agency of its
//! subtree published (text, HTML, DOCX, PDF, XLSX or JSON — `gongkai_import::import`), for a
//! year; it is read, checked and stored ([`gongkai_store::Store::add_published_report`]), and the
//! overview then shows, scores and rolls it up beside the generated reports with the note
//! 「来自已发布文件」. The same as `gongkai supervise import` on the command line.
//!
//! Who: supervisors and administrators, for agencies of their scope (another county's agency is
//! a 403). The form is `multipart/form-data`, so the CSRF token is read from its `csrf` part and
//! checked as for every console form; the body limit of this one route is [`UPLOAD_LIMIT_BYTES`].
//! A file that cannot be read as a report is a 422 whose message names the file and why.
//!
//! An import made by mistake (the wrong agency, the wrong file) is withdrawn (撤销) from the
//! history list with a reason (`POST /console/supervise/published/withdraw`, an ordinary console
//! form: [`form_routes`]); it stays listed as 「已撤销：理由（撤销人，时间）」 and counts nowhere
//! any more ([`gongkai_store::Store::withdraw_published_report`], which writes the audit record
//! in its own transaction). The same scope as the upload: another county's import is a 403.

use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::NaiveDate;
use gongkai_core::register::{Agency, AgencyKind};
use gongkai_core::rules::{self, CheckContext, Severity};
use serde::Deserialize;

use crate::auth::{ConsoleForm, CurrentUser};
use crate::console::{chrome, page, Me};
use crate::error::WebError;
use crate::AppState;

/// The largest upload (a scanned PDF report can be several megabytes).
pub const UPLOAD_LIMIT_BYTES: usize = 20 * 1024 * 1024;

/// The routes, with their own body limit (the application's is far smaller): merged by
/// [`crate::router`] outside its general limit. The limit is the multipart reader's, so a file too
/// large is refused with the reason in Chinese, after the body has been read to its end
/// ([`crate::upload`]).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/supervise/published", get(list).post(upload))
        .layer(DefaultBodyLimit::max(UPLOAD_LIMIT_BYTES))
        .layer(axum::middleware::from_fn(|req, next| crate::upload::read_to_end(UPLOAD_LIMIT_BYTES, req, next)))
}

/// The ordinary (URL-encoded) forms of the page, under the application's general body limit:
/// merged by [`crate::router`] with the other console routes.
pub fn form_routes() -> Router<AppState> {
    Router::new().route("/console/supervise/published/withdraw", post(withdraw))
}

#[derive(Debug, Deserialize)]
struct ListQuery {
    year: Option<String>,
    done: Option<String>,
}

/// One import of the history.
struct Item {
    /// The import's id (the withdrawal form's, and `gongkai supervise withdraw-import`'s).
    id: String,
    agency_code: String,
    agency: String,
    year: i32,
    file_name: String,
    format: String,
    published_on: String,
    imported_at: String,
    imported_by: String,
    errors: usize,
    warnings: usize,
    /// False when a newer import of the same agency and year, not withdrawn, supersedes it (or
    /// when it is withdrawn).
    current: bool,
    /// 「理由（撤销人，时间）」 once withdrawn.
    withdrawn: Option<String>,
}

/// The form's values, kept when it is refused.
#[derive(Debug, Default, Clone)]
struct Values {
    agency: String,
    year: String,
    published_on: String,
}

#[derive(Template)]
#[template(path = "console/published.html")]
struct PublishedPage {
    chrome: crate::layout::Chrome,
    me: Me,
    /// The agencies of the scope, for the form's list: (code, indented name).
    agencies: Vec<(String, String)>,
    values: Values,
    items: Vec<Item>,
    /// What the refused form was for (「未导入」, 「未撤销」), printed before the error.
    failed: &'static str,
    error: Option<String>,
    notice: Option<String>,
    limit_mb: usize,
}

fn require_oversight(user: &CurrentUser) -> Result<(), WebError> {
    if matches!(user.role(), gongkai_store::Role::Supervisor | gongkai_store::Role::Administrator) {
        Ok(())
    } else {
        Err(WebError::Forbidden(format!("{}无权导入已发布的年度报告；请使用监督员账号", user.role().label_zh())))
    }
}

fn counts(report: &gongkai_core::report::Report, kind: AgencyKind) -> (usize, usize) {
    let findings =
        rules::check(report, &CheckContext { previous: None, government_report: Some(kind == AgencyKind::Government) });
    let n = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    (n(Severity::Error), n(Severity::Warning))
}

/// The imports' timestamps as shown (UTC, to the second).
/// A stored time in Beijing time, as every time on the site.
fn shown_time(at: &str) -> String {
    gongkai_app::clock::china_text(at)
}

async fn render(
    state: &AppState,
    user: &CurrentUser,
    values: Values,
    error: Option<String>,
    notice: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    render_failed(state, user, values, "未导入", error, notice, status).await
}

/// [`render`], the error introduced by `failed`.
async fn render_failed(
    state: &AppState,
    user: &CurrentUser,
    values: Values,
    failed: &'static str,
    error: Option<String>,
    notice: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let subtree: Vec<Agency> = state.store.agency_subtree(user.agency()).await.map_err(WebError::from)?;
    let mut depth: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let mut agencies = Vec::with_capacity(subtree.len());
    for a in &subtree {
        let d = a.parent.as_deref().and_then(|p| depth.get(p)).map_or(0, |d| d + 1);
        depth.insert(a.code.as_str(), d);
        agencies.push((a.code.clone(), format!("{}{}（{}）", "　".repeat(d.min(8)), a.name, a.code)));
    }
    let by_code: std::collections::HashMap<&str, &Agency> = subtree.iter().map(|a| (a.code.as_str(), a)).collect();
    let mut seen = std::collections::HashSet::new();
    let items = state
        .store
        .list_published_reports(user.agency())
        .await
        .map_err(WebError::from)?
        .into_iter()
        .map(|p| {
            let agency = by_code.get(p.agency.as_str());
            let (errors, warnings) = counts(&p.report, agency.map_or(AgencyKind::Department, |a| a.kind));
            // Newest first: the first import of an agency and year not withdrawn is the one used.
            let current = p.withdrawn.is_none() && seen.insert((p.agency.clone(), p.year));
            Item {
                id: p.id,
                current,
                withdrawn: p
                    .withdrawn
                    .map(|w| format!("{}（{}，{}）", w.withdraw_reason, w.withdrawn_by, shown_time(&w.withdrawn_at))),
                agency: agency.map(|a| a.name.clone()).unwrap_or_default(),
                agency_code: p.agency,
                year: p.year,
                file_name: p.source.file_name,
                format: p.source.format,
                published_on: p.published_on.to_string(),
                imported_at: shown_time(&p.source.imported_at),
                imported_by: p.source.imported_by,
                errors,
                warnings,
            }
        })
        .collect();
    page(
        &PublishedPage {
            chrome: chrome(state, "导入已发布的年度报告".to_string()),
            me: Me::of(user),
            agencies,
            values,
            items,
            failed,
            error,
            notice,
            limit_mb: UPLOAD_LIMIT_BYTES / (1024 * 1024),
        },
        status,
    )
}

/// `GET /console/supervise/published`: the form and the imports of the subtree.
async fn list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> Result<Response, WebError> {
    require_oversight(&user)?;
    let year = q
        .year
        .filter(|y| y.parse::<i32>().is_ok())
        .unwrap_or_else(|| gongkai_store::default_year(state.clock.today()).to_string());
    let notice = match q.done.as_deref() {
        Some("imported") => Some("已导入，监督总览中已计入该报告".to_string()),
        Some("withdrawn") => {
            Some("已撤销该导入，监督总览中不再计入；该机关该年度如有其他未撤销的导入，以其中最后一次为准".to_string())
        }
        _ => None,
    };
    let values = Values { year, ..Values::default() };
    render(&state, &user, values, None, notice, StatusCode::OK).await
}

/// The parts of the upload form.
#[derive(Default)]
struct Upload {
    csrf: String,
    values: Values,
    file: Option<(String, Vec<u8>)>,
}

/// The file name as the browser sent it, without any folder part and control characters, at most
/// 200 characters (it is shown on pages and stored).
fn clean_name(raw: &str) -> String {
    let base = raw.rsplit(['/', '\\']).next().unwrap_or(raw);
    let name: String = base.chars().filter(|c| !c.is_control()).take(200).collect();
    if name.trim().is_empty() {
        "（未命名文件）".to_string()
    } else {
        name.trim().to_string()
    }
}

async fn read_form(mut multipart: Multipart) -> Result<Upload, String> {
    let too_big = |_| format!("上传不完整或文件过大（上限 {} MB）", UPLOAD_LIMIT_BYTES / (1024 * 1024));
    let mut u = Upload::default();
    while let Some(field) = multipart.next_field().await.map_err(too_big)? {
        let name = field.name().unwrap_or("").to_string();
        if name == "file" {
            let file_name = clean_name(field.file_name().unwrap_or(""));
            let bytes = field.bytes().await.map_err(too_big)?;
            if !bytes.is_empty() || u.file.is_none() {
                u.file = Some((file_name, bytes.to_vec()));
            }
            continue;
        }
        let text = field.text().await.map_err(too_big)?;
        let text: String = text.chars().take(200).collect();
        match name.as_str() {
            "csrf" => u.csrf = text,
            "agency" => u.values.agency = text.trim().to_string(),
            "year" => u.values.year = text.trim().to_string(),
            "published_on" => u.values.published_on = text.trim().to_string(),
            _ => {}
        }
    }
    Ok(u)
}

/// `POST /console/supervise/published` (multipart): one report file of one agency and year.
async fn upload(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    multipart: Multipart,
) -> Result<Response, WebError> {
    let form = match read_form(multipart).await {
        Ok(f) => f,
        Err(msg) => {
            return render(&state, &user, Values::default(), Some(msg), None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
    };
    crate::auth::check_csrf(&state, &user, &headers, "/console/supervise/published", &form.csrf).await?;
    require_oversight(&user)?;
    let values = form.values.clone();
    let (st, us) = (&state, &user);
    let refuse = |msg: String| {
        let v = values.clone();
        async move { render(st, us, v, Some(msg), None, StatusCode::UNPROCESSABLE_ENTITY).await }
    };
    if values.agency.is_empty() {
        return refuse("机关：请选择报告所属的机关".to_string()).await;
    }
    if let Err(e) = user.require_read(&values.agency) {
        user.audit(&state, "supervise.import", &values.agency, false, Some("outside scope".into())).await;
        return Err(e);
    }
    let Ok(year) = values.year.parse::<i32>() else {
        return refuse(format!("年度：应为四位数字的年份，如 2025（收到「{}」）", values.year)).await;
    };
    let published_on = match values.published_on.as_str() {
        "" => None,
        s => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => return refuse(format!("发布日期：应为 YYYY-MM-DD 格式的日期（收到「{s}」）")).await,
        },
    };
    let Some((file_name, bytes)) = form.file else {
        return refuse("文件：请选择要导入的年度报告文件".to_string()).await;
    };
    // Checked, read, stored and audited as `gongkai supervise import` does.
    let new = gongkai_app::published::NewImport {
        agency: values.agency.clone(),
        year,
        file_name,
        bytes,
        published_on,
        by: user.user.username.clone(),
    };
    match gongkai_app::published::import(&state.store, &state.clock, &user.actor(), new).await {
        Ok(i) => {
            Ok(Redirect::to(&format!("/console/supervise/published?year={}&done=imported", i.report.year))
                .into_response())
        }
        Err(e @ gongkai_app::AppError::Invalid { .. }) => refuse(e.to_string()).await,
        Err(e) => Err(WebError::from(e)),
    }
}

/// The withdrawal form of one import of the history.
#[derive(Debug, Deserialize)]
struct WithdrawForm {
    #[serde(default)]
    id: String,
    #[serde(default)]
    reason: String,
    /// The year the page was showing (kept for the form after the redirect).
    #[serde(default)]
    year: String,
}

/// `POST /console/supervise/published/withdraw`: withdraws (撤销) one import of the scope, with
/// a reason. Refused — nothing changed — with the field and why: no reason or too long a one
/// (422), an unknown import (404), one already withdrawn (409); another county's import is a 403.
/// Every attempt is audited (`supervise.withdraw_import`; the store records a success itself).
async fn withdraw(State(state): State<AppState>, form: ConsoleForm<WithdrawForm>) -> Result<Response, WebError> {
    let ConsoleForm { user, form } = form;
    require_oversight(&user)?;
    let id: String = form.id.trim().chars().take(64).collect();
    let year = form.year.trim().parse::<i32>().ok().filter(|y| (2008..=2200).contains(y));
    let values = Values {
        year: year.unwrap_or_else(|| gongkai_store::default_year(state.clock.today())).to_string(),
        ..Values::default()
    };
    let (st, us) = (&state, &user);
    let refuse = |msg: String, status: StatusCode| {
        let v = values.clone();
        async move { render_failed(st, us, v, "未撤销", Some(msg), None, status).await }
    };
    let Some(import) = state.store.published_report(&id).await.map_err(WebError::from)? else {
        user.audit(&state, "supervise.withdraw_import", &id, false, Some("no such import".into())).await;
        return refuse(format!("导入记录：没有编号为「{id}」的导入"), StatusCode::NOT_FOUND).await;
    };
    if let Err(e) = user.require_read(&import.agency) {
        user.audit(&state, "supervise.withdraw_import", &import.agency, false, Some("outside scope".into())).await;
        return Err(e);
    }
    let actor = user.actor();
    let withdrawn =
        gongkai_app::published::withdraw(&state.store, &state.clock, &actor, &id, &form.reason, &user.user.username)
            .await;
    match withdrawn {
        Ok(p) => {
            Ok(Redirect::to(&format!("/console/supervise/published?year={}&done=withdrawn", p.year)).into_response())
        }
        Err(e) => {
            use gongkai_app::AppError;
            // Already withdrawn: the state of the record, not the form, is in the way.
            let status = match e {
                AppError::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
                AppError::Conflict(_) => StatusCode::CONFLICT,
                AppError::NotFound(_) => StatusCode::NOT_FOUND,
                e => return Err(WebError::from(e)),
            };
            refuse(e.to_string(), status).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_lose_folders_and_control_characters() {
        assert_eq!(clean_name("C:\\报告\\某局2024年报.pdf"), "某局2024年报.pdf");
        assert_eq!(clean_name("/tmp/a/b.docx"), "b.docx");
        assert_eq!(clean_name("a\u{0}b\n.txt"), "ab.txt");
        assert_eq!(clean_name(""), "（未命名文件）");
        assert_eq!(clean_name(&"长".repeat(300)).chars().count(), 200);
    }
}
