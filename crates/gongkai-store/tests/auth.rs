//! Accounts, sessions, API tokens and the audit trail (portal-and-security.md §B), on both
//! backends: every story runs as `sqlite::NAME` and `postgres::NAME` (see `store/harness.rs`).

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "store/harness.rs"]
mod harness;

use chrono::{DateTime, Duration, TimeZone, Utc};
use gongkai_core::register::{Agency, AgencyKind};
use gongkai_store::{AuditEvent, Role, Store, StoreError};
use harness::TestDb;
use sqlx::Row;

macro_rules! on_both_backends {
    ($($story:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $story() {
                    crate::harness::run_sqlite(crate::$story).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $story() {
                    crate::harness::run_postgres(crate::$story).await;
                }
            )*
        }
    };
}

on_both_backends!(
    b2_2_users_are_unique_and_scoped_to_an_existing_agency,
    b2_1_five_failures_lock_the_account_for_15_minutes,
    b2_1_sessions_end_on_idle_absolute_timeout_and_logout,
    b2_1_password_change_and_disabling_end_sessions,
    api_tokens_are_stored_as_hashes_and_can_be_revoked,
    b2_3_audit_chain_detects_deletion_and_alteration,
    b2_3_concurrent_audit_appends_keep_one_chain,
    b1_1_log_retention_is_at_least_180_days_and_the_purge_keeps_the_chain,
    b3_3_the_audit_chain_is_keyed_and_a_rewrite_without_the_key_is_reported,
    b3_3_an_unkeyed_chain_is_keyed_once_when_the_database_is_opened,
    b3_3_a_broken_unkeyed_chain_is_not_keyed_over_its_break,
    issue21_a_change_and_its_audit_record_are_stored_together_or_not_at_all,
);

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 27, 9, 0, 0).unwrap()
}

async fn seed(store: &Store) {
    for (code, name, parent) in [("330100", "杭州市人民政府", None), ("330100-czj", "杭州市财政局", Some("330100"))]
    {
        store
            .upsert_agency(&Agency {
                code: code.into(),
                name: name.into(),
                parent: parent.map(Into::into),
                kind: if parent.is_some() { AgencyKind::Department } else { AgencyKind::Government },
            })
            .await
            .unwrap();
    }
}

/// A cheap fixed hash (the store does not check it); real hashing is tested in the unit tests.
const HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

async fn b2_2_users_are_unique_and_scoped_to_an_existing_agency(db: TestDb) {
    let s = &db.store;
    seed(s).await;
    let u = s.create_user("wang.wu", "330100-czj", Role::Staff, HASH, t0()).await.unwrap();
    assert_eq!((u.username.as_str(), u.agency.as_str(), u.role), ("wang.wu", "330100-czj", Role::Staff));
    assert_eq!(u.failed_logins, 0);
    assert!(!u.is_locked(t0()) && !u.disabled);
    // Unique IDs (B2.1 a): the same username twice is a conflict, also in another agency.
    let e = s.create_user("wang.wu", "330100", Role::Approver, HASH, t0()).await.unwrap_err();
    assert!(matches!(e, StoreError::Conflict { what: "user", .. }), "{e:?}");
    let e = s.create_user("li.si", "999999", Role::Staff, HASH, t0()).await.unwrap_err();
    assert!(matches!(e, StoreError::NotFound { what: "agency", .. }), "{e:?}");
    for bad in ["", "a b", "<script>", &"x".repeat(65)] {
        let e = s.create_user(bad, "330100", Role::Staff, HASH, t0()).await.unwrap_err();
        assert!(matches!(e, StoreError::Invalid { what: "username", .. }), "{bad:?}: {e:?}");
    }
    s.create_user("admin", "330100", Role::Administrator, HASH, t0()).await.unwrap();
    let names: Vec<_> = s.list_users().await.unwrap().into_iter().map(|u| (u.username, u.role)).collect();
    assert_eq!(names, vec![("admin".to_string(), Role::Administrator), ("wang.wu".to_string(), Role::Staff)]);
    let (found, hash) = s.user_for_login("wang.wu").await.unwrap().unwrap();
    assert_eq!(found.id, u.id);
    assert_eq!(hash, HASH);
    assert!(s.user_for_login("nobody").await.unwrap().is_none());
}

async fn b2_1_five_failures_lock_the_account_for_15_minutes(db: TestDb) {
    let s = &db.store;
    seed(s).await;
    let u = s.create_user("wang.wu", "330100-czj", Role::Staff, HASH, t0()).await.unwrap();
    for i in 1..=4 {
        let after = s.record_login_failure(&u.id, t0()).await.unwrap();
        assert_eq!(after.failed_logins, i);
        assert!(!after.is_locked(t0()));
    }
    // A success in between resets the count.
    s.record_login_success(&u.id, t0()).await.unwrap();
    for _ in 1..=4 {
        s.record_login_failure(&u.id, t0()).await.unwrap();
    }
    let locked = s.record_login_failure(&u.id, t0()).await.unwrap();
    assert!(locked.is_locked(t0()), "the 5th failure in a row locks");
    assert!(locked.is_locked(t0() + Duration::minutes(14)));
    assert!(!locked.is_locked(t0() + Duration::minutes(15)), "the lock lasts 15 minutes");
    assert_eq!(locked.locked_until, Some(t0() + Duration::minutes(15)));
}

async fn b2_1_sessions_end_on_idle_absolute_timeout_and_logout(db: TestDb) {
    let s = &db.store;
    seed(s).await;
    let u = s.create_user("wang.wu", "330100-czj", Role::Staff, HASH, t0()).await.unwrap();
    let a = s.create_session(&u.id, Some("127.0.0.1"), t0()).await.unwrap();
    let b = s.create_session(&u.id, None, t0()).await.unwrap();
    assert_ne!(a.token, b.token, "a new id at every login (ASVS 7.2.4)");
    assert_ne!(a.csrf_token, a.token);
    // Only the hash is stored.
    let mut raw = db.raw().await;
    let stored: Vec<String> = sqlx::query("SELECT id_hash FROM sessions")
        .fetch_all(&mut raw)
        .await
        .unwrap()
        .iter()
        .map(|r| r.get::<String, _>("id_hash"))
        .collect();
    assert_eq!(stored.len(), 2);
    assert!(!stored.contains(&a.token) && stored.contains(&gongkai_store::token_hash(&a.token)));

    // Used every 29 minutes, the session lives on; the use moves the idle clock.
    let mut now = t0();
    for _ in 0..4 {
        now += Duration::minutes(29);
        let live = s.session(&a.token, now).await.unwrap().expect("session alive");
        assert_eq!(live.user.id, u.id);
        assert_eq!(live.csrf_token, a.csrf_token);
    }
    // Idle for more than 30 minutes: gone, and stays gone.
    assert!(s.session(&b.token, t0() + Duration::minutes(31)).await.unwrap().is_none());
    assert!(s.session(&b.token, t0()).await.unwrap().is_none());
    // Absolute timeout: 12 hours after login, however busy.
    let mut now = t0();
    let c = s.create_session(&u.id, None, t0()).await.unwrap();
    while now < t0() + Duration::hours(12) - Duration::minutes(20) {
        now += Duration::minutes(20);
        assert!(s.session(&c.token, now).await.unwrap().is_some());
    }
    assert!(s.session(&c.token, t0() + Duration::hours(12)).await.unwrap().is_none());
    // Logout ends it on the server (ASVS 7.4.1).
    let d = s.create_session(&u.id, None, t0()).await.unwrap();
    s.delete_session(&d.token).await.unwrap();
    assert!(s.session(&d.token, t0()).await.unwrap().is_none());
    assert!(s.session("not-a-session", t0()).await.unwrap().is_none());
}

async fn b2_1_password_change_and_disabling_end_sessions(db: TestDb) {
    let s = &db.store;
    seed(s).await;
    let u = s.create_user("wang.wu", "330100-czj", Role::Staff, HASH, t0()).await.unwrap();
    assert!(!u.password_expired(t0() + Duration::days(90)));
    assert!(u.password_expired(t0() + Duration::days(91)), "定期更换: 90 days");
    let a = s.create_session(&u.id, None, t0()).await.unwrap();
    s.set_password(&u.id, "$argon2id$new", t0() + Duration::days(1)).await.unwrap();
    assert!(s.session(&a.token, t0() + Duration::days(1)).await.unwrap().is_none());
    let (after, hash) = s.user_for_login("wang.wu").await.unwrap().unwrap();
    assert_eq!(hash, "$argon2id$new");
    assert_eq!(after.password_changed_at, t0() + Duration::days(1));
    let b = s.create_session(&u.id, None, t0() + Duration::days(1)).await.unwrap();
    s.set_user_disabled(&u.id, true, t0() + Duration::days(1)).await.unwrap();
    assert!(s.session(&b.token, t0() + Duration::days(1)).await.unwrap().is_none());
    assert!(s.get_user(&u.id).await.unwrap().unwrap().disabled);
    let e = s.set_password("no-such-user", HASH, t0()).await.unwrap_err();
    assert!(matches!(e, StoreError::NotFound { what: "user", .. }), "{e:?}");
}

async fn api_tokens_are_stored_as_hashes_and_can_be_revoked(db: TestDb) {
    let s = &db.store;
    seed(s).await;
    let u = s.create_user("wang.wu", "330100-czj", Role::Staff, HASH, t0()).await.unwrap();
    let (tok, value) = s.create_api_token(&u.id, "台账同步", Some(t0() + Duration::days(30)), t0()).await.unwrap();
    assert!(value.starts_with("gk_"));
    assert_eq!(s.api_token_user(&value, t0()).await.unwrap().map(|u| u.username), Some("wang.wu".into()));
    assert!(s.api_token_user(&value, t0() + Duration::days(30)).await.unwrap().is_none(), "expired");
    assert!(s.api_token_user("gk_wrong", t0()).await.unwrap().is_none());
    let mut raw = db.raw().await;
    let n: i64 = sqlx::query("SELECT COUNT(*) AS n FROM api_tokens WHERE token_hash = $1")
        .bind(&value)
        .fetch_one(&mut raw)
        .await
        .unwrap()
        .get("n");
    assert_eq!(n, 0, "the value itself is never stored");
    let listed = s.list_api_tokens(&u.id).await.unwrap();
    assert_eq!(listed, vec![tok.clone()]);
    // Another user cannot revoke it.
    let other = s.create_user("li.si", "330100", Role::Staff, HASH, t0()).await.unwrap();
    assert!(s.revoke_api_token(&other.id, &tok.id, t0()).await.is_err());
    s.revoke_api_token(&u.id, &tok.id, t0()).await.unwrap();
    assert!(s.api_token_user(&value, t0()).await.unwrap().is_none());
    assert!(s.list_api_tokens(&u.id).await.unwrap()[0].revoked_at.is_some());
}

fn ev(kind: &str, success: bool) -> AuditEvent {
    AuditEvent {
        username: Some("wang.wu".into()),
        role: Some(Role::Staff),
        agency: Some("330100-czj".into()),
        event_type: kind.into(),
        target: Some("2026-0001".into()),
        success,
        source: Some("127.0.0.1".into()),
        detail: None,
    }
}

async fn b2_3_audit_chain_detects_deletion_and_alteration(db: TestDb) {
    let s = &db.store;
    assert_eq!(s.verify_audit_chain().await.unwrap(), 0);
    for (i, kind) in ["login", "request.extension", "logout"].iter().enumerate() {
        let seq = s.append_audit(&ev(kind, i != 1), t0() + Duration::seconds(i as i64)).await.unwrap();
        assert_eq!(seq, i as i64 + 1);
    }
    let failed = AuditEvent { username: Some("nobody".into()), event_type: "login".into(), ..AuditEvent::default() };
    s.append_audit(&failed, t0()).await.unwrap();
    assert_eq!(s.verify_audit_chain().await.unwrap(), 4);
    // B2.3 fields: time, user, event type, success or failure.
    let newest = s.list_audit(10).await.unwrap();
    assert_eq!(newest.iter().map(|r| r.seq).collect::<Vec<_>>(), vec![4, 3, 2, 1]);
    assert_eq!(newest[2].event, ev("request.extension", false));
    assert!(newest[2].at.starts_with("2026-11-27T09:00:01"), "{}", newest[2].at);
    assert_eq!(newest[0].event, failed);

    let mut raw = db.raw().await;
    // Overwrite a field: detected.
    sqlx::query("UPDATE audit_events SET success = 1 WHERE seq = 2").execute(&mut raw).await.unwrap();
    let e = s.verify_audit_chain().await.unwrap_err();
    assert!(e.to_string().contains("第 2 条记录已被改动"), "{e}");
    sqlx::query("UPDATE audit_events SET success = 0 WHERE seq = 2").execute(&mut raw).await.unwrap();
    assert_eq!(s.verify_audit_chain().await.unwrap(), 4);
    // Delete one: detected.
    sqlx::query("DELETE FROM audit_events WHERE seq = 3").execute(&mut raw).await.unwrap();
    let e = s.verify_audit_chain().await.unwrap_err();
    assert!(e.to_string().contains("第 3 条记录缺失"), "{e}");
}

async fn b2_3_concurrent_audit_appends_keep_one_chain(db: TestDb) {
    let s = db.store.clone();
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let s = s.clone();
            tokio::spawn(async move { s.append_audit(&ev(&format!("e{i}"), true), t0()).await.unwrap() })
        })
        .collect();
    let mut seqs = Vec::new();
    for t in tasks {
        seqs.push(t.await.unwrap());
    }
    seqs.sort();
    assert_eq!(seqs, (1..=16).collect::<Vec<_>>());
    assert_eq!(s.verify_audit_chain().await.unwrap(), 16);
}

/// B1.1 (CSL Art. 21: network logs kept ≥ 6 months), B2.3/B2.6: the retention cannot be set
/// below 180 days; the purge deletes the records older than it and keeps the newer ones, and the
/// chain stays verifiable from its anchor — while deleting more by hand, or moving the anchor, is
/// still detected.
async fn b1_1_log_retention_is_at_least_180_days_and_the_purge_keeps_the_chain(db: TestDb) {
    let s = &db.store;
    assert_eq!(s.log_retention_days().await.unwrap(), 180, "the legal minimum by default");
    // 179 refused with the reason, nothing changed; 180 accepted; each accepted change audited.
    let e = s.set_log_retention_days(179, "admin", t0()).await.unwrap_err();
    assert!(matches!(e, StoreError::Invalid { what: "log_retention_days", .. }), "{e:?}");
    assert!(e.to_string().contains("不能少于 180 天"), "{e}");
    assert_eq!(s.log_retention_days().await.unwrap(), 180);
    s.set_log_retention_days(365, "admin", t0()).await.unwrap();
    assert_eq!(s.log_retention_days().await.unwrap(), 365);
    s.set_log_retention_days(180, "admin", t0()).await.unwrap();
    assert_eq!(s.log_retention_days().await.unwrap(), 180);
    assert!(s.set_log_retention_days(40_000, "admin", t0()).await.is_err());
    // Records 1–2 are the two changes, dated t0. Then records aged 400, 200, 181, 179 and 10 days
    // at the time of the purge (t0 + 400 days).
    let purge_at = t0() + Duration::days(400);
    for age in [400, 200, 181, 179, 10] {
        s.append_audit(&ev(&format!("age.{age}"), true), purge_at - Duration::days(age)).await.unwrap();
    }
    assert_eq!(s.verify_audit_chain().await.unwrap(), 7);
    let done = s.purge_audit(purge_at, "(system)").await.unwrap();
    // Older than 180 days: the two settings records (400 days) and the ages 400, 200, 181.
    assert_eq!(done.purged, 5);
    let kept: Vec<String> = s.list_audit(100).await.unwrap().into_iter().map(|r| r.event.event_type).collect();
    assert_eq!(kept, ["audit.purge", "age.10", "age.179"], "newest first");
    assert_eq!(s.verify_audit_chain().await.unwrap(), 3, "the chain verifies from its anchor");
    // The chain goes on after the purge, and a second purge moves the anchor.
    s.append_audit(&ev("after", true), purge_at).await.unwrap();
    assert_eq!(s.verify_audit_chain().await.unwrap(), 4);
    let again = s.purge_audit(purge_at + Duration::days(175), "(system)").await.unwrap();
    // 175 days later the cut-off is 5 days before the first purge: age.179 and age.10 leave;
    // the first purge record, "after" and the new purge record stay.
    assert_eq!(again.purged, 2);
    assert_eq!(s.verify_audit_chain().await.unwrap(), 3);
    // Nothing old: nothing purged, no record written.
    let none = s.purge_audit(purge_at + Duration::days(175), "(system)").await.unwrap();
    assert_eq!((none.purged, none.record), (0, None));

    let mut raw = db.raw().await;
    // Deleting the oldest remaining record by hand is a gap after the anchor.
    let oldest: i64 = sqlx::query("SELECT MIN(seq) AS m FROM audit_events").fetch_one(&mut raw).await.unwrap().get("m");
    let row =
        sqlx::query("SELECT hash FROM audit_events WHERE seq = $1").bind(oldest).fetch_one(&mut raw).await.unwrap();
    let oldest_hash: String = row.get("hash");
    sqlx::query("DELETE FROM audit_events WHERE seq = $1").bind(oldest).execute(&mut raw).await.unwrap();
    let e = s.verify_audit_chain().await.unwrap_err();
    assert!(e.to_string().contains("条记录缺失"), "{e}");
    // Moving the anchor over the gap is caught too: no purge record names that start.
    sqlx::query("UPDATE audit_anchor SET seq = $1, hash = $2")
        .bind(oldest)
        .bind(&oldest_hash)
        .execute(&mut raw)
        .await
        .unwrap();
    let e = s.verify_audit_chain().await.unwrap_err();
    assert!(e.to_string().contains("没有任何清除记录指明这一起点"), "{e}");
}

/// The hashes of the chain, oldest first.
async fn hashes(s: &Store) -> Vec<String> {
    s.list_audit(1000).await.unwrap().into_iter().rev().map(|r| r.hash).collect()
}

/// Makes the database look as it did before migration 000016: a plain SHA-256 chain, never
/// keyed (what the store then writes is hashed that way).
async fn unkeyed(db: &TestDb) {
    let mut raw = db.raw().await;
    sqlx::query("UPDATE audit_head SET scheme = 'sha256'").execute(&mut raw).await.unwrap();
    sqlx::query("DELETE FROM settings WHERE \"key\" = 'audit_chain_keyed'").execute(&mut raw).await.unwrap();
}

/// B3.3 (issue 21 item 6): the chain is HMAC-SM3 under a key derived from the data key. Someone
/// who can write the database but has no key can only rewrite it as a plain SHA-256 chain:
/// reported by the check, and not keyed again (which would bless it) when the database is
/// opened.
async fn b3_3_the_audit_chain_is_keyed_and_a_rewrite_without_the_key_is_reported(db: TestDb) {
    let s = &db.store;
    assert!(s.audit_chain_keyed().await.unwrap(), "a new database is keyed from the start");
    for i in 0..3 {
        s.append_audit(&ev(&format!("e{i}"), true), t0()).await.unwrap();
    }
    assert_eq!(s.verify_audit_chain().await.unwrap(), 3);
    let head = s.audit_head().await.unwrap().unwrap();
    assert_eq!(head, (3, hashes(s).await[2].clone()));
    // The rewrite: plain hashes, every record written again (record 2 changed), chain intact.
    let mut raw = db.raw().await;
    sqlx::query("UPDATE audit_head SET scheme = 'sha256'").execute(&mut raw).await.unwrap();
    sqlx::query("DELETE FROM audit_events").execute(&mut raw).await.unwrap();
    for i in 0..3 {
        s.append_audit(&ev(&format!("e{i}"), i != 1), t0()).await.unwrap();
    }
    let e = s.verify_audit_chain().await.unwrap_err();
    assert!(e.to_string().contains("未用数据密钥（HMAC-SM3）保护"), "{e}");
    assert!(!s.audit_chain_keyed().await.unwrap());
    s.migrate().await.unwrap();
    assert!(!s.audit_chain_keyed().await.unwrap(), "keyed once, never again over a rewrite");
    assert!(s.verify_audit_chain().await.is_err());
    // Only setting the scheme back, without rewriting: the keyed hashes do not verify as plain.
    sqlx::query("DELETE FROM audit_events").execute(&mut raw).await.unwrap();
    sqlx::query("UPDATE audit_head SET scheme = 'hmac-sm3'").execute(&mut raw).await.unwrap();
    for i in 0..2 {
        s.append_audit(&ev(&format!("k{i}"), true), t0()).await.unwrap();
    }
    assert_eq!(s.verify_audit_chain().await.unwrap(), 2);
    sqlx::query("UPDATE audit_head SET scheme = 'sha256'").execute(&mut raw).await.unwrap();
    let e = s.verify_audit_chain().await.unwrap_err();
    assert!(e.to_string().contains("第 1 条记录已被改动"), "{e}");
}

/// B3.3: a chain written before the key (migration 000016) is checked and re-hashed under the
/// key once, when the database is opened, with a record saying so; the records keep their
/// content, and opening again changes nothing.
async fn b3_3_an_unkeyed_chain_is_keyed_once_when_the_database_is_opened(db: TestDb) {
    let s = &db.store;
    unkeyed(&db).await;
    for i in 0..3 {
        s.append_audit(&ev(&format!("e{i}"), true), t0()).await.unwrap();
    }
    let plain = hashes(s).await;
    let events: Vec<AuditEvent> = s.list_audit(10).await.unwrap().into_iter().map(|r| r.event).collect();
    assert!(!s.audit_chain_keyed().await.unwrap());
    s.migrate().await.unwrap();
    assert!(s.audit_chain_keyed().await.unwrap());
    assert_eq!(s.verify_audit_chain().await.unwrap(), 4);
    let after = s.list_audit(10).await.unwrap();
    assert_eq!(after[0].event.event_type, "audit.chain_keyed");
    assert!(after[0].event.detail.as_deref().unwrap().contains("3 条审计记录"), "{:?}", after[0].event);
    assert_eq!(after[1..].iter().map(|r| r.event.clone()).collect::<Vec<_>>(), events, "content unchanged");
    let keyed = hashes(s).await;
    for (old, new) in plain.iter().zip(&keyed) {
        assert_ne!(old, new, "every record re-hashed");
    }
    s.migrate().await.unwrap();
    assert_eq!(hashes(s).await, keyed, "opening again changes nothing");
    assert_eq!(s.verify_audit_chain().await.unwrap(), 4);
}

/// B3.3: an unkeyed chain that does not verify is left as it is when the database is opened —
/// re-hashing it would hide the change it shows — and the check names the altered record.
async fn b3_3_a_broken_unkeyed_chain_is_not_keyed_over_its_break(db: TestDb) {
    let s = &db.store;
    unkeyed(&db).await;
    for i in 0..3 {
        s.append_audit(&ev(&format!("e{i}"), true), t0()).await.unwrap();
    }
    let mut raw = db.raw().await;
    sqlx::query("UPDATE audit_events SET detail = 'changed' WHERE seq = 2").execute(&mut raw).await.unwrap();
    s.migrate().await.unwrap();
    assert!(!s.audit_chain_keyed().await.unwrap());
    let e = s.verify_audit_chain().await.unwrap_err();
    assert!(e.to_string().contains("第 2 条记录已被改动"), "{e}");
}

/// Issue 21 item 2: a change made through an audited handle writes its audit record in its own
/// transaction — a refused change records nothing with it, and a change whose record cannot be
/// written is not stored.
async fn issue21_a_change_and_its_audit_record_are_stored_together_or_not_at_all(db: TestDb) {
    let s = &db.store;
    seed(s).await;
    let added = |name: &str| AuditEvent {
        username: Some("admin".into()),
        role: Some(Role::Administrator),
        event_type: "user.add".into(),
        target: Some(name.into()),
        success: true,
        ..AuditEvent::default()
    };
    s.audited(added("li.si"), t0()).create_user("li.si", "330100-czj", Role::Staff, HASH, t0()).await.unwrap();
    let trail = s.list_audit(10).await.unwrap();
    assert_eq!(trail.iter().map(|r| r.event.clone()).collect::<Vec<_>>(), [added("li.si")]);
    // Refused (the name is taken): nothing stored, nothing recorded with it.
    let e = s.audited(added("li.si"), t0()).create_user("li.si", "330100", Role::Staff, HASH, t0()).await;
    assert!(matches!(e, Err(StoreError::Conflict { .. })), "{e:?}");
    assert_eq!(s.list_audit(10).await.unwrap().len(), 1);
    // A token's creation names the token it made.
    let user = s.user_for_login("li.si").await.unwrap().unwrap().0;
    let made = AuditEvent { event_type: "api_token.create".into(), target: None, ..added("") };
    let (token, _) = s.audited(made, t0()).create_api_token(&user.id, "导入脚本", None, t0()).await.unwrap();
    assert_eq!(s.list_audit(1).await.unwrap()[0].event.target.as_deref(), Some(token.id.as_str()));
    assert_eq!(s.verify_audit_chain().await.unwrap(), 2);
    // The audit trail cannot be written: the change is not stored either.
    let mut raw = db.raw().await;
    sqlx::query("DROP TABLE audit_head").execute(&mut raw).await.unwrap();
    let e = s.audited(added("zhao.liu"), t0()).create_user("zhao.liu", "330100", Role::Staff, HASH, t0()).await;
    assert!(e.is_err(), "{e:?}");
    assert!(s.user_for_login("zhao.liu").await.unwrap().is_none(), "no account without its audit record");
    // The plain store writes no audit record and so goes on.
    s.create_user("zhao.liu", "330100", Role::Staff, HASH, t0()).await.unwrap();
}
