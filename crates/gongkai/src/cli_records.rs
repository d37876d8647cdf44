//! The registers other than requests, on the command line (their forms are a public
//! interface): `gongkai proactive add|list` (主动公开, Arts. 19–26), `gongkai case add|decide|list`
//! (行政复议、行政诉讼, table 4) and `gongkai figures set|show` (第二十条 figures, table 2).
//!
//! As for requests, a change that reaches a published (locked) year is refused unless the
//! command carries `--amend "理由"` (recorded as an amendment, noted in that year's report).

use std::io::Write;
use std::process::ExitCode;

use anyhow::{anyhow, bail};
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use gongkai_core::register::{Article20Figures, Case, ProactiveDisclosure};
use gongkai_core::report::{Amount, CaseGroup, CaseResult};
use gongkai_core::template;

use crate::cli_clock::parse_date;
use crate::cli_db::{open, runtime, DbArgs};
use crate::cli_register::{app_error, print_amendments, AmendArgs};

/// 第二十条第（N）项: 1 to 15.
fn parse_article20(s: &str) -> Result<u8, String> {
    match s.trim().parse::<u8>() {
        Ok(n @ 1..=15) => Ok(n),
        _ => Err(format!("条例第二十条事项应为 1 至 15：「{s}」")),
    }
}

/// A table-4 group by its glossary name or its template label.
fn parse_group(s: &str) -> Result<CaseGroup, String> {
    let s = s.trim();
    CaseGroup::ALL.into_iter().find(|g| g.name() == s || template::group_label(*g) == s).ok_or_else(|| {
        format!("案件类别应为 review（行政复议）、litigation_direct（未经复议直接起诉）或 litigation_after_review（复议后起诉）：「{s}」")
    })
}

/// A decided case's result: 结果维持、结果纠正 or 其他结果 (尚未审结 is a case without one).
fn parse_result(s: &str) -> Result<CaseResult, String> {
    let s = s.trim();
    [CaseResult::Upheld, CaseResult::Corrected, CaseResult::Other]
        .into_iter()
        .find(|r| r.name() == s || template::result_label(*r) == s)
        .ok_or_else(|| format!("审结结果应为 upheld（结果维持）、corrected（结果纠正）或 other（其他结果）：「{s}」"))
}

fn parse_amount(s: &str) -> Result<Amount, String> {
    Amount::parse(s.trim()).map_err(|e| format!("金额（万元）「{s}」：{e}"))
}

fn nonempty(s: Option<String>) -> Option<String> {
    s.map(|v| v.trim().to_string()).filter(|v| !v.is_empty())
}

// ---------------------------------------------------------------------------------------------
// gongkai proactive

/// `gongkai proactive` subcommands.
#[derive(Subcommand)]
pub enum ProactiveCommand {
    /// 登记一条主动公开信息
    Add(Box<ProactiveAddArgs>),
    /// 列出主动公开信息
    List(ListArgs),
}

/// `gongkai proactive add` arguments.
#[derive(Args)]
pub struct ProactiveAddArgs {
    #[command(flatten)]
    db: DbArgs,
    /// 机关代码
    #[arg(long)]
    agency: String,
    /// 索引号，本机关内唯一
    #[arg(long)]
    index_number: String,
    /// 名称
    #[arg(long)]
    title: String,
    /// 文号
    #[arg(long)]
    document_number: Option<String>,
    /// 条例第二十条第几项（1–15）
    #[arg(long, value_parser = parse_article20)]
    article20: Option<u8>,
    /// 主题分类
    #[arg(long)]
    category: Option<String>,
    /// 公开渠道，可重复：website、gazette、weibo、wechat
    #[arg(long = "channel")]
    channels: Vec<String>,
    /// 发布日期 YYYY-MM-DD
    #[arg(long, value_parser = parse_date)]
    published_on: NaiveDate,
    /// 效力：有效、失效、废止
    #[arg(long)]
    validity: Option<String>,
    /// 内容概述（必填：目录必备项，条例第十二条）
    #[arg(long)]
    summary: Option<String>,
    /// 生成日期（必填）：信息形成或者变更的日期（第二十六条：自该日起20个工作日内公开）
    #[arg(long, value_parser = parse_date)]
    generated_on: Option<NaiveDate>,
    /// 保密审查人（必填：条例第十七条，公开前审查）
    #[arg(long)]
    review_by: Option<String>,
    /// 保密审查日期（必填）
    #[arg(long, value_parser = parse_date)]
    reviewed_on: Option<NaiveDate>,
    /// 保密审查结论（必填）：approved（同意公开）或 approved_redacted（删除不应公开内容后公开）
    #[arg(long)]
    review_result: Option<String>,
    /// 登记人（用于更正记录）
    #[arg(long, default_value = "cli")]
    by: String,
    #[command(flatten)]
    amend: AmendArgs,
}

/// `list` arguments shared by the three registers.
#[derive(Args)]
pub struct ListArgs {
    #[command(flatten)]
    db: DbArgs,
    /// 机关代码
    #[arg(long)]
    agency: String,
    /// 只列出该年度
    #[arg(long)]
    year: Option<i32>,
    /// 输出 JSON.
    #[arg(long)]
    json: bool,
}

/// Runs `gongkai proactive …`.
pub fn proactive(cmd: ProactiveCommand) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let mut out = std::io::stdout().lock();
        match cmd {
            ProactiveCommand::Add(a) => {
                let a = *a;
                let mut channels = Vec::new();
                for c in &a.channels {
                    let c = c.trim();
                    let Some((name, _)) = gongkai_sheet::CHANNELS.iter().find(|(n, l)| *n == c || *l == c) else {
                        bail!("公开渠道应为 website、gazette、weibo 或 wechat（政府网站、政府公报、政务微博、政务微信）：「{c}」");
                    };
                    channels.push((*name).to_string());
                }
                if channels.is_empty() {
                    channels.push("website".to_string());
                }
                let input = gongkai_app::proactive::NewProactive {
                    item: ProactiveDisclosure {
                        agency: a.agency.trim().to_string(),
                        index_number: a.index_number,
                        title: a.title,
                        document_number: a.document_number,
                        article20_item: a.article20,
                        category: a.category,
                        channels,
                        published_on: a.published_on,
                        validity: nonempty(a.validity),
                    },
                    summary: a.summary.unwrap_or_default(),
                    generated_on: a.generated_on,
                    reviewer: a.review_by.unwrap_or_default(),
                    reviewed_on: a.reviewed_on,
                    review_result: a.review_result.unwrap_or_default(),
                };
                // Checked, stored and audited as in the console (A1.5, A2.3: the directory fields
                // and the 保密审查 are required alike).
                let store = open(&a.db).await?;
                let cal = crate::cli_clock::load_calendar()?;
                let amend = a.amend.with_by(&a.by);
                let added = gongkai_app::proactive::add(
                    &store,
                    &cal,
                    &crate::clock(),
                    &gongkai_app::Actor::cli(),
                    input,
                    amend.as_ref(),
                )
                .await
                .map_err(app_error)?;
                let item = &added.item;
                writeln!(out, "已登记主动公开信息 {}「{}」（{} 发布）", item.index_number, item.title, item.published_on)?;
                if let Some(due) = added.late_after {
                    writeln!(
                        out,
                        "注意：生成于 {}，应于 {} 前公开（条例第二十六条：20个工作日内），本条逾期公开",
                        added.details.generated_on, due
                    )?;
                }
                print_amendments(&mut out, &added.amendments)?;
            }
            ProactiveCommand::List(a) => {
                let store = open(&a.db).await?;
                // An unknown agency is said as everywhere (not an empty list); a code in another
                // case is the agency's when unambiguous.
                let agency = gongkai_app::year::agency(&store, &a.agency).await.map_err(crate::cli_register::app_error)?;
                let items: Vec<ProactiveDisclosure> = store
                    .list_proactive(&agency.code)
                    .await?
                    .into_iter()
                    .filter(|i| a.year.is_none_or(|y| y == chrono::Datelike::year(&i.published_on)))
                    .collect();
                if a.json {
                    serde_json::to_writer_pretty(&mut out, &items)?;
                    writeln!(out)?;
                } else {
                    for i in &items {
                        writeln!(
                            out,
                            "{}\t{}\t{}\t{}\t{}",
                            i.published_on,
                            i.index_number,
                            i.document_number.as_deref().unwrap_or("-"),
                            i.article20_item.map_or("-".to_string(), |n| format!("第二十条第{n}项")),
                            i.title
                        )?;
                    }
                    if items.is_empty() {
                        writeln!(out, "（没有主动公开信息）")?;
                    }
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

// ---------------------------------------------------------------------------------------------
// gongkai case

/// `gongkai case` subcommands.
#[derive(Subcommand)]
pub enum CaseCommand {
    /// 登记一件行政复议或行政诉讼案件
    Add(CaseAddArgs),
    /// 登记案件审结及结果
    Decide(CaseDecideArgs),
    /// 列出案件
    List(ListArgs),
}

/// `gongkai case add` arguments.
#[derive(Args)]
pub struct CaseAddArgs {
    #[command(flatten)]
    db: DbArgs,
    /// 机关代码
    #[arg(long)]
    agency: String,
    /// 案号，本机关内唯一
    #[arg(long)]
    number: String,
    /// 类别：review（行政复议）、litigation_direct（未经复议直接起诉）、litigation_after_review（复议后起诉）.
    #[arg(long, value_parser = parse_group)]
    group: CaseGroup,
    /// 申请复议或起诉之日 YYYY-MM-DD
    #[arg(long, value_parser = parse_date)]
    filed_on: NaiveDate,
    /// 所涉申请的受理编号
    #[arg(long)]
    request: Option<String>,
    /// 审结之日 YYYY-MM-DD（已审结时）
    #[arg(long, value_parser = parse_date, requires = "result")]
    decided_on: Option<NaiveDate>,
    /// 审结结果：upheld（结果维持）、corrected（结果纠正）、other（其他结果）.
    #[arg(long, value_parser = parse_result, requires = "decided_on")]
    result: Option<CaseResult>,
    /// 登记人（用于更正记录）
    #[arg(long, default_value = "cli")]
    by: String,
    #[command(flatten)]
    amend: AmendArgs,
}

/// `gongkai case decide` arguments.
#[derive(Args)]
pub struct CaseDecideArgs {
    #[command(flatten)]
    db: DbArgs,
    /// 机关代码
    #[arg(long)]
    agency: String,
    /// 案号
    #[arg(long)]
    number: String,
    /// 审结之日 YYYY-MM-DD
    #[arg(long, value_parser = parse_date)]
    decided_on: NaiveDate,
    /// 审结结果：upheld、corrected、other.
    #[arg(long, value_parser = parse_result)]
    result: CaseResult,
    /// 登记人（用于更正记录）
    #[arg(long, default_value = "cli")]
    by: String,
    #[command(flatten)]
    amend: AmendArgs,
}

/// Runs `gongkai case …`.
pub fn case(cmd: CaseCommand) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let mut out = std::io::stdout().lock();
        match cmd {
            CaseCommand::Add(a) => {
                // Checked, stored and audited as in the console.
                let case = Case {
                    agency: a.agency.trim().to_string(),
                    number: a.number,
                    group: a.group,
                    request: a.request,
                    filed_on: a.filed_on,
                    decided_on: a.decided_on,
                    result: a.result,
                };
                let store = open(&a.db).await?;
                let amend = a.amend.with_by(&a.by);
                let registered =
                    gongkai_app::cases::add(&store, &crate::clock(), &gongkai_app::Actor::cli(), case, amend.as_ref())
                        .await
                        .map_err(app_error)?;
                let case = &registered.case;
                writeln!(
                    out,
                    "已登记{}案件 {}（{} 受理）",
                    template::group_label(case.group),
                    case.number,
                    case.filed_on
                )?;
                print_amendments(&mut out, &registered.amendments)?;
            }
            CaseCommand::Decide(a) => {
                let store = open(&a.db).await?;
                let amend = a.amend.with_by(&a.by);
                let decided = gongkai_app::cases::decide(
                    &store,
                    &crate::clock(),
                    &gongkai_app::Actor::cli(),
                    &a.agency,
                    &a.number,
                    a.decided_on,
                    a.result,
                    amend.as_ref(),
                )
                .await
                .map_err(app_error)?;
                writeln!(
                    out,
                    "已登记案件 {} 审结（{}，{}）",
                    decided.case.number,
                    a.decided_on,
                    template::result_label(a.result)
                )?;
                print_amendments(&mut out, &decided.amendments)?;
            }
            CaseCommand::List(a) => {
                let store = open(&a.db).await?;
                let agency =
                    gongkai_app::year::agency(&store, &a.agency).await.map_err(crate::cli_register::app_error)?;
                let cases: Vec<Case> = store
                    .list_cases(&agency.code)
                    .await?
                    .into_iter()
                    .filter(|c| a.year.is_none_or(|y| chrono::Datelike::year(&c.filed_on) == y))
                    .collect();
                if a.json {
                    serde_json::to_writer_pretty(&mut out, &cases)?;
                    writeln!(out)?;
                } else {
                    for c in &cases {
                        writeln!(
                            out,
                            "{}\t{}\t{}\t{}\t{}",
                            c.number,
                            template::group_label(c.group),
                            c.filed_on,
                            c.decided_on.map_or("-".to_string(), |d| d.to_string()),
                            c.result.map_or("尚未审结", template::result_label)
                        )?;
                    }
                    if cases.is_empty() {
                        writeln!(out, "（没有案件）")?;
                    }
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

// ---------------------------------------------------------------------------------------------
// gongkai figures

/// `gongkai figures` subcommands.
#[derive(Subcommand)]
pub enum FiguresCommand {
    /// 登记第二十条年度数据（只改给出的项）(set an agency's Article 20 figures for a year; only the
    /// figures given change).
    Set(Box<FiguresSetArgs>),
    /// 查看第二十条年度数据
    Show(FiguresShowArgs),
}

/// `gongkai figures set` arguments. Each figure is a count (件) except the fees (万元).
#[derive(Args)]
pub struct FiguresSetArgs {
    #[command(flatten)]
    db: DbArgs,
    /// 机关代码
    #[arg(long)]
    agency: String,
    /// 年度
    #[arg(long)]
    year: i32,
    /// 规章 本年制发件数.
    #[arg(long, allow_negative_numbers = true)]
    rules_issued: Option<i64>,
    /// 规章 本年废止件数.
    #[arg(long, allow_negative_numbers = true)]
    rules_repealed: Option<i64>,
    /// 规章 现行有效件数.
    #[arg(long, allow_negative_numbers = true)]
    rules_in_force: Option<i64>,
    /// 行政规范性文件 本年制发件数.
    #[arg(long, allow_negative_numbers = true)]
    normative_issued: Option<i64>,
    /// 行政规范性文件 本年废止件数.
    #[arg(long, allow_negative_numbers = true)]
    normative_repealed: Option<i64>,
    /// 行政规范性文件 现行有效件数.
    #[arg(long, allow_negative_numbers = true)]
    normative_in_force: Option<i64>,
    /// 行政许可 本年处理决定数量.
    #[arg(long, allow_negative_numbers = true)]
    licensing_decisions: Option<i64>,
    /// 行政处罚 本年处理决定数量.
    #[arg(long, allow_negative_numbers = true)]
    penalty_decisions: Option<i64>,
    /// 行政强制 本年处理决定数量.
    #[arg(long, allow_negative_numbers = true)]
    coercive_decisions: Option<i64>,
    /// 行政事业性收费 本年收费金额（万元）.
    #[arg(long, value_parser = parse_amount)]
    fees_wan_yuan: Option<Amount>,
    /// 登记人（用于更正记录）
    #[arg(long, default_value = "cli")]
    by: String,
    #[command(flatten)]
    amend: AmendArgs,
}

/// `gongkai figures show` arguments.
#[derive(Args)]
pub struct FiguresShowArgs {
    #[command(flatten)]
    db: DbArgs,
    /// 机关代码
    #[arg(long)]
    agency: String,
    /// 年度
    #[arg(long)]
    year: i32,
    /// 输出 JSON.
    #[arg(long)]
    json: bool,
}

/// The figures with their labels, in table-2 order.
fn figure_lines(f: &Article20Figures) -> Vec<(&'static str, Option<String>)> {
    let n = |v: Option<i64>| v.map(|x| x.to_string());
    vec![
        ("规章 本年制发件数", n(f.rules_issued)),
        ("规章 本年废止件数", n(f.rules_repealed)),
        ("规章 现行有效件数", n(f.rules_in_force)),
        ("行政规范性文件 本年制发件数", n(f.normative_issued)),
        ("行政规范性文件 本年废止件数", n(f.normative_repealed)),
        ("行政规范性文件 现行有效件数", n(f.normative_in_force)),
        ("行政许可 本年处理决定数量", n(f.licensing_decisions)),
        ("行政处罚 本年处理决定数量", n(f.penalty_decisions)),
        ("行政强制 本年处理决定数量", n(f.coercive_decisions)),
        ("行政事业性收费 本年收费金额（万元）", f.fees_wan_yuan.as_ref().map(ToString::to_string)),
    ]
}

/// Runs `gongkai figures …`.
pub fn figures(cmd: FiguresCommand) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let mut out = std::io::stdout().lock();
        match cmd {
            FiguresCommand::Set(a) => {
                let agency = a.agency.trim().to_string();
                let given = [
                    a.rules_issued,
                    a.rules_repealed,
                    a.rules_in_force,
                    a.normative_issued,
                    a.normative_repealed,
                    a.normative_in_force,
                    a.licensing_decisions,
                    a.penalty_decisions,
                    a.coercive_decisions,
                ];
                if given.iter().all(Option::is_none) && a.fees_wan_yuan.is_none() {
                    bail!("没有给出任何数据，例如 --rules-issued 2 --fees-wan-yuan 12.5");
                }
                let store = open(&a.db).await?;
                // The figures given replace those stored; the others stay as they were.
                let stored = store.get_article20_figures(&agency, a.year).await?;
                let mut f = stored.unwrap_or(Article20Figures { agency, year: a.year, ..Article20Figures::default() });
                let slots = [
                    &mut f.rules_issued,
                    &mut f.rules_repealed,
                    &mut f.rules_in_force,
                    &mut f.normative_issued,
                    &mut f.normative_repealed,
                    &mut f.normative_in_force,
                    &mut f.licensing_decisions,
                    &mut f.penalty_decisions,
                    &mut f.coercive_decisions,
                ];
                for (slot, v) in slots.into_iter().zip(given) {
                    if v.is_some() {
                        *slot = v;
                    }
                }
                if a.fees_wan_yuan.is_some() {
                    f.fees_wan_yuan = a.fees_wan_yuan;
                }
                // Checked, stored and audited as in the console.
                let amend = a.amend.with_by(&a.by);
                let saved = gongkai_app::article20::save(
                    &store,
                    &crate::clock(),
                    &gongkai_app::Actor::cli(),
                    f,
                    amend.as_ref(),
                )
                .await
                .map_err(app_error)?;
                writeln!(out, "已登记 {} {} 年度第二十条数据", saved.figures.agency, saved.figures.year)?;
                print_amendments(&mut out, &saved.amendments)?;
            }
            FiguresCommand::Show(a) => {
                let store = open(&a.db).await?;
                let agency = a.agency.trim();
                let Some(f) = store.get_article20_figures(agency, a.year).await? else {
                    return Err(anyhow!("机关「{agency}」{} 年度尚未登记第二十条数据", a.year));
                };
                if a.json {
                    serde_json::to_writer_pretty(&mut out, &f)?;
                    writeln!(out)?;
                } else {
                    for (label, v) in figure_lines(&f) {
                        writeln!(out, "{label}\t{}", v.as_deref().unwrap_or("—"))?;
                    }
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
