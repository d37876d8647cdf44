//! The web tests' harness (HTTP, console and browser tests share it): a running application per
//! test on a fresh, migrated database of the one test kit (`gongkai_testkit::FreshDb`: a SQLite
//! file, or a PostgreSQL database of its own, dropped afterwards; never skipped), seeded with a
//! small agency tree, served by `gongkai_web::serve` on 127.0.0.1:0.

use std::future::Future;
use std::time::Duration;

use chrono::NaiveDate;
use gongkai_core::calendar::Calendar;
use gongkai_core::register::{
    Agency, AgencyKind, Applicant, ApplicantType, Channel, Event, EventKind, ProactiveDisclosure, Request,
};
use gongkai_core::report::RequestRow;
use gongkai_store::{DisclosureGuide, ProactiveDetails, Publication, Store};
use gongkai_web::{AppState, RateLimiter, SiteConfig};

/// The root agency of the seed tree.
pub const ROOT: &str = "GOV";
/// A department below it.
pub const DEPT: &str = "FIN";
/// The applicant name of the seeded request: must never appear on a public page.
pub const SEED_APPLICANT: &str = "张秘密申请人";
/// The seeded request's tracking number and query code.
pub const SEED_NUMBER: &str = "SEED-0001";
pub const SEED_CODE: &str = "ABCDEFGH2345";
/// The published report year.
pub const YEAR: i32 = 2025;

/// "Today" in every web test: Friday 27 November 2026, 10:00 Beijing time. No test depends on
/// the day it runs; the stories' dates (requests received in October and November 2026, the 2025
/// reports) are written against this day.
pub const TODAY: &str = "2026-11-27";

/// The clock of every web test: [`TODAY`] at 10:00 Beijing time.
pub fn clock() -> gongkai_app::Clock {
    gongkai_app::Clock::at_china(TODAY.parse().expect("TODAY is a date"), 10, 0).expect("10:00 is a time")
}

/// What a test gets.
pub struct App {
    pub base: String,
    pub store: Store,
    pub client: reqwest::Client,
}

impl App {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn get_text(&self, path: &str) -> (u16, String) {
        let r = self.get(path).await;
        let status = r.status().as_u16();
        let body = r.text().await.expect("body");
        check_chinese(path, &body);
        (status, body)
    }
}

/// The backend of a test's database (the kit's).
pub use gongkai_testkit::Backend as Db;

fn date(s: &str) -> NaiveDate {
    s.parse().expect("date")
}

/// Seeds: GOV → FIN, FIN's guide, three proactive items (one with details), a request filed by
/// SEED_APPLICANT with a reply, and FIN's published 2025 report.
async fn seed(store: &Store) {
    store
        .upsert_agency(&Agency {
            code: ROOT.into(),
            name: "示例市人民政府".into(),
            parent: None,
            kind: AgencyKind::Government,
        })
        .await
        .unwrap();
    store
        .upsert_agency(&Agency {
            code: DEPT.into(),
            name: "示例市财政局".into(),
            parent: Some(ROOT.into()),
            kind: AgencyKind::Department,
        })
        .await
        .unwrap();
    store
        .put_guide(&DisclosureGuide {
            agency: DEPT.into(),
            office_name: "示例市财政局办公室".into(),
            address: "示例市人民路1号".into(),
            office_hours: "工作日 9:00-17:00".into(),
            phone: "0000-12345678".into(),
            fax: "0000-12345679".into(),
            web_contact: "gk@example.gov.cn".into(),
            postcode: Some("100000".into()),
            email: None,
            sections: [("fees".to_string(), "依申请提供政府信息，一般不收取费用。".to_string())].into(),
            updated_on: date("2026-01-05"),
        })
        .await
        .unwrap();
    let items = [
        ("FIN-2025-0001", "示例市2025年财政预算报告", Some("示财〔2025〕1号"), Some(7), "财政预算", "2025-02-10"),
        ("FIN-2025-0002", "行政事业性收费目录清单", None, Some(8), "收费", "2025-03-01"),
        ("FIN-2024-0009", "政府信息公开工作制度", Some("示财〔2024〕9号"), None, "政府信息公开制度", "2024-06-01"),
    ];
    for (index, title, doc, item, cat, on) in items {
        store
            .insert_proactive(&ProactiveDisclosure {
                agency: DEPT.into(),
                index_number: index.into(),
                title: title.into(),
                document_number: doc.map(Into::into),
                article20_item: item,
                category: Some(cat.into()),
                channels: vec!["政府网站".into()],
                published_on: date(on),
                validity: Some("有效".into()),
            })
            .await
            .unwrap();
    }
    store
        .put_proactive_details(&ProactiveDetails {
            agency: DEPT.into(),
            index_number: "FIN-2025-0001".into(),
            summary: "公开本市2025年一般公共预算收支安排".into(),
            generated_on: date("2025-02-08"),
            publisher: Some("示例市财政局".into()),
            written_on: Some(date("2025-02-07")),
            body: Some("一般公共预算收入安排如下。".into()),
            review: None,
        })
        .await
        .unwrap();
    let request = Request {
        agency: DEPT.into(),
        tracking_number: SEED_NUMBER.into(),
        channel: Channel::Online,
        received_on: date("2025-03-03"),
        applicant: Applicant {
            id_document_type: None,
            kind: ApplicantType::NaturalPerson,
            name: SEED_APPLICANT.into(),
            id_document: Some("110101199001011234".into()),
            contact: Some("13800000000".into()),
        },
        content: "2024年预算执行情况".into(),
        requested_form: Some("electronic".into()),
        delivery: Some("email".into()),
    };
    let id = store
        .file_online_request(&request, &gongkai_web::filing::query_code_hash(SEED_NUMBER, SEED_CODE), None)
        .await
        .unwrap();
    store
        .append_event(
            &id,
            &Event {
                on: date("2025-03-20"),
                by: "经办人".into(),
                kind: EventKind::Reply {
                    outcome: RequestRow::Granted, document: Some("示财公开〔2025〕3号".into())
                },
            },
        )
        .await
        .unwrap();
    store
        .set_publication(&Publication {
            agency: DEPT.into(),
            year: YEAR,
            published_on: Some(date("2026-01-20")),
            locked: true,
        })
        .await
        .unwrap();
}

/// Runs `test` against a running app on `db`; `limiter` replaces the default rate limit.
pub async fn run<F, Fut>(db: Db, limiter: Option<RateLimiter>, test: F)
where
    F: FnOnce(App) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let fresh = gongkai_testkit::FreshDb::create(db, "web").await;
    let url = fresh.url.clone();
    let outcome = tokio::spawn(async move { run_on(&url, limiter, true, test).await }).await;
    fresh.drop_now().await;
    gongkai_testkit::finish(outcome);
}

/// Runs `test` against a running app on `db` migrated and empty: no agency, no account (what
/// an office has before `gongkai init`). Used by tests/e2e.rs.
#[allow(dead_code)]
pub async fn run_empty<F, Fut>(db: Db, test: F)
where
    F: FnOnce(App) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let fresh = gongkai_testkit::FreshDb::create(db, "web").await;
    let url = fresh.url.clone();
    let outcome = tokio::spawn(async move { run_on(&url, None, false, test).await }).await;
    fresh.drop_now().await;
    gongkai_testkit::finish(outcome);
}

async fn run_on<F, Fut>(url: &str, limiter: Option<RateLimiter>, seeded: bool, test: F)
where
    F: FnOnce(App) -> Fut + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let store = Store::connect(url, &gongkai_store::DataKey::generate().expect("data key")).await.expect("connect");
    store.migrate().await.expect("migrate");
    if seeded {
        seed(&store).await;
    }
    // Tests file many requests from one address: a generous limit unless the test sets one.
    // A test that sets a limit gets a tight login limit too: two attempts an hour per address.
    let logins = match limiter {
        Some(_) => RateLimiter::new(2, Duration::from_secs(3600)),
        None => RateLimiter::new(10_000, Duration::from_millis(1)),
    };
    let limiter = limiter.unwrap_or_else(|| RateLimiter::new(10_000, Duration::from_millis(1)));
    let state = AppState::new(store.clone(), Calendar::official(), SiteConfig::default())
        .with_limiter(limiter)
        .with_login_limiter(logins)
        .with_clock(clock());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let server = tokio::spawn(gongkai_web::serve(listener, state));
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    let app = App { base: format!("http://{addr}"), store: store.clone(), client };
    let outcome = tokio::spawn(test(app)).await;
    server.abort();
    store.close().await;
    gongkai_testkit::finish(outcome);
}

/// One story, run on both backends: `story!(name, |app| async move { … })`.
#[macro_export]
macro_rules! story {
    ($name:ident, $body:expr) => {
        story!($name, None, $body);
    };
    ($name:ident, $limiter:expr, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                $crate::harness::run($crate::harness::Db::Sqlite, $limiter, $body).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                $crate::harness::run($crate::harness::Db::Postgres, $limiter, $body).await;
            }
        }
    };
}

/// Latin words a Chinese page may show: file formats, protocols, products and standards, the
/// names users know them by (issue 19: English only as a complete locale, never mixed in).
const ALLOWED_LATIN: &[&str] = &[
    "Word",
    "Excel",
    "WPS",
    "gongkai",
    "pdf",
    "docx",
    "xlsx",
    "txt",
    "html",
    "json",
    "csv",
    // The test suites' account names and typed data: data, not words of the page.
    "admin",
    "auditor",
    "fin.staff",
    "fin.approver",
    "fin.supervisor",
    "other.supervisor",
    "gov.staff",
    "gov.supervisor",
    "sec.admin",
    "script",
    "alert",
    "abc",
    "no-such-import",
];

/// Pages that are not Chinese prose: the API reference, whose schema and field names are the
/// interface itself.
const NOT_PROSE: &[&str] = &["/api/v1/docs"];

/// The Latin words of a page's visible text (scripts, styles, tags and attributes left out) that
/// a Chinese page must not show: English words and internal keys (`correction_notice`,
/// `outcomes.granted`). Codes (capitals and digits: `GOV`, `PDF`, `SEED-0001`), paths, addresses
/// and the allowed names pass.
pub fn latin_words(html: &str) -> Vec<String> {
    let mut text = String::new();
    let mut rest = html;
    // Drop <script> and <style> elements whole, then every tag.
    loop {
        let lower = rest.to_ascii_lowercase();
        let next = ["<script", "<style", "<code"].iter().filter_map(|t| lower.find(t).map(|i| (i, *t))).min();
        let Some((i, tag)) = next else {
            text.push_str(rest);
            break;
        };
        text.push_str(&rest[..i]);
        let close = format!("</{}>", &tag[1..]);
        match lower[i..].find(&close) {
            Some(j) => rest = &rest[i + j + close.len()..],
            None => break,
        }
    }
    let mut visible = String::new();
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                visible.push(' ');
            }
            _ if !in_tag => visible.push(c),
            _ => {}
        }
    }
    let visible = visible.replace("&nbsp;", " ").replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">");
    let mut found = Vec::new();
    for chunk in visible.split(|c: char| !(c.is_ascii_alphanumeric() || "._-/:@?=&#%".contains(c))) {
        let chunk = chunk.trim_matches(|c: char| ".-:".contains(c));
        if chunk.is_empty() || chunk.contains(['/', '@', ':', '?', '=', '&', '#', '%']) {
            continue;
        }
        if !chunk.chars().any(|c| c.is_ascii_lowercase())
            || chunk.chars().filter(|c| c.is_ascii_alphabetic()).count() < 2
        {
            continue;
        }
        // A file name or a domain: a dot before a short lowercase ending of letters and digits.
        if let Some((_, ext)) = chunk.rsplit_once('.') {
            if [
                "pdf", "docx", "xlsx", "html", "json", "csv", "txt", "png", "svg", "xml", "cn", "com", "gov", "org",
                "js", "css", "toml",
            ]
            .contains(&ext)
            {
                continue;
            }
        }
        if chunk.chars().any(|c| c.is_ascii_digit()) && !chunk.contains(['_', '.']) {
            continue;
        }
        if ALLOWED_LATIN.contains(&chunk) {
            continue;
        }
        found.push(chunk.to_string());
    }
    found.sort();
    found.dedup();
    found
}

/// Fails when an HTML page shows Latin words (see [`latin_words`]): every page a web test
/// fetches is checked (issue 19: Chinese pages and messages, no English or internal keys).
pub fn check_chinese(path: &str, body: &str) {
    if !body.trim_start().to_ascii_lowercase().starts_with("<!doctype html") || NOT_PROSE.contains(&path) {
        return;
    }
    let words = latin_words(body);
    assert!(words.is_empty(), "{path}: the page shows Latin words {words:?} (say it in Chinese; codes go in <code>)");
}
