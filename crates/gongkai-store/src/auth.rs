//! Console accounts, server-side sessions, API tokens and the audit trail (portal-and-security.md §B).
//!
//! - **Accounts (B2.1, B2.2).** One user per person, scoped to an agency, with one [`Role`].
//!   Passwords are Argon2id PHC strings ([`hash_password`]); the policy is [`check_password_policy`]
//!   (≥8 characters from at least 3 classes). Five failures in a row lock the account for
//!   15 minutes ([`Store::record_login_failure`]).
//! - **Sessions (B2.1 idle logout, ASVS 7.3/7.4).** Stored here, not in the browser: the cookie
//!   holds a random 256-bit value, the table its SHA-256. A session ends after
//!   [`SESSION_IDLE`] without use or [`SESSION_ABSOLUTE`] after login, and on logout.
//! - **API tokens.** Random bearer tokens, stored as SHA-256 only.
//! - **Audit (B2.3, B6).** Append-only: the store offers no update or delete, and each record
//!   carries the hash of its predecessor, so a removed or altered record is detected by
//!   [`Store::verify_audit_chain`].
//!
//! Times are parameters (`now`) so that the rules are testable; callers pass `Utc::now()`.

use std::fmt;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;
use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};

use crate::codec::new_id;
use crate::crypto::{Field, FieldCipher};
use crate::error::violation;
use crate::{Store, StoreError};

/// Failed logins in a row that lock an account (B2.1 default: 5).
pub const MAX_FAILED_LOGINS: i64 = 5;
/// How long a locked account stays locked (B2.1 default: 15 minutes).
pub const LOCK_DURATION: Duration = Duration::minutes(15);
/// A session unused this long is ended (B2.1: idle logout after 15–30 minutes).
pub const SESSION_IDLE: Duration = Duration::minutes(30);
/// A session ends this long after login whatever its use (ASVS 7.3.2 absolute timeout).
pub const SESSION_ABSOLUTE: Duration = Duration::hours(12);
/// Passwords older than this must be changed (B2.1 定期更换, default 90 days).
pub const PASSWORD_MAX_AGE: Duration = Duration::days(90);
/// The longest accepted password (ASVS 6.2.9 allows ≥64; bounded so hashing stays cheap).
pub const PASSWORD_MAX_CHARS: usize = 128;

/// What a console user may do (B2.2 least privilege, 管理用户权限分离).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 经办人员: edits the registers of their own agency.
    Staff,
    /// 审批人员: as staff, plus approves extensions and publishes the annual report.
    Approver,
    /// 监督人员: reads the registers of their agency's subtree; writes nothing.
    Supervisor,
    /// 系统管理员: manages agencies and users, over every agency.
    Administrator,
    /// 审计管理员 (B2.6, GB/T 22239 8.1.5: 系统/审计管理员 separate): reads the audit trail and
    /// nothing else — no register, no account management.
    Auditor,
    /// 安全管理员 (B2.6, GB/T 22239 8.1.5.3: the security administrator, separate from the system
    /// and audit administrators): sets the security policy — audit-log retention, the two-factor
    /// requirement — and sees which accounts lack a second factor; reads no register and manages
    /// no account.
    SecurityAdmin,
}

impl Role {
    /// Every role, in order of the list above.
    pub const ALL: [Role; 6] =
        [Role::Staff, Role::Approver, Role::Supervisor, Role::Administrator, Role::Auditor, Role::SecurityAdmin];

    /// The stored (glossary) name: `staff`, `approver`, `supervisor`, `administrator`, `auditor`,
    /// `security_admin`.
    pub fn name(self) -> &'static str {
        match self {
            Role::Staff => "staff",
            Role::Approver => "approver",
            Role::Supervisor => "supervisor",
            Role::Administrator => "administrator",
            Role::Auditor => "auditor",
            Role::SecurityAdmin => "security_admin",
        }
    }

    /// The Chinese name shown in the console.
    pub fn label_zh(self) -> &'static str {
        match self {
            Role::Staff => "经办人员",
            Role::Approver => "审批人员",
            Role::Supervisor => "监督人员",
            Role::Administrator => "系统管理员",
            Role::Auditor => "审计管理员",
            Role::SecurityAdmin => "安全管理员",
        }
    }

    /// Parses a stored name.
    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.name() == s)
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A console account (without its password hash).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// Application-generated id.
    pub id: String,
    /// The unique login name.
    pub username: String,
    /// The code of the agency the account belongs to.
    pub agency: String,
    /// What the account may do.
    pub role: Role,
    /// Failed logins since the last success or lock.
    pub failed_logins: i64,
    /// Until when the account is locked after too many failures.
    pub locked_until: Option<DateTime<Utc>>,
    /// When the password was last set (for the 90-day change rule).
    pub password_changed_at: DateTime<Utc>,
    /// A disabled account cannot log in (accounts are disabled, never deleted: audit records
    /// name them).
    pub disabled: bool,
    /// Whether this account must log in with a second factor even where the site-wide rule
    /// does not require it (B2.1 d).
    pub mfa_required: bool,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub changed_at: DateTime<Utc>,
}

impl User {
    /// Whether the account is locked at `now`.
    pub fn is_locked(&self, now: DateTime<Utc>) -> bool {
        self.locked_until.is_some_and(|t| t > now)
    }

    /// Whether the password is older than [`PASSWORD_MAX_AGE`] at `now`.
    pub fn password_expired(&self, now: DateTime<Utc>) -> bool {
        now - self.password_changed_at > PASSWORD_MAX_AGE
    }
}

/// A session created at login: the values the client holds. Only their hash (the id) or their
/// plain value (the CSRF token, which is not a credential on its own) is stored.
#[derive(Clone, PartialEq, Eq)]
pub struct NewSession {
    /// The cookie value (256 random bits, hex).
    pub token: String,
    /// The per-session CSRF token of the console's forms.
    pub csrf_token: String,
}

impl fmt::Debug for NewSession {
    // Never print the secret.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewSession").finish_non_exhaustive()
    }
}

/// A live session, as found by [`Store::session`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Whose session.
    pub user: User,
    /// The per-session CSRF token.
    pub csrf_token: String,
    /// When it was created (login).
    pub created_at: DateTime<Utc>,
}

/// An API token's public description (never its value).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// Application-generated id.
    pub id: String,
    /// Whose token.
    pub user_id: String,
    /// What the owner called it.
    pub name: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it stops working, if ever.
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// One audit event to record (B2.3: date/time, user, event type, success or failure; B6:
/// role, agency, address, object, reason). Never holds personal information in clear.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuditEvent {
    /// Who acted (the username, or the name tried at a failed login); `None` for the public.
    pub username: Option<String>,
    /// Their role.
    pub role: Option<Role>,
    /// Their agency.
    pub agency: Option<String>,
    /// What happened: `login`, `logout`, `login_locked`, `request.extension`, `report.publish`, ….
    pub event_type: String,
    /// On what (a tracking number, `agency/year`, a username).
    pub target: Option<String>,
    /// Whether it succeeded.
    pub success: bool,
    /// The client address.
    pub source: Option<String>,
    /// Why it failed, or a short note.
    pub detail: Option<String>,
}

/// An audit event written in the same transaction as the change it records (issue 21 item 2): a
/// crash leaves both or neither, never a change without its record.
#[derive(Debug, Clone, Copy)]
pub struct AuditNote<'a> {
    /// The event (its `success` is true: a refused change writes nothing to go with it).
    pub event: &'a AuditEvent,
    /// When.
    pub at: DateTime<Utc>,
}

/// A recorded audit event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    /// Position in the chain, from 1.
    pub seq: i64,
    /// When (RFC 3339 UTC).
    pub at: String,
    /// The event.
    pub event: AuditEvent,
    /// The hash of this record (hex HMAC-SM3, or SHA-256 before migration 000016, over the
    /// previous hash and the fields).
    pub hash: String,
}

/// The password rule of B2.1 (default of practice): at least 8 and at most
/// [`PASSWORD_MAX_CHARS`] characters, from at least 3 of the classes lower-case, upper-case,
/// digit, other; and not containing the username. The message is Chinese first.
pub fn check_password_policy(password: &str, username: &str) -> Result<(), StoreError> {
    let invalid = |detail: &str| Err(StoreError::Invalid { what: "password", detail: detail.to_string() });
    let n = password.chars().count();
    if n < 8 {
        return invalid("口令至少 8 个字符");
    }
    if n > PASSWORD_MAX_CHARS {
        return invalid("口令不能超过 128 个字符");
    }
    let classes = [
        password.chars().any(|c| c.is_lowercase()),
        password.chars().any(|c| c.is_uppercase()),
        password.chars().any(|c| c.is_ascii_digit()),
        password.chars().any(|c| !c.is_alphanumeric()),
    ];
    if classes.iter().filter(|&&b| b).count() < 3 {
        return invalid("口令须包含小写字母、大写字母、数字、其他符号中的至少三类");
    }
    if !username.is_empty() && password.to_lowercase().contains(&username.to_lowercase()) {
        return invalid("口令不能包含用户名");
    }
    Ok(())
}

/// Hashes a password with Argon2id (default parameters: m=19 MiB, t=2, p=1; about 35 ms on the
/// reference machine, so call it off the async runtime: [`hash_password_blocking`]).
pub fn hash_password(password: &str) -> Result<String, StoreError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Invalid { what: "password hash", detail: e.to_string() })
}

/// Whether `password` matches the stored PHC string. A malformed hash never matches.
pub fn verify_password(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// [`hash_password`] on tokio's blocking pool.
pub async fn hash_password_blocking(password: String) -> Result<String, StoreError> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| StoreError::Invalid { what: "password hash", detail: e.to_string() })?
}

/// [`verify_password`] on tokio's blocking pool; `false` if the task fails.
pub async fn verify_password_blocking(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || verify_password(&password, &hash)).await.unwrap_or(false)
}

/// 256 random bits as 64 hex digits, from the operating system.
pub fn random_token() -> Result<String, StoreError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| StoreError::Invalid { what: "random token", detail: format!("system random source: {e}") })?;
    Ok(hex(&bytes))
}

/// The hex SHA-256 of a secret, as stored for sessions and tokens.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    use fmt::Write;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// A timestamp as stored: RFC 3339 UTC with microseconds (compares correctly as text).
pub(crate) fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

fn parse_ts(table: &'static str, column: &'static str, s: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(s).map(|t| t.with_timezone(&Utc)).map_err(|e| StoreError::Corrupt {
        table,
        column,
        detail: format!("{s:?} is not an RFC 3339 time: {e}"),
    })
}

fn parse_opt_ts(
    table: &'static str,
    column: &'static str,
    s: Option<String>,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    s.map(|s| parse_ts(table, column, &s)).transpose()
}

const USER_COLUMNS: &str = "u.id, u.username, u.agency, u.role, u.password_hash, u.password_changed_at, \
     u.failed_logins, u.locked_until, u.disabled, u.mfa_required, u.created_at, u.changed_at";

fn user_from_row(row: &AnyRow) -> Result<(User, String), StoreError> {
    let role: String = row.try_get("role")?;
    let user = User {
        id: row.try_get("id")?,
        username: row.try_get("username")?,
        agency: row.try_get("agency")?,
        role: Role::parse(&role).ok_or_else(|| StoreError::Corrupt {
            table: "users",
            column: "role",
            detail: format!("unknown role {role:?}"),
        })?,
        failed_logins: row.try_get("failed_logins")?,
        locked_until: parse_opt_ts("users", "locked_until", row.try_get("locked_until")?)?,
        password_changed_at: parse_ts(
            "users",
            "password_changed_at",
            &row.try_get::<String, _>("password_changed_at")?,
        )?,
        disabled: row.try_get::<i64, _>("disabled")? != 0,
        mfa_required: row.try_get::<i64, _>("mfa_required")? != 0,
        created_at: parse_ts("users", "created_at", &row.try_get::<String, _>("created_at")?)?,
        changed_at: parse_ts("users", "changed_at", &row.try_get::<String, _>("changed_at")?)?,
    };
    Ok((user, row.try_get("password_hash")?))
}

/// How the chain's hashes are computed (`audit_head.scheme`, migration 000016).
///
/// A plain hash can be recomputed by anyone who can write the database: altering a record and
/// recomputing every later hash leaves a chain that verifies. Keyed with HMAC-SM3 under a key
/// derived from the data key (B3.3), which is never in the database, it cannot be forged without
/// the key. `Sha256` is the scheme of databases created before the key; [`Store::migrate`]
/// re-chains them once (see [`rechain_on`]).
#[derive(Debug, Clone, Copy)]
pub(crate) enum ChainKey<'a> {
    /// SHA-256, unkeyed (before migration 000016).
    Sha256,
    /// HMAC-SM3 under the audit key of this cipher.
    HmacSm3(&'a FieldCipher),
}

impl ChainKey<'_> {
    /// The stored name of the scheme.
    pub(crate) fn scheme(self) -> &'static str {
        match self {
            ChainKey::Sha256 => SCHEME_SHA256,
            ChainKey::HmacSm3(_) => SCHEME_HMAC_SM3,
        }
    }
}

/// The settings key recording that the chain was keyed (once, never undone).
const CHAIN_KEYED_SETTING: &str = "audit_chain_keyed";

/// `audit_head.scheme` of an unkeyed chain.
pub(crate) const SCHEME_SHA256: &str = "sha256";
/// `audit_head.scheme` of a chain keyed with HMAC-SM3.
pub(crate) const SCHEME_HMAC_SM3: &str = "hmac-sm3";

/// The chain's key as stored in `audit_head` (read inside the caller's transaction), with this
/// store's cipher for a keyed chain.
pub(crate) async fn chain_key<'a>(
    conn: &mut AnyConnection,
    cipher: &'a FieldCipher,
) -> Result<ChainKey<'a>, StoreError> {
    let scheme: String =
        sqlx::query("SELECT scheme FROM audit_head WHERE id = 1").fetch_one(&mut *conn).await?.try_get("scheme")?;
    match scheme.as_str() {
        SCHEME_SHA256 => Ok(ChainKey::Sha256),
        SCHEME_HMAC_SM3 => Ok(ChainKey::HmacSm3(cipher)),
        other => Err(StoreError::Corrupt {
            table: "audit_head",
            column: "scheme",
            detail: format!("unknown hash scheme {other:?}"),
        }),
    }
}

/// The hash of an audit record: over the previous hash and every field, each length-prefixed so
/// that no two field lists produce the same input; SHA-256 or HMAC-SM3 by `key`.
pub(crate) fn audit_hash(key: ChainKey<'_>, prev: &str, seq: i64, at: &str, e: &AuditEvent) -> String {
    let mut message = Vec::with_capacity(256);
    let mut field = |s: Option<&str>| match s {
        Some(s) => {
            message.extend_from_slice(&(s.len() as u64).to_be_bytes());
            message.extend_from_slice(s.as_bytes());
        }
        None => message.extend_from_slice(&u64::MAX.to_be_bytes()),
    };
    field(Some(prev));
    field(Some(&seq.to_string()));
    field(Some(at));
    field(e.username.as_deref());
    field(e.role.map(Role::name));
    field(e.agency.as_deref());
    field(Some(&e.event_type));
    field(e.target.as_deref());
    field(Some(if e.success { "1" } else { "0" }));
    field(e.source.as_deref());
    field(e.detail.as_deref());
    match key {
        ChainKey::Sha256 => hex(&Sha256::digest(&message)),
        ChainKey::HmacSm3(cipher) => cipher.audit_mac(&message),
    }
}

/// The hash before the first record.
pub(crate) const AUDIT_GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

impl Store {
    /// Creates an account with an already hashed password ([`hash_password`]).
    /// [`StoreError::Conflict`] if the username is taken; [`StoreError::NotFound`] if the
    /// agency does not exist; [`StoreError::Invalid`] for an empty or over-long username.
    pub async fn create_user(
        &self,
        username: &str,
        agency: &str,
        role: Role,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<User, StoreError> {
        let valid = !username.is_empty()
            && username.chars().count() <= 64
            && username.chars().all(|c| c.is_alphanumeric() || "._-@".contains(c));
        if !valid {
            return Err(StoreError::Invalid {
                what: "username",
                detail: "用户名须为 1–64 个字母、数字或 . _ - @".into(),
            });
        }
        if self.get_agency(agency).await?.is_none() {
            return Err(StoreError::NotFound { what: "agency", key: agency.to_string() });
        }
        let id = new_id();
        let t = ts(now);
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO users (id, username, agency, role, password_hash, password_changed_at, failed_logins, \
             locked_until, disabled, created_at, changed_at) VALUES ($1, $2, $3, $4, $5, $6, 0, NULL, 0, $6, $6)",
        )
        .bind(&id)
        .bind(username)
        .bind(agency)
        .bind(role.name())
        .bind(password_hash)
        .bind(&t)
        .execute(&mut *tx)
        .await
        .map_err(|e| match violation(&e) {
            Some(sqlx::error::ErrorKind::UniqueViolation) => {
                StoreError::Conflict { what: "user", agency: agency.to_string(), key: username.to_string() }
            }
            Some(sqlx::error::ErrorKind::ForeignKeyViolation) => {
                StoreError::NotFound { what: "agency", key: agency.to_string() }
            }
            _ => StoreError::Backend(e),
        })?;
        self.audit_on(&mut tx).await?;
        tx.commit().await?;
        self.get_user(&id).await?.ok_or(StoreError::NotFound { what: "user", key: username.to_string() })
    }

    /// The account with this id.
    pub async fn get_user(&self, id: &str) -> Result<Option<User>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id).fetch_optional(&self.pool).await?;
        row.map(|r| user_from_row(&r).map(|(u, _)| u)).transpose()
    }

    /// The account with this username and its password hash (for login only).
    pub async fn user_for_login(&self, username: &str) -> Result<Option<(User, String)>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u WHERE u.username = $1");
        let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(username).fetch_optional(&self.pool).await?;
        row.map(|r| user_from_row(&r)).transpose()
    }

    /// Every account, by username.
    pub async fn list_users(&self) -> Result<Vec<User>, StoreError> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users u ORDER BY u.username");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).fetch_all(&self.pool).await?;
        rows.iter().map(|r| user_from_row(r).map(|(u, _)| u)).collect()
    }

    /// Replaces a password hash, clears the failure count and lock, ends every session of the
    /// account (a password change logs out everywhere) and revokes its API tokens (issue 21 item
    /// 5: a token must not outlive the password it was made under).
    pub async fn set_password(&self, user_id: &str, password_hash: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        let t = ts(now);
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(
            "UPDATE users SET password_hash = $2, password_changed_at = $3, changed_at = $3, failed_logins = 0, \
             locked_until = NULL WHERE id = $1",
        )
        .bind(user_id)
        .bind(password_hash)
        .bind(&t)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound { what: "user", key: user_id.to_string() });
        }
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
        revoke_tokens_on(&mut tx, user_id, &t).await?;
        self.audit_on(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Enables or disables an account; disabling ends its sessions and revokes its API tokens.
    pub async fn set_user_disabled(&self, user_id: &str, disabled: bool, now: DateTime<Utc>) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query("UPDATE users SET disabled = $2, changed_at = $3 WHERE id = $1")
            .bind(user_id)
            .bind(i64::from(disabled))
            .bind(ts(now))
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound { what: "user", key: user_id.to_string() });
        }
        if disabled {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
            revoke_tokens_on(&mut tx, user_id, &ts(now)).await?;
        }
        self.audit_on(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Changes an account's role, agency and own second-factor requirement. A new role or agency
    /// ends its sessions and revokes its API tokens (what they were opened for no longer holds);
    /// [`StoreError::NotFound`] for an unknown account or agency.
    pub async fn set_user_access(
        &self,
        user_id: &str,
        role: Role,
        agency: &str,
        mfa_required: bool,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let t = ts(now);
        let mut tx = self.pool.begin().await?;
        let before = sqlx::query("UPDATE users SET changed_at = $2 WHERE id = $1 RETURNING role, agency")
            .bind(user_id)
            .bind(&t)
            .fetch_optional(&mut *tx)
            .await?
            .ok_or_else(|| StoreError::NotFound { what: "user", key: user_id.to_string() })?;
        let (old_role, old_agency): (String, String) = (before.try_get("role")?, before.try_get("agency")?);
        let known =
            sqlx::query("SELECT 1 AS one FROM agencies WHERE code = $1").bind(agency).fetch_optional(&mut *tx).await?;
        if known.is_none() {
            return Err(StoreError::NotFound { what: "agency", key: agency.to_string() });
        }
        sqlx::query("UPDATE users SET role = $2, agency = $3, mfa_required = $4 WHERE id = $1")
            .bind(user_id)
            .bind(role.name())
            .bind(agency)
            .bind(i64::from(mfa_required))
            .execute(&mut *tx)
            .await?;
        if old_role != role.name() || old_agency != agency {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(user_id).execute(&mut *tx).await?;
            revoke_tokens_on(&mut tx, user_id, &t).await?;
        }
        self.audit_on(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Counts a failed login. The [`MAX_FAILED_LOGINS`]th failure in a row locks the account
    /// until `now + LOCK_DURATION` and resets the count. Returns the account as updated.
    pub async fn record_login_failure(&self, user_id: &str, now: DateTime<Utc>) -> Result<User, StoreError> {
        let t = ts(now);
        let lock_until = ts(now + LOCK_DURATION);
        // One statement, so that concurrent failures cannot both miss the threshold.
        sqlx::query(
            "UPDATE users SET \
               locked_until = CASE WHEN failed_logins + 1 >= $2 THEN $3 ELSE locked_until END, \
               failed_logins = CASE WHEN failed_logins + 1 >= $2 THEN 0 ELSE failed_logins + 1 END, \
               changed_at = $4 \
             WHERE id = $1",
        )
        .bind(user_id)
        .bind(MAX_FAILED_LOGINS)
        .bind(&lock_until)
        .bind(&t)
        .execute(&self.pool)
        .await?;
        self.get_user(user_id).await?.ok_or(StoreError::NotFound { what: "user", key: user_id.to_string() })
    }

    /// Clears the failure count and an expired lock after a successful login.
    pub async fn record_login_success(&self, user_id: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        sqlx::query("UPDATE users SET failed_logins = 0, locked_until = NULL, changed_at = $2 WHERE id = $1")
            .bind(user_id)
            .bind(ts(now))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Starts a session for the account (a new random id at every login, ASVS 7.2.4) and
    /// removes the expired sessions of every account.
    pub async fn create_session(
        &self,
        user_id: &str,
        source: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<NewSession, StoreError> {
        let token = random_token()?;
        let csrf_token = random_token()?;
        let t = ts(now);
        sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
            .bind(&t)
            .bind(ts(now - SESSION_IDLE))
            .execute(&self.pool)
            .await?;
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at, source) \
             VALUES ($1, $2, $3, $4, $4, $5, $6)",
        )
        .bind(token_hash(&token))
        .bind(user_id)
        .bind(&csrf_token)
        .bind(&t)
        .bind(ts(now + SESSION_ABSOLUTE))
        .bind(source)
        .execute(&self.pool)
        .await
        .map_err(|e| match violation(&e) {
            Some(sqlx::error::ErrorKind::ForeignKeyViolation) => {
                StoreError::NotFound { what: "user", key: user_id.to_string() }
            }
            _ => StoreError::Backend(e),
        })?;
        Ok(NewSession { token, csrf_token })
    }

    /// The live session with this cookie value, marking it used at `now`; `None` (and the
    /// session deleted) if it is unknown, idle for [`SESSION_IDLE`], past [`SESSION_ABSOLUTE`],
    /// or its account is disabled.
    pub async fn session(&self, token: &str, now: DateTime<Utc>) -> Result<Option<Session>, StoreError> {
        let hash = token_hash(token);
        let sql = format!(
            "SELECT {USER_COLUMNS}, s.csrf_token, s.created_at AS s_created, s.last_seen_at, s.expires_at \
             FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1"
        );
        let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(&hash).fetch_optional(&self.pool).await? else {
            return Ok(None);
        };
        let (user, _) = user_from_row(&row)?;
        let last_seen = parse_ts("sessions", "last_seen_at", &row.try_get::<String, _>("last_seen_at")?)?;
        let expires = parse_ts("sessions", "expires_at", &row.try_get::<String, _>("expires_at")?)?;
        if user.disabled || now - last_seen > SESSION_IDLE || now >= expires {
            sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(&hash).execute(&self.pool).await?;
            return Ok(None);
        }
        sqlx::query("UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1")
            .bind(&hash)
            .bind(ts(now))
            .execute(&self.pool)
            .await?;
        Ok(Some(Session {
            user,
            csrf_token: row.try_get("csrf_token")?,
            created_at: parse_ts("sessions", "created_at", &row.try_get::<String, _>("s_created")?)?,
        }))
    }

    /// Ends a session (logout). Ending an unknown session is not an error.
    pub async fn delete_session(&self, token: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1").bind(token_hash(token)).execute(&self.pool).await?;
        Ok(())
    }

    /// The account's TOTP secret (base32), `None` when it logs in with its password only.
    pub async fn totp_secret(&self, user_id: &str) -> Result<Option<String>, StoreError> {
        let row =
            sqlx::query("SELECT totp_secret FROM users WHERE id = $1").bind(user_id).fetch_optional(&self.pool).await?;
        match row {
            Some(r) => {
                let stored = r.try_get::<Option<String>, _>("totp_secret")?;
                self.cipher.open_opt(Field::TotpSecret, user_id, stored.as_deref())
            }
            None => Err(StoreError::NotFound { what: "user", key: user_id.to_string() }),
        }
    }

    /// The ids of the accounts that log in with a second factor (for the security
    /// administrator's list; the secrets stay encrypted).
    pub async fn users_with_second_factor(&self) -> Result<std::collections::HashSet<String>, StoreError> {
        let rows = sqlx::query("SELECT id FROM users WHERE totp_secret IS NOT NULL").fetch_all(&self.pool).await?;
        rows.iter().map(|r| r.try_get::<String, _>("id").map_err(StoreError::from)).collect()
    }

    /// Sets (enrolment) or clears the account's TOTP secret, stored encrypted (authentication
    /// data, B2.5). Ends an enrolment under way and forgets the codes accepted so far.
    pub async fn set_totp_secret(&self, user_id: &str, secret: Option<&str>) -> Result<(), StoreError> {
        let sealed = self.cipher.seal_opt(Field::TotpSecret, user_id, secret)?;
        self.update_user(
            "UPDATE users SET totp_secret = $1, totp_pending = NULL, totp_last_step = NULL WHERE id = $2",
            sealed,
            user_id,
        )
        .await
    }

    /// Runs `sql`, an `UPDATE users … WHERE id = $2`, with `$1` bound to `value`;
    /// [`StoreError::NotFound`] when there is no such account.
    /// With the audit record of an [`Store::audited`] handle in the same transaction.
    async fn update_user(&self, sql: &'static str, value: Option<String>, user_id: &str) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let done = sqlx::query(sql).bind(value).bind(user_id).execute(&mut *tx).await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound { what: "user", key: user_id.to_string() });
        }
        self.audit_on(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Keeps the secret of an enrolment the server has just started (issue 21 item 4: the secret
    /// is the server's, never one the client sends back), encrypted; `None` ends it.
    pub async fn set_totp_pending(&self, user_id: &str, secret: Option<&str>) -> Result<(), StoreError> {
        let sealed = self.cipher.seal_opt(Field::TotpPending, user_id, secret)?;
        self.update_user("UPDATE users SET totp_pending = $1 WHERE id = $2", sealed, user_id).await
    }

    /// The secret of the account's enrolment under way, if one was started.
    pub async fn totp_pending(&self, user_id: &str) -> Result<Option<String>, StoreError> {
        let row = sqlx::query("SELECT totp_pending FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(&self.pool)
            .await?;
        match row {
            Some(r) => {
                let stored = r.try_get::<Option<String>, _>("totp_pending")?;
                self.cipher.open_opt(Field::TotpPending, user_id, stored.as_deref())
            }
            None => Err(StoreError::NotFound { what: "user", key: user_id.to_string() }),
        }
    }

    /// Accepts a one-time code of 30-second `step` for the account once (ASVS 6.5.1): `true` if
    /// no code of this step or a later one was accepted before, and records it; `false` for a
    /// replay. One statement, so two logins with the same code cannot both pass.
    pub async fn accept_totp_step(&self, user_id: &str, step: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE users SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)",
        )
        .bind(user_id)
        .bind(step)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Creates an API bearer token for the account; returns its description and the value,
    /// which is shown once and never stored.
    pub async fn create_api_token(
        &self,
        user_id: &str,
        name: &str,
        expires_at: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<(ApiToken, String), StoreError> {
        let value = format!("gk_{}", random_token()?);
        let id = new_id();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO api_tokens (id, token_hash, user_id, name, created_at, expires_at, revoked_at) \
             VALUES ($1, $2, $3, $4, $5, $6, NULL)",
        )
        .bind(&id)
        .bind(token_hash(&value))
        .bind(user_id)
        .bind(name)
        .bind(ts(now))
        .bind(expires_at.map(ts))
        .execute(&mut *tx)
        .await
        .map_err(|e| match violation(&e) {
            Some(sqlx::error::ErrorKind::ForeignKeyViolation) => {
                StoreError::NotFound { what: "user", key: user_id.to_string() }
            }
            _ => StoreError::Backend(e),
        })?;
        // The token is known by its id only once it exists: an audited creation names it.
        self.audit_on_target(&mut tx, &id).await?;
        tx.commit().await?;
        let token = ApiToken {
            id,
            user_id: user_id.to_string(),
            name: name.to_string(),
            created_at: now,
            expires_at,
            revoked_at: None,
        };
        Ok((token, value))
    }

    /// The account a bearer token authenticates at `now`: `None` if unknown, revoked, expired,
    /// its account disabled, or its account without the second factor that policy requires.
    pub async fn api_token_user(&self, value: &str, now: DateTime<Utc>) -> Result<Option<User>, StoreError> {
        let sql = format!(
            "SELECT {USER_COLUMNS}, t.expires_at AS t_expires, t.revoked_at, \
             u.totp_secret AS t_totp FROM api_tokens t \
             JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1"
        );
        let Some(row) =
            sqlx::query(sqlx::AssertSqlSafe(sql)).bind(token_hash(value)).fetch_optional(&self.pool).await?
        else {
            return Ok(None);
        };
        let (user, _) = user_from_row(&row)?;
        let expires = parse_opt_ts("api_tokens", "expires_at", row.try_get("t_expires")?)?;
        let revoked: Option<String> = row.try_get("revoked_at")?;
        if user.disabled || revoked.is_some() || expires.is_some_and(|e| now >= e) {
            return Ok(None);
        }
        // While every account must log in with a second factor (B2.1 d), a token opens nothing
        // for an account that has none: the console confines it to enrolling, and so does this.
        if row.try_get::<Option<String>, _>("t_totp")?.is_none() && (user.mfa_required || self.require_mfa().await?) {
            return Ok(None);
        }
        Ok(Some(user))
    }

    /// The tokens of an account (descriptions only), newest first.
    pub async fn list_api_tokens(&self, user_id: &str) -> Result<Vec<ApiToken>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, user_id, name, created_at, expires_at, revoked_at FROM api_tokens WHERE user_id = $1 \
             ORDER BY created_at DESC, id",
        )
        .bind(user_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ApiToken {
                    id: r.try_get("id")?,
                    user_id: r.try_get("user_id")?,
                    name: r.try_get("name")?,
                    created_at: parse_ts("api_tokens", "created_at", &r.try_get::<String, _>("created_at")?)?,
                    expires_at: parse_opt_ts("api_tokens", "expires_at", r.try_get("expires_at")?)?,
                    revoked_at: parse_opt_ts("api_tokens", "revoked_at", r.try_get("revoked_at")?)?,
                })
            })
            .collect()
    }

    /// Revokes a token of the account; [`StoreError::NotFound`] if the account has no such token.
    pub async fn revoke_api_token(&self, user_id: &str, token_id: &str, now: DateTime<Utc>) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let done =
            sqlx::query("UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL")
                .bind(token_id)
                .bind(user_id)
                .bind(ts(now))
                .execute(&mut *tx)
                .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound { what: "API token", key: token_id.to_string() });
        }
        self.audit_on(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Appends an audit event at `now`, chained to the previous one; returns its sequence
    /// number. Appends are serialised by the chain's lock row, so the chain never forks; a
    /// transient failure (a busy database) is retried.
    pub async fn append_audit(&self, event: &AuditEvent, now: DateTime<Utc>) -> Result<i64, StoreError> {
        let at = ts(now);
        let mut last_err = None;
        for _ in 0..20 {
            match self.try_append_audit(event, &at).await {
                Ok(seq) => return Ok(seq),
                Err(StoreError::Backend(e)) if matches!(e, sqlx::Error::Database(_)) => {
                    last_err = Some(e);
                    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                }
                Err(e) => return Err(e),
            }
        }
        Err(last_err
            .map_or(StoreError::Invalid { what: "audit event", detail: "append failed".into() }, StoreError::Backend))
    }

    async fn try_append_audit(&self, e: &AuditEvent, at: &str) -> Result<i64, StoreError> {
        let mut tx = self.pool.begin().await?;
        let seq = insert_audit_on(&mut tx, &self.cipher, e, at).await?;
        tx.commit().await?;
        Ok(seq)
    }

    /// The newest `limit` audit records, newest first.
    pub async fn list_audit(&self, limit: i64) -> Result<Vec<AuditRecord>, StoreError> {
        let rows = sqlx::query(
            "SELECT seq, \"at\", username, role, agency, event_type, target, success, source, detail, prev_hash, hash \
             FROM audit_events ORDER BY seq DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| audit_from_row(r).map(|(rec, _)| rec)).collect()
    }

    /// Checks the whole audit chain: sequence numbers 1, 2, … without gaps (or, after a purge of
    /// old records, from the record after the purge anchor, see [`Store::purge_audit`]), each
    /// record's `prev_hash` the previous record's hash and its hash recomputed from its fields;
    /// an anchor must be named by a purge record in the chain. Returns the number of records, or
    /// [`StoreError::AuditChainBroken`] naming the first broken record.
    pub async fn verify_audit_chain(&self) -> Result<i64, StoreError> {
        let mut conn = self.pool.acquire().await?;
        let key = chain_key(&mut conn, &self.cipher).await?;
        let records = verify_chain_on(&mut conn, key).await?;
        if matches!(key, ChainKey::Sha256) {
            // Opening the database keys an intact chain (B3.3): an intact unkeyed chain is one
            // that someone set back to plain hashes — and could have rewritten entirely.
            return Err(StoreError::AuditChainBroken {
                seq: 1,
                detail: "哈希链未用数据密钥（HMAC-SM3）保护，但本数据库的审计链已改用密钥链：可能有人改写全部记录并降级了哈希方式".into(),
            });
        }
        Ok(records)
    }

    /// The newest audit record's sequence number and hash, if any: what an office notes outside
    /// the database (a signed printout, the supervising office's register) so that even a rewrite
    /// of the whole database by someone holding the data key is detected later.
    pub async fn audit_head(&self) -> Result<Option<(i64, String)>, StoreError> {
        let row = sqlx::query("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok((r.try_get::<i64, _>("seq")?, r.try_get::<String, _>("hash")?))).transpose()
    }

    /// Whether the audit chain is keyed with HMAC-SM3 under the data key (B3.3). A database
    /// whose chain was already broken when it was upgraded keeps its unkeyed chain, so that the
    /// break stays visible instead of being re-hashed away.
    pub async fn audit_chain_keyed(&self) -> Result<bool, StoreError> {
        let mut conn = self.pool.acquire().await?;
        Ok(matches!(chain_key(&mut conn, &self.cipher).await?, ChainKey::HmacSm3(_)))
    }

    /// Keys an unkeyed audit chain with HMAC-SM3 (migration 000016), once, in one transaction:
    /// every record is checked under the old scheme and re-hashed under the new, and a record
    /// says so. A chain that does not verify is left as it is (logged; `gongkai audit verify`
    /// names the break): re-hashing it would hide the change it shows. Called by
    /// [`Store::migrate`].
    pub(crate) async fn key_audit_chain(&self) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE audit_head SET id = id WHERE id = 1").execute(&mut *tx).await?;
        if !matches!(chain_key(&mut tx, &self.cipher).await?, ChainKey::Sha256) {
            return Ok(());
        }
        // Keyed once: a chain found unkeyed after that was set back by hand, and is left for
        // `verify_audit_chain` to report rather than keyed again (which would bless it).
        let keyed_before = sqlx::query("SELECT value FROM settings WHERE \"key\" = $1")
            .bind(CHAIN_KEYED_SETTING)
            .fetch_optional(&mut *tx)
            .await?
            .is_some();
        if keyed_before {
            tracing::error!("the audit chain was keyed before and is unkeyed now: left for `gongkai audit verify`");
            return Ok(());
        }
        let keyed = ChainKey::HmacSm3(&self.cipher);
        let records = match rechain_on(&mut tx, ChainKey::Sha256, keyed).await {
            Ok(n) => n,
            Err(e @ StoreError::AuditChainBroken { .. }) => {
                tracing::error!(error = %e, "the audit chain does not verify: left unkeyed until it is examined");
                return Ok(());
            }
            Err(e) => return Err(e),
        };
        sqlx::query("INSERT INTO settings (\"key\", value, changed_at, changed_by) VALUES ($1, $2, $3, $4)")
            .bind(CHAIN_KEYED_SETTING)
            .bind(SCHEME_HMAC_SM3)
            .bind(crate::codec::now_text())
            .bind("gongkai")
            .execute(&mut *tx)
            .await?;
        if records > 0 {
            let event = AuditEvent {
                username: Some("(system)".into()),
                event_type: "audit.chain_keyed".into(),
                target: Some("audit_events".into()),
                success: true,
                detail: Some(format!("已有的 {records} 条审计记录经校验后改用 HMAC-SM3 密钥哈希链")),
                ..AuditEvent::default()
            };
            insert_audit_on(&mut tx, &self.cipher, &event, &crate::codec::now_text()).await?;
        }
        tx.commit().await?;
        tracing::info!(records, "audit chain keyed with HMAC-SM3");
        Ok(())
    }
}

/// Checks the chain inside the caller's connection under `key` (see
/// [`Store::verify_audit_chain`]); returns the number of records.
async fn verify_chain_on(conn: &mut AnyConnection, key: ChainKey<'_>) -> Result<i64, StoreError> {
    let anchor = crate::retention::anchor(&mut *conn).await?;
    let rows = sqlx::query(
        "SELECT seq, \"at\", username, role, agency, event_type, target, success, source, detail, prev_hash, hash \
         FROM audit_events ORDER BY seq",
    )
    .fetch_all(&mut *conn)
    .await?;
    let (first_seq, mut prev) = match &anchor {
        Some((seq, hash)) => (seq + 1, hash.clone()),
        None => (1, AUDIT_GENESIS.to_string()),
    };
    let mut expected_seq = first_seq;
    let mut anchor_covered = anchor.is_none();
    for r in &rows {
        let (rec, prev_hash) = audit_from_row(r)?;
        if rec.seq != expected_seq {
            return Err(StoreError::AuditChainBroken {
                seq: expected_seq,
                detail: format!("第 {expected_seq} 条记录缺失（其后是第 {} 条）", rec.seq),
            });
        }
        if prev_hash != prev {
            return Err(StoreError::AuditChainBroken {
                seq: rec.seq,
                detail: format!("第 {} 条记录不接续第 {} 条（前一条的哈希值不符）", rec.seq, rec.seq - 1),
            });
        }
        if audit_hash(key, &prev, rec.seq, &rec.at, &rec.event) != rec.hash {
            return Err(StoreError::AuditChainBroken {
                seq: rec.seq,
                detail: format!("第 {} 条记录已被改动（内容与其哈希值不符）", rec.seq),
            });
        }
        if let Some((seq, hash)) = &anchor {
            anchor_covered |= rec.event.event_type == crate::retention::PURGE_EVENT
                && rec.event.detail.as_deref().is_some_and(|d| d.ends_with(&crate::retention::anchor_mark(*seq, hash)));
        }
        prev = rec.hash;
        expected_seq += 1;
    }
    if !anchor_covered {
        return Err(StoreError::AuditChainBroken {
            seq: first_seq,
            detail: format!("哈希链从第 {} 条之后开始，但没有任何清除记录指明这一起点", first_seq - 1),
        });
    }
    Ok(expected_seq - first_seq)
}

/// Re-hashes the whole chain from `from` to `to` inside the caller's transaction, after checking
/// it under `from` ([`StoreError::AuditChainBroken`] if it does not verify: a broken chain is
/// never re-hashed), and records `to`'s scheme; returns the number of records. The purge anchor
/// stays what it is: the first remaining record still follows it. Used when the chain is first
/// keyed and when the data key changes ([`Store::rotate_data_key`]).
pub(crate) async fn rechain_on(
    conn: &mut AnyConnection,
    from: ChainKey<'_>,
    to: ChainKey<'_>,
) -> Result<i64, StoreError> {
    let records = verify_chain_on(&mut *conn, from).await?;
    let rows = sqlx::query(
        "SELECT seq, \"at\", username, role, agency, event_type, target, success, source, detail, prev_hash, hash \
         FROM audit_events ORDER BY seq",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut prev = crate::retention::chain_start(&mut *conn).await?.1;
    for r in &rows {
        let (rec, _) = audit_from_row(r)?;
        let hash = audit_hash(to, &prev, rec.seq, &rec.at, &rec.event);
        sqlx::query("UPDATE audit_events SET prev_hash = $1, hash = $2 WHERE seq = $3")
            .bind(&prev)
            .bind(&hash)
            .bind(rec.seq)
            .execute(&mut *conn)
            .await?;
        prev = hash;
    }
    sqlx::query("UPDATE audit_head SET scheme = $1 WHERE id = 1").bind(to.scheme()).execute(&mut *conn).await?;
    Ok(records)
}

/// Revokes every live API token of an account at `at`, inside the caller's transaction.
async fn revoke_tokens_on(conn: &mut AnyConnection, user_id: &str, at: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL")
        .bind(user_id)
        .bind(at)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// Appends `e` at `at` after the newest record, inside the caller's transaction (a purge writes
/// its own record in the same transaction as the deletion); returns its sequence number. The
/// chain continues from the newest record, or from the purge anchor, or from the genesis hash.
pub(crate) async fn insert_audit_on(
    conn: &mut AnyConnection,
    cipher: &FieldCipher,
    e: &AuditEvent,
    at: &str,
) -> Result<i64, StoreError> {
    // The chain's lock (migration 000015): taken last in every transaction that takes other
    // locks, so it never waits on a transaction that waits on it.
    sqlx::query("UPDATE audit_head SET id = id WHERE id = 1").execute(&mut *conn).await?;
    let key = chain_key(&mut *conn, cipher).await?;
    let last =
        sqlx::query("SELECT seq, hash FROM audit_events ORDER BY seq DESC LIMIT 1").fetch_optional(&mut *conn).await?;
    let (prev_seq, prev_hash) = match last {
        Some(r) => (r.try_get::<i64, _>("seq")?, r.try_get::<String, _>("hash")?),
        None => crate::retention::chain_start(&mut *conn).await?,
    };
    let seq = prev_seq + 1;
    let hash = audit_hash(key, &prev_hash, seq, at, e);
    sqlx::query(
        "INSERT INTO audit_events (seq, \"at\", username, role, agency, event_type, target, success, source, \
         detail, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(seq)
    .bind(at)
    .bind(e.username.as_deref())
    .bind(e.role.map(Role::name))
    .bind(e.agency.as_deref())
    .bind(&e.event_type)
    .bind(e.target.as_deref())
    .bind(i64::from(e.success))
    .bind(e.source.as_deref())
    .bind(e.detail.as_deref())
    .bind(&prev_hash)
    .bind(&hash)
    .execute(&mut *conn)
    .await?;
    Ok(seq)
}

fn audit_from_row(r: &AnyRow) -> Result<(AuditRecord, String), StoreError> {
    let role: Option<String> = r.try_get("role")?;
    let role = match role {
        Some(s) => Some(Role::parse(&s).ok_or_else(|| StoreError::Corrupt {
            table: "audit_events",
            column: "role",
            detail: format!("unknown role {s:?}"),
        })?),
        None => None,
    };
    let rec = AuditRecord {
        seq: r.try_get("seq")?,
        at: r.try_get("at")?,
        event: AuditEvent {
            username: r.try_get("username")?,
            role,
            agency: r.try_get("agency")?,
            event_type: r.try_get("event_type")?,
            target: r.try_get("target")?,
            success: r.try_get::<i64, _>("success")? != 0,
            source: r.try_get("source")?,
            detail: r.try_get("detail")?,
        },
        hash: r.try_get("hash")?,
    };
    Ok((rec, r.try_get("prev_hash")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn password_policy_b2_1() {
        assert!(check_password_policy("Abcdef1!", "wang").is_ok());
        assert!(check_password_policy("abcdef12", "wang").is_err(), "2 classes");
        assert!(check_password_policy("Ab1!", "wang").is_err(), "too short");
        assert!(check_password_policy("Wang-2024x", "wang").is_err(), "contains the username");
        assert!(check_password_policy(&"Aa1!".repeat(40), "x").is_err(), "too long");
        assert!(
            check_password_policy("政府信息Ab12", "x").is_ok(),
            "CJK letters count as letters; A, b, digits make 3 classes"
        );
    }

    #[test]
    fn hash_and_verify() {
        let h = hash_password("Abcdef1!").unwrap();
        assert!(h.starts_with("$argon2id$"), "{h}");
        assert!(verify_password("Abcdef1!", &h));
        assert!(!verify_password("abcdef1!", &h));
        assert!(!verify_password("Abcdef1!", "not a hash"));
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = random_token().unwrap();
        let b = random_token().unwrap();
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
    }
}
