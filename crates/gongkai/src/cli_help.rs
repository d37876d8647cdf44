//! Clap's own words in Chinese: the help page's headings and the help and version flags of
//! every command, and the usage errors (an unknown argument, a missing one, a bad value). The
//! words of each command and argument are their doc comments; what clap adds around them would
//! otherwise be English in a Chinese page (issue 19).

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, Command};

/// The help page's layout, with Chinese headings.
const TEMPLATE: &str = "{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}";

/// `cmd` and its subcommands, their help in Chinese.
#[cfg(test)]
pub fn chinese(cmd: Command) -> Command {
    chinese_one(cmd).mut_subcommands(chinese)
}

/// `cmd` in Chinese along the subcommands `args` name (`gongkai report check …`: the root,
/// `report` and `check`): only they can be shown or report a usage error, and translating the
/// whole tree (every argument of some sixty commands) was most of a short command's start.
pub fn chinese_along(cmd: Command, args: &[std::ffi::OsString]) -> Command {
    let cmd = chinese_one(cmd);
    let next = args.iter().enumerate().find_map(|(i, a)| {
        let name = a.to_str()?;
        cmd.find_subcommand(name).map(|s| (i, s.get_name().to_string()))
    });
    match next {
        Some((i, name)) => cmd.mut_subcommand(name, |sub| chinese_along(sub, &args[i + 1..])),
        None => cmd,
    }
}

/// One command's own help in Chinese (not its subcommands').
fn chinese_one(cmd: Command) -> Command {
    let has_version = cmd.get_version().is_some();
    let mut cmd = cmd
        .help_template(TEMPLATE)
        .subcommand_help_heading("命令")
        .subcommand_value_name("命令")
        .disable_help_subcommand(true)
        .disable_help_flag(true)
        .mut_args(|a| if a.get_help_heading().is_none() { a.help_heading("选项") } else { a })
        .mut_args(chinese_value_name)
        .arg(Arg::new("help").short('h').long("help").action(ArgAction::Help).help("显示帮助").help_heading("选项"));
    if has_version {
        cmd = cmd.disable_version_flag(true).arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("显示版本号")
                .help_heading("选项"),
        );
    }
    cmd
}

/// An argument's placeholder in Chinese: the derive names it after its field in capitals
/// (`--agency <AGENCY>`); the help's first words name it as the user knows it
/// (`--agency <机关代码>`). A name given on purpose (`<文件>`, `<理由>`) is kept.
fn chinese_value_name(a: Arg) -> Arg {
    let derived = a.get_value_names().is_some_and(|names| {
        names
            .iter()
            .all(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit()))
    });
    if !derived || !a.get_action().takes_values() {
        return a;
    }
    let help = a.get_help().map(ToString::to_string).unwrap_or_default();
    let name = value_name_of(&help);
    a.value_name(name)
}

/// The first run of Chinese characters of a help text, spaces between them dropped
/// (「规章 本年制发件数.」 → 规章本年制发件数, 「数据库地址：sqlite://…」 → 数据库地址), at most 12
/// characters; 「值」 when the help has none.
fn value_name_of(help: &str) -> String {
    let cjk = |c: char| ('\u{4E00}'..='\u{9FFF}').contains(&c);
    let joined: String = help.chars().filter(|c| *c != ' ').collect();
    let name: String = joined.chars().skip_while(|c| !cjk(*c)).take_while(|c| cjk(*c)).take(12).collect();
    if name.is_empty() {
        "值".to_string()
    } else {
        name
    }
}

/// A help or version page as clap renders it, its one remaining English word in Chinese (the
/// usage line's `[OPTIONS]`), printed where clap would print it, with clap's exit code.
pub fn print(e: &clap::Error) -> std::process::ExitCode {
    let text = e.render().to_string().replace("[OPTIONS]", "[选项]");
    if e.use_stderr() {
        eprint!("{text}");
    } else {
        print!("{text}");
    }
    std::process::ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(2))
}

/// A usage error in Chinese, naming the argument and the value at fault.
pub fn message(e: &clap::Error) -> String {
    let text = |kind| match e.get(kind) {
        Some(ContextValue::String(s)) => s.clone(),
        Some(ContextValue::Strings(v)) => v.join("、"),
        Some(ContextValue::StyledStr(s)) => s.to_string(),
        Some(ContextValue::StyledStrs(v)) => v.iter().map(ToString::to_string).collect::<Vec<_>>().join("、"),
        Some(ContextValue::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let arg = text(ContextKind::InvalidArg);
    let value = text(ContextKind::InvalidValue);
    match e.kind() {
        ErrorKind::UnknownArgument => format!("无法识别的参数「{arg}」"),
        ErrorKind::InvalidSubcommand => format!("无法识别的命令「{}」", text(ContextKind::InvalidSubcommand)),
        ErrorKind::MissingRequiredArgument => format!("缺少必填的参数：{arg}"),
        ErrorKind::MissingSubcommand | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => "缺少命令".to_string(),
        ErrorKind::InvalidValue => {
            let valid = text(ContextKind::ValidValue);
            if value.is_empty() {
                format!("参数 {arg} 需要一个值")
            } else if valid.is_empty() {
                format!("参数 {arg} 的值「{value}」无效")
            } else {
                format!("参数 {arg} 的值「{value}」无效，可选：{valid}")
            }
        }
        ErrorKind::ValueValidation => {
            // The standard library's parse errors are English: said here in Chinese.
            let why = std::error::Error::source(e)
                .map(|s| {
                    if s.downcast_ref::<std::num::ParseIntError>().is_some() {
                        "：应为整数".to_string()
                    } else if s.downcast_ref::<std::num::ParseFloatError>().is_some() {
                        "：应为数字".to_string()
                    } else {
                        format!("：{s}")
                    }
                })
                .unwrap_or_default();
            format!("参数 {arg} 的值「{value}」无效{why}")
        }
        ErrorKind::ArgumentConflict => {
            format!("参数 {arg} 不能与 {} 同时使用", text(ContextKind::PriorArg))
        }
        ErrorKind::WrongNumberOfValues | ErrorKind::TooManyValues | ErrorKind::TooFewValues => {
            format!("参数 {arg} 的值的个数不对")
        }
        ErrorKind::InvalidUtf8 => "参数含有无效的 UTF-8 字符".to_string(),
        ErrorKind::NoEquals => format!("参数 {arg} 的值须用等号给出"),
        _ => "命令行参数有误".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cmd() -> Command {
        chinese(
            Command::new("t")
                .version("1")
                .arg(Arg::new("year").long("year").required(true).value_parser(clap::value_parser!(i32)))
                .arg(Arg::new("to").long("to").value_parser(["docx", "pdf"]))
                .subcommand(Command::new("show").about("查看")),
        )
    }

    #[test]
    fn help_is_in_chinese() {
        let help = cmd().render_help().to_string();
        for says in ["用法：", "选项", "显示帮助", "显示版本号", "命令"] {
            assert!(help.contains(says), "{says}: {help}");
        }
        for english in ["Usage", "Options", "Print help", "Commands"] {
            assert!(!help.contains(english), "{english}: {help}");
        }
        let sub = cmd().find_subcommand_mut("show").map(|s| s.render_help().to_string()).unwrap_or_default();
        assert!(sub.contains("显示帮助") && !sub.contains("Print help"), "{sub}");
    }

    #[test]
    fn placeholders_are_named_in_chinese() {
        assert_eq!(value_name_of("机关代码"), "机关代码");
        assert_eq!(value_name_of("规章 本年制发件数."), "规章本年制发件数");
        assert_eq!(value_name_of("数据库地址：sqlite://文件 或 postgres://…"), "数据库地址");
        assert_eq!(value_name_of("申请复议或起诉之日 YYYY-MM-DD"), "申请复议或起诉之日");
        assert_eq!(value_name_of("RFC 3339"), "值");
        let cmd = chinese(
            Command::new("t")
                .arg(Arg::new("agency").long("agency").value_name("AGENCY").help("机关代码"))
                .arg(Arg::new("reason").long("reason").value_name("理由").help("更正理由：必填")),
        );
        let help = cmd.clone().render_help().to_string();
        assert!(help.contains("--agency <机关代码>") && help.contains("--reason <理由>"), "{help}");
        let usage = cmd.try_get_matches_from(["t", "--help"]).map(|_| ()).unwrap_err().render().to_string();
        assert!(usage.contains("[OPTIONS]"), "clap's own word, replaced when printed by `print`");
    }

    #[test]
    fn usage_errors_name_the_argument_in_chinese() {
        let e = |args: &[&str]| cmd().try_get_matches_from(args).map(|_| ()).map_err(|e| message(&e)).unwrap_err();
        assert_eq!(e(&["t", "--year", "2024", "--nope"]), "无法识别的参数「--nope」");
        assert_eq!(e(&["t"]), "缺少必填的参数：--year <year>");
        assert_eq!(e(&["t", "--year", "2024", "--to", "odt"]), "参数 --to <to> 的值「odt」无效，可选：docx、pdf");
        assert_eq!(e(&["t", "--year", "二〇二四"]), "参数 --year <year> 的值「二〇二四」无效：应为整数");
    }
}
