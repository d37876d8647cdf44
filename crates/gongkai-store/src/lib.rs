//! gongkai-store: the registers (台账) in SQLite or PostgreSQL.
//!
//! [`Store`] persists the register types of [`gongkai_core::register`]: agencies, disclosure
//! requests and their events, review and litigation cases, proactive disclosures, Article 20
//! figures, plus the report's narratives, publication and period lock, amendments and calendar
//! data. [`Store::load_year`] reads everything the annual report of one year needs.
//!
//! # One code path, two backends
//!
//! The backend is chosen at runtime by the URL ([`Backend::from_url`]): `sqlite://PATH?mode=rwc`
//! (the default, [`default_sqlite_url`]) or `postgres://USER@HOST:PORT/DB`. Every query goes
//! through sqlx's `Any` driver with `$N` placeholders and portable SQL, so there is one
//! implementation and no `match backend` in the queries. SQLite connections get
//! `foreign_keys = ON`, `busy_timeout = 5000` and the WAL journal; `sqlite::memory:` gets a single
//! connection (each connection would otherwise see its own empty database).
//!
//! **Invariant:** only this crate knows SQL. Callers see core types, [`RequestId`] and
//! [`StoreError`]; no sqlx type appears in the public API except inside [`StoreError`]'s sources.
//!
//! # Schema and migrations
//!
//! One **portable** migration set in `migrations/`, embedded with `sqlx::migrate!` and applied by
//! [`Store::migrate`]; the same files run on both backends. That works because the schema uses
//! only `TEXT` and `BIGINT` columns (the `Any` driver decodes nothing else portably: a SQLite
//! `BOOLEAN` or `DATE` column cannot even be read through it):
//! - dates are ISO `YYYY-MM-DD` text, which compares correctly as text; timestamps RFC 3339 UTC;
//! - amounts are normalised decimal text (`"35.62"`), never floating point;
//! - `EventKind` payloads and lists are JSON text; the period lock is a `BIGINT` 0/1;
//! - ids are application-generated text (UUID v7), so there is no AUTOINCREMENT/IDENTITY split;
//! - glossary names that are SQL keywords (`"on"`, `"by"`, `"type"`, `"group"`, `"at"`) are quoted.
//!
//! Table and column names are the glossary's. Applicant data (personal information) lives only in
//! the `requests.applicant_*` columns; the identity document number and the contact details are
//! stored SM4-encrypted, with an HMAC-SM3 blind index for lookups (the `crypto` module; B2.5,
//! B3.3), under the [`DataKey`] the store is opened with. Personal information is never logged
//! nor put in an error message. A database migrated by a newer binary (an applied
//! migration this binary does not know) is refused by [`Store::migrate`]. If the DDL ever cannot
//! stay portable, split into `migrations/sqlite` and `migrations/postgres`, pick the set by
//! [`Store::backend`] in `migrate`, and add a test that both produce the same tables and columns.
//!
//! # Partitioning for a province (not implemented)
//!
//! A province-wide PostgreSQL database can partition the big tables without changing the queries,
//! which all filter by agency (and by date) first. It would be a PostgreSQL-only migration:
//! `requests` becomes `PARTITION BY LIST (agency)` (or `RANGE (received_on)` by year, with
//! sub-partitions per agency group); PostgreSQL needs the partition key in every unique key, so the
//! primary key becomes `(agency, id)` (`UNIQUE (agency, tracking_number)` already qualifies);
//! `request_events` gains an `agency` column, is partitioned the same way, and references
//! `requests (agency, id)`; `cases` and `proactive_disclosures` already have the agency in their
//! keys. That is the point where migrations split per backend (see above); SQLite stays as is.
//!
//! # Lifecycle and validation
//!
//! The store persists; it does not judge. Event order and transitions are validated by the caller
//! (the core's lifecycle); due dates and statuses are never stored, they are derived from events.
//! Two derived things are stored, both kept in the writing transaction and rebuildable: the
//! overview cache (`cache` module, `supervise_cache`) and `requests.finished_on`, the date of a
//! request's earliest reply or withdrawal (an index for "open on day D").
//!
//! The period lock is the exception: it is stored *and enforced* here. A write that changes a
//! record feeding a published, locked year's report is refused with [`StoreError::Locked`]
//! unless made through [`Store::amending`], which records the [`Amendment`] (reason, who, which
//! record) in the same transaction. Which years a write reaches: see the `lock` module
//! ([`Amending`]).

#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod agencies;
mod attachments;
mod auth;
mod backup;
mod batch;
mod cache;
mod codec;
mod crypto;
mod documents;
mod error;
mod lock;
mod personal_data;
mod portal;
mod published;
mod registers;
mod reports;
mod requests;
mod retention;
mod stats;
mod supervise;
mod url;
mod year;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Row};

pub use agencies::Deactivation;
pub use attachments::{AttachmentWrite, StoredAttachment};
pub use auth::{
    check_password_policy, hash_password, hash_password_blocking, random_token, token_hash, verify_password,
    verify_password_blocking, ApiToken, AuditEvent, AuditNote, AuditRecord, NewSession, Role, Session, User,
    LOCK_DURATION, MAX_FAILED_LOGINS, PASSWORD_MAX_AGE, PASSWORD_MAX_CHARS, SESSION_ABSOLUTE, SESSION_IDLE,
};
pub use batch::{LockedEntry, RegisterBatch};
pub use crypto::{DataKey, DataKeyError, Field, FieldCipher, CIPHERTEXT_PREFIX};
pub use documents::{DocumentWrite, StoredDocument};
pub use error::StoreError;
pub use gongkai_core::supervise::{
    default_year, AgencyOverview, OpenRequest, Overview, ReportFigures, ReportStatus, ReportsOverview, RequestFigures,
    TrendPoint,
};
pub use lock::{Amend, Amending};
pub use personal_data::{ANONYMISED_NAME, MAX_PERSONAL_DATA_RETENTION_YEARS, MIN_PERSONAL_DATA_RETENTION_YEARS};
pub use portal::{ConfidentialityReview, DisclosureGuide, GuideVersion, ProactiveDetails, RequestAccess, ReviewResult};
pub use published::{NewPublishedReport, PublishedReport, ReportSource, Withdrawal, WITHDRAW_REASON_MAX_CHARS};
pub use reports::{Amendment, Publication};
pub use requests::{Appended, EventWrite, RequestFilter, RequestId};
pub use retention::{PurgeOutcome, MAX_LOG_RETENTION_DAYS, MIN_LOG_RETENTION_DAYS};
pub use stats::ReceivedCount;
pub use supervise::CacheRefresh;
pub use url::{default_sqlite_url, redact_url, sqlite_file_path, with_database, Backend};
pub use year::YearRegisters;

/// The embedded migrations (one portable set for both backends).
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// The registers of one deployment, in SQLite or PostgreSQL. Cheap to clone (a pool handle).
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// The working keys of the personal-information columns (from the deployment's [`DataKey`]).
    cipher: Arc<crypto::FieldCipher>,
    /// The audit record that each change made through this handle writes in the change's own
    /// transaction ([`Store::audited`]); `None` on the plain store.
    audit: Option<Arc<(AuditEvent, String)>>,
    /// The URL the store was opened with, for `pg_dump` and `psql` ([`Store::backup`]); never
    /// printed, it may hold a password.
    url: Arc<str>,
}

/// How long the first connection to PostgreSQL may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

impl fmt::Debug for Store {
    // No URL here: it may hold a password.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store").field("backend", &self.backend).finish_non_exhaustive()
    }
}

impl Store {
    /// Opens a pool on `sqlite://PATH?mode=rwc` (`mode=rwc` creates the file) or
    /// `postgres://…`, with the data key that encrypts personal information. Does not migrate;
    /// call [`Store::migrate`], which also checks that the key is the database's.
    #[tracing::instrument(skip_all, fields(url = %redact_url(url)))]
    pub async fn connect(url: &str, key: &DataKey) -> Result<Store, StoreError> {
        sqlx::any::install_default_drivers();
        let backend = Backend::from_url(url)?;
        let options = match backend {
            Backend::Sqlite if url::is_sqlite_memory(url) => AnyPoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .after_connect(|conn, _| Box::pin(async move { sqlite_pragmas(conn, false).await })),
            Backend::Sqlite => AnyPoolOptions::new()
                .max_connections(4)
                .after_connect(|conn, _| Box::pin(async move { sqlite_pragmas(conn, true).await })),
            Backend::Postgres => AnyPoolOptions::new().max_connections(8),
        };
        let connecting = options.acquire_timeout(Duration::from_secs(30)).connect(url);
        let pool = match backend {
            // A server that is down or unreachable is said so within seconds, naming it, rather
            // than after the pool's 30 s with 「pool timed out」.
            Backend::Postgres => match tokio::time::timeout(CONNECT_TIMEOUT, connecting).await {
                Ok(Ok(pool)) => pool,
                Ok(Err(sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut)) | Err(_) => {
                    let (server, database) = url::postgres_target(url);
                    return Err(StoreError::Unreachable { server, database, seconds: CONNECT_TIMEOUT.as_secs() });
                }
                Ok(Err(e)) => return Err(e.into()),
            },
            Backend::Sqlite => connecting.await?,
        };
        tracing::info!(backend = backend.name(), "database connected");
        Ok(Store { pool, backend, cipher: Arc::new(crypto::FieldCipher::new(key)), audit: None, url: Arc::from(url) })
    }

    /// Applies the embedded migrations that are not applied yet; a no-op when up to date.
    /// Fails if the database has a migration this binary does not know (a newer gongkai).
    #[tracing::instrument(skip_all, fields(backend = self.backend.name()))]
    ///
    /// Then the data key: a database that has none yet records the key's check value and has any
    /// personal information written before encryption existed encrypted, in one transaction; a
    /// database encrypted under another key is refused with [`StoreError::DataKeyMismatch`]
    /// before anything is read or written. Last, an audit chain still hashed without a key is
    /// keyed with HMAC-SM3 (B3.3, once).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        MIGRATOR.run(&self.pool).await?;
        tracing::info!(version = ?MIGRATOR.iter().map(|m| m.version).max(), "schema up to date");
        self.install_data_key().await?;
        self.key_audit_chain().await
    }

    /// The newest applied migration version, or `None` on a database never migrated.
    pub async fn schema_version(&self) -> Result<Option<i64>, StoreError> {
        let exists: i64 = match self.backend {
            Backend::Sqlite => sqlx::query(
                "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations'",
            ),
            Backend::Postgres => sqlx::query(
                "SELECT COUNT(*) AS n FROM information_schema.tables \
                 WHERE table_schema = current_schema() AND table_name = '_sqlx_migrations'",
            ),
        }
        .fetch_one(&self.pool)
        .await?
        .try_get("n")?;
        if exists == 0 {
            return Ok(None);
        }
        let row: AnyRow = sqlx::query("SELECT MAX(version) AS v FROM _sqlx_migrations WHERE success = TRUE")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<Option<i64>, _>("v")?)
    }

    /// The latest migration version this binary carries.
    pub fn latest_schema_version() -> Option<i64> {
        MIGRATOR.iter().map(|m| m.version).max()
    }

    /// This store, writing `event` (dated `at`) into the audit trail in the same transaction as
    /// each change it then makes (issue 21 item 2): a register change and its audit record are
    /// stored together or not at all — a crash or a failed audit insert never leaves a change
    /// without its record. Meant for the one change of a use case; a refused change writes
    /// nothing, and the use case records the refusal itself. (Registering a request, recording
    /// its events and publishing a year take their note as an argument instead, because they
    /// check the request or the year inside the same transaction.)
    pub fn audited(&self, event: AuditEvent, at: chrono::DateTime<chrono::Utc>) -> Store {
        Store { audit: Some(Arc::new((event, auth::ts(at)))), ..self.clone() }
    }

    /// Writes the audit record of an [`Store::audited`] handle inside the change's transaction;
    /// nothing on the plain store.
    pub(crate) async fn audit_on(&self, conn: &mut sqlx::AnyConnection) -> Result<(), StoreError> {
        if let Some(note) = &self.audit {
            auth::insert_audit_on(conn, &self.cipher, &note.0, &note.1).await?;
        }
        Ok(())
    }

    /// [`Store::audit_on`] for a change whose record is named only once it exists (a new
    /// token's id): the handle's event without a target is recorded with `target`.
    pub(crate) async fn audit_on_target(&self, conn: &mut sqlx::AnyConnection, target: &str) -> Result<(), StoreError> {
        if let Some(note) = &self.audit {
            let mut event = note.0.clone();
            event.target.get_or_insert_with(|| target.to_string());
            auth::insert_audit_on(conn, &self.cipher, &event, &note.1).await?;
        }
        Ok(())
    }

    /// Which backend this store is on.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Closes every connection (waits for those in use).
    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Per-connection SQLite settings: enforce foreign keys, wait up to 5 s for a lock, and use the
/// WAL journal for files (readers do not block the writer), with `synchronous = FULL`: a
/// register's acknowledged write must survive a power cut, not only a crash of the process
/// (issue 21 item 9; NORMAL in WAL mode may lose the last commits to a power cut). The cost is
/// measured in BENCHMARKS.md.
async fn sqlite_pragmas(conn: &mut sqlx::AnyConnection, wal: bool) -> Result<(), sqlx::Error> {
    sqlx::query("PRAGMA foreign_keys = ON").execute(&mut *conn).await?;
    sqlx::query("PRAGMA busy_timeout = 5000").execute(&mut *conn).await?;
    if wal {
        sqlx::query("PRAGMA journal_mode = WAL").execute(&mut *conn).await?;
        // Stated, not left to the default: WAL connections are often set to NORMAL elsewhere.
        sqlx::query("PRAGMA synchronous = FULL").execute(&mut *conn).await?;
    }
    // A county's registers fit in memory: a 64 MiB page cache and memory-mapped reads avoid a
    // system call per page when a year's report is generated (BENCHMARKS.md).
    sqlx::query("PRAGMA cache_size = -65536").execute(&mut *conn).await?;
    sqlx::query("PRAGMA mmap_size = 268435456").execute(&mut *conn).await?;
    Ok(())
}
