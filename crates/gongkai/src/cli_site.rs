//! `gongkai site show|set`: the site's identity stored in the database (网站名称, 主办单位,
//! 网站标识码, ICP and 公安 numbers, …: spec A3.1), the same use case as the console's 网站设置
//! (`gongkai_app::site`). `gongkai serve` flags still win over what is stored here.

use std::io::Write;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use gongkai_app::site::{SiteConfig, SiteSettings, FIELDS};

use crate::cli_db::{open, runtime, DbArgs};
use crate::cli_register::app_error;

/// `gongkai site` subcommands.
#[derive(Subcommand)]
pub enum SiteCommand {
    /// 查看网站设置（页脚的主办单位、网站标识码、备案编号等）
    Show(ShowArgs),
    /// 修改网站设置：只改给出的项目，给空字符串恢复默认
    Set(SetArgs),
}

/// `gongkai site show` arguments.
#[derive(Args)]
pub struct ShowArgs {
    #[command(flatten)]
    db: DbArgs,
    /// 输出 JSON（site_name、site_domain、site_sponsor、site_contact、site_id_code、site_icp、site_police、site_error_report_url）
    #[arg(long)]
    json: bool,
}

/// `gongkai site set` arguments: each item given replaces the stored one.
#[derive(Args)]
pub struct SetArgs {
    #[command(flatten)]
    db: DbArgs,
    /// 网站名称
    #[arg(long)]
    name: Option<String>,
    /// 网站域名，如 www.example.gov.cn
    #[arg(long)]
    domain: Option<String>,
    /// 主办单位
    #[arg(long)]
    sponsor: Option<String>,
    /// 网站联系方式
    #[arg(long)]
    contact: Option<String>,
    /// 政府网站标识码（通常10位）
    #[arg(long)]
    id_code: Option<String>,
    /// ICP备案编号
    #[arg(long)]
    icp: Option<String>,
    /// 公安机关备案号
    #[arg(long)]
    police: Option<String>,
    /// 「我为政府网站找错」地址
    #[arg(long)]
    error_report_url: Option<String>,
}

/// Runs `gongkai site …`.
pub fn site(cmd: SiteCommand) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        match cmd {
            SiteCommand::Show(a) => {
                let store = open(&a.db).await?;
                let stored = gongkai_app::site::stored(&store).await.map_err(app_error)?;
                print(&stored, a.json, None)
            }
            SiteCommand::Set(a) => {
                let store = open(&a.db).await?;
                let mut settings = gongkai_app::site::stored(&store).await.map_err(app_error)?;
                let given = SiteSettings {
                    site_name: a.name,
                    site_domain: a.domain,
                    site_id_code: a.id_code,
                    sponsor: a.sponsor,
                    contact: a.contact,
                    icp_number: a.icp,
                    police_number: a.police,
                    error_report_url: a.error_report_url,
                };
                for f in &FIELDS {
                    if let Some(v) = f.stored(&given) {
                        *f.stored_mut(&mut settings) = Some(v.clone());
                    }
                }
                let stored = gongkai_app::site::set(&store, &crate::clock(), &gongkai_app::Actor::cli(), settings)
                    .await
                    .map_err(app_error)?;
                print(&stored, false, Some("已保存网站设置（正在运行的网站一分钟内生效）"))
            }
        }
    })
}

fn print(stored: &SiteSettings, json: bool, said: Option<&str>) -> anyhow::Result<ExitCode> {
    let mut out = crate::stdout();
    if json {
        serde_json::to_writer_pretty(&mut out, stored)?;
        writeln!(out)?;
    } else {
        if let Some(s) = said {
            writeln!(out, "{s}")?;
        }
        let shown = SiteConfig::default().with(stored);
        for f in &FIELDS {
            let note = if f.stored(stored).is_some() { "" } else { "（默认）" };
            writeln!(out, "{}：{}{note}", f.label, f.get(&shown))?;
        }
        for w in shown.warnings() {
            writeln!(out, "提示：{w}")?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
