//! `gongkai request attach|attachments|attachment|detach|archive`: the files that go with a reply
//! (the information provided; casework-documents.md C4) and the request's whole file for the
//! archive (Art. 45). Each calls the use cases of `gongkai_app::documents`, as the console does.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use gongkai_core::attachment::size_label;
use gongkai_core::calendar::Calendar;

use crate::cli_db::open;
use crate::cli_documents::RequestKey;
use crate::cli_export::write_out;
use crate::cli_register::app_error;

/// `gongkai request attach` arguments.
#[derive(Args)]
pub struct AttachArgs {
    #[command(flatten)]
    key: RequestKey,
    /// 答复书的文号（予以公开或部分公开的答复书，尚未送达）
    #[arg(long)]
    document: String,
    /// 要附送的文件（PDF、Word、Excel、PNG、JPEG，每个不超过 20 MB），可列多个
    #[arg(required = true)]
    files: Vec<PathBuf>,
}

/// `gongkai request attachments` arguments.
#[derive(Args)]
pub struct AttachmentsArgs {
    #[command(flatten)]
    key: RequestKey,
    /// 输出 JSON：{"attachments": [{"id", "document", "name", "content_type", "size", "sha256"}, …]}
    #[arg(long)]
    json: bool,
}

/// `gongkai request attachment` arguments.
#[derive(Args)]
pub struct AttachmentArgs {
    #[command(flatten)]
    key: RequestKey,
    /// 附件编号（见 gongkai request attachments）
    #[arg(long)]
    id: String,
    /// 输出文件
    #[arg(long)]
    out: PathBuf,
}

/// `gongkai request detach` arguments.
#[derive(Args)]
pub struct DetachArgs {
    #[command(flatten)]
    key: RequestKey,
    /// 附件编号（见 gongkai request attachments）
    #[arg(long)]
    id: String,
}

/// `gongkai request archive` arguments.
#[derive(Args)]
pub struct ArchiveArgs {
    #[command(flatten)]
    key: RequestKey,
    /// 输出文件：以 .zip 结尾写出 ZIP 归档包，以 .pdf 结尾写出一份 PDF 案卷
    #[arg(long)]
    out: PathBuf,
}

/// Runs `gongkai request attach`: every file is read and checked before any is stored, so a bad
/// file stores nothing.
pub(crate) async fn attach(a: AttachArgs) -> anyhow::Result<ExitCode> {
    let mut files = Vec::new();
    for path in &a.files {
        let bytes = std::fs::read(path).with_context(|| format!("无法读取附件文件 {}", path.display()))?;
        let name = path.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
        gongkai_core::attachment::check(&name, &bytes).map_err(|m| anyhow::anyhow!("{}：{m}", path.display()))?;
        files.push((name, bytes));
    }
    let store = open(&a.key.db).await?;
    let mut out = crate::stdout();
    for (name, bytes) in &files {
        let added = gongkai_app::documents::attach(
            &store,
            &crate::clock(),
            &gongkai_app::Actor::cli(),
            &a.key.agency,
            &a.key.number,
            &a.document,
            name,
            bytes,
        )
        .await
        .map_err(app_error)?;
        writeln!(
            out,
            "已添加附件：{}（{}，SHA-256 {}，编号 {}）",
            added.file_name,
            size_label(added.size),
            added.sha256,
            added.id
        )?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Runs `gongkai request attachments`.
pub(crate) async fn attachments(a: AttachmentsArgs) -> anyhow::Result<ExitCode> {
    let store = open(&a.key.db).await?;
    let list =
        gongkai_app::documents::request_attachments(&store, &a.key.agency, &a.key.number).await.map_err(app_error)?;
    let mut out = crate::stdout();
    if a.json {
        let items: Vec<serde_json::Value> = list
            .iter()
            .map(|x| {
                serde_json::json!({
                    "id": x.id,
                    "document": x.document,
                    "name": x.file_name,
                    "content_type": x.content_type,
                    "size": x.size,
                    "sha256": x.sha256,
                })
            })
            .collect();
        serde_json::to_writer_pretty(&mut out, &serde_json::json!({ "attachments": items }))?;
        writeln!(out)?;
    } else if list.is_empty() {
        writeln!(out, "申请 {} 没有附件", a.key.number.trim())?;
    } else {
        for x in &list {
            writeln!(out, "{}\t{}\t{}\t{}\t{}", x.id, x.document, x.file_name, size_label(x.size), x.sha256)?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Runs `gongkai request attachment`.
pub(crate) async fn attachment(a: AttachmentArgs) -> anyhow::Result<ExitCode> {
    let store = open(&a.key.db).await?;
    let (meta, content) = gongkai_app::documents::request_attachment(&store, &a.key.agency, &a.key.number, &a.id)
        .await
        .map_err(app_error)?;
    write_out(&a.out, &content)?;
    let mut out = crate::stdout();
    writeln!(out, "已写出附件「{}」（{}）：{}", meta.file_name, size_label(meta.size), a.out.display())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Runs `gongkai request detach`.
pub(crate) async fn detach(a: DetachArgs) -> anyhow::Result<ExitCode> {
    let store = open(&a.key.db).await?;
    let removed = gongkai_app::documents::detach(
        &store,
        &crate::clock(),
        &gongkai_app::Actor::cli(),
        &a.key.agency,
        &a.key.number,
        &a.id,
    )
    .await
    .map_err(app_error)?;
    let mut out = crate::stdout();
    writeln!(out, "已删除附件「{}」（{}）", removed.file_name, removed.document)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Runs `gongkai request archive`: the format follows the output file's extension.
pub(crate) async fn archive(cal: &Calendar, a: ArchiveArgs) -> anyhow::Result<ExitCode> {
    let ext = a.out.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
    if ext != "zip" && ext != "pdf" {
        anyhow::bail!("输出文件 {} 应以 .zip（归档包）或 .pdf（一份案卷）结尾", a.out.display());
    }
    let store = open(&a.key.db).await?;
    let file = gongkai_app::documents::case_file(
        &store,
        &crate::clock(),
        cal,
        &gongkai_app::Actor::cli(),
        &a.key.agency,
        &a.key.number,
    )
    .await
    .map_err(app_error)?;
    let fonts = gongkai_pdf::Fonts::system(crate::settings().font_dir().as_deref())?;
    let bytes = if ext == "zip" {
        gongkai_pdf::render_case_file_zip(&file, &fonts)?
    } else {
        gongkai_pdf::render_case_file_pdf(&file, &fonts)?
    };
    write_out(&a.out, &bytes)?;
    let mut out = crate::stdout();
    writeln!(
        out,
        "已写出申请 {} 的归档案卷：登记表 1 份，文书 {} 份，办理过程 {} 项，附件 {} 个 → {}",
        file.tracking_number,
        file.documents.len(),
        file.steps.len(),
        file.attachments.len(),
        a.out.display()
    )?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
