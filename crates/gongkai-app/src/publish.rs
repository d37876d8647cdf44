//! Publishing a year's annual report (Art. 50) locks the year's registers: the report as
//! published stays what the public read, and any later change is an amendment with a reason,
//! shown in the report. The console's 发布 button and `gongkai report publish` both call
//! [`publish`].

use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use gongkai_core::calendar::Calendar;
use gongkai_store::{AuditNote, Publication, Store, StoreError};

use crate::{year, Actor, AppError, Clock};

/// The first report year: the Regulations took effect on 1 May 2008 (Decree 492), and the
/// first annual reports cover 2008.
pub const FIRST_YEAR: i32 = 2008;

/// The audit event type of publishing.
pub const AUDIT_EVENT: &str = "report.publish";

/// Publishes `agency`'s report of `year` on `published_on` and locks the year.
///
/// Refused, with the field named, when: the year is before 2008 or not yet over; the date is not
/// after the report year or is after today (a publication is recorded when it happens, never
/// ahead); the year is already published (a change afterwards is an amendment with a reason,
/// never a second publication); a register entry of the year cannot be counted. Every attempt
/// is audited, refused or not.
pub async fn publish(
    store: &Store,
    cal: Arc<Calendar>,
    clock: &Clock,
    actor: &Actor,
    agency: &str,
    year: i32,
    published_on: NaiveDate,
) -> Result<Publication, AppError> {
    let target = format!("{agency}/{year}");
    let outcome = checked(store, cal, clock, actor, agency, year, published_on).await;
    // A publication is audited in its own transaction (see `checked`); a refusal here.
    if let Err(e) = &outcome {
        actor.audit(store, clock, AUDIT_EVENT, &target, false, Some(e.to_string())).await;
    }
    outcome
}

async fn checked(
    store: &Store,
    cal: Arc<Calendar>,
    clock: &Clock,
    actor: &Actor,
    code: &str,
    year: i32,
    published_on: NaiveDate,
) -> Result<Publication, AppError> {
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
    if let Some(p) = store.get_publication(code, year).await? {
        if p.locked {
            let on = p.published_on.map(|d| format!("已于 {d} 发布")).unwrap_or_else(|| "已发布".into());
            return Err(AppError::Conflict(format!(
                "{year} 年度报告{on}并已锁定，不能再次发布；发布后修改登记数据须作为更正并说明理由"
            )));
        }
    }
    // A report whose registers cannot all be counted is not published.
    let draft = year::draft(store, cal, &agency, year).await?;
    if !draft.errors.is_empty() {
        return Err(AppError::Uncountable(draft.errors));
    }
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
