//! Login, logout, sessions, CSRF and scope checks of the office console
//! (portal-and-security.md §B; issue 7 item 4).
//!
//! - **Login (B2.1).** `POST /console/login` checks the Argon2id hash off the async runtime. Five
//!   failures in a row lock the account for 15 minutes; an unknown username costs the same hash
//!   work and gets the same message (no account enumeration). Every attempt is audited (B2.3).
//! - **Sessions (B2.1, ASVS 3.3, 7.x).** Server-side, in the database ([`gongkai_store::Session`]);
//!   the cookie is `HttpOnly; SameSite=Strict; Path=/`, and `Secure` with the `__Host-` prefix when
//!   the request came over https (directly, or `X-Forwarded-Proto: https` from the proxy). A new
//!   id at every login; 30 minutes idle or 12 hours in all ends it; logout ends it on the server.
//! - **CSRF (ASVS 3.5).** Every console form carries the session's synchroniser token in a hidden
//!   `csrf` field, checked on every POST ([`ConsoleForm`]), plus a Fetch-Metadata/Origin check;
//!   the login form uses a double-submit cookie (there is no session yet).
//! - **Scope (B2.2, ASVS 8.2).** [`CurrentUser`] carries the role and the agencies the account may
//!   read and write: staff and approvers their own agency; supervisors read their agency's subtree
//!   and write nothing; administrators read every agency and, by the separation of duties of
//!   B2.2 (管理用户权限分离), do not edit the registers.

use std::collections::HashSet;
use std::net::SocketAddr;

use askama::Template;
use axum::extract::{ConnectInfo, FromRef, FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::Utc;
use gongkai_store::{AuditEvent, Role, User};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::error::WebError;
use crate::layout::{render, Chrome};
use crate::AppState;

/// The session cookie over plain http (development, tests).
const COOKIE: &str = "gk_session";
/// The session cookie over https: `__Host-` binds it to this host, path `/`, Secure (ASVS 3.3.3).
const COOKIE_SECURE: &str = "__Host-gk_session";
/// The login form's double-submit cookie.
const LOGIN_COOKIE: &str = "gk_login_csrf";

/// The login and logout routes, merged into [`crate::router`].
pub fn routes() -> Router<AppState> {
    Router::new().route("/console/login", get(login_page).post(login)).route("/console/logout", post(logout))
}

// ---------------------------------------------------------------------------------------------
// Who is asking

/// Which agencies an account may read (ASVS 8.2.1/8.2.2: enforced on the server for every object).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// Only the account's own agency (staff, approver).
    Own,
    /// The account's agency and everything below it (supervisor).
    Subtree(HashSet<String>),
    /// Every agency (administrator).
    All,
    /// No agency's registers (the auditor reads the audit trail only; the security administrator
    /// sets the security policy only).
    Nothing,
}

/// The console paths an auditor may use (B2.6: the 审计管理员's dedicated interface): the audit
/// trail, the account's own password and second factor, logout. Every other console path is
/// refused for the role before any handler runs (deny by default).
fn auditor_may_use(path: &str) -> bool {
    path == "/console/audit" || path.starts_with("/console/audit/") || own_account_path(path)
}

/// The console paths a security administrator may use (B2.6: the 安全管理员's dedicated
/// interface): the security settings, the account's own password and second factor, logout.
fn security_admin_may_use(path: &str) -> bool {
    path == "/console/security" || path.starts_with("/console/security/") || own_account_path(path)
}

/// The pages about the account itself, open to every role.
fn own_account_path(path: &str) -> bool {
    path == "/console/password"
        || path == "/console/logout"
        || path == "/console/mfa"
        || path.starts_with("/console/mfa/")
}

/// For the roles confined to their own interface (B2.6), whether `path` is theirs, and the reason
/// given when it is not; `None` for the other roles.
fn confinement(role: Role, path: &str) -> Option<(bool, &'static str, &'static str)> {
    match role {
        Role::Auditor => Some((
            auditor_may_use(path),
            "auditors read the audit trail only",
            "审计管理员只能查看审计记录、修改本人口令",
        )),
        Role::SecurityAdmin => Some((
            security_admin_may_use(path),
            "security administrators set the security policy only",
            "安全管理员只能管理安全设置、修改本人口令",
        )),
        _ => None,
    }
}

/// Where a role's console starts.
fn home_of(role: Role) -> &'static str {
    match role {
        Role::Auditor => "/console/audit",
        Role::SecurityAdmin => "/console/security",
        _ => "/console",
    }
}

/// The pages an account without a second factor may still use where one is required.
fn mfa_exempt(path: &str) -> bool {
    path == "/console/mfa"
        || path.starts_with("/console/mfa/")
        || path == "/console/password"
        || path == "/console/logout"
}

/// The logged-in console user, extracted from the session cookie. A handler taking it answers
/// only to a live session; without one the browser is sent to the login page.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    /// The account.
    pub user: User,
    /// The session's CSRF token, for the forms of the page.
    pub csrf: String,
    /// What it may read.
    pub scope: Scope,
    /// The client address, for the audit trail.
    pub source: Option<String>,
}

impl CurrentUser {
    /// The account as the application layer's actor (who the audit trail names).
    pub fn actor(&self) -> gongkai_app::Actor {
        gongkai_app::Actor::user(&self.user, self.source.clone())
    }

    /// The role.
    pub fn role(&self) -> Role {
        self.user.role
    }

    /// The account's agency code.
    pub fn agency(&self) -> &str {
        &self.user.agency
    }

    /// Whether the account may read the registers of `agency`.
    pub fn can_read(&self, agency: &str) -> bool {
        match &self.scope {
            Scope::Own => agency == self.user.agency,
            Scope::Subtree(set) => set.contains(agency),
            Scope::All => true,
            Scope::Nothing => false,
        }
    }

    /// Whether the account may change the registers of `agency`: staff and approvers of that
    /// very agency only (supervisors read; administrators manage accounts, B2.2).
    pub fn can_write(&self, agency: &str) -> bool {
        matches!(self.user.role, Role::Staff | Role::Approver) && agency == self.user.agency
    }

    /// Whether the account may approve extensions and publish reports of `agency`.
    pub fn can_approve(&self, agency: &str) -> bool {
        self.user.role == Role::Approver && agency == self.user.agency
    }

    /// [`WebError::Forbidden`] unless [`CurrentUser::can_read`].
    pub fn require_read(&self, agency: &str) -> Result<(), WebError> {
        if self.can_read(agency) {
            Ok(())
        } else {
            Err(WebError::Forbidden(format!("无权查看机关 {agency} 的数据")))
        }
    }

    /// [`WebError::Forbidden`] unless [`CurrentUser::can_write`].
    pub fn require_write(&self, agency: &str) -> Result<(), WebError> {
        if self.can_write(agency) {
            Ok(())
        } else {
            Err(WebError::Forbidden(format!("{}无权修改机关 {agency} 的登记", self.user.role.label_zh())))
        }
    }

    /// Records an audit event by this user (B2.3): never fails the request, but a failure to
    /// record is logged as an error.
    pub async fn audit(&self, state: &AppState, event_type: &str, target: &str, success: bool, detail: Option<String>) {
        let e = AuditEvent {
            username: Some(self.user.username.clone()),
            role: Some(self.user.role),
            agency: Some(self.user.agency.clone()),
            event_type: event_type.to_string(),
            target: Some(target.to_string()),
            success,
            source: self.source.clone(),
            detail,
        };
        record(state, &e).await;
    }
}

/// Writes an audit event; a failure is logged (the action itself already happened or failed).
pub async fn record(state: &AppState, e: &AuditEvent) {
    if let Err(err) = state.store.append_audit(e, Utc::now()).await {
        tracing::error!(event = %e.event_type, error = %err, "audit event not recorded");
    }
}

impl<S> FromRequestParts<S> for CurrentUser
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let state = AppState::from_ref(state);
        let next = parts.uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_default();
        let Some(token) = session_cookie(&parts.headers) else {
            return Err(WebError::Login(next));
        };
        let Some(session) = state.store.session(&token, Utc::now()).await.map_err(WebError::from)? else {
            return Err(WebError::Login(next));
        };
        if let Some((false, reason, message)) = confinement(session.user.role, parts.uri.path()) {
            let e = AuditEvent {
                username: Some(session.user.username.clone()),
                role: Some(session.user.role),
                agency: Some(session.user.agency.clone()),
                event_type: "access.denied".into(),
                target: Some(parts.uri.path().to_string()),
                success: false,
                source: client_address(parts),
                detail: Some(reason.into()),
            };
            record(&state, &e).await;
            return Err(WebError::Forbidden(message.into()));
        }
        // B2.1 d: where two-factor login is required — for every account, or for this one by
        // the administrator — an account without it may only enrol (or change its password, or
        // log out) until it has.
        if !mfa_exempt(parts.uri.path())
            && (session.user.mfa_required || state.store.require_mfa().await.map_err(WebError::from)?)
            && state.store.totp_secret(&session.user.id).await.map_err(WebError::from)?.is_none()
        {
            return Err(WebError::Forbidden(
                "本系统要求双因素认证：请先在“双因素认证”页面（/console/mfa）启用后再办理".into(),
            ));
        }
        let scope = match session.user.role {
            Role::Staff | Role::Approver => Scope::Own,
            Role::Administrator => Scope::All,
            Role::Auditor | Role::SecurityAdmin => Scope::Nothing,
            Role::Supervisor => Scope::Subtree(
                state
                    .store
                    .agency_subtree(&session.user.agency)
                    .await
                    .map_err(WebError::from)?
                    .into_iter()
                    .map(|a| a.code)
                    .chain(std::iter::once(session.user.agency.clone()))
                    .collect(),
            ),
        };
        Ok(CurrentUser { user: session.user, csrf: session.csrf_token, scope, source: client_address(parts) })
    }
}

/// The redirect to the login page, then back to `next` when it is a safe local path.
pub(crate) fn login_redirect(next: &str) -> Response {
    let target = if safe_next(next) {
        format!("/console/login?next={}", url_encode(next))
    } else {
        "/console/login".to_string()
    };
    Redirect::to(&target).into_response()
}

/// The client address: the socket peer (the server is expected to face the proxy; the proxy's
/// own header is not trusted for the audit trail).
fn client_address(parts: &Parts) -> Option<String> {
    parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string())
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn session_cookie(headers: &HeaderMap) -> Option<String> {
    cookie(headers, COOKIE_SECURE)
        .or_else(|| cookie(headers, COOKIE))
        .filter(|v| !v.is_empty() && v.len() <= 128)
        .map(str::to_string)
}

/// Whether the request reached us over https (directly or through the proxy).
pub(crate) fn is_https(headers: &HeaderMap) -> bool {
    headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()).is_some_and(|v| v.eq_ignore_ascii_case("https"))
        || headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("https://"))
}

fn set_cookie(headers: &HeaderMap, name_plain: &str, value: &str, max_age: i64) -> Option<HeaderValue> {
    let (name, secure) = if is_https(headers) && name_plain == COOKIE {
        (COOKIE_SECURE, "; Secure")
    } else {
        (name_plain, if is_https(headers) { "; Secure" } else { "" })
    };
    HeaderValue::from_str(&format!("{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}")).ok()
}

/// Only local console paths may be a redirect target after login (no open redirect).
fn safe_next(next: &str) -> bool {
    // A line break would split the Location header (issue 21 item 8): refused with the rest.
    next.starts_with("/console")
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.starts_with("/console/log")
        && !next.chars().any(|c| c.is_control() || c.is_whitespace())
}

pub(crate) fn url_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// CSRF

/// The checks of [`ConsoleForm`] for a form it cannot parse (a `multipart/form-data` upload): the
/// origin headers and the `csrf` part equal to the session's token; a 403 and an audit event
/// `csrf` otherwise.
pub async fn check_csrf(
    state: &AppState,
    user: &CurrentUser,
    headers: &HeaderMap,
    path: &str,
    token: &str,
) -> Result<(), WebError> {
    if same_origin(headers) && tokens_equal(token, &user.csrf) {
        return Ok(());
    }
    user.audit(state, "csrf", path, false, Some("CSRF token or origin check failed".into())).await;
    Err(WebError::Forbidden("表单已失效或来源不明，请返回页面刷新后重试".into()))
}

/// The Fetch-Metadata / Origin check (ASVS 3.5.1–3.5.3): a state-changing request must come from
/// this site. Browsers that send neither header pass here and are held by the token.
fn same_origin(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        if !matches!(site, "same-origin" | "none") {
            return false;
        }
    }
    if let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
        let origin_host = origin.split_once("://").map_or("", |(_, h)| h);
        if origin == "null" || origin_host != host {
            return false;
        }
    }
    true
}

/// Compares two tokens in time independent of where they differ.
fn tokens_equal(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A console form POST: the logged-in user and the form `T`, after the CSRF checks — the origin
/// headers and the hidden `csrf` field equal to the session's token. A failed check is a 403 and
/// an audit event `csrf`.
pub struct ConsoleForm<T> {
    /// Who posted.
    pub user: CurrentUser,
    /// The form fields.
    pub form: T,
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for ConsoleForm<T> {
    type Rejection = WebError;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = req.into_parts();
        let user = CurrentUser::from_request_parts(&mut parts, state).await?;
        let bytes = axum::body::to_bytes(body, crate::BODY_LIMIT_BYTES)
            .await
            .map_err(|_| WebError::Invalid(vec![crate::error::FieldError::new("form", "表单过大或不完整")]))?;
        let fields: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| WebError::Invalid(vec![crate::error::FieldError::new("form", "表单格式有误")]))?;
        let token = fields.iter().find(|(k, _)| k == "csrf").map(|(_, v)| v.as_str()).unwrap_or("");
        check_csrf(state, &user, &parts.headers, parts.uri.path(), token).await?;
        let form = serde_urlencoded::from_bytes(&bytes).map_err(|e| {
            WebError::Invalid(vec![crate::error::FieldError::new("form", format!("表单内容有误：{e}"))])
        })?;
        Ok(ConsoleForm { user, form })
    }
}

// ---------------------------------------------------------------------------------------------
// Pages

#[derive(Template)]
#[template(path = "console/login.html")]
struct LoginPage {
    chrome: Chrome,
    csrf: String,
    next: String,
    username: String,
    error: Option<String>,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

fn login_response(headers: &HeaderMap, page: LoginPage, status: StatusCode) -> Response {
    let token = page.csrf.clone();
    match render(&page) {
        Ok(html) => {
            let mut r = (status, html).into_response();
            if let Some(c) = set_cookie(headers, LOGIN_COOKIE, &token, 3600) {
                r.headers_mut().append(header::SET_COOKIE, c);
            }
            r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            r
        }
        Err(e) => e.into_response(),
    }
}

fn login_page_for(
    state: &AppState,
    next: String,
    username: String,
    error: Option<String>,
) -> Result<LoginPage, WebError> {
    Ok(LoginPage {
        chrome: Chrome::new(&state.site, "登录政府信息公开工作平台", "办事服务"),
        csrf: gongkai_store::random_token()?,
        next: if safe_next(&next) { next } else { "/console".into() },
        username,
        error,
    })
}

async fn login_page(
    State(state): State<AppState>,
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<NextQuery>,
) -> Response {
    match login_page_for(&state, q.next.unwrap_or_default(), String::new(), None) {
        Ok(page) => login_response(&headers, page, StatusCode::OK),
        Err(e) => e.into_response(),
    }
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    next: String,
    /// 动态口令 (TOTP), required once the account has two-factor login on.
    #[serde(default)]
    code: String,
}

/// A hash to verify against when the username is unknown, so that the answer takes as long.
static DUMMY_HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();

async fn login(
    State(state): State<AppState>,
    connect: Option<axum::Extension<ConnectInfo<SocketAddr>>>,
    headers: HeaderMap,
    axum::Form(f): axum::Form<LoginForm>,
) -> Response {
    let source = connect.as_ref().map(|c| c.0 .0.ip().to_string());
    let now = Utc::now();
    let username = f.username.trim().chars().take(64).collect::<String>();
    let fail = |msg: &str, status| match login_page_for(&state, f.next.clone(), username.clone(), Some(msg.into())) {
        Ok(page) => login_response(&headers, page, status),
        Err(e) => e.into_response(),
    };
    let audit = |user: Option<&User>, kind: &str, success: bool, detail: Option<&str>| AuditEvent {
        username: Some(username.clone()),
        role: user.map(|u| u.role),
        agency: user.map(|u| u.agency.clone()),
        event_type: kind.into(),
        target: None,
        success,
        source: source.clone(),
        detail: detail.map(str::to_string),
    };
    let expected = cookie(&headers, LOGIN_COOKIE).unwrap_or("");
    if !same_origin(&headers) || expected.is_empty() || !tokens_equal(expected, &f.csrf) {
        record(&state, &audit(None, "login", false, Some("CSRF check failed"))).await;
        return fail("登录表单已失效，请重新登录", StatusCode::FORBIDDEN);
    }
    if username.is_empty() || f.password.is_empty() || f.password.chars().count() > gongkai_store::PASSWORD_MAX_CHARS {
        return fail("请输入用户名和口令", StatusCode::UNPROCESSABLE_ENTITY);
    }
    // Besides each account's lock: one address trying many accounts (issue 21 item 7).
    let peer = crate::ratelimit::PeerIp(connect.as_ref().map(|c| c.0 .0.ip()));
    if let Err(WebError::TooManyRequests { retry_after }) = state.login_limiter.take(peer) {
        record(&state, &audit(None, "login", false, Some("too many attempts from this address"))).await;
        let mut r = fail(&format!("本地址登录尝试过于频繁，请 {retry_after} 秒后再试"), StatusCode::TOO_MANY_REQUESTS);
        if let Ok(v) = axum::http::HeaderValue::from_str(&retry_after.to_string()) {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return r;
    }
    let found = match state.store.user_for_login(&username).await {
        Ok(f) => f,
        Err(e) => return WebError::from(e).into_response(),
    };
    let generic = "用户名或口令错误";
    let Some((user, hash)) = found else {
        let dummy = DUMMY_HASH.get_or_init(|| gongkai_store::hash_password("gongkai-dummy-Pw1").unwrap_or_default());
        gongkai_store::verify_password_blocking(f.password.clone(), dummy.clone()).await;
        record(&state, &audit(None, "login", false, Some("unknown user"))).await;
        return fail(generic, StatusCode::UNAUTHORIZED);
    };
    if user.disabled {
        record(&state, &audit(Some(&user), "login", false, Some("account disabled"))).await;
        return fail(generic, StatusCode::UNAUTHORIZED);
    }
    if user.is_locked(now) {
        record(&state, &audit(Some(&user), "login", false, Some("account locked"))).await;
        return fail("连续登录失败次数过多，账号已锁定15分钟，请稍后再试", StatusCode::TOO_MANY_REQUESTS);
    }
    if !gongkai_store::verify_password_blocking(f.password.clone(), hash).await {
        let after = match state.store.record_login_failure(&user.id, now).await {
            Ok(u) => u,
            Err(e) => return WebError::from(e).into_response(),
        };
        record(&state, &audit(Some(&user), "login", false, Some("wrong password"))).await;
        if after.is_locked(now) {
            record(&state, &audit(Some(&user), "account.lock", true, Some("5 failed logins"))).await;
            return fail("连续登录失败次数过多，账号已锁定15分钟，请稍后再试", StatusCode::TOO_MANY_REQUESTS);
        }
        return fail(generic, StatusCode::UNAUTHORIZED);
    }
    // The second factor (B2.1 d): once enrolled, a wrong or missing code is a failed login.
    let totp = match state.store.totp_secret(&user.id).await {
        Ok(t) => t,
        Err(e) => return WebError::from(e).into_response(),
    };
    let enrolled = totp.is_some();
    if let Some(secret) = totp {
        let accepted = match crate::mfa::accept(&state, &user.id, &secret, &f.code).await {
            Ok(a) => a,
            Err(e) => return e.into_response(),
        };
        if !accepted {
            let after = match state.store.record_login_failure(&user.id, now).await {
                Ok(u) => u,
                Err(e) => return WebError::from(e).into_response(),
            };
            let why = if f.code.trim().is_empty() { "one-time code missing" } else { "wrong or used one-time code" };
            record(&state, &audit(Some(&user), "login", false, Some(why))).await;
            if after.is_locked(now) {
                record(&state, &audit(Some(&user), "account.lock", true, Some("5 failed logins"))).await;
                return fail("连续登录失败次数过多，账号已锁定15分钟，请稍后再试", StatusCode::TOO_MANY_REQUESTS);
            }
            return fail("该账号已启用双因素认证：请输入验证器当前显示的6位动态口令", StatusCode::UNAUTHORIZED);
        }
    }
    let session = match async {
        state.store.record_login_success(&user.id, now).await?;
        state.store.create_session(&user.id, source.as_deref(), now).await
    }
    .await
    {
        Ok(s) => s,
        Err(e) => return WebError::from(e).into_response(),
    };
    let detail = user.password_expired(now).then_some("password older than 90 days");
    record(&state, &audit(Some(&user), "login", true, detail)).await;
    // The auditor's and the security administrator's consoles are their own pages (B2.6); the
    // inbox would only refuse them.
    let confined_elsewhere = matches!(confinement(user.role, &f.next), Some((false, _, _)));
    // B2.1 d: an account that must log in with a second factor (every account, or this one by
    // the administrator) and has none yet goes straight to enrolling it: every other page would
    // refuse it until it has.
    let must_enrol = !enrolled
        && (user.mfa_required
            || match state.store.require_mfa().await {
                Ok(on) => on,
                Err(e) => return WebError::from(e).into_response(),
            });
    let target = if must_enrol {
        "/console/mfa".to_string()
    } else if safe_next(&f.next) && !confined_elsewhere {
        f.next.clone()
    } else {
        home_of(user.role).to_string()
    };
    let mut r = Redirect::to(&target).into_response();
    let max_age = gongkai_store::SESSION_ABSOLUTE.num_seconds();
    if let Some(c) = set_cookie(&headers, COOKIE, &session.token, max_age) {
        r.headers_mut().append(header::SET_COOKIE, c);
    }
    if let Some(c) = set_cookie(&headers, LOGIN_COOKIE, "", 0) {
        r.headers_mut().append(header::SET_COOKIE, c);
    }
    r
}

#[derive(Deserialize)]
struct LogoutForm {}

async fn logout(State(state): State<AppState>, headers: HeaderMap, form: ConsoleForm<LogoutForm>) -> Response {
    let ConsoleForm { user, form: LogoutForm {} } = form;
    if let Some(token) = session_cookie(&headers) {
        if let Err(e) = state.store.delete_session(&token).await {
            return WebError::from(e).into_response();
        }
    }
    user.audit(&state, "logout", &user.user.username, true, None).await;
    let mut r = Redirect::to("/console/login").into_response();
    if let Some(c) = set_cookie(&headers, COOKIE, "", 0) {
        r.headers_mut().append(header::SET_COOKIE, c);
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn asvs_3_5_cross_site_posts_are_refused() {
        assert!(same_origin(&headers(&[("host", "gk.example"), ("origin", "http://gk.example")])));
        assert!(same_origin(&headers(&[("host", "gk.example"), ("sec-fetch-site", "same-origin")])));
        assert!(same_origin(&headers(&[("host", "gk.example")])), "no headers: left to the token");
        assert!(!same_origin(&headers(&[("host", "gk.example"), ("origin", "http://evil.example")])));
        assert!(!same_origin(&headers(&[("host", "gk.example"), ("sec-fetch-site", "cross-site")])));
        assert!(!same_origin(&headers(&[("host", "gk.example"), ("origin", "null")])));
    }

    #[test]
    fn session_cookie_is_read_from_either_name() {
        assert_eq!(session_cookie(&headers(&[("cookie", "a=1; gk_session=abc")])).as_deref(), Some("abc"));
        assert_eq!(session_cookie(&headers(&[("cookie", "__Host-gk_session=xyz")])).as_deref(), Some("xyz"));
        assert_eq!(session_cookie(&headers(&[("cookie", "gk_session=")])), None);
    }

    #[test]
    fn asvs_3_3_cookie_flags() {
        let plain = set_cookie(&headers(&[]), COOKIE, "v", 60).unwrap();
        let s = plain.to_str().unwrap();
        assert!(s.starts_with("gk_session=v;") && s.contains("HttpOnly") && s.contains("SameSite=Strict"), "{s}");
        assert!(!s.contains("Secure"));
        let tls = set_cookie(&headers(&[("x-forwarded-proto", "https")]), COOKIE, "v", 60).unwrap();
        let s = tls.to_str().unwrap();
        assert!(s.starts_with("__Host-gk_session=v;") && s.contains("; Secure"), "{s}");
    }

    #[test]
    fn only_console_paths_are_redirect_targets() {
        assert!(safe_next("/console/requests/1"));
        assert!(!safe_next("//evil.example/console"));
        assert!(!safe_next("https://evil.example"));
        assert!(!safe_next("/console/logout"));
        assert!(!safe_next("/console\r\nSet-Cookie: x=1"), "header injection");
        assert!(!safe_next("/console\u{0}"));
        assert!(tokens_equal("abc", "abc") && !tokens_equal("abc", "abd") && !tokens_equal("abc", "ab"));
    }
}
