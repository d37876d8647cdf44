//! The report's tables as grids of merged cells, in the official layout.
//!
//! Every exporter prints the same [`Grid`]s: Markdown and HTML now, DOCX, XLSX and PDF later. A
//! grid is built only from the template descriptions of `gongkai_core::template` (labels, rows,
//! columns, versions) and the report's figures; exporters add styling, never labels.
//!
//! # Shape
//!
//! A grid is `width` columns wide. Its rows come in bands: [`Grid::head`] (the column header,
//! printed as `<thead>` and repeated on every page in print/DOCX) and one or more
//! [`Grid::bodies`] (row groups, `<tbody>`; table 2 has one per Article 20 block). Each
//! [`GridRow`] lists only the cells that *start* in that row, left to right, exactly like HTML;
//! [`GridCell::col`] gives the 0-based grid column where each starts (already computed, for
//! XLSX merge ranges), and [`Grid::slots`] gives the dense matrix (for DOCX `vMerge`
//! continuation cells). Row spans never cross from one band into the next.
//!
//! Cell values are typed ([`Content`]): blank (`null` in the report, printed empty, never 0),
//! counts, decimal amounts with the unit the cell carries, and text.

use gongkai_core::report::{
    AdministrativeFees, Amount, CaseGroup, Columns, DocumentCounts, ItemCounts, LegacyStatistic, Report, RequestTable,
    ReviewLitigation, Template,
};
use gongkai_core::template::{self, RowGroup, T2Block, T2Column};
use serde_json::Value;

/// The unit of `proactive.centralized_procurement.amount_yuan`, which the model stores in 元.
///
/// Not a template label: the 2019 template prints no unit in the 采购总金额 header, so the cell
/// carries the unit of the stored value (as 上海 printed 「251000元」).
pub const UNIT_YUAN: &str = "元";

/// Which table of the report a grid is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TableKind {
    /// Table 2: 主动公开政府信息情况 (`proactive`).
    Proactive,
    /// The pre-2019 statistics table (`legacy_statistics`).
    LegacyStatistics,
    /// Table 3: 收到和处理政府信息公开申请情况 (`requests`).
    Requests,
    /// Table 4: 政府信息公开行政复议、行政诉讼情况 (`review_litigation`).
    ReviewLitigation,
}

impl TableKind {
    /// The report field, also the key of `provenance.table_templates`.
    pub fn key(self) -> &'static str {
        match self {
            TableKind::Proactive => "proactive",
            TableKind::LegacyStatistics => "legacy_statistics",
            TableKind::Requests => "requests",
            TableKind::ReviewLitigation => "review_litigation",
        }
    }
}

/// What a cell is, so that exporters can choose the element (`th`/`td`) and style.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CellRole {
    /// The title of a row group spanning the whole width (table 2's 「第二十条第（一）项」):
    /// heads the rows of its band.
    GroupTitle,
    /// A column header (heads the cells below it, over its column span).
    ColumnHeader,
    /// A row header (heads the cells to its right, over its row span).
    RowHeader,
    /// A note printed inside the table (table 3's corner cell with the 勾稽 rule).
    Note,
    /// A figure or other data.
    Data,
}

impl CellRole {
    /// Whether the cell is a header cell (`<th>`).
    pub fn is_header(self) -> bool {
        matches!(self, CellRole::GroupTitle | CellRole::ColumnHeader | CellRole::RowHeader)
    }
}

/// A cell's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Content {
    /// Empty in the source (`null`): printed empty, never as 0.
    Blank,
    /// A label or other text.
    Text(String),
    /// A count; may be negative (本年增/减).
    Count(i64),
    /// A decimal amount, with the unit the cell itself carries (`None` when the header or the
    /// unit column states it).
    Amount {
        /// The decimal value.
        value: Amount,
        /// The unit printed after the value in the cell.
        unit: Option<&'static str>,
    },
}

impl Content {
    /// The text as printed: `""` for blank, `-6`, `123000元`.
    pub fn display(&self) -> String {
        match self {
            Content::Blank => String::new(),
            Content::Text(s) => s.clone(),
            Content::Count(n) => n.to_string(),
            Content::Amount { value, unit } => format!("{}{}", value.as_str(), unit.unwrap_or("")),
        }
    }

    /// Whether the content is a figure (count or amount), as opposed to text or blank.
    pub fn is_figure(&self) -> bool {
        matches!(self, Content::Count(_) | Content::Amount { .. })
    }

    fn count(c: Option<i64>) -> Content {
        c.map_or(Content::Blank, Content::Count)
    }

    fn amount(a: Option<&Amount>, unit: Option<&'static str>) -> Content {
        a.map_or(Content::Blank, |a| Content::Amount { value: a.clone(), unit })
    }
}

/// One (possibly merged) cell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GridCell {
    /// The 0-based grid column where the cell starts.
    pub col: usize,
    /// Rows covered (≥ 1).
    pub rowspan: usize,
    /// Columns covered (≥ 1).
    pub colspan: usize,
    /// What the cell is.
    pub role: CellRole,
    /// Its value.
    pub content: Content,
}

impl GridCell {
    fn new(role: CellRole, content: Content) -> GridCell {
        GridCell { col: 0, rowspan: 1, colspan: 1, role, content }
    }

    fn text(role: CellRole, s: impl Into<String>) -> GridCell {
        GridCell::new(role, Content::Text(s.into()))
    }

    fn data(content: Content) -> GridCell {
        GridCell::new(CellRole::Data, content)
    }

    fn span(mut self, rowspan: usize, colspan: usize) -> GridCell {
        self.rowspan = rowspan.max(1);
        self.colspan = colspan.max(1);
        self
    }
}

/// A row: the cells that start in it, left to right.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GridRow {
    /// The cells starting in this row.
    pub cells: Vec<GridCell>,
}

/// One table in its official layout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grid {
    /// Which table.
    pub table: TableKind,
    /// The template whose layout the grid follows.
    pub template: Template,
    /// A title for the table (the template's section title), for `<caption>` and alt text.
    pub caption: String,
    /// Number of grid columns.
    pub width: usize,
    /// Header rows (`<thead>`); empty for table 2, whose headers repeat per block.
    pub head: Vec<GridRow>,
    /// Row groups (`<tbody>`), in order.
    pub bodies: Vec<Vec<GridRow>>,
}

/// Which slot of the dense matrix a cell covers (see [`Grid::slots`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slot {
    /// Row (over head then bodies) where the covering cell starts.
    pub row: usize,
    /// Index of the covering cell within that row's `cells`.
    pub index: usize,
    /// Whether this slot is the cell's top-left origin (false: covered by a merge).
    pub origin: bool,
}

impl Grid {
    fn new(table: TableKind, template: Template, caption: String, width: usize) -> Grid {
        Grid { table, template, caption, width, head: Vec::new(), bodies: Vec::new() }
    }

    /// All rows, head first, with a flag telling whether each is a head row.
    pub fn rows(&self) -> impl Iterator<Item = (bool, &GridRow)> {
        self.head.iter().map(|r| (true, r)).chain(self.bodies.iter().flatten().map(|r| (false, r)))
    }

    /// Number of rows (head and bodies).
    pub fn row_count(&self) -> usize {
        self.head.len() + self.bodies.iter().map(Vec::len).sum::<usize>()
    }

    /// The first cell (in row order) whose text is `text`.
    pub fn find_text(&self, text: &str) -> Option<&GridCell> {
        self.rows().flat_map(|(_, r)| &r.cells).find(|c| matches!(&c.content, Content::Text(t) if t == text))
    }

    /// The dense `row_count × width` matrix: which cell covers each slot. `Err` describes the
    /// first slot covered twice, left uncovered, a cell reaching past the width, or a row span
    /// crossing into the next band. Grids built here always succeed.
    pub fn slots(&self) -> Result<Vec<Vec<Slot>>, String> {
        let mut bands: Vec<&[GridRow]> = vec![&self.head];
        bands.extend(self.bodies.iter().map(Vec::as_slice));
        let mut out: Vec<Vec<Option<Slot>>> = vec![vec![None; self.width]; self.row_count()];
        let mut base = 0;
        for band in bands {
            for (i, row) in band.iter().enumerate() {
                let r = base + i;
                for (index, cell) in row.cells.iter().enumerate() {
                    if i + cell.rowspan > band.len() {
                        return Err(format!("row {r}: cell {index} spans past its row group"));
                    }
                    if cell.col + cell.colspan > self.width {
                        return Err(format!("row {r}: cell {index} reaches past column {}", self.width));
                    }
                    for dr in 0..cell.rowspan {
                        for dc in 0..cell.colspan {
                            let slot = &mut out[r + dr][cell.col + dc];
                            if slot.is_some() {
                                return Err(format!("row {}, column {}: covered twice", r + dr, cell.col + dc));
                            }
                            *slot = Some(Slot { row: r, index, origin: dr == 0 && dc == 0 });
                        }
                    }
                }
            }
            base += band.len();
        }
        out.into_iter()
            .enumerate()
            .map(|(r, row)| {
                row.into_iter()
                    .enumerate()
                    .map(|(c, s)| s.ok_or_else(|| format!("row {r}, column {c}: not covered")))
                    .collect()
            })
            .collect()
    }

    /// Fills in [`GridCell::col`] by the HTML table algorithm (each cell starts at the first
    /// slot of its row not covered by a row span from above). Spans stay within a band.
    fn place(mut self) -> Grid {
        let width = self.width;
        let place_band = |rows: &mut Vec<GridRow>| {
            // covered[c] = rows still covered in column c by a cell from above.
            let mut covered = vec![0usize; width];
            for row in rows.iter_mut() {
                let mut c = 0;
                for cell in &mut row.cells {
                    while c < width && covered[c] > 0 {
                        c += 1;
                    }
                    cell.col = c;
                    for k in covered.iter_mut().skip(c).take(cell.colspan) {
                        *k = (*k).max(cell.rowspan);
                    }
                    c += cell.colspan;
                }
                for k in covered.iter_mut() {
                    *k = k.saturating_sub(1);
                }
            }
        };
        place_band(&mut self.head);
        for body in &mut self.bodies {
            place_band(body);
        }
        self
    }
}

/// The template a table follows: `provenance.table_templates`, else `report.template`. Tables
/// 2–4 exist only in the 2019 and 2021 templates: when that gives `pre2019`, the layout is read
/// from the data (2021 when it has 2021-only parts, else 2019).
pub fn table_template(report: &Report, table: TableKind) -> Template {
    let t = report.provenance.table_templates.get(table.key()).copied().unwrap_or(report.template);
    if table == TableKind::LegacyStatistics || t != Template::Pre2019 {
        return t;
    }
    let v2021 = match table {
        TableKind::Proactive => report.proactive.as_ref().is_some_and(|p| {
            matches!(p.rules, Some(DocumentCounts::V2021 { .. }))
                || matches!(p.normative_documents, Some(DocumentCounts::V2021 { .. }))
                || matches!(p.administrative_fees, Some(AdministrativeFees::V2021 { .. }))
                || matches!(p.licensing, Some(ItemCounts::V2021 { .. }))
        }),
        TableKind::Requests => {
            report.requests.as_ref().is_some_and(|r| template::OTHER_HANDLING_PARTS.iter().any(|k| r.row(*k).is_some()))
        }
        _ => false,
    };
    if v2021 {
        Template::V2021
    } else {
        Template::V2019
    }
}

/// Every table the report has, in document order (table 2, the statistics table, 3, 4). A
/// table that is `null` gives no grid.
pub fn tables(report: &Report) -> Vec<Grid> {
    [proactive(report), legacy_statistics(report), requests(report), review_litigation(report)]
        .into_iter()
        .flatten()
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Table 2

/// How `n` value columns share `width` grid columns: evenly, the remainder going to the middle
/// columns (2019: 3 columns over 4 → 1, 2, 1, as 上海 2019 prints them).
fn spread(n: usize, width: usize) -> Vec<usize> {
    if n == 0 {
        return Vec::new();
    }
    let base = width / n;
    let extra = width % n;
    let first = (n - extra) / 2;
    (0..n).map(|i| base + usize::from(i >= first && i < first + extra)).collect()
}

/// The number of value columns of table 2's grid: the widest block, or one more when a
/// narrower block cannot share it evenly (2021: 3; 2019: 4, as in spec-notes §1.4/§2.2).
fn t2_value_width(blocks: &[T2Block]) -> usize {
    let max = blocks.iter().map(|b| b.columns.len()).max().unwrap_or(1).max(1);
    if blocks.iter().all(|b| !b.columns.is_empty() && max % b.columns.len() == 0) {
        max
    } else {
        max + 1
    }
}

fn t2_value(row: Option<&Value>, col: &T2Column) -> Content {
    match row.and_then(|r| r.get(col.key)) {
        Some(Value::Number(n)) => match n.as_i64() {
            Some(i) => Content::Count(i),
            None => Amount::parse(&n.to_string()).map_or(Content::Blank, |a| Content::Amount { value: a, unit: None }),
        },
        Some(Value::String(s)) => match Amount::parse(s) {
            // 万元 is in the 2021 header; 元 (the stored unit of amount_yuan) goes in the cell.
            Ok(a) => {
                let unit = if col.unit.is_none() && col.key == "amount_yuan" { Some(UNIT_YUAN) } else { None };
                Content::Amount { value: a, unit }
            }
            Err(_) => Content::Text(s.clone()),
        },
        _ => Content::Blank,
    }
}

/// Table 2 (主动公开政府信息情况) in the layout of its template: per Article 20 block a title
/// row across the whole width, a header row (信息内容 + the block's columns) and its data rows;
/// a block with fewer columns spreads them over the grid (2021: one value over 3 columns).
pub fn proactive(report: &Report) -> Option<Grid> {
    let p = report.proactive.as_ref()?;
    let t = table_template(report, TableKind::Proactive);
    let blocks = template::t2_blocks(t);
    let values = serde_json::to_value(p).unwrap_or(Value::Null);
    let vw = t2_value_width(blocks);
    let mut grid = Grid::new(TableKind::Proactive, t, template::T2_TITLE.to_string(), 1 + vw);
    for block in blocks {
        let spans = spread(block.columns.len(), vw);
        let mut band = Vec::new();
        band.push(GridRow { cells: vec![GridCell::text(CellRole::GroupTitle, block.title).span(1, 1 + vw)] });
        let mut header = vec![GridCell::text(CellRole::ColumnHeader, template::T2_CONTENT)];
        for (col, span) in block.columns.iter().zip(&spans) {
            header.push(GridCell::text(CellRole::ColumnHeader, col.label).span(1, *span));
        }
        band.push(GridRow { cells: header });
        for row in block.rows {
            let data = values.get(row.key).filter(|v| !v.is_null());
            let mut cells = vec![GridCell::text(CellRole::RowHeader, row.label)];
            for (col, span) in block.columns.iter().zip(&spans) {
                cells.push(GridCell::data(t2_value(data, col)).span(1, *span));
            }
            band.push(GridRow { cells });
        }
        grid.bodies.push(band);
    }
    Some(grid.place())
}

// ---------------------------------------------------------------------------------------------
// Table 3

/// The rows of table 3 that `t` prints, in template order.
pub fn t3_rows(t: Template) -> impl Iterator<Item = &'static template::RowSpec> {
    template::T3_ROWS.iter().filter(move |r| r.versions.includes(t))
}

/// Table 3 (收到和处理政府信息公开申请情况): the 3-row header under the 3×3 corner note
/// (申请人情况 → 自然人 | 法人或其他组织 → five columns | 总计), then one row per template row:
/// 三、本年度办理结果 merged down all outcome rows, and the group labels (（三）不予公开 …)
/// merged down their sub-rows. A 2021 其他处理 sub-row the data lacks prints blank.
pub fn requests(report: &Report) -> Option<Grid> {
    let table = report.requests.as_ref()?;
    let t = table_template(report, TableKind::Requests);
    Some(requests_grid(table, t))
}

fn requests_grid(table: &RequestTable, t: Template) -> Grid {
    const LABEL_COLS: usize = 3;
    let ncols = template::COLUMNS.len();
    let norg = template::COLUMNS.iter().filter(|c| c.organisation).count();
    let mut grid = Grid::new(TableKind::Requests, t, template::T3_TITLE.to_string(), LABEL_COLS + ncols);

    // Header: corner note, 申请人情况; plain columns (rowspan 2) and 法人或其他组织 (colspan 5);
    // the organisation columns.
    let h1 = vec![
        GridCell::text(CellRole::Note, template::T3_NOTE).span(3, LABEL_COLS),
        GridCell::text(CellRole::ColumnHeader, template::T3_APPLICANTS).span(1, ncols),
    ];
    let mut h2 = Vec::new();
    let mut h3 = Vec::new();
    let mut org_started = false;
    for c in &template::COLUMNS {
        if c.organisation {
            if !org_started {
                h2.push(GridCell::text(CellRole::ColumnHeader, template::T3_ORGANISATIONS).span(1, norg));
                org_started = true;
            }
            h3.push(GridCell::text(CellRole::ColumnHeader, c.label));
        } else {
            h2.push(GridCell::text(CellRole::ColumnHeader, c.label).span(2, 1));
        }
    }
    grid.head = vec![GridRow { cells: h1 }, GridRow { cells: h2 }, GridRow { cells: h3 }];

    let rows: Vec<&template::RowSpec> = t3_rows(t).collect();
    let outcome_rows = rows.iter().filter(|r| r.outcome).count();
    let group_len = |g: RowGroup| rows.iter().filter(|r| r.group == Some(g)).count();
    let mut body = Vec::new();
    let mut outcomes_started = false;
    let mut last_group = None;
    for spec in &rows {
        let mut cells = Vec::new();
        if spec.outcome && !outcomes_started {
            cells.push(GridCell::text(CellRole::RowHeader, template::T3_OUTCOMES).span(outcome_rows, 1));
            outcomes_started = true;
        }
        match spec.group {
            Some(g) => {
                if last_group != Some(g) {
                    cells.push(GridCell::text(CellRole::RowHeader, g.label()).span(group_len(g), 1));
                }
                cells.push(GridCell::text(CellRole::RowHeader, spec.full_label()));
            }
            None => {
                let span = if spec.outcome { LABEL_COLS - 1 } else { LABEL_COLS };
                cells.push(GridCell::text(CellRole::RowHeader, spec.full_label()).span(1, span));
            }
        }
        last_group = spec.group;
        let values = table.row(spec.key).copied().unwrap_or(Columns::BLANK);
        for c in &template::COLUMNS {
            cells.push(GridCell::data(Content::count(values.get(c.key))));
        }
        body.push(GridRow { cells });
    }
    grid.bodies.push(body);
    grid.place()
}

// ---------------------------------------------------------------------------------------------
// Table 4

/// Table 4 (政府信息公开行政复议、行政诉讼情况): 行政复议 over its five results (rowspan 2),
/// 行政诉讼 over the two litigation groups, each over its five results; one data row of 15.
pub fn review_litigation(report: &Report) -> Option<Grid> {
    let t4 = report.review_litigation.as_ref()?;
    let t = table_template(report, TableKind::ReviewLitigation);
    Some(review_grid(t4, t))
}

fn review_grid(t4: &ReviewLitigation, t: Template) -> Grid {
    let nres = template::T4_RESULTS.len();
    let is_review = |g: &template::GroupSpec| g.key == CaseGroup::Review;
    let nlit = template::T4_GROUPS.iter().filter(|g| !is_review(g)).count();
    let mut grid =
        Grid::new(TableKind::ReviewLitigation, t, template::T4_TITLE.to_string(), template::T4_GROUPS.len() * nres);
    let mut h1 = Vec::new();
    let mut h2 = Vec::new();
    let mut h3 = Vec::new();
    if template::T4_GROUPS.iter().any(is_review) {
        h1.push(GridCell::text(CellRole::ColumnHeader, template::T4_REVIEW).span(1, nres));
        for r in &template::T4_RESULTS {
            h2.push(GridCell::text(CellRole::ColumnHeader, r.label).span(2, 1));
        }
    }
    h1.push(GridCell::text(CellRole::ColumnHeader, template::T4_LITIGATION).span(1, nlit * nres));
    for g in template::T4_GROUPS.iter().filter(|g| !is_review(g)) {
        h2.push(GridCell::text(CellRole::ColumnHeader, g.label).span(1, nres));
        for r in &template::T4_RESULTS {
            h3.push(GridCell::text(CellRole::ColumnHeader, r.label));
        }
    }
    grid.head = vec![GridRow { cells: h1 }, GridRow { cells: h2 }, GridRow { cells: h3 }];
    // Data in the header's column order: review first, then the litigation groups.
    let order =
        template::T4_GROUPS.iter().filter(|g| is_review(g)).chain(template::T4_GROUPS.iter().filter(|g| !is_review(g)));
    let mut data = Vec::new();
    for g in order {
        let grp = t4.group(g.key);
        for r in &template::T4_RESULTS {
            data.push(GridCell::data(Content::count(grp.get(r.key))));
        }
    }
    grid.bodies.push(vec![GridRow { cells: data }]);
    grid.place()
}

// ---------------------------------------------------------------------------------------------
// Pre-2019 statistics

/// The pre-2019 statistics table: 统计指标 / 单位 / 统计数, one row per indicator as printed.
pub fn legacy_statistics(report: &Report) -> Option<Grid> {
    let rows = report.legacy_statistics.as_ref()?;
    Some(legacy_grid(rows, table_template(report, TableKind::LegacyStatistics)))
}

fn legacy_grid(rows: &[LegacyStatistic], t: Template) -> Grid {
    // template.rs names no title for this table; its header is the most precise description.
    let caption = template::LEGACY_HEADER.join("／");
    let mut grid = Grid::new(TableKind::LegacyStatistics, t, caption, template::LEGACY_HEADER.len());
    grid.head = vec![GridRow {
        cells: template::LEGACY_HEADER.iter().map(|h| GridCell::text(CellRole::ColumnHeader, *h)).collect(),
    }];
    let body = rows
        .iter()
        .map(|s| GridRow {
            cells: vec![
                GridCell::text(CellRole::RowHeader, s.label.clone()),
                GridCell::data(s.unit.clone().map_or(Content::Blank, Content::Text)),
                GridCell::data(Content::amount(s.value.as_ref(), None)),
            ],
        })
        .collect();
    grid.bodies.push(body);
    grid.place()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spread_gives_the_extra_column_to_the_middle() {
        assert_eq!(spread(3, 3), vec![1, 1, 1]);
        assert_eq!(spread(1, 3), vec![3]);
        assert_eq!(spread(3, 4), vec![1, 2, 1]);
        assert_eq!(spread(2, 4), vec![2, 2]);
    }

    #[test]
    fn table2_grid_is_four_columns_in_2021_and_five_in_2019() {
        assert_eq!(1 + t2_value_width(&template::T2_2021), 4);
        assert_eq!(1 + t2_value_width(&template::T2_2019), 5);
    }

    #[test]
    fn blank_tables_are_full_rectangles() {
        for t in [Template::V2019, Template::V2021] {
            let g = requests_grid(&RequestTable::blank(), t);
            assert!(g.slots().is_ok(), "{:?}", g.slots().err());
            let g = review_grid(&ReviewLitigation::blank(), t);
            assert!(g.slots().is_ok(), "{:?}", g.slots().err());
        }
    }
}
