//! The one clock of gongkai. "Today" is the date in China Standard Time (UTC+8, no daylight
//! saving) whatever the server's zone: a request received at 23:30 in Beijing is received that
//! day (Art. 31), and the statutory periods count from it (Art. 33). A UTC server would be a day
//! behind from 16:00 UTC.
//!
//! Every use case and page takes "today" from a [`Clock`]; tests fix it, so no test depends on
//! the day it runs.

use chrono::{DateTime, FixedOffset, NaiveDate, Offset, Utc};

/// China Standard Time, UTC+8.
pub fn china() -> FixedOffset {
    // 8 × 3600 s is within ±86,400 s, so the offset always exists; UTC is never reached.
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| Utc.fix())
}

/// Where "now" comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Clock {
    /// The machine's clock.
    #[default]
    System,
    /// A fixed instant (tests, and `--today` replays of the command line).
    Fixed(DateTime<Utc>),
}

impl Clock {
    /// A clock stopped at `at`.
    pub fn fixed(at: DateTime<Utc>) -> Clock {
        Clock::Fixed(at)
    }

    /// A clock stopped at `hh:mm` Beijing time on `day`; `None` for an invalid time.
    pub fn at_china(day: NaiveDate, hour: u32, minute: u32) -> Option<Clock> {
        let local = day.and_hms_opt(hour, minute, 0)?;
        let at = local.and_local_timezone(china()).single()?;
        Some(Clock::Fixed(at.with_timezone(&Utc)))
    }

    /// Now, in UTC (timestamps that are stored).
    pub fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::System => Utc::now(),
            Clock::Fixed(at) => *at,
        }
    }

    /// Now in China Standard Time.
    pub fn now_china(&self) -> DateTime<FixedOffset> {
        self.now().with_timezone(&china())
    }

    /// Today in China Standard Time: the business date of every use case.
    pub fn today(&self) -> NaiveDate {
        self.now_china().date_naive()
    }

    /// `today` when given (a command's `--today`), else this clock's today.
    pub fn today_or(&self, given: Option<NaiveDate>) -> NaiveDate {
        given.unwrap_or_else(|| self.today())
    }

    /// Now in China as `YYYY-MM-DD HH:MM` (the PubDate format of A3.2).
    pub fn now_china_minutes(&self) -> String {
        self.now_china().format("%Y-%m-%d %H:%M").to_string()
    }
}

/// A time stored in UTC (RFC 3339) as people read it: Beijing time, `YYYY-MM-DD HH:MM:SS`
/// (every time the site and the command line show). A value that is not RFC 3339 is shown as
/// stored.
pub fn china_text(stored: &str) -> String {
    DateTime::parse_from_rfc3339(stored)
        .map(|t| t.with_timezone(&china()).format("%Y-%m-%d %H:%M:%S").to_string())
        .unwrap_or_else(|_| stored.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_past_eleven_in_beijing_on_a_utc_clock_is_still_that_day() {
        // 2026-12-06 23:30 Beijing = 15:30 UTC the same day; 00:30 Beijing the next day = 16:30 UTC.
        let late = Clock::fixed("2026-12-06T15:30:00Z".parse().unwrap_or_default());
        assert_eq!(late.today(), NaiveDate::from_ymd_opt(2026, 12, 6).unwrap_or_default());
        let after_midnight = Clock::fixed("2026-12-06T16:30:00Z".parse().unwrap_or_default());
        assert_eq!(after_midnight.today(), NaiveDate::from_ymd_opt(2026, 12, 7).unwrap_or_default());
    }

    #[test]
    fn stored_times_are_shown_in_beijing_time() {
        assert_eq!(china_text("2026-12-06T16:30:00Z"), "2026-12-07 00:30:00");
        assert_eq!(china_text("2026-12-06T16:30:00.123456+00:00"), "2026-12-07 00:30:00");
        assert_eq!(china_text("昨天"), "昨天");
    }

    #[test]
    fn at_china_round_trips() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 27).unwrap_or_default();
        let c = Clock::at_china(day, 23, 59).unwrap_or_default();
        assert_eq!(c.today(), day);
        assert_eq!(c.now_china_minutes(), "2026-11-27 23:59");
        assert_eq!(c.today_or(None), day);
        let other = NaiveDate::from_ymd_opt(2024, 1, 2).unwrap_or_default();
        assert_eq!(c.today_or(Some(other)), other);
    }
}
