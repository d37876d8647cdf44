//! What the public portal needs beyond the registers: the disclosure guide (指南, Art. 12), the
//! directory fields the register lacks (内容概述, 生成日期, …) and the public access to a request
//! filed online (tracking number + a hash of the query code).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use gongkai_core::register::Request;
use sqlx::Row;

use crate::cache::Stale;
use crate::codec::{date_text, now_text, parse_date, parse_opt_date};
use crate::error::{on_insert, on_write};
use crate::lock::{guard, lock_agency, locked_years};
use crate::requests::{insert_request_on, request_touch};
use crate::{RequestId, Store, StoreError};

/// 政府信息公开指南 of one agency (spec A2.1): the disclosure office's 名称、办公地址、办公时间、
/// 联系电话、传真号码、互联网联系方式, plus the guide's text sections (A2.2). Serialized (every
/// field but the agency, which is the row's) as a saved version in `guide_versions`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DisclosureGuide {
    /// The agency's code.
    #[serde(skip)]
    pub agency: String,
    /// 政府信息公开工作机构名称.
    pub office_name: String,
    /// 办公地址.
    pub address: String,
    /// 办公时间.
    pub office_hours: String,
    /// 联系电话.
    pub phone: String,
    /// 传真号码.
    pub fax: String,
    /// 互联网联系方式 (e-mail or web address).
    pub web_contact: String,
    /// 邮政编码.
    pub postcode: Option<String>,
    /// 电子邮箱 (when the office has one apart from its 互联网联系方式).
    pub email: Option<String>,
    /// The guide's text sections by key (`scope`, `channels`, `request`, `fees`, `remedies`, …).
    pub sections: BTreeMap<String, String>,
    /// 更新日期.
    pub updated_on: NaiveDate,
}

/// One saved version of a guide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GuideVersion {
    /// 1 for the first save of the agency's guide, then 2, 3, ….
    pub version: i64,
    /// When (RFC 3339, UTC).
    pub saved_at: String,
    /// Who (the account's username, or `(cli)`).
    pub saved_by: String,
    /// The guide as saved.
    pub guide: DisclosureGuide,
}

/// The directory fields of a proactive disclosure that the register does not hold (spec A2.3:
/// 内容概述、生成日期 are mandatory; A2.4: 发布机构、成文日期).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProactiveDetails {
    /// The agency's code.
    pub agency: String,
    /// 索引号 of the register entry.
    pub index_number: String,
    /// 内容概述.
    pub summary: String,
    /// 生成日期.
    pub generated_on: NaiveDate,
    /// 发布机构.
    pub publisher: Option<String>,
    /// 成文日期.
    pub written_on: Option<NaiveDate>,
    /// 正文 (plain text).
    pub body: Option<String>,
    /// 保密审查 (Art. 17, A1.5), when recorded.
    pub review: Option<ConfidentialityReview>,
}

/// The result of a 保密审查 that allows publication.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewResult {
    /// 同意公开: nothing to withhold.
    Approved,
    /// 删除不应公开的内容后公开 (Art. 37: the part that may be disclosed).
    ApprovedRedacted,
}

impl ReviewResult {
    /// The stored (glossary) name: `approved`, `approved_redacted`.
    pub fn name(self) -> &'static str {
        match self {
            ReviewResult::Approved => "approved",
            ReviewResult::ApprovedRedacted => "approved_redacted",
        }
    }

    /// The Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            ReviewResult::Approved => "同意公开",
            ReviewResult::ApprovedRedacted => "删除不应公开内容后公开",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<ReviewResult> {
        [ReviewResult::Approved, ReviewResult::ApprovedRedacted].into_iter().find(|r| r.name() == s)
    }
}

/// 保密审查记录 (Art. 17: an agency reviews whether information may be disclosed before
/// publishing it; A1.5: reviewer, date, result).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfidentialityReview {
    /// 审查人.
    pub reviewer: String,
    /// 审查日期.
    pub reviewed_on: NaiveDate,
    /// 审查结论.
    pub result: ReviewResult,
}

/// How the public reaches a request filed online: its request id and the query-code hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestAccess {
    /// The request in the register.
    pub request: RequestId,
    /// The stored hash of the query code (never the code).
    pub query_code_hash: String,
}

/// Inserts or replaces an agency's disclosure guide and records it as a new version: who and
/// when from `audit` (the use case's actor), else the system now.
pub(crate) async fn put_guide_on(
    conn: &mut sqlx::AnyConnection,
    g: &DisclosureGuide,
    audit: &Option<std::sync::Arc<(crate::AuditEvent, String)>>,
) -> Result<(), StoreError> {
    let sections = serde_json::to_string(&g.sections)
        .map_err(|e| StoreError::Invalid { what: "guide sections", detail: e.to_string() })?;
    sqlx::query(
        "INSERT INTO disclosure_guides (agency, office_name, address, office_hours, phone, fax, web_contact, \
         postcode, sections, updated_on, email) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
         ON CONFLICT (agency) DO UPDATE SET office_name = excluded.office_name, address = excluded.address, \
         office_hours = excluded.office_hours, phone = excluded.phone, fax = excluded.fax, \
         web_contact = excluded.web_contact, postcode = excluded.postcode, sections = excluded.sections, \
         updated_on = excluded.updated_on, email = excluded.email",
    )
    .bind(&g.agency)
    .bind(&g.office_name)
    .bind(&g.address)
    .bind(&g.office_hours)
    .bind(&g.phone)
    .bind(&g.fax)
    .bind(&g.web_contact)
    .bind(g.postcode.as_deref())
    .bind(sections)
    .bind(date_text(g.updated_on))
    .bind(g.email.as_deref())
    .execute(&mut *conn)
    .await
    .map_err(|e| on_write(e, &g.agency))?;
    // The version, numbered per agency under the write lock the upsert above holds.
    let (by, at) = match audit {
        Some(note) => (note.0.username.clone().unwrap_or_else(|| "（未署名）".into()), note.1.clone()),
        None => ("（系统）".to_string(), crate::auth::ts(chrono::Utc::now())),
    };
    let version: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(version), 0) + 1 FROM guide_versions WHERE agency = $1")
        .bind(&g.agency)
        .fetch_one(&mut *conn)
        .await?;
    sqlx::query("INSERT INTO guide_versions (agency, version, saved_at, saved_by, guide) VALUES ($1, $2, $3, $4, $5)")
        .bind(&g.agency)
        .bind(version)
        .bind(&at)
        .bind(&by)
        .bind(
            serde_json::to_string(g)
                .map_err(|e| StoreError::Invalid { what: "guide version", detail: e.to_string() })?,
        )
        .execute(&mut *conn)
        .await?;
    Ok(())
}

impl Store {
    /// Inserts or replaces an agency's disclosure guide; [`StoreError::NotFound`] for an unknown
    /// agency.
    #[tracing::instrument(skip_all, fields(agency = %g.agency))]
    pub async fn put_guide(&self, g: &DisclosureGuide) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        put_guide_on(&mut tx, g, &self.audit).await?;
        // The audit record of an `audited` handle (`gongkai guide set`) goes with the change.
        self.audit_on(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Every saved version of an agency's guide, oldest first (A2.2: the history of the guide).
    pub async fn list_guide_versions(&self, agency: &str) -> Result<Vec<GuideVersion>, StoreError> {
        let rows = sqlx::query(
            "SELECT version, saved_at, saved_by, guide FROM guide_versions WHERE agency = $1 ORDER BY version",
        )
        .bind(agency)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let text: String = r.try_get("guide")?;
                let guide = serde_json::from_str::<DisclosureGuide>(&text)
                    .map(|g| DisclosureGuide { agency: agency.to_string(), ..g })
                    .map_err(|e| StoreError::Corrupt {
                        table: "guide_versions",
                        column: "guide",
                        detail: e.to_string(),
                    })?;
                Ok(GuideVersion {
                    version: r.try_get("version")?,
                    saved_at: r.try_get("saved_at")?,
                    saved_by: r.try_get("saved_by")?,
                    guide,
                })
            })
            .collect()
    }

    /// An agency's disclosure guide, or `None` when none was recorded.
    pub async fn get_guide(&self, agency: &str) -> Result<Option<DisclosureGuide>, StoreError> {
        let row = sqlx::query(
            "SELECT agency, office_name, address, office_hours, phone, fax, web_contact, postcode, sections, \
             updated_on, email FROM disclosure_guides WHERE agency = $1",
        )
        .bind(agency)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else { return Ok(None) };
        let sections: String = r.try_get("sections")?;
        let sections = serde_json::from_str(&sections).map_err(|e| StoreError::Corrupt {
            table: "disclosure_guides",
            column: "sections",
            detail: e.to_string(),
        })?;
        let updated: String = r.try_get("updated_on")?;
        Ok(Some(DisclosureGuide {
            agency: r.try_get("agency")?,
            office_name: r.try_get("office_name")?,
            address: r.try_get("address")?,
            office_hours: r.try_get("office_hours")?,
            phone: r.try_get("phone")?,
            fax: r.try_get("fax")?,
            web_contact: r.try_get("web_contact")?,
            postcode: r.try_get("postcode")?,
            email: r.try_get("email")?,
            sections,
            updated_on: parse_date("disclosure_guides", "updated_on", &updated)?,
        }))
    }

    /// Inserts or replaces the directory details of a registered proactive disclosure;
    /// [`StoreError::NotFound`] when the register has no such entry.
    #[tracing::instrument(skip_all, fields(agency = %d.agency, index_number = %d.index_number))]
    pub async fn put_proactive_details(&self, d: &ProactiveDetails) -> Result<(), StoreError> {
        let mut conn = self.pool.acquire().await?;
        put_details_on(&mut conn, d).await
    }

    /// [`Store::put_proactive_details`] for many entries in one transaction (all or nothing):
    /// the demo's directory of thousands of items.
    #[tracing::instrument(skip_all, fields(count = details.len()))]
    pub async fn put_proactive_details_bulk(&self, details: &[ProactiveDetails]) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        for d in details {
            put_details_on(&mut tx, d).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Registers a proactive disclosure with its directory details and its 保密审查 in one
    /// transaction (the console's form): all or nothing, under the period lock like
    /// [`Store::insert_proactive`].
    #[tracing::instrument(skip_all, fields(agency = %item.agency, index_number = %item.index_number))]
    pub async fn insert_proactive_with_details(
        &self,
        item: &gongkai_core::register::ProactiveDisclosure,
        details: &ProactiveDetails,
    ) -> Result<(), StoreError> {
        self.insert_proactive_with_details_with(item, details, None).await.map(drop)
    }

    pub(crate) async fn insert_proactive_with_details_with(
        &self,
        item: &gongkai_core::register::ProactiveDisclosure,
        details: &ProactiveDetails,
        amend: Option<&crate::Amend>,
    ) -> Result<Vec<crate::Amendment>, StoreError> {
        if details.agency != item.agency || details.index_number != item.index_number {
            return Err(StoreError::Invalid {
                what: "proactive details",
                detail: "the details name another item".to_string(),
            });
        }
        let mut tx = self.pool.begin().await?;
        lock_agency(&mut tx, &item.agency).await?;
        let locked = locked_years(&mut tx, &item.agency).await?;
        let touch = crate::registers::proactive_touch(item, &locked);
        let mut stale = Stale::default();
        let amendments = guard(&mut tx, &item.agency, &touch, amend, &mut stale).await?;
        crate::registers::insert_proactive_on(&mut tx, item).await?;
        put_details_on(&mut tx, details).await?;
        self.audit_on(&mut tx).await?;
        stale.flush(&mut tx).await?;
        tx.commit().await?;
        Ok(amendments)
    }

    /// The directory details of an agency's proactive disclosures, by index number.
    pub async fn list_proactive_details(&self, agency: &str) -> Result<Vec<ProactiveDetails>, StoreError> {
        let rows = sqlx::query(
            "SELECT agency, index_number, summary, generated_on, publisher, written_on, body, \
             review_by, reviewed_on, review_result \
             FROM proactive_details WHERE agency = $1 ORDER BY index_number",
        )
        .bind(agency)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let generated: String = r.try_get("generated_on")?;
                let written: Option<String> = r.try_get("written_on")?;
                let reviewer: Option<String> = r.try_get("review_by")?;
                let reviewed_on: Option<String> = r.try_get("reviewed_on")?;
                let result: Option<String> = r.try_get("review_result")?;
                let review = match (reviewer, reviewed_on, result) {
                    (Some(reviewer), Some(on), Some(result)) => Some(ConfidentialityReview {
                        reviewer,
                        reviewed_on: parse_date("proactive_details", "reviewed_on", &on)?,
                        result: ReviewResult::parse(&result).ok_or_else(|| StoreError::Corrupt {
                            table: "proactive_details",
                            column: "review_result",
                            detail: format!("unknown result {result:?}"),
                        })?,
                    }),
                    _ => None,
                };
                Ok(ProactiveDetails {
                    review,
                    agency: r.try_get("agency")?,
                    index_number: r.try_get("index_number")?,
                    summary: r.try_get("summary")?,
                    generated_on: parse_date("proactive_details", "generated_on", &generated)?,
                    publisher: r.try_get("publisher")?,
                    written_on: parse_opt_date("proactive_details", "written_on", written.as_deref())?,
                    body: r.try_get("body")?,
                })
            })
            .collect()
    }

    /// Registers a request filed online together with its public access (tracking number and
    /// query-code hash), in one transaction. The tracking number must be new over every agency
    /// ([`StoreError::Conflict`]); an unknown agency is [`StoreError::NotFound`]; a locked year
    /// is [`StoreError::Locked`].
    #[tracing::instrument(skip_all, fields(agency = %request.agency, tracking_number = %request.tracking_number))]
    pub async fn file_online_request(
        &self,
        request: &Request,
        query_code_hash: &str,
        receipt: Option<crate::DocumentWrite<'_>>,
    ) -> Result<RequestId, StoreError> {
        let mut tx = self.pool.begin().await?;
        lock_agency(&mut tx, &request.agency).await?;
        let locked = locked_years(&mut tx, &request.agency).await?;
        let touch = request_touch(request, &[], &locked);
        let mut stale = Stale::default();
        guard(&mut tx, &request.agency, &touch, None, &mut stale).await?;
        let id = insert_request_on(&mut tx, &self.cipher, request, &[]).await?;
        sqlx::query(
            "INSERT INTO request_access (tracking_number, request, query_code_hash, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(&request.tracking_number)
        .bind(&id)
        .bind(query_code_hash)
        .bind(now_text())
        .execute(&mut *tx)
        .await
        .map_err(|e| on_insert(e, "request", &request.agency, &request.tracking_number))?;
        // C1.1: the 接收回执, in the same write.
        if let Some(receipt) = &receipt {
            crate::requests::insert_receipt_on(&mut tx, &id, &request.agency, receipt).await?;
        }
        self.audit_on_target(&mut tx, &request.tracking_number).await?;
        stale.flush(&mut tx).await?;
        tx.commit().await?;
        Ok(RequestId::from(id))
    }

    /// The years of an agency's reports that are published (have a publication date), newest
    /// first, with their publication dates: what the portal lists under 政府信息公开年报.
    pub async fn list_published_years(&self, agency: &str) -> Result<Vec<(i32, NaiveDate)>, StoreError> {
        let rows = sqlx::query(
            "SELECT year, published_on FROM report_publications \
             WHERE agency = $1 AND published_on IS NOT NULL ORDER BY year DESC",
        )
        .bind(agency)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let year: i64 = r.try_get("year")?;
                let on: String = r.try_get("published_on")?;
                let year = i32::try_from(year).map_err(|_| StoreError::Corrupt {
                    table: "report_publications",
                    column: "year",
                    detail: format!("{year} is out of range"),
                })?;
                Ok((year, parse_date("report_publications", "published_on", &on)?))
            })
            .collect()
    }

    /// The public access record of a tracking number, or `None`.
    pub async fn get_request_access(&self, tracking_number: &str) -> Result<Option<RequestAccess>, StoreError> {
        let row = sqlx::query("SELECT request, query_code_hash FROM request_access WHERE tracking_number = $1")
            .bind(tracking_number)
            .fetch_optional(&self.pool)
            .await?;
        let Some(r) = row else { return Ok(None) };
        let request: String = r.try_get("request")?;
        Ok(Some(RequestAccess { request: RequestId::from(request), query_code_hash: r.try_get("query_code_hash")? }))
    }
}

/// Inserts or replaces one item's details (and review) on a connection.
async fn put_details_on(conn: &mut sqlx::AnyConnection, d: &ProactiveDetails) -> Result<(), StoreError> {
    let review = d.review.as_ref();
    sqlx::query(
        "INSERT INTO proactive_details (agency, index_number, summary, generated_on, publisher, written_on, body, \
         review_by, reviewed_on, review_result) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
         ON CONFLICT (agency, index_number) DO UPDATE SET summary = excluded.summary, \
         generated_on = excluded.generated_on, publisher = excluded.publisher, \
         written_on = excluded.written_on, body = excluded.body, review_by = excluded.review_by, \
         reviewed_on = excluded.reviewed_on, review_result = excluded.review_result",
    )
    .bind(&d.agency)
    .bind(&d.index_number)
    .bind(&d.summary)
    .bind(date_text(d.generated_on))
    .bind(d.publisher.as_deref())
    .bind(d.written_on.map(date_text))
    .bind(d.body.as_deref())
    .bind(review.map(|r| r.reviewer.as_str()))
    .bind(review.map(|r| date_text(r.reviewed_on)))
    .bind(review.map(|r| r.result.name()))
    .execute(&mut *conn)
    .await
    .map_err(|e| match crate::error::violation(&e) {
        Some(sqlx::error::ErrorKind::ForeignKeyViolation) => {
            StoreError::NotFound { what: "proactive disclosure", key: d.index_number.clone() }
        }
        _ => StoreError::Backend(e),
    })?;
    Ok(())
}
