//! The corpus of real published reports (shared/corpus): every text file imports with the
//! right template, and every figure of the hand-checked `.expected.json` files is right.

use std::path::PathBuf;

use serde_json::Value;

fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata")
}

fn reports_dir() -> PathBuf {
    shared().join("corpus/reports")
}

/// Flattens the leaves of `v` into (path, value).
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

fn lookup<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(v, |cur, k| cur.get(k))
}

fn import(name: &str) -> gongkai_core::report::Report {
    let path = reports_dir().join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    gongkai_import::import(&bytes, name).unwrap_or_else(|e| panic!("{name}: {e}"))
}

struct Score {
    right: usize,
    total: usize,
    wrong: Vec<String>,
}

fn score(file: &str, expected: &Value) -> Score {
    let report = import(file);
    let got = serde_json::to_value(&report).unwrap_or(Value::Null);
    let mut exp = Vec::new();
    for key in ["requests", "review_litigation"] {
        if let Some(v) = expected.get(key) {
            leaves(key, v, &mut exp);
        }
    }
    let mut s = Score { right: 0, total: 0, wrong: Vec::new() };
    for (path, want) in exp {
        s.total += 1;
        let have = lookup(&got, &path).cloned().unwrap_or(Value::String("<missing>".into()));
        if have == want {
            s.right += 1;
        } else {
            s.wrong.push(format!("{file}: {path}: expected {want}, got {have}"));
        }
    }
    let want_t = expected.get("template").and_then(Value::as_str).unwrap_or("");
    if report.template.id() != want_t {
        s.wrong.push(format!("{file}: template: expected {want_t}, got {}", report.template));
    }
    let want_y = expected.get("year").and_then(Value::as_i64);
    if report.year.map(i64::from) != want_y {
        s.wrong.push(format!("{file}: year: expected {want_y:?}, got {:?}", report.year));
    }
    s
}

#[test]
fn every_expected_figure_of_the_text_corpus_is_right() {
    let dir = reports_dir();
    let mut right = 0;
    let mut total = 0;
    let mut wrong = Vec::new();
    let mut files = 0;
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.ends_with(".expected.json"))
        .collect();
    entries.sort();
    for name in entries {
        let expected: Value =
            serde_json::from_slice(&std::fs::read(dir.join(&name)).unwrap_or_default()).unwrap_or(Value::Null);
        let Some(file) = expected.get("file").and_then(Value::as_str).map(str::to_string) else {
            continue;
        };
        if !file.ends_with(".txt") {
            continue; // HTML and PDF are the other importers' corpus tests.
        }
        files += 1;
        let s = score(&file, &expected);
        right += s.right;
        total += s.total;
        wrong.extend(s.wrong);
    }
    // 018 is 002 extracted column by column: 002's figures.
    let e002: Value =
        serde_json::from_slice(&std::fs::read(dir.join("002-huaian-city-2024-pdf.expected.json")).unwrap_or_default())
            .unwrap_or(Value::Null);
    let s = score("018-huaian-city-2024-pdfminer-columns.txt", &e002);
    files += 1;
    right += s.right;
    total += s.total;
    wrong.extend(s.wrong);
    println!("corpus: {files} files, {right}/{total} expected figures right");
    assert!(wrong.is_empty(), "{} wrong:\n{}", wrong.len(), wrong.join("\n"));
    assert_eq!(right, total);
    assert!(total > 1500, "the corpus should hold well over 1500 expected figures, found {total}");
}

#[test]
fn every_text_file_imports_with_the_right_template() {
    let dir = reports_dir();
    let index = std::fs::read_to_string(dir.join("INDEX.tsv")).unwrap_or_default();
    let mut checked = 0;
    for line in index.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        if cols.len() < 4 || !cols[0].ends_with(".txt") {
            continue;
        }
        let r = import(cols[0]);
        assert_eq!(r.template.id(), cols[3], "{}", cols[0]);
        assert_eq!(r.year.map(|y| y.to_string()).as_deref(), Some(cols[2]), "{}: year", cols[0]);
        assert_eq!(r.agency.as_deref(), Some(cols[1]), "{}: agency ({:?})", cols[0], r.provenance.cells.get("agency"));
        checked += 1;
    }
    assert!(checked >= 17, "only {checked} text files listed in INDEX.tsv");
}
