//! Black-box test of `gongkai supervise` on both backends (a fresh database each): demo
//! registers, then the overview of the whole tree and of one county, as JSON and as a table.

// Test code: a failed unwrap is a failed test (the helpers are not `#[test]` functions).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;
use common::{stderr, Db};

on_both_backends!(supervise_json_shape_and_subtree, demo_fills_the_proactive_directory);

/// `gongkai demo --proactive N` stores N directory items spread over the agencies, which the
/// portal lists (the load test of BENCHMARKS.md runs on them).
fn demo_fills_the_proactive_directory(db: &Db) {
    let out = db.ok(&["demo", "--agencies", "5", "--requests", "50", "--proactive", "250"]);
    assert!(out.contains("250 条主动公开信息"), "{out}");
    let counts: Vec<usize> = common::rt().block_on(async {
        let store = gongkai_store::Store::connect(&db.url).await.unwrap();
        let mut counts = Vec::new();
        for code in ["DEMO", "DEMO-0001", "DEMO-0004"] {
            counts.push(store.list_proactive(code).await.unwrap().len());
        }
        store.close().await;
        counts
    });
    assert_eq!(counts, vec![50, 50, 50]);
}

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
