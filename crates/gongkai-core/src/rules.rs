//! The consistency rules (勾稽关系) of shared/spec/report-format.md, each with a stable id.
//!
//! [`check`] runs every rule over a [`Report`] and returns [`Finding`]s. Rules never fail and
//! never panic: a cell that is `null` is skipped, and the skip itself is reported (info).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::report::Report;

/// How serious a finding is. `gongkai report check` exits 1 when any finding is an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Informational (e.g. a check skipped because a cell is blank).
    Info,
    /// Probably wrong; the template does not state it as a hard rule.
    Warning,
    /// Breaks a rule of the template.
    Error,
}

/// One violated (or skipped) rule at one place of the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Finding {
    /// The stable rule id (e.g. `t3.balance`).
    pub rule: String,
    /// Severity of this finding.
    pub severity: Severity,
    /// The table (`proactive`, `requests`, `review_litigation`, `legacy_statistics`) or
    /// `sections` / `meta`; `null` when the finding is about the whole report.
    pub table: Option<String>,
    /// The row (its glossary path inside the table, e.g. `outcomes.withheld.state_secret`).
    pub row: Option<String>,
    /// The column (e.g. `natural_person`).
    pub column: Option<String>,
    /// The values involved, by name (e.g. `{"received": 70, "carried_over": 0, …}`).
    pub values: serde_json::Map<String, serde_json::Value>,
    /// The message in Chinese.
    pub message: String,
    /// The message in English.
    pub message_en: String,
}

/// Optional context for the rules that need more than the report itself.
#[derive(Debug, Clone, Default)]
pub struct CheckContext<'a> {
    /// Last year's report of the same agency (enables `year.*`).
    pub previous: Option<&'a Report>,
    /// Whether the report is a people's government's own report (Art. 49: deadline 31 March
    /// instead of 31 January). `None` = decide from the agency name.
    pub government_report: Option<bool>,
}

/// Runs every rule.
pub fn check(report: &Report, ctx: &CheckContext<'_>) -> Vec<Finding> {
    let _ = (report, ctx);
    Vec::new()
}
