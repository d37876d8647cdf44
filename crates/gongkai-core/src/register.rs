//! The registers a disclosure office keeps (台账), as plain data.
//!
//! Storage persists these types; [`crate::lifecycle`] derives each request's state, due date and
//! status from its events; [`crate::generate`] turns a year of registers into the canonical
//! report. Nothing here is derived and stored: due dates and statuses are always computed from
//! the events, so they cannot drift.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::report::{Amount, CaseGroup, CaseResult, Column, RequestRow};

/// 行政机关: one organisation that reports; agencies form a tree.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Agency {
    /// A stable code (e.g. an administrative division code plus a suffix), unique.
    pub code: String,
    /// The full name as it signs its reports.
    pub name: String,
    /// The parent agency's code (a government above its departments, a county above its towns).
    pub parent: Option<String>,
    /// What kind of body it is (decides the Art. 49 report deadline).
    pub kind: AgencyKind,
}

/// The kind of agency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AgencyKind {
    /// 人民政府 (its own report is due 31 March, Art. 49).
    Government,
    /// 政府部门 (report due 31 January, Art. 49).
    Department,
    /// 乡镇人民政府 / 街道办事处.
    Township,
    /// Other bodies that disclose information (公共企事业单位 etc.).
    Other,
}

/// 申请人类型: one of table 3's six applicant columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ApplicantType {
    /// 自然人.
    NaturalPerson,
    /// 商业企业.
    Commercial,
    /// 科研机构.
    Research,
    /// 社会公益组织.
    PublicInterest,
    /// 法律服务机构.
    LegalServices,
    /// 其他.
    Other,
}

impl ApplicantType {
    /// All six, in table-3 order.
    pub const ALL: [ApplicantType; 6] = [
        ApplicantType::NaturalPerson,
        ApplicantType::Commercial,
        ApplicantType::Research,
        ApplicantType::PublicInterest,
        ApplicantType::LegalServices,
        ApplicantType::Other,
    ];

    /// The table-3 column this applicant is counted in.
    pub fn column(self) -> Column {
        match self {
            ApplicantType::NaturalPerson => Column::NaturalPerson,
            ApplicantType::Commercial => Column::Commercial,
            ApplicantType::Research => Column::Research,
            ApplicantType::PublicInterest => Column::PublicInterest,
            ApplicantType::LegalServices => Column::LegalServices,
            ApplicantType::Other => Column::Other,
        }
    }

    /// The glossary name.
    pub fn name(self) -> &'static str {
        self.column().name()
    }

    /// Parses a glossary name.
    pub fn from_name(s: &str) -> Option<ApplicantType> {
        ApplicantType::ALL.into_iter().find(|a| a.name() == s)
    }
}

/// 申请渠道: how a request arrived (decides the receipt date, Art. 31).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// 当面: the day submitted.
    InPerson,
    /// 邮寄: the day signed for.
    Post,
    /// 网络: the day both sides confirm.
    Online,
    /// 传真: the day both sides confirm.
    Fax,
    /// 信函 (ordinary letter): the day the office confirms with the applicant.
    Letter,
}

impl Channel {
    /// All channels.
    pub const ALL: [Channel; 5] = [Channel::InPerson, Channel::Post, Channel::Online, Channel::Fax, Channel::Letter];

    /// The glossary name.
    pub fn name(self) -> &'static str {
        match self {
            Channel::InPerson => "in_person",
            Channel::Post => "post",
            Channel::Online => "online",
            Channel::Fax => "fax",
            Channel::Letter => "letter",
        }
    }

    /// Parses a glossary name.
    pub fn from_name(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.name() == s)
    }

    /// The Chinese label users read (申请渠道).
    pub fn label(self) -> &'static str {
        match self {
            Channel::Online => "网络",
            Channel::Post => "邮寄",
            Channel::InPerson => "当面",
            Channel::Fax => "传真",
            Channel::Letter => "信函",
        }
    }
}

/// 申请人 (Art. 29(一)): personal information, never shown publicly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Applicant {
    /// The table-3 column.
    pub kind: ApplicantType,
    /// Name (姓名或者名称).
    pub name: String,
    /// Identity document (身份证明), e.g. the number of an ID card or a credit code.
    pub id_document: Option<String>,
    /// 证件类型 of `id_document`, when the applicant said it (the online form asks; registers
    /// kept elsewhere may not say): with it, the number is checked (GB 11643, GB 32100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id_document_type: Option<crate::identity::IdDocumentType>,
    /// Contact (联系方式).
    pub contact: Option<String>,
}

/// 政府信息公开申请: one request as registered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Request {
    /// The agency's code.
    pub agency: String,
    /// The per-agency tracking number (受理编号), unique within the agency.
    pub tracking_number: String,
    /// How it arrived.
    pub channel: Channel,
    /// 收到申请之日 under Art. 31.
    pub received_on: NaiveDate,
    /// Who asked.
    pub applicant: Applicant,
    /// What was asked for (Art. 29(二)).
    pub content: String,
    /// The requested form (纸质、电子邮件…), Art. 29(三).
    pub requested_form: Option<String>,
    /// The requested delivery (邮寄、自行领取…), Art. 29(三).
    pub delivery: Option<String>,
}

pub use crate::fees::FeeMethod;

/// A typed event in a request's life, with who recorded it and when it happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Event {
    /// The date the event took effect.
    pub on: NaiveDate,
    /// The staff member who recorded it.
    pub by: String,
    /// What happened.
    pub kind: EventKind,
}

/// What can happen to a request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventKind {
    /// 补正告知 (Art. 30): once, within 7 working days of receipt; names a period.
    CorrectionNotice {
        /// What must be corrected.
        note: String,
        /// The reasonable period given (days).
        period_days: u32,
    },
    /// 补正后的申请收到 (Art. 30): a new 20-working-day period starts.
    CorrectionReceived,
    /// 延长答复期限 (Art. 33): approved by the head of the disclosure office, before the due date.
    Extension {
        /// Who approved (政府信息公开工作机构负责人).
        approver: String,
        /// Why.
        reason: String,
    },
    /// 征求第三方意见 sent (Arts. 32, 34): the time until the answer is not counted.
    ConsultationSent {
        /// The third party or other agency consulted.
        party: String,
    },
    /// The consultation's answer arrived (or its 15-working-day period ended).
    ConsultationAnswered,
    /// 收费通知 (109号): method and amount from the tariff.
    FeeNotice {
        /// Per request or per page.
        method: FeeMethod,
        /// Number of requests in the month (per request) or pages (per page).
        units: u32,
        /// The amount computed by [`crate::fees`].
        amount_yuan: Amount,
    },
    /// 缴费.
    FeePaid,
    /// 答复 with exactly one table-3 outcome leaf.
    Reply {
        /// The outcome: a leaf of 三、本年度办理结果 (not a total row).
        outcome: RequestRow,
        /// The reply document (答复书) reference.
        document: Option<String>,
    },
    /// 申请人撤回申请. Counted in （六）其他处理 / 3.其他.
    Withdrawal,
}

/// 行政复议 or 行政诉讼 arising from disclosure work (table 4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Case {
    /// The agency's code.
    pub agency: String,
    /// The case number.
    pub number: String,
    /// Review, direct litigation or litigation after review.
    pub group: CaseGroup,
    /// The request it arose from, if any (tracking number).
    pub request: Option<String>,
    /// The date the case was filed (申请复议 / 起诉).
    pub filed_on: NaiveDate,
    /// The date it was decided; `None` while pending (尚未审结).
    pub decided_on: Option<NaiveDate>,
    /// 结果维持 / 结果纠正 / 其他结果 once decided (never `Pending` or `Total`).
    pub result: Option<CaseResult>,
}

/// 主动公开 register entry (Arts. 19–26).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ProactiveDisclosure {
    /// The agency's code.
    pub agency: String,
    /// 索引号.
    pub index_number: String,
    /// Title.
    pub title: String,
    /// 文号.
    pub document_number: Option<String>,
    /// Article 20 item (1–15), if the item falls under one.
    pub article20_item: Option<u8>,
    /// Category (主题分类).
    pub category: Option<String>,
    /// Channels: website, gazette, weibo, wechat.
    pub channels: Vec<String>,
    /// Publication date.
    pub published_on: NaiveDate,
    /// Validity (有效 / 失效 / 废止).
    pub validity: Option<String>,
}

/// Why a proactive disclosure's dates are out of order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProactiveDateError {
    /// Formed before the founding of the People's Republic ([`crate::input::earliest_date`]): a
    /// typing error (issue 21: 0000-01-01 was accepted).
    #[error("生成日期：{generated_on} 早于 1949-10-01，请核对")]
    GeneratedTooEarly {
        /// The formation date.
        generated_on: NaiveDate,
    },
    /// Formed (生成) after it was published.
    #[error("生成日期：不能晚于发布日期（{published_on}）")]
    GeneratedAfterPublished {
        /// The publication date.
        published_on: NaiveDate,
    },
    /// The confidentiality review is not between formation and publication.
    #[error(
        "保密审查日期：应在生成日期（{generated_on}）之后、发布日期（{published_on}）之前（条例第十七条：公开前审查）"
    )]
    ReviewOutside {
        /// The formation date.
        generated_on: NaiveDate,
        /// The publication date.
        published_on: NaiveDate,
    },
}

/// The order of a proactive disclosure's dates: formed (生成日期), then reviewed (保密审查,
/// Art. 17 — before publication), then published. Art. 26's 20 working days run from the first
/// (`clock::proactive_publication_due`).
pub fn check_proactive_dates(
    generated_on: NaiveDate,
    reviewed_on: Option<NaiveDate>,
    published_on: NaiveDate,
) -> Result<(), ProactiveDateError> {
    if generated_on < crate::input::earliest_date() {
        return Err(ProactiveDateError::GeneratedTooEarly { generated_on });
    }
    if generated_on > published_on {
        return Err(ProactiveDateError::GeneratedAfterPublished { published_on });
    }
    if reviewed_on.is_some_and(|r| r < generated_on || r > published_on) {
        return Err(ProactiveDateError::ReviewOutside { generated_on, published_on });
    }
    Ok(())
}

/// Article 20 yearly figures an office records for table 2 (2021 template).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Article20Figures {
    /// The agency's code.
    pub agency: String,
    /// The year.
    pub year: i32,
    /// 规章 本年制发 / 本年废止 / 现行有效.
    pub rules_issued: Option<i64>,
    /// 规章 本年废止件数.
    pub rules_repealed: Option<i64>,
    /// 规章 现行有效件数.
    pub rules_in_force: Option<i64>,
    /// 行政规范性文件 本年制发件数.
    pub normative_issued: Option<i64>,
    /// 行政规范性文件 本年废止件数.
    pub normative_repealed: Option<i64>,
    /// 行政规范性文件 现行有效件数.
    pub normative_in_force: Option<i64>,
    /// 行政许可 本年处理决定数量.
    pub licensing_decisions: Option<i64>,
    /// 行政处罚 本年处理决定数量.
    pub penalty_decisions: Option<i64>,
    /// 行政强制 本年处理决定数量.
    pub coercive_decisions: Option<i64>,
    /// 行政事业性收费 本年收费金额（万元）.
    pub fees_wan_yuan: Option<Amount>,
}
