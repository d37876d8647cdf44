//! Markdown (CommonMark / GitHub flavour).
//!
//! Markdown has no merged cells, so **tables with merges (tables 2, 3 and 4) are written as HTML
//! tables inside the Markdown**, with the template's `rowspan`/`colspan` and `th scope`; GitHub
//! and most renderers display them as the official layout. Each such table is one HTML block
//! with no blank line inside, so its cells are HTML-escaped, not Markdown-escaped. The pre-2019
//! statistics table has no merges and is a pipe table. Prose is Markdown-escaped so that a
//! report's text never turns into markup; the signature is a right-aligned HTML paragraph.

use gongkai_core::report::Report;

use crate::document::{self, Document};
use crate::grid::{Grid, TableKind};
use crate::html::{self, TableFlavor};

/// Escapes text for Markdown prose: inline markup characters everywhere, and what would start
/// a block (heading, list, quote, rule) at the start of the line.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '~' | '&' | '!' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    // Block starts: `#`, `-`, `+`, `=` and `1.`/`1)` followed by a space or at the end.
    let lead = out.trim_start();
    let indent = out.len() - lead.len();
    let mut chars = lead.chars();
    let starts_block = match chars.next() {
        Some('#' | '-' | '+' | '=') => true,
        Some(d) if d.is_ascii_digit() => {
            let rest = lead.trim_start_matches(|c: char| c.is_ascii_digit());
            rest.starts_with(['.', ')']) && rest[1..].chars().next().is_none_or(|c| c == ' ' || c == '\t')
        }
        _ => false,
    };
    if starts_block {
        let digits = lead.chars().take_while(char::is_ascii_digit).map(char::len_utf8).sum::<usize>();
        out.insert(indent + digits, '\\');
    }
    out
}

/// Escapes a pipe-table cell: Markdown escaping, line breaks as `<br>`.
fn pipe_cell(s: &str) -> String {
    s.lines().map(|l| escape(l.trim())).collect::<Vec<_>>().join("<br>")
}

/// The report as Markdown: title, sections in document order, tables in the official layout
/// (HTML tables where the template merges cells), and the signature.
pub fn render_markdown(report: &Report) -> String {
    let doc = document::document(report);
    write_document(&doc)
}

fn write_document(doc: &Document) -> String {
    let mut out = format!("# {}\n", escape(&doc.title));
    for s in &doc.sections {
        out.push_str(&format!("\n## {}\n", escape(&s.title)));
        for p in &s.paragraphs {
            out.push_str(&format!("\n{}\n", escape(p)));
        }
        for g in &s.tables {
            out.push('\n');
            write_table(&mut out, g);
        }
    }
    if let Some(sig) = &doc.signature {
        let lines: Vec<String> =
            [sig.agency.as_deref(), sig.date_text.as_deref()].into_iter().flatten().map(html::escape).collect();
        out.push_str(&format!("\n<p align=\"right\">{}</p>\n", lines.join("<br>")));
    }
    out
}

fn write_table(out: &mut String, g: &Grid) {
    if g.table == TableKind::LegacyStatistics {
        write_pipe_table(out, g);
    } else {
        html::write_table(out, g, TableFlavor::Markdown);
    }
}

/// A grid without merges as a pipe table (its single head row is the header).
fn write_pipe_table(out: &mut String, g: &Grid) {
    let line = |cells: Vec<String>| format!("| {} |\n", cells.join(" | "));
    let head: Vec<String> = g
        .head
        .first()
        .map(|r| r.cells.iter().map(|c| pipe_cell(&c.content.display())).collect())
        .unwrap_or_else(|| vec![String::new(); g.width]);
    out.push_str(&line(head));
    // Indicator left, unit centred, figure right.
    let rule: Vec<String> = (0..g.width)
        .map(|i| match i {
            0 => "---".to_string(),
            i if i + 1 == g.width => "---:".to_string(),
            _ => ":---:".to_string(),
        })
        .collect();
    out.push_str(&line(rule));
    for row in g.head.iter().skip(1).chain(g.bodies.iter().flatten()) {
        out.push_str(&line(row.cells.iter().map(|c| pipe_cell(&c.content.display())).collect()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_neutralises_markup() {
        assert_eq!(escape("a*b*_c_"), r"a\*b\*\_c\_");
        assert_eq!(escape("# 标题"), r"\# 标题");
        assert_eq!(escape("1. 一"), r"1\. 一");
        assert_eq!(escape("1.健全工作机制"), "1.健全工作机制");
        assert_eq!(escape("- 项"), r"\- 项");
        assert_eq!(escape("12.3万元"), "12.3万元");
        assert_eq!(escape("<script>"), r"\<script\>");
    }
}
