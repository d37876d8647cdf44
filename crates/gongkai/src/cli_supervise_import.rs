//! `gongkai supervise import`: the published annual reports of agencies that do not keep their
//! registers in gongkai, read from files (text, HTML, DOCX, PDF, XLSX, JSON — the format from the
//! content), checked, and stored for the supervising office's overview, scorecards and roll-up.
//!
//! Which agency a file belongs to: `--agency CODE` for one file; otherwise the file name starts
//! with the agency's code followed by a character that is not an ASCII letter, digit or `-`
//! (`DEMO-0003.pdf`, `DEMO-0003_2024年报.docx`, `DEMO-0003 某局年度报告.html`; the longest code
//! that fits wins). A directory is read one level deep. Each file is imported on its own: a bad
//! file is reported by name with the reason and the others are still imported (exit 2 if any
//! failed).
//!
//! `gongkai supervise imports --agency CODE` lists the imports of a subtree (withdrawn ones too,
//! with the reason), each with its id; `gongkai supervise withdraw-import ID --reason …` withdraws
//! (撤销) one made by mistake: it stays in the history and counts nowhere any more.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use chrono::NaiveDate;
use clap::Args;
use gongkai_core::register::Agency;
use gongkai_store::{PublishedReport, Store};

use crate::cli_db::{open, runtime, DbArgs};

/// `gongkai supervise import` arguments.
#[derive(Args)]
pub struct ImportArgs {
    #[command(flatten)]
    db: DbArgs,
    /// 报告文件或文件夹；文件夹中的文件按文件名开头的机关代码对应机关
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// 报告年度
    #[arg(long)]
    year: i32,
    /// 全部文件都是该机关的报告（此时只能给一个文件）
    #[arg(long)]
    agency: Option<String>,
    /// 只接受该机关及其下属机关的文件
    #[arg(long)]
    within: Option<String>,
    /// 发布日期（默认取报告落款日期）
    #[arg(long, value_parser = crate::cli_clock::parse_date)]
    published_on: Option<NaiveDate>,
    /// 导入人（记入导入记录）
    #[arg(long, default_value = "命令行")]
    by: String,
}

/// `gongkai supervise imports` arguments.
#[derive(Args)]
pub struct ImportsArgs {
    #[command(flatten)]
    db: DbArgs,
    /// 机关代码：列出该机关及其下属机关的导入
    #[arg(long)]
    agency: String,
    /// 只列出该报告年度
    #[arg(long)]
    year: Option<i32>,
    /// 输出 JSON（每次导入一项，含编号、是否采用、撤销情况）
    #[arg(long)]
    json: bool,
}

/// `gongkai supervise withdraw-import` arguments.
#[derive(Args)]
pub struct WithdrawArgs {
    #[command(flatten)]
    db: DbArgs,
    /// 导入记录的编号（见 gongkai supervise imports）
    id: String,
    /// 撤销理由（必填，不超过500个字符），如「机关选错」
    #[arg(long)]
    reason: String,
    /// 撤销人（记入导入记录和审计日志）
    #[arg(long, default_value = "命令行")]
    by: String,
    /// 只撤销该机关及其下属机关的导入（与网页监督账号的范围相同；编号不属于该范围则不撤销）
    #[arg(long)]
    agency: Option<String>,
}

/// Whether each import counts: newest first, the first of an agency and year not withdrawn.
fn counting(list: &[PublishedReport]) -> Vec<bool> {
    let mut seen = std::collections::HashSet::new();
    list.iter().map(|p| p.withdrawn.is_none() && seen.insert((p.agency.as_str(), p.year))).collect()
}

/// `gongkai supervise imports`: the history of imported published reports of a subtree, newest
/// first, so that an import made by mistake can be found by id and withdrawn.
pub fn imports(a: ImportsArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let store = open(&a.db).await?;
        let root = &gongkai_app::year::agency(&store, &a.agency).await?.code;
        let all = store.list_published_reports(root).await?;
        let current = counting(&all);
        let mut list: Vec<(PublishedReport, bool)> = all.into_iter().zip(current).collect();
        list.retain(|(p, _)| a.year.is_none_or(|y| p.year == y));
        if a.json {
            let items: Vec<serde_json::Value> = list
                .iter()
                .map(|(p, current)| {
                    serde_json::json!({
                        "id": p.id,
                        "agency": p.agency,
                        "year": p.year,
                        "published_on": p.published_on,
                        "file_name": p.source.file_name,
                        "format": p.source.format,
                        "sha256": p.source.sha256,
                        "imported_at": p.source.imported_at,
                        "imported_by": p.source.imported_by,
                        "current": current,
                        "withdrawn": p.withdrawn,
                    })
                })
                .collect();
            println!("{}", serde_json::to_string_pretty(&items)?);
            return Ok(ExitCode::SUCCESS);
        }
        if list.is_empty() {
            println!("{root} 及其下属机关没有导入的已发布年度报告");
            return Ok(ExitCode::SUCCESS);
        }
        for (p, current) in &list {
            let status = match (&p.withdrawn, current) {
                (Some(w), _) => format!(
                    "已撤销：{}（{}，{}）",
                    w.withdraw_reason,
                    w.withdrawn_by,
                    gongkai_app::clock::china_text(&w.withdrawn_at)
                ),
                (None, true) => "采用".to_string(),
                (None, false) => "已被后来的导入取代".to_string(),
            };
            println!(
                "{}  {} {}年度 「{}」（{}，发布日期 {}，{} 于 {} 导入）  {status}",
                p.id,
                p.agency,
                p.year,
                p.source.file_name,
                p.source.format,
                p.published_on,
                p.source.imported_by,
                gongkai_app::clock::china_text(&p.source.imported_at)
            );
        }
        println!("共 {} 次导入", list.len());
        Ok(ExitCode::SUCCESS)
    })
}

/// `gongkai supervise withdraw-import`: withdraws one import, then says what counts instead.
pub fn withdraw(a: WithdrawArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let store = open(&a.db).await?;
        let id = a.id.trim();
        if let Some(root) = a.agency.as_deref() {
            let code = gongkai_app::year::agency(&store, root).await.context("未撤销（--agency）")?.code;
            let root = code.as_str();
            let subtree = store.agency_subtree(root).await?;
            // Checked before the withdrawal: an import's agency never changes.
            if let Some(p) = store.published_report(id).await? {
                if !subtree.iter().any(|s| s.code == p.agency) {
                    anyhow::bail!(
                        "未撤销（--agency）：导入 {id} 属于机关「{}」，不在 {root} 及其下属机关之内",
                        p.agency
                    );
                }
            }
        }
        let actor = gongkai_app::Actor::cli();
        let p = match gongkai_app::published::withdraw(&store, &crate::clock(), &actor, id, &a.reason, &a.by).await {
            Ok(p) => p,
            Err(gongkai_app::AppError::Invalid { field, message }) => {
                let field = if field == "by" { "--by" } else { "--reason" };
                anyhow::bail!("未撤销（{field}）：{message}")
            }
            Err(gongkai_app::AppError::NotFound(_)) => anyhow::bail!(
                "未撤销（ID）：没有编号为「{id}」的导入；编号见 gongkai supervise imports --agency 机关代码"
            ),
            Err(e) => anyhow::bail!("未撤销（ID）：{e}"),
        };
        println!(
            "已撤销导入 {}：{} {}年度「{}」，理由：{}",
            p.id,
            p.agency,
            p.year,
            p.source.file_name,
            p.withdrawn.as_ref().map_or("", |w| w.withdraw_reason.as_str())
        );
        let rest = store.list_published_reports(&p.agency).await?;
        match rest.iter().find(|r| r.agency == p.agency && r.year == p.year && r.withdrawn.is_none()) {
            Some(r) => println!(
                "监督总览现以该机关该年度的导入「{}」（{} 导入）为准",
                r.source.file_name,
                gongkai_app::clock::china_text(&r.source.imported_at)
            ),
            None => println!("该机关该年度已无其他导入：监督总览改按本系统中的登记判断（未发布则为未发布）"),
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// The files named: each file as given, each directory's files (one level, hidden files
/// skipped), sorted by name.
fn files(paths: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found = Vec::new();
            for e in std::fs::read_dir(p).with_context(|| format!("无法读取文件夹 {}", p.display()))? {
                let e = e.with_context(|| format!("无法读取文件夹 {}", p.display()))?;
                let path = e.path();
                let hidden = path.file_name().and_then(|n| n.to_str()).is_none_or(|n| n.starts_with('.'));
                if path.is_file() && !hidden {
                    found.push(path);
                }
            }
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

/// The agency whose code the file name starts with (followed by a character that is not an ASCII
/// letter, digit or `-`, so that a mistyped `DEMO-0002` is not taken for `DEMO`), the longest
/// code first.
fn agency_of_name<'a>(name: &str, agencies: &'a [Agency]) -> Option<&'a Agency> {
    agencies
        .iter()
        .filter(|a| {
            name.strip_prefix(a.code.as_str())
                .is_some_and(|rest| rest.chars().next().is_none_or(|c| !c.is_ascii_alphanumeric() && c != '-'))
        })
        .max_by_key(|a| a.code.len())
}

/// Imports one file; the line to print on success, the reason on failure.
async fn import_one(store: &Store, path: &Path, agency: &Agency, a: &ImportArgs) -> Result<String, String> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("?").to_string();
    let bytes = std::fs::read(path).map_err(|e| format!("无法读取文件：{e}"))?;
    // Checked, read, stored and audited as the console's 已发布年报导入 does.
    let new = gongkai_app::published::NewImport {
        agency: agency.code.clone(),
        year: a.year,
        file_name: name.clone(),
        bytes,
        published_on: a.published_on,
        by: a.by.clone(),
    };
    let imported = gongkai_app::published::import(store, &crate::clock(), &gongkai_app::Actor::cli(), new)
        .await
        .map_err(|e| e.to_string())?;
    let stored = &imported.report;
    Ok(format!(
        "已导入 {}（{}）→ {} {} {}年度，发布日期 {}：错误 {} 条，警告 {} 条",
        name,
        stored.source.format,
        agency.code,
        agency.name,
        a.year,
        stored.published_on,
        imported.errors,
        imported.warnings
    ))
}

/// `gongkai supervise import`.
pub fn import(a: ImportArgs) -> anyhow::Result<ExitCode> {
    let files = files(&a.paths)?;
    if a.agency.is_some() && files.len() != 1 {
        anyhow::bail!("--agency 只能与一个文件同用（给出了 {} 个）；多个机关的文件请以机关代码开头命名", files.len());
    }
    runtime()?.block_on(async {
        let store = open(&a.db).await?;
        let agencies = match a.within.as_deref().map(str::trim) {
            Some(root) => {
                let sub = store.agency_subtree(root).await?;
                if sub.is_empty() {
                    anyhow::bail!("机关 {root} 不存在");
                }
                sub
            }
            None => store.list_agencies().await?,
        };
        let (mut ok, mut failed) = (0usize, 0usize);
        for path in &files {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("?");
            let agency = match a.agency.as_deref().map(str::trim) {
                Some(code) => agencies.iter().find(|x| x.code == code).ok_or_else(|| match a.within.as_deref() {
                    Some(root) => format!("机关 {code} 不在 {root} 及其下属机关之中"),
                    None => format!("机关 {code} 不存在"),
                }),
                None => agency_of_name(name, &agencies).ok_or_else(|| {
                    "文件名未以机关代码开头（如 DEMO-0003_2024年报.pdf），无法确定是哪个机关的报告；\
                     或用 --agency 指定"
                        .to_string()
                }),
            };
            let result = match agency {
                Ok(agency) => import_one(&store, path, agency, &a).await,
                Err(e) => Err(e),
            };
            match result {
                Ok(line) => {
                    ok += 1;
                    println!("{line}");
                }
                Err(reason) => {
                    failed += 1;
                    eprintln!("未导入 {}：{reason}", path.display());
                }
            }
        }
        println!("共导入 {ok} 个文件，{failed} 个未导入");
        Ok(if failed == 0 { ExitCode::SUCCESS } else { ExitCode::from(2) })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use gongkai_core::register::AgencyKind;

    fn agency(code: &str) -> Agency {
        Agency { code: code.into(), name: code.into(), parent: None, kind: AgencyKind::Department }
    }

    #[test]
    fn file_names_map_to_the_longest_code() {
        let list = [agency("DEMO"), agency("DEMO-0001"), agency("DEMO-00011")];
        let code = |n: &str| agency_of_name(n, &list).map(|a| a.code.as_str());
        assert_eq!(code("DEMO-0001.pdf"), Some("DEMO-0001"));
        assert_eq!(code("DEMO-0001_2024年报.docx"), Some("DEMO-0001"));
        assert_eq!(code("DEMO-00011 某局.html"), Some("DEMO-00011"));
        // A mistyped code is not taken for its parent's.
        assert_eq!(code("DEMO-0002.pdf"), None);
        assert_eq!(code("DEMO年报.txt"), Some("DEMO"));
        assert_eq!(code("DEMOX.pdf"), None);
        assert_eq!(code("年报.pdf"), None);
    }
}
