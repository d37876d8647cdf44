//! The working-day calendar (工作日历): which days count as 工作日 for the statutory clock.
//!
//! A working day is Monday–Friday, except the official holidays, plus the weekend days that the
//! State Council's yearly notice (《国务院办公厅关于YYYY年部分节假日安排的通知》) declares working
//! days (调休上班). The rules are in the shared spec (clock-and-fees.md, "Working days").
//!
//! # Data
//! The built-in schedules cover every published year from 2004 through 2026 (`calendar/data.json`,
//! one notice per year, embedded at build time). They are carried as data, not code, so that a new
//! year is a data change and so that an administrator can load a newer notice at run time with
//! [`Calendar::load_year`] without rebuilding. Provenance of the built-in data:
//! - 2004–2018: transcribed from `zier-one/chinese_holiday_rs` `src/constants.rs` (whose comments
//!   quote each notice), cross-checked date by date against `NateScarlet/holiday-cn` (2007–2018;
//!   that repository starts in 2007). Where the two disagree the notice text decides; the year's
//!   `note` says what was corrected (2007, 2015, 2016, 2017).
//! - 2019–2026: spec-notes §6.2–§6.3 (from the gov.cn notices via holiday-cn), cross-checked
//!   against the crate for 2019–2025.
//! - A sanity check holds for every year: off weekdays − working weekend days equals the number of
//!   statutory holiday days of that year's rules (10 before 2008, 11 from 2008, 13 from 2025; 12 in
//!   2015 with the 70th-anniversary day, 13 in 2020 with the Spring Festival extension). A unit test
//!   checks it.
//!
//! We do not depend on the `chinese_holiday` crate: it panics for dates after 2026-12-25 (shared
//! notes, dependencies §5), it cannot be extended at run time, and its table has two errors that
//! matter here (see the 2016 and 2017 notes).
//!
//! # Years without a notice (估算)
//! For a year with no schedule (2027 until its notice is loaded, any year before 2004) the calendar
//! falls back to Monday–Friday minus the fixed-date statutory holidays (元旦 1 Jan; 劳动节 1 May,
//! and 2 May from 2025 under the 2024 revision of 《全国年节及纪念日放假办法》; 国庆节 1–3 Oct).
//! Lunar holidays (春节, 清明, 端午, 中秋) and 调休 cannot be known in advance, so every such day is
//! flagged `estimated`. The last week of December (25–31) is also flagged `estimated` when the next
//! year's notice is missing, because a notice can move New Year days into the previous December
//! (the 2019 notice made 2018-12-29 a working Saturday and 2018-12-31 a holiday).
//!
//! # The schedule file format ([`Calendar::load_year`])
//! One JSON object per year, the shape of holiday-cn's `YYYY.json` (those files load unchanged):
//! ```json
//! {
//!   "year": 2027,
//!   "source": "国务院办公厅关于2027年部分节假日安排的通知",
//!   "papers": ["https://www.gov.cn/zhengce/…"],
//!   "note": "optional free text",
//!   "days": [
//!     {"date": "2027-01-01", "off": true, "name": "元旦"},
//!     {"date": "2027-02-06", "off": false, "name": "春节"}
//!   ]
//! }
//! ```
//! - `year`: the year of the notice (1000–9999).
//! - `source` (notice title, document number) and/or `papers` (URLs): at least one is required,
//!   so that the schedule in use can always be traced to its notice.
//! - `days`: every day the notice changes, in any order, no date twice, at least one entry.
//!   `off: true` = 放假 (the day is not worked, weekend days inside the break may be listed too);
//!   `off: false` = 调休上班 (a Saturday or Sunday that is worked; a weekday here is rejected as a
//!   likely typo). holiday-cn's `isOffDay` is accepted for `off`. `name` is the holiday (元旦, 春节…).
//!   Dates lie in `year`, or in December of the year before (New Year arrangements).
//! - Unknown keys (holiday-cn's `$schema`, `$id`) are ignored.
//!
//! Loading a year replaces any schedule already held for that year. When two notices list the same
//! date, the notice for the later year wins (it was published later).

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate, Weekday};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The built-in schedules, 2004–2026: a JSON array of year objects in the
/// [`Calendar::load_year`] format.
const OFFICIAL_DATA: &str = include_str!("data.json");

/// Most working days [`Calendar::add_working_days`] will count in one call (about 40 years).
pub const MAX_WORKING_DAYS: u32 = 10_000;

/// Most consecutive non-working days tolerated before [`Calendar::add_working_days`] gives up
/// (only a broken loaded schedule can reach it).
pub const MAX_NON_WORKING_RUN: u32 = 366;

/// What kind of day a date is (日期类型).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum DayKind {
    /// 工作日: an ordinary Monday–Friday.
    Workday,
    /// 休息日 (公休日): an ordinary Saturday or Sunday.
    Weekend,
    /// 法定节假日 / 放假: a day off under a holiday notice (or, when estimated, a fixed-date
    /// statutory holiday). Includes weekend days inside the break.
    Holiday {
        /// The holiday, as the notice names it (元旦, 春节, 国庆节、中秋节…).
        name: String,
    },
    /// 调休上班: a Saturday or Sunday that the notice makes a working day.
    AdjustedWorkday {
        /// The holiday this working day compensates for.
        name: String,
    },
}

impl DayKind {
    /// Short description, e.g. `调休上班（春节）`.
    pub fn describe(&self) -> String {
        match self {
            DayKind::Workday => "工作日".to_string(),
            DayKind::Weekend => "休息日".to_string(),
            DayKind::Holiday { name } => format!("{name}假期"),
            DayKind::AdjustedWorkday { name } => {
                format!("调休上班（{name}）")
            }
        }
    }
}

/// One date as the calendar sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct DayInfo {
    /// The date.
    pub date: NaiveDate,
    /// Whether the date is a working day (工作日) for the statutory clock.
    pub working: bool,
    /// Why.
    pub kind: DayKind,
    /// True when no official schedule decides this date (估算, see the module docs).
    pub estimated: bool,
}

/// One day walked by [`Calendar::add_working_days`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct TrailDay {
    /// The day.
    pub day: DayInfo,
    /// For a counted working day: its ordinal (1 = the first working day after the start).
    pub ordinal: Option<u32>,
}

/// The result of [`Calendar::add_working_days`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct WorkingDays {
    /// The last counted working day (the start date itself when `n` is 0).
    pub end: NaiveDate,
    /// True when any walked day was estimated.
    pub estimated: bool,
    /// Every day after the start through `end`, counted or skipped.
    pub trail: Vec<TrailDay>,
}

/// Where a year's schedule came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScheduleOrigin {
    /// Built into this version of gongkai.
    BuiltIn,
    /// Loaded at run time by an administrator ([`Calendar::load_year`]).
    Loaded,
}

/// One day a notice changes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct SpecialDay {
    /// The date.
    pub date: NaiveDate,
    /// 放假 (true) or 调休上班 (false).
    pub off: bool,
    /// The holiday's name as the notice gives it.
    pub name: String,
}

/// A run of consecutive days off under one holiday name (for display).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct HolidayRange {
    /// The holiday.
    pub name: String,
    /// First day off.
    pub from: NaiveDate,
    /// Last day off (inclusive).
    pub to: NaiveDate,
    /// Number of calendar days in the run.
    pub days: u32,
}

/// A weekend day worked (调休上班), for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct AdjustedWorkday {
    /// The Saturday or Sunday worked.
    pub date: NaiveDate,
    /// The holiday it compensates for.
    pub name: String,
}

/// One year's holiday arrangement, for `gongkai calendar show YEAR`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct YearSchedule {
    /// The year.
    pub year: i32,
    /// True when no notice is held for the year and the fixed-date estimate is shown.
    pub estimated: bool,
    /// Built-in or loaded (`None` when estimated).
    pub origin: Option<ScheduleOrigin>,
    /// The notice (title, document number), when known.
    pub source: Option<String>,
    /// Addresses of the notice(s).
    pub papers: Vec<String>,
    /// Remarks on the data (corrections, later amendments) or on the estimate.
    pub note: Option<String>,
    /// The breaks (放假), in date order.
    pub holidays: Vec<HolidayRange>,
    /// The weekend days worked (调休上班), in date order.
    pub adjusted_workdays: Vec<AdjustedWorkday>,
}

/// Errors from loading a schedule or from counting.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// The text is not JSON at all.
    #[error("节假日安排数据不是有效的 JSON：第{line}行第{column}列：{message}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// serde_json's message.
        message: String,
    },
    /// A field is missing or wrong. `location` names it: `year`, `days[3].date`, …
    #[error("{location}：{message}")]
    Invalid {
        /// The field, as a JSON path (`days[3].date`; entries numbered from 0).
        location: String,
        /// What is wrong, in Chinese and English.
        message: String,
    },
    /// Counting would run past the last date the calendar can represent.
    #[error("从 {from} 起计算超出可表示的日期范围")]
    DateOutOfRange {
        /// The start of the count.
        from: NaiveDate,
    },
    /// More working days asked for than [`MAX_WORKING_DAYS`].
    #[error("一次最多计算 {max} 个工作日，请求了 {n} 个")]
    TooManyWorkingDays {
        /// Requested.
        n: u32,
        /// The limit.
        max: u32,
    },
    /// No working day within [`MAX_NON_WORKING_RUN`] days: the loaded schedule must be wrong.
    #[error("{from} 之后连续 {days} 天没有工作日，请检查已加载的节假日安排")]
    NoWorkingDay {
        /// The last working day (or start) before the run.
        from: NaiveDate,
        /// Length of the run.
        days: u32,
    },
}

/// One notice as held by the calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Schedule {
    year: i32,
    source: Option<String>,
    papers: Vec<String>,
    note: Option<String>,
    days: Vec<SpecialDay>,
    origin: ScheduleOrigin,
}

/// The working-day calendar: official schedules by year, with an estimate for other years.
///
/// Pure: no I/O, no clock. Cheap to clone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Calendar {
    /// Notices by year.
    schedules: BTreeMap<i32, Schedule>,
    /// Every listed date → (off, name), merged over all notices (later notice wins).
    index: BTreeMap<NaiveDate, (bool, String)>,
    /// Dense classification of every date from 1 January of the year before the first
    /// schedule through 31 December of the last one (see [`Dense`]); derived from the above.
    dense: Dense,
}

/// A day-by-day table of [`Calendar::day`]'s answer for the years around the schedules held,
/// so that the clock's walks need no map lookup. One byte per date: bits 0–1 the kind
/// ([`Dense::WORKDAY`] … [`Dense::FIXED`]), bit 2 working, bit 3 estimated.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Dense {
    /// The date of `days[0]`, as days from the common era (`num_days_from_ce`).
    first: Option<i32>,
    days: Vec<u8>,
}

impl Dense {
    const WORKDAY: u8 = 0;
    const WEEKEND: u8 = 1;
    /// Listed in a notice: the name (and kind) is in the index.
    const LISTED: u8 = 2;
    /// A fixed-date statutory holiday of an estimated year.
    const FIXED: u8 = 3;
    const WORKING: u8 = 4;
    const ESTIMATED: u8 = 8;

    fn get(&self, date: NaiveDate) -> Option<u8> {
        let first = self.first?;
        let offset = usize::try_from(date.num_days_from_ce().checked_sub(first)?).ok()?;
        self.days.get(offset).copied()
    }
}

impl Default for Calendar {
    fn default() -> Self {
        Calendar::official()
    }
}

impl Calendar {
    /// A calendar with no official schedule at all: every date is estimated.
    pub fn empty() -> Calendar {
        Calendar { schedules: BTreeMap::new(), index: BTreeMap::new(), dense: Dense::default() }
    }

    /// The built-in official schedules, 2004–2026.
    #[allow(clippy::expect_used)] // Build-time data, validated by `official_data_is_valid`.
    pub fn official() -> Calendar {
        static OFFICIAL: OnceLock<Calendar> = OnceLock::new();
        OFFICIAL
            .get_or_init(|| {
                // The data is embedded at build time and validated by the unit test
                // `official_data_is_valid`; it cannot fail at run time.
                Calendar::from_builtin(OFFICIAL_DATA).expect("built-in calendar data is valid")
            })
            .clone()
    }

    fn from_builtin(text: &str) -> Result<Calendar, CalendarError> {
        let value: Value = parse_json(text)?;
        let Value::Array(years) = value else {
            return Err(invalid("$", "应为数组"));
        };
        let mut cal = Calendar::empty();
        for (i, year) in years.iter().enumerate() {
            let schedule = parse_year(year, &format!("[{i}]."), ScheduleOrigin::BuiltIn)?;
            if cal.schedules.contains_key(&schedule.year) {
                return Err(invalid(&format!("[{i}].year"), "重复的年份"));
            }
            cal.schedules.insert(schedule.year, schedule);
        }
        cal.rebuild_index();
        Ok(cal)
    }

    /// Loads (or replaces) one year's schedule from the documented JSON format (module docs).
    ///
    /// On error the calendar is unchanged and the error names the entry and field.
    pub fn load_year(&mut self, text: &str) -> Result<i32, CalendarError> {
        let value = parse_json(text)?;
        let schedule = parse_year(&value, "", ScheduleOrigin::Loaded)?;
        let year = schedule.year;
        self.schedules.insert(year, schedule);
        self.rebuild_index();
        Ok(year)
    }

    /// The years for which an official schedule is held, ascending.
    pub fn years(&self) -> Vec<i32> {
        self.schedules.keys().copied().collect()
    }

    /// Whether an official schedule is held for `year`.
    pub fn has_year(&self, year: i32) -> bool {
        self.schedules.contains_key(&year)
    }

    fn rebuild_index(&mut self) {
        self.index.clear();
        // Ascending years: a later notice overwrites an earlier one for the same date.
        for schedule in self.schedules.values() {
            for d in &schedule.days {
                self.index.insert(d.date, (d.off, d.name.clone()));
            }
        }
        self.dense = Dense::default();
        let (Some(&first_year), Some(&last_year)) = (self.schedules.keys().next(), self.schedules.keys().next_back())
        else {
            return;
        };
        let (Some(first), Some(last)) = (
            first_year.checked_sub(1).and_then(|y| NaiveDate::from_ymd_opt(y, 1, 1)),
            NaiveDate::from_ymd_opt(last_year, 12, 31),
        ) else {
            return;
        };
        let mut days = Vec::new();
        let mut date = first;
        loop {
            let info = self.day_slow(date);
            let kind = if self.index.contains_key(&date) {
                Dense::LISTED
            } else {
                match info.kind {
                    DayKind::Workday => Dense::WORKDAY,
                    DayKind::Weekend => Dense::WEEKEND,
                    _ => Dense::FIXED,
                }
            };
            let mut byte = kind;
            if info.working {
                byte |= Dense::WORKING;
            }
            if info.estimated {
                byte |= Dense::ESTIMATED;
            }
            days.push(byte);
            match date.succ_opt() {
                Some(next) if date < last => date = next,
                _ => break,
            }
        }
        self.dense = Dense { first: Some(first.num_days_from_ce()), days };
    }

    /// Whether `date` is a working day and whether that is an estimate, without building a
    /// [`DayInfo`]: the same answer as [`Calendar::day`], for the clock's walks.
    pub fn working_and_estimated(&self, date: NaiveDate) -> (bool, bool) {
        match self.dense.get(date) {
            Some(byte) => (byte & Dense::WORKING != 0, byte & Dense::ESTIMATED != 0),
            None => {
                let info = self.day_slow(date);
                (info.working, info.estimated)
            }
        }
    }

    /// Classifies one date. Never panics, for any `NaiveDate`.
    pub fn day(&self, date: NaiveDate) -> DayInfo {
        let Some(byte) = self.dense.get(date) else {
            return self.day_slow(date);
        };
        let kind = match byte & 3 {
            Dense::WORKDAY => DayKind::Workday,
            Dense::WEEKEND => DayKind::Weekend,
            Dense::FIXED => match fixed_holiday(date) {
                Some(name) => DayKind::Holiday { name: name.to_string() },
                None => return self.day_slow(date),
            },
            _ => return self.day_slow(date),
        };
        DayInfo { date, working: byte & Dense::WORKING != 0, kind, estimated: byte & Dense::ESTIMATED != 0 }
    }

    /// [`Calendar::day`] from the schedules themselves (the dense table is built from it).
    fn day_slow(&self, date: NaiveDate) -> DayInfo {
        if let Some((off, name)) = self.index.get(&date) {
            let kind = if *off {
                DayKind::Holiday { name: name.clone() }
            } else {
                DayKind::AdjustedWorkday { name: name.clone() }
            };
            return DayInfo { date, working: !*off, kind, estimated: false };
        }
        let year = date.year();
        if self.schedules.contains_key(&year) {
            let kind = weekday_kind(date);
            let estimated = date.month() == 12
                && date.day() >= 25
                && year.checked_add(1).is_none_or(|next| !self.schedules.contains_key(&next));
            return DayInfo { date, working: kind == DayKind::Workday, kind, estimated };
        }
        let kind = match fixed_holiday(date) {
            Some(name) => DayKind::Holiday { name: name.to_string() },
            None => weekday_kind(date),
        };
        DayInfo { date, working: kind == DayKind::Workday, kind, estimated: true }
    }

    /// Whether `date` is a working day (工作日).
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        self.working_and_estimated(date).0
    }

    /// Counts `n` working days after `from`: `from` itself is not counted, the day after it is
    /// the first candidate (the civil-law rule that the first day is not counted, spec
    /// "The reply deadline"). Returns the n-th working day and the day-by-day trail.
    pub fn add_working_days(&self, from: NaiveDate, n: u32) -> Result<WorkingDays, CalendarError> {
        if n > MAX_WORKING_DAYS {
            return Err(CalendarError::TooManyWorkingDays { n, max: MAX_WORKING_DAYS });
        }
        let mut trail = Vec::new();
        let (end, estimated) = self.walk_working_days(from, n, Some(&mut trail))?;
        Ok(WorkingDays { end, estimated, trail })
    }

    /// The `n`-th working day after `from`, as [`Calendar::add_working_days`] counts it, without
    /// the trail.
    pub fn nth_working_day_after(&self, from: NaiveDate, n: u32) -> Result<NaiveDate, CalendarError> {
        if n > MAX_WORKING_DAYS {
            return Err(CalendarError::TooManyWorkingDays { n, max: MAX_WORKING_DAYS });
        }
        Ok(self.walk_working_days(from, n, None)?.0)
    }

    /// The walk of [`Calendar::add_working_days`]: the end date and whether any day walked was
    /// estimated; records each day in `trail` when given.
    fn walk_working_days(
        &self,
        from: NaiveDate,
        n: u32,
        mut trail: Option<&mut Vec<TrailDay>>,
    ) -> Result<(NaiveDate, bool), CalendarError> {
        let mut estimated = false;
        let mut date = from;
        let mut counted = 0u32;
        let mut run = 0u32;
        while counted < n {
            date = date.succ_opt().ok_or(CalendarError::DateOutOfRange { from })?;
            let (working, day_estimated) = self.working_and_estimated(date);
            estimated |= day_estimated;
            if working {
                counted += 1;
                run = 0;
                if let Some(trail) = trail.as_deref_mut() {
                    trail.push(TrailDay { day: self.day(date), ordinal: Some(counted) });
                }
            } else {
                run += 1;
                if run >= MAX_NON_WORKING_RUN {
                    let last = date.checked_sub_days(chrono::Days::new(u64::from(run))).unwrap_or(from);
                    return Err(CalendarError::NoWorkingDay { from: last, days: run });
                }
                if let Some(trail) = trail.as_deref_mut() {
                    trail.push(TrailDay { day: self.day(date), ordinal: None });
                }
            }
        }
        Ok((date, estimated))
    }

    /// The holiday arrangement of one year: the notice's breaks and 调休 days, or the fixed-date
    /// estimate when no notice is held.
    pub fn year_schedule(&self, year: i32) -> YearSchedule {
        if let Some(s) = self.schedules.get(&year) {
            let mut days = s.days.clone();
            days.sort_by_key(|d| d.date);
            let mut holidays: Vec<HolidayRange> = Vec::new();
            let mut adjusted_workdays = Vec::new();
            for d in days {
                if !d.off {
                    adjusted_workdays.push(AdjustedWorkday { date: d.date, name: d.name });
                    continue;
                }
                if let Some(last) = holidays.last_mut() {
                    if last.name == d.name && last.to.succ_opt() == Some(d.date) {
                        last.to = d.date;
                        last.days += 1;
                        continue;
                    }
                }
                holidays.push(HolidayRange { name: d.name, from: d.date, to: d.date, days: 1 });
            }
            return YearSchedule {
                year,
                estimated: false,
                origin: Some(s.origin),
                source: s.source.clone(),
                papers: s.papers.clone(),
                note: s.note.clone(),
                holidays,
                adjusted_workdays,
            };
        }
        let mut holidays = Vec::new();
        for (month, first, last, name) in fixed_holidays(year) {
            let (Some(from), Some(to)) =
                (NaiveDate::from_ymd_opt(year, month, first), NaiveDate::from_ymd_opt(year, month, last))
            else {
                continue;
            };
            holidays.push(HolidayRange { name: name.to_string(), from, to, days: last - first + 1 });
        }
        YearSchedule {
            year,
            estimated: true,
            origin: None,
            source: None,
            papers: Vec::new(),
            note: Some(format!(
                "{year}年的节假日安排通知尚未加载：按周一至周五计算，仅扣除固定日期的法定节假日，\
                 春节等农历节日和调休未知，结果为估算"
            )),
            holidays,
            adjusted_workdays: Vec::new(),
        }
    }
}

/// Saturday/Sunday → weekend, otherwise workday.
fn weekday_kind(date: NaiveDate) -> DayKind {
    match date.weekday() {
        Weekday::Sat | Weekday::Sun => DayKind::Weekend,
        _ => DayKind::Workday,
    }
}

/// The fixed-date statutory holidays used for estimated years: (month, first day, last day,
/// name). 劳动节 has two days from 2025 (《全国年节及纪念日放假办法》, 2024 revision).
fn fixed_holidays(year: i32) -> [(u32, u32, u32, &'static str); 3] {
    let labour_last = if year >= 2025 { 2 } else { 1 };
    [(1, 1, 1, "元旦"), (5, 1, labour_last, "劳动节"), (10, 1, 3, "国庆节")]
}

fn fixed_holiday(date: NaiveDate) -> Option<&'static str> {
    let (m, d) = (date.month(), date.day());
    fixed_holidays(date.year())
        .into_iter()
        .find(|(month, first, last, _)| *month == m && (*first..=*last).contains(&d))
        .map(|(_, _, _, name)| name)
}

/// The Chinese short weekday name (周一…周日).
pub fn weekday_zh(date: NaiveDate) -> &'static str {
    match date.weekday() {
        Weekday::Mon => "周一",
        Weekday::Tue => "周二",
        Weekday::Wed => "周三",
        Weekday::Thu => "周四",
        Weekday::Fri => "周五",
        Weekday::Sat => "周六",
        Weekday::Sun => "周日",
    }
}

impl fmt::Display for DayInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} {}", self.date, weekday_zh(self.date), self.kind.describe())?;
        if self.estimated {
            f.write_str("（估算 estimated）")?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Parsing the schedule format.

fn invalid(location: &str, message: impl Into<String>) -> CalendarError {
    CalendarError::Invalid { location: location.to_string(), message: message.into() }
}

fn parse_json(text: &str) -> Result<Value, CalendarError> {
    serde_json::from_str(text).map_err(|e| CalendarError::Json {
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })
}

fn describe_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "布尔值 boolean",
        Value::Number(_) => "数字 number",
        Value::String(_) => "字符串 string",
        Value::Array(_) => "数组 array",
        Value::Object(_) => "对象 object",
    }
}

fn optional_string(obj: &Map<String, Value>, key: &str, prefix: &str) -> Result<Option<String>, CalendarError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
        Some(other) => Err(invalid(&format!("{prefix}{key}"), format!("应为字符串，实为{}", describe_type(other)))),
    }
}

fn parse_year(value: &Value, prefix: &str, origin: ScheduleOrigin) -> Result<Schedule, CalendarError> {
    let Value::Object(obj) = value else {
        return Err(invalid(
            if prefix.is_empty() { "$" } else { prefix.trim_end_matches('.') },
            format!("应为对象，实为{}", describe_type(value)),
        ));
    };
    let year_loc = format!("{prefix}year");
    let year = match obj.get("year") {
        None => return Err(invalid(&year_loc, "缺少年份")),
        Some(Value::Number(n)) => match n.as_i64() {
            Some(y) if (1000..=9999).contains(&y) => y as i32,
            _ => return Err(invalid(&year_loc, format!("{n} 不是1000至9999之间的年份"))),
        },
        Some(other) => return Err(invalid(&year_loc, format!("应为整数年份，实为{}", describe_type(other)))),
    };
    let source = optional_string(obj, "source", prefix)?;
    let note = optional_string(obj, "note", prefix)?;
    let papers_loc = format!("{prefix}papers");
    let papers = match obj.get("papers") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => {
            let mut papers = Vec::new();
            for (i, item) in items.iter().enumerate() {
                match item {
                    Value::String(s) if !s.trim().is_empty() => papers.push(s.trim().to_string()),
                    Value::String(_) => {}
                    other => {
                        return Err(invalid(
                            &format!("{papers_loc}[{i}]"),
                            format!("应为字符串，实为{}", describe_type(other)),
                        ))
                    }
                }
            }
            papers
        }
        Some(other) => return Err(invalid(&papers_loc, format!("应为字符串数组，实为{}", describe_type(other)))),
    };
    if source.is_none() && papers.is_empty() {
        return Err(invalid(&format!("{prefix}source"), "请注明通知出处（source 或 papers）"));
    }
    let days_loc = format!("{prefix}days");
    let entries = match obj.get("days") {
        None => return Err(invalid(&days_loc, "缺少 days")),
        Some(Value::Array(entries)) => entries,
        Some(other) => return Err(invalid(&days_loc, format!("应为数组，实为{}", describe_type(other)))),
    };
    if entries.is_empty() {
        return Err(invalid(&days_loc, format!("没有任何日期：{year}年的通知可能尚未发布或文件不完整")));
    }
    let mut days: Vec<SpecialDay> = Vec::with_capacity(entries.len());
    let mut seen: BTreeMap<NaiveDate, usize> = BTreeMap::new();
    for (i, entry) in entries.iter().enumerate() {
        let loc = format!("{days_loc}[{i}]");
        let day = parse_day(entry, &loc, year)?;
        if let Some(first) = seen.insert(day.date, i) {
            return Err(invalid(&format!("{loc}.date"), format!("{} 与 days[{first}] 重复", day.date)));
        }
        days.push(day);
    }
    days.sort_by_key(|d| d.date);
    Ok(Schedule { year, source, papers, note, days, origin })
}

fn parse_day(entry: &Value, loc: &str, year: i32) -> Result<SpecialDay, CalendarError> {
    let Value::Object(obj) = entry else {
        return Err(invalid(loc, format!("应为对象，实为{}", describe_type(entry))));
    };
    let date_loc = format!("{loc}.date");
    let date = match obj.get("date") {
        None => return Err(invalid(&date_loc, "缺少日期")),
        Some(Value::String(s)) => NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
            .map_err(|_| invalid(&date_loc, format!("「{s}」不是有效日期，应为 YYYY-MM-DD")))?,
        Some(other) => return Err(invalid(&date_loc, format!("应为 YYYY-MM-DD 字符串，实为{}", describe_type(other)))),
    };
    let in_range = date.year() == year || (date.year() == year - 1 && date.month() == 12);
    if !in_range {
        return Err(invalid(&date_loc, format!("{date} 不在{year}年（或上年12月）内")));
    }
    let (off_key, off_value) = match (obj.get("off"), obj.get("isOffDay")) {
        (Some(v), _) => ("off", v),
        (None, Some(v)) => ("isOffDay", v),
        (None, None) => return Err(invalid(&format!("{loc}.off"), "缺少 off（放假为 true，调休上班为 false）")),
    };
    let off = match off_value {
        Value::Bool(b) => *b,
        other => {
            return Err(invalid(
                &format!("{loc}.{off_key}"),
                format!("应为 true 或 false，实为{}", describe_type(other)),
            ))
        }
    };
    let name_loc = format!("{loc}.name");
    let name = match obj.get("name") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_string(),
        Some(Value::String(_)) | None => return Err(invalid(&name_loc, "缺少节日名称")),
        Some(other) => return Err(invalid(&name_loc, format!("应为字符串，实为{}", describe_type(other)))),
    };
    if !off && weekday_kind(date) == DayKind::Workday {
        return Err(invalid(
            &format!("{loc}.{off_key}"),
            format!("{date} 是{}，调休上班日只能是周六或周日，请检查日期", weekday_zh(date)),
        ));
    }
    Ok(SpecialDay { date, off, name })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn official_data_is_valid() {
        let cal = Calendar::from_builtin(OFFICIAL_DATA).unwrap();
        assert_eq!(cal.years(), (2004..=2026).collect::<Vec<_>>());
        assert_eq!(cal.index.len(), 795);
        for s in cal.schedules.values() {
            assert!(s.source.is_some(), "{} has a source", s.year);
            assert_eq!(s.origin, ScheduleOrigin::BuiltIn);
        }
    }

    /// off weekdays − worked weekend days = the statutory holiday days of the year's rules:
    /// 10 (2004–2007: 元旦1 春节3 劳动3 国庆3), 11 (2008–2024: 元旦1 春节3 清明1 劳动1 端午1 中秋1
    /// 国庆3), 13 (from 2025: 春节4 劳动2); 2015 +1 (70th anniversary), 2020 +2 (extension).
    #[test]
    fn official_data_balances_per_notice() {
        let cal = Calendar::official();
        for s in cal.schedules.values() {
            let off_weekdays =
                s.days.iter().filter(|x| x.off && weekday_kind(x.date) == DayKind::Workday).count() as i64;
            let worked_weekends = s.days.iter().filter(|x| !x.off).count() as i64;
            let expected = match s.year {
                ..=2007 => 10,
                2015 => 12,
                2020 => 13,
                2008..=2024 => 11,
                _ => 13,
            };
            assert_eq!(off_weekdays - worked_weekends, expected, "year {}", s.year);
        }
    }

    #[test]
    fn no_date_listed_by_two_notices() {
        let cal = Calendar::official();
        let total: usize = cal.schedules.values().map(|s| s.days.len()).sum();
        assert_eq!(total, cal.index.len());
    }

    #[test]
    fn classifies_2026_days() {
        let cal = Calendar::official();
        let sat = cal.day(d(2026, 2, 14));
        assert!(sat.working && !sat.estimated);
        assert_eq!(sat.kind, DayKind::AdjustedWorkday { name: "春节".into() });
        let mon = cal.day(d(2026, 2, 16));
        assert!(!mon.working);
        assert_eq!(mon.kind, DayKind::Holiday { name: "春节".into() });
        assert_eq!(cal.day(d(2026, 3, 2)).kind, DayKind::Workday);
        assert_eq!(cal.day(d(2026, 3, 7)).kind, DayKind::Weekend);
        assert!(cal.day(d(2026, 10, 10)).working);
        assert!(!cal.day(d(2026, 10, 7)).working);
    }

    #[test]
    fn corrections_to_the_crate_data_hold() {
        let cal = Calendar::official();
        // 2016-12-30 (Friday) was a working day; the crate lists it as a holiday.
        assert!(cal.is_working_day(d(2016, 12, 30)));
        // 2016-10-09 (Sunday) was worked; the crate omits it.
        assert!(cal.is_working_day(d(2016, 10, 9)));
        // 2007-02-17 and 02-25 were worked; holiday-cn omits them.
        assert!(cal.is_working_day(d(2007, 2, 17)));
        assert!(cal.is_working_day(d(2007, 2, 25)));
        // 2015-09-03 (Thursday): the 70th-anniversary holiday.
        assert!(!cal.is_working_day(d(2015, 9, 3)));
        assert!(cal.is_working_day(d(2015, 9, 6)));
    }

    #[test]
    fn unpublished_year_is_estimated() {
        let cal = Calendar::official();
        let jan1 = cal.day(d(2027, 1, 1));
        assert!(!jan1.working && jan1.estimated);
        assert_eq!(jan1.kind, DayKind::Holiday { name: "元旦".into() });
        let may2 = cal.day(d(2027, 5, 2));
        assert_eq!(may2.kind, DayKind::Holiday { name: "劳动节".into() });
        let tue = cal.day(d(2027, 1, 5));
        assert!(tue.working && tue.estimated);
        // Late December of the last published year: the next notice may still move days.
        assert!(cal.day(d(2026, 12, 28)).estimated);
        assert!(!cal.day(d(2026, 12, 24)).estimated);
        assert!(!cal.day(d(2025, 12, 29)).estimated);
        // Before 2004.
        assert!(cal.day(d(2003, 6, 2)).estimated);
    }

    #[test]
    fn extreme_dates_do_not_panic() {
        let cal = Calendar::official();
        for date in [NaiveDate::MIN, NaiveDate::MAX, d(1, 1, 1), d(9999, 12, 31)] {
            let _ = cal.day(date);
            let _ = cal.year_schedule(date.year());
        }
        assert_eq!(
            cal.add_working_days(NaiveDate::MAX, 1),
            Err(CalendarError::DateOutOfRange { from: NaiveDate::MAX })
        );
        assert!(cal.add_working_days(d(9999, 12, 1), 20).is_ok());
        assert!(matches!(
            cal.add_working_days(d(2026, 1, 1), MAX_WORKING_DAYS + 1),
            Err(CalendarError::TooManyWorkingDays { .. })
        ));
    }

    #[test]
    fn add_working_days_does_not_count_the_first_day() {
        let cal = Calendar::official();
        let r = cal.add_working_days(d(2026, 3, 2), 1).unwrap();
        assert_eq!(r.end, d(2026, 3, 3));
        assert_eq!(r.trail.len(), 1);
        let r = cal.add_working_days(d(2026, 3, 6), 1).unwrap(); // Friday
        assert_eq!(r.end, d(2026, 3, 9));
        assert_eq!(r.trail.len(), 3);
        assert_eq!(r.trail[0].ordinal, None);
        assert_eq!(r.trail[2].ordinal, Some(1));
        let r = cal.add_working_days(d(2026, 3, 2), 0).unwrap();
        assert_eq!(r.end, d(2026, 3, 2));
        assert!(r.trail.is_empty());
    }

    #[test]
    fn year_schedule_groups_breaks() {
        let cal = Calendar::official();
        let s = cal.year_schedule(2026);
        assert!(!s.estimated);
        assert_eq!(s.origin, Some(ScheduleOrigin::BuiltIn));
        let spring = s.holidays.iter().find(|h| h.name == "春节").unwrap();
        assert_eq!((spring.from, spring.to, spring.days), (d(2026, 2, 15), d(2026, 2, 23), 9));
        let worked: Vec<_> = s.adjusted_workdays.iter().map(|a| a.date).collect();
        assert_eq!(
            worked,
            vec![d(2026, 1, 4), d(2026, 2, 14), d(2026, 2, 28), d(2026, 5, 9), d(2026, 9, 20), d(2026, 10, 10)]
        );
        let e = cal.year_schedule(2027);
        assert!(e.estimated && e.origin.is_none() && e.note.is_some());
        assert_eq!(e.holidays.len(), 3);
        assert_eq!(e.holidays[2].days, 3);
    }

    const Y2027: &str = r#"{"year": 2027, "source": "测试通知", "days": [
        {"date": "2026-12-31", "off": true, "name": "元旦"},
        {"date": "2027-01-01", "off": true, "name": "元旦"},
        {"date": "2027-01-03", "off": false, "name": "元旦"}
    ]}"#;

    #[test]
    fn load_year_adds_a_year() {
        let mut cal = Calendar::official();
        assert_eq!(cal.load_year(Y2027), Ok(2027));
        assert!(cal.has_year(2027));
        let dec31 = cal.day(d(2026, 12, 31));
        assert!(!dec31.working && !dec31.estimated);
        assert!(cal.day(d(2027, 1, 3)).working);
        assert!(!cal.day(d(2027, 1, 4)).estimated);
        assert_eq!(cal.year_schedule(2027).origin, Some(ScheduleOrigin::Loaded));
    }

    #[test]
    fn load_year_accepts_holiday_cn_shape() {
        let mut cal = Calendar::empty();
        let text = r#"{"$schema": "x", "year": 2026, "papers": ["https://example.invalid/a"],
            "days": [{"name": "春节", "date": "2026-02-14", "isOffDay": false}]}"#;
        assert_eq!(cal.load_year(text), Ok(2026));
        assert!(cal.is_working_day(d(2026, 2, 14)));
    }

    fn load_err(text: &str) -> (String, String) {
        let mut cal = Calendar::official();
        let before = cal.clone();
        match cal.load_year(text) {
            Err(CalendarError::Invalid { location, message }) => {
                assert_eq!(cal, before, "calendar unchanged on error");
                (location, message)
            }
            other => panic!("expected Invalid, got {other:?}"),
        }
    }

    #[test]
    fn load_year_errors_name_entry_and_field() {
        assert!(matches!(Calendar::empty().load_year("{\"year\": 2027,"), Err(CalendarError::Json { line: 1, .. })));
        let base = |days: &str| format!(r#"{{"year": 2027, "source": "s", "days": [{days}]}}"#);
        let ok = r#"{"date": "2027-01-01", "off": true, "name": "元旦"}"#;
        let (loc, msg) = load_err(&base(&format!(r#"{ok}, {{"date": "2027-02-30", "off": true, "name": "春节"}}"#)));
        assert_eq!(loc, "days[1].date");
        assert!(msg.contains("2027-02-30"), "{msg}");
        let (loc, _) = load_err(&base(r#"{"date": "2027-01-01", "off": "yes", "name": "元旦"}"#));
        assert_eq!(loc, "days[0].off");
        let (loc, _) = load_err(&base(r#"{"date": "2027-01-01", "name": "元旦"}"#));
        assert_eq!(loc, "days[0].off");
        let (loc, _) = load_err(&base(r#"{"date": "2027-01-01", "off": true}"#));
        assert_eq!(loc, "days[0].name");
        let (loc, msg) = load_err(&base(r#"{"date": "2027-01-05", "off": false, "name": "元旦"}"#));
        assert_eq!(loc, "days[0].off");
        assert!(msg.contains("周二"), "{msg}");
        let (loc, _) = load_err(&base(r#"{"date": "2028-01-01", "off": true, "name": "元旦"}"#));
        assert_eq!(loc, "days[0].date");
        let (loc, msg) = load_err(&base(&format!("{ok}, {ok}")));
        assert_eq!(loc, "days[1].date");
        assert!(msg.contains("days[0]"), "{msg}");
        let (loc, _) = load_err(&base(""));
        assert_eq!(loc, "days");
        let (loc, _) = load_err(r#"{"year": 2027, "papers": [], "days": []}"#);
        assert_eq!(loc, "source");
        let (loc, _) = load_err(r#"{"year": "2027", "source": "s", "days": []}"#);
        assert_eq!(loc, "year");
        let (loc, _) = load_err(r#"[1, 2]"#);
        assert_eq!(loc, "$");
    }

    #[test]
    fn dense_table_agrees_with_the_schedules() {
        let mut cal = Calendar::official();
        cal.load_year(Y2027).unwrap();
        cal.load_year(r#"{"year": 2030, "source": "a", "days": [{"date": "2029-12-29", "off": false, "name": "x"}]}"#)
            .unwrap();
        let mut date = d(2002, 12, 1);
        while date <= d(2031, 2, 1) {
            let slow = cal.day_slow(date);
            assert_eq!(cal.day(date), slow, "{date}");
            assert_eq!(cal.working_and_estimated(date), (slow.working, slow.estimated), "{date}");
            date = date.succ_opt().unwrap();
        }
        assert_eq!(
            cal.nth_working_day_after(d(2026, 2, 13), 7),
            Ok(cal.add_working_days(d(2026, 2, 13), 7).unwrap().end)
        );
    }

    #[test]
    fn later_notice_wins_on_shared_dates() {
        let mut cal = Calendar::empty();
        cal.load_year(r#"{"year": 2030, "source": "a", "days": [{"date": "2030-12-29", "off": false, "name": "x"}]}"#)
            .unwrap();
        cal.load_year(
            r#"{"year": 2031, "source": "b", "days": [{"date": "2030-12-29", "off": true, "name": "元旦"}]}"#,
        )
        .unwrap();
        assert!(!cal.is_working_day(d(2030, 12, 29)));
    }
}
