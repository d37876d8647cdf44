//! `gongkai supervise`: the supervising office's overview of an agency and everything below it —
//! requests open, due soon and overdue; each annual report's status, findings and quality
//! scorecard; and the roll-up of tables 2–4 (a canonical report in the JSON).

use std::fmt::Write as _;
use std::io::Write;
use std::process::ExitCode;

use chrono::NaiveDate;
use clap::{Args, Subcommand};
use gongkai_core::quality::Verdict;
use gongkai_store::Overview;

use crate::cli_clock::parse_date;
use crate::cli_db::{open, runtime, DbArgs};

/// `gongkai supervise` arguments: the overview, or a subcommand.
#[derive(Args)]
#[command(args_conflicts_with_subcommands = true, subcommand_negates_reqs = true)]
pub struct SuperviseArgs {
    #[command(subcommand)]
    command: Option<SuperviseCommand>,
    #[command(flatten)]
    db: DbArgs,
    /// 机关代码：该机关及其下属全部机关
    #[arg(long, required = true)]
    agency: Option<String>,
    /// 报告年度（默认上一年）
    #[arg(long)]
    year: Option<i32>,
    /// 以该日为“今天”判断逾期（默认今天）
    #[arg(long, value_parser = parse_date)]
    today: Option<NaiveDate>,
    /// 输出 JSON（各机关、汇总、已计入、缺报、评分）
    #[arg(long)]
    json: bool,
    /// 不用缓存，全部从台账重新计算（较慢；用于核对）(compute everything from the registers,
    /// neither reading nor writing the overview cache).
    #[arg(long)]
    no_cache: bool,
    /// 把汇总表（表二至表四之和）写成文件，格式同年度报告导出（Word、Excel、PDF、网页）
    #[arg(long, requires = "rollup_to")]
    rollup_out: Option<std::path::PathBuf>,
    /// 汇总表文件的格式
    #[arg(long, value_enum, requires = "rollup_out")]
    rollup_to: Option<crate::cli_export::ExportFormat>,
}

/// `gongkai supervise` subcommands.
#[derive(Subcommand)]
pub enum SuperviseCommand {
    /// 导入未使用本系统的机关已发布的年度报告文件（文本、HTML、DOCX、PDF、XLSX、JSON）
    Import(crate::cli_supervise_import::ImportArgs),
    /// 列出导入的已发布年度报告（含编号、是否采用、已撤销的及其理由）
    Imports(crate::cli_supervise_import::ImportsArgs),
    /// 撤销误导入的已发布年度报告（须说明理由；记录保留，不再计入监督总览）
    WithdrawImport(crate::cli_supervise_import::WithdrawArgs),
    /// 向各机关发送待办提醒邮件（逾期和即将到期的答复、未发布的年度报告）；未配置 SMTP 时只列出
    Remind(RemindArgs),
    /// 逐年趋势：申请、办理结果、复议诉讼、主动公开（默认截至上一年的5年）
    Trend(TrendArgs),
    /// 预先计算监督总览缓存（各机关年度报告、核对结果和年度申请数据）；可核对缓存与台账是否一致
    Refresh(RefreshArgs),
}

/// `gongkai supervise refresh` arguments.
#[derive(Args)]
pub struct RefreshArgs {
    #[command(flatten)]
    db: DbArgs,
    /// 机关代码：只计算该机关及其下属机关（默认全部机关）
    #[arg(long)]
    agency: Option<String>,
    /// 报告年度（默认上一年）
    #[arg(long)]
    year: Option<i32>,
    /// 全部重新计算，包括未失效的缓存
    #[arg(long)]
    force: bool,
    /// 计算后逐一与台账核对，不一致时退出码为2
    #[arg(long)]
    verify: bool,
}

/// `gongkai supervise trend` arguments.
#[derive(Args)]
pub struct TrendArgs {
    #[command(flatten)]
    db: DbArgs,
    /// 机关代码：该机关及其下属全部机关
    #[arg(long)]
    agency: String,
    /// 截至年度（默认上一年）
    #[arg(long)]
    year: Option<i32>,
    /// 年数（1–20，默认5）
    #[arg(long, default_value_t = 5, value_parser = parse_years)]
    years: i32,
    /// 以该日为“今天”（默认今天）
    #[arg(long, value_parser = parse_date)]
    today: Option<NaiveDate>,
    /// 输出 JSON（每年一项，含表三各办理结果）
    #[arg(long)]
    json: bool,
}

/// `gongkai supervise remind` arguments.
#[derive(Args)]
pub struct RemindArgs {
    #[command(flatten)]
    db: DbArgs,
    /// 机关代码：该机关及其下属全部机关
    #[arg(long)]
    agency: String,
    /// 报告年度（默认上一年）
    #[arg(long)]
    year: Option<i32>,
    /// 以该日为“今天”判断逾期（默认今天）
    #[arg(long, value_parser = parse_date)]
    today: Option<NaiveDate>,
    /// SMTP 邮件中继：smtp://主机:端口（默认端口25；TLS 和登录由中继负责）
    #[arg(long)]
    smtp_url: Option<String>,
    /// 发件人地址
    #[arg(long)]
    from: Option<String>,
}

/// `gongkai supervise`.
pub fn supervise(a: SuperviseArgs) -> anyhow::Result<ExitCode> {
    match a.command {
        Some(SuperviseCommand::Import(i)) => return crate::cli_supervise_import::import(i),
        Some(SuperviseCommand::Imports(i)) => return crate::cli_supervise_import::imports(i),
        Some(SuperviseCommand::WithdrawImport(w)) => return crate::cli_supervise_import::withdraw(w),
        Some(SuperviseCommand::Remind(r)) => return remind(r),
        Some(SuperviseCommand::Trend(t)) => return trend(t),
        Some(SuperviseCommand::Refresh(r)) => return refresh(r),
        None => {}
    }
    let Some(agency) = a.agency else {
        anyhow::bail!("请用 --agency 指定机关代码");
    };
    let cal = crate::cli_clock::load_calendar()?;
    runtime()?.block_on(async {
        let store = open(&a.db).await?;
        let overview =
            gongkai_app::supervise::overview(&store, &crate::clock(), &cal, &agency, a.year, a.today, !a.no_cache)
                .await?;
        if let (Some(path), Some(to)) = (&a.rollup_out, a.rollup_to) {
            let bytes = crate::cli_export::export_one(&overview.rollup, to)?;
            crate::cli_export::write_out(path, &bytes)?;
            eprintln!(
                "已写出汇总表 {}（{} 个机关，缺 {} 个；{} bytes）",
                path.display(),
                overview.included.len(),
                overview.missing.len(),
                bytes.len()
            );
        }
        // Buffered: the whole tree's JSON is megabytes of short lines.
        let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
        if a.json {
            serde_json::to_writer_pretty(&mut out, &overview)?;
            writeln!(out)?;
        } else {
            out.write_all(render(&overview).as_bytes())?;
        }
        out.flush()?;
        Ok(ExitCode::SUCCESS)
    })
}

/// `gongkai supervise refresh`: computes the overview cache's missing or stale rows of a year
/// (all with `--force`), and with `--verify` compares every row with the registers.
fn refresh(a: RefreshArgs) -> anyhow::Result<ExitCode> {
    let cal = crate::cli_clock::load_calendar()?;
    runtime()?.block_on(async {
        let store = open(&a.db).await?;
        let refreshed = gongkai_app::supervise::refresh(
            &store,
            &crate::clock(),
            &cal,
            a.agency.as_deref(),
            a.year,
            a.force,
            a.verify,
        )
        .await?;
        let (year, done) = (refreshed.year, refreshed.done);
        let mut out = std::io::stdout().lock();
        writeln!(
            out,
            "{year}年度监督总览缓存：{} 个机关，重新计算 {} 个，写入 {} 个",
            done.agencies, done.computed, done.written
        )?;
        if let Some(differ) = refreshed.differ {
            if !differ.is_empty() {
                writeln!(out, "缓存与台账不一致的机关（已删除，下次查看时重新计算）：{}", differ.join("、"))?;
                return Ok(ExitCode::from(2));
            }
            writeln!(out, "核对完毕：缓存与台账一致")?;
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// `gongkai supervise trend`: the same series as the console's trend page
/// (`Store::supervise_trend`), as a table or JSON.
fn trend(a: TrendArgs) -> anyhow::Result<ExitCode> {
    let cal = crate::cli_clock::load_calendar()?;
    runtime()?.block_on(async {
        let store = open(&a.db).await?;
        let (_, points) =
            gongkai_app::supervise::trend(&store, &crate::clock(), &cal, &a.agency, (a.year, a.years), a.today).await?;
        let mut out = std::io::stdout().lock();
        if a.json {
            serde_json::to_writer_pretty(&mut out, &points)?;
            writeln!(out)?;
            return Ok(ExitCode::SUCCESS);
        }
        writeln!(out, "年度\t收到申请\t已答复\t按时答复率\t撤回\t行政复议\t行政诉讼\t复议诉讼被纠正\t主动公开信息")?;
        for p in &points {
            let rate = p.on_time_rate.map_or("—".to_string(), |r| format!("{:.1}%", r * 100.0));
            writeln!(
                out,
                "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}",
                p.year,
                p.received,
                p.replied,
                rate,
                p.withdrawn,
                p.reviews,
                p.litigations,
                p.corrected,
                p.proactive_items
            )?;
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// `gongkai supervise remind`: one message per agency with something to do, to the e-mail address
/// of its disclosure guide. Exit 0 when every message that has an address was sent, 2 otherwise.
fn remind(a: RemindArgs) -> anyhow::Result<ExitCode> {
    let cal = crate::cli_clock::load_calendar()?;
    let mailer = crate::settings::mailer(crate::settings(), a.smtp_url.as_deref(), a.from.as_deref(), "--from")?;
    runtime()?.block_on(async {
        let store = open(&a.db).await?;
        let overview =
            gongkai_app::supervise::overview(&store, &crate::clock(), &cal, &a.agency, a.year, a.today, true).await?;
        let mut out = std::io::stdout().lock();
        let Some(mailer) = mailer else {
            let mails = gongkai_app::remind::compose(&store, &overview).await?;
            writeln!(
                out,
                "未配置 SMTP 服务器（--smtp-url 或 GONGKAI_SMTP_URL），以下 {} 封提醒邮件未发送：",
                mails.len()
            )?;
            for m in &mails {
                let to = m.to.as_deref().unwrap_or("（无电子邮箱）");
                writeln!(out, "\n收件人：{to}\n主题：{}\n\n{}", m.subject, m.body)?;
            }
            return Ok(ExitCode::SUCCESS);
        };
        let clock = crate::clock();
        let results = gongkai_app::remind::send(&store, &mailer, &overview, &gongkai_app::Actor::cli(), &clock).await?;
        let (mut sent, mut failed) = (0usize, 0usize);
        for (m, delivery) in &results {
            match delivery {
                gongkai_app::remind::Delivery::Sent(to) => {
                    sent += 1;
                    writeln!(out, "已发送 {} {} → {to}（{}项）", m.agency, m.agency_name, m.items)?;
                }
                gongkai_app::remind::Delivery::NoAddress => {
                    failed += 1;
                    eprintln!(
                        "未发送 {} {}：公开指南未登记电子邮箱（互联网联系方式不是电子邮箱）",
                        m.agency, m.agency_name
                    );
                }
                gongkai_app::remind::Delivery::Failed(reason) => {
                    failed += 1;
                    eprintln!("未发送 {reason}");
                }
            }
        }
        writeln!(out, "共发送 {sent} 封提醒邮件，{failed} 封未发送")?;
        Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(2) })
    })
}

/// Display width on a terminal: CJK characters take two columns.
fn width(s: &str) -> usize {
    s.chars().map(|c| if (c as u32) >= 0x1100 { 2 } else { 1 }).sum()
}

fn pad(s: &str, w: usize) -> String {
    format!("{s}{}", " ".repeat(w.saturating_sub(width(s))))
}

fn rate(r: Option<f64>) -> String {
    r.map_or_else(|| "—".to_string(), |r| format!("{:.1}%", r * 100.0))
}

/// The overview as a table in Chinese.
fn render(o: &Overview) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "{}（{}）及下属机关 {} 个 — {}年度，截至{}",
        o.name,
        o.agency,
        o.agencies.len().saturating_sub(1),
        o.year,
        o.today
    );
    let t = &o.totals;
    let _ = writeln!(
        s,
        "合计：本年收到申请{}件；办理中{}件，其中即将到期{}件、已逾期{}件；本年答复{}件，按时答复率{}\n",
        t.received,
        t.open,
        t.due_soon,
        t.overdue,
        t.replied,
        rate(t.on_time_rate)
    );
    let header = [
        "代码",
        "机关",
        "本年收到",
        "办理中",
        "即将到期",
        "已逾期",
        "按时答复率",
        "答复工作日中位数",
        "年报状态",
        "错误",
        "警告",
        "质量（达标/不达标/未知）",
    ];
    let rows: Vec<Vec<String>> = o
        .agencies
        .iter()
        .map(|a| {
            vec![
                a.code.clone(),
                a.name.clone(),
                a.requests.received.to_string(),
                a.requests.open.to_string(),
                a.requests.due_soon.to_string(),
                a.requests.overdue.to_string(),
                rate(a.requests.on_time_rate),
                a.requests.median_working_days.map_or_else(|| "—".into(), |m| format!("{m}")),
                a.report.status_label.to_string(),
                a.report.errors.to_string(),
                a.report.warnings.to_string(),
                format!("{}/{}/{}", a.scorecard.passed, a.scorecard.failed, a.scorecard.unknown),
            ]
        })
        .collect();
    let widths: Vec<usize> = (0..header.len())
        .map(|i| rows.iter().map(|r| width(&r[i])).chain([width(header[i])]).max().unwrap_or(0))
        .collect();
    let line = |cells: Vec<String>| -> String {
        cells.iter().zip(&widths).map(|(c, w)| pad(c, *w)).collect::<Vec<_>>().join("  ").trim_end().to_string()
    };
    let _ = writeln!(s, "{}", line(header.iter().map(|h| h.to_string()).collect()));
    for r in rows {
        let _ = writeln!(s, "{}", line(r));
    }

    let overdue: Vec<_> = o.agencies.iter().filter(|a| !a.requests.overdue_requests.is_empty()).collect();
    if !overdue.is_empty() {
        let _ = writeln!(s, "\n已逾期的申请（查看：gongkai request show --agency 代码 --number 受理编号）：");
        for a in overdue {
            for r in &a.requests.overdue_requests {
                let _ = writeln!(
                    s,
                    "  {}  {}  受理编号 {}  收到 {}  答复期限 {}",
                    a.code, a.name, r.tracking_number, r.received_on, r.due
                );
            }
        }
    }
    let unreadable: Vec<_> = o.agencies.iter().filter(|a| !a.requests.unreadable.is_empty()).collect();
    if !unreadable.is_empty() {
        let _ = writeln!(s, "\n办理记录无法回放的申请（请核查登记数据）：");
        for a in unreadable {
            let _ = writeln!(s, "  {}  {}", a.code, a.requests.unreadable.join("、"));
        }
    }

    let imported: Vec<_> = o.agencies.iter().filter_map(|a| a.report.source.as_ref().map(|s| (a, s))).collect();
    if !imported.is_empty() {
        let _ = writeln!(s, "\n来自已发布文件的年度报告：");
        for (a, src) in imported {
            // An imported report's amendments are its republications with other figures.
            let changed = match a.report.amendments {
                0 => String::new(),
                n => format!("；发布后以不同的统计数据重新发布 {n} 次"),
            };
            let _ = writeln!(
                s,
                "  {}  {}  「{}」（{}，{} 导入{changed}）",
                a.code, a.name, src.file_name, src.format, src.imported_by
            );
        }
    }

    let failing: Vec<_> = o
        .agencies
        .iter()
        .flat_map(|a| a.scorecard.criteria.iter().filter(|c| c.verdict == Verdict::Fail).map(move |c| (a, c)))
        .collect();
    if !failing.is_empty() {
        let _ = writeln!(s, "\n年报质量不达标项：");
        for (a, c) in failing {
            let _ = writeln!(s, "  {}  {}  {}：{}", a.code, a.name, c.id, c.reason);
        }
    }

    let _ = writeln!(
        s,
        "\n汇总（表二至表四）：已汇总{}个机关；缺少{}个{}{}",
        o.included.len(),
        o.missing.len(),
        if o.missing.is_empty() { String::new() } else { format!("（{}）", o.missing.join("、")) },
        if o.excluded.is_empty() {
            String::new()
        } else {
            format!(
                "；未能汇总{}个（{}）",
                o.excluded.len(),
                o.excluded.iter().map(|e| format!("{}：{}", e.code, e.reason)).collect::<Vec<_>>().join("；")
            )
        }
    );
    if let Some(t) = &o.rollup.requests {
        let v = |c: Option<i64>| c.map_or_else(|| "空".to_string(), |v| v.to_string());
        let _ = writeln!(
            s,
            "  本年新收申请{}件，上年结转{}件，办理结果总计{}件，结转下年度{}件（完整汇总见 --json 的 rollup）",
            v(t.received.total),
            v(t.carried_over.total),
            v(t.outcomes.total.total),
            v(t.carried_forward.total)
        );
    }
    s
}

/// The number of years of a trend: 1 to 20 (a message in Chinese, not clap's English range error).
fn parse_years(s: &str) -> Result<i32, String> {
    match s.trim().parse::<i32>() {
        Ok(n @ 1..=20) => Ok(n),
        _ => Err(format!("年数应为 1 至 20 的整数：「{s}」")),
    }
}
