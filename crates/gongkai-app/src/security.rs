//! The deployment's security settings (安全设置, portal-and-security.md B1.1, B2.1 d, B4.4): how
//! long audit records and applicants' personal information are kept, and whether every console
//! account must use a second factor. Set from the console's 安全设置 page and from `gongkai db`;
//! the store checks the ranges and audits each change in the same transaction, and a refusal is
//! audited here, so the trail shows attempts from either edge alike.

use gongkai_store::{Store, StoreError};

use crate::{Actor, AppError, Clock};

/// A refused change, audited as failed with the reason, and returned as the field's error.
async fn refused(
    store: &Store,
    clock: &Clock,
    actor: &Actor,
    (event_type, target, field): (&str, &str, &'static str),
    message: String,
) -> AppError {
    actor.audit(store, clock, event_type, target, false, Some(message.clone())).await;
    AppError::invalid(field, message)
}

/// Sets how long audit records are kept, in days (at least 180: Cybersecurity Law Art. 21, as
/// the store says when it refuses).
pub async fn set_log_retention(store: &Store, clock: &Clock, actor: &Actor, days: i64) -> Result<(), AppError> {
    const WHAT: (&str, &str, &str) = ("config.log_retention", "log_retention_days", "days");
    match store.set_log_retention_days(days, &actor.username, clock.now()).await {
        Ok(()) => Ok(()),
        Err(StoreError::Invalid { detail, .. }) => Err(refused(store, clock, actor, WHAT, detail).await),
        Err(e) => Err(e.into()),
    }
}

/// Sets (with `None`, turns off) how many years after a request is closed its applicant's
/// personal information is kept before it is anonymised (B4.4; Art. 45 of the Regulations
/// leaves the period to the agency's archives rules).
pub async fn set_personal_data_retention(
    store: &Store,
    clock: &Clock,
    actor: &Actor,
    years: Option<i64>,
) -> Result<(), AppError> {
    const WHAT: (&str, &str, &str) = ("config.personal_data_retention", "personal_data_retention_years", "years");
    match store.set_personal_data_retention_years(years, &actor.username, clock.now()).await {
        Ok(()) => Ok(()),
        Err(StoreError::Invalid { detail, .. }) => Err(refused(store, clock, actor, WHAT, detail).await),
        Err(e) => Err(e.into()),
    }
}

/// Requires (or stops requiring) a second factor of every console account (B2.1 d). An account
/// that turns the requirement on must have one itself: it would otherwise be confined to
/// enrolment at once. The command line, which has no account, is not asked.
pub async fn set_require_mfa(store: &Store, clock: &Clock, actor: &Actor, on: bool) -> Result<(), AppError> {
    if on {
        if let Some(id) = &actor.user_id {
            if store.totp_secret(id).await?.is_none() {
                let message = "请先在“双因素认证”页面为本账号启用双因素认证，再要求所有账号启用".to_string();
                actor.audit(store, clock, "config.require_mfa", "require_mfa", false, Some(message.clone())).await;
                return Err(AppError::Refused(message));
            }
        }
    }
    store.set_require_mfa(on, &actor.username, clock.now()).await?;
    Ok(())
}
