//! The supervising office's view (监督视图) of a subtree: per agency, requests received, open,
//! due soon and overdue, on-time replies, outcomes; the annual report's status, findings and
//! quality scorecard; and the roll-up of tables 2–4.
//!
//! Set-based on purpose: a county has hundreds of agencies, a province thousands, so every
//! figure comes from a handful of queries over the whole subtree (the recursive subtree CTE
//! joined in), never a query per agency. Due dates are not stored: the requests still open, and
//! those finished in the year, are loaded with their events and replayed by the core's
//! lifecycle and clock, as everywhere else. Applicant data is never read here.

use std::collections::HashMap;

use chrono::NaiveDate;
use gongkai_core::calendar::Calendar;
use gongkai_core::generate::YearInput;
use gongkai_core::register::{Agency, Applicant, Article20Figures, Event, EventKind, Request};
use gongkai_core::report::SectionKey;
use gongkai_core::supervise::{
    self as judge, Imported, Overview, ReportRows, ReportsOverview, RequestFigures, SuperviseError, TrendPoint,
    YearFigures,
};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use crate::cache;
use crate::codec::{date_text, now_text, parse_amount, parse_date, parse_enum, parse_opt_date, year_bounds};
use crate::published::{in_publication_order, PublishedReport};
use crate::registers::{cases, CaseRow};
use crate::{Store, StoreError};

/// How deep the subtree query goes (as in the agency module).
const MAX_DEPTH: i64 = 32;

/// The recursive CTE of the subtree of `$1` (depth bound `$2`), then the rest of the query.
///
/// The queries over requests do not join this CTE: neither database can estimate its size, so
/// both planned as if it held thousands of agencies and scanned every request (or every reply of
/// the year): 4 s on SQLite and 1.5 s on PostgreSQL for one agency of a 1,000,000-request
/// register (BENCHMARKS.md). They take the subtree's codes, already read, as an `IN` list
/// ([`placeholders`]), which both planners answer from the `(agency, received_on)` index.
macro_rules! with_subtree {
    ($tail:literal) => {
        concat!(
            "WITH RECURSIVE subtree (code, depth) AS ( \
                 SELECT code, 0 FROM agencies WHERE code = $1 \
                 UNION ALL \
                 SELECT a.code, s.depth + 1 FROM agencies a JOIN subtree s ON a.parent = s.code \
                 WHERE s.depth < $2 \
             ) ",
            $tail
        )
    };
}

/// `$first, $first+1, …` for `n` bound values (an `IN` list; at most a few thousand agencies, far
/// below either database's parameter limit).
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// Binds every code, in order, after the parameters already bound.
fn bind_all<'q>(
    mut q: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments>,
    codes: &[&'q str],
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments> {
    for c in codes {
        q = q.bind(*c);
    }
    q
}

/// [`bind_all`] for a query that maps rows to a type.
fn bind_all_as<'q, O>(
    mut q: sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments>,
    codes: &[&'q str],
) -> sqlx::query::QueryAs<'q, sqlx::Any, O, sqlx::any::AnyArguments> {
    for c in codes {
        q = q.bind(*c);
    }
    q
}

#[derive(sqlx::FromRow)]
struct ReqEventRow {
    id: String,
    agency: String,
    tracking_number: String,
    channel: String,
    received_on: String,
    applicant_type: String,
    on_date: Option<String>,
    by_whom: Option<String>,
    payload: Option<String>,
}

/// The "year" of an agency's cache row of requests never finished (see [`Store::unfinished`]):
/// beyond every report year, so that only spans open to every later year reach it.
const OPEN_ROW: i32 = i32::MAX;

/// A request never finished, as the overview cache keeps it (no applicant data).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct OpenEntry {
    tracking_number: String,
    received_on: NaiveDate,
    channel: gongkai_core::register::Channel,
    applicant_type: gongkai_core::register::ApplicantType,
    events: Vec<Event>,
}

/// What [`Store::refresh_supervise_cache`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct CacheRefresh {
    /// The agencies looked at.
    pub agencies: usize,
    /// Those whose row was missing or stale (or all, when forced), computed.
    pub computed: usize,
    /// Rows written (fewer than computed when a register write came in between).
    pub written: usize,
}

/// How many agencies' years are computed at once (bounds the memory of a whole-tree refresh).
const COMPUTE_CHUNK: usize = 500;
/// How many codes one `IN` list of a cache query holds.
const IN_CHUNK: usize = 1000;
/// How many cache rows one write-back transaction writes.
const WRITE_CHUNK: usize = 100;

/// A request (without applicant data) with its events, as loaded for replay.
struct Loaded {
    request: Request,
    events: Vec<Event>,
}

/// Groups rows ordered by request id (then seq) into requests with their events.
fn group_rows(rows: Vec<ReqEventRow>) -> Result<Vec<Loaded>, StoreError> {
    let mut out: Vec<Loaded> = Vec::new();
    let mut last_id: Option<String> = None;
    for row in rows {
        if last_id.as_deref() != Some(row.id.as_str()) {
            out.push(Loaded {
                request: Request {
                    channel: parse_enum("requests", "channel", &row.channel)?,
                    received_on: parse_date("requests", "received_on", &row.received_on)?,
                    // Personal data is not loaded: replay and counting need only the kind.
                    applicant: Applicant {
                        id_document_type: None,
                        kind: parse_enum("requests", "applicant_type", &row.applicant_type)?,
                        name: String::new(),
                        id_document: None,
                        contact: None,
                    },
                    agency: row.agency.clone(),
                    tracking_number: row.tracking_number.clone(),
                    content: String::new(),
                    requested_form: None,
                    delivery: None,
                },
                events: Vec::new(),
            });
            last_id = Some(row.id.clone());
        }
        if let (Some(on), Some(by), Some(payload), Some(cur)) = (row.on_date, row.by_whom, row.payload, out.last_mut())
        {
            let kind: EventKind = serde_json::from_str(&payload).map_err(|e| StoreError::Corrupt {
                table: "request_events",
                column: "payload",
                detail: e.to_string(),
            })?;
            cur.events.push(Event { on: parse_date("request_events", "on", &on)?, by, kind });
        }
    }
    Ok(out)
}

impl Store {
    /// The requests side of the overview of `root`'s subtree: per agency (in subtree order),
    /// received in `year`, open / due soon / overdue on `today`, and the replies of `year` (the
    /// year's figures from the overview cache, [`crate::cache`]).
    #[tracing::instrument(skip_all, fields(root = %root, year = year))]
    pub async fn supervise_requests(
        &self,
        root: &str,
        year: i32,
        today: NaiveDate,
        cal: &Calendar,
    ) -> Result<Vec<(Agency, RequestFigures)>, StoreError> {
        let agencies = self.agency_subtree(root).await?;
        let years = self.year_figures(&agencies, year, cal, true).await?;
        let codes: Vec<&str> = agencies.iter().map(|a| a.code.as_str()).collect();
        let open = self.open_requests(&codes, today, cal, true).await?;
        Ok(judge::request_figures(agencies, &years, open)?)
    }

    /// The report side of the overview: every agency's report of `year` generated from its
    /// registers (the overview cache's, [`crate::cache`]), checked by the rules, scored, and
    /// rolled up. `today` decides which unpublished reports are past their deadline.
    #[tracing::instrument(skip_all, fields(root = %root, year = year))]
    pub async fn supervise_reports(
        &self,
        root: &str,
        year: i32,
        today: NaiveDate,
        cal: &Calendar,
    ) -> Result<ReportsOverview, StoreError> {
        let agencies = self.agency_subtree(root).await?;
        let years = self.year_figures(&agencies, year, cal, true).await?;
        self.reports_from(root, &agencies, &years, year, today).await
    }

    /// The whole overview: [`Store::supervise_requests`] and [`Store::supervise_reports`], with
    /// each agency's year read from the overview cache where it is fresh and recomputed (and
    /// written back) where not ([`crate::cache`]).
    #[tracing::instrument(skip_all, fields(root = %root, year = year))]
    pub async fn supervise(
        &self,
        root: &str,
        year: i32,
        today: NaiveDate,
        cal: &Calendar,
    ) -> Result<Overview, StoreError> {
        self.overview(root, year, today, cal, true).await
    }

    /// [`Store::supervise`] computed from the registers alone: the cache is neither read nor
    /// written, and open requests are found from the events (not the stored `finished_on`). The
    /// reference the cached overview is tested against; `gongkai supervise --no-cache`.
    #[tracing::instrument(skip_all, fields(root = %root, year = year))]
    pub async fn supervise_uncached(
        &self,
        root: &str,
        year: i32,
        today: NaiveDate,
        cal: &Calendar,
    ) -> Result<Overview, StoreError> {
        self.overview(root, year, today, cal, false).await
    }

    /// Computes the overview cache's rows of `year` for `root`'s subtree (every agency when
    /// `None`) that are missing or stale — all of them with `force` — and writes them back; and
    /// the rows of requests never finished that are missing or stale.
    #[tracing::instrument(skip_all, fields(year = year, force = force))]
    pub async fn refresh_supervise_cache(
        &self,
        root: Option<&str>,
        year: i32,
        cal: &Calendar,
        force: bool,
    ) -> Result<CacheRefresh, StoreError> {
        let agencies = match root {
            Some(r) => self.agency_subtree(r).await?,
            None => self.list_agencies().await?,
        };
        let codes: Vec<&str> = agencies.iter().map(|a| a.code.as_str()).collect();
        let stamp = cache::stamp(cal, year);
        let fresh: std::collections::HashSet<String> =
            if force { Default::default() } else { self.fresh_codes(&codes, year, &stamp).await? };
        let stale: Vec<&str> = codes.iter().copied().filter(|c| !fresh.contains(*c)).collect();
        let mut written = 0;
        for chunk in stale.chunks(COMPUTE_CHUNK) {
            let (_, n) = self.recompute(chunk, year, cal, &stamp).await?;
            written += n?;
        }
        // And the requests never finished (the day's open ones), missing or stale rows only.
        self.unfinished(&codes).await?;
        tracing::info!(agencies = codes.len(), computed = stale.len(), written, "overview cache refreshed");
        Ok(CacheRefresh { agencies: codes.len(), computed: stale.len(), written })
    }

    /// Compares every fresh row of the overview cache of `year` (of `root`'s subtree, or of every
    /// agency) with a computation from the registers; returns the codes of the agencies whose
    /// row differs (none, unless an invalidation was missed) and drops those rows.
    pub async fn verify_supervise_cache(
        &self,
        root: Option<&str>,
        year: i32,
        cal: &Calendar,
    ) -> Result<Vec<String>, StoreError> {
        let agencies = match root {
            Some(r) => self.agency_subtree(r).await?,
            None => self.list_agencies().await?,
        };
        let codes: Vec<&str> = agencies.iter().map(|a| a.code.as_str()).collect();
        let stamp = cache::stamp(cal, year);
        let mut differ = Vec::new();
        for chunk in codes.chunks(COMPUTE_CHUNK) {
            let cached = self.cached_rows(chunk, year, &stamp).await?;
            let computed = self.compute_year_figures(chunk, year, cal).await?;
            for (code, row) in &cached {
                if computed.get(code) != Some(row) {
                    tracing::error!(agency = %code, year, "overview cache row differs from the registers");
                    sqlx::query("DELETE FROM supervise_cache WHERE agency = $1 AND year = $2")
                        .bind(code)
                        .bind(i64::from(year))
                        .execute(&self.pool)
                        .await?;
                    differ.push(code.clone());
                }
            }
        }
        differ.sort();
        Ok(differ)
    }

    async fn overview(
        &self,
        root: &str,
        year: i32,
        today: NaiveDate,
        cal: &Calendar,
        cached: bool,
    ) -> Result<Overview, StoreError> {
        // Where a view's time goes, for an operator (GONGKAI_LOG=gongkai_store=debug).
        let started = std::time::Instant::now();
        let agencies = self.agency_subtree(root).await?;
        let codes: Vec<&str> = agencies.iter().map(|a| a.code.as_str()).collect();
        // The year's rows and the day's open requests at once (two connections): the database
        // finds the open requests while the rows are parsed here.
        let (years, open) = tokio::try_join!(self.year_figures(&agencies, year, cal, cached), async {
            let started = std::time::Instant::now();
            let open = self.open_requests(&codes, today, cal, cached).await;
            tracing::debug!(ms = started.elapsed().as_millis() as u64, "open requests replayed");
            open
        })?;
        let figures_done = started.elapsed();
        let reports = self.reports_from(root, &agencies, &years, year, today).await?;
        let reports_done = started.elapsed();
        let requests = judge::request_figures(agencies, &years, open)?;
        tracing::debug!(
            root,
            year,
            cached,
            agencies = requests.len(),
            figures_ms = figures_done.as_millis() as u64,
            reports_ms = (reports_done - figures_done).as_millis() as u64,
            total_ms = started.elapsed().as_millis() as u64,
            "overview computed"
        );
        Ok(judge::overview(root, year, today, requests, reports)?)
    }

    /// Every agency's [`YearFigures`] of `year`: from the cache where fresh, else computed (and
    /// written back); with `cached` false, all computed and nothing written.
    async fn year_figures(
        &self,
        agencies: &[Agency],
        year: i32,
        cal: &Calendar,
        cached: bool,
    ) -> Result<HashMap<String, YearFigures>, StoreError> {
        let codes: Vec<&str> = agencies.iter().map(|a| a.code.as_str()).collect();
        if !cached {
            let mut out = HashMap::with_capacity(codes.len());
            for chunk in codes.chunks(COMPUTE_CHUNK) {
                out.extend(self.compute_year_figures(chunk, year, cal).await?);
            }
            return Ok(out);
        }
        let stamp = cache::stamp(cal, year);
        let mut out = self.cached_rows(&codes, year, &stamp).await?;
        let stale: Vec<&str> = codes.iter().copied().filter(|c| !out.contains_key(*c)).collect();
        for chunk in stale.chunks(COMPUTE_CHUNK) {
            let (figures, written) = self.recompute(chunk, year, cal, &stamp).await?;
            if let Err(e) = written {
                // The overview is right all the same; the rows are computed again next time.
                tracing::warn!(error = %e, "overview cache not written back");
            }
            out.extend(figures);
        }
        Ok(out)
    }

    /// The fresh cached rows (stamp `stamp`) of `codes`' year, parsed; a row that does not parse
    /// is left out (and so recomputed).
    async fn cached_rows<T: serde::de::DeserializeOwned>(
        &self,
        codes: &[&str],
        year: i32,
        stamp: &str,
    ) -> Result<HashMap<String, T>, StoreError> {
        let mut out = HashMap::with_capacity(codes.len());
        let (mut fetch, mut parse) = (std::time::Duration::ZERO, std::time::Duration::ZERO);
        for chunk in codes.chunks(IN_CHUNK) {
            let sql = format!(
                "SELECT agency, data FROM supervise_cache WHERE year = $1 AND stamp = $2 AND agency IN ({})",
                placeholders(3, chunk.len())
            );
            let started = std::time::Instant::now();
            let rows = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)).bind(i64::from(year)).bind(stamp), chunk)
                .fetch_all(&self.pool)
                .await?;
            fetch += started.elapsed();
            let started = std::time::Instant::now();
            for r in &rows {
                let agency: String = r.try_get("agency")?;
                let data: String = r.try_get("data")?;
                match serde_json::from_str::<T>(&data) {
                    Ok(f) => {
                        out.insert(agency, f);
                    }
                    Err(e) => tracing::warn!(%agency, year, error = %e, "unreadable overview cache row"),
                }
            }
            parse += started.elapsed();
        }
        tracing::debug!(
            year,
            rows = out.len(),
            fetch_ms = fetch.as_millis() as u64,
            parse_ms = parse.as_millis() as u64,
            "overview cache rows read"
        );
        Ok(out)
    }

    /// The codes among `codes` with a fresh cached row of `year` (not parsed).
    async fn fresh_codes(
        &self,
        codes: &[&str],
        year: i32,
        stamp: &str,
    ) -> Result<std::collections::HashSet<String>, StoreError> {
        let mut out = std::collections::HashSet::new();
        for chunk in codes.chunks(IN_CHUNK) {
            let sql = format!(
                "SELECT agency FROM supervise_cache WHERE year = $1 AND stamp = $2 AND agency IN ({})",
                placeholders(3, chunk.len())
            );
            for r in bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)).bind(i64::from(year)).bind(stamp), chunk)
                .fetch_all(&self.pool)
                .await?
            {
                out.insert(r.try_get::<String, _>("agency")?);
            }
        }
        Ok(out)
    }

    /// Computes `codes`' year and writes the rows back where no write came in between (see
    /// [`crate::cache`]): the epochs are read before the registers. Returns the figures, and
    /// how many rows were written (or why none could be).
    async fn recompute(
        &self,
        codes: &[&str],
        year: i32,
        cal: &Calendar,
        stamp: &str,
    ) -> Result<(HashMap<String, YearFigures>, Result<usize, StoreError>), StoreError> {
        let epochs = self.epochs(codes).await?;
        let figures = self.compute_year_figures(codes, year, cal).await?;
        let written = self.write_back_all(year, stamp, &epochs, &figures).await;
        Ok((figures, written))
    }

    /// The agencies' cache epochs (0 for one never invalidated).
    async fn epochs(&self, codes: &[&str]) -> Result<HashMap<String, i64>, StoreError> {
        let mut epochs: HashMap<String, i64> = HashMap::new();
        for chunk in codes.chunks(IN_CHUNK) {
            let sql = format!(
                "SELECT agency, epoch FROM supervise_cache_epochs WHERE agency IN ({})",
                placeholders(1, chunk.len())
            );
            for r in bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)), chunk).fetch_all(&self.pool).await? {
                epochs.insert(r.try_get("agency")?, r.try_get("epoch")?);
            }
        }
        Ok(epochs)
    }

    /// Serialises computed rows and writes them back (see [`Store::write_back`]).
    async fn write_back_all<T: Serialize>(
        &self,
        year: i32,
        stamp: &str,
        epochs: &HashMap<String, i64>,
        computed: &HashMap<String, T>,
    ) -> Result<usize, StoreError> {
        let mut rows = Vec::with_capacity(computed.len());
        for (code, f) in computed {
            let data = serde_json::to_string(f)
                .map_err(|e| StoreError::Invalid { what: "overview cache", detail: e.to_string() })?;
            rows.push((code.as_str(), epochs.get(code).copied().unwrap_or(0), data));
        }
        // In code order, as every transaction takes agency locks (no crosswise waits).
        rows.sort_by(|a, b| a.0.cmp(b.0));
        self.write_back(year, stamp, &rows).await
    }

    /// Every agency's requests never finished (no reply or withdrawal at all: `finished_on` is
    /// null), with their events: the overview cache's row [`OPEN_ROW`] where fresh, else read
    /// from the registers and written back. Invalidated like a year's row: a request without a
    /// reply or withdrawal, before or after a write, spans every later year (see the cache module),
    /// so its write reaches this row too.
    async fn unfinished(&self, codes: &[&str]) -> Result<HashMap<String, Vec<OpenEntry>>, StoreError> {
        let stamp = format!("open:{}", cache::stamp_version());
        let mut out: HashMap<String, Vec<OpenEntry>> = self.cached_rows(codes, OPEN_ROW, &stamp).await?;
        let stale: Vec<&str> = codes.iter().copied().filter(|c| !out.contains_key(*c)).collect();
        for chunk in stale.chunks(IN_CHUNK) {
            // The epochs before the registers (see recompute).
            let epochs = self.epochs(chunk).await?;
            let sql = format!(
                "SELECT r.id, r.agency, r.tracking_number, r.channel, r.received_on, r.applicant_type, \
                 e.\"on\" AS on_date, e.\"by\" AS by_whom, e.payload \
                 FROM requests r LEFT JOIN request_events e ON e.request = r.id \
                 WHERE r.agency IN ({}) AND r.finished_on IS NULL ORDER BY r.id, e.seq",
                placeholders(1, chunk.len())
            );
            let rows: Vec<ReqEventRow> =
                bind_all_as(sqlx::query_as(sqlx::AssertSqlSafe(sql)), chunk).fetch_all(&self.pool).await?;
            let mut computed: HashMap<String, Vec<OpenEntry>> =
                chunk.iter().map(|c| (c.to_string(), Vec::new())).collect();
            for l in group_rows(rows)? {
                if let Some(v) = computed.get_mut(&l.request.agency) {
                    v.push(OpenEntry {
                        tracking_number: l.request.tracking_number,
                        received_on: l.request.received_on,
                        channel: l.request.channel,
                        applicant_type: l.request.applicant.kind,
                        events: l.events,
                    });
                }
            }
            if let Err(e) = self.write_back_all(OPEN_ROW, &stamp, &epochs, &computed).await {
                tracing::warn!(error = %e, "overview cache (open requests) not written back");
            }
            out.extend(computed);
        }
        Ok(out)
    }

    /// Writes computed rows `(agency, epoch read before computing, data)`, each only if the
    /// agency's epoch is unchanged — checked under the agency's row lock.
    async fn write_back(&self, year: i32, stamp: &str, rows: &[(&str, i64, String)]) -> Result<usize, StoreError> {
        let at = now_text();
        let mut written = 0;
        for chunk in rows.chunks(WRITE_CHUNK) {
            let mut tx = self.pool.begin().await?;
            for (agency, epoch, data) in chunk {
                sqlx::query("UPDATE agencies SET name = name WHERE code = $1").bind(*agency).execute(&mut *tx).await?;
                let done = sqlx::query(
                    "INSERT INTO supervise_cache (agency, year, stamp, data, computed_at) \
                     SELECT $1, $2, $3, $4, $5 \
                     WHERE COALESCE((SELECT epoch FROM supervise_cache_epochs WHERE agency = $1), 0) = $6 \
                     ON CONFLICT (agency, year) DO UPDATE SET stamp = excluded.stamp, data = excluded.data, \
                     computed_at = excluded.computed_at",
                )
                .bind(*agency)
                .bind(i64::from(year))
                .bind(stamp)
                .bind(data.as_str())
                .bind(&at)
                .bind(*epoch)
                .execute(&mut *tx)
                .await?;
                written += usize::try_from(done.rows_affected()).unwrap_or(0);
            }
            tx.commit().await?;
        }
        Ok(written)
    }

    /// Computes [`YearFigures`] of `year` for the agencies `codes` from the registers: the
    /// year's requests with their events, cases, Article 20 figures, narratives and publication
    /// date, the generated report and its findings; and the year's received, replied and
    /// withdrawn requests.
    async fn compute_year_figures(
        &self,
        codes: &[&str],
        year: i32,
        cal: &Calendar,
    ) -> Result<HashMap<String, YearFigures>, StoreError> {
        // The agencies as they are now (read after the epochs, see recompute).
        let agencies = self.agencies_by_code(codes).await?;
        let codes: Vec<&str> = agencies.iter().map(|a| a.code.as_str()).collect();
        if codes.is_empty() {
            return Ok(HashMap::new());
        }
        let (first, last) = year_bounds(year)?;
        let (first_t, last_t) = (date_text(first), date_text(last));

        // Received in the year: one GROUP BY.
        let sql = format!(
            "SELECT r.agency, COUNT(*) AS n FROM requests r \
             WHERE r.agency IN ({}) AND r.received_on >= $1 AND r.received_on <= $2 GROUP BY r.agency",
            placeholders(3, codes.len())
        );
        let mut received: HashMap<String, i64> = HashMap::new();
        for r in bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)).bind(&first_t).bind(&last_t), &codes)
            .fetch_all(&self.pool)
            .await?
        {
            received.insert(r.try_get("agency")?, r.try_get("n")?);
        }
        let mut done = self.done_in_year(&codes, year, cal).await?;

        // The year's requests of every agency (as load_year, for the subtree), with events.
        let sql = format!(
            "SELECT r.id, r.agency, r.tracking_number, r.channel, r.received_on, r.applicant_type, \
             e.\"on\" AS on_date, e.\"by\" AS by_whom, e.payload \
             FROM requests r LEFT JOIN request_events e ON e.request = r.id \
             WHERE r.agency IN ({}) AND r.received_on <= $1 AND NOT EXISTS ( \
                 SELECT 1 FROM request_events c WHERE c.request = r.id \
                 AND c.\"type\" IN ('reply', 'withdrawal') AND c.\"on\" < $2) \
             ORDER BY r.agency, r.received_on, r.tracking_number, r.id, e.seq",
            placeholders(3, codes.len())
        );
        let rows: Vec<ReqEventRow> =
            bind_all_as(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(&last_t).bind(&first_t), &codes)
                .fetch_all(&self.pool)
                .await?;
        let mut requests: HashMap<String, Vec<(Request, Vec<Event>)>> = HashMap::new();
        for l in group_rows(rows)? {
            requests.entry(l.request.agency.clone()).or_default().push((l.request, l.events));
        }

        let sql = format!(
            "SELECT c.agency, c.number, c.\"group\" AS case_group, c.request, c.filed_on, c.decided_on, c.result \
             FROM cases c WHERE c.agency IN ({}) \
             AND c.filed_on <= $1 AND (c.decided_on IS NULL OR c.decided_on >= $2) \
             ORDER BY c.agency, c.filed_on, c.number",
            placeholders(3, codes.len())
        );
        let case_rows: Vec<CaseRow> =
            bind_all_as(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(&last_t).bind(&first_t), &codes)
                .fetch_all(&self.pool)
                .await?;
        let mut case_map: HashMap<String, Vec<gongkai_core::register::Case>> = HashMap::new();
        for c in cases(case_rows)? {
            case_map.entry(c.agency.clone()).or_default().push(c);
        }

        let mut figures = self.figures_of(&codes, year).await?;

        // Section texts of the year.
        let sql = format!(
            "SELECT n.agency, n.section, n.text FROM report_narratives n \
             WHERE n.year = $1 AND n.agency IN ({}) ORDER BY n.agency, n.section",
            placeholders(2, codes.len())
        );
        let mut narratives: HashMap<String, Vec<(SectionKey, String)>> = HashMap::new();
        for r in
            bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)).bind(i64::from(year)), &codes).fetch_all(&self.pool).await?
        {
            let agency: String = r.try_get("agency")?;
            let section: String = r.try_get("section")?;
            let text: String = r.try_get("text")?;
            let Some(key) = SectionKey::from_name(&section) else {
                continue;
            };
            narratives.entry(agency).or_default().push((key, text));
        }

        let sql = format!(
            "SELECT p.agency, p.published_on FROM report_publications p WHERE p.year = $1 AND p.agency IN ({})",
            placeholders(2, codes.len())
        );
        let mut publications: HashMap<String, Option<NaiveDate>> = HashMap::new();
        for r in
            bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)).bind(i64::from(year)), &codes).fetch_all(&self.pool).await?
        {
            let agency: String = r.try_get("agency")?;
            let on: Option<String> = r.try_get("published_on")?;
            publications.insert(agency, parse_opt_date("report_publications", "published_on", on.as_deref())?);
        }

        let mut out = HashMap::with_capacity(agencies.len());
        for a in &agencies {
            let input = YearInput {
                agency: a.clone(),
                year,
                requests: requests.remove(&a.code).unwrap_or_default(),
                cases: case_map.remove(&a.code).unwrap_or_default(),
                figures: figures.remove(&a.code),
                narratives: narratives.remove(&a.code).unwrap_or_default(),
                published_on: publications.get(&a.code).copied().flatten(),
            };
            let received = received.get(&a.code).copied().unwrap_or(0);
            let done = done.remove(&a.code).unwrap_or_default();
            out.insert(a.code.clone(), judge::year_figures(cal, &input, received, done));
        }
        Ok(out)
    }

    /// The requests of `codes` replied to or withdrawn in `year`: every event of those requests,
    /// replayed for the due date (a request with only its reply needs only the receipt date:
    /// memoised per date).
    async fn done_in_year(
        &self,
        codes: &[&str],
        year: i32,
        cal: &Calendar,
    ) -> Result<HashMap<String, judge::Done>, StoreError> {
        let (first, last) = year_bounds(year)?;
        let sql = format!(
            "SELECT r.id, r.agency, r.tracking_number, r.channel, r.received_on, r.applicant_type, \
             e.\"on\" AS on_date, e.\"by\" AS by_whom, e.payload \
             FROM requests r JOIN request_events f ON f.request = r.id \
             JOIN request_events e ON e.request = r.id \
             WHERE r.agency IN ({}) \
             AND f.\"type\" IN ('reply', 'withdrawal') AND f.\"on\" >= $1 AND f.\"on\" <= $2 \
             ORDER BY r.id, e.seq",
            placeholders(3, codes.len())
        );
        let done_rows: Vec<ReqEventRow> =
            bind_all_as(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(date_text(first)).bind(date_text(last)), codes)
                .fetch_all(&self.pool)
                .await?;
        let done = group_rows(done_rows)?.into_iter().map(|l| (l.request, l.events)).collect();
        Ok(judge::finished_in_year(cal, year, done))
    }

    /// The requests of `codes` open on `today` (no reply or withdrawal dated on or before it),
    /// replayed for the due date: per agency, open, due soon, overdue and their lists. With
    /// `indexed`, found by the stored `finished_on` (an index range); else from the events.
    async fn open_requests(
        &self,
        codes: &[&str],
        today: NaiveDate,
        cal: &Calendar,
        indexed: bool,
    ) -> Result<HashMap<String, RequestFigures>, StoreError> {
        if codes.is_empty() {
            return Ok(HashMap::new());
        }
        const SELECT: &str = "SELECT r.id, r.agency, r.tracking_number, r.channel, r.received_on, r.applicant_type, \
             e.\"on\" AS on_date, e.\"by\" AS by_whom, e.payload \
             FROM requests r LEFT JOIN request_events e ON e.request = r.id";
        let list = placeholders(2, codes.len());
        let conditions: Vec<String> = if indexed {
            vec![format!("r.agency IN ({list}) AND r.finished_on > $1 AND r.received_on <= $1")]
        } else {
            vec![format!(
                "r.agency IN ({list}) AND r.received_on <= $1 AND NOT EXISTS ( \
                 SELECT 1 FROM request_events c WHERE c.request = r.id \
                 AND c.\"type\" IN ('reply', 'withdrawal') AND c.\"on\" <= $1)"
            )]
        };
        let mut loaded: Vec<Loaded> = Vec::new();
        if indexed {
            // The requests never finished, from the cache; those finished after `today` (replies
            // recorded ahead) from the registers below.
            for (agency, entries) in self.unfinished(codes).await? {
                for e in entries.into_iter().filter(|e| e.received_on <= today) {
                    loaded.push(Loaded {
                        request: Request {
                            channel: e.channel,
                            received_on: e.received_on,
                            applicant: Applicant {
                                id_document_type: None,
                                kind: e.applicant_type,
                                name: String::new(),
                                id_document: None,
                                contact: None,
                            },
                            agency: agency.clone(),
                            tracking_number: e.tracking_number,
                            content: String::new(),
                            requested_form: None,
                            delivery: None,
                        },
                        events: e.events,
                    });
                }
            }
        }
        let mut open_rows: Vec<ReqEventRow> = Vec::new();
        for c in conditions {
            let sql = format!("{SELECT} WHERE {c} ORDER BY r.id, e.seq");
            // Each query's rows are grouped by request; the two sets are disjoint.
            open_rows.extend(
                bind_all_as(sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(date_text(today)), codes)
                    .fetch_all(&self.pool)
                    .await?,
            );
        }
        loaded.extend(group_rows(open_rows)?);
        Ok(judge::open_on(cal, today, loaded.into_iter().map(|l| (l.request, l.events))))
    }

    /// The report side from the agencies' [`YearFigures`], plus what may change by the day or
    /// with the subtree: the publication records (status), amendments, last year's problems
    /// sections, imported published reports, the comparison of problems sections, scorecards
    /// and the roll-up.
    async fn reports_from(
        &self,
        root: &str,
        agencies: &[Agency],
        years: &HashMap<String, YearFigures>,
        year: i32,
        today: NaiveDate,
    ) -> Result<ReportsOverview, StoreError> {
        let started = std::time::Instant::now();
        let codes: Vec<&str> = agencies.iter().map(|a| a.code.as_str()).collect();
        // Last year's problems sections (the problems criterion).
        let narrative_rows = sqlx::query(with_subtree!(
            "SELECT n.agency, n.text FROM report_narratives n JOIN subtree s ON n.agency = s.code \
             WHERE n.year = $3 AND n.section = 'problems'"
        ))
        .bind(root)
        .bind(MAX_DEPTH)
        .bind(i64::from(year) - 1)
        .fetch_all(&self.pool)
        .await?;
        let mut previous_problems: HashMap<String, String> = HashMap::new();
        for r in &narrative_rows {
            previous_problems.insert(r.try_get("agency")?, r.try_get("text")?);
        }

        let pub_rows = sqlx::query(with_subtree!(
            "SELECT p.agency, p.published_on FROM report_publications p JOIN subtree s ON p.agency = s.code \
             WHERE p.year = $3"
        ))
        .bind(root)
        .bind(MAX_DEPTH)
        .bind(i64::from(year))
        .fetch_all(&self.pool)
        .await?;
        let mut publications: HashMap<String, Option<NaiveDate>> = HashMap::new();
        for r in &pub_rows {
            let agency: String = r.try_get("agency")?;
            let on: Option<String> = r.try_get("published_on")?;
            publications.insert(agency, parse_opt_date("report_publications", "published_on", on.as_deref())?);
        }

        let amendment_rows = sqlx::query(with_subtree!(
            "SELECT m.agency, COUNT(*) AS n FROM amendments m JOIN subtree s ON m.agency = s.code \
             WHERE m.year = $3 GROUP BY m.agency"
        ))
        .bind(root)
        .bind(MAX_DEPTH)
        .bind(i64::from(year))
        .fetch_all(&self.pool)
        .await?;
        let mut amendments: HashMap<String, i64> = HashMap::new();
        for r in &amendment_rows {
            amendments.insert(r.try_get("agency")?, r.try_get("n")?);
        }

        // Imported published reports of the year (and the year before, for the problems
        // criterion), withdrawn ones left out; each agency's in publication order.
        let mut this_year: HashMap<String, Vec<PublishedReport>> = HashMap::new();
        let mut previous_imported: HashMap<String, gongkai_core::report::Report> = HashMap::new();
        for p in self.published_reports_of(&codes, year - 1, year, false).await? {
            if p.year == year {
                this_year.entry(p.agency.clone()).or_default().push(p);
            } else {
                // Oldest first: the newest import stays.
                previous_imported.insert(p.agency.clone(), p.report);
            }
        }
        let imported = this_year
            .into_iter()
            .map(|(agency, imports)| {
                let ordered = in_publication_order(&imports)
                    .into_iter()
                    .map(|p| Imported {
                        report: p.report.clone(),
                        published_on: p.published_on,
                        source: p.source.clone(),
                    })
                    .collect();
                (agency, ordered)
            })
            .collect();
        let read = started.elapsed();
        let rows = ReportRows { publications, amendments, previous_problems, previous_imported, imported };
        let judged = judge::judge_reports(agencies, years, rows, year, today)?;
        tracing::debug!(
            read_ms = read.as_millis() as u64,
            judged_ms = (started.elapsed() - read).as_millis() as u64,
            "reports judged, scored and rolled up"
        );
        Ok(judged)
    }

    /// Year-on-year figures of `root`'s subtree, `first..=last` (at most 20 years): the requests
    /// and the review and litigation cases from each agency's year (the overview cache's rows:
    /// the request figures of [`Store::supervise_requests`], and table 4 of the report generated
    /// from the registers), proactive disclosures and the table-2 decisions, summed over the
    /// agencies. Agencies judged on an imported published file have no registers: the series
    /// count what they recorded in gongkai.
    pub async fn supervise_trend(
        &self,
        root: &str,
        first: i32,
        last: i32,
        cal: &Calendar,
    ) -> Result<Vec<TrendPoint>, StoreError> {
        let years = judge::trend_years(first, last)?;
        let agencies = self.agency_subtree(root).await?;
        let codes: Vec<&str> = agencies.iter().map(|a| a.code.as_str()).collect();
        let mut out = Vec::new();
        for year in years {
            let mut p = self.trend_other_figures(&codes, year).await?;
            // The year's figures of every agency (the overview cache's rows).
            let years = self.year_figures(&agencies, year, cal, true).await?;
            for a in &agencies {
                let Some(y) = years.get(&a.code) else {
                    return Err(SuperviseError::Missing { what: "trend", agency: a.code.clone() }.into());
                };
                p.add_year(y);
            }
            out.push(p);
        }
        Ok(out)
    }

    /// The review and litigation, and proactive, figures of a year for the agencies `codes`
    /// (the rest of the [`TrendPoint`] left at zero): four grouped queries.
    async fn trend_other_figures(&self, codes: &[&str], year: i32) -> Result<TrendPoint, StoreError> {
        let (first, last) = year_bounds(year)?;
        let (first_t, last_t) = (date_text(first), date_text(last));
        let mut p = TrendPoint::empty(year);
        if codes.is_empty() {
            return Ok(p);
        }
        let list = placeholders(3, codes.len());
        let sql = format!(
            "SELECT COUNT(*) AS n FROM proactive_disclosures d WHERE d.agency IN ({list}) \
             AND d.published_on >= $1 AND d.published_on <= $2"
        );
        p.proactive_items = bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)).bind(&first_t).bind(&last_t), codes)
            .fetch_one(&self.pool)
            .await?
            .try_get("n")?;
        // SUM of BIGINT is NUMERIC on PostgreSQL, which the Any driver cannot read: cast back.
        let sql = format!(
            "SELECT CAST(SUM(f.normative_issued) AS BIGINT) AS normative, \
             CAST(SUM(f.licensing_decisions) AS BIGINT) AS licensing, \
             CAST(SUM(f.penalty_decisions) AS BIGINT) AS penalty \
             FROM article20_figures f WHERE f.agency IN ({}) AND f.year = $1",
            placeholders(2, codes.len())
        );
        let r =
            bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)).bind(i64::from(year)), codes).fetch_one(&self.pool).await?;
        p.normative_issued = r.try_get("normative")?;
        p.licensing_decisions = r.try_get("licensing")?;
        p.penalty_decisions = r.try_get("penalty")?;
        Ok(p)
    }

    /// The Article 20 figures of `year` of the agencies `codes`.
    async fn figures_of(&self, codes: &[&str], year: i32) -> Result<HashMap<String, Article20Figures>, StoreError> {
        let sql = format!(
            "SELECT f.agency, f.rules_issued, f.rules_repealed, f.rules_in_force, f.normative_issued, \
             f.normative_repealed, f.normative_in_force, f.licensing_decisions, f.penalty_decisions, \
             f.coercive_decisions, f.fees_wan_yuan \
             FROM article20_figures f WHERE f.year = $1 AND f.agency IN ({})",
            placeholders(2, codes.len())
        );
        let rows =
            bind_all(sqlx::query(sqlx::AssertSqlSafe(sql)).bind(i64::from(year)), codes).fetch_all(&self.pool).await?;
        let mut out = HashMap::new();
        for r in &rows {
            let fees: Option<String> = r.try_get("fees_wan_yuan")?;
            let f = Article20Figures {
                agency: r.try_get("agency")?,
                year,
                rules_issued: r.try_get("rules_issued")?,
                rules_repealed: r.try_get("rules_repealed")?,
                rules_in_force: r.try_get("rules_in_force")?,
                normative_issued: r.try_get("normative_issued")?,
                normative_repealed: r.try_get("normative_repealed")?,
                normative_in_force: r.try_get("normative_in_force")?,
                licensing_decisions: r.try_get("licensing_decisions")?,
                penalty_decisions: r.try_get("penalty_decisions")?,
                coercive_decisions: r.try_get("coercive_decisions")?,
                fees_wan_yuan: fees
                    .as_deref()
                    .map(|s| parse_amount("article20_figures", "fees_wan_yuan", s))
                    .transpose()?,
            };
            out.insert(f.agency.clone(), f);
        }
        Ok(out)
    }
}

impl From<SuperviseError> for StoreError {
    fn from(e: SuperviseError) -> StoreError {
        let what = match e {
            SuperviseError::TrendYears { .. } => "years",
            SuperviseError::RollUp(_) => "roll-up year",
            SuperviseError::Missing { .. } => "overview",
        };
        StoreError::Invalid { what, detail: e.to_string() }
    }
}
