//! Issue 17's property (casework-documents.md C4): for any sequence of events offered to
//! `record_event` — accepted or refused —, the documents issued, their 文号 (gapless per kind)
//! and the table-3 cell each reply counts in agree with the events stored; a refused event
//! leaves neither event nor document. On an in-memory SQLite store (the CLI and web suites run
//! the same use case on PostgreSQL).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{Days, NaiveDate, TimeZone, Utc};
use gongkai_app::documents::DocumentInput;
use gongkai_app::{Actor, Clock};
use gongkai_core::calendar::Calendar;
use gongkai_core::casework::{DocumentKind, Particulars, Templates};
use gongkai_core::fees::{self, FeeMethod};
use gongkai_core::lifecycle;
use gongkai_core::register::{Agency, AgencyKind, Applicant, ApplicantType, Channel, Event, EventKind, Request};
use gongkai_core::report::{Amount, RequestRow};
use gongkai_store::{DataKey, Store};
use proptest::prelude::*;

const AG: &str = "330100-czj";

fn kind_of(step: u8, outcome: RequestRow) -> EventKind {
    match step {
        0 => EventKind::CorrectionNotice { note: "请写明文件名称；请写明年份".into(), period_days: 5 },
        1 => EventKind::CorrectionReceived,
        2 => EventKind::Extension { approver: "赵主任".into(), reason: "需调取档案".into() },
        3 => EventKind::ConsultationSent { party: "某公司".into() },
        4 => EventKind::ConsultationAnswered,
        5 => {
            let q = fees::per_page(120);
            EventKind::FeeNotice {
                method: FeeMethod::PerPage,
                units: 120,
                amount_yuan: Amount::parse(&q.amount_yuan).unwrap(),
            }
        }
        6 => EventKind::FeePaid,
        _ => EventKind::Reply { outcome, document: None },
    }
}

async fn store() -> Store {
    let store = Store::connect("sqlite::memory:", &DataKey::generate().unwrap()).await.unwrap();
    store.migrate().await.unwrap();
    let city =
        Agency {
            code: "330100".into(), name: "杭州市人民政府".into(), parent: None, kind: AgencyKind::Government
        };
    let dept = Agency {
        code: AG.into(),
        name: "杭州市财政局".into(),
        parent: Some("330100".into()),
        kind: AgencyKind::Department,
    };
    store.upsert_agency(&city).await.unwrap();
    store.upsert_agency(&dept).await.unwrap();
    store
}

fn request(n: usize, received: NaiveDate) -> Request {
    Request {
        agency: AG.into(),
        tracking_number: format!("2026-{n:03}"),
        channel: Channel::Post,
        received_on: received,
        applicant: Applicant {
            id_document_type: None,
            kind: ApplicantType::Commercial,
            name: "某公司".into(),
            id_document: None,
            contact: None,
        },
        content: "某项目的环评批复".into(),
        requested_form: None,
        delivery: Some("post".into()),
    }
}

/// Runs the steps on a few requests and checks what is stored.
async fn run(requests: Vec<Vec<(u8, u64)>>, outcomes: Vec<usize>) {
    let store = store().await;
    let cal = Arc::new(Calendar::official());
    let templates = Templates::builtin();
    let leaves = lifecycle::outcome_leaves();
    let clock = Clock::fixed(Utc.with_ymd_and_hms(2026, 11, 27, 2, 0, 0).unwrap());
    let actor = Actor::cli();
    let start = NaiveDate::from_ymd_opt(2026, 3, 2).unwrap();
    for (n, steps) in requests.iter().enumerate() {
        let r = request(n, start);
        let id = store.insert_request(&r).await.unwrap();
        let mut on = start;
        for (i, (step, gap)) in steps.iter().enumerate() {
            on = on.checked_add_days(Days::new(*gap)).unwrap();
            let outcome = leaves[outcomes[(n + i) % outcomes.len()] % leaves.len()];
            let event = Event { on, by: "王五".into(), kind: kind_of(*step, outcome) };
            // Every reply says what its outcome needs (C2), so that only the lifecycle refuses.
            let particulars = Particulars {
                withheld_reason: Some(RequestRow::ThirdPartyRights),
                other_agency: None,
                note: Some("有关事实见登记".into()),
            };
            let before_events = store.get_request(&id).await.unwrap().unwrap().1.len();
            let before_docs = store.list_documents(&id).await.unwrap().len();
            let docs = DocumentInput { templates: &templates, particulars: &particulars };
            let result =
                gongkai_app::request::record_event(&store, &cal, &clock, &actor, &id, event.clone(), None, &docs).await;
            let after_events = store.get_request(&id).await.unwrap().unwrap().1.len();
            let after_docs = store.list_documents(&id).await.unwrap().len();
            match result {
                Ok(rec) => {
                    assert_eq!(after_events, before_events + 1);
                    let issues = DocumentKind::of_event(&event.kind).is_some();
                    assert_eq!(after_docs, before_docs + usize::from(issues), "{event:?}");
                    assert_eq!(rec.document.is_some(), issues);
                }
                Err(_) => {
                    assert_eq!((after_events, after_docs), (before_events, before_docs), "refused: nothing stored")
                }
            }
        }
    }

    // Every stored event that issues a document has exactly one, in order; the numbers of each
    // kind are 1..n without a gap; a reply's event names its 答复书.
    let mut per_kind: BTreeMap<DocumentKind, Vec<i64>> = BTreeMap::new();
    let mut replies: BTreeMap<RequestRow, i64> = BTreeMap::new();
    for (id, _, events) in store.list_request_histories(AG, gongkai_store::RequestFilter::All).await.unwrap() {
        let docs = store.list_documents(&id).await.unwrap();
        let issuing: Vec<&Event> = events.iter().filter(|e| DocumentKind::of_event(&e.kind).is_some()).collect();
        assert_eq!(docs.len(), issuing.len());
        for (e, d) in issuing.iter().zip(&docs) {
            assert_eq!(Some(d.document.kind), DocumentKind::of_event(&e.kind));
            assert_eq!(d.document.issued_on, e.on);
            let seq: i64 = d
                .number
                .rsplit('〕')
                .next()
                .and_then(|s| s.strip_suffix('号'))
                .and_then(|s| s.parse().ok())
                .unwrap_or_else(|| panic!("文号 {}", d.number));
            per_kind.entry(d.document.kind).or_default().push(seq);
            if let EventKind::Reply { outcome, document } = &e.kind {
                assert_eq!(document.as_deref(), Some(d.number.as_str()));
                assert_eq!(d.document.outcome, Some(*outcome));
                *replies.entry(*outcome).or_default() += 1;
            }
        }
    }
    for (kind, mut seqs) in per_kind {
        seqs.sort_unstable();
        assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>(), "{kind:?} numbers are gapless");
    }
    // The annual report counts the replies issued: each outcome's 总计 column.
    let agency = gongkai_app::year::agency(&store, AG).await.unwrap();
    let report = gongkai_app::year::generate(&store, cal.clone(), &agency, 2026).await.unwrap();
    let table = report.requests.as_ref().unwrap();
    for leaf in leaves {
        let counted = table.row(leaf).and_then(|c| c.total).unwrap_or(0);
        assert_eq!(counted, *replies.get(&leaf).unwrap_or(&0), "{leaf:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn documents_numbers_and_report_agree_with_the_events(
        requests in prop::collection::vec(prop::collection::vec((0u8..9, 0u64..12), 1..7), 1..4),
        outcomes in prop::collection::vec(0usize..21, 1..5),
    ) {
        tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(run(requests, outcomes));
    }
}
