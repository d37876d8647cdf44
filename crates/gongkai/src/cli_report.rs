//! `gongkai report …`: import, check and render annual reports.

use std::io::{Read, Write};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Subcommand, ValueEnum};
use gongkai_core::report::Report;
use gongkai_core::rules::{self, CheckContext, Finding, Severity};

/// `gongkai report` subcommands (their forms are a public interface).
#[derive(Subcommand)]
pub enum ReportCommand {
    /// 导入报告，输出规范 JSON
    Import {
        /// 文件路径，`-` 为标准输入；格式由内容识别
        file: String,
    },
    /// 检查勾稽关系。退出码：0 无错误，1 有错误，2 无法读取
    Check {
        /// 文件路径，`-` 为标准输入
        file: String,
        /// 上一年度报告，启用 year.* 规则
        #[arg(long)]
        previous: Option<String>,
        /// 输出 JSON：{"report", "findings"}
        #[arg(long)]
        json: bool,
        /// 显示每个数字的出处
        #[arg(long)]
        explain: bool,
    },
    /// 渲染报告
    Render {
        /// 文件路径，`-` 为标准输入
        file: String,
        /// 输出格式：json（规范 JSON 文档）、md（Markdown，表格为官方版式）、html（单个自包含网页）
        #[arg(long, value_enum, hide_possible_values = true)]
        to: RenderFormat,
    },
    /// 导出为 Word、Excel、PDF 或网页（官方版式）；多个文件或目录：汇总为一个工作簿
    Export(crate::cli_export::ExportArgs),
    /// 输出规范报告的 JSON Schema
    Schema,
    /// 由登记数据生成年度报告（2021年格式）
    Generate(crate::cli_db::GenerateArgs),
    /// 标记年度报告已发布并锁定该年度数据
    Publish(crate::cli_register::PublishArgs),
    /// 批量审计目录中的报告
    /// 退出码：0 全部读出且无错误，1 有错误或有无法读取的文件，2 无法运行
    Audit(crate::cli_audit::AuditArgs),
}

/// Forms `report render` writes.
#[derive(Clone, Copy, ValueEnum)]
pub enum RenderFormat {
    /// The canonical JSON document.
    Json,
    /// Markdown (tables in the official layout, merged cells as HTML tables).
    Md,
    /// One self-contained HTML page.
    Html,
}

/// What `report check --json` prints: `{"findings": […], "report": {…}}`, written straight from
/// the report (through a `serde_json::Value` first, it cost about two thirds of the command's
/// instructions — issue 20).
#[derive(serde::Serialize)]
struct CheckDocument<'a> {
    findings: &'a [Finding],
    report: &'a Report,
}

/// Reads a file argument (`-` = stdin) and imports it; errors say which file and why.
pub fn load(file: &str) -> anyhow::Result<Report> {
    let (bytes, name) = if file == "-" {
        let mut b = Vec::new();
        std::io::stdin().read_to_end(&mut b).context("读取标准输入失败")?;
        (b, "-".to_string())
    } else {
        let b = std::fs::read(file).with_context(|| format!("无法读取文件 {file}"))?;
        let name = std::path::Path::new(file)
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| file.to_string());
        (b, name)
    };
    Ok(gongkai_import::import(&bytes, &name)?)
}

/// Runs a `report` subcommand.
pub fn run(cmd: ReportCommand) -> anyhow::Result<ExitCode> {
    // One buffer for the whole document: a locked standard output alone is line-buffered, a
    // `write` system call per line of JSON (about 1,700 for a report) — slow into a pipe.
    let mut out = crate::stdout();
    let code = match cmd {
        ReportCommand::Import { file } => {
            let report = load(&file)?;
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
            Ok(ExitCode::SUCCESS)
        }
        ReportCommand::Check { file, previous, json, explain } => {
            let report = load(&file)?;
            let prev = previous.as_deref().map(load).transpose()?;
            let ctx = CheckContext { previous: prev.as_ref(), ..CheckContext::default() };
            let findings = rules::check(&report, &ctx);
            let has_error = findings.iter().any(|f| f.severity == Severity::Error);
            if json {
                let doc = CheckDocument { findings: &findings, report: &report };
                serde_json::to_writer_pretty(&mut out, &doc)?;
                writeln!(out)?;
            } else {
                write_human(&mut out, &report, &findings, explain)?;
            }
            Ok(if has_error { ExitCode::from(1) } else { ExitCode::SUCCESS })
        }
        ReportCommand::Render { file, to } => {
            let report = load(&file)?;
            match to {
                RenderFormat::Json => {
                    serde_json::to_writer_pretty(&mut out, &report)?;
                    writeln!(out)?;
                }
                RenderFormat::Md => out.write_all(gongkai_export::render_markdown(&report).as_bytes())?,
                RenderFormat::Html => out.write_all(gongkai_export::render_html(&report).as_bytes())?,
            }
            Ok(ExitCode::SUCCESS)
        }
        ReportCommand::Generate(a) => crate::cli_db::generate(a),
        ReportCommand::Publish(a) => crate::cli_register::publish(a),
        ReportCommand::Audit(args) => crate::cli_audit::run(args),
        ReportCommand::Export(args) => crate::cli_export::run(args),
        ReportCommand::Schema => {
            let schema = schemars::schema_for!(Report);
            serde_json::to_writer_pretty(&mut out, &schema)?;
            writeln!(out)?;
            Ok(ExitCode::SUCCESS)
        }
    };
    out.flush()?;
    code
}

fn severity_label(s: Severity) -> &'static str {
    match s {
        Severity::Error => "错误",
        Severity::Warning => "警告",
        Severity::Info => "提示",
    }
}

/// The human form: a heading, then one block per finding, then a summary line.
fn write_human(out: &mut impl Write, report: &Report, findings: &[Finding], explain: bool) -> std::io::Result<()> {
    let agency = report.agency.as_deref().unwrap_or("（未识别机关）");
    let year = report.year.map(|y| format!("{y}年")).unwrap_or_else(|| "（年份未识别）".into());
    let date = report.published_on.map(|d| d.to_string()).unwrap_or_else(|| "未识别".into());
    writeln!(out, "{agency} {year} 政府信息公开工作年度报告")?;
    writeln!(out, "模板: {}  发布日期: {date}  来源: {}", report.template, report.provenance.source)?;
    for n in &report.provenance.notes {
        let line = n.line.map(|l| format!("第{l}行 ")).unwrap_or_default();
        writeln!(out, "导入说明: {line}{} — {}", n.path, n.message)?;
    }
    writeln!(out)?;
    let count = |s| findings.iter().filter(|f| f.severity == s).count();
    if findings.is_empty() {
        writeln!(out, "未发现问题：所有勾稽关系均成立。")?;
    }
    for f in findings {
        let place: Vec<&str> =
            [f.table.as_deref(), f.row.as_deref(), f.column.as_deref()].into_iter().flatten().collect();
        writeln!(out, "[{}] {:<18} {}", severity_label(f.severity), f.rule, place.join(" / "))?;
        writeln!(out, "    {}", f.message)?;
    }
    if explain {
        writeln!(out)?;
        writeln!(out, "各数字的出处:")?;
        for (path, c) in &report.provenance.cells {
            let place = match &c.location {
                Some(l) if l.table.is_some() => format!(
                    "第{}个表格第{}行第{}列",
                    l.table.unwrap_or_default(),
                    l.row.unwrap_or(c.line),
                    l.column.map(|x| x.to_string()).unwrap_or_else(|| "?".into())
                ),
                Some(l) if l.page.is_some() => {
                    format!("第{}页（文字第{}行）", l.page.unwrap_or_default(), c.line)
                }
                _ => format!("第{}行", c.line),
            };
            // The agency and the year: the value, then where it was read (「标题」「落款」…).
            let meta = match path.as_str() {
                "agency" => Some(("机关", report.agency.clone().unwrap_or_default())),
                "year" => Some(("年度", report.year.map(|y| y.to_string()).unwrap_or_default())),
                _ => None,
            };
            if let Some((name, value)) = meta {
                writeln!(out, "  {name} = {value}  ← {place}{}「{}」", c.label, c.raw)?;
                continue;
            }
            let raw: &str = if c.raw.is_empty() { "（空白）" } else { &c.raw };
            writeln!(out, "  {path} = {raw}  ← {place}「{}」/「{}」", c.label, c.column)?;
        }
    }
    writeln!(out)?;
    writeln!(
        out,
        "共 {} 项：错误 {}，警告 {}，提示 {}",
        findings.len(),
        count(Severity::Error),
        count(Severity::Warning),
        count(Severity::Info)
    )?;
    Ok(())
}
