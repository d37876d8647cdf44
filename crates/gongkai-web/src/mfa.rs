//! Two-factor login for console accounts (B2.1 d: GB/T 22239-2019 8.1.4.1 asks for two or more
//! kinds of authentication, one of them cryptographic): a time-based one-time password (TOTP,
//! RFC 6238 — HMAC-SHA-1, 30-second steps, 6 digits), the kind every authenticator app reads.
//!
//! `/console/mfa` lets a user turn it on (the server generates a secret, keeps it encrypted as
//! pending and shows it once, as text and as an `otpauth://` URI; it becomes the login's secret
//! only after a correct code proves the app has it) and off (a current code is needed). Once
//! on, the login form's 动态口令 must be right too; a wrong, missing or already used code counts
//! as a failed login (the five-failure lock-out applies). Each code is accepted once (ASVS
//! 6.5.1): the newest accepted step is stored.

use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use hmac::{KeyInit, Mac};
use serde::Deserialize;

use crate::auth::{ConsoleForm, CurrentUser};
use crate::console::{chrome, page, Me};
use crate::error::WebError;
use crate::layout::Chrome;
use crate::AppState;

/// Seconds per step (RFC 6238 default).
const STEP: u64 = 30;
/// Digits of a code.
const DIGITS: u32 = 6;

/// The RFC 4226 HOTP value of `secret` at `counter`, `digits` long.
fn hotp(secret: &[u8], counter: u64, digits: u32) -> Option<u32> {
    let mut mac = hmac::Hmac::<sha1::Sha1>::new_from_slice(secret).ok()?;
    mac.update(&counter.to_be_bytes());
    let h = mac.finalize().into_bytes();
    let offset = usize::from(h.last()? & 0x0f);
    let b = h.get(offset..offset + 4)?;
    let bin = u32::from_be_bytes([b[0] & 0x7f, b[1], b[2], b[3]]);
    Some(bin % 10u32.pow(digits))
}

/// The TOTP code of `secret` at Unix time `unix` (RFC 6238, SHA-1, 30 s).
pub fn totp(secret: &[u8], unix: u64, digits: u32) -> Option<u32> {
    hotp(secret, unix / STEP, digits)
}

/// The 6-digit code of a base32 secret at `unix`, as an authenticator app shows it.
pub fn code_at(secret_b32: &str, unix: u64) -> Option<String> {
    let key = decode(secret_b32)?;
    totp(&key, unix, DIGITS).map(|c| format!("{c:06}"))
}

/// The 30-second step whose code `code` is, among the step of `unix` and the steps before and
/// after it (clocks drift; RFC 6238 §5.2); `None` if it is none of them. The latest step wins, so
/// that a code, once accepted, can never be accepted again ([`accept`]).
pub fn step_of(secret_b32: &str, unix: u64, code: &str) -> Option<i64> {
    let code = code.trim();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    [unix + STEP, unix, unix.saturating_sub(STEP)]
        .into_iter()
        .find(|t| code_at(secret_b32, *t).as_deref() == Some(code))
        .and_then(|t| i64::try_from(t / STEP).ok())
}

/// Whether `code` is a current code of the account's `secret` that was not used before (ASVS
/// 6.5.1: a one-time password is accepted once): its step is recorded, so a replay within the
/// same 30 seconds — or of any earlier code — fails.
pub(crate) async fn accept(state: &AppState, user_id: &str, secret: &str, code: &str) -> Result<bool, WebError> {
    let Some(step) = step_of(secret, now_unix(), code) else { return Ok(false) };
    Ok(state.store.accept_totp_step(user_id, step).await?)
}

fn decode(secret_b32: &str) -> Option<Vec<u8>> {
    data_encoding::BASE32_NOPAD.decode(secret_b32.trim().to_ascii_uppercase().as_bytes()).ok()
}

/// A new random secret of 160 bits (RFC 4226's recommended length), base32.
fn new_secret() -> Result<String, WebError> {
    let hex = gongkai_store::random_token()?;
    let bytes: Vec<u8> = (0..20).filter_map(|i| u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()).collect();
    Ok(data_encoding::BASE32_NOPAD.encode(&bytes))
}

fn now_unix() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp()).unwrap_or(0)
}

/// The routes of `/console/mfa`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/console/mfa", get(status_page))
        .route("/console/mfa/start", post(start))
        .route("/console/mfa/confirm", post(confirm))
        .route("/console/mfa/disable", post(disable))
}

#[derive(Template)]
#[template(path = "console/mfa.html")]
struct MfaPage {
    chrome: Chrome,
    me: Me,
    enabled: bool,
    /// A new secret being set up (shown once, until confirmed).
    secret: Option<String>,
    uri: Option<String>,
    error: Option<String>,
    done: Option<&'static str>,
}

fn mfa_page(state: &AppState, user: &CurrentUser, enabled: bool) -> MfaPage {
    MfaPage {
        chrome: chrome(state, "双因素认证"),
        me: Me::of(user),
        enabled,
        secret: None,
        uri: None,
        error: None,
        done: None,
    }
}

#[derive(Deserialize)]
struct DoneQuery {
    done: Option<String>,
}

async fn status_page(
    State(state): State<AppState>,
    user: CurrentUser,
    axum::extract::Query(q): axum::extract::Query<DoneQuery>,
) -> Result<Response, WebError> {
    let enabled = state.store.totp_secret(&user.user.id).await?.is_some();
    let mut p = mfa_page(&state, &user, enabled);
    p.done = match q.done.as_deref() {
        Some("on") => Some("双因素认证已启用：今后登录须同时输入动态口令。"),
        Some("off") => Some("双因素认证已关闭。"),
        _ => None,
    };
    page(&p, StatusCode::OK)
}

#[derive(Deserialize)]
struct Empty {}

/// The `otpauth://` address of a secret, for the authenticator app.
fn otpauth_uri(username: &str, secret: &str) -> String {
    let issuer = "gongkai";
    format!("otpauth://totp/{issuer}:{username}?secret={secret}&issuer={issuer}&algorithm=SHA1&digits=6&period=30")
}

/// A new secret to add to the authenticator app, generated and kept (encrypted) by the server
/// until a code confirms it; the login does not use it yet.
async fn start(State(state): State<AppState>, form: ConsoleForm<Empty>) -> Result<Response, WebError> {
    let user = form.user;
    let enabled = state.store.totp_secret(&user.user.id).await?.is_some();
    let secret = new_secret()?;
    state.store.set_totp_pending(&user.user.id, Some(&secret)).await?;
    let mut p = mfa_page(&state, &user, enabled);
    p.uri = Some(otpauth_uri(&user.user.username, &secret));
    p.secret = Some(secret);
    page(&p, StatusCode::OK)
}

#[derive(Deserialize)]
struct ConfirmForm {
    #[serde(default)]
    code: String,
}

/// Enables the secret the server generated at the start once a code from the app matches it. A
/// secret the client sends is never used (issue 21 item 4): the form carries none.
async fn confirm(State(state): State<AppState>, form: ConsoleForm<ConfirmForm>) -> Result<Response, WebError> {
    let ConsoleForm { user, form: f } = form;
    let Some(secret) = state.store.totp_pending(&user.user.id).await? else {
        user.audit(&state, "mfa.enable", &user.user.username, false, Some("no enrolment started".into())).await;
        let mut p = mfa_page(&state, &user, state.store.totp_secret(&user.user.id).await?.is_some());
        p.error = Some("设置已失效，请点击“启用双因素认证”重新开始".into());
        return page(&p, StatusCode::UNPROCESSABLE_ENTITY);
    };
    let Some(step) = step_of(&secret, now_unix(), &f.code) else {
        user.audit(&state, "mfa.enable", &user.user.username, false, Some("wrong code".into())).await;
        let mut p = mfa_page(&state, &user, false);
        p.uri = Some(otpauth_uri(&user.user.username, &secret));
        p.secret = Some(secret);
        p.error = Some("动态口令不正确：请输入验证器当前显示的6位数字".into());
        return page(&p, StatusCode::UNPROCESSABLE_ENTITY);
    };
    // Enabled together with its audit record (issue 21 item 2).
    let event = user.actor().event("mfa.enable", &user.user.username, true, None);
    state.store.audited(event, chrono::Utc::now()).set_totp_secret(&user.user.id, Some(&secret)).await?;
    // The confirming code is used: it cannot log in afterwards.
    state.store.accept_totp_step(&user.user.id, step).await?;
    Ok(Redirect::to("/console/mfa?done=on").into_response())
}

#[derive(Deserialize)]
struct DisableForm {
    #[serde(default)]
    code: String,
}

/// Turns two-factor login off, with a current code.
async fn disable(State(state): State<AppState>, form: ConsoleForm<DisableForm>) -> Result<Response, WebError> {
    let ConsoleForm { user, form: f } = form;
    let Some(secret) = state.store.totp_secret(&user.user.id).await? else {
        return Ok(Redirect::to("/console/mfa").into_response());
    };
    if !accept(&state, &user.user.id, &secret, &f.code).await? {
        user.audit(&state, "mfa.disable", &user.user.username, false, Some("wrong or used code".into())).await;
        let mut p = mfa_page(&state, &user, true);
        p.error = Some("动态口令不正确，双因素认证未关闭".into());
        return page(&p, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let event = user.actor().event("mfa.disable", &user.user.username, true, None);
    state.store.audited(event, chrono::Utc::now()).set_totp_secret(&user.user.id, None).await?;
    Ok(Redirect::to("/console/mfa?done=off").into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 Appendix B, SHA-1 (key "12345678901234567890", 8 digits).
    #[test]
    fn rfc_6238_test_vectors() {
        let key = b"12345678901234567890";
        for (t, code) in [
            (59u64, 94287082u32),
            (1111111109, 7081804),
            (1111111111, 14050471),
            (1234567890, 89005924),
            (2000000000, 69279037),
            (20000000000, 65353130),
        ] {
            assert_eq!(totp(key, t, 8), Some(code), "T = {t}");
        }
    }

    #[test]
    fn codes_of_the_neighbouring_steps_are_accepted_and_others_refused() {
        let secret = data_encoding::BASE32_NOPAD.encode(b"12345678901234567890");
        assert_eq!(code_at(&secret, 59).as_deref(), Some("287082"));
        assert_eq!(step_of(&secret, 59, "287082"), Some(1));
        assert_eq!(step_of(&secret, 59 + 30, "287082"), Some(1), "one step late");
        assert_eq!(step_of(&secret, 59 - 30, "287082"), Some(1), "one step early");
        assert_eq!(step_of(&secret, 59 + 90, "287082"), None, "three steps late");
        assert_eq!(step_of(&secret, 59, "28708"), None);
        assert_eq!(step_of(&secret, 59, "abcdef"), None);
        assert_eq!(step_of("not base32!", 59, "287082"), None);
    }

    #[test]
    fn new_secrets_are_160_bits_and_differ() {
        let (a, b) = (new_secret().ok(), new_secret().ok());
        assert_eq!(a.as_deref().and_then(decode).map(|k| k.len()), Some(20));
        assert_ne!(a, b);
    }
}
