//! Commands on the registers' database: `gongkai db migrate`, `gongkai demo`,
//! `gongkai report generate`. The database is chosen by URL (vaultwarden's rule):
//! `--database-url`, else `GONGKAI_DATABASE_URL`, else `sqlite://gongkai.db` in the current folder.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use gongkai_core::demo::{self, DemoSpec};
use gongkai_core::generate::{self, YearInput};
use gongkai_core::report::SectionKey;
use gongkai_store::{RegisterBatch, Store};

/// The database option every database command takes.
#[derive(Args, Clone)]
pub struct DbArgs {
    /// 数据库地址：sqlite://文件 或 postgres://… (database URL; default sqlite://gongkai.db).
    #[arg(long, env = "GONGKAI_DATABASE_URL")]
    pub database_url: Option<String>,
}

impl DbArgs {
    fn url(&self) -> String {
        self.database_url.clone().unwrap_or_else(gongkai_store::default_sqlite_url)
    }
}

/// Connects and applies the embedded migrations (they also run on every start).
pub async fn open(db: &DbArgs) -> anyhow::Result<Store> {
    let url = db.url();
    let store = Store::connect(&url)
        .await
        .with_context(|| format!("无法连接数据库 {} (cannot connect)", gongkai_store::redact_url(&url)))?;
    store.migrate().await.context("数据库迁移失败 (migration failed)")?;
    Ok(store)
}

pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread().enable_all().build().context("cannot start the async runtime")
}

/// `gongkai db migrate`.
pub fn migrate(db: DbArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let store = open(&db).await?;
        let v = store.schema_version().await?;
        println!(
            "数据库已是最新结构（{}，版本 {}）",
            store.backend().name(),
            v.map(|v| v.to_string()).unwrap_or_else(|| "无".into())
        );
        Ok(ExitCode::SUCCESS)
    })
}

/// `gongkai demo` arguments.
#[derive(Args)]
pub struct DemoArgs {
    #[command(flatten)]
    db: DbArgs,
    /// 机关数 (agencies).
    #[arg(long, default_value_t = 20)]
    agencies: usize,
    /// 申请数 (requests).
    #[arg(long, default_value_t = 2000)]
    requests: usize,
    /// 主动公开信息条数 (proactive disclosures, spread over the agencies).
    #[arg(long, default_value_t = 500)]
    proactive: usize,
    /// 起始年份 (first year).
    #[arg(long, default_value_t = 2023)]
    first_year: i32,
    /// 结束年份 (last year).
    #[arg(long, default_value_t = 2025)]
    last_year: i32,
    /// 随机种子 (seed; the same seed gives the same data).
    #[arg(long, default_value_t = 2026)]
    seed: u64,
}

/// `gongkai demo`: fills a database with synthetic registers.
pub fn demo(a: DemoArgs) -> anyhow::Result<ExitCode> {
    let cal = crate::cli_clock::load_calendar()?;
    let spec = DemoSpec {
        agencies: a.agencies,
        requests: a.requests,
        first_year: a.first_year,
        last_year: a.last_year,
        seed: a.seed,
    };
    let data = demo::generate(&cal, &spec);
    let proactive = demo::proactive(&data, &spec, a.proactive);
    runtime()?.block_on(async {
        let store = open(&a.db).await?;
        for ag in &data.agencies {
            store.upsert_agency(ag).await?;
        }
        for chunk in data.requests.chunks(5000) {
            store.insert_requests_bulk(chunk).await?;
        }
        for c in &data.cases {
            store.insert_case(c).await?;
        }
        for f in &data.figures {
            store.put_article20_figures(f).await?;
        }
        // One transaction per 5,000 items (a register batch: all or nothing).
        for chunk in proactive.chunks(5000) {
            store.insert_batch(&RegisterBatch { proactive: chunk.to_vec(), ..RegisterBatch::default() }).await?;
        }
        store.analyze().await?;
        println!(
            "已生成示例数据：{} 个机关，{} 件申请，{} 件复议诉讼，{} 条第二十条数据，{} 条主动公开信息（{}–{}年）",
            data.agencies.len(),
            data.requests.len(),
            data.cases.len(),
            data.figures.len(),
            proactive.len(),
            spec.first_year,
            spec.last_year
        );
        println!(
            "根机关代码：{}（试试：gongkai report generate --agency {} --year {}）",
            data.agencies[0].code,
            data.agencies.get(1).map(|a| a.code.as_str()).unwrap_or("DEMO"),
            spec.last_year
        );
        Ok(ExitCode::SUCCESS)
    })
}

/// `gongkai report generate` arguments.
#[derive(Args)]
pub struct GenerateArgs {
    #[command(flatten)]
    db: DbArgs,
    /// 机关代码 (agency code).
    #[arg(long)]
    agency: String,
    /// 报告年度 (report year).
    #[arg(long)]
    year: i32,
    /// 列出某个单元格背后的记录，如 requests.outcomes.granted.natural_person (list the records behind a cell).
    #[arg(long)]
    explain: Option<String>,
}

/// Loads one agency's registers for a year.
pub async fn year_input(store: &Store, agency: &str, year: i32) -> anyhow::Result<YearInput> {
    let ag =
        store.get_agency(agency).await?.with_context(|| format!("没有代码为「{agency}」的机关 (no such agency)"))?;
    let regs = store.load_year(agency, year).await?;
    let narratives = store
        .list_narratives(agency, year)
        .await?
        .into_iter()
        .filter_map(|(k, t)| section_key(&k).map(|k| (k, t)))
        .collect();
    let published_on = store.get_publication(agency, year).await?.and_then(|p| p.published_on);
    Ok(YearInput {
        agency: ag,
        year,
        requests: regs.requests,
        cases: regs.cases,
        figures: regs.figures,
        narratives,
        published_on,
    })
}

fn section_key(s: &str) -> Option<SectionKey> {
    gongkai_core::template::SECTIONS.iter().map(|x| x.key).find(|k| k.name() == s)
}

/// `gongkai report generate`: the canonical report from the registers.
pub fn generate(a: GenerateArgs) -> anyhow::Result<ExitCode> {
    let cal = crate::cli_clock::load_calendar()?;
    runtime()?.block_on(async {
        let store = open(&a.db).await?;
        let input = year_input(&store, &a.agency, a.year).await?;
        // Built with the calendar in use (official years plus any loaded ones).
        let built = generate::build(&cal, &input);
        let mut out = std::io::stdout().lock();
        if let Some(path) = &a.explain {
            let items = built.explain(path).map_err(|e| anyhow::anyhow!("{e}"))?;
            for i in &items {
                writeln!(out, "{i}")?;
            }
            eprintln!("{path} = {}", items.len());
            return Ok(ExitCode::SUCCESS);
        }
        match built.into_result() {
            Ok(mut report) => {
                crate::cli_register::note_amendments(&store, &a.agency, a.year, &mut report).await?;
                serde_json::to_writer_pretty(&mut out, &report)?;
                writeln!(out)?;
                Ok(ExitCode::SUCCESS)
            }
            Err(errors) => {
                for e in &errors {
                    eprintln!("登记数据有误 (register error): {e}");
                }
                Ok(ExitCode::from(1))
            }
        }
    })
}

/// `gongkai db log-retention` arguments.
#[derive(Args)]
pub struct RetentionArgs {
    #[command(flatten)]
    db: DbArgs,
    /// 设置审计日志留存天数，不少于 180 天 (set the retention in days; at least 180, CSL Art. 21).
    #[arg(long)]
    set: Option<i64>,
}

/// `gongkai db log-retention [--set DAYS]`: shows or sets how long audit records are kept
/// (portal-and-security.md B1.1); below 180 days is refused with the reason.
pub fn log_retention(a: RetentionArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let store = open(&a.db).await?;
        if let Some(days) = a.set {
            store.set_log_retention_days(days, "(cli)", chrono::Utc::now()).await.context("无法设置日志留存期")?;
        }
        println!("审计日志留存期：{} 天", store.log_retention_days().await?);
        Ok(ExitCode::SUCCESS)
    })
}

/// `gongkai db purge-logs`: deletes the audit records older than the retention period, keeping
/// the chain verifiable (the server also does this once a day).
pub fn purge_logs(db: DbArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let store = open(&db).await?;
        let done = store.purge_audit(chrono::Utc::now(), "(cli)").await?;
        let kept = store.verify_audit_chain().await.context("审计记录哈希链校验失败")?;
        println!(
            "已清除 {} 条超过留存期（{} 天）的审计记录；现存 {kept} 条，哈希链完整",
            done.purged,
            store.log_retention_days().await?
        );
        Ok(ExitCode::SUCCESS)
    })
}

/// `gongkai db require-mfa` arguments.
#[derive(Args)]
pub struct RequireMfaArgs {
    #[command(flatten)]
    db: DbArgs,
    /// on：所有工作台账号须启用双因素认证后才能办理；off：由各账号自行启用
    /// (on: every console account must enrol a second factor before it can work; off: optional).
    #[arg(long, value_parser = ["on", "off"])]
    set: Option<String>,
}

/// `gongkai db require-mfa [--set on|off]` (portal-and-security.md B2.1 d).
pub fn require_mfa(a: RequireMfaArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let store = open(&a.db).await?;
        if let Some(v) = a.set.as_deref() {
            store.set_require_mfa(v == "on", "(cli)", chrono::Utc::now()).await.context("无法设置双因素认证要求")?;
        }
        let on = store.require_mfa().await?;
        println!(
            "双因素认证：{}",
            if on { "所有工作台账号必须启用 (required)" } else { "由各账号自行启用 (optional)" }
        );
        Ok(ExitCode::SUCCESS)
    })
}
