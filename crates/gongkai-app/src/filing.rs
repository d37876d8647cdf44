//! Filing a request online (网上申请) and following it (查询), for the public: the portal's form
//! and the JSON API both call these (spec A4.1/A4.2; Art. 29, 31, 33). The request is received
//! on the day it is filed in China (Art. 31(三)); the applicant gets a tracking number and a query
//! code, shown once — only the code's hash is stored.

use chrono::NaiveDate;
use gongkai_core::calendar::Calendar;
use gongkai_core::identity::IdDocumentType;
use gongkai_core::lifecycle::{self, Status};
use gongkai_core::register::{Applicant, ApplicantType, Channel, Event, Request};
use gongkai_store::{Store, StoreError};
use sha2::{Digest, Sha256};

use crate::{AppError, Clock};

/// A request as the applicant typed it on the form (fields already parsed: the choices are
/// among the form's, the texts trimmed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OnlineRequest {
    /// 申请人类型.
    pub applicant_type: ApplicantType,
    /// 姓名 / 名称.
    pub name: String,
    /// 证件类型.
    pub id_document_type: IdDocumentType,
    /// 证件号码.
    pub id_document: String,
    /// 联系方式.
    pub contact: String,
    /// 所需信息的内容描述.
    pub content: String,
    /// 获取信息的载体形式.
    pub form: String,
    /// 获取信息的方式.
    pub delivery: String,
}

/// What the applicant gets back once the request is registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filed {
    /// 受理编号 (unique over the site).
    pub tracking_number: String,
    /// 查询码: returned once; only its hash is stored.
    pub query_code: String,
    /// 收到申请之日.
    pub received: NaiveDate,
    /// 答复期限 (Art. 33: 20 working days).
    pub due: NaiveDate,
}

/// Unambiguous characters for codes read aloud or typed (no 0/O, 1/I).
const CODE_ALPHABET: &[u8; 32] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

fn random_code(len: usize) -> String {
    let mut out = String::with_capacity(len);
    while out.len() < len {
        for b in uuid::Uuid::new_v4().as_bytes() {
            // Version/variant nibbles of a v4 UUID are fixed; the low 5 bits of bytes 0–5 and 9–15
            // are random.
            if out.len() < len {
                out.push(char::from(CODE_ALPHABET[usize::from(b & 31)]));
            }
        }
    }
    out
}

/// The stored hash of a query code: SHA-256 over a domain tag, the tracking number and the code,
/// so equal codes of two requests hash differently.
pub fn query_code_hash(tracking_number: &str, code: &str) -> String {
    let mut h = Sha256::new();
    h.update(b"gongkai.query-code/1\0");
    h.update(tracking_number.as_bytes());
    h.update(b"\0");
    h.update(normalise_code(code).as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Codes are typed by people: ignore case, spaces and hyphens.
fn normalise_code(code: &str) -> String {
    code.chars().filter(|c| !c.is_whitespace() && *c != '-').map(|c| c.to_ascii_uppercase()).collect()
}

fn equal_ct(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Registers a request filed online for `agency`, received today (the clock's day in China),
/// after the core's checks of a request (as for every channel); answers with the tracking
/// number, the query code and the statutory due date.
pub async fn file(
    store: &Store,
    clock: &Clock,
    cal: &Calendar,
    agency: &str,
    online: OnlineRequest,
    templates: &gongkai_core::casework::Templates,
) -> Result<Filed, AppError> {
    let agency = crate::year::agency(store, agency).await?;
    // Received today in China, whatever the server's zone (Art. 31(三)).
    let received = clock.today();
    crate::agencies::check_receiving(store, &agency, received).await?;
    let agency = agency.code;
    let issuer = crate::documents::issuer(store, &agency).await?;
    // A tracking number collision is astronomically unlikely; retry a few times anyway.
    for _ in 0..4 {
        let tracking_number = format!("{}-{}", received.format("%Y%m%d"), random_code(8));
        let query_code = random_code(12);
        let request = Request {
            agency: agency.clone(),
            tracking_number: tracking_number.clone(),
            channel: Channel::Online,
            received_on: received,
            applicant: Applicant {
                id_document_type: Some(online.id_document_type),
                kind: online.applicant_type,
                name: online.name.clone(),
                id_document: Some(online.id_document.clone()),
                contact: Some(online.contact.clone()),
            },
            content: online.content.clone(),
            requested_form: Some(online.form.clone()),
            delivery: Some(online.delivery.clone()),
        };
        let request = request.validated(received).map_err(AppError::inputs)?;
        let state = lifecycle::replay(cal, &request, &[])
            .map_err(|e| AppError::Internal(format!("new request does not replay: {e}")))?;
        // Recorded in the audit trail with the request, in its transaction (issue 21 item 2): by
        // the public (no account), on the new tracking number.
        let filed = gongkai_store::AuditEvent {
            agency: Some(agency.clone()),
            event_type: "request.file_online".into(),
            success: true,
            ..gongkai_store::AuditEvent::default()
        };
        // C1.1: the 接收回执, written with the request.
        let receipt = gongkai_core::casework::compose_receipt(
            templates,
            &request,
            &state,
            &issuer.agency.name,
            issuer.settings.office_contact.as_deref(),
        )
        .map_err(|e| AppError::Internal(e.to_string()))?;
        let receipt = gongkai_store::DocumentWrite {
            document: &receipt,
            short_name: &issuer.short_name,
            addressee_is_applicant: true,
        };
        let audited = store.audited(filed, clock.now());
        match audited
            .file_online_request(&request, &query_code_hash(&tracking_number, &query_code), Some(receipt))
            .await
        {
            Ok(_) => {
                tracing::info!(%agency, %tracking_number, "request filed online");
                return Ok(Filed { tracking_number, query_code, received, due: state.deadline.due });
            }
            Err(StoreError::Conflict { .. }) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::Internal("could not allocate a tracking number".to_string()))
}

/// Where a request stands, as its applicant sees it with the query code.
#[derive(Debug, Clone, PartialEq)]
pub struct Tracking {
    /// The request (its agency, receipt date, …).
    pub request: Request,
    /// Its events (the replies among them).
    pub events: Vec<Event>,
    /// Its status today.
    pub status: Status,
    /// Its due date today (after corrections, extension and pauses).
    pub due: NaiveDate,
    /// Where it stands in words (待补正, 已延期, 征求意见中, 待缴费, 已答复, …).
    pub stage: &'static str,
    /// The documents its events issued, in order (delivered online behind the query code).
    pub documents: Vec<gongkai_store::StoredDocument>,
    /// The files that go with its replies (the information provided), without content.
    pub attachments: Vec<gongkai_store::StoredAttachment>,
}

/// Looks a request up by tracking number and query code. An unknown number and a wrong code are
/// the same `None` (never reveal that a number exists).
pub async fn track(
    store: &Store,
    clock: &Clock,
    cal: &Calendar,
    tracking_number: &str,
    code: &str,
) -> Result<Option<Tracking>, AppError> {
    let tracking_number = tracking_number.trim();
    if tracking_number.is_empty() || tracking_number.len() > 64 || code.len() > 64 {
        return Ok(None);
    }
    let Some(access) = store.get_request_access(tracking_number).await? else {
        // Hash anyway so that an unknown number takes as long as a wrong code.
        let _ = query_code_hash(tracking_number, code);
        return Ok(None);
    };
    if !equal_ct(&access.query_code_hash, &query_code_hash(tracking_number, code)) {
        return Ok(None);
    }
    let Some((request, events)) = store.get_request(&access.request).await? else {
        return Ok(None);
    };
    let st = lifecycle::replay(cal, &request, &events)
        .map_err(|e| AppError::Internal(format!("stored events do not replay: {e}")))?;
    let today = clock.today();
    let status = st.status(cal, today);
    let due = st.deadline_on(cal, today).map(|d| d.due).unwrap_or(st.deadline.due);
    let stage = gongkai_core::casework::stage_label(&st, status);
    let documents = store.list_documents(&access.request).await?;
    let attachments = store.list_attachments(&access.request).await?;
    Ok(Some(Tracking { request, events, status, due, stage, documents, attachments }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_use_the_unambiguous_alphabet_and_hash_per_request() {
        let c = random_code(12);
        assert_eq!(c.len(), 12);
        assert!(c.bytes().all(|b| CODE_ALPHABET.contains(&b)), "{c}");
        // Typed with spaces, hyphens or lower case, a code is the same code.
        assert_eq!(query_code_hash("N-1", "ABCD-EFGH"), query_code_hash("N-1", "abcd efgh"));
        // The same code of another request hashes differently.
        assert_ne!(query_code_hash("N-1", "ABCDEFGH"), query_code_hash("N-2", "ABCDEFGH"));
        assert!(equal_ct("abc", "abc") && !equal_ct("abc", "abd") && !equal_ct("abc", "ab"));
    }
}
