//! Assertions on the official layout of the exports: row counts, merges, blank cells, escaping,
//! self-containment. Each compares with `gongkai_core::template`, so a wrong layout fails here
//! even when a snapshot was accepted by mistake.

mod common;

use gongkai_core::report::{Proactive, RequestTable, ReviewLitigation, SectionKey, Template};
use gongkai_core::template::{self, RowGroup};
use gongkai_export::grid::{self, TableKind};
use gongkai_export::{render_html, render_html_fragment, render_markdown};

// ---------------------------------------------------------------------------------------------
// Helpers over the generated markup (no HTML parser needed: the markup is ours and regular).

/// The `<table …>…</table>` of a table class (`gk-requests` …).
fn table<'a>(html: &'a str, class: &str) -> Option<&'a str> {
    let start = html.find(&format!("<table class=\"gk-table {class}\""))?;
    let len = html[start..].find("</table>")? + "</table>".len();
    Some(&html[start..start + len])
}

fn between<'a>(s: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let a = s.find(open)? + open.len();
    let b = s[a..].find(close)?;
    Some(&s[a..a + b])
}

/// The opening tag of the first cell whose whole content is `text`.
fn cell_tag<'a>(html: &'a str, text: &str) -> Option<&'a str> {
    let at = html.find(&format!(">{text}</t"))?;
    let open = html[..at].rfind('<')?;
    Some(&html[open..=at])
}

/// A span attribute of a tag (1 when absent).
fn span(tag: &str, attr: &str) -> usize {
    between(tag, &format!("{attr}=\""), "\"").and_then(|v| v.parse().ok()).unwrap_or(1)
}

fn spans_of(html: &str, text: &str) -> (usize, usize) {
    let tag = cell_tag(html, text).unwrap_or_else(|| panic!("no cell 「{text}」"));
    (span(tag, "rowspan"), span(tag, "colspan"))
}

/// (opening tag, content) of every `<td>`.
fn td_cells(html: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("<td") {
        let after = &rest[i..];
        let Some(gt) = after.find('>') else { break };
        let Some(end) = after.find("</td>") else {
            break;
        };
        out.push((&after[..=gt], &after[gt + 1..end]));
        rest = &after[end..];
    }
    out
}

fn t3_rows(t: Template) -> usize {
    template::T3_ROWS.iter().filter(|r| r.versions.includes(t)).count()
}

fn t3_outcome_rows(t: Template) -> usize {
    template::T3_ROWS.iter().filter(|r| r.outcome && r.versions.includes(t)).count()
}

fn all_blank_2021() -> gongkai_core::report::Report {
    let mut r = common::report_2021();
    r.proactive = Some(Proactive::default());
    let mut t = RequestTable::blank();
    for k in template::OTHER_HANDLING_PARTS {
        *t.row_mut(k) = gongkai_core::report::Columns::BLANK;
    }
    r.requests = Some(t);
    r.review_litigation = Some(ReviewLitigation::blank());
    r
}

// ---------------------------------------------------------------------------------------------
// Table 3

#[test]
fn table3_body_has_one_row_per_template_row() {
    for (report, t, expected) in
        [(common::report_2021(), Template::V2021, 25), (common::report_2019_mixed(), Template::V2019, 23)]
    {
        let html = render_html(&report);
        let t3 = table(&html, "gk-requests").expect("table 3");
        let body = between(t3, "<tbody>", "</tbody>").expect("tbody");
        assert_eq!(body.matches("<tr>").count(), t3_rows(t), "{t:?}");
        // 2 + 22 + 1 (2021) and 2 + 20 + 1 (2019), as in the template pictures.
        assert_eq!(t3_rows(t), expected);
        let head = between(t3, "<thead>", "</thead>").expect("thead");
        assert_eq!(head.matches("<tr>").count(), 3);
        // Seven figure cells in every body row.
        for row in body.split("</tr>").filter(|r| r.contains("<tr>")) {
            assert_eq!(row.matches("<td").count(), template::COLUMNS.len(), "{row}");
        }
    }
}

#[test]
fn outcomes_label_spans_twenty_two_rows_in_2021_and_twenty_in_2019() {
    for (report, t, expected) in
        [(common::report_2021(), Template::V2021, 22), (common::report_2019_mixed(), Template::V2019, 20)]
    {
        for out in [render_html(&report), render_markdown(&report)] {
            let (rows, cols) = spans_of(&out, template::T3_OUTCOMES);
            assert_eq!(rows, t3_outcome_rows(t));
            assert_eq!(rows, expected);
            assert_eq!(cols, 1);
        }
    }
}

#[test]
fn table3_group_labels_span_their_sub_rows() {
    let html = render_html(&common::report_2021());
    for (g, n) in
        [(RowGroup::Withheld, 8), (RowGroup::Unable, 3), (RowGroup::NotProcessed, 5), (RowGroup::OtherHandling, 3)]
    {
        assert_eq!(spans_of(&html, g.label()), (n, 1), "{}", g.label());
    }
    // 2019: （六）其他处理 is one row spanning the two inner label columns.
    let html = render_html(&common::report_2019_mixed());
    for (g, n) in [(RowGroup::Withheld, 8), (RowGroup::Unable, 3), (RowGroup::NotProcessed, 5)] {
        assert_eq!(spans_of(&html, g.label()), (n, 1), "{}", g.label());
    }
    let other = template::t3_row(gongkai_core::report::RequestRow::OtherHandlingTotal).full_label();
    assert_eq!(spans_of(&html, &other), (1, 2));
    for k in template::OTHER_HANDLING_PARTS {
        assert!(!html.contains(&template::t3_row(k).full_label()), "2019 has no sub-row {k:?}");
    }
}

#[test]
fn table3_header_is_merged_as_in_the_template() {
    for report in [common::report_2021(), common::report_2019_mixed()] {
        let html = render_html(&report);
        let t3 = table(&html, "gk-requests").expect("table 3");
        let head = between(t3, "<thead>", "</thead>").expect("thead");
        assert_eq!(spans_of(head, template::T3_NOTE), (3, 3));
        assert!(cell_tag(head, template::T3_NOTE).is_some_and(|t| t.starts_with("<td")), "the note is not a header");
        assert_eq!(spans_of(head, template::T3_APPLICANTS), (1, 7));
        assert_eq!(spans_of(head, template::T3_ORGANISATIONS), (1, 5));
        for c in &template::COLUMNS {
            let expected = if c.organisation { (1, 1) } else { (2, 1) };
            assert_eq!(spans_of(head, c.label), expected, "{}", c.label);
            assert!(cell_tag(head, c.label).is_some_and(|t| t.contains("scope=\"col\"")));
        }
        for spec in template::T3_ROWS.iter().filter(|r| r.versions.includes(Template::V2021) && r.group.is_none()) {
            let tag = cell_tag(t3, &spec.full_label()).expect("row label");
            assert!(tag.contains("scope=\"row\""), "{tag}");
            let cols = if spec.outcome { 2 } else { 3 };
            assert_eq!(span(tag, "colspan"), cols, "{}", spec.full_label());
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Tables 2 and 4

#[test]
fn table4_has_the_two_level_header() {
    let html = render_html(&common::report_2021());
    let t4 = table(&html, "gk-review").expect("table 4");
    let head = between(t4, "<thead>", "</thead>").expect("thead");
    assert_eq!(spans_of(head, template::T4_REVIEW), (1, 5));
    assert_eq!(spans_of(head, template::T4_LITIGATION), (1, 10));
    for g in &template::T4_GROUPS[1..] {
        assert_eq!(spans_of(head, g.label), (1, 5));
    }
    // The review results span two header rows; each result label is printed three times.
    assert_eq!(spans_of(head, template::T4_RESULTS[0].label), (2, 1));
    for r in &template::T4_RESULTS {
        assert_eq!(head.matches(&format!(">{}<", r.label)).count(), 3);
    }
    let body = between(t4, "<tbody>", "</tbody>").expect("tbody");
    assert_eq!(body.matches("<tr>").count(), 1);
    assert_eq!(body.matches("<td>").count(), 15);
}

#[test]
fn table2_blocks_follow_their_template_grid() {
    let html = render_html(&common::report_2021());
    let t2 = table(&html, "gk-proactive").expect("table 2");
    assert_eq!(t2.matches("<tbody>").count(), template::T2_2021.len());
    for b in &template::T2_2021 {
        assert_eq!(spans_of(t2, b.title), (1, 4), "{}", b.title);
    }
    // Single-value blocks merge their value over the three value columns.
    assert_eq!(spans_of(t2, template::T2_2021[1].columns[0].label), (1, 3));
    let fee = template::T2_2021[3].columns[0];
    assert_eq!(fee.unit, Some("万元"));
    assert!(t2.contains(&format!(">{}</th></tr>", fee.label)) && t2.contains("<td colspan=\"3\">1.25</td>"));

    let html = render_html(&common::report_2019_mixed());
    let t2 = table(&html, "gk-proactive").expect("table 2");
    assert_eq!(t2.matches("<tbody>").count(), template::T2_2019.len());
    for b in &template::T2_2019 {
        assert_eq!(spans_of(t2, b.title), (1, 5), "{}", b.title);
    }
    // Negative change as printed; the procurement amount in 元.
    assert!(t2.contains("<td colspan=\"2\">-6</td>"), "{t2}");
    assert!(t2.contains(&format!("<td colspan=\"2\">123000{}</td>", grid::UNIT_YUAN)));
}

// ---------------------------------------------------------------------------------------------
// Blank, null, mixed templates

#[test]
fn blank_cells_print_empty_never_zero() {
    let report = all_blank_2021();
    let html = render_html(&report);
    let cells = td_cells(&html);
    assert!(cells.len() > 7 * 25 + 15, "{} cells", cells.len());
    for (tag, content) in &cells {
        if !tag.contains("gk-note") {
            assert_eq!(*content, "", "{tag}");
        }
    }
    let md = render_markdown(&report);
    for (_, content) in td_cells(&md) {
        assert!(content.is_empty() || content == template::T3_NOTE, "{content}");
    }
    // And in the fixture: the blank 国家秘密 row and the blank 行政强制 value.
    let html = render_html(&common::report_2021());
    let secret = template::t3_row(gongkai_core::report::RequestRow::StateSecret).full_label();
    let row = between(&html, &format!(">{secret}</th>"), "</tr>").expect("row");
    assert_eq!(row, "<td></td>".repeat(7));
    assert!(html.contains(&format!(">{}</th><td colspan=\"3\"></td></tr>", template::T2_2021[2].rows[1].label)));
}

#[test]
fn null_tables_are_not_rendered() {
    let mut report = common::report_2021();
    report.requests = None;
    report.review_litigation = None;
    for out in [render_html(&report), render_markdown(&report)] {
        assert!(!out.contains(template::T3_NOTE));
        assert!(!out.contains(template::T4_GROUPS[1].label));
        assert!(out.contains(template::T2_2021[0].title));
    }
    // Without sections either, no heading is invented for an absent table.
    report.sections.clear();
    report.proactive = None;
    let html = render_html(&report);
    assert!(!html.contains("<table"));
    assert!(!html.contains("<h2>"));
}

#[test]
fn each_table_follows_its_own_template() {
    let mut report = common::report_2019_mixed();
    report.template = Template::V2021; // the newest any table follows; tables say 2019.
    let html = render_html(&report);
    let t3 = table(&html, "gk-requests").expect("table 3");
    assert_eq!(between(t3, "<tbody>", "</tbody>").map(|b| b.matches("<tr>").count()), Some(23));
    assert!(t3.contains("data-template=\"2019\""));
    assert!(html.contains(template::T2_2019[4].title), "2019 table 2 keeps its 第（九）项");
    assert!(table(&html, "gk-legacy").is_some_and(|t| t.contains("data-template=\"pre2019\"")));

    // Without per-table templates, report.template decides.
    report.provenance.table_templates.clear();
    let html = render_html(&report);
    let t3 = table(&html, "gk-requests").expect("table 3");
    assert_eq!(between(t3, "<tbody>", "</tbody>").map(|b| b.matches("<tr>").count()), Some(25));
    assert_eq!(spans_of(t3, template::T3_OUTCOMES).0, 22);
}

#[test]
fn missing_table_sections_are_inserted_in_template_order() {
    let mut report = common::report_2019_mixed();
    report.sections.retain(|s| matches!(s.key, Some(SectionKey::Overview | SectionKey::Problems)));
    let html = render_html(&report);
    let pos = |s: &str| html.find(&format!("<h2>{s}</h2>")).unwrap_or_else(|| panic!("no heading {s}"));
    let overview = pos("一、概述");
    let t2 = pos(template::section(SectionKey::Proactive).title);
    let t3 = pos(template::section(SectionKey::Requests).title);
    let t4 = pos(template::section(SectionKey::ReviewLitigation).title);
    let problems = pos("六、政府信息公开工作存在的主要问题及改进措施");
    assert!(overview < t2 && t2 < t3 && t3 < t4 && t4 < problems);
    // The statistics table sits in 二 with table 2, before table 3.
    let legacy = html.find("<table class=\"gk-table gk-legacy\"").expect("legacy table");
    assert!(t2 < legacy && legacy < t3);
}

// ---------------------------------------------------------------------------------------------
// The page

#[test]
fn html_page_is_self_contained() {
    let report = common::report_2021();
    let html = render_html(&report);
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"zh-CN\">"));
    assert!(html.contains("<meta charset=\"utf-8\">"));
    assert!(html.contains("<title>示例市示例区人民政府办公室2021年政府信息公开工作年度报告</title>"));
    for banned in ["http", "<script", "<link", "@import", "url(", "src=", "@font-face"] {
        assert!(!html.contains(banned), "{banned}");
    }
    assert!(html.contains("@media print") && html.contains("size: A4"));
    assert!(html.contains("\"FangSong\", \"仿宋\"") && html.contains("\"STFangsong\"") && html.contains("serif;"));
    assert!(html.contains("\"SimHei\"") && html.contains("\"Noto Sans CJK SC\"") && html.contains("sans-serif;"));
    // Every table has a caption.
    assert_eq!(html.matches("<table").count(), html.matches("<caption>").count());

    // A link in the report's text is the only "http", and it stays text.
    let mut report = report;
    report.sections[0].text.push_str("\n详见http://www.example.gov.cn/zfxxgk?id=1&p=2。");
    let html = render_html(&report);
    assert_eq!(html.matches("http").count(), 1);
    assert!(html.contains("<p>详见http://www.example.gov.cn/zfxxgk?id=1&amp;p=2。</p>"));
}

#[test]
fn fragment_is_the_body_only() {
    let report = common::report_2019_mixed();
    let frag = render_html_fragment(&report);
    for banned in ["<html", "<head", "<body", "<style", "<!DOCTYPE"] {
        assert!(!frag.contains(banned), "{banned}");
    }
    assert!(frag.starts_with("<article class=\"gk-report\""));
    assert!(render_html(&report).contains(&frag));
}

#[test]
fn signature_closes_the_document_right_aligned() {
    let html = render_html(&common::report_2019_mixed());
    let sig = html.find("<footer class=\"gk-signature\">").expect("signature");
    assert!(sig > html.rfind("</table>").unwrap_or(0) && sig > html.rfind("</section>").unwrap_or(0));
    assert!(html[sig..].contains("<p>余姚市人力资源和社会保障局</p>"));
    assert!(html[sig..].contains("<time datetime=\"2021-01-22\">2021年1月22日</time>"));
    assert!(html.contains(".gk-signature { margin-top: 2.5em; text-align: right; }"));
    let md = render_markdown(&common::report_2019_mixed());
    assert!(md.ends_with("<p align=\"right\">余姚市人力资源和社会保障局<br>2021年1月22日</p>\n"));
}

#[test]
fn report_text_is_escaped() {
    let mut report = common::report_2019_mixed();
    report.agency = Some("<b>A&B</b>局".to_string());
    report.sections[0].text = "<script>alert('x')</script> *粗体* [链接](javascript:x)".to_string();
    report.sections[0].title = "# 一、概述 <i>".to_string();
    if let Some(rows) = report.legacy_statistics.as_mut() {
        rows[0].label = "<img src=x onerror=alert(1)>|管道".to_string();
    }
    let html = render_html(&report);
    for raw in ["<script", "<b>", "<i>", "<img"] {
        assert!(!html.contains(raw), "{raw}");
    }
    assert!(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"));
    assert!(html.contains("&lt;b&gt;A&amp;B&lt;/b&gt;局"));
    assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;|管道"));

    let md = render_markdown(&report);
    let unescaped = md.replace("\\<", "");
    for raw in ["<script", "<b>", "<i>", "<img"] {
        assert!(!unescaped.contains(raw), "{raw}");
    }
    assert!(md.contains(r"\<script\>alert('x')\</script\> \*粗体\* \[链接\](javascript:x)"));
    assert!(md.contains(r"## \# 一、概述 \<i\>"));
    assert!(md.contains(r"| \<img src=x onerror=alert(1)\>\|管道 |"));
    assert!(md.contains("&lt;b&gt;A&amp;B&lt;/b&gt;局<br>2021年1月22日"));
}

// ---------------------------------------------------------------------------------------------
// Markdown specifics and the grids themselves

#[test]
fn markdown_keeps_merges_in_html_blocks() {
    let md = render_markdown(&common::report_2021());
    assert_eq!(md.matches("<table>").count(), 3);
    for block in md.split("<table>").skip(1) {
        let body = block.split("</table>").next().unwrap_or("");
        assert!(!body.contains("\n\n"), "a blank line would end the HTML block");
    }
    assert!(md.contains(&format!("<th scope=\"row\" rowspan=\"22\">{}</th>", template::T3_OUTCOMES)));
    let md = render_markdown(&common::report_2019_mixed());
    assert!(md.contains(&format!("| {} |\n| --- | :---: | ---: |\n", template::LEGACY_HEADER.join(" | "))));
    assert!(md.contains("| 政策解读稿件发布数 | 篇 |  |"), "blank figure prints empty");
}

#[test]
fn every_template_label_is_printed() {
    for (report, t) in [(common::report_2021(), Template::V2021), (common::report_2019_mixed(), Template::V2019)] {
        let html = render_html(&report);
        for spec in template::T3_ROWS.iter().filter(|r| r.versions.includes(t)) {
            assert!(html.contains(&format!(">{}</th>", spec.full_label())), "{}", spec.full_label());
        }
        for b in template::t2_blocks(t) {
            for c in b.columns {
                assert!(html.contains(&format!(">{}</th>", c.label)), "{}", c.label);
            }
            for r in b.rows {
                assert!(html.contains(&format!(">{}</th>", r.label)), "{}", r.label);
            }
        }
    }
}

#[test]
fn grids_are_full_rectangles() {
    for report in [common::report_2021(), common::report_2019_mixed(), all_blank_2021()] {
        for g in grid::tables(&report) {
            let slots = g.slots();
            assert!(slots.is_ok(), "{:?}: {:?}", g.table, slots.err());
            let rows = slots.map(|s| s.len()).unwrap_or(0);
            assert_eq!(rows, g.row_count());
            match g.table {
                TableKind::Requests => {
                    assert_eq!(g.width, 10);
                    assert_eq!(rows, 3 + t3_rows(g.template));
                }
                TableKind::ReviewLitigation => assert_eq!((g.width, rows), (15, 4)),
                TableKind::Proactive => {
                    assert_eq!(g.width, if g.template == Template::V2021 { 4 } else { 5 })
                }
                TableKind::LegacyStatistics => assert_eq!(g.width, 3),
            }
        }
    }
}
