//! A fresh, migrated database per test, on either backend, dropped afterwards: the store's use of
//! the one test kit (`gongkai_testkit::FreshDb`).

use std::future::Future;

use chrono::NaiveDate;
use gongkai_core::register::{Applicant, ApplicantType, Channel, Request};
use gongkai_store::{DataKey, Store};
use gongkai_testkit::{finish, Backend, FreshDb};
use sqlx::{AnyConnection, Connection};

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
    run(Backend::Sqlite, test).await;
}

/// Runs a test body on a fresh PostgreSQL database, created for it and dropped afterwards.
pub async fn run_postgres<F, Fut>(test: F)
where
    F: FnOnce(TestDb) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    run(Backend::Postgres, test).await;
}

/// The kit's fresh database, migrated; the body runs in its own task, so the database is
/// dropped before a failing test re-raises its panic.
async fn run<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(TestDb) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let db = FreshDb::create(backend, "store").await;
    let key = DataKey::generate().expect("data key");
    let store = Store::connect(&db.url, &key).await.unwrap_or_else(|e| panic!("connect to {backend:?}: {e:?}"));
    let outcome = match store.migrate().await {
        Ok(()) => tokio::spawn(test(TestDb { store: store.clone(), url: db.url.clone(), key })).await,
        Err(e) => tokio::spawn(async move { panic!("migrate the {backend:?} test database: {e:?}") }).await,
    };
    store.close().await;
    db.drop_now().await;
    finish(outcome);
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
            id_document_type: None,
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
