//! Aggregates computed in the database, for supervising offices and for comparison with the
//! report generator (BENCHMARKS.md): one `GROUP BY` over every agency at once.

use sqlx::Row;

use crate::codec::{date_text, year_bounds};
use crate::{Store, StoreError};

/// One group of [`Store::received_counts`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedCount {
    /// The agency's code.
    pub agency: String,
    /// The applicant type (a table-3 column name).
    pub applicant_type: String,
    /// Requests received in the year.
    pub count: i64,
}

impl Store {
    /// 一、本年新收 for every agency at once: requests received in `year`, by agency and
    /// applicant type — the hand-written `GROUP BY` the generator is measured against.
    pub async fn received_counts(&self, year: i32) -> Result<Vec<ReceivedCount>, StoreError> {
        let (first, last) = year_bounds(year)?;
        let rows = sqlx::query(
            "SELECT agency, applicant_type, COUNT(*) AS n FROM requests \
             WHERE received_on >= $1 AND received_on <= $2 \
             GROUP BY agency, applicant_type ORDER BY agency, applicant_type",
        )
        .bind(date_text(first))
        .bind(date_text(last))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ReceivedCount {
                    agency: r.try_get("agency")?,
                    applicant_type: r.try_get("applicant_type")?,
                    count: r.try_get("n")?,
                })
            })
            .collect::<Result<Vec<_>, sqlx::Error>>()
            .map_err(StoreError::from)
    }
}

impl Store {
    /// Refreshes the planner's statistics (`ANALYZE`) after a bulk load. Without it PostgreSQL
    /// plans `load_year` on empty-table statistics and scans every event (measured: 1 s instead
    /// of 18 ms per agency on 1,000,000 requests; BENCHMARKS.md). Autovacuum does the same
    /// later on its own.
    pub async fn analyze(&self) -> Result<(), StoreError> {
        sqlx::query("ANALYZE").execute(&self.pool).await?;
        Ok(())
    }
}
