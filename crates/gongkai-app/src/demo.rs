//! Filling a database with the synthetic registers of `gongkai_core::demo` (`gongkai demo`): for
//! trying gongkai, for the benchmarks, and for a supervising office's training site. What a
//! visitor sees should look like a real county's: every agency's disclosure guide filled, the
//! directory's items with their 内容概述 and 生成日期, the past years' reports published (some of
//! them late, as some are), only the last year left to publish.

use std::sync::Arc;

use chrono::{Datelike, Days, NaiveDate};
use gongkai_core::calendar::Calendar;
use gongkai_core::demo::{self, DemoSpec};
use gongkai_core::register::{Agency, AgencyKind, ProactiveDisclosure};
use gongkai_store::{ConfidentialityReview, ProactiveDetails, RegisterBatch, ReviewResult, Store};

use crate::{Actor, AppError, Clock};

/// What was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Filled {
    /// Agencies (the government first).
    pub agencies: usize,
    /// Requests, with their events.
    pub requests: usize,
    /// Review and litigation cases.
    pub cases: usize,
    /// Article 20 figures (agency × year).
    pub figures: usize,
    /// Proactive disclosures.
    pub proactive: usize,
    /// Sections of report text.
    pub narratives: usize,
    /// Disclosure guides (one per agency).
    pub guides: usize,
    /// Annual reports published (agency × year, the years before the last).
    pub published: usize,
}

/// Writes the registers `spec` generates, with `proactive` proactive items, and returns their
/// counts and the root agency's code. The generated data satisfies every input rule by
/// construction, so it is written without the use cases' one-by-one checks: in chunks of 5,000,
/// each one transaction (all or nothing).
pub async fn fill(
    store: &Store,
    calendar: Arc<Calendar>,
    clock: &Clock,
    spec: &DemoSpec,
    proactive: usize,
) -> Result<(Filled, Vec<String>), AppError> {
    let cal = calendar.as_ref();
    let data = demo::generate(cal, spec);
    let items = demo::proactive(&data, spec, proactive);
    let narratives = demo::narratives(&data, spec);
    for ag in &data.agencies {
        store.upsert_agency(ag).await?;
    }
    for chunk in data.requests.chunks(5000) {
        store.insert_requests_bulk(chunk).await?;
    }
    for c in &data.cases {
        store.insert_case(c).await?;
    }
    for f in &data.figures {
        store.put_article20_figures(f).await?;
    }
    for chunk in items.chunks(5000) {
        store.insert_batch(&RegisterBatch { proactive: chunk.to_vec(), ..RegisterBatch::default() }).await?;
        let names = |code: &str| data.agencies.iter().find(|a| a.code == code).map(|a| a.name.clone());
        let details: Vec<ProactiveDetails> = chunk.iter().map(|p| details(p, names(&p.agency))).collect();
        store.put_proactive_details_bulk(&details).await?;
    }
    // The reports' text: problems sections (specific, stock or copied) and other matters.
    for n in &narratives {
        store.set_narrative(&n.agency, n.year, n.section.name(), &n.text).await?;
    }
    // The guides and the past years' publications go through their use cases: checked and
    // audited as an office's would be.
    let actor = Actor::cli();
    for agency in &data.agencies {
        crate::guide::set(store, clock, &actor, &agency.code, &guide(agency, clock.today())).await?;
    }
    let mut published = 0;
    let today = clock.today();
    let (first, last) = (spec.first_year.min(spec.last_year), spec.last_year.max(spec.first_year));
    for (i, agency) in data.agencies.iter().enumerate() {
        for year in first..last.min(today.year()) {
            let Some(on) = publication_date(agency, year, i).filter(|d| *d <= today) else { continue };
            let confirmed = crate::publish::Confirmation::Given;
            let cal = Arc::clone(&calendar);
            crate::publish::publish(store, cal, clock, &actor, &agency.code, year, on, confirmed).await?;
            published += 1;
        }
    }
    store.analyze().await?;
    let filled = Filled {
        agencies: data.agencies.len(),
        requests: data.requests.len(),
        cases: data.cases.len(),
        figures: data.figures.len(),
        proactive: items.len(),
        narratives: narratives.len(),
        guides: data.agencies.len(),
        published,
    };
    Ok((filled, data.agencies.into_iter().map(|a| a.code).collect()))
}

/// A day of the month from a number (1..=days).
fn day_of(seed: usize, days: usize) -> u32 {
    u32::try_from(seed % days.max(1)).unwrap_or(0) + 1
}

/// When the demo publishes `agency`'s report of `year`: a department in January, a government in
/// March (Art. 49), one report in seven a few days late.
fn publication_date(agency: &Agency, year: i32, i: usize) -> Option<NaiveDate> {
    let month = if agency.kind == AgencyKind::Government { 3 } else { 1 };
    let seed = i * 31 + usize::try_from(year).unwrap_or(0);
    let deadline = NaiveDate::from_ymd_opt(year + 1, month, 31)?;
    if seed % 7 == 3 {
        return deadline.checked_add_days(Days::new(u64::from(day_of(seed, 20))));
    }
    NaiveDate::from_ymd_opt(year + 1, month, 10 + day_of(seed, 21))
}

/// An agency's 政府信息公开指南 (Art. 12) as `gongkai guide set` reads it.
fn guide(agency: &Agency, today: NaiveDate) -> serde_json::Value {
    let office = match agency.kind {
        AgencyKind::Government => format!("{}办公室", agency.name),
        AgencyKind::Township => format!("{}党政综合办公室", agency.name),
        _ => format!("{}办公室", agency.name),
    };
    let n = agency.code.bytes().fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b))) % 900 + 100;
    let updated = NaiveDate::from_ymd_opt(today.year(), 1, 15).filter(|d| *d <= today).unwrap_or(today);
    serde_json::json!({
        "office": office,
        "address": format!("示范县人民大道{}号", n % 300 + 1),
        "hours": "工作日上午8:30—12:00，下午14:30—17:30（法定节假日除外）",
        "phone": format!("0571-8{n}{:04}", n * 7 % 10000),
        "fax": format!("0571-8{n}{:04}", n * 7 % 10000 + 1),
        "web_contact": "示范县人民政府门户网站“政府信息公开”专栏“依申请公开”栏目",
        "email": format!("gk{n}@shifanxian.gov.cn"),
        "postcode": "311300",
        "sections": {
            "scope": format!("{}按照《中华人民共和国政府信息公开条例》第十九条至第二十一条的规定，主动公开机构职能、规范性文件、财政预决算等政府信息，通过门户网站政府信息公开专栏发布，自信息形成或者变更之日起20个工作日内公开。", agency.name),
            "catalogue": "政府信息公开目录按主题分类、按发布时间倒序编排，每条信息载明索引号、名称、内容概述、生成日期和发布机构。",
            "request": format!("申请人可以通过门户网站在线申请、信函、当面提交等方式向{office}提出申请。本机关自收到申请之日起20个工作日内答复；需要延长答复期限的，经负责人同意并告知申请人，延长期限最长不超过20个工作日。"),
            "fees": "本机关依申请提供政府信息，不收取费用。申请人申请公开政府信息的数量、频次明显超过合理范围的，按照《政府信息公开信息处理费管理办法》收取信息处理费。",
            "remedies": "公民、法人或者其他组织认为本机关在政府信息公开工作中侵犯其合法权益的，可以向上一级行政机关或者政府信息公开工作主管部门投诉、举报，也可以依法申请行政复议或者提起行政诉讼。"
        },
        "updated_on": updated.to_string(),
    })
}

/// A directory item's 内容概述 and 生成日期 (formed a few days before publication; one item in
/// forty late under Art. 26's 20 working days, as registers do show), with its 保密审查.
fn details(p: &ProactiveDisclosure, publisher: Option<String>) -> ProactiveDetails {
    let seq: usize = p.index_number.rsplit('-').next().and_then(|s| s.parse().ok()).unwrap_or(0);
    let before = if seq % 40 == 7 { 45 } else { 1 + (seq * 7 % 14) as u64 };
    let generated_on = p.published_on.checked_sub_days(Days::new(before)).unwrap_or(p.published_on);
    let summary = match &p.document_number {
        Some(number) => format!("{}（{number}）全文，自发布之日起施行。", p.title),
        None => format!("{}，供社会公众查阅。", p.title),
    };
    ProactiveDetails {
        agency: p.agency.clone(),
        index_number: p.index_number.clone(),
        summary,
        generated_on,
        publisher,
        written_on: p.document_number.as_ref().map(|_| generated_on),
        body: None,
        review: Some(ConfidentialityReview {
            reviewer: "办公室".into(),
            reviewed_on: p.published_on,
            result: ReviewResult::Approved,
        }),
    }
}
