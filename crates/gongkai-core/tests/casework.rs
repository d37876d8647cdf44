//! Casework documents (casework-documents.md): every notice an event issues (C1) and the reply of
//! every table-3 outcome (C2), each with its citation and the remedy clause (C3), composed from
//! the built-in templates against the official calendar.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use chrono::NaiveDate;
use gongkai_core::calendar::Calendar;
use gongkai_core::casework::{
    compose, reply_basis, stage_label, ComposeError, Context, Document, DocumentKind, Particulars, Remedy, Templates,
};
use gongkai_core::fees::{self, FeeMethod};
use gongkai_core::lifecycle::{self, apply, replay};
use gongkai_core::register::{Applicant, ApplicantType, Channel, Event, EventKind, Request};
use gongkai_core::report::{Amount, RequestRow};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn request() -> Request {
    Request {
        agency: "330100-cz".into(),
        tracking_number: "2026-017".into(),
        channel: Channel::Online,
        received_on: d(2026, 3, 2),
        applicant: Applicant {
            id_document_type: None,
            kind: ApplicantType::NaturalPerson,
            name: "张三".into(),
            id_document: None,
            contact: None,
        },
        content: "2025年某路段拓宽工程的立项批复。".into(),
        requested_form: Some("electronic".into()),
        delivery: Some("email".into()),
    }
}

fn ev(on: NaiveDate, kind: EventKind) -> Event {
    Event { on, by: "李四".into(), kind }
}

fn remedy() -> Remedy {
    Remedy {
        review_body: "某县人民政府".into(),
        review_basis: "行政复议法第二十四条第一款第（一）项".into(),
        court: "某县人民法院".into(),
        court_basis: "行政诉讼法第十四条、第十八条".into(),
    }
}

/// The document `event` issues after `before`, with `particulars`.
fn issue(before: &[Event], event: Event, particulars: &Particulars) -> Result<Option<Document>, ComposeError> {
    let cal = Calendar::official();
    let r = request();
    let prior = replay(&cal, &r, before).unwrap();
    let state = apply(&cal, &r, before, &event).unwrap();
    let remedy = remedy();
    let ctx = Context {
        request: &r,
        event: &event,
        state: &state,
        due_before: prior.deadline.due,
        agency_name: "某县财政局",
        office_contact: Some("某县人民路1号，电话 0571-12345678"),
        remedy: &remedy,
        particulars,
    };
    compose(&Templates::builtin(), &ctx)
}

fn text(doc: &Document) -> String {
    format!("{}\n{}：\n{}\n{}", doc.title, doc.addressee, doc.paragraphs.join("\n"), doc.signer)
}

/// C1.2: each point listed, the correction deadline as a date, the restart and the abandonment.
#[test]
fn c1_2_correction_notice_lists_each_point_and_its_deadline() {
    let notice =
        ev(d(2026, 3, 4), EventKind::CorrectionNotice { note: "请写明文件名称；请写明年份".into(), period_days: 15 });
    let doc = issue(&[], notice, &Particulars::default()).unwrap().unwrap();
    assert_eq!(doc.kind, DocumentKind::CorrectionNotice);
    assert_eq!(doc.addressee, "张三");
    let t = text(&doc);
    assert!(t.contains("1. 请写明文件名称\n2. 请写明年份"), "{t}");
    // 15 days from 4 March.
    assert!(t.contains("请于2026年3月19日前"), "{t}");
    assert!(t.contains("重新计算") && t.contains("视为您放弃申请"), "{t}");
    assert!(t.contains("第三十条"), "{t}");
    assert!(t.contains("0571-12345678"), "{t}");
    assert!(!t.contains("{{"), "{t}");
}

/// C1.3: approver, reason, the original and the new due date.
#[test]
fn c1_3_extension_notice_names_approver_reason_and_both_dates() {
    let ext = ev(d(2026, 3, 20), EventKind::Extension { approver: "赵主任".into(), reason: "需调取档案".into() });
    let doc = issue(&[], ext, &Particulars::default()).unwrap().unwrap();
    let t = text(&doc);
    assert!(t.contains("赵主任") && t.contains("因需调取档案"), "{t}");
    // Received 2 March 2026: 20 working days → 30 March; 20 more, over 清明 (4–6 April) → 28 April.
    assert!(t.contains("不能在2026年3月30日前作出答复"), "{t}");
    assert!(t.contains("答复期限延长至2026年4月28日"), "{t}");
    assert!(t.contains("第三十三条第二款"), "{t}");
}

/// C1.4: the letter goes to the party, with the end of its 15 working days.
#[test]
fn c1_4_consultation_letter_is_addressed_to_the_party() {
    let sent = ev(d(2026, 3, 5), EventKind::ConsultationSent { party: "某建设有限公司".into() });
    let doc = issue(&[], sent, &Particulars::default()).unwrap().unwrap();
    assert_eq!(doc.kind, DocumentKind::ConsultationLetter);
    assert_eq!(doc.addressee, "某建设有限公司");
    let t = text(&doc);
    assert!(!t.contains("张三"), "the applicant is not named to the third party: {t}");
    assert!(t.contains("2026年3月26日前") && t.contains("十五个工作日"), "{t}");
    assert!(t.contains("视为同意公开"), "{t}");
}

/// C1.7: the amount with its tiers, the method and the payment deadline.
#[test]
fn c1_7_fee_notice_shows_the_tariff_breakdown() {
    let q = fees::per_page(120);
    let fee = ev(
        d(2026, 3, 6),
        EventKind::FeeNotice {
            method: FeeMethod::PerPage,
            units: 120,
            amount_yuan: Amount::parse(&q.amount_yuan).unwrap(),
        },
    );
    let doc = issue(&[], fee, &Particulars::default()).unwrap().unwrap();
    let t = text(&doc);
    assert!(t.contains("按量计收") && t.contains("120页"), "{t}");
    assert!(t.contains("合计：人民币1100元"), "{t}");
    assert!(t.contains("第1至30页：30页 × 0元/页 = 0元"), "{t}");
    assert!(t.contains("第31至100页：70页 × 10元/页 = 700元"), "{t}");
    assert!(t.contains("第101至200页：20页 × 20元/页 = 400元"), "{t}");
    // 20 working days from the day after 6 March 2026.
    assert!(t.contains("请于2026年4月3日前"), "{t}");
    assert!(t.contains("视为您放弃申请"), "{t}");
}

/// The events that are the applicant's or a party's act issue nothing.
#[test]
fn acts_of_others_issue_no_document() {
    let notice = ev(d(2026, 3, 4), EventKind::CorrectionNotice { note: "请写明文件名称".into(), period_days: 15 });
    let got =
        issue(std::slice::from_ref(&notice), ev(d(2026, 3, 6), EventKind::CorrectionReceived), &Particulars::default());
    assert_eq!(got, Ok(None));
    assert_eq!(issue(&[], ev(d(2026, 3, 6), EventKind::Withdrawal), &Particulars::default()), Ok(None));
}

/// C2: every outcome's reply, with the citation of its row and the remedy clause (C3) of C1.9.
#[test]
fn c2_every_outcome_replies_with_its_citation_and_the_remedy_clause() {
    let expected: &[(RequestRow, &str)] = &[
        (RequestRow::Granted, "第三十六条第（一）项、第（二）项"),
        (RequestRow::PartiallyGranted, "第三十七条、第十五条"),
        (RequestRow::StateSecret, "第十四条"),
        (RequestRow::ProhibitedByLaw, "第十四条"),
        (RequestRow::SecurityStability, "第十四条"),
        (RequestRow::ThirdPartyRights, "第十五条"),
        (RequestRow::InternalAffairs, "第十六条第一款"),
        (RequestRow::ProcessInformation, "第十六条第二款"),
        (RequestRow::EnforcementFiles, "第十六条第二款"),
        (RequestRow::AdministrativeQuery, "第三十六条第（七）项"),
        (RequestRow::NotHeld, "第三十六条第（四）项"),
        (RequestRow::NeedsCreation, "第三十八条"),
        (RequestRow::StillUnclear, "第三十条"),
        (RequestRow::Complaint, "第三十九条第一款"),
        (RequestRow::Duplicate, "第三十六条第（六）项"),
        (RequestRow::Publication, "第三十九条第二款"),
        (RequestRow::Excessive, "第三十五条"),
        (RequestRow::Reconfirmation, "第二条"),
        (RequestRow::NoCorrection, "第三十条"),
        (RequestRow::FeeUnpaid, "国办函〔2020〕109号"),
        (RequestRow::OtherHandlingOther, "《中华人民共和国政府信息公开条例》"),
    ];
    assert_eq!(expected.len(), lifecycle::outcome_leaves().len());
    let cal = Calendar::official();
    for (outcome, citation) in expected {
        // The events each outcome needs before it (a correction notice and its period, a fee).
        let before: Vec<Event> = match outcome {
            RequestRow::StillUnclear => vec![
                ev(d(2026, 3, 3), EventKind::CorrectionNotice { note: "请写明文件名称".into(), period_days: 10 }),
                ev(d(2026, 3, 5), EventKind::CorrectionReceived),
            ],
            RequestRow::NoCorrection => {
                vec![ev(d(2026, 3, 3), EventKind::CorrectionNotice { note: "请写明文件名称".into(), period_days: 10 })]
            }
            RequestRow::FeeUnpaid => {
                let q = fees::per_page(120);
                vec![ev(
                    d(2026, 3, 3),
                    EventKind::FeeNotice {
                        method: FeeMethod::PerPage,
                        units: 120,
                        amount_yuan: Amount::parse(&q.amount_yuan).unwrap(),
                    },
                )]
            }
            _ => Vec::new(),
        };
        let on = match outcome {
            RequestRow::NoCorrection | RequestRow::FeeUnpaid => d(2026, 4, 20),
            _ => d(2026, 3, 20),
        };
        let particulars = Particulars {
            withheld_reason: (*outcome == RequestRow::PartiallyGranted).then_some(RequestRow::ThirdPartyRights),
            other_agency: None,
            note: Some("申请人已于2026年3月10日撤回申请，见前次答复（2026-003）".into()),
        };
        let reply = ev(on, EventKind::Reply { outcome: *outcome, document: None });
        assert!(apply(&cal, &request(), &before, &reply).is_ok(), "{outcome:?}");
        let doc = issue(&before, reply, &particulars).unwrap().unwrap();
        assert_eq!((doc.kind, doc.outcome), (DocumentKind::Reply, Some(*outcome)));
        let t = text(&doc);
        assert!(t.contains(citation), "{outcome:?} cites {citation}: {t}");
        assert!(
            t.contains("六十日内向某县人民政府申请行政复议") && t.contains("六个月内向某县人民法院提起行政诉讼"),
            "{outcome:?} has the remedy clause: {t}"
        );
        // Art. 40: the delivery form the applicant chose, in Chinese.
        assert!(t.contains("（电子邮件）送达"), "{outcome:?}: {t}");
        assert!(!t.contains("{{") && !t.contains("email"), "{outcome:?}: {t}");
        assert!(reply_basis(*outcome, &particulars).contains(citation));
    }
}

/// C2: a partial disclosure names the withheld part's reason; unable.not_held names the agency
/// responsible (Art. 36(5)) or says the information does not exist (Art. 36(4)).
#[test]
fn c2_rules_of_what_a_reply_must_say() {
    let partial = ev(d(2026, 3, 20), EventKind::Reply { outcome: RequestRow::PartiallyGranted, document: None });
    assert_eq!(issue(&[], partial.clone(), &Particulars::default()), Err(ComposeError::WithheldReasonRequired));
    let wrong = Particulars { withheld_reason: Some(RequestRow::Granted), ..Particulars::default() };
    assert_eq!(issue(&[], partial, &wrong), Err(ComposeError::NotAWithheldReason));

    let not_held = ev(d(2026, 3, 20), EventKind::Reply { outcome: RequestRow::NotHeld, document: None });
    let other = Particulars { other_agency: Some("某县自然资源局".into()), ..Particulars::default() };
    let t = text(&issue(&[], not_held.clone(), &other).unwrap().unwrap());
    assert!(t.contains("负责公开该政府信息的行政机关为某县自然资源局") && t.contains("第三十六条第（五）项"), "{t}");
    let t = text(&issue(&[], not_held, &Particulars::default()).unwrap().unwrap());
    assert!(t.contains("该政府信息不存在") && t.contains("第三十六条第（四）项"), "{t}");

    for outcome in [RequestRow::OtherHandlingOther, RequestRow::Duplicate, RequestRow::Complaint] {
        let reply = ev(d(2026, 3, 20), EventKind::Reply { outcome, document: None });
        assert!(
            matches!(issue(&[], reply, &Particulars::default()), Err(ComposeError::NoteRequired(_))),
            "{outcome:?} needs the facts"
        );
    }
}

/// Issue 17 item 5: the applicant's words for where the request stands.
#[test]
fn the_stage_follows_the_events() {
    let cal = Calendar::official();
    let r = request();
    let today = d(2026, 3, 10);
    let stage = |events: &[Event]| {
        let s = replay(&cal, &r, events).unwrap();
        stage_label(&s, s.status(&cal, today))
    };
    assert_eq!(stage(&[]), "办理中");
    let notice = ev(d(2026, 3, 4), EventKind::CorrectionNotice { note: "请写明文件名称".into(), period_days: 15 });
    assert_eq!(stage(std::slice::from_ref(&notice)), "待补正");
    let corrected = ev(d(2026, 3, 6), EventKind::CorrectionReceived);
    assert_eq!(stage(&[notice, corrected]), "办理中");
    assert_eq!(stage(&[ev(d(2026, 3, 5), EventKind::ConsultationSent { party: "某公司".into() })]), "征求意见中");
    assert_eq!(
        stage(&[ev(d(2026, 3, 5), EventKind::Extension { approver: "赵主任".into(), reason: "需调取档案".into() })]),
        "已延期"
    );
    assert_eq!(
        stage(&[ev(d(2026, 3, 9), EventKind::Reply { outcome: RequestRow::Granted, document: None })]),
        "已答复"
    );
}

/// Every event kind has its Chinese name (never its key on a page).
#[test]
fn every_event_kind_has_a_chinese_name() {
    for (name, label) in lifecycle::EVENT_LABELS {
        assert_eq!(lifecycle::event_label_of(name), Some(label));
        assert!(!label.chars().any(|c| c.is_ascii_alphabetic()));
    }
    let reply = EventKind::Reply { outcome: RequestRow::Granted, document: None };
    assert_eq!(lifecycle::event_label(&reply), "答复");
}
