//! Console accounts (portal-and-security.md B2.1, B2.2): creating one. There is no default account
//! (ASVS 6.3.2): the first administrator is made with `gongkai user add`, which calls this.

use gongkai_store::{Role, Store, StoreError, User};

use crate::{Actor, AppError, Clock};

/// An account to create, with its password in clear (hashed here, never stored or logged).
pub struct NewAccount {
    /// 用户名: 1–64 letters, digits or `. _ - @`.
    pub username: String,
    /// The agency it works for.
    pub agency: String,
    /// Its role (B2.2).
    pub role: Role,
    /// The password, checked against the policy of B2.1 (length, classes, not the username).
    pub password: String,
}

/// The audit event type of an account's creation.
const AUDIT_EVENT: &str = "user.add";

/// Creates the account: the password policy first (B2.1), then the hash (argon2, off the async
/// workers), then the store — refusing a taken username, an unknown agency or an invalid
/// username, each with its field. Every attempt is audited (`user.add`, the target
/// `用户名 角色 机关`, the role by its Chinese name), never with the password.
pub async fn add(store: &Store, clock: &Clock, actor: &Actor, new: NewAccount) -> Result<User, AppError> {
    // What the auditor's page shows: the username, the role in Chinese and the agency.
    let target = format!("{} {} {}", new.username.trim(), new.role.label_zh(), new.agency.trim());
    let outcome = checked(&actor.audited(store, clock, AUDIT_EVENT, &target, None), clock, new).await;
    actor.audit_refusal(store, clock, AUDIT_EVENT, &target, &outcome).await;
    outcome
}

async fn checked(store: &Store, clock: &Clock, new: NewAccount) -> Result<User, AppError> {
    let (username, agency) = (new.username.trim().to_string(), new.agency.trim().to_string());
    gongkai_store::check_password_policy(&new.password, &username).map_err(|e| match e {
        StoreError::Invalid { detail, .. } => AppError::invalid("password", format!("口令不符合要求：{detail}")),
        e => AppError::Store(e),
    })?;
    let hash = gongkai_store::hash_password_blocking(new.password).await?;
    store.create_user(&username, &agency, new.role, &hash, clock.now()).await.map_err(|e| match e {
        StoreError::Conflict { .. } => AppError::Conflict(format!("用户名「{username}」已被使用")),
        StoreError::NotFound { .. } => AppError::UnknownAgency(agency.to_string()),
        StoreError::Invalid { detail, .. } => AppError::invalid("username", detail),
        e => AppError::Store(e),
    })
}
