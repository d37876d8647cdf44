//! The supervising office's judgement (监督视图) of a subtree: per agency, requests received,
//! open, due soon and overdue, on-time replies, outcomes; the annual report's status, findings and
//! quality scorecard; and the roll-up of tables 2–4.
//!
//! Pure, like the rest of the core: the store reads the registers set-based over the whole
//! subtree (and keeps [`YearFigures`] in its overview cache), and hands the rows here. What is
//! open, due soon or overdue, what counts as on time, which report of an agency is judged (the
//! one generated from its registers, or its imported published file), its status against the
//! Art. 49 deadline, its scorecard and the roll-up are all decided in this module, once, so that
//! the store keeps SQL and the cache rows and the CLI and the web only render.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::clock::{self, DeadlineInput};
use crate::generate::{self, YearInput};
use crate::lifecycle;
use crate::quality::{self, AmendmentBasis, Nearest, QualityInput, Scorecard};
use crate::register::{Agency, AgencyKind, Event, EventKind, Request};
use crate::report::{CaseGroup, CaseResult, Report, SectionKey};
use crate::rollup::{self, Excluded, Member};
use crate::rules::{self, CheckContext, Severity};
use crate::template;

/// A judgement that cannot be made from the rows given: an agency of the subtree without its
/// figures (a caller's bug, not a user's input), or a year the roll-up cannot take.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SuperviseError {
    /// An agency of the subtree has no row of the kind named.
    #[error("{what}: no row for agency {agency}")]
    Missing {
        /// What is missing (`year figures`, `report`).
        what: &'static str,
        /// The agency's code.
        agency: String,
    },
    /// The roll-up refused the year.
    #[error("roll-up: {0}")]
    RollUp(String),
    /// A trend's year range.
    #[error("趋势年份范围 {first}–{last} 无效（至多20年）")]
    TrendYears {
        /// The first year asked for.
        first: i32,
        /// The last year asked for.
        last: i32,
    },
}

/// The longest year-on-year series (trends), in years.
pub const MAX_TREND_YEARS: i32 = 20;

/// Where a report in the overview comes from, when it is an imported published file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReportSource {
    /// The file's name as uploaded.
    pub file_name: String,
    /// Its detected format.
    pub format: String,
    /// The SHA-256 of its bytes (hex).
    pub sha256: String,
    /// When it was imported (RFC 3339 UTC).
    pub imported_at: String,
    /// Who imported it.
    pub imported_by: String,
}

/// The status of an agency's annual report for a year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    /// 未开始: nothing written for the year (no section text, no publication record).
    NotStarted,
    /// 草稿: section texts or an unpublished publication record exist; the deadline has not passed.
    Draft,
    /// 按时发布: published by the Art. 49 deadline.
    PublishedOnTime,
    /// 逾期发布: published after the deadline.
    PublishedLate,
    /// 逾期未发布: not published and the deadline has passed.
    Missing,
}

impl ReportStatus {
    /// The Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            ReportStatus::NotStarted => "未开始",
            ReportStatus::Draft => "草稿",
            ReportStatus::PublishedOnTime => "按时发布",
            ReportStatus::PublishedLate => "逾期发布",
            ReportStatus::Missing => "逾期未发布",
        }
    }
}

/// A request still open, with its due date as of the overview's day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OpenRequest {
    /// 受理编号: open it with `gongkai request show --agency CODE --tracking-number N`.
    pub tracking_number: String,
    /// 收到申请之日.
    pub received_on: NaiveDate,
    /// The due date as of the overview's day (derived from the events).
    pub due: NaiveDate,
}

/// Per agency: the requests.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RequestFigures {
    /// Received (Art. 31 date) in the year.
    pub received: i64,
    /// Not finished (no reply or withdrawal) on the overview's day, whatever the year received;
    /// includes those due soon and overdue.
    pub open: i64,
    /// Of the open ones: due within the margin (5 working days, the due date included).
    pub due_soon: i64,
    /// Of the open ones: past the due date.
    pub overdue: i64,
    /// Replied to in the year.
    pub replied: i64,
    /// Of those: replied on or before the due date.
    pub replied_on_time: i64,
    /// replied_on_time / replied; `null` when none was replied to.
    pub on_time_rate: Option<f64>,
    /// The median number of working days from receipt to reply (receipt day not counted, reply
    /// day counted) of the replies in the year.
    pub median_working_days: Option<f64>,
    /// Withdrawn in the year.
    pub withdrawn: i64,
    /// Replies in the year by outcome (the table-3 row path, e.g. `outcomes.granted`).
    pub outcomes: BTreeMap<String, i64>,
    /// The overdue requests, oldest due date first.
    pub overdue_requests: Vec<OpenRequest>,
    /// The requests due soon, earliest due date first.
    pub due_soon_requests: Vec<OpenRequest>,
    /// Open requests whose events do not replay (corrupt or hand-edited registers): their tracking
    /// numbers, so that someone looks at them.
    pub unreadable: Vec<String>,
}

impl RequestFigures {
    /// Adds another agency's counts (the lists, the rate and the median are left as they are:
    /// they do not sum).
    pub fn add(&mut self, f: &RequestFigures) {
        self.received += f.received;
        self.open += f.open;
        self.due_soon += f.due_soon;
        self.overdue += f.overdue;
        self.replied += f.replied;
        self.replied_on_time += f.replied_on_time;
        self.withdrawn += f.withdrawn;
        for (k, v) in &f.outcomes {
            *self.outcomes.entry(k.clone()).or_default() += v;
        }
    }
}

/// One year of a subtree's requests, summed over its agencies (trends).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrendPoint {
    /// The year.
    pub year: i32,
    /// Received (Art. 31 date) in the year.
    pub received: i64,
    /// Replied to in the year.
    pub replied: i64,
    /// Of those, on or before the due date.
    pub replied_on_time: i64,
    /// replied_on_time / replied; `null` when none was replied to.
    pub on_time_rate: Option<f64>,
    /// Withdrawn in the year.
    pub withdrawn: i64,
    /// Replies by outcome (the table-3 row path).
    pub outcomes: BTreeMap<String, i64>,
    /// 行政复议 of the year as table 4 counts them (its 总计: decided in the year, or filed by
    /// its end and still pending), summed over the agencies' reports generated from the registers.
    pub reviews: i64,
    /// 行政诉讼 of the year as table 4 counts them: the 总计 of 未经复议直接起诉 plus that of
    /// 复议后起诉.
    pub litigations: i64,
    /// Table 4's 结果纠正 of the three groups: reviews and suits decided in the year with the
    /// agency's act corrected.
    pub corrected: i64,
    /// Proactive disclosures published in the year (主动公开登记).
    pub proactive_items: i64,
    /// Table 2, summed over the agencies that recorded it: 规范性文件 issued; `null` when none did.
    pub normative_issued: Option<i64>,
    /// 行政许可 decisions (table 2); `null` when no agency recorded it.
    pub licensing_decisions: Option<i64>,
    /// 行政处罚 decisions (table 2); `null` when no agency recorded it.
    pub penalty_decisions: Option<i64>,
}

/// Per agency: the annual report of the year.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReportFigures {
    /// Not started, draft, published on time, published late, missing.
    pub status: ReportStatus,
    /// The status in Chinese.
    pub status_label: &'static str,
    /// The Art. 49 deadline.
    pub deadline: Option<NaiveDate>,
    /// The publication date, if published.
    pub published_on: Option<NaiveDate>,
    /// Findings of severity error of the generated report.
    pub errors: usize,
    /// Findings of severity warning.
    pub warnings: usize,
    /// Register entries that cannot be counted (the report is then left out of the roll-up).
    pub register_errors: usize,
    /// Changes after publication (`quality.amended`): for a report generated from the
    /// registers, the amendments recorded under the period lock for the year; for an imported
    /// published report, how many times the agency republished the year's report with other
    /// figures (its imports not withdrawn, in publication order,
    /// [`quality::republished_changes`]).
    pub amendments: i64,
    /// `null` when the report is generated from the registers; the file when it is an imported
    /// published report (来自已发布文件, the store's `add_published_report`): the newest import of
    /// the agency and year not withdrawn (its `withdraw_published_report`).
    pub source: Option<ReportSource>,
}

/// One agency of the overview.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AgencyOverview {
    /// The agency's code.
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its parent's code.
    pub parent: Option<String>,
    /// Its kind.
    pub kind: AgencyKind,
    /// Requests.
    pub requests: RequestFigures,
    /// The annual report's status.
    pub report: ReportFigures,
    /// The quality scorecard of the (generated) report.
    pub scorecard: Scorecard,
}

/// The overview of a subtree for a year, as of a day.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Overview {
    /// The root agency's code.
    pub agency: String,
    /// Its name.
    pub name: String,
    /// The report year.
    pub year: i32,
    /// The day open requests are judged on.
    pub today: NaiveDate,
    /// Every agency of the subtree: the root first, then by depth and code.
    pub agencies: Vec<AgencyOverview>,
    /// The sums of the request figures over the subtree (lists left empty).
    pub totals: RequestFigures,
    /// Tables 2–4 of the generated reports summed (a canonical report).
    pub rollup: Report,
    /// The agencies summed.
    pub included: Vec<String>,
    /// The agencies without a countable report (register errors).
    pub missing: Vec<String>,
    /// Reports that could not be summed, with the reason.
    pub excluded: Vec<Excluded>,
}

/// The report side of an overview (see [`judge_reports`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ReportsOverview {
    /// Per agency, in subtree order: status and scorecard.
    pub agencies: Vec<(String, ReportFigures, Scorecard)>,
    /// The roll-up.
    pub rollup: rollup::RollUp,
}

/// What the overview keeps of an agency's year (a row of the store's overview cache):
/// everything of the year that depends neither on the day it is looked at nor on the other
/// agencies of the subtree. Computed by [`year_figures`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct YearFigures {
    /// The report generated from the registers (with the narratives and publication date).
    pub report: Report,
    /// Its findings (`rules::check`, as a government's report or not by the agency's kind).
    pub findings: Vec<rules::Finding>,
    /// Register entries that cannot be counted.
    pub register_errors: usize,
    /// Whether any section text is written for the year.
    pub has_text: bool,
    /// Received in the year.
    pub received: i64,
    /// Replied to in the year.
    pub replied: i64,
    /// Of those, on or before the due date.
    pub replied_on_time: i64,
    /// Withdrawn in the year.
    pub withdrawn: i64,
    /// Replies by outcome (table-3 row path).
    pub outcomes: BTreeMap<String, i64>,
    /// The median working days from receipt to reply.
    pub median_working_days: Option<f64>,
}

/// The requests of an agency finished (replied to or withdrawn) in a year ([`finished_in_year`]).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Done {
    /// Replied to.
    pub replied: i64,
    /// Of those, on or before the due date.
    pub replied_on_time: i64,
    /// Withdrawn.
    pub withdrawn: i64,
    /// Replies by outcome (table-3 row path).
    pub outcomes: BTreeMap<String, i64>,
    /// Working days from receipt to reply, one per reply.
    pub days: Vec<u32>,
}

/// An agency's [`YearFigures`]: the report generated from `input` and checked by the rules (as a
/// government's report or not, by the agency's kind), with the year's requests received and
/// finished.
pub fn year_figures(cal: &Calendar, input: &YearInput, received: i64, done: Done) -> YearFigures {
    let government = input.agency.kind == AgencyKind::Government;
    let generated = generate::build(cal, input);
    let findings =
        rules::check(&generated.report, &CheckContext { previous: None, government_report: Some(government) });
    let mut days = done.days;
    YearFigures {
        report: generated.report,
        findings,
        register_errors: generated.errors.len(),
        has_text: !input.narratives.is_empty(),
        received,
        replied: done.replied,
        replied_on_time: done.replied_on_time,
        withdrawn: done.withdrawn,
        outcomes: done.outcomes,
        median_working_days: median(&mut days),
    }
}

/// Per agency, the requests replied to or withdrawn in `year` (each with every event, whatever
/// its date): counted by how they ended, a reply judged on time against the due date its events
/// give (Art. 33), and the working days it took. A request with only its reply needs only the
/// receipt date: memoised per date.
pub fn finished_in_year(cal: &Calendar, year: i32, requests: Vec<(Request, Vec<Event>)>) -> HashMap<String, Done> {
    let mut out: HashMap<String, Done> = HashMap::new();
    let (Some(first), Some(last)) = (NaiveDate::from_ymd_opt(year, 1, 1), NaiveDate::from_ymd_opt(year, 12, 31)) else {
        return out;
    };
    let earliest = requests.iter().map(|(r, _)| r.received_on).min().unwrap_or(first).min(first);
    let index = WorkingDayIndex::new(cal, earliest, last);
    let mut simple_due: HashMap<NaiveDate, Option<NaiveDate>> = HashMap::new();
    for (request, events) in requests {
        let f = out.entry(request.agency.clone()).or_default();
        let Some(fin) = events.iter().find(|e| matches!(e.kind, EventKind::Reply { .. } | EventKind::Withdrawal))
        else {
            continue;
        };
        let on = fin.on;
        match &fin.kind {
            EventKind::Withdrawal => {
                f.withdrawn += 1;
                continue;
            }
            EventKind::Reply { outcome, .. } => {
                f.replied += 1;
                *f.outcomes.entry(template::t3_row(*outcome).path.to_string()).or_default() += 1;
            }
            _ => continue,
        }
        let due = if events.len() == 1 {
            *simple_due
                .entry(request.received_on)
                .or_insert_with(|| clock::due_date(cal, &DeadlineInput::new(request.received_on)).ok().map(|d| d.due))
        } else {
            lifecycle::replay(cal, &request, &events).ok().map(|s| s.deadline.due)
        };
        if due.is_some_and(|d| on <= d) {
            f.replied_on_time += 1;
        }
        if let Some(n) = index.between(request.received_on, on) {
            f.days.push(n);
        }
    }
    out
}

/// Per agency, the requests open on `today` among `requests` (those without a reply or
/// withdrawal dated on or before it), replayed for their due date: open, due soon, overdue and
/// their lists, and those whose events do not replay. Events dated after `today` (recorded ahead)
/// are not known yet on `today`.
pub fn open_on(
    cal: &Calendar,
    today: NaiveDate,
    requests: impl IntoIterator<Item = (Request, Vec<Event>)>,
) -> HashMap<String, RequestFigures> {
    let mut figures: HashMap<String, RequestFigures> = HashMap::new();
    // A request without events replays the same for the same receipt date, channel and
    // applicant type (most open requests): memoised.
    type Key = (NaiveDate, String, String);
    let mut plain: HashMap<Key, Option<(NaiveDate, lifecycle::Status)>> = HashMap::new();
    for (request, events) in requests {
        let f = figures.entry(request.agency.clone()).or_default();
        let events: Vec<Event> = events.into_iter().filter(|e| e.on <= today).collect();
        f.open += 1;
        let judge = |request: &Request| {
            lifecycle::replay(cal, request, &events).ok().map(|state| {
                (state.deadline_on(cal, today).map_or(state.deadline.due, |d| d.due), state.status(cal, today))
            })
        };
        let judged = if events.is_empty() {
            let key = (request.received_on, format!("{:?}", request.channel), format!("{:?}", request.applicant.kind));
            *plain.entry(key).or_insert_with(|| judge(&request))
        } else {
            judge(&request)
        };
        let Some((due, status)) = judged else {
            f.unreadable.push(request.tracking_number);
            continue;
        };
        let item = OpenRequest { tracking_number: request.tracking_number, received_on: request.received_on, due };
        match status {
            lifecycle::Status::Overdue => {
                f.overdue += 1;
                f.overdue_requests.push(item);
            }
            lifecycle::Status::DueSoon => {
                f.due_soon += 1;
                f.due_soon_requests.push(item);
            }
            _ => {}
        }
    }
    figures
}

/// The request figures of every agency (in the order given): the year's from its
/// [`YearFigures`], the open ones of the day from `open` ([`open_on`]); lists sorted by due date.
pub fn request_figures(
    agencies: Vec<Agency>,
    years: &HashMap<String, YearFigures>,
    mut open: HashMap<String, RequestFigures>,
) -> Result<Vec<(Agency, RequestFigures)>, SuperviseError> {
    let mut out = Vec::with_capacity(agencies.len());
    for a in agencies {
        let Some(y) = years.get(&a.code) else {
            return Err(SuperviseError::Missing { what: "year figures", agency: a.code });
        };
        let mut f = open.remove(&a.code).unwrap_or_default();
        f.received = y.received;
        f.replied = y.replied;
        f.replied_on_time = y.replied_on_time;
        f.withdrawn = y.withdrawn;
        f.outcomes = y.outcomes.clone();
        f.on_time_rate = rate(f.replied_on_time, f.replied);
        f.median_working_days = y.median_working_days;
        f.overdue_requests.sort_by(|x, y| (x.due, &x.tracking_number).cmp(&(y.due, &y.tracking_number)));
        f.due_soon_requests.sort_by(|x, y| (x.due, &x.tracking_number).cmp(&(y.due, &y.tracking_number)));
        f.unreadable.sort();
        out.push((a, f));
    }
    Ok(out)
}

/// An imported published report of an agency's year, not withdrawn.
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    /// The report read from the file.
    pub report: Report,
    /// Its publication date (Art. 49 timeliness).
    pub published_on: NaiveDate,
    /// The file.
    pub source: ReportSource,
}

/// What the report side of the overview reads besides the agencies' [`YearFigures`]: what may
/// change by the day or with the subtree.
#[derive(Debug, Clone, Default)]
pub struct ReportRows {
    /// The publication records of the year (`None`: a record without a date, i.e. a draft).
    pub publications: HashMap<String, Option<NaiveDate>>,
    /// Amendments recorded under the period lock for the year.
    pub amendments: HashMap<String, i64>,
    /// Last year's problems sections written in gongkai.
    pub previous_problems: HashMap<String, String>,
    /// Last year's imported published reports (the newest import of each agency).
    pub previous_imported: HashMap<String, Report>,
    /// The year's imported published reports, each agency's in publication order (by date,
    /// then by when imported).
    pub imported: HashMap<String, Vec<Imported>>,
}

/// One agency's report as the overview judges it: generated from the registers, or read from
/// an imported published file.
struct Judged<'a> {
    report: Cow<'a, Report>,
    findings: Cow<'a, [rules::Finding]>,
    /// Whether anything is written for the year (section texts, or a published file).
    has_text: bool,
    /// Register entries that cannot be counted (generated reports only).
    register_errors: usize,
    published_on: Option<NaiveDate>,
    source: Option<ReportSource>,
    /// Imported reports: how many times the year's report was republished with other figures.
    republished_changes: usize,
}

/// The status of a report against its Art. 49 deadline on `today`.
pub fn report_status(
    published_on: Option<NaiveDate>,
    deadline: Option<NaiveDate>,
    today: NaiveDate,
    started: bool,
) -> ReportStatus {
    match (published_on, deadline) {
        (Some(p), Some(d)) if p > d => ReportStatus::PublishedLate,
        (Some(_), _) => ReportStatus::PublishedOnTime,
        (None, Some(d)) if today > d => ReportStatus::Missing,
        (None, _) if started => ReportStatus::Draft,
        (None, _) => ReportStatus::NotStarted,
    }
}

/// The report side of the overview of `year` on `today`: each agency's report — the one
/// generated from its registers, or, when it has not published in gongkai but its published file
/// was imported, that file's (the newest import) — checked, given its status against the Art. 49
/// deadline, scored (the problems sections compared with each other and with last year's), and
/// rolled up (a report with register errors left out).
pub fn judge_reports(
    agencies: &[Agency],
    years: &HashMap<String, YearFigures>,
    mut rows: ReportRows,
    year: i32,
    today: NaiveDate,
) -> Result<ReportsOverview, SuperviseError> {
    // Last year's text written in gongkai comes first, as before imports existed.
    for (agency, report) in &rows.previous_imported {
        if let Some(text) = quality::section_text(report, SectionKey::Problems) {
            rows.previous_problems.entry(agency.clone()).or_insert_with(|| text.to_string());
        }
    }
    let mut built = Vec::with_capacity(agencies.len());
    for a in agencies {
        let government = a.kind == AgencyKind::Government;
        let published_here = rows.publications.get(&a.code).copied().flatten().is_some();
        let imports = if published_here { None } else { rows.imported.remove(&a.code) };
        if let Some(imports) = imports {
            // Republished with other figures: `quality.amended` for an imported report.
            let changes = quality::republished_changes(imports.iter().map(|p| &p.report));
            if let Some(p) = imports.into_iter().last() {
                let findings =
                    rules::check(&p.report, &CheckContext { previous: None, government_report: Some(government) });
                built.push(Judged {
                    report: Cow::Owned(p.report),
                    findings: Cow::Owned(findings),
                    has_text: true,
                    register_errors: 0,
                    published_on: Some(p.published_on),
                    source: Some(p.source),
                    republished_changes: changes,
                });
                continue;
            }
        }
        let Some(y) = years.get(&a.code) else {
            return Err(SuperviseError::Missing { what: "year figures", agency: a.code.clone() });
        };
        built.push(Judged {
            report: Cow::Borrowed(&y.report),
            findings: Cow::Borrowed(&y.findings),
            has_text: y.has_text,
            register_errors: y.register_errors,
            published_on: y.report.published_on,
            source: None,
            republished_changes: 0,
        });
    }

    // The problems sections compared with each other.
    let problems: Vec<&str> =
        built.iter().map(|b| quality::section_text(&b.report, SectionKey::Problems).unwrap_or("")).collect();
    let nearest = quality::nearest_peers(&problems, quality::SIMILARITY_THRESHOLD);

    let mut out = Vec::with_capacity(agencies.len());
    for (i, (a, b)) in agencies.iter().zip(&built).enumerate() {
        let government = a.kind == AgencyKind::Government;
        let deadline = quality::art49_deadline(year, government);
        let status =
            report_status(b.published_on, deadline, today, b.has_text || rows.publications.contains_key(&a.code));
        let count = |s: Severity| b.findings.iter().filter(|f| f.severity == s).count();
        // A generated report's changes are the amendments under the period lock; an
        // imported one's, its republications with other figures.
        let (amended, counted) = match b.source {
            None => (rows.amendments.get(&a.code).copied().unwrap_or(0), AmendmentBasis::Registers),
            Some(_) => (i64::try_from(b.republished_changes).unwrap_or(i64::MAX), AmendmentBasis::Republications),
        };
        let card = quality::scorecard(&QualityInput {
            report: Some(&b.report),
            findings: Some(&b.findings),
            government_report: Some(government),
            today: Some(today),
            previous_problems: rows.previous_problems.get(&a.code).map(String::as_str),
            nearest_peer: nearest
                .get(i)
                .copied()
                .flatten()
                .and_then(|(j, s)| Some(Nearest { other: agencies.get(j)?.code.clone(), similarity: s })),
            amendments: Some(usize::try_from(amended).unwrap_or(0)),
            amendments_counted: counted,
        });
        out.push((
            a.code.clone(),
            ReportFigures {
                status,
                status_label: status.label(),
                deadline,
                published_on: b.published_on,
                errors: count(Severity::Error),
                warnings: count(Severity::Warning),
                register_errors: b.register_errors,
                amendments: amended,
                source: b.source.clone(),
            },
            card,
        ));
    }

    let members: Vec<Member<'_>> = agencies
        .iter()
        .zip(&built)
        .map(|(a, b)| Member { code: &a.code, report: (b.register_errors == 0).then_some(&*b.report) })
        .collect();
    let root_name = agencies.first().map(|a| a.name.as_str());
    let rollup = rollup::roll_up(root_name, year, &members).map_err(|e| SuperviseError::RollUp(e.to_string()))?;
    Ok(ReportsOverview { agencies: out, rollup })
}

/// The whole overview of `root`'s subtree: the request side ([`request_figures`]) and the report
/// side ([`judge_reports`]) joined per agency, with the subtree's totals.
pub fn overview(
    root: &str,
    year: i32,
    today: NaiveDate,
    requests: Vec<(Agency, RequestFigures)>,
    reports: ReportsOverview,
) -> Result<Overview, SuperviseError> {
    let mut totals = RequestFigures::default();
    let mut report_by_code: HashMap<String, (ReportFigures, Scorecard)> =
        reports.agencies.into_iter().map(|(c, r, s)| (c, (r, s))).collect();
    let mut agencies = Vec::with_capacity(requests.len());
    for (a, f) in requests {
        totals.add(&f);
        let Some((report, scorecard)) = report_by_code.remove(&a.code) else {
            return Err(SuperviseError::Missing { what: "report", agency: a.code });
        };
        agencies.push(AgencyOverview {
            code: a.code,
            name: a.name,
            parent: a.parent,
            kind: a.kind,
            requests: f,
            report,
            scorecard,
        });
    }
    // The subtree's median is not the median of the agencies' medians: left out (null).
    totals.on_time_rate = rate(totals.replied_on_time, totals.replied);
    let (agency, name) =
        agencies.first().map(|a| (a.code.clone(), a.name.clone())).unwrap_or_else(|| (root.to_string(), String::new()));
    Ok(Overview {
        agency,
        name,
        year,
        today,
        agencies,
        totals,
        rollup: reports.rollup.report,
        included: reports.rollup.included,
        missing: reports.rollup.missing,
        excluded: reports.rollup.excluded,
    })
}

impl TrendPoint {
    /// The point of `year` with nothing counted yet.
    pub fn empty(year: i32) -> TrendPoint {
        TrendPoint {
            year,
            received: 0,
            replied: 0,
            replied_on_time: 0,
            on_time_rate: None,
            withdrawn: 0,
            outcomes: BTreeMap::new(),
            reviews: 0,
            litigations: 0,
            corrected: 0,
            proactive_items: 0,
            normative_issued: None,
            licensing_decisions: None,
            penalty_decisions: None,
        }
    }

    /// Adds an agency's year: its requests, and table 4 of the report generated from its
    /// registers, so that the series say what the reports say (Art. 50 table 4: a case decided in
    /// the year, or pending at its end). The rate is recomputed.
    pub fn add_year(&mut self, y: &YearFigures) {
        self.received += y.received;
        self.replied += y.replied;
        self.replied_on_time += y.replied_on_time;
        self.withdrawn += y.withdrawn;
        for (k, n) in &y.outcomes {
            *self.outcomes.entry(k.clone()).or_default() += n;
        }
        if let Some(t4) = &y.report.review_litigation {
            let cell = |g: CaseGroup, r: CaseResult| t4.group(g).get(r).unwrap_or(0);
            self.reviews += cell(CaseGroup::Review, CaseResult::Total);
            self.litigations += cell(CaseGroup::LitigationDirect, CaseResult::Total)
                + cell(CaseGroup::LitigationAfterReview, CaseResult::Total);
            self.corrected += CaseGroup::ALL.iter().map(|g| cell(*g, CaseResult::Corrected)).sum::<i64>();
        }
        self.on_time_rate = rate(self.replied_on_time, self.replied);
    }
}

/// Checks a trend's years: `first..=last`, at most [`MAX_TREND_YEARS`].
pub fn trend_years(first: i32, last: i32) -> Result<std::ops::RangeInclusive<i32>, SuperviseError> {
    if last < first || i64::from(last) - i64::from(first) >= i64::from(MAX_TREND_YEARS) {
        return Err(SuperviseError::TrendYears { first, last });
    }
    Ok(first..=last)
}

/// The default report year on `today`: the year before (the report due by 31 January / 31 March).
pub fn default_year(today: NaiveDate) -> i32 {
    today.year() - 1
}

/// `on_time / all`; `None` when there is none.
fn rate(on_time: i64, all: i64) -> Option<f64> {
    (all > 0).then(|| on_time as f64 / all as f64)
}

/// Working days counted from a fixed origin, for "working days from receipt to reply" in O(1).
struct WorkingDayIndex {
    first: NaiveDate,
    cumulative: Vec<u32>,
}

impl WorkingDayIndex {
    fn new(cal: &Calendar, first: NaiveDate, last: NaiveDate) -> WorkingDayIndex {
        let mut cumulative = Vec::new();
        let mut n = 0u32;
        let mut d = first;
        while d <= last {
            if cal.is_working_day(d) {
                n += 1;
            }
            cumulative.push(n);
            match d.succ_opt() {
                Some(next) => d = next,
                None => break,
            }
        }
        WorkingDayIndex { first, cumulative }
    }

    fn at(&self, d: NaiveDate) -> Option<u32> {
        let i = usize::try_from((d - self.first).num_days()).ok()?;
        self.cumulative.get(i).copied()
    }

    /// Working days after `from` up to and including `to`.
    fn between(&self, from: NaiveDate, to: NaiveDate) -> Option<u32> {
        Some(self.at(to)?.saturating_sub(self.at(from)?))
    }
}

fn median(v: &mut [u32]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    let m = v.len() / 2;
    Some(if v.len() % 2 == 1 { f64::from(v[m]) } else { (f64::from(v[m - 1]) + f64::from(v[m])) / 2.0 })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::register::{Applicant, ApplicantType, Channel};
    use crate::report::RequestRow;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn request(agency: &str, number: &str, received_on: NaiveDate) -> Request {
        Request {
            agency: agency.into(),
            tracking_number: number.into(),
            channel: Channel::Online,
            received_on,
            applicant: Applicant {
                id_document_type: None,
                kind: ApplicantType::NaturalPerson,
                name: String::new(),
                id_document: None,
                contact: None,
            },
            content: String::new(),
            requested_form: None,
            delivery: None,
        }
    }

    fn reply(on: NaiveDate) -> Event {
        Event { on, by: "张三".into(), kind: EventKind::Reply { outcome: RequestRow::Granted, document: None } }
    }

    #[test]
    fn a_report_s_status_follows_the_art49_deadline() {
        let deadline = quality::art49_deadline(2025, true);
        assert_eq!(deadline, Some(d(2026, 3, 31)));
        let status = |published, today, started| report_status(published, deadline, today, started);
        assert_eq!(status(Some(d(2026, 3, 31)), d(2026, 12, 7), true), ReportStatus::PublishedOnTime);
        assert_eq!(status(Some(d(2026, 4, 1)), d(2026, 12, 7), true), ReportStatus::PublishedLate);
        assert_eq!(status(None, d(2026, 4, 1), false), ReportStatus::Missing);
        assert_eq!(status(None, d(2026, 3, 31), true), ReportStatus::Draft);
        assert_eq!(status(None, d(2026, 3, 31), false), ReportStatus::NotStarted);
        // A department's report is due by 31 January (Art. 49).
        assert_eq!(quality::art49_deadline(2025, false), Some(d(2026, 1, 31)));
    }

    #[test]
    fn replies_are_on_time_against_the_statutory_due_date() {
        let cal = Calendar::official();
        // Received Monday 2025-03-03: 20 working days (Art. 33) end on Monday 2025-03-31.
        let due = clock::due_date(&cal, &DeadlineInput::new(d(2025, 3, 3))).unwrap().due;
        assert_eq!(due, d(2025, 3, 31));
        let done = finished_in_year(
            &cal,
            2025,
            vec![
                (request("A", "1", d(2025, 3, 3)), vec![reply(due)]),
                (request("A", "2", d(2025, 3, 3)), vec![reply(d(2025, 4, 1))]),
                (
                    request("A", "3", d(2025, 3, 3)),
                    vec![Event { on: d(2025, 3, 10), by: "张三".into(), kind: EventKind::Withdrawal }],
                ),
            ],
        );
        let a = &done["A"];
        assert_eq!((a.replied, a.replied_on_time, a.withdrawn), (2, 1, 1));
        assert_eq!(a.outcomes.get("outcomes.granted"), Some(&2));
        // Receipt day not counted, reply day counted: 20 and 21 working days.
        assert_eq!(a.days, vec![20, 21]);
    }

    #[test]
    fn open_requests_are_due_soon_or_overdue_on_the_day_asked() {
        let cal = Calendar::official();
        let requests = || {
            vec![
                (request("A", "old", d(2025, 3, 3)), vec![]),
                (request("A", "new", d(2025, 3, 24)), vec![]),
                // Replied after the day asked: still open on that day.
                (request("A", "ahead", d(2025, 3, 3)), vec![reply(d(2025, 4, 2))]),
            ]
        };
        let on = open_on(&cal, d(2025, 4, 1), requests());
        let a = &on["A"];
        assert_eq!((a.open, a.overdue, a.due_soon), (3, 2, 0));
        let mut late: Vec<&str> = a.overdue_requests.iter().map(|r| r.tracking_number.as_str()).collect();
        late.sort_unstable();
        assert_eq!(late, ["ahead", "old"]);
        // On the due date itself: due soon, not overdue.
        let on = open_on(&cal, d(2025, 3, 31), requests());
        assert_eq!((on["A"].overdue, on["A"].due_soon), (0, 2));
    }

    #[test]
    fn a_trend_is_one_to_twenty_years() {
        assert_eq!(trend_years(2021, 2025).unwrap().count(), 5);
        assert_eq!(trend_years(2006, 2025).unwrap().count(), 20);
        assert!(matches!(trend_years(2005, 2025), Err(SuperviseError::TrendYears { .. })));
        assert!(trend_years(2025, 2024).is_err());
        assert_eq!(default_year(d(2026, 1, 1)), 2025);
    }

    #[test]
    fn an_agency_without_its_year_is_an_error_not_a_zero() {
        let a = Agency { code: "A".into(), name: "甲".into(), parent: None, kind: AgencyKind::Government };
        let err = request_figures(vec![a], &HashMap::new(), HashMap::new()).unwrap_err();
        assert_eq!(err, SuperviseError::Missing { what: "year figures", agency: "A".into() });
    }
}
