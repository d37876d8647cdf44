//! The report as a document outline: title, sections in document order with their paragraphs
//! and tables, and the signature block. Every exporter prints this outline; only the syntax
//! differs.
//!
//! Tables go at the end of the section they belong to (table 2 and the pre-2019 statistics
//! table in 二, table 3 in 三, table 4 in 四), after its prose, as published reports print them.
//! When the report has a table but not its section, a section with the template's title is put
//! in where the template's order puts it.

use gongkai_core::report::{Report, SectionKey};
use gongkai_core::template;

use crate::grid::{self, Grid, TableKind};

/// The whole document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Document {
    /// The report title (`template::report_title`).
    pub title: String,
    /// The sections in document order.
    pub sections: Vec<DocSection>,
    /// The signature block, when the agency or the date is known.
    pub signature: Option<Signature>,
}

/// One section with its prose and tables.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocSection {
    /// The template section, if the report's section is one.
    pub key: Option<SectionKey>,
    /// The title as the report prints it (or the template title for an inserted section).
    pub title: String,
    /// Whether the section is not in the report and was inserted to hold a table.
    pub inserted: bool,
    /// Paragraphs (the section text split at line breaks, trimmed, empty lines dropped).
    pub paragraphs: Vec<String>,
    /// The tables printed after the prose.
    pub tables: Vec<Grid>,
}

/// The signature block (落款): agency and publication date, printed right-aligned at the end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    /// The agency.
    pub agency: Option<String>,
    /// The date as ISO 8601 (`2021-01-22`), for `<time datetime>`.
    pub date_iso: Option<String>,
    /// The date as printed (`2021年1月22日`).
    pub date_text: Option<String>,
}

/// The section a table belongs to.
pub fn table_section(table: TableKind) -> SectionKey {
    match table {
        TableKind::Proactive | TableKind::LegacyStatistics => SectionKey::Proactive,
        TableKind::Requests => SectionKey::Requests,
        TableKind::ReviewLitigation => SectionKey::ReviewLitigation,
    }
}

/// `2021-01-22` → `2021年1月22日` (no zero padding, as dates are printed in reports).
pub fn chinese_date(iso: &str) -> Option<String> {
    let mut parts = iso.splitn(3, '-');
    let y: i32 = parts.next()?.parse().ok()?;
    let m: u32 = parts.next()?.parse().ok()?;
    let d: u32 = parts.next()?.parse().ok()?;
    Some(format!("{y}年{m}月{d}日"))
}

fn paragraphs(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
}

/// Builds the outline of a report.
pub fn document(report: &Report) -> Document {
    let title = template::report_title(report.agency.as_deref().unwrap_or(""), report.year);
    let mut sections: Vec<DocSection> = report
        .sections
        .iter()
        .map(|s| DocSection {
            key: s.key,
            title: s.title.trim().to_string(),
            inserted: false,
            paragraphs: paragraphs(&s.text),
            tables: Vec::new(),
        })
        .collect();
    for g in grid::tables(report) {
        let key = table_section(g.table);
        let at = match sections.iter().position(|s| s.key == Some(key)) {
            Some(i) => i,
            None => {
                // Before the first section that the template orders after this one.
                let i = sections.iter().position(|s| s.key.is_some_and(|k| k > key)).unwrap_or(sections.len());
                let spec = template::section(key);
                sections.insert(
                    i,
                    DocSection {
                        key: Some(key),
                        title: spec.title.to_string(),
                        inserted: true,
                        paragraphs: Vec::new(),
                        tables: Vec::new(),
                    },
                );
                i
            }
        };
        sections[at].tables.push(g);
    }
    let date_iso = report.published_on.map(|d| d.to_string());
    let date_text = date_iso.as_deref().map(|s| chinese_date(s).unwrap_or_else(|| s.to_string()));
    let agency = report.agency.as_ref().map(|a| a.trim().to_string()).filter(|a| !a.is_empty());
    let signature =
        if agency.is_some() || date_iso.is_some() { Some(Signature { agency, date_iso, date_text }) } else { None };
    Document { title, sections, signature }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_printed_without_padding() {
        assert_eq!(chinese_date("2021-01-22").as_deref(), Some("2021年1月22日"));
        assert_eq!(chinese_date("2021-12-05").as_deref(), Some("2021年12月5日"));
        assert_eq!(chinese_date("not a date"), None);
    }
}
