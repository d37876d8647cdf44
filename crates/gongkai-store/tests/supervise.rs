//! The supervising office's overview (`Store::supervise`), on SQLite and PostgreSQL, each test
//! on a fresh database: a city with two counties; requests open, due soon, overdue, replied on
//! time and late, withdrawn; reports published on time, late, missing, draft, not started; one
//! county's overview never includes the other's agencies.

#![allow(clippy::unwrap_used, clippy::expect_used)]

#[allow(dead_code)]
#[path = "store/harness.rs"]
mod harness;

use chrono::NaiveDate;
use gongkai_core::calendar::Calendar;
use gongkai_core::lifecycle::{self, Status};
use gongkai_core::quality::{self, Verdict};
use gongkai_core::register::{Agency, AgencyKind, Channel, Event, EventKind, Request};
use gongkai_core::report::{Report, RequestRow, Section, SectionKey};
use gongkai_store::{
    Amend, NewPublishedReport, Overview, Publication, PublishedReport, ReportStatus, Store, StoreError,
};

use harness::TestDb;

const CITY: &str = "3301";
const COUNTY_A: &str = "330101";
const DEPT_A: &str = "330101-zrzy";
const COUNTY_B: &str = "330102";
const DEPT_B: &str = "330102-jy";
const YEAR: i32 = 2024;

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn today() -> NaiveDate {
    d("2025-03-10")
}

/// The harness's request, filed in person.
fn request(agency: &str, number: &str, received: NaiveDate) -> Request {
    Request { channel: Channel::InPerson, ..harness::request(agency, number, received) }
}

fn reply(on: &str) -> Event {
    Event { on: d(on), by: "王五".into(), kind: EventKind::Reply { outcome: RequestRow::Granted, document: None } }
}

/// The first receipt date from `from` on whose request (no events) has `want` status on today.
fn received_with_status(cal: &Calendar, from: &str, want: Status) -> NaiveDate {
    let mut r = d(from);
    for _ in 0..200 {
        let state = lifecycle::replay(cal, &request("X", "X", r), &[]).unwrap();
        if state.status(cal, today()) == want {
            return r;
        }
        r = r.succ_opt().unwrap();
    }
    panic!("no receipt date with status {want:?}");
}

/// Working days after `from` through `to`, counted here independently.
fn working_days(cal: &Calendar, from: NaiveDate, to: NaiveDate) -> u32 {
    let mut n = 0;
    let mut x = from.succ_opt().unwrap();
    while x <= to {
        if cal.is_working_day(x) {
            n += 1;
        }
        x = x.succ_opt().unwrap();
    }
    n
}

struct Seeded {
    overdue: NaiveDate,
    due_soon: NaiveDate,
    open: NaiveDate,
}

async fn seed(store: &Store, cal: &Calendar) -> Seeded {
    for (code, name, parent, kind) in [
        (CITY, "杭州市人民政府", None, AgencyKind::Government),
        (COUNTY_A, "甲县人民政府", Some(CITY), AgencyKind::Government),
        (DEPT_A, "甲县自然资源局", Some(COUNTY_A), AgencyKind::Department),
        (COUNTY_B, "乙县人民政府", Some(CITY), AgencyKind::Government),
        (DEPT_B, "乙县教育局", Some(COUNTY_B), AgencyKind::Department),
    ] {
        let a = Agency { code: code.into(), name: name.into(), parent: parent.map(Into::into), kind };
        store.upsert_agency(&a).await.unwrap();
    }
    let overdue = received_with_status(cal, "2025-01-02", Status::Overdue);
    let due_soon = received_with_status(cal, "2025-01-20", Status::DueSoon);
    let open = received_with_status(cal, "2025-02-20", Status::Open);
    let requests = vec![
        // County A's department: replied on time, replied late, withdrawn, carried forward and
        // overdue, plus this year's overdue, due-soon and open ones.
        (request(DEPT_A, "A-2024-01", d("2024-03-01")), vec![reply("2024-03-08")]),
        (request(DEPT_A, "A-2024-02", d("2024-05-06")), vec![reply("2024-08-01")]),
        (
            request(DEPT_A, "A-2024-03", d("2024-06-03")),
            vec![Event { on: d("2024-06-10"), by: "王五".into(), kind: EventKind::Withdrawal }],
        ),
        (request(DEPT_A, "A-2024-04", d("2024-12-20")), vec![]),
        (request(DEPT_A, "A-2025-01", overdue), vec![]),
        (request(DEPT_A, "A-2025-02", due_soon), vec![]),
        (request(DEPT_A, "A-2025-03", open), vec![]),
        // County B's department: one reply, one overdue.
        (request(DEPT_B, "B-2024-01", d("2024-04-01")), vec![reply("2024-04-03")]),
        (request(DEPT_B, "B-2025-01", overdue), vec![]),
    ];
    store.insert_requests_bulk(&requests).await.unwrap();

    // Reports: county A on time (31 March for a government), its department late (31 January),
    // county B's department not published (missing on 10 March), county B a draft.
    let publish = |agency: &str, on: &str| Publication {
        agency: agency.into(),
        year: YEAR,
        published_on: Some(d(on)),
        locked: false,
    };
    store.set_publication(&publish(COUNTY_A, "2025-03-01")).await.unwrap();
    store.set_publication(&publish(DEPT_A, "2025-02-10")).await.unwrap();
    store.set_narrative(DEPT_B, YEAR, "overview", "本年度工作概述。").await.unwrap();
    store.set_narrative(COUNTY_B, YEAR, "overview", "本年度工作概述。").await.unwrap();
    let problems = "存在的主要问题：一是答复文书格式不够规范，二是部分科室对条例理解不深。下一步将组织两次业务培训，修订答复文书范本。";
    store.set_narrative(DEPT_A, YEAR, "problems", problems).await.unwrap();
    store.set_narrative(DEPT_A, YEAR - 1, "problems", &problems.replace("两次", "三次")).await.unwrap();
    store.set_narrative(DEPT_A, YEAR, "other_matters", "本年度未收取信息处理费。").await.unwrap();
    // An amendment of the published year: the department's report locked, then a section
    // rewritten with a reason (the one way amendments are made).
    store.set_publication(&Publication { locked: true, ..publish(DEPT_A, "2025-02-10") }).await.unwrap();
    let amend = Amend { reason: "更正收费情况说明".into(), by: "王五".into() };
    let amendments =
        store.amending(&amend).set_narrative(DEPT_A, YEAR, "other_matters", "本年度未收取信息处理费。").await.unwrap();
    assert_eq!(amendments.len(), 1);
    Seeded { overdue, due_soon, open }
}

fn agency<'a>(o: &'a Overview, code: &str) -> &'a gongkai_store::AgencyOverview {
    o.agencies.iter().find(|a| a.code == code).unwrap_or_else(|| panic!("{code} not in the overview"))
}

fn verdict(a: &gongkai_store::AgencyOverview, id: &str) -> Verdict {
    a.scorecard.criteria.iter().find(|c| c.id == id).unwrap().verdict
}

async fn county_overview(db: TestDb) {
    let cal = Calendar::official();
    let s = seed(&db.store, &cal).await;
    let o = db.store.supervise(COUNTY_A, YEAR, today(), &cal).await.unwrap();

    // Only county A's subtree.
    let codes: Vec<&str> = o.agencies.iter().map(|a| a.code.as_str()).collect();
    assert_eq!(codes, [COUNTY_A, DEPT_A]);
    assert_eq!(o.name, "甲县人民政府");

    let a = agency(&o, DEPT_A);
    let r = &a.requests;
    assert_eq!(r.received, 4, "received in 2024");
    assert_eq!((r.open, r.due_soon, r.overdue), (4, 1, 2), "seeded {:?}", (s.overdue, s.due_soon, s.open));
    let overdue: Vec<&str> = r.overdue_requests.iter().map(|x| x.tracking_number.as_str()).collect();
    assert_eq!(overdue, ["A-2024-04", "A-2025-01"]);
    assert_eq!(r.due_soon_requests[0].tracking_number, "A-2025-02");
    assert!(r.due_soon_requests[0].due >= today());
    assert_eq!((r.replied, r.replied_on_time, r.withdrawn), (2, 1, 1));
    assert_eq!(r.on_time_rate, Some(0.5));
    let days =
        [working_days(&cal, d("2024-03-01"), d("2024-03-08")), working_days(&cal, d("2024-05-06"), d("2024-08-01"))];
    assert_eq!(days[0], 5);
    assert_eq!(r.median_working_days, Some(f64::from(days[0] + days[1]) / 2.0));
    assert_eq!(r.outcomes.get("outcomes.granted"), Some(&2));
    assert!(r.unreadable.is_empty());

    // Report status and findings.
    assert_eq!(a.report.status, ReportStatus::PublishedLate);
    assert_eq!(a.report.deadline, Some(d("2025-01-31")));
    assert_eq!(a.report.amendments, 1);
    assert_eq!(a.report.errors, 0);
    assert_eq!(a.report.register_errors, 0);
    assert_eq!(agency(&o, COUNTY_A).report.status, ReportStatus::PublishedOnTime);
    assert_eq!(agency(&o, COUNTY_A).report.deadline, Some(d("2025-03-31")));

    // Scorecard: late, amended, problems copied from last year; fees reported.
    assert_eq!(a.scorecard.criteria.len(), quality::CRITERIA.len());
    assert_eq!(verdict(a, quality::id::ON_TIME), Verdict::Fail);
    assert_eq!(verdict(a, quality::id::AMENDED), Verdict::Fail);
    assert_eq!(verdict(a, quality::id::PROBLEMS_SPECIFIC), Verdict::Fail);
    assert_eq!(verdict(a, quality::id::FEES_REPORTED), Verdict::Pass);
    assert_eq!(verdict(a, quality::id::CONSISTENT), Verdict::Pass);
    assert_eq!(verdict(agency(&o, COUNTY_A), quality::id::ON_TIME), Verdict::Pass);

    // Roll-up: both agencies, nothing missing; its table 3 is the sum.
    assert_eq!(o.included, [COUNTY_A, DEPT_A]);
    assert!(o.missing.is_empty());
    let t = o.rollup.requests.unwrap();
    assert_eq!(t.received.total, Some(4));
    assert_eq!(t.carried_forward.total, Some(1));
    assert_eq!(o.rollup.year, Some(YEAR));
    assert_eq!(o.totals.overdue, 2);
}

async fn city_and_other_county(db: TestDb) {
    let cal = Calendar::official();
    seed(&db.store, &cal).await;
    let b = db.store.supervise(COUNTY_B, YEAR, today(), &cal).await.unwrap();
    let codes: Vec<&str> = b.agencies.iter().map(|a| a.code.as_str()).collect();
    assert_eq!(codes, [COUNTY_B, DEPT_B]);
    assert!(b.agencies.iter().all(|a| a.requests.overdue_requests.iter().all(|r| r.tracking_number.starts_with("B-"))));
    let dept = agency(&b, DEPT_B);
    assert_eq!(dept.report.status, ReportStatus::Missing);
    assert_eq!((dept.requests.received, dept.requests.overdue, dept.requests.replied_on_time), (1, 1, 1));
    assert_eq!(agency(&b, COUNTY_B).report.status, ReportStatus::Draft);
    assert_eq!(b.rollup.requests.unwrap().received.total, Some(1));

    // The city sees everything; its own report is not started (deadline 31 March).
    let city = db.store.supervise(CITY, YEAR, today(), &cal).await.unwrap();
    assert_eq!(city.agencies.len(), 5);
    assert_eq!(agency(&city, CITY).report.status, ReportStatus::NotStarted);
    assert_eq!(city.totals.overdue, 3);
    assert_eq!(city.totals.received, 5);
    assert_eq!(city.rollup.requests.unwrap().received.total, Some(5));

    // An unknown agency is NotFound.
    assert!(db.store.supervise("999", YEAR, today(), &cal).await.is_err());
}

/// A published report of `year` as an agency without gongkai would publish it: the tables of
/// `base`, with a problems section and `received` figures of its own.
fn published_file(base: &Report, year: i32, received: i64, problems: &str) -> Report {
    let mut r = base.clone();
    r.agency = Some("乙县教育局".into());
    r.year = Some(year);
    if let Some(t) = r.requests.as_mut() {
        t.received.natural_person = Some(received);
        t.received.total = Some(received);
    }
    r.sections = vec![Section {
        key: Some(SectionKey::Problems),
        title: "五、存在的主要问题及改进情况".into(),
        text: problems.into(),
    }];
    r
}

async fn import(store: &Store, year: i32, file: &str, format: &str, report: &Report, on: &str) -> PublishedReport {
    store
        .add_published_report(&NewPublishedReport {
            agency: DEPT_B,
            year,
            file_name: file,
            format,
            bytes: file.as_bytes(),
            report,
            published_on: Some(d(on)),
            by: "监督员",
        })
        .await
        .unwrap()
}

fn criterion<'a>(a: &'a gongkai_store::AgencyOverview, id: &str) -> &'a quality::Criterion {
    a.scorecard.criteria.iter().find(|c| c.id == id).unwrap()
}

/// Imports of a department without gongkai: the same report as PDF and as a web page is no
/// amendment, a republication with other figures is one; withdrawing imports (撤销) falls back to
/// the previous import, then to the registers (missing), and takes last year's withdrawn import
/// out of the problems comparison; bad withdrawals are refused and change nothing.
async fn withdrawn_imports_and_republished_figures(db: TestDb) {
    let (store, cal) = (&db.store, Calendar::official());
    seed(store, &cal).await;
    let view = || async { store.supervise(COUNTY_B, YEAR, today(), &cal).await.unwrap() };
    let problems = "存在的主要问题：一是教育收费信息更新不够及时，二是招生政策解读材料偏少。下一步将建立月度更新制度，增加图解和问答。";
    // County B's roll-up of 2024, before any import, gives the files their tables.
    let base = store.supervise_uncached(COUNTY_B, YEAR, today(), &cal).await.unwrap().rollup;
    let first = published_file(&base, YEAR, 7, problems);
    let pdf = import(store, YEAR, "教育局2024年报.pdf", "PDF", &first, "2025-01-20").await;
    let mut reworded = first.clone();
    reworded.sections[0].text = format!("{problems}（网页版）");
    let html = import(store, YEAR, "教育局2024年报.html", "HTML", &reworded, "2025-01-20").await;

    // Same figures in another format: the HTML counts, no amendment.
    let o = view().await;
    let dept = agency(&o, DEPT_B);
    assert_eq!(dept.report.source.as_ref().unwrap().file_name, "教育局2024年报.html");
    assert_eq!(dept.report.amendments, 0);
    let amended = criterion(dept, quality::id::AMENDED);
    assert_eq!(amended.verdict, Verdict::Pass, "{amended:?}");
    assert!(amended.reason.contains("未以不同的统计数据"), "{}", amended.reason);
    assert_eq!(dept.report.status, ReportStatus::PublishedOnTime);

    // Republished on 25 January with table 3 corrected: one amendment, the criterion fails.
    let corrected = published_file(&base, YEAR, 9, problems);
    let wrong = import(store, YEAR, "教育局2024年报（更正）.pdf", "PDF", &corrected, "2025-01-25").await;
    let o = view().await;
    let dept = agency(&o, DEPT_B);
    assert_eq!(dept.report.source.as_ref().unwrap().file_name, "教育局2024年报（更正）.pdf");
    assert_eq!(dept.report.amendments, 1);
    let amended = criterion(dept, quality::id::AMENDED);
    assert_eq!(amended.verdict, Verdict::Fail);
    assert!(amended.reason.contains("重新发布1次"), "{}", amended.reason);
    assert_eq!(o.rollup.requests.unwrap().received.total, Some(9), "the file's 9 and county B's own none");

    // Bad withdrawals: refused with the field, nothing changed.
    let before = store.list_published_reports(COUNTY_B).await.unwrap();
    for (id, reason, what) in [
        (wrong.id.as_str(), "  ", "reason"),
        (wrong.id.as_str(), &"长".repeat(501), "reason"),
        (wrong.id.as_str(), "", "reason"),
    ] {
        match store.withdraw_published_report(id, reason, "监督员").await {
            Err(StoreError::Invalid { what: w, detail }) => {
                assert!(w == what && detail.contains("撤销理由"), "{detail}")
            }
            other => panic!("expected Invalid {what}: {other:?}"),
        }
    }
    assert!(matches!(
        store.withdraw_published_report("no-such-import", "机关选错", "监督员").await,
        Err(StoreError::NotFound { .. })
    ));
    assert_eq!(store.list_published_reports(COUNTY_B).await.unwrap(), before);

    // Withdrawn: the previous import (the HTML) counts again, no amendment any more.
    let w = store.withdraw_published_report(&wrong.id, "文件选错：更正稿未正式发布", "监督员").await.unwrap();
    assert_eq!(w.withdrawn.as_ref().unwrap().withdraw_reason, "文件选错：更正稿未正式发布");
    let o = view().await;
    let dept = agency(&o, DEPT_B);
    assert_eq!(dept.report.source.as_ref().unwrap().file_name, "教育局2024年报.html");
    assert_eq!((dept.report.amendments, criterion(dept, quality::id::AMENDED).verdict), (0, Verdict::Pass));
    assert_eq!(o.rollup.requests.unwrap().received.total, Some(7));
    // The history still lists it, marked; twice is refused and changes nothing.
    let list = store.list_published_reports(COUNTY_B).await.unwrap();
    assert_eq!(list.len(), 3);
    let listed = list.iter().find(|p| p.id == wrong.id).unwrap();
    let mark = listed.withdrawn.clone().unwrap();
    assert_eq!((mark.withdrawn_by.as_str(), mark.withdraw_reason.as_str()), ("监督员", "文件选错：更正稿未正式发布"));
    assert!(list.iter().filter(|p| p.id != wrong.id).all(|p| p.withdrawn.is_none()));
    match store.withdraw_published_report(&wrong.id, "再撤一次", "另一人").await {
        Err(StoreError::Invalid { what: "id", detail }) => assert!(detail.contains("不能再次撤销"), "{detail}"),
        other => panic!("expected already withdrawn: {other:?}"),
    }
    assert_eq!(store.published_report(&wrong.id).await.unwrap().unwrap().withdrawn, Some(mark));
    // Every withdrawal is in the audit trail.
    let audit = store.list_audit(50).await.unwrap();
    let records: Vec<_> = audit.iter().filter(|r| r.event.event_type == "supervise.withdraw_import").collect();
    assert_eq!(records.len(), 1);
    assert_eq!(records[0].event.username.as_deref(), Some("监督员"));
    assert_eq!(records[0].event.target.as_deref(), Some(DEPT_B));
    assert!(records[0].event.detail.as_deref().unwrap().contains("文件选错"));
    assert_eq!(store.verify_audit_chain().await.unwrap(), audit.len() as i64);

    // Last year's import with the same problems text: copied, the criterion fails; withdrawn, it
    // is no longer last year's text.
    let last_year = published_file(&base, YEAR - 1, 3, &problems.replace("月度", "季度"));
    let old = import(store, YEAR - 1, "教育局2023年报.pdf", "PDF", &last_year, "2024-01-18").await;
    let specific = |o: &Overview| criterion(agency(o, DEPT_B), quality::id::PROBLEMS_SPECIFIC).clone();
    let copied = specific(&view().await);
    assert_eq!(copied.verdict, Verdict::Fail, "{copied:?}");
    assert!(copied.values.contains_key("previous_similarity"));
    store.withdraw_published_report(&old.id, "机关选错：是乙县卫健局的报告", "监督员").await.unwrap();
    let own = specific(&view().await);
    assert_eq!(own.verdict, Verdict::Pass, "{own:?}");
    assert!(!own.values.contains_key("previous_similarity"));

    // Every 2024 import withdrawn: the registers count again (nothing published: missing).
    for p in [&html, &pdf] {
        store.withdraw_published_report(&p.id, "机关选错", "监督员").await.unwrap();
    }
    let o = view().await;
    let dept = agency(&o, DEPT_B);
    assert!(dept.report.source.is_none());
    assert_eq!(dept.report.status, ReportStatus::Missing);
    assert_eq!(o.rollup.requests.unwrap().received.total, Some(1));
    assert_eq!(o, store.supervise_uncached(COUNTY_B, YEAR, today(), &cal).await.unwrap());
    assert!(store.list_published_reports(COUNTY_B).await.unwrap().iter().all(|p| p.withdrawn.is_some()));
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

on_both_backends!(county_overview, city_and_other_county, withdrawn_imports_and_republished_figures);
