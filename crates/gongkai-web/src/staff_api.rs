//! The staff endpoints of the API (`/api/v1/staff/…`), for an agency's own systems (an OA, a
//! document-management system) to read and work its register without the console.
//!
//! A bearer token created in the console (访问令牌) stands for its account: the register of the
//! account's own agency only; a supervisor's token reads, only staff and approvers record events,
//! and only an approver records an extension (Art. 33) — the console's rules exactly. Every
//! event goes through the same validation as the console (`console::event_from_form`, then
//! `lifecycle::apply`), is refused with the field and the reason (422), or with 409 when it would
//! change a published (locked) year, and every write is in the audit trail (B2.3). Applicant data
//! never leaves through this API (B4.6: minimum necessary; the console's logged 「查看」 is the
//! only way to the full values).

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{Datelike, NaiveDate};
use gongkai_core::lifecycle::{self, event_label, event_name, Status};
use gongkai_core::register::{Event, Request};
use gongkai_store::{AuditEvent, RequestFilter, Role, User};
use serde::{Deserialize, Serialize};

use crate::console::{event_from_form, particulars_from_form, EventForm};
use crate::error::{FieldError, WebError};
use crate::AppState;
use gongkai_core::lifecycle::event_detail;

/// The staff routes (nested under `/api/v1`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/requests", get(staff_requests))
        .route("/staff/requests/{tracking_number}", get(staff_request))
        .route("/staff/requests/{tracking_number}/events", post(record_event))
        .route("/staff/reports/{year}", get(draft_report))
}

/// The account behind `Authorization: Bearer <token>` (tokens are created in the console, on
/// 访问令牌; only their hash is stored). Missing, unknown, expired and revoked tokens all get the
/// same 401.
async fn bearer_user(state: &AppState, headers: &HeaderMap) -> Result<User, WebError> {
    let value = headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .filter(|v| !v.is_empty() && v.len() <= 200)
        .ok_or(WebError::Unauthorized)?;
    state.store.api_token_user(value, chrono::Utc::now()).await?.ok_or(WebError::Unauthorized)
}

/// Staff answers are about one agency's register: never cached by anything in between.
fn no_store(mut r: Response) -> Response {
    r.headers_mut().insert(axum::http::header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// The status name of the glossary (`open`, `due_soon`, `overdue`, `replied`, `withdrawn`).
fn status_name(s: Status) -> String {
    serde_json::to_value(s).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

/// One request of the register, without applicant data.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StaffRequest {
    /// 受理编号.
    pub tracking_number: String,
    /// 收到申请之日 (YYYY-MM-DD).
    pub received: String,
    /// `open`, `due_soon`, `overdue`, `replied` or `withdrawn`, as of today.
    pub status: String,
    /// The statutory due date (YYYY-MM-DD), `null` when the events do not replay.
    pub due: Option<String>,
}

/// The token owner's agency and its requests.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StaffRequests {
    /// 机关代码.
    pub agency: String,
    /// Every request of the agency, in order of receipt.
    pub requests: Vec<StaffRequest>,
}

/// Status and due date of a request today (`Open`/`None` when its events do not replay).
fn state_today(
    cal: &gongkai_core::calendar::Calendar,
    today: NaiveDate,
    r: &Request,
    events: &[Event],
) -> (Status, Option<String>) {
    match lifecycle::replay(cal, r, events) {
        Ok(s) => {
            let d = s.deadline_on(cal, today).unwrap_or_else(|_| s.deadline.clone());
            (s.status(cal, today), Some(d.due.to_string()))
        }
        Err(_) => (Status::Open, None),
    }
}

/// 依申请公开登记 (staff): the requests of the token owner's agency with status and due date.
#[utoipa::path(get, path = "/api/v1/staff/requests", tag = "staff",
    responses(
        (status = 200, description = "本机关的申请及办理状态", body = StaffRequests),
        (status = 401, description = "缺少或无效的访问令牌：Authorization: Bearer <token>", body = crate::error::ApiErrorBody),
    ))]
pub(crate) async fn staff_requests(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, WebError> {
    let user = bearer_user(&state, &headers).await?;
    let histories = state.store.list_request_histories(&user.agency, RequestFilter::All).await?;
    let cal = std::sync::Arc::clone(&state.calendar);
    let today = state.clock.today();
    let mut requests = tokio::task::spawn_blocking(move || {
        histories
            .into_iter()
            .map(|(_, r, events)| {
                let (status, due) = state_today(&cal, today, &r, &events);
                StaffRequest {
                    tracking_number: r.tracking_number,
                    received: r.received_on.to_string(),
                    status: status_name(status),
                    due,
                }
            })
            .collect::<Vec<_>>()
    })
    .await
    .map_err(|e| WebError::Internal(format!("staff requests: {e}")))?;
    requests.sort_by(|a, b| (&a.received, &a.tracking_number).cmp(&(&b.received, &b.tracking_number)));
    Ok(no_store(Json(StaffRequests { agency: user.agency, requests }).into_response()))
}

/// One event of a request's timeline.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StaffEvent {
    /// The glossary name: `correction_notice`, `correction_received`, `extension`,
    /// `consultation_sent`, `consultation_answered`, `fee_notice`, `fee_paid`, `reply`, `withdrawal`.
    pub kind: String,
    /// Its Chinese name (补正告知, 延长答复期限, 答复 …).
    pub label: String,
    /// The date it happened (YYYY-MM-DD).
    pub on: String,
    /// Who recorded it.
    pub by: String,
    /// Its details in Chinese (the period given, the approver and reason, the outcome …).
    pub detail: String,
}

/// One request with its timeline and the statutory clock, without applicant data.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StaffRequestDetail {
    /// 受理编号.
    pub tracking_number: String,
    /// 收到申请之日 (YYYY-MM-DD).
    pub received: String,
    /// 申请人类型: the table-3 column (`natural_person`, `commercial`, …).
    pub applicant_type: String,
    /// 申请内容.
    pub content: String,
    /// Status today.
    pub status: String,
    /// The due date today (YYYY-MM-DD), `null` when the events do not replay.
    pub due: Option<String>,
    /// The due date before an extension.
    pub original_due: Option<String>,
    /// True when the due date falls in a year without an official holiday schedule (估算).
    pub estimated: bool,
    /// The events, in order.
    pub events: Vec<StaffEvent>,
}

/// The token owner's request `tracking_number`: 404 for another agency's (as for none).
async fn own_request(
    state: &AppState,
    user: &User,
    tracking_number: &str,
) -> Result<(gongkai_store::RequestId, Request, Vec<Event>), WebError> {
    if tracking_number.len() > 64 {
        return Err(WebError::NotFound("申请"));
    }
    let id = state.store.find_request(&user.agency, tracking_number).await?.ok_or(WebError::NotFound("申请"))?;
    let (r, events) = state.store.get_request(&id).await?.ok_or(WebError::NotFound("申请"))?;
    Ok((id, r, events))
}

fn detail(
    cal: &gongkai_core::calendar::Calendar,
    today: NaiveDate,
    r: &Request,
    events: &[Event],
) -> StaffRequestDetail {
    let replayed = lifecycle::replay(cal, r, events).ok();
    let deadline = replayed.as_ref().map(|s| s.deadline_on(cal, today).unwrap_or_else(|_| s.deadline.clone()));
    StaffRequestDetail {
        tracking_number: r.tracking_number.clone(),
        received: r.received_on.to_string(),
        applicant_type: serde_json::to_value(r.applicant.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default(),
        content: r.content.clone(),
        status: status_name(replayed.as_ref().map_or(Status::Open, |s| s.status(cal, today))),
        due: deadline.as_ref().map(|d| d.due.to_string()),
        original_due: deadline.as_ref().and_then(|d| d.original_due).map(|d| d.to_string()),
        estimated: deadline.as_ref().is_some_and(|d| d.estimated),
        events: events
            .iter()
            .map(|e| StaffEvent {
                kind: event_name(&e.kind).to_string(),
                label: event_label(&e.kind).to_string(),
                on: e.on.to_string(),
                by: e.by.clone(),
                detail: event_detail(&e.kind),
            })
            .collect(),
    }
}

/// 申请详情 (staff): one request of the token owner's agency, its timeline and due date.
#[utoipa::path(get, path = "/api/v1/staff/requests/{tracking_number}", tag = "staff",
    params(("tracking_number" = String, Path, description = "受理编号")),
    responses(
        (status = 200, description = "申请的办理过程和答复期限", body = StaffRequestDetail),
        (status = 401, description = "缺少或无效的访问令牌", body = crate::error::ApiErrorBody),
        (status = 404, description = "本机关没有该受理编号", body = crate::error::ApiErrorBody),
    ))]
pub(crate) async fn staff_request(
    State(state): State<AppState>,
    Path(tracking_number): Path<String>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let user = bearer_user(&state, &headers).await?;
    let (_, r, events) = own_request(&state, &user, &tracking_number).await?;
    Ok(no_store(Json(detail(&state.calendar, state.clock.today(), &r, &events)).into_response()))
}

/// An event to record, as JSON. `kind` decides which other fields are read.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct EventIn {
    /// `correction_notice`, `correction_received`, `extension`, `consultation_sent`,
    /// `consultation_answered`, `fee_notice`, `fee_paid`, `reply` or `withdrawal`.
    pub kind: String,
    /// The date it happened (YYYY-MM-DD), not in the future.
    pub on: String,
    /// correction_notice: what must be corrected.
    #[serde(default)]
    pub note: Option<String>,
    /// correction_notice: the period given, in days (1–365).
    #[serde(default)]
    pub period_days: Option<u32>,
    /// extension: why (the approver is the token's account, which must be an approver).
    #[serde(default)]
    pub reason: Option<String>,
    /// consultation_sent: the third party or agency consulted.
    #[serde(default)]
    pub party: Option<String>,
    /// fee_notice: `per_request` or `per_page` (the amount is computed from the 109号 tariff).
    #[serde(default)]
    pub method: Option<String>,
    /// fee_notice: requests in the month, or pages.
    #[serde(default)]
    pub units: Option<u32>,
    /// reply: the table-3 outcome leaf as on the command line, e.g. `granted`,
    /// `withheld.state_secret`, `unable.not_held` (`outcomes.` in front is accepted too).
    #[serde(default)]
    pub outcome: Option<String>,
    /// reply, partially granted: the 不予公开 reason of the part withheld, e.g.
    /// `withheld.third_party_rights`.
    #[serde(default)]
    pub withheld_reason: Option<String>,
    /// reply, not held: the agency responsible for the information (Art. 36(5)).
    #[serde(default)]
    pub other_agency: Option<String>,
}

async fn audit(state: &AppState, user: &User, event_type: &str, target: &str, success: bool, detail: Option<String>) {
    let e = AuditEvent {
        username: Some(user.username.clone()),
        role: Some(user.role),
        agency: Some(user.agency.clone()),
        event_type: event_type.to_string(),
        target: Some(target.to_string()),
        success,
        source: Some("api".to_string()),
        detail,
    };
    crate::auth::record(state, &e).await;
}

/// 登记办理事件 (staff): records an event of a request of the token owner's agency, validated
/// as in the console; answers with the request as it now stands.
#[utoipa::path(post, path = "/api/v1/staff/requests/{tracking_number}/events", tag = "staff",
    params(("tracking_number" = String, Path, description = "受理编号")),
    request_body = EventIn,
    responses(
        (status = 201, description = "已登记", body = StaffRequestDetail),
        (status = 401, description = "缺少或无效的访问令牌", body = crate::error::ApiErrorBody),
        (status = 403, description = "账号角色不能登记该事件", body = crate::error::ApiErrorBody),
        (status = 404, description = "本机关没有该受理编号", body = crate::error::ApiErrorBody),
        (status = 409, description = "涉及已发布（锁定）的年度", body = crate::error::ApiErrorBody),
        (status = 422, description = "输入有误或办理顺序不允许：字段和原因", body = crate::error::ApiErrorBody),
    ))]
pub(crate) async fn record_event(
    State(state): State<AppState>,
    Path(tracking_number): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, WebError> {
    let user = bearer_user(&state, &headers).await?;
    let input: EventIn = serde_json::from_slice(&body).map_err(|e| {
        WebError::Invalid(vec![FieldError::new("body", format!("请求体须为 JSON 对象，含 kind 和 on（{e}）"))])
    })?;
    let audit_type = format!("request.{}", if input.kind.len() <= 32 { input.kind.as_str() } else { "unknown" });
    // The console's rules (B2.2): staff and approvers of the agency write; only an approver
    // approves an extension (Art. 33: 政府信息公开工作机构负责人同意).
    let refused_role = if !matches!(user.role, Role::Staff | Role::Approver) {
        Some(format!("{}只能查看，不能登记办理事件", user.role.label_zh()))
    } else if input.kind == "extension" && user.role != Role::Approver {
        Some("延长答复期限须由审批人员批准".to_string())
    } else {
        None
    };
    if let Some(message) = refused_role {
        audit(&state, &user, &audit_type, &tracking_number, false, Some("not permitted".into())).await;
        return Err(WebError::Forbidden(message));
    }
    let (id, _, _) = own_request(&state, &user, &tracking_number).await?;
    let form = EventForm {
        action: input.kind.clone(),
        on: input.on.clone(),
        note: input.note.clone().unwrap_or_default(),
        period_days: input.period_days.map(|n| n.to_string()).unwrap_or_default(),
        reason: input.reason.clone().unwrap_or_default(),
        party: input.party.clone().unwrap_or_default(),
        method: input.method.clone().unwrap_or_default(),
        units: input.units.map(|n| n.to_string()).unwrap_or_default(),
        // As on the command line (`withheld.state_secret`); the full path below `requests` too.
        outcome: input
            .outcome
            .as_deref()
            .map(|o| if o.starts_with("outcomes.") { o.to_string() } else { format!("outcomes.{o}") })
            .unwrap_or_default(),
        withheld_reason: input.withheld_reason.clone().unwrap_or_default(),
        other_agency: input.other_agency.clone().unwrap_or_default(),
        preview: String::new(),
    };
    let event = match event_from_form(&form, &user.username).and_then(|e| Ok((e, particulars_from_form(&form)?))) {
        Ok(e) => e,
        Err((field, message)) => {
            audit(&state, &user, &audit_type, &tracking_number, false, Some(message.clone())).await;
            return Err(WebError::Invalid(vec![FieldError::new(field, message)]));
        }
    };
    // Checked, applied, written and audited as in the console (the actor's source is "api").
    let actor = gongkai_app::Actor::user(&user, Some("api".to_string()));
    let (event, particulars) = event;
    let docs = gongkai_app::documents::DocumentInput { templates: &state.templates, particulars: &particulars };
    gongkai_app::request::record_event(&state.store, &state.calendar, &state.clock, &actor, &id, event, None, &docs)
        .await
        .map_err(WebError::from)?;
    let (_, r, events) = own_request(&state, &user, &tracking_number).await?;
    let mut response = no_store(
        (StatusCode::CREATED, Json(detail(&state.calendar, state.clock.today(), &r, &events))).into_response(),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/staff/requests/{}", urlencoding_path(&tracking_number))) {
        response.headers_mut().insert(axum::http::header::LOCATION, v);
    }
    Ok(response)
}

/// A tracking number as a path segment (they are ASCII in practice; anything else is escaped).
pub(crate) fn urlencoding_path(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// The draft of a year's report and its findings.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StaffReport {
    /// The canonical report (`gongkai.report/1`) generated from the registers now.
    #[schema(value_type = Object)]
    pub report: serde_json::Value,
    /// Every consistency finding of the draft (rule id, severity, location, message).
    #[schema(value_type = Vec<Object>)]
    pub findings: serde_json::Value,
}

/// 年度报告草稿 (staff): the token owner's agency's report for `year` generated from the
/// registers now (published or not), with its consistency findings.
#[utoipa::path(get, path = "/api/v1/staff/reports/{year}", tag = "staff",
    params(("year" = i32, Path, description = "报告年度")),
    responses(
        (status = 200, description = "年度报告草稿及检查结果", body = StaffReport),
        (status = 401, description = "缺少或无效的访问令牌", body = crate::error::ApiErrorBody),
        (status = 422, description = "年度超出范围", body = crate::error::ApiErrorBody),
    ))]
pub(crate) async fn draft_report(
    State(state): State<AppState>,
    Path(year): Path<String>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let user = bearer_user(&state, &headers).await?;
    let year = year
        .parse::<i32>()
        .ok()
        .filter(|y| (2008..=state.clock.today().year() + 1).contains(y))
        .ok_or_else(|| WebError::Invalid(vec![FieldError::new("year", "年度应为 2008 年至明年之间的四位数字")]))?;
    let agency = state.store.get_agency(&user.agency).await?.ok_or(WebError::NotFound("机关"))?;
    let (report, _, findings) = crate::reports::draft(&state, &agency, year).await?;
    let body = StaffReport {
        report: serde_json::to_value(&report).map_err(|e| WebError::Internal(format!("report: {e}")))?,
        findings: serde_json::to_value(&findings).map_err(|e| WebError::Internal(format!("findings: {e}")))?,
    };
    Ok(no_store(Json(body).into_response()))
}
