//! The one error type of the web application and how it becomes a response.
//!
//! Bad input is always a 4xx with a message in Chinese first: 404 for what does not exist (and for
//! a wrong query code — never reveal that a tracking number exists), 422 with the field and the
//! reason, 429 when rate-limited. A 500 is left for the database failing; its detail goes to the
//! log (with the request id), never to the client.

use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use gongkai_store::StoreError;
use serde::Serialize;

/// One invalid input field: its name (the API's JSON key or the form's field name) and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// The field (`name`, `content`, `applicant_type`, …).
    pub field: String,
    /// Why it is invalid, in Chinese, naming the field by its label.
    pub reason: String,
}

impl FieldError {
    /// A field error.
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> FieldError {
        FieldError { field: field.into(), reason: reason.into() }
    }
}

/// Why a request could not be answered.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// No live console session: the browser goes to the login page, then back to this path.
    #[error("请先登录")]
    Login(String),
    /// The thing asked for does not exist (or the query code is wrong). Holds what, in Chinese.
    #[error("未找到{0}")]
    NotFound(&'static str),
    /// The input is invalid; one entry per field.
    #[error("输入有误")]
    Invalid(Vec<FieldError>),
    /// The request conflicts with stored data (e.g. a locked year).
    #[error("{0}")]
    Conflict(String),
    /// Too many requests from this address.
    #[error("请求过于频繁，请稍后再试")]
    TooManyRequests {
        /// Seconds until the next request is accepted.
        retry_after: u64,
    },
    /// A staff endpoint of the API without a valid bearer token (missing, unknown, expired or
    /// revoked: the answer does not say which).
    #[error("需要有效的访问令牌")]
    Unauthorized,
    /// The account may not do this (its role or agency); holds why, in Chinese.
    #[error("{0}")]
    Forbidden(String),
    /// A write to the JSON API whose body does not say it is JSON (a cross-site form's).
    #[error("请以 JSON 格式提交（Content-Type: application/json）")]
    UnsupportedMediaType,
    /// The body is larger than the route accepts.
    #[error("提交的内容过大，无法接收")]
    TooLarge,
    /// The database or a template failed. Logged, never shown.
    #[error("服务器内部错误，请稍后再试")]
    Internal(String),
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> WebError {
        match e {
            StoreError::NotFound { what: "agency", .. } => WebError::NotFound("机关"),
            StoreError::NotFound { .. } => WebError::NotFound("记录"),
            StoreError::Invalid { what, detail } => WebError::Invalid(vec![FieldError::new(what, detail)]),
            e @ (StoreError::Locked { .. } | StoreError::Conflict { .. } | StoreError::Changed { .. }) => {
                WebError::Conflict(e.to_string())
            }
            // Store errors never carry applicant data (gongkai-store's invariant).
            e => WebError::Internal(error_chain(&e)),
        }
    }
}

/// Every error of the application layer, mapped exhaustively: a new kind of refusal must be
/// given its answer here.
impl From<gongkai_app::AppError> for WebError {
    fn from(e: gongkai_app::AppError) -> WebError {
        use gongkai_app::AppError;
        match e {
            AppError::Invalid { field, message } => WebError::Invalid(vec![FieldError::new(field, message)]),
            AppError::Refused(message) => WebError::Invalid(vec![FieldError::new("kind", message)]),
            AppError::Locked(message) => WebError::Conflict(message),
            e @ (AppError::Conflict(_)
            | AppError::Uncountable(_)
            | AppError::NotReady(_)
            | AppError::Unconfirmed(_)) => WebError::Conflict(e.to_string()),
            AppError::NotFound(_) => WebError::NotFound("记录"),
            AppError::UnknownAgency(_) => WebError::NotFound("机关"),
            AppError::Workbook(errors) => {
                WebError::Invalid(errors.iter().map(|e| FieldError::new("file", e.to_string())).collect())
            }
            AppError::Store(e) => WebError::from(e),
            AppError::Internal(cause) => WebError::Internal(cause),
        }
    }
}

impl From<askama::Error> for WebError {
    fn from(e: askama::Error) -> WebError {
        WebError::Internal(format!("template: {e}"))
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

impl WebError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::Login(_) => StatusCode::SEE_OTHER,
            WebError::NotFound(_) => StatusCode::NOT_FOUND,
            WebError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            WebError::Conflict(_) => StatusCode::CONFLICT,
            WebError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            WebError::Unauthorized => StatusCode::UNAUTHORIZED,
            WebError::Forbidden(_) => StatusCode::FORBIDDEN,
            WebError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            WebError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The short machine-readable code of the JSON body.
    pub fn code(&self) -> &'static str {
        match self {
            WebError::Login(_) => "login",
            WebError::NotFound(_) => "not_found",
            WebError::Invalid(_) => "invalid",
            WebError::Conflict(_) => "conflict",
            WebError::TooManyRequests { .. } => "too_many_requests",
            WebError::Unauthorized => "unauthorized",
            WebError::Forbidden(_) => "forbidden",
            WebError::UnsupportedMediaType => "unsupported_media_type",
            WebError::TooLarge => "too_large",
            WebError::Internal(_) => "internal",
        }
    }

    fn log(&self) {
        if let WebError::Internal(detail) = self {
            tracing::error!(%detail, "internal error");
        }
    }

    fn retry_after(&self, mut r: Response) -> Response {
        if let WebError::Unauthorized = self {
            r.headers_mut().insert(header::WWW_AUTHENTICATE, header::HeaderValue::from_static("Bearer"));
        }
        if let WebError::TooManyRequests { retry_after } = self {
            if let Ok(v) = header::HeaderValue::from_str(&retry_after.to_string()) {
                r.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        r
    }
}

/// What an error response says, attached to it for [`pages`], which renders it as the page the
/// path calls for: a page of the site (inside its header and footer, with the way back) or the
/// API's JSON body. The error is logged once, here.
#[derive(Debug, Clone)]
pub struct ErrorPage {
    /// The status.
    pub status: StatusCode,
    /// The machine-readable code (the API's `error`).
    pub code: &'static str,
    /// The message, in Chinese.
    pub message: String,
    /// The invalid fields (422).
    pub fields: Vec<FieldError>,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        if let WebError::Login(next) = &self {
            return crate::auth::login_redirect(next);
        }
        self.log();
        let page = ErrorPage {
            status: self.status(),
            code: self.code(),
            message: self.to_string(),
            fields: match &self {
                WebError::Invalid(f) => f.clone(),
                _ => Vec::new(),
            },
        };
        // A plain page until [`pages`] renders it in the site's chrome (or as JSON).
        let mut body = format!("<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{0}</title></head><body><main><h1>{0}</h1>", escape(&page.message));
        for f in &page.fields {
            body.push_str(&format!("<p>{}</p>", escape(&f.reason)));
        }
        body.push_str("</main></body></html>");
        let mut r = self.retry_after((self.status(), Html(body)).into_response());
        r.extensions_mut().insert(page);
        r
    }
}

/// Renders every error response of the application (a [`WebError`], or a 404 of no route) as
/// the path calls for: under `/api/` the JSON body [`ApiErrorBody`]; elsewhere a page of the
/// site, inside its header and footer, with the way back — to the console for `/console`
/// paths, else to the portal's home page.
pub async fn pages(
    axum::extract::State(state): axum::extract::State<crate::AppState>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let path = req.uri().path().to_string();
    let mut r = next.run(req).await;
    let Some(page) = r.extensions_mut().remove::<ErrorPage>() else { return r };
    let (mut parts, _) = r.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::CONTENT_TYPE);
    let fresh = if path.starts_with("/api/") {
        let body = ApiErrorBody {
            error: page.code,
            message: page.message.clone(),
            field: page.fields.first().map(|f| f.field.clone()),
            reason: page.fields.first().map(|f| f.reason.clone()),
            errors: page.fields.clone(),
        };
        Json(body).into_response()
    } else {
        let console = path.starts_with("/console");
        let title = match page.status {
            StatusCode::FORBIDDEN => "无权访问".to_string(),
            StatusCode::CONFLICT => "无法完成此操作".to_string(),
            StatusCode::UNPROCESSABLE_ENTITY => "输入有误".to_string(),
            _ => page.message.clone(),
        };
        let mut chrome = if console {
            crate::console::chrome(&state, title.clone())
        } else {
            crate::layout::Chrome::new(&state.site, title.clone(), "其他")
        };
        chrome.description = page.message.clone();
        let back = if console { ("/console", "返回工作平台") } else { ("/", "返回首页") };
        let detail = (page.message != title).then(|| page.message.clone());
        let view = ErrorView {
            chrome,
            status: page.status.as_u16(),
            detail,
            fields: page.fields.clone(),
            back: back.0,
            back_label: back.1,
        };
        match crate::layout::render(&view) {
            Ok(html) => html.into_response(),
            Err(e) => {
                tracing::error!(error = %e, "error page template");
                Html(format!("<!DOCTYPE html><title>{0}</title><h1>{0}</h1>", escape(&page.message))).into_response()
            }
        }
    };
    let (fresh_parts, body) = fresh.into_parts();
    for (k, v) in &fresh_parts.headers {
        parts.headers.insert(k.clone(), v.clone());
    }
    Response::from_parts(parts, body)
}

/// An error page of the site (templates/error.html).
#[derive(askama::Template)]
#[template(path = "error.html")]
struct ErrorView {
    chrome: crate::layout::Chrome,
    status: u16,
    /// The reason, when the heading does not say it already.
    detail: Option<String>,
    fields: Vec<FieldError>,
    back: &'static str,
    back_label: &'static str,
}

/// The JSON body of an API error: `{"error", "message", "field", "reason", "errors"}` — `field`
/// and `reason` are the first invalid field's, `errors` lists them all.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApiErrorBody {
    /// `not_found`, `invalid`, `conflict`, `too_many_requests`, `unauthorized`, `forbidden` or `internal`.
    pub error: &'static str,
    /// A message in Chinese.
    pub message: String,
    /// The first invalid field (422 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// Why the first invalid field is invalid (422 only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Every invalid field (422 only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

/// HTML-escapes text for the few pages built without a template.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
