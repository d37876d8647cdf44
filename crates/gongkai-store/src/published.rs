//! Published annual reports of agencies that do not keep their registers in gongkai (已发布的年度
//! 报告文件): the supervising office imports the file an agency published, and the overview
//! ([`Store::supervise`]) checks, scores and rolls it up beside the reports generated from the
//! registers, marked as coming from a published document.
//!
//! The file is read by the caller (`gongkai_import::import`: this crate knows SQL, not file
//! formats); what is stored is the canonical report read from it, the file's name, format and
//! SHA-256, the publication date that decides timeliness under Art. 49, and who imported it when.
//! Every import is kept: importing a corrected file for the same agency and year supersedes the
//! earlier one in the overview without deleting it. An import made by mistake (the wrong agency,
//! the wrong file) is withdrawn (撤销, [`Store::withdraw_published_report`]), never deleted: it
//! stays in the history, marked with who withdrew it, when and why, and counts nowhere any more —
//! the newest import not withdrawn counts again.
//!
//! The imports of a year also tell whether the agency changed its report after publishing it:
//! republished with other figures ([`gongkai_core::quality::republished_changes`], the
//! `quality.amended` criterion of an imported report; [`Store::supervise`]).

use chrono::{Datelike, NaiveDate};
use gongkai_core::report::Report;
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::auth::{insert_audit_on, AuditEvent};
use crate::codec::{date_text, new_id, now_text, parse_date, year_from};
use crate::error::on_write;
use crate::{Store, StoreError};

/// The longest reason for a withdrawal, in characters: a sentence or two saying what was wrong
/// (it is printed in the history and written to the audit trail).
pub const WITHDRAW_REASON_MAX_CHARS: usize = 500;

/// The longest name of who withdraws (a console username, or the CLI's `--by`).
const WITHDRAWN_BY_MAX_CHARS: usize = 100;

/// The columns of a stored import, in the order [`published_from_row`] reads them.
const COLUMNS: &str = "id, agency, year, file_name, format, sha256, published_on, report, imported_at, imported_by, \
                       withdrawn_at, withdrawn_by, withdraw_reason";

/// What a supervisor imports: one published report file of one agency and year.
#[derive(Debug, Clone, Copy)]
pub struct NewPublishedReport<'a> {
    /// The agency whose report it is.
    pub agency: &'a str,
    /// The report year (统计期限) it must be about.
    pub year: i32,
    /// The file's name as given (shown as the source: 「来自已发布文件」).
    pub file_name: &'a str,
    /// The detected format (`PDF`, `DOCX`, `HTML`, `文本`, …), for display.
    pub format: &'a str,
    /// The file's bytes (only their SHA-256 is stored).
    pub bytes: &'a [u8],
    /// The report read from the file.
    pub report: &'a Report,
    /// The publication date, when given; otherwise the report's signature date is used.
    pub published_on: Option<NaiveDate>,
    /// Who imports it (the console account, or the CLI's `--by`).
    pub by: &'a str,
}

pub use gongkai_core::supervise::ReportSource;

/// The withdrawal (撤销) of an import made by mistake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Withdrawal {
    /// When it was withdrawn (RFC 3339 UTC).
    pub withdrawn_at: String,
    /// Who withdrew it.
    pub withdrawn_by: String,
    /// Why (required: the history must say what was wrong with the import).
    pub withdraw_reason: String,
}

/// An imported published report, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedReport {
    /// The import's id.
    pub id: String,
    /// The agency.
    pub agency: String,
    /// The report year.
    pub year: i32,
    /// The publication date (Art. 49 timeliness).
    pub published_on: NaiveDate,
    /// The file it was read from.
    pub source: ReportSource,
    /// The canonical report read from the file.
    pub report: Report,
    /// `None` while the import stands; its withdrawal once withdrawn (it then counts nowhere).
    pub withdrawn: Option<Withdrawal>,
}

/// Checks a withdrawal's reason and who withdraws; the message names the field.
fn validate_withdrawal(reason: &str, by: &str) -> Result<(String, String), StoreError> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(StoreError::Invalid {
            what: "reason",
            detail: "撤销理由：不能为空，请说明撤销的原因，如「机关选错」「文件选错」".into(),
        });
    }
    let n = reason.chars().count();
    if n > WITHDRAW_REASON_MAX_CHARS {
        return Err(StoreError::Invalid {
            what: "reason",
            detail: format!("撤销理由：不能超过 {WITHDRAW_REASON_MAX_CHARS} 个字符（现为 {n} 个）"),
        });
    }
    if reason.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(StoreError::Invalid {
            what: "reason", detail: "撤销理由：含有不可见的控制字符".into()
        });
    }
    let by = by.trim();
    if by.is_empty() || by.chars().count() > WITHDRAWN_BY_MAX_CHARS || by.chars().any(char::is_control) {
        return Err(StoreError::Invalid {
            what: "by",
            detail: format!("撤销人：不能为空，不超过 {WITHDRAWN_BY_MAX_CHARS} 个字符，且不含控制字符"),
        });
    }
    Ok((reason.to_string(), by.to_string()))
}

/// Checks an import before it is stored; the message names the file and what is wrong.
fn validate(n: &NewPublishedReport<'_>) -> Result<NaiveDate, StoreError> {
    let file = n.file_name;
    if n.report.proactive.is_none()
        && n.report.requests.is_none()
        && n.report.review_litigation.is_none()
        && n.report.legacy_statistics.is_none()
    {
        return Err(StoreError::Invalid {
            what: "file",
            detail: format!("文件「{file}」中未识别出表二至表四中的任何一张统计表，不像政府信息公开工作年度报告"),
        });
    }
    if let Some(y) = n.report.year {
        if y != n.year {
            return Err(StoreError::Invalid {
                what: "year",
                detail: format!("文件「{file}」是{y}年度的报告，与所选的{}年度不符", n.year),
            });
        }
    }
    let Some(on) = n.published_on.or(n.report.published_on) else {
        return Err(StoreError::Invalid {
            what: "published_on",
            detail: format!("未能从文件「{file}」读出发布日期（落款日期），请填写发布日期"),
        });
    };
    // Art. 49: a report on a year is published after the year ends.
    if on.year() <= n.year {
        return Err(StoreError::Invalid {
            what: "published_on",
            detail: format!("文件「{file}」的发布日期 {on} 早于{}年度结束，请核对发布日期", n.year),
        });
    }
    Ok(on)
}

/// The hex SHA-256 of a file.
fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn published_from_row(r: &sqlx::any::AnyRow) -> Result<PublishedReport, StoreError> {
    let json: String = r.try_get("report")?;
    let report: Report = serde_json::from_str(&json).map_err(|e| StoreError::Corrupt {
        table: "published_reports",
        column: "report",
        detail: e.to_string(),
    })?;
    let on: String = r.try_get("published_on")?;
    let withdrawn = match (
        r.try_get::<Option<String>, _>("withdrawn_at")?,
        r.try_get::<Option<String>, _>("withdrawn_by")?,
        r.try_get::<Option<String>, _>("withdraw_reason")?,
    ) {
        (None, None, None) => None,
        (Some(withdrawn_at), Some(withdrawn_by), Some(withdraw_reason)) => {
            Some(Withdrawal { withdrawn_at, withdrawn_by, withdraw_reason })
        }
        _ => {
            return Err(StoreError::Corrupt {
                table: "published_reports",
                column: "withdrawn_at",
                detail: "withdrawn_at, withdrawn_by and withdraw_reason are set together".into(),
            })
        }
    };
    Ok(PublishedReport {
        id: r.try_get("id")?,
        agency: r.try_get("agency")?,
        year: year_from("published_reports", r.try_get("year")?)?,
        published_on: parse_date("published_reports", "published_on", &on)?,
        source: ReportSource {
            file_name: r.try_get("file_name")?,
            format: r.try_get("format")?,
            sha256: r.try_get("sha256")?,
            imported_at: r.try_get("imported_at")?,
            imported_by: r.try_get("imported_by")?,
        },
        report,
        withdrawn,
    })
}

/// The imports of one agency and year ordered as they were published: by publication date, then
/// by when they were imported (the order [`gongkai_core::quality::republished_changes`] compares
/// them in).
pub(crate) fn in_publication_order<'a>(
    imports: impl IntoIterator<Item = &'a PublishedReport>,
) -> Vec<&'a PublishedReport> {
    let mut v: Vec<&PublishedReport> = imports.into_iter().collect();
    v.sort_by(|a, b| {
        (a.published_on, &a.source.imported_at, &a.id).cmp(&(b.published_on, &b.source.imported_at, &b.id))
    });
    v
}

impl Store {
    /// Stores an imported published report after checking it: the file must hold at least one
    /// statistics table, report on the year given, and have a publication date after that year
    /// (from the signature, or given). [`StoreError::Invalid`] names the file and the reason;
    /// [`StoreError::NotFound`] when the agency does not exist.
    #[tracing::instrument(skip_all, fields(agency = %n.agency, year = n.year))]
    pub async fn add_published_report(&self, n: &NewPublishedReport<'_>) -> Result<PublishedReport, StoreError> {
        let published_on = validate(n)?;
        let json = serde_json::to_string(n.report)
            .map_err(|e| StoreError::Invalid { what: "report", detail: e.to_string() })?;
        let (id, at, sha) = (new_id(), now_text(), sha256_hex(n.bytes));
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO published_reports (id, agency, year, file_name, format, sha256, published_on, report, \
             imported_at, imported_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&id)
        .bind(n.agency)
        .bind(i64::from(n.year))
        .bind(n.file_name)
        .bind(n.format)
        .bind(&sha)
        .bind(date_text(published_on))
        .bind(&json)
        .bind(&at)
        .bind(n.by)
        .execute(&mut *tx)
        .await
        .map_err(|e| on_write(e, n.agency))?;
        self.audit_on(&mut tx).await?;
        tx.commit().await?;
        Ok(PublishedReport {
            id,
            agency: n.agency.to_string(),
            year: n.year,
            published_on,
            source: ReportSource {
                file_name: n.file_name.to_string(),
                format: n.format.to_string(),
                sha256: sha,
                imported_at: at,
                imported_by: n.by.to_string(),
            },
            report: n.report.clone(),
            withdrawn: None,
        })
    }

    /// One import by its id, withdrawn or not; `None` when there is none.
    pub async fn published_report(&self, id: &str) -> Result<Option<PublishedReport>, StoreError> {
        let sql = format!("SELECT {COLUMNS} FROM published_reports WHERE id = $1");
        match sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&self.pool).await? {
            Some(r) => Ok(Some(published_from_row(&r)?)),
            None => Ok(None),
        }
    }

    /// Withdraws (撤销) an import made by mistake: the row is kept and marked with `reason`, `by`
    /// and the time, and an audit record (`supervise.withdraw_import`, target the agency) is
    /// written in the same transaction, so there is no withdrawal without its record. From then
    /// on the import counts nowhere — overview, scorecards, roll-up, the next year's comparison of
    /// problems sections — and the agency's newest import not withdrawn counts again (or its
    /// registers). Nothing in the overview cache ([`crate::cache`]) is derived from imports (they
    /// are read on every view), so no row is dropped.
    ///
    /// [`StoreError::Invalid`] naming `reason` (blank, longer than [`WITHDRAW_REASON_MAX_CHARS`],
    /// control characters) or `by`; [`StoreError::NotFound`] for an unknown id;
    /// [`StoreError::Invalid`] naming `id` when it is already withdrawn (a withdrawal is not
    /// repeated or undone: import the file again instead). The caller checks who may withdraw it (the
    /// console: the import's agency in the user's scope).
    #[tracing::instrument(skip_all, fields(id = %id))]
    pub async fn withdraw_published_report(
        &self,
        id: &str,
        reason: &str,
        by: &str,
    ) -> Result<PublishedReport, StoreError> {
        let (reason, by) = validate_withdrawal(reason, by)?;
        let at = now_text();
        let mut tx = self.pool.begin().await?;
        // Conditional, so that of two concurrent withdrawals exactly one succeeds.
        let done = sqlx::query(
            "UPDATE published_reports SET withdrawn_at = $1, withdrawn_by = $2, withdraw_reason = $3 \
             WHERE id = $4 AND withdrawn_at IS NULL",
        )
        .bind(&at)
        .bind(&by)
        .bind(&reason)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let sql = format!("SELECT {COLUMNS} FROM published_reports WHERE id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&mut *tx).await?;
        let Some(row) = row else {
            return Err(StoreError::NotFound { what: "published report", key: id.to_string() });
        };
        let p = published_from_row(&row)?;
        if done.rows_affected() == 0 {
            let (when, who) = p.withdrawn.as_ref().map_or(("", ""), |w| (&w.withdrawn_at[..], &w.withdrawn_by[..]));
            return Err(StoreError::Invalid {
                what: "id",
                detail: format!(
                    "导入记录 {id}（{}，{}年度，文件「{}」）已于 {when} 由 {who} 撤销，不能再次撤销",
                    p.agency, p.year, p.source.file_name
                ),
            });
        }
        let event = AuditEvent {
            username: Some(by.clone()),
            event_type: "supervise.withdraw_import".into(),
            target: Some(p.agency.clone()),
            success: true,
            detail: Some(format!("{} {} {} {}：{reason}", p.year, p.source.file_name, p.source.sha256, p.id)),
            ..AuditEvent::default()
        };
        insert_audit_on(&mut tx, &self.cipher, &event, &at).await?;
        tx.commit().await?;
        tracing::info!(agency = %p.agency, year = p.year, "published report import withdrawn");
        Ok(p)
    }

    /// Every import of the agencies in `codes` for the years `first..=last`, oldest first (so
    /// that, collected into a map by agency and year, the newest import wins); the withdrawn ones
    /// only with `withdrawn` (the history; the overview never counts them).
    pub(crate) async fn published_reports_of(
        &self,
        codes: &[&str],
        first: i32,
        last: i32,
        withdrawn: bool,
    ) -> Result<Vec<PublishedReport>, StoreError> {
        if codes.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {COLUMNS} FROM published_reports WHERE agency IN ({}) AND year >= $1 AND year <= $2{} \
             ORDER BY agency, year, imported_at, id",
            (3..3 + codes.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", "),
            if withdrawn { "" } else { " AND withdrawn_at IS NULL" }
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(i64::from(first)).bind(i64::from(last));
        for c in codes {
            q = q.bind(*c);
        }
        q.fetch_all(&self.pool).await?.iter().map(published_from_row).collect()
    }

    /// The imports of `root`'s subtree (every agency below it included), newest first — the
    /// history, superseded and withdrawn imports too ([`PublishedReport::withdrawn`]).
    pub async fn list_published_reports(&self, root: &str) -> Result<Vec<PublishedReport>, StoreError> {
        let agencies = self.agency_subtree(root).await?;
        let codes: Vec<&str> = agencies.iter().map(|a| a.code.as_str()).collect();
        let mut all = self.published_reports_of(&codes, i32::MIN, i32::MAX, true).await?;
        all.sort_by(|a, b| (&b.source.imported_at, &b.id).cmp(&(&a.source.imported_at, &a.id)));
        Ok(all)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongkai_core::report::{RequestTable, SourceFormat, Template};

    fn report(year: Option<i32>, on: Option<NaiveDate>, tables: bool) -> Report {
        let mut r = Report::new(Template::V2021, "f", SourceFormat::Pdf);
        r.year = year;
        r.published_on = on;
        if tables {
            r.requests = Some(RequestTable::default());
        }
        r
    }

    fn new<'a>(r: &'a Report, on: Option<NaiveDate>) -> NewPublishedReport<'a> {
        NewPublishedReport {
            agency: "A",
            year: 2024,
            file_name: "某局2024年报.pdf",
            format: "PDF",
            bytes: b"x",
            report: r,
            published_on: on,
            by: "t",
        }
    }

    #[test]
    fn imports_are_checked_and_the_message_names_the_file() {
        let d = |m, d| NaiveDate::from_ymd_opt(2025, m, d);
        let ok = report(Some(2024), d(1, 20), true);
        assert_eq!(validate(&new(&ok, None)).unwrap(), d(1, 20).unwrap());
        // A date given overrides the signature.
        assert_eq!(validate(&new(&ok, d(2, 3))).unwrap(), d(2, 3).unwrap());
        for (r, on, what) in [
            (report(Some(2024), d(1, 20), false), None, "file"),
            (report(Some(2023), d(1, 20), true), None, "year"),
            (report(Some(2024), None, true), None, "published_on"),
            (report(None, NaiveDate::from_ymd_opt(2024, 12, 30), true), None, "published_on"),
        ] {
            match validate(&new(&r, on)) {
                Err(StoreError::Invalid { what: w, detail }) => {
                    assert_eq!(w, what);
                    assert!(detail.contains("「某局2024年报.pdf」"), "{detail}");
                }
                other => panic!("expected Invalid {what}: {other:?}"),
            }
        }
    }

    #[test]
    fn withdrawals_need_a_reason_and_a_name() {
        assert_eq!(validate_withdrawal("  机关选错  ", " 张三 ").unwrap(), ("机关选错".into(), "张三".into()));
        let long = "错".repeat(WITHDRAW_REASON_MAX_CHARS + 1);
        for (reason, by, what, says) in [
            ("", "张三", "reason", "不能为空"),
            (" \n\t ", "张三", "reason", "不能为空"),
            (long.as_str(), "张三", "reason", "不能超过 500 个字符"),
            ("文件\u{0}选错", "张三", "reason", "控制字符"),
            ("文件选错", " ", "by", "撤销人"),
        ] {
            match validate_withdrawal(reason, by) {
                Err(StoreError::Invalid { what: w, detail }) => {
                    assert_eq!(w, what);
                    assert!(detail.contains(says), "{detail}");
                }
                other => panic!("expected Invalid {what}: {other:?}"),
            }
        }
        assert!(validate_withdrawal(&"错".repeat(WITHDRAW_REASON_MAX_CHARS), "张三").is_ok());
    }

    #[test]
    fn sha256_is_hex() {
        assert_eq!(sha256_hex(b"abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
