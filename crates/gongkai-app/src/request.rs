//! A request's course (依申请公开, Arts. 27–45): registering a request received by letter, post,
//! fax or in person (`register`, `gongkai request add`), and recording an event — a correction
//! notice, an extension, a consultation, a fee notice, a reply, a withdrawal — through one
//! function that the console's forms, the staff API and `gongkai request event` all call.

use gongkai_core::calendar::Calendar;
use gongkai_core::lifecycle::{self, event_name, RequestState};
use gongkai_core::register::{Event, Request};
use gongkai_store::{Amend, Amendment, AuditNote, EventWrite, RequestId, Store, StoreError};

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
/// agency, and a request of a published year unless `amend` gives the reason. Every attempt is
/// audited (`request.add`, the target the 受理编号). Who may register (roles) is the caller's.
pub async fn register(
    store: &Store,
    cal: &Calendar,
    clock: &Clock,
    actor: &Actor,
    request: Request,
    amend: Option<&Amend>,
) -> Result<Registered, AppError> {
    let target: String = request.tracking_number.trim().chars().take(64).collect();
    let outcome = register_checked(store, cal, clock, actor, request, amend).await;
    // A registration is audited in its own transaction (see below); a refusal here.
    if let Err(e) = &outcome {
        actor.audit(store, clock, "request.add", &target, false, Some(e.to_string())).await;
    }
    outcome
}

async fn register_checked(
    store: &Store,
    cal: &Calendar,
    clock: &Clock,
    actor: &Actor,
    request: Request,
    amend: Option<&Amend>,
) -> Result<Registered, AppError> {
    let mut request = request.validated(clock.today()).map_err(AppError::inputs)?;
    request.agency = crate::year::agency(store, &request.agency).await?.code;
    let state = lifecycle::replay(cal, &request, &[]).map_err(|e| AppError::Refused(e.to_string()))?;
    let event = actor.event("request.add", &request.tracking_number, true, Some(request.received_on.to_string()));
    let written = store.insert_request_audited(&request, amend, AuditNote { event: &event, at: clock.now() }).await;
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
}

/// The audit event type of recording `event` (`request.reply`, `request.extension`, …).
pub fn audit_event_type(event: &Event) -> String {
    format!("request.{}", event_name(&event.kind))
}

/// Records `event` on the request `id`.
///
/// The input is checked first ([`Event::validated`]: texts, bounds, not ahead of today), then the
/// lifecycle decides whether the event may follow the request's earlier ones (Arts. 30–33; its
/// refusal is the message), then the store writes it — refusing a change of a published year
/// unless `amend` gives the reason. Every attempt is audited, refused or not, with the actor.
/// Who may record which event (roles) is the caller's check, made before.
pub async fn record_event(
    store: &Store,
    cal: &Calendar,
    clock: &Clock,
    actor: &Actor,
    id: &RequestId,
    event: Event,
    amend: Option<&Amend>,
) -> Result<Recorded, AppError> {
    let Some((request, events)) = store.get_request(id).await? else {
        return Err(AppError::NotFound("该申请不存在".into()));
    };
    let audit_type = audit_event_type(&event);
    let outcome = checked(store, cal, clock, actor, id, &request, &events, event, amend).await;
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
    })
}

/// What [`checked`] wrote.
struct Written {
    event: Event,
    seq: i64,
    state: RequestState,
    new_warnings: Vec<String>,
    amendments: Vec<Amendment>,
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
) -> Result<Written, AppError> {
    let event = event.validated(clock.today()).map_err(|e| AppError::Invalid { field: e.field, message: e.message })?;
    let before = lifecycle::replay(cal, request, events)
        .map_err(|e| AppError::Internal(format!("已登记的事件无法通过校验：{e}")))?;
    // The core decides whether the transition is possible; its refusal is the message.
    let state = lifecycle::apply(cal, request, events, &event).map_err(|e| AppError::Refused(e.to_string()))?;
    // The decision holds only for the events it saw: the store refuses the write if another
    // event was stored since (two clerks, a double click), and writes the audit record with it.
    let audit = actor.event(&audit_event_type(&event), &request.tracking_number, true, Some(event.on.to_string()));
    let write = EventWrite { after: events.len(), audit: AuditNote { event: &audit, at: clock.now() } };
    let (seq, amendments) = store.append_event_checked(id, &event, amend, write).await.map_err(|e| match e {
        e @ StoreError::Locked { .. } => AppError::Locked(e.to_string()),
        e @ StoreError::Changed { .. } => AppError::Conflict(e.to_string()),
        e => AppError::Store(e),
    })?;
    let new_warnings = state.warnings.iter().skip(before.warnings.len()).cloned().collect();
    Ok(Written { event, seq, state, new_warnings, amendments })
}
