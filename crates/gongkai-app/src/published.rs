//! Published reports of agencies that do not keep their registers in gongkai (已发布年度报告导入):
//! importing one file for the supervising office's overview, scorecards and roll-up, and
//! withdrawing (撤销) an import made by mistake — one function each, called by the console's
//! 已发布年报导入 page and by `gongkai supervise import` / `withdraw-import`.

use chrono::{Datelike, NaiveDate};
use gongkai_core::input::FIRST_REPORT_YEAR;
use gongkai_core::register::AgencyKind;
use gongkai_core::rules::{self, CheckContext, Severity};
use gongkai_store::{NewPublishedReport, PublishedReport, Store, StoreError};
use sha2::Digest as _;

use crate::{Actor, AppError, Clock};

/// A file to import as an agency's published report of a year.
#[derive(Debug, Clone)]
pub struct NewImport {
    /// The agency whose report it is.
    pub agency: String,
    /// The report year.
    pub year: i32,
    /// The file's name (shown as the source).
    pub file_name: String,
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// The publication date; the report's signature date when not given.
    pub published_on: Option<NaiveDate>,
    /// Who imports it (recorded with the import).
    pub by: String,
}

/// An import as stored, with what the consistency rules found in it.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The stored import.
    pub report: PublishedReport,
    /// Findings of severity error (勾稽关系 broken).
    pub errors: usize,
    /// Findings of severity warning.
    pub warnings: usize,
}

/// How long reading one uploaded report may take: the slowest real report of the corpus reads
/// in well under a second (BENCHMARKS.md); the web request itself times out at 30 s.
pub const IMPORT_TIME_LIMIT: std::time::Duration = std::time::Duration::from_secs(20);

/// Imports `new`: the agency must exist, the year be a reporting year that has begun (from 2008
/// to this year), the file not empty and readable as a report (text, HTML, DOCX, PDF, XLSX,
/// JSON: the format from the content; read off the async workers); then it is stored and
/// checked against the template's rules. Every attempt is audited (`supervise.import`, the
/// target the agency). Who may import for which agency (the scope) is the caller's check.
pub async fn import(store: &Store, clock: &Clock, actor: &Actor, new: NewImport) -> Result<Imported, AppError> {
    let target = new.agency.trim().to_string();
    let outcome = import_checked(store, clock, actor, &target, new).await;
    actor.audit_refusal(store, clock, "supervise.import", &target, &outcome).await;
    outcome
}

async fn import_checked(
    store: &Store,
    clock: &Clock,
    actor: &Actor,
    target: &str,
    new: NewImport,
) -> Result<Imported, AppError> {
    let agency = crate::year::agency(store, &new.agency).await?;
    let this_year = clock.today().year();
    if !(FIRST_REPORT_YEAR..=this_year).contains(&new.year) {
        return Err(AppError::invalid(
            "year",
            format!("年度：应为 {FIRST_REPORT_YEAR} 至 {this_year} 之间的年份（收到「{}」）", new.year),
        ));
    }
    if new.bytes.is_empty() {
        return Err(AppError::invalid("file", format!("文件「{}」：文件为空或未选择文件", new.file_name)));
    }
    // Reading a PDF or a large document is CPU work: off the async workers, and under a time
    // limit (issue 21 item 4): a file that takes longer is answered with the reason rather than
    // holding the upload until the server's timeout. The reading thread cannot be stopped; it
    // ends on its own, and its result is dropped.
    let (name, data) = (new.file_name.clone(), new.bytes);
    let reading = tokio::task::spawn_blocking(move || (gongkai_import::import(&data, &name), data));
    let (read, bytes) = tokio::time::timeout(IMPORT_TIME_LIMIT, reading)
        .await
        .map_err(|_| {
            AppError::invalid(
                "file",
                format!(
                    "文件「{}」：读取超过 {} 秒仍未完成，已放弃；请检查文件是否损坏，或另存为 PDF、Word 后重试",
                    new.file_name,
                    IMPORT_TIME_LIMIT.as_secs()
                ),
            )
        })?
        .map_err(|e| AppError::Internal(format!("报告读取任务未完成：{e}")))?;
    let report = read.map_err(|e| AppError::invalid("file", format!("文件 {e}")))?;
    // Stored with its audit record in one transaction (issue 21 item 2).
    let sha256: String = sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect();
    let detail = format!("{} {} {sha256}", new.year, new.file_name);
    let stored = actor
        .audited(store, clock, "supervise.import", target, Some(detail))
        .add_published_report(&NewPublishedReport {
            agency: &agency.code,
            year: new.year,
            file_name: &new.file_name,
            format: gongkai_import::format_name(&bytes),
            bytes: &bytes,
            report: &report,
            published_on: new.published_on,
            by: &new.by,
        })
        .await
        .map_err(|e| match e {
            StoreError::Invalid { detail, .. } => AppError::invalid("file", detail),
            e => AppError::Store(e),
        })?;
    let findings = rules::check(
        &stored.report,
        &CheckContext { previous: None, government_report: Some(agency.kind == AgencyKind::Government) },
    );
    let count = |s: Severity| findings.iter().filter(|f| f.severity == s).count();
    Ok(Imported { errors: count(Severity::Error), warnings: count(Severity::Warning), report: stored })
}

/// Withdraws (撤销) the import `id` with a reason: it stays in the history and counts nowhere
/// any more (the agency's newest import not withdrawn counts again, or its registers). Refused,
/// nothing changed: an unknown id ([`AppError::NotFound`]), a blank, over-long or unprintable
/// reason ([`AppError::Invalid`] naming `reason`), an import already withdrawn
/// ([`AppError::Conflict`]: a withdrawal is not repeated or undone). A withdrawal is audited by
/// the store in its own transaction (`supervise.withdraw_import`); a refusal is audited here.
/// Who may withdraw which import (the scope) is the caller's check, made before.
pub async fn withdraw(
    store: &Store,
    clock: &Clock,
    actor: &Actor,
    id: &str,
    reason: &str,
    by: &str,
) -> Result<PublishedReport, AppError> {
    let id = id.trim();
    let outcome = store.withdraw_published_report(id, reason, by).await.map_err(|e| match e {
        StoreError::NotFound { .. } => AppError::NotFound(format!("导入记录：没有编号为「{id}」的导入")),
        StoreError::Invalid { what: "id", detail } => AppError::Conflict(detail),
        StoreError::Invalid { what: "by", detail } => AppError::invalid("by", detail),
        StoreError::Invalid { detail, .. } => AppError::invalid("reason", detail),
        e => AppError::Store(e),
    });
    if let Err(e) = &outcome {
        actor.audit(store, clock, "supervise.withdraw_import", id, false, Some(e.to_string())).await;
    }
    outcome
}
