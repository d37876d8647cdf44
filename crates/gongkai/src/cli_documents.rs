//! `gongkai request documents|document|templates` and `gongkai agency casework`: the casework
//! documents a request's events issued (casework-documents.md), listed, rendered to PDF, Word or
//! HTML, the templates in force, and the agency settings the documents print (C3, C4). Each
//! calls the use cases of `gongkai_app::documents`, as the console does.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};
use gongkai_core::casework::{self, CaseworkSettings, GovernmentLevel, IssuedDocument, Templates};

use crate::cli_db::{open, DbArgs};
use crate::cli_export::write_out;
use crate::cli_register::app_error;

/// The templates in force for this run: the built-in ones, with the folder of the
/// `document_templates` setting (GONGKAI_DOCUMENT_TEMPLATES) laid over them.
pub(crate) fn templates() -> anyhow::Result<Templates> {
    let dir = crate::settings().get("document_templates").map(PathBuf::from);
    gongkai_app::documents::load_templates(dir.as_deref()).map_err(app_error)
}

/// The request a command is about.
#[derive(Args)]
pub struct RequestKey {
    #[command(flatten)]
    pub(crate) db: DbArgs,
    /// 机关代码
    #[arg(long)]
    pub(crate) agency: String,
    /// 受理编号
    #[arg(long)]
    pub(crate) number: String,
}

/// `gongkai request documents` arguments.
#[derive(Args)]
pub struct DocumentsArgs {
    #[command(flatten)]
    key: RequestKey,
    /// 输出 JSON：{"documents": [{"kind", "number", "issued_on", "delivery"}, …]}
    #[arg(long)]
    json: bool,
}

/// The output formats of a document.
#[derive(Clone, Copy, ValueEnum)]
pub enum DocumentFormat {
    /// PDF（公文格式）
    Pdf,
    /// Word 文档
    Docx,
    /// 网页
    Html,
}

/// `gongkai request document` arguments.
#[derive(Args)]
pub struct DocumentArgs {
    #[command(flatten)]
    key: RequestKey,
    /// 文书的文号（见 gongkai request documents）
    #[arg(long)]
    document: String,
    /// 输出格式：pdf、docx、html
    #[arg(long, value_enum)]
    to: DocumentFormat,
    /// 输出文件
    #[arg(long)]
    out: PathBuf,
}

/// `gongkai request deliver` arguments.
#[derive(Args)]
pub struct DeliverArgs {
    #[command(flatten)]
    key: RequestKey,
    /// 文书的文号
    #[arg(long)]
    document: String,
    /// 送达方式：online（网上送达）、email（电子邮件送达）、post（邮寄送达，凭签收的送达回证）、in_person（当面送达）
    #[arg(long)]
    method: String,
    /// 送达日期 YYYY-MM-DD（邮寄以送达回证上的签收日期为准）
    #[arg(long, value_parser = crate::cli_clock::parse_date)]
    on: chrono::NaiveDate,
}

/// `gongkai request send` arguments.
#[derive(Args)]
pub struct SendArgs {
    #[command(flatten)]
    key: RequestKey,
    /// 文书的文号
    #[arg(long)]
    document: String,
    /// SMTP 邮件中继：smtp://主机:端口（默认取设置项 smtp_url）
    #[arg(long)]
    smtp_url: Option<String>,
    /// 发件人地址（默认取设置项 smtp_from）
    #[arg(long)]
    from: Option<String>,
}

/// `gongkai request service-receipt` arguments.
#[derive(Args)]
pub struct ServiceReceiptArgs {
    #[command(flatten)]
    key: RequestKey,
    /// 要送达的文书的文号
    #[arg(long)]
    document: String,
    /// 送达方式：post（邮寄送达）或 in_person（当面送达）
    #[arg(long)]
    method: String,
    /// 送达人（不填则留空，打印后手写）
    #[arg(long, default_value = "")]
    server: String,
}

/// `gongkai request correct` arguments.
#[derive(Args)]
pub struct CorrectArgs {
    #[command(flatten)]
    key: RequestKey,
    /// 要更正的文书的文号
    #[arg(long)]
    document: String,
    /// 更正理由（写入更正后的文书）
    #[arg(long)]
    reason: String,
    /// 答复书：部分公开时，不予公开部分的理由（如 withheld.third_party_rights）
    #[arg(long, value_parser = crate::cli_register::parse_outcome)]
    withheld_reason: Option<gongkai_core::report::RequestRow>,
    /// 答复书：负责公开该信息的机关
    #[arg(long)]
    other_agency: Option<String>,
    /// 答复书：答复说明
    #[arg(long)]
    note: Option<String>,
}

/// `gongkai request templates` arguments.
#[derive(Args)]
pub struct TemplatesArgs {
    /// 把内置文书模板写入该目录（供按本省示范文本修改后，以设置项 document_templates 指定）
    #[arg(long, conflicts_with = "check")]
    out: Option<PathBuf>,
    /// 检查该目录中的文书模板（占位符是否齐全、是否有未知占位符）
    #[arg(long)]
    check: Option<PathBuf>,
}

/// `gongkai agency casework` arguments: shows the settings, or changes the ones given.
#[derive(Args)]
pub struct CaseworkArgs {
    #[command(flatten)]
    db: DbArgs,
    /// 机关代码
    #[arg(long)]
    agency: String,
    /// 机关简称（文号前缀，如「某县财政局」→「某县财政局公复〔2026〕1号」）
    #[arg(long)]
    short_name: Option<String>,
    /// 人民政府的行政级别：province、prefecture、county、township（默认按名称和机关树推定）
    #[arg(long, value_parser = parse_level)]
    level: Option<GovernmentLevel>,
    /// 是否实行垂直管理（海关、金融、外汇管理、税务、国家安全机关）：yes 或 no
    #[arg(long, value_parser = parse_yes_no)]
    vertical: Option<bool>,
    /// 是否为国务院部门：yes 或 no
    #[arg(long, value_parser = parse_yes_no)]
    state_council_department: Option<bool>,
    /// 行政复议机关（覆盖推定值；空字符串恢复推定）
    #[arg(long)]
    review_body: Option<String>,
    /// 行政诉讼管辖法院（覆盖推定值；空字符串恢复推定）
    #[arg(long)]
    court: Option<String>,
    /// 文书所列联系方式（地址、电话）
    #[arg(long)]
    office_contact: Option<String>,
    /// 输出 JSON
    #[arg(long)]
    json: bool,
}

fn parse_level(s: &str) -> Result<GovernmentLevel, String> {
    GovernmentLevel::from_name(s.trim()).ok_or_else(|| {
        format!("「{s}」不是行政级别，可用：province（省级）、prefecture（地市级）、county（县级）、township（乡镇级）")
    })
}

fn parse_yes_no(s: &str) -> Result<bool, String> {
    match s.trim() {
        "yes" | "是" | "true" => Ok(true),
        "no" | "否" | "false" => Ok(false),
        _ => Err(format!("「{s}」应为 yes（是）或 no（否）")),
    }
}

/// Runs `gongkai request documents`.
pub(crate) async fn documents(a: DocumentsArgs) -> anyhow::Result<ExitCode> {
    let store = open(&a.key.db).await?;
    let (_, request, docs) =
        gongkai_app::documents::request_documents(&store, &a.key.agency, &a.key.number).await.map_err(app_error)?;
    let mut out = crate::stdout();
    if a.json {
        let list: Vec<serde_json::Value> = docs
            .iter()
            .map(|d| {
                serde_json::json!({
                    "kind": d.document.kind.name(),
                    "number": d.number,
                    "issued_on": d.document.issued_on,
                    "delivery": d.delivery,
                })
            })
            .collect();
        serde_json::to_writer_pretty(&mut out, &serde_json::json!({ "documents": list }))?;
        writeln!(out)?;
    } else if docs.is_empty() {
        writeln!(out, "申请 {} 尚未制发文书", request.tracking_number)?;
    } else {
        for d in &docs {
            let replaced = docs
                .iter()
                .find(|n| n.document.replaces.as_deref() == Some(d.number.as_str()))
                .map(|n| format!("\t已由 {} 更正", n.number))
                .unwrap_or_default();
            writeln!(
                out,
                "{}\t{}\t{}\t{}{replaced}",
                d.number,
                d.document.kind.label(),
                d.document.issued_on,
                casework::delivery_status_label(&d.delivery)
            )?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Runs `gongkai request document`.
pub(crate) async fn document(a: DocumentArgs) -> anyhow::Result<ExitCode> {
    let store = open(&a.key.db).await?;
    let stored = gongkai_app::documents::request_document(&store, &a.key.agency, &a.key.number, &a.document)
        .await
        .map_err(app_error)?;
    let issued = IssuedDocument { number: stored.number, document: stored.document };
    let bytes = match a.to {
        DocumentFormat::Html => gongkai_export::render_document_html(&issued).into_bytes(),
        DocumentFormat::Docx => gongkai_export::render_document_docx(&issued)?,
        DocumentFormat::Pdf => {
            let fonts = gongkai_pdf::Fonts::system(crate::settings().font_dir().as_deref())?;
            gongkai_pdf::render_document_pdf(&issued, &fonts)?
        }
    };
    write_out(&a.out, &bytes)?;
    let mut out = crate::stdout();
    writeln!(out, "已写出{}（{}）：{}", issued.document.kind.label(), issued.number, a.out.display())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Runs `gongkai request deliver`.
pub(crate) async fn deliver(a: DeliverArgs) -> anyhow::Result<ExitCode> {
    let store = open(&a.key.db).await?;
    let d = gongkai_app::documents::record_delivery(
        &store,
        &crate::clock(),
        &gongkai_app::Actor::cli(),
        &a.key.agency,
        &a.key.number,
        &a.document,
        &a.method,
        a.on,
    )
    .await
    .map_err(app_error)?;
    let mut out = crate::stdout();
    writeln!(
        out,
        "已登记送达：{}（{}）{}，{}",
        d.document.kind.label(),
        d.number,
        casework::delivery_status_label(&d.delivery),
        a.on
    )?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Runs `gongkai request send`: the document as PDF, with a reply's attachments, to the
/// applicant's e-mail address; the delivery is recorded when the relay accepts it.
pub(crate) async fn send(a: SendArgs) -> anyhow::Result<ExitCode> {
    let Some(mailer) = crate::settings::mailer(crate::settings(), a.smtp_url.as_deref(), a.from.as_deref(), "--from")?
    else {
        anyhow::bail!(
            "未配置 SMTP 邮件中继（--smtp-url 或设置项 smtp_url，环境变量 GONGKAI_SMTP_URL），不能以电子邮件送达"
        );
    };
    let store = open(&a.key.db).await?;
    let stored = gongkai_app::documents::request_document(&store, &a.key.agency, &a.key.number, &a.document)
        .await
        .map_err(app_error)?;
    let issued = IssuedDocument { number: stored.number, document: stored.document };
    let fonts = gongkai_pdf::Fonts::system(crate::settings().font_dir().as_deref())?;
    let pdf = gongkai_pdf::render_document_pdf(&issued, &fonts)?;
    let (d, to) = gongkai_app::documents::send_by_email(
        &store,
        &crate::clock(),
        &gongkai_app::Actor::cli(),
        &mailer,
        &a.key.agency,
        &a.key.number,
        &issued.number,
        &pdf,
    )
    .await
    .map_err(app_error)?;
    let mut out = crate::stdout();
    writeln!(
        out,
        "已通过电子邮件送达{}（{}）至 {to}，并登记送达日期 {}",
        d.document.kind.label(),
        d.number,
        crate::clock().today()
    )?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Runs `gongkai request service-receipt`.
pub(crate) async fn service_receipt(a: ServiceReceiptArgs) -> anyhow::Result<ExitCode> {
    let templates = templates()?;
    let store = open(&a.key.db).await?;
    let d = gongkai_app::documents::service_receipt(
        &store,
        &crate::clock(),
        &gongkai_app::Actor::cli(),
        &templates,
        &a.key.agency,
        &a.key.number,
        &a.document,
        &a.method,
        &a.server,
    )
    .await
    .map_err(app_error)?;
    let mut out = crate::stdout();
    writeln!(
        out,
        "送达回证：{}（打印：gongkai request document --agency {} --number {} --document {} --to pdf --out 文件.pdf；签收后以 gongkai request deliver 登记送达日期）",
        d.number,
        a.key.agency.trim(),
        a.key.number.trim(),
        d.number
    )?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Runs `gongkai request correct`.
pub(crate) async fn correct(cal: &gongkai_core::calendar::Calendar, a: CorrectArgs) -> anyhow::Result<ExitCode> {
    let templates = templates()?;
    let particulars =
        casework::Particulars { withheld_reason: a.withheld_reason, other_agency: a.other_agency, note: a.note };
    let docs = gongkai_app::documents::DocumentInput { templates: &templates, particulars: &particulars };
    let store = open(&a.key.db).await?;
    let d = gongkai_app::documents::correct(
        &store,
        cal,
        &crate::clock(),
        &gongkai_app::Actor::cli(),
        &docs,
        &a.key.agency,
        &a.key.number,
        &a.document,
        &a.reason,
    )
    .await
    .map_err(app_error)?;
    let mut out = crate::stdout();
    writeln!(out, "已制发更正后的{}：{}（更正并替代 {}）", d.document.kind.label(), d.number, a.document.trim())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Runs `gongkai request templates`.
pub(crate) fn templates_command(a: TemplatesArgs) -> anyhow::Result<ExitCode> {
    let mut out = crate::stdout();
    if let Some(dir) = &a.out {
        std::fs::create_dir_all(dir).with_context(|| format!("无法创建目录 {}", dir.display()))?;
        for (key, text) in casework::builtin_texts() {
            write_out(&dir.join(key.file_name()), text.as_bytes())?;
        }
        writeln!(
            out,
            "已写出 {} 个内置文书模板到 {}；修改后以设置项 document_templates（环境变量 GONGKAI_DOCUMENT_TEMPLATES）指定该目录",
            casework::builtin_texts().len(),
            dir.display()
        )?;
    } else {
        let dir = a.check.or_else(|| crate::settings().get("document_templates").map(PathBuf::from));
        let t = gongkai_app::documents::load_templates(dir.as_deref()).map_err(app_error)?;
        match dir {
            Some(d) if t.overridden.is_empty() => {
                writeln!(out, "目录 {} 中没有文书模板（*.txt），使用全部内置模板", d.display())?
            }
            Some(d) => writeln!(
                out,
                "目录 {} 中的 {} 个文书模板检查通过：{}；其余使用内置模板",
                d.display(),
                t.overridden.len(),
                t.overridden.join("、")
            )?,
            None => writeln!(out, "使用全部内置文书模板（{} 个）", casework::builtin_texts().len())?,
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Runs `gongkai agency casework`.
pub(crate) async fn casework_command(a: CaseworkArgs) -> anyhow::Result<ExitCode> {
    {
        let store = open(&a.db).await?;
        let changes = a.short_name.is_some()
            || a.level.is_some()
            || a.vertical.is_some()
            || a.state_council_department.is_some()
            || a.review_body.is_some()
            || a.court.is_some()
            || a.office_contact.is_some();
        let issuer = if changes {
            let current = gongkai_app::documents::issuer(&store, &a.agency).await.map_err(app_error)?.settings;
            let settings = CaseworkSettings {
                short_name: a.short_name.or(current.short_name),
                level: a.level.or(current.level),
                vertical: a.vertical.unwrap_or(current.vertical),
                state_council_department: a.state_council_department.unwrap_or(current.state_council_department),
                review_body: a.review_body.or(current.review_body),
                court: a.court.or(current.court),
                office_contact: a.office_contact.or(current.office_contact),
            };
            gongkai_app::documents::set_settings(
                &store,
                &crate::clock(),
                &gongkai_app::Actor::cli(),
                &a.agency,
                settings,
            )
            .await
            .map_err(app_error)?
        } else {
            gongkai_app::documents::issuer(&store, &a.agency).await.map_err(app_error)?
        };
        let mut out = crate::stdout();
        if a.json {
            serde_json::to_writer_pretty(
                &mut out,
                &serde_json::json!({
                    "agency": issuer.agency.code,
                    "settings": issuer.settings,
                    "short_name": issuer.short_name,
                    "remedy": issuer.remedy,
                    "computed": issuer.computed,
                }),
            )?;
            writeln!(out)?;
        } else {
            let r = &issuer.remedy;
            if changes {
                writeln!(out, "已保存{}的文书设置", issuer.agency.name)?;
            }
            writeln!(out, "机关：{}（{}）", issuer.agency.name, issuer.agency.code)?;
            writeln!(
                out,
                "文号前缀：{}（如 {}）",
                issuer.short_name,
                casework::document_number(&issuer.short_name, casework::DocumentKind::Reply, 2026, 1)
            )?;
            writeln!(out, "行政复议机关：{}（依据：{}）", r.review_body, r.review_basis)?;
            writeln!(out, "行政诉讼管辖法院：{}（依据：{}）", r.court, r.court_basis)?;
            if r.review_body != issuer.computed.review_body || r.court != issuer.computed.court {
                writeln!(
                    out,
                    "按机关树推定：复议机关 {}，法院 {}",
                    issuer.computed.review_body, issuer.computed.court
                )?;
            }
            writeln!(
                out,
                "联系方式：{}",
                issuer.settings.office_contact.as_deref().unwrap_or("（未设置，文书写「见本机关政府信息公开指南」）")
            )?;
            writeln!(out, "请核对以上内容；复议机关和法院将写入每份答复书的救济途径。")?;
        }
        out.flush()?;
        Ok(ExitCode::SUCCESS)
    }
}
