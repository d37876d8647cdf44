//! Publishing a year's annual report (Art. 50) locks the year's registers: the report as
//! published stays what the public read, and any later change is an amendment with a reason,
//! shown in the report. The console's 发布 button and `gongkai report publish` both call
//! [`check`] (the page or the listing the approver reads) and then [`publish`].
//!
//! Publishing is safe by rule, not by habit: [`check`] runs every consistency rule on the report
//! as it would be published — with the date chosen, so the Art. 49 deadline is checked against
//! it — and lists what is wrong (errors, which block), what deserves a second look (warnings and
//! empty sections, which the approver must accept explicitly) and what the publication locks.
//! [`publish`] runs the same check again and publishes only when nothing blocks and the approver
//! accepted exactly the warnings it finds now ([`Confirmation`]).

use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use gongkai_core::calendar::Calendar;
use gongkai_core::generate;
use gongkai_core::register::{Agency, AgencyKind};
use gongkai_core::report::SectionKey;
use gongkai_core::rules::{self, CheckContext, Finding, Severity};
use gongkai_core::template;
use gongkai_store::{AuditNote, Publication, Store, StoreError};
use sha2::{Digest, Sha256};

use crate::{year, Actor, AppError, Clock};

/// The first report year: the Regulations took effect on 1 May 2008 (Decree 492), and the
/// first annual reports cover 2008.
pub const FIRST_YEAR: i32 = 2008;

/// The audit event type of publishing.
pub const AUDIT_EVENT: &str = "report.publish";

/// What the approver reads before publishing (发布前核对): the report as it would be published
/// on the chosen date, checked by every rule.
#[derive(Debug, Clone)]
pub struct PublishCheck {
    /// The agency.
    pub agency: Agency,
    /// The report year.
    pub year: i32,
    /// The publication date chosen (the Art. 49 deadline is checked against it).
    pub published_on: NaiveDate,
    /// Register entries that cannot be counted, each a message: they block.
    pub uncountable: Vec<String>,
    /// Findings of the rules' error severity (a table that does not add up, a narrative figure
    /// against its table): they block.
    pub errors: Vec<Finding>,
    /// Findings of warning severity (the Art. 49 lateness among them): accepted explicitly.
    pub warnings: Vec<Finding>,
    /// The titles of the sections whose text is empty: accepted explicitly (Art. 50 names what
    /// the report contains; an empty 总体情况 is rarely what the office meant).
    pub empty_sections: Vec<EmptySection>,
    /// What publishing locks.
    pub locks: Locks,
}

/// A section of the report with no text, or whose statistical table will be empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmptySection {
    /// The official title (「一、总体情况」).
    pub title: &'static str,
    /// What is missing, when more than the text needs saying (「统计表已由登记数据生成，无文字说明」).
    pub note: &'static str,
}

/// What publishing a year locks: the register entries of the year, which change afterwards only
/// as amendments with a reason, shown in the report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Locks {
    /// 申请登记: requests received in the year.
    pub requests: usize,
    /// Requests of earlier years still open during the year (上年结转).
    pub carried_over: usize,
    /// 复议诉讼案件 counted in the year.
    pub cases: usize,
    /// 主动公开登记: disclosures published in the year.
    pub proactive: usize,
    /// Whether the Art. 20 figures (table 2) are recorded.
    pub article20: bool,
    /// 报告正文章节 with text.
    pub narratives: usize,
}

impl PublishCheck {
    /// Whether anything blocks publishing.
    pub fn blocked(&self) -> bool {
        !self.uncountable.is_empty() || !self.errors.is_empty()
    }

    /// Whether the approver must accept something before publishing.
    pub fn needs_acceptance(&self) -> bool {
        !self.warnings.is_empty() || !self.empty_sections.is_empty()
    }

    /// The approver's view of the check in a few characters: two checks with the same
    /// fingerprint show the same date, the same problems and the same empty sections. The
    /// console's confirmation form carries it, so that what is published is what was read.
    pub fn fingerprint(&self) -> String {
        let mut h = Sha256::new();
        h.update(format!("{}/{}/{}\n", self.agency.code, self.year, self.published_on));
        for m in &self.uncountable {
            h.update(format!("u {m}\n"));
        }
        for f in self.errors.iter().chain(&self.warnings) {
            h.update(format!("f {} {}\n", f.rule, f.message));
        }
        for s in &self.empty_sections {
            h.update(format!("s {}\n", s.title));
        }
        h.finalize().iter().take(8).map(|b| format!("{b:02x}")).collect()
    }
}

/// How the approver confirmed the publication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmation<'a> {
    /// `gongkai report publish --yes`: every warning and empty section accepted, whatever they
    /// are (errors still block).
    Given,
    /// The [`PublishCheck::fingerprint`] of the check the approver read (the console's
    /// confirmation page, the terminal's prompt): a check that finds something else now is not
    /// the one read. `accepted`: the approver ticked 「我已阅读……确认发布」 (the prompt's answer
    /// is one), needed when the check warns.
    Of {
        /// The fingerprint read.
        seen: &'a str,
        /// Whether the warnings and empty sections were accepted.
        accepted: bool,
    },
}

/// The pre-publication check of `agency`'s report of `year` as published on `published_on`.
///
/// Refused, with the field named, when: the year is before 2008 or not yet over; the date is not
/// after the report year or is after today (a publication is recorded when it happens, never
/// ahead); the year is already published (a change afterwards is an amendment with a reason,
/// never a second publication).
pub async fn check(
    store: &Store,
    cal: Arc<Calendar>,
    clock: &Clock,
    code: &str,
    year: i32,
    published_on: NaiveDate,
) -> Result<PublishCheck, AppError> {
    let today = clock.today();
    if year < FIRST_YEAR || year >= today.year() {
        return Err(AppError::invalid(
            "year",
            format!("报告年度须在 {FIRST_YEAR} 年至 {} 年之间（年度结束后才能发布该年度报告）", today.year() - 1),
        ));
    }
    if published_on.year() <= year {
        return Err(AppError::invalid(
            "published_on",
            format!("发布日期须在 {year} 年之后（年度报告在年度结束后发布）"),
        ));
    }
    if published_on > today {
        return Err(AppError::invalid(
            "published_on",
            format!("发布日期 {published_on} 晚于今天（{today}），请填写实际发布日期"),
        ));
    }
    let agency = year::agency(store, code).await?;
    if let Some(p) = store.get_publication(&agency.code, year).await? {
        if p.locked {
            let on = p.published_on.map(|d| format!("已于 {d} 发布")).unwrap_or_else(|| "已发布".into());
            return Err(AppError::Conflict(format!(
                "{year} 年度报告{on}并已锁定，不能再次发布；发布后修改登记数据须作为更正并说明理由"
            )));
        }
    }
    let (mut input, locks) = year::year_input_counted(store, &agency, year).await?;
    input.published_on = Some(published_on);
    // The year rules compare with last year's report when that one is published.
    let previous = match store.get_publication(&agency.code, year - 1).await? {
        Some(p) if p.published_on.is_some() => year::generate(store, Arc::clone(&cal), &agency, year - 1).await.ok(),
        _ => None,
    };
    let government = agency.kind == AgencyKind::Government;
    let built = tokio::task::spawn_blocking(move || {
        let built = generate::build(&cal, &input);
        let ctx = CheckContext { previous: previous.as_ref(), government_report: Some(government) };
        let findings = rules::check(&built.report, &ctx);
        (built, findings)
    })
    .await
    .map_err(|e| AppError::Internal(format!("报告生成任务未完成：{e}")))?;
    let (built, findings) = built;
    let (mut errors, mut warnings) = (Vec::new(), Vec::new());
    for f in findings {
        match f.severity {
            Severity::Error => errors.push(f),
            Severity::Warning => warnings.push(f),
            Severity::Info => {}
        }
    }
    let report = &built.report;
    let empty_sections = template::SECTIONS
        .iter()
        .filter(|spec| spec.required)
        .filter_map(|spec| {
            let text = report.sections.iter().any(|s| s.key == Some(spec.key) && !s.text.trim().is_empty());
            let table = match spec.key {
                SectionKey::Proactive => Some(report.proactive.is_some()),
                SectionKey::Requests => Some(report.requests.is_some()),
                SectionKey::ReviewLitigation => Some(report.review_litigation.is_some()),
                _ => None,
            };
            let note = match (text, table) {
                (true, None | Some(true)) => return None,
                (false, None) => "",
                (false, Some(true)) => "统计表已由登记数据生成，无文字说明",
                // Table 2 comes from the Art. 20 figures, which are entered, not counted.
                (false, Some(false)) => "无文字说明，统计表也无数据：第二十条统计数据尚未登记",
                (true, Some(false)) => "统计表无数据：第二十条统计数据尚未登记",
            };
            Some(EmptySection { title: spec.title, note })
        })
        .collect();
    Ok(PublishCheck {
        agency,
        year,
        published_on,
        uncountable: built.errors.iter().map(|e| e.to_string()).collect(),
        errors,
        warnings,
        empty_sections,
        locks,
    })
}

/// Publishes `agency`'s report of `year` on `published_on` and locks the year.
///
/// The [`check`] runs again: its refusals stand; anything that blocks refuses
/// ([`AppError::NotReady`], [`AppError::Uncountable`]); warnings and empty sections not accepted
/// by `confirmation` refuse ([`AppError::Unconfirmed`]). Every attempt is audited, refused or not.
#[allow(clippy::too_many_arguments)] // the publication's own inputs: who, what, when, confirmed how
pub async fn publish(
    store: &Store,
    cal: Arc<Calendar>,
    clock: &Clock,
    actor: &Actor,
    agency: &str,
    year: i32,
    published_on: NaiveDate,
    confirmation: Confirmation<'_>,
) -> Result<Publication, AppError> {
    let target = format!("{agency}/{year}");
    let outcome = checked(store, cal, clock, actor, agency, year, published_on, confirmation).await;
    // A publication is audited in its own transaction (see `checked`); a refusal here.
    if let Err(e) = &outcome {
        actor.audit(store, clock, AUDIT_EVENT, &target, false, Some(e.to_string())).await;
    }
    outcome
}

#[allow(clippy::too_many_arguments)] // the use case's own inputs, passed through once
async fn checked(
    store: &Store,
    cal: Arc<Calendar>,
    clock: &Clock,
    actor: &Actor,
    code: &str,
    year: i32,
    published_on: NaiveDate,
    confirmation: Confirmation<'_>,
) -> Result<Publication, AppError> {
    let check = check(store, cal, clock, code, year, published_on).await?;
    // A report whose registers cannot all be counted is not published.
    if !check.uncountable.is_empty() {
        return Err(AppError::Uncountable(check.uncountable));
    }
    if !check.errors.is_empty() {
        return Err(AppError::NotReady(check.errors.iter().map(|f| f.message.clone()).collect()));
    }
    let refusal = match confirmation {
        Confirmation::Given => None,
        Confirmation::Of { seen, .. } if seen != check.fingerprint() => {
            Some("发布前核对的结果已有变化（登记数据或正文刚被修改），请重新核对后再确认发布".to_string())
        }
        Confirmation::Of { accepted, .. } => (check.needs_acceptance() && !accepted)
            .then(|| "请先勾选“我已阅读以上警告和未填写或无数据的章节，确认发布”".to_string()),
    };
    if let Some(why) = refusal {
        return Err(AppError::Unconfirmed(why));
    }
    let code = check.agency.code.as_str();
    let publication = Publication { agency: code.to_string(), year, published_on: Some(published_on), locked: true };
    // The check above holds only for what it read: the store publishes only a year still
    // unlocked when it holds the agency's lock (two approvers, a double click), and writes the
    // audit record with it.
    let audit = actor.event(AUDIT_EVENT, &format!("{code}/{year}"), true, Some(published_on.to_string()));
    store.publish_year(&publication, AuditNote { event: &audit, at: clock.now() }).await.map_err(|e| match e {
        StoreError::Changed { .. } => AppError::Conflict(format!(
            "{year} 年度报告刚刚已由他人发布并锁定，不能再次发布；发布后修改登记数据须作为更正并说明理由"
        )),
        e => AppError::Store(e),
    })?;
    Ok(publication)
}
