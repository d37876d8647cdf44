//! HTML: one self-contained page (inline stylesheet with an A4 print layout; no scripts, no
//! external fonts, styles or links), or the same body as a fragment to embed.
//!
//! Tables carry `<caption>` (visually hidden: the section heading above already shows it),
//! `<thead>` for the header rows, one `<tbody>` per row group, `<th scope="col">` for column
//! headers, `<th scope="row">` for row labels (a row label's `rowspan` makes it head all the
//! rows it spans), `<th scope="rowgroup">` for table 2's block titles, and the template's
//! `rowspan`/`colspan`. Every text from the report is escaped.

use gongkai_core::report::Report;

use crate::document::{self, DocSection, Document, Signature};
use crate::grid::{CellRole, Grid, TableKind};

/// The stylesheet of the page (also for embedders of [`render_html_fragment`], whose markup
/// uses the same `gk-` classes). Body text in 仿宋, headings in 黑体, tables in a sans-serif
/// face, each with fallbacks; A4 pages in print.
pub const STYLESHEET: &str = r#".gk-report {
  max-width: 170mm;
  margin: 0 auto;
  padding: 12mm 8mm;
  color: #000;
  background: #fff;
  font-family: "FangSong", "仿宋", "FangSong_GB2312", "仿宋_GB2312", "STFangsong", "Noto Serif CJK SC", serif;
  font-size: 16px;
  line-height: 1.8;
}
.gk-report h1 {
  margin: 0 0 1.2em;
  text-align: center;
  font-family: "FZXiaoBiaoSong-B05S", "方正小标宋简体", "SimSun", "宋体", "STSong", "Noto Serif CJK SC", serif;
  font-size: 1.6em;
  font-weight: bold;
  line-height: 1.4;
}
.gk-report h2 {
  margin: 1.2em 0 0.4em;
  font-family: "SimHei", "黑体", "STHeiti", "Noto Sans CJK SC", sans-serif;
  font-size: 1em;
  font-weight: bold;
}
.gk-report p { margin: 0; text-indent: 2em; }
.gk-table {
  width: 100%;
  margin: 0.8em 0 1.2em;
  border-collapse: collapse;
  table-layout: fixed;
  font-family: "SimHei", "黑体", "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif;
  font-size: 13px;
  line-height: 1.45;
}
.gk-table caption {
  position: absolute;
  width: 1px;
  height: 1px;
  overflow: hidden;
  clip: rect(0 0 0 0);
  white-space: nowrap;
}
.gk-table th, .gk-table td {
  padding: 2px 4px;
  border: 1px solid #000;
  font-weight: normal;
  text-align: center;
  vertical-align: middle;
  overflow-wrap: anywhere;
}
.gk-table th[scope="rowgroup"] { background: #c6d9f1; text-align: left; }
.gk-requests tbody th, .gk-legacy tbody th { text-align: left; }
.gk-requests tbody th[rowspan] { text-align: center; }
.gk-table td.gk-note { text-align: left; }
.gk-signature { margin-top: 2.5em; text-align: right; }
.gk-signature p { text-indent: 0; }
@page { size: A4; margin: 25mm 20mm; }
@media print {
  .gk-report { max-width: none; margin: 0; padding: 0; font-size: 16pt; }
  .gk-table { font-size: 9pt; }
  .gk-table thead { display: table-header-group; }
  .gk-table tr { break-inside: avoid; }
  .gk-report h2 { break-after: avoid; }
  .gk-signature { break-inside: avoid; }
}
"#;

/// Escapes text for HTML content and attribute values (`& < > " '`); other C0 control
/// characters, which HTML does not allow, become U+FFFD.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() && (c as u32) < 0x20 => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Escapes cell text, keeping its line breaks as `<br>`.
fn cell_text(s: &str) -> String {
    escape(s).lines().map(str::trim).collect::<Vec<_>>().join("<br>")
}

/// The report as one self-contained HTML page.
pub fn render_html(report: &Report) -> String {
    let doc = document::document(report);
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str(&format!("<title>{}</title>\n", escape(&doc.title)));
    out.push_str("<style>\n");
    out.push_str(STYLESHEET);
    out.push_str("</style>\n</head>\n<body>\n");
    write_document(&mut out, &doc);
    out.push_str("</body>\n</html>\n");
    out
}

/// The body of [`render_html`] without `<html>`/`<head>` (one `<article class="gk-report">`),
/// for a CMS or the web application; style it with [`STYLESHEET`].
pub fn render_html_fragment(report: &Report) -> String {
    let mut out = String::new();
    write_document(&mut out, &document::document(report));
    out
}

/// The body of a report for a page that prints the report's title itself (the portal's report
/// page has it as its `<h1>`): the sections and the signature, no second title. A section with
/// neither text nor table says so, rather than leaving a bare heading that reads as a page
/// that failed to load.
pub fn render_html_body(report: &Report) -> String {
    let doc = document::document(report);
    let mut out = String::from("<article class=\"gk-report\" lang=\"zh-CN\">\n");
    write_parts(&mut out, &doc, true);
    out.push_str("</article>\n");
    out
}

fn write_document(out: &mut String, doc: &Document) {
    out.push_str("<article class=\"gk-report\" lang=\"zh-CN\">\n");
    out.push_str(&format!("<h1>{}</h1>\n", escape(&doc.title)));
    write_parts(out, doc, false);
    out.push_str("</article>\n");
}

fn write_parts(out: &mut String, doc: &Document, say_empty: bool) {
    for s in &doc.sections {
        write_section(out, s, say_empty);
    }
    if let Some(sig) = &doc.signature {
        write_signature(out, sig);
    }
}

fn write_section(out: &mut String, s: &DocSection, say_empty: bool) {
    out.push_str("<section>\n");
    out.push_str(&format!("<h2>{}</h2>\n", escape(&s.title)));
    if say_empty && s.paragraphs.is_empty() && s.tables.is_empty() {
        out.push_str("<p class=\"gk-empty\">（本部分未填写内容）</p>\n");
    }
    for p in &s.paragraphs {
        out.push_str(&format!("<p>{}</p>\n", escape(p)));
    }
    for g in &s.tables {
        write_table(out, g, TableFlavor::Page);
    }
    out.push_str("</section>\n");
}

fn write_signature(out: &mut String, sig: &Signature) {
    out.push_str("<footer class=\"gk-signature\">\n");
    if let Some(a) = &sig.agency {
        out.push_str(&format!("<p>{}</p>\n", escape(a)));
    }
    if let (Some(iso), Some(text)) = (&sig.date_iso, &sig.date_text) {
        out.push_str(&format!("<p><time datetime=\"{}\">{}</time></p>\n", escape(iso), escape(text)));
    }
    out.push_str("</footer>\n");
}

/// Where a table is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TableFlavor {
    /// The HTML page: classes, caption, column widths.
    Page,
    /// Inside Markdown: bare markup (GitHub keeps `rowspan`/`colspan`/`scope`), no blank line.
    Markdown,
}

/// The CSS class of a table.
fn table_class(t: TableKind) -> &'static str {
    match t {
        TableKind::Proactive => "gk-proactive",
        TableKind::LegacyStatistics => "gk-legacy",
        TableKind::Requests => "gk-requests",
        TableKind::ReviewLitigation => "gk-review",
    }
}

/// Column widths in percent, close to the official template's proportions.
fn column_widths(g: &Grid) -> Vec<f64> {
    let even = |n: usize, total: f64| vec![total / n.max(1) as f64; n];
    match g.table {
        // Label column a quarter, the value columns share the rest.
        TableKind::Proactive => {
            let mut w = vec![25.0];
            w.extend(even(g.width.saturating_sub(1), 75.0));
            w
        }
        // 三、本年度办理结果 | group labels | row labels | 7 applicant columns.
        TableKind::Requests => {
            let mut w = vec![8.0, 9.0, 34.0];
            w.extend(even(g.width.saturating_sub(3), 49.0));
            w
        }
        TableKind::ReviewLitigation => even(g.width, 100.0),
        TableKind::LegacyStatistics => vec![64.0, 14.0, 22.0],
    }
}

fn fmt_width(w: f64) -> String {
    let s = format!("{w:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s}%")
}

pub(crate) fn write_table(out: &mut String, g: &Grid, flavor: TableFlavor) {
    let page = flavor == TableFlavor::Page;
    if page {
        out.push_str(&format!(
            "<table class=\"gk-table {}\" data-template=\"{}\">\n",
            table_class(g.table),
            g.template.id()
        ));
        out.push_str(&format!("<caption>{}</caption>\n", escape(&g.caption)));
        let widths = column_widths(g);
        if widths.len() == g.width {
            out.push_str("<colgroup>");
            for w in widths {
                out.push_str(&format!("<col style=\"width:{}\">", fmt_width(w)));
            }
            out.push_str("</colgroup>\n");
        }
    } else {
        out.push_str("<table>\n");
    }
    if !g.head.is_empty() {
        out.push_str("<thead>\n");
        for row in &g.head {
            write_row(out, row, page);
        }
        out.push_str("</thead>\n");
    }
    for body in &g.bodies {
        out.push_str("<tbody>\n");
        for row in body {
            write_row(out, row, page);
        }
        out.push_str("</tbody>\n");
    }
    out.push_str("</table>\n");
}

fn write_row(out: &mut String, row: &crate::grid::GridRow, page: bool) {
    out.push_str("<tr>");
    for cell in &row.cells {
        let (tag, scope) = match cell.role {
            CellRole::GroupTitle => ("th", Some("rowgroup")),
            CellRole::ColumnHeader => ("th", Some("col")),
            CellRole::RowHeader => ("th", Some("row")),
            CellRole::Note | CellRole::Data => ("td", None),
        };
        out.push('<');
        out.push_str(tag);
        if let Some(s) = scope {
            out.push_str(&format!(" scope=\"{s}\""));
        }
        if cell.rowspan > 1 {
            out.push_str(&format!(" rowspan=\"{}\"", cell.rowspan));
        }
        if cell.colspan > 1 {
            out.push_str(&format!(" colspan=\"{}\"", cell.colspan));
        }
        if page && cell.role == CellRole::Note {
            out.push_str(" class=\"gk-note\"");
        }
        out.push('>');
        out.push_str(&cell_text(&cell.content.display()));
        out.push_str("</");
        out.push_str(tag);
        out.push('>');
    }
    out.push_str("</tr>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(escape(r#"<a href="x">'&'</a>"#), "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
        assert_eq!(escape("a\u{1}b"), "a\u{fffd}b");
        assert_eq!(cell_text("（一）主动公开\n（不同渠道）"), "（一）主动公开<br>（不同渠道）");
    }

    #[test]
    fn widths_are_trimmed() {
        assert_eq!(fmt_width(25.0), "25%");
        assert_eq!(fmt_width(18.75), "18.75%");
        assert_eq!(fmt_width(7.0), "7%");
    }
}
