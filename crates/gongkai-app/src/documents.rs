//! Casework documents (casework-documents.md): who issues them (the agency, its 简称, its remedy
//! clause), the templates in force, and reading the documents a request's events issued. The
//! issue itself is part of recording the event ([`crate::request::record_event`]), one write.

use std::path::Path;

use gongkai_core::attachment;
use gongkai_core::casework::{self, CaseworkSettings, Particulars, Remedy, Templates};
use gongkai_core::register::{Agency, Request};
use gongkai_store::{AttachmentWrite, RequestId, Store, StoredAttachment, StoredDocument};

use crate::{Actor, AppError, Clock};

/// What a document needs of the agency that issues it.
#[derive(Debug, Clone)]
pub struct Issuer {
    /// The agency.
    pub agency: Agency,
    /// Its settings as stored.
    pub settings: CaseworkSettings,
    /// The remedy clause's bodies (C3): the settings', else computed from the agency tree.
    pub remedy: Remedy,
    /// The remedy computed from the tree alone (shown beside an override for confirmation).
    pub computed: Remedy,
    /// The 简称 its 文号 start with.
    pub short_name: String,
}

/// What recording an event needs to issue its document: the templates in force and, for a
/// reply, what staff say beyond the outcome (C2).
#[derive(Debug, Clone, Copy)]
pub struct DocumentInput<'a> {
    /// The templates.
    pub templates: &'a Templates,
    /// A reply's particulars (empty for other events).
    pub particulars: &'a Particulars,
}

/// The agency `code` as it issues documents: its settings and its remedy over the agency tree.
pub async fn issuer(store: &Store, code: &str) -> Result<Issuer, AppError> {
    let agency = crate::year::agency(store, code).await?;
    let settings = store.casework_settings(&agency.code).await?;
    // The ancestors, from the parent up (a tree, bounded against a cycle in stored data).
    let mut ancestors = Vec::new();
    let mut next = agency.parent.clone();
    while let Some(code) = next {
        if ancestors.len() >= 32 || ancestors.iter().any(|a: &Agency| a.code == code) {
            break;
        }
        let Some(parent) = store.get_agency(&code).await? else { break };
        next = parent.parent.clone();
        ancestors.push(parent);
    }
    let remedy = casework::remedy(&agency, &settings, &ancestors);
    let plain = CaseworkSettings { review_body: None, court: None, ..settings.clone() };
    let computed = casework::remedy(&agency, &plain, &ancestors);
    let short_name = casework::short_name(&agency, &settings).to_string();
    Ok(Issuer { agency, settings, remedy, computed, short_name })
}

/// Replaces the casework settings of `agency` (audited as `agency.casework`), returning the
/// issuer as its documents will now print it.
pub async fn set_settings(
    store: &Store,
    clock: &Clock,
    actor: &Actor,
    agency: &str,
    settings: CaseworkSettings,
) -> Result<Issuer, AppError> {
    let code = crate::year::agency(store, agency).await?.code;
    let trimmed = |s: Option<String>| s.map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
    let settings = CaseworkSettings {
        short_name: trimmed(settings.short_name),
        review_body: trimmed(settings.review_body),
        court: trimmed(settings.court),
        office_contact: trimmed(settings.office_contact),
        ..settings
    };
    for (field, label, value) in [
        ("short_name", "机关简称", &settings.short_name),
        ("review_body", "行政复议机关", &settings.review_body),
        ("court", "管辖法院", &settings.court),
        ("office_contact", "联系方式", &settings.office_contact),
    ] {
        if let Some(v) = value {
            gongkai_core::input::text(field, label, v, false)
                .map_err(|e| AppError::Invalid { field, message: e.message })?;
        }
    }
    let outcome = store.set_casework_settings(&code, &settings, &actor.username, clock.now()).await;
    if let Err(e) = &outcome {
        actor.audit(store, clock, "agency.casework", &code, false, Some(e.to_string())).await;
    }
    outcome?;
    issuer(store, &code).await
}

/// The request `tracking_number` of `agency` with the documents its events issued, in order.
pub async fn request_documents(
    store: &Store,
    agency: &str,
    tracking_number: &str,
) -> Result<(RequestId, Request, Vec<StoredDocument>), AppError> {
    let code = crate::year::agency(store, agency).await?.code;
    let id = store
        .find_request(&code, tracking_number.trim())
        .await?
        .ok_or_else(|| AppError::NotFound(format!("机关 {code} 没有受理编号为「{}」的申请", tracking_number.trim())))?;
    let (request, _) = store
        .get_request(&id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("受理编号「{tracking_number}」的申请不存在")))?;
    let docs = store.list_documents(&id).await?;
    Ok((id, request, docs))
}

/// One document of the request, by its 文号.
pub async fn request_document(
    store: &Store,
    agency: &str,
    tracking_number: &str,
    number: &str,
) -> Result<StoredDocument, AppError> {
    let (_, request, docs) = request_documents(store, agency, tracking_number).await?;
    docs.into_iter().find(|d| d.number == number.trim()).ok_or_else(|| {
        AppError::NotFound(format!("申请「{}」没有文号为「{}」的文书", request.tracking_number, number.trim()))
    })
}

/// Records how and when the document `number` of the request reached the applicant (C4: the
/// delivery date is recorded on the request; Art. 40 the form). The method is one of
/// [`casework::DELIVERY_METHODS`]; the date not before the document's date nor after today.
/// Recorded once; audited (`document.delivery`), refused attempts too.
#[allow(clippy::too_many_arguments)]
pub async fn record_delivery(
    store: &Store,
    clock: &Clock,
    actor: &Actor,
    agency: &str,
    tracking_number: &str,
    number: &str,
    method: &str,
    on: chrono::NaiveDate,
) -> Result<StoredDocument, AppError> {
    let outcome = delivery_checked(store, clock, actor, agency, tracking_number, number, method, on).await;
    actor.audit_refusal(store, clock, "document.delivery", number.trim(), &outcome).await;
    outcome
}

#[allow(clippy::too_many_arguments)]
async fn delivery_checked(
    store: &Store,
    clock: &Clock,
    actor: &Actor,
    agency: &str,
    tracking_number: &str,
    number: &str,
    method: &str,
    on: chrono::NaiveDate,
) -> Result<StoredDocument, AppError> {
    let Some((_, label)) = casework::DELIVERY_METHODS.iter().find(|(m, _)| *m == method.trim()) else {
        return Err(AppError::Invalid {
            field: "method",
            message: format!(
                "送达方式须为 {}",
                casework::DELIVERY_METHODS.iter().map(|(m, l)| format!("{m}（{l}）")).collect::<Vec<_>>().join("、")
            ),
        });
    };
    let (id, _, docs) = request_documents(store, agency, tracking_number).await?;
    let doc = docs.into_iter().find(|d| d.number == number.trim()).ok_or_else(|| {
        AppError::NotFound(format!("申请「{}」没有文号为「{}」的文书", tracking_number.trim(), number.trim()))
    })?;
    if let Some(done) = doc.delivered_on {
        let how = casework::DELIVERY_METHODS.iter().find(|(m, _)| *m == doc.delivery).map_or("送达", |(_, l)| *l);
        return Err(AppError::Conflict(format!("文书 {} 已于 {done} {how}，不能再次登记", doc.number)));
    }
    if on < doc.document.issued_on || on > clock.today() {
        return Err(AppError::Invalid {
            field: "on",
            message: format!("送达日期应在成文日期 {} 与今天 {} 之间", doc.document.issued_on, clock.today()),
        });
    }
    let event = actor.event("document.delivery", &doc.number, true, Some(format!("{label} {on}")));
    let audit = gongkai_store::AuditNote { event: &event, at: clock.now() };
    if !store.record_delivery(&id, &doc.number, method.trim(), on, audit).await? {
        return Err(AppError::Conflict(format!("文书 {} 已登记送达，不能再次登记", doc.number)));
    }
    Ok(StoredDocument { delivery: method.trim().to_string(), delivered_on: Some(on), ..doc })
}

/// The templates in force: the built-in ones, with the `*.txt` files of `dir` (an office's
/// 示范文本) laid over them. Every file is checked now; a bad one is refused naming the file and
/// the placeholder, and nothing of the folder is used.
pub fn load_templates(dir: Option<&Path>) -> Result<Templates, AppError> {
    let invalid = |message: String| AppError::Invalid { field: "document_templates", message };
    let mut files = Vec::new();
    if let Some(dir) = dir {
        let entries =
            std::fs::read_dir(dir).map_err(|e| invalid(format!("无法读取文书模板目录 {}：{e}", dir.display())))?;
        let mut paths: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
        paths.sort();
        for path in paths.into_iter().filter(|p| p.extension().is_some_and(|x| x == "txt")) {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| invalid(format!("无法读取文书模板 {}：{e}（应为 UTF-8 文本）", path.display())))?;
            files.push((path.display().to_string(), text));
        }
    }
    Templates::with_overrides(&files).map_err(|e| invalid(e.to_string()))
}

/// Attaches a file to the reply `number` of the request (C4, issue 17 item 6): the information
/// provided, to a reply that provides it (予以公开, 部分公开), until the reply is delivered; the
/// file is checked by name, size and content ([`gongkai_core::attachment::check`]). Audited
/// (`attachment.add`), refused attempts too.
#[allow(clippy::too_many_arguments)]
pub async fn attach(
    store: &Store,
    clock: &Clock,
    actor: &Actor,
    agency: &str,
    tracking_number: &str,
    number: &str,
    file_name: &str,
    content: &[u8],
) -> Result<StoredAttachment, AppError> {
    let outcome = attach_checked(store, clock, actor, agency, tracking_number, number, file_name, content).await;
    actor.audit_refusal(store, clock, "attachment.add", number.trim(), &outcome).await;
    outcome
}

#[allow(clippy::too_many_arguments)]
async fn attach_checked(
    store: &Store,
    clock: &Clock,
    actor: &Actor,
    agency: &str,
    tracking_number: &str,
    number: &str,
    file_name: &str,
    content: &[u8],
) -> Result<StoredAttachment, AppError> {
    let (id, request, docs) = request_documents(store, agency, tracking_number).await?;
    let doc = docs.into_iter().find(|d| d.number == number.trim()).ok_or_else(|| {
        AppError::NotFound(format!("申请「{}」没有文号为「{}」的文书", request.tracking_number, number.trim()))
    })?;
    if doc.document.kind != casework::DocumentKind::Reply || !attachment::provides_information(doc.document.outcome) {
        return Err(AppError::Invalid {
            field: "document",
            message: format!(
                "文书 {} 不是予以公开或部分公开的答复书，不能附送信息；附件只随提供信息的答复书送达",
                doc.number
            ),
        });
    }
    if let Some(on) = doc.delivered_on {
        return Err(delivered(&doc.number, on));
    }
    let existing = store.list_attachments(&id).await?;
    if existing.iter().filter(|a| a.document == doc.number).count() >= attachment::MAX_PER_DOCUMENT {
        return Err(AppError::Invalid {
            field: "file",
            message: format!("每份答复书至多附 {} 个文件；请合并后再添加", attachment::MAX_PER_DOCUMENT),
        });
    }
    let (name, kind) =
        attachment::check(file_name, content).map_err(|message| AppError::Invalid { field: "file", message })?;
    if existing.iter().any(|a| a.document == doc.number && a.file_name == name) {
        return Err(AppError::Conflict(format!(
            "文书 {} 已有名为「{name}」的附件；如需替换，请先删除原附件",
            doc.number
        )));
    }
    let detail = format!("{name} {}", attachment::size_label(content.len() as u64));
    let event = actor.event("attachment.add", &doc.number, true, Some(detail));
    let audit = gongkai_store::AuditNote { event: &event, at: clock.now() };
    let write = AttachmentWrite { file_name: &name, content_type: kind.content_type, content, by: &actor.username };
    match store.add_attachment(&id, &request.agency, &doc.number, write, audit).await {
        Ok(Some(stored)) => Ok(stored),
        Ok(None) => Err(AppError::Conflict(format!("文书 {} 刚刚登记了送达，附件不能再增加", doc.number))),
        Err(gongkai_store::StoreError::Conflict { .. }) => {
            Err(AppError::Conflict(format!("文书 {} 已有名为「{name}」的附件；如需替换，请先删除原附件", doc.number)))
        }
        Err(e) => Err(e.into()),
    }
}

fn delivered(number: &str, on: chrono::NaiveDate) -> AppError {
    AppError::Conflict(format!("文书 {number} 已于 {on} 送达，附件不能再更改；如需补充提供信息，请另行出具答复书"))
}

/// Removes the attachment `attachment_id` of the request while its reply is undelivered.
/// Audited (`attachment.remove`), refused attempts too. Returns what was removed.
pub async fn detach(
    store: &Store,
    clock: &Clock,
    actor: &Actor,
    agency: &str,
    tracking_number: &str,
    attachment_id: &str,
) -> Result<StoredAttachment, AppError> {
    let outcome = detach_checked(store, clock, actor, agency, tracking_number, attachment_id).await;
    actor.audit_refusal(store, clock, "attachment.remove", attachment_id.trim(), &outcome).await;
    outcome
}

async fn detach_checked(
    store: &Store,
    clock: &Clock,
    actor: &Actor,
    agency: &str,
    tracking_number: &str,
    attachment_id: &str,
) -> Result<StoredAttachment, AppError> {
    let (id, request, docs) = request_documents(store, agency, tracking_number).await?;
    let found = store.list_attachments(&id).await?.into_iter().find(|a| a.id == attachment_id.trim());
    let a = found.ok_or_else(|| {
        AppError::NotFound(format!("申请「{}」没有编号为「{}」的附件", request.tracking_number, attachment_id.trim()))
    })?;
    if let Some(on) = docs.iter().find(|d| d.number == a.document).and_then(|d| d.delivered_on) {
        return Err(delivered(&a.document, on));
    }
    let event = actor.event("attachment.remove", &a.document, true, Some(a.file_name.clone()));
    let audit = gongkai_store::AuditNote { event: &event, at: clock.now() };
    if !store.remove_attachment(&id, &a.id, audit).await? {
        return Err(AppError::Conflict(format!("文书 {} 刚刚登记了送达，附件不能再删除", a.document)));
    }
    Ok(a)
}

/// The attachments of the request `tracking_number` of `agency`.
pub async fn request_attachments(
    store: &Store,
    agency: &str,
    tracking_number: &str,
) -> Result<Vec<StoredAttachment>, AppError> {
    let (id, _, _) = request_documents(store, agency, tracking_number).await?;
    Ok(store.list_attachments(&id).await?)
}

/// One attachment of the request with its content.
pub async fn request_attachment(
    store: &Store,
    agency: &str,
    tracking_number: &str,
    attachment_id: &str,
) -> Result<(StoredAttachment, Vec<u8>), AppError> {
    let (id, request, _) = request_documents(store, agency, tracking_number).await?;
    store.attachment(&id, attachment_id.trim()).await?.ok_or_else(|| {
        AppError::NotFound(format!("申请「{}」没有编号为「{}」的附件", request.tracking_number, attachment_id.trim()))
    })
}

/// 归档 (Art. 45; C4, issue 17 item 8): the request's whole file — the registration form with
/// the applicant's data unmasked, every document, the course, the attachments with their
/// content — for staff who may write for its agency (the caller checks). Audited
/// (`request.archive`): the file holds personal information (B4.6).
pub async fn case_file(
    store: &Store,
    clock: &Clock,
    cal: &gongkai_core::calendar::Calendar,
    actor: &Actor,
    agency: &str,
    tracking_number: &str,
) -> Result<gongkai_core::case_file::CaseFile, AppError> {
    use gongkai_core::case_file::{self, CaseFile, FiledAttachment, FiledDocument, Standing};
    let (id, request, docs) = request_documents(store, agency, tracking_number).await?;
    let (_, events) = store
        .get_request(&id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("受理编号「{tracking_number}」的申请不存在")))?;
    let issuer = issuer(store, &request.agency).await?;
    let st = gongkai_core::lifecycle::replay(cal, &request, &events)
        .map_err(|e| AppError::Internal(format!("stored events do not replay: {e}")))?;
    let today = clock.today();
    let status = st.status(cal, today);
    let due = st.deadline_on(cal, today).map(|d| d.due).unwrap_or(st.deadline.due);
    let standing = Standing { agency_name: &issuer.agency.name, stage: casework::stage_label(&st, status), due };
    let mut attachments = Vec::new();
    for meta in store.list_attachments(&id).await? {
        let Some((meta, content)) = store.attachment(&id, &meta.id).await? else { continue };
        attachments.push(FiledAttachment {
            document: meta.document,
            file_name: meta.file_name,
            content_type: meta.content_type,
            sha256: meta.sha256,
            content,
        });
    }
    let documents = docs
        .into_iter()
        .map(|d| FiledDocument {
            delivery: match d.delivered_on {
                Some(on) => format!("{}，{on}", casework::delivery_status_label(&d.delivery)),
                None => casework::delivery_status_label(&d.delivery),
            },
            issued: casework::IssuedDocument { number: d.number, document: d.document },
        })
        .collect();
    let file = CaseFile {
        agency_name: issuer.agency.name.clone(),
        tracking_number: request.tracking_number.clone(),
        registration: case_file::registration(&request, standing),
        steps: case_file::steps(&request, &events),
        documents,
        attachments,
        compiled_on: today,
    };
    actor.audit(store, clock, "request.archive", &request.tracking_number, true, None).await;
    Ok(file)
}

/// At most this many bytes of files in one e-mail (the document and its attachments): relays
/// and mailboxes commonly refuse larger messages; beyond it the applicant downloads them online.
pub const EMAIL_MAX_BYTES: usize = 25 * 1024 * 1024;

/// 电子邮件送达 (Art. 40; C4): sends the document `number` of the request to the applicant's
/// e-mail address (from the register's 联系方式) through the configured relay, with the
/// document as PDF (`pdf`, rendered by the caller) and, for a reply, the information provided,
/// then records the delivery (`email`, today; audited `document.delivery`). Nothing is recorded
/// when the relay refuses the message. Returns the document and the address.
#[allow(clippy::too_many_arguments)]
pub async fn send_by_email(
    store: &Store,
    clock: &Clock,
    actor: &Actor,
    mailer: &crate::remind::Mailer,
    agency: &str,
    tracking_number: &str,
    number: &str,
    pdf: &[u8],
) -> Result<(StoredDocument, String), AppError> {
    let outcome = email_checked(store, clock, actor, mailer, agency, tracking_number, number, pdf).await;
    actor.audit_refusal(store, clock, "document.delivery", number.trim(), &outcome).await;
    outcome
}

#[allow(clippy::too_many_arguments)]
async fn email_checked(
    store: &Store,
    clock: &Clock,
    actor: &Actor,
    mailer: &crate::remind::Mailer,
    agency: &str,
    tracking_number: &str,
    number: &str,
    pdf: &[u8],
) -> Result<(StoredDocument, String), AppError> {
    let (id, request, docs) = request_documents(store, agency, tracking_number).await?;
    let doc = docs.into_iter().find(|d| d.number == number.trim()).ok_or_else(|| {
        AppError::NotFound(format!("申请「{}」没有文号为「{}」的文书", request.tracking_number, number.trim()))
    })?;
    if doc.document.kind == casework::DocumentKind::ConsultationLetter {
        return Err(AppError::Invalid {
            field: "document",
            message: format!("文书 {} 是发给第三方的征求意见书，不能发送到申请人的电子邮箱", doc.number),
        });
    }
    if let Some(on) = doc.delivered_on {
        return Err(AppError::Conflict(format!("文书 {} 已于 {on} 送达，不能再次登记", doc.number)));
    }
    let to = request.applicant.contact.as_deref().and_then(crate::remind::email_in_contact).ok_or_else(|| {
        AppError::Invalid {
            field: "method",
            message: "申请人的联系方式中没有电子邮箱，不能以电子邮件送达；请改用网上送达（申请人凭查询码下载）、邮寄或当面送达"
                .into(),
        }
    })?;
    let files: Vec<(StoredAttachment, Vec<u8>)> = {
        let mut v = Vec::new();
        for a in store.list_attachments(&id).await?.into_iter().filter(|a| a.document == doc.number) {
            if let Some(found) = store.attachment(&id, &a.id).await? {
                v.push(found);
            }
        }
        v
    };
    let total = pdf.len() + files.iter().map(|(_, c)| c.len()).sum::<usize>();
    if total > EMAIL_MAX_BYTES {
        return Err(AppError::Invalid {
            field: "method",
            message: format!(
                "文书和附件合计 {}，超过电子邮件 {} MB 的上限；请改用网上送达（申请人凭查询码下载）",
                attachment::size_label(total as u64),
                EMAIL_MAX_BYTES / 1_048_576
            ),
        });
    }
    let d = &doc.document;
    let pdf_name = format!("{}.pdf", gongkai_core::case_file::path_component(&doc.number));
    let mut body = format!("{}\n{}\n\n{}：\n", d.title, doc.number, d.addressee);
    for p in &d.paragraphs {
        body.push_str(&format!("　　{p}\n"));
    }
    body.push_str(&format!(
        "\n{}\n{}\n\n附件：\n1. {pdf_name}（本文书）\n",
        d.signer,
        casework::date_label(d.issued_on)
    ));
    for (i, (a, _)) in files.iter().enumerate() {
        body.push_str(&format!("{}. {}（{}）\n", i + 2, a.file_name, attachment::size_label(a.size)));
    }
    body.push_str(&format!("\n本邮件由{}发送，请勿直接回复。\n", d.signer));
    let mut mail_files =
        vec![crate::remind::MailFile { name: &pdf_name, content_type: "application/pdf", content: pdf }];
    mail_files.extend(files.iter().map(|(a, c)| crate::remind::MailFile {
        name: &a.file_name,
        content_type: &a.content_type,
        content: c,
    }));
    let subject = format!("{}（{}）", d.title, doc.number);
    mailer
        .send_message(&to, &subject, &body, &mail_files)
        .await
        .map_err(|message| AppError::Invalid { field: "method", message })?;
    let on = clock.today();
    let event = actor.event("document.delivery", &doc.number, true, Some(format!("电子邮件 {on}")));
    let audit = gongkai_store::AuditNote { event: &event, at: clock.now() };
    if !store.record_delivery(&id, &doc.number, "email", on, audit).await? {
        return Err(AppError::Conflict(format!("文书 {} 已登记送达，不能再次登记", doc.number)));
    }
    Ok((StoredDocument { delivery: "email".into(), delivered_on: Some(on), ..doc }, to))
}

/// 更正 (C4): an issued document is never edited; a mistake is corrected by a new document of
/// the same kind, composed again from the register and the templates in force (for a reply,
/// with the particulars given now), dated today, with the next 文号, naming the document it
/// replaces and saying why. The event and its outcome stay as recorded (an outcome is changed
/// in the register, not by a document). Audited (`document.correct`), refused attempts too.
#[allow(clippy::too_many_arguments)]
pub async fn correct(
    store: &Store,
    cal: &gongkai_core::calendar::Calendar,
    clock: &Clock,
    actor: &Actor,
    docs: &DocumentInput<'_>,
    agency: &str,
    tracking_number: &str,
    number: &str,
    reason: &str,
) -> Result<StoredDocument, AppError> {
    let outcome = correct_checked(store, cal, clock, actor, docs, agency, tracking_number, number, reason).await;
    actor.audit_refusal(store, clock, "document.correct", number.trim(), &outcome).await;
    outcome
}

#[allow(clippy::too_many_arguments)]
async fn correct_checked(
    store: &Store,
    cal: &gongkai_core::calendar::Calendar,
    clock: &Clock,
    actor: &Actor,
    docs: &DocumentInput<'_>,
    agency: &str,
    tracking_number: &str,
    number: &str,
    reason: &str,
) -> Result<StoredDocument, AppError> {
    let reason = gongkai_core::input::text("reason", "更正理由", reason, true)
        .map_err(|e| AppError::Invalid { field: "reason", message: e.message })?;
    let (id, request, all) = request_documents(store, agency, tracking_number).await?;
    let old = all.iter().find(|d| d.number == number.trim()).cloned().ok_or_else(|| {
        AppError::NotFound(format!("申请「{}」没有文号为「{}」的文书", request.tracking_number, number.trim()))
    })?;
    if let Some(newer) = all.iter().find(|d| d.document.replaces.as_deref() == Some(old.number.as_str())) {
        return Err(AppError::Conflict(format!(
            "文书 {} 已由 {} 更正；如需再次更正，请更正 {}",
            old.number, newer.number, newer.number
        )));
    }
    let Some(seq) = old.event_seq else {
        return Err(AppError::Invalid {
            field: "document",
            message: format!("文书 {} 是登记时出具的接收回执，不能更正；如登记有误，请更正登记", old.number),
        });
    };
    let (_, events) = store
        .get_request(&id)
        .await?
        .ok_or_else(|| AppError::NotFound(format!("受理编号「{tracking_number}」的申请不存在")))?;
    let index =
        usize::try_from(seq - 1).map_err(|_| AppError::Internal(format!("文书 {} 的事件序号无效", old.number)))?;
    let composed = crate::request::compose_again(store, cal, clock, &request, &events, index, docs).await?;
    let Some(mut document) = composed else {
        return Err(AppError::Internal(format!("文书 {} 所属的办理事件不制发文书", old.number)));
    };
    if document.kind != old.document.kind {
        return Err(AppError::Internal(format!("文书 {} 重新生成的种类不同", old.number)));
    }
    document.issued_on = clock.today();
    document.replaces = Some(old.number.clone());
    document.paragraphs.push(format!("更正说明：{reason}"));
    let issuer = issuer(store, &request.agency).await?;
    let write = gongkai_store::DocumentWrite {
        document: &document,
        short_name: &issuer.short_name,
        addressee_is_applicant: document.addressee == request.applicant.name,
    };
    let event = actor.event("document.correct", &old.number, true, Some(reason.clone()));
    let audit = gongkai_store::AuditNote { event: &event, at: clock.now() };
    let new_number = match store.issue_related_document(&id, &request.agency, &old.number, &write, audit).await {
        Ok(n) => n,
        Err(gongkai_store::StoreError::Conflict { .. }) => {
            return Err(AppError::Conflict(format!("文书 {} 刚刚已被更正，请刷新后核对", old.number)))
        }
        Err(e) => return Err(e.into()),
    };
    Ok(StoredDocument {
        number: new_number,
        request: id,
        event_seq: Some(seq),
        delivery: "pending".into(),
        delivered_on: None,
        document,
    })
}

/// 送达回证 (C1.10; Art. 40 post and in person): the proof of service of the document `number`,
/// issued with its own 文号 for printing and signature; the signed copy's date is then recorded as
/// the delivery ([`record_delivery`]). `method` is `post` or `in_person`. A document already
/// delivered needs none; asked again for the same document, the one issued is returned.
/// `server` is who serves it (送达人; empty: left for the hand). Audited
/// (`document.service_receipt`).
#[allow(clippy::too_many_arguments)]
pub async fn service_receipt(
    store: &Store,
    clock: &Clock,
    actor: &Actor,
    templates: &Templates,
    agency: &str,
    tracking_number: &str,
    number: &str,
    method: &str,
    server: &str,
) -> Result<StoredDocument, AppError> {
    let outcome =
        service_receipt_checked(store, clock, actor, templates, agency, tracking_number, number, method, server).await;
    actor.audit_refusal(store, clock, "document.service_receipt", number.trim(), &outcome).await;
    outcome
}

#[allow(clippy::too_many_arguments)]
async fn service_receipt_checked(
    store: &Store,
    clock: &Clock,
    actor: &Actor,
    templates: &Templates,
    agency: &str,
    tracking_number: &str,
    number: &str,
    method: &str,
    server: &str,
) -> Result<StoredDocument, AppError> {
    let server = gongkai_core::input::text("server", "送达人", server, false)
        .map_err(|e| AppError::Invalid { field: "server", message: e.message })?;
    let label = match method.trim() {
        "post" => "邮寄送达",
        "in_person" => "当面送达",
        _ => {
            return Err(AppError::Invalid {
                field: "method",
                message: "送达回证用于邮寄送达（post）或当面送达（in_person）".into(),
            })
        }
    };
    let (id, request, all) = request_documents(store, agency, tracking_number).await?;
    let served = all.iter().find(|d| d.number == number.trim()).cloned().ok_or_else(|| {
        AppError::NotFound(format!("申请「{}」没有文号为「{}」的文书", request.tracking_number, number.trim()))
    })?;
    if served.document.kind == casework::DocumentKind::ServiceReceipt {
        return Err(AppError::Invalid { field: "document", message: "送达回证本身不需要送达回证".into() });
    }
    if let Some(on) = served.delivered_on {
        return Err(AppError::Conflict(format!("文书 {} 已于 {on} 送达，不需要再出具送达回证", served.number)));
    }
    let marker = format!("（{}）", served.number);
    if let Some(existing) = all.iter().find(|d| {
        d.document.kind == casework::DocumentKind::ServiceReceipt
            && d.document.paragraphs.iter().any(|p| p.contains(&marker))
    }) {
        return Ok(existing.clone());
    }
    let issued = casework::IssuedDocument { number: served.number.clone(), document: served.document.clone() };
    let document = casework::compose_service_receipt(templates, &issued, label, &server, clock.today())
        .map_err(|e| AppError::Refused(e.to_string()))?;
    let issuer = issuer(store, &request.agency).await?;
    let write = gongkai_store::DocumentWrite {
        document: &document,
        short_name: &issuer.short_name,
        addressee_is_applicant: document.addressee == request.applicant.name,
    };
    let event = actor.event("document.service_receipt", &served.number, true, Some(label.to_string()));
    let audit = gongkai_store::AuditNote { event: &event, at: clock.now() };
    let new_number = store.issue_related_document(&id, &request.agency, &served.number, &write, audit).await?;
    Ok(StoredDocument {
        number: new_number,
        request: id,
        event_seq: served.event_seq,
        delivery: "pending".into(),
        delivered_on: None,
        document,
    })
}
