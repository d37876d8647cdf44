//! The text importer: annual reports as plain text, in the shapes they really arrive in.
//!
//! - `word-dump`: a Word document saved as text (each cell on its own tab-indented line);
//! - `pdf-rows`: text extracted from a PDF row by row (label and numbers on one line, labels
//!   wrapped onto the next lines, page numbers such as 「- 4 -」 inside tables);
//! - `pdf-columns`: text extracted column by column (all labels of a page, then the numbers of
//!   each column);
//! - `flat`: web text flattened by a site archiver (cells run together: 「640020470」);
//! - `markdown`: Markdown written by a PDF converter (tables cut apart, generic headers,
//!   footers inside tables), first read back into lines of text ([`demarkdown`]).
//!
//! One method reads them all. Labels are looked up in a normalised copy of the text (see
//! [`gongkai_core::label`]) in template order; the text between one row label and the next is
//! that row's value region. What a region holds decides how it is read: seven numbers are the
//! row; one run of digits is split with the template's arithmetic ([`crate::split`]); nothing
//! means the numbers come later, column by column. A value that cannot be determined is left
//! blank and explained in `provenance.notes` — never guessed.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, OnceLock};

use chrono::NaiveDate;
use gongkai_core::label::{self, normalize};
use gongkai_core::report::{
    AdministrativeFees, Amount, CaseGroup, CaseResult, CellSource, Column, DocumentCounts, ImportNote, ItemCounts,
    LegacyStatistic, Proactive, Procurement, Report, RequestRow, RequestTable, ReviewLitigation, Section, SectionKey,
    SourceFormat, Template,
};
/// Marks a note about a cell holding a non-number (reported by the rule `cell.nonnumeric`).
const NONNUMERIC_NOTE_PREFIX: &str = "非数字:";
use gongkai_core::template::{self, RowSpec, T2Block};
use gongkai_core::text_figure::{self, ProactiveFigure};

use crate::split;
use crate::ImportError;

/// The number of columns when every non-empty line of `text` has the same number (at least three)
/// of tab-separated fields: a data table (an index, a spreadsheet saved as TSV), not a report —
/// whose prose lines have no tabs even where its tables were copied with them.
fn tab_separated(text: &str) -> Option<usize> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let columns = lines.next()?.split('\t').count();
    let mut rows = 1;
    for l in lines {
        if l.split('\t').count() != columns {
            return None;
        }
        rows += 1;
    }
    (columns >= 3 && rows >= 2).then_some(columns)
}

/// Imports a decoded text report.
pub fn import_text(text: &str, source: &str, encoding: &str) -> Result<Report, ImportError> {
    if let Some(columns) = tab_separated(text) {
        return Err(ImportError::NotAReport {
            source_name: source.to_string(),
            reason: format!("制表符分隔的数据表（每行 {columns} 列），不是报告正文"),
        });
    }
    let markdown = demarkdown(text);
    let doc = Doc::new(markdown.as_deref().unwrap_or(text));
    let headings = find_headings(&doc);
    // About 200 cells in a full report: one allocation for them all.
    let mut b = Builder {
        doc: &doc,
        prose: OnceLock::new(),
        headings,
        notes: Vec::new(),
        cells: Vec::with_capacity(256),
        column_major: false,
    };

    let requests = b.table3();
    // Table 4 has no row labels of its own; it is only read after a table 3.
    let review = requests.as_ref().and_then(|t| b.table4(t.end));
    let t2_end = requests.as_ref().map(|t| t.start).unwrap_or(doc.norm.len());
    let proactive = b.table2(t2_end);
    let legacy = b.legacy();
    let sections = b.sections();
    let meta = b.meta();

    let mut table_templates = BTreeMap::new();
    if let Some((_, t)) = &proactive {
        table_templates.insert("proactive".to_string(), *t);
    }
    if let Some(t3) = &requests {
        table_templates.insert("requests".to_string(), t3.template);
    }
    if review.is_some() {
        // Table 4 is the same in 2019 and 2021; it follows table 3's template.
        let t = requests.as_ref().map(|t| t.template).unwrap_or(Template::V2019);
        table_templates.insert("review_litigation".to_string(), t);
    }
    if legacy.is_some() {
        table_templates.insert("legacy_statistics".to_string(), Template::Pre2019);
    }
    let newest = table_templates.values().copied().max();
    let template = match newest {
        Some(t) => t,
        None => {
            // No 2019/2021 table: the old outline (pre-2019), provided this is a report at all.
            let reportish = meta.year.is_some()
                && (doc.contains("政府信息公开") && (doc.contains("年度报告") || doc.contains("年报")));
            if !reportish {
                return Err(ImportError::NotAReport {
                    source_name: source.to_string(),
                    reason: "未找到年度报告的标题、年份或任何统计表格（表二、表三、表四或统计指标表）".to_string(),
                });
            }
            Template::Pre2019
        }
    };

    let mut report = Report::new(template, source, SourceFormat::Text);
    report.agency = meta.agency;
    report.year = meta.year;
    report.published_on = meta.published_on;
    report.sections = sections;
    report.proactive = proactive.map(|(p, _)| p);
    report.requests = requests.map(|t| t.table);
    report.review_litigation = review;
    report.legacy_statistics = legacy;
    report.provenance.encoding = Some(encoding.to_string());
    let shape = if markdown.is_some() { "markdown" } else { doc.shape(b.column_major) };
    report.provenance.shape = Some(shape.to_string());
    report.provenance.table_templates = table_templates;
    let mut cells = b.cells;
    cells.extend(meta.sources);
    report.provenance.cells = into_map(cells);
    report.provenance.notes = b.notes;
    Ok(report)
}

// ---------------------------------------------------------------------------------------------
// The cleaned document and its normalised index

struct Doc {
    /// The cleaned text (archiver header and page numbers removed).
    body: String,
    /// Normalised chars of `body`.
    norm: Vec<char>,
    /// For each normalised char, its byte offset in `body` (+ a final `body.len()`).
    map: Vec<usize>,
    /// Byte offsets of line starts in `body`.
    line_starts: Vec<usize>,
    /// The length in bytes of the longest line of `body`.
    longest_line: usize,
    /// How many lines of `body` start with a tab.
    tab_lines: usize,
    /// The archiver's 标题 line, if any.
    archive_title: Option<String>,
    /// The archiver's 发布时间, if any.
    archive_published: Option<NaiveDate>,
    /// The archiver's 发布机构, if any (often the agency's 办公室).
    archive_publisher: Option<String>,
    /// The 1-based lines of the archiver's 标题 and 发布机构.
    archive_lines: (usize, usize),
    /// How many body lines precede the body in the original file (for line numbers).
    line_offset: usize,
}

/// A label found by [`Doc::find_wrapped`]: its start, its end, and where the row's values
/// inside it are when it wraps around them.
type Wrapped = (usize, usize, Option<(usize, usize)>);

impl Doc {
    fn new(raw: &str) -> Doc {
        let text: Cow<'_, str> = if raw.bytes().any(|b| b == b'\r' || b == b'\x0c') {
            Cow::Owned(raw.replace("\r\n", "\n").replace(['\r', '\x0c'], "\n"))
        } else {
            Cow::Borrowed(raw)
        };
        let mut archive_title = None;
        let mut archive_published = None;
        let mut archive_publisher = None;
        let mut archive_lines = (0, 0);
        let mut line_offset = 0;
        let mut body: &str = &text;
        if let Some(pos) = text.find("正文 ====") {
            let header = &text[..pos];
            for (n, line) in header.lines().enumerate() {
                if let Some(v) = line.strip_prefix("标题:").or_else(|| line.strip_prefix("标题：")) {
                    archive_title = Some(v.trim().to_string());
                    archive_lines.0 = n + 1;
                }
                if let Some(v) = line.strip_prefix("发布时间:").or_else(|| line.strip_prefix("发布时间：")) {
                    archive_published = parse_iso_date(v.trim());
                }
                if let Some(v) = line.strip_prefix("发布机构:").or_else(|| line.strip_prefix("发布机构：")) {
                    archive_publisher = Some(v.trim().to_string()).filter(|v| !v.is_empty());
                    archive_lines.1 = n + 1;
                }
            }
            let after = text[pos..].find('\n').map(|i| pos + i + 1).unwrap_or(text.len());
            line_offset = text[..after].matches('\n').count();
            body = &text[after..];
        }
        // Page numbers 「- 4 -」「— 4 —」 on lines of their own, and Word's HTML leftovers.
        // One pass also finds the line starts of the cleaned text and what `shape` needs (the
        // longest line, lines starting with a tab).
        let mut cleaned = String::with_capacity(body.len());
        let comments = body.contains("<!--");
        let mut stats = LineStats::new(body.len());
        for line in lines_inclusive(body) {
            if is_page_number(line.trim()) {
                cleaned.push('\n');
                stats.scan(&cleaned, cleaned.len() - 1);
            } else if comments {
                let from = cleaned.len();
                cleaned.push_str(&strip_html_comments(line));
                stats.scan(&cleaned, from);
            } else {
                let from = cleaned.len();
                cleaned.push_str(line);
                stats.line(line, from);
            }
        }
        let LineStats { line_starts, longest_line, tab_lines, .. } = stats.finish(&cleaned);
        let (norm, map) = label::normalize_with_map(&cleaned);
        Doc {
            body: cleaned,
            norm,
            map,
            line_starts,
            longest_line,
            tab_lines,
            archive_title,
            archive_published,
            archive_publisher,
            archive_lines,
            line_offset,
        }
    }

    /// Finds normalised `pat` in `[from, to)`, returning its start.
    fn find(&self, pat: &[char], from: usize, to: usize) -> Option<usize> {
        let to = to.min(self.norm.len());
        if pat.is_empty() || from >= to || to - from < pat.len() {
            return None;
        }
        let first = pat[0];
        let last = to - pat.len();
        let mut i = from;
        while i <= last {
            // Scan for the first char, then compare the rest.
            let off = self.norm[i..=last].iter().position(|&c| c == first)?;
            i += off;
            if self.norm[i + 1..i + pat.len()] == pat[1..] {
                return Some(i);
            }
            i += 1;
        }
        None
    }

    /// Finds normalised `pat` in `[from, to)` either whole or wrapped around a row's values:
    /// a long label of PDF text that wraps onto the next line while the numbers stay on its
    /// first line reads 「申请人…不再处理 1 0 0 0 0 0 1\n其政府信息公开申请」, i.e. (normalised)
    /// the label's head, a run of value characters (digits, signs, dashes), then its tail.
    /// Returns (start, end, the values' range when wrapped); the earliest start wins.
    fn find_wrapped(&self, pat: &[char], from: usize, to: usize) -> Option<Wrapped> {
        // Only long labels are looked for in two parts, each part long enough not to be a word
        // of another row (the shortest head is 4 chars, the shortest tail 2).
        const MIN_HEAD: usize = 4;
        const MIN_TAIL: usize = 2;
        let to = to.min(self.norm.len());
        if pat.len() < MIN_HEAD + MIN_TAIL || from >= to || to - from < pat.len() {
            return self.find(pat, from, to).map(|p| (p, p + pat.len(), None));
        }
        let norm = &self.norm[..to];
        let first = pat[0];
        let mut i = from;
        while i + pat.len() <= to {
            let off = norm[i..].iter().position(|&c| c == first)?;
            i += off;
            // The common head.
            let head = norm[i..].iter().zip(pat).take_while(|(a, b)| a == b).count();
            if head == pat.len() {
                return Some((i, i + pat.len(), None));
            }
            if head >= MIN_HEAD && pat.len() - head >= MIN_TAIL {
                let gap_start = i + head;
                let gap_len = norm[gap_start..].iter().take_while(|&&c| is_value_char(c)).count();
                let gap_end = gap_start + gap_len;
                let tail = &pat[head..];
                let has_digit = norm[gap_start..gap_end].iter().any(char::is_ascii_digit);
                if has_digit && gap_end + tail.len() <= to && norm[gap_end..gap_end + tail.len()] == *tail {
                    return Some((i, gap_end + tail.len(), Some((gap_start, gap_end))));
                }
            }
            i += 1;
        }
        None
    }

    /// The start of a 「（二）」-style sub-heading in `[from, to)`: a bracketed Chinese numeral
    /// followed by words, not 「第（五）项」. A table row printed straight into the next
    /// paragraph (「…812.5(二)主动公开政府信息的主要类别…」) ends there.
    fn subheading_in(&self, from: usize, to: usize) -> Option<usize> {
        let to = to.min(self.norm.len());
        let n = &self.norm;
        let numeral = |c: char| "一二三四五六七八九十".contains(c);
        (from..to).find(|&i| {
            if n[i] != '(' || (i > 0 && n[i - 1] == '第') {
                return false;
            }
            let k = n[i + 1..to].iter().take_while(|&&c| numeral(c)).count();
            let close = i + 1 + k;
            (1..=3).contains(&k)
                && close + 2 < to
                && n[close] == ')'
                && n[close + 1..close + 3].iter().all(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
        })
    }

    fn contains(&self, s: &str) -> bool {
        let p: Vec<char> = normalize(s).chars().collect();
        self.find(&p, 0, self.norm.len()).is_some()
    }

    /// The original text between two normalised positions.
    fn orig(&self, a: usize, b: usize) -> &str {
        let a = self.map[a.min(self.norm.len())];
        let b = self.map[b.min(self.norm.len())];
        if a <= b {
            &self.body[a..b]
        } else {
            ""
        }
    }

    /// The 1-based line (in the original file) of a byte offset in `body`.
    fn line_of_byte(&self, byte: usize) -> usize {
        let i = self.line_starts.partition_point(|&s| s <= byte);
        i + self.line_offset
    }

    fn line_of(&self, norm_idx: usize) -> usize {
        self.line_of_byte(self.map[norm_idx.min(self.norm.len())])
    }

    fn shape(&self, column_major: bool) -> &'static str {
        // Bytes, not chars: a 1,500-char line of Chinese is at least 1,500 bytes, and counting
        // bytes needs no pass over the text.
        if self.longest_line > 3000 {
            "flat"
        } else if column_major {
            "pdf-columns"
        } else if self.tab_lines > 20 {
            "word-dump"
        } else {
            "pdf-rows"
        }
    }
}

/// The lines of `s`, each with its line break (as `split_inclusive('\n')`): a byte scan, which
/// beats `str`'s char searcher on the short lines of a report.
fn lines_inclusive(s: &str) -> impl Iterator<Item = &str> {
    let mut rest = s;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let end = rest.bytes().position(|b| b == b'\n').map_or(rest.len(), |i| i + 1);
        let (line, tail) = rest.split_at(end);
        rest = tail;
        Some(line)
    })
}

/// The line starts of a text as it is built (see [`Doc::new`]), with its longest line and the
/// lines starting with a tab.
struct LineStats {
    line_starts: Vec<usize>,
    longest_line: usize,
    tab_lines: usize,
    /// Where the current (unfinished) line starts.
    current: usize,
}

impl LineStats {
    fn new(len: usize) -> LineStats {
        let mut line_starts = Vec::with_capacity(len / 16 + 1);
        line_starts.push(0);
        LineStats { line_starts, longest_line: 0, tab_lines: 0, current: 0 }
    }

    /// Notes a line break at byte `at` of the text, whose first byte is `first`.
    fn end_line(&mut self, at: usize, first: Option<u8>) {
        self.longest_line = self.longest_line.max(at - self.current);
        self.tab_lines += usize::from(first == Some(b'\t'));
        self.current = at + 1;
        self.line_starts.push(self.current);
    }

    /// A whole line (with its break, if any) appended at byte `from`, at a line start.
    fn line(&mut self, line: &str, from: usize) {
        if let Some(body) = line.strip_suffix('\n') {
            self.end_line(from + body.len(), body.bytes().next());
        }
    }

    /// Any text appended to `text` at byte `from`.
    fn scan(&mut self, text: &str, from: usize) {
        let bytes = text.as_bytes();
        for (i, &b) in bytes.iter().enumerate().skip(from) {
            if b == b'\n' {
                let first = if self.current < i { bytes.get(self.current).copied() } else { None };
                self.end_line(i, first);
            }
        }
    }

    /// The last line (after the last break, possibly empty) counts too.
    fn finish(mut self, text: &str) -> LineStats {
        self.longest_line = self.longest_line.max(text.len() - self.current);
        self.tab_lines += usize::from(text.as_bytes().get(self.current) == Some(&b'\t'));
        self
    }
}

fn is_page_number(s: &str) -> bool {
    // Both forms start with a dash or 第: most lines are rejected without an allocation.
    if !s.trim_start().starts_with(['-', '—', '–', '－', '─', '第']) {
        return false;
    }
    let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let dash = |c: char| matches!(c, '-' | '—' | '–' | '－' | '─');
    let inner = t.trim_start_matches(dash).trim_end_matches(dash);
    let dashed =
        t.starts_with(dash) && t.ends_with(dash) && !inner.is_empty() && inner.chars().all(|c| c.is_ascii_digit());
    let paged =
        t.starts_with('第') && t.ends_with('页') && t.chars().any(|c| c.is_ascii_digit()) && t.chars().count() < 12;
    dashed || paged
}

// ---------------------------------------------------------------------------------------------
// Machine-extracted Markdown

/// Markdown as a PDF converter writes it, read back into lines of text the table reader knows
/// (a label and its numbers separated by spaces, as `pdf-rows`), line for line (so that line
/// numbers still point into the file). `None` when `text` has no Markdown table.
///
/// What such converters do to a report's tables, and what is done about it:
/// - a table per row, each under a generic header (「数据1 | 数据2 | …」): generic headers dropped;
/// - the header row repeated over the rows after a page break: a repeat of a row without
///   figures already seen is dropped;
/// - page footers 「— 5 —」 as cells or rows: dropped;
/// - annotations 「（其中修订2件）」 split from their cell: dropped (they are not cells);
/// - separator rows 「|---|---|」, bold marks and `<br>`: dropped;
/// - an empty cell between two filled ones: an explicit blank (「—」) — the cell is there,
///   empty; a row missing a cell has one number fewer and stays blank with its note.
fn demarkdown(text: &str) -> Option<String> {
    let is_row = |l: &str| {
        let t = l.trim();
        t.starts_with('|') && t.len() > 1 && t[1..].contains('|')
    };
    // Most texts have no table row at all: one byte search rejects them.
    if !(text.starts_with('|') || text.contains("\n|")) {
        return None;
    }
    text.lines().filter(|l| is_row(l)).nth(2)?;
    let mut out = String::with_capacity(text.len());
    let mut headers: Vec<Vec<String>> = Vec::new();
    for line in text.lines() {
        let t = line.trim();
        if !is_row(t) {
            out.push_str(strip_markdown_marks(t));
            out.push('\n');
            continue;
        }
        let inner = t.trim_start_matches('|').trim_end_matches('|');
        if inner.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ')) {
            out.push('\n'); // the separator row
            continue;
        }
        let cells: Vec<String> = inner.split('|').map(clean_markdown_cell).collect();
        let filled: Vec<&String> = cells.iter().filter(|c| !c.is_empty()).collect();
        if filled.is_empty() || filled.iter().all(|c| is_generic_header(c)) {
            out.push('\n');
            continue;
        }
        let has_figures = filled.iter().any(|c| c.chars().any(|x| x.is_ascii_digit()));
        if !has_figures && filled.len() >= 3 {
            if headers.iter().any(|h| h == &cells) {
                out.push('\n'); // a header repeated after a page break
                continue;
            }
            headers.push(cells.clone());
        }
        // Leading and trailing empty cells are merged or missing cells: dropped; an empty cell
        // between filled ones is printed as a blank.
        let first = cells.iter().position(|c| !c.is_empty()).unwrap_or(0);
        let last = cells.iter().rposition(|c| !c.is_empty()).unwrap_or(0);
        let mut parts: Vec<&str> = Vec::with_capacity(last + 1 - first);
        for c in &cells[first..=last] {
            parts.push(if c.is_empty() { "—" } else { c.as_str() });
        }
        out.push_str(&parts.join(" "));
        out.push('\n');
    }
    Some(out)
}

/// A line without Markdown's heading and emphasis marks (「## 一、总体情况」, 「**…**」).
fn strip_markdown_marks(l: &str) -> &str {
    let t = l.trim_start_matches('#').trim();
    t.strip_prefix("**").and_then(|x| x.strip_suffix("**")).unwrap_or(t)
}

/// A cell's text: bold marks, `<br>` and page footers gone, annotations 「（其中…）」 removed.
fn clean_markdown_cell(c: &str) -> String {
    let mut s = c.replace("<br>", " ").replace("<br/>", " ").replace("**", "");
    // 「148（其中修订2件）」 → 「148」; 「（其中修订2件）」 alone → empty.
    while let Some(open) = s.find("（其中").or_else(|| s.find("(其中")) {
        let close =
            s[open..].find(['）', ')']).map(|k| open + k + s[open + k..].chars().next().map_or(1, char::len_utf8));
        match close {
            Some(end) => s.replace_range(open..end, " "),
            None => s.truncate(open),
        }
    }
    let s = s.trim();
    if is_page_number(s) {
        return String::new();
    }
    s.to_string()
}

/// A converter's generic column name: 「数据1」「列2」「Column 3」「Col4」.
fn is_generic_header(c: &str) -> bool {
    let c = c.trim();
    ["数据", "列", "Column", "column", "Col", "col"].iter().any(|p| {
        c.strip_prefix(p).is_some_and(|rest| {
            let rest = rest.trim();
            !rest.is_empty() && rest.chars().all(|x| x.is_ascii_digit())
        })
    })
}

fn strip_html_comments(line: &str) -> Cow<'_, str> {
    if !line.contains("<!--") {
        return Cow::Borrowed(line);
    }
    let mut out = String::new();
    let mut rest = line;
    while let Some(i) = rest.find("<!--") {
        out.push_str(&rest[..i]);
        match rest[i..].find("-->") {
            Some(j) => rest = &rest[i + j + 3..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// A cache of values computed once per template string. Template strings are a fixed set of
/// `&'static str`, so the key is the string's address and length (no hashing of its text), and
/// each value is leaked once: the cache is bounded by the template and lives as long as the process.
struct StaticCache<T: ?Sized + 'static> {
    map: OnceLock<Mutex<AddressMap<T>>>,
}

/// The map of [`StaticCache`]: (address, length) of a template string → its leaked value.
type AddressMap<T> = HashMap<(usize, usize), &'static T, BuildAddressHasher>;

/// Hashes the (address, length) keys of [`StaticCache`]: they are already well spread.
#[derive(Default, Clone, Copy)]
struct BuildAddressHasher;

#[derive(Default)]
struct AddressHasher(u64);

impl std::hash::Hasher for AddressHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }
    fn write_usize(&mut self, n: usize) {
        self.0 = (self.0.rotate_left(29) ^ n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

impl std::hash::BuildHasher for BuildAddressHasher {
    type Hasher = AddressHasher;
    fn build_hasher(&self) -> AddressHasher {
        AddressHasher(0)
    }
}

impl<T: ?Sized + 'static> StaticCache<T> {
    const fn new() -> Self {
        StaticCache { map: OnceLock::new() }
    }

    fn get(&self, s: &'static str, make: impl FnOnce(&'static str) -> Box<T>) -> &'static T {
        let map = self.map.get_or_init(|| Mutex::new(HashMap::with_hasher(BuildAddressHasher)));
        let mut map = match map.lock() {
            Ok(m) => m,
            Err(poisoned) => poisoned.into_inner(),
        };
        map.entry((s.as_ptr() as usize, s.len())).or_insert_with(|| Box::leak(make(s)))
    }
}

/// The ways a row's numbering is printed (normalised): 「1.」≈「1、」, 「（一）」≈「一、」.
fn numbering_forms(number: &'static str) -> &'static [Vec<char>] {
    static CACHE: StaticCache<[Vec<char>]> = StaticCache::new();
    CACHE.get(number, |number| {
        let n: Vec<char> = normalize(number).chars().collect();
        let mut alts = Vec::new();
        if n.is_empty() {
            return alts.into();
        }
        alts.push(n.clone());
        if let Some(&last) = n.last() {
            if last == '.' || last == ',' {
                let mut a = n.clone();
                if let Some(x) = a.last_mut() {
                    *x = if last == '.' { ',' } else { '.' };
                }
                alts.push(a);
            }
        }
        if n.first() == Some(&'(') && n.last() == Some(&')') {
            let mut a: Vec<char> = n[1..n.len() - 1].to_vec();
            a.push(',');
            alts.push(a);
        }
        alts.into()
    })
}

/// A cell's raw text for provenance. Most figures are small whole numbers: printed as such
/// (「0」…「999」, no leading zero) they are shared from a table built once per process
/// instead of copied — a report records about two hundred of them.
pub(crate) fn raw_text(s: &str) -> Cow<'static, str> {
    static SMALL: OnceLock<Box<[String]>> = OnceLock::new();
    let b = s.as_bytes();
    let canonical = !b.is_empty() && b.len() <= 3 && b.iter().all(u8::is_ascii_digit) && (b.len() == 1 || b[0] != b'0');
    if canonical {
        let n = b.iter().fold(0usize, |n, d| n * 10 + usize::from(d - b'0'));
        let table = SMALL.get_or_init(|| (0..1000).map(|n: usize| n.to_string()).collect());
        if let Some(t) = table.get(n) {
            return Cow::Borrowed(t.as_str());
        }
    }
    Cow::Owned(s.to_string())
}

/// A row label as printed, for provenance: the template's own wording (numbering + label)
/// when printed exactly so — borrowed, as most are —, else the printed text.
fn printed_label(printed: &str, number: &'static str, label: &'static str) -> Cow<'static, str> {
    // Keyed by the label's address: one leaked copy per template row.
    static CACHE: StaticCache<str> = StaticCache::new();
    if printed.strip_prefix(number).is_some_and(|rest| rest == label) {
        let full: &'static str =
            if number.is_empty() { label } else { CACHE.get(label, |l| format!("{number}{l}").into_boxed_str()) };
        // Two rows sharing one label literal under different numbers share a cache entry.
        if full == printed {
            return Cow::Borrowed(full);
        }
    }
    Cow::Owned(printed.to_string())
}

/// A template string normalised for matching. Template strings are a fixed set, so each is
/// normalised once per process and shared (the importer looks labels up thousands of times).
fn chars(s: &'static str) -> &'static [char] {
    static CACHE: StaticCache<[char]> = StaticCache::new();
    CACHE.get(s, |s| normalize(s).chars().collect::<Vec<char>>().into())
}

// ---------------------------------------------------------------------------------------------
// Tokens of a value region

#[derive(Debug, Clone, PartialEq)]
enum Tok<'a> {
    /// A number as printed (digits, optional sign and decimal point; full-width forms folded),
    /// with its byte offset. Borrowed from the text when printed in ASCII (the usual case).
    Num(Cow<'a, str>, usize),
    /// An explicit blank printed in the cell (「-」「—」「/」「无」).
    Blank(usize),
    /// An empty line of a Word dump: an empty value cell, or an empty merged label cell of the
    /// next row — which one is decided by [`values`].
    EmptyCell(usize),
    /// Something that should be a number and is not (「约30」).
    NonNumeric(Cow<'a, str>, usize),
    /// A unit after a number (万元, 元, 条…).
    Unit(&'a str),
    /// Other text (label fragments, headers).
    Text,
}

fn is_num_char(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c) || c == '.' || c == '．'
}

/// A char of a row's values in normalised text (white space is already gone): digits, decimal
/// points, signs and the dashes or slashes printed for a blank cell.
fn is_value_char(c: char) -> bool {
    c.is_ascii_digit() || matches!(c, '.' | '-' | '/')
}

/// Tokenises a region of the original text starting at byte `base` of `body`.
fn tokenize(region: &str, base: usize, word_dump: bool) -> Vec<Tok<'_>> {
    let mut toks = Vec::with_capacity(region.len() / 8);
    if word_dump {
        // One cell per line; a line with only a tab is an empty cell.
        let mut off = 0;
        for line in lines_inclusive(region) {
            let start = off;
            off += line.len();
            let content = line.trim_end_matches('\n');
            if content.starts_with('\t') && content.trim().is_empty() {
                toks.push(Tok::EmptyCell(base + start));
                continue;
            }
            // Each line is read on its own: a token never looks back into the line before.
            let first = toks.len();
            tokenize_into(content, base + start, first, &mut toks);
        }
        return toks;
    }
    tokenize_into(region, base, 0, &mut toks);
    toks
}

/// Tokenises `region` (at byte `base`), appending to `toks`; tokens before `first` belong to
/// earlier lines and are never looked at.
fn tokenize_into<'a>(region: &'a str, base: usize, first: usize, toks: &mut Vec<Tok<'a>>) {
    let mut chars = region.char_indices().peekable();
    // 「减4」 in 本年增/减 is minus four (「9减4」: 9 in the column before, then −4); 「增4」 plus.
    let mut minus = false;
    while let Some(&(i, c)) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
            continue;
        }
        let starts_number = is_num_char(c)
            || matches!(c, '-' | '－')
                && region[i + c.len_utf8()..]
                    .chars()
                    .next()
                    .is_some_and(|d| d.is_ascii_digit() || ('０'..='９').contains(&d));
        if starts_number {
            // The printed run, and whether it is already in canonical form (ASCII).
            let mut ascii = true;
            if matches!(c, '-' | '－') {
                ascii &= c == '-';
                chars.next();
            }
            let mut end = region.len();
            while let Some(&(j, d)) = chars.peek() {
                if is_num_char(d) {
                    ascii &= d.is_ascii();
                    chars.next();
                } else {
                    end = j;
                    break;
                }
            }
            let printed = &region[i..end];
            let mut s: Cow<'a, str> = if ascii {
                Cow::Borrowed(printed)
            } else {
                Cow::Owned(
                    printed
                        .chars()
                        .map(|d| match d {
                            '－' => '-',
                            '．' => '.',
                            '０'..='９' => char::from_u32(d as u32 - '０' as u32 + '0' as u32).unwrap_or(d),
                            _ => d,
                        })
                        .collect(),
                )
            };
            // 「约30」「30余」「30多」 are not numbers.
            let last = if toks.len() > first { toks.last() } else { None };
            let prev_fuzzy = matches!(last, Some(Tok::NonNumeric(x, _)) if x == "约");
            let next_fuzzy = chars.peek().is_some_and(|&(_, d)| matches!(d, '余' | '多' | '左'));
            if prev_fuzzy || next_fuzzy {
                if toks.len() > first {
                    toks.pop_if(|t| matches!(t, Tok::NonNumeric(..)));
                }
                let mut raw = if prev_fuzzy { "约".to_string() } else { String::new() };
                raw.push_str(&s);
                if next_fuzzy {
                    if let Some((_, d)) = chars.next() {
                        raw.push(d);
                    }
                }
                toks.push(Tok::NonNumeric(Cow::Owned(raw), base + i));
                continue;
            }
            let trimmed_len = s.trim_end_matches('.').len();
            match &mut s {
                Cow::Borrowed(b) => *b = &b[..trimmed_len],
                Cow::Owned(o) => o.truncate(trimmed_len),
            }
            if s.is_empty() || s == "-" {
                toks.push(Tok::Text);
            } else if std::mem::take(&mut minus) && !s.starts_with('-') {
                toks.push(Tok::Num(Cow::Owned(format!("-{s}")), base + i));
            } else {
                toks.push(Tok::Num(s, base + i));
            }
            continue;
        }
        if matches!(c, '-' | '—' | '–' | '－' | '/' | '／') {
            // A lone dash (or 「——」) is a blank cell.
            let mut n = 0;
            while let Some(&(_, d)) = chars.peek() {
                if matches!(d, '-' | '—' | '–' | '－' | '/' | '／') {
                    chars.next();
                    n += 1;
                } else {
                    break;
                }
            }
            let followed_by_space = chars.peek().is_none_or(|&(_, d)| d.is_whitespace());
            toks.push(if n > 0 && followed_by_space { Tok::Blank(base + i) } else { Tok::Text });
            continue;
        }
        // A text run.
        let mut run_end = i;
        while let Some(&(j, d)) = chars.peek() {
            if d.is_whitespace() || is_num_char(d) || matches!(d, '-' | '—' | '－') {
                break;
            }
            run_end = j + d.len_utf8();
            chars.next();
        }
        let s = &region[i..run_end];
        let after_number = toks.len() > first && matches!(toks.last(), Some(Tok::Num(..)));
        let number_follows = chars.peek().is_some_and(|&(_, d)| d.is_ascii_digit() || ('０'..='９').contains(&d));
        if matches!(s, "减" | "增") && number_follows {
            minus = s == "减";
            continue;
        }
        if s == "约" {
            toks.push(Tok::NonNumeric(Cow::Borrowed(s), base + i));
        } else if after_number && ["万元", "元", "条", "件", "次", "篇", "个", "项", "人次", "人"].contains(&s)
        {
            toks.push(Tok::Unit(s));
        } else if s == "无" {
            toks.push(Tok::Blank(base + i));
        } else {
            toks.push(Tok::Text);
        }
    }
}

/// The value-like tokens of a region: numbers, blanks and non-numbers. Empty Word-dump lines
/// after the last value are the next row's empty merged label cells, not values, and are
/// dropped; an explicit blank (「—」) is always a cell, even the last one of a row. Explicit
/// blanks before the values are dropped only while more than `columns` (the row's cell count)
/// remain: table 4's data row may begin with a blank cell.
fn values(mut v: Vec<Tok<'_>>, columns: usize) -> Vec<Tok<'_>> {
    v.retain(|t| matches!(t, Tok::Num(..) | Tok::Blank(_) | Tok::EmptyCell(_) | Tok::NonNumeric(..)));
    while matches!(v.last(), Some(Tok::EmptyCell(_))) {
        v.pop();
    }
    let mut lead = 0;
    while let Some(t) = v.get(lead) {
        // Empty Word-dump lines before a row's seven cells are its merged label cells; an
        // explicit blank is a cell unless more than the row's cells remain.
        let cells = match t {
            Tok::EmptyCell(_) => 7,
            Tok::Blank(_) => columns,
            _ => break,
        };
        if v.len() - lead <= cells {
            break;
        }
        lead += 1;
    }
    v.drain(..lead);
    for t in &mut v {
        if let Tok::EmptyCell(b) = *t {
            *t = Tok::Blank(b);
        }
    }
    v
}

// ---------------------------------------------------------------------------------------------
// Table reading

struct Builder<'a> {
    doc: &'a Doc,
    /// The table-2 figures the prose states, read once when first needed.
    prose: OnceLock<Vec<ProactiveFigure>>,
    /// The section headings, found once.
    headings: Vec<(usize, usize, SectionKey, u32)>,
    notes: Vec<ImportNote>,
    cells: Vec<(String, CellSource)>,
    column_major: bool,
}

struct Table3 {
    table: RequestTable,
    template: Template,
    start: usize,
    end: usize,
}

/// Where a row label was found (normalised positions).
#[derive(Debug, Clone, Copy)]
struct RowMatch {
    /// Start of the numbering (or of the label when unnumbered).
    num_start: usize,
    label_end: usize,
    /// The row's values when they stand inside the label (a label wrapped after its numbers).
    inner: Option<(usize, usize)>,
}

/// One cell as read: its value and, when read from the text, the raw text and byte offset.
type ReadCell<'a> = (Option<i64>, Option<(Cow<'a, str>, usize)>);

/// A row's values as resolved so far.
enum RowValues<'a> {
    Known(Vec<ReadCell<'a>>),
    Candidates(Vec<[i64; 7]>, String, usize),
    Pending,
    Unknown,
}

impl<'a> Builder<'a> {
    /// The table-2 figures of the whole text ([`text_figure::proactive_figures`]).
    fn prose_figures(&self) -> &[ProactiveFigure] {
        self.prose.get_or_init(|| text_figure::proactive_figures(&self.doc.norm))
    }

    fn note(&mut self, path: &str, line: Option<usize>, message: String) {
        self.notes.push(ImportNote { path: path.to_string(), line, message });
    }

    fn record(&mut self, path: String, label: Cow<'static, str>, column: &'static str, byte: usize, raw: &str) {
        let line = self.doc.line_of_byte(byte);
        self.cells.push((
            path,
            CellSource { label, column: Cow::Borrowed(column), line, raw: raw_text(raw), location: None },
        ));
    }

    /// Finds a label (with its numbering) in `[from, to)`.
    fn find_label(
        &self,
        number: &'static str,
        label: &'static str,
        variants: &[&'static str],
        from: usize,
        to: usize,
    ) -> Option<RowMatch> {
        let mut best: Option<RowMatch> = None;
        for l in std::iter::once(&label).chain(variants.iter()) {
            let pat = chars(l);
            let short = pat.len() <= 2;
            let prefer_number = pat.len() <= 4;
            let mut at = from;
            let mut fallback = None;
            // Only an earlier match can replace the best one: search no further than it.
            let to = best.map_or(to, |b| to.min(b.num_start + pat.len() + 8));
            while let Some((p, end, inner)) = self.doc.find_wrapped(pat, at, to) {
                let num = self.number_before(p, number);
                if num.is_some() || !prefer_number {
                    let start = num.unwrap_or(p);
                    if best.is_none_or(|b| start < b.num_start || start == b.num_start && end > b.label_end) {
                        best = Some(RowMatch { num_start: start, label_end: end, inner });
                    }
                    break;
                }
                if !short && fallback.is_none() {
                    fallback = Some(RowMatch { num_start: p, label_end: end, inner });
                }
                at = p + 1;
            }
            if let Some(f) = fallback {
                if best.is_none_or(|b| f.num_start < b.num_start) {
                    best = Some(f);
                }
            }
        }
        best
    }

    /// If the normalised text just before `p` is the numbering `number` (「1.」「1、」「（一）」
    /// 「一、」), returns where the numbering starts.
    fn number_before(&self, p: usize, number: &'static str) -> Option<usize> {
        numbering_forms(number)
            .iter()
            .find_map(|a| (p >= a.len() && self.doc.norm[p - a.len()..p] == **a).then(|| p - a.len()))
    }

    fn region_values(&self, a: usize, b: usize, columns: usize) -> Vec<Tok<'a>> {
        values(self.region_tokens(a, b), columns)
    }

    /// The tokens of a region (not yet reduced to values).
    fn region_tokens(&self, a: usize, b: usize) -> Vec<Tok<'a>> {
        let doc: &'a Doc = self.doc;
        let region = doc.orig(a, b);
        let base = doc.map[a.min(doc.norm.len())];
        let word_dump = lines_inclusive(region).skip(1).filter(|l| l.starts_with('\t')).nth(2).is_some();
        tokenize(region, base, word_dump)
    }

    // --- table 3 -----------------------------------------------------------------------------

    fn table3(&mut self) -> Option<Table3> {
        let first = template::t3_row(RequestRow::Received);
        let anchor = self.find_label(first.number, first.label, first.variants, 0, self.doc.norm.len())?;
        let start = anchor.num_start;
        let t4_anchor = self.doc.find(chars(template::T4_REVIEW), anchor.label_end, self.doc.norm.len());
        let limit = t4_anchor.unwrap_or(self.doc.norm.len());
        let has_sub_rows = self
            .find_label(
                template::t3_row(RequestRow::NoCorrection).number,
                template::t3_row(RequestRow::NoCorrection).label,
                template::t3_row(RequestRow::NoCorrection).variants,
                start,
                limit,
            )
            .is_some();
        // The table's own layout: the three 其他处理 sub-rows exist only in 2021.
        let layout = if has_sub_rows { Template::V2021 } else { Template::V2019 };
        let rows: Vec<&RowSpec> = template::T3_ROWS.iter().filter(|r| r.versions.includes(layout)).collect();

        // Find every row label in order.
        let mut found: Vec<(&RowSpec, RowMatch)> = Vec::new();
        let mut cursor = start;
        for spec in &rows {
            let mut hit = self.find_label(spec.number, spec.label, spec.variants, cursor, limit);
            if spec.key == RequestRow::OtherHandlingOther && hit.is_none() {
                // 「其他」 is too short to be looked for without its 「3.」 anywhere, but printed
                // without it (「其他」 under 「2.…逾期未缴费…」) it is the first 其他 before
                // 「（七）总计」.
                let total = template::t3_row(RequestRow::OutcomesTotal);
                let next = self
                    .find_label(total.number, total.label, total.variants, cursor, limit)
                    .map_or(limit, |t| t.num_start);
                hit = self.doc.find(chars(spec.label), cursor, next).map(|p| RowMatch {
                    num_start: p,
                    label_end: p + chars(spec.label).len(),
                    inner: None,
                });
            }
            match hit {
                Some(m) => {
                    cursor = m.label_end;
                    found.push((spec, m));
                }
                None => {
                    let line = Some(self.doc.line_of(cursor));
                    self.note(
                        &format!("requests.{}", spec.path),
                        line,
                        format!("表三未找到行「{}」，该行留空", spec.full_label()),
                    );
                }
            }
        }
        let mut table = RequestTable::blank();
        let mut resolved: Vec<(&RowSpec, RowValues, String)> = Vec::new();
        let mut pending: Vec<usize> = Vec::new();
        for i in 0..found.len() {
            let (spec, m) = found[i];
            let end = found.get(i + 1).map(|(_, n)| n.num_start).unwrap_or(limit);
            let (printed, vals) = match m.inner {
                None => (
                    self.doc.orig(m.num_start, m.label_end).trim().to_string(),
                    self.region_values(m.label_end, end, 7),
                ),
                // The values stand between the label's head and its wrapped tail.
                Some((a, b)) => {
                    let printed = [self.doc.orig(m.num_start, a).trim(), self.doc.orig(b, m.label_end).trim()].concat();
                    let mut toks = self.region_tokens(a, b);
                    toks.extend(self.region_tokens(m.label_end, end));
                    (printed, values(toks, 7))
                }
            };
            let path = || dotted(&["requests", spec.path]);
            let nums: Vec<&Tok> = vals.iter().filter(|t| matches!(t, Tok::Num(..))).collect();
            let rv = if vals.len() == 7 {
                RowValues::Known(self.cells_of(&vals, spec.path))
            } else if vals.is_empty() {
                RowValues::Pending
            } else if !pending.is_empty() && nums.len() == 7 * (pending.len() + 1) && nums.len() == vals.len() {
                // Column by column: the numbers of this row and of the rows before it that had none.
                let mut group: Vec<usize> = pending.clone();
                group.push(resolved.len());
                let flat: Vec<(i64, Cow<'a, str>, usize)> = vals
                    .iter()
                    .filter_map(|t| match t {
                        Tok::Num(s, b) => s.parse::<i64>().ok().map(|v| (v, s.clone(), *b)),
                        _ => None,
                    })
                    .collect();
                if flat.len() == nums.len() {
                    let r = group.len();
                    let score = |get: &dyn Fn(usize, usize) -> i64| {
                        (0..r).filter(|&k| (0..6).map(|c| get(k, c)).sum::<i64>() == get(k, 6)).count()
                    };
                    let col_major = score(&|k, c| flat[c * r + k].0) > score(&|k, c| flat[k * 7 + c].0);
                    if col_major {
                        self.column_major = true;
                    }
                    let idx = |k: usize, c: usize| if col_major { c * r + k } else { k * 7 + c };
                    for (k, &row_i) in group.iter().enumerate() {
                        let cells: Vec<ReadCell> = (0..7)
                            .map(|c| {
                                let (v, s, b) = &flat[idx(k, c)];
                                (Some(*v), Some((s.clone(), *b)))
                            })
                            .collect();
                        if row_i < resolved.len() {
                            resolved[row_i].1 = RowValues::Known(cells);
                        } else {
                            resolved.push((spec, RowValues::Known(cells), printed.clone()));
                        }
                    }
                    pending.clear();
                    continue;
                }
                RowValues::Unknown
            } else if nums.len() == vals.len() && nums.len() < 7 {
                let digits: Vec<&str> = nums
                    .iter()
                    .filter_map(|t| match t {
                        Tok::Num(s, _) if s.chars().all(|c| c.is_ascii_digit()) => Some(s.as_ref()),
                        _ => None,
                    })
                    .collect();
                let byte = match nums.first() {
                    Some(Tok::Num(_, b)) => *b,
                    _ => 0,
                };
                if digits.len() == nums.len() {
                    match split::row_candidates(&digits) {
                        Some(c) if !c.is_empty() => RowValues::Candidates(c, digits.join(" "), byte),
                        Some(_) => {
                            // No split satisfies the row total: accept a split only if it is the only one.
                            let all = split::splits(&digits, 7, 3);
                            if all.len() == 1 {
                                let cells = all[0]
                                    .iter()
                                    .map(|v| (Some(*v), Some((Cow::Owned(digits.join(" ")), byte))))
                                    .collect();
                                RowValues::Known(cells)
                            } else {
                                let line = Some(self.doc.line_of_byte(byte));
                                self.note(
                                    &path(),
                                    line,
                                    format!(
                                        "表三「{printed}」行的数字「{}」连写在一起，任何拆分都不满足“总计=各列之和”，且拆分方式不唯一，该行留空",
                                        digits.join(" ")
                                    ),
                                );
                                RowValues::Unknown
                            }
                        }
                        None => RowValues::Unknown,
                    }
                } else {
                    RowValues::Unknown
                }
            } else {
                RowValues::Unknown
            };
            if matches!(rv, RowValues::Unknown) && !vals.is_empty() {
                let has_nonnumeric = vals.iter().any(|t| matches!(t, Tok::NonNumeric(..)));
                let line = Some(self.doc.line_of(m.label_end));
                if !has_nonnumeric {
                    self.note(
                        &path(),
                        line,
                        format!("表三「{printed}」行读到 {} 个数值，应为 7 个，无法确定各列，该行留空", vals.len()),
                    );
                }
            }
            if matches!(rv, RowValues::Pending) {
                pending.push(resolved.len());
            }
            resolved.push((spec, rv, printed));
        }
        for &p in &pending {
            let (spec, _, printed) = &resolved[p];
            let path = format!("requests.{}", spec.path);
            self.note(&path, None, format!("表三「{printed}」行后没有找到数值，该行留空"));
        }

        self.resolve_flat_rows(&mut resolved);

        for (spec, rv, printed) in &resolved {
            if let RowValues::Known(cells) = rv {
                let row = table.row_mut(spec.key);
                let label = printed_label(printed, spec.number, spec.label);
                for (col, (v, src)) in Column::ALL.iter().zip(cells.iter()) {
                    *row.get_mut(*col) = *v;
                    if let Some((raw, byte)) = src {
                        let path = dotted(&["requests", spec.path, col.name()]);
                        self.record(path, label.clone(), template::column_label(*col), *byte, raw);
                    }
                }
            }
        }
        if layout == Template::V2021 {
            // The 2021 template prints no 其他处理 total; it is the sum of the three sub-rows.
            for col in Column::ALL {
                let parts: Option<i64> =
                    template::OTHER_HANDLING_PARTS.iter().map(|k| table.row(*k).and_then(|r| r.get(col))).sum();
                *table.outcomes.other_handling.total.get_mut(col) = parts;
            }
        }
        let end = found.last().map(|(_, m)| m.label_end).unwrap_or(start);
        Some(Table3 { table, template: layout, start, end: end.max(limit.min(self.doc.norm.len())) })
    }

    /// Turns a region's value tokens into cells of the table-3 row at `row_path`, noting
    /// non-numbers.
    fn cells_of(&mut self, vals: &[Tok<'a>], row_path: &str) -> Vec<ReadCell<'a>> {
        let mut out = Vec::with_capacity(vals.len());
        for (i, t) in vals.iter().enumerate() {
            match t {
                Tok::Num(s, b) => match s.parse::<i64>() {
                    Ok(v) => out.push((Some(v), Some((s.clone(), *b)))),
                    Err(_) => {
                        let line = Some(self.doc.line_of_byte(*b));
                        self.note(
                            &format!("requests.{row_path}.{}", Column::ALL.get(i).map(|c| c.name()).unwrap_or("?")),
                            line,
                            format!("{NONNUMERIC_NOTE_PREFIX}单元格「{s}」不是整数，按空白处理"),
                        );
                        out.push((None, None));
                    }
                },
                Tok::NonNumeric(s, b) => {
                    let line = Some(self.doc.line_of_byte(*b));
                    self.note(
                        &format!("requests.{row_path}.{}", Column::ALL.get(i).map(|c| c.name()).unwrap_or("?")),
                        line,
                        format!("{NONNUMERIC_NOTE_PREFIX}单元格「{s}」不是数字，按空白处理"),
                    );
                    out.push((None, None));
                }
                _ => out.push((None, None)),
            }
        }
        out
    }

    /// Chooses among the splits of flattened rows with the column equations of table 3.
    fn resolve_flat_rows(&mut self, rows: &mut [(&RowSpec, RowValues<'a>, String)]) {
        let mut fixed: Vec<Option<[i64; 7]>> = vec![None; rows.len()];
        let mut ambiguous: Vec<(usize, Vec<[i64; 7]>)> = Vec::new();
        for (i, (_, rv, _)) in rows.iter().enumerate() {
            match rv {
                RowValues::Known(cells) => {
                    let mut a = [0i64; 7];
                    let mut all = true;
                    for (k, (v, _)) in cells.iter().enumerate().take(7) {
                        match v {
                            Some(x) => a[k] = *x,
                            None => all = false,
                        }
                    }
                    if all {
                        fixed[i] = Some(a);
                    }
                }
                RowValues::Candidates(c, _, _) if c.len() == 1 => fixed[i] = Some(c[0]),
                RowValues::Candidates(c, _, _) => ambiguous.push((i, c.clone())),
                _ => {}
            }
        }
        let keys: Vec<RequestRow> = rows.iter().map(|(s, _, _)| s.key).collect();
        let mut chosen: Vec<Option<[i64; 7]>> = vec![None; ambiguous.len()];
        if !ambiguous.is_empty() {
            let combos: usize =
                ambiguous.iter().map(|(_, c)| c.len()).try_fold(1usize, |a, n| a.checked_mul(n)).unwrap_or(usize::MAX);
            if combos <= 200_000 {
                let mut best_score = -1i64;
                let mut best: Vec<Vec<[i64; 7]>> = Vec::new();
                let mut idx = vec![0usize; ambiguous.len()];
                loop {
                    let mut vals = fixed.clone();
                    for (j, (i, c)) in ambiguous.iter().enumerate() {
                        vals[*i] = Some(c[idx[j]]);
                    }
                    let score = column_score(&keys, &vals);
                    let pick: Vec<[i64; 7]> = ambiguous.iter().enumerate().map(|(j, (_, c))| c[idx[j]]).collect();
                    if score > best_score {
                        best_score = score;
                        best = vec![pick];
                    } else if score == best_score {
                        best.push(pick);
                    }
                    // Next combination.
                    let mut k = 0;
                    loop {
                        if k == idx.len() {
                            break;
                        }
                        idx[k] += 1;
                        if idx[k] < ambiguous[k].1.len() {
                            break;
                        }
                        idx[k] = 0;
                        k += 1;
                    }
                    if k == idx.len() {
                        break;
                    }
                }
                for j in 0..ambiguous.len() {
                    let first = best.first().map(|b| b[j]);
                    if best.iter().all(|b| Some(b[j]) == first) {
                        chosen[j] = first;
                    }
                }
            }
        }
        for (j, (i, cands)) in ambiguous.iter().enumerate() {
            let (spec, rv, printed) = &mut rows[*i];
            let (raw, byte) = match rv {
                RowValues::Candidates(_, r, b) => (r.clone(), *b),
                _ => (String::new(), 0),
            };
            match chosen[j] {
                Some(v) => {
                    *rv =
                        RowValues::Known(v.iter().map(|x| (Some(*x), Some((Cow::Owned(raw.clone()), byte)))).collect())
                }
                None => {
                    let shown: Vec<String> = cands.iter().take(4).map(|c| format!("{c:?}")).collect();
                    let line = Some(self.doc.line_of_byte(byte));
                    self.notes.push(ImportNote {
                        path: format!("requests.{}", spec.path),
                        line,
                        message: format!(
                            "表三「{printed}」行的数字「{raw}」连写在一起，可拆分为 {} 种结果（如 {}），表内勾稽关系也无法确定唯一拆分，该行留空",
                            cands.len(),
                            shown.join("、")
                        ),
                    });
                    *rv = RowValues::Unknown;
                }
            }
        }
        for (i, (_, rv, _)) in rows.iter_mut().enumerate() {
            if let (RowValues::Candidates(c, raw, byte), Some(v)) = (&*rv, fixed[i]) {
                if c.len() == 1 {
                    let (raw, byte) = (raw.clone(), *byte);
                    *rv =
                        RowValues::Known(v.iter().map(|x| (Some(*x), Some((Cow::Owned(raw.clone()), byte)))).collect());
                }
            }
        }
    }

    // --- table 4 -----------------------------------------------------------------------------

    fn table4(&mut self, after: usize) -> Option<ReviewLitigation> {
        let n = self.doc.norm.len();
        let anchor = self.doc.find(chars(template::T4_REVIEW), after, n)?;
        // The fifteen result headers, in order; the values follow the last one.
        // When the headers were extracted out of order (column-wise PDF text), the values
        // follow the whole header block instead.
        let mut cursor = anchor;
        'headers: for _ in 0..3 {
            for r in template::T4_RESULTS {
                let pat = chars(r.label);
                match self.doc.find(pat, cursor, (cursor + 400).min(n)) {
                    Some(p) => cursor = p + pat.len(),
                    None => {
                        cursor = anchor + 1;
                        break 'headers;
                    }
                }
            }
        }
        let end = self.next_heading_after(cursor).unwrap_or((cursor + 400).min(n));
        let vals = self.region_values(cursor, end, 15);
        let nums: Vec<&Tok> = vals.iter().take_while(|t| matches!(t, Tok::Num(..) | Tok::Blank(_))).collect();
        let mut t4 = ReviewLitigation::blank();
        let slots: Vec<(CaseGroup, CaseResult)> =
            CaseGroup::ALL.iter().flat_map(|g| CaseResult::ALL.iter().map(move |r| (*g, *r))).collect();
        let line = Some(self.doc.line_of(cursor));
        if nums.len() >= 15 {
            for ((g, r), t) in slots.iter().zip(nums.iter()) {
                let path = dotted(&["review_litigation", g.name(), r.name()]);
                if let Tok::Num(s, b) = t {
                    match s.parse::<i64>() {
                        Ok(v) => {
                            *t4.group_mut(*g).get_mut(*r) = Some(v);
                            self.record(
                                path,
                                Cow::Borrowed(template::group_label(*g)),
                                template::result_label(*r),
                                *b,
                                s,
                            );
                        }
                        Err(_) => {
                            self.note(&path, line, format!("{NONNUMERIC_NOTE_PREFIX}单元格「{s}」不是整数，按空白处理"))
                        }
                    }
                }
            }
            return Some(t4);
        }
        let digits: Vec<&str> = nums
            .iter()
            .filter_map(|t| match t {
                Tok::Num(s, _) if s.chars().all(|c| c.is_ascii_digit()) => Some(s.as_ref()),
                _ => None,
            })
            .collect();
        if !digits.is_empty() && digits.len() == nums.len() {
            let byte = match nums.first() {
                Some(Tok::Num(_, b)) => *b,
                _ => 0,
            };
            if let Some(mut c) = split::table4_candidates(&digits) {
                if c.is_empty() {
                    // No split makes every group's 总计 right, but if the digits can be cut into
                    // fifteen cells one way only, that is what the report printed: kept, so that
                    // the rules report the error the report really contains.
                    let all = split::splits(&digits, 15, 2);
                    if let [only] = all.as_slice() {
                        if let Ok(cells) = <[i64; 15]>::try_from(only.clone()) {
                            self.note(
                                "review_litigation",
                                line,
                                format!(
                                    "表四的数字「{}」连写在一起，只有一种拆分，但各组“总计”与其结果之和不符：按此拆分读取，不符之处见检查结果",
                                    digits.join(" ")
                                ),
                            );
                            c.push(cells);
                        }
                    }
                }
                if c.len() == 1 {
                    for ((g, r), v) in slots.iter().zip(c[0].iter()) {
                        *t4.group_mut(*g).get_mut(*r) = Some(*v);
                        let path = dotted(&["review_litigation", g.name(), r.name()]);
                        self.record(
                            path,
                            Cow::Borrowed(template::group_label(*g)),
                            template::result_label(*r),
                            byte,
                            &digits.join(" "),
                        );
                    }
                    return Some(t4);
                }
                self.note(
                    "review_litigation",
                    line,
                    format!(
                        "表四的数字「{}」连写在一起，满足各组“总计”的拆分有 {} 种，无法确定，表四留空",
                        digits.join(" "),
                        c.len()
                    ),
                );
                return Some(t4);
            }
        }
        self.note("review_litigation", line, format!("表四读到 {} 个数值，应为 15 个，表四留空", nums.len()));
        Some(t4)
    }

    // --- table 2 -----------------------------------------------------------------------------

    fn table2(&mut self, end: usize) -> Option<(Proactive, Template)> {
        let start = self.doc.find(chars("第二十条"), 0, end)?;
        // Table 2 ends where the next table or section starts.
        let mut end = end;
        if let Some(p) = self.doc.find(chars(template::LEGACY_HEADER[0]), start, end) {
            end = p;
        }
        if let Some(p) = self.next_heading_after(start) {
            end = end.min(p);
        }
        let has = |ms: &[&'static str]| ms.iter().any(|m| self.doc.find(chars(m), start, end).is_some());
        let version = if has(template::T2_2019_MARKERS) {
            Template::V2019
        } else if has(template::T2_2021_MARKERS) {
            Template::V2021
        } else {
            return None;
        };
        let blocks = template::t2_blocks(version);
        // Locate every data row label in order.
        let mut found: Vec<(&T2Block, usize, usize, usize)> = Vec::new(); // block, row index, start, end
        let mut cursor = start;
        for block in blocks {
            if let Some(p) = self.doc.find(chars(block.title), cursor, end) {
                cursor = p;
            }
            for (ri, row) in block.rows.iter().enumerate() {
                let mut hit: Option<(usize, usize)> = None;
                for l in std::iter::once(&row.label).chain(row.variants.iter()) {
                    let pat = chars(l);
                    if let Some(p) = self.doc.find(pat, cursor, end) {
                        if hit.is_none_or(|(s, e)| p < s || p == s && p + pat.len() > e) {
                            hit = Some((p, p + pat.len()));
                        }
                    }
                }
                match hit {
                    Some((s, e)) => {
                        found.push((block, ri, s, e));
                        cursor = e;
                    }
                    None => self.note(
                        &format!("proactive.{}", row.key),
                        None,
                        format!("表二未找到行「{}」，该行留空", row.label),
                    ),
                }
            }
        }
        let mut p = Proactive::default();
        let title_pat = chars("第二十条");
        for i in 0..found.len() {
            let (block, ri, s, e) = found[i];
            let row = &block.rows[ri];
            let mut stop = found.get(i + 1).map(|f| f.2).unwrap_or(end);
            if let Some(t) = self.doc.find(title_pat, e, stop) {
                stop = t;
            }
            if let Some(h) = self.doc.subheading_in(e, stop) {
                stop = h;
            }
            let printed = self.doc.orig(s, e).trim().to_string();
            let vals = self.region_values(e, stop, 7);
            // Units (万元, 元, 条…) are read from the region as one run of text; a region without
            // any of their characters has none, and is not tokenised a second time.
            let region = self.doc.orig(e, stop);
            let toks = if region.contains(['元', '条', '件', '次', '篇', '个', '项', '人']) {
                tokenize(region, self.doc.map[e], false)
            } else {
                Vec::new()
            };
            let n = block.columns.len();
            let path = dotted(&["proactive", row.key]);
            let mut cells: Vec<Option<Cow<'a, str>>> = vec![None; n];
            let mut units: Vec<Option<&str>> = vec![None; n];
            let mut bytes: Vec<usize> = vec![0; n];
            if vals.len() == n {
                for (k, t) in vals.iter().enumerate() {
                    match t {
                        Tok::Num(s, b) => {
                            cells[k] = Some(s.clone());
                            bytes[k] = *b;
                            // The unit printed right after the number, if any.
                            let pos = toks.iter().position(|x| x == t);
                            if let Some(Tok::Unit(u)) = pos.and_then(|q| toks.get(q + 1)) {
                                units[k] = Some(*u);
                            }
                        }
                        Tok::NonNumeric(s, b) => {
                            let line = Some(self.doc.line_of_byte(*b));
                            self.note(
                                &format!("{path}.{}", block.columns[k].key),
                                line,
                                format!("{NONNUMERIC_NOTE_PREFIX}单元格「{s}」不是数字，按空白处理"),
                            );
                        }
                        _ => {}
                    }
                }
            } else if !vals.is_empty()
                && vals.iter().all(|t| matches!(t, Tok::Num(s, _) if s.chars().all(|c| c.is_ascii_digit())))
            {
                let digits: Vec<&str> = vals
                    .iter()
                    .filter_map(|t| match t {
                        Tok::Num(s, _) => Some(s.as_ref()),
                        _ => None,
                    })
                    .collect();
                let mut all = split::splits(&digits, n, 3);
                let line = Some(self.doc.line_of(e));
                // Several splits: the one the prose confirms, if exactly one agrees with every
                // figure the prose states for this row (and it states at least one). Only then
                // are all the splits enumerated (up to a thousand).
                let stated: Vec<ProactiveFigure> = if all.len() > 1 {
                    self.prose_figures().iter().filter(|f| f.row == row.key).cloned().collect()
                } else {
                    Vec::new()
                };
                if !stated.is_empty() {
                    all = split::splits(&digits, n, 1000);
                }
                let agrees = |v: &Vec<i64>| {
                    stated.iter().all(|f| {
                        block.columns.iter().position(|c| c.key == f.column).is_none_or(|k| v.get(k) == Some(&f.value))
                    })
                };
                let usable = stated.iter().any(|f| block.columns.iter().any(|c| c.key == f.column));
                let confirmed: Vec<&Vec<i64>> =
                    if usable && all.len() < 1000 { all.iter().filter(|v| agrees(v)).collect() } else { Vec::new() };
                if all.len() == 1 || confirmed.len() == 1 {
                    let chosen = if all.len() == 1 { &all[0] } else { confirmed[0] };
                    for (k, v) in chosen.iter().enumerate() {
                        cells[k] = Some(Cow::Owned(v.to_string()));
                        bytes[k] = self.doc.map[e];
                    }
                    if all.len() > 1 {
                        let quotes: Vec<&str> = stated.iter().map(|f| f.quote.as_str()).collect();
                        self.note(
                            &path,
                            line,
                            format!(
                                "表二「{printed}」行的数字「{}」连写在一起，有 {} 种拆分；按正文所述「{}」选定其中唯一相符的一种",
                                digits.join(" "),
                                all.len(),
                                quotes.join("、")
                            ),
                        );
                    }
                } else {
                    self.note(
                        &path,
                        line,
                        format!(
                            "表二「{printed}」行的数字「{}」连写在一起，应为 {n} 个单元格，拆分方式不唯一（表二无勾稽关系可据以拆分），该行留空",
                            digits.join(" ")
                        ),
                    );
                }
            } else if !vals.is_empty() {
                let line = Some(self.doc.line_of(e));
                self.note(&path, line, format!("表二「{printed}」行读到 {} 个数值，应为 {n} 个，该行留空", vals.len()));
            }
            // Build the typed block.
            let count = |k: usize, this: &mut Self| -> Option<i64> {
                let s = cells.get(k)?.as_ref()?;
                match s.parse::<i64>() {
                    Ok(v) => Some(v),
                    Err(_) => {
                        this.note(
                            &format!("{path}.{}", block.columns[k].key),
                            Some(this.doc.line_of_byte(bytes[k])),
                            format!("{NONNUMERIC_NOTE_PREFIX}单元格「{s}」应为整数，按空白处理"),
                        );
                        None
                    }
                }
            };
            let amount = |k: usize| -> Option<Amount> { cells.get(k)?.as_ref().and_then(|s| Amount::parse(s).ok()) };
            let label = printed_label(&printed, "", row.label);
            for k in 0..n {
                if let Some(raw) = &cells[k] {
                    let col = &block.columns[k];
                    self.record(dotted(&[&path, col.key]), label.clone(), col.label, bytes[k], raw);
                }
            }
            match (version, row.key) {
                (Template::V2021, "rules" | "normative_documents") => {
                    let d = DocumentCounts::V2021 {
                        issued: count(0, self),
                        repealed: count(1, self),
                        in_force: count(2, self),
                    };
                    if row.key == "rules" {
                        p.rules = Some(d)
                    } else {
                        p.normative_documents = Some(d)
                    }
                }
                (_, "rules" | "normative_documents") => {
                    let d = DocumentCounts::V2019 {
                        made: count(0, self),
                        published: count(1, self),
                        published_total: count(2, self),
                    };
                    if row.key == "rules" {
                        p.rules = Some(d)
                    } else {
                        p.normative_documents = Some(d)
                    }
                }
                (_, "licensing" | "other_services" | "penalties" | "coercive_measures") => {
                    let item = if version == Template::V2021 {
                        ItemCounts::V2021 { decisions: count(0, self) }
                    } else {
                        ItemCounts::V2019 {
                            previous_items: count(0, self),
                            change: count(1, self),
                            decisions: count(2, self),
                        }
                    };
                    match row.key {
                        "licensing" => p.licensing = Some(item),
                        "other_services" => p.other_services = Some(item),
                        "penalties" => p.penalties = Some(item),
                        _ => p.coercive_measures = Some(item),
                    }
                }
                (Template::V2021, "administrative_fees") => {
                    // 万元 is in the header (本年收费金额（单位：万元）); a cell printed in 元 is converted.
                    let a = amount(0).map(|a| if units[0] == Some("元") { shift_down(&a) } else { a });
                    p.administrative_fees = Some(AdministrativeFees::V2021 { amount_wan_yuan: a });
                }
                (_, "administrative_fees") => {
                    p.administrative_fees =
                        Some(AdministrativeFees::V2019 { previous_items: count(0, self), change: count(1, self) })
                }
                (_, "centralized_procurement") => {
                    // 采购总金额 is stored in 元: a figure printed in 万元 is converted exactly.
                    let a = amount(1).map(|a| if units[1] == Some("万元") { a.shift(4) } else { a });
                    p.centralized_procurement = Some(Procurement { projects: count(0, self), amount_yuan: a });
                }
                _ => {}
            }
        }
        Some((p, version))
    }

    // --- pre-2019 statistics -------------------------------------------------------------------

    fn legacy(&mut self) -> Option<Vec<LegacyStatistic>> {
        let n = self.doc.norm.len();
        let start = self.doc.find(chars(template::LEGACY_HEADER[0]), 0, n)?;
        let end = self.next_heading_after(start).unwrap_or(n);
        // Every known indicator, longest first so that a label inside a longer one is not taken.
        let mut hits: Vec<(usize, usize, &template::LegacyRow)> = Vec::new();
        for row in template::LEGACY_ROWS {
            let pat = chars(row.label);
            let mut at = start;
            while let Some(p) = self.doc.find(pat, at, end) {
                hits.push((p, p + pat.len(), row));
                at = p + 1;
            }
        }
        hits.sort_by_key(|(s, e, _)| (*s, std::cmp::Reverse(*e)));
        let mut kept: Vec<(usize, usize, &template::LegacyRow)> = Vec::new();
        for h in hits {
            if kept.iter().any(|k| h.0 >= k.0 && h.1 <= k.1 || k.2.key == h.2.key) {
                continue;
            }
            kept.push(h);
        }
        kept.sort_by_key(|k| k.0);
        if kept.is_empty() {
            return None;
        }
        let mut out = Vec::new();
        for i in 0..kept.len() {
            let (_, e, row) = kept[i];
            let stop = kept.get(i + 1).map(|k| k.0).unwrap_or(end);
            let region = strip_parentheticals(trim_trailing_numbering(self.doc.orig(e, stop)));
            let base = self.doc.map[e];
            let toks = tokenize(&region, base, false);
            let mut unit = None;
            let mut value = None;
            let mut raw: &str = "";
            for t in &toks {
                match t {
                    Tok::Num(s, _) if value.is_none() => {
                        value = Amount::parse(s).ok();
                        raw = s;
                    }
                    Tok::Text | Tok::Unit(_) => {}
                    _ => {}
                }
            }
            // The unit is a text run of its own (条/次/篇…); 「——」 marks a heading row.
            for piece in region.split_whitespace() {
                let p = piece.trim_matches(|c: char| c.is_ascii_digit());
                if ["条", "次", "篇", "件", "个", "万元", "元", "人次", "人", "项"].contains(&p) {
                    unit = Some(p.to_string());
                    break;
                }
            }
            if value.is_some() {
                self.record(
                    dotted(&["legacy_statistics", row.key]),
                    Cow::Borrowed(row.label),
                    template::LEGACY_HEADER[2],
                    base,
                    raw,
                );
            }
            out.push(LegacyStatistic {
                label: row.label.to_string(),
                key: Some(row.key.to_string()),
                unit: unit.or_else(|| row.unit.map(str::to_string)).filter(|_| row.unit.is_some()),
                value,
            });
        }
        Some(out)
    }

    // --- sections ------------------------------------------------------------------------------

    /// Headings 「一、总体情况」…: (start, title end, key, numeral value), in document order.
    fn headings(&self) -> Vec<(usize, usize, SectionKey, u32)> {
        self.headings.clone()
    }

    fn next_heading_after(&self, pos: usize) -> Option<usize> {
        self.headings().into_iter().map(|h| h.0).find(|&s| s > pos)
    }

    fn sections(&mut self) -> Vec<Section> {
        let hs = self.headings();
        let mut out = Vec::new();
        for (i, (s, e, key, _)) in hs.iter().enumerate() {
            let stop = hs.get(i + 1).map(|h| h.0).unwrap_or(self.doc.norm.len());
            // The prose of a table section stops where its table starts.
            let table_start = match key {
                SectionKey::Proactive => ["第二十条", "表一", template::LEGACY_HEADER[0]]
                    .iter()
                    .filter_map(|m| self.doc.find(chars(m), *e, stop))
                    .min(),
                SectionKey::Requests => [template::T3_NOTE, template::T3_APPLICANTS, "表三"]
                    .iter()
                    .filter_map(|m| self.doc.find(chars(m), *e, stop))
                    .min(),
                SectionKey::ReviewLitigation => {
                    ["表四", template::T4_REVIEW].iter().filter_map(|m| self.doc.find(chars(m), *e, stop)).min()
                }
                _ => None,
            };
            let text_end = table_start.unwrap_or(stop);
            let mut text = clean_prose(self.doc.orig(*e, text_end));
            if *key == SectionKey::OtherMatters || i + 1 == hs.len() {
                text = strip_signature(&text);
            }
            out.push(Section { key: Some(*key), title: clean_prose(self.doc.orig(*s, *e)), text });
        }
        out
    }

    // --- metadata ------------------------------------------------------------------------------

    /// The agency and the year, from the title first (then the signature, then the statistics
    /// period), never from a document the report cites (「根据《…关于编制公布2021年…报告…的通知》」
    /// in a 2022 report): where each was read goes into the provenance as `agency` and `year`.
    fn meta(&self) -> Meta {
        let body = &self.doc.body;
        let mut agency: Option<(String, MetaSource)> = None;
        let mut year: Option<(i32, MetaSource)> = None;
        if let Some(t) = find_title(body) {
            year = Some((t.year, MetaSource::new("标题", t.line, &t.text)));
            if let Some((a, from_previous)) = t.agency {
                let label = if from_previous { "标题上一行" } else { "标题" };
                agency = Some((a, MetaSource::new(label, t.line, &t.text)));
            }
        }
        if let Some(t) = &self.doc.archive_title {
            if let Some(t) = title_parts(t) {
                if year.is_none() {
                    year = Some((t.year, MetaSource::header("网页标题", self.doc.archive_lines.0, &t.text)));
                }
                if let (None, Some((a, false))) = (&agency, t.agency) {
                    agency = Some((a, MetaSource::header("网页标题", self.doc.archive_lines.0, &t.text)));
                }
            }
        }
        if year.is_none() {
            year = statistics_period(body).map(|(y, line, raw)| (y, MetaSource::new("统计期限", line, &raw)));
        }
        if year.is_none() {
            year = report_mention(body).map(|(y, line, raw)| (y, MetaSource::new("正文", line, &raw)));
        }
        // The signature: the last date in the closing lines, and the line before it.
        let mut published_on = None;
        let mut signature = None;
        // The last nine non-empty lines, last first: eight to look at and the one before them.
        let tail: Vec<&str> = body.lines().rev().map(str::trim).filter(|l| !l.is_empty()).take(9).collect();
        for (j, l) in tail.iter().enumerate().take(8) {
            if let Some(d) = parse_cn_date(l) {
                published_on = Some(d);
                if let Some(&prev) = tail.get(j + 1) {
                    if prev.chars().count() <= 40 && !prev.contains(['。', '，', '；', '：']) {
                        // Its line: where it lies in the body (it is a slice of it).
                        let byte = (prev.as_ptr() as usize).saturating_sub(body.as_ptr() as usize);
                        let line = self.doc.line_starts.partition_point(|&s| s <= byte);
                        signature = Some((prev.to_string(), line));
                    }
                }
                break;
            }
        }
        if published_on.is_none() {
            // Flattened text: a date at the very end.
            let tail: String = body.chars().rev().take(60).collect::<Vec<_>>().into_iter().rev().collect();
            published_on = parse_cn_date(tail.trim());
        }
        // A fuller name of the same agency (「洪泽区人民政府」 in the title, 「淮安市洪泽区人民政府」
        // in the signature or as the office that drew the report up) is preferred; any other
        // name is not: a department's report is often published by the government's office.
        let mut fuller: Vec<(String, MetaSource)> = Vec::new();
        if let Some((sig, line)) = signature {
            let src = MetaSource::new("落款", line, &sig);
            fuller.push((sig, src));
        }
        if let Some(p) = &self.doc.archive_publisher {
            let name = p.strip_suffix("办公室").unwrap_or(p).trim();
            if !name.is_empty() {
                fuller.push((name.to_string(), MetaSource::header("发布机构", self.doc.archive_lines.1, p)));
            }
        }
        if let Some((name, line, raw)) = drafting_office(body) {
            fuller.push((name, MetaSource::new("编制说明", line, &raw)));
        }
        for (name, src) in fuller {
            let better = match &agency {
                None => matches!(src.label, "落款" | "编制说明"),
                Some((a, _)) => name.contains(a.as_str()) && name.len() > a.len(),
            };
            if better {
                agency = Some((name, src));
            }
        }
        // A place named without its organ (「平潭综合实验区2016年度…报告」) is the government of that
        // place: 「平潭综合实验区管委会」 where the text names it so.
        if let Some((a, _)) = &agency {
            if !has_organ_suffix(a) {
                // One pass over the name's occurrences, counting the organ that follows each.
                const ORGANS: [&str; 4] = ["管委会", "管理委员会", "人民政府", "办事处"];
                let mut counts = [0usize; 4];
                for (at, _) in body.match_indices(a.as_str()) {
                    let after = &body[at + a.len()..];
                    if let Some(k) = ORGANS.iter().position(|o| after.starts_with(o)) {
                        counts[k] += 1;
                    }
                }
                let named = (0..4)
                    .filter(|&k| counts[k] > 0)
                    .max_by_key(|&k| counts[k])
                    .map(|k| (counts[k], format!("{a}{}", ORGANS[k])));
                if let Some((_, full)) = named {
                    let line = body.find(full.as_str()).map_or(0, |b| body[..b].matches('\n').count() + 1);
                    agency = Some((full.clone(), MetaSource::new("正文", line, &full)));
                }
            }
        }
        // Where each was read, as provenance cells `agency` and `year`.
        let source = |key: &str, s: &MetaSource| {
            let line = if s.header { s.line } else { s.line + self.doc.line_offset };
            let cell = CellSource {
                label: Cow::Borrowed(s.label),
                column: Cow::Borrowed(""),
                line,
                raw: Cow::Owned(s.raw.clone()),
                location: None,
            };
            (key.to_string(), cell)
        };
        let sources =
            [agency.as_ref().map(|(_, s)| source("agency", s)), year.as_ref().map(|(_, s)| source("year", s))]
                .into_iter()
                .flatten()
                .collect();
        Meta {
            agency: agency.map(|a| a.0),
            year: year.map(|y| y.0),
            published_on: published_on.or(self.doc.archive_published),
            sources,
        }
    }
}

/// Headings 「一、总体情况」…: (start, title end, key, numeral value), in document order.
///
/// One pass over the text: every Chinese numeral followed by 「、」 is a candidate, and the
/// section titles of the template are tried right after it (a few heading words may stand
/// between, as in 「六、政府信息公开工作存在的主要问题及改进措施」).
fn find_headings(doc: &Doc) -> Vec<(usize, usize, SectionKey, u32)> {
    let norm = &doc.norm;
    let pats: Vec<(SectionKey, &'static [char])> =
        template::SECTIONS.iter().flat_map(|spec| spec.matches.iter().map(move |m| (spec.key, chars(m)))).collect();
    let is_numeral = |c: char| "一二三四五六七八九十".contains(c);
    let mut cands: Vec<(usize, usize, SectionKey, u32)> = Vec::new();
    for comma in 1..norm.len() {
        if norm[comma] != ',' || !is_numeral(norm[comma - 1]) {
            continue;
        }
        let mut s = comma;
        while s > 0 && is_numeral(norm[s - 1]) {
            s -= 1;
        }
        // Not 「（一）」-style numbering.
        if s > 0 && norm[s - 1] == '(' {
            continue;
        }
        let numeral: String = norm[s..comma].iter().collect();
        let Some(value) = chinese_numeral(&numeral) else {
            continue;
        };
        'gaps: for gap in 0..=14usize {
            let at = comma + 1 + gap;
            if at >= norm.len() {
                break;
            }
            if gap > 0 && matches!(norm[at - 1], ',' | '.' | ';' | ':' | '"' | '(' | ')') {
                break;
            }
            for (key, pat) in &pats {
                if norm.len() - at >= pat.len() && norm[at..at + pat.len()] == **pat {
                    cands.push((s, at + pat.len(), *key, value));
                    break 'gaps;
                }
            }
        }
    }
    cands.sort_by_key(|c| (c.0, std::cmp::Reverse(c.1)));
    let mut out: Vec<(usize, usize, SectionKey, u32)> = Vec::new();
    for c in cands {
        if out.iter().any(|o| o.2 == c.2) {
            continue;
        }
        if let Some(l) = out.last() {
            if c.0 < l.1 || c.3 <= l.3 {
                continue;
            }
        }
        out.push(c);
    }
    out
}

struct Meta {
    agency: Option<String>,
    year: Option<i32>,
    published_on: Option<NaiveDate>,
    /// Where the agency and the year were read (`agency`, `year`).
    sources: Vec<(String, CellSource)>,
}
/// Where the agency or the year was read: a label a clerk understands (「标题」「落款」「统计期限」),
/// the 1-based line (of the body, or of the archiver's header) and the text read.
#[derive(Clone)]
struct MetaSource {
    label: &'static str,
    line: usize,
    raw: String,
    /// `line` is a line of the archiver's header, not of the body.
    header: bool,
}

impl MetaSource {
    fn new(label: &'static str, line: usize, raw: &str) -> MetaSource {
        MetaSource { label, line, raw: raw.to_string(), header: false }
    }

    /// Read in the archiver's header, at its 1-based `line` of the file.
    fn header(label: &'static str, line: usize, raw: &str) -> MetaSource {
        MetaSource { label, line, raw: raw.to_string(), header: true }
    }
}

/// Whether an agency's name ends with an organ (「…人民政府」「…局」「…管委会」), not a place only
/// (「平潭综合实验区」「××镇」「××街道」).
fn has_organ_suffix(name: &str) -> bool {
    const ORGANS: [&str; 20] = [
        "政府", "局", "委", "会", "办", "院", "厅", "室", "中心", "处", "所", "队", "部", "署", "行", "站", "馆", "社",
        "司", "组",
    ];
    ORGANS.iter().any(|o| name.ends_with(o))
}

/// A title found: its year, the agency it names (and whether that came from the line above),
/// the title's text and its 1-based line in the body.
struct Title {
    year: i32,
    agency: Option<(String, bool)>,
    text: String,
    line: usize,
}

/// How many of the first non-empty lines may hold the title (a crawler's header, a breadcrumb
/// and a Markdown front matter come before it).
const TITLE_LINES: usize = 20;

/// The title among the first lines: 「××局2022年政府信息公开工作年度报告」, 「2022年××局政府信息
/// 公开工作年度报告」, or 「2022年政府信息公开工作年度报告」 under a line naming the agency. In
/// flattened text the first line runs on into the body: it is read as its space-separated pieces.
fn find_title(body: &str) -> Option<Title> {
    let mut previous: Option<String> = None;
    let lines = body.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()).take(TITLE_LINES);
    for (i, line) in lines {
        for seg in title_segments(line.trim()) {
            let seg = strip_title_decor(&seg);
            if seg.is_empty() {
                previous = None;
                continue;
            }
            if let Some(mut t) = title_parts(seg) {
                t.line = i + 1;
                if t.agency.is_none() {
                    t.agency = previous.take().map(|p| (p, true));
                }
                return Some(t);
            }
            previous = agency_line(seg).map(str::to_string);
        }
    }
    None
}

/// A line as the pieces a title may be: the line itself when short, else its space-separated
/// pieces, with 「2024 年…」 (PDF text puts spaces around figures) kept together.
fn title_segments(line: &str) -> Vec<String> {
    if line.chars().nth(80).is_none() {
        return vec![line.to_string()];
    }
    // A title is near the start: a flattened page (one line of 50 kB) is not scanned to its end.
    let line = line.char_indices().nth(600).map_or(line, |(b, _)| &line[..b]);
    let mut out: Vec<String> = Vec::new();
    for tok in line.split_whitespace().take(60) {
        if tok.chars().nth(80).is_some() {
            // Body text run together: neither a title nor an agency's name (an empty piece, so
            // that the piece before it is not taken for the line above a title).
            out.push(String::new());
            continue;
        }
        let joins = out.last().is_some_and(|p| {
            p.len() >= 4 && p.as_bytes()[p.len() - 4..].iter().all(u8::is_ascii_digit) && tok.starts_with('年')
        });
        match out.last_mut() {
            Some(p) if joins => p.push_str(tok),
            _ => out.push(tok.to_string()),
        }
    }
    out
}

/// A title's text without what a crawler or a converter put around it: Markdown marks
/// (「# 」「**」), a field name (「标题：」), a breadcrumb (「当前位置：首页 > … > 」).
fn strip_title_decor(s: &str) -> &str {
    let mut s = s.trim().trim_start_matches(['#', '*', '>', ' ', '\u{3000}']).trim_end_matches(['#', '*', ' ']);
    for p in ["标题：", "标题:", "题目：", "题目:", "文章标题：", "文章标题:", "名称：", "名称:"]
    {
        if let Some(r) = s.strip_prefix(p) {
            s = r.trim();
        }
    }
    let crumbs = ['>', '＞', '»', '›', '→'];
    if s.contains(crumbs) {
        if let Some((i, c)) = s.char_indices().rfind(|(_, c)| crumbs.contains(c)) {
            s = s[i + c.len_utf8()..].trim();
        }
    }
    for p in ["当前位置：", "当前位置:", "您的位置：", "您的位置:", "您现在的位置：", "您现在的位置:"]
    {
        if let Some(r) = s.strip_prefix(p) {
            s = r.trim();
        }
    }
    s
}

/// A line that may name the agency above a title: short, no sentence punctuation, not a page
/// number, not itself about the report.
fn agency_line(s: &str) -> Option<&str> {
    let n = s.chars().count();
    let ok = (2..=30).contains(&n)
        && !s.contains(['。', '，', '：', ':', '；', '《', '》', '、'])
        && !s.contains("报告")
        && !is_page_number(s)
        && !s.chars().any(|c| c.is_ascii_digit());
    ok.then_some(s)
}

/// The parts of a title line, if it is one: a year followed by 报告/年报, no sentence
/// punctuation, and the year not inside a cited document's 《…》.
fn title_parts(s: &str) -> Option<Title> {
    let s = s.trim();
    if s.chars().count() > 60 || s.contains(['。', '，', '；', '“', '"']) {
        return None;
    }
    const OPENINGS: [&str; 8] = ["根据", "依据", "按照", "本报告", "本年度报告", "现将", "现公布", "为"];
    if OPENINGS.iter().any(|o| s.starts_with(o)) {
        return None;
    }
    let (year, ys, ye) = find_year(s)?;
    if s[..ys].contains('《') || s[..ys].contains('〈') {
        return None;
    }
    let after = s[ye..].trim_start_matches('度').trim();
    if !(after.contains("报告") || after.contains("年报")) {
        return None;
    }
    let before = s[..ys].trim().trim_end_matches("关于").trim();
    let agency = if !before.is_empty() {
        Some(before.to_string())
    } else {
        after.find("政府信息公开").map(|k| after[..k].trim()).filter(|a| !a.is_empty()).map(str::to_string)
    };
    Some(Title { year, agency: agency.map(|a| (a, false)), text: s.to_string(), line: 0 })
}

/// The year of the statistics period 「统计期限自2022年1月1日起至2022年12月31日止」: (year, line,
/// the text read). Only a period that runs from 1 January counts.
fn statistics_period(body: &str) -> Option<(i32, usize, String)> {
    for (i, line) in body.lines().enumerate() {
        if !line.contains('月') {
            continue;
        }
        let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
        let Some(k) = compact.find("年1月1日") else {
            continue;
        };
        let head = &compact[..k];
        if head.len() < 4 || !head.as_bytes()[head.len() - 4..].iter().all(u8::is_ascii_digit) {
            continue;
        }
        let open = head.rfind('《').map(|o| head[o..].find('》').is_none()).unwrap_or(false);
        if open {
            continue;
        }
        if let Ok(y) = head[head.len() - 4..].parse::<i32>() {
            let from = head.len().saturating_sub(12);
            let from = (0..=from).rev().find(|&b| compact.is_char_boundary(b)).unwrap_or(0);
            let to = (k + "年1月1日".len() + 30).min(compact.len());
            let to = (to..=compact.len()).find(|&b| compact.is_char_boundary(b)).unwrap_or(compact.len());
            return Some((y, i + 1, compact[from..to].to_string()));
        }
    }
    None
}

/// The year of 「本机关2022年政府信息公开工作年度报告」 named in the prose (not inside a cited
/// 《…》): the last resort when there is neither a title nor a statistics period.
fn report_mention(body: &str) -> Option<(i32, usize, String)> {
    for (i, line) in body.lines().enumerate().take(200) {
        let mut depth = 0i32;
        let mut at = 0;
        for (b, c) in line.char_indices() {
            match c {
                '《' => depth += 1,
                '》' => depth = (depth - 1).max(0),
                _ => {}
            }
            if b < at || depth > 0 || !c.is_ascii_digit() {
                continue;
            }
            if let Some((y, ys, ye)) = find_year(&line[b..]) {
                if ys == 0 {
                    let rest = line[b + ye..].trim_start_matches('度');
                    if rest.starts_with("政府信息公开工作年度报告") || rest.starts_with("政府信息公开年度报告")
                    {
                        return Some((y, i + 1, line[b..].chars().take(30).collect()));
                    }
                }
                at = b + 4;
            }
        }
    }
    None
}

/// The agency named as the drafter in the opening 「本报告由淮安市洪泽区人民政府办公室…编制」:
/// (the agency, line, the text read).
fn drafting_office(body: &str) -> Option<(String, usize, String)> {
    for (i, line) in body.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()).take(TITLE_LINES + 5) {
        // The opening sentence: the start of the line (a flattened page is one long line).
        let head = line.char_indices().nth(300).map_or(line, |(b, _)| &line[..b]);
        let Some(k) = head.find("本报告由") else {
            continue;
        };
        let rest = &line[k + "本报告由".len()..];
        let end = rest.find("办公室")?;
        let name = rest[..end].trim();
        let ok = (2..=30).contains(&name.chars().count()) && !name.contains(['，', '。', '《', '、']);
        return ok.then(|| (name.to_string(), i + 1, format!("本报告由{}办公室", name)));
    }
    None
}

/// Number of column equations of table 3 that hold (t3.balance and t3.outcome-sum per column).
fn column_score(keys: &[RequestRow], vals: &[Option<[i64; 7]>]) -> i64 {
    let get = |k: RequestRow| keys.iter().position(|x| *x == k).and_then(|i| vals[i]);
    let mut score = 0;
    for c in 0..7 {
        if let (Some(a), Some(b), Some(t), Some(f)) = (
            get(RequestRow::Received),
            get(RequestRow::CarriedOver),
            get(RequestRow::OutcomesTotal),
            get(RequestRow::CarriedForward),
        ) {
            if a[c] + b[c] == t[c] + f[c] {
                score += 1;
            }
        }
        let leaves: Vec<RequestRow> = keys
            .iter()
            .copied()
            // The rows present: 其他处理 is either its total (2019) or its sub-rows (2021).
            .filter(|k| template::OUTCOME_LEAVES.contains(k) || template::OTHER_HANDLING_PARTS.contains(k))
            .collect();
        let sum: Option<i64> = leaves.iter().map(|k| get(*k).map(|v| v[c])).sum();
        if let (Some(s), Some(t)) = (sum, get(RequestRow::OutcomesTotal)) {
            if s == t[c] {
                score += 1;
            }
        }
    }
    score
}

/// The cells as a map. `BTreeMap`'s `collect` sorts its input with a stable sort that moves the
/// large entries around; sorting their indices first (ties in recording order, so the last of
/// equal keys still wins) hands it a run that is already sorted.
fn into_map(cells: Vec<(String, CellSource)>) -> BTreeMap<String, CellSource> {
    let mut order: Vec<usize> = (0..cells.len()).collect();
    order.sort_unstable_by(|&a, &b| cells[a].0.cmp(&cells[b].0).then(a.cmp(&b)));
    let mut slots: Vec<Option<(String, CellSource)>> = cells.into_iter().map(Some).collect();
    order.into_iter().filter_map(|i| slots.get_mut(i).and_then(Option::take)).collect()
}

/// The parts joined with dots (`requests.received.total`), without the formatting machinery:
/// provenance builds a couple of hundred of these per report.
fn dotted(parts: &[&str]) -> String {
    let mut s = String::with_capacity(parts.iter().map(|p| p.len() + 1).sum());
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            s.push('.');
        }
        s.push_str(p);
    }
    s
}

/// 万元 from a figure printed in 元.
fn shift_down(a: &Amount) -> Amount {
    let s = a.as_str();
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let padded = format!("{:0>5}", int);
    let cut = padded.len() - 4;
    let out = format!("{}{}.{}{}", if neg { "-" } else { "" }, &padded[..cut], &padded[cut..], frac);
    Amount::parse(&out).unwrap_or_else(|_| a.clone())
}

/// Removes the numbering of the next row (「1.」「2、」「（三）」「其中：」) from the end of a region.
fn trim_trailing_numbering(s: &str) -> &str {
    let mut t = s.trim_end();
    loop {
        let before = t;
        for p in ["其中：", "其中:"] {
            t = t.strip_suffix(p).unwrap_or(t).trim_end();
        }
        if let Some(x) = t.strip_suffix(['.', '、', '．']) {
            let y = x.trim_end_matches(|c: char| c.is_ascii_digit());
            if y.len() < x.len() {
                t = y.trim_end();
            }
        }
        if let Some(x) = t.strip_suffix(['）', ')']) {
            if let Some(open) = x.rfind(['（', '(']) {
                let inner = &x[open..].trim_start_matches(['（', '(']);
                if inner.chars().count() <= 3
                    && inner.chars().all(|c| "一二三四五六七八九十".contains(c) || c.is_ascii_digit())
                {
                    t = x[..open].trim_end();
                }
            }
        }
        if t == before {
            return t;
        }
    }
}

fn strip_parentheticals(s: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in s.chars() {
        match c {
            '（' | '(' => depth += 1,
            '）' | ')' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Trims each line and drops empty ones.
fn clean_prose(s: &str) -> String {
    s.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join("\n")
}

/// Removes a closing signature (agency line and date) from the last section's text.
fn strip_signature(text: &str) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    if lines.last().is_some_and(|l| parse_cn_date(l).is_some()) {
        lines.pop();
        if lines.last().is_some_and(|l| l.chars().count() <= 40 && !l.contains(['。', '，'])) && lines.len() > 1 {
            lines.pop();
        }
    }
    lines.join("\n")
}

fn chinese_numeral(s: &str) -> Option<u32> {
    let d = |c: char| "零一二三四五六七八九".find(c).map(|i| (i / 3) as u32);
    let cs: Vec<char> = s.chars().collect();
    match cs.as_slice() {
        [c] if *c == '十' => Some(10),
        [c] => d(*c),
        ['十', u] => d(*u).map(|u| 10 + u),
        [t, '十'] => d(*t).map(|t| t * 10),
        [t, '十', u] => Some(d(*t)? * 10 + d(*u)?),
        _ => None,
    }
}

/// Finds 「YYYY年」 (digits, optional spaces) in `s`: (year, byte start, byte end after 年).
fn find_year(s: &str) -> Option<(i32, usize, usize)> {
    let b = s.as_bytes();
    let mut i = 0;
    while i + 4 <= b.len() {
        if b[i..i + 4].iter().all(u8::is_ascii_digit) && (i == 0 || !b[i - 1].is_ascii_digit()) {
            let mut j = i + 4;
            while j < b.len() && b[j] == b' ' {
                j += 1;
            }
            if s[j..].starts_with('年') {
                let y: i32 = s[i..i + 4].parse().ok()?;
                if (1990..=2100).contains(&y) {
                    return Some((y, i, j + '年'.len_utf8()));
                }
            }
        }
        i += 1;
    }
    None
}

/// Parses 「2021年1月22日」 (spaces allowed) or 「二〇二一年一月二十二日」 anywhere in `s`.
fn parse_cn_date(s: &str) -> Option<NaiveDate> {
    // A date is short: look at the end of long lines only.
    let s = match s.char_indices().rev().nth(40) {
        Some((i, _)) => &s[i..],
        None => s,
    };
    let compact: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    let digits: String = compact
        .chars()
        .map(|c| match "〇一二三四五六七八九".chars().position(|x| x == c) {
            Some(i) if !"年月日".contains(c) => char::from_digit(i as u32, 10).unwrap_or(c),
            _ => {
                if c == '零' || c == 'O' {
                    '0'
                } else {
                    c
                }
            }
        })
        .collect();
    // Month/day written as Chinese numerals with 十 (「一月二十二日」) after the year.
    let (y, ys, ye) = find_year(&digits)?;
    let _ = ys;
    let rest = &digits[ye..];
    let (m, rest) = take_number(rest)?;
    let rest = rest.strip_prefix('月')?;
    let (d, rest) = take_number(rest)?;
    rest.strip_prefix('日')?;
    NaiveDate::from_ymd_opt(y, m, d)
}

/// Reads a 1–2 digit number or a Chinese numeral with 十 (after 〇–九 were mapped to digits).
fn take_number(s: &str) -> Option<(u32, &str)> {
    let mut end = 0;
    for (i, c) in s.char_indices() {
        if c.is_ascii_digit() || c == '十' {
            end = i + c.len_utf8();
        } else {
            break;
        }
    }
    let t = &s[..end];
    if t.is_empty() {
        return None;
    }
    let v = if let Some((a, b)) = t.split_once('十') {
        let tens = if a.is_empty() { 1 } else { a.parse().ok()? };
        let units = if b.is_empty() { 0 } else { b.parse().ok()? };
        tens * 10 + units
    } else {
        t.parse().ok()?
    };
    Some((v, &s[end..]))
}

fn parse_iso_date(s: &str) -> Option<NaiveDate> {
    let d = s.get(..10)?;
    NaiveDate::parse_from_str(d, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_data_table_is_not_read_as_a_report() {
        let tsv = "file\tagency\tyear\n001.html\t上海市人民政府办公厅\t2019\n002.txt\t淮安市人民政府\t2024\n";
        assert_eq!(tab_separated(tsv), Some(3));
        let err = import_text(tsv, "INDEX.tsv", "UTF-8").unwrap_err();
        assert!(err.is_not_a_report(), "{err}");
        assert_eq!(err.reason(), "未识别为政府信息公开工作年度报告：制表符分隔的数据表（每行 3 列），不是报告正文");
        // A report with tables copied as tab-separated rows has prose lines too.
        assert_eq!(tab_separated("一、总体情况\n本年度…\n项目\t数量\t备注\n收到\t5\t—\n"), None);
        // Two columns is a list of labels and figures, as reports have.
        assert_eq!(tab_separated("收到\t5\n办结\t4\n"), None);
    }

    #[test]
    fn raw_text_shares_small_numbers_only() {
        for s in ["0", "7", "42", "999"] {
            assert!(matches!(raw_text(s), Cow::Borrowed(t) if t == s), "{s}");
        }
        for s in ["", "007", "05", "1000", "-6", "12.3", "约30", "１２"] {
            assert!(matches!(raw_text(s), Cow::Owned(ref t) if t == s), "{s}");
        }
    }

    #[test]
    fn dates_and_numerals() {
        assert_eq!(parse_cn_date("2021年1月22日"), NaiveDate::from_ymd_opt(2021, 1, 22));
        assert_eq!(parse_cn_date("2025 年 1 月 20 日"), NaiveDate::from_ymd_opt(2025, 1, 20));
        assert_eq!(parse_cn_date("二〇二一年一月二十二日"), NaiveDate::from_ymd_opt(2021, 1, 22));
        assert_eq!(parse_cn_date("2021年13月40日"), None);
        assert_eq!(chinese_numeral("七"), Some(7));
        assert_eq!(chinese_numeral("十二"), Some(12));
        assert!(is_page_number("- 4 -"));
        assert!(is_page_number("— 12 —"));
        assert!(!is_page_number("-6"));
    }

    #[test]
    fn explicit_blanks_at_the_end_of_a_row_are_cells() {
        let v = values(tokenize("258 12 — — 1 1 —\n", 0, false), 7);
        assert_eq!(v.len(), 7, "{v:?}");
        assert!(matches!(v[6], Tok::Blank(_)));
        // In a Word dump, empty lines after the values are the next row's label cells.
        let w = values(tokenize("\t1\n\t2\n\t3\n\t4\n\t5\n\t6\n\t21\n\n\t\n\t\n", 0, true), 7);
        assert_eq!(w.len(), 7, "{w:?}");
    }

    #[test]
    fn a_row_of_fifteen_may_begin_with_a_blank_cell() {
        // Table 4's data row with 行政复议/结果维持 blank (as a PDF's cell borders report it).
        let row = "— -361 35703 — -358 68037 87785 — 15674 32967 99264 25289 29918 77237 75730\n";
        let v = values(tokenize(row, 0, false), 15);
        assert_eq!(v.len(), 15, "{v:?}");
        assert!(matches!(v[0], Tok::Blank(_)));
        // A table-3 row still drops blanks before its seven cells (empty merged label cells).
        assert_eq!(values(tokenize("— — 1 2 3 4 5 6 21\n", 0, false), 7).len(), 7);
    }

    #[test]
    fn tokenizer_reads_cells() {
        let t = tokenize("  12\n -6  约30 12.3万元 —— 无", 0, false);
        let nums: Vec<&Tok> = t.iter().filter(|t| !matches!(t, Tok::Text)).collect();
        assert!(matches!(nums[0], Tok::Num(s, _) if s == "12"));
        assert!(matches!(nums[1], Tok::Num(s, _) if s == "-6"));
        assert!(matches!(nums[2], Tok::NonNumeric(s, _) if s == "约30"));
        assert!(matches!(nums[3], Tok::Num(s, _) if s == "12.3"));
        assert!(matches!(nums[4], Tok::Unit(s) if *s == "万元"));
        assert!(matches!(nums[5], Tok::Blank(_)));
        assert!(matches!(nums[6], Tok::Blank(_)));
    }
}
