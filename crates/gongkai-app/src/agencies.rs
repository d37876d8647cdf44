//! 机关: registering an agency in the tree (its name, parent and kind), from which the reports,
//! the supervising office's scope and the remedy clause follow. Every registration and change is
//! audited in its own transaction.

use gongkai_core::register::Agency;
use gongkai_store::{Store, StoreError};

use crate::{Actor, AppError, Clock};

/// The audit event type of an agency's registration or change.
const AUDIT_EVENT: &str = "agency.register";

/// Registers the agency, or changes the name, parent and kind of one already registered; the
/// parent must be registered and must not be the agency itself or below it.
pub async fn register(store: &Store, clock: &Clock, actor: &Actor, agency: Agency) -> Result<Agency, AppError> {
    let agency = Agency {
        code: agency.code.trim().to_string(),
        name: agency.name.trim().to_string(),
        parent: agency.parent.map(|p| p.trim().to_string()).filter(|p| !p.is_empty()),
        kind: agency.kind,
    };
    let outcome = checked(store, clock, actor, &agency).await;
    actor.audit_refusal(store, clock, AUDIT_EVENT, &agency.code, &outcome).await;
    outcome.map(|()| agency)
}

async fn checked(store: &Store, clock: &Clock, actor: &Actor, agency: &Agency) -> Result<(), AppError> {
    if agency.code.is_empty() || agency.code.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(AppError::invalid("code", "机关代码：不能为空，不能含空格或控制字符"));
    }
    if agency.name.is_empty() || agency.name.chars().any(char::is_control) {
        return Err(AppError::invalid("name", "机关名称：不能为空，不能含控制字符"));
    }
    let known = store.get_agency(&agency.code).await?;
    let detail = match &known {
        Some(before) if before.name != agency.name => format!("变更机关：「{}」改为「{}」", before.name, agency.name),
        Some(_) => format!("变更机关「{}」的上级或类型", agency.name),
        None => format!("登记机关「{}」", agency.name),
    };
    let audited = actor.audited(store, clock, AUDIT_EVENT, &agency.code, Some(detail));
    let parent = agency.parent.as_deref().unwrap_or_default();
    audited.upsert_agency(agency).await.map_err(|e| match e {
        StoreError::NotFound { .. } => {
            AppError::invalid("parent", format!("上级机关「{parent}」未登记，请先登记上级机关"))
        }
        StoreError::Invalid { .. } => AppError::invalid(
            "parent",
            format!("上级机关「{parent}」是「{}」本身或其下级，机关隶属关系不能形成循环", agency.code),
        ),
        e => AppError::from(e),
    })
}

/// Removes an agency registered by mistake (a typo in its code, a duplicate): refused, naming
/// what it has, as soon as any record names it — an agency that has worked keeps its records,
/// and is changed (name, parent, kind), never deleted. Audited `agency.remove`, refusals too.
pub async fn remove(store: &Store, clock: &Clock, actor: &Actor, code: &str) -> Result<Agency, AppError> {
    const EVENT: &str = "agency.remove";
    let code = code.trim();
    let outcome = async {
        let agency = crate::year::agency(store, code).await?;
        let detail = format!("删除误登记的机关「{}」", agency.name);
        let named = actor.audited(store, clock, EVENT, &agency.code, Some(detail)).delete_agency(&agency.code).await?;
        if named.is_empty() {
            return Ok(agency);
        }
        let unit = |label: &str| match label {
            "下级机关" | "工作平台账户" | "政府信息公开指南" | "政府信息公开指南版本" | "年度报告发布记录" => {
                "个"
            }
            "申请登记" | "复议诉讼案件" | "文书" | "已发布的年度报告文件" => "件",
            _ => "条",
        };
        let what: Vec<String> = named.iter().map(|(label, n)| format!("{label} {n} {}", unit(label))).collect();
        Err(AppError::Conflict(format!(
            "机关「{}」已有{}，不能删除：机关的记录须保留；如名称、上级或类型有误，请变更机关",
            agency.name,
            what.join("、")
        )))
    }
    .await;
    actor.audit_refusal(store, clock, EVENT, code, &outcome).await;
    outcome
}

/// 停用 an agency abolished or merged (机构改革): from `on` it receives no request — the online
/// form and the registration of a request received on or after that day refuse, saying `note`
/// (where its duties went) — while its records, reports and accounts stay as they are. Audited
/// `agency.deactivate`, refusals too.
pub async fn deactivate(
    store: &Store,
    clock: &Clock,
    actor: &Actor,
    code: &str,
    on: chrono::NaiveDate,
    note: &str,
) -> Result<Agency, AppError> {
    const EVENT: &str = "agency.deactivate";
    let code = code.trim();
    let outcome = async {
        let agency = crate::year::agency(store, code).await?;
        let note = gongkai_core::input::text("note", "停用说明", note, true).map_err(|e| AppError::Invalid {
            field: "note",
            message: format!("{}（写明职责由哪个机关承接）", e.message),
        })?;
        let detail = format!("自{on}起停用机关「{}」：{note}", agency.name);
        let d = gongkai_store::Deactivation { on, note };
        actor
            .audited(store, clock, EVENT, &agency.code, Some(detail))
            .set_agency_deactivation(&agency.code, Some(&d))
            .await?;
        Ok(agency)
    }
    .await;
    actor.audit_refusal(store, clock, EVENT, code, &outcome).await;
    outcome
}

/// 恢复 a deactivated agency (a deactivation recorded by mistake). Audited `agency.reactivate`.
pub async fn reactivate(store: &Store, clock: &Clock, actor: &Actor, code: &str) -> Result<Agency, AppError> {
    const EVENT: &str = "agency.reactivate";
    let code = code.trim();
    let outcome = async {
        let agency = crate::year::agency(store, code).await?;
        let detail = format!("恢复机关「{}」", agency.name);
        actor
            .audited(store, clock, EVENT, &agency.code, Some(detail))
            .set_agency_deactivation(&agency.code, None)
            .await?;
        Ok(agency)
    }
    .await;
    actor.audit_refusal(store, clock, EVENT, code, &outcome).await;
    outcome
}

/// Why `agency` receives no request on `day` (deactivated on or before it), saying since when
/// and where its duties went; `None` while it receives them.
pub async fn closed_on(store: &Store, agency: &Agency, day: chrono::NaiveDate) -> Result<Option<String>, AppError> {
    Ok(match store.agency_deactivation(&agency.code).await? {
        Some(d) if d.on <= day => Some(format!(
            "「{}」已于{}停用，不再受理政府信息公开申请：{}",
            agency.name,
            d.on.format("%Y年%-m月%-d日"),
            d.note
        )),
        _ => None,
    })
}

/// Refuses a request received on `received` by an agency deactivated by then ([`closed_on`]).
pub async fn check_receiving(store: &Store, agency: &Agency, received: chrono::NaiveDate) -> Result<(), AppError> {
    match closed_on(store, agency, received).await? {
        Some(why) => Err(AppError::Refused(why)),
        None => Ok(()),
    }
}
