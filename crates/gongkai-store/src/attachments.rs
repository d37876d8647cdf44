//! Attachments of a reply (casework-documents.md C4): the information provided, stored with the
//! request in the database on both backends (base64 text, see the migration), with its SHA-256
//! and size. They go with an issued document and change only while it is undelivered: adding
//! or removing one takes the document's row (an `UPDATE` of its delivery to itself) in the same
//! transaction, so a delivery recorded at the same moment waits for it, or makes it a no-op.

use data_encoding::BASE64;
use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

use crate::auth::{insert_audit_on, ts};
use crate::codec::new_id;
use crate::requests::RequestId;
use crate::{AuditNote, Store, StoreError};

/// A file to attach.
#[derive(Debug, Clone, Copy)]
pub struct AttachmentWrite<'a> {
    /// Its name as the applicant will see it (checked by the caller).
    pub file_name: &'a str,
    /// Its media type (sniffed by the caller from the content).
    pub content_type: &'a str,
    /// The content.
    pub content: &'a [u8],
    /// Who attached it.
    pub by: &'a str,
}

/// An attachment as stored, without its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAttachment {
    /// Its id (in download paths).
    pub id: String,
    /// The 文号 of the document it goes with.
    pub document: String,
    /// Its file name.
    pub file_name: String,
    /// Its media type.
    pub content_type: String,
    /// Its size in bytes.
    pub size: u64,
    /// SHA-256 of the content, lowercase hex.
    pub sha256: String,
    /// When it was attached.
    pub recorded_at: String,
    /// Who attached it.
    pub recorded_by: String,
}

/// SHA-256 of `bytes`, lowercase hex.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

fn stored(row: &sqlx::any::AnyRow) -> Result<StoredAttachment, StoreError> {
    let size: i64 = row.try_get("size")?;
    Ok(StoredAttachment {
        id: row.try_get("id")?,
        document: row.try_get("document")?,
        file_name: row.try_get("file_name")?,
        content_type: row.try_get("content_type")?,
        size: u64::try_from(size).unwrap_or(0),
        sha256: row.try_get("sha256")?,
        recorded_at: row.try_get("recorded_at")?,
        recorded_by: row.try_get("recorded_by")?,
    })
}

/// Takes the row of the undelivered document `number` of `request` for this transaction;
/// `false` when it is delivered; [`StoreError::NotFound`] when there is none.
async fn hold_pending(conn: &mut AnyConnection, request: &RequestId, number: &str) -> Result<bool, StoreError> {
    let held = sqlx::query(
        "UPDATE documents SET delivery = delivery WHERE request = $1 AND number = $2 AND delivery = 'pending'",
    )
    .bind(request.as_str())
    .bind(number)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if held == 1 {
        return Ok(true);
    }
    let exists = sqlx::query("SELECT 1 AS one FROM documents WHERE request = $1 AND number = $2")
        .bind(request.as_str())
        .bind(number)
        .fetch_optional(&mut *conn)
        .await?;
    match exists {
        Some(_) => Ok(false),
        None => Err(StoreError::NotFound { what: "document", key: number.to_string() }),
    }
}

impl Store {
    /// Attaches `file` to the undelivered document `number` of `request`, audited in the same
    /// transaction. `None` when the document has been delivered meanwhile (nothing written); a
    /// file of the same name on the document is [`StoreError::Conflict`].
    pub async fn add_attachment(
        &self,
        request: &RequestId,
        agency: &str,
        number: &str,
        file: AttachmentWrite<'_>,
        audit: AuditNote<'_>,
    ) -> Result<Option<StoredAttachment>, StoreError> {
        let mut tx = self.pool.begin().await?;
        if !hold_pending(&mut tx, request, number).await? {
            return Ok(None);
        }
        let id = new_id();
        let sha256 = sha256_hex(file.content);
        let size = i64::try_from(file.content.len())
            .map_err(|_| StoreError::Invalid { what: "attachment", detail: "附件过大".into() })?;
        let recorded_at = ts(audit.at);
        sqlx::query(
            "INSERT INTO attachments (id, request, document, file_name, content_type, size, sha256, content, \
             recorded_at, recorded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(&id)
        .bind(request.as_str())
        .bind(number)
        .bind(file.file_name)
        .bind(file.content_type)
        .bind(size)
        .bind(&sha256)
        .bind(BASE64.encode(file.content))
        .bind(&recorded_at)
        .bind(file.by)
        .execute(&mut *tx)
        .await
        .map_err(|e| crate::error::on_insert(e, "attachment", agency, &format!("{number} {}", file.file_name)))?;
        insert_audit_on(&mut tx, &self.cipher, audit.event, &recorded_at).await?;
        tx.commit().await?;
        Ok(Some(StoredAttachment {
            id,
            document: number.to_string(),
            file_name: file.file_name.to_string(),
            content_type: file.content_type.to_string(),
            size: file.content.len() as u64,
            sha256,
            recorded_at,
            recorded_by: file.by.to_string(),
        }))
    }

    /// Removes the attachment `id` of `request` while its document is undelivered, audited in
    /// the same transaction. `false` when the document has been delivered (nothing removed);
    /// an unknown attachment is [`StoreError::NotFound`].
    pub async fn remove_attachment(
        &self,
        request: &RequestId,
        id: &str,
        audit: AuditNote<'_>,
    ) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        // A write first (SQLite: the write lock before any read, so no snapshot goes stale).
        sqlx::query("UPDATE attachments SET id = id WHERE request = $1 AND id = $2")
            .bind(request.as_str())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let row = sqlx::query("SELECT document FROM attachments WHERE request = $1 AND id = $2")
            .bind(request.as_str())
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound { what: "attachment", key: id.to_string() })?;
        let number: String = row.try_get("document")?;
        if !hold_pending(&mut tx, request, &number).await? {
            return Ok(false);
        }
        sqlx::query("DELETE FROM attachments WHERE request = $1 AND id = $2")
            .bind(request.as_str())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        insert_audit_on(&mut tx, &self.cipher, audit.event, &ts(audit.at)).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The attachments of a request (without content), by document and in the order attached.
    pub async fn list_attachments(&self, request: &RequestId) -> Result<Vec<StoredAttachment>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, document, file_name, content_type, size, sha256, recorded_at, recorded_by \
             FROM attachments WHERE request = $1 ORDER BY document, recorded_at, id",
        )
        .bind(request.as_str())
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(stored).collect()
    }

    /// One attachment of a request with its content; the content is checked against the
    /// stored SHA-256 (a mismatch is [`StoreError::Corrupt`], never served).
    pub async fn attachment(
        &self,
        request: &RequestId,
        id: &str,
    ) -> Result<Option<(StoredAttachment, Vec<u8>)>, StoreError> {
        let row = sqlx::query(
            "SELECT id, document, file_name, content_type, size, sha256, recorded_at, recorded_by, content \
             FROM attachments WHERE request = $1 AND id = $2",
        )
        .bind(request.as_str())
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let meta = stored(&row)?;
        let text: String = row.try_get("content")?;
        let corrupt = |detail: String| StoreError::Corrupt { table: "attachments", column: "content", detail };
        let content = BASE64.decode(text.as_bytes()).map_err(|e| corrupt(format!("{}: {e}", meta.id)))?;
        if sha256_hex(&content) != meta.sha256 {
            return Err(corrupt(format!("{}: SHA-256 与登记值不符", meta.id)));
        }
        Ok(Some((meta, content)))
    }
}
