//! `gongkai`: the one binary (CLI now; the web server joins it later).
//!
//! This is the edge of the program: it reads files and arguments, calls the library crates and
//! prints. Errors become `anyhow` here and nowhere else.

/// mimalloc instead of the system allocator: a bulk audit spends a large share of its time
/// allocating tokens, cells and DOM nodes (see BENCHMARKS.md, "Bulk audit").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod cli_attachments;
mod cli_audit;
mod cli_clock;
mod cli_db;
mod cli_documents;
mod cli_export;
mod cli_guide;
mod cli_help;
mod cli_records;
mod cli_register;
mod cli_report;
mod cli_serve;
mod cli_site;
mod cli_supervise;
mod cli_supervise_import;
mod cli_user;
mod settings;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// gongkai（公开）：政府信息公开工作的登记、计时与年度报告工具。
#[derive(Parser)]
#[command(name = "gongkai", version)]
struct Cli {
    /// 配置文件（TOML；默认为当前目录下的 gongkai.toml，如存在；也可用环境变量 GONGKAI_CONFIG 指定）。
    #[arg(long, global = true, value_name = "文件")]
    config: Option<std::path::PathBuf>,
    /// 以该时刻为“现在”（RFC 3339，如 2026-11-27T10:00:00+08:00；用于重放与测试，默认系统时钟）。
    #[arg(long, global = true, hide = true, value_parser = parse_now)]
    now: Option<chrono::DateTime<chrono::Utc>>,
    #[command(subcommand)]
    command: Command,
}

fn parse_now(s: &str) -> Result<chrono::DateTime<chrono::Utc>, String> {
    chrono::DateTime::parse_from_rfc3339(s.trim())
        .map(|t| t.with_timezone(&chrono::Utc))
        .map_err(|_| format!("「{s}」不是 RFC 3339 时刻（如 2026-11-27T10:00:00+08:00）"))
}

/// The clock of this run: the system's, or the `--now` given (the one clock of every command:
/// "today" is China Standard Time's date, see [`gongkai_app::clock`]).
static CLOCK: std::sync::OnceLock<gongkai_app::Clock> = std::sync::OnceLock::new();

/// The clock of this run.
pub fn clock() -> gongkai_app::Clock {
    CLOCK.get().copied().unwrap_or_default()
}

/// The settings of this run (file and environment; a command's flags are laid over them where it
/// reads a value), loaded once in [`main`] before any command runs.
/// Standard output, locked and buffered as a whole: the commands that print documents write
/// them in a few system calls instead of one per line. The caller flushes (so that a failed
/// write is reported, not lost in `drop`).
pub fn stdout() -> std::io::BufWriter<std::io::StdoutLock<'static>> {
    std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock())
}

static SETTINGS: std::sync::OnceLock<settings::Settings> = std::sync::OnceLock::new();

/// The settings of this run.
pub fn settings() -> &'static settings::Settings {
    SETTINGS.get_or_init(settings::Settings::default)
}

#[derive(Subcommand)]
enum Command {
    /// 年度报告：导入、检查、渲染
    #[command(subcommand)]
    Report(cli_report::ReportCommand),
    /// 计算答复期限（条例第三十三条）
    Deadline(cli_clock::DeadlineArgs),
    /// 计算信息处理费（国办函〔2020〕109号）
    #[command(subcommand)]
    Fee(cli_clock::FeeCommand),
    /// 工作日历：查看、加载节假日安排
    #[command(subcommand)]
    Calendar(cli_clock::CalendarCommand),
    /// 数据库：迁移
    #[command(subcommand)]
    Db(DbCommand),
    /// 初始化：新建数据库和数据密钥，登记本机关，创建第一个系统管理员（口令从标准输入读取）
    Init(cli_db::InitArgs),
    /// 生成示例登记数据
    Demo(cli_db::DemoArgs),
    /// 启动网站：公开专栏、工作台和数据接口
    Serve(cli_serve::ServeArgs),
    /// 机关：登记、列出
    #[command(subcommand)]
    Agency(cli_register::AgencyCommand),
    /// 依申请公开登记：登记、办理事件、查看、列出
    #[command(subcommand)]
    Request(cli_register::RequestCommand),
    /// 政府信息公开指南：查看、更新（条例第十二条）
    #[command(subcommand)]
    Guide(cli_guide::GuideCommand),
    /// 网站设置：主办单位、网站标识码、备案编号等页脚项目
    #[command(subcommand)]
    Site(cli_site::SiteCommand),
    /// 主动公开登记：登记、列出
    #[command(subcommand)]
    Proactive(cli_records::ProactiveCommand),
    /// 行政复议、行政诉讼案件：登记、审结、列出
    #[command(subcommand)]
    Case(cli_records::CaseCommand),
    /// 第二十条年度数据：登记、查看
    #[command(subcommand)]
    Figures(cli_records::FiguresCommand),
    /// 报告正文章节
    #[command(subcommand)]
    Narrative(cli_register::NarrativeCommand),
    /// 台账电子表格：导入、导出、模板
    #[command(subcommand)]
    Register(cli_register::RegisterCommand),
    /// 监督视图：下属机关的申请办理、年报状态与质量、汇总
    Supervise(cli_supervise::SuperviseArgs),
    /// 控制台用户：新建、列出
    #[command(subcommand)]
    User(cli_user::UserCommand),
    /// 审计记录：校验哈希链
    #[command(subcommand)]
    Audit(AuditCommand),
}

#[derive(Subcommand)]
enum AuditCommand {
    /// 校验审计记录哈希链是否完整；发现断开时退出码为 1，并指出第一处断开的记录
    Verify(cli_db::DbArgs),
}

#[derive(Subcommand)]
enum DbCommand {
    /// 应用数据库迁移（启动时也会自动执行）
    Migrate(cli_db::DbArgs),
    /// 查看或设置审计日志留存天数（不少于 180 天）
    LogRetention(cli_db::RetentionArgs),
    /// 清除超过留存期的审计记录，哈希链保持可校验
    PurgeLogs(cli_db::DbArgs),
    /// 查看或设置是否要求所有工作台账号启用双因素认证
    RequireMfa(cli_db::RequireMfaArgs),
    /// 查看或设置申请人个人信息的保存期限（年）
    PersonalDataRetention(cli_db::PersonalDataRetentionArgs),
    /// 将办结超过保存期限的申请的申请人个人信息匿名化
    PurgePersonalData(cli_db::PurgePersonalDataArgs),
    /// 更换数据密钥：全部加密字段用新密钥重新加密
    RotateDataKey(cli_db::RotateKeyArgs),
    /// 在线备份整个数据库到一个文件（一致的快照；数据密钥不在备份中）
    Backup(cli_db::BackupArgs),
    /// 把备份恢复到一个新数据库（SQLite 新文件或 PostgreSQL 空库），并校验密钥与审计哈希链
    Restore(cli_db::RestoreArgs),
}

fn main() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let mut command = cli_help::chinese_along(<Cli as clap::CommandFactory>::command(), args.get(1..).unwrap_or(&[]));
    let parsed =
        command.try_get_matches_from_mut(&args).and_then(|m| <Cli as clap::FromArgMatches>::from_arg_matches(&m));
    // The command tree is a few thousand small allocations that the process's exit frees anyway:
    // dropping them one by one was a tenth of a short command's instructions (issue 20).
    std::mem::forget(command);
    let cli = match parsed {
        Ok(cli) => cli,
        Err(e)
            if matches!(
                e.kind(),
                clap::error::ErrorKind::DisplayHelp
                    | clap::error::ErrorKind::DisplayVersion
                    | clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) =>
        {
            return cli_help::print(&e);
        }
        Err(e) => {
            eprintln!("错误：{}\n查看用法：在命令后加 --help", cli_help::message(&e));
            return ExitCode::from(2);
        }
    };
    let loaded = match settings::Settings::load(cli.config.as_deref(), &settings::Settings::process_env()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("错误：{e}");
            return ExitCode::from(2);
        }
    };
    let now = match (cli.now, loaded.get("now")) {
        (Some(now), _) => Some(now),
        (None, Some(text)) => match parse_now(text) {
            Ok(now) => Some(now),
            Err(e) => {
                eprintln!("错误：环境变量 GONGKAI_NOW：{e}");
                return ExitCode::from(2);
            }
        },
        (None, None) => None,
    };
    let _ = CLOCK.set(now.map_or(gongkai_app::Clock::System, gongkai_app::Clock::fixed));
    // The server logs each request (with its request id) by default; the CLI only warnings.
    let default_log = if matches!(cli.command, Command::Serve(_)) { "info" } else { "warn" };
    let filter = loaded
        .get("log")
        .and_then(|l| tracing_subscriber::EnvFilter::try_new(l).ok())
        .unwrap_or_else(|| tracing_subscriber::EnvFilter::new(default_log));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).init();
    let _ = SETTINGS.set(loaded);
    let result = match cli.command {
        Command::Report(c) => cli_report::run(c),
        Command::Deadline(a) => cli_clock::deadline(a),
        Command::Fee(c) => cli_clock::fee(c),
        Command::Calendar(c) => cli_clock::calendar(c),
        Command::Audit(AuditCommand::Verify(db)) => cli_db::audit_verify(db),
        Command::Db(DbCommand::Migrate(db)) => cli_db::migrate(db),
        Command::Db(DbCommand::LogRetention(a)) => cli_db::log_retention(a),
        Command::Db(DbCommand::RequireMfa(a)) => cli_db::require_mfa(a),
        Command::Db(DbCommand::PurgeLogs(db)) => cli_db::purge_logs(db),
        Command::Db(DbCommand::PersonalDataRetention(a)) => cli_db::personal_data_retention(a),
        Command::Db(DbCommand::PurgePersonalData(a)) => cli_db::purge_personal_data(a),
        Command::Db(DbCommand::RotateDataKey(a)) => cli_db::rotate_data_key(a),
        Command::Db(DbCommand::Backup(a)) => cli_db::backup(a),
        Command::Db(DbCommand::Restore(a)) => cli_db::restore(a),
        Command::Init(a) => cli_db::init(a),
        Command::Demo(a) => cli_db::demo(a),
        Command::Serve(a) => cli_serve::serve(a),
        Command::Agency(c) => cli_register::agency(c),
        Command::Request(c) => cli_register::request(c),
        Command::Guide(c) => cli_guide::guide(c),
        Command::Site(c) => cli_site::site(c),
        Command::Proactive(c) => cli_records::proactive(c),
        Command::Case(c) => cli_records::case(c),
        Command::Figures(c) => cli_records::figures(c),
        Command::Narrative(c) => cli_register::narrative(c),
        Command::Register(c) => cli_register::register(c),
        Command::Supervise(a) => cli_supervise::supervise(a),
        Command::User(c) => cli_user::user(c),
    };
    match result {
        Ok(code) => code,
        // `gongkai … | head` closes the pipe early: that is not an error worth a message.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            // The chain of causes, each in Chinese, joined as a Chinese sentence would be.
            let chain: Vec<String> = e.chain().map(cause_in_chinese).collect();
            eprintln!("错误：{}", chain.join("："));
            if names_unknown_agency(&e) {
                eprintln!("已登记的机关及其代码：gongkai agency list");
            }
            ExitCode::from(2)
        }
    }
}

/// One cause of an error, as the message to print: the system's own words for the common file
/// errors are English, so those are said in Chinese; every other cause is gongkai's, in Chinese.
fn cause_in_chinese(cause: &(dyn std::error::Error + 'static)) -> String {
    use std::io::ErrorKind;
    let Some(io) = cause.downcast_ref::<std::io::Error>() else { return cause.to_string() };
    match io.kind() {
        ErrorKind::NotFound => "文件或目录不存在".into(),
        ErrorKind::PermissionDenied => "没有访问权限".into(),
        ErrorKind::AlreadyExists => "文件已存在".into(),
        ErrorKind::IsADirectory => "这是一个目录，不是文件".into(),
        ErrorKind::StorageFull => "磁盘空间不足".into(),
        ErrorKind::InvalidData => "文件内容无效（如不是 UTF-8 文本）".into(),
        _ => io.to_string(),
    }
}

/// Whether the error is that no agency has the code given (every command says it alike, and the
/// command line adds where to look the codes up).
fn names_unknown_agency(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        matches!(c.downcast_ref::<gongkai_app::AppError>(), Some(gongkai_app::AppError::UnknownAgency(_)))
            || matches!(
                c.downcast_ref::<gongkai_store::StoreError>(),
                Some(gongkai_store::StoreError::NotFound { what: "agency", .. })
            )
    })
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<serde_json::Error>()
                .is_some_and(|j| j.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
    })
}
