//! A request's life (办理流程): its events, validated one by one, and everything derived from them
//! — due date, status, outcome.
//!
//! Nothing here is stored. [`replay`] walks a request's whole event list and returns the derived
//! [`RequestState`]; [`apply`] does the same for the list plus one new event, and is what a
//! register calls before it appends anything. Both refuse an impossible sequence with a
//! [`TransitionError`] that names the event (position, kind, date) and says why, in Chinese and
//! English. Pure code: "today" is always a parameter, never read from the system clock.
//!
//! # The rules (the Regulations, Decree 711; 国办函〔2020〕109号; shared spec clock-and-fees.md)
//! Every event:
//! - is dated on or after the receipt date (收到申请之日, Art. 31) and on or after the previous
//!   event (the list is in the order things happened);
//! - comes before the request is finished: nothing may follow a reply (答复) or a withdrawal
//!   (撤回).
//!
//! Per kind:
//! - **补正告知 / correction notice (Art. 30)**: at most one ("一次性告知"), with a period of at
//!   least one day. Sent later than 7 working days after receipt ([`clock::correction_notice_due`])
//!   it is accepted with a warning and [`RequestState::correction_notice_late`].
//! - **收到补正 / corrected request received (Art. 30)**: only after a notice, and only once. It
//!   restarts the 20-working-day period (the clock's `corrected`). Arriving after the period named
//!   in the notice it is accepted with a warning (the office chose to accept it).
//! - **延长 / extension (Art. 33)**: at most one, approved by a named person (the head of the
//!   disclosure office), on or before the due date in force on that day.
//! - **征求意见 / consultation (Arts. 32–34)**: any number, also at the same time. An answer
//!   closes the earliest open consultation (answers do not name the party). Which pairing is
//!   chosen does not change the due date: the clock excludes the union of the windows, and that
//!   union is the same for every pairing.
//! - **收费通知 / fee notice (109号 Arts. 3–5)**: at most one per request (one method, never both),
//!   its amount exactly [`fees::per_request`] or [`fees::per_page`] of its units, and not zero (a
//!   quantity in the free tier is not charged). Sent after the due date: a warning (the notice
//!   belongs within the handling period, spec-notes §5.3).
//! - **缴费 / fee paid**: only after a notice, once. Paid after the 20-working-day payment period:
//!   a warning.
//! - **答复 / reply**: with exactly one outcome leaf of the 2021 table 3 ([`is_outcome_leaf`]):
//!   never a total row, never `received`, `carried_over` or `carried_forward`, never the 2019
//!   single row （六）其他处理 (`other_handling.total`). Three leaves need a history:
//!   - `other_handling.no_correction` (逾期不补正): a correction notice was sent, no corrected
//!     request arrived, and the period named in the notice has lapsed — the reply is dated after
//!     the notice date plus `period_days` **calendar** days (the Regulations' 「期限」 in days;
//!     a period in working days must be entered as its calendar length);
//!   - `other_handling.fee_unpaid` (逾期未缴费): a fee notice was sent, not paid, and the
//!     20-working-day payment period (counted from the day after the notice, 109号; see
//!     [`FEE_PAYMENT_PERIOD`]) has lapsed;
//!   - `unable.still_unclear` (补正后仍不明确): a corrected request was received.
//!
//!   A reply after the due date is accepted with a warning (逾期答复); so is a reply while a
//!   consultation is still open, a correction is awaited, or a fee is unpaid.
//! - **撤回 / withdrawal**: at any time before the request is finished. A withdrawn request is
//!   counted in table 3 as `other_handling.other` (（六）其他处理 / 3.其他), as the register
//!   documents for [`EventKind::Withdrawal`]; [`RequestState::outcome`] says so and
//!   [`RequestState::withdrawn`] tells it apart from a reply with that outcome.
//!
//! # The due date
//! [`RequestState::deadline`] is [`clock::deadline`] of [`RequestState::deadline_input`], which is
//! derived from the events: `received` from the request; `corrected` from the corrected request;
//! `extended` from the extension; one consultation window (sent, answered) per consultation; one
//! fee window (notice, paid). A window still open runs through the date the state is taken
//! ([`RequestState::as_of`]: the reply or withdrawal date, else the last event's date, else the
//! receipt date), but never past the end of its statutory period: 15 working days for a
//! consultation answer (Arts. 32, 34: silence ends the wait), 20 working days for a payment
//! (109号: non-payment ends the request). [`RequestState::deadline_on`] recomputes it for a later
//! "today", which is what [`RequestState::status_on`] uses.

use std::fmt;

use chrono::{Days, NaiveDate};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::calendar::{Calendar, CalendarError};
use crate::clock::{self, ClockError, Deadline, DeadlineInput};
use crate::fees::{self, FeeMethod};
use crate::register::{Event, EventKind, Request};
use crate::report::{Amount, RequestRow};
use crate::template::{self, OTHER_HANDLING_PARTS, OUTCOME_LEAVES};

/// Default of [`RequestState::status_on`]: "due soon" within this many working days.
pub const DUE_SOON_WORKING_DAYS: u32 = 5;

/// Arts. 32 and 34: the consulted party answers within 15 working days; an open consultation
/// stops the clock for at most this long.
pub const CONSULTATION_ANSWER_PERIOD: u32 = 15;

/// 109号 (spec-notes §5.3): the applicant pays within 20 working days counted from the day after
/// the notice; after that the request is deemed abandoned (`other_handling.fee_unpaid`).
/// gongkai counts from the day after the notice was *sent* (the day the applicant received it
/// is not registered).
pub const FEE_PAYMENT_PERIOD: u32 = 20;

/// Whether `row` is an outcome leaf a reply may carry: the 2021 table-3 outcome rows that are not
/// totals (the leaves of [`template::OUTCOME_LEAVES`] without the 2019 single row
/// `other_handling.total`, plus [`template::OTHER_HANDLING_PARTS`]).
pub fn is_outcome_leaf(row: RequestRow) -> bool {
    (OUTCOME_LEAVES.contains(&row) && row != RequestRow::OtherHandlingTotal) || OTHER_HANDLING_PARTS.contains(&row)
}

/// The 21 outcome leaves a reply may carry, in template order (see [`is_outcome_leaf`]).
pub fn outcome_leaves() -> Vec<RequestRow> {
    template::T3_ROWS.iter().map(|r| r.key).filter(|r| is_outcome_leaf(*r)).collect()
}

/// Where a request stands on a given date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// 办理中: not finished, the due date more than the "due soon" margin away.
    Open,
    /// 即将到期: not finished, due within the margin (the due date itself included).
    DueSoon,
    /// 已逾期: not finished, the due date has passed.
    Overdue,
    /// 已答复.
    Replied,
    /// 已撤回.
    Withdrawn,
}

impl Status {
    /// The English name (`open`, `due_soon`, …).
    pub fn name(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::DueSoon => "due_soon",
            Status::Overdue => "overdue",
            Status::Replied => "replied",
            Status::Withdrawn => "withdrawn",
        }
    }

    /// The Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Status::Open => "办理中",
            Status::DueSoon => "即将到期",
            Status::Overdue => "已逾期",
            Status::Replied => "已答复",
            Status::Withdrawn => "已撤回",
        }
    }
}

/// The correction (补正, Art. 30) of a request, as the events tell it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct CorrectionState {
    /// The day the notice went out.
    pub notice_on: NaiveDate,
    /// The period named in the notice, in days.
    pub period_days: u32,
    /// The last day of that period (`notice_on` + `period_days` calendar days).
    pub period_ends: NaiveDate,
    /// The day the corrected request arrived, if it did.
    pub received_on: Option<NaiveDate>,
}

/// The extension (延长答复期限, Art. 33).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ExtensionState {
    /// The day it was approved and notified.
    pub on: NaiveDate,
    /// Who approved it.
    pub approver: String,
}

/// One consultation (征求意见, Arts. 32–34).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct ConsultationState {
    /// The party consulted.
    pub party: String,
    /// The day the letter was sent.
    pub sent_on: NaiveDate,
    /// The last day of the 15-working-day answer period.
    pub answer_period_ends: NaiveDate,
    /// The day the answer arrived (or the period's end was recorded), if recorded.
    pub answered_on: Option<NaiveDate>,
}

/// The fee notice (收费通知, 109号) and its payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct FeeState {
    /// The day the notice was sent.
    pub notice_on: NaiveDate,
    /// Per request or per page.
    pub method: FeeMethod,
    /// Requests in the month, or pages.
    pub units: u32,
    /// The amount charged (yuan).
    pub amount_yuan: Amount,
    /// The last day of the 20-working-day payment period.
    pub payment_due: NaiveDate,
    /// The day the fee was paid, if it was.
    pub paid_on: Option<NaiveDate>,
}

/// Everything derived from a request's events. Nothing of it is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct RequestState {
    /// 收到申请之日 (from the request).
    pub received_on: NaiveDate,
    /// The date the state is taken at: the reply or withdrawal date, else the last event's
    /// date, else the receipt date. Open pauses run through this date.
    pub as_of: NaiveDate,
    /// The clock's input derived from the events (open pauses through `as_of`).
    pub deadline_input: DeadlineInput,
    /// [`clock::deadline`] of `deadline_input`: the due date with its day-by-day trail.
    pub deadline: Deadline,
    /// The reply or withdrawal date.
    pub finished_on: Option<NaiveDate>,
    /// The table-3 row the request is counted in once finished: the reply's outcome leaf, or
    /// `other_handling.other` (（六）其他处理 / 3.其他) for a withdrawal.
    pub outcome: Option<RequestRow>,
    /// True when the request was withdrawn (not replied to).
    pub withdrawn: bool,
    /// Art. 30: the last day a correction notice may go out (7 working days after receipt).
    pub correction_notice_due: NaiveDate,
    /// True when the correction notice went out after `correction_notice_due` (a warning, not an
    /// error).
    pub correction_notice_late: bool,
    /// The correction, if a notice was sent.
    pub correction: Option<CorrectionState>,
    /// The extension, if any.
    pub extension: Option<ExtensionState>,
    /// The consultations, in the order sent.
    pub consultations: Vec<ConsultationState>,
    /// The fee notice and payment, if any.
    pub fee: Option<FeeState>,
    /// Accepted but questionable facts (late notice, late reply…), one bilingual line each.
    pub warnings: Vec<String>,
}

impl RequestState {
    /// Whether a reply or withdrawal was recorded.
    pub fn is_finished(&self) -> bool {
        self.finished_on.is_some()
    }

    /// The clock's input as of `today`: like [`RequestState::deadline_input`], but open pauses
    /// run through `today` (when later than [`RequestState::as_of`]), never past their statutory
    /// period. A finished request's pauses are closed: its input does not change.
    pub fn deadline_input_on(&self, today: NaiveDate) -> DeadlineInput {
        if self.is_finished() {
            return self.deadline_input.clone();
        }
        derive_input(
            self.received_on,
            self.correction.as_ref(),
            self.extension.is_some(),
            &self.consultations,
            self.fee.as_ref(),
            today.max(self.as_of),
        )
    }

    /// The due date as of `today` (see [`RequestState::deadline_input_on`]).
    pub fn deadline_on(&self, cal: &Calendar, today: NaiveDate) -> Result<Deadline, ClockError> {
        let input = self.deadline_input_on(today);
        if input == self.deadline_input {
            return Ok(self.deadline.clone());
        }
        clock::deadline(cal, &input)
    }

    /// The status on `today`: [`Status::Replied`] / [`Status::Withdrawn`] once the reply or
    /// withdrawal date has come; otherwise [`Status::Overdue`] after the due date (as of
    /// `today`), [`Status::DueSoon`] when the due date is at most `due_soon_working_days`
    /// working days after `today` (the due date itself counts as due soon), else
    /// [`Status::Open`].
    ///
    /// Meant for a `today` on or after the last event; for the status on an earlier date, replay
    /// the events up to that date. Needs the calendar for the working days. Should the due date
    /// not be computable for `today` (only a date near the end of the representable range can do
    /// that), the due date as of [`RequestState::as_of`] is used.
    pub fn status_on(&self, cal: &Calendar, today: NaiveDate, due_soon_working_days: u32) -> Status {
        if let Some(finished) = self.finished_on {
            if finished <= today {
                return if self.withdrawn { Status::Withdrawn } else { Status::Replied };
            }
        }
        let due = self.deadline_on(cal, today).map_or(self.deadline.due, |d| d.due);
        if today > due {
            return Status::Overdue;
        }
        match cal.add_working_days(today, due_soon_working_days) {
            Ok(w) if due <= w.end => Status::DueSoon,
            _ => Status::Open,
        }
    }

    /// [`RequestState::status_on`] with the default margin of [`DUE_SOON_WORKING_DAYS`].
    pub fn status(&self, cal: &Calendar, today: NaiveDate) -> Status {
        self.status_on(cal, today, DUE_SOON_WORKING_DAYS)
    }
}

/// The end of an open pause: through `until`, never past `cap`, never before it started.
fn pause_end(start: NaiveDate, cap: NaiveDate, until: NaiveDate) -> NaiveDate {
    until.min(cap).max(start)
}

fn derive_input(
    received: NaiveDate,
    correction: Option<&CorrectionState>,
    extended: bool,
    consultations: &[ConsultationState],
    fee: Option<&FeeState>,
    until: NaiveDate,
) -> DeadlineInput {
    DeadlineInput {
        received,
        corrected: correction.and_then(|c| c.received_on),
        extended,
        consultations: consultations
            .iter()
            .map(|c| {
                let end = c.answered_on.unwrap_or_else(|| pause_end(c.sent_on, c.answer_period_ends, until));
                (c.sent_on, end)
            })
            .collect(),
        fee_pauses: fee
            .map(|f| {
                let end = f.paid_on.unwrap_or_else(|| pause_end(f.notice_on, f.payment_due, until));
                vec![(f.notice_on, end)]
            })
            .unwrap_or_default(),
    }
}

// ---------------------------------------------------------------------------------------------
// Errors

/// The glossary name of an event kind (`correction_notice`, `reply`, …; the `type` tag of its
/// JSON form).
pub fn event_name(kind: &EventKind) -> &'static str {
    match kind {
        EventKind::CorrectionNotice { .. } => "correction_notice",
        EventKind::CorrectionReceived => "correction_received",
        EventKind::Extension { .. } => "extension",
        EventKind::ConsultationSent { .. } => "consultation_sent",
        EventKind::ConsultationAnswered => "consultation_answered",
        EventKind::FeeNotice { .. } => "fee_notice",
        EventKind::FeePaid => "fee_paid",
        EventKind::Reply { .. } => "reply",
        EventKind::Withdrawal => "withdrawal",
    }
}

/// A table-3 outcome as the template prints it, with its parent row for a sub-row:
/// 「（一）予以公开」, 「（三）不予公开 — 1.属于国家秘密」. No internal key: this is what staff and
/// applicants read.
pub fn outcome_label(r: RequestRow) -> String {
    let spec = template::t3_row(r);
    match spec.group {
        Some(group) => format!("{} — {}{}", group.label(), spec.number, spec.label),
        None => format!("{}{}", spec.number, spec.label),
    }
}

/// What an event says besides its kind, in Chinese (the console's timeline, the staff API and
/// `gongkai request show` alike): the note and period of a correction notice, the approver and
/// reason of an extension, the party consulted, the fee, the reply's outcome and document.
pub fn event_detail(kind: &EventKind) -> String {
    match kind {
        EventKind::CorrectionNotice { note, period_days } => format!("{note}；补正期限 {period_days} 天"),
        EventKind::Extension { approver, reason } => format!("批准人 {approver}；理由 {reason}"),
        EventKind::ConsultationSent { party } => format!("征求 {party} 意见"),
        EventKind::FeeNotice { method, units, amount_yuan } => format!(
            "{} {units}，{amount_yuan} 元",
            match method {
                FeeMethod::PerRequest => "按件计收",
                FeeMethod::PerPage => "按量计收",
            }
        ),
        EventKind::Reply { outcome, document } => format!(
            "{}{}",
            outcome_label(*outcome),
            document.as_deref().map(|d| format!("（{d}）")).unwrap_or_default()
        ),
        EventKind::CorrectionReceived
        | EventKind::ConsultationAnswered
        | EventKind::FeePaid
        | EventKind::Withdrawal => String::new(),
    }
}

/// Each event kind's glossary name and Chinese name, in the order of a request's course.
pub const EVENT_LABELS: [(&str, &str); 9] = [
    ("correction_notice", "补正告知"),
    ("correction_received", "收到补正"),
    ("extension", "延长答复期限"),
    ("consultation_sent", "征求意见"),
    ("consultation_answered", "收到征求意见答复"),
    ("fee_notice", "收费通知"),
    ("fee_paid", "缴费"),
    ("reply", "答复"),
    ("withdrawal", "撤回申请"),
];

/// The Chinese name of an event kind by its glossary name (`reply` → 答复).
pub fn event_label_of(name: &str) -> Option<&'static str> {
    EVENT_LABELS.iter().find(|(n, _)| *n == name).map(|(_, l)| *l)
}

/// The Chinese name of an event kind (补正告知, 答复, …).
pub fn event_label(kind: &EventKind) -> &'static str {
    event_label_of(event_name(kind)).unwrap_or("办理事件")
}

fn method_label(m: FeeMethod) -> &'static str {
    match m {
        FeeMethod::PerRequest => "按件计收",
        FeeMethod::PerPage => "按量计收",
    }
}

/// Why an event was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// Nothing may follow a reply or a withdrawal.
    #[error("申请已于 {finished_on} {how}，其后不能再记录事件", how = if *.withdrawn { "撤回" } else { "答复" })]
    AfterFinish {
        /// The reply or withdrawal date.
        finished_on: NaiveDate,
        /// True for a withdrawal.
        withdrawn: bool,
    },
    /// Dated before the receipt date.
    #[error("日期早于收到申请之日 {received}（第三十一条）")]
    BeforeReceipt {
        /// The receipt date.
        received: NaiveDate,
    },
    /// Dated before the previous event.
    #[error("日期早于上一事件的日期 {previous}，事件须按发生顺序记录")]
    BeforePrevious {
        /// The previous event's date.
        previous: NaiveDate,
    },
    /// Art. 30: one correction notice only.
    #[error("已于 {first} 发出补正告知，第三十条规定一次性告知，不能再次告知")]
    SecondCorrectionNotice {
        /// The first notice's date.
        first: NaiveDate,
    },
    /// A correction notice must name a period.
    #[error("补正告知须载明合理的补正期限（至少1日）")]
    NoCorrectionPeriod,
    /// A corrected request without a notice.
    #[error("尚未发出补正告知，不能收到补正后的申请（第三十条）")]
    CorrectionWithoutNotice,
    /// The corrected request arrives once.
    #[error("补正后的申请已于 {first} 收到，不能再次补正（第三十条一次性告知）")]
    SecondCorrection {
        /// When the corrected request arrived.
        first: NaiveDate,
    },
    /// Art. 33: one extension only.
    #[error("已于 {first} 延长答复期限，第三十三条规定延长不超过20个工作日，不能再次延长")]
    SecondExtension {
        /// The first extension's date.
        first: NaiveDate,
    },
    /// Art. 33: the head of the disclosure office approves.
    #[error("延长答复期限须经政府信息公开工作机构负责人同意，未填写批准人（第三十三条）")]
    ExtensionWithoutApprover,
    /// Art. 33: the extension comes before the due date.
    #[error("答复期限已于 {due} 届满，不能再延长（第三十三条）")]
    ExtensionAfterDue {
        /// The due date in force on the extension's date.
        due: NaiveDate,
    },
    /// An answer without an open consultation.
    #[error("没有尚未答复的征求意见")]
    NoOpenConsultation,
    /// 109号 Art. 3: one method, one notice per request.
    #[error("已于 {first} 发出收费通知，每件申请只能选择一种计收方式、发出一次收费通知（国办函〔2020〕109号第三条）")]
    SecondFeeNotice {
        /// The first notice's date.
        first: NaiveDate,
    },
    /// The amount is not the tariff's.
    #[error("收费金额 {given} 元与{method}标准不符：{units} 计应为 {expected} 元（国办函〔2020〕109号第四、五条）", method = method_label(*.method))]
    FeeAmountMismatch {
        /// The method.
        method: FeeMethod,
        /// The units.
        units: u32,
        /// The tariff's amount.
        expected: String,
        /// The amount on the notice.
        given: String,
    },
    /// The quantity lies in the free tier.
    #[error("{units} 计在{method}的免费范围内，不收取信息处理费（国办函〔2020〕109号第四、五条）", method = method_label(*.method))]
    FeeInFreeTier {
        /// The method.
        method: FeeMethod,
        /// The units.
        units: u32,
    },
    /// A payment without a notice.
    #[error("尚未发出收费通知，不能记录缴费")]
    FeePaidWithoutNotice,
    /// The fee is paid once.
    #[error("费用已于 {first} 缴纳")]
    SecondFeePayment {
        /// The payment date.
        first: NaiveDate,
    },
    /// A reply must carry an outcome leaf.
    #[error("“{row}”不是办理结果的具体项，答复须计入表三“三、本年度办理结果”中的一个具体项（不能是总计或其他处理合计）", row = outcome_label(*.outcome))]
    NotAnOutcomeLeaf {
        /// The outcome given.
        outcome: RequestRow,
    },
    /// no_correction needs a correction notice.
    #[error("未发出补正告知，不能以“逾期不补正”答复（第三十条）")]
    NoCorrectionWithoutNotice,
    /// no_correction, yet the correction arrived.
    #[error("补正后的申请已于 {corrected_on} 收到，不能以“逾期不补正”答复")]
    NoCorrectionButCorrected {
        /// When the correction arrived.
        corrected_on: NaiveDate,
    },
    /// no_correction before the period lapsed.
    #[error("补正期限至 {period_ends} 届满，届满前不能以“逾期不补正”答复（第三十条）")]
    NoCorrectionBeforePeriodEnd {
        /// The last day of the correction period.
        period_ends: NaiveDate,
    },
    /// fee_unpaid needs a fee notice.
    #[error("未发出收费通知，不能以“逾期未缴费”答复")]
    FeeUnpaidWithoutNotice,
    /// fee_unpaid, yet the fee was paid.
    #[error("费用已于 {paid_on} 缴纳，不能以“逾期未缴费”答复")]
    FeeUnpaidButPaid {
        /// The payment date.
        paid_on: NaiveDate,
    },
    /// fee_unpaid before the payment period lapsed.
    #[error("缴费期限至 {payment_due} 届满（收到收费通知次日起20个工作日），届满前不能以“逾期未缴费”答复")]
    FeeUnpaidBeforePeriodEnd {
        /// The last day of the payment period.
        payment_due: NaiveDate,
    },
    /// still_unclear needs a corrected request.
    #[error("尚未收到补正后的申请，不能以“补正后申请内容仍不明确”答复")]
    StillUnclearWithoutCorrection,
    /// A date the clock or the calendar cannot handle.
    #[error(transparent)]
    Clock(#[from] ClockError),
}

/// An impossible transition: which event (position, kind, date) and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionError {
    /// The 0-based position of the refused event in the list (for [`apply`], the new event is at
    /// `events_so_far.len()`); `None` when the fault is the request's own (its dates cannot be
    /// computed).
    pub index: Option<usize>,
    /// The event kind's glossary name ([`event_name`]); `None` with `index`.
    pub event: Option<&'static str>,
    /// The event's date (the receipt date when `index` is `None`).
    pub on: NaiveDate,
    /// Why.
    pub reason: Refusal,
}

impl fmt::Display for TransitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.index, self.event) {
            (Some(i), Some(name)) => {
                let zh = zh_of_name(name);
                write!(f, "第{}个事件“{zh}”（{}）不能记录：{}", i + 1, self.on, self.reason)
            }
            _ => write!(f, "申请（{} 收到）的期限无法计算：{}", self.on, self.reason),
        }
    }
}

impl std::error::Error for TransitionError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.reason)
    }
}

/// The Chinese name of an event kind, by its glossary name (`reply` → 答复); `事件` for an
/// unknown name.
pub fn zh_of_name(name: &str) -> &'static str {
    event_label_of(name).unwrap_or("事件")
}

// ---------------------------------------------------------------------------------------------
// The state machine

struct Machine<'a> {
    cal: &'a Calendar,
    received: NaiveDate,
    last: Option<NaiveDate>,
    correction_notice_due: NaiveDate,
    correction_notice_late: bool,
    correction: Option<CorrectionState>,
    extension: Option<ExtensionState>,
    consultations: Vec<ConsultationState>,
    fee: Option<FeeState>,
    finished: Option<(NaiveDate, RequestRow, bool)>,
    warnings: Vec<String>,
}

fn add_days(from: NaiveDate, days: u32) -> Result<NaiveDate, ClockError> {
    from.checked_add_days(Days::new(u64::from(days)))
        .ok_or(ClockError::Calendar(CalendarError::DateOutOfRange { from }))
}

fn add_working_days(cal: &Calendar, from: NaiveDate, n: u32) -> Result<NaiveDate, ClockError> {
    Ok(cal.nth_working_day_after(from, n)?)
}

impl<'a> Machine<'a> {
    fn new(cal: &'a Calendar, request: &Request) -> Result<Machine<'a>, TransitionError> {
        let received = request.received_on;
        let due = add_working_days(cal, received, clock::CORRECTION_NOTICE_PERIOD).map_err(|e| TransitionError {
            index: None,
            event: None,
            on: received,
            reason: Refusal::Clock(e),
        })?;
        Ok(Machine {
            cal,
            received,
            last: None,
            correction_notice_due: due,
            correction_notice_late: false,
            correction: None,
            extension: None,
            consultations: Vec::new(),
            fee: None,
            finished: None,
            warnings: Vec::new(),
        })
    }

    /// The due date in force on `on` (open pauses through `on`).
    fn due_on(&self, on: NaiveDate) -> Result<NaiveDate, ClockError> {
        let input = derive_input(
            self.received,
            self.correction.as_ref(),
            self.extension.is_some(),
            &self.consultations,
            self.fee.as_ref(),
            on,
        );
        Ok(clock::due_date(self.cal, &input)?.due)
    }

    fn step(&mut self, index: usize, event: &Event) -> Result<(), TransitionError> {
        let on = event.on;
        let refuse =
            |reason: Refusal| TransitionError { index: Some(index), event: Some(event_name(&event.kind)), on, reason };
        if let Some((finished_on, _, withdrawn)) = self.finished {
            return Err(refuse(Refusal::AfterFinish { finished_on, withdrawn }));
        }
        if on < self.received {
            return Err(refuse(Refusal::BeforeReceipt { received: self.received }));
        }
        if let Some(previous) = self.last {
            if on < previous {
                return Err(refuse(Refusal::BeforePrevious { previous }));
            }
        }
        self.transition(on, &event.kind).map_err(refuse)?;
        self.last = Some(on);
        Ok(())
    }

    fn warn(&mut self, on: NaiveDate, kind: &EventKind, zh: String, en: String) {
        self.warnings.push(format!("{on} {}：{zh} ({} on {on}: {en})", event_label(kind), event_name(kind)));
    }

    fn transition(&mut self, on: NaiveDate, kind: &EventKind) -> Result<(), Refusal> {
        match kind {
            EventKind::CorrectionNotice { period_days, .. } => {
                if let Some(c) = &self.correction {
                    return Err(Refusal::SecondCorrectionNotice { first: c.notice_on });
                }
                if *period_days == 0 {
                    return Err(Refusal::NoCorrectionPeriod);
                }
                let period_ends = add_days(on, *period_days)?;
                if on > self.correction_notice_due {
                    self.correction_notice_late = true;
                    let due = self.correction_notice_due;
                    self.warn(
                        on,
                        kind,
                        format!("补正告知应在收到申请后7个工作日内（{due}前）发出，已逾期（第三十条）"),
                        format!("the correction notice was due within 7 working days of receipt (by {due}, Art. 30); it is late"),
                    );
                }
                self.correction =
                    Some(CorrectionState { notice_on: on, period_days: *period_days, period_ends, received_on: None });
            }
            EventKind::CorrectionReceived => {
                let Some(c) = &mut self.correction else {
                    return Err(Refusal::CorrectionWithoutNotice);
                };
                if let Some(first) = c.received_on {
                    return Err(Refusal::SecondCorrection { first });
                }
                c.received_on = Some(on);
                let ends = c.period_ends;
                if on > ends {
                    self.warn(
                        on,
                        kind,
                        format!("补正期限已于 {ends} 届满，逾期收到的补正已被接受"),
                        format!("the correction period ended on {ends}; the late correction was accepted"),
                    );
                }
            }
            EventKind::Extension { approver, .. } => {
                if let Some(e) = &self.extension {
                    return Err(Refusal::SecondExtension { first: e.on });
                }
                if approver.trim().is_empty() {
                    return Err(Refusal::ExtensionWithoutApprover);
                }
                let due = self.due_on(on)?;
                if on > due {
                    return Err(Refusal::ExtensionAfterDue { due });
                }
                self.extension = Some(ExtensionState { on, approver: approver.clone() });
            }
            EventKind::ConsultationSent { party } => {
                let answer_period_ends = add_working_days(self.cal, on, CONSULTATION_ANSWER_PERIOD)?;
                self.consultations.push(ConsultationState {
                    party: party.clone(),
                    sent_on: on,
                    answer_period_ends,
                    answered_on: None,
                });
            }
            EventKind::ConsultationAnswered => {
                let Some(c) = self.consultations.iter_mut().find(|c| c.answered_on.is_none()) else {
                    return Err(Refusal::NoOpenConsultation);
                };
                c.answered_on = Some(on);
                let (ends, sent) = (c.answer_period_ends, c.sent_on);
                if on > ends {
                    self.warn(
                        on,
                        kind,
                        format!("{sent} 发出的征求意见答复期限（15个工作日）已于 {ends} 届满，逾期期间仍按记录不计入答复期限"),
                        format!("the 15-working-day answer period of the consultation sent on {sent} ended on {ends}; the recorded later date still stops the clock"),
                    );
                }
            }
            EventKind::FeeNotice { method, units, amount_yuan } => {
                if let Some(f) = &self.fee {
                    return Err(Refusal::SecondFeeNotice { first: f.notice_on });
                }
                let quote = match method {
                    FeeMethod::PerRequest => fees::per_request(*units),
                    FeeMethod::PerPage => fees::per_page(*units),
                };
                let expected = Amount::parse(&quote.amount_yuan).ok();
                if expected.as_ref() != Some(amount_yuan) {
                    return Err(Refusal::FeeAmountMismatch {
                        method: *method,
                        units: *units,
                        expected: quote.amount_yuan,
                        given: amount_yuan.to_string(),
                    });
                }
                if amount_yuan.as_str() == "0" {
                    return Err(Refusal::FeeInFreeTier { method: *method, units: *units });
                }
                let due = self.due_on(on)?;
                if on > due {
                    self.warn(
                        on,
                        kind,
                        format!("收费通知应在答复期限内发出，答复期限已于 {due} 届满"),
                        format!("a fee notice belongs within the reply period, which ended on {due}"),
                    );
                }
                let payment_due = add_working_days(self.cal, on, FEE_PAYMENT_PERIOD)?;
                self.fee = Some(FeeState {
                    notice_on: on,
                    method: *method,
                    units: *units,
                    amount_yuan: amount_yuan.clone(),
                    payment_due,
                    paid_on: None,
                });
            }
            EventKind::FeePaid => {
                let Some(f) = &mut self.fee else {
                    return Err(Refusal::FeePaidWithoutNotice);
                };
                if let Some(first) = f.paid_on {
                    return Err(Refusal::SecondFeePayment { first });
                }
                f.paid_on = Some(on);
                let due = f.payment_due;
                if on > due {
                    self.warn(
                        on,
                        kind,
                        format!("缴费期限已于 {due} 届满，逾期缴费已被接受"),
                        format!("the payment period ended on {due}; the late payment was accepted"),
                    );
                }
            }
            EventKind::Reply { outcome, .. } => {
                self.check_reply(on, *outcome)?;
                self.reply_warnings(on, kind, *outcome)?;
                self.finished = Some((on, *outcome, false));
            }
            EventKind::Withdrawal => {
                self.finished = Some((on, RequestRow::OtherHandlingOther, true));
            }
        }
        Ok(())
    }

    fn check_reply(&self, on: NaiveDate, outcome: RequestRow) -> Result<(), Refusal> {
        if !is_outcome_leaf(outcome) {
            return Err(Refusal::NotAnOutcomeLeaf { outcome });
        }
        match outcome {
            RequestRow::NoCorrection => {
                let Some(c) = &self.correction else {
                    return Err(Refusal::NoCorrectionWithoutNotice);
                };
                if let Some(corrected_on) = c.received_on {
                    return Err(Refusal::NoCorrectionButCorrected { corrected_on });
                }
                if on <= c.period_ends {
                    return Err(Refusal::NoCorrectionBeforePeriodEnd { period_ends: c.period_ends });
                }
            }
            RequestRow::FeeUnpaid => {
                let Some(f) = &self.fee else {
                    return Err(Refusal::FeeUnpaidWithoutNotice);
                };
                if let Some(paid_on) = f.paid_on {
                    return Err(Refusal::FeeUnpaidButPaid { paid_on });
                }
                if on <= f.payment_due {
                    return Err(Refusal::FeeUnpaidBeforePeriodEnd { payment_due: f.payment_due });
                }
            }
            RequestRow::StillUnclear => {
                let corrected = self.correction.as_ref().and_then(|c| c.received_on);
                if corrected.is_none() {
                    return Err(Refusal::StillUnclearWithoutCorrection);
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn reply_warnings(&mut self, on: NaiveDate, kind: &EventKind, outcome: RequestRow) -> Result<(), Refusal> {
        // Replies that close a request for the applicant's default are not late replies.
        if !matches!(outcome, RequestRow::NoCorrection | RequestRow::FeeUnpaid) {
            let due = self.due_on(on)?;
            if on > due {
                self.warn(
                    on,
                    kind,
                    format!("答复期限已于 {due} 届满，逾期答复（第三十三条）"),
                    format!("the reply period ended on {due}: a late reply (Art. 33)"),
                );
            }
        }
        let open = self.consultations.iter().filter(|c| c.answered_on.is_none()).count();
        if open > 0 {
            self.warn(
                on,
                kind,
                format!("答复时尚有{open}项征求意见未记录答复"),
                format!("{open} consultation(s) still had no recorded answer at the reply"),
            );
        }
        if outcome != RequestRow::NoCorrection {
            if let Some(c) = self.correction.as_ref().filter(|c| c.received_on.is_none()) {
                let notice = c.notice_on;
                self.warn(
                    on,
                    kind,
                    format!("{notice} 发出补正告知后尚未收到补正即作出答复"),
                    format!("replied while the correction requested on {notice} was still awaited"),
                );
            }
        }
        if outcome != RequestRow::FeeUnpaid {
            if let Some(f) = self.fee.as_ref().filter(|f| f.paid_on.is_none()) {
                let notice = f.notice_on;
                self.warn(
                    on,
                    kind,
                    format!("{notice} 发出的收费通知尚未缴费即作出答复"),
                    format!("replied while the fee notified on {notice} was unpaid"),
                );
            }
        }
        Ok(())
    }

    fn finish(self) -> Result<RequestState, TransitionError> {
        let as_of = self.finished.map(|(d, _, _)| d).or(self.last).unwrap_or(self.received);
        let input = derive_input(
            self.received,
            self.correction.as_ref(),
            self.extension.is_some(),
            &self.consultations,
            self.fee.as_ref(),
            as_of,
        );
        let deadline = clock::deadline(self.cal, &input).map_err(|e| TransitionError {
            index: None,
            event: None,
            on: self.received,
            reason: Refusal::Clock(e),
        })?;
        Ok(RequestState {
            received_on: self.received,
            as_of,
            deadline_input: input,
            deadline,
            finished_on: self.finished.map(|(d, _, _)| d),
            outcome: self.finished.map(|(_, r, _)| r),
            withdrawn: self.finished.is_some_and(|(_, _, w)| w),
            correction_notice_due: self.correction_notice_due,
            correction_notice_late: self.correction_notice_late,
            correction: self.correction,
            extension: self.extension,
            consultations: self.consultations,
            fee: self.fee,
            warnings: self.warnings,
        })
    }
}

/// Validates a request's whole event list and derives its state (see the module docs for the
/// rules). The first impossible event stops the replay with a [`TransitionError`] naming it.
pub fn replay(cal: &Calendar, request: &Request, events: &[Event]) -> Result<RequestState, TransitionError> {
    let mut m = Machine::new(cal, request)?;
    for (i, e) in events.iter().enumerate() {
        m.step(i, e)?;
    }
    m.finish()
}

/// The reply deadline as it stood after an event: what the applicant's and the console's
/// timelines show beside each step, so that the due date is seen to move (casework-documents.md
/// C4; issue 17 item 5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DueAfter {
    /// The last day to reply, counted through that day.
    Due(NaiveDate),
    /// Not counted while the office waits: the correction (Art. 30: the period then restarts from
    /// the corrected request), the fee (paused until paid), a third party's opinion (Art. 33 ¶3:
    /// not counted in the period). The words say which.
    Paused(&'static str),
    /// Replied or withdrawn: nothing is due.
    Finished,
}

impl DueAfter {
    /// In the pages' words: 「答复期限 2026-12-20」, 「待补正：收到补正后重新计算答复期限」, ….
    pub fn label(self) -> String {
        match self {
            DueAfter::Due(d) => format!("答复期限 {d}"),
            DueAfter::Paused(why) => why.to_string(),
            DueAfter::Finished => String::new(),
        }
    }
}

/// [`DueAfter`] each event of a valid sequence, in order (the state of every prefix replayed).
pub fn due_after_each(cal: &Calendar, request: &Request, events: &[Event]) -> Result<Vec<DueAfter>, TransitionError> {
    (1..=events.len())
        .map(|n| {
            let st = replay(cal, request, &events[..n])?;
            Ok(if st.is_finished() {
                DueAfter::Finished
            } else if st.correction.as_ref().is_some_and(|c| c.received_on.is_none()) {
                DueAfter::Paused("待补正：收到补正后重新计算答复期限")
            } else if st.fee.as_ref().is_some_and(|f| f.paid_on.is_none()) {
                DueAfter::Paused("待缴费：缴费前答复期限暂停计算")
            } else if st.consultations.iter().any(|c| c.answered_on.is_none()) {
                DueAfter::Paused("征求意见中：征求意见时间不计入答复期限")
            } else {
                DueAfter::Due(st.deadline.due)
            })
        })
        .collect()
}

/// Appends one event: validates `events_so_far` (as [`replay`] does), then `new_event` after
/// them, and returns the state with the new event. A refusal of the new event has
/// `index == Some(events_so_far.len())`.
pub fn apply(
    cal: &Calendar,
    request: &Request,
    events_so_far: &[Event],
    new_event: &Event,
) -> Result<RequestState, TransitionError> {
    let mut m = Machine::new(cal, request)?;
    for (i, e) in events_so_far.iter().enumerate() {
        m.step(i, e)?;
    }
    m.step(events_so_far.len(), new_event)?;
    m.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcome_labels_are_the_templates_words_without_keys() {
        assert_eq!(outcome_label(RequestRow::Granted), "（一）予以公开");
        let secret = outcome_label(RequestRow::StateSecret);
        assert!(secret.starts_with("（三）不予公开 — 1.") && secret.contains("国家秘密"), "{secret}");
        for r in outcome_leaves() {
            assert!(!outcome_label(r).contains("outcomes"), "{}", outcome_label(r));
        }
    }
    use crate::register::{Applicant, ApplicantType, Channel};

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn request(received: NaiveDate) -> Request {
        Request {
            agency: "330100".into(),
            tracking_number: "2024-001".into(),
            channel: Channel::Online,
            received_on: received,
            applicant: Applicant {
                id_document_type: None,
                kind: ApplicantType::NaturalPerson,
                name: "张三".into(),
                id_document: None,
                contact: None,
            },
            content: "某项目的批复文件".into(),
            requested_form: None,
            delivery: None,
        }
    }

    fn ev(on: NaiveDate, kind: EventKind) -> Event {
        Event { on, by: "李四".into(), kind }
    }

    fn reply(on: NaiveDate, outcome: RequestRow) -> Event {
        ev(on, EventKind::Reply { outcome, document: None })
    }

    fn notice(on: NaiveDate, period_days: u32) -> Event {
        ev(on, EventKind::CorrectionNotice { note: "请明确所需信息".into(), period_days })
    }

    fn fee_notice(on: NaiveDate, pages: u32) -> Event {
        let amount = Amount::parse(&fees::per_page(pages).amount_yuan).unwrap();
        ev(on, EventKind::FeeNotice { method: FeeMethod::PerPage, units: pages, amount_yuan: amount })
    }

    fn extension(on: NaiveDate, approver: &str) -> Event {
        ev(on, EventKind::Extension { approver: approver.into(), reason: "需要调取档案".into() })
    }

    #[test]
    fn the_due_date_after_each_event_moves_as_the_regulations_say() {
        let cal = Calendar::official();
        // Received Monday 2 December 2024: 20 working days end on 30 December.
        let r = request(d(2024, 12, 2));
        let events = [
            notice(d(2024, 12, 4), 15),
            ev(d(2024, 12, 10), EventKind::CorrectionReceived),
            fee_notice(d(2024, 12, 12), 120),
            ev(d(2024, 12, 16), EventKind::FeePaid),
            reply(d(2024, 12, 20), RequestRow::Granted),
        ];
        let due = due_after_each(&cal, &r, &events).unwrap();
        assert_eq!(due[0], DueAfter::Paused("待补正：收到补正后重新计算答复期限"));
        // Art. 30: the period restarts from the corrected request (10 December): later than the
        // due date of the request as filed, and what the clock says for that sequence.
        let filed = replay(&cal, &r, &[]).unwrap().deadline.due;
        let restarted = replay(&cal, &r, &events[..2]).unwrap().deadline.due;
        assert!(restarted > filed, "{restarted} after {filed}");
        assert_eq!(due[1], DueAfter::Due(restarted));
        assert!(matches!(due[2], DueAfter::Paused(w) if w.starts_with("待缴费")));
        // The fee pause (notice to payment) is added: later than before the fee notice.
        let DueAfter::Due(after_fee) = due[3] else { panic!("{:?}", due[3]) };
        assert!(after_fee > restarted, "{after_fee}");
        assert_eq!(due[4], DueAfter::Finished);
        assert_eq!(due[1].label(), format!("答复期限 {restarted}"));
        assert_eq!(due[4].label(), "");
    }

    fn refused(events: &[Event]) -> TransitionError {
        let cal = Calendar::official();
        replay(&cal, &request(d(2024, 3, 1)), events).unwrap_err()
    }

    #[test]
    fn leaves_are_the_21_of_2021() {
        let leaves = outcome_leaves();
        assert_eq!(leaves.len(), 21);
        for r in [
            RequestRow::Received,
            RequestRow::CarriedOver,
            RequestRow::OtherHandlingTotal,
            RequestRow::OutcomesTotal,
            RequestRow::CarriedForward,
        ] {
            assert!(!is_outcome_leaf(r), "{r:?}");
        }
        assert!(leaves.contains(&RequestRow::NoCorrection));
        assert!(leaves.contains(&RequestRow::Granted));
    }

    #[test]
    fn event_before_receipt_is_refused() {
        let e = refused(&[reply(d(2024, 2, 29), RequestRow::Granted)]);
        assert_eq!(e.index, Some(0));
        assert_eq!(e.reason, Refusal::BeforeReceipt { received: d(2024, 3, 1) });
        let s = e.to_string();
        assert!(s.contains("第1个事件“答复”（2024-02-29）不能记录："), "{s}");
        assert!(s.contains("收到申请之日") && !s.contains("receipt date"), "{s}");
    }

    #[test]
    fn event_before_previous_is_refused() {
        let e = refused(&[
            notice(d(2024, 3, 5), 10),
            ev(d(2024, 3, 4), EventKind::ConsultationSent { party: "甲公司".into() }),
        ]);
        assert_eq!(e.index, Some(1));
        assert_eq!(e.reason, Refusal::BeforePrevious { previous: d(2024, 3, 5) });
    }

    #[test]
    fn nothing_after_reply_or_withdrawal() {
        let e = refused(&[reply(d(2024, 3, 5), RequestRow::Granted), ev(d(2024, 3, 6), EventKind::Withdrawal)]);
        assert_eq!(e.reason, Refusal::AfterFinish { finished_on: d(2024, 3, 5), withdrawn: false });
        let e = refused(&[ev(d(2024, 3, 5), EventKind::Withdrawal), reply(d(2024, 3, 5), RequestRow::Granted)]);
        assert_eq!(e.reason, Refusal::AfterFinish { finished_on: d(2024, 3, 5), withdrawn: true });
        assert!(e.to_string().contains("撤回"), "{e}");
    }

    #[test]
    fn one_correction_notice_only() {
        let e = refused(&[notice(d(2024, 3, 4), 10), notice(d(2024, 3, 5), 10)]);
        assert_eq!(e.reason, Refusal::SecondCorrectionNotice { first: d(2024, 3, 4) });
        assert!(e.to_string().contains("一次性告知"), "{e}");
        let e = refused(&[notice(d(2024, 3, 4), 0)]);
        assert_eq!(e.reason, Refusal::NoCorrectionPeriod);
    }

    #[test]
    fn correction_needs_a_notice_and_comes_once() {
        let e = refused(&[ev(d(2024, 3, 4), EventKind::CorrectionReceived)]);
        assert_eq!(e.reason, Refusal::CorrectionWithoutNotice);
        let e = refused(&[
            notice(d(2024, 3, 4), 10),
            ev(d(2024, 3, 6), EventKind::CorrectionReceived),
            ev(d(2024, 3, 7), EventKind::CorrectionReceived),
        ]);
        assert_eq!(e.reason, Refusal::SecondCorrection { first: d(2024, 3, 6) });
    }

    #[test]
    fn extension_rules() {
        // Received Fri 2024-03-01: due Fri 2024-03-29 (20 working days, no holidays).
        let cal = Calendar::official();
        let s = replay(&cal, &request(d(2024, 3, 1)), &[]).unwrap();
        assert_eq!(s.deadline.due, d(2024, 3, 29));
        let e = refused(&[extension(d(2024, 4, 1), "王主任")]);
        assert_eq!(e.reason, Refusal::ExtensionAfterDue { due: d(2024, 3, 29) });
        let e = refused(&[extension(d(2024, 3, 20), "  ")]);
        assert_eq!(e.reason, Refusal::ExtensionWithoutApprover);
        let e = refused(&[extension(d(2024, 3, 20), "王主任"), extension(d(2024, 3, 21), "王主任")]);
        assert_eq!(e.reason, Refusal::SecondExtension { first: d(2024, 3, 20) });
        // On the due date itself it is still in time.
        let s = replay(&cal, &request(d(2024, 3, 1)), &[extension(d(2024, 3, 29), "王主任")]).unwrap();
        assert_eq!(s.deadline.original_due, Some(d(2024, 3, 29)));
        assert!(s.deadline.due > d(2024, 3, 29));
    }

    #[test]
    fn answer_needs_an_open_consultation() {
        let e = refused(&[ev(d(2024, 3, 4), EventKind::ConsultationAnswered)]);
        assert_eq!(e.reason, Refusal::NoOpenConsultation);
        let e = refused(&[
            ev(d(2024, 3, 4), EventKind::ConsultationSent { party: "甲".into() }),
            ev(d(2024, 3, 6), EventKind::ConsultationAnswered),
            ev(d(2024, 3, 7), EventKind::ConsultationAnswered),
        ]);
        assert_eq!(e.index, Some(2));
        assert_eq!(e.reason, Refusal::NoOpenConsultation);
    }

    #[test]
    fn fee_rules() {
        let e = refused(&[ev(d(2024, 3, 4), EventKind::FeePaid)]);
        assert_eq!(e.reason, Refusal::FeePaidWithoutNotice);
        let e = refused(&[fee_notice(d(2024, 3, 4), 120), fee_notice(d(2024, 3, 5), 120)]);
        assert_eq!(e.reason, Refusal::SecondFeeNotice { first: d(2024, 3, 4) });
        let e = refused(&[ev(
            d(2024, 3, 4),
            EventKind::FeeNotice {
                method: FeeMethod::PerPage,
                units: 120,
                amount_yuan: Amount::parse("35.62").unwrap(),
            },
        )]);
        assert_eq!(
            e.reason,
            Refusal::FeeAmountMismatch {
                method: FeeMethod::PerPage,
                units: 120,
                expected: "1100".into(),
                given: "35.62".into()
            }
        );
        let e = refused(&[ev(
            d(2024, 3, 4),
            EventKind::FeeNotice { method: FeeMethod::PerRequest, units: 10, amount_yuan: Amount::from_int(0) },
        )]);
        assert_eq!(e.reason, Refusal::FeeInFreeTier { method: FeeMethod::PerRequest, units: 10 });
        let e = refused(&[
            fee_notice(d(2024, 3, 4), 120),
            ev(d(2024, 3, 5), EventKind::FeePaid),
            ev(d(2024, 3, 6), EventKind::FeePaid),
        ]);
        assert_eq!(e.reason, Refusal::SecondFeePayment { first: d(2024, 3, 5) });
    }

    #[test]
    fn reply_needs_an_outcome_leaf() {
        for bad in [
            RequestRow::OutcomesTotal,
            RequestRow::OtherHandlingTotal,
            RequestRow::Received,
            RequestRow::CarriedOver,
            RequestRow::CarriedForward,
        ] {
            let e = refused(&[reply(d(2024, 3, 5), bad)]);
            assert_eq!(e.reason, Refusal::NotAnOutcomeLeaf { outcome: bad });
        }
        let s = refused(&[reply(d(2024, 3, 5), RequestRow::OutcomesTotal)]).to_string();
        assert!(!s.contains("outcomes.total") && s.contains("（七）总计"), "{s}");
    }

    #[test]
    fn no_correction_needs_a_lapsed_notice() {
        let e = refused(&[reply(d(2024, 3, 5), RequestRow::NoCorrection)]);
        assert_eq!(e.reason, Refusal::NoCorrectionWithoutNotice);
        // Notice 3/4 with 10 days: the period ends 3/14.
        let e = refused(&[notice(d(2024, 3, 4), 10), reply(d(2024, 3, 14), RequestRow::NoCorrection)]);
        assert_eq!(e.reason, Refusal::NoCorrectionBeforePeriodEnd { period_ends: d(2024, 3, 14) });
        let e = refused(&[
            notice(d(2024, 3, 4), 10),
            ev(d(2024, 3, 8), EventKind::CorrectionReceived),
            reply(d(2024, 3, 20), RequestRow::NoCorrection),
        ]);
        assert_eq!(e.reason, Refusal::NoCorrectionButCorrected { corrected_on: d(2024, 3, 8) });
        let cal = Calendar::official();
        let s = replay(
            &cal,
            &request(d(2024, 3, 1)),
            &[notice(d(2024, 3, 4), 10), reply(d(2024, 3, 15), RequestRow::NoCorrection)],
        )
        .unwrap();
        assert_eq!(s.outcome, Some(RequestRow::NoCorrection));
    }

    #[test]
    fn fee_unpaid_needs_an_unpaid_lapsed_notice() {
        let e = refused(&[reply(d(2024, 3, 5), RequestRow::FeeUnpaid)]);
        assert_eq!(e.reason, Refusal::FeeUnpaidWithoutNotice);
        // Notice Mon 3/4: 20 working days → Mon 4/1 (no holiday; 清明 is 4/4).
        let e = refused(&[fee_notice(d(2024, 3, 4), 120), reply(d(2024, 4, 1), RequestRow::FeeUnpaid)]);
        assert_eq!(e.reason, Refusal::FeeUnpaidBeforePeriodEnd { payment_due: d(2024, 4, 1) });
        let e = refused(&[
            fee_notice(d(2024, 3, 4), 120),
            ev(d(2024, 3, 6), EventKind::FeePaid),
            reply(d(2024, 4, 10), RequestRow::FeeUnpaid),
        ]);
        assert_eq!(e.reason, Refusal::FeeUnpaidButPaid { paid_on: d(2024, 3, 6) });
        let cal = Calendar::official();
        let s = replay(
            &cal,
            &request(d(2024, 3, 1)),
            &[fee_notice(d(2024, 3, 4), 120), reply(d(2024, 4, 2), RequestRow::FeeUnpaid)],
        )
        .unwrap();
        assert_eq!(s.outcome, Some(RequestRow::FeeUnpaid));
    }

    #[test]
    fn still_unclear_needs_a_correction() {
        let e = refused(&[notice(d(2024, 3, 4), 10), reply(d(2024, 3, 20), RequestRow::StillUnclear)]);
        assert_eq!(e.reason, Refusal::StillUnclearWithoutCorrection);
        let cal = Calendar::official();
        let s = replay(
            &cal,
            &request(d(2024, 3, 1)),
            &[
                notice(d(2024, 3, 4), 10),
                ev(d(2024, 3, 8), EventKind::CorrectionReceived),
                reply(d(2024, 3, 20), RequestRow::StillUnclear),
            ],
        )
        .unwrap();
        assert_eq!(s.outcome, Some(RequestRow::StillUnclear));
        assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    }

    #[test]
    fn apply_refuses_with_the_new_events_index() {
        let cal = Calendar::official();
        let req = request(d(2024, 3, 1));
        let so_far = [notice(d(2024, 3, 4), 10)];
        let e = apply(&cal, &req, &so_far, &notice(d(2024, 3, 5), 5)).unwrap_err();
        assert_eq!(e.index, Some(1));
        assert_eq!(e.event, Some("correction_notice"));
        let s = apply(&cal, &req, &so_far, &ev(d(2024, 3, 6), EventKind::CorrectionReceived)).unwrap();
        let mut all = so_far.to_vec();
        all.push(ev(d(2024, 3, 6), EventKind::CorrectionReceived));
        assert_eq!(Ok(s), replay(&cal, &req, &all));
    }

    #[test]
    fn late_correction_notice_is_a_warning() {
        let cal = Calendar::official();
        // Received Fri 3/1: notice due by the 7th working day, Tue 3/12.
        let s = replay(&cal, &request(d(2024, 3, 1)), &[notice(d(2024, 3, 12), 10)]).unwrap();
        assert_eq!(s.correction_notice_due, d(2024, 3, 12));
        assert!(!s.correction_notice_late);
        let s = replay(&cal, &request(d(2024, 3, 1)), &[notice(d(2024, 3, 13), 10)]).unwrap();
        assert!(s.correction_notice_late);
        assert_eq!(s.warnings.len(), 1);
        assert!(s.warnings[0].contains("7个工作日"), "{:?}", s.warnings);
    }

    #[test]
    fn withdrawal_counts_as_other_handling_other() {
        let cal = Calendar::official();
        let s = replay(&cal, &request(d(2024, 3, 1)), &[ev(d(2024, 3, 8), EventKind::Withdrawal)]).unwrap();
        assert_eq!(s.outcome, Some(RequestRow::OtherHandlingOther));
        assert!(s.withdrawn);
        assert_eq!(s.finished_on, Some(d(2024, 3, 8)));
        assert_eq!(s.status(&cal, d(2024, 3, 8)), Status::Withdrawn);
    }

    #[test]
    fn statuses() {
        let cal = Calendar::official();
        let req = request(d(2024, 3, 1));
        let s = replay(&cal, &req, &[]).unwrap();
        // Due Fri 3/29.
        assert_eq!(s.status(&cal, d(2024, 3, 1)), Status::Open);
        // Five working days before: 3/22 → 3/25..3/29 is the 5th.
        assert_eq!(s.status(&cal, d(2024, 3, 21)), Status::Open);
        assert_eq!(s.status(&cal, d(2024, 3, 22)), Status::DueSoon);
        assert_eq!(s.status(&cal, d(2024, 3, 29)), Status::DueSoon);
        assert_eq!(s.status(&cal, d(2024, 3, 30)), Status::Overdue);
        assert_eq!(s.status_on(&cal, d(2024, 3, 28), 0), Status::Open);
        assert_eq!(s.status_on(&cal, d(2024, 3, 29), 0), Status::DueSoon);
        let s = replay(&cal, &req, &[reply(d(2024, 3, 20), RequestRow::Granted)]).unwrap();
        assert_eq!(s.status(&cal, d(2024, 3, 19)), Status::Open);
        assert_eq!(s.status(&cal, d(2024, 3, 20)), Status::Replied);
        assert_eq!(s.status(&cal, d(2030, 1, 1)), Status::Replied);
    }

    /// B4.7 (Arts. 32–33): the third party's consultation has its own clock — 15 working days to
    /// answer — and pauses the reply period only within it.
    #[test]
    fn b4_7_open_consultation_pauses_until_today_within_its_period() {
        let cal = Calendar::official();
        let req = request(d(2024, 3, 1));
        let sent = ev(d(2024, 3, 4), EventKind::ConsultationSent { party: "甲".into() });
        let s = replay(&cal, &req, std::slice::from_ref(&sent)).unwrap();
        // As of the letter's day nothing is paused yet.
        assert_eq!(s.deadline.due, d(2024, 3, 29));
        // On Fri 3/8, four working days (3/5–3/8) are paused.
        let on = s.deadline_on(&cal, d(2024, 3, 8)).unwrap();
        let mut i = DeadlineInput::new(d(2024, 3, 1));
        i.consultations = vec![(d(2024, 3, 4), d(2024, 3, 8))];
        assert_eq!(on, clock::deadline(&cal, &i).unwrap());
        // 3/29 + 4 working days: 4/1, 4/2, 4/3, then 清明 (4/4–4/6), then Sunday 4/7 (调休).
        assert_eq!(on.due, d(2024, 4, 7));
        // The answer period (15 working days after 3/4) ends 3/25; later days are not paused.
        assert_eq!(s.consultations[0].answer_period_ends, d(2024, 3, 25));
        let late = s.deadline_on(&cal, d(2024, 6, 1)).unwrap();
        let capped = {
            let mut i = DeadlineInput::new(d(2024, 3, 1));
            i.consultations = vec![(d(2024, 3, 4), d(2024, 3, 25))];
            clock::deadline(&cal, &i).unwrap()
        };
        assert_eq!(late, capped);
        assert_eq!(s.status(&cal, d(2024, 3, 8)), Status::Open);
    }

    #[test]
    fn deadline_equals_the_clock_for_the_same_inputs() {
        let cal = Calendar::official();
        let req = request(d(2024, 3, 1));
        let events = [
            notice(d(2024, 3, 4), 10),
            ev(d(2024, 3, 8), EventKind::CorrectionReceived),
            ev(d(2024, 3, 12), EventKind::ConsultationSent { party: "甲".into() }),
            ev(d(2024, 3, 19), EventKind::ConsultationAnswered),
            fee_notice(d(2024, 3, 20), 150),
            ev(d(2024, 3, 27), EventKind::FeePaid),
            extension(d(2024, 4, 12), "王主任"),
            reply(d(2024, 4, 30), RequestRow::PartiallyGranted),
        ];
        let s = replay(&cal, &req, &events).unwrap();
        let input = DeadlineInput {
            received: d(2024, 3, 1),
            corrected: Some(d(2024, 3, 8)),
            extended: true,
            consultations: vec![(d(2024, 3, 12), d(2024, 3, 19))],
            fee_pauses: vec![(d(2024, 3, 20), d(2024, 3, 27))],
        };
        assert_eq!(s.deadline_input, input);
        assert_eq!(s.deadline, clock::deadline(&cal, &input).unwrap());
        assert_eq!(s.outcome, Some(RequestRow::PartiallyGranted));
        assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    }

    #[test]
    fn late_reply_and_open_pauses_warn() {
        let cal = Calendar::official();
        let s = replay(
            &cal,
            &request(d(2024, 3, 1)),
            &[
                ev(d(2024, 3, 4), EventKind::ConsultationSent { party: "甲".into() }),
                reply(d(2024, 6, 3), RequestRow::Granted),
            ],
        )
        .unwrap();
        assert_eq!(s.warnings.len(), 2, "{:?}", s.warnings);
        assert!(s.warnings[0].contains("逾期答复"), "{:?}", s.warnings);
        assert!(s.warnings[1].contains("征求意见"), "{:?}", s.warnings);
    }
}
