//! Black-box test of `gongkai supervise` on both backends (a fresh database each): demo
//! registers, then the overview of the whole tree and of one county, as JSON and as a table.

// Test code: a failed unwrap is a failed test (the helpers are not `#[test]` functions).
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::Duration;

use serde_json::Value;
use sqlx::{AnyConnection, AssertSqlSafe, Connection};

const DEFAULT_POSTGRES_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

// ---------------------------------------------------------------- databases

/// A fresh database and a scratch folder; a PostgreSQL database is dropped with it.
struct Db {
    url: String,
    dir: tempfile::TempDir,
    postgres: Option<(String, String)>,
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

impl Db {
    fn sqlite() -> Db {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("gk.db").display());
        Db { url, dir, postgres: None }
    }

    fn postgres() -> Db {
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
        let url = with_database(&admin, &name);
        Db { url, dir: tempfile::tempdir().unwrap(), postgres: Some((admin, name)) }
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs `gongkai ARGS` on this database.
    fn gk(&self, args: &[&str]) -> Output {
        Command::new(env!("CARGO_BIN_EXE_gongkai"))
            .args(args)
            .current_dir(self.dir.path())
            .env("GONGKAI_DATABASE_URL", &self.url)
            .env("GONGKAI_DATA_DIR", self.dir.path().join("data"))
            .env_remove("GONGKAI_LOG")
            .output()
            .unwrap_or_else(|e| panic!("cannot run gongkai: {e}"))
    }

    /// Runs and expects exit 0; returns stdout.
    fn ok(&self, args: &[&str]) -> String {
        let o = self.gk(args);
        assert!(o.status.success(), "gongkai {args:?} failed ({:?}):\n{}\n{}", o.status.code(), stdout(&o), stderr(&o));
        stdout(&o)
    }

    /// Runs and expects exit 2; returns stderr.
    fn refused(&self, args: &[&str]) -> String {
        let o = self.gk(args);
        assert_eq!(o.status.code(), Some(2), "gongkai {args:?} should exit 2:\n{}\n{}", stdout(&o), stderr(&o));
        stderr(&o)
    }

    fn json(&self, args: &[&str]) -> Value {
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

fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let start = base.find("://").map_or(0, |i| i + 3);
    let server = match base[start..].find('/') {
        Some(i) => &base[..start + i],
        None => base,
    };
    match query {
        Some(q) => format!("{server}/{name}?{q}"),
        None => format!("{server}/{name}"),
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).to_string()
}

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

on_both_backends!(supervise_json_shape_and_subtree);

fn supervise_json_shape_and_subtree(db: &Db) {
    db.ok(&["demo", "--agencies", "8", "--requests", "400", "--first-year", "2023", "--last-year", "2024"]);
    // A county below the demo government, with one department moved under it.
    db.ok(&[
        "agency",
        "add",
        "--code",
        "DEMO-C1",
        "--name",
        "示范县某镇人民政府",
        "--parent",
        "DEMO",
        "--kind",
        "government",
    ]);
    db.ok(&[
        "agency",
        "add",
        "--code",
        "DEMO-0001",
        "--name",
        "示范县某镇某局",
        "--parent",
        "DEMO-C1",
        "--kind",
        "department",
    ]);

    let all = db.json(&["supervise", "--agency", "DEMO", "--year", "2024", "--today", "2025-03-10", "--json"]);
    let agencies = all["agencies"].as_array().unwrap();
    assert_eq!(agencies.len(), 9, "{all:#}");
    for a in agencies {
        assert!(a["code"].is_string() && a["name"].is_string(), "{a}");
        for k in ["received", "open", "due_soon", "overdue"] {
            assert!(a["requests"][k].is_i64(), "requests.{k} in {a}");
        }
        assert!(a["report"]["status"].is_string(), "{a}");
        assert!(a["report"]["errors"].is_u64() && a["report"]["warnings"].is_u64(), "{a}");
        assert_eq!(a["scorecard"]["criteria"].as_array().unwrap().len(), 7, "{a}");
        assert!(a["requests"]["overdue_requests"].is_array());
    }
    assert_eq!(all["rollup"]["schema"], "gongkai.report/1");
    assert_eq!(all["rollup"]["year"], 2024);
    assert!(all["included"].is_array() && all["missing"].is_array());
    // The roll-up's received total is the sum of the agencies' received figures.
    let received: i64 = agencies.iter().map(|a| a["requests"]["received"].as_i64().unwrap()).sum();
    assert!(received > 0);
    assert_eq!(all["rollup"]["requests"]["received"]["total"].as_i64(), Some(received));
    // The demo leaves the last weeks of 2024 open: overdue on 10 March 2025, each one openable.
    let overdue: Vec<(&str, &str)> = agencies
        .iter()
        .flat_map(|a| {
            a["requests"]["overdue_requests"]
                .as_array()
                .unwrap()
                .iter()
                .map(move |r| (a["code"].as_str().unwrap(), r["tracking_number"].as_str().unwrap()))
        })
        .collect();
    assert!(!overdue.is_empty(), "{all:#}");
    let (code, number) = overdue[0];
    let shown = db.json(&["request", "show", "--agency", code, "--number", number, "--today", "2025-03-10", "--json"]);
    assert_eq!(shown["status"], "overdue");

    // The county sees itself and the department below it, nothing else.
    let county = db.json(&["supervise", "--agency", "DEMO-C1", "--year", "2024", "--today", "2025-03-10", "--json"]);
    let codes: Vec<&str> = county["agencies"].as_array().unwrap().iter().map(|a| a["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["DEMO-C1", "DEMO-0001"]);

    // The table in Chinese.
    let text = db.ok(&["supervise", "--agency", "DEMO", "--year", "2024", "--today", "2025-03-10"]);
    for want in ["已逾期", "年报状态", "汇总", "gongkai request show"] {
        assert!(text.contains(want), "{want} missing:\n{text}");
    }
    // An unknown agency: exit 2 with the reason.
    let o = db.gk(&["supervise", "--agency", "NOPE", "--year", "2024"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}
