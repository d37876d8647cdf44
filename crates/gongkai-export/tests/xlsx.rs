//! The XLSX exporter: every report read back from its workbook is the same report (seed, corpus,
//! generated and arbitrary reports); totals are formulas whose cached values are the figures;
//! LibreOffice opens the workbook; the bulk workbook holds one row per report.

// Test code: a failed expectation is a failed test.
#![allow(clippy::expect_used, clippy::unwrap_used)]

mod common;

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;

use gongkai_core::calendar::Calendar;
use gongkai_core::demo::{self, DemoSpec};
use gongkai_core::generate::{self, YearInput};
use gongkai_core::report::*;
use gongkai_core::template::{self, LEGACY_ROWS, T3_ROWS};
use gongkai_export::grid;
use gongkai_export::xlsx::{flat_rows, BULK_SHEET, FLAT_SHEET};
use gongkai_export::{render_bulk_xlsx, render_xlsx};
use gongkai_import::xlsx::{read_sheet, sheet_names, CellValue, SheetCell};
use proptest::prelude::*;
use serde_json::Value;

fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata")
}

const SEED: &str = "000_ac430a0e528d85a1.txt";

fn seed() -> Report {
    let path = shared().join("seeds").join(SEED);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    gongkai_import::import(&bytes, SEED).unwrap()
}

/// Everything the workbook restores: metadata, the tables, the prose, the table templates.
/// What the workbook must restore. An empty optional text (agency, a row's unit or key) is an
/// empty cell, which reads back as absent: the two are one value in the flat sheet, as in every
/// importer, so they are compared as one.
fn restored(r: &Report) -> Value {
    let present = |s: &Option<String>| s.clone().filter(|s| !s.is_empty());
    let legacy = r.legacy_statistics.as_ref().map(|rows| {
        rows.iter()
            .map(|s| serde_json::json!({"label": s.label, "key": present(&s.key), "unit": present(&s.unit), "value": s.value}))
            .collect::<Vec<_>>()
    });
    serde_json::json!({
        "agency": present(&r.agency),
        "year": r.year,
        "published_on": r.published_on,
        "template": r.template,
        "sections": r.sections,
        "proactive": r.proactive,
        "requests": r.requests,
        "review_litigation": r.review_litigation,
        "legacy_statistics": legacy,
        "table_templates": r.provenance.table_templates,
    })
}

fn round_trip(r: &Report, name: &str) -> Report {
    let bytes = render_xlsx(r).unwrap_or_else(|e| panic!("{name}: export: {e}"));
    assert_eq!(gongkai_import::detect(&bytes), gongkai_import::DetectedFormat::Zip);
    gongkai_import::import(&bytes, &format!("{name}.xlsx")).unwrap_or_else(|e| panic!("{name}: import: {e}"))
}

fn assert_same(a: &Report, b: &Report, name: &str) {
    let (x, y) = (restored(a), restored(b));
    if x != y {
        let (xs, ys) = (serde_json::to_string_pretty(&x).unwrap(), serde_json::to_string_pretty(&y).unwrap());
        let first = xs.lines().zip(ys.lines()).position(|(p, q)| p != q).unwrap_or(0);
        panic!(
            "{name}: the workbook does not restore the report; first difference at line {first}:\n{}\nvs\n{}",
            xs.lines().skip(first.saturating_sub(3)).take(8).collect::<Vec<_>>().join("\n"),
            ys.lines().skip(first.saturating_sub(3)).take(8).collect::<Vec<_>>().join("\n")
        );
    }
}

#[test]
fn the_seed_round_trips() {
    let r = seed();
    assert!(r.requests.is_some(), "the seed has table 3");
    let back = round_trip(&r, "seed");
    assert_same(&r, &back, "seed");
    assert_eq!(back.provenance.source, "seed.xlsx");
    // Figure for figure, as the issue words it.
    assert_eq!(r.figures(), back.figures());
}

#[test]
fn the_fixtures_round_trip() {
    for (name, r) in [("2021", common::report_2021()), ("2019-mixed", common::report_2019_mixed())] {
        let back = round_trip(&r, name);
        assert_same(&r, &back, name);
    }
}

// ---------------------------------------------------------------------------------------------
// Corpus

fn lookup<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(v, |cur, k| cur.get(k))
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

#[test]
fn every_corpus_report_with_expected_figures_round_trips() {
    let dir = shared().join("corpus/reports");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".expected.json"))
        .collect();
    names.sort();
    let (mut reports, mut figures) = (0, 0);
    for name in names {
        let expected: Value = serde_json::from_slice(&std::fs::read(dir.join(&name)).unwrap()).unwrap();
        let file = expected["file"].as_str().unwrap().to_string();
        let original = gongkai_import::import(&std::fs::read(dir.join(&file)).unwrap(), &file).unwrap();
        let back = round_trip(&original, &file);
        assert_same(&original, &back, &file);
        // The expected figures that the original import gets right are right after the trip.
        let (a, b) = (serde_json::to_value(&original).unwrap(), serde_json::to_value(&back).unwrap());
        let mut exp = Vec::new();
        for key in ["requests", "review_litigation"] {
            if let Some(v) = expected.get(key) {
                leaves(key, v, &mut exp);
            }
        }
        for (path, want) in exp {
            if lookup(&a, &path) == Some(&want) {
                assert_eq!(lookup(&b, &path), Some(&want), "{file}: {path}");
                figures += 1;
            }
        }
        reports += 1;
    }
    println!("corpus: {reports} reports, {figures} expected figures round-tripped");
    assert!(reports >= 12, "only {reports} corpus reports with expected figures");
    assert!(figures > 1500, "only {figures} expected figures checked");
}

// ---------------------------------------------------------------------------------------------
// Formulas

/// The sheet's cells by (row, column).
fn cells(bytes: &[u8], sheet: &str) -> HashMap<(u32, u32), SheetCell> {
    read_sheet(bytes, "t.xlsx", sheet).unwrap().into_iter().map(|c| ((c.row, c.col), c)).collect()
}

fn number(c: Option<&SheetCell>) -> Option<i64> {
    match c.map(|c| &c.value) {
        Some(CellValue::Number(s)) => Some(s.parse::<f64>().unwrap() as i64),
        Some(CellValue::Text(s)) => s.parse().ok(),
        _ => None,
    }
}

/// `SUM(D5:I5)` → the cells of the range.
fn sum_range(f: &str) -> Vec<(u32, u32)> {
    let inner = f.trim_start_matches('=').strip_prefix("SUM(").and_then(|s| s.strip_suffix(')')).unwrap();
    let (a, b) = inner.split_once(':').unwrap();
    let parse = |r: &str| {
        let i = r.find(|c: char| c.is_ascii_digit()).unwrap();
        let col = r[..i].chars().fold(0u32, |acc, c| acc * 26 + (c as u32 - 'A' as u32 + 1)) - 1;
        (r[i..].parse::<u32>().unwrap() - 1, col)
    };
    let ((r0, c0), (r1, c1)) = (parse(a), parse(b));
    (r0..=r1).flat_map(|r| (c0..=c1).map(move |c| (r, c))).collect()
}

/// Checks table 3 and 4 sheets against the report: every figure in its cell, every formula's
/// cached value equal to the figure and to the sum of its range; returns the number of formulas.
fn check_formulas(r: &Report, bytes: &[u8]) -> usize {
    let mut formulas = 0;
    let names = sheet_names(bytes, "t.xlsx").unwrap();
    if let Some(t3) = &r.requests {
        let name = names.iter().find(|n| n.as_str() == template::T3_TITLE).expect("table 3 sheet");
        let sheet = cells(bytes, name);
        let t = grid::table_template(r, grid::TableKind::Requests);
        for (i, spec) in grid::t3_rows(t).enumerate() {
            let row = 1 + 3 + i as u32;
            for (j, col) in Column::ALL.iter().enumerate() {
                let cell = sheet.get(&(row, 3 + j as u32));
                let figure = t3.row(spec.key).and_then(|c| c.get(*col));
                assert_eq!(number(cell), figure, "table 3 {} {}", spec.path, col.name());
                if let Some(f) = cell.and_then(|c| c.formula.as_deref()) {
                    let sum: i64 = sum_range(f).iter().map(|k| number(sheet.get(k)).unwrap_or(0)).sum();
                    assert_eq!(Some(sum), figure, "{f} in table 3 {} {}", spec.path, col.name());
                    formulas += 1;
                }
            }
        }
    }
    if let Some(t4) = &r.review_litigation {
        let name = names.iter().find(|n| n.as_str() == template::T4_TITLE).expect("table 4 sheet");
        let sheet = cells(bytes, name);
        for (g, group) in CaseGroup::ALL.iter().enumerate() {
            for (k, res) in CaseResult::ALL.iter().enumerate() {
                let cell = sheet.get(&(4, (g * 5 + k) as u32));
                let figure = t4.group(*group).get(*res);
                assert_eq!(number(cell), figure, "table 4 {} {}", group.name(), res.name());
                if let Some(f) = cell.and_then(|c| c.formula.as_deref()) {
                    let sum: i64 = sum_range(f).iter().map(|k| number(sheet.get(k)).unwrap_or(0)).sum();
                    assert_eq!(Some(sum), figure, "{f} in table 4 {}", group.name());
                    formulas += 1;
                }
            }
        }
    }
    formulas
}

#[test]
fn totals_are_formulas_whose_cached_values_are_the_figures() {
    // A consistent report: every 总计 cell of tables 3 and 4 is a formula.
    let r = common::report_2021();
    let bytes = render_xlsx(&r).unwrap();
    let n = check_formulas(&r, &bytes);
    // Table 3: 24 rows × 总计 + 6 applicant columns of （七）总计; table 4: 3 groups.
    let t3_rows = grid::t3_rows(Template::V2021).count();
    assert!(n >= t3_rows + 6 + 3 - 2, "only {n} formulas");
    let sheet = cells(&bytes, template::T3_TITLE);
    let total_total = sheet.get(&(1 + 3 + (t3_rows as u32 - 2), 9)).unwrap();
    assert!(total_total.formula.as_deref().unwrap().starts_with("SUM("), "{total_total:?}");

    // The seed and an inconsistent copy: a printed total that does not add up stays a number.
    let mut bad = seed();
    check_formulas(&bad, &render_xlsx(&bad).unwrap());
    let t3 = bad.requests.as_mut().unwrap();
    t3.received.total = t3.received.total.map(|v| v + 7);
    t3.outcomes.total.natural_person = t3.outcomes.total.natural_person.map(|v| v + 1);
    bad.review_litigation.as_mut().unwrap().review.total = Some(999);
    let bytes = render_xlsx(&bad).unwrap();
    check_formulas(&bad, &bytes);
    let sheet = cells(&bytes, template::T3_TITLE);
    let received_total = sheet.get(&(4, 9)).unwrap();
    assert_eq!(received_total.formula, None, "an inconsistent total keeps its figure: {received_total:?}");
    assert_eq!(number(Some(received_total)), bad.requests.as_ref().unwrap().received.total);
    let review_total = cells(&bytes, template::T4_TITLE).remove(&(4, 4)).unwrap();
    assert_eq!((review_total.formula.clone(), number(Some(&review_total))), (None, Some(999)));
}

#[test]
fn blank_cells_stay_empty() {
    let mut r = common::report_2021();
    r.requests.as_mut().unwrap().received = Columns::BLANK;
    let bytes = render_xlsx(&r).unwrap();
    let sheet = cells(&bytes, template::T3_TITLE);
    for c in 3..10 {
        let cell = sheet.get(&(4, c));
        assert!(matches!(cell.map(|c| &c.value), None | Some(CellValue::Empty)), "{cell:?}");
    }
    check_formulas(&r, &bytes);
    let back = round_trip(&r, "blank");
    assert_eq!(back.requests.unwrap().received, Columns::BLANK);
}

#[test]
fn the_flat_sheet_lists_every_figure_with_its_label() {
    let r = seed();
    let rows = flat_rows(&r);
    for (path, _) in r.figures() {
        let row = rows.iter().find(|x| x.path == path).unwrap_or_else(|| panic!("{path} missing"));
        assert!(!row.label.is_empty() && row.label != path, "{path}: label {}", row.label);
    }
    let bytes = render_xlsx(&r).unwrap();
    let names = sheet_names(&bytes, "t").unwrap();
    assert_eq!(names.last().map(String::as_str), Some(FLAT_SHEET));
    for n in &names {
        assert!(n.chars().count() <= 31 && !n.contains(['[', ']', ':', '*', '?', '/', '\\']), "{n}");
    }
    let sheet = cells(&bytes, FLAT_SHEET);
    let header: Vec<String> = (0..3)
        .map(|c| match &sheet[&(0, c)].value {
            CellValue::Text(s) => s.clone(),
            v => panic!("{v:?}"),
        })
        .collect();
    assert_eq!(header, ["path", "标签", "value"]);
}

// ---------------------------------------------------------------------------------------------
// Errors

fn workbook(sheet: &str, rows: &[(&str, &str)]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(sheet).unwrap();
    ws.write(0, 0, "path").unwrap();
    ws.write(0, 1, "标签").unwrap();
    ws.write(0, 2, "value").unwrap();
    for (i, (p, v)) in rows.iter().enumerate() {
        ws.write(i as u32 + 1, 0, *p).unwrap();
        ws.write(i as u32 + 1, 2, *v).unwrap();
    }
    wb.save_to_buffer().unwrap()
}

#[test]
fn a_workbook_without_the_flat_sheet_is_refused_with_what_was_expected() {
    let bytes = workbook("Sheet1", &[("template", "2021")]);
    let e = gongkai_import::import(&bytes, "other.xlsx").unwrap_err().to_string();
    assert!(e.contains("other.xlsx") && e.contains("「数据」") && e.contains("Sheet1"), "{e}");
}

#[test]
fn a_bad_cell_is_named_by_sheet_row_and_column() {
    let bytes = workbook(
        FLAT_SHEET,
        &[("template", "2021"), ("review_litigation", ""), ("review_litigation.review.upheld", "约30")],
    );
    let e = gongkai_import::import(&bytes, "bad.xlsx").unwrap_err().to_string();
    assert!(e.contains("工作表「数据」第 4 行 C 列") && e.contains("约30"), "{e}");
    let bytes = workbook(FLAT_SHEET, &[("template", "2021"), ("requests.outcomes.nowhere.total", "1")]);
    let e = gongkai_import::import(&bytes, "bad.xlsx").unwrap_err().to_string();
    assert!(e.contains("第 3 行 A 列") && e.contains("requests.outcomes.nowhere.total"), "{e}");
    let bytes = workbook(FLAT_SHEET, &[("year", "2020"), ("year", "2021"), ("template", "2021")]);
    let e = gongkai_import::import(&bytes, "bad.xlsx").unwrap_err().to_string();
    assert!(e.contains("第 3 行") && e.contains("重复"), "{e}");
}

#[test]
fn a_zip_bomb_is_refused() {
    // A workbook whose shared strings inflate to 80 MiB from a few hundred KiB.
    let good = workbook(FLAT_SHEET, &[("template", "2021")]);
    let mut src = zip::ZipArchive::new(std::io::Cursor::new(&good)).unwrap();
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).large_file(true);
    for i in 0..src.len() {
        let mut f = src.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        out.start_file(name.as_str(), opts).unwrap();
        if name == "xl/sharedStrings.xml" {
            let chunk = vec![b' '; 1 << 20];
            for _ in 0..80 {
                out.write_all(&chunk).unwrap();
            }
        } else {
            std::io::copy(&mut f, &mut out).unwrap();
        }
    }
    let bytes = out.finish().unwrap().into_inner();
    assert!(bytes.len() < 2 << 20, "{}", bytes.len());
    let e = gongkai_import::import(&bytes, "bomb.xlsx").unwrap_err();
    assert!(matches!(e, gongkai_import::ImportError::TooLarge { .. }), "{e}");
    assert!(e.to_string().contains("xl/sharedStrings.xml"), "{e}");
}

// ---------------------------------------------------------------------------------------------
// LibreOffice

#[test]
fn libreoffice_opens_the_seed_workbook() {
    let Some(soffice) = ["soffice", "libreoffice"]
        .into_iter()
        .find(|c| std::process::Command::new(c).arg("--version").output().map(|o| o.status.success()).unwrap_or(false))
    else {
        assert!(std::env::var_os("CI").is_none(), "soffice is required in CI");
        println!("skip: soffice not installed");
        return;
    };
    let dir = std::env::temp_dir().join(format!("gongkai-xlsx-lo-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let xlsx = dir.join("seed.xlsx");
    std::fs::write(&xlsx, render_xlsx(&seed()).unwrap()).unwrap();
    let profile = format!("-env:UserInstallation=file://{}", dir.join("profile").display());
    let out = std::process::Command::new(soffice)
        .args([profile.as_str(), "--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir"])
        .arg(&dir)
        .arg(&xlsx)
        .output()
        .unwrap();
    let csv = dir.join("seed.csv");
    assert!(
        out.status.success() && csv.exists(),
        "soffice failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // The first sheet (table 2 of the seed, or its first table) converted with its title.
    let text = String::from_utf8_lossy(&std::fs::read(&csv).unwrap()).to_string();
    let first = grid::tables(&seed()).into_iter().next().unwrap();
    assert!(text.contains(&first.caption), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------------------------------------
// Bulk

#[test]
fn the_bulk_workbook_has_one_row_per_report() {
    let mut r2019 = common::report_2019_mixed();
    r2019.agency = None;
    let reports = vec![
        ("a.txt".to_string(), seed()),
        ("b.json".to_string(), common::report_2021()),
        ("c.json".to_string(), r2019),
    ];
    let bytes = render_bulk_xlsx(&reports).unwrap();
    assert_eq!(sheet_names(&bytes, "t").unwrap(), [BULK_SHEET]);
    let sheet = cells(&bytes, BULK_SHEET);
    let text = |r: u32, c: u32| match sheet.get(&(r, c)).map(|c| &c.value) {
        Some(CellValue::Text(s)) => s.clone(),
        Some(CellValue::Number(s)) => s.clone(),
        _ => String::new(),
    };
    let width = (0..).take_while(|c| sheet.contains_key(&(0, *c))).count() as u32;
    let header: Vec<String> = (0..width).map(|c| text(0, c)).collect();
    assert_eq!(&header[..6], ["source", "agency", "year", "template", "errors", "warnings"]);
    assert!(!text(1, 6).is_empty(), "second header row: labels");
    // Paths in canonical order: table 2, then 3, then 4, then the statistics indicators.
    let rank = |p: &str| {
        ["proactive.", "requests.", "review_litigation.", "legacy_statistics."].iter().position(|t| p.starts_with(t))
    };
    let ranks: Vec<usize> = header[6..].iter().map(|p| rank(p).unwrap()).collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{header:?}");
    let t3 = header.iter().position(|p| p.starts_with("requests.")).unwrap();
    assert_eq!(header[t3], format!("requests.{}.natural_person", T3_ROWS[0].path));
    for (i, (source, report)) in reports.iter().enumerate() {
        let row = 2 + i as u32;
        assert_eq!(text(row, 0), *source);
        assert_eq!(text(row, 1), report.agency.clone().unwrap_or_default());
        assert_eq!(text(row, 2), report.year.map(|y| y.to_string()).unwrap_or_default());
        assert_eq!(text(row, 3), report.template.id());
        let findings = gongkai_core::rules::check(report, &Default::default());
        let n = |s| findings.iter().filter(|f| f.severity == s).count().to_string();
        assert_eq!(text(row, 4), n(gongkai_core::rules::Severity::Error), "{source}");
        assert_eq!(text(row, 5), n(gongkai_core::rules::Severity::Warning), "{source}");
        let mut figures = report.figures();
        if let Some(rows) = &report.legacy_statistics {
            for s in rows {
                if let Some(k) = &s.key {
                    if LEGACY_ROWS.iter().any(|l| l.key == k)
                        && !figures.iter().any(|(p, _)| *p == format!("legacy_statistics.{k}"))
                    {
                        figures.push((format!("legacy_statistics.{k}"), FigureValue::Amount(s.value.clone())));
                    }
                }
            }
        }
        for (path, v) in figures {
            let c = header.iter().position(|h| *h == path).unwrap_or_else(|| panic!("{path} has no column")) as u32;
            let want = match v {
                FigureValue::Count(n) => n.map(|n| n.to_string()),
                FigureValue::Amount(a) => a.map(|a| a.as_str().to_string()),
            };
            assert_eq!(Some(text(row, c)).filter(|s| !s.is_empty()), want, "{source}: {path}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Properties

fn demo_report(seed: u64, requests: usize) -> Report {
    let cal = Calendar::official();
    let spec = DemoSpec { agencies: 1, requests, first_year: 2022, last_year: 2024, seed };
    let data = demo::generate(&cal, &spec);
    let input = YearInput {
        agency: data.agencies[0].clone(),
        year: 2023,
        requests: data.requests,
        cases: data.cases,
        figures: data.figures.into_iter().find(|f| f.year == 2023),
        narratives: Vec::new(),
        published_on: None,
    };
    generate::build(&gongkai_core::calendar::Calendar::official(), &input).report
}

fn cell() -> BoxedStrategy<Cell> {
    prop_oneof![
        3 => Just(None),
        3 => (0i64..1000).prop_map(Some),
        1 => (-1000i64..0).prop_map(Some),
        1 => prop_oneof![Just(i64::MAX), Just(i64::MIN), Just(1i64 << 53), Just((1i64 << 53) + 1)].prop_map(Some),
        1 => any::<i64>().prop_map(Some),
    ]
    .boxed()
}

fn columns() -> BoxedStrategy<Columns> {
    prop::array::uniform7(cell()).prop_map(Columns::from_array).boxed()
}

fn request_table() -> BoxedStrategy<RequestTable> {
    (prop::collection::vec(columns(), T3_ROWS.len()), prop::array::uniform3(any::<bool>()))
        .prop_map(|(rows, present)| {
            let mut t = RequestTable::blank();
            for (spec, cols) in T3_ROWS.iter().zip(rows) {
                *t.row_mut(spec.key) = cols;
            }
            let oh = &mut t.outcomes.other_handling;
            for (slot, keep) in [&mut oh.no_correction, &mut oh.fee_unpaid, &mut oh.other].into_iter().zip(present) {
                if !keep {
                    *slot = None;
                }
            }
            t
        })
        .boxed()
}

fn review_table() -> BoxedStrategy<ReviewLitigation> {
    prop::array::uniform3(prop::array::uniform5(cell()))
        .prop_map(|[a, b, c]| ReviewLitigation {
            review: CaseResults::from_array(a),
            litigation_direct: CaseResults::from_array(b),
            litigation_after_review: CaseResults::from_array(c),
        })
        .boxed()
}

fn amount() -> BoxedStrategy<Option<Amount>> {
    prop_oneof![
        Just(None),
        "-?[0-9]{1,30}(\\.[0-9]{1,5})?".prop_map(|s| Amount::parse(&s).ok()),
        "[0-9]{1,6}(\\.[0-9]{1,2})?".prop_map(|s| Amount::parse(&s).ok()),
        any::<i64>().prop_map(|v| Some(Amount::from_int(v))),
    ]
    .boxed()
}

fn proactive() -> BoxedStrategy<Proactive> {
    let doc = prop_oneof![
        (cell(), cell(), cell()).prop_map(|(issued, repealed, in_force)| DocumentCounts::V2021 {
            issued,
            repealed,
            in_force
        }),
        (cell(), cell(), cell()).prop_map(|(made, published, published_total)| DocumentCounts::V2019 {
            made,
            published,
            published_total
        }),
    ];
    let item = prop_oneof![
        cell().prop_map(|decisions| ItemCounts::V2021 { decisions }),
        (cell(), cell(), cell()).prop_map(|(previous_items, change, decisions)| ItemCounts::V2019 {
            previous_items,
            change,
            decisions
        }),
    ];
    let fees = prop_oneof![
        amount().prop_map(|amount_wan_yuan| AdministrativeFees::V2021 { amount_wan_yuan }),
        (cell(), cell()).prop_map(|(previous_items, change)| AdministrativeFees::V2019 { previous_items, change }),
    ];
    let proc = (cell(), amount()).prop_map(|(projects, amount_yuan)| Procurement { projects, amount_yuan });
    (
        prop::option::of(doc.clone()),
        prop::option::of(doc),
        prop::collection::vec(prop::option::of(item), 4),
        prop::option::of(fees),
        prop::option::of(proc),
    )
        .prop_map(|(rules, normative_documents, items, administrative_fees, centralized_procurement)| {
            let mut it = items.into_iter();
            Proactive {
                rules,
                normative_documents,
                licensing: it.next().flatten(),
                other_services: it.next().flatten(),
                penalties: it.next().flatten(),
                coercive_measures: it.next().flatten(),
                administrative_fees,
                centralized_procurement,
            }
        })
        .boxed()
}

fn text() -> BoxedStrategy<String> {
    prop_oneof![
        "\\PC{0,40}",
        " ?[一二三四五六七（）、。，0-9a-z_x\\n\\t]{0,30} ?",
        Just("_x0041_ 与 _x005F_".to_string()),
        Just("a\u{1}b\rc".to_string()),
    ]
    .boxed()
}

fn legacy() -> BoxedStrategy<Vec<LegacyStatistic>> {
    let keys: Vec<Option<String>> =
        LEGACY_ROWS.iter().map(|r| Some(r.key.to_string())).chain([None, Some("unknown".into())]).collect();
    prop::collection::vec(
        (text(), prop::sample::select(keys), prop::option::of(text()), amount())
            .prop_map(|(label, key, unit, value)| LegacyStatistic { label, key, unit, value }),
        0..6,
    )
    .boxed()
}

fn template() -> BoxedStrategy<Template> {
    prop_oneof![Just(Template::V2021), Just(Template::V2019), Just(Template::Pre2019)].boxed()
}

prop_compose! {
    fn report()(
        t in template(),
        agency in prop::option::of(text()),
        year in prop::option::of(1990i32..2100),
        day in prop::option::of((1990i32..2100, 1u32..13, 1u32..29)),
        proactive in prop::option::of(proactive()),
        requests in prop::option::of(request_table()),
        review in prop::option::of(review_table()),
        legacy in prop::option::of(legacy()),
        sections in prop::collection::vec((prop::option::of(0usize..7), text(), text()), 0..4),
        table_templates in prop::collection::vec((0usize..4, template()), 0..3),
    ) -> Report {
        let mut r = Report::new(t, "gen", SourceFormat::Json);
        r.agency = agency;
        r.year = year;
        r.published_on = day.and_then(|(y, m, d)| serde_json::from_value(Value::String(format!("{y}-{m:02}-{d:02}"))).ok());
        r.proactive = proactive;
        r.requests = requests;
        r.review_litigation = review;
        r.legacy_statistics = legacy;
        r.sections = sections
            .into_iter()
            .map(|(k, title, text)| Section { key: k.map(|i| template::SECTIONS[i].key), title, text })
            .collect();
        for (i, t) in table_templates {
            let key = ["proactive", "requests", "review_litigation", "legacy_statistics"][i];
            r.provenance.table_templates.insert(key.to_string(), t);
        }
        r
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_reports_round_trip(r in report()) {
        let back = round_trip(&r, "arbitrary");
        prop_assert_eq!(restored(&r), restored(&back));
        check_formulas(&r, &render_xlsx(&r).unwrap());
    }

    #[test]
    fn generated_reports_round_trip_with_every_total_a_formula(seed in any::<u64>(), n in 0usize..300) {
        let r = demo_report(seed, n);
        let bytes = render_xlsx(&r).unwrap();
        let back = gongkai_import::import(&bytes, "generated.xlsx").unwrap();
        prop_assert_eq!(restored(&r), restored(&back));
        // Generated reports add up: every filled 总计 of table 3 (and of table 4) is a formula.
        let formulas = check_formulas(&r, &bytes);
        let Some(t3) = r.requests.as_ref() else { return Ok(()) };
        let t = grid::table_template(&r, grid::TableKind::Requests);
        let totals = grid::t3_rows(t).filter(|s| t3.row(s.key).and_then(|c| c.total).is_some()).count();
        prop_assert!(formulas >= totals, "{} formulas for {} totals", formulas, totals);
    }
}
