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

/// The account of `username` (trimmed), or [`AppError::NotFound`] naming it.
async fn account(store: &Store, username: &str) -> Result<User, AppError> {
    let username = username.trim();
    store
        .list_users()
        .await?
        .into_iter()
        .find(|u| u.username == username)
        .ok_or_else(|| AppError::NotFound(format!("没有用户名为「{username}」的账户")))
}

/// 停用 / 启用 an account (B2.1): accounts are disabled, never deleted, since audit records name
/// them; disabling ends the account's sessions and revokes its API tokens. An administrator
/// cannot disable the account they act with (nobody would be left to enable it). Audited
/// `user.disable` / `user.enable`, refusals too.
pub async fn set_disabled(
    store: &Store,
    clock: &Clock,
    actor: &Actor,
    username: &str,
    disabled: bool,
) -> Result<User, AppError> {
    let event = if disabled { "user.disable" } else { "user.enable" };
    let outcome = async {
        let user = account(store, username).await?;
        if disabled && actor.user_id.as_deref() == Some(user.id.as_str()) {
            return Err(AppError::Refused("不能停用自己正在使用的账户".into()));
        }
        actor
            .audited(store, clock, event, &user.username, None)
            .set_user_disabled(&user.id, disabled, clock.now())
            .await?;
        account(store, &user.username).await
    }
    .await;
    actor.audit_refusal(store, clock, event, username.trim(), &outcome).await;
    outcome
}

/// 重置口令 (B2.1): an administrator sets a new password for an account — the policy checked
/// first, the hash off the async workers; the account's sessions end and its API tokens are
/// revoked, its lock and failure count cleared. Audited `user.reset_password`, never with the
/// password.
pub async fn reset_password(
    store: &Store,
    clock: &Clock,
    actor: &Actor,
    username: &str,
    password: String,
) -> Result<User, AppError> {
    const EVENT: &str = "user.reset_password";
    let outcome = async {
        let user = account(store, username).await?;
        gongkai_store::check_password_policy(&password, &user.username).map_err(|e| match e {
            StoreError::Invalid { detail, .. } => AppError::invalid("password", format!("口令不符合要求：{detail}")),
            e => AppError::Store(e),
        })?;
        let hash = gongkai_store::hash_password_blocking(password).await?;
        actor.audited(store, clock, EVENT, &user.username, None).set_password(&user.id, &hash, clock.now()).await?;
        account(store, &user.username).await
    }
    .await;
    actor.audit_refusal(store, clock, EVENT, username.trim(), &outcome).await;
    outcome
}

/// What an administrator may change of an existing account besides its password and state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    /// Its role (B2.2).
    pub role: Role,
    /// The agency it works for.
    pub agency: String,
    /// Whether it must log in with a second factor whatever the site-wide rule (B2.1 d).
    pub mfa_required: bool,
}

/// 变更账户 (B2.2): an account's role, agency and own second-factor requirement. A new role or
/// agency ends its sessions and revokes its API tokens, so that nothing opened under the old
/// rights stays open. An administrator cannot change the role or agency of the account they act
/// with (the last administrator would be able to demote themselves). Audited `user.change` with
/// what changed, refusals too.
pub async fn set_access(
    store: &Store,
    clock: &Clock,
    actor: &Actor,
    username: &str,
    access: Access,
) -> Result<User, AppError> {
    const EVENT: &str = "user.change";
    let outcome = async {
        let user = account(store, username).await?;
        let agency = access.agency.trim().to_string();
        let mut changed = Vec::new();
        if user.role != access.role {
            changed.push(format!("角色 {} 改为 {}", user.role.label_zh(), access.role.label_zh()));
        }
        if user.agency != agency {
            changed.push(format!("机关 {} 改为 {agency}", user.agency));
        }
        let own = actor.user_id.as_deref() == Some(user.id.as_str());
        if own && !changed.is_empty() {
            return Err(AppError::Refused(
                "不能变更自己正在使用的账户的角色或所属机关，请由另一名系统管理员办理".into(),
            ));
        }
        if user.mfa_required != access.mfa_required {
            changed.push(if access.mfa_required {
                "要求双因素认证".into()
            } else {
                "取消单独的双因素认证要求".into()
            });
        }
        if changed.is_empty() {
            return Ok(user);
        }
        actor
            .audited(store, clock, EVENT, &user.username, Some(changed.join("；")))
            .set_user_access(&user.id, access.role, &agency, access.mfa_required, clock.now())
            .await
            .map_err(|e| match e {
                StoreError::NotFound { what: "agency", .. } => AppError::UnknownAgency(agency.clone()),
                e => AppError::Store(e),
            })?;
        account(store, &user.username).await
    }
    .await;
    actor.audit_refusal(store, clock, EVENT, username.trim(), &outcome).await;
    outcome
}
