//! Black-box tests of the register commands (`agency`, `request`, `narrative`, `report publish`,
//! `register import|export|template`), each run twice: `sqlite::NAME` on a fresh SQLite file and
//! `postgres::NAME` on a fresh PostgreSQL database `gk_cli_<random>` on the server named by
//! `GONGKAI_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/test`), dropped
//! afterwards. An unreachable server fails the PostgreSQL half; it never skips.

// Test code: a failed unwrap is a failed test (the helpers are not `#[test]` functions).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Output;

use calamine::{Data, Reader};
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[macro_use]
mod common;
use common::{stderr, stdout, Db};

on_both_backends!(
    requests_events_and_statuses,
    refused_transitions_exit_2_with_the_reason,
    publish_locks_the_year_and_amendments_are_visible,
    publishing_is_checked_against_the_chosen_date_and_confirmed,
    xlsx_import_feeds_the_report,
    xlsx_with_one_bad_row_stores_nothing,
    xlsx_export_import_round_trips,
    b2_5_the_data_key_encrypts_personal_information_and_is_required,
    audit_verify_passes_on_an_intact_chain_and_names_the_first_broken_record,
    backup_and_restore_give_identical_reports_and_audit_chain,
    agencies_are_registered_through_the_use_case_audited_and_refused_in_chinese,
    xlsx_carries_the_disclosure_guide,
);

// ---------------------------------------------------------------- fixtures

const AG: &str = "330100-czj";
const ID: &str = "110101199003071234";

fn setup_agency(db: &Db) {
    let out = db.ok(&["agency", "add", "--code", "330100", "--name", "杭州市人民政府", "--kind", "government"]);
    assert!(out.contains("330100"), "{out}");
    db.ok(&["agency", "add", "--code", AG, "--name", "杭州市财政局", "--parent", "330100", "--kind", "department"]);
}

fn add_request(db: &Db, number: &str, received: &str, extra: &[&str]) -> String {
    let mut args = vec![
        "request",
        "add",
        "--agency",
        AG,
        "--number",
        number,
        "--channel",
        "online",
        "--received",
        received,
        "--applicant-type",
        "natural_person",
        "--applicant-name",
        "张三",
        "--id-document",
        ID,
        "--contact",
        "13800000000",
        "--content",
        "申请公开2023年度部门预算执行情况",
        "--form",
        "电子文本",
        "--delivery",
        "电子邮件",
    ];
    args.extend_from_slice(extra);
    let o = db.gk(&args);
    assert!(o.status.success(), "{}", stderr(&o));
    stdout(&o)
}

/// `request event --agency AG --number N --on DATE --by 王五 KIND…`.
fn event(db: &Db, number: &str, on: &str, kind: &[&str]) -> Output {
    let mut args = vec!["request", "event", "--agency", AG, "--number", number, "--on", on, "--by", "王五"];
    args.extend_from_slice(kind);
    db.gk(&args)
}

fn event_ok(db: &Db, number: &str, on: &str, kind: &[&str]) -> String {
    let o = event(db, number, on, kind);
    assert!(o.status.success(), "event {kind:?} on {on} failed:\n{}\n{}", stdout(&o), stderr(&o));
    // The confirmation and the status are in Chinese only (no `reply`, no `in_progress`).
    for line in stdout(&o).lines().filter(|l| l.starts_with("已登记事件") || l.starts_with("状态：")) {
        assert!(!line.chars().any(|c| c.is_ascii_alphabetic()), "English in a Chinese line: {line}");
    }
    stdout(&o)
}

fn show(db: &Db, number: &str, today: &str) -> Value {
    db.json(&["request", "show", "--agency", AG, "--number", number, "--today", today, "--json"])
}

fn report(db: &Db, agency: &str, year: &str) -> Value {
    db.json(&["report", "generate", "--agency", agency, "--year", year])
}

// ---------------------------------------------------------------- tests

fn requests_events_and_statuses(db: &Db) {
    setup_agency(db);
    let listed = db.json(&["agency", "list", "--json"]);
    assert_eq!(listed.as_array().unwrap().len(), 2);
    assert_eq!(listed[1]["parent"], "330100");

    // Received Fri 2024-03-01: due Fri 2024-03-29.
    let out = add_request(db, "2024-001", "2024-03-01", &[]);
    assert!(out.contains("答复期限 2024-03-29"), "{out}");
    let s = show(db, "2024-001", "2024-03-04");
    assert_eq!(s["status"], "open");
    assert_eq!(s["due"], "2024-03-29");
    // The identity document is never shown in full: 3 + 4, as the console (B4.6).
    assert_eq!(s["applicant"]["id_document"], "110***********1234");
    let text = db.ok(&["request", "show", "--agency", AG, "--number", "2024-001", "--today", "2024-03-04"]);
    assert!(!text.contains(ID), "{text}");
    assert!(text.contains("110***********1234"), "{text}");
    assert!(text.contains("逐日说明"), "{text}");
    assert!(text.contains("第20个工作日"), "{text}");

    // Correction: the clock restarts on the corrected request (Fri 3/8 → Fri 4/5… 清明 4/4–4/6).
    event_ok(db, "2024-001", "2024-03-04", &["correction-notice", "--note", "请明确年份", "--period-days", "10"]);
    event_ok(db, "2024-001", "2024-03-08", &["correction-received"]);
    let s = show(db, "2024-001", "2024-03-08");
    assert_ne!(s["due"], "2024-03-29", "the clock restarted: {}", s["due"]);
    let restarted = s["due"].as_str().unwrap().to_string();
    // Consultation: its days are not counted.
    event_ok(db, "2024-001", "2024-03-11", &["consultation-sent", "--party", "某建设集团"]);
    event_ok(db, "2024-001", "2024-03-15", &["consultation-answered"]);
    let s = show(db, "2024-001", "2024-03-15");
    assert!(s["due"].as_str().unwrap() > restarted.as_str(), "{s}");
    // The fee is computed from the tariff, never typed: 120 pages = 1,100 yuan.
    let out = event_ok(db, "2024-001", "2024-03-18", &["fee-notice", "--method", "per_page", "--units", "120"]);
    assert!(out.contains("1100 元"), "{out}");
    event_ok(db, "2024-001", "2024-03-19", &["fee-paid"]);
    event_ok(db, "2024-001", "2024-03-20", &["extension", "--approver", "赵主任", "--reason", "需调取档案"]);
    let s = show(db, "2024-001", "2024-03-20");
    assert!(s["original_due"].is_string(), "{s}");
    assert_eq!(s["events"].as_array().unwrap().len(), 7);
    assert_eq!(s["events"][4]["kind"]["amount_yuan"], "1100");

    // The reply finishes the first.
    let out = event_ok(
        db,
        "2024-001",
        "2024-04-25",
        &["reply", "--outcome", "withheld.state_secret", "--note", "该文件已按保密规定定密"],
    );
    assert!(out.contains("已答复"), "{out}");
    let s = show(db, "2024-001", "2024-06-30");
    assert_eq!(s["status"], "replied");
    assert_eq!(s["outcome"], "withheld.state_secret");

    // A second request, never answered: overdue later.
    add_request(db, "2024-002", "2024-04-01", &[]);
    let overdue = db.json(&["request", "list", "--agency", AG, "--overdue", "--today", "2024-06-30", "--json"]);
    let numbers: Vec<&str> =
        overdue.as_array().unwrap().iter().map(|r| r["tracking_number"].as_str().unwrap()).collect();
    assert_eq!(numbers, ["2024-002"], "{overdue}");
    let open = db.json(&["request", "list", "--agency", AG, "--open", "--today", "2024-06-30", "--json"]);
    assert_eq!(open.as_array().unwrap().len(), 1);
    let all = db.ok(&["request", "list", "--agency", AG, "--today", "2024-06-30"]);
    assert!(all.contains("已答复") && all.contains("已逾期"), "{all}");
    assert!(all.contains("共 2 件"), "{all}");
    // Withdrawal.
    event_ok(db, "2024-002", "2024-07-01", &["withdrawal"]);
    assert_eq!(show(db, "2024-002", "2024-07-02")["status"], "withdrawn");

    // Table 3 from these registers.
    let r = report(db, AG, "2024");
    assert_eq!(r["requests"]["received"]["total"], 2);
    assert_eq!(r["requests"]["outcomes"]["withheld"]["state_secret"]["natural_person"], 1);
    assert_eq!(r["requests"]["outcomes"]["other_handling"]["other"]["total"], 1);
}

fn refused_transitions_exit_2_with_the_reason(db: &Db) {
    setup_agency(db);
    add_request(db, "2024-001", "2024-03-01", &[]);
    event_ok(db, "2024-001", "2024-03-04", &["correction-notice", "--note", "请明确", "--period-days", "10"]);
    // Art. 30: one notice only.
    let e =
        stderr(&event(db, "2024-001", "2024-03-05", &["correction-notice", "--note", "再次", "--period-days", "5"]));
    assert!(e.contains("一次性告知"), "{e}");
    assert_eq!(
        event(db, "2024-001", "2024-03-05", &["correction-notice", "--note", "x", "--period-days", "5"]).status.code(),
        Some(2)
    );
    // Dated before the previous event; paid without a notice; a total as outcome.
    let e = db.refused(&[
        "request",
        "event",
        "--agency",
        AG,
        "--number",
        "2024-001",
        "--on",
        "2024-03-02",
        "--by",
        "王五",
        "correction-received",
    ]);
    assert!(e.contains("早于上一事件"), "{e}");
    let e = db.refused(&[
        "request",
        "event",
        "--agency",
        AG,
        "--number",
        "2024-001",
        "--on",
        "2024-03-06",
        "--by",
        "王五",
        "fee-paid",
    ]);
    assert!(e.contains("尚未发出收费通知"), "{e}");
    let e = db.refused(&[
        "request",
        "event",
        "--agency",
        AG,
        "--number",
        "2024-001",
        "--on",
        "2024-03-06",
        "--by",
        "王五",
        "reply",
        "--outcome",
        "total",
    ]);
    assert!(e.contains("不是办理结果的具体项"), "{e}");
    // 逾期不补正 before the period lapsed.
    let e = db.refused(&[
        "request",
        "event",
        "--agency",
        AG,
        "--number",
        "2024-001",
        "--on",
        "2024-03-10",
        "--by",
        "王五",
        "reply",
        "--outcome",
        "other_handling.no_correction",
    ]);
    assert!(e.contains("补正期限"), "{e}");
    // The free tier is not charged.
    let e = db.refused(&[
        "request",
        "event",
        "--agency",
        AG,
        "--number",
        "2024-001",
        "--on",
        "2024-03-06",
        "--by",
        "王五",
        "fee-notice",
        "--method",
        "per_page",
        "--units",
        "10",
    ]);
    assert!(e.contains("免费"), "{e}");
    // After the reply nothing more.
    event_ok(db, "2024-001", "2024-03-20", &["reply", "--outcome", "other_handling.no_correction"]);
    let e = db.refused(&[
        "request",
        "event",
        "--agency",
        AG,
        "--number",
        "2024-001",
        "--on",
        "2024-03-21",
        "--by",
        "王五",
        "withdrawal",
    ]);
    assert!(e.contains("其后不能再记录事件"), "{e}");
    // Unknown request; unknown outcome.
    let e = db.refused(&[
        "request",
        "event",
        "--agency",
        AG,
        "--number",
        "nope",
        "--on",
        "2024-03-21",
        "--by",
        "王五",
        "fee-paid",
    ]);
    assert!(e.contains("没有受理编号为「nope」的申请"), "{e}");
    let o = event(db, "2024-001", "2024-03-21", &["reply", "--outcome", "granted_please"]);
    assert_eq!(o.status.code(), Some(2));
    // Nothing of the refused events was stored.
    let s = show(db, "2024-001", "2024-04-01");
    assert_eq!(s["events"].as_array().unwrap().len(), 2, "{s}");
    // A duplicate tracking number is refused too.
    let o = db.gk(&[
        "request",
        "add",
        "--agency",
        AG,
        "--number",
        "2024-001",
        "--channel",
        "post",
        "--received",
        "2024-05-01",
        "--applicant-type",
        "commercial",
        "--applicant-name",
        "某公司",
        "--content",
        "x",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("不能重复登记"), "{}", stderr(&o));
}

/// Issue 18 item 4 (Art. 49, Art. 50): the check runs against the date chosen; an error blocks
/// even with `--yes`; warnings and empty sections are accepted by `--yes` only, and without it
/// and without a terminal nothing is published.
fn publishing_is_checked_against_the_chosen_date_and_confirmed(db: &Db) {
    setup_agency(db);
    add_request(db, "2024-001", "2024-03-01", &[]);
    event_ok(db, "2024-001", "2024-03-20", &["reply", "--outcome", "granted"]);
    let publish = |date: &str, extra: &[&str]| {
        db.gk(&[&["report", "publish", "--agency", AG, "--year", "2024", "--date", date][..], extra].concat())
    };
    let published = || {
        common::rt().block_on(async {
            let store = gongkai_store::Store::connect(&db.url, &db.key()).await.unwrap();
            let p = store.get_publication(AG, 2024).await.unwrap().and_then(|p| p.published_on);
            store.close().await;
            p.map_or(Value::Null, |d| Value::String(d.to_string()))
        })
    };

    // Checked against the date chosen: after 31 January a department is late (Art. 49); the
    // sections without text and what the publication locks are listed; nothing is stored.
    let late = publish("2025-02-10", &["--check"]);
    assert!(late.status.success(), "{}", stderr(&late));
    let listing = stdout(&late);
    for expected in [
        "发布前核对：杭州市财政局（330100-czj）2024 年度报告，发布日期 2025-02-10",
        "发布后锁定：申请登记 1 件",
        "警告 1 处（须确认）",
        "发布日期2025-02-10晚于2025-01-31",
        "一、总体情况",
        "五、存在的主要问题及改进情况",
        "核对结果：可以发布，但须确认",
    ] {
        assert!(listing.contains(expected), "{expected}: {listing}");
    }
    assert!(!listing.contains("meta.deadline") && !listing.contains("未核对"), "{listing}");
    let on_time = stdout(&publish("2025-01-20", &["--check"]));
    assert!(!on_time.contains("第四十九条"), "{on_time}");
    assert_eq!(published(), Value::Null);

    // No terminal and no --yes: refused, saying how to confirm; nothing stored.
    let o = publish("2025-01-20", &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("没有终端可供确认") && stderr(&o).contains("--yes"), "{}", stderr(&o));
    assert_eq!(published(), Value::Null);

    // A narrative that says 30 cases were corrected when table 4 has none: flagged (a warning
    // to confirm — prose is read by rule of thumb, so it does not block by itself).
    let text = db.path("review.txt");
    std::fs::write(&text, "本年度政府信息公开行政复议案件中有30件被纠正。\n").unwrap();
    let text = text.to_str().unwrap();
    db.ok(&["narrative", "set", "--agency", AG, "--year", "2024", "--section", "review_litigation", "--file", text]);
    let listing = stdout(&publish("2025-01-20", &["--check"]));
    assert!(
        listing.contains("“本年度政府信息公开行政复议案件中有30件被纠正”为30，与表四“行政复议”结果纠正(0)不一致"),
        "{listing}"
    );

    // A register entry that cannot be counted (a case decided with no result, as an older
    // system's data may hold): an error, which --yes does not pass; nothing stored.
    let case = gongkai_core::register::Case {
        agency: AG.into(),
        number: "复议2024-1".into(),
        group: gongkai_core::report::CaseGroup::Review,
        request: None,
        filed_on: "2024-04-01".parse().unwrap(),
        decided_on: Some("2024-06-01".parse().unwrap()),
        result: None,
    };
    common::rt().block_on(async {
        let store = gongkai_store::Store::connect(&db.url, &db.key()).await.unwrap();
        store.insert_case(&case).await.unwrap();
        store.close().await;
    });
    let o = publish("2025-01-20", &["--yes"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("无法统计的登记 1 条") && stdout(&o).contains("已记录审结日期 2024-06-01，但未记录结果"),
        "{}",
        stdout(&o)
    );
    assert!(stdout(&o).contains("核对结果：不能发布"), "{}", stdout(&o));
    assert!(stderr(&o).contains("请先更正"), "{}", stderr(&o));
    assert_eq!(published(), Value::Null);

    // Corrected: --yes accepts the warnings and the empty sections, and publishes.
    common::rt().block_on(async {
        let store = gongkai_store::Store::connect(&db.url, &db.key()).await.unwrap();
        let decided =
            gongkai_core::register::Case { result: Some(gongkai_core::report::CaseResult::Corrected), ..case };
        store.update_case(&decided).await.unwrap();
        store.close().await;
    });
    std::fs::write(text, "本年度政府信息公开行政复议案件1件，结果纠正。\n").unwrap();
    db.ok(&["narrative", "set", "--agency", AG, "--year", "2024", "--section", "review_litigation", "--file", text]);
    let out = db.ok(&["report", "publish", "--agency", AG, "--year", "2024", "--date", "2025-02-10", "--yes"]);
    assert!(out.contains("核对结果：可以发布，但须确认") && out.contains("已发布"), "{out}");
    assert_eq!(published(), "2025-02-10");
    // And the year is not published twice.
    let o = publish("2025-02-11", &["--yes"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("不能再次发布"), "{}", stderr(&o));
}

fn publish_locks_the_year_and_amendments_are_visible(db: &Db) {
    setup_agency(db);
    add_request(db, "2024-001", "2024-03-01", &[]);
    event_ok(db, "2024-001", "2024-03-20", &["reply", "--outcome", "granted"]);
    add_request(db, "2024-002", "2024-12-20", &[]);
    let text = db.path("overview.txt");
    std::fs::write(&text, "2024年，市财政局认真贯彻落实《条例》。\n").unwrap();
    let text = text.to_str().unwrap();
    db.ok(&["narrative", "set", "--agency", AG, "--year", "2024", "--section", "overview", "--file", text]);
    let out = db.ok(&["report", "publish", "--agency", AG, "--year", "2024", "--date", "2025-01-20", "--yes"]);
    assert!(out.contains("已锁定"), "{out}");
    let before = report(db, AG, "2024");
    assert_eq!(before["published_on"], "2025-01-20");
    assert!(before["provenance"]["notes"].as_array().unwrap().is_empty());

    // Every change to 2024 is refused now …
    let o = db.gk(&[
        "request",
        "add",
        "--agency",
        AG,
        "--number",
        "2024-003",
        "--channel",
        "post",
        "--received",
        "2024-06-01",
        "--applicant-type",
        "commercial",
        "--applicant-name",
        "某公司",
        "--content",
        "补录的申请",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(e.contains("已锁定") && e.contains("--amend"), "{e}");
    let e = stderr(&event(db, "2024-002", "2024-12-30", &["consultation-sent", "--party", "某公司"]));
    assert!(e.contains("已锁定"), "{e}");
    let e =
        db.refused(&["narrative", "set", "--agency", AG, "--year", "2024", "--section", "problems", "--file", text]);
    assert!(e.contains("已锁定"), "{e}");
    assert_eq!(report(db, AG, "2024"), before, "nothing of 2024 changed");
    // … but work on the request carried forward into 2025 goes on.
    event_ok(db, "2024-002", "2025-01-06", &["consultation-sent", "--party", "某公司"]);

    // With --amend the change is stored and recorded; the report says so.
    let out = db.ok(&[
        "request",
        "add",
        "--agency",
        AG,
        "--number",
        "2024-003",
        "--channel",
        "post",
        "--received",
        "2024-06-01",
        "--applicant-type",
        "commercial",
        "--applicant-name",
        "某公司",
        "--content",
        "补录的申请",
        "--amend",
        "补录遗漏登记的申请",
        "--by",
        "李四",
    ]);
    assert!(out.contains("已登记更正"), "{out}");
    db.ok(&[
        "request",
        "event",
        "--agency",
        AG,
        "--number",
        "2024-003",
        "--on",
        "2024-06-20",
        "--by",
        "王五",
        "--amend",
        "补录答复",
        "reply",
        "--outcome",
        "unable.not_held",
    ]);
    let after = report(db, AG, "2024");
    assert_eq!(after["requests"]["received"]["total"], 3);
    assert_eq!(after["requests"]["outcomes"]["unable"]["not_held"]["commercial"], 1);
    let notes: Vec<String> = after["provenance"]["notes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["path"] == "amendments")
        .map(|n| n["message"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(notes.len(), 3, "{notes:?}");
    assert!(notes[0].contains("2025-01-20") && notes[0].contains("2 处更正"), "{notes:?}");
    assert!(notes[1].contains("补录遗漏登记的申请") && notes[1].contains("李四"), "{notes:?}");
    assert!(notes[2].contains("补录答复"), "{notes:?}");

    // A spreadsheet with a 2024 request: refused as a whole, accepted with --amend.
    let file = db.path("late.xlsx");
    db.ok(&["register", "export", "--agency", AG, "--year", "2024", "--out", file.to_str().unwrap()]);
    let fresh = if db.is_postgres() { Db::postgres() } else { Db::sqlite() };
    fresh.ok(&["register", "import", file.to_str().unwrap()]);
    fresh.ok(&["report", "publish", "--agency", AG, "--year", "2024", "--date", "2025-01-20", "--yes"]);
    let more = db.path("more.xlsx");
    write_workbook(&more, &[("申请登记", &request_sheet(&[request_row("2024-900", "2024-05-06", "", "")]))]);
    let e = fresh.refused(&["register", "import", more.to_str().unwrap()]);
    assert!(e.contains("申请登记 第2行 “收到日期”列") && e.contains("2024 年度报告") && e.contains("已锁定"), "{e}");
    assert!(e.contains("--amend"), "{e}");
    assert_eq!(report(&fresh, AG, "2024")["requests"]["received"]["total"], 3);
    let out = fresh.ok(&["register", "import", more.to_str().unwrap(), "--amend", "补录纸质台账"]);
    assert!(out.contains("已登记更正 1 条"), "{out}");
    assert_eq!(report(&fresh, AG, "2024")["requests"]["received"]["total"], 4);
}

fn xlsx_import_feeds_the_report(db: &Db) {
    let t = db.path("t.xlsx");
    let out = db.ok(&["register", "template", "--out", t.to_str().unwrap()]);
    assert!(out.contains("模板"), "{out}");
    // The shipped example is exactly what `register template` writes.
    let shipped = std::fs::read(root().join("examples/registers-example.xlsx")).expect(
        "examples/registers-example.xlsx (regenerate: gongkai register template --out examples/registers-example.xlsx)",
    );
    assert!(
        shipped == std::fs::read(&t).unwrap(),
        "examples/registers-example.xlsx is stale: gongkai register template --out examples/registers-example.xlsx"
    );
    let dry = db.ok(&["register", "import", t.to_str().unwrap(), "--dry-run"]);
    assert!(dry.contains("校验通过"), "{dry}");
    assert!(db.json(&["agency", "list", "--json"]).as_array().unwrap().is_empty(), "dry run stores nothing");
    let out = db.ok(&["register", "import", t.to_str().unwrap()]);
    assert!(out.contains("申请登记 5"), "{out}");

    // Table 3 totals are the imported rows: 5 received in 2024, 4 finished, 1 carried forward.
    let r = report(db, "EX01-czj", "2024");
    let t3 = &r["requests"];
    assert_eq!(t3["received"]["total"], 5);
    assert_eq!(t3["received"]["natural_person"], 3);
    assert_eq!(t3["received"]["commercial"], 1);
    assert_eq!(t3["received"]["legal_services"], 1);
    assert_eq!(t3["outcomes"]["total"]["total"], 4);
    assert_eq!(t3["outcomes"]["granted"]["total"], 1);
    assert_eq!(t3["outcomes"]["partially_granted"]["commercial"], 1);
    assert_eq!(t3["outcomes"]["withheld"]["process_information"]["total"], 1);
    assert_eq!(t3["outcomes"]["other_handling"]["other"]["total"], 1);
    assert_eq!(t3["carried_forward"]["total"], 1);
    assert_eq!(r["review_litigation"]["review"]["upheld"], 1);
    assert_eq!(r["review_litigation"]["litigation_direct"]["pending"], 1);
    assert_eq!(r["proactive"]["normative_documents"]["issued"], 3);
    // Every cell lists its rows.
    let o = db.gk(&[
        "report",
        "generate",
        "--agency",
        "EX01-czj",
        "--year",
        "2024",
        "--explain",
        "requests.received.total",
    ]);
    assert_eq!(stdout(&o).lines().count(), 5);
    // The imported requests are live registers: their state and events are there.
    let s = db.json(&[
        "request",
        "show",
        "--agency",
        "EX01-czj",
        "--number",
        "2024-0003",
        "--today",
        "2024-08-01",
        "--json",
    ]);
    assert_eq!(s["status"], "replied");
    assert_eq!(s["events"].as_array().unwrap().len(), 4);
    assert!(s["original_due"].is_string());
    // The shipped example imports the same way (into a database that has it already: refused).
    let e = db.refused(&["register", "import", root().join("examples/registers-example.xlsx").to_str().unwrap()]);
    assert!(e.contains("已登记，不能重复导入"), "{e}");
}

fn xlsx_with_one_bad_row_stores_nothing(db: &Db) {
    let mut rows: Vec<Vec<String>> =
        (1..=5).map(|i| request_row(&format!("2024-{i:03}"), "2024-03-01", "2024-03-20", "予以公开")).collect();
    rows.push(request_row("2024-006", "2024-13-01", "", ""));
    let file = db.path("bad.xlsx");
    write_workbook(&file, &[("机关", &agency_sheet()), ("申请登记", &request_sheet(&rows))]);
    // Row 7 of the sheet (header + 6 rows) holds the bad date.
    let e = db.refused(&["register", "import", file.to_str().unwrap()]);
    assert!(e.contains("申请登记 第7行 “收到日期”列：「2024-13-01」不是有效日期"), "{e}");
    assert!(e.contains("未导入任何数据"), "{e}");
    // Nothing at all: not the agency of the 机关 sheet, not the five good rows.
    assert!(db.json(&["agency", "list", "--json"]).as_array().unwrap().is_empty());

    // A refused transition in 办理过程 is named by its row; other mistakes by their cell.
    let mut rows: Vec<Vec<String>> =
        (1..=3).map(|i| request_row(&format!("2024-{i:03}"), "2024-03-01", "", "")).collect();
    rows[1][11] = "2024-03-20".into(); // 答复日期 without 办理结果
    rows[2][3] = "飞鸽传书".into();
    let events = vec![
        event_row("2024-001", "2024-03-04", "补正告知", &[(5, "请明确"), (6, "10")]),
        event_row("2024-001", "2024-03-05", "补正告知", &[(5, "再次"), (6, "10")]),
        event_row("2024-009", "2024-03-05", "缴费", &[]),
    ];
    write_workbook(
        &file,
        &[("机关", &agency_sheet()), ("申请登记", &request_sheet(&rows)), ("办理过程", &events_sheet(&events))],
    );
    let e = db.refused(&["register", "import", file.to_str().unwrap()]);
    for want in [
        "申请登记 第3行 “办理结果”列：填写了答复日期，须同时填写办理结果",
        "申请登记 第4行 “渠道”列：「飞鸽传书」不是可选的值",
        "办理过程 第4行 “受理编号”列：受理编号「2024-009」（机关 330100-czj）不在“申请登记”表中",
        "办理过程 第3行 “事件”列：申请「2024-001」的“补正告知”（2024-03-05）不能登记",
        "一次性告知",
    ] {
        assert!(e.contains(want), "missing «{want}» in:\n{e}");
    }
    assert!(db.json(&["agency", "list", "--json"]).as_array().unwrap().is_empty());

    // An agency that is neither registered nor in the 机关 sheet.
    write_workbook(&file, &[("申请登记", &request_sheet(&[request_row("2024-001", "2024-03-01", "", "")]))]);
    let e = db.refused(&["register", "import", file.to_str().unwrap()]);
    assert!(e.contains("申请登记 第2行 “机关代码”列：机关代码「330100-czj」未登记"), "{e}");
}

fn xlsx_export_import_round_trips(db: &Db) {
    // Registers from every path: the template, then CLI additions across two years.
    let t = db.path("t.xlsx");
    db.ok(&["register", "template", "--out", t.to_str().unwrap()]);
    db.ok(&["register", "import", t.to_str().unwrap()]);
    setup_agency(db);
    add_request(db, "2023-050", "2023-12-15", &[]);
    event_ok(db, "2023-050", "2023-12-18", &["fee-notice", "--method", "per_request", "--units", "12"]);
    event_ok(db, "2023-050", "2024-01-05", &["fee-paid"]);
    event_ok(
        db,
        "2023-050",
        "2024-01-20",
        &["reply", "--outcome", "not_processed.duplicate", "--note", "已于2023年12月1日答复（2023-049）"],
    );
    add_request(db, "2024-001", "2024-02-01", &["--amend", "unused: no year is locked"]);
    event_ok(db, "2024-001", "2024-02-05", &["consultation-sent", "--party", "甲"]);

    let fresh = if db.is_postgres() { Db::postgres() } else { Db::sqlite() };
    let e1 = db.path("e1.xlsx");
    let e2 = db.path("e2.xlsx");
    for ag in [AG, "EX01-czj"] {
        db.ok(&["register", "export", "--agency", ag, "--out", e1.to_str().unwrap()]);
        fresh.ok(&["register", "import", e1.to_str().unwrap()]);
        fresh.ok(&["register", "export", "--agency", ag, "--out", e2.to_str().unwrap()]);
        assert_eq!(cells(&e1), cells(&e2), "export → import → export of {ag}");
        for year in ["2023", "2024", "2025"] {
            assert_eq!(report(db, ag, year), report(&fresh, ag, year), "{ag} {year}");
        }
    }
    // The request list (with statuses) is the same too.
    let list = |d: &Db| d.ok(&["request", "list", "--agency", AG, "--today", "2024-03-01"]);
    assert_eq!(list(db), list(&fresh));
    // The masked identity document survives the round trip in full underneath.
    let s = fresh.json(&["request", "show", "--agency", AG, "--number", "2024-001", "--today", "2024-03-01", "--json"]);
    assert_eq!(s["applicant"]["id_document"], "110***********1234");

    // --year exports what that year's report is computed from: the same report again.
    let y = db.path("y2024.xlsx");
    db.ok(&["register", "export", "--agency", AG, "--year", "2024", "--out", y.to_str().unwrap()]);
    let third = Db::sqlite();
    third.ok(&["register", "import", y.to_str().unwrap()]);
    assert_eq!(report(db, AG, "2024"), report(&third, AG, "2024"));
    let sheets = cells(&y);
    assert_eq!(sheets["申请登记"].len(), 3, "header + 2023-050 (carried over) + 2024-001");
}

/// Issue 18 item 3: the disclosure guide is a sheet of the register workbook, checked with the
/// guide's one rule (an empty Art. 12 field refused at its cell, nothing stored), stored as a
/// version of its history, exported again, and not re-versioned when imported unchanged.
fn xlsx_carries_the_disclosure_guide(db: &Db) {
    setup_agency(db);
    let header = [
        "机关代码",
        "政府信息公开工作机构名称",
        "办公地址",
        "邮政编码",
        "办公时间",
        "联系电话",
        "传真号码",
        "互联网联系方式",
        "电子邮箱",
        "一、主动公开：范围、方式和时限",
        "二、政府信息公开目录的分类与编排体系",
        "三、依申请公开：受理机构、提出方式、办理期限",
        "四、收费",
        "五、监督和救济",
        "更新日期",
    ];
    let row = |fax: &str| -> Vec<String> {
        [
            AG,
            "杭州市财政局办公室",
            "杭州市解放东路18号",
            "310000",
            "工作日 9:00-17:00",
            "0571-87000000",
            fax,
            "杭州市财政局门户网站“依申请公开”栏目",
            "gk@czj.example.gov.cn",
            "本机关主动公开机构职能、政策文件、财政预决算等信息。",
            "目录按主题分类、按发布时间倒序编排。",
            "申请人可以通过在线申请、信函、当面提交等方式提出申请。",
            "依申请提供政府信息，一般不收取费用。",
            "可以依法申请行政复议或者提起行政诉讼。",
            "2026-11-20",
        ]
        .iter()
        .map(|v| v.to_string())
        .collect()
    };
    let file = db.path("guide.xlsx");
    write_workbook(&file, &[("公开指南", &with_header(&header, &[row("")]))]);
    let e = db.refused(&["register", "import", file.to_str().unwrap()]);
    assert!(e.contains("公开指南 第2行 “传真号码”列：传真号码：不能为空（条例第十二条）"), "{e}");
    assert_eq!(db.ok(&["guide", "show", "--agency", AG, "--json"]).trim(), "null", "nothing stored");

    write_workbook(&file, &[("公开指南", &with_header(&header, &[row("0571-87000001")]))]);
    let out = db.ok(&["register", "import", file.to_str().unwrap()]);
    assert!(out.contains("公开指南"), "{out}");
    let g = db.json(&["guide", "show", "--agency", AG, "--json"]);
    assert_eq!((g["fax"].as_str(), g["updated_on"].as_str()), (Some("0571-87000001"), Some("2026-11-20")));
    assert_eq!(g["sections"]["catalogue"], "目录按主题分类、按发布时间倒序编排。");
    // The same guide again: no new version.
    db.ok(&["register", "import", file.to_str().unwrap()]);
    let history = db.ok(&["guide", "history", "--agency", AG]);
    assert_eq!(history.lines().filter(|l| l.starts_with("第")).count(), 1, "{history}");
    // Exported with the registers, cell for cell.
    let e1 = db.path("guide-export.xlsx");
    db.ok(&["register", "export", "--agency", AG, "--out", e1.to_str().unwrap()]);
    let sheet = &cells(&e1)["公开指南"];
    assert_eq!(sheet[0], header.iter().map(|h| h.to_string()).collect::<Vec<_>>());
    assert_eq!(sheet[1][..14], row("0571-87000001")[..14]);
}

// ---------------------------------------------------------------- workbooks

/// Every sheet's cells as text, by sheet name.
fn cells(path: &Path) -> std::collections::BTreeMap<String, Vec<Vec<String>>> {
    let mut book = calamine::open_workbook_auto(path).unwrap();
    let mut out = std::collections::BTreeMap::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name).unwrap();
        let rows = range
            .rows()
            .map(|r| {
                r.iter()
                    .map(|c| match c {
                        Data::DateTime(d) => format!("{:?}", d.to_ymd_hms_milli()),
                        other => other.to_string(),
                    })
                    .collect()
            })
            .collect();
        out.insert(name, rows);
    }
    out
}

const REQUEST_HEADERS: [&str; 15] = [
    "受理编号",
    "机关代码",
    "收到日期",
    "渠道",
    "申请人类型",
    "申请人姓名/名称",
    "证件号码",
    "联系方式",
    "申请内容",
    "申请形式",
    "获取方式",
    "答复日期",
    "办理结果",
    "答复文书",
    "答复经办人",
];

const EVENT_HEADERS: [&str; 13] = [
    "受理编号",
    "机关代码",
    "日期",
    "经办人",
    "事件",
    "补正内容",
    "补正期限（天）",
    "批准人",
    "延期理由",
    "征求对象",
    "计收方式",
    "计费数量",
    "收费金额（元）",
];

fn request_row(number: &str, received: &str, replied: &str, outcome: &str) -> Vec<String> {
    let mut r: Vec<String> = vec![
        number,
        AG,
        received,
        "网络",
        "自然人",
        "张三",
        ID,
        "13800000000",
        "申请公开预算",
        "",
        "",
        replied,
        outcome,
        "",
        "王五",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    r.truncate(REQUEST_HEADERS.len());
    r
}

fn event_row(number: &str, on: &str, kind: &str, extra: &[(usize, &str)]) -> Vec<String> {
    let mut r = vec![String::new(); EVENT_HEADERS.len()];
    r[0] = number.into();
    r[1] = AG.into();
    r[2] = on.into();
    r[3] = "王五".into();
    r[4] = kind.into();
    for (i, v) in extra {
        r[*i] = (*v).into();
    }
    r
}

fn with_header(headers: &[&str], rows: &[Vec<String>]) -> Vec<Vec<String>> {
    let mut out = vec![headers.iter().map(|h| (*h).to_string()).collect()];
    out.extend(rows.iter().cloned());
    out
}

fn request_sheet(rows: &[Vec<String>]) -> Vec<Vec<String>> {
    with_header(&REQUEST_HEADERS, rows)
}

fn events_sheet(rows: &[Vec<String>]) -> Vec<Vec<String>> {
    with_header(&EVENT_HEADERS, rows)
}

fn agency_sheet() -> Vec<Vec<String>> {
    with_header(
        &["机关代码", "机关名称", "上级机关代码", "机关类型"],
        &[vec![AG.into(), "杭州市财政局".into(), String::new(), "政府部门".into()]],
    )
}

/// Writes sheets of text cells (dates as text, as many offices type them).
fn write_workbook(path: &Path, sheets: &[(&str, &Vec<Vec<String>>)]) {
    let mut book = rust_xlsxwriter::Workbook::new();
    for (name, rows) in sheets {
        let ws = book.add_worksheet();
        ws.set_name(*name).unwrap();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    ws.write_string(r as u32, c as u16, v).unwrap();
                }
            }
        }
    }
    book.save(path).unwrap();
}

// ---------------------------------------------------------------- B2.5: the data key

/// `gongkai` makes a data key file for a new database (beside a SQLite file; `data.key` in the
/// data folder for PostgreSQL), readable by its owner only; the identity document number and the
/// contact are ciphertext in the table and clear through the CLI; without the key, with another
/// key file or another `GONGKAI_DATA_KEY`, every command is refused with the reason and the data
/// is intact for the right key.
fn b2_5_the_data_key_encrypts_personal_information_and_is_required(db: &Db) {
    setup_agency(db);
    add_request(db, "2024-001", "2024-03-01", &[]);
    let key_file = if db.is_postgres() { db.path("data").join("data.key") } else { db.path("gongkai.db.key") };
    let key_text = std::fs::read_to_string(&key_file).unwrap_or_else(|e| panic!("{}: {e}", key_file.display()));
    assert_eq!(key_text.trim().len(), 64, "256 bits in hexadecimal");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "the key file is readable by its owner only");
    }

    let stored: Vec<String> = common::rt().block_on(async {
        use sqlx::{Connection, Row};
        let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
        let row = sqlx::query("SELECT applicant_id_document, applicant_contact FROM requests")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        vec![row.try_get("applicant_id_document").unwrap(), row.try_get("applicant_contact").unwrap()]
    });
    for v in &stored {
        assert!(v.starts_with("sm4gcm1:") && !v.contains(ID) && !v.contains("13800000000"), "{v}");
    }
    // Read back through the key (masked 3 + 4 as everywhere, B4.6).
    assert_eq!(show(db, "2024-001", "2024-03-04")["applicant"]["contact"], "138****0000");

    // Without the key file: refused, and the new key made on the way is not left behind.
    let aside = db.path("key.aside");
    std::fs::rename(&key_file, &aside).unwrap();
    let err = db.refused(&["request", "show", "--agency", AG, "--number", "2024-001"]);
    assert!(err.contains("数据密钥与此数据库不符"), "{err}");
    assert!(err.contains(&key_file.display().to_string()), "names the key file: {err}");
    assert!(!key_file.exists(), "the wrong key made on the way is removed");
    // A key file that is not a key: named, with the reason.
    std::fs::write(db.path("bad.key"), "not a key").unwrap();
    let err = db.refused(&["request", "show", "--agency", AG, "--number", "2024-001", "--data-key-file", "bad.key"]);
    assert!(err.contains("bad.key") && err.contains("64 位十六进制"), "{err}");
    // Another key from the environment: refused too.
    let with_env = |key: &str| {
        std::process::Command::new(env!("CARGO_BIN_EXE_gongkai"))
            .env("GONGKAI_NOW", "2026-11-27T02:00:00Z")
            .args(["request", "show", "--agency", AG, "--number", "2024-001", "--today", "2024-03-04", "--json"])
            .current_dir(&db.dir)
            .env("GONGKAI_DATABASE_URL", &db.url)
            .env("GONGKAI_DATA_DIR", db.dir.join("data"))
            .env("GONGKAI_DATA_KEY", key)
            .output()
            .unwrap()
    };
    let o = with_env(&"ab".repeat(32));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("数据密钥与此数据库不符") && stderr(&o).contains("GONGKAI_DATA_KEY"), "{}", stderr(&o));
    // The right key, from the environment or the file put back: everything is there.
    let o = with_env(key_text.trim());
    assert!(o.status.success(), "{}", stderr(&o));
    // Decrypted (its first 3 and last 4 digits), then masked as everywhere (B4.6).
    assert!(stdout(&o).contains("138****0000"), "{}", stdout(&o));
    std::fs::rename(&aside, &key_file).unwrap();
    // Read back through the key (masked 3 + 4 as everywhere, B4.6).
    assert_eq!(show(db, "2024-001", "2024-03-04")["applicant"]["contact"], "138****0000");

    // B3.3 key change: a new key replaces the key file, every value is re-encrypted under it, and
    // the old key no longer opens the database.
    let out = db.ok(&["db", "rotate-data-key"]);
    assert!(out.contains("已更换数据密钥：1 行重新加密"), "{out}");
    let new_key = std::fs::read_to_string(&key_file).unwrap();
    assert_ne!(new_key.trim(), key_text.trim());
    // Read back through the key (masked 3 + 4 as everywhere, B4.6).
    assert_eq!(show(db, "2024-001", "2024-03-04")["applicant"]["contact"], "138****0000");
    let o = with_env(key_text.trim());
    assert_eq!(o.status.code(), Some(2), "the old key is refused");
    // To a file that exists already: refused, nothing changed.
    std::fs::write(db.path("taken.key"), "x").unwrap();
    let err = db.refused(&["db", "rotate-data-key", "--new-key-file", "taken.key"]);
    assert!(err.contains("taken.key"), "{err}");
    assert_eq!(std::fs::read_to_string(&key_file).unwrap(), new_key);

    // B4.4 on the command line: off until set, out of range refused, then applied to requests
    // closed longer ago than the period only.
    assert!(db.ok(&["db", "personal-data-retention"]).contains("未设置"));
    let err = db.refused(&["db", "personal-data-retention", "--set", "0"]);
    assert!(err.contains("个人信息保存期限应为 1 至 100 年"), "{err}");
    db.ok(&["db", "personal-data-retention", "--set", "2"]);
    event_ok(db, "2024-001", "2024-03-20", &["reply", "--outcome", "granted"]);
    assert!(db.ok(&["db", "purge-personal-data", "--today", "2026-03-19"]).contains("已将 0 件"));
    assert!(db.ok(&["db", "purge-personal-data", "--today", "2026-03-20"]).contains("已将 1 件"));
    let shown = show(db, "2024-001", "2026-03-20");
    assert_eq!(shown["applicant"]["name"], "（已匿名化）");
    assert_eq!(shown["applicant"]["contact"], Value::Null);
}

/// `gongkai audit verify` (issue 21 item 6): the agencies, a registration and an event of the
/// command line are audited in their own transactions, the chain verifies (exit 0, the count); a record altered in
/// the table is exit 1 naming it, in Chinese.
fn audit_verify_passes_on_an_intact_chain_and_names_the_first_broken_record(db: &Db) {
    setup_agency(db);
    add_request(db, "2024-001", "2024-03-01", &[]);
    event_ok(db, "2024-001", "2024-03-10", &["reply", "--outcome", "granted"]);
    let out = db.ok(&["audit", "verify"]);
    let count: usize = out
        .trim()
        .strip_prefix("审计记录共 ")
        .and_then(|rest| rest.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{out}"));
    assert_eq!(count, 4, "the two agencies, the request and its reply are audited: {out}");
    assert!(out.contains("哈希链完整"), "{out}");
    common::rt().block_on(async {
        use sqlx::Connection;
        let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
        sqlx::query("UPDATE audit_events SET detail = 'x' WHERE seq = 2").execute(&mut conn).await.unwrap();
    });
    let o = db.gk(&["audit", "verify"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(stderr(&o).contains("审计记录哈希链在第 2 条处断开：第 2 条记录已被改动"), "{}", stderr(&o));
}

/// The data key file `gongkai` made for `db` (its default place).
fn key_file(db: &Db) -> PathBuf {
    if db.is_postgres() {
        db.path("data/data.key")
    } else {
        db.path("gongkai.db.key")
    }
}

/// A second, empty database of the same backend.
fn empty_like(db: &Db) -> Db {
    if db.is_postgres() {
        Db::postgres()
    } else {
        Db::sqlite()
    }
}

/// Issue 21 item 5: `gongkai db backup` takes a snapshot of the database in use and `gongkai db
/// restore` puts it into a new database, where the reports come out byte for byte the same and
/// the audit chain is the same (count and newest hash). Refused, leaving nothing behind: a
/// backup over an existing file, a restore over a database that holds data, with another key or
/// with no key.
fn backup_and_restore_give_identical_reports_and_audit_chain(db: &Db) {
    setup_agency(db);
    add_request(db, "2024-001", "2024-03-01", &[]);
    event_ok(db, "2024-001", "2024-03-10", &["reply", "--outcome", "granted"]);
    add_request(db, "2024-002", "2024-11-20", &[]);
    event_ok(db, "2024-002", "2024-12-02", &["reply", "--outcome", "unable.not_held"]);
    add_request(db, "2024-003", "2024-12-20", &[]);
    let generate = |d: &Db| d.ok(&["report", "generate", "--agency", AG, "--year", "2024"]);
    let request = |d: &Db| d.ok(&["request", "show", "--agency", AG, "--number", "2024-001", "--json"]);
    let (report, shown, chain) = (generate(db), request(db), db.ok(&["audit", "verify"]));
    assert!(chain.contains("最新一条为第 7 条"), "{chain}");

    let backup = db.path("gongkai.backup");
    let out = db.ok(&["db", "backup", "--out", backup.to_str().unwrap()]);
    assert!(out.contains("已备份到") && out.contains("恢复时需要数据密钥文件"), "{out}");
    let again = db.refused(&["db", "backup", "--out", backup.to_str().unwrap()]);
    assert!(again.contains("已存在"), "{again}");

    // Restored into a new database with the key it had: the same reports, the same chain.
    let target = empty_like(db);
    let key = key_file(db);
    let from = ["db", "restore", "--from", backup.to_str().unwrap()];
    let no_key = target.refused(&from);
    assert!(no_key.contains("恢复需要备份时的数据密钥：找不到密钥文件"), "{no_key}");
    let restored = target.ok(&[&from[..], &["--data-key-file", key.to_str().unwrap()]].concat());
    assert!(restored.contains("审计记录 7 条，哈希链完整"), "{restored}");
    assert_eq!(generate(&target), report, "the report, byte for byte");
    assert_eq!(request(&target), shown, "the request with its personal information");
    assert_eq!(target.ok(&["audit", "verify"]), chain, "the audit chain: count and newest hash");
    // A database that now holds data is not restored over.
    let over = target.refused(&[&from[..], &["--data-key-file", key.to_str().unwrap()]].concat());
    assert!(over.contains("已存在") || over.contains("张表"), "{over}");
    assert_eq!(generate(&target), report);

    // Another key: refused, the new database left as empty as it was.
    let other = empty_like(db);
    let wrong = other.path("wrong.key");
    std::fs::write(&wrong, "ab".repeat(32)).unwrap();
    let refused = other.refused(&[&from[..], &["--data-key-file", wrong.to_str().unwrap()]].concat());
    assert!(refused.contains("数据密钥不是备份时数据库的密钥"), "{refused}");
    if db.is_postgres() {
        common::rt().block_on(async {
            use sqlx::Connection;
            let mut conn = sqlx::AnyConnection::connect(&other.url).await.unwrap();
            let n: i64 = sqlx::Row::get(
                &sqlx::query(
                    "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = current_schema()",
                )
                .fetch_one(&mut conn)
                .await
                .unwrap(),
                "n",
            );
            assert_eq!(n, 0, "nothing restored under the wrong key");
        });
    } else {
        let left: Vec<String> = std::fs::read_dir(&other.dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("gongkai.db"))
            // The empty file the test kit made (as `db migrate` would) is not a restored one.
            .filter(|n| n != "gongkai.db" || std::fs::metadata(other.dir.join(n)).map_or(true, |m| m.len() > 0))
            .collect();
        assert!(left.is_empty(), "no database file, no stray file: {left:?}");
    }
}

/// `gongkai agency add` goes through `gongkai_app::agencies::register`: each registration or
/// change has its audit record (in the same transaction), a refusal says in Chinese which parent
/// is wrong and is audited as a failure, and nothing of a refused change is stored.
fn agencies_are_registered_through_the_use_case_audited_and_refused_in_chinese(db: &Db) {
    setup_agency(db);
    let unknown =
        db.refused(&["agency", "add", "--code", "X1", "--name", "某局", "--parent", "NOPE", "--kind", "department"]);
    assert!(unknown.contains("上级机关「NOPE」未登记，请先登记上级机关"), "{unknown}");
    let cycle = db.refused(&[
        "agency",
        "add",
        "--code",
        "330100",
        "--name",
        "杭州市人民政府",
        "--parent",
        AG,
        "--kind",
        "government",
    ]);
    assert!(cycle.contains("机关隶属关系不能形成循环"), "{cycle}");
    let blank = db.refused(&["agency", "add", "--code", "X2", "--name", " ", "--kind", "department"]);
    assert!(blank.contains("机关名称：不能为空"), "{blank}");
    db.ok(&[
        "agency",
        "add",
        "--code",
        AG,
        "--name",
        "杭州市财政局（更名）",
        "--parent",
        "330100",
        "--kind",
        "department",
    ]);
    let listed = db.ok(&["agency", "list"]);
    assert!(listed.contains("杭州市财政局（更名）") && !listed.contains("X1"), "{listed}");
    assert!(
        db.ok(&["audit", "verify"]).starts_with("审计记录共 6 条"),
        "two registrations, three refusals, one change"
    );
    common::rt().block_on(async {
        use sqlx::Connection;
        let mut conn = sqlx::AnyConnection::connect(&db.url).await.unwrap();
        let rows = sqlx::query(
            "SELECT target, success, detail FROM audit_events WHERE event_type = 'agency.register' ORDER BY seq",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap();
        let got: Vec<(String, i64, String)> = rows
            .iter()
            .map(|r| {
                use sqlx::Row;
                (r.get("target"), r.get::<i64, _>("success"), r.get::<Option<String>, _>("detail").unwrap_or_default())
            })
            .collect();
        assert_eq!(got.len(), 6, "{got:?}");
        assert_eq!((got[0].0.as_str(), got[0].1), ("330100", 1));
        assert!(got[0].2.contains("登记机关「杭州市人民政府」"), "{got:?}");
        assert_eq!(got[2].1, 0, "the unknown parent, audited as refused: {got:?}");
        assert!(got[2].2.contains("NOPE"), "{got:?}");
        assert!(got[5].2.contains("「杭州市财政局」改为「杭州市财政局（更名）」"), "{got:?}");
    });
}
