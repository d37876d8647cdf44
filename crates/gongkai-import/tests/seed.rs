//! The founding document (shared/seeds/000_ac430a0e528d85a1.txt): a Word dump mixing a 2019
//! table 2, a pre-2019 statistics table and 2019 tables 3 and 4. Every figure must be right.

use std::path::PathBuf;

use gongkai_core::report::*;

fn seed() -> Report {
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata");
    let path = shared.join("seeds/000_ac430a0e528d85a1.txt");
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    gongkai_import::import(&bytes, "000_ac430a0e528d85a1.txt").unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn seed_metadata() {
    let r = seed();
    assert_eq!(r.template, Template::V2019);
    assert_eq!(r.year, Some(2020));
    assert_eq!(r.published_on, chrono::NaiveDate::from_ymd_opt(2021, 1, 22));
    assert_eq!(r.agency.as_deref(), Some("余姚市人力资源和社会保障局"));
    assert_eq!(r.provenance.shape.as_deref(), Some("word-dump"));
    assert_eq!(r.provenance.table_templates.get("proactive"), Some(&Template::V2019));
    assert_eq!(r.provenance.table_templates.get("legacy_statistics"), Some(&Template::Pre2019));
    assert!(r.provenance.notes.is_empty(), "{:?}", r.provenance.notes);
}

#[test]
fn seed_table2() {
    let p = seed().proactive.unwrap_or_default();
    assert_eq!(p.rules, Some(DocumentCounts::V2019 { made: Some(0), published: Some(0), published_total: Some(0) }));
    assert_eq!(
        p.normative_documents,
        Some(DocumentCounts::V2019 { made: Some(4), published: Some(4), published_total: Some(7) })
    );
    assert_eq!(
        p.licensing,
        Some(ItemCounts::V2019 { previous_items: Some(12), change: Some(0), decisions: Some(677) })
    );
    assert_eq!(
        p.other_services,
        Some(ItemCounts::V2019 { previous_items: Some(0), change: Some(0), decisions: Some(0) })
    );
    assert_eq!(p.penalties, Some(ItemCounts::V2019 { previous_items: Some(22), change: Some(-6), decisions: Some(6) }));
    assert_eq!(
        p.coercive_measures,
        Some(ItemCounts::V2019 { previous_items: Some(5), change: Some(-5), decisions: Some(0) })
    );
    assert_eq!(p.administrative_fees, Some(AdministrativeFees::V2019 { previous_items: Some(0), change: Some(0) }));
    let proc = p.centralized_procurement.unwrap_or(Procurement { projects: None, amount_yuan: None });
    assert_eq!(proc.projects, Some(26));
    assert_eq!(proc.amount_yuan.as_ref().map(Amount::as_str), Some("123000"));
}

#[test]
fn seed_statistics_table() {
    let stats = seed().legacy_statistics.unwrap_or_default();
    let get = |k: &str| stats.iter().find(|s| s.key.as_deref() == Some(k)).cloned();
    let v = |k: &str| get(k).and_then(|s| s.value).map(|a| a.to_string());
    let u = |k: &str| get(k).and_then(|s| s.unit);
    assert_eq!(v("proactive_total").as_deref(), Some("372"));
    assert_eq!(u("proactive_total").as_deref(), Some("条"));
    assert_eq!(v("channel_website").as_deref(), Some("216"));
    assert_eq!(v("channel_wechat").as_deref(), Some("156"));
    assert_eq!(v("channel_gazette").as_deref(), Some("0"));
    assert_eq!(u("policy_interpretations").as_deref(), Some("篇"));
    assert_eq!(u("press_conferences").as_deref(), Some("次"));
    assert_eq!(get("channels").map(|s| (s.unit, s.value)), Some((None, None)));
    assert_eq!(stats.len(), 14, "{stats:#?}");
}

#[test]
fn seed_tables_3_and_4() {
    let r = seed();
    let t3 = r.requests.unwrap_or_else(RequestTable::blank);
    for row in gongkai_core::template::T3_ROWS.iter() {
        match row.key {
            RequestRow::NoCorrection | RequestRow::FeeUnpaid | RequestRow::OtherHandlingOther => {
                assert_eq!(t3.row(row.key), None, "2019 layout has no {:?}", row.key)
            }
            k => assert_eq!(t3.row(k), Some(&Columns::zero()), "{k:?}"),
        }
    }
    let t4 = r.review_litigation.unwrap_or_else(ReviewLitigation::blank);
    for g in CaseGroup::ALL {
        assert_eq!(t4.group(g), &CaseResults::from_array([Some(0); 5]));
    }
}

#[test]
fn seed_sections() {
    let r = seed();
    let keys: Vec<Option<SectionKey>> = r.sections.iter().map(|s| s.key).collect();
    use SectionKey::*;
    assert_eq!(
        keys,
        vec![
            Some(Overview),
            Some(Proactive),
            Some(Requests),
            Some(ReviewLitigation),
            Some(Fees),
            Some(Problems),
            Some(OtherMatters)
        ]
    );
    assert_eq!(r.sections[0].title, "一、概述");
    assert!(r.sections[1].text.contains("主动公开政务信息总数216条"));
    assert!(!r.sections[1].text.contains("第二十条"), "table text leaked into the prose");
    assert_eq!(r.sections[6].text, "无。");
}
