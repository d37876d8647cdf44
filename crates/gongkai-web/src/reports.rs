//! The published annual reports (政府信息公开年报, Art. 50): generated from the registers with
//! the core's report generation, checked with every consistency rule.

use gongkai_core::register::Agency;
use gongkai_core::report::Report;
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

/// The draft of a year: the report of what can be counted, the register entries that cannot
/// (each a message), and the findings of every rule ([`gongkai_app::year::draft`]).
pub(crate) async fn draft(
    state: &AppState,
    agency: &Agency,
    year: i32,
) -> Result<(Report, Vec<String>, Vec<Finding>), WebError> {
    let d = gongkai_app::year::draft(&state.store, std::sync::Arc::clone(&state.calendar), agency, year).await?;
    Ok((d.report, d.errors, d.findings))
}

/// The report of a year from the registers, with the notes of amendments made after its
/// publication: the same report as `gongkai report generate`.
async fn generate_year(state: &AppState, agency: &Agency, year: i32) -> Result<Report, WebError> {
    Ok(gongkai_app::year::generate(&state.store, std::sync::Arc::clone(&state.calendar), agency, year).await?)
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
    // As the pre-publication check does: the Art. 49 deadline by the agency's kind.
    let government = agency.kind == gongkai_core::register::AgencyKind::Government;
    let ctx = CheckContext { previous: previous.as_ref(), government_report: Some(government) };
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
    let fonts = fonts(state).await?;
    tokio::task::spawn_blocking(move || gongkai_pdf::render_pdf(&report, &fonts))
        .await
        .map_err(|e| WebError::Internal(format!("report PDF: {e}")))?
        .map_err(|e| WebError::Internal(format!("report PDF: {e}")))
}

/// The PDF fonts, scanned once (see [`AppState::pdf_fonts`]).
pub(crate) async fn fonts(state: &AppState) -> Result<std::sync::Arc<gongkai_pdf::Fonts>, WebError> {
    let dir = state.font_dir.clone();
    state
        .pdf_fonts
        .get_or_init(|| async {
            match tokio::task::spawn_blocking(move || gongkai_pdf::Fonts::system(dir.as_deref())).await {
                Ok(Ok(fonts)) => Ok(std::sync::Arc::new(fonts)),
                Ok(Err(e)) => Err(e.to_string()),
                Err(e) => Err(format!("font scan: {e}")),
            }
        })
        .await
        .clone()
        .map_err(|e| WebError::Internal(format!("PDF fonts: {e}")))
}
