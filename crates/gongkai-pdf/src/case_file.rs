//! 归档案卷 (Art. 45; casework-documents.md C4, issue 17 item 8): one request's whole file as one
//! PDF (the registration form, every document, the course, the list of attachments, with every
//! attachment attached to the PDF byte for byte and the images shown) and as a ZIP (that PDF,
//! each document as its own PDF, the attachments as uploaded, the course as CSV, and a list of
//! every file with its size and, for attachments, the SHA-256 registered with them).

use std::io::Write;

use chrono::Datelike;

use gongkai_core::attachment::size_label;
use gongkai_core::case_file::{path_component, CaseFile};

use gongkai_export::csv_field;

use crate::{compile, letter_data, render_document_pdf, world, Fonts, PdfError};

/// The path of each attachment inside the typst world, which is also its name in the PDF's
/// list of attached files: its own name, numbered only when two share one.
fn attachment_paths(file: &CaseFile) -> Vec<String> {
    let names: Vec<String> = file.attachments.iter().map(|a| path_component(&a.file_name)).collect();
    names
        .iter()
        .enumerate()
        .map(|(i, n)| if names.iter().filter(|m| *m == n).count() > 1 { format!("{}-{n}", i + 1) } else { n.clone() })
        .collect()
}

/// A SHA-256 in groups of 16 digits, so that a table cell can break it.
fn grouped(hex: &str) -> String {
    hex.as_bytes().chunks(16).map(|c| String::from_utf8_lossy(c).into_owned()).collect::<Vec<_>>().join(" ")
}

fn data(file: &CaseFile, fonts: &Fonts, show_images: bool) -> Result<Vec<u8>, PdfError> {
    let documents: Vec<serde_json::Value> = file
        .documents
        .iter()
        .map(|d| {
            let mut v = letter_data(&d.issued);
            v["delivery"] = serde_json::Value::String(format!("送达情况：{}", d.delivery));
            v
        })
        .collect();
    let attachments: Vec<serde_json::Value> = file
        .attachments
        .iter()
        .zip(attachment_paths(file))
        .map(|(a, path)| {
            serde_json::json!({
                "path": path,
                "name": a.file_name,
                "caption": format!("附件：{}（{}）", a.file_name, a.document),
                "content_type": a.content_type,
                "image": show_images && a.content_type.starts_with("image/"),
                "row": [a.document, a.file_name, size_label(a.content.len() as u64), grouped(&a.sha256)],
            })
        })
        .collect();
    let steps: Vec<[String; 4]> =
        file.steps.iter().map(|s| [s.on.to_string(), s.label.clone(), s.by.clone(), s.detail.clone()]).collect();
    let json = serde_json::json!({
        "fonts": &fonts.choice,
        "title": "政府信息公开申请办理案卷",
        "subtitle": format!("{}　受理编号 {}　归档日期 {}", file.agency_name, file.tracking_number, file.compiled_on),
        "registration": file.registration,
        "contents": contents(file),
        "documents": documents,
        "steps": steps,
        "attachments": attachments,
    });
    serde_json::to_vec(&json).map_err(|e| PdfError::Data(e.to_string()))
}

/// 卷内目录 in one sentence.
fn contents(file: &CaseFile) -> String {
    format!(
        "本案卷含：政府信息公开申请登记表 1 份；文书 {} 份（{}）；办理过程 {} 项；附件 {} 个。",
        file.documents.len(),
        if file.documents.is_empty() {
            "无".to_string()
        } else {
            file.documents.iter().map(|d| d.issued.number.as_str()).collect::<Vec<_>>().join("、")
        },
        file.steps.len(),
        file.attachments.len()
    )
}

/// The request's whole file as one PDF. An image the typesetter cannot read is still attached
/// to the PDF and listed, only not shown.
pub fn render_case_file_pdf(file: &CaseFile, fonts: &Fonts) -> Result<Vec<u8>, PdfError> {
    let files = || attachment_paths(file).into_iter().zip(file.attachments.iter().map(|a| a.content.clone())).collect();
    let with_images = compile(&world::ReportWorld::case_file(fonts, data(file, fonts, true)?, files()));
    match with_images {
        Ok(pdf) => Ok(pdf),
        Err(PdfError::Typeset(_)) if file.attachments.iter().any(|a| a.content_type.starts_with("image/")) => {
            compile(&world::ReportWorld::case_file(fonts, data(file, fonts, false)?, files()))
        }
        Err(e) => Err(e),
    }
}

/// The request's whole file as a ZIP, under one folder named for the request.
pub fn render_case_file_zip(file: &CaseFile, fonts: &Fonts) -> Result<Vec<u8>, PdfError> {
    let root = format!("{}-归档", path_component(&file.tracking_number));
    let mut entries: Vec<(String, Vec<u8>, Option<&str>)> = Vec::new();
    entries.push((format!("{root}/案卷.pdf"), render_case_file_pdf(file, fonts)?, None));
    for (i, d) in file.documents.iter().enumerate() {
        let name = format!("{root}/文书/{:02}-{}.pdf", i + 1, path_component(&d.issued.number));
        entries.push((name, render_document_pdf(&d.issued, fonts)?, None));
    }
    let mut used = std::collections::BTreeSet::new();
    for a in &file.attachments {
        let mut name = format!("{root}/附件/{}/{}", path_component(&a.document), path_component(&a.file_name));
        if !used.insert(name.clone()) {
            name = format!("{name}-{}", a.sha256.get(..8).unwrap_or("dup"));
            used.insert(name.clone());
        }
        entries.push((name, a.content.clone(), Some(a.sha256.as_str())));
    }
    let mut csv = String::from("\u{feff}日期,事项,经办人,内容\r\n");
    for s in &file.steps {
        let row = [s.on.to_string(), s.label.clone(), s.by.clone(), s.detail.clone()];
        csv.push_str(&row.iter().map(|c| csv_field(c)).collect::<Vec<_>>().join(","));
        csv.push_str("\r\n");
    }
    entries.push((format!("{root}/办理过程.csv"), csv.into_bytes(), None));
    let list: Vec<serde_json::Value> = entries
        .iter()
        .map(|(path, bytes, sha)| serde_json::json!({ "path": path, "size": bytes.len(), "sha256": sha }))
        .collect();
    let manifest = serde_json::json!({
        "agency": file.agency_name,
        "tracking_number": file.tracking_number,
        "compiled_on": file.compiled_on,
        "files": list,
    });
    let manifest = serde_json::to_vec_pretty(&manifest).map_err(|e| PdfError::Data(e.to_string()))?;
    entries.push((format!("{root}/清单.json"), manifest, None));

    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let mut options = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    // Every entry dated the day the file was compiled (not the ZIP format's 1980 default).
    let day = &file.compiled_on;
    let stamp = u16::try_from(day.year())
        .ok()
        .and_then(|y| zip::DateTime::from_date_and_time(y, day.month() as u8, day.day() as u8, 0, 0, 0).ok());
    if let Some(stamp) = stamp {
        options = options.last_modified_time(stamp);
    }
    let write_err = |e: String| PdfError::Write(format!("归档 ZIP：{e}"));
    for (path, bytes, _) in &entries {
        zip.start_file(path.as_str(), options).map_err(|e| write_err(e.to_string()))?;
        zip.write_all(bytes).map_err(|e| write_err(e.to_string()))?;
    }
    let cursor = zip.finish().map_err(|e| write_err(e.to_string()))?;
    Ok(cursor.into_inner())
}
