//! The checks and reads that need the database, shared by `gongkai register import/export` and
//! the console's 台账导入导出 page: what a workbook would clash with, and an agency's registers as
//! one batch.

use std::collections::{HashMap, HashSet};

use gongkai_core::register::Agency;
use gongkai_store::{RegisterBatch, RequestFilter, Store, StoreError};

use crate::{CellError, Parsed, SHEET_AGENCIES, SHEET_CASES, SHEET_FIGURES, SHEET_PROACTIVE, SHEET_REQUESTS};

/// The checks that need the database: every agency named exists (or is in the 机关 sheet), no
/// tracking or case number is registered already, and no row reaches a year whose report is
/// published and locked (the period lock; such a row can only be stored as an amendment, which
/// `amending` allows and the caller decides). Each problem names its sheet, row and column.
pub async fn check_against(store: &Store, parsed: &Parsed, amending: bool) -> Result<Vec<CellError>, StoreError> {
    let mut errs = Vec::new();
    let in_sheet: HashSet<&str> = parsed.batch.agencies.iter().map(|a| a.code.as_str()).collect();
    let mut known: HashMap<String, bool> = HashMap::new();
    let missing =
        |code: &str| format!("机关代码「{code}」未登记：请先 gongkai agency add，或在“{SHEET_AGENCIES}”表中列出");
    for (a, row) in parsed.batch.agencies.iter().zip(&parsed.agency_rows) {
        if let Some(p) = &a.parent {
            if !in_sheet.contains(p.as_str()) && !agency_exists(store, &mut known, p).await? {
                errs.push(CellError::at(SHEET_AGENCIES, *row, "上级机关代码", missing(p)));
            }
        }
    }
    let mut numbers: HashMap<String, HashSet<String>> = HashMap::new();
    for ((r, _), row) in parsed.batch.requests.iter().zip(&parsed.request_rows) {
        if !in_sheet.contains(r.agency.as_str()) && !agency_exists(store, &mut known, &r.agency).await? {
            errs.push(CellError::at(SHEET_REQUESTS, *row, "机关代码", missing(&r.agency)));
            continue;
        }
        if !numbers.contains_key(&r.agency) {
            let have = store
                .list_requests(&r.agency, RequestFilter::All)
                .await?
                .into_iter()
                .map(|(_, x)| x.tracking_number)
                .collect();
            numbers.insert(r.agency.clone(), have);
        }
        if numbers.get(&r.agency).is_some_and(|s| s.contains(&r.tracking_number)) {
            errs.push(CellError::at(
                SHEET_REQUESTS,
                *row,
                "受理编号",
                format!("受理编号「{}」在机关 {} 已登记，不能重复导入", r.tracking_number, r.agency),
            ));
        }
    }
    let mut case_numbers: HashMap<String, HashSet<String>> = HashMap::new();
    for (c, row) in parsed.batch.cases.iter().zip(&parsed.case_rows) {
        if !in_sheet.contains(c.agency.as_str()) && !agency_exists(store, &mut known, &c.agency).await? {
            errs.push(CellError::at(SHEET_CASES, *row, "机关代码", missing(&c.agency)));
            continue;
        }
        if !case_numbers.contains_key(&c.agency) {
            let have = store.list_cases(&c.agency).await?.into_iter().map(|x| x.number).collect();
            case_numbers.insert(c.agency.clone(), have);
        }
        if case_numbers.get(&c.agency).is_some_and(|s| s.contains(&c.number)) {
            errs.push(CellError::at(
                SHEET_CASES,
                *row,
                "案件编号",
                format!("案件编号「{}」在机关 {} 已登记，不能重复导入", c.number, c.agency),
            ));
        }
    }
    for (f, row) in parsed.batch.figures.iter().zip(&parsed.figure_rows) {
        if !in_sheet.contains(f.agency.as_str()) && !agency_exists(store, &mut known, &f.agency).await? {
            errs.push(CellError::at(SHEET_FIGURES, *row, "机关代码", missing(&f.agency)));
        }
    }
    let mut index_numbers: HashMap<String, HashSet<String>> = HashMap::new();
    for (p, row) in parsed.batch.proactive.iter().zip(&parsed.proactive_rows) {
        if !in_sheet.contains(p.agency.as_str()) && !agency_exists(store, &mut known, &p.agency).await? {
            errs.push(CellError::at(SHEET_PROACTIVE, *row, "机关代码", missing(&p.agency)));
            continue;
        }
        if !index_numbers.contains_key(&p.agency) {
            let have = store.list_proactive(&p.agency).await?.into_iter().map(|x| x.index_number).collect();
            index_numbers.insert(p.agency.clone(), have);
        }
        if index_numbers.get(&p.agency).is_some_and(|s| s.contains(&p.index_number)) {
            errs.push(CellError::at(
                SHEET_PROACTIVE,
                *row,
                "索引号",
                format!("索引号「{}」在机关 {} 已登记，不能重复导入", p.index_number, p.agency),
            ));
        }
    }
    if !amending && errs.is_empty() {
        for e in store.locked_entries(&parsed.batch).await? {
            let (sheet, rows, column) = match e.table {
                "requests" => (SHEET_REQUESTS, &parsed.request_rows, "收到日期"),
                "cases" => (SHEET_CASES, &parsed.case_rows, "立案日期"),
                "proactive_disclosures" => (SHEET_PROACTIVE, &parsed.proactive_rows, "发布日期"),
                _ => (SHEET_FIGURES, &parsed.figure_rows, "年度"),
            };
            if let Some(row) = rows.get(e.index) {
                errs.push(CellError::at(
                    sheet,
                    *row,
                    column,
                    format!(
                        "该行涉及机关 {} 的 {} 年度报告，该年度已锁定（报告已发布）：不能直接导入，须作为更正登记并说明理由",
                        e.agency, e.year
                    ),
                ));
            }
        }
    }
    Ok(errs)
}

/// Whether an agency is registered (asked once per code).
async fn agency_exists(store: &Store, known: &mut HashMap<String, bool>, code: &str) -> Result<bool, StoreError> {
    if let Some(v) = known.get(code) {
        return Ok(*v);
    }
    let v = store.get_agency(code).await?.is_some();
    known.insert(code.to_string(), v);
    Ok(v)
}

/// The registers of `agency` as one batch for [`crate::write`]: the agency with its ancestors
/// (root first, so that a fresh database can take the workbook), and its requests with their
/// events, cases, Article 20 figures and proactive disclosures, and its disclosure guide — of `year`'s report only (everything that report counts),
/// or of every year. `None` if the agency does not exist.
pub async fn agency_registers(
    store: &Store,
    agency: &str,
    year: Option<i32>,
) -> Result<Option<RegisterBatch>, StoreError> {
    let Some(first) = store.get_agency(agency).await? else {
        return Ok(None);
    };
    let mut agencies: Vec<Agency> = vec![first];
    while let Some(parent) = agencies.last().and_then(|x| x.parent.clone()) {
        // A cycle or an absurd depth stops the walk rather than looping.
        if agencies.len() > 32 || agencies.iter().any(|x| x.code == parent) {
            break;
        }
        match store.get_agency(&parent).await? {
            Some(p) => agencies.push(p),
            None => break,
        }
    }
    agencies.reverse();
    let guides: Vec<_> = store.get_guide(agency).await?.into_iter().collect();
    Ok(Some(match year {
        Some(year) => {
            let y = store.load_year(agency, year).await?;
            RegisterBatch {
                agencies,
                requests: y.requests,
                cases: y.cases,
                figures: y.figures.into_iter().collect(),
                proactive: store
                    .list_proactive(agency)
                    .await?
                    .into_iter()
                    .filter(|p| chrono::Datelike::year(&p.published_on) == year)
                    .collect(),
                guides,
            }
        }
        None => RegisterBatch {
            agencies,
            requests: store
                .list_request_histories(agency, RequestFilter::All)
                .await?
                .into_iter()
                .map(|(_, r, e)| (r, e))
                .collect(),
            cases: store.list_cases(agency).await?,
            figures: store.list_article20_figures(agency).await?,
            proactive: store.list_proactive(agency).await?,
            guides,
        },
    }))
}
