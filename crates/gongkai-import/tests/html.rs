//! HTML pages: the corpus page 001 (Shanghai 2019, merged cells, blank total column) and our own
//! 2021 county page (CMS chrome around the report, table 3 split into two `<table>`s, `&nbsp;`
//! cells, a GBK page declaring its charset), with every figure checked; provenance; and no panic
//! on arbitrary or mutated pages.

use std::path::PathBuf;

use gongkai_core::report::{Report, SourceFormat};
use gongkai_core::rules::{self, CheckContext, Finding, Severity};
use proptest::prelude::*;
use serde_json::Value;

fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata")
}

fn corpus(name: &str) -> PathBuf {
    shared().join("corpus/reports").join(name)
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn read(p: &PathBuf) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn leaves(prefix: &str, v: &Value, out: &mut Vec<(String, Value)>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = if prefix.is_empty() { k.clone() } else { format!("{prefix}.{k}") };
                leaves(&p, x, out);
            }
        }
        _ => out.push((prefix.to_string(), v.clone())),
    }
}

/// (right, total, wrong) for the figures of `expected` (tables 2–4 where given).
fn score(report: &Report, expected: &Value) -> (usize, usize, Vec<String>) {
    let got = serde_json::to_value(report).unwrap_or(Value::Null);
    let mut exp = Vec::new();
    for key in ["proactive", "requests", "review_litigation"] {
        if let Some(v) = expected.get(key) {
            leaves(key, v, &mut exp);
        }
    }
    let mut wrong = Vec::new();
    for (path, want) in &exp {
        let have =
            path.split('.').try_fold(&got, |cur, k| cur.get(k)).cloned().unwrap_or(Value::String("<missing>".into()));
        if have != *want {
            wrong.push(format!("{path}: expected {want}, got {have}"));
        }
    }
    for key in ["year", "template", "agency", "published_on"] {
        if let Some(want) = expected.get(key) {
            if got.get(key) != Some(want) {
                wrong.push(format!("{key}: expected {want}, got {:?}", got.get(key)));
            }
        }
    }
    (exp.len() - wrong.len().min(exp.len()), exp.len(), wrong)
}

fn findings(report: &Report, rule: &str, severity: Severity) -> Vec<Finding> {
    rules::check(report, &CheckContext::default())
        .into_iter()
        .filter(|f| f.rule == rule && f.severity == severity)
        .collect()
}

#[test]
fn shanghai_2019_every_figure_right_and_its_inconsistencies_reported() {
    let name = "001-shanghai-municipal-govt-office-2019.html";
    let bytes = read(&corpus(name));
    assert_eq!(gongkai_import::detect(&bytes), gongkai_import::DetectedFormat::Html);
    let report = gongkai_import::import(&bytes, name).unwrap_or_else(|e| panic!("{e}"));
    let expected: Value =
        serde_json::from_slice(&read(&corpus("001-shanghai-municipal-govt-office-2019.expected.json")))
            .unwrap_or(Value::Null);
    let (right, total, wrong) = score(&report, &expected);
    println!("001: {right}/{total} expected figures right");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(total, 176);
    assert_eq!(report.provenance.format, SourceFormat::Html);
    assert_eq!(report.agency.as_deref(), Some("上海市人民政府办公厅"));
    // Table 2 (2019) is read too, with the procurement amount in 元.
    let p = serde_json::to_value(&report.proactive).unwrap_or(Value::Null);
    assert_eq!(p["rules"]["published_total"], 524);
    assert_eq!(p["centralized_procurement"]["amount_yuan"], "251000");

    // The known inconsistencies: every result row leaves 总计 empty (t3.column-sum cannot be
    // verified), the result rows do not reach （七）总计, the narrative disagrees with the table.
    let colsum = findings(&report, "t3.column-sum", Severity::Info);
    for row in [
        "outcomes.granted",
        "outcomes.partially_granted",
        "outcomes.withheld.state_secret",
        "outcomes.withheld.internal_affairs",
        "outcomes.withheld.process_information",
        "outcomes.withheld.administrative_query",
        "outcomes.unable.not_held",
        "outcomes.unable.needs_creation",
        "outcomes.unable.still_unclear",
        "outcomes.not_processed.complaint",
        "outcomes.not_processed.duplicate",
    ] {
        assert!(colsum.iter().any(|f| f.row.as_deref() == Some(row)), "no t3.column-sum finding for {row}");
    }
    let outcome = findings(&report, "t3.outcome-sum", Severity::Info);
    assert!(outcome.iter().any(|f| f.column.as_deref() == Some("total")));
    let text = findings(&report, "text.figure", Severity::Warning);
    assert!(text.iter().any(|f| f.message.contains("258")), "{text:?}");
    assert!(text.iter().any(|f| f.message.contains("265")), "{text:?}");
    assert!(findings(&report, "t3.balance", Severity::Error).is_empty());
}

#[test]
fn shanghai_2019_provenance_names_table_row_and_column() {
    let name = "001-shanghai-municipal-govt-office-2019.html";
    let report = gongkai_import::import(&read(&corpus(name)), name).unwrap_or_else(|e| panic!("{e}"));
    let c = &report.provenance.cells["requests.outcomes.withheld.state_secret.natural_person"];
    assert_eq!(c.raw, "14");
    assert_eq!(c.label, "1.属于国家秘密");
    assert_eq!(c.column, "自然人");
    let l = c.location.clone().unwrap_or_default();
    assert_eq!(l.table, Some(2));
    assert_eq!(l.column, Some(4));
    assert_eq!(l.row, Some(c.line));
    // A blank cell is blank in the source, and says so.
    let b = &report.provenance.cells["requests.outcomes.granted.total"];
    assert_eq!(b.raw, "");
    assert!(report.requests.as_ref().is_some_and(|t| t.outcomes.granted.total.is_none()));
}

fn county_expected() -> Value {
    serde_json::from_slice(&read(&fixture("2021-county-cms.expected.json"))).unwrap_or(Value::Null)
}

#[test]
fn county_2021_page_with_cms_chrome_and_split_table() {
    let bytes = read(&fixture("2021-county-cms.html"));
    let report = gongkai_import::import(&bytes, "2021-county-cms.html").unwrap_or_else(|e| panic!("{e}"));
    let (right, total, wrong) = score(&report, &county_expected());
    println!("2021 county page: {right}/{total} expected figures right");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(total, 207);
    // The chrome is not report text: no navigation, no hidden paragraph, no footer.
    let all: String = report.prose();
    for chrome in ["首页", "相关栏目", "版权所有", "2020年，共收到申请99件", "打印本页", "浏览次数"]
    {
        assert!(!all.contains(chrome), "chrome {chrome:?} in the sections");
    }
    assert_eq!(report.sections.len(), 6);
    // Table 3's second <table> (the page's 4th) holds 「4.保护第三方合法权益」.
    let c = &report.provenance.cells["requests.outcomes.withheld.third_party_rights.total"];
    assert_eq!(c.location.as_ref().and_then(|l| l.table), Some(4));
    // The blank 2021 row stays blank (and so does 其他处理's derived total).
    let t3 = report.requests.as_ref().map(|t| t.outcomes.other_handling);
    assert!(t3.is_some_and(|o| o.fee_unpaid.is_some_and(|f| f.total.is_none()) && o.total.total.is_none()));
    assert!(rules::check(&report, &CheckContext::default()).iter().all(|f| f.severity == Severity::Info));
}

#[test]
fn county_2021_page_in_gbk_declared_by_meta_charset() {
    let text = String::from_utf8(read(&fixture("2021-county-cms.html"))).unwrap_or_default();
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(&text);
    assert!(!unmappable);
    assert!(std::str::from_utf8(&gbk).is_err(), "the page must really be GBK");
    // The file name says nothing: the format comes from the content.
    let report = gongkai_import::import(&gbk, "download.bin").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.provenance.encoding.as_deref(), Some("GBK"));
    let (right, total, wrong) = score(&report, &county_expected());
    println!("2021 county page (GBK): {right}/{total} expected figures right");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn page_date_is_used_only_without_a_signature() {
    let page = "<html><body><h1>某局2021年政府信息公开工作年度报告</h1><p>发布日期：2022-01-26</p>\
        <p>一、总体情况</p><p>本年度共收到申请0件。</p></body></html>";
    let r = gongkai_import::import(page.as_bytes(), "p.html").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.published_on.map(|d| d.to_string()).as_deref(), Some("2022-01-26"));
    assert!(r.provenance.notes.iter().any(|n| n.path == "published_on"));
}

#[test]
fn layout_tables_are_read_as_text() {
    // An old CMS: the whole page in a layout table, the report in a nested one.
    let page = "<html><body><table><tr><td><table><tr><td>首页</td><td>政务公开</td></tr></table></td></tr>\
        <tr><td><p>某县2021年政府信息公开工作年度报告</p><p>一、总体情况</p><p>全年收到申请3件。</p>\
        <table border=1><tr><td colspan=4>第二十条第（一）项</td></tr>\
        <tr><td>信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>\
        <tr><td>规章</td><td>1</td><td>0</td><td>3</td></tr>\
        <tr><td colspan=4>第二十条第（五）项</td></tr><tr><td>信息内容</td><td colspan=3>本年处理决定数量</td></tr>\
        <tr><td>行政许可</td><td colspan=3>7</td></tr></table></td></tr></table></body></html>";
    let r = gongkai_import::import(page.as_bytes(), "old.html").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(r.year, Some(2021));
    let p = serde_json::to_value(&r.proactive).unwrap_or(Value::Null);
    assert_eq!(p["licensing"]["decisions"], 7);
    assert_eq!(p["rules"]["in_force"], 3);
    let c = &r.provenance.cells["proactive.licensing.decisions"];
    assert_eq!(c.location.as_ref().and_then(|l| l.row), Some(6));
}

#[test]
fn huge_spans_and_many_rows_stay_bounded() {
    // A cell spanning every row and 1000 columns over 50,000 empty rows, 40 times.
    let mut page = String::from("<html><body><p>某县2021年政府信息公开工作年度报告</p>");
    for _ in 0..40 {
        page.push_str("<table><tr><td rowspan=\"0\" colspan=\"1000\">x</td><td>1</td></tr>");
        page.push_str(&"<tr></tr>".repeat(50_000));
        page.push_str("</table>");
    }
    page.push_str("</body></html>");
    let start = std::time::Instant::now();
    let _ = gongkai_import::import(page.as_bytes(), "big.html");
    assert!(start.elapsed().as_secs() < 60, "{:?}", start.elapsed());
}

fn mutate(base: &[u8], edits: &[(usize, u8)], cut: usize) -> Vec<u8> {
    let mut b = base.to_vec();
    for (i, v) in edits {
        if !b.is_empty() {
            let n = b.len();
            b[i % n] = *v;
        }
    }
    b.truncate(cut.min(b.len()).max(b.len() / 2));
    b
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_markup_never_panics(body in "\\PC{0,1500}") {
        let page = format!("<html><body><table><tr><td rowspan=\"0\" colspan=\"99999\">{body}</td></tr></table>{body}</body></html>");
        let _ = gongkai_import::import(page.as_bytes(), "fuzz.html");
    }

    #[test]
    fn arbitrary_bytes_as_a_page_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..3000)) {
        let mut b = b"<!DOCTYPE html><table>".to_vec();
        b.extend_from_slice(&bytes);
        let _ = gongkai_import::import(&b, "fuzz.html");
    }

    #[test]
    fn mutated_pages_never_panic(edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..40), cut in any::<usize>()) {
        let base = read(&fixture("2021-county-cms.html"));
        let _ = gongkai_import::import(&mutate(&base, &edits, cut), "m.html");
    }
}
