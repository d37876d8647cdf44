//! PDF export of the canonical report in the official layout, typeset by typst.
//!
//! The document is the same outline every exporter prints (`gongkai_export::document`): title,
//! sections, paragraphs, the tables as merged-cell grids, the signature. It reaches typst as
//! JSON data ([`data`]); the layout is typst code ([`TEMPLATE`]) that reads it, so report text is
//! never parsed as markup (no escaping to get wrong, no injection) and no template label is
//! written here.
//!
//! Layout (《党政机关公文格式》 GB/T 9704 where it applies): A4; margins top 37 mm, bottom
//! 35 mm, left 28 mm, right 26 mm; title in a 小标宋-class serif, bold, 22 pt, centred; body in
//! 仿宋 (fallback Noto Serif CJK SC) 16 pt with a 2-character first-line indent; headings in
//! 黑体-class sans; tables in a sans face at 9 pt with full borders, merged cells, header rows
//! repeated when a table breaks across pages, never wider than the text; page numbers 「— 1 —」.
//!
//! The text layer is designed to be read back (`gongkai_import::pdf`): a table row's label and
//! its figures sit on one baseline (figures are aligned to the bottom of their row, where a
//! wrapped label's last line is), so extracted text gives 「label … n n n」 per row.
//!
//! Fonts are found once ([`Fonts::system`]) and reused: scanning takes ~200 ms, a render tens of
//! milliseconds. typst embeds subsets of the fonts used.

mod case_file;
mod data;
mod world;

pub use case_file::{render_case_file_pdf, render_case_file_zip};

use std::path::{Path, PathBuf};

use gongkai_core::report::Report;
use typst::text::FontBook;
use typst::utils::LazyHash;
use typst::{Library, LibraryExt};
use typst_kit::fonts::{self as kit_fonts, FontStore};
use typst_layout::PagedDocument;

use data::document_data;
pub use data::FontChoice;

/// The typst layout of the report; it reads the report from `data.json` ([`data::ReportData`]).
pub const TEMPLATE: &str = include_str!("report.typ");

/// Candidates per role, best first (typst family names, as in the fonts' name tables).
/// 标题: 小标宋-class serif.
const TITLE_FAMILIES: &[&str] = &[
    "FZXiaoBiaoSong-B05S",
    "FZXiaoBiaoSong-B05",
    "Source Han Serif SC",
    "Noto Serif CJK SC",
    "SimSun",
    "Songti SC",
    "AR PL UMing CN",
];
/// 正文: 仿宋, else a serif CJK face.
const BODY_FAMILIES: &[&str] = &[
    "FangSong_GB2312",
    "FangSong",
    "STFangsong",
    "Noto Serif CJK SC",
    "Source Han Serif SC",
    "SimSun",
    "Songti SC",
    "AR PL UMing CN",
];
/// 一级标题: 黑体-class sans.
const HEADING_FAMILIES: &[&str] =
    &["SimHei", "Noto Sans CJK SC", "Source Han Sans SC", "Heiti SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei"];
/// 表格: a sans face.
const TABLE_FAMILIES: &[&str] = &[
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "SimHei",
    "Microsoft YaHei",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
];

/// What went wrong making a PDF.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// No CJK serif or sans font is installed.
    #[error(
        "未找到中文字体（缺少{missing}）：请安装 Debian 软件包 fonts-noto-cjk（scripts/setup.sh 会安装），\
         或将字体放入设置项 font_dir（环境变量 GONGKAI_FONT_DIR）指定的目录"
    )]
    NoCjkFonts {
        /// The missing kinds, in Chinese (衬线体/无衬线体).
        missing: String,
        /// The missing kinds, in English.
        missing_en: String,
    },
    /// The extra font directory (setting `font_dir`) is not a readable directory.
    #[error("字体目录 {path}（设置项 font_dir）不可读：{message}")]
    FontDir {
        /// The directory.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// The report could not be turned into the layout's data.
    #[error("报告数据无法序列化：{0}")]
    Data(String),
    /// typst failed to lay out the document (a bug in the layout, not in the report).
    #[error("排版失败：{0}")]
    Typeset(String),
    /// typst failed to write the PDF.
    #[error("PDF 写出失败：{0}")]
    Write(String),
}

/// The fonts found on this machine, with the family chosen for each role; load once and reuse
/// for every render (scanning the system fonts costs ~200 ms).
pub struct Fonts {
    store: FontStore,
    choice: FontChoice,
    library: LazyHash<Library>,
}

impl std::fmt::Debug for Fonts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fonts").field("choice", &self.choice).finish_non_exhaustive()
    }
}

impl Fonts {
    /// Scans the system font directories and, when given, `extra_dir` (scanned recursively: the
    /// deployment's `font_dir` setting, for fonts such as 方正小标宋 or 仿宋_GB2312, or a
    /// hermetic build). Fails when no CJK serif or no CJK sans face is found.
    pub fn system(extra_dir: Option<&Path>) -> Result<Fonts, PdfError> {
        let mut store = FontStore::new();
        store.extend(kit_fonts::system());
        if let Some(dir) = extra_dir.filter(|d| !d.as_os_str().is_empty()) {
            check_dir(dir)?;
            store.extend(kit_fonts::scan(dir));
        }
        Fonts::from_store(store)
    }

    fn from_store(store: FontStore) -> Result<Fonts, PdfError> {
        let book = store.book();
        let title = pick(book, TITLE_FAMILIES);
        let body = pick(book, BODY_FAMILIES);
        let heading = pick(book, HEADING_FAMILIES);
        let table = pick(book, TABLE_FAMILIES);
        let serif = title.as_ref().or(body.as_ref());
        let sans = table.as_ref().or(heading.as_ref());
        let (missing, missing_en) = match (serif, sans) {
            (Some(serif), Some(sans)) => {
                let choice = FontChoice {
                    title: title.clone().unwrap_or_else(|| serif.clone()),
                    body: body.clone().unwrap_or_else(|| serif.clone()),
                    heading: heading.clone().unwrap_or_else(|| sans.clone()),
                    table: table.clone().unwrap_or_else(|| sans.clone()),
                };
                let library = LazyHash::new(Library::default());
                return Ok(Fonts { store, choice, library });
            }
            (None, None) => ("衬线体和无衬线体", "serif and sans"),
            (None, Some(_)) => ("衬线体（宋体/仿宋类）", "serif"),
            (Some(_), None) => ("无衬线体（黑体类）", "sans"),
        };
        Err(PdfError::NoCjkFonts { missing: missing.to_string(), missing_en: missing_en.to_string() })
    }

    /// The family chosen for each role.
    pub fn choice(&self) -> &FontChoice {
        &self.choice
    }

    /// Number of font faces found.
    pub fn len(&self) -> usize {
        self.store.book().families().map(|(_, ids)| ids.count()).sum()
    }

    /// Whether no font face was found at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn check_dir(dir: &Path) -> Result<(), PdfError> {
    match std::fs::read_dir(dir) {
        Ok(_) => Ok(()),
        Err(e) => Err(PdfError::FontDir { path: dir.to_path_buf(), message: e.to_string() }),
    }
}

/// The first candidate the book has (typst looks families up lowercased).
fn pick(book: &FontBook, candidates: &[&str]) -> Option<String> {
    candidates.iter().find(|f| book.contains_family(&f.to_lowercase())).map(|f| f.to_string())
}

/// The layout of a casework document (GB/T 9704, as the report's).
pub const LETTER_TEMPLATE: &str = include_str!("letter.typ");

/// The layout a casework document and an archive file share ([`LETTER_TEMPLATE`], `case_file.typ`).
pub const LETTER_LIB_TEMPLATE: &str = include_str!("letter_lib.typ");
/// The layout of a request's archive file.
pub const CASE_FILE_TEMPLATE: &str = include_str!("case_file.typ");

/// A document as the casework layout reads it (letter_lib.typ's `letter`).
pub(crate) fn letter_data(issued: &gongkai_core::casework::IssuedDocument) -> serde_json::Value {
    let d = &issued.document;
    serde_json::json!({
        "title": d.title,
        "number": issued.number,
        "replaces": d.replaces.as_ref().map(|old| format!("（本文书更正并替代{old}）")),
        "addressee": format!("{}：", d.addressee),
        "paragraphs": d.paragraphs,
        "signer": d.signer,
        "date": gongkai_core::casework::date_label(d.issued_on),
    })
}

/// Compiles a world and writes its PDF.
pub(crate) fn compile(world: &world::ReportWorld<'_>) -> Result<Vec<u8>, PdfError> {
    let compiled = typst::compile::<PagedDocument>(world).output;
    // Bound the memoisation cache of a long-running process (entries unused for 10 renders).
    typst::comemo::evict(10);
    let document = compiled.map_err(|errors| PdfError::Typeset(world::describe(world, &errors)))?;
    typst_pdf::pdf(&document, &typst_pdf::PdfOptions::default())
        .map_err(|errors| PdfError::Write(world::describe(world, &errors)))
}

/// Renders a casework document (casework-documents.md C1) as PDF: title, 文号, 主送, body, seal
/// space, 落款 and date, in the report's faces and margins. The document's text is data.
pub fn render_document_pdf(
    issued: &gongkai_core::casework::IssuedDocument,
    fonts: &Fonts,
) -> Result<Vec<u8>, PdfError> {
    let mut data = letter_data(issued);
    data["fonts"] = serde_json::to_value(&fonts.choice).map_err(|e| PdfError::Data(e.to_string()))?;
    let json = serde_json::to_vec(&data).map_err(|e| PdfError::Data(e.to_string()))?;
    compile(&world::ReportWorld::letter(fonts, json))
}

/// Renders the report as PDF in the official layout.
pub fn render_pdf(report: &Report, fonts: &Fonts) -> Result<Vec<u8>, PdfError> {
    let doc = gongkai_export::document::document(report);
    let data = document_data(&doc, &fonts.choice);
    let json = serde_json::to_vec(&data).map_err(|e| PdfError::Data(e.to_string()))?;
    compile(&world::ReportWorld::new(fonts, json))
}
