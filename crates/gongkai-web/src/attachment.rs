//! File downloads (reports, roll-ups, trends, reminders): one place that names the file and sets
//! the headers.

use axum::body::Body;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};

/// Office Open XML workbook.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/// Office Open XML document.
pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
/// CSV (the body starts with a byte-order mark so that Excel reads the Chinese headers).
pub const CSV: &str = "text/csv; charset=utf-8";

/// Whether caches may keep a download: public reports may; console downloads hold the data of an
/// account's scope and are `no-store` (ASVS 14.3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cache {
    /// A public file.
    Public,
    /// A console file.
    Private,
}

/// `gongkai-{kind}-{code}-{tail}.{ext}`, the code reduced to ASCII letters, digits and `-` (a
/// header value is ASCII; agency codes usually are).
pub fn file_name(kind: &str, code: &str, tail: &str, ext: &str) -> String {
    let code: String = code.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
    format!("gongkai-{kind}-{code}-{tail}.{ext}")
}

/// The body as a download named `file_name`.
pub fn attachment(content_type: &str, file_name: &str, body: impl Into<Body>, cache: Cache) -> Response {
    let disposition = format!("attachment; filename=\"{file_name}\"");
    let mut r =
        ([(header::CONTENT_TYPE, content_type.to_string()), (header::CONTENT_DISPOSITION, disposition)], body.into())
            .into_response();
    if cache == Cache::Private {
        r.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_name_keeps_ascii_only() {
        assert_eq!(file_name("report", "FIN-1/示例", "2025", "pdf"), "gongkai-report-FIN-1-2025.pdf");
    }
}
