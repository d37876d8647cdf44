//! A report year as the registers hold it: the one builder of the generator's input, the draft
//! (what can be counted, what cannot, every rule's finding) and the notes of amendments made
//! after publication. `gongkai report generate`, the console's workspace, the portal's report
//! page and publishing all read a year through here.

use std::sync::Arc;

use chrono::Datelike;

use gongkai_core::calendar::Calendar;
use gongkai_core::generate::{self, YearInput};
use gongkai_core::register::Agency;
use gongkai_core::report::{ImportNote, Report, SectionKey};
use gongkai_core::rules::{self, CheckContext, Finding};
use gongkai_store::{Store, StoreError};

use crate::AppError;

/// What the report of a year is generated from: the registers, the office's narrative sections
/// and the publication date.
pub async fn year_input(store: &Store, agency: &Agency, year: i32) -> Result<YearInput, StoreError> {
    Ok(year_input_counted(store, agency, year).await?.0)
}

/// [`year_input`] with the count of what publishing the year locks (the pre-publication check
/// shows it).
pub async fn year_input_counted(
    store: &Store,
    agency: &Agency,
    year: i32,
) -> Result<(YearInput, crate::publish::Locks), StoreError> {
    let regs = store.load_year(&agency.code, year).await?;
    let received = regs.requests.iter().filter(|(r, _)| r.received_on.year() == year).count();
    let mut locks = crate::publish::Locks {
        requests: received,
        carried_over: regs.requests.len() - received,
        cases: regs.cases.len(),
        proactive: regs.proactive.len(),
        article20: regs.figures.is_some(),
        narratives: 0,
    };
    let narratives = store
        .list_narratives(&agency.code, year)
        .await?
        .into_iter()
        .filter_map(|(k, t)| SectionKey::from_name(&k).map(|k| (k, t)))
        .collect();
    let published_on = store.get_publication(&agency.code, year).await?.and_then(|p| p.published_on);
    let narratives: Vec<(SectionKey, String)> = narratives;
    locks.narratives = narratives.iter().filter(|(_, t)| !t.trim().is_empty()).count();
    let input = YearInput {
        agency: agency.clone(),
        year,
        requests: regs.requests,
        cases: regs.cases,
        figures: regs.figures,
        narratives,
        published_on,
    };
    Ok((input, locks))
}

/// The agency of `code` (trimmed; typed in another case, the one agency whose code it is
/// ignoring case), or [`AppError::UnknownAgency`] naming it.
pub async fn agency(store: &Store, code: &str) -> Result<Agency, AppError> {
    let code = code.trim();
    if let Some(a) = store.get_agency(code).await? {
        return Ok(a);
    }
    let mut alike = store.list_agencies().await?.into_iter().filter(|a| a.code.eq_ignore_ascii_case(code));
    match (alike.next(), alike.next()) {
        (Some(a), None) => Ok(a),
        _ => Err(AppError::UnknownAgency(code.to_string())),
    }
}

/// The draft of a year.
#[derive(Debug, Clone)]
pub struct Draft {
    /// The report of what can be counted.
    pub report: Report,
    /// The register entries that cannot be counted, each a message (empty = every entry counts).
    pub errors: Vec<String>,
    /// Every finding of the consistency rules on the report.
    pub findings: Vec<Finding>,
}

/// Generates the draft of a year. Generation is CPU work over the whole year, so it runs on the
/// blocking pool, off the async workers.
pub async fn draft(store: &Store, cal: Arc<Calendar>, agency: &Agency, year: i32) -> Result<Draft, AppError> {
    let input = year_input(store, agency, year).await?;
    tokio::task::spawn_blocking(move || {
        let built = generate::build(&cal, &input);
        let findings = rules::check(&built.report, &CheckContext::default());
        let errors = built.errors.iter().map(|e| e.to_string()).collect();
        Draft { report: built.report, errors, findings }
    })
    .await
    .map_err(|e| AppError::Internal(format!("报告生成任务未完成：{e}")))
}

/// The notes a generated report carries about the amendments made after its publication (the
/// report shows each change, Art. 50's report being a public record).
pub async fn amendment_notes(store: &Store, agency: &str, year: i32) -> Result<Vec<ImportNote>, StoreError> {
    let list = store.list_amendments(agency, year).await?;
    if list.is_empty() {
        return Ok(Vec::new());
    }
    let published = store
        .get_publication(agency, year)
        .await?
        .and_then(|p| p.published_on)
        .map(|d| format!("于 {d} 发布后"))
        .unwrap_or_else(|| "发布后".to_string());
    let mut notes = vec![ImportNote {
        path: "amendments".into(),
        line: None,
        message: format!("本年度报告{published}，登记数据有 {} 处更正（更正记录如下）", list.len()),
    }];
    notes.extend(list.iter().map(|a| ImportNote {
        path: "amendments".into(),
        line: None,
        message: format!(
            "更正：{} {} 修改 {}「{}」，理由：{}",
            a.at.get(..10).unwrap_or(&a.at),
            a.by,
            table_label(&a.record_table),
            a.record_key,
            a.reason
        ),
    }));
    Ok(notes)
}

/// The report of a year as generated from the registers, with its amendment notes; the
/// register entries that cannot be counted when it cannot be generated.
pub async fn generate(store: &Store, cal: Arc<Calendar>, agency: &Agency, year: i32) -> Result<Report, AppError> {
    let input = year_input(store, agency, year).await?;
    let built = tokio::task::spawn_blocking(move || generate::build(&cal, &input).into_result())
        .await
        .map_err(|e| AppError::Internal(format!("报告生成任务未完成：{e}")))?;
    let mut report = built.map_err(|errors| AppError::Uncountable(errors.iter().map(|e| e.to_string()).collect()))?;
    report.provenance.notes.extend(amendment_notes(store, &agency.code, year).await?);
    Ok(report)
}

/// The Chinese name of a register table, as amendment notes show it.
fn table_label(t: &str) -> &str {
    match t {
        "requests" => "申请登记",
        "request_events" => "申请办理过程",
        "cases" => "复议诉讼案件",
        "article20_figures" => "第二十条数据",
        "report_narratives" => "报告正文章节",
        "proactive_disclosures" => "主动公开登记",
        other => other,
    }
}
