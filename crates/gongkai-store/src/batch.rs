//! Many registers written in one transaction (spreadsheet imports), and the amending write
//! methods ([`Amending`]).

use std::collections::HashMap;

use gongkai_core::register::{Agency, Article20Figures, Case, Event, ProactiveDisclosure, Request};

use crate::agencies::upsert_agency_on;
use crate::cache::Stale;
use crate::lock::{guard, Amend, Amending, Touch};
use crate::portal::{put_guide_on, DisclosureGuide};
use crate::registers::{
    case_touch, figures_touch, insert_case_on, insert_proactive_on, proactive_touch, put_figures_on,
};
use crate::reports::Amendment;
use crate::requests::{insert_events_on, insert_request_on, request_touch, AgencyLocks};
use crate::{RequestId, Store, StoreError};

/// Registers of several kinds, written all or nothing by [`Store::insert_batch`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegisterBatch {
    /// Agencies to insert or update first (parents before children).
    pub agencies: Vec<Agency>,
    /// New requests with their events.
    pub requests: Vec<(Request, Vec<Event>)>,
    /// New review and litigation cases.
    pub cases: Vec<Case>,
    /// Article 20 figures, inserted or replaced per agency and year.
    pub figures: Vec<Article20Figures>,
    /// New proactive disclosures.
    pub proactive: Vec<ProactiveDisclosure>,
    /// Disclosure guides (Art. 12), each replacing its agency's and kept as a new version.
    pub guides: Vec<DisclosureGuide>,
}

impl RegisterBatch {
    /// Whether the batch holds nothing.
    pub fn is_empty(&self) -> bool {
        self.agencies.is_empty()
            && self.requests.is_empty()
            && self.cases.is_empty()
            && self.figures.is_empty()
            && self.proactive.is_empty()
            && self.guides.is_empty()
    }
}

impl Store {
    /// Writes a batch in one transaction: agencies (upserted, in order), then requests with
    /// their events, cases, Article 20 figures (replacing the year's), proactive disclosures and
    /// disclosure guides.
    /// All or nothing: the first error ([`StoreError::Conflict`] for a key used twice,
    /// [`StoreError::NotFound`] for an unknown agency, [`StoreError::Locked`] for a record
    /// feeding a locked year, …) leaves the database as it was. Returns the request ids in
    /// input order.
    #[tracing::instrument(skip_all, fields(requests = batch.requests.len(), cases = batch.cases.len()))]
    pub async fn insert_batch(&self, batch: &RegisterBatch) -> Result<Vec<RequestId>, StoreError> {
        Ok(self.insert_batch_with(batch, None).await?.0)
    }

    pub(crate) async fn insert_batch_with(
        &self,
        batch: &RegisterBatch,
        amend: Option<&Amend>,
    ) -> Result<(Vec<RequestId>, Vec<Amendment>), StoreError> {
        let mut tx = self.pool.begin().await?;
        for a in &batch.agencies {
            upsert_agency_on(&mut tx, a).await?;
        }
        let codes = batch
            .requests
            .iter()
            .map(|(r, _)| r.agency.as_str())
            .chain(batch.cases.iter().map(|c| c.agency.as_str()))
            .chain(batch.figures.iter().map(|f| f.agency.as_str()))
            .chain(batch.proactive.iter().map(|p| p.agency.as_str()))
            .chain(batch.guides.iter().map(|g| g.agency.as_str()));
        let locks = AgencyLocks::take(&mut tx, codes).await?;
        let mut amendments = Vec::new();
        let mut stale = Stale::default();
        let mut ids = Vec::with_capacity(batch.requests.len());
        for (request, events) in &batch.requests {
            let touch = request_touch(request, events, locks.years(&request.agency));
            amendments.extend(guard(&mut tx, &request.agency, &touch, amend, &mut stale).await?);
            let id = insert_request_on(&mut tx, &self.cipher, request, events).await?;
            insert_events_on(&mut tx, &id, events).await?;
            ids.push(RequestId::from(id));
        }
        for case in &batch.cases {
            let touch = case_touch(None, case, locks.years(&case.agency));
            amendments.extend(guard(&mut tx, &case.agency, &touch, amend, &mut stale).await?);
            insert_case_on(&mut tx, case).await?;
        }
        for f in &batch.figures {
            let touch = figures_touch(f, locks.years(&f.agency));
            amendments.extend(guard(&mut tx, &f.agency, &touch, amend, &mut stale).await?);
            put_figures_on(&mut tx, f).await?;
        }
        for p in &batch.proactive {
            let touch = proactive_touch(p, locks.years(&p.agency));
            amendments.extend(guard(&mut tx, &p.agency, &touch, amend, &mut stale).await?);
            insert_proactive_on(&mut tx, p).await?;
        }
        // A guide is not of a year: no period lock applies.
        for g in &batch.guides {
            put_guide_on(&mut tx, g, &self.audit).await?;
        }
        self.audit_on(&mut tx).await?;
        stale.flush(&mut tx).await?;
        tx.commit().await?;
        tracing::info!(
            agencies = batch.agencies.len(),
            requests = ids.len(),
            cases = batch.cases.len(),
            figures = batch.figures.len(),
            proactive = batch.proactive.len(),
            guides = batch.guides.len(),
            amendments = amendments.len(),
            "batch written"
        );
        Ok((ids, amendments))
    }
}

/// An entry of a [`RegisterBatch`] that reaches a locked year (see [`Store::locked_entries`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockedEntry {
    /// Which list of the batch: `requests`, `cases`, `article20_figures` or `proactive_disclosures`.
    pub table: &'static str,
    /// The entry's index in that list.
    pub index: usize,
    /// The agency's code.
    pub agency: String,
    /// The earliest locked year it reaches.
    pub year: i32,
}

impl Store {
    /// The entries of `batch` that [`Store::insert_batch`] would refuse with
    /// [`StoreError::Locked`] (the same rule, see [`crate::lock`]), each with the earliest locked
    /// year it reaches — so that an import can name every such row before writing anything. Reads
    /// only; the write itself still checks under the agency's lock.
    pub async fn locked_entries(&self, batch: &RegisterBatch) -> Result<Vec<LockedEntry>, StoreError> {
        let mut locked: HashMap<String, Vec<i32>> = HashMap::new();
        let codes = batch
            .requests
            .iter()
            .map(|(r, _)| r.agency.as_str())
            .chain(batch.cases.iter().map(|c| c.agency.as_str()))
            .chain(batch.figures.iter().map(|f| f.agency.as_str()))
            .chain(batch.proactive.iter().map(|p| p.agency.as_str()));
        for code in codes {
            if !locked.contains_key(code) {
                locked.insert(code.to_string(), self.locked_years(code).await?);
            }
        }
        let years = |agency: &str| locked.get(agency).map(Vec::as_slice).unwrap_or(&[]);
        let mut out = Vec::new();
        let mut push = |table: &'static str, index: usize, agency: &str, touches: &[Touch]| {
            if let Some(&year) = touches.iter().filter_map(|t| t.years.first()).min() {
                out.push(LockedEntry { table, index, agency: agency.to_string(), year });
            }
        };
        for (i, (r, events)) in batch.requests.iter().enumerate() {
            push("requests", i, &r.agency, &request_touch(r, events, years(&r.agency)));
        }
        for (i, c) in batch.cases.iter().enumerate() {
            push("cases", i, &c.agency, &case_touch(None, c, years(&c.agency)));
        }
        for (i, f) in batch.figures.iter().enumerate() {
            push("article20_figures", i, &f.agency, &figures_touch(f, years(&f.agency)));
        }
        for (i, p) in batch.proactive.iter().enumerate() {
            push("proactive_disclosures", i, &p.agency, &proactive_touch(p, years(&p.agency)));
        }
        Ok(out)
    }
}

impl Amending<'_> {
    /// [`Store::insert_request`], amending.
    pub async fn insert_request(&self, request: &Request) -> Result<(RequestId, Vec<Amendment>), StoreError> {
        self.store.insert_request_with(request, Some(self.amend), None, None).await
    }

    /// [`Store::insert_requests_bulk`], amending.
    pub async fn insert_requests_bulk(
        &self,
        requests: &[(Request, Vec<Event>)],
    ) -> Result<(Vec<RequestId>, Vec<Amendment>), StoreError> {
        self.store.insert_requests_bulk_with(requests, Some(self.amend)).await
    }

    /// [`Store::append_event`], amending.
    pub async fn append_event(&self, id: &RequestId, event: &Event) -> Result<(i64, Vec<Amendment>), StoreError> {
        let a = self.store.append_event_with(id, event, Some(self.amend), None).await?;
        Ok((a.seq, a.amendments))
    }

    /// [`Store::insert_case`], amending.
    pub async fn insert_case(&self, case: &Case) -> Result<Vec<Amendment>, StoreError> {
        self.store.insert_case_with(case, Some(self.amend)).await
    }

    /// [`Store::update_case`], amending.
    pub async fn update_case(&self, case: &Case) -> Result<Vec<Amendment>, StoreError> {
        self.store.update_case_with(case, Some(self.amend)).await
    }

    /// [`Store::insert_proactive`], amending.
    pub async fn insert_proactive(&self, item: &ProactiveDisclosure) -> Result<Vec<Amendment>, StoreError> {
        self.store.insert_proactive_with(item, Some(self.amend)).await
    }

    /// [`Store::insert_proactive_with_details`], amending.
    pub async fn insert_proactive_with_details(
        &self,
        item: &ProactiveDisclosure,
        details: &crate::ProactiveDetails,
    ) -> Result<Vec<Amendment>, StoreError> {
        self.store.insert_proactive_with_details_with(item, details, Some(self.amend)).await
    }

    /// [`Store::put_article20_figures`], amending.
    pub async fn put_article20_figures(&self, figures: &Article20Figures) -> Result<Vec<Amendment>, StoreError> {
        self.store.put_article20_figures_with(figures, Some(self.amend)).await
    }

    /// [`Store::set_narrative`], amending.
    pub async fn set_narrative(
        &self,
        agency: &str,
        year: i32,
        section: &str,
        text: &str,
    ) -> Result<Vec<Amendment>, StoreError> {
        self.store.set_narrative_with(agency, year, section, text, Some(self.amend)).await
    }

    /// [`Store::insert_batch`], amending.
    pub async fn insert_batch(&self, batch: &RegisterBatch) -> Result<(Vec<RequestId>, Vec<Amendment>), StoreError> {
        self.store.insert_batch_with(batch, Some(self.amend)).await
    }
}
