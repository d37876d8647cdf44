//! The text of a year's report (the sections written by hand: 总体情况, 存在的主要问题及改进情况,
//! 其他需要报告的事项 …): one function that the console's report workspace and `gongkai narrative
//! set` call, so a section is accepted on the same conditions wherever it is written.

use gongkai_core::input::{InputError, FIRST_REPORT_YEAR};
use gongkai_core::report::SectionKey;
use gongkai_store::{Amend, Amendment, Store, StoreError};

use crate::{Actor, AppError, Clock};

/// The longest section (a report's section is a few pages; more is a pasted document).
pub const MAX_NARRATIVE: usize = 20_000;

/// A section as stored.
#[derive(Debug, Clone)]
pub struct Saved {
    /// The text as stored (trimmed).
    pub text: String,
    /// The amendments recorded when it changed a published year (with `amend`).
    pub amendments: Vec<Amendment>,
}

/// The text checked: at most [`MAX_NARRATIVE`] characters, no control characters besides line
/// breaks and tabs (a NUL or an escape pasted from elsewhere is refused, never printed in a
/// report), trimmed. A blank text clears the section.
pub fn validated(text: &str) -> Result<String, InputError> {
    gongkai_core::input::long_text("text", "章节正文", text, MAX_NARRATIVE)
}

/// Saves the `section` of `agency`'s report of `year`.
///
/// The year must be a reporting year (from 2008 to next year: a report may be drafted before its
/// year ends), the text passes [`validated`], the agency must exist; the store writes the section
/// — refusing a change of a published year unless `amend` gives the reason. Every attempt is
/// audited (`report.narrative`, the target `机关/年度/章节`). Who may write (roles) is the
/// caller's check.
#[allow(clippy::too_many_arguments)]
pub async fn set(
    store: &Store,
    clock: &Clock,
    actor: &Actor,
    agency: &str,
    year: i32,
    section: SectionKey,
    text: &str,
    amend: Option<&Amend>,
) -> Result<Saved, AppError> {
    let agency = agency.trim();
    let target = format!("{agency}/{year}/{}", section.name());
    let audited = actor.audited(store, clock, "report.narrative", &target, None);
    let outcome = checked(&audited, clock, agency, year, section, text, amend).await;
    actor.audit_refusal(store, clock, "report.narrative", &target, &outcome).await;
    outcome
}

async fn checked(
    store: &Store,
    clock: &Clock,
    agency: &str,
    year: i32,
    section: SectionKey,
    text: &str,
    amend: Option<&Amend>,
) -> Result<Saved, AppError> {
    let next_year = chrono::Datelike::year(&clock.today()) + 1;
    if !(FIRST_REPORT_YEAR..=next_year).contains(&year) {
        return Err(AppError::invalid(
            "year",
            format!("年度：应为 {FIRST_REPORT_YEAR} 至 {next_year} 之间的年份，不是 {year}"),
        ));
    }
    let text = validated(text).map_err(|e| AppError::invalid(e.field, e.message))?;
    let code = crate::year::agency(store, agency).await?.code;
    let agency = code.as_str();
    let written = match amend {
        Some(amend) => store.amending(amend).set_narrative(agency, year, section.name(), &text).await,
        None => store.set_narrative(agency, year, section.name(), &text).await.map(|()| Vec::new()),
    };
    let amendments = written.map_err(|e| match e {
        e @ StoreError::Locked { .. } => AppError::Locked(e.to_string()),
        e => AppError::Store(e),
    })?;
    Ok(Saved { text, amendments })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_section_is_checked_alike_everywhere() {
        assert_eq!(validated("  一、总体情况\n\t本年度……  ").as_deref(), Ok("一、总体情况\n\t本年度……"));
        assert_eq!(validated("").as_deref(), Ok(""), "a blank text clears the section");
        assert!(validated("正文\u{0}").unwrap_err().message.contains("不能含控制字符"));
        let long = "字".repeat(MAX_NARRATIVE + 1);
        assert!(validated(&long).unwrap_err().message.contains("不能超过20000个字符"));
    }
}
