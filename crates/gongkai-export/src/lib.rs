//! gongkai-export: the canonical report written out in the official layout of the
//! 政府信息公开工作年度报告 (国办公开办函〔2019〕60号 / 〔2021〕30号 templates).
//!
//! - [`render_markdown`]: Markdown, merged tables as HTML tables inside it.
//! - [`render_html`]: one self-contained HTML page (inline stylesheet, A4 print layout).
//! - [`render_html_fragment`]: the same body without `<html>`/`<head>`, for embedding.
//! - [`render_html_body`]: that body without its title, for a page that prints the title.
//!
//! All formats print the same [`document::Document`] (title, sections in document order, tables,
//! signature), whose tables are [`grid::Grid`]s: each table as a grid of cells with their
//! rowspan/colspan, built only from `gongkai_core::template` and the report's figures. The
//! same grids are meant to feed the DOCX, XLSX and PDF exporters.
//!
//! **Architecture invariants.** No template label is written here: every label comes from
//! `gongkai_core::template`. Each table follows its own template
//! (`provenance.table_templates`, else `report.template`). A blank cell (`null`) prints empty,
//! never 0, and a table that is `null` is not printed. Report text is always escaped.

pub mod document;
pub mod docx;
pub mod error;
pub mod grid;
pub mod html;
pub mod letter;
pub mod markdown;
pub mod xlsx;

pub use docx::{render_document_docx, render_docx};
pub use error::ExportError;
pub use html::{render_html, render_html_body, render_html_fragment};
pub use letter::{render_document_html, render_document_html_fragment, LETTER_STYLESHEET};
pub use markdown::render_markdown;
pub use xlsx::{render_bulk_xlsx, render_xlsx};

/// One CSV field (RFC 4180): quoted when it holds a comma, a quote or a line break; a field a
/// spreadsheet would run as a formula (starting with `=`, `+`, `@`, or `-` not followed by a
/// digit) is prefixed with `'` (the exports are opened in Excel by clerks).
pub fn csv_field(s: &str) -> String {
    let formula = s.starts_with(['=', '+', '@'])
        || (s.starts_with('-') && !s[1..].starts_with(|c: char| c.is_ascii_digit()) && s.len() > 1);
    let s = if formula { format!("'{s}") } else { s.to_string() };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

#[cfg(test)]
mod csv_tests {
    use super::csv_field;

    #[test]
    fn csv_fields_are_quoted_and_formulas_defused() {
        assert_eq!(csv_field("答复"), "答复");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("说\"明\""), "\"说\"\"明\"\"\"");
        assert_eq!(csv_field("=1+1"), "'=1+1");
        assert_eq!(csv_field("-5"), "-5");
        assert_eq!(csv_field("-"), "-");
        assert_eq!(csv_field("-cmd"), "'-cmd");
    }
}
