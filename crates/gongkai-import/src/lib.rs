//! gongkai-import: published annual reports into the canonical [`Report`].
//!
//! [`import`] is the one entry point: it recognises the format from the content (never from the
//! file name), then hands the bytes to the importer for that format. Text reports (Word dumps,
//! PDF-extracted text, flattened web text) are read by [`text`]; HTML pages by [`html`], Word
//! files by [`docx`] and PDFs by [`pdf`] (all three end in the text importer, see [`grid`]);
//! the canonical JSON document is read back as is.

pub mod decode;
pub mod docx;
mod grid;
pub mod html;
pub mod pdf;
mod pdf_layout;
pub mod split;
pub mod text;
pub mod xlsx;

use std::cell::Cell;

use gongkai_core::report::Report;

/// Why a file could not be read as a report (`gongkai report check` exits 2 on these).
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// The bytes are not text in any supported encoding.
    #[error("{source_name}: 无法识别的文件内容（不是 UTF-8/GB18030 文本，也不是已支持的文档格式）")]
    NotText {
        /// The file name.
        source_name: String,
    },
    /// A format recognised but not supported yet.
    #[error("{source_name}: 检测到 {format} 文件，此版本尚不能导入该格式")]
    Unsupported {
        /// The file name.
        source_name: String,
        /// The detected format.
        format: &'static str,
    },
    /// A JSON document that is not a valid canonical report.
    #[error("{source_name}: 不是有效的 gongkai.report/1 文档：第 {line} 行第 {column} 列：{message}")]
    Json {
        /// The file name.
        source_name: String,
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What is wrong, in Chinese ([`json_message`]).
        message: String,
    },
    /// A file of a recognised format that is damaged or not well formed.
    #[error("{source_name}: {format} 文件损坏或格式不正确：{message}")]
    Malformed {
        /// The file name.
        source_name: String,
        /// The format (`DOCX`, `PDF`).
        format: &'static str,
        /// What is wrong (Chinese).
        message: String,
    },
    /// A file, or a part of it, larger than gongkai reads (a zip bomb, a 2 GB member).
    #[error("{source_name}: 文件过大，拒绝读取：{message}")]
    TooLarge {
        /// The file name.
        source_name: String,
        /// What exceeded which limit (Chinese).
        message: String,
    },
    /// A PDF without a text layer (a scan).
    #[error("{source_name}: PDF 共 {pages} 页，但没有文字层（可能是扫描件），无法读取其中的文字；请先进行文字识别(OCR)或使用原始电子文档")]
    NoTextLayer {
        /// The file name.
        source_name: String,
        /// The number of pages.
        pages: usize,
    },
    /// Text that does not look like an annual report.
    #[error("{source_name}: 未识别为政府信息公开工作年度报告：{reason}")]
    NotAReport {
        /// The file name.
        source_name: String,
        /// Why (Chinese).
        reason: String,
    },
}

impl ImportError {
    /// Whether the file is simply not a report (a picture, a data table, a JSON file of something
    /// else, a text without a report's title or tables), rather than a report that could not be
    /// read: a folder of published reports has such files beside them, and `report audit` skips
    /// them instead of counting them as failures.
    pub fn is_not_a_report(&self) -> bool {
        matches!(self, ImportError::NotAReport { .. })
    }

    /// The message without the file's name in front (for a list that names the file already).
    pub fn reason(&self) -> String {
        let full = self.to_string();
        let name = match self {
            ImportError::NotText { source_name }
            | ImportError::Unsupported { source_name, .. }
            | ImportError::Json { source_name, .. }
            | ImportError::Malformed { source_name, .. }
            | ImportError::TooLarge { source_name, .. }
            | ImportError::NoTextLayer { source_name, .. }
            | ImportError::NotAReport { source_name, .. } => source_name,
        };
        full.strip_prefix(&format!("{name}: ")).map_or(full.clone(), str::to_string)
    }
}

/// serde_json's message of a canonical report that does not fit the schema, said in Chinese: the
/// field named, not serde's English sentence.
fn json_message(e: &serde_json::Error) -> String {
    let full = e.to_string();
    // serde_json ends its message with the position, which the error carries apart.
    let raw = full.rfind(" at line ").map_or(full.as_str(), |i| &full[..i]);
    // serde names fields between backticks: `file`.
    let quoted = raw.split('`').nth(1).unwrap_or("");
    if !raw.is_ascii() {
        // Our own deserialisers' messages (a schema tag, an amount) are Chinese already.
        raw.to_string()
    } else if raw.starts_with("unknown field") {
        format!("字段「{quoted}」不是报告的字段")
    } else if raw.starts_with("missing field") {
        format!("缺少字段「{quoted}」")
    } else if raw.starts_with("unknown variant") {
        format!("取值「{quoted}」不是允许的取值")
    } else if raw.starts_with("invalid type") || raw.starts_with("invalid value") {
        "取值的类型不符合报告格式".to_string()
    } else if raw.starts_with("duplicate field") {
        format!("字段「{quoted}」重复")
    } else if e.is_eof() {
        "文件不完整（在结尾前中断）".to_string()
    } else if e.is_syntax() {
        "不是格式正确的 JSON".to_string()
    } else {
        "不符合报告格式".to_string()
    }
}

/// Pictures, by their first bytes: a folder of reports often holds their scans or charts.
fn picture(bytes: &[u8]) -> Option<&'static str> {
    const MAGIC: [(&[u8], &str); 6] = [
        (b"\x89PNG", "PNG"),
        (b"\xff\xd8\xff", "JPEG"),
        (b"GIF8", "GIF"),
        (b"BM", "BMP"),
        (b"II*\x00", "TIFF"),
        (b"MM\x00*", "TIFF"),
    ];
    if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
        return Some("WEBP");
    }
    MAGIC.iter().find(|(m, _)| bytes.starts_with(m)).map(|(_, name)| *name)
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

/// The format of a file as a short name for people (`PDF`, `DOCX`, `XLSX`, `HTML`, `JSON`, `文本`),
/// recognised from content like [`import`] does — never from the file name.
pub fn format_name(bytes: &[u8]) -> &'static str {
    match detect(bytes) {
        DetectedFormat::Json => "JSON",
        DetectedFormat::Html => "HTML",
        DetectedFormat::Pdf => "PDF",
        DetectedFormat::Zip if xlsx::is_xlsx(bytes) => "XLSX",
        DetectedFormat::Zip => "DOCX",
        DetectedFormat::Text => "文本",
    }
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
    let start = start.strip_prefix(b"\xef\xbb\xbf".as_slice()).unwrap_or(start);
    if start.first() == Some(&b'{') {
        return DetectedFormat::Json;
    }
    // Case-insensitive search in the first 2 KiB, without a lowered copy (only pages that
    // start with 「<」 get here).
    let window = &head[..head.len().min(2048)];
    let has = |needle: &[u8]| window.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle));
    // A page, or a fragment of one (a CMS body: 「<p style=…>…</p><table>…」).
    const TAGS: [&[u8]; 14] = [
        b"<html",
        b"<!doctype html",
        b"<table",
        b"<body",
        b"<head",
        b"<meta",
        b"<p>",
        b"<p ",
        b"<div",
        b"<span",
        b"<br",
        b"<h1",
        b"<h2",
        b"<tr",
    ];
    if start.first() == Some(&b'<') && TAGS.iter().any(|t| has(t)) {
        return DetectedFormat::Html;
    }
    DetectedFormat::Text
}

/// Imports a report from bytes; `source_name` names the file in messages and provenance.
pub fn import(bytes: &[u8], source_name: &str) -> Result<Report, ImportError> {
    if let Some(kind) = picture(bytes) {
        return Err(ImportError::NotAReport {
            source_name: source_name.to_string(),
            reason: format!("这是 {kind} 图片，不是报告文件"),
        });
    }
    match detect(bytes) {
        DetectedFormat::Json => {
            let text =
                decode::decode(bytes).ok_or_else(|| ImportError::NotText { source_name: source_name.to_string() })?;
            // A JSON file that does not say it is a canonical report is some other data (an
            // index, expected figures, a chart's data), not a damaged report.
            // (JSON that does not parse at all is a damaged file: said below, with the place.)
            let other = serde_json::from_str::<serde_json::Value>(&text.text).is_ok_and(|v| {
                !v.get("schema").and_then(|s| s.as_str()).is_some_and(|s| s.starts_with("gongkai.report/"))
            });
            if other {
                return Err(ImportError::NotAReport {
                    source_name: source_name.to_string(),
                    reason: format!(
                        "JSON 数据文件，未标明「\"schema\": \"{}\"」，不是 gongkai 报告",
                        gongkai_core::report::SCHEMA_ID
                    ),
                });
            }
            serde_json::from_str::<Report>(&text.text).map_err(|e| ImportError::Json {
                source_name: source_name.to_string(),
                line: e.line(),
                column: e.column(),
                message: json_message(&e),
            })
        }
        DetectedFormat::Html => html::import_html(bytes, source_name),
        DetectedFormat::Pdf => pdf::import_pdf(bytes, source_name),
        // A zip with `xl/workbook.xml` is a workbook (a .docx has `word/document.xml`).
        DetectedFormat::Zip if xlsx::is_xlsx(bytes) => xlsx::import_xlsx(bytes, source_name),
        DetectedFormat::Zip => docx::import_zip(bytes, source_name),
        DetectedFormat::Text if bytes.len() > MAX_TEXT_BYTES => Err(ImportError::TooLarge {
            source_name: source_name.to_string(),
            message: format!("文本大小 {} 字节，超过 {} MiB 上限", bytes.len(), MAX_TEXT_BYTES / (1024 * 1024)),
        }),
        DetectedFormat::Text => {
            let (text, encoding) = decode::decode_borrowed(bytes)
                .ok_or_else(|| ImportError::NotText { source_name: source_name.to_string() })?;
            text::import_text(&text, source_name, encoding)
        }
    }
}

/// The largest plain text read (issue 21 item 4: the memory used is a small multiple of the input,
/// so the input is bounded). A report's text is well under 1 MiB; the longest of the corpus is
/// 17 KB.
pub const MAX_TEXT_BYTES: usize = 16 * 1024 * 1024;

thread_local! {
    /// How many [`guarded`] calls are running on this thread.
    static QUIET: Cell<u32> = const { Cell::new(0) };
}

/// Runs a third-party parser on untrusted bytes, turning a panic into `None`. (gongkai's own
/// code is not guarded: a panic there is a bug that tests must see.)
///
/// The panic message is not printed: the process-wide panic hook is chained once with one that
/// stays silent while a guarded call runs on the panicking thread and defers to the previous
/// hook otherwise.
pub(crate) fn guarded<T>(f: impl FnOnce() -> T) -> Option<T> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if QUIET.with(Cell::get) == 0 {
                previous(info);
            }
        }));
    });
    QUIET.with(|q| q.set(q.get() + 1));
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    QUIET.with(|q| q.set(q.get().saturating_sub(1)));
    r.ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pictures_and_other_json_are_not_reports() {
        let png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR";
        let err = import(png, "chart.png").unwrap_err();
        assert!(err.is_not_a_report());
        assert_eq!(err.reason(), "未识别为政府信息公开工作年度报告：这是 PNG 图片，不是报告文件");
        let err = import(br#"{"file": "001.html", "requests": {}}"#, "001.expected.json").unwrap_err();
        assert!(err.is_not_a_report(), "{err}");
        assert!(err.reason().contains("不是 gongkai 报告"), "{err}");
    }

    #[test]
    fn a_canonical_report_that_does_not_fit_is_said_in_chinese() {
        let err = import(br#"{"schema": "gongkai.report/1", "file": "x"}"#, "r.json").unwrap_err();
        assert!(!err.is_not_a_report());
        // The file named once, serde's English not quoted.
        let said = err.to_string();
        assert!(said.starts_with("r.json: 不是有效的 gongkai.report/1 文档：第 1 行第 "), "{said}");
        assert!(said.ends_with("列：字段「file」不是报告的字段"), "{said}");
        assert!(err.reason().starts_with("不是有效的"), "{err}");
        let err = import(br#"{"schema": "gongkai.report/9"}"#, "r.json").unwrap_err();
        assert!(err.to_string().contains("schema 应为"), "{err}");
        let err = import(br#"{"schema": "gongkai.report/1", "#, "r.json").unwrap_err();
        assert!(err.to_string().ends_with("文件不完整（在结尾前中断）"), "{err}");
    }
}
