//! 安全设置 (`/console/security`): the security administrator's dedicated interface (B2.6,
//! GB/T 22239-2019 8.1.5: system, audit and security administrators separate, each with its own
//! interface, each audited). The policy it sets:
//!
//! - the audit-log retention, never below 180 days (B1.1: CSL Art. 21 keeps network logs at least
//!   six months) — the store refuses less and records every change in the audit trail;
//! - whether every console account must log in with a second factor (B2.1 d);
//! - how long applicants' personal information is kept after a request is closed (B4.4), after
//!   which the daily job anonymises it.
//!
//! It also lists the accounts (role, agency, second factor, lock, password age) so that the
//! security administrator sees who has not enrolled before turning the requirement on. Nothing
//! here reads a register; no other role reaches this page (the confinement in `auth`).

use std::collections::HashSet;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use gongkai_store::{Role, MIN_LOG_RETENTION_DAYS};
use serde::Deserialize;

use crate::auth::{ConsoleForm, CurrentUser};
use crate::console::{chrome, page, Me};
use crate::error::WebError;
use crate::layout::Chrome;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/security", get(security_page))
        .route("/console/security/retention", post(set_retention))
        .route("/console/security/mfa", post(set_require_mfa))
        .route("/console/security/personal-data", post(set_personal_data_retention))
}

/// One account in the list.
struct AccountRow {
    username: String,
    role: &'static str,
    agency: String,
    second_factor: bool,
    locked: bool,
    password_days: i64,
    disabled: bool,
}

#[derive(Template)]
#[template(path = "console/security.html")]
struct SecurityPage {
    chrome: Chrome,
    me: Me,
    retention_days: i64,
    min_days: i64,
    require_mfa: bool,
    /// Years applicants' personal information is kept after closing; `None`: not set.
    personal_data_years: Option<i64>,
    accounts: Vec<AccountRow>,
    without_second_factor: usize,
    error: Option<String>,
    done: Option<&'static str>,
    /// What was typed in the retention field, kept after a refusal.
    typed_days: String,
}

/// Only the security administrator: the confinement keeps that role here, and this check keeps
/// every other role out (the system administrator manages accounts, not the policy; B2.6).
async fn require_security_admin(state: &AppState, user: &CurrentUser, target: &str) -> Result<(), WebError> {
    if user.role() == Role::SecurityAdmin {
        return Ok(());
    }
    user.audit(state, "access.denied", target, false, Some("security administrators only".into())).await;
    Err(WebError::Forbidden("安全设置仅安全管理员可以查看和修改".into()))
}

async fn view(state: &AppState, user: &CurrentUser) -> Result<SecurityPage, WebError> {
    let now = state.clock.now();
    let enrolled: HashSet<String> = state.store.users_with_second_factor().await?;
    let accounts: Vec<AccountRow> = state
        .store
        .list_users()
        .await?
        .into_iter()
        .map(|u| AccountRow {
            second_factor: enrolled.contains(&u.id),
            locked: u.is_locked(now),
            password_days: (now - u.password_changed_at).num_days(),
            role: u.role.label_zh(),
            disabled: u.disabled,
            username: u.username,
            agency: u.agency,
        })
        .collect();
    let retention_days = state.store.log_retention_days().await?;
    Ok(SecurityPage {
        chrome: chrome(state, "安全设置"),
        me: Me::of(user),
        retention_days,
        min_days: MIN_LOG_RETENTION_DAYS,
        require_mfa: state.store.require_mfa().await?,
        personal_data_years: state.store.personal_data_retention_years().await?,
        without_second_factor: accounts.iter().filter(|a| !a.second_factor && !a.disabled).count(),
        accounts,
        error: None,
        done: None,
        typed_days: retention_days.to_string(),
    })
}

#[derive(Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

async fn security_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    require_security_admin(&state, &user, "/console/security").await?;
    let mut p = view(&state, &user).await?;
    p.done = match q.done.as_deref() {
        Some("retention") => Some("审计日志留存期已修改，本次修改已记入审计日志。"),
        Some("mfa-on") => Some("已要求所有工作台账号使用双因素认证登录。"),
        Some("mfa-off") => Some("已取消双因素认证的统一要求。"),
        Some("personal-data") => Some("申请人个人信息保存期限已修改，本次修改已记入审计日志。"),
        _ => None,
    };
    page(&p, StatusCode::OK)
}

#[derive(Deserialize)]
struct RetentionForm {
    #[serde(default)]
    days: String,
}

async fn set_retention(State(state): State<AppState>, form: ConsoleForm<RetentionForm>) -> Result<Response, WebError> {
    let ConsoleForm { user, form: f } = form;
    require_security_admin(&state, &user, "/console/security/retention").await?;
    let refuse = |message: String| async {
        user.audit(&state, "config.log_retention", "log_retention_days", false, Some(message.clone())).await;
        let mut p = view(&state, &user).await?;
        p.error = Some(message);
        p.typed_days = f.days.chars().take(20).collect();
        page(&p, StatusCode::UNPROCESSABLE_ENTITY)
    };
    let Ok(days) = f.days.trim().parse::<i64>() else {
        return refuse(format!("留存天数须为整数，且不少于 {MIN_LOG_RETENTION_DAYS} 天")).await;
    };
    match gongkai_app::security::set_log_retention(&state.store, &state.clock, &user.actor(), days).await {
        Ok(()) => Ok(Redirect::to("/console/security?done=retention").into_response()),
        Err(gongkai_app::AppError::Invalid { message, .. }) => {
            let mut p = view(&state, &user).await?;
            p.error = Some(format!("留存天数：{message}"));
            p.typed_days = f.days.chars().take(20).collect();
            page(&p, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct RequireMfaForm {
    #[serde(default)]
    require: String,
}

async fn set_require_mfa(
    State(state): State<AppState>,
    form: ConsoleForm<RequireMfaForm>,
) -> Result<Response, WebError> {
    let ConsoleForm { user, form: f } = form;
    require_security_admin(&state, &user, "/console/security/mfa").await?;
    let on = match f.require.as_str() {
        "on" => true,
        "off" => false,
        _ => {
            let mut p = view(&state, &user).await?;
            p.error = Some("双因素认证要求无效：请使用页面上的按钮开启或取消".into());
            return page(&p, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    match gongkai_app::security::set_require_mfa(&state.store, &state.clock, &user.actor(), on).await {
        Ok(()) => Ok(Redirect::to(if on { "/console/security?done=mfa-on" } else { "/console/security?done=mfa-off" })
            .into_response()),
        Err(gongkai_app::AppError::Refused(message)) => {
            let mut p = view(&state, &user).await?;
            p.error = Some(message);
            page(&p, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct PersonalDataForm {
    #[serde(default)]
    years: String,
}

/// B4.4: the years applicants' personal information is kept after a request is closed (empty or
/// 「off」: not set, nothing is anonymised).
async fn set_personal_data_retention(
    State(state): State<AppState>,
    form: ConsoleForm<PersonalDataForm>,
) -> Result<Response, WebError> {
    let ConsoleForm { user, form: f } = form;
    require_security_admin(&state, &user, "/console/security/personal-data").await?;
    let refuse = |message: String| async {
        user.audit(
            &state,
            "config.personal_data_retention",
            "personal_data_retention_years",
            false,
            Some(message.clone()),
        )
        .await;
        let mut p = view(&state, &user).await?;
        p.error = Some(message);
        page(&p, StatusCode::UNPROCESSABLE_ENTITY)
    };
    let years = match f.years.trim() {
        "" | "off" => None,
        n => match n.parse::<i64>() {
            Ok(y) => Some(y),
            Err(_) => return refuse("个人信息保存期限须为整数年数，或留空表示不自动匿名化".into()).await,
        },
    };
    match gongkai_app::security::set_personal_data_retention(&state.store, &state.clock, &user.actor(), years).await {
        Ok(()) => Ok(Redirect::to("/console/security?done=personal-data").into_response()),
        Err(gongkai_app::AppError::Invalid { message, .. }) => {
            let mut p = view(&state, &user).await?;
            p.error = Some(format!("个人信息保存期限：{message}"));
            page(&p, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(e) => Err(e.into()),
    }
}
