//! Word files. The test writes .docx files itself (the zip crate and a document.xml written
//! here, no external tools) in the official layout: merged cells with `w:gridSpan` and
//! `w:vMerge`, text split across runs, blank cells. A 2019 report (001, blank total column) and
//! a 2021 report (our county page) come back with every figure right; every report of the
//! corpus and the examples makes the round trip canonical → DOCX → canonical with the same
//! tables. Zip bombs, huge members and malformed files are refused with a message; arbitrary
//! and mutated files never panic.

use std::io::{Cursor, Write};
use std::path::PathBuf;

use gongkai_core::report::{Report, SourceFormat, Template};
use gongkai_core::template::{self, RowSpec};
use gongkai_import::ImportError;
use proptest::prelude::*;
use serde_json::Value;
use zip::write::SimpleFileOptions;

fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata")
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(p: &PathBuf) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn import_file(p: &PathBuf) -> Report {
    let name = p.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    gongkai_import::import(&read(p), &name).unwrap_or_else(|e| panic!("{e}"))
}

// ---------------------------------------------------------------------------------------------
// A .docx writer in the official layout (test only)

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Text as Word writes it: split into runs (here every 3 characters), east-Asian font set.
fn runs(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::new();
    for chunk in chars.chunks(3) {
        let t: String = chunk.iter().collect();
        out.push_str(&format!(
            "<w:r><w:rPr><w:rFonts w:hint=\"eastAsia\" w:eastAsia=\"宋体\"/></w:rPr><w:t xml:space=\"preserve\">{}</w:t></w:r>",
            esc(&t)
        ));
    }
    out
}

fn para(s: &str) -> String {
    format!("<w:p><w:pPr><w:jc w:val=\"both\"/></w:pPr>{}</w:p>", runs(s))
}

#[derive(Clone, Copy)]
enum Merge {
    None,
    Restart,
    Continue,
}

fn cell(text: &str, span: usize, merge: Merge) -> String {
    let mut pr = String::from("<w:tcPr><w:tcW w:w=\"900\" w:type=\"dxa\"/>");
    if span > 1 {
        pr.push_str(&format!("<w:gridSpan w:val=\"{span}\"/>"));
    }
    match merge {
        Merge::Restart => pr.push_str("<w:vMerge w:val=\"restart\"/>"),
        Merge::Continue => pr.push_str("<w:vMerge/>"),
        Merge::None => {}
    }
    pr.push_str("<w:vAlign w:val=\"center\"/></w:tcPr>");
    // A continued cell is empty in Word; a blank cell is one empty paragraph.
    let body = match merge {
        Merge::Continue => "<w:p/>".to_string(),
        _ if text.is_empty() => "<w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr></w:p>".to_string(),
        _ => format!("<w:p><w:pPr><w:jc w:val=\"center\"/></w:pPr>{}</w:p>", runs(text)),
    };
    format!("<w:tc>{pr}{body}</w:tc>")
}

fn row(cells: &[String]) -> String {
    format!("<w:tr><w:trPr><w:jc w:val=\"center\"/></w:trPr>{}</w:tr>", cells.concat())
}

fn table(cols: usize, rows: &[String]) -> String {
    let grid: String = (0..cols).map(|_| "<w:gridCol w:w=\"900\"/>").collect();
    format!(
        "<w:tbl><w:tblPr><w:tblW w:w=\"0\" w:type=\"auto\"/><w:tblBorders/></w:tblPr><w:tblGrid>{grid}</w:tblGrid>{}</w:tbl>",
        rows.concat()
    )
}

fn num(v: &Value) -> String {
    match v {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        _ => String::new(),
    }
}

fn table2(report: &Report) -> Option<String> {
    let p = serde_json::to_value(report.proactive.as_ref()?).ok()?;
    let version = report.table_template("proactive");
    let mut rows = Vec::new();
    for block in template::t2_blocks(version) {
        rows.push(row(&[cell(block.title, 4, Merge::None)]));
        let spans: &[usize] = match block.columns.len() {
            1 => &[3],
            2 => &[1, 2],
            _ => &[1, 1, 1],
        };
        let mut head = vec![cell(template::T2_CONTENT, 1, Merge::None)];
        for (c, s) in block.columns.iter().zip(spans) {
            head.push(cell(c.label, *s, Merge::None));
        }
        rows.push(row(&head));
        for r in block.rows {
            let mut cells = vec![cell(r.label, 1, Merge::None)];
            for (c, s) in block.columns.iter().zip(spans) {
                cells.push(cell(&num(&p[r.key][c.key]), *s, Merge::None));
            }
            rows.push(row(&cells));
        }
    }
    Some(table(4, &rows))
}

fn table3(report: &Report) -> Option<String> {
    let t3 = serde_json::to_value(report.requests.as_ref()?).ok()?;
    let layout = report.table_template("requests");
    let specs: Vec<&RowSpec> = template::T3_ROWS.iter().filter(|r| r.versions.includes(layout)).collect();
    let mut rows = vec![
        row(&[cell(template::T3_NOTE, 3, Merge::Restart), cell(template::T3_APPLICANTS, 7, Merge::None)]),
        row(&[
            cell("", 3, Merge::Continue),
            cell("自然人", 1, Merge::Restart),
            cell(template::T3_ORGANISATIONS, 5, Merge::None),
            cell("总计", 1, Merge::Restart),
        ]),
    ];
    let mut third = vec![cell("", 3, Merge::Continue), cell("", 1, Merge::Continue)];
    for c in &template::COLUMNS[1..6] {
        third.push(cell(c.label, 1, Merge::None));
    }
    third.push(cell("", 1, Merge::Continue));
    rows.push(row(&third));
    let mut outcome_started = false;
    let mut group = None;
    for spec in specs {
        let mut cells = Vec::new();
        if spec.outcome {
            cells.push(if outcome_started {
                cell("", 1, Merge::Continue)
            } else {
                outcome_started = true;
                cell(template::T3_OUTCOMES, 1, Merge::Restart)
            });
            match spec.group {
                Some(g) => {
                    cells.push(if group == Some(g) {
                        cell("", 1, Merge::Continue)
                    } else {
                        group = Some(g);
                        cell(g.label(), 1, Merge::Restart)
                    });
                    cells.push(cell(&spec.full_label(), 1, Merge::None));
                }
                None => {
                    group = None;
                    cells.push(cell(&spec.full_label(), 2, Merge::None));
                }
            }
        } else {
            cells.push(cell(&spec.full_label(), 3, Merge::None));
        }
        let values = spec.path.split('.').try_fold(&t3, |v, k| v.get(k)).cloned().unwrap_or(Value::Null);
        for c in template::COLUMNS {
            cells.push(cell(&num(&values[c.key.name()]), 1, Merge::None));
        }
        rows.push(row(&cells));
    }
    Some(table(10, &rows))
}

fn table4(report: &Report) -> Option<String> {
    let t4 = serde_json::to_value(report.review_litigation.as_ref()?).ok()?;
    let mut second = Vec::new();
    for r in template::T4_RESULTS {
        second.push(cell(r.label, 1, Merge::Restart));
    }
    second.push(cell(template::T4_GROUPS[1].label, 5, Merge::None));
    second.push(cell(template::T4_GROUPS[2].label, 5, Merge::None));
    let mut third: Vec<String> = (0..5).map(|_| cell("", 1, Merge::Continue)).collect();
    let mut values = Vec::new();
    for g in template::T4_GROUPS {
        for r in template::T4_RESULTS {
            if g.key != template::T4_GROUPS[0].key {
                third.push(cell(r.label, 1, Merge::None));
            }
            values.push(cell(&num(&t4[g.key.name()][r.key.name()]), 1, Merge::None));
        }
    }
    let rows = vec![
        row(&[cell(template::T4_REVIEW, 5, Merge::None), cell(template::T4_LITIGATION, 10, Merge::None)]),
        row(&second),
        row(&third),
        row(&values),
    ];
    Some(table(15, &rows))
}

/// The document.xml of a report: title, sections with their tables, signature.
fn document_xml(report: &Report) -> String {
    let mut body = String::new();
    let agency = report.agency.clone().unwrap_or_default();
    body.push_str(&para(&template::report_title(&agency, report.year)));
    let mut tables_done = [false; 3];
    for s in &report.sections {
        body.push_str(&para(&s.title));
        for line in s.text.lines() {
            body.push_str(&para(line));
        }
        let t = match s.key.map(|k| k.name()) {
            Some("proactive") => Some((0, table2(report))),
            Some("requests") => Some((1, table3(report))),
            Some("review_litigation") => Some((2, table4(report))),
            _ => None,
        };
        if let Some((i, Some(xml))) = t {
            body.push_str(&xml);
            tables_done[i] = true;
        }
    }
    // Tables whose section heading the report lacks still go in, in order.
    for (i, t) in [table2(report), table3(report), table4(report)].into_iter().enumerate() {
        if let (false, Some(xml)) = (tables_done[i], t) {
            body.push_str(&xml);
        }
    }
    if let Some(d) = report.published_on {
        use chrono::Datelike;
        body.push_str(&para(&agency));
        body.push_str(&para(&format!("{}年{}月{}日", d.year(), d.month(), d.day())));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n\
         <w:document xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\" \
         xmlns:mc=\"http://schemas.openxmlformats.org/markup-compatibility/2006\"><w:body>{body}\
         <w:sectPr><w:pgSz w:w=\"11906\" w:h=\"16838\"/></w:sectPr></w:body></w:document>"
    )
}

const CONTENT_TYPES: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
<Default Extension=\"xml\" ContentType=\"application/xml\"/>\
<Override PartName=\"/word/document.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/>\
</Types>";

const RELS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\
<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"word/document.xml\"/>\
</Relationships>";

fn zip_of(members: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, data) in members {
        w.start_file(*name, opts).unwrap_or_else(|e| panic!("{e}"));
        w.write_all(data).unwrap_or_else(|e| panic!("{e}"));
    }
    w.finish().unwrap_or_else(|e| panic!("{e}")).into_inner()
}

fn docx_of(document: &str) -> Vec<u8> {
    zip_of(&[
        ("[Content_Types].xml", CONTENT_TYPES.as_bytes()),
        ("_rels/.rels", RELS.as_bytes()),
        ("word/document.xml", document.as_bytes()),
    ])
}

fn docx(report: &Report) -> Vec<u8> {
    docx_of(&document_xml(report))
}

// ---------------------------------------------------------------------------------------------

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

/// (right, total, wrong) against an expected-figures file.
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
    for key in ["year", "template"] {
        if got.get(key) != expected.get(key) {
            wrong.push(format!("{key}: expected {:?}, got {:?}", expected.get(key), got.get(key)));
        }
    }
    (exp.len() - wrong.len().min(exp.len()), exp.len(), wrong)
}

/// The figures of a report that a DOCX must carry back.
fn tables_of(r: &Report) -> Value {
    serde_json::json!({
        "agency": r.agency,
        "year": r.year,
        "published_on": r.published_on,
        "template": r.template,
        "table_templates": r.provenance.table_templates,
        "proactive": r.proactive,
        "requests": r.requests,
        "review_litigation": r.review_litigation,
    })
}

#[test]
fn docx_2019_with_merged_cells_every_figure_right() {
    // 001's figures (2019 template, blank total column, blank organisation columns).
    let source = import_file(&shared().join("corpus/reports/001-shanghai-municipal-govt-office-2019.html"));
    let bytes = docx(&source);
    assert_eq!(gongkai_import::detect(&bytes), gongkai_import::DetectedFormat::Zip);
    let back = gongkai_import::import(&bytes, "shanghai-2019.docx").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back.provenance.format, SourceFormat::Docx);
    assert_eq!(back.template, Template::V2019);
    let expected: Value = serde_json::from_slice(&read(
        &shared().join("corpus/reports/001-shanghai-municipal-govt-office-2019.expected.json"),
    ))
    .unwrap_or(Value::Null);
    let (right, total, wrong) = score(&back, &expected);
    println!("2019 DOCX: {right}/{total} expected figures right");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // Provenance: table, row, column of the grid.
    let c = &back.provenance.cells["requests.outcomes.unable.not_held.natural_person"];
    assert_eq!(c.raw, "252");
    let l = c.location.clone().unwrap_or_default();
    assert_eq!((l.table, l.column), (Some(2), Some(4)));
}

#[test]
fn docx_2021_with_merged_cells_every_figure_right() {
    let source = import_file(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/2021-county-cms.html"));
    let bytes = docx(&source);
    let back = gongkai_import::import(&bytes, "county-2021.docx").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back.template, Template::V2021);
    let expected: Value = serde_json::from_slice(&read(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/2021-county-cms.expected.json"),
    ))
    .unwrap_or(Value::Null);
    let (right, total, wrong) = score(&back, &expected);
    println!("2021 DOCX: {right}/{total} expected figures right");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    assert_eq!(back.agency.as_deref(), Some("某某县人民政府"));
    assert_eq!(back.published_on.map(|d| d.to_string()).as_deref(), Some("2022-01-20"));
    // The intermediate text has one line per table row, blanks as 「—」.
    let text = gongkai_import::docx::docx_intermediate_text(&bytes).unwrap_or_default();
    assert!(
        text.contains("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请 — — — — — — —"),
        "{text}"
    );
}

#[test]
fn every_report_round_trips_through_docx() {
    let mut files: Vec<PathBuf> = Vec::new();
    let dir = shared().join("corpus/reports");
    for e in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())).flatten() {
        let n = e.file_name().to_string_lossy().to_string();
        if n.ends_with(".txt") || n.ends_with(".html") || n.ends_with(".pdf") {
            files.push(e.path());
        }
    }
    for e in std::fs::read_dir(root().join("examples")).into_iter().flatten().flatten() {
        let n = e.file_name().to_string_lossy().to_string();
        if n.ends_with(".txt") || n.ends_with(".html") {
            files.push(e.path());
        }
    }
    files.push(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/2021-county-cms.html"));
    files.sort();
    let mut checked = 0;
    let mut wrong = Vec::new();
    for f in &files {
        let r = import_file(f);
        if r.requests.is_none() && r.proactive.is_none() {
            continue; // pre-2019 reports have no tables 2–4 to carry
        }
        let back =
            gongkai_import::import(&docx(&r), "round-trip.docx").unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let (a, b) = (tables_of(&r), tables_of(&back));
        if a != b {
            let (mut x, mut y) = (Vec::new(), Vec::new());
            leaves("", &a, &mut x);
            leaves("", &b, &mut y);
            let diff: Vec<String> = x
                .iter()
                .zip(y.iter())
                .filter(|(p, q)| p != q)
                .take(5)
                .map(|(p, q)| format!("{} {} → {} {}", p.0, p.1, q.0, q.1))
                .collect();
            wrong.push(format!("{}: {}", f.display(), diff.join("; ")));
        }
        checked += 1;
    }
    println!("round trip canonical → DOCX → canonical: {checked} reports");
    assert!(checked >= 14, "only {checked} reports checked");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_official_2021_template_is_read_cell_by_cell() {
    let r = import_file(&shared().join("templates/template-2021.docx"));
    assert_eq!(r.template, Template::V2021);
    assert!(r.provenance.notes.is_empty(), "{:?}", r.provenance.notes);
    // Every cell of table 3 (25 rows × 7) and table 4 located in the grid, every one blank.
    let located = r
        .provenance
        .cells
        .iter()
        .filter(|(k, c)| {
            (k.starts_with("requests.") || k.starts_with("review_litigation."))
                && c.location.as_ref().is_some_and(|l| l.column.is_some())
        })
        .count();
    assert_eq!(located, 25 * 7 + 15);
    assert!(r.figures().iter().all(|(_, v)| matches!(
        v,
        gongkai_core::report::FigureValue::Count(None) | gongkai_core::report::FigureValue::Amount(None)
    )));
}

#[test]
fn zip_bombs_and_huge_members_are_refused() {
    // 2 MiB of one character deflates to a few KiB: a ratio no report has.
    let mut doc = String::from("<w:document><w:body><w:p><w:r><w:t>");
    doc.push_str(&"年".repeat(700 * 1024));
    doc.push_str("</w:t></w:r></w:p></w:body></w:document>");
    let bomb = docx_of(&doc);
    assert!(bomb.len() < 100 * 1024);
    match gongkai_import::import(&bomb, "bomb.docx") {
        Err(e @ ImportError::TooLarge { .. }) => assert!(e.to_string().contains("zip 炸弹"), "{e}"),
        other => panic!("expected TooLarge, got {other:?}"),
    }
    // A member over the size limit, whatever its compression.
    let big = vec![b' '; (gongkai_import::docx::MAX_DOCUMENT_XML + 1) as usize];
    let huge = zip_of(&[("word/document.xml", &big)]);
    match gongkai_import::import(&huge, "huge.docx") {
        Err(e @ ImportError::TooLarge { .. }) => assert!(e.to_string().contains("MiB"), "{e}"),
        other => panic!("expected TooLarge, got {other:?}"),
    }
}

#[test]
fn malformed_and_other_zips_say_why() {
    let e = gongkai_import::import(b"PK\x03\x04 this is not a zip", "x.docx").err();
    assert!(matches!(e, Some(ImportError::Malformed { .. })), "{e:?}");
    let e = gongkai_import::import(&docx_of("<w:document><w:body><w:p>"), "x.docx").err();
    assert!(matches!(e, Some(ImportError::Malformed { .. })), "{e:?}");
    let xlsx = zip_of(&[("xl/workbook.xml", b"<workbook/>")]);
    let e = gongkai_import::import(&xlsx, "x.xlsx").err().map(|e| e.to_string());
    assert!(e.as_deref().is_some_and(|m| m.contains("XLSX")), "{e:?}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_document_xml_never_panics(body in "\\PC{0,800}", span in 0usize..100_000) {
        let doc = format!(
            "<w:document><w:body><w:tbl><w:tr><w:trPr><w:gridBefore w:val=\"{span}\"/></w:trPr><w:tc><w:tcPr><w:gridSpan w:val=\"{span}\"/><w:vMerge/></w:tcPr><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:tc></w:tr></w:tbl><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:body></w:document>",
            esc(&body), body
        );
        let _ = gongkai_import::import(&docx_of(&doc), "fuzz.docx");
    }

    #[test]
    fn arbitrary_bytes_as_a_zip_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..3000)) {
        let mut b = b"PK\x03\x04".to_vec();
        b.extend_from_slice(&bytes);
        let _ = gongkai_import::import(&b, "fuzz.docx");
    }

    #[test]
    fn mutated_docx_never_panics(edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..20)) {
        let source = import_file(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/2021-county-cms.html"));
        // Stored (not deflated) members, so that a flipped byte reaches the XML parser.
        let xml = document_xml(&source);
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
        w.start_file("word/document.xml", opts).unwrap_or_else(|e| panic!("{e}"));
        w.write_all(xml.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let mut b = w.finish().unwrap_or_else(|e| panic!("{e}")).into_inner();
        let n = b.len();
        for (i, v) in &edits {
            b[i % n] = *v;
        }
        let _ = gongkai_import::import(&b, "mutated.docx");
    }
}
