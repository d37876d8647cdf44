//! A request's course (依申请公开, Arts. 27–45): registering a request received by letter, post,
//! fax or in person (`register`, `gongkai request add`), and recording an event — a correction
//! notice, an extension, a consultation, a fee notice, a reply, a withdrawal — through one
//! function that the console's forms, the staff API and `gongkai request event` all call.

use gongkai_core::calendar::Calendar;
use gongkai_core::casework::{self, Document, DocumentKind};
use gongkai_core::lifecycle::{self, event_name, RequestState};
use gongkai_core::register::{Event, EventKind, Request};
use gongkai_store::{Amend, Amendment, AuditNote, DocumentWrite, EventWrite, RequestId, Store, StoreError};

use crate::documents::DocumentInput;
use crate::{Actor, AppError, Clock};

/// A request as registered.
#[derive(Debug, Clone)]
pub struct Registered {
    /// The request (its texts trimmed).
    pub request: Request,
    /// Its state on registration: the statutory due date (Art. 33) among it.
    pub state: RequestState,
    /// The amendments recorded when it changed a published year (with `amend`).
    pub amendments: Vec<Amendment>,
}

/// Registers `request`, received on `request.received_on` (Art. 31).
///
/// The input is checked first ([`Request::validated`]: every problem at once), then the agency
/// must exist and the lifecycle must accept the request (its due date computable with the
/// calendar), then the store writes it — refusing a second request with the same 受理编号 in the
/// agency, and a request of a published year unless `amend` gives the reason — with its 接收回执
/// (casework-documents.md C1.1) from `templates`, in the same write. Every attempt is audited
/// (`request.add`, the target the 受理编号). Who may register (roles) is the caller's.
#[allow(clippy::too_many_arguments)]
pub async fn register(
    store: &Store,
    cal: &Calendar,
    clock: &Clock,
    actor: &Actor,
    request: Request,
    amend: Option<&Amend>,
    templates: &casework::Templates,
) -> Result<Registered, AppError> {
    let target: String = request.tracking_number.trim().chars().take(64).collect();
    let outcome = register_checked(store, cal, clock, actor, request, amend, templates).await;
    // A registration is audited in its own transaction (see below); a refusal here.
    if let Err(e) = &outcome {
        actor.audit(store, clock, "request.add", &target, false, Some(e.to_string())).await;
    }
    outcome
}

#[allow(clippy::too_many_arguments)]
async fn register_checked(
    store: &Store,
    cal: &Calendar,
    clock: &Clock,
    actor: &Actor,
    request: Request,
    amend: Option<&Amend>,
    templates: &casework::Templates,
) -> Result<Registered, AppError> {
    let mut request = request.validated(clock.today()).map_err(AppError::inputs)?;
    let agency = crate::year::agency(store, &request.agency).await?;
    crate::agencies::check_receiving(store, &agency, request.received_on).await?;
    request.agency = agency.code;
    let state = lifecycle::replay(cal, &request, &[]).map_err(|e| AppError::Refused(e.to_string()))?;
    let issuer = crate::documents::issuer(store, &request.agency).await?;
    let receipt = casework::compose_receipt(
        templates,
        &request,
        &state,
        &issuer.agency.name,
        issuer.settings.office_contact.as_deref(),
    )
    .map_err(|e| AppError::Internal(e.to_string()))?;
    let receipt_write =
        DocumentWrite { document: &receipt, short_name: &issuer.short_name, addressee_is_applicant: true };
    let event = actor.event("request.add", &request.tracking_number, true, Some(request.received_on.to_string()));
    let written = store
        .insert_request_audited(&request, amend, AuditNote { event: &event, at: clock.now() }, Some(receipt_write))
        .await;
    let (_, amendments) = written.map_err(|e| match e {
        StoreError::Conflict { .. } => {
            AppError::Conflict(format!("受理编号 {} 已登记，不能重复登记", request.tracking_number))
        }
        e @ StoreError::Locked { .. } => AppError::Locked(e.to_string()),
        e => AppError::Store(e),
    })?;
    Ok(Registered { request, state, amendments })
}

/// An event as stored, with what it changed.
#[derive(Debug, Clone)]
pub struct Recorded {
    /// The request.
    pub request: Request,
    /// The event as stored (its texts trimmed).
    pub event: Event,
    /// Its position in the request's events.
    pub seq: i64,
    /// The request's state after it.
    pub state: RequestState,
    /// The lifecycle's warnings the event added (e.g. a late correction notice).
    pub new_warnings: Vec<String>,
    /// The amendments recorded when the event changed a published year (with `amend`).
    pub amendments: Vec<Amendment>,
    /// The document the event issued (casework-documents.md C1), with its 文号.
    pub document: Option<(DocumentKind, String)>,
}

/// The audit event type of recording `event` (`request.reply`, `request.extension`, …).
pub fn audit_event_type(event: &Event) -> String {
    format!("request.{}", event_name(&event.kind))
}

/// Records `event` on the request `id`, issuing its document.
///
/// The input is checked first ([`Event::validated`]: texts, bounds, not ahead of today), then the
/// lifecycle decides whether the event may follow the request's earlier ones (Arts. 30–33; its
/// refusal is the message), then the document the event issues (a notice, a reply: C1) is
/// composed from the templates in `docs` — a reply missing what its outcome must say (C2) is
/// refused here —, then the store writes event and document in one transaction, assigning the
/// 文号 (C4) — refusing a change of a published year
/// unless `amend` gives the reason. Every attempt is audited, refused or not, with the actor.
/// Who may record which event (roles) is the caller's check, made before.
#[allow(clippy::too_many_arguments)]
pub async fn record_event(
    store: &Store,
    cal: &Calendar,
    clock: &Clock,
    actor: &Actor,
    id: &RequestId,
    event: Event,
    amend: Option<&Amend>,
    docs: &DocumentInput<'_>,
) -> Result<Recorded, AppError> {
    let Some((request, events)) = store.get_request(id).await? else {
        return Err(AppError::NotFound("该申请不存在".into()));
    };
    let audit_type = audit_event_type(&event);
    let outcome = checked(store, cal, clock, actor, id, &request, &events, event, amend, docs).await;
    // A stored event is audited in its own transaction (see `checked`); a refusal here.
    if let Err(e) = &outcome {
        actor.audit(store, clock, &audit_type, &request.tracking_number, false, Some(e.to_string())).await;
    }
    outcome.map(|w| Recorded {
        request,
        event: w.event,
        seq: w.seq,
        state: w.state,
        new_warnings: w.new_warnings,
        amendments: w.amendments,
        document: w.document,
    })
}

/// What [`checked`] wrote.
struct Written {
    event: Event,
    seq: i64,
    state: RequestState,
    new_warnings: Vec<String>,
    amendments: Vec<Amendment>,
    document: Option<(DocumentKind, String)>,
}

/// What recording an event would do, decided before anything is written.
struct Composed {
    /// The event as it will be stored (a reply's 文号 left to the store).
    event: Event,
    /// The request's state before it.
    before: RequestState,
    /// The request's state after it.
    state: RequestState,
    /// The document it issues.
    document: Option<Document>,
    /// Who issues it.
    issuer: crate::documents::Issuer,
}

/// The checks of [`record_event`] and the document the event issues, composed — nothing written.
#[allow(clippy::too_many_arguments)]
async fn compose_event(
    store: &Store,
    cal: &Calendar,
    clock: &Clock,
    request: &Request,
    events: &[Event],
    event: Event,
    docs: &DocumentInput<'_>,
) -> Result<Composed, AppError> {
    let event = event.validated(clock.today()).map_err(|e| AppError::Invalid { field: e.field, message: e.message })?;
    let before = lifecycle::replay(cal, request, events)
        .map_err(|e| AppError::Internal(format!("已登记的事件无法通过校验：{e}")))?;
    // The core decides whether the transition is possible; its refusal is the message.
    let state = lifecycle::apply(cal, request, events, &event).map_err(|e| AppError::Refused(e.to_string()))?;
    // The document comes from the event and the state after it (C4): the register, the
    // document and the annual report cannot disagree.
    let issuer = crate::documents::issuer(store, &request.agency).await?;
    let due_before = before.deadline_on(cal, event.on).map_or(before.deadline.due, |d| d.due);
    let ctx = casework::Context {
        request,
        event: &event,
        state: &state,
        due_before,
        agency_name: &issuer.agency.name,
        office_contact: issuer.settings.office_contact.as_deref(),
        remedy: &issuer.remedy,
        particulars: docs.particulars,
    };
    let document = casework::compose(docs.templates, &ctx).map_err(|e| AppError::Refused(e.to_string()))?;
    // A reply's 文号 is assigned, never typed (the contract of `request event reply`).
    let event = match (&document, event.kind) {
        (Some(_), EventKind::Reply { outcome, .. }) => {
            Event { kind: EventKind::Reply { outcome, document: None }, ..event }
        }
        (_, kind) => Event { kind, ..event },
    };
    Ok(Composed { event, before, state, document, issuer })
}

/// The document the `index`-th event (0-based) of the request issued, composed again from the
/// register as it stood then, with the templates and particulars of `docs` (a correction, C4).
pub(crate) async fn compose_again(
    store: &Store,
    cal: &Calendar,
    clock: &Clock,
    request: &Request,
    events: &[Event],
    index: usize,
    docs: &DocumentInput<'_>,
) -> Result<Option<Document>, AppError> {
    let Some(event) = events.get(index).cloned() else {
        return Err(AppError::Internal(format!("文书所属的第 {} 个办理事件不存在", index + 1)));
    };
    let event = match event.kind {
        EventKind::Reply { outcome, .. } => Event { kind: EventKind::Reply { outcome, document: None }, ..event },
        kind => Event { kind, ..event },
    };
    Ok(compose_event(store, cal, clock, request, &events[..index], event, docs).await?.document)
}

/// 预览 (issue 17 item 9): the document recording `event` on the request `id` would issue,
/// composed exactly as [`record_event`] composes it — the same checks, the same templates, the
/// same refusals — with nothing written and nothing audited; its 文号 is assigned only when it
/// is issued. `None` for an event that issues no document.
pub async fn preview_event(
    store: &Store,
    cal: &Calendar,
    clock: &Clock,
    id: &RequestId,
    event: Event,
    docs: &DocumentInput<'_>,
) -> Result<Option<Document>, AppError> {
    let Some((request, events)) = store.get_request(id).await? else {
        return Err(AppError::NotFound("该申请不存在".into()));
    };
    Ok(compose_event(store, cal, clock, &request, &events, event, docs).await?.document)
}

#[allow(clippy::too_many_arguments)]
async fn checked(
    store: &Store,
    cal: &Calendar,
    clock: &Clock,
    actor: &Actor,
    id: &RequestId,
    request: &Request,
    events: &[Event],
    event: Event,
    amend: Option<&Amend>,
    docs: &DocumentInput<'_>,
) -> Result<Written, AppError> {
    let Composed { event, before, state, document, issuer } =
        compose_event(store, cal, clock, request, events, event, docs).await?;
    // The decision holds only for the events it saw: the store refuses the write if another
    // event was stored since (two clerks, a double click), and writes the audit record with it.
    let audit = actor.event(&audit_event_type(&event), &request.tracking_number, true, Some(event.on.to_string()));
    let document_write = document.as_ref().map(|d| DocumentWrite {
        document: d,
        short_name: &issuer.short_name,
        addressee_is_applicant: d.addressee == request.applicant.name,
    });
    let write = EventWrite {
        after: events.len(),
        audit: AuditNote { event: &audit, at: clock.now() },
        document: document_write,
    };
    let appended = store.append_event_checked(id, &event, amend, write).await.map_err(|e| match e {
        e @ StoreError::Locked { .. } => AppError::Locked(e.to_string()),
        e @ StoreError::Changed { .. } => AppError::Conflict(e.to_string()),
        e => AppError::Store(e),
    })?;
    let new_warnings = state.warnings.iter().skip(before.warnings.len()).cloned().collect();
    let document = document.zip(appended.document_number.clone()).map(|(d, n)| (d.kind, n));
    let event = match (&document, event.kind) {
        (Some((_, number)), EventKind::Reply { outcome, .. }) => {
            Event { kind: EventKind::Reply { outcome, document: Some(number.clone()) }, ..event }
        }
        (_, kind) => Event { kind, ..event },
    };
    Ok(Written { event, seq: appended.seq, state, new_warnings, amendments: appended.amendments, document })
}
