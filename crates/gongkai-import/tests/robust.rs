//! The importer never panics, whatever it is given: arbitrary bytes, arbitrary text, and text
//! made of the very labels and numbers it looks for, shuffled.

use gongkai_core::template;
use proptest::prelude::*;

fn vocabulary() -> Vec<String> {
    let mut v: Vec<String> = template::T3_ROWS.iter().map(|r| r.full_label()).collect();
    v.extend(template::COLUMNS.iter().map(|c| c.label.to_string()));
    v.extend(template::T4_RESULTS.iter().map(|r| r.label.to_string()));
    v.extend(template::SECTIONS.iter().map(|s| s.title.to_string()));
    for b in template::T2_2019.iter().chain(template::T2_2021.iter()) {
        v.push(b.title.to_string());
        v.extend(b.rows.iter().map(|r| r.label.to_string()));
        v.extend(b.columns.iter().map(|c| c.label.to_string()));
    }
    v.extend(template::LEGACY_ROWS.iter().map(|r| r.label.to_string()));
    v.extend(
        [
            "0",
            "12",
            "-6",
            "640020470",
            "12.3万元",
            "——",
            "—",
            "约30",
            "\t",
            "\n",
            " ",
            "- 4 -",
            "2021年1月22日",
            "（",
            "）",
            "1.",
            "一、",
            "统计指标",
        ]
        .iter()
        .map(|s| s.to_string()),
    );
    v
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4000)) {
        let _ = gongkai_import::import(&bytes, "fuzz.bin");
    }

    #[test]
    fn arbitrary_text_never_panics(s in "\\PC{0,2000}") {
        let _ = gongkai_import::import(s.as_bytes(), "fuzz.txt");
    }

    #[test]
    fn shuffled_labels_and_numbers_never_panic(picks in proptest::collection::vec(0usize..10_000, 0..400)) {
        let v = vocabulary();
        let text: String = picks.iter().map(|i| v[i % v.len()].as_str()).collect::<Vec<_>>().join("");
        let _ = gongkai_import::import(text.as_bytes(), "shuffled.txt");
        let spaced = picks.iter().map(|i| v[i % v.len()].as_str()).collect::<Vec<_>>().join(" ");
        let _ = gongkai_import::import(spaced.as_bytes(), "shuffled.txt");
    }
}

#[test]
fn binary_and_non_reports_are_refused_with_a_reason() {
    let e = gongkai_import::import(&[0, 159, 146, 150, 0, 0, 1, 2], "x.bin").err().map(|e| e.to_string());
    assert!(e.as_deref().is_some_and(|m| m.contains("x.bin")), "{e:?}");
    let e = gongkai_import::import("今天天气很好。".as_bytes(), "note.txt").err().map(|e| e.to_string());
    assert!(e.as_deref().is_some_and(|m| m.contains("未识别为政府信息公开工作年度报告")), "{e:?}");
    let e = gongkai_import::import(b"%PDF-1.7\n...", "r.pdf").err().map(|e| e.to_string());
    assert!(e.as_deref().is_some_and(|m| m.contains("PDF")), "{e:?}");
}

#[test]
fn a_canonical_document_reads_back_unchanged() {
    let shared = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata");
    let bytes = std::fs::read(shared.join("seeds/000_ac430a0e528d85a1.txt")).unwrap_or_default();
    let report = gongkai_import::import(&bytes, "seed.txt").unwrap_or_else(|e| panic!("{e}"));
    let json = serde_json::to_vec_pretty(&report).unwrap_or_default();
    let back = gongkai_import::import(&json, "seed.json").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back, report);
    // A JSON document with a wrong schema tag is refused, naming the place.
    let bad = String::from_utf8_lossy(&json).replace("gongkai.report/1", "gongkai.report/9");
    let e = gongkai_import::import(bad.as_bytes(), "bad.json").err().map(|e| e.to_string());
    assert!(e.as_deref().is_some_and(|m| m.contains("bad.json") && m.contains("行")), "{e:?}");
}

#[test]
fn gbk_files_import_like_utf8() {
    let shared = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../testdata");
    let text =
        std::fs::read_to_string(shared.join("corpus/reports/013-pingtan-zone-2021-flattext.txt")).unwrap_or_default();
    let (gbk, _, unmappable) = encoding_rs::GB18030.encode(&text);
    assert!(!unmappable);
    let a = gongkai_import::import(text.as_bytes(), "013.txt").unwrap_or_else(|e| panic!("{e}"));
    let b = gongkai_import::import(&gbk, "013.txt").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(b.provenance.encoding.as_deref(), Some("GB18030"));
    assert_eq!(a.requests, b.requests);
    assert_eq!(a.review_litigation, b.review_litigation);
}

/// Issue 21 item 4: the memory an import uses is a small multiple of its input, so the input is
/// bounded: a text over `MAX_TEXT_BYTES` is refused at once with the size and the limit.
#[test]
fn a_text_larger_than_the_limit_is_refused_with_the_size() {
    let line = "一、总体情况\n";
    let big = line.repeat(gongkai_import::MAX_TEXT_BYTES / line.len() + 1).into_bytes();
    assert!(big.len() > gongkai_import::MAX_TEXT_BYTES);
    let e = gongkai_import::import(&big, "big.txt").err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("big.txt: 文件过大，拒绝读取：文本大小") && e.contains("超过 16 MiB 上限"), "{e}");
}
