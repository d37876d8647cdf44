//! PDF files: the text layer, extracted in pure Rust (`pdf-extract`, on `lopdf`), then the same
//! layout recovery as text ([`crate::text::import_text`]): rows with their labels and numbers,
//! blank cells of ruled tables located by the cell borders ([`crate::pdf_layout`]),
//! wrapped labels, page numbers inside tables, tables crossing a page break.
//!
//! A PDF without a text layer (a scan) is refused with a message saying so: gongkai does no OCR.
//! A PDF whose text layer cannot be decoded (fonts without a ToUnicode map) is refused too,
//! rather than read as garbage. Every figure's provenance gives its page.

use gongkai_core::report::{Report, SourceFormat, SourceLocation};

use crate::pdf_layout::PageCollector;
use crate::ImportError;

/// The largest PDF read.
pub const MAX_PDF_BYTES: usize = 256 * 1024 * 1024;

/// Imports a PDF.
pub fn import_pdf(bytes: &[u8], source: &str) -> Result<Report, ImportError> {
    let (text, page_starts) = pdf_text(bytes, source)?;
    let mut report = crate::text::import_text(&text, source, "UTF-8")?;
    report.provenance.format = SourceFormat::Pdf;
    report.provenance.encoding = None;
    let page_of = |line: usize| page_starts.partition_point(|&s| s <= line).max(1);
    for cell in report.provenance.cells.values_mut() {
        cell.location = Some(SourceLocation { page: Some(page_of(cell.line)), ..SourceLocation::default() });
    }
    for note in &mut report.provenance.notes {
        if let Some(l) = note.line {
            note.message.push_str(&format!("（第{}页）", page_of(l)));
        }
    }
    Ok(report)
}

/// The text of a PDF, pages joined by line breaks, and the 1-based line where each page starts.
pub fn pdf_text(bytes: &[u8], source: &str) -> Result<(String, Vec<usize>), ImportError> {
    let malformed =
        |message: String| ImportError::Malformed { source_name: source.to_string(), format: "PDF", message };
    if bytes.len() > MAX_PDF_BYTES {
        return Err(ImportError::TooLarge {
            source_name: source.to_string(),
            message: format!("PDF 大小 {} 字节，超过 {} MiB 上限", bytes.len(), MAX_PDF_BYTES / (1024 * 1024)),
        });
    }
    let pages = match crate::guarded(|| pages_text(bytes)) {
        None => return Err(malformed("PDF 结构损坏，无法解析".into())),
        Some(Err(m)) => {
            let lower = m.to_ascii_lowercase();
            return Err(malformed(
                if lower.contains("encrypt") || lower.contains("decrypt") || lower.contains("password") {
                    format!("PDF 已加密，无法读取文字（{m}）")
                } else {
                    format!("PDF 无法解析：{m}")
                },
            ));
        }
        Some(Ok(p)) => p,
    };
    if pages.is_empty() {
        return Err(malformed("PDF 没有页面".into()));
    }
    let letters = pages.iter().flat_map(|p| p.chars()).filter(|c| c.is_alphanumeric()).count();
    if letters < 20 {
        return Err(ImportError::NoTextLayer { source_name: source.to_string(), pages: pages.len() });
    }
    let undecoded = pages
        .iter()
        .flat_map(|p| p.chars())
        .filter(|c| *c == '\u{fffd}' || ('\u{e000}'..='\u{f8ff}').contains(c))
        .count();
    if undecoded * 3 > letters {
        return Err(malformed(
            "PDF 的文字层无法解码为文字（字体缺少 ToUnicode 映射），需先转换或进行文字识别(OCR)".into(),
        ));
    }
    let mut text = String::new();
    let mut starts = Vec::with_capacity(pages.len());
    let mut line = 1usize;
    for p in &pages {
        starts.push(line);
        let p = p.replace("\r\n", "\n").replace(['\r', '\x0c'], "\n");
        line += p.matches('\n').count();
        text.push_str(&p);
        if !p.ends_with('\n') {
            text.push('\n');
            line += 1;
        }
    }
    Ok((text, starts))
}

/// Each page's text, as `pdf_extract::extract_text_from_mem_by_pages` reads it (pages in order
/// until the first that cannot be read), with blank cells of ruled tables marked
/// ([`crate::pdf_layout`]).
fn pages_text(bytes: &[u8]) -> Result<Vec<String>, String> {
    let mut doc = pdf_extract::Document::load_mem(bytes).map_err(|e| e.to_string())?;
    if doc.is_encrypted() {
        doc.decrypt("").map_err(|e| format!("decrypt: {e}"))?;
    }
    let mut pages = Vec::new();
    for page in 1u32.. {
        let mut collector = PageCollector::new();
        if pdf_extract::output_doc_page(&doc, &mut collector, page).is_err() {
            break;
        }
        pages.push(collector.finish());
    }
    Ok(pages)
}
