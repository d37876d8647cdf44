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
use crate::error::WebError;
use crate::AppState;

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

async fn create(State(state): State<AppState>, form: ConsoleForm<NewToken>) -> Result<Response, WebError> {
    let ConsoleForm { user, form } = form;
    // A validity that is not a number is out of range all the same: the use case says so.
    let days = form.days.trim().parse::<i64>().unwrap_or(0);
    let new = gongkai_app::tokens::NewToken { name: form.name, days };
    match gongkai_app::tokens::create(&state.store, &state.clock, &user.actor(), new).await {
        Ok((_, value)) => render_list(&state, &user, Some(value), None, StatusCode::CREATED).await,
        // The reason names the field by its label already; the key is for the API.
        Err(gongkai_app::AppError::Invalid { message, .. }) => {
            render_list(&state, &user, None, Some(message), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Deserialize)]
struct RevokeForm {}

async fn revoke(
    State(state): State<AppState>,
    Path(id): Path<String>,
    form: ConsoleForm<RevokeForm>,
) -> Result<Response, WebError> {
    gongkai_app::tokens::revoke(&state.store, &state.clock, &form.user.actor(), &id).await?;
    Ok(Redirect::to("/console/tokens").into_response())
}
