//! Reports built from the model for the exporter tests.
#![allow(dead_code)]

use gongkai_core::template;
use proptest::prelude::*;
use serde_json::Value;

use gongkai_core::report::{
    AdministrativeFees, Amount, CaseResults, Columns, DocumentCounts, ItemCounts, LegacyStatistic, Proactive,
    Procurement, Report, RequestRow, RequestTable, ReviewLitigation, Section, SectionKey, SourceFormat, Template,
};

pub fn cols(v: [i64; 7]) -> Columns {
    Columns::from_array(v.map(Some))
}

pub fn amount(s: &str) -> Option<Amount> {
    Amount::parse(s).ok()
}

fn section(key: Option<SectionKey>, title: &str, text: &str) -> Section {
    Section { key, title: title.to_string(), text: text.to_string() }
}

fn set_templates(r: &mut Report, entries: &[(&str, Template)]) {
    for (k, t) in entries {
        r.provenance.table_templates.insert((*k).to_string(), *t);
    }
}

/// A full 2021-template report (tables 2–4 in the 2021 layout, 其他处理 with three sub-rows),
/// with a few blank cells.
pub fn report_2021() -> Report {
    let mut r = Report::new(Template::V2021, "register", SourceFormat::Register);
    r.agency = Some("示例市示例区人民政府办公室".to_string());
    r.year = Some(2021);
    r.published_on = serde_json::from_str("\"2022-01-20\"").ok();
    r.sections = vec![
        section(
            Some(SectionKey::Overview),
            "一、总体情况",
            "2021年，我区认真贯彻落实《中华人民共和国政府信息公开条例》，全年主动公开政府信息1286条。\n\n　　依申请公开方面，全年新收政府信息公开申请48件，上年结转3件。",
        ),
        section(Some(SectionKey::Proactive), "二、主动公开政府信息情况", ""),
        section(Some(SectionKey::Requests), "三、收到和处理政府信息公开申请情况", ""),
        section(Some(SectionKey::ReviewLitigation), "四、政府信息公开行政复议、行政诉讼情况", ""),
        section(Some(SectionKey::Problems), "五、存在的主要问题及改进情况", "一是政策解读形式较为单一；二是基层公开标准目录需进一步细化。"),
        section(
            Some(SectionKey::OtherMatters),
            "六、其他需要报告的事项",
            "依据《政府信息公开信息处理费管理办法》规定，本年度未收取信息处理费。",
        ),
    ];
    r.proactive = Some(Proactive {
        rules: Some(DocumentCounts::V2021 { issued: Some(0), repealed: Some(0), in_force: Some(3) }),
        normative_documents: Some(DocumentCounts::V2021 { issued: Some(5), repealed: Some(1), in_force: Some(42) }),
        licensing: Some(ItemCounts::V2021 { decisions: Some(1234) }),
        other_services: None,
        penalties: Some(ItemCounts::V2021 { decisions: Some(56) }),
        coercive_measures: Some(ItemCounts::V2021 { decisions: None }),
        administrative_fees: Some(AdministrativeFees::V2021 { amount_wan_yuan: amount("1.25") }),
        centralized_procurement: None,
    });
    let mut t = RequestTable::blank();
    use RequestRow as R;
    let rows: [(RequestRow, [i64; 7]); 22] = [
        (R::Received, [40, 5, 0, 0, 1, 2, 48]),
        (R::CarriedOver, [3, 0, 0, 0, 0, 0, 3]),
        (R::Granted, [20, 3, 0, 0, 1, 1, 25]),
        (R::PartiallyGranted, [4, 0, 0, 0, 0, 0, 4]),
        (R::ProhibitedByLaw, [0, 0, 0, 0, 0, 0, 0]),
        (R::SecurityStability, [0, 0, 0, 0, 0, 0, 0]),
        (R::ThirdPartyRights, [1, 0, 0, 0, 0, 0, 1]),
        (R::InternalAffairs, [0, 0, 0, 0, 0, 0, 0]),
        (R::ProcessInformation, [2, 0, 0, 0, 0, 0, 2]),
        (R::EnforcementFiles, [0, 0, 0, 0, 0, 0, 0]),
        (R::AdministrativeQuery, [0, 0, 0, 0, 0, 0, 0]),
        (R::NotHeld, [6, 1, 0, 0, 0, 1, 8]),
        (R::NeedsCreation, [1, 0, 0, 0, 0, 0, 1]),
        (R::StillUnclear, [1, 0, 0, 0, 0, 0, 1]),
        (R::Complaint, [2, 0, 0, 0, 0, 0, 2]),
        (R::Duplicate, [1, 0, 0, 0, 0, 0, 1]),
        (R::Publication, [0, 0, 0, 0, 0, 0, 0]),
        (R::Excessive, [0, 0, 0, 0, 0, 0, 0]),
        (R::NoCorrection, [1, 0, 0, 0, 0, 0, 1]),
        (R::FeeUnpaid, [0, 0, 0, 0, 0, 0, 0]),
        (R::OtherHandlingOther, [1, 0, 0, 0, 0, 0, 1]),
        (R::OutcomesTotal, [40, 4, 0, 0, 1, 2, 47]),
    ];
    for (k, v) in rows {
        *t.row_mut(k) = cols(v);
    }
    // Left empty in the source: the whole 国家秘密 row (stays blank) and 5.要求行政机关确认… except 总计.
    *t.row_mut(R::Reconfirmation) = Columns { total: Some(0), ..Columns::BLANK };
    *t.row_mut(R::OtherHandlingTotal) = cols([2, 0, 0, 0, 0, 0, 2]);
    *t.row_mut(R::CarriedForward) = cols([3, 1, 0, 0, 0, 0, 4]);
    r.requests = Some(t);
    r.review_litigation = Some(ReviewLitigation {
        review: CaseResults::from_array([Some(1), Some(0), Some(0), Some(1), Some(2)]),
        litigation_direct: CaseResults::from_array([Some(0), Some(1), Some(0), Some(0), Some(1)]),
        litigation_after_review: CaseResults::from_array([Some(0), Some(0), Some(0), Some(1), Some(1)]),
    });
    set_templates(
        &mut r,
        &[("proactive", Template::V2021), ("requests", Template::V2021), ("review_litigation", Template::V2021)],
    );
    r
}

/// A pre-2019 statistics row as an import gives it: the indicator recognised from its label
/// (`template::LEGACY_ROWS`), so that a round trip compares like with like.
fn legacy(label: &str, unit: Option<&str>, value: Option<&str>) -> LegacyStatistic {
    let key =
        gongkai_core::template::LEGACY_ROWS.iter().find(|r| label.starts_with(r.label)).map(|r| r.key.to_string());
    LegacyStatistic { label: label.to_string(), key, unit: unit.map(str::to_string), value: value.and_then(amount) }
}

/// The founding report's mix: a 2019 table 2 (negative 本年增/减, procurement amount in 元),
/// a pre-2019 statistics table, 2019 tables 3 and 4 (one 其他处理 row).
pub fn report_2019_mixed() -> Report {
    let mut r = Report::new(Template::V2019, "000_ac430a0e528d85a1.txt", SourceFormat::Text);
    r.agency = Some("余姚市人力资源和社会保障局".to_string());
    r.year = Some(2020);
    r.published_on = serde_json::from_str("\"2021-01-22\"").ok();
    r.sections = vec![
        section(Some(SectionKey::Overview), "一、概述", "2020年，在市委、市政府的关心指导下，根据《条例》要求，坚持公开为常态、不公开为例外的原则。\n1 .健全工作机制，加快信息公开速度"),
        section(
            Some(SectionKey::Proactive),
            "二、主动公开政府信息情况",
            "2020年度在市政府网站人力资源和社会保障局网页主动公开政务信息总数216条（项）。",
        ),
        section(Some(SectionKey::Requests), "三、收到和处理政府信息公开申请情况", ""),
        section(Some(SectionKey::ReviewLitigation), "四、政府信息公开行政复议、行政诉讼情况", ""),
        section(Some(SectionKey::Fees), "五、政府信息公开收费及减免情况", "2020年，我局未发生政府信息公开收费及减免情况。"),
        section(
            Some(SectionKey::Problems),
            "六、政府信息公开工作存在的主要问题及改进措施",
            "平台整合后政府信息公开工作规范化和制度化有待进一步加强。",
        ),
        section(Some(SectionKey::OtherMatters), "七、其它需要报告的事项", "无。"),
    ];
    r.proactive = Some(Proactive {
        rules: Some(DocumentCounts::V2019 { made: Some(0), published: Some(0), published_total: Some(0) }),
        normative_documents: Some(DocumentCounts::V2019 {
            made: Some(4),
            published: Some(4),
            published_total: Some(7),
        }),
        licensing: Some(ItemCounts::V2019 { previous_items: Some(12), change: Some(0), decisions: Some(677) }),
        other_services: Some(ItemCounts::V2019 { previous_items: Some(0), change: Some(0), decisions: Some(0) }),
        penalties: Some(ItemCounts::V2019 { previous_items: Some(22), change: Some(-6), decisions: Some(6) }),
        coercive_measures: Some(ItemCounts::V2019 { previous_items: Some(5), change: Some(-5), decisions: Some(0) }),
        administrative_fees: Some(AdministrativeFees::V2019 { previous_items: Some(0), change: Some(0) }),
        // Printed 「12.3万元」: stored exactly in 元.
        centralized_procurement: Some(Procurement { projects: Some(26), amount_yuan: amount("123000") }),
    });
    r.legacy_statistics = Some(vec![
        legacy("主动公开政府信息数\n（不同渠道和方式公开相同信息计1条）", Some("条"), Some("372")),
        legacy("通过不同渠道和方式公开政府信息的情况", None, None),
        legacy("政府公报公开政府信息数", Some("条"), Some("0")),
        legacy("政府网站公开政府信息数", Some("条"), Some("216")),
        legacy("政务微博公开政府信息数", Some("条"), Some("0")),
        legacy("政务微信公开政府信息数", Some("条"), Some("156")),
        legacy("回应公众关注热点或重大舆情数", Some("次"), Some("0")),
        legacy("政策解读稿件发布数", Some("篇"), None),
    ]);
    let mut t = RequestTable::blank();
    use RequestRow as R;
    for spec in gongkai_core::template::T3_ROWS.iter().filter(|s| s.versions.includes(Template::V2019)) {
        *t.row_mut(spec.key) = Columns::zero();
    }
    *t.row_mut(R::Received) = cols([3, 1, 0, 0, 0, 0, 4]);
    *t.row_mut(R::Granted) = cols([2, 1, 0, 0, 0, 0, 3]);
    *t.row_mut(R::OtherHandlingTotal) = cols([1, 0, 0, 0, 0, 0, 1]);
    *t.row_mut(R::OutcomesTotal) = cols([3, 1, 0, 0, 0, 0, 4]);
    // 总计 left empty in a sub-row, as 上海 2019 does.
    t.row_mut(R::StateSecret).total = None;
    r.requests = Some(t);
    r.review_litigation = Some(ReviewLitigation {
        review: CaseResults::from_array([Some(0); 5]),
        litigation_direct: CaseResults::from_array([Some(0); 5]),
        litigation_after_review: CaseResults::from_array([Some(0); 5]),
    });
    set_templates(
        &mut r,
        &[
            ("proactive", Template::V2019),
            ("legacy_statistics", Template::Pre2019),
            ("requests", Template::V2019),
            ("review_litigation", Template::V2019),
        ],
    );
    r
}

/// Replaces every figure of `v` (numbers, nulls and decimal strings; labels and units stay) with
/// the next of `values`: a count (negative too), a blank, or a decimal when the leaf was one.
pub fn scramble(v: &mut Value, values: &mut impl Iterator<Item = Option<i64>>, key: &str) {
    match v {
        Value::Object(m) => {
            for (k, x) in m.iter_mut() {
                scramble(x, values, k);
            }
        }
        Value::Array(a) => {
            for x in a {
                scramble(x, values, key);
            }
        }
        Value::Number(_) | Value::Null => {
            *v = values.next().flatten().map_or(Value::Null, Value::from);
        }
        Value::String(_) if key == "value" || key.starts_with("amount") => {
            *v = match values.next().flatten() {
                Some(n) if n % 2 == 0 => Value::String(n.abs().to_string()),
                Some(n) => Value::String(format!("{}.{:02}", n.abs() / 100, n.abs() % 100)),
                None => Value::Null,
            };
        }
        _ => {}
    }
}

/// A model report (2021, or 2019 with the pre-2019 statistics table) with arbitrary figures
/// and blanks in every table.
pub fn arbitrary_report() -> impl Strategy<Value = Report> {
    (
        prop::bool::ANY,
        prop::collection::vec(
            prop_oneof![4 => (0i64..100_000).prop_map(Some), 1 => (-500i64..0).prop_map(Some), 2 => Just(None)],
            400,
        ),
    )
        .prop_map(|(v2021, values)| {
            let report = if v2021 { report_2021() } else { report_2019_mixed() };
            let mut json = serde_json::to_value(&report).unwrap_or(Value::Null);
            let mut it = values.into_iter().cycle();
            for key in ["proactive", "requests", "review_litigation", "legacy_statistics"] {
                if let Some(t) = json.get_mut(key) {
                    scramble(t, &mut it, key);
                }
            }
            let mut report: Report = serde_json::from_value(json).unwrap_or(report);
            // The 2021 template prints no 其他处理 total (it is the sum of its three sub-rows, as
            // every importer computes it): a 2021 report holds that sum, not a free figure.
            if let (true, Some(t)) = (v2021, report.requests.as_mut()) {
                for col in gongkai_core::report::Column::ALL {
                    let parts: Option<i64> =
                        template::OTHER_HANDLING_PARTS.iter().map(|k| t.row(*k).and_then(|r| r.get(col))).sum();
                    *t.outcomes.other_handling.total.get_mut(col) = parts;
                }
            }
            report
        })
}

/// A recognised pre-2019 indicator is identified by its key; its printed label may carry the
/// template's own explanation (「（不同渠道和方式公开相同信息计1条）」), which importers drop. Removes
/// the label of every row with a key, for comparing round trips.
pub fn compare_legacy_rows_by_key(rows: &mut Value) {
    if let Value::Array(rows) = rows {
        for row in rows.iter_mut().filter_map(Value::as_object_mut) {
            if row.get("key").is_some_and(|k| !k.is_null()) {
                row.remove("label");
            }
        }
    }
}
