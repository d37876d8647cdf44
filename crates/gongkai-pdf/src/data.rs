//! The document outline as the JSON the layout (`report.typ`) reads: plain strings and numbers,
//! so report text never passes through typst's markup parser.

use gongkai_export::document::Document;
use gongkai_export::grid::{CellRole, Grid, GridRow, TableKind};
use serde::Serialize;

/// The font family chosen for each role (see `Fonts::system`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FontChoice {
    /// 标题: the report title (小标宋-class serif).
    pub title: String,
    /// 正文: paragraphs and the signature (仿宋, else a CJK serif).
    pub body: String,
    /// 一级标题: section headings (黑体-class sans).
    pub heading: String,
    /// 表格: table text (a CJK sans).
    pub table: String,
}

/// Everything the layout prints.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ReportData {
    fonts: FontChoice,
    title: String,
    sections: Vec<SectionData>,
    signature: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
struct SectionData {
    title: String,
    paragraphs: Vec<String>,
    tables: Vec<TableData>,
}

#[derive(Debug, Clone, Serialize)]
struct TableData {
    caption: String,
    /// Relative column widths (`fr`), as many as the grid is wide.
    columns: Vec<f64>,
    head: Vec<CellData>,
    /// One list of cells per row group (typst places them like HTML does).
    bodies: Vec<Vec<CellData>>,
}

#[derive(Debug, Clone, Serialize)]
struct CellData {
    text: String,
    rowspan: usize,
    colspan: usize,
    /// `group` (table 2's block titles, shaded), `head`, `label`, `note` or `data`.
    role: &'static str,
    /// Horizontal alignment: `left`, `center`.
    align: &'static str,
}

/// The layout's data for a document.
pub(crate) fn document_data(doc: &Document, fonts: &FontChoice) -> ReportData {
    let signature = doc
        .signature
        .as_ref()
        .map(|s| s.agency.iter().chain(s.date_text.iter()).cloned().collect())
        .unwrap_or_default();
    ReportData {
        fonts: fonts.clone(),
        title: doc.title.clone(),
        sections: doc
            .sections
            .iter()
            .map(|s| SectionData {
                title: s.title.clone(),
                paragraphs: s.paragraphs.clone(),
                tables: s.tables.iter().map(table).collect(),
            })
            .collect(),
        signature,
    }
}

/// Column widths: figures get narrow equal columns, labels the rest (the official template's
/// proportions, adjusted so that a row's label wraps at most twice at 9 pt).
fn columns(g: &Grid) -> Vec<f64> {
    let mut w = vec![1.0; g.width];
    match g.table {
        // 三、本年度办理结果 | group (（三）不予公开) | row label | 7 applicant columns.
        TableKind::Requests => {
            for (i, x) in [1.25, 1.6, 5.4].iter().enumerate() {
                if let Some(slot) = w.get_mut(i) {
                    *slot = *x;
                }
            }
        }
        // 信息内容 | the values.
        TableKind::Proactive => {
            if let Some(first) = w.first_mut() {
                *first = 1.25;
            }
        }
        // 统计指标 | 单位 | 统计数.
        TableKind::LegacyStatistics => w = vec![5.0, 1.0, 1.6],
        TableKind::ReviewLitigation => {}
    }
    w
}

fn cells(g: &Grid, rows: &[GridRow]) -> Vec<CellData> {
    rows.iter()
        .flat_map(|r| &r.cells)
        .map(|c| {
            let (role, align) = match c.role {
                CellRole::GroupTitle => ("group", "left"),
                CellRole::ColumnHeader => ("head", "center"),
                CellRole::Note => ("note", "left"),
                CellRole::RowHeader if c.rowspan > 1 => ("label", "center"),
                CellRole::RowHeader => match g.table {
                    TableKind::Proactive => ("label", "center"),
                    _ => ("label", "left"),
                },
                CellRole::Data => ("data", "center"),
            };
            CellData { text: c.content.display(), rowspan: c.rowspan, colspan: c.colspan, role, align }
        })
        .collect()
}

fn table(g: &Grid) -> TableData {
    TableData {
        caption: g.caption.clone(),
        columns: columns(g),
        head: cells(g, &g.head),
        bodies: g.bodies.iter().map(|b| cells(g, b)).collect(),
    }
}
