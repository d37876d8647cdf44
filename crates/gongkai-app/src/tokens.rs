//! 访问令牌: the API bearer tokens an account creates for itself, for the staff endpoints of the
//! JSON API. A token's value is returned once, at creation; the store keeps only its hash. Every
//! creation and revocation is audited.

use gongkai_store::{ApiToken, Store, StoreError};

use crate::{Actor, AppError, Clock};

/// The longest validity a token may be given (days).
pub const MAX_TOKEN_DAYS: i64 = 365;
/// The longest name of a token (characters).
pub const MAX_TOKEN_NAME: usize = 60;

/// A token asked for: what its owner calls it, and for how many days it works.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewToken {
    /// 名称.
    pub name: String,
    /// 有效期（天）: 1 to [`MAX_TOKEN_DAYS`].
    pub days: i64,
}

/// Creates a token of the actor's own account; returns it with its value (shown once).
pub async fn create(
    store: &Store,
    clock: &Clock,
    actor: &Actor,
    new: NewToken,
) -> Result<(ApiToken, String), AppError> {
    let name = new.name.trim();
    if name.is_empty() || name.chars().count() > MAX_TOKEN_NAME {
        return Err(AppError::invalid("name", format!("名称不能为空，且不超过{MAX_TOKEN_NAME}个字符")));
    }
    if !(1..=MAX_TOKEN_DAYS).contains(&new.days) {
        return Err(AppError::invalid("days", format!("有效期应为 1 至 {MAX_TOKEN_DAYS} 天")));
    }
    let Some(user_id) = &actor.user_id else {
        return Err(AppError::Refused("访问令牌属于工作台账号，请登录后创建".into()));
    };
    let now = clock.now();
    // Recorded in the token's transaction, with its id as the target (known once it exists).
    let mut event = actor.event("api_token.create", "", true, None);
    event.target = None;
    let audited = store.audited(event, now);
    audited.create_api_token(user_id, name, Some(now + chrono::Duration::days(new.days)), now).await.map_err(Into::into)
}

/// Revokes one of the actor's own tokens; another account's, or an unknown one, is not found
/// (and the attempt audited).
pub async fn revoke(store: &Store, clock: &Clock, actor: &Actor, token_id: &str) -> Result<(), AppError> {
    let Some(user_id) = &actor.user_id else {
        return Err(AppError::NotFound("没有这个访问令牌".into()));
    };
    let audited = actor.audited(store, clock, "api_token.revoke", token_id, None);
    match audited.revoke_api_token(user_id, token_id, clock.now()).await {
        Ok(()) => Ok(()),
        Err(StoreError::NotFound { .. }) => {
            actor.audit(store, clock, "api_token.revoke", token_id, false, Some("令牌不存在或已撤销".into())).await;
            Err(AppError::NotFound("没有这个访问令牌，或已撤销".into()))
        }
        Err(e) => Err(e.into()),
    }
}
