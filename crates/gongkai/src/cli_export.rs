//! `gongkai report export`: a report written in the official layout as DOCX, XLSX, PDF or HTML;
//! and, from many reports, one workbook with a row per report (the supervising office's sheet).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Args, ValueEnum};

/// Formats `report export` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// Word (.docx), the official layout.
    Docx,
    /// Excel (.xlsx): one sheet per table, totals as formulas, and a flat sheet of every figure.
    Xlsx,
    /// PDF with a text layer and embedded CJK fonts.
    Pdf,
    /// One self-contained HTML page.
    Html,
}

impl ExportFormat {
    fn extension(self) -> &'static str {
        match self {
            ExportFormat::Docx => "docx",
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Pdf => "pdf",
            ExportFormat::Html => "html",
        }
    }
}

/// `gongkai report export FILE --to FORMAT --out PATH`, or `DIR… --to xlsx --out FILE` in bulk.
#[derive(Args)]
pub struct ExportArgs {
    /// 报告文件（`report import` 能读的任何格式，含规范 JSON）；给出目录或多个文件时，
    /// 生成一个每份报告一行的汇总工作簿（仅 xlsx）
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// 输出格式：docx（Word 文档，官方版式）、xlsx（Excel 工作簿，合计为公式）、pdf（内嵌中文字体）、html（网页）
    #[arg(long, value_enum, hide_possible_values = true)]
    pub to: ExportFormat,
    /// 输出文件
    #[arg(long)]
    pub out: PathBuf,
}

/// Runs `report export`.
pub fn run(args: ExportArgs) -> anyhow::Result<ExitCode> {
    let bulk = args.files.len() > 1 || args.files.iter().any(|p| p.is_dir());
    if bulk {
        if args.to != ExportFormat::Xlsx {
            bail!("批量导出多份报告只支持 --to xlsx（每份报告一行），不支持 --to {}", args.to.extension());
        }
        return bulk_xlsx(&args.files, &args.out);
    }
    let Some(file) = args.files.first() else { bail!("缺少报告文件") };
    let report = crate::cli_report::load(&file.to_string_lossy())?;
    let bytes = export_one(&report, args.to)?;
    write_out(&args.out, &bytes)?;
    eprintln!("已写出 {} ({} bytes)", args.out.display(), bytes.len());
    Ok(ExitCode::SUCCESS)
}

/// One report in one format.
pub fn export_one(report: &gongkai_core::report::Report, to: ExportFormat) -> anyhow::Result<Vec<u8>> {
    Ok(match to {
        ExportFormat::Html => gongkai_export::render_html(report).into_bytes(),
        ExportFormat::Docx => gongkai_export::render_docx(report)?,
        ExportFormat::Xlsx => gongkai_export::render_xlsx(report)?,
        ExportFormat::Pdf => {
            let fonts = gongkai_pdf::Fonts::system(crate::settings().font_dir().as_deref())?;
            gongkai_pdf::render_pdf(report, &fonts)?
        }
    })
}

fn bulk_xlsx(paths: &[PathBuf], out: &Path) -> anyhow::Result<ExitCode> {
    let files = crate::cli_audit::walk(paths)?;
    let mut reports = Vec::with_capacity(files.len());
    let mut failed = 0usize;
    for f in &files {
        match crate::cli_report::load(&f.to_string_lossy()) {
            Ok(r) => reports.push((f.display().to_string(), r)),
            Err(e) => {
                failed += 1;
                eprintln!("跳过 {}：{e:#}", f.display());
            }
        }
    }
    if reports.is_empty() {
        bail!("{} 个文件中没有可读的报告", files.len());
    }
    let bytes = gongkai_export::render_bulk_xlsx(&reports)?;
    write_out(out, &bytes)?;
    eprintln!(
        "已写出 {}：{} 份报告，{} 个文件无法读取 ({} reports, {} unreadable)",
        out.display(),
        reports.len(),
        failed,
        reports.len(),
        failed
    );
    Ok(if failed > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

/// Writes through a temporary file beside the target, so a failed export never leaves half a file.
pub(crate) fn write_out(out: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let dir = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let name = out.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_else(|| "export".into());
    let tmp = dir.join(format!(".{name}.partial"));
    std::fs::write(&tmp, bytes).with_context(|| format!("无法写入 {}", tmp.display()))?;
    std::fs::rename(&tmp, out).with_context(|| format!("无法写入 {}", out.display()))?;
    Ok(())
}
