//! The typst `World` of one render: the layout as the main source, the report as `data.json`,
//! the fonts and standard library from [`Fonts`]. Nothing is read from disk or the network.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::LazyLock;

use typst::diag::{FileError, FileResult, SourceDiagnostic};
use typst::ecow::EcoVec;
use typst::foundations::{Bytes, Datetime, Duration};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, World};

use crate::Fonts;

/// The path of the layout inside the virtual project.
const MAIN_PATH: &str = "report.typ";
/// The path of the report data, as the layout loads it (`json("data.json")`).
const DATA_PATH: &str = "data.json";

fn file_id(path: &str) -> Option<FileId> {
    VirtualPath::new(path).ok().map(|v| FileId::new(RootedPath::new(VirtualRoot::Project, v)))
}

/// The layout, parsed once (typst memoises on it between renders).
static MAIN: LazyLock<Option<(FileId, Source)>> =
    LazyLock::new(|| file_id(MAIN_PATH).map(|id| (id, Source::new(id, crate::TEMPLATE.to_string()))));
static DATA_ID: LazyLock<Option<FileId>> = LazyLock::new(|| file_id(DATA_PATH));
/// The path of a casework document's layout.
const LETTER_PATH: &str = "letter.typ";
/// The casework document layout, parsed once.
static LETTER: LazyLock<Option<(FileId, Source)>> =
    LazyLock::new(|| file_id(LETTER_PATH).map(|id| (id, Source::new(id, crate::LETTER_TEMPLATE.to_string()))));

/// The path of the casework layout the document and the archive file import.
const LETTER_LIB_PATH: &str = "letter_lib.typ";
static LETTER_LIB: LazyLock<Option<(FileId, Source)>> =
    LazyLock::new(|| file_id(LETTER_LIB_PATH).map(|id| (id, Source::new(id, crate::LETTER_LIB_TEMPLATE.to_string()))));
/// The path of a request's archive file layout.
const CASE_FILE_PATH: &str = "case_file.typ";
static CASE_FILE: LazyLock<Option<(FileId, Source)>> =
    LazyLock::new(|| file_id(CASE_FILE_PATH).map(|id| (id, Source::new(id, crate::CASE_FILE_TEMPLATE.to_string()))));

pub(crate) struct ReportWorld<'a> {
    fonts: &'a Fonts,
    data: Bytes,
    main: Source,
    /// Files the layout reads besides `data.json` (an archive file's attachments), by path.
    files: HashMap<FileId, Bytes>,
}

impl<'a> ReportWorld<'a> {
    pub(crate) fn new(fonts: &'a Fonts, data: Vec<u8>) -> ReportWorld<'a> {
        let main = match &*MAIN {
            Some((_, source)) => source.clone(),
            // Unreachable (the path is a constant); a detached source still compiles, and
            // `data.json` is then reported missing.
            None => Source::detached(crate::TEMPLATE),
        };
        ReportWorld { fonts, data: Bytes::new(data), main, files: HashMap::new() }
    }

    /// The world of a casework document: its layout as the main source, the document as
    /// `data.json`.
    pub(crate) fn letter(fonts: &'a Fonts, data: Vec<u8>) -> ReportWorld<'a> {
        let main = match &*LETTER {
            Some((_, source)) => source.clone(),
            None => Source::detached(crate::LETTER_TEMPLATE),
        };
        ReportWorld { fonts, data: Bytes::new(data), main, files: HashMap::new() }
    }

    /// The world of a request's archive file: its layout, the file as `data.json`, and each
    /// attachment's content at its path (`files`: path and content).
    pub(crate) fn case_file(fonts: &'a Fonts, data: Vec<u8>, files: Vec<(String, Vec<u8>)>) -> ReportWorld<'a> {
        let main = match &*CASE_FILE {
            Some((_, source)) => source.clone(),
            None => Source::detached(crate::CASE_FILE_TEMPLATE),
        };
        let files = files.into_iter().filter_map(|(path, bytes)| Some((file_id(&path)?, Bytes::new(bytes)))).collect();
        ReportWorld { fonts, data: Bytes::new(data), main, files }
    }
}

impl World for ReportWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.fonts.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.fonts.store.book()
    }

    fn main(&self) -> FileId {
        self.main.id()
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if id == self.main.id() {
            Ok(self.main.clone())
        } else if let Some((lib_id, lib)) = &*LETTER_LIB {
            if id == *lib_id {
                return Ok(lib.clone());
            }
            Err(FileError::NotFound(PathBuf::from(format!("{id:?}"))))
        } else {
            Err(FileError::NotFound(PathBuf::from(format!("{id:?}"))))
        }
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if Some(id) == *DATA_ID {
            Ok(self.data.clone())
        } else if let Some(bytes) = self.files.get(&id) {
            Ok(bytes.clone())
        } else {
            Err(FileError::NotFound(PathBuf::from(format!("{id:?}"))))
        }
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.fonts.store.font(index)
    }

    fn today(&self, _offset: Option<Duration>) -> Option<Datetime> {
        // The layout prints no "today": output depends on the report only.
        None
    }
}

/// typst's errors as one line each, with the layout line they point at.
pub(crate) fn describe(world: &ReportWorld<'_>, errors: &EcoVec<SourceDiagnostic>) -> String {
    errors
        .iter()
        .map(|e| {
            let at = typst::WorldExt::range(world, e.span)
                .and_then(|r| world.main.lines().byte_to_line(r.start))
                .map(|l| format!("（report.typ 第 {} 行）", l + 1))
                .unwrap_or_default();
            format!("{}{at}", e.message)
        })
        .collect::<Vec<_>>()
        .join("；")
}
