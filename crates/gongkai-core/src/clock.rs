//! The statutory reply clock (答复期限): when the reply to a disclosure request is due.
//!
//! Rules (the Regulations, Decree 711, and the shared spec clock-and-fees.md):
//! - **Art. 31** fixes the receipt date (收到申请之日) per channel; the caller supplies it.
//! - **Art. 33**: reply within 20 working days of receipt. gongkai's documented convention follows
//!   the civil-law rule that the first day is not counted: the receipt date is not counted and the
//!   due date is the **20th working day after the receipt date**. Working days come from
//!   [`Calendar`] (holidays and 调休 included).
//! - **Art. 30** (补正): when the corrected request arrives, a **new** 20-working-day period starts
//!   from that date (not counted either). The correction notice itself is due within 7 working
//!   days after receipt ([`correction_notice_due`]).
//! - **Art. 33** (延长): with the approval of the head of the disclosure office, the period may be
//!   extended by at most 20 working days after the original due date; [`deadline`] computes the
//!   latest permitted date.
//! - **Arts. 32–34** (征求意见): time spent consulting a third party or another agency is not
//!   counted. Convention: the working days *after* the day the letter is sent, *through* the day
//!   the answer arrives (or the 15-working-day answer period ends), are excluded, and the due date
//!   moves by that many working days.
//! - **国办函〔2020〕109号** (收费通知): by default the days after the fee notice through the day of
//!   payment are not counted, with the same convention as a consultation. This is a deployment
//!   setting ([`ClockSettings::fee_pause`]); every fee pause appears in the trail with whether it
//!   was applied.
//!
//! Every result carries a day-by-day trail ([`TrailEntry`]) so that the date can be explained.
//! Pure code: the caller passes every date; nothing here reads the system clock.

use std::fmt::Write as _;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::calendar::{weekday_zh, Calendar, CalendarError, DayKind, WorkingDays};

/// Art. 33: the reply period, in working days.
pub const REPLY_PERIOD: u32 = 20;
/// Art. 33: the longest extension, in working days after the original due date.
pub const EXTENSION_PERIOD: u32 = 20;
/// Art. 30: the correction notice goes out within this many working days after receipt.
pub const CORRECTION_NOTICE_PERIOD: u32 = 7;
/// Art. 26: information to be disclosed proactively is published within 20 working days of
/// being formed or changed.
pub const PROACTIVE_PUBLICATION_PERIOD: u32 = 20;
/// Most calendar days one deadline computation walks (about 55 years); only absurd pauses reach it.
pub const MAX_WALK_DAYS: u32 = 20_000;

/// What the clock needs to know about one request. All dates are calendar dates in China.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DeadlineInput {
    /// 收到申请之日 (Art. 31). Not counted.
    pub received: NaiveDate,
    /// 收到补正后申请之日 (Art. 30): when set, a new 20-working-day period starts here.
    #[serde(default)]
    pub corrected: Option<NaiveDate>,
    /// 延长答复期限 (Art. 33): the extension was approved and notified; adds 20 working days.
    #[serde(default)]
    pub extended: bool,
    /// 征求第三方或其他机关意见 (Arts. 32–34): (letter sent, answer received or answer period over).
    #[serde(default)]
    pub consultations: Vec<(NaiveDate, NaiveDate)>,
    /// 收费通知 (109号): (fee notice sent, fee paid).
    #[serde(default)]
    pub fee_pauses: Vec<(NaiveDate, NaiveDate)>,
}

impl DeadlineInput {
    /// A request received on `received`, with no correction, extension or pause.
    pub fn new(received: NaiveDate) -> DeadlineInput {
        DeadlineInput { received, corrected: None, extended: false, consultations: Vec::new(), fee_pauses: Vec::new() }
    }
}

/// Deployment settings of the clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ClockSettings {
    /// Whether the days after a fee notice through payment stop the clock (default: true).
    #[serde(default = "default_true")]
    pub fee_pause: bool,
}

fn default_true() -> bool {
    true
}

impl Default for ClockSettings {
    fn default() -> Self {
        ClockSettings { fee_pause: true }
    }
}

/// Why the clock stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PauseKind {
    /// 征求意见 (Arts. 32–34): a third party or another agency is consulted.
    Consultation,
    /// 收费通知至缴费 (国办函〔2020〕109号): from the fee notice until payment.
    FeeNotice,
}

impl PauseKind {
    fn zh(self) -> &'static str {
        match self {
            PauseKind::Consultation => "征求意见",
            PauseKind::FeeNotice => "收费通知",
        }
    }
}

/// Which period a counted day belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Period {
    /// 答复期限: the 20 working days of Art. 33.
    Reply,
    /// 延长期限: the at most 20 further working days of Art. 33.
    Extension,
}

/// One line of the explanation of a deadline, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(tag = "step", rename_all = "snake_case")]
pub enum TrailEntry {
    /// 收到申请之日 (Art. 31): the day of receipt, not counted.
    Received {
        /// The receipt date.
        date: NaiveDate,
    },
    /// 收到补正后的申请 (Art. 30): a new period starts after this day.
    Restarted {
        /// The day the corrected request arrived.
        date: NaiveDate,
    },
    /// A pause given in the input, and its effect.
    Pause {
        /// Consultation or fee notice.
        pause: PauseKind,
        /// The day the letter or fee notice was sent (still counted).
        from: NaiveDate,
        /// The day the answer arrived or the fee was paid (not counted).
        to: NaiveDate,
        /// False for a fee pause when the deployment setting `fee_pause` is off.
        applied: bool,
        /// Working days of this window that were not counted (days shared by overlapping
        /// windows are excluded once, but reported for each window).
        excluded_working_days: u32,
    },
    /// A working day counted.
    Counted {
        /// The day.
        date: NaiveDate,
        /// Reply period or extension.
        period: Period,
        /// 1–20 within its period.
        ordinal: u32,
        /// Workday, or 调休 adjusted workday.
        day: DayKind,
        /// True when no official schedule decides this day.
        estimated: bool,
    },
    /// A weekend or holiday, not counted.
    Skipped {
        /// The day.
        date: NaiveDate,
        /// Weekend or holiday (with name).
        day: DayKind,
        /// True when no official schedule decides this day.
        estimated: bool,
    },
    /// A working day inside a pause, not counted.
    Paused {
        /// The day.
        date: NaiveDate,
        /// Which pause.
        pause: PauseKind,
        /// Workday or adjusted workday.
        day: DayKind,
        /// True when no official schedule decides this day.
        estimated: bool,
    },
    /// The end of a period: the original due date (reply) or the extended one.
    Due {
        /// The due date.
        date: NaiveDate,
        /// Which period ends here.
        period: Period,
    },
}

fn estimated_suffix(estimated: bool) -> &'static str {
    if estimated {
        "（估算）"
    } else {
        ""
    }
}

impl TrailEntry {
    /// One line explaining this step, in Chinese.
    pub fn describe(&self) -> String {
        match self {
            TrailEntry::Received { date } => {
                format!("{date} {} 收到申请之日（第三十一条），当日不计入", weekday_zh(*date))
            }
            TrailEntry::Restarted { date } => {
                format!("{date} {} 收到补正后的申请（第三十条），重新起算20个工作日，当日不计入", weekday_zh(*date))
            }
            TrailEntry::Pause { pause, from, to, applied, excluded_working_days: n } => {
                let basis = match pause {
                    PauseKind::Consultation => "第三十二至三十四条",
                    PauseKind::FeeNotice => "国办函〔2020〕109号",
                };
                if *applied {
                    format!("{}：{from} 发出，{to} 结束（{basis}）：期间 {n} 个工作日不计入", pause.zh())
                } else {
                    format!("{}：{from} 至 {to}（{basis}）：本系统设置为收费期间不暂停计算", pause.zh())
                }
            }
            TrailEntry::Counted { date, period, ordinal, day, estimated } => {
                let what = match period {
                    Period::Reply => format!("第{ordinal}个工作日"),
                    Period::Extension => {
                        format!("延长期第{ordinal}个工作日")
                    }
                };
                let adjusted = match day {
                    DayKind::AdjustedWorkday { name } => {
                        format!("，调休上班（{name}）")
                    }
                    _ => String::new(),
                };
                format!("{date} {} {what}{adjusted}{}", weekday_zh(*date), estimated_suffix(*estimated))
            }
            TrailEntry::Skipped { date, day, estimated } => {
                format!("{date} {} {}，不计{}", weekday_zh(*date), day.describe(), estimated_suffix(*estimated))
            }
            TrailEntry::Paused { date, pause, estimated, .. } => {
                format!("{date} {} 工作日，{}期间不计{}", weekday_zh(*date), pause.zh(), estimated_suffix(*estimated))
            }
            TrailEntry::Due { date, period: Period::Reply } => {
                format!("{date} {} 20个工作日答复期限届满（第三十三条）", weekday_zh(*date))
            }
            TrailEntry::Due { date, period: Period::Extension } => {
                format!("{date} {} 延长后的答复期限届满（第三十三条，延长不超过20个工作日）", weekday_zh(*date))
            }
        }
    }
}

/// The computed due date with its explanation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Deadline {
    /// The last day to reply (答复期限).
    pub due: NaiveDate,
    /// When extended: the due date before the extension.
    pub original_due: Option<NaiveDate>,
    /// True when any day walked lies in a year without an official schedule (估算).
    pub estimated: bool,
    /// Day by day: receipt, restart, pauses, each day counted or skipped, due dates.
    pub trail: Vec<TrailEntry>,
}

impl Deadline {
    /// The whole trail as text, one bilingual line per step.
    pub fn explain(&self) -> String {
        let mut out = String::new();
        for entry in &self.trail {
            let _ = writeln!(out, "{}", entry.describe());
        }
        if self.estimated {
            out.push_str("注意：部分日期所在年份的节假日安排尚未公布，结果为估算\n");
        }
        out
    }
}

/// Bad input to the clock.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClockError {
    /// The corrected request cannot arrive before the original one.
    #[error("补正后申请的收到日期 {corrected} 早于原申请的收到日期 {received}")]
    CorrectedBeforeReceived {
        /// Receipt date of the original request.
        received: NaiveDate,
        /// Date given for the corrected request.
        corrected: NaiveDate,
    },
    /// A pause that ends before it starts.
    #[error("第{number}个{zh}期间的结束日期 {to} 早于开始日期 {from}", zh = .pause.zh())]
    PauseEndsBeforeStart {
        /// Consultation or fee notice.
        pause: PauseKind,
        /// 1-based position in the input list.
        number: usize,
        /// Start given.
        from: NaiveDate,
        /// End given.
        to: NaiveDate,
    },
    /// A pause that starts before the request was received.
    #[error("第{number}个{zh}期间的开始日期 {from} 早于收到申请之日 {received}", zh = .pause.zh())]
    PauseBeforeReceipt {
        /// Consultation or fee notice.
        pause: PauseKind,
        /// 1-based position in the input list.
        number: usize,
        /// Start given.
        from: NaiveDate,
        /// Receipt date.
        received: NaiveDate,
    },
    /// The pauses stretch the count beyond [`MAX_WALK_DAYS`].
    #[error("从 {start} 起计算超过 {max} 天仍未届满，请检查暂停期间")]
    TooLong {
        /// Where counting started.
        start: NaiveDate,
        /// The limit.
        max: u32,
    },
    /// The calendar could not count (date range, broken schedule).
    #[error(transparent)]
    Calendar(#[from] CalendarError),
}

/// A pause window as used by the walk.
struct Window {
    pause: PauseKind,
    from: NaiveDate,
    to: NaiveDate,
    applied: bool,
    excluded: u32,
}

fn validate(input: &DeadlineInput) -> Result<(), ClockError> {
    if let Some(corrected) = input.corrected {
        if corrected < input.received {
            return Err(ClockError::CorrectedBeforeReceived { received: input.received, corrected });
        }
    }
    for (pause, list) in [(PauseKind::Consultation, &input.consultations), (PauseKind::FeeNotice, &input.fee_pauses)] {
        for (i, &(from, to)) in list.iter().enumerate() {
            if to < from {
                return Err(ClockError::PauseEndsBeforeStart { pause, number: i + 1, from, to });
            }
            if from < input.received {
                return Err(ClockError::PauseBeforeReceipt { pause, number: i + 1, from, received: input.received });
            }
        }
    }
    Ok(())
}

/// The reply due date with the default settings (fee pause on). See [`deadline_with`].
pub fn deadline(cal: &Calendar, input: &DeadlineInput) -> Result<Deadline, ClockError> {
    deadline_with(cal, input, &ClockSettings::default())
}

/// The reply due date (Art. 33) for `input`, explained day by day.
///
/// Counting starts after the receipt date, or after the corrected request's arrival (Art. 30).
/// Working days inside a pause window `(from, to]` are not counted (Arts. 32–34; 109号 when
/// `settings.fee_pause`). With `extended`, 20 more working days follow the original due date.
pub fn deadline_with(cal: &Calendar, input: &DeadlineInput, settings: &ClockSettings) -> Result<Deadline, ClockError> {
    // About 28 calendar days per 20 working days, more over holidays and pauses.
    let days = if input.extended { 64 } else { 36 };
    let mut trail = Vec::with_capacity(4 + input.consultations.len() + input.fee_pauses.len() + days);
    let due = walk(cal, input, settings, &mut trail)?;
    Ok(Deadline { due: due.due, original_due: due.original_due, estimated: due.estimated, trail })
}

/// The dates of a [`Deadline`] without its trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
pub struct DueDate {
    /// The last day to reply (答复期限).
    pub due: NaiveDate,
    /// When extended: the due date before the extension.
    pub original_due: Option<NaiveDate>,
    /// True when any day walked lies in a year without an official schedule (估算).
    pub estimated: bool,
}

/// [`due_date_with`] with the default settings (fee pause on).
pub fn due_date(cal: &Calendar, input: &DeadlineInput) -> Result<DueDate, ClockError> {
    due_date_with(cal, input, &ClockSettings::default())
}

/// The dates of [`deadline_with`] (same rules, same errors) without building the trail: for
/// checks that only need the due date.
pub fn due_date_with(cal: &Calendar, input: &DeadlineInput, settings: &ClockSettings) -> Result<DueDate, ClockError> {
    walk(cal, input, settings, &mut NoTrail)
}

/// Where the walk records its steps: the trail of a [`Deadline`], or nowhere.
trait Recorder {
    /// Records the entry `make` builds (not called at all when nothing is recorded).
    fn record(&mut self, make: impl FnOnce() -> TrailEntry);
    /// Sets the working days excluded by the pause window at `index` (in input order).
    fn set_excluded(&mut self, index: usize, excluded: u32);
}

/// Records nothing.
struct NoTrail;

impl Recorder for NoTrail {
    fn record(&mut self, _make: impl FnOnce() -> TrailEntry) {}
    fn set_excluded(&mut self, _index: usize, _excluded: u32) {}
}

/// The trail, whose pause entries (written before the walk) follow the receipt and restart.
impl Recorder for Vec<TrailEntry> {
    fn record(&mut self, make: impl FnOnce() -> TrailEntry) {
        self.push(make());
    }
    fn set_excluded(&mut self, index: usize, excluded: u32) {
        let mut pauses = self.iter_mut().filter(|e| matches!(e, TrailEntry::Pause { .. }));
        if let Some(TrailEntry::Pause { excluded_working_days, .. }) = pauses.nth(index) {
            *excluded_working_days = excluded;
        }
    }
}

/// The rules of [`deadline_with`], written once for the trail and the due-date-only walk.
fn walk<R: Recorder>(
    cal: &Calendar,
    input: &DeadlineInput,
    settings: &ClockSettings,
    rec: &mut R,
) -> Result<DueDate, ClockError> {
    validate(input)?;
    let mut windows: Vec<Window> = input
        .consultations
        .iter()
        .map(|&(from, to)| (PauseKind::Consultation, from, to, true))
        .chain(input.fee_pauses.iter().map(|&(from, to)| (PauseKind::FeeNotice, from, to, settings.fee_pause)))
        .map(|(pause, from, to, applied)| Window { pause, from, to, applied, excluded: 0 })
        .collect();

    // Art. 30: a corrected request starts a new period; otherwise Art. 33 from receipt.
    let start = input.corrected.unwrap_or(input.received);
    let target = REPLY_PERIOD + if input.extended { EXTENSION_PERIOD } else { 0 };

    rec.record(|| TrailEntry::Received { date: input.received });
    if let Some(corrected) = input.corrected {
        rec.record(|| TrailEntry::Restarted { date: corrected });
    }
    for w in &windows {
        // The excluded count is set once the walk is over.
        rec.record(|| TrailEntry::Pause {
            pause: w.pause,
            from: w.from,
            to: w.to,
            applied: w.applied,
            excluded_working_days: 0,
        });
    }

    let mut estimated = false;
    let mut original_due = None;
    let mut date = start;
    let mut counted = 0u32;
    let mut walked = 0u32;
    while counted < target {
        walked += 1;
        if walked > MAX_WALK_DAYS {
            return Err(ClockError::TooLong { start, max: MAX_WALK_DAYS });
        }
        date = date.succ_opt().ok_or(CalendarError::DateOutOfRange { from: start })?;
        let (working, day_estimated) = cal.working_and_estimated(date);
        estimated |= day_estimated;
        if !working {
            rec.record(|| TrailEntry::Skipped { date, day: cal.day(date).kind, estimated: day_estimated });
            continue;
        }
        // Arts. 32–34 / 109号: a working day after the letter (notice) was sent, through the day
        // the answer (payment) came, is not counted.
        let mut paused_by = None;
        for w in windows.iter_mut().filter(|w| w.applied && w.from < date && date <= w.to) {
            w.excluded += 1;
            paused_by.get_or_insert(w.pause);
        }
        if let Some(pause) = paused_by {
            rec.record(|| TrailEntry::Paused { date, pause, day: cal.day(date).kind, estimated: day_estimated });
            continue;
        }
        counted += 1;
        let (period, ordinal) = if counted <= REPLY_PERIOD {
            (Period::Reply, counted)
        } else {
            (Period::Extension, counted - REPLY_PERIOD)
        };
        rec.record(|| TrailEntry::Counted { date, period, ordinal, day: cal.day(date).kind, estimated: day_estimated });
        if counted == REPLY_PERIOD {
            rec.record(|| TrailEntry::Due { date, period: Period::Reply });
            if input.extended {
                original_due = Some(date);
            }
        }
        if input.extended && counted == target {
            rec.record(|| TrailEntry::Due { date, period: Period::Extension });
        }
    }
    for (i, w) in windows.iter().enumerate() {
        rec.set_excluded(i, w.excluded);
    }
    Ok(DueDate { due: date, original_due, estimated })
}

/// Art. 30: the correction notice (补正通知) is due by the 7th working day after receipt (the
/// receipt date not counted). Used to warn when a notice goes out late.
pub fn correction_notice_due(cal: &Calendar, received: NaiveDate) -> Result<WorkingDays, ClockError> {
    Ok(cal.add_working_days(received, CORRECTION_NOTICE_PERIOD)?)
}

/// Art. 26 (A1.4): the last day to publish proactively disclosed information formed or changed
/// on `generated`: the 20th working day after it (the day itself not counted).
pub fn proactive_publication_due(cal: &Calendar, generated: NaiveDate) -> Result<WorkingDays, ClockError> {
    Ok(cal.add_working_days(generated, PROACTIVE_PUBLICATION_PERIOD)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A1.4: formed on Friday 2024-09-27, the National Day week (10-01..07 off, Sunday 09-29 and
    /// Saturday 10-12 worked) → the 20th working day is 2024-10-30.
    #[test]
    fn a1_4_proactive_publication_is_due_20_working_days_after_formation() {
        let cal = Calendar::official();
        let due = proactive_publication_due(&cal, d(2024, 9, 27)).unwrap();
        assert_eq!(due.end, d(2024, 10, 30));
        assert!(!due.estimated);
        // An ordinary month: 2024-03-01 (Friday) → 2024-03-29.
        assert_eq!(proactive_publication_due(&cal, d(2024, 3, 1)).unwrap().end, d(2024, 3, 29));
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn trail_lists_every_day_in_order() {
        let cal = Calendar::official();
        let r = deadline(&cal, &DeadlineInput::new(d(2026, 2, 13))).unwrap();
        let dates: Vec<NaiveDate> = r
            .trail
            .iter()
            .filter_map(|e| match e {
                TrailEntry::Counted { date, .. }
                | TrailEntry::Skipped { date, .. }
                | TrailEntry::Paused { date, .. } => Some(*date),
                _ => None,
            })
            .collect();
        // Every day from the day after receipt through the due date, once each.
        let mut expected = Vec::new();
        let mut x = d(2026, 2, 14);
        while x <= r.due {
            expected.push(x);
            x = x.succ_opt().unwrap();
        }
        assert_eq!(dates, expected);
        assert_eq!(r.trail.first(), Some(&TrailEntry::Received { date: d(2026, 2, 13) }));
        assert_eq!(r.trail.last(), Some(&TrailEntry::Due { date: r.due, period: Period::Reply }));
        let text = r.explain();
        assert!(text.contains("调休上班（春节）"), "{text}");
        assert!(text.contains("春节假期"), "{text}");
        assert!(text.contains("第20个工作日"), "{text}");
    }

    #[test]
    fn errors_are_in_chinese() {
        let cal = Calendar::official();
        let mut input = DeadlineInput::new(d(2026, 3, 2));
        input.corrected = Some(d(2026, 3, 1));
        let e = deadline(&cal, &input).unwrap_err().to_string();
        assert!(e.contains("补正") && !e.contains("corrected"), "{e}");
        let mut input = DeadlineInput::new(d(2026, 3, 2));
        input.consultations = vec![(d(2026, 3, 10), d(2026, 3, 5))];
        let e = deadline(&cal, &input).unwrap_err();
        assert_eq!(
            e,
            ClockError::PauseEndsBeforeStart {
                pause: PauseKind::Consultation,
                number: 1,
                from: d(2026, 3, 10),
                to: d(2026, 3, 5)
            }
        );
        let s = e.to_string();
        assert!(s.contains("第1个征求意见期间") && !s.contains("consultation"), "{s}");
        let mut input = DeadlineInput::new(d(2026, 3, 2));
        input.fee_pauses = vec![(d(2026, 3, 1), d(2026, 3, 5))];
        let s = deadline(&cal, &input).unwrap_err().to_string();
        assert!(s.contains("第1个收费通知期间") && !s.contains("fee pause"), "{s}");
    }

    #[test]
    fn absurd_pause_is_an_error_not_a_hang() {
        let cal = Calendar::official();
        let mut input = DeadlineInput::new(d(2026, 3, 2));
        input.consultations = vec![(d(2026, 3, 3), d(9999, 12, 31))];
        assert_eq!(deadline(&cal, &input), Err(ClockError::TooLong { start: d(2026, 3, 2), max: MAX_WALK_DAYS }));
        let input = DeadlineInput::new(NaiveDate::MAX);
        assert!(matches!(deadline(&cal, &input), Err(ClockError::Calendar(_))));
    }

    #[test]
    fn due_date_matches_the_deadline() {
        let cal = Calendar::official();
        let mut inputs = vec![DeadlineInput::new(d(2026, 2, 13))];
        let mut input = DeadlineInput::new(d(2024, 9, 20));
        input.corrected = Some(d(2024, 9, 27));
        input.extended = true;
        input.consultations = vec![(d(2024, 10, 8), d(2024, 10, 15))];
        input.fee_pauses = vec![(d(2024, 10, 10), d(2024, 11, 1))];
        inputs.push(input);
        inputs.push(DeadlineInput::new(d(2026, 12, 10)));
        for input in &inputs {
            for fee_pause in [true, false] {
                let settings = ClockSettings { fee_pause };
                let full = deadline_with(&cal, input, &settings).unwrap();
                let dates = due_date_with(&cal, input, &settings).unwrap();
                assert_eq!(
                    (dates.due, dates.original_due, dates.estimated),
                    (full.due, full.original_due, full.estimated)
                );
            }
        }
        let mut bad = DeadlineInput::new(d(2026, 3, 2));
        bad.consultations = vec![(d(2026, 3, 3), d(9999, 12, 31))];
        assert_eq!(due_date(&cal, &bad).map(|x| x.due), deadline(&cal, &bad).map(|x| x.due));
    }

    #[test]
    fn input_deserializes_with_defaults() {
        let input: DeadlineInput =
            serde_json::from_str(r#"{"received": "2026-03-02", "consultations": [["2026-03-05", "2026-03-12"]]}"#)
                .unwrap();
        assert_eq!(input.corrected, None);
        assert!(!input.extended);
        assert_eq!(input.consultations, vec![(d(2026, 3, 5), d(2026, 3, 12))]);
    }
}
