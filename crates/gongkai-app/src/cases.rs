//! The register of review and litigation cases (行政复议、行政诉讼, Art. 51; table 4 of the
//! annual report): registering a case and recording the decision of a pending one, through one
//! function each that the console's forms and `gongkai case add|decide` call.

use chrono::NaiveDate;
use gongkai_core::register::Case;
use gongkai_core::report::CaseResult;
use gongkai_store::{Amend, Amendment, Store, StoreError};

use crate::{Actor, AppError, Clock};

/// A case as stored.
#[derive(Debug, Clone)]
pub struct Registered {
    /// The case (its texts trimmed).
    pub case: Case,
    /// The amendments recorded when the case changed a published year (with `amend`).
    pub amendments: Vec<Amendment>,
}

/// Registers `case` (decided, or pending — 尚未审结).
///
/// The input is checked first ([`Case::validated`]: every problem at once), then the agency must
/// exist and the request the case arose from, when one is named, must be one of the agency's;
/// then the store writes it — refusing a second case with the same 案件编号, and a change of a
/// published year's table 4 unless `amend` gives the reason. Every attempt is audited with the
/// actor (`case.add`). Who may register for which agency (roles) is the caller's check.
pub async fn add(
    store: &Store,
    clock: &Clock,
    actor: &Actor,
    case: Case,
    amend: Option<&Amend>,
) -> Result<Registered, AppError> {
    let target: String = case.number.trim().chars().take(64).collect();
    let outcome = add_checked(&actor.audited(store, clock, "case.add", &target, None), clock, case, amend).await;
    actor.audit_refusal(store, clock, "case.add", &target, &outcome).await;
    outcome
}

async fn add_checked(store: &Store, clock: &Clock, case: Case, amend: Option<&Amend>) -> Result<Registered, AppError> {
    let mut case = case.validated(clock.today()).map_err(AppError::inputs)?;
    case.agency = crate::year::agency(store, &case.agency).await?.code;
    if let Some(n) = &case.request {
        if store.find_request(&case.agency, n).await?.is_none() {
            return Err(AppError::invalid("request", format!("关联受理编号：本机关没有受理编号为「{n}」的申请")));
        }
    }
    let written = match amend {
        Some(amend) => store.amending(amend).insert_case(&case).await,
        None => store.insert_case(&case).await.map(|()| Vec::new()),
    };
    let amendments = written.map_err(|e| refusal(e, &case.number))?;
    Ok(Registered { case, amendments })
}

/// Records the decision of the agency's pending case `number`: its date and result.
///
/// The case must exist and be pending (a decided case is not decided again: 409); the decided
/// case is checked like a new one ([`Case::validated`]: the date has happened and is not before
/// the filing, the result is one of the three), then written — refusing a change of a published
/// year unless `amend` gives the reason. Every attempt is audited (`case.decide`).
#[allow(clippy::too_many_arguments)]
pub async fn decide(
    store: &Store,
    clock: &Clock,
    actor: &Actor,
    agency: &str,
    number: &str,
    decided_on: NaiveDate,
    result: CaseResult,
    amend: Option<&Amend>,
) -> Result<Registered, AppError> {
    let (agency, number) = (agency.trim(), number.trim());
    let target: String = number.chars().take(64).collect();
    let audited = actor.audited(store, clock, "case.decide", &target, None);
    let outcome = decide_checked(&audited, clock, agency, number, decided_on, result, amend).await;
    actor.audit_refusal(store, clock, "case.decide", &target, &outcome).await;
    outcome
}

async fn decide_checked(
    store: &Store,
    clock: &Clock,
    agency: &str,
    number: &str,
    decided_on: NaiveDate,
    result: CaseResult,
    amend: Option<&Amend>,
) -> Result<Registered, AppError> {
    let Some(case) = store.list_cases(agency).await?.into_iter().find(|c| c.number == number) else {
        return Err(AppError::invalid("number", format!("案件编号：本机关没有编号为「{number}」的案件")));
    };
    if case.result.is_some() {
        return Err(AppError::Conflict(format!("案件编号：{number} 已审结，不能再次记录结果")));
    }
    let case = Case { decided_on: Some(decided_on), result: Some(result), ..case }
        .validated(clock.today())
        .map_err(AppError::inputs)?;
    let written = match amend {
        Some(amend) => store.amending(amend).update_case(&case).await,
        None => store.update_case(&case).await.map(|()| Vec::new()),
    };
    let amendments = written.map_err(|e| refusal(e, number))?;
    Ok(Registered { case, amendments })
}

/// The store's refusal: a duplicate number, or a locked year (the period lock).
fn refusal(e: StoreError, number: &str) -> AppError {
    match e {
        StoreError::Conflict { .. } => AppError::Conflict(format!("案件编号：{number} 已登记，不能重复登记")),
        e @ StoreError::Locked { .. } => AppError::Locked(e.to_string()),
        e => AppError::Store(e),
    }
}
