//! Black-box tests of the `gongkai` binary: the exact command forms other tools rely on, exit
//! codes, and the canonical JSON validating against the published schema (docs/report.schema.json).

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn shared() -> PathBuf {
    root().join("testdata")
}

fn gongkai(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .env("GONGKAI_NOW", "2026-11-27T02:00:00Z")
        .args(args)
        .current_dir(root())
        .env("GONGKAI_DATA_DIR", std::env::temp_dir().join(format!("gongkai-cli-test-{}", std::process::id())))
        .output()
        .unwrap_or_else(|e| panic!("cannot run gongkai: {e}"))
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn json(o: &Output) -> Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(o)))
}

fn schema() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("docs/report.schema.json")).unwrap_or_default();
    let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("docs/report.schema.json: {e}"));
    jsonschema::validator_for(&v).unwrap_or_else(|e| panic!("invalid schema: {e}"))
}

fn assert_valid(doc: &Value, what: &str) {
    let v = schema();
    let errors: Vec<String> = v.iter_errors(doc).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{what} does not validate against docs/report.schema.json:\n{}", errors.join("\n"));
}

#[test]
fn the_published_schema_is_the_generated_one() {
    let o = gongkai(&["report", "schema"]);
    assert!(o.status.success());
    let generated = json(&o);
    let published: Value =
        serde_json::from_str(&std::fs::read_to_string(root().join("docs/report.schema.json")).unwrap_or_default())
            .unwrap_or(Value::Null);
    assert_eq!(
        generated, published,
        "docs/report.schema.json is out of date: run `cargo run -p gongkai -- report schema > docs/report.schema.json`"
    );
}

#[test]
fn every_document_gongkai_emits_validates() {
    let mut files: Vec<PathBuf> = vec![shared().join("seeds/000_ac430a0e528d85a1.txt")];
    for e in std::fs::read_dir(root().join("examples")).into_iter().flatten().flatten() {
        // registers-*.xlsx are register spreadsheets (tests/registers.rs), not reports.
        if !e.file_name().to_string_lossy().starts_with("registers-") {
            files.push(e.path());
        }
    }
    for e in std::fs::read_dir(shared().join("corpus/reports")).into_iter().flatten().flatten() {
        if e.path().extension().is_some_and(|x| x == "txt") {
            files.push(e.path());
        }
    }
    assert!(files.len() > 20, "{files:?}");
    for f in &files {
        let p = f.to_string_lossy().to_string();
        let o = gongkai(&["report", "import", &p]);
        assert!(o.status.success(), "{p}: {}", String::from_utf8_lossy(&o.stderr));
        let doc = json(&o);
        assert_eq!(doc["schema"], "gongkai.report/1");
        assert_valid(&doc, &p);
        // The schema really constrains: a wrong template or a float count is refused.
        let mut broken = doc.clone();
        broken["template"] = Value::from("2030");
        assert!(!schema().is_valid(&broken), "{p}: schema accepted template 2030");
        let o = gongkai(&["report", "check", &p, "--json"]);
        let c = json(&o);
        assert_valid(&c["report"], &format!("{p} (check --json)"));
        for f in c["findings"].as_array().into_iter().flatten() {
            for k in ["rule", "severity", "table", "row", "column", "values", "message"] {
                assert!(f.get(k).is_some(), "{p}: finding without {k}: {f}");
            }
        }
    }
}

#[test]
fn check_exit_codes() {
    let ok = gongkai(&["report", "check", "examples/2024-demo-county-natural-resources.txt"]);
    assert_eq!(ok.status.code(), Some(0), "{}", stdout(&ok));
    assert!(stdout(&ok).contains("错误 0"));
    let bad = gongkai(&["report", "check", "examples/2024-demo-county-housing-with-errors.txt"]);
    assert_eq!(bad.status.code(), Some(1), "{}", stdout(&bad));
    let out = stdout(&bad);
    for rule in ["t3.balance", "t3.outcome-sum", "t3.column-sum", "t4.group-sum", "meta.deadline"] {
        assert!(out.contains(rule), "{rule} missing from:\n{out}");
    }
    let missing = gongkai(&["report", "check", "no/such/file.txt"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no/such/file.txt"));
    let junk = std::env::temp_dir().join(format!("gongkai-junk-{}.bin", std::process::id()));
    std::fs::write(&junk, [0u8, 1, 2, 3, 255, 254, 0, 0]).unwrap_or_default();
    let o = gongkai(&["report", "check", &junk.to_string_lossy()]);
    assert_eq!(o.status.code(), Some(2));
    let _ = std::fs::remove_file(junk);
}

#[test]
fn check_json_shape_and_previous_year() {
    let o = gongkai(&[
        "report",
        "check",
        "examples/2024-demo-county-natural-resources.txt",
        "--previous",
        "examples/2023-demo-county-natural-resources.txt",
        "--json",
    ]);
    assert_eq!(o.status.code(), Some(0));
    let v = json(&o);
    assert_eq!(v["report"]["year"], 2024);
    assert_eq!(v["findings"].as_array().map(Vec::len), Some(0), "{v}");
}

#[test]
fn explain_says_where_the_agency_and_the_year_were_read() {
    let o = gongkai(&["report", "check", "examples/2024-demo-county-natural-resources.txt", "--explain"]);
    let out = stdout(&o);
    assert!(
        out.contains("机关 = 示例县自然资源局  ← 第1行标题「示例县自然资源局2024年政府信息公开工作年度报告」"),
        "{out}"
    );
    assert!(out.contains("年度 = 2024  ← 第1行标题「"), "{out}");
    assert!(!out.contains("agency ="), "the internal key is not shown: {out}");
}

#[test]
fn a_missing_sqlite_file_is_refused_by_reading_commands_and_created_by_migrate() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = dir.path().join("gongkai.db");
    let url = format!("sqlite://{}", file.display());
    // Reading or adding: refused, the file named with the command that makes one; nothing made.
    let o = gongkai(&["agency", "list", "--database-url", &url]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(err.contains(&format!("数据库文件 {} 不存在", file.display())), "{err}");
    assert!(err.contains("gongkai db migrate --database-url"), "{err}");
    assert!(!file.exists(), "no database made by a reading command");
    assert!(!dir.path().join("gongkai.db.key").exists(), "no stray key file");
    // A folder that does not exist is not made either, even by a creating command.
    let nested = format!("sqlite://{}", dir.path().join("typo").join("g.db").display());
    let o = gongkai(&["demo", "--database-url", &nested]);
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(err.contains("文件夹") && err.contains("typo") && err.contains("不存在"), "{err}");
    assert!(!dir.path().join("typo").exists());
    // `db migrate` creates the file (no `?mode=rwc` needed) and its key; then reading works.
    let o = gongkai(&["db", "migrate", "--database-url", &url]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(file.exists() && dir.path().join("gongkai.db.key").exists());
    let o = gongkai(&["agency", "list", "--database-url", &url]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn the_demo_hint_names_the_database_it_filled() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let url = format!("sqlite://{}", dir.path().join("demo.db").display());
    let o = gongkai(&["demo", "--database-url", &url, "--agencies", "3", "--requests", "20", "--proactive", "10"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = stdout(&o);
    assert!(out.contains(&format!("gongkai report generate --database-url {url} --agency")), "{out}");
}

/// Runs `gongkai ARGS` with `input` on standard input.
fn gongkai_with_input(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .env("GONGKAI_NOW", "2026-11-27T02:00:00Z")
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    if let Some(mut i) = child.stdin.take() {
        i.write_all(input.as_bytes()).unwrap_or_default();
    }
    child.wait_with_output().unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn init_puts_an_empty_database_into_service_and_refuses_without_leaving_anything() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let file = dir.path().join("office.db");
    let url = format!("sqlite://{}", file.display());
    let init = [
        "init",
        "--database-url",
        &url,
        "--agency",
        "XQ-ZJ",
        "--name",
        "示例县住房和城乡建设局",
        "--kind",
        "department",
        "--admin",
        "zj.admin",
    ];
    // A weak password: refused, nothing left behind.
    let o = gongkai_with_input(&init, "123\n");
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(err.contains("口令不符合要求"), "{err}");
    assert!(!file.exists() && !dir.path().join("office.db.key").exists(), "no stray database or key");
    // The real run: the database, its key, the agency, the administrator, and what to do next.
    let o = gongkai_with_input(&init, "Gongkai-2026!\n");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = stdout(&o);
    assert!(out.contains("本机关：XQ-ZJ 示例县住房和城乡建设局"), "{out}");
    assert!(out.contains(&format!("gongkai serve --database-url {url}")), "{out}");
    assert!(out.contains("/console/login"), "{out}");
    assert!(file.exists() && dir.path().join("office.db.key").exists());
    let users = stdout(&gongkai(&["user", "list", "--database-url", &url]));
    assert!(users.contains("zj.admin") && users.contains("系统管理员"), "{users}");
    // Accounts are disabled, enabled and given a new password from the terminal as in the
    // console (one use case each); a weak new password is refused.
    let add = ["user", "add", "--database-url", &url, "--agency", "XQ-ZJ", "--role", "staff", "--username", "zj.staff"];
    assert!(gongkai_with_input(
        &add,
        "Zj-Staff-2026!
"
    )
    .status
    .success());
    let disable = gongkai(&["user", "disable", "--database-url", &url, "--username", "zj.staff"]);
    assert!(stdout(&disable).contains("用户 zj.staff 已停用"), "{}", String::from_utf8_lossy(&disable.stderr));
    assert!(stdout(&gongkai(&["user", "list", "--database-url", &url])).contains("zj.staff\t经办人员\tXQ-ZJ\t停用"));
    assert!(stdout(&gongkai(&["user", "enable", "--database-url", &url, "--username", "zj.staff"])).contains("已启用"));
    let reset = ["user", "reset-password", "--database-url", &url, "--username", "zj.staff"];
    let weak = gongkai_with_input(&reset, "abc\n");
    assert!(!weak.status.success() && String::from_utf8_lossy(&weak.stderr).contains("口令不符合要求"));
    assert!(stdout(&gongkai_with_input(&reset, "Zj-Reset-2026?\n")).contains("已重置用户 zj.staff 的口令"));
    // An account's role and second-factor requirement, changed from the terminal as in the
    // console (gongkai user set).
    let set = gongkai(&[
        "user",
        "set",
        "--database-url",
        &url,
        "--username",
        "zj.staff",
        "--role",
        "approver",
        "--require-mfa",
        "on",
    ]);
    assert!(
        stdout(&set).contains("用户 zj.staff：审批人员，机关 XQ-ZJ，须使用双因素认证"),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    assert!(stdout(&gongkai(&["user", "list", "--database-url", &url]))
        .contains("zj.staff\t审批人员\tXQ-ZJ\t正常，须双因素认证"));
    let nowhere = gongkai(&["user", "set", "--database-url", &url, "--username", "zj.staff", "--agency", "NOPE"]);
    assert!(!nowhere.status.success() && String::from_utf8_lossy(&nowhere.stderr).contains("NOPE"));
    // The site's identity: its defaults shown as such, set item by item, a malformed item refused.
    let site = stdout(&gongkai(&["site", "show", "--database-url", &url]));
    assert!(site.contains("主办单位：（未配置主办单位）（默认）") && site.contains("网站页脚仍为占位内容"), "{site}");
    let set = gongkai(&[
        "site",
        "set",
        "--database-url",
        &url,
        "--sponsor",
        "示例县人民政府办公室",
        "--id-code",
        "3301000001",
    ]);
    assert!(
        stdout(&set).contains("已保存网站设置") && stdout(&set).contains("主办单位：示例县人民政府办公室"),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
    let shown = json(&gongkai(&["site", "show", "--database-url", &url, "--json"]));
    assert_eq!(
        (shown["site_sponsor"].as_str(), shown["site_id_code"].as_str()),
        (Some("示例县人民政府办公室"), Some("3301000001"))
    );
    let bad = gongkai(&["site", "set", "--database-url", &url, "--error-report-url", "jiucuo"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("应为以 https:// 或 http:// 开头的网址"));
    assert_eq!(json(&gongkai(&["site", "show", "--database-url", &url, "--json"])), shown, "nothing stored");
    // An agency registered by mistake is deleted; the office's own, which has accounts, is not.
    let typo =
        ["agency", "add", "--database-url", &url, "--code", "XQ-ZJJ", "--name", "示例县住建局", "--kind", "department"];
    assert!(gongkai(&typo).status.success());
    let removed = gongkai(&["agency", "remove", "--database-url", &url, "--code", "XQ-ZJJ"]);
    assert!(stdout(&removed).contains("已删除误登记的机关：XQ-ZJJ"), "{}", String::from_utf8_lossy(&removed.stderr));
    let kept = gongkai(&["agency", "remove", "--database-url", &url, "--code", "XQ-ZJ"]);
    assert_eq!(kept.status.code(), Some(2));
    let err = String::from_utf8_lossy(&kept.stderr).to_string();
    assert!(err.contains("已有工作平台账户 2 个") && err.contains("不能删除"), "{err}");
    let nobody = gongkai(&["user", "disable", "--database-url", &url, "--username", "nobody"]);
    assert!(String::from_utf8_lossy(&nobody.stderr).contains("没有用户名为「nobody」的账户"));
    // A second init: refused, the database kept as it was.
    let o = gongkai_with_input(&init, "Gongkai-2026!\n");
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(err.contains("数据库已初始化"), "{err}");
    assert!(file.exists() && dir.path().join("office.db.key").exists(), "an existing database is never removed");
    // No password at all: refused before anything is opened.
    let other = dir.path().join("other.db");
    let other_url = format!("sqlite://{}", other.display());
    let o = gongkai_with_input(
        &["init", "--database-url", &other_url, "--agency", "A", "--name", "甲", "--admin", "a"],
        "",
    );
    assert!(!o.status.success());
    assert!(!other.exists());
}

#[test]
fn stdin_is_read_with_a_dash() {
    let text =
        std::fs::read_to_string(root().join("examples/2024-demo-county-natural-resources.txt")).unwrap_or_default();
    let o = gongkai_with_input(&["report", "import", "-"], &text);
    assert!(o.status.success());
    assert_eq!(json(&o)["agency"], "示例县自然资源局");
}

#[test]
fn render_forms() {
    let f = "examples/2024-demo-county-natural-resources.txt";
    let md = stdout(&gongkai(&["report", "render", f, "--to", "md"]));
    assert!(md.contains("示例县自然资源局2024年政府信息公开工作年度报告"));
    assert!(md.contains("rowspan=\"22\""), "merged 三、本年度办理结果 cell missing");
    let html = stdout(&gongkai(&["report", "render", f, "--to", "html"]));
    assert!(html.starts_with("<!DOCTYPE html>") || html.starts_with("<!doctype html>"));
    assert!(html.contains("<caption"));
    let j = json(&gongkai(&["report", "render", f, "--to", "json"]));
    assert_eq!(j["template"], "2021");
}

#[test]
fn clock_fee_and_calendar_forms() {
    let d = json(&gongkai(&["deadline", "--received", "2026-03-02", "--json"]));
    assert_eq!(d["due"], "2026-03-30");
    assert_eq!(d["estimated"], false);
    let d = json(&gongkai(&["deadline", "--received", "2026-12-10", "--json"]));
    assert_eq!(d["due"].as_str().map(|s| s.starts_with("2027-01")), Some(true));
    assert_eq!(d["estimated"], true);
    let e = json(&gongkai(&["deadline", "--received", "2026-03-02", "--extended", "--json"]));
    assert_eq!(e["original_due"], "2026-03-30");
    let f = json(&gongkai(&["fee", "per-request", "35", "--json"]));
    assert_eq!(f["amount_yuan"], "3000");
    assert!(f["tiers"].as_array().is_some_and(|t| !t.is_empty()));
    let p = json(&gongkai(&["fee", "per-page", "2219", "--json"]));
    assert_eq!(p["amount_yuan"], "83460");
    let cal = stdout(&gongkai(&["calendar", "show", "2026"]));
    assert!(cal.contains("2026-02-14") && cal.contains("2026-02-28"), "{cal}");
    let bad = gongkai(&["deadline", "--received", "2026-02-30"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn calendar_load_adds_a_year_without_rebuilding() {
    let dir = std::env::temp_dir().join(format!("gongkai-cal-{}", std::process::id()));
    let file = dir.join("2027.json");
    std::fs::create_dir_all(&dir).unwrap_or_default();
    std::fs::write(
        &file,
        r#"{"year": 2027, "source": "国务院办公厅关于2027年部分节假日安排的通知（测试数据）",
            "days": [{"date": "2027-01-01", "off": true, "name": "元旦"},
                     {"date": "2027-01-04", "off": true, "name": "元旦"}]}"#,
    )
    .unwrap_or_default();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_gongkai"))
            .env("GONGKAI_NOW", "2026-11-27T02:00:00Z")
            .args(args)
            .env("GONGKAI_DATA_DIR", dir.join("data"))
            .output()
            .unwrap_or_else(|e| panic!("{e}"))
    };
    let before: Value =
        serde_json::from_slice(&run(&["calendar", "show", "2027", "--json"]).stdout).unwrap_or(Value::Null);
    assert_eq!(before["estimated"], true);
    let o = run(&["calendar", "load", &file.to_string_lossy()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let after: Value =
        serde_json::from_slice(&run(&["calendar", "show", "2027", "--json"]).stdout).unwrap_or(Value::Null);
    assert_eq!(after["estimated"], false, "{after}");
    let bad = dir.join("bad.json");
    std::fs::write(&bad, r#"{"year": 2027, "source": "x", "days": [{"date": "2027-02-30", "off": true}]}"#)
        .unwrap_or_default();
    let o = run(&["calendar", "load", &bad.to_string_lossy()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("days[0]"), "{}", String::from_utf8_lossy(&o.stderr));
    let _ = std::fs::remove_dir_all(dir);
}

/// `gongkai serve` shows the site's identity as 网站设置 stores it, with its flags over it, and
/// says at start which footer items are still placeholders.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_shows_the_stored_site_identity_with_its_flags_over_it() {
    use std::io::BufRead;
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let url = format!("sqlite://{}", dir.path().join("site.db").display());
    let init = ["init", "--database-url", &url, "--agency", "XQ", "--name", "示例县人民政府", "--admin", "xq.admin"];
    assert!(gongkai_with_input(&init, "Gongkai-2026!\n").status.success());
    let set = ["site", "set", "--database-url", &url, "--sponsor", "示例县人民政府办公室", "--id-code", "3301000001"];
    assert!(gongkai(&set).status.success());
    let mut child = Command::new(env!("CARGO_BIN_EXE_gongkai"))
        .env("GONGKAI_NOW", "2026-11-27T02:00:00Z")
        .args(["serve", "--database-url", &url, "--bind", "127.0.0.1:0", "--site-id-code", "3301000009"])
        .current_dir(root())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let stderr = child.stderr.take().unwrap_or_else(|| panic!("stderr"));
    // Read to the end (the server must never find its standard error closed); the lines up to
    // the one naming the address are what it said at start.
    let (lines, said_lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    let mut said = Vec::new();
    while let Ok(line) = said_lines.recv_timeout(std::time::Duration::from_secs(30)) {
        let done = line.contains("http://");
        said.push(line);
        if done {
            break;
        }
    }
    let address = said
        .iter()
        .find_map(|l| l.split("http://").nth(1).and_then(|r| r.split('/').next()).map(str::to_string))
        .unwrap_or_else(|| panic!("no address in {said:?}"));
    let home = reqwest::get(format!("http://{address}/")).await.and_then(|r| r.error_for_status());
    let home = match home {
        Ok(r) => r.text().await.unwrap_or_default(),
        Err(e) => String::from("GET / failed: ") + &e.to_string(),
    };
    let _ = child.kill();
    let _ = child.wait();
    assert!(home.contains("主办单位：示例县人民政府办公室"), "stored: {home}");
    assert!(home.contains("网站标识码：3301000009") && !home.contains("3301000001"), "the flag wins: {home}");
    let warnings = said.join("\n");
    assert!(warnings.contains("网站页脚仍为占位内容") && warnings.contains("联系方式"), "{warnings}");
    assert!(!warnings.contains("主办单位（"), "the sponsor is set: {warnings}");
}
