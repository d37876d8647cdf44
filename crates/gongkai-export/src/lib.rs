//! gongkai-export: the canonical report written out in the official layout of the
//! 政府信息公开工作年度报告 (国办公开办函〔2019〕60号 / 〔2021〕30号 templates).
//!
//! - [`render_markdown`]: Markdown, merged tables as HTML tables inside it.
//! - [`render_html`]: one self-contained HTML page (inline stylesheet, A4 print layout).
//! - [`render_html_fragment`]: the same body without `<html>`/`<head>`, for embedding.
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
pub use html::{render_html, render_html_fragment};
pub use letter::{render_document_html, render_document_html_fragment, LETTER_STYLESHEET};
pub use markdown::render_markdown;
pub use xlsx::{render_bulk_xlsx, render_xlsx};
