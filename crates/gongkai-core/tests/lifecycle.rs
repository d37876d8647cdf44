//! A request's life through the public API: stories worked out by hand against the official
//! calendar, and properties of `replay` / `apply` over arbitrary (mostly impossible) event lists.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use chrono::{Datelike, Days, NaiveDate};
use gongkai_core::calendar::Calendar;
use gongkai_core::clock::{self, DeadlineInput};
use gongkai_core::fees::{self, FeeMethod};
use gongkai_core::lifecycle::{
    apply, is_outcome_leaf, replay, Refusal, RequestState, Status, CONSULTATION_ANSWER_PERIOD, FEE_PAYMENT_PERIOD,
};
use gongkai_core::register::{Applicant, ApplicantType, Channel, Event, EventKind, Request};
use gongkai_core::report::{Amount, RequestRow};
use gongkai_core::template::T3_ROWS;
use proptest::prelude::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn request(received: NaiveDate) -> Request {
    Request {
        agency: "330100-cz".into(),
        tracking_number: "杭财依申〔2024〕1号".into(),
        channel: Channel::Post,
        received_on: received,
        applicant: Applicant {
            id_document_type: None,
            kind: ApplicantType::LegalServices,
            name: "某律师事务所".into(),
            id_document: None,
            contact: None,
        },
        content: "某地块征收补偿方案".into(),
        requested_form: Some("纸质".into()),
        delivery: None,
    }
}

fn ev(on: NaiveDate, kind: EventKind) -> Event {
    Event { on, by: "李四".into(), kind }
}

fn reply(on: NaiveDate, outcome: RequestRow) -> Event {
    ev(on, EventKind::Reply { outcome, document: Some("答复书".into()) })
}

fn fee_notice(on: NaiveDate, method: FeeMethod, units: u32) -> Event {
    let q = match method {
        FeeMethod::PerRequest => fees::per_request(units),
        FeeMethod::PerPage => fees::per_page(units),
    };
    ev(on, EventKind::FeeNotice { method, units, amount_yuan: Amount::parse(&q.amount_yuan).unwrap() })
}

#[test]
fn the_store_round_trip_story_is_refused_at_its_fee_notice() {
    // The event list the store uses to round-trip every kind (the store does not validate):
    // its fee notice charges 35.62 yuan for 120 pages, where the tariff says 1,100.
    let cal = Calendar::official();
    let events = vec![
        ev(d(2024, 3, 4), EventKind::CorrectionNotice { note: "请明确所需信息的名称".into(), period_days: 15 }),
        ev(d(2024, 3, 10), EventKind::CorrectionReceived),
        ev(d(2024, 3, 12), EventKind::ConsultationSent { party: "某某科技有限公司".into() }),
        ev(d(2024, 3, 25), EventKind::ConsultationAnswered),
        ev(d(2024, 3, 28), EventKind::Extension { approver: "李四".into(), reason: "需要调取档案".into() }),
        ev(
            d(2024, 4, 1),
            EventKind::FeeNotice {
                method: FeeMethod::PerPage,
                units: 120,
                amount_yuan: Amount::parse("35.62").unwrap(),
            },
        ),
        ev(d(2024, 4, 2), EventKind::FeePaid),
        reply(d(2024, 4, 10), RequestRow::ThirdPartyRights),
        reply(d(2024, 4, 11), RequestRow::PartiallyGranted),
    ];
    let e = replay(&cal, &request(d(2024, 3, 1)), &events).unwrap_err();
    assert_eq!(e.index, Some(5));
    assert_eq!(e.event, Some("fee_notice"));
    assert_eq!(
        e.reason,
        Refusal::FeeAmountMismatch {
            method: FeeMethod::PerPage,
            units: 120,
            expected: "1100".into(),
            given: "35.62".into()
        }
    );
    let msg = e.to_string();
    assert!(msg.contains("第6个事件“收费通知”"), "{msg}");
    assert!(msg.contains("1100") && msg.contains("国办函〔2020〕109号第四、五条"), "{msg}");
    assert!(!msg.contains("律师事务所"), "no personal information: {msg}");

    // With the tariff's amount the list goes through to the first reply; the second is refused.
    let mut fixed = events.clone();
    fixed[5] = fee_notice(d(2024, 4, 1), FeeMethod::PerPage, 120);
    let e = replay(&cal, &request(d(2024, 3, 1)), &fixed).unwrap_err();
    assert_eq!(e.index, Some(8));
    assert_eq!(e.reason, Refusal::AfterFinish { finished_on: d(2024, 4, 10), withdrawn: false });
    fixed.pop();
    let s = replay(&cal, &request(d(2024, 3, 1)), &fixed).unwrap();
    assert_eq!(s.outcome, Some(RequestRow::ThirdPartyRights));
    assert_eq!(s.finished_on, Some(d(2024, 4, 10)));
    let input = DeadlineInput {
        received: d(2024, 3, 1),
        corrected: Some(d(2024, 3, 10)),
        extended: true,
        consultations: vec![(d(2024, 3, 12), d(2024, 3, 25))],
        fee_pauses: vec![(d(2024, 4, 1), d(2024, 4, 2))],
    };
    assert_eq!(s.deadline_input, input);
    assert_eq!(s.deadline, clock::deadline(&cal, &input).unwrap());
    assert_eq!(s.status(&cal, d(2024, 4, 10)), Status::Replied);
}

#[test]
fn spring_festival_story() {
    // Received Friday 2026-02-13, just before the 2026 Spring Festival (16–23 Feb off; 14 Feb
    // and 28 Feb are working Saturdays).
    let cal = Calendar::official();
    let req = request(d(2026, 2, 13));
    let s = replay(&cal, &req, &[]).unwrap();
    assert_eq!(s.deadline, clock::deadline(&cal, &DeadlineInput::new(d(2026, 2, 13))).unwrap());
    let due = s.deadline.due;
    assert_eq!(s.status(&cal, d(2026, 2, 14)), Status::Open);
    assert_eq!(s.status(&cal, due), Status::DueSoon);
    assert_eq!(s.status(&cal, due.succ_opt().unwrap()), Status::Overdue);
    // The correction notice is due 7 working days after receipt: 14 Feb (Saturday, worked),
    // then 24, 25, 26, 27 and 28 Feb (Saturday, worked), and 2 March.
    assert_eq!(s.correction_notice_due, d(2026, 3, 2));

    // Extended on the due date, it runs 20 more working days.
    let ext = ev(due, EventKind::Extension { approver: "王主任".into(), reason: "涉及多个部门".into() });
    let s2 = apply(&cal, &req, &[], &ext).unwrap();
    assert_eq!(s2.deadline.original_due, Some(due));
    assert_eq!(s2.status(&cal, due.succ_opt().unwrap()), Status::Open);
    // One day later the extension would be refused.
    let late = ev(due.succ_opt().unwrap(), ext.kind.clone());
    let e = apply(&cal, &req, &[], &late).unwrap_err();
    assert_eq!(e.reason, Refusal::ExtensionAfterDue { due });
}

#[test]
fn an_unpaid_fee_stops_the_clock_only_for_its_payment_period() {
    let cal = Calendar::official();
    let req = request(d(2024, 3, 1));
    let events = [fee_notice(d(2024, 3, 4), FeeMethod::PerRequest, 35)];
    let s = replay(&cal, &req, &events).unwrap();
    let fee = s.fee.clone().unwrap();
    assert_eq!(fee.amount_yuan.as_str(), "3000");
    // Notice Mon 3/4 → payment due Mon 4/1 (20 working days).
    assert_eq!(fee.payment_due, d(2024, 4, 1));
    // Unpaid on 4/15: the pause ran through 4/1 and no further.
    let expected = {
        let mut i = DeadlineInput::new(d(2024, 3, 1));
        i.fee_pauses = vec![(d(2024, 3, 4), d(2024, 4, 1))];
        clock::deadline(&cal, &i).unwrap()
    };
    assert_eq!(s.deadline_on(&cal, d(2024, 4, 15)).unwrap(), expected);
    assert_eq!(s.deadline_on(&cal, d(2024, 9, 1)).unwrap(), expected);
    // Without the pause the request would be overdue on 4/15; with it, it is not.
    assert!(d(2024, 4, 15) > s.deadline.due);
    assert_ne!(s.status(&cal, d(2024, 4, 15)), Status::Overdue);
    assert_eq!(s.status(&cal, expected.due.succ_opt().unwrap()), Status::Overdue);
    // fee_unpaid is possible from 4/2.
    let e = apply(&cal, &req, &events, &reply(d(2024, 4, 1), RequestRow::FeeUnpaid)).unwrap_err();
    assert_eq!(e.reason, Refusal::FeeUnpaidBeforePeriodEnd { payment_due: d(2024, 4, 1) });
    let s = apply(&cal, &req, &events, &reply(d(2024, 4, 2), RequestRow::FeeUnpaid)).unwrap();
    assert_eq!(s.outcome, Some(RequestRow::FeeUnpaid));
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
}

#[test]
fn a_december_2026_request_crosses_into_an_unpublished_year_without_panicking() {
    let cal = Calendar::official();
    let req = request(d(2026, 12, 20));
    let events = [ev(d(2026, 12, 28), EventKind::ConsultationSent { party: "某区住建局".into() })];
    let s = replay(&cal, &req, &events).unwrap();
    assert!(s.deadline.estimated);
    assert_eq!(s.deadline.due.year(), 2027);
    let later = s.deadline_on(&cal, d(2027, 2, 1)).unwrap();
    assert!(later.due > s.deadline.due);
    let _ = s.status(&cal, d(2027, 6, 1));
}

// ---- properties over arbitrary event lists ---------------------------------------------------

fn all_rows() -> Vec<RequestRow> {
    T3_ROWS.iter().map(|r| r.key).collect()
}

/// An arbitrary event kind: impossible ones included (wrong fee amounts, total rows, zero
/// periods, empty approvers).
fn kind() -> impl Strategy<Value = EventKind> {
    prop_oneof![
        3 => (0u32..25).prop_map(|p| EventKind::CorrectionNotice {
            note: "补正".into(),
            period_days: p
        }),
        3 => Just(EventKind::CorrectionReceived),
        3 => prop_oneof![Just(""), Just("王主任")].prop_map(|a| EventKind::Extension {
            approver: a.into(),
            reason: "复杂".into()
        }),
        3 => Just(EventKind::ConsultationSent {
            party: "甲公司".into()
        }),
        3 => Just(EventKind::ConsultationAnswered),
        3 => (any::<bool>(), 0u32..300, any::<bool>()).prop_map(|(per_page, units, right)| {
            let q = if per_page {
                fees::per_page(units)
            } else {
                fees::per_request(units)
            };
            let yuan: i64 = q.amount_yuan.parse().unwrap_or(0);
            EventKind::FeeNotice {
                method: q.method,
                units,
                amount_yuan: Amount::from_int(if right { yuan } else { yuan + 7 }),
            }
        }),
        3 => Just(EventKind::FeePaid),
        2 => (0usize..26).prop_map(|i| EventKind::Reply {
            outcome: all_rows()[i],
            document: None
        }),
        1 => Just(EventKind::Withdrawal),
    ]
}

/// Events with mostly increasing dates (a step back now and then).
fn events() -> impl Strategy<Value = (NaiveDate, Vec<Event>)> {
    (0u32..2600, prop::collection::vec((kind(), -3i64..30), 0..14)).prop_map(|(offset, list)| {
        let received = d(2019, 6, 1).checked_add_days(Days::new(u64::from(offset))).unwrap();
        let mut date = received;
        let mut out = Vec::new();
        for (k, step) in list {
            date = if step < 0 {
                date.checked_sub_days(Days::new(step.unsigned_abs())).unwrap()
            } else {
                date.checked_add_days(Days::new(step as u64)).unwrap()
            };
            out.push(ev(date, k));
        }
        (received, out)
    })
}

fn working_days_after(cal: &Calendar, from: NaiveDate, n: u32) -> NaiveDate {
    cal.add_working_days(from, n).unwrap().end
}

/// The clock input of an accepted list, derived here from the events independently.
fn expected_input(cal: &Calendar, received: NaiveDate, events: &[Event], as_of: NaiveDate) -> DeadlineInput {
    let mut input = DeadlineInput::new(received);
    let mut open: Vec<NaiveDate> = Vec::new();
    let mut fee: Option<(NaiveDate, Option<NaiveDate>)> = None;
    for e in events {
        match e.kind {
            EventKind::CorrectionReceived => input.corrected = Some(e.on),
            EventKind::Extension { .. } => input.extended = true,
            EventKind::ConsultationSent { .. } => open.push(e.on),
            EventKind::ConsultationAnswered => {
                let sent = open.remove(0);
                input.consultations.push((sent, e.on));
            }
            EventKind::FeeNotice { .. } => fee = Some((e.on, None)),
            EventKind::FeePaid => {
                if let Some(f) = fee.as_mut() {
                    f.1 = Some(e.on);
                }
            }
            _ => {}
        }
    }
    for sent in open {
        let cap = working_days_after(cal, sent, CONSULTATION_ANSWER_PERIOD);
        input.consultations.push((sent, as_of.min(cap).max(sent)));
    }
    if let Some((notice, paid)) = fee {
        let cap = working_days_after(cal, notice, FEE_PAYMENT_PERIOD);
        input.fee_pauses.push((notice, paid.unwrap_or(as_of.min(cap).max(notice))));
    }
    input
}

fn same_pauses(a: &DeadlineInput, b: &DeadlineInput) -> bool {
    let mut x = a.consultations.clone();
    let mut y = b.consultations.clone();
    x.sort();
    y.sort();
    a.received == b.received
        && a.corrected == b.corrected
        && a.extended == b.extended
        && a.fee_pauses == b.fee_pauses
        && x == y
}

fn check_state(cal: &Calendar, req: &Request, events: &[Event], s: &RequestState) {
    assert_eq!(s.deadline, clock::deadline(cal, &s.deadline_input).unwrap());
    let as_of = events.last().map_or(req.received_on, |e| e.on);
    assert_eq!(s.as_of, as_of);
    assert!(
        same_pauses(&s.deadline_input, &expected_input(cal, req.received_on, events, as_of)),
        "{:?}",
        s.deadline_input
    );
    match events.last().map(|e| &e.kind) {
        Some(EventKind::Reply { outcome, .. }) => {
            assert_eq!(s.outcome, Some(*outcome));
            assert!(is_outcome_leaf(*outcome));
            assert!(!s.withdrawn);
            assert_eq!(s.finished_on, Some(as_of));
        }
        Some(EventKind::Withdrawal) => {
            assert_eq!(s.outcome, Some(RequestRow::OtherHandlingOther));
            assert!(s.withdrawn);
            assert_eq!(s.finished_on, Some(as_of));
        }
        _ => {
            assert_eq!(s.outcome, None);
            assert_eq!(s.finished_on, None);
        }
    }
    assert_eq!(s.correction_notice_late, s.correction.as_ref().is_some_and(|c| c.notice_on > s.correction_notice_due));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// `apply` is `replay` of the longer list; an accepted list has only accepted prefixes; an
    /// accepted state is what the events say.
    #[test]
    fn apply_is_replay_and_acceptance_is_prefix_closed((received, events) in events()) {
        let cal = Calendar::official();
        let req = request(received);
        let whole = replay(&cal, &req, &events);
        for n in 0..events.len() {
            let by_apply = apply(&cal, &req, &events[..n], &events[n]);
            let by_replay = replay(&cal, &req, &events[..=n]);
            prop_assert_eq!(&by_apply, &by_replay);
            if whole.is_ok() {
                prop_assert!(by_replay.is_ok());
            }
            if let Err(e) = &by_replay {
                // The refusal names an event of the list, and the message says which.
                let i = e.index.unwrap();
                prop_assert!(i <= n);
                let tag = format!("第{}个事件", i + 1);
                prop_assert!(e.to_string().contains(&tag), "{}", e);
            }
        }
        // The accepted events of the list, appended one by one as a register would.
        let mut kept: Vec<Event> = Vec::new();
        for e in &events {
            if let Ok(s) = apply(&cal, &req, &kept, e) {
                kept.push(e.clone());
                check_state(&cal, &req, &kept, &s);
            }
        }
        prop_assert_eq!(whole.is_ok(), kept.len() == events.len());
        if let Ok(s) = &whole {
            check_state(&cal, &req, &events, s);
            // Statuses never panic and are consistent with the finish.
            for later in [0u64, 10, 40, 400] {
                let today = s.as_of.checked_add_days(Days::new(later)).unwrap();
                let st = s.status(&cal, today);
                match (s.finished_on, s.withdrawn) {
                    (Some(_), true) => prop_assert_eq!(st, Status::Withdrawn),
                    (Some(_), false) => prop_assert_eq!(st, Status::Replied),
                    (None, _) => prop_assert!(matches!(st, Status::Open | Status::DueSoon | Status::Overdue)),
                }
            }
        }
    }
}
