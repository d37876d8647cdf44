//! Word files (.docx): paragraphs and tables of `word/document.xml`.
//!
//! Tables keep their structure: `w:gridSpan` (horizontal merge), `w:vMerge` (vertical merge,
//! `restart`/continue) and `w:gridBefore` are resolved into the grid ([`crate::grid`]); a cell's
//! text is the text of all its runs (Word splits text across runs freely), its paragraphs
//! separated by spaces. Deleted revisions (`w:del`), field codes (`w:instrText`) and the
//! fallback copy of text boxes (`mc:Fallback`) are not text. Headers and footers are not read.
//!
//! The zip is read with limits: at most [`MAX_ENTRIES`] members, and `word/document.xml` at most
//! [`MAX_DOCUMENT_XML`] bytes once inflated, whatever its header claims, with a compression
//! ratio of at most [`MAX_RATIO`]. A zip bomb is refused with a message, never inflated.

use std::io::{Cursor, Read};

use gongkai_core::report::{Report, SourceFormat};
use quick_xml::events::Event;
use quick_xml::Reader;

use crate::grid::{self, Block, TableBuilder, VMerge};
use crate::ImportError;

/// The largest .docx file read.
pub const MAX_DOCX_BYTES: usize = 256 * 1024 * 1024;
/// The most members a .docx may have.
pub const MAX_ENTRIES: usize = 10_000;
/// The largest `word/document.xml` inflated (a 200-page report is about 5 MiB).
pub const MAX_DOCUMENT_XML: u64 = 64 * 1024 * 1024;
/// The highest compression ratio accepted for a member larger than 1 MiB (text XML deflates
/// about 10:1; bombs reach 1000:1).
pub const MAX_RATIO: u64 = 200;

fn too_large(source: &str, message: String) -> ImportError {
    ImportError::TooLarge { source_name: source.to_string(), message }
}

fn malformed(source: &str, message: String) -> ImportError {
    ImportError::Malformed { source_name: source.to_string(), format: "DOCX", message }
}

/// Imports a zip container: a .docx; other Office files are named and refused.
pub fn import_zip(bytes: &[u8], source: &str) -> Result<Report, ImportError> {
    let blocks = blocks(bytes, source)?;
    grid::import_blocks(&blocks, source, "UTF-8", SourceFormat::Docx)
}

/// The document's blocks; the zip and XML parsers run guarded.
fn blocks(bytes: &[u8], source: &str) -> Result<Vec<Block>, ImportError> {
    crate::guarded(|| {
        let xml = document_xml(bytes, source)?;
        read_document(&xml).map_err(|m| malformed(source, m))
    })
    .unwrap_or_else(|| Err(malformed(source, "zip/XML 解析器内部错误".into())))
}

/// The intermediate text of a .docx (for tests and debugging).
pub fn docx_intermediate_text(bytes: &[u8]) -> Result<String, ImportError> {
    Ok(grid::intermediate_text(&blocks(bytes, "-")?))
}

/// Reads `word/document.xml` out of the zip, within the limits.
fn document_xml(bytes: &[u8], source: &str) -> Result<String, ImportError> {
    if bytes.len() > MAX_DOCX_BYTES {
        return Err(too_large(
            source,
            format!("文件大小 {} 字节，超过 {} MiB 上限", bytes.len(), MAX_DOCX_BYTES / (1024 * 1024)),
        ));
    }
    let mut zip =
        zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| malformed(source, format!("zip 结构损坏：{e}")))?;
    if zip.len() > MAX_ENTRIES {
        return Err(too_large(source, format!("zip 含 {} 个成员，超过 {MAX_ENTRIES} 个上限", zip.len())));
    }
    let names: Vec<String> = zip.file_names().filter_map(Result::ok).map(|n| n.into_owned()).collect();
    if !names.iter().any(|n| n == "word/document.xml") {
        let format = if names.iter().any(|n| n.starts_with("xl/")) {
            "XLSX"
        } else if names.iter().any(|n| n.starts_with("ppt/")) {
            "PPTX"
        } else if names.iter().any(|n| n == "content.xml") {
            "ODF"
        } else {
            "zip"
        };
        return Err(ImportError::Unsupported { source_name: source.to_string(), format });
    }
    let mut f =
        zip.by_name("word/document.xml").map_err(|e| malformed(source, format!("无法读取 word/document.xml：{e}")))?;
    let size = f.size();
    let packed = f.compressed_size().max(1);
    if size > MAX_DOCUMENT_XML {
        return Err(too_large(
            source,
            format!(
                "word/document.xml 解压后 {size} 字节，超过 {} MiB 上限（可能是 zip 炸弹）",
                MAX_DOCUMENT_XML / (1024 * 1024)
            ),
        ));
    }
    if size > 1024 * 1024 && size / packed > MAX_RATIO {
        return Err(too_large(
            source,
            format!("word/document.xml 压缩比 {}:1，超过 {MAX_RATIO}:1 上限（可能是 zip 炸弹）", size / packed),
        ));
    }
    let mut buf = Vec::new();
    // The header's size may lie: never inflate more than the limit.
    (&mut f)
        .take(MAX_DOCUMENT_XML + 1)
        .read_to_end(&mut buf)
        .map_err(|e| malformed(source, format!("word/document.xml 解压失败：{e}")))?;
    if buf.len() as u64 > MAX_DOCUMENT_XML {
        return Err(too_large(
            source,
            format!("word/document.xml 解压后超过 {} MiB 上限（可能是 zip 炸弹）", MAX_DOCUMENT_XML / (1024 * 1024)),
        ));
    }
    match String::from_utf8(buf) {
        Ok(s) => Ok(s),
        Err(e) => crate::decode::decode(e.as_bytes())
            .map(|d| d.text)
            .ok_or_else(|| malformed(source, "word/document.xml 不是 UTF-8/UTF-16 文本".into())),
    }
}

/// An attribute's value (by qualified name).
fn attr(e: &quick_xml::events::BytesStart<'_>, name: &str) -> Option<String> {
    e.try_get_attribute(name).ok().flatten().map(|a| a.value.into_owned())
}

fn attr_usize(e: &quick_xml::events::BytesStart<'_>, name: &str) -> Option<usize> {
    attr(e, name).and_then(|v| v.trim().parse().ok())
}

/// The state of the walk over `word/document.xml`.
#[derive(Default)]
struct State {
    blocks: Vec<Block>,
    /// Nesting depth of `w:tbl` (tables in cells are read as the outer cell's text).
    depth: usize,
    /// Inside a skipped element (`w:del`, `w:instrText`, `mc:Fallback`): its nesting depth.
    skip: usize,
    in_text: bool,
    para: String,
    cell: String,
    span: usize,
    vmerge: Option<VMerge>,
    grid_before: usize,
    row: Vec<(String, usize, VMerge)>,
    table: Option<TableBuilder>,
    tables: usize,
    /// Grid slots of all tables so far (bounded by [`grid::MAX_SLOTS`]).
    cells: usize,
}

impl State {
    fn push_text(&mut self, s: &str) {
        if self.depth > 0 {
            self.cell.push_str(s);
        } else {
            self.para.push_str(s);
        }
    }

    fn start(&mut self, name: &str, e: &quick_xml::events::BytesStart<'_>, empty: bool) {
        match name {
            "w:del" | "w:moveFrom" | "w:instrText" | "w:delInstrText" | "mc:Fallback" | "w:delText" if !empty => {
                self.skip = 1;
            }
            "w:tbl" if !empty => {
                self.depth += 1;
                if self.depth == 1 {
                    self.tables += 1;
                    self.table = Some(TableBuilder::new(self.tables));
                }
            }
            "w:tr" if self.depth == 1 => {
                self.row.clear();
                self.grid_before = 0;
            }
            "w:gridBefore" if self.depth == 1 => {
                self.grid_before = attr_usize(e, "w:val").unwrap_or(0).min(grid::MAX_COLUMNS);
            }
            "w:tc" if self.depth == 1 => {
                self.cell.clear();
                self.span = 1;
                self.vmerge = None;
            }
            "w:gridSpan" if self.depth == 1 => {
                self.span = attr_usize(e, "w:val").unwrap_or(1).clamp(1, grid::MAX_COLUMNS);
            }
            "w:vMerge" if self.depth == 1 => {
                self.vmerge = Some(match attr(e, "w:val").as_deref() {
                    Some("restart") => VMerge::Restart,
                    _ => VMerge::Continue,
                });
            }
            "w:t" if !empty => self.in_text = true,
            "w:tab" | "w:ptab" => self.push_text(" "),
            "w:br" | "w:cr" => self.push_text(" "),
            "w:noBreakHyphen" => self.push_text("-"),
            _ => {}
        }
    }

    fn end(&mut self, name: &str) {
        match name {
            "w:t" => self.in_text = false,
            "w:p" => {
                if self.depth == 0 {
                    let p = std::mem::take(&mut self.para);
                    self.blocks.push(Block::Para(p));
                } else {
                    self.cell.push('\n');
                }
            }
            "w:tc" if self.depth == 1 => {
                let text = std::mem::take(&mut self.cell);
                self.row.push((text, self.span, self.vmerge.unwrap_or(VMerge::No)));
            }
            "w:tr" if self.depth == 1 => {
                if self.cells <= grid::MAX_SLOTS {
                    if let Some(t) = self.table.as_mut() {
                        self.cells += t.docx_row(self.grid_before, &self.row).max(1);
                    }
                }
                self.row.clear();
            }
            "w:tbl" if self.depth > 0 => {
                self.depth -= 1;
                if self.depth == 0 {
                    if let Some(t) = self.table.take().map(TableBuilder::finish) {
                        if t.width() >= 2 && t.height() > 0 {
                            self.blocks.push(Block::Table(t));
                        } else {
                            // A one-column table (a framed box): its text is prose.
                            let paras: Vec<Block> = t.texts().map(|s| Block::Para(s.to_string())).collect();
                            self.blocks.extend(paras);
                        }
                    }
                } else {
                    self.cell.push('\n');
                }
            }
            _ => {}
        }
    }
}

/// The blocks of `word/document.xml`; `Err` for XML that is not well formed.
fn read_document(xml: &str) -> Result<Vec<Block>, String> {
    let mut reader = Reader::from_str(xml);
    let mut st = State::default();
    // Elements open (quick-xml reports an end tag without a start, not a start never closed).
    let mut open = 0usize;
    loop {
        let ev = reader
            .read_event()
            .map_err(|e| format!("word/document.xml 不是合法的 XML（位置 {}）：{e}", reader.buffer_position()))?;
        match ev {
            Event::Start(e) => {
                open += 1;
                if st.skip > 0 {
                    st.skip += 1;
                    continue;
                }
                let name = e.name();
                st.start(name.as_ref(), &e, false);
            }
            Event::Empty(e) => {
                if st.skip > 0 {
                    continue;
                }
                let name = e.name();
                st.start(name.as_ref(), &e, true);
            }
            Event::End(e) => {
                open = open.saturating_sub(1);
                if st.skip > 0 {
                    st.skip -= 1;
                    continue;
                }
                let name = e.name();
                st.end(name.as_ref());
            }
            Event::Text(t) if st.in_text && st.skip == 0 => st.push_text(&t),
            Event::CData(t) if st.in_text && st.skip == 0 => st.push_text(&t),
            Event::GeneralRef(r) if st.in_text && st.skip == 0 => {
                let c = match r.resolve_char_ref() {
                    Ok(Some(c)) => Some(c),
                    _ => match &*r {
                        "amp" => Some('&'),
                        "lt" => Some('<'),
                        "gt" => Some('>'),
                        "quot" => Some('"'),
                        "apos" => Some('\''),
                        _ => None,
                    },
                };
                if let Some(c) = c {
                    st.push_text(c.encode_utf8(&mut [0u8; 4]));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if open > 0 {
        return Err(format!("word/document.xml 不完整：文件结尾处仍有 {open} 个元素未闭合（文件可能被截断）"));
    }
    if !st.para.is_empty() {
        st.blocks.push(Block::Para(std::mem::take(&mut st.para)));
    }
    Ok(st.blocks)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_merges_and_revisions() {
        let xml = r#"<w:document xmlns:w="w"><w:body>
<w:p><w:r><w:t>2021年</w:t></w:r><w:r><w:t xml:space="preserve">某局政府信息公开</w:t></w:r><w:del><w:r><w:delText>删</w:delText></w:r></w:del><w:r><w:t>工作年度报告 &amp; 附</w:t></w:r></w:p>
<w:tbl>
<w:tr><w:tc><w:tcPr><w:vMerge w:val="restart"/></w:tcPr><w:p><w:r><w:t>A</w:t></w:r></w:p></w:tc><w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr><w:p><w:r><w:t>B</w:t></w:r></w:p></w:tc></w:tr>
<w:tr><w:tc><w:tcPr><w:vMerge/></w:tcPr><w:p/></w:tc><w:tc><w:p><w:r><w:t>1</w:t></w:r></w:p></w:tc><w:tc><w:p/></w:tc></w:tr>
</w:tbl></w:body></w:document>"#;
        let blocks = read_document(xml).unwrap_or_default();
        let text = grid::intermediate_text(&blocks);
        assert_eq!(text, "2021年某局政府信息公开工作年度报告 & 附\nA B\n1 —\n");
    }

    #[test]
    fn broken_xml_is_an_error() {
        assert!(read_document("<w:document><w:body><w:p></w:body>").is_err());
    }
}
