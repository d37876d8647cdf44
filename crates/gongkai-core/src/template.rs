//! The official templates as data: one description of every table of every template version.
//!
//! Importers find rows by these labels, the rule engine names cells with them, and exporters
//! print them. No label is written anywhere else in gongkai: a change of wording is a change
//! here. Labels are verbatim from the national templates (国办公开办函〔2019〕60号 and
//! 〔2021〕30号; see shared/spec/spec-notes.md §1–§3); `variants` lists spellings seen in real
//! reports (compared after [`crate::label::normalize`], so width, spacing and 、/，only need one
//! entry).

use crate::report::{CaseGroup, CaseResult, Column, RequestRow, SectionKey, Template};

/// Which template versions a row or block belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Versions {
    /// 2019 and 2021.
    Both,
    /// Only the 2019 template.
    Only2019,
    /// Only the 2021 template.
    Only2021,
}

impl Versions {
    /// Whether `t` has this row.
    pub fn includes(self, t: Template) -> bool {
        match self {
            Versions::Both => matches!(t, Template::V2019 | Template::V2021),
            Versions::Only2019 => t == Template::V2019,
            Versions::Only2021 => t == Template::V2021,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Table 3

/// Table 3's title (section 三).
pub const T3_TITLE: &str = "三、收到和处理政府信息公开申请情况";

/// The written consistency rule printed in table 3's corner cell (merged 3×3).
pub const T3_NOTE: &str = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）";

/// Table 3 header: 申请人情况 (spans the seven value columns).
pub const T3_APPLICANTS: &str = "申请人情况";

/// Table 3 header: 法人或其他组织 (spans the five organisation columns).
pub const T3_ORGANISATIONS: &str = "法人或其他组织";

/// One value column of table 3.
#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    /// The glossary key.
    pub key: Column,
    /// The label as printed.
    pub label: &'static str,
    /// Whether the column sits under 法人或其他组织.
    pub organisation: bool,
}

/// Table 3's seven value columns, in template order.
pub const COLUMNS: [ColumnSpec; 7] = [
    ColumnSpec { key: Column::NaturalPerson, label: "自然人", organisation: false },
    ColumnSpec { key: Column::Commercial, label: "商业企业", organisation: true },
    ColumnSpec { key: Column::Research, label: "科研机构", organisation: true },
    ColumnSpec { key: Column::PublicInterest, label: "社会公益组织", organisation: true },
    ColumnSpec { key: Column::LegalServices, label: "法律服务机构", organisation: true },
    ColumnSpec { key: Column::Other, label: "其他", organisation: true },
    ColumnSpec { key: Column::Total, label: "总计", organisation: false },
];

/// The label of a table-3 column.
pub fn column_label(c: Column) -> &'static str {
    COLUMNS.iter().find(|s| s.key == c).map(|s| s.label).unwrap_or("")
}

/// A merged group of table-3 rows (the label in the second label column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RowGroup {
    /// （三）不予公开.
    Withheld,
    /// （四）无法提供.
    Unable,
    /// （五）不予处理.
    NotProcessed,
    /// （六）其他处理 (2021: three sub-rows).
    OtherHandling,
}

impl RowGroup {
    /// The group label as printed.
    pub fn label(self) -> &'static str {
        match self {
            RowGroup::Withheld => "（三）不予公开",
            RowGroup::Unable => "（四）无法提供",
            RowGroup::NotProcessed => "（五）不予处理",
            RowGroup::OtherHandling => "（六）其他处理",
        }
    }
}

/// The label of the merged 三、本年度办理结果 column.
pub const T3_OUTCOMES: &str = "三、本年度办理结果";

/// One row of table 3.
#[derive(Debug, Clone, Copy)]
pub struct RowSpec {
    /// The row key.
    pub key: RequestRow,
    /// The path below `requests` (e.g. `outcomes.withheld.state_secret`).
    pub path: &'static str,
    /// The numbering printed before the label (「一、」, 「（一）」, 「1.」).
    pub number: &'static str,
    /// The label without its numbering, verbatim.
    pub label: &'static str,
    /// Other spellings of `label` seen in published reports.
    pub variants: &'static [&'static str],
    /// The merged group the row belongs to, if any.
    pub group: Option<RowGroup>,
    /// Whether the row sits under 三、本年度办理结果.
    pub outcome: bool,
    /// Which templates print the row.
    pub versions: Versions,
}

impl RowSpec {
    /// The label with its numbering, as the template prints it.
    pub fn full_label(&self) -> String {
        format!("{}{}", self.number, self.label)
    }
}

#[allow(clippy::too_many_arguments)] // A table row of template data, written positionally for readability.
const fn row(
    key: RequestRow,
    path: &'static str,
    number: &'static str,
    label: &'static str,
    variants: &'static [&'static str],
    group: Option<RowGroup>,
    outcome: bool,
    versions: Versions,
) -> RowSpec {
    RowSpec { key, path, number, label, variants, group, outcome, versions }
}

/// Table 3's rows in template order. `OtherHandlingTotal` is printed as 「（六）其他处理」 in the
/// 2019 template; in 2021 the group has three sub-rows and its total is their sum.
pub const T3_ROWS: [RowSpec; 26] = {
    use RequestRow as R;
    use RowGroup as G;
    use Versions as V;
    [
        row(R::Received, "received", "一、", "本年新收政府信息公开申请数量", &[], None, false, V::Both),
        row(R::CarriedOver, "carried_over", "二、", "上年结转政府信息公开申请数量", &[], None, false, V::Both),
        row(R::Granted, "outcomes.granted", "（一）", "予以公开", &[], None, true, V::Both),
        row(
            R::PartiallyGranted,
            "outcomes.partially_granted",
            "（二）",
            "部分公开（区分处理的，只计这一情形，不计其他情形）",
            &["部分公开"],
            None,
            true,
            V::Both,
        ),
        row(
            R::StateSecret,
            "outcomes.withheld.state_secret",
            "1.",
            "属于国家秘密",
            &[],
            Some(G::Withheld),
            true,
            V::Both,
        ),
        row(
            R::ProhibitedByLaw,
            "outcomes.withheld.prohibited_by_law",
            "2.",
            "其他法律行政法规禁止公开",
            // 洪泽区 2023/2024 print 「其他法律行政止公开」.
            &["其他法律行政止公开", "其他法律法规禁止公开"],
            Some(G::Withheld),
            true,
            V::Both,
        ),
        row(
            R::SecurityStability,
            "outcomes.withheld.security_stability",
            "3.",
            "危及“三安全一稳定”",
            &["危及三安全一稳定"],
            Some(G::Withheld),
            true,
            V::Both,
        ),
        row(
            R::ThirdPartyRights,
            "outcomes.withheld.third_party_rights",
            "4.",
            "保护第三方合法权益",
            &[],
            Some(G::Withheld),
            true,
            V::Both,
        ),
        row(
            R::InternalAffairs,
            "outcomes.withheld.internal_affairs",
            "5.",
            "属于三类内部事务信息",
            &[],
            Some(G::Withheld),
            true,
            V::Both,
        ),
        row(
            R::ProcessInformation,
            "outcomes.withheld.process_information",
            "6.",
            "属于四类过程性信息",
            &[],
            Some(G::Withheld),
            true,
            V::Both,
        ),
        row(
            R::EnforcementFiles,
            "outcomes.withheld.enforcement_files",
            "7.",
            "属于行政执法案卷",
            &[],
            Some(G::Withheld),
            true,
            V::Both,
        ),
        row(
            R::AdministrativeQuery,
            "outcomes.withheld.administrative_query",
            "8.",
            "属于行政查询事项",
            &[],
            Some(G::Withheld),
            true,
            V::Both,
        ),
        row(
            R::NotHeld,
            "outcomes.unable.not_held",
            "1.",
            "本机关不掌握相关政府信息",
            &[],
            Some(G::Unable),
            true,
            V::Both,
        ),
        row(
            R::NeedsCreation,
            "outcomes.unable.needs_creation",
            "2.",
            "没有现成信息需要另行制作",
            &[],
            Some(G::Unable),
            true,
            V::Both,
        ),
        row(
            R::StillUnclear,
            "outcomes.unable.still_unclear",
            "3.",
            "补正后申请内容仍不明确",
            &[],
            Some(G::Unable),
            true,
            V::Both,
        ),
        row(
            R::Complaint,
            "outcomes.not_processed.complaint",
            "1.",
            "信访举报投诉类申请",
            &[],
            Some(G::NotProcessed),
            true,
            V::Both,
        ),
        row(
            R::Duplicate,
            "outcomes.not_processed.duplicate",
            "2.",
            "重复申请",
            &[],
            Some(G::NotProcessed),
            true,
            V::Both,
        ),
        row(
            R::Publication,
            "outcomes.not_processed.publication",
            "3.",
            "要求提供公开出版物",
            &[],
            Some(G::NotProcessed),
            true,
            V::Both,
        ),
        row(
            R::Excessive,
            "outcomes.not_processed.excessive",
            "4.",
            "无正当理由大量反复申请",
            &[],
            Some(G::NotProcessed),
            true,
            V::Both,
        ),
        row(
            R::Reconfirmation,
            "outcomes.not_processed.reconfirmation",
            "5.",
            "要求行政机关确认或重新出具已获取信息",
            &[],
            Some(G::NotProcessed),
            true,
            V::Both,
        ),
        row(
            R::NoCorrection,
            "outcomes.other_handling.no_correction",
            "1.",
            "申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
            &["逾期不补正"],
            Some(G::OtherHandling),
            true,
            V::Only2021,
        ),
        row(
            R::FeeUnpaid,
            "outcomes.other_handling.fee_unpaid",
            "2.",
            "申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
            &["逾期未缴费"],
            Some(G::OtherHandling),
            true,
            V::Only2021,
        ),
        row(
            R::OtherHandlingOther,
            "outcomes.other_handling.other",
            "3.",
            "其他",
            &[],
            Some(G::OtherHandling),
            true,
            V::Only2021,
        ),
        row(R::OtherHandlingTotal, "outcomes.other_handling.total", "（六）", "其他处理", &[], None, true, V::Only2019),
        row(R::OutcomesTotal, "outcomes.total", "（七）", "总计", &[], None, true, V::Both),
        row(R::CarriedForward, "carried_forward", "四、", "结转下年度继续办理", &[], None, false, V::Both),
    ]
};

/// The row description of a key.
pub fn t3_row(key: RequestRow) -> &'static RowSpec {
    // T3_ROWS has one entry per RequestRow variant, in declaration order.
    &T3_ROWS[key as usize]
}

/// The outcome leaves summed into （七）总计 (t3.outcome-sum), for a table whose 其他处理 is
/// given as one row (`other_total`) or as sub-rows.
pub const OUTCOME_LEAVES: [RequestRow; 19] = {
    use RequestRow as R;
    [
        R::Granted,
        R::PartiallyGranted,
        R::StateSecret,
        R::ProhibitedByLaw,
        R::SecurityStability,
        R::ThirdPartyRights,
        R::InternalAffairs,
        R::ProcessInformation,
        R::EnforcementFiles,
        R::AdministrativeQuery,
        R::NotHeld,
        R::NeedsCreation,
        R::StillUnclear,
        R::Complaint,
        R::Duplicate,
        R::Publication,
        R::Excessive,
        R::Reconfirmation,
        R::OtherHandlingTotal,
    ]
};

/// The three 其他处理 sub-rows (2021).
pub const OTHER_HANDLING_PARTS: [RequestRow; 3] =
    [RequestRow::NoCorrection, RequestRow::FeeUnpaid, RequestRow::OtherHandlingOther];

// ---------------------------------------------------------------------------------------------
// Table 4

/// Table 4's title (section 四).
pub const T4_TITLE: &str = "四、政府信息公开行政复议、行政诉讼情况";

/// Other titles of section 四 seen in real reports.
pub const T4_TITLE_VARIANTS: &[&str] = &[
    "因政府信息公开工作被申请行政复议提起行政诉讼情况",
    "因政府信息公开工作被申请行政复议、提起行政诉讼情况",
    "政府信息公开行政法复议、行政诉讼情况",
    "因政府信息公开申请行政复议、提起行政诉讼的情况",
];

/// Table 4 header: 行政复议 (5 columns) and 行政诉讼 (10 columns).
pub const T4_REVIEW: &str = "行政复议";
/// Table 4 header: 行政诉讼.
pub const T4_LITIGATION: &str = "行政诉讼";

/// One group of table 4.
#[derive(Debug, Clone, Copy)]
pub struct GroupSpec {
    /// The glossary key.
    pub key: CaseGroup,
    /// The label as printed.
    pub label: &'static str,
}

/// Table 4's groups in template order.
pub const T4_GROUPS: [GroupSpec; 3] = [
    GroupSpec { key: CaseGroup::Review, label: "行政复议" },
    GroupSpec { key: CaseGroup::LitigationDirect, label: "未经复议直接起诉" },
    GroupSpec { key: CaseGroup::LitigationAfterReview, label: "复议后起诉" },
];

/// One result column of a table-4 group.
#[derive(Debug, Clone, Copy)]
pub struct ResultSpec {
    /// The glossary key.
    pub key: CaseResult,
    /// The label as printed.
    pub label: &'static str,
}

/// The five columns of each table-4 group.
pub const T4_RESULTS: [ResultSpec; 5] = [
    ResultSpec { key: CaseResult::Upheld, label: "结果维持" },
    ResultSpec { key: CaseResult::Corrected, label: "结果纠正" },
    ResultSpec { key: CaseResult::Other, label: "其他结果" },
    ResultSpec { key: CaseResult::Pending, label: "尚未审结" },
    ResultSpec { key: CaseResult::Total, label: "总计" },
];

/// The label of a table-4 group.
pub fn group_label(g: CaseGroup) -> &'static str {
    T4_GROUPS.iter().find(|s| s.key == g).map(|s| s.label).unwrap_or("")
}

/// The label of a table-4 result column.
pub fn result_label(r: CaseResult) -> &'static str {
    T4_RESULTS.iter().find(|s| s.key == r).map(|s| s.label).unwrap_or("")
}

// ---------------------------------------------------------------------------------------------
// Table 2

/// Table 2's title (section 二).
pub const T2_TITLE: &str = "二、主动公开政府信息情况";

/// The first header cell of every table-2 block.
pub const T2_CONTENT: &str = "信息内容";

/// A column of a table-2 block: its JSON key and printed label.
#[derive(Debug, Clone, Copy)]
pub struct T2Column {
    /// The JSON key inside the block (e.g. `issued`).
    pub key: &'static str,
    /// The header label as printed.
    pub label: &'static str,
    /// Other spellings seen in real reports.
    pub variants: &'static [&'static str],
    /// The unit when the template prints one (only 万元).
    pub unit: Option<&'static str>,
    /// Whether the value is an amount (decimal) rather than a count.
    pub amount: bool,
}

/// A data row of a table-2 block.
#[derive(Debug, Clone, Copy)]
pub struct T2Row {
    /// The JSON key in `proactive` (e.g. `normative_documents`).
    pub key: &'static str,
    /// The label as printed.
    pub label: &'static str,
    /// Other spellings.
    pub variants: &'static [&'static str],
}

/// A block of table 2 (one Article 20 item) in one template version.
#[derive(Debug, Clone, Copy)]
pub struct T2Block {
    /// 「第二十条第（一）项」 etc.
    pub title: &'static str,
    /// The Article 20 item number.
    pub article20_item: u8,
    /// The value columns.
    pub columns: &'static [T2Column],
    /// The data rows.
    pub rows: &'static [T2Row],
}

const fn col(key: &'static str, label: &'static str, variants: &'static [&'static str]) -> T2Column {
    T2Column { key, label, variants, unit: None, amount: false }
}

const ROWS_ITEM1_2021: &[T2Row] = &[
    T2Row { key: "rules", label: "规章", variants: &[] },
    T2Row { key: "normative_documents", label: "行政规范性文件", variants: &["规范性文件"] },
];
const ROWS_ITEM1_2019: &[T2Row] = &[
    T2Row { key: "rules", label: "规章", variants: &[] },
    T2Row { key: "normative_documents", label: "规范性文件", variants: &["行政规范性文件"] },
];

/// Table 2 in the 2021 template (国办公开办函〔2021〕30号 附件).
pub const T2_2021: [T2Block; 4] = [
    T2Block {
        title: "第二十条第（一）项",
        article20_item: 1,
        columns: &[
            col("issued", "本年制发件数", &[]),
            col("repealed", "本年废止件数", &[]),
            col("in_force", "现行有效件数", &["现行有效件"]),
        ],
        rows: ROWS_ITEM1_2021,
    },
    T2Block {
        title: "第二十条第（五）项",
        article20_item: 5,
        columns: &[col("decisions", "本年处理决定数量", &["处理决定数量"])],
        rows: &[T2Row { key: "licensing", label: "行政许可", variants: &[] }],
    },
    T2Block {
        title: "第二十条第（六）项",
        article20_item: 6,
        columns: &[col("decisions", "本年处理决定数量", &["处理决定数量"])],
        rows: &[
            T2Row { key: "penalties", label: "行政处罚", variants: &[] },
            T2Row { key: "coercive_measures", label: "行政强制", variants: &[] },
        ],
    },
    T2Block {
        title: "第二十条第（八）项",
        article20_item: 8,
        columns: &[T2Column {
            key: "amount_wan_yuan",
            label: "本年收费金额（单位：万元）",
            variants: &["本年收费金额"],
            unit: Some("万元"),
            amount: true,
        }],
        rows: &[T2Row { key: "administrative_fees", label: "行政事业性收费", variants: &[] }],
    },
];

/// Table 2 in the 2019 template (国办公开办函〔2019〕60号).
pub const T2_2019: [T2Block; 5] = [
    T2Block {
        title: "第二十条第（一）项",
        article20_item: 1,
        columns: &[
            col("made", "本年新制作数量", &[]),
            col("published", "本年新公开数量", &[]),
            col("published_total", "对外公开总数量", &[]),
        ],
        rows: ROWS_ITEM1_2019,
    },
    T2Block {
        title: "第二十条第（五）项",
        article20_item: 5,
        columns: &[
            col("previous_items", "上一年项目数量", &[]),
            col("change", "本年增/减", &["本年增减"]),
            col("decisions", "处理决定数量", &["本年处理决定数量"]),
        ],
        rows: &[
            T2Row { key: "licensing", label: "行政许可", variants: &[] },
            T2Row { key: "other_services", label: "其他对外管理服务事项", variants: &[] },
        ],
    },
    T2Block {
        title: "第二十条第（六）项",
        article20_item: 6,
        columns: &[
            col("previous_items", "上一年项目数量", &[]),
            col("change", "本年增/减", &["本年增减"]),
            col("decisions", "处理决定数量", &["本年处理决定数量"]),
        ],
        rows: &[
            T2Row { key: "penalties", label: "行政处罚", variants: &[] },
            T2Row { key: "coercive_measures", label: "行政强制", variants: &[] },
        ],
    },
    T2Block {
        title: "第二十条第（八）项",
        article20_item: 8,
        columns: &[col("previous_items", "上一年项目数量", &[]), col("change", "本年增/减", &["本年增减"])],
        rows: &[T2Row { key: "administrative_fees", label: "行政事业性收费", variants: &[] }],
    },
    T2Block {
        title: "第二十条第（九）项",
        article20_item: 9,
        columns: &[
            col("projects", "采购项目数量", &[]),
            T2Column { key: "amount_yuan", label: "采购总金额", variants: &[], unit: None, amount: true },
        ],
        rows: &[T2Row { key: "centralized_procurement", label: "政府集中采购", variants: &[] }],
    },
];

/// Table 2's blocks in a template (`pre2019` has no table 2).
pub fn t2_blocks(t: Template) -> &'static [T2Block] {
    match t {
        Template::V2021 => &T2_2021,
        Template::V2019 => &T2_2019,
        Template::Pre2019 => &[],
    }
}

/// Labels whose presence proves a 2019 table 2 (spec: "Template detection").
pub const T2_2019_MARKERS: &[&str] = &["本年新制作数量", "第二十条第（九）项", "对外公开总数量", "上一年项目数量"];
/// Labels whose presence proves a 2021 table 2.
pub const T2_2021_MARKERS: &[&str] = &["本年制发件数", "本年废止件数", "本年收费金额"];

// ---------------------------------------------------------------------------------------------
// Sections

/// One section of the report outline.
#[derive(Debug, Clone, Copy)]
pub struct SectionSpec {
    /// The glossary key.
    pub key: SectionKey,
    /// The official title (2021 wording).
    pub title: &'static str,
    /// Title texts (after the numbering) that identify the section, official first.
    pub matches: &'static [&'static str],
    /// Whether the 2019/2021 templates require it.
    pub required: bool,
}

/// The outline of the 2019 and 2021 templates (and the legacy fees section), in official order.
pub const SECTIONS: [SectionSpec; 7] = [
    SectionSpec {
        key: SectionKey::Overview,
        title: "一、总体情况",
        matches: &["总体情况", "概述", "基本情况", "概况"],
        required: true,
    },
    SectionSpec {
        key: SectionKey::Proactive,
        title: "二、主动公开政府信息情况",
        matches: &["主动公开政府信息情况", "主动公开政府信息的情况", "主动公开情况"],
        required: true,
    },
    SectionSpec {
        key: SectionKey::Requests,
        title: "三、收到和处理政府信息公开申请情况",
        matches: &["收到和处理政府信息公开申请情况", "依申请公开政府信息情况", "依申请公开情况"],
        required: true,
    },
    SectionSpec {
        key: SectionKey::ReviewLitigation,
        title: "四、政府信息公开行政复议、行政诉讼情况",
        matches: &[
            "行政复议、行政诉讼情况",
            "行政复议,行政诉讼情况",
            // 「四、政府信息公开行政复议与行政诉讼情况」: 与/及/和 for 、.
            "行政复议与行政诉讼情况",
            "行政复议及行政诉讼情况",
            "行政复议和行政诉讼情况",
            "行政复议、行政诉讼的情况",
            "行政复议和提起行政诉讼情况",
            "提起行政诉讼情况",
            "提起行政诉讼的情况",
            "行政法复议、行政诉讼情况",
            "行政复议诉讼",
        ],
        required: true,
    },
    SectionSpec {
        key: SectionKey::Fees,
        title: "政府信息公开收费及减免情况",
        matches: &["收费及减免情况", "收费及减免"],
        required: false,
    },
    SectionSpec {
        key: SectionKey::Problems,
        title: "五、存在的主要问题及改进情况",
        matches: &[
            "存在的主要问题及改进情况",
            "存在的主要问题及改进措施",
            "存在问题及改进情况",
            "存在的主要问题和改进措施",
            "主要问题及改进",
            "存在的问题及改进",
            "存在的主要问题",
        ],
        required: true,
    },
    SectionSpec {
        key: SectionKey::OtherMatters,
        title: "六、其他需要报告的事项",
        matches: &["其他需要报告的事项"],
        required: true,
    },
];

/// The section description of a key.
pub fn section(key: SectionKey) -> &'static SectionSpec {
    // SECTIONS has one entry per SectionKey, in declaration order.
    &SECTIONS[key as usize]
}

/// The report's title: 「<agency><year>年政府信息公开工作年度报告」.
pub fn report_title(agency: &str, year: Option<i32>) -> String {
    match year {
        Some(y) => format!("{agency}{y}年政府信息公开工作年度报告"),
        None => format!("{agency}政府信息公开工作年度报告"),
    }
}

// ---------------------------------------------------------------------------------------------
// Pre-2019 statistics table

/// The header of the pre-2019 statistics table.
pub const LEGACY_HEADER: [&str; 3] = ["统计指标", "单位", "统计数"];

/// A known indicator of the pre-2019 statistics tables (国办发〔2014〕32号 and local copies).
#[derive(Debug, Clone, Copy)]
pub struct LegacyRow {
    /// A stable key.
    pub key: &'static str,
    /// The indicator without numbering, as printed.
    pub label: &'static str,
    /// The unit printed.
    pub unit: Option<&'static str>,
}

/// Known indicators; the first group feeds `legacy.channel-sum`.
pub const LEGACY_ROWS: &[LegacyRow] = &[
    LegacyRow { key: "proactive_total", label: "主动公开政府信息数", unit: Some("条") },
    LegacyRow { key: "channels", label: "通过不同渠道和方式公开政府信息的情况", unit: None },
    LegacyRow { key: "channel_gazette", label: "政府公报公开政府信息数", unit: Some("条") },
    LegacyRow { key: "channel_website", label: "政府网站公开政府信息数", unit: Some("条") },
    LegacyRow { key: "channel_weibo", label: "政务微博公开政府信息数", unit: Some("条") },
    LegacyRow { key: "channel_wechat", label: "政务微信公开政府信息数", unit: Some("条") },
    LegacyRow { key: "channel_other", label: "其他方式公开政府信息数", unit: Some("条") },
    LegacyRow { key: "responses", label: "回应公众关注热点或重大舆情数", unit: Some("次") },
    LegacyRow { key: "response_channels", label: "通过不同渠道和方式回应解读的情况", unit: None },
    LegacyRow { key: "press_conferences", label: "参加或举办新闻发布会总次数", unit: Some("次") },
    LegacyRow {
        key: "press_conferences_leaders", label: "主要负责同志参加新闻发布会次数", unit: Some("次")
    },
    LegacyRow { key: "online_interviews", label: "政府网站在线访谈次数", unit: Some("次") },
    LegacyRow {
        key: "online_interviews_leaders", label: "主要负责同志参加政府网站在线访谈次数", unit: Some("次")
    },
    LegacyRow { key: "policy_interpretations", label: "政策解读稿件发布数", unit: Some("篇") },
    LegacyRow { key: "weibo_wechat_responses", label: "微博微信回应事件数", unit: Some("次") },
    LegacyRow { key: "other_responses", label: "其他方式回应事件数", unit: Some("次") },
    LegacyRow { key: "normative_documents_published", label: "主动公开规范性文件数", unit: Some("条") },
    LegacyRow { key: "normative_documents_made", label: "制发规范性文件总数", unit: Some("件") },
];

/// The channel indicators whose counts bound 主动公开政府信息数 (legacy.channel-sum).
pub const LEGACY_CHANNELS: &[&str] =
    &["channel_gazette", "channel_website", "channel_weibo", "channel_wechat", "channel_other"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn row_table_is_indexed_by_key() {
        for (i, r) in T3_ROWS.iter().enumerate() {
            assert_eq!(r.key as usize, i, "{:?}", r.key);
        }
        for (i, s) in SECTIONS.iter().enumerate() {
            assert_eq!(s.key as usize, i, "{:?}", s.key);
        }
    }

    #[test]
    fn outcome_rows_count_twenty_two_in_2021_and_twenty_in_2019() {
        // The merged 三、本年度办理结果 cell spans 22 rows in 2021 and 20 in 2019 (spec §1.5, §2.2).
        let n = |t| T3_ROWS.iter().filter(|r| r.outcome && r.versions.includes(t)).count();
        assert_eq!(n(Template::V2021), 22);
        assert_eq!(n(Template::V2019), 20);
    }
}
