//! The report quality scorecard (年度报告质量评估): what third-party evaluations of annual reports
//! score — timeliness, completeness of elements, data that adds up, figures in the prose, a
//! problems section that says something specific, fees reported, changes after publication —
//! as criteria with stable ids and reasons in Chinese and English, like [`crate::rules`].
//!
//! A [`Scorecard`] is a pure function of a [`QualityInput`]: the same inputs give the same card,
//! so a supervising office can reproduce it. Each criterion is pass, fail or unknown (the input
//! does not tell).
//!
//! "Changed after publication" (`quality.amended`) is counted in two ways, as the evidence allows:
//! for a report generated from the registers, the amendments recorded under the period lock; for
//! a report imported from published files (an agency that does not use gongkai), how many times
//! the agency republished the year's report with other figures ([`republished_changes`]).

use std::collections::BTreeSet;

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::report::{Report, SectionKey, Template};
use crate::rules::{self, Finding, Severity};
use crate::template::SECTIONS;

/// The stable criterion ids.
pub mod id {
    /// Published by the Art. 49 deadline.
    pub const ON_TIME: &str = "quality.on_time";
    /// Every section and table of the template present.
    pub const SECTIONS_COMPLETE: &str = "quality.sections_complete";
    /// No consistency error (勾稽关系).
    pub const CONSISTENT: &str = "quality.consistent";
    /// The figures quoted in the prose agree with the tables.
    pub const PROSE_FIGURES: &str = "quality.prose_figures";
    /// The problems section is specific, not boilerplate.
    pub const PROBLEMS_SPECIFIC: &str = "quality.problems_specific";
    /// Fee collection reported in 其他需要报告的事项.
    pub const FEES_REPORTED: &str = "quality.fees_reported";
    /// Not changed after publication: no amendment under the period lock (registers), or no
    /// republication with other figures (imported published files).
    pub const AMENDED: &str = "quality.amended";
}

/// One criterion of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CriterionSpec {
    /// The stable id.
    pub id: &'static str,
    /// What is scored, in Chinese.
    pub summary: &'static str,
    /// What is scored, in English.
    pub summary_en: &'static str,
}

/// The catalogue, in scorecard order.
pub const CRITERIA: [CriterionSpec; 7] = [
    CriterionSpec {
        id: id::ON_TIME,
        summary: "按条例第四十九条规定的期限公布（部门1月31日前，县级以上人民政府3月31日前）",
        summary_en: "published by the Art. 49 deadline (departments 31 January, governments 31 March)",
    },
    CriterionSpec {
        id: id::SECTIONS_COMPLETE,
        summary: "模板要求的各章节和表格齐全",
        summary_en: "every section and table the template requires is present",
    },
    CriterionSpec {
        id: id::CONSISTENT,
        summary: "表格数据勾稽关系无错误",
        summary_en: "no consistency error in the tables",
    },
    CriterionSpec {
        id: id::PROSE_FIGURES,
        summary: "正文引用的数字与表格一致",
        summary_en: "the figures quoted in the prose agree with the tables",
    },
    CriterionSpec {
        id: id::PROBLEMS_SPECIFIC,
        summary: "“存在的主要问题及改进情况”具体，不与上年或其他机关雷同",
        summary_en: "the problems section is specific, not near-identical to last year's or other agencies' text",
    },
    CriterionSpec {
        id: id::FEES_REPORTED,
        summary: "“其他需要报告的事项”说明了信息处理费收取情况",
        summary_en: "fee collection is reported under other matters",
    },
    CriterionSpec {
        id: id::AMENDED,
        summary:
            "报告发布后未更改（系统生成的报告：期间锁定后无更正登记；导入的已发布文件：未以不同的统计数据重新发布）",
        summary_en: "not changed after publication (generated reports: no amendment under the period lock; \
                     imported published files: not republished with other figures)",
    },
];

/// Two problems sections whose character-bigram Jaccard similarity ([`similarity`]) is at least
/// this are near-identical: a text copied from last year with the year and a few words changed
/// scores above 0.9, while two offices describing their own problems in the usual vocabulary
/// score 0.2–0.5. 0.8 leaves room for light editing of a copied text without flagging texts that
/// merely share the stock phrases (「进一步加强」「政务公开」).
pub const SIMILARITY_THRESHOLD: f64 = 0.8;

/// A problems section shorter than this many characters (after removing spaces and punctuation)
/// cannot name a problem and a measure: 「无」 or 「工作还有差距，将进一步改进。」 are boilerplate
/// whatever they are compared with.
pub const MIN_PROBLEMS_CHARS: usize = 30;

/// Words that show the report says whether fees were collected (信息处理费, 109号).
pub const FEE_KEYWORDS: [&str; 5] = ["信息处理费", "收费", "收取费用", "未收取", "费用"];

/// The outcome of one criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Met.
    Pass,
    /// Not met.
    Fail,
    /// The inputs do not tell.
    Unknown,
}

impl Verdict {
    /// The Chinese label.
    pub fn label(self) -> &'static str {
        match self {
            Verdict::Pass => "达标",
            Verdict::Fail => "不达标",
            Verdict::Unknown => "无法判断",
        }
    }
}

/// One criterion's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Criterion {
    /// The stable id (`quality.on_time`…).
    pub id: String,
    /// Pass, fail or unknown.
    pub verdict: Verdict,
    /// The values the verdict rests on, by name.
    pub values: Map<String, Value>,
    /// Why, in Chinese.
    pub reason: String,
    /// Why, in English.
    pub reason_en: String,
}

/// The scorecard of one report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Scorecard {
    /// The agency, as the report names it.
    pub agency: Option<String>,
    /// The report year.
    pub year: Option<i32>,
    /// The criteria in catalogue order ([`CRITERIA`]).
    pub criteria: Vec<Criterion>,
    /// How many passed.
    pub passed: usize,
    /// How many failed.
    pub failed: usize,
    /// How many are unknown.
    pub unknown: usize,
}

/// The nearest other text to a problems section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Nearest {
    /// Whose text (an agency code or name).
    pub other: String,
    /// The similarity, 0–1 ([`similarity`]).
    pub similarity: f64,
}

/// Everything a scorecard is computed from.
#[derive(Debug, Clone, Default)]
pub struct QualityInput<'a> {
    /// The report scored (generated or imported).
    pub report: Option<&'a Report>,
    /// Its findings from [`rules::check`]; `None` = run the rules here (without a previous year).
    pub findings: Option<&'a [Finding]>,
    /// Whether it is a people's government's own report (31 March); `None` = from the name.
    pub government_report: Option<bool>,
    /// "Today", for a report not (yet) published: after the deadline it is late.
    pub today: Option<NaiveDate>,
    /// Last year's problems section of the same agency.
    pub previous_problems: Option<&'a str>,
    /// The most similar problems section of another agency (see [`nearest_peers`]).
    pub nearest_peer: Option<Nearest>,
    /// Changes after publication, counted as [`QualityInput::amendments_counted`] says; `None` =
    /// not known.
    pub amendments: Option<usize>,
    /// What [`QualityInput::amendments`] counts (the reasons of `quality.amended` say it).
    pub amendments_counted: AmendmentBasis,
}

/// What the amendments figure of a report counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AmendmentBasis {
    /// A report generated from the registers: the amendments recorded under the period lock
    /// (every change of a published year's registers is one).
    #[default]
    Registers,
    /// A report imported from published files: the republications of the year's report whose
    /// statistics tables differ from the previous publication's ([`republished_changes`]).
    Republications,
}

/// Whether two reports print the same figures: tables 2–4 and the pre-2019 statistics table —
/// not the prose, the layout or the file format (a PDF and an HTML page of the same report read
/// to the same tables). Rows of the pre-2019 table are compared by indicator (its recognised key,
/// else its label without spaces) and value, the rows without a value left out: how a heading or
/// a unit is printed is not a figure.
pub fn same_figures(a: &Report, b: &Report) -> bool {
    fn legacy(r: &Report) -> Option<Vec<(String, &crate::report::Amount)>> {
        r.legacy_statistics.as_ref().map(|rows| {
            rows.iter()
                .filter_map(|row| {
                    let id =
                        row.key.clone().unwrap_or_else(|| row.label.chars().filter(|c| !c.is_whitespace()).collect());
                    row.value.as_ref().map(|v| (id, v))
                })
                .collect()
        })
    }
    a.proactive == b.proactive
        && a.requests == b.requests
        && a.review_litigation == b.review_litigation
        && legacy(a) == legacy(b)
}

/// How many times a year's report was changed after publication, judged from every publication of
/// it, oldest first (by publication date, then by when it was imported): the publications whose
/// figures ([`same_figures`]) differ from the one before. One publication, or all with the same
/// figures (the same report as PDF and as a web page, or with the prose reworded), is 0.
///
/// This is what "changed after publication" can mean for an agency that does not use gongkai:
/// its registers are not here, but a republished report with other figures shows that the first
/// one's were changed.
pub fn republished_changes<'a>(publications: impl IntoIterator<Item = &'a Report>) -> usize {
    let mut changes = 0;
    let mut previous: Option<&Report> = None;
    for r in publications {
        if previous.is_some_and(|p| !same_figures(p, r)) {
            changes += 1;
        }
        previous = Some(r);
    }
    changes
}

/// The Art. 49 deadline of the report on `year`: 31 January of the next year for departments
/// (and townships, which the Regulations do not name), 31 March for a county-level or higher
/// people's government's own report; 31 March for everyone for reports on 2018 and earlier
/// (2007 Regulations). `None` only at the end of the date range.
pub fn art49_deadline(year: i32, government: bool) -> Option<NaiveDate> {
    let (m, d) = if year < 2019 || government { (3, 31) } else { (1, 31) };
    NaiveDate::from_ymd_opt(year.checked_add(1)?, m, d)
}

fn vals(pairs: Vec<(&str, Value)>) -> Map<String, Value> {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

fn criterion(id: &str, verdict: Verdict, values: Map<String, Value>, zh: String, en: String) -> Criterion {
    Criterion { id: id.to_string(), verdict, values, reason: zh, reason_en: en }
}

/// The scorecard (every criterion of [`CRITERIA`], in order).
pub fn scorecard(input: &QualityInput<'_>) -> Scorecard {
    let owned;
    let findings: &[Finding] = match (input.findings, input.report) {
        (Some(f), _) => f,
        (None, Some(r)) => {
            let ctx = rules::CheckContext { previous: None, government_report: input.government_report };
            owned = rules::check(r, &ctx);
            &owned
        }
        (None, None) => &[],
    };
    let criteria = vec![
        on_time(input),
        sections_complete(input.report),
        consistent(input.report, findings),
        prose_figures(input.report, findings),
        problems_specific(input),
        fees_reported(input.report),
        amended(input.amendments, input.amendments_counted),
    ];
    let count = |v: Verdict| criteria.iter().filter(|c| c.verdict == v).count();
    Scorecard {
        agency: input.report.and_then(|r| r.agency.clone()),
        year: input.report.and_then(|r| r.year),
        passed: count(Verdict::Pass),
        failed: count(Verdict::Fail),
        unknown: count(Verdict::Unknown),
        criteria,
    }
}

fn no_report(id: &str) -> Criterion {
    criterion(id, Verdict::Unknown, Map::new(), "没有报告".into(), "no report".into())
}

fn on_time(input: &QualityInput<'_>) -> Criterion {
    let Some(r) = input.report else { return no_report(id::ON_TIME) };
    let government =
        input.government_report.or_else(|| r.agency.as_deref().map(rules::looks_like_government)).unwrap_or(false);
    let Some(deadline) = r.year.and_then(|y| art49_deadline(y, government)) else {
        return criterion(id::ON_TIME, Verdict::Unknown, Map::new(), "报告年度不详".into(), "year unknown".into());
    };
    let date = |d: NaiveDate| Value::String(d.to_string());
    match (r.published_on, input.today) {
        (Some(p), _) if p <= deadline => criterion(
            id::ON_TIME,
            Verdict::Pass,
            vals(vec![("published_on", date(p)), ("deadline", date(deadline))]),
            format!("{p}公布，未晚于条例第四十九条规定的{deadline}"),
            format!("published on {p}, by the Art. 49 deadline {deadline}"),
        ),
        (Some(p), _) => {
            let late = (p - deadline).num_days();
            criterion(
                id::ON_TIME,
                Verdict::Fail,
                vals(vec![("published_on", date(p)), ("deadline", date(deadline)), ("days_late", Value::from(late))]),
                format!("{p}公布，晚于条例第四十九条规定的{deadline}，迟{late}天"),
                format!("published on {p}, {late} days after the Art. 49 deadline {deadline}"),
            )
        }
        (None, Some(today)) if today > deadline => criterion(
            id::ON_TIME,
            Verdict::Fail,
            vals(vec![("deadline", date(deadline)), ("today", date(today))]),
            format!("截至{today}尚未公布，已过条例第四十九条规定的{deadline}"),
            format!("not published by {today}, past the Art. 49 deadline {deadline}"),
        ),
        (None, _) => criterion(
            id::ON_TIME,
            Verdict::Unknown,
            vals(vec![("deadline", date(deadline))]),
            format!("尚未公布，期限为{deadline}"),
            format!("not published yet; the deadline is {deadline}"),
        ),
    }
}

fn sections_complete(report: Option<&Report>) -> Criterion {
    let Some(r) = report else { return no_report(id::SECTIONS_COMPLETE) };
    if !matches!(r.template, Template::V2019 | Template::V2021) {
        return criterion(
            id::SECTIONS_COMPLETE,
            Verdict::Unknown,
            Map::new(),
            "2019年以前的报告没有统一的章节格式".into(),
            "reports before the 2019 template have no fixed outline".into(),
        );
    }
    let mut missing: Vec<&str> = SECTIONS
        .iter()
        .filter(|s| s.required && !r.sections.iter().any(|x| x.key == Some(s.key)))
        .map(|s| s.title)
        .collect();
    let tables = [
        (r.proactive.is_none(), crate::template::T2_TITLE),
        (r.requests.is_none(), crate::template::T3_TITLE),
        (r.review_litigation.is_none(), crate::template::T4_TITLE),
    ];
    let missing_tables: Vec<&str> = tables.iter().filter(|(m, _)| *m).map(|(_, t)| *t).collect();
    missing.extend(missing_tables.iter().copied());
    if missing.is_empty() {
        criterion(
            id::SECTIONS_COMPLETE,
            Verdict::Pass,
            Map::new(),
            "模板要求的六个章节和三张表格齐全".into(),
            "all required sections and tables are present".into(),
        )
    } else {
        let list: Vec<Value> = missing.iter().map(|s| Value::String((*s).to_string())).collect();
        criterion(
            id::SECTIONS_COMPLETE,
            Verdict::Fail,
            vals(vec![("missing", Value::Array(list))]),
            format!("缺少：{}", missing.join("；")),
            format!("{} required section(s) or table(s) missing", missing.len()),
        )
    }
}

/// Rule ids with their counts, in first-seen order.
fn rule_counts<'f>(findings: impl Iterator<Item = &'f Finding>) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for f in findings {
        match out.iter_mut().find(|(r, _)| *r == f.rule) {
            Some((_, n)) => *n += 1,
            None => out.push((f.rule.clone(), 1)),
        }
    }
    out
}

fn consistent(report: Option<&Report>, findings: &[Finding]) -> Criterion {
    if report.is_none() {
        return no_report(id::CONSISTENT);
    }
    let errors = rule_counts(findings.iter().filter(|f| f.severity == Severity::Error));
    let total: usize = errors.iter().map(|(_, n)| n).sum();
    if total == 0 {
        return criterion(
            id::CONSISTENT,
            Verdict::Pass,
            vals(vec![("errors", Value::from(0))]),
            "勾稽关系核对无错误".into(),
            "no consistency error".into(),
        );
    }
    let by_rule: Map<String, Value> = errors.iter().map(|(r, n)| (r.clone(), Value::from(*n as u64))).collect();
    let list: Vec<String> = errors.iter().map(|(r, n)| format!("{r} ×{n}")).collect();
    // The Chinese reason names each rule by what it checks, not by its id.
    let list_zh: Vec<String> = errors
        .iter()
        .map(|(r, n)| {
            let what = rules::RULES.iter().find(|s| s.id == r.as_str()).map_or(r.as_str(), |s| s.summary);
            format!("{what}：{n}处")
        })
        .collect();
    criterion(
        id::CONSISTENT,
        Verdict::Fail,
        vals(vec![("errors", Value::from(total as u64)), ("rules", Value::Object(by_rule))]),
        format!("勾稽关系错误{total}处（{}）", list_zh.join("；")),
        format!("{total} consistency error(s): {}", list.join(", ")),
    )
}

fn prose_figures(report: Option<&Report>, findings: &[Finding]) -> Criterion {
    let Some(r) = report else { return no_report(id::PROSE_FIGURES) };
    let bad: Vec<&Finding> =
        findings.iter().filter(|f| f.rule == rules::id::TEXT_FIGURE && f.severity >= Severity::Warning).collect();
    if !bad.is_empty() {
        let quotes: Vec<Value> = bad.iter().filter_map(|f| f.values.get("quote").cloned()).take(10).collect();
        return criterion(
            id::PROSE_FIGURES,
            Verdict::Fail,
            vals(vec![("findings", Value::from(bad.len() as u64)), ("quotes", Value::Array(quotes))]),
            format!("正文有{}处数字与表格不一致", bad.len()),
            format!("{} figure(s) in the prose disagree with the tables", bad.len()),
        );
    }
    let figures = crate::text_figure::extract(&r.prose()).len();
    if figures == 0 {
        return criterion(
            id::PROSE_FIGURES,
            Verdict::Unknown,
            vals(vec![("figures", Value::from(0))]),
            "正文未引用可与表格核对的数字".into(),
            "the prose quotes no figure that can be checked against the tables".into(),
        );
    }
    criterion(
        id::PROSE_FIGURES,
        Verdict::Pass,
        vals(vec![("figures", Value::from(figures as u64))]),
        format!("正文引用的{figures}个数字与表格一致"),
        format!("the {figures} figure(s) quoted in the prose agree with the tables"),
    )
}

/// The text of a section, if the report has it.
pub fn section_text(r: &Report, key: SectionKey) -> Option<&str> {
    r.sections.iter().find(|s| s.key == Some(key)).map(|s| s.text.as_str())
}

/// The characters compared: no whitespace or punctuation; every digit is `0`, so that a text
/// copied with the year changed (2023 → 2024) still counts as the same text.
fn normalise(text: &str) -> Vec<char> {
    let mut out = Vec::with_capacity(text.len() / 3 + 1);
    for c in text.chars() {
        // The common cases first, without the Unicode tables: the unified ideographs (every one
        // assigned, alphabetic, none numeric) and ASCII.
        if matches!(c as u32, 0x4E00..=0x9FFF | 0x3400..=0x4DBF) {
            out.push(c);
        } else if c.is_ascii() {
            if c.is_ascii_digit() {
                out.push('0');
            } else if c.is_ascii_alphabetic() {
                out.push(c);
            }
        } else if c.is_alphanumeric() {
            out.push(if c.is_numeric() && !is_han(c) { '0' } else { c });
        }
    }
    out
}

fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

/// The sorted, distinct character bigrams of a text (after [`normalise`]).
pub fn bigrams(text: &str) -> Vec<u64> {
    let chars = normalise(text);
    let mut out: Vec<u64> = chars.windows(2).map(|w| (u64::from(w[0] as u32) << 32) | u64::from(w[1] as u32)).collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Jaccard similarity of two sorted, distinct bigram sets: |A ∩ B| / |A ∪ B|; 0 when both empty.
pub fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 0.0;
    }
    let (mut i, mut j, mut common) = (0, 0, 0usize);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                common += 1;
                i += 1;
                j += 1;
            }
        }
    }
    common as f64 / (a.len() + b.len() - common) as f64
}

/// Character-bigram Jaccard similarity of two texts (0–1), ignoring spaces, punctuation and the
/// value of digits.
pub fn similarity(a: &str, b: &str) -> f64 {
    jaccard(&bigrams(a), &bigrams(b))
}

/// For each text, the most similar other text (by index) at or above `floor` — the highest
/// similarity, and of equal ones the lowest index; `None` when no other text reaches `floor`
/// (in (0, 1]).
///
/// Exact, without comparing every pair (a province's thousands of reports would be millions of
/// comparisons): a similarity join in the manner of PPJoin (Xiao et al., "Efficient similarity
/// joins for near duplicate detection", 2008).
/// - Identical bigram sets are joined once: stock paragraphs copied word for word by hundreds of
///   agencies are the common case, and each copy's nearest peer is simply the first other copy
///   (similarity 1; no other set reaches 1).
/// - Bigrams are ranked rarest first over the distinct sets. Two sets X, Y with Jaccard ≥ t share
///   at least α = ⌈t/(1+t)·(|X|+|Y|)⌉ bigrams, so, in that order, the first |X| − α + 1 of each
///   meet (the *prefix filter*). Sets are taken shortest first; each probes with its first
///   |X| − ⌈t·|X|⌉ + 1 bigrams the prefixes of the shorter sets already indexed, and is indexed
///   with its first |X| − ⌈2t/(1+t)·|X|⌉ + 1 (a longer set's α is at least that much).
/// - A pair is dropped as soon as the bigrams left after a common one cannot make up α (the
///   *positional filter*), or when the sizes alone forbid t (|Y| < t·|X|).
/// - Every pair left is compared exactly, stopping once α is out of reach.
///
/// Bounds are rounded towards keeping a pair, and the final test is the exact Jaccard ≥ `floor`,
/// so the result equals comparing every pair (`tests/similarity_prop.rs`).
pub fn nearest_peers(texts: &[&str], floor: f64) -> Vec<Option<(usize, f64)>> {
    let raw: Vec<Vec<u64>> = texts.iter().map(|t| bigrams(t)).collect();
    // Distinct non-empty sets, numbered in the order of their first text: comparing group
    // numbers compares the lowest index of each group.
    let mut group_of: FastMap<&[u64], usize> = FastMap::default();
    let mut members: Vec<Vec<usize>> = Vec::new();
    let mut distinct: Vec<&[u64]> = Vec::new();
    let mut group: Vec<Option<usize>> = vec![None; texts.len()];
    for (i, set) in raw.iter().enumerate() {
        if set.is_empty() {
            continue;
        }
        let g = *group_of.entry(set.as_slice()).or_insert_with(|| {
            members.push(Vec::new());
            distinct.push(set.as_slice());
            members.len() - 1
        });
        members[g].push(i);
        group[i] = Some(g);
    }
    let best = distinct_nearest(&distinct, floor);
    group
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let g = (*g)?;
            match members[g].iter().find(|m| **m != i) {
                Some(copy) => (1.0 >= floor).then_some((*copy, 1.0)),
                None => best[g].map(|(h, s)| (members[h][0], s)),
            }
        })
        .collect()
}

/// [`nearest_peers`] over distinct, non-empty sets (ties to the lowest number).
fn distinct_nearest(raw: &[&[u64]], floor: f64) -> Vec<Option<(usize, f64)>> {
    let mut frequency: FastMap<u64, u32> = FastMap::default();
    for set in raw {
        for b in set.iter() {
            *frequency.entry(*b).or_default() += 1;
        }
    }
    // Rarest first, then by value: deterministic.
    let mut by_rarity: Vec<(u32, u64)> = frequency.iter().map(|(b, n)| (*n, *b)).collect();
    by_rarity.sort_unstable();
    let rank: FastMap<u64, u32> =
        by_rarity.iter().enumerate().map(|(r, (_, b))| (*b, u32::try_from(r).unwrap_or(u32::MAX))).collect();
    let sets: Vec<Vec<u32>> = raw
        .iter()
        .map(|set| {
            let mut v: Vec<u32> = set.iter().filter_map(|b| rank.get(b).copied()).collect();
            v.sort_unstable();
            v
        })
        .collect();
    let mut order: Vec<usize> = (0..sets.len()).collect();
    order.sort_by_key(|i| (sets[*i].len(), *i));
    // A lower bound of a required overlap (rounded down by a hair: never drops a pair that
    // reaches the floor), at least 1.
    let at_least = |x: f64| ((x - 1e-9).ceil().max(1.0)) as usize;
    // The first `len − overlap + 1` elements, within 1..=len.
    let prefix = |len: usize, overlap: usize| (len + 1).saturating_sub(overlap.min(len)).clamp(1, len);
    let t = floor;
    let mut index: Vec<Vec<(u32, u32)>> = vec![Vec::new(); by_rarity.len()];
    // Per candidate of the set being probed: its stamp, and the common bigrams found so far
    // (`PRUNED` once it cannot reach α).
    const PRUNED: usize = usize::MAX;
    let mut stamp: Vec<usize> = vec![usize::MAX; sets.len()];
    let mut common: Vec<usize> = vec![0; sets.len()];
    // α of the pair (see above), computed when the candidate is first met.
    let mut need: Vec<usize> = vec![0; sets.len()];
    let mut candidates: Vec<usize> = Vec::new();
    let mut bits: Vec<u64> = vec![0; by_rarity.len() / 64 + 1];
    let mut best: Vec<Option<(usize, f64)>> = vec![None; sets.len()];
    fn better(best: &mut [Option<(usize, f64)>], a: usize, b: usize, s: f64) {
        if best[a].is_none_or(|(old_b, old)| s > old || (s == old && b < old_b)) {
            best[a] = Some((b, s));
        }
    }
    for &x in &order {
        let lx = sets[x].len();
        candidates.clear();
        for (i, &token) in sets[x][..prefix(lx, at_least(t * lx as f64))].iter().enumerate() {
            let Some(posting) = index.get(token as usize) else { continue };
            for &(y, j) in posting {
                let (y, j) = (y as usize, j as usize);
                let ly = sets[y].len();
                if stamp[y] != x {
                    stamp[y] = x;
                    // Indexed sets are no longer than this one: the size filter.
                    common[y] = if (ly as f64) < t * lx as f64 { PRUNED } else { 0 };
                    if common[y] == 0 {
                        need[y] = at_least(t / (1.0 + t) * (lx + ly) as f64);
                        candidates.push(y);
                    }
                }
                if common[y] == PRUNED {
                    continue;
                }
                if common[y] + 1 + (lx - i - 1).min(ly - j - 1) >= need[y] {
                    common[y] += 1;
                } else {
                    common[y] = PRUNED;
                }
            }
        }
        // This set's bigrams as bits: each candidate's are looked up, not merged.
        for &token in &sets[x] {
            bits[token as usize / 64] |= 1 << (token % 64);
        }
        for &y in &candidates {
            if common[y] == PRUNED {
                continue;
            }
            if let Some(s) = jaccard_reaching(&bits, lx, &sets[y], need[y]).filter(|s| *s >= floor) {
                better(&mut best, x, y, s);
                better(&mut best, y, x, s);
            }
        }
        for &token in &sets[x] {
            bits[token as usize / 64] = 0;
        }
        let x32 = u32::try_from(x).unwrap_or(u32::MAX);
        for (i, &token) in sets[x][..prefix(lx, at_least(2.0 * t / (1.0 + t) * lx as f64))].iter().enumerate() {
            if let Some(posting) = index.get_mut(token as usize) {
                posting.push((x32, u32::try_from(i).unwrap_or(u32::MAX)));
            }
        }
    }
    best
}

/// The comparison's maps, keyed by bigrams and bigram sets: a multiply-rotate hash (as in rustc's
/// FxHash) instead of SipHash, which took a tenth of the comparison's time. The keys come from
/// report texts; texts made to collide would make the comparison slower, never wrong.
type FastMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<FastHasher>>;

#[derive(Default)]
struct FastHasher(u64);

impl FastHasher {
    fn add(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl std::hash::Hasher for FastHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut word = [0u8; 8];
            word.copy_from_slice(c);
            self.add(u64::from_le_bytes(word));
        }
        for b in chunks.remainder() {
            self.add(u64::from(*b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.add(n);
    }
    fn write_usize(&mut self, n: usize) {
        self.add(n as u64);
    }
}

/// [`jaccard`] of a set given as bits (`len` of them set) and a sorted, distinct set of bigram
/// ranks, or `None` as soon as they cannot have `need` bigrams in common.
fn jaccard_reaching(bits: &[u64], len: usize, b: &[u32], need: usize) -> Option<f64> {
    let mut common = 0usize;
    for (k, &token) in b.iter().enumerate() {
        if common + (b.len() - k) < need {
            return None;
        }
        common += usize::from(bits.get(token as usize / 64).is_some_and(|w| w & (1 << (token % 64)) != 0));
    }
    if common < need {
        return None;
    }
    let union = len + b.len() - common;
    (union > 0).then(|| common as f64 / union as f64)
}

fn problems_specific(input: &QualityInput<'_>) -> Criterion {
    let Some(r) = input.report else { return no_report(id::PROBLEMS_SPECIFIC) };
    let Some(text) = section_text(r, SectionKey::Problems) else {
        return criterion(
            id::PROBLEMS_SPECIFIC,
            Verdict::Fail,
            Map::new(),
            "缺少“存在的主要问题及改进情况”一节".into(),
            "the problems section is missing".into(),
        );
    };
    let len = normalise(text).len();
    if len < MIN_PROBLEMS_CHARS {
        return criterion(
            id::PROBLEMS_SPECIFIC,
            Verdict::Fail,
            vals(vec![("chars", Value::from(len as u64)), ("min_chars", Value::from(MIN_PROBLEMS_CHARS as u64))]),
            format!("“存在的主要问题及改进情况”仅{len}字，不足{MIN_PROBLEMS_CHARS}字，未具体说明问题和改进措施"),
            format!(
                "the problems section has only {len} characters (< {MIN_PROBLEMS_CHARS}): too short to be specific"
            ),
        );
    }
    let mut values = vals(vec![("chars", Value::from(len as u64)), ("threshold", Value::from(SIMILARITY_THRESHOLD))]);
    let round = |x: f64| (x * 1000.0).round() / 1000.0;
    let previous = input.previous_problems.map(|p| similarity(text, p));
    if let Some(s) = previous {
        values.insert("previous_similarity".into(), Value::from(round(s)));
    }
    if let Some(n) = &input.nearest_peer {
        values.insert("peer".into(), Value::String(n.other.clone()));
        values.insert("peer_similarity".into(), Value::from(round(n.similarity)));
    }
    if let Some(s) = previous.filter(|s| *s >= SIMILARITY_THRESHOLD) {
        return criterion(
            id::PROBLEMS_SPECIFIC,
            Verdict::Fail,
            values,
            format!(
                "与上年报告的相应内容相似度{:.0}%（阈值{:.0}%），基本照搬上年",
                s * 100.0,
                SIMILARITY_THRESHOLD * 100.0
            ),
            format!("{:.0}% similar to last year's text (threshold {:.0}%)", s * 100.0, SIMILARITY_THRESHOLD * 100.0),
        );
    }
    if let Some(n) = input.nearest_peer.as_ref().filter(|n| n.similarity >= SIMILARITY_THRESHOLD) {
        return criterion(
            id::PROBLEMS_SPECIFIC,
            Verdict::Fail,
            values,
            format!(
                "与{}的相应内容相似度{:.0}%（阈值{:.0}%），雷同",
                n.other,
                n.similarity * 100.0,
                SIMILARITY_THRESHOLD * 100.0
            ),
            format!(
                "{:.0}% similar to the text of {} (threshold {:.0}%)",
                n.similarity * 100.0,
                n.other,
                SIMILARITY_THRESHOLD * 100.0
            ),
        );
    }
    let compared = match (previous.is_some(), input.nearest_peer.is_some()) {
        (true, true) => ("与上年及其他机关", "last year's and other agencies' texts"),
        (true, false) => ("与上年", "last year's text"),
        (false, true) => ("与其他机关", "other agencies' texts"),
        (false, false) => ("（无可比文本）", "(nothing to compare with)"),
    };
    criterion(
        id::PROBLEMS_SPECIFIC,
        Verdict::Pass,
        values,
        format!("共{len}字，{}相似度均低于{:.0}%", compared.0, SIMILARITY_THRESHOLD * 100.0),
        format!("{len} characters; below {:.0}% similarity to {}", SIMILARITY_THRESHOLD * 100.0, compared.1),
    )
}

fn fees_reported(report: Option<&Report>) -> Criterion {
    let Some(r) = report else { return no_report(id::FEES_REPORTED) };
    let texts: Vec<(&str, &str)> = [SectionKey::OtherMatters, SectionKey::Fees]
        .iter()
        .filter_map(|k| section_text(r, *k).map(|t| (k.name(), t)))
        .collect();
    if texts.is_empty() {
        return criterion(
            id::FEES_REPORTED,
            Verdict::Fail,
            Map::new(),
            "缺少“其他需要报告的事项”一节，未说明收费情况".into(),
            "no other-matters section: fee collection not reported".into(),
        );
    }
    let hit: BTreeSet<&str> =
        texts.iter().flat_map(|(_, t)| FEE_KEYWORDS.iter().filter(|k| t.contains(**k)).copied()).collect();
    if hit.is_empty() {
        criterion(
            id::FEES_REPORTED,
            Verdict::Fail,
            Map::new(),
            "“其他需要报告的事项”未说明信息处理费收取情况".into(),
            "other matters do not say whether processing fees were collected".into(),
        )
    } else {
        let words: Vec<Value> = hit.iter().map(|w| Value::String((*w).to_string())).collect();
        criterion(
            id::FEES_REPORTED,
            Verdict::Pass,
            vals(vec![("keywords", Value::Array(words))]),
            format!("说明了收费情况（{}）", hit.iter().copied().collect::<Vec<_>>().join("、")),
            "fee collection is reported".into(),
        )
    }
}

fn amended(amendments: Option<usize>, basis: AmendmentBasis) -> Criterion {
    let Some(n) = amendments else {
        return criterion(
            id::AMENDED,
            Verdict::Unknown,
            Map::new(),
            "无登记数据，也无同一年度报告的各次发布，无法判断发布后是否更改".into(),
            "neither registers nor the year's publications: changes after publication unknown".into(),
        );
    };
    let (zh, en) = match (basis, n) {
        (AmendmentBasis::Registers, 0) => ("发布后无更正记录".into(), "no amendment after publication".into()),
        (AmendmentBasis::Registers, n) => (format!("发布后更正登记数据{n}次"), format!("{n} amendment(s) after publication")),
        (AmendmentBasis::Republications, 0) => (
            "导入的已发布文件中，本年度报告未以不同的统计数据（表二至表四）重新发布".into(),
            "imported published files: the report was not republished with other figures (tables 2–4)".into(),
        ),
        (AmendmentBasis::Republications, n) => (
            format!("导入的已发布文件中，本年度报告重新发布{n}次且统计数据（表二至表四）与前次不同，即发布后更改"),
            format!("imported published files: republished {n} time(s) with figures (tables 2–4) other than the previous publication's"),
        ),
    };
    let verdict = if n == 0 { Verdict::Pass } else { Verdict::Fail };
    let counted = match basis {
        AmendmentBasis::Registers => "registers",
        AmendmentBasis::Republications => "republications",
    };
    criterion(
        id::AMENDED,
        verdict,
        vals(vec![("amendments", Value::from(n as u64)), ("counted", Value::from(counted))]),
        zh,
        en,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{Section, SourceFormat};
    use crate::template;

    const PROBLEMS: &str = "本年度我局政府信息公开工作存在的主要问题：一是依申请公开答复文书格式不够规范，\
        二是部分科室对新条例理解不深。下一步，我局将组织两次业务培训，修订答复文书范本，并于第二季度完成网站栏目调整。";

    /// The fast paths of `normalise` change nothing: every character is kept, dropped or read as
    /// `0` exactly as the Unicode definition says.
    #[test]
    fn normalise_agrees_with_the_unicode_definition_for_every_character() {
        let reference = |c: char| -> Option<char> {
            c.is_alphanumeric().then(|| if c.is_ascii_digit() || (c.is_numeric() && !is_han(c)) { '0' } else { c })
        };
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            let got = normalise(&c.to_string());
            assert_eq!(got.first().copied(), reference(c), "U+{:04X}", c as u32);
            assert!(got.len() <= 1);
        }
        assert_eq!(normalise("2024年，第３季度。"), "0000年第0季度".chars().collect::<Vec<_>>());
    }

    fn full(year: i32) -> Report {
        let mut r = Report::new(Template::V2021, "t", SourceFormat::Json);
        r.agency = Some("某县自然资源局".into());
        r.year = Some(year);
        r.published_on = NaiveDate::from_ymd_opt(year + 1, 1, 20);
        r.sections = SECTIONS
            .iter()
            .filter(|s| s.required)
            .map(|s| Section { key: Some(s.key), title: s.title.to_string(), text: String::new() })
            .collect();
        r.proactive = Some(Default::default());
        r.requests = Some(crate::report::RequestTable::blank());
        r.review_litigation = Some(crate::report::ReviewLitigation::blank());
        set(&mut r, SectionKey::Problems, PROBLEMS);
        set(&mut r, SectionKey::OtherMatters, "本年度未收取信息处理费。");
        r
    }

    fn set(r: &mut Report, key: SectionKey, text: &str) {
        if let Some(s) = r.sections.iter_mut().find(|s| s.key == Some(key)) {
            s.text = text.to_string();
        }
    }

    fn verdict(input: &QualityInput<'_>, id: &str) -> Verdict {
        let card = scorecard(input);
        card.criteria.iter().find(|c| c.id == id).map_or(Verdict::Unknown, |c| c.verdict)
    }

    fn input(r: &Report) -> QualityInput<'_> {
        QualityInput { report: Some(r), amendments: Some(0), ..Default::default() }
    }

    #[test]
    fn catalogue_order_and_ids() {
        let r = full(2024);
        let card = scorecard(&input(&r));
        let ids: Vec<&str> = card.criteria.iter().map(|c| c.id.as_str()).collect();
        let cat: Vec<&str> = CRITERIA.iter().map(|c| c.id).collect();
        assert_eq!(ids, cat);
        assert_eq!(card.passed + card.failed + card.unknown, CRITERIA.len());
        assert_eq!(scorecard(&input(&r)), card, "reproducible");
    }

    #[test]
    fn on_time_pass_and_fail() {
        let mut r = full(2024);
        assert_eq!(verdict(&input(&r), id::ON_TIME), Verdict::Pass);
        r.published_on = NaiveDate::from_ymd_opt(2025, 2, 3);
        let card = scorecard(&input(&r));
        let c = &card.criteria[0];
        assert_eq!(c.verdict, Verdict::Fail);
        assert_eq!(c.values.get("days_late"), Some(&Value::from(3)));
        // A government's own report has until 31 March.
        let gov = QualityInput { government_report: Some(true), ..input(&r) };
        assert_eq!(verdict(&gov, id::ON_TIME), Verdict::Pass);
        // Not published: unknown before the deadline, fail after it.
        r.published_on = None;
        let before = QualityInput { today: NaiveDate::from_ymd_opt(2025, 1, 10), ..input(&r) };
        assert_eq!(verdict(&before, id::ON_TIME), Verdict::Unknown);
        let after = QualityInput { today: NaiveDate::from_ymd_opt(2025, 2, 10), ..input(&r) };
        assert_eq!(verdict(&after, id::ON_TIME), Verdict::Fail);
        assert_eq!(art49_deadline(2018, false), NaiveDate::from_ymd_opt(2019, 3, 31));
    }

    #[test]
    fn sections_complete_pass_and_fail() {
        let mut r = full(2024);
        assert_eq!(verdict(&input(&r), id::SECTIONS_COMPLETE), Verdict::Pass);
        r.sections.retain(|s| s.key != Some(SectionKey::ReviewLitigation));
        r.requests = None;
        let card = scorecard(&input(&r));
        let c = &card.criteria[1];
        assert_eq!(c.verdict, Verdict::Fail);
        assert!(c.reason.contains(template::section(SectionKey::ReviewLitigation).title), "{}", c.reason);
        assert!(c.reason.contains(template::T3_TITLE), "{}", c.reason);
    }

    #[test]
    fn consistent_pass_and_fail() {
        let mut r = full(2024);
        assert_eq!(verdict(&input(&r), id::CONSISTENT), Verdict::Pass);
        if let Some(t4) = r.review_litigation.as_mut() {
            t4.review = crate::report::CaseResults::from_array([Some(1), Some(0), Some(0), Some(0), Some(2)]);
        }
        let card = scorecard(&input(&r));
        assert_eq!(card.criteria[2].verdict, Verdict::Fail);
        assert!(card.criteria[2].reason.contains("表四每组"), "{}", card.criteria[2].reason);
    }

    #[test]
    fn prose_figures_pass_fail_unknown() {
        let mut r = full(2024);
        assert_eq!(verdict(&input(&r), id::PROSE_FIGURES), Verdict::Unknown);
        let mut t = crate::report::RequestTable::blank();
        t.received = crate::report::Columns::zero();
        t.received.natural_person = Some(12);
        t.received.total = Some(12);
        r.requests = Some(t);
        set(&mut r, SectionKey::Overview, "本年度共收到政府信息公开申请12件。");
        assert_eq!(verdict(&input(&r), id::PROSE_FIGURES), Verdict::Pass);
        set(&mut r, SectionKey::Overview, "本年度共收到政府信息公开申请15件。");
        assert_eq!(verdict(&input(&r), id::PROSE_FIGURES), Verdict::Fail);
    }

    #[test]
    fn problems_specific_pass_and_fail() {
        let r = full(2024);
        assert_eq!(verdict(&input(&r), id::PROBLEMS_SPECIFIC), Verdict::Pass);
        // Last year's text with only the year changed.
        let copied = PROBLEMS.replace("本年度", "2023年度");
        let same = QualityInput { previous_problems: Some(&copied), ..input(&r) };
        assert_eq!(verdict(&same, id::PROBLEMS_SPECIFIC), Verdict::Fail);
        let other = "我办存在的问题是公开目录更新不及时、政策解读形式单一。改进措施：建立目录月度核查制度，增加图解和视频解读，全年不少于十期。";
        let diff = QualityInput { previous_problems: Some(other), ..input(&r) };
        assert_eq!(verdict(&diff, id::PROBLEMS_SPECIFIC), Verdict::Pass);
        let peer = QualityInput { nearest_peer: Some(Nearest { other: "X".into(), similarity: 0.93 }), ..input(&r) };
        assert_eq!(verdict(&peer, id::PROBLEMS_SPECIFIC), Verdict::Fail);
        let mut short = full(2024);
        set(&mut short, SectionKey::Problems, "无。");
        assert_eq!(verdict(&input(&short), id::PROBLEMS_SPECIFIC), Verdict::Fail);
    }

    #[test]
    fn similarity_ignores_years_and_punctuation() {
        assert!(similarity("2023年度，我局工作", "2024年度我局工作。") > 0.99);
        assert!(similarity(PROBLEMS, "公开目录更新不及时，政策解读形式单一，将建立月度核查制度。") < 0.3);
        let texts = [PROBLEMS, "完全不同的一段文字，讲的是别的事情，比如道路养护。", &PROBLEMS.replace("两次", "三次")];
        let near = nearest_peers(&texts, 0.5);
        assert_eq!(near[0].map(|(i, _)| i), Some(2));
        assert_eq!(near[2].map(|(i, _)| i), Some(0));
        assert_eq!(near[1], None);
    }

    #[test]
    fn fees_reported_pass_and_fail() {
        let mut r = full(2024);
        assert_eq!(verdict(&input(&r), id::FEES_REPORTED), Verdict::Pass);
        set(&mut r, SectionKey::OtherMatters, "本年度无其他需要报告的事项。");
        assert_eq!(verdict(&input(&r), id::FEES_REPORTED), Verdict::Fail);
        r.sections.retain(|s| s.key != Some(SectionKey::OtherMatters));
        assert_eq!(verdict(&input(&r), id::FEES_REPORTED), Verdict::Fail);
    }

    #[test]
    fn amended_pass_fail_unknown() {
        let r = full(2024);
        assert_eq!(verdict(&input(&r), id::AMENDED), Verdict::Pass);
        let two = QualityInput { amendments: Some(2), ..input(&r) };
        assert_eq!(verdict(&two, id::AMENDED), Verdict::Fail);
        let unknown = QualityInput { amendments: None, ..input(&r) };
        assert_eq!(verdict(&unknown, id::AMENDED), Verdict::Unknown);
        // Imported published files: the reason says what was counted.
        let counted = |n| {
            let i =
                QualityInput { amendments: Some(n), amendments_counted: AmendmentBasis::Republications, ..input(&r) };
            scorecard(&i).criteria.into_iter().find(|c| c.id == id::AMENDED).unwrap()
        };
        let (same, changed) = (counted(0), counted(1));
        assert_eq!((same.verdict, changed.verdict), (Verdict::Pass, Verdict::Fail));
        assert!(changed.reason.contains("重新发布1次") && changed.reason.contains("统计数据"), "{}", changed.reason);
        assert_eq!(changed.values["counted"], "republications");
    }

    #[test]
    fn republications_count_changed_figures_only() {
        let first = full(2024);
        // The same report as a web page, with its prose reworded: the same figures.
        let mut html = full(2024);
        html.provenance.format = SourceFormat::Html;
        set(&mut html, SectionKey::Problems, "另一种写法的问题部分。");
        assert!(same_figures(&first, &html));
        assert_eq!(republished_changes([&first, &html]), 0);
        assert_eq!(republished_changes([&first]), 0);
        assert_eq!(republished_changes(std::iter::empty()), 0);
        // A corrected table 3, then republished again unchanged, then table 4 changed.
        let mut corrected = full(2024);
        if let Some(t) = corrected.requests.as_mut() {
            t.received.total = Some(12);
        }
        let mut table4 = corrected.clone();
        if let Some(t) = table4.review_litigation.as_mut() {
            t.review.total = Some(1);
        }
        assert!(!same_figures(&first, &corrected));
        assert_eq!(republished_changes([&first, &html, &corrected, &corrected.clone()]), 1);
        assert_eq!(republished_changes([&first, &corrected, &table4]), 2);
        // Pre-2019 tables: the figures count, not how a label or a heading row is printed.
        let row = |label: &str, unit: Option<&str>, value: Option<&str>| crate::report::LegacyStatistic {
            label: label.into(),
            key: None,
            unit: unit.map(Into::into),
            value: value.map(|v| crate::report::Amount::parse(v).unwrap()),
        };
        let mut old = Report::new(Template::Pre2019, "t", SourceFormat::Pdf);
        old.legacy_statistics =
            Some(vec![row("一、主动公开情况", None, None), row("主动公开 政府信息数", Some("条"), Some("120"))]);
        let mut reprinted = old.clone();
        reprinted.legacy_statistics = Some(vec![row("主动公开政府信息数", Some("件"), Some("120.0"))]);
        assert!(same_figures(&old, &reprinted));
        let mut changed = old.clone();
        changed.legacy_statistics = Some(vec![row("主动公开政府信息数", Some("条"), Some("121"))]);
        assert!(!same_figures(&old, &changed));
    }
}
