//! The roll-up (汇总): tables 2–4 of several agencies' reports of one year summed into one
//! canonical [`Report`] — the starting point of a government's own report for its whole area.
//!
//! Why a report and not a table of numbers: the sum is checked by the same rules
//! ([`crate::rules::check`]) and exported like any report.
//!
//! Sums keep the model's conventions:
//! - **Blank is not zero**: blank + blank = blank, blank + n = n. A table no agency has stays
//!   `null`; a 其他处理 sub-row (2021) no agency has stays `null`.
//! - **Money is decimal**: amounts are added exactly ([`add_amounts`]), never as `f64`.
//! - **One template**: the year's template ([`template_for_year`]). A report of another year, or
//!   with a table in another template (an imported 2021 report still using the 2019 table 2), is
//!   not summed but listed in [`RollUp::excluded`] with the reason — never mixed silently.
//! - Stock figures of table 2 (现行有效件数, 对外公开总数量, 上一年项目数量) are sums too: the
//!   area's stock is the sum of its agencies' stocks.
//!
//! Pure: no I/O; the caller decides which agencies are in the subtree and which reports exist.

use serde::Serialize;

use crate::report::{
    AdministrativeFees, Amount, CaseGroup, CaseResult, Cell, Column, Columns, DocumentCounts, ItemCounts, Proactive,
    Procurement, Report, RequestTable, ReviewLitigation, Section, SourceFormat, Template,
};
use crate::template::{SECTIONS, T3_ROWS};

/// The template the national format prescribes for a report year: the 2021 format
/// (国办公开办函〔2021〕30号) from the 2021 reports on, the 2019 format (国办公开办函〔2019〕60号)
/// for 2019 and 2020, the statistics table before.
pub fn template_for_year(year: i32) -> Template {
    if year >= 2021 {
        Template::V2021
    } else if year >= 2019 {
        Template::V2019
    } else {
        Template::Pre2019
    }
}

/// One agency of the subtree and its report for the year, if it has one.
#[derive(Debug, Clone, Copy)]
pub struct Member<'a> {
    /// The agency's code.
    pub code: &'a str,
    /// Its report of the year; `None` when it has none (then it is listed as missing).
    pub report: Option<&'a Report>,
}

/// An agency whose report was not summed, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Excluded {
    /// The agency's code.
    pub code: String,
    /// Why, in Chinese.
    pub reason: String,
    /// Why, in English.
    pub reason_en: String,
}

/// The roll-up of a subtree.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RollUp {
    /// Tables 2–4 summed; sections are the template's required outline with empty text.
    pub report: Report,
    /// The agencies whose reports were summed, in input order.
    pub included: Vec<String>,
    /// The agencies of the subtree without a report, in input order.
    pub missing: Vec<String>,
    /// The agencies with a report that could not be summed, in input order.
    pub excluded: Vec<Excluded>,
}

/// Why a roll-up cannot be made at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RollUpError {
    /// Years before 2019 used a free statistics table: there is nothing to add up row by row.
    #[error("{year}年度报告使用2019年以前的统计表，无法逐项汇总")]
    Pre2019 {
        /// The year asked for.
        year: i32,
    },
}

/// Sums tables 2–4 of the members' reports of `year` into one report of `agency` (the name the
/// roll-up carries, e.g. the supervising government's).
pub fn roll_up(agency: Option<&str>, year: i32, members: &[Member<'_>]) -> Result<RollUp, RollUpError> {
    let template = template_for_year(year);
    if template == Template::Pre2019 {
        return Err(RollUpError::Pre2019 { year });
    }
    let mut report = Report::new(template, "rollup", SourceFormat::Register);
    report.agency = agency.map(str::to_string);
    report.year = Some(year);
    report.sections = SECTIONS
        .iter()
        .filter(|s| s.required)
        .map(|s| Section { key: Some(s.key), title: s.title.to_string(), text: String::new() })
        .collect();
    for table in ["proactive", "requests", "review_litigation"] {
        report.provenance.table_templates.insert(table.to_string(), template);
    }
    let mut out = RollUp { report, included: Vec::new(), missing: Vec::new(), excluded: Vec::new() };
    for m in members {
        let Some(r) = m.report else {
            out.missing.push(m.code.to_string());
            continue;
        };
        if let Some((zh, en)) = unsummable(r, year, template) {
            out.excluded.push(Excluded { code: m.code.to_string(), reason: zh, reason_en: en });
            continue;
        }
        // Add into a copy so that an overflow leaves the sum untouched.
        let mut next = out.report.clone();
        match add_report(&mut next, r) {
            Ok(()) => {
                out.report = next;
                out.included.push(m.code.to_string());
            }
            Err(path) => out.excluded.push(Excluded {
                code: m.code.to_string(),
                reason: format!("{path} 相加超出数值范围"),
                reason_en: format!("{path}: the sum overflows"),
            }),
        }
    }
    out.report.provenance.source = format!("rollup:{}", out.included.join(","));
    Ok(out)
}

/// Why a report cannot join the sum, if it cannot.
fn unsummable(r: &Report, year: i32, template: Template) -> Option<(String, String)> {
    if r.year != Some(year) {
        let y = r.year.map_or_else(|| "不详".to_string(), |y| y.to_string());
        return Some((
            format!("报告年度为{y}，不是{year}"),
            format!(
                "the report is on {}, not {year}",
                r.year.map_or_else(|| "an unknown year".into(), |y| y.to_string())
            ),
        ));
    }
    for (table, present) in [
        ("proactive", r.proactive.is_some()),
        ("requests", r.requests.is_some()),
        ("review_litigation", r.review_litigation.is_some()),
    ] {
        let t = r.table_template(table);
        if present && t != template {
            return Some((
                format!("表格 {table} 采用{}格式，与{year}年度应采用的{}格式不同，不能逐项相加", t.id(), template.id()),
                format!("table {table} follows the {} template, not the {} template of {year}", t.id(), template.id()),
            ));
        }
    }
    if r.proactive.as_ref().is_some_and(|p| !proactive_fits(p, template)) {
        return Some((
            format!("表二的栏目与{}格式不符，不能逐项相加", template.id()),
            format!("table 2's blocks do not follow the {} template", template.id()),
        ));
    }
    None
}

/// Whether every block of table 2 has the template's columns.
fn proactive_fits(p: &Proactive, t: Template) -> bool {
    let v21 = t == Template::V2021;
    let doc = |d: &Option<DocumentCounts>| match d {
        None => true,
        Some(DocumentCounts::V2021 { .. }) => v21,
        Some(DocumentCounts::V2019 { .. }) => !v21,
    };
    let item = |i: &Option<ItemCounts>| match i {
        None => true,
        Some(ItemCounts::V2021 { .. }) => v21,
        Some(ItemCounts::V2019 { .. }) => !v21,
    };
    let fees = match &p.administrative_fees {
        None => true,
        Some(AdministrativeFees::V2021 { .. }) => v21,
        Some(AdministrativeFees::V2019 { .. }) => !v21,
    };
    doc(&p.rules)
        && doc(&p.normative_documents)
        && item(&p.licensing)
        && item(&p.other_services)
        && item(&p.penalties)
        && item(&p.coercive_measures)
        && fees
}

/// A sum that overflowed, named by its figure path.
type Overflow = String;

/// blank + blank = blank; blank + n = n; n + m = n + m.
pub fn add_cells(a: Cell, b: Cell) -> Option<Cell> {
    match (a, b) {
        (None, x) | (x, None) => Some(x),
        (Some(x), Some(y)) => x.checked_add(y).map(Some),
    }
}

fn add_cell(acc: &mut Cell, b: Cell, path: impl FnOnce() -> String) -> Result<(), Overflow> {
    *acc = add_cells(*acc, b).ok_or_else(path)?;
    Ok(())
}

/// The number of digits after the decimal point of a normalised amount.
fn scale_of(a: &Amount) -> u32 {
    a.as_str().split_once('.').map_or(0, |(_, f)| f.len() as u32)
}

/// Exact decimal addition; `None` only when the sum does not fit in 38 digits. blank + blank =
/// blank, blank + x = x.
pub fn add_amounts(a: Option<&Amount>, b: Option<&Amount>) -> Option<Option<Amount>> {
    let (a, b) = match (a, b) {
        (None, None) => return Some(None),
        (Some(x), None) | (None, Some(x)) => return Some(Some(x.clone())),
        (Some(a), Some(b)) => (a, b),
    };
    let scale = scale_of(a).max(scale_of(b));
    let sum = a.to_scaled(scale)?.checked_add(b.to_scaled(scale)?)?;
    let digits = sum.unsigned_abs().to_string();
    let width = scale as usize + 1;
    let padded = format!("{digits:0>width$}");
    let (int, frac) = padded.split_at(padded.len() - scale as usize);
    let sign = if sum < 0 { "-" } else { "" };
    let text = if frac.is_empty() { format!("{sign}{int}") } else { format!("{sign}{int}.{frac}") };
    Amount::parse(&text).ok().map(Some)
}

fn add_amount(acc: &mut Option<Amount>, b: &Option<Amount>, path: &str) -> Result<(), Overflow> {
    *acc = add_amounts(acc.as_ref(), b.as_ref()).ok_or_else(|| path.to_string())?;
    Ok(())
}

/// Adds tables 2–4 of `r` into `acc` (same template, checked by the caller).
fn add_report(acc: &mut Report, r: &Report) -> Result<(), Overflow> {
    if let Some(t) = &r.requests {
        add_requests(acc.requests.get_or_insert_with(RequestTable::blank), t)?;
    }
    if let Some(t) = &r.review_litigation {
        add_review(acc.review_litigation.get_or_insert_with(ReviewLitigation::blank), t)?;
    }
    if let Some(p) = &r.proactive {
        add_proactive(acc.proactive.get_or_insert_with(Proactive::default), p)?;
    }
    Ok(())
}

fn add_columns(acc: &mut Columns, b: &Columns, row: &str) -> Result<(), Overflow> {
    for c in Column::ALL {
        add_cell(acc.get_mut(c), b.get(c), || format!("requests.{row}.{}", c.name()))?;
    }
    Ok(())
}

fn add_requests(acc: &mut RequestTable, t: &RequestTable) -> Result<(), Overflow> {
    for spec in T3_ROWS.iter() {
        // A 2021 其他处理 sub-row is created only when a member has it.
        if let Some(row) = t.row(spec.key) {
            add_columns(acc.row_mut(spec.key), row, spec.path)?;
        }
    }
    Ok(())
}

fn add_review(acc: &mut ReviewLitigation, t: &ReviewLitigation) -> Result<(), Overflow> {
    for g in CaseGroup::ALL {
        for r in CaseResult::ALL {
            let b = t.group(g).get(r);
            add_cell(acc.group_mut(g).get_mut(r), b, || format!("review_litigation.{}.{}", g.name(), r.name()))?;
        }
    }
    Ok(())
}

fn add_proactive(acc: &mut Proactive, p: &Proactive) -> Result<(), Overflow> {
    add_documents(&mut acc.rules, &p.rules, "rules")?;
    add_documents(&mut acc.normative_documents, &p.normative_documents, "normative_documents")?;
    add_items(&mut acc.licensing, &p.licensing, "licensing")?;
    add_items(&mut acc.other_services, &p.other_services, "other_services")?;
    add_items(&mut acc.penalties, &p.penalties, "penalties")?;
    add_items(&mut acc.coercive_measures, &p.coercive_measures, "coercive_measures")?;
    match (&mut acc.administrative_fees, &p.administrative_fees) {
        (_, None) => {}
        (slot @ None, Some(b)) => *slot = Some(b.clone()),
        (
            Some(AdministrativeFees::V2021 { amount_wan_yuan: a }),
            Some(AdministrativeFees::V2021 { amount_wan_yuan: b }),
        ) => {
            add_amount(a, b, "proactive.administrative_fees.amount_wan_yuan")?;
        }
        (
            Some(AdministrativeFees::V2019 { previous_items: a1, change: a2 }),
            Some(AdministrativeFees::V2019 { previous_items: b1, change: b2 }),
        ) => {
            add_cell(a1, *b1, || "proactive.administrative_fees.previous_items".into())?;
            add_cell(a2, *b2, || "proactive.administrative_fees.change".into())?;
        }
        // Mixed layouts are refused before adding (`unsummable`).
        _ => return Err("proactive.administrative_fees".into()),
    }
    match (&mut acc.centralized_procurement, &p.centralized_procurement) {
        (_, None) => {}
        (slot @ None, Some(b)) => *slot = Some(b.clone()),
        (Some(Procurement { projects, amount_yuan }), Some(b)) => {
            add_cell(projects, b.projects, || "proactive.centralized_procurement.projects".into())?;
            add_amount(amount_yuan, &b.amount_yuan, "proactive.centralized_procurement.amount_yuan")?;
        }
    }
    Ok(())
}

fn add_documents(acc: &mut Option<DocumentCounts>, b: &Option<DocumentCounts>, name: &str) -> Result<(), Overflow> {
    let path = |f: &str| format!("proactive.{name}.{f}");
    match (acc, b) {
        (_, None) => Ok(()),
        (slot @ None, Some(b)) => {
            *slot = Some(b.clone());
            Ok(())
        }
        (
            Some(DocumentCounts::V2021 { issued, repealed, in_force }),
            Some(DocumentCounts::V2021 { issued: i, repealed: r, in_force: f }),
        ) => {
            add_cell(issued, *i, || path("issued"))?;
            add_cell(repealed, *r, || path("repealed"))?;
            add_cell(in_force, *f, || path("in_force"))
        }
        (
            Some(DocumentCounts::V2019 { made, published, published_total }),
            Some(DocumentCounts::V2019 { made: m, published: p, published_total: t }),
        ) => {
            add_cell(made, *m, || path("made"))?;
            add_cell(published, *p, || path("published"))?;
            add_cell(published_total, *t, || path("published_total"))
        }
        _ => Err(path("layout")),
    }
}

fn add_items(acc: &mut Option<ItemCounts>, b: &Option<ItemCounts>, name: &str) -> Result<(), Overflow> {
    let path = |f: &str| format!("proactive.{name}.{f}");
    match (acc, b) {
        (_, None) => Ok(()),
        (slot @ None, Some(b)) => {
            *slot = Some(b.clone());
            Ok(())
        }
        (Some(ItemCounts::V2021 { decisions }), Some(ItemCounts::V2021 { decisions: d })) => {
            add_cell(decisions, *d, || path("decisions"))
        }
        (
            Some(ItemCounts::V2019 { previous_items, change, decisions }),
            Some(ItemCounts::V2019 { previous_items: p, change: c, decisions: d }),
        ) => {
            add_cell(previous_items, *p, || path("previous_items"))?;
            add_cell(change, *c, || path("change"))?;
            add_cell(decisions, *d, || path("decisions"))
        }
        _ => Err(path("layout")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn amt(s: &str) -> Amount {
        Amount::parse(s).unwrap_or_else(|_| Amount::from_int(0))
    }

    #[test]
    fn amounts_add_exactly() {
        let sum = |a: &str, b: &str| add_amounts(Some(&amt(a)), Some(&amt(b))).flatten().map(|x| x.to_string());
        assert_eq!(sum("0.1", "0.2").as_deref(), Some("0.3"));
        assert_eq!(sum("1.25", "3").as_deref(), Some("4.25"));
        assert_eq!(sum("-1.5", "0.25").as_deref(), Some("-1.25"));
        assert_eq!(sum("0.005", "0.005").as_deref(), Some("0.01"));
        assert_eq!(sum("-0.5", "0.5").as_deref(), Some("0"));
        assert_eq!(add_amounts(None, None), Some(None));
        assert_eq!(add_amounts(None, Some(&amt("2"))), Some(Some(amt("2"))));
    }

    #[test]
    fn blank_plus_blank_is_blank() {
        assert_eq!(add_cells(None, None), Some(None));
        assert_eq!(add_cells(None, Some(3)), Some(Some(3)));
        assert_eq!(add_cells(Some(2), Some(3)), Some(Some(5)));
        assert_eq!(add_cells(Some(i64::MAX), Some(1)), None);
    }

    #[test]
    fn missing_and_excluded_are_listed() {
        let mut a = Report::new(Template::V2021, "a", SourceFormat::Json);
        a.year = Some(2024);
        let mut t = RequestTable::blank();
        t.received.total = Some(4);
        a.requests = Some(t);
        let mut b = a.clone();
        b.year = Some(2023);
        let members = [
            Member { code: "A", report: Some(&a) },
            Member { code: "B", report: Some(&b) },
            Member { code: "C", report: None },
            Member { code: "D", report: Some(&a) },
        ];
        let r = roll_up(Some("某县人民政府"), 2024, &members).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(r.included, ["A", "D"]);
        assert_eq!(r.missing, ["C"]);
        assert_eq!(r.excluded.len(), 1);
        assert_eq!(r.excluded[0].code, "B");
        assert_eq!(r.report.requests.map(|t| t.received.total), Some(Some(8)));
        assert_eq!(r.report.requests.map(|t| t.received.natural_person), Some(None));
        assert!(r.report.review_litigation.is_none());
        assert!(roll_up(None, 2017, &members).is_err());
    }
}
