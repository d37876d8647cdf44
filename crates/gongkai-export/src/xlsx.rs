//! XLSX: the report as an Excel workbook, and many reports as one summary workbook.
//!
//! [`render_xlsx`] writes one sheet per table in the official layout — the same
//! [`grid::Grid`]s the HTML page prints, with their merged cells, thin borders, label columns
//! wide, header rows frozen and repeated on every printed page — and one flat sheet
//! ([`FLAT_SHEET`], one row per cell: `path`, Chinese label, value) from which
//! `gongkai_import` restores the report exactly (agency, year, templates, every figure, the
//! prose).
//!
//! Totals are formulas whose cached value is the printed figure: table 3's 总计 column (the sum
//! of the six applicant columns, `t3.column-sum`), its （七）总计 row (the sum of the outcome rows
//! printed above it, `t3.outcome-sum`) and table 4's 总计 columns (`t4.group-sum`). A formula is
//! written only where the report's figure equals its result: a published report whose sums do
//! not add up keeps its printed figure as a plain number, so the sheet never shows a figure the
//! report does not print. Blank (`null`) cells stay empty, never 0.
//!
//! [`render_bulk_xlsx`] writes one row per report (source file, agency, year, template, the
//! numbers of error and warning findings of `gongkai_core::rules::check`, then every figure by
//! path), what a supervising office builds by hand from dozens of reports.
//!
//! Numbers: a count is written as a number when a spreadsheet holds it exactly (|n| ≤ 2^53), an
//! amount when its decimal string survives the trip through a double (≤ 15 significant digits);
//! anything else is written as text, so that no digit is lost.

use std::collections::HashMap;

use gongkai_core::report::{Amount, CaseResult, Column, FigureValue, Report, RequestRow, Template};
use gongkai_core::rules::{self, CheckContext, Severity};
use gongkai_core::template;
use rust_xlsxwriter::{Color, Format, FormatAlign, FormatBorder, Formula, Workbook, Worksheet, XlsxError};

use crate::grid::{self, CellRole, Content, Grid, GridCell, TableKind};
use crate::ExportError;

/// The flat sheet: one row per cell (`path`, label, value). `gongkai_import` reads it back.
pub const FLAT_SHEET: &str = "数据";
/// The one sheet of the bulk workbook.
pub const BULK_SHEET: &str = "汇总";
/// The header of the flat sheet's path column (read back by the importer).
pub const FLAT_PATH: &str = "path";
/// The header of the flat sheet's label column.
pub const FLAT_LABEL: &str = "标签";
/// The header of the flat sheet's value column (read back by the importer).
pub const FLAT_VALUE: &str = "value";

/// Longest piece of text put in one cell: Excel's limit is 32,767 UTF-16 units; a longer text
/// (a long section) continues on the next rows under the same path.
const MAX_CELL_CHARS: usize = 16_000;
/// Largest integer a spreadsheet number (a double) holds exactly.
const MAX_EXACT: u64 = 1 << 53;
/// The font of the tables (a sans face, as the HTML tables; fallbacks are the reader's).
const TABLE_FONT: &str = "等线";
/// The font of the table title.
const TITLE_FONT: &str = "黑体";
/// Separator between the parts of a label in the flat and bulk sheets.
const LABEL_SEP: &str = " / ";

fn xe(e: XlsxError) -> ExportError {
    ExportError::write("xlsx", e)
}

// ---------------------------------------------------------------------------------------------
// Values

/// A value of the flat sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FlatValue {
    /// Empty (`null`).
    Blank,
    /// A count.
    Count(i64),
    /// A decimal amount.
    Amount(Amount),
    /// Text.
    Text(String),
}

impl From<&FigureValue> for FlatValue {
    fn from(v: &FigureValue) -> FlatValue {
        match v {
            FigureValue::Count(Some(n)) => FlatValue::Count(*n),
            FigureValue::Amount(Some(a)) => FlatValue::Amount(a.clone()),
            FigureValue::Count(None) | FigureValue::Amount(None) => FlatValue::Blank,
        }
    }
}

/// One row of the flat sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlatRow {
    /// The JSON path in the canonical document (`requests.outcomes.granted.total`).
    pub path: String,
    /// The Chinese label (template labels joined by ` / `).
    pub label: String,
    /// The value.
    pub value: FlatValue,
}

/// The count as a spreadsheet number, if it is one exactly.
fn exact_count(n: i64) -> Option<f64> {
    (n.unsigned_abs() <= MAX_EXACT).then_some(n as f64)
}

/// The amount as a spreadsheet number, if the double prints back as the same decimal string.
pub fn exact_amount(a: &Amount) -> Option<f64> {
    let s = a.as_str();
    let significant = s.chars().filter(char::is_ascii_digit).collect::<String>();
    let significant = significant.trim_start_matches('0').trim_end_matches('0');
    if significant.len() > 15 {
        return None;
    }
    let f: f64 = s.parse().ok()?;
    (f.is_finite() && format!("{f}") == s).then_some(f)
}

fn write_count(ws: &mut Worksheet, r: u32, c: u16, n: i64, fmt: &Format) -> Result<(), XlsxError> {
    match exact_count(n) {
        Some(f) => ws.write_number_with_format(r, c, f, fmt)?,
        None => ws.write_string_with_format(r, c, n.to_string(), fmt)?,
    };
    Ok(())
}

fn write_amount(ws: &mut Worksheet, r: u32, c: u16, a: &Amount, fmt: &Format) -> Result<(), XlsxError> {
    match exact_amount(a) {
        Some(f) => ws.write_number_with_format(r, c, f, fmt)?,
        None => ws.write_string_with_format(r, c, a.as_str(), fmt)?,
    };
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Labels

/// The Chinese label of a figure path of tables 2–4 (`Report::figures` paths); `None` for a
/// path no template names. Table 2 labels follow `preferred` first (规范性文件 in 2019,
/// 行政规范性文件 in 2021), then the other template.
pub fn figure_label(path: &str, preferred: Template) -> Option<String> {
    let (table, rest) = path.split_once('.')?;
    match table {
        "proactive" => {
            let (row, col) = rest.split_once('.')?;
            let other = if preferred == Template::V2019 { Template::V2021 } else { Template::V2019 };
            [preferred, other].into_iter().flat_map(template::t2_blocks).find_map(|b| {
                let r = b.rows.iter().find(|r| r.key == row)?;
                let c = b.columns.iter().find(|c| c.key == col)?;
                Some([b.title, r.label, c.label].join(LABEL_SEP))
            })
        }
        "requests" => {
            let (row, col) = rest.rsplit_once('.')?;
            let spec = template::T3_ROWS.iter().find(|r| r.path == row)?;
            let col = Column::from_name(col)?;
            let cspec = template::COLUMNS.iter().find(|c| c.key == col)?;
            let mut parts: Vec<String> = Vec::new();
            if spec.outcome {
                parts.push(template::T3_OUTCOMES.to_string());
            }
            if let Some(g) = spec.group {
                parts.push(g.label().to_string());
            }
            parts.push(spec.full_label());
            if cspec.organisation {
                parts.push(template::T3_ORGANISATIONS.to_string());
            }
            parts.push(cspec.label.to_string());
            Some(parts.join(LABEL_SEP))
        }
        "review_litigation" => {
            let (group, result) = rest.split_once('.')?;
            let g = template::T4_GROUPS.iter().find(|g| g.key.name() == group)?;
            let r = template::T4_RESULTS.iter().find(|r| r.key.name() == result)?;
            let head =
                if g.label == template::T4_REVIEW { vec![g.label] } else { vec![template::T4_LITIGATION, g.label] };
            Some(head.into_iter().chain([r.label]).collect::<Vec<_>>().join(LABEL_SEP))
        }
        _ => None,
    }
}

/// The caption of a table kind (the template's section title; the header of the pre-2019
/// statistics table).
fn table_caption(kind: TableKind) -> String {
    match kind {
        TableKind::Proactive => template::T2_TITLE.to_string(),
        TableKind::Requests => template::T3_TITLE.to_string(),
        TableKind::ReviewLitigation => template::T4_TITLE.to_string(),
        TableKind::LegacyStatistics => template::LEGACY_HEADER.join("／"),
    }
}

const TABLE_KINDS: [TableKind; 4] =
    [TableKind::Proactive, TableKind::LegacyStatistics, TableKind::Requests, TableKind::ReviewLitigation];

fn table_present(report: &Report, kind: TableKind) -> bool {
    match kind {
        TableKind::Proactive => report.proactive.is_some(),
        TableKind::LegacyStatistics => report.legacy_statistics.is_some(),
        TableKind::Requests => report.requests.is_some(),
        TableKind::ReviewLitigation => report.review_litigation.is_some(),
    }
}

/// Pushes a text row, split over several rows when it is longer than a cell holds.
fn push_text(out: &mut Vec<FlatRow>, path: String, label: String, text: Option<&str>) {
    let Some(text) = text else {
        out.push(FlatRow { path, label, value: FlatValue::Blank });
        return;
    };
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        out.push(FlatRow { path, label, value: FlatValue::Text(String::new()) });
        return;
    }
    for chunk in chars.chunks(MAX_CELL_CHARS) {
        out.push(FlatRow { path: path.clone(), label: label.clone(), value: FlatValue::Text(chunk.iter().collect()) });
    }
}

/// Every row of the flat sheet, in order: the metadata (schema, agency, year, publication date,
/// template, the template of each table, which tables the report has), every figure of tables
/// 2–4 and the pre-2019 statistics table, then the prose sections.
pub fn flat_rows(report: &Report) -> Vec<FlatRow> {
    let mut out = Vec::new();
    let meta =
        |path: &str, label: &str, value: FlatValue| FlatRow { path: path.to_string(), label: label.to_string(), value };
    out.push(meta("schema", "文档格式", FlatValue::Text(gongkai_core::report::SCHEMA_ID.to_string())));
    push_text(&mut out, "agency".into(), "行政机关".into(), report.agency.as_deref());
    out.push(meta("year", "年度", report.year.map_or(FlatValue::Blank, |y| FlatValue::Count(i64::from(y)))));
    out.push(meta(
        "published_on",
        "发布日期",
        report.published_on.map_or(FlatValue::Blank, |d| FlatValue::Text(d.to_string())),
    ));
    out.push(meta("template", "年度报告格式", FlatValue::Text(report.template.id().to_string())));
    for (table, t) in &report.provenance.table_templates {
        out.push(FlatRow {
            path: format!("provenance.table_templates.{table}"),
            label: format!("表格格式{LABEL_SEP}{table}"),
            value: FlatValue::Text(t.id().to_string()),
        });
    }
    // A table present with every cell blank (or a statistics table without rows) is still
    // present: one row per table says so; its value is the template its layout follows.
    for kind in TABLE_KINDS {
        if table_present(report, kind) {
            out.push(FlatRow {
                path: kind.key().to_string(),
                label: table_caption(kind),
                value: FlatValue::Text(grid::table_template(report, kind).id().to_string()),
            });
        }
    }
    let t2 = grid::table_template(report, TableKind::Proactive);
    let figures = report.figures();
    let mut figs = figures.iter().peekable();
    // Table 2 first, then the statistics table, then tables 3 and 4 (document order).
    while let Some((path, v)) = figs.next_if(|(p, _)| p.starts_with("proactive.")) {
        let label = figure_label(path, t2).unwrap_or_else(|| path.clone());
        out.push(FlatRow { path: path.clone(), label, value: v.into() });
    }
    if let Some(rows) = &report.legacy_statistics {
        let [h_label, h_unit, h_value] = template::LEGACY_HEADER;
        for (i, s) in rows.iter().enumerate() {
            let p = format!("legacy_statistics.{i}");
            push_text(&mut out, format!("{p}.label"), h_label.to_string(), Some(&s.label));
            out.push(FlatRow {
                path: format!("{p}.key"),
                label: format!("{}{LABEL_SEP}指标代码", s.label),
                value: s.key.clone().map_or(FlatValue::Blank, FlatValue::Text),
            });
            push_text(&mut out, format!("{p}.unit"), format!("{}{LABEL_SEP}{h_unit}", s.label), s.unit.as_deref());
            out.push(FlatRow {
                path: format!("{p}.value"),
                label: format!("{}{LABEL_SEP}{h_value}", s.label),
                value: s.value.clone().map_or(FlatValue::Blank, FlatValue::Amount),
            });
        }
    }
    for (path, v) in figs {
        let label = figure_label(path, t2).unwrap_or_else(|| path.clone());
        out.push(FlatRow { path: path.clone(), label, value: v.into() });
    }
    for (i, s) in report.sections.iter().enumerate() {
        let p = format!("sections.{i}");
        let title = s.title.trim();
        out.push(FlatRow {
            path: format!("{p}.key"),
            label: format!("{title}{LABEL_SEP}章节"),
            value: s.key.map_or(FlatValue::Blank, |k| FlatValue::Text(k.name().to_string())),
        });
        push_text(&mut out, format!("{p}.title"), format!("{title}{LABEL_SEP}标题"), Some(&s.title));
        push_text(&mut out, format!("{p}.text"), format!("{title}{LABEL_SEP}正文"), Some(&s.text));
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Styles

struct Styles {
    title: Format,
    column_header: Format,
    group_title: Format,
    row_header: Format,
    row_header_center: Format,
    note: Format,
    data: Format,
    yuan: Format,
    flat_header: Format,
    flat: Format,
}

impl Styles {
    fn new() -> Styles {
        let base = Format::new()
            .set_font_name(TABLE_FONT)
            .set_font_size(10)
            .set_border(FormatBorder::Thin)
            .set_text_wrap()
            .set_align(FormatAlign::VerticalCenter);
        let center = base.clone().set_align(FormatAlign::Center);
        let data = center.clone();
        Styles {
            title: Format::new()
                .set_font_name(TITLE_FONT)
                .set_font_size(14)
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            column_header: center.clone(),
            group_title: base.clone().set_align(FormatAlign::Left).set_background_color(Color::RGB(0xC6D9F1)),
            row_header: base.clone().set_align(FormatAlign::Left),
            row_header_center: center,
            note: base.clone().set_align(FormatAlign::Left),
            yuan: data.clone().set_num_format("General\"元\""),
            data,
            flat_header: Format::new()
                .set_bold()
                .set_border(FormatBorder::Thin)
                .set_background_color(Color::RGB(0xD9D9D9)),
            flat: Format::new().set_border(FormatBorder::Thin),
        }
    }

    fn for_cell(&self, cell: &GridCell) -> &Format {
        match cell.role {
            CellRole::GroupTitle => &self.group_title,
            CellRole::ColumnHeader => &self.column_header,
            CellRole::RowHeader if cell.rowspan > 1 => &self.row_header_center,
            CellRole::RowHeader => &self.row_header,
            CellRole::Note => &self.note,
            CellRole::Data => match &cell.content {
                Content::Amount { unit: Some(u), .. } if *u == grid::UNIT_YUAN => &self.yuan,
                _ => &self.data,
            },
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Table sheets

/// A sheet name from a caption: Excel forbids `[]:*?/\`, a leading or trailing `'`, more than
/// 31 characters and a name used twice (compared case-insensitively).
fn sheet_name(caption: &str, used: &mut Vec<String>) -> String {
    let clean: String = caption.chars().map(|c| if "[]:*?/\\".contains(c) { '_' } else { c }).collect::<String>();
    let clean = clean.trim_matches('\'').trim();
    let base: String = if clean.is_empty() { "Sheet".to_string() } else { clean.chars().take(31).collect() };
    let mut name = base.clone();
    let mut n = 2;
    while used.iter().any(|u| u.to_lowercase() == name.to_lowercase()) {
        let suffix = format!("({n})");
        name = base.chars().take(31 - suffix.chars().count()).collect::<String>() + &suffix;
        n += 1;
    }
    used.push(name.clone());
    name
}

/// Column widths (in Excel character units): label columns wide, value columns narrow.
fn column_widths(g: &Grid) -> Vec<f64> {
    match g.table {
        TableKind::Proactive => {
            std::iter::once(24.0).chain(std::iter::repeat_n(14.0, g.width.saturating_sub(1))).collect()
        }
        TableKind::Requests => {
            [8.0, 10.0, 40.0].into_iter().chain(std::iter::repeat_n(9.0, g.width.saturating_sub(3))).collect()
        }
        TableKind::ReviewLitigation => vec![8.0; g.width],
        TableKind::LegacyStatistics => vec![46.0, 8.0, 14.0],
    }
}

/// The number of label columns frozen at the left.
fn label_columns(t: TableKind) -> u16 {
    match t {
        TableKind::Proactive | TableKind::LegacyStatistics => 1,
        TableKind::Requests => 3,
        TableKind::ReviewLitigation => 0,
    }
}

/// Display width of a text in Excel character units (a CJK character is about two).
fn text_width(s: &str) -> f64 {
    s.chars().map(|c| if c.is_ascii() { 1.1 } else { 2.1 }).sum()
}

/// Where each figure of tables 3 and 4 sits on its sheet, to build the formulas.
#[derive(Default)]
struct Positions {
    t3: HashMap<(RequestRow, Column), (u32, u16)>,
    t4: HashMap<(usize, CaseResult), (u32, u16)>,
}

/// An A1 reference.
fn cell_ref(r: u32, c: u16) -> String {
    rust_xlsxwriter::utility::row_col_to_cell(r, c)
}

fn write_table_sheet(ws: &mut Worksheet, report: &Report, g: &Grid, st: &Styles) -> Result<(), XlsxError> {
    let width = u16::try_from(g.width.max(1)).unwrap_or(u16::MAX);
    let widths = column_widths(g);
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(u16::try_from(c).unwrap_or(u16::MAX), *w)?;
    }
    if width > 1 {
        ws.merge_range(0, 0, 0, width - 1, &g.caption, &st.title)?;
    } else {
        ws.write_string_with_format(0, 0, &g.caption, &st.title)?;
    }
    ws.set_row_height(0, 24)?;
    let mut pos = Positions::default();
    let t3_rows: Vec<&template::RowSpec> = grid::t3_rows(g.template).collect();
    let mut heights: Vec<f64> = vec![0.0; g.row_count()];
    let mut body_row = 0usize;
    for (i, (head, row)) in g.rows().enumerate() {
        let r = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let mut data_index = 0usize;
        for cell in &row.cells {
            let c = u16::try_from(cell.col).unwrap_or(u16::MAX);
            let fmt = st.for_cell(cell);
            let (rs, cs) = (cell.rowspan.max(1), cell.colspan.max(1));
            if rs > 1 || cs > 1 {
                let last_r = r + u32::try_from(rs - 1).unwrap_or(0);
                let last_c = c + u16::try_from(cs - 1).unwrap_or(0);
                let text = match &cell.content {
                    Content::Text(s) => s.as_str(),
                    _ => "",
                };
                ws.merge_range(r, c, last_r, last_c, text, fmt)?;
            }
            match &cell.content {
                Content::Blank => {
                    ws.write_blank(r, c, fmt)?;
                }
                Content::Text(s) => {
                    if rs == 1 && cs == 1 {
                        ws.write_string_with_format(r, c, s, fmt)?;
                    }
                }
                Content::Count(n) => write_count(ws, r, c, *n, fmt)?,
                Content::Amount { value, .. } => write_amount(ws, r, c, value, fmt)?,
            }
            // Row height: the lines the text needs in the columns it spans (one row only).
            if rs == 1 {
                let w: f64 = widths.iter().skip(cell.col).take(cs).sum::<f64>().max(1.0);
                let lines = (text_width(&cell.content.display()) / w).ceil().max(1.0);
                heights[i] = heights[i].max(lines * 13.5 + 3.0);
            }
            if cell.role == CellRole::Data {
                match g.table {
                    TableKind::Requests if !head => {
                        if let (Some(spec), Some(col)) = (t3_rows.get(body_row), template::COLUMNS.get(data_index)) {
                            pos.t3.insert((spec.key, col.key), (r, c));
                        }
                    }
                    TableKind::ReviewLitigation => {
                        let nres = template::T4_RESULTS.len();
                        if let Some(res) = template::T4_RESULTS.get(data_index % nres) {
                            pos.t4.insert((data_index / nres, res.key), (r, c));
                        }
                    }
                    _ => {}
                }
                data_index += 1;
            }
        }
        if !head {
            body_row += 1;
        }
    }
    for (i, h) in heights.iter().enumerate() {
        if *h > 15.0 {
            ws.set_row_height(u32::try_from(i + 1).unwrap_or(u32::MAX), *h)?;
        }
    }
    match g.table {
        TableKind::Requests => requests_formulas(ws, report, g.template, &pos, st)?,
        TableKind::ReviewLitigation => review_formulas(ws, report, &pos, st)?,
        _ => {}
    }
    let head_rows = u32::try_from(g.head.len()).unwrap_or(0);
    ws.set_freeze_panes(1 + head_rows, label_columns(g.table))?;
    ws.set_paper_size(9); // A4
    if g.width > 4 {
        ws.set_landscape();
    }
    ws.set_print_fit_to_pages(1, 0);
    if head_rows > 0 {
        ws.set_repeat_rows(0, head_rows)?;
    }
    Ok(())
}

/// `SUM(first:last)` with its result, when `figure` equals the sum of `parts` (blank as 0, as
/// the spreadsheet counts it).
fn sum_formula(figure: Option<i64>, parts: &[Option<i64>], first: (u32, u16), last: (u32, u16)) -> Option<Formula> {
    // Only where the spreadsheet computes exactly what the report prints: every part a number
    // (no text), every partial sum exact in a double.
    let figure = figure.filter(|f| exact_count(*f).is_some())?;
    let sum = parts.iter().try_fold(0i64, |acc, p| {
        let p = p.unwrap_or(0);
        exact_count(p)?;
        acc.checked_add(p).filter(|s| exact_count(*s).is_some())
    })?;
    (sum == figure).then(|| {
        Formula::new(format!("=SUM({}:{})", cell_ref(first.0, first.1), cell_ref(last.0, last.1)))
            .set_result(figure.to_string())
    })
}

fn requests_formulas(
    ws: &mut Worksheet,
    report: &Report,
    t: Template,
    pos: &Positions,
    st: &Styles,
) -> Result<(), XlsxError> {
    let Some(table) = &report.requests else { return Ok(()) };
    let value = |row: RequestRow, col: Column| table.row(row).and_then(|c| c.get(col));
    let printed: Vec<RequestRow> = grid::t3_rows(t).map(|r| r.key).collect();
    let leaves: Vec<RequestRow> =
        grid::t3_rows(t).filter(|r| r.outcome && r.key != RequestRow::OutcomesTotal).map(|r| r.key).collect();
    for row in &printed {
        for col in Column::ALL {
            let Some(&at) = pos.t3.get(&(*row, col)) else { continue };
            let figure = value(*row, col);
            let mut formula = None;
            // 总计 = the six applicant columns (t3.column-sum).
            if col == Column::Total {
                let parts: Vec<Option<i64>> = Column::PARTS.iter().map(|c| value(*row, *c)).collect();
                if let (Some(first), Some(last)) =
                    (pos.t3.get(&(*row, Column::NaturalPerson)), pos.t3.get(&(*row, Column::Other)))
                {
                    formula = sum_formula(figure, &parts, *first, *last);
                }
            }
            // （七）总计 = the outcome rows printed above it (t3.outcome-sum).
            if formula.is_none() && *row == RequestRow::OutcomesTotal {
                let parts: Vec<Option<i64>> = leaves.iter().map(|r| value(*r, col)).collect();
                if let (Some(first), Some(last)) = (
                    leaves.first().and_then(|r| pos.t3.get(&(*r, col))),
                    leaves.last().and_then(|r| pos.t3.get(&(*r, col))),
                ) {
                    formula = sum_formula(figure, &parts, *first, *last);
                }
            }
            if let Some(f) = formula {
                ws.write_formula_with_format(at.0, at.1, f, &st.data)?;
            }
        }
    }
    Ok(())
}

fn review_formulas(ws: &mut Worksheet, report: &Report, pos: &Positions, st: &Styles) -> Result<(), XlsxError> {
    let Some(t4) = &report.review_litigation else { return Ok(()) };
    // The grid's column order: 行政复议 first, then the litigation groups (grid.rs).
    let review = gongkai_core::report::CaseGroup::Review;
    let order = template::T4_GROUPS
        .iter()
        .filter(|g| g.key == review)
        .chain(template::T4_GROUPS.iter().filter(|g| g.key != review));
    for (i, g) in order.enumerate() {
        let grp = t4.group(g.key);
        let parts: Vec<Option<i64>> =
            CaseResult::ALL.iter().filter(|r| **r != CaseResult::Total).map(|r| grp.get(*r)).collect();
        if let (Some(at), Some(first), Some(last)) = (
            pos.t4.get(&(i, CaseResult::Total)),
            pos.t4.get(&(i, CaseResult::Upheld)),
            pos.t4.get(&(i, CaseResult::Pending)),
        ) {
            if let Some(f) = sum_formula(grp.total, &parts, *first, *last) {
                ws.write_formula_with_format(at.0, at.1, f, &st.data)?;
            }
        }
    }
    Ok(())
}

fn write_value(ws: &mut Worksheet, r: u32, c: u16, v: &FlatValue, fmt: &Format) -> Result<(), XlsxError> {
    match v {
        FlatValue::Blank => {
            ws.write_blank(r, c, fmt)?;
        }
        FlatValue::Count(n) => write_count(ws, r, c, *n, fmt)?,
        FlatValue::Amount(a) => write_amount(ws, r, c, a, fmt)?,
        FlatValue::Text(s) => {
            ws.write_string_with_format(r, c, s, fmt)?;
        }
    }
    Ok(())
}

fn write_flat_sheet(ws: &mut Worksheet, report: &Report, st: &Styles) -> Result<(), XlsxError> {
    ws.set_name(FLAT_SHEET)?;
    for (c, h) in [FLAT_PATH, FLAT_LABEL, FLAT_VALUE].into_iter().enumerate() {
        ws.write_string_with_format(0, c as u16, h, &st.flat_header)?;
    }
    ws.set_column_width(0, 46)?;
    ws.set_column_width(1, 64)?;
    ws.set_column_width(2, 18)?;
    let rows = flat_rows(report);
    for (i, row) in rows.iter().enumerate() {
        let r = u32::try_from(i + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        ws.write_string_with_format(r, 0, &row.path, &st.flat)?;
        ws.write_string_with_format(r, 1, &row.label, &st.flat)?;
        write_value(ws, r, 2, &row.value, &st.flat)?;
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(0, 0, u32::try_from(rows.len()).unwrap_or(0), 2)?;
    Ok(())
}

/// The report as an .xlsx workbook: one sheet per table present (official layout, totals as
/// formulas), then the flat sheet [`FLAT_SHEET`].
pub fn render_xlsx(report: &Report) -> Result<Vec<u8>, ExportError> {
    let st = Styles::new();
    let mut wb = Workbook::new();
    let mut used = vec![FLAT_SHEET.to_string()];
    for g in grid::tables(report) {
        let name = sheet_name(&g.caption, &mut used);
        let ws = wb.add_worksheet();
        ws.set_name(&name).map_err(xe)?;
        write_table_sheet(ws, report, &g, &st)
            .map_err(|e| ExportError::write("xlsx", format!("工作表「{name}」：{e}")))?;
    }
    let ws = wb.add_worksheet();
    write_flat_sheet(ws, report, &st)
        .map_err(|e| ExportError::write("xlsx", format!("工作表「{FLAT_SHEET}」：{e}")))?;
    let title = template::report_title(report.agency.as_deref().unwrap_or(""), report.year);
    wb.set_properties(&rust_xlsxwriter::DocProperties::new().set_title(title));
    wb.save_to_buffer().map_err(xe)
}

// ---------------------------------------------------------------------------------------------
// Bulk

/// The rank of every figure path any report can have, in canonical order: table 2 (rows in
/// model order, the 2021 columns then the 2019 ones), table 3 (template rows × columns),
/// table 4, then the recognised pre-2019 indicators (`legacy_statistics.<key>`).
fn canonical_paths() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut push = |p: String, l: String| {
        if !out.iter().any(|(q, _)| *q == p) {
            out.push((p, l));
        }
    };
    const T2_ROWS: [&str; 8] = [
        "rules",
        "normative_documents",
        "licensing",
        "other_services",
        "penalties",
        "coercive_measures",
        "administrative_fees",
        "centralized_procurement",
    ];
    for row in T2_ROWS {
        for t in [Template::V2021, Template::V2019] {
            for b in template::t2_blocks(t) {
                if let Some(r) = b.rows.iter().find(|r| r.key == row) {
                    for c in b.columns {
                        push(format!("proactive.{row}.{}", c.key), [b.title, r.label, c.label].join(LABEL_SEP));
                    }
                }
            }
        }
    }
    for row in &template::T3_ROWS {
        for col in &template::COLUMNS {
            let p = format!("requests.{}.{}", row.path, col.key.name());
            let l = figure_label(&p, Template::V2021).unwrap_or_default();
            push(p, l);
        }
    }
    for g in &template::T4_GROUPS {
        for r in &template::T4_RESULTS {
            let p = format!("review_litigation.{}.{}", g.key.name(), r.key.name());
            let l = figure_label(&p, Template::V2021).unwrap_or_default();
            push(p, l);
        }
    }
    for r in template::LEGACY_ROWS {
        push(format!("legacy_statistics.{}", r.key), r.label.to_string());
    }
    out
}

/// The figures of one report for the bulk sheet: tables 2–4 by path, and the recognised
/// indicators of the pre-2019 statistics table by key (the first row of each key).
fn bulk_figures(report: &Report) -> Vec<(String, FlatValue)> {
    let mut out: Vec<(String, FlatValue)> = report.figures().iter().map(|(p, v)| (p.clone(), v.into())).collect();
    if let Some(rows) = &report.legacy_statistics {
        let mut seen: Vec<&str> = Vec::new();
        for s in rows {
            if let Some(k) = s.key.as_deref() {
                if !seen.contains(&k) {
                    seen.push(k);
                    out.push((
                        format!("legacy_statistics.{k}"),
                        s.value.clone().map_or(FlatValue::Blank, FlatValue::Amount),
                    ));
                }
            }
        }
    }
    out
}

/// The fixed leading columns of the bulk sheet: (header path, Chinese label).
const BULK_FIXED: [(&str, &str); 6] = [
    ("source", "来源文件"),
    ("agency", "行政机关"),
    ("year", "年度"),
    ("template", "年度报告格式"),
    ("errors", "错误数"),
    ("warnings", "警告数"),
];

/// Many reports as one workbook: one row per report (`String` = its source file name), with
/// source, agency, year, template, the numbers of error and warning findings, then every figure
/// by path (the union over all reports, in canonical order). Row 1 holds the paths, row 2 the
/// Chinese labels; both stay frozen with the source and agency columns.
pub fn render_bulk_xlsx(reports: &[(String, Report)]) -> Result<Vec<u8>, ExportError> {
    // The union of the paths, in canonical order (unknown ones after, as first seen).
    let canonical = canonical_paths();
    let rank: HashMap<&str, usize> = canonical.iter().enumerate().map(|(i, (p, _))| (p.as_str(), i)).collect();
    let mut present = vec![false; canonical.len()];
    let mut extra: Vec<String> = Vec::new();
    let mut per_report: Vec<Vec<(String, FlatValue)>> = Vec::with_capacity(reports.len());
    for (_, r) in reports {
        let figs = bulk_figures(r);
        for (p, _) in &figs {
            match rank.get(p.as_str()) {
                Some(i) => present[*i] = true,
                None if !extra.contains(p) => extra.push(p.clone()),
                None => {}
            }
        }
        per_report.push(figs);
    }
    let mut columns: Vec<(String, String)> =
        canonical.iter().zip(&present).filter(|(_, p)| **p).map(|(c, _)| c.clone()).collect();
    columns.extend(extra.into_iter().map(|p| (p.clone(), p)));
    let first_fig = BULK_FIXED.len();
    let col_of: HashMap<&str, usize> =
        columns.iter().enumerate().map(|(i, (p, _))| (p.as_str(), first_fig + i)).collect();

    let st = Styles::new();
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let res: Result<(), XlsxError> = (|| {
        ws.set_name(BULK_SHEET)?;
        let header = &st.flat_header;
        let head_label = header.clone().set_text_wrap().set_align(FormatAlign::Top);
        for (c, (p, l)) in BULK_FIXED.iter().enumerate() {
            ws.write_string_with_format(0, c as u16, *p, header)?;
            ws.write_string_with_format(1, c as u16, *l, &head_label)?;
        }
        for (i, (p, l)) in columns.iter().enumerate() {
            let c = u16::try_from(first_fig + i).map_err(|_| XlsxError::RowColumnLimitError)?;
            ws.write_string_with_format(0, c, p, header)?;
            ws.write_string_with_format(1, c, l, &head_label)?;
        }
        ws.set_row_height(1, 96)?;
        ws.set_column_width(0, 28)?;
        ws.set_column_width(1, 28)?;
        ws.set_column_range_width(2, 5, 8)?;
        if !columns.is_empty() {
            let last = u16::try_from(first_fig + columns.len() - 1).map_err(|_| XlsxError::RowColumnLimitError)?;
            ws.set_column_range_width(first_fig as u16, last, 12)?;
        }
        let plain = Format::new();
        for (i, ((source, report), figs)) in reports.iter().zip(&per_report).enumerate() {
            let r = u32::try_from(i + 2).map_err(|_| XlsxError::RowColumnLimitError)?;
            let findings = rules::check(report, &CheckContext::default());
            let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count() as i64;
            ws.write_string(r, 0, source)?;
            if let Some(a) = &report.agency {
                ws.write_string(r, 1, a.chars().take(MAX_CELL_CHARS).collect::<String>())?;
            }
            if let Some(y) = report.year {
                ws.write_number(r, 2, f64::from(y))?;
            }
            ws.write_string(r, 3, report.template.id())?;
            ws.write_number(r, 4, count(Severity::Error) as f64)?;
            ws.write_number(r, 5, count(Severity::Warning) as f64)?;
            for (p, v) in figs {
                if let Some(&c) = col_of.get(p.as_str()) {
                    let c = u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)?;
                    if *v != FlatValue::Blank {
                        write_value(ws, r, c, v, &plain)?;
                    }
                }
            }
        }
        ws.set_freeze_panes(2, 2)?;
        Ok(())
    })();
    res.map_err(|e| ExportError::write("xlsx", format!("工作表「{BULK_SHEET}」：{e}")))?;
    wb.save_to_buffer().map_err(xe)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_numbers_only_when_exact() {
        let a = |s: &str| Amount::parse(s).unwrap_or_else(|_| Amount::from_int(0));
        assert_eq!(exact_amount(&a("1.25")), Some(1.25));
        assert_eq!(exact_amount(&a("123000")), Some(123000.0));
        assert_eq!(exact_amount(&a("-0.1")), Some(-0.1));
        assert_eq!(exact_amount(&a("12345678901234567890")), None);
        assert_eq!(exact_amount(&a("0.1234567890123456")), None);
        assert_eq!(exact_count(1 << 53), Some(9007199254740992.0));
        assert_eq!(exact_count(i64::MAX), None);
    }

    #[test]
    fn sheet_names_are_legal_and_unique() {
        let mut used = vec![FLAT_SHEET.to_string()];
        assert_eq!(sheet_name("统计指标/单位:统计数", &mut used), "统计指标_单位_统计数");
        assert_eq!(sheet_name("数据", &mut used), "数据(2)");
        let long = "一".repeat(40);
        assert_eq!(sheet_name(&long, &mut used).chars().count(), 31);
        assert_eq!(sheet_name(&long, &mut used), format!("{}(2)", "一".repeat(28)));
    }

    #[test]
    fn labels_come_from_the_template() {
        assert_eq!(
            figure_label("requests.outcomes.withheld.state_secret.commercial", Template::V2021).as_deref(),
            Some("三、本年度办理结果 / （三）不予公开 / 1.属于国家秘密 / 法人或其他组织 / 商业企业")
        );
        assert_eq!(
            figure_label("review_litigation.litigation_direct.total", Template::V2021).as_deref(),
            Some("行政诉讼 / 未经复议直接起诉 / 总计")
        );
        assert_eq!(
            figure_label("proactive.normative_documents.made", Template::V2021).as_deref(),
            Some("第二十条第（一）项 / 规范性文件 / 本年新制作数量")
        );
        assert_eq!(figure_label("requests.nowhere.total", Template::V2021), None);
    }
}
