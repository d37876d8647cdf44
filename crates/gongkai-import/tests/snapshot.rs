//! Byte-identical output: the serialized report and findings of every text and HTML input we
//! have (the seed, the corpus, our examples and fixtures, plus deterministic mutations of them)
//! must stay exactly as they were when the snapshots were taken. Optimisations of the importers
//! and rules (provenance, tokens, normalisation) must not change a single byte.
//!
//! The snapshots live in `tests/snapshots/`: one JSON document per input file, and for the
//! mutations (which would weigh megabytes) one line each in `mutations.txt` with the length and
//! an FNV-1a hash of the same document. To re-take them after an intended change of behaviour:
//! `GONGKAI_BLESS=1 cargo test -p gongkai-import --test snapshot` (run it before the change too
//! and diff the documents, to see what changed).

use std::path::{Path, PathBuf};

use gongkai_core::rules::{check, CheckContext};

fn shared() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata")
}

fn manifest() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The inputs: (case name, file name given to the importer, bytes).
fn inputs() -> Vec<(String, String, Vec<u8>)> {
    let mut files: Vec<PathBuf> = vec![shared().join("seeds/000_ac430a0e528d85a1.txt")];
    let mut corpus: Vec<PathBuf> = std::fs::read_dir(shared().join("corpus/reports"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    corpus.retain(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("txt" | "html")));
    corpus.sort();
    assert!(corpus.len() >= 18, "corpus not found under {}", shared().display());
    files.extend(corpus);
    let mut examples: Vec<PathBuf> = std::fs::read_dir(manifest().join("../../examples"))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    examples.retain(|p| p.extension().and_then(|e| e.to_str()) == Some("txt"));
    examples.sort();
    files.extend(examples);
    files.push(manifest().join("tests/fixtures/2021-county-cms.html"));

    let mut out = Vec::new();
    for f in files {
        let bytes = std::fs::read(&f).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
        let name = f.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        let stem = name.rsplit_once('.').map(|(s, _)| s.to_string()).unwrap_or_else(|| name.clone());
        let Ok(text) = std::str::from_utf8(&bytes) else {
            out.push((stem, name, bytes));
            continue;
        };
        let text = text.to_string();
        out.push((stem.clone(), name.clone(), bytes));
        // Deterministic mutations: other paths of the importers (notes, blanks, line endings, encodings).
        let lines: Vec<&str> = text.split('\n').collect();
        let drop7: Vec<&str> = lines.iter().enumerate().filter(|(i, _)| i % 7 != 3).map(|(_, l)| *l).collect();
        out.push((format!("{stem}~drop7"), name.clone(), drop7.join("\n").into_bytes()));
        let half = text.char_indices().nth(text.chars().count() * 2 / 3).map(|(i, _)| i).unwrap_or(text.len());
        out.push((format!("{stem}~cut"), name.clone(), text.as_bytes()[..half].to_vec()));
        if name.ends_with(".txt") {
            out.push((format!("{stem}~crlf"), name.clone(), text.replace('\n', "\r\n").into_bytes()));
            let (gbk, _, _) = encoding_rs::GB18030.encode(&text);
            out.push((format!("{stem}~gb18030"), name.clone(), gbk.into_owned()));
            // Numbers glued together and digits changed: splitting, non-numbers, failing rules.
            let glued: String = text
                .chars()
                .map(|c| match c {
                    '7' => '1',
                    '\t' => ' ',
                    _ => c,
                })
                .collect::<String>()
                .replace(" 0 ", "0 ")
                .replace("4\n", "约4\n");
            out.push((format!("{stem}~glued"), name.clone(), glued.into_bytes()));
        }
    }
    out
}

/// The report and its findings as pretty JSON (an import error as its message).
fn render(name: &str, bytes: &[u8]) -> String {
    let doc = match gongkai_import::import(bytes, name) {
        Ok(report) => {
            let findings = check(&report, &CheckContext::default());
            serde_json::json!({ "report": report, "findings": findings })
        }
        Err(e) => serde_json::json!({ "error": e.to_string() }),
    };
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

fn first_difference(a: &str, b: &str) -> String {
    for (i, (x, y)) in a.lines().zip(b.lines()).enumerate() {
        if x != y {
            return format!("line {}:\n  expected: {x}\n  got:      {y}", i + 1);
        }
    }
    format!("lengths differ: expected {} lines, got {}", a.lines().count(), b.lines().count())
}

/// FNV-1a, 64 bits: enough to notice any change of a document.
fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3))
}

#[test]
fn serialized_reports_are_byte_identical_to_the_snapshots() {
    let dir = manifest().join("tests/snapshots");
    let bless = std::env::var_os("GONGKAI_BLESS").is_some();
    if bless {
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    }
    let hashes_path = dir.join("mutations.txt");
    let hashes = std::fs::read_to_string(&hashes_path).unwrap_or_default();
    let mut new_hashes = String::new();
    let mut wrong = Vec::new();
    let cases = inputs();
    for (case, name, bytes) in &cases {
        let got = render(name, bytes);
        if case.contains('~') {
            let line = format!("{case}\t{}\t{:016x}", got.len(), fnv1a(&got));
            if !hashes.lines().any(|l| l == line) {
                wrong.push(format!("{case}: the document differs from its hash in {}", hashes_path.display()));
            }
            new_hashes.push_str(&line);
            new_hashes.push('\n');
            continue;
        }
        let path: &Path = &dir.join(format!("{case}.json"));
        if bless {
            std::fs::write(path, &got).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            continue;
        }
        match std::fs::read_to_string(path) {
            Ok(want) if want == got => {}
            Ok(want) => wrong.push(format!("{case}: {}", first_difference(&want, &got))),
            Err(e) => wrong.push(format!("{case}: no snapshot {} ({e})", path.display())),
        }
    }
    if bless {
        std::fs::write(&hashes_path, new_hashes).unwrap_or_else(|e| panic!("{}: {e}", hashes_path.display()));
        return;
    }
    assert!(wrong.is_empty(), "{} of {} cases differ:\n{}", wrong.len(), cases.len(), wrong.join("\n"));
    assert!(cases.len() > 80, "only {} cases", cases.len());
}
