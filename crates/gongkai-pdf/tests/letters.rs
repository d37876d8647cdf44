//! Every casework document template (casework-documents.md C1, and each reply outcome of C2)
//! renders in PDF, Word and HTML — including the kinds no event issues yet — and every value put
//! into its placeholders reads back from the PDF with `pdftotext`. Needs poppler-utils: skipped
//! with a message when missing, failed when `CI` is set.

use std::collections::BTreeMap;
use std::process::Command;

use chrono::NaiveDate;
use gongkai_core::casework::{fill, IssuedDocument, TemplateKey, Templates};
use gongkai_pdf::{render_document_pdf, Fonts};

fn have(tool: &str) -> bool {
    let ok = Command::new(tool).arg("-v").output().is_ok();
    if !ok {
        assert!(std::env::var_os("CI").is_none(), "{tool} is missing: install poppler-utils (scripts/setup.sh)");
        eprintln!("skipped: {tool} is missing (install poppler-utils)");
    }
    ok
}

#[test]
fn c1_every_template_renders_in_pdf_word_and_html_with_every_value() {
    if !have("pdftotext") {
        return;
    }
    let fonts = Fonts::system(None).unwrap_or_else(|e| panic!("{e}"));
    let templates = Templates::builtin();
    let dir = std::env::temp_dir().join(format!("gongkai-letters-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    let issued_on = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap_or_else(|| panic!("date"));
    let keys = TemplateKey::all();
    assert_eq!(keys.len(), 30);
    for (i, key) in keys.into_iter().enumerate() {
        let template = templates.get(key).unwrap_or_else(|| panic!("{}", key.file_name()));
        // A distinct value per placeholder, written as CJK so that pdftotext keeps it whole.
        let values: BTreeMap<&'static str, String> =
            template.placeholders().into_iter().enumerate().map(|(j, p)| (p, format!("值{i}甲{j}乙"))).collect();
        let doc = fill(template, key.kind, key.outcome, &values, "某县财政局", issued_on);
        let issued = IssuedDocument { number: format!("某财公〔2026〕{}号", i + 1), document: doc };

        let pdf = render_document_pdf(&issued, &fonts).unwrap_or_else(|e| panic!("{}: {e}", key.file_name()));
        let path = dir.join(format!("{i}.pdf"));
        std::fs::write(&path, &pdf).unwrap_or_else(|e| panic!("{e}"));
        let out = Command::new("pdftotext").arg(&path).arg("-").output().unwrap_or_else(|e| panic!("{e}"));
        let text: String = String::from_utf8_lossy(&out.stdout).split_whitespace().collect();
        for (p, v) in &values {
            assert!(text.contains(v.as_str()), "{}: {{{{{p}}}}} = {v} missing from the PDF: {text}", key.file_name());
        }
        for fixed in [issued.document.title.as_str(), issued.number.as_str(), "某县财政局", "2026年12月7日"] {
            assert!(text.contains(fixed), "{}: 「{fixed}」 missing: {text}", key.file_name());
        }

        let docx = gongkai_export::render_document_docx(&issued).unwrap_or_else(|e| panic!("{e}"));
        assert!(docx.starts_with(b"PK"), "{}", key.file_name());
        let html = gongkai_export::render_document_html(&issued);
        assert!(html.contains(&format!("<h1>{}</h1>", issued.document.title)), "{}", key.file_name());
        for v in values.values() {
            assert!(html.contains(v.as_str()), "{}: {v} missing from the HTML", key.file_name());
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}
