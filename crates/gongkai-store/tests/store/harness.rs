//! A fresh, migrated database per test, on either backend, dropped afterwards.
//!
//! SQLite: a new file in a temporary directory. PostgreSQL: `CREATE DATABASE gk_test_<random>` on
//! the server named by `GONGKAI_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`), dropped at the end even when the test fails. An
//! unreachable server fails the PostgreSQL tests; they never skip.

use std::future::Future;
use std::time::Duration;

use chrono::NaiveDate;
use gongkai_core::register::{Applicant, ApplicantType, Channel, Request};
use gongkai_store::{redact_url, DataKey, Store};
use sqlx::{AnyConnection, AssertSqlSafe, Connection};

/// The default PostgreSQL test server (trust auth on loopback).
const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// What a test gets: the migrated store, and its URL for raw SQL checks.
pub struct TestDb {
    pub store: Store,
    pub url: String,
    /// The data key the store was opened with (to reopen it). Not every test binary that shares
    /// this harness reopens a store.
    #[allow(dead_code)]
    pub key: DataKey,
}

impl TestDb {
    /// A raw connection to the same database (for checking stored text, seeding odd rows).
    pub async fn raw(&self) -> AnyConnection {
        AnyConnection::connect(&self.url).await.expect("raw connection to the test database")
    }
}

/// Runs a test body on a fresh SQLite file.
pub async fn run_sqlite<F, Fut>(test: F)
where
    F: FnOnce(TestDb) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let dir = tempfile::tempdir().expect("temporary directory");
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("gongkai.db").display());
    let key = DataKey::generate().expect("data key");
    let store = Store::connect(&url, &key).await.expect("connect to the SQLite test file");
    store.migrate().await.expect("migrate the SQLite test file");
    let outcome = tokio::spawn(test(TestDb { store: store.clone(), url, key })).await;
    store.close().await;
    drop(dir);
    finish(outcome);
}

/// Runs a test body on a fresh PostgreSQL database, created for it and dropped afterwards.
pub async fn run_postgres<F, Fut>(test: F)
where
    F: FnOnce(TestDb) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    sqlx::any::install_default_drivers();
    let admin_url = std::env::var("GONGKAI_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_string());
    let mut admin = match tokio::time::timeout(Duration::from_secs(15), AnyConnection::connect(&admin_url)).await {
        Ok(Ok(conn)) => conn,
        Ok(Err(e)) => panic!(
            "PostgreSQL test server {} is unreachable: {e}. The PostgreSQL tests never skip: start the \
             server (check with `pg_isready -h 127.0.0.1`) or set GONGKAI_TEST_POSTGRES_URL.",
            redact_url(&admin_url)
        ),
        Err(_) => panic!(
            "PostgreSQL test server {} did not answer within 15 s. The PostgreSQL tests never skip: \
             start the server or set GONGKAI_TEST_POSTGRES_URL.",
            redact_url(&admin_url)
        ),
    };
    let name = format!("gk_test_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&mut admin)
        .await
        .unwrap_or_else(|e| panic!("CREATE DATABASE {name} on {}: {e}", redact_url(&admin_url)));
    let url = gongkai_store::with_database(&admin_url, &name);

    let key = DataKey::generate().expect("data key");
    let outcome = match Store::connect(&url, &key).await {
        Ok(store) => {
            let outcome = match store.migrate().await {
                Ok(()) => tokio::spawn(test(TestDb { store: store.clone(), url, key })).await,
                Err(e) => tokio::spawn(async move { panic!("migrate the PostgreSQL test database: {e:?}") }).await,
            };
            store.close().await;
            outcome
        }
        Err(e) => tokio::spawn(async move { panic!("connect to the PostgreSQL test database: {e:?}") }).await,
    };

    sqlx::query(AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
        .execute(&mut admin)
        .await
        .unwrap_or_else(|e| panic!("DROP DATABASE {name}: {e}"));
    admin.close().await.expect("close the admin connection");
    finish(outcome);
}

/// Re-raises the test body's panic, if it panicked.
fn finish(outcome: Result<(), tokio::task::JoinError>) {
    if let Err(e) = outcome {
        match e.try_into_panic() {
            Ok(panic) => std::panic::resume_unwind(panic),
            Err(e) => panic!("test task did not finish: {e}"),
        }
    }
}

/// An online request of a natural person about a land expropriation: the request the overview
/// cache's tests file (only its agency, number and receipt date matter to them).
#[allow(dead_code)]
pub fn request(agency: &str, number: &str, received: NaiveDate) -> Request {
    Request {
        agency: agency.into(),
        tracking_number: number.into(),
        channel: Channel::Online,
        received_on: received,
        applicant: Applicant {
            kind: ApplicantType::NaturalPerson,
            name: "李四".into(),
            id_document: None,
            contact: None,
        },
        content: "某地块征收补偿方案".into(),
        requested_form: None,
        delivery: None,
    }
}
