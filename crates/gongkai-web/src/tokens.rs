//! 访问令牌: API bearer tokens of the logged-in account (`/console/tokens`), for the staff
//! endpoints of the JSON API (`/api/v1/staff/…`). A token's value is shown once, when it is
//! created; only its hash is stored (gongkai-store). Every creation and revocation is audited.

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use gongkai_store::ApiToken;
use serde::Deserialize;

use crate::auth::{ConsoleForm, CurrentUser};
use crate::console::{chrome, page, Me};
use crate::error::{FieldError, WebError};
use crate::AppState;

/// The longest validity a token may be given (days).
pub const MAX_TOKEN_DAYS: i64 = 365;

pub fn routes() -> Router<AppState> {
    Router::new().route("/console/tokens", get(list).post(create)).route("/console/tokens/{id}/revoke", post(revoke))
}

#[derive(Template)]
#[template(path = "console/tokens.html")]
struct TokensPage {
    chrome: crate::layout::Chrome,
    me: Me,
    tokens: Vec<ApiToken>,
    /// The value of the token just created (shown once).
    created: Option<String>,
    error: Option<String>,
}

async fn render_list(
    state: &AppState,
    user: &CurrentUser,
    created: Option<String>,
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let tokens = state.store.list_api_tokens(&user.user.id).await.map_err(WebError::from)?;
    page(&TokensPage { chrome: chrome(state, "访问令牌（API）"), me: Me::of(user), tokens, created, error }, status)
}

async fn list(State(state): State<AppState>, user: CurrentUser) -> Result<Response, WebError> {
    render_list(&state, &user, None, None, StatusCode::OK).await
}

#[derive(Deserialize)]
struct NewToken {
    name: String,
    days: String,
}

/// The token's name and validity, or the field that is wrong and why.
fn validate(f: &NewToken) -> Result<(String, i64), FieldError> {
    let name = f.name.trim();
    if name.is_empty() || name.chars().count() > 60 {
        return Err(FieldError::new("name", "名称不能为空，且不超过60个字符"));
    }
    match f.days.trim().parse::<i64>() {
        Ok(d @ 1..=MAX_TOKEN_DAYS) => Ok((name.to_string(), d)),
        _ => Err(FieldError::new("days", format!("有效期应为 1 至 {MAX_TOKEN_DAYS} 天"))),
    }
}

async fn create(State(state): State<AppState>, form: ConsoleForm<NewToken>) -> Result<Response, WebError> {
    let ConsoleForm { user, form } = form;
    let (name, days) = match validate(&form) {
        Ok(v) => v,
        Err(e) => {
            // The reason names the field by its label already; the key is for the API.
            let msg = e.reason;
            return render_list(&state, &user, None, Some(msg), StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    let now = chrono::Utc::now();
    let (token, value) = state
        .store
        .create_api_token(&user.user.id, &name, Some(now + chrono::Duration::days(days)), now)
        .await
        .map_err(WebError::from)?;
    user.audit(&state, "api_token.create", &token.id, true, None).await;
    render_list(&state, &user, Some(value), None, StatusCode::CREATED).await
}

#[derive(Deserialize)]
struct RevokeForm {}

async fn revoke(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: ConsoleForm<RevokeForm>,
) -> Result<Response, WebError> {
    let user = form.user;
    match state.store.revoke_api_token(&user.user.id, &id, chrono::Utc::now()).await {
        Ok(()) => {
            user.audit(&state, "api_token.revoke", &id, true, None).await;
            Ok(Redirect::to("/console/tokens").into_response())
        }
        Err(e) => {
            user.audit(&state, "api_token.revoke", &id, false, Some("not found".into())).await;
            Err(WebError::from(e))
        }
    }
}
