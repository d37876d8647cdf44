//! The overview cache (`supervise_cache`, issue 8) on SQLite and PostgreSQL: after every write
//! through every write path, the cached overview (`Store::supervise`) equals the overview
//! computed from the registers alone (`Store::supervise_uncached`), serialised and compared, for
//! several subtrees, report years and days — first a scripted story touching each write path,
//! then a long pseudo-random sequence of mixed writes across agencies and years.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)]
#[path = "store/harness.rs"]
mod harness;

use chrono::NaiveDate;
use gongkai_core::calendar::Calendar;
use gongkai_core::register::{Agency, AgencyKind, Article20Figures, Case, Event, EventKind, ProactiveDisclosure};
use gongkai_core::report::{CaseGroup, CaseResult, RequestRow};
use gongkai_store::{Amend, NewPublishedReport, Publication, RegisterBatch, RequestId, Store};

use harness::{request, TestDb};

const CITY: &str = "3301";
const COUNTY_A: &str = "330101";
const DEPT_A: &str = "330101-zrzy";
const COUNTY_B: &str = "330102";
const DEPT_B: &str = "330102-jy";
const AGENCIES: [&str; 5] = [CITY, COUNTY_A, DEPT_A, COUNTY_B, DEPT_B];
const YEARS: [i32; 3] = [2023, 2024, 2025];

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn ev(on: NaiveDate, kind: EventKind) -> Event {
    Event { on, by: "王五".into(), kind }
}

fn reply(on: NaiveDate, outcome: RequestRow) -> Event {
    ev(on, EventKind::Reply { outcome, document: None })
}

fn extension(on: NaiveDate) -> Event {
    ev(on, EventKind::Extension { approver: "赵六".into(), reason: "需要调查核实".into() })
}

fn figures(agency: &str, year: i32, n: i64) -> Article20Figures {
    Article20Figures {
        agency: agency.into(),
        year,
        rules_issued: Some(n),
        rules_repealed: None,
        rules_in_force: Some(n + 3),
        normative_issued: Some(n * 2),
        normative_repealed: Some(0),
        normative_in_force: Some(10),
        licensing_decisions: Some(100 + n),
        penalty_decisions: None,
        coercive_decisions: Some(1),
        fees_wan_yuan: None,
    }
}

fn case(agency: &str, number: &str, filed: NaiveDate, decided: Option<(NaiveDate, CaseResult)>) -> Case {
    Case {
        agency: agency.into(),
        number: number.into(),
        group: CaseGroup::Review,
        request: None,
        filed_on: filed,
        decided_on: decided.map(|x| x.0),
        result: decided.map(|x| x.1),
    }
}

fn proactive(agency: &str, number: &str, on: NaiveDate) -> ProactiveDisclosure {
    ProactiveDisclosure {
        agency: agency.into(),
        index_number: number.into(),
        title: "关于某事项的通知".into(),
        document_number: None,
        article20_item: Some(1),
        category: None,
        channels: vec!["网站".into()],
        published_on: on,
        validity: None,
    }
}

fn agency(code: &str, name: &str, parent: Option<&str>, kind: AgencyKind) -> Agency {
    Agency { code: code.into(), name: name.into(), parent: parent.map(Into::into), kind }
}

async fn seed_tree(store: &Store) {
    for a in [
        agency(CITY, "杭州市人民政府", None, AgencyKind::Government),
        agency(COUNTY_A, "甲县人民政府", Some(CITY), AgencyKind::Government),
        agency(DEPT_A, "甲县自然资源局", Some(COUNTY_A), AgencyKind::Department),
        agency(COUNTY_B, "乙县人民政府", Some(CITY), AgencyKind::Government),
        agency(DEPT_B, "乙县教育局", Some(COUNTY_B), AgencyKind::Department),
    ] {
        store.upsert_agency(&a).await.unwrap();
    }
}

/// The days the overviews are judged on: inside the last year, and after every deadline.
const TODAYS: [&str; 2] = ["2025-06-16", "2026-04-20"];

/// The cached and the uncached overview of every subtree, year and day, serialised, must be
/// equal; the cached one is read twice (computed and written back, then read from the rows).
async fn check(store: &Store, cal: &Calendar, step: &str) {
    for root in [CITY, COUNTY_A, DEPT_B] {
        for year in YEARS {
            for today in TODAYS {
                let today = d(today);
                let reference =
                    serde_json::to_string(&store.supervise_uncached(root, year, today, cal).await.unwrap()).unwrap();
                for pass in ["first", "second"] {
                    let cached =
                        serde_json::to_string(&store.supervise(root, year, today, cal).await.unwrap()).unwrap();
                    assert!(
                        cached == reference,
                        "after {step}: the cached overview of {root} {year} on {today} ({pass} read) differs \
                         from the registers:\ncached:   {cached}\nexpected: {reference}"
                    );
                }
            }
        }
    }
}

/// Every write path once (and the amending ones), the overviews compared after each.
async fn every_write_path(db: TestDb) {
    let store = &db.store;
    let cal = Calendar::official();
    seed_tree(store).await;
    check(store, &cal, "the agency tree").await;

    // Requests: one at a time, in bulk with events, carried over from 2023 into 2024 and 2025.
    let old = store.insert_request(&request(DEPT_A, "A-2023-01", d("2023-12-20"))).await.unwrap();
    check(store, &cal, "insert_request carried over").await;
    let bulk = store
        .insert_requests_bulk(&[
            (request(DEPT_A, "A-2024-01", d("2024-03-01")), vec![reply(d("2024-03-08"), RequestRow::Granted)]),
            (
                request(DEPT_A, "A-2024-02", d("2024-05-06")),
                vec![extension(d("2024-05-30")), reply(d("2024-06-20"), RequestRow::NotHeld)],
            ),
            (request(DEPT_B, "B-2024-01", d("2024-12-27")), vec![]),
            (request(COUNTY_B, "CB-2025-01", d("2025-01-06")), vec![ev(d("2025-01-08"), EventKind::Withdrawal)]),
        ])
        .await
        .unwrap();
    check(store, &cal, "insert_requests_bulk").await;

    // Events: an extension on the carried-over request, then its reply in 2025 (it leaves
    // 2024's carried-forward row and enters 2025's outcomes); a reply on B's request.
    store.append_event(&old, &extension(d("2024-01-10"))).await.unwrap();
    check(store, &cal, "append_event extension").await;
    store.append_event(&old, &reply(d("2025-02-03"), RequestRow::PartiallyGranted)).await.unwrap();
    check(store, &cal, "append_event reply two years on").await;
    store.append_event(&bulk[2], &reply(d("2025-01-15"), RequestRow::Granted)).await.unwrap();
    check(store, &cal, "append_event reply into the next year").await;
    // An event after the reply (a hand-made history: the store does not judge).
    store.append_event(&bulk[0], &ev(d("2025-03-01"), EventKind::FeePaid)).await.unwrap();
    check(store, &cal, "append_event after the reply").await;

    // Cases: registered pending in 2024, decided in 2025.
    let c = case(COUNTY_A, "复2024-1", d("2024-11-01"), None);
    store.insert_case(&c).await.unwrap();
    check(store, &cal, "insert_case").await;
    store
        .update_case(&case(COUNTY_A, "复2024-1", d("2024-11-01"), Some((d("2025-02-01"), CaseResult::Corrected))))
        .await
        .unwrap();
    check(store, &cal, "update_case decided").await;
    store
        .update_case(&case(COUNTY_A, "复2024-1", d("2023-11-01"), Some((d("2024-02-01"), CaseResult::Upheld))))
        .await
        .unwrap();
    check(store, &cal, "update_case moved to 2023").await;

    // Article 20 figures, a proactive disclosure, narratives.
    store.put_article20_figures(&figures(DEPT_A, 2024, 4)).await.unwrap();
    check(store, &cal, "put_article20_figures").await;
    store.put_article20_figures(&figures(DEPT_A, 2024, 5)).await.unwrap();
    check(store, &cal, "put_article20_figures replaced").await;
    store.insert_proactive(&proactive(DEPT_A, "P-1", d("2024-04-01"))).await.unwrap();
    check(store, &cal, "insert_proactive").await;
    let problems = "存在的主要问题：一是答复文书格式不够规范，二是部分科室对条例理解不深。下一步将组织两次业务培训，修订答复文书范本。";
    store.set_narrative(DEPT_A, 2024, "problems", problems).await.unwrap();
    store.set_narrative(DEPT_B, 2024, "problems", problems).await.unwrap();
    check(store, &cal, "set_narrative problems").await;
    store.set_narrative(DEPT_A, 2023, "problems", &problems.replace("两次", "三次")).await.unwrap();
    store.set_narrative(COUNTY_B, 2024, "overview", "本年度共收到申请1件。").await.unwrap();
    check(store, &cal, "set_narrative previous year and overview").await;

    // Publishing, then a change of a locked year through an amendment, then unpublishing.
    let publish = |agency: &str, year: i32, on: Option<&str>, locked: bool| Publication {
        agency: agency.into(),
        year,
        published_on: on.map(d),
        locked,
    };
    store.set_publication(&publish(DEPT_A, 2024, Some("2025-02-10"), true)).await.unwrap();
    store.set_publication(&publish(COUNTY_A, 2024, None, false)).await.unwrap();
    check(store, &cal, "set_publication").await;
    let amend = Amend { reason: "补录遗漏的申请".into(), by: "王五".into() };
    let (late, _) =
        store.amending(&amend).insert_request(&request(DEPT_A, "A-2024-09", d("2024-09-02"))).await.unwrap();
    check(store, &cal, "amending insert_request").await;
    store.amending(&amend).append_event(&late, &reply(d("2024-09-20"), RequestRow::Granted)).await.unwrap();
    check(store, &cal, "amending append_event").await;
    store.amending(&amend).put_article20_figures(&figures(DEPT_A, 2024, 6)).await.unwrap();
    store.amending(&amend).set_narrative(DEPT_A, 2024, "other_matters", "本年度未收取信息处理费。").await.unwrap();
    check(store, &cal, "amending figures and narrative").await;
    store.set_publication(&publish(DEPT_A, 2024, Some("2025-01-20"), false)).await.unwrap();
    check(store, &cal, "set_publication changed").await;

    // A batch (spreadsheet import): an agency renamed, requests with events, a case, figures,
    // proactive items.
    store
        .insert_batch(&RegisterBatch {
            agencies: vec![agency(DEPT_B, "乙县教育体育局", Some(COUNTY_B), AgencyKind::Department)],
            requests: vec![
                (request(DEPT_B, "B-2025-02", d("2025-03-03")), vec![reply(d("2025-03-20"), RequestRow::Granted)]),
                (request(DEPT_B, "B-2023-02", d("2023-06-01")), vec![]),
            ],
            cases: vec![case(DEPT_B, "诉2025-1", d("2025-04-01"), None)],
            figures: vec![figures(DEPT_B, 2025, 2)],
            proactive: vec![proactive(DEPT_B, "P-9", d("2025-05-05"))],
            guides: vec![],
        })
        .await
        .unwrap();
    check(store, &cal, "insert_batch").await;

    // Online filing; an agency changing kind; a published report imported; an amendment.
    store.file_online_request(&request(COUNTY_B, "WEB-2025-1", d("2025-05-06")), "hash", None).await.unwrap();
    check(store, &cal, "file_online_request").await;
    store.upsert_agency(&agency(DEPT_A, "甲县自然资源局", Some(COUNTY_A), AgencyKind::Government)).await.unwrap();
    check(store, &cal, "upsert_agency kind").await;
    store.upsert_agency(&agency(DEPT_A, "甲县自然资源和规划局", Some(COUNTY_A), AgencyKind::Department)).await.unwrap();
    check(store, &cal, "upsert_agency renamed").await;
    store.upsert_agency(&agency(DEPT_B, "乙县教育体育局", Some(COUNTY_A), AgencyKind::Department)).await.unwrap();
    check(store, &cal, "upsert_agency moved to another parent").await;
    // A published file with tables: the county's own roll-up of 2024 will do.
    let mut file = store.supervise_uncached(COUNTY_B, 2024, d(TODAYS[1]), &cal).await.unwrap().rollup;
    file.agency = Some("乙县人民政府".into());
    let import = |name: &'static str, report: gongkai_core::report::Report| async move {
        store
            .add_published_report(&NewPublishedReport {
                agency: COUNTY_B,
                year: 2024,
                file_name: name,
                format: "json",
                bytes: name.as_bytes(),
                report: &report,
                published_on: Some(d("2025-03-01")),
                by: "监督员",
            })
            .await
            .unwrap()
    };
    import("report.json", file.clone()).await;
    check(store, &cal, "add_published_report").await;
    // Republished with another figure (an amendment of the imported report), then withdrawn: the
    // first import counts again.
    let mut changed = file.clone();
    if let Some(t) = changed.requests.as_mut() {
        t.received.total = Some(t.received.total.unwrap_or(0) + 5);
    }
    let second = import("report-corrected.json", changed).await;
    check(store, &cal, "add_published_report again, other figures").await;
    store.withdraw_published_report(&second.id, "文件选错", "监督员").await.unwrap();
    check(store, &cal, "withdraw_published_report").await;

    // Nothing stale is left: every fresh row equals the registers.
    for year in YEARS {
        assert!(store.verify_supervise_cache(None, year, &cal).await.unwrap().is_empty());
    }
    let r = store.refresh_supervise_cache(None, 2024, &cal, false).await.unwrap();
    assert_eq!((r.agencies, r.computed), (5, 0), "every 2024 row is fresh after the reads");
    let r = store.refresh_supervise_cache(Some(COUNTY_A), 2024, &cal, true).await.unwrap();
    assert_eq!((r.agencies, r.computed, r.written), (3, 3, 3));
    // Another calendar is another stamp: nothing is read from rows computed with the official one.
    let r = store.refresh_supervise_cache(None, 2024, &Calendar::empty(), false).await.unwrap();
    assert_eq!(r.computed, 5);
    check(store, &Calendar::empty(), "another calendar").await;
}

/// A small deterministic generator (no dependency needed for a scripted random sequence).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// Many mixed writes across agencies and years, in an order drawn from a fixed seed; the
/// overviews are compared after each.
async fn mixed_writes(db: TestDb) {
    let store = &db.store;
    let cal = Calendar::official();
    seed_tree(store).await;
    let mut rng = Lcg(20261127);
    let mut requests: Vec<(RequestId, NaiveDate, bool)> = Vec::new();
    let mut cases: Vec<Case> = Vec::new();
    let date = |rng: &mut Lcg| {
        let year = 2023 + rng.below(3) as i32;
        NaiveDate::from_ymd_opt(year, 1 + rng.below(12) as u32, 1 + rng.below(28) as u32).unwrap()
    };
    let outcomes = [RequestRow::Granted, RequestRow::PartiallyGranted, RequestRow::NotHeld, RequestRow::StateSecret];
    for step in 0..36 {
        let who = AGENCIES[rng.below(AGENCIES.len() as u64) as usize];
        let what = rng.below(9);
        let label = format!("step {step}: write {what} on {who}");
        match what {
            0 | 1 => {
                let received = date(&mut rng);
                let events = match rng.below(3) {
                    0 => vec![],
                    1 => vec![reply(received + chrono::Days::new(rng.below(40) + 1), outcomes[rng.below(4) as usize])],
                    _ => vec![ev(received + chrono::Days::new(rng.below(30) + 1), EventKind::Withdrawal)],
                };
                let done = !events.is_empty();
                let ids =
                    store.insert_requests_bulk(&[(request(who, &format!("R{step}"), received), events)]).await.unwrap();
                requests.push((ids[0].clone(), received, done));
            }
            2 | 3 if !requests.is_empty() => {
                let i = rng.below(requests.len() as u64) as usize;
                let (id, received, done) = requests[i].clone();
                let on = received + chrono::Days::new(rng.below(500) + 1);
                let event = if done || rng.below(3) == 0 {
                    extension(on)
                } else {
                    requests[i].2 = true;
                    reply(on, outcomes[rng.below(4) as usize])
                };
                store.append_event(&id, &event).await.unwrap();
            }
            4 => {
                let filed = date(&mut rng);
                let c = case(who, &format!("C{step}"), filed, None);
                store.insert_case(&c).await.unwrap();
                cases.push(c);
            }
            5 if !cases.is_empty() => {
                let i = rng.below(cases.len() as u64) as usize;
                let mut c = cases[i].clone();
                c.decided_on = Some(c.filed_on + chrono::Days::new(rng.below(400) + 1));
                c.result = Some([CaseResult::Upheld, CaseResult::Corrected, CaseResult::Other][rng.below(3) as usize]);
                store.update_case(&c).await.unwrap();
                cases[i] = c;
            }
            6 => {
                let year = YEARS[rng.below(3) as usize];
                store.put_article20_figures(&figures(who, year, rng.below(50) as i64)).await.unwrap();
            }
            7 => {
                let year = YEARS[rng.below(3) as usize];
                let text =
                    format!("存在的主要问题：第{}项工作仍需改进，下一步将完善制度、加强培训和监督检查。", rng.below(5));
                store.set_narrative(who, year, "problems", &text).await.unwrap();
            }
            _ => {
                let year = YEARS[rng.below(3) as usize];
                let on = (rng.below(2) == 0)
                    .then(|| NaiveDate::from_ymd_opt(year + 1, 1 + rng.below(4) as u32, 15).unwrap());
                store
                    .set_publication(&Publication { agency: who.into(), year, published_on: on, locked: false })
                    .await
                    .unwrap();
            }
        }
        // Every other step compared on every subtree, year and day (the rows written back by
        // the previous comparison are what the next write must drop).
        if step % 2 == 1 {
            check(store, &cal, &label).await;
        }
    }
    check(store, &cal, "the end").await;
    for year in YEARS {
        assert!(store.verify_supervise_cache(None, year, &cal).await.unwrap().is_empty());
    }
}

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

on_both_backends!(every_write_path, mixed_writes);
