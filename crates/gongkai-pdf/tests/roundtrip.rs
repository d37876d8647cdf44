//! Round trip: report → PDF → `gongkai_import::import` of the PDF → the same agency, year,
//! template and every table figure. On the seed, on every corpus report with expected figures,
//! and on reports generated from synthetic registers (property test).

#[path = "../../gongkai-export/tests/common/mod.rs"]
mod common;

use std::path::PathBuf;
use std::sync::OnceLock;

use gongkai_core::calendar::Calendar;
use gongkai_core::demo::{self, DemoSpec};
use gongkai_core::generate::{self, YearInput};
use gongkai_core::report::Report;
use gongkai_pdf::{render_pdf, Fonts};
use proptest::prelude::*;
use serde_json::Value;

fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata")
}

fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| Fonts::system(None).unwrap_or_else(|e| panic!("{e}")))
}

fn import_file(path: &PathBuf) -> Report {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    gongkai_import::import(&bytes, &path.to_string_lossy()).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// What must survive the round trip, as JSON (tables compared whole).
/// The agency is compared when it is a name (the text importer takes a whole sentence or a
/// breadcrumb (当前位置：…) for the agency of some flattened web pages; such a "name" wraps in the title and cannot be
/// expected back).
fn essentials(r: &Report) -> Value {
    let v = serde_json::to_value(r).unwrap_or(Value::Null);
    let mut out = serde_json::Map::new();
    for key in ["agency", "year", "template", "proactive", "requests", "review_litigation", "legacy_statistics"] {
        out.insert(key.to_string(), v.get(key).cloned().unwrap_or(Value::Null));
    }
    let not_a_name = |a: &String| a.chars().count() > 40 || a.contains(|c: char| c.is_whitespace() || c == '：');
    if r.agency.as_ref().is_some_and(not_a_name) {
        out.remove("agency");
    }
    if let Some(rows) = out.get_mut("legacy_statistics") {
        common::compare_legacy_rows_by_key(rows);
    }
    Value::Object(out)
}

/// Whether table 3 or 4 has a blank cell in a row that also has figures: the PDF prints it
/// empty, so only the page's geometry (the cell borders) says which column each figure of the
/// row is in.
fn has_blank_cells(r: &Report) -> bool {
    /// A row (an object of figures) with a blank among figures.
    fn any_null(v: &Value) -> bool {
        match v {
            Value::Object(m) if m.values().all(|x| x.is_null() || x.is_number()) => {
                m.values().any(Value::is_null) && m.values().any(Value::is_number)
            }
            Value::Object(m) => m.values().any(any_null),
            Value::Array(a) => a.iter().any(any_null),
            _ => false,
        }
    }
    let v = serde_json::to_value(r).unwrap_or(Value::Null);
    ["requests", "review_litigation"].iter().any(|k| v.get(*k).is_some_and(|t| !t.is_null() && any_null(t)))
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

/// Renders, re-imports, and returns the differences (empty when the round trip holds).
fn round_trip(report: &Report, name: &str) -> Vec<String> {
    let pdf = render_pdf(report, fonts()).unwrap_or_else(|e| panic!("{name}: {e}"));
    let back = gongkai_import::import(&pdf, &format!("{name}.pdf")).unwrap_or_else(|e| panic!("{name}.pdf: {e}"));
    let mut out = Vec::new();
    diff(name, &essentials(report), &essentials(&back), &mut out);
    out
}

#[test]
fn seed_round_trips_through_pdf() {
    let report = import_file(&shared().join("seeds/000_ac430a0e528d85a1.txt"));
    assert!(report.requests.is_some() && report.review_litigation.is_some() && report.proactive.is_some());
    let wrong = round_trip(&report, "seed");
    assert!(wrong.is_empty(), "{} differences:\n{}", wrong.len(), wrong.join("\n"));
}

#[test]
fn every_corpus_report_with_expected_figures_round_trips_through_pdf() {
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
    println!("corpus: {checked} reports round-tripped through PDF");
    assert!(checked >= 9, "only {checked} corpus reports with expected figures found");
    assert!(wrong.is_empty(), "{} differences:\n{}", wrong.len(), wrong.join("\n"));
}

/// 001 (上海 2019) leaves many table-3 cells blank among filled ones (whole columns, such as
/// 科研机构, are blank in every row): the PDF prints them empty, and the importer places each
/// figure by the cell borders around it (`gongkai_import::pdf`, `pdf_layout.rs`).
#[test]
fn blank_cells_round_trip() {
    let dir = shared().join("corpus/reports");
    let file = "001-shanghai-municipal-govt-office-2019.html";
    let report = import_file(&dir.join(file));
    assert!(has_blank_cells(&report));
    let wrong = round_trip(&report, file);
    assert!(wrong.is_empty(), "{} differences:\n{}", wrong.len(), wrong.join("\n"));
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
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    #[test]
    fn generated_reports_round_trip_through_pdf(seed in any::<u64>(), requests in 0usize..3000, year in 2021i32..2026) {
        let Some(report) = generated(seed, requests, year) else { return Ok(()) };
        let wrong = round_trip(&report, &format!("generated-{seed}-{requests}-{year}"));
        prop_assert!(wrong.is_empty(), "{} differences:\n{}", wrong.len(), wrong.join("\n"));
    }

    /// Model reports of the 2021 and 2019 templates with arbitrary figures, negatives and
    /// blanks anywhere (the same generator as the DOCX round trip).
    #[test]
    fn arbitrary_figures_and_blanks_round_trip_through_pdf(report in common::arbitrary_report()) {
        let wrong = round_trip(&report, "arbitrary");
        prop_assert!(wrong.is_empty(), "{} differences:\n{}", wrong.len(), wrong.join("\n"));
    }
}
