//! A casework document (casework-documents.md C1) as HTML: a self-contained page (the report's
//! 公文 stylesheet, no scripts or external resources) or a fragment for the tracking page and the
//! console. Every text is escaped; a line break inside a paragraph is a `<br>`.

use gongkai_core::casework::{date_label, IssuedDocument};

use crate::html::{escape, STYLESHEET};

/// The extra rules of a document (文号 centred, 主送 flush left, 落款 right).
pub const LETTER_STYLESHEET: &str = r#".gk-letter .gk-number { text-align: center; text-indent: 0; margin-bottom: 1em; }
.gk-letter .gk-addressee { text-indent: 0; }
.gk-letter .gk-replaces { text-indent: 0; }
.gk-letter .gk-seal { height: 3em; }
"#;

/// The document as one HTML page.
pub fn render_document_html(issued: &IssuedDocument) -> String {
    let mut out = String::with_capacity(8 * 1024);
    out.push_str("<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str(&format!("<title>{}（{}）</title>\n", escape(&issued.document.title), escape(&issued.number)));
    out.push_str("<style>\n");
    out.push_str(STYLESHEET);
    out.push_str(LETTER_STYLESHEET);
    out.push_str("</style>\n</head>\n<body>\n");
    out.push_str(&render_document_html_fragment(issued));
    out.push_str("</body>\n</html>\n");
    out
}

/// The document as one `<article class="gk-report gk-letter">`.
pub fn render_document_html_fragment(issued: &IssuedDocument) -> String {
    let d = &issued.document;
    let para = |class: &str, text: &str| -> String {
        let lines: Vec<String> = text.split('\n').map(escape).collect();
        if class.is_empty() {
            format!("<p>{}</p>\n", lines.join("<br>"))
        } else {
            format!("<p class=\"{class}\">{}</p>\n", lines.join("<br>"))
        }
    };
    let mut out = String::with_capacity(4 * 1024);
    out.push_str("<article class=\"gk-report gk-letter\" lang=\"zh-CN\">\n");
    out.push_str(&format!("<h1>{}</h1>\n", escape(&d.title)));
    out.push_str(&para("gk-number", &issued.number));
    if let Some(old) = &d.replaces {
        out.push_str(&para("gk-replaces", &format!("（本文书更正并替代{old}）")));
    }
    out.push_str(&para("gk-addressee", &format!("{}：", d.addressee)));
    for p in &d.paragraphs {
        out.push_str(&para("", p));
    }
    out.push_str("<div class=\"gk-seal\" aria-hidden=\"true\"></div>\n<div class=\"gk-signature\">\n");
    out.push_str(&para("", &d.signer));
    out.push_str(&para("", &date_label(d.issued_on)));
    out.push_str("</div>\n</article>\n");
    out
}
