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
    /// 停用账户（不删除；结束其会话并撤销其访问令牌）
    Disable(UsernameArgs),
    /// 重新启用停用的账户
    Enable(UsernameArgs),
    /// 重置账户口令，新口令从标准输入读取（结束其会话并撤销其访问令牌）
    ResetPassword(UsernameArgs),
    /// 变更账户的角色、所属机关或双因素认证要求（角色或机关变更后结束其会话并撤销其访问令牌）
    Set(SetArgs),
}

/// `gongkai user set` arguments: what is not given stays as it is.
#[derive(Args)]
pub struct SetArgs {
    #[command(flatten)]
    db: DbArgs,
    /// 用户名
    #[arg(long)]
    username: String,
    /// 新角色（同 gongkai user add --role）
    #[arg(long, value_parser = parse_role)]
    role: Option<Role>,
    /// 新的所属机关代码
    #[arg(long)]
    agency: Option<String>,
    /// 是否要求该账户使用双因素认证：on 或 off
    #[arg(long, value_parser = ["on", "off"])]
    require_mfa: Option<String>,
}

/// An account named by its username.
#[derive(Args)]
pub struct UsernameArgs {
    #[command(flatten)]
    db: DbArgs,
    /// 用户名
    #[arg(long)]
    username: String,
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
        UserCommand::Disable(a) => set_disabled(a, true),
        UserCommand::Enable(a) => set_disabled(a, false),
        UserCommand::ResetPassword(a) => reset_password(a),
        UserCommand::Set(a) => set_access(a),
    }
}

/// The new password: the first line of standard input, never an argument (B2.1 (c)).
fn password_from_stdin(command: &str) -> anyhow::Result<String> {
    let mut password = String::new();
    std::io::stdin().lock().read_line(&mut password).context("无法读取标准输入中的口令")?;
    let password = password.trim_end_matches(['\r', '\n']).to_string();
    if password.is_empty() {
        bail!("标准输入中没有口令：例如 `printf '%s\\n' \"$PW\" | gongkai user {command} …`");
    }
    Ok(password)
}

fn set_disabled(a: UsernameArgs, disabled: bool) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let store = open(&a.db).await?;
        let actor = gongkai_app::Actor::cli();
        let user = gongkai_app::accounts::set_disabled(&store, &crate::clock(), &actor, &a.username, disabled)
            .await
            .map_err(crate::cli_register::app_error)?;
        let state =
            if user.disabled { "已停用（其会话已结束，访问令牌已撤销）" } else { "已启用" };
        println!("用户 {} {state}", user.username);
        Ok(ExitCode::SUCCESS)
    })
}

fn set_access(a: SetArgs) -> anyhow::Result<ExitCode> {
    runtime()?.block_on(async {
        let store = open(&a.db).await?;
        let Some(current) = store.user_for_login(a.username.trim()).await?.map(|(u, _)| u) else {
            anyhow::bail!("没有用户名为「{}」的账户（gongkai user list 列出全部账户）", a.username.trim());
        };
        let access = gongkai_app::accounts::Access {
            role: a.role.unwrap_or(current.role),
            agency: a.agency.unwrap_or(current.agency),
            mfa_required: a.require_mfa.map_or(current.mfa_required, |v| v == "on"),
        };
        let actor = gongkai_app::Actor::cli();
        let user = gongkai_app::accounts::set_access(&store, &crate::clock(), &actor, &a.username, access)
            .await
            .map_err(crate::cli_register::app_error)?;
        let mfa = if user.mfa_required { "，须使用双因素认证" } else { "" };
        println!("用户 {}：{}，机关 {}{mfa}", user.username, user.role.label_zh(), user.agency);
        Ok(ExitCode::SUCCESS)
    })
}

fn reset_password(a: UsernameArgs) -> anyhow::Result<ExitCode> {
    let password = password_from_stdin("reset-password")?;
    runtime()?.block_on(async {
        let store = open(&a.db).await?;
        let actor = gongkai_app::Actor::cli();
        let user = gongkai_app::accounts::reset_password(&store, &crate::clock(), &actor, &a.username, password)
            .await
            .map_err(crate::cli_register::app_error)?;
        println!("已重置用户 {} 的口令（其会话已结束，访问令牌已撤销）", user.username);
        Ok(ExitCode::SUCCESS)
    })
}

fn add(a: AddArgs) -> anyhow::Result<ExitCode> {
    let password = password_from_stdin("add")?;
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
            let mut state = if u.disabled { "停用" } else { "正常" }.to_string();
            if u.mfa_required {
                state.push_str("，须双因素认证");
            }
            println!("{}\t{}\t{}\t{}", u.username, u.role.label_zh(), u.agency, state);
        }
        Ok(ExitCode::SUCCESS)
    })
}
