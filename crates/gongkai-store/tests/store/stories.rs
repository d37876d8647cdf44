//! The test bodies, each `async fn(TestDb)`, backend-agnostic.

use chrono::NaiveDate;
use gongkai_core::register::{
    Agency, AgencyKind, Applicant, ApplicantType, Article20Figures, Case, Channel, Event, EventKind, FeeMethod,
    ProactiveDisclosure, Request,
};
use gongkai_core::report::{Amount, CaseGroup, CaseResult, RequestRow};
use gongkai_store::{Backend, Publication, RequestFilter, Store, StoreError};
use sqlx::Row;

use crate::harness::TestDb;

// ---------------------------------------------------------------- fixtures

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap_or_else(|e| panic!("bad test date {s}: {e}"))
}

fn agency(code: &str, name: &str, parent: Option<&str>, kind: AgencyKind) -> Agency {
    Agency { code: code.into(), name: name.into(), parent: parent.map(Into::into), kind }
}

const CITY: &str = "330100";
const FINANCE: &str = "330100-czj";

/// 杭州市 → 市财政局, 市生态环境局, 西湖区 → 西溪街道, 北山街道.
async fn seed_agencies(store: &Store) {
    for a in [
        agency(CITY, "杭州市人民政府", None, AgencyKind::Government),
        agency(FINANCE, "杭州市财政局", Some(CITY), AgencyKind::Department),
        agency("330100-sthjj", "杭州市生态环境局", Some(CITY), AgencyKind::Department),
        agency("330106", "杭州市西湖区人民政府", Some(CITY), AgencyKind::Government),
        agency("330106-xx", "西溪街道办事处", Some("330106"), AgencyKind::Township),
        agency("330106-bs", "北山街道办事处", Some("330106"), AgencyKind::Township),
    ] {
        store.upsert_agency(&a).await.unwrap();
    }
}

fn request(agency: &str, number: &str, received: &str) -> Request {
    Request {
        agency: agency.into(),
        tracking_number: number.into(),
        channel: Channel::Online,
        received_on: d(received),
        applicant: Applicant {
            id_document_type: None,
            kind: ApplicantType::NaturalPerson,
            name: "张三".into(),
            id_document: Some("110101199003071234".into()),
            contact: Some("13800000000".into()),
        },
        content: "申请公开本机关2023年度财政预算执行情况".into(),
        requested_form: Some("电子邮件".into()),
        delivery: Some("电子邮件".into()),
    }
}

fn event(on: &str, kind: EventKind) -> Event {
    Event { on: d(on), by: "王五".into(), kind }
}

fn reply(on: &str) -> Event {
    event(on, EventKind::Reply { outcome: RequestRow::Granted, document: Some("杭财依复〔2024〕1号".into()) })
}

fn withdrawal(on: &str) -> Event {
    event(on, EventKind::Withdrawal)
}

fn numbers(requests: &[(Request, Vec<Event>)]) -> Vec<&str> {
    requests.iter().map(|(r, _)| r.tracking_number.as_str()).collect()
}

fn listed(requests: &[(gongkai_store::RequestId, Request)]) -> Vec<&str> {
    requests.iter().map(|(_, r)| r.tracking_number.as_str()).collect()
}

// ---------------------------------------------------------------- stories

pub async fn migrate_twice_is_a_no_op(db: TestDb) {
    let store = &db.store;
    let version = store.schema_version().await.unwrap();
    assert!(version.is_some(), "the harness migrated");
    assert_eq!(version, Store::latest_schema_version());
    seed_agencies(store).await;

    store.migrate().await.unwrap();
    store.migrate().await.unwrap();

    assert_eq!(store.schema_version().await.unwrap(), version);
    assert_eq!(store.list_agencies().await.unwrap().len(), 6, "data survives re-migration");
    let mut raw = db.raw().await;
    let applied: i64 = sqlx::query("SELECT COUNT(*) AS n FROM _sqlx_migrations")
        .fetch_one(&mut raw)
        .await
        .unwrap()
        .try_get("n")
        .unwrap();
    // Each migration file applied exactly once, whatever the number of files.
    let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations"))
        .unwrap()
        .filter(|e| e.as_ref().is_ok_and(|e| e.path().extension().is_some_and(|x| x == "sql")))
        .count();
    assert!(files >= 4, "the migrations directory lists {files} files");
    assert_eq!(applied, i64::try_from(files).unwrap(), "every migration applied once");

    if store.backend() == Backend::Sqlite {
        let mode: String = sqlx::query("PRAGMA journal_mode").fetch_one(&mut raw).await.unwrap().try_get(0).unwrap();
        assert_eq!(mode, "wal");
    }
}

pub async fn a_database_newer_than_the_binary_is_refused(db: TestDb) {
    let mut raw = db.raw().await;
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(99_990_101_000_000_i64)
    .bind("from a newer gongkai")
    .bind(true)
    .bind(vec![0_u8; 48])
    .bind(0_i64)
    .execute(&mut raw)
    .await
    .unwrap();
    let e = db.store.migrate().await.unwrap_err();
    assert!(matches!(e, StoreError::Migrate(_)), "{e:?}");
}

pub async fn agency_tree_and_subtree(db: TestDb) {
    let store = &db.store;
    seed_agencies(store).await;

    let all = store.list_agencies().await.unwrap();
    assert_eq!(all.len(), 6);
    assert_eq!(
        store.get_agency(FINANCE).await.unwrap().unwrap(),
        agency(FINANCE, "杭州市财政局", Some(CITY), AgencyKind::Department)
    );
    assert_eq!(store.get_agency("999999").await.unwrap(), None);

    let county: Vec<String> = store.agency_subtree("330106").await.unwrap().into_iter().map(|a| a.code).collect();
    assert_eq!(county, ["330106", "330106-bs", "330106-xx"], "root first, then by depth and code");

    let city: Vec<String> = store.agency_subtree(CITY).await.unwrap().into_iter().map(|a| a.code).collect();
    assert_eq!(city, [CITY, "330100-czj", "330100-sthjj", "330106", "330106-bs", "330106-xx"]);

    let town = store.agency_subtree("330106-xx").await.unwrap();
    assert_eq!(town.len(), 1);
    assert_eq!(town[0].kind, AgencyKind::Township);

    assert!(matches!(store.agency_subtree("999999").await, Err(StoreError::NotFound { what: "agency", .. })));

    // Upsert updates in place.
    store
        .upsert_agency(&agency(FINANCE, "杭州市财政局（市国资委）", Some(CITY), AgencyKind::Department))
        .await
        .unwrap();
    assert_eq!(store.get_agency(FINANCE).await.unwrap().unwrap().name, "杭州市财政局（市国资委）");
    assert_eq!(store.list_agencies().await.unwrap().len(), 6);

    // Moving a town under another parent moves its subtree.
    store.upsert_agency(&agency("330106-bs", "北山街道办事处", Some(CITY), AgencyKind::Township)).await.unwrap();
    assert_eq!(store.agency_subtree("330106").await.unwrap().len(), 2);

    // No cycles, no unknown parents.
    let e = store.upsert_agency(&agency(CITY, "杭州市人民政府", Some("330106-xx"), AgencyKind::Government)).await;
    assert!(matches!(e, Err(StoreError::Invalid { what: "agency tree", .. })), "{e:?}");
    let e = store.upsert_agency(&agency("330106", "西湖区", Some("330106"), AgencyKind::Government)).await;
    assert!(matches!(e, Err(StoreError::Invalid { .. })), "{e:?}");
    let e = store.upsert_agency(&agency("330108", "滨江区", Some("999999"), AgencyKind::Government)).await;
    assert!(matches!(&e, Err(StoreError::NotFound { what: "agency", key }) if key == "999999"), "{e:?}");
}

pub async fn request_and_events_round_trip(db: TestDb) {
    let store = &db.store;
    seed_agencies(store).await;
    let mut req = request(FINANCE, "杭财依申〔2024〕1号", "2024-03-01");
    req.channel = Channel::Letter;
    req.applicant.kind = ApplicantType::LegalServices;
    req.applicant.id_document = None;
    req.delivery = None;
    let id = store.insert_request(&req).await.unwrap();

    // Every EventKind variant (the store does not validate transitions).
    let events = vec![
        event("2024-03-04", EventKind::CorrectionNotice { note: "请明确所需信息的名称".into(), period_days: 15 }),
        event("2024-03-10", EventKind::CorrectionReceived),
        event("2024-03-12", EventKind::ConsultationSent { party: "某某科技有限公司".into() }),
        event("2024-03-25", EventKind::ConsultationAnswered),
        event("2024-03-28", EventKind::Extension { approver: "李四".into(), reason: "需要调取档案".into() }),
        event(
            "2024-04-01",
            EventKind::FeeNotice {
                method: FeeMethod::PerPage,
                units: 120,
                amount_yuan: Amount::parse("35.62").unwrap(),
            },
        ),
        event("2024-04-02", EventKind::FeePaid),
        event("2024-04-10", EventKind::Reply { outcome: RequestRow::ThirdPartyRights, document: None }),
        event(
            "2024-04-11",
            EventKind::Reply { outcome: RequestRow::PartiallyGranted, document: Some("答复书".into()) },
        ),
        withdrawal("2024-04-12"),
    ];
    for (i, e) in events.iter().enumerate() {
        assert_eq!(store.append_event(&id, e).await.unwrap(), i as i64 + 1);
    }

    let (back, back_events) = store.get_request(&id).await.unwrap().expect("stored request");
    assert_eq!(back, req);
    assert_eq!(back_events, events);

    assert_eq!(store.find_request(FINANCE, "杭财依申〔2024〕1号").await.unwrap(), Some(id.clone()));
    assert_eq!(store.find_request(CITY, "杭财依申〔2024〕1号").await.unwrap(), None);

    // A request without events.
    let bare = request(FINANCE, "2", "2024-05-01");
    let bare_id = store.insert_request(&bare).await.unwrap();
    assert_ne!(bare_id, id);
    assert_eq!(store.get_request(&bare_id).await.unwrap(), Some((bare, vec![])));
    assert_eq!(store.get_request(&"no-such-id".to_string().into()).await.unwrap(), None);

    // The payload column holds the EventKind JSON, the type column its tag.
    let mut raw = db.raw().await;
    let row = sqlx::query("SELECT \"type\" AS t, payload FROM request_events WHERE request = $1 AND seq = 6")
        .bind(id.as_str())
        .fetch_one(&mut raw)
        .await
        .unwrap();
    assert_eq!(row.try_get::<String, _>("t").unwrap(), "fee_notice");
    let payload: serde_json::Value = serde_json::from_str(&row.try_get::<String, _>("payload").unwrap()).unwrap();
    assert_eq!(payload["amount_yuan"], "35.62");
    assert_eq!(payload["method"], "per_page");
}

pub async fn duplicate_tracking_number_is_a_conflict(db: TestDb) {
    let store = &db.store;
    seed_agencies(store).await;
    store.insert_request(&request(FINANCE, "2024-007", "2024-02-01")).await.unwrap();

    let e = store.insert_request(&request(FINANCE, "2024-007", "2024-02-02")).await.unwrap_err();
    match &e {
        StoreError::Conflict { what, agency, key } => {
            assert_eq!(*what, "request");
            assert_eq!(agency, FINANCE);
            assert_eq!(key, "2024-007");
        }
        other => panic!("expected Conflict, got {other:?}"),
    }
    let msg = e.to_string();
    assert!(msg.contains(FINANCE) && msg.contains("2024-007"), "{msg}");
    assert!(!msg.contains("张三"), "no personal information in errors: {msg}");

    // The same number in another agency is fine.
    store.insert_request(&request(CITY, "2024-007", "2024-02-01")).await.unwrap();
    assert_eq!(store.list_requests(FINANCE, RequestFilter::All).await.unwrap().len(), 1);
}

pub async fn unknown_agency_or_request_is_not_found(db: TestDb) {
    let store = &db.store;
    seed_agencies(store).await;
    let e = store.insert_request(&request("999999", "1", "2024-01-01")).await.unwrap_err();
    assert!(matches!(&e, StoreError::NotFound { what: "agency", key } if key == "999999"), "{e:?}");

    let e = store.append_event(&"no-such-id".to_string().into(), &withdrawal("2024-01-02")).await.unwrap_err();
    assert!(matches!(e, StoreError::NotFound { what: "request", .. }), "{e:?}");

    let case = Case {
        agency: FINANCE.into(),
        number: "1".into(),
        group: CaseGroup::Review,
        request: None,
        filed_on: d("2024-01-01"),
        decided_on: None,
        result: None,
    };
    let e = store.update_case(&case).await.unwrap_err();
    assert!(matches!(e, StoreError::NotFound { what: "case", .. }), "{e:?}");
    let e = store.set_narrative("999999", 2024, "overview", "x").await.unwrap_err();
    assert!(matches!(e, StoreError::NotFound { what: "agency", .. }), "{e:?}");
}

pub async fn concurrent_appends_get_distinct_seqs(db: TestDb) {
    let store = db.store.clone();
    seed_agencies(&store).await;
    let id = store.insert_request(&request(FINANCE, "1", "2024-01-02")).await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..20 {
        let store = store.clone();
        let id = id.clone();
        tasks.push(tokio::spawn(async move {
            store
                .append_event(&id, &event("2024-01-03", EventKind::ConsultationSent { party: format!("第三方{i}") }))
                .await
        }));
    }
    let mut seqs = Vec::new();
    for t in tasks {
        seqs.push(t.await.unwrap().unwrap());
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=20).collect::<Vec<i64>>());
    let (_, events) = store.get_request(&id).await.unwrap().unwrap();
    assert_eq!(events.len(), 20);
}

pub async fn bulk_insert_is_all_or_nothing(db: TestDb) {
    let store = &db.store;
    seed_agencies(store).await;
    let batch: Vec<(Request, Vec<Event>)> = (1..=300)
        .map(|i| {
            let received = format!("2024-{:02}-{:02}", 1 + i % 12, 1 + i % 28);
            let events = if i % 3 == 0 { vec![reply("2024-12-30")] } else { vec![] };
            (request(FINANCE, &format!("B{i:04}"), &received), events)
        })
        .collect();
    let ids = store.insert_requests_bulk(&batch).await.unwrap();
    assert_eq!(ids.len(), 300);
    let (r, events) = store.get_request(&ids[2]).await.unwrap().unwrap();
    assert_eq!(r.tracking_number, "B0003");
    assert_eq!(events, vec![reply("2024-12-30")]);
    // Events loaded in bulk keep counting from their seq.
    assert_eq!(store.append_event(&ids[2], &withdrawal("2024-12-31")).await.unwrap(), 2);

    // A duplicate in the middle of a batch: Conflict, and none of the batch is kept.
    let bad = vec![
        (request(FINANCE, "C0001", "2024-06-01"), vec![reply("2024-06-10")]),
        (request(FINANCE, "B0150", "2024-06-01"), vec![]),
        (request(FINANCE, "C0003", "2024-06-01"), vec![]),
    ];
    let e = store.insert_requests_bulk(&bad).await.unwrap_err();
    assert!(matches!(&e, StoreError::Conflict { key, .. } if key == "B0150"), "{e:?}");
    assert_eq!(store.find_request(FINANCE, "C0001").await.unwrap(), None, "rolled back");
    assert_eq!(store.list_requests(FINANCE, RequestFilter::All).await.unwrap().len(), 300);

    // A duplicate within the batch itself.
    let dup = vec![(request(CITY, "D1", "2024-06-01"), vec![]), (request(CITY, "D1", "2024-06-02"), vec![])];
    assert!(matches!(store.insert_requests_bulk(&dup).await, Err(StoreError::Conflict { .. })));
    assert!(store.list_requests(CITY, RequestFilter::All).await.unwrap().is_empty());
}

pub async fn list_requests_by_receipt_and_open_at(db: TestDb) {
    let store = &db.store;
    seed_agencies(store).await;
    let cases = [
        ("A", "2023-11-05", Some(reply("2023-12-01"))),
        ("B", "2023-12-20", Some(reply("2024-01-10"))),
        ("C", "2023-12-31", None),
        ("D", "2024-01-01", Some(withdrawal("2024-12-31"))),
        ("E", "2024-12-31", None),
    ];
    for (number, received, closing) in &cases {
        let id = store.insert_request(&request(FINANCE, number, received)).await.unwrap();
        if let Some(e) = closing {
            store.append_event(&id, &event(received, EventKind::CorrectionReceived)).await.unwrap();
            store.append_event(&id, e).await.unwrap();
        }
    }
    store.insert_request(&request(CITY, "other agency", "2024-06-01")).await.unwrap();

    let all = store.list_requests(FINANCE, RequestFilter::All).await.unwrap();
    assert_eq!(listed(&all), ["A", "B", "C", "D", "E"]);

    let in_2024 = RequestFilter::ReceivedBetween { from: d("2024-01-01"), to: d("2024-12-31") };
    assert_eq!(listed(&store.list_requests(FINANCE, in_2024).await.unwrap()), ["D", "E"]);
    let december = RequestFilter::ReceivedBetween { from: d("2023-12-20"), to: d("2023-12-31") };
    assert_eq!(listed(&store.list_requests(FINANCE, december).await.unwrap()), ["B", "C"]);

    // Open at the end of the day: received on or before it, not finished on or before it.
    let open = |day| store.list_requests(FINANCE, RequestFilter::OpenAt(d(day)));
    assert_eq!(listed(&open("2023-12-31").await.unwrap()), ["B", "C"], "carried forward from 2023");
    assert_eq!(listed(&open("2024-01-09").await.unwrap()), ["B", "C", "D"]);
    assert_eq!(listed(&open("2024-01-10").await.unwrap()), ["C", "D"], "replied that day");
    assert_eq!(listed(&open("2024-12-31").await.unwrap()), ["C", "E"], "carried forward from 2024");
    assert_eq!(listed(&open("2023-11-04").await.unwrap()), Vec::<&str>::new());
}

pub async fn load_year_boundaries(db: TestDb) {
    let store = &db.store;
    seed_agencies(store).await;
    let requests = vec![
        // Received 2023-12-20, replied 2024-01-10: carried over into 2024.
        (request(FINANCE, "carried-over", "2023-12-20"), vec![reply("2024-01-10")]),
        // Received 2023-12-20, replied 2023-12-28: finished before 2024, not in it.
        (request(FINANCE, "finished-2023", "2023-12-20"), vec![reply("2023-12-28")]),
        // Withdrawn on the last day of 2023: not in 2024.
        (request(FINANCE, "withdrawn-2023-12-31", "2023-12-01"), vec![withdrawal("2023-12-31")]),
        // Replied on the first day of 2024: in it.
        (request(FINANCE, "replied-2024-01-01", "2023-12-25"), vec![reply("2024-01-01")]),
        // Still open since 2022: in it.
        (request(FINANCE, "open-since-2022", "2022-06-01"), vec![event("2022-06-03", EventKind::CorrectionReceived)]),
        // Received on the last day of 2024: in it, carried forward.
        (request(FINANCE, "received-2024-12-31", "2024-12-31"), vec![]),
        // Received in 2025: not in it.
        (request(FINANCE, "received-2025", "2025-01-01"), vec![]),
        // Received and replied in 2024.
        (
            request(FINANCE, "within-2024", "2024-05-06"),
            vec![event("2024-05-07", EventKind::CorrectionReceived), reply("2024-05-20")],
        ),
    ];
    store.insert_requests_bulk(&requests).await.unwrap();
    store.insert_request(&request(CITY, "another-agency", "2024-03-03")).await.unwrap();

    let case = |number: &str, filed: &str, decided: Option<&str>| Case {
        agency: FINANCE.into(),
        number: number.into(),
        group: CaseGroup::Review,
        request: Some("carried-over".into()),
        filed_on: d(filed),
        decided_on: decided.map(d),
        result: decided.map(|_| CaseResult::Upheld),
    };
    for c in [
        case("decided-2023-12-31", "2023-05-01", Some("2023-12-31")),
        case("decided-2024-01-01", "2023-05-01", Some("2024-01-01")),
        case("pending-since-2023", "2023-11-01", None),
        case("filed-2024-12-31", "2024-12-31", None),
        case("filed-2025", "2025-01-02", None),
    ] {
        store.insert_case(&c).await.unwrap();
    }

    let proactive = |index: &str, published: &str| ProactiveDisclosure {
        agency: FINANCE.into(),
        index_number: index.into(),
        title: "关于印发预算管理办法的通知".into(),
        document_number: None,
        article20_item: Some(1),
        category: None,
        channels: vec!["website".into()],
        published_on: d(published),
        validity: None,
    };
    for p in [
        proactive("2023-12-31", "2023-12-31"),
        proactive("2024-01-01", "2024-01-01"),
        proactive("2024-12-31", "2024-12-31"),
        proactive("2025-01-01", "2025-01-01"),
    ] {
        store.insert_proactive(&p).await.unwrap();
    }
    let figures = Article20Figures { agency: FINANCE.into(), year: 2024, rules_issued: Some(2), ..Default::default() };
    store.put_article20_figures(&figures).await.unwrap();
    store.put_article20_figures(&Article20Figures { year: 2023, ..figures.clone() }).await.unwrap();

    let y = store.load_year(FINANCE, 2024).await.unwrap();
    assert_eq!(y.agency, FINANCE);
    assert_eq!(y.year, 2024);
    assert_eq!(
        numbers(&y.requests),
        ["open-since-2022", "carried-over", "replied-2024-01-01", "within-2024", "received-2024-12-31"]
    );
    let within = &y.requests[3];
    assert_eq!(within.1.len(), 2, "all events, in order");
    assert_eq!(within.1[1], reply("2024-05-20"));
    assert_eq!(y.requests[0].1, vec![event("2022-06-03", EventKind::CorrectionReceived)]);
    assert!(y.requests[4].1.is_empty());

    let case_numbers: Vec<&str> = y.cases.iter().map(|c| c.number.as_str()).collect();
    assert_eq!(case_numbers, ["decided-2024-01-01", "pending-since-2023", "filed-2024-12-31"]);
    assert_eq!(y.figures, Some(figures));
    let indexes: Vec<&str> = y.proactive.iter().map(|p| p.index_number.as_str()).collect();
    assert_eq!(indexes, ["2024-01-01", "2024-12-31"]);

    // The year before: the request finished on 2023-12-28 belongs to 2023.
    let y2023 = store.load_year(FINANCE, 2023).await.unwrap();
    assert_eq!(
        numbers(&y2023.requests),
        ["open-since-2022", "withdrawn-2023-12-31", "carried-over", "finished-2023", "replied-2024-01-01"]
    );
    let empty = store.load_year(FINANCE, 2021).await.unwrap();
    assert!(empty.requests.is_empty() && empty.cases.is_empty() && empty.proactive.is_empty());
    assert_eq!(empty.figures, None);
}

pub async fn cases_round_trip(db: TestDb) {
    let store = &db.store;
    seed_agencies(store).await;
    let mut all = Vec::new();
    for (i, group) in CaseGroup::ALL.into_iter().enumerate() {
        for (j, result) in [None, Some(CaseResult::Upheld), Some(CaseResult::Corrected), Some(CaseResult::Other)]
            .into_iter()
            .enumerate()
        {
            all.push(Case {
                agency: FINANCE.into(),
                number: format!("杭复〔2024〕{i}{j}号"),
                group,
                request: if j % 2 == 0 { Some("杭财依申〔2024〕1号".into()) } else { None },
                filed_on: d(&format!("2024-0{}-1{j}", i + 1)),
                decided_on: result.map(|_| d("2024-09-30")),
                result,
            });
        }
    }
    for c in &all {
        store.insert_case(c).await.unwrap();
    }
    let mut expected = all.clone();
    expected.sort_by(|a, b| (a.filed_on, &a.number).cmp(&(b.filed_on, &b.number)));
    assert_eq!(store.list_cases(FINANCE).await.unwrap(), expected);
    assert!(store.list_cases(CITY).await.unwrap().is_empty());

    let e = store.insert_case(&all[0]).await.unwrap_err();
    assert!(matches!(&e, StoreError::Conflict { what: "case", key, .. } if *key == all[0].number), "{e:?}");

    // Deciding a pending case.
    let mut decided = all[0].clone();
    decided.decided_on = Some(d("2024-12-01"));
    decided.result = Some(CaseResult::Corrected);
    store.update_case(&decided).await.unwrap();
    let back = store.list_cases(FINANCE).await.unwrap();
    assert!(back.contains(&decided));
    assert_eq!(back.len(), all.len());
}

pub async fn proactive_disclosures_round_trip(db: TestDb) {
    let store = &db.store;
    seed_agencies(store).await;
    let full = ProactiveDisclosure {
        agency: FINANCE.into(),
        index_number: "002489487/2024-00012".into(),
        title: "杭州市财政局关于2024年度部门预算公开的通知".into(),
        document_number: Some("杭财预〔2024〕3号".into()),
        article20_item: Some(8),
        category: Some("财政预算、决算".into()),
        channels: vec!["website".into(), "gazette".into(), "wechat".into()],
        published_on: d("2024-02-08"),
        validity: Some("有效".into()),
    };
    let bare = ProactiveDisclosure {
        agency: FINANCE.into(),
        index_number: "002489487/2024-00001".into(),
        title: "通知".into(),
        document_number: None,
        article20_item: None,
        category: None,
        channels: vec![],
        published_on: d("2024-02-08"),
        validity: None,
    };
    store.insert_proactive(&full).await.unwrap();
    store.insert_proactive(&bare).await.unwrap();
    assert_eq!(store.list_proactive(FINANCE).await.unwrap(), vec![bare, full.clone()]);
    let e = store.insert_proactive(&full).await.unwrap_err();
    assert!(matches!(e, StoreError::Conflict { what: "proactive disclosure", .. }), "{e:?}");
}

pub async fn figures_decimal_amount_round_trips_exactly(db: TestDb) {
    let store = &db.store;
    seed_agencies(store).await;
    let figures = Article20Figures {
        agency: FINANCE.into(),
        year: 2024,
        rules_issued: Some(0),
        rules_repealed: None,
        rules_in_force: Some(12),
        normative_issued: Some(3),
        normative_repealed: Some(1),
        normative_in_force: Some(57),
        licensing_decisions: Some(1_234_567),
        penalty_decisions: Some(89),
        coercive_decisions: None,
        fees_wan_yuan: Some(Amount::parse("35.62").unwrap()),
    };
    store.put_article20_figures(&figures).await.unwrap();
    let back = store.get_article20_figures(FINANCE, 2024).await.unwrap().unwrap();
    assert_eq!(back, figures);
    assert_eq!(back.fees_wan_yuan.as_ref().unwrap().as_str(), "35.62");

    // Stored as the exact decimal text, not a float.
    let mut raw = db.raw().await;
    let stored: String = sqlx::query("SELECT fees_wan_yuan FROM article20_figures WHERE agency = $1 AND year = 2024")
        .bind(FINANCE)
        .fetch_one(&mut raw)
        .await
        .unwrap()
        .try_get("fees_wan_yuan")
        .unwrap();
    assert_eq!(stored, "35.62");

    // Amounts that floats get wrong, and replacement by upsert.
    for amount in ["0.1", "1234567890123.000001", "-3", "0"] {
        let f = Article20Figures { fees_wan_yuan: Some(Amount::parse(amount).unwrap()), ..figures.clone() };
        store.put_article20_figures(&f).await.unwrap();
        let back = store.get_article20_figures(FINANCE, 2024).await.unwrap().unwrap();
        assert_eq!(back.fees_wan_yuan.unwrap().as_str(), amount);
    }
    let cleared = Article20Figures { fees_wan_yuan: None, ..figures.clone() };
    store.put_article20_figures(&cleared).await.unwrap();
    assert_eq!(store.get_article20_figures(FINANCE, 2024).await.unwrap(), Some(cleared));
    assert_eq!(store.get_article20_figures(FINANCE, 2023).await.unwrap(), None);
    assert_eq!(store.list_article20_figures(FINANCE).await.unwrap().len(), 1);
}

pub async fn narratives_publication_and_lock(db: TestDb) {
    let store = &db.store;
    seed_agencies(store).await;
    assert_eq!(store.get_narrative(FINANCE, 2024, "overview").await.unwrap(), None);
    store.set_narrative(FINANCE, 2024, "overview", "2024年，市财政局认真贯彻落实《条例》。").await.unwrap();
    store.set_narrative(FINANCE, 2024, "problems", "一是……二是……").await.unwrap();
    store.set_narrative(FINANCE, 2024, "overview", "改写后的总体情况。").await.unwrap();
    store.set_narrative(FINANCE, 2023, "overview", "上一年。").await.unwrap();
    assert_eq!(store.get_narrative(FINANCE, 2024, "overview").await.unwrap().as_deref(), Some("改写后的总体情况。"));
    assert_eq!(
        store.list_narratives(FINANCE, 2024).await.unwrap(),
        vec![
            ("overview".to_string(), "改写后的总体情况。".to_string()),
            ("problems".to_string(), "一是……二是……".to_string())
        ]
    );

    assert_eq!(store.get_publication(FINANCE, 2024).await.unwrap(), None);
    assert!(!store.is_locked(FINANCE, 2024).await.unwrap());
    let published =
        Publication { agency: FINANCE.into(), year: 2024, published_on: Some(d("2025-01-20")), locked: true };
    store.set_publication(&published).await.unwrap();
    assert_eq!(store.get_publication(FINANCE, 2024).await.unwrap(), Some(published.clone()));
    assert!(store.is_locked(FINANCE, 2024).await.unwrap());
    assert!(!store.is_locked(FINANCE, 2023).await.unwrap());
    let unlocked = Publication { locked: false, ..published };
    store.set_publication(&unlocked).await.unwrap();
    assert_eq!(store.get_publication(FINANCE, 2024).await.unwrap(), Some(unlocked));
    let draft = Publication { agency: CITY.into(), year: 2024, published_on: None, locked: false };
    store.set_publication(&draft).await.unwrap();
    assert_eq!(store.get_publication(CITY, 2024).await.unwrap(), Some(draft));
}

pub async fn amendments(db: TestDb) {
    let store = &db.store;
    seed_agencies(store).await;
    // Amendments are made by writing to a locked year with a reason; each write reaching it is
    // one amendment, stamped by the store.
    let publication = Publication { agency: FINANCE.into(), year: 2024, published_on: None, locked: true };
    store.set_publication(&publication).await.unwrap();
    let refused = store.set_narrative(FINANCE, 2024, "overview", "概述").await;
    assert!(matches!(refused, Err(StoreError::Locked { year: 2024, .. })), "{refused:?}");
    let amend =
        gongkai_store::Amend { reason: "答复日期录入错误，据答复书更正".into(), by: "王五".into() };
    let first = store.amending(&amend).set_narrative(FINANCE, 2024, "overview", "概述").await.unwrap();
    let second = store.amending(&amend).set_narrative(FINANCE, 2024, "problems", "问题").await.unwrap();
    assert_eq!(first.len(), 1);
    let stored = first[0].clone();
    assert!(stored.at.ends_with('Z') && stored.at.len() > 20, "{}", stored.at);
    assert_eq!((stored.record_table.as_str(), stored.record_key.as_str()), ("report_narratives", "overview"));
    assert_eq!((stored.reason.as_str(), stored.by.as_str()), ("答复日期录入错误，据答复书更正", "王五"));
    let mut all = first;
    all.extend(second);
    assert_eq!(store.list_amendments(FINANCE, 2024).await.unwrap(), all);
    assert!(store.list_amendments(FINANCE, 2023).await.unwrap().is_empty());
}

pub async fn unicode_text_round_trips(db: TestDb) {
    let store = &db.store;
    // CJK, a supplementary-plane character (𠀀), full-width punctuation, an emoji, a quote and a
    // backslash: nothing is mangled by either backend or by the JSON payloads.
    let text = "关于公开“𠀀”字号文件及《条例》第二十条（一）项的申请 — 😀 'x' \\ 〔2024〕";
    let code = "浙江省·杭州市";
    store.upsert_agency(&agency(code, "杭州市人民政府办公厅（市政务公开办）", None, AgencyKind::Other)).await.unwrap();
    let mut req = request(code, "浙〔2024〕第０１号", "2024-07-01");
    req.applicant.name = "欧阳·娜娜".into();
    req.applicant.contact = Some("浙江省杭州市西湖区文三路１号 邮编310000".into());
    req.content = text.into();
    let id = store.insert_request(&req).await.unwrap();
    let ev = event("2024-07-02", EventKind::Extension { approver: "司马光".into(), reason: text.into() });
    store.append_event(&id, &ev).await.unwrap();
    let (back, events) = store.get_request(&id).await.unwrap().unwrap();
    assert_eq!(back, req);
    assert_eq!(events, vec![ev]);
    assert_eq!(store.find_request(code, "浙〔2024〕第０１号").await.unwrap(), Some(id));
    assert_eq!(store.get_agency(code).await.unwrap().unwrap().name, "杭州市人民政府办公厅（市政务公开办）");
    store.set_narrative(code, 2024, "other_matters", text).await.unwrap();
    assert_eq!(store.get_narrative(code, 2024, "other_matters").await.unwrap().as_deref(), Some(text));
}

// ---------------------------------------------------------------- period lock (issue 4 item 6)

fn case(number: &str, filed: &str, decided: Option<(&str, CaseResult)>) -> Case {
    Case {
        agency: FINANCE.into(),
        number: number.into(),
        group: CaseGroup::Review,
        request: None,
        filed_on: d(filed),
        decided_on: decided.map(|(on, _)| d(on)),
        result: decided.map(|(_, r)| r),
    }
}

fn figures(year: i32, licensing: i64) -> Article20Figures {
    Article20Figures {
        agency: FINANCE.into(),
        year,
        licensing_decisions: Some(licensing),
        ..Article20Figures::default()
    }
}

fn proactive_item(index: &str, published: &str) -> ProactiveDisclosure {
    ProactiveDisclosure {
        agency: FINANCE.into(),
        index_number: index.into(),
        title: "关于2024年度预算的公告".into(),
        document_number: None,
        article20_item: Some(8),
        category: None,
        channels: vec!["website".into()],
        published_on: d(published),
        validity: None,
    }
}

async fn publish(store: &Store, agency: &str, year: i32) {
    store
        .set_publication(&Publication {
            agency: agency.into(),
            year,
            published_on: Some(d(&format!("{}-01-20", year + 1))),
            locked: true,
        })
        .await
        .unwrap();
}

fn assert_locked<T: std::fmt::Debug>(r: Result<T, StoreError>, year: i32) {
    match r {
        Err(StoreError::Locked { agency, year: y }) => {
            assert_eq!((agency.as_str(), y), (FINANCE, year));
        }
        other => panic!("expected Locked {{ {FINANCE}, {year} }}, got {other:?}"),
    }
}

/// The 2024 registers of FINANCE: a request replied to in 2024, one carried forward into 2025,
/// a case pending at the end of 2024, the figures and a narrative; then 2024 is published.
async fn seed_published_2024(store: &Store) -> gongkai_store::RequestId {
    seed_agencies(store).await;
    store
        .insert_requests_bulk(&[(request(FINANCE, "2024-001", "2024-03-01"), vec![reply("2024-03-20")])])
        .await
        .unwrap();
    let open = store.insert_request(&request(FINANCE, "2024-002", "2024-12-20")).await.unwrap();
    store.insert_case(&case("复〔2024〕1号", "2024-11-01", None)).await.unwrap();
    store.put_article20_figures(&figures(2024, 100)).await.unwrap();
    store.set_narrative(FINANCE, 2024, "overview", "总体情况。").await.unwrap();
    publish(store, FINANCE, 2024).await;
    open
}

pub async fn period_lock_refuses_changes_to_a_published_year(db: TestDb) {
    let store = &db.store;
    let open = seed_published_2024(store).await;
    let before = store.load_year(FINANCE, 2024).await.unwrap();
    assert_eq!(store.locked_years(FINANCE).await.unwrap(), vec![2024]);

    // Requests received in 2024, or earlier and carried into it: refused.
    assert_locked(store.insert_request(&request(FINANCE, "2024-003", "2024-06-01")).await, 2024);
    assert_locked(store.insert_request(&request(FINANCE, "2023-009", "2023-12-01")).await, 2024);
    // An event dated in 2024 on a request carried into 2024: refused. Dated 2025: accepted (work
    // on a request carried forward goes on).
    let notice = |on: &str| event(on, EventKind::CorrectionNotice { note: "请明确年份".into(), period_days: 10 });
    assert_locked(store.append_event(&open, &notice("2024-12-27")).await, 2024);
    store.append_event(&open, &notice("2025-01-03")).await.unwrap();
    // The other registers of 2024.
    assert_locked(store.insert_case(&case("复〔2024〕2号", "2024-12-01", None)).await, 2024);
    assert_locked(
        store.update_case(&case("复〔2024〕1号", "2024-11-01", Some(("2024-12-30", CaseResult::Upheld)))).await,
        2024,
    );
    assert_locked(store.put_article20_figures(&figures(2024, 101)).await, 2024);
    assert_locked(store.set_narrative(FINANCE, 2024, "overview", "改写。").await, 2024);
    assert_locked(store.insert_proactive(&proactive_item("FIN-2024-0001", "2024-05-01")).await, 2024);
    // All or nothing: a bulk load or batch with one 2024 request stores none of it.
    assert_locked(
        store
            .insert_requests_bulk(&[
                (request(FINANCE, "2025-001", "2025-01-06"), vec![]),
                (request(FINANCE, "2024-004", "2024-07-01"), vec![]),
            ])
            .await,
        2024,
    );
    let batch = gongkai_store::RegisterBatch {
        requests: vec![(request(FINANCE, "2025-002", "2025-01-07"), vec![])],
        figures: vec![figures(2025, 5), figures(2024, 7)],
        ..Default::default()
    };
    assert_locked(store.insert_batch(&batch).await, 2024);
    // The entries the batch is refused for, named before writing (imports list them by row):
    // the 2024 figures only; the 2025 request and figures reach no locked year.
    let entries = store.locked_entries(&batch).await.unwrap();
    assert_eq!(
        entries,
        [gongkai_store::LockedEntry { table: "article20_figures", index: 1, agency: FINANCE.into(), year: 2024 }]
    );
    let fine = gongkai_store::RegisterBatch { figures: vec![figures(2025, 5)], ..batch.clone() };
    assert!(store.locked_entries(&fine).await.unwrap().is_empty());
    assert_eq!(store.find_request(FINANCE, "2025-001").await.unwrap(), None);
    assert_eq!(store.find_request(FINANCE, "2025-002").await.unwrap(), None);
    assert_eq!(store.get_article20_figures(FINANCE, 2025).await.unwrap(), None);

    // Nothing of 2024 changed, and nothing was recorded as an amendment.
    let mut after = store.load_year(FINANCE, 2024).await.unwrap();
    // (The 2025 notice on the carried-forward request is part of its history, not of 2024.)
    for (r, events) in &mut after.requests {
        if r.tracking_number == "2024-002" {
            events.retain(|e| e.on.format("%Y").to_string() == "2024");
        }
    }
    assert_eq!(after, before);
    assert!(store.list_amendments(FINANCE, 2024).await.unwrap().is_empty());

    // Other years and other agencies are not locked.
    store.insert_request(&request(FINANCE, "2025-003", "2025-01-08")).await.unwrap();
    store.update_case(&case("复〔2024〕1号", "2024-11-01", Some(("2025-02-01", CaseResult::Corrected)))).await.unwrap();
    store.put_article20_figures(&figures(2025, 3)).await.unwrap();
    store.set_narrative(FINANCE, 2025, "overview", "2025年。").await.unwrap();
    store.insert_request(&request(CITY, "2024-001", "2024-06-01")).await.unwrap();
    // Unlocking (the office's decision) lets plain writes in again.
    store
        .set_publication(&Publication {
            agency: FINANCE.into(),
            year: 2024,
            published_on: Some(d("2025-01-20")),
            locked: false,
        })
        .await
        .unwrap();
    store.put_article20_figures(&figures(2024, 102)).await.unwrap();
}

pub async fn amendments_record_changes_to_a_locked_year(db: TestDb) {
    let store = &db.store;
    let open = seed_published_2024(store).await;
    let amend = gongkai_store::Amend { reason: "补录遗漏的登记".into(), by: "王五".into() };
    let amending = store.amending(&amend);

    // A blank reason is no amendment: refused, nothing stored.
    let blank = gongkai_store::Amend { reason: "  ".into(), by: "王五".into() };
    let e = store.amending(&blank).insert_request(&request(FINANCE, "2024-003", "2024-06-01")).await;
    assert!(matches!(e, Err(StoreError::Invalid { what: "amendment", .. })), "{e:?}");
    assert_eq!(store.find_request(FINANCE, "2024-003").await.unwrap(), None);

    let (_, a1) = amending.insert_request(&request(FINANCE, "2024-003", "2024-06-01")).await.unwrap();
    assert_eq!(a1.len(), 1);
    assert_eq!((a1[0].year, a1[0].record_table.as_str(), a1[0].record_key.as_str()), (2024, "requests", "2024-003"));
    assert_eq!(a1[0].reason, "补录遗漏的登记");
    assert_eq!(a1[0].by, "王五");
    let (seq, a2) = amending.append_event(&open, &reply("2024-12-30")).await.unwrap();
    assert_eq!(seq, 1);
    assert_eq!(a2[0].record_table, "request_events");
    assert_eq!(a2[0].record_key, "2024-002");
    let a3 = amending
        .update_case(&case("复〔2024〕1号", "2024-11-01", Some(("2024-12-30", CaseResult::Upheld))))
        .await
        .unwrap();
    assert_eq!(a3[0].record_table, "cases");
    let a4 = amending.put_article20_figures(&figures(2024, 101)).await.unwrap();
    assert_eq!((a4[0].record_table.as_str(), a4[0].record_key.as_str()), ("article20_figures", "2024"));
    let a5 = amending.set_narrative(FINANCE, 2024, "overview", "更正后的总体情况。").await.unwrap();
    assert_eq!(a5[0].record_key, "overview");
    let a6 = amending.insert_proactive(&proactive_item("FIN-2024-0001", "2024-05-01")).await.unwrap();
    assert_eq!(a6[0].record_table, "proactive_disclosures");
    let batch = gongkai_store::RegisterBatch {
        requests: vec![
            (request(FINANCE, "2024-004", "2024-07-01"), vec![]),
            (request(FINANCE, "2025-001", "2025-01-06"), vec![]),
        ],
        cases: vec![case("复〔2024〕2号", "2024-12-01", None)],
        ..Default::default()
    };
    let (ids, a7) = amending.insert_batch(&batch).await.unwrap();
    assert_eq!(ids.len(), 2);
    assert_eq!(
        a7.iter().map(|a| a.record_key.as_str()).collect::<Vec<_>>(),
        ["2024-004", "复〔2024〕2号"],
        "the 2025 request reaches no locked year: no amendment for it"
    );
    // An amending write that reaches no locked year records nothing.
    let (_, none) = amending.insert_request(&request(FINANCE, "2025-002", "2025-02-01")).await.unwrap();
    assert!(none.is_empty());

    // The changes are stored, and every amendment is listed under 2024 in order.
    let year = store.load_year(FINANCE, 2024).await.unwrap();
    assert!(numbers(&year.requests).contains(&"2024-003"));
    assert_eq!(year.figures.unwrap().licensing_decisions, Some(101));
    let listed = store.list_amendments(FINANCE, 2024).await.unwrap();
    assert_eq!(listed.len(), 8);
    assert_eq!(
        listed.iter().map(|a| a.record_table.as_str()).collect::<Vec<_>>(),
        [
            "requests",
            "request_events",
            "cases",
            "article20_figures",
            "report_narratives",
            "proactive_disclosures",
            "requests",
            "cases"
        ]
    );
    assert!(listed.iter().all(|a| a.reason == "补录遗漏的登记"));

    // A request carried through two locked years gets an amendment for each.
    publish(store, FINANCE, 2023).await;
    let (_, both) = amending.insert_request(&request(FINANCE, "2023-010", "2023-11-01")).await.unwrap();
    assert_eq!(both.iter().map(|a| a.year).collect::<Vec<_>>(), [2023, 2024]);
}

// ---------------------------------------------------------------- personal information at rest

/// B2.5 / B3.3: the identity document number, the contact and a TOTP secret are stored as SM4-GCM
/// ciphertext (nothing of them readable in the table), read back in clear through the store, found
/// by the blind index whatever the spacing, refused when moved to another row, and a database
/// opened with another key is refused as a whole — with nothing lost for the right key.
pub async fn b2_5_personal_information_is_encrypted_at_rest(db: TestDb) {
    let store = &db.store;
    seed_agencies(store).await;
    let mut a = request(FINANCE, "杭财依申〔2024〕1号", "2024-03-01");
    a.applicant.id_document = Some("11010119900307761X".into());
    a.applicant.contact = Some("13912345678 杭州市西湖区文三路1号".into());
    let mut b = request(FINANCE, "杭财依申〔2024〕2号", "2024-05-01");
    b.applicant.id_document = Some("110101 19900307 761x".into());
    let mut other = request(FINANCE, "杭财依申〔2024〕3号", "2024-05-02");
    other.applicant.id_document = Some("330106198501011234".into());
    let mut elsewhere = request("330100-sthjj", "杭环依申〔2024〕1号", "2024-05-03");
    elsewhere.applicant.id_document = Some("11010119900307761X".into());
    let id_a = store.insert_request(&a).await.unwrap();
    let id_b = store.insert_request(&b).await.unwrap();
    store.insert_request(&other).await.unwrap();
    store.insert_request(&elsewhere).await.unwrap();
    let user =
        store.create_user("zhang.san", FINANCE, gongkai_store::Role::Staff, "x", chrono::Utc::now()).await.unwrap();
    store.set_totp_secret(&user.id, Some("JBSWY3DPEHPK3PXP")).await.unwrap();

    // In the table: ciphertext only, a blind index, nothing of the values.
    let mut raw = db.raw().await;
    let rows = sqlx::query(
        "SELECT id, applicant_id_document, applicant_contact, applicant_id_index FROM requests ORDER BY tracking_number",
    )
    .fetch_all(&mut raw)
    .await
    .unwrap();
    for r in &rows {
        let doc: String = r.try_get("applicant_id_document").unwrap();
        let contact: String = r.try_get("applicant_contact").unwrap();
        for v in [&doc, &contact] {
            assert!(v.starts_with(gongkai_store::CIPHERTEXT_PREFIX), "{v}");
            for clear in ["19900307", "13912345678", "文三路", "13800000000"] {
                assert!(!v.contains(clear), "{clear} readable in {v}");
            }
        }
        let index: String = r.try_get("applicant_id_index").unwrap();
        assert_eq!(index.len(), 64);
    }
    let totp: String = sqlx::query("SELECT totp_secret FROM users WHERE username = 'zhang.san'")
        .fetch_one(&mut raw)
        .await
        .unwrap()
        .try_get("totp_secret")
        .unwrap();
    assert!(totp.starts_with(gongkai_store::CIPHERTEXT_PREFIX) && !totp.contains("JBSWY3DP"), "{totp}");

    // Through the store: the values as given.
    assert_eq!(store.get_request(&id_a).await.unwrap().unwrap().0, a);
    assert_eq!(store.get_request(&id_b).await.unwrap().unwrap().0, b);
    assert_eq!(store.totp_secret(&user.id).await.unwrap().as_deref(), Some("JBSWY3DPEHPK3PXP"));

    // The blind index: the same number however written, only in this agency, not the others.
    let same = store.requests_by_id_document(FINANCE, "110101-19900307-761X").await.unwrap();
    let numbers: Vec<&str> = same.iter().map(|(_, r)| r.tracking_number.as_str()).collect();
    assert_eq!(numbers, ["杭财依申〔2024〕1号", "杭财依申〔2024〕2号"]);
    assert!(store.requests_by_id_document(FINANCE, "110101199003077610").await.unwrap().is_empty());

    // A ciphertext copied onto another row does not decrypt there: refused as corrupt, naming
    // the column and never the value.
    let a_doc: String = sqlx::query("SELECT applicant_id_document FROM requests WHERE id = $1")
        .bind(id_a.as_str())
        .fetch_one(&mut raw)
        .await
        .unwrap()
        .try_get("applicant_id_document")
        .unwrap();
    sqlx::query("UPDATE requests SET applicant_id_document = $1 WHERE id = $2")
        .bind(&a_doc)
        .bind(id_b.as_str())
        .execute(&mut raw)
        .await
        .unwrap();
    let e = store.get_request(&id_b).await.unwrap_err();
    assert!(matches!(e, StoreError::Corrupt { table: "requests", column: "applicant_id_document", .. }), "{e:?}");
    assert!(!e.to_string().contains("761X"), "{e}");
    drop(raw);

    // Another key: refused before anything is read or written; the right key still reads all.
    let wrong = Store::connect(&db.url, &gongkai_store::DataKey::generate().unwrap()).await.unwrap();
    let e = wrong.migrate().await.unwrap_err();
    assert!(matches!(e, StoreError::DataKeyMismatch), "{e:?}");
    assert!(e.to_string().contains("数据密钥与此数据库不符"), "{e}");
    wrong.close().await;
    let again = Store::connect(&db.url, &db.key).await.unwrap();
    again.migrate().await.unwrap();
    assert_eq!(again.get_request(&id_a).await.unwrap().unwrap().0, a);
    // A key change: everything re-encrypted (the moved ciphertext above is refused, so the row is
    // put right first), readable and searchable under the new key only.
    let mut raw = db.raw().await;
    sqlx::query("UPDATE requests SET applicant_id_document = NULL WHERE id = $1")
        .bind(id_b.as_str())
        .execute(&mut raw)
        .await
        .unwrap();
    // Audit records before the change of key: re-hashed under the new key (B3.3).
    for kind in ["login", "logout"] {
        let e = gongkai_store::AuditEvent { event_type: kind.into(), success: true, ..Default::default() };
        again.append_audit(&e, chrono::Utc::now()).await.unwrap();
    }
    let before = again.verify_audit_chain().await.unwrap();
    let new_key = gongkai_store::DataKey::generate().unwrap();
    assert_eq!(again.rotate_data_key(&new_key).await.unwrap(), 5, "4 requests and 1 TOTP secret");
    again.close().await;
    let old = Store::connect(&db.url, &db.key).await.unwrap();
    assert!(matches!(old.migrate().await.unwrap_err(), StoreError::DataKeyMismatch));
    old.close().await;
    let rotated = Store::connect(&db.url, &new_key).await.unwrap();
    rotated.migrate().await.unwrap();
    assert_eq!(rotated.get_request(&id_a).await.unwrap().unwrap().0, a);
    assert_eq!(rotated.totp_secret(&user.id).await.unwrap().as_deref(), Some("JBSWY3DPEHPK3PXP"));
    assert_eq!(rotated.requests_by_id_document(FINANCE, "11010119900307761X").await.unwrap().len(), 1);
    assert_eq!(rotated.verify_audit_chain().await.unwrap(), before + 1, "the chain and the change of key");
    rotated.close().await;
}

/// A database written before encryption existed (values in clear, no key check) has them
/// encrypted, and the blind index filled, when the key is installed; the values read back
/// unchanged.
pub async fn b2_5_values_stored_in_clear_are_encrypted_when_the_key_is_installed(db: TestDb) {
    let store = &db.store;
    seed_agencies(store).await;
    let req = request(FINANCE, "杭财依申〔2023〕9号", "2023-06-01");
    let id = store.insert_request(&req).await.unwrap();
    let user = store.create_user("li.si", FINANCE, gongkai_store::Role::Staff, "x", chrono::Utc::now()).await.unwrap();
    // As an earlier version left them: in clear, no index, no key check.
    let mut raw = db.raw().await;
    sqlx::query(
        "UPDATE requests SET applicant_id_document = '110101199003071234', applicant_contact = '13800000000', \
         applicant_id_index = NULL",
    )
    .execute(&mut raw)
    .await
    .unwrap();
    sqlx::query("UPDATE users SET totp_secret = 'JBSWY3DPEHPK3PXP'").execute(&mut raw).await.unwrap();
    sqlx::query("DELETE FROM settings WHERE \"key\" = 'data_key_check'").execute(&mut raw).await.unwrap();

    let reopened = Store::connect(&db.url, &db.key).await.unwrap();
    reopened.migrate().await.unwrap();
    let row = sqlx::query("SELECT applicant_id_document, applicant_contact, applicant_id_index FROM requests")
        .fetch_one(&mut raw)
        .await
        .unwrap();
    let doc: String = row.try_get("applicant_id_document").unwrap();
    let contact: String = row.try_get("applicant_contact").unwrap();
    let index: Option<String> = row.try_get("applicant_id_index").unwrap();
    assert!(doc.starts_with(gongkai_store::CIPHERTEXT_PREFIX) && !doc.contains("19900307"), "{doc}");
    assert!(contact.starts_with(gongkai_store::CIPHERTEXT_PREFIX), "{contact}");
    assert!(index.is_some());
    assert_eq!(reopened.get_request(&id).await.unwrap().unwrap().0, req);
    assert_eq!(reopened.requests_by_id_document(FINANCE, "110101199003071234").await.unwrap().len(), 1);
    assert_eq!(reopened.totp_secret(&user.id).await.unwrap().as_deref(), Some("JBSWY3DPEHPK3PXP"));
    // Installed once: a second start changes nothing.
    reopened.migrate().await.unwrap();
    let doc_again: String = sqlx::query("SELECT applicant_id_document FROM requests")
        .fetch_one(&mut raw)
        .await
        .unwrap()
        .try_get("applicant_id_document")
        .unwrap();
    assert_eq!(doc_again, doc);
    reopened.close().await;
}

/// B4.4: once the office sets how long applicants' personal information is kept, requests
/// closed longer ago lose the applicant's name, ID number (and its index) and contact — and
/// nothing else: open requests and recent ones are untouched, the register rows and every
/// figure counted from them stay. Not set: nothing happens. Audited.
pub async fn b4_4_personal_data_past_its_retention_is_anonymised_and_the_counts_stay(db: TestDb) {
    let store = &db.store;
    seed_agencies(store).await;
    let old = store.insert_request(&request(FINANCE, "OLD-1", "2020-03-02")).await.unwrap();
    store.append_event(&old, &reply("2020-03-20")).await.unwrap();
    let recent = store.insert_request(&request(FINANCE, "NEW-1", "2024-05-06")).await.unwrap();
    store.append_event(&recent, &reply("2024-05-20")).await.unwrap();
    let open = store.insert_request(&request(FINANCE, "OPEN-1", "2020-04-01")).await.unwrap();
    let today = d("2026-11-27");
    let now = chrono::Utc::now();
    let kinds = |rows: Vec<(gongkai_store::RequestId, Request)>| {
        rows.into_iter().map(|(_, r)| (r.tracking_number, r.applicant.kind, r.received_on)).collect::<Vec<_>>()
    };
    let before = kinds(store.list_requests(FINANCE, RequestFilter::All).await.unwrap());

    // Not set: nothing is anonymised.
    assert_eq!(store.personal_data_retention_years().await.unwrap(), None);
    assert_eq!(store.purge_personal_data(today, "(test)", now).await.unwrap(), 0);
    assert_eq!(store.get_request(&old).await.unwrap().unwrap().0.applicant.name, "张三");
    for bad in [0, -1, 101] {
        let e = store.set_personal_data_retention_years(Some(bad), "sec", now).await.unwrap_err();
        assert!(e.to_string().contains("个人信息保存期限"), "{e}");
    }
    store.set_personal_data_retention_years(Some(3), "sec", now).await.unwrap();
    assert_eq!(store.personal_data_retention_years().await.unwrap(), Some(3));

    assert_eq!(store.purge_personal_data(today, "(test)", now).await.unwrap(), 1);
    let (gone, events) = store.get_request(&old).await.unwrap().unwrap();
    assert_eq!(gone.applicant.name, gongkai_store::ANONYMISED_NAME);
    assert_eq!((gone.applicant.id_document, gone.applicant.contact), (None, None));
    assert_eq!(events.len(), 1, "the register row and its events stay");
    for kept in [&recent, &open] {
        let r = store.get_request(kept).await.unwrap().unwrap().0;
        assert_eq!(r.applicant.name, "张三");
        assert_eq!(r.applicant.id_document.as_deref(), Some("110101199003071234"));
    }
    let same = store.requests_by_id_document(FINANCE, "110101199003071234").await.unwrap();
    let numbers: Vec<&str> = same.iter().map(|(_, r)| r.tracking_number.as_str()).collect();
    assert_eq!(numbers, ["OPEN-1", "NEW-1"], "the anonymised request is no longer found by the number");
    assert_eq!(kinds(store.list_requests(FINANCE, RequestFilter::All).await.unwrap()), before, "counts unchanged");
    // Done once: a second run finds nothing more.
    assert_eq!(store.purge_personal_data(today, "(test)", now).await.unwrap(), 0);
    let audit = store.list_audit(20).await.unwrap();
    assert!(audit.iter().any(|r| r.event.event_type == "personal_data.purge"
        && r.event.detail.as_deref().is_some_and(|d| d.starts_with("1 件"))));
    assert!(audit
        .iter()
        .any(|r| r.event.event_type == "config.personal_data_retention" && r.event.username.as_deref() == Some("sec")));
    assert!(!format!("{audit:?}").contains("110101199003071234"), "no personal data in the trail");
}
