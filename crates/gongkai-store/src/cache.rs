//! The overview cache (`supervise_cache`): the one derived store of gongkai.
//!
//! Per agency and report year it keeps what the supervising office's overview needs of the
//! agency's year and that depends neither on the day it is looked at nor on the other agencies of
//! the subtree: the report generated from the registers with its findings, and the year's request
//! figures (see `supervise::YearFigures`). Open, due-soon and overdue requests, report status,
//! scorecards and the roll-up are still computed per view, from these rows and a few small queries.
//!
//! # Invalidation
//! Every register write drops, in its own transaction, the rows of the (agency, years) it can
//! change, and increases the agency's epoch (`supervise_cache_epochs`):
//! - writes that go through the period lock ([`crate::lock::guard`]) name, in each
//!   [`crate::lock::Touch`], a [`Span`] of report years the change can reach — every year, not only
//!   the locked ones — and `guard` records it in the transaction's [`Stale`], flushed before
//!   commit. So a write path cannot reach the registers without saying which years it changes.
//! - a request's span runs from its receipt year (or its earliest reply, if dated before) through
//!   the year of its last reply or withdrawal — through every later year while it is open
//!   (before or after the write): an open request is carried into every later year's table 3.
//! - a case's from its filing year through its decision year (every later year while pending);
//!   Article 20 figures, narratives, the publication record: their year; proactive disclosures:
//!   none (no cached figure counts them); an agency renamed or changing kind: every year.
//! - imported published reports (`published.rs`), their imports and withdrawals: none — no row
//!   holds anything read from them; the overview reads the imports not withdrawn on every view.
//!
//! Spans are deliberately generous (an event dated after a request's reply still drops the reply's
//! year): a row dropped for nothing costs one agency's recomputation, a row kept wrongly would be
//! a wrong overview.
//!
//! # Reads, and why a stale row is never written back
//! A read takes the rows whose stamp ([`stamp`]: cache format, gongkai version, working-day
//! calendar) matches and recomputes the others. Before reading the registers it reads the
//! agencies' epochs; it writes a recomputed row back only if, under the agency's row lock (the
//! lock every register write takes first), the epoch is still the one read. A write that
//! committed meanwhile has increased it, and one still running holds the lock until it has.

use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use gongkai_core::calendar::Calendar;
use sha2::{Digest, Sha256};
use sqlx::AnyConnection;

use crate::StoreError;

/// The format of the cached JSON; increase it whenever what is cached or how it is computed
/// changes (the gongkai version is part of the stamp as well).
const CACHE_FORMAT: u32 = 1;

/// A range of report years, both ends included; empty when `from > to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub from: i32,
    pub to: i32,
}

impl Span {
    /// No year.
    pub const NONE: Span = Span { from: i32::MAX, to: i32::MIN };
    /// Every year.
    pub const ALL: Span = Span { from: i32::MIN, to: i32::MAX };

    /// One year.
    pub fn year(y: i32) -> Span {
        Span { from: y, to: y }
    }

    /// Whether no year is in it.
    pub fn is_empty(self) -> bool {
        self.from > self.to
    }

    /// The smallest span holding both.
    pub fn union(self, other: Span) -> Span {
        if self.is_empty() {
            other
        } else if other.is_empty() {
            self
        } else {
            Span { from: self.from.min(other.from), to: self.to.max(other.to) }
        }
    }
}

/// The years a request's register entry feeds some cached figure of, given its receipt date and
/// the dates of its replies and withdrawals: from the receipt year (or an earlier finishing
/// event's) through the last finishing event's year, or every later year while it has none.
pub(crate) fn request_span(received: NaiveDate, finishes: impl IntoIterator<Item = NaiveDate>) -> Span {
    let (mut first, mut last) = (received.year(), None::<i32>);
    for f in finishes {
        first = first.min(f.year());
        last = Some(last.map_or(f.year(), |l| l.max(f.year())));
    }
    Span { from: first, to: last.unwrap_or(i32::MAX) }
}

/// The years a case feeds: from its filing year through its decision year, or every later year
/// while it is pending (a decision dated before the filing still counts from the earlier year).
pub(crate) fn case_span(filed: NaiveDate, decided: Option<NaiveDate>) -> Span {
    match decided {
        Some(d) => Span { from: filed.year().min(d.year()), to: filed.year().max(d.year()) },
        None => Span { from: filed.year(), to: i32::MAX },
    }
}

/// The (agency, years) one transaction changes, flushed by [`Stale::flush`] before it commits.
#[derive(Debug, Default)]
pub(crate) struct Stale(BTreeMap<String, Span>);

impl Stale {
    /// Records that `agency`'s years `span` change.
    pub fn add(&mut self, agency: &str, span: Span) {
        if span.is_empty() {
            return;
        }
        let e = self.0.entry(agency.to_string()).or_insert(Span::NONE);
        *e = e.union(span);
    }

    /// Drops the cached rows recorded and increases those agencies' epochs, inside the write's
    /// transaction.
    pub async fn flush(self, conn: &mut AnyConnection) -> Result<(), StoreError> {
        for (agency, span) in self.0 {
            invalidate(conn, &agency, span).await?;
        }
        Ok(())
    }
}

/// Drops `agency`'s cached rows of the years `span` and increases its epoch (see the module docs).
pub(crate) async fn invalidate(conn: &mut AnyConnection, agency: &str, span: Span) -> Result<(), StoreError> {
    if span.is_empty() {
        return Ok(());
    }
    sqlx::query("DELETE FROM supervise_cache WHERE agency = $1 AND year >= $2 AND year <= $3")
        .bind(agency)
        .bind(i64::from(span.from))
        .bind(i64::from(span.to))
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO supervise_cache_epochs (agency, epoch) VALUES ($1, 1) \
         ON CONFLICT (agency) DO UPDATE SET epoch = supervise_cache_epochs.epoch + 1",
    )
    .bind(agency)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The cache format and gongkai's version, the part of every stamp that does not depend on the
/// calendar.
pub(crate) fn stamp_version() -> String {
    format!("{CACHE_FORMAT}:{}", env!("CARGO_PKG_VERSION"))
}

/// What a cached row of `year` is computed with: the cache format, gongkai's version and a
/// fingerprint of the calendar's working days from 1990 through three years after `year` (every
/// due date a request of the year can have). A row with another stamp is stale.
pub(crate) fn stamp(cal: &Calendar, year: i32) -> String {
    let mut hasher = Sha256::new();
    let first = NaiveDate::from_ymd_opt(1990, 1, 1);
    let last = NaiveDate::from_ymd_opt(year.saturating_add(3).clamp(1990, 9000), 12, 31);
    if let (Some(mut d), Some(last)) = (first, last) {
        let mut byte = 0u8;
        let mut bits = 0u8;
        while d <= last {
            byte = (byte << 1) | u8::from(cal.is_working_day(d));
            bits += 1;
            if bits == 8 {
                hasher.update([byte]);
                (byte, bits) = (0, 0);
            }
            match d.succ_opt() {
                Some(n) => d = n,
                None => break,
            }
        }
        hasher.update([byte, bits]);
    }
    let digest = hasher.finalize();
    let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
    format!("{}:{hex}", stamp_version())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn spans() {
        assert_eq!(request_span(d("2024-12-20"), []), Span { from: 2024, to: i32::MAX });
        assert_eq!(request_span(d("2024-12-20"), [d("2025-01-05")]), Span { from: 2024, to: 2025 });
        assert_eq!(request_span(d("2024-12-20"), [d("2023-01-05"), d("2026-01-01")]), Span { from: 2023, to: 2026 });
        assert_eq!(case_span(d("2024-11-01"), None), Span { from: 2024, to: i32::MAX });
        assert_eq!(case_span(d("2024-11-01"), Some(d("2025-02-01"))), Span { from: 2024, to: 2025 });
        assert!(Span::NONE.is_empty());
        assert_eq!(Span::NONE.union(Span::year(2024)), Span::year(2024));
        assert_eq!(Span::year(2026).union(Span::year(2024)), Span { from: 2024, to: 2026 });
        let mut s = Stale::default();
        s.add("A", Span::NONE);
        assert!(s.0.is_empty());
    }

    #[test]
    fn the_stamp_follows_the_calendar() {
        let cal = Calendar::official();
        assert_eq!(stamp(&cal, 2025), stamp(&cal, 2025));
        assert_ne!(stamp(&cal, 2025), stamp(&Calendar::empty(), 2025));
    }
}
