//! 初始化: putting an office's gongkai into service from an empty database — the top agency and
//! the first administrator (there is no default account, ASVS 6.3.2; portal-and-security.md
//! B2.1, B2.2). `gongkai init` calls it.

use gongkai_core::register::Agency;
use gongkai_store::{Role, Store, StoreError, User};

use crate::accounts::{self, NewAccount};
use crate::{agencies, Actor, AppError, Clock};

/// Registers `agency` as the top of the tree and creates `admin` (an administrator of it), on a
/// database that has neither agencies nor accounts yet. Everything that can be checked before
/// writing is checked first — the database is empty, the password meets B2.1, the username is
/// given — so that a refusal writes nothing.
pub async fn init(
    store: &Store,
    clock: &Clock,
    actor: &Actor,
    agency: Agency,
    admin_username: &str,
    admin_password: String,
) -> Result<(Agency, User), AppError> {
    let agencies_known = store.list_agencies().await?.len();
    let users_known = store.list_users().await?.len();
    if agencies_known > 0 || users_known > 0 {
        return Err(AppError::Conflict(format!(
            "数据库已初始化（已有机关 {agencies_known} 个、账号 {users_known} 个）：新增机关请用 gongkai agency add，新增账号请用 gongkai user add"
        )));
    }
    let username = admin_username.trim();
    if username.is_empty() {
        return Err(AppError::invalid("username", "系统管理员用户名不能为空"));
    }
    gongkai_store::check_password_policy(&admin_password, username).map_err(|e| match e {
        StoreError::Invalid { detail, .. } => AppError::invalid("password", format!("口令不符合要求：{detail}")),
        e => AppError::Store(e),
    })?;
    let agency = agencies::register(store, clock, actor, Agency { parent: None, ..agency }).await?;
    let new = NewAccount {
        username: username.to_string(),
        agency: agency.code.clone(),
        role: Role::Administrator,
        password: admin_password,
    };
    let user = accounts::add(store, clock, actor, new).await?;
    Ok((agency, user))
}
