//! The shapes of real reports that issue 20 found lost or misread, each re-typeset from a corpus
//! report (testdata/corpus) into that shape: the importer must read them as it reads the
//! original — agency and year from the title, figures cell for cell — and, where a cell is still
//! ambiguous, leave it blank with its note.

use std::path::PathBuf;

use gongkai_core::report::Report;
use gongkai_core::rules::{self, CheckContext};
use serde_json::Value;

fn corpus(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/corpus/reports").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn import(text: &str, name: &str) -> Report {
    gongkai_import::import(text.as_bytes(), name).unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn json(r: &Report) -> Value {
    serde_json::to_value(r).unwrap_or(Value::Null)
}

fn at<'a>(v: &'a Value, path: &str) -> &'a Value {
    path.split('.').try_fold(v, |cur, k| cur.get(k)).unwrap_or(&Value::Null)
}

/// Every figure of tables 3 and 4 of `a` equals `b`'s, except the paths listed.
fn same_figures(a: &Report, b: &Report, except: &[&str]) {
    let (a, b) = (json(a), json(b));
    let mut leaves = Vec::new();
    fn walk(p: &str, v: &Value, out: &mut Vec<String>) {
        match v {
            Value::Object(m) => m.iter().for_each(|(k, x)| walk(&format!("{p}.{k}"), x, out)),
            _ => out.push(p.trim_start_matches('.').to_string()),
        }
    }
    for key in ["requests", "review_litigation", "proactive"] {
        walk(key, at(&b, key), &mut leaves);
    }
    assert!(leaves.len() > 100, "too few figures compared: {}", leaves.len());
    let wrong: Vec<String> = leaves
        .iter()
        .filter(|p| !except.iter().any(|e| p.starts_with(e)))
        .filter(|p| at(&a, p) != at(&b, p))
        .map(|p| format!("{p}: {} ≠ {}", at(&a, p), at(&b, p)))
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

fn notes(r: &Report) -> String {
    r.provenance.notes.iter().map(|n| format!("{}: {}", n.path, n.message)).collect::<Vec<_>>().join("\n")
}

const HONGZE_2024: &str = "004-hongze-district-2024-pdf.txt";
const PINGTAN_2024: &str = "016-pingtan-zone-2024-flattext.txt";

/// 004's text with its first three lines (page number, agency, title) replaced by `head`.
fn hongze_with_head(head: &str) -> String {
    let text = corpus(HONGZE_2024);
    let body: Vec<&str> = text.lines().skip(3).collect();
    format!("{head}\n{}\n", body.join("\n"))
}

#[test]
fn agency_and_year_come_from_the_title_whatever_stands_around_it() {
    let original = import(&corpus(HONGZE_2024), HONGZE_2024);
    assert_eq!(original.agency.as_deref(), Some("淮安市洪泽区人民政府"));
    assert_eq!(original.year, Some(2024));
    let shapes = [
        // A breadcrumb line before the title.
        ("breadcrumb", "当前位置： 首页 > 政务公开 > 政府信息公开年报\n淮安市洪泽区人民政府2024年政府信息公开工作年度报告"),
        // The breadcrumb runs into the title on one line.
        ("breadcrumb-inline", "当前位置：首页 > 政务公开 > 年报 > 淮安市洪泽区人民政府2024年政府信息公开工作年度报告"),
        // A crawler's field name before the title.
        ("crawler", "标题：淮安市洪泽区人民政府2024年政府信息公开工作年度报告"),
        // Markdown heading marks, agency and title on two lines.
        ("markdown", "# 淮安市洪泽区人民政府\n\n## 2024 年政府信息公开工作年度报告"),
        // The opening sentence cites another year's notice before the title.
        (
            "cited-notice",
            "根据《淮安市人民政府办公室关于编制公布2023年政府信息公开工作年度报告有关事项的通知》要求，现公布本报告。\n淮安市洪泽区人民政府\n2024 年政府信息公开工作年度报告",
        ),
    ];
    for (name, head) in shapes {
        let r = import(&hongze_with_head(head), &format!("{name}.txt"));
        assert_eq!(r.agency.as_deref(), Some("淮安市洪泽区人民政府"), "{name}");
        assert_eq!(r.year, Some(2024), "{name}");
        let src = &r.provenance.cells["agency"];
        assert!(["标题", "标题上一行", "编制说明"].contains(&src.label.as_ref()), "{name}: {}", src.label);
        assert_eq!(r.provenance.cells["year"].label, "标题", "{name}");
        same_figures(&r, &original, &[]);
    }
}

#[test]
fn without_a_title_the_year_is_the_statistics_period_not_a_cited_document() {
    // No title in the body (a web page's title sat outside it); the first sentence cites the
    // 2023 notice on how to write the 2024 report.
    let head = "根据《淮安市人民政府办公室关于编制公布2023年政府信息公开工作年度报告有关事项的通知》要求，编制本报告。";
    let r = import(&hongze_with_head(head), "no-title.txt");
    assert_eq!(r.year, Some(2024), "{:?}", r.provenance.cells.get("year"));
    assert_eq!(r.provenance.cells["year"].label, "统计期限");
    // The office that drew the report up names the agency.
    assert_eq!(r.agency.as_deref(), Some("淮安市洪泽区人民政府"));
    assert_eq!(r.provenance.cells["agency"].label, "编制说明");
    // Signed and dated in January 2025: on time for 2024 (with the cited 2023 taken for the
    // year it would be a year late).
    let signed = format!(
        "{}
淮安市洪泽区人民政府
2025年1月20日
",
        hongze_with_head(head)
    );
    let r = import(&signed, "no-title-signed.txt");
    assert_eq!(r.year, Some(2024));
    let findings = rules::check(&r, &CheckContext::default());
    let deadline: Vec<_> = findings.iter().filter(|f| f.rule == "meta.deadline").collect();
    assert!(deadline.is_empty(), "{deadline:?}");
}

#[test]
fn a_fuller_name_of_the_same_agency_is_preferred_and_another_agency_is_not() {
    // 003's title says 洪泽区人民政府; its opening sentence 淮安市洪泽区人民政府办公室.
    let name = "003-hongze-district-2023-pdf.txt";
    let r = import(&corpus(name), name);
    assert_eq!(r.agency.as_deref(), Some("淮安市洪泽区人民政府"));
    // A department's report drawn up by the government's office keeps the department.
    let text = hongze_with_head("淮安市洪泽区教育局\n2024 年政府信息公开工作年度报告");
    let r = import(&text, "dept.txt");
    assert_eq!(r.agency.as_deref(), Some("淮安市洪泽区教育局"));
}

#[test]
fn minus_in_the_change_column_is_negative() {
    // The seed (2019 template) as a flattened 行政许可 row: 上一年项目数量 9, 本年增/减 减4.
    let seed = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata/seeds/000_ac430a0e528d85a1.txt"),
    )
    .unwrap_or_default();
    let original = import(&seed, "seed.txt");
    let o = json(&original);
    let licensing = at(&o, "proactive.licensing").clone();
    assert!(licensing.is_object(), "the seed has a 行政许可 row: {o}");
    // Rewrite the row: label, then 「9减4」 and the decisions as printed.
    let decisions = at(&licensing, "decisions").as_i64().unwrap_or(0);
    let start = seed.find("行政许可").unwrap_or(0);
    let end = seed[start..].find("其他对外管理服务事项").map_or(seed.len(), |e| start + e);
    let text = format!("{}行政许可 9减4 {decisions}\n{}", &seed[..start], &seed[end..]);
    let r = import(&text, "minus.txt");
    let v = json(&r);
    assert_eq!(at(&v, "proactive.licensing.previous_items"), &Value::from(9), "{}", notes(&r));
    assert_eq!(at(&v, "proactive.licensing.change"), &Value::from(-4));
    assert_eq!(at(&v, "proactive.licensing.decisions"), &Value::from(decisions));
}

#[test]
fn a_unique_split_that_breaks_a_total_is_kept_and_reported() {
    // 016's table 4 printed as fifteen digits, a 结果纠正 of 1 under a 行政复议 总计 of 0.
    let text = corpus(PINGTAN_2024).replace("21317000001324019", "010000000000000");
    let r = import(&text, "t4.txt");
    let v = json(&r);
    assert_eq!(at(&v, "review_litigation.review.corrected"), &Value::from(1), "{}", notes(&r));
    assert_eq!(at(&v, "review_litigation.review.total"), &Value::from(0));
    assert!(notes(&r).contains("只有一种拆分"), "{}", notes(&r));
    let findings = rules::check(&r, &CheckContext::default());
    assert!(
        findings.iter().any(|f| f.rule.starts_with("t4") && f.severity == gongkai_core::rules::Severity::Error),
        "the inconsistency must be reported: {findings:?}"
    );
}

#[test]
fn the_prose_chooses_among_the_splits_of_a_table_2_row() {
    let original = corpus(PINGTAN_2024);
    // 「6 3 148」 run together as 「63148」: 6|3|148, 63|1|48, 6|31|48, 63|14|8 … all possible.
    let ambiguous = original.replace("行政规范性文件6233440", "行政规范性文件63148");
    let r = import(&ambiguous, "t2.txt");
    assert!(at(&json(&r), "proactive.normative_documents.issued").is_null(), "ambiguous without the prose");
    let stated = ambiguous.replace("制发行政规范性文件62件", "制发行政规范性文件6件、废止3件、现行有效148件");
    let r = import(&stated, "t2-prose.txt");
    let v = json(&r);
    assert_eq!(at(&v, "proactive.normative_documents.issued"), &Value::from(6), "{}", notes(&r));
    assert_eq!(at(&v, "proactive.normative_documents.repealed"), &Value::from(3));
    assert_eq!(at(&v, "proactive.normative_documents.in_force"), &Value::from(148));
    assert!(notes(&r).contains("按正文所述"), "the provenance says so: {}", notes(&r));
}

#[test]
fn a_half_width_sub_heading_ends_a_table_2_row() {
    let original = corpus(PINGTAN_2024);
    let o = import(&original, PINGTAN_2024);
    let run_on = original.replace(
        "行政事业性收费18651.06三、",
        "行政事业性收费18651.06(二)主动公开政府信息的主要类别 全年主动公开政策文件96篇、规划计划12条、统计信息35条。三、",
    );
    let r = import(&run_on, "run-on.txt");
    same_figures(&r, &o, &[]);
    assert_eq!(at(&json(&r), "proactive.administrative_fees.amount_wan_yuan"), &Value::from("18651.06"));
}

#[test]
fn other_handling_rows_without_their_numbers_and_a_heading_with_yu() {
    let original = corpus(PINGTAN_2024);
    let o = import(&original, PINGTAN_2024);
    let text = original
        .replace("3.其他1100002（七）总计", "其他1100002（七）总计")
        .replace("四、政府信息公开行政复议、行政诉讼情况", "四、政府信息公开行政复议与行政诉讼情况");
    let r = import(&text, "unnumbered.txt");
    same_figures(&r, &o, &[]);
    let v = json(&r);
    assert_eq!(at(&v, "requests.outcomes.other_handling.other.total"), &Value::from(2), "{}", notes(&r));
    assert!(
        r.sections.iter().any(|s| s.key == Some(gongkai_core::report::SectionKey::ReviewLitigation)),
        "section 四 found"
    );
    let findings = rules::check(&r, &CheckContext::default());
    assert!(!findings.iter().any(|f| f.rule == "meta.sections"), "{findings:?}");
}

/// 004 as a PDF converter writes Markdown: every table-3 row its own small table under a
/// generic header, the header repeated after a page break, a page footer and an annotation
/// inside the tables.
fn hongze_as_markdown(drop_cell_of: Option<&str>) -> String {
    let text = corpus(HONGZE_2024);
    let mut out = Vec::new();
    let mut in_t3 = false;
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with("一、本年新收") {
            in_t3 = true;
            out.push(
                "| 申请人情况 | 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |".to_string(),
            );
            out.push("|---|---|---|---|---|---|---|---|".to_string());
        }
        if t.starts_with("四、政府信息公开行政复议") {
            in_t3 = false;
        }
        let toks: Vec<&str> = t.split_whitespace().collect();
        let numeric = |s: &&&str| s.chars().all(|c| c.is_ascii_digit());
        let n = toks.iter().rev().take_while(numeric).count();
        if in_t3 && n == 7 && toks.len() > 7 {
            let label = toks[..toks.len() - 7].join("");
            let mut cells: Vec<&str> = toks[toks.len() - 7..].to_vec();
            if drop_cell_of.is_some_and(|d| label.starts_with(d)) {
                cells.remove(2);
            }
            out.push(String::new());
            out.push("| 数据1 | 数据2 | 数据3 | 数据4 | 数据5 | 数据6 | 数据7 | 数据8 |".to_string());
            out.push("|---|---|---|---|---|---|---|---|".to_string());
            out.push(format!("| {label} | {} |", cells.join(" | ")));
            if label.starts_with("（四）无法提供") {
                // A page break: the footer and the header again.
                out.push("| — 4 — | | | | | | | |".to_string());
                out.push(
                    "| 申请人情况 | 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |"
                        .to_string(),
                );
            }
            continue;
        }
        if t == "行政规范性文件 3 0 8" {
            out.push("| 行政规范性文件 | 3 | 0 | 8 |".to_string());
            out.push("| （其中修订1件） | | | |".to_string());
            continue;
        }
        if is_page(t) {
            continue;
        }
        out.push(line.to_string());
    }
    out.join("\n")
}

fn is_page(t: &str) -> bool {
    t.starts_with("- ") && t.ends_with(" -")
}

#[test]
fn machine_extracted_markdown_reads_as_the_original() {
    let o = import(&corpus(HONGZE_2024), HONGZE_2024);
    let md = hongze_as_markdown(None);
    assert!(md.contains("| 数据1 |"), "the fixture is Markdown");
    let r = import(&md, "hongze.md");
    assert_eq!(r.provenance.shape.as_deref(), Some("markdown"));
    assert_eq!(r.agency.as_deref(), Some("淮安市洪泽区人民政府"));
    assert_eq!(r.year, Some(2024));
    same_figures(&r, &o, &[]);
    // A row missing a cell stays blank, with its note; every other figure is still right.
    let md = hongze_as_markdown(Some("3.要求提供公开出版物"));
    let r = import(&md, "hongze-missing.md");
    let v = json(&r);
    assert!(at(&v, "requests.outcomes.not_processed.publication.total").is_null(), "{}", notes(&r));
    assert!(notes(&r).contains("要求提供公开出版物"), "{}", notes(&r));
    same_figures(&r, &o, &["requests.outcomes.not_processed.publication"]);
}
