//! gongkai-sheet: the registers (台账) as an .xlsx workbook with Chinese column headers (issue 4
//! item 7), shared by `gongkai register import/export/template` and the console's 台账导入导出
//! page: read with calamine, written with rust_xlsxwriter. The layout is documented in
//! docs/register-spreadsheet.md; the column tables below are its source.
//!
//! [`read`] validates the whole workbook before anything is stored: every cell, every request's
//! events through [`lifecycle::apply`], every case's dates and result. Each problem is a
//! [`CellError`] naming sheet, row and column; the caller stores nothing unless there is none.
//! [`check_against`] adds the checks that need the database (agencies, numbers already
//! registered, rows reaching a locked year), with the same naming. [`write`] produces a workbook
//! that [`read`] turns back into the same registers; [`agency_registers`] gathers what an
//! agency's workbook holds.
//!
//! A library of its own (not part of gongkai-store, which knows SQL and nothing of files, nor of
//! gongkai-import/-export, which are about reports) so that the binary and gongkai-web read and
//! write the registers the same way.

#![forbid(unsafe_code)]
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::expect_used))]

mod db;

pub use db::{agency_registers, check_against};

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::Cursor;

use calamine::{Data, Range, Reader};
use chrono::{Datelike, NaiveDate};
use gongkai_core::calendar::Calendar;
use gongkai_core::fees::{self, FeeMethod};
use gongkai_core::lifecycle::{self, event_label, Refusal};
use gongkai_core::register::{
    Agency, AgencyKind, Applicant, ApplicantType, Article20Figures, Case, Channel, Event, EventKind,
    ProactiveDisclosure, Request,
};
use gongkai_core::report::{Amount, CaseGroup, CaseResult, RequestRow};
use gongkai_core::template;
use gongkai_store::RegisterBatch;
use rust_xlsxwriter::{
    DataValidation, DataValidationErrorStyle, DocProperties, ExcelDateTime, Format, FormatBorder, Formula, Workbook,
    Worksheet, XlsxError,
};

// ---------------------------------------------------------------------------------------------
// Layout

/// 申请登记: one row per request.
pub const SHEET_REQUESTS: &str = "申请登记";
/// 办理过程: the events before the reply, one per row.
pub const SHEET_EVENTS: &str = "办理过程";
/// 复议诉讼: review and litigation cases.
pub const SHEET_CASES: &str = "复议诉讼";
/// 第二十条数据: Article 20 yearly figures.
pub const SHEET_FIGURES: &str = "第二十条数据";
/// 机关: the agencies the other sheets name.
pub const SHEET_AGENCIES: &str = "机关";
/// 主动公开: the proactive disclosure register (Arts. 19–26), one item per row.
pub const SHEET_PROACTIVE: &str = "主动公开";
/// 公开指南: each agency's 政府信息公开指南 (Art. 12), one row per agency.
pub const SHEET_DISCLOSURE_GUIDE: &str = "公开指南";
/// 填写说明: how to fill in (ignored on import).
pub const SHEET_GUIDE: &str = "填写说明";
/// 选项: the allowed values of the drop-down lists (ignored on import).
pub const SHEET_OPTIONS: &str = "选项";

/// What a column holds (decides its cell format).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnKind {
    /// Free text (written as text, so that long numbers keep every digit).
    Text,
    /// A date (written as an Excel date, `yyyy-mm-dd`).
    Date,
    /// A whole number.
    Int,
    /// A decimal amount.
    Amount,
    /// One of the values in the 选项 sheet (a drop-down list).
    Choice(usize),
}

/// One column of a sheet.
#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    /// The header as written in row 1.
    pub header: &'static str,
    /// Other headers accepted on import.
    pub aliases: &'static [&'static str],
    /// Whether every row must fill it.
    pub required: bool,
    /// What it holds.
    pub kind: ColumnKind,
    /// Column width when written.
    pub width: f64,
    /// The note in the 填写说明 sheet.
    pub note: &'static str,
}

const fn col(
    header: &'static str,
    aliases: &'static [&'static str],
    required: bool,
    kind: ColumnKind,
    width: f64,
    note: &'static str,
) -> ColumnSpec {
    ColumnSpec { header, aliases, required, kind, width, note }
}

use ColumnKind::{Amount as Amt, Choice, Date, Int, Text};

// Indexes of the drop-down lists in OPTIONS.
const OPT_CHANNEL: usize = 0;
const OPT_APPLICANT: usize = 1;
const OPT_OUTCOME: usize = 2;
const OPT_EVENT: usize = 3;
const OPT_FEE_METHOD: usize = 4;
const OPT_GROUP: usize = 5;
const OPT_RESULT: usize = 6;
const OPT_AGENCY_KIND: usize = 7;

/// The columns of 申请登记, in order.
pub const REQUEST_COLUMNS: [ColumnSpec; 15] = [
    col("受理编号", &["申请编号", "编号"], true, Text, 16.0, "本机关内唯一的受理编号"),
    col("机关代码", &[], true, Text, 14.0, "受理机关的代码（见“机关”表或 gongkai agency list）"),
    col("收到日期", &["收到申请日期", "收到申请之日"], true, Date, 12.0, "收到申请之日（条例第三十一条），YYYY-MM-DD"),
    col("渠道", &["申请渠道", "申请方式"], true, Choice(OPT_CHANNEL), 8.0, "网络、邮寄、当面、传真、信函"),
    col(
        "申请人类型",
        &[],
        true,
        Choice(OPT_APPLICANT),
        12.0,
        "自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他",
    ),
    col(
        "申请人姓名/名称",
        &["申请人姓名或名称", "申请人姓名", "申请人名称", "申请人"],
        true,
        Text,
        18.0,
        "自然人姓名或组织名称",
    ),
    col(
        "证件号码",
        &["身份证明", "证件号", "身份证件号码"],
        false,
        Text,
        22.0,
        "身份证号或统一社会信用代码（以文本填写）",
    ),
    col("联系方式", &["联系电话"], false, Text, 16.0, "电话、地址或电子邮箱"),
    col(
        "申请内容",
        &["申请公开的内容", "所需信息"],
        true,
        Text,
        40.0,
        "申请公开的政府信息的名称、文号或便于查询的特征描述",
    ),
    col("申请形式", &["获取信息的形式", "提供形式"], false, Text, 12.0, "纸质、电子文本等"),
    col("获取方式", &["获取信息的方式", "送达方式"], false, Text, 12.0, "邮寄、电子邮件、自行领取等"),
    col("答复日期", &["办结日期"], false, Date, 12.0, "答复或撤回之日；尚未办结的留空"),
    col(
        "办理结果",
        &["答复结果"],
        false,
        Choice(OPT_OUTCOME),
        36.0,
        "表三“本年度办理结果”的一个具体项，或“撤回申请”；尚未办结的留空",
    ),
    col("答复文书", &["答复文号", "答复书文号"], false, Text, 20.0, "答复书的文号"),
    col("答复经办人", &["答复人"], false, Text, 10.0, "登记答复的工作人员"),
];

/// The columns of 办理过程, in order.
pub const EVENT_COLUMNS: [ColumnSpec; 13] = [
    col("受理编号", &["申请编号", "编号"], true, Text, 16.0, "“申请登记”表中的受理编号"),
    col("机关代码", &[], true, Text, 14.0, "同“申请登记”表"),
    col("日期", &["事件日期", "发生日期"], true, Date, 12.0, "事件发生之日，YYYY-MM-DD"),
    col("经办人", &[], false, Text, 10.0, "登记该事件的工作人员"),
    col(
        "事件",
        &["事件类型", "环节"],
        true,
        Choice(OPT_EVENT),
        16.0,
        "补正告知、收到补正、延长答复期限、征求意见、收到征求意见答复、收费通知、缴费",
    ),
    col("补正内容", &["补正事项"], false, Text, 24.0, "补正告知：需要补正的事项"),
    col("补正期限（天）", &["补正期限"], false, Int, 10.0, "补正告知：给予的补正期限（天），必填"),
    col("批准人", &[], false, Text, 10.0, "延长答复期限：批准人（政府信息公开工作机构负责人），必填"),
    col("延期理由", &["延长理由"], false, Text, 20.0, "延长答复期限：理由"),
    col("征求对象", &["征求意见对象", "第三方"], false, Text, 20.0, "征求意见：第三方或其他机关，必填"),
    col("计收方式", &[], false, Choice(OPT_FEE_METHOD), 10.0, "收费通知：按件计收或按量计收，必填"),
    col("计费数量", &["件数/页数", "数量"], false, Int, 10.0, "收费通知：当月申请件数（按件）或页数（按量），必填"),
    col(
        "收费金额（元）",
        &["收费金额"],
        false,
        Amt,
        12.0,
        "收费通知：可留空，由国办函〔2020〕109号标准计算；填写的须与标准一致",
    ),
];

/// The columns of 复议诉讼, in order.
pub const CASE_COLUMNS: [ColumnSpec; 7] = [
    col("案件编号", &["案号", "编号"], true, Text, 20.0, "本机关内唯一的案件编号"),
    col("机关代码", &[], true, Text, 14.0, "被申请复议或被诉的机关代码"),
    col("类别", &["案件类别"], true, Choice(OPT_GROUP), 18.0, "行政复议、未经复议直接起诉、复议后起诉"),
    col("关联受理编号", &["关联申请"], false, Text, 16.0, "引起该案件的申请的受理编号（如有）"),
    col("立案日期", &["申请复议或起诉日期"], true, Date, 12.0, "申请复议或起诉之日"),
    col("审结日期", &[], false, Date, 12.0, "审结之日；尚未审结的留空"),
    col("结果", &["审理结果"], false, Choice(OPT_RESULT), 10.0, "结果维持、结果纠正、其他结果；尚未审结的留空"),
];

/// The columns of 第二十条数据, in order.
pub const FIGURE_COLUMNS: [ColumnSpec; 12] = [
    col("机关代码", &[], true, Text, 14.0, "机关代码"),
    col("年度", &["报告年度"], true, Int, 8.0, "报告年度，如 2024"),
    col("规章本年制发件数", &[], false, Int, 10.0, "表二 规章 本年制发件数"),
    col("规章本年废止件数", &[], false, Int, 10.0, "表二 规章 本年废止件数"),
    col("规章现行有效件数", &[], false, Int, 10.0, "表二 规章 现行有效件数"),
    col(
        "规范性文件本年制发件数",
        &["行政规范性文件本年制发件数"],
        false,
        Int,
        10.0,
        "表二 行政规范性文件 本年制发件数",
    ),
    col(
        "规范性文件本年废止件数",
        &["行政规范性文件本年废止件数"],
        false,
        Int,
        10.0,
        "表二 行政规范性文件 本年废止件数",
    ),
    col(
        "规范性文件现行有效件数",
        &["行政规范性文件现行有效件数"],
        false,
        Int,
        10.0,
        "表二 行政规范性文件 现行有效件数",
    ),
    col("行政许可本年处理决定数量", &[], false, Int, 10.0, "表二 行政许可 本年处理决定数量"),
    col("行政处罚本年处理决定数量", &[], false, Int, 10.0, "表二 行政处罚 本年处理决定数量"),
    col("行政强制本年处理决定数量", &[], false, Int, 10.0, "表二 行政强制 本年处理决定数量"),
    col(
        "行政事业性收费本年收费金额（万元）",
        &["行政事业性收费金额（万元）", "本年收费金额（万元）"],
        false,
        Amt,
        12.0,
        "表二 行政事业性收费 本年收费金额，单位万元",
    ),
];

/// The columns of 机关, in order.
pub const AGENCY_COLUMNS: [ColumnSpec; 4] = [
    col("机关代码", &[], true, Text, 14.0, "唯一的机关代码"),
    col("机关名称", &["名称"], true, Text, 28.0, "机关全称（署于年度报告）"),
    col("上级机关代码", &["上级机关"], false, Text, 14.0, "上级机关的代码（本表或数据库中已有）"),
    col("机关类型", &["类型"], true, Choice(OPT_AGENCY_KIND), 10.0, "人民政府、政府部门、乡镇街道、其他"),
];

/// The columns of 主动公开, in order.
pub const PROACTIVE_COLUMNS: [ColumnSpec; 9] = [
    col("索引号", &[], true, Text, 24.0, "本机关内唯一的索引号"),
    col("机关代码", &[], true, Text, 14.0, "发布信息的机关代码"),
    col("名称", &["信息名称", "标题"], true, Text, 40.0, "信息的名称（标题）"),
    col("文号", &["发文字号"], false, Text, 18.0, "文件的发文字号（如有）"),
    col("第二十条事项", &["条例第二十条事项"], false, Int, 10.0, "属于条例第二十条第几项（1至15），不属于的留空"),
    col("主题分类", &["分类"], false, Text, 14.0, "主题分类，如 财政预决算"),
    col(
        "公开渠道",
        &["渠道"],
        false,
        Text,
        20.0,
        "政府网站、政府公报、政务微博、政务微信，多个用顿号分隔；留空为政府网站",
    ),
    col("发布日期", &["公开日期"], true, Date, 12.0, "发布之日"),
    col("效力", &["有效性"], false, Text, 8.0, "有效、失效或废止（如适用）"),
];

/// The 公开指南 sheet's columns after 机关代码: (header, the guide's JSON key as `gongkai guide
/// show --json` writes it, whether it is a section of the outline). The labels are the console's
/// (`gongkai_app::guide::FIELDS` and `SECTIONS`; a test there keeps them equal).
pub const GUIDE_FIELDS: [(&str, &str, bool); 13] = [
    ("政府信息公开工作机构名称", "office", false),
    ("办公地址", "address", false),
    ("邮政编码", "postcode", false),
    ("办公时间", "hours", false),
    ("联系电话", "phone", false),
    ("传真号码", "fax", false),
    ("互联网联系方式", "web_contact", false),
    ("电子邮箱", "email", false),
    ("一、主动公开：范围、方式和时限", "scope", true),
    ("二、政府信息公开目录的分类与编排体系", "catalogue", true),
    ("三、依申请公开：受理机构、提出方式、办理期限", "request", true),
    ("四、收费", "fees", true),
    ("五、监督和救济", "remedies", true),
];

/// The 公开指南 sheet. The columns Art. 12 requires must be present; whether each is filled is
/// checked with the guide's one rule (`gongkai_app::guide::parse`), as in the console.
pub const GUIDE_COLUMNS: [ColumnSpec; 15] = [
    col("机关代码", &[], true, Text, 14.0, "指南所属机关的代码，每个机关一行"),
    col("政府信息公开工作机构名称", &["工作机构名称"], true, Text, 24.0, "条例第十二条：政府信息公开工作机构的名称"),
    col("办公地址", &[], true, Text, 30.0, "条例第十二条"),
    col("邮政编码", &[], false, Text, 10.0, "信函申请的收件邮政编码"),
    col("办公时间", &[], true, Text, 20.0, "条例第十二条"),
    col("联系电话", &[], true, Text, 16.0, "条例第十二条"),
    col("传真号码", &[], true, Text, 16.0, "条例第十二条"),
    col("互联网联系方式", &[], true, Text, 30.0, "条例第十二条：网上申请入口或电子邮箱等"),
    col("电子邮箱", &[], false, Text, 24.0, "待办提醒等邮件的收件地址"),
    col("一、主动公开：范围、方式和时限", &["主动公开"], false, Text, 40.0, "指南正文"),
    col(
        "二、政府信息公开目录的分类与编排体系",
        &["目录的分类与编排体系"],
        true,
        Text,
        40.0,
        "条例第十二条：政府信息的分类、编排体系",
    ),
    col("三、依申请公开：受理机构、提出方式、办理期限", &["依申请公开"], true, Text, 40.0, "条例第十二条：获取方式"),
    col("四、收费", &["收费"], false, Text, 30.0, "指南正文"),
    col("五、监督和救济", &["监督和救济"], false, Text, 30.0, "指南正文"),
    col("更新日期", &[], false, Date, 12.0, "指南的更新日期，留空为导入之日"),
];

/// A row of the 公开指南 sheet as typed, for the application layer to check with the guide's
/// one rule (`gongkai_app::guide::parse`) and store with the registers.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GuideRow {
    /// The row in the sheet.
    pub row: u32,
    /// 机关代码.
    pub agency: String,
    /// Each filled field and section, by its JSON key ([`GUIDE_FIELDS`]).
    pub values: Vec<(&'static str, String)>,
    /// 更新日期, if filled.
    pub updated_on: Option<NaiveDate>,
}

/// The guide's field or section of JSON key `key` ([`GUIDE_FIELDS`]), `None` when empty.
pub fn guide_value(g: &gongkai_store::DisclosureGuide, key: &str) -> Option<String> {
    match key {
        "office" => Some(g.office_name.clone()),
        "address" => Some(g.address.clone()),
        "postcode" => g.postcode.clone(),
        "hours" => Some(g.office_hours.clone()),
        "phone" => Some(g.phone.clone()),
        "fax" => Some(g.fax.clone()),
        "web_contact" => Some(g.web_contact.clone()),
        "email" => g.email.clone(),
        section => g.sections.get(section).cloned(),
    }
    .filter(|v| !v.trim().is_empty())
}

/// The header of the 公开指南 column that holds the guide's JSON key `key` (for the error of a
/// field the guide's rule refuses).
pub fn guide_column(key: &str) -> &'static str {
    match key {
        "updated_on" => "更新日期",
        "agency" => "机关代码",
        _ => GUIDE_FIELDS.iter().find(|(_, k, _)| *k == key).map_or("机关代码", |(h, _, _)| *h),
    }
}

/// The sheets [`read`] reads, with their columns.
pub const SHEETS: [(&str, &[ColumnSpec]); 7] = [
    (SHEET_REQUESTS, &REQUEST_COLUMNS),
    (SHEET_EVENTS, &EVENT_COLUMNS),
    (SHEET_CASES, &CASE_COLUMNS),
    (SHEET_FIGURES, &FIGURE_COLUMNS),
    (SHEET_PROACTIVE, &PROACTIVE_COLUMNS),
    (SHEET_AGENCIES, &AGENCY_COLUMNS),
    (SHEET_DISCLOSURE_GUIDE, &GUIDE_COLUMNS),
];

/// The channels of 公开渠道: (glossary name, Chinese).
pub const CHANNELS: [(&str, &str); 4] =
    [("website", "政府网站"), ("gazette", "政府公报"), ("weibo", "政务微博"), ("wechat", "政务微信")];

/// The workbook column of a proactive item's field the core names.
fn proactive_column(field: &str) -> &'static str {
    match field {
        "index_number" => "索引号",
        "title" => "名称",
        "document_number" => "文号",
        "article20_item" => "第二十条事项",
        "category" => "主题分类",
        "channels" => "公开渠道",
        "validity" => "效力",
        _ => "发布日期",
    }
}

/// The workbook column of a request's field the core names.
fn request_column(field: &str) -> &'static str {
    match field {
        "tracking_number" => "受理编号",
        "received_on" => "收到日期",
        "name" => "申请人姓名/名称",
        "id_document" => "证件号码",
        "contact" => "联系方式",
        "content" => "申请内容",
        "form" => "申请形式",
        _ => "获取方式",
    }
}

/// The workbook column of a case's field the core names.
fn case_column(field: &str) -> &'static str {
    match field {
        "number" => "案件编号",
        "request" => "关联受理编号",
        "filed_on" => "立案日期",
        "decided_on" => "审结日期",
        _ => "结果",
    }
}

/// The core's input errors of one row as cell errors, each in the column of its field.
fn input_errors(
    sheet: &'static str,
    line: u32,
    list: Vec<gongkai_core::input::InputError>,
    column_of: fn(&str) -> &'static str,
) -> impl Iterator<Item = CellError> {
    list.into_iter().map(move |e| {
        let column = column_of(e.field);
        CellError::at(sheet, line, column, without_label(column, e.message))
    })
}

/// The core's message without the label it starts with when the cell already names its column
/// (“审结日期”列：早于立案日期, not “审结日期”列：审结日期：早于立案日期).
fn without_label(column: &str, message: String) -> String {
    match message.strip_prefix(column).and_then(|m| m.strip_prefix('：')) {
        Some(rest) => rest.to_string(),
        None => message,
    }
}

// ---------------------------------------------------------------------------------------------
// Vocabulary: the Chinese values written, and every spelling accepted.

/// The outcome leaves as written in 办理结果 (template order).
pub const OUTCOME_LABELS: [(RequestRow, &str); 21] = [
    (RequestRow::Granted, "予以公开"),
    (RequestRow::PartiallyGranted, "部分公开"),
    (RequestRow::StateSecret, "不予公开/属于国家秘密"),
    (RequestRow::ProhibitedByLaw, "不予公开/其他法律行政法规禁止公开"),
    (RequestRow::SecurityStability, "不予公开/危及“三安全一稳定”"),
    (RequestRow::ThirdPartyRights, "不予公开/保护第三方合法权益"),
    (RequestRow::InternalAffairs, "不予公开/属于三类内部事务信息"),
    (RequestRow::ProcessInformation, "不予公开/属于四类过程性信息"),
    (RequestRow::EnforcementFiles, "不予公开/属于行政执法案卷"),
    (RequestRow::AdministrativeQuery, "不予公开/属于行政查询事项"),
    (RequestRow::NotHeld, "无法提供/本机关不掌握相关政府信息"),
    (RequestRow::NeedsCreation, "无法提供/没有现成信息需要另行制作"),
    (RequestRow::StillUnclear, "无法提供/补正后申请内容仍不明确"),
    (RequestRow::Complaint, "不予处理/信访举报投诉类申请"),
    (RequestRow::Duplicate, "不予处理/重复申请"),
    (RequestRow::Publication, "不予处理/要求提供公开出版物"),
    (RequestRow::Excessive, "不予处理/无正当理由大量反复申请"),
    (RequestRow::Reconfirmation, "不予处理/要求行政机关确认或重新出具已获取信息"),
    (RequestRow::NoCorrection, "其他处理/逾期不补正"),
    (RequestRow::FeeUnpaid, "其他处理/逾期未缴费"),
    (RequestRow::OtherHandlingOther, "其他处理/其他"),
];

/// 办理结果 of a withdrawn request.
pub const WITHDRAWAL_LABEL: &str = "撤回申请";

/// The Chinese label of a channel.
pub fn channel_label(c: Channel) -> &'static str {
    c.label()
}

/// A channel from its Chinese label or glossary name.
pub fn channel_from(s: &str) -> Option<Channel> {
    let s = squeeze(s);
    Channel::ALL.into_iter().find(|c| channel_label(*c) == s || c.name() == s).or(match s.as_str() {
        "网上" | "在线" | "网络申请" | "互联网" => Some(Channel::Online),
        "当面提交" | "现场" | "当面申请" => Some(Channel::InPerson),
        "邮寄申请" | "邮政" => Some(Channel::Post),
        _ => None,
    })
}

/// The Chinese label of an applicant type (a table-3 column).
pub fn applicant_label(t: ApplicantType) -> &'static str {
    template::column_label(t.column())
}

/// An applicant type from its Chinese label or glossary name.
pub fn applicant_from(s: &str) -> Option<ApplicantType> {
    let s = squeeze(s);
    ApplicantType::ALL.into_iter().find(|t| applicant_label(*t) == s || t.name() == s).or(match s.as_str() {
        "公民" | "个人" => Some(ApplicantType::NaturalPerson),
        "企业" => Some(ApplicantType::Commercial),
        "律师事务所" => Some(ApplicantType::LegalServices),
        _ => None,
    })
}

/// The Chinese label of an agency kind.
pub fn agency_kind_label(k: AgencyKind) -> &'static str {
    match k {
        AgencyKind::Government => "人民政府",
        AgencyKind::Department => "政府部门",
        AgencyKind::Township => "乡镇街道",
        AgencyKind::Other => "其他",
    }
}

const AGENCY_KINDS: [AgencyKind; 4] =
    [AgencyKind::Government, AgencyKind::Department, AgencyKind::Township, AgencyKind::Other];

/// An agency kind from its Chinese label or glossary name.
pub fn agency_kind_from(s: &str) -> Option<AgencyKind> {
    let s = squeeze(s);
    AGENCY_KINDS.into_iter().find(|k| agency_kind_label(*k) == s || kind_name(*k) == s).or(match s.as_str() {
        "政府" => Some(AgencyKind::Government),
        "部门" => Some(AgencyKind::Department),
        "乡镇" | "街道" | "乡镇人民政府" | "街道办事处" => Some(AgencyKind::Township),
        _ => None,
    })
}

/// The glossary name of an agency kind.
pub fn kind_name(k: AgencyKind) -> &'static str {
    match k {
        AgencyKind::Government => "government",
        AgencyKind::Department => "department",
        AgencyKind::Township => "township",
        AgencyKind::Other => "other",
    }
}

/// The label written in 办理结果 for an outcome leaf (the glossary path for another row).
pub fn outcome_label(row: RequestRow) -> String {
    OUTCOME_LABELS
        .iter()
        .find(|(r, _)| *r == row)
        .map(|(_, l)| (*l).to_string())
        .unwrap_or_else(|| outcome_path(row).to_string())
}

/// The glossary path of an outcome row below `outcomes` (`granted`, `withheld.state_secret`).
pub fn outcome_path(row: RequestRow) -> &'static str {
    gongkai_core::casework::outcome_name(row)
}

/// An outcome row from a glossary path (`granted`, `withheld.state_secret`, with or without
/// `outcomes.`). Any row under 三、本年度办理结果 is accepted here (a total is refused later by
/// the lifecycle, with its reason).
pub fn outcome_from_path(s: &str) -> Option<RequestRow> {
    let s = s.trim();
    let s = s.strip_prefix("outcomes.").unwrap_or(s);
    template::T3_ROWS.iter().filter(|r| r.outcome).find(|r| r.path.strip_prefix("outcomes.") == Some(s)).map(|r| r.key)
}

/// What 办理结果 says: a reply's outcome row, or a withdrawal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Finish {
    /// 答复 with this outcome leaf.
    Reply(RequestRow),
    /// 撤回申请.
    Withdrawal,
}

/// Parses 办理结果: the written label, a glossary path, the template label of a leaf (with or
/// without its group and numbering, or a known variant), or 撤回申请.
pub fn finish_from(s: &str) -> Option<Finish> {
    let norm = normalise_outcome(s);
    if matches!(norm.as_str(), "撤回申请" | "撤回" | "申请人撤回" | "申请人撤回申请" | "withdrawal" | "withdrawn")
    {
        return Some(Finish::Withdrawal);
    }
    if let Some(r) = outcome_from_path(s) {
        return Some(Finish::Reply(r));
    }
    for (row, label) in OUTCOME_LABELS {
        let spec = template::t3_row(row);
        let group = spec.group.map(|g| normalise_outcome(g.label())).unwrap_or_default();
        let mut names = vec![normalise_outcome(label), normalise_outcome(spec.label)];
        names.extend(spec.variants.iter().map(|v| normalise_outcome(v)));
        let hit = names.iter().any(|n| *n == norm || (!group.is_empty() && format!("{group}/{n}") == norm));
        if hit {
            return Some(Finish::Reply(row));
        }
    }
    None
}

/// Removes spaces, quotes and the numbering of each `/`-separated part (「（三）」「1.」「1、」).
fn normalise_outcome(s: &str) -> String {
    squeeze(s)
        .replace(['／', '\\', '-', '—'], "/")
        .split('/')
        .map(|part| {
            let p: String = part.chars().filter(|c| !matches!(c, '“' | '”' | '"' | '\'')).collect();
            strip_numbering(&p).to_string()
        })
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("/")
}

fn strip_numbering(s: &str) -> &str {
    let t = s.trim_start_matches(['（', '('].as_slice());
    let after_num = t.trim_start_matches(|c: char| c.is_ascii_digit() || "一二三四五六七八九十".contains(c));
    if after_num.len() == t.len() {
        return s;
    }
    let rest = after_num.trim_start_matches(['）', ')', '.', '、', '．'].as_slice());
    if rest.len() == after_num.len() || rest.is_empty() {
        s
    } else {
        rest
    }
}

/// The event kinds 办理过程 may hold, as written in 事件.
const EVENT_NAMES: [&str; 7] =
    ["补正告知", "收到补正", "延长答复期限", "征求意见", "收到征求意见答复", "收费通知", "缴费"];

fn fee_method_label(m: FeeMethod) -> &'static str {
    match m {
        FeeMethod::PerRequest => "按件计收",
        FeeMethod::PerPage => "按量计收",
    }
}

/// A fee method from its Chinese label or glossary name.
pub fn fee_method_from(s: &str) -> Option<FeeMethod> {
    match squeeze(s).as_str() {
        "按件计收" | "按件" | "per_request" => Some(FeeMethod::PerRequest),
        "按量计收" | "按量" | "按页" | "per_page" => Some(FeeMethod::PerPage),
        _ => None,
    }
}

/// The tariff's amount for a fee notice (国办函〔2020〕109号), never typed in.
pub fn fee_amount(method: FeeMethod, units: u32) -> Option<Amount> {
    let quote = match method {
        FeeMethod::PerRequest => fees::per_request(units),
        FeeMethod::PerPage => fees::per_page(units),
    };
    Amount::parse(&quote.amount_yuan).ok()
}

fn group_from(s: &str) -> Option<CaseGroup> {
    let s = squeeze(s);
    CaseGroup::ALL.into_iter().find(|g| template::group_label(*g) == s || g.name() == s).or(match s.as_str() {
        "复议" => Some(CaseGroup::Review),
        "直接起诉" | "行政诉讼（未经复议直接起诉）" | "行政诉讼/未经复议直接起诉" => {
            Some(CaseGroup::LitigationDirect)
        }
        "行政诉讼（复议后起诉）" | "行政诉讼/复议后起诉" => Some(CaseGroup::LitigationAfterReview),
        _ => None,
    })
}

/// 结果: `Some(None)` for 尚未审结.
fn result_from(s: &str) -> Option<Option<CaseResult>> {
    let s = squeeze(s);
    match s.as_str() {
        "结果维持" | "维持" | "upheld" => Some(Some(CaseResult::Upheld)),
        "结果纠正" | "纠正" | "corrected" => Some(Some(CaseResult::Corrected)),
        "其他结果" | "其他" | "other" => Some(Some(CaseResult::Other)),
        "尚未审结" | "未审结" | "pending" => Some(None),
        _ => None,
    }
}

/// The drop-down lists of the 选项 sheet: (header, values).
fn options() -> Vec<(&'static str, Vec<String>)> {
    let s = |v: &[&str]| v.iter().map(|x| (*x).to_string()).collect::<Vec<_>>();
    vec![
        ("渠道", Channel::ALL.iter().map(|c| channel_label(*c).to_string()).collect()),
        ("申请人类型", ApplicantType::ALL.iter().map(|t| applicant_label(*t).to_string()).collect()),
        (
            "办理结果",
            OUTCOME_LABELS.iter().map(|(_, l)| (*l).to_string()).chain([WITHDRAWAL_LABEL.to_string()]).collect(),
        ),
        ("事件", s(&EVENT_NAMES)),
        ("计收方式", s(&["按件计收", "按量计收"])),
        ("类别", CaseGroup::ALL.iter().map(|g| template::group_label(*g).to_string()).collect()),
        ("结果", s(&["结果维持", "结果纠正", "其他结果"])),
        ("机关类型", AGENCY_KINDS.iter().map(|k| agency_kind_label(*k).to_string()).collect()),
    ]
}

/// Trims and removes every space (also full-width).
fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// A header as compared: no spaces, no required-marker `*`, full-width parentheses.
fn header_key(s: &str) -> String {
    squeeze(s).replace('*', "").replace('(', "（").replace(')', "）")
}

// ---------------------------------------------------------------------------------------------
// Errors

/// A problem in the workbook, by sheet, row and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    /// The sheet (or 文件 for the file itself).
    pub sheet: String,
    /// The 1-based row, as Excel shows it.
    pub row: Option<u32>,
    /// The column header.
    pub column: Option<String>,
    /// What is wrong, in Chinese.
    pub message: String,
}

impl CellError {
    /// A problem with one cell.
    pub fn at(sheet: &str, row: u32, column: &str, message: impl Into<String>) -> CellError {
        CellError {
            sheet: sheet.to_string(),
            row: Some(row),
            column: Some(column.to_string()),
            message: message.into(),
        }
    }
}

impl fmt::Display for CellError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.row, &self.column) {
            (Some(r), Some(c)) => write!(f, "{} 第{r}行 “{c}”列：{}", self.sheet, self.message),
            (Some(r), None) => write!(f, "{} 第{r}行：{}", self.sheet, self.message),
            (None, _) => write!(f, "{}：{}", self.sheet, self.message),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Reading

/// A validated workbook: the registers, and where each came from.
#[derive(Debug, Clone, Default)]
pub struct Parsed {
    /// The registers, ready for [`gongkai_store::Store::insert_batch`].
    pub batch: RegisterBatch,
    /// The 机关 row of each `batch.agencies` entry.
    pub agency_rows: Vec<u32>,
    /// The 申请登记 row of each `batch.requests` entry.
    pub request_rows: Vec<u32>,
    /// The 复议诉讼 row of each `batch.cases` entry.
    pub case_rows: Vec<u32>,
    /// The 第二十条数据 row of each `batch.figures` entry.
    pub figure_rows: Vec<u32>,
    /// The 主动公开 row of each `batch.proactive` entry.
    pub proactive_rows: Vec<u32>,
    /// How many events the requests carry (replies and withdrawals included).
    pub events: usize,
    /// The 公开指南 rows, to check and add to `batch.guides` (the application layer's).
    pub guides: Vec<GuideRow>,
}

/// One sheet found in the workbook: its cells and where each known column is.
struct Table {
    sheet: &'static str,
    range: Range<Data>,
    header_row: u32,
    cols: HashMap<&'static str, u32>,
}

impl Table {
    /// Finds the header row (the first of the first ten rows that names every required column)
    /// and the known columns in it.
    fn new(sheet: &'static str, range: Range<Data>, specs: &[ColumnSpec]) -> Result<Table, CellError> {
        let (r0, c0) = range.start().unwrap_or((0, 0));
        let (r1, c1) = range.end().unwrap_or((0, 0));
        let required: Vec<&ColumnSpec> = specs.iter().filter(|s| s.required).collect();
        for row in r0..=r1.min(r0 + 9) {
            let mut cols = HashMap::new();
            for c in c0..=c1 {
                let Some(Data::String(h)) = range.get_value((row, c)) else {
                    continue;
                };
                let key = header_key(h);
                if let Some(spec) =
                    specs.iter().find(|s| header_key(s.header) == key || s.aliases.iter().any(|a| header_key(a) == key))
                {
                    cols.entry(spec.header).or_insert(c);
                }
            }
            if required.iter().all(|s| cols.contains_key(s.header)) {
                return Ok(Table { sheet, range, header_row: row, cols });
            }
        }
        let names: Vec<&str> = required.iter().map(|s| s.header).collect();
        Err(CellError {
            sheet: sheet.to_string(),
            row: None,
            column: None,
            message: format!("找不到表头行：前10行中没有同时包含 {} 的一行", names.join("、")),
        })
    }

    /// The data rows (absolute indexes) after the header, blank rows left out.
    fn rows(&self) -> Vec<u32> {
        let end = self.range.end().map_or(0, |e| e.0);
        (self.header_row + 1..=end)
            .filter(|&r| self.cols.values().any(|&c| self.range.get_value((r, c)).is_some_and(|d| !is_blank(d))))
            .collect()
    }

    fn get(&self, row: u32, header: &str) -> Option<&Data> {
        self.cols.get(header).and_then(|&c| self.range.get_value((row, c)))
    }
}

fn is_blank(d: &Data) -> bool {
    match d {
        Data::Empty => true,
        Data::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// Reads one row's cells, collecting problems.
struct RowReader<'a> {
    t: &'a Table,
    row: u32,
    errs: &'a mut Vec<CellError>,
    failed: bool,
}

impl<'a> RowReader<'a> {
    fn new(t: &'a Table, row: u32, errs: &'a mut Vec<CellError>) -> RowReader<'a> {
        RowReader { t, row, errs, failed: false }
    }

    /// The Excel row number.
    fn line(&self) -> u32 {
        self.row + 1
    }

    fn err(&mut self, column: &str, message: impl Into<String>) {
        self.failed = true;
        self.errs.push(CellError::at(self.t.sheet, self.line(), column, message));
    }

    fn text(&mut self, column: &str) -> Option<String> {
        let d = self.t.get(self.row, column)?;
        match cell_text(d) {
            Ok(v) => v,
            Err(m) => {
                self.err(column, m);
                None
            }
        }
    }

    fn required(&mut self, column: &str) -> Option<String> {
        let v = self.text(column);
        if v.is_none() && !self.failed_at(column) {
            self.err(column, "必须填写");
        }
        v
    }

    fn failed_at(&self, column: &str) -> bool {
        self.errs.last().is_some_and(|e| e.row == Some(self.line()) && e.column.as_deref() == Some(column))
    }

    fn date(&mut self, column: &str) -> Option<NaiveDate> {
        let d = self.t.get(self.row, column)?;
        match cell_date(d) {
            Ok(v) => v,
            Err(m) => {
                self.err(column, m);
                None
            }
        }
    }

    fn required_date(&mut self, column: &str) -> Option<NaiveDate> {
        let v = self.date(column);
        if v.is_none() && !self.failed_at(column) {
            self.err(column, "必须填写");
        }
        v
    }

    fn int(&mut self, column: &str) -> Option<i64> {
        let d = self.t.get(self.row, column)?;
        match cell_int(d) {
            Ok(v) => v,
            Err(m) => {
                self.err(column, m);
                None
            }
        }
    }

    fn amount(&mut self, column: &str) -> Option<Amount> {
        let d = self.t.get(self.row, column)?;
        match cell_amount(d) {
            Ok(v) => v,
            Err(m) => {
                self.err(column, m);
                None
            }
        }
    }

    /// A value from a vocabulary: `parse` or an error listing `allowed`.
    fn choice<T>(
        &mut self,
        column: &str,
        required: bool,
        parse: impl Fn(&str) -> Option<T>,
        allowed: &str,
    ) -> Option<T> {
        let v = if required { self.required(column)? } else { self.text(column)? };
        let out = parse(&v);
        if out.is_none() {
            self.err(column, format!("「{v}」不是可选的值，应为：{allowed}"));
        }
        out
    }
}

/// A cell as text: strings trimmed; whole numbers without a decimal point.
fn cell_text(d: &Data) -> Result<Option<String>, String> {
    Ok(match d {
        Data::Empty => None,
        Data::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Data::Int(i) => Some(i.to_string()),
        Data::Float(f) => {
            if f.fract() == 0.0 && f.abs() < 1e15 {
                Some(format!("{}", *f as i64))
            } else if f.fract() == 0.0 {
                return Err(format!("数字「{f}」过长，Excel 可能已丢失末几位：请把该列设为文本格式后重新填写"));
            } else {
                Some(f.to_string())
            }
        }
        Data::Bool(b) => Some(if *b { "是" } else { "否" }.to_string()),
        Data::DateTime(dt) => Some(excel_date(dt).map_or_else(|| dt.to_string(), |d| d.to_string())),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Some(s.clone()),
        Data::Error(e) => return Err(format!("单元格是错误值 {e}")),
    })
}

fn excel_date(dt: &calamine::ExcelDateTime) -> Option<NaiveDate> {
    if !dt.is_datetime() {
        return None;
    }
    let (y, m, d, ..) = dt.to_ymd_hms_milli();
    NaiveDate::from_ymd_opt(i32::from(y), u32::from(m), u32::from(d))
}

/// Parses a date written as text: 2024-03-01, 2024/3/1, 2024.3.1, 2024年3月1日.
fn parse_date_text(s: &str) -> Option<NaiveDate> {
    let t = squeeze(s);
    let t = t.split('T').next().unwrap_or(&t);
    for f in ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日"] {
        if let Ok(d) = NaiveDate::parse_from_str(t, f) {
            return Some(d);
        }
    }
    // 2024-03-01 00:00:00 written as text.
    t.get(..10).filter(|_| t.len() > 10).and_then(|p| NaiveDate::parse_from_str(p, "%Y-%m-%d").ok())
}

fn cell_date(d: &Data) -> Result<Option<NaiveDate>, String> {
    match d {
        Data::Empty => Ok(None),
        Data::String(s) if s.trim().is_empty() => Ok(None),
        Data::DateTime(dt) => {
            excel_date(dt).map(Some).ok_or_else(|| format!("「{dt}」不是有效日期（应为 YYYY-MM-DD）"))
        }
        Data::DateTimeIso(s) | Data::String(s) => {
            parse_date_text(s).map(Some).ok_or_else(|| format!("「{}」不是有效日期（应为 YYYY-MM-DD）", s.trim()))
        }
        other => {
            let shown = cell_text(other).ok().flatten().unwrap_or_default();
            Err(format!("「{shown}」不是有效日期（应为 YYYY-MM-DD，或设为日期格式的单元格）"))
        }
    }
}

fn cell_int(d: &Data) -> Result<Option<i64>, String> {
    let v = match d {
        Data::Empty => return Ok(None),
        Data::Int(i) => *i,
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 9e15 => *f as i64,
        Data::String(s) => {
            let t = squeeze(s);
            if t.is_empty() {
                return Ok(None);
            }
            t.parse::<i64>().map_err(|_| format!("「{}」不是整数", s.trim()))?
        }
        other => {
            let shown = cell_text(other).ok().flatten().unwrap_or_default();
            return Err(format!("「{shown}」不是整数"));
        }
    };
    if v < 0 {
        return Err(format!("「{v}」不能为负数"));
    }
    Ok(Some(v))
}

fn cell_amount(d: &Data) -> Result<Option<Amount>, String> {
    let text = match d {
        Data::Empty => return Ok(None),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => f.to_string(),
        Data::String(s) => {
            let t = squeeze(s).replace(',', "");
            if t.is_empty() {
                return Ok(None);
            }
            t
        }
        other => {
            let shown = cell_text(other).ok().flatten().unwrap_or_default();
            return Err(format!("「{shown}」不是数额"));
        }
    };
    Amount::parse(&text).map(Some).map_err(|_| format!("「{text}」不是数额"))
}

fn open_tables(bytes: &[u8], errs: &mut Vec<CellError>) -> HashMap<&'static str, Table> {
    let mut out = HashMap::new();
    let mut book = match calamine::open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())) {
        Ok(b) => b,
        Err(e) => {
            errs.push(CellError {
                sheet: "文件".into(),
                row: None,
                column: None,
                message: format!("无法读取电子表格（应为 .xlsx）：{e}"),
            });
            return out;
        }
    };
    let names = book.sheet_names();
    for (sheet, specs) in SHEETS {
        let Some(name) = names.iter().find(|n| squeeze(n) == sheet) else {
            continue;
        };
        match book.worksheet_range(name) {
            Ok(range) if range.is_empty() => {}
            Ok(range) => match Table::new(sheet, range, specs) {
                Ok(t) => {
                    out.insert(sheet, t);
                }
                Err(e) => errs.push(e),
            },
            Err(e) => errs.push(CellError {
                sheet: sheet.to_string(),
                row: None,
                column: None,
                message: format!("无法读取该表：{e}"),
            }),
        }
    }
    if out.is_empty() && errs.is_empty() {
        errs.push(CellError {
            sheet: "文件".into(),
            row: None,
            column: None,
            message: format!(
                "没有可导入的登记表：应至少包含 {}、{}、{}、{}、{}、{} 中的一个工作表",
                SHEET_REQUESTS, SHEET_CASES, SHEET_FIGURES, SHEET_PROACTIVE, SHEET_AGENCIES, SHEET_DISCLOSURE_GUIDE
            ),
        });
    }
    out
}

/// Where an event came from, for error messages.
#[derive(Debug, Clone, Copy)]
struct EventOrigin {
    sheet: &'static str,
    row: u32,
}

/// Reads and validates a workbook. Every problem is returned (not only the first); with none,
/// the registers are ready to store. Agencies and duplicates against the database are the
/// caller's to check (with [`Parsed`]'s rows).
///
/// `today` is China's date: an event dated after tomorrow, like any text the core refuses
/// ([`Event::validated`]), is an error of its row, as in the console.
pub fn read(bytes: &[u8], cal: &Calendar, today: NaiveDate) -> Result<Parsed, Vec<CellError>> {
    let mut errs = Vec::new();
    let tables = open_tables(bytes, &mut errs);
    let mut out = Parsed::default();

    if let Some(t) = tables.get(SHEET_AGENCIES) {
        read_agencies(t, &mut out, &mut errs);
    }
    let mut origins: Vec<Vec<EventOrigin>> = Vec::new();
    let mut finishes: Vec<Option<(Event, u32)>> = Vec::new();
    if let Some(t) = tables.get(SHEET_REQUESTS) {
        read_requests(t, &mut out, &mut finishes, &mut errs, today);
    }
    origins.resize_with(out.batch.requests.len(), Vec::new);
    if let Some(t) = tables.get(SHEET_EVENTS) {
        read_events(t, &mut out, &mut origins, &mut errs, today);
    }
    check_lifecycles(cal, &mut out, origins, finishes, &mut errs);
    if let Some(t) = tables.get(SHEET_CASES) {
        read_cases(t, &mut out, &mut errs, today);
    }
    if let Some(t) = tables.get(SHEET_FIGURES) {
        read_figures(t, &mut out, &mut errs, today);
    }
    if let Some(t) = tables.get(SHEET_PROACTIVE) {
        read_proactive(t, &mut out, &mut errs, today);
    }
    if let Some(t) = tables.get(SHEET_DISCLOSURE_GUIDE) {
        read_guides(t, &mut out, &mut errs);
    }
    if errs.is_empty() {
        Ok(out)
    } else {
        Err(errs)
    }
}

fn read_guides(t: &Table, out: &mut Parsed, errs: &mut Vec<CellError>) {
    let mut seen: HashMap<String, u32> = HashMap::new();
    for row in t.rows() {
        let mut r = RowReader::new(t, row, errs);
        let agency = r.required("机关代码");
        let values: Vec<(&'static str, String)> =
            GUIDE_FIELDS.iter().filter_map(|(header, key, _)| r.text(header).map(|v| (*key, v))).collect();
        let updated_on = r.date("更新日期");
        if let Some(code) = &agency {
            if let Some(first) = seen.get(code) {
                r.err("机关代码", format!("机关「{code}」的指南与第{first}行重复：每个机关一行"));
            } else {
                seen.insert(code.clone(), r.line());
            }
        }
        let line = r.line();
        if r.failed {
            continue;
        }
        if let Some(agency) = agency {
            out.guides.push(GuideRow { row: line, agency, values, updated_on });
        }
    }
}

fn read_agencies(t: &Table, out: &mut Parsed, errs: &mut Vec<CellError>) {
    let mut rows: Vec<(Agency, u32)> = Vec::new();
    let mut seen: HashMap<String, u32> = HashMap::new();
    for row in t.rows() {
        let mut r = RowReader::new(t, row, errs);
        let code = r.required("机关代码");
        let name = r.required("机关名称");
        let parent = r.text("上级机关代码");
        let kind = r.choice("机关类型", true, agency_kind_from, "人民政府、政府部门、乡镇街道、其他");
        if let Some(code) = &code {
            if let Some(first) = seen.get(code) {
                r.err("机关代码", format!("机关代码「{code}」与第{first}行重复"));
            } else {
                seen.insert(code.clone(), r.line());
            }
            if parent.as_deref() == Some(code.as_str()) {
                r.err("上级机关代码", "上级机关不能是本机关");
            }
        }
        let line = r.line();
        if r.failed {
            continue;
        }
        if let (Some(code), Some(name), Some(kind)) = (code, name, kind) {
            rows.push((Agency { code, name, parent, kind }, line));
        }
    }
    // Parents before children (a parent named in the sheet is written first).
    let in_sheet: HashSet<String> = rows.iter().map(|(a, _)| a.code.clone()).collect();
    let mut done: HashSet<String> = HashSet::new();
    while !rows.is_empty() {
        let before = rows.len();
        let mut rest = Vec::new();
        for (a, line) in rows {
            let ready = a.parent.as_ref().is_none_or(|p| !in_sheet.contains(p) || done.contains(p));
            if ready {
                done.insert(a.code.clone());
                out.batch.agencies.push(a);
                out.agency_rows.push(line);
            } else {
                rest.push((a, line));
            }
        }
        if rest.len() == before {
            for (_, line) in &rest {
                errs.push(CellError::at(SHEET_AGENCIES, *line, "上级机关代码", "上级机关关系构成循环"));
            }
            break;
        }
        rows = rest;
    }
}

fn read_requests(
    t: &Table,
    out: &mut Parsed,
    finishes: &mut Vec<Option<(Event, u32)>>,
    errs: &mut Vec<CellError>,
    today: NaiveDate,
) {
    let mut seen: HashMap<(String, String), u32> = HashMap::new();
    for row in t.rows() {
        let mut r = RowReader::new(t, row, errs);
        let number = r.required("受理编号");
        let agency = r.required("机关代码");
        let received = r.required_date("收到日期");
        let channel = r.choice("渠道", true, channel_from, "网络、邮寄、当面、传真、信函");
        let kind = r.choice(
            "申请人类型",
            true,
            applicant_from,
            "自然人、商业企业、科研机构、社会公益组织、法律服务机构、其他",
        );
        let name = r.required("申请人姓名/名称");
        let id_document = r.text("证件号码");
        let contact = r.text("联系方式");
        let content = r.required("申请内容");
        let requested_form = r.text("申请形式");
        let delivery = r.text("获取方式");
        let replied = r.date("答复日期");
        let finish = r.choice(
            "办理结果",
            false,
            finish_from,
            "予以公开、部分公开、不予公开/属于国家秘密……（见“选项”表）或 撤回申请",
        );
        let document = r.text("答复文书");
        let by = r.text("答复经办人").unwrap_or_default();
        let finish_given = r.t.get(row, "办理结果").is_some_and(|d| !is_blank(d));
        match (replied, finish_given) {
            (Some(_), false) => r.err("办理结果", "填写了答复日期，须同时填写办理结果"),
            (None, true) if !r.failed_at("答复日期") => r.err("答复日期", "填写了办理结果，须同时填写答复日期"),
            _ => {}
        }
        if let (Some(n), Some(a)) = (&number, &agency) {
            let key = (a.clone(), n.clone());
            if let Some(first) = seen.get(&key) {
                r.err("受理编号", format!("受理编号「{n}」（机关 {a}）与第{first}行重复"));
            } else {
                seen.insert(key, r.line());
            }
        }
        let line = r.line();
        if r.failed {
            continue;
        }
        let (Some(tracking_number), Some(agency), Some(received_on), Some(channel)) =
            (number, agency, received, channel)
        else {
            continue;
        };
        let (Some(kind), Some(name), Some(content)) = (kind, name, content) else {
            continue;
        };
        let finish_event = match (replied, finish) {
            (Some(on), Some(Finish::Reply(outcome))) => {
                Some(Event { on, by, kind: EventKind::Reply { outcome, document } })
            }
            (Some(on), Some(Finish::Withdrawal)) => Some(Event { on, by, kind: EventKind::Withdrawal }),
            _ => None,
        };
        // The reply or withdrawal of the row, checked as input like any event.
        let finish_event = match finish_event.map(|e| e.validated(today)) {
            Some(Err(e)) => {
                let column = match e.field {
                    "on" => "答复日期",
                    "document" => "答复文书",
                    _ => "经办人",
                };
                // The row's request is kept, so its events are not reported as orphans too.
                errs.push(CellError::at(SHEET_REQUESTS, line, column, e.message));
                None
            }
            Some(Ok(e)) => Some(e),
            None => None,
        };
        let request = Request {
            agency,
            tracking_number,
            channel,
            received_on,
            applicant: Applicant { id_document_type: None, kind, name, id_document, contact },
            content,
            requested_form,
            delivery,
        };
        // Checked as input like a request typed on the command line (`Request::validated`); the
        // row's request is kept either way, so its events are not reported as orphans too.
        let request = match request.clone().validated(today) {
            Ok(r) => r,
            Err(list) => {
                errs.extend(input_errors(SHEET_REQUESTS, line, list, request_column));
                request
            }
        };
        out.batch.requests.push((request, Vec::new()));
        out.request_rows.push(line);
        finishes.push(finish_event.map(|e| (e, line)));
    }
}

/// The workbook column of an event field the core names ([`gongkai_core::input::InputError`]).
fn event_column(field: &str) -> &'static str {
    match field {
        "on" => "日期",
        "by" => "经办人",
        "note" => "补正内容",
        "period_days" => "补正期限（天）",
        "approver" => "批准人",
        "reason" => "延期理由",
        "party" => "征求对象",
        _ => "事件",
    }
}

fn read_events(
    t: &Table,
    out: &mut Parsed,
    origins: &mut [Vec<EventOrigin>],
    errs: &mut Vec<CellError>,
    today: NaiveDate,
) {
    let index: HashMap<(String, String), usize> = out
        .batch
        .requests
        .iter()
        .enumerate()
        .map(|(i, (r, _))| ((r.agency.clone(), r.tracking_number.clone()), i))
        .collect();
    // (request index, event, origin), in sheet order.
    let mut found: Vec<(usize, Event, EventOrigin)> = Vec::new();
    for row in t.rows() {
        let mut r = RowReader::new(t, row, errs);
        let number = r.required("受理编号");
        let agency = r.required("机关代码");
        let on = r.required_date("日期");
        let by = r.text("经办人").unwrap_or_default();
        let name = r.required("事件");
        let kind = name.as_deref().and_then(|n| event_kind(&mut r, n));
        let target = match (&agency, &number) {
            (Some(a), Some(n)) => {
                let i = index.get(&(a.clone(), n.clone())).copied();
                if i.is_none() {
                    r.err("受理编号", format!("受理编号「{n}」（机关 {a}）不在“{SHEET_REQUESTS}”表中"));
                }
                i
            }
            _ => None,
        };
        let line = r.line();
        if r.failed {
            continue;
        }
        if let (Some(i), Some(on), Some(kind)) = (target, on, kind) {
            match (Event { on, by, kind }).validated(today) {
                Ok(event) => found.push((i, event, EventOrigin { sheet: SHEET_EVENTS, row: line })),
                Err(e) => errs.push(CellError::at(SHEET_EVENTS, line, event_column(e.field), e.message)),
            }
        }
    }
    // Per request in date order (rows of one day keep their order).
    found.sort_by_key(|(i, e, _)| (*i, e.on));
    for (i, event, origin) in found {
        if let Some((_, events)) = out.batch.requests.get_mut(i) {
            events.push(event);
            if let Some(o) = origins.get_mut(i) {
                o.push(origin);
            }
        }
    }
}

/// The event kind of a 办理过程 row, with its own columns.
fn event_kind(r: &mut RowReader<'_>, name: &str) -> Option<EventKind> {
    let n = squeeze(name);
    let kind = match n.as_str() {
        "补正告知" | "correction_notice" => {
            let note = r.text("补正内容").unwrap_or_default();
            let days = r.int("补正期限（天）");
            let Some(days) = days else {
                if !r.failed_at("补正期限（天）") {
                    r.err("补正期限（天）", "补正告知须填写补正期限（天）");
                }
                return None;
            };
            let Ok(period_days) = u32::try_from(days) else {
                r.err("补正期限（天）", format!("「{days}」过大"));
                return None;
            };
            EventKind::CorrectionNotice { note, period_days }
        }
        "收到补正" | "收到补正后的申请" | "correction_received" => EventKind::CorrectionReceived,
        "延长答复期限" | "延期" | "延长" | "extension" => {
            let approver = r.text("批准人");
            let reason = r.text("延期理由").unwrap_or_default();
            let Some(approver) = approver else {
                if !r.failed_at("批准人") {
                    r.err("批准人", "延长答复期限须填写批准人（第三十三条）");
                }
                return None;
            };
            EventKind::Extension { approver, reason }
        }
        "征求意见" | "征求第三方意见" | "consultation_sent" => {
            let Some(party) = r.text("征求对象") else {
                if !r.failed_at("征求对象") {
                    r.err("征求对象", "征求意见须填写征求对象");
                }
                return None;
            };
            EventKind::ConsultationSent { party }
        }
        "收到征求意见答复" | "征求意见答复" | "consultation_answered" => EventKind::ConsultationAnswered,
        "收费通知" | "fee_notice" => {
            let method = r.choice("计收方式", true, fee_method_from, "按件计收、按量计收");
            let units = r.int("计费数量");
            if units.is_none() && !r.failed_at("计费数量") {
                r.err("计费数量", "收费通知须填写计费数量（件数或页数）");
            }
            let given = r.amount("收费金额（元）");
            let (method, units) = (method?, units?);
            let Ok(units) = u32::try_from(units) else {
                r.err("计费数量", format!("「{units}」过大"));
                return None;
            };
            let amount_yuan = fee_amount(method, units)?;
            if let Some(g) = given {
                if g != amount_yuan {
                    r.err(
                        "收费金额（元）",
                        format!(
                            "「{g}」与收费标准不符：{}{units}计应为 {amount_yuan} 元（国办函〔2020〕109号）",
                            fee_method_label(method)
                        ),
                    );
                    return None;
                }
            }
            EventKind::FeeNotice { method, units, amount_yuan }
        }
        "缴费" | "fee_paid" => EventKind::FeePaid,
        "答复" | "reply" | "撤回申请" | "撤回" | "withdrawal" => {
            r.err("事件", format!("答复和撤回请填在“{SHEET_REQUESTS}”表的“答复日期”“办理结果”列"));
            return None;
        }
        _ => {
            r.err("事件", format!("「{name}」不是可登记的事件，应为：{}", EVENT_NAMES.join("、")));
            return None;
        }
    };
    Some(kind)
}

/// The column a refused event is blamed on.
fn refusal_column(reason: &Refusal, in_events_sheet: bool) -> &'static str {
    let date = matches!(
        reason,
        Refusal::BeforeReceipt { .. }
            | Refusal::BeforePrevious { .. }
            | Refusal::ExtensionAfterDue { .. }
            | Refusal::NoCorrectionBeforePeriodEnd { .. }
            | Refusal::FeeUnpaidBeforePeriodEnd { .. }
    );
    match (in_events_sheet, date) {
        (true, true) => "日期",
        (true, false) => "事件",
        (false, true) => "答复日期",
        (false, false) => "办理结果",
    }
}

/// Replays every request's events (办理过程 rows, then the reply) through the lifecycle; a refused
/// event is reported at its row.
fn check_lifecycles(
    cal: &Calendar,
    out: &mut Parsed,
    origins: Vec<Vec<EventOrigin>>,
    finishes: Vec<Option<(Event, u32)>>,
    errs: &mut Vec<CellError>,
) {
    for (i, ((request, events), (mut from, finish))) in
        out.batch.requests.iter_mut().zip(origins.into_iter().zip(finishes)).enumerate()
    {
        let line = out.request_rows.get(i).copied().unwrap_or_default();
        if let Some((event, row)) = finish {
            events.push(event);
            from.push(EventOrigin { sheet: SHEET_REQUESTS, row });
        }
        if let Err(e) = lifecycle::replay(cal, request, &[]) {
            errs.push(CellError::at(SHEET_REQUESTS, line, "收到日期", e.to_string()));
            continue;
        }
        for k in 0..events.len() {
            let (so_far, rest) = events.split_at(k);
            let Some(event) = rest.first() else { break };
            if let Err(e) = lifecycle::apply(cal, request, so_far, event) {
                let origin = from.get(k).copied().unwrap_or(EventOrigin { sheet: SHEET_REQUESTS, row: line });
                let column = refusal_column(&e.reason, origin.sheet == SHEET_EVENTS);
                errs.push(CellError::at(
                    origin.sheet,
                    origin.row,
                    column,
                    format!(
                        "申请「{}」的“{}”（{}）不能登记：{}",
                        request.tracking_number,
                        event_label(&event.kind),
                        event.on,
                        e.reason
                    ),
                ));
                break;
            }
        }
        out.events += events.len();
    }
}

fn read_cases(t: &Table, out: &mut Parsed, errs: &mut Vec<CellError>, today: NaiveDate) {
    let mut seen: HashMap<(String, String), u32> = HashMap::new();
    for row in t.rows() {
        let mut r = RowReader::new(t, row, errs);
        let number = r.required("案件编号");
        let agency = r.required("机关代码");
        let group = r.choice("类别", true, group_from, "行政复议、未经复议直接起诉、复议后起诉");
        let request = r.text("关联受理编号");
        let filed = r.required_date("立案日期");
        let decided = r.date("审结日期");
        let result = r.choice("结果", false, result_from, "结果维持、结果纠正、其他结果（尚未审结的留空）").flatten();
        if let (Some(n), Some(a)) = (&number, &agency) {
            let key = (a.clone(), n.clone());
            if let Some(first) = seen.get(&key) {
                r.err("案件编号", format!("案件编号「{n}」（机关 {a}）与第{first}行重复"));
            } else {
                seen.insert(key, r.line());
            }
        }
        let line = r.line();
        if r.failed {
            continue;
        }
        if let (Some(number), Some(agency), Some(group), Some(filed_on)) = (number, agency, group, filed) {
            // Checked as input like a case typed in the console (`Case::validated`).
            let case = Case { agency, number, group, request, filed_on, decided_on: decided, result };
            match case.validated(today) {
                Ok(case) => {
                    out.batch.cases.push(case);
                    out.case_rows.push(line);
                }
                Err(list) => errs.extend(input_errors(SHEET_CASES, line, list, case_column)),
            }
        }
    }
}

fn read_figures(t: &Table, out: &mut Parsed, errs: &mut Vec<CellError>, today: NaiveDate) {
    let mut seen: HashMap<(String, i64), u32> = HashMap::new();
    for row in t.rows() {
        let mut r = RowReader::new(t, row, errs);
        let agency = r.required("机关代码");
        let year = r.int("年度");
        if year.is_none() && !r.failed_at("年度") {
            r.err("年度", "必须填写");
        }
        let year = year.and_then(|y| match i32::try_from(y) {
            Ok(v) => Some(v),
            Err(_) => {
                r.err("年度", format!("「{y}」不是有效年度"));
                None
            }
        });
        let mut ints = [None; 9];
        for (slot, spec) in ints.iter_mut().zip(&FIGURE_COLUMNS[2..11]) {
            *slot = r.int(spec.header);
        }
        let fees = r.amount("行政事业性收费本年收费金额（万元）");
        if let (Some(a), Some(y)) = (&agency, year) {
            let key = (a.clone(), i64::from(y));
            if let Some(first) = seen.get(&key) {
                r.err("年度", format!("机关 {a} 的 {y} 年数据与第{first}行重复"));
            } else {
                seen.insert(key, r.line());
            }
        }
        let line = r.line();
        if r.failed {
            continue;
        }
        if let (Some(agency), Some(year)) = (agency, year) {
            let [ri, rr, rf, ni, nr, nf, lic, pen, coe] = ints;
            let figures = Article20Figures {
                agency,
                year,
                rules_issued: ri,
                rules_repealed: rr,
                rules_in_force: rf,
                normative_issued: ni,
                normative_repealed: nr,
                normative_in_force: nf,
                licensing_decisions: lic,
                penalty_decisions: pen,
                coercive_decisions: coe,
                fees_wan_yuan: fees,
            };
            // Checked as input like figures typed in the console (`Article20Figures::validated`).
            match figures.validated(today) {
                Ok(figures) => {
                    out.batch.figures.push(figures);
                    out.figure_rows.push(line);
                }
                Err(list) => errs.extend(input_errors(SHEET_FIGURES, line, list, gongkai_core::input::article20_label)),
            }
        }
    }
}

fn read_proactive(t: &Table, out: &mut Parsed, errs: &mut Vec<CellError>, today: NaiveDate) {
    let mut seen: HashMap<(String, String), u32> = HashMap::new();
    for row in t.rows() {
        let mut r = RowReader::new(t, row, errs);
        let index_number = r.required("索引号");
        let agency = r.required("机关代码");
        let title = r.required("名称");
        let document_number = r.text("文号");
        let item = r.int("第二十条事项").and_then(|n| match u8::try_from(n) {
            Ok(v @ 1..=15) => Some(v),
            _ => {
                r.err("第二十条事项", format!("「{n}」不是条例第二十条的事项，应为 1 至 15"));
                None
            }
        });
        let category = r.text("主题分类");
        let mut channels = Vec::new();
        for c in
            r.text("公开渠道").unwrap_or_default().split(['、', ',', '，', ';', '；', ' ']).filter(|c| !c.is_empty())
        {
            match CHANNELS.iter().find(|(name, label)| *name == c || *label == c) {
                Some((name, _)) if !channels.iter().any(|x: &String| x == name) => channels.push((*name).to_string()),
                Some(_) => {}
                None => {
                    r.err("公开渠道", format!("「{c}」不是可选的渠道，应为：政府网站、政府公报、政务微博、政务微信"))
                }
            }
        }
        if channels.is_empty() {
            channels.push("website".to_string());
        }
        let published = r.required_date("发布日期");
        let validity = r.text("效力");
        // A vocabulary cell, read like 公开渠道: reported with the row's other cell errors even
        // when a required cell is missing (the core checks the value again below).
        if let Some(v) = validity.as_deref().filter(|v| !gongkai_core::input::VALIDITIES.contains(v)) {
            r.err("效力", format!("「{v}」不是可选的值，应为：有效、失效、废止"));
        }
        if let (Some(n), Some(a)) = (&index_number, &agency) {
            let key = (a.clone(), n.clone());
            if let Some(first) = seen.get(&key) {
                r.err("索引号", format!("索引号「{n}」（机关 {a}）与第{first}行重复"));
            } else {
                seen.insert(key, r.line());
            }
        }
        let line = r.line();
        if r.failed {
            continue;
        }
        if let (Some(index_number), Some(agency), Some(title), Some(published_on)) =
            (index_number, agency, title, published)
        {
            // Lengths, control characters, the validity and the date: the core's rules, as in
            // the console and on the command line.
            let item = ProactiveDisclosure {
                agency,
                index_number,
                title,
                document_number,
                article20_item: item,
                category,
                channels,
                published_on,
                validity,
            };
            match item.validated(today) {
                Ok(item) => {
                    out.batch.proactive.push(item);
                    out.proactive_rows.push(line);
                }
                Err(list) => errs.extend(input_errors(SHEET_PROACTIVE, line, list, proactive_column)),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Writing

/// How many rows below the data carry the drop-down lists.
const SPARE_ROWS: u32 = 1000;

struct Formats {
    header: Format,
    date: Format,
    text: Format,
    wrap: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            header: Format::new()
                .set_bold()
                .set_background_color("#DDEBF7")
                .set_border(FormatBorder::Thin)
                .set_text_wrap(),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            text: Format::new().set_num_format("@"),
            wrap: Format::new().set_text_wrap(),
        }
    }
}

/// A cell value to write.
enum Cell {
    Empty,
    Text(String),
    Date(NaiveDate),
    Int(i64),
    Amount(Amount),
}

fn opt_text(s: &Option<String>) -> Cell {
    s.as_ref().map_or(Cell::Empty, |s| Cell::Text(s.clone()))
}

fn opt_int(v: Option<i64>) -> Cell {
    v.map_or(Cell::Empty, Cell::Int)
}

fn write_cell(ws: &mut Worksheet, row: u32, col: u16, cell: &Cell, f: &Formats) -> Result<(), XlsxError> {
    match cell {
        Cell::Empty => {}
        Cell::Text(s) => {
            ws.write_string_with_format(row, col, s, &f.text)?;
        }
        Cell::Date(d) => {
            let dt = excel_datetime(*d)?;
            ws.write_datetime_with_format(row, col, &dt, &f.date)?;
        }
        Cell::Int(i) => {
            // Exact in f64 below 2^53; larger counts are written as text.
            if i.unsigned_abs() < (1 << 53) {
                ws.write_number(row, col, *i as f64)?;
            } else {
                ws.write_string(row, col, i.to_string())?;
            }
        }
        Cell::Amount(a) => match a.as_str().parse::<f64>() {
            Ok(v) if v.to_string() == a.as_str() => {
                ws.write_number(row, col, v)?;
            }
            _ => {
                ws.write_string(row, col, a.as_str())?;
            }
        },
    }
    Ok(())
}

fn excel_datetime(d: NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    let y = u16::try_from(d.year()).map_err(|_| XlsxError::DateTimeRangeError(d.to_string()))?;
    // Month and day always fit in u8.
    ExcelDateTime::from_ymd(y, d.month() as u8, d.day() as u8)
}

/// Writes one sheet: headers, rows, widths, formats and drop-down lists.
fn write_sheet(
    book: &mut Workbook,
    name: &str,
    specs: &[ColumnSpec],
    rows: &[Vec<Cell>],
    f: &Formats,
    option_ranges: &[String],
) -> Result<(), XlsxError> {
    let ws = book.add_worksheet();
    ws.set_name(name)?;
    let last = u32::try_from(rows.len()).unwrap_or(u32::MAX - SPARE_ROWS).saturating_add(SPARE_ROWS);
    for (c, spec) in specs.iter().enumerate() {
        let c = u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)?;
        ws.write_string_with_format(0, c, spec.header, &f.header)?;
        ws.set_column_width(c, spec.width)?;
        match spec.kind {
            Text | Choice(_) => {
                ws.set_column_format(c, &f.text)?;
            }
            Date => {
                ws.set_column_format(c, &f.date)?;
            }
            Int | Amt => {}
        }
        if let Choice(i) = spec.kind {
            if let Some(range) = option_ranges.get(i) {
                let v = DataValidation::new()
                    .allow_list_formula(Formula::new(range))
                    .set_error_style(DataValidationErrorStyle::Warning)
                    .set_error_message(format!("请从下拉列表中选择（可选值见“{SHEET_OPTIONS}”表）"))?;
                ws.add_data_validation(1, c, last, c, &v)?;
            }
        }
    }
    ws.set_row_height(0, 30)?;
    ws.set_freeze_panes(1, 0)?;
    for (r, cells) in rows.iter().enumerate() {
        let r = u32::try_from(r + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
        for (c, cell) in cells.iter().enumerate() {
            let c = u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)?;
            write_cell(ws, r, c, cell, f)?;
        }
    }
    Ok(())
}

/// The 申请登记 and 办理过程 rows of the requests.
fn request_rows(requests: &[(Request, Vec<Event>)]) -> (Vec<Vec<Cell>>, Vec<Vec<Cell>>) {
    let mut reqs = Vec::with_capacity(requests.len());
    let mut evs = Vec::new();
    for (r, events) in requests {
        let at = events.iter().position(|e| matches!(e.kind, EventKind::Reply { .. } | EventKind::Withdrawal));
        let finish = at.and_then(|i| events.get(i));
        let (on, outcome, document, by) = match finish {
            Some(e) => match &e.kind {
                EventKind::Reply { outcome, document } => (
                    Cell::Date(e.on),
                    Cell::Text(outcome_label(*outcome)),
                    opt_text(document),
                    Cell::Text(e.by.clone()),
                ),
                _ => (Cell::Date(e.on), Cell::Text(WITHDRAWAL_LABEL.into()), Cell::Empty, Cell::Text(e.by.clone())),
            },
            None => (Cell::Empty, Cell::Empty, Cell::Empty, Cell::Empty),
        };
        reqs.push(vec![
            Cell::Text(r.tracking_number.clone()),
            Cell::Text(r.agency.clone()),
            Cell::Date(r.received_on),
            Cell::Text(channel_label(r.channel).into()),
            Cell::Text(applicant_label(r.applicant.kind).into()),
            Cell::Text(r.applicant.name.clone()),
            opt_text(&r.applicant.id_document),
            opt_text(&r.applicant.contact),
            Cell::Text(r.content.clone()),
            opt_text(&r.requested_form),
            opt_text(&r.delivery),
            on,
            outcome,
            document,
            by,
        ]);
        for (_, e) in events.iter().enumerate().filter(|(i, _)| Some(*i) != at) {
            let mut row: Vec<Cell> = (0..EVENT_COLUMNS.len()).map(|_| Cell::Empty).collect();
            row[0] = Cell::Text(r.tracking_number.clone());
            row[1] = Cell::Text(r.agency.clone());
            row[2] = Cell::Date(e.on);
            row[3] = Cell::Text(e.by.clone());
            row[4] = Cell::Text(event_label(&e.kind).into());
            match &e.kind {
                EventKind::CorrectionNotice { note, period_days } => {
                    row[5] = Cell::Text(note.clone());
                    row[6] = Cell::Int(i64::from(*period_days));
                }
                EventKind::Extension { approver, reason } => {
                    row[7] = Cell::Text(approver.clone());
                    row[8] = Cell::Text(reason.clone());
                }
                EventKind::ConsultationSent { party } => row[9] = Cell::Text(party.clone()),
                EventKind::FeeNotice { method, units, amount_yuan } => {
                    row[10] = Cell::Text(fee_method_label(*method).into());
                    row[11] = Cell::Int(i64::from(*units));
                    row[12] = Cell::Amount(amount_yuan.clone());
                }
                _ => {}
            }
            evs.push(row);
        }
    }
    (reqs, evs)
}

/// Writes the registers as a workbook (see the module docs and docs/register-spreadsheet.md).
/// With `fixed_date` the document properties carry a fixed date, so that the same registers
/// always give the same bytes (the shipped example).
pub fn write(batch: &RegisterBatch, fixed_date: bool) -> Result<Vec<u8>, XlsxError> {
    let f = Formats::new();
    let mut book = Workbook::new();
    let mut props = DocProperties::new()
        .set_title("政府信息公开工作台账")
        .set_comment("gongkai register export; layout: docs/register-spreadsheet.md");
    if fixed_date {
        props = props.set_creation_datetime(&ExcelDateTime::from_ymd(2026, 1, 1)?);
    }
    book.set_properties(&props);

    let options = options();
    let option_ranges: Vec<String> = options
        .iter()
        .enumerate()
        .map(|(i, (_, values))| {
            let col = column_letter(i);
            format!("='{SHEET_OPTIONS}'!${col}$2:${col}${}", values.len() + 1)
        })
        .collect();

    let (reqs, evs) = request_rows(&batch.requests);
    write_sheet(&mut book, SHEET_REQUESTS, &REQUEST_COLUMNS, &reqs, &f, &option_ranges)?;
    write_sheet(&mut book, SHEET_EVENTS, &EVENT_COLUMNS, &evs, &f, &option_ranges)?;

    let cases: Vec<Vec<Cell>> = batch
        .cases
        .iter()
        .map(|c| {
            vec![
                Cell::Text(c.number.clone()),
                Cell::Text(c.agency.clone()),
                Cell::Text(template::group_label(c.group).into()),
                opt_text(&c.request),
                Cell::Date(c.filed_on),
                c.decided_on.map_or(Cell::Empty, Cell::Date),
                c.result.map_or(Cell::Empty, |r| Cell::Text(template::result_label(r).into())),
            ]
        })
        .collect();
    write_sheet(&mut book, SHEET_CASES, &CASE_COLUMNS, &cases, &f, &option_ranges)?;

    let figures: Vec<Vec<Cell>> = batch
        .figures
        .iter()
        .map(|x| {
            vec![
                Cell::Text(x.agency.clone()),
                Cell::Int(i64::from(x.year)),
                opt_int(x.rules_issued),
                opt_int(x.rules_repealed),
                opt_int(x.rules_in_force),
                opt_int(x.normative_issued),
                opt_int(x.normative_repealed),
                opt_int(x.normative_in_force),
                opt_int(x.licensing_decisions),
                opt_int(x.penalty_decisions),
                opt_int(x.coercive_decisions),
                x.fees_wan_yuan.clone().map_or(Cell::Empty, Cell::Amount),
            ]
        })
        .collect();
    write_sheet(&mut book, SHEET_FIGURES, &FIGURE_COLUMNS, &figures, &f, &option_ranges)?;

    let proactive: Vec<Vec<Cell>> = batch
        .proactive
        .iter()
        .map(|p| {
            let channels: Vec<&str> = p
                .channels
                .iter()
                .map(|c| CHANNELS.iter().find(|(n, _)| n == c).map_or(c.as_str(), |(_, l)| *l))
                .collect();
            vec![
                Cell::Text(p.index_number.clone()),
                Cell::Text(p.agency.clone()),
                Cell::Text(p.title.clone()),
                opt_text(&p.document_number),
                opt_int(p.article20_item.map(i64::from)),
                opt_text(&p.category),
                Cell::Text(channels.join("、")),
                Cell::Date(p.published_on),
                opt_text(&p.validity),
            ]
        })
        .collect();
    write_sheet(&mut book, SHEET_PROACTIVE, &PROACTIVE_COLUMNS, &proactive, &f, &option_ranges)?;

    let agencies: Vec<Vec<Cell>> = batch
        .agencies
        .iter()
        .map(|a| {
            vec![
                Cell::Text(a.code.clone()),
                Cell::Text(a.name.clone()),
                opt_text(&a.parent),
                Cell::Text(agency_kind_label(a.kind).into()),
            ]
        })
        .collect();
    write_sheet(&mut book, SHEET_AGENCIES, &AGENCY_COLUMNS, &agencies, &f, &option_ranges)?;

    let guides: Vec<Vec<Cell>> = batch
        .guides
        .iter()
        .map(|g| {
            let mut row = vec![Cell::Text(g.agency.clone())];
            for (_, key, _) in GUIDE_FIELDS {
                let value = guide_value(g, key);
                row.push(opt_text(&value));
            }
            row.push(Cell::Date(g.updated_on));
            row
        })
        .collect();
    write_sheet(&mut book, SHEET_DISCLOSURE_GUIDE, &GUIDE_COLUMNS, &guides, &f, &option_ranges)?;

    write_guide(&mut book, &f)?;
    let ws = book.add_worksheet();
    ws.set_name(SHEET_OPTIONS)?;
    for (c, (header, values)) in options.iter().enumerate() {
        let c = u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)?;
        ws.write_string_with_format(0, c, *header, &f.header)?;
        ws.set_column_width(c, if c == 2 { 44.0 } else { 16.0 })?;
        for (r, v) in values.iter().enumerate() {
            let r = u32::try_from(r + 1).map_err(|_| XlsxError::RowColumnLimitError)?;
            ws.write_string(r, c, v)?;
        }
    }
    book.save_to_buffer()
}

fn column_letter(i: usize) -> char {
    // At most a few dozen option lists: A–Z is enough.
    char::from(b'A' + u8::try_from(i % 26).unwrap_or(0))
}

/// The 填写说明 sheet: every sheet's columns, required or not, and what they hold.
fn write_guide(book: &mut Workbook, f: &Formats) -> Result<(), XlsxError> {
    let ws = book.add_worksheet();
    ws.set_name(SHEET_GUIDE)?;
    ws.set_column_width(0, 14)?;
    ws.set_column_width(1, 30)?;
    ws.set_column_width(2, 8)?;
    ws.set_column_width(3, 80)?;
    let intro = [
        "本工作簿是 gongkai 的登记台账格式（说明见 docs/register-spreadsheet.md）。",
        "导入：gongkai register import 文件.xlsx；导出：gongkai register export --agency 机关代码 [--year 年度] --out 文件.xlsx。",
        "导入前校验全部内容：任何一行有误，则整份文件都不导入，并逐一列出“表名 第N行 “列名”列”的错误。",
        "日期填写为 YYYY-MM-DD 或日期格式的单元格；证件号码等长数字请以文本填写。表头须在前10行内，列的顺序不限，未知的列被忽略。",
        "“办理过程”表登记答复前的各环节；答复或撤回填在“申请登记”表的“答复日期”“办理结果”列。",
        "已发布（锁定）年度的数据不能直接导入，须加 --amend \"更正理由\"，导入将作为更正记录在年度报告中注明。",
    ];
    let mut r = 0u32;
    for line in intro {
        ws.write_string(r, 0, line)?;
        r += 1;
    }
    r += 1;
    for (c, h) in ["工作表", "列", "必填", "说明"].iter().enumerate() {
        let c = u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)?;
        ws.write_string_with_format(r, c, *h, &f.header)?;
    }
    r += 1;
    for (sheet, specs) in SHEETS {
        for spec in specs {
            ws.write_string(r, 0, sheet)?;
            ws.write_string(r, 1, spec.header)?;
            ws.write_string(r, 2, if spec.required { "是" } else { "" })?;
            ws.write_string_with_format(r, 3, spec.note, &f.wrap)?;
            r += 1;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The example (`gongkai register template`, examples/registers-example.xlsx)

/// Example registers that import cleanly: two agencies, five requests of 2024 covering every
/// kind of event (one still open, one withdrawn), two cases and one year of Article 20 figures.
pub fn example() -> RegisterBatch {
    let d = |y: i32, m: u32, day: u32| NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default();
    let dept = "EX01-czj";
    let ev = |on: NaiveDate, kind: EventKind| Event { on, by: "王五".into(), kind };
    let request = |number: &str,
                   received: NaiveDate,
                   channel: Channel,
                   kind: ApplicantType,
                   name: &str,
                   id: Option<&str>,
                   content: &str| Request {
        agency: dept.into(),
        tracking_number: number.into(),
        channel,
        received_on: received,
        applicant: Applicant {
            id_document_type: None,
            kind,
            name: name.into(),
            id_document: id.map(Into::into),
            contact: Some("13800000000".into()),
        },
        content: content.into(),
        requested_form: Some("电子文本".into()),
        delivery: Some("电子邮件".into()),
    };
    let reply = |on: NaiveDate, outcome: RequestRow, doc: &str| {
        ev(on, EventKind::Reply { outcome, document: Some(doc.into()) })
    };
    let fee = fee_amount(FeeMethod::PerPage, 120).unwrap_or_else(|| Amount::from_int(1100));
    RegisterBatch {
        agencies: vec![
            Agency {
                code: "EX01".into(), name: "示例市人民政府".into(), parent: None, kind: AgencyKind::Government
            },
            Agency {
                code: dept.into(),
                name: "示例市财政局".into(),
                parent: Some("EX01".into()),
                kind: AgencyKind::Department,
            },
        ],
        requests: vec![
            (
                request(
                    "2024-0001",
                    d(2024, 3, 1),
                    Channel::Online,
                    ApplicantType::NaturalPerson,
                    "张三",
                    Some("110101199003071234"),
                    "申请公开本局2023年度部门预算执行情况",
                ),
                vec![reply(d(2024, 3, 20), RequestRow::Granted, "示财依复〔2024〕1号")],
            ),
            (
                request(
                    "2024-0002",
                    d(2024, 4, 8),
                    Channel::Post,
                    ApplicantType::Commercial,
                    "示例科技有限公司",
                    Some("91330100MA2X00000X"),
                    "申请公开某项目的政府采购合同",
                ),
                vec![
                    ev(
                        d(2024, 4, 10),
                        EventKind::CorrectionNotice {
                            note: "请明确所需合同的项目名称或编号".into(), period_days: 15
                        },
                    ),
                    ev(d(2024, 4, 18), EventKind::CorrectionReceived),
                    ev(d(2024, 4, 22), EventKind::ConsultationSent { party: "示例建设集团有限公司".into() }),
                    ev(d(2024, 5, 6), EventKind::ConsultationAnswered),
                    reply(d(2024, 5, 20), RequestRow::PartiallyGranted, "示财依复〔2024〕2号"),
                ],
            ),
            (
                request(
                    "2024-0003",
                    d(2024, 6, 3),
                    Channel::InPerson,
                    ApplicantType::NaturalPerson,
                    "李四",
                    Some("330106198507150021"),
                    "申请公开2015年至2023年全部财政专项资金分配文件",
                ),
                vec![
                    ev(
                        d(2024, 6, 7),
                        EventKind::FeeNotice { method: FeeMethod::PerPage, units: 120, amount_yuan: fee },
                    ),
                    ev(d(2024, 6, 12), EventKind::FeePaid),
                    ev(
                        d(2024, 6, 28),
                        EventKind::Extension {
                            approver: "赵主任".into(),
                            reason: "需调取历年档案，无法在20个工作日内答复".into(),
                        },
                    ),
                    reply(d(2024, 7, 22), RequestRow::ProcessInformation, "示财依复〔2024〕3号"),
                ],
            ),
            (
                request(
                    "2024-0004",
                    d(2024, 9, 2),
                    Channel::Letter,
                    ApplicantType::NaturalPerson,
                    "王六",
                    None,
                    "申请公开本局办公楼维修经费",
                ),
                vec![ev(d(2024, 9, 5), EventKind::Withdrawal)],
            ),
            (
                request(
                    "2024-0005",
                    d(2024, 12, 16),
                    Channel::Online,
                    ApplicantType::LegalServices,
                    "示例律师事务所",
                    Some("31330000MD0000000X"),
                    "申请公开2024年度行政事业性收费项目清单",
                ),
                vec![],
            ),
        ],
        cases: vec![
            Case {
                agency: dept.into(),
                number: "示复〔2024〕1号".into(),
                group: CaseGroup::Review,
                request: Some("2024-0003".into()),
                filed_on: d(2024, 8, 1),
                decided_on: Some(d(2024, 10, 15)),
                result: Some(CaseResult::Upheld),
            },
            Case {
                agency: dept.into(),
                number: "示诉〔2024〕1号".into(),
                group: CaseGroup::LitigationDirect,
                request: Some("2024-0002".into()),
                filed_on: d(2024, 11, 20),
                decided_on: None,
                result: None,
            },
        ],
        figures: vec![Article20Figures {
            agency: dept.into(),
            year: 2024,
            rules_issued: None,
            rules_repealed: None,
            rules_in_force: None,
            normative_issued: Some(3),
            normative_repealed: Some(1),
            normative_in_force: Some(12),
            licensing_decisions: Some(0),
            penalty_decisions: Some(5),
            coercive_decisions: Some(0),
            fees_wan_yuan: Amount::parse("1.25").ok(),
        }],
        proactive: vec![
            ProactiveDisclosure {
                agency: dept.into(),
                index_number: "11330100MB0000001X/2024-00012".into(),
                title: "关于2024年部门预算的公告".into(),
                document_number: Some("示财预〔2024〕3号".into()),
                article20_item: Some(8),
                category: Some("财政预决算".into()),
                channels: vec!["website".into(), "wechat".into()],
                published_on: d(2024, 2, 6),
                validity: Some("有效".into()),
            },
            ProactiveDisclosure {
                agency: dept.into(),
                index_number: "11330100MB0000001X/2024-00031".into(),
                title: "2024年第一季度行政许可情况".into(),
                document_number: None,
                article20_item: None,
                category: None,
                channels: vec!["website".into()],
                published_on: d(2024, 4, 10),
                validity: None,
            },
        ],
        guides: Vec::new(),
    }
}

/// How many records of each sheet a validated workbook holds, in sheet order (events: every
/// request's events, replies and withdrawals included).
pub fn summary(parsed: &Parsed) -> Vec<(&'static str, usize)> {
    vec![
        (SHEET_REQUESTS, parsed.batch.requests.len()),
        ("办理事件（含答复、撤回）", parsed.events),
        (SHEET_CASES, parsed.batch.cases.len()),
        (SHEET_FIGURES, parsed.batch.figures.len()),
        (SHEET_PROACTIVE, parsed.batch.proactive.len()),
        (SHEET_AGENCIES, parsed.batch.agencies.len()),
        (SHEET_DISCLOSURE_GUIDE, parsed.guides.len()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_outcome_leaf_has_a_label_that_parses_back() {
        let leaves = lifecycle::outcome_leaves();
        assert_eq!(leaves.len(), OUTCOME_LABELS.len());
        for row in leaves {
            let label = outcome_label(row);
            assert_eq!(finish_from(&label), Some(Finish::Reply(row)), "{label}");
            assert_eq!(finish_from(outcome_path(row)), Some(Finish::Reply(row)), "{row:?}");
            let spec = template::t3_row(row);
            assert_eq!(finish_from(spec.label), Some(Finish::Reply(row)), "{}", spec.label);
            if let Some(g) = spec.group {
                let full = format!("{}/{}", g.label(), spec.full_label());
                assert_eq!(finish_from(&full), Some(Finish::Reply(row)), "{full}");
            }
        }
        assert_eq!(finish_from("撤回申请"), Some(Finish::Withdrawal));
        assert_eq!(finish_from("予以 公开"), Some(Finish::Reply(RequestRow::Granted)));
        assert_eq!(finish_from("不予公开"), None, "a group is not a leaf");
        assert_eq!(finish_from("总计"), None);
    }

    #[test]
    fn vocabularies_round_trip() {
        for c in Channel::ALL {
            assert_eq!(channel_from(channel_label(c)), Some(c));
            assert_eq!(channel_from(c.name()), Some(c));
        }
        for t in ApplicantType::ALL {
            assert_eq!(applicant_from(applicant_label(t)), Some(t));
            assert_eq!(applicant_from(t.name()), Some(t));
        }
        for k in AGENCY_KINDS {
            assert_eq!(agency_kind_from(agency_kind_label(k)), Some(k));
            assert_eq!(agency_kind_from(kind_name(k)), Some(k));
        }
        for g in CaseGroup::ALL {
            assert_eq!(group_from(template::group_label(g)), Some(g));
        }
    }

    #[test]
    fn dates_in_every_usual_spelling() {
        let want = NaiveDate::from_ymd_opt(2024, 3, 1);
        for s in ["2024-03-01", "2024/3/1", "2024.03.01", "2024年3月1日", " 2024-3-1 "] {
            assert_eq!(parse_date_text(s), want, "{s}");
        }
        assert_eq!(parse_date_text("2024-13-01"), None);
        assert!(cell_date(&Data::String("2024-13-01".into())).unwrap_err().starts_with("「2024-13-01」不是有效日期"));
        assert!(cell_date(&Data::Float(45352.0)).is_err());
    }

    #[test]
    fn long_numbers_are_refused_not_rounded() {
        assert_eq!(cell_text(&Data::Float(13800000000.0)).unwrap().as_deref(), Some("13800000000"));
        assert!(cell_text(&Data::Float(110101199003071234.0)).is_err());
    }

    #[test]
    fn the_example_round_trips() {
        let cal = Calendar::official();
        let batch = example();
        let bytes = write(&batch, true).unwrap();
        let parsed = read(&bytes, &cal, NaiveDate::from_ymd_opt(2026, 11, 27).unwrap_or_default())
            .unwrap_or_else(|e| panic!("{}", e.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")));
        assert_eq!(parsed.batch, batch);
        assert_eq!(parsed.request_rows, [2, 3, 4, 5, 6]);
        // The same registers give the same bytes.
        assert_eq!(write(&batch, true).unwrap(), bytes);
    }

    #[test]
    fn events_are_checked_as_input_like_in_the_console() {
        // The example's events are of 2024: read on a "today" before them, each is ahead of
        // time and named by sheet, row and column; nothing is returned.
        let cal = Calendar::official();
        let bytes = write(&example(), true).unwrap();
        let errors = read(&bytes, &cal, NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default()).unwrap_err();
        assert!(!errors.is_empty());
        assert!(
            errors.iter().all(|e| (e.message.contains("在今天之后，不能预先登记")
                || e.message.contains("不能晚于今天"))
                && matches!(
                    e.column.as_deref(),
                    Some("日期" | "答复日期" | "收到日期" | "发布日期" | "立案日期" | "审结日期")
                )
                && e.row.is_some()),
            "{errors:?}"
        );
        // A control character in a note is refused with its column.
        let mut batch = example();
        let note =
            batch.requests.iter_mut().flat_map(|(_, events)| events.iter_mut()).find_map(|e| match &mut e.kind {
                EventKind::CorrectionNotice { note, .. } => Some(note),
                _ => None,
            });
        let Some(note) = note else { panic!("the example has a correction notice") };
        note.push('\u{7}');
        let bytes = write(&batch, true).unwrap();
        let errors = read(&bytes, &cal, NaiveDate::from_ymd_opt(2026, 11, 27).unwrap_or_default()).unwrap_err();
        assert!(!errors.is_empty());
        assert_eq!((errors[0].sheet.as_str(), errors[0].column.as_deref()), (SHEET_EVENTS, Some("补正内容")));
        assert!(errors[0].message.contains("不能含控制字符"), "{errors:?}");
    }

    #[test]
    fn a_bad_cell_is_named_by_sheet_row_and_column() {
        let e = CellError::at(SHEET_REQUESTS, 7, "收到日期", "「2024-13-01」不是有效日期");
        assert_eq!(e.to_string(), "申请登记 第7行 “收到日期”列：「2024-13-01」不是有效日期");
    }
}
