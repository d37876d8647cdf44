//! HTML pages: a report published on a government website.
//!
//! The page is parsed with a real HTML5 parser (html5ever, through `scraper`), never with
//! patterns over markup. The walk keeps the page's reading order: paragraphs become lines, each
//! data `<table>` becomes a grid ([`crate::grid`]) with `rowspan`/`colspan` resolved; `<br>` and
//! `<p>` inside a cell only separate words; `&nbsp;` is white space, so an `&nbsp;` cell is blank
//! (`null`, never 0). A table split into several `<table>` elements is read as one, because
//! rows are found by their labels, not by their table. Layout tables (a table holding tables,
//! or one column of prose) are read as flowing text.
//!
//! Page chrome is left out: `<script>`/`<style>`/`<nav>`/`<header>`/`<footer>`/`<aside>`,
//! hidden elements, and elements whose id or class names navigation, menus, breadcrumbs, sharing
//! or footers; text before the report's title and the site footer after the report are cut. The
//! page's own publication date (发布日期) is used only when the report has no dated signature.
//!
//! Encoding: a BOM, else UTF-8 when the bytes are valid UTF-8, else the `<meta charset>` (or
//! `http-equiv` content type) the page declares, else GB18030. GBK and GB2312 are read as
//! GB18030, their superset.

use chrono::NaiveDate;
use ego_tree::iter::Edge;
use ego_tree::NodeRef;
use gongkai_core::report::{ImportNote, Report, SourceFormat};
use scraper::{Html, Node};

use crate::grid::{self, Block, TableBuilder};
use crate::ImportError;

/// The largest page read (a report page is well under 1 MiB).
pub const MAX_HTML_BYTES: usize = 64 * 1024 * 1024;

/// The deepest nesting of container and formatting elements read. A report page nests a few
/// dozen; the HTML parser's tree builder scans its stack of open elements for each new one, so
/// 80,000 nested `<div>` took 9.5 s (issue 21 item 6) — refused at once instead, in one pass.
pub const MAX_NESTING: usize = 2_000;

/// The most elements read. A report page has a few thousand; the parsed tree costs about 500
/// bytes per element, so a 63 MiB page of repeated tables (3 million elements) took 1.6 GB —
/// this bounds the tree at about 100 MB whatever the page's size (issue 21 item 4).
pub const MAX_ELEMENTS: usize = 200_000;

/// Where a page's markup goes past a limit, found before it is parsed.
#[derive(Debug, PartialEq, Eq)]
enum OverLimit {
    /// Nested deeper than the limit, at this byte offset.
    Deep(usize),
    /// More elements than the limit, at this byte offset.
    Many(usize),
}

/// Where the nesting of elements that are never closed implicitly (`div`, `span`, `font`, `b`,
/// …) goes past `depth_limit`, or the count of elements past `element_limit`, if either does — a
/// linear scan of the tags, not a parse. Comments, and the contents of `script` and `style`, are
/// skipped.
fn over_limits(html: &str, depth_limit: usize, element_limit: usize) -> Option<OverLimit> {
    const NESTING: &[&str] = &[
        "div",
        "span",
        "font",
        "b",
        "i",
        "u",
        "s",
        "em",
        "strong",
        "a",
        "section",
        "article",
        "blockquote",
        "center",
        "small",
        "big",
        "code",
        "tt",
        "nobr",
        "strike",
        "sub",
        "sup",
        "label",
        "main",
        "aside",
        "header",
        "footer",
        "nav",
        "form",
        "fieldset",
        "object",
        "table",
    ];
    let bytes = html.as_bytes();
    let (mut depth, mut elements) = (0usize, 0usize);
    let mut i = 0;
    while let Some(off) = bytes.get(i..).and_then(|rest| rest.iter().position(|b| *b == b'<')) {
        i += off + 1;
        let rest = &bytes[i..];
        if rest.starts_with(b"!--") {
            // A comment: to its end.
            i += rest.windows(3).position(|w| w == b"-->").map_or(rest.len(), |p| p + 3);
            continue;
        }
        let closing = rest.first() == Some(&b'/');
        let name_start = usize::from(closing);
        let name_len = rest[name_start..].iter().take_while(|b| b.is_ascii_alphanumeric()).count();
        if name_len == 0 {
            continue;
        }
        if !closing {
            elements += 1;
            if elements > element_limit {
                return Some(OverLimit::Many(i - 1));
            }
        }
        let name = rest[name_start..name_start + name_len].to_ascii_lowercase();
        if !closing && (name == b"script" || name == b"style") {
            // Raw text: to the closing tag.
            let end: &[u8] = if name == b"script" { b"</script" } else { b"</style" };
            let lower = rest.len().min(1 << 26);
            i += rest[..lower].windows(end.len()).position(|w| w.eq_ignore_ascii_case(end)).unwrap_or(lower);
            continue;
        }
        if !NESTING.iter().any(|n| n.as_bytes() == name.as_slice()) {
            continue;
        }
        let tag_end = rest.iter().position(|b| *b == b'>').unwrap_or(rest.len());
        let self_closing = tag_end > 0 && rest[tag_end - 1] == b'/';
        if closing {
            depth = depth.saturating_sub(1);
        } else if !self_closing {
            depth += 1;
            if depth > depth_limit {
                return Some(OverLimit::Deep(i - 1));
            }
        }
    }
    None
}

/// Imports an HTML page.
pub fn import_html(bytes: &[u8], source: &str) -> Result<Report, ImportError> {
    if bytes.len() > MAX_HTML_BYTES {
        return Err(ImportError::TooLarge {
            source_name: source.to_string(),
            message: format!("网页大小 {} 字节，超过 {} MiB 上限", bytes.len(), MAX_HTML_BYTES / (1024 * 1024)),
        });
    }
    let (text, encoding) =
        decode_html(bytes).ok_or_else(|| ImportError::NotText { source_name: source.to_string() })?;
    match over_limits(&text, MAX_NESTING, MAX_ELEMENTS) {
        Some(OverLimit::Deep(at)) => {
            return Err(ImportError::Malformed {
                source_name: source.to_string(),
                format: "HTML",
                message: format!("元素嵌套超过 {MAX_NESTING} 层（第 {at} 个字节处），不是正常的网页，拒绝读取"),
            })
        }
        Some(OverLimit::Many(at)) => {
            return Err(ImportError::TooLarge {
                source_name: source.to_string(),
                message: format!("网页元素超过 {MAX_ELEMENTS} 个（第 {at} 个字节处），远多于一份年度报告"),
            })
        }
        None => {}
    }
    let page = crate::guarded(|| read_page(&text)).ok_or_else(|| ImportError::Malformed {
        source_name: source.to_string(),
        format: "HTML",
        message: "HTML 解析器内部错误".into(),
    })?;
    let mut report = grid::import_blocks(&page.blocks, source, encoding, SourceFormat::Html)?;
    if report.published_on.is_none() {
        if let Some(d) = page.published {
            report.published_on = Some(d);
            report.provenance.notes.push(ImportNote {
                path: "published_on".into(),
                line: None,
                message: format!("正文未署日期，发布日期 {d} 取自网页的“发布日期”"),
            });
        }
    }
    Ok(report)
}

/// The blocks of a page, for tests and debugging: the intermediate text the text importer reads.
pub fn html_intermediate_text(bytes: &[u8]) -> Option<String> {
    let (text, _) = decode_html(bytes)?;
    crate::guarded(|| grid::intermediate_text(&read_page(&text).blocks))
}

/// Decodes a page: BOM, valid UTF-8, the declared charset, then GB18030.
fn decode_html(bytes: &[u8]) -> Option<(String, &'static str)> {
    if encoding_rs::Encoding::for_bom(bytes).is_some() {
        let d = crate::decode::decode(bytes)?;
        return Some((d.text, d.encoding));
    }
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Some((s.to_string(), "UTF-8"));
    }
    let declared = declared_charset(bytes).and_then(|l| encoding_rs::Encoding::for_label(l.as_bytes()));
    let (enc, name) = match declared {
        Some(e) if e == encoding_rs::GBK || e == encoding_rs::GB18030 => (encoding_rs::GB18030, e.name()),
        // A page that says UTF-8 but is not: the Chinese legacy encoding is the likely truth.
        Some(e) if e == encoding_rs::UTF_8 => (encoding_rs::GB18030, "GB18030"),
        Some(e) => (e, e.name()),
        None => (encoding_rs::GB18030, "GB18030"),
    };
    let (text, _) = enc.decode_without_bom_handling(bytes);
    Some((text.into_owned(), name))
}

/// The charset a page declares in its first 4 KiB (`<meta charset=…>` or `content="…; charset=…"`).
fn declared_charset(bytes: &[u8]) -> Option<String> {
    let head: Vec<u8> = bytes.iter().take(4096).map(u8::to_ascii_lowercase).collect();
    let needle = b"charset";
    let mut i = 0;
    while i + needle.len() <= head.len() {
        if &head[i..i + needle.len()] == needle {
            let mut j = i + needle.len();
            while j < head.len() && matches!(head[j], b' ' | b'\t' | b'\n' | b'\r') {
                j += 1;
            }
            if head.get(j) == Some(&b'=') {
                j += 1;
                while j < head.len() && matches!(head[j], b' ' | b'"' | b'\'') {
                    j += 1;
                }
                let start = j;
                while j < head.len()
                    && (head[j].is_ascii_alphanumeric() || matches!(head[j], b'-' | b'_' | b'.' | b':'))
                {
                    j += 1;
                }
                if j > start {
                    return Some(String::from_utf8_lossy(&head[start..j]).into_owned());
                }
            }
        }
        i += 1;
    }
    None
}

struct Page {
    blocks: Vec<Block>,
    /// The CMS 发布日期, if the page shows one.
    published: Option<NaiveDate>,
}

/// Elements whose content is never report text.
fn is_chrome_tag(name: &str) -> bool {
    matches!(
        name,
        "head"
            | "script"
            | "style"
            | "noscript"
            | "template"
            | "nav"
            | "header"
            | "footer"
            | "aside"
            | "select"
            | "option"
            | "button"
            | "iframe"
            | "object"
            | "embed"
            | "svg"
            | "canvas"
            | "textarea"
            | "input"
            | "map"
    )
}

/// Id/class words that mark page chrome.
const CHROME_WORDS: &[&str] = &[
    "nav",
    "navbar",
    "navigation",
    "menu",
    "menus",
    "submenu",
    "footer",
    "foot",
    "breadcrumb",
    "breadcrumbs",
    "crumb",
    "crumbs",
    "sidebar",
    "share",
    "toolbar",
    "topbar",
    "copyright",
    "skip",
];

fn is_chrome(e: &scraper::node::Element) -> bool {
    if is_chrome_tag(e.name()) || e.attr("hidden").is_some() {
        return true;
    }
    if let Some(style) = e.attr("style") {
        let s: String = style.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_lowercase();
        if s.contains("display:none") || s.contains("visibility:hidden") {
            return true;
        }
    }
    let words = e
        .attr("id")
        .into_iter()
        .chain(e.attr("class"))
        .flat_map(|v| v.split(|c: char| c.is_whitespace() || c == '-' || c == '_'))
        .map(str::to_ascii_lowercase);
    for w in words {
        if CHROME_WORDS.contains(&w.as_str()) {
            return true;
        }
    }
    false
}

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "div"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "li"
            | "ul"
            | "ol"
            | "dl"
            | "dt"
            | "dd"
            | "table"
            | "thead"
            | "tbody"
            | "tfoot"
            | "tr"
            | "td"
            | "th"
            | "caption"
            | "section"
            | "article"
            | "main"
            | "blockquote"
            | "pre"
            | "address"
            | "center"
            | "form"
            | "fieldset"
            | "figure"
            | "figcaption"
            | "hr"
            | "body"
            | "html"
            | "br"
    )
}

struct Walker {
    blocks: Vec<Block>,
    line: String,
    tables: usize,
    cells: usize,
}

impl Walker {
    fn flush(&mut self) {
        let l = grid::clean(&self.line);
        self.line.clear();
        if !l.is_empty() {
            self.blocks.push(Block::Para(l));
        }
    }

    fn walk(&mut self, root: NodeRef<'_, Node>) {
        let mut skip: Option<ego_tree::NodeId> = None;
        for edge in root.traverse() {
            match edge {
                Edge::Open(n) => {
                    if skip.is_some() {
                        continue;
                    }
                    match n.value() {
                        Node::Text(t) => self.line.push_str(t),
                        Node::Element(e) => {
                            if is_chrome(e) {
                                skip = Some(n.id());
                                continue;
                            }
                            if e.name() == "table" {
                                if let Some(t) = self.data_table(n) {
                                    self.flush();
                                    self.blocks.extend(t);
                                    skip = Some(n.id());
                                    continue;
                                }
                            }
                            if is_block(e.name()) {
                                self.flush();
                            }
                        }
                        _ => {}
                    }
                }
                Edge::Close(n) => {
                    if skip == Some(n.id()) {
                        skip = None;
                        continue;
                    }
                    if skip.is_some() {
                        continue;
                    }
                    if let Node::Element(e) = n.value() {
                        if is_block(e.name()) {
                            self.flush();
                        }
                    }
                }
            }
        }
        self.flush();
    }

    /// A data table as blocks (its caption, then the grid), or `None` for a layout table.
    fn data_table(&mut self, table: NodeRef<'_, Node>) -> Option<Vec<Block>> {
        let is_el = |n: &NodeRef<'_, Node>, name: &str| matches!(n.value(), Node::Element(e) if e.name() == name);
        if table.descendants().skip(1).any(|d| is_el(&d, "table")) {
            return None;
        }
        if self.cells > grid::MAX_SLOTS {
            return None;
        }
        let mut b = TableBuilder::new(self.tables + 1);
        let mut caption = None;
        let mut longest = 0usize;
        for d in table.descendants().skip(1) {
            if is_el(&d, "caption") {
                caption = Some(text_of(d));
            }
            if !is_el(&d, "tr") || b.full() || self.cells > grid::MAX_SLOTS {
                continue;
            }
            let mut cells = Vec::new();
            for c in d.children() {
                let Node::Element(e) = c.value() else {
                    continue;
                };
                if !matches!(e.name(), "td" | "th") {
                    continue;
                }
                let span = |a: &str, empty: usize| {
                    e.attr(a)
                        .map(|v| {
                            let digits: String = v.trim().chars().take_while(char::is_ascii_digit).collect();
                            digits.parse::<usize>().unwrap_or(empty)
                        })
                        .unwrap_or(1)
                };
                let text = text_of(c);
                longest = longest.max(text.chars().count());
                cells.push((text, span("rowspan", 1), span("colspan", 1).max(1)));
            }
            self.cells += b.html_row(&cells).max(1);
        }
        let t = b.finish();
        // One column, or cells holding whole paragraphs: a layout box, read as text.
        if t.height() == 0 || t.width() < 2 || longest > 400 {
            return None;
        }
        self.tables += 1;
        let mut out = Vec::new();
        if let Some(c) = caption.filter(|c| !c.is_empty()) {
            out.push(Block::Para(c));
        }
        out.push(Block::Table(t));
        Some(out)
    }
}

/// The text of an element: words of different blocks (`<p>`, `<br>`) separated by a space.
fn text_of(node: NodeRef<'_, Node>) -> String {
    let mut s = String::new();
    let mut skip: Option<ego_tree::NodeId> = None;
    for edge in node.traverse() {
        match edge {
            Edge::Open(n) => {
                if skip.is_some() {
                    continue;
                }
                match n.value() {
                    Node::Text(t) => s.push_str(t),
                    Node::Element(e) => {
                        if matches!(e.name(), "script" | "style" | "template") {
                            skip = Some(n.id());
                        } else if is_block(e.name()) && n.id() != node.id() {
                            s.push('\n');
                        }
                    }
                    _ => {}
                }
            }
            Edge::Close(n) => {
                if skip == Some(n.id()) {
                    skip = None;
                }
            }
        }
    }
    grid::clean(&s)
}

/// The report's title line: 「…2021年…政府信息公开…年度报告」, short.
fn is_title(s: &str) -> bool {
    s.chars().count() <= 80
        && s.contains("政府信息公开")
        && (s.contains("年度报告") || s.contains("年报") || s.contains("工作报告"))
        && find_year(s).is_some()
}

fn find_year(s: &str) -> Option<i32> {
    let chars: Vec<char> = s.chars().collect();
    (0..chars.len().saturating_sub(3)).find_map(|i| {
        let w: String = chars[i..i + 4].iter().collect();
        let before_ok = i == 0 || !chars[i - 1].is_ascii_digit();
        let after_ok = chars.get(i + 4).is_none_or(|c| !c.is_ascii_digit());
        (before_ok && after_ok && (w.starts_with("19") || w.starts_with("20"))).then(|| w.parse().ok()).flatten()
    })
}

/// Lines that belong to the site, not the report.
fn is_footer(s: &str) -> bool {
    const MARKS: &[&str] = &[
        "版权所有",
        "Copyright",
        "copyright",
        "©",
        "ICP备",
        "备案号",
        "网站标识码",
        "主办单位",
        "承办单位",
        "技术支持",
        "联系我们",
        "网站地图",
        "打印本页",
        "关闭窗口",
        "【打印】",
        "【关闭】",
        "[打印]",
        "[关闭]",
        "分享到",
        "扫一扫",
        "相关链接",
        "相关阅读",
        "上一篇",
        "下一篇",
        "公网安备",
    ];
    s.chars().count() <= 120 && MARKS.iter().any(|m| s.contains(m))
}

/// A CMS date line: 「发布日期：2022-01-20」「发布时间：2022年1月20日 10:00」.
fn cms_date(s: &str) -> Option<NaiveDate> {
    let keys = ["发布日期", "发布时间", "发文日期", "成文日期", "日期"];
    let pos = keys.iter().find_map(|k| s.find(k).map(|i| i + k.len()))?;
    let rest = s[pos..].trim_start_matches([':', '：', ' ', '\u{a0}', '\u{3000}']);
    let digits: Vec<u32> = rest
        .split(|c: char| !c.is_ascii_digit())
        .filter(|p| !p.is_empty())
        .take(3)
        .filter_map(|p| p.parse().ok())
        .collect();
    match digits.as_slice() {
        [y, m, d] => NaiveDate::from_ymd_opt(i32::try_from(*y).ok()?, *m, *d),
        _ => None,
    }
}

fn read_page(text: &str) -> Page {
    let html = Html::parse_document(text);
    let mut w = Walker { blocks: Vec::new(), line: String::new(), tables: 0, cells: 0 };
    w.walk(html.tree.root());
    let mut blocks = w.blocks;
    let para = |b: &Block| match b {
        Block::Para(p) => Some(p.clone()),
        Block::Table(_) => None,
    };
    let title = blocks.iter().position(|b| para(b).is_some_and(|p| is_title(&p)));
    // The CMS date: in the page's metadata lines (or metadata table) around the title.
    let published = blocks
        .iter()
        .take(title.map_or(12, |t| t + 4))
        .flat_map(|b| match b {
            Block::Para(p) => vec![p.clone()],
            Block::Table(t) => t.row_texts(),
        })
        .find_map(|p| cms_date(&p));
    // Cut everything before the title.
    match title {
        Some(i) => {
            blocks.drain(..i);
        }
        None => {
            // No title in the body: the page's <title> says what the report is.
            let title = html
                .tree
                .root()
                .descendants()
                .find(|n| matches!(n.value(), Node::Element(e) if e.name() == "title"))
                .map(text_of)
                .filter(|t| is_title(t));
            if let Some(t) = title {
                let t = t.split(['-', '_', '|', '—']).find(|p| is_title(p)).map(str::trim).unwrap_or(&t).to_string();
                blocks.insert(0, Block::Para(t));
            }
        }
    }
    // Cut the site footer after the report's last table or last section.
    let last_table = blocks.iter().rposition(|b| matches!(b, Block::Table(_))).unwrap_or(0);
    let last_section = blocks
        .iter()
        .rposition(|b| para(b).is_some_and(|p| p.starts_with("六、") || p.starts_with("六．")))
        .unwrap_or(0);
    let from = last_table.max(last_section);
    if let Some(cut) = blocks.iter().skip(from).position(|b| para(b).is_some_and(|p| is_footer(&p))) {
        blocks.truncate(from + cut);
    }
    Page { blocks, published }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_nesting_is_found_in_one_pass() {
        let deep = "<div>".repeat(80_000);
        let limits = |html: &str| over_limits(html, MAX_NESTING, MAX_ELEMENTS);
        assert_eq!(limits(&deep), Some(OverLimit::Deep(5 * MAX_NESTING)));
        let closed = "<div><span>表</span></div>".repeat(80_000);
        assert_eq!(limits(&closed), None, "many elements, shallow");
        let hidden = format!("<!--{deep}--><script>{deep}</script><style>{deep}</style><p>x</p>");
        assert_eq!(limits(&hidden), None, "comments and raw text are not markup");
        assert_eq!(limits(&"<div/>".repeat(5_000)), None, "self-closing");
        assert_eq!(over_limits("<div", 0, 10), Some(OverLimit::Deep(0)));
        let e = import_html(deep.as_bytes(), "deep.html").unwrap_err();
        assert!(e.to_string().contains("元素嵌套超过 2000 层"), "{e}");
    }

    #[test]
    fn a_page_of_too_many_elements_is_refused_before_it_is_parsed() {
        let many = "<tr><td>1</td></tr>".repeat(MAX_ELEMENTS / 2 + 1);
        assert_eq!(over_limits(&many, MAX_NESTING, MAX_ELEMENTS), Some(OverLimit::Many(MAX_ELEMENTS * 19 / 2)));
        let e = import_html(format!("<table>{many}</table>").as_bytes(), "many.html").unwrap_err();
        assert!(matches!(e, ImportError::TooLarge { .. }), "{e:?}");
        assert!(e.to_string().contains("网页元素超过 200000 个"), "{e}");
    }

    #[test]
    fn charset_is_read_from_meta() {
        assert_eq!(declared_charset(b"<html><head><meta charset=\"GBK\">").as_deref(), Some("gbk"));
        assert_eq!(
            declared_charset(b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=gb2312\" />").as_deref(),
            Some("gb2312")
        );
        let (bytes, _, _) = encoding_rs::GBK.encode("<meta charset=gbk><p>年度报告</p>");
        let (text, enc) = decode_html(&bytes).unwrap_or_default();
        assert!(text.contains("年度报告"));
        assert_eq!(enc, "GBK");
    }

    #[test]
    fn cms_dates_and_titles() {
        assert_eq!(cms_date("发布日期：2022-01-20  来源：区政府办"), NaiveDate::from_ymd_opt(2022, 1, 20));
        assert!(is_title("某某区2021年政府信息公开工作年度报告"));
        assert!(!is_title("首页 > 政务公开 > 年度报告"));
    }
}
