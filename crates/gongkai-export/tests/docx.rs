//! The DOCX exporter: round trip (report → .docx → `gongkai_import::import` → the same agency,
//! year, template and every table figure) on the seed, on every corpus report with expected
//! figures, and on generated reports (property tests); the package and table layout; and
//! LibreOffice converting the seed's .docx to a PDF whose text holds every figure.

mod common;

use std::collections::HashMap;
use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::process::Command;

use gongkai_core::calendar::Calendar;
use gongkai_core::demo::{self, DemoSpec};
use gongkai_core::generate::{self, YearInput};
use gongkai_core::report::{Report, Template};
use gongkai_core::template;
use gongkai_export::docx::{column_widths, TEXT_WIDTH};
use gongkai_export::grid::{self, Content};
use gongkai_export::render_docx;
use proptest::prelude::*;
use serde_json::Value;

fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata")
}

fn import_file(path: &Path) -> Report {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    gongkai_import::import(&bytes, &path.to_string_lossy()).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn seed() -> Report {
    import_file(&shared().join("seeds/000_ac430a0e528d85a1.txt"))
}

/// What must survive the round trip, as JSON (tables compared whole; blank is `null`).
fn essentials(r: &Report) -> Value {
    let v = serde_json::to_value(r).unwrap_or(Value::Null);
    let mut out = serde_json::Map::new();
    for key in ["agency", "year", "template", "proactive", "requests", "review_litigation", "legacy_statistics"] {
        out.insert(key.to_string(), v.get(key).cloned().unwrap_or(Value::Null));
    }
    if let Some(rows) = out.get_mut("legacy_statistics") {
        common::compare_legacy_rows_by_key(rows);
    }
    Value::Object(out)
}

/// The differing leaves of two JSON values, one line each.
fn diff(path: &str, a: &Value, b: &Value, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                diff(&format!("{path}.{k}"), x.get(k).unwrap_or(&Value::Null), y.get(k).unwrap_or(&Value::Null), out);
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (p, q)) in x.iter().zip(y).enumerate() {
                diff(&format!("{path}[{i}]"), p, q, out);
            }
        }
        _ if a != b => out.push(format!("{path}: before {a}, after {b}")),
        _ => {}
    }
}

/// Exports, re-imports, and returns the differences (empty when the round trip holds).
fn round_trip(report: &Report, name: &str) -> Vec<String> {
    let docx = render_docx(report).unwrap_or_else(|e| panic!("{name}: {e}"));
    let back = gongkai_import::import(&docx, &format!("{name}.docx")).unwrap_or_else(|e| panic!("{name}.docx: {e}"));
    assert_eq!(back.provenance.format, gongkai_core::report::SourceFormat::Docx, "{name}");
    let mut out = Vec::new();
    diff(name, &essentials(report), &essentials(&back), &mut out);
    out
}

/// The members of a zip, by name.
fn unzip(bytes: &[u8]) -> HashMap<String, String> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap_or_else(|e| panic!("zip: {e}"));
    let mut out = HashMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap_or_else(|e| panic!("member {i}: {e}"));
        let name = f.name().map(|n| n.to_string()).unwrap_or_else(|e| panic!("member {i} name: {e}"));
        let mut s = String::new();
        f.read_to_string(&mut s).unwrap_or_else(|e| panic!("{name}: {e}"));
        out.insert(name, s);
    }
    out
}

/// Whether `xml` is well formed (every element closed, every reference known).
fn well_formed(xml: &str) -> Result<(), String> {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut depth = 0i64;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(_)) => depth += 1,
            Ok(quick_xml::events::Event::End(_)) => depth -= 1,
            Ok(quick_xml::events::Event::GeneralRef(r)) => {
                if r.resolve_char_ref().ok().flatten().is_none()
                    && !matches!(&*r, "amp" | "lt" | "gt" | "quot" | "apos")
                {
                    return Err(format!("unknown reference &{};", &*r));
                }
            }
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => return Err(format!("at {}: {e}", reader.buffer_position())),
        }
        if depth < 0 {
            return Err("end tag without start".into());
        }
    }
    if depth == 0 {
        Ok(())
    } else {
        Err(format!("{depth} elements not closed"))
    }
}

fn count(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}

// ---------------------------------------------------------------------------------------------
// Round trip

#[test]
fn seed_round_trips_through_docx() {
    let report = seed();
    assert!(report.requests.is_some() && report.review_litigation.is_some() && report.proactive.is_some());
    let wrong = round_trip(&report, "seed");
    assert!(wrong.is_empty(), "{} differences:\n{}", wrong.len(), wrong.join("\n"));
}

#[test]
fn every_corpus_report_with_expected_figures_round_trips_through_docx() {
    let dir = shared().join("corpus/reports");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".expected.json"))
        .collect();
    names.sort();
    let mut wrong = Vec::new();
    let mut checked = 0;
    for name in names {
        let expected: Value = serde_json::from_slice(&std::fs::read(dir.join(&name)).unwrap_or_default())
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let Some(file) = expected.get("file").and_then(Value::as_str) else { continue };
        let report = import_file(&dir.join(file));
        wrong.extend(round_trip(&report, file));
        checked += 1;
    }
    println!("corpus: {checked} reports round-tripped through DOCX");
    assert!(checked >= 10, "only {checked} corpus reports with expected figures found");
    assert!(wrong.is_empty(), "{} differences:\n{}", wrong.len(), wrong.join("\n"));
}

#[test]
fn the_model_reports_of_every_template_round_trip() {
    for (name, report) in [("2021", common::report_2021()), ("2019-mixed", common::report_2019_mixed())] {
        let wrong = round_trip(&report, name);
        assert!(wrong.is_empty(), "{} differences:\n{}", wrong.len(), wrong.join("\n"));
    }
}

/// One agency's report for `year` from deterministic synthetic registers.
fn generated(seed: u64, requests: usize, year: i32) -> Option<Report> {
    let cal = Calendar::official();
    let spec = DemoSpec { agencies: 1, requests, first_year: year - 1, last_year: year, seed };
    let data = demo::generate(&cal, &spec);
    let agency = data.agencies.first().cloned()?;
    let input = YearInput {
        agency,
        year,
        requests: data.requests,
        cases: data.cases,
        figures: data.figures.into_iter().find(|f| f.year == year),
        narratives: Vec::new(),
        published_on: None,
    };
    Some(generate::build(&cal, &input).report)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn generated_reports_round_trip_through_docx(seed in any::<u64>(), requests in 0usize..2000, year in 2021i32..2026) {
        let Some(report) = generated(seed, requests, year) else { return Ok(()) };
        let wrong = round_trip(&report, &format!("generated-{seed}-{requests}-{year}"));
        prop_assert!(wrong.is_empty(), "{} differences:\n{}", wrong.len(), wrong.join("\n"));
    }

    #[test]
    fn arbitrary_figures_and_blanks_round_trip_through_docx(report in common::arbitrary_report()) {
        let wrong = round_trip(&report, "arbitrary");
        prop_assert!(wrong.is_empty(), "{} differences:\n{}", wrong.len(), wrong.join("\n"));
    }
}

// ---------------------------------------------------------------------------------------------
// Package and layout

#[test]
fn the_package_has_every_part_well_formed_and_related() {
    let files = unzip(&render_docx(&seed()).unwrap_or_else(|e| panic!("{e}")));
    for part in [
        "[Content_Types].xml",
        "_rels/.rels",
        "word/document.xml",
        "word/styles.xml",
        "word/settings.xml",
        "word/fontTable.xml",
        "word/footer1.xml",
        "word/_rels/document.xml.rels",
        "docProps/core.xml",
        "docProps/app.xml",
    ] {
        let xml = files.get(part).unwrap_or_else(|| panic!("{part} missing"));
        well_formed(xml).unwrap_or_else(|e| panic!("{part}: {e}"));
        if part.starts_with("word/") && !part.contains("_rels") || part.starts_with("docProps/") {
            assert!(files["[Content_Types].xml"].contains(&format!("PartName=\"/{part}\"")), "{part} has no type");
        }
    }
    let rels = &files["word/_rels/document.xml.rels"];
    for target in ["styles.xml", "settings.xml", "fontTable.xml", "footer1.xml"] {
        assert!(rels.contains(&format!("Target=\"{target}\"")), "{target} not related");
    }
    let core = &files["docProps/core.xml"];
    let report = seed();
    let title = template::report_title(report.agency.as_deref().unwrap_or(""), report.year);
    assert!(core.contains(&format!("<dc:title>{title}</dc:title>")), "{core}");
    if let Some(a) = &report.agency {
        assert!(core.contains(&format!("<dc:creator>{a}</dc:creator>")), "{core}");
    }
    // The page number 「— 1 —」: a PAGE field between dashes.
    let footer = &files["word/footer1.xml"];
    assert!(footer.contains("— </w:t>") && footer.contains(" PAGE ") && footer.contains("> —</w:t>"), "{footer}");
}

#[test]
fn page_is_a4_with_official_margins_and_every_table_as_wide_as_the_text() {
    let report = seed();
    let doc =
        unzip(&render_docx(&report).unwrap_or_else(|e| panic!("{e}"))).remove("word/document.xml").unwrap_or_default();
    assert!(doc.contains("<w:pgSz w:w=\"11906\" w:h=\"16838\"/>"));
    assert!(doc.contains("w:top=\"2098\" w:right=\"1474\" w:bottom=\"1984\" w:left=\"1587\""), "margins");
    let tables: Vec<&str> = doc.split("<w:tbl>").skip(1).collect();
    let grids = grid::tables(&report);
    assert_eq!(tables.len(), grids.len());
    for (t, g) in tables.iter().zip(&grids) {
        assert!(t.contains(&format!("<w:tblW w:w=\"{TEXT_WIDTH}\" w:type=\"dxa\"/>")));
        assert!(t.contains("<w:tblLayout w:type=\"fixed\"/>"));
        let widths: Vec<u32> = t
            .split("<w:gridCol w:w=\"")
            .skip(1)
            .filter_map(|s| s.split('"').next().and_then(|n| n.parse().ok()))
            .collect();
        assert_eq!(widths.len(), g.width, "{}", g.caption);
        assert_eq!(widths.iter().sum::<u32>(), TEXT_WIDTH, "{}", g.caption);
        assert_eq!(widths, column_widths(g));
        // Header rows repeat on every page; every row is whole on a page.
        let body = t.split("</w:tbl>").next().unwrap_or("");
        assert_eq!(count(body, "<w:tblHeader/>"), g.head.len(), "{}", g.caption);
        assert_eq!(count(body, "<w:tr>"), g.row_count(), "{}", g.caption);
        // Every row covers the whole grid: gridSpans plus single cells = width.
        for row in body.split("<w:tr>").skip(1) {
            let cells = count(row, "<w:tc>");
            let spans: usize = row
                .split("<w:gridSpan w:val=\"")
                .skip(1)
                .filter_map(|s| s.split('"').next().and_then(|n| n.parse::<usize>().ok()))
                .map(|n| n - 1)
                .sum();
            assert_eq!(cells + spans, g.width, "{}: a row does not fill the grid", g.caption);
        }
    }
    // The label column is the widest column of table 3.
    let t3 = grids.iter().find(|g| g.table == grid::TableKind::Requests).map(column_widths).unwrap_or_default();
    assert!(t3[2] > t3[3] * 3, "{t3:?}");
}

#[test]
fn merges_follow_the_grid() {
    let report = common::report_2021();
    let doc =
        unzip(&render_docx(&report).unwrap_or_else(|e| panic!("{e}"))).remove("word/document.xml").unwrap_or_default();
    let grids = grid::tables(&report);
    let restarts: usize =
        grids.iter().flat_map(|g| g.rows()).flat_map(|(_, r)| &r.cells).filter(|c| c.rowspan > 1).count();
    let continued: usize = grids
        .iter()
        .flat_map(|g| g.rows())
        .flat_map(|(_, r)| &r.cells)
        .filter(|c| c.rowspan > 1)
        .map(|c| c.rowspan - 1)
        .sum();
    assert_eq!(count(&doc, "<w:vMerge w:val=\"restart\"/>"), restarts);
    assert_eq!(count(&doc, "<w:vMerge/>"), continued);
    // 三、本年度办理结果 runs down every outcome row of the 2021 table.
    let outcome_rows = template::T3_ROWS.iter().filter(|r| r.outcome && r.versions.includes(Template::V2021)).count();
    let g3 = grids.iter().find(|g| g.table == grid::TableKind::Requests).unwrap_or_else(|| panic!("no table 3"));
    assert_eq!(g3.find_text(template::T3_OUTCOMES).map(|c| c.rowspan), Some(outcome_rows));
}

#[test]
fn blank_cells_are_blank_and_text_is_escaped() {
    let mut report = common::report_2021();
    report.agency = Some("某局<测试>&\"引号\"".to_string());
    if let Some(s) = report.sections.first_mut() {
        s.text = "a < b & c > d\u{1}".to_string();
    }
    let bytes = render_docx(&report).unwrap_or_else(|e| panic!("{e}"));
    let files = unzip(&bytes);
    let doc = &files["word/document.xml"];
    well_formed(doc).unwrap_or_else(|e| panic!("{e}"));
    assert!(doc.contains("a &lt; b &amp; c &gt; d\u{fffd}"), "prose escaped");
    assert!(doc.contains("某局&lt;测试&gt;&amp;&quot;引号&quot;"), "agency escaped");
    // Blank cells: an empty paragraph, never 0. The model report leaves 强制 blank.
    let blanks = grid::tables(&report)
        .iter()
        .flat_map(|g| g.rows().flat_map(|(_, r)| r.cells.iter().cloned()).collect::<Vec<_>>())
        .filter(|c| c.content == Content::Blank)
        .count();
    assert!(blanks > 0);
    let empty_origin_cells = doc
        .split("<w:tc>")
        .skip(1)
        // A text run is `<w:t>` or `<w:t xml:space=…>` (not `<w:tcPr>`, which every cell has).
        .filter(|c| {
            let cell = c.split("</w:tc>").next().unwrap_or("");
            !c.contains("<w:vMerge/>") && !cell.contains("<w:t>") && !cell.contains("<w:t ")
        })
        .count();
    assert_eq!(empty_origin_cells, blanks);
    let back = gongkai_import::import(&bytes, "escaped.docx").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back.agency, report.agency);
}

#[test]
fn the_same_report_gives_the_same_bytes() {
    let r = seed();
    assert_eq!(render_docx(&r).ok(), render_docx(&r).ok());
}

/// No template label is written in the exporter's code (comments aside): they all come from
/// `gongkai_core::template`.
#[test]
fn no_template_label_in_the_docx_code() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src");
    let code: String = ["docx.rs", "docx/parts.rs"]
        .iter()
        .map(|f| std::fs::read_to_string(dir.join(f)).unwrap_or_else(|e| panic!("{f}: {e}")))
        .flat_map(|s| s.lines().filter(|l| !l.trim_start().starts_with("//")).map(str::to_string).collect::<Vec<_>>())
        .collect::<Vec<_>>()
        .join("\n");
    let mut labels: Vec<&str> = vec![template::T3_NOTE, template::T3_APPLICANTS, template::T3_ORGANISATIONS];
    labels.extend([template::T3_OUTCOMES, template::T4_REVIEW, template::T4_LITIGATION, template::T2_CONTENT]);
    labels.extend(template::COLUMNS.iter().map(|c| c.label));
    labels.extend(template::T3_ROWS.iter().map(|r| r.label));
    labels.extend(template::T4_GROUPS.iter().map(|g| g.label));
    labels.extend(template::T4_RESULTS.iter().map(|r| r.label));
    for t in [Template::V2019, Template::V2021] {
        for b in template::t2_blocks(t) {
            labels.push(b.title);
            labels.extend(b.columns.iter().map(|c| c.label));
            labels.extend(b.rows.iter().map(|r| r.label));
        }
    }
    labels.extend(template::LEGACY_HEADER);
    for l in labels.into_iter().filter(|l| l.chars().count() >= 2) {
        assert!(!code.contains(l), "template label 「{l}」 written in the DOCX exporter");
    }
}

// ---------------------------------------------------------------------------------------------
// LibreOffice

fn have(tool: &str) -> bool {
    // On PATH (poppler's tools do not all accept --version).
    std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
}

/// Every table figure of the report, as printed, with how often it is printed.
fn printed_figures(report: &Report) -> HashMap<String, usize> {
    let mut out = HashMap::new();
    for g in grid::tables(report) {
        for (_, row) in g.rows() {
            for c in &row.cells {
                if c.content.is_figure() {
                    *out.entry(c.content.display()).or_insert(0) += 1;
                }
            }
        }
    }
    out
}

#[test]
fn libreoffice_converts_the_seed_and_the_pdf_holds_every_figure() {
    if !have("soffice") || !have("pdftotext") {
        assert!(std::env::var_os("CI").is_none(), "soffice or pdftotext missing on CI");
        println!("skipped: soffice or pdftotext not installed");
        return;
    }
    let report = seed();
    let tmp = std::env::temp_dir().join(format!("gongkai-docx-lo-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    std::fs::create_dir_all(&tmp).unwrap_or_else(|e| panic!("{}: {e}", tmp.display()));
    let docx = tmp.join("seed.docx");
    std::fs::write(&docx, render_docx(&report).unwrap_or_else(|e| panic!("{e}"))).unwrap_or_else(|e| panic!("{e}"));
    let profile = format!("-env:UserInstallation=file://{}", tmp.join("profile").display());
    let out = Command::new("soffice")
        .args([profile.as_str(), "--headless", "--norestore", "--convert-to", "pdf", "--outdir"])
        .arg(&tmp)
        .arg(&docx)
        .output()
        .unwrap_or_else(|e| panic!("soffice: {e}"));
    let pdf = tmp.join("seed.pdf");
    assert!(
        out.status.success() && pdf.exists(),
        "soffice failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let text =
        Command::new("pdftotext").args(["-layout"]).arg(&pdf).arg("-").output().unwrap_or_else(|e| panic!("{e}"));
    assert!(text.status.success());
    let text = String::from_utf8_lossy(&text.stdout).to_string();
    let mut tokens: HashMap<&str, usize> = HashMap::new();
    for t in text.split_whitespace() {
        *tokens.entry(t).or_insert(0) += 1;
    }
    let figures = printed_figures(&report);
    assert!(figures.values().sum::<usize>() > 100, "the seed has well over 100 figures");
    let mut missing = Vec::new();
    for (fig, n) in &figures {
        // A unit printed in the cell (「123000元」) may be extracted as a separate word.
        let bare = fig.trim_end_matches(|c: char| !c.is_ascii_digit());
        let have = tokens.get(fig.as_str()).or_else(|| tokens.get(bare)).copied().unwrap_or(0);
        if have < *n {
            missing.push(format!("「{fig}」 printed {n}×, found {have}×"));
        }
    }
    assert!(missing.is_empty(), "figures missing from the PDF text:\n{}\n---\n{text}", missing.join("\n"));
    // The title and the page number 「— 1 —」.
    let title = template::report_title(report.agency.as_deref().unwrap_or(""), report.year);
    assert!(text.replace([' ', '\n'], "").contains(&title), "title missing");
    assert!(text.replace([' ', '\n'], "").contains("—1—"), "page number 「— 1 —」 missing");
    let _ = std::fs::remove_dir_all(&tmp);
}
