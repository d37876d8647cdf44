//! 系统管理 in the console (issue 18 item 2; portal-and-security.md B2.2): the administrator's
//! pages for the agency tree (`/console/admin/agencies`: register an agency or change its name,
//! parent and kind; delete one only when registered by mistake — an agency any record names is
//! never deleted) and the console
//! accounts (`/console/admin/accounts`: add, disable or enable, reset a password). Each form
//! calls the use case the CLI calls (`agencies::register`, `accounts::add`,
//! `accounts::set_disabled`, `accounts::reset_password`), which checks and audits it; only the
//! 系统管理员 role may open them.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use gongkai_app::AppError;
use gongkai_core::register::{Agency, AgencyKind};
use gongkai_store::{Role, User};
use serde::Deserialize;

use crate::auth::{ConsoleForm, CurrentUser};
use crate::console::{chrome, page, Me};
use crate::error::WebError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/admin/agencies", get(agencies).post(register_agency))
        .route("/console/admin/agencies/remove", post(remove_agency))
        .route("/console/admin/accounts", get(accounts).post(add_account))
        .route("/console/admin/accounts/state", post(set_state))
        .route("/console/admin/accounts/password", post(reset_password))
        .route("/console/admin/accounts/access", post(set_access))
}

pub(crate) const KINDS: [AgencyKind; 4] =
    [AgencyKind::Government, AgencyKind::Department, AgencyKind::Township, AgencyKind::Other];

/// The administrator only: anyone else is refused, audited under the action's event.
pub(crate) async fn require_admin(
    state: &AppState,
    user: &CurrentUser,
    event: &str,
    target: &str,
) -> Result<(), WebError> {
    if user.role() == Role::Administrator {
        return Ok(());
    }
    user.audit(state, event, target, false, Some("administrator role required".into())).await;
    Err(WebError::Forbidden("系统管理仅系统管理员可操作".into()))
}

#[derive(Debug, Deserialize)]
pub(crate) struct DoneQuery {
    pub(crate) done: Option<String>,
}

// ---------------------------------------------------------------------------------- agencies

/// One agency as the list shows it.
struct AgencyRow {
    code: String,
    /// The code as a path segment (the settings page's link).
    href: String,
    name: String,
    kind: &'static str,
    parent: String,
    /// 「自…起停用」 when deactivated.
    deactivated: Option<String>,
}

/// The agency form as typed.
#[derive(Debug, Default, Clone, Deserialize)]
struct AgencyForm {
    #[serde(default)]
    code: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    parent: String,
    #[serde(default)]
    kind: String,
}

#[derive(Template)]
#[template(path = "console/admin_agencies.html")]
struct AgenciesPage {
    chrome: crate::layout::Chrome,
    me: Me,
    rows: Vec<AgencyRow>,
    /// (glossary name, Chinese label) of each kind.
    kinds: Vec<(&'static str, &'static str)>,
    form: AgencyForm,
    error: Option<String>,
    notice: Option<String>,
}

async fn agencies_page(
    state: &AppState,
    user: &CurrentUser,
    form: AgencyForm,
    error: Option<String>,
    notice: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let all = state.store.list_agencies().await?;
    let deactivated = state.store.agency_deactivations().await?;
    let name_of = |code: &str| all.iter().find(|a| a.code == code).map(|a| a.name.clone()).unwrap_or_default();
    let rows = all
        .iter()
        .map(|a| AgencyRow {
            href: format!("/console/admin/agencies/{}", crate::admin_agency::encode(&a.code)),
            code: a.code.clone(),
            name: a.name.clone(),
            kind: gongkai_sheet::agency_kind_label(a.kind),
            parent: a.parent.as_deref().map(|p| format!("{}（{p}）", name_of(p))).unwrap_or_default(),
            deactivated: deactivated.get(&a.code).map(|d| format!("自{}起停用", d.on)),
        })
        .collect();
    let kinds = KINDS.iter().map(|k| (gongkai_sheet::kind_name(*k), gongkai_sheet::agency_kind_label(*k))).collect();
    page(
        &AgenciesPage { chrome: chrome(state, "机关管理"), me: Me::of(user), rows, kinds, form, error, notice },
        status,
    )
}

/// `GET /console/admin/agencies`: the tree as a list, and the form.
async fn agencies(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    require_admin(&state, &user, "agency.register", "/console/admin/agencies").await?;
    let notice = q.done.as_deref().and_then(|d| match d {
        "saved" => Some("机关已登记".to_string()),
        "removed" => Some("误登记的机关已删除".to_string()),
        _ => None,
    });
    agencies_page(
        &state,
        &user,
        AgencyForm { kind: "department".into(), ..AgencyForm::default() },
        None,
        notice,
        StatusCode::OK,
    )
    .await
}

/// `POST /console/admin/agencies`: registers an agency, or changes one (same code).
async fn register_agency(State(state): State<AppState>, form: ConsoleForm<AgencyForm>) -> Result<Response, WebError> {
    let ConsoleForm { user, form } = form;
    let target: String = form.code.trim().chars().take(64).collect();
    require_admin(&state, &user, "agency.register", &target).await?;
    let Some(kind) = gongkai_sheet::agency_kind_from(&form.kind) else {
        let msg = "机关类型：请选择人民政府、政府部门、乡镇街道或其他".to_string();
        user.audit(&state, "agency.register", &target, false, Some(msg.clone())).await;
        return agencies_page(&state, &user, form, Some(msg), None, StatusCode::UNPROCESSABLE_ENTITY).await;
    };
    let agency = Agency {
        code: form.code.clone(),
        name: form.name.clone(),
        parent: Some(form.parent.clone()).filter(|p| !p.trim().is_empty()),
        kind,
    };
    match gongkai_app::agencies::register(&state.store, &state.clock, &user.actor(), agency).await {
        Ok(_) => {
            state.agencies.invalidate().await;
            Ok(Redirect::to("/console/admin/agencies?done=saved").into_response())
        }
        Err(e @ AppError::Invalid { .. }) => {
            agencies_page(&state, &user, form, Some(e.to_string()), None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Deserialize)]
struct RemoveForm {
    #[serde(default)]
    code: String,
}

/// `POST /console/admin/agencies/remove`: deletes an agency registered by mistake; refused (422)
/// naming what it has as soon as any record names it ([`gongkai_app::agencies::remove`]).
async fn remove_agency(State(state): State<AppState>, form: ConsoleForm<RemoveForm>) -> Result<Response, WebError> {
    let ConsoleForm { user, form } = form;
    let target: String = form.code.trim().chars().take(64).collect();
    require_admin(&state, &user, "agency.remove", &target).await?;
    match gongkai_app::agencies::remove(&state.store, &state.clock, &user.actor(), &form.code).await {
        Ok(_) => {
            state.agencies.invalidate().await;
            Ok(Redirect::to("/console/admin/agencies?done=removed").into_response())
        }
        Err(e @ AppError::Conflict(_)) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            agencies_page(&state, &user, AgencyForm::default(), Some(e.to_string()), None, status).await
        }
        Err(e) => Err(e.into()),
    }
}

// ---------------------------------------------------------------------------------- accounts

/// One account as the list shows it.
struct AccountRow {
    username: String,
    role: &'static str,
    /// The role's glossary name (the form's value).
    role_key: &'static str,
    agency: String,
    /// Whether the account has enrolled a second factor.
    enrolled: bool,
    /// Whether the administrator requires one of it.
    mfa_required: bool,
    disabled: bool,
    locked: bool,
    is_me: bool,
}

/// The new-account form as typed (the password is never shown again).
#[derive(Debug, Default, Clone, Deserialize)]
struct AccountForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    agency: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: String,
}

#[derive(Debug, Deserialize)]
struct StateForm {
    #[serde(default)]
    username: String,
    /// `1` to disable, `0` to enable.
    #[serde(default)]
    disabled: String,
}

#[derive(Debug, Deserialize)]
struct AccessForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    agency: String,
    /// `1` when ticked (absent otherwise).
    #[serde(default)]
    mfa_required: String,
}

#[derive(Debug, Deserialize)]
struct PasswordForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

#[derive(Template)]
#[template(path = "console/admin_accounts.html")]
struct AccountsPage {
    chrome: crate::layout::Chrome,
    me: Me,
    rows: Vec<AccountRow>,
    agencies: Vec<Agency>,
    /// (glossary name, Chinese label) of each role.
    roles: Vec<(&'static str, &'static str)>,
    form: AccountForm,
    error: Option<String>,
    notice: Option<String>,
}

async fn accounts_page(
    state: &AppState,
    user: &CurrentUser,
    form: AccountForm,
    error: Option<String>,
    notice: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let now = state.clock.now();
    let enrolled = state.store.users_with_second_factor().await?;
    let rows = state
        .store
        .list_users()
        .await?
        .into_iter()
        .map(|u: User| AccountRow {
            is_me: u.username == user.actor().username,
            locked: u.is_locked(now),
            enrolled: enrolled.contains(&u.id),
            mfa_required: u.mfa_required,
            role_key: u.role.name(),
            username: u.username,
            role: u.role.label_zh(),
            agency: u.agency,
            disabled: u.disabled,
        })
        .collect();
    let agencies = state.store.list_agencies().await?;
    let roles = Role::ALL.iter().map(|r| (r.name(), r.label_zh())).collect();
    let form = AccountForm { password: String::new(), ..form };
    page(
        &AccountsPage {
            chrome: chrome(state, "账户管理"),
            me: Me::of(user),
            rows,
            agencies,
            roles,
            form,
            error,
            notice,
        },
        status,
    )
}

/// `GET /console/admin/accounts`: every account, and the forms.
async fn accounts(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    require_admin(&state, &user, "user.add", "/console/admin/accounts").await?;
    let notice = q.done.as_deref().and_then(|d| match d {
        "added" => Some("账户已创建"),
        "disabled" => Some("账户已停用，其会话已结束，访问令牌已撤销"),
        "enabled" => Some("账户已启用"),
        "password" => Some("口令已重置，该账户的会话已结束，访问令牌已撤销"),
        "access" => Some("账户已变更；角色或所属机关变更的，该账户须重新登录"),
        _ => None,
    });
    let form = AccountForm { role: "staff".into(), agency: user.agency().to_string(), ..AccountForm::default() };
    accounts_page(&state, &user, form, None, notice.map(str::to_string), StatusCode::OK).await
}

/// A refusal of the use case shown on the accounts page (422), or the error as it is.
async fn refused(state: &AppState, user: &CurrentUser, form: AccountForm, e: AppError) -> Result<Response, WebError> {
    match e {
        e @ (AppError::Invalid { .. }
        | AppError::Conflict(_)
        | AppError::Refused(_)
        | AppError::NotFound(_)
        | AppError::UnknownAgency(_)) => {
            accounts_page(state, user, form, Some(e.to_string()), None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        e => Err(e.into()),
    }
}

/// `POST /console/admin/accounts`: a new account (the password policy of B2.1).
async fn add_account(State(state): State<AppState>, form: ConsoleForm<AccountForm>) -> Result<Response, WebError> {
    let ConsoleForm { user, form } = form;
    let target: String = form.username.trim().chars().take(64).collect();
    require_admin(&state, &user, "user.add", &target).await?;
    let Some(role) = Role::parse(form.role.trim()) else {
        return refused(&state, &user, form, AppError::invalid("role", "角色：请从列表中选择")).await;
    };
    let new = gongkai_app::accounts::NewAccount {
        username: form.username.clone(),
        agency: form.agency.clone(),
        role,
        password: form.password.clone(),
    };
    match gongkai_app::accounts::add(&state.store, &state.clock, &user.actor(), new).await {
        Ok(_) => Ok(Redirect::to("/console/admin/accounts?done=added").into_response()),
        Err(e) => refused(&state, &user, form, e).await,
    }
}

/// `POST /console/admin/accounts/state`: disables or enables an account.
async fn set_state(State(state): State<AppState>, form: ConsoleForm<StateForm>) -> Result<Response, WebError> {
    let ConsoleForm { user, form } = form;
    let disabled = form.disabled == "1";
    let event = if disabled { "user.disable" } else { "user.enable" };
    let target: String = form.username.trim().chars().take(64).collect();
    require_admin(&state, &user, event, &target).await?;
    let actor = user.actor();
    match gongkai_app::accounts::set_disabled(&state.store, &state.clock, &actor, &form.username, disabled).await {
        Ok(_) => Ok(Redirect::to(if disabled {
            "/console/admin/accounts?done=disabled"
        } else {
            "/console/admin/accounts?done=enabled"
        })
        .into_response()),
        Err(e) => refused(&state, &user, AccountForm::default(), e).await,
    }
}

/// `POST /console/admin/accounts/password`: sets a new password for an account.
async fn reset_password(State(state): State<AppState>, form: ConsoleForm<PasswordForm>) -> Result<Response, WebError> {
    let ConsoleForm { user, form } = form;
    let target: String = form.username.trim().chars().take(64).collect();
    require_admin(&state, &user, "user.reset_password", &target).await?;
    let actor = user.actor();
    match gongkai_app::accounts::reset_password(&state.store, &state.clock, &actor, &form.username, form.password).await
    {
        Ok(_) => Ok(Redirect::to("/console/admin/accounts?done=password").into_response()),
        Err(e) => refused(&state, &user, AccountForm::default(), e).await,
    }
}

/// `POST /console/admin/accounts/access`: changes an account's role, agency or second-factor
/// requirement ([`gongkai_app::accounts::set_access`]).
async fn set_access(State(state): State<AppState>, form: ConsoleForm<AccessForm>) -> Result<Response, WebError> {
    let ConsoleForm { user, form } = form;
    let target: String = form.username.trim().chars().take(64).collect();
    require_admin(&state, &user, "user.change", &target).await?;
    let Some(role) = Role::parse(form.role.trim()) else {
        return refused(&state, &user, AccountForm::default(), AppError::invalid("role", "角色：请从列表中选择")).await;
    };
    let access =
        gongkai_app::accounts::Access { role, agency: form.agency.clone(), mfa_required: form.mfa_required == "1" };
    match gongkai_app::accounts::set_access(&state.store, &state.clock, &user.actor(), &form.username, access).await {
        Ok(_) => Ok(Redirect::to("/console/admin/accounts?done=access").into_response()),
        Err(e) => refused(&state, &user, AccountForm::default(), e).await,
    }
}
