//! What users type, checked once. The console's forms, the staff API, the command line and the
//! register workbook all build their records and then validate them here, so a rule about input
//! (a required text, a length, a date that has not happened yet) is written once and says the
//! same thing in every channel.
//!
//! The statutory rules of a request's course (which event may follow which, Arts. 30–33) are the
//! lifecycle's (`crate::lifecycle::apply`); these are the rules of the input itself.

use chrono::NaiveDate;

use crate::register::{Event, EventKind};

/// The most characters a free-text field takes (a note, a reason, a party, a document number).
pub const MAX_TEXT: usize = 2000;

/// The longest correction period an office may give (Art. 30 says "reasonable"; a year is the
/// outer bound of any period the Regulations set).
pub const MAX_CORRECTION_DAYS: u32 = 365;

/// The most requests in a month or pages a fee notice may count.
pub const MAX_FEE_UNITS: u32 = 100_000;

/// A field of the input that is wrong: its name (as the form, the CLI option and the workbook
/// column call it) and why, in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct InputError {
    /// The field's name (`note`, `on`, `period_days`, …).
    pub field: &'static str,
    /// What is wrong, in Chinese, naming the field's label.
    pub message: String,
}

impl InputError {
    /// An error of `field`.
    pub fn new(field: &'static str, message: impl Into<String>) -> InputError {
        InputError { field, message: message.into() }
    }
}

/// A text field trimmed and checked: required or not, at most [`MAX_TEXT`] characters, no
/// control characters (a NUL or an escape typed or pasted is refused, never stored). A string of
/// only invisible characters (spaces, zero-width spaces) counts as empty.
pub fn text(field: &'static str, label: &str, value: &str, required: bool) -> Result<String, InputError> {
    let v = value.trim();
    if required && v.chars().all(invisible) {
        return Err(InputError::new(field, format!("请填写{label}（{field}）")));
    }
    if v.chars().count() > MAX_TEXT {
        return Err(InputError::new(field, format!("{label}（{field}）不能超过 {MAX_TEXT} 个字符")));
    }
    if v.chars().any(char::is_control) {
        return Err(InputError::new(field, format!("{label}（{field}）不能含控制字符")));
    }
    Ok(v.to_string())
}

/// Characters that show nothing: white space and the zero-width and format characters.
fn invisible(c: char) -> bool {
    c.is_whitespace() || matches!(c, '\u{200B}'..='\u{200F}' | '\u{2060}'..='\u{2064}' | '\u{FEFF}' | '\u{00AD}')
}

/// A whole number from 1 to `max`.
pub fn count(field: &'static str, label: &str, value: u32, max: u32) -> Result<u32, InputError> {
    if (1..=max).contains(&value) {
        Ok(value)
    } else {
        Err(InputError::new(field, format!("{label}（{field}）须为 1 到 {max} 的整数")))
    }
}

impl Event {
    /// The event with its texts trimmed, checked as input on `today` (China's date): dated no
    /// later than tomorrow (an office records what happened; one day of slack for a clerk ahead
    /// of the server's midnight), every required text given, no text too long or with control
    /// characters, periods and counts within their bounds. Whether the event may follow the
    /// request's earlier ones is the lifecycle's question, asked after this one.
    pub fn validated(self, today: NaiveDate) -> Result<Event, InputError> {
        if self.on > today + chrono::Duration::days(1) {
            return Err(InputError::new("on", format!("日期 {} 在今天之后，不能预先登记", self.on)));
        }
        // Who recorded it: the console and the CLI always say; a workbook row may leave it blank.
        let by = text("by", "经办人", &self.by, false)?;
        let kind = match self.kind {
            EventKind::CorrectionNotice { note, period_days } => EventKind::CorrectionNotice {
                note: text("note", "补正内容", &note, true)?,
                period_days: count("period_days", "补正期限（天）", period_days, MAX_CORRECTION_DAYS)?,
            },
            EventKind::Extension { approver, reason } => EventKind::Extension {
                approver: text("approver", "批准人", &approver, true)?,
                reason: text("reason", "延期理由", &reason, true)?,
            },
            EventKind::ConsultationSent { party } => {
                EventKind::ConsultationSent { party: text("party", "征求意见对象", &party, true)? }
            }
            EventKind::FeeNotice { method, units, amount_yuan } => {
                EventKind::FeeNotice {
                    method, units: count("units", "件数或页数", units, MAX_FEE_UNITS)?, amount_yuan
                }
            }
            EventKind::Reply { outcome, document } => {
                let document = match document {
                    Some(d) => Some(text("document", "答复书文号", &d, false)?).filter(|d| !d.is_empty()),
                    None => None,
                };
                EventKind::Reply { outcome, document }
            }
            other @ (EventKind::CorrectionReceived
            | EventKind::ConsultationAnswered
            | EventKind::FeePaid
            | EventKind::Withdrawal) => other,
        };
        Ok(Event { on: self.on, by, kind })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap_or_default()
    }

    fn notice(note: &str, period_days: u32) -> Event {
        Event {
            on: day("2026-11-03"),
            by: " 张三 ".into(),
            kind: EventKind::CorrectionNotice { note: note.into(), period_days },
        }
    }

    #[test]
    fn texts_are_trimmed_and_checked() {
        let today = day("2026-11-27");
        let e = notice("  请补充申请内容的描述 ", 15).validated(today).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(e.by, "张三");
        assert!(matches!(e.kind, EventKind::CorrectionNotice { ref note, .. } if note == "请补充申请内容的描述"));
        for (note, days, field) in [
            ("", 15, "note"),
            ("\u{200B}\u{200B}", 15, "note"),
            ("补正\u{0}内容", 15, "note"),
            ("x", 0, "period_days"),
            ("x", 366, "period_days"),
        ] {
            assert_eq!(notice(note, days).validated(today).map_err(|e| e.field), Err(field), "{note:?} {days}");
        }
        let long = "长".repeat(MAX_TEXT + 1);
        let e = notice(&long, 15).validated(today).unwrap_err();
        assert!(e.message.contains("不能超过 2000 个字符"), "{e}");
    }

    #[test]
    fn an_event_is_not_recorded_ahead_of_time() {
        let e = Event { on: day("2026-11-29"), by: "张三".into(), kind: EventKind::Withdrawal };
        let err = e.clone().validated(day("2026-11-27")).unwrap_err();
        assert_eq!(err.field, "on");
        assert!(err.message.contains("在今天之后"), "{err}");
        assert!(e.validated(day("2026-11-28")).is_ok(), "tomorrow is within the slack");
    }
}
