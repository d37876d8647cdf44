//! Attachments of a reply and the request's archive file from the command line (issue 17 items
//! 6 and 8; casework-documents.md C4): the information provided is attached to a 予以公开 or
//! 部分公开 reply until it is delivered, checked by content, stored with its SHA-256 and read
//! back byte for byte; a refused file stores nothing; `request archive` writes the whole file
//! as ZIP (opened here) and as PDF (read back with pdftotext; its attached files listed by
//! pdfdetach). Each test runs on SQLite and on PostgreSQL.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Read;
use std::path::Path;
use std::process::Command;

use serde_json::Value;

#[macro_use]
mod common;
use common::{stderr, stdout, Db};

on_both_backends!(
    attachments_go_with_a_reply_until_it_is_delivered,
    the_archive_holds_the_whole_file,
    a_reply_goes_by_email_with_its_attachments,
);

const AG: &str = "330100-czj";
const REPLY: &str = "杭财公复〔2026〕1号";

/// A 1×1 PNG (a real image: typst shows it in the archive PDF).
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8, 0xCF, 0xC0, 0xF0, 0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D,
    0x1D, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
];

fn setup(db: &Db, number: &str, outcome: &[&str]) {
    db.ok(&["agency", "add", "--code", "330100", "--name", "杭州市人民政府", "--kind", "government"]);
    db.ok(&["agency", "add", "--code", AG, "--name", "杭州市财政局", "--parent", "330100", "--kind", "department"]);
    db.ok(&["agency", "casework", "--agency", AG, "--short-name", "杭财"]);
    ok(
        db,
        "add",
        number,
        &[
            "--channel",
            "online",
            "--received",
            "2026-03-02",
            "--applicant-type",
            "natural_person",
            "--applicant-name",
            "张三",
            "--contact",
            "13800000000",
            "--content",
            "申请公开2025年度部门预算执行情况",
            "--delivery",
            "online",
        ],
    );
    let mut args = vec!["request", "event", "--agency", AG, "--number", number, "--on", "2026-03-20", "--by", "王五"];
    args.extend_from_slice(outcome);
    db.ok(&args);
}

/// `gongkai request CMD --agency AG --number NUMBER REST…`.
fn run(db: &Db, cmd: &str, number: &str, rest: &[&str]) -> std::process::Output {
    let mut args = vec!["request", cmd, "--agency", AG, "--number", number];
    args.extend_from_slice(rest);
    db.gk(&args)
}

/// The same, which must succeed: its standard output.
fn ok(db: &Db, cmd: &str, number: &str, rest: &[&str]) -> String {
    let o = run(db, cmd, number, rest);
    assert!(o.status.success(), "request {cmd} {rest:?} failed:\n{}\n{}", stdout(&o), stderr(&o));
    stdout(&o)
}

fn attachments(db: &Db, number: &str) -> Vec<Value> {
    let v = db.json(&["request", "attachments", "--agency", AG, "--number", number, "--json"]);
    v["attachments"].as_array().unwrap().clone()
}

fn sha256(bytes: &[u8]) -> String {
    // The expected digest, from the system tool (not from gongkai's own code).
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f");
    std::fs::write(&path, bytes).unwrap();
    let out = Command::new("sha256sum").arg(&path).output().unwrap();
    String::from_utf8_lossy(&out.stdout).split_whitespace().next().unwrap().to_string()
}

fn have(tool: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
}

fn attachments_go_with_a_reply_until_it_is_delivered(db: &Db) {
    setup(
        db,
        "2026-001",
        &["reply", "--outcome", "partially_granted", "--withheld-reason", "withheld.third_party_rights"],
    );
    // Real files: the reply itself as PDF and as Word, and a PNG.
    let pdf = db.path("执行情况表.pdf");
    ok(db, "document", "2026-001", &["--document", REPLY, "--to", "pdf", "--out", pdf.to_str().unwrap()]);
    let docx = db.path("说明.docx");
    ok(db, "document", "2026-001", &["--document", REPLY, "--to", "docx", "--out", docx.to_str().unwrap()]);
    let png = db.path("照片.png");
    std::fs::write(&png, PNG).unwrap();

    // A file whose content is not what its name says, and a program: refused with the file
    // named, and nothing stored (the good files given with them included).
    let fake = db.path("预算表.docx");
    std::fs::copy(&pdf, &fake).unwrap();
    let o = run(db, "attach", "2026-001", &["--document", REPLY, pdf.to_str().unwrap(), fake.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("「预算表.docx」的内容是PDF 文件"), "{}", stderr(&o));
    let exe = db.path("程序.exe");
    std::fs::write(&exe, b"MZ\x90\x00\x03").unwrap();
    let o = run(db, "attach", "2026-001", &["--document", REPLY, exe.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("不是可接受的文件类型"), "{}", stderr(&o));
    assert!(attachments(db, "2026-001").is_empty());

    let out = ok(
        db,
        "attach",
        "2026-001",
        &["--document", REPLY, pdf.to_str().unwrap(), docx.to_str().unwrap(), png.to_str().unwrap()],
    );
    assert_eq!(out.matches("已添加附件").count(), 3, "{out}");
    let list = attachments(db, "2026-001");
    let names: Vec<&str> = list.iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(names.len(), 3);
    for (name, file, ty) in [
        ("执行情况表.pdf", &pdf, "application/pdf"),
        ("说明.docx", &docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("照片.png", &png, "image/png"),
    ] {
        let a = list.iter().find(|a| a["name"] == name).unwrap_or_else(|| panic!("{name} not listed: {list:?}"));
        let bytes = std::fs::read(file).unwrap();
        assert_eq!(a["document"], REPLY);
        assert_eq!(a["content_type"], ty);
        assert_eq!(a["size"], bytes.len() as u64);
        assert_eq!(a["sha256"].as_str().unwrap(), sha256(&bytes));
        // Read back byte for byte.
        let back = db.path(&format!("back-{name}"));
        ok(db, "attachment", "2026-001", &["--id", a["id"].as_str().unwrap(), "--out", back.to_str().unwrap()]);
        assert_eq!(std::fs::read(&back).unwrap(), bytes, "{name}");
    }
    // The same name twice on one reply: refused, naming the file.
    let o = run(db, "attach", "2026-001", &["--document", REPLY, png.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("已有名为「照片.png」的附件"), "{}", stderr(&o));

    // Removed while undelivered.
    let png_id = list.iter().find(|a| a["name"] == "照片.png").unwrap()["id"].as_str().unwrap().to_string();
    let out = ok(db, "detach", "2026-001", &["--id", &png_id]);
    assert!(out.contains("已删除附件「照片.png」"), "{out}");
    assert_eq!(attachments(db, "2026-001").len(), 2);

    // A receipt is not a reply that provides information.
    let o = run(db, "attach", "2026-001", &["--document", "杭财公收〔2026〕1号", png.to_str().unwrap()]);
    assert!(!o.status.success());
    let err = stderr(&o);
    assert!(err.contains("不是予以公开或部分公开的答复书") || err.contains("没有文号为"), "{err}");

    // Once delivered, the reply's files are fixed: adding and removing are refused.
    ok(db, "deliver", "2026-001", &["--document", REPLY, "--method", "online", "--on", "2026-03-21"]);
    let o = run(db, "attach", "2026-001", &["--document", REPLY, png.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("已于 2026-03-21 送达，附件不能再更改"), "{}", stderr(&o));
    let pdf_id = attachments(db, "2026-001")[0]["id"].as_str().unwrap().to_string();
    let o = run(db, "detach", "2026-001", &["--id", &pdf_id]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("附件不能再更改"), "{}", stderr(&o));
    assert_eq!(attachments(db, "2026-001").len(), 2);

    // A reply that provides nothing carries no files.
    setup_second(db);
    let o = run(db, "attach", "2026-002", &["--document", "杭财公复〔2026〕2号", png.to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("不是予以公开或部分公开的答复书"), "{}", stderr(&o));
}

fn setup_second(db: &Db) {
    ok(
        db,
        "add",
        "2026-002",
        &[
            "--channel",
            "post",
            "--received",
            "2026-03-03",
            "--applicant-type",
            "natural_person",
            "--applicant-name",
            "李四",
            "--content",
            "申请公开某项目合同",
        ],
    );
    ok(db, "event", "2026-002", &["--on", "2026-03-20", "--by", "王五", "reply", "--outcome", "unable.not_held"]);
}

fn the_archive_holds_the_whole_file(db: &Db) {
    setup(db, "2026-005", &["reply", "--outcome", "granted", "--note", "所提供的执行情况表见附件"]);
    let png = db.path("照片.png");
    std::fs::write(&png, PNG).unwrap();
    let pdf = db.path("执行情况表.pdf");
    ok(db, "document", "2026-005", &["--document", REPLY, "--to", "pdf", "--out", pdf.to_str().unwrap()]);
    ok(db, "attach", "2026-005", &["--document", REPLY, pdf.to_str().unwrap(), png.to_str().unwrap()]);

    // ZIP: the file PDF, each document, the attachments as uploaded, the course, the list.
    let zip_path = db.path("归档.zip");
    let out = ok(db, "archive", "2026-005", &["--out", zip_path.to_str().unwrap()]);
    assert!(out.contains("文书 2 份") && out.contains("附件 2 个"), "{out}");
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&zip_path).unwrap()).unwrap();
    let names: Vec<String> = zip.file_names().map(|n| n.unwrap().to_string()).collect();
    for expected in [
        "2026-005-归档/案卷.pdf",
        "2026-005-归档/文书/01-杭财公收〔2026〕1号.pdf",
        "2026-005-归档/文书/02-杭财公复〔2026〕1号.pdf",
        "2026-005-归档/附件/杭财公复〔2026〕1号/执行情况表.pdf",
        "2026-005-归档/附件/杭财公复〔2026〕1号/照片.png",
        "2026-005-归档/办理过程.csv",
        "2026-005-归档/清单.json",
    ] {
        assert!(names.iter().any(|n| n == expected), "{expected} not in {names:?}");
    }
    let mut read = |name: &str| {
        let mut f = zip.by_name(name).unwrap();
        let mut v = Vec::new();
        f.read_to_end(&mut v).unwrap();
        v
    };
    assert_eq!(read("2026-005-归档/附件/杭财公复〔2026〕1号/照片.png"), PNG);
    assert_eq!(read("2026-005-归档/附件/杭财公复〔2026〕1号/执行情况表.pdf"), std::fs::read(&pdf).unwrap());
    let csv = String::from_utf8(read("2026-005-归档/办理过程.csv")).unwrap();
    assert!(csv.starts_with("\u{feff}日期,事项,经办人,内容"), "{csv}");
    assert!(csv.contains("2026-03-02,收到申请,,经网络渠道") && csv.contains("2026-03-20,答复,王五,"), "{csv}");
    let manifest: Value = serde_json::from_slice(&read("2026-005-归档/清单.json")).unwrap();
    let png_entry = manifest["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"].as_str().unwrap().ends_with("照片.png"))
        .unwrap();
    assert_eq!(png_entry["sha256"].as_str().unwrap(), sha256(PNG));
    assert_eq!(manifest["tracking_number"], "2026-005");

    // PDF: one file with the registration form (the applicant unmasked: the agency's own record),
    // both documents, the course and the list of attachments; the attachments inside the PDF.
    let file_pdf = db.path("案卷.pdf");
    ok(db, "archive", "2026-005", &["--out", file_pdf.to_str().unwrap()]);
    if !have("pdftotext") || !have("pdfdetach") {
        assert!(std::env::var_os("CI").is_none(), "poppler-utils missing on CI");
        return;
    }
    let text = pdftotext(&file_pdf);
    for expected in [
        "政府信息公开申请办理案卷",
        "受理编号2026-005",
        "申请人姓名或者名称张三",
        "13800000000",
        "政府信息公开申请接收回执",
        "政府信息公开申请答复书",
        REPLY,
        "所提供的执行情况表见附件",
        "办理过程",
        "附件目录",
        "执行情况表.pdf",
        &sha256(PNG)[..16],
    ] {
        assert!(text.contains(expected), "「{expected}」 missing from the archive PDF: {text}");
    }
    let list = Command::new("pdfdetach").arg("-list").arg(&file_pdf).output().unwrap();
    let listed = String::from_utf8_lossy(&list.stdout);
    assert!(listed.contains("2 embedded files"), "{listed}");
    // Listed under their own names.
    assert!(listed.contains("执行情况表.pdf") && listed.contains("照片.png"), "{listed}");
    // The attached PDF comes out byte for byte.
    let saved = db.path("detached.pdf");
    let o = Command::new("pdfdetach").arg("-save").arg("1").arg("-o").arg(&saved).arg(&file_pdf).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let got = std::fs::read(&saved).unwrap();
    assert!(got == std::fs::read(&pdf).unwrap() || got == PNG, "an attached file differs from the upload");

    // A wrong extension is refused before anything is read.
    let o = run(db, "archive", "2026-005", &["--out", db.path("x.doc").to_str().unwrap()]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("应以 .zip（归档包）或 .pdf（一份案卷）结尾"), "{}", stderr(&o));
}

fn pdftotext(pdf: &Path) -> String {
    let out = Command::new("pdftotext").arg(pdf).arg("-").output().unwrap();
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).split_whitespace().collect()
}

/// The SMTP sink on its own thread (these tests are synchronous): its port and the messages.
fn smtp_sink() -> (u16, std::sync::mpsc::Receiver<gongkai_testkit::smtp_sink::Received>) {
    let (port_tx, port_rx) = std::sync::mpsc::channel();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        common::rt().block_on(async move {
            let (port, mut messages) = gongkai_testkit::smtp_sink::start().await;
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

/// `request send`: the reply as PDF with its attachment, to the address in the register's
/// 联系方式, through the relay; the delivery recorded; refused without a relay or an address.
fn a_reply_goes_by_email_with_its_attachments(db: &Db) {
    use gongkai_testkit::smtp_sink::{base64_decode, decode_header, parse};
    setup(db, "2026-007", &["reply", "--outcome", "granted"]);
    let png = db.path("照片.png");
    std::fs::write(&png, PNG).unwrap();
    ok(db, "attach", "2026-007", &["--document", REPLY, png.to_str().unwrap()]);
    // The register's contact has no e-mail address.
    let (port, rx) = smtp_sink();
    let url = format!("smtp://127.0.0.1:{port}");
    let relay = ["--smtp-url", url.as_str(), "--from", "杭州市财政局 <gk@hz.gov.cn>"];
    let o = run(db, "send", "2026-007", &[&["--document", REPLY][..], &relay[..]].concat());
    assert!(!o.status.success());
    assert!(stderr(&o).contains("联系方式中没有电子邮箱"), "{}", stderr(&o));

    db.ok(&[
        "request",
        "add",
        "--agency",
        AG,
        "--number",
        "2026-008",
        "--channel",
        "online",
        "--received",
        "2026-03-03",
        "--applicant-type",
        "natural_person",
        "--applicant-name",
        "赵六",
        "--contact",
        "13900000000；电子邮箱：zhao@example.com",
        "--content",
        "申请公开某项目合同",
    ]);
    db.ok(&[
        "request",
        "event",
        "--agency",
        AG,
        "--number",
        "2026-008",
        "--on",
        "2026-03-20",
        "--by",
        "王五",
        "reply",
        "--outcome",
        "granted",
    ]);
    let second = "杭财公复〔2026〕2号";
    ok(db, "attach", "2026-008", &["--document", second, png.to_str().unwrap()]);
    // Without a relay: refused, nothing recorded.
    let o = run(db, "send", "2026-008", &["--document", second]);
    assert!(!o.status.success());
    assert!(stderr(&o).contains("未配置 SMTP 邮件中继"), "{}", stderr(&o));

    let out = ok(db, "send", "2026-008", &[&["--document", second][..], &relay[..]].concat());
    assert!(out.contains("已通过电子邮件送达答复书（杭财公复〔2026〕2号）至 zhao@example.com"), "{out}");
    let m = rx.recv_timeout(std::time::Duration::from_secs(10)).unwrap();
    assert_eq!(m.rcpt, vec!["<zhao@example.com>".to_string()]);
    let (headers, body) = parse(&m.data);
    assert_eq!(decode_header(&headers["subject"]), format!("政府信息公开申请答复书（{second}）"));
    let boundary = headers["content-type"].split("boundary=\"").nth(1).unwrap().trim_end_matches('"').to_string();
    let parts: Vec<&str> = body.split(&format!("--{boundary}")).filter(|p| p.contains("\r\n\r\n")).collect();
    assert_eq!(parts.len(), 3, "text, the reply, the photo");
    let content = |part: &str| base64_decode(part.split_once("\r\n\r\n").unwrap().1);
    assert!(content(parts[1]).starts_with(b"%PDF"));
    assert_eq!(content(parts[2]), PNG);
    let v = db.json(&["request", "documents", "--agency", AG, "--number", "2026-008", "--json"]);
    assert_eq!(v["documents"][1]["delivery"], "email", "{v}");
    // Once delivered, not again.
    let o = run(db, "send", "2026-008", &[&["--document", second][..], &relay[..]].concat());
    assert!(!o.status.success());
    assert!(stderr(&o).contains("不能再次登记"), "{}", stderr(&o));
    assert!(rx.try_recv().is_err(), "nothing more sent");
}
