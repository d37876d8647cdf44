//! `gongkai report audit DIR…`: import and check every report under some directories, in
//! parallel, and summarise.
//!
//! A file that cannot be read never stops the audit: it gets a row saying why. A file that is
//! not a report at all (a picture, a data table, a JSON file of something else, a text without a
//! report's title or tables — what sits beside published reports in a folder) is skipped, with
//! the reason, not counted as a failure. The progress bar is drawn on a terminal only. The
//! summary counts reports by template and year, findings by rule, and lists the reports with
//! errors, the failed and the skipped files; `--out FILE.csv` writes one row per file (what a
//! supervising office pastes into its spreadsheet; Chinese headers, `--headers en` for scripts),
//! `--out FILE.json` the rows with their findings.

use gongkai_export::csv_field;
use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::{bail, Context};
use clap::Args;
use gongkai_core::report::{CaseResult, Column, Report};
use gongkai_core::rules::{self, CheckContext, Finding, Severity};
use serde::Serialize;

/// The largest file the audit reads (bigger files get a row saying so).
const MAX_FILE_BYTES: u64 = 256 * 1024 * 1024;
/// How deep the walk descends.
const MAX_DEPTH: usize = 64;

/// `gongkai report audit` arguments.
#[derive(Args)]
pub struct AuditArgs {
    /// 目录或文件，可多个；目录递归遍历，隐藏文件跳过
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// 写出逐份报告的结果：FILE.csv（每份报告一行）或 FILE.json
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// 并行线程数，默认为 CPU 核数
    #[arg(long, value_name = "N")]
    pub jobs: Option<usize>,
    /// CSV 表头：zh 中文（默认），en 英文字段名（供脚本使用）
    #[arg(long, value_name = "语言", default_value = "zh", value_parser = ["zh", "en"])]
    pub headers: String,
}

/// One audited file.
#[derive(Debug, Clone, Serialize)]
struct Row {
    file: String,
    format: Option<String>,
    agency: Option<String>,
    year: Option<i32>,
    template: Option<String>,
    published_on: Option<String>,
    received: Option<i64>,
    carried_over: Option<i64>,
    answered: Option<i64>,
    carried_forward: Option<i64>,
    review: Option<i64>,
    litigation_direct: Option<i64>,
    litigation_after_review: Option<i64>,
    errors: usize,
    warnings: usize,
    infos: usize,
    /// Rules with an error or warning, each once.
    rules: Vec<String>,
    /// Why the file is not a report (then skipped: neither read nor failed).
    skipped: Option<String>,
    /// Why the file could not be read.
    error: Option<String>,
    findings: Vec<Finding>,
}

impl Row {
    fn failed(file: String, format: Option<String>, error: String) -> Row {
        Row {
            file,
            format,
            agency: None,
            year: None,
            template: None,
            published_on: None,
            received: None,
            carried_over: None,
            answered: None,
            carried_forward: None,
            review: None,
            litigation_direct: None,
            litigation_after_review: None,
            errors: 0,
            warnings: 0,
            infos: 0,
            rules: Vec::new(),
            skipped: None,
            error: Some(error),
            findings: Vec::new(),
        }
    }

    fn skipped(file: String, format: Option<String>, reason: String) -> Row {
        Row { skipped: Some(reason), error: None, ..Row::failed(file, format, String::new()) }
    }

    /// A report read (neither skipped nor failed).
    fn read(&self) -> bool {
        self.error.is_none() && self.skipped.is_none()
    }

    fn of(file: String, report: &Report, findings: Vec<Finding>) -> Row {
        let t3 = report.requests.as_ref();
        let t4 = report.review_litigation.as_ref();
        let count = |s| findings.iter().filter(|f| f.severity == s).count();
        let mut rules: Vec<String> =
            findings.iter().filter(|f| f.severity != Severity::Info).map(|f| f.rule.clone()).collect();
        rules.sort();
        rules.dedup();
        let format = serde_json::to_value(report.provenance.format).ok().and_then(|v| v.as_str().map(str::to_string));
        Row {
            file,
            format,
            agency: report.agency.clone(),
            year: report.year,
            template: Some(report.template.id().to_string()),
            published_on: report.published_on.map(|d| d.to_string()),
            received: t3.and_then(|t| t.received.get(Column::Total)),
            carried_over: t3.and_then(|t| t.carried_over.get(Column::Total)),
            answered: t3.and_then(|t| t.outcomes.total.get(Column::Total)),
            carried_forward: t3.and_then(|t| t.carried_forward.get(Column::Total)),
            review: t4.and_then(|t| t.review.get(CaseResult::Total)),
            litigation_direct: t4.and_then(|t| t.litigation_direct.get(CaseResult::Total)),
            litigation_after_review: t4.and_then(|t| t.litigation_after_review.get(CaseResult::Total)),
            errors: count(Severity::Error),
            warnings: count(Severity::Warning),
            infos: count(Severity::Info),
            rules,
            skipped: None,
            error: None,
            findings,
        }
    }
}

/// Every regular, non-hidden file under the paths, sorted.
pub(crate) fn walk(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p).with_context(|| format!("无法访问 {}", p.display()))?;
        if meta.is_dir() {
            walk_dir(p, 0, &mut out)?;
        } else {
            out.push(p.clone());
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn walk_dir(dir: &Path, depth: usize, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    if depth > MAX_DEPTH {
        return Ok(());
    }
    let entries = std::fs::read_dir(dir).with_context(|| format!("无法读取目录 {}", dir.display()))?;
    for e in entries.flatten() {
        let name = e.file_name();
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        let path = e.path();
        match std::fs::metadata(&path) {
            Ok(m) if m.is_dir() => {
                // A directory that cannot be read becomes no rows, not a stop.
                let _ = walk_dir(&path, depth + 1, out);
            }
            Ok(m) if m.is_file() => out.push(path),
            _ => {}
        }
    }
    Ok(())
}

fn detected(bytes: &[u8]) -> &'static str {
    match gongkai_import::detect(bytes) {
        gongkai_import::DetectedFormat::Json => "json",
        gongkai_import::DetectedFormat::Html => "html",
        gongkai_import::DetectedFormat::Pdf => "pdf",
        gongkai_import::DetectedFormat::Zip => "zip",
        gongkai_import::DetectedFormat::Text => "text",
    }
}

/// Imports and checks one file; never fails, never panics outward.
fn audit_one(path: &Path) -> Row {
    let file = path.display().to_string();
    let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| file.clone());
    match std::fs::metadata(path) {
        Ok(m) if m.len() > MAX_FILE_BYTES => {
            return Row::failed(
                file,
                None,
                format!("文件大小 {} 字节，超过 {} MiB 上限", m.len(), MAX_FILE_BYTES / (1024 * 1024)),
            )
        }
        Err(e) => return Row::failed(file, None, format!("无法读取文件: {e}")),
        _ => {}
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => return Row::failed(file, None, format!("无法读取文件: {e}")),
    };
    let format = Some(detected(&bytes).to_string());
    let run = std::panic::catch_unwind(|| {
        gongkai_import::import(&bytes, &name).map(|report| {
            let findings = rules::check(&report, &CheckContext::default());
            (report, findings)
        })
    });
    match run {
        Ok(Ok((report, findings))) => Row::of(file, &report, findings),
        Ok(Err(e)) if e.is_not_a_report() => Row::skipped(file, format, e.reason()),
        Ok(Err(e)) => Row::failed(file, format, e.reason()),
        Err(_) => Row::failed(file, format, "内部错误：导入时程序崩溃，请报告此文件".into()),
    }
}

/// Audits the files with `jobs` workers; rows in file order.
fn audit(files: &[PathBuf], jobs: usize, bar: &indicatif::ProgressBar) -> Vec<Row> {
    let next = AtomicUsize::new(0);
    let mut rows: Vec<(usize, Row)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..jobs)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(path) = files.get(i) else { break };
                        mine.push((i, audit_one(path)));
                        bar.inc(1);
                    }
                    mine
                })
            })
            .collect();
        handles.into_iter().flat_map(|h| h.join().unwrap_or_default()).collect()
    });
    rows.sort_by_key(|(i, _)| *i);
    // A worker that died (it cannot: audit_one catches panics) would leave files without rows.
    let mut out: Vec<Row> = Vec::with_capacity(files.len());
    let mut have = rows.into_iter().peekable();
    for (i, f) in files.iter().enumerate() {
        match have.next_if(|(j, _)| *j == i) {
            Some((_, r)) => out.push(r),
            None => out.push(Row::failed(f.display().to_string(), None, "内部错误：未处理".into())),
        }
    }
    out
}

/// Runs `gongkai report audit`.
pub fn run(args: AuditArgs) -> anyhow::Result<ExitCode> {
    let out_kind = match &args.out {
        None => None,
        Some(p) => match p.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase) {
            Some(e) if e == "csv" => Some(OutKind::Csv),
            Some(e) if e == "json" => Some(OutKind::Json),
            _ => bail!("--out 应为 .csv 或 .json 文件，不是 {}", p.display()),
        },
    };
    let files = walk(&args.paths)?;
    let jobs = args.jobs.unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get())).clamp(1, 256);
    let bar = if std::io::stderr().is_terminal() {
        let b = indicatif::ProgressBar::new(files.len() as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:40} {pos}/{len} 份 ({per_sec}, 剩余 {eta})",
        ) {
            b.set_style(style);
        }
        b
    } else {
        indicatif::ProgressBar::hidden()
    };
    let start = Instant::now();
    let rows = audit(&files, jobs, &bar);
    let elapsed = start.elapsed();
    bar.finish_and_clear();

    if let (Some(path), Some(kind)) = (&args.out, out_kind) {
        let mut w = std::io::BufWriter::new(
            std::fs::File::create(path).with_context(|| format!("无法写入 {}", path.display()))?,
        );
        match kind {
            OutKind::Csv => write_csv(&mut w, &rows, args.headers == "en")?,
            OutKind::Json => {
                let doc = serde_json::json!({
                    "summary": summary_json(&rows, elapsed.as_secs_f64(), jobs),
                    "reports": rows,
                });
                serde_json::to_writer_pretty(&mut w, &doc)?;
                writeln!(w)?;
            }
        }
        w.flush().with_context(|| format!("无法写入 {}", path.display()))?;
    }
    let mut out = crate::stdout();
    write_summary(&mut out, &rows, elapsed.as_secs_f64(), jobs, args.out.as_deref())?;
    out.flush()?;
    let bad = rows.iter().any(|r| r.error.is_some() || r.errors > 0);
    Ok(if bad { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

#[derive(Clone, Copy)]
enum OutKind {
    Csv,
    Json,
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(T::to_string).unwrap_or_default()
}

/// The CSV's columns: the English field names (`--headers en`, for scripts; the JSON's names)
/// and the Chinese headers a supervising office reads (the template's own words for the figures).
const CSV_COLUMNS: [(&str, &str); 19] = [
    ("file", "文件"),
    ("format", "格式"),
    ("agency", "机关"),
    ("year", "年度"),
    ("template", "模板"),
    ("published_on", "发布日期"),
    ("received", "本年新收政府信息公开申请数量"),
    ("carried_over", "上年结转政府信息公开申请数量"),
    ("answered", "本年度办理结果总计"),
    ("carried_forward", "结转下年度继续办理"),
    ("review", "行政复议总计"),
    ("litigation_direct", "未经复议直接起诉总计"),
    ("litigation_after_review", "复议后起诉总计"),
    ("errors", "错误"),
    ("warnings", "警告"),
    ("infos", "提示"),
    ("rules", "有问题的规则"),
    ("skipped", "跳过原因"),
    ("error", "读取失败原因"),
];

/// The CSV: a BOM (so that spreadsheet programs read UTF-8), a header, one row per file.
fn write_csv(w: &mut impl Write, rows: &[Row], english: bool) -> std::io::Result<()> {
    w.write_all("\u{feff}".as_bytes())?;
    let header: Vec<&str> = CSV_COLUMNS.iter().map(|(en, zh)| if english { *en } else { *zh }).collect();
    writeln!(w, "{}", header.join(","))?;
    for r in rows {
        let fields = [
            r.file.clone(),
            opt(&r.format),
            opt(&r.agency),
            opt(&r.year),
            opt(&r.template),
            opt(&r.published_on),
            opt(&r.received),
            opt(&r.carried_over),
            opt(&r.answered),
            opt(&r.carried_forward),
            opt(&r.review),
            opt(&r.litigation_direct),
            opt(&r.litigation_after_review),
            r.errors.to_string(),
            r.warnings.to_string(),
            r.infos.to_string(),
            r.rules.join(" "),
            opt(&r.skipped),
            opt(&r.error),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        writeln!(w, "{}", line.join(","))?;
    }
    Ok(())
}

/// Per rule: (errors, warnings, infos, reports concerned).
fn by_rule(rows: &[Row]) -> BTreeMap<String, [usize; 4]> {
    let mut m: BTreeMap<String, [usize; 4]> = BTreeMap::new();
    for r in rows {
        let mut seen: Vec<&str> = Vec::new();
        for f in &r.findings {
            let e = m.entry(f.rule.clone()).or_default();
            match f.severity {
                Severity::Error => e[0] += 1,
                Severity::Warning => e[1] += 1,
                Severity::Info => e[2] += 1,
            }
            if !seen.contains(&f.rule.as_str()) {
                seen.push(&f.rule);
                e[3] += 1;
            }
        }
    }
    m
}

/// Reports by template, then year (`None` = year not found).
fn by_template_year(rows: &[Row]) -> BTreeMap<String, BTreeMap<Option<i32>, usize>> {
    let mut m: BTreeMap<String, BTreeMap<Option<i32>, usize>> = BTreeMap::new();
    for r in rows.iter().filter(|r| r.read()) {
        let t = r.template.clone().unwrap_or_default();
        *m.entry(t).or_default().entry(r.year).or_default() += 1;
    }
    m
}

fn summary_json(rows: &[Row], secs: f64, jobs: usize) -> serde_json::Value {
    let read = rows.iter().filter(|r| r.read()).count();
    let templates: serde_json::Map<String, serde_json::Value> = by_template_year(rows)
        .into_iter()
        .map(|(t, years)| {
            let y: serde_json::Map<String, serde_json::Value> = years
                .into_iter()
                .map(|(y, n)| (y.map(|y| y.to_string()).unwrap_or_else(|| "unknown".into()), n.into()))
                .collect();
            (t, y.into())
        })
        .collect();
    let rules: serde_json::Map<String, serde_json::Value> = by_rule(rows)
        .into_iter()
        .map(|(k, [e, w, i, n])| (k, serde_json::json!({"error": e, "warning": w, "info": i, "reports": n})))
        .collect();
    let failed: Vec<serde_json::Value> =
        rows.iter().filter_map(|r| r.error.as_ref().map(|e| serde_json::json!({"file": r.file, "error": e}))).collect();
    let skipped: Vec<serde_json::Value> = rows
        .iter()
        .filter_map(|r| r.skipped.as_ref().map(|why| serde_json::json!({"file": r.file, "reason": why})))
        .collect();
    serde_json::json!({
        "files": rows.len(),
        "reports": read,
        "skipped": skipped.len(),
        "failed": failed.len(),
        "seconds": secs,
        "jobs": jobs,
        "by_template_and_year": templates,
        "findings_by_rule": rules,
        "failed_files": failed,
        "skipped_files": skipped,
    })
}

/// How many reports with errors the summary names (the rest are in `--out`'s file).
const LISTED: usize = 20;

fn write_summary(w: &mut impl Write, rows: &[Row], secs: f64, jobs: usize, out: Option<&Path>) -> std::io::Result<()> {
    let read = rows.iter().filter(|r| r.read()).count();
    let failed: Vec<&Row> = rows.iter().filter(|r| r.error.is_some()).collect();
    let skipped: Vec<&Row> = rows.iter().filter(|r| r.skipped.is_some()).collect();
    let rate = if secs > 0.0 { rows.len() as f64 / secs } else { 0.0 };
    writeln!(
        w,
        "审计：{} 个文件，读取 {} 份报告，跳过 {} 个（不是报告），失败 {} 个；用时 {:.2} 秒（{:.0} 个/秒，{} 线程）",
        rows.len(),
        read,
        skipped.len(),
        failed.len(),
        secs,
        rate,
        jobs
    )?;

    let tys = by_template_year(rows);
    let mut years: Vec<Option<i32>> = tys.values().flat_map(|m| m.keys().copied()).collect();
    years.sort();
    years.dedup();
    writeln!(w)?;
    writeln!(w, "按模板和年度：")?;
    let year_label = |y: &Option<i32>| y.map(|y| y.to_string()).unwrap_or_else(|| "未知".into());
    let mut header = format!("  {:<8}", "模板");
    for y in &years {
        let width = if y.is_some() { 6 } else { 4 };
        header.push_str(&format!("{:>width$}", year_label(y)));
    }
    // CJK labels are two columns wide: pad them to 4 characters for a 6-column field.
    header.push_str(&format!("{:>4}", "合计"));
    writeln!(w, "{header}")?;
    for (t, m) in &tys {
        let mut line = format!("  {t:<10}");
        for y in &years {
            line.push_str(&format!("{:>6}", m.get(y).copied().unwrap_or(0)));
        }
        line.push_str(&format!("{:>6}", m.values().sum::<usize>()));
        writeln!(w, "{line}")?;
    }

    writeln!(w)?;
    writeln!(w, "按规则的问题：")?;
    let rules = by_rule(rows);
    if rules.is_empty() {
        writeln!(w, "  （无）")?;
    } else {
        // 「规则」 is two CJK characters, four columns: padded as 16 to line up with 18.
        writeln!(w, "  {:<16}{:>4}{:>4}{:>4}{:>5}", "规则", "错误", "警告", "提示", "报告数")?;
        for (k, [e, wn, i, n]) in &rules {
            writeln!(w, "  {k:<18}{e:>6}{wn:>6}{i:>6}{n:>8}")?;
        }
    }

    let with_errors: Vec<&Row> = rows.iter().filter(|r| r.errors > 0).collect();
    writeln!(w)?;
    writeln!(w, "有错误的报告：{} 份", with_errors.len())?;
    for r in with_errors.iter().take(LISTED) {
        let who = match (&r.agency, r.year) {
            (Some(a), Some(y)) => format!("（{a}，{y}年度）"),
            (Some(a), None) => format!("（{a}）"),
            (None, Some(y)) => format!("（{y}年度）"),
            (None, None) => String::new(),
        };
        let rules: Vec<&str> = r
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Error)
            .map(|f| f.rule.as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        writeln!(w, "  {}{who} — 错误 {} 处：{}", r.file, r.errors, rules.join("、"))?;
    }
    if with_errors.len() > LISTED {
        writeln!(w, "  ……另有 {} 份，见逐份结果", with_errors.len() - LISTED)?;
    }

    writeln!(w)?;
    writeln!(w, "读取失败的文件：{} 个", failed.len())?;
    for r in &failed {
        writeln!(w, "  {} — {}", r.file, r.error.as_deref().unwrap_or(""))?;
    }
    writeln!(w)?;
    writeln!(w, "跳过的文件（不是报告）：{} 个", skipped.len())?;
    for r in &skipped {
        writeln!(w, "  {} — {}", r.file, r.skipped.as_deref().unwrap_or(""))?;
    }
    writeln!(w)?;
    match out {
        Some(p) => writeln!(w, "逐份结果已写入 {}", p.display())?,
        None => writeln!(w, "提示：加上 --out 结果.csv（或 结果.json）可写出每个文件的结果和各项问题")?,
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_when_needed() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("上海"), "上海");
    }
}
