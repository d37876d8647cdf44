//! End-to-end tests in a real browser (issue 7 item 6): Debian's chromium driven through
//! `chromedriver` (started here on a free port) with fantoccini, against the application served
//! in-process on 127.0.0.1:0, on a fresh SQLite file and a fresh PostgreSQL database.
//!
//! Without chromedriver the tests fail when `CI` is set and are skipped (with a message)
//! otherwise. `GONGKAI_SCREENSHOTS=1` saves the main pages as `docs/images/web-*.png`.
//!
//! The `a5_*` tests are the accessibility requirements (A5.2 GB/T 37668-2019 二级 ≈ WCAG 2.1 AA,
//! A5.3 适老化): axe-core (npm, `GONGKAI_AXE_JS`, installed by scripts/setup.sh; missing = failure
//! under `CI`) scans every page, and the request form is used with the keyboard alone and with
//! enlarged text. They run on SQLite only: they are about the HTML.

#![allow(clippy::unwrap_used, clippy::expect_used)]

// Shared by tests/console.rs and tests/e2e.rs; not every helper is used by both.
#[allow(dead_code)]
#[path = "http/harness.rs"]
mod harness;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use chrono::NaiveDate;
use fantoccini::{Client, ClientBuilder, Locator};
use gongkai_core::register::{Applicant, ApplicantType, Channel, Event, EventKind, Request};
use gongkai_core::report::RequestRow;
use gongkai_store::{Role, Store};
use harness::{App, DEPT};
use serde_json::json;

const PASSWORD: &str = "Gongkai-2026!";

/// chromedriver and its browser session. When dropped, the driver is killed and so is every
/// Chromium process of the session: Chromium does not die with chromedriver, and a test that
/// panics never reaches an async `close()`. Each session has its own profile folder, which names
/// its processes on their command line, so `pkill -f` finds exactly them.
struct Browser {
    client: Client,
    driver: Child,
    profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let pattern = format!("--user-data-dir={}", self.profile.path().display());
        let _ = Command::new("pkill").args(["-9", "-f", "--", &pattern]).status();
    }
}

fn find_on_path(name: &str) -> Option<PathBuf> {
    std::env::var_os("PATH")?.to_str()?.split(':').map(|d| PathBuf::from(d).join(name)).find(|p| p.is_file())
}

impl Browser {
    /// Starts chromedriver on a free port and opens a headless Chromium session; `None` (with a
    /// message) when chromedriver is not installed and `CI` is unset.
    async fn start() -> Option<Browser> {
        let Some(driver_bin) = find_on_path("chromedriver") else {
            if std::env::var_os("CI").is_some() {
                panic!("chromedriver is not installed: CI must install chromium and chromium-driver");
            }
            eprintln!("SKIPPED: chromedriver not found on PATH (apt install chromium chromium-driver)");
            return None;
        };
        let port = {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap().port()
        };
        let driver = Command::new(driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let profile = tempfile::Builder::new().prefix("gongkai-e2e-chromium-").tempdir().expect("profile folder");
        let mut caps = serde_json::Map::new();
        let mut chrome = json!({
            "args": [
                format!("--user-data-dir={}", profile.path().display()),
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,1800", "--lang=zh-CN",
            ]
        });
        if let Some(bin) = find_on_path("chromium") {
            chrome["binary"] = json!(bin.display().to_string());
        }
        caps.insert("goog:chromeOptions".into(), chrome);
        let url = format!("http://127.0.0.1:{port}");
        let mut driver = driver;
        // chromedriver needs a moment to listen.
        let mut last = String::new();
        for _ in 0..100 {
            match ClientBuilder::rustls().unwrap().capabilities(caps.clone()).connect(&url).await {
                Ok(client) => return Some(Browser { client, driver, profile }),
                Err(e) => {
                    last = e.to_string();
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
        let _ = driver.kill();
        panic!("cannot open a Chromium session through chromedriver: {last}");
    }
}

impl Browser {
    async fn open(&self, app: &App, path: &str) {
        self.client.goto(&app.url(path)).await.unwrap_or_else(|e| panic!("open {path}: {e}"));
    }

    async fn el(&self, css: &str) -> fantoccini::elements::Element {
        match self.client.wait().at_most(Duration::from_secs(10)).for_element(Locator::Css(css)).await {
            Ok(e) => e,
            Err(e) => {
                let url = self.client.current_url().await.map(|u| u.to_string()).unwrap_or_default();
                let page = self.source().await;
                panic!("element {css} not found on {url}: {e}\n{page}")
            }
        }
    }

    async fn fill(&self, css: &str, text: &str) {
        let e = self.el(css).await;
        e.clear().await.unwrap();
        e.send_keys(text).await.unwrap();
    }

    async fn click(&self, css: &str) {
        self.el(css).await.click().await.unwrap_or_else(|e| panic!("click {css}: {e}"));
    }

    async fn text(&self, css: &str) -> String {
        self.el(css).await.text().await.unwrap()
    }

    /// Waits until the element `css` exists and its text contains `needle` (the page after a
    /// click may still be the old one, whose element of the same id then goes stale).
    async fn wait_text(&self, css: &str, needle: &str) -> String {
        let mut last = String::new();
        for _ in 0..100 {
            if let Ok(e) = self.client.find(Locator::Css(css)).await {
                if let Ok(t) = e.text().await {
                    if t.contains(needle) {
                        return t;
                    }
                    last = t;
                }
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("{css} never said 「{needle}」 (last: {last})");
    }

    async fn source(&self) -> String {
        self.client.source().await.unwrap()
    }

    async fn exists(&self, css: &str) -> bool {
        !self.client.find_all(Locator::Css(css)).await.unwrap().is_empty()
    }

    /// Saves the page as docs/images/web-NAME.png when GONGKAI_SCREENSHOTS=1.
    async fn screenshot(&self, name: &str) {
        if std::env::var("GONGKAI_SCREENSHOTS").as_deref() != Ok("1") {
            return;
        }
        let png = self.client.screenshot().await.unwrap();
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/images");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("web-{name}.png")), png).unwrap();
    }

    /// Logs in through the console's form (B2.1) and lands on the inbox.
    async fn login(&self, app: &App, username: &str) {
        self.open(app, "/console/login").await;
        self.fill("#username", username).await;
        self.fill("#password", PASSWORD).await;
        self.click("#login").await;
        self.el("#inbox, .console-nav").await;
        assert!(self.source().await.contains(username), "logged in as {username}");
    }

    async fn logout(&self) {
        self.click("#logout").await;
        self.el("#password").await;
    }

    /// Files on the public form; returns (tracking number, query code).
    async fn file_request(&self, app: &App) -> (String, String) {
        self.open(app, &format!("/agencies/{DEPT}/apply")).await;
        self.screenshot("request-form").await;
        self.el("#applicant_type").await.select_by_index(1).await.unwrap();
        self.fill("#name", "王公开").await;
        self.el("#id_document_type").await.select_by_index(1).await.unwrap();
        self.fill("#id_document", "110101199003071233").await;
        self.fill("#phone", "13800001234").await;
        self.fill("#content", "请公开本局2026年部门预算及“三公”经费预算说明。").await;
        self.el("#form").await.select_by_index(1).await.unwrap();
        // 自行领取: neither a postal address nor an e-mail address is needed.
        self.el("#delivery").await.select_by_index(3).await.unwrap();
        self.click("main form button[type=submit]").await;
        let number = self.text("#tracking-number").await;
        let code = self.text("#query-code").await;
        assert!(!number.is_empty() && !code.is_empty());
        (number, code)
    }

    /// The public tracking page for (number, code).
    async fn track(&self, app: &App, number: &str, code: &str) {
        self.open(app, "/track").await;
        self.fill("#number", number).await;
        self.fill("#code", code).await;
        self.click("main form button[type=submit]").await;
        self.el("#status").await;
    }

    /// Opens a request from the inbox by its tracking number.
    async fn open_from_inbox(&self, app: &App, number: &str) {
        self.open(app, "/console/requests").await;
        self.el("#inbox").await;
        self.client.find(Locator::LinkText(number)).await.unwrap().click().await.unwrap();
        assert_eq!(self.text("#tracking-number").await, number);
    }
}

/// B2.3: each (event, actor) succeeded in the audit trail, and the chain is intact.
async fn audited(store: &Store, expected: &[(&str, &str)]) {
    let audit = store.list_audit(500).await.unwrap();
    for (kind, who) in expected {
        assert!(
            audit
                .iter()
                .any(|r| r.event.event_type == *kind && r.event.username.as_deref() == Some(*who) && r.event.success),
            "audit {kind} by {who}"
        );
    }
    store.verify_audit_chain().await.unwrap();
}

async fn users(store: &Store) {
    let hash = gongkai_store::hash_password_blocking(PASSWORD.to_string()).await.unwrap();
    let now = chrono::Utc::now();
    for (name, role) in [("fin.staff", Role::Staff), ("fin.approver", Role::Approver)] {
        store.create_user(name, DEPT, role, &hash, now).await.unwrap();
    }
}

/// A replied 2024 request, so that the 2024 report has figures to publish.
async fn seed_2024(store: &Store) {
    let d = |s: &str| s.parse::<NaiveDate>().unwrap();
    let r = Request {
        agency: DEPT.into(),
        tracking_number: "FIN-2024-0007".into(),
        channel: Channel::Post,
        received_on: d("2024-05-06"),
        applicant: Applicant {
            id_document_type: None,
            kind: ApplicantType::NaturalPerson,
            name: "赵申请".into(),
            id_document: None,
            contact: None,
        },
        content: "2023年决算".into(),
        requested_form: None,
        delivery: None,
    };
    let reply = EventKind::Reply { outcome: RequestRow::Granted, document: Some("示财公开〔2024〕7号".into()) };
    // With its reply in one write: alone, an open 2024 request would reach the locked 2025.
    let events = vec![Event { on: d("2024-05-20"), by: "经办人".into(), kind: reply }];
    store.insert_requests_bulk(&[(r, events)]).await.unwrap();
}

// The whole story of issue 7 item 6, in one browser session per backend.
story!(public_files_staff_extend_and_reply_report_published, |app: App| async move {
    let Some(b) = Browser::start().await else { return };
    users(&app.store).await;
    seed_2024(&app.store).await;

    // A1/A4: the portal home, then the request form (Art. 29); on success a tracking number, a
    // query code and the due date.
    b.open(&app, "/").await;
    assert!(b.source().await.contains("政府信息公开"));
    b.screenshot("portal-home").await;
    let (number, code) = b.file_request(&app).await;
    let due = b.text("#due").await;
    assert!(NaiveDate::parse_from_str(due.trim(), "%Y-%m-%d").is_ok(), "due date {due:?}");
    b.track(&app, &number, &code).await;
    assert!(b.text("#status").await.contains("办理中") || b.text("#status").await.contains("即将到期"));
    // ASVS 14.2.1: the query code is not in the URL.
    assert!(!b.client.current_url().await.unwrap().as_str().contains(&code));

    // B2.1: staff log in; the request is in the inbox with the applicant masked (B4.6).
    b.login(&app, "fin.staff").await;
    let inbox = b.source().await;
    assert!(inbox.contains(&number), "the new request is in the inbox");
    assert!(inbox.contains("110***********1233") && inbox.contains("138****1234"), "B4.6 masking 3+4");
    assert!(!inbox.contains("110101199003071233"));
    b.screenshot("console-inbox").await;
    b.open_from_inbox(&app, &number).await;
    // B2.2: staff may not extend; the extension form is the approver's.
    assert!(!b.exists("#form-extension").await);
    assert!(b.exists("#form-reply").await && b.exists("#form-correction_notice").await);
    b.logout().await;

    // The approver extends (Art. 33); the page shows the new due date and the one before.
    b.login(&app, "fin.approver").await;
    b.open_from_inbox(&app, &number).await;
    b.fill("#reason", "需调取多个科室档案，经负责人批准延长答复期限").await;
    b.click("#submit-extension").await;
    assert!(b.text("#action-done").await.contains("已登记：延长答复期限"));
    let original = b.text("#original-due").await;
    assert_eq!(original.trim(), due.trim(), "the due date before the extension is the filed one");
    assert_ne!(b.text("#due").await.trim(), due.trim(), "the due date moved");
    assert!(b.text("#timeline").await.contains("延长答复期限"));
    b.screenshot("console-request").await;
    b.logout().await;

    // Staff reply with an outcome leaf of table 3; the 答复书 is issued with its 文号 (issue 17).
    b.login(&app, "fin.staff").await;
    b.open_from_inbox(&app, &number).await;
    // No outcome is chosen beforehand: the first option asks for one.
    b.el("#outcome").await.select_by_index(1).await.unwrap();
    b.fill("#reply-note", "所申请的预算执行情况表见附件。").await;
    // Issue 17 item 9: preview the reply as it will be issued, then issue it from the preview.
    b.click("#preview-reply").await;
    let preview = b.text("#preview").await;
    assert!(
        preview.contains("政府信息公开申请答复书") && preview.contains("所申请的预算执行情况表见附件"),
        "{preview}"
    );
    assert!(preview.contains("文号在签发时分配"), "{preview}");
    b.client.execute("document.getElementById('preview').scrollIntoView()", vec![]).await.unwrap();
    b.screenshot("console-preview").await;
    b.click("#issue-preview").await;
    b.el("#action-done").await;
    assert!(b.text("#status").await.contains("已答复"));
    assert!(!b.exists("#form-reply").await, "nothing may follow a reply");
    let documents = b.text("#documents").await;
    assert!(documents.contains("延期答复告知书") && documents.contains("公延〔2026〕1号"), "{documents}");
    assert!(documents.contains("答复书") && documents.contains("公复〔2026〕1号"), "{documents}");
    // Issue 17 item 6: the information provided goes with the reply, chosen in the browser's
    // file dialog.
    let dir = tempfile::tempdir().unwrap();
    let provided = dir.path().join("预算执行情况表.pdf");
    std::fs::write(&provided, b"%PDF-1.4\n% 2026 budget execution\n%%EOF\n").unwrap();
    b.el("form.attach input[type=file]").await.send_keys(&provided.display().to_string()).await.unwrap();
    b.click("form.attach button[type=submit]").await;
    b.wait_text("#action-done", "已添加附件").await;
    assert!(b.text("#documents").await.contains("预算执行情况表.pdf"));
    b.client.execute("document.getElementById('documents').scrollIntoView()", vec![]).await.unwrap();
    b.screenshot("console-documents").await;
    b.logout().await;

    // The public tracking page shows the reply, the steps and the documents themselves.
    b.track(&app, &number, &code).await;
    assert!(b.text("#status").await.contains("已答复"));
    assert!(b.text("#replies").await.contains("公复〔2026〕1号"));
    assert!(b.text("#steps").await.contains("延长答复期限"));
    let page = b.text("main").await;
    assert!(page.contains("所申请的预算执行情况表见附件") && page.contains("申请行政复议"), "{page}");
    assert!(b.text(".attachment-list").await.contains("预算执行情况表.pdf"), "the applicant sees the file");
    b.client.execute("document.querySelector('.attachment-list').scrollIntoView()", vec![]).await.unwrap();
    b.screenshot("tracking").await;

    // The 2024 report: staff write the overview, the approver publishes (period lock), and the
    // portal shows it with its downloads.
    b.login(&app, "fin.staff").await;
    b.open(&app, &format!("/console/reports/{DEPT}/2024")).await;
    assert!(b.exists("#preview .gk-report").await, "generated tables");
    assert!(!b.exists("#publish-form").await, "staff cannot publish");
    b.fill("#text-overview", "2024年，示例市财政局认真贯彻《中华人民共和国政府信息公开条例》。").await;
    b.click("#save-overview").await;
    b.el("#report-done").await;
    b.logout().await;
    b.login(&app, "fin.approver").await;
    b.open(&app, &format!("/console/reports/{DEPT}/2024")).await;
    b.click("#publish").await;
    // The confirmation page: checked against the date chosen (today, long after 31 January:
    // late under Art. 49), the sections without text, what publishing locks.
    b.el("#publish-check").await;
    assert!(b.text("#check-warnings").await.contains("第四十九条"), "{}", b.source().await);
    assert!(b.text("#check-empty").await.contains("五、存在的主要问题及改进情况"));
    assert!(b.text("#locks").await.contains("申请登记"));
    b.screenshot("console-publish-check").await;
    b.click("#accept").await;
    b.click("#confirm-publish").await;
    b.el("#report-done").await;
    assert!(b.text("#publication").await.contains("已锁定"));
    b.screenshot("console-report").await;
    assert!(app.store.is_locked(DEPT, 2024).await.unwrap());
    b.logout().await;

    b.open(&app, &format!("/agencies/{DEPT}/reports/2024")).await;
    let page = b.source().await;
    assert!(page.contains("2024"), "the report page");
    assert!(page.contains("认真贯彻"), "the overview written in the console is published");
    assert!(page.contains("id=\"downloads\""), "the downloads section");
    assert_eq!(page.matches("<h1").count(), 1, "the title once");
    assert!(!page.contains("meta.deadline") && !page.contains("<code>"), "no rule ids on a public page");
    assert!(b.text("#report-notes").await.contains("第四十九条"), "the lateness, in plain words");
    assert!(!page.contains("赵申请"), "no applicant on a public page (B4.6)");
    b.screenshot("report").await;

    // B2.3: the story left an intact audit trail naming each actor.
    audited(
        &app.store,
        &[
            ("request.extension", "fin.approver"),
            ("request.reply", "fin.staff"),
            ("report.narrative", "fin.staff"),
            ("report.publish", "fin.approver"),
        ],
    )
    .await;
});

// Issue 18, "done means": an office put into service from an empty database, in the browser —
// `gongkai init`'s use case, then the administrator adds a department, its settings and two
// accounts and the site's identity; staff fill the guide and file a year's registers (the
// register workbook, uploaded); the approver publishes through the confirmation page; the
// public pages show the guide, the footer and the report without rule ids.
mod issue18_an_office_is_put_into_service_from_an_empty_database {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        harness::run_empty(harness::Db::Sqlite, from_empty).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        harness::run_empty(harness::Db::Postgres, from_empty).await;
    }
}

async fn from_empty(app: App) {
    let Some(b) = Browser::start().await else { return };
    assert!(app.store.list_agencies().await.unwrap().is_empty(), "an empty database");
    // The registers the office will file: the example workbook's department of 示例市.
    let batch = gongkai_sheet::example();
    let top = batch.agencies.iter().find(|a| a.parent.is_none()).unwrap().clone();
    let dept = batch.agencies.iter().find(|a| a.parent.is_some()).unwrap().clone();
    let year = batch.requests[0].0.received_on.format("%Y").to_string();

    // `gongkai init --agency … --name … --admin admin` (what the command calls).
    let (_, admin) = gongkai_app::setup::init(
        &app.store,
        &harness::clock(),
        &gongkai_app::Actor::cli(),
        top.clone(),
        "admin",
        PASSWORD.to_string(),
    )
    .await
    .unwrap();
    assert_eq!(admin.role, Role::Administrator);

    // The portal before anything is set: the footer's placeholders, and the way in for staff.
    b.open(&app, "/").await;
    assert!(b.text("footer").await.contains("（未配置主办单位）"));
    b.click("#staff-login").await;
    b.el("#username").await;

    // The administrator: a department, its casework settings, two accounts, the site's identity.
    b.login(&app, "admin").await;
    b.click("#nav-admin-agencies").await;
    b.fill("#code", &dept.code).await;
    b.fill("#name", &dept.name).await;
    b.el("#parent").await.select_by_value(&top.code).await.unwrap();
    b.el("#kind").await.select_by_value("department").await.unwrap();
    b.click("#save-agency").await;
    b.wait_text("#admin-done", "机关已登记").await;
    assert!(b.text("#agencies").await.contains(&dept.name));
    b.open(&app, &format!("/console/admin/agencies/{}", dept.code)).await;
    // C3: a department of a people's government is reviewed by that government.
    let remedy = b.text("#remedy").await;
    assert!(remedy.contains(&format!("{}（行政复议法第二十四条", top.name)), "{remedy}");
    b.fill("#short_name", "示财").await;
    b.click("#save-casework").await;
    b.wait_text("#admin-done", "文书设置已保存").await;
    assert!(b.text("#remedy").await.contains("示财"));
    assert!(b.text("#no-guide").await.contains("尚未登记政府信息公开指南"));
    b.screenshot("console-admin-agency").await;
    for (username, role) in [("czj.staff", "staff"), ("czj.approver", "approver")] {
        b.open(&app, "/console/admin/accounts").await;
        b.fill("#username", username).await;
        b.el("#agency").await.select_by_value(&dept.code).await.unwrap();
        b.el("#role").await.select_by_value(role).await.unwrap();
        b.fill("#password", PASSWORD).await;
        b.click("#add-account").await;
        b.wait_text("#admin-done", "账户已创建").await;
    }
    b.click("#nav-admin-site").await;
    for (field, value) in [
        ("#site_sponsor", "示例市人民政府办公室"),
        ("#site_contact", "0000-12345678"),
        ("#site_id_code", "0000000001"),
        ("#site_icp", "京ICP备00000001号"),
        ("#site_police", "京公网安备00000000000001号"),
    ] {
        b.fill(field, value).await;
    }
    b.click("#save-site").await;
    b.wait_text("#admin-done", "网站设置已保存").await;
    b.screenshot("console-admin-site").await;
    b.logout().await;

    // Staff: the disclosure guide (Art. 12), then the year's registers as a workbook.
    b.login(&app, "czj.staff").await;
    b.open(&app, "/console/guide").await;
    for (field, value) in [
        ("office", "示例市财政局办公室"),
        ("address", "示例市人民路1号"),
        ("hours", "工作日 9:00-17:00"),
        ("phone", "0000-12345600"),
        ("fax", "0000-12345679"),
        ("web_contact", "示例市财政局门户网站“依申请公开”栏目"),
        ("catalogue", "目录按主题分类、按发布时间倒序编排。"),
        ("request", "申请人可以通过在线申请、信函、当面提交等方式提出申请，本机关20个工作日内答复。"),
    ] {
        b.fill(&format!("#{field}"), value).await;
    }
    b.click("#save-guide").await;
    b.el("#guide-done").await;
    let dir = tempfile::tempdir().unwrap();
    let workbook = dir.path().join("台账.xlsx");
    std::fs::write(&workbook, gongkai_sheet::write(&batch, true).unwrap()).unwrap();
    b.open(&app, "/console/registers").await;
    b.el("#file").await.send_keys(&workbook.display().to_string()).await.unwrap();
    b.click("#import-registers").await;
    b.el("#registers-done, #registers-error").await;
    assert!(b.exists("#registers-done").await, "{}", b.text("main").await);
    assert_eq!(
        app.store.list_requests(&dept.code, gongkai_store::RequestFilter::All).await.unwrap().len(),
        batch.requests.len()
    );
    // The report's first section, in the workspace.
    b.open(&app, &format!("/console/reports/{}/{year}", dept.code)).await;
    b.fill("#text-overview", &format!("{year}年，示例市财政局认真贯彻《中华人民共和国政府信息公开条例》。")).await;
    b.click("#save-overview").await;
    b.el("#report-done").await;
    b.logout().await;

    // The portal: the guide and the footer as set.
    b.open(&app, &format!("/agencies/{}/guide", dept.code)).await;
    let guide = b.text("main").await;
    assert!(guide.contains("示例市人民路1号") && guide.contains("目录按主题分类"), "{guide}");
    let footer = b.text("footer").await;
    assert!(footer.contains("示例市人民政府办公室") && footer.contains("0000000001"), "{footer}");
    assert!(!footer.contains("未配置"), "{footer}");

    // The approver publishes the year through the confirmation page.
    b.login(&app, "czj.approver").await;
    b.open(&app, &format!("/console/reports/{}/{year}", dept.code)).await;
    b.click("#publish").await;
    b.el("#publish-check").await;
    assert!(b.text("#locks").await.contains("申请登记"));
    if b.exists("#accept").await {
        b.click("#accept").await;
    }
    b.click("#confirm-publish").await;
    b.el("#report-done").await;
    assert!(b.text("#publication").await.contains("已锁定"));
    assert!(app.store.is_locked(&dept.code, year.parse().unwrap()).await.unwrap());
    b.logout().await;

    // The public report page: the report as published, without rule ids.
    b.open(&app, &format!("/agencies/{}/reports/{year}", dept.code)).await;
    let page = b.source().await;
    assert_eq!(page.matches("<h1").count(), 1, "the title once");
    assert!(page.contains("认真贯彻《中华人民共和国政府信息公开条例》"), "the overview as written");
    assert!(page.contains("id=\"downloads\""));
    assert!(!page.contains("meta.deadline") && !page.contains("t3.") && !page.contains("<code>"), "no rule ids");
    b.screenshot("report-from-empty").await;

    // Every step is in the audit trail, by whom it was done.
    audited(
        &app.store,
        &[
            ("agency.register", "admin"),
            ("agency.casework", "admin"),
            ("user.add", "admin"),
            ("config.site", "admin"),
            ("guide.set", "czj.staff"),
            ("registers.import", "czj.staff"),
            ("report.narrative", "czj.staff"),
            ("report.publish", "czj.approver"),
        ],
    )
    .await;
}

// Issue 17, "done means": a 补正告知书 issued in the console reaches the applicant's tracking page
// (待补正, the notice itself); once the correction is received the due date restarts (Art. 30),
// and both pages show it moving, step by step.
story!(issue17_a_correction_restarts_the_due_date_on_both_pages, |app: App| async move {
    let Some(b) = Browser::start().await else { return };
    users(&app.store).await;
    let (number, code) = ("2026-WEB-0042", "ABCDEFGH2345");
    let request = Request {
        agency: DEPT.into(),
        tracking_number: number.into(),
        channel: Channel::Online,
        received_on: "2026-11-02".parse().unwrap(),
        applicant: Applicant {
            id_document_type: None,
            kind: ApplicantType::NaturalPerson,
            name: "周补正".into(),
            id_document: Some("110101199003071233".into()),
            contact: Some("13800001234".into()),
        },
        content: "请公开某路段改造工程的批复".into(),
        requested_form: Some("electronic".into()),
        delivery: Some("online".into()),
    };
    let hash = gongkai_web::filing::query_code_hash(number, code);
    app.store.file_online_request(&request, &hash, None).await.unwrap();
    b.track(&app, number, code).await;
    let filed_due = b.text("#due").await.trim().to_string();
    assert!(b.text("#steps").await.contains(&format!("收到申请 — 答复期限 {filed_due}")));

    // Staff issue the correction notice on 4 November (within Art. 30's seven working days).
    let set_date = |id: &'static str, on: &'static str| format!("document.getElementById('{id}').value = '{on}'");
    b.login(&app, "fin.staff").await;
    b.open_from_inbox(&app, number).await;
    b.client.execute(&set_date("on-correction_notice", "2026-11-04"), vec![]).await.unwrap();
    b.fill("#note", "请写明所需批复的文号或印发年份").await;
    b.click("#submit-correction_notice").await;
    b.el("#action-done").await;
    assert!(b.text("#documents").await.contains("补正告知书"));
    assert!(b.text("#timeline").await.contains("待补正：收到补正后重新计算答复期限"));
    b.logout().await;

    // The applicant sees 待补正, the step and the notice.
    b.track(&app, number, code).await;
    assert!(b.text("#status").await.contains("待补正"));
    assert!(
        b.text("#steps").await.contains("补正告知 — 待补正：收到补正后重新计算答复期限"),
        "{}",
        b.text("#steps").await
    );
    assert!(b.text("main").await.contains("补正告知书"));

    // The correction arrives on 18 November, within the notice's 15 days: the period restarts from it.
    b.login(&app, "fin.staff").await;
    b.open_from_inbox(&app, number).await;
    b.client.execute(&set_date("on-correction_received", "2026-11-18"), vec![]).await.unwrap();
    b.click("#submit-correction_received").await;
    b.el("#action-done").await;
    let restarted = b.text("#due").await.trim().to_string();
    assert!(restarted.as_str() > filed_due.as_str(), "{restarted} after {filed_due}");
    assert!(b.text("#timeline").await.contains(&format!("答复期限 {restarted}")));
    b.logout().await;
    b.track(&app, number, code).await;
    assert_eq!(b.text("#due").await.trim(), restarted);
    let steps = b.text("#steps").await;
    assert!(steps.contains(&format!("收到申请 — 答复期限 {filed_due}")), "{steps}");
    assert!(steps.contains(&format!("收到补正 — 答复期限 {restarted}")), "{steps}");
    b.client.execute("document.getElementById('steps').scrollIntoView()", vec![]).await.unwrap();
    b.screenshot("tracking-due-dates").await;
});

// Issue 8: a supervisor of the government sees an overdue request of a department below it,
// opens it, sees the late report flagged, and downloads the roll-up.
story!(supervisor_sees_overdue_request_and_late_report, |app: App| async move {
    let Some(b) = Browser::start().await else { return };
    let hash = gongkai_store::hash_password_blocking(PASSWORD.to_string()).await.unwrap();
    app.store.create_user("gov.supervisor", harness::ROOT, Role::Supervisor, &hash, chrono::Utc::now()).await.unwrap();
    // Received 2026-09-01 and never answered: overdue by now (Art. 33).
    let late = Request {
        agency: DEPT.into(),
        tracking_number: "FIN-LATE-1".into(),
        channel: Channel::Post,
        received_on: "2026-09-01".parse().unwrap(),
        applicant: Applicant {
            id_document_type: None,
            kind: ApplicantType::NaturalPerson,
            name: "钱申请".into(),
            id_document: None,
            contact: None,
        },
        content: "2026年项目支出明细".into(),
        requested_form: None,
        delivery: None,
    };
    app.store.insert_request(&late).await.unwrap();

    b.login(&app, "gov.supervisor").await;
    b.click("#nav-supervise").await;
    b.el("#overview").await;
    let page = b.source().await;
    assert!(page.contains("监督总览"));
    // The government's own 2025 report was never published: flagged (Art. 49, 31 January).
    let gov_row = b.text(&format!("#agency-{}", harness::ROOT)).await;
    assert!(gov_row.contains("逾期未发布"), "{gov_row}");
    b.screenshot("console-supervise").await;
    // The roll-up link answers with a workbook (fetched with the browser's session cookie).
    let href = b.el("#rollup-xlsx").await.attr("href").await.unwrap().unwrap();
    let cookie = b.client.get_named_cookie("gk_session").await.unwrap();
    let r =
        app.client.get(app.url(&href)).header("cookie", format!("gk_session={}", cookie.value())).send().await.unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert!(gongkai_import::import(&r.bytes().await.unwrap(), "rollup.xlsx").is_ok());
    // Year-on-year: the chart (static SVG) and its table.
    b.click("#trend-link").await;
    b.el("#trend-chart").await;
    assert!(b.exists("#trend-2025").await);
    b.screenshot("console-trend").await;
    b.client.back().await.unwrap();
    b.el("#overview").await;
    // The overdue request is one click away.
    b.client.find(Locator::LinkText("FIN-LATE-1")).await.unwrap().click().await.unwrap();
    assert_eq!(b.text("#tracking-number").await, "FIN-LATE-1");
    assert!(b.text("#status").await.contains("逾期"));
    // Read-only: a supervisor gets no action forms.
    assert!(!b.exists("#form-reply").await);

    // A department that keeps no registers in gongkai: its published 2024 report is uploaded
    // through the browser's file chooser, checked, and shown in the 2024 overview as coming from
    // that file.
    let no_registers = gongkai_core::register::Agency {
        code: "GOV-NR".into(),
        name: "示例县自然资源局".into(),
        parent: Some(harness::ROOT.into()),
        kind: gongkai_core::register::AgencyKind::Department,
    };
    app.store.upsert_agency(&no_registers).await.unwrap();
    let file =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/2024-demo-county-natural-resources.txt");
    let file = file.canonicalize().unwrap();
    b.open(&app, "/console/supervise/published?year=2024").await;
    b.el("#published-form").await;
    b.el("#agency option[value='GOV-NR']").await.click().await.unwrap();
    b.el("#file").await.send_keys(&file.display().to_string()).await.unwrap();
    b.click("#import-published").await;
    assert!(b.text("#published-done").await.contains("导入"), "{}", b.source().await);
    assert!(b.text("#published").await.contains("2024-demo-county-natural-resources.txt"));
    b.open(&app, "/console/supervise?year=2024").await;
    let row = b.text("#agency-GOV-NR").await;
    assert!(row.contains("来自已发布文件"), "{row}");
    b.screenshot("console-supervise-published").await;
});

// ---------------------------------------------------------------------------------------------
// A5 accessibility (GB/T 37668-2019 二级 ≈ WCAG 2.1 AA; 适老化): an automated axe-core scan of
// every page in Chromium, and the request form operated with the keyboard alone.

/// axe-core's browser build (axe.min.js from npm, installed by scripts/setup.sh into
/// `~/.cache/gongkai-axe`; scripts/test.sh names it in `GONGKAI_AXE_JS`). `None` (with a message)
/// when it is missing and `CI` is unset; under `CI` a missing file fails the test.
fn axe_source() -> Option<String> {
    let path = std::env::var_os("GONGKAI_AXE_JS").map(PathBuf::from).or_else(|| {
        std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/gongkai-axe/node_modules/axe-core/axe.min.js"))
    });
    match path.as_ref().map(std::fs::read_to_string) {
        Some(Ok(source)) if source.contains("axe") => Some(source),
        found => {
            let why = format!(
                "axe-core not found ({}: {}): run scripts/setup.sh (npm install axe-core into ~/.cache/gongkai-axe) or set GONGKAI_AXE_JS",
                path.as_ref().map(|p| p.display().to_string()).unwrap_or_else(|| "no path".into()),
                match found {
                    Some(Err(e)) => e.to_string(),
                    _ => "no axe in the file".into(),
                }
            );
            if std::env::var_os("CI").is_some() {
                panic!("{why}");
            }
            eprintln!("SKIPPED: {why}");
            None
        }
    }
}

/// One axe violation: the rule, its impact and the failing elements (CSS selectors).
struct AxeViolation {
    id: String,
    impact: String,
    help: String,
    targets: Vec<String>,
}

/// The WCAG 2.1 A and AA rules of axe-core (A5.2: GB/T 37668-2019 二级 ≈ WCAG 2.1 AA). No rule is
/// disabled. What axe cannot decide (「needs review」) is printed, not failed; on these pages, checked
/// by hand: color-contrast of the report tables' merged header cells (axe cannot see the background
/// under a rowspan: black on white or #c6d9f1, ≥ 12:1) and of the trend charts' SVG labels (black on
/// white), and th-has-data-cells of tables that have no rows yet.
const AXE_RUN: &str = r#"
const done = arguments[arguments.length - 1];
if (typeof axe === 'undefined') { done({ error: 'axe-core did not load' }); return; }
axe.run(document, {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] },
  resultTypes: ['violations'],
}).then(r => done({
  passes: r.passes.length,
  incomplete: r.incomplete.map(v => v.id),
  violations: r.violations.map(v => ({
    id: v.id, impact: v.impact || '', help: v.help,
    targets: v.nodes.map(n => n.target.map(t => Array.isArray(t) ? t.join(' >> ') : t).join(' ')),
  })),
})).catch(e => done({ error: String(e) }));
"#;

impl Browser {
    /// Runs axe-core on the page now shown: the violations of the WCAG 2.1 A/AA rules, and the
    /// rules axe could not decide on some element (「needs review」: checked by hand, not failed).
    async fn axe(&self, axe: &str) -> (Vec<AxeViolation>, Vec<String>) {
        self.client.execute(axe, vec![]).await.expect("inject axe-core");
        let out = self.client.execute_async(AXE_RUN, vec![]).await.expect("axe.run");
        if let Some(e) = out.get("error") {
            panic!("axe-core failed: {e}");
        }
        assert!(out["passes"].as_u64().unwrap_or(0) > 0, "axe ran no rule: {out}");
        let incomplete =
            out["incomplete"].as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
        let violations = out["violations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| AxeViolation {
                id: v["id"].as_str().unwrap_or_default().to_string(),
                impact: v["impact"].as_str().unwrap_or_default().to_string(),
                help: v["help"].as_str().unwrap_or_default().to_string(),
                targets: v["targets"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| t.as_str().unwrap_or_default().to_string())
                    .collect(),
            })
            .collect();
        (violations, incomplete)
    }
}

/// Scans the page now shown and records it under `name`.
async fn scan(b: &Browser, axe: &str, name: &str, results: &mut Vec<(String, String, Vec<AxeViolation>)>) {
    let url = b.client.current_url().await.unwrap().to_string();
    let (violations, incomplete) = b.axe(axe).await;
    eprintln!(
        "axe {name} ({url}): {} violation(s){}; needs review: {}",
        violations.len(),
        violations.iter().map(|v| format!(" {}", v.id)).collect::<String>(),
        if incomplete.is_empty() { "none".to_string() } else { incomplete.join(" ") }
    );
    results.push((name.to_string(), url, violations));
}

/// A5.2 (GB/T 37668-2019, target 二级 ≈ WCAG 2.1 AA; "CI: automated WCAG 2.1 AA scan of each
/// template"): every template of the portal and the console, and the error pages, rendered in
/// Chromium with real data and scanned by axe-core with all its WCAG 2.0/2.1 A and AA rules —
/// no violation on any page. About the HTML, so on one backend (SQLite). This is how A5.1 (the
/// Barrier-Free Environment Law, Art. 32: publicly funded websites meet the accessibility
/// standards) is held.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a5_2_every_page_passes_an_automated_wcag_2_1_aa_scan() {
    harness::run(harness::Db::Sqlite, None, |app: App| async move {
        let Some(axe) = axe_source() else { return };
        let Some(b) = Browser::start().await else { return };
        b.client
            .update_timeouts(fantoccini::wd::TimeoutConfiguration::new(
                Some(Duration::from_secs(120)),
                Some(Duration::from_secs(60)),
                Some(Duration::from_secs(0)),
            ))
            .await
            .unwrap();
        let hash = gongkai_store::hash_password_blocking(PASSWORD.to_string()).await.unwrap();
        let now = chrono::Utc::now();
        for (name, agency, role) in [
            ("fin.staff", DEPT, Role::Staff),
            ("gov.supervisor", harness::ROOT, Role::Supervisor),
            ("auditor", harness::ROOT, Role::Auditor),
            ("sec.admin", harness::ROOT, Role::SecurityAdmin),
            ("admin", harness::ROOT, Role::Administrator),
        ] {
            app.store.create_user(name, agency, role, &hash, now).await.unwrap();
        }
        // A pending case, so that the cases page shows its 记录审结 form.
        app.store
            .insert_case(&gongkai_core::register::Case {
                agency: DEPT.into(),
                number: "FIN-FY-2026-1".into(),
                group: gongkai_core::report::CaseGroup::Review,
                request: None,
                filed_on: "2026-03-02".parse().unwrap(),
                decided_on: None,
                result: None,
            })
            .await
            .unwrap();
        let mut results = Vec::new();
        let r = &mut results;

        // The public portal.
        for (name, path) in [
            ("portal home", "/".to_string()),
            ("agency tree", "/agencies".to_string()),
            ("agency page", format!("/agencies/{DEPT}")),
            ("guide", format!("/agencies/{DEPT}/guide")),
            ("rules", format!("/agencies/{DEPT}/rules")),
            ("proactive (Art. 20)", format!("/agencies/{DEPT}/proactive")),
            ("directory with a search", format!("/agencies/{DEPT}/directory?q=%E9%A2%84%E7%AE%97")),
            ("item page", format!("/agencies/{DEPT}/proactive/FIN-2025-0001")),
            ("reports list", format!("/agencies/{DEPT}/reports")),
            ("report page", format!("/agencies/{DEPT}/reports/{}", harness::YEAR)),
            ("request form", format!("/agencies/{DEPT}/apply")),
            ("tracking form", "/track".to_string()),
            ("API docs", "/api/v1/docs".to_string()),
            ("not-found page", "/agencies/NOPE".to_string()),
        ] {
            b.open(&app, &path).await;
            b.el("main").await;
            scan(&b, &axe, name, r).await;
        }
        // The form sent empty: every field's error, in the summary and beside the field.
        b.open(&app, &format!("/agencies/{DEPT}/apply")).await;
        b.click("main form button[type=submit]").await;
        b.el("#form-errors").await;
        scan(&b, &axe, "request form with errors", r).await;
        let (number, code) = b.file_request(&app).await;
        scan(&b, &axe, "filed page", r).await;
        b.track(&app, &number, &code).await;
        scan(&b, &axe, "tracking result", r).await;
        b.open(&app, "/track").await;
        b.fill("#number", &number).await;
        b.fill("#code", "WRONGCODE234").await;
        b.click("main form button[type=submit]").await;
        b.el("main .error").await;
        scan(&b, &axe, "tracking not found", r).await;

        // The console: the login form, and with a wrong password.
        b.open(&app, "/console/login").await;
        b.el("#username").await;
        scan(&b, &axe, "console login", r).await;
        b.fill("#username", "fin.staff").await;
        b.fill("#password", "wrong-password").await;
        b.click("#login").await;
        b.el("#login-error").await;
        scan(&b, &axe, "console login with error", r).await;

        // Staff of the department.
        b.login(&app, "fin.staff").await;
        scan(&b, &axe, "inbox", r).await;
        b.open_from_inbox(&app, &number).await;
        b.el("#form-reply").await;
        scan(&b, &axe, "request page (actions)", r).await;
        for (name, path, ready) in [
            ("proactive register", "/console/proactive".to_string(), "#proactive-form"),
            ("disclosure guide editor", "/console/guide".to_string(), "#guide-form"),
            ("article20", "/console/article20?year=2026".to_string(), "#article20-form"),
            ("article20 (locked year)", format!("/console/article20?year={}", harness::YEAR), "#article20-locked"),
            ("cases", "/console/cases".to_string(), ".decide-form"),
            ("registers", "/console/registers".to_string(), "#registers-form"),
            ("reports index", "/console/reports".to_string(), "main table"),
            ("report workspace (draft)", format!("/console/reports/{DEPT}/2026"), "#preview"),
            ("report workspace (published)", format!("/console/reports/{DEPT}/{}", harness::YEAR), "#preview"),
            ("tokens", "/console/tokens".to_string(), "#token-form"),
            ("password", "/console/password".to_string(), "#change-password"),
            ("mfa", "/console/mfa".to_string(), "#mfa-start"),
        ] {
            b.open(&app, &path).await;
            b.el(ready).await;
            scan(&b, &axe, name, r).await;
        }
        // The guide editor refusing an empty Art. 12 field: the message and the field marked.
        b.open(&app, "/console/guide").await;
        b.fill("#catalogue", "目录按主题分类、按发布时间倒序编排。").await;
        b.fill("#request", "申请人可以通过在线申请、信函、当面提交等方式提出申请。").await;
        b.fill("#fax", "").await;
        b.client.execute("document.getElementById('fax').removeAttribute('required')", vec![]).await.unwrap();
        b.click("#save-guide").await;
        b.el("#guide-error").await;
        assert!(b.text("#guide-error").await.contains("传真号码：不能为空"), "{}", b.source().await);
        scan(&b, &axe, "disclosure guide editor with error", r).await;
        b.screenshot("console-guide").await;
        b.open(&app, "/console/tokens").await;
        b.fill("#token-name", "报表脚本").await;
        b.click("#create-token").await;
        b.el("#new-token").await;
        scan(&b, &axe, "tokens (new token shown)", r).await;
        b.open(&app, "/console/mfa").await;
        b.click("#mfa-start button").await;
        b.el("#mfa-secret").await;
        scan(&b, &axe, "mfa (enrolment)", r).await;
        b.logout().await;

        // The supervising office.
        b.login(&app, "gov.supervisor").await;
        for (name, path, ready) in [
            ("supervise overview", "/console/supervise", "#overview"),
            ("trend", "/console/supervise/trend", "#trend-chart"),
            ("reminders", "/console/supervise/reminders", "#reminders"),
            ("published reports upload", "/console/supervise/published", "#published-form"),
        ] {
            b.open(&app, path).await;
            b.el(ready).await;
            scan(&b, &axe, name, r).await;
        }
        b.logout().await;

        // The audit administrator (B2.6): the audit trail, and the page a forbidden path shows.
        b.login(&app, "auditor").await;
        b.open(&app, "/console/audit").await;
        b.el("#audit").await;
        scan(&b, &axe, "audit", r).await;
        b.open(&app, "/console/requests").await;
        b.el("main").await;
        assert!(b.source().await.contains("无权访问"));
        scan(&b, &axe, "forbidden page", r).await;

        // The security administrator (B2.6): the security settings page.
        b.open(&app, "/console/audit").await;
        b.logout().await;
        b.login(&app, "sec.admin").await;
        b.open(&app, "/console/security").await;
        b.el("#accounts").await;
        scan(&b, &axe, "security settings", r).await;

        b.logout().await;

        // The system administrator (issue 18 item 2): the agency tree and the accounts.
        b.login(&app, "admin").await;
        let agency_settings = format!("/console/admin/agencies/{DEPT}");
        for (name, path, ready) in [
            ("agencies administration", "/console/admin/agencies", "#agency-form"),
            ("accounts administration", "/console/admin/accounts", "#account-form"),
            ("agency settings", agency_settings.as_str(), "#casework-form"),
            ("site settings", "/console/admin/site", "#site-form"),
        ] {
            b.open(&app, path).await;
            b.el(ready).await;
            scan(&b, &axe, name, r).await;
        }
        b.open(&app, "/console/admin/accounts").await;
        b.fill("#username", "fin.approver2").await;
        b.fill("#password", "Fin-Approver-2026!").await;
        b.click("#add-account").await;
        b.el("#admin-done").await;
        assert!(b.text("#accounts").await.contains("fin.approver2"), "{}", b.source().await);
        b.screenshot("console-admin-accounts").await;

        // The scan can fail: a field without a label is found.
        b.open(&app, "/track").await;
        b.client
            .execute(
                "document.querySelector('main').insertAdjacentHTML('beforeend', '<input id=\"unlabelled\">')",
                vec![],
            )
            .await
            .unwrap();
        let (planted, _) = b.axe(&axe).await;
        assert!(
            planted.iter().any(|v| v.id == "label" && v.targets.iter().any(|t| t.contains("unlabelled"))),
            "axe finds a planted unlabelled field"
        );

        let failing: Vec<String> = results
            .iter()
            .filter(|(_, _, v)| !v.is_empty())
            .map(|(name, url, vs)| {
                let mut s = format!("{name} ({url}):");
                for v in vs {
                    s.push_str(&format!("\n  {} [{}] {}: {}", v.id, v.impact, v.help, v.targets.join(", ")));
                }
                s
            })
            .collect();
        assert!(results.len() >= 41, "every template scanned ({} pages)", results.len());
        assert!(
            failing.is_empty(),
            "WCAG 2.1 AA violations (axe-core) on {} of {} pages:\n{}",
            failing.len(),
            results.len(),
            failing.join("\n")
        );
    })
    .await;
}

/// What is focused, and how it shows (the outline, the colour around it, where it is).
const FOCUS_STATE: &str = r#"
const el = document.activeElement;
const cs = getComputedStyle(el);
const r = el.getBoundingClientRect();
function background(e) {
  for (; e; e = e.parentElement) {
    const c = getComputedStyle(e).backgroundColor;
    const m = c.match(/[\d.]+/g);
    if (m && (m.length < 4 || parseFloat(m[3]) > 0)) return c;
  }
  return 'rgb(255, 255, 255)';
}
return {
  id: el.id, tag: el.tagName.toLowerCase(), text: (el.innerText || el.value || '').trim().slice(0, 40),
  value: el.value === undefined ? null : el.value,
  outlineStyle: cs.outlineStyle, outlineWidth: parseFloat(cs.outlineWidth) || 0, outlineColor: cs.outlineColor,
  around: background(el.parentElement), visibility: cs.visibility,
  top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width, height: r.height,
  vw: window.innerWidth, vh: window.innerHeight,
};
"#;

/// sRGB relative luminance of a computed colour `rgb(r, g, b)` / `rgba(r, g, b, a)` (WCAG 2.1).
fn luminance(css: &str) -> f64 {
    let v: Vec<f64> = css
        .trim_start_matches(|c: char| c.is_ascii_alphabetic() || c == '(')
        .trim_end_matches(')')
        .split(',')
        .take(3)
        .map(|x| x.trim().parse::<f64>().unwrap_or_else(|_| panic!("colour {css}")) / 255.0)
        .map(|c| if c <= 0.04045 { c / 12.92 } else { ((c + 0.055) / 1.055).powf(2.4) })
        .collect();
    assert_eq!(v.len(), 3, "colour {css}");
    0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2]
}

fn contrast(a: &str, b: &str) -> f64 {
    let (x, y) = (luminance(a), luminance(b));
    (x.max(y) + 0.05) / (x.min(y) + 0.05)
}

impl Browser {
    /// Presses and releases each key in turn (a character, or a `Key` such as Tab).
    async fn keys(&self, keys: impl IntoIterator<Item = char>) {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        let mut seq = KeyActions::new("keyboard".into());
        for k in keys {
            seq = seq.then(KeyAction::Down { value: k }).then(KeyAction::Up { value: k });
        }
        self.client.perform_actions(seq).await.expect("key actions");
    }

    async fn press(&self, key: fantoccini::key::Key) {
        self.keys([char::from(key)]).await;
    }

    /// Shift+Tab.
    async fn shift_tab(&self) {
        use fantoccini::actions::{InputSource, KeyAction, KeyActions};
        use fantoccini::key::Key;
        let (shift, tab) = (char::from(Key::Shift), char::from(Key::Tab));
        let seq = KeyActions::new("keyboard".into())
            .then(KeyAction::Down { value: shift })
            .then(KeyAction::Down { value: tab })
            .then(KeyAction::Up { value: tab })
            .then(KeyAction::Up { value: shift });
        self.client.perform_actions(seq).await.expect("key actions");
    }

    /// The focused element, checked to be visibly focused (A5.3, WCAG 2.4.7): an outline of at
    /// least 2 px, contrasting at least 3:1 with the colour around it (WCAG 1.4.11), on screen.
    async fn focused(&self) -> serde_json::Value {
        let f = self.client.execute(FOCUS_STATE, vec![]).await.unwrap();
        let what = format!("focus on <{} id={:?}> {:?}", f["tag"], f["id"], f["text"]);
        assert_ne!(f["tag"], "body", "focus was lost: {f}");
        assert!(
            f["outlineStyle"] != "none" && f["outlineWidth"].as_f64().unwrap() >= 2.0,
            "{what}: no visible focus outline: {f}"
        );
        let ratio = contrast(f["outlineColor"].as_str().unwrap(), f["around"].as_str().unwrap());
        assert!(ratio >= 3.0, "{what}: the focus outline contrasts {ratio:.2}:1 with its surroundings: {f}");
        let n = |k: &str| f[k].as_f64().unwrap();
        assert!(f["visibility"] == "visible" && n("width") > 0.0 && n("height") > 0.0, "{what}: not shown: {f}");
        assert!(
            n("bottom") > 0.0 && n("top") < n("vh") && n("right") > 0.0 && n("left") < n("vw"),
            "{what}: outside the window: {f}"
        );
        f
    }

    /// Tab once; the focused element (checked visible) must be `expect` (its id).
    async fn tab_to(&self, expect: &str) -> serde_json::Value {
        self.press(fantoccini::key::Key::Tab).await;
        let f = self.focused().await;
        assert_eq!(f["id"], expect, "Tab should reach #{expect}: {f}");
        f
    }

    /// document.scrollingElement's scroll width against its client width.
    async fn horizontal_overflow(&self) -> (i64, i64) {
        let v = self
            .client
            .execute("const s = document.scrollingElement; return [s.scrollWidth, s.clientWidth];", vec![])
            .await
            .unwrap();
        (v[0].as_i64().unwrap(), v[1].as_i64().unwrap())
    }
}

/// A5.3 (适老化: full keyboard operation) and A5.2 (WCAG 2.1.1 keyboard, 2.4.3 focus order, 2.4.7
/// focus visible): a member of the public files a request with the keyboard alone — skip link,
/// Tab and Shift+Tab through the fields in reading order, typing, arrow keys in the selects,
/// Enter on the button; a form sent incomplete is corrected through the error summary's links.
/// At every step the focused element shows an outline (≥ 2 px, ≥ 3:1 against its surroundings)
/// and is on screen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a5_3_the_request_form_works_with_the_keyboard_alone() {
    harness::run(harness::Db::Sqlite, None, |app: App| async move {
        use fantoccini::key::Key;
        let Some(b) = Browser::start().await else { return };
        b.open(&app, &format!("/agencies/{DEPT}")).await;
        b.el("main").await;
        // From the agency page: the header's links are reachable and visibly focused (white
        // outline on the red header), then the 依申请公开 section link opens the form.
        b.press(Key::Tab).await;
        assert_eq!(b.focused().await["text"], "跳到主要内容", "the skip link comes first");
        let mut reached = false;
        for _ in 0..15 {
            b.press(Key::Tab).await;
            let f = b.focused().await;
            if f["text"] == "依申请公开" {
                reached = true;
                break;
            }
        }
        assert!(reached, "the 依申请公开 link is reachable with Tab");
        b.press(Key::Enter).await;
        b.el("#applicant_type").await;
        assert!(b.client.current_url().await.unwrap().path().ends_with("/apply"));

        // The skip link moves focus to the main content; the first field follows.
        b.press(Key::Tab).await;
        assert_eq!(b.focused().await["text"], "跳到主要内容");
        b.press(Key::Enter).await;
        assert_eq!(b.focused().await["id"], "main", "the skip link focuses <main>");
        b.tab_to("applicant_type").await;
        // Sent without anything filled in: the errors are listed, each a link to its field.
        for id in [
            "name",
            "id_document_type",
            "id_document",
            "phone",
            "address",
            "postcode",
            "email",
            "content",
            "form",
            "delivery",
        ] {
            b.tab_to(id).await;
        }
        b.press(Key::Tab).await;
        assert_eq!(b.focused().await["text"], "提交申请");
        b.press(Key::Enter).await;
        b.el("#form-errors").await;
        b.press(Key::Tab).await;
        assert_eq!(b.focused().await["text"], "跳到主要内容");
        b.press(Key::Enter).await;
        b.press(Key::Tab).await;
        let first_error = b.focused().await;
        assert_eq!(first_error["tag"], "a", "the first error is a link: {first_error}");
        assert!(first_error["text"].as_str().unwrap().starts_with("申请人类型"), "{first_error}");
        b.press(Key::Enter).await;
        assert_eq!(b.focused().await["id"], "applicant_type", "the error's link takes focus to its field");

        // Fill in: arrow keys choose in a select, typing fills a field, Shift+Tab goes back.
        b.press(Key::Down).await;
        assert_eq!(b.focused().await["value"], "natural_person", "ArrowDown chose the first applicant type");
        b.tab_to("name").await;
        b.keys("王公开".chars()).await;
        b.tab_to("id_document_type").await;
        b.press(Key::Down).await;
        assert_eq!(b.focused().await["value"], "resident_id_card", "ArrowDown chose 居民身份证");
        b.tab_to("id_document").await;
        b.keys("110101199003071233".chars()).await;
        b.tab_to("phone").await;
        b.keys("13800001234".chars()).await;
        b.shift_tab().await;
        let back = b.focused().await;
        assert_eq!(back["id"], "id_document", "Shift+Tab goes back one field");
        assert_eq!(back["value"], "110101199003071233");
        b.tab_to("phone").await;
        // The postal address, postcode and e-mail address are for the deliveries that need them.
        for id in ["address", "postcode", "email", "content"] {
            b.tab_to(id).await;
        }
        b.keys("请公开本局2026年部门预算。".chars()).await;
        b.tab_to("form").await;
        b.press(Key::Down).await;
        b.tab_to("delivery").await;
        b.keys([char::from(Key::Down), char::from(Key::Down), char::from(Key::Down)]).await;
        let delivery = b.focused().await["value"].as_str().unwrap().to_string();
        assert_eq!(delivery, "pickup", "自行领取 needs no address");
        b.press(Key::Tab).await;
        assert_eq!(b.focused().await["text"], "提交申请");
        b.press(Key::Enter).await;

        // Filed, with what was typed.
        let number = b.text("#tracking-number").await;
        assert!(!b.text("#query-code").await.is_empty());
        let id = app.store.find_request(DEPT, &number).await.unwrap().expect("the request is filed");
        let (request, _) = app.store.get_request(&id).await.unwrap().unwrap();
        assert_eq!(request.applicant.name, "王公开");
        assert_eq!(request.applicant.id_document.as_deref(), Some("110101199003071233"));
        assert_eq!(request.applicant.id_document_type, Some(gongkai_core::identity::IdDocumentType::ResidentIdCard));
        assert_eq!(request.applicant.contact.as_deref(), Some("13800001234"));
        assert_eq!(request.content, "请公开本局2026年部门预算。");
        assert_eq!(request.applicant.kind, ApplicantType::NaturalPerson);
        assert!(request.requested_form.is_some());
        assert_eq!(request.delivery.as_deref(), Some(delivery.as_str()));
        // Past the skip link, the next stop is the link to the tracking page.
        b.press(Key::Tab).await;
        assert_eq!(b.focused().await["text"], "跳到主要内容");
        b.press(Key::Enter).await;
        b.press(Key::Tab).await;
        assert_eq!(b.focused().await["text"], "查询办理进度");
        b.press(Key::Enter).await;
        b.el("#number").await;
        assert_eq!(b.client.current_url().await.unwrap().path(), "/track");
    })
    .await;
}

/// A5.3 (适老化: 文字放大) and WCAG 2.1 1.4.4 (resize text to 200 %) / 1.4.10 (reflow): the
/// request form (empty and with its errors), the tracking page and the portal's text pages need no
/// horizontal scrolling with the text at twice its size, nor in a window 640 px wide (the same page
/// at 200 % zoom) or 320 px wide (400 %). Pages whose content is a wide data table (reports, the
/// directory) are exempt under 1.4.10 and not checked here.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a5_3_enlarged_text_needs_no_horizontal_scrolling() {
    harness::run(harness::Db::Sqlite, None, |app: App| async move {
        let Some(b) = Browser::start().await else { return };
        let apply = format!("/agencies/{DEPT}/apply");
        let (agency, guide, rules) =
            (format!("/agencies/{DEPT}"), format!("/agencies/{DEPT}/guide"), format!("/agencies/{DEPT}/rules"));
        let pages: [(&str, bool); 10] = [
            (&apply, false),
            (&apply, true),
            ("/track", false),
            ("/", false),
            ("/agencies", false),
            (&agency, false),
            (&guide, false),
            (&rules, false),
            ("/api/v1/docs", false),
            ("/console/login", false),
        ];
        let mut failures = Vec::new();
        for (width, double_text) in [(1280u32, true), (640, false), (320, false)] {
            b.client.set_window_size(width, 1000).await.unwrap();
            for (path, errors) in pages {
                b.open(&app, path).await;
                b.el("main").await;
                if errors {
                    b.click("main form button[type=submit]").await;
                    b.el("#form-errors").await;
                }
                let inner = b.client.execute("return window.innerWidth", vec![]).await.unwrap().as_i64().unwrap();
                assert!(inner <= i64::from(width), "window {width} px wide is {inner} px inside");
                let mut what = format!("{path}{} at {inner} px", if errors { " (errors)" } else { "" });
                if double_text {
                    let size = "return parseFloat(getComputedStyle(document.querySelector('main h1')).fontSize)";
                    let before = b.client.execute(size, vec![]).await.unwrap().as_f64().unwrap();
                    b.client.execute("document.documentElement.style.fontSize = '225%'", vec![]).await.unwrap();
                    let after = b.client.execute(size, vec![]).await.unwrap().as_f64().unwrap();
                    assert!(after >= 2.0 * before - 0.5, "{what}: text {before} px → {after} px");
                    what.push_str(" with text at 200 %");
                }
                let (scroll, client) = b.horizontal_overflow().await;
                if scroll > client {
                    failures.push(format!("{what}: {scroll} px of content in {client} px"));
                }
            }
        }
        assert!(failures.is_empty(), "horizontal scrolling:\n{}", failures.join("\n"));
    })
    .await;
}
