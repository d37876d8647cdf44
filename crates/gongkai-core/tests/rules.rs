//! The rule engine on small hand-built reports (one consistent 2021 and one consistent 2019
//! report, each broken in one place) and on the published reports of shared/corpus.

// Test code: a failed expectation is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

use chrono::NaiveDate;
use gongkai_core::report::*;
use gongkai_core::rules::{self, check, CheckContext, Finding, Severity, NONNUMERIC_NOTE_PREFIX, RULES, TABLES};
use gongkai_core::template::{self, OTHER_HANDLING_PARTS, OUTCOME_LEAVES, SECTIONS, T3_ROWS};

// ---------------------------------------------------------------------------------------------
// Builders

fn set(t: &mut RequestTable, r: RequestRow, parts: [i64; 6]) {
    let row = t.row_mut(r);
    for (c, v) in Column::PARTS.iter().zip(parts) {
        *row.get_mut(*c) = Some(v);
    }
}

/// Fills every 总计 from the parts, （六） from its sub-rows (2021), （七） from the outcome
/// leaves, and 一 from the balance 一 = 三 + 四 − 二, so that every rule holds.
fn complete(t: &mut RequestTable, v2021: bool) {
    let mut sum_rows: Vec<RequestRow> = OUTCOME_LEAVES.to_vec();
    sum_rows.retain(|r| *r != RequestRow::OtherHandlingTotal || !v2021);
    sum_rows.extend([RequestRow::CarriedOver, RequestRow::CarriedForward]);
    if v2021 {
        sum_rows.extend(OTHER_HANDLING_PARTS);
    }
    for r in sum_rows {
        let row = t.row_mut(r);
        row.total = Some(Column::PARTS.iter().map(|c| row.get(*c).unwrap_or(0)).sum());
    }
    for c in Column::ALL {
        if v2021 {
            let s: i64 = OTHER_HANDLING_PARTS.iter().map(|r| t.row_mut(*r).get(c).unwrap_or(0)).sum();
            *t.outcomes.other_handling.total.get_mut(c) = Some(s);
        }
        let o: i64 = OUTCOME_LEAVES.iter().map(|r| t.row_mut(*r).get(c).unwrap_or(0)).sum();
        *t.outcomes.total.get_mut(c) = Some(o);
        let received = o + t.carried_forward.get(c).unwrap_or(0) - t.carried_over.get(c).unwrap_or(0);
        *t.received.get_mut(c) = Some(received);
    }
}

fn requests(v2021: bool) -> RequestTable {
    use RequestRow as R;
    let mut t = RequestTable::blank();
    let leaves: Vec<RequestRow> = if v2021 {
        OUTCOME_LEAVES.iter().copied().filter(|r| *r != R::OtherHandlingTotal).chain(OTHER_HANDLING_PARTS).collect()
    } else {
        OUTCOME_LEAVES.to_vec()
    };
    for r in leaves.iter().chain(&[R::CarriedOver, R::CarriedForward]) {
        set(&mut t, *r, [0; 6]);
    }
    set(&mut t, R::Granted, [30, 2, 0, 1, 0, 1]);
    set(&mut t, R::PartiallyGranted, [5, 0, 0, 0, 0, 0]);
    set(&mut t, R::StateSecret, [1, 0, 0, 0, 0, 0]);
    set(&mut t, R::ProcessInformation, [2, 1, 0, 0, 0, 0]);
    set(&mut t, R::NotHeld, [10, 0, 0, 0, 1, 0]);
    set(&mut t, R::Duplicate, [3, 0, 0, 0, 0, 0]);
    if v2021 {
        set(&mut t, R::NoCorrection, [2, 0, 0, 0, 0, 0]);
        set(&mut t, R::OtherHandlingOther, [1, 0, 0, 0, 0, 0]);
    } else {
        set(&mut t, R::OtherHandlingTotal, [3, 0, 0, 0, 0, 0]);
    }
    set(&mut t, R::CarriedOver, [1, 0, 0, 0, 0, 0]);
    set(&mut t, R::CarriedForward, [2, 0, 0, 0, 0, 1]);
    complete(&mut t, v2021);
    t
}

fn review() -> ReviewLitigation {
    let mut t4 = ReviewLitigation::blank();
    for (g, v) in [
        (CaseGroup::Review, [2, 1, 0, 0]),
        (CaseGroup::LitigationDirect, [1, 0, 0, 1]),
        (CaseGroup::LitigationAfterReview, [0, 0, 0, 0]),
    ] {
        let grp = t4.group_mut(g);
        for (r, x) in CaseResult::ALL.iter().zip(v) {
            *grp.get_mut(*r) = Some(x);
        }
        grp.total = Some(v.iter().sum());
    }
    t4
}

fn proactive(v2021: bool) -> Proactive {
    if v2021 {
        Proactive {
            rules: Some(DocumentCounts::V2021 { issued: Some(1), repealed: Some(0), in_force: Some(11) }),
            normative_documents: Some(DocumentCounts::V2021 { issued: Some(8), repealed: Some(2), in_force: Some(66) }),
            licensing: Some(ItemCounts::V2021 { decisions: Some(447) }),
            other_services: None,
            penalties: Some(ItemCounts::V2021 { decisions: Some(39) }),
            coercive_measures: Some(ItemCounts::V2021 { decisions: Some(8) }),
            administrative_fees: Some(AdministrativeFees::V2021 { amount_wan_yuan: Amount::parse("96171.6").ok() }),
            centralized_procurement: None,
        }
    } else {
        let items = |p, c, d| Some(ItemCounts::V2019 { previous_items: Some(p), change: Some(c), decisions: Some(d) });
        Proactive {
            rules: Some(DocumentCounts::V2019 { made: Some(0), published: Some(0), published_total: Some(3) }),
            normative_documents: Some(DocumentCounts::V2019 {
                made: Some(4),
                published: Some(4),
                published_total: Some(7),
            }),
            licensing: items(12, 0, 677),
            other_services: items(3, -1, 20),
            penalties: items(40, 2, 100),
            coercive_measures: items(5, 0, 1),
            administrative_fees: Some(AdministrativeFees::V2019 { previous_items: Some(0), change: Some(0) }),
            centralized_procurement: Some(Procurement {
                projects: Some(26),
                amount_yuan: Amount::parse("123000").ok(),
            }),
        }
    }
}

fn sections(received: i64) -> Vec<Section> {
    SECTIONS
        .iter()
        .filter(|s| s.required)
        .map(|s| Section {
            key: Some(s.key),
            title: s.title.to_string(),
            text: if s.key == SectionKey::Overview {
                format!("（二）依申请公开情况。本年度共受理政府信息公开申请{received}件，均在法定期限内予以答复。")
            } else {
                "……".to_string()
            },
        })
        .collect()
}

fn date(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

/// A consistent report of the 2021 (`true`) or 2019 (`false`) template: no finding at all.
fn consistent(v2021: bool) -> Report {
    let tpl = if v2021 { Template::V2021 } else { Template::V2019 };
    let mut r = Report::new(tpl, "test", SourceFormat::Json);
    r.agency = Some("某市人力资源和社会保障局".into());
    r.year = Some(if v2021 { 2022 } else { 2020 });
    r.published_on = if v2021 { date(2023, 1, 20) } else { date(2021, 1, 29) };
    let t = requests(v2021);
    r.sections = sections(t.received.total.unwrap_or_default());
    r.requests = Some(t);
    r.review_litigation = Some(review());
    r.proactive = Some(proactive(v2021));
    r
}

fn run(r: &Report) -> Vec<Finding> {
    check(r, &CheckContext::default())
}

fn of<'a>(fs: &'a [Finding], rule: &str) -> Vec<&'a Finding> {
    fs.iter().filter(|f| f.rule == rule).collect()
}

fn above_info(fs: &[Finding]) -> Vec<&Finding> {
    fs.iter().filter(|f| f.severity > Severity::Info).collect()
}

fn where_(f: &Finding) -> (&str, Option<&str>, Option<&str>) {
    (f.table.as_deref().unwrap_or(""), f.row.as_deref(), f.column.as_deref())
}

fn req(r: &mut Report) -> &mut RequestTable {
    r.requests.as_mut().expect("test report has table 3")
}

// ---------------------------------------------------------------------------------------------
// Consistent reports

#[test]
fn consistent_2021_report_has_no_finding_at_all() {
    let fs = run(&consistent(true));
    assert!(fs.is_empty(), "{fs:#?}");
}

#[test]
fn consistent_2019_report_has_no_finding_at_all() {
    // 2019: （六）其他处理 is one row; its sub-rows stay null and are not required.
    let r = consistent(false);
    assert!(r.requests.as_ref().is_some_and(|t| t.outcomes.other_handling.no_correction.is_none()));
    let fs = run(&r);
    assert!(fs.is_empty(), "{fs:#?}");
}

#[test]
fn every_rule_id_is_in_the_catalogue_with_its_severity() {
    let ids: Vec<&str> = RULES.iter().map(|r| r.id).collect();
    assert_eq!(
        ids,
        [
            "t3.balance",
            "t3.outcome-sum",
            "t3.other-sum",
            "t3.column-sum",
            "t4.group-sum",
            "t2.change",
            "legacy.channel-sum",
            "text.figure",
            "year.carry",
            "year.in-force",
            "meta.deadline",
            "meta.sections",
            "cell.blank",
            "cell.nonnumeric"
        ]
    );
    let sev = |id: &str| rules::rule(id).map(|r| r.severity);
    for id in ["t3.balance", "t3.outcome-sum", "t3.other-sum", "t3.column-sum", "t4.group-sum", "cell.nonnumeric"] {
        assert_eq!(sev(id), Some(Severity::Error), "{id}");
    }
    for id in [
        "t2.change",
        "legacy.channel-sum",
        "text.figure",
        "year.carry",
        "year.in-force",
        "meta.deadline",
        "meta.sections",
    ] {
        assert_eq!(sev(id), Some(Severity::Warning), "{id}");
    }
    assert_eq!(sev("cell.blank"), Some(Severity::Info));
    assert_eq!(NONNUMERIC_NOTE_PREFIX, "非数字:");
}

// ---------------------------------------------------------------------------------------------
// Table 3

#[test]
fn t3_balance_points_at_the_broken_column() {
    for v2021 in [true, false] {
        let mut r = consistent(v2021);
        // Break 一 only in the 自然人 column and keep its row sum: only the balance fails.
        let t = req(&mut r);
        t.received.natural_person = t.received.natural_person.map(|v| v + 1);
        t.received.commercial = t.received.commercial.map(|v| v - 1);
        let fs = run(&r);
        let errors = above_info(&fs);
        let got: Vec<_> = errors.iter().map(|f| (f.rule.as_str(), where_(f))).collect();
        assert_eq!(
            got,
            vec![
                ("t3.balance", ("requests", None, Some("natural_person"))),
                ("t3.balance", ("requests", None, Some("commercial"))),
            ],
            "{fs:#?}"
        );
        let f = errors[0];
        assert_eq!(f.severity, Severity::Error);
        let t = r.requests.unwrap_or_default();
        let (a, b) = (t.received.natural_person.unwrap_or(-1), t.carried_over.natural_person.unwrap_or(-1));
        let (o, c) = (t.outcomes.total.natural_person.unwrap_or(-1), t.carried_forward.natural_person.unwrap_or(-1));
        assert_eq!(f.values["received"], serde_json::json!(a));
        assert_eq!(f.values["carried_over"], serde_json::json!(b));
        assert_eq!(f.values["outcomes.total"], serde_json::json!(o));
        assert_eq!(f.values["carried_forward"], serde_json::json!(c));
        assert_eq!(f.values["sum"], serde_json::json!(a + b));
        assert_eq!(f.values["expected"], serde_json::json!(o + c));
        assert_eq!(f.values["difference"], serde_json::json!(1));
        // The message names cells with the template's labels.
        assert!(f.message.contains(&template::t3_row(RequestRow::Received).full_label()), "{}", f.message);
        assert!(f.message.contains(&template::t3_row(RequestRow::CarriedForward).full_label()));
        assert!(f.message.contains(template::column_label(Column::NaturalPerson)));
        assert!(f.message_en.contains("received"));
    }
}

#[test]
fn t3_outcome_sum_points_at_outcomes_total() {
    let mut r = consistent(true);
    let t = req(&mut r);
    // （七）总计 +1 and 四 −1 in 科研机构: the balance still holds, the outcome sum does not.
    t.outcomes.total.research = Some(1);
    t.carried_forward.research = Some(-1);
    let fs = run(&r);
    let f = of(&fs, "t3.outcome-sum");
    assert_eq!(f.len(), 1, "{fs:#?}");
    assert_eq!(where_(f[0]), ("requests", Some("outcomes.total"), Some("research")));
    assert_eq!(f[0].severity, Severity::Error);
    assert_eq!(f[0].values["sum"], serde_json::json!(0));
    assert_eq!(f[0].values["expected"], serde_json::json!(1));
    assert!(f[0].message.contains(template::RowGroup::Withheld.label()), "{}", f[0].message);
    assert!(of(&fs, "t3.balance").is_empty());
}

#[test]
fn t3_outcome_sum_uses_the_2021_sub_rows_when_the_total_row_is_blank() {
    let mut r = consistent(true);
    req(&mut r).outcomes.other_handling.total = Columns::BLANK;
    let fs = run(&r);
    assert!(fs.is_empty(), "{fs:#?}");
    // …and a broken sub-row then shows in the outcome sum.
    req(&mut r).row_mut(RequestRow::FeeUnpaid).legal_services = Some(4);
    let fs = run(&r);
    let f = of(&fs, "t3.outcome-sum");
    assert_eq!(f.len(), 1, "{fs:#?}");
    assert_eq!(where_(f[0]), ("requests", Some("outcomes.total"), Some("legal_services")));
    assert!(of(&fs, "t3.other-sum").is_empty(), "no total row, nothing to compare the sub-rows with");
}

#[test]
fn t3_other_sum_points_at_the_column() {
    let mut r = consistent(true);
    req(&mut r).row_mut(RequestRow::OtherHandlingOther).natural_person = Some(2); // was 1
    let fs = run(&r);
    let f = of(&fs, "t3.other-sum");
    assert_eq!(f.len(), 1, "{fs:#?}");
    assert_eq!(where_(f[0]), ("requests", Some("outcomes.other_handling.total"), Some("natural_person")));
    assert_eq!(f[0].severity, Severity::Error);
    assert_eq!(f[0].values["sum"], serde_json::json!(4));
    assert_eq!(f[0].values["expected"], serde_json::json!(3));
    // The row sum of the changed sub-row breaks too.
    let c = of(&fs, "t3.column-sum");
    assert_eq!(c.len(), 1);
    assert_eq!(where_(c[0]), ("requests", Some("outcomes.other_handling.other"), Some("total")));
}

#[test]
fn t3_other_handling_given_only_as_a_total_in_a_2021_table_is_accepted() {
    // 洪泽区 2023/2024: 2021 tables with （六）其他处理 printed as one row. The importer leaves
    // the sub-rows out (`null`); rows of blank cells are accepted the same way.
    let mut r = consistent(true);
    let oh = &mut req(&mut r).outcomes.other_handling;
    (oh.no_correction, oh.fee_unpaid, oh.other) = (None, None, None);
    let fs = run(&r);
    assert!(fs.is_empty(), "{fs:#?}");
    let mut r = consistent(true);
    let t = req(&mut r);
    for row in OTHER_HANDLING_PARTS {
        *t.row_mut(row) = Columns::BLANK;
    }
    let fs = run(&r);
    assert!(fs.is_empty(), "{fs:#?}");
    // …but a blank （六）其他处理 row is then a blank required row.
    req(&mut r).outcomes.other_handling.total.research = None;
    let fs = run(&r);
    let blank = of(&fs, "cell.blank");
    assert_eq!(blank.len(), 1, "{fs:#?}");
    assert_eq!(where_(blank[0]), ("requests", Some("outcomes.other_handling.total"), None));
}

#[test]
fn t3_column_sum_points_at_the_row() {
    let mut r = consistent(false);
    req(&mut r).outcomes.granted.total = Some(35); // parts add up to 34
    let fs = run(&r);
    let f = of(&fs, "t3.column-sum");
    assert_eq!(f.len(), 1, "{fs:#?}");
    assert_eq!(where_(f[0]), ("requests", Some("outcomes.granted"), Some("total")));
    assert_eq!(f[0].values["sum"], serde_json::json!(34));
    assert_eq!(f[0].values["expected"], serde_json::json!(35));
    assert!(f[0].message.contains(template::column_label(Column::Commercial)));
    // The 总计 column's outcome sum notices too.
    let o = of(&fs, "t3.outcome-sum");
    assert_eq!(o.len(), 1);
    assert_eq!(where_(o[0]), ("requests", Some("outcomes.total"), Some("total")));
}

#[test]
fn blank_cells_are_skipped_and_said_once_per_rule_and_place() {
    let mut r = consistent(true);
    req(&mut r).received.legal_services = None;
    let fs = run(&r);
    assert!(above_info(&fs).is_empty(), "a blank is not a violation: {fs:#?}");
    let balance = of(&fs, "t3.balance");
    assert_eq!(balance.len(), 1);
    assert_eq!(balance[0].severity, Severity::Info);
    assert_eq!(where_(balance[0]), ("requests", None, Some("legal_services")));
    assert_eq!(balance[0].values["blank"], serde_json::json!(["received"]));
    let rows = of(&fs, "t3.column-sum");
    assert_eq!(rows.len(), 1);
    assert_eq!(where_(rows[0]), ("requests", Some("received"), Some("total")));
    assert_eq!(rows[0].severity, Severity::Info);
    let blank = of(&fs, "cell.blank");
    assert_eq!(blank.len(), 1);
    assert_eq!(where_(blank[0]), ("requests", Some("received"), None));
    assert_eq!(blank[0].values["blank"], serde_json::json!(["legal_services"]));
    assert_eq!(fs.len(), 3, "{fs:#?}");
}

#[test]
fn cell_blank_lists_a_row_once_and_skips_template_free_rows() {
    let mut r = consistent(true);
    let t = req(&mut r);
    t.outcomes.withheld.state_secret.research = None;
    t.outcomes.withheld.state_secret.total = None;
    let fs = run(&r);
    let blank = of(&fs, "cell.blank");
    assert_eq!(blank.len(), 1, "{fs:#?}");
    assert_eq!(where_(blank[0]), ("requests", Some("outcomes.withheld.state_secret"), None));
    assert_eq!(blank[0].values["blank"], serde_json::json!(["research", "total"]));
    assert!(blank[0].message.contains(template::column_label(Column::Research)));
    assert!(blank[0].message.contains("属于国家秘密"));
}

// ---------------------------------------------------------------------------------------------
// Table 4 and table 2

#[test]
fn t4_group_sum_points_at_the_group() {
    let mut r = consistent(true);
    if let Some(t4) = r.review_litigation.as_mut() {
        t4.litigation_after_review.pending = Some(2);
    }
    let fs = run(&r);
    let f = above_info(&fs);
    assert_eq!(f.len(), 1, "{fs:#?}");
    assert_eq!(f[0].rule, "t4.group-sum");
    assert_eq!(where_(f[0]), ("review_litigation", Some("litigation_after_review"), Some("total")));
    assert!(f[0].message.contains(template::group_label(CaseGroup::LitigationAfterReview)));
    assert!(f[0].message.contains(template::result_label(CaseResult::Pending)));
}

#[test]
fn t4_blank_cells_are_info() {
    let mut r = consistent(true);
    if let Some(t4) = r.review_litigation.as_mut() {
        t4.review.other = None;
    }
    let fs = run(&r);
    let got: Vec<_> = fs.iter().map(|f| (f.rule.as_str(), f.severity, where_(f))).collect();
    assert_eq!(
        got,
        vec![
            ("cell.blank", Severity::Info, ("review_litigation", Some("review"), None)),
            ("t4.group-sum", Severity::Info, ("review_litigation", Some("review"), Some("total"))),
        ]
    );
}

#[test]
fn t2_change_below_zero_is_a_warning() {
    let mut r = consistent(false);
    if let Some(p) = r.proactive.as_mut() {
        p.licensing = Some(ItemCounts::V2019 { previous_items: Some(3), change: Some(-5), decisions: Some(0) });
    }
    let fs = run(&r);
    let f = above_info(&fs);
    assert_eq!(f.len(), 1, "{fs:#?}");
    assert_eq!(f[0].rule, "t2.change");
    assert_eq!(f[0].severity, Severity::Warning);
    assert_eq!(where_(f[0]), ("proactive", Some("licensing"), Some("change")));
    assert_eq!(f[0].values["sum"], serde_json::json!(-2));
    assert!(f[0].message.contains("上一年项目数量") && f[0].message.contains("行政许可"));
}

#[test]
fn t2_blank_rows_of_the_template_are_listed() {
    let mut r = consistent(true);
    if let Some(p) = r.proactive.as_mut() {
        p.coercive_measures = None;
        p.rules = Some(DocumentCounts::V2021 { issued: Some(1), repealed: None, in_force: Some(11) });
    }
    let fs = run(&r);
    let got: Vec<_> = fs.iter().map(|f| (f.rule.as_str(), where_(f), f.values["blank"].clone())).collect();
    assert_eq!(
        got,
        vec![
            ("cell.blank", ("proactive", Some("rules"), None), serde_json::json!(["repealed"])),
            ("cell.blank", ("proactive", Some("coercive_measures"), None), serde_json::json!(["decisions"])),
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Pre-2019 statistics

fn stat(key: &str, value: &str) -> LegacyStatistic {
    let label = template::LEGACY_ROWS.iter().find(|r| r.key == key).map_or("", |r| r.label);
    LegacyStatistic {
        label: label.into(),
        key: Some(key.into()),
        unit: Some("条".into()),
        value: Amount::parse(value).ok(),
    }
}

fn legacy(stats: Vec<LegacyStatistic>, prose: &str) -> Report {
    let mut r = Report::new(Template::Pre2019, "test", SourceFormat::Text);
    r.agency = Some("某县人民政府".into());
    r.year = Some(2012);
    r.published_on = date(2013, 3, 20);
    r.legacy_statistics = Some(stats);
    r.sections = vec![Section { key: Some(SectionKey::Overview), title: "一、概述".into(), text: prose.into() }];
    r
}

#[test]
fn legacy_channel_sum_bounds_the_total() {
    let ok =
        legacy(vec![stat("proactive_total", "216"), stat("channel_website", "216"), stat("channel_gazette", "10")], "");
    assert!(run(&ok).is_empty(), "{:#?}", run(&ok));
    let over =
        legacy(vec![stat("proactive_total", "300"), stat("channel_website", "216"), stat("channel_gazette", "10")], "");
    let fs = run(&over);
    assert_eq!(fs.len(), 1, "{fs:#?}");
    assert_eq!(
        (fs[0].rule.as_str(), where_(&fs[0])),
        ("legacy.channel-sum", ("legacy_statistics", Some("proactive_total"), Some("value")))
    );
    assert_eq!(fs[0].values["sum"], serde_json::json!(226));
    let under = legacy(vec![stat("proactive_total", "100"), stat("channel_website", "216")], "");
    let fs = run(&under);
    assert_eq!(fs.len(), 1, "{fs:#?}");
    assert_eq!(fs[0].values["expected_min"], serde_json::json!(216));
    // A blank channel: the lower bound is still checked, the upper bound is skipped (info).
    let mut blank = stat("channel_weibo", "0");
    blank.value = None;
    let fs = run(&legacy(vec![stat("proactive_total", "999"), stat("channel_website", "216"), blank], ""));
    assert_eq!(fs.len(), 1);
    assert_eq!((fs[0].rule.as_str(), fs[0].severity), ("legacy.channel-sum", Severity::Info));
}

// ---------------------------------------------------------------------------------------------
// text.figure

const PROACTIVE_PROSE: &str = "（一）主动公开政府信息的数量\n本年度主动公开政务信息总数216条（项），在主动公开的政府信息中，法规公文5条，公示公告150条，工作进展46条，人事信息9条，规划计划2条，财政信息1条，应急管理1条，其他2条。";

#[test]
fn text_figure_proactive_total_against_parts_and_statistics() {
    // 216 = 5+150+46+9+2+1+1+2 and = the website channel (the only channel): no finding.
    let r = legacy(vec![stat("channel_website", "216")], PROACTIVE_PROSE);
    assert!(run(&r).is_empty(), "{:#?}", run(&r));
    // With 主动公开政府信息数 in the table, that is what the prose is compared with.
    let r = legacy(vec![stat("proactive_total", "216"), stat("channel_website", "216")], PROACTIVE_PROSE);
    assert!(run(&r).is_empty());
    let r = legacy(vec![stat("proactive_total", "215"), stat("channel_website", "215")], PROACTIVE_PROSE);
    let fs = run(&r);
    assert_eq!(fs.len(), 1, "{fs:#?}");
    let f = &fs[0];
    assert_eq!((f.rule.as_str(), f.severity), ("text.figure", Severity::Warning));
    assert_eq!(where_(f), ("legacy_statistics", Some("proactive_total"), Some("value")));
    assert_eq!(f.values["prose"], serde_json::json!(216));
    assert_eq!(f.values["table"], serde_json::json!(215));
    assert_eq!(f.values["section"], serde_json::json!("overview"));
    assert!(f.values["quote"].as_str().is_some_and(|q| q.starts_with("本年度主动公开政务信息总数216条")));
    // Only the channel in the table: 216 cannot exceed it.
    let fs = run(&legacy(vec![stat("channel_website", "200")], PROACTIVE_PROSE));
    assert_eq!(fs.len(), 1, "{fs:#?}");
    assert_eq!(fs[0].values["expected_max"], serde_json::json!(200));
}

#[test]
fn text_figure_parts_that_do_not_add_up() {
    let prose = PROACTIVE_PROSE.replace("工作进展46条", "工作进展45条");
    let fs = run(&legacy(vec![], &prose));
    assert_eq!(fs.len(), 1, "{fs:#?}");
    assert_eq!(where_(&fs[0]), ("sections", Some("overview"), None));
    assert_eq!(fs[0].values["sum"], serde_json::json!(215));
    assert_eq!(fs[0].values["expected"], serde_json::json!(216));
    // Without a 「其他」 bucket the list may be incomplete: a smaller sum is no finding.
    let prose = PROACTIVE_PROSE.replace("，其他2条", "");
    assert!(run(&legacy(vec![], &prose)).is_empty());
}

fn with_prose(mut r: Report, text: &str) -> Report {
    r.sections[0].text = text.to_string();
    r
}

#[test]
fn text_figure_requests_against_table_3() {
    let base = consistent(true);
    let t = base.requests.unwrap_or_default();
    let (recv, answered, over, forward) = (
        t.received.total.unwrap_or_default(),
        t.outcomes.total.total.unwrap_or_default(),
        t.carried_over.total.unwrap_or_default(),
        t.carried_forward.total.unwrap_or_default(),
    );
    let good = format!(
        "2022 年，全市共受理政府信息公开申请 {recv} 件，答\n复 {answered} 件（含上年度结转申请 {over} 件，另有 {forward} 件顺延到下年度答复），均在法定期限内予以答复。"
    );
    let fs = run(&with_prose(consistent(true), &good));
    assert!(fs.is_empty(), "{fs:#?}");
    let bad = format!(
        "2022 年，全市共受理政府信息公开申请 {} 件，答\n复 {} 件（含上年度结转申请 {over} 件，另有 {} 件顺延到下年度答复）。",
        recv + 1,
        answered,
        forward + 2
    );
    let fs = run(&with_prose(consistent(true), &bad));
    let got: Vec<_> = fs.iter().map(|f| (f.rule.as_str(), f.severity, where_(f))).collect();
    assert_eq!(
        got,
        vec![
            ("text.figure", Severity::Warning, ("requests", Some("received"), Some("total"))),
            ("text.figure", Severity::Warning, ("requests", Some("carried_forward"), Some("total"))),
        ]
    );
    assert_eq!(fs[0].values["prose"], serde_json::json!(recv + 1));
    assert_eq!(fs[0].values["table"], serde_json::json!(recv));
    assert_eq!(fs[0].values["quote"], serde_json::json!(format!("全市共受理政府信息公开申请 {} 件", recv + 1)));
    assert_eq!(fs[0].values["section_title"], serde_json::json!(SECTIONS[0].title));
    assert!(fs[0].message.contains(&template::t3_row(RequestRow::Received).full_label()));
    // The other phrasings of the brief.
    for phrase in ["共受理政府信息公开申请69件", "收到政府信息公开申请69件", "依申请公开：新收申请69件"]
    {
        let fs = run(&with_prose(consistent(true), phrase));
        assert_eq!(of(&fs, "text.figure").len(), 1, "{phrase}: {fs:#?}");
    }
}

#[test]
fn text_figure_is_conservative() {
    for phrase in [
        "其中自然人申请69件。",                           // a subset
        "共受理政府信息公开申请约69件。",                 // approximate
        "开设窗口26个，共受理申请12151件。",              // not about disclosure requests
        "全年办理行政复议案件120件，行政诉讼30件。",      // not about disclosure
        "区政府办代表区政府受理政府信息公开申请 17 件。", // one office, maybe not the table's scope
        "网上受理政府信息公开申请3件。",                  // one channel
    ] {
        let fs = run(&with_prose(consistent(true), phrase));
        assert!(fs.is_empty(), "{phrase}: {fs:#?}");
    }
}

#[test]
fn text_figure_review_and_litigation() {
    let good = "政府信息公开行政复议 3 件，其中结果维持 2 件，结果纠正 1 件，其他结果 0 件，尚未审结 0 件；政府信息公开行政诉讼 2 件，其中结果维持 1 件，结果纠正 0 件，其他结果 0 件，尚未审结 1 件。";
    assert!(run(&with_prose(consistent(true), good)).is_empty(), "{:#?}", run(&with_prose(consistent(true), good)));
    let fs = run(&with_prose(consistent(true), "信息公开类行政复议7件，诉讼9件。"));
    let got: Vec<_> = fs.iter().map(|f| (f.values["prose"].clone(), f.values["table"].clone(), where_(f))).collect();
    assert_eq!(
        got,
        vec![
            (serde_json::json!(7), serde_json::json!(3), ("review_litigation", Some("review"), Some("total"))),
            (serde_json::json!(9), serde_json::json!(2), ("review_litigation", None, Some("total"))),
        ]
    );
    // 「30件被纠正」 with no total before it: against 结果纠正 of the groups the sentence names
    // (the fixture's table 4: review corrected 1, litigation corrected 0).
    let fs = run(&with_prose(consistent(true), "本年度政府信息公开行政复议案件中有30件被纠正。"));
    let got: Vec<_> = fs.iter().map(|f| (f.values["prose"].clone(), f.values["table"].clone(), where_(f))).collect();
    assert_eq!(
        got,
        vec![(serde_json::json!(30), serde_json::json!(1), ("review_litigation", Some("review"), Some("corrected")))]
    );
    assert!(fs[0].message.contains("表四“行政复议”结果纠正(1)"), "{}", fs[0].message);
    assert!(run(&with_prose(consistent(true), "本年度政府信息公开行政复议案件中有1件被纠正。")).is_empty());
    let fs = run(&with_prose(consistent(true), "政府信息公开行政诉讼被纠正3件。"));
    assert_eq!(fs.len(), 1, "{fs:#?}");
    assert_eq!(fs[0].values["table"], serde_json::json!(0));
    // 「均获维持」 while the table has a pending case.
    let fs = run(&with_prose(consistent(true), "政府信息公开行政复议3件，行政诉讼2件，均获维持。"));
    assert_eq!(fs.len(), 2, "{fs:#?}");
    assert!(fs.iter().all(|f| f.column.as_deref() == Some("upheld") && f.values["claim"] == "all_upheld"));
}

// ---------------------------------------------------------------------------------------------
// Cross-year rules

#[test]
fn year_carry_compares_with_last_years_carried_forward() {
    let this = consistent(true);
    let mut prev = consistent(true);
    req(&mut prev).carried_forward = this.requests.unwrap_or_default().carried_over;
    prev.proactive = None; // only table 3 is compared here
    let ctx = CheckContext { previous: Some(&prev), government_report: None };
    assert!(check(&this, &ctx).is_empty());
    req(&mut prev).carried_forward.natural_person = Some(5); // this year's carried_over is 1
    let fs = check(&this, &CheckContext { previous: Some(&prev), government_report: None });
    let f = of(&fs, "year.carry");
    assert_eq!(f.len(), 1, "{fs:#?}");
    assert_eq!(f[0].severity, Severity::Warning);
    assert_eq!(where_(f[0]), ("requests", Some("carried_over"), Some("natural_person")));
    assert_eq!(f[0].values["carried_over"], serde_json::json!(1));
    assert_eq!(f[0].values["previous.carried_forward"], serde_json::json!(5));
    // The same report as its own predecessor: 二 = 1 vs 四 = 2 in 自然人 and the 其他/总计 columns.
    let fs = check(&this, &CheckContext { previous: Some(&this), government_report: None });
    let cols: Vec<_> = of(&fs, "year.carry").iter().map(|f| f.column.clone().unwrap_or_default()).collect();
    assert_eq!(cols, ["natural_person", "other", "total"]);
}

#[test]
fn year_in_force_is_an_approximate_warning() {
    let this = consistent(true);
    let mut prev = consistent(true);
    if let Some(p) = prev.proactive.as_mut() {
        // 60 + 8 − 2 = 66 holds for 规范性文件; 规章: 10 + 1 − 0 = 11 holds too.
        p.normative_documents = Some(DocumentCounts::V2021 { issued: Some(0), repealed: Some(0), in_force: Some(60) });
        p.rules = Some(DocumentCounts::V2021 { issued: Some(0), repealed: Some(0), in_force: Some(10) });
    }
    prev.requests = None; // only table 2 is compared here
    let ctx = CheckContext { previous: Some(&prev), government_report: None };
    assert!(check(&this, &ctx).is_empty(), "{:#?}", check(&this, &ctx));
    if let Some(p) = prev.proactive.as_mut() {
        p.rules = Some(DocumentCounts::V2021 { issued: Some(0), repealed: Some(0), in_force: Some(12) });
    }
    let fs = check(&this, &CheckContext { previous: Some(&prev), government_report: None });
    assert_eq!(fs.len(), 1, "{fs:#?}");
    assert_eq!((fs[0].rule.as_str(), fs[0].severity), ("year.in-force", Severity::Warning));
    assert_eq!(where_(&fs[0]), ("proactive", Some("rules"), Some("in_force")));
    assert_eq!(fs[0].values["expected"], serde_json::json!(13));
    assert!(fs[0].message.contains("近似"), "{}", fs[0].message);
    assert!(fs[0].message_en.contains("pproximate"));
}

// ---------------------------------------------------------------------------------------------
// Metadata

fn deadline_findings(agency: &str, year: i32, published: (i32, u32, u32), government: Option<bool>) -> Vec<Finding> {
    let mut r = consistent(true);
    r.agency = Some(agency.into());
    r.year = Some(year);
    r.published_on = date(published.0, published.1, published.2);
    let fs = check(&r, &CheckContext { previous: None, government_report: government });
    fs.into_iter().filter(|f| f.rule == "meta.deadline").collect()
}

#[test]
fn meta_deadline_departments_and_governments() {
    // A department: 31 January.
    assert!(deadline_findings("某市人力资源和社会保障局", 2021, (2022, 1, 31), None).is_empty());
    let fs = deadline_findings("某市人力资源和社会保障局", 2021, (2022, 2, 1), None);
    assert_eq!(fs.len(), 1);
    assert_eq!(fs[0].severity, Severity::Warning);
    assert_eq!(where_(&fs[0]), ("meta", Some("published_on"), None));
    assert_eq!(fs[0].values["deadline"], serde_json::json!("2022-01-31"));
    assert_eq!(fs[0].values["days_late"], serde_json::json!(1));
    // A government's own report (by name, heuristically): 31 March.
    for agency in ["淮安市人民政府", "平潭综合实验区管委会", "某经济技术开发区管理委员会"]
    {
        assert!(deadline_findings(agency, 2024, (2025, 3, 31), None).is_empty(), "{agency}");
        assert_eq!(deadline_findings(agency, 2024, (2025, 4, 1), None).len(), 1, "{agency}");
    }
    // 上海市人民政府办公厅 is a department.
    assert_eq!(deadline_findings("上海市人民政府办公厅", 2019, (2020, 2, 1), None).len(), 1);
    // The context overrides the name.
    assert!(deadline_findings("某市人力资源和社会保障局", 2021, (2022, 3, 1), Some(true)).is_empty());
    assert_eq!(deadline_findings("淮安市人民政府", 2021, (2022, 3, 1), Some(false)).len(), 1);
    // Reports on 2018 and earlier: 31 March for everyone (2007 Regulations).
    assert!(deadline_findings("某市人力资源和社会保障局", 2018, (2019, 3, 30), None).is_empty());
    // Unknown date: info.
    let mut r = consistent(true);
    r.published_on = None;
    let fs = run(&r);
    assert_eq!(fs.len(), 1);
    assert_eq!((fs[0].rule.as_str(), fs[0].severity), ("meta.deadline", Severity::Info));
}

#[test]
fn meta_sections_missing_and_out_of_order() {
    let mut r = consistent(true);
    r.sections.retain(|s| s.key != Some(SectionKey::Problems));
    let fs = run(&r);
    assert_eq!(fs.len(), 1, "{fs:#?}");
    assert_eq!((fs[0].rule.as_str(), where_(&fs[0])), ("meta.sections", ("sections", Some("problems"), None)));
    assert!(fs[0].message.contains(template::section(SectionKey::Problems).title));

    let mut r = consistent(true);
    r.sections.swap(1, 2); // 三 before 二
    let fs = run(&r);
    assert_eq!(fs.len(), 1, "{fs:#?}");
    assert_eq!(where_(&fs[0]), ("sections", Some("proactive"), None));
    assert_eq!(fs[0].values["after"], serde_json::json!("requests"));

    // Unkeyed sections are ignored; the fees section may stand anywhere.
    let mut r = consistent(false);
    r.sections.insert(1, Section { key: None, title: "附：名词解释".into(), text: String::new() });
    r.sections.push(Section {
        key: Some(SectionKey::Fees),
        title: "政府信息公开收费及减免情况".into(),
        text: String::new(),
    });
    assert!(run(&r).is_empty(), "{:#?}", run(&r));

    // Pre-2019 outlines differ: not checked.
    let mut r = legacy(vec![], "");
    r.sections.clear();
    assert!(run(&r).is_empty());
}

#[test]
fn cell_nonnumeric_from_import_notes() {
    let mut r = consistent(true);
    r.provenance.notes.push(ImportNote {
        path: "requests.received.natural_person".into(),
        line: Some(42),
        message: format!("{NONNUMERIC_NOTE_PREFIX}约30"),
    });
    r.provenance.notes.push(ImportNote {
        path: "review_litigation.review.upheld".into(),
        line: None,
        message: format!("{NONNUMERIC_NOTE_PREFIX}若干；原文如此"),
    });
    r.provenance.notes.push(ImportNote { path: "requests".into(), line: None, message: "表格跨页".into() });
    let fs = run(&r);
    let got: Vec<_> = fs.iter().map(|f| (f.rule.as_str(), f.severity, where_(f), f.values["raw"].clone())).collect();
    assert_eq!(
        got,
        vec![
            (
                "cell.nonnumeric",
                Severity::Error,
                ("requests", Some("received"), Some("natural_person")),
                serde_json::json!("约30")
            ),
            (
                "cell.nonnumeric",
                Severity::Error,
                ("review_litigation", Some("review"), Some("upheld")),
                serde_json::json!("若干")
            ),
        ]
    );
    assert_eq!(fs[0].values["line"], serde_json::json!(42));
}

#[test]
fn findings_are_ordered_by_table_row_column_and_rule() {
    let mut r = consistent(true);
    r.published_on = date(2023, 6, 1);
    r.sections.pop();
    if let Some(t4) = r.review_litigation.as_mut() {
        t4.review.total = Some(9);
    }
    let t = req(&mut r);
    t.carried_forward.other = Some(7);
    t.outcomes.granted.natural_person = Some(31);
    let fs = run(&r);
    let rank = |f: &Finding| TABLES.iter().position(|t| Some(*t) == f.table.as_deref()).unwrap_or(99);
    assert!(fs.windows(2).all(|w| rank(&w[0]) <= rank(&w[1])), "{fs:#?}");
    let got: Vec<_> = fs.iter().map(|f| (f.rule.as_str(), f.row.as_deref(), f.column.as_deref())).collect();
    assert_eq!(
        got,
        vec![
            // 四 changed in 其他: the balance of that column, the row sum of 四.
            ("t3.balance", None, Some("other")),
            // （一） changed in 自然人: the row sum of （一）, the outcome sum of 自然人.
            ("t3.column-sum", Some("outcomes.granted"), Some("total")),
            ("t3.outcome-sum", Some("outcomes.total"), Some("natural_person")),
            ("t3.column-sum", Some("carried_forward"), Some("total")),
            ("t4.group-sum", Some("review"), Some("total")),
            ("meta.sections", Some("other_matters"), None),
            ("meta.deadline", Some("published_on"), None),
        ]
    );
    assert_eq!(run(&r), fs, "deterministic");
}

// ---------------------------------------------------------------------------------------------
// The published reports of testdata/corpus (figures hand-checked in NNN.expected.json)

/// testdata/corpus/reports, in the repository.
fn corpus_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/corpus/reports")
}

/// A report from an expected.json, with the source's whole text as one prose section.
fn corpus_report(name: &str) -> Report {
    let path = corpus_dir().join(format!("{name}.expected.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let j: serde_json::Value = serde_json::from_str(&text).expect("expected.json parses");
    let mut req = j["requests"].clone();
    if let Some(oh) = req.pointer_mut("/outcomes/other_handling").and_then(|o| o.as_object_mut()) {
        // The sub-rows may be absent (2019 layout); the 其他处理 row itself may not.
        oh.entry("total").or_insert_with(|| serde_json::to_value(Columns::BLANK).unwrap_or_default());
    }
    let tpl: Template = serde_json::from_value(j["template"].clone()).expect("template");
    let mut r = Report::new(tpl, name, SourceFormat::Json);
    r.requests = Some(serde_json::from_value(req).expect("requests"));
    r.review_litigation = Some(serde_json::from_value(j["review_litigation"].clone()).expect("review_litigation"));
    let file = j["file"].as_str().unwrap_or_default();
    if !file.ends_with(".pdf") {
        let mut s = std::fs::read_to_string(corpus_dir().join(file)).expect("corpus text");
        if file.ends_with(".html") {
            let mut o = String::new();
            let mut tag = false;
            for c in s.chars() {
                match c {
                    '<' => tag = true,
                    '>' => {
                        tag = false;
                        o.push('\n');
                    }
                    _ if !tag => o.push(c),
                    _ => {}
                }
            }
            s = o;
        }
        r.sections.push(Section { key: Some(SectionKey::Overview), title: "全文".into(), text: s });
    }
    r
}

/// Findings above info, without the meta rules (the corpus reports here have no dates and one
/// pseudo-section).
fn corpus_findings(name: &str) -> Vec<(String, Option<String>, Option<String>)> {
    run(&corpus_report(name))
        .into_iter()
        .filter(|f| f.severity > Severity::Info && !f.rule.starts_with("meta."))
        .map(|f| (f.rule, f.row, f.column))
        .collect()
}

fn owned(v: &[(&str, Option<&str>, Option<&str>)]) -> Vec<(String, Option<String>, Option<String>)> {
    v.iter().map(|(a, b, c)| (a.to_string(), b.map(str::to_string), c.map(str::to_string))).collect()
}

#[test]
fn corpus_consistent_reports_give_no_error_or_warning() {
    for name in [
        "002-huaian-city-2024-pdf",
        "004-hongze-district-2024-pdf",
        "011-pingtan-zone-2019-flattext",
        "013-pingtan-zone-2021-flattext",
        "015-pingtan-zone-2023-flattext",
        "016-pingtan-zone-2024-flattext",
        "017-pingtan-zone-2025-flattext",
    ] {
        assert_eq!(corpus_findings(name), vec![], "{name}");
    }
}

#[test]
fn corpus_known_inconsistencies_are_reported() {
    // 003/019: table-4 totals printed as 0.
    for name in ["003-hongze-district-2023-pdf", "019-hongze-district-2023"] {
        assert_eq!(
            corpus_findings(name),
            owned(&[
                ("t4.group-sum", Some("review"), Some("total")),
                ("t4.group-sum", Some("litigation_after_review"), Some("total")),
            ]),
            "{name}"
        );
    }
    // 012: result rows add up to 26 (自然人) / 27 (总计), （七）总计 says 20 / 21.
    assert_eq!(
        corpus_findings("012-pingtan-zone-2020-flattext"),
        owned(&[
            ("t3.outcome-sum", Some("outcomes.total"), Some("natural_person")),
            ("t3.outcome-sum", Some("outcomes.total"), Some("total")),
        ])
    );
    // 014: the prose's 75 counts the carried-over request; table row 一 is 74.
    assert_eq!(
        corpus_findings("014-pingtan-zone-2022-flattext"),
        owned(&[("text.figure", Some("received"), Some("total"))])
    );
    // 001: 258 and 265 in the prose disagree with the table; 「均获维持」 although cases are pending.
    assert_eq!(
        corpus_findings("001-shanghai-municipal-govt-office-2019"),
        owned(&[
            ("text.figure", Some("outcomes.granted+partially_granted"), Some("total")),
            ("text.figure", Some("outcomes.unable"), Some("total")),
            ("text.figure", Some("review"), Some("upheld")),
            ("text.figure", None, Some("upheld")),
        ])
    );
    // 001 leaves the 总计 column blank in the result rows: the outcome sum of that column is
    // skipped and said (info), not silently passed.
    let fs = run(&corpus_report("001-shanghai-municipal-govt-office-2019"));
    let skipped: Vec<_> = fs
        .iter()
        .filter(|f| f.rule == "t3.outcome-sum" && f.column.as_deref() == Some("total"))
        .map(|f| f.severity)
        .collect();
    assert_eq!(skipped, [Severity::Info]);
    assert!(fs.iter().any(|f| f.rule == "cell.blank" && f.row.as_deref() == Some("outcomes.granted")));
}

#[test]
fn t3_rows_are_named_by_their_template_paths() {
    // Every row path a finding may carry is a template path.
    let mut r = consistent(true);
    let t = req(&mut r);
    for spec in T3_ROWS {
        if let Some(v) = t.row_mut(spec.key).natural_person.as_mut() {
            *v += 1000;
        }
    }
    for f in run(&r) {
        if f.table.as_deref() == Some("requests") {
            if let Some(row) = &f.row {
                assert!(T3_ROWS.iter().any(|s| s.path == row), "{row}");
            }
        }
    }
}
