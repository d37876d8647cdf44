//! 机关设置 in the console (issue 18 item 2; casework-documents.md C3): one agency's page for the
//! administrator — its name, parent and kind (`agencies::register`), what its documents print
//! (简称 for 文号, level, vertically managed or a State Council department, the review body and
//! court with the defaults computed from the agency tree beside any override:
//! `documents::set_settings`, the use case `gongkai agency casework` calls), and its contact
//! details as the disclosure guide holds them (one place: the guide, A2.1).

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use gongkai_app::AppError;
use gongkai_core::casework::{CaseworkSettings, GovernmentLevel};
use gongkai_core::register::Agency;
use gongkai_store::DisclosureGuide;
use serde::Deserialize;

use crate::admin::{require_admin, DoneQuery, KINDS};
use crate::auth::{ConsoleForm, CurrentUser};
use crate::console::{chrome, page, Me};
use crate::error::WebError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/admin/agencies/{code}", get(show))
        .route("/console/admin/agencies/{code}/basic", post(save_basic))
        .route("/console/admin/agencies/{code}/casework", post(save_casework))
        .route("/console/admin/agencies/{code}/deactivate", post(deactivate))
        .route("/console/admin/agencies/{code}/reactivate", post(reactivate))
}

/// The basic form as typed.
#[derive(Debug, Default, Clone, Deserialize)]
struct BasicForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    parent: String,
    #[serde(default)]
    kind: String,
}

/// The casework form as typed (a checkbox is absent when not ticked).
#[derive(Debug, Default, Clone, Deserialize)]
struct CaseworkForm {
    #[serde(default)]
    short_name: String,
    /// A level's glossary name, or empty for 「按名称和隶属关系判断」.
    #[serde(default)]
    level: String,
    #[serde(default)]
    vertical: String,
    #[serde(default)]
    state_council_department: String,
    #[serde(default)]
    review_body: String,
    #[serde(default)]
    court: String,
    #[serde(default)]
    office_contact: String,
}

impl CaseworkForm {
    fn of(s: &CaseworkSettings) -> CaseworkForm {
        CaseworkForm {
            short_name: s.short_name.clone().unwrap_or_default(),
            level: s.level.map(|l| l.name().to_string()).unwrap_or_default(),
            vertical: if s.vertical { "1".into() } else { String::new() },
            state_council_department: if s.state_council_department { "1".into() } else { String::new() },
            review_body: s.review_body.clone().unwrap_or_default(),
            court: s.court.clone().unwrap_or_default(),
            office_contact: s.office_contact.clone().unwrap_or_default(),
        }
    }
}

/// The deactivation form as typed.
#[derive(Debug, Default, Clone, Deserialize)]
struct DeactivateForm {
    #[serde(default)]
    on: String,
    #[serde(default)]
    note: String,
}

#[derive(Template)]
#[template(path = "console/admin_agency.html")]
struct AgencyPage {
    chrome: crate::layout::Chrome,
    me: Me,
    agency: Agency,
    /// Every other agency, for the parent's list.
    others: Vec<Agency>,
    kinds: Vec<(&'static str, &'static str)>,
    levels: Vec<(&'static str, &'static str)>,
    basic: BasicForm,
    casework: CaseworkForm,
    /// What documents print now: the 简称, the review body and court (with why).
    short_name: String,
    review_body: String,
    review_basis: String,
    court: String,
    court_basis: String,
    /// The bodies computed from the tree alone (the placeholders of the overrides).
    computed_review_body: String,
    computed_court: String,
    guide: Option<DisclosureGuide>,
    /// Since when and why it receives no request, if deactivated.
    deactivation: Option<gongkai_store::Deactivation>,
    /// The deactivation form (today's date by default).
    deactivate: DeactivateForm,
    error: Option<String>,
    notice: Option<String>,
}

#[allow(clippy::too_many_arguments)]
async fn agency_page(
    state: &AppState,
    user: &CurrentUser,
    code: &str,
    basic: Option<BasicForm>,
    casework: Option<CaseworkForm>,
    error: Option<String>,
    notice: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let issuer = gongkai_app::documents::issuer(&state.store, code).await?;
    let agency = issuer.agency.clone();
    let others = state.store.list_agencies().await?.into_iter().filter(|a| a.code != agency.code).collect();
    let kinds = KINDS.iter().map(|k| (gongkai_sheet::kind_name(*k), gongkai_sheet::agency_kind_label(*k))).collect();
    let levels = GovernmentLevel::ALL.iter().map(|l| (l.name(), l.label())).collect();
    let basic = basic.unwrap_or_else(|| BasicForm {
        name: agency.name.clone(),
        parent: agency.parent.clone().unwrap_or_default(),
        kind: gongkai_sheet::kind_name(agency.kind).to_string(),
    });
    let casework = casework.unwrap_or_else(|| CaseworkForm::of(&issuer.settings));
    let (_, guide) = gongkai_app::guide::show(&state.store, &agency.code).await?;
    let deactivation = state.store.agency_deactivation(&agency.code).await?;
    let deactivate = DeactivateForm { on: state.clock.today().to_string(), note: String::new() };
    page(
        &AgencyPage {
            chrome: chrome(state, format!("机关设置：{}", agency.name)),
            me: Me::of(user),
            short_name: issuer.short_name,
            review_body: issuer.remedy.review_body,
            review_basis: issuer.remedy.review_basis,
            court: issuer.remedy.court,
            court_basis: issuer.remedy.court_basis,
            computed_review_body: issuer.computed.review_body,
            computed_court: issuer.computed.court,
            agency,
            others,
            kinds,
            levels,
            basic,
            casework,
            guide,
            deactivation,
            deactivate,
            error,
            notice,
        },
        status,
    )
}

/// `GET /console/admin/agencies/{code}`: the agency's settings.
async fn show(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(code): Path<String>,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    require_admin(&state, &user, "agency.casework", &code).await?;
    let notice = q.done.as_deref().and_then(|d| match d {
        "basic" => Some("机关的名称、上级和类型已保存".to_string()),
        "casework" => Some("文书设置已保存，此后制发的文书按新设置打印".to_string()),
        "deactivated" => Some("机关已停用：自停用之日起不再受理申请，已有记录保留".to_string()),
        "reactivated" => Some("机关已恢复受理申请".to_string()),
        _ => None,
    });
    agency_page(&state, &user, &code, None, None, None, notice, StatusCode::OK).await
}

/// A refusal shown on the page as typed (422), or the error as it is.
fn shown(e: &AppError) -> bool {
    matches!(e, AppError::Invalid { .. } | AppError::Conflict(_) | AppError::Refused(_))
}

/// `POST /console/admin/agencies/{code}/basic`: the name, parent and kind.
async fn save_basic(
    State(state): State<AppState>,
    Path(code): Path<String>,
    form: ConsoleForm<BasicForm>,
) -> Result<Response, WebError> {
    let ConsoleForm { user, form } = form;
    require_admin(&state, &user, "agency.register", &code).await?;
    let current = gongkai_app::year::agency(&state.store, &code).await?;
    let Some(kind) = gongkai_sheet::agency_kind_from(&form.kind) else {
        let e = AppError::invalid("kind", "机关类型：请选择人民政府、政府部门、乡镇街道或其他");
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return agency_page(&state, &user, &code, Some(form), None, Some(e.to_string()), None, status).await;
    };
    let agency = Agency {
        code: current.code.clone(),
        name: form.name.clone(),
        parent: Some(form.parent.clone()).filter(|p| !p.trim().is_empty()),
        kind,
    };
    match gongkai_app::agencies::register(&state.store, &state.clock, &user.actor(), agency).await {
        Ok(_) => {
            state.agencies.invalidate().await;
            Ok(Redirect::to(&format!("/console/admin/agencies/{}?done=basic", encode(&current.code))).into_response())
        }
        Err(e) if shown(&e) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            agency_page(&state, &user, &code, Some(form), None, Some(e.to_string()), None, status).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /console/admin/agencies/{code}/casework`: what its documents print.
async fn save_casework(
    State(state): State<AppState>,
    Path(code): Path<String>,
    form: ConsoleForm<CaseworkForm>,
) -> Result<Response, WebError> {
    let ConsoleForm { user, form } = form;
    require_admin(&state, &user, "agency.casework", &code).await?;
    let level = match form.level.trim() {
        "" => None,
        l => match GovernmentLevel::from_name(l) {
            Some(l) => Some(l),
            None => {
                let e = AppError::invalid("level", "行政级别：请从列表中选择");
                let status = StatusCode::UNPROCESSABLE_ENTITY;
                return agency_page(&state, &user, &code, None, Some(form), Some(e.to_string()), None, status).await;
            }
        },
    };
    let text = |v: &str| Some(v.to_string()).filter(|v| !v.trim().is_empty());
    let settings = CaseworkSettings {
        short_name: text(&form.short_name),
        level,
        vertical: form.vertical == "1",
        state_council_department: form.state_council_department == "1",
        review_body: text(&form.review_body),
        court: text(&form.court),
        office_contact: text(&form.office_contact),
    };
    match gongkai_app::documents::set_settings(&state.store, &state.clock, &user.actor(), &code, settings).await {
        Ok(issuer) => {
            Ok(Redirect::to(&format!("/console/admin/agencies/{}?done=casework", encode(&issuer.agency.code)))
                .into_response())
        }
        Err(e) if shown(&e) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            agency_page(&state, &user, &code, None, Some(form), Some(e.to_string()), None, status).await
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /console/admin/agencies/{code}/deactivate`: 停用 from a day, saying where its duties went.
async fn deactivate(
    State(state): State<AppState>,
    Path(code): Path<String>,
    form: ConsoleForm<DeactivateForm>,
) -> Result<Response, WebError> {
    let ConsoleForm { user, form } = form;
    require_admin(&state, &user, "agency.deactivate", &code).await?;
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    let Ok(on) = chrono::NaiveDate::parse_from_str(form.on.trim(), "%Y-%m-%d") else {
        let e = AppError::invalid("on", "停用日期：请填写日期，如 2026-12-31");
        user.audit(&state, "agency.deactivate", &code, false, Some(e.to_string())).await;
        return agency_page(&state, &user, &code, None, None, Some(e.to_string()), None, status).await;
    };
    match gongkai_app::agencies::deactivate(&state.store, &state.clock, &user.actor(), &code, on, &form.note).await {
        Ok(a) => {
            state.agencies.invalidate().await;
            Ok(Redirect::to(&format!("/console/admin/agencies/{}?done=deactivated", encode(&a.code))).into_response())
        }
        Err(e) if shown(&e) => agency_page(&state, &user, &code, None, None, Some(e.to_string()), None, status).await,
        Err(e) => Err(e.into()),
    }
}

/// `POST /console/admin/agencies/{code}/reactivate`: receives requests again.
async fn reactivate(
    State(state): State<AppState>,
    Path(code): Path<String>,
    form: ConsoleForm<DeactivateForm>,
) -> Result<Response, WebError> {
    let ConsoleForm { user, .. } = form;
    require_admin(&state, &user, "agency.reactivate", &code).await?;
    let a = gongkai_app::agencies::reactivate(&state.store, &state.clock, &user.actor(), &code).await?;
    state.agencies.invalidate().await;
    Ok(Redirect::to(&format!("/console/admin/agencies/{}?done=reactivated", encode(&a.code))).into_response())
}

/// An agency code as a path segment.
pub(crate) fn encode(code: &str) -> String {
    crate::auth::url_encode(code).replace('/', "%2F")
}
