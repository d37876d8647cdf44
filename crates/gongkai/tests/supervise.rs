//! Black-box test of `gongkai supervise` on both backends (a fresh database each): demo
//! registers, then the overview of the whole tree and of one county, as JSON and as a table.

// Test code: a failed unwrap is a failed test (the helpers are not `#[test]` functions).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;
use common::{stderr, Db};

on_both_backends!(
    supervise_json_shape_and_subtree,
    demo_fills_the_proactive_directory,
    supervise_import_published_reports_of_a_folder,
    supervise_imports_listed_and_withdrawn,
    supervise_remind_sends_each_agency_its_reminders
);

/// `gongkai demo --proactive N` stores N directory items spread over the agencies, which the
/// portal lists (the load test of BENCHMARKS.md runs on them).
fn demo_fills_the_proactive_directory(db: &Db) {
    let out = db.ok(&["demo", "--agencies", "5", "--requests", "50", "--proactive", "250"]);
    assert!(out.contains("250 条主动公开信息"), "{out}");
    // Issue 18 item 5: a county that looks real — every guide filled, the past years published
    // (2023 and 2024: the demo's last year, 2025, is left to publish), directory items with
    // their 内容概述 and 生成日期, and the hints name the database.
    assert!(out.contains("5 份公开指南，已发布 10 份往年年度报告"), "{out}");
    assert!(out.contains("启动网站：gongkai serve --database-url "), "{out}");
    let (counts, details, published) = common::rt().block_on(async {
        let store = gongkai_store::Store::connect(&db.url, &db.key()).await.unwrap();
        let mut counts = Vec::new();
        for code in ["DEMO", "DEMO-0001", "DEMO-0004"] {
            counts.push(store.list_proactive(code).await.unwrap().len());
        }
        let details = store.list_proactive_details("DEMO-0001").await.unwrap();
        let mut published = Vec::new();
        for year in 2023..=2025 {
            published.push(store.get_publication("DEMO-0001", year).await.unwrap().and_then(|p| p.published_on));
        }
        store.close().await;
        (counts, details, published)
    });
    assert_eq!(counts, vec![50, 50, 50]);
    assert_eq!(details.len(), 50);
    assert!(details.iter().all(|d| !d.summary.is_empty() && d.review.is_some()), "{details:?}");
    assert!(published[0].is_some() && published[1].is_some() && published[2].is_none(), "{published:?}");
    let guide = db.json(&["guide", "show", "--agency", "DEMO-0001", "--json"]);
    assert_eq!(guide["office"], "示范县自然资源局办公室");
    for key in ["address", "hours", "phone", "fax", "web_contact", "email"] {
        assert!(guide[key].as_str().is_some_and(|v| !v.is_empty()), "{key}: {guide}");
    }
    // The agencies' names are each once in the county.
    let list = db.ok(&["agency", "list"]);
    let names: Vec<&str> = list.lines().filter_map(|l| l.split('\t').nth(1)).collect();
    let distinct: std::collections::BTreeSet<&&str> = names.iter().collect();
    assert_eq!(distinct.len(), names.len(), "{list}");
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
    // The roll-up written as a file like any report: each format reads back to the JSON's tables.
    for format in ["docx", "xlsx", "pdf", "html"] {
        let path = db.path(&format!("rollup.{format}"));
        let p = path.to_str().unwrap();
        let o = db.gk(&[
            "supervise",
            "--agency",
            "DEMO",
            "--year",
            "2024",
            "--today",
            "2025-03-10",
            "--rollup-out",
            p,
            "--rollup-to",
            format,
        ]);
        assert!(o.status.success(), "{format}: {}", stderr(&o));
        assert!(stderr(&o).contains("已写出汇总表"), "{}", stderr(&o));
        let back = gongkai_import::import(&std::fs::read(&path).unwrap(), &format!("rollup.{format}"))
            .unwrap_or_else(|e| panic!("the roll-up's {format} does not read back: {e}"));
        let back = serde_json::to_value(&back).unwrap();
        for key in ["year", "template", "proactive", "requests", "review_litigation"] {
            assert_eq!(back[key], all["rollup"][key], "{format}: {key}");
        }
    }
    // Half of the pair is refused by the parser (exit 2), nothing written.
    let half = db.path("half.docx");
    let o = db.gk(&["supervise", "--agency", "DEMO", "--year", "2024", "--rollup-out", half.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("--rollup-to"), "{}", stderr(&o));
    assert!(!half.exists());

    // An unknown agency: exit 2 with the reason.
    let o = db.gk(&["supervise", "--agency", "NOPE", "--year", "2024"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

fn example(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples").join(name)
}

/// `gongkai supervise import DIR`: agencies that do not use gongkai, their published reports in
/// a folder named by agency code; imported, checked, shown beside the others and rolled up.
fn supervise_import_published_reports_of_a_folder(db: &Db) {
    for (code, name, parent, kind) in [
        ("CTY", "示例县人民政府", None, "government"),
        ("CTY-NR", "示例县自然资源局", Some("CTY"), "department"),
        ("CTY-HS", "示例县住房和城乡建设局", Some("CTY"), "department"),
        ("CTY-EDU", "示例县教育局", Some("CTY"), "department"),
        ("ELSE", "另一县人民政府", None, "government"),
    ] {
        let mut args = vec!["agency", "add", "--code", code, "--name", name, "--kind", kind];
        if let Some(p) = parent {
            args.extend(["--parent", p]);
        }
        db.ok(&args);
    }
    let dir = db.path("published");
    std::fs::create_dir(&dir).unwrap();
    let clean = example("2024-demo-county-natural-resources.txt");
    let wrong = example("2024-demo-county-housing-with-errors.txt");
    std::fs::copy(&clean, dir.join("CTY-NR_2024年报.txt")).unwrap();
    std::fs::copy(&wrong, dir.join("CTY-HS 住建局2024年报.txt")).unwrap();
    std::fs::copy(&clean, dir.join("未命名.txt")).unwrap();
    std::fs::copy(&clean, dir.join("ELSE.txt")).unwrap();
    std::fs::write(dir.join("CTY-EDU.pdf"), b"%PDF-1.4\n not really a PDF").unwrap();

    let o = db.gk(&["supervise", "import", dir.to_str().unwrap(), "--year", "2024", "--within", "CTY"]);
    let (out, err) = (common::stdout(&o), stderr(&o));
    assert_eq!(o.status.code(), Some(2), "some files refused:\n{out}\n{err}");
    assert!(
        out.contains(
            "已导入 CTY-NR_2024年报.txt（文本）→ CTY-NR 示例县自然资源局 2024年度，发布日期 2025-01-20：错误 0 条"
        ),
        "{out}"
    );
    assert!(
        out.contains("已导入 CTY-HS 住建局2024年报.txt（文本）→ CTY-HS") && out.contains("共导入 2 个文件，3 个未导入"),
        "{out}"
    );
    for (file, why) in [
        ("未命名.txt", "文件名未以机关代码开头"),
        ("ELSE.txt", "文件名未以机关代码开头"),
        ("CTY-EDU.pdf", "CTY-EDU.pdf"),
    ] {
        let line = err.lines().find(|l| l.contains(file)).unwrap_or_else(|| panic!("no line for {file}: {err}"));
        assert!(line.starts_with("未导入 ") && line.contains(why), "{line}");
    }

    let o = db.json(&["supervise", "--agency", "CTY", "--year", "2024", "--today", "2025-06-01", "--json"]);
    let agency = |code: &str| o["agencies"].as_array().unwrap().iter().find(|a| a["code"] == code).unwrap().clone();
    let (nr, hs, edu) = (agency("CTY-NR"), agency("CTY-HS"), agency("CTY-EDU"));
    assert_eq!(nr["report"]["source"]["file_name"], "CTY-NR_2024年报.txt", "{nr:#}");
    assert_eq!(nr["report"]["source"]["format"], "文本");
    assert_eq!(nr["report"]["status"], "published_on_time");
    assert_eq!(nr["report"]["published_on"], "2025-01-20");
    assert_eq!(nr["report"]["errors"], 0);
    // Signed 14 February: after the departments' 31 January deadline (Art. 49).
    assert_eq!(hs["report"]["status"], "published_late");
    assert_eq!(hs["report"]["errors"], 4, "{hs:#}");
    assert!(hs["scorecard"]["failed"].as_u64().unwrap() >= 2, "late and inconsistent: {:#}", hs["scorecard"]);
    assert!(edu["report"]["source"].is_null() && edu["report"]["status"] == "missing");
    let included: Vec<&str> = o["included"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    assert!(included.contains(&"CTY-NR") && included.contains(&"CTY-HS"), "{included:?}");
    // The roll-up sums the two files' table 3 (the county's own registers are empty).
    let total = |f: &std::path::Path| {
        db.json(&["report", "import", f.to_str().unwrap()])["requests"]["received"]["total"].as_i64()
    };
    let want = total(&clean).unwrap() + total(&wrong).unwrap();
    assert_eq!(o["rollup"]["requests"]["received"]["total"].as_i64(), Some(want));
    let text = db.ok(&["supervise", "--agency", "CTY", "--year", "2024", "--today", "2025-06-01"]);
    assert!(text.contains("来自已发布文件的年度报告") && text.contains("「CTY-NR_2024年报.txt」"), "{text}");

    // One file for a named agency, with the publication date given.
    let out = db.ok(&[
        "supervise",
        "import",
        clean.to_str().unwrap(),
        "--agency",
        "CTY-EDU",
        "--year",
        "2024",
        "--published-on",
        "2025-01-10",
    ]);
    assert!(out.contains("→ CTY-EDU 示例县教育局 2024年度，发布日期 2025-01-10"), "{out}");
    // Another year's report, an agency outside --within, two files for one agency: refused by name.
    let old = example("2023-demo-county-natural-resources.txt");
    let err = db.refused(&["supervise", "import", old.to_str().unwrap(), "--agency", "CTY-EDU", "--year", "2024"]);
    assert!(err.contains("2023-demo-county-natural-resources.txt") && err.contains("是2023年度的报告"), "{err}");
    let err = db.refused(&[
        "supervise",
        "import",
        clean.to_str().unwrap(),
        "--agency",
        "ELSE",
        "--year",
        "2024",
        "--within",
        "CTY",
    ]);
    assert!(err.contains("不在 CTY 及其下属机关之中"), "{err}");
    let err = db.refused(&[
        "supervise",
        "import",
        clean.to_str().unwrap(),
        wrong.to_str().unwrap(),
        "--agency",
        "CTY-EDU",
        "--year",
        "2024",
    ]);
    assert!(err.contains("--agency 只能与一个文件同用"), "{err}");
    let o = db.json(&["supervise", "--agency", "CTY", "--year", "2024", "--today", "2025-06-01", "--json"]);
    let edu = o["agencies"].as_array().unwrap().iter().find(|a| a["code"] == "CTY-EDU").unwrap().clone();
    assert_eq!(edu["report"]["status"], "published_on_time", "{edu:#}");
}

/// `gongkai supervise imports` and `withdraw-import`: a second import with other figures counts
/// and is an amendment; withdrawn with a reason (bad input refused with the field, exit 2), the
/// first counts again and the history keeps the withdrawn one, marked.
fn supervise_imports_listed_and_withdrawn(db: &Db) {
    for (code, name, parent, kind) in
        [("CTY", "示例县人民政府", None, "government"), ("CTY-NR", "示例县自然资源局", Some("CTY"), "department")]
    {
        let mut args = vec!["agency", "add", "--code", code, "--name", name, "--kind", kind];
        if let Some(p) = parent {
            args.extend(["--parent", p]);
        }
        db.ok(&args);
    }
    assert!(db.ok(&["supervise", "imports", "--agency", "CTY"]).contains("没有导入的已发布年度报告"));
    let (clean, wrong) =
        (example("2024-demo-county-natural-resources.txt"), example("2024-demo-county-housing-with-errors.txt"));
    for f in [&clean, &wrong] {
        db.ok(&["supervise", "import", f.to_str().unwrap(), "--agency", "CTY-NR", "--year", "2024", "--by", "李监督"]);
    }
    let overview = || db.json(&["supervise", "--agency", "CTY", "--year", "2024", "--today", "2025-06-01", "--json"]);
    let nr = |o: &serde_json::Value| {
        o["agencies"].as_array().unwrap().iter().find(|a| a["code"] == "CTY-NR").unwrap().clone()
    };
    let amended = |a: &serde_json::Value| {
        a["scorecard"]["criteria"].as_array().unwrap().iter().find(|c| c["id"] == "quality.amended").unwrap().clone()
    };
    let a = nr(&overview());
    assert_eq!(a["report"]["source"]["file_name"], "2024-demo-county-housing-with-errors.txt");
    assert_eq!(a["report"]["amendments"], 1, "republished with other figures");
    assert_eq!(amended(&a)["verdict"], "fail");
    let text = db.ok(&["supervise", "--agency", "CTY", "--year", "2024", "--today", "2025-06-01"]);
    assert!(text.contains("李监督 导入；发布后以不同的统计数据重新发布 1 次"), "{text}");

    let list = db.json(&["supervise", "imports", "--agency", "CTY", "--json"]);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!((list[0]["current"].as_bool(), list[1]["current"].as_bool()), (Some(true), Some(false)));
    assert!(list[0]["withdrawn"].is_null());
    let newest = list[0]["id"].as_str().unwrap().to_string();

    // Refused, exit 2, the field named; nothing changed.
    let err = db.refused(&["supervise", "withdraw-import", &newest, "--reason", "  "]);
    assert!(err.contains("未撤销（--reason）：撤销理由：不能为空"), "{err}");
    let long = "长".repeat(501);
    assert!(db.refused(&["supervise", "withdraw-import", &newest, "--reason", &long]).contains("不能超过 500 个字符"));
    let err = db.refused(&["supervise", "withdraw-import", "no-such-import", "--reason", "文件选错"]);
    assert!(err.contains("未撤销（ID）：没有编号为「no-such-import」的导入"), "{err}");
    let err = db.refused(&["supervise", "imports", "--agency", "NOPE"]);
    assert!(err.contains("没有代码为「NOPE」的机关") && err.contains("gongkai agency list"), "{err}");
    assert!(db.gk(&["supervise", "withdraw-import", &newest]).status.code() == Some(2), "--reason is required");
    assert!(db
        .json(&["supervise", "imports", "--agency", "CTY", "--json"])
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["withdrawn"].is_null()));

    // Out of scope: refused with the field, nothing changed.
    db.ok(&["agency", "add", "--code", "OTHER", "--name", "另一县人民政府", "--kind", "government"]);
    let err = db.refused(&["supervise", "withdraw-import", &newest, "--reason", "文件选错", "--agency", "OTHER"]);
    assert!(err.contains("未撤销（--agency）：导入") && err.contains("属于机关「CTY-NR」，不在 OTHER"), "{err}");
    assert!(db
        .refused(&["supervise", "withdraw-import", &newest, "--reason", "文件选错", "--agency", "NOPE"])
        .contains("未撤销（--agency）：没有代码为「NOPE」的机关"));
    assert!(db.json(&["supervise", "imports", "--agency", "CTY", "--json"])[0]["withdrawn"].is_null());

    // Withdrawn (in scope): the first import counts again, no amendment; the history marks it.
    let out = db.ok(&[
        "supervise",
        "withdraw-import",
        &newest,
        "--reason",
        "文件选错：是住建局的报告",
        "--by",
        "张三",
        "--agency",
        "CTY",
    ]);
    assert!(
        out.contains(&format!("已撤销导入 {newest}：CTY-NR 2024年度「2024-demo-county-housing-with-errors.txt」")),
        "{out}"
    );
    assert!(out.contains("现以该机关该年度的导入「2024-demo-county-natural-resources.txt」"), "{out}");
    let a = nr(&overview());
    assert_eq!(a["report"]["source"]["file_name"], "2024-demo-county-natural-resources.txt");
    assert_eq!(a["report"]["amendments"], 0);
    assert_eq!(amended(&a)["verdict"], "pass");
    let text = db.ok(&["supervise", "imports", "--agency", "CTY-NR", "--year", "2024"]);
    let line = text.lines().find(|l| l.starts_with(&newest)).unwrap_or_else(|| panic!("{text}"));
    assert!(line.contains("已撤销：文件选错：是住建局的报告（张三，"), "{line}");
    assert!(text.contains("采用") && text.contains("共 2 次导入"), "{text}");
    let list = db.json(&["supervise", "imports", "--agency", "CTY", "--json"]);
    assert_eq!(list[0]["withdrawn"]["withdrawn_by"], "张三");
    assert_eq!(list[0]["current"], false);
    assert_eq!(list[1]["current"], true);
    // Twice: refused, the first withdrawal kept.
    assert!(db.refused(&["supervise", "withdraw-import", &newest, "--reason", "再撤"]).contains("不能再次撤销"));
    let list = db.json(&["supervise", "imports", "--agency", "CTY", "--json"]);
    assert_eq!(list[0]["withdrawn"]["withdraw_reason"], "文件选错：是住建局的报告");

    // The last one withdrawn too: the registers count again (nothing published: missing).
    let first = list[1]["id"].as_str().unwrap().to_string();
    let out = db.ok(&["supervise", "withdraw-import", &first, "--reason", "机关选错"]);
    assert!(out.contains("已无其他导入"), "{out}");
    let a = nr(&overview());
    assert!(a["report"]["source"].is_null() && a["report"]["status"] == "missing", "{a:#}");
}

// The SMTP sink of the test kit, as the web's tests use it.
use gongkai_testkit::smtp_sink as sink;
use sink::{base64_decode, decode_header, parse as parse_message, Received};

/// The sink on its own thread (these tests are synchronous): its port, and every message it
/// accepts.
fn smtp_sink() -> (u16, std::sync::mpsc::Receiver<Received>) {
    let (port_tx, port_rx) = std::sync::mpsc::channel();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        common::rt().block_on(async move {
            let (port, mut messages) = sink::start().await;
            port_tx.send(port).unwrap();
            while let Some(m) = messages.recv().await {
                if tx.send(m).is_err() {
                    break;
                }
            }
        });
    });
    (port_rx.recv().unwrap(), rx)
}

/// `gongkai supervise remind`: without SMTP the messages are listed; with the local sink each
/// agency gets one message at its disclosure guide's e-mail address, in Chinese, correctly
/// encoded; an agency without an address and an unreachable server are reported, never a panic.
fn supervise_remind_sends_each_agency_its_reminders(db: &Db) {
    use gongkai_core::register::{Agency, AgencyKind, Applicant, ApplicantType, Channel, Request};
    common::rt().block_on(async {
        let store = gongkai_store::Store::connect(&db.url, &db.key()).await.unwrap();
        store.migrate().await.unwrap();
        for (code, name, parent, kind) in [
            ("CTY", "示例县人民政府", None, AgencyKind::Government),
            ("CTY-A", "示例县财政局", Some("CTY"), AgencyKind::Department),
            ("CTY-B", "示例县档案馆", Some("CTY"), AgencyKind::Department),
        ] {
            let a = Agency { code: code.into(), name: name.into(), parent: parent.map(Into::into), kind };
            store.upsert_agency(&a).await.unwrap();
        }
        for (code, contact) in
            [("CTY", "gov@cty.gov.cn"), ("CTY-A", "mailto:czj@cty.gov.cn"), ("CTY-B", "https://www.cty.gov.cn/hudong")]
        {
            store
                .put_guide(&gongkai_store::DisclosureGuide {
                    agency: code.into(),
                    office_name: "政府信息公开办公室".into(),
                    address: "示例县人民路1号".into(),
                    office_hours: "工作日 9:00-17:00".into(),
                    phone: "0000-1234567".into(),
                    fax: "0000-1234568".into(),
                    web_contact: contact.into(),
                    postcode: None,
                    email: None,
                    sections: Default::default(),
                    updated_on: chrono::NaiveDate::from_ymd_opt(2025, 1, 2).unwrap(),
                })
                .await
                .unwrap();
        }
        store
            .insert_request(&Request {
                agency: "CTY-A".into(),
                tracking_number: "A-2025-001".into(),
                channel: Channel::Online,
                received_on: chrono::NaiveDate::from_ymd_opt(2025, 1, 2).unwrap(),
                applicant: Applicant {
                    id_document_type: None,
                    kind: ApplicantType::NaturalPerson,
                    name: "张三".into(),
                    id_document: None,
                    contact: None,
                },
                content: "2024年预算".into(),
                requested_form: None,
                delivery: None,
            })
            .await
            .unwrap();
        store.close().await;
    });
    let base = ["supervise", "remind", "--agency", "CTY", "--year", "2024", "--today", "2025-03-10"];

    // No SMTP server configured: listed, not sent.
    let listed = db.ok(&base);
    assert!(listed.starts_with("未配置 SMTP 服务器") && listed.contains("收件人：czj@cty.gov.cn"), "{listed}");
    assert!(listed.contains("收件人：（无电子邮箱）") && listed.contains("受理编号 A-2025-001"), "{listed}");

    let (port, rx) = smtp_sink();
    let url = format!("smtp://127.0.0.1:{port}");
    let mut args = base.to_vec();
    args.extend(["--smtp-url", &url, "--from", "督办 <duban@cty.gov.cn>"]);
    let o = db.gk(&args);
    let (out, err) = (common::stdout(&o), stderr(&o));
    assert_eq!(o.status.code(), Some(2), "CTY-B has no address:\n{out}\n{err}");
    assert!(out.contains("已发送 CTY-A 示例县财政局 → czj@cty.gov.cn（2项）"), "{out}");
    assert!(out.contains("共发送 2 封提醒邮件，1 封未发送"), "{out}");
    assert!(err.contains("未发送 CTY-B 示例县档案馆：公开指南未登记电子邮箱"), "{err}");

    let mut got: Vec<Received> = rx.try_iter().collect();
    got.sort_by(|a, b| a.rcpt.cmp(&b.rcpt));
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].rcpt, vec!["<czj@cty.gov.cn>"]);
    assert_eq!(got[1].rcpt, vec!["<gov@cty.gov.cn>"]);
    assert!(got.iter().all(|m| m.from == "<duban@cty.gov.cn>"));
    let (headers, body) = parse_message(&got[0].data);
    assert_eq!(decode_header(&headers["subject"]), "政府信息公开待办提醒：示例县财政局（2项，截至2025-03-10）");
    assert!(headers["content-type"].to_ascii_lowercase().contains("charset=utf-8"), "{headers:?}");
    assert_eq!(headers["content-transfer-encoding"].to_ascii_lowercase(), "base64");
    let text = String::from_utf8(base64_decode(&body)).unwrap();
    assert!(text.starts_with("示例县财政局：") && text.contains("已超过答复期限的申请（条例第三十三条）"), "{text}");
    assert!(text.contains("受理编号 A-2025-001，答复期限 2025-02-"), "{text}");
    assert!(text.contains("2024年度报告（逾期未发布），发布期限 2025-01-31"), "{text}");
    assert!(!text.contains("张三"), "no applicant data in reminders");
    let gov = String::from_utf8(base64_decode(&parse_message(&got[1].data).1)).unwrap();
    assert!(gov.contains("发布期限 2025-03-31") && !gov.contains("A-2025-001"), "{gov}");

    // A server that does not answer: each message reported by agency, exit 2, no panic.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("smtp://127.0.0.1:{closed}");
    let mut args = base.to_vec();
    args.extend(["--smtp-url", &url, "--from", "duban@cty.gov.cn"]);
    let err = db.refused(&args);
    assert!(err.contains("发给 CTY-A（czj@cty.gov.cn）的邮件未能发送"), "{err}");
    // Bad settings are named.
    let mut args = base.to_vec();
    args.extend(["--smtp-url", &url]);
    assert!(db.refused(&args).contains("--from"));
}
