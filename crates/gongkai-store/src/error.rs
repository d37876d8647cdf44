//! The one error type of the store.

use sqlx::error::ErrorKind;

/// Why a store operation failed.
///
/// Messages name the agency and the record's key, never applicant data (personal information).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The URL is neither `sqlite:` nor `postgres:` / `postgresql:`. Holds the redacted URL.
    #[error("不支持的数据库地址 {0}：应为 sqlite://文件路径?mode=rwc 或 postgres://用户@主机:端口/数据库")]
    UnsupportedUrl(String),
    /// PostgreSQL did not answer within a few seconds (or refused the connection): the server
    /// and the database are named, so that whoever starts gongkai knows what to check.
    #[error(
        "{seconds} 秒内未能连接到 PostgreSQL 服务器 {server} 上的数据库「{database}」：请确认数据库服务已启动、主机和端口正确、允许从本机连接"
    )]
    Unreachable {
        /// `host:port` (port 5432 when the URL gives none).
        server: String,
        /// The database's name.
        database: String,
        /// How long gongkai waited.
        seconds: u64,
    },
    /// A record the operation needs does not exist.
    #[error("未找到{}「{key}」", label(what))]
    NotFound {
        /// What kind of record (`agency`, `request`, …).
        what: &'static str,
        /// Its key.
        key: String,
    },
    /// A record with the same key already exists in the agency.
    #[error("机关 {agency} 已登记{}「{key}」，不能重复登记", label(what))]
    Conflict {
        /// What kind of record (`request`, `case`, `proactive disclosure`).
        what: &'static str,
        /// The agency's code.
        agency: String,
        /// The duplicate key (tracking number, case number, index number).
        key: String,
    },
    /// The record changed between the caller's reading and its write (another clerk's
    /// submission, a second click): nothing was written; read again and decide again.
    #[error(
        "{}「{key}」刚刚有了新的办理记录（可能是他人同时提交），本次操作未保存；请刷新后核对，再决定是否办理",
        label(what)
    )]
    Changed {
        /// What kind of record (`request`, `publication`).
        what: &'static str,
        /// Its key (the tracking number).
        key: String,
    },
    /// The caller asked for something the registers cannot hold (e.g. an agency tree cycle).
    #[error("{detail}")]
    Invalid {
        /// What was invalid.
        what: &'static str,
        /// Why.
        detail: String,
    },
    /// The write changes a record that feeds a published, locked year's report (period lock)
    /// and was not made as an amendment ([`crate::Store::amending`]).
    #[error("机关 {agency} 的 {year} 年度报告已发布，该年度数据已锁定：修改须作为更正登记并说明理由")]
    Locked {
        /// The agency's code.
        agency: String,
        /// The earliest locked year the write reaches.
        year: i32,
    },
    /// The audit trail's hash chain does not verify (B3.3): a record was altered, removed or
    /// inserted. `seq` is the first record where the chain breaks.
    #[error("审计记录哈希链在第 {seq} 条处断开：{detail}")]
    AuditChainBroken {
        /// The first broken record's sequence number.
        seq: i64,
        /// What is wrong there, in Chinese.
        detail: String,
    },
    /// A stored value cannot be read back as the register type (edited by hand, or written by a
    /// newer version).
    #[error("corrupt value in {table}.{column}: {detail}")]
    Corrupt {
        /// The table.
        table: &'static str,
        /// The column.
        column: &'static str,
        /// What is wrong (never the value of a personal-information column).
        detail: String,
    },
    /// The database's personal information was encrypted under another data key than the one it
    /// was opened with (a wrong or missing key file): nothing is read or written.
    #[error(
        "数据密钥与此数据库不符：数据库中的个人信息是用另一把数据密钥加密的，请使用原来的密钥文件或 GONGKAI_DATA_KEY"
    )]
    DataKeyMismatch,
    /// Applying the embedded migrations failed (including a database newer than this binary).
    #[error("数据库结构更新失败")]
    Migrate(#[source] sqlx::migrate::MigrateError),
    /// The database failed.
    #[error("数据库出错")]
    Backend(#[source] sqlx::Error),
}

/// The Chinese name of a record kind, for messages (the `what` of [`StoreError`] is the
/// glossary's key, which users never see).
fn label(what: &str) -> &str {
    match what {
        "agency" => "机关",
        "request" => "政府信息公开申请",
        "case" => "行政复议或行政诉讼案件",
        "proactive disclosure" => "主动公开信息",
        "published report" => "已发布的年度报告",
        "publication" => "年度报告",
        "user" => "账号",
        "API token" => "访问令牌",
        "document" => "文书",
        "attachment" => "附件",
        _ => "记录",
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        StoreError::Backend(e)
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        StoreError::Migrate(e)
    }
}

/// The constraint kind of a database error, if it is a constraint violation.
pub(crate) fn violation(e: &sqlx::Error) -> Option<ErrorKind> {
    match e {
        sqlx::Error::Database(db) => match db.kind() {
            k @ (ErrorKind::UniqueViolation | ErrorKind::ForeignKeyViolation) => Some(k),
            _ => None,
        },
        _ => None,
    }
}

/// Maps a unique violation to [`StoreError::Conflict`] and a foreign-key violation to
/// [`StoreError::NotFound`] of the agency; anything else stays a backend error.
pub(crate) fn on_insert(e: sqlx::Error, what: &'static str, agency: &str, key: &str) -> StoreError {
    match violation(&e) {
        Some(ErrorKind::UniqueViolation) => {
            StoreError::Conflict { what, agency: agency.to_string(), key: key.to_string() }
        }
        Some(ErrorKind::ForeignKeyViolation) => StoreError::NotFound { what: "agency", key: agency.to_string() },
        _ => StoreError::Backend(e),
    }
}

/// Maps a foreign-key violation to [`StoreError::NotFound`] of the agency (for upserts keyed by
/// agency); anything else stays a backend error.
pub(crate) fn on_write(e: sqlx::Error, agency: &str) -> StoreError {
    match violation(&e) {
        Some(ErrorKind::ForeignKeyViolation) => StoreError::NotFound { what: "agency", key: agency.to_string() },
        _ => StoreError::Backend(e),
    }
}
