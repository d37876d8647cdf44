//! Excel workbooks (.xlsx) written by `gongkai report export --to xlsx`: the flat sheet
//! [`FLAT_SHEET`] (columns `path`, 标签, `value`, one row per cell of the canonical report) is
//! read back into the same [`Report`] — agency, year, templates, every figure, the prose.
//!
//! The sheets in the official layout are for people; only the flat sheet is read, so a sheet
//! edited by hand (a figure corrected in `value`) is what is imported. Every problem names the
//! sheet, the row and the column.
//!
//! The zip is read with the limits of the DOCX reader: at most [`MAX_ENTRIES`] members, each
//! part read at most [`MAX_PART`] bytes once inflated whatever its header claims, a compression
//! ratio of at most [`MAX_RATIO`], and [`MAX_TOTAL`] bytes inflated in all. A zip bomb is
//! refused with a message, never inflated.

use std::collections::{BTreeMap, HashMap};
use std::io::{Cursor, Read};

use gongkai_core::report::{Amount, Column, Report, SourceFormat, SCHEMA_ID};
use gongkai_core::template;
use quick_xml::events::{BytesStart, Event};
use quick_xml::{Reader, XmlVersion};
use serde_json::{Map, Value};

use crate::ImportError;

/// The flat sheet gongkai writes (and reads back).
pub const FLAT_SHEET: &str = "数据";
/// The largest .xlsx file read.
pub const MAX_XLSX_BYTES: usize = 256 * 1024 * 1024;
/// The most members a workbook may have.
pub const MAX_ENTRIES: usize = 10_000;
/// The largest part (a sheet, the shared strings) inflated.
pub const MAX_PART: u64 = 64 * 1024 * 1024;
/// All parts read, inflated, together.
pub const MAX_TOTAL: u64 = 256 * 1024 * 1024;
/// The highest compression ratio accepted for a part larger than 1 MiB.
pub const MAX_RATIO: u64 = 200;

const FORMAT: &str = "XLSX";

fn too_large(source: &str, message: String) -> ImportError {
    ImportError::TooLarge { source_name: source.to_string(), message }
}

fn malformed(source: &str, message: String) -> ImportError {
    ImportError::Malformed { source_name: source.to_string(), format: FORMAT, message }
}

/// Whether the bytes are a zip whose members include `xl/workbook.xml` (a DOCX has
/// `word/document.xml` instead).
pub fn is_xlsx(bytes: &[u8]) -> bool {
    if !bytes.starts_with(b"PK\x03\x04") {
        return false;
    }
    crate::guarded(|| {
        zip::ZipArchive::new(Cursor::new(bytes))
            .map(|z| z.len() <= MAX_ENTRIES && z.file_names().any(|n| n.is_ok_and(|n| n == "xl/workbook.xml")))
            .unwrap_or(false)
    })
    .unwrap_or(false)
}

// ---------------------------------------------------------------------------------------------
// The package

struct Package<'a> {
    zip: zip::ZipArchive<Cursor<&'a [u8]>>,
    source: &'a str,
    inflated: u64,
}

impl<'a> Package<'a> {
    fn open(bytes: &'a [u8], source: &'a str) -> Result<Package<'a>, ImportError> {
        if bytes.len() > MAX_XLSX_BYTES {
            return Err(too_large(
                source,
                format!("文件大小 {} 字节，超过 {} MiB 上限", bytes.len(), MAX_XLSX_BYTES / (1024 * 1024)),
            ));
        }
        let zip =
            zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| malformed(source, format!("zip 结构损坏：{e}")))?;
        if zip.len() > MAX_ENTRIES {
            return Err(too_large(source, format!("zip 含 {} 个成员，超过 {MAX_ENTRIES} 个上限", zip.len())));
        }
        Ok(Package { zip, source, inflated: 0 })
    }

    /// A part as text, within the limits; `None` when the package has no such part.
    fn part(&mut self, name: &str) -> Result<Option<String>, ImportError> {
        let source = self.source;
        if !self.zip.file_names().any(|n| n.is_ok_and(|n| n == name)) {
            return Ok(None);
        }
        let mut f = self.zip.by_name(name).map_err(|e| malformed(source, format!("无法读取 {name}：{e}")))?;
        let size = f.size();
        let packed = f.compressed_size().max(1);
        let bomb = |what: String| too_large(source, format!("{name} {what}（可能是 zip 炸弹）"));
        if size > MAX_PART {
            return Err(bomb(format!("解压后 {size} 字节，超过 {} MiB 上限", MAX_PART / (1024 * 1024))));
        }
        if size > 1024 * 1024 && size / packed > MAX_RATIO {
            return Err(bomb(format!("压缩比 {}:1，超过 {MAX_RATIO}:1 上限", size / packed)));
        }
        let mut buf = Vec::new();
        // The header's size may lie: never inflate more than the limit.
        (&mut f)
            .take(MAX_PART + 1)
            .read_to_end(&mut buf)
            .map_err(|e| malformed(source, format!("{name} 解压失败：{e}")))?;
        if buf.len() as u64 > MAX_PART {
            return Err(bomb(format!("解压后超过 {} MiB 上限", MAX_PART / (1024 * 1024))));
        }
        self.inflated += buf.len() as u64;
        if self.inflated > MAX_TOTAL {
            return Err(too_large(
                source,
                format!("工作簿解压后合计超过 {} MiB 上限（可能是 zip 炸弹）", MAX_TOTAL / (1024 * 1024)),
            ));
        }
        String::from_utf8(buf).map(Some).map_err(|_| malformed(source, format!("{name} 不是 UTF-8 文本")))
    }
}

/// An attribute's unescaped value by its qualified name.
fn attr(e: &BytesStart<'_>, name: &str) -> Option<String> {
    e.try_get_attribute(name)
        .ok()
        .flatten()
        .and_then(|a| a.normalized_value(XmlVersion::Implicit1_0).ok().map(|v| v.into_owned()))
}

/// An attribute's value by its local name, whatever its prefix (`r:id`, `x:id`).
fn attr_local(e: &BytesStart<'_>, local: &str) -> Option<String> {
    e.attributes().flatten().find_map(|a| {
        let key = a.key.as_ref();
        let l = key.rsplit(':').next().unwrap_or(key);
        (key.contains(':') && l == local)
            .then(|| a.normalized_value(XmlVersion::Implicit1_0).ok().map(|v| v.into_owned()))
            .flatten()
    })
}

/// The local name of an element (`x:c` → `c`).
fn local(name: &str) -> &str {
    name.rsplit(':').next().unwrap_or(name)
}

/// Resolves a character or predefined entity reference.
fn resolve_ref(r: &str) -> Option<char> {
    match r {
        "amp" => Some('&'),
        "lt" => Some('<'),
        "gt" => Some('>'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => {
            let num = r.strip_prefix('#')?;
            let code = match num.strip_prefix('x').or_else(|| num.strip_prefix('X')) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => num.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
}

/// Undoes Excel's `_xHHHH_` escapes (control characters; `_x005F_` is a literal `_`).
fn unescape_ooxml(s: &str) -> String {
    if !s.contains("_x") {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("_x") {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let hex = tail.get(2..6);
        let decoded = hex
            .filter(|h| h.chars().all(|c| c.is_ascii_hexdigit()) && tail.get(6..7) == Some("_"))
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .and_then(char::from_u32);
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &tail[7..];
            }
            None => {
                out.push_str("_x");
                rest = &tail[2..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn xml_error(part: &str, reader: &Reader<&[u8]>, e: impl std::fmt::Display) -> String {
    format!("{part} 不是合法的 XML（位置 {}）：{e}", reader.buffer_position())
}

/// Sheet name → part path, in workbook order.
fn sheets(pkg: &mut Package<'_>) -> Result<Vec<(String, String)>, ImportError> {
    let source = pkg.source;
    let wb = pkg.part("xl/workbook.xml")?.ok_or_else(|| malformed(source, "缺少 xl/workbook.xml".into()))?;
    let rels = pkg.part("xl/_rels/workbook.xml.rels")?.unwrap_or_default();
    let mut targets: HashMap<String, String> = HashMap::new();
    let mut reader = Reader::from_str(&rels);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) if local(e.name().as_ref()) == "Relationship" => {
                if let (Some(id), Some(target)) = (attr(&e, "Id"), attr(&e, "Target")) {
                    let path = match target.strip_prefix('/') {
                        Some(abs) => abs.to_string(),
                        None => format!("xl/{target}"),
                    };
                    targets.insert(id, path);
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => return Err(malformed(source, xml_error("xl/_rels/workbook.xml.rels", &reader, e))),
        }
    }
    let mut out = Vec::new();
    let mut reader = Reader::from_str(&wb);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) if local(e.name().as_ref()) == "sheet" => {
                let name = attr(&e, "name").unwrap_or_default();
                let target = attr_local(&e, "id").and_then(|id| targets.get(&id).cloned());
                if let Some(t) = target {
                    out.push((name, t));
                }
            }
            Ok(Event::Eof) => break,
            Ok(_) => {}
            Err(e) => return Err(malformed(source, xml_error("xl/workbook.xml", &reader, e))),
        }
    }
    Ok(out)
}

/// The shared strings table.
fn shared_strings(pkg: &mut Package<'_>) -> Result<Vec<String>, ImportError> {
    let source = pkg.source;
    let Some(xml) = pkg.part("xl/sharedStrings.xml")? else { return Ok(Vec::new()) };
    let mut out = Vec::new();
    let mut reader = Reader::from_str(&xml);
    let mut cur = String::new();
    let (mut in_si, mut in_t, mut in_phonetic) = (false, false, 0usize);
    loop {
        let ev = reader.read_event().map_err(|e| malformed(source, xml_error("xl/sharedStrings.xml", &reader, e)))?;
        match ev {
            Event::Start(e) => match local(e.name().as_ref()) {
                "si" => {
                    in_si = true;
                    cur.clear();
                }
                "t" => in_t = in_si,
                "rPh" => in_phonetic += 1,
                _ => {}
            },
            Event::Empty(e) if local(e.name().as_ref()) == "si" => out.push(String::new()),
            Event::End(e) => match local(e.name().as_ref()) {
                "si" => {
                    in_si = false;
                    out.push(unescape_ooxml(&cur));
                }
                "t" => in_t = false,
                "rPh" => in_phonetic = in_phonetic.saturating_sub(1),
                _ => {}
            },
            Event::Text(t) if in_t && in_phonetic == 0 => cur.push_str(&t),
            Event::CData(t) if in_t && in_phonetic == 0 => cur.push_str(&t),
            Event::GeneralRef(r) if in_t && in_phonetic == 0 => {
                if let Some(c) = resolve_ref(&r) {
                    cur.push(c);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Cells

/// A cell's value as stored.
#[derive(Debug, Clone, PartialEq)]
pub enum CellValue {
    /// No value.
    Empty,
    /// A number, with the text the file stores (exact decimal digits, no binary rounding).
    Number(String),
    /// Text (shared, inline or a formula's text result).
    Text(String),
    /// A boolean.
    Bool(bool),
    /// An error value (`#DIV/0!`).
    Error(String),
}

/// One cell of a sheet.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetCell {
    /// 0-based row.
    pub row: u32,
    /// 0-based column.
    pub col: u32,
    /// The value (for a formula: its cached result).
    pub value: CellValue,
    /// The formula without `=`, if the cell has one.
    pub formula: Option<String>,
}

/// `A1` → (0, 0).
fn parse_ref(r: &str) -> Option<(u32, u32)> {
    let split = r.find(|c: char| c.is_ascii_digit())?;
    let (letters, digits) = r.split_at(split);
    if letters.is_empty() || letters.len() > 3 {
        return None;
    }
    let mut col = 0u32;
    for c in letters.chars() {
        if !c.is_ascii_alphabetic() {
            return None;
        }
        col = col * 26 + (c.to_ascii_uppercase() as u32 - 'A' as u32 + 1);
    }
    let row: u32 = digits.parse().ok()?;
    Some((row.checked_sub(1)?, col - 1))
}

/// The column letters of a 0-based column (`0` → `A`), for messages.
pub fn column_letters(mut col: u32) -> String {
    let mut s = Vec::new();
    loop {
        s.push(char::from(b'A' + (col % 26) as u8));
        if col < 26 {
            break;
        }
        col = col / 26 - 1;
    }
    s.iter().rev().collect()
}

/// The cells of a sheet part, in file order.
fn read_cells(xml: &str, part: &str, strings: &[String]) -> Result<Vec<SheetCell>, String> {
    #[derive(PartialEq)]
    enum In {
        None,
        V,
        F,
        T,
    }
    let mut reader = Reader::from_str(xml);
    let mut out = Vec::new();
    let (mut row, mut next_col) = (0u32, 0u32);
    let mut cell: Option<(u32, u32, String)> = None;
    let (mut v, mut f, mut is_text) = (String::new(), None::<String>, String::new());
    let mut has_f = false;
    let mut inside = In::None;
    loop {
        let ev = reader.read_event().map_err(|e| xml_error(part, &reader, e))?;
        match ev {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let empty = matches!(ev, Event::Empty(_));
                match local(e.name().as_ref()) {
                    "row" => {
                        if let Some(r) = attr(e, "r").and_then(|r| r.trim().parse::<u32>().ok()) {
                            row = r.saturating_sub(1);
                        }
                        next_col = 0;
                    }
                    "c" => {
                        let (r, c) = attr(e, "r").and_then(|r| parse_ref(&r)).unwrap_or((row, next_col));
                        row = r;
                        next_col = c + 1;
                        let t = attr(e, "t").unwrap_or_default();
                        v.clear();
                        is_text.clear();
                        f = None;
                        has_f = false;
                        if empty {
                            out.push(SheetCell { row: r, col: c, value: CellValue::Empty, formula: None });
                        } else {
                            cell = Some((r, c, t));
                        }
                    }
                    "v" if !empty && cell.is_some() => inside = In::V,
                    "f" if cell.is_some() => {
                        has_f = true;
                        if !empty {
                            inside = In::F;
                            f = Some(String::new());
                        }
                    }
                    "t" if !empty && cell.is_some() => inside = In::T,
                    _ => {}
                }
            }
            Event::End(e) => match local(e.name().as_ref()) {
                "v" | "f" | "t" => inside = In::None,
                "c" => {
                    if let Some((r, c, t)) = cell.take() {
                        let value = match t.as_str() {
                            "s" => {
                                let i: usize = v.trim().parse().map_err(|_| {
                                    format!("{part} 单元格 {}{}：共享字符串序号「{v}」无效", column_letters(c), r + 1)
                                })?;
                                let s = strings.get(i).ok_or_else(|| {
                                    format!("{part} 单元格 {}{}：共享字符串 {i} 不存在", column_letters(c), r + 1)
                                })?;
                                CellValue::Text(s.clone())
                            }
                            "inlineStr" => CellValue::Text(unescape_ooxml(&is_text)),
                            "str" => CellValue::Text(unescape_ooxml(&v)),
                            "b" => CellValue::Bool(v.trim() == "1"),
                            "e" => CellValue::Error(v.clone()),
                            _ if v.trim().is_empty() => CellValue::Empty,
                            _ => CellValue::Number(v.trim().to_string()),
                        };
                        let formula = if has_f { Some(f.take().unwrap_or_default()) } else { None };
                        out.push(SheetCell { row: r, col: c, value, formula });
                    }
                }
                _ => {}
            },
            Event::Text(t) => match inside {
                In::V => v.push_str(&t),
                In::F => f.get_or_insert_with(String::new).push_str(&t),
                In::T => is_text.push_str(&t),
                In::None => {}
            },
            Event::CData(t) if inside == In::T => is_text.push_str(&t),
            Event::GeneralRef(r) => {
                if let Some(ch) = resolve_ref(&r) {
                    match inside {
                        In::V => v.push(ch),
                        In::F => f.get_or_insert_with(String::new).push(ch),
                        In::T => is_text.push(ch),
                        In::None => {}
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

/// The names of a workbook's sheets, in order.
pub fn sheet_names(bytes: &[u8], source: &str) -> Result<Vec<String>, ImportError> {
    crate::guarded(|| {
        let mut pkg = Package::open(bytes, source)?;
        Ok(sheets(&mut pkg)?.into_iter().map(|(n, _)| n).collect())
    })
    .unwrap_or_else(|| Err(malformed(source, "zip/XML 解析器内部错误".into())))
}

/// Every stored cell of the sheet named `sheet` (values, cached formula results and formulas).
pub fn read_sheet(bytes: &[u8], source: &str, sheet: &str) -> Result<Vec<SheetCell>, ImportError> {
    crate::guarded(|| read_sheet_inner(bytes, source, sheet))
        .unwrap_or_else(|| Err(malformed(source, "zip/XML 解析器内部错误".into())))
}

fn read_sheet_inner(bytes: &[u8], source: &str, sheet: &str) -> Result<Vec<SheetCell>, ImportError> {
    let mut pkg = Package::open(bytes, source)?;
    let list = sheets(&mut pkg)?;
    let Some((_, part)) = list.iter().find(|(n, _)| n == sheet) else {
        let names: Vec<&str> = list.iter().map(|(n, _)| n.as_str()).collect();
        return Err(malformed(
            source,
            format!(
                "工作簿中没有名为「{sheet}」的工作表（gongkai 导出的工作簿含「{FLAT_SHEET}」表：path、标签、value 三列，每个数据一行）；现有工作表：{}",
                if names.is_empty() { "（无）".to_string() } else { names.join("、") }
            ),
        ));
    };
    let strings = shared_strings(&mut pkg)?;
    let xml = pkg.part(part)?.ok_or_else(|| malformed(source, format!("工作表「{sheet}」的部件 {part} 不存在")))?;
    read_cells(&xml, part, &strings).map_err(|m| malformed(source, m))
}

// ---------------------------------------------------------------------------------------------
// The flat sheet → the canonical report

/// What a path holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Text, `null` when empty; continues over repeated rows.
    OptText,
    /// Text, `""` when empty; continues over repeated rows.
    Text,
    /// A count (integer), `null` when empty.
    Count,
    /// A year (integer), `null` when empty.
    Year,
    /// A decimal amount (string in JSON), `null` when empty.
    Amount,
    /// A table's presence.
    Table,
    /// An identifier or date (text), `null` when empty; not continued.
    Token,
}

/// The kind of a flat-sheet path, or why it is not one.
fn path_kind(path: &str) -> Result<Kind, String> {
    let seg: Vec<&str> = path.split('.').collect();
    let bad = || format!("未知的路径「{path}」");
    let index = |s: &str| s.parse::<usize>().map_err(|_| format!("路径「{path}」中的序号「{s}」不是数字"));
    match seg.as_slice() {
        ["schema"] | ["template"] | ["published_on"] => Ok(Kind::Token),
        ["agency"] => Ok(Kind::OptText),
        ["year"] => Ok(Kind::Year),
        ["provenance", "table_templates", table] => {
            if ["proactive", "requests", "review_litigation", "legacy_statistics"].contains(table) {
                Ok(Kind::Token)
            } else {
                Err(bad())
            }
        }
        ["proactive"] | ["requests"] | ["review_litigation"] | ["legacy_statistics"] => Ok(Kind::Table),
        ["proactive", row, col] => {
            let known =
                [template::T2_2021.as_slice(), template::T2_2019.as_slice()].into_iter().flatten().find_map(|b| {
                    b.rows.iter().any(|r| r.key == *row).then(|| b.columns.iter().find(|c| c.key == *col)).flatten()
                });
            match known {
                Some(c) if c.amount => Ok(Kind::Amount),
                Some(_) => Ok(Kind::Count),
                None => Err(bad()),
            }
        }
        ["requests", ..] => {
            let rest = &path["requests.".len()..];
            let (row, col) = rest.rsplit_once('.').ok_or_else(bad)?;
            if template::T3_ROWS.iter().any(|r| r.path == row) && Column::from_name(col).is_some() {
                Ok(Kind::Count)
            } else {
                Err(bad())
            }
        }
        ["review_litigation", group, result] => {
            let g = template::T4_GROUPS.iter().any(|g| g.key.name() == *group);
            let r = template::T4_RESULTS.iter().any(|r| r.key.name() == *result);
            if g && r {
                Ok(Kind::Count)
            } else {
                Err(bad())
            }
        }
        ["legacy_statistics", i, field] => {
            index(i)?;
            match *field {
                "label" => Ok(Kind::Text),
                "key" | "unit" => Ok(Kind::OptText),
                "value" => Ok(Kind::Amount),
                _ => Err(bad()),
            }
        }
        ["sections", i, field] => {
            index(i)?;
            match *field {
                "key" => Ok(Kind::OptText),
                "title" | "text" => Ok(Kind::Text),
                _ => Err(bad()),
            }
        }
        _ => Err(bad()),
    }
}

/// A cell's value as the JSON value of a path of `kind`.
fn json_value(kind: Kind, v: &CellValue) -> Result<Value, String> {
    let text = match v {
        CellValue::Empty => None,
        CellValue::Text(s) if s.trim().is_empty() && kind != Kind::Text && kind != Kind::OptText => None,
        CellValue::Text(s) => Some(s.clone()),
        CellValue::Number(n) => Some(n.clone()),
        CellValue::Bool(b) => return Err(format!("应为数值或文字，实为逻辑值 {b}")),
        CellValue::Error(e) => return Err(format!("单元格为错误值 {e}")),
    };
    Ok(match (kind, text) {
        (Kind::Text, None) => Value::String(String::new()),
        (_, None) | (Kind::Table, _) => Value::Null,
        (Kind::Token, Some(s)) => Value::String(s.trim().to_string()),
        // Text as written; a number typed into a text field keeps its digits.
        (Kind::Text | Kind::OptText, Some(s)) => Value::String(s),
        (Kind::Count | Kind::Year, Some(s)) => {
            let n = parse_integer(s.trim()).ok_or_else(|| format!("「{s}」不是整数"))?;
            if kind == Kind::Year && i32::try_from(n).is_err() {
                return Err(format!("「{s}」不是有效的年度"));
            }
            Value::from(n)
        }
        (Kind::Amount, Some(s)) => {
            let a = parse_amount(s.trim()).ok_or_else(|| format!("「{s}」不是十进制数额"))?;
            Value::String(a.as_str().to_string())
        }
    })
}

/// An integer from a cell: `12`, `-3`, a stored number such as `12.0` or `1.2E+1`.
fn parse_integer(s: &str) -> Option<i64> {
    if let Ok(n) = s.parse::<i64>() {
        return Some(n);
    }
    let a = parse_amount(s)?;
    if a.as_str().contains('.') {
        return None;
    }
    a.as_str().parse().ok()
}

/// A decimal amount from a cell: plain decimals exactly; an exponent form (`1.5E+20`) shifted
/// exactly.
fn parse_amount(s: &str) -> Option<Amount> {
    if let Ok(a) = Amount::parse(s) {
        return Some(a);
    }
    let (mantissa, exp) = s.split_once(['e', 'E'])?;
    let exp: i32 = exp.parse().ok()?;
    let m = Amount::parse(mantissa).ok()?;
    if exp >= 0 {
        Some(m.shift(u32::try_from(exp).ok().filter(|e| *e <= 400)?))
    } else {
        // Divide by moving the point left.
        let (neg, body) = match m.as_str().strip_prefix('-') {
            Some(b) => (true, b.to_string()),
            None => (false, m.as_str().to_string()),
        };
        let places = usize::try_from(-exp).ok().filter(|p| *p <= 400)?;
        let (int, frac) = body.split_once('.').unwrap_or((&body, ""));
        let digits = format!("{}{int}", "0".repeat(places));
        let cut = digits.len() - places;
        let s = format!("{}{}.{}{frac}", if neg { "-" } else { "" }, &digits[..cut], &digits[cut..]);
        Amount::parse(&s).ok()
    }
}

/// Sets `value` at `path` in `root`, creating objects and arrays on the way (array indexes are
/// bounded by the number of rows of the sheet).
fn set_path(root: &mut Value, path: &str, value: Value, append: bool) {
    let mut cur = root;
    for seg in path.split('.') {
        if let Ok(i) = seg.parse::<usize>() {
            if !cur.is_array() {
                *cur = Value::Array(Vec::new());
            }
            if let Value::Array(a) = cur {
                while a.len() <= i {
                    a.push(Value::Object(Map::new()));
                }
                cur = &mut a[i];
            }
        } else {
            if !cur.is_object() {
                *cur = Value::Object(Map::new());
            }
            if let Value::Object(m) = cur {
                cur = m.entry(seg.to_string()).or_insert(Value::Null);
            }
        }
    }
    match (append, &mut *cur, value) {
        (true, Value::String(s), Value::String(more)) => s.push_str(&more),
        (_, slot, v) => {
            // A table marker never overwrites the table's cells.
            if !(v.is_null() && (slot.is_object() || slot.is_array())) {
                *slot = v;
            }
        }
    }
}

/// Reads the flat sheet of a gongkai workbook back into the canonical report.
pub fn import_xlsx(bytes: &[u8], source: &str) -> Result<Report, ImportError> {
    let cells = read_sheet(bytes, source, FLAT_SHEET)?;
    let at = |row: u32, col: u32| format!("工作表「{FLAT_SHEET}」第 {} 行 {} 列", row + 1, column_letters(col));
    let mut rows: BTreeMap<u32, BTreeMap<u32, &CellValue>> = BTreeMap::new();
    for c in &cells {
        rows.entry(c.row).or_default().insert(c.col, &c.value);
    }
    let text_of = |v: &CellValue| match v {
        CellValue::Text(s) | CellValue::Number(s) => s.trim().to_string(),
        _ => String::new(),
    };
    // The header row: the first row that names a `path` column.
    let header = rows.iter().find(|(_, r)| r.values().any(|v| text_of(v).eq_ignore_ascii_case("path")));
    let Some((&head_row, head)) = header else {
        return Err(malformed(
            source,
            format!("工作表「{FLAT_SHEET}」缺少表头行：应有 path、标签、value 三列（第 1 行）"),
        ));
    };
    let find = |name: &str| head.iter().find(|(_, v)| text_of(v).eq_ignore_ascii_case(name)).map(|(c, _)| *c);
    let (Some(path_col), Some(value_col)) = (find("path"), find("value")) else {
        return Err(malformed(
            source,
            format!("{}：表头应有 path 和 value 两列（path、标签、value）", at(head_row, 0)),
        ));
    };
    let max_index = rows.len();
    let mut root = Value::Object(Map::new());
    let mut last_path: Option<String> = None;
    let mut seen: HashMap<String, u32> = HashMap::new();
    for (&r, row) in rows.range(head_row + 1..) {
        let path = row.get(&path_col).map(|v| text_of(v)).unwrap_or_default();
        if path.is_empty() {
            last_path = None;
            continue;
        }
        let kind = path_kind(&path).map_err(|m| malformed(source, format!("{}：{m}", at(r, path_col))))?;
        if let Some(i) = path.split('.').find_map(|s| s.parse::<usize>().ok()) {
            if i >= max_index {
                return Err(malformed(source, format!("{}：路径「{path}」的序号 {i} 超出行数", at(r, path_col))));
            }
        }
        let value = row.get(&value_col).copied().unwrap_or(&CellValue::Empty);
        let v = json_value(kind, value).map_err(|m| malformed(source, format!("{}：{path}：{m}", at(r, value_col))))?;
        // A long text continues on the next rows under the same path.
        let continues = matches!(kind, Kind::Text | Kind::OptText) && last_path.as_deref() == Some(path.as_str());
        if !continues && kind != Kind::Table {
            if let Some(first) = seen.get(&path) {
                return Err(malformed(
                    source,
                    format!("{}：路径「{path}」重复（第 {} 行已给出）", at(r, path_col), first + 1),
                ));
            }
        }
        seen.entry(path.clone()).or_insert(r);
        if path == "schema" && v.as_str() != Some(SCHEMA_ID) {
            return Err(malformed(
                source,
                format!("{}：文档格式应为 {SCHEMA_ID}，实为「{}」", at(r, value_col), v.as_str().unwrap_or("")),
            ));
        }
        if kind == Kind::Table {
            // Present, possibly with every cell blank: an empty object or list.
            let empty = if path == "legacy_statistics" { Value::Array(Vec::new()) } else { Value::Object(Map::new()) };
            set_path(&mut root, &path, empty, false);
        } else if path != "schema" {
            set_path(&mut root, &path, v, continues);
        }
        last_path = Some(path);
    }
    if let Value::Object(m) = &mut root {
        m.insert("schema".into(), Value::String(SCHEMA_ID.into()));
        if !m.contains_key("template") {
            return Err(malformed(source, format!("工作表「{FLAT_SHEET}」缺少 template 行（年度报告格式）")));
        }
        m.entry("sections").or_insert_with(|| Value::Array(Vec::new()));
        for k in ["agency", "year", "published_on", "proactive", "requests", "review_litigation", "legacy_statistics"] {
            m.entry(k).or_insert(Value::Null);
        }
        let templates = m
            .remove("provenance")
            .and_then(|p| p.get("table_templates").cloned())
            .unwrap_or_else(|| Value::Object(Map::new()));
        let mut prov = Map::new();
        prov.insert("source".into(), Value::String(source.to_string()));
        prov.insert("format".into(), serde_json::to_value(SourceFormat::Json).unwrap_or(Value::Null));
        prov.insert("shape".into(), Value::String("xlsx-flat".into()));
        prov.insert("table_templates".into(), templates);
        m.insert("provenance".into(), Value::Object(prov));
    }
    serde_json::from_value::<Report>(root)
        .map_err(|e| malformed(source, format!("工作表「{FLAT_SHEET}」的数据不构成有效的 gongkai.report/1 文档：{e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_and_escapes() {
        assert_eq!(parse_ref("A1"), Some((0, 0)));
        assert_eq!(parse_ref("AB12"), Some((11, 27)));
        assert_eq!(parse_ref("1A"), None);
        assert_eq!(column_letters(0), "A");
        assert_eq!(column_letters(27), "AB");
        assert_eq!(unescape_ooxml("a_x0001_b"), "a\u{1}b");
        assert_eq!(unescape_ooxml("_x005F_x0041_"), "_x0041_");
        assert_eq!(unescape_ooxml("_x12"), "_x12");
    }

    #[test]
    fn numbers_are_read_exactly() {
        assert_eq!(parse_integer("12"), Some(12));
        assert_eq!(parse_integer("12.0"), Some(12));
        assert_eq!(parse_integer("1.2E+1"), Some(12));
        assert_eq!(parse_integer("1.5"), None);
        assert_eq!(parse_amount("1.5E+20").map(|a| a.as_str().to_string()).as_deref(), Some("150000000000000000000"));
        assert_eq!(parse_amount("1.5E-3").map(|a| a.as_str().to_string()).as_deref(), Some("0.0015"));
        assert_eq!(parse_amount("x"), None);
    }

    #[test]
    fn paths_are_checked_against_the_template() {
        assert_eq!(path_kind("requests.outcomes.withheld.state_secret.natural_person"), Ok(Kind::Count));
        assert_eq!(path_kind("proactive.administrative_fees.amount_wan_yuan"), Ok(Kind::Amount));
        assert_eq!(path_kind("proactive.rules.made"), Ok(Kind::Count));
        assert!(path_kind("requests.outcomes.nowhere.total").is_err());
        assert!(path_kind("review_litigation.review.sum").is_err());
        assert_eq!(path_kind("sections.3.text"), Ok(Kind::Text));
    }
}
