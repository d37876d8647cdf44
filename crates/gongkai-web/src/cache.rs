//! A micro-cache of the agency list for the public pages that show every agency (home, 机关目录,
//! `GET /api/v1/agencies`).
//!
//! Why: with a province's 2,000 agencies, reading and decoding the whole table took ~5 ms per
//! request, which capped those pages at ~160 requests/s on 2 cores (BENCHMARKS.md, load test);
//! every other portal page reads one agency's rows and is ten times cheaper. The list changes a
//! few times a year, so it is kept for [`AGENCY_LIST_TTL`] and then read again: an agency added by
//! the CLI (another process) appears within that time. One reader refreshes at a time; the
//! others wait for its result instead of all querying at once.

use std::sync::Arc;
use std::time::{Duration, Instant};

use gongkai_core::register::Agency;
use gongkai_store::{Store, StoreError};
use tokio::sync::Mutex;

/// How long the agency list is served from memory.
pub const AGENCY_LIST_TTL: Duration = Duration::from_secs(2);

/// The cached agency list (see the module documentation).
#[derive(Debug, Default)]
pub struct AgencyList {
    slot: Mutex<Option<(Instant, Arc<Vec<Agency>>)>>,
}

impl AgencyList {
    /// Every agency, ordered by code: from memory when read less than [`AGENCY_LIST_TTL`] ago.
    pub async fn get(&self, store: &Store) -> Result<Arc<Vec<Agency>>, StoreError> {
        let mut slot = self.slot.lock().await;
        if let Some((at, list)) = slot.as_ref() {
            if at.elapsed() < AGENCY_LIST_TTL {
                return Ok(Arc::clone(list));
            }
        }
        let list = Arc::new(store.list_agencies().await?);
        *slot = Some((Instant::now(), Arc::clone(&list)));
        Ok(list)
    }

    /// Forgets the list, so that the next read goes to the database (after a change made by
    /// this process).
    pub async fn invalidate(&self) {
        *self.slot.lock().await = None;
    }
}
