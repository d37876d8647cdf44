//! Filling a database with the synthetic registers of `gongkai_core::demo` (`gongkai demo`): for
//! trying gongkai, for the benchmarks, and for a supervising office's training site.

use gongkai_core::calendar::Calendar;
use gongkai_core::demo::{self, DemoSpec};
use gongkai_store::{RegisterBatch, Store};

use crate::AppError;

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
}

/// Writes the registers `spec` generates, with `proactive` proactive items, and returns their
/// counts and the root agency's code. The generated data satisfies every input rule by
/// construction, so it is written without the use cases' one-by-one checks: in chunks of 5,000,
/// each one transaction (all or nothing).
pub async fn fill(
    store: &Store,
    cal: &Calendar,
    spec: &DemoSpec,
    proactive: usize,
) -> Result<(Filled, Vec<String>), AppError> {
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
    }
    // The reports' text: problems sections (specific, stock or copied) and other matters.
    for n in &narratives {
        store.set_narrative(&n.agency, n.year, n.section.name(), &n.text).await?;
    }
    store.analyze().await?;
    let filled = Filled {
        agencies: data.agencies.len(),
        requests: data.requests.len(),
        cases: data.cases.len(),
        figures: data.figures.len(),
        proactive: items.len(),
        narratives: narratives.len(),
    };
    Ok((filled, data.agencies.into_iter().map(|a| a.code).collect()))
}
