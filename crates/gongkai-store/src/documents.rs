//! Casework documents (casework-documents.md C4) and the agency settings they print (C3).
//!
//! A document is inserted only with the event that issues it ([`Store::append_event_checked`]
//! with [`DocumentWrite`]), in the same transaction, under the agency's lock: its sequence number
//! is the agency's, kind's and year's MAX + 1, so 文号 are gapless. Nothing updates a document's
//! text afterwards, except the retention purge, which replaces an applicant's name in 主送.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use gongkai_core::casework::{document_number, CaseworkSettings, Document};
use sqlx::{AnyConnection, Row};

use crate::auth::{insert_audit_on, ts, AuditEvent};
use crate::codec::{date_text, new_id, now_text, parse_date};
use crate::requests::RequestId;
use crate::{Store, StoreError};

/// A document to issue with an event.
#[derive(Debug, Clone, Copy)]
pub struct DocumentWrite<'a> {
    /// The document.
    pub document: &'a Document,
    /// The 简称 its 文号 starts with.
    pub short_name: &'a str,
    /// Whether 主送 is the applicant (personal information, anonymised with the request).
    pub addressee_is_applicant: bool,
}

/// A document as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDocument {
    /// 文号.
    pub number: String,
    /// The request it belongs to.
    pub request: RequestId,
    /// The position of the event that issued it in the request's events.
    pub event_seq: Option<i64>,
    /// `pending` until a delivery is recorded.
    pub delivery: String,
    /// When it was delivered.
    pub delivered_on: Option<NaiveDate>,
    /// The document.
    pub document: Document,
}

/// The next (sequence, 文号) of `d`'s kind in its agency and year. Called under the agency's lock.
pub(crate) async fn next_document_number(
    conn: &mut AnyConnection,
    agency: &str,
    d: &DocumentWrite<'_>,
) -> Result<(i64, String), StoreError> {
    let year = d.document.issued_on.year();
    let next: i64 = sqlx::query(
        "SELECT COALESCE(MAX(seq), 0) + 1 AS n FROM documents WHERE agency = $1 AND kind = $2 AND year = $3",
    )
    .bind(agency)
    .bind(d.document.kind.name())
    .bind(year)
    .fetch_one(&mut *conn)
    .await?
    .try_get("n")?;
    Ok((next, document_number(d.short_name, d.document.kind, year, next)))
}

pub(crate) async fn insert_document_on(
    conn: &mut AnyConnection,
    request: &RequestId,
    agency: &str,
    seq: i64,
    number: &str,
    event_seq: Option<i64>,
    d: &DocumentWrite<'_>,
) -> Result<(), StoreError> {
    let body = serde_json::to_string(d.document)
        .map_err(|e| StoreError::Invalid { what: "document", detail: e.to_string() })?;
    sqlx::query(
        "INSERT INTO documents (id, request, agency, kind, year, seq, number, event_seq, issued_on, \
         addressee_is_applicant, body, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(new_id())
    .bind(request.as_str())
    .bind(agency)
    .bind(d.document.kind.name())
    .bind(d.document.issued_on.year())
    .bind(seq)
    .bind(number)
    .bind(event_seq)
    .bind(date_text(d.document.issued_on))
    .bind(i32::from(d.addressee_is_applicant))
    .bind(body)
    .bind(now_text())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn stored(row: &sqlx::any::AnyRow) -> Result<StoredDocument, StoreError> {
    let body: String = row.try_get("body")?;
    let number: String = row.try_get("number")?;
    let document: Document = serde_json::from_str(&body).map_err(|e| StoreError::Corrupt {
        table: "documents",
        column: "body",
        detail: format!("{number}: {e}"),
    })?;
    let delivered: Option<String> = row.try_get("delivered_on")?;
    Ok(StoredDocument {
        number,
        request: RequestId::from(row.try_get::<String, _>("request")?),
        event_seq: row.try_get("event_seq")?,
        delivery: row.try_get("delivery")?,
        delivered_on: delivered.map(|d| parse_date("documents", "delivered_on", &d)).transpose()?,
        document,
    })
}

impl Store {
    /// The documents of a request, in issue order.
    pub async fn list_documents(&self, request: &RequestId) -> Result<Vec<StoredDocument>, StoreError> {
        let rows = sqlx::query(
            "SELECT number, request, event_seq, delivery, delivered_on, body FROM documents WHERE request = $1 \
             ORDER BY COALESCE(event_seq, 0), recorded_at, seq",
        )
        .bind(request.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(stored).collect()
    }

    /// Records how and when the document `number` of the request `request` reached its
    /// addressee (C4), audited (`document.delivery`) in the same transaction. Recorded once:
    /// for a document already delivered nothing changes and the answer is `false`; an unknown
    /// one is [`StoreError::NotFound`]. The caller checks the method and the date.
    pub async fn record_delivery(
        &self,
        request: &RequestId,
        number: &str,
        method: &str,
        on: NaiveDate,
        audit: crate::AuditNote<'_>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        // A write first, so that on SQLite the transaction holds the write lock before it reads
        // (a read snapshot taken first could go stale and fail the update with "database is
        // locked" when another connection commits in between).
        sqlx::query("UPDATE documents SET delivery = delivery WHERE request = $1 AND number = $2")
            .bind(request.as_str())
            .bind(number)
            .execute(&mut *tx)
            .await?;
        let row = sqlx::query("SELECT delivery FROM documents WHERE request = $1 AND number = $2")
            .bind(request.as_str())
            .bind(number)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound { what: "document", key: number.to_string() })?;
        let current: String = row.try_get("delivery")?;
        if current != "pending" {
            return Ok(false);
        }
        sqlx::query(
            "UPDATE documents SET delivery = $1, delivered_on = $2 WHERE request = $3 AND number = $4 AND delivery = 'pending'",
        )
        .bind(method)
        .bind(date_text(on))
        .bind(request.as_str())
        .bind(number)
        .execute(&mut *tx)
        .await?;
        insert_audit_on(&mut tx, &self.cipher, audit.event, &ts(audit.at)).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Issues a document that belongs to the document `of` of the same request without an event
    /// of its own — a correction that replaces it (C4: an issued document is never edited; the
    /// correction is a new document naming the old one), or the 送达回证 that serves it (C1.10)
    /// — under the agency's lock so that its 文号 is the next of its kind and year, audited in
    /// the same transaction, with the event of `of`. Returns its 文号. An unknown `of` is
    /// [`StoreError::NotFound`]; correcting a document already replaced is
    /// [`StoreError::Conflict`] (a correction corrects the latest version).
    pub async fn issue_related_document(
        &self,
        request: &RequestId,
        agency: &str,
        of: &str,
        d: &DocumentWrite<'_>,
        audit: crate::AuditNote<'_>,
    ) -> Result<String, StoreError> {
        let mut tx = self.pool.begin().await?;
        crate::lock::lock_agency(&mut tx, agency).await?;
        let row = sqlx::query("SELECT event_seq FROM documents WHERE request = $1 AND number = $2")
            .bind(request.as_str())
            .bind(of)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound { what: "document", key: of.to_string() })?;
        let event_seq: Option<i64> = row.try_get("event_seq")?;
        if d.document.replaces.as_deref() == Some(of) {
            let bodies = sqlx::query("SELECT body FROM documents WHERE request = $1")
                .bind(request.as_str())
                .fetch_all(&mut *tx)
                .await?;
            for b in bodies {
                let body: String = b.try_get("body")?;
                let doc: Document = serde_json::from_str(&body).map_err(|e| StoreError::Corrupt {
                    table: "documents",
                    column: "body",
                    detail: e.to_string(),
                })?;
                if doc.replaces.as_deref() == Some(of) {
                    return Err(StoreError::Conflict {
                        what: "document",
                        agency: agency.to_string(),
                        key: of.to_string(),
                    });
                }
            }
        }
        let (seq, number) = next_document_number(&mut tx, agency, d).await?;
        insert_document_on(&mut tx, request, agency, seq, &number, event_seq, d).await?;
        insert_audit_on(&mut tx, &self.cipher, audit.event, &ts(audit.at)).await?;
        tx.commit().await?;
        Ok(number)
    }

    /// An agency's casework settings (default when never set).
    pub async fn casework_settings(&self, agency: &str) -> Result<CaseworkSettings, StoreError> {
        let row = sqlx::query("SELECT settings FROM agency_casework WHERE agency = $1")
            .bind(agency)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(CaseworkSettings::default()) };
        let text: String = row.try_get("settings")?;
        serde_json::from_str(&text).map_err(|e| StoreError::Corrupt {
            table: "agency_casework",
            column: "settings",
            detail: format!("{agency}: {e}"),
        })
    }

    /// Replaces an agency's casework settings, audited (`agency.casework`) in the same
    /// transaction. An unknown agency is [`StoreError::NotFound`].
    pub async fn set_casework_settings(
        &self,
        agency: &str,
        settings: &CaseworkSettings,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let text = serde_json::to_string(settings)
            .map_err(|e| StoreError::Invalid { what: "agency_casework", detail: e.to_string() })?;
        let mut tx = self.pool.begin().await?;
        // A write first (see `lock::lock_agency`): on SQLite no read snapshot goes stale before
        // the write below; an unknown agency is NotFound.
        crate::lock::lock_agency(&mut tx, agency).await?;
        sqlx::query(
            "INSERT INTO agency_casework (agency, settings) VALUES ($1, $2) \
             ON CONFLICT (agency) DO UPDATE SET settings = excluded.settings",
        )
        .bind(agency)
        .bind(&text)
        .execute(&mut *tx)
        .await?;
        let event = AuditEvent {
            username: Some(by.to_string()),
            event_type: "agency.casework".into(),
            target: Some(agency.to_string()),
            success: true,
            detail: Some(text),
            ..AuditEvent::default()
        };
        insert_audit_on(&mut tx, &self.cipher, &event, &ts(now)).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Replaces the applicant's name in 主送 of the documents of requests anonymised by the
/// retention purge (PIPL Art. 47): the document keeps its number, date and text.
pub(crate) async fn anonymise_documents_on(conn: &mut AnyConnection, anonymised: &str) -> Result<u64, StoreError> {
    let rows = sqlx::query(
        "SELECT d.id AS id, d.body AS body FROM documents d JOIN requests r ON r.id = d.request \
         WHERE r.applicant_name = $1 AND d.addressee_is_applicant = 1",
    )
    .bind(anonymised)
    .fetch_all(&mut *conn)
    .await?;
    let mut changed = 0;
    for row in rows {
        let id: String = row.try_get("id")?;
        let body: String = row.try_get("body")?;
        let mut doc: Document = serde_json::from_str(&body).map_err(|e| StoreError::Corrupt {
            table: "documents",
            column: "body",
            detail: format!("{id}: {e}"),
        })?;
        if doc.addressee == anonymised {
            continue;
        }
        doc.addressee = anonymised.to_string();
        let text =
            serde_json::to_string(&doc).map_err(|e| StoreError::Invalid { what: "document", detail: e.to_string() })?;
        sqlx::query("UPDATE documents SET body = $1 WHERE id = $2").bind(text).bind(&id).execute(&mut *conn).await?;
        changed += 1;
    }
    Ok(changed)
}
