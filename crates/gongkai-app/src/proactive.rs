//! Registering a proactive disclosure (主动公开, Arts. 19–26) item by item: one function that the
//! console's form and `gongkai proactive add` both call, so an item is accepted on the same
//! conditions wherever it is typed.
//!
//! The rule (spec A1.5, A2.3): an item published through gongkai is a publication, so it carries
//! the directory fields every entry must have (Art. 12: 内容概述、生成日期) and the record of its
//! confidentiality review (Art. 17: 保密审查 — reviewer, date, result) — on the command line as in
//! the console. The register workbook is different: it brings in a year's register of items
//! already published elsewhere, for the report's statistics, and records no review it did not see.

use chrono::NaiveDate;
use gongkai_core::calendar::Calendar;
use gongkai_core::register::{check_proactive_dates, ProactiveDateError, ProactiveDisclosure};
use gongkai_store::{Amend, Amendment, ConfidentialityReview, ProactiveDetails, ReviewResult, Store, StoreError};

use crate::{Actor, AppError, Clock};

/// The longest 内容概述 (a directory line, not the document's text).
pub const MAX_SUMMARY: usize = 500;
/// The longest name of a reviewer.
pub const MAX_REVIEWER: usize = 60;

/// The review results a publication may have (a result that withholds the item is not a
/// publication, so it cannot be registered as one).
pub const REVIEW_RESULTS: [ReviewResult; 2] = [ReviewResult::Approved, ReviewResult::ApprovedRedacted];

/// What the user gave for one item: the register's fields (checked by
/// [`ProactiveDisclosure::validated`]) and the directory fields and review, as typed.
#[derive(Debug, Clone)]
pub struct NewProactive {
    /// The register entry.
    pub item: ProactiveDisclosure,
    /// 内容概述.
    pub summary: String,
    /// 生成日期: the day the information was formed or changed (Art. 26 counts from it).
    pub generated_on: Option<NaiveDate>,
    /// 保密审查人.
    pub reviewer: String,
    /// 保密审查日期.
    pub reviewed_on: Option<NaiveDate>,
    /// 保密审查结论, by its glossary name (`approved`, `approved_redacted`).
    pub review_result: String,
}

/// An item as stored.
#[derive(Debug, Clone)]
pub struct Added {
    /// The register entry (texts trimmed).
    pub item: ProactiveDisclosure,
    /// Its directory fields and review.
    pub details: ProactiveDetails,
    /// Art. 26's last day (20 working days after 生成日期) when the item was published after it.
    pub late_after: Option<NaiveDate>,
    /// The amendments recorded when the item changed a published year (with `amend`).
    pub amendments: Vec<Amendment>,
}

/// Checks `input` and returns the item with its details, or every problem, each naming its field.
pub fn validated(
    input: NewProactive,
    today: NaiveDate,
) -> Result<(ProactiveDisclosure, ProactiveDetails), Vec<gongkai_core::input::InputError>> {
    use gongkai_core::input::{bounded, InputError};
    let mut errors = Vec::new();
    let item = input.item.validated(today).map_err(|list| errors.extend(list)).ok();
    let summary = bounded("summary", "内容概述", &input.summary, true, MAX_SUMMARY).map_err(|e| errors.push(e)).ok();
    let generated_on = input.generated_on.or_else(|| {
        errors.push(InputError::new("generated_on", "生成日期：不能为空（信息形成或者变更的日期，条例第二十六条）"));
        None
    });
    let reviewer = match bounded("review_by", "保密审查人", &input.reviewer, true, MAX_REVIEWER) {
        Ok(r) => Some(r),
        Err(e) if e.message.ends_with("不能为空") => {
            errors.push(InputError::new("review_by", format!("{}（条例第十七条：公开前应当进行保密审查）", e.message)));
            None
        }
        Err(e) => {
            errors.push(e);
            None
        }
    };
    let reviewed_on = input.reviewed_on.or_else(|| {
        errors.push(InputError::new("reviewed_on", "保密审查日期：不能为空"));
        None
    });
    let result = ReviewResult::parse(input.review_result.trim()).filter(|r| REVIEW_RESULTS.contains(r)).or_else(|| {
        errors.push(InputError::new(
            "review_result",
            "保密审查结论：应为同意公开或删除不应公开的内容后公开（经审查不予公开的信息不能登记为主动公开）",
        ));
        None
    });
    if let (Some(item), Some(generated_on)) = (&item, generated_on) {
        if let Err(e) = check_proactive_dates(generated_on, reviewed_on, item.published_on) {
            let field = match e {
                ProactiveDateError::ReviewOutside { .. } => "reviewed_on",
                _ => "generated_on",
            };
            errors.push(InputError::new(field, e.to_string()));
        }
    }
    match (item, summary, generated_on, reviewer, reviewed_on, result) {
        (Some(item), Some(summary), Some(generated_on), Some(reviewer), Some(reviewed_on), Some(result))
            if errors.is_empty() =>
        {
            let details = ProactiveDetails {
                agency: item.agency.clone(),
                index_number: item.index_number.clone(),
                summary,
                generated_on,
                publisher: None,
                written_on: None,
                body: None,
                review: Some(ConfidentialityReview { reviewer, reviewed_on, result }),
            };
            Ok((item, details))
        }
        _ => Err(errors),
    }
}

/// Registers a proactive disclosure of `input.item.agency`.
///
/// The input is checked first ([`validated`]: every problem at once, each naming its field), then
/// the agency must exist, then the store writes the item and its details in one transaction —
/// refusing a second item with the same 索引号, and a change of a published year unless `amend`
/// gives the reason. Every attempt is audited with the actor (`proactive.add`). Who may register
/// for which agency (roles) is the caller's check, made before.
pub async fn add(
    store: &Store,
    cal: &Calendar,
    clock: &Clock,
    actor: &Actor,
    input: NewProactive,
    amend: Option<&Amend>,
) -> Result<Added, AppError> {
    let target = input.item.index_number.trim().to_string();
    let outcome = checked(store, cal, clock, actor, &target, input, amend).await;
    actor.audit_refusal(store, clock, AUDIT_EVENT, &target, &outcome).await;
    outcome
}

/// The audit event type of a proactive disclosure's registration.
const AUDIT_EVENT: &str = "proactive.add";

#[allow(clippy::too_many_arguments)]
async fn checked(
    store: &Store,
    cal: &Calendar,
    clock: &Clock,
    actor: &Actor,
    target: &str,
    input: NewProactive,
    amend: Option<&Amend>,
) -> Result<Added, AppError> {
    let (mut item, details) = validated(input, clock.today()).map_err(AppError::inputs)?;
    item.agency = crate::year::agency(store, &item.agency).await?.code;
    let late_after = gongkai_core::clock::proactive_publication_due(cal, details.generated_on)
        .ok()
        .map(|due| due.end)
        .filter(|end| item.published_on > *end);
    // Recorded with the item, in its transaction; a late publication says so (Art. 26).
    let detail = late_after.map(|due| format!("逾期公开：应于 {due} 前公开（条例第二十六条）"));
    let store = &actor.audited(store, clock, AUDIT_EVENT, target, detail);
    let written = match amend {
        Some(amend) => store.amending(amend).insert_proactive_with_details(&item, &details).await,
        None => store.insert_proactive_with_details(&item, &details).await.map(|()| Vec::new()),
    };
    let amendments = match written {
        Ok(a) => a,
        Err(StoreError::Conflict { .. }) => {
            return Err(AppError::Conflict(format!("索引号 {} 已登记，不能重复登记", item.index_number)))
        }
        Err(e @ StoreError::Locked { .. }) => return Err(AppError::Locked(e.to_string())),
        Err(e) => return Err(e.into()),
    };
    Ok(Added { item, details, late_after, amendments })
}
