//! Review and litigation cases, proactive disclosures and Article 20 figures.

use chrono::Datelike;
use gongkai_core::register::{Article20Figures, Case, ProactiveDisclosure};
use sqlx::any::Any;
use sqlx::AnyConnection;

use crate::cache::{case_span, Span, Stale};
use crate::codec::{date_text, enum_name, parse_amount, parse_date, parse_enum, parse_opt_date, year_from};
use crate::error::{on_insert, on_write};
use crate::lock::{case_years, guard, lock_agency, locked_years, year_if_locked, Amend, Touch};
use crate::reports::Amendment;
use crate::{Store, StoreError};

macro_rules! case_select {
    ($tail:literal) => {
        concat!(
            "SELECT agency, number, \"group\" AS case_group, request, filed_on, decided_on, result FROM cases ",
            $tail
        )
    };
}
pub(crate) use case_select;

macro_rules! proactive_select {
    ($tail:literal) => {
        concat!(
            "SELECT agency, index_number, title, document_number, article20_item, category, channels, \
             published_on, validity FROM proactive_disclosures ",
            $tail
        )
    };
}
pub(crate) use proactive_select;

#[derive(sqlx::FromRow)]
pub(crate) struct CaseRow {
    agency: String,
    number: String,
    case_group: String,
    request: Option<String>,
    filed_on: String,
    decided_on: Option<String>,
    result: Option<String>,
}

impl TryFrom<CaseRow> for Case {
    type Error = StoreError;
    fn try_from(r: CaseRow) -> Result<Case, StoreError> {
        Ok(Case {
            group: parse_enum("cases", "group", &r.case_group)?,
            filed_on: parse_date("cases", "filed_on", &r.filed_on)?,
            decided_on: parse_opt_date("cases", "decided_on", r.decided_on.as_deref())?,
            result: r.result.as_deref().map(|s| parse_enum("cases", "result", s)).transpose()?,
            agency: r.agency,
            number: r.number,
            request: r.request,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct ProactiveRow {
    agency: String,
    index_number: String,
    title: String,
    document_number: Option<String>,
    article20_item: Option<i64>,
    category: Option<String>,
    channels: String,
    published_on: String,
    validity: Option<String>,
}

impl TryFrom<ProactiveRow> for ProactiveDisclosure {
    type Error = StoreError;
    fn try_from(r: ProactiveRow) -> Result<ProactiveDisclosure, StoreError> {
        let article20_item = r
            .article20_item
            .map(|v| {
                u8::try_from(v).map_err(|_| StoreError::Corrupt {
                    table: "proactive_disclosures",
                    column: "article20_item",
                    detail: format!("{v} is out of range"),
                })
            })
            .transpose()?;
        let channels: Vec<String> = serde_json::from_str(&r.channels).map_err(|e| StoreError::Corrupt {
            table: "proactive_disclosures",
            column: "channels",
            detail: e.to_string(),
        })?;
        Ok(ProactiveDisclosure {
            published_on: parse_date("proactive_disclosures", "published_on", &r.published_on)?,
            agency: r.agency,
            index_number: r.index_number,
            title: r.title,
            document_number: r.document_number,
            article20_item,
            category: r.category,
            channels,
            validity: r.validity,
        })
    }
}

#[derive(sqlx::FromRow)]
struct FiguresRow {
    agency: String,
    year: i64,
    rules_issued: Option<i64>,
    rules_repealed: Option<i64>,
    rules_in_force: Option<i64>,
    normative_issued: Option<i64>,
    normative_repealed: Option<i64>,
    normative_in_force: Option<i64>,
    licensing_decisions: Option<i64>,
    penalty_decisions: Option<i64>,
    coercive_decisions: Option<i64>,
    fees_wan_yuan: Option<String>,
}

impl TryFrom<FiguresRow> for Article20Figures {
    type Error = StoreError;
    fn try_from(r: FiguresRow) -> Result<Article20Figures, StoreError> {
        Ok(Article20Figures {
            year: year_from("article20_figures", r.year)?,
            fees_wan_yuan: r
                .fees_wan_yuan
                .as_deref()
                .map(|s| parse_amount("article20_figures", "fees_wan_yuan", s))
                .transpose()?,
            agency: r.agency,
            rules_issued: r.rules_issued,
            rules_repealed: r.rules_repealed,
            rules_in_force: r.rules_in_force,
            normative_issued: r.normative_issued,
            normative_repealed: r.normative_repealed,
            normative_in_force: r.normative_in_force,
            licensing_decisions: r.licensing_decisions,
            penalty_decisions: r.penalty_decisions,
            coercive_decisions: r.coercive_decisions,
        })
    }
}

pub(crate) fn cases(rows: Vec<CaseRow>) -> Result<Vec<Case>, StoreError> {
    rows.into_iter().map(Case::try_from).collect()
}

pub(crate) fn proactive(rows: Vec<ProactiveRow>) -> Result<Vec<ProactiveDisclosure>, StoreError> {
    rows.into_iter().map(ProactiveDisclosure::try_from).collect()
}

/// The Article 20 figures of an agency and year.
pub(crate) async fn fetch_figures<'e, E>(ex: E, agency: &str, year: i32) -> Result<Option<Article20Figures>, StoreError>
where
    E: sqlx::Executor<'e, Database = Any>,
{
    let row: Option<FiguresRow> = sqlx::query_as(
        "SELECT agency, year, rules_issued, rules_repealed, rules_in_force, normative_issued, \
         normative_repealed, normative_in_force, licensing_decisions, penalty_decisions, \
         coercive_decisions, fees_wan_yuan FROM article20_figures WHERE agency = $1 AND year = $2",
    )
    .bind(agency)
    .bind(i64::from(year))
    .fetch_optional(ex)
    .await?;
    row.map(Article20Figures::try_from).transpose()
}

/// What registering or changing a case touches.
pub(crate) fn case_touch(old: Option<&Case>, new: &Case, locked: &[i32]) -> [Touch; 1] {
    let span =
        old.map_or(Span::NONE, |o| case_span(o.filed_on, o.decided_on)).union(case_span(new.filed_on, new.decided_on));
    [Touch { table: "cases", key: new.number.clone(), years: case_years(old, new, locked), span }]
}

/// What registering a proactive disclosure touches.
pub(crate) fn proactive_touch(item: &ProactiveDisclosure, locked: &[i32]) -> [Touch; 1] {
    [Touch {
        table: "proactive_disclosures",
        key: item.index_number.clone(),
        years: year_if_locked(item.published_on.year(), locked),
        // No cached figure counts proactive disclosures (the trend reads them directly).
        span: Span::NONE,
    }]
}

/// What recording a year's Article 20 figures touches.
pub(crate) fn figures_touch(f: &Article20Figures, locked: &[i32]) -> [Touch; 1] {
    [Touch {
        table: "article20_figures",
        key: f.year.to_string(),
        years: year_if_locked(f.year, locked),
        span: Span::year(f.year),
    }]
}

/// Inserts one case; unique violation → Conflict, unknown agency → NotFound.
pub(crate) async fn insert_case_on(conn: &mut AnyConnection, case: &Case) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO cases (agency, number, \"group\", request, filed_on, decided_on, result) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&case.agency)
    .bind(&case.number)
    .bind(enum_name(&case.group)?)
    .bind(case.request.as_deref())
    .bind(date_text(case.filed_on))
    .bind(case.decided_on.map(date_text))
    .bind(case.result.as_ref().map(enum_name).transpose()?)
    .execute(&mut *conn)
    .await
    .map_err(|e| on_insert(e, "case", &case.agency, &case.number))?;
    Ok(())
}

/// Inserts one proactive disclosure; unique violation → Conflict, unknown agency → NotFound.
pub(crate) async fn insert_proactive_on(
    conn: &mut AnyConnection,
    item: &ProactiveDisclosure,
) -> Result<(), StoreError> {
    let channels = serde_json::to_string(&item.channels)
        .map_err(|e| StoreError::Invalid { what: "channels", detail: e.to_string() })?;
    sqlx::query(
        "INSERT INTO proactive_disclosures (agency, index_number, title, document_number, article20_item, \
         category, channels, published_on, validity) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&item.agency)
    .bind(&item.index_number)
    .bind(&item.title)
    .bind(item.document_number.as_deref())
    .bind(item.article20_item.map(i64::from))
    .bind(item.category.as_deref())
    .bind(channels)
    .bind(date_text(item.published_on))
    .bind(item.validity.as_deref())
    .execute(&mut *conn)
    .await
    .map_err(|e| on_insert(e, "proactive disclosure", &item.agency, &item.index_number))?;
    Ok(())
}

/// Inserts or replaces one year of Article 20 figures.
pub(crate) async fn put_figures_on(conn: &mut AnyConnection, f: &Article20Figures) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO article20_figures (agency, year, rules_issued, rules_repealed, rules_in_force, \
         normative_issued, normative_repealed, normative_in_force, licensing_decisions, \
         penalty_decisions, coercive_decisions, fees_wan_yuan) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) \
         ON CONFLICT (agency, year) DO UPDATE SET rules_issued = excluded.rules_issued, \
         rules_repealed = excluded.rules_repealed, rules_in_force = excluded.rules_in_force, \
         normative_issued = excluded.normative_issued, normative_repealed = excluded.normative_repealed, \
         normative_in_force = excluded.normative_in_force, \
         licensing_decisions = excluded.licensing_decisions, \
         penalty_decisions = excluded.penalty_decisions, \
         coercive_decisions = excluded.coercive_decisions, fees_wan_yuan = excluded.fees_wan_yuan",
    )
    .bind(&f.agency)
    .bind(i64::from(f.year))
    .bind(f.rules_issued)
    .bind(f.rules_repealed)
    .bind(f.rules_in_force)
    .bind(f.normative_issued)
    .bind(f.normative_repealed)
    .bind(f.normative_in_force)
    .bind(f.licensing_decisions)
    .bind(f.penalty_decisions)
    .bind(f.coercive_decisions)
    .bind(f.fees_wan_yuan.as_ref().map(|a| a.as_str().to_string()))
    .execute(&mut *conn)
    .await
    .map_err(|e| on_write(e, &f.agency))?;
    Ok(())
}

impl Store {
    /// Registers a review or litigation case. A case number already used in the agency is
    /// [`StoreError::Conflict`]; an unknown agency is [`StoreError::NotFound`]; a case feeding a
    /// locked year is [`StoreError::Locked`] (see [`Store::amending`]).
    #[tracing::instrument(skip_all, fields(agency = %case.agency, number = %case.number))]
    pub async fn insert_case(&self, case: &Case) -> Result<(), StoreError> {
        self.insert_case_with(case, None).await.map(drop)
    }

    pub(crate) async fn insert_case_with(
        &self,
        case: &Case,
        amend: Option<&Amend>,
    ) -> Result<Vec<Amendment>, StoreError> {
        let mut tx = self.pool.begin().await?;
        lock_agency(&mut tx, &case.agency).await?;
        let locked = locked_years(&mut tx, &case.agency).await?;
        let touch = case_touch(None, case, &locked);
        let mut stale = Stale::default();
        let amendments = guard(&mut tx, &case.agency, &touch, amend, &mut stale).await?;
        insert_case_on(&mut tx, case).await?;
        self.audit_on(&mut tx).await?;
        stale.flush(&mut tx).await?;
        tx.commit().await?;
        Ok(amendments)
    }

    /// Replaces a registered case (typically when it is decided). [`StoreError::NotFound`] if no
    /// case has that agency and number; [`StoreError::Locked`] if the change reaches a locked
    /// year (see [`Store::amending`]).
    #[tracing::instrument(skip_all, fields(agency = %case.agency, number = %case.number))]
    pub async fn update_case(&self, case: &Case) -> Result<(), StoreError> {
        self.update_case_with(case, None).await.map(drop)
    }

    pub(crate) async fn update_case_with(
        &self,
        case: &Case,
        amend: Option<&Amend>,
    ) -> Result<Vec<Amendment>, StoreError> {
        let not_found = || StoreError::NotFound { what: "case", key: format!("{}/{}", case.agency, case.number) };
        let mut tx = self.pool.begin().await?;
        lock_agency(&mut tx, &case.agency).await.map_err(|e| match e {
            StoreError::NotFound { .. } => not_found(),
            e => e,
        })?;
        let old: Option<CaseRow> = sqlx::query_as(case_select!("WHERE agency = $1 AND number = $2"))
            .bind(&case.agency)
            .bind(&case.number)
            .fetch_optional(&mut *tx)
            .await?;
        let old = Case::try_from(old.ok_or_else(not_found)?)?;
        let locked = locked_years(&mut tx, &case.agency).await?;
        let touch = case_touch(Some(&old), case, &locked);
        let mut stale = Stale::default();
        let amendments = guard(&mut tx, &case.agency, &touch, amend, &mut stale).await?;
        sqlx::query(
            "UPDATE cases SET \"group\" = $3, request = $4, filed_on = $5, decided_on = $6, result = $7 \
             WHERE agency = $1 AND number = $2",
        )
        .bind(&case.agency)
        .bind(&case.number)
        .bind(enum_name(&case.group)?)
        .bind(case.request.as_deref())
        .bind(date_text(case.filed_on))
        .bind(case.decided_on.map(date_text))
        .bind(case.result.as_ref().map(enum_name).transpose()?)
        .execute(&mut *tx)
        .await?;
        self.audit_on(&mut tx).await?;
        stale.flush(&mut tx).await?;
        tx.commit().await?;
        Ok(amendments)
    }

    /// The cases of an agency, by filing date and number.
    pub async fn list_cases(&self, agency: &str) -> Result<Vec<Case>, StoreError> {
        let rows: Vec<CaseRow> = sqlx::query_as(case_select!("WHERE agency = $1 ORDER BY filed_on, number"))
            .bind(agency)
            .fetch_all(&self.pool)
            .await?;
        cases(rows)
    }

    /// Registers a proactive disclosure. An index number already used in the agency is
    /// [`StoreError::Conflict`]; an unknown agency is [`StoreError::NotFound`]; one published in
    /// a locked year is [`StoreError::Locked`] (see [`Store::amending`]).
    #[tracing::instrument(skip_all, fields(agency = %item.agency, index_number = %item.index_number))]
    pub async fn insert_proactive(&self, item: &ProactiveDisclosure) -> Result<(), StoreError> {
        self.insert_proactive_with(item, None).await.map(drop)
    }

    pub(crate) async fn insert_proactive_with(
        &self,
        item: &ProactiveDisclosure,
        amend: Option<&Amend>,
    ) -> Result<Vec<Amendment>, StoreError> {
        let mut tx = self.pool.begin().await?;
        lock_agency(&mut tx, &item.agency).await?;
        let locked = locked_years(&mut tx, &item.agency).await?;
        let touch = proactive_touch(item, &locked);
        let mut stale = Stale::default();
        let amendments = guard(&mut tx, &item.agency, &touch, amend, &mut stale).await?;
        insert_proactive_on(&mut tx, item).await?;
        self.audit_on(&mut tx).await?;
        stale.flush(&mut tx).await?;
        tx.commit().await?;
        Ok(amendments)
    }

    /// The proactive disclosures of an agency, by publication date and index number.
    pub async fn list_proactive(&self, agency: &str) -> Result<Vec<ProactiveDisclosure>, StoreError> {
        let rows: Vec<ProactiveRow> =
            sqlx::query_as(proactive_select!("WHERE agency = $1 ORDER BY published_on, index_number"))
                .bind(agency)
                .fetch_all(&self.pool)
                .await?;
        proactive(rows)
    }

    /// Records (inserts or replaces) an agency's Article 20 figures for a year;
    /// [`StoreError::Locked`] when the year is locked (see [`Store::amending`]).
    #[tracing::instrument(skip_all, fields(agency = %figures.agency, year = figures.year))]
    pub async fn put_article20_figures(&self, figures: &Article20Figures) -> Result<(), StoreError> {
        self.put_article20_figures_with(figures, None).await.map(drop)
    }

    pub(crate) async fn put_article20_figures_with(
        &self,
        figures: &Article20Figures,
        amend: Option<&Amend>,
    ) -> Result<Vec<Amendment>, StoreError> {
        let mut tx = self.pool.begin().await?;
        lock_agency(&mut tx, &figures.agency).await?;
        let locked = locked_years(&mut tx, &figures.agency).await?;
        let touch = figures_touch(figures, &locked);
        let mut stale = Stale::default();
        let amendments = guard(&mut tx, &figures.agency, &touch, amend, &mut stale).await?;
        put_figures_on(&mut tx, figures).await?;
        self.audit_on(&mut tx).await?;
        stale.flush(&mut tx).await?;
        tx.commit().await?;
        Ok(amendments)
    }

    /// An agency's Article 20 figures for a year, or `None` if not recorded.
    pub async fn get_article20_figures(&self, agency: &str, year: i32) -> Result<Option<Article20Figures>, StoreError> {
        fetch_figures(&self.pool, agency, year).await
    }

    /// All years of Article 20 figures of an agency, oldest first.
    pub async fn list_article20_figures(&self, agency: &str) -> Result<Vec<Article20Figures>, StoreError> {
        let rows: Vec<FiguresRow> = sqlx::query_as(
            "SELECT agency, year, rules_issued, rules_repealed, rules_in_force, normative_issued, \
             normative_repealed, normative_in_force, licensing_decisions, penalty_decisions, \
             coercive_decisions, fees_wan_yuan FROM article20_figures WHERE agency = $1 ORDER BY year",
        )
        .bind(agency)
        .fetch_all(&self.pool)
        .await?;
        rows.into_iter().map(Article20Figures::try_from).collect()
    }
}
