//! Commands on the registers' database: `gongkai db migrate`, `gongkai demo`,
//! `gongkai report generate`. The database is chosen by URL (vaultwarden's rule):
//! `--database-url`, else `GONGKAI_DATABASE_URL`, else `sqlite://gongkai.db` in the current folder.

use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use gongkai_app::Actor;
use gongkai_core::demo::DemoSpec;
use gongkai_core::generate;
use gongkai_store::{DataKey, Store};

/// The database option every database command takes.
#[derive(Args, Clone)]
pub struct DbArgs {
    /// 数据库地址：sqlite://文件 或 postgres://…
    #[arg(long)]
    pub database_url: Option<String>,
    /// 数据密钥文件（加密申请人身份证明号码、联系方式）；默认：SQLite 数据库文件旁的 「文件名.key」，
    /// PostgreSQL 为数据目录中的 data.key。也可用环境变量 GONGKAI_DATA_KEY 直接提供密钥
    #[arg(long)]
    pub data_key_file: Option<PathBuf>,
}

impl DbArgs {
    /// `--database-url`, else the `database_url` setting (GONGKAI_DATABASE_URL, gongkai.toml),
    /// else `sqlite://gongkai.db`.
    fn url(&self) -> String {
        crate::settings()
            .or_flag(self.database_url.as_deref(), "database_url")
            .unwrap_or_else(gongkai_store::default_sqlite_url)
    }

    /// `--data-key-file`, else the `data_key_file` setting.
    fn key_file(&self) -> Option<PathBuf> {
        self.data_key_file.clone().or_else(|| crate::settings().get("data_key_file").map(PathBuf::from))
    }
}

/// Where the data key comes from.
enum KeySource {
    /// `GONGKAI_DATA_KEY` (from a KMS or a secret store, never on the command line).
    Environment(DataKey),
    /// A key file that exists.
    File(DataKey, PathBuf),
    /// A key file created now for a new database (removed again if the database turns out to be
    /// keyed already).
    Created(DataKey, PathBuf),
    /// An in-memory database: a key for this process only.
    Ephemeral(DataKey),
}

impl KeySource {
    fn key(&self) -> &DataKey {
        match self {
            KeySource::Environment(k) | KeySource::File(k, _) | KeySource::Created(k, _) | KeySource::Ephemeral(k) => k,
        }
    }
}

/// The default key file: beside a SQLite database file (`gongkai.db.key`), else
/// `data.key` in the data folder (`$GONGKAI_DATA_DIR`, `$XDG_DATA_HOME/gongkai`,
/// `~/.local/share/gongkai`).
fn default_key_file(url: &str) -> Option<PathBuf> {
    if let Some(db) = gongkai_store::sqlite_file_path(url) {
        let mut name = db.file_name()?.to_os_string();
        name.push(".key");
        return Some(db.with_file_name(name));
    }
    if gongkai_store::Backend::from_url(url).ok()? == gongkai_store::Backend::Sqlite {
        return None; // in memory
    }
    crate::settings().data_dir().map(|d| d.join("data.key"))
}

/// Finds (or, for a new deployment, creates) the data key: `GONGKAI_DATA_KEY`, else
/// `--data-key-file` / `GONGKAI_DATA_KEY_FILE`, else the default key file.
fn data_key(db: &DbArgs, url: &str) -> anyhow::Result<KeySource> {
    if let Some(hex) = crate::settings().get("data_key") {
        let key = DataKey::from_hex(hex).context("设置项 data_key（环境变量 GONGKAI_DATA_KEY）不是有效的数据密钥")?;
        return Ok(KeySource::Environment(key));
    }
    let path = match db.key_file() {
        Some(p) => p,
        None => match default_key_file(url) {
            Some(p) => p,
            None => return Ok(KeySource::Ephemeral(DataKey::generate()?)),
        },
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let key = DataKey::from_hex(&text).with_context(|| format!("数据密钥文件 {} 无效", path.display()))?;
            Ok(KeySource::File(key, path))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let key = DataKey::generate()?;
            write_key_file(&path, &key).with_context(|| format!("无法创建数据密钥文件 {}", path.display()))?;
            tracing::info!(path = %path.display(), "created a new data key file: back it up, the personal information in the database cannot be read without it");
            Ok(KeySource::Created(key, path))
        }
        Err(e) => Err(e).with_context(|| format!("无法读取数据密钥文件 {}", path.display())),
    }
}

/// Writes a new key file readable by its owner only; never overwrites one.
fn write_key_file(path: &std::path::Path, key: &DataKey) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    writeln!(file, "{}", key.to_hex())?;
    file.sync_all()
}

/// Connects and applies the embedded migrations (they also run on every start), with the
/// deployment's data key (B2.5): a database keyed with another key is refused with the reason.
///
/// A SQLite file that does not exist is refused (naming it and the command that creates one): a
/// command that reads or adds must not turn a typo in the URL into a new, empty database with a
/// new key. [`open_creating`] is for `db migrate` and `demo`.
pub async fn open(db: &DbArgs) -> anyhow::Result<Store> {
    Ok(open_keyed(db, false).await?.0)
}

/// [`open`] for the commands that make a database (`db migrate`, `demo`): a SQLite file is
/// created if missing, in a folder that must exist (a mistyped folder is not created).
pub async fn open_creating(db: &DbArgs) -> anyhow::Result<Store> {
    Ok(open_keyed(db, true).await?.0)
}

/// The URL to connect with for a SQLite file: an existing file as given; a missing one refused
/// unless `create`, then created (`mode=rwc`) in its folder, which must exist. Other URLs as given.
fn sqlite_url_for(url: &str, create: bool) -> anyhow::Result<String> {
    let Some(path) = gongkai_store::sqlite_file_path(url) else {
        return Ok(url.to_string());
    };
    if path.exists() {
        return Ok(url.to_string());
    }
    if !create {
        anyhow::bail!(
            "数据库文件 {} 不存在：请检查数据库地址（--database-url 或环境变量 GONGKAI_DATABASE_URL）是否写错；要新建数据库，请运行 gongkai db migrate --database-url {}",
            path.display(),
            gongkai_store::redact_url(url)
        );
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.is_dir() {
            anyhow::bail!("文件夹 {} 不存在：请先建好该文件夹，或把数据库文件放在已有的文件夹中", dir.display());
        }
    }
    Ok(if url.contains("mode=") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    })
}

/// [`open`], also telling where the key came from.
async fn open_keyed(db: &DbArgs, create: bool) -> anyhow::Result<(Store, KeySource)> {
    // Before the key: a refused database leaves no key file behind.
    let url = sqlite_url_for(&db.url(), create)?;
    let source = data_key(db, &url)?;
    let store = match Store::connect(&url, source.key()).await {
        Ok(store) => store,
        Err(e) => {
            if let KeySource::Created(_, path) = &source {
                // No database, no key: a key file made for it is not left behind.
                let _ = std::fs::remove_file(path);
            }
            return Err(anyhow::Error::new(e).context(format!("无法连接数据库 {}", gongkai_store::redact_url(&url))));
        }
    };
    if let Err(e) = store.migrate().await {
        if let KeySource::Created(_, path) = &source {
            // The key just made is not this database's: remove it so that the next run looks for
            // the right one again.
            let _ = std::fs::remove_file(path);
        }
        let context = match (&e, &source) {
            (gongkai_store::StoreError::DataKeyMismatch, KeySource::Created(_, path)) => format!(
                "找不到此数据库的数据密钥文件 {}：请把原来的密钥文件放回该位置，或用 --data-key-file / GONGKAI_DATA_KEY 指定它",
                path.display()
            ),
            (gongkai_store::StoreError::DataKeyMismatch, KeySource::File(_, path)) => {
                format!("数据密钥文件 {} 不是此数据库的密钥", path.display())
            }
            (gongkai_store::StoreError::DataKeyMismatch, _) => {
                "GONGKAI_DATA_KEY 不是此数据库的密钥".to_string()
            }
            _ => "数据库迁移失败".to_string(),
        };
        return Err(anyhow::Error::new(e).context(context));
    }
    Ok((store, source))
}

/// `gongkai db rotate-data-key` arguments.
#[derive(Args)]
pub struct RotateKeyArgs {
    #[command(flatten)]
    db: DbArgs,
    /// 新密钥写入的文件（必须尚不存在）；省略时就地替换当前密钥文件
    #[arg(long)]
    new_key_file: Option<PathBuf>,
}

/// `gongkai db rotate-data-key`: a new data key, every encrypted value re-encrypted under it in
/// one transaction (B3.3: key change), the new key written before the database changes.
pub fn rotate_data_key(a: RotateKeyArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let (store, source) = open_keyed(&a.db, false).await?;
        let current = match &source {
            KeySource::File(_, p) | KeySource::Created(_, p) => Some(p.clone()),
            KeySource::Environment(_) | KeySource::Ephemeral(_) => None,
        };
        let (target, replace) = match (&a.new_key_file, &current) {
            (Some(p), _) => (p.clone(), None),
            (None, Some(p)) => {
                let mut tmp = p.clone().into_os_string();
                tmp.push(".new");
                (PathBuf::from(tmp), Some(p.clone()))
            }
            (None, None) => anyhow::bail!(
                "数据密钥来自 GONGKAI_DATA_KEY：请用 --new-key-file 指定新密钥写入的文件"
            ),
        };
        let key = DataKey::generate()?;
        write_key_file(&target, &key)
            .with_context(|| format!("无法写入新密钥文件 {}（文件须尚不存在）", target.display()))?;
        let rows = match store.rotate_data_key(&key).await {
            Ok(n) => n,
            Err(e) => {
                let _ = std::fs::remove_file(&target);
                return Err(anyhow::Error::new(e).context("更换数据密钥失败，数据库未改变"));
            }
        };
        match replace {
            Some(old) => {
                std::fs::rename(&target, &old).with_context(|| {
                    format!(
                        "数据库已改用新密钥，但无法替换密钥文件 {}：新密钥在 {}，请手动替换",
                        old.display(),
                        target.display()
                    )
                })?;
                println!("已更换数据密钥：{rows} 行重新加密；密钥文件 {} 已替换为新密钥", old.display());
            }
            None => println!(
                "已更换数据密钥：{rows} 行重新加密；新密钥在 {}（今后用 --data-key-file 或 GONGKAI_DATA_KEY 提供它，旧密钥已不能读取数据库）",
                target.display()
            ),
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// `gongkai db backup` arguments.
#[derive(Args)]
pub struct BackupArgs {
    #[command(flatten)]
    db: DbArgs,
    /// 备份文件（必须尚不存在）：SQLite 为数据库文件的完整副本，PostgreSQL 为 pg_dump 导出的 SQL
    #[arg(long)]
    out: PathBuf,
}

/// `gongkai db backup`: a consistent snapshot of the database while it is in use (issue 21
/// item 5), and where the key it needs is.
pub fn backup(a: BackupArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let (store, source) = open_keyed(&a.db, false).await?;
        let bytes = store.backup(&a.out).await.context("备份失败，未写入备份文件")?;
        println!("已备份到 {}（{bytes} 字节）", a.out.display());
        let key = match &source {
            KeySource::File(_, p) | KeySource::Created(_, p) => format!("数据密钥文件 {}", p.display()),
            KeySource::Environment(_) => "同一数据密钥（GONGKAI_DATA_KEY）".to_string(),
            KeySource::Ephemeral(_) => "本次进程的临时密钥（内存数据库）".to_string(),
        };
        println!("备份中的申请人个人信息仍是密文，恢复时需要{key}：请与备份分开妥善保管（密钥丢失则个人信息无法读取）");
        Ok(ExitCode::SUCCESS)
    })
}

/// `gongkai db restore` arguments.
#[derive(Args)]
pub struct RestoreArgs {
    /// 新数据库地址（SQLite 文件须尚不存在；PostgreSQL 数据库须为空库）与备份时的数据密钥
    #[command(flatten)]
    db: DbArgs,
    /// 由 gongkai db backup 写出的备份文件
    #[arg(long)]
    from: PathBuf,
}

/// `gongkai db restore`: the backup into a new database, checked (key, integrity, audit chain)
/// before it is put in place. The key must be the one the database had when it was backed up;
/// a key file given by `--data-key-file` is also copied to the new database's default key file
/// when there is none, so that later commands find it.
pub fn restore(a: RestoreArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let url = a.db.url();
        let (key, key_file) = restore_key(&a.db, &url)?;
        let store = gongkai_store::Store::restore(&url, &key, &a.from).await.map_err(|e| {
            let context = match &e {
                gongkai_store::StoreError::DataKeyMismatch => {
                    "数据密钥不是备份时数据库的密钥：请用 --data-key-file 指定备份时的密钥文件，数据库未改动"
                        .to_string()
                }
                _ => format!("无法从 {} 恢复", a.from.display()),
            };
            anyhow::Error::new(e).context(context)
        })?;
        let records = store.verify_audit_chain().await.context("恢复后的审计记录哈希链校验失败")?;
        println!(
            "已从 {} 恢复到 {}：审计记录 {records} 条，哈希链完整",
            a.from.display(),
            gongkai_store::redact_url(&url)
        );
        if let (Some(from), Some(default)) = (key_file, default_key_file(&url)) {
            if from != default && !default.exists() {
                write_key_file(&default, &key).with_context(|| format!("无法把数据密钥写到 {}", default.display()))?;
                println!("数据密钥已复制到 {}，供此数据库今后使用", default.display());
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// The key a restore needs: `GONGKAI_DATA_KEY`, else the key file (`--data-key-file`, the
/// setting, or the default beside the new database), which must exist — a restore never makes a
/// new key. Returns the key and the file it came from.
fn restore_key(db: &DbArgs, url: &str) -> anyhow::Result<(DataKey, Option<PathBuf>)> {
    if let Some(hex) = crate::settings().get("data_key") {
        let key = DataKey::from_hex(hex).context("设置项 data_key（环境变量 GONGKAI_DATA_KEY）不是有效的数据密钥")?;
        return Ok((key, None));
    }
    let Some(path) = db.key_file().or_else(|| default_key_file(url)) else {
        anyhow::bail!("恢复需要备份时的数据密钥：请用 --data-key-file 指定密钥文件，或设置 GONGKAI_DATA_KEY");
    };
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let key = DataKey::from_hex(&text).with_context(|| format!("数据密钥文件 {} 无效", path.display()))?;
            Ok((key, Some(path)))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => anyhow::bail!(
            "恢复需要备份时的数据密钥：找不到密钥文件 {}，请用 --data-key-file 指定原来的密钥文件（或设置 GONGKAI_DATA_KEY）",
            path.display()
        ),
        Err(e) => Err(e).with_context(|| format!("无法读取数据密钥文件 {}", path.display())),
    }
}

pub fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread().enable_all().build().context("cannot start the async runtime")
}

/// `gongkai db migrate`.
pub fn migrate(db: DbArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let store = open_creating(&db).await?;
        let v = store.schema_version().await?;
        println!(
            "数据库已是最新结构（{}，版本 {}）",
            store.backend().name(),
            v.map(|v| v.to_string()).unwrap_or_else(|| "无".into())
        );
        Ok(ExitCode::SUCCESS)
    })
}

/// `gongkai init` arguments.
#[derive(Args)]
pub struct InitArgs {
    #[command(flatten)]
    db: DbArgs,
    /// 本机关代码（顶层机关，例如 统一社会信用代码 或 本地编码）
    #[arg(long)]
    agency: String,
    /// 本机关全称
    #[arg(long)]
    name: String,
    /// 机关类型：government（人民政府）、department（政府部门）、township（乡镇街道）、other（其他）
    #[arg(long, default_value = "government", value_parser = crate::cli_register::parse_kind)]
    kind: gongkai_core::register::AgencyKind,
    /// 第一个系统管理员的用户名（口令从标准输入读取）
    #[arg(long)]
    admin: String,
}

/// `gongkai init`: the database and its key, the top agency, the first administrator — then
/// what to do next. A refusal (a database already in use, a weak password, an empty username)
/// leaves nothing behind: a database file and key made by this run are removed again.
pub fn init(a: InitArgs) -> anyhow::Result<ExitCode> {
    let mut password = String::new();
    std::io::stdin().lock().read_line(&mut password).context("无法读取标准输入中的口令")?;
    let password = password.trim_end_matches(['\r', '\n']).to_string();
    if password.is_empty() {
        anyhow::bail!("标准输入中没有系统管理员的口令：例如 `printf '%s\\n' \"$PW\" | gongkai init …`");
    }
    let url = a.db.url();
    let file = gongkai_store::sqlite_file_path(&url).filter(|f| !f.exists());
    let key_file = default_key_file(&url).filter(|k| !k.exists());
    let result = runtime()?.block_on(async {
        let store = open_creating(&a.db).await?;
        let agency = gongkai_core::register::Agency { code: a.agency, name: a.name, parent: None, kind: a.kind };
        let outcome =
            gongkai_app::setup::init(&store, &crate::clock(), &gongkai_app::Actor::cli(), agency, &a.admin, password)
                .await;
        store.close().await;
        outcome.map_err(crate::cli_register::app_error)
    });
    let (agency, user) = match result {
        Ok(done) => done,
        Err(e) => {
            // Made by this run and refused: not left behind.
            for made in [file, key_file].into_iter().flatten() {
                let _ = std::fs::remove_file(&made);
            }
            return Err(e);
        }
    };
    let database = match &a.db.database_url {
        Some(u) => format!(" --database-url {}", gongkai_store::redact_url(u)),
        None => String::new(),
    };
    println!("已初始化数据库 {}", gongkai_store::redact_url(&url));
    println!("  本机关：{} {}", agency.code, agency.name);
    println!("  系统管理员：{}", user.username);
    if let Some(k) = default_key_file(&url).filter(|k| k.exists()) {
        println!("  数据密钥文件：{}（请另行妥善备份：没有它，申请人的个人信息无法读取）", k.display());
    }
    println!("下一步：");
    println!("  1. 启动网站：gongkai serve{database}");
    println!("  2. 用浏览器打开 http://127.0.0.1:8080/console/login ，以 {} 登录", user.username);
    println!("  3. 在“机关管理”“账户管理”登记下属机关和工作人员账号（也可用 gongkai agency add、gongkai user add）");
    println!("  4. 在“网站设置”填写页脚的主办单位、网站标识码和备案编号（也可用 gongkai site set）");
    println!("  5. 请各机关工作人员在“公开指南”填写本机关的政府信息公开指南（也可用 gongkai guide set）");
    Ok(ExitCode::SUCCESS)
}

/// `gongkai demo` arguments.
#[derive(Args)]
pub struct DemoArgs {
    #[command(flatten)]
    db: DbArgs,
    /// 机关数
    #[arg(long, default_value_t = 20)]
    agencies: usize,
    /// 申请数
    #[arg(long, default_value_t = 2000)]
    requests: usize,
    /// 主动公开信息条数
    #[arg(long, default_value_t = 500)]
    proactive: usize,
    /// 起始年份
    #[arg(long, default_value_t = 2023)]
    first_year: i32,
    /// 结束年份
    #[arg(long, default_value_t = 2025)]
    last_year: i32,
    /// 随机种子
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
    runtime()?.block_on(async {
        let store = open_creating(&a.db).await?;
        let clock = crate::clock();
        let (n, codes) = gongkai_app::demo::fill(&store, std::sync::Arc::new(cal), &clock, &spec, a.proactive).await?;
        println!(
            "已生成示例数据：{} 个机关，{} 件申请，{} 件复议诉讼，{} 条第二十条数据，{} 条主动公开信息，{} 段报告正文，{} 份公开指南，已发布 {} 份往年年度报告（{}–{}年）",
            n.agencies,
            n.requests,
            n.cases,
            n.figures,
            n.proactive,
            n.narratives,
            n.guides,
            n.published,
            spec.first_year,
            spec.last_year
        );
        let root = codes.first().map_or("DEMO", String::as_str);
        // The hint names the database it filled, however it was given (flag, environment,
        // settings file, default): followed word for word anywhere, it reads this one.
        let database = format!(" --database-url {}", gongkai_store::redact_url(&a.db.url()));
        println!(
            "根机关代码：{root}（试试：gongkai report generate{database} --agency {} --year {}）",
            codes.get(1).map_or("DEMO", String::as_str),
            spec.last_year
        );
        println!("启动网站：gongkai serve{database}（公开专栏 http://127.0.0.1:8080/ ；工作平台须先用 gongkai user add 添加账户）");
        Ok(ExitCode::SUCCESS)
    })
}

/// `gongkai report generate` arguments.
#[derive(Args)]
pub struct GenerateArgs {
    #[command(flatten)]
    db: DbArgs,
    /// 机关代码
    #[arg(long)]
    agency: String,
    /// 报告年度
    #[arg(long)]
    year: i32,
    /// 列出某个单元格背后的记录，如 requests.outcomes.granted.natural_person
    #[arg(long)]
    explain: Option<String>,
}

/// `gongkai report generate`: the canonical report from the registers.
pub fn generate(a: GenerateArgs) -> anyhow::Result<ExitCode> {
    let cal = crate::cli_clock::load_calendar()?;
    runtime()?.block_on(async {
        let store = open(&a.db).await?;
        let agency = gongkai_app::year::agency(&store, &a.agency).await?;
        let input = gongkai_app::year::year_input(&store, &agency, a.year).await?;
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
                report.provenance.notes.extend(gongkai_app::year::amendment_notes(&store, &a.agency, a.year).await?);
                serde_json::to_writer_pretty(&mut out, &report)?;
                writeln!(out)?;
                Ok(ExitCode::SUCCESS)
            }
            Err(errors) => {
                for e in &errors {
                    eprintln!("登记数据有误: {e}");
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
    /// 设置审计日志留存天数，不少于 180 天
    #[arg(long)]
    set: Option<i64>,
}

/// `gongkai db log-retention [--set DAYS]`: shows or sets how long audit records are kept
/// (portal-and-security.md B1.1); below 180 days is refused with the reason.
pub fn log_retention(a: RetentionArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let store = open(&a.db).await?;
        if let Some(days) = a.set {
            gongkai_app::security::set_log_retention(&store, &crate::clock(), &Actor::cli(), days)
                .await
                .context("无法设置日志留存期")?;
        }
        println!("审计日志留存期：{} 天", store.log_retention_days().await?);
        Ok(ExitCode::SUCCESS)
    })
}

/// `gongkai audit verify`: checks the audit trail's hash chain (B3.3) from the first record (or
/// the purge anchor) to the last. A broken chain is exit 1 naming the first broken record, so
/// that a scheduled check, or a test after a kill -9, can tell without reading the output.
pub fn audit_verify(db: DbArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let store = open(&db).await?;
        match store.verify_audit_chain().await {
            Ok(n) => {
                println!("审计记录共 {n} 条，哈希链完整（以数据密钥派生的 HMAC-SM3 密钥链保护）");
                if let Some((seq, hash)) = store.audit_head().await? {
                    println!(
                        "最新一条为第 {seq} 条，哈希值 {hash}：可另行记录（如签字存档），日后核对审计记录未被整体改写"
                    );
                }
                Ok(ExitCode::SUCCESS)
            }
            Err(e @ gongkai_store::StoreError::AuditChainBroken { .. }) => {
                eprintln!("错误：{e}");
                Ok(ExitCode::from(1))
            }
            Err(e) => Err(anyhow::Error::new(e).context("无法校验审计记录")),
        }
    })
}

/// `gongkai db purge-logs`: deletes the audit records older than the retention period, keeping
/// the chain verifiable (the server also does this once a day).
pub fn purge_logs(db: DbArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let store = open(&db).await?;
        let done = store.purge_audit(crate::clock().now(), "(cli)").await?;
        let kept = store.verify_audit_chain().await.context("审计记录哈希链校验失败")?;
        println!(
            "已清除 {} 条超过留存期（{} 天）的审计记录；现存 {kept} 条，哈希链完整",
            done.purged,
            store.log_retention_days().await?
        );
        Ok(ExitCode::SUCCESS)
    })
}

/// `gongkai db personal-data-retention` arguments.
#[derive(Args)]
pub struct PersonalDataRetentionArgs {
    #[command(flatten)]
    db: DbArgs,
    /// 申请人个人信息保存年限（办结后；按本机关档案管理规定，条例第四十五条），或 off：不自动匿名化
    #[arg(long)]
    set: Option<String>,
}

/// `gongkai db personal-data-retention [--set YEARS|off]` (B4.4).
pub fn personal_data_retention(a: PersonalDataRetentionArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let store = open(&a.db).await?;
        if let Some(v) = a.set.as_deref() {
            let years = match v.trim() {
                "off" => None,
                n => Some(n.parse::<i64>().map_err(|_| anyhow::anyhow!("--set 应为年数（整数）或 off，收到「{n}」"))?),
            };
            gongkai_app::security::set_personal_data_retention(&store, &crate::clock(), &Actor::cli(), years)
                .await
                .context("无法设置个人信息保存期限")?;
        }
        match store.personal_data_retention_years().await? {
            Some(y) => println!("申请人个人信息保存期限：办结后 {y} 年，期满匿名化"),
            None => println!("申请人个人信息保存期限：未设置（不自动匿名化）"),
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// `gongkai db purge-personal-data` arguments.
#[derive(Args)]
pub struct PurgePersonalDataArgs {
    #[command(flatten)]
    db: DbArgs,
    /// 按此日期计算（默认今天）
    #[arg(long, value_parser = crate::cli_clock::parse_date)]
    today: Option<chrono::NaiveDate>,
}

/// `gongkai db purge-personal-data`: anonymises the applicants of requests closed longer ago
/// than the retention period (the server also does this once a day).
pub fn purge_personal_data(a: PurgePersonalDataArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let store = open(&a.db).await?;
        let today = crate::clock().today_or(a.today);
        let Some(years) = store.personal_data_retention_years().await? else {
            println!("未设置申请人个人信息保存期限，未做处理（gongkai db personal-data-retention --set 年数）");
            return Ok(ExitCode::SUCCESS);
        };
        let n = store.purge_personal_data(today, "(cli)", crate::clock().now()).await?;
        println!("已将 {n} 件办结超过 {years} 年的申请的申请人个人信息匿名化");
        Ok(ExitCode::SUCCESS)
    })
}

/// `gongkai db require-mfa` arguments.
#[derive(Args)]
pub struct RequireMfaArgs {
    #[command(flatten)]
    db: DbArgs,
    /// on：所有工作台账号须启用双因素认证后才能办理；off：由各账号自行启用
    #[arg(long, value_parser = ["on", "off"])]
    set: Option<String>,
}

/// `gongkai db require-mfa [--set on|off]` (portal-and-security.md B2.1 d).
pub fn require_mfa(a: RequireMfaArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let store = open(&a.db).await?;
        if let Some(v) = a.set.as_deref() {
            gongkai_app::security::set_require_mfa(&store, &crate::clock(), &Actor::cli(), v == "on")
                .await
                .context("无法设置双因素认证要求")?;
        }
        let on = store.require_mfa().await?;
        println!("双因素认证：{}", if on { "所有工作台账号必须启用" } else { "由各账号自行启用" });
        Ok(ExitCode::SUCCESS)
    })
}
