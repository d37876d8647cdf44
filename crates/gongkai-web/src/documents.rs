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
        .filter(|d| d.document.kind != DocumentKind::ConsultationLetter)
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
    if id.len() > 64 || number.chars().count() > 100 {
        return Err(WebError::NotFound("文书"));
    }
    let rid = RequestId::from(id.clone());
    let (request, _) = state.store.get_request(&rid).await?.ok_or(WebError::NotFound("申请"))?;
    if let Err(e) = user.require_write(&request.agency) {
        user.audit(&state, "document.delivery", &number, false, Some("not permitted".into())).await;
        return Err(e);
    }
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
