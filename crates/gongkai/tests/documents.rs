//! Casework documents from the command line (issue 17, casework-documents.md): recording an event
//! issues its document with a gapless 文号 in the same write; a refused event stores neither;
//! `request documents` lists them (the contract's JSON); `request document` writes PDF (read back
//! with pdftotext), Word (opened by LibreOffice) and HTML; `request templates` exports and checks
//! an office's templates; `agency casework` sets the 文号 prefix and the remedy clause (C3). Each
//! test runs on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::process::Command;

use serde_json::Value;

#[macro_use]
mod common;
use common::{stderr, stdout, Db};

on_both_backends!(
    events_issue_their_documents_with_gapless_numbers,
    c1_refused_events_store_neither_event_nor_document,
    documents_render_to_pdf_word_and_html,
    an_office_template_folder_is_checked_and_used,
    a_document_is_corrected_by_a_new_one_naming_it,
    a_posted_document_gets_its_service_receipt,
);

const AG: &str = "330100-czj";

fn setup(db: &Db) {
    db.ok(&["agency", "add", "--code", "330100", "--name", "杭州市人民政府", "--kind", "government"]);
    db.ok(&["agency", "add", "--code", AG, "--name", "杭州市财政局", "--parent", "330100", "--kind", "department"]);
    let out = db.ok(&[
        "agency",
        "casework",
        "--agency",
        AG,
        "--short-name",
        "杭财",
        "--office-contact",
        "杭州市解放东路18号，电话 0571-87000000",
    ]);
    assert!(out.contains("已保存") && out.contains("杭财公复〔2026〕1号"), "{out}");
    // C3: a department of a local government is reviewed by that government.
    assert!(out.contains("行政复议机关：杭州市人民政府"), "{out}");
}

fn add_request(db: &Db, number: &str, received: &str) {
    db.ok(&[
        "request",
        "add",
        "--agency",
        AG,
        "--number",
        number,
        "--channel",
        "post",
        "--received",
        received,
        "--applicant-type",
        "natural_person",
        "--applicant-name",
        "张三",
        "--content",
        "申请公开2025年度部门预算执行情况",
        "--delivery",
        "post",
    ]);
}

fn event(db: &Db, number: &str, on: &str, kind: &[&str]) -> std::process::Output {
    let mut args = vec!["request", "event", "--agency", AG, "--number", number, "--on", on, "--by", "王五"];
    args.extend_from_slice(kind);
    db.gk(&args)
}

/// `request document` of the request `number`'s document `document` to `to` into `out`.
fn document_args<'a>(number: &'a str, document: &'a str, to: &'a str, out: &'a str) -> Vec<&'a str> {
    vec!["request", "document", "--agency", AG, "--number", number, "--document", document, "--to", to, "--out", out]
}

fn documents(db: &Db, number: &str) -> Vec<Value> {
    let v = db.json(&["request", "documents", "--agency", AG, "--number", number, "--json"]);
    v["documents"].as_array().unwrap().clone()
}

fn events(db: &Db, number: &str) -> usize {
    let v = db.json(&["request", "show", "--agency", AG, "--number", number, "--today", "2026-11-27", "--json"]);
    v["events"].as_array().unwrap().len()
}

fn events_issue_their_documents_with_gapless_numbers(db: &Db) {
    setup(db);
    add_request(db, "2026-001", "2026-03-02");
    let o = event(
        db,
        "2026-001",
        "2026-03-04",
        &["correction-notice", "--note", "请写明文件名称；请写明年份", "--period-days", "15"],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("已制发补正告知书：杭财公补〔2026〕1号"), "{}", stdout(&o));
    let o = event(db, "2026-001", "2026-03-06", &["correction-received"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(!stdout(&o).contains("已制发"), "a correction received issues nothing: {}", stdout(&o));
    let o = event(
        db,
        "2026-001",
        "2026-03-20",
        &[
            "reply",
            "--outcome",
            "partially_granted",
            "--withheld-reason",
            "withheld.third_party_rights",
            "--note",
            "所提供的执行情况表见附件",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("已制发答复书：杭财公复〔2026〕1号"), "{}", stdout(&o));

    // The contract: kind, number, issued_on, delivery, in issue order.
    let docs = documents(db, "2026-001");
    let got: Vec<(&str, &str, &str, &str)> = docs
        .iter()
        .map(|d| {
            (
                d["kind"].as_str().unwrap(),
                d["number"].as_str().unwrap(),
                d["issued_on"].as_str().unwrap(),
                d["delivery"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("receipt", "杭财公收〔2026〕1号", "2026-03-02", "pending"),
            ("correction_notice", "杭财公补〔2026〕1号", "2026-03-04", "pending"),
            ("reply", "杭财公复〔2026〕1号", "2026-03-20", "pending"),
        ]
    );
    // The reply's event names its 答复书 (the 文号 is assigned, never typed).
    let shown =
        db.json(&["request", "show", "--agency", AG, "--number", "2026-001", "--today", "2026-11-27", "--json"]);
    assert_eq!(shown["events"][2]["kind"]["document"], "杭财公复〔2026〕1号", "{shown}");

    // Gapless per agency, kind and year: the next reply is 2, the next correction notice 2.
    add_request(db, "2026-002", "2026-04-01");
    let o =
        event(db, "2026-002", "2026-04-02", &["correction-notice", "--note", "请写明文件名称", "--period-days", "10"]);
    assert!(stdout(&o).contains("杭财公补〔2026〕2号"), "{}", stdout(&o));
    let o = event(db, "2026-002", "2026-04-03", &["withdrawal"]);
    assert!(o.status.success(), "{}", stderr(&o));
    add_request(db, "2026-003", "2026-04-07");
    let o = event(
        db,
        "2026-003",
        "2026-04-20",
        &["reply", "--outcome", "unable.not_held", "--other-agency", "杭州市规划和自然资源局"],
    );
    assert!(stdout(&o).contains("杭财公复〔2026〕2号"), "{}", stdout(&o));
    // C1.1: every request registered has its receipt, numbered in turn.
    let receipts = documents(db, "2026-003");
    assert_eq!(
        (receipts[0]["kind"].as_str(), receipts[0]["number"].as_str()),
        (Some("receipt"), Some("杭财公收〔2026〕3号"))
    );
    let listed = db.ok(&["request", "documents", "--agency", AG, "--number", "2026-003"]);
    assert!(listed.contains("杭财公复〔2026〕2号\t答复书\t2026-04-20\t待送达"), "{listed}");
    // C4: the delivery is recorded once, not before the document's date.
    let deliver = |on: &str| {
        db.gk(&[
            "request",
            "deliver",
            "--agency",
            AG,
            "--number",
            "2026-003",
            "--document",
            "杭财公复〔2026〕2号",
            "--method",
            "post",
            "--on",
            on,
        ])
    };
    let o = deliver("2026-04-19");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("送达日期应在成文日期 2026-04-20"), "{}", stderr(&o));
    let o = deliver("2026-04-23");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("已登记送达：答复书（杭财公复〔2026〕2号）已邮寄送达，2026-04-23"), "{}", stdout(&o));
    let o = deliver("2026-04-24");
    assert!(!o.status.success());
    assert!(stderr(&o).contains("已于 2026-04-23 邮寄送达，不能再次登记"), "{}", stderr(&o));
    let reply = documents(db, "2026-003").into_iter().find(|d| d["kind"] == "reply").unwrap();
    assert_eq!(reply["delivery"], "post");
    let o = db.gk(&[
        "request",
        "deliver",
        "--agency",
        AG,
        "--number",
        "2026-003",
        "--document",
        "杭财公收〔2026〕3号",
        "--method",
        "pigeon",
        "--on",
        "2026-04-23",
    ]);
    assert!(stderr(&o).contains("送达方式须为 online（网上送达）"), "{}", stderr(&o));

    // The annual report traces a table-3 cell to the replies behind it.
    let explained = db.ok(&[
        "report",
        "generate",
        "--agency",
        AG,
        "--year",
        "2026",
        "--explain",
        "requests.outcomes.unable.not_held.total",
    ]);
    assert_eq!(explained.trim(), "2026-003（杭财公复〔2026〕2号）", "{explained}");
}

/// C1.2 (once only), C1.3 (not after the due date), C2 (partial needs the reason): refused with
/// a Chinese message, exit 2, and neither the event nor a document stored.
fn c1_refused_events_store_neither_event_nor_document(db: &Db) {
    setup(db);
    add_request(db, "2026-010", "2026-03-02");
    let o =
        event(db, "2026-010", "2026-03-04", &["correction-notice", "--note", "请写明文件名称", "--period-days", "15"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let before = (events(db, "2026-010"), documents(db, "2026-010").len());
    assert_eq!(before, (1, 2), "the receipt and the correction notice");

    // A second correction notice (Art. 30: once only).
    let err = db.refused(&[
        "request",
        "event",
        "--agency",
        AG,
        "--number",
        "2026-010",
        "--on",
        "2026-03-05",
        "--by",
        "王五",
        "correction-notice",
        "--note",
        "再补正",
        "--period-days",
        "5",
    ]);
    assert!(err.contains("补正"), "{err}");
    assert_eq!((events(db, "2026-010"), documents(db, "2026-010").len()), before);

    // A partial disclosure without the withheld part's reason.
    db.ok(&[
        "request",
        "event",
        "--agency",
        AG,
        "--number",
        "2026-010",
        "--on",
        "2026-03-06",
        "--by",
        "王五",
        "correction-received",
    ]);
    let err = db.refused(&[
        "request",
        "event",
        "--agency",
        AG,
        "--number",
        "2026-010",
        "--on",
        "2026-03-20",
        "--by",
        "王五",
        "reply",
        "--outcome",
        "partially_granted",
    ]);
    assert!(err.contains("不予公开部分的理由") && err.contains("第三十七条"), "{err}");
    assert_eq!((events(db, "2026-010"), documents(db, "2026-010").len()), (2, 2));

    // An extension after the original due date (Art. 33 ¶2).
    add_request(db, "2026-011", "2026-03-02");
    let err = db.refused(&[
        "request",
        "event",
        "--agency",
        AG,
        "--number",
        "2026-011",
        "--on",
        "2026-04-10",
        "--by",
        "王五",
        "extension",
        "--approver",
        "赵主任",
        "--reason",
        "需调取档案",
    ]);
    assert!(err.contains("期限"), "{err}");
    assert_eq!((events(db, "2026-011"), documents(db, "2026-011").len()), (0, 1), "the receipt only");
    // The numbering did not move: the next reply is still 1.
    let o = event(db, "2026-011", "2026-03-20", &["reply", "--outcome", "granted"]);
    assert!(stdout(&o).contains("杭财公复〔2026〕1号"), "{}{}", stdout(&o), stderr(&o));
}

fn have(tool: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
}

fn pdftotext(pdf: &Path) -> String {
    let out = Command::new("pdftotext").arg(pdf).arg("-").output().unwrap();
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).split_whitespace().collect()
}

fn documents_render_to_pdf_word_and_html(db: &Db) {
    if !have("pdftotext") || !have("soffice") {
        assert!(std::env::var_os("CI").is_none(), "pdftotext or soffice missing on CI");
        return;
    }
    setup(db);
    add_request(db, "2026-020", "2026-03-02");
    let o = event(
        db,
        "2026-020",
        "2026-03-20",
        &[
            "reply",
            "--outcome",
            "partially_granted",
            "--withheld-reason",
            "withheld.third_party_rights",
            "--note",
            "所提供的执行情况表见附件",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let number = "杭财公复〔2026〕1号";
    let pdf = db.path("reply.pdf");
    let out = db.ok(&document_args("2026-020", number, "pdf", pdf.to_str().unwrap()));
    assert!(out.contains("已写出答复书（杭财公复〔2026〕1号）"), "{out}");
    // Every placeholder's value read back (C1.9, C2, C3).
    let text = pdftotext(&pdf);
    for expected in [
        "政府信息公开申请答复书",
        number,
        "张三：",
        "2026年3月2日",
        "2026-020",
        "申请公开2025年度部门预算执行情况",
        "第三十七条、第十五条",
        "所提供的执行情况表见附件",
        "六十日内向杭州市人民政府申请行政复议",
        "（邮寄）送达",
        "杭州市财政局",
        "2026年3月20日",
    ] {
        assert!(text.contains(expected), "「{expected}」 missing from the PDF: {text}");
    }

    // Word: LibreOffice opens it and its PDF holds the same text.
    let docx = db.path("reply.docx");
    db.ok(&document_args("2026-020", number, "docx", docx.to_str().unwrap()));
    let lo = db.path("lo");
    let profile = format!("-env:UserInstallation=file://{}", db.path("lo-profile").display());
    let conv = Command::new("soffice")
        .args([profile.as_str(), "--headless", "--norestore", "--convert-to", "pdf", "--outdir"])
        .arg(&lo)
        .arg(&docx)
        .output()
        .unwrap();
    let converted = lo.join("reply.pdf");
    assert!(conv.status.success() && converted.exists(), "{}", String::from_utf8_lossy(&conv.stderr));
    let text = pdftotext(&converted);
    for expected in [number, "张三：", "第三十七条、第十五条", "六十日内向杭州市人民政府申请行政复议", "2026年3月20日"]
    {
        assert!(text.contains(expected), "「{expected}」 missing from the Word file: {text}");
    }

    let html = db.path("reply.html");
    db.ok(&document_args("2026-020", number, "html", html.to_str().unwrap()));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("<h1>政府信息公开申请答复书</h1>") && page.contains(number), "{page}");

    // An unknown 文号 is named.
    let o = db.gk(&document_args("2026-020", "杭财公复〔2026〕9号", "pdf", pdf.to_str().unwrap()));
    assert!(!o.status.success());
    assert!(stderr(&o).contains("没有文号为「杭财公复〔2026〕9号」的文书"), "{}", stderr(&o));
}

fn an_office_template_folder_is_checked_and_used(db: &Db) {
    setup(db);
    let dir = db.path("wenshu");
    let out = db.ok(&["request", "templates", "--out", dir.to_str().unwrap()]);
    assert!(out.contains("已写出 30 个内置文书模板"), "{out}");
    assert!(dir.join("reply.withheld.state_secret.txt").is_file());
    // The office keeps only the files it changes.
    for entry in std::fs::read_dir(&dir).unwrap() {
        let p = entry.unwrap().path();
        if p.file_name().unwrap() != "correction_notice.txt" {
            std::fs::remove_file(p).unwrap();
        }
    }
    let file = dir.join("correction_notice.txt");
    std::fs::write(&file, "# 某省政府信息公开申请补正告知书\n{{applicant}}：\n\n按本省示范文本，请补正：\n{{points}}\n补正期限：{{correction_due_on}}。{{deadline}}\n").unwrap();
    let o = db.gk(&["request", "templates", "--check", dir.to_str().unwrap()]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("correction_notice.txt") && err.contains("{{deadline}}") && err.contains("第6行"), "{err}");

    // A folder with a bad template is refused before anything is stored.
    add_request(db, "2026-030", "2026-03-02");
    let with_dir = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_gongkai"))
            .args(args)
            .current_dir(&db.dir)
            .env("GONGKAI_DATABASE_URL", &db.url)
            .env("GONGKAI_DATA_DIR", db.dir.join("data"))
            .env("GONGKAI_NOW", common::NOW)
            .env("GONGKAI_DOCUMENT_TEMPLATES", &dir)
            .output()
            .unwrap()
    };
    let notice = [
        "request",
        "event",
        "--agency",
        AG,
        "--number",
        "2026-030",
        "--on",
        "2026-03-04",
        "--by",
        "王五",
        "correction-notice",
        "--note",
        "请写明文件名称",
        "--period-days",
        "15",
    ];
    let o = with_dir(&notice);
    assert!(!o.status.success(), "{}", stdout(&o));
    assert_eq!(events(db, "2026-030"), 0);

    // Fixed, the office's wording is what the document says.
    std::fs::write(&file, "# 某省政府信息公开申请补正告知书\n{{applicant}}：\n\n按本省示范文本，请补正：\n{{points}}\n补正期限：{{correction_due_on}}。\n").unwrap();
    let out = db.ok(&["request", "templates", "--check", dir.to_str().unwrap()]);
    assert!(out.contains("1 个文书模板检查通过：correction_notice.txt"), "{out}");
    let o = with_dir(&notice);
    assert!(o.status.success(), "{}", stderr(&o));
    let html = db.path("notice.html");
    db.ok(&document_args("2026-030", "杭财公补〔2026〕1号", "html", html.to_str().unwrap()));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("某省政府信息公开申请补正告知书") && page.contains("按本省示范文本"), "{page}");
    assert!(page.contains("补正期限：2026年3月19日"), "{page}");
}

/// C4: an issued document is never edited; `request correct` issues a new one of the same kind
/// with the next 文号, naming the one it replaces and saying why, composed again from the register
/// (a reply with the particulars given now); the event stays as recorded.
fn a_document_is_corrected_by_a_new_one_naming_it(db: &Db) {
    setup(db);
    add_request(db, "2026-030", "2026-03-02");
    let o = event(
        db,
        "2026-030",
        "2026-03-20",
        &[
            "reply",
            "--outcome",
            "partially_granted",
            "--withheld-reason",
            "withheld.third_party_rights",
            "--note",
            "旧说明",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let old = "杭财公复〔2026〕1号";
    let correct = |rest: &[&str]| {
        let mut args = vec!["request", "correct", "--agency", AG, "--number", "2026-030"];
        args.extend_from_slice(rest);
        db.gk(&args)
    };
    // A partial disclosure still needs the withheld part's reason (C2): refused, nothing issued.
    let o = correct(&["--document", old, "--reason", "原答复书说明有误"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("不予公开部分的理由"), "{}", stderr(&o));
    assert_eq!(documents(db, "2026-030").len(), 2);
    // A receipt is corrected by correcting the registration, not by a document.
    let o = correct(&["--document", "杭财公收〔2026〕1号", "--reason", "有误"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("接收回执，不能更正"), "{}", stderr(&o));

    let o = correct(&[
        "--document",
        old,
        "--reason",
        "原答复书说明有误",
        "--withheld-reason",
        "withheld.third_party_rights",
        "--note",
        "所提供的执行情况表见附件（更正后）",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("已制发更正后的答复书：杭财公复〔2026〕2号（更正并替代 杭财公复〔2026〕1号）"),
        "{}",
        stdout(&o)
    );
    let docs = documents(db, "2026-030");
    let kinds: Vec<&str> = docs.iter().map(|d| d["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["receipt", "reply", "reply"]);
    assert_eq!(events(db, "2026-030"), 1, "the event stays as recorded");
    let html = db.path("corrected.html");
    db.ok(&document_args("2026-030", "杭财公复〔2026〕2号", "html", html.to_str().unwrap()));
    let page = std::fs::read_to_string(&html).unwrap();
    for expected in
        ["本文书更正并替代杭财公复〔2026〕1号", "更正说明：原答复书说明有误", "所提供的执行情况表见附件（更正后）"]
    {
        assert!(page.contains(expected), "「{expected}」 missing: {page}");
    }
    // The old one stays as issued; correcting it again is refused, naming the newer one.
    let old_html = db.path("old.html");
    db.ok(&document_args("2026-030", old, "html", old_html.to_str().unwrap()));
    assert!(std::fs::read_to_string(&old_html).unwrap().contains("旧说明"));
    let o = correct(&["--document", old, "--reason", "再次更正", "--withheld-reason", "withheld.third_party_rights"]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("已由 杭财公复〔2026〕2号 更正"), "{}", stderr(&o));
}

/// C1.10: a document sent by post gets its 送达回证 — its own 文号, naming the document, the
/// method and the server, the date left for the recipient — issued once; once the signed copy's
/// date is recorded as the delivery, no other is issued.
fn a_posted_document_gets_its_service_receipt(db: &Db) {
    setup(db);
    add_request(db, "2026-040", "2026-03-02");
    let o = event(db, "2026-040", "2026-03-20", &["reply", "--outcome", "granted"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let reply = "杭财公复〔2026〕1号";
    let receipt = |method: &str| {
        db.gk(&[
            "request",
            "service-receipt",
            "--agency",
            AG,
            "--number",
            "2026-040",
            "--document",
            reply,
            "--method",
            method,
            "--server",
            "王五",
        ])
    };
    let o = receipt("fax");
    assert!(!o.status.success());
    assert!(stderr(&o).contains("邮寄送达（post）或当面送达（in_person）"), "{}", stderr(&o));
    let o = receipt("post");
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("送达回证：杭财公送〔2026〕1号"), "{}", stdout(&o));
    // Asked again: the same one, not a second.
    let o = receipt("post");
    assert!(stdout(&o).contains("送达回证：杭财公送〔2026〕1号"), "{}", stdout(&o));
    let kinds: Vec<String> =
        documents(db, "2026-040").iter().map(|d| d["kind"].as_str().unwrap().to_string()).collect();
    assert_eq!(kinds, ["receipt", "reply", "service_receipt"]);
    let html = db.path("served.html");
    db.ok(&document_args("2026-040", "杭财公送〔2026〕1号", "html", html.to_str().unwrap()));
    let page = std::fs::read_to_string(&html).unwrap();
    for expected in
        ["送达回证", "《政府信息公开申请答复书》（杭财公复〔2026〕1号）", "邮寄送达", "送达人：王五", "受送达人：张三"]
    {
        assert!(page.contains(expected), "「{expected}」 missing: {page}");
    }
    // The signed copy came back: the delivery is recorded; no further receipt.
    db.ok(&[
        "request",
        "deliver",
        "--agency",
        AG,
        "--number",
        "2026-040",
        "--document",
        reply,
        "--method",
        "post",
        "--on",
        "2026-03-25",
    ]);
    let o = db.gk(&[
        "request",
        "service-receipt",
        "--agency",
        AG,
        "--number",
        "2026-040",
        "--document",
        reply,
        "--method",
        "post",
    ]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("已于 2026-03-25 送达"), "{}", stderr(&o));
}
