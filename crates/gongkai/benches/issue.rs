//! Issue 17's target: issuing a reply with its PDF, fonts loaded — under 50 ms median. One
//! iteration is what the console does for a 答复书: `record_event` (the lifecycle, the document
//! composed from its template, event + document + 文号 + audit record in one transaction on a
//! SQLite file) and then the PDF of that document through typst (the fonts scanned once, before).
//! Each iteration replies to a new request (a request is replied to once). Also the two halves
//! alone.
//!
//! `cargo bench -p gongkai --bench issue`

use std::sync::Arc;

use chrono::{NaiveDate, TimeZone, Utc};
use criterion::{criterion_group, criterion_main, Criterion};
use gongkai_app::documents::DocumentInput;
use gongkai_app::{Actor, Clock};
use gongkai_core::calendar::Calendar;
use gongkai_core::casework::{IssuedDocument, Particulars, Templates};
use gongkai_core::register::{Agency, AgencyKind, Applicant, ApplicantType, Channel, Event, EventKind, Request};
use gongkai_core::report::RequestRow;
use gongkai_store::{DataKey, RequestId, Store};

struct Fixture {
    store: Store,
    cal: Arc<Calendar>,
    templates: Templates,
    next: usize,
    _dir: tempfile::TempDir,
}

fn request(n: usize) -> Option<Request> {
    Some(Request {
        agency: "330100-czj".into(),
        tracking_number: format!("B-{n:06}"),
        channel: Channel::Post,
        received_on: NaiveDate::from_ymd_opt(2026, 3, 2)?,
        applicant: Applicant {
            id_document_type: None,
            kind: ApplicantType::NaturalPerson,
            name: "张三".into(),
            id_document: None,
            contact: None,
        },
        content: "申请公开2025年度部门预算执行情况".into(),
        requested_form: None,
        delivery: Some("post".into()),
    })
}

async fn fixture() -> Result<Fixture, Box<dyn std::error::Error>> {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("bench.db");
    let store = Store::connect(&format!("sqlite://{}?mode=rwc", file.display()), &DataKey::generate()?).await?;
    store.migrate().await?;
    let city =
        Agency {
            code: "330100".into(), name: "杭州市人民政府".into(), parent: None, kind: AgencyKind::Government
        };
    let dept = Agency {
        code: "330100-czj".into(),
        name: "杭州市财政局".into(),
        parent: Some("330100".into()),
        kind: AgencyKind::Department,
    };
    store.upsert_agency(&city).await?;
    store.upsert_agency(&dept).await?;
    Ok(Fixture { store, cal: Arc::new(Calendar::official()), templates: Templates::builtin(), next: 0, _dir: dir })
}

/// Registers a new request and replies to it (partial disclosure: the longest reply).
async fn issue(f: &mut Fixture) -> Option<IssuedDocument> {
    f.next += 1;
    let r = request(f.next)?;
    let id: RequestId = f.store.insert_request(&r).await.ok()?;
    let particulars = Particulars {
        withheld_reason: Some(RequestRow::ThirdPartyRights),
        other_agency: None,
        note: Some("所提供的执行情况表见附件".into()),
    };
    let clock = Clock::fixed(Utc.with_ymd_and_hms(2026, 11, 27, 2, 0, 0).single()?);
    let event = Event {
        on: NaiveDate::from_ymd_opt(2026, 3, 20)?,
        by: "王五".into(),
        kind: EventKind::Reply { outcome: RequestRow::PartiallyGranted, document: None },
    };
    let docs = DocumentInput { templates: &f.templates, particulars: &particulars };
    let rec = gongkai_app::request::record_event(&f.store, &f.cal, &clock, &Actor::cli(), &id, event, None, &docs)
        .await
        .ok()?;
    let (_, number) = rec.document?;
    let stored = f.store.list_documents(&id).await.ok()?.into_iter().find(|d| d.number == number)?;
    Some(IssuedDocument { number: stored.number, document: stored.document })
}

fn bench(c: &mut Criterion) {
    let rt = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => return eprintln!("skipped: no runtime ({e})"),
    };
    let (Ok(mut f), Ok(fonts)) = (rt.block_on(fixture()), gongkai_pdf::Fonts::system(None)) else {
        return eprintln!("skipped: no SQLite file or no CJK fonts (fonts-noto-cjk)");
    };
    let Some(sample) = rt.block_on(issue(&mut f)) else {
        return eprintln!("skipped: the reply was not issued");
    };
    let mut g = c.benchmark_group("issue");
    g.sample_size(30);
    g.bench_function("reply issued (event + document + 文号 + audit, SQLite file) and its PDF", |b| {
        b.iter(|| {
            let doc = rt.block_on(issue(&mut f));
            doc.map(|d| gongkai_pdf::render_document_pdf(&d, &fonts).map(|p| p.len()))
        })
    });
    g.bench_function("reply issued (event + document + 文号 + audit, SQLite file)", |b| {
        b.iter(|| rt.block_on(issue(&mut f)).map(|d| d.number.len()))
    });
    g.bench_function("PDF of a reply (fonts loaded)", |b| {
        b.iter(|| gongkai_pdf::render_document_pdf(std::hint::black_box(&sample), &fonts).map(|p| p.len()))
    });
    g.bench_function("PDF of a reply (fonts loaded, typst cache evicted)", |b| {
        b.iter(|| {
            typst::comemo::evict(0);
            gongkai_pdf::render_document_pdf(std::hint::black_box(&sample), &fonts).map(|p| p.len())
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
