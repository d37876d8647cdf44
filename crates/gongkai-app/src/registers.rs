//! Importing the register workbook (台账, docs/register-spreadsheet.md): one function that the
//! console's 台账导入导出 page and `gongkai register import` call, so a workbook is accepted on
//! the same conditions wherever it is uploaded — all or nothing.

use chrono::NaiveDate;
use gongkai_core::calendar::Calendar;
use gongkai_sheet::{CellError, Parsed};
use gongkai_store::{Amend, Amendment, Store, StoreError};

use crate::{Actor, AppError, Clock};

/// The longest reason of an amendment (it is printed in the year's report).
pub const MAX_AMEND_REASON: usize = 500;

/// A workbook to import.
#[derive(Debug, Clone)]
pub struct Upload {
    /// The .xlsx file's bytes.
    pub bytes: Vec<u8>,
    /// The only agency whose rows may be imported (the console imports its account's agency;
    /// its 机关 sheet may repeat the stored agency tree, never change it — agencies are the
    /// administrator's, B2.2). `None` for the command line, the database file's operator.
    pub scope: Option<String>,
    /// The amendment of published years the rows reach, with its reason; without one such a row
    /// is refused (the period lock).
    pub amend: Option<Amend>,
    /// Check everything and write nothing.
    pub dry_run: bool,
}

/// A workbook checked, and stored unless it was a dry run.
#[derive(Debug, Clone)]
pub struct Imported {
    /// (sheet, rows) of what the workbook holds.
    pub summary: Vec<(&'static str, usize)>,
    /// The amendments recorded, one per row reaching a published year (with `amend`).
    pub amendments: Vec<Amendment>,
    /// Whether it was written (false for a dry run).
    pub written: bool,
}

/// Reads `upload`, checks every cell (gongkai-sheet: the core's input rules and the lifecycle,
/// with China's today), the scope, and what the database holds (agencies, numbers already
/// registered, rows reaching a locked year), and writes the whole batch in one transaction — or
/// nothing, with every problem by sheet, row and column ([`AppError::Workbook`]). Every attempt
/// is audited (`registers.import`, the target the scope or `全部机关`). Who may import for which
/// agency, and who may amend (roles), is the caller's check.
pub async fn import(
    store: &Store,
    cal: &Calendar,
    clock: &Clock,
    actor: &Actor,
    upload: Upload,
) -> Result<Imported, AppError> {
    let target = upload.scope.clone().unwrap_or_else(|| "全部机关".to_string());
    let outcome = checked(store, cal, clock, actor, &target, upload).await;
    // A written batch was audited in its own transaction; a trial run and a refusal change
    // nothing and are recorded here.
    let detail = match &outcome {
        Ok(i) if i.written => None,
        Ok(i) => Some(summary_line(i)),
        Err(AppError::Workbook(errors)) => Some(format!("{} 处错误", errors.len())),
        Err(e) => Some(e.to_string()),
    };
    if let Some(detail) = detail {
        actor.audit(store, clock, AUDIT_EVENT, &target, outcome.is_ok(), Some(detail)).await;
    }
    outcome
}

/// The audit event type of a workbook import.
const AUDIT_EVENT: &str = "registers.import";

/// What an import held, as one line: 「申请登记 3，办理事件（含答复、撤回） 5，…」 and the amendments.
pub fn summary_line(i: &Imported) -> String {
    let mut line = i.summary.iter().map(|(sheet, n)| format!("{sheet} {n}")).collect::<Vec<_>>().join("，");
    if !i.amendments.is_empty() {
        line.push_str(&format!("；更正 {} 处", i.amendments.len()));
    }
    line
}

async fn checked(
    store: &Store,
    cal: &Calendar,
    clock: &Clock,
    actor: &Actor,
    target: &str,
    upload: Upload,
) -> Result<Imported, AppError> {
    if let Some(amend) = &upload.amend {
        let reason = amend.reason.trim();
        if reason.is_empty() || reason.chars().count() > MAX_AMEND_REASON || reason.chars().any(char::is_control) {
            return Err(AppError::invalid(
                "amend_reason",
                format!("更正理由：不能为空，不能超过{MAX_AMEND_REASON}个字符，不能含控制字符"),
            ));
        }
    }
    if upload.bytes.is_empty() {
        return Err(AppError::invalid("file", "文件：请选择要导入的 .xlsx 文件"));
    }
    // Reading a workbook is CPU work over every cell: off the async workers.
    let (cal, today, bytes) = (cal.clone(), clock.today(), upload.bytes);
    let read = tokio::task::spawn_blocking(move || gongkai_sheet::read(&bytes, &cal, today))
        .await
        .map_err(|e| AppError::Internal(format!("台账读取任务未完成：{e}")))?;
    let mut parsed = read.map_err(AppError::Workbook)?;
    let mut errors = match &upload.scope {
        Some(agency) => in_scope(store, agency, &mut parsed).await?,
        None => Vec::new(),
    };
    if errors.is_empty() {
        errors = guides(store, &mut parsed, today).await?;
    }
    if errors.is_empty() {
        errors = gongkai_sheet::check_against(store, &parsed, upload.amend.is_some()).await?;
    }
    if !errors.is_empty() {
        return Err(AppError::Workbook(errors));
    }
    let summary = gongkai_sheet::summary(&parsed);
    if upload.dry_run {
        return Ok(Imported { summary, amendments: Vec::new(), written: false });
    }
    let trial = Imported { summary, amendments: Vec::new(), written: false };
    let store = &actor.audited(store, clock, AUDIT_EVENT, target, Some(summary_line(&trial)));
    let summary = trial.summary;
    let stored = match &upload.amend {
        Some(a) => store.amending(a).insert_batch(&parsed.batch).await.map(|(_, amendments)| amendments),
        None => store.insert_batch(&parsed.batch).await.map(|_| Vec::new()),
    };
    let amendments = stored.map_err(|e| match e {
        // Published or registered by someone else between the check and the write.
        e @ StoreError::Locked { .. } => AppError::Locked(e.to_string()),
        e @ StoreError::Conflict { .. } => AppError::Conflict(e.to_string()),
        e => AppError::Store(e),
    })?;
    Ok(Imported { summary, amendments, written: true })
}

/// The 公开指南 rows checked with the guide's one rule ([`crate::guide::parse`], as the console
/// and `gongkai guide set` check it), each refusal at its cell; the guides go into the batch,
/// except one equal to the stored guide (an exported workbook imported again adds no version).
async fn guides(store: &Store, parsed: &mut Parsed, today: NaiveDate) -> Result<Vec<CellError>, StoreError> {
    let sheet = gongkai_sheet::SHEET_DISCLOSURE_GUIDE;
    let mut errors = Vec::new();
    for row in &parsed.guides {
        let in_batch = parsed.batch.agencies.iter().any(|a| a.code == row.agency);
        if !in_batch && store.get_agency(&row.agency).await?.is_none() {
            let message = format!("机关代码「{}」未登记：请先登记机关，或在“机关”表中列出", row.agency);
            errors.push(CellError::at(sheet, row.row, "机关代码", message));
            continue;
        }
        // The stored guide as exported: nothing to store, and nothing to check again (a guide
        // stored before a rule was added is exported and imported back unchanged).
        let stored = store.get_guide(&row.agency).await?;
        if stored.as_ref().is_some_and(|g| same_guide(g, row)) {
            continue;
        }
        let mut json = serde_json::Map::new();
        let mut sections = serde_json::Map::new();
        for (key, value) in &row.values {
            let section = gongkai_sheet::GUIDE_FIELDS.iter().any(|(_, k, s)| k == key && *s);
            let target = if section { &mut sections } else { &mut json };
            target.insert((*key).to_string(), serde_json::Value::String(value.clone()));
        }
        json.insert("sections".into(), serde_json::Value::Object(sections));
        if let Some(d) = row.updated_on {
            json.insert("updated_on".into(), serde_json::Value::String(d.to_string()));
        }
        match crate::guide::parse(&row.agency, &serde_json::Value::Object(json), today) {
            Ok(guide) => {
                if stored.as_ref() != Some(&guide) {
                    parsed.batch.guides.push(guide);
                }
            }
            Err(AppError::Invalid { field, message }) => errors.push(CellError::at(
                sheet,
                row.row,
                gongkai_sheet::guide_column(field),
                crate::guide::by_labels(&message),
            )),
            Err(e) => errors.push(CellError::at(sheet, row.row, "机关代码", e.to_string())),
        }
    }
    Ok(errors)
}

/// Whether a 公开指南 row holds exactly the guide `g` (every field and section, and its 更新日期).
fn same_guide(g: &gongkai_store::DisclosureGuide, row: &gongkai_sheet::GuideRow) -> bool {
    let stored = |key: &str| gongkai_sheet::guide_value(g, key);
    let typed = |key: &str| row.values.iter().find(|(k, _)| *k == key).map(|(_, v)| v.clone());
    row.updated_on == Some(g.updated_on)
        && gongkai_sheet::GUIDE_FIELDS
            .iter()
            .all(|(_, key, _)| stored(key).as_deref().map(str::trim) == typed(key).as_deref().map(str::trim))
}

/// The scope's checks of a workbook read without error: only rows of `agency`, and a 机关 sheet
/// that repeats stored agencies unchanged (the sheet is then dropped from the batch).
async fn in_scope(store: &Store, agency: &str, parsed: &mut Parsed) -> Result<Vec<CellError>, StoreError> {
    let mut errs = Vec::new();
    let other = |code: &str| format!("机关代码「{code}」不是本机关（{agency}）：控制台只导入本机关的登记");
    for (a, row) in parsed.batch.agencies.iter().zip(&parsed.agency_rows) {
        if store.get_agency(&a.code).await?.as_ref() != Some(a) {
            errs.push(CellError::at(
                gongkai_sheet::SHEET_AGENCIES,
                *row,
                "机关代码",
                format!("机关「{}」与已登记的机关目录不一致：控制台导入不能新增或修改机关（由系统管理员维护）", a.code),
            ));
        }
    }
    for ((r, _), row) in parsed.batch.requests.iter().zip(&parsed.request_rows) {
        if r.agency != agency {
            errs.push(CellError::at(gongkai_sheet::SHEET_REQUESTS, *row, "机关代码", other(&r.agency)));
        }
    }
    for (c, row) in parsed.batch.cases.iter().zip(&parsed.case_rows) {
        if c.agency != agency {
            errs.push(CellError::at(gongkai_sheet::SHEET_CASES, *row, "机关代码", other(&c.agency)));
        }
    }
    for (f, row) in parsed.batch.figures.iter().zip(&parsed.figure_rows) {
        if f.agency != agency {
            errs.push(CellError::at(gongkai_sheet::SHEET_FIGURES, *row, "机关代码", other(&f.agency)));
        }
    }
    for (p, row) in parsed.batch.proactive.iter().zip(&parsed.proactive_rows) {
        if p.agency != agency {
            errs.push(CellError::at(gongkai_sheet::SHEET_PROACTIVE, *row, "机关代码", other(&p.agency)));
        }
    }
    for g in &parsed.guides {
        if g.agency != agency {
            errs.push(CellError::at(gongkai_sheet::SHEET_DISCLOSURE_GUIDE, g.row, "机关代码", other(&g.agency)));
        }
    }
    parsed.batch.agencies.clear();
    parsed.agency_rows.clear();
    Ok(errs)
}
