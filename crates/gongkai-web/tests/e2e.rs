//! End-to-end tests in a real browser (issue 7 item 6): Debian's chromium driven through
//! `chromedriver` (started here on a free port) with fantoccini, against the application served
//! in-process on 127.0.0.1:0, on a fresh SQLite file and a fresh PostgreSQL database.
//!
//! Without chromedriver the tests fail when `CI` is set and are skipped (with a message)
//! otherwise. `GONGKAI_SCREENSHOTS=1` saves the main pages as `docs/images/web-*.png`.

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

/// chromedriver and its browser session; the driver is killed when dropped.
struct Browser {
    client: Client,
    driver: Child,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
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
        let mut caps = serde_json::Map::new();
        let mut chrome = json!({
            "args": [
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
                Ok(client) => return Some(Browser { client, driver }),
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
        self.fill("#id_document", "110101199003071234").await;
        self.fill("#contact", "13800001234").await;
        self.fill("#content", "请公开本局2026年部门预算及“三公”经费预算说明。").await;
        self.el("#form").await.select_by_index(1).await.unwrap();
        self.el("#delivery").await.select_by_index(1).await.unwrap();
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
    assert!(inbox.contains("110***********1234") && inbox.contains("138****1234"), "B4.6 masking 3+4");
    assert!(!inbox.contains("110101199003071234"));
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
    assert!(b.text("#action-done").await.contains("extension"));
    let original = b.text("#original-due").await;
    assert_eq!(original.trim(), due.trim(), "the due date before the extension is the filed one");
    assert_ne!(b.text("#due").await.trim(), due.trim(), "the due date moved");
    assert!(b.text("#timeline").await.contains("延长答复期限"));
    b.screenshot("console-request").await;
    b.logout().await;

    // Staff reply with an outcome leaf of table 3 and the reply document.
    b.login(&app, "fin.staff").await;
    b.open_from_inbox(&app, &number).await;
    b.el("#outcome").await.select_by_index(0).await.unwrap();
    b.fill("#document", "示财公开〔2026〕12号").await;
    b.click("#submit-reply").await;
    b.el("#action-done").await;
    assert!(b.text("#status").await.contains("已答复"));
    assert!(!b.exists("#form-reply").await, "nothing may follow a reply");
    b.logout().await;

    // The public tracking page shows the reply.
    b.track(&app, &number, &code).await;
    assert!(b.text("#status").await.contains("已答复"));
    assert!(b.text("#replies").await.contains("示财公开〔2026〕12号"));
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
    assert!(!page.contains("赵申请"), "no applicant on a public page (B4.6)");
    b.screenshot("report").await;

    // B2.3: the story left an intact audit trail naming each actor.
    let audit = app.store.list_audit(200).await.unwrap();
    for (kind, who) in [
        ("request.extension", "fin.approver"),
        ("request.reply", "fin.staff"),
        ("report.narrative", "fin.staff"),
        ("report.publish", "fin.approver"),
    ] {
        assert!(
            audit
                .iter()
                .any(|r| r.event.event_type == kind && r.event.username.as_deref() == Some(who) && r.event.success),
            "audit {kind} by {who}"
        );
    }
    app.store.verify_audit_chain().await.unwrap();
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
});
