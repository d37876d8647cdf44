//! How long an applicant's personal information is kept (portal-and-security.md B4.4; PIPL
//! Arts. 19 and 47: kept no longer than the purpose needs, then deleted; Regulations Art. 45:
//! the office archives its request files, so the period is the archive rule's, set by the agency).
//!
//! The setting `personal_data_retention_years` is off until set (nothing is anonymised before the
//! office has decided its archive period). Once set, a request closed (replied to or withdrawn)
//! more than that many years ago keeps its register row — the annual reports of every year are
//! counted from it, by applicant type and outcome, which hold no personal information — but loses
//! the applicant's name, identity document number, its blind index and contact. An open request
//! is never touched. Each run is one transaction and one audit record with the count.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sqlx::Row;

use crate::auth::{insert_audit_on, ts, AuditEvent};
use crate::codec::date_text;
use crate::{Store, StoreError};

/// The settings key.
const RETENTION_KEY: &str = "personal_data_retention_years";

/// The name an anonymised request keeps (never a person's name).
pub const ANONYMISED_NAME: &str = gongkai_core::masking::ANONYMISED_NAME;

/// The shortest period accepted: the reply and the remedies against it (administrative review
/// within 60 days, litigation within 6 months) must stay answerable.
pub const MIN_PERSONAL_DATA_RETENTION_YEARS: i64 = 1;

/// The longest period accepted (beyond it, a typing error rather than a policy).
pub const MAX_PERSONAL_DATA_RETENTION_YEARS: i64 = 100;

impl Store {
    /// The retention of applicants' personal information in years, `None` while it is not set
    /// (kept until the office decides).
    pub async fn personal_data_retention_years(&self) -> Result<Option<i64>, StoreError> {
        let row = sqlx::query("SELECT value FROM settings WHERE \"key\" = $1")
            .bind(RETENTION_KEY)
            .fetch_optional(&self.pool)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let v: String = row.try_get("value")?;
        if v == "off" {
            return Ok(None);
        }
        v.parse().map(Some).map_err(|_| StoreError::Corrupt {
            table: "settings",
            column: "value",
            detail: format!("{RETENTION_KEY} is {v:?}, not a number of years"),
        })
    }

    /// Sets (or, with `None`, turns off) the retention; out of range is [`StoreError::Invalid`]
    /// with the reason and nothing changes. Audited in the same transaction.
    pub async fn set_personal_data_retention_years(
        &self,
        years: Option<i64>,
        by: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        if let Some(y) = years {
            if !(MIN_PERSONAL_DATA_RETENTION_YEARS..=MAX_PERSONAL_DATA_RETENTION_YEARS).contains(&y) {
                return Err(StoreError::Invalid {
                    what: "personal_data_retention_years",
                    detail: format!(
                        "个人信息保存期限应为 {MIN_PERSONAL_DATA_RETENTION_YEARS} 至 {MAX_PERSONAL_DATA_RETENTION_YEARS} 年（按本机关档案管理规定，条例第四十五条），收到 {y} 年"
                    ),
                });
            }
        }
        let value = years.map_or_else(|| "off".to_string(), |y| y.to_string());
        self.put_setting(RETENTION_KEY, &value, "config.personal_data_retention", value.clone(), by, now).await
    }

    /// Anonymises the applicants of the requests closed (last reply or withdrawal) on or before
    /// `today` minus the retention period; returns how many. Not set: nothing happens (0, no
    /// record). Open requests, and requests closed within the period, keep everything.
    pub async fn purge_personal_data(&self, today: NaiveDate, by: &str, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let Some(years) = self.personal_data_retention_years().await? else {
            return Ok(0);
        };
        let cutoff = years_before(today, years)?;
        let mut tx = self.pool.begin().await?;
        // Closed on or before the cutoff: a reply or withdrawal then, and none after it (a
        // request reopened by a later event is not closed).
        let done = sqlx::query(
            "UPDATE requests SET applicant_name = $1, applicant_id_document = NULL, applicant_contact = NULL, \
             applicant_id_document_type = NULL, \
             applicant_id_index = NULL \
             WHERE applicant_name <> $1 \
             AND EXISTS (SELECT 1 FROM request_events e WHERE e.request = requests.id \
                 AND e.\"type\" IN ('reply', 'withdrawal') AND e.\"on\" <= $2) \
             AND NOT EXISTS (SELECT 1 FROM request_events e WHERE e.request = requests.id AND e.\"on\" > $2)",
        )
        .bind(ANONYMISED_NAME)
        .bind(date_text(cutoff))
        .execute(&mut *tx)
        .await?;
        let count = done.rows_affected();
        // The documents addressed to those applicants lose the name too.
        crate::documents::anonymise_documents_on(&mut tx, ANONYMISED_NAME).await?;
        if count > 0 {
            let event = AuditEvent {
                username: Some(by.to_string()),
                event_type: "personal_data.purge".into(),
                target: Some("requests".into()),
                success: true,
                detail: Some(format!(
                    "{count} 件申请办结于 {cutoff} 或更早，申请人个人信息已匿名化（保存 {years} 年）"
                )),
                ..AuditEvent::default()
            };
            insert_audit_on(&mut tx, &self.cipher, &event, &ts(now)).await?;
        }
        tx.commit().await?;
        tracing::info!(count, years, %cutoff, "applicants' personal information anonymised");
        Ok(count)
    }
}

/// The same day `years` years earlier (29 February → 28 February).
fn years_before(today: NaiveDate, years: i64) -> Result<NaiveDate, StoreError> {
    let invalid = || StoreError::Invalid { what: "personal_data_retention_years", detail: format!("{years}") };
    let y = i32::try_from(years).map_err(|_| invalid())?;
    let year = today.year().checked_sub(y).ok_or_else(invalid)?;
    NaiveDate::from_ymd_opt(year, today.month(), today.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, today.month(), 28))
        .ok_or_else(invalid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn years_before_keeps_the_day() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(years_before(d("2026-11-27"), 3).unwrap(), d("2023-11-27"));
        assert_eq!(years_before(d("2024-02-29"), 1).unwrap(), d("2023-02-28"));
    }
}
