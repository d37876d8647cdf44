//! Upload routes read the request body to its end before they answer.
//!
//! A workbook or report file over its route's limit is refused with the reason in Chinese by
//! the handler's multipart reader (ASVS 5.2.1). But an HTTP/1.1 server that answers while the
//! browser is still sending, and then closes the connection, makes the browser report a reset
//! connection ("broken pipe") instead of the page that says what was wrong. [`read_to_end`]
//! therefore reads the whole body first — keeping at most the limit plus one byte, which is
//! what the handler's reader needs to say "too large" — and discards the rest; only a body
//! beyond [`DRAIN_FACTOR`] times the limit is cut off (the connection then closes: no server
//! reads gigabytes to be polite).

use axum::body::Body;
use axum::extract::Request;
use axum::http::header::CONTENT_LENGTH;
use axum::middleware::Next;
use axum::response::Response;
use bytes::BytesMut;
use http_body_util::BodyExt;

/// How far past the limit a body is still read (and discarded) so that its sender gets the answer.
pub const DRAIN_FACTOR: usize = 4;

/// Middleware (`axum::middleware::from_fn`) of an upload route whose limit is `limit` bytes: the
/// handler gets the body's first `limit + 1` bytes at most (and a `Content-Length` saying so), after
/// the rest has been read and dropped.
pub async fn read_to_end(limit: usize, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let mut body = body;
    let keep = limit.saturating_add(1);
    let cap = limit.saturating_mul(DRAIN_FACTOR);
    let mut kept = BytesMut::new();
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let Ok(frame) = frame else {
            // A broken upload: the handler's reader reports it as incomplete.
            break;
        };
        let Ok(data) = frame.into_data() else { continue };
        seen = seen.saturating_add(data.len());
        if kept.len() < keep {
            let room = keep - kept.len();
            kept.extend_from_slice(&data[..data.len().min(room)]);
        }
        if seen > cap {
            tracing::warn!(bytes = seen, limit, "upload far beyond its limit: not read further");
            break;
        }
    }
    parts.headers.insert(CONTENT_LENGTH, kept.len().into());
    next.run(Request::from_parts(parts, Body::from(kept.freeze()))).await
}
