//! Casework documents on the web (casework-documents.md C4): staff in scope download a request's
//! documents from the console; the applicant reads them on the tracking page and downloads them
//! with the query code (the API's `download` path, or the tracking page's buttons, which post the
//! code rather than put it in a URL). A wrong code answers exactly like an unknown number.

use axum::extract::{Path, Query, State};
use axum::response::{Html, IntoResponse, Response};
use axum::Form;
use gongkai_core::casework::{DocumentKind, IssuedDocument};
use gongkai_store::{RequestId, StoredDocument};
use serde::Deserialize;

use crate::attachment::{attachment, file_name, Cache, DOCX};
use crate::auth::{ConsoleForm, CurrentUser};
use crate::error::WebError;
use crate::ratelimit::PeerIp;
use crate::AppState;

/// The format asked for.
#[derive(Debug, Deserialize)]
pub(crate) struct FormatQuery {
    #[serde(default)]
    to: String,
}

/// A document in `to` (`pdf`, `docx`, `html`), named for download.
async fn rendered(
    state: &AppState,
    agency: &str,
    issued: IssuedDocument,
    to: &str,
    cache: Cache,
) -> Result<Response, WebError> {
    let tail = format!("{}-{}", issued.document.issued_on.format("%Y%m%d"), issued.document.kind.name());
    match to {
        "html" => {
            let mut r = Html(gongkai_export::render_document_html(&issued)).into_response();
            if cache == Cache::Private {
                r.headers_mut()
                    .insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
            }
            Ok(r)
        }
        "docx" => {
            let bytes = gongkai_export::render_document_docx(&issued)
                .map_err(|e| WebError::Internal(format!("document DOCX: {e}")))?;
            Ok(attachment(DOCX, &file_name("document", agency, &tail, "docx"), bytes, cache))
        }
        "pdf" | "" => {
            let fonts = crate::reports::fonts(state).await?;
            let bytes = tokio::task::spawn_blocking(move || gongkai_pdf::render_document_pdf(&issued, &fonts))
                .await
                .map_err(|e| WebError::Internal(format!("document PDF: {e}")))?
                .map_err(|e| WebError::Internal(format!("document PDF: {e}")))?;
            Ok(attachment("application/pdf", &file_name("document", agency, &tail, "pdf"), bytes, cache))
        }
        _ => Err(WebError::NotFound("该格式")),
    }
}

fn issued(d: StoredDocument) -> IssuedDocument {
    IssuedDocument { number: d.number, document: d.document }
}

/// `GET /console/requests/{id}/documents/{number}?to=pdf|docx|html`: staff who may read the
/// request's agency (others: 403, as the request page).
pub(crate) async fn console_document(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, number)): Path<(String, String)>,
    Query(q): Query<FormatQuery>,
) -> Result<Response, WebError> {
    if id.len() > 64 || number.chars().count() > 100 {
        return Err(WebError::NotFound("文书"));
    }
    let rid = RequestId::from(id);
    let (request, _) = state.store.get_request(&rid).await?.ok_or(WebError::NotFound("申请"))?;
    user.require_read(&request.agency)?;
    let doc = state
        .store
        .list_documents(&rid)
        .await?
        .into_iter()
        .find(|d| d.number == number)
        .ok_or(WebError::NotFound("文书"))?;
    rendered(&state, &request.agency, issued(doc), &q.to, Cache::Private).await
}

/// Whether the applicant reads a document of this kind online: not a consultation letter (it
/// goes to the party consulted, C1.4), not a 送达回证 (the paper the recipient signs, C1.10).
pub(crate) fn for_the_applicant(kind: DocumentKind) -> bool {
    !matches!(kind, DocumentKind::ConsultationLetter | DocumentKind::ServiceReceipt)
}

/// The applicant's document `number` of the request, if the code is right and the document is
/// addressed to the applicant (a consultation letter goes to the party consulted).
async fn applicant_document(
    state: &AppState,
    tracking_number: &str,
    code: &str,
    number: &str,
) -> Result<(String, IssuedDocument), WebError> {
    const NOT_FOUND: WebError = WebError::NotFound("该文书，或查询码不正确");
    let tracked =
        gongkai_app::filing::track(&state.store, &state.clock, &state.calendar, tracking_number, code).await?;
    let Some(t) = tracked else { return Err(NOT_FOUND) };
    let doc = t
        .documents
        .into_iter()
        .filter(|d| for_the_applicant(d.document.kind))
        .find(|d| d.number == number.trim())
        .ok_or(NOT_FOUND)?;
    Ok((t.request.agency, issued(doc)))
}

#[derive(Debug, Deserialize)]
pub(crate) struct CodeQuery {
    #[serde(default)]
    code: String,
}

/// `GET /api/v1/requests/{tracking_number}/documents/{number}?code=…`: the document as PDF to the
/// holder of the query code; any other code, or another request's document, 404.
pub(crate) async fn api_document(
    State(state): State<AppState>,
    peer: PeerIp,
    Path((tracking_number, number)): Path<(String, String)>,
    Query(q): Query<CodeQuery>,
) -> Result<Response, WebError> {
    state.limiter.take(peer)?;
    let (agency, doc) = applicant_document(&state, &tracking_number, &q.code, &number).await?;
    rendered(&state, &agency, doc, "pdf", Cache::Private).await
}

/// The tracking page's download button (number, code and document posted, never in the URL).
#[derive(Debug, Deserialize)]
pub(crate) struct DownloadForm {
    #[serde(default)]
    number: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    document: String,
    #[serde(default)]
    to: String,
}

/// `POST /track/document`: the tracking page's download of one document (PDF or Word).
pub(crate) async fn track_document(
    State(state): State<AppState>,
    peer: PeerIp,
    Form(f): Form<DownloadForm>,
) -> Result<Response, WebError> {
    state.limiter.take(peer)?;
    let (agency, doc) = applicant_document(&state, &f.number, &f.code, &f.document).await?;
    let to = if f.to == "docx" { "docx" } else { "pdf" };
    rendered(&state, &agency, doc, to, Cache::Private).await
}

/// The console's delivery form of one document.
#[derive(Debug, Deserialize)]
pub(crate) struct DeliveryForm {
    #[serde(default)]
    method: String,
    #[serde(default)]
    on: String,
}

/// `POST /console/requests/{id}/documents/{number}/delivery`: staff of the agency record how and
/// when a document reached the applicant (C4); a refusal is the request page with the reason.
pub(crate) async fn console_delivery(
    State(state): State<AppState>,
    Path((id, number)): Path<(String, String)>,
    form: ConsoleForm<DeliveryForm>,
) -> Result<Response, WebError> {
    let ConsoleForm { user, form: f } = form;
    let (_, request) = writable(&state, &user, &id, &number, "document.delivery").await?;
    let Ok(on) = chrono::NaiveDate::parse_from_str(f.on.trim(), "%Y-%m-%d") else {
        return crate::console::request_refused(&state, &user, &id, "送达日期须为 YYYY-MM-DD 格式的有效日期".into())
            .await;
    };
    let recorded = gongkai_app::documents::record_delivery(
        &state.store,
        &state.clock,
        &user.actor(),
        &request.agency,
        &request.tracking_number,
        &number,
        &f.method,
        on,
    )
    .await;
    match recorded {
        Ok(_) => Ok(axum::response::Redirect::to(&format!("/console/requests/{id}?done=delivery")).into_response()),
        Err(
            e @ (gongkai_app::AppError::Invalid { .. }
            | gongkai_app::AppError::Conflict(_)
            | gongkai_app::AppError::NotFound(_)),
        ) => crate::console::request_refused(&state, &user, &id, e.to_string()).await,
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------------
// Attachments (C4, issue 17 item 6)

/// The upload's limit: one file at its limit, and room for the form's other parts.
const ATTACHMENT_UPLOAD_BYTES: usize = gongkai_core::attachment::MAX_BYTES + 64 * 1024;

/// The attachment upload, with its own body limit (merged after the application-wide limit,
/// see [`crate::router`]); the body is read to its end before the answer ([`crate::upload`]),
/// so a file too large gets the page that says so, not a reset connection.
pub fn upload_routes() -> axum::Router<AppState> {
    axum::Router::new()
        .route("/console/requests/{id}/documents/{number}/attachments", axum::routing::post(console_attach))
        // One byte more than the middleware keeps: a body cut at the limit still reaches the
        // multipart reader (which finds it incomplete) with the form's token read first, so the
        // clerk gets the page that says the file is too large.
        .layer(axum::extract::DefaultBodyLimit::max(ATTACHMENT_UPLOAD_BYTES + 1))
        .layer(axum::middleware::from_fn(|req, next| crate::upload::read_to_end(ATTACHMENT_UPLOAD_BYTES, req, next)))
}

/// A stored file as a download under its own name: an ASCII fallback and the UTF-8 name
/// (RFC 6266 / RFC 5987), never shown inline (the content is the uploader's).
fn file_download(meta: &gongkai_store::StoredAttachment, content: Vec<u8>) -> Response {
    let ext = meta.file_name.rsplit_once('.').map_or("bin", |(_, e)| e);
    let ext: String = ext.chars().filter(char::is_ascii_alphanumeric).collect();
    let fallback = format!("attachment-{}.{ext}", meta.sha256.get(..12).unwrap_or("file"));
    let disposition = format!(
        "attachment; filename=\"{fallback}\"; filename*=UTF-8''{}",
        crate::staff_api::urlencoding_path(&meta.file_name)
    );
    let mut r = ([(axum::http::header::CONTENT_TYPE, meta.content_type.clone())], content).into_response();
    let headers = r.headers_mut();
    if let Ok(v) = axum::http::HeaderValue::from_str(&disposition) {
        headers.insert(axum::http::header::CONTENT_DISPOSITION, v);
    }
    headers.insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    r
}

/// The multipart form of an upload: `csrf` and `file`, and why it could not be read to its end
/// (the token read before the failure still counts: the page then says what was wrong).
#[derive(Default)]
struct AttachUpload {
    csrf: String,
    file_name: String,
    file: Vec<u8>,
    error: Option<String>,
}

async fn read_attach_upload(
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> AttachUpload {
    let limit = gongkai_core::attachment::MAX_BYTES / 1_048_576;
    let mut up = AttachUpload::default();
    let mut multipart = match multipart {
        Ok(m) => m,
        Err(e) => {
            up.error = Some(format!("附件：上传的表单无法读取（{e}）"));
            return up;
        }
    };
    let broken = format!("附件：上传不完整，或文件超过每个 {limit} MB 的上限");
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(_) => {
                up.error = Some(broken);
                break;
            }
        };
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field.file_name().unwrap_or_default().to_string();
        let Ok(bytes) = field.bytes().await else {
            up.error = Some(broken);
            break;
        };
        match name.as_str() {
            "csrf" => up.csrf = String::from_utf8_lossy(&bytes).into_owned(),
            "file" => {
                up.file_name = file_name;
                up.file = bytes.to_vec();
            }
            _ => {}
        }
    }
    up
}

/// `POST /console/requests/{id}/documents/{number}/attachments` (multipart: `csrf`, `file`):
/// staff of the agency attach the information provided to a reply; a refusal is the request page
/// with the reason.
async fn console_attach(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: axum::http::HeaderMap,
    Path((id, number)): Path<(String, String)>,
    multipart: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Result<Response, WebError> {
    if id.len() > 64 || number.chars().count() > 100 {
        return Err(WebError::NotFound("文书"));
    }
    let up = read_attach_upload(multipart).await;
    let path = format!("/console/requests/{id}/documents/{number}/attachments");
    crate::auth::check_csrf(&state, &user, &headers, &path, &up.csrf).await?;
    let (_, request) = writable(&state, &user, &id, &number, "attachment.add").await?;
    if let Some(msg) = up.error {
        user.audit(&state, "attachment.add", &number, false, Some(msg.clone())).await;
        return crate::console::request_refused(&state, &user, &id, msg).await;
    }
    let added = gongkai_app::documents::attach(
        &state.store,
        &state.clock,
        &user.actor(),
        &request.agency,
        &request.tracking_number,
        &number,
        &up.file_name,
        &up.file,
    )
    .await;
    match added {
        Ok(_) => Ok(axum::response::Redirect::to(&format!("/console/requests/{id}?done=attachment")).into_response()),
        Err(e) => refused_or(&state, &user, &id, e).await,
    }
}

/// A refusal the clerk can act on is the request page with the reason; anything else an error.
async fn refused_or(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    e: gongkai_app::AppError,
) -> Result<Response, WebError> {
    match e {
        e @ (gongkai_app::AppError::Invalid { .. }
        | gongkai_app::AppError::Conflict(_)
        | gongkai_app::AppError::NotFound(_)) => crate::console::request_refused(state, user, id, e.to_string()).await,
        e => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct EmptyForm {}

/// `POST /console/requests/{id}/attachments/{attachment}/remove`: staff of the agency remove an
/// attachment of a reply not yet delivered.
pub(crate) async fn console_detach(
    State(state): State<AppState>,
    Path((id, attachment_id)): Path<(String, String)>,
    form: ConsoleForm<EmptyForm>,
) -> Result<Response, WebError> {
    let user = form.user;
    let (_, request) = writable(&state, &user, &id, &attachment_id, "attachment.remove").await?;
    let removed = gongkai_app::documents::detach(
        &state.store,
        &state.clock,
        &user.actor(),
        &request.agency,
        &request.tracking_number,
        &attachment_id,
    )
    .await;
    match removed {
        Ok(_) => {
            Ok(axum::response::Redirect::to(&format!("/console/requests/{id}?done=attachment-removed")).into_response())
        }
        Err(e) => refused_or(&state, &user, &id, e).await,
    }
}

/// `GET /console/requests/{id}/attachments/{attachment}`: the file, to staff who may read the
/// request's agency (others: 403).
pub(crate) async fn console_attachment(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((id, attachment_id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    if id.len() > 64 || attachment_id.len() > 64 {
        return Err(WebError::NotFound("附件"));
    }
    let rid = RequestId::from(id);
    let (request, _) = state.store.get_request(&rid).await?.ok_or(WebError::NotFound("申请"))?;
    user.require_read(&request.agency)?;
    let (meta, content) = state.store.attachment(&rid, &attachment_id).await?.ok_or(WebError::NotFound("附件"))?;
    Ok(file_download(&meta, content))
}

/// The applicant's attachment `id` of the request, if the code is right.
async fn applicant_attachment(
    state: &AppState,
    tracking_number: &str,
    code: &str,
    attachment_id: &str,
) -> Result<Response, WebError> {
    const NOT_FOUND: WebError = WebError::NotFound("该附件，或查询码不正确");
    if attachment_id.len() > 64 {
        return Err(NOT_FOUND);
    }
    let tracked =
        gongkai_app::filing::track(&state.store, &state.clock, &state.calendar, tracking_number, code).await?;
    let Some(t) = tracked else { return Err(NOT_FOUND) };
    if !t.attachments.iter().any(|a| a.id == attachment_id) {
        return Err(NOT_FOUND);
    }
    let Some(id) = state.store.find_request(&t.request.agency, &t.request.tracking_number).await? else {
        return Err(NOT_FOUND);
    };
    let (meta, content) = state.store.attachment(&id, attachment_id).await?.ok_or(NOT_FOUND)?;
    Ok(file_download(&meta, content))
}

/// `GET /api/v1/requests/{tracking_number}/attachments/{id}?code=…`: the file to the holder of
/// the query code; any other code, or another request's file, 404.
pub(crate) async fn api_attachment(
    State(state): State<AppState>,
    peer: PeerIp,
    Path((tracking_number, attachment_id)): Path<(String, String)>,
    Query(q): Query<CodeQuery>,
) -> Result<Response, WebError> {
    state.limiter.take(peer)?;
    applicant_attachment(&state, &tracking_number, &q.code, &attachment_id).await
}

/// The tracking page's download of an attachment (number, code and attachment posted).
#[derive(Debug, Deserialize)]
pub(crate) struct AttachmentForm {
    #[serde(default)]
    number: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    attachment: String,
}

/// `POST /track/attachment`: the tracking page's download of one attachment.
pub(crate) async fn track_attachment(
    State(state): State<AppState>,
    peer: PeerIp,
    Form(f): Form<AttachmentForm>,
) -> Result<Response, WebError> {
    state.limiter.take(peer)?;
    applicant_attachment(&state, &f.number, &f.code, &f.attachment).await
}

/// `GET /console/requests/{id}/archive?to=zip|pdf`: 归档下载 (Art. 45), the request's whole file,
/// to staff who may write for its agency (the file holds the applicant's data unmasked, as
/// 「查看」 does; audited as `request.archive`).
pub(crate) async fn console_archive(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<FormatQuery>,
) -> Result<Response, WebError> {
    if id.len() > 64 {
        return Err(WebError::NotFound("申请"));
    }
    let rid = RequestId::from(id);
    let (request, _) = state.store.get_request(&rid).await?.ok_or(WebError::NotFound("申请"))?;
    if let Err(e) = user.require_write(&request.agency) {
        user.audit(&state, "request.archive", &request.tracking_number, false, Some("not permitted".into())).await;
        return Err(e);
    }
    let zip = match q.to.as_str() {
        "zip" | "" => true,
        "pdf" => false,
        _ => return Err(WebError::NotFound("该格式")),
    };
    let file = gongkai_app::documents::case_file(
        &state.store,
        &state.clock,
        &state.calendar,
        &user.actor(),
        &request.agency,
        &request.tracking_number,
    )
    .await?;
    let fonts = crate::reports::fonts(&state).await?;
    let bytes = tokio::task::spawn_blocking(move || {
        if zip {
            gongkai_pdf::render_case_file_zip(&file, &fonts)
        } else {
            gongkai_pdf::render_case_file_pdf(&file, &fonts)
        }
    })
    .await
    .map_err(|e| WebError::Internal(format!("archive: {e}")))?
    .map_err(|e| WebError::Internal(format!("archive: {e}")))?;
    let (ext, content_type) = if zip { ("zip", "application/zip") } else { ("pdf", "application/pdf") };
    let name = file_name("archive", &request.agency, &ascii_tail(&request.tracking_number), ext);
    Ok(attachment(content_type, &name, bytes, Cache::Private))
}

/// A tracking number as a file name's tail (ASCII letters, digits and `-`; else `request`).
fn ascii_tail(s: &str) -> String {
    let t: String = s.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    if t.is_empty() {
        "request".into()
    } else {
        t
    }
}

/// `POST /console/requests/{id}/documents/{number}/email`: 电子邮件送达 — staff of the agency send
/// the document (with a reply's attachments) to the applicant's e-mail address through the
/// configured relay; the delivery is recorded when the relay accepts it. Without a relay: 409.
pub(crate) async fn console_email(
    State(state): State<AppState>,
    Path((id, number)): Path<(String, String)>,
    form: ConsoleForm<EmptyForm>,
) -> Result<Response, WebError> {
    let user = form.user;
    let (rid, request) = writable(&state, &user, &id, &number, "document.delivery").await?;
    let Some(mailer) = state.mailer.clone() else {
        return Err(WebError::Conflict("未配置 SMTP 邮件中继，不能以电子邮件送达；请联系系统管理员".into()));
    };
    let doc = state
        .store
        .list_documents(&rid)
        .await?
        .into_iter()
        .find(|d| d.number == number)
        .ok_or(WebError::NotFound("文书"))?;
    let fonts = crate::reports::fonts(&state).await?;
    let issued = issued(doc);
    let pdf = tokio::task::spawn_blocking(move || gongkai_pdf::render_document_pdf(&issued, &fonts))
        .await
        .map_err(|e| WebError::Internal(format!("document PDF: {e}")))?
        .map_err(|e| WebError::Internal(format!("document PDF: {e}")))?;
    let sent = gongkai_app::documents::send_by_email(
        &state.store,
        &state.clock,
        &user.actor(),
        &mailer,
        &request.agency,
        &request.tracking_number,
        &number,
        &pdf,
    )
    .await;
    match sent {
        Ok(_) => Ok(axum::response::Redirect::to(&format!("/console/requests/{id}?done=email")).into_response()),
        Err(e) => refused_or(&state, &user, &id, e).await,
    }
}

/// The console's correction form of one document.
#[derive(Debug, Deserialize)]
pub(crate) struct CorrectForm {
    #[serde(default)]
    reason: String,
    #[serde(default)]
    note: String,
    #[serde(default)]
    withheld_reason: String,
    #[serde(default)]
    other_agency: String,
}

/// `POST /console/requests/{id}/documents/{number}/correct`: staff of the agency issue a new
/// document correcting this one (C4), with the reason and, for a reply, what it says now.
pub(crate) async fn console_correct(
    State(state): State<AppState>,
    Path((id, number)): Path<(String, String)>,
    form: ConsoleForm<CorrectForm>,
) -> Result<Response, WebError> {
    let ConsoleForm { user, form: f } = form;
    let (_, request) = writable(&state, &user, &id, &number, "document.correct").await?;
    let withheld_reason = match f.withheld_reason.trim() {
        "" => None,
        r => match gongkai_core::casework::outcome_from_name(r)
            .filter(|r| gongkai_core::casework::is_withheld_reason(*r))
        {
            Some(r) => Some(r),
            None => {
                let msg = "不予公开的理由须为表三「（三）不予公开」中的一项".to_string();
                return crate::console::request_refused(&state, &user, &id, msg).await;
            }
        },
    };
    let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let particulars = gongkai_core::casework::Particulars {
        withheld_reason,
        other_agency: text(&f.other_agency),
        note: text(&f.note),
    };
    let docs = gongkai_app::documents::DocumentInput { templates: &state.templates, particulars: &particulars };
    let corrected = gongkai_app::documents::correct(
        &state.store,
        &state.calendar,
        &state.clock,
        &user.actor(),
        &docs,
        &request.agency,
        &request.tracking_number,
        &number,
        &f.reason,
    )
    .await;
    match corrected {
        Ok(_) => Ok(axum::response::Redirect::to(&format!("/console/requests/{id}?done=correction")).into_response()),
        Err(e @ gongkai_app::AppError::Refused(_)) => {
            crate::console::request_refused(&state, &user, &id, e.to_string()).await
        }
        Err(e) => refused_or(&state, &user, &id, e).await,
    }
}

/// The console's 送达回证 form: how the document goes.
#[derive(Debug, Deserialize)]
pub(crate) struct ServiceReceiptForm {
    #[serde(default)]
    method: String,
}

/// `POST /console/requests/{id}/documents/{number}/service-receipt`: staff of the agency issue the
/// 送达回证 of a document sent by post or handed over (C1.10), to print and have signed; the
/// request page then lists it with its downloads.
pub(crate) async fn console_service_receipt(
    State(state): State<AppState>,
    Path((id, number)): Path<(String, String)>,
    form: ConsoleForm<ServiceReceiptForm>,
) -> Result<Response, WebError> {
    let ConsoleForm { user, form: f } = form;
    let (_, request) = writable(&state, &user, &id, &number, "document.service_receipt").await?;
    let issued = gongkai_app::documents::service_receipt(
        &state.store,
        &state.clock,
        &user.actor(),
        &state.templates,
        &request.agency,
        &request.tracking_number,
        &number,
        &f.method,
        &user.user.username,
    )
    .await;
    match issued {
        Ok(_) => {
            Ok(axum::response::Redirect::to(&format!("/console/requests/{id}?done=service_receipt")).into_response())
        }
        Err(e) => refused_or(&state, &user, &id, e).await,
    }
}

/// The request `id` for a change by `user` to its document or attachment `key`: 404 for a path
/// too long or an unknown request; 403, audited as `audit_type`, for anyone but staff who may
/// write for its agency.
async fn writable(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    key: &str,
    audit_type: &str,
) -> Result<(RequestId, gongkai_core::register::Request), WebError> {
    if id.len() > 64 || key.chars().count() > 100 {
        return Err(WebError::NotFound("文书"));
    }
    let rid = RequestId::from(id.to_string());
    let (request, _) = state.store.get_request(&rid).await?.ok_or(WebError::NotFound("申请"))?;
    if let Err(e) = user.require_write(&request.agency) {
        user.audit(state, audit_type, key, false, Some("not permitted".into())).await;
        return Err(e);
    }
    Ok((rid, request))
}
