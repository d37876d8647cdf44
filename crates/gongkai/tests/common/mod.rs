//! The harness the CLI tests share: a fresh database per test from the one test kit
//! (`gongkai_testkit::FreshDb`: a SQLite file, or a PostgreSQL database `gk_cli_…`, dropped
//! afterwards; an unreachable server fails, never skips), `gongkai` run against it, and a macro
//! that instantiates each test for both backends.

#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

/// "Now" of every CLI test (`GONGKAI_NOW`): 27 November 2026, 10:00 Beijing time, so that no
/// test depends on the day it runs.
pub const NOW: &str = "2026-11-27T02:00:00Z";

// ---------------------------------------------------------------- databases

/// A fresh database and a scratch folder (the one test kit's `FreshDb`); a PostgreSQL database
/// is dropped with it.
pub struct Db {
    pub url: String,
    pub dir: std::path::PathBuf,
    fresh: gongkai_testkit::FreshDb,
}

pub fn rt() -> tokio::runtime::Runtime {
    gongkai_testkit::runtime()
}

impl Db {
    pub fn sqlite() -> Db {
        Db::on(gongkai_testkit::Backend::Sqlite)
    }

    pub fn postgres() -> Db {
        Db::on(gongkai_testkit::Backend::Postgres)
    }

    /// Whether the database is a PostgreSQL one.
    pub fn is_postgres(&self) -> bool {
        self.fresh.backend() == gongkai_testkit::Backend::Postgres
    }

    fn on(backend: gongkai_testkit::Backend) -> Db {
        let fresh = gongkai_testkit::FreshDb::create_blocking(backend, "cli");
        Db { url: fresh.url.clone(), dir: fresh.dir().to_path_buf(), fresh }
    }

    /// The data key `gongkai` uses on this database (the default key file: beside a SQLite file,
    /// `data.key` in the data folder for PostgreSQL), made here if no command has made it yet,
    /// so that a test can open the same store directly.
    pub fn key(&self) -> gongkai_store::DataKey {
        let path = match self.fresh.backend() {
            gongkai_testkit::Backend::Sqlite => self.dir.join("gongkai.db.key"),
            gongkai_testkit::Backend::Postgres => self.dir.join("data").join("data.key"),
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
        self.dir.join(name)
    }

    /// Runs `gongkai ARGS` on this database.
    pub fn gk(&self, args: &[&str]) -> Output {
        let o = Command::new(env!("CARGO_BIN_EXE_gongkai"))
            .args(args)
            .current_dir(&self.dir)
            .env("GONGKAI_DATABASE_URL", &self.url)
            .env("GONGKAI_DATA_DIR", self.dir.join("data"))
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
