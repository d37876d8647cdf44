//! The one kit of gongkai's tests (dev-only: no crate depends on it outside `[dev-dependencies]`).
//!
//! - [`FreshDb`]: a new, empty database per test, on either backend — SQLite, a file in a
//!   temporary folder; PostgreSQL, `CREATE DATABASE gk_<prefix>_<random>` on the server named by
//!   `GONGKAI_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/test`), dropped
//!   afterwards, even when the test fails. An unreachable server fails the PostgreSQL tests: they
//!   never skip.
//! - [`finish`]: re-raises the panic of a test body run in its own task (so the database is
//!   dropped before the test fails).
//! - [`smtp_sink`]: a local SMTP server that takes the reminder e-mails.
//!
//! The store's stories, the web's HTTP stories and browser tests and the command line's tests
//! all use it, so a database is made and dropped one way.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

pub mod smtp_sink;

use std::path::{Path, PathBuf};
use std::time::Duration;

use sqlx::{AnyConnection, AssertSqlSafe, Connection};

/// The default PostgreSQL test server (trust auth on loopback; the machines of CI have it).
pub const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// The PostgreSQL server the tests create their databases on.
pub fn postgres_admin_url() -> String {
    // The tests' own setting: gongkai's Settings are the program's, not the test suite's.
    std::env::var("GONGKAI_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_string())
}

/// The two backends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A file in a temporary folder.
    Sqlite,
    /// A database of its own on the test server.
    Postgres,
}

/// A new, empty database and a scratch folder; a PostgreSQL database is dropped with it.
pub struct FreshDb {
    /// Its URL (`sqlite://…?mode=rwc` or `postgres://…/gk_…`).
    pub url: String,
    /// A scratch folder, removed with it (the SQLite file lives here).
    pub dir: tempfile::TempDir,
    /// (the server's URL, the database's name) of a PostgreSQL database not yet dropped.
    postgres: Option<(String, String)>,
}

impl FreshDb {
    /// A new database on `backend`; `prefix` names PostgreSQL databases (`gk_<prefix>_…`), so a
    /// leftover says which suite made it.
    pub async fn create(backend: Backend, prefix: &str) -> FreshDb {
        sqlx::any::install_default_drivers();
        let dir = tempfile::tempdir().expect("temporary directory");
        match backend {
            Backend::Sqlite => {
                // The file exists (empty, as `gongkai db migrate` would leave it before its
                // first migration): commands that only read or add refuse a missing one.
                let file = dir.path().join("gongkai.db");
                std::fs::File::create(&file).expect("empty SQLite file");
                let url = format!("sqlite://{}?mode=rwc", file.display());
                FreshDb { url, dir, postgres: None }
            }
            Backend::Postgres => {
                let admin_url = postgres_admin_url();
                let mut admin = admin(&admin_url).await;
                let name = format!("gk_{prefix}_{}", uuid::Uuid::new_v4().simple());
                sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut admin).await.unwrap_or_else(
                    |e| panic!("CREATE DATABASE {name} on {}: {e}", gongkai_store::redact_url(&admin_url)),
                );
                let _ = admin.close().await;
                let url = gongkai_store::with_database(&admin_url, &name);
                FreshDb { url, dir, postgres: Some((admin_url, name)) }
            }
        }
    }

    /// [`FreshDb::create`] from synchronous code (the CLI tests, which run `gongkai` as a process).
    pub fn create_blocking(backend: Backend, prefix: &str) -> FreshDb {
        runtime().block_on(FreshDb::create(backend, prefix))
    }

    /// The backend.
    pub fn backend(&self) -> Backend {
        if self.postgres.is_some() || self.url.starts_with("postgres") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }

    /// A path in the scratch folder.
    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// The scratch folder.
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// Drops the PostgreSQL database now (connections still open are ended) and removes the
    /// folder. A failure to drop fails the test: a leftover database is a defect of the suite.
    pub async fn drop_now(mut self) {
        if let Some((admin_url, name)) = self.postgres.take() {
            drop_database(&admin_url, &name).await;
        }
    }
}

impl Drop for FreshDb {
    /// A database not dropped with [`FreshDb::drop_now`] (a synchronous test, or a panic before
    /// it) is dropped here, on a thread of its own so that this works inside a runtime too.
    fn drop(&mut self) {
        if let Some((admin_url, name)) = self.postgres.take() {
            let _ = std::thread::spawn(move || runtime().block_on(drop_database(&admin_url, &name))).join();
        }
    }
}

async fn admin(admin_url: &str) -> AnyConnection {
    match tokio::time::timeout(Duration::from_secs(15), AnyConnection::connect(admin_url)).await {
        Ok(Ok(conn)) => conn,
        Ok(Err(e)) => panic!(
            "PostgreSQL test server {} is unreachable: {e}. The PostgreSQL tests never skip: start the \
             server (check with `pg_isready -h 127.0.0.1`) or set GONGKAI_TEST_POSTGRES_URL.",
            gongkai_store::redact_url(admin_url)
        ),
        Err(_) => panic!(
            "PostgreSQL test server {} did not answer within 15 s. The PostgreSQL tests never skip: \
             start the server or set GONGKAI_TEST_POSTGRES_URL.",
            gongkai_store::redact_url(admin_url)
        ),
    }
}

async fn drop_database(admin_url: &str, name: &str) {
    let mut admin = admin(admin_url).await;
    sqlx::query(AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
        .execute(&mut admin)
        .await
        .unwrap_or_else(|e| panic!("DROP DATABASE {name}: {e}"));
    let _ = admin.close().await;
}

/// A small runtime for the kit's synchronous calls.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime")
}

/// Re-raises the panic of a test body run with `tokio::spawn`, if it panicked.
pub fn finish(outcome: Result<(), tokio::task::JoinError>) {
    if let Err(e) = outcome {
        match e.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(e) => panic!("test task did not finish: {e}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn exists(name: &str) -> bool {
        let mut admin = admin(&postgres_admin_url()).await;
        let found = sqlx::query(AssertSqlSafe(format!("SELECT 1 FROM pg_database WHERE datname = '{name}'")))
            .fetch_optional(&mut admin)
            .await
            .expect("pg_database");
        found.is_some()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_postgres_database_is_made_and_dropped_both_ways() {
        let db = FreshDb::create(Backend::Postgres, "kit").await;
        let name = db.url.rsplit('/').next().expect("a database name").to_string();
        assert!(name.starts_with("gk_kit_") && exists(&name).await, "{name}");
        db.drop_now().await;
        assert!(!exists(&name).await, "dropped by drop_now");
        // A handle dropped without drop_now (a panicking test) drops its database too.
        let db = FreshDb::create(Backend::Postgres, "kit").await;
        let name = db.url.rsplit('/').next().expect("a database name").to_string();
        drop(db);
        assert!(!exists(&name).await, "dropped by Drop");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_sqlite_database_is_a_file_in_its_folder() {
        let db = FreshDb::create(Backend::Sqlite, "kit").await;
        assert_eq!(db.backend(), Backend::Sqlite);
        assert!(db.url.contains(&db.path("gongkai.db").display().to_string()), "{}", db.url);
        let dir = db.dir().to_path_buf();
        db.drop_now().await;
        assert!(!dir.exists(), "the folder goes with it");
    }
}
