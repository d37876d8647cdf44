//! What the overview cache's invalidation adds to a register write (issue 8): one event appended
//! to a request (`Store::append_event`: the period lock, the event, `finished_on`, and the
//! invalidation — dropping the agency's cached rows of the years the request spans and bumping
//! its epoch), and the invalidation's two statements alone, timed inside a transaction. Before
//! every timed write the agency's rows of three years are computed again, so that each write
//! really has rows to drop. SQLite (a temporary file) and PostgreSQL (a database created for the
//! run on `GONGKAI_TEST_POSTGRES_URL`, default `postgres://postgres@127.0.0.1:5432/test`).
//!
//! `cargo bench -p gongkai-store --bench writes`

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, Criterion};
use gongkai_core::calendar::Calendar;
use gongkai_core::register::{Agency, AgencyKind, Applicant, ApplicantType, Channel, Event, EventKind, Request};
use gongkai_store::{DataKey, RequestId, Store};
use sqlx::{AnyConnection, Connection};

const AGENCIES: usize = 50;
const YEARS: [i32; 3] = [2023, 2024, 2025];

struct Fixture {
    store: Store,
    url: String,
    requests: Vec<(String, RequestId)>,
}

async fn fixture(url: &str, key: &DataKey) -> Result<Fixture, Box<dyn std::error::Error>> {
    let store = Store::connect(url, key).await?;
    store.migrate().await?;
    let root =
        Agency { code: "B".into(), name: "示范县人民政府".into(), parent: None, kind: AgencyKind::Government };
    store.upsert_agency(&root).await?;
    let mut requests = Vec::new();
    for i in 0..AGENCIES {
        let code = format!("B-{i:03}");
        let a = Agency {
            code: code.clone(),
            name: format!("第{i}局"),
            parent: Some("B".into()),
            kind: AgencyKind::Department,
        };
        store.upsert_agency(&a).await?;
        let received = NaiveDate::from_ymd_opt(2024, 12, 2).ok_or("date")?;
        let r = Request {
            agency: code.clone(),
            tracking_number: format!("W-{i}"),
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
        };
        requests.push((code, store.insert_request(&r).await?));
    }
    Ok(Fixture { store, url: url.to_string(), requests })
}

/// The agency's cached rows of every year, computed again (not timed).
async fn refill(f: &Fixture, agency: &str, cal: &Calendar) {
    for y in YEARS {
        if let Err(e) = f.store.refresh_supervise_cache(Some(agency), y, cal, true).await {
            eprintln!("refresh {agency} {y}: {e}");
        }
    }
}

fn run(c: &mut Criterion, name: &str, rt: &tokio::runtime::Runtime, f: &Fixture) {
    let cal = Calendar::official();
    let extension = Event {
        on: NaiveDate::from_ymd_opt(2024, 12, 20).unwrap_or_default(),
        by: "王五".into(),
        kind: EventKind::Extension { approver: "赵六".into(), reason: "需要调查核实".into() },
    };
    let mut g = c.benchmark_group(format!("register write ({name})"));
    g.sample_size(30);
    g.bench_function("append_event, with the invalidation", |b| {
        let mut k = 0usize;
        b.iter_custom(|iters| {
            rt.block_on(async {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let (agency, id) = &f.requests[k % f.requests.len()];
                    k += 1;
                    refill(f, agency, &cal).await;
                    let start = Instant::now();
                    if let Err(e) = f.store.append_event(id, &extension).await {
                        eprintln!("append_event: {e}");
                    }
                    total += start.elapsed();
                }
                total
            })
        })
    });
    g.bench_function("the invalidation's two statements alone", |b| {
        let mut k = 0usize;
        b.iter_custom(|iters| {
            rt.block_on(async {
                let Ok(mut conn) = AnyConnection::connect(&f.url).await else { return Duration::ZERO };
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let (agency, _) = &f.requests[k % f.requests.len()];
                    k += 1;
                    refill(f, agency, &cal).await;
                    let Ok(mut tx) = conn.begin().await else { continue };
                    let start = Instant::now();
                    let _ = sqlx::query("DELETE FROM supervise_cache WHERE agency = $1 AND year >= $2 AND year <= $3")
                        .bind(agency.as_str())
                        .bind(2024i64)
                        .bind(i64::from(i32::MAX))
                        .execute(&mut *tx)
                        .await;
                    let _ = sqlx::query(
                        "INSERT INTO supervise_cache_epochs (agency, epoch) VALUES ($1, 1) \
                         ON CONFLICT (agency) DO UPDATE SET epoch = supervise_cache_epochs.epoch + 1",
                    )
                    .bind(agency.as_str())
                    .execute(&mut *tx)
                    .await;
                    total += start.elapsed();
                    let _ = tx.commit().await;
                }
                total
            })
        })
    });
    g.finish();
}

fn writes(c: &mut Criterion) {
    sqlx::any::install_default_drivers();
    let Ok(rt) = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build() else { return };
    let Ok(key) = DataKey::generate() else { return };
    let Ok(dir) = tempfile::tempdir() else { return };
    let sqlite = format!("sqlite://{}?mode=rwc", dir.path().join("bench.db").display());
    match rt.block_on(fixture(&sqlite, &key)) {
        Ok(f) => run(c, "SQLite", &rt, &f),
        Err(e) => eprintln!("SQLite fixture: {e}"),
    }
    let admin = std::env::var("GONGKAI_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string());
    let name = "gk_bench_writes";
    let setup = async {
        let mut conn = AnyConnection::connect(&admin).await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
            .execute(&mut conn)
            .await?;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await?;
        Ok::<_, sqlx::Error>(conn)
    };
    match rt.block_on(setup) {
        Ok(mut conn) => {
            let url = gongkai_store::with_database(&admin, name);
            match rt.block_on(fixture(&url, &key)) {
                Ok(f) => {
                    run(c, "PostgreSQL", &rt, &f);
                    rt.block_on(f.store.close());
                }
                Err(e) => eprintln!("PostgreSQL fixture: {e}"),
            }
            let drop = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")));
            let _ = rt.block_on(drop.execute(&mut conn));
        }
        Err(e) => eprintln!("PostgreSQL {}: {e}", gongkai_store::redact_url(&admin)),
    }
}

criterion_group!(benches, writes);
criterion_main!(benches);
