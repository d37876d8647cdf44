//! Filing a request online and tracking it (spec A4.1/A4.2, Art. 29, 31, 33): shared by the
//! portal form and the JSON API, so both validate and answer alike.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use gongkai_core::identity::{self, IdDocumentType};
use gongkai_core::register::{ApplicantType, EventKind};
use gongkai_core::template;
use serde::Serialize;

use crate::error::{FieldError, WebError};
use crate::AppState;

/// The longest name or organisation name accepted (characters): the core's, as for every channel.
pub const NAME_MAX: usize = gongkai_core::input::MAX_APPLICANT_NAME;
/// The longest identity document number accepted.
pub const ID_DOCUMENT_MAX: usize = gongkai_core::input::MAX_ID_DOCUMENT;
/// The longest description of the information asked for.
pub const CONTENT_MAX: usize = gongkai_core::input::MAX_CONTENT;

/// 获取信息的载体形式 (A4.2): API name and label.
pub const FORMS: [(&str, &str); 3] = gongkai_core::case_file::FORMS;
/// 获取信息的方式 (A4.2): API name and label.
pub const DELIVERIES: [(&str, &str); 4] = gongkai_core::casework::DELIVERIES;

/// The Chinese label of a stored choice (`electronic` → 电子), or the stored value itself when it
/// is not one of `choices` (a register imported from elsewhere may hold free text).
pub fn choice_label<'a>(choices: &[(&str, &'a str)], value: &'a str) -> &'a str {
    choices.iter().find(|(v, _)| *v == value).map_or(value, |(_, label)| label)
}

/// The fields of the form and of the API body, in form order: (name, label).
pub const FIELDS: [(&str, &str); 11] = [
    ("applicant_type", "申请人类型"),
    ("name", "姓名或名称"),
    ("id_document_type", "证件类型"),
    ("id_document", "证件号码"),
    ("phone", "联系电话"),
    ("address", "通信地址"),
    ("postcode", "邮政编码"),
    ("email", "电子邮箱"),
    ("content", "所需信息的名称、文号或特征性描述"),
    ("form", "获取信息的载体形式"),
    ("delivery", "获取信息的方式"),
];

/// The identity documents offered (A4.2 证件类型): API name and label.
pub fn id_document_types() -> Vec<(&'static str, &'static str)> {
    IdDocumentType::ALL.iter().map(|t| (t.name(), t.label())).collect()
}

/// The applicant types offered: the table-3 columns (API name, label from the template).
pub fn applicant_types() -> Vec<(&'static str, &'static str)> {
    ApplicantType::ALL.iter().map(|t| (t.name(), template::column_label(t.column()))).collect()
}

/// A request as submitted (each field as received, before validation). `None` = missing.
#[derive(Debug, Clone, Default)]
pub struct Submission {
    /// Raw values by field name; `Err` holds the JSON type received when it is not a string.
    pub fields: BTreeMap<String, Result<String, &'static str>>,
}

impl Submission {
    /// The raw text of a field for re-displaying the form (empty when missing or not text).
    pub fn value(&self, field: &str) -> String {
        match self.fields.get(field) {
            Some(Ok(v)) => v.clone(),
            _ => String::new(),
        }
    }
}

/// A validated request, ready to register.
#[derive(Debug, Clone)]
pub struct ValidRequest {
    applicant_type: ApplicantType,
    name: String,
    id_document_type: IdDocumentType,
    id_document: String,
    contact: String,
    content: String,
    form: String,
    delivery: String,
}

fn text_field(
    s: &Submission,
    field: &'static str,
    max: usize,
    multiline: bool,
    markup_ok: bool,
    errors: &mut Vec<FieldError>,
) -> String {
    let v = match s.fields.get(field) {
        None => {
            errors.push(FieldError::new(field, "必填项，不能为空"));
            return String::new();
        }
        Some(Err(ty)) => {
            errors.push(FieldError::new(field, format!("应为文本，收到的是{ty}")));
            return String::new();
        }
        Some(Ok(v)) => v.trim(),
    };
    if v.is_empty() {
        errors.push(FieldError::new(field, "必填项，不能为空"));
    } else if v.chars().count() > max {
        errors.push(FieldError::new(field, format!("不能超过 {max} 个字")));
    } else if v.chars().any(|c| c.is_control() && !(multiline && matches!(c, '\n' | '\r' | '\t'))) {
        errors.push(FieldError::new(field, "含有不允许的控制字符"));
    } else if !markup_ok && v.contains(['<', '>']) {
        errors.push(FieldError::new(field, "不能包含「<」或「>」"));
    }
    v.to_string()
}

/// A text field that may be left empty (`""` then, no error); when given, checked like
/// [`text_field`].
fn optional_field(s: &Submission, field: &'static str, max: usize, errors: &mut Vec<FieldError>) -> String {
    match s.fields.get(field) {
        None => String::new(),
        Some(Ok(v)) if v.trim().is_empty() => String::new(),
        Some(_) => text_field(s, field, max, false, false, errors),
    }
}

/// A core check's error beside its field: the message without the label the form shows already.
fn beside(e: gongkai_core::input::InputError) -> FieldError {
    let reason = e.message.split_once('：').map_or(e.message.as_str(), |(_, r)| r).to_string();
    FieldError::new(e.field, reason)
}

/// The longest telephone number as typed (separators included).
const PHONE_MAX: usize = 30;
/// The longest postal address.
const ADDRESS_MAX: usize = 80;
/// The longest e-mail address accepted.
const EMAIL_MAX: usize = 60;
/// What [`contact_text`] adds around the parts: 「；通信地址：」「（邮编 」 and 「）」 with the six
/// digits, 「；电子邮箱：」.
const CONTACT_LABELS: usize = 6 + 4 + 6 + 1 + 6;
// Every contact the form accepts fits the register's 联系方式 (the core refuses a longer one).
const _: () = assert!(PHONE_MAX + ADDRESS_MAX + EMAIL_MAX + CONTACT_LABELS <= gongkai_core::input::MAX_CONTACT);

/// The contact details as the register keeps them (联系方式, one text): the phone, then the postal
/// address with its postcode, then the e-mail address, each that was given.
fn contact_text(phone: &str, address: &str, postcode: &str, email: &str) -> String {
    let mut parts = vec![phone.to_string()];
    if !address.is_empty() {
        let code = if postcode.is_empty() { String::new() } else { format!("（邮编 {postcode}）") };
        parts.push(format!("通信地址：{address}{code}"));
    }
    if !email.is_empty() {
        parts.push(format!("电子邮箱：{email}"));
    }
    parts.join("；")
}

fn choice_field(s: &Submission, field: &'static str, allowed: &[(&str, &str)], errors: &mut Vec<FieldError>) -> String {
    match s.fields.get(field) {
        None => errors.push(FieldError::new(field, "请选择一项")),
        Some(Err(ty)) => errors.push(FieldError::new(field, format!("应为文本，收到的是{ty}"))),
        Some(Ok(v)) if v.trim().is_empty() => errors.push(FieldError::new(field, "请选择一项")),
        Some(Ok(v)) => {
            let v = v.trim();
            if allowed.iter().any(|(name, _)| *name == v) {
                return v.to_string();
            }
            let names: Vec<String> = allowed.iter().map(|(n, l)| format!("{n}（{l}）")).collect();
            errors.push(FieldError::new(field, format!("取值无效，应为：{}", names.join("、"))));
        }
    }
    String::new()
}

/// Validates a submission (A4.1: name, identity document, contact; the information; the form and
/// delivery. No purpose field is asked — the 2019 regulation has no such condition).
pub fn validate(s: &Submission) -> Result<ValidRequest, Vec<FieldError>> {
    let mut errors = Vec::new();
    let types = applicant_types();
    let applicant_type = choice_field(s, "applicant_type", &types, &mut errors);
    let name = text_field(s, "name", NAME_MAX, false, false, &mut errors);
    let id_types = id_document_types();
    let id_document_type = choice_field(s, "id_document_type", &id_types, &mut errors);
    let mut id_document = text_field(s, "id_document", ID_DOCUMENT_MAX, false, false, &mut errors);
    // The number checked by its type (GB 11643, GB 32100 …) and the type by the applicant: the
    // core's rules, as for every channel; the message without the label the form shows beside it.
    let id_type = IdDocumentType::from_name(&id_document_type);
    if let (Some(t), false) = (id_type, id_document.is_empty()) {
        // The type first: a number is only worth checking against a type that suits the applicant.
        let checked = ApplicantType::from_name(&applicant_type)
            .map_or(Ok(()), |a| identity::fits(a, t))
            .and_then(|()| identity::id_document(t, &id_document));
        match checked {
            Ok(v) => id_document = v,
            Err(e) => errors.push(beside(e)),
        }
    }
    // Contact details (A4.2): a phone always; a postal address and postcode to have it posted, an
    // e-mail address to have it e-mailed — the delivery chosen below decides which are required.
    let phone = text_field(s, "phone", PHONE_MAX, false, false, &mut errors);
    if !phone.is_empty() {
        if let Err(e) = identity::phone(&phone) {
            errors.push(beside(e));
        }
    }
    let address = optional_field(s, "address", ADDRESS_MAX, &mut errors);
    let postcode = optional_field(s, "postcode", 6, &mut errors);
    if !postcode.is_empty() {
        if let Err(e) = identity::postcode(&postcode) {
            errors.push(beside(e));
        }
    }
    let email = optional_field(s, "email", EMAIL_MAX, &mut errors);
    if !email.is_empty() {
        if let Err(e) = identity::email(&email) {
            errors.push(beside(e));
        }
    }
    let content = text_field(s, "content", CONTENT_MAX, true, true, &mut errors);
    let form = choice_field(s, "form", &FORMS, &mut errors);
    let delivery = choice_field(s, "delivery", &DELIVERIES, &mut errors);
    match delivery.as_str() {
        "post" => {
            if address.is_empty() {
                errors.push(FieldError::new("address", "选择邮寄的，请填写通信地址"));
            }
            if postcode.is_empty() && !errors.iter().any(|e| e.field == "postcode") {
                errors.push(FieldError::new("postcode", "选择邮寄的，请填写邮政编码"));
            }
        }
        "email" if email.is_empty() => errors.push(FieldError::new("email", "选择电子邮件的，请填写电子邮箱")),
        _ => {}
    }
    let contact = contact_text(&phone, &address, &postcode, &email);
    let (Some(applicant_type), Some(id_document_type)) = (ApplicantType::from_name(&applicant_type), id_type) else {
        return Err(in_form_order(errors));
    };
    if !errors.is_empty() {
        return Err(in_form_order(errors));
    }
    Ok(ValidRequest { applicant_type, name, id_document_type, id_document, contact, content, form, delivery })
}

/// The errors in the order of the form's fields (the summary above the form reads top down).
fn in_form_order(mut errors: Vec<FieldError>) -> Vec<FieldError> {
    errors.sort_by_key(|e| FIELDS.iter().position(|(f, _)| *f == e.field).unwrap_or(FIELDS.len()));
    errors
}

/// What the applicant gets back once the request is registered.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Filed {
    /// 受理编号 (unique over the site).
    pub tracking_number: String,
    /// 查询码: shown once; only its hash is stored.
    pub query_code: String,
    /// 收到申请之日 (YYYY-MM-DD).
    #[schema(value_type = String, format = Date)]
    pub received: NaiveDate,
    /// 答复期限 (Art. 33: 20 working days, YYYY-MM-DD).
    #[schema(value_type = String, format = Date)]
    pub due: NaiveDate,
}

pub use gongkai_app::filing::query_code_hash;

/// Registers a validated request for the agency, received today, and answers with the tracking
/// number, query code and statutory due date ([`gongkai_app::filing::file`]). An unknown agency
/// is [`WebError::NotFound`].
pub async fn file(state: &AppState, agency: &str, v: ValidRequest) -> Result<Filed, WebError> {
    let online = gongkai_app::filing::OnlineRequest {
        applicant_type: v.applicant_type,
        name: v.name,
        id_document_type: v.id_document_type,
        id_document: v.id_document,
        contact: v.contact,
        content: v.content,
        form: v.form,
        delivery: v.delivery,
    };
    let filed =
        gongkai_app::filing::file(&state.store, &state.clock, &state.calendar, agency, online, &state.templates)
            .await?;
    Ok(Filed {
        tracking_number: filed.tracking_number,
        query_code: filed.query_code,
        received: filed.received,
        due: filed.due,
    })
}

/// One reply (答复) of a request, as the public sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReplyOut {
    /// 答复日期 (YYYY-MM-DD).
    #[schema(value_type = String, format = Date)]
    pub on: NaiveDate,
    /// The table-3 outcome (glossary path below `outcomes`, e.g. `granted`, `withheld.state_secret`).
    pub outcome: String,
    /// The outcome as the template prints it.
    pub outcome_label: String,
    /// 答复书文号.
    pub document: Option<String>,
}

/// A document delivered online (casework-documents.md C4), as the public tracking API lists it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DocumentOut {
    /// `receipt`, `correction_notice`, `extension_notice`, `consultation_letter`, `fee_notice`,
    /// `reply`, ….
    pub kind: String,
    /// 文号.
    pub number: String,
    /// 成文日期.
    #[schema(value_type = String, format = Date)]
    pub issued_on: NaiveDate,
    /// The path that serves the document as PDF; pass the same `code` query parameter (any other
    /// code: 404).
    pub download: String,
    /// The document's name in Chinese (not part of the API; for the page).
    #[serde(skip)]
    pub label: &'static str,
    /// The document as an HTML fragment (not part of the API; for the page).
    #[serde(skip)]
    pub html: String,
    /// The files that go with it (a reply's information provided), in the order attached.
    pub attachments: Vec<AttachmentOut>,
}

/// A file that goes with a document (casework-documents.md C4), as the tracking API lists it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AttachmentOut {
    /// Its id.
    pub id: String,
    /// Its file name.
    pub name: String,
    /// Its media type.
    pub content_type: String,
    /// Its size in bytes.
    pub size: u64,
    /// SHA-256 of the content, lowercase hex (to check the file received).
    pub sha256: String,
    /// The path that serves the file; pass the same `code` query parameter (any other code: 404).
    pub download: String,
    /// The size in words (not part of the API; for the page).
    #[serde(skip)]
    pub size_label: String,
}

/// One step of a request, as the public sees it (no staff names).
#[derive(Debug, Clone)]
pub struct StepOut {
    /// When.
    pub on: NaiveDate,
    /// What (补正告知, 延长答复期限, 答复, …).
    pub label: &'static str,
    /// The due date as it stood after the step (「答复期限 …」, 「待补正：…」), empty once replied.
    pub due: String,
}

/// Where a request stands, as the public sees it (no applicant data, no content).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Tracking {
    /// `open`, `due_soon`, `overdue`, `replied` or `withdrawn`.
    pub status: String,
    /// 收到申请之日.
    #[schema(value_type = String, format = Date)]
    pub received: NaiveDate,
    /// 答复期限 (after corrections, extension and pauses).
    #[schema(value_type = String, format = Date)]
    pub due: NaiveDate,
    /// The replies, in order.
    pub replies: Vec<ReplyOut>,
    /// Where it stands in words: 办理中, 待补正, 已延期, 征求意见中, 待缴费, 已逾期, 已答复, 已撤回.
    pub stage: String,
    /// The documents issued to the applicant, in order (the consultation letters to third
    /// parties are not among them).
    pub documents: Vec<DocumentOut>,
    /// The steps so far (not part of the API; for the page).
    #[serde(skip)]
    pub steps: Vec<StepOut>,
    /// The due date of the request as filed, before any step (not part of the API; for the page).
    #[serde(skip)]
    pub filed_due: NaiveDate,
    /// The status in Chinese (not part of the API; for the page).
    #[serde(skip)]
    pub status_label: String,
    /// The agency's code (not part of the API; for the page).
    #[serde(skip)]
    pub agency: String,
}

/// Looks a request up by tracking number and query code. An unknown number and a wrong code give
/// the same [`WebError::NotFound`] (never reveal that a number exists).
pub async fn track(state: &AppState, tracking_number: &str, code: &str) -> Result<Tracking, WebError> {
    const NOT_FOUND: WebError = WebError::NotFound("该申请，或查询码不正确");
    let tracked =
        gongkai_app::filing::track(&state.store, &state.clock, &state.calendar, tracking_number, code).await?;
    let Some(gongkai_app::filing::Tracking { request, events, status, due, stage, documents, attachments }) = tracked
    else {
        return Err(NOT_FOUND);
    };
    let documents = documents
        .into_iter()
        // C1.4: a consultation letter goes to the party consulted, not to the applicant; a
        // 送达回证 (C1.10) is the paper form the recipient signs, not a document to read online.
        .filter(|d| crate::documents::for_the_applicant(d.document.kind))
        .map(|d| {
            let issued = gongkai_core::casework::IssuedDocument { number: d.number, document: d.document };
            // B4.6: a public page never shows the applicant; the page's copy masks 主送 (the
            // download, the document delivered to the applicant under Art. 40, is whole).
            let mut shown = issued.clone();
            if shown.document.addressee == request.applicant.name {
                shown.document.addressee = gongkai_core::masking::mask_name(&shown.document.addressee);
            }
            let attachments = attachments
                .iter()
                .filter(|a| a.document == issued.number)
                .map(|a| AttachmentOut {
                    id: a.id.clone(),
                    name: a.file_name.clone(),
                    content_type: a.content_type.clone(),
                    size: a.size,
                    sha256: a.sha256.clone(),
                    download: format!(
                        "/api/v1/requests/{}/attachments/{}",
                        crate::staff_api::urlencoding_path(&request.tracking_number),
                        crate::staff_api::urlencoding_path(&a.id)
                    ),
                    size_label: gongkai_core::attachment::size_label(a.size),
                })
                .collect();
            DocumentOut {
                attachments,
                kind: issued.document.kind.name().to_string(),
                download: format!(
                    "/api/v1/requests/{}/documents/{}",
                    crate::staff_api::urlencoding_path(&request.tracking_number),
                    crate::staff_api::urlencoding_path(&issued.number)
                ),
                label: issued.document.kind.label(),
                html: gongkai_export::render_document_html_fragment(&shown),
                issued_on: issued.document.issued_on,
                number: issued.number,
            }
        })
        .collect();
    // The due date as it moved (issue 17 item 5): replayed from the stored events, which the
    // lookup replayed already.
    let replay_error =
        |e: gongkai_core::lifecycle::TransitionError| WebError::Internal(format!("stored events do not replay: {e}"));
    let due_after =
        gongkai_core::lifecycle::due_after_each(&state.calendar, &request, &events).map_err(replay_error)?;
    let filed_due = gongkai_core::lifecycle::replay(&state.calendar, &request, &[]).map_err(replay_error)?.deadline.due;
    let steps = events
        .iter()
        .zip(due_after)
        .map(|(e, d)| StepOut { on: e.on, label: gongkai_core::lifecycle::event_label(&e.kind), due: d.label() })
        .collect();
    let replies = events
        .iter()
        .filter_map(|e| match &e.kind {
            EventKind::Reply { outcome, document } => {
                let spec = template::t3_row(*outcome);
                Some(ReplyOut {
                    on: e.on,
                    // The CLI's outcome names (`granted`, `withheld.state_secret`).
                    outcome: gongkai_core::casework::outcome_name(*outcome).to_string(),
                    outcome_label: spec.full_label(),
                    document: document.clone(),
                })
            }
            _ => None,
        })
        .collect();
    Ok(Tracking {
        status: status.name().to_string(),
        status_label: status.label().to_string(),
        received: request.received_on,
        due,
        replies,
        stage: stage.to_string(),
        documents,
        steps,
        filed_due,
        agency: request.agency,
    })
}
