//! Casework documents (依申请公开文书, casework-documents.md): the notices and replies a request's
//! events issue, composed from templates that are data.
//!
//! The wording of every document lives in one text file per kind (and one per reply outcome),
//! shipped in `crates/gongkai-core/documents/` and compiled in; an office adopts its province's
//! 示范文本 by putting edited copies in a folder ([`Templates::with_overrides`]) — no rebuild. A
//! template names its values as placeholders `{{name}}`; a template using a placeholder its kind
//! does not know, or missing one its kind requires, is refused when loaded, naming the file.
//!
//! [`compose`] turns an event (with the request, its state after the event and the agency's
//! settings) into a [`Document`]: title, 主送, paragraphs, 落款 and date. The 文号 is assigned by
//! the store in the same transaction as the event (C4), from [`document_number`]. The remedy
//! clause of every decision (C3) comes from [`remedy`] over the agency tree.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use chrono::{Datelike, NaiveDate};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::fees::{self, FeeMethod};
use crate::lifecycle::{self, RequestState};
use crate::register::{Agency, AgencyKind, Event, EventKind, Request};
use crate::report::RequestRow;
use crate::template;

/// A kind of casework document (C1). The names are the contract of `gongkai request documents`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// 接收回执 (C1.1).
    Receipt,
    /// 补正告知书 (C1.2, Art. 30).
    CorrectionNotice,
    /// 延期答复告知书 (C1.3, Art. 33 ¶2).
    ExtensionNotice,
    /// 征求意见书, to a third party or a co-producing agency (C1.4, Arts. 32, 34).
    ConsultationLetter,
    /// 征求意见告知书, to the applicant (C1.5, Art. 33 ¶3).
    ConsultationNotice,
    /// 公开决定告知书, to a third party (C1.6, Art. 32).
    DisclosureDecisionNotice,
    /// 收费通知书 (C1.7, 国办函〔2020〕109号).
    FeeNotice,
    /// 说明理由通知书 (C1.8, Art. 35).
    ReasonsRequest,
    /// 答复书 (C1.9), one template per table-3 outcome (C2).
    Reply,
    /// 送达回证 (C1.10).
    ServiceReceipt,
}

impl DocumentKind {
    /// Every kind, in the order of C1.
    pub const ALL: [DocumentKind; 10] = [
        DocumentKind::Receipt,
        DocumentKind::CorrectionNotice,
        DocumentKind::ExtensionNotice,
        DocumentKind::ConsultationLetter,
        DocumentKind::ConsultationNotice,
        DocumentKind::DisclosureDecisionNotice,
        DocumentKind::FeeNotice,
        DocumentKind::ReasonsRequest,
        DocumentKind::Reply,
        DocumentKind::ServiceReceipt,
    ];

    /// The glossary name (`receipt`, `correction_notice`, …).
    pub fn name(self) -> &'static str {
        match self {
            DocumentKind::Receipt => "receipt",
            DocumentKind::CorrectionNotice => "correction_notice",
            DocumentKind::ExtensionNotice => "extension_notice",
            DocumentKind::ConsultationLetter => "consultation_letter",
            DocumentKind::ConsultationNotice => "consultation_notice",
            DocumentKind::DisclosureDecisionNotice => "disclosure_decision_notice",
            DocumentKind::FeeNotice => "fee_notice",
            DocumentKind::ReasonsRequest => "reasons_request",
            DocumentKind::Reply => "reply",
            DocumentKind::ServiceReceipt => "service_receipt",
        }
    }

    /// Parses a glossary name.
    pub fn from_name(s: &str) -> Option<DocumentKind> {
        DocumentKind::ALL.into_iter().find(|k| k.name() == s)
    }

    /// The Chinese name users read.
    pub fn label(self) -> &'static str {
        match self {
            DocumentKind::Receipt => "接收回执",
            DocumentKind::CorrectionNotice => "补正告知书",
            DocumentKind::ExtensionNotice => "延期答复告知书",
            DocumentKind::ConsultationLetter => "征求意见书",
            DocumentKind::ConsultationNotice => "征求意见告知书",
            DocumentKind::DisclosureDecisionNotice => "公开决定告知书",
            DocumentKind::FeeNotice => "收费通知书",
            DocumentKind::ReasonsRequest => "说明理由通知书",
            DocumentKind::Reply => "答复书",
            DocumentKind::ServiceReceipt => "送达回证",
        }
    }

    /// The character of the 文号 that tells the kinds apart (〔简称〕公复〔2026〕12号, C4).
    pub fn number_code(self) -> &'static str {
        match self {
            DocumentKind::Receipt => "公收",
            DocumentKind::CorrectionNotice => "公补",
            DocumentKind::ExtensionNotice => "公延",
            DocumentKind::ConsultationLetter => "公征",
            DocumentKind::ConsultationNotice => "公征告",
            DocumentKind::DisclosureDecisionNotice => "公决",
            DocumentKind::FeeNotice => "公费",
            DocumentKind::ReasonsRequest => "公理",
            DocumentKind::Reply => "公复",
            DocumentKind::ServiceReceipt => "公送",
        }
    }

    /// The document an event issues (C1), if any: a correction received, an answer to a
    /// consultation, a payment or a withdrawal is the applicant's or a party's act and issues
    /// none.
    pub fn of_event(kind: &EventKind) -> Option<DocumentKind> {
        match kind {
            EventKind::CorrectionNotice { .. } => Some(DocumentKind::CorrectionNotice),
            EventKind::Extension { .. } => Some(DocumentKind::ExtensionNotice),
            EventKind::ConsultationSent { .. } => Some(DocumentKind::ConsultationLetter),
            EventKind::FeeNotice { .. } => Some(DocumentKind::FeeNotice),
            EventKind::Reply { .. } => Some(DocumentKind::Reply),
            EventKind::CorrectionReceived
            | EventKind::ConsultationAnswered
            | EventKind::FeePaid
            | EventKind::Withdrawal => None,
        }
    }

    /// Whether the document decides the request, so that it carries the remedy clause (C3).
    pub fn is_decision(self) -> bool {
        matches!(self, DocumentKind::Reply)
    }
}

impl fmt::Display for DocumentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// The 文号 of a document: `{short}{code}〔{year}〕{seq}号`, e.g. 「某县财政局公复〔2026〕12号」
/// (C4: unique per agency, kind and year; `seq` gapless from 1, assigned by the store).
pub fn document_number(short_name: &str, kind: DocumentKind, year: i32, seq: i64) -> String {
    format!("{short_name}{}〔{year}〕{seq}号", kind.number_code())
}

/// The glossary name of an outcome leaf without its `outcomes.` prefix (`granted`,
/// `withheld.state_secret`, …), as the CLI and the template files name it.
pub fn outcome_name(row: RequestRow) -> &'static str {
    let path = template::t3_row(row).path;
    path.strip_prefix("outcomes.").unwrap_or(path)
}

/// The outcome leaf of a glossary name (with or without `outcomes.`).
pub fn outcome_from_name(s: &str) -> Option<RequestRow> {
    let s = s.strip_prefix("outcomes.").unwrap_or(s);
    lifecycle::outcome_leaves().into_iter().find(|r| outcome_name(*r) == s)
}

// ---------------------------------------------------------------------------------------------
// Templates

/// The placeholders every template may use.
const COMMON: [&str; 7] =
    ["agency", "applicant", "tracking_number", "received_on", "issued_on", "content", "office_contact"];

/// The placeholders a kind's templates may use besides [`COMMON`], and those they must use.
fn placeholders(kind: DocumentKind, outcome: Option<RequestRow>) -> (&'static [&'static str], Vec<&'static str>) {
    match kind {
        DocumentKind::Receipt => {
            (&["channel", "receipt_rule", "due_on"], vec!["tracking_number", "received_on", "due_on"])
        }
        // C1.2: each point, and the date by which to correct.
        DocumentKind::CorrectionNotice => (&["points", "correction_due_on"], vec!["points", "correction_due_on"]),
        // C1.3: the approver, the reason and the new due date.
        DocumentKind::ExtensionNotice => {
            (&["approver", "reason", "due_on", "new_due_on"], vec!["approver", "reason", "new_due_on"])
        }
        // C1.4: the recipient and the end of its 15 working days.
        DocumentKind::ConsultationLetter => (&["party", "answer_due_on"], vec!["party", "answer_due_on"]),
        DocumentKind::ConsultationNotice => (&["party"], vec!["party"]),
        DocumentKind::DisclosureDecisionNotice => (&["party", "note"], vec!["party", "note"]),
        // C1.7: the amount with its tiers, the method, the payment deadline.
        DocumentKind::FeeNotice => (
            &["method", "quantity", "breakdown", "amount", "payment_due_on", "payment_method"],
            vec!["method", "breakdown", "amount", "payment_due_on"],
        ),
        DocumentKind::ReasonsRequest => (&["note", "reply_due_on"], vec!["reply_due_on"]),
        // C1.9 / C2: the legal basis, what was found, the remedy clause, the delivery form.
        DocumentKind::Reply => {
            let mut required = vec!["basis", "finding", "remedy"];
            match outcome {
                Some(RequestRow::PartiallyGranted) => required.push("withheld_reason"),
                Some(RequestRow::NoCorrection) => required.push("correction_notice_on"),
                Some(RequestRow::FeeUnpaid) => required.push("fee_notice_on"),
                _ => {}
            }
            (
                &[
                    "basis",
                    "finding",
                    "remedy",
                    "delivery",
                    "withheld_reason",
                    "correction_notice_on",
                    "fee_notice_on",
                    "outcome",
                ],
                required,
            )
        }
        DocumentKind::ServiceReceipt => (
            &["served_document", "service_method", "served_on", "recipient", "server"],
            vec!["served_document", "service_method", "served_on"],
        ),
    }
}

/// Which template: a kind, and for a reply its outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TemplateKey {
    /// The kind.
    pub kind: DocumentKind,
    /// The outcome leaf of a reply; `None` for every other kind.
    pub outcome: Option<RequestRow>,
}

impl TemplateKey {
    /// Every template gongkai ships: one per kind but the reply, one per reply outcome (C2).
    pub fn all() -> Vec<TemplateKey> {
        let mut keys: Vec<TemplateKey> = DocumentKind::ALL
            .into_iter()
            .filter(|k| *k != DocumentKind::Reply)
            .map(|kind| TemplateKey { kind, outcome: None })
            .collect();
        keys.extend(
            lifecycle::outcome_leaves()
                .into_iter()
                .map(|o| TemplateKey { kind: DocumentKind::Reply, outcome: Some(o) }),
        );
        keys
    }

    /// The template's file name: `correction_notice.txt`, `reply.withheld.state_secret.txt`.
    pub fn file_name(self) -> String {
        match self.outcome {
            Some(o) => format!("{}.{}.txt", self.kind.name(), outcome_name(o)),
            None => format!("{}.txt", self.kind.name()),
        }
    }
}

/// A piece of a template line.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Piece {
    Text(String),
    Slot(&'static str),
}

/// One parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    title: String,
    addressee: Vec<Piece>,
    paragraphs: Vec<Vec<Piece>>,
}

/// A template that cannot be used, named by its file (and line).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// A file whose name is no template's.
    #[error("文书模板 {file}：不是 gongkai 的文书模板文件名（可用的文件名见 gongkai request templates --out）")]
    UnknownFile {
        /// The file.
        file: String,
    },
    /// The first line is not the title.
    #[error("文书模板 {file}：第一行应为以「# 」开头的文书标题")]
    NoTitle {
        /// The file.
        file: String,
    },
    /// The second line is not the addressee (主送).
    #[error("文书模板 {file}：第二行应为主送（如「{{{{applicant}}}}：」），以全角冒号结尾")]
    NoAddressee {
        /// The file.
        file: String,
    },
    /// A `{{` without its `}}`.
    #[error("文书模板 {file} 第{line}行：占位符缺少结尾的「}}}}」")]
    Unclosed {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
    },
    /// A placeholder the kind does not know.
    #[error("文书模板 {file} 第{line}行：未知的占位符「{{{{{name}}}}}」（可用：{known}）")]
    UnknownPlaceholder {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
        /// The placeholder.
        name: String,
        /// The placeholders the kind knows.
        known: String,
    },
    /// A placeholder the kind requires is not used.
    #[error("文书模板 {file}：缺少必需的占位符「{{{{{name}}}}}」")]
    MissingPlaceholder {
        /// The file.
        file: String,
        /// The placeholder.
        name: &'static str,
    },
    /// The applicant's name used outside the 主送 line (it is personal information, removed
    /// when the retention period ends; the body must not repeat it).
    #[error("文书模板 {file} 第{line}行：申请人姓名「{{{{applicant}}}}」只能用在第二行的主送中")]
    ApplicantOutsideAddressee {
        /// The file.
        file: String,
        /// 1-based line.
        line: usize,
    },
}

impl Template {
    /// Parses the text of `key`'s template read from `file`.
    pub fn parse(key: TemplateKey, file: &str, text: &str) -> Result<Template, TemplateError> {
        let (extra, required) = placeholders(key.kind, key.outcome);
        let known: Vec<&'static str> = COMMON.iter().chain(extra.iter()).copied().collect();
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut lines = text.lines().enumerate().map(|(i, l)| (i + 1, l.trim_end()));
        let title = lines
            .next()
            .and_then(|(_, l)| l.strip_prefix("# "))
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .ok_or_else(|| TemplateError::NoTitle { file: file.to_string() })?;
        let (line_no, addressee_line) = lines.next().ok_or_else(|| TemplateError::NoAddressee { file: file.into() })?;
        if !addressee_line.ends_with('：') {
            return Err(TemplateError::NoAddressee { file: file.into() });
        }
        let addressee = parse_line(file, line_no, addressee_line.trim_end_matches('：'), &known)?;
        let mut used: BTreeSet<&'static str> = slots(&addressee).collect();
        let mut paragraphs = Vec::new();
        let mut current: Vec<Piece> = Vec::new();
        for (line_no, line) in lines {
            if line.trim().is_empty() {
                if !current.is_empty() {
                    paragraphs.push(std::mem::take(&mut current));
                }
                continue;
            }
            let pieces = parse_line(file, line_no, line.trim(), &known)?;
            if slots(&pieces).any(|s| s == "applicant") {
                return Err(TemplateError::ApplicantOutsideAddressee { file: file.into(), line: line_no });
            }
            used.extend(slots(&pieces));
            // A line break inside a paragraph is a line break in the document.
            if !current.is_empty() {
                current.push(Piece::Text("\n".into()));
            }
            current.extend(pieces);
        }
        if !current.is_empty() {
            paragraphs.push(current);
        }
        if let Some(name) = required.into_iter().find(|r| !used.contains(r)) {
            return Err(TemplateError::MissingPlaceholder { file: file.into(), name });
        }
        Ok(Template { title, addressee, paragraphs })
    }

    /// The placeholders the template uses.
    pub fn placeholders(&self) -> BTreeSet<&'static str> {
        slots(&self.addressee).chain(self.paragraphs.iter().flat_map(|p| slots(p))).collect()
    }
}

fn slots(pieces: &[Piece]) -> impl Iterator<Item = &'static str> + '_ {
    pieces.iter().filter_map(|p| match p {
        Piece::Slot(s) => Some(*s),
        Piece::Text(_) => None,
    })
}

fn parse_line(file: &str, line: usize, text: &str, known: &[&'static str]) -> Result<Vec<Piece>, TemplateError> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        if open > 0 {
            out.push(Piece::Text(rest[..open].to_string()));
        }
        let after = &rest[open + 2..];
        let close = after.find("}}").ok_or_else(|| TemplateError::Unclosed { file: file.into(), line })?;
        let name = after[..close].trim();
        let slot = known.iter().find(|k| **k == name).ok_or_else(|| TemplateError::UnknownPlaceholder {
            file: file.into(),
            line,
            name: name.to_string(),
            known: known.join("、"),
        })?;
        out.push(Piece::Slot(slot));
        rest = &after[close + 2..];
    }
    if !rest.is_empty() {
        out.push(Piece::Text(rest.to_string()));
    }
    Ok(out)
}

/// The built-in template texts, by file name (compiled in from `documents/`).
pub fn builtin_texts() -> Vec<(TemplateKey, &'static str)> {
    TemplateKey::all().into_iter().map(|k| (k, builtin_text(k))).collect()
}

macro_rules! doc {
    ($f:literal) => {
        include_str!(concat!("../documents/", $f))
    };
}

fn builtin_text(key: TemplateKey) -> &'static str {
    use RequestRow as R;
    match (key.kind, key.outcome) {
        (DocumentKind::Reply, Some(o)) => match o {
            R::Granted => doc!("reply.granted.txt"),
            R::PartiallyGranted => doc!("reply.partially_granted.txt"),
            R::StateSecret => doc!("reply.withheld.state_secret.txt"),
            R::ProhibitedByLaw => doc!("reply.withheld.prohibited_by_law.txt"),
            R::SecurityStability => doc!("reply.withheld.security_stability.txt"),
            R::ThirdPartyRights => doc!("reply.withheld.third_party_rights.txt"),
            R::InternalAffairs => doc!("reply.withheld.internal_affairs.txt"),
            R::ProcessInformation => doc!("reply.withheld.process_information.txt"),
            R::EnforcementFiles => doc!("reply.withheld.enforcement_files.txt"),
            R::AdministrativeQuery => doc!("reply.withheld.administrative_query.txt"),
            R::NotHeld => doc!("reply.unable.not_held.txt"),
            R::NeedsCreation => doc!("reply.unable.needs_creation.txt"),
            R::StillUnclear => doc!("reply.unable.still_unclear.txt"),
            R::Complaint => doc!("reply.not_processed.complaint.txt"),
            R::Duplicate => doc!("reply.not_processed.duplicate.txt"),
            R::Publication => doc!("reply.not_processed.publication.txt"),
            R::Excessive => doc!("reply.not_processed.excessive.txt"),
            R::Reconfirmation => doc!("reply.not_processed.reconfirmation.txt"),
            R::NoCorrection => doc!("reply.other_handling.no_correction.txt"),
            R::FeeUnpaid => doc!("reply.other_handling.fee_unpaid.txt"),
            _ => doc!("reply.other_handling.other.txt"),
        },
        (DocumentKind::Receipt, _) => doc!("receipt.txt"),
        (DocumentKind::CorrectionNotice, _) => doc!("correction_notice.txt"),
        (DocumentKind::ExtensionNotice, _) => doc!("extension_notice.txt"),
        (DocumentKind::ConsultationLetter, _) => doc!("consultation_letter.txt"),
        (DocumentKind::ConsultationNotice, _) => doc!("consultation_notice.txt"),
        (DocumentKind::DisclosureDecisionNotice, _) => doc!("disclosure_decision_notice.txt"),
        (DocumentKind::FeeNotice, _) => doc!("fee_notice.txt"),
        (DocumentKind::ReasonsRequest, _) => doc!("reasons_request.txt"),
        (DocumentKind::Reply, None) => doc!("reply.other_handling.other.txt"),
        (DocumentKind::ServiceReceipt, _) => doc!("service_receipt.txt"),
    }
}

/// The templates in force: the built-in ones, each replaced by an office's file where it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Templates {
    map: BTreeMap<TemplateKey, Template>,
    /// The file names taken from the office's folder.
    pub overridden: Vec<String>,
}

impl Templates {
    /// The built-in templates. Each is checked by a unit test; one that did not parse would be
    /// missing, and issuing its document would say so ([`ComposeError::NoTemplate`]).
    pub fn builtin() -> Templates {
        let map = builtin_texts()
            .into_iter()
            .filter_map(|(key, text)| Template::parse(key, &key.file_name(), text).ok().map(|t| (key, t)))
            .collect();
        Templates { map, overridden: Vec::new() }
    }

    /// The built-in templates with the office's `files` (file name, text) laid over them. A file
    /// name that is no template's, or a file that does not parse, is refused (every template is
    /// checked when loaded, never when a document is issued).
    pub fn with_overrides(files: &[(String, String)]) -> Result<Templates, TemplateError> {
        let mut map = Templates::builtin().map;
        let keys = TemplateKey::all();
        let mut overridden = Vec::new();
        for (file, text) in files {
            let base = file.rsplit(['/', '\\']).next().unwrap_or(file);
            let key = keys
                .iter()
                .copied()
                .find(|k| k.file_name() == base)
                .ok_or_else(|| TemplateError::UnknownFile { file: file.clone() })?;
            map.insert(key, Template::parse(key, file, text)?);
            overridden.push(base.to_string());
        }
        Ok(Templates { map, overridden })
    }

    /// The template of `key`.
    pub fn get(&self, key: TemplateKey) -> Option<&Template> {
        self.map.get(&key)
    }
}

// ---------------------------------------------------------------------------------------------
// The remedy clause (C3)

/// 行政级别 of a people's government: decides the review body and the court (C3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum GovernmentLevel {
    /// 省级 (province, autonomous region, municipality directly under the central government).
    Province,
    /// 地市级.
    Prefecture,
    /// 县级.
    County,
    /// 乡镇级.
    Township,
}

impl GovernmentLevel {
    /// All levels, from the top.
    pub const ALL: [GovernmentLevel; 4] =
        [GovernmentLevel::Province, GovernmentLevel::Prefecture, GovernmentLevel::County, GovernmentLevel::Township];

    /// The glossary name.
    pub fn name(self) -> &'static str {
        match self {
            GovernmentLevel::Province => "province",
            GovernmentLevel::Prefecture => "prefecture",
            GovernmentLevel::County => "county",
            GovernmentLevel::Township => "township",
        }
    }

    /// Parses a glossary name.
    pub fn from_name(s: &str) -> Option<GovernmentLevel> {
        GovernmentLevel::ALL.into_iter().find(|l| l.name() == s)
    }

    /// The Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            GovernmentLevel::Province => "省级",
            GovernmentLevel::Prefecture => "地市级",
            GovernmentLevel::County => "县级",
            GovernmentLevel::Township => "乡镇级",
        }
    }
}

/// An agency's casework settings (机关文书设置): what its documents print. Every field is
/// optional; [`remedy`] and [`short_name`] compute the defaults shown for confirmation.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CaseworkSettings {
    /// 机关简称 for 文号 (default: the full name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub short_name: Option<String>,
    /// The level of a people's government (default: read from its name and place in the tree).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<GovernmentLevel>,
    /// 垂直管理 (customs, finance, foreign exchange, tax, state security): reviewed by its
    /// superior department (行政复议法 Art. 27).
    #[serde(default)]
    pub vertical: bool,
    /// 国务院部门 (行政复议法 Art. 25: reviewed by itself).
    #[serde(default)]
    pub state_council_department: bool,
    /// 行政复议机关, overriding the computed one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub review_body: Option<String>,
    /// 行政诉讼管辖法院, overriding the computed one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub court: Option<String>,
    /// 办公地址、电话等联系方式 printed in notices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub office_contact: Option<String>,
}

/// Where an agency's decisions are reviewed and sued (C3), and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Remedy {
    /// 行政复议机关.
    pub review_body: String,
    /// The article that decides it, or 「本机关设置」.
    pub review_basis: String,
    /// 管辖法院.
    pub court: String,
    /// The articles that decide it, or 「本机关设置」.
    pub court_basis: String,
}

impl Remedy {
    /// The remedy clause of a decision (C3): 60 days for review (行政复议法 Art. 20), six months
    /// for a suit (行政诉讼法 Art. 46).
    pub fn clause(&self) -> String {
        format!(
            "如对本答复不服，可以在收到本答复之日起六十日内向{}申请行政复议，或者在收到本答复之日起六个月内向{}提起行政诉讼。",
            self.review_body, self.court
        )
    }
}

/// The place a government is of: 「某县人民政府」 → 「某县」.
fn place(name: &str) -> Option<&str> {
    name.strip_suffix("人民政府").filter(|p| !p.is_empty())
}

/// The level of a government when not set: its name (省、自治区、the four municipalities; 县、
/// 旗、区), else its depth under a province-level government in the tree.
fn government_level(agency: &Agency, settings: &CaseworkSettings, ancestors: &[Agency]) -> Option<GovernmentLevel> {
    if let Some(l) = settings.level {
        return Some(l);
    }
    if agency.kind == AgencyKind::Township {
        return Some(GovernmentLevel::Township);
    }
    if agency.kind != AgencyKind::Government {
        return None;
    }
    let p = place(&agency.name)?;
    const MUNICIPALITIES: [&str; 4] = ["北京市", "天津市", "上海市", "重庆市"];
    if p.ends_with('省') || p.ends_with("自治区") || MUNICIPALITIES.contains(&p) {
        return Some(GovernmentLevel::Province);
    }
    if p.ends_with('县') || p.ends_with('旗') || p.ends_with('区') {
        return Some(GovernmentLevel::County);
    }
    if p.ends_with("自治州") || p.ends_with("地区") || p.ends_with('盟') {
        return Some(GovernmentLevel::Prefecture);
    }
    // A 市: a prefecture under a province, else a county-level city.
    let parent = ancestors.iter().find(|a| a.kind == AgencyKind::Government)?;
    match government_level(parent, &CaseworkSettings::default(), &ancestors[1..]) {
        Some(GovernmentLevel::Province) => Some(GovernmentLevel::Prefecture),
        Some(_) => Some(GovernmentLevel::County),
        None => None,
    }
}

/// The remedy of `agency` (C3), whose `ancestors` are listed from its parent up; `settings`
/// may override either body.
///
/// Review (行政复议法, 2023): a department of a local government → that government (Art. 24(1));
/// a local government → the government one level up (Art. 24(2)), a province's own government →
/// itself (Art. 24, last ¶); a vertically managed agency → its superior department (Art. 27); a
/// State Council department → itself (Art. 25). Court (行政诉讼法 Arts. 14, 15, 18): where the
/// agency sits; an intermediate court when the defendant is a people's government at county
/// level or above or a State Council department.
pub fn remedy(agency: &Agency, settings: &CaseworkSettings, ancestors: &[Agency]) -> Remedy {
    let government_above = ancestors.iter().find(|a| matches!(a.kind, AgencyKind::Government));
    let level = government_level(agency, settings, ancestors);
    let (review_body, review_basis) = if settings.state_council_department {
        (agency.name.clone(), "行政复议法第二十五条".to_string())
    } else if settings.vertical {
        let superior = ancestors.first().map_or_else(|| "上一级主管部门".to_string(), |a| a.name.clone());
        (superior, "行政复议法第二十七条".to_string())
    } else {
        match agency.kind {
            AgencyKind::Government | AgencyKind::Township if level == Some(GovernmentLevel::Province) => {
                (agency.name.clone(), "行政复议法第二十四条第二款".to_string())
            }
            AgencyKind::Government | AgencyKind::Township => (
                government_above.map_or_else(|| "上一级人民政府".to_string(), |g| g.name.clone()),
                "行政复议法第二十四条第一款第（二）项".to_string(),
            ),
            AgencyKind::Department | AgencyKind::Other => (
                government_above.map_or_else(|| "本级人民政府".to_string(), |g| g.name.clone()),
                "行政复议法第二十四条第一款第（一）项".to_string(),
            ),
        }
    };
    let intermediate = settings.state_council_department
        || (agency.kind == AgencyKind::Government && level != Some(GovernmentLevel::Township));
    let court = if intermediate {
        // The intermediate court of the prefecture the government belongs to: its own for a
        // prefecture, its parent's for a county; a province's or the State Council's is set.
        let seat = match level {
            Some(GovernmentLevel::Prefecture) => place(&agency.name),
            Some(GovernmentLevel::County) => government_above.and_then(|g| place(&g.name)),
            _ => None,
        };
        seat.map_or_else(|| "有管辖权的中级人民法院".to_string(), |p| format!("{p}中级人民法院"))
    } else {
        // A basic court: the county's own where the agency belongs to a county-level government.
        let county = if level == Some(GovernmentLevel::County) {
            Some(agency)
        } else {
            ancestors.iter().find(|a| {
                a.kind == AgencyKind::Government
                    && government_level(a, &CaseworkSettings::default(), ancestors_of(ancestors, a))
                        == Some(GovernmentLevel::County)
            })
        };
        county
            .and_then(|c| place(&c.name))
            .map_or_else(|| "本机关所在地有管辖权的基层人民法院".to_string(), |p| format!("{p}人民法院"))
    };
    let court_basis = if intermediate {
        "行政诉讼法第十五条、第十八条"
    } else {
        "行政诉讼法第十四条、第十八条"
    }
    .to_string();
    let mut r = Remedy { review_body, review_basis, court, court_basis };
    if let Some(body) = settings.review_body.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        r.review_body = body.to_string();
        r.review_basis = "本机关设置".to_string();
    }
    if let Some(court) = settings.court.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        r.court = court.to_string();
        r.court_basis = "本机关设置".to_string();
    }
    r
}

/// The ancestors above `a` within `ancestors` (which lists from a parent up).
fn ancestors_of<'a>(ancestors: &'a [Agency], a: &Agency) -> &'a [Agency] {
    match ancestors.iter().position(|x| x.code == a.code) {
        Some(i) => &ancestors[i + 1..],
        None => &[],
    }
}

/// The 简称 the agency's 文号 start with.
pub fn short_name<'a>(agency: &'a Agency, settings: &'a CaseworkSettings) -> &'a str {
    settings.short_name.as_deref().map(str::trim).filter(|s| !s.is_empty()).unwrap_or(&agency.name)
}

// ---------------------------------------------------------------------------------------------
// The reply's particulars and its legal basis (C2)

/// What staff say in a reply beyond its outcome (C2): the reason for the withheld part of a
/// partial disclosure, the agency that holds information this one does not, and the facts.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Particulars {
    /// 部分公开: the `withheld.*` reason of the part not disclosed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub withheld_reason: Option<RequestRow>,
    /// 无法提供（本机关不掌握）: the agency responsible for the information (Art. 36(5)).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub other_agency: Option<String>,
    /// What is provided and how, or the facts (说明).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The legal basis a reply cites for `outcome` (C2), with `particulars` where they decide it.
pub fn reply_basis(outcome: RequestRow, particulars: &Particulars) -> String {
    use RequestRow as R;
    const ACT: &str = "《中华人民共和国政府信息公开条例》";
    let article = |outcome: RequestRow| -> &'static str {
        match outcome {
            R::Granted => "第三十六条第（一）项、第（二）项",
            R::StateSecret | R::ProhibitedByLaw | R::SecurityStability => "第十四条",
            R::ThirdPartyRights => "第十五条",
            R::InternalAffairs => "第十六条第一款",
            R::ProcessInformation | R::EnforcementFiles => "第十六条第二款",
            R::AdministrativeQuery => "第三十六条第（七）项",
            R::NeedsCreation => "第三十八条",
            R::StillUnclear | R::NoCorrection => "第三十条",
            R::Complaint => "第三十九条第一款",
            R::Duplicate => "第三十六条第（六）项",
            R::Publication => "第三十九条第二款",
            R::Excessive => "第三十五条",
            R::Reconfirmation => "第二条",
            _ => "",
        }
    };
    match outcome {
        R::PartiallyGranted => match particulars.withheld_reason {
            Some(reason) => format!("{ACT}第三十七条、{}", article(reason)),
            None => format!("{ACT}第三十七条"),
        },
        R::NotHeld if particulars.other_agency.is_some() => format!("{ACT}第三十六条第（五）项"),
        R::NotHeld => format!("{ACT}第三十六条第（四）项"),
        R::FeeUnpaid => "《政府信息公开信息处理费管理办法》（国办函〔2020〕109号）第十条".to_string(),
        R::OtherHandlingOther | R::OtherHandlingTotal => ACT.to_string(),
        o => format!("{ACT}{}", article(o)),
    }
}

/// 获取方式 (Art. 29(3)) as stored (the glossary's value) and as printed.
pub const DELIVERIES: [(&str, &str); 4] =
    [("post", "邮寄"), ("email", "电子邮件"), ("pickup", "自行领取"), ("online", "网上获取")];

/// The Chinese label of a stored 获取方式, or the text itself (registers kept elsewhere may hold
/// free text).
pub fn delivery_label(value: &str) -> &str {
    DELIVERIES.iter().find(|(v, _)| *v == value).map_or(value, |(_, label)| label)
}

/// How a document reached its addressee (Art. 29(3), Art. 40; C4): the glossary name stored in
/// `documents.delivery` and the words shown. `pending` until a delivery is recorded.
pub const DELIVERY_METHODS: [(&str, &str); 4] =
    [("online", "网上送达"), ("email", "电子邮件送达"), ("post", "邮寄送达"), ("in_person", "当面送达")];

/// The status of a document's delivery in Chinese: 「待送达」, or 「已邮寄送达」 etc.
pub fn delivery_status_label(delivery: &str) -> String {
    match DELIVERY_METHODS.iter().find(|(m, _)| *m == delivery) {
        Some((_, label)) => format!("已{label}"),
        None => "待送达".to_string(),
    }
}

/// Whether `row` is one of the 不予公开 reasons a partial disclosure can give.
pub fn is_withheld_reason(row: RequestRow) -> bool {
    template::t3_row(row).path.starts_with("outcomes.withheld.")
}

/// Where a request stands, in the words the applicant reads on the tracking page (issue 17
/// item 5): 已答复 / 已撤回 once finished; else 待补正 while a correction is awaited (Art. 30),
/// 待缴费 while a fee is unpaid (109号), 征求意见中 while a consultation is open (Arts. 32, 34),
/// 已逾期 past the due date, 已延期 after an extension (Art. 33 ¶2), else the status.
pub fn stage_label(state: &RequestState, status: lifecycle::Status) -> &'static str {
    use lifecycle::Status;
    match status {
        Status::Replied => return "已答复",
        Status::Withdrawn => return "已撤回",
        _ => {}
    }
    if state.correction.as_ref().is_some_and(|c| c.received_on.is_none()) {
        return "待补正";
    }
    if state.fee.as_ref().is_some_and(|f| f.paid_on.is_none()) {
        return "待缴费";
    }
    if state.consultations.iter().any(|c| c.answered_on.is_none()) {
        return "征求意见中";
    }
    if status == Status::Overdue {
        return "已逾期";
    }
    if state.extension.is_some() {
        return "已延期";
    }
    status.label()
}

// ---------------------------------------------------------------------------------------------
// Composition

/// A document as issued: what every rendering (HTML, DOCX, PDF) prints. Stored as JSON; never
/// edited once issued (C4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Document {
    /// The kind.
    pub kind: DocumentKind,
    /// A reply's outcome leaf.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<RequestRow>,
    /// 标题.
    pub title: String,
    /// 主送 (without its colon).
    pub addressee: String,
    /// 正文, one entry per paragraph (a `\n` inside is a line break).
    pub paragraphs: Vec<String>,
    /// 落款: the agency's full name.
    pub signer: String,
    /// 成文日期: the event's date.
    pub issued_on: NaiveDate,
    /// The 文号 of the document this one corrects (C4), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces: Option<String>,
}

/// An issued document with its 文号.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct IssuedDocument {
    /// 文号.
    pub number: String,
    /// The document.
    #[serde(flatten)]
    pub document: Document,
}

/// Why a document cannot be composed: each a rule of C1/C2, in Chinese.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ComposeError {
    /// C2: a partial disclosure names the reason of the part withheld.
    #[error("部分公开的答复须写明不予公开部分的理由（条例第三十七条）：请选择不予公开的理由")]
    WithheldReasonRequired,
    /// The reason given is not a 不予公开 reason.
    #[error("不予公开部分的理由应为「三、本年度办理结果 — （三）不予公开」中的一项")]
    NotAWithheldReason,
    /// C2: the facts are required for this outcome.
    #[error("{0}")]
    NoteRequired(&'static str),
    /// No template for the document (a template folder must cover every kind; only a
    /// programming error reaches this).
    #[error("缺少文书模板 {0}")]
    NoTemplate(String),
    /// The state after the event lacks what the document prints (only a programming error
    /// reaches this: the lifecycle records it with the event).
    #[error("无法生成{0}：办理状态缺少所需的日期")]
    Incomplete(&'static str),
}

/// What a document is composed from.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    /// The request.
    pub request: &'a Request,
    /// The event that issues the document.
    pub event: &'a Event,
    /// The request's state after the event.
    pub state: &'a RequestState,
    /// The due date before the event (the original due date an extension extends).
    pub due_before: NaiveDate,
    /// The agency's full name (落款).
    pub agency_name: &'a str,
    /// The office's contact (address, telephone), printed in notices.
    pub office_contact: Option<&'a str>,
    /// The remedy of the agency (C3).
    pub remedy: &'a Remedy,
    /// A reply's particulars.
    pub particulars: &'a Particulars,
}

/// A date as documents print it: 「2026年12月7日」.
pub fn date_label(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// The document the event of `ctx` issues, or `None` for an event that issues none.
pub fn compose(templates: &Templates, ctx: &Context<'_>) -> Result<Option<Document>, ComposeError> {
    let Some(kind) = DocumentKind::of_event(&ctx.event.kind) else {
        return Ok(None);
    };
    let outcome = match &ctx.event.kind {
        EventKind::Reply { outcome, .. } => Some(*outcome),
        _ => None,
    };
    let mut values = common_values(ctx);
    let mut addressee_override = None;
    match &ctx.event.kind {
        EventKind::CorrectionNotice { note, .. } => {
            let c = ctx.state.correction.as_ref().ok_or(ComposeError::Incomplete("补正告知书"))?;
            values.insert("points", numbered_points(note));
            values.insert("correction_due_on", date_label(c.period_ends));
        }
        EventKind::Extension { approver, reason } => {
            values.insert("approver", approver.clone());
            values.insert("reason", reason.clone());
            values.insert("due_on", date_label(ctx.due_before));
            values.insert("new_due_on", date_label(ctx.state.deadline.due));
        }
        EventKind::ConsultationSent { party } => {
            let c = ctx.state.consultations.last().ok_or(ComposeError::Incomplete("征求意见书"))?;
            values.insert("party", party.clone());
            values.insert("answer_due_on", date_label(c.answer_period_ends));
            // C1.4: the letter goes to the party consulted, not to the applicant.
            addressee_override = Some(party.clone());
        }
        EventKind::FeeNotice { method, units, amount_yuan } => {
            let f = ctx.state.fee.as_ref().ok_or(ComposeError::Incomplete("收费通知书"))?;
            let quote = match method {
                FeeMethod::PerRequest => fees::per_request(*units),
                FeeMethod::PerPage => fees::per_page(*units),
            };
            let (method_label, unit) = match method {
                FeeMethod::PerRequest => ("按件计收", "件（本月第几件申请）"),
                FeeMethod::PerPage => ("按量计收", "页"),
            };
            values.insert("method", method_label.to_string());
            values.insert("quantity", format!("{units}{unit}"));
            values.insert("breakdown", fee_breakdown(&quote, *method));
            values.insert("amount", amount_yuan.to_string());
            values.insert("payment_due_on", date_label(f.payment_due));
            values.insert("payment_method", "请按本机关告知的账户或者现场缴费方式缴纳".to_string());
        }
        EventKind::Reply { outcome, .. } => reply_values(&mut values, ctx, *outcome)?,
        EventKind::CorrectionReceived
        | EventKind::ConsultationAnswered
        | EventKind::FeePaid
        | EventKind::Withdrawal => return Ok(None),
    }
    let key = TemplateKey { kind, outcome };
    let template = templates.get(key).ok_or_else(|| ComposeError::NoTemplate(key.file_name()))?;
    let mut doc = fill(template, kind, outcome, &values, ctx.agency_name, ctx.event.on);
    if let Some(a) = addressee_override {
        doc.addressee = a;
    }
    Ok(Some(doc))
}

/// The 接收回执 of a request just registered (C1.1): the tracking number, the receipt date with
/// the Art. 31 rule of its channel, the statutory due date (Art. 33) of `state`, how to follow
/// it, and the office's contact. Issued on the receipt date.
pub fn compose_receipt(
    templates: &Templates,
    request: &Request,
    state: &RequestState,
    agency_name: &str,
    office_contact: Option<&str>,
) -> Result<Document, ComposeError> {
    use crate::register::Channel;
    let key = TemplateKey { kind: DocumentKind::Receipt, outcome: None };
    let template = templates.get(key).ok_or_else(|| ComposeError::NoTemplate(key.file_name()))?;
    let mut v = base_values(request, state, request.received_on, agency_name, office_contact);
    // Art. 31: the day a request counts as received, by channel.
    let rule = match request.channel {
        Channel::InPerson => "当面提交申请的，以提交之日为收到申请之日",
        Channel::Post => "以邮寄方式提交申请的，以本机关签收之日为收到申请之日",
        Channel::Online | Channel::Fax => "通过互联网渠道或者传真提交申请的，以双方确认之日为收到申请之日",
        Channel::Letter => "以平常信函等无需签收的邮寄方式提交申请的，以本机关与申请人确认之日为收到申请之日",
    };
    v.insert("receipt_rule", rule.to_string());
    Ok(fill(template, DocumentKind::Receipt, None, &v, agency_name, request.received_on))
}

/// Fills `template` with `values` (a placeholder without a value prints empty; the required
/// ones always have one).
pub fn fill(
    template: &Template,
    kind: DocumentKind,
    outcome: Option<RequestRow>,
    values: &BTreeMap<&'static str, String>,
    signer: &str,
    issued_on: NaiveDate,
) -> Document {
    let render = |pieces: &[Piece]| -> String {
        pieces
            .iter()
            .map(|p| match p {
                Piece::Text(t) => t.as_str(),
                Piece::Slot(s) => values.get(s).map_or("", String::as_str),
            })
            .collect()
    };
    Document {
        kind,
        outcome,
        title: template.title.clone(),
        addressee: render(&template.addressee),
        paragraphs: template.paragraphs.iter().map(|p| render(p)).filter(|p| !p.trim().is_empty()).collect(),
        signer: signer.to_string(),
        issued_on,
        replaces: None,
    }
}

/// 送达回证 (C1.10): the proof of service of the document `served` sent by post or handed over,
/// to be signed by the recipient (the date of service is left for the recipient to write; the
/// signed copy's date is then recorded as the delivery). `method` is the method's label
/// (邮寄送达, 当面送达), `server` who serves it.
pub fn compose_service_receipt(
    templates: &Templates,
    served: &IssuedDocument,
    method: &str,
    server: &str,
    issued_on: NaiveDate,
) -> Result<Document, ComposeError> {
    let key = TemplateKey { kind: DocumentKind::ServiceReceipt, outcome: None };
    let template = templates.get(key).ok_or_else(|| ComposeError::NoTemplate(key.file_name()))?;
    let mut v: BTreeMap<&'static str, String> = BTreeMap::new();
    v.insert("applicant", served.document.addressee.clone());
    v.insert("served_document", format!("《{}》（{}）", served.document.title, served.number));
    v.insert("service_method", method.to_string());
    v.insert("served_on", "　　　　年　　月　　日".to_string());
    v.insert("recipient", served.document.addressee.clone());
    v.insert("server", server.to_string());
    Ok(fill(template, DocumentKind::ServiceReceipt, None, &v, &served.document.signer, issued_on))
}

fn common_values(ctx: &Context<'_>) -> BTreeMap<&'static str, String> {
    base_values(ctx.request, ctx.state, ctx.event.on, ctx.agency_name, ctx.office_contact)
}

/// The values every document of `request` has: who, what, when, the due date and the contact.
fn base_values(
    r: &Request,
    state: &RequestState,
    issued_on: NaiveDate,
    agency_name: &str,
    office_contact: Option<&str>,
) -> BTreeMap<&'static str, String> {
    let mut v = BTreeMap::new();
    v.insert("agency", agency_name.to_string());
    v.insert("applicant", r.applicant.name.clone());
    v.insert("tracking_number", r.tracking_number.clone());
    v.insert("received_on", date_label(r.received_on));
    v.insert("issued_on", date_label(issued_on));
    v.insert("content", r.content.trim_end_matches(['。', '.']).to_string());
    v.insert(
        "office_contact",
        office_contact.map(str::trim).filter(|c| !c.is_empty()).unwrap_or("见本机关政府信息公开指南").to_string(),
    );
    v.insert("due_on", date_label(state.deadline.due));
    v.insert("channel", r.channel.label().to_string());
    v
}

/// Each point of a correction notice on its own numbered line (C1.2: "each point, listed"):
/// the note's lines, or its sentences split at 「；」.
fn numbered_points(note: &str) -> String {
    let parts: Vec<&str> = note
        .split(['\n', '；', ';'])
        .map(|p| p.trim().trim_start_matches(|c: char| c.is_ascii_digit() || "．.、)）(（".contains(c)).trim())
        .filter(|p| !p.is_empty())
        .collect();
    if parts.len() <= 1 {
        return format!("1. {}", note.trim());
    }
    parts.iter().enumerate().map(|(i, p)| format!("{}. {p}", i + 1)).collect::<Vec<_>>().join("\n")
}

fn fee_breakdown(quote: &fees::FeeQuote, method: FeeMethod) -> String {
    let unit = match method {
        FeeMethod::PerRequest => "件",
        FeeMethod::PerPage => "页",
    };
    quote
        .tiers
        .iter()
        .map(|t| {
            let range = match t.to {
                Some(to) if to == t.from => format!("第{}{unit}", t.from),
                Some(to) => format!("第{}至{}{unit}", t.from, to),
                None => format!("第{}{unit}及以上", t.from),
            };
            let rate = match &t.rate_to_yuan {
                Some(to) => format!("{}至{}元", t.rate_yuan, to),
                None => format!("{}元", t.rate_yuan),
            };
            format!("{range}：{}{unit} × {rate}/{unit} = {}元", t.count, t.subtotal_yuan)
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn reply_values(
    values: &mut BTreeMap<&'static str, String>,
    ctx: &Context<'_>,
    outcome: RequestRow,
) -> Result<(), ComposeError> {
    use RequestRow as R;
    let p = ctx.particulars;
    let note = p.note.as_deref().map(str::trim).filter(|n| !n.is_empty());
    // C2's rules of what a reply must say.
    if outcome == R::PartiallyGranted {
        let reason = p.withheld_reason.ok_or(ComposeError::WithheldReasonRequired)?;
        if !is_withheld_reason(reason) {
            return Err(ComposeError::NotAWithheldReason);
        }
        let spec = template::t3_row(reason);
        values.insert("withheld_reason", format!("{}（{}）", spec.label, reply_basis(reason, p)));
    }
    if note.is_none() {
        match outcome {
            R::OtherHandlingOther | R::OtherHandlingTotal => {
                return Err(ComposeError::NoteRequired("「其他」处理的答复须写明事实（如申请人撤回申请的日期和方式）"))
            }
            R::Duplicate => {
                return Err(ComposeError::NoteRequired(
                    "重复申请的答复须写明此前答复的日期和受理编号（条例第三十六条第（六）项）",
                ))
            }
            R::Complaint => {
                return Err(ComposeError::NoteRequired(
                    "不属于政府信息公开申请的答复须写明应通过的渠道（信访、投诉、举报等）",
                ))
            }
            _ => {}
        }
    }
    let mut finding = String::new();
    match outcome {
        R::NotHeld => match p.other_agency.as_deref().map(str::trim).filter(|a| !a.is_empty()) {
            // Art. 36(5): name the agency responsible.
            Some(other) => finding.push_str(&format!(
                "经审查，您申请获取的政府信息不属于本机关负责公开，负责公开该政府信息的行政机关为{other}，请向该机关申请。"
            )),
            // Art. 36(4).
            None => finding.push_str("经检索，本机关未制作或者获取您申请的政府信息，该政府信息不存在。"),
        },
        R::Granted if note.is_none() => finding.push_str("所提供的政府信息见附件。"),
        _ => {}
    }
    if let Some(n) = note {
        finding.push_str(n);
        if !n.ends_with(['。', '！', '？']) {
            finding.push('。');
        }
    }
    values.insert("finding", finding);
    values.insert("basis", reply_basis(outcome, p));
    values.insert("remedy", ctx.remedy.clause());
    values.insert("outcome", lifecycle::outcome_label(outcome));
    let form = ctx.request.delivery.as_deref().map(str::trim).filter(|s| !s.is_empty());
    // Art. 40: in the form the applicant asked for, where possible.
    values.insert(
        "delivery",
        match form {
            Some(f) => format!("本答复按您申请时选择的方式（{}）送达。", delivery_label(f)),
            None => format!("本答复通过{}方式送达。", ctx.request.channel.label()),
        },
    );
    if let Some(c) = &ctx.state.correction {
        values.insert("correction_notice_on", date_label(c.notice_on));
    }
    if let Some(f) = &ctx.state.fee {
        values.insert("fee_notice_on", date_label(f.notice_on));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agency(code: &str, name: &str, parent: Option<&str>, kind: AgencyKind) -> Agency {
        Agency { code: code.into(), name: name.into(), parent: parent.map(Into::into), kind }
    }

    #[test]
    fn every_builtin_template_parses() {
        for (key, text) in builtin_texts() {
            Template::parse(key, &key.file_name(), text).unwrap();
        }
        let t = Templates::builtin();
        assert_eq!(t.map.len(), 9 + 21);
        for key in TemplateKey::all() {
            assert!(t.get(key).is_some(), "{}", key.file_name());
        }
    }

    #[test]
    fn a_template_with_an_unknown_placeholder_is_refused_naming_file_and_name() {
        let files = vec![(
            "/srv/wenshu/correction_notice.txt".to_string(),
            "# 补正告知书\n{{applicant}}：\n\n请补正：{{points}}，{{correction_due_on}}前。{{deadline}}\n".to_string(),
        )];
        let e = Templates::with_overrides(&files).unwrap_err();
        assert!(matches!(&e, TemplateError::UnknownPlaceholder { name, line: 4, .. } if name == "deadline"), "{e:?}");
        let msg = e.to_string();
        assert!(msg.contains("/srv/wenshu/correction_notice.txt") && msg.contains("{{deadline}}"), "{msg}");
    }

    #[test]
    fn a_template_missing_a_required_placeholder_is_refused() {
        let files = vec![(
            "correction_notice.txt".to_string(),
            "# 补正告知书\n{{applicant}}：\n\n请补正：{{points}}。\n".into(),
        )];
        let e = Templates::with_overrides(&files).unwrap_err();
        assert_eq!(
            e,
            TemplateError::MissingPlaceholder { file: "correction_notice.txt".into(), name: "correction_due_on" }
        );
        assert!(e.to_string().contains("{{correction_due_on}}"), "{e}");
        let files = vec![("reply.grant.txt".to_string(), "# x\n{{applicant}}：\n".into())];
        assert!(matches!(Templates::with_overrides(&files), Err(TemplateError::UnknownFile { .. })));
        let files = vec![(
            "reply.partially_granted.txt".to_string(),
            "# x\n{{applicant}}：\n{{basis}}{{finding}}{{remedy}}\n".into(),
        )];
        assert!(matches!(
            Templates::with_overrides(&files),
            Err(TemplateError::MissingPlaceholder { name: "withheld_reason", .. })
        ));
        let files = vec![(
            "receipt.txt".to_string(),
            "# x\n{{applicant}}：\n{{tracking_number}}{{received_on}}{{due_on}}{{applicant}}\n".into(),
        )];
        assert!(matches!(
            Templates::with_overrides(&files),
            Err(TemplateError::ApplicantOutsideAddressee { line: 3, .. })
        ));
        let files =
            vec![("receipt.txt".to_string(), "# x\n{{applicant}}：\n{{tracking_number}{{received_on}}\n".into())];
        assert!(matches!(Templates::with_overrides(&files), Err(TemplateError::UnknownPlaceholder { .. })));
        let files = vec![("receipt.txt".to_string(), "# x\n{{applicant}}：\n{{tracking_number}} {{due_on\n".into())];
        assert!(matches!(Templates::with_overrides(&files), Err(TemplateError::Unclosed { line: 3, .. })));
    }

    #[test]
    fn an_office_template_replaces_the_builtin_wording() {
        let text = "# 某省政府信息公开申请补正告知书\n{{applicant}}：\n\n按本省示范文本：{{points}}\n截止：{{correction_due_on}}\n";
        let t = Templates::with_overrides(&[("correction_notice.txt".into(), text.into())]).unwrap();
        assert_eq!(t.overridden, vec!["correction_notice.txt".to_string()]);
        let tpl = t.get(TemplateKey { kind: DocumentKind::CorrectionNotice, outcome: None }).unwrap();
        assert_eq!(tpl.title, "某省政府信息公开申请补正告知书");
    }

    /// C3: the review body for a department, a county government, a province's government and a
    /// vertically managed agency.
    #[test]
    fn c3_review_body_and_court_follow_the_agency_tree() {
        let province = agency("44", "广东省人民政府", None, AgencyKind::Government);
        let city = agency("4401", "广州市人民政府", Some("44"), AgencyKind::Government);
        let county = agency("440183", "增城区人民政府", Some("4401"), AgencyKind::Government);
        let dept = agency("440183-CZ", "增城区财政局", Some("440183"), AgencyKind::Department);
        let tax = agency("440183-SW", "国家税务总局广州市增城区税务局", Some("440183"), AgencyKind::Department);
        let none = CaseworkSettings::default();

        // A department → its government (Art. 24(1)); sued in the basic court of the county.
        let r = remedy(&dept, &none, &[county.clone(), city.clone(), province.clone()]);
        assert_eq!(r.review_body, "增城区人民政府");
        assert_eq!(r.court, "增城区人民法院");
        // A county government → the government one level up (Art. 24(2)); intermediate court.
        let r = remedy(&county, &none, &[city.clone(), province.clone()]);
        assert_eq!(r.review_body, "广州市人民政府");
        assert_eq!(r.court, "广州市中级人民法院");
        assert!(r.clause().contains("六十日内向广州市人民政府申请行政复议"), "{}", r.clause());
        assert!(r.clause().contains("六个月内向广州市中级人民法院提起行政诉讼"));
        // A province's own government → itself (Art. 24, last ¶).
        let r = remedy(&province, &none, &[]);
        assert_eq!(r.review_body, "广东省人民政府");
        assert_eq!(r.court, "有管辖权的中级人民法院");
        // A prefecture's government: its own intermediate court.
        assert_eq!(remedy(&city, &none, std::slice::from_ref(&province)).court, "广州市中级人民法院");
        // A vertically managed agency → its superior department (Art. 27).
        let superior = agency("4401-SW", "国家税务总局广州市税务局", Some("4401"), AgencyKind::Department);
        let vertical = CaseworkSettings { vertical: true, ..CaseworkSettings::default() };
        let r = remedy(&tax, &vertical, std::slice::from_ref(&superior));
        assert_eq!(r.review_body, "国家税务总局广州市税务局");
        assert_eq!(r.review_basis, "行政复议法第二十七条");
        // A State Council department → itself (Art. 25).
        let ministry = agency("GWY-CZB", "财政部", None, AgencyKind::Department);
        let sc = CaseworkSettings { state_council_department: true, ..CaseworkSettings::default() };
        assert_eq!(remedy(&ministry, &sc, &[]).review_body, "财政部");
        // Overridable per agency.
        let set = CaseworkSettings { court: Some("某铁路运输法院".into()), ..CaseworkSettings::default() };
        let r = remedy(&dept, &set, &[county]);
        assert_eq!((r.court.as_str(), r.court_basis.as_str()), ("某铁路运输法院", "本机关设置"));
    }

    #[test]
    fn document_numbers_are_per_kind() {
        assert_eq!(document_number("某县财政局", DocumentKind::Reply, 2026, 12), "某县财政局公复〔2026〕12号");
        assert_eq!(document_number("某县财政局", DocumentKind::CorrectionNotice, 2026, 1), "某县财政局公补〔2026〕1号");
        for k in DocumentKind::ALL {
            assert_eq!(DocumentKind::from_name(k.name()), Some(k));
        }
        let codes: BTreeSet<&str> = DocumentKind::ALL.iter().map(|k| k.number_code()).collect();
        assert_eq!(codes.len(), DocumentKind::ALL.len());
    }

    #[test]
    fn outcome_names_round_trip() {
        for o in lifecycle::outcome_leaves() {
            assert_eq!(outcome_from_name(outcome_name(o)), Some(o));
        }
        assert_eq!(outcome_from_name("withheld.state_secret"), Some(RequestRow::StateSecret));
        assert_eq!(outcome_from_name("outcomes.granted"), Some(RequestRow::Granted));
        assert_eq!(outcome_from_name("withheld.total"), None);
    }

    #[test]
    fn correction_points_are_numbered() {
        assert_eq!(numbered_points("请写明文件名称；请写明年份"), "1. 请写明文件名称\n2. 请写明年份");
        assert_eq!(numbered_points("请写明文件名称"), "1. 请写明文件名称");
    }
}
