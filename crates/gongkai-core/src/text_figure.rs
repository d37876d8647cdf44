//! `text.figure`: figures quoted in the prose, found so that the rule engine can check them
//! against the tables (and against the parts the prose itself lists).
//!
//! [`extract`] reads one section's text and returns every [`Figure`] it recognises, for example
//! 「全市共受理政府信息公开申请 3119 件」 ([`FigureKind::Received`], 3119) or
//! 「主动公开政务信息总数216条（项），在主动公开的政府信息中，法规公文5条，…」
//! ([`FigureKind::ProactiveTotal`], 216, with its [`Part`]s).
//!
//! The extractor is deliberately conservative: a false warning is worse than a missed one. A
//! phrase is recognised only when the words right before (or after) the number name the figure
//! without qualification; a subject that narrows it (「其中自然人…」, 「各乡镇…」, 「网上…」), an
//! approximate number (「5500余条」, 「约30件」) or a range is skipped. Whether a recognised figure
//! may be compared with a table is further limited by [`Figure::plain`] and [`Figure::context`].
//!
//! Text is compared after [`crate::label::normalize`] (white space dropped, so PDF text such as
//! 「3119 件」 or a label broken across lines reads as printed; full-width punctuation folded).
//! Quotes ([`Figure::quote`]) are cut from the original text.
//!
//! Words of the template (the outcome rows 「予以公开」…, the table-4 headers 「行政复议」,
//! 「结果维持」…) come from [`crate::template`]; only the prose vocabulary (verbs such as 受理,
//! 收到, 答复, 顺延) is written here.

use crate::label;
use crate::report::{CaseResult, RequestRow};
use crate::template::{self, RowGroup};

/// The six outcome categories prose reports quote (and 「予以公开及部分公开」 together).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutcomeGroup {
    /// （一）予以公开.
    Granted,
    /// （二）部分公开.
    PartiallyGranted,
    /// 予以公开及部分公开 (the two rows together).
    GrantedOrPartially,
    /// （三）不予公开 (the eight reasons together).
    Withheld,
    /// （四）无法提供 (the three reasons together).
    Unable,
    /// （五）不予处理 (the five reasons together).
    NotProcessed,
    /// （六）其他处理.
    OtherHandling,
}

impl OutcomeGroup {
    /// The table-3 rows the category sums (for [`OutcomeGroup::OtherHandling`], the 2019 total
    /// row; a 2021 table gives the three sub-rows instead, see [`template::OTHER_HANDLING_PARTS`]).
    pub fn rows(self) -> &'static [RequestRow] {
        use RequestRow as R;
        match self {
            OutcomeGroup::Granted => &[R::Granted],
            OutcomeGroup::PartiallyGranted => &[R::PartiallyGranted],
            OutcomeGroup::GrantedOrPartially => &[R::Granted, R::PartiallyGranted],
            OutcomeGroup::Withheld => &[
                R::StateSecret,
                R::ProhibitedByLaw,
                R::SecurityStability,
                R::ThirdPartyRights,
                R::InternalAffairs,
                R::ProcessInformation,
                R::EnforcementFiles,
                R::AdministrativeQuery,
            ],
            OutcomeGroup::Unable => &[R::NotHeld, R::NeedsCreation, R::StillUnclear],
            OutcomeGroup::NotProcessed => {
                &[R::Complaint, R::Duplicate, R::Publication, R::Excessive, R::Reconfirmation]
            }
            OutcomeGroup::OtherHandling => &[R::OtherHandlingTotal],
        }
    }

    /// The category's label as the template prints it, with its numbering (e.g. 「（三）不予公开」).
    pub fn label(self) -> String {
        match self {
            OutcomeGroup::Granted => template::t3_row(RequestRow::Granted).full_label(),
            OutcomeGroup::PartiallyGranted => {
                let r = template::t3_row(RequestRow::PartiallyGranted);
                format!("{}{}", r.number, short(r.label))
            }
            OutcomeGroup::GrantedOrPartially => {
                format!("{}+{}", OutcomeGroup::Granted.label(), OutcomeGroup::PartiallyGranted.label())
            }
            OutcomeGroup::Withheld => RowGroup::Withheld.label().to_string(),
            OutcomeGroup::Unable => RowGroup::Unable.label().to_string(),
            OutcomeGroup::NotProcessed => RowGroup::NotProcessed.label().to_string(),
            OutcomeGroup::OtherHandling => RowGroup::OtherHandling.label().to_string(),
        }
    }

    /// A glossary-style name (`granted`, `withheld`, `granted+partially_granted`…).
    pub fn name(self) -> &'static str {
        match self {
            OutcomeGroup::Granted => "granted",
            OutcomeGroup::PartiallyGranted => "partially_granted",
            OutcomeGroup::GrantedOrPartially => "granted+partially_granted",
            OutcomeGroup::Withheld => "withheld",
            OutcomeGroup::Unable => "unable",
            OutcomeGroup::NotProcessed => "not_processed",
            OutcomeGroup::OtherHandling => "other_handling",
        }
    }
}

/// What a quoted figure counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FigureKind {
    /// 主动公开政府信息 N 条 (pre-2019 statistics: 主动公开政府信息数).
    ProactiveTotal,
    /// 受理 / 收到 / 新收 / 接收 … 申请 N 件 (table 3 row 一).
    Received,
    /// 答复 / 办结 … N 件 (table 3 （七）总计).
    Answered,
    /// 含上年度结转申请 N 件 (table 3 row 二).
    CarriedOver,
    /// N 件顺延到下年度 / 结转下年度 N 件 (table 3 row 四).
    CarriedForward,
    /// 予以公开 N 件, 不予公开 N 件, … (table 3 outcome categories).
    Outcome(OutcomeGroup),
    /// 行政复议 N 件 (table 4 行政复议 总计).
    Review,
    /// 行政诉讼 N 件 (table 4: 未经复议直接起诉 + 复议后起诉, 总计).
    Litigation,
    /// N 件被纠正 / 被纠正 N 件 (table 4 结果纠正 of the groups the sentence names): a claim
    /// about results with no total before it, which 「其中结果纠正N件」 parts do not cover.
    Corrected(CaseScope),
}

/// The table-4 groups a [`FigureKind::Corrected`] figure speaks of, by the words of its
/// sentence: 复议 alone, 诉讼 alone, or both (or neither named: every group together).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CaseScope {
    /// 行政复议.
    Review,
    /// 行政诉讼 (未经复议直接起诉 + 复议后起诉).
    Litigation,
    /// All three groups.
    Both,
}

/// A part the prose lists right after a total (「其中…N条，…M条」).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The part's label as printed (normalised).
    pub label: String,
    /// Its count.
    pub value: i64,
    /// For review/litigation totals: the table-4 column the part names (「结果维持」…).
    pub result: Option<CaseResult>,
}

/// One figure quoted in the prose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figure {
    /// What the figure counts.
    pub kind: FigureKind,
    /// The number as printed.
    pub value: i64,
    /// The phrase, cut from the original text (with the parts, when the prose lists them).
    pub quote: String,
    /// Byte offset of the phrase in the text.
    pub offset: usize,
    /// The phrase names the whole figure, with no subject or channel that narrows it (for
    /// [`FigureKind::ProactiveTotal`]: 「2016年全区主动公开政府信息3460条」 is plain, 「各乡镇主动公开
    /// 政府信息856条」 and 「在…网站主动公开的425条政府信息中」 are not).
    pub plain: bool,
    /// The sentence (or, for requests, the preceding paragraph) is about disclosure requests or
    /// disclosure-related review and litigation (「政府信息公开」, 「依申请」…), not, say, the
    /// agency's administrative-approval or review work in general.
    pub context: bool,
    /// The parts listed right after the figure (「其中…」), if any.
    pub parts: Vec<Part>,
    /// The parts include a residual bucket (「其他…」), so they should add up to the figure.
    pub parts_exhaustive: bool,
    /// The parts are publication channels (网站, 微博…), which may overlap.
    pub parts_channels: bool,
    /// The prose says every case was upheld (「均获维持」) right after the figure.
    pub all_upheld: bool,
}

/// Units a figure may carry.
const UNITS: [char; 5] = ['件', '条', '起', '宗', '项'];
/// Characters that end a clause (after normalisation: ，→, 。→.; a `,` that was printed as 、
/// joins the words of one list item and does not end the clause).
const SEPARATORS: [char; 9] = [',', ';', ':', '(', ')', '!', '?', '[', ']'];
/// Characters right before a number that make it not a plain count (ranges, ordinals,
/// approximations, decimals, codes).
const BAD_BEFORE: [char; 12] = ['.', '-', '~', '第', '约', '近', '逾', '超', '至', '+', '/', '%'];
/// Words right after the unit that make the number approximate or a different measure.
const BAD_AFTER: [&str; 6] = ["以上", "左右", "余", "多", "次", "以内"];
/// Words right before a number that make it approximate.
const BAD_BEFORE_WORDS: [&str; 6] = ["超过", "不足", "不到", "大约", "将近", "接近"];

/// Verbs that introduce received requests.
const RECEIVE_VERBS: [&str; 5] = ["受理", "收到", "新收", "接收", "接到"];
/// Verbs that introduce answered requests.
const ANSWER_VERBS: [&str; 4] = ["答复", "办结", "办理完毕", "处理完毕"];
/// Words between the verb and 「申请」 that do not change the meaning.
const REQUEST_FILLERS: [&str; 9] =
    ["政府信息公开", "信息公开", "依申请公开", "公开", "各类", "有关", "的", "了", "各项"];
/// Words between the subject and the number that do not change the meaning.
const NUMBER_FILLERS: [&str; 8] = ["共计", "合计", "总计", "共", "计", "为", "达到", "达"];
/// Subjects that narrow a request or case count to a subset: such phrases are skipped.
/// 「代表」 is among them: 「区政府办代表区政府受理…17件」 may count one office's requests while
/// the table counts the whole government's (corpus 004: 17 in the prose, 95 in the table).
const SUBSET_WORDS: [&str; 39] = [
    "其中",
    "代表",
    "自然人",
    "法人",
    "企业",
    "组织",
    "机构",
    "当面",
    "网上",
    "网络",
    "信函",
    "邮寄",
    "传真",
    "邮件",
    "上半年",
    "下半年",
    "季度",
    "月",
    "同比",
    "较",
    "去年",
    "上年",
    "各乡镇",
    "各街道",
    "各部门",
    "各单位",
    "区直",
    "市直",
    "县直",
    "本级",
    "下属",
    "所属",
    "按时",
    "延期",
    "逾期",
    "超期",
    "平均",
    "不予",
    "涉及",
];
/// Words that mark a review/litigation count as a subset (by result) or another year's cases.
const CASE_SUBSET_WORDS: [&str; 14] =
    ["维持", "纠正", "撤销", "败诉", "胜诉", "审结", "结案", "上年", "结转", "撤回", "终止", "确认", "复议后", "直接"];
/// Words allowed before 主动公开 in a plain total (time, the whole area, the agency itself).
const PROACTIVE_SUBJECTS: [&str; 33] = [
    "本年度",
    "全年度",
    "全年",
    "本年",
    "今年",
    "年内",
    "年度",
    "全区",
    "全市",
    "全县",
    "全省",
    "全镇",
    "全乡",
    "全旗",
    "我区",
    "我市",
    "我县",
    "我省",
    "我镇",
    "我乡",
    "我局",
    "我委",
    "我办",
    "我厅",
    "本机关",
    "本单位",
    "本部门",
    "累计",
    "共计",
    "其中",
    "共",
    "已",
    "依法",
];
/// Part labels that name publication channels (their counts may overlap).
const CHANNEL_WORDS: [&str; 11] =
    ["网站", "微博", "微信", "公报", "新媒体", "客户端", "平台", "报纸", "电视", "广播", "公开栏"];
/// OGI vocabulary that makes a sentence about disclosure.
const OGI_WORDS: [&str; 3] = ["信息公开", "公开申请", "依申请"];
/// How far back (in normalised chars) a request figure may look for OGI vocabulary.
const REQUEST_CONTEXT_WINDOW: usize = 300;

/// The template label without a parenthetical note (「部分公开（区分处理的，…）」 → 「部分公开」).
fn short(label: &str) -> &str {
    match label.find('（') {
        Some(i) if i > 0 => &label[..i],
        _ => label,
    }
}

/// A label without its printed numbering (「（三）不予公开」 → 「不予公开」).
fn unnumbered(label: &str) -> &str {
    match label.find('）') {
        Some(i) => &label[i + '）'.len_utf8()..],
        None => label,
    }
}

/// A number with its unit in the normalised text.
#[derive(Debug, Clone, Copy)]
struct Num {
    /// Index of the first digit.
    start: usize,
    /// Index just after the unit.
    end: usize,
    value: i64,
    unit: char,
}

/// The normalised text with its map back to the original.
struct Text<'a> {
    original: &'a str,
    chars: Vec<char>,
    map: Vec<usize>,
    /// `boundary[i]`: char `i` starts the line after a sub-heading (「（一）主动公开情况」), so a
    /// clause cannot reach back across it. Other line breaks are ignored: PDF text breaks lines
    /// anywhere (「答\n复 3050 件」).
    boundary: Vec<bool>,
}

/// Whether a line is a sub-heading: short, numbered (「（一）」, 「一、」, 「1.」), without sentence
/// punctuation.
fn is_heading(line: &str) -> bool {
    let l = line.trim();
    if l.is_empty() || l.chars().count() > 40 || l.contains(['。', '，', ',', '；', ';', '：', ':']) {
        return false;
    }
    let numeral = |c: char| "一二三四五六七八九十".contains(c) || c.is_ascii_digit();
    let rest = if let Some(r) = l.strip_prefix('（').or_else(|| l.strip_prefix('(')) {
        let r = r.trim_start_matches(numeral);
        r.strip_prefix('）').or_else(|| r.strip_prefix(')'))
    } else {
        let r = l.trim_start_matches(numeral);
        (r.len() < l.len()).then_some(r).and_then(|r| r.strip_prefix('、').or_else(|| r.strip_prefix('.')))
    };
    rest.is_some_and(|r| !r.trim().is_empty())
}

impl<'a> Text<'a> {
    fn new(original: &'a str) -> Text<'a> {
        let (chars, map) = label::normalize_with_map(original);
        let mut boundary = vec![false; chars.len() + 1];
        let mut offset = 0;
        for line in original.split_inclusive('\n') {
            let end = offset + line.len();
            if line.ends_with('\n') && is_heading(line) {
                let k = map.partition_point(|&b| b < end);
                if let Some(slot) = boundary.get_mut(k) {
                    *slot = true;
                }
            }
            offset = end;
        }
        Text { original, chars, map, boundary }
    }

    fn len(&self) -> usize {
        self.chars.len()
    }

    fn at(&self, i: usize) -> Option<char> {
        self.chars.get(i).copied()
    }

    fn digit(&self, i: usize) -> bool {
        self.at(i).is_some_and(|c| c.is_ascii_digit())
    }

    /// A '.' between two digits is a decimal point, not a sentence end.
    fn decimal_point(&self, i: usize) -> bool {
        self.at(i) == Some('.') && i > 0 && self.digit(i - 1) && self.digit(i + 1)
    }

    /// Whether the normalised char at `i` was printed as 、 (an enumeration comma).
    fn enumeration_comma(&self, i: usize) -> bool {
        self.map.get(i).and_then(|&b| self.original.get(b..)).is_some_and(|s| s.starts_with('、'))
    }

    fn is_separator(&self, i: usize) -> bool {
        match self.at(i) {
            Some('.') => !self.decimal_point(i),
            Some(',') => !self.enumeration_comma(i),
            Some(c) => SEPARATORS.contains(&c),
            None => true,
        }
    }

    fn is_sentence_end(&self, i: usize) -> bool {
        match self.at(i) {
            Some('.') => !self.decimal_point(i),
            Some(c) => matches!(c, '!' | '?'),
            None => true,
        }
    }

    fn slice(&self, from: usize, to: usize) -> String {
        let to = to.min(self.len());
        if from >= to {
            return String::new();
        }
        self.chars[from..to].iter().collect()
    }

    fn starts_with(&self, i: usize, s: &str) -> bool {
        (i..).zip(s.chars()).all(|(k, c)| self.at(k) == Some(c))
    }

    /// The original text of normalised chars `from..to`.
    fn original(&self, from: usize, to: usize) -> String {
        let a = self.map.get(from).copied().unwrap_or(self.original.len());
        let b = self.map.get(to).copied().unwrap_or(self.original.len());
        if a >= b {
            return String::new();
        }
        self.original.get(a..b).unwrap_or("").trim().to_string()
    }

    fn byte_offset(&self, i: usize) -> usize {
        self.map.get(i).copied().unwrap_or(self.original.len())
    }

    /// Index of the first char of the clause containing `i`.
    fn clause_start(&self, i: usize) -> usize {
        let mut k = i;
        while k > 0 && !self.is_separator(k - 1) && !self.boundary.get(k).copied().unwrap_or(false) {
            k -= 1;
        }
        k
    }

    /// Index of the separator ending the clause that contains `i` (or the text length).
    fn clause_end(&self, i: usize) -> usize {
        let mut k = i;
        while k < self.len() && !self.is_separator(k) {
            k += 1;
        }
        k
    }

    fn sentence_start(&self, i: usize) -> usize {
        let mut k = i;
        while k > 0 && !self.is_sentence_end(k - 1) {
            k -= 1;
        }
        k
    }

    fn sentence_end(&self, i: usize) -> usize {
        let mut k = i;
        while k < self.len() && !self.is_sentence_end(k) {
            k += 1;
        }
        k
    }

    /// The count at `i` (first digit), if it is a plain count with a unit.
    fn number_at(&self, i: usize) -> Option<Num> {
        if !self.digit(i) || (i > 0 && self.digit(i - 1)) {
            return None;
        }
        let mut j = i;
        while self.digit(j) {
            j += 1;
        }
        if j - i > 15 {
            return None;
        }
        if i > 0 {
            let p = self.chars[i - 1];
            // A '.' before the number is a sentence end (。) unless it is a decimal point.
            let decimal = p == '.' && i > 1 && self.digit(i - 2);
            if (p != '.' && BAD_BEFORE.contains(&p)) || decimal || p.is_ascii_alphabetic() {
                return None;
            }
            let before = self.slice(i.saturating_sub(2), i);
            if BAD_BEFORE_WORDS.iter().any(|w| before.ends_with(w)) {
                return None;
            }
        }
        let unit = self.at(j)?;
        if !UNITS.contains(&unit) {
            return None;
        }
        if BAD_AFTER.iter().any(|w| self.starts_with(j + 1, w)) {
            return None;
        }
        let digits: String = self.chars[i..j].iter().collect();
        let value = digits.parse::<i64>().ok()?;
        Some(Num { start: i, end: j + 1, value, unit })
    }
}

fn strip_end<'s>(mut s: &'s str, words: &[&str]) -> &'s str {
    loop {
        let mut changed = false;
        for w in words {
            if let Some(rest) = s.strip_suffix(w) {
                s = rest;
                changed = true;
            }
        }
        if !changed {
            return s;
        }
    }
}

fn strip_start<'s>(mut s: &'s str, words: &[&str]) -> &'s str {
    loop {
        let mut changed = false;
        for w in words {
            if let Some(rest) = s.strip_prefix(w) {
                s = rest;
                changed = true;
            }
        }
        if !changed {
            return s;
        }
    }
}

/// Strips a trailing verb; returns the subject before it.
fn before_verb<'s>(s: &'s str, verbs: &[&str]) -> Option<&'s str> {
    verbs.iter().find_map(|v| s.strip_suffix(v))
}

fn has_any(s: &str, words: &[&str]) -> bool {
    words.iter().any(|w| s.contains(w))
}

/// Drops a leading year (「2016年」, 「2016年度」) and the allowed subject words.
fn plain_proactive_subject(subject: &str) -> bool {
    let mut s = subject;
    loop {
        let before = s;
        s = s.strip_prefix('在').unwrap_or(s);
        let digits = s.chars().take_while(|c| c.is_ascii_digit()).count();
        if digits == 4 {
            let rest = &s[digits..];
            if let Some(r) = rest.strip_prefix("年度").or_else(|| rest.strip_prefix('年')) {
                s = r;
            }
        }
        s = strip_start(s, &PROACTIVE_SUBJECTS);
        if s == before {
            break;
        }
    }
    s.is_empty()
}

/// The words for 「下一年度」 that may follow 顺延/结转 (or a four-digit year).
fn next_year_at(s: &str) -> bool {
    let s = strip_start(s, &["到", "至"]);
    if ["下年度", "下一年度", "下一年", "下年", "次年", "明年"].iter().any(|w| s.starts_with(w)) {
        return true;
    }
    let digits = s.chars().take_while(|c| c.is_ascii_digit()).count();
    digits == 4 && s[digits..].starts_with('年')
}

/// Whether `core` ends with 结转/顺延 + next year (「结转至2026年」, 「结转下年度」).
fn ends_with_carry_forward(core: &str) -> bool {
    for verb in ["结转", "顺延"] {
        if let Some(i) = core.rfind(verb) {
            let rest = &core[i + verb.len()..];
            let rest_trim = strip_start(rest, &["到", "至"]);
            let ok_word = ["下年度", "下一年度", "下一年", "下年", "次年", "明年"].contains(&rest_trim);
            let digits = rest_trim.chars().take_while(|c| c.is_ascii_digit()).count();
            let ok_year = digits == 4 && matches!(&rest_trim[digits..], "年" | "年度");
            if ok_word || ok_year {
                return !has_any(&core[..i], &SUBSET_WORDS);
            }
        }
    }
    false
}

/// Classifies the words before (`pre`) and after (`post`) a number. Returns the kind and how
/// many chars of `post` belong to the phrase.
fn classify(pre: &str, post: &str, num: &Num) -> Option<(FigureKind, bool, usize)> {
    let core = strip_end(pre, &NUMBER_FILLERS);
    match num.unit {
        '件' => {
            classify_corrected(core, post).or_else(|| classify_request(core, post)).or_else(|| classify_case(core))
        }
        '起' | '宗' => classify_corrected(core, post).or_else(|| classify_case(core)),
        '条' => classify_proactive(core, post),
        _ => None,
    }
}

fn classify_request(core: &str, post: &str) -> Option<(FigureKind, bool, usize)> {
    // 「…受理政府信息公开申请」 / 「答复政府信息公开申请」 / 「上年度结转申请」 + N件
    if let Some(before) = core.strip_suffix("申请") {
        let b = strip_end(before, &REQUEST_FILLERS);
        if let Some(subject) = before_verb(b, &RECEIVE_VERBS) {
            // 「不予受理」 and similar are not receipts.
            if !has_any(subject, &SUBSET_WORDS) && !subject.ends_with('不') && !subject.ends_with('未') {
                return Some((FigureKind::Received, true, 0));
            }
            return None;
        }
        if let Some(subject) = before_verb(b, &ANSWER_VERBS) {
            return (!has_any(subject, &SUBSET_WORDS)).then_some((FigureKind::Answered, true, 0));
        }
        if let Some(k) = carried_over(b) {
            return Some(k);
        }
    }
    // 「答复3050件」, 「办结依申请公开81件」
    let b = strip_end(core, &REQUEST_FILLERS);
    if let Some(subject) = before_verb(b, &ANSWER_VERBS) {
        return (!has_any(subject, &SUBSET_WORDS)).then_some((FigureKind::Answered, true, 0));
    }
    if let Some(k) = carried_over(b) {
        return Some(k);
    }
    // 「共收到70件申请」
    let noun_after = strip_start(post, &REQUEST_FILLERS);
    if noun_after.starts_with("申请") {
        let b = strip_end(core, &["了"]);
        if let Some(subject) = before_verb(b, &RECEIVE_VERBS) {
            if !has_any(subject, &SUBSET_WORDS) && !subject.ends_with('不') && !subject.ends_with('未') {
                let used = post.chars().count() - noun_after.chars().count() + "申请".chars().count();
                return Some((FigureKind::Received, true, used));
            }
        }
    }
    // 「结转至2026年6件」, 「结转下年度继续办理1件」
    let b = strip_end(core, &["继续办理", "继续答复", "办理", "答复", "的", "申请"]);
    if ends_with_carry_forward(b) {
        return Some((FigureKind::CarriedForward, true, 0));
    }
    // 「另有103件顺延到下年度答复」, 「1件结转下年度继续办理」
    if matches!(core, "" | "另有" | "尚有" | "还有" | "其余" | "剩余" | "有" | "另") {
        let p = strip_start(post, &["申请"]);
        for verb in ["顺延", "结转"] {
            if let Some(i) = p.find(verb) {
                if !p[..i].contains("上年") && next_year_at(&p[i + verb.len()..]) {
                    return Some((FigureKind::CarriedForward, true, post.chars().count()));
                }
            }
        }
    }
    // Outcome categories (「予以公开258件」, 「因本机关不掌握等原因无法提供265件」)
    let b = strip_end(core, &["的", "申请"]);
    for (g, words) in outcome_words() {
        for w in words {
            if let Some(subject) = b.strip_suffix(w.as_str()) {
                let bad = ["自然人", "法人", "企业", "组织", "上年", "月", "季度", "占", "涉及"];
                // 「不予以公开」 is not 「予以公开」.
                if has_any(subject, &bad) || subject.ends_with('不') {
                    return None;
                }
                return Some((FigureKind::Outcome(g), true, 0));
            }
        }
    }
    None
}

/// 「上年度结转」 (row 二), with an optional 「含」.
fn carried_over(b: &str) -> Option<(FigureKind, bool, usize)> {
    let before = b.strip_suffix("结转")?;
    let subject = ["上年度", "上一年度", "上一年", "上年"].iter().find_map(|w| before.strip_suffix(w))?;
    let subject = strip_end(subject, &["含", "包括", "其中"]);
    let subject = strip_end(subject, &["其中"]);
    (!has_any(subject, &SUBSET_WORDS)).then_some((FigureKind::CarriedOver, true, 0))
}

/// The outcome phrases, longest first, built from the template labels.
fn outcome_words() -> Vec<(OutcomeGroup, Vec<String>)> {
    let granted = unnumbered(template::t3_row(RequestRow::Granted).label).to_string();
    let partial = short(template::t3_row(RequestRow::PartiallyGranted).label).to_string();
    let both = ["及", "和", "与", "或", ","].iter().map(|c| format!("{granted}{c}{partial}")).collect();
    vec![
        (OutcomeGroup::GrantedOrPartially, both),
        (OutcomeGroup::PartiallyGranted, vec![partial]),
        (OutcomeGroup::Granted, vec![granted]),
        (OutcomeGroup::Withheld, vec![unnumbered(RowGroup::Withheld.label()).to_string()]),
        (OutcomeGroup::Unable, vec![unnumbered(RowGroup::Unable.label()).to_string()]),
        (OutcomeGroup::NotProcessed, vec![unnumbered(RowGroup::NotProcessed.label()).to_string()]),
        (OutcomeGroup::OtherHandling, vec![unnumbered(RowGroup::OtherHandling.label()).to_string()]),
    ]
}

/// 「被纠正30件」, 「30件被纠正」, 「30件被复议机关纠正」: the passive claim of corrected cases (the
/// scope is set from the sentence by [`extract`]).
fn classify_corrected(core: &str, post: &str) -> Option<(FigureKind, bool, usize)> {
    const PASSIVE: &str = "被纠正";
    let kind = FigureKind::Corrected(CaseScope::Both);
    if core.ends_with(PASSIVE) {
        return Some((kind, true, 0));
    }
    // What was corrected may be named between the number and 被 (「12件政府信息公开答复被…纠正」),
    // in a few words of the same clause.
    let at = post.find('被')?;
    let (noun, passive) = post.split_at(at);
    if noun.chars().count() > 12 || noun.chars().any(|c| c.is_ascii_punctuation()) {
        return None;
    }
    for by in ["", "复议机关", "上级机关", "人民法院", "法院"] {
        let word = format!("被{by}纠正");
        if passive.starts_with(&word) {
            return Some((kind, true, noun.chars().count() + word.chars().count()));
        }
    }
    None
}

fn classify_case(core: &str) -> Option<(FigureKind, bool, usize)> {
    let b = strip_end(core, &["案件", "申请", "案", "的"]);
    let b = strip_end(b, &NUMBER_FILLERS);
    let (kind, subject) = if let Some(s) = b.strip_suffix(template::T4_REVIEW) {
        (FigureKind::Review, s)
    } else if let Some(s) = b.strip_suffix(template::T4_LITIGATION) {
        (FigureKind::Litigation, s)
    } else if b == "诉讼" {
        (FigureKind::Litigation, "")
    } else {
        return None;
    };
    if has_any(subject, &CASE_SUBSET_WORDS) || has_any(subject, &SUBSET_WORDS) {
        return None;
    }
    Some((kind, true, 0))
}

fn classify_proactive(core: &str, post: &str) -> Option<(FigureKind, bool, usize)> {
    const KEY: &str = "主动公开";
    let b = strip_end(core, &["总数", "总量", "数量", "数"]);
    let b = strip_end(b, &NUMBER_FILLERS);
    let i = b.rfind(KEY)?;
    let subject = &b[..i];
    let rest = &b[i + KEY.len()..];
    let nouns = ["政府信息", "政务信息", "信息", "各类政府信息", "各类政务信息", "各类信息"];
    if nouns.contains(&rest) {
        return Some((FigureKind::ProactiveTotal, plain_proactive_subject(subject), 0));
    }
    // 「主动公开的425条政府信息中」
    if rest == "的" {
        let p = ["政府信息中", "政务信息中", "信息中"].iter().find(|n| post.starts_with(*n))?;
        return Some((FigureKind::ProactiveTotal, plain_proactive_subject(subject), p.chars().count()));
    }
    None
}

/// Finds every recognised figure in `text` (one section's prose), in text order.
pub fn extract(text: &str) -> Vec<Figure> {
    let t = Text::new(text);
    let mut nums = Vec::new();
    let mut i = 0;
    while i < t.len() {
        // Only a digit starts a number (the test `number_at` begins with, without the call).
        if !t.digit(i) {
            i += 1;
            continue;
        }
        if let Some(n) = t.number_at(i) {
            i = n.end;
            nums.push(n);
        } else {
            i += 1;
        }
    }
    let mut out: Vec<Figure> = Vec::new();
    // End of the previous number, and of the last phrase recognised (its parts included).
    let mut prev_end = 0usize;
    let mut covered = 0usize;
    for n in &nums {
        if n.start < covered {
            continue;
        }
        let mut seg_start = t.clause_start(n.start).max(prev_end);
        prev_end = n.end;
        while t.at(seg_start) == Some(',') && seg_start < n.start {
            seg_start += 1;
        }
        let pre = t.slice(seg_start, n.start);
        let post_end = {
            let e = t.clause_end(n.end);
            nums.iter().find(|m| m.start >= n.end && m.start < e).map_or(e, |m| m.start)
        };
        let post = t.slice(n.end, post_end);
        let Some((kind, plain, used)) = classify(&pre, &post, n) else {
            continue;
        };
        let mut end = n.end + used;
        let mut fig = Figure {
            kind,
            value: n.value,
            quote: String::new(),
            offset: t.byte_offset(seg_start),
            plain,
            context: false,
            parts: Vec::new(),
            parts_exhaustive: false,
            parts_channels: false,
            all_upheld: false,
        };
        match kind {
            FigureKind::ProactiveTotal => {
                let mid_form = used > 0;
                if let Some((parts, parts_end)) = proactive_parts(&t, end, n.unit, mid_form) {
                    fig.parts_exhaustive = parts.iter().any(|p| p.label.starts_with("其他"));
                    fig.parts_channels = parts.iter().any(|p| has_any(&p.label, &CHANNEL_WORDS));
                    fig.parts = parts;
                    end = parts_end;
                }
            }
            FigureKind::Review | FigureKind::Litigation => {
                if let Some((parts, parts_end)) = case_parts(&t, end) {
                    fig.parts = parts;
                    end = parts_end;
                }
            }
            _ => {}
        }
        let sentence = t.slice(t.sentence_start(seg_start), end);
        if let FigureKind::Corrected(_) = kind {
            let (review, litigation) = (sentence.contains("复议"), sentence.contains("诉讼"));
            fig.kind = FigureKind::Corrected(match (review, litigation) {
                (true, false) => CaseScope::Review,
                (false, true) => CaseScope::Litigation,
                _ => CaseScope::Both,
            });
        }
        fig.context = match kind {
            FigureKind::ProactiveTotal => true,
            FigureKind::Review | FigureKind::Litigation | FigureKind::Corrected(_) => has_any(&sentence, &OGI_WORDS),
            _ => {
                let window = t.slice(seg_start.saturating_sub(REQUEST_CONTEXT_WINDOW), end);
                has_any(&sentence, &OGI_WORDS) || has_any(&window, &["依申请", "公开申请"]) || pre.contains("新收")
            }
        };
        fig.quote = t.original(seg_start, end);
        if matches!(kind, FigureKind::Review | FigureKind::Litigation) {
            fig.all_upheld = all_upheld_after(&t, end);
        }
        out.push(fig);
        covered = end;
        prev_end = prev_end.max(end);
    }
    // 「行政复议7件，诉讼9件，均获维持」: the claim covers every case figure of the run.
    let n = out.len();
    for k in (0..n).rev() {
        if out[k].all_upheld {
            let mut j = k;
            while j > 0
                && matches!(out[j - 1].kind, FigureKind::Review | FigureKind::Litigation)
                && same_sentence(&t, out[j - 1].offset, out[j].offset)
            {
                out[j - 1].all_upheld = true;
                j -= 1;
            }
        }
    }
    out
}

/// Whether two byte offsets of the original lie in the same sentence.
fn same_sentence(t: &Text<'_>, a: usize, b: usize) -> bool {
    let ia = t.map.iter().position(|&m| m >= a).unwrap_or(t.len());
    let ib = t.map.iter().position(|&m| m >= b).unwrap_or(t.len());
    let (lo, hi) = if ia <= ib { (ia, ib) } else { (ib, ia) };
    (lo..hi).all(|k| !t.is_sentence_end(k))
}

/// Reads 「label N unit」 at `i`; returns (label, value, index after the unit).
fn labelled_number(t: &Text<'_>, i: usize, unit: Option<char>) -> Option<(String, i64, usize)> {
    let mut k = i;
    while k < t.len() && !t.digit(k) && !t.is_separator(k) {
        k += 1;
    }
    if k == i || !t.digit(k) {
        return None;
    }
    let n = t.number_at(k)?;
    if let Some(u) = unit {
        if n.unit != u {
            return None;
        }
    }
    let mut end = n.end;
    if t.starts_with(end, "(项)") {
        end += 3;
    }
    if !t.is_separator(end) {
        return None;
    }
    Some((t.slice(i, k), n.value, end))
}

/// Skips a clause starting with 「占」 (a percentage) at `i` (just after a separator).
fn skip_share(t: &Text<'_>, i: usize) -> usize {
    if t.at(i) == Some('占') {
        t.clause_end(i)
    } else {
        i
    }
}

/// The parts listed after a proactive total: 「，其中…」, 「，在主动公开的政府信息中，…」, 「（其中…）」,
/// or (for 「主动公开的N条政府信息中」) right after the comma.
fn proactive_parts(t: &Text<'_>, mut i: usize, unit: char, mid_form: bool) -> Option<(Vec<Part>, usize)> {
    if t.starts_with(i, "(项)") {
        i += 3;
    }
    let open = t.at(i)?;
    if !matches!(open, ',' | ':' | '(') {
        return None;
    }
    let in_brackets = open == '(';
    i += 1;
    if t.starts_with(i, "其中") {
        i += 2;
        if matches!(t.at(i), Some(',' | ':')) {
            i += 1;
        }
    } else if !in_brackets && t.starts_with(i, "在主动公开的") {
        let e = t.clause_end(i);
        if !t.slice(i, e).ends_with('中') || t.at(e) != Some(',') {
            return None;
        }
        i = e + 1;
    } else if !mid_form {
        return None;
    }
    let mut parts = Vec::new();
    let mut end = i;
    while let Some((label, value, e)) = labelled_number(t, i, Some(unit)) {
        parts.push(Part { label, value, result: None });
        end = e;
        match t.at(e) {
            Some(',' | ';') => {
                let next = skip_share(t, e + 1);
                if next != e + 1 {
                    // 「，占34.8%；」: continue after the share.
                    if matches!(t.at(next), Some(',' | ';')) {
                        i = next + 1;
                        continue;
                    }
                    break;
                }
                i = e + 1;
            }
            _ => break,
        }
    }
    if in_brackets && t.at(end) == Some(')') {
        end += 1;
    }
    (parts.len() >= 2).then_some((parts, end))
}

/// 「，其中结果维持72件，结果纠正64件，其他结果178件，尚未审结37件」 after a review/litigation total.
fn case_parts(t: &Text<'_>, i: usize) -> Option<(Vec<Part>, usize)> {
    if !matches!(t.at(i), Some(',' | ':' | '(')) {
        return None;
    }
    let mut k = i + 1;
    if !t.starts_with(k, "其中") {
        return None;
    }
    k += 2;
    if matches!(t.at(k), Some(',' | ':')) {
        k += 1;
    }
    let mut parts = Vec::new();
    let mut end = k;
    while let Some((label, value, e)) = labelled_number(t, k, None) {
        let Some(spec) = template::T4_RESULTS.iter().find(|r| r.key != CaseResult::Total && r.label == label) else {
            break;
        };
        parts.push(Part { label, value, result: Some(spec.key) });
        end = e;
        if t.at(e) == Some(',') {
            k = e + 1;
        } else {
            break;
        }
    }
    (!parts.is_empty()).then_some((parts, end))
}

/// Whether a clause after `i` (same sentence, before the next figure) says every case was upheld
/// (「均获维持」, 「全部维持」).
fn all_upheld_after(t: &Text<'_>, i: usize) -> bool {
    let end = t.sentence_end(i);
    let mut k = i;
    while k < end {
        if t.is_separator(k) {
            k += 1;
            continue;
        }
        let e = t.clause_end(k).min(end);
        let clause = t.slice(k, e);
        if clause.chars().any(|c| c.is_ascii_digit()) {
            // Another figure: the claim, if any, belongs to it.
            if !has_any(&clause, &[template::T4_REVIEW, template::T4_LITIGATION, "诉讼"]) {
                return false;
            }
        } else if ["均", "全部", "都", "皆"].iter().any(|w| clause.starts_with(w))
            && clause.contains("维持")
            && !clause.contains('未')
            && !clause.contains('不')
        {
            return true;
        }
        k = e;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<(FigureKind, i64)> {
        extract(text).into_iter().map(|f| (f.kind, f.value)).collect()
    }

    #[test]
    fn request_phrases() {
        assert_eq!(kinds("本年度共受理政府信息公开申请69件。"), vec![(FigureKind::Received, 69)]);
        assert_eq!(kinds("2022年，全区收到政府信息公开申请75件，涉及自然人72件"), vec![(FigureKind::Received, 75)]);
        assert_eq!(kinds("依申请公开方面，新收申请859件。"), vec![(FigureKind::Received, 859)]);
        let f = extract(
            "2024 年，全市共受理政府信息公开申请 3119 件，答\n复 3050 件（含上年度结转申请 34 件，另有 103 件顺延到下年度\n答复），均在法定期限内予以答复。",
        );
        let got: Vec<_> = f.iter().map(|f| (f.kind, f.value)).collect();
        assert_eq!(
            got,
            vec![
                (FigureKind::Received, 3119),
                (FigureKind::Answered, 3050),
                (FigureKind::CarriedOver, 34),
                (FigureKind::CarriedForward, 103)
            ]
        );
        assert!(f.iter().all(|f| f.context && f.plain));
        assert_eq!(f[0].quote, "全市共受理政府信息公开申请 3119 件");
        assert_eq!(f[3].quote, "另有 103 件顺延到下年度\n答复");
    }

    #[test]
    fn number_before_noun_and_carry_forward() {
        let f = kinds("依申请公开方面。本年度全区共收到70件申请，及时依法依规办结69件，1件结转下年度继续办理。");
        assert_eq!(f, vec![(FigureKind::Received, 70), (FigureKind::Answered, 69), (FigureKind::CarriedForward, 1)]);
        let f = kinds("2025年，全区共收到政府信息公开申请154件，共办结148件，结转至2026年6件。");
        assert_eq!(f, vec![(FigureKind::Received, 154), (FigureKind::Answered, 148), (FigureKind::CarriedForward, 6)]);
    }

    #[test]
    fn subsets_approximations_and_other_topics_are_skipped() {
        assert!(kinds("其中自然人申请60件。").is_empty());
        assert!(kinds("网上受理政府信息公开申请30件").is_empty());
        assert!(kinds("市政府网站主动公开各类政府信息 5500 余条").is_empty());
        assert!(kinds("共受理政府信息公开申请约30件").is_empty());
        assert!(kinds("开设窗口26个，共受理申请121510件。").iter().all(|k| k.0 == FigureKind::Received));
        // …recognised, but not in a disclosure context:
        assert!(extract("开设窗口26个，共受理申请121510件。").iter().all(|f| !f.context));
        assert!(kinds("全年办理行政复议案件120件，其中维持100件").iter().all(|k| k.0 == FigureKind::Review));
        assert!(extract("全年办理行政复议案件120件。").iter().all(|f| !f.context));
        assert!(kinds("行政复议维持3件").is_empty());
        assert!(kinds("不予受理申请3件").is_empty());
    }

    #[test]
    fn outcome_phrases() {
        let f = kinds(
            "答复政府信息公开申请805件。予以公开及部分公开258件，占33.9%；不予公开35件，占4.34%；因本机关不掌握等原因无法提供265件，占32.9%；不予处理158件，占19.6%；其他处理0件。",
        );
        assert_eq!(
            f,
            vec![
                (FigureKind::Answered, 805),
                (FigureKind::Outcome(OutcomeGroup::GrantedOrPartially), 258),
                (FigureKind::Outcome(OutcomeGroup::Withheld), 35),
                (FigureKind::Outcome(OutcomeGroup::Unable), 265),
                (FigureKind::Outcome(OutcomeGroup::NotProcessed), 158),
                (FigureKind::Outcome(OutcomeGroup::OtherHandling), 0),
            ]
        );
        let f = kinds("政府信息公开申请办理中，予以公开、部分公开42件。");
        assert_eq!(f, vec![(FigureKind::Outcome(OutcomeGroup::GrantedOrPartially), 42)]);
    }

    #[test]
    fn corrected_claims_without_a_total_name_their_groups_by_the_sentence() {
        let got = |text: &str| extract(text).iter().map(|f| (f.kind, f.value, f.context)).collect::<Vec<_>>();
        let corrected = |s| FigureKind::Corrected(s);
        assert_eq!(
            got("本年度政府信息公开行政复议案件中有30件被纠正。"),
            vec![(corrected(CaseScope::Review), 30, true)]
        );
        assert_eq!(got("因政府信息公开被提起行政诉讼，被纠正2件。"), vec![(corrected(CaseScope::Litigation), 2, true)]);
        assert_eq!(got("政府信息公开类复议诉讼案件3件被复议机关纠正。"), vec![(corrected(CaseScope::Both), 3, true)]);
        // After a total, 「其中…被纠正」 is a claim of its own, beside the total.
        let f = got("政府信息公开行政复议5件，其中被纠正1件。");
        assert_eq!(f, vec![(FigureKind::Review, 5, true), (corrected(CaseScope::Review), 1, true)]);
        // Not about disclosure: no context (the rules then ignore it outside section 四).
        assert_eq!(got("全年办理行政复议案件120件，被纠正8件。")[1], (corrected(CaseScope::Review), 8, false));
        assert_eq!(
            got("对条例的适用把握不准，有12件政府信息公开答复被复议机关纠正。"),
            vec![(corrected(CaseScope::Review), 12, true)]
        );
        // The active 「纠正」 of the agency's own work is not a table-4 claim.
        assert!(got("纠正错别字8件。").is_empty());
    }

    #[test]
    fn review_and_litigation_with_parts() {
        let f = extract(
            "政府信息公开行政复议 351\n件，其中结果维持 72 件，结果纠正 64 件，其他结果 178 件，尚\n未审结 37 件；政府信息公开行政诉讼 46 件，其中结果维持 25\n件，结果纠正 5 件，其他结果 9 件，尚未审结 7 件。",
        );
        assert_eq!(f.len(), 2);
        assert_eq!((f[0].kind, f[0].value), (FigureKind::Review, 351));
        assert_eq!((f[1].kind, f[1].value), (FigureKind::Litigation, 46));
        let p: Vec<_> = f[0].parts.iter().map(|p| (p.result, p.value)).collect();
        assert_eq!(
            p,
            vec![
                (Some(CaseResult::Upheld), 72),
                (Some(CaseResult::Corrected), 64),
                (Some(CaseResult::Other), 178),
                (Some(CaseResult::Pending), 37)
            ]
        );
        assert_eq!(f[1].parts.iter().map(|p| p.value).sum::<i64>(), 46);
        assert!(f.iter().all(|f| f.context && !f.all_upheld));
    }

    #[test]
    fn short_case_phrases_and_all_upheld() {
        let f = extract("信息公开类行政复议7件，诉讼9件，均获维持，继续保持了零败诉的记录。");
        let got: Vec<_> = f.iter().map(|f| (f.kind, f.value, f.all_upheld, f.context)).collect();
        assert_eq!(got, vec![(FigureKind::Review, 7, true, true), (FigureKind::Litigation, 9, true, true)]);
        let f = extract("全区政府信息公开工作方面共有行政诉讼案件1件、行政复议案件2件，均已结案。");
        let got: Vec<_> = f.iter().map(|f| (f.kind, f.value, f.all_upheld)).collect();
        assert_eq!(got, vec![(FigureKind::Litigation, 1, false), (FigureKind::Review, 2, false)]);
        let f = kinds("全年办理因政府信息公开申请引发的行政复议36起，行政诉讼9起。");
        assert_eq!(f, vec![(FigureKind::Review, 36), (FigureKind::Litigation, 9)]);
    }

    #[test]
    fn proactive_total_with_parts() {
        let f = extract(
            "本年度主动公开政务信息总数216条（项），在主动公开的政府信息中，法规公文5条，公示公告150条，工作进展46条，人事信息9条，规划计划2条，财政信息1条，应急管理1条，其他2条。",
        );
        assert_eq!(f.len(), 1);
        assert_eq!((f[0].kind, f[0].value, f[0].plain), (FigureKind::ProactiveTotal, 216, true));
        assert_eq!(f[0].parts.iter().map(|p| p.value).sum::<i64>(), 216);
        assert_eq!(f[0].parts.len(), 8);
        assert!(f[0].parts_exhaustive && !f[0].parts_channels);
        assert!(f[0].quote.ends_with("其他2条"), "{}", f[0].quote);
    }

    #[test]
    fn proactive_mid_form_and_shares() {
        let f = extract(
            "在平潭综合实验区管委会网站主动公开的425条政府信息中，机构职能、主要职能、办事程序信息148条，占34.8%；政策、规范性文件类信息21条，占4.9%；规划计划类信息21条，占4.9%。",
        );
        assert_eq!(f.len(), 1);
        assert!(!f[0].plain);
        assert_eq!(f[0].parts.iter().map(|p| p.value).collect::<Vec<_>>(), vec![148, 21, 21]);
        assert!(!f[0].parts_exhaustive);
        // Subjects that narrow the total are not plain.
        let f =
            extract("2012年县政府公开办主动公开信息数为1795条。其中主动公开政府信息2026条，作为依申请公开信息数46条。");
        let got: Vec<_> = f.iter().map(|f| (f.value, f.plain)).collect();
        assert_eq!(got, vec![(1795, false), (2026, true)]);
        let f = extract("2016年全区主动公开政府信息3460条。其中，区管委会及区直各部门主动公开政府信息1822条，占53%。");
        let got: Vec<_> = f.iter().map(|f| (f.value, f.plain, f.parts.len())).collect();
        assert_eq!(got, vec![(3460, true, 0), (1822, false, 0)]);
    }

    #[test]
    fn a_sub_heading_line_ends_the_clause() {
        let f = extract("（一）主动公开政府信息的数量\n2016年全区主动公开政府信息3460条。");
        assert_eq!(f.len(), 1);
        assert!(f[0].plain, "{}", f[0].quote);
        assert_eq!(f[0].quote, "2016年全区主动公开政府信息3460条");
        // Flattened text keeps the heading in the clause: not plain (conservative).
        let f = extract("（一）主动公开政府信息的数量2016年全区主动公开政府信息3460条。");
        assert!(!f[0].plain);
        // A line break inside a sentence (PDF text) is not a boundary.
        let f = extract("2024年，全市共受理政府信息公开\n申请 3119 件。");
        assert_eq!((f[0].kind, f[0].value), (FigureKind::Received, 3119));
        assert!(is_heading("二、主动公开政府信息情况\n") && is_heading("1.门户网站"));
        assert!(!is_heading("一是加强组织领导，明确责任。") && !is_heading("（一）") && !is_heading("2024年"));
    }

    #[test]
    fn never_panics_on_odd_text() {
        for s in [
            "",
            "件",
            "1件",
            "申请1",
            "（其中",
            "主动公开的1条信息中，",
            "行政复议1件，其中结果维持",
            "，，。。1.2.3件",
        ] {
            let _ = extract(s);
        }
    }
}

/// A table-2 figure quoted in the prose: 「制发规范性文件6件、废止3件、现行有效148件」,
/// 「政府集中采购12项、金额3186420元」. The importer uses them to choose among the ways a run of
/// digits of a table-2 row can be cut into cells (table 2 has no arithmetic of its own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProactiveFigure {
    /// The row's key in table 2 (`rules`, `normative_documents`, `centralized_procurement`).
    pub row: &'static str,
    /// The column's key (`issued`, `repealed`, `in_force`, `made`, `projects`, `amount_yuan`).
    pub column: &'static str,
    /// The number as printed.
    pub value: i64,
    /// The words and number, as printed (normalised).
    pub quote: String,
}

/// The row words of table 2 that prose names, with the row's key (longest first: 「行政规范性文件」
/// before 「规范性文件」).
const T2_ROW_WORDS: [(&str, &str); 4] = [
    ("行政规范性文件", "normative_documents"),
    ("规范性文件", "normative_documents"),
    ("规章", "rules"),
    ("采购", "centralized_procurement"),
];

/// The words right before a number that name a table-2 column, with the unit it must carry.
const T2_COLUMN_WORDS: [(&str, &str, &[char]); 12] = [
    ("新制发", "issued", &['件', '个']),
    ("制发", "issued", &['件', '个']),
    ("印发", "issued", &['件', '个']),
    ("出台", "issued", &['件', '个']),
    ("新制作", "made", &['件', '个']),
    ("废止", "repealed", &['件', '个']),
    ("现行有效", "in_force", &['件', '个']),
    ("采购项目", "projects", &['项', '个']),
    ("采购", "projects", &['项', '个']),
    ("采购总金额", "amount_yuan", &['元']),
    ("总金额", "amount_yuan", &['元']),
    ("金额", "amount_yuan", &['元']),
];

/// How many chars before a number are looked at for its column's verb and its row's name.
const T2_WINDOW: usize = 40;

/// Finds the table-2 figures of a text already normalised ([`label::normalize`]; the importer
/// has it, and normalising a long report again cost more than reading it): in each sentence, a
/// number whose words right before it name a column (「废止3件」) and whose unit fits it,
/// counted for the row named last before it in the same sentence. Conservative like
/// [`extract`]: approximate numbers and numbers without their unit are skipped.
pub fn proactive_figures(norm: &[char]) -> Vec<ProactiveFigure> {
    /// The units a table-2 figure may carry: a number followed by anything else is skipped
    /// before its words are looked at.
    const UNITS: [char; 4] = ['件', '个', '项', '元'];
    let mut out = Vec::new();
    for sentence in norm.split(|c| matches!(c, '.' | ';' | '!' | '?')) {
        let mut i = 0;
        while i < sentence.len() {
            if !sentence[i].is_ascii_digit() || (i > 0 && (sentence[i - 1].is_ascii_digit() || sentence[i - 1] == '.'))
            {
                i += 1;
                continue;
            }
            let end = i + sentence[i..].iter().take_while(|c| c.is_ascii_digit()).count();
            let unit = sentence.get(end).copied();
            if !unit.is_some_and(|u| UNITS.contains(&u)) {
                i = end;
                continue;
            }
            let number: String = sentence[i..end].iter().collect();
            // The words before the number: the column's verb is right before it, the row's name
            // a few words earlier (a window, not the whole sentence: flattened tables run on
            // for pages without a full stop).
            let before: String = sentence[i.saturating_sub(T2_WINDOW)..i].iter().collect();
            let before = before.trim_end_matches(['共', '计', '了', '为', '达']);
            // 「制发行政规范性文件6件」: the row's name may stand between the verb and the number.
            let verb_end = T2_ROW_WORDS
                .iter()
                .find_map(|(w, _)| before.strip_suffix(w))
                .map_or(before, |b| b.trim_end_matches(['共', '计', '了']));
            let approximate = sentence.get(end + 1).is_some_and(|c| matches!(c, '余' | '多' | '左'))
                || before.ends_with(['约', '近', '逾', '超']);
            let column = T2_COLUMN_WORDS.iter().find(|(w, _, units)| {
                (before.ends_with(w) || verb_end.ends_with(w)) && unit.is_some_and(|u| units.contains(&u))
            });
            let row = T2_ROW_WORDS
                .iter()
                .filter_map(|(w, key)| before.rfind(w).map(|at| (at + w.len(), *key)))
                .max_by_key(|(at, _)| *at)
                .map(|(_, key)| key);
            if let (Some((w, column, _)), Some(row), Ok(value), false) =
                (column, row, number.parse::<i64>(), approximate)
            {
                // A procurement sentence's count and amount; a document sentence's three counts.
                let fits = if row == "centralized_procurement" {
                    matches!(*column, "projects" | "amount_yuan")
                } else {
                    !matches!(*column, "projects" | "amount_yuan")
                };
                if fits {
                    out.push(ProactiveFigure {
                        row,
                        column,
                        value,
                        quote: format!("{w}{number}{}", unit.unwrap_or(' ')),
                    });
                }
            }
            i = end;
        }
    }
    out
}

#[cfg(test)]
mod proactive_figure_tests {
    use super::*;

    fn proactive_figures(text: &str) -> Vec<ProactiveFigure> {
        let norm: Vec<char> = label::normalize(text).chars().collect();
        super::proactive_figures(&norm)
    }

    #[test]
    fn reads_the_documents_and_procurement_figures_of_the_prose() {
        let f = proactive_figures(
            "全年制发行政规范性文件6件、废止3件、现行有效148件。本年度政府集中采购共采购12项、金额3186420元。",
        );
        let got: Vec<(&str, &str, i64)> = f.iter().map(|x| (x.row, x.column, x.value)).collect();
        assert_eq!(
            got,
            vec![
                ("normative_documents", "issued", 6),
                ("normative_documents", "repealed", 3),
                ("normative_documents", "in_force", 148),
                ("centralized_procurement", "projects", 12),
                ("centralized_procurement", "amount_yuan", 3186420),
            ]
        );
    }

    #[test]
    fn skips_numbers_without_a_row_or_unit_or_that_are_approximate() {
        assert!(proactive_figures("全年废止3件。").is_empty(), "no row named");
        assert!(proactive_figures("规范性文件废止3。").is_empty(), "no unit");
        assert!(proactive_figures("规范性文件废止约3件。").is_empty(), "approximate");
        assert!(proactive_figures("政府集中采购现行有效5件。").is_empty(), "not a procurement column");
    }
}
