//! A casework document (casework-documents.md C1) as a Word file, in the report's 公文 layout
//! (GB/T 9704: same page, margins, faces and styles): title, 文号, 主送, body, a space for the
//! seal, then 落款 and date right-aligned.

use gongkai_core::casework::{date_label, IssuedDocument};

use super::{paragraph, parts, runs};
use crate::ExportError;

/// A paragraph of `style` with extra paragraph properties (alignment, indent).
fn paragraph_with(out: &mut String, style: &str, extra: &str, text: &str) {
    out.push_str("<w:p><w:pPr><w:pStyle w:val=\"");
    out.push_str(style);
    out.push_str("\"/>");
    out.push_str(extra);
    out.push_str("</w:pPr>");
    runs(out, text);
    out.push_str("</w:p>");
}

const NO_INDENT: &str = "<w:ind w:firstLineChars=\"0\" w:firstLine=\"0\"/>";

/// The document as a .docx file.
pub fn render_document_docx(issued: &IssuedDocument) -> Result<Vec<u8>, ExportError> {
    let d = &issued.document;
    let mut body = String::with_capacity(16 * 1024);
    body.push_str(super::DOCUMENT_START);
    paragraph(&mut body, "GkTitle", &d.title);
    paragraph_with(&mut body, "GkBody", &format!("<w:jc w:val=\"center\"/>{NO_INDENT}"), &issued.number);
    if let Some(old) = &d.replaces {
        paragraph_with(&mut body, "GkBody", NO_INDENT, &format!("（本文书更正并替代{old}）"));
    }
    paragraph_with(&mut body, "GkBody", NO_INDENT, &format!("{}：", d.addressee));
    for p in &d.paragraphs {
        paragraph(&mut body, "GkBody", p);
    }
    // The seal area: blank lines above the 落款 (印章 covers the signer and the date).
    paragraph(&mut body, "GkBody", "");
    paragraph(&mut body, "GkSignatureFirst", &d.signer);
    paragraph(&mut body, "GkSignature", &date_label(d.issued_on));
    super::end_document(&mut body);
    let iso = d.issued_on.format("%Y-%m-%d").to_string();
    let core = parts::core_xml(&format!("{}（{}）", d.title, issued.number), Some(&d.signer), Some(&iso));
    super::package(&body, &core)
}
