//! Agencies (行政机关) and their tree.

use std::collections::HashMap;

use chrono::NaiveDate;
use gongkai_core::register::Agency;
use sqlx::{AnyConnection, Row};

use crate::cache::{invalidate, Span};
use crate::codec::{enum_name, parse_enum};
use crate::error::violation;
use crate::{Store, StoreError};

/// How deep an agency tree may go (province → city → county → town → …); guards the recursive
/// query against a cycle written by hand.
const MAX_DEPTH: i64 = 32;

#[derive(sqlx::FromRow)]
struct AgencyRow {
    code: String,
    name: String,
    parent: Option<String>,
    kind: String,
}

impl TryFrom<AgencyRow> for Agency {
    type Error = StoreError;
    fn try_from(r: AgencyRow) -> Result<Agency, StoreError> {
        Ok(Agency { kind: parse_enum("agencies", "kind", &r.kind)?, code: r.code, name: r.name, parent: r.parent })
    }
}

fn agencies(rows: Vec<AgencyRow>) -> Result<Vec<Agency>, StoreError> {
    rows.into_iter().map(Agency::try_from).collect()
}

/// 停用: since when an agency receives no request, and where its duties went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deactivation {
    /// The first day it receives no request.
    pub on: NaiveDate,
    /// 说明 shown to applicants (the agency that took over its duties, …).
    pub note: String,
}

fn deactivation(code: &str, on: Option<String>, note: Option<String>) -> Result<Option<Deactivation>, StoreError> {
    let Some(on) = on else { return Ok(None) };
    let on = NaiveDate::parse_from_str(&on, "%Y-%m-%d").map_err(|_| StoreError::Corrupt {
        table: "agencies",
        column: "deactivated_on",
        detail: format!("agency {code}: {on:?} is not a date"),
    })?;
    Ok(Some(Deactivation { on, note: note.unwrap_or_default() }))
}

impl Store {
    /// Deactivates the agency from `deactivation.on` (its records stay), or with `None`
    /// reactivates it; [`StoreError::NotFound`] for an unknown agency. With the audit record of
    /// an [`Store::audited`] handle in the same transaction.
    pub async fn set_agency_deactivation(
        &self,
        code: &str,
        deactivation: Option<&Deactivation>,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("UPDATE agencies SET deactivated_on = $2, deactivation_note = $3 WHERE code = $1")
            .bind(code)
            .bind(deactivation.map(|d| d.on.format("%Y-%m-%d").to_string()))
            .bind(deactivation.map(|d| d.note.clone()))
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound { what: "agency", key: code.to_string() });
        }
        self.audit_on(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The agency's deactivation, if it is deactivated.
    pub async fn agency_deactivation(&self, code: &str) -> Result<Option<Deactivation>, StoreError> {
        let row = sqlx::query("SELECT deactivated_on, deactivation_note FROM agencies WHERE code = $1")
            .bind(code)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            None => Ok(None),
            Some(r) => deactivation(code, r.try_get("deactivated_on")?, r.try_get("deactivation_note")?),
        }
    }

    /// Every deactivated agency, by code.
    pub async fn agency_deactivations(&self) -> Result<HashMap<String, Deactivation>, StoreError> {
        let rows = sqlx::query(
            "SELECT code, deactivated_on, deactivation_note FROM agencies WHERE deactivated_on IS NOT NULL",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out = HashMap::new();
        for r in rows {
            let code: String = r.try_get("code")?;
            if let Some(d) = deactivation(&code, r.try_get("deactivated_on")?, r.try_get("deactivation_note")?)? {
                out.insert(code, d);
            }
        }
        Ok(out)
    }

    /// Inserts the agency, or updates its name, parent and kind. The parent must exist already
    /// ([`StoreError::NotFound`]) and must not be the agency itself or one of its descendants
    /// ([`StoreError::Invalid`]). With the audit record of an [`Store::audited`] handle in the
    /// same transaction.
    #[tracing::instrument(skip_all, fields(agency = %agency.code))]
    pub async fn upsert_agency(&self, agency: &Agency) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        upsert_agency_on(&mut tx, agency).await?;
        self.audit_on(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes an agency registered by mistake — only while no record names it: its requests,
    /// cases, registers, reports, documents, accounts, guide and agencies below it are the
    /// agency's public record and are never deleted with it. Returns what names it, by the
    /// Chinese name of each kind of record and its count (nothing deleted), or an empty list
    /// (deleted, with its casework settings). One transaction under the agency's lock, so that
    /// no record can be added between the count and the deletion.
    #[tracing::instrument(skip(self))]
    pub async fn delete_agency(&self, code: &str) -> Result<Vec<(&'static str, i64)>, StoreError> {
        const NAMED_BY: [(&str, &str, &str); 13] = [
            ("agencies", "parent", "下级机关"),
            ("requests", "agency", "申请登记"),
            ("cases", "agency", "复议诉讼案件"),
            ("proactive_disclosures", "agency", "主动公开登记"),
            ("article20_figures", "agency", "第二十条数据"),
            ("report_narratives", "agency", "报告正文"),
            ("report_publications", "agency", "年度报告发布记录"),
            ("amendments", "agency", "更正记录"),
            ("published_reports", "agency", "已发布的年度报告文件"),
            ("documents", "agency", "文书"),
            ("users", "agency", "工作平台账户"),
            ("disclosure_guides", "agency", "政府信息公开指南"),
            ("guide_versions", "agency", "政府信息公开指南版本"),
        ];
        let mut tx = self.pool.begin().await?;
        crate::lock::lock_agency(&mut tx, code).await?;
        let mut named = Vec::new();
        for (table, column, label) in NAMED_BY {
            let sql = format!("SELECT COUNT(*) FROM {table} WHERE {column} = $1");
            let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(code).fetch_one(&mut *tx).await?;
            if n > 0 {
                named.push((label, n));
            }
        }
        if named.is_empty() {
            sqlx::query("DELETE FROM agency_casework WHERE agency = $1").bind(code).execute(&mut *tx).await?;
            sqlx::query("DELETE FROM agencies WHERE code = $1").bind(code).execute(&mut *tx).await?;
            self.audit_on(&mut tx).await?;
            tx.commit().await?;
        }
        Ok(named)
    }

    /// One agency by code.
    pub async fn get_agency(&self, code: &str) -> Result<Option<Agency>, StoreError> {
        let row: Option<AgencyRow> = sqlx::query_as("SELECT code, name, parent, kind FROM agencies WHERE code = $1")
            .bind(code)
            .fetch_optional(&self.pool)
            .await?;
        row.map(Agency::try_from).transpose()
    }

    /// Every agency, by code.
    pub async fn list_agencies(&self) -> Result<Vec<Agency>, StoreError> {
        let rows: Vec<AgencyRow> =
            sqlx::query_as("SELECT code, name, parent, kind FROM agencies ORDER BY code").fetch_all(&self.pool).await?;
        agencies(rows)
    }

    /// The agency and everything below it (a supervising office's scope): the agency first, then
    /// by depth and code. [`StoreError::NotFound`] if the agency does not exist.
    pub async fn agency_subtree(&self, code: &str) -> Result<Vec<Agency>, StoreError> {
        let rows: Vec<AgencyRow> = sqlx::query_as(
            "WITH RECURSIVE subtree (code, depth) AS ( \
                 SELECT code, 0 FROM agencies WHERE code = $1 \
                 UNION ALL \
                 SELECT a.code, s.depth + 1 FROM agencies a JOIN subtree s ON a.parent = s.code \
                 WHERE s.depth < $2 \
             ) \
             SELECT a.code, a.name, a.parent, a.kind \
             FROM agencies a JOIN subtree s ON a.code = s.code \
             ORDER BY s.depth, a.code",
        )
        .bind(code)
        .bind(MAX_DEPTH)
        .fetch_all(&self.pool)
        .await?;
        if rows.is_empty() {
            return Err(StoreError::NotFound { what: "agency", key: code.to_string() });
        }
        agencies(rows)
    }
}

impl Store {
    /// The agencies named (those that exist), in no particular order.
    pub(crate) async fn agencies_by_code(&self, codes: &[&str]) -> Result<Vec<Agency>, StoreError> {
        if codes.is_empty() {
            return Ok(Vec::new());
        }
        let list = (1..=codes.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
        let sql = format!("SELECT code, name, parent, kind FROM agencies WHERE code IN ({list})");
        let mut q = sqlx::query_as(sqlx::AssertSqlSafe(sql));
        for c in codes {
            q = q.bind(*c);
        }
        let rows: Vec<AgencyRow> = q.fetch_all(&self.pool).await?;
        agencies(rows)
    }
}

/// [`Store::upsert_agency`] inside a transaction: writes first (on SQLite the first write takes
/// the write lock), then checks the tree; an error rolls the write back with the transaction.
pub(crate) async fn upsert_agency_on(conn: &mut AnyConnection, agency: &Agency) -> Result<(), StoreError> {
    // The agency's row lock first (a no-op when it is new), then its name and kind as they were:
    // the generated reports carry the name, and the kind decides the rules (overview cache).
    sqlx::query("UPDATE agencies SET name = name WHERE code = $1").bind(&agency.code).execute(&mut *conn).await?;
    let old: Option<AgencyRow> = sqlx::query_as("SELECT code, name, parent, kind FROM agencies WHERE code = $1")
        .bind(&agency.code)
        .fetch_optional(&mut *conn)
        .await?;
    if old.is_some_and(|o| o.name != agency.name || o.kind != enum_name(&agency.kind).unwrap_or_default()) {
        invalidate(&mut *conn, &agency.code, Span::ALL).await?;
    }
    sqlx::query(
        "INSERT INTO agencies (code, name, parent, kind) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (code) DO UPDATE SET name = excluded.name, parent = excluded.parent, kind = excluded.kind",
    )
    .bind(&agency.code)
    .bind(&agency.name)
    .bind(agency.parent.as_deref())
    .bind(enum_name(&agency.kind)?)
    .execute(&mut *conn)
    .await
    .map_err(|e| match violation(&e) {
        Some(sqlx::error::ErrorKind::ForeignKeyViolation) => {
            StoreError::NotFound { what: "agency", key: agency.parent.clone().unwrap_or_default() }
        }
        _ => StoreError::Backend(e),
    })?;
    if let Some(parent) = &agency.parent {
        let below = subtree_codes(&mut *conn, &agency.code).await?;
        if parent == &agency.code || below.iter().any(|c| c == parent) {
            return Err(StoreError::Invalid {
                what: "agency tree",
                detail: format!("{parent} is {} itself or below it", agency.code),
            });
        }
    }
    Ok(())
}

/// The codes strictly below an agency (empty if it has no children or does not exist).
async fn subtree_codes<'e, E>(ex: E, code: &str) -> Result<Vec<String>, StoreError>
where
    E: sqlx::Executor<'e, Database = sqlx::any::Any>,
{
    let rows = sqlx::query(
        "WITH RECURSIVE below (code, depth) AS ( \
             SELECT code, 1 FROM agencies WHERE parent = $1 \
             UNION ALL \
             SELECT a.code, b.depth + 1 FROM agencies a JOIN below b ON a.parent = b.code \
             WHERE b.depth < $2 \
         ) \
         SELECT code FROM below",
    )
    .bind(code)
    .bind(MAX_DEPTH)
    .fetch_all(ex)
    .await?;
    rows.iter().map(|r| sqlx::Row::try_get::<String, _>(r, "code").map_err(StoreError::from)).collect()
}
