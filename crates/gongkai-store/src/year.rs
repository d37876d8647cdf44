//! Everything one year's annual report is computed from.

use gongkai_core::register::{Article20Figures, Case, Event, ProactiveDisclosure, Request};

use crate::codec::{date_text, year_bounds};
use crate::registers::{case_select, cases, fetch_figures, proactive, proactive_select, CaseRow, ProactiveRow};
use crate::requests::{event_select, events_by_request, request_select, EventRow, RequestRow};
use crate::{Backend, Store, StoreError};

/// The registers of one agency that the annual report for one year needs, read in one snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearRegisters {
    /// The agency's code.
    pub agency: String,
    /// The report year.
    pub year: i32,
    /// Requests received on or before 31 December of the year and not finished (replied to or
    /// withdrawn) before 1 January of it: those received in the year, those carried over from
    /// earlier years, and (among them) those carried forward. Each with all its events, in
    /// order; by receipt date and tracking number.
    pub requests: Vec<(Request, Vec<Event>)>,
    /// Cases filed on or before 31 December and not decided before 1 January (decided in the
    /// year, or pending at its end); by filing date and number.
    pub cases: Vec<Case>,
    /// The Article 20 figures recorded for the year, if any.
    pub figures: Option<Article20Figures>,
    /// Proactive disclosures published in the year; by publication date and index number.
    pub proactive: Vec<ProactiveDisclosure>,
}

impl Store {
    /// Loads everything the annual report of `agency` for `year` needs (see [`YearRegisters`]).
    /// The queries run in one read-only transaction (repeatable read on PostgreSQL), so a
    /// concurrent edit cannot make the tables disagree. Only this agency, not its subtree.
    #[tracing::instrument(skip_all, fields(agency = %agency, year = year))]
    pub async fn load_year(&self, agency: &str, year: i32) -> Result<YearRegisters, StoreError> {
        let (first, last) = year_bounds(year)?;
        let (first, last) = (date_text(first), date_text(last));
        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY").execute(&mut *tx).await?;
        }

        let request_rows: Vec<RequestRow> = sqlx::query_as(request_select!(
            "WHERE r.agency = $1 AND r.received_on <= $2 AND NOT EXISTS ( \
                 SELECT 1 FROM request_events c WHERE c.request = r.id \
                 AND c.\"type\" IN ('reply', 'withdrawal') AND c.\"on\" < $3) \
             ORDER BY r.received_on, r.tracking_number"
        ))
        .bind(agency)
        .bind(&last)
        .bind(&first)
        .fetch_all(&mut *tx)
        .await?;

        let event_rows: Vec<EventRow> = sqlx::query_as(event_select!(
            "JOIN requests r ON r.id = e.request \
             WHERE r.agency = $1 AND r.received_on <= $2 AND NOT EXISTS ( \
                 SELECT 1 FROM request_events c WHERE c.request = r.id \
                 AND c.\"type\" IN ('reply', 'withdrawal') AND c.\"on\" < $3) \
             ORDER BY e.request, e.seq"
        ))
        .bind(agency)
        .bind(&last)
        .bind(&first)
        .fetch_all(&mut *tx)
        .await?;

        let case_rows: Vec<CaseRow> = sqlx::query_as(case_select!(
            "WHERE agency = $1 AND filed_on <= $2 AND (decided_on IS NULL OR decided_on >= $3) \
             ORDER BY filed_on, number"
        ))
        .bind(agency)
        .bind(&last)
        .bind(&first)
        .fetch_all(&mut *tx)
        .await?;

        let proactive_rows: Vec<ProactiveRow> = sqlx::query_as(proactive_select!(
            "WHERE agency = $1 AND published_on >= $2 AND published_on <= $3 ORDER BY published_on, index_number"
        ))
        .bind(agency)
        .bind(&first)
        .bind(&last)
        .fetch_all(&mut *tx)
        .await?;

        let figures = fetch_figures(&mut *tx, agency, year).await?;
        tx.commit().await?;

        let mut events = events_by_request(event_rows)?;
        let requests = request_rows
            .into_iter()
            .map(|row| {
                let (id, request) = row.into_request(&self.cipher)?;
                Ok((request, events.remove(id.as_str()).unwrap_or_default()))
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        tracing::debug!(requests = requests.len(), cases = case_rows.len(), "year loaded");
        Ok(YearRegisters {
            agency: agency.to_string(),
            year,
            requests,
            cases: cases(case_rows)?,
            figures,
            proactive: proactive(proactive_rows)?,
        })
    }
}
