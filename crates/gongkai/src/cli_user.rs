//! `gongkai user`: console accounts (portal-and-security.md B2.1, B2.2).
//!
//! There is no default account (ASVS 6.3.2): the first administrator is made here. The password
//! is read from standard input (first line), never from an argument, so it does not end up in the
//! shell history or the process list (B2.1 (c)).

use std::io::BufRead;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use gongkai_store::Role;

use crate::cli_db::{open, runtime, DbArgs};

/// `gongkai user …`.
#[derive(Subcommand)]
pub enum UserCommand {
    /// 新建用户，口令从标准输入读取
    Add(AddArgs),
    /// 列出用户
    List {
        #[command(flatten)]
        db: DbArgs,
    },
}

/// `gongkai user add` arguments.
#[derive(Args)]
pub struct AddArgs {
    #[command(flatten)]
    db: DbArgs,
    /// 所属机关代码
    #[arg(long)]
    agency: String,
    /// 角色：staff（经办）、approver（审批）、supervisor（监督）、administrator（系统管理员）、auditor（审计管理员，只读审计记录）、security_admin（安全管理员，只管安全设置）.
    #[arg(long, value_parser = parse_role)]
    role: Role,
    /// 用户名
    #[arg(long)]
    username: String,
}

fn parse_role(s: &str) -> Result<Role, String> {
    Role::parse(s).ok_or_else(|| {
        format!("未知角色 {s:?}：可用 {}", Role::ALL.iter().map(|r| r.name()).collect::<Vec<_>>().join(", "))
    })
}

/// Runs a `gongkai user` command.
pub fn user(cmd: UserCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        UserCommand::Add(a) => add(a),
        UserCommand::List { db } => list(db),
    }
}

fn add(a: AddArgs) -> anyhow::Result<ExitCode> {
    let mut password = String::new();
    std::io::stdin().lock().read_line(&mut password).context("无法读取标准输入中的口令")?;
    let password = password.trim_end_matches(['\r', '\n']).to_string();
    if password.is_empty() {
        bail!("标准输入中没有口令：例如 `printf '%s\\n' \"$PW\" | gongkai user add …`");
    }
    runtime()?.block_on(async {
        let store = open(&a.db).await?;
        // Checked, created and audited by the one use case (B2.1: the password policy first).
        let new = gongkai_app::accounts::NewAccount { username: a.username, agency: a.agency, role: a.role, password };
        let user = gongkai_app::accounts::add(&store, &crate::clock(), &gongkai_app::Actor::cli(), new)
            .await
            .map_err(crate::cli_register::app_error)?;
        println!("已创建用户 {}（{}，机关 {}）", user.username, user.role.label_zh(), user.agency);
        Ok(ExitCode::SUCCESS)
    })
}

fn list(db: DbArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let store = open(&db).await?;
        println!("用户名\t角色\t机关\t状态");
        for u in store.list_users().await? {
            let state = if u.disabled { "停用" } else { "正常" };
            println!("{}\t{}\t{}\t{}", u.username, u.role.label_zh(), u.agency, state);
        }
        Ok(ExitCode::SUCCESS)
    })
}
