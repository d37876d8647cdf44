//! The consistency rules (勾稽关系) of shared/spec/report-format.md, each with a stable id.
//!
//! [`check`] runs every rule over a [`Report`] and returns [`Finding`]s. Rules never fail and
//! never panic: a cell that is `null` is skipped, and the skip itself is reported (info).
//!
//! Conventions shared by every rule:
//! - **Blank is not zero.** A sum that needs a blank cell is not evaluated; instead the rule emits
//!   one `info` finding (same rule id) for that row or column, listing the blank cells.
//! - **No overflow.** Counts are added as `i128`, so no input (negative, huge) can panic.
//! - **Labels come from [`crate::template`].** Messages name cells with the template's wording.
//! - **Deterministic order.** Findings are sorted by table (in the order of [`TABLES`]), then row
//!   (template order), then column (template order), then rule (catalogue order, [`RULES`]).
//!
//! [`Finding::values`] names the cells involved by their glossary paths (`received`,
//! `outcomes.total`, `upheld`…) and adds `sum` (what the parts add up to), `expected` (the total
//! they should equal) and `difference`. A skipped check lists the blank cells in `blank`.
//! `text.figure` findings carry `quote` (the phrase as printed), `section` / `section_title`,
//! `prose` (the figure in the text) and `table` (the table's value); when that value had to count
//! blank cells as 0 (a 总计 left blank), they are listed in `blank_as_zero`.
//!
//! Where a finding points: `t3.balance` and `year.carry` at a column (`row` null for the
//! balance); `t3.outcome-sum` at `outcomes.total` × column; `t3.other-sum` at
//! `outcomes.other_handling.total` × column; `t3.column-sum` at a row × `total`;
//! `t4.group-sum` at a group × `total`; `cell.blank` at a row (the blank columns in
//! `values.blank`).

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::report::{
    AdministrativeFees, CaseGroup, CaseResult, CaseResults, Column, Columns, DocumentCounts, ItemCounts, Proactive,
    Report, RequestRow, RequestTable, ReviewLitigation, SectionKey, Template,
};
use crate::template::{self, RowGroup, OTHER_HANDLING_PARTS, OUTCOME_LEAVES, SECTIONS, T3_ROWS};
use crate::text_figure::{self, CaseScope, Figure, FigureKind, OutcomeGroup};

/// How serious a finding is. `gongkai report check` exits 1 when any finding is an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Informational (e.g. a check skipped because a cell is blank).
    Info,
    /// Probably wrong; the template does not state it as a hard rule.
    Warning,
    /// Breaks a rule of the template.
    Error,
}

/// One violated (or skipped) rule at one place of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Finding {
    /// The stable rule id (e.g. `t3.balance`).
    pub rule: String,
    /// Severity of this finding.
    pub severity: Severity,
    /// The table (`proactive`, `requests`, `review_litigation`, `legacy_statistics`) or
    /// `sections` / `meta`; `null` when the finding is about the whole report.
    pub table: Option<String>,
    /// The row (its glossary path inside the table, e.g. `outcomes.withheld.state_secret`).
    pub row: Option<String>,
    /// The column (e.g. `natural_person`).
    pub column: Option<String>,
    /// The values involved, by name (e.g. `{"received": 70, "carried_over": 0, …}`).
    pub values: serde_json::Map<String, serde_json::Value>,
    /// The message in Chinese.
    pub message: String,
    /// The message in English.
    pub message_en: String,
}

/// Optional context for the rules that need more than the report itself.
#[derive(Debug, Clone, Default)]
pub struct CheckContext<'a> {
    /// Last year's report of the same agency (enables `year.*`).
    pub previous: Option<&'a Report>,
    /// Whether the report is a people's government's own report (Art. 49: deadline 31 March
    /// instead of 31 January). `None` = decide from the agency name.
    pub government_report: Option<bool>,
}

/// The marker an importer puts at the start of a [`crate::report::ImportNote`] message when a
/// numeric cell holds something that is not a number (「约30」): the note becomes a
/// `cell.nonnumeric` finding. Write it as `format!("{NONNUMERIC_NOTE_PREFIX}{raw}")`, optionally
/// followed by an explanation after 「；」. (「-」, 「—」, 「/」 and empty cells are blanks, not
/// non-numeric.)
pub const NONNUMERIC_NOTE_PREFIX: &str = "非数字:";

/// The stable rule ids.
pub mod id {
    /// Table 3, per column: 一 + 二 = 三（七）总计 + 四 (the written 勾稽关系).
    pub const T3_BALANCE: &str = "t3.balance";
    /// Table 3, per column: （七）总计 = sum of the outcome rows.
    pub const T3_OUTCOME_SUM: &str = "t3.outcome-sum";
    /// Table 3, per column: （六）其他处理 = its three sub-rows (2021).
    pub const T3_OTHER_SUM: &str = "t3.other-sum";
    /// Table 3, per row: 总计 = the six applicant columns.
    pub const T3_COLUMN_SUM: &str = "t3.column-sum";
    /// Table 4, per group: 总计 = 结果维持 + 结果纠正 + 其他结果 + 尚未审结.
    pub const T4_GROUP_SUM: &str = "t4.group-sum";
    /// Table 2 (2019): 上一年项目数量 + 本年增/减 ≥ 0.
    pub const T2_CHANGE: &str = "t2.change";
    /// Pre-2019 statistics: 主动公开政府信息数 between the largest channel and the channel sum.
    pub const LEGACY_CHANNEL_SUM: &str = "legacy.channel-sum";
    /// A figure quoted in the prose disagrees with the table or with the parts the prose lists.
    pub const TEXT_FIGURE: &str = "text.figure";
    /// This year's 二 = last year's 四, per column.
    pub const YEAR_CARRY: &str = "year.carry";
    /// 2021: 现行有效件数 ≈ last year's + 本年制发件数 − 本年废止件数.
    pub const YEAR_IN_FORCE: &str = "year.in-force";
    /// Published after the Art. 49 deadline.
    pub const META_DEADLINE: &str = "meta.deadline";
    /// A required section is missing, or sections are out of order.
    pub const META_SECTIONS: &str = "meta.sections";
    /// A cell the template requires is empty.
    pub const CELL_BLANK: &str = "cell.blank";
    /// A numeric cell holds something that is not a number.
    pub const CELL_NONNUMERIC: &str = "cell.nonnumeric";
}

/// One rule of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleSpec {
    /// The stable id.
    pub id: &'static str,
    /// The severity of a violation (a skipped check is always `info`).
    pub severity: Severity,
    /// What is checked, in Chinese.
    pub summary: &'static str,
    /// What is checked, in English.
    pub summary_en: &'static str,
}

/// The rule catalogue, in catalogue order (the order findings of one cell are listed in).
pub const RULES: [RuleSpec; 14] = [
    RuleSpec {
        id: id::T3_BALANCE,
        severity: Severity::Error,
        summary: "表三每列：第一项加第二项之和，等于第三项加第四项之和",
        summary_en: "table 3, each column: received + carried_over = outcomes.total + carried_forward",
    },
    RuleSpec {
        id: id::T3_OUTCOME_SUM,
        severity: Severity::Error,
        summary: "表三每列：办理结果总计等于各办理结果之和",
        summary_en: "table 3, each column: outcomes.total = sum of the outcome rows",
    },
    RuleSpec {
        id: id::T3_OTHER_SUM,
        severity: Severity::Error,
        summary: "表三每列：其他处理等于其三个子项之和",
        summary_en: "table 3, each column: other_handling.total = no_correction + fee_unpaid + other",
    },
    RuleSpec {
        id: id::T3_COLUMN_SUM,
        severity: Severity::Error,
        summary: "表三每行：总计等于各类申请人之和",
        summary_en: "table 3, each row: total = sum of the six applicant columns",
    },
    RuleSpec {
        id: id::T4_GROUP_SUM,
        severity: Severity::Error,
        summary: "表四每组：总计等于结果维持、结果纠正、其他结果、尚未审结之和",
        summary_en: "table 4, each group: total = upheld + corrected + other + pending",
    },
    RuleSpec {
        id: id::T2_CHANGE,
        severity: Severity::Warning,
        summary: "表二（2019）：上一年项目数量加本年增/减不得小于0",
        summary_en: "table 2 (2019): previous_items + change >= 0",
    },
    RuleSpec {
        id: id::LEGACY_CHANNEL_SUM,
        severity: Severity::Warning,
        summary: "统计表：主动公开政府信息数不小于最大渠道数、不大于各渠道之和",
        summary_en: "pre-2019 statistics: largest channel <= proactive_total <= sum of channels",
    },
    RuleSpec {
        id: id::TEXT_FIGURE,
        severity: Severity::Warning,
        summary: "正文引用的数字与表格或正文所列分项之和不一致",
        summary_en: "a figure quoted in the prose disagrees with the table or with the parts the prose lists",
    },
    RuleSpec {
        id: id::YEAR_CARRY,
        severity: Severity::Warning,
        summary: "本年“上年结转”等于上年报告“结转下年度继续办理”",
        summary_en: "this year's carried_over = last year's carried_forward, per column",
    },
    RuleSpec {
        id: id::YEAR_IN_FORCE,
        severity: Severity::Warning,
        summary: "现行有效件数约等于上年现行有效件数加本年制发减本年废止（近似核对）",
        summary_en: "in_force ≈ last year's in_force + issued − repealed (approximate)",
    },
    RuleSpec {
        id: id::META_DEADLINE,
        severity: Severity::Warning,
        summary: "年度报告应于条例第四十九条规定的期限前公布",
        summary_en: "published by the Art. 49 deadline",
    },
    RuleSpec {
        id: id::META_SECTIONS,
        severity: Severity::Warning,
        summary: "模板要求的章节齐全且顺序正确",
        summary_en: "required sections present and in the template's order",
    },
    RuleSpec {
        id: id::CELL_BLANK,
        severity: Severity::Info,
        summary: "模板要求填写的单元格为空",
        summary_en: "a cell the template requires is empty",
    },
    RuleSpec {
        id: id::CELL_NONNUMERIC,
        severity: Severity::Error,
        summary: "数字单元格中的内容不是数字",
        summary_en: "a numeric cell holds something that is not a number",
    },
];

/// The catalogue entry of a rule id.
pub fn rule(id: &str) -> Option<&'static RuleSpec> {
    RULES.iter().find(|r| r.id == id)
}

/// The values of [`Finding::table`], in the order findings are sorted by.
pub const TABLES: [&str; 6] = ["requests", "review_litigation", "proactive", "legacy_statistics", "sections", "meta"];

/// Runs every rule.
pub fn check(report: &Report, ctx: &CheckContext<'_>) -> Vec<Finding> {
    let mut sink = Sink::default();
    if let Some(t) = &report.requests {
        check_requests(t, report.table_template("requests"), &mut sink);
        if let Some(prev) = ctx.previous.and_then(|p| p.requests.as_ref()) {
            check_year_carry(t, prev, &mut sink);
        }
    }
    if let Some(t4) = &report.review_litigation {
        check_review(t4, &mut sink);
    }
    if let Some(p) = &report.proactive {
        check_proactive(p, report.table_template("proactive"), &mut sink);
        if let Some(prev) = ctx.previous.and_then(|p| p.proactive.as_ref()) {
            check_year_in_force(p, prev, &mut sink);
        }
    }
    if let Some(stats) = &report.legacy_statistics {
        check_channel_sum(stats, &mut sink);
    }
    check_text(report, &mut sink);
    check_sections(report, &mut sink);
    check_deadline(report, ctx, &mut sink);
    check_nonnumeric(report, &mut sink);
    sink.finish()
}

// ---------------------------------------------------------------------------------------------
// Plumbing: where a finding points, its sort key, value helpers

/// Where a finding points, with the ranks it sorts by.
#[derive(Debug, Clone)]
struct At {
    table: Option<&'static str>,
    row: Option<String>,
    row_rank: u32,
    column: Option<String>,
    col_rank: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct SortKey {
    table: u32,
    row: u32,
    col: u32,
    rule: u32,
    seq: u32,
}

#[derive(Default)]
struct Sink {
    items: Vec<(SortKey, Finding)>,
}

impl Sink {
    fn push(
        &mut self,
        rule: &'static str,
        severity: Severity,
        at: At,
        values: Map<String, Value>,
        message: String,
        message_en: String,
    ) {
        let table_rank = at.table.and_then(|t| TABLES.iter().position(|x| *x == t)).unwrap_or(TABLES.len());
        let key = SortKey {
            table: table_rank as u32,
            row: at.row_rank,
            col: at.col_rank,
            rule: RULES.iter().position(|r| r.id == rule).unwrap_or(RULES.len()) as u32,
            seq: self.items.len() as u32,
        };
        self.items.push((
            key,
            Finding {
                rule: rule.to_string(),
                severity,
                table: at.table.map(str::to_string),
                row: at.row,
                column: at.column,
                values,
                message,
                message_en,
            },
        ));
    }

    /// A violation, at the rule's catalogue severity.
    fn violation(&mut self, rule: &'static str, at: At, values: Map<String, Value>, zh: String, en: String) {
        let severity = self::rule(rule).map_or(Severity::Warning, |r| r.severity);
        self.push(rule, severity, at, values, zh, en);
    }

    /// A check skipped because cells are blank (always info).
    fn skipped(
        &mut self,
        rule: &'static str,
        at: At,
        blanks: &[(String, String)],
        mut values: Map<String, Value>,
        zh_where: &str,
        en_where: &str,
    ) {
        let labels: Vec<&str> = blanks.iter().map(|(_, l)| l.as_str()).collect();
        let paths: Vec<Value> = blanks.iter().map(|(p, _)| Value::String(p.clone())).collect();
        let summary = self::rule(rule).map_or("", |r| r.summary);
        let summary_en = self::rule(rule).map_or("", |r| r.summary_en);
        values.insert("blank".into(), Value::Array(paths));
        let zh = format!("{zh_where}：{}为空，未核对（{summary}）", labels.join("、"));
        let en = format!(
            "{en_where}: not checked ({summary_en}) because these cells are blank: {}",
            blanks.iter().map(|(p, _)| p.as_str()).collect::<Vec<_>>().join(", ")
        );
        self.push(rule, Severity::Info, at, values, zh, en);
    }

    fn finish(mut self) -> Vec<Finding> {
        self.items.sort_by_key(|(k, _)| *k);
        self.items.into_iter().map(|(_, f)| f).collect()
    }
}

/// A JSON number for a count (a string if it does not fit in 64 bits).
fn num(v: i128) -> Value {
    match i64::try_from(v) {
        Ok(n) => Value::from(n),
        Err(_) => Value::String(v.to_string()),
    }
}

fn cell_value(v: Option<i64>) -> Value {
    v.map_or(Value::Null, Value::from)
}

fn values(pairs: &[(&str, Value)]) -> Map<String, Value> {
    pairs.iter().map(|(k, v)| ((*k).to_string(), v.clone())).collect()
}

fn sum(cells: &[i64]) -> i128 {
    cells.iter().map(|&v| i128::from(v)).sum()
}

fn at_t3(row: Option<RequestRow>, col: Option<Column>) -> At {
    At {
        table: Some("requests"),
        row: row.map(|r| template::t3_row(r).path.to_string()),
        row_rank: row.map_or(0, |r| r as u32 + 1),
        column: col.map(|c| c.name().to_string()),
        col_rank: col.map_or(0, |c| c as u32 + 1),
    }
}

fn at_t4(group: Option<CaseGroup>, res: Option<CaseResult>) -> At {
    At {
        table: Some("review_litigation"),
        row: group.map(|g| g.name().to_string()),
        row_rank: group.map_or(0, |g| g as u32 + 1),
        column: res.map(|r| r.name().to_string()),
        col_rank: res.map_or(0, |r| r as u32 + 1),
    }
}

/// Table-2 rows (blocks) and columns in template order, for sorting.
const T2_ROW_ORDER: [&str; 8] = [
    "rules",
    "normative_documents",
    "licensing",
    "other_services",
    "penalties",
    "coercive_measures",
    "administrative_fees",
    "centralized_procurement",
];
const T2_COL_ORDER: [&str; 12] = [
    "issued",
    "repealed",
    "in_force",
    "made",
    "published",
    "published_total",
    "previous_items",
    "change",
    "decisions",
    "amount_wan_yuan",
    "projects",
    "amount_yuan",
];

fn rank_in(list: &[&str], key: &str) -> u32 {
    list.iter().position(|k| *k == key).map_or(list.len() as u32 + 1, |i| i as u32 + 1)
}

fn at_t2(row: &str, col: Option<&str>) -> At {
    At {
        table: Some("proactive"),
        row: Some(row.to_string()),
        row_rank: rank_in(&T2_ROW_ORDER, row),
        column: col.map(str::to_string),
        col_rank: col.map_or(0, |c| rank_in(&T2_COL_ORDER, c)),
    }
}

fn at_legacy(index: usize, key: &str) -> At {
    At {
        table: Some("legacy_statistics"),
        row: Some(key.to_string()),
        row_rank: index as u32 + 1,
        column: Some("value".to_string()),
        col_rank: 1,
    }
}

fn at_section(key: Option<SectionKey>, doc_index: usize) -> At {
    At {
        table: Some("sections"),
        row: key.map(|k| k.name().to_string()),
        row_rank: key.map_or(SECTIONS.len() as u32 + 1 + doc_index as u32, |k| k as u32 + 1),
        column: None,
        col_rank: 0,
    }
}

fn at_meta(row: &str) -> At {
    At { table: Some("meta"), row: Some(row.to_string()), row_rank: 0, column: None, col_rank: 0 }
}

/// A table-3 label without its parenthetical note and, when very long, in its short variant
/// (「（二）部分公开」, 「1.逾期不补正」).
fn t3_label(r: RequestRow) -> String {
    let spec = template::t3_row(r);
    let label = match spec.label.find('（') {
        Some(i) if i > 0 => &spec.label[..i],
        _ => spec.label,
    };
    let label = if label.chars().count() > 20 { spec.variants.first().copied().unwrap_or(label) } else { label };
    format!("{}{}", spec.number, label)
}

fn t3_path(r: RequestRow) -> String {
    template::t3_row(r).path.to_string()
}

// ---------------------------------------------------------------------------------------------
// Table 3

/// How a table-3 row takes part in the checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum RowUse {
    /// Printed by the table's template: summed and required (cell.blank).
    Required,
    /// Not printed by the template but filled: summed, not required.
    Given,
    /// Neither: ignored.
    Skip,
}

/// Whether the table gives （六）其他处理 only as one row (sub-rows absent or all blank, total
/// filled), as 2019 tables and some 2021 ones (洪泽区 2023/2024) do.
fn other_total_only(t: &RequestTable) -> bool {
    OTHER_HANDLING_PARTS.iter().all(|r| t.row(*r).is_none_or(|c| !c.any_given()))
        && t.outcomes.other_handling.total.any_given()
}

fn row_use(t: &RequestTable, tpl: Template, r: RequestRow) -> RowUse {
    // A pre-2019 report has no table 3 of its own; read one as the 2019 layout.
    let tpl = if tpl == Template::Pre2019 { Template::V2019 } else { tpl };
    let Some(row) = t.row(r) else {
        // A 其他处理 sub-row the table does not have (not a row of blank cells).
        return RowUse::Skip;
    };
    let given = row.any_given();
    let subs_exist = OTHER_HANDLING_PARTS.iter().any(|s| t.row(*s).is_some());
    if other_total_only(t) || !subs_exist {
        // （六）其他处理 printed as one row: that row is the template's, its sub-rows are not.
        if OTHER_HANDLING_PARTS.contains(&r) {
            return RowUse::Skip;
        }
        if r == RequestRow::OtherHandlingTotal {
            return RowUse::Required;
        }
    }
    if template::t3_row(r).versions.includes(tpl) {
        RowUse::Required
    } else if given {
        RowUse::Given
    } else {
        RowUse::Skip
    }
}

/// （六）其他处理 in one column: the total row, else the sum of the three sub-rows when all are
/// given.
fn other_handling_value(t: &RequestTable, c: Column) -> Option<i128> {
    if let Some(v) = t.outcomes.other_handling.total.get(c) {
        return Some(i128::from(v));
    }
    let mut s = 0i128;
    for r in OTHER_HANDLING_PARTS {
        s += i128::from(t.row(r)?.get(c)?);
    }
    Some(s)
}

fn cell(t: &RequestTable, r: RequestRow, c: Column) -> Option<i64> {
    t.row(r).and_then(|row| row.get(c))
}

fn check_requests(t: &RequestTable, tpl: Template, sink: &mut Sink) {
    use RequestRow as R;
    // t3.balance, per column
    // The values, labels and messages of a finding are only built when there is one: a
    // consistent report (the usual case) is checked without formatting anything.
    let col_where =
        |c: Column| (format!("表三“{}”列", template::column_label(c)), format!("table 3, column {}", c.name()));
    for c in Column::ALL {
        let rows = [R::Received, R::CarriedOver, R::OutcomesTotal, R::CarriedForward];
        let cells: [(RequestRow, Option<i64>); 4] = rows.map(|r| (r, cell(t, r, c)));
        let vals = || -> Map<String, Value> { cells.iter().map(|(r, v)| (t3_path(*r), cell_value(*v))).collect() };
        let [Some(a), Some(b), Some(o), Some(f)] = [cells[0].1, cells[1].1, cells[2].1, cells[3].1] else {
            let blanks: Vec<(String, String)> =
                cells.iter().filter(|(_, v)| v.is_none()).map(|(r, _)| (t3_path(*r), t3_label(*r))).collect();
            let (zh_where, en_where) = col_where(c);
            sink.skipped(id::T3_BALANCE, at_t3(None, Some(c)), &blanks, vals(), &zh_where, &en_where);
            continue;
        };
        let left = sum(&[a, b]);
        let right = sum(&[o, f]);
        if left != right {
            let (zh_where, en_where) = col_where(c);
            let mut v = vals();
            v.insert("sum".into(), num(left));
            v.insert("expected".into(), num(right));
            v.insert("difference".into(), num(left - right));
            let zh = format!(
                "{zh_where}：{}({a})+{}({b})={left}，不等于{}({o})+{}({f})={right}（差{}）",
                template::t3_row(R::Received).full_label(),
                template::t3_row(R::CarriedOver).full_label(),
                template::t3_row(R::OutcomesTotal).full_label(),
                template::t3_row(R::CarriedForward).full_label(),
                left - right
            );
            let en = format!(
                "{en_where}: received ({a}) + carried_over ({b}) = {left}, but outcomes.total ({o}) + carried_forward ({f}) = {right} (difference {})",
                left - right
            );
            sink.violation(id::T3_BALANCE, at_t3(None, Some(c)), v, zh, en);
        }
    }

    // t3.outcome-sum, per column
    for c in Column::ALL {
        outcome_sum(t, c, sink);
    }

    // t3.other-sum, per column (only when the sub-rows are given)
    let sub_given = OTHER_HANDLING_PARTS.iter().any(|r| t.row(*r).is_some_and(Columns::any_given));
    if sub_given {
        for c in Column::ALL {
            let Some(total) = t.outcomes.other_handling.total.get(c) else {
                continue;
            };
            let cells: [(RequestRow, Option<i64>); 3] = OTHER_HANDLING_PARTS.map(|r| (r, cell(t, r, c)));
            let vals = || -> Map<String, Value> {
                let mut vals: Map<String, Value> = cells.iter().map(|(r, v)| (t3_path(*r), cell_value(*v))).collect();
                vals.insert(t3_path(R::OtherHandlingTotal), Value::from(total));
                vals
            };
            if cells.iter().any(|(_, v)| v.is_none()) {
                let blanks: Vec<(String, String)> =
                    cells.iter().filter(|(_, v)| v.is_none()).map(|(r, _)| (t3_path(*r), t3_label(*r))).collect();
                let (zh_where, en_where) = col_where(c);
                sink.skipped(
                    id::T3_OTHER_SUM,
                    at_t3(Some(R::OtherHandlingTotal), Some(c)),
                    &blanks,
                    vals(),
                    &zh_where,
                    &en_where,
                );
                continue;
            }
            let s: i128 = cells.iter().filter_map(|(_, v)| v.map(i128::from)).sum();
            if s != i128::from(total) {
                let (zh_where, en_where) = col_where(c);
                let mut vals = vals();
                vals.insert("sum".into(), num(s));
                vals.insert("expected".into(), Value::from(total));
                vals.insert("difference".into(), num(s - i128::from(total)));
                let terms: Vec<String> =
                    cells.iter().map(|(r, v)| format!("{}({})", t3_label(*r), v.unwrap_or_default())).collect();
                let zh = format!(
                    "{zh_where}：{}的子项{}={s}，不等于{}({total})",
                    RowGroup::OtherHandling.label(),
                    terms.join("+"),
                    RowGroup::OtherHandling.label()
                );
                let en =
                    format!("{en_where}: no_correction + fee_unpaid + other = {s}, but other_handling.total = {total}");
                sink.violation(id::T3_OTHER_SUM, at_t3(Some(R::OtherHandlingTotal), Some(c)), vals, zh, en);
            }
        }
    }

    // t3.column-sum, per row; cell.blank, per required row
    for spec in T3_ROWS {
        let r = spec.key;
        let usage = row_use(t, tpl, r);
        if usage == RowUse::Skip {
            continue;
        }
        let Some(row) = t.row(r) else { continue };
        let row_where = || (format!("表三“{}”行", t3_label(r)), format!("table 3, row {}", spec.path));
        let vals = || -> Map<String, Value> {
            Column::ALL.iter().map(|c| (c.name().to_string(), cell_value(row.get(*c)))).collect()
        };
        if Column::ALL.iter().all(|c| row.get(*c).is_some()) {
            let s: i128 = Column::PARTS.iter().filter_map(|c| row.get(*c)).map(i128::from).sum();
            let total = row.total.unwrap_or_default();
            if s != i128::from(total) {
                let (zh_where, en_where) = row_where();
                let mut vals = vals();
                vals.insert("sum".into(), num(s));
                vals.insert("expected".into(), Value::from(total));
                vals.insert("difference".into(), num(s - i128::from(total)));
                let terms: Vec<String> = Column::PARTS
                    .iter()
                    .map(|c| format!("{}({})", template::column_label(*c), row.get(*c).unwrap_or_default()))
                    .collect();
                let zh = format!(
                    "{zh_where}：{}={s}，不等于{}({total})（差{}）",
                    terms.join("+"),
                    template::column_label(Column::Total),
                    s - i128::from(total)
                );
                let en = format!(
                    "{en_where}: the six applicant columns add up to {s}, but total = {total} (difference {})",
                    s - i128::from(total)
                );
                sink.violation(id::T3_COLUMN_SUM, at_t3(Some(r), Some(Column::Total)), vals, zh, en);
            }
        } else {
            let blanks: Vec<(String, String)> = Column::ALL
                .iter()
                .filter(|c| row.get(**c).is_none())
                .map(|c| (format!("{}.{}", spec.path, c.name()), template::column_label(*c).to_string()))
                .collect();
            let (zh_where, en_where) = row_where();
            sink.skipped(id::T3_COLUMN_SUM, at_t3(Some(r), Some(Column::Total)), &blanks, vals(), &zh_where, &en_where);
            if usage == RowUse::Required {
                let cols: Vec<&str> = blanks.iter().map(|(_, l)| l.as_str()).collect();
                let names: Vec<Value> = Column::ALL
                    .iter()
                    .filter(|c| row.get(**c).is_none())
                    .map(|c| Value::String(c.name().to_string()))
                    .collect();
                let mut v = Map::new();
                v.insert("blank".into(), Value::Array(names.clone()));
                let zh = format!("{zh_where}：{}为空（模板要求填写；空白不等于0）", cols.join("、"));
                let en = format!(
                    "{en_where}: blank cells the template requires: {} (blank is not zero)",
                    names.iter().filter_map(Value::as_str).collect::<Vec<_>>().join(", ")
                );
                sink.push(id::CELL_BLANK, Severity::Info, at_t3(Some(r), None), v, zh, en);
            }
        }
    }
}

fn outcome_sum(t: &RequestTable, c: Column, sink: &mut Sink) {
    // The labels, values and messages are only built for a finding (see `check_requests`).
    let col_where = || (format!("表三“{}”列", template::column_label(c)), format!("table 3, column {}", c.name()));
    // The outcome leaves, with （六）其他处理 as its total (or the sum of its sub-rows).
    let leaves: [(RequestRow, Option<i128>); OUTCOME_LEAVES.len()] = OUTCOME_LEAVES.map(|r| {
        let v = if r == RequestRow::OtherHandlingTotal {
            other_handling_value(t, c)
        } else {
            cell(t, r, c).map(i128::from)
        };
        (r, v)
    });
    let total = cell(t, RequestRow::OutcomesTotal, c);
    // The summands grouped as the template prints them.
    let groups: [(&str, &[RequestRow]); 6] = [
        ("outcomes.granted", OutcomeGroup::Granted.rows()),
        ("outcomes.partially_granted", OutcomeGroup::PartiallyGranted.rows()),
        ("outcomes.withheld", OutcomeGroup::Withheld.rows()),
        ("outcomes.unable", OutcomeGroup::Unable.rows()),
        ("outcomes.not_processed", OutcomeGroup::NotProcessed.rows()),
        ("outcomes.other_handling", OutcomeGroup::OtherHandling.rows()),
    ];
    let group_label = |i: usize| match i {
        0 => t3_label(RequestRow::Granted),
        1 => t3_label(RequestRow::PartiallyGranted),
        2 => RowGroup::Withheld.label().to_string(),
        3 => RowGroup::Unable.label().to_string(),
        4 => RowGroup::NotProcessed.label().to_string(),
        _ => RowGroup::OtherHandling.label().to_string(),
    };
    let group_sum = |rows: &[RequestRow]| -> Option<i128> {
        let mut s = 0i128;
        for r in rows {
            s += leaves.iter().find(|(k, _)| k == r).and_then(|(_, v)| *v)?;
        }
        Some(s)
    };
    let vals = || {
        let mut vals = Map::new();
        for (path, rows) in &groups {
            vals.insert((*path).to_string(), group_sum(rows).map_or(Value::Null, num));
        }
        vals.insert(t3_path(RequestRow::OutcomesTotal), cell_value(total));
        vals
    };
    let any_blank = total.is_none() || leaves.iter().any(|(_, v)| v.is_none());
    let Some(total) = total.filter(|_| !any_blank) else {
        let mut blanks: Vec<(String, String)> = leaves
            .iter()
            .filter(|(_, v)| v.is_none())
            .map(|(r, _)| {
                let label = if *r == RequestRow::OtherHandlingTotal {
                    RowGroup::OtherHandling.label().to_string()
                } else {
                    t3_label(*r)
                };
                (t3_path(*r), label)
            })
            .collect();
        if total.is_none() {
            blanks.push((t3_path(RequestRow::OutcomesTotal), t3_label(RequestRow::OutcomesTotal)));
        }
        let (zh_where, en_where) = col_where();
        sink.skipped(
            id::T3_OUTCOME_SUM,
            at_t3(Some(RequestRow::OutcomesTotal), Some(c)),
            &blanks,
            vals(),
            &zh_where,
            &en_where,
        );
        return;
    };
    let s: i128 = leaves.iter().filter_map(|(_, v)| *v).sum();
    if s != i128::from(total) {
        let (zh_where, en_where) = col_where();
        let mut vals = vals();
        vals.insert("sum".into(), num(s));
        vals.insert("expected".into(), Value::from(total));
        vals.insert("difference".into(), num(s - i128::from(total)));
        let terms: Vec<String> = groups
            .iter()
            .enumerate()
            .map(|(i, (_, rows))| format!("{}({})", group_label(i), group_sum(rows).unwrap_or_default()))
            .collect();
        let zh = format!(
            "{zh_where}：{}={s}，不等于{}({total})（差{}）",
            terms.join("+"),
            template::t3_row(RequestRow::OutcomesTotal).full_label(),
            s - i128::from(total)
        );
        let en = format!(
            "{en_where}: the outcome rows add up to {s}, but outcomes.total = {total} (difference {})",
            s - i128::from(total)
        );
        sink.violation(id::T3_OUTCOME_SUM, at_t3(Some(RequestRow::OutcomesTotal), Some(c)), vals, zh, en);
    }
}

fn check_year_carry(t: &RequestTable, prev: &RequestTable, sink: &mut Sink) {
    let over = template::t3_row(RequestRow::CarriedOver).full_label();
    let forward = template::t3_row(RequestRow::CarriedForward).full_label();
    for c in Column::ALL {
        let col = template::column_label(c);
        let this = t.carried_over.get(c);
        let last = prev.carried_forward.get(c);
        let vals = values(&[("carried_over", cell_value(this)), ("previous.carried_forward", cell_value(last))]);
        let zh_where = format!("表三“{col}”列");
        let en_where = format!("table 3, column {}", c.name());
        match (this, last) {
            (Some(a), Some(b)) if a != b => {
                let zh = format!("{zh_where}：本年“{over}”为{a}，上年报告“{forward}”为{b}，两者应相等");
                let en = format!("{en_where}: carried_over is {a}, but last year's carried_forward is {b}");
                sink.violation(id::YEAR_CARRY, at_t3(Some(RequestRow::CarriedOver), Some(c)), vals, zh, en);
            }
            (Some(_), Some(_)) => {}
            _ => {
                let mut blanks = Vec::new();
                if this.is_none() {
                    blanks.push((format!("carried_over.{}", c.name()), format!("本年“{over}”")));
                }
                if last.is_none() {
                    blanks.push((format!("previous.carried_forward.{}", c.name()), format!("上年“{forward}”")));
                }
                sink.skipped(
                    id::YEAR_CARRY,
                    at_t3(Some(RequestRow::CarriedOver), Some(c)),
                    &blanks,
                    vals,
                    &zh_where,
                    &en_where,
                );
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Table 4

fn check_review(t4: &ReviewLitigation, sink: &mut Sink) {
    for spec in template::T4_GROUPS {
        let g = spec.key;
        let grp = t4.group(g);
        // Labels, values and messages only for a finding (see `check_requests`).
        let group_where = || (format!("表四“{}”", spec.label), format!("table 4, group {}", g.name()));
        let vals = || -> Map<String, Value> {
            CaseResult::ALL.iter().map(|r| (r.name().to_string(), cell_value(grp.get(*r)))).collect()
        };
        if CaseResult::ALL.iter().all(|r| grp.get(*r).is_some()) {
            let s: i128 = CaseResult::ALL[..4].iter().filter_map(|r| grp.get(*r)).map(i128::from).sum();
            let total = grp.total.unwrap_or_default();
            if s != i128::from(total) {
                let (zh_where, en_where) = group_where();
                let mut vals = vals();
                vals.insert("sum".into(), num(s));
                vals.insert("expected".into(), Value::from(total));
                vals.insert("difference".into(), num(s - i128::from(total)));
                let terms: Vec<String> = template::T4_RESULTS[..4]
                    .iter()
                    .map(|r| format!("{}({})", r.label, grp.get(r.key).unwrap_or_default()))
                    .collect();
                let zh = format!(
                    "{zh_where}：{}={s}，不等于{}({total})（差{}）",
                    terms.join("+"),
                    template::result_label(CaseResult::Total),
                    s - i128::from(total)
                );
                let en = format!(
                    "{en_where}: upheld + corrected + other + pending = {s}, but total = {total} (difference {})",
                    s - i128::from(total)
                );
                sink.violation(id::T4_GROUP_SUM, at_t4(Some(g), Some(CaseResult::Total)), vals, zh, en);
            }
        } else {
            let blank_results: Vec<CaseResult> =
                CaseResult::ALL.into_iter().filter(|r| grp.get(*r).is_none()).collect();
            let blanks: Vec<(String, String)> = blank_results
                .iter()
                .map(|r| (format!("{}.{}", g.name(), r.name()), template::result_label(*r).to_string()))
                .collect();
            let (zh_where, en_where) = group_where();
            sink.skipped(
                id::T4_GROUP_SUM,
                at_t4(Some(g), Some(CaseResult::Total)),
                &blanks,
                vals(),
                &zh_where,
                &en_where,
            );
            let labels: Vec<&str> = blanks.iter().map(|(_, l)| l.as_str()).collect();
            let names: Vec<Value> = blank_results.iter().map(|r| Value::String(r.name().to_string())).collect();
            let zh = format!("{zh_where}：{}为空（模板要求填写；空白不等于0）", labels.join("、"));
            let en = format!(
                "{en_where}: blank cells the template requires: {} (blank is not zero)",
                blank_results.iter().map(|r| r.name()).collect::<Vec<_>>().join(", ")
            );
            let mut v = Map::new();
            v.insert("blank".into(), Value::Array(names));
            sink.push(id::CELL_BLANK, Severity::Info, at_t4(Some(g), None), v, zh, en);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Table 2

/// The cells of one table-2 row as given: (column key, value if a count, blank?). `None` when
/// the block is absent.
fn t2_cells(p: &Proactive, key: &str) -> Option<Vec<(&'static str, Option<i64>, bool)>> {
    let count = |k: &'static str, v: Option<i64>| (k, v, v.is_none());
    let doc = |d: &DocumentCounts| match d {
        DocumentCounts::V2021 { issued, repealed, in_force } => {
            vec![count("issued", *issued), count("repealed", *repealed), count("in_force", *in_force)]
        }
        DocumentCounts::V2019 { made, published, published_total } => {
            vec![count("made", *made), count("published", *published), count("published_total", *published_total)]
        }
    };
    let item = |i: &ItemCounts| match i {
        ItemCounts::V2021 { decisions } => vec![count("decisions", *decisions)],
        ItemCounts::V2019 { previous_items, change, decisions } => {
            vec![count("previous_items", *previous_items), count("change", *change), count("decisions", *decisions)]
        }
    };
    match key {
        "rules" => p.rules.as_ref().map(doc),
        "normative_documents" => p.normative_documents.as_ref().map(doc),
        "licensing" => p.licensing.as_ref().map(item),
        "other_services" => p.other_services.as_ref().map(item),
        "penalties" => p.penalties.as_ref().map(item),
        "coercive_measures" => p.coercive_measures.as_ref().map(item),
        "administrative_fees" => p.administrative_fees.as_ref().map(|f| match f {
            AdministrativeFees::V2021 { amount_wan_yuan } => {
                vec![("amount_wan_yuan", None, amount_wan_yuan.is_none())]
            }
            AdministrativeFees::V2019 { previous_items, change } => {
                vec![count("previous_items", *previous_items), count("change", *change)]
            }
        }),
        "centralized_procurement" => p
            .centralized_procurement
            .as_ref()
            .map(|c| vec![count("projects", c.projects), ("amount_yuan", None, c.amount_yuan.is_none())]),
        _ => None,
    }
}

/// The printed label of a table-2 row (the block of `tpl` first).
fn t2_row_label(tpl: Template, key: &str) -> &'static str {
    template::t2_blocks(tpl)
        .iter()
        .chain(template::T2_2021.iter())
        .chain(template::T2_2019.iter())
        .flat_map(|b| b.rows.iter())
        .find(|r| r.key == key)
        .map_or("", |r| r.label)
}

/// The printed label of a table-2 column of a row (the block of `tpl` first).
fn t2_col_label(tpl: Template, row: &str, col: &str) -> &'static str {
    template::t2_blocks(tpl)
        .iter()
        .chain(template::T2_2021.iter())
        .chain(template::T2_2019.iter())
        .filter(|b| b.rows.iter().any(|r| r.key == row))
        .flat_map(|b| b.columns.iter())
        .find(|c| c.key == col)
        .map_or("", |c| c.label)
}

fn check_proactive(p: &Proactive, tpl: Template, sink: &mut Sink) {
    // t2.change: 2019 blocks
    type Change = Option<(Option<i64>, Option<i64>)>;
    let changes: [(&str, Change); 5] = {
        let item = |i: &Option<ItemCounts>| match i {
            Some(ItemCounts::V2019 { previous_items, change, .. }) => Some((*previous_items, *change)),
            _ => None,
        };
        let fees = match &p.administrative_fees {
            Some(AdministrativeFees::V2019 { previous_items, change }) => Some((*previous_items, *change)),
            _ => None,
        };
        [
            ("licensing", item(&p.licensing)),
            ("other_services", item(&p.other_services)),
            ("penalties", item(&p.penalties)),
            ("coercive_measures", item(&p.coercive_measures)),
            ("administrative_fees", fees),
        ]
    };
    for (key, pair) in changes {
        let Some((prev, change)) = pair else { continue };
        let row = t2_row_label(Template::V2019, key);
        let prev_label = t2_col_label(Template::V2019, key, "previous_items");
        let change_label = t2_col_label(Template::V2019, key, "change");
        let zh_where = format!("表二“{row}”");
        let en_where = format!("table 2, row {key}");
        let vals = values(&[("previous_items", cell_value(prev)), ("change", cell_value(change))]);
        match (prev, change) {
            (Some(a), Some(b)) => {
                let s = sum(&[a, b]);
                if s < 0 {
                    let mut v = vals;
                    v.insert("sum".into(), num(s));
                    let zh = format!("{zh_where}：{prev_label}({a})+{change_label}({b})={s}，小于0");
                    let en = format!("{en_where}: previous_items ({a}) + change ({b}) = {s}, below zero");
                    sink.violation(id::T2_CHANGE, at_t2(key, Some("change")), v, zh, en);
                }
            }
            _ => {
                let mut blanks = Vec::new();
                if prev.is_none() {
                    blanks.push((format!("{key}.previous_items"), prev_label.to_string()));
                }
                if change.is_none() {
                    blanks.push((format!("{key}.change"), change_label.to_string()));
                }
                sink.skipped(id::T2_CHANGE, at_t2(key, Some("change")), &blanks, vals, &zh_where, &en_where);
            }
        }
    }

    // cell.blank: the rows of the table's template
    for block in template::t2_blocks(tpl) {
        for row in block.rows {
            let blank_cols: Vec<(&str, &str)> = match t2_cells(p, row.key) {
                None => block.columns.iter().map(|c| (c.key, c.label)).collect(),
                Some(cells) => cells
                    .iter()
                    .filter(|(_, _, blank)| *blank)
                    .map(|(k, _, _)| (*k, t2_col_label(tpl, row.key, k)))
                    .collect(),
            };
            if blank_cols.is_empty() {
                continue;
            }
            let labels: Vec<&str> = blank_cols.iter().map(|(_, l)| *l).collect();
            let names: Vec<Value> = blank_cols.iter().map(|(k, _)| Value::String((*k).to_string())).collect();
            let mut v = Map::new();
            v.insert("blank".into(), Value::Array(names));
            let zh = format!("表二“{}”：{}为空（模板要求填写；空白不等于0）", row.label, labels.join("、"));
            let en = format!(
                "table 2, row {}: blank cells the template requires: {} (blank is not zero)",
                row.key,
                blank_cols.iter().map(|(k, _)| *k).collect::<Vec<_>>().join(", ")
            );
            sink.push(id::CELL_BLANK, Severity::Info, at_t2(row.key, None), v, zh, en);
        }
    }
}

fn check_year_in_force(p: &Proactive, prev: &Proactive, sink: &mut Sink) {
    for (key, this, last) in
        [("rules", &p.rules, &prev.rules), ("normative_documents", &p.normative_documents, &prev.normative_documents)]
    {
        let (
            Some(DocumentCounts::V2021 { issued, repealed, in_force }),
            Some(DocumentCounts::V2021 { in_force: last_in_force, .. }),
        ) = (this, last)
        else {
            continue;
        };
        let row = t2_row_label(Template::V2021, key);
        let l_issued = t2_col_label(Template::V2021, key, "issued");
        let l_repealed = t2_col_label(Template::V2021, key, "repealed");
        let l_in_force = t2_col_label(Template::V2021, key, "in_force");
        let zh_where = format!("表二“{row}”");
        let en_where = format!("table 2, row {key}");
        let vals = values(&[
            ("previous.in_force", cell_value(*last_in_force)),
            ("issued", cell_value(*issued)),
            ("repealed", cell_value(*repealed)),
            ("in_force", cell_value(*in_force)),
        ]);
        match (last_in_force, issued, repealed, in_force) {
            (Some(l), Some(i), Some(r), Some(f)) => {
                let expected = i128::from(*l) + i128::from(*i) - i128::from(*r);
                if expected != i128::from(*f) {
                    let mut v = vals;
                    v.insert("expected".into(), num(expected));
                    v.insert("difference".into(), num(i128::from(*f) - expected));
                    let zh = format!(
                        "{zh_where}：上年{l_in_force}({l})+{l_issued}({i})−{l_repealed}({r})={expected}，与本年{l_in_force}({f})不一致。此为近似核对：文件失效、清理或统计口径变化也会造成差异，模板未规定此关系"
                    );
                    let en = format!(
                        "{en_where}: last year's in_force ({l}) + issued ({i}) − repealed ({r}) = {expected}, but in_force = {f}. Approximate check: expiry, clean-ups or a changed basis also explain a difference; the template does not state this rule"
                    );
                    sink.violation(id::YEAR_IN_FORCE, at_t2(key, Some("in_force")), v, zh, en);
                }
            }
            _ => {
                let mut blanks = Vec::new();
                if last_in_force.is_none() {
                    blanks.push((format!("previous.{key}.in_force"), format!("上年{l_in_force}")));
                }
                for (v, k, l) in [
                    (issued, "issued", l_issued),
                    (repealed, "repealed", l_repealed),
                    (in_force, "in_force", l_in_force),
                ] {
                    if v.is_none() {
                        blanks.push((format!("{key}.{k}"), l.to_string()));
                    }
                }
                sink.skipped(id::YEAR_IN_FORCE, at_t2(key, Some("in_force")), &blanks, vals, &zh_where, &en_where);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Pre-2019 statistics

fn legacy_label(key: &str) -> &'static str {
    template::LEGACY_ROWS.iter().find(|r| r.key == key).map_or("", |r| r.label)
}

/// A statistic's value as an integer count (`None` when blank or not a whole number).
fn legacy_count(s: &crate::report::LegacyStatistic) -> Option<i128> {
    s.value.as_ref().and_then(|a| a.to_scaled(0))
}

/// The channel statistics: (index, key, count).
fn legacy_channels(stats: &[crate::report::LegacyStatistic]) -> Vec<(usize, &str, Option<i128>)> {
    stats
        .iter()
        .enumerate()
        .filter_map(|(i, s)| {
            let k = s.key.as_deref()?;
            template::LEGACY_CHANNELS.contains(&k).then(|| (i, k, legacy_count(s)))
        })
        .collect()
}

/// `legacy.channel-sum`: the largest channel ≤ 主动公开政府信息数 ≤ the sum of the channels (the
/// same item on several channels counts once). Only for statistics whose rows the importer
/// recognised (`key` = `proactive_total` and channel keys of [`template::LEGACY_CHANNELS`]);
/// without either there is nothing to check and nothing is said. A blank channel skips the
/// upper bound (info); the lower bound is checked with the channels given.
fn check_channel_sum(stats: &[crate::report::LegacyStatistic], sink: &mut Sink) {
    const TOTAL: &str = "proactive_total";
    let Some(ti) = stats.iter().position(|s| s.key.as_deref() == Some(TOTAL)) else {
        return;
    };
    let channels = legacy_channels(stats);
    if channels.is_empty() {
        return;
    }
    let total_label = legacy_label(TOTAL);
    let zh_where = format!("统计表“{total_label}”");
    let en_where = format!("legacy statistics, {TOTAL}");
    let mut vals: Map<String, Value> = Map::new();
    let total = stats.get(ti).and_then(legacy_count);
    vals.insert(TOTAL.into(), total.map_or(Value::Null, num));
    for (_, k, v) in &channels {
        vals.insert((*k).to_string(), v.map_or(Value::Null, num));
    }
    let blanks: Vec<(String, String)> = channels
        .iter()
        .filter(|(_, _, v)| v.is_none())
        .map(|(_, k, _)| ((*k).to_string(), legacy_label(k).to_string()))
        .collect();
    let Some(total) = total else {
        let mut b = vec![(TOTAL.to_string(), total_label.to_string())];
        b.extend(blanks);
        sink.skipped(id::LEGACY_CHANNEL_SUM, at_legacy(ti, TOTAL), &b, vals, &zh_where, &en_where);
        return;
    };
    let given: Vec<(&str, i128)> = channels.iter().filter_map(|(_, k, v)| v.map(|v| (*k, v))).collect();
    // Lower bound: the largest channel (checkable with any channel given).
    if let Some((max_key, max)) = given.iter().max_by_key(|(_, v)| *v).copied() {
        if total < max {
            let mut v = vals.clone();
            v.insert("expected_min".into(), num(max));
            let zh = format!(
                "{zh_where}({total})小于“{}”({max})；同一信息多渠道公开只计1条，总数不应小于任一渠道",
                legacy_label(max_key)
            );
            let en = format!("{en_where} ({total}) is below the largest channel, {max_key} ({max})");
            sink.violation(id::LEGACY_CHANNEL_SUM, at_legacy(ti, TOTAL), v, zh, en);
        }
    }
    // Upper bound: the sum of the channels (only when every channel is given).
    if blanks.is_empty() {
        let s: i128 = given.iter().map(|(_, v)| *v).sum();
        if total > s {
            let mut v = vals;
            v.insert("sum".into(), num(s));
            let zh = format!("{zh_where}({total})大于各渠道公开数之和({s})");
            let en = format!("{en_where} ({total}) exceeds the sum of the channels ({s})");
            sink.violation(id::LEGACY_CHANNEL_SUM, at_legacy(ti, TOTAL), v, zh, en);
        }
    } else {
        sink.skipped(id::LEGACY_CHANNEL_SUM, at_legacy(ti, TOTAL), &blanks, vals, &zh_where, &en_where);
    }
}

// ---------------------------------------------------------------------------------------------
// text.figure

/// A table-3 row's 总计, or — when 总计 is blank — the sum of its given applicant cells (the
/// blank ones are recorded in `zeroed`, counted as 0). `None` when the whole row is blank.
fn t3_row_total(t: &RequestTable, r: RequestRow, zeroed: &mut Vec<String>) -> Option<i128> {
    let row = t.row(r)?;
    if let Some(v) = row.total {
        return Some(i128::from(v));
    }
    if !row.any_given() {
        return None;
    }
    let path = t3_path(r);
    let mut s = 0i128;
    for c in Column::PARTS {
        match row.get(c) {
            Some(v) => s += i128::from(v),
            None => zeroed.push(format!("{path}.{}", c.name())),
        }
    }
    zeroed.push(format!("{path}.total"));
    Some(s)
}

/// The sum of several rows' totals (see [`t3_row_total`]); blank rows count 0 and are recorded.
fn t3_rows_total(t: &RequestTable, rows: &[RequestRow], zeroed: &mut Vec<String>) -> Option<i128> {
    let mut s = 0i128;
    let mut any = false;
    for r in rows {
        match t3_row_total(t, *r, zeroed) {
            Some(v) => {
                s += v;
                any = true;
            }
            None => zeroed.push(t3_path(*r)),
        }
    }
    any.then_some(s)
}

/// A table-4 group's 总计, or the sum of its given results when 总计 is blank.
fn t4_group_total(g: &CaseResults, name: &str, zeroed: &mut Vec<String>) -> Option<i128> {
    if let Some(v) = g.total {
        return Some(i128::from(v));
    }
    if !g.any_given() {
        return None;
    }
    let mut s = 0i128;
    for r in &CaseResult::ALL[..4] {
        match g.get(*r) {
            Some(v) => s += i128::from(v),
            None => zeroed.push(format!("{name}.{}", r.name())),
        }
    }
    zeroed.push(format!("{name}.total"));
    Some(s)
}

/// Adds two optional counts; blank on one side counts 0 (recorded), both blank is `None`.
fn add_lenient(a: Option<i128>, an: &str, b: Option<i128>, bn: &str, zeroed: &mut Vec<String>) -> Option<i128> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x + y),
        (Some(x), None) => {
            zeroed.push(bn.to_string());
            Some(x)
        }
        (None, Some(y)) => {
            zeroed.push(an.to_string());
            Some(y)
        }
        (None, None) => None,
    }
}

/// A section with its position in the document.
struct Src<'a> {
    section: &'a crate::report::Section,
    index: usize,
}

impl std::ops::Deref for Src<'_> {
    type Target = crate::report::Section;
    fn deref(&self) -> &Self::Target {
        self.section
    }
}

/// What a prose figure is compared with.
struct Target {
    at: At,
    /// The cell named in Chinese (「表三“一、本年新收…”总计」).
    zh: String,
    /// The cell named in English.
    en: String,
    value: Option<i128>,
    zeroed: Vec<String>,
}

fn figure_values(fig: &Figure, section: &Src<'_>, prose: i128) -> Map<String, Value> {
    let mut v = Map::new();
    v.insert("quote".into(), Value::String(fig.quote.clone()));
    v.insert("section".into(), section.key.map_or(Value::Null, |k| Value::String(k.name().to_string())));
    v.insert("section_title".into(), Value::String(section.title.clone()));
    v.insert("prose".into(), num(prose));
    v
}

fn compare_figure(fig: &Figure, section: &Src<'_>, prose: i128, target: Target, sink: &mut Sink) {
    let mut vals = figure_values(fig, section, prose);
    let title = section.title.trim();
    let Some(table) = target.value else {
        vals.insert("table".into(), Value::Null);
        let zh = format!("“{title}”中“{}”的数字({prose})无法核对：{}为空", fig.quote, target.zh);
        let en =
            format!("section “{title}”: the figure {prose} in “{}” not checked: {} is blank", fig.quote, target.en);
        sink.push(id::TEXT_FIGURE, Severity::Info, target.at, vals, zh, en);
        return;
    };
    if table == prose {
        return;
    }
    vals.insert("table".into(), num(table));
    let (zh_note, en_note) = if target.zeroed.is_empty() {
        (String::new(), String::new())
    } else {
        vals.insert(
            "blank_as_zero".into(),
            Value::Array(target.zeroed.iter().map(|s| Value::String(s.clone())).collect()),
        );
        // The full list is in `values.blank_as_zero`; the message only counts them.
        let n = target.zeroed.len();
        (format!("（表中{n}个空白单元格按0计）"), format!(" ({n} blank cells counted as 0)"))
    };
    let zh = format!("“{title}”中“{}”为{prose}，与{}({table})不一致{zh_note}", fig.quote, target.zh);
    let en = format!("section “{title}”: “{}” says {prose}, but {} is {table}{en_note}", fig.quote, target.en);
    sink.violation(id::TEXT_FIGURE, target.at, vals, zh, en);
}

fn request_target(t: &RequestTable, kind: FigureKind) -> Option<Target> {
    let mut zeroed = Vec::new();
    let single = |r: RequestRow, zeroed: &mut Vec<String>| Target {
        at: at_t3(Some(r), Some(Column::Total)),
        zh: format!("表三“{}”{}", template::t3_row(r).full_label(), template::column_label(Column::Total)),
        en: format!("table 3 {}.total", t3_path(r)),
        value: t3_row_total(t, r, zeroed),
        zeroed: Vec::new(),
    };
    let mut target = match kind {
        FigureKind::Received => single(RequestRow::Received, &mut zeroed),
        FigureKind::Answered => single(RequestRow::OutcomesTotal, &mut zeroed),
        FigureKind::CarriedOver => single(RequestRow::CarriedOver, &mut zeroed),
        FigureKind::CarriedForward => single(RequestRow::CarriedForward, &mut zeroed),
        FigureKind::Outcome(g) => {
            let rows: &[RequestRow] =
                if g == OutcomeGroup::OtherHandling && !t.outcomes.other_handling.total.any_given() {
                    &OTHER_HANDLING_PARTS
                } else {
                    g.rows()
                };
            let first = rows.first().copied().unwrap_or(RequestRow::OutcomesTotal);
            let mut at = at_t3(Some(first), Some(Column::Total));
            at.row = Some(format!("outcomes.{}", g.name()));
            Target {
                at,
                zh: format!("表三“{}”{}", g.label(), template::column_label(Column::Total)),
                en: format!("table 3 outcomes.{}.total", g.name()),
                value: t3_rows_total(t, rows, &mut zeroed),
                zeroed: Vec::new(),
            }
        }
        _ => return None,
    };
    target.zeroed = zeroed;
    Some(target)
}

/// Table 4's 结果纠正 of the groups a 「被纠正」 figure speaks of (blank cells of a sum counted
/// as 0 and named, as for the other case figures).
fn corrected_target(t4: &ReviewLitigation, scope: CaseScope) -> Target {
    let r = CaseResult::Corrected;
    let label = |g: CaseGroup| format!("“{}”", template::group_label(g));
    let mut zeroed = Vec::new();
    let review = t4.review.get(r).map(i128::from);
    let direct = t4.litigation_direct.get(r).map(i128::from);
    let after = t4.litigation_after_review.get(r).map(i128::from);
    let litigation = |zeroed: &mut Vec<String>| {
        add_lenient(direct, "litigation_direct.corrected", after, "litigation_after_review.corrected", zeroed)
    };
    let (group, zh_groups, en_groups, value) = match scope {
        CaseScope::Review => (Some(CaseGroup::Review), label(CaseGroup::Review), "review", review),
        CaseScope::Litigation => (
            None,
            format!("{}+{}", label(CaseGroup::LitigationDirect), label(CaseGroup::LitigationAfterReview)),
            "litigation_direct + litigation_after_review",
            litigation(&mut zeroed),
        ),
        CaseScope::Both => {
            let l = litigation(&mut zeroed);
            (
                Some(CaseGroup::Review),
                format!(
                    "{}+{}+{}",
                    label(CaseGroup::Review),
                    label(CaseGroup::LitigationDirect),
                    label(CaseGroup::LitigationAfterReview)
                ),
                "review + litigation_direct + litigation_after_review",
                add_lenient(review, "review.corrected", l, "litigation.corrected", &mut zeroed),
            )
        }
    };
    let mut at = at_t4(group, Some(r));
    if group.is_none() {
        at.row_rank = CaseGroup::LitigationDirect as u32 + 1;
    }
    Target {
        at,
        zh: format!("表四{zh_groups}{}", template::result_label(r)),
        en: format!("table 4 {en_groups} corrected"),
        value,
        zeroed,
    }
}

fn check_case_figure(fig: &Figure, section: &Src<'_>, t4: &ReviewLitigation, sink: &mut Sink) {
    let prose = i128::from(fig.value);
    let review = fig.kind == FigureKind::Review;
    let (group, zh_name, en_name) = if review {
        (
            Some(CaseGroup::Review),
            format!("表四“{}”", template::group_label(CaseGroup::Review)),
            "table 4 review".to_string(),
        )
    } else {
        (
            None,
            format!(
                "表四“{}”+“{}”",
                template::group_label(CaseGroup::LitigationDirect),
                template::group_label(CaseGroup::LitigationAfterReview)
            ),
            "table 4 litigation_direct + litigation_after_review".to_string(),
        )
    };
    // One result (or 总计) of the review group, or of both litigation groups together.
    let value = |r: CaseResult, zeroed: &mut Vec<String>| -> Option<i128> {
        if review {
            if r == CaseResult::Total {
                t4_group_total(&t4.review, "review", zeroed)
            } else {
                t4.review.get(r).map(i128::from)
            }
        } else if r == CaseResult::Total {
            let mut z = Vec::new();
            let a = t4_group_total(&t4.litigation_direct, "litigation_direct", &mut z);
            let b = t4_group_total(&t4.litigation_after_review, "litigation_after_review", &mut z);
            zeroed.extend(z);
            add_lenient(a, "litigation_direct.total", b, "litigation_after_review.total", zeroed)
        } else {
            let a = t4.litigation_direct.get(r).map(i128::from);
            let b = t4.litigation_after_review.get(r).map(i128::from);
            add_lenient(
                a,
                &format!("litigation_direct.{}", r.name()),
                b,
                &format!("litigation_after_review.{}", r.name()),
                zeroed,
            )
        }
    };
    let target = |r: CaseResult| {
        let mut zeroed = Vec::new();
        let v = value(r, &mut zeroed);
        let mut at = at_t4(group, Some(r));
        if group.is_none() {
            // Both litigation groups: sort after 行政复议.
            at.row_rank = CaseGroup::LitigationDirect as u32 + 1;
        }
        Target {
            at,
            zh: format!("{zh_name}{}", template::result_label(r)),
            en: format!("{en_name} {}", r.name()),
            value: v,
            zeroed,
        }
    };
    compare_figure(fig, section, prose, target(CaseResult::Total), sink);
    for part in &fig.parts {
        if let Some(r) = part.result {
            compare_figure(fig, section, i128::from(part.value), target(r), sink);
        }
    }
    // 「其中」 parts covering every result must add up to the total the prose gives.
    let covered = CaseResult::ALL[..4].iter().all(|r| fig.parts.iter().any(|p| p.result == Some(*r)));
    if covered {
        let s: i128 = fig.parts.iter().map(|p| i128::from(p.value)).sum();
        if s != prose {
            parts_mismatch(fig, section, prose, s, sink);
        }
    }
    // 「均获维持」: every case upheld.
    if fig.all_upheld {
        let t = target(CaseResult::Upheld);
        if let Some(upheld) = t.value {
            if upheld != prose {
                let mut vals = figure_values(fig, section, prose);
                vals.insert("table".into(), num(upheld));
                vals.insert("claim".into(), Value::String("all_upheld".into()));
                let title = section.title.trim();
                let zh = format!("“{title}”称“{}”均获维持，但{}为{upheld}，不是{prose}", fig.quote, t.zh);
                let en =
                    format!("section “{title}”: “{}”: all upheld, but {} is {upheld}, not {prose}", fig.quote, t.en);
                sink.violation(id::TEXT_FIGURE, t.at, vals, zh, en);
            }
        }
    }
}

fn parts_mismatch(fig: &Figure, section: &Src<'_>, prose: i128, s: i128, sink: &mut Sink) {
    let mut vals = figure_values(fig, section, prose);
    vals.insert(
        "parts".into(),
        Value::Array(
            fig.parts
                .iter()
                .map(|p| {
                    let mut m = Map::new();
                    m.insert("label".into(), Value::String(p.label.clone()));
                    m.insert("value".into(), Value::from(p.value));
                    Value::Object(m)
                })
                .collect(),
        ),
    );
    vals.insert("sum".into(), num(s));
    vals.insert("expected".into(), num(prose));
    let title = section.title.trim();
    let terms: Vec<String> = fig.parts.iter().map(|p| format!("{}({})", p.label, p.value)).collect();
    let zh = format!("“{title}”：总数{prose}与文中所列分项之和不一致：{}={s}", terms.join("+"));
    let en = format!("section “{title}”: the total {prose} differs from the sum of the parts the text lists ({s})");
    sink.violation(id::TEXT_FIGURE, at_section(section.key, section.index), vals, zh, en);
}

fn check_proactive_figure(fig: &Figure, section: &Src<'_>, report: &Report, sink: &mut Sink) {
    let prose = i128::from(fig.value);
    // The parts the prose lists: only an exhaustive list (with a 「其他」 bucket) must add up; a
    // list that exceeds the total is wrong either way, unless its parts are channels (overlap).
    if fig.parts.len() >= 2 && !fig.parts_channels {
        let s: i128 = fig.parts.iter().map(|p| i128::from(p.value)).sum();
        if s != prose && (fig.parts_exhaustive || s > prose) {
            parts_mismatch(fig, section, prose, s, sink);
        }
    }
    if !fig.plain {
        return;
    }
    let Some(stats) = &report.legacy_statistics else {
        return;
    };
    const TOTAL: &str = "proactive_total";
    if let Some(ti) = stats.iter().position(|s| s.key.as_deref() == Some(TOTAL)) {
        let value = stats.get(ti).and_then(legacy_count);
        let target = Target {
            at: at_legacy(ti, TOTAL),
            zh: format!("统计表“{}”", legacy_label(TOTAL)),
            en: format!("legacy statistics {TOTAL}"),
            value,
            zeroed: Vec::new(),
        };
        compare_figure(fig, section, prose, target, sink);
        return;
    }
    // No total in the table: the channels bound it (same item on several channels counts once).
    let channels = legacy_channels(stats);
    let Some((ci, _, _)) = channels.first().copied() else {
        return;
    };
    let given: Vec<(&str, i128)> = channels.iter().filter_map(|(_, k, v)| v.map(|v| (*k, v))).collect();
    let all_given = given.len() == channels.len();
    let max = given.iter().map(|(_, v)| *v).max();
    let s: i128 = given.iter().map(|(_, v)| *v).sum();
    let too_small = max.is_some_and(|m| prose < m);
    let too_big = all_given && !given.is_empty() && prose > s;
    if too_small || too_big {
        let mut vals = figure_values(fig, section, prose);
        for (k, v) in &given {
            vals.insert((*k).to_string(), num(*v));
        }
        vals.insert("expected_min".into(), max.map_or(Value::Null, num));
        vals.insert("expected_max".into(), if all_given { num(s) } else { Value::Null });
        let title = section.title.trim();
        let bound = if all_given {
            format!("{}–{s}", max.unwrap_or_default())
        } else {
            format!("≥{}", max.unwrap_or_default())
        };
        let zh = format!("“{title}”中“{}”为{prose}，与统计表各渠道公开数不符（应在{bound}之间）", fig.quote);
        let en = format!(
            "section “{title}”: “{}” says {prose}, outside the range the channel counts allow ({bound})",
            fig.quote
        );
        let key = channels.first().map_or("", |(_, k, _)| *k);
        sink.violation(id::TEXT_FIGURE, at_legacy(ci, key), vals, zh, en);
    }
}

fn check_text(report: &Report, sink: &mut Sink) {
    for (index, section) in report.sections.iter().enumerate() {
        let section = &Src { section, index };
        let figures = text_figure::extract(&section.text);
        let section_context = matches!(section.key, Some(SectionKey::Requests | SectionKey::ReviewLitigation));
        for fig in &figures {
            let context = fig.context || section_context;
            match fig.kind {
                FigureKind::ProactiveTotal => check_proactive_figure(fig, section, report, sink),
                FigureKind::Review | FigureKind::Litigation => {
                    if let (true, true, Some(t4)) = (context, fig.plain, &report.review_litigation) {
                        check_case_figure(fig, section, t4, sink);
                    }
                }
                FigureKind::Corrected(scope) => {
                    if let (true, true, Some(t4)) = (context, fig.plain, &report.review_litigation) {
                        compare_figure(fig, section, i128::from(fig.value), corrected_target(t4, scope), sink);
                    }
                }
                kind => {
                    if let (true, true, Some(t)) = (context, fig.plain, &report.requests) {
                        if let Some(target) = request_target(t, kind) {
                            compare_figure(fig, section, i128::from(fig.value), target, sink);
                        }
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Sections and metadata

fn check_sections(report: &Report, sink: &mut Sink) {
    // The pre-2019 outlines differ from report to report: nothing to check against.
    if !matches!(report.template, Template::V2019 | Template::V2021) {
        return;
    }
    for spec in SECTIONS.iter().filter(|s| s.required) {
        if !report.sections.iter().any(|s| s.key == Some(spec.key)) {
            let vals = values(&[
                ("missing", Value::String(spec.key.name().to_string())),
                ("title", Value::String(spec.title.to_string())),
            ]);
            let zh = format!("缺少模板要求的章节“{}”", spec.title);
            let en = format!("the required section {} (“{}”) is missing", spec.key.name(), spec.title);
            sink.violation(id::META_SECTIONS, at_section(Some(spec.key), 0), vals, zh, en);
        }
    }
    // Order: keyed sections (the legacy fees section excepted) must follow SECTIONS.
    let mut latest: Option<(SectionKey, &str)> = None;
    for (i, s) in report.sections.iter().enumerate() {
        let Some(key) = s.key else { continue };
        if key == SectionKey::Fees {
            continue;
        }
        match latest {
            Some((prev, prev_title)) if (key as usize) < (prev as usize) => {
                let vals = values(&[
                    ("section", Value::String(key.name().to_string())),
                    ("title", Value::String(s.title.clone())),
                    ("after", Value::String(prev.name().to_string())),
                    ("position", Value::from(i as u64 + 1)),
                ]);
                let zh = format!(
                    "章节“{}”出现在“{}”之后，不符合模板顺序（模板中“{}”在“{}”之前）",
                    s.title.trim(),
                    prev_title.trim(),
                    template::section(key).title,
                    template::section(prev).title
                );
                let en = format!("section {} comes after {}, against the template's order", key.name(), prev.name());
                sink.violation(id::META_SECTIONS, at_section(Some(key), i), vals, zh, en);
            }
            _ => latest = Some((key, s.title.as_str())),
        }
    }
}

/// Whether the agency name looks like a people's government's own report (Art. 49 deadline
/// 31 March): it ends with 人民政府, or with 管委会 / 管理委员会 (development zones and similar
/// areas report like a government). Everything else — 办公厅, 局, 委员会 (other than
/// 管理委员会)… — is treated as a department (31 January). A heuristic; pass
/// [`CheckContext::government_report`] when the truth is known.
pub fn looks_like_government(agency: &str) -> bool {
    let a = agency.trim();
    ["人民政府", "管委会", "管理委员会"].iter().any(|s| a.ends_with(s))
}

fn check_deadline(report: &Report, ctx: &CheckContext<'_>, sink: &mut Sink) {
    let (Some(year), Some(published)) = (report.year, report.published_on) else {
        let mut blanks = Vec::new();
        if report.year.is_none() {
            blanks.push(("year".to_string(), "报告年度".to_string()));
        }
        if report.published_on.is_none() {
            blanks.push(("published_on".to_string(), "发布日期".to_string()));
        }
        let vals = values(&[
            ("year", report.year.map_or(Value::Null, Value::from)),
            ("published_on", report.published_on.map_or(Value::Null, |d| Value::String(d.to_string()))),
        ]);
        sink.skipped(id::META_DEADLINE, at_meta("published_on"), &blanks, vals, "报告", "report");
        return;
    };
    // Art. 49 (2019 revision): departments by 31 January, a government's own report by 31 March.
    // Reports on 2018 and earlier fell under the 2007 Regulations: 31 March for everyone.
    let government = match ctx.government_report {
        Some(g) => Some(g),
        None => report.agency.as_deref().map(looks_like_government),
    };
    let (month, day, zh_kind, en_kind) = if year < 2019 {
        (3, 31, "2019年以前的年度报告（原条例）", "reports on 2018 and earlier (2007 Regulations)")
    } else {
        match government {
            Some(false) => (1, 31, "县级以上人民政府部门", "a department"),
            Some(true) => (3, 31, "县级以上地方人民政府", "a government's own report"),
            // Agency unknown: use the later deadline, so as not to warn falsely.
            None => (3, 31, "机关类型不详，按较晚期限", "agency unknown, later deadline used"),
        }
    };
    let Some(deadline) = year.checked_add(1).and_then(|y| NaiveDate::from_ymd_opt(y, month, day)) else {
        return;
    };
    if published > deadline {
        let late = (published - deadline).num_days();
        let vals = values(&[
            ("year", Value::from(year)),
            ("published_on", Value::String(published.to_string())),
            ("deadline", Value::String(deadline.to_string())),
            ("days_late", Value::from(late)),
            ("government_report", government.map_or(Value::Null, Value::from)),
        ]);
        let zh = format!(
            "发布日期{published}晚于{deadline}（{zh_kind}：条例第四十九条规定于{month}月{day}日前公布上一年度报告），迟{late}天"
        );
        let en =
            format!("published on {published}, after the Art. 49 deadline {deadline} ({en_kind}): {late} days late");
        sink.violation(id::META_DEADLINE, at_meta("published_on"), vals, zh, en);
    }
}

/// Locates a figure path (`requests.outcomes.granted.natural_person`,
/// `review_litigation.review.upheld`, `proactive.licensing.decisions`, `legacy_statistics.<key>`).
fn at_path(path: &str) -> At {
    let (table, rest) = path.split_once('.').unwrap_or((path, ""));
    let Some(table) = TABLES.iter().find(|t| **t == table).copied() else {
        return At { table: None, row: Some(path.to_string()), row_rank: 0, column: None, col_rank: 0 };
    };
    let (row, col) = match rest.rsplit_once('.') {
        Some((r, c)) => (r, Some(c)),
        None => (rest, None),
    };
    match table {
        "requests" => {
            let column = col.and_then(Column::from_name);
            let (row, column) = if column.is_some() { (row, column) } else { (rest, None) };
            match T3_ROWS.iter().find(|s| s.path == row) {
                Some(spec) => at_t3(Some(spec.key), column),
                None => At { table: Some(table), row: Some(rest.to_string()), row_rank: 0, column: None, col_rank: 0 },
            }
        }
        "review_litigation" => {
            let g = CaseGroup::ALL.into_iter().find(|g| g.name() == row);
            let r = col.and_then(|c| CaseResult::ALL.into_iter().find(|r| r.name() == c));
            match g {
                Some(g) => at_t4(Some(g), r),
                None => At { table: Some(table), row: Some(rest.to_string()), row_rank: 0, column: None, col_rank: 0 },
            }
        }
        "proactive" => match col {
            Some(c) => at_t2(row, Some(c)),
            None => at_t2(rest, None),
        },
        _ => At {
            table: Some(table),
            row: (!rest.is_empty()).then(|| rest.to_string()),
            row_rank: 0,
            column: None,
            col_rank: 0,
        },
    }
}

fn check_nonnumeric(report: &Report, sink: &mut Sink) {
    for note in &report.provenance.notes {
        let Some(raw) = note.message.strip_prefix(NONNUMERIC_NOTE_PREFIX) else {
            continue;
        };
        let raw_value = raw.split('；').next().unwrap_or(raw).trim();
        let vals = values(&[
            ("path", Value::String(note.path.clone())),
            ("line", note.line.map_or(Value::Null, |l| Value::from(l as u64))),
            ("raw", Value::String(raw_value.to_string())),
        ]);
        let line = note.line.map(|l| format!("（第{l}行）")).unwrap_or_default();
        let line_en = note.line.map(|l| format!(" (line {l})")).unwrap_or_default();
        let zh = format!("{}{line}：单元格内容“{raw_value}”不是数字", note.path);
        let en = format!("{}{line_en}: the cell holds “{raw_value}”, which is not a number", note.path);
        sink.violation(id::CELL_NONNUMERIC, at_path(&note.path), vals, zh, en);
    }
}
