//! Backup and restore (issue 21 item 5): a consistent snapshot of the whole database taken while
//! it is in use, and its restoration into a new database.
//!
//! - **SQLite:** `VACUUM INTO` writes a transaction-consistent copy of the live database (the
//!   writer and the readers go on) as one compact file. Restoring copies it beside the target,
//!   opens the copy under the data key — checking its integrity, the key and the audit chain —
//!   and only then renames it into place, so a failed restore leaves no file behind.
//! - **PostgreSQL:** `pg_dump` (plain SQL, one snapshot), restored with `psql` into an empty
//!   database in one transaction that ends by comparing the data key's check value: a backup
//!   restored with the wrong key leaves the database as empty as it was.
//! - **The data key is not in the backup.** Personal information stays encrypted in it (B2.5)
//!   and the audit chain keyed (B3.3); the key file is kept apart, and a restore needs the key
//!   the database had when it was backed up (README, 备份与恢复).
//!
//! A file that exists is never overwritten, and a database that holds tables is never restored
//! into. The PostgreSQL tools are the server's own (`pg_dump`, `psql` of package
//! `postgresql-client`), found on `PATH`.

use std::path::{Path, PathBuf};
use std::process::Command;

use sqlx::Row;

use crate::crypto::DataKey;
use crate::url::{is_sqlite_memory, sqlite_file_path};
use crate::{Backend, Store, StoreError};

/// The first bytes of every SQLite database file.
const SQLITE_MAGIC: &[u8] = b"SQLite format 3\0";

/// The first line of a plain `pg_dump` file.
const PG_DUMP_MAGIC: &[u8] = b"--\n-- PostgreSQL database dump";

/// What `psql` raises when the restored database's key check is not the key's.
const KEY_MISMATCH_MARK: &str = "gongkai: data key mismatch";

fn refused(detail: String) -> StoreError {
    StoreError::Invalid { what: "backup", detail }
}

/// `path` with `suffix` added to its file name: where a file is written before it is renamed
/// into place.
fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(suffix);
    path.with_file_name(name)
}

/// Removes a SQLite file being written and its journal files; a file already gone is fine.
fn remove_sqlite_files(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let _ = std::fs::remove_file(beside(path, suffix));
    }
}

/// Runs a PostgreSQL tool off the async workers; its standard error on failure.
async fn run_tool(mut command: Command, tool: &'static str) -> Result<(), String> {
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .map_err(|e| format!("{tool} 未能运行：{e}"))?
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => {
                format!("找不到 {tool}：请安装 PostgreSQL 客户端（Debian：apt-get install postgresql-client）")
            }
            _ => format!("{tool} 未能运行：{e}"),
        })?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let tail: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    Err(tail[tail.len().saturating_sub(3)..].join("；"))
}

impl Store {
    /// Writes a consistent snapshot of the whole database to `out`, a file that must not exist
    /// yet; returns its size in bytes. Taken while the database is in use.
    pub async fn backup(&self, out: &Path) -> Result<u64, StoreError> {
        if out.exists() {
            return Err(refused(format!("备份文件 {} 已存在：备份不覆盖已有文件，请换一个文件名", out.display())));
        }
        let part = beside(out, ".part");
        let _ = std::fs::remove_file(&part);
        let written = match self.backend {
            Backend::Sqlite if is_sqlite_memory(&self.url) => {
                return Err(refused("内存数据库没有可备份的文件".into()));
            }
            Backend::Sqlite => {
                let target = part.to_string_lossy().into_owned();
                sqlx::query("VACUUM INTO $1").bind(target).execute(&self.pool).await.map(drop).map_err(StoreError::from)
            }
            Backend::Postgres => {
                let mut pg_dump = Command::new("pg_dump");
                pg_dump
                    .args(["--no-owner", "--no-privileges", "--format=plain", "--file"])
                    .arg(&part)
                    .arg(format!("--dbname={}", self.url));
                run_tool(pg_dump, "pg_dump").await.map_err(|e| refused(format!("pg_dump 未能备份数据库：{e}")))
            }
        };
        let renamed = written.and_then(|()| {
            std::fs::rename(&part, out).map_err(|e| refused(format!("无法写入备份文件 {}：{e}", out.display())))
        });
        if let Err(e) = renamed {
            let _ = std::fs::remove_file(&part);
            return Err(e);
        }
        let size = std::fs::metadata(out).map_err(|e| refused(format!("无法读取备份文件 {}：{e}", out.display())))?;
        tracing::info!(path = %out.display(), bytes = size.len(), "backup written");
        Ok(size.len())
    }

    /// Restores the backup `from` (made by [`Store::backup`] on the same backend) into the new
    /// database at `url` — a SQLite file that does not exist yet, or an empty PostgreSQL
    /// database — under `key`, the data key the database had when it was backed up. The restored
    /// database is checked (integrity, the key, migrations, the audit chain) before it is
    /// returned, open and migrated. On any refusal nothing is left behind.
    pub async fn restore(url: &str, key: &DataKey, from: &Path) -> Result<Store, StoreError> {
        let head = read_head(from)?;
        match Backend::from_url(url)? {
            Backend::Sqlite => restore_sqlite(url, key, from, &head).await,
            Backend::Postgres => restore_postgres(url, key, from, &head).await,
        }
    }
}

/// The first bytes of the backup file (to tell its kind), or why it cannot be read.
fn read_head(from: &Path) -> Result<Vec<u8>, StoreError> {
    use std::io::Read;
    let mut file =
        std::fs::File::open(from).map_err(|e| refused(format!("无法打开备份文件 {}：{e}", from.display())))?;
    let mut head = vec![0u8; 64];
    let n = file.read(&mut head).map_err(|e| refused(format!("无法读取备份文件 {}：{e}", from.display())))?;
    head.truncate(n);
    Ok(head)
}

async fn restore_sqlite(url: &str, key: &DataKey, from: &Path, head: &[u8]) -> Result<Store, StoreError> {
    if !head.starts_with(SQLITE_MAGIC) {
        return Err(refused(format!("备份文件 {} 不是 SQLite 数据库的备份", from.display())));
    }
    let Some(target) = sqlite_file_path(url) else {
        return Err(refused("恢复需要一个数据库文件路径（sqlite://文件路径），不能恢复到内存数据库".into()));
    };
    // An empty file (0 bytes) holds no database yet, as `gongkai db migrate` or a test kit
    // leaves it before the first migration: restoring into it overwrites nothing.
    if target.metadata().is_ok_and(|m| m.len() > 0) {
        return Err(refused(format!(
            "数据库文件 {} 已存在：恢复只写入新文件，不覆盖现有数据库；请指定另一个文件，或先移走该文件",
            target.display()
        )));
    }
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        if !dir.is_dir() {
            return Err(refused(format!("目录 {} 不存在", dir.display())));
        }
    }
    let part = beside(&target, ".restoring");
    remove_sqlite_files(&part);
    std::fs::copy(from, &part).map_err(|e| refused(format!("无法复制备份文件到 {}：{e}", part.display())))?;
    let checked = check_restored(&format!("sqlite://{}?mode=rw", part.display()), key, true).await;
    if let Err(e) = checked {
        remove_sqlite_files(&part);
        return Err(e);
    }
    if let Err(e) = std::fs::rename(&part, &target) {
        remove_sqlite_files(&part);
        return Err(refused(format!("无法写入数据库文件 {}：{e}", target.display())));
    }
    // Migrated and keyed already, as the copy that was checked.
    let store = Store::connect(url, key).await?;
    tracing::info!(path = %target.display(), "database restored");
    Ok(store)
}

async fn restore_postgres(url: &str, key: &DataKey, from: &Path, head: &[u8]) -> Result<Store, StoreError> {
    if !head.starts_with(PG_DUMP_MAGIC) {
        return Err(refused(format!("备份文件 {} 不是 PostgreSQL 数据库的备份（pg_dump 纯文本格式）", from.display())));
    }
    let store = Store::connect(url, key).await?;
    let tables: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = current_schema()")
            .fetch_one(&store.pool)
            .await?
            .try_get("n")?;
    if tables > 0 {
        store.close().await;
        return Err(refused(format!(
            "目标数据库已有 {tables} 张表：恢复只写入空数据库，请新建一个数据库（CREATE DATABASE）后再恢复"
        )));
    }
    // The whole dump and the key comparison in one transaction: a wrong key rolls it all back.
    let check = store.cipher.check_value().to_string();
    let mut psql = Command::new("psql");
    psql.args(["--no-psqlrc", "--quiet", "--set", "ON_ERROR_STOP=1", "--single-transaction", "--file"])
        .arg(from)
        .args(["--command", "RESET search_path"])
        .arg("--command")
        .arg(format!(
            "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM settings WHERE \"key\" = '{}' AND value = '{check}') \
             THEN RAISE EXCEPTION '{KEY_MISMATCH_MARK}'; END IF; END $$",
            crate::crypto::KEY_CHECK_SETTING
        ))
        .arg(format!("--dbname={url}"))
        .stdout(std::process::Stdio::null());
    if let Err(e) = run_tool(psql, "psql").await {
        store.close().await;
        if e.contains(KEY_MISMATCH_MARK) {
            return Err(StoreError::DataKeyMismatch);
        }
        return Err(refused(format!("psql 未能恢复备份 {}（数据库未改动）：{e}", from.display())));
    }
    check_restored_store(&store, false).await?;
    tracing::info!(database = %crate::redact_url(url), "database restored");
    Ok(store)
}

/// Opens the restored copy at `url` and checks it: SQLite's integrity check (`sqlite`), a
/// gongkai database, the data key, the migrations, the audit chain.
async fn check_restored(url: &str, key: &DataKey, sqlite: bool) -> Result<(), StoreError> {
    let store = Store::connect(url, key).await?;
    let checked = check_restored_store(&store, sqlite).await;
    store.close().await;
    checked
}

async fn check_restored_store(store: &Store, sqlite: bool) -> Result<(), StoreError> {
    if sqlite {
        let row = sqlx::query("PRAGMA integrity_check").fetch_one(&store.pool).await?;
        let verdict: String = row.try_get(0)?;
        if verdict != "ok" {
            return Err(refused(format!("备份文件已损坏（SQLite 完整性检查：{verdict}）")));
        }
    }
    if store.schema_version().await?.is_none() {
        return Err(refused("备份中没有公开系统的数据库".into()));
    }
    if crate::crypto::stored_check_of(store).await?.is_none_or(|c| c != store.cipher.check_value()) {
        return Err(StoreError::DataKeyMismatch);
    }
    store.migrate().await?;
    store.verify_audit_chain().await?;
    Ok(())
}
