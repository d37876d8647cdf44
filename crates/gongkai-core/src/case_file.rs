//! 归档案卷: one request's whole file for the archive (Art. 45; casework-documents.md C4,
//! issue 17 item 8) — the registration form, every document issued, the attachments and the
//! course of the request — as data that the PDF and ZIP writers render. Built from the register
//! alone, so the file, the register and the annual report cannot disagree.

use chrono::NaiveDate;

use crate::casework::{self, IssuedDocument};
use crate::lifecycle;
use crate::register::{Event, Request};
use crate::template;

/// One request's file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFile {
    /// The agency's full name (落款 of its documents).
    pub agency_name: String,
    /// 受理编号.
    pub tracking_number: String,
    /// 登记表: label and value, in the order of the form.
    pub registration: Vec<(String, String)>,
    /// 办理过程: the receipt, then each event.
    pub steps: Vec<Step>,
    /// The documents, in issue order.
    pub documents: Vec<FiledDocument>,
    /// The attachments, by document and in the order attached.
    pub attachments: Vec<FiledAttachment>,
    /// 归档日期 (an input: "today" of whoever compiles the file).
    pub compiled_on: NaiveDate,
}

/// One step of the request's course.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// When.
    pub on: NaiveDate,
    /// What (收到申请, 补正告知, 答复, …).
    pub label: String,
    /// Who recorded it.
    pub by: String,
    /// What it says besides its kind.
    pub detail: String,
}

/// A document as filed: the document and how it reached its addressee.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FiledDocument {
    /// The document.
    pub issued: IssuedDocument,
    /// 送达: how, or 「待送达」.
    pub delivery: String,
}

/// An attachment as filed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FiledAttachment {
    /// The 文号 of the document it goes with.
    pub document: String,
    /// Its file name.
    pub file_name: String,
    /// Its media type.
    pub content_type: String,
    /// SHA-256 of the content, lowercase hex.
    pub sha256: String,
    /// The content.
    pub content: Vec<u8>,
}

/// What the registration form needs besides the request.
#[derive(Debug, Clone, Copy)]
pub struct Standing<'a> {
    /// The agency's full name.
    pub agency_name: &'a str,
    /// Where the request stands (办理中, 已答复, …).
    pub stage: &'a str,
    /// Its due date.
    pub due: NaiveDate,
}

/// 登记表: every field of the request as registered (the applicant's data unmasked: the file is
/// the agency's own record, Art. 45), the stage and the due date.
pub fn registration(request: &Request, standing: Standing<'_>) -> Vec<(String, String)> {
    let a = &request.applicant;
    let opt = |v: Option<&str>| v.filter(|s| !s.trim().is_empty()).unwrap_or("（未填写）").to_string();
    let id_document = match (a.id_document_type, a.id_document.as_deref()) {
        (Some(t), Some(n)) => format!("{}：{n}", t.label()),
        (None, n) => opt(n),
        (Some(t), None) => format!("{}（号码未填写）", t.label()),
    };
    let choice = |choices: &[(&str, &'static str)], v: Option<&str>| match v {
        Some(v) => choices.iter().find(|(n, _)| *n == v).map_or(v.to_string(), |(_, l)| (*l).to_string()),
        None => "（未填写）".to_string(),
    };
    [
        ("受理机关", standing.agency_name.to_string()),
        ("受理编号", request.tracking_number.clone()),
        ("收到申请日期", request.received_on.to_string()),
        ("申请渠道", request.channel.label().to_string()),
        ("申请人类型", template::column_label(a.kind.column()).to_string()),
        ("申请人姓名或者名称", a.name.clone()),
        ("身份证明", id_document),
        ("联系方式", opt(a.contact.as_deref())),
        ("所需政府信息的名称、文号或者便于查询的其他特征性描述", request.content.clone()),
        ("所需政府信息的指定提供形式", choice(&FORMS, request.requested_form.as_deref())),
        ("获取信息的方式", choice(&casework::DELIVERIES, request.delivery.as_deref())),
        ("办理状态", standing.stage.to_string()),
        ("答复期限", standing.due.to_string()),
    ]
    .into_iter()
    .map(|(l, v)| (l.to_string(), v))
    .collect()
}

/// 所需政府信息的指定提供形式 (Art. 29(3)): stored name and label.
pub const FORMS: [(&str, &str); 3] = [("paper", "纸质"), ("electronic", "电子"), ("other", "其他")];

/// 办理过程: 收到申请, then each event with who recorded it and what it says.
pub fn steps(request: &Request, events: &[Event]) -> Vec<Step> {
    let received = Step {
        on: request.received_on,
        label: "收到申请".into(),
        by: String::new(),
        detail: format!("经{}渠道", request.channel.label()),
    };
    std::iter::once(received)
        .chain(events.iter().map(|e| Step {
            on: e.on,
            label: lifecycle::event_label(&e.kind).to_string(),
            by: e.by.clone(),
            detail: lifecycle::event_detail(&e.kind),
        }))
        .collect()
}

/// A name safe as one component of a path in an archive: no folder separators, no control
/// characters, not empty.
pub fn path_component(name: &str) -> String {
    let cleaned: String =
        name.chars()
            .map(|c| {
                if c.is_control() || matches!(c, '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|') {
                    '_'
                } else {
                    c
                }
            })
            .collect();
    let trimmed = cleaned.trim().trim_start_matches('.').to_string();
    if trimmed.is_empty() {
        "_".into()
    } else {
        trimmed
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::register::{Applicant, ApplicantType, Channel, EventKind};
    use crate::report::RequestRow;

    fn request() -> Request {
        Request {
            agency: "FIN".into(),
            tracking_number: "2026-001".into(),
            channel: Channel::Online,
            received_on: NaiveDate::from_ymd_opt(2026, 3, 2).unwrap_or_default(),
            applicant: Applicant {
                kind: ApplicantType::NaturalPerson,
                name: "张三".into(),
                id_document: None,
                id_document_type: None,
                contact: Some("13800000000".into()),
            },
            content: "2025年部门预算".into(),
            requested_form: Some("electronic".into()),
            delivery: Some("online".into()),
        }
    }

    #[test]
    fn the_registration_form_holds_every_field_in_order() {
        let due = NaiveDate::from_ymd_opt(2026, 3, 30).unwrap_or_default();
        let rows = registration(&request(), Standing { agency_name: "某县财政局", stage: "办理中", due });
        let labels: Vec<&str> = rows.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(labels.first(), Some(&"受理机关"));
        assert_eq!(labels.last(), Some(&"答复期限"));
        let get = |l: &str| rows.iter().find(|(k, _)| k == l).map(|(_, v)| v.as_str());
        assert_eq!(get("申请人姓名或者名称"), Some("张三"));
        assert_eq!(get("身份证明"), Some("（未填写）"));
        assert_eq!(get("所需政府信息的指定提供形式"), Some("电子"));
        assert_eq!(get("获取信息的方式"), Some("网上获取"));
        assert_eq!(get("申请渠道"), Some("网络"));
        assert_eq!(get("答复期限"), Some("2026-03-30"));
    }

    #[test]
    fn the_course_starts_with_the_receipt() {
        let on = NaiveDate::from_ymd_opt(2026, 3, 20).unwrap_or_default();
        let events = vec![Event {
            on,
            by: "李四".into(),
            kind: EventKind::Reply { outcome: RequestRow::Granted, document: Some("某公复〔2026〕1号".into()) },
        }];
        let s = steps(&request(), &events);
        assert_eq!(s.len(), 2);
        assert_eq!((s[0].label.as_str(), s[0].detail.as_str()), ("收到申请", "经网络渠道"));
        assert_eq!((s[1].label.as_str(), s[1].by.as_str()), ("答复", "李四"));
        assert!(s[1].detail.contains("某公复〔2026〕1号"), "{}", s[1].detail);
    }

    #[test]
    fn archive_paths_have_no_folders() {
        assert_eq!(path_component("../预算/表.pdf"), "_预算_表.pdf");
        assert_eq!(path_component("  "), "_");
        assert_eq!(path_component("某公复〔2026〕1号"), "某公复〔2026〕1号");
    }
}
