//! Input checked at the edge, before any handler (issue 21 item 2): what no route may receive.
//!
//! - A control character in the path or a query parameter, and a NUL in a form field or a JSON
//!   string (key or value), is refused with 422 naming the field — PostgreSQL cannot store a NUL
//!   in text and answered 500; SQLite stored it. The other control characters of a body are the
//!   fields' own checks (`gongkai_core::input::text`: 「补正内容：不能含控制字符」, the field's
//!   label in the sentence), and line breaks and tabs are multi-line text.
//! - A write to the JSON API must say it is JSON (415 otherwise), so that a cross-site HTML form,
//!   which can only send `text/plain`, `multipart/form-data` or a urlencoded body, cannot file a
//!   request in a visitor's name.
//! - A request that reached the gateway over HTTPS (`X-Forwarded-Proto: https`) is answered with
//!   `Strict-Transport-Security` (ASVS 9.1.1), so the browser never again tries plain HTTP.

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::FieldError;
use crate::WebError;

/// One year, the usual HSTS period; sub-domains are the gateway's business.
const HSTS: &str = "max-age=31536000";

/// Why a field is refused: the same words for every field (a citizen never sees the field's key;
/// the API's `field` names it).
const CONTROL_REASON: &str = "所填内容不能含控制字符（如空字符），请删除后重新提交";

/// The middleware: see the module docs.
pub(crate) async fn guard(req: Request, next: Next) -> Response {
    let https = crate::auth::is_https(req.headers());
    let mut response = match checked(req).await {
        Ok(req) => next.run(req).await,
        Err(e) => e.into_response(),
    };
    if https {
        response.headers_mut().insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
    }
    response
}

/// The request back (its body read and put back when it was a form or JSON), or the refusal.
async fn checked(req: Request) -> Result<Request, WebError> {
    let uri = req.uri().clone();
    match percent_decode(uri.path().as_bytes(), false) {
        Some(path) if !path.chars().any(char::is_control) => {}
        _ => return Err(invalid("path", "网址不能含控制字符，也须是有效的编码")),
    }
    if let Some(query) = uri.query() {
        for (key, value) in pairs(query.as_bytes()) {
            let bad = |s: &Option<String>| s.as_deref().is_none_or(|s| s.chars().any(char::is_control));
            if bad(&key) || bad(&value) {
                return Err(invalid(key.as_deref().unwrap_or("query"), CONTROL_REASON));
            }
        }
    }
    let writes = matches!(*req.method(), Method::POST | Method::PUT | Method::PATCH | Method::DELETE);
    if !writes {
        return Ok(req);
    }
    let kind = BodyKind::of(req.headers().get(header::CONTENT_TYPE));
    if uri.path().starts_with("/api/") && kind != BodyKind::Json {
        return Err(WebError::UnsupportedMediaType);
    }
    if kind == BodyKind::Other {
        return Ok(req);
    }
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, crate::BODY_LIMIT_BYTES).await.map_err(|_| WebError::TooLarge)?;
    match kind {
        BodyKind::Form => {
            for (key, value) in pairs(&bytes) {
                let bad = |s: &Option<String>| s.as_deref().is_none_or(|s| s.chars().any(unsafe_in_text));
                if bad(&key) || bad(&value) {
                    return Err(invalid(key.as_deref().unwrap_or("form"), CONTROL_REASON));
                }
            }
        }
        BodyKind::Json => {
            // A body that is not JSON at all is the handler's to refuse, with its own message.
            if let Ok(value) = serde_json::from_slice::<serde_json::Value>(&bytes) {
                if let Some(field) = control_in_json(&value, String::new()) {
                    return Err(invalid(&field, CONTROL_REASON));
                }
            }
        }
        BodyKind::Other => {}
    }
    Ok(Request::from_parts(parts, Body::from(bytes)))
}

fn invalid(field: &str, reason: &str) -> WebError {
    let field: String = field.chars().filter(|c| !c.is_control()).take(64).collect();
    WebError::Invalid(vec![FieldError::new(field, reason)])
}

/// What a body is, by its declared type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyKind {
    Form,
    Json,
    Other,
}

impl BodyKind {
    fn of(content_type: Option<&HeaderValue>) -> BodyKind {
        let Some(ct) = content_type.and_then(|v| v.to_str().ok()) else { return BodyKind::Other };
        let essence = ct.split(';').next().unwrap_or_default().trim().to_ascii_lowercase();
        if essence == "application/x-www-form-urlencoded" {
            BodyKind::Form
        } else if essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json")) {
            BodyKind::Json
        } else {
            BodyKind::Other
        }
    }
}

/// What no body may carry to a handler: NUL (see the module docs).
fn unsafe_in_text(c: char) -> bool {
    c == '\0'
}

/// The first string (or key) of `value` holding a NUL, as a path
/// (`content`, `events[2].note`).
fn control_in_json(value: &serde_json::Value, at: String) -> Option<String> {
    use serde_json::Value;
    let mut stack = vec![(value, at)];
    while let Some((v, at)) = stack.pop() {
        match v {
            Value::String(s) if s.chars().any(unsafe_in_text) => {
                return Some(if at.is_empty() { "body".into() } else { at })
            }
            Value::Array(items) => {
                stack.extend(items.iter().enumerate().rev().map(|(i, item)| (item, format!("{at}[{i}]"))));
            }
            Value::Object(map) => {
                for (k, item) in map.iter().rev() {
                    let path = if at.is_empty() { k.clone() } else { format!("{at}.{k}") };
                    if k.chars().any(unsafe_in_text) {
                        return Some(path);
                    }
                    stack.push((item, path));
                }
            }
            _ => {}
        }
    }
    None
}

/// The `key=value` pairs of a query string or urlencoded body, decoded (`None` where a part is
/// not UTF-8 once decoded).
fn pairs(input: &[u8]) -> impl Iterator<Item = (Option<String>, Option<String>)> + '_ {
    input.split(|b| *b == b'&').filter(|p| !p.is_empty()).map(|pair| {
        let mut kv = pair.splitn(2, |b| *b == b'=');
        let key = kv.next().unwrap_or_default();
        let value = kv.next().unwrap_or_default();
        (percent_decode(key, true), percent_decode(value, true))
    })
}

/// Percent-decodes `input` (and `+` as a space in forms and queries); `None` when the result is
/// not UTF-8. A `%` not followed by two hex digits is kept as it is, as browsers do.
fn percent_decode(input: &[u8], plus_is_space: bool) -> Option<String> {
    let hex = |b: u8| (b as char).to_digit(16);
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        match input[i] {
            b'%' if i + 2 < input.len() => match (hex(input[i + 1]), hex(input[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' if plus_is_space => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_decoding_finds_nul_and_keeps_chinese() {
        assert_eq!(percent_decode(b"/agencies/DEMO%00", false).as_deref(), Some("/agencies/DEMO\0"));
        assert_eq!(percent_decode("/agencies/%E5%85%AC".as_bytes(), false).as_deref(), Some("/agencies/公"));
        assert_eq!(percent_decode(b"a+b%2", true).as_deref(), Some("a b%2"));
        assert_eq!(percent_decode(b"%ff", false), None, "not UTF-8");
        let fields: Vec<_> = pairs(b"name=%E7%8E%8B&content=a%0D%0Ab&x").collect();
        assert_eq!(fields[0], (Some("name".into()), Some("王".into())));
        assert_eq!(fields[1].1.as_deref(), Some("a\r\nb"));
        assert_eq!(fields[2], (Some("x".into()), Some(String::new())));
    }

    #[test]
    fn json_control_characters_are_found_with_their_path() {
        let v: serde_json::Value =
            serde_json::from_str(r#"{"content": "多行\n文本", "events": [{"note": "ok"}, {"note": "a\u0000b"}]}"#)
                .unwrap();
        assert_eq!(control_in_json(&v, String::new()).as_deref(), Some("events[1].note"));
        let fine: serde_json::Value = serde_json::from_str(r#"{"content": "多行\n\t文本\u0007"}"#).unwrap();
        assert_eq!(control_in_json(&fine, String::new()), None, "the field's own check says which");
        let top: serde_json::Value = serde_json::from_str(r#""\u0000""#).unwrap();
        assert_eq!(control_in_json(&top, String::new()).as_deref(), Some("body"));
    }

    #[test]
    fn body_kinds_by_their_declared_type() {
        let kind = |s: &'static str| BodyKind::of(Some(&HeaderValue::from_static(s)));
        assert_eq!(kind("application/json; charset=utf-8"), BodyKind::Json);
        assert_eq!(kind("application/problem+json"), BodyKind::Json);
        assert_eq!(kind("text/plain"), BodyKind::Other);
        assert_eq!(kind("application/x-www-form-urlencoded"), BodyKind::Form);
        assert_eq!(BodyKind::of(None), BodyKind::Other);
    }
}
