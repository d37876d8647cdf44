//! `gongkai guide show|set`: an agency's 政府信息公开指南 (Art. 12) as JSON — read, and replaced
//! from a file checked field by field (`gongkai_app::guide`), nothing stored when a required
//! field is empty.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};

use crate::cli_db::{open, runtime, DbArgs};
use crate::cli_register::app_error;

/// `gongkai guide` subcommands.
#[derive(Subcommand)]
pub enum GuideCommand {
    /// 查看机关的政府信息公开指南
    Show(ShowArgs),
    /// 以 JSON 文件更新机关的政府信息公开指南（第十二条规定的各项不得为空）
    Set(SetArgs),
    /// 查看政府信息公开指南的修改记录（谁、何时、改了哪些项）
    History(HistoryArgs),
}

/// `gongkai guide history` arguments.
#[derive(Args)]
pub struct HistoryArgs {
    #[command(flatten)]
    db: DbArgs,
    /// 机关代码
    #[arg(long)]
    agency: String,
}

/// `gongkai guide show` arguments.
#[derive(Args)]
pub struct ShowArgs {
    #[command(flatten)]
    db: DbArgs,
    /// 机关代码
    #[arg(long)]
    agency: String,
    /// 输出 JSON（office、address、hours、phone、fax、web_contact、email、postcode、sections、updated_on）
    #[arg(long)]
    json: bool,
}

/// `gongkai guide set` arguments.
#[derive(Args)]
pub struct SetArgs {
    #[command(flatten)]
    db: DbArgs,
    /// 机关代码
    #[arg(long)]
    agency: String,
    /// 指南 JSON 文件（格式同 gongkai guide show --json）
    #[arg(long)]
    from: PathBuf,
}

/// Runs `gongkai guide …`.
pub fn guide(cmd: GuideCommand) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        match cmd {
            GuideCommand::Show(a) => show(a).await,
            GuideCommand::Set(a) => set(a).await,
            GuideCommand::History(a) => history(a).await,
        }
    })
}

async fn show(a: ShowArgs) -> anyhow::Result<ExitCode> {
    let store = open(&a.db).await?;
    let (agency, guide) = gongkai_app::guide::show(&store, &a.agency).await.map_err(app_error)?;
    let mut out = crate::stdout();
    match (guide, a.json) {
        (None, true) => {
            writeln!(out, "null")?;
        }
        (None, false) => {
            writeln!(
                out,
                "{}（{}）尚未登记政府信息公开指南；用 gongkai guide set --agency {} --from 指南.json 登记",
                agency.name, agency.code, agency.code
            )?;
        }
        (Some(g), true) => {
            serde_json::to_writer_pretty(&mut out, &gongkai_app::guide::to_json(&g))?;
            writeln!(out)?;
        }
        (Some(g), false) => {
            writeln!(out, "{}政府信息公开指南（更新日期 {}）", agency.name, g.updated_on)?;
            writeln!(out, "工作机构：{}", g.office_name)?;
            writeln!(
                out,
                "办公地址：{}{}",
                g.address,
                g.postcode.as_deref().map(|p| format!("（邮政编码 {p}）")).unwrap_or_default()
            )?;
            writeln!(out, "办公时间：{}", g.office_hours)?;
            writeln!(out, "联系电话：{}　传真号码：{}", g.phone, g.fax)?;
            writeln!(out, "互联网联系方式：{}", g.web_contact)?;
            if let Some(e) = &g.email {
                writeln!(out, "电子邮箱：{e}")?;
            }
            for (key, heading) in gongkai_app::guide::SECTIONS {
                if let Some(text) = g.sections.get(key) {
                    writeln!(out, "\n{heading}\n{text}")?;
                }
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

async fn set(a: SetArgs) -> anyhow::Result<ExitCode> {
    let text = std::fs::read_to_string(&a.from)
        .with_context(|| format!("无法读取指南文件 {}（应为 UTF-8 的 JSON）", a.from.display()))?;
    let json: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| anyhow::anyhow!("{}：第 {} 行第 {} 列不是有效的 JSON", a.from.display(), e.line(), e.column()))?;
    let store = open(&a.db).await?;
    let g = gongkai_app::guide::set(&store, &crate::clock(), &gongkai_app::Actor::cli(), &a.agency, &json)
        .await
        .map_err(|e| anyhow::anyhow!("{}：{}", a.from.display(), app_error(e)))?;
    let mut out = crate::stdout();
    writeln!(out, "已更新机关 {} 的政府信息公开指南（更新日期 {}）", g.agency, g.updated_on)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

async fn history(a: HistoryArgs) -> anyhow::Result<ExitCode> {
    let store = open(&a.db).await?;
    let (agency, changes) = gongkai_app::guide::history(&store, &a.agency).await.map_err(app_error)?;
    let mut out = crate::stdout();
    if changes.is_empty() {
        writeln!(out, "{}（{}）尚未登记政府信息公开指南", agency.name, agency.code)?;
    }
    for c in &changes {
        let what = match (c.version, c.changed.is_empty()) {
            (1, _) => "首次登记".to_string(),
            (_, true) => "内容未变".to_string(),
            (_, false) => format!("修改：{}", c.changed.join("、")),
        };
        writeln!(out, "第{}版\t{}\t{}\t更新日期 {}\t{what}", c.version, c.saved_at, c.saved_by, c.updated_on)?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
