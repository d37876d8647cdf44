//! The annual report generated from the registers (依台账生成年度报告), right by construction.
//!
//! [`build`] turns one agency's registers for one year ([`YearInput`]) into the canonical
//! [`Report`] of the 2021 template, with the calendar it is given; [`Generated::explain`] lists
//! the requests (tracking numbers) or cases (case numbers) behind any cell of tables 3 and 4.
//! Both come from one classification of every register entry, so each cell is the number of
//! entries `explain` lists for it, and every total is a count of its own, equal to the sum of its
//! parts. Pure code: no I/O, no clock.
//!
//! # Table 3 (收到和处理政府信息公开申请情况), year Y
//! Each request's state comes from [`lifecycle::replay`] of its events; it is counted in its
//! applicant's column and in 总计:
//! - `received` (一): received in Y;
//! - `carried_over` (二): received before Y and not finished (replied or withdrawn) before Y;
//! - `outcomes` (三): finished in Y, in the row of its outcome leaf — a withdrawal in
//!   `other_handling.other` (（六）3.其他, see [`lifecycle`]); `other_handling.total` counts the
//!   three 其他处理 sub-rows, `outcomes.total` every request finished in Y;
//! - `carried_forward` (四): received in or before Y and not finished by the end of Y.
//!
//! So, per column, 一 + 二 = （七）总计 + 四 (the written rule), and this year's 二 is last year's
//! 四. All 2021 rows are present, every cell a number (zero where nothing is counted). Requests
//! received after Y are not looked at.
//!
//! # Table 4 (行政复议、行政诉讼情况), year Y
//! A case decided in Y is counted in its result column (维持 / 纠正 / 其他); a case filed in or
//! before Y and not decided by the end of Y is 尚未审结 (`pending`); 总计 counts both. Cases filed
//! after Y are not looked at.
//!
//! # Table 2 and the sections
//! Table 2 is [`Article20Figures`] in the 2021 blocks (a figure not recorded is a blank cell; no
//! record at all means no table 2, `null`). The sections are the template's required ones in the
//! official order ([`template::SECTIONS`]), each with its stored narrative (several narratives of
//! one section are joined by a line break; a section without one has empty text). The legacy fees
//! section (`fees`) is not part of the 2021 outline: it appears, in its place, only when a
//! narrative for it is stored.
//!
//! # Register entries that cannot be counted
//! A request whose events fail to replay (or that belongs to another agency, or repeats a
//! tracking number), an inconsistent case, or Article 20 figures of another year or agency are
//! never dropped silently:
//! - [`Generated::into_result`] is strict: it returns every such problem as a [`GenerateError`]
//!   and no report. This is what publishing uses: a report with an entry missing is not right.
//! - [`Generated::report`] is the draft: the report of the entries that can be counted,
//!   and lists each problem in `provenance.notes` (path `requests`, `review_litigation` or
//!   `proactive`), so a preview can be shown while the register is fixed. The draft's counts are
//!   those of the remaining entries, so its tables are still consistent.
//!
//! With no problem, the draft and the strict report are the same document.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::lifecycle::{self, TransitionError};
use crate::register::{Agency, Article20Figures, Case, Event, EventKind, Request};
use crate::report::{
    AdministrativeFees, CaseGroup, CaseResult, Column, DocumentCounts, ImportNote, ItemCounts, Proactive, Report,
    RequestRow, RequestTable, ReviewLitigation, Section, SectionKey, SourceFormat, Template,
};
use crate::template::{self, OTHER_HANDLING_PARTS, SECTIONS, T3_ROWS};

/// One agency's registers for one report year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct YearInput {
    /// The reporting agency.
    pub agency: Agency,
    /// The year reported on.
    pub year: i32,
    /// The requests with their events (all years: earlier ones give 上年结转).
    pub requests: Vec<(Request, Vec<Event>)>,
    /// The review and litigation cases (all years).
    pub cases: Vec<Case>,
    /// The Article 20 figures of the year (table 2), if recorded.
    pub figures: Option<Article20Figures>,
    /// Stored section texts.
    pub narratives: Vec<(SectionKey, String)>,
    /// The publication date, if set.
    pub published_on: Option<NaiveDate>,
}

/// What is wrong with a case record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseProblem {
    /// Decided, but no result recorded.
    #[error("已记录审结日期 {decided_on}，但未记录结果")]
    DecidedWithoutResult {
        /// The decision date.
        decided_on: NaiveDate,
    },
    /// A result without a decision date.
    #[error("已记录结果“{result}”，但未记录审结日期", result = template::result_label(*.result))]
    ResultWithoutDecision {
        /// The result recorded.
        result: CaseResult,
    },
    /// `pending` or `total` recorded as a result.
    #[error("结果只能是结果维持、结果纠正或其他结果，不能是“{result}”", result = template::result_label(*.result))]
    ResultNotAllowed {
        /// The result recorded.
        result: CaseResult,
    },
    /// Decided before it was filed.
    #[error("审结日期 {decided_on} 早于立案日期 {filed_on}")]
    DecidedBeforeFiled {
        /// Filing date.
        filed_on: NaiveDate,
        /// Decision date.
        decided_on: NaiveDate,
    },
}

/// A register entry that cannot be counted in the report.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GenerateError {
    /// The request's events do not replay.
    #[error("申请 {tracking_number}：{error}")]
    Request {
        /// The tracking number.
        tracking_number: String,
        /// The refused event.
        #[source]
        error: TransitionError,
    },
    /// The request belongs to another agency.
    #[error("申请 {tracking_number} 属于机关 {found}，不属于本机关 {expected}")]
    RequestOfOtherAgency {
        /// The tracking number.
        tracking_number: String,
        /// The request's agency code.
        found: String,
        /// The reporting agency's code.
        expected: String,
    },
    /// A tracking number given twice (the first request is counted).
    #[error("受理编号 {tracking_number} 重复，仅计入第一件")]
    DuplicateTrackingNumber {
        /// The tracking number.
        tracking_number: String,
    },
    /// The case belongs to another agency.
    #[error("案件 {number} 属于机关 {found}，不属于本机关 {expected}")]
    CaseOfOtherAgency {
        /// The case number.
        number: String,
        /// The case's agency code.
        found: String,
        /// The reporting agency's code.
        expected: String,
    },
    /// A case number given twice (the first case is counted).
    #[error("案件编号 {number} 重复，仅计入第一件")]
    DuplicateCaseNumber {
        /// The case number.
        number: String,
    },
    /// The case record is inconsistent.
    #[error("案件 {number}：{problem}")]
    Case {
        /// The case number.
        number: String,
        /// What is wrong.
        problem: CaseProblem,
    },
    /// The Article 20 figures are another agency's.
    #[error("第二十条数据属于机关 {found}，不属于本机关 {expected}")]
    FiguresOfOtherAgency {
        /// The figures' agency code.
        found: String,
        /// The reporting agency's code.
        expected: String,
    },
    /// The Article 20 figures are another year's.
    #[error("第二十条数据为 {found} 年，不是报告年度 {expected} 年")]
    FiguresOfOtherYear {
        /// The figures' year.
        found: i32,
        /// The report year.
        expected: i32,
    },
}

impl GenerateError {
    /// The table the entry belongs to (`requests`, `review_litigation`, `proactive`).
    pub fn table(&self) -> &'static str {
        match self {
            GenerateError::Request { .. }
            | GenerateError::RequestOfOtherAgency { .. }
            | GenerateError::DuplicateTrackingNumber { .. } => "requests",
            GenerateError::CaseOfOtherAgency { .. }
            | GenerateError::DuplicateCaseNumber { .. }
            | GenerateError::Case { .. } => "review_litigation",
            GenerateError::FiguresOfOtherAgency { .. } | GenerateError::FiguresOfOtherYear { .. } => "proactive",
        }
    }
}

/// A path [`explain`] does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExplainError {
    /// Not a cell of table 3 or table 4.
    #[error("“{path}”不是表三或表四的单元格路径，应为 requests.<行>.<列>（如 requests.outcomes.granted.natural_person、requests.outcomes.total.total）或 review_litigation.<组>.<列>（如 review_litigation.review.pending） (“{path}” is not a cell of table 3 or 4; expected requests.<row>.<column> such as requests.outcomes.granted.natural_person, or review_litigation.<group>.<column> such as review_litigation.review.pending)")]
    UnknownPath {
        /// The path given.
        path: String,
    },
}

/// A cell of table 3 or table 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CellRef {
    /// Table 3: row and column.
    Requests(RequestRow, Column),
    /// Table 4: group and column.
    Cases(CaseGroup, CaseResult),
}

impl CellRef {
    /// Parses a figure path (`requests.outcomes.granted.natural_person`,
    /// `review_litigation.review.total`).
    pub fn parse(path: &str) -> Option<CellRef> {
        if let Some(rest) = path.strip_prefix("requests.") {
            let (row, col) = rest.rsplit_once('.')?;
            let spec = T3_ROWS.iter().find(|s| s.path == row)?;
            return Some(CellRef::Requests(spec.key, Column::from_name(col)?));
        }
        let rest = path.strip_prefix("review_litigation.")?;
        let (group, result) = rest.split_once('.')?;
        let g = CaseGroup::ALL.into_iter().find(|g| g.name() == group)?;
        let r = CaseResult::ALL.into_iter().find(|r| r.name() == result)?;
        Some(CellRef::Cases(g, r))
    }

    /// The figure path ([`Report::figures`]).
    pub fn path(self) -> String {
        match self {
            CellRef::Requests(r, c) => {
                format!("requests.{}.{}", template::t3_row(r).path, c.name())
            }
            CellRef::Cases(g, r) => format!("review_litigation.{}.{}", g.name(), r.name()),
        }
    }
}

/// The report of one year with the entries behind each cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Generated {
    /// The report of the entries that can be counted; problems are in `provenance.notes`.
    pub report: Report,
    /// The entries that cannot be counted, in register order (requests, cases, figures).
    pub errors: Vec<GenerateError>,
    /// Shared strings: a request counted in a dozen cells is one allocation, not twelve.
    members: BTreeMap<CellRef, Vec<Arc<str>>>,
}

impl Generated {
    /// The tracking numbers (table 3) or case numbers (table 4) counted in the cell at `path`
    /// (e.g. `requests.outcomes.granted.natural_person`, `review_litigation.review.pending`), in
    /// register order. Entries that cannot be counted are never listed; with none, the list's
    /// length is the value of the cell.
    pub fn explain(&self, path: &str) -> Result<Vec<String>, ExplainError> {
        let cell = CellRef::parse(path).ok_or_else(|| ExplainError::UnknownPath { path: path.to_string() })?;
        Ok(self.members.get(&cell).map(|v| v.iter().map(|s| s.to_string()).collect()).unwrap_or_default())
    }

    /// The report, or every problem when there is one: a year is published only from registers
    /// that can all be counted (the draft, [`Generated::report`], counts what it can).
    pub fn into_result(self) -> Result<Report, Vec<GenerateError>> {
        if self.errors.is_empty() {
            Ok(self.report)
        } else {
            Err(self.errors)
        }
    }
}

/// Classifies every register entry of `input` with the calendar `cal` (which decides the
/// working days that some transitions depend on) and builds the report.
pub fn build(cal: &Calendar, input: &YearInput) -> Generated {
    let y = input.year;
    let code = &input.agency.code;
    let mut errors = Vec::new();
    let mut members: BTreeMap<CellRef, Vec<Arc<str>>> = BTreeMap::new();
    let mut add_t3 = |row: RequestRow, col: Column, who: &Arc<str>| {
        for c in [col, Column::Total] {
            members.entry(CellRef::Requests(row, c)).or_default().push(Arc::clone(who));
        }
    };

    // Table 3.
    let mut seen: HashSet<&str> = HashSet::new();
    for (request, events) in &input.requests {
        let number = request.tracking_number.as_str();
        if request.agency != *code {
            errors.push(GenerateError::RequestOfOtherAgency {
                tracking_number: number.to_string(),
                found: request.agency.clone(),
                expected: code.clone(),
            });
            continue;
        }
        if !seen.insert(number) {
            errors.push(GenerateError::DuplicateTrackingNumber { tracking_number: number.to_string() });
            continue;
        }
        if request.received_on.year() > y {
            continue;
        }
        let state = match lifecycle::replay(cal, request, events) {
            Ok(s) => s,
            Err(error) => {
                errors.push(GenerateError::Request { tracking_number: number.to_string(), error });
                continue;
            }
        };
        let col = request.applicant.kind.column();
        let received = request.received_on.year();
        let finished = state.finished_on.map(|d| d.year());
        let who: Arc<str> = Arc::from(number);
        if received == y {
            add_t3(RequestRow::Received, col, &who);
        }
        if received < y && finished.is_none_or(|f| f >= y) {
            add_t3(RequestRow::CarriedOver, col, &who);
        }
        match (finished, state.outcome) {
            (Some(f), Some(outcome)) if f == y => {
                // An outcome cell lists the reply behind it: 「2026-001（某局公复〔2026〕1号）」
                // (casework-documents.md C4: the report traces to the documents issued).
                let reply = events.iter().find_map(|e| match &e.kind {
                    EventKind::Reply { document: Some(d), .. } => Some(d.as_str()),
                    _ => None,
                });
                let who = match reply {
                    Some(d) => Arc::from(format!("{number}（{d}）")),
                    None => Arc::clone(&who),
                };
                add_t3(outcome, col, &who);
                if OTHER_HANDLING_PARTS.contains(&outcome) {
                    add_t3(RequestRow::OtherHandlingTotal, col, &who);
                }
                add_t3(RequestRow::OutcomesTotal, col, &who);
            }
            (Some(f), _) if f < y => {}
            _ => add_t3(RequestRow::CarriedForward, col, &who),
        }
    }

    // Table 4.
    let mut seen: HashSet<&str> = HashSet::new();
    for case in &input.cases {
        let number = case.number.as_str();
        if case.agency != *code {
            errors.push(GenerateError::CaseOfOtherAgency {
                number: number.to_string(),
                found: case.agency.clone(),
                expected: code.clone(),
            });
            continue;
        }
        if !seen.insert(number) {
            errors.push(GenerateError::DuplicateCaseNumber { number: number.to_string() });
            continue;
        }
        if case.filed_on.year() > y {
            continue;
        }
        let column = match case_column(case, y) {
            Ok(c) => c,
            Err(problem) => {
                errors.push(GenerateError::Case { number: number.to_string(), problem });
                continue;
            }
        };
        if let Some(result) = column {
            for r in [result, CaseResult::Total] {
                members.entry(CellRef::Cases(case.group, r)).or_default().push(Arc::from(number));
            }
        }
    }

    // Table 2.
    let proactive = match &input.figures {
        None => None,
        Some(f) if f.agency != *code => {
            errors.push(GenerateError::FiguresOfOtherAgency { found: f.agency.clone(), expected: code.clone() });
            None
        }
        Some(f) if f.year != y => {
            errors.push(GenerateError::FiguresOfOtherYear { found: f.year, expected: y });
            None
        }
        Some(f) => Some(proactive(f)),
    };

    let count = |cell: CellRef| -> Option<i64> { Some(members.get(&cell).map_or(0, |v| v.len()) as i64) };
    let mut requests = RequestTable::blank();
    for spec in T3_ROWS {
        let row = requests.row_mut(spec.key);
        for c in Column::ALL {
            *row.get_mut(c) = count(CellRef::Requests(spec.key, c));
        }
    }
    let mut review = ReviewLitigation::blank();
    for g in CaseGroup::ALL {
        let grp = review.group_mut(g);
        for r in CaseResult::ALL {
            *grp.get_mut(r) = count(CellRef::Cases(g, r));
        }
    }

    let mut report = Report::new(Template::V2021, "register", SourceFormat::Register);
    report.agency = Some(input.agency.name.clone());
    report.year = Some(y);
    report.published_on = input.published_on;
    report.sections = sections(&input.narratives);
    report.requests = Some(requests);
    report.review_litigation = Some(review);
    let templates = &mut report.provenance.table_templates;
    templates.insert("requests".into(), Template::V2021);
    templates.insert("review_litigation".into(), Template::V2021);
    if proactive.is_some() {
        templates.insert("proactive".into(), Template::V2021);
    }
    report.proactive = proactive;
    report.provenance.notes = errors
        .iter()
        .map(|e| ImportNote { path: e.table().to_string(), line: None, message: format!("{e}；未计入报告") })
        .collect();
    Generated { report, errors, members }
}

/// The table-4 column a case filed in or before `year` is counted in, if any.
fn case_column(case: &Case, year: i32) -> Result<Option<CaseResult>, CaseProblem> {
    match (case.decided_on, case.result) {
        (Some(decided_on), None) => Err(CaseProblem::DecidedWithoutResult { decided_on }),
        (None, Some(result)) => Err(CaseProblem::ResultWithoutDecision { result }),
        (_, Some(result @ (CaseResult::Pending | CaseResult::Total))) => Err(CaseProblem::ResultNotAllowed { result }),
        (Some(decided_on), Some(_)) if decided_on < case.filed_on => {
            Err(CaseProblem::DecidedBeforeFiled { filed_on: case.filed_on, decided_on })
        }
        (Some(decided_on), Some(result)) => Ok(match decided_on.year() {
            d if d == year => Some(result),
            d if d > year => Some(CaseResult::Pending),
            _ => None,
        }),
        (None, None) => Ok(Some(CaseResult::Pending)),
    }
}

/// Table 2 in the 2021 blocks.
fn proactive(f: &Article20Figures) -> Proactive {
    Proactive {
        rules: Some(DocumentCounts::V2021 {
            issued: f.rules_issued,
            repealed: f.rules_repealed,
            in_force: f.rules_in_force,
        }),
        normative_documents: Some(DocumentCounts::V2021 {
            issued: f.normative_issued,
            repealed: f.normative_repealed,
            in_force: f.normative_in_force,
        }),
        licensing: Some(ItemCounts::V2021 { decisions: f.licensing_decisions }),
        other_services: None,
        penalties: Some(ItemCounts::V2021 { decisions: f.penalty_decisions }),
        coercive_measures: Some(ItemCounts::V2021 { decisions: f.coercive_decisions }),
        administrative_fees: Some(AdministrativeFees::V2021 { amount_wan_yuan: f.fees_wan_yuan.clone() }),
        centralized_procurement: None,
    }
}

/// The template's required sections in order (and `fees` where a narrative for it exists).
fn sections(narratives: &[(SectionKey, String)]) -> Vec<Section> {
    SECTIONS
        .iter()
        .filter_map(|spec| {
            let texts: Vec<&str> = narratives.iter().filter(|(k, _)| *k == spec.key).map(|(_, t)| t.as_str()).collect();
            (spec.required || !texts.is_empty()).then(|| Section {
                key: Some(spec.key),
                title: spec.title.to_string(),
                text: texts.join("\n"),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::register::{AgencyKind, Applicant, ApplicantType, Channel, EventKind};
    use crate::rules::{self, CheckContext, Severity};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn generate_report(input: &YearInput) -> Result<Report, Vec<GenerateError>> {
        build(&Calendar::official(), input).into_result()
    }

    fn generate_draft(input: &YearInput) -> Report {
        build(&Calendar::official(), input).report
    }

    fn explain(input: &YearInput, path: &str) -> Result<Vec<String>, ExplainError> {
        build(&Calendar::official(), input).explain(path)
    }

    fn agency() -> Agency {
        Agency {
            code: "330100-cz".into(), name: "杭州市财政局".into(), parent: None, kind: AgencyKind::Department
        }
    }

    fn request(n: &str, received: NaiveDate, kind: ApplicantType) -> Request {
        Request {
            agency: "330100-cz".into(),
            tracking_number: n.into(),
            channel: Channel::InPerson,
            received_on: received,
            applicant: Applicant {
                id_document_type: None,
                kind,
                name: "张三".into(),
                id_document: None,
                contact: None,
            },
            content: "预算文件".into(),
            requested_form: None,
            delivery: None,
        }
    }

    fn reply(on: NaiveDate, outcome: RequestRow) -> Event {
        Event { on, by: "李四".into(), kind: EventKind::Reply { outcome, document: None } }
    }

    fn input(year: i32, requests: Vec<(Request, Vec<Event>)>, cases: Vec<Case>) -> YearInput {
        YearInput { agency: agency(), year, requests, cases, figures: None, narratives: Vec::new(), published_on: None }
    }

    fn cell(r: &Report, row: RequestRow, c: Column) -> Option<i64> {
        r.requests.as_ref().and_then(|t| t.row(row)).and_then(|x| x.get(c))
    }

    #[test]
    fn december_request_replied_in_january_is_carried() {
        let reqs = vec![(
            request("2023-088", d(2023, 12, 20), ApplicantType::Commercial),
            vec![reply(d(2024, 1, 10), RequestRow::Granted)],
        )];
        let r23 = generate_report(&input(2023, reqs.clone(), vec![])).unwrap();
        let r24 = generate_report(&input(2024, reqs.clone(), vec![])).unwrap();
        for c in [Column::Commercial, Column::Total] {
            assert_eq!(cell(&r23, RequestRow::Received, c), Some(1));
            assert_eq!(cell(&r23, RequestRow::CarriedForward, c), Some(1));
            assert_eq!(cell(&r23, RequestRow::OutcomesTotal, c), Some(0));
            assert_eq!(cell(&r24, RequestRow::Received, c), Some(0));
            assert_eq!(cell(&r24, RequestRow::CarriedOver, c), Some(1));
            assert_eq!(cell(&r24, RequestRow::Granted, c), Some(1));
            assert_eq!(cell(&r24, RequestRow::CarriedForward, c), Some(0));
        }
        assert_eq!(cell(&r24, RequestRow::Granted, Column::NaturalPerson), Some(0));
        let who = explain(&input(2024, reqs.clone(), vec![]), "requests.carried_over.total");
        assert_eq!(who, Ok(vec!["2023-088".to_string()]));
        // 2025: finished before the year, not counted anywhere.
        let r25 = generate_report(&input(2025, reqs, vec![])).unwrap();
        assert_eq!(r25.requests.map(|t| t.carried_over.total), Some(Some(0)));
    }

    #[test]
    fn withdrawal_goes_to_other_handling_other() {
        let reqs = vec![(
            request("1", d(2024, 3, 1), ApplicantType::NaturalPerson),
            vec![Event { on: d(2024, 3, 5), by: "李四".into(), kind: EventKind::Withdrawal }],
        )];
        let r = generate_report(&input(2024, reqs, vec![])).unwrap();
        let t = r.requests.unwrap();
        assert_eq!(t.outcomes.other_handling.other.map(|c| c.total), Some(Some(1)));
        assert_eq!(t.outcomes.other_handling.total.total, Some(1));
        assert_eq!(t.outcomes.other_handling.no_correction.map(|c| c.total), Some(Some(0)));
        assert_eq!(t.outcomes.total.natural_person, Some(1));
    }

    #[test]
    fn bad_events_are_reported_not_dropped() {
        let reqs = vec![
            (
                request("ok", d(2024, 3, 1), ApplicantType::NaturalPerson),
                vec![reply(d(2024, 3, 5), RequestRow::Granted)],
            ),
            (
                request("bad", d(2024, 3, 1), ApplicantType::NaturalPerson),
                vec![reply(d(2024, 2, 5), RequestRow::Granted)],
            ),
            (request("ok", d(2024, 3, 2), ApplicantType::NaturalPerson), vec![]),
        ];
        let i = input(2024, reqs, vec![]);
        let errors = generate_report(&i).unwrap_err();
        assert_eq!(errors.len(), 2);
        assert!(matches!(&errors[0], GenerateError::Request { tracking_number, .. } if tracking_number == "bad"));
        assert!(
            matches!(&errors[1], GenerateError::DuplicateTrackingNumber { tracking_number } if tracking_number == "ok")
        );
        let s = errors[0].to_string();
        assert!(s.contains("申请 bad") && s.contains("收到申请之日"), "{s}");
        let draft = generate_draft(&i);
        assert_eq!(draft.provenance.notes.len(), 2);
        assert_eq!(draft.provenance.notes[0].path, "requests");
        assert_eq!(cell(&draft, RequestRow::Received, Column::Total), Some(1));
        let findings = rules::check(&draft, &CheckContext::default());
        assert!(findings.iter().all(|f| f.severity == Severity::Info), "{findings:?}");
    }

    #[test]
    fn cases_by_group_and_year() {
        let case = |n: &str, g, filed, decided: Option<NaiveDate>, result| Case {
            agency: "330100-cz".into(),
            number: n.into(),
            group: g,
            request: None,
            filed_on: filed,
            decided_on: decided,
            result,
        };
        let cases = vec![
            case("A", CaseGroup::Review, d(2024, 2, 1), Some(d(2024, 5, 1)), Some(CaseResult::Upheld)),
            case("B", CaseGroup::Review, d(2024, 11, 1), Some(d(2025, 2, 1)), Some(CaseResult::Corrected)),
            case("C", CaseGroup::LitigationDirect, d(2023, 6, 1), None, None),
            case("D", CaseGroup::Review, d(2023, 2, 1), Some(d(2023, 5, 1)), Some(CaseResult::Other)),
            case("E", CaseGroup::Review, d(2025, 2, 1), None, None),
        ];
        let i = input(2024, vec![], cases.clone());
        let r = generate_report(&i).unwrap();
        let t4 = r.review_litigation.unwrap();
        assert_eq!(t4.review.upheld, Some(1));
        assert_eq!(t4.review.pending, Some(1));
        assert_eq!(t4.review.other, Some(0));
        assert_eq!(t4.review.total, Some(2));
        assert_eq!(t4.litigation_direct.pending, Some(1));
        assert_eq!(t4.litigation_after_review.total, Some(0));
        assert_eq!(explain(&i, "review_litigation.review.pending"), Ok(vec!["B".to_string()]));
        assert_eq!(explain(&i, "review_litigation.review.total"), Ok(vec!["A".to_string(), "B".to_string()]));
        let mut bad = cases;
        bad.push(case("F", CaseGroup::Review, d(2024, 2, 1), Some(d(2024, 3, 1)), None));
        bad.push(case("G", CaseGroup::Review, d(2024, 2, 1), None, Some(CaseResult::Pending)));
        bad.push(case("H", CaseGroup::Review, d(2024, 2, 1), Some(d(2024, 1, 1)), Some(CaseResult::Upheld)));
        let errors = generate_report(&input(2024, vec![], bad)).unwrap_err();
        assert_eq!(errors.len(), 3, "{errors:?}");
        assert!(errors.iter().all(|e| e.table() == "review_litigation"));
    }

    #[test]
    fn explain_rejects_unknown_paths() {
        let i = input(2024, vec![], vec![]);
        for bad in [
            "requests.outcomes.granted",
            "requests.outcomes.withheld.natural_person",
            "requests.received.everyone",
            "review_litigation.review",
            "review_litigation.appeal.total",
            "proactive.licensing.decisions",
            "",
        ] {
            let e = explain(&i, bad).unwrap_err();
            assert_eq!(e, ExplainError::UnknownPath { path: bad.to_string() });
            assert!(e.to_string().contains("requests.outcomes.granted.natural_person"));
        }
        assert_eq!(explain(&i, "requests.outcomes.other_handling.total.total"), Ok(vec![]));
        assert_eq!(explain(&i, "review_litigation.litigation_after_review.upheld"), Ok(vec![]));
    }

    #[test]
    fn every_figure_path_parses_back() {
        let r = generate_report(&input(2024, vec![], vec![])).unwrap();
        let paths: Vec<String> =
            r.figures().into_iter().map(|(p, _)| p).filter(|p| !p.starts_with("proactive.")).collect();
        assert_eq!(paths.len(), 26 * 7 + 15);
        for p in paths {
            assert_eq!(CellRef::parse(&p).map(CellRef::path), Some(p.clone()), "{p}");
        }
    }

    #[test]
    fn sections_proactive_and_provenance() {
        let mut i = input(2024, vec![], vec![]);
        i.narratives = vec![
            (SectionKey::OtherMatters, "无。".into()),
            (SectionKey::Overview, "第一段".into()),
            (SectionKey::Overview, "第二段".into()),
        ];
        i.figures = Some(Article20Figures {
            agency: "330100-cz".into(),
            year: 2024,
            licensing_decisions: Some(677),
            ..Article20Figures::default()
        });
        i.published_on = Some(d(2025, 1, 20));
        let r = generate_report(&i).unwrap();
        let keys: Vec<_> = r.sections.iter().map(|s| s.key).collect();
        assert_eq!(
            keys,
            [
                SectionKey::Overview,
                SectionKey::Proactive,
                SectionKey::Requests,
                SectionKey::ReviewLitigation,
                SectionKey::Problems,
                SectionKey::OtherMatters
            ]
            .map(Some)
        );
        assert_eq!(r.sections[0].text, "第一段\n第二段");
        assert_eq!(r.sections[0].title, "一、总体情况");
        assert_eq!(r.sections[4].text, "");
        let p = r.proactive.clone().unwrap();
        assert_eq!(p.licensing, Some(ItemCounts::V2021 { decisions: Some(677) }));
        assert_eq!(p.penalties, Some(ItemCounts::V2021 { decisions: None }));
        assert_eq!(p.administrative_fees, Some(AdministrativeFees::V2021 { amount_wan_yuan: None }));
        assert_eq!(r.provenance.source, "register");
        assert_eq!(r.provenance.format, SourceFormat::Register);
        assert_eq!(r.template, Template::V2021);
        assert_eq!(r.provenance.table_templates.len(), 3);
        assert!(r.provenance.table_templates.values().all(|t| *t == Template::V2021));
        let findings = rules::check(&r, &CheckContext::default());
        assert!(findings.iter().all(|f| f.severity == Severity::Info), "{findings:?}");
        // Figures of another year are reported; no record means no table 2.
        i.figures = Some(Article20Figures { agency: "330100-cz".into(), year: 2023, ..Article20Figures::default() });
        assert_eq!(
            generate_report(&i).unwrap_err(),
            vec![GenerateError::FiguresOfOtherYear { found: 2023, expected: 2024 }]
        );
        i.figures = None;
        assert_eq!(generate_report(&i).map(|r| r.proactive), Ok(None));
    }
}
