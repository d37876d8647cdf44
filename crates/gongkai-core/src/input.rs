//! What users type, checked once. The console's forms, the staff API, the command line and the
//! register workbook all build their records and then validate them here, so a rule about input
//! (a required text, a length, a date that has not happened yet) is written once and says the
//! same thing in every channel.
//!
//! The statutory rules of a request's course (which event may follow which, Arts. 30–33) are the
//! lifecycle's (`crate::lifecycle::apply`); these are the rules of the input itself.

use chrono::NaiveDate;

use chrono::Datelike;

use crate::register::{Article20Figures, Case, Event, EventKind, ProactiveDisclosure, Request};
use crate::report::CaseResult;

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
        return Err(InputError::new(field, format!("{label}：不能为空")));
    }
    if v.chars().count() > MAX_TEXT {
        return Err(InputError::new(field, format!("{label}：不能超过{MAX_TEXT}个字符")));
    }
    if v.chars().any(char::is_control) {
        return Err(InputError::new(field, format!("{label}：不能含控制字符")));
    }
    Ok(v.to_string())
}

/// A text of several lines (a request's content, a report's section) trimmed and checked: at
/// most `max` characters, no control characters besides line breaks and tabs (a NUL or an escape
/// pasted from elsewhere is refused, never printed in a reply or a report). Whether it may be
/// empty is the caller's: each says why it is needed in its own words.
pub fn long_text(field: &'static str, label: &str, value: &str, max: usize) -> Result<String, InputError> {
    let v = value.trim();
    if v.chars().count() > max {
        return Err(InputError::new(field, format!("{label}：不能超过{max}个字符")));
    }
    if v.chars().any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        return Err(InputError::new(field, format!("{label}：不能含控制字符")));
    }
    Ok(v.to_string())
}

/// Whether a text shows nothing (only white space and zero-width characters).
pub fn blank(v: &str) -> bool {
    v.chars().all(invisible)
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
        Err(InputError::new(field, format!("{label}：应为 1 至 {max} 的整数")))
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
            return Err(InputError::new("on", format!("日期：{} 在今天之后，不能预先登记", self.on)));
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

/// The channels a proactive disclosure is published through (Art. 23), by glossary name.
pub const PROACTIVE_CHANNELS: [&str; 4] = ["website", "gazette", "weibo", "wechat"];

/// The validities a directory entry can have (效力).
pub const VALIDITIES: [&str; 3] = ["有效", "失效", "废止"];

/// The earliest date any record may carry: the founding of the People's Republic (a document
/// in force today may be that old; anything earlier is a typing error).
pub fn earliest_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(1949, 10, 1).unwrap_or(NaiveDate::MIN)
}

/// A text limited to `max` characters (besides [`text`]'s rules).
pub fn bounded(
    field: &'static str,
    label: &str,
    value: &str,
    required: bool,
    max: usize,
) -> Result<String, InputError> {
    let v = text(field, label, value, required)?;
    if v.chars().count() > max {
        return Err(InputError::new(field, format!("{label}：不能超过{max}个字符")));
    }
    Ok(v)
}

/// The checked text, or an empty one with its error collected (for the constructors that list
/// every wrong field at once).
fn kept(errors: &mut Vec<InputError>, r: Result<String, InputError>) -> String {
    r.unwrap_or_else(|e| {
        errors.push(e);
        String::new()
    })
}

impl ProactiveDisclosure {
    /// The item with its texts trimmed, checked as input on `today`, alike for the console's
    /// form, `gongkai proactive add` and the workbook: 索引号 and 名称 required, each text within
    /// its length and free of control characters, the Article 20 item one of (一)–(十五), the
    /// channels known (the website when none is given, Art. 23), the validity one of
    /// 有效/失效/废止, and the publication date a real one that has happened.
    /// Every field that is wrong is listed (a workbook row or a form shows them all at once).
    pub fn validated(self, today: NaiveDate) -> Result<ProactiveDisclosure, Vec<InputError>> {
        let mut errors = Vec::new();
        let mut keep = |r: Result<String, InputError>| kept(&mut errors, r);
        let index_number = keep(bounded("index_number", "索引号", &self.index_number, true, 64));
        let title = keep(bounded("title", "名称", &self.title, true, 300));
        let document_number = self.document_number.map(|v| keep(bounded("document_number", "文号", &v, false, 100)));
        let category = self.category.map(|v| keep(bounded("category", "主题分类", &v, false, 60)));
        let validity = self.validity.map(|v| keep(bounded("validity", "效力", &v, false, 10)));
        if let Some(n) = self.article20_item.filter(|n| !(1..=15).contains(n)) {
            errors.push(InputError::new(
                "article20_item",
                format!("条例第二十条事项：应为（一）至（十五）之一，不是 {n}"),
            ));
        }
        let mut channels: Vec<String> = Vec::new();
        for c in self.channels.iter().map(|c| c.trim()).filter(|c| !c.is_empty()) {
            if !PROACTIVE_CHANNELS.contains(&c) {
                errors.push(InputError::new(
                    "channels",
                    format!("公开渠道：「{c}」不是可选的渠道，应为政府网站、政府公报、政务微博或政务微信"),
                ));
            } else if !channels.iter().any(|x| x == c) {
                channels.push(c.to_string());
            }
        }
        if channels.is_empty() {
            channels.push("website".to_string());
        }
        if let Some(v) = validity.as_deref().filter(|v| !v.is_empty() && !VALIDITIES.contains(v)) {
            errors.push(InputError::new("validity", format!("效力：「{v}」应为有效、失效或废止")));
        }
        if self.published_on > today {
            errors.push(InputError::new("published_on", format!("发布日期：不能晚于今天（{today}）")));
        } else if self.published_on < earliest_date() {
            errors.push(InputError::new("published_on", format!("发布日期：{} 不是有效的日期", self.published_on)));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let some = |v: Option<String>| v.filter(|v| !v.is_empty());
        let (document_number, category, validity) = (some(document_number), some(category), some(validity));
        Ok(ProactiveDisclosure {
            agency: self.agency.trim().to_string(),
            index_number,
            title,
            document_number,
            article20_item: self.article20_item,
            category,
            channels,
            published_on: self.published_on,
            validity,
        })
    }
}

/// The longest 申请人姓名或名称.
pub const MAX_APPLICANT_NAME: usize = 100;
/// The longest 证件号码 (an identity card has 18 characters; a passport or a credit code fewer).
pub const MAX_ID_DOCUMENT: usize = 60;
/// The longest 联系方式.
pub const MAX_CONTACT: usize = 200;
/// The longest 申请内容 (a description of the information asked for, Art. 29(二)).
pub const MAX_CONTENT: usize = 5000;

impl Request {
    /// The request with its texts trimmed, checked as input on `today`, alike for the online
    /// form, `gongkai request add` and the workbook: 受理编号, the applicant's name and the
    /// content required (Art. 29: who asks, and a description of the information), each text
    /// within its length and free of control characters (the content may have line breaks), the
    /// receipt date a real one no later than tomorrow (Art. 31: the day it was received; one day
    /// of slack for a clerk ahead of the server's midnight). Every field that is wrong is listed.
    pub fn validated(self, today: NaiveDate) -> Result<Request, Vec<InputError>> {
        let mut errors = Vec::new();
        let mut keep = |r: Result<String, InputError>| kept(&mut errors, r);
        let tracking_number = keep(bounded("tracking_number", "受理编号", &self.tracking_number, true, 64));
        let name = keep(bounded("name", "申请人姓名或名称", &self.applicant.name, true, MAX_APPLICANT_NAME));
        let mut optional = |field: &'static str, label: &str, v: Option<String>, max: usize| {
            v.map(|v| keep(bounded(field, label, &v, false, max))).filter(|v| !v.is_empty())
        };
        let id_document = optional("id_document", "证件号码", self.applicant.id_document, MAX_ID_DOCUMENT);
        let contact = optional("contact", "联系方式", self.applicant.contact, MAX_CONTACT);
        let requested_form = optional("form", "获取信息的形式", self.requested_form, 60);
        let delivery = optional("delivery", "获取信息的方式", self.delivery, 60);
        // With its type said, the number must be one of that type (check digits included).
        let id_document_type = self.applicant.id_document_type;
        if let Some(Err(e)) = id_document_type.map(|t| crate::identity::fits(self.applicant.kind, t)) {
            errors.push(e);
        }
        let id_document = match (id_document_type, id_document) {
            (Some(t), number) => match crate::identity::id_document(t, number.as_deref().unwrap_or("")) {
                Ok(v) => Some(v),
                Err(e) => {
                    errors.push(e);
                    None
                }
            },
            (None, number) => number,
        };
        let content = if blank(&self.content) {
            errors.push(InputError::new(
                "content",
                "申请内容：不能为空（条例第二十九条：申请公开的政府信息的名称、文号或者便于查询的其他特征性描述）",
            ));
            String::new()
        } else {
            kept(&mut errors, long_text("content", "申请内容", &self.content, MAX_CONTENT))
        };
        if self.received_on > today + chrono::Duration::days(1) {
            errors.push(InputError::new(
                "received_on",
                format!("收到日期：{} 在今天之后，不能预先登记", self.received_on),
            ));
        } else if self.received_on < earliest_date() {
            errors.push(InputError::new("received_on", format!("收到日期：{} 不是有效的日期", self.received_on)));
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Request {
            agency: self.agency.trim().to_string(),
            tracking_number,
            channel: self.channel,
            received_on: self.received_on,
            applicant: crate::register::Applicant {
                id_document_type,
                kind: self.applicant.kind,
                name,
                id_document,
                contact,
            },
            content,
            requested_form,
            delivery,
        })
    }
}

/// The results a decided case may have (尚未审结 is a case without one; 总计 is counted).
pub const CASE_RESULTS: [CaseResult; 3] = [CaseResult::Upheld, CaseResult::Corrected, CaseResult::Other];

impl Case {
    /// The case with its texts trimmed, checked as input on `today`, alike for the console's
    /// form, `gongkai case add|decide` and the workbook: 案件编号 required, the texts within their
    /// length, 立案日期 and 审结日期 real dates that have happened, the decision not before the
    /// filing, and a decided case with both its date and its result (结果维持、结果纠正、其他结果)
    /// — or neither, while 尚未审结. Every field that is wrong is listed.
    ///
    /// Whether the request it arose from is one of the agency's needs the register: the use case
    /// asks it after this.
    pub fn validated(self, today: NaiveDate) -> Result<Case, Vec<InputError>> {
        let mut errors = Vec::new();
        let number = bounded("number", "案件编号", &self.number, true, 64).map_err(|e| errors.push(e)).ok();
        let request = match self.request {
            Some(r) => bounded("request", "关联受理编号", &r, false, 64).map_err(|e| errors.push(e)).ok(),
            None => None,
        }
        .filter(|r| !r.is_empty());
        let happened = |field: &'static str, label: &str, d: NaiveDate| {
            if d > today {
                Some(InputError::new(field, format!("{label}：不能晚于今天（{today}）")))
            } else if d < earliest_date() {
                Some(InputError::new(field, format!("{label}：{d} 不是有效的日期")))
            } else {
                None
            }
        };
        errors.extend(happened("filed_on", "立案日期", self.filed_on));
        if let Some(d) = self.decided_on {
            match happened("decided_on", "审结日期", d) {
                Some(e) => errors.push(e),
                None if d < self.filed_on => {
                    errors.push(InputError::new("decided_on", format!("审结日期：{d} 早于立案日期 {}", self.filed_on)))
                }
                None => {}
            }
        }
        match (self.decided_on, self.result) {
            (_, Some(r)) if !CASE_RESULTS.contains(&r) => {
                errors.push(InputError::new("result", "结果：应为结果维持、结果纠正或其他结果之一"));
            }
            (Some(_), None) => errors.push(InputError::new("result", "结果：已填写审结日期，须选择结果")),
            (None, Some(_)) => errors.push(InputError::new("decided_on", "审结日期：已选择结果，须填写审结日期")),
            _ => {}
        }
        match number {
            Some(number) if errors.is_empty() => Ok(Case {
                agency: self.agency.trim().to_string(),
                number,
                group: self.group,
                request,
                filed_on: self.filed_on,
                decided_on: self.decided_on,
                result: self.result,
            }),
            _ => Err(errors),
        }
    }
}

/// The first year an annual report was due (the 2007 Regulations took effect on 1 May 2008).
pub const FIRST_REPORT_YEAR: i32 = 2008;

/// A count of one agency's year larger than this is a typing error, not a figure.
pub const MAX_FIGURE: i64 = 999_999_999;

/// The most digits before the decimal point of a fee total in 万元: 99,999,999 万元 is about a
/// trillion yuan, beyond any agency's year; more is a typing error (issue 21: 10^20 万元 was
/// accepted and printed in the report).
pub const MAX_FEES_WAN_YUAN_DIGITS: usize = 8;

/// The ten figures of table 2 an agency records (二、主动公开政府信息情况): (field, label naming
/// the cell). The labels are the workbook's column headers (docs/register-spreadsheet.md), so an
/// office sees the same names in the console, on the command line and in the workbook.
pub const ARTICLE20_FIELDS: [(&str, &str); 10] = [
    ("rules_issued", "规章本年制发件数"),
    ("rules_repealed", "规章本年废止件数"),
    ("rules_in_force", "规章现行有效件数"),
    ("normative_issued", "规范性文件本年制发件数"),
    ("normative_repealed", "规范性文件本年废止件数"),
    ("normative_in_force", "规范性文件现行有效件数"),
    ("licensing_decisions", "行政许可本年处理决定数量"),
    ("penalty_decisions", "行政处罚本年处理决定数量"),
    ("coercive_decisions", "行政强制本年处理决定数量"),
    ("fees_wan_yuan", "行政事业性收费本年收费金额（万元）"),
];

/// The label of an Article 20 figure by its field name.
pub fn article20_label(field: &str) -> &'static str {
    ARTICLE20_FIELDS.iter().find(|(f, _)| *f == field).map_or("年度", |(_, l)| *l)
}

impl Article20Figures {
    /// The nine counts in [`ARTICLE20_FIELDS`] order.
    pub fn counts(&self) -> [Option<i64>; 9] {
        [
            self.rules_issued,
            self.rules_repealed,
            self.rules_in_force,
            self.normative_issued,
            self.normative_repealed,
            self.normative_in_force,
            self.licensing_decisions,
            self.penalty_decisions,
            self.coercive_decisions,
        ]
    }

    /// The figures checked as input on `today`, alike for the console's form, `gongkai figures
    /// set` and the workbook: a reporting year from [`FIRST_REPORT_YEAR`] to this year, each
    /// count blank (not recorded: a blank cell of table 2, not a zero) or a whole number from 0
    /// to [`MAX_FIGURE`], and the fees (万元) not negative, to the 元 at most (four decimals),
    /// with at most [`MAX_FEES_WAN_YUAN_DIGITS`] digits before the point.
    /// Every field that is wrong is listed.
    pub fn validated(self, today: NaiveDate) -> Result<Article20Figures, Vec<InputError>> {
        let mut errors = Vec::new();
        let this_year = today.year();
        if !(FIRST_REPORT_YEAR..=this_year).contains(&self.year) {
            errors.push(InputError::new(
                "year",
                format!("年度：应为 {FIRST_REPORT_YEAR} 至 {this_year} 之间的年份，不是 {}", self.year),
            ));
        }
        for (value, (field, label)) in self.counts().iter().zip(ARTICLE20_FIELDS) {
            match value {
                Some(n) if *n < 0 => errors
                    .push(InputError::new(field, format!("{label}：应为不小于 0 的整数（未统计的留空），不是 {n}"))),
                Some(n) if *n > MAX_FIGURE => {
                    errors.push(InputError::new(field, format!("{label}：不能超过 {MAX_FIGURE}")))
                }
                _ => {}
            }
        }
        if let Some(fees) = &self.fees_wan_yuan {
            let (field, label) = ARTICLE20_FIELDS[9];
            if fees.as_str().starts_with('-') {
                errors.push(InputError::new(field, format!("{label}：不能为负数")));
            } else if fees.as_str().split_once('.').is_some_and(|(_, frac)| frac.len() > 4) {
                errors.push(InputError::new(field, format!("{label}：最多保留四位小数（精确到元）")));
            } else if fees.as_str().split('.').next().is_some_and(|whole| whole.len() > MAX_FEES_WAN_YUAN_DIGITS) {
                errors.push(InputError::new(
                    field,
                    format!("{label}：整数部分不能超过 {MAX_FEES_WAN_YUAN_DIGITS} 位（单位是万元），收到 {fees}"),
                ));
            }
        }
        if errors.is_empty() {
            Ok(Article20Figures { agency: self.agency.trim().to_string(), ..self })
        } else {
            Err(errors)
        }
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
        assert!(e.message.contains("不能超过2000个字符"), "{e}");
    }

    fn item() -> ProactiveDisclosure {
        ProactiveDisclosure {
            agency: "FIN".into(),
            index_number: " FIN-2026-0001 ".into(),
            title: "2026年部门预算".into(),
            document_number: Some("".into()),
            article20_item: Some(7),
            category: None,
            channels: vec![],
            published_on: day("2026-02-10"),
            validity: Some("有效".into()),
        }
    }

    #[test]
    fn a_proactive_item_is_checked_alike_everywhere() {
        let today = day("2026-11-27");
        let ok = item().validated(today).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(ok.index_number, "FIN-2026-0001");
        assert_eq!(ok.document_number, None, "a blank 文号 is none");
        assert_eq!(ok.channels, ["website"], "the website when no channel is given (Art. 23)");
        let cases: Vec<(ProactiveDisclosure, &str)> = vec![
            (ProactiveDisclosure { title: "\u{200B}".into(), ..item() }, "title"),
            (ProactiveDisclosure { title: "x".repeat(301), ..item() }, "title"),
            (ProactiveDisclosure { index_number: "A\u{0}B".into(), ..item() }, "index_number"),
            (ProactiveDisclosure { article20_item: Some(16), ..item() }, "article20_item"),
            (ProactiveDisclosure { channels: vec!["tiktok".into()], ..item() }, "channels"),
            (ProactiveDisclosure { validity: Some("作废".into()), ..item() }, "validity"),
            (ProactiveDisclosure { published_on: day("2026-11-28"), ..item() }, "published_on"),
            (ProactiveDisclosure { published_on: day("0001-01-01"), ..item() }, "published_on"),
        ];
        let two = ProactiveDisclosure { title: String::new(), validity: Some("作废".into()), ..item() };
        let fields: Vec<_> = two.validated(today).unwrap_err().iter().map(|e| e.field).collect();
        assert_eq!(fields, ["title", "validity"], "every wrong field is listed");
        for (bad, field) in cases {
            let fields = bad.validated(today).map_err(|e| e.iter().map(|e| e.field).collect::<Vec<_>>());
            assert_eq!(fields, Err(vec![field]));
        }
    }

    #[test]
    fn an_event_is_not_recorded_ahead_of_time() {
        let e = Event { on: day("2026-11-29"), by: "张三".into(), kind: EventKind::Withdrawal };
        let err = e.clone().validated(day("2026-11-27")).unwrap_err();
        assert_eq!(err.field, "on");
        assert!(err.message.contains("在今天之后"), "{err}");
        assert!(e.validated(day("2026-11-28")).is_ok(), "tomorrow is within the slack");
    }

    fn case() -> Case {
        Case {
            agency: "FIN".into(),
            number: " 复议〔2026〕1号 ".into(),
            group: crate::report::CaseGroup::Review,
            request: Some(" ".into()),
            filed_on: day("2026-03-01"),
            decided_on: Some(day("2026-05-01")),
            result: Some(CaseResult::Upheld),
        }
    }

    #[test]
    fn a_case_is_checked_alike_everywhere() {
        let today = day("2026-11-27");
        let ok = case().validated(today).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((ok.number.as_str(), ok.request), ("复议〔2026〕1号", None), "trimmed; a blank request is none");
        let pending = Case { decided_on: None, result: None, ..case() }.validated(today);
        assert!(pending.is_ok(), "尚未审结");
        let cases: Vec<(Case, &str, &str)> = vec![
            (Case { number: "\u{200B}".into(), ..case() }, "number", "案件编号：不能为空"),
            (Case { request: Some("号\u{7}".into()), ..case() }, "request", "关联受理编号：不能含控制字符"),
            (
                Case { filed_on: day("2026-11-28"), decided_on: None, result: None, ..case() },
                "filed_on",
                "立案日期：不能晚于今天",
            ),
            (Case { filed_on: day("1900-01-01"), ..case() }, "filed_on", "立案日期：1900-01-01 不是有效的日期"),
            (Case { decided_on: Some(day("2026-02-01")), ..case() }, "decided_on", "审结日期：2026-02-01 早于立案日期"),
            (Case { decided_on: Some(day("2026-12-01")), ..case() }, "decided_on", "审结日期：不能晚于今天"),
            (Case { result: Some(CaseResult::Pending), ..case() }, "result", "结果：应为结果维持"),
            (Case { result: None, ..case() }, "result", "结果：已填写审结日期"),
            (Case { decided_on: None, ..case() }, "decided_on", "审结日期：已选择结果"),
        ];
        for (bad, field, message) in cases {
            let errors = bad.validated(today).unwrap_err();
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert_eq!(errors[0].field, field);
            assert!(errors[0].message.starts_with(message), "{} should start with {message}", errors[0].message);
        }
    }

    #[test]
    fn article20_figures_are_checked_alike_everywhere() {
        let today = day("2026-11-27");
        let figures = |year| Article20Figures { agency: " FIN ".into(), year, ..Article20Figures::default() };
        let ok = Article20Figures { rules_issued: Some(0), ..figures(2025) }.validated(today);
        assert_eq!(ok.map(|f| (f.agency, f.rules_issued)), Ok(("FIN".to_string(), Some(0))));
        let amount = |s: &str| crate::report::Amount::parse(s).ok();
        let cases: Vec<(Article20Figures, &str, &str)> = vec![
            (figures(2007), "year", "年度：应为 2008 至 2026 之间的年份"),
            (figures(2027), "year", "年度：应为 2008 至 2026 之间的年份"),
            (
                Article20Figures { penalty_decisions: Some(-1), ..figures(2025) },
                "penalty_decisions",
                "行政处罚本年处理决定数量：应为不小于 0 的整数",
            ),
            (
                Article20Figures { licensing_decisions: Some(MAX_FIGURE + 1), ..figures(2025) },
                "licensing_decisions",
                "行政许可本年处理决定数量：不能超过",
            ),
            (
                Article20Figures { fees_wan_yuan: amount("-2"), ..figures(2025) },
                "fees_wan_yuan",
                "行政事业性收费本年收费金额（万元）：不能为负数",
            ),
            (
                Article20Figures { fees_wan_yuan: amount("1.23456"), ..figures(2025) },
                "fees_wan_yuan",
                "行政事业性收费本年收费金额（万元）：最多保留四位小数",
            ),
            (
                Article20Figures { fees_wan_yuan: amount("99999999999999999999"), ..figures(2025) },
                "fees_wan_yuan",
                "行政事业性收费本年收费金额（万元）：整数部分不能超过 8 位",
            ),
        ];
        for (bad, field, message) in cases {
            let errors = bad.validated(today).unwrap_err();
            assert_eq!(errors.len(), 1, "{errors:?}");
            assert_eq!(errors[0].field, field);
            assert!(errors[0].message.starts_with(message), "{} should start with {message}", errors[0].message);
        }
        let two = Article20Figures { rules_issued: Some(-1), fees_wan_yuan: amount("-1"), ..figures(2007) };
        let fields: Vec<_> = two.validated(today).unwrap_err().iter().map(|e| e.field).collect();
        assert_eq!(fields, ["year", "rules_issued", "fees_wan_yuan"], "every wrong field is listed");
    }

    fn request() -> Request {
        Request {
            agency: "FIN".into(),
            tracking_number: " 2026-001 ".into(),
            channel: crate::register::Channel::Letter,
            received_on: day("2026-11-20"),
            applicant: crate::register::Applicant {
                id_document_type: None,
                kind: crate::register::ApplicantType::NaturalPerson,
                name: " 张三 ".into(),
                id_document: Some("".into()),
                contact: Some("13800000000".into()),
            },
            content: "某地块征收补偿方案\n（2025年）".into(),
            requested_form: None,
            delivery: None,
        }
    }

    #[test]
    fn a_document_number_is_checked_by_its_type_on_every_channel() {
        use crate::identity::IdDocumentType;
        let today = day("2026-11-27");
        let typed = |t: IdDocumentType, number: &str| {
            let mut r = request();
            r.applicant.id_document_type = Some(t);
            r.applicant.id_document = Some(number.into());
            r.validated(today)
        };
        // Typed with a space and a lower-case x, stored as the standard writes it.
        let ok = typed(IdDocumentType::ResidentIdCard, "110105 19491231002x").unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(ok.applicant.id_document.as_deref(), Some("11010519491231002X"));
        assert_eq!(ok.applicant.id_document_type, Some(IdDocumentType::ResidentIdCard));
        let e = typed(IdDocumentType::ResidentIdCard, "110105194912310021").unwrap_err();
        assert_eq!(e[0].field, "id_document");
        assert!(e[0].message.contains("校验位"), "{e:?}");
        let e = typed(IdDocumentType::CreditCode, "91350100M000100Y43").unwrap_err();
        assert_eq!(e[0].field, "id_document_type", "a citizen with a credit code: {e:?}");
        // Without a type (a register kept elsewhere), the number is taken as written.
        let mut r = request();
        r.applicant.id_document = Some("12345".into());
        assert!(r.validated(today).is_ok());
    }

    #[test]
    fn a_request_is_checked_alike_everywhere() {
        let today = day("2026-11-27");
        let ok = request().validated(today).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!((ok.tracking_number.as_str(), ok.applicant.name.as_str()), ("2026-001", "张三"));
        assert_eq!(ok.applicant.id_document, None, "a blank document number is none");
        assert!(ok.content.contains('\n'), "the content keeps its line breaks");
        let with = |f: fn(&mut Request)| {
            let mut r = request();
            f(&mut r);
            r.validated(today).map_err(|e| e.iter().map(|e| e.field).collect::<Vec<_>>())
        };
        assert_eq!(with(|r| r.tracking_number = " ".into()), Err(vec!["tracking_number"]));
        assert_eq!(with(|r| r.applicant.name = "\u{200B}".into()), Err(vec!["name"]));
        assert_eq!(with(|r| r.applicant.id_document = Some("1".repeat(61))), Err(vec!["id_document"]));
        assert_eq!(with(|r| r.content = "内容\u{0}".into()), Err(vec!["content"]));
        assert_eq!(with(|r| r.content = " ".into()), Err(vec!["content"]));
        assert_eq!(with(|r| r.received_on = day("2026-11-29")), Err(vec!["received_on"]));
        assert_eq!(with(|r| r.received_on = day("1900-01-01")), Err(vec!["received_on"]));
        assert!(with(|r| r.received_on = day("2026-11-28")).is_ok(), "tomorrow is within the slack");
    }
}
