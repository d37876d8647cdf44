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
    /// Why it is invalid, in Chinese (English after).
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
    /// The thing asked for does not exist (or the query code is wrong). Holds what, in Chinese.
    #[error("未找到{0} (not found)")]
    NotFound(&'static str),
    /// The input is invalid; one entry per field.
    #[error("输入有误 (invalid input)")]
    Invalid(Vec<FieldError>),
    /// The request conflicts with stored data (e.g. a locked year).
    #[error("{0}")]
    Conflict(String),
    /// Too many requests from this address.
    #[error("请求过于频繁，请稍后再试 (too many requests)")]
    TooManyRequests {
        /// Seconds until the next request is accepted.
        retry_after: u64,
    },
    /// A staff endpoint of the API without a valid bearer token (missing, unknown, expired or
    /// revoked: the answer does not say which).
    #[error("需要有效的访问令牌 (a valid bearer token is required)")]
    Unauthorized,
    /// The account may not do this (its role or agency); holds why, in Chinese.
    #[error("{0}")]
    Forbidden(String),
    /// The database or a template failed. Logged, never shown.
    #[error("服务器内部错误 (internal error)")]
    Internal(String),
}

impl From<StoreError> for WebError {
    fn from(e: StoreError) -> WebError {
        match e {
            StoreError::NotFound { what: "agency", .. } => WebError::NotFound("机关"),
            StoreError::NotFound { .. } => WebError::NotFound("记录"),
            StoreError::Invalid { what, detail } => WebError::Invalid(vec![FieldError::new(what, detail)]),
            e @ (StoreError::Locked { .. } | StoreError::Conflict { .. }) => WebError::Conflict(e.to_string()),
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
            e @ (AppError::Conflict(_) | AppError::Uncountable(_)) => WebError::Conflict(e.to_string()),
            AppError::NotFound(_) => WebError::NotFound("记录"),
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
            WebError::NotFound(_) => StatusCode::NOT_FOUND,
            WebError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            WebError::Conflict(_) => StatusCode::CONFLICT,
            WebError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            WebError::Unauthorized => StatusCode::UNAUTHORIZED,
            WebError::Forbidden(_) => StatusCode::FORBIDDEN,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The short machine-readable code of the JSON body.
    pub fn code(&self) -> &'static str {
        match self {
            WebError::NotFound(_) => "not_found",
            WebError::Invalid(_) => "invalid",
            WebError::Conflict(_) => "conflict",
            WebError::TooManyRequests { .. } => "too_many_requests",
            WebError::Unauthorized => "unauthorized",
            WebError::Forbidden(_) => "forbidden",
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

/// A plain HTML error page (the portal's pages render validation errors in the form itself).
impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        self.log();
        let mut body = format!(
            "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{0}</title>\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"></head>\
             <body><main><h1>{0}</h1>",
            escape(&self.to_string())
        );
        if let WebError::Invalid(fields) = &self {
            body.push_str("<ul>");
            for f in fields {
                body.push_str(&format!("<li>{}：{}</li>", escape(&f.field), escape(&f.reason)));
            }
            body.push_str("</ul>");
        }
        body.push_str("<p><a href=\"/\">返回首页</a></p></main></body></html>");
        let r = (self.status(), Html(body)).into_response();
        self.retry_after(r)
    }
}

/// The JSON body of an API error: `{"error", "message", "field", "reason", "errors"}` — `field`
/// and `reason` are the first invalid field's, `errors` lists them all.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ApiErrorBody {
    /// `not_found`, `invalid`, `conflict`, `too_many_requests`, `unauthorized`, `forbidden` or `internal`.
    pub error: &'static str,
    /// A message in Chinese (English after).
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

/// A [`WebError`] answered as JSON (the API's handlers return this).
#[derive(Debug)]
pub struct ApiError(pub WebError);

impl From<WebError> for ApiError {
    fn from(e: WebError) -> ApiError {
        ApiError(e)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        ApiError(e.into())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        e.log();
        let errors = match &e {
            WebError::Invalid(f) => f.clone(),
            _ => Vec::new(),
        };
        let body = ApiErrorBody {
            error: e.code(),
            message: e.to_string(),
            field: errors.first().map(|f| f.field.clone()),
            reason: errors.first().map(|f| f.reason.clone()),
            errors,
        };
        let r = (e.status(), Json(body)).into_response();
        e.retry_after(r)
    }
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
