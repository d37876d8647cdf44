//! `gongkai deadline`, `gongkai fee`, `gongkai calendar`: the statutory clock, the processing
//! fee and the working-day calendar on the command line (their forms are a public interface).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use gongkai_core::calendar::Calendar;
use gongkai_core::clock::{self, DeadlineInput};
use gongkai_core::fees::{self, FeeQuote};

/// `gongkai deadline` arguments.
#[derive(Args)]
pub struct DeadlineArgs {
    /// 收到申请之日 YYYY-MM-DD（条例第三十一条）
    #[arg(long, value_parser = parse_date)]
    received: NaiveDate,
    /// 收到补正后申请之日：重新计算20个工作日（第三十条）
    #[arg(long, value_parser = parse_date)]
    corrected: Option<NaiveDate>,
    /// 经批准延长答复期限（第三十三条）
    #[arg(long)]
    extended: bool,
    /// 征求意见期间 FROM:TO，不计入期限，可多次给出（第三十二至三十四条）
    #[arg(long = "consultation", value_parser = parse_range)]
    consultations: Vec<(NaiveDate, NaiveDate)>,
    /// 收费通知至缴费期间 FROM:TO，不计入期限
    #[arg(long = "fee-pause", value_parser = parse_range)]
    fee_pauses: Vec<(NaiveDate, NaiveDate)>,
    /// 逐日说明
    #[arg(long)]
    explain: bool,
    /// 输出 JSON {"due", "original_due", "estimated", "trail"}
    #[arg(long)]
    json: bool,
}

/// `gongkai fee` subcommands.
#[derive(Subcommand)]
pub enum FeeCommand {
    /// 按件计收：同一申请人一个自然月内的申请件数（109号第四条）
    PerRequest {
        /// 件数
        n: u32,
        /// 输出 JSON {"amount_yuan", "tiers"}.
        #[arg(long)]
        json: bool,
    },
    /// 按量计收：一件申请的页数（109号第五条）
    PerPage {
        /// 页数
        n: u32,
        /// 输出 JSON {"amount_yuan", "tiers"}.
        #[arg(long)]
        json: bool,
    },
}

/// `gongkai calendar` subcommands.
#[derive(Subcommand)]
pub enum CalendarCommand {
    /// 显示某年使用的节假日安排
    Show {
        /// 年份
        year: i32,
        /// 输出 JSON.
        #[arg(long)]
        json: bool,
    },
    /// 加载新发布年份的节假日安排文件，无需重新编译
    Load {
        /// 文件（JSON：{"year", "source", "days": [{"date", "off", "name"}]}）.
        file: PathBuf,
    },
}

/// A date argument, YYYY-MM-DD (every command's date flags).
pub(crate) fn parse_date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| format!("日期应为 YYYY-MM-DD 格式：「{s}」"))
}

fn parse_range(s: &str) -> Result<(NaiveDate, NaiveDate), String> {
    let (a, b) = s.split_once(':').ok_or_else(|| format!("期间应为 FROM:TO 格式：「{s}」"))?;
    Ok((parse_date(a)?, parse_date(b)?))
}

/// Where loaded calendar years are kept: `calendar` in the data folder.
fn calendar_dir() -> Option<PathBuf> {
    crate::settings().data_dir().map(|d| d.join("calendar"))
}

/// The official calendar plus every year loaded with `calendar load`.
pub fn load_calendar() -> anyhow::Result<Calendar> {
    let mut cal = Calendar::official();
    let Some(dir) = calendar_dir() else {
        return Ok(cal);
    };
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Ok(cal);
    };
    let mut files: Vec<PathBuf> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    files.sort();
    for f in files.into_iter().filter(|f| f.extension().is_some_and(|e| e == "json")) {
        let text = std::fs::read_to_string(&f).with_context(|| format!("无法读取日历文件 {}", f.display()))?;
        cal.load_year(&text).with_context(|| format!("日历文件 {} 无效", f.display()))?;
    }
    Ok(cal)
}

pub fn deadline(a: DeadlineArgs) -> anyhow::Result<ExitCode> {
    let cal = load_calendar()?;
    let input = DeadlineInput {
        received: a.received,
        corrected: a.corrected,
        extended: a.extended,
        consultations: a.consultations,
        fee_pauses: a.fee_pauses,
    };
    let d = clock::deadline(&cal, &input)?;
    let mut out = std::io::stdout().lock();
    if a.json {
        serde_json::to_writer_pretty(&mut out, &d)?;
        writeln!(out)?;
    } else {
        let est = if d.estimated { "（含估算：该年节假日安排尚未发布）" } else { "" };
        writeln!(out, "答复期限：{}{est}", d.due)?;
        if let Some(o) = d.original_due {
            writeln!(out, "延长前期限：{o}")?;
        }
        if a.explain {
            writeln!(out)?;
            out.write_all(d.explain().as_bytes())?;
            writeln!(out)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn print_quote(q: &FeeQuote, json: bool) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    if json {
        serde_json::to_writer_pretty(&mut out, q)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(out, "信息处理费：{} 元", q.amount_yuan)?;
    for t in &q.tiers {
        let to = t.to.map(|x| x.to_string()).unwrap_or_else(|| "以上".into());
        writeln!(out, "  第{}–{}：{} × {} 元 = {} 元", t.from, to, t.count, t.rate_yuan, t.subtotal_yuan)?;
    }
    Ok(ExitCode::SUCCESS)
}

pub fn fee(c: FeeCommand) -> anyhow::Result<ExitCode> {
    match c {
        FeeCommand::PerRequest { n, json } => print_quote(&fees::per_request(n), json),
        FeeCommand::PerPage { n, json } => print_quote(&fees::per_page(n), json),
    }
}

pub fn calendar(c: CalendarCommand) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    match c {
        CalendarCommand::Show { year, json } => {
            let cal = load_calendar()?;
            let s = cal.year_schedule(year);
            if json {
                serde_json::to_writer_pretty(&mut out, &s)?;
                writeln!(out)?;
            } else {
                let kind =
                    if s.estimated { "估算（该年节假日安排尚未发布或未加载）" } else { "官方" };
                writeln!(out, "{year}年工作日历：{kind}")?;
                if let Some(src) = &s.source {
                    writeln!(out, "依据：{src}")?;
                }
                for h in &s.holidays {
                    writeln!(out, "  放假 {} {} 至 {}，共{}天", h.name, h.from, h.to, h.days)?;
                }
                for w in &s.adjusted_workdays {
                    writeln!(
                        out,
                        "  调休上班 {} {}（{}）",
                        w.date,
                        gongkai_core::calendar::weekday_zh(w.date),
                        w.name
                    )?;
                }
                if let Some(n) = &s.note {
                    writeln!(out, "说明：{n}")?;
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        CalendarCommand::Load { file } => {
            let text = std::fs::read_to_string(&file).with_context(|| format!("无法读取 {}", file.display()))?;
            let mut cal = Calendar::official();
            let year = cal.load_year(&text).with_context(|| format!("{} 不是有效的节假日安排文件", file.display()))?;
            let dir = calendar_dir().context("无法确定数据目录：请设置 GONGKAI_DATA_DIR")?;
            std::fs::create_dir_all(&dir).with_context(|| format!("无法创建 {}", dir.display()))?;
            let dest = dir.join(format!("{year}.json"));
            std::fs::write(&dest, text).with_context(|| format!("无法写入 {}", dest.display()))?;
            writeln!(out, "已加载 {year} 年节假日安排，保存于 {}", dest.display())?;
            Ok(ExitCode::SUCCESS)
        }
    }
}
