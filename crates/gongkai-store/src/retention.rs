//! Log retention (portal-and-security.md B1.1): how long audit records are kept, and the purge
//! that honours it without breaking the audit chain.
//!
//! The Cybersecurity Law (Art. 21; Art. 23 from 2026) requires network logs to be kept for no
//! less than six months, so the setting refuses anything below [`MIN_LOG_RETENTION_DAYS`] (180
//! days); GB/T 22239 8.1.5.4(d) (B2.6) wants audit data kept as long as the law requires. The
//! default is the minimum.
//!
//! # The chain after a purge
//! Records form a hash chain from a fixed genesis hash (`Store::append_audit`). A purge deletes
//! the oldest records — always a prefix of the chain, never the newest record — and, in the same
//! transaction, stores an **anchor** (the last deleted record's sequence number and hash, table
//! `audit_anchor`) and appends a purge record (`audit.purge`) whose detail names the anchor. The
//! chain then verifies from the anchor: the first remaining record must follow the anchor's hash,
//! and some record of the chain must be the purge record naming exactly that anchor. So deleting
//! more old records by hand, or moving the anchor, is detected like any other gap; only the
//! records older than the retention period ever leave the chain.

use chrono::{DateTime, Duration, Utc};
use sqlx::{AnyConnection, Row};

use crate::auth::{insert_audit_on, ts, AuditEvent, AUDIT_GENESIS};
use crate::{Store, StoreError};

/// The shortest retention the law allows (CSL Art. 21: network logs kept ≥ 6 months).
pub const MIN_LOG_RETENTION_DAYS: i64 = 180;

/// The longest retention accepted (a typing error beyond it, not a policy).
pub const MAX_LOG_RETENTION_DAYS: i64 = 36_500;

/// The event type of the purge record.
pub(crate) const PURGE_EVENT: &str = "audit.purge";

/// The settings key.
const RETENTION_KEY: &str = "log_retention_days";

/// The settings key of the two-factor requirement (`on` / `off`).
const REQUIRE_MFA_KEY: &str = "require_mfa";

/// The settings key of the site's identity (a JSON object, `gongkai_app::site::SiteSettings`).
const SITE_KEY: &str = "site_identity";

/// What a purge did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PurgeOutcome {
    /// Records deleted.
    pub purged: i64,
    /// The sequence number of the purge record, when something was purged.
    pub record: Option<i64>,
}

/// The end of a purge record's detail: the anchor it sets (checked by `verify_audit_chain`).
pub(crate) fn anchor_mark(seq: i64, hash: &str) -> String {
    format!("链起点 {seq}:{hash}")
}

/// The anchor, if records were ever purged: (last purged sequence number, its hash).
pub(crate) async fn anchor(conn: &mut AnyConnection) -> Result<Option<(i64, String)>, StoreError> {
    let row = sqlx::query("SELECT seq, hash FROM audit_anchor WHERE id = 1").fetch_optional(&mut *conn).await?;
    row.map(|r| Ok((r.try_get::<i64, _>("seq")?, r.try_get::<String, _>("hash")?))).transpose()
}

/// Where the next record chains from when no record is left: the anchor, or the genesis hash.
pub(crate) async fn chain_start(conn: &mut AnyConnection) -> Result<(i64, String), StoreError> {
    Ok(anchor(conn).await?.unwrap_or((0, AUDIT_GENESIS.to_string())))
}

impl Store {
    /// How many days audit records are kept ([`MIN_LOG_RETENTION_DAYS`] until set).
    pub async fn log_retention_days(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT value FROM settings WHERE \"key\" = $1")
            .bind(RETENTION_KEY)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            None => Ok(MIN_LOG_RETENTION_DAYS),
            Some(r) => {
                let v: String = r.try_get("value")?;
                v.parse().map_err(|_| StoreError::Corrupt {
                    table: "settings",
                    column: "value",
                    detail: format!("{RETENTION_KEY} is {v:?}, not a number of days"),
                })
            }
        }
    }

    /// Whether every console account must log in with a second factor (B2.1 d). Off until
    /// set (accounts then enrol one by one); `gongkai db require-mfa on` turns it on.
    pub async fn require_mfa(&self) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT value FROM settings WHERE \"key\" = $1")
            .bind(REQUIRE_MFA_KEY)
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(r) => r.try_get::<String, _>("value")? == "on",
            None => false,
        })
    }

    /// Turns the two-factor requirement on or off; the change is audited in the same
    /// transaction.
    pub async fn set_require_mfa(&self, on: bool, by: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        let value = if on { "on" } else { "off" };
        self.put_setting(REQUIRE_MFA_KEY, value, "config.require_mfa", value.to_string(), by, now).await
    }

    /// The site's identity as stored (JSON; the application layer reads it), `None` until set.
    pub async fn site_identity(&self) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT value FROM settings WHERE \"key\" = $1")
            .bind(SITE_KEY)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| r.try_get::<String, _>("value")).transpose().map_err(StoreError::from)
    }

    /// Replaces the site's identity (JSON) and audits the change (`config.site`, `detail` saying
    /// what changed) in the same transaction.
    pub async fn set_site_identity(
        &self,
        json: &str,
        detail: String,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        self.put_setting(SITE_KEY, json, "config.site", detail, by, now).await
    }

    /// Sets the retention of audit records; below [`MIN_LOG_RETENTION_DAYS`] (or above
    /// [`MAX_LOG_RETENTION_DAYS`]) is [`StoreError::Invalid`] with the reason, and nothing
    /// changes. The change is itself an audit record (B6: configuration changes), in the same
    /// transaction.
    pub async fn set_log_retention_days(&self, days: i64, by: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        if days < MIN_LOG_RETENTION_DAYS {
            return Err(StoreError::Invalid {
                what: "log_retention_days",
                detail: format!(
                    "日志留存期不能少于 {MIN_LOG_RETENTION_DAYS} 天（网络安全法第二十一条：网络日志留存不少于六个月），收到 {days} 天"
                ),
            });
        }
        if days > MAX_LOG_RETENTION_DAYS {
            return Err(StoreError::Invalid {
                what: "log_retention_days",
                detail: format!("日志留存期不能超过 {MAX_LOG_RETENTION_DAYS} 天，收到 {days} 天"),
            });
        }
        self.put_setting(RETENTION_KEY, &days.to_string(), "config.log_retention", format!("{days} 天"), by, now).await
    }

    /// Writes a setting and its audit record (who, what, the new value) in one transaction: every
    /// configuration change is audited (B6).
    pub(crate) async fn put_setting(
        &self,
        key: &str,
        value: &str,
        event_type: &str,
        detail: String,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let at = ts(now);
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO settings (\"key\", value, changed_at, changed_by) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (\"key\") DO UPDATE SET value = excluded.value, changed_at = excluded.changed_at, \
             changed_by = excluded.changed_by",
        )
        .bind(key)
        .bind(value)
        .bind(&at)
        .bind(by)
        .execute(&mut *tx)
        .await?;
        let event = AuditEvent {
            username: Some(by.to_string()),
            event_type: event_type.into(),
            target: Some(key.into()),
            success: true,
            detail: Some(detail),
            ..AuditEvent::default()
        };
        insert_audit_on(&mut tx, &self.cipher, &event, &at).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Deletes the audit records older than the retention period at `now` (see the module docs:
    /// a prefix of the chain, never the newest record; the anchor and a purge record in the same
    /// transaction). Nothing older: nothing changes and no record is written.
    pub async fn purge_audit(&self, now: DateTime<Utc>, by: &str) -> Result<PurgeOutcome, StoreError> {
        let days = self.log_retention_days().await?;
        let cutoff = ts(now - Duration::days(days));
        let mut tx = self.pool.begin().await?;
        let bounds = sqlx::query(
            "SELECT MIN(seq) AS first, MAX(seq) AS last, \
             (SELECT MIN(seq) FROM audit_events WHERE \"at\" >= $1) AS first_kept FROM audit_events",
        )
        .bind(&cutoff)
        .fetch_one(&mut *tx)
        .await?;
        let (Some(first), Some(last)) =
            (bounds.try_get::<Option<i64>, _>("first")?, bounds.try_get::<Option<i64>, _>("last")?)
        else {
            return Ok(PurgeOutcome { purged: 0, record: None });
        };
        // Everything before the first record inside the period, but never the newest record (the
        // chain continues from it). A record dated inside the period stops the purge even if an
        // older-dated one follows it (a clock set back): only a prefix leaves.
        let first_kept: Option<i64> = bounds.try_get("first_kept")?;
        let upto = first_kept.unwrap_or(last + 1).min(last) - 1;
        if upto < first {
            return Ok(PurgeOutcome { purged: 0, record: None });
        }
        let hash: String = sqlx::query("SELECT hash FROM audit_events WHERE seq = $1")
            .bind(upto)
            .fetch_one(&mut *tx)
            .await?
            .try_get("hash")?;
        let purged = sqlx::query("DELETE FROM audit_events WHERE seq <= $1").bind(upto).execute(&mut *tx).await?;
        let purged = i64::try_from(purged.rows_affected()).unwrap_or(i64::MAX);
        sqlx::query(
            "INSERT INTO audit_anchor (id, seq, hash, purged_at) VALUES (1, $1, $2, $3) \
             ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash, purged_at = excluded.purged_at",
        )
        .bind(upto)
        .bind(&hash)
        .bind(ts(now))
        .execute(&mut *tx)
        .await?;
        let event = AuditEvent {
            username: Some(by.to_string()),
            event_type: PURGE_EVENT.into(),
            target: Some("audit_events".into()),
            success: true,
            detail: Some(format!(
                "清除 {purged} 条早于 {cutoff} 的审计记录（留存 {days} 天）；{}",
                anchor_mark(upto, &hash)
            )),
            ..AuditEvent::default()
        };
        let record = insert_audit_on(&mut tx, &self.cipher, &event, &ts(now)).await?;
        tx.commit().await?;
        tracing::info!(purged, upto, days, "audit records purged");
        Ok(PurgeOutcome { purged, record: Some(record) })
    }
}
