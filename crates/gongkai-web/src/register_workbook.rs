//! 台账导入导出 in the console (`/console/registers`): the agency's registers as the .xlsx workbook
//! of `gongkai register export/import` (gongkai-sheet; docs/register-spreadsheet.md) — downloaded
//! whole, and uploaded all or nothing.
//!
//! - The workbook holds applicants' personal information (names, identity documents, contacts),
//!   so only the agency's own staff and approvers may download it, and every download is audited
//!   (B4.6, B6: exports of personal information). Supervisors read the registers page by page.
//! - An upload is checked completely before anything is stored: every cell (gongkai-sheet), the
//!   account's scope (only rows of its own agency; the 机关 sheet may repeat the agency tree as
//!   stored, never change it — agencies are the administrator's, B2.2), numbers already
//!   registered, and rows reaching a year whose report is published (the period lock: such a row
//!   is refused unless the upload is an amendment — 更正理由 given, by an approver, the role that
//!   publishes the report — and then each locked year reached gets an amendment record with the
//!   reason, shown in that year's report). Every problem is listed with its sheet, row and
//!   column; with any, nothing is stored.
//! - The upload route has its own body limit ([`UPLOAD_LIMIT_BYTES`], ASVS 5.2.1); the file must be
//!   an .xlsx workbook (read by calamine, never executed or stored as a file, ASVS 5.2.2/5.2.3).

use askama::Template;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use gongkai_core::register::Agency;
use serde::Deserialize;

use crate::attachment::{self, Cache};
use crate::auth::{check_csrf, CurrentUser};
use crate::console::{chrome, page, Me};
use crate::error::WebError;
use crate::AppState;

/// The largest workbook accepted (about 20,000 requests with their events).
pub const UPLOAD_LIMIT_BYTES: usize = 10 * 1024 * 1024;

/// The routes, with the upload's own body limit (merged after the application-wide limit, see
/// [`crate::router`]). The limit is the multipart reader's, so a workbook too large is refused
/// with the field and the reason in Chinese rather than a bare 413, after the body has been read
/// to its end ([`crate::upload`]) so that the browser shows that page, not a reset connection.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/registers", get(show).post(import))
        .route("/console/registers/xlsx", get(download))
        .layer(DefaultBodyLimit::max(UPLOAD_LIMIT_BYTES))
        .layer(axum::middleware::from_fn(|req, next| crate::upload::read_to_end(UPLOAD_LIMIT_BYTES, req, next)))
}

#[derive(Debug, Deserialize)]
struct AgencyQuery {
    agency: Option<String>,
    done: Option<String>,
}

#[derive(Template)]
#[template(path = "console/registers.html")]
struct RegistersPage {
    chrome: crate::layout::Chrome,
    me: Me,
    agency: Agency,
    can_write: bool,
    /// An approver of the agency: may upload an amendment of a published year.
    can_amend: bool,
    /// Records of each kind stored now: (what, how many).
    counts: Vec<(&'static str, usize)>,
    /// Why the upload was refused, one line per problem (sheet, row, column, reason).
    errors: Vec<String>,
    notice: Option<String>,
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
    errors: Vec<String>,
    notice: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let requests = state.store.list_requests(&agency.code, gongkai_store::RequestFilter::All).await?.len();
    let cases = state.store.list_cases(&agency.code).await?.len();
    let figures = state.store.list_article20_figures(&agency.code).await?.len();
    page(
        &RegistersPage {
            chrome: chrome(state, format!("台账导入导出：{}", agency.name)),
            me: Me::of(user),
            can_write: user.can_write(&agency.code),
            can_amend: user.can_approve(&agency.code),
            agency,
            counts: vec![
                (gongkai_sheet::SHEET_REQUESTS, requests),
                (gongkai_sheet::SHEET_CASES, cases),
                (gongkai_sheet::SHEET_FIGURES, figures),
            ],
            errors,
            notice,
        },
        status,
    )
}

/// `GET /console/registers?agency=`: what is stored, the download link and the upload form.
async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<AgencyQuery>,
) -> Result<Response, WebError> {
    let agency = agency_of(&state, &user, q.agency.as_deref()).await?;
    let notice = q.done.filter(|d| d == "imported").map(|_| "已导入".to_string());
    render_page(&state, &user, agency, Vec::new(), notice, StatusCode::OK).await
}

/// `GET /console/registers/xlsx?agency=`: the agency's registers, every year, as the workbook.
async fn download(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<AgencyQuery>,
) -> Result<Response, WebError> {
    let agency = agency_of(&state, &user, q.agency.as_deref()).await?;
    if !user.can_write(&agency.code) {
        user.audit(&state, "registers.export", &agency.code, false, Some("not permitted".into())).await;
        return Err(WebError::Forbidden(format!(
            "{}不能下载机关 {} 的台账：台账含申请人个人信息，仅供本机关经办、审批人员导出",
            user.role().label_zh(),
            agency.code
        )));
    }
    let batch =
        gongkai_sheet::agency_registers(&state.store, &agency.code, None).await?.ok_or(WebError::NotFound("机关"))?;
    let bytes = tokio::task::spawn_blocking(move || gongkai_sheet::write(&batch, false))
        .await
        .map_err(|e| WebError::Internal(format!("workbook task: {e}")))?
        .map_err(|e| WebError::Internal(format!("workbook: {e}")))?;
    user.audit(&state, "registers.export", &agency.code, true, None).await;
    let today = state.clock.today().format("%Y%m%d").to_string();
    let name = attachment::file_name("registers", &agency.code, &today, "xlsx");
    Ok(attachment::attachment(attachment::XLSX, &name, bytes, Cache::Private))
}

/// The fields of the upload form.
#[derive(Default)]
struct Upload {
    csrf: String,
    agency: String,
    file: Vec<u8>,
    /// 更正理由: when given, rows reaching a published year are stored as amendments.
    amend_reason: String,
}

/// Reads the multipart form; a broken or oversized upload is the field `file` and its reason.
async fn read_upload(multipart: Result<Multipart, MultipartRejection>) -> Result<Upload, WebError> {
    let bad = |reason: String| WebError::Invalid(vec![crate::error::FieldError::new("file", reason)]);
    let mut multipart = multipart.map_err(|e| bad(format!("文件：上传的表单无法读取（{e}）")))?;
    let mut up = Upload::default();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                return Err(bad(format!("文件：上传不完整或超过 {} MB（{e}）", UPLOAD_LIMIT_BYTES / 1024 / 1024)))
            }
        };
        let name = field.name().unwrap_or_default().to_string();
        let bytes = field
            .bytes()
            .await
            .map_err(|e| bad(format!("文件：上传不完整或超过 {} MB（{e}）", UPLOAD_LIMIT_BYTES / 1024 / 1024)))?;
        match name.as_str() {
            "csrf" => up.csrf = String::from_utf8_lossy(&bytes).into_owned(),
            "agency" => up.agency = String::from_utf8_lossy(&bytes).into_owned(),
            "file" => up.file = bytes.to_vec(),
            "amend_reason" => up.amend_reason = String::from_utf8_lossy(&bytes).trim().to_string(),
            _ => {}
        }
    }
    Ok(up)
}

/// `POST /console/registers` (multipart: `csrf`, `agency`, `file`): imports a workbook, all or
/// nothing.
async fn import(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
    multipart: Result<Multipart, MultipartRejection>,
) -> Result<Response, WebError> {
    let up = read_upload(multipart).await?;
    check_csrf(&state, &user, &headers, "/console/registers", &up.csrf).await?;
    let agency = agency_of(&state, &user, Some(&up.agency)).await?;
    if let Err(e) = user.require_write(&agency.code) {
        user.audit(&state, "registers.import", &agency.code, false, Some("not permitted".into())).await;
        return Err(e);
    }
    // An amendment of a published year is the approver's (the role that publishes the report).
    let amend = if up.amend_reason.is_empty() {
        None
    } else if !user.can_approve(&agency.code) {
        user.audit(&state, "registers.import", &agency.code, false, Some("amendment not permitted".into())).await;
        let errors = vec!["更正理由：只有审批人员可以更正已发布年度的登记（经办人员请留空）".to_string()];
        return render_page(&state, &user, agency, errors, None, StatusCode::FORBIDDEN).await;
    } else {
        Some(gongkai_store::Amend { reason: up.amend_reason.clone(), by: user.user.username.clone() })
    };
    // Checked, stored and audited as `gongkai register import` is, within the agency's scope.
    let upload =
        gongkai_app::registers::Upload { bytes: up.file, scope: Some(agency.code.clone()), amend, dry_run: false };
    let imported =
        gongkai_app::registers::import(&state.store, &state.calendar, &state.clock, &user.actor(), upload).await;
    let errors = match imported {
        Ok(_) => Vec::new(),
        Err(gongkai_app::AppError::Workbook(errors)) => errors,
        Err(e @ gongkai_app::AppError::Invalid { .. }) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            return render_page(&state, &user, agency, vec![e.to_string()], None, status).await;
        }
        Err(e @ (gongkai_app::AppError::Locked(_) | gongkai_app::AppError::Conflict(_))) => {
            return render_page(&state, &user, agency, vec![e.to_string()], None, StatusCode::CONFLICT).await;
        }
        Err(e) => return Err(WebError::from(e)),
    };
    if !errors.is_empty() {
        // A row of a locked year is a conflict with the published report; anything else is bad input.
        let status = if errors.iter().all(|e| e.message.contains("已锁定")) {
            StatusCode::CONFLICT
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        let errors = errors.iter().map(ToString::to_string).collect();
        return render_page(&state, &user, agency, errors, None, status).await;
    }
    let code = crate::portal::url_segment(&agency.code);
    Ok(Redirect::to(&format!("/console/registers?agency={code}&done=imported")).into_response())
}
