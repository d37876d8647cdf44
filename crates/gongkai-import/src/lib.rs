//! gongkai-import: published annual reports into the canonical [`Report`].
//!
//! [`import`] is the one entry point: it recognises the format from the content (never from the
//! file name), then hands the bytes to the importer for that format. Text reports (Word dumps,
//! PDF-extracted text, flattened web text) are read by [`text`]; the canonical JSON document is
//! read back as is.

pub mod decode;
pub mod split;
pub mod text;

use gongkai_core::report::Report;

/// Why a file could not be read as a report (`gongkai report check` exits 2 on these).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The bytes are not text in any supported encoding.
    #[error("{source_name}: 无法识别的文件内容（不是 UTF-8/GB18030 文本，也不是已支持的文档格式） (not a readable text or document)")]
    NotText {
        /// The file name.
        source_name: String,
    },
    /// A format recognised but not supported yet.
    #[error("{source_name}: 检测到 {format} 文件，此版本尚不能导入该格式 ({format} import is not supported yet)")]
    Unsupported {
        /// The file name.
        source_name: String,
        /// The detected format.
        format: &'static str,
    },
    /// A JSON document that is not a valid canonical report.
    #[error("{source_name}: 不是有效的 gongkai.report/1 文档：第 {line} 行第 {column} 列：{message} (invalid canonical JSON)")]
    Json {
        /// The file name.
        source_name: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// serde's message.
        message: String,
    },
    /// Text that does not look like an annual report.
    #[error("{source_name}: 未识别为政府信息公开工作年度报告：{reason} (not an annual report)")]
    NotAReport {
        /// The file name.
        source_name: String,
        /// Why (Chinese).
        reason: String,
    },
}

/// The format recognised from a file's first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DetectedFormat {
    /// A canonical JSON document.
    Json,
    /// An HTML page.
    Html,
    /// A PDF file.
    Pdf,
    /// A zip container (DOCX, XLSX).
    Zip,
    /// Plain text.
    Text,
}

/// Recognises the format from content: magic bytes, then markup, then JSON.
pub fn detect(bytes: &[u8]) -> DetectedFormat {
    let head = &bytes[..bytes.len().min(4096)];
    if head.starts_with(b"%PDF-") {
        return DetectedFormat::Pdf;
    }
    if head.starts_with(b"PK\x03\x04") {
        return DetectedFormat::Zip;
    }
    let start = head
        .strip_prefix(b"\xef\xbb\xbf".as_slice())
        .unwrap_or(head)
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .map(|i| &head[i..])
        .unwrap_or(&[]);
    let start = start
        .strip_prefix(b"\xef\xbb\xbf".as_slice())
        .unwrap_or(start);
    if start.first() == Some(&b'{') {
        return DetectedFormat::Json;
    }
    let lower: Vec<u8> = head
        .iter()
        .take(2048)
        .map(|b| b.to_ascii_lowercase())
        .collect();
    let has = |needle: &[u8]| lower.windows(needle.len()).any(|w| w == needle);
    if start.first() == Some(&b'<')
        && (has(b"<html") || has(b"<!doctype html") || has(b"<table") || has(b"<body"))
    {
        return DetectedFormat::Html;
    }
    DetectedFormat::Text
}

/// Imports a report from bytes; `source_name` names the file in messages and provenance.
pub fn import(bytes: &[u8], source_name: &str) -> Result<Report, ImportError> {
    match detect(bytes) {
        DetectedFormat::Json => {
            let text = decode::decode(bytes).ok_or_else(|| ImportError::NotText {
                source_name: source_name.to_string(),
            })?;
            serde_json::from_str::<Report>(&text.text).map_err(|e| ImportError::Json {
                source_name: source_name.to_string(),
                line: e.line(),
                column: e.column(),
                message: e.to_string(),
            })
        }
        DetectedFormat::Html => Err(ImportError::Unsupported {
            source_name: source_name.to_string(),
            format: "HTML",
        }),
        DetectedFormat::Pdf => Err(ImportError::Unsupported {
            source_name: source_name.to_string(),
            format: "PDF",
        }),
        DetectedFormat::Zip => Err(ImportError::Unsupported {
            source_name: source_name.to_string(),
            format: "DOCX/XLSX (zip)",
        }),
        DetectedFormat::Text => {
            let d = decode::decode(bytes).ok_or_else(|| ImportError::NotText {
                source_name: source_name.to_string(),
            })?;
            text::import_text(&d.text, source_name, d.encoding)
        }
    }
}
