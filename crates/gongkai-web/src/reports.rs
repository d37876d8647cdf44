//! The published annual reports (政府信息公开年报, Art. 50): generated from the registers with
//! the core's report generation, checked with every consistency rule.

use gongkai_core::generate::{self, YearInput};
use gongkai_core::register::Agency;
use gongkai_core::report::{Report, SectionKey};
use gongkai_core::rules::{self, CheckContext, Finding};
use gongkai_store::Publication;

use crate::error::WebError;
use crate::AppState;

/// A published report with its rule check.
#[derive(Debug, Clone)]
pub struct Published {
    /// The canonical report.
    pub report: Report,
    /// Every finding of the consistency rules (empty = passes every rule).
    pub findings: Vec<Finding>,
    /// Its publication.
    pub publication: Publication,
}

fn section_key(s: &str) -> Option<SectionKey> {
    gongkai_core::template::SECTIONS.iter().map(|x| x.key).find(|k| k.name() == s)
}

/// What the report of a year is generated from: the registers, the office's narrative sections
/// and the publication date (the input of `gongkai report generate`).
pub(crate) async fn year_input(state: &AppState, agency: &Agency, year: i32) -> Result<YearInput, WebError> {
    let regs = state.store.load_year(&agency.code, year).await?;
    let narratives = state
        .store
        .list_narratives(&agency.code, year)
        .await?
        .into_iter()
        .filter_map(|(k, t)| section_key(&k).map(|k| (k, t)))
        .collect();
    let published_on = state.store.get_publication(&agency.code, year).await?.and_then(|p| p.published_on);
    Ok(YearInput {
        agency: agency.clone(),
        year,
        requests: regs.requests,
        cases: regs.cases,
        figures: regs.figures,
        narratives,
        published_on,
    })
}

/// The draft of a year: the report of what can be counted, the register entries that cannot
/// (each a message), and the findings of every rule.
pub(crate) async fn draft(
    state: &AppState,
    agency: &Agency,
    year: i32,
) -> Result<(Report, Vec<String>, Vec<Finding>), WebError> {
    let input = year_input(state, agency, year).await?;
    let cal = std::sync::Arc::clone(&state.calendar);
    tokio::task::spawn_blocking(move || {
        let built = generate::build(&cal, &input);
        let findings = rules::check(&built.report, &CheckContext::default());
        let errors = built.errors.iter().map(|e| e.to_string()).collect();
        (built.report, errors, findings)
    })
    .await
    .map_err(|e| WebError::Internal(format!("report generation task: {e}")))
}

/// The report of a year from the registers (the same as `gongkai report generate`).
async fn generate_year(state: &AppState, agency: &Agency, year: i32) -> Result<Report, WebError> {
    let input = year_input(state, agency, year).await?;
    // Report generation is CPU work over the whole year: keep it off the async workers.
    let cal = std::sync::Arc::clone(&state.calendar);
    let built = tokio::task::spawn_blocking(move || generate::build(&cal, &input).into_result())
        .await
        .map_err(|e| WebError::Internal(format!("report generation task: {e}")))?;
    built.map_err(|errors| {
        let list: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        WebError::Internal(format!("registers of {} {year} do not generate: {}", agency.code, list.join("; ")))
    })
}

/// The published report of a year, or [`WebError::NotFound`] when the year is not published
/// (a draft is never public).
pub async fn published(state: &AppState, agency: &Agency, year: i32) -> Result<Published, WebError> {
    let publication = match state.store.get_publication(&agency.code, year).await? {
        Some(p) if p.published_on.is_some() => p,
        _ => return Err(WebError::NotFound("该年度已发布的年度报告")),
    };
    let report = generate_year(state, agency, year).await?;
    // The year rules compare with last year's report when that one is published too.
    let previous = match state.store.get_publication(&agency.code, year - 1).await? {
        Some(p) if p.published_on.is_some() => generate_year(state, agency, year - 1).await.ok(),
        _ => None,
    };
    let ctx = CheckContext { previous: previous.as_ref(), ..CheckContext::default() };
    let findings = rules::check(&report, &ctx);
    Ok(Published { report, findings, publication })
}

/// A report as a file in `format` — `html`, `json`, `docx`, `xlsx` or `pdf` (also its file
/// extension) — with its content type; `None` for any other format. The portal's report downloads
/// and the console's roll-up both serve these: add a format here and nowhere else.
pub async fn file(state: &AppState, report: Report, format: &str) -> Result<Option<(&'static str, Vec<u8>)>, WebError> {
    Ok(Some(match format {
        "html" => ("text/html; charset=utf-8", gongkai_export::render_html(&report).into_bytes()),
        "json" => (
            "application/json",
            serde_json::to_vec_pretty(&report).map_err(|e| WebError::Internal(format!("report JSON: {e}")))?,
        ),
        "docx" => (
            crate::attachment::DOCX,
            gongkai_export::render_docx(&report).map_err(|e| WebError::Internal(format!("report DOCX: {e}")))?,
        ),
        "xlsx" => (
            crate::attachment::XLSX,
            gongkai_export::render_xlsx(&report).map_err(|e| WebError::Internal(format!("report XLSX: {e}")))?,
        ),
        "pdf" => ("application/pdf", pdf(state, report).await?),
        _ => return Ok(None),
    }))
}

/// The PDF of a report, typeset off the async threads (fonts scanned once, see
/// [`AppState::pdf_fonts`]).
async fn pdf(state: &AppState, report: Report) -> Result<Vec<u8>, WebError> {
    let fonts = state
        .pdf_fonts
        .get_or_init(|| async {
            match tokio::task::spawn_blocking(gongkai_pdf::Fonts::system).await {
                Ok(Ok(fonts)) => Ok(std::sync::Arc::new(fonts)),
                Ok(Err(e)) => Err(e.to_string()),
                Err(e) => Err(format!("font scan: {e}")),
            }
        })
        .await
        .clone()
        .map_err(|e| WebError::Internal(format!("report PDF: {e}")))?;
    tokio::task::spawn_blocking(move || gongkai_pdf::render_pdf(&report, &fonts))
        .await
        .map_err(|e| WebError::Internal(format!("report PDF: {e}")))?
        .map_err(|e| WebError::Internal(format!("report PDF: {e}")))
}
