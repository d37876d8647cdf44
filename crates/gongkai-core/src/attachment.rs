//! Attachments of a reply (casework-documents.md C4, issue 17 item 6): which files may go with a
//! reply, told by their content (never by the name alone), and the limits, each refusal a
//! sentence a clerk can act on.
//!
//! The information provided goes with a reply that provides it (Art. 36(1)(2): 予以公开,
//! 部分公开); the types are those an office produces or scans: PDF, Word and Excel
//! (Office Open XML), PNG and JPEG.

use crate::report::RequestRow;

/// At most this many bytes per file (20 MiB): a scanned file of a few dozen pages.
pub const MAX_BYTES: usize = 20 * 1024 * 1024;
/// At most this many files per document.
pub const MAX_PER_DOCUMENT: usize = 20;
/// At most this many characters in a file name.
pub const MAX_NAME_CHARS: usize = 100;

/// A kind of file an attachment may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileType {
    /// Its media type.
    pub content_type: &'static str,
    /// Its extensions, the first the usual one.
    pub extensions: &'static [&'static str],
    /// Its name for a clerk.
    pub label: &'static str,
}

/// The kinds accepted.
pub const FILE_TYPES: [FileType; 5] = [
    FileType { content_type: "application/pdf", extensions: &["pdf"], label: "PDF 文件" },
    FileType {
        content_type: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        extensions: &["docx"],
        label: "Word 文档（.docx）",
    },
    FileType {
        content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        extensions: &["xlsx"],
        label: "Excel 工作簿（.xlsx）",
    },
    FileType { content_type: "image/png", extensions: &["png"], label: "PNG 图片" },
    FileType { content_type: "image/jpeg", extensions: &["jpg", "jpeg"], label: "JPEG 图片" },
];

/// Whether a reply of this outcome provides information, so that files may go with it.
pub fn provides_information(outcome: Option<RequestRow>) -> bool {
    matches!(outcome, Some(RequestRow::Granted | RequestRow::PartiallyGranted))
}

/// The kind of a file, from its first bytes: PDF and images by their signature, the Office
/// files by the ZIP signature and the part that names them (`word/`, `xl/`), found in the
/// archive's directory of names.
pub fn sniff(content: &[u8]) -> Option<&'static FileType> {
    let zip = |part: &[u8]| content.starts_with(b"PK\x03\x04") && contains(content, part);
    let index = if content.starts_with(b"%PDF-") {
        0
    } else if zip(b"word/document.xml") {
        1
    } else if zip(b"xl/workbook.xml") {
        2
    } else if content.starts_with(b"\x89PNG\r\n\x1a\n") {
        3
    } else if content.starts_with(b"\xff\xd8\xff") {
        4
    } else {
        return None;
    };
    FILE_TYPES.get(index)
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// The accepted kinds, for a message.
fn accepted() -> String {
    FILE_TYPES.iter().map(|t| t.label).collect::<Vec<_>>().join("、")
}

/// Checks a file to attach: its name (kept as the applicant will see it, trimmed, without a
/// folder), its size and its content. Returns the name to store and the kind; a refusal names
/// the file and what is wrong.
pub fn check(file_name: &str, content: &[u8]) -> Result<(String, &'static FileType), String> {
    // A browser may send a Windows path; keep the last component.
    let name = file_name.rsplit(['/', '\\']).next().unwrap_or(file_name).trim();
    if name.is_empty() {
        return Err("请选择要添加的附件文件".into());
    }
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(format!("附件文件名不能超过 {MAX_NAME_CHARS} 个字：「{name}」"));
    }
    if name.chars().any(|c| c.is_control()) || name.starts_with('.') {
        return Err(format!("附件文件名「{}」含有不允许的字符", name.escape_default()));
    }
    if content.is_empty() {
        return Err(format!("附件「{name}」是空文件"));
    }
    if content.len() > MAX_BYTES {
        return Err(format!(
            "附件「{name}」有 {:.1} MB，超过每个文件 {} MB 的上限；请拆分或压缩后再添加",
            content.len() as f64 / 1_048_576.0,
            MAX_BYTES / 1_048_576
        ));
    }
    let Some(kind) = sniff(content) else {
        return Err(format!("附件「{name}」不是可接受的文件类型（可接受：{}）", accepted()));
    };
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_lowercase()).unwrap_or_default();
    if !kind.extensions.contains(&ext.as_str()) {
        return Err(format!(
            "附件「{name}」的内容是{}，但扩展名不是 .{}；请核对文件后再添加",
            kind.label, kind.extensions[0]
        ));
    }
    Ok((name.to_string(), kind))
}

/// A size in words for a clerk (字节, KB, MB).
pub fn size_label(bytes: u64) -> String {
    if bytes < 1024 {
        format!("{bytes} 字节")
    } else if bytes < 1_048_576 {
        format!("{:.1} KB", bytes as f64 / 1024.0)
    } else {
        format!("{:.1} MB", bytes as f64 / 1_048_576.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_are_told_by_content() {
        assert_eq!(sniff(b"%PDF-1.7\n...").map(|t| t.extensions[0]), Some("pdf"));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n....").map(|t| t.extensions[0]), Some("png"));
        assert_eq!(sniff(b"\xff\xd8\xff\xe0..").map(|t| t.extensions[0]), Some("jpg"));
        assert_eq!(sniff(b"PK\x03\x04....word/document.xml..").map(|t| t.extensions[0]), Some("docx"));
        assert_eq!(sniff(b"PK\x03\x04....xl/workbook.xml..").map(|t| t.extensions[0]), Some("xlsx"));
        assert_eq!(sniff(b"PK\x03\x04....other.txt"), None);
        assert_eq!(sniff(b"MZ\x90\x00"), None);
    }

    #[test]
    fn a_file_is_checked_by_name_size_and_content() {
        let (name, kind) = check("C:\\扫描件\\预算表.pdf", b"%PDF-1.4").expect("a PDF");
        assert_eq!((name.as_str(), kind.content_type), ("预算表.pdf", "application/pdf"));
        assert_eq!(check("照片.JPEG", b"\xff\xd8\xff\xe0").map(|(n, _)| n), Ok("照片.JPEG".into()));
        let e = check("预算表.docx", b"%PDF-1.4").unwrap_err();
        assert!(e.contains("「预算表.docx」的内容是PDF 文件") && e.contains(".pdf"), "{e}");
        let e = check("程序.exe", b"MZ\x90\x00").unwrap_err();
        assert!(e.contains("「程序.exe」不是可接受的文件类型") && e.contains("PNG 图片"), "{e}");
        assert!(check("空.pdf", b"").unwrap_err().contains("空文件"));
        assert!(check("  ", b"%PDF").unwrap_err().contains("请选择"));
        assert!(check(".hidden.pdf", b"%PDF").unwrap_err().contains("不允许的字符"));
        let big = vec![0u8; MAX_BYTES + 1];
        let e = check("大.pdf", &big).unwrap_err();
        assert!(e.contains("超过每个文件 20 MB 的上限"), "{e}");
    }

    #[test]
    fn only_replies_that_provide_information_carry_files() {
        assert!(provides_information(Some(RequestRow::Granted)));
        assert!(provides_information(Some(RequestRow::PartiallyGranted)));
        assert!(!provides_information(None));
    }

    #[test]
    fn sizes_read_as_a_clerk_writes_them() {
        assert_eq!(size_label(512), "512 字节");
        assert_eq!(size_label(2048), "2.0 KB");
        assert_eq!(size_label(3 * 1_048_576), "3.0 MB");
    }
}
