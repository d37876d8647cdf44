//! What belongs to a year's report rather than to a register: narratives, publication and period
//! lock, amendments of a locked year; and the working-day calendar data.

use chrono::NaiveDate;

use sqlx::AnyConnection;

use crate::auth::{insert_audit_on, ts, AuditNote};
use crate::cache::{invalidate, Span, Stale};
use crate::codec::{date_text, parse_opt_date, year_from};
use crate::error::on_write;
use crate::lock::{guard, lock_agency, locked_years, year_if_locked, Amend, Touch};
use crate::{Store, StoreError};

/// The publication of an agency's report for a year, and the period lock (报告发布后锁定).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publication {
    /// The agency's code.
    pub agency: String,
    /// The report year.
    pub year: i32,
    /// The day the report was published, if it was.
    pub published_on: Option<NaiveDate>,
    /// Whether the year's registers are locked: changes then go through an [`Amendment`].
    pub locked: bool,
}

/// A change to the registers of a locked year, with its reason (更正记录).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Amendment {
    /// The agency's code.
    pub agency: String,
    /// The report year affected.
    pub year: i32,
    /// The table changed (`requests`, `cases`, …).
    pub record_table: String,
    /// The changed record's key: the tracking number (`requests`, `request_events`), case
    /// number (`cases`), index number (`proactive_disclosures`), year (`article20_figures`) or
    /// section (`report_narratives`).
    pub record_key: String,
    /// Why.
    pub reason: String,
    /// When it was recorded (RFC 3339 UTC); set by the store on insert.
    pub at: String,
    /// The staff member who made it.
    pub by: String,
}

impl Store {
    /// Sets (inserts or replaces) the text of one report section (`overview`, `problems`, …);
    /// [`StoreError::Locked`] when the year is locked (see [`Store::amending`]).
    #[tracing::instrument(skip_all, fields(agency = %agency, year = year, section = %section))]
    pub async fn set_narrative(&self, agency: &str, year: i32, section: &str, text: &str) -> Result<(), StoreError> {
        self.set_narrative_with(agency, year, section, text, None).await.map(drop)
    }

    pub(crate) async fn set_narrative_with(
        &self,
        agency: &str,
        year: i32,
        section: &str,
        text: &str,
        amend: Option<&Amend>,
    ) -> Result<Vec<Amendment>, StoreError> {
        let mut tx = self.pool.begin().await?;
        lock_agency(&mut tx, agency).await?;
        let locked = locked_years(&mut tx, agency).await?;
        let touch = [Touch {
            table: "report_narratives",
            key: section.to_string(),
            years: year_if_locked(year, &locked),
            span: Span::year(year),
        }];
        let mut stale = Stale::default();
        let amendments = guard(&mut tx, agency, &touch, amend, &mut stale).await?;
        sqlx::query(
            "INSERT INTO report_narratives (agency, year, section, text) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (agency, year, section) DO UPDATE SET text = excluded.text",
        )
        .bind(agency)
        .bind(i64::from(year))
        .bind(section)
        .bind(text)
        .execute(&mut *tx)
        .await
        .map_err(|e| on_write(e, agency))?;
        self.audit_on(&mut tx).await?;
        stale.flush(&mut tx).await?;
        tx.commit().await?;
        Ok(amendments)
    }

    /// The text of one report section, or `None`.
    pub async fn get_narrative(&self, agency: &str, year: i32, section: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT text FROM report_narratives WHERE agency = $1 AND year = $2 AND section = $3")
            .bind(agency)
            .bind(i64::from(year))
            .bind(section)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| sqlx::Row::try_get::<String, _>(&r, "text")).transpose()?)
    }

    /// All sections of a year's report as `(section, text)`, by section key.
    pub async fn list_narratives(&self, agency: &str, year: i32) -> Result<Vec<(String, String)>, StoreError> {
        let rows =
            sqlx::query("SELECT section, text FROM report_narratives WHERE agency = $1 AND year = $2 ORDER BY section")
                .bind(agency)
                .bind(i64::from(year))
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| Ok((sqlx::Row::try_get(r, "section")?, sqlx::Row::try_get(r, "text")?)))
            .collect::<Result<_, sqlx::Error>>()
            .map_err(StoreError::from)
    }

    /// Records (inserts or replaces) the publication and lock state of a year's report. Takes
    /// the agency's row lock, so no guarded write of that agency runs meanwhile (see
    /// [`crate::Amending`]). Unlocking is not an amendment: it is the office's decision.
    #[tracing::instrument(skip_all, fields(agency = %p.agency, year = p.year, locked = p.locked))]
    pub async fn set_publication(&self, p: &Publication) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        lock_agency(&mut tx, &p.agency).await?;
        put_publication_on(&mut tx, p).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Publishes and locks a year (`gongkai_app::publish`) with its audit record, in one
    /// transaction (issue 21 items 1, 2): if the year is locked by the time the agency's lock is
    /// held — a second click, another approver — nothing is written: [`StoreError::Changed`]
    /// (`what` "publication").
    pub async fn publish_year(&self, p: &Publication, audit: AuditNote<'_>) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        lock_agency(&mut tx, &p.agency).await?;
        let locked: Option<i64> = sqlx::query("SELECT locked FROM report_publications WHERE agency = $1 AND year = $2")
            .bind(&p.agency)
            .bind(i64::from(p.year))
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| sqlx::Row::try_get(&r, "locked"))
            .transpose()?;
        if locked.is_some_and(|l| l != 0) {
            return Err(StoreError::Changed { what: "publication", key: format!("{}/{}", p.agency, p.year) });
        }
        put_publication_on(&mut tx, p).await?;
        insert_audit_on(&mut tx, &self.cipher, audit.event, &ts(audit.at)).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Inserts or replaces a year's publication and lock state inside the caller's transaction
/// (which holds the agency's lock), and drops the overview cache's rows of that year.
async fn put_publication_on(conn: &mut AnyConnection, p: &Publication) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO report_publications (agency, year, published_on, locked) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (agency, year) DO UPDATE SET published_on = excluded.published_on, locked = excluded.locked",
    )
    .bind(&p.agency)
    .bind(i64::from(p.year))
    .bind(p.published_on.map(date_text))
    .bind(i64::from(p.locked))
    .execute(&mut *conn)
    .await
    .map_err(|e| on_write(e, &p.agency))?;
    // The generated report carries the publication date (overview cache, crate::cache).
    invalidate(&mut *conn, &p.agency, Span::year(p.year)).await?;
    Ok(())
}

impl Store {
    /// The publication and lock state of a year's report, or `None` if never set.
    pub async fn get_publication(&self, agency: &str, year: i32) -> Result<Option<Publication>, StoreError> {
        let row = sqlx::query("SELECT published_on, locked FROM report_publications WHERE agency = $1 AND year = $2")
            .bind(agency)
            .bind(i64::from(year))
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let published_on: Option<String> = sqlx::Row::try_get(&row, "published_on")?;
        let locked: i64 = sqlx::Row::try_get(&row, "locked")?;
        Ok(Some(Publication {
            agency: agency.to_string(),
            year,
            published_on: parse_opt_date("report_publications", "published_on", published_on.as_deref())?,
            locked: locked != 0,
        }))
    }

    /// Whether the year is locked (a year never published is not).
    pub async fn is_locked(&self, agency: &str, year: i32) -> Result<bool, StoreError> {
        Ok(self.get_publication(agency, year).await?.is_some_and(|p| p.locked))
    }

    /// The amendments of an agency's year, oldest first.
    pub async fn list_amendments(&self, agency: &str, year: i32) -> Result<Vec<Amendment>, StoreError> {
        let rows = sqlx::query(
            "SELECT agency, year, record_table, record_key, reason, \"at\" AS at_time, \"by\" AS by_whom \
             FROM amendments WHERE agency = $1 AND year = $2 ORDER BY \"at\", id",
        )
        .bind(agency)
        .bind(i64::from(year))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| -> Result<Amendment, StoreError> {
                Ok(Amendment {
                    agency: sqlx::Row::try_get(r, "agency")?,
                    year: year_from("amendments", sqlx::Row::try_get(r, "year")?)?,
                    record_table: sqlx::Row::try_get(r, "record_table")?,
                    record_key: sqlx::Row::try_get(r, "record_key")?,
                    reason: sqlx::Row::try_get(r, "reason")?,
                    at: sqlx::Row::try_get(r, "at_time")?,
                    by: sqlx::Row::try_get(r, "by_whom")?,
                })
            })
            .collect()
    }
}
