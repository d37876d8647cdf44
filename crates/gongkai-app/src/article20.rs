//! The Article 20 figures of a year (第二十条数据; table 2 of the annual report, 二、主动公开政府
//! 信息情况): one function that the console's form and `gongkai figures set` call, so a year's
//! figures are accepted on the same conditions wherever they are typed.

use gongkai_core::register::Article20Figures;
use gongkai_store::{Amend, Amendment, Store, StoreError};

use crate::{Actor, AppError, Clock};

/// A year's figures as stored.
#[derive(Debug, Clone)]
pub struct Saved {
    /// The figures.
    pub figures: Article20Figures,
    /// The amendments recorded when they changed a published year (with `amend`).
    pub amendments: Vec<Amendment>,
}

/// Records (or replaces) the figures of `figures.agency` for `figures.year`.
///
/// The input is checked first ([`Article20Figures::validated`]: the year, each count and the
/// fees, every problem at once), then the agency must exist, then the store writes the record —
/// refusing a change of a published year unless `amend` gives the reason (Art. 50 makes the
/// report the agency's public account of the year). Every attempt is audited (`article20.save`,
/// the target `机关/年度`). Who may write for which agency (roles) is the caller's check.
pub async fn save(
    store: &Store,
    clock: &Clock,
    actor: &Actor,
    figures: Article20Figures,
    amend: Option<&Amend>,
) -> Result<Saved, AppError> {
    let target = format!("{}/{}", figures.agency.trim(), figures.year);
    let outcome = checked(&actor.audited(store, clock, "article20.save", &target, None), clock, figures, amend).await;
    actor.audit_refusal(store, clock, "article20.save", &target, &outcome).await;
    outcome
}

async fn checked(
    store: &Store,
    clock: &Clock,
    figures: Article20Figures,
    amend: Option<&Amend>,
) -> Result<Saved, AppError> {
    let mut figures = figures.validated(clock.today()).map_err(AppError::inputs)?;
    figures.agency = crate::year::agency(store, &figures.agency).await?.code;
    let written = match amend {
        Some(amend) => store.amending(amend).put_article20_figures(&figures).await,
        None => store.put_article20_figures(&figures).await.map(|()| Vec::new()),
    };
    let amendments = written.map_err(|e| match e {
        e @ StoreError::Locked { .. } => AppError::Locked(e.to_string()),
        e => AppError::Store(e),
    })?;
    Ok(Saved { figures, amendments })
}
