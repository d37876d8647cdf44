//! Tables as grids: what the HTML and DOCX importers share.
//!
//! A source table (HTML `<table>` with `rowspan`/`colspan`, Word `w:tbl` with `w:gridSpan`/
//! `w:vMerge`) is resolved into its grid: every slot points at the cell that covers it. The
//! document then becomes an intermediate text with one line per paragraph and one line per table
//! row (the row's own label cells, then its value cells, an empty value cell written 「—」), and
//! [`crate::text::import_text`] reads it: title, year, agency, sections, which tables exist and
//! which template they follow.
//!
//! Tables 2–4 are then read a second time from the grid itself, because the grid says exactly
//! which cell is which: a row is found by its template label, its values are its own trailing
//! value cells. A row read from the grid replaces the text reading of that row; a row the grid
//! cannot read (wrong number of cells) keeps the text reading. Every figure's provenance names
//! the table, row and column of the source (`CellSource.location`).

use std::borrow::Cow;

use gongkai_core::label::{self, normalize};
use gongkai_core::report::{
    AdministrativeFees, Amount, CaseGroup, CaseResult, CellSource, Column, DocumentCounts, ImportNote, ItemCounts,
    Proactive, Procurement, Report, RequestRow, RequestTable, ReviewLitigation, SourceFormat, SourceLocation, Template,
};
use gongkai_core::rules::NONNUMERIC_NOTE_PREFIX;
use gongkai_core::template::{self, RowSpec, T2Block};

use crate::ImportError;

/// The widest grid kept: report tables have at most 15 value columns plus a few label columns.
pub(crate) const MAX_COLUMNS: usize = 64;
/// The most rows one table keeps (the 2021 table 3 has 29).
pub(crate) const MAX_ROWS: usize = 5_000;
/// The most grid slots (rows × columns) of all tables of one document: bounds the memory a
/// page of empty rows under a huge `rowspan` could take.
pub(crate) const MAX_SLOTS: usize = 1_000_000;

/// A Word cell's vertical merge (`w:vMerge`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum VMerge {
    /// Not merged.
    No,
    /// `w:vMerge w:val="restart"`: the first cell of a vertical merge.
    Restart,
    /// `w:vMerge` without a value: covered by the cell above.
    Continue,
}

/// A table resolved into its grid.
#[derive(Debug, Clone, Default)]
pub(crate) struct Table {
    /// The table's 1-based number among the document's tables.
    pub number: usize,
    /// Each cell's text (whitespace collapsed).
    texts: Vec<String>,
    /// Each cell's first (top) row.
    origin_row: Vec<usize>,
    /// Per row, per column: the cell covering the slot.
    grid: Vec<Vec<Option<usize>>>,
}

/// Builds a [`Table`] row by row.
#[derive(Debug, Default)]
pub(crate) struct TableBuilder {
    table: Table,
    /// Per column: the cell spanning down into the next rows, and how many rows it still covers.
    carry: Vec<Option<(usize, usize)>>,
}

/// Collapses white space (including NBSP and U+3000) to single spaces and trims.
pub(crate) fn clean(s: &str) -> String {
    if is_clean(s) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    for w in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// Whether [`clean`] would return `s` unchanged: no white space but single ASCII spaces between
/// words. (Most text reaching `clean` has been cleaned before.)
fn is_clean(s: &str) -> bool {
    let mut prev_space = true; // no leading space
    for c in s.chars() {
        if c == ' ' {
            if prev_space {
                return false;
            }
            prev_space = true;
        } else if c.is_whitespace() {
            return false;
        } else {
            prev_space = false;
        }
    }
    !prev_space || s.is_empty()
}

impl TableBuilder {
    /// A builder for the document's `number`th table.
    pub fn new(number: usize) -> TableBuilder {
        TableBuilder { table: Table { number, ..Table::default() }, carry: Vec::new() }
    }

    /// Whether the table is already as large as kept.
    pub fn full(&self) -> bool {
        self.table.grid.len() >= MAX_ROWS
    }

    fn new_cell(&mut self, text: &str, row: usize) -> usize {
        self.table.texts.push(clean(text));
        self.table.origin_row.push(row);
        self.table.texts.len() - 1
    }

    /// Adds an HTML row: each cell's text, `rowspan` (0 = to the end of the table) and `colspan`.
    /// Returns the number of slots the row takes.
    pub fn html_row(&mut self, cells: &[(String, usize, usize)]) -> usize {
        if self.full() {
            return 0;
        }
        let r = self.table.grid.len();
        let mut slots: Vec<Option<usize>> = Vec::new();
        // Slots covered by cells from the rows above.
        for (c, carry) in self.carry.iter_mut().enumerate() {
            if let Some((idx, left)) = *carry {
                if slots.len() <= c {
                    slots.resize(c + 1, None);
                }
                slots[c] = Some(idx);
                *carry = if left > 1 { Some((idx, left - 1)) } else { None };
            }
        }
        let mut c = 0;
        for (text, rowspan, colspan) in cells {
            while slots.get(c).is_some_and(Option::is_some) {
                c += 1;
            }
            if c >= MAX_COLUMNS {
                break;
            }
            let span = (*colspan).clamp(1, MAX_COLUMNS - c);
            let rows = if *rowspan == 0 { MAX_ROWS } else { (*rowspan).min(MAX_ROWS) };
            let idx = self.new_cell(text, r);
            if slots.len() < c + span {
                slots.resize(c + span, None);
            }
            for (k, slot) in slots.iter_mut().enumerate().skip(c).take(span) {
                if slot.is_none() {
                    *slot = Some(idx);
                    if rows > 1 {
                        if self.carry.len() <= k {
                            self.carry.resize(k + 1, None);
                        }
                        self.carry[k] = Some((idx, rows - 1));
                    }
                }
            }
            c += span;
        }
        let n = slots.len();
        self.table.grid.push(slots);
        n
    }

    /// Adds a Word row: `w:gridBefore`, then each cell's text, `w:gridSpan` and `w:vMerge`.
    /// Returns the number of slots the row takes.
    pub fn docx_row(&mut self, grid_before: usize, cells: &[(String, usize, VMerge)]) -> usize {
        if self.full() {
            return 0;
        }
        let r = self.table.grid.len();
        let mut slots: Vec<Option<usize>> = vec![None; grid_before.min(MAX_COLUMNS)];
        for (text, span, vmerge) in cells {
            let c = slots.len();
            if c >= MAX_COLUMNS {
                break;
            }
            let span = (*span).clamp(1, MAX_COLUMNS - c);
            let above =
                r.checked_sub(1).and_then(|p| self.table.grid.get(p)).and_then(|row| row.get(c).copied().flatten());
            let idx = match (vmerge, above) {
                (VMerge::Continue, Some(idx)) => idx,
                _ => self.new_cell(text, r),
            };
            slots.extend(std::iter::repeat_n(Some(idx), span));
        }
        let n = slots.len();
        self.table.grid.push(slots);
        n
    }

    /// The finished table (rows padded to the same width).
    pub fn finish(mut self) -> Table {
        let width = self.table.grid.iter().map(Vec::len).max().unwrap_or(0);
        for row in &mut self.table.grid {
            row.resize(width, None);
        }
        self.table
    }
}

impl Table {
    /// The number of grid columns.
    pub fn width(&self) -> usize {
        self.grid.first().map(Vec::len).unwrap_or(0)
    }

    /// The number of rows.
    pub fn height(&self) -> usize {
        self.grid.len()
    }

    /// Each row's own cells' texts, joined by spaces.
    pub fn row_texts(&self) -> Vec<String> {
        self.rows()
            .iter()
            .map(|r| {
                let mut parts: Vec<&str> = vec![r.label.as_str()];
                parts.extend(r.values.iter().map(|(_, t)| t.as_str()));
                clean(&parts.join(" "))
            })
            .collect()
    }

    /// The cells' texts in document order.
    pub fn texts(&self) -> impl Iterator<Item = &str> {
        self.texts.iter().map(String::as_str)
    }

    /// The row views of this table.
    fn rows(&self) -> Vec<Row> {
        let mut out = Vec::with_capacity(self.grid.len());
        for (r, slots) in self.grid.iter().enumerate() {
            // The cells that start in this row, each once, in column order.
            let mut own: Vec<(usize, String)> = Vec::new();
            let mut seen: Vec<usize> = Vec::new();
            for (c, slot) in slots.iter().enumerate() {
                let Some(idx) = *slot else { continue };
                if seen.contains(&idx) {
                    continue;
                }
                seen.push(idx);
                if self.origin_row.get(idx) == Some(&r) {
                    own.push((c + 1, self.texts.get(idx).cloned().unwrap_or_default()));
                }
            }
            let split = own.iter().rposition(|(_, t)| !is_value_like(t)).map(|i| i + 1).unwrap_or(0);
            let label =
                own[..split].iter().map(|(_, t)| t.as_str()).filter(|t| !t.is_empty()).collect::<Vec<_>>().join(" ");
            let values = own[split..].to_vec();
            out.push(Row { table: self.number, row: r + 1, label, values });
        }
        out
    }
}

/// One table row as the readers see it.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    /// The table's number (1-based).
    pub table: usize,
    /// The row's number in its table (1-based).
    pub row: usize,
    /// The row's own label cells, joined by spaces.
    pub label: String,
    /// The row's own trailing value cells (numbers, blanks, dashes): (1-based column, text).
    pub values: Vec<(usize, String)>,
}

impl Row {
    fn location(&self, column: usize) -> SourceLocation {
        SourceLocation { table: Some(self.table), row: Some(self.row), column: Some(column), page: None }
    }

    /// The intermediate-text line of the row.
    fn line(&self) -> String {
        let mut parts: Vec<&str> = Vec::with_capacity(self.values.len() + 1);
        if !self.label.is_empty() {
            parts.push(&self.label);
        }
        if self.label.is_empty() && self.values.iter().all(|(_, t)| t.is_empty()) {
            return String::new();
        }
        for (_, v) in &self.values {
            parts.push(if v.is_empty() { "—" } else { v });
        }
        parts.join(" ")
    }
}

/// A number, a blank or a dash, as a value cell holds: 「12」「0.5」「251000元」「—」「/」「无」「」.
fn is_value_like(s: &str) -> bool {
    let t = s.trim();
    if t.is_empty() || t == "无" {
        return true;
    }
    if t.chars().all(|c| matches!(c, '-' | '—' | '–' | '－' | '/' | '／' | '─')) {
        return true;
    }
    parse_number(t).is_some()
}

/// Units printed after a number in a value cell.
const UNITS: [&str; 10] = ["万元", "元", "人次", "件", "条", "次", "个", "项", "篇", "人"];

/// A printed number: its digits as a decimal string (ASCII, no separators) and its unit.
fn parse_number(s: &str) -> Option<(String, Option<&'static str>)> {
    let mut t = s.trim();
    let mut unit = None;
    for u in UNITS {
        if let Some(x) = t.strip_suffix(u) {
            t = x.trim_end();
            unit = Some(u);
            break;
        }
    }
    let mut out = String::new();
    let mut chars = t.chars().peekable();
    if let Some(&c) = chars.peek() {
        if matches!(c, '-' | '－' | '+' | '＋') {
            if matches!(c, '-' | '－') {
                out.push('-');
            }
            chars.next();
        }
    }
    let mut digits = 0;
    let mut dot = false;
    while let Some(c) = chars.next() {
        match c {
            '0'..='9' => {
                out.push(c);
                digits += 1;
            }
            '０'..='９' => {
                out.push(char::from_u32(c as u32 - '０' as u32 + '0' as u32)?);
                digits += 1;
            }
            '.' | '．' if !dot && digits > 0 => {
                dot = true;
                out.push('.');
            }
            // Thousands separators between digits.
            ',' | '，' if digits > 0 && chars.peek().is_some_and(|d| d.is_ascii_digit()) => {}
            _ => return None,
        }
    }
    if digits == 0 || out.ends_with('.') {
        return None;
    }
    Some((out, unit))
}

/// A count cell: blank → `Ok(None)`, a whole number → `Ok(Some)`, anything else → `Err`.
fn parse_count(s: &str) -> Result<Option<i64>, ()> {
    let t = s.trim();
    if t.is_empty() || t == "无" || t.chars().all(|c| matches!(c, '-' | '—' | '–' | '－' | '/' | '／' | '─')) {
        return Ok(None);
    }
    match parse_number(t) {
        Some((n, None | Some("件" | "条" | "次" | "个" | "项" | "篇" | "人" | "人次"))) => {
            n.parse::<i64>().map(Some).map_err(|_| ())
        }
        _ => Err(()),
    }
}

// ---------------------------------------------------------------------------------------------
// The document and its intermediate text

/// A block of a document, in order.
#[derive(Debug, Clone)]
pub(crate) enum Block {
    /// A paragraph (one line of text).
    Para(String),
    /// A table.
    Table(Table),
}

/// Where an intermediate-text line came from.
#[derive(Debug, Clone, Copy)]
enum Origin {
    Para,
    Row(usize),
}

struct Layout {
    text: String,
    /// Per line (0-based): where it came from.
    origins: Vec<Origin>,
    rows: Vec<Row>,
}

fn layout(blocks: &[Block]) -> Layout {
    let mut text = String::new();
    let mut origins = Vec::new();
    let mut rows = Vec::new();
    for b in blocks {
        match b {
            Block::Para(p) => {
                let line = clean(p);
                if line.is_empty() {
                    continue;
                }
                text.push_str(&line);
                text.push('\n');
                origins.push(Origin::Para);
            }
            Block::Table(t) => {
                for row in t.rows() {
                    text.push_str(&row.line());
                    text.push('\n');
                    origins.push(Origin::Row(rows.len()));
                    rows.push(row);
                }
            }
        }
    }
    Layout { text, origins, rows }
}

/// The intermediate text of a document (for tests and `--explain`-style debugging).
pub(crate) fn intermediate_text(blocks: &[Block]) -> String {
    layout(blocks).text
}

/// Imports a document given as blocks: the text reading, then tables 2–4 from the grids.
pub(crate) fn import_blocks(
    blocks: &[Block],
    source: &str,
    encoding: &str,
    format: SourceFormat,
) -> Result<Report, ImportError> {
    let lay = layout(blocks);
    let mut report = crate::text::import_text(&lay.text, source, encoding)?;
    report.provenance.format = format;
    let shape = match format {
        SourceFormat::Docx => "docx-tables",
        _ => "html-tables",
    };
    relocate_text_cells(&mut report, &lay);
    if !lay.rows.is_empty() {
        report.provenance.shape = Some(shape.to_string());
        let mut reader = GridReader { rows: &lay.rows, report: &mut report };
        let t3 = reader.table3();
        reader.table4(t3.map(|(_, end)| end).unwrap_or(0));
        reader.table2(t3.map(|(start, _)| start).unwrap_or(lay.rows.len()));
        let newest = report.provenance.table_templates.values().copied().max();
        if let Some(t) = newest {
            report.template = t;
        }
    }
    Ok(report)
}

/// Rewrites the text reading's line numbers into source places: a cell or note on a table row
/// gets the table, row and column.
fn relocate_text_cells(report: &mut Report, lay: &Layout) {
    let row_of = |line: usize| -> Option<&Row> {
        match lay.origins.get(line.checked_sub(1)?)? {
            Origin::Row(i) => lay.rows.get(*i),
            Origin::Para => None,
        }
    };
    for cell in report.provenance.cells.values_mut() {
        if let Some(row) = row_of(cell.line) {
            let raw = normalize(&cell.raw);
            let column = row
                .values
                .iter()
                .find(|(_, t)| label::normalized_chars(t).eq(raw.chars()))
                .or_else(|| row.values.iter().find(|(_, t)| normalize(t).contains(&raw)))
                .map(|(c, _)| *c);
            cell.location = Some(SourceLocation { table: Some(row.table), row: Some(row.row), column, page: None });
            cell.line = row.row;
        }
    }
    for note in &mut report.provenance.notes {
        if let Some(row) = note.line.and_then(row_of) {
            note.message.push_str(&format!("（第{}个表格第{}行）", row.table, row.row));
            note.line = None;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Reading tables 2–4 from the grid

struct GridReader<'a> {
    rows: &'a [Row],
    report: &'a mut Report,
}

/// How far past the previous row a row label is looked for.
const LOOKAHEAD: usize = 8;

/// The ways a numbering is printed, normalised: 「1.」≈「1,」(1、), 「(一)」≈「一,」.
fn number_forms(number: &str) -> Vec<String> {
    let n = normalize(number);
    let mut v = vec![n.clone()];
    if let Some(stem) = n.strip_suffix('.').or_else(|| n.strip_suffix(',')) {
        v.push(format!("{stem}."));
        v.push(format!("{stem},"));
        v.push(format!("({stem})"));
    }
    if let Some(inner) = n.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
        v.push(format!("{inner},"));
        v.push(format!("{inner}."));
    }
    v.retain(|s| !s.is_empty());
    v.sort();
    v.dedup();
    v
}

/// A template row's label patterns, normalised: alone when longer than two characters (weak),
/// and with each form of its numbering (strong). A strong pattern of a long label contains a
/// weak one, so only the short labels' strong patterns need a search of their own.
struct Patterns {
    /// The numbered forms of the labels of two characters or fewer.
    strong_short: Vec<String>,
    weak: Vec<String>,
}

/// The patterns of every table-3 row, computed once per process.
fn patterns(spec: &RowSpec) -> &'static Patterns {
    static ALL: std::sync::OnceLock<Vec<Patterns>> = std::sync::OnceLock::new();
    let all = ALL.get_or_init(|| {
        template::T3_ROWS
            .iter()
            .map(|spec| {
                let forms = number_forms(spec.number);
                let labels: Vec<String> = std::iter::once(spec.label)
                    .chain(spec.variants.iter().copied())
                    .map(normalize)
                    .filter(|l| !l.is_empty())
                    .collect();
                let short = |l: &&String| l.chars().count() <= 2;
                Patterns {
                    strong_short: labels
                        .iter()
                        .filter(short)
                        .flat_map(|l| forms.iter().map(move |f| format!("{f}{l}")))
                        .collect(),
                    weak: labels.iter().filter(|l| !short(l)).cloned().collect(),
                }
            })
            .collect()
    });
    static NONE: Patterns = Patterns { strong_short: Vec::new(), weak: Vec::new() };
    all.get(spec.key as usize).unwrap_or(&NONE)
}

/// Whether a row label (normalised) is the template row `spec`.
fn t3_label_matches(spec: &RowSpec, norm: &str) -> bool {
    let p = patterns(spec);
    p.weak.iter().chain(p.strong_short.iter()).any(|l| norm.contains(l.as_str()))
}

impl GridReader<'_> {
    fn note(&mut self, path: String, row: &Row, message: String) {
        self.report.provenance.notes.push(ImportNote {
            path,
            line: None,
            message: format!("{message}（第{}个表格第{}行）", row.table, row.row),
        });
    }

    /// Drops the text reading's cells and notes under `path` (a row the grid has read).
    fn forget(&mut self, path: &str) {
        // `path` itself or a path under it (`path.…`).
        let under = |k: &str| k.starts_with(path) && (k.len() == path.len() || k.as_bytes()[path.len()] == b'.');
        // The keys starting with `path` are one run of the sorted map, from `path` on.
        let cells = &mut self.report.provenance.cells;
        let doomed: Vec<String> = cells
            .range::<str, _>((std::ops::Bound::Included(path), std::ops::Bound::Unbounded))
            .map(|(k, _)| k)
            .take_while(|k| k.starts_with(path))
            .filter(|k| under(k))
            .cloned()
            .collect();
        for k in &doomed {
            cells.remove(k);
        }
        self.report.provenance.notes.retain(|n| !under(&n.path));
    }

    fn record(
        &mut self,
        path: String,
        label: Cow<'static, str>,
        column: &'static str,
        row: &Row,
        cell: &(usize, String),
    ) {
        self.report.provenance.cells.insert(
            path,
            CellSource {
                label,
                column: Cow::Borrowed(column),
                line: row.row,
                raw: crate::text::raw_text(&cell.1),
                location: Some(row.location(cell.0)),
            },
        );
    }

    /// A count cell, noting a non-number.
    fn count(&mut self, path: &str, row: &Row, cell: &(usize, String)) -> Option<i64> {
        match parse_count(&cell.1) {
            Ok(v) => v,
            Err(()) => {
                self.note(
                    path.to_string(),
                    row,
                    format!("{NONNUMERIC_NOTE_PREFIX}单元格「{}」不是整数，按空白处理", cell.1),
                );
                None
            }
        }
    }

    /// The last `n` value cells of a row, when it has exactly `n` (or more, the extra ones blank).
    fn take_values(row: &Row, n: usize) -> Option<&[(usize, String)]> {
        let v = &row.values;
        if v.len() < n {
            return None;
        }
        let extra = v.len() - n;
        if v[..extra].iter().any(|(_, t)| !t.trim().is_empty()) {
            return None;
        }
        Some(&v[extra..])
    }

    /// Table 3: returns the rows where it starts and ends.
    fn table3(&mut self) -> Option<(usize, usize)> {
        let received = template::t3_row(RequestRow::Received);
        let start = self.rows.iter().position(|r| t3_label_matches(received, &normalize(&r.label)))?;
        let review = normalize(template::T4_REVIEW);
        let end_limit = self.rows[start..]
            .iter()
            .position(|r| normalize(&r.label).contains(&review))
            .map(|i| start + i)
            .unwrap_or(self.rows.len());
        let norms: Vec<String> = self.rows[start..end_limit].iter().map(|r| normalize(&r.label)).collect();
        let has_sub_rows = [RequestRow::NoCorrection, RequestRow::FeeUnpaid]
            .iter()
            .any(|k| norms.iter().any(|n| t3_label_matches(template::t3_row(*k), n)));
        let layout = if has_sub_rows { Template::V2021 } else { Template::V2019 };
        if let Some(t) = self.report.provenance.table_templates.get("requests") {
            if *t != layout {
                // The grid shows the layout; say where the text reading differed.
                self.report.provenance.notes.push(ImportNote {
                    path: "requests".into(),
                    line: None,
                    message: format!("表三按表格结构识别为 {layout} 格式（文本识别为 {t}），以表格结构为准"),
                });
            }
        }
        let mut table = self.report.requests.unwrap_or_else(RequestTable::blank);
        let mut cursor = 0usize;
        let mut last = start;
        let mut read = 0usize;
        for spec in template::T3_ROWS.iter().filter(|r| r.versions.includes(layout)) {
            let window = norms.len().min(cursor + LOOKAHEAD);
            let Some(i) = (cursor..window).find(|&i| t3_label_matches(spec, &norms[i])) else {
                continue;
            };
            cursor = i + 1;
            let row = &self.rows[start + i];
            last = start + i;
            let Some(vals) = Self::take_values(row, 7) else {
                continue;
            };
            let path = format!("requests.{}", spec.path);
            self.forget(&path);
            let printed = printed_label(&row.label, spec);
            for (col, cell) in Column::ALL.iter().zip(vals) {
                let cpath = format!("{path}.{}", col.name());
                let v = self.count(&cpath, row, cell);
                *table.row_mut(spec.key).get_mut(*col) = v;
                self.record(cpath, Cow::Owned(printed.clone()), template::column_label(*col), row, cell);
            }
            read += 1;
        }
        if read == 0 {
            // Not a grid we can read: the text reading stands.
            return None;
        }
        if layout == Template::V2021 {
            // The 2021 template prints no 其他处理 total: it is the sum of the three sub-rows.
            for col in Column::ALL {
                let parts: Option<i64> =
                    template::OTHER_HANDLING_PARTS.iter().map(|k| table.row(*k).and_then(|r| r.get(col))).sum();
                *table.outcomes.other_handling.total.get_mut(col) = parts;
            }
        }
        self.report.requests = Some(table);
        self.report.provenance.table_templates.insert("requests".into(), layout);
        if self.report.review_litigation.is_some() {
            self.report.provenance.table_templates.insert("review_litigation".into(), layout);
        }
        Some((start, last + 1))
    }

    /// Table 4: the row of fifteen values after the 行政复议 header.
    fn table4(&mut self, from: usize) {
        let review = normalize(template::T4_REVIEW);
        let Some(header) =
            self.rows.iter().skip(from).position(|r| normalize(&r.label).contains(&review)).map(|i| from + i)
        else {
            return;
        };
        let Some(row) = self.rows[header..self.rows.len().min(header + LOOKAHEAD)]
            .iter()
            .find(|r| Self::take_values(r, 15).is_some())
        else {
            return;
        };
        let Some(vals) = Self::take_values(row, 15) else {
            return;
        };
        self.forget("review_litigation");
        let mut t4 = ReviewLitigation::blank();
        let slots = CaseGroup::ALL.iter().flat_map(|g| CaseResult::ALL.iter().map(move |r| (*g, *r)));
        for ((g, r), cell) in slots.zip(vals) {
            let path = format!("review_litigation.{}.{}", g.name(), r.name());
            let v = self.count(&path, row, cell);
            *t4.group_mut(g).get_mut(r) = v;
            self.record(path, Cow::Borrowed(template::group_label(g)), template::result_label(r), row, cell);
        }
        self.report.review_litigation = Some(t4);
        let t = self.report.provenance.table_templates.get("requests").copied().unwrap_or(Template::V2019);
        self.report.provenance.table_templates.insert("review_litigation".into(), t);
    }

    /// Table 2: every block's rows, before table 3.
    fn table2(&mut self, end: usize) {
        let end = end.min(self.rows.len());
        let norms: Vec<String> = self.rows[..end].iter().map(|r| normalize(&r.label)).collect();
        let has = |ms: &[&str]| ms.iter().map(|m| normalize(m)).any(|m| norms.iter().any(|n| n.contains(&m)));
        let version = match self.report.provenance.table_templates.get("proactive") {
            Some(t) => *t,
            None if has(template::T2_2019_MARKERS) => Template::V2019,
            None if has(template::T2_2021_MARKERS) => Template::V2021,
            None => return,
        };
        let mut p = self.report.proactive.clone().unwrap_or_default();
        let mut cursor = 0usize;
        let mut read = 0usize;
        for block in template::t2_blocks(version) {
            let title = normalize(block.title);
            if let Some(i) = (cursor..norms.len()).find(|&i| norms[i].contains(&title)) {
                cursor = i + 1;
            }
            for t2row in block.rows {
                let labels: Vec<String> =
                    std::iter::once(t2row.label).chain(t2row.variants.iter().copied()).map(normalize).collect();
                let window = norms.len().min(cursor + LOOKAHEAD);
                let hit = (cursor..window).find(|&i| labels.iter().any(|l| norms[i] == *l));
                let hit = hit.or_else(|| {
                    (cursor..window).find(|&i| labels.iter().any(|l| l.chars().count() >= 4 && norms[i].contains(l)))
                });
                let Some(i) = hit else { continue };
                cursor = i + 1;
                let row = &self.rows[i];
                let Some(vals) = Self::take_values(row, block.columns.len()) else {
                    continue;
                };
                self.t2_row(&mut p, version, block, t2row.key, row, vals);
                read += 1;
            }
        }
        if read > 0 {
            self.report.proactive = Some(p);
            self.report.provenance.table_templates.insert("proactive".into(), version);
        }
    }

    fn t2_row(
        &mut self,
        p: &mut Proactive,
        version: Template,
        block: &T2Block,
        key: &str,
        row: &Row,
        vals: &[(usize, String)],
    ) {
        let path = format!("proactive.{key}");
        self.forget(&path);
        let printed = clean(&row.label);
        for (col, cell) in block.columns.iter().zip(vals) {
            self.record(format!("{path}.{}", col.key), Cow::Owned(printed.clone()), col.label, row, cell);
        }
        let mut counts: Vec<Option<i64>> = Vec::with_capacity(vals.len());
        let mut amounts: Vec<Option<(Amount, Option<&'static str>)>> = Vec::new();
        for (col, cell) in block.columns.iter().zip(vals) {
            let cpath = format!("{path}.{}", col.key);
            if col.amount {
                counts.push(None);
                let t = cell.1.trim();
                let blank = parse_count(t) == Ok(None);
                let a = parse_number(t).and_then(|(n, u)| Amount::parse(&n).ok().map(|a| (a, u)));
                if a.is_none() && !blank {
                    self.note(cpath, row, format!("{NONNUMERIC_NOTE_PREFIX}单元格「{t}」不是数字，按空白处理"));
                }
                amounts.push(a);
            } else {
                counts.push(self.count(&cpath, row, cell));
                amounts.push(None);
            }
        }
        let c = |k: usize| counts.get(k).copied().flatten();
        let a = |k: usize| amounts.get(k).cloned().flatten();
        match (version, key) {
            (Template::V2021, "rules" | "normative_documents") => {
                let d = DocumentCounts::V2021 { issued: c(0), repealed: c(1), in_force: c(2) };
                if key == "rules" {
                    p.rules = Some(d);
                } else {
                    p.normative_documents = Some(d);
                }
            }
            (_, "rules" | "normative_documents") => {
                let d = DocumentCounts::V2019 { made: c(0), published: c(1), published_total: c(2) };
                if key == "rules" {
                    p.rules = Some(d);
                } else {
                    p.normative_documents = Some(d);
                }
            }
            (_, "licensing" | "other_services" | "penalties" | "coercive_measures") => {
                let item = if version == Template::V2021 {
                    ItemCounts::V2021 { decisions: c(0) }
                } else {
                    ItemCounts::V2019 { previous_items: c(0), change: c(1), decisions: c(2) }
                };
                match key {
                    "licensing" => p.licensing = Some(item),
                    "other_services" => p.other_services = Some(item),
                    "penalties" => p.penalties = Some(item),
                    _ => p.coercive_measures = Some(item),
                }
            }
            (Template::V2021, "administrative_fees") => {
                // The header says 万元; a cell printed in 元 is converted exactly.
                let v = a(0).map(|(v, u)| if u == Some("元") { shift_down(&v) } else { v });
                p.administrative_fees = Some(AdministrativeFees::V2021 { amount_wan_yuan: v });
            }
            (_, "administrative_fees") => {
                p.administrative_fees = Some(AdministrativeFees::V2019 { previous_items: c(0), change: c(1) });
            }
            (_, "centralized_procurement") => {
                // 采购总金额 is kept in 元: a cell printed in 万元 is converted exactly.
                let v = a(1).map(|(v, u)| if u == Some("万元") { v.shift(4) } else { v });
                p.centralized_procurement = Some(Procurement { projects: c(0), amount_yuan: v });
            }
            _ => {}
        }
    }
}

/// The row label as printed: a first row of a merged group also carries the group label
/// (「（三）不予公开 1.属于国家秘密」); keep the shortest tail that still names the row.
fn printed_label(label: &str, spec: &RowSpec) -> String {
    let l = clean(label);
    let parts: Vec<&str> = l.split(' ').collect();
    for k in (0..parts.len()).rev() {
        let tail = parts[k..].join(" ");
        if t3_label_matches(spec, &normalize(&tail)) {
            return tail;
        }
    }
    l
}

/// 万元 from a figure printed in 元 (exact decimal shift).
fn shift_down(a: &Amount) -> Amount {
    let s = a.as_str();
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let padded = format!("{int:0>5}");
    let cut = padded.len() - 4;
    let out = format!("{}{}.{}{}", if neg { "-" } else { "" }, &padded[..cut], &padded[cut..], frac);
    Amount::parse(&out).unwrap_or_else(|_| a.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rowspan_and_colspan_resolve_into_the_grid() {
        let mut b = TableBuilder::new(1);
        b.html_row(&[("A".into(), 2, 1), ("B".into(), 1, 2)]);
        b.html_row(&[("C".into(), 1, 1), ("D".into(), 1, 1)]);
        let t = b.finish();
        assert_eq!(t.width(), 3);
        let rows = t.rows();
        assert_eq!(rows[0].label, "A B");
        assert_eq!(rows[1].label, "C D");
        assert_eq!(rows[1].values.len(), 0);
    }

    #[test]
    fn values_are_the_trailing_value_cells() {
        let mut b = TableBuilder::new(2);
        b.html_row(&[
            ("（一）予以公开".into(), 1, 2),
            ("258".into(), 1, 1),
            ("\u{a0}".into(), 1, 1),
            ("1".into(), 1, 1),
        ]);
        let t = b.finish();
        let r = &t.rows()[0];
        assert_eq!(r.label, "（一）予以公开");
        assert_eq!(r.values, vec![(3, "258".into()), (4, String::new()), (5, "1".into())]);
        assert_eq!(r.line(), "（一）予以公开 258 — 1");
    }

    #[test]
    fn vmerge_continue_joins_the_cell_above() {
        let mut b = TableBuilder::new(1);
        b.docx_row(
            0,
            &[
                ("三、本年度办理结果".into(), 1, VMerge::Restart),
                ("（一）予以公开".into(), 2, VMerge::No),
                ("5".into(), 1, VMerge::No),
            ],
        );
        b.docx_row(
            0,
            &[
                (String::new(), 1, VMerge::Continue),
                ("（二）部分公开".into(), 2, VMerge::No),
                ("6".into(), 1, VMerge::No),
            ],
        );
        let t = b.finish();
        let rows = t.rows();
        assert_eq!(rows[1].label, "（二）部分公开");
        assert_eq!(rows[1].values, vec![(4, "6".into())]);
    }

    #[test]
    fn numbers_with_units_and_separators() {
        assert_eq!(parse_number("251000元"), Some(("251000".into(), Some("元"))));
        assert_eq!(parse_number("1,234"), Some(("1234".into(), None)));
        assert_eq!(parse_number("７"), Some(("7".into(), None)));
        assert_eq!(parse_number("约30"), None);
        assert_eq!(parse_count("—"), Ok(None));
        assert_eq!(parse_count("0.5"), Err(()));
        assert!(is_value_like("/"));
        assert!(!is_value_like("其他"));
    }

    #[test]
    fn numbering_forms_cover_the_printed_variants() {
        let f = number_forms("（一）");
        assert!(f.contains(&"(一)".to_string()) && f.contains(&"一,".to_string()));
        let f = number_forms("1.");
        assert!(f.contains(&"1,".to_string()));
    }
}
