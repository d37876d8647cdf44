//! The overview cache under concurrency (issue 8): a row recomputed from registers read before a
//! concurrent write must never be written back after that write (the epoch check of
//! `supervise_cache_epochs`, under the agency's row lock — see `cache.rs`).
//!
//! - `write_between_read_and_write_back` (PostgreSQL): deterministic. The test holds a lock
//!   that stops the overview's recomputation after it has read the requests and before it writes
//!   back; a real write goes through meanwhile; the recomputed row must then be dropped, not
//!   stored. SQLite cannot be stopped there from outside (its readers never wait), so it is
//!   exercised by the next test.
//! - `reads_racing_writes` (both backends): writers and overview readers at once on a
//!   multi-threaded runtime; afterwards the cache must equal the registers.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)]
#[path = "store/harness.rs"]
mod harness;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use gongkai_core::calendar::Calendar;
use gongkai_core::register::{Agency, AgencyKind, Event, EventKind};
use gongkai_core::report::RequestRow;
use gongkai_store::Store;
use sqlx::{Connection, Row};

use harness::{request, TestDb};

const CITY: &str = "3301";
const COUNTY: &str = "330101";
const DEPT: &str = "330101-zrzy";
const OTHER: &str = "330102";
const AGENCIES: [&str; 4] = [CITY, COUNTY, DEPT, OTHER];
const YEAR: i32 = 2025;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn today() -> NaiveDate {
    d("2026-04-20")
}

fn reply(on: NaiveDate) -> Event {
    Event { on, by: "王五".into(), kind: EventKind::Reply { outcome: RequestRow::Granted, document: None } }
}

async fn seed_tree(store: &Store) {
    for (code, name, parent, kind) in [
        (CITY, "杭州市人民政府", None, AgencyKind::Government),
        (COUNTY, "甲县人民政府", Some(CITY), AgencyKind::Government),
        (DEPT, "甲县自然资源局", Some(COUNTY), AgencyKind::Department),
        (OTHER, "乙县人民政府", Some(CITY), AgencyKind::Government),
    ] {
        let a = Agency { code: code.into(), name: name.into(), parent: parent.map(Into::into), kind };
        store.upsert_agency(&a).await.unwrap();
    }
}

/// How many requests the overview of `root` says `agency` received in the year.
fn received(o: &gongkai_store::Overview, agency: &str) -> i64 {
    o.agencies.iter().find(|a| a.code == agency).map(|a| a.requests.received).unwrap()
}

/// The cached and the uncached overview of every subtree, serialised, are equal, and
/// `verify_supervise_cache` finds no stale row.
async fn assert_cache_is_the_registers(store: &Store, cal: &Calendar, when: &str) {
    for root in [CITY, COUNTY, DEPT, OTHER] {
        let reference =
            serde_json::to_string(&store.supervise_uncached(root, YEAR, today(), cal).await.unwrap()).unwrap();
        let cached = serde_json::to_string(&store.supervise(root, YEAR, today(), cal).await.unwrap()).unwrap();
        assert!(cached == reference, "{when}: the cached overview of {root} differs:\n{cached}\n{reference}");
    }
    assert_eq!(store.verify_supervise_cache(None, YEAR, cal).await.unwrap(), Vec::<String>::new(), "{when}");
}

/// A write lands between the overview's reading of the registers and its write-back.
async fn write_between_read_and_write_back(db: TestDb) {
    let store = db.store.clone();
    let cal = Calendar::official();
    seed_tree(&store).await;
    let first = store.insert_request(&request(DEPT, "R-1", d("2025-03-03"))).await.unwrap();
    store.append_event(&first, &reply(d("2025-03-20"))).await.unwrap();
    // No cached row of the department's year yet (the writes dropped any): the next overview
    // recomputes it from the registers and writes it back.
    let mut raw = db.raw().await;
    let cached_rows = "SELECT COUNT(*) AS n FROM supervise_cache WHERE agency = $1 AND year = $2";
    let n: i64 = sqlx::query(cached_rows).bind(DEPT).bind(i64::from(YEAR)).fetch_one(&mut raw).await.unwrap().get("n");
    assert_eq!(n, 0);

    // Stop the recomputation after it has read the requests: the narratives are read after them
    // (and no request write touches them).
    let mut locker = db.raw().await;
    let mut tx = locker.begin().await.unwrap();
    sqlx::query("LOCK TABLE report_narratives IN ACCESS EXCLUSIVE MODE").execute(&mut *tx).await.unwrap();

    let reader = {
        let store = store.clone();
        let cal = cal.clone();
        tokio::spawn(async move { store.supervise(COUNTY, YEAR, today(), &cal).await })
    };
    // Until the reader waits for the lock (it has read the epochs and the requests by then).
    let waiting = "SELECT COUNT(*) AS n FROM pg_stat_activity WHERE datname = current_database() \
                   AND wait_event_type = 'Lock' AND query LIKE '%report_narratives%'";
    let mut waited = 0;
    loop {
        let n: i64 = sqlx::query(waiting).fetch_one(&mut raw).await.unwrap().get("n");
        if n > 0 {
            break;
        }
        assert!(waited < 3000, "the overview never reached the narratives");
        waited += 1;
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(!reader.is_finished());

    // A real write of the department's year, committed while the reader holds its old figures.
    let second =
        tokio::time::timeout(Duration::from_secs(30), store.insert_request(&request(DEPT, "R-2", d("2025-05-06"))))
            .await
            .expect("the write is not held up by the reader")
            .unwrap();
    store.append_event(&second, &reply(d("2025-05-20"))).await.unwrap();

    tx.rollback().await.unwrap();
    let seen = reader.await.unwrap().unwrap();
    // The reader answered from what it read (before the write) …
    assert_eq!(received(&seen, DEPT), 1);
    // … but did not store it: the epoch moved under it.
    let n: i64 = sqlx::query(cached_rows).bind(DEPT).bind(i64::from(YEAR)).fetch_one(&mut raw).await.unwrap().get("n");
    assert_eq!(n, 0, "a row computed before the write was written back after it");
    // The rows of the agencies the write did not touch were written back.
    let n: i64 =
        sqlx::query(cached_rows).bind(COUNTY).bind(i64::from(YEAR)).fetch_one(&mut raw).await.unwrap().get("n");
    assert_eq!(n, 1, "the county's own row is written back");

    let now = store.supervise(COUNTY, YEAR, today(), &cal).await.unwrap();
    assert_eq!(received(&now, DEPT), 2);
    assert_cache_is_the_registers(&store, &cal, "after the race").await;
}

/// Writers and overview readers at once; afterwards the cache is the registers.
async fn reads_racing_writes(db: TestDb) {
    let store = db.store.clone();
    let cal = Calendar::official();
    seed_tree(&store).await;
    let done = Arc::new(AtomicBool::new(false));
    let mut readers = Vec::new();
    for root in [CITY, COUNTY] {
        let (store, cal, done) = (store.clone(), cal.clone(), done.clone());
        readers.push(tokio::spawn(async move {
            let mut reads = 0u32;
            while !done.load(Ordering::Relaxed) || reads == 0 {
                store.supervise(root, YEAR, today(), &cal).await.unwrap();
                reads += 1;
            }
            reads
        }));
    }
    let mut writers = Vec::new();
    for w in 0..2usize {
        let store = store.clone();
        writers.push(tokio::spawn(async move {
            for i in 0..24usize {
                let agency = AGENCIES[(i + w) % AGENCIES.len()];
                let received = NaiveDate::from_ymd_opt(YEAR, 1 + (i % 12) as u32, 3).unwrap();
                let id = store.insert_request(&request(agency, &format!("W{w}-{i}"), received)).await.unwrap();
                if i % 3 != 0 {
                    store.append_event(&id, &reply(received + chrono::Days::new(5 + i as u64))).await.unwrap();
                }
                tokio::task::yield_now().await;
            }
        }));
    }
    for w in writers {
        w.await.unwrap();
    }
    done.store(true, Ordering::Relaxed);
    let mut reads = 0;
    for r in readers {
        reads += r.await.unwrap();
    }
    assert!(reads >= 2);
    let o = store.supervise(CITY, YEAR, today(), &cal).await.unwrap();
    assert_eq!(o.totals.received, 48, "every write is counted");
    assert_cache_is_the_registers(&store, &cal, &format!("after 48 writes raced by {reads} reads")).await;
}

mod sqlite {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn reads_racing_writes() {
        crate::harness::run_sqlite(crate::reads_racing_writes).await;
    }
}

mod postgres {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn reads_racing_writes() {
        crate::harness::run_postgres(crate::reads_racing_writes).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn write_between_read_and_write_back() {
        crate::harness::run_postgres(crate::write_between_read_and_write_back).await;
    }
}
