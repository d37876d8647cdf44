//! PDF files: the published PDF 019 (the source of 003) with every figure right and its known
//! errors reported; a PDF written here (a CID font with a ToUnicode map, as office suites write
//! Chinese) whose table 3 crosses a page break; a scan without a text layer and damaged files
//! refused with a message; arbitrary and mutated files never panic.

use std::fmt::Write as _;
use std::path::PathBuf;

use gongkai_core::report::{Report, SourceFormat};
use gongkai_core::rules::{self, CheckContext, Severity};
use gongkai_core::template;
use gongkai_import::ImportError;
use proptest::prelude::*;
use serde_json::Value;

fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata")
}

fn corpus(name: &str) -> PathBuf {
    shared().join("corpus/reports").join(name)
}

fn read(p: &PathBuf) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn leaves(prefix: &str, v: &Value, out: &mut Vec<(String, Value)>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                leaves(&format!("{prefix}.{k}"), x, out);
            }
        }
        _ => out.push((prefix.to_string(), v.clone())),
    }
}

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
        let have = path.split('.').try_fold(&got, |cur, k| cur.get(k)).cloned().unwrap_or(Value::Null);
        if have != *want {
            wrong.push(format!("{path}: expected {want}, got {have}"));
        }
    }
    for key in ["year", "template", "agency"] {
        if got.get(key) != expected.get(key) {
            wrong.push(format!("{key}: expected {:?}, got {:?}", expected.get(key), got.get(key)));
        }
    }
    (exp.len() - wrong.len().min(exp.len()), exp.len(), wrong)
}

#[test]
fn hongze_2023_pdf_every_figure_right_and_table4_errors_reported() {
    let name = "019-hongze-district-2023.pdf";
    let bytes = read(&corpus(name));
    assert_eq!(gongkai_import::detect(&bytes), gongkai_import::DetectedFormat::Pdf);
    let report = gongkai_import::import(&bytes, name).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(report.provenance.format, SourceFormat::Pdf);
    let expected: Value =
        serde_json::from_slice(&read(&corpus("019-hongze-district-2023.expected.json"))).unwrap_or(Value::Null);
    let (right, total, wrong) = score(&report, &expected);
    println!("019: {right}/{total} expected figures right");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(total, 179);

    // Known: table 4's totals are 0 although review 10+1 and after-review 5.
    let t4: Vec<String> = rules::check(&report, &CheckContext::default())
        .into_iter()
        .filter(|f| f.rule == "t4.group-sum" && f.severity == Severity::Error)
        .filter_map(|f| f.row)
        .collect();
    assert_eq!(t4, ["review", "litigation_after_review"]);

    // Provenance: the page. Table 3 starts on page 3 and crosses onto page 4.
    let page = |p: &str| report.provenance.cells[p].location.as_ref().and_then(|l| l.page);
    assert_eq!(page("requests.received.total"), Some(3));
    assert_eq!(page("requests.outcomes.unable.still_unclear.total"), Some(4));
}

#[test]
fn the_pdf_gives_the_figures_of_its_pypdf_text() {
    let pdf = gongkai_import::import(&read(&corpus("019-hongze-district-2023.pdf")), "019.pdf")
        .unwrap_or_else(|e| panic!("{e}"));
    let txt = gongkai_import::import(&read(&corpus("003-hongze-district-2023-pdf.txt")), "003.txt")
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(pdf.requests, txt.requests);
    assert_eq!(pdf.review_litigation, txt.review_litigation);
    assert_eq!(pdf.proactive, txt.proactive);
    assert_eq!(pdf.year, txt.year);
    assert_eq!(pdf.agency, txt.agency);
}

// ---------------------------------------------------------------------------------------------
// A PDF writer (test only): text drawn with a CID font (Identity-H) and a ToUnicode map.

/// A page: (x, y, text) items, drawn at 10 pt.
type Page = Vec<(f32, f32, String)>;

fn pdf_of(pages: &[Page]) -> Vec<u8> {
    // Character codes: one per distinct char.
    let mut chars: Vec<char> = pages.iter().flat_map(|p| p.iter().flat_map(|(_, _, t)| t.chars())).collect();
    chars.sort();
    chars.dedup();
    let code = |c: char| chars.iter().position(|&d| d == c).map_or(0, |i| i + 1);
    let mut objects: Vec<String> = Vec::new();
    // 1 catalog, 2 pages, 3 font, 4 CID font, 5 descriptor, 6 ToUnicode, then page/content pairs.
    let n = pages.len();
    let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", 7 + 2 * i)).collect();
    objects.push("<< /Type /Catalog /Pages 2 0 R >>".into());
    objects.push(format!("<< /Type /Pages /Kids [{}] /Count {n} >>", kids.join(" ")));
    objects.push("<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H /DescendantFonts [4 0 R] /ToUnicode 6 0 R >>".into());
    objects.push("<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 5 0 R /DW 1000 /CIDToGIDMap /Identity >>".into());
    objects.push("<< /Type /FontDescriptor /FontName /SimSun /Flags 4 /FontBBox [0 -200 1000 800] /ItalicAngle 0 /Ascent 800 /Descent -200 /CapHeight 700 /StemV 80 >>".into());
    let mut cmap = String::from("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
    for chunk in chars.chunks(100) {
        let _ = writeln!(cmap, "{} beginbfchar", chunk.len());
        for &c in chunk {
            let mut u = [0u16; 2];
            let units: String = c.encode_utf16(&mut u).iter().map(|x| format!("{x:04X}")).collect();
            let _ = writeln!(cmap, "<{:04X}> <{units}>", code(c));
        }
        cmap.push_str("endbfchar\n");
    }
    cmap.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    objects.push(format!("<< /Length {} >>\nstream\n{cmap}endstream", cmap.len()));
    for (i, page) in pages.iter().enumerate() {
        let mut content = String::new();
        for (x, y, t) in page {
            let hex: String = t.chars().map(|c| format!("{:04X}", code(c))).collect();
            let _ = writeln!(content, "BT /F1 10 Tf 1 0 0 1 {x} {y} Tm <{hex}> Tj ET");
        }
        objects.push(format!(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
            8 + 2 * i
        ));
        objects.push(format!("<< /Length {} >>\nstream\n{content}endstream", content.len()));
    }
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    let mut tail = format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1);
    for off in offsets {
        let _ = writeln!(tail, "{off:010} 00000 n ");
    }
    let _ = write!(tail, "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1);
    out.extend_from_slice(tail.as_bytes());
    out
}

/// The lines of a small 2021 report; table 3 rows carry the numbers `values(row)`.
#[allow(clippy::type_complexity)] // Rows, prose lines and header lines of one test report.
fn report_lines() -> (Vec<(String, Vec<i64>)>, Vec<String>, Vec<String>) {
    let head = vec![
        "某某街道办事处2022年政府信息公开工作年度报告".to_string(),
        "本报告数据统计期限自2022年1月1日起至2022年12月31日止。".to_string(),
        "一、总体情况".to_string(),
        "2022年，共收到政府信息公开申请12件。".to_string(),
        "二、主动公开政府信息情况".to_string(),
        "第二十条第（一）项".to_string(),
        "信息内容 本年制发件数 本年废止件数 现行有效件数".to_string(),
        "规章 0 0 0".to_string(),
        "行政规范性文件 2 1 9".to_string(),
        "三、收到和处理政府信息公开申请情况".to_string(),
        "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和） 申请人情况".to_string(),
        "自然人 法人或其他组织 总计".to_string(),
        "商业企业 科研机构 社会公益组织 法律服务机构 其他".to_string(),
    ];
    let mut rows = Vec::new();
    for (i, spec) in
        template::T3_ROWS.iter().filter(|r| r.versions.includes(gongkai_core::report::Template::V2021)).enumerate()
    {
        let np = match spec.key {
            gongkai_core::report::RequestRow::Received => 12,
            gongkai_core::report::RequestRow::Granted => 7,
            gongkai_core::report::RequestRow::NotHeld => 3,
            gongkai_core::report::RequestRow::OutcomesTotal => 10,
            gongkai_core::report::RequestRow::CarriedForward => 2,
            _ => 0,
        };
        let _ = i;
        rows.push((spec.full_label(), vec![np, 0, 0, 0, 0, 0, np]));
    }
    let tail = vec![
        "四、政府信息公开行政复议、行政诉讼情况".to_string(),
        "行政复议 行政诉讼".to_string(),
        "结果维持 结果纠正 其他结果 尚未审结 总计 未经复议直接起诉 复议后起诉".to_string(),
        "结果维持 结果纠正 其他结果 尚未审结 总计 结果维持 结果纠正 其他结果 尚未审结 总计".to_string(),
        "1 0 0 0 1 0 0 0 0 0 0 0 0 0 0".to_string(),
        "五、存在的主要问题及改进情况".to_string(),
        "无。".to_string(),
        "六、其他需要报告的事项".to_string(),
        "无。".to_string(),
        "某某街道办事处".to_string(),
        "2023年1月18日".to_string(),
    ];
    (rows, head, tail)
}

fn two_page_pdf() -> Vec<u8> {
    let (rows, head, tail) = report_lines();
    let mut pages: Vec<Page> = vec![Vec::new()];
    let mut y = 800.0;
    let mut put = |pages: &mut Vec<Page>, items: Vec<(f32, String)>| {
        if y < 80.0 {
            // Page number, then a new page: table 3 crosses the break.
            let number = pages.len();
            if let Some(p) = pages.last_mut() {
                p.push((290.0, 40.0, format!("- {number} -")));
            }
            pages.push(Vec::new());
            y = 800.0;
        }
        if let Some(p) = pages.last_mut() {
            for (x, t) in items {
                p.push((x, y, t));
            }
        }
        y -= 24.0;
    };
    for l in &head {
        put(&mut pages, vec![(50.0, l.clone())]);
    }
    for (label, vals) in &rows {
        // A long label wraps in its cell (20 characters a line); the numbers sit on the row's
        // last line, as in the published PDFs of the corpus (002).
        let chars: Vec<char> = label.chars().collect();
        let lines: Vec<String> = chars.chunks(20).map(|c| c.iter().collect()).collect();
        for (i, l) in lines.iter().enumerate() {
            let mut items = vec![(50.0, l.clone())];
            if i + 1 == lines.len() {
                for (k, v) in vals.iter().enumerate() {
                    items.push((300.0 + 35.0 * k as f32, v.to_string()));
                }
            }
            put(&mut pages, items);
        }
    }
    for l in &tail {
        put(&mut pages, vec![(50.0, l.clone())]);
    }
    pdf_of(&pages)
}

#[test]
fn a_generated_pdf_with_table3_across_a_page_break() {
    let bytes = two_page_pdf();
    let (text, starts) = gongkai_import::pdf::pdf_text(&bytes, "gen.pdf").unwrap_or_else(|e| panic!("{e}"));
    assert!(starts.len() >= 2, "{text}");
    let r = gongkai_import::import(&bytes, "gen.pdf").unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(r.year, Some(2022));
    let (rows, _, _) = report_lines();
    let got = serde_json::to_value(r.requests).unwrap_or(Value::Null);
    let mut pages = std::collections::BTreeSet::new();
    for (spec, (_, vals)) in
        template::T3_ROWS.iter().filter(|s| s.versions.includes(gongkai_core::report::Template::V2021)).zip(&rows)
    {
        let row = spec.path.split('.').try_fold(&got, |v, k| v.get(k)).cloned().unwrap_or(Value::Null);
        for (c, v) in template::COLUMNS.iter().zip(vals) {
            assert_eq!(row[c.key.name()], *v, "{} {}\n{text}", spec.path, c.key.name());
        }
        let p = &r.provenance.cells[&format!("requests.{}.total", spec.path)];
        pages.insert(p.location.as_ref().and_then(|l| l.page));
    }
    assert!(pages.len() >= 2, "table 3 should cross a page break: {pages:?}");
    let t4 = serde_json::to_value(r.review_litigation).unwrap_or(Value::Null);
    assert_eq!(t4["review"]["total"], 1);
    let p = serde_json::to_value(&r.proactive).unwrap_or(Value::Null);
    assert_eq!(p["normative_documents"]["in_force"], 9);
}

#[test]
fn a_scan_without_text_is_refused_saying_so() {
    // Two pages that only draw (as a scan only paints an image).
    let mut pdf = two_page_pdf();
    let stripped: Vec<Page> = vec![Vec::new(), Vec::new()];
    let blank = pdf_of(&stripped);
    let e = gongkai_import::import(&blank, "scan.pdf").err();
    match &e {
        Some(ImportError::NoTextLayer { pages, .. }) => assert_eq!(*pages, 2),
        other => panic!("expected NoTextLayer, got {other:?}"),
    }
    let m = e.map(|e| e.to_string()).unwrap_or_default();
    assert!(m.contains("扫描件") && m.contains("OCR"), "{m}");
    // Truncated and damaged files: an error, not a panic.
    pdf.truncate(pdf.len() / 3);
    let e = gongkai_import::import(&pdf, "cut.pdf").err();
    assert!(e.is_some());
    let e = gongkai_import::import(b"%PDF-1.7\n garbage", "bad.pdf").err();
    assert!(matches!(e, Some(ImportError::Malformed { format: "PDF", .. })), "{e:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_as_a_pdf_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..3000)) {
        let mut b = b"%PDF-1.4\n".to_vec();
        b.extend_from_slice(&bytes);
        let _ = gongkai_import::import(&b, "fuzz.pdf");
    }

    #[test]
    fn mutated_pdfs_never_panic(edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..12)) {
        let mut b = two_page_pdf();
        let n = b.len();
        for (i, v) in &edits {
            b[i % n] = *v;
        }
        let _ = gongkai_import::import(&b, "mutated.pdf");
    }
}

/// PDF rows where a long 2021 label wraps and the numbers sit on its first line: the label is
/// found around its numbers (so its numbering 「1.」 is not read as a value of the row before),
/// and 「2.申请人逾期未按收费通知要求缴纳费用、行政机关」+「不再处理…」 is one label.
#[test]
fn wrapped_2021_labels_with_numbers_on_their_first_line() {
    let text = "某某街道办事处2022年政府信息公开工作年度报告\n\
        一、本年新收政府信息公开申请数量 1 0 0 0 0 0 1\n\
        5.要求行政机关确认或重新出具已获取信息 0 0 0 0 0 0 0\n\
        1.申请人无正当理由逾期不补正、行政机关不再处理 1 0 0 0 0 0 1\n\
        其政府信息公开申请\n\
        2.申请人逾期未按收费通知要求缴纳费用、行政机关 0 0 0 0 0 0 0\n\
        不再处理其政府信息公开申请\n\
        3.其他 0 0 0 0 0 0 0\n\
        （七）总计 1 0 0 0 0 0 1\n\
        四、结转下年度继续办理 0 0 0 0 0 0 0\n";
    let r = gongkai_import::import(text.as_bytes(), "wrap.txt").unwrap_or_else(|e| panic!("{e}"));
    let o = r.requests.map(|t| t.outcomes).unwrap_or_else(|| panic!("no table 3"));
    assert_eq!(o.not_processed.reconfirmation.total, Some(0));
    assert_eq!(o.other_handling.no_correction.map(|c| c.total), Some(Some(1)));
    assert_eq!(o.other_handling.fee_unpaid.map(|c| c.total), Some(Some(0)));
    assert_eq!(o.other_handling.no_correction.map(|c| c.natural_person), Some(Some(1)));
    // The rows of the excerpt are read without a note (the rows it leaves out have theirs).
    let read = ["reconfirmation", "no_correction", "fee_unpaid", "other_handling.other", "outcomes.total"];
    let noted: Vec<_> = r.provenance.notes.iter().filter(|n| read.iter().any(|k| n.path.contains(k))).collect();
    assert!(noted.is_empty(), "{noted:?}");
    // The printed label is the label without the values inside it; the line is the values' line.
    let c = &r.provenance.cells["requests.outcomes.other_handling.no_correction.total"];
    assert_eq!(c.label, "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请");
    assert_eq!((&*c.raw, c.line), ("1", 4));
}
