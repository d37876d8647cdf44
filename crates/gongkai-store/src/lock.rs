//! The period lock (报告发布后锁定, issue 4 item 6), enforced on every write.
//!
//! Once a year's report is published and locked ([`Store::set_publication`] with `locked`), a
//! write that changes a record feeding that year's report is refused with
//! [`StoreError::Locked`] — unless it goes through [`Store::amending`], which records an
//! [`Amendment`] (the reason, who, which record) for every locked year the write reaches, in the
//! same transaction as the write. Either both are stored or neither is.
//!
//! # Which years a write reaches
//! A record feeds the report of year Y when it is counted in it or could be; a write reaches Y
//! when it changes the record *as it stood at the end of Y* (events dated later do not belong to
//! Y's report, so work on a request carried forward from a published year goes on unhindered):
//! - a **request** feeds Y from its receipt year through the year it was finished (replied to or
//!   withdrawn), or every later year while open. Registering it reaches every locked year it
//!   feeds. An **event** dated D reaches every locked Y ≥ D's year that the request feeds before
//!   or after the event (a reply dated in Y changes Y and every later year it was carried into).
//! - a **case** feeds Y from its filing year through its decision year (or every later year while
//!   pending). Registering or changing it reaches every locked Y where its view at the end of Y
//!   changes: group, request, filing date, and the decision and result when decided in or before
//!   Y (a later decision leaves Y's 尚未审结 as it was).
//! - **Article 20 figures**, **narratives**: their own year. **Proactive disclosures**: the year
//!   of their publication date.
//!
//! # Concurrency
//! Every guarded write starts its transaction by taking a lock on the agency's row (a no-op
//! `UPDATE agencies SET name = name`: a row lock on PostgreSQL, the write lock on SQLite), and so
//! does [`Store::set_publication`]. So a write and the publishing of the year it touches are
//! serialised: a write never slips in between a publication and its lock.

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate};
use gongkai_core::register::{Case, Event, EventKind};
use sqlx::AnyConnection;

use crate::cache::{Span, Stale};
use crate::codec::{new_id, now_text, year_from};
use crate::error::on_write;
use crate::reports::Amendment;
use crate::{Store, StoreError};

/// Why and by whom a locked year's records are changed (更正理由). Passed to
/// [`Store::amending`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Amend {
    /// The reason (required, not blank).
    pub reason: String,
    /// The staff member making the change.
    pub by: String,
}

/// The write methods of a [`Store`] that may change a locked year: each records an
/// [`Amendment`] per locked year reached (see the module docs) in the same transaction, and
/// returns them (empty when no locked year is reached). Made by [`Store::amending`].
#[derive(Debug, Clone, Copy)]
pub struct Amending<'a> {
    pub(crate) store: &'a Store,
    pub(crate) amend: &'a Amend,
}

impl Store {
    /// The write methods, amending: a change that reaches a locked year is stored together
    /// with an amendment carrying `amend`'s reason, instead of being refused.
    pub fn amending<'a>(&'a self, amend: &'a Amend) -> Amending<'a> {
        Amending { store: self, amend }
    }

    /// The locked (published) years of an agency, oldest first.
    pub async fn locked_years(&self, agency: &str) -> Result<Vec<i32>, StoreError> {
        let mut conn = self.pool.acquire().await?;
        locked_years(&mut conn, agency).await
    }
}

/// One record a write changes, and the locked years the change reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Touch {
    /// The table (`requests`, `request_events`, `cases`, …).
    pub table: &'static str,
    /// The record's key (tracking number, case number, index number, year, section).
    pub key: String,
    /// The locked years reached, ascending.
    pub years: Vec<i32>,
    /// Every report year whose cached overview figures the change can alter, locked or not
    /// (see [`crate::cache`]): recorded by [`guard`] so that the rows are dropped in the same
    /// transaction.
    pub span: Span,
}

/// Takes the agency's row lock (see the module docs); [`StoreError::NotFound`] if it does not
/// exist. Must be the first statement of the transaction (on SQLite it takes the write lock, so
/// no read snapshot goes stale before it).
pub(crate) async fn lock_agency(conn: &mut AnyConnection, agency: &str) -> Result<(), StoreError> {
    let done = sqlx::query("UPDATE agencies SET name = name WHERE code = $1")
        .bind(agency)
        .execute(&mut *conn)
        .await
        .map_err(|e| on_write(e, agency))?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound { what: "agency", key: agency.to_string() });
    }
    Ok(())
}

/// The locked years of an agency, ascending.
pub(crate) async fn locked_years(conn: &mut AnyConnection, agency: &str) -> Result<Vec<i32>, StoreError> {
    let rows = sqlx::query("SELECT year FROM report_publications WHERE agency = $1 AND locked = 1 ORDER BY year")
        .bind(agency)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(|r| year_from("report_publications", sqlx::Row::try_get(r, "year")?)).collect()
}

/// Refuses the write when a touch reaches a locked year and there is no amendment; otherwise
/// records one amendment per (touch, year) and returns them. Runs inside the write's transaction.
/// Records every touch's [`Span`] in `stale`, which the write flushes before it commits (the
/// overview cache's invalidation, [`crate::cache`]).
pub(crate) async fn guard(
    conn: &mut AnyConnection,
    agency: &str,
    touches: &[Touch],
    amend: Option<&Amend>,
    stale: &mut Stale,
) -> Result<Vec<Amendment>, StoreError> {
    for t in touches {
        stale.add(agency, t.span);
    }
    let reached: BTreeSet<i32> = touches.iter().flat_map(|t| t.years.iter().copied()).collect();
    let Some(&first) = reached.first() else {
        return Ok(Vec::new());
    };
    let Some(amend) = amend else {
        return Err(StoreError::Locked { agency: agency.to_string(), year: first });
    };
    if amend.reason.trim().is_empty() {
        return Err(StoreError::Invalid { what: "amendment", detail: "更正须说明理由".to_string() });
    }
    let mut out = Vec::new();
    for t in touches {
        for &year in &t.years {
            let a = Amendment {
                agency: agency.to_string(),
                year,
                record_table: t.table.to_string(),
                record_key: t.key.clone(),
                reason: amend.reason.trim().to_string(),
                at: now_text(),
                by: amend.by.clone(),
            };
            sqlx::query(
                "INSERT INTO amendments (id, agency, year, record_table, record_key, reason, \"at\", \"by\") \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(new_id())
            .bind(&a.agency)
            .bind(i64::from(a.year))
            .bind(&a.record_table)
            .bind(&a.record_key)
            .bind(&a.reason)
            .bind(&a.at)
            .bind(&a.by)
            .execute(&mut *conn)
            .await
            .map_err(|e| on_write(e, agency))?;
            out.push(a);
        }
    }
    tracing::info!(agency, years = ?reached, count = out.len(), "amendments recorded");
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Which locked years a change reaches (pure).

/// Whether a request received on `received` and finished on `finished` feeds year `y`.
fn request_feeds(received: NaiveDate, finished: Option<NaiveDate>, y: i32) -> bool {
    received.year() <= y && finished.is_none_or(|f| f.year() >= y)
}

/// The first reply or withdrawal among `events`, if any.
pub(crate) fn finished_on(events: &[Event]) -> Option<NaiveDate> {
    events.iter().find(|e| finishes(&e.kind)).map(|e| e.on)
}

/// The replies and withdrawals among `events`, by date.
pub(crate) fn finish_dates(events: &[Event]) -> impl Iterator<Item = NaiveDate> + '_ {
    events.iter().filter(|e| finishes(&e.kind)).map(|e| e.on)
}

/// Whether an event finishes a request (答复, 撤回).
pub(crate) fn finishes(kind: &EventKind) -> bool {
    matches!(kind, EventKind::Reply { .. } | EventKind::Withdrawal)
}

/// The locked years a newly registered request (with its events) feeds.
pub(crate) fn request_years(received: NaiveDate, events: &[Event], locked: &[i32]) -> Vec<i32> {
    let finished = finished_on(events);
    locked.iter().copied().filter(|&y| request_feeds(received, finished, y)).collect()
}

/// The locked years an event dated `on` reaches on a request received on `received`, finished
/// on `finished_before` before the event.
pub(crate) fn event_years(
    received: NaiveDate,
    finished_before: Option<NaiveDate>,
    event: &Event,
    locked: &[i32],
) -> Vec<i32> {
    let finished_after = finished_before.or(finishes(&event.kind).then_some(event.on));
    locked
        .iter()
        .copied()
        .filter(|&y| {
            y >= event.on.year()
                && (request_feeds(received, finished_before, y) || request_feeds(received, finished_after, y))
        })
        .collect()
}

/// What a case looks like at the end of year `y`, or `None` when it does not feed `y`.
fn case_view(case: &Case, y: i32) -> Option<String> {
    if case.filed_on.year() > y || case.decided_on.is_some_and(|d| d.year() < y) {
        return None;
    }
    let decision = match case.decided_on {
        Some(d) if d.year() <= y => format!("{d}:{:?}", case.result),
        _ => "pending".to_string(),
    };
    Some(format!("{:?}|{:?}|{}|{decision}", case.group, case.request, case.filed_on))
}

/// The locked years where a case changes from `old` (`None`: not registered) to `new`.
pub(crate) fn case_years(old: Option<&Case>, new: &Case, locked: &[i32]) -> Vec<i32> {
    locked.iter().copied().filter(|&y| old.and_then(|o| case_view(o, y)) != case_view(new, y)).collect()
}

/// `[year]` when it is locked, else nothing.
pub(crate) fn year_if_locked(year: i32, locked: &[i32]) -> Vec<i32> {
    if locked.contains(&year) {
        vec![year]
    } else {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongkai_core::report::{CaseGroup, CaseResult, RequestRow};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn ev(on: &str, kind: EventKind) -> Event {
        Event { on: d(on), by: "王五".into(), kind }
    }

    fn reply(on: &str) -> Event {
        ev(on, EventKind::Reply { outcome: RequestRow::Granted, document: None })
    }

    #[test]
    fn a_request_feeds_its_years_through_its_finish() {
        let locked = [2022, 2023, 2024, 2025];
        assert_eq!(request_years(d("2023-12-20"), &[], &locked), [2023, 2024, 2025]);
        assert_eq!(request_years(d("2023-12-20"), &[reply("2024-01-10")], &locked), [2023, 2024]);
        assert_eq!(request_years(d("2024-03-01"), &[reply("2024-03-10")], &locked), [2024]);
    }

    #[test]
    fn an_event_reaches_only_years_from_its_date() {
        let locked = [2023, 2024];
        let received = d("2023-12-20");
        let notice = ev("2024-01-05", EventKind::CorrectionNotice { note: "x".into(), period_days: 10 });
        // Carried forward from 2023: an event dated 2024 leaves 2023 alone.
        assert_eq!(event_years(received, None, &notice, &locked), [2024]);
        assert_eq!(event_years(received, None, &notice, &[2023]), Vec::<i32>::new());
        // A reply dated 2025 reaches neither.
        assert!(event_years(received, None, &reply("2025-01-03"), &locked).is_empty());
        // A late-entered reply dated 2023 reaches 2023 and 2024 (no longer carried into it).
        assert_eq!(event_years(received, None, &reply("2023-12-28"), &locked), [2023, 2024]);
    }

    #[test]
    fn a_case_changes_a_year_only_when_its_view_there_changes() {
        let pending = Case {
            agency: "A".into(),
            number: "复1".into(),
            group: CaseGroup::Review,
            request: None,
            filed_on: d("2024-11-01"),
            decided_on: None,
            result: None,
        };
        let decided_2025 =
            Case { decided_on: Some(d("2025-02-01")), result: Some(CaseResult::Upheld), ..pending.clone() };
        let decided_2024 = Case { decided_on: Some(d("2024-12-20")), ..decided_2025.clone() };
        assert_eq!(case_years(None, &pending, &[2023, 2024, 2025]), [2024, 2025]);
        assert_eq!(case_years(Some(&pending), &decided_2025, &[2024, 2025]), [2025]);
        assert_eq!(case_years(Some(&pending), &decided_2024, &[2024, 2025]), [2024, 2025]);
        assert!(case_years(Some(&pending), &pending, &[2024]).is_empty());
    }
}
