//! The store's integration tests, written once and run on both backends.
//!
//! Every test in `stories` runs twice: `sqlite::NAME` on a fresh temporary SQLite file and
//! `postgres::NAME` on a fresh PostgreSQL database (see `harness`). The PostgreSQL half fails,
//! never skips, when the server is unreachable.

// Test code: a failed unwrap is a failed test. (clippy's allow-unwrap-in-tests only covers
// `#[test]` functions, not the shared story and harness functions.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod harness;
mod stories;

/// Instantiates each story for both backends.
macro_rules! on_both_backends {
    ($($story:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $story() {
                    crate::harness::run_sqlite(crate::stories::$story).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $story() {
                    crate::harness::run_postgres(crate::stories::$story).await;
                }
            )*
        }
    };
}

on_both_backends!(
    migrate_twice_is_a_no_op,
    a_database_newer_than_the_binary_is_refused,
    agency_tree_and_subtree,
    request_and_events_round_trip,
    duplicate_tracking_number_is_a_conflict,
    unknown_agency_or_request_is_not_found,
    concurrent_appends_get_distinct_seqs,
    bulk_insert_is_all_or_nothing,
    list_requests_by_receipt_and_open_at,
    load_year_boundaries,
    cases_round_trip,
    proactive_disclosures_round_trip,
    figures_decimal_amount_round_trips_exactly,
    narratives_publication_and_lock,
    amendments,
    unicode_text_round_trips,
    period_lock_refuses_changes_to_a_published_year,
    amendments_record_changes_to_a_locked_year,
    b2_5_personal_information_is_encrypted_at_rest,
    b2_5_values_stored_in_clear_are_encrypted_when_the_key_is_installed,
    b4_4_personal_data_past_its_retention_is_anonymised_and_the_counts_stay,
);

/// `sqlite::memory:` keeps one connection, so every call sees the same database.
#[tokio::test]
async fn in_memory_sqlite_is_one_database() {
    use gongkai_core::register::{Agency, AgencyKind};
    let store =
        gongkai_store::Store::connect("sqlite::memory:", &gongkai_store::DataKey::generate().unwrap()).await.unwrap();
    store.migrate().await.unwrap();
    let city =
        Agency {
            code: "330100".into(), name: "杭州市人民政府".into(), parent: None, kind: AgencyKind::Government
        };
    store.upsert_agency(&city).await.unwrap();
    for _ in 0..3 {
        assert_eq!(store.list_agencies().await.unwrap(), vec![city.clone()]);
    }
    assert_eq!(format!("{store:?}"), "Store { backend: Sqlite, .. }");
}

/// Anything but `sqlite:` and `postgres:` is refused before connecting, password redacted.
#[tokio::test]
async fn unsupported_url_is_refused() {
    let e = gongkai_store::Store::connect(
        "mysql://root:hunter2@127.0.0.1/gk",
        &gongkai_store::DataKey::generate().unwrap(),
    )
    .await
    .unwrap_err();
    assert!(matches!(e, gongkai_store::StoreError::UnsupportedUrl(_)), "{e:?}");
    assert!(!e.to_string().contains("hunter2"));
}
