//! The canonical annual report (政府信息公开工作年度报告), `"schema": "gongkai.report/1"`.
//!
//! Every source (published text, HTML, DOCX, PDF, the registers) becomes one [`Report`]; every
//! export is written from one. Its JSON form is a public interface (docs/report.schema.json), so
//! field names follow the glossary and never change within `gongkai.report/1`.
//!
//! Two conventions run through the whole model:
//! - **Blank is not zero.** A cell left empty in the source is `None` (`null`); a table the source
//!   does not contain is `None` too, never a table of zeros.
//! - **Money is decimal.** Amounts are [`Amount`] (a validated decimal string), never `f64`.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The schema tag every canonical document carries.
pub const SCHEMA_ID: &str = "gongkai.report/1";

/// A table cell holding a count: `None` where the source leaves the cell empty.
pub type Cell = Option<i64>;

/// 年度报告格式: which version of the national template a report (or one table) follows.
///
/// Detected from labels, never from the year (spec: "Template detection").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub enum Template {
    /// The statistics tables used before the 2019 revision (统计指标 / 单位 / 统计数).
    #[serde(rename = "pre2019")]
    Pre2019,
    /// 《中华人民共和国政府信息公开工作年度报告格式（试行）》, 国办公开办函〔2019〕60号.
    #[serde(rename = "2019")]
    V2019,
    /// 《中华人民共和国政府信息公开工作年度报告格式》, 国办公开办函〔2021〕30号.
    #[serde(rename = "2021")]
    V2021,
}

impl Template {
    /// The identifier used in JSON and on the command line.
    pub fn id(self) -> &'static str {
        match self {
            Template::Pre2019 => "pre2019",
            Template::V2019 => "2019",
            Template::V2021 => "2021",
        }
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// A decimal amount written as a string (`"123000"`, `"1.25"`, `"-3"`): no binary floating point
/// for money. Validated on construction.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Amount(String);

/// Why a string is not a decimal amount.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("「{0}」不是十进制数额")]
pub struct AmountError(pub String);

impl Amount {
    /// Parses and normalises (`"012.50"` → `"12.5"`, `"-0"` → `"0"`).
    pub fn parse(s: &str) -> Result<Amount, AmountError> {
        let t = s.trim();
        let (neg, body) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t.strip_prefix('+').unwrap_or(t)),
        };
        let (int, frac) = match body.split_once('.') {
            Some((i, f)) => (i, f),
            None => (body, ""),
        };
        let digits_ok = |p: &str| p.chars().all(|c| c.is_ascii_digit());
        if (int.is_empty() && frac.is_empty()) || !digits_ok(int) || !digits_ok(frac) {
            return Err(AmountError(s.to_string()));
        }
        let int = int.trim_start_matches('0');
        let frac = frac.trim_end_matches('0');
        let mut out = String::new();
        if int.is_empty() {
            out.push('0');
        } else {
            out.push_str(int);
        }
        if !frac.is_empty() {
            out.push('.');
            out.push_str(frac);
        }
        if neg && out != "0" {
            out.insert(0, '-');
        }
        Ok(Amount(out))
    }

    /// An integer amount.
    pub fn from_int(v: i64) -> Amount {
        Amount(v.to_string())
    }

    /// The normalised decimal string.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Multiplies by 10^`places` exactly (万元 → 元 is `shift(4)`).
    pub fn shift(&self, places: u32) -> Amount {
        let (neg, body) = match self.0.strip_prefix('-') {
            Some(b) => (true, b),
            None => (false, self.0.as_str()),
        };
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        let mut digits = String::from(int);
        let mut frac_chars = frac.chars();
        for _ in 0..places {
            digits.push(frac_chars.next().unwrap_or('0'));
        }
        let rest: String = frac_chars.collect();
        let s = if rest.is_empty() { digits } else { format!("{digits}.{rest}") };
        let s = if neg { format!("-{s}") } else { s };
        // Re-normalise; the input was valid so the output is too.
        Amount::parse(&s).unwrap_or(Amount(s))
    }

    /// The value scaled to an integer number of 1/10^`scale` units, if it fits exactly.
    pub fn to_scaled(&self, scale: u32) -> Option<i128> {
        let shifted = self.shift(scale);
        if shifted.0.contains('.') {
            return None;
        }
        shifted.0.parse().ok()
    }
}

impl fmt::Display for Amount {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Amount {
    type Err = AmountError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Amount::parse(s)
    }
}

impl Serialize for Amount {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Amount {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Amount::parse(&s).map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for Amount {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Amount".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "pattern": "^-?(0|[1-9][0-9]*)(\\.[0-9]*[1-9])?$",
            "description": "A decimal amount as a string (no binary floating point for money)."
        })
    }
}

/// The canonical annual report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// Always `"gongkai.report/1"`.
    pub schema: SchemaTag,
    /// 行政机关: the reporting agency, as named in the title or signature.
    pub agency: Option<String>,
    /// The year reported on (统计期限).
    pub year: Option<i32>,
    /// The publication (signature) date; `null` when unknown.
    pub published_on: Option<NaiveDate>,
    /// The newest template any table of the report follows.
    pub template: Template,
    /// The prose sections, in document order.
    pub sections: Vec<Section>,
    /// Table 2: 主动公开政府信息情况.
    pub proactive: Option<Proactive>,
    /// Table 3: 收到和处理政府信息公开申请情况.
    pub requests: Option<RequestTable>,
    /// Table 4: 政府信息公开行政复议、行政诉讼情况.
    pub review_litigation: Option<ReviewLitigation>,
    /// The pre-2019 statistics table (统计指标 / 单位 / 统计数), rows in document order.
    pub legacy_statistics: Option<Vec<LegacyStatistic>>,
    /// Where the document came from and how each figure was read.
    pub provenance: Provenance,
}

/// The fixed schema tag; (de)serialises as the string `"gongkai.report/1"` and rejects others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SchemaTag;

impl Serialize for SchemaTag {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(SCHEMA_ID)
    }
}

impl<'de> Deserialize<'de> for SchemaTag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if s == SCHEMA_ID {
            Ok(SchemaTag)
        } else {
            Err(serde::de::Error::custom(format!("schema 应为 \"{SCHEMA_ID}\"，实为 \"{s}\"")))
        }
    }
}

impl JsonSchema for SchemaTag {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "SchemaTag".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "const": SCHEMA_ID })
    }
}

impl Report {
    /// An empty report of the given template (no tables, no sections).
    pub fn new(template: Template, source: impl Into<String>, format: SourceFormat) -> Report {
        Report {
            schema: SchemaTag,
            agency: None,
            year: None,
            published_on: None,
            template,
            sections: Vec::new(),
            proactive: None,
            requests: None,
            review_litigation: None,
            legacy_statistics: None,
            provenance: Provenance {
                source: source.into(),
                format,
                shape: None,
                encoding: None,
                table_templates: BTreeMap::new(),
                cells: BTreeMap::new(),
                notes: Vec::new(),
            },
        }
    }

    /// Every numeric figure of tables 2–4 with its path (e.g.
    /// `requests.outcomes.withheld.state_secret.natural_person`), in template order.
    pub fn figures(&self) -> Vec<(String, FigureValue)> {
        let mut out = Vec::new();
        if let Some(p) = &self.proactive {
            p.collect(&mut out);
        }
        if let Some(r) = &self.requests {
            for row in crate::template::T3_ROWS {
                if let Some(c) = r.row(row.key) {
                    for col in crate::template::COLUMNS {
                        out.push((
                            format!("requests.{}.{}", row.path, col.key.name()),
                            FigureValue::Count(c.get(col.key)),
                        ));
                    }
                }
            }
        }
        if let Some(t4) = &self.review_litigation {
            for g in crate::template::T4_GROUPS {
                let grp = t4.group(g.key);
                for r in crate::template::T4_RESULTS {
                    out.push((
                        format!("review_litigation.{}.{}", g.key.name(), r.key.name()),
                        FigureValue::Count(grp.get(r.key)),
                    ));
                }
            }
        }
        out
    }

    /// The prose of all sections joined (for `text.figure`).
    pub fn prose(&self) -> String {
        let mut s = String::new();
        for sec in &self.sections {
            s.push_str(&sec.title);
            s.push('\n');
            s.push_str(&sec.text);
            s.push('\n');
        }
        s
    }
}

/// A figure's value as read: a count or a decimal amount (either may be blank).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum FigureValue {
    /// A count (件, 条, 项).
    Count(Cell),
    /// An amount (元, 万元).
    Amount(Option<Amount>),
}

/// One prose section, keyed where it matches a template section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// The template section this is, or `null` for a section the template does not name.
    pub key: Option<SectionKey>,
    /// The title as printed (e.g. 「一、概述」).
    pub title: String,
    /// The section's text, paragraphs separated by `\n`.
    pub text: String,
}

/// The sections of the 2019/2021 templates (and the legacy 收费及减免 section).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SectionKey {
    /// 一、总体情况 (older reports: 概述).
    Overview,
    /// 二、主动公开政府信息情况.
    Proactive,
    /// 三、收到和处理政府信息公开申请情况.
    Requests,
    /// 四、政府信息公开行政复议、行政诉讼情况.
    ReviewLitigation,
    /// 政府信息公开收费及减免情况 (pre-2019 outline; still seen in 2019–2020 reports).
    Fees,
    /// 五、存在的主要问题及改进情况.
    Problems,
    /// 六、其他需要报告的事项.
    OtherMatters,
}

impl SectionKey {
    /// The section of a glossary name (`overview`, `problems`, …), as the registers store it.
    pub fn from_name(name: &str) -> Option<SectionKey> {
        crate::template::SECTIONS.iter().map(|x| x.key).find(|k| k.name() == name)
    }

    /// The glossary name.
    pub fn name(self) -> &'static str {
        match self {
            SectionKey::Overview => "overview",
            SectionKey::Proactive => "proactive",
            SectionKey::Requests => "requests",
            SectionKey::ReviewLitigation => "review_litigation",
            SectionKey::Fees => "fees",
            SectionKey::Problems => "problems",
            SectionKey::OtherMatters => "other_matters",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Table 2

/// Table 2 (主动公开政府信息情况): the Article 20 blocks. A block absent from the source is `null`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Proactive {
    /// 规章 (Art. 20 item 1).
    pub rules: Option<DocumentCounts>,
    /// 行政规范性文件 / 规范性文件 (Art. 20 item 1).
    pub normative_documents: Option<DocumentCounts>,
    /// 行政许可 (Art. 20 item 5).
    pub licensing: Option<ItemCounts>,
    /// 其他对外管理服务事项 (Art. 20 item 5; 2019 only).
    pub other_services: Option<ItemCounts>,
    /// 行政处罚 (Art. 20 item 6).
    pub penalties: Option<ItemCounts>,
    /// 行政强制 (Art. 20 item 6).
    pub coercive_measures: Option<ItemCounts>,
    /// 行政事业性收费 (Art. 20 item 8).
    pub administrative_fees: Option<AdministrativeFees>,
    /// 政府集中采购 (Art. 20 item 9; 2019 only).
    pub centralized_procurement: Option<Procurement>,
}

/// Art. 20 item 1 counts: 2021 columns (issued/repealed/in_force) or 2019 columns
/// (made/published/published_total).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged, deny_unknown_fields)]
pub enum DocumentCounts {
    /// 2021: 本年制发件数 / 本年废止件数 / 现行有效件数.
    V2021 {
        /// 本年制发件数.
        issued: Cell,
        /// 本年废止件数.
        repealed: Cell,
        /// 现行有效件数.
        in_force: Cell,
    },
    /// 2019: 本年新制作数量 / 本年新公开数量 / 对外公开总数量.
    V2019 {
        /// 本年新制作数量.
        made: Cell,
        /// 本年新公开数量.
        published: Cell,
        /// 对外公开总数量.
        published_total: Cell,
    },
}

/// Art. 20 items 5 and 6: 2021 has only the decisions; 2019 also the item counts.
///
/// The 2021 variant comes first: with unknown fields denied, a 2019 object fails it and falls
/// through to the 2019 variant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged, deny_unknown_fields)]
pub enum ItemCounts {
    /// 2021: 本年处理决定数量.
    V2021 {
        /// 本年处理决定数量.
        decisions: Cell,
    },
    /// 2019: 上一年项目数量 / 本年增/减 / 处理决定数量.
    V2019 {
        /// 上一年项目数量.
        previous_items: Cell,
        /// 本年增/减 (may be negative).
        change: Cell,
        /// 处理决定数量.
        decisions: Cell,
    },
}

/// Art. 20 item 8 (行政事业性收费).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged, deny_unknown_fields)]
pub enum AdministrativeFees {
    /// 2021: 本年收费金额（单位：万元）.
    V2021 {
        /// 本年收费金额, in 万元.
        amount_wan_yuan: Option<Amount>,
    },
    /// 2019: 上一年项目数量 / 本年增/减.
    V2019 {
        /// 上一年项目数量.
        previous_items: Cell,
        /// 本年增/减.
        change: Cell,
    },
}

/// Art. 20 item 9 (政府集中采购; 2019 template only).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Procurement {
    /// 采购项目数量.
    pub projects: Cell,
    /// 采购总金额, in 元 (a source in 万元 is converted exactly).
    pub amount_yuan: Option<Amount>,
}

impl Proactive {
    fn collect(&self, out: &mut Vec<(String, FigureValue)>) {
        let mut push = |p: &str, v: FigureValue| out.push((format!("proactive.{p}"), v));
        for (name, d) in [("rules", &self.rules), ("normative_documents", &self.normative_documents)] {
            match d {
                Some(DocumentCounts::V2021 { issued, repealed, in_force }) => {
                    push(&format!("{name}.issued"), FigureValue::Count(*issued));
                    push(&format!("{name}.repealed"), FigureValue::Count(*repealed));
                    push(&format!("{name}.in_force"), FigureValue::Count(*in_force));
                }
                Some(DocumentCounts::V2019 { made, published, published_total }) => {
                    push(&format!("{name}.made"), FigureValue::Count(*made));
                    push(&format!("{name}.published"), FigureValue::Count(*published));
                    push(&format!("{name}.published_total"), FigureValue::Count(*published_total));
                }
                None => {}
            }
        }
        for (name, i) in [
            ("licensing", &self.licensing),
            ("other_services", &self.other_services),
            ("penalties", &self.penalties),
            ("coercive_measures", &self.coercive_measures),
        ] {
            match i {
                Some(ItemCounts::V2019 { previous_items, change, decisions }) => {
                    push(&format!("{name}.previous_items"), FigureValue::Count(*previous_items));
                    push(&format!("{name}.change"), FigureValue::Count(*change));
                    push(&format!("{name}.decisions"), FigureValue::Count(*decisions));
                }
                Some(ItemCounts::V2021 { decisions }) => {
                    push(&format!("{name}.decisions"), FigureValue::Count(*decisions));
                }
                None => {}
            }
        }
        match &self.administrative_fees {
            Some(AdministrativeFees::V2019 { previous_items, change }) => {
                push("administrative_fees.previous_items", FigureValue::Count(*previous_items));
                push("administrative_fees.change", FigureValue::Count(*change));
            }
            Some(AdministrativeFees::V2021 { amount_wan_yuan }) => {
                push("administrative_fees.amount_wan_yuan", FigureValue::Amount(amount_wan_yuan.clone()));
            }
            None => {}
        }
        if let Some(p) = &self.centralized_procurement {
            push("centralized_procurement.projects", FigureValue::Count(p.projects));
            push("centralized_procurement.amount_yuan", FigureValue::Amount(p.amount_yuan.clone()));
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Table 3

/// The seven applicant columns of table 3 (申请人情况). Each is `null` where the cell is empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Columns {
    /// 自然人.
    pub natural_person: Cell,
    /// 法人或其他组织 — 商业企业.
    pub commercial: Cell,
    /// 法人或其他组织 — 科研机构.
    pub research: Cell,
    /// 法人或其他组织 — 社会公益组织.
    pub public_interest: Cell,
    /// 法人或其他组织 — 法律服务机构.
    pub legal_services: Cell,
    /// 法人或其他组织 — 其他.
    pub other: Cell,
    /// 总计.
    pub total: Cell,
}

/// A column of table 3, in the template's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Column {
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
    /// 总计.
    Total,
}

impl Column {
    /// All seven columns in template order.
    pub const ALL: [Column; 7] = [
        Column::NaturalPerson,
        Column::Commercial,
        Column::Research,
        Column::PublicInterest,
        Column::LegalServices,
        Column::Other,
        Column::Total,
    ];
    /// The six applicant columns whose sum is 总计.
    pub const PARTS: [Column; 6] = [
        Column::NaturalPerson,
        Column::Commercial,
        Column::Research,
        Column::PublicInterest,
        Column::LegalServices,
        Column::Other,
    ];

    /// The glossary name.
    pub fn name(self) -> &'static str {
        match self {
            Column::NaturalPerson => "natural_person",
            Column::Commercial => "commercial",
            Column::Research => "research",
            Column::PublicInterest => "public_interest",
            Column::LegalServices => "legal_services",
            Column::Other => "other",
            Column::Total => "total",
        }
    }

    /// Parses a glossary name.
    pub fn from_name(s: &str) -> Option<Column> {
        Column::ALL.into_iter().find(|c| c.name() == s)
    }
}

impl Columns {
    /// A row with every cell blank.
    pub const BLANK: Columns = Columns {
        natural_person: None,
        commercial: None,
        research: None,
        public_interest: None,
        legal_services: None,
        other: None,
        total: None,
    };

    /// Builds a row from seven cells in template order.
    pub fn from_array(v: [Cell; 7]) -> Columns {
        Columns {
            natural_person: v[0],
            commercial: v[1],
            research: v[2],
            public_interest: v[3],
            legal_services: v[4],
            other: v[5],
            total: v[6],
        }
    }

    /// The seven cells in template order.
    pub fn to_array(&self) -> [Cell; 7] {
        [
            self.natural_person,
            self.commercial,
            self.research,
            self.public_interest,
            self.legal_services,
            self.other,
            self.total,
        ]
    }

    /// One cell.
    pub fn get(&self, c: Column) -> Cell {
        match c {
            Column::NaturalPerson => self.natural_person,
            Column::Commercial => self.commercial,
            Column::Research => self.research,
            Column::PublicInterest => self.public_interest,
            Column::LegalServices => self.legal_services,
            Column::Other => self.other,
            Column::Total => self.total,
        }
    }

    /// Mutable access to one cell.
    pub fn get_mut(&mut self, c: Column) -> &mut Cell {
        match c {
            Column::NaturalPerson => &mut self.natural_person,
            Column::Commercial => &mut self.commercial,
            Column::Research => &mut self.research,
            Column::PublicInterest => &mut self.public_interest,
            Column::LegalServices => &mut self.legal_services,
            Column::Other => &mut self.other,
            Column::Total => &mut self.total,
        }
    }

    /// A row of zeros.
    pub fn zero() -> Columns {
        Columns::from_array([Some(0); 7])
    }
}

/// 三（三）不予公开: the eight reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Withheld {
    /// 1.属于国家秘密.
    pub state_secret: Columns,
    /// 2.其他法律行政法规禁止公开.
    pub prohibited_by_law: Columns,
    /// 3.危及"三安全一稳定".
    pub security_stability: Columns,
    /// 4.保护第三方合法权益.
    pub third_party_rights: Columns,
    /// 5.属于三类内部事务信息.
    pub internal_affairs: Columns,
    /// 6.属于四类过程性信息.
    pub process_information: Columns,
    /// 7.属于行政执法案卷.
    pub enforcement_files: Columns,
    /// 8.属于行政查询事项.
    pub administrative_query: Columns,
}

/// 三（四）无法提供.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Unable {
    /// 1.本机关不掌握相关政府信息.
    pub not_held: Columns,
    /// 2.没有现成信息需要另行制作.
    pub needs_creation: Columns,
    /// 3.补正后申请内容仍不明确.
    pub still_unclear: Columns,
}

/// 三（五）不予处理.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NotProcessed {
    /// 1.信访举报投诉类申请.
    pub complaint: Columns,
    /// 2.重复申请.
    pub duplicate: Columns,
    /// 3.要求提供公开出版物.
    pub publication: Columns,
    /// 4.无正当理由大量反复申请.
    pub excessive: Columns,
    /// 5.要求行政机关确认或重新出具已获取信息.
    pub reconfirmation: Columns,
}

/// 三（六）其他处理. In the 2019 template only `total` exists: the three sub-rows are `null`
/// (the rows do not exist), which is not the same as rows of blank cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OtherHandling {
    /// 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请 (Art. 30).
    pub no_correction: Option<Columns>,
    /// 2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请 (109号).
    pub fee_unpaid: Option<Columns>,
    /// 3.其他.
    pub other: Option<Columns>,
    /// （六）其他处理 as one row (2019), or the sum of the three sub-rows (2021).
    pub total: Columns,
}

/// 三、本年度办理结果.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Outcomes {
    /// （一）予以公开.
    pub granted: Columns,
    /// （二）部分公开（区分处理的，只计这一情形，不计其他情形）(Art. 37).
    pub partially_granted: Columns,
    /// （三）不予公开.
    pub withheld: Withheld,
    /// （四）无法提供.
    pub unable: Unable,
    /// （五）不予处理.
    pub not_processed: NotProcessed,
    /// （六）其他处理.
    pub other_handling: OtherHandling,
    /// （七）总计.
    pub total: Columns,
}

/// Table 3: 收到和处理政府信息公开申请情况.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestTable {
    /// 一、本年新收政府信息公开申请数量.
    pub received: Columns,
    /// 二、上年结转政府信息公开申请数量.
    pub carried_over: Columns,
    /// 三、本年度办理结果.
    pub outcomes: Outcomes,
    /// 四、结转下年度继续办理.
    pub carried_forward: Columns,
}

/// A row of table 3, in template order (the 2021 template; the 2019 one lacks the three
/// 其他处理 sub-rows).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum RequestRow {
    Received,
    CarriedOver,
    Granted,
    PartiallyGranted,
    StateSecret,
    ProhibitedByLaw,
    SecurityStability,
    ThirdPartyRights,
    InternalAffairs,
    ProcessInformation,
    EnforcementFiles,
    AdministrativeQuery,
    NotHeld,
    NeedsCreation,
    StillUnclear,
    Complaint,
    Duplicate,
    Publication,
    Excessive,
    Reconfirmation,
    NoCorrection,
    FeeUnpaid,
    OtherHandlingOther,
    OtherHandlingTotal,
    OutcomesTotal,
    CarriedForward,
}

impl RequestTable {
    /// A table with every cell blank.
    pub fn blank() -> RequestTable {
        let b = Columns::BLANK;
        RequestTable {
            received: b,
            carried_over: b,
            outcomes: Outcomes {
                granted: b,
                partially_granted: b,
                withheld: Withheld {
                    state_secret: b,
                    prohibited_by_law: b,
                    security_stability: b,
                    third_party_rights: b,
                    internal_affairs: b,
                    process_information: b,
                    enforcement_files: b,
                    administrative_query: b,
                },
                unable: Unable { not_held: b, needs_creation: b, still_unclear: b },
                not_processed: NotProcessed {
                    complaint: b,
                    duplicate: b,
                    publication: b,
                    excessive: b,
                    reconfirmation: b,
                },
                other_handling: OtherHandling { no_correction: None, fee_unpaid: None, other: None, total: b },
                total: b,
            },
            carried_forward: b,
        }
    }

    /// One row by key; `None` for the 其他处理 sub-rows of a table that has none (2019 layout).
    pub fn row(&self, k: RequestRow) -> Option<&Columns> {
        let o = &self.outcomes;
        match k {
            RequestRow::NoCorrection => return o.other_handling.no_correction.as_ref(),
            RequestRow::FeeUnpaid => return o.other_handling.fee_unpaid.as_ref(),
            RequestRow::OtherHandlingOther => return o.other_handling.other.as_ref(),
            _ => {}
        }
        Some(match k {
            RequestRow::Received => &self.received,
            RequestRow::CarriedOver => &self.carried_over,
            RequestRow::Granted => &o.granted,
            RequestRow::PartiallyGranted => &o.partially_granted,
            RequestRow::StateSecret => &o.withheld.state_secret,
            RequestRow::ProhibitedByLaw => &o.withheld.prohibited_by_law,
            RequestRow::SecurityStability => &o.withheld.security_stability,
            RequestRow::ThirdPartyRights => &o.withheld.third_party_rights,
            RequestRow::InternalAffairs => &o.withheld.internal_affairs,
            RequestRow::ProcessInformation => &o.withheld.process_information,
            RequestRow::EnforcementFiles => &o.withheld.enforcement_files,
            RequestRow::AdministrativeQuery => &o.withheld.administrative_query,
            RequestRow::NotHeld => &o.unable.not_held,
            RequestRow::NeedsCreation => &o.unable.needs_creation,
            RequestRow::StillUnclear => &o.unable.still_unclear,
            RequestRow::Complaint => &o.not_processed.complaint,
            RequestRow::Duplicate => &o.not_processed.duplicate,
            RequestRow::Publication => &o.not_processed.publication,
            RequestRow::Excessive => &o.not_processed.excessive,
            RequestRow::Reconfirmation => &o.not_processed.reconfirmation,
            RequestRow::NoCorrection | RequestRow::FeeUnpaid | RequestRow::OtherHandlingOther => return None,
            RequestRow::OtherHandlingTotal => &o.other_handling.total,
            RequestRow::OutcomesTotal => &o.total,
            RequestRow::CarriedForward => &self.carried_forward,
        })
    }

    /// Mutable access to one row; a missing 其他处理 sub-row is created blank.
    pub fn row_mut(&mut self, k: RequestRow) -> &mut Columns {
        let o = &mut self.outcomes;
        match k {
            RequestRow::Received => &mut self.received,
            RequestRow::CarriedOver => &mut self.carried_over,
            RequestRow::Granted => &mut o.granted,
            RequestRow::PartiallyGranted => &mut o.partially_granted,
            RequestRow::StateSecret => &mut o.withheld.state_secret,
            RequestRow::ProhibitedByLaw => &mut o.withheld.prohibited_by_law,
            RequestRow::SecurityStability => &mut o.withheld.security_stability,
            RequestRow::ThirdPartyRights => &mut o.withheld.third_party_rights,
            RequestRow::InternalAffairs => &mut o.withheld.internal_affairs,
            RequestRow::ProcessInformation => &mut o.withheld.process_information,
            RequestRow::EnforcementFiles => &mut o.withheld.enforcement_files,
            RequestRow::AdministrativeQuery => &mut o.withheld.administrative_query,
            RequestRow::NotHeld => &mut o.unable.not_held,
            RequestRow::NeedsCreation => &mut o.unable.needs_creation,
            RequestRow::StillUnclear => &mut o.unable.still_unclear,
            RequestRow::Complaint => &mut o.not_processed.complaint,
            RequestRow::Duplicate => &mut o.not_processed.duplicate,
            RequestRow::Publication => &mut o.not_processed.publication,
            RequestRow::Excessive => &mut o.not_processed.excessive,
            RequestRow::Reconfirmation => &mut o.not_processed.reconfirmation,
            RequestRow::NoCorrection => o.other_handling.no_correction.get_or_insert(Columns::BLANK),
            RequestRow::FeeUnpaid => o.other_handling.fee_unpaid.get_or_insert(Columns::BLANK),
            RequestRow::OtherHandlingOther => o.other_handling.other.get_or_insert(Columns::BLANK),
            RequestRow::OtherHandlingTotal => &mut o.other_handling.total,
            RequestRow::OutcomesTotal => &mut o.total,
            RequestRow::CarriedForward => &mut self.carried_forward,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Table 4

/// One group of table 4: 结果维持 / 结果纠正 / 其他结果 / 尚未审结 / 总计.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseResults {
    /// 结果维持.
    pub upheld: Cell,
    /// 结果纠正.
    pub corrected: Cell,
    /// 其他结果.
    pub other: Cell,
    /// 尚未审结.
    pub pending: Cell,
    /// 总计.
    pub total: Cell,
}

/// A column of a table-4 group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseResult {
    /// 结果维持.
    Upheld,
    /// 结果纠正.
    Corrected,
    /// 其他结果.
    Other,
    /// 尚未审结.
    Pending,
    /// 总计.
    Total,
}

impl CaseResult {
    /// The five columns in template order.
    pub const ALL: [CaseResult; 5] =
        [CaseResult::Upheld, CaseResult::Corrected, CaseResult::Other, CaseResult::Pending, CaseResult::Total];

    /// The glossary name.
    pub fn name(self) -> &'static str {
        match self {
            CaseResult::Upheld => "upheld",
            CaseResult::Corrected => "corrected",
            CaseResult::Other => "other",
            CaseResult::Pending => "pending",
            CaseResult::Total => "total",
        }
    }
}

impl CaseResults {
    /// A group with every cell blank.
    pub const BLANK: CaseResults =
        CaseResults { upheld: None, corrected: None, other: None, pending: None, total: None };

    /// One cell.
    pub fn get(&self, r: CaseResult) -> Cell {
        match r {
            CaseResult::Upheld => self.upheld,
            CaseResult::Corrected => self.corrected,
            CaseResult::Other => self.other,
            CaseResult::Pending => self.pending,
            CaseResult::Total => self.total,
        }
    }

    /// Mutable access to one cell.
    pub fn get_mut(&mut self, r: CaseResult) -> &mut Cell {
        match r {
            CaseResult::Upheld => &mut self.upheld,
            CaseResult::Corrected => &mut self.corrected,
            CaseResult::Other => &mut self.other,
            CaseResult::Pending => &mut self.pending,
            CaseResult::Total => &mut self.total,
        }
    }

    /// Builds a group from five cells in template order.
    pub fn from_array(v: [Cell; 5]) -> CaseResults {
        CaseResults { upheld: v[0], corrected: v[1], other: v[2], pending: v[3], total: v[4] }
    }
}

/// Table 4: 政府信息公开行政复议、行政诉讼情况.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewLitigation {
    /// 行政复议.
    pub review: CaseResults,
    /// 行政诉讼 — 未经复议直接起诉.
    pub litigation_direct: CaseResults,
    /// 行政诉讼 — 复议后起诉.
    pub litigation_after_review: CaseResults,
}

/// A group of table 4.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CaseGroup {
    /// 行政复议.
    Review,
    /// 未经复议直接起诉.
    LitigationDirect,
    /// 复议后起诉.
    LitigationAfterReview,
}

impl CaseGroup {
    /// The three groups in template order.
    pub const ALL: [CaseGroup; 3] = [CaseGroup::Review, CaseGroup::LitigationDirect, CaseGroup::LitigationAfterReview];

    /// The glossary name.
    pub fn name(self) -> &'static str {
        match self {
            CaseGroup::Review => "review",
            CaseGroup::LitigationDirect => "litigation_direct",
            CaseGroup::LitigationAfterReview => "litigation_after_review",
        }
    }
}

impl ReviewLitigation {
    /// One group.
    pub fn group(&self, g: CaseGroup) -> &CaseResults {
        match g {
            CaseGroup::Review => &self.review,
            CaseGroup::LitigationDirect => &self.litigation_direct,
            CaseGroup::LitigationAfterReview => &self.litigation_after_review,
        }
    }

    /// Mutable access to one group.
    pub fn group_mut(&mut self, g: CaseGroup) -> &mut CaseResults {
        match g {
            CaseGroup::Review => &mut self.review,
            CaseGroup::LitigationDirect => &mut self.litigation_direct,
            CaseGroup::LitigationAfterReview => &mut self.litigation_after_review,
        }
    }

    /// A table with every cell blank.
    pub fn blank() -> ReviewLitigation {
        ReviewLitigation {
            review: CaseResults::BLANK,
            litigation_direct: CaseResults::BLANK,
            litigation_after_review: CaseResults::BLANK,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Legacy statistics

/// One row of the pre-2019 statistics table (统计指标 / 单位 / 统计数).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LegacyStatistic {
    /// The indicator as printed, without leading numbering noise.
    pub label: String,
    /// The recognised indicator (see `template::LEGACY_ROWS`), or `null`.
    #[serde(default)]
    pub key: Option<String>,
    /// 单位 (条, 次, 篇, 件, 万元…), `null` for heading rows (——).
    pub unit: Option<String>,
    /// 统计数 as a decimal string; `null` when blank.
    pub value: Option<Amount>,
}

// ---------------------------------------------------------------------------------------------
// Provenance

/// Where a report came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SourceFormat {
    /// Plain text (a Word dump, PDF-extracted text, flattened web text).
    Text,
    /// An HTML page.
    Html,
    /// A Word .docx file.
    Docx,
    /// A PDF file.
    Pdf,
    /// Generated from gongkai's registers.
    Register,
    /// A canonical JSON document.
    Json,
}

/// Provenance of a report and of each figure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Provenance {
    /// The file name, or `register`.
    pub source: String,
    /// The source format.
    pub format: SourceFormat,
    /// The text shape recognised (`word-dump`, `pdf-rows`, `pdf-columns`, `flat`, `markdown`), if any.
    #[serde(default)]
    pub shape: Option<String>,
    /// The character encoding detected (`UTF-8`, `GB18030`).
    #[serde(default)]
    pub encoding: Option<String>,
    /// The template each table follows (`proactive`, `requests`, `review_litigation`,
    /// `legacy_statistics`): a report may mix them.
    #[serde(default)]
    pub table_templates: BTreeMap<String, Template>,
    /// Per figure path: where in the source it was read.
    #[serde(default)]
    pub cells: BTreeMap<String, CellSource>,
    /// What the importer could not determine, and why.
    #[serde(default)]
    pub notes: Vec<ImportNote>,
}

/// Where one figure was read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CellSource {
    // The strings are `Cow`s because an importer records a couple of hundred cells per report:
    // labels in the template's own wording and small whole numbers are borrowed from static
    // tables rather than copied (the doc comments below are the published schema's text).
    /// The row label as printed.
    pub label: Cow<'static, str>,
    /// The column label (template wording).
    pub column: Cow<'static, str>,
    /// The 1-based line in the source where the value was found.
    pub line: usize,
    /// The raw text of the value as printed.
    pub raw: Cow<'static, str>,
    /// Where in a structured source the value was found: the table, row and column of an HTML
    /// page or Word file (where `line` is that row), or the page of a PDF. Absent for text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<SourceLocation>,
}

/// A place in a structured source (HTML, DOCX, PDF); every part is 1-based.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SourceLocation {
    /// The table's number in the document (`<table>` / `w:tbl` order).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<usize>,
    /// The row of that table, counted after merged cells are resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    /// The column of that table, counted after merged cells are resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub column: Option<usize>,
    /// The page (PDF).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<usize>,
}

/// Something the importer could not determine (never guessed silently).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportNote {
    /// The figure path or table the note is about.
    pub path: String,
    /// 1-based line in the source, where known.
    pub line: Option<usize>,
    /// Chinese message.
    pub message: String,
}

// ---------------------------------------------------------------------------------------------
// Helpers for the rule engine (rules.rs)

impl Report {
    /// The template a table follows (`"proactive"`, `"requests"`, `"review_litigation"`,
    /// `"legacy_statistics"`): its entry in `provenance.table_templates`, else the report's own
    /// `template` (the newest any table follows).
    pub fn table_template(&self, table: &str) -> Template {
        self.provenance.table_templates.get(table).copied().unwrap_or(self.template)
    }
}

impl Columns {
    /// Whether any of the seven cells is filled.
    pub fn any_given(&self) -> bool {
        self.to_array().iter().any(Option::is_some)
    }
}

impl CaseResults {
    /// Whether any of the five cells is filled.
    pub fn any_given(&self) -> bool {
        CaseResult::ALL.iter().any(|r| self.get(*r).is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amount_normalises_and_shifts() {
        assert_eq!(Amount::parse("012.50").map(|a| a.0), Ok("12.5".to_string()));
        assert_eq!(Amount::parse("-0").map(|a| a.0), Ok("0".to_string()));
        assert_eq!(Amount::parse("12.3").map(|a| a.shift(4).0), Ok("123000".to_string()));
        assert_eq!(Amount::parse("1.25").map(|a| a.shift(4).0), Ok("12500".to_string()));
        assert_eq!(Amount::parse("0.00001").map(|a| a.shift(4).0), Ok("0.1".to_string()));
        assert_eq!(Amount::parse("96171.6").ok().and_then(|a| a.to_scaled(1)), Some(961716));
        for bad in ["", ".", "-", "约30", "1.2.3", "1e5", "—"] {
            assert!(Amount::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn schema_tag_is_checked() {
        let ok: Result<SchemaTag, _> = serde_json::from_str("\"gongkai.report/1\"");
        assert!(ok.is_ok());
        let bad: Result<SchemaTag, _> = serde_json::from_str("\"gongkai.report/2\"");
        assert!(bad.is_err());
    }

    #[test]
    fn untagged_blocks_round_trip() {
        let d = DocumentCounts::V2019 { made: Some(4), published: Some(4), published_total: None };
        let s = serde_json::to_string(&d).unwrap_or_default();
        assert_eq!(s, r#"{"made":4,"published":4,"published_total":null}"#);
        let back: DocumentCounts =
            serde_json::from_str(&s).unwrap_or(DocumentCounts::V2021 { issued: None, repealed: None, in_force: None });
        assert_eq!(back, d);
        let i: ItemCounts = serde_json::from_str(r#"{"decisions":5}"#).unwrap_or(ItemCounts::V2019 {
            previous_items: None,
            change: None,
            decisions: None,
        });
        assert_eq!(i, ItemCounts::V2021 { decisions: Some(5) });
    }
}
