//! The harness the CLI tests share: a fresh database per test (a SQLite file, or a PostgreSQL
//! database `gk_cli_<pid>_<nanos>` on `GONGKAI_TEST_POSTGRES_URL`, dropped afterwards; an
//! unreachable server fails, never skips), `gongkai` run against it, and a macro that
//! instantiates each test for both backends.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::Duration;

use serde_json::Value;
use sqlx::{AnyConnection, AssertSqlSafe, Connection};

const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// "Now" of every CLI test (`GONGKAI_NOW`): 27 November 2026, 10:00 Beijing time, so that no
/// test depends on the day it runs.
pub const NOW: &str = "2026-11-27T02:00:00Z";

// ---------------------------------------------------------------- databases

/// A fresh database and a scratch folder; a PostgreSQL database is dropped with it.
pub struct Db {
    pub url: String,
    pub dir: tempfile::TempDir,
    pub postgres: Option<(String, String)>,
}

pub fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

impl Db {
    pub fn sqlite() -> Db {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("gk.db").display());
        Db { url, dir, postgres: None }
    }

    pub fn postgres() -> Db {
        sqlx::any::install_default_drivers();
        let admin = std::env::var("GONGKAI_TEST_POSTGRES_URL").unwrap_or_else(|_| DEFAULT_POSTGRES_URL.to_string());
        let name = format!(
            "gk_cli_{}_{}",
            std::process::id(),
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos()
        );
        rt().block_on(async {
            let mut conn = match tokio::time::timeout(Duration::from_secs(15), AnyConnection::connect(&admin)).await {
                Ok(Ok(c)) => c,
                Ok(Err(e)) => panic!(
                    "PostgreSQL test server is unreachable ({e}); these tests never skip: start it \
                     (pg_isready -h 127.0.0.1) or set GONGKAI_TEST_POSTGRES_URL"
                ),
                Err(_) => panic!("PostgreSQL test server did not answer within 15 s"),
            };
            sqlx::query(AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(&mut conn).await.unwrap();
            conn.close().await.unwrap();
        });
        let url = gongkai_store::with_database(&admin, &name);
        Db { url, dir: tempfile::tempdir().unwrap(), postgres: Some((admin, name)) }
    }

    /// The data key `gongkai` uses on this database (the default key file: beside a SQLite file,
    /// `data.key` in the data folder for PostgreSQL), made here if no command has made it yet,
    /// so that a test can open the same store directly.
    pub fn key(&self) -> gongkai_store::DataKey {
        let path = match self.postgres {
            None => self.dir.path().join("gk.db.key"),
            Some(_) => self.dir.path().join("data").join("data.key"),
        };
        match std::fs::read_to_string(&path) {
            Ok(text) => gongkai_store::DataKey::from_hex(&text).unwrap(),
            Err(_) => {
                let key = gongkai_store::DataKey::generate().unwrap();
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, key.to_hex()).unwrap();
                key
            }
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs `gongkai ARGS` on this database.
    pub fn gk(&self, args: &[&str]) -> Output {
        let o = Command::new(env!("CARGO_BIN_EXE_gongkai"))
            .args(args)
            .current_dir(self.dir.path())
            .env("GONGKAI_DATABASE_URL", &self.url)
            .env("GONGKAI_DATA_DIR", self.dir.path().join("data"))
            .env("GONGKAI_NOW", NOW)
            .env_remove("GONGKAI_LOG")
            .output()
            .unwrap_or_else(|e| panic!("cannot run gongkai: {e}"));
        for line in stderr(&o).lines().filter(|l| l.starts_with("错误：")) {
            if let Some(english) = english_phrase(line) {
                panic!("gongkai {args:?}: an error message in English ({english}): {line}");
            }
        }
        o
    }

    /// Runs and expects exit 0; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let o = self.gk(args);
        assert!(o.status.success(), "gongkai {args:?} failed ({:?}):\n{}\n{}", o.status.code(), stdout(&o), stderr(&o));
        stdout(&o)
    }

    /// Runs and expects exit 2; returns stderr.
    pub fn refused(&self, args: &[&str]) -> String {
        let o = self.gk(args);
        assert_eq!(o.status.code(), Some(2), "gongkai {args:?} should exit 2:\n{}\n{}", stdout(&o), stderr(&o));
        stderr(&o)
    }

    pub fn json(&self, args: &[&str]) -> Value {
        let out = self.ok(args);
        serde_json::from_str(&out).unwrap_or_else(|e| panic!("not JSON ({e}): {out}"))
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.postgres.take() {
            rt().block_on(async {
                if let Ok(mut conn) = AnyConnection::connect(&admin).await {
                    let _ = sqlx::query(AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                        .execute(&mut conn)
                        .await;
                    let _ = conn.close().await;
                }
            });
        }
    }
}

/// English in a Chinese error message (issue 19): three Latin words in a row, separated by
/// spaces only, once the values the user typed (「…」) are set aside. Argument names, value
/// keywords listed with 、, codes and a command to type pass.
pub fn english_phrase(line: &str) -> Option<String> {
    let mut plain = String::new();
    let mut quoted = 0usize;
    for c in line.chars() {
        match c {
            '「' => quoted += 1,
            '」' => quoted = quoted.saturating_sub(1),
            _ if quoted == 0 => plain.push(c),
            _ => {}
        }
    }
    for segment in plain.split(|c: char| !c.is_ascii()) {
        let mut run: Vec<&str> = Vec::new();
        for token in segment.split(' ').filter(|t| !t.is_empty()) {
            let word = token.trim_matches(|c: char| "(),;:.".contains(c));
            // A command to type (`gongkai supervise imports …`) is not prose.
            if word == "gongkai" {
                break;
            }
            let latin = word.len() >= 2
                && word.chars().all(|c| c.is_ascii_alphabetic() || c == '\'')
                && word.chars().any(|c| c.is_ascii_lowercase());
            if latin {
                run.push(word);
                if run.len() >= 3 {
                    return Some(run.join(" "));
                }
            } else {
                run.clear();
            }
        }
    }
    None
}

#[test]
fn english_phrases_are_found_and_keywords_pass() {
    assert_eq!(english_phrase("错误：参数 --years 的值「0」无效：0 is not in 1..=20"), Some("is not in".into()));
    assert_eq!(english_phrase("错误：无法写入 taken.key: File exists (os error 17)"), Some("File exists os".into()));
    assert_eq!(english_phrase("错误：公开渠道应为 website、gazette、weibo 或 wechat：「not a channel at all」"), None);
    assert_eq!(english_phrase("错误：机关「nope」尚未登记；见 --data-key-file / GONGKAI_DATA_KEY"), None);
    assert_eq!(english_phrase("错误：编号见 gongkai supervise imports --agency 机关代码"), None);
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

/// Instantiates each test for both backends.
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $name() { crate::$name(&crate::Db::sqlite()); } )*
        }
        mod postgres {
            $( #[test] fn $name() { crate::$name(&crate::Db::postgres()); } )*
        }
    };
}
