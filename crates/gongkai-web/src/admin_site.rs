//! 网站设置 in the console (issue 18 item 2; spec A3.1): the administrator keeps the site's
//! identity — 网站名称, 主办单位, 网站标识码, ICP and 公安 numbers, 「我为政府网站找错」 — in the
//! database through the use case `gongkai site set` calls (`gongkai_app::site::set`), and the
//! footer changes at once. An item a `serve` flag fixes is shown as such: the flag wins.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use gongkai_app::site::{SiteConfig, SiteSettings, FIELDS};
use gongkai_app::AppError;

use crate::admin::{require_admin, DoneQuery};
use crate::auth::{ConsoleForm, CurrentUser};
use crate::console::{chrome, page, Me};
use crate::error::WebError;
use crate::AppState;

pub fn routes() -> Router<AppState> {
    Router::new().route("/console/admin/site", get(site).post(save))
}

/// One item of the form.
struct Item {
    key: &'static str,
    label: &'static str,
    /// What is stored (empty: the default).
    value: String,
    /// The default shown as the placeholder.
    default: String,
    /// The value a `serve` flag fixes over what is stored, if any.
    fixed: Option<String>,
}

#[derive(Template)]
#[template(path = "console/admin_site.html")]
struct SitePage {
    chrome: crate::layout::Chrome,
    me: Me,
    items: Vec<Item>,
    /// The footer items the pages still show as placeholders.
    unset: Vec<&'static str>,
    error: Option<String>,
    notice: Option<String>,
}

async fn site_page(
    state: &AppState,
    user: &CurrentUser,
    shown: &SiteSettings,
    error: Option<String>,
    notice: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let defaults = SiteConfig::default();
    let overrides = state.site.overrides();
    let items = FIELDS
        .iter()
        .map(|f| Item {
            key: f.key,
            label: f.label,
            value: f.stored(shown).clone().unwrap_or_default(),
            default: f.get(&defaults).clone(),
            fixed: f.stored(overrides).clone().filter(|v| !v.trim().is_empty()),
        })
        .collect();
    let unset = state.site.current().unset().iter().map(|f| f.label).collect();
    page(&SitePage { chrome: chrome(state, "网站设置"), me: Me::of(user), items, unset, error, notice }, status)
}

/// `GET /console/admin/site`: the stored identity in a form.
async fn site(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(q): Query<DoneQuery>,
) -> Result<Response, WebError> {
    require_admin(&state, &user, "config.site", "/console/admin/site").await?;
    let stored = gongkai_app::site::stored(&state.store).await?;
    let notice = (q.done.as_deref() == Some("saved")).then(|| "网站设置已保存，页脚已按新设置显示".to_string());
    site_page(&state, &user, &stored, None, notice, StatusCode::OK).await
}

/// `POST /console/admin/site`: replaces the stored identity; a refused item shows the form again
/// as typed (422), nothing stored.
async fn save(State(state): State<AppState>, form: ConsoleForm<HashMap<String, String>>) -> Result<Response, WebError> {
    let ConsoleForm { user, form } = form;
    require_admin(&state, &user, "config.site", "site_identity").await?;
    let mut given = SiteSettings::default();
    for f in &FIELDS {
        *f.stored_mut(&mut given) = form.get(f.key).cloned();
    }
    match gongkai_app::site::set(&state.store, &state.clock, &user.actor(), given.clone()).await {
        Ok(stored) => {
            state.site.apply(&stored);
            Ok(Redirect::to("/console/admin/site?done=saved").into_response())
        }
        Err(e @ AppError::Invalid { .. }) => {
            site_page(&state, &user, &given, Some(e.to_string()), None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(e) => Err(e.into()),
    }
}
