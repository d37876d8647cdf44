//! `gongkai report audit`: a directory of reports in every format, with bad files among them,
//! audited in parallel; the CSV and JSON outputs, the summary, the exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn shared() -> PathBuf {
    root().join("testdata")
}

fn gongkai(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .env("GONGKAI_NOW", "2026-11-27T02:00:00Z")
        .args(args)
        .current_dir(root())
        .output()
        .unwrap_or_else(|e| panic!("cannot run gongkai: {e}"))
}

fn copy(from: &Path, to: &Path) {
    std::fs::copy(from, to).unwrap_or_else(|e| panic!("{} → {}: {e}", from.display(), to.display()));
}

/// A directory with reports in every format, a sub-directory, a hidden file, bad files, and files
/// that are not reports (a picture, expected figures as JSON, an index as TSV, a note).
fn corpus_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("gongkai-audit-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let sub = dir.join("sub");
    std::fs::create_dir_all(&sub).unwrap_or_else(|e| panic!("{e}"));
    let reports = shared().join("corpus/reports");
    copy(&reports.join("001-shanghai-municipal-govt-office-2019.html"), &dir.join("001.html"));
    copy(&reports.join("019-hongze-district-2023.pdf"), &dir.join("019.pdf"));
    copy(&reports.join("013-pingtan-zone-2021-flattext.txt"), &sub.join("013.txt"));
    copy(&reports.join("005-pingtan-zone-2011-flattext.txt"), &sub.join("005.txt"));
    copy(&shared().join("templates/template-2021.docx"), &sub.join("template.docx"));
    copy(&root().join("crates/gongkai-import/tests/fixtures/2021-county-cms.html"), &sub.join("county.html"));
    std::fs::write(dir.join("broken.pdf"), b"%PDF-1.4\nnot really").unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join("notes, misc.txt"), "今天天气很好。").unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(dir.join(".hidden.txt"), "hidden").unwrap_or_else(|e| panic!("{e}"));
    std::fs::write(sub.join("chart.png"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").unwrap_or_else(|e| panic!("{e}"));
    copy(&reports.join("001-shanghai-municipal-govt-office-2019.expected.json"), &dir.join("001.expected.json"));
    copy(&reports.join("INDEX.tsv"), &dir.join("INDEX.tsv"));
    dir
}

/// Minimal CSV reading (quoted fields with commas and doubled quotes).
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for line in text.trim_start_matches('\u{feff}').lines() {
        let mut fields = Vec::new();
        let mut cur = String::new();
        let mut quoted = false;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '"' if quoted && chars.peek() == Some(&'"') => {
                    cur.push('"');
                    chars.next();
                }
                '"' => quoted = !quoted,
                ',' if !quoted => fields.push(std::mem::take(&mut cur)),
                _ => cur.push(c),
            }
        }
        fields.push(cur);
        rows.push(fields);
    }
    rows
}

#[test]
fn audit_writes_one_csv_row_per_file_and_never_stops_on_a_bad_one() {
    let dir = corpus_dir("csv");
    let out = dir.join("audit.csv");
    let o = gongkai(&[
        "report",
        "audit",
        &dir.to_string_lossy(),
        "--out",
        &out.to_string_lossy(),
        "--jobs",
        "2",
        "--headers",
        "en",
    ]);
    let stdout = String::from_utf8_lossy(&o.stdout).to_string();
    // Errors found (019's table 4) and unreadable files: exit 1.
    assert_eq!(o.status.code(), Some(1), "{stdout}\n{}", String::from_utf8_lossy(&o.stderr));
    // Not a terminal: no progress bar on stderr.
    assert!(o.stderr.is_empty(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = std::fs::read_to_string(&out).unwrap_or_default();
    let rows = csv_rows(&text);
    let header = &rows[0];
    assert_eq!(header[0], "file");
    let col = |name: &str| header.iter().position(|h| h == name).unwrap_or_else(|| panic!("{name}"));
    let data = &rows[1..];
    // 11 files (the hidden one left out), the CSV itself written after the walk.
    assert_eq!(data.len(), 11, "{text}");
    let row = |suffix: &str| {
        data.iter().find(|r| r[0].ends_with(suffix)).unwrap_or_else(|| panic!("no row for {suffix}: {text}"))
    };
    let shanghai = row("001.html");
    assert_eq!(shanghai[col("format")], "html");
    assert_eq!(shanghai[col("agency")], "上海市人民政府办公厅");
    assert_eq!(shanghai[col("year")], "2019");
    assert_eq!(shanghai[col("template")], "2019");
    assert_eq!(shanghai[col("received")], "859");
    assert_eq!(shanghai[col("answered")], "805");
    assert_eq!(shanghai[col("carried_forward")], "72");
    assert_eq!(shanghai[col("review")], "7");
    let hongze = row("019.pdf");
    assert_eq!(hongze[col("format")], "pdf");
    assert_eq!(hongze[col("errors")], "2");
    assert!(hongze[col("rules")].contains("t4.group-sum"));
    assert_eq!(row("county.html")[col("received")], "48");
    assert_eq!(row("template.docx")[col("format")], "docx");
    assert_eq!(row("013.txt")[col("template")], "2021");
    assert_eq!(row("005.txt")[col("template")], "pre2019");
    let broken = row("broken.pdf");
    assert!(broken[col("error")].contains("PDF"), "{broken:?}");
    // The file is named in its own column, not again in the reason.
    assert!(!broken[col("error")].contains("broken.pdf"), "{broken:?}");
    assert_eq!(broken[col("format")], "pdf");
    // A file name with a comma is quoted, and the row still has every field.
    let misc = row("notes, misc.txt");
    assert_eq!(misc.len(), header.len());
    assert!(misc[col("skipped")].contains("未识别为政府信息公开工作年度报告"));
    assert!(misc[col("error")].is_empty(), "{misc:?}");
    // Files beside the reports are skipped with the reason, never read as reports.
    assert!(row("chart.png")[col("skipped")].contains("PNG 图片"));
    assert!(row("001.expected.json")[col("skipped")].contains("不是 gongkai 报告"));
    assert!(row("INDEX.tsv")[col("skipped")].contains("制表符分隔的数据表"));
    assert!(row("INDEX.tsv")[col("template")].is_empty());

    // The summary: by template and year, by rule, the reports with errors, the failed and
    // skipped files — each named once.
    assert!(stdout.contains("11 个文件，读取 6 份报告，跳过 4 个（不是报告），失败 1 个"), "{stdout}");
    assert!(stdout.contains("按模板和年度"), "{stdout}");
    assert!(stdout.contains("t4.group-sum"), "{stdout}");
    assert!(stdout.contains("有错误的报告：1 份"), "{stdout}");
    let hongze_line = stdout.lines().find(|l| l.contains("019.pdf")).unwrap_or_default();
    assert!(hongze_line.contains("错误 2 处：t4.group-sum"), "{stdout}");
    assert_eq!(stdout.matches("broken.pdf").count(), 1, "{stdout}");
    assert!(stdout.contains("跳过的文件（不是报告）：4 个"), "{stdout}");
    assert!(stdout.contains("逐份结果已写入"), "{stdout}");
    assert!(!stdout.contains("expected one of"), "serde's English quoted: {stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn audit_json_has_the_summary_and_the_findings() {
    let dir = corpus_dir("json");
    let out = dir.join("sub/audit.json");
    let o = gongkai(&["report", "audit", &dir.to_string_lossy(), "--out", &out.to_string_lossy()]);
    assert_eq!(o.status.code(), Some(1));
    let doc: Value = serde_json::from_slice(&std::fs::read(&out).unwrap_or_default()).unwrap_or(Value::Null);
    let s = &doc["summary"];
    assert_eq!(s["files"], 11);
    assert_eq!(s["reports"], 6);
    assert_eq!(s["failed"], 1);
    assert_eq!(s["skipped"], 4);
    assert_eq!(s["skipped_files"].as_array().map(Vec::len), Some(4));
    assert_eq!(s["by_template_and_year"]["2021"]["2023"], 1);
    assert_eq!(s["by_template_and_year"]["2019"]["2019"], 1);
    assert_eq!(s["findings_by_rule"]["t4.group-sum"]["error"], 2);
    let reports = doc["reports"].as_array().cloned().unwrap_or_default();
    let hongze = reports
        .iter()
        .find(|r| r["file"].as_str().is_some_and(|f| f.ends_with("019.pdf")))
        .cloned()
        .unwrap_or(Value::Null);
    assert!(hongze["findings"].as_array().is_some_and(|f| f.iter().any(|f| f["rule"] == "t4.group-sum")));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn audit_of_good_reports_exits_0_and_bad_arguments_exit_2() {
    let dir = std::env::temp_dir().join(format!("gongkai-audit-ok-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    copy(&shared().join("corpus/reports/013-pingtan-zone-2021-flattext.txt"), &dir.join("013.txt"));
    let o = gongkai(&["report", "audit", &dir.to_string_lossy(), "--jobs", "1"]);
    let stdout = String::from_utf8_lossy(&o.stdout).to_string();
    assert_eq!(o.status.code(), Some(0), "{stdout}");
    // Without --out, the summary says how to get every file's result.
    assert!(stdout.contains("提示：加上 --out 结果.csv"), "{stdout}");
    // The CSV's headers are Chinese unless scripts ask for the field names.
    let out = dir.join("结果.csv");
    let o = gongkai(&["report", "audit", &dir.join("013.txt").to_string_lossy(), "--out", &out.to_string_lossy()]);
    assert_eq!(o.status.code(), Some(0));
    let rows = csv_rows(&std::fs::read_to_string(&out).unwrap_or_default());
    assert_eq!(rows[0][0], "文件");
    assert!(rows[0].contains(&"本年新收政府信息公开申请数量".to_string()), "{:?}", rows[0]);
    assert_eq!(rows[1][rows[0].iter().position(|h| h == "模板").unwrap_or(0)], "2021");
    let o = gongkai(&["report", "audit", "/nonexistent/gongkai/dir"]);
    assert_eq!(o.status.code(), Some(2));
    let o = gongkai(&["report", "audit", &dir.to_string_lossy(), "--out", "x.txt"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains(".csv"));
    let _ = std::fs::remove_dir_all(&dir);
}
