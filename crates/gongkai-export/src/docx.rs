//! DOCX: the report as a Word document in the 公文 layout, written as OOXML by hand into a zip.
//!
//! Why by hand: the parts are few and fixed, the tables need exact control (grid widths that sum
//! to the text width, `w:gridSpan`/`w:vMerge`, repeated header rows), and a writer crate would
//! bring a second zip and quick-xml into the workspace.
//!
//! The document prints the same outline as the HTML page ([`crate::document::document`]): the
//! title, the sections in document order with their paragraphs and tables (the shared
//! [`Grid`]s, merged cells as `w:gridSpan` and `w:vMerge`), and the signature block.
//!
//! Layout (GB/T 9704-2012 公文格式): A4, margins top 37 mm, bottom 35 mm, left 28 mm, right
//! 26 mm; title in 方正小标宋简体 二号 (22 pt) centred; headings in 黑体 三号; body in
//! 仿宋_GB2312 三号 (16 pt), fixed 29 pt lines, first lines indented two characters; tables in a
//! sans face (黑体) at 五号 (10.5 pt), single borders, as wide as the text (fixed layout); the
//! page number 「— 1 —」 in the footer; the signature block right-aligned. Every face is named
//! with a fallback in `word/fontTable.xml` (`w:altName`) for machines that lack it.

mod letter;
mod parts;

pub use letter::render_document_docx;
pub use parts::{BODY_FONT, PAGE_NUMBER_FONT, SANS_FONT, TITLE_FONT};

use std::io::{Cursor, Write};

use gongkai_core::report::Report;
use zip::write::SimpleFileOptions;

use crate::document::{self, DocSection, Document, Signature};
use crate::grid::{CellRole, Grid, GridCell, TableKind};
use crate::ExportError;

/// A4 width in twentieths of a point (twips).
pub const PAGE_WIDTH: u32 = 11906;
/// A4 height in twips.
pub const PAGE_HEIGHT: u32 = 16838;
/// 天头 37 mm.
pub const MARGIN_TOP: u32 = 2098;
/// 35 mm.
pub const MARGIN_BOTTOM: u32 = 1984;
/// 订口 28 mm.
pub const MARGIN_LEFT: u32 = 1587;
/// 26 mm.
pub const MARGIN_RIGHT: u32 = 1474;
/// The width of the text block (版心), 156 mm: every table is exactly this wide.
pub const TEXT_WIDTH: u32 = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT;
/// Left and right padding inside table cells (1 mm), as in the official template.
const CELL_MARGIN: u32 = 57;
/// Single 0.5 pt black lines around and between all cells.
const TABLE_BORDERS: &str = "<w:top w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
<w:left w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
<w:bottom w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
<w:right w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
<w:insideH w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>\
<w:insideV w:val=\"single\" w:sz=\"4\" w:space=\"0\" w:color=\"000000\"/>";
/// The shading of table 2's block titles, as in the official template.
const GROUP_FILL: &str = "C6D9F1";

/// The report as a .docx file.
pub fn render_docx(report: &Report) -> Result<Vec<u8>, ExportError> {
    let doc = document::document(report);
    let body = document_xml(&doc)?;
    let sig = doc.signature.as_ref();
    let core =
        parts::core_xml(&doc.title, sig.and_then(|s| s.agency.as_deref()), sig.and_then(|s| s.date_iso.as_deref()));
    package(&body, &core)
}

/// The .docx package of a document body and its core properties (the fixed parts shared by the
/// report and the casework documents).
fn package(body: &str, core: &str) -> Result<Vec<u8>, ExportError> {
    let members: [(&str, &[u8]); 10] = [
        ("[Content_Types].xml", parts::CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", parts::ROOT_RELS.as_bytes()),
        ("docProps/core.xml", core.as_bytes()),
        ("docProps/app.xml", parts::APP.as_bytes()),
        ("word/document.xml", body.as_bytes()),
        ("word/_rels/document.xml.rels", parts::DOCUMENT_RELS.as_bytes()),
        ("word/styles.xml", parts::STYLES.as_bytes()),
        ("word/settings.xml", parts::SETTINGS.as_bytes()),
        ("word/fontTable.xml", parts::FONT_TABLE.as_bytes()),
        ("word/footer1.xml", parts::FOOTER.as_bytes()),
    ];
    zip_members(&members)
}

/// The package of `members` (name, bytes), deflated.
fn zip_members(members: &[(&str, &[u8])]) -> Result<Vec<u8>, ExportError> {
    let size: usize = members.iter().map(|(_, d)| d.len()).sum();
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(size / 4 + 16 * 1024)));
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in members {
        zip.start_file(*name, opts).map_err(|e| ExportError::write("docx", format!("{name}：{e}")))?;
        zip.write_all(data).map_err(|e| ExportError::write("docx", format!("{name}：{e}")))?;
    }
    let out = zip.finish().map_err(|e| ExportError::write("docx", format!("zip：{e}")))?;
    Ok(out.into_inner())
}

/// Escapes text for XML content and attribute values. Characters XML 1.0 does not allow
/// (C0 controls other than tab and line breaks, U+FFFE, U+FFFF) become U+FFFD.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(&mut out, s);
    out
}

fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// word/document.xml

const DOCUMENT_START: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
<w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" \
xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><w:body>";

fn document_xml(doc: &Document) -> Result<String, ExportError> {
    let mut out = String::with_capacity(96 * 1024);
    out.push_str(DOCUMENT_START);
    paragraph(&mut out, "GkTitle", &doc.title);
    for s in &doc.sections {
        section(&mut out, s)?;
    }
    if let Some(sig) = &doc.signature {
        signature(&mut out, sig);
    }
    end_document(&mut out);
    Ok(out)
}

/// The A4 page with the 公文 margins and the footer, and the end of `word/document.xml`.
fn end_document(out: &mut String) {
    out.push_str(&format!(
        "<w:sectPr><w:footerReference w:type=\"default\" r:id=\"rIdFooter1\"/>\
<w:pgSz w:w=\"{PAGE_WIDTH}\" w:h=\"{PAGE_HEIGHT}\"/>\
<w:pgMar w:top=\"{MARGIN_TOP}\" w:right=\"{MARGIN_RIGHT}\" w:bottom=\"{MARGIN_BOTTOM}\" w:left=\"{MARGIN_LEFT}\" \
w:header=\"851\" w:footer=\"1304\" w:gutter=\"0\"/><w:cols w:space=\"425\"/><w:docGrid w:linePitch=\"579\"/>\
</w:sectPr></w:body></w:document>"
    ));
}

/// A paragraph of one style; line breaks in the text become `w:br`.
fn paragraph(out: &mut String, style: &str, text: &str) {
    out.push_str("<w:p><w:pPr><w:pStyle w:val=\"");
    out.push_str(style);
    out.push_str("\"/></w:pPr>");
    runs(out, text);
    out.push_str("</w:p>");
}

/// The runs of a text: one `w:t` per line, `w:br` between them; nothing for empty text.
fn runs(out: &mut String, text: &str) {
    if text.is_empty() {
        return;
    }
    out.push_str("<w:r>");
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push_str("<w:br/>");
        }
        let line = line.trim_end_matches('\r');
        if !line.is_empty() {
            out.push_str("<w:t xml:space=\"preserve\">");
            escape_into(out, line);
            out.push_str("</w:t>");
        }
    }
    out.push_str("</w:r>");
}

fn section(out: &mut String, s: &DocSection) -> Result<(), ExportError> {
    paragraph(out, "Heading1", &s.title);
    for p in &s.paragraphs {
        paragraph(out, "GkBody", p);
    }
    for g in &s.tables {
        table(out, g)?;
        // A paragraph after each table: two tables in a row would otherwise merge into one, and
        // Word wants a paragraph between a table and the end of the document.
        out.push_str("<w:p><w:pPr><w:pStyle w:val=\"GkAfterTable\"/></w:pPr></w:p>");
    }
    Ok(())
}

fn signature(out: &mut String, sig: &Signature) {
    let mut first = true;
    let lines = [sig.agency.as_deref(), sig.date_text.as_deref()];
    for line in lines.into_iter().flatten() {
        paragraph(out, if first { "GkSignatureFirst" } else { "GkSignature" }, line);
        first = false;
    }
}

// ---------------------------------------------------------------------------------------------
// Tables

/// Relative column widths, close to the official template's proportions; label columns wider.
fn column_weights(g: &Grid) -> Vec<u32> {
    let n = g.width;
    let weights = match g.table {
        // 信息内容 wider than each value column (the 2021 template: 4 equal columns, which wraps
        // 行政规范性文件; here the label gets 28 %).
        TableKind::Proactive => {
            let mut w = vec![28 * n.saturating_sub(1) as u32];
            w.extend(std::iter::repeat_n(72, n.saturating_sub(1)));
            w
        }
        // 三、本年度办理结果 | group labels | row labels | the applicant columns (template: 754,
        // 921, 3271, 7 × 685 of 9748).
        TableKind::Requests => {
            let mut w = vec![754, 921, 3271];
            w.extend(std::iter::repeat_n(685, n.saturating_sub(3)));
            w
        }
        TableKind::ReviewLitigation => vec![1; n],
        TableKind::LegacyStatistics => vec![64, 14, 22],
    };
    if weights.len() == n {
        weights
    } else {
        vec![1; n]
    }
}

/// Splits `total` twips by `weights`, in whole twips summing exactly to `total` (the rounding
/// remainder goes to the first columns).
fn distribute(weights: &[u32], total: u32) -> Vec<u32> {
    let sum: u64 = weights.iter().map(|&w| u64::from(w)).sum::<u64>().max(1);
    let mut out: Vec<u32> =
        weights.iter().map(|&w| u32::try_from(u64::from(w) * u64::from(total) / sum).unwrap_or(0)).collect();
    let mut rest = total.saturating_sub(out.iter().sum());
    let n = out.len();
    let mut i = 0;
    while rest > 0 && n > 0 {
        out[i % n] += 1;
        rest -= 1;
        i += 1;
    }
    out
}

/// The grid column widths of a table, summing to [`TEXT_WIDTH`].
pub fn column_widths(g: &Grid) -> Vec<u32> {
    distribute(&column_weights(g), TEXT_WIDTH)
}

fn table(out: &mut String, g: &Grid) -> Result<(), ExportError> {
    let fail = |m: String| ExportError::write("docx", format!("表格「{}」：{m}", g.caption));
    let slots = g.slots().map_err(fail)?;
    let widths = column_widths(g);
    let rows: Vec<(bool, &crate::grid::GridRow)> = g.rows().collect();
    out.push_str(&format!(
        "<w:tbl><w:tblPr><w:tblStyle w:val=\"GkTable\"/><w:tblW w:w=\"{TEXT_WIDTH}\" w:type=\"dxa\"/>\
<w:jc w:val=\"center\"/><w:tblBorders>{TABLE_BORDERS}</w:tblBorders><w:tblLayout w:type=\"fixed\"/>\
<w:tblCellMar><w:left w:w=\"{CELL_MARGIN}\" w:type=\"dxa\"/><w:right w:w=\"{CELL_MARGIN}\" w:type=\"dxa\"/></w:tblCellMar><w:tblLook w:val=\"0000\" w:firstRow=\"0\" w:lastRow=\"0\" \
w:firstColumn=\"0\" w:lastColumn=\"0\" w:noHBand=\"1\" w:noVBand=\"1\"/><w:tblCaption w:val=\""
    ));
    escape_into(out, &g.caption);
    out.push_str("\"/></w:tblPr><w:tblGrid>");
    for w in &widths {
        out.push_str(&format!("<w:gridCol w:w=\"{w}\"/>"));
    }
    out.push_str("</w:tblGrid>");
    for (r, (head, _)) in rows.iter().enumerate() {
        out.push_str("<w:tr><w:trPr><w:cantSplit/>");
        if *head {
            out.push_str("<w:tblHeader/>");
        }
        out.push_str("<w:jc w:val=\"center\"/></w:trPr>");
        let line = slots.get(r).ok_or_else(|| fail(format!("第 {r} 行不在网格中")))?;
        let mut c = 0;
        while c < g.width {
            let slot = line.get(c).ok_or_else(|| fail(format!("第 {r} 行第 {c} 列不在网格中")))?;
            let cell = rows
                .get(slot.row)
                .and_then(|(_, row)| row.cells.get(slot.index))
                .ok_or_else(|| fail(format!("第 {r} 行第 {c} 列的单元格不存在")))?;
            let span = cell.colspan.max(1);
            let width: u32 = widths.iter().skip(c).take(span).sum();
            if slot.origin {
                table_cell(out, g.table, cell, width);
            } else if slot.row < r {
                // Covered from above: the continuation of a vertical merge.
                cell_properties(out, width, span, Some(false), cell.role, false);
                out.push_str("<w:p><w:pPr><w:pStyle w:val=\"GkTableText\"/></w:pPr></w:p></w:tc>");
            } else {
                return Err(fail(format!("第 {r} 行第 {c} 列被同一行左侧的单元格覆盖，但未被跳过")));
            }
            c += span;
        }
        out.push_str("</w:tr>");
    }
    out.push_str("</w:tbl>");
    Ok(())
}

/// Opens `w:tc` and writes its properties. `vmerge`: `Some(true)` restarts a vertical merge,
/// `Some(false)` continues one.
fn cell_properties(out: &mut String, width: u32, span: usize, vmerge: Option<bool>, role: CellRole, fill: bool) {
    out.push_str(&format!("<w:tc><w:tcPr><w:tcW w:w=\"{width}\" w:type=\"dxa\"/>"));
    if span > 1 {
        out.push_str(&format!("<w:gridSpan w:val=\"{span}\"/>"));
    }
    match vmerge {
        Some(true) => out.push_str("<w:vMerge w:val=\"restart\"/>"),
        Some(false) => out.push_str("<w:vMerge/>"),
        None => {}
    }
    if fill && role == CellRole::GroupTitle {
        out.push_str(&format!("<w:shd w:val=\"clear\" w:color=\"auto\" w:fill=\"{GROUP_FILL}\"/>"));
    }
    out.push_str("<w:vAlign w:val=\"center\"/></w:tcPr>");
}

/// How a cell's text is aligned, as in the official template.
fn alignment(table: TableKind, cell: &GridCell) -> &'static str {
    match cell.role {
        CellRole::GroupTitle | CellRole::Note => "left",
        CellRole::RowHeader => match table {
            TableKind::Requests if cell.rowspan == 1 => "left",
            TableKind::LegacyStatistics => "left",
            _ => "center",
        },
        CellRole::ColumnHeader | CellRole::Data => "center",
    }
}

fn table_cell(out: &mut String, table: TableKind, cell: &GridCell, width: u32) {
    let vmerge = if cell.rowspan > 1 { Some(true) } else { None };
    cell_properties(out, width, cell.colspan.max(1), vmerge, cell.role, true);
    out.push_str("<w:p><w:pPr><w:pStyle w:val=\"GkTableText\"/>");
    let jc = alignment(table, cell);
    if jc != "center" {
        out.push_str("<w:jc w:val=\"");
        out.push_str(jc);
        out.push_str("\"/>");
    }
    out.push_str("</w:pPr>");
    // Blank cells stay blank: an empty paragraph, never 0.
    runs(out, &cell.content.display());
    out.push_str("</w:p></w:tc>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_width_is_156_mm() {
        assert_eq!(TEXT_WIDTH, 8845);
        // 156 mm ± 0.1 mm.
        assert!((f64::from(TEXT_WIDTH) / 1440.0 * 25.4 - 156.0).abs() < 0.1);
    }

    #[test]
    fn distribute_sums_to_the_total() {
        assert_eq!(distribute(&[1, 1, 1], 10), vec![4, 3, 3]);
        assert_eq!(distribute(&[64, 14, 22], TEXT_WIDTH).iter().sum::<u32>(), TEXT_WIDTH);
        assert_eq!(distribute(&[], 10), Vec::<u32>::new());
    }

    #[test]
    fn escape_covers_markup_and_invalid_characters() {
        assert_eq!(escape("<a href=\"x\">'&'</a>"), "&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;");
        assert_eq!(escape("a\u{1}b\u{ffff}"), "a\u{fffd}b\u{fffd}");
        assert_eq!(escape("行\t政"), "行\t政");
    }

    #[test]
    fn runs_break_lines() {
        let mut s = String::new();
        runs(&mut s, "甲\n乙");
        assert_eq!(s, "<w:r><w:t xml:space=\"preserve\">甲</w:t><w:br/><w:t xml:space=\"preserve\">乙</w:t></w:r>");
        let mut s = String::new();
        runs(&mut s, "");
        assert!(s.is_empty());
    }
}
