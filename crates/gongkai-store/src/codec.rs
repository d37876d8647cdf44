//! Text encodings of register values: the only place that knows how a core type becomes a column.
//!
//! Enumerations are stored by their serde (glossary, snake_case) names, dates as ISO
//! `YYYY-MM-DD`, amounts as normalised decimal text, timestamps as RFC 3339 UTC.

use chrono::{NaiveDate, SecondsFormat, Utc};
use gongkai_core::report::Amount;
use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::StoreError;

/// The serde name of a unit enum variant (`AgencyKind::Government` → `government`).
pub(crate) fn enum_name<T: Serialize>(v: &T) -> Result<String, StoreError> {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => Ok(s),
        Ok(other) => Err(StoreError::Invalid { what: "enumeration", detail: format!("not a unit variant: {other}") }),
        Err(e) => Err(StoreError::Invalid { what: "enumeration", detail: e.to_string() }),
    }
}

/// Parses an enum stored by [`enum_name`].
pub(crate) fn parse_enum<T: DeserializeOwned>(
    table: &'static str,
    column: &'static str,
    s: &str,
) -> Result<T, StoreError> {
    serde_json::from_value(serde_json::Value::String(s.to_string())).map_err(|_| StoreError::Corrupt {
        table,
        column,
        detail: format!("unknown name {s:?}"),
    })
}

/// A date as stored: ISO `YYYY-MM-DD`, which sorts and compares correctly as text.
pub(crate) fn date_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Parses a stored date.
pub(crate) fn parse_date(table: &'static str, column: &'static str, s: &str) -> Result<NaiveDate, StoreError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|e| StoreError::Corrupt {
        table,
        column,
        detail: format!("{s:?} is not an ISO date: {e}"),
    })
}

/// Parses an optional stored date.
pub(crate) fn parse_opt_date(
    table: &'static str,
    column: &'static str,
    s: Option<&str>,
) -> Result<Option<NaiveDate>, StoreError> {
    s.map(|s| parse_date(table, column, s)).transpose()
}

/// Parses a stored amount.
pub(crate) fn parse_amount(table: &'static str, column: &'static str, s: &str) -> Result<Amount, StoreError> {
    Amount::parse(s).map_err(|e| StoreError::Corrupt { table, column, detail: e.to_string() })
}

/// The current time as stored in `created_at` / `recorded_at` / `at` columns.
pub(crate) fn now_text() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// A fresh application-generated id (UUID v7: time-ordered, so inserts stay local in indexes).
pub(crate) fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// The first and last day of a year.
pub(crate) fn year_bounds(year: i32) -> Result<(NaiveDate, NaiveDate), StoreError> {
    match (NaiveDate::from_ymd_opt(year, 1, 1), NaiveDate::from_ymd_opt(year, 12, 31)) {
        (Some(first), Some(last)) => Ok((first, last)),
        _ => Err(StoreError::Invalid { what: "year", detail: format!("{year} is out of range") }),
    }
}

/// A stored year (BIGINT) back to the register's `i32`.
pub(crate) fn year_from(table: &'static str, v: i64) -> Result<i32, StoreError> {
    i32::try_from(v).map_err(|_| StoreError::Corrupt { table, column: "year", detail: format!("{v} is out of range") })
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongkai_core::register::{AgencyKind, ApplicantType, Channel};
    use gongkai_core::report::{CaseGroup, CaseResult};

    #[test]
    fn enum_names_are_the_glossary_names() {
        assert_eq!(enum_name(&AgencyKind::Government).unwrap(), "government");
        assert_eq!(enum_name(&Channel::InPerson).unwrap(), Channel::InPerson.name());
        assert_eq!(enum_name(&ApplicantType::PublicInterest).unwrap(), ApplicantType::PublicInterest.name());
        assert_eq!(enum_name(&CaseGroup::LitigationAfterReview).unwrap(), CaseGroup::LitigationAfterReview.name());
        assert_eq!(enum_name(&CaseResult::Corrected).unwrap(), CaseResult::Corrected.name());
        let k: AgencyKind = parse_enum("agencies", "kind", "township").unwrap();
        assert_eq!(k, AgencyKind::Township);
        assert!(matches!(
            parse_enum::<AgencyKind>("agencies", "kind", "ministry"),
            Err(StoreError::Corrupt { table: "agencies", column: "kind", .. })
        ));
    }

    #[test]
    fn dates_round_trip_as_iso_text() {
        let d = NaiveDate::from_ymd_opt(2024, 1, 5).unwrap();
        assert_eq!(date_text(d), "2024-01-05");
        assert_eq!(parse_date("t", "c", "2024-01-05").unwrap(), d);
        assert!(parse_date("t", "c", "2024/01/05").is_err());
        assert_eq!(
            year_bounds(2024).unwrap(),
            (NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(), NaiveDate::from_ymd_opt(2024, 12, 31).unwrap())
        );
    }
}
