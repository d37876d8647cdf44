//! The office console (政府信息公开工作平台; issue 7 item 3), behind login ([`crate::auth`]).
//!
//! Server-rendered, zh-CN, works without JavaScript. Every handler takes [`CurrentUser`] (or
//! [`ConsoleForm`] for a POST, which also checks the CSRF token) and checks the object's agency
//! against the user's scope before reading or writing it (ASVS 8.2.2: no object is reachable by
//! guessing its id). Every write is audited (B2.3, B6), success or failure.
//!
//! - `/console/requests`: the inbox — overdue first, then due soon, then open, each with its due
//!   date; the applicant's identity document and phone masked 3+4 (B4.6); searched (number,
//!   applicant, content), filtered by status and year, 已办结 in pages of 50.
//! - `/console/requests/{id}`: one request — timeline, due date with its day-by-day explanation
//!   (the clock's trail), and a form for each action the register allows now; a refused action
//!   shows the core's refusal message. 「查看」 shows the full applicant data, audited (B4.6).
//! - `/console/reports/{agency}/{year}`: the annual report workspace — the generated tables, the
//!   findings of the rule check, the narrative sections, publication (approver) with the period
//!   lock, and links to the exports.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::{Datelike, NaiveDate};
use gongkai_app::documents::DocumentInput;
use gongkai_app::AppError;
use gongkai_core::casework::Particulars;
use gongkai_core::fees;
use gongkai_core::lifecycle::{self, event_detail, event_label, event_name, outcome_label, RequestState, Status};
use gongkai_core::masking::{mask_3_4, mask_contact, mask_name};
use gongkai_core::register::{Agency, Event, EventKind, FeeMethod, Request};
use gongkai_core::report::{Amount, RequestRow, SectionKey};
use gongkai_core::rules::Severity;
use gongkai_core::template;
use gongkai_store::{RequestFilter, RequestId, StoreError};
use serde::Deserialize;

use crate::auth::{ConsoleForm, CurrentUser, Scope};
use crate::error::WebError;
use crate::layout::{render, Chrome};
use crate::AppState;

/// The console routes, merged into [`crate::router`].
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console", get(|| async { Redirect::to("/console/requests") }))
        .route("/console/requests", get(inbox))
        .route("/console/requests/{id}", get(request_page))
        .route("/console/requests/{id}/events", post(add_event))
        .route("/console/requests/{id}/reveal", post(reveal))
        .route("/console/requests/{id}/documents/{number}", get(crate::documents::console_document))
        .route("/console/requests/{id}/documents/{number}/delivery", post(crate::documents::console_delivery))
        .route("/console/requests/{id}/attachments/{attachment}", get(crate::documents::console_attachment))
        .route("/console/requests/{id}/archive", get(crate::documents::console_archive))
        .route("/console/requests/{id}/documents/{number}/email", post(crate::documents::console_email))
        .route("/console/requests/{id}/documents/{number}/correct", post(crate::documents::console_correct))
        .route(
            "/console/requests/{id}/documents/{number}/service-receipt",
            post(crate::documents::console_service_receipt),
        )
        .route("/console/requests/{id}/attachments/{attachment}/remove", post(crate::documents::console_detach))
        .route("/console/reports", get(reports_index))
        .route("/console/reports/{agency}/{year}", get(report_workspace))
        .route("/console/reports/{agency}/{year}/narrative", post(save_narrative))
        .route("/console/reports/{agency}/{year}/publish", get(publish_check).post(publish))
        .route("/console/password", get(password_page).post(change_password))
        .route("/console/audit", get(audit_page))
}

/// What the console's page chrome shows about the user (name, role, logout form).
#[derive(Debug, Clone)]
pub(crate) struct Me {
    /// The username.
    pub username: String,
    /// The role's Chinese name.
    pub role: &'static str,
    /// The user's agency.
    pub agency: String,
    /// The session's CSRF token for this page's forms.
    pub csrf: String,
}

impl Me {
    pub(crate) fn of(u: &CurrentUser) -> Me {
        Me {
            username: u.user.username.clone(),
            role: u.user.role.label_zh(),
            agency: u.user.agency.clone(),
            csrf: u.csrf.clone(),
        }
    }
}

pub(crate) fn chrome(state: &AppState, title: impl Into<String>) -> Chrome {
    let mut c = Chrome::new(&state.site, title, "政府信息公开工作平台");
    c.breadcrumbs = vec![("/console".to_string(), "工作平台".to_string())];
    c
}

/// A console page: `no-store` (it holds personal information, ASVS 14.3.2).
pub(crate) fn page<T: Template>(t: &T, status: StatusCode) -> Result<Response, WebError> {
    let html = render(t)?;
    let mut r = (status, html).into_response();
    r.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    Ok(r)
}

// ---------------------------------------------------------------------------------------------
// Inbox

/// The inbox's search, filters and page (issue 19 item 2), kept in the address so that a
/// filtered view can be bookmarked and the pager keeps it.
#[derive(Debug, Default, Deserialize)]
struct InboxQuery {
    agency: Option<String>,
    /// 检索: part of a tracking number, of an applicant's name or of the content.
    #[serde(default)]
    q: String,
    /// `overdue`, `due_soon`, `open` (every request not finished), `finished`, or empty for all.
    #[serde(default)]
    status: String,
    /// The year received, or empty for every year.
    #[serde(default)]
    year: String,
    /// A category of table 3's outcomes (`granted`, `withheld`, `unable`, …), or empty for all.
    #[serde(default)]
    outcome: String,
    /// The page of 已办结 (from 1).
    #[serde(default)]
    page: String,
}

/// Finished requests per page of the inbox.
const FINISHED_PER_PAGE: usize = 50;

/// The status filter's choices: (value, label).
const STATUS_FILTERS: [(&str, &str); 5] =
    [("", "全部"), ("overdue", "已逾期"), ("due_soon", "即将到期"), ("open", "办理中（全部）"), ("finished", "已办结")];

/// The outcome filter's choices: (the category of the outcome's glossary name, table 3's words
/// for it), in table order — （一）予以公开 … （六）其他处理.
fn outcome_filters() -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&'static str, &'static str)> = Vec::new();
    for leaf in lifecycle::outcome_leaves() {
        let category = outcome_category(leaf);
        if !out.iter().any(|(c, _)| *c == category) {
            let spec = gongkai_core::template::t3_row(leaf);
            out.push((category, spec.group.map_or(spec.label, |g| g.label())));
        }
    }
    out
}

/// The category of an outcome: its glossary name before the dot (`withheld.state_secret` →
/// `withheld`).
fn outcome_category(row: gongkai_core::report::RequestRow) -> &'static str {
    let name = gongkai_core::casework::outcome_name(row);
    name.split('.').next().unwrap_or(name)
}

/// Whether a request's status passes the status filter `f` (an unknown value passes all).
fn status_passes(f: &str, status: Status) -> bool {
    match f {
        "overdue" => status == Status::Overdue,
        "due_soon" => status == Status::DueSoon,
        "open" => matches!(status, Status::Open | Status::DueSoon | Status::Overdue),
        "finished" => matches!(status, Status::Replied | Status::Withdrawn),
        _ => true,
    }
}

/// One row of the inbox.
struct InboxRow {
    id: String,
    number: String,
    received: NaiveDate,
    applicant_type: &'static str,
    name: String,
    id_document: String,
    contact: String,
    content: String,
    status: Status,
    due: Option<NaiveDate>,
    estimated: bool,
    invalid: Option<String>,
    /// The table-3 row a finished request counts in.
    outcome: Option<gongkai_core::report::RequestRow>,
}

impl InboxRow {
    /// The outcome in table 3's words, empty while open.
    fn outcome_label(&self) -> String {
        self.outcome.map(outcome_label).unwrap_or_default()
    }

    fn status_class(&self) -> &'static str {
        self.status.name()
    }
}

#[derive(Template)]
#[template(path = "console/inbox.html")]
struct InboxPage {
    chrome: Chrome,
    me: Me,
    agency: Agency,
    agencies: Vec<Agency>,
    today: NaiveDate,
    open: Vec<InboxRow>,
    finished: Vec<InboxRow>,
    /// The filters as given.
    q: String,
    status: String,
    year: String,
    outcome: String,
    statuses: Vec<(&'static str, &'static str)>,
    outcomes: Vec<(&'static str, &'static str)>,
    /// The years requests were received in, newest first (the year filter's choices).
    years: Vec<i32>,
    /// How many finished requests match, and this page of them: (page, pages).
    finished_total: usize,
    finished_page: (usize, usize),
    /// The pager's links (previous, next), the filters kept.
    previous: Option<String>,
    next: Option<String>,
}

/// The agencies a user may pick in the console (their scope), in tree order.
async fn readable_agencies(state: &AppState, user: &CurrentUser) -> Result<Vec<Agency>, WebError> {
    Ok(match &user.scope {
        Scope::Own => state.store.get_agency(user.agency()).await?.into_iter().collect(),
        Scope::Subtree(_) => {
            let mut v: Vec<Agency> = state.store.get_agency(user.agency()).await?.into_iter().collect();
            v.extend(state.store.agency_subtree(user.agency()).await?.into_iter().filter(|a| a.code != user.agency()));
            v
        }
        Scope::All => state.store.list_agencies().await?,
        Scope::Nothing => Vec::new(),
    })
}

async fn agency_in_scope(state: &AppState, user: &CurrentUser, code: Option<&str>) -> Result<Agency, WebError> {
    let code = code.filter(|c| !c.is_empty()).unwrap_or(user.agency());
    user.require_read(code)?;
    state.store.get_agency(code).await?.ok_or(WebError::NotFound("机关"))
}

fn applicant_type_label(r: &Request) -> &'static str {
    template::column_label(r.applicant.kind.column())
}

fn status_rank(s: Status) -> u8 {
    match s {
        Status::Overdue => 0,
        Status::DueSoon => 1,
        Status::Open => 2,
        Status::Replied | Status::Withdrawn => 3,
    }
}

async fn inbox(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<InboxQuery>,
) -> Result<Response, WebError> {
    let agency = agency_in_scope(&state, &user, q.agency.as_deref()).await?;
    let agencies = readable_agencies(&state, &user).await?;
    let today = state.clock.today();
    let histories = state.store.list_request_histories(&agency.code, RequestFilter::All).await?;
    let mut years: Vec<i32> = histories.iter().map(|(_, r, _)| r.received_on.year()).collect();
    years.sort_unstable_by(|a, b| b.cmp(a));
    years.dedup();
    let search = q.q.trim().to_string();
    let year: Option<i32> = q.year.trim().parse().ok();
    let status_filter = q.status.trim().to_string();
    let outcome_filter = q.outcome.trim().to_string();
    let cal = std::sync::Arc::clone(&state.calendar);
    // Replaying every request is CPU work: off the async workers.
    let (needle, wanted, wanted_outcome) = (search.clone(), status_filter.clone(), outcome_filter.clone());
    let rows = tokio::task::spawn_blocking(move || {
        histories
            .into_iter()
            // The search matches the whole number, name and content, before any masking.
            .filter(|(_, r, _)| {
                needle.is_empty()
                    || r.tracking_number.contains(&needle)
                    || r.applicant.name.contains(&needle)
                    || r.content.contains(&needle)
            })
            .filter(|(_, r, _)| year.is_none_or(|y| r.received_on.year() == y))
            .map(|(id, r, events)| {
                let (status, due, estimated, invalid, outcome) = match lifecycle::replay(&cal, &r, &events) {
                    Ok(state) => {
                        let d = state.deadline_on(&cal, today).unwrap_or_else(|_| state.deadline.clone());
                        (state.status(&cal, today), Some(d.due), d.estimated, None, state.outcome)
                    }
                    Err(e) => (Status::Open, None, false, Some(e.to_string()), None),
                };
                InboxRow {
                    id: id.to_string(),
                    number: r.tracking_number.clone(),
                    received: r.received_on,
                    applicant_type: applicant_type_label(&r),
                    name: mask_name(&r.applicant.name),
                    id_document: r.applicant.id_document.as_deref().map(mask_3_4).unwrap_or_default(),
                    contact: r.applicant.contact.as_deref().map(mask_contact).unwrap_or_default(),
                    content: r.content.chars().take(40).collect(),
                    status,
                    due,
                    estimated,
                    invalid,
                    outcome,
                }
            })
            .filter(|row| status_passes(&wanted, row.status))
            .filter(|row| {
                wanted_outcome.is_empty() || row.outcome.is_some_and(|o| outcome_category(o) == wanted_outcome)
            })
            .collect::<Vec<_>>()
    })
    .await
    .map_err(|e| WebError::Internal(format!("inbox task: {e}")))?;
    let (mut open, mut finished): (Vec<_>, Vec<_>) =
        rows.into_iter().partition(|r| matches!(r.status, Status::Overdue | Status::DueSoon | Status::Open));
    // Overdue first, then due soon, then open; the earliest due date first within each.
    open.sort_by(|a, b| (status_rank(a.status), a.due, &a.number).cmp(&(status_rank(b.status), b.due, &b.number)));
    finished.sort_by(|a, b| (b.received, &b.number).cmp(&(a.received, &a.number)));
    // 已办结 in pages, newest first; the page asked for, within the pages there are.
    let finished_total = finished.len();
    let pages = finished_total.div_ceil(FINISHED_PER_PAGE).max(1);
    let current = q.page.trim().parse::<usize>().unwrap_or(1).clamp(1, pages);
    let finished: Vec<InboxRow> =
        finished.into_iter().skip((current - 1) * FINISHED_PER_PAGE).take(FINISHED_PER_PAGE).collect();
    let link = |page: usize| {
        let mut href = format!("/console/requests?agency={}", crate::auth::url_encode(&agency.code));
        for (key, value) in [
            ("q", search.as_str()),
            ("status", status_filter.as_str()),
            ("year", q.year.trim()),
            ("outcome", outcome_filter.as_str()),
        ] {
            if !value.is_empty() {
                href.push_str(&format!("&{key}={}", crate::auth::url_encode(value)));
            }
        }
        format!("{href}&page={page}")
    };
    let (previous, next) = ((current > 1).then(|| link(current - 1)), (current < pages).then(|| link(current + 1)));
    page(
        &InboxPage {
            chrome: chrome(&state, format!("依申请公开收件箱：{}", agency.name)),
            me: Me::of(&user),
            agency,
            agencies,
            today,
            open,
            finished,
            q: search,
            status: status_filter,
            year: q.year.trim().to_string(),
            outcome: outcome_filter,
            statuses: STATUS_FILTERS.to_vec(),
            outcomes: outcome_filters(),
            years,
            finished_total,
            finished_page: (current, pages),
            previous,
            next,
        },
        StatusCode::OK,
    )
}

// ---------------------------------------------------------------------------------------------
// One request

/// One action form offered on the request page.
struct ActionForm {
    /// The `action` value (the event's glossary name).
    action: &'static str,
    /// Its Chinese name.
    label: &'static str,
    /// Whether it issues a document (C1), which can be previewed before it is issued.
    issues_document: bool,
}

/// A document as it would be issued, shown before the clerk issues it (issue 17 item 9).
pub(crate) struct PreviewView {
    /// The document's name (补正告知书, 答复书, …).
    label: &'static str,
    /// The document as an HTML fragment.
    html: String,
    /// The form's fields, posted again when the clerk issues it.
    fields: Vec<(&'static str, String)>,
}

struct TimelineEntry {
    on: NaiveDate,
    label: &'static str,
    by: String,
    detail: String,
    /// The due date as it stood after the event (「答复期限 …」, 「待补正：…」), empty once finished.
    due: String,
}

#[derive(Template)]
#[template(path = "console/request.html")]
struct RequestPage {
    chrome: Chrome,
    me: Me,
    id: String,
    request: Request,
    agency_name: String,
    applicant_type: &'static str,
    /// 获取形式 / 获取方式 in Chinese (stored as the glossary's English values).
    form: Option<String>,
    delivery: Option<String>,
    name: String,
    id_document: String,
    contact: String,
    revealed: bool,
    can_reveal: bool,
    /// The agency's other requests by the same applicant (same identity document number, found
    /// by its blind index, B3.3): Art. 35 lets the office ask an applicant whose requests are
    /// clearly beyond a reasonable number or frequency to give reasons.
    same_applicant: Vec<SameApplicant>,
    today: NaiveDate,
    status: Option<Status>,
    due: Option<NaiveDate>,
    original_due: Option<NaiveDate>,
    estimated: bool,
    explanation: Vec<String>,
    correction_notice_due: Option<NaiveDate>,
    timeline: Vec<TimelineEntry>,
    warnings: Vec<String>,
    invalid: Option<String>,
    actions: Vec<ActionForm>,
    outcomes: Vec<(String, String)>,
    /// The 不予公开 reasons a partial disclosure's withheld part may give (C2).
    withheld_reasons: Vec<(&'static str, String)>,
    /// The documents the request's events issued (C1), in order.
    documents: Vec<DocumentRow>,
    /// Whether the user may record deliveries (staff of the agency).
    can_deliver: bool,
    /// Whether documents can be sent by e-mail (a relay is configured and the applicant left an
    /// e-mail address).
    can_email: bool,
    /// The delivery methods (name, label).
    delivery_methods: &'static [(&'static str, &'static str)],
    error: Option<String>,
    notice: Option<String>,
    /// The document an action would issue, when the clerk asked to preview it.
    preview: Option<PreviewView>,
}

/// One issued document in the request page's list.
struct DocumentRow {
    number: String,
    label: &'static str,
    issued_on: NaiveDate,
    delivery: String,
    delivered_on: Option<NaiveDate>,
    /// Whether files may be attached now (a reply providing information, not yet delivered).
    can_attach: bool,
    /// Its attachments.
    attachments: Vec<AttachmentRow>,
    /// The 文号 of the document that corrected it, if any.
    superseded_by: Option<String>,
    /// Whether it can be corrected now (issued by an event, not yet corrected, staff of the agency).
    can_correct: bool,
    /// Whether it is a reply (its correction form asks what the reply says).
    is_reply: bool,
}

/// One attachment of a document in the request page's list.
struct AttachmentRow {
    id: String,
    file_name: String,
    size: String,
    sha256: String,
    /// Its first 12 hex digits, for the eye (the whole in the title).
    sha256_short: String,
}

/// One of the applicant's other requests (tracking number, receipt date), linked.
struct SameApplicant {
    id: String,
    number: String,
    received: NaiveDate,
}

fn outcome_path(r: RequestRow) -> &'static str {
    template::t3_row(r).path
}

/// The actions the register allows now: each is tried on the core's lifecycle with a
/// representative event dated `on`; the role decides the rest (extension: approver only).
fn allowed_actions(
    state: &AppState,
    user: &CurrentUser,
    request: &Request,
    events: &[Event],
    on: NaiveDate,
) -> Vec<ActionForm> {
    if !user.can_write(&request.agency) {
        return Vec::new();
    }
    let by = user.user.username.clone();
    let mut candidates: Vec<(&'static str, EventKind)> = vec![
        ("correction_notice", EventKind::CorrectionNotice { note: "-".into(), period_days: 15 }),
        ("correction_received", EventKind::CorrectionReceived),
        ("extension", EventKind::Extension { approver: by.clone(), reason: "-".into() }),
        ("consultation_sent", EventKind::ConsultationSent { party: "-".into() }),
        ("consultation_answered", EventKind::ConsultationAnswered),
        ("fee_paid", EventKind::FeePaid),
        ("reply", EventKind::Reply { outcome: RequestRow::Granted, document: None }),
        ("withdrawal", EventKind::Withdrawal),
    ];
    if let Ok(zero) = Amount::parse("0") {
        let fee = EventKind::FeeNotice { method: FeeMethod::PerPage, units: 1, amount_yuan: zero };
        candidates.insert(5, ("fee_notice", fee));
    }
    candidates
        .into_iter()
        .filter(|(name, _)| *name != "extension" || user.can_approve(&request.agency))
        .filter(|(_, kind)| {
            let e = Event { on, by: by.clone(), kind: kind.clone() };
            lifecycle::apply(&state.calendar, request, events, &e).is_ok()
        })
        .map(|(action, kind)| ActionForm {
            action,
            label: event_label(&kind),
            issues_document: matches!(
                kind,
                EventKind::CorrectionNotice { .. }
                    | EventKind::Extension { .. }
                    | EventKind::ConsultationSent { .. }
                    | EventKind::FeeNotice { .. }
                    | EventKind::Reply { .. }
            ),
        })
        .collect()
}

async fn load_request(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
) -> Result<(RequestId, Request, Vec<Event>), WebError> {
    if id.len() > 64 {
        return Err(WebError::NotFound("申请"));
    }
    let rid = RequestId::from(id.to_string());
    let (request, events) = state.store.get_request(&rid).await?.ok_or(WebError::NotFound("申请"))?;
    // Outside the scope looks like "not found" would leak existence; a 403 names the rule.
    user.require_read(&request.agency)?;
    Ok((rid, request, events))
}

async fn request_view(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    revealed: bool,
    error: Option<String>,
    notice: Option<String>,
) -> Result<RequestPage, WebError> {
    let (rid, request, events) = load_request(state, user, id).await?;
    let agency_name = state.store.get_agency(&request.agency).await?.map(|a| a.name).unwrap_or_default();
    let today = state.clock.today();
    let replayed: Result<RequestState, _> = lifecycle::replay(&state.calendar, &request, &events);
    let (status, due, original_due, estimated, explanation, cnd, warnings, invalid) = match &replayed {
        Ok(s) => {
            let d = s.deadline_on(&state.calendar, today).unwrap_or_else(|_| s.deadline.clone());
            (
                Some(s.status(&state.calendar, today)),
                Some(d.due),
                d.original_due,
                d.estimated,
                d.explain().lines().map(str::to_string).collect(),
                Some(s.correction_notice_due),
                s.warnings.clone(),
                None,
            )
        }
        Err(e) => (None, None, None, false, Vec::new(), None, Vec::new(), Some(e.to_string())),
    };
    let action_day = events.last().map_or(today, |e| e.on.max(today));
    let actions =
        if replayed.is_ok() { allowed_actions(state, user, &request, &events, action_day) } else { Vec::new() };
    let same_applicant = match request.applicant.id_document.as_deref() {
        Some(doc) => state
            .store
            .requests_by_id_document(&request.agency, doc)
            .await?
            .into_iter()
            .filter(|(other, _)| *other != rid)
            .map(|(other, r)| SameApplicant {
                id: other.to_string(),
                number: r.tracking_number,
                received: r.received_on,
            })
            .collect(),
        None => Vec::new(),
    };
    let a = &request.applicant;
    let (name, id_document, contact) = if revealed {
        (a.name.clone(), a.id_document.clone().unwrap_or_default(), a.contact.clone().unwrap_or_default())
    } else {
        (
            mask_name(&a.name),
            a.id_document.as_deref().map(mask_3_4).unwrap_or_default(),
            a.contact.as_deref().map(mask_contact).unwrap_or_default(),
        )
    };
    Ok(RequestPage {
        chrome: chrome(state, format!("申请 {}", request.tracking_number)),
        me: Me::of(user),
        id: rid.to_string(),
        agency_name,
        applicant_type: applicant_type_label(&request),
        form: request
            .requested_form
            .as_deref()
            .map(|f| crate::filing::choice_label(&crate::filing::FORMS, f).to_string()),
        delivery: request
            .delivery
            .as_deref()
            .map(|d| crate::filing::choice_label(&crate::filing::DELIVERIES, d).to_string()),
        name,
        id_document,
        contact,
        revealed,
        can_reveal: user.can_write(&request.agency),
        same_applicant,
        today,
        status,
        due,
        original_due,
        estimated,
        explanation,
        correction_notice_due: cnd,
        timeline: {
            let due_after =
                gongkai_core::lifecycle::due_after_each(&state.calendar, &request, &events).unwrap_or_default();
            events
                .iter()
                .enumerate()
                .map(|(i, e)| TimelineEntry {
                    on: e.on,
                    label: event_label(&e.kind),
                    by: e.by.clone(),
                    detail: event_detail(&e.kind),
                    due: due_after.get(i).map(|d| d.label()).unwrap_or_default(),
                })
                .collect()
        },
        warnings,
        invalid,
        actions,
        outcomes: lifecycle::outcome_leaves()
            .into_iter()
            .map(|r| (outcome_path(r).to_string(), outcome_label(r)))
            .collect(),
        withheld_reasons: lifecycle::outcome_leaves()
            .into_iter()
            .filter(|r| gongkai_core::casework::is_withheld_reason(*r))
            .map(|r| (gongkai_core::casework::outcome_name(r), outcome_label(r)))
            .collect(),
        documents: document_rows(state, &rid, user.can_write(&request.agency)).await?,
        can_deliver: user.can_write(&request.agency),
        can_email: state.mailer.is_some()
            && request.applicant.contact.as_deref().and_then(gongkai_app::remind::email_in_contact).is_some(),
        delivery_methods: &gongkai_core::casework::DELIVERY_METHODS,
        error,
        notice,
        preview: None,
        request,
    })
}

/// The request's documents with their attachments, for the request page.
async fn document_rows(state: &AppState, rid: &RequestId, can_write: bool) -> Result<Vec<DocumentRow>, WebError> {
    let attachments = state.store.list_attachments(rid).await?;
    let all = state.store.list_documents(rid).await?;
    let replaced: Vec<(String, String)> =
        all.iter().filter_map(|d| d.document.replaces.clone().map(|old| (old, d.number.clone()))).collect();
    let rows = all.into_iter().map(|d| DocumentRow {
        superseded_by: replaced.iter().find(|(old, _)| *old == d.number).map(|(_, new)| new.clone()),
        can_correct: can_write && d.event_seq.is_some() && !replaced.iter().any(|(old, _)| *old == d.number),
        is_reply: d.document.kind == gongkai_core::casework::DocumentKind::Reply,
        label: d.document.kind.label(),
        issued_on: d.document.issued_on,
        delivery: gongkai_core::casework::delivery_status_label(&d.delivery),
        delivered_on: d.delivered_on,
        can_attach: can_write
            && d.delivered_on.is_none()
            && d.document.kind == gongkai_core::casework::DocumentKind::Reply
            && gongkai_core::attachment::provides_information(d.document.outcome),
        attachments: attachments
            .iter()
            .filter(|a| a.document == d.number)
            .map(|a| AttachmentRow {
                id: a.id.clone(),
                file_name: a.file_name.clone(),
                size: gongkai_core::attachment::size_label(a.size),
                sha256: a.sha256.clone(),
                sha256_short: a.sha256.chars().take(12).collect(),
            })
            .collect(),
        number: d.number,
    });
    Ok(rows.collect())
}

#[derive(Deserialize)]
struct NoticeQuery {
    done: Option<String>,
}

async fn request_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    // The event's Chinese name, never its key (issue 19).
    let notice = match q.done.as_deref() {
        Some("delivery") => Some("已登记送达".to_string()),
        Some("attachment") => Some("已添加附件".to_string()),
        Some("email") => Some("已通过电子邮件送达，并登记送达日期".to_string()),
        Some("correction") => Some("已制发更正后的文书".to_string()),
        Some("service_receipt") => Some("已出具送达回证：请在文书列表中打印，签收后登记送达日期".to_string()),
        Some("attachment-removed") => Some("已删除附件".to_string()),
        done => done.and_then(lifecycle::event_label_of).map(|l| format!("已登记：{l}")),
    };
    page(&request_view(&state, &user, &id, false, None, notice).await?, StatusCode::OK)
}

#[derive(Deserialize)]
struct RevealForm {}

/// 「查看」: the full applicant data, for the agency's own staff, audited (B4.6).
async fn reveal(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: ConsoleForm<RevealForm>,
) -> Result<Response, WebError> {
    let user = form.user;
    let (_, request, _) = load_request(&state, &user, &id).await?;
    if let Err(e) = user.require_write(&request.agency) {
        user.audit(&state, "applicant.view", &request.tracking_number, false, Some("not permitted".into())).await;
        return Err(e);
    }
    user.audit(&state, "applicant.view", &request.tracking_number, true, None).await;
    page(&request_view(&state, &user, &id, true, None, None).await?, StatusCode::OK)
}

/// The action form's fields (only those of the chosen action are used).
#[derive(Deserialize)]
pub(crate) struct EventForm {
    pub(crate) action: String,
    #[serde(default)]
    pub(crate) on: String,
    #[serde(default)]
    pub(crate) note: String,
    #[serde(default)]
    pub(crate) period_days: String,
    #[serde(default)]
    pub(crate) reason: String,
    #[serde(default)]
    pub(crate) party: String,
    #[serde(default)]
    pub(crate) method: String,
    #[serde(default)]
    pub(crate) units: String,
    #[serde(default)]
    pub(crate) outcome: String,
    /// reply, partially granted: the 不予公开 reason of the part withheld (C2).
    #[serde(default)]
    pub(crate) withheld_reason: String,
    /// reply, not held: the agency responsible for the information (Art. 36(5)).
    #[serde(default)]
    pub(crate) other_agency: String,
    /// `1`: compose the document and show it, record nothing (预览文书).
    #[serde(default)]
    pub(crate) preview: String,
}

impl EventForm {
    /// The fields a clerk filled in, to post again from the preview.
    fn fields(&self) -> Vec<(&'static str, String)> {
        [
            ("action", &self.action),
            ("on", &self.on),
            ("note", &self.note),
            ("period_days", &self.period_days),
            ("reason", &self.reason),
            ("party", &self.party),
            ("method", &self.method),
            ("units", &self.units),
            ("outcome", &self.outcome),
            ("withheld_reason", &self.withheld_reason),
            ("other_agency", &self.other_agency),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (k, v.clone()))
        .collect()
    }
}

/// What a reply says beyond its outcome (casework-documents.md C2), read from the form: the
/// reason of a partial disclosure's withheld part, the agency that holds the information, and
/// the explanation (the form's note).
pub(crate) fn particulars_from_form(f: &EventForm) -> Result<Particulars, (&'static str, String)> {
    if f.action != "reply" {
        return Ok(Particulars::default());
    }
    let withheld_reason = match f.withheld_reason.trim() {
        "" => None,
        r => Some(
            gongkai_core::casework::outcome_from_name(r)
                .filter(|r| gongkai_core::casework::is_withheld_reason(*r))
                .ok_or_else(|| ("withheld_reason", "不予公开的理由须为表三「（三）不予公开」中的一项".to_string()))?,
        ),
    };
    let text = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    Ok(Particulars { withheld_reason, other_agency: text(&f.other_agency), note: text(&f.note) })
}

/// A whole number typed in a form; anything else is 0, which the core's bound refuses with the
/// field's label ([`gongkai_core::input::count`]).
fn number(value: &str) -> u32 {
    value.trim().parse::<u32>().unwrap_or(0)
}

/// The event the form describes, or what is wrong with it: the field and a message in Chinese. Only the
/// typing is read here (a date, a number, a choice); the texts, bounds and the date's limit are
/// checked by the core ([`Event::validated`]) inside the use case, for every channel alike.
pub(crate) fn event_from_form(f: &EventForm, by: &str) -> Result<Event, (&'static str, String)> {
    let on = NaiveDate::parse_from_str(f.on.trim(), "%Y-%m-%d")
        .map_err(|_| ("on", "日期须为 YYYY-MM-DD 格式的有效日期".to_string()))?;
    let kind = match f.action.as_str() {
        "correction_notice" => {
            EventKind::CorrectionNotice { note: f.note.clone(), period_days: number(&f.period_days) }
        }
        "correction_received" => EventKind::CorrectionReceived,
        "extension" => EventKind::Extension { approver: by.to_string(), reason: f.reason.clone() },
        "consultation_sent" => EventKind::ConsultationSent { party: f.party.clone() },
        "consultation_answered" => EventKind::ConsultationAnswered,
        "fee_notice" => {
            let units =
                gongkai_core::input::count("units", "件数或页数", number(&f.units), gongkai_core::input::MAX_FEE_UNITS)
                    .map_err(|e| ("units", e.message))?;
            let (method, quote) = match f.method.as_str() {
                "per_request" => (FeeMethod::PerRequest, fees::per_request(units)),
                "per_page" => (FeeMethod::PerPage, fees::per_page(units)),
                _ => return Err(("method", "收费方式须为按件计收或按量计收".into())),
            };
            let amount_yuan = Amount::parse(&quote.amount_yuan).map_err(|e| ("units", format!("收费金额有误：{e}")))?;
            EventKind::FeeNotice { method, units, amount_yuan }
        }
        "fee_paid" => EventKind::FeePaid,
        "reply" => {
            let outcome = lifecycle::outcome_leaves()
                .into_iter()
                .find(|r| outcome_path(*r) == f.outcome)
                .ok_or_else(|| ("outcome", "请选择答复的办理结果".to_string()))?;
            // The 文号 is assigned when the 答复书 is issued (C4), never typed.
            EventKind::Reply { outcome, document: None }
        }
        "withdrawal" => EventKind::Withdrawal,
        _ => return Err(("kind", "未知的办理事项".into())),
    };
    Ok(Event { on, by: by.to_string(), kind })
}

/// The request page again with the reason a form was refused (422); the use case audited it.
pub(crate) async fn request_refused(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    msg: String,
) -> Result<Response, WebError> {
    let view = request_view(state, user, id, false, Some(msg), None).await?;
    page(&view, StatusCode::UNPROCESSABLE_ENTITY)
}

/// A refused action: audited as a failure, and the request page again with the reason (422).
async fn refuse_event(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    audit_type: &str,
    target: &str,
    msg: String,
) -> Result<Response, WebError> {
    user.audit(state, audit_type, target, false, Some(msg.clone())).await;
    let view = request_view(state, user, id, false, Some(msg), None).await?;
    page(&view, StatusCode::UNPROCESSABLE_ENTITY)
}

async fn add_event(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: ConsoleForm<EventForm>,
) -> Result<Response, WebError> {
    let ConsoleForm { user, form: f } = form;
    let (rid, request, _) = load_request(&state, &user, &id).await?;
    let audit_type = format!("request.{}", if f.action.len() <= 32 { f.action.as_str() } else { "unknown" });
    let target = request.tracking_number.clone();
    let refuse = |msg: String| refuse_event(&state, &user, &id, &audit_type, &target, msg);
    if let Err(e) = user.require_write(&request.agency) {
        user.audit(&state, &audit_type, &target, false, Some("not permitted".into())).await;
        return Err(e);
    }
    if f.action == "extension" && !user.can_approve(&request.agency) {
        user.audit(&state, &audit_type, &target, false, Some("approver role required".into())).await;
        return Err(WebError::Forbidden("延长答复期限须由审批人员批准".into()));
    }
    let (event, particulars) =
        match event_from_form(&f, &user.user.username).and_then(|e| Ok((e, particulars_from_form(&f)?))) {
            Ok(e) => e,
            Err((_, msg)) => return refuse(msg).await,
        };
    let docs = DocumentInput { templates: &state.templates, particulars: &particulars };
    if f.preview == "1" {
        return preview(&state, &user, &id, &rid, &f, event, &docs).await;
    }
    let recorded = gongkai_app::request::record_event(
        &state.store,
        &state.calendar,
        &state.clock,
        &user.actor(),
        &rid,
        event,
        None,
        &docs,
    )
    .await;
    match recorded {
        Ok(r) => {
            Ok(Redirect::to(&format!("/console/requests/{}?done={}", rid, event_name(&r.event.kind))).into_response())
        }
        // Refused and audited by the use case: the request page again with the reason (422).
        Err(e @ (AppError::Invalid { .. } | AppError::Refused(_) | AppError::Locked(_))) => {
            let view = request_view(&state, &user, &id, false, Some(e.to_string()), None).await?;
            page(&view, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => Err(e.into()),
    }
}

/// 预览文书: the request page with the document the action would issue, and a form that posts
/// the same fields to issue it; a refusal is the page with the reason, as for recording.
#[allow(clippy::too_many_arguments)]
async fn preview(
    state: &AppState,
    user: &CurrentUser,
    id: &str,
    rid: &RequestId,
    f: &EventForm,
    event: Event,
    docs: &DocumentInput<'_>,
) -> Result<Response, WebError> {
    let composed =
        gongkai_app::request::preview_event(&state.store, &state.calendar, &state.clock, rid, event, docs).await;
    match composed {
        Ok(Some(document)) => {
            let mut view = request_view(state, user, id, false, None, None).await?;
            let label = document.kind.label();
            let mut document = document;
            // B4.6: the page masks the applicant until 「查看」; the preview's 主送 too (the issued
            // document, downloaded, is whole).
            if document.addressee == view.request.applicant.name && !view.revealed {
                document.addressee = mask_name(&document.addressee);
            }
            let issued =
                gongkai_core::casework::IssuedDocument { number: "（文号在签发时分配）".into(), document };
            view.preview = Some(PreviewView {
                label,
                html: gongkai_export::render_document_html_fragment(&issued),
                fields: f.fields(),
            });
            page(&view, StatusCode::OK)
        }
        Ok(None) => {
            let notice = Some("该事项不制发文书，可直接登记".to_string());
            page(&request_view(state, user, id, false, None, notice).await?, StatusCode::OK)
        }
        Err(e @ (AppError::Invalid { .. } | AppError::Refused(_) | AppError::Locked(_))) => page(
            &request_view(state, user, id, false, Some(e.to_string()), None).await?,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------------
// Annual report workspace

#[derive(Template)]
#[template(path = "console/reports.html")]
struct ReportsIndex {
    chrome: Chrome,
    me: Me,
    agencies: Vec<Agency>,
    years: Vec<i32>,
}

async fn reports_index(State(state): State<AppState>, user: CurrentUser) -> Result<Response, WebError> {
    let agencies = readable_agencies(&state, &user).await?;
    let this_year = chrono::Datelike::year(&state.clock.today());
    page(
        &ReportsIndex {
            chrome: chrome(&state, "年度报告工作台"),
            me: Me::of(&user),
            agencies,
            years: (this_year - 5..=this_year).rev().collect(),
        },
        StatusCode::OK,
    )
}

struct FindingRow {
    severity: &'static str,
    rule: String,
    message: String,
}

struct NarrativeRow {
    key: &'static str,
    title: &'static str,
    text: String,
}

#[derive(Template)]
#[template(path = "console/report.html")]
struct ReportWorkspace {
    chrome: Chrome,
    me: Me,
    agency: Agency,
    year: i32,
    tables_html: String,
    findings: Vec<FindingRow>,
    problems: Vec<String>,
    narratives: Vec<NarrativeRow>,
    publication: Option<gongkai_store::Publication>,
    can_write: bool,
    can_publish: bool,
    today: NaiveDate,
    error: Option<String>,
    notice: Option<String>,
}

impl ReportWorkspace {
    /// The publish form: for the approver, while the year is not locked.
    fn show_publish(&self) -> bool {
        self.can_publish && !self.publication.as_ref().is_some_and(|p| p.locked)
    }
}

fn valid_year(year: i32) -> Result<i32, WebError> {
    if (2008..=2100).contains(&year) {
        Ok(year)
    } else {
        Err(WebError::NotFound("该年度"))
    }
}

/// The draft of the year: the report of what can be counted, the entries that cannot, and the
/// findings of every rule.
async fn draft(
    state: &AppState,
    agency: &Agency,
    year: i32,
) -> Result<(String, Vec<String>, Vec<FindingRow>), WebError> {
    let (report, errors, findings) = crate::reports::draft(state, agency, year).await?;
    let out = (gongkai_export::render_html_fragment(&report), errors, findings);
    let findings = out
        .2
        .into_iter()
        // A draft has no publication date yet: the deadline is checked on the confirmation
        // page, against the date chosen, not reported here as 「未核对」.
        .filter(|f| !(f.rule == gongkai_core::rules::id::META_DEADLINE && f.severity == Severity::Info))
        .map(|f| FindingRow {
            severity: match f.severity {
                Severity::Error => "错误",
                Severity::Warning => "警告",
                Severity::Info => "提示",
            },
            rule: f.rule,
            message: f.message,
        })
        .collect();
    Ok((out.0, out.1, findings))
}

async fn workspace_view(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
    year: i32,
    error: Option<String>,
    notice: Option<String>,
) -> Result<ReportWorkspace, WebError> {
    let year = valid_year(year)?;
    let agency = agency_in_scope(state, user, Some(code)).await?;
    let (tables_html, problems, findings) = draft(state, &agency, year).await?;
    let stored: std::collections::HashMap<String, String> =
        state.store.list_narratives(&agency.code, year).await?.into_iter().collect();
    let narratives = template::SECTIONS
        .iter()
        .map(|s| NarrativeRow {
            key: s.key.name(),
            title: s.title,
            text: stored.get(s.key.name()).cloned().unwrap_or_default(),
        })
        .collect();
    let publication = state.store.get_publication(&agency.code, year).await?;
    Ok(ReportWorkspace {
        chrome: chrome(state, format!("{year}年度政府信息公开工作年度报告：{}", agency.name)),
        me: Me::of(user),
        can_write: user.can_write(&agency.code),
        can_publish: user.can_approve(&agency.code),
        today: state.clock.today(),
        agency,
        year,
        tables_html,
        findings,
        problems,
        narratives,
        publication,
        error,
        notice,
    })
}

async fn report_workspace(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((code, year)): Path<(String, i32)>,
    Query(q): Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let notice = q.done.filter(|d| d.len() <= 40).map(|d| match d.as_str() {
        "publish" => "年度报告已发布，该年度登记数据已锁定".to_string(),
        _ => "已保存".to_string(),
    });
    page(&workspace_view(&state, &user, &code, year, None, notice).await?, StatusCode::OK)
}

/// A refused workspace write: audited as a failure, and the workspace again with the reason (422).
async fn refuse_workspace(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
    year: i32,
    kind: &str,
    target: &str,
    msg: String,
) -> Result<Response, WebError> {
    user.audit(state, kind, target, false, Some(msg.clone())).await;
    page(&workspace_view(state, user, code, year, Some(msg), None).await?, StatusCode::UNPROCESSABLE_ENTITY)
}

#[derive(Deserialize)]
struct NarrativeForm {
    section: String,
    #[serde(default)]
    text: String,
}

async fn save_narrative(
    State(state): State<AppState>,
    Path((code, year)): Path<(String, i32)>,
    form: ConsoleForm<NarrativeForm>,
) -> Result<Response, WebError> {
    let ConsoleForm { user, form: f } = form;
    let year = valid_year(year)?;
    let target = format!("{code}/{year}/{}", f.section.chars().take(32).collect::<String>());
    if let Err(e) = user.require_write(&code) {
        user.audit(&state, "report.narrative", &target, false, Some("not permitted".into())).await;
        return Err(e);
    }
    let Some(section) = SectionKey::from_name(&f.section) else {
        return refuse_workspace(&state, &user, &code, year, "report.narrative", &target, "未知的报告章节".into())
            .await;
    };
    // Checked, stored and audited as `gongkai narrative set` is.
    let actor = user.actor();
    match gongkai_app::narrative::set(&state.store, &state.clock, &actor, &code, year, section, &f.text, None).await {
        Ok(_) => {}
        Err(e @ (AppError::Invalid { .. } | AppError::Locked(_) | AppError::NotFound(_))) => {
            let view = workspace_view(&state, &user, &code, year, Some(e.to_string()), None).await?;
            return page(&view, StatusCode::UNPROCESSABLE_ENTITY);
        }
        Err(e) => return Err(e.into()),
    }
    Ok(Redirect::to(&format!("/console/reports/{code}/{year}?done=narrative")).into_response())
}

/// The confirmation page of a publication (发布前核对): the check of
/// [`gongkai_app::publish::check`] against the date chosen, and the form that confirms it.
#[derive(Template)]
#[template(path = "console/publish.html")]
struct PublishPage {
    chrome: Chrome,
    me: Me,
    check: gongkai_app::publish::PublishCheck,
    fingerprint: String,
    error: Option<String>,
}

impl PublishPage {
    fn workspace(&self) -> String {
        format!("/console/reports/{}/{}", self.check.agency.code, self.check.year)
    }
}

#[derive(Deserialize)]
struct PublishQuery {
    #[serde(default)]
    published_on: String,
}

#[derive(Deserialize)]
struct PublishForm {
    #[serde(default)]
    published_on: String,
    /// The fingerprint of the check the approver read ([`PublishPage`]).
    #[serde(default)]
    seen: String,
    /// The tick of 「我已阅读……确认发布」, needed when the check warns.
    #[serde(default)]
    accept: String,
}

/// The date of a publish form, or the workspace again with why (422, audited).
async fn publish_date(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
    year: i32,
    text: &str,
) -> Result<Result<NaiveDate, Response>, WebError> {
    let target = format!("{code}/{year}");
    if !user.can_approve(code) {
        user.audit(state, "report.publish", &target, false, Some("approver role required".into())).await;
        return Err(WebError::Forbidden("发布年度报告须由本机关审批人员操作".into()));
    }
    match NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
        Ok(on) => {
            agency_in_scope(state, user, Some(code)).await?;
            Ok(Ok(on))
        }
        Err(_) => {
            let msg = "发布日期须为 YYYY-MM-DD 格式的有效日期".to_string();
            Ok(Err(refuse_workspace(state, user, code, year, "report.publish", &target, msg).await?))
        }
    }
}

/// The confirmation page, or the workspace with the check's refusal (a year published, a date
/// out of range: 422).
async fn confirmation(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
    year: i32,
    on: NaiveDate,
    error: Option<String>,
) -> Result<Response, WebError> {
    let cal = std::sync::Arc::clone(&state.calendar);
    match gongkai_app::publish::check(&state.store, cal, &state.clock, code, year, on).await {
        Ok(check) => {
            let view = PublishPage {
                chrome: chrome(state, format!("发布前核对：{}{year}年度政府信息公开工作年度报告", check.agency.name)),
                me: Me::of(user),
                fingerprint: check.fingerprint(),
                check,
                error: error.clone(),
            };
            page(&view, if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK })
        }
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict(_))) => {
            // Asking to publish a year already published, or on a date out of range, is an
            // attempt refused: audited like the POST's.
            let target = format!("{code}/{year}");
            refuse_workspace(state, user, code, year, "report.publish", &target, e.to_string()).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `GET …/publish?published_on=`: the confirmation page (approver): what publishing on that
/// date locks, every error (which blocks), every warning and empty section (which need the tick).
async fn publish_check(
    State(state): State<AppState>,
    user: CurrentUser,
    Path((code, year)): Path<(String, i32)>,
    Query(q): Query<PublishQuery>,
) -> Result<Response, WebError> {
    let year = valid_year(year)?;
    match publish_date(&state, &user, &code, year, &q.published_on).await? {
        Ok(on) => confirmation(&state, &user, &code, year, on, None).await,
        Err(refused) => Ok(refused),
    }
}

/// `POST …/publish` (approver): publishes what the confirmation page showed — the same check
/// (its fingerprint), with the tick when it warns — and locks the year, in one write.
async fn publish(
    State(state): State<AppState>,
    Path((code, year)): Path<(String, i32)>,
    form: ConsoleForm<PublishForm>,
) -> Result<Response, WebError> {
    let ConsoleForm { user, form: f } = form;
    let year = valid_year(year)?;
    let on = match publish_date(&state, &user, &code, year, &f.published_on).await? {
        Ok(on) => on,
        Err(refused) => return Ok(refused),
    };
    let cal = std::sync::Arc::clone(&state.calendar);
    let confirm = gongkai_app::publish::Confirmation::Of { seen: f.seen.trim(), accepted: f.accept == "1" };
    match gongkai_app::publish::publish(&state.store, cal, &state.clock, &user.actor(), &code, year, on, confirm).await
    {
        Ok(_) => Ok(Redirect::to(&format!("/console/reports/{code}/{year}?done=publish")).into_response()),
        // Refused and audited by the use case; the check again, with why.
        Err(e @ (AppError::NotReady(_) | AppError::Uncountable(_) | AppError::Unconfirmed(_))) => {
            confirmation(&state, &user, &code, year, on, Some(e.to_string())).await
        }
        Err(e @ (AppError::Invalid { .. } | AppError::Conflict(_))) => page(
            &workspace_view(&state, &user, &code, year, Some(e.to_string()), None).await?,
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------------------
// Own password (B2.1 定期更换) and the audit trail (B2.3, B2.6)

#[derive(Template)]
#[template(path = "console/password.html")]
struct PasswordPage {
    chrome: Chrome,
    me: Me,
    expired: bool,
    error: Option<String>,
}

async fn password_page(State(state): State<AppState>, user: CurrentUser) -> Result<Response, WebError> {
    let expired = user.user.password_expired(chrono::Utc::now());
    page(&PasswordPage { chrome: chrome(&state, "修改口令"), me: Me::of(&user), expired, error: None }, StatusCode::OK)
}

#[derive(Deserialize)]
struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    new: String,
    #[serde(default)]
    confirm: String,
}

/// Changes the user's own password: the current one is re-checked (ASVS 7.5.1), the new one must
/// meet the policy; every session of the account ends, so the user logs in again.
async fn change_password(State(state): State<AppState>, form: ConsoleForm<PasswordForm>) -> Result<Response, WebError> {
    let ConsoleForm { user, form: f } = form;
    let name = user.user.username.clone();
    let again = |msg: &str| -> Result<Response, WebError> {
        page(
            &PasswordPage {
                chrome: chrome(&state, "修改口令"),
                me: Me::of(&user),
                expired: false,
                error: Some(msg.into()),
            },
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    let Some((_, hash)) = state.store.user_for_login(&name).await? else {
        return Err(WebError::Login("/console/password".into()));
    };
    if f.current.chars().count() > gongkai_store::PASSWORD_MAX_CHARS
        || !gongkai_store::verify_password_blocking(f.current.clone(), hash).await
    {
        user.audit(&state, "password.change", &name, false, Some("wrong current password".into())).await;
        return again("当前口令不正确");
    }
    if f.new != f.confirm {
        return again("两次输入的新口令不一致");
    }
    if f.new == f.current {
        return again("新口令不能与当前口令相同");
    }
    if let Err(e) = gongkai_store::check_password_policy(&f.new, &name) {
        let msg = match e {
            StoreError::Invalid { detail, .. } => detail,
            e => e.to_string(),
        };
        return again(&msg);
    }
    let new_hash = gongkai_store::hash_password_blocking(f.new).await?;
    // The change and its audit record in one transaction (issue 21 item 2).
    let now = chrono::Utc::now();
    let audited = state.store.audited(user.actor().event("password.change", &name, true, None), now);
    audited.set_password(&user.user.id, &new_hash, now).await?;
    Ok(Redirect::to("/console/login").into_response())
}

struct AuditRow {
    seq: i64,
    at: String,
    who: String,
    /// The event in Chinese (审计事件), its stored code beside it for searching the logs.
    event_label: String,
    event_type: String,
    target: String,
    success: bool,
    source: String,
    detail: String,
}

#[derive(Template)]
#[template(path = "console/audit.html")]
struct AuditPage {
    chrome: Chrome,
    me: Me,
    chain: Result<i64, String>,
    rows: Vec<AuditRow>,
}

/// The Chinese name of an audit event type (the stored code is a stable key; the auditor reads
/// the name).
fn audit_label(event_type: &str) -> String {
    let known = match event_type {
        "access.denied" => "越权访问被拒绝",
        "account.lock" => "账号锁定",
        "agency.register" => "登记或变更机关",
        "agency.casework" => "变更机关文书设置",
        "agency.remove" => "删除误登记的机关",
        "agency.deactivate" => "停用机关",
        "agency.reactivate" => "恢复机关受理申请",
        "api_token.create" => "新建访问令牌",
        "api_token.revoke" => "撤销访问令牌",
        "applicant.view" => "查看申请人信息",
        "article20.save" => "保存第二十条年度数据",
        "audit.chain_keyed" => "审计记录改用密钥哈希链",
        "audit.purge" => "清除过期审计记录",
        "audit.view" => "查看审计记录",
        "case.add" => "登记复议诉讼案件",
        "case.decide" => "登记案件审结",
        "config.data_key_rotated" => "更换数据密钥",
        "config.log_retention" => "设置日志留存期限",
        "config.require_mfa" => "设置双因素认证要求",
        "config.site" => "修改网站设置",
        "user.change" => "变更账户的角色、所属机关或双因素认证要求",
        "config.personal_data_retention" => "设置个人信息保存期限",
        "csrf" => "表单校验失败",
        "guide.set" => "更新政府信息公开指南",
        "document.delivery" => "登记文书送达",
        "attachment.add" => "添加答复书附件",
        "document.correct" => "制发更正文书",
        "document.service_receipt" => "出具送达回证",
        "attachment.remove" => "删除答复书附件",
        "request.archive" => "导出申请归档案卷",
        "login" => "登录",
        "logout" => "退出登录",
        "mfa.disable" => "停用双因素认证",
        "mfa.enable" => "启用双因素认证",
        "password.change" => "修改口令",
        "personal_data.purge" => "个人信息匿名化",
        "proactive.add" => "主动公开登记",
        "registers.export" => "导出台账",
        "registers.import" => "导入台账",
        "report.narrative" => "编辑年度报告正文",
        "report.publish" => "发布年度报告",
        "request.add" => "登记申请",
        "request.file_online" => "在线提交申请",
        "supervise.import" => "导入已发布的年度报告",
        "supervise.remind" => "发送督办提醒",
        "supervise.view" => "查看监督总览",
        "supervise.withdraw_import" => "撤销导入",
        "user.add" => "新建账号",
        "user.disable" => "停用账号",
        "user.enable" => "启用账号",
        "user.reset_password" => "重置账号口令",
        other => {
            return match other.strip_prefix("request.") {
                Some(event) => format!("办理事件：{}", gongkai_core::lifecycle::zh_of_name(event)),
                None => other.to_string(),
            };
        }
    };
    known.to_string()
}

/// An audit record's note in Chinese: the notes the console writes are short codes of why an
/// attempt failed; any other note (a file name, a reason typed by a user) is shown as written.
fn audit_detail(detail: &str) -> String {
    let known = match detail {
        "not permitted" => "无权操作",
        "approver role required" => "须由审批人操作",
        "wrong current password" => "原口令错误",
        "security administrators only" => "仅安全管理员可操作",
        "own account has no second factor" => "本账号尚未启用双因素认证",
        "outside scope" => "超出本机关及下属机关范围",
        "no such import" => "没有该导入记录",
        "refused" => "被拒绝",
        "CSRF token or origin check failed" | "CSRF check failed" => "表单校验失败",
        "unknown user" => "用户名不存在",
        "account disabled" => "账号已停用",
        "account locked" => "账号已锁定",
        "wrong password" => "口令错误",
        "locked" => "该年度已发布锁定",
        "bad secret" => "密钥无效",
        "wrong code" => "验证码错误",
        other => {
            if let Some(file) = other.strip_prefix("unreadable ") {
                return format!("无法读取 {file}");
            }
            if let Some(file) = other.strip_prefix("refused ") {
                return format!("未导入 {file}");
            }
            return other.to_string();
        }
    };
    known.to_string()
}

/// The audit trail, read-only, for the 审计管理员 only (B2.6: the system administrator, whose own
/// actions the trail records, does not read or manage it): the newest 500 records and whether
/// the hash chain is intact.
async fn audit_page(State(state): State<AppState>, user: CurrentUser) -> Result<Response, WebError> {
    if user.role() != gongkai_store::Role::Auditor {
        user.audit(&state, "audit.view", "audit_events", false, Some("not permitted".into())).await;
        return Err(WebError::Forbidden("审计记录仅审计管理员可查看".into()));
    }
    user.audit(&state, "audit.view", "audit_events", true, None).await;
    let chain = state.store.verify_audit_chain().await.map_err(|e| e.to_string());
    let rows = state
        .store
        .list_audit(500)
        .await?
        .into_iter()
        .map(|r| AuditRow {
            seq: r.seq,
            // Stored in UTC (RFC 3339); read in Beijing time like every time on the site.
            at: gongkai_app::clock::china_text(&r.at),
            who: format!(
                "{}{}",
                match r.event.username.as_deref() {
                    Some("(cli)") => "命令行".to_string(),
                    other => other.unwrap_or_default().to_string(),
                },
                r.event.role.map(|x| format!("（{}）", x.label_zh())).unwrap_or_default()
            ),
            event_label: audit_label(&r.event.event_type),
            event_type: r.event.event_type,
            target: r.event.target.unwrap_or_default(),
            success: r.event.success,
            source: r.event.source.unwrap_or_default(),
            detail: r.event.detail.map(|d| audit_detail(&d)).unwrap_or_default(),
        })
        .collect();
    page(&AuditPage { chrome: chrome(&state, "审计记录"), me: Me::of(&user), chain, rows }, StatusCode::OK)
}

#[cfg(test)]
mod tests {
    use super::audit_label;

    /// Every audit event type gongkai writes has a Chinese name on the auditor's page (B2.6): no
    /// stored code, and no 「办理事件：事件」 for a type that is not an event of a request.
    #[test]
    fn every_audit_event_type_has_a_chinese_name() {
        let written = [
            "access.denied",
            "account.lock",
            "agency.register",
            "agency.casework",
            "agency.remove",
            "agency.deactivate",
            "agency.reactivate",
            "api_token.create",
            "api_token.revoke",
            "applicant.view",
            "article20.save",
            "audit.chain_keyed",
            "audit.purge",
            "audit.view",
            "case.add",
            "case.decide",
            "config.data_key_rotated",
            "config.log_retention",
            "config.personal_data_retention",
            "config.require_mfa",
            "config.site",
            "user.change",
            "csrf",
            "guide.set",
            "document.delivery",
            "attachment.add",
            "attachment.remove",
            "document.correct",
            "document.service_receipt",
            "request.archive",
            "login",
            "logout",
            "mfa.disable",
            "mfa.enable",
            "password.change",
            "personal_data.purge",
            "proactive.add",
            "registers.export",
            "registers.import",
            "report.narrative",
            "report.publish",
            "request.add",
            "request.file_online",
            "request.reply",
            "request.correction_notice",
            "request.withdrawal",
            "supervise.import",
            "supervise.remind",
            "supervise.view",
            "supervise.withdraw_import",
            "user.add",
            "user.disable",
            "user.enable",
            "user.reset_password",
        ];
        for t in written {
            let label = audit_label(t);
            assert!(!label.chars().any(|c| c.is_ascii_alphabetic()), "{t} → {label}");
            assert!(!label.ends_with("事件：事件"), "{t} → {label}");
        }
    }
}
