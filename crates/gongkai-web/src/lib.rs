//! gongkai-web: the web application — public disclosure portal (政府信息公开专栏), office console
//! and JSON API — on the same [`gongkai_store::Store`] as the CLI.
//!
//! - [`router`] builds the whole application: public portal pages ([`portal`]), the JSON API under
//!   `/api/v1` ([`api`]), the office console and login (`console`, `auth`), `GET /healthz`; then the
//!   cross-cutting layers: request ids in logs, security headers, body size limit, the input
//!   guard (`guard`: control characters, JSON content type, HSTS), timeout, compression. [`serve`] runs it with the peer address available to handlers (rate limiting).
//! - Pages are askama templates under `templates/`, all extending `base.html` (the page chrome of
//!   spec A3.1/A3.2: meta tags, skip link, footer items from [`SiteConfig`]).
//! - Errors: one [`WebError`] type turned into responses — 404, 422 with the field and reason,
//!   429; never a 500 for bad input.
//!
//! **Invariant:** applicant data (personal information) never appears on a public page, in an API
//! answer of a public endpoint, or in a log line.

#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod admin;
mod admin_agency;
mod admin_site;
pub mod api;
mod article20;
mod attachment;
mod auth;
pub mod cache;
mod cases;
mod console;
mod documents;
pub mod error;
pub mod filing;
mod guard;
mod guide_editor;
pub mod layout;
pub mod mfa;
mod oversight;
mod portal;
mod proactive_register;
mod published;
pub mod ratelimit;
mod register_workbook;
mod reports;
mod search;
mod security;
pub mod site;
mod staff_api;
mod tokens;
mod upload;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::http::{header, HeaderName, HeaderValue, StatusCode};
use axum::routing::get;
use axum::Router;
use gongkai_core::calendar::Calendar;
use gongkai_store::Store;
use tower_http::compression::CompressionLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

pub use error::WebError;
pub use ratelimit::RateLimiter;
pub use site::{SiteConfig, SiteHandle, SiteSettings};

/// The largest request body accepted (forms and JSON; register workbook uploads and report
/// uploads have their own limits, [`register_workbook::UPLOAD_LIMIT_BYTES`] and
/// `published::UPLOAD_LIMIT_BYTES`).
pub const BODY_LIMIT_BYTES: usize = 256 * 1024;

/// Everything a handler needs. Cheap to clone (handles and `Arc`s only).
#[derive(Clone)]
pub struct AppState {
    /// The registers.
    pub store: Store,
    /// The working-day calendar the statutory due dates are computed with.
    pub calendar: Arc<Calendar>,
    /// The site's identity (SiteName, 网站标识码, footer items): defaults, stored, flags.
    pub site: Arc<SiteHandle>,
    /// Per-address limiter of the public form and API writes.
    pub limiter: Arc<RateLimiter>,
    /// Per-address limiter of console logins (besides each account's lock-out).
    pub login_limiter: Arc<RateLimiter>,
    /// The CJK fonts of PDF downloads, scanned once on the first PDF asked for (scanning takes a
    /// few hundred milliseconds; a server that never serves a PDF never pays it). An error is
    /// kept too, so a machine without CJK fonts answers at once rather than rescanning.
    pub pdf_fonts: Arc<tokio::sync::OnceCell<Result<Arc<gongkai_pdf::Fonts>, String>>>,
    /// The agency list of the public pages that show every agency (see [`cache`]).
    pub agencies: Arc<cache::AgencyList>,
    /// The SMTP server reminders are sent through, when one is configured
    /// ([`gongkai_app::remind`]).
    pub mailer: Option<Arc<gongkai_app::remind::Mailer>>,
    /// Where "today" comes from (China Standard Time): the system clock, fixed in tests.
    pub clock: gongkai_app::Clock,
    /// A font folder scanned besides the system's for PDF downloads (the `font_dir` setting).
    pub font_dir: Option<std::path::PathBuf>,
    /// The casework document templates in force (built in, or an office's folder laid over them:
    /// the `document_templates` setting).
    pub templates: Arc<gongkai_core::casework::Templates>,
}

impl AppState {
    /// A state with the default rate limit (see [`RateLimiter::default`]).
    pub fn new(store: Store, calendar: Calendar, site: SiteConfig) -> AppState {
        AppState {
            store,
            calendar: Arc::new(calendar),
            site: Arc::new(SiteHandle::new(site, SiteSettings::default())),
            limiter: Arc::new(RateLimiter::default()),
            login_limiter: Arc::new(RateLimiter::logins()),
            pdf_fonts: Arc::new(tokio::sync::OnceCell::new()),
            agencies: Arc::new(cache::AgencyList::default()),
            mailer: None,
            clock: gongkai_app::Clock::System,
            font_dir: None,
            templates: Arc::new(gongkai_core::casework::Templates::builtin()),
        }
    }

    /// The same state with the site's identity items `overrides` sets fixed over what is stored
    /// (the `serve` flags).
    pub fn with_site_overrides(mut self, overrides: SiteSettings) -> AppState {
        let base = self.site.current().as_ref().clone();
        self.site = Arc::new(SiteHandle::new(base, overrides));
        self
    }

    /// The same state issuing documents from `templates`.
    pub fn with_templates(mut self, templates: gongkai_core::casework::Templates) -> AppState {
        self.templates = Arc::new(templates);
        self
    }

    /// The same state scanning `dir` for PDF fonts besides the system's.
    pub fn with_font_dir(mut self, dir: Option<std::path::PathBuf>) -> AppState {
        self.font_dir = dir;
        self
    }

    /// The same state with another clock (tests fix "today").
    pub fn with_clock(mut self, clock: gongkai_app::Clock) -> AppState {
        self.clock = clock;
        self
    }

    /// The same state sending reminders through `mailer`.
    pub fn with_mailer(mut self, mailer: gongkai_app::remind::Mailer) -> AppState {
        self.mailer = Some(Arc::new(mailer));
        self
    }

    /// The same state with another login limiter (tests use a generous one, or a tight one).
    pub fn with_login_limiter(mut self, limiter: RateLimiter) -> AppState {
        self.login_limiter = Arc::new(limiter);
        self
    }

    /// The same state with another rate limiter (tests use a tight one).
    pub fn with_limiter(mut self, limiter: RateLimiter) -> AppState {
        self.limiter = Arc::new(limiter);
        self
    }
}

/// The request-id header: set on the way in when missing, logged, and echoed on the response.
const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Content-Security-Policy: nothing from elsewhere, no inline scripts; inline styles are allowed
/// for the page's own stylesheet (one `<style>` block, no external resources).
const CSP: &str = "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; \
                   script-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'";

/// The whole application.
pub fn router(state: AppState) -> Router {
    let trace = TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
        let id = req.headers().get(&REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-");
        // The path only: a query string may hold a query code (查询码).
        tracing::info_span!("http", method = %req.method(), path = %req.uri().path(), request_id = %id)
    });
    Router::new()
        .route("/healthz", get(healthz))
        .merge(portal::routes())
        .nest("/api/v1", api::routes())
        .merge(auth::routes())
        .merge(console::routes())
        .merge(oversight::routes())
        .merge(tokens::routes())
        .merge(mfa::routes())
        .merge(security::routes())
        .merge(proactive_register::routes())
        .merge(admin::routes())
        .merge(admin_agency::routes())
        .merge(admin_site::routes())
        .merge(article20::routes())
        .merge(guide_editor::routes())
        .merge(cases::routes())
        .merge(published::form_routes())
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT_BYTES))
        // Workbook and report uploads have limits of their own; merged after the limit above,
        // which covers only the routes merged before it.
        .merge(register_workbook::routes())
        .merge(documents::upload_routes())
        .merge(published::routes())
        .fallback(not_found)
        // Control characters, JSON that does not say so, HSTS: before any handler (issue 21).
        .layer(axum::middleware::from_fn(guard::guard))
        // Every error response as the path calls for: a page in the site's chrome, or JSON.
        .layer(axum::middleware::from_fn_with_state(state.clone(), error::pages))
        .with_state(state)
        .layer(CompressionLayer::new())
        .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, Duration::from_secs(30)))
        .layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP)))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("strict-origin-when-cross-origin"),
        ))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(trace)
        .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
}

/// Serves the application on `listener` until the process ends; handlers see the peer address.
pub async fn serve(listener: tokio::net::TcpListener, state: AppState) -> std::io::Result<()> {
    // The search segmenter's dictionary is built off the request path, while the server starts.
    drop(tokio::task::spawn_blocking(search::warm_up));
    axum::serve(listener, router(state).into_make_service_with_connect_info::<SocketAddr>()).await
}

/// `GET /healthz`: the process answers and the database is reachable (spec A3.4).
async fn healthz(axum::extract::State(state): axum::extract::State<AppState>) -> Result<&'static str, WebError> {
    state.store.schema_version().await?;
    Ok("ok")
}

async fn not_found() -> WebError {
    WebError::NotFound("页面")
}
