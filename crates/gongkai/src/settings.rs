//! The one place gongkai reads its configuration: defaults, then the optional `gongkai.toml`,
//! then the `GONGKAI_*` environment, then the command's flags — each layer overriding the one
//! before. [`Settings::load`] builds the first three once in `main.rs`; a command's flags are
//! laid over them where the command reads a value (`DbArgs::url`, `ServeArgs::site`, …), so a
//! flag always wins. Nothing else in gongkai reads the environment (a tidy test holds it).
//!
//! Every error names the key (`database_url`, `GONGKAI_SMTP_URL`, …) and, for the file, the file
//! and the line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Every setting, by its key in `gongkai.toml`; the environment variable is `GONGKAI_` and the
/// key in capitals (`site_name` → `GONGKAI_SITE_NAME`).
pub const KEYS: [(&str, &str); 19] = [
    ("database_url", "数据库地址：sqlite://文件 或 postgres://…"),
    ("data_dir", "数据目录（节假日安排、PostgreSQL 部署的数据密钥文件）"),
    ("data_key", "数据密钥（64位十六进制；宜由密钥管理系统注入环境变量，不写入文件）"),
    ("data_key_file", "数据密钥文件"),
    ("font_dir", "另加的字体目录（PDF 导出）"),
    ("document_templates", "文书模板目录（本机关按示范文本修改的模板，覆盖内置模板）"),
    ("bind", "网站监听地址"),
    ("site_name", "网站名称 SiteName"),
    ("site_domain", "网站域名 SiteDomain"),
    ("site_id_code", "政府网站标识码 SiteIDCode"),
    ("site_sponsor", "主办单位"),
    ("site_contact", "网站联系方式"),
    ("site_icp", "ICP备案编号"),
    ("site_police", "公安机关备案号"),
    ("site_error_report_url", "「我为政府网站找错」地址"),
    ("smtp_url", "提醒邮件的 SMTP 邮件中继 smtp://主机:端口"),
    ("smtp_from", "提醒邮件的发件人地址"),
    ("log", "日志级别（如 info、warn、gongkai_web=debug）"),
    ("now", "以该时刻为“现在”（RFC 3339；用于重放与测试，默认系统时钟）"),
];

/// The configuration file read when `--config` / `GONGKAI_CONFIG` names none: `gongkai.toml` in
/// the current folder, when it exists.
pub const DEFAULT_FILE: &str = "gongkai.toml";

/// gongkai's settings before the command's flags: defaults → file → environment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    values: BTreeMap<&'static str, String>,
    /// `$XDG_DATA_HOME` and `$HOME`, for the default data folder.
    xdg_data_home: Option<PathBuf>,
    home: Option<PathBuf>,
    /// The file the settings came from, if any.
    pub file: Option<PathBuf>,
}

/// A setting that cannot be used, named by its key and where it was written.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SettingsError {
    /// The file named by `--config` / `GONGKAI_CONFIG` cannot be read.
    #[error("无法读取配置文件 {path}：{reason}")]
    Unreadable {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// The file is not TOML.
    #[error("配置文件 {path} 第{line}行第{column}列：不是有效的 TOML 格式")]
    Syntax {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// 1-based column (characters).
        column: usize,
    },
    /// A key gongkai does not know (a typo would otherwise be ignored silently).
    #[error("配置文件 {path}：未知的设置项「{key}」（可用：{known}）")]
    UnknownKey {
        /// The file.
        path: String,
        /// The key.
        key: String,
        /// The keys gongkai knows.
        known: String,
    },
    /// A value that is not a string.
    #[error("配置文件 {path}：设置项「{key}」应为用引号括起的文字")]
    NotText {
        /// The file.
        path: String,
        /// The key.
        key: String,
    },
    /// An environment variable that is not valid Unicode.
    #[error("环境变量 {0} 含无效字符")]
    NotUnicode(String),
}

impl Settings {
    /// Reads the settings from the optional file (`config`, else [`DEFAULT_FILE`] when it
    /// exists) and the environment `env` (the process's, in `main.rs`; a fixed list in tests).
    pub fn load(config: Option<&Path>, env: &[(String, std::ffi::OsString)]) -> Result<Settings, SettingsError> {
        let mut s = Settings::default();
        let var = |name: &str| env.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let text_var = |name: &str| -> Result<Option<String>, SettingsError> {
            var(name).map(|v| v.into_string().map_err(|_| SettingsError::NotUnicode(name.to_string()))).transpose()
        };
        let file = match config.map(Path::to_path_buf).or_else(|| var("GONGKAI_CONFIG").map(PathBuf::from)) {
            Some(path) => Some((path, true)),
            None => Some(PathBuf::from(DEFAULT_FILE)).filter(|p| p.is_file()).map(|p| (p, false)),
        };
        if let Some((path, _named)) = file {
            let shown = path.display().to_string();
            let text = std::fs::read_to_string(&path)
                .map_err(|e| SettingsError::Unreadable { path: shown.clone(), reason: io_reason(&e) })?;
            s.read_file(&shown, &text)?;
            s.file = Some(path);
        }
        for (key, _) in KEYS {
            if let Some(v) = text_var(&format!("GONGKAI_{}", key.to_ascii_uppercase()))? {
                s.values.insert(key, v);
            }
        }
        s.xdg_data_home = var("XDG_DATA_HOME").map(PathBuf::from).filter(|p| !p.as_os_str().is_empty());
        s.home = var("HOME").map(PathBuf::from).filter(|p| !p.as_os_str().is_empty());
        Ok(s)
    }

    /// The process's environment, for [`Settings::load`].
    pub fn process_env() -> Vec<(String, std::ffi::OsString)> {
        std::env::vars_os().filter_map(|(k, v)| k.into_string().ok().map(|k| (k, v))).collect()
    }

    fn read_file(&mut self, path: &str, text: &str) -> Result<(), SettingsError> {
        let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            let offset = e.span().map_or(0, |r| r.start).min(text.len());
            let before = text.get(..offset).unwrap_or("");
            let line = before.matches('\n').count() + 1;
            let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
            SettingsError::Syntax { path: path.to_string(), line, column }
        })?;
        for (key, value) in table {
            let Some((known, _)) = KEYS.iter().find(|(k, _)| *k == key) else {
                let known = KEYS.iter().map(|(k, _)| *k).collect::<Vec<_>>().join("、");
                return Err(SettingsError::UnknownKey { path: path.to_string(), key, known });
            };
            let toml::Value::String(v) = value else {
                return Err(SettingsError::NotText { path: path.to_string(), key });
            };
            self.values.insert(known, v);
        }
        Ok(())
    }

    /// The value of `key`, trimmed, when set and not empty.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values.get(key).map(|v| v.trim()).filter(|v| !v.is_empty())
    }

    /// The value of `key` as an owned string.
    pub fn string(&self, key: &str) -> Option<String> {
        self.get(key).map(str::to_string)
    }

    /// The flag's value when given, else this layer's (`flag` → environment → file).
    pub fn or_flag(&self, flag: Option<&str>, key: &str) -> Option<String> {
        flag.map(str::trim).filter(|v| !v.is_empty()).map(str::to_string).or_else(|| self.string(key))
    }

    /// gongkai's data folder: `data_dir`, else `$XDG_DATA_HOME/gongkai`, else
    /// `~/.local/share/gongkai`.
    pub fn data_dir(&self) -> Option<PathBuf> {
        if let Some(d) = self.get("data_dir") {
            return Some(PathBuf::from(d));
        }
        if let Some(d) = &self.xdg_data_home {
            return Some(d.join("gongkai"));
        }
        self.home.as_ref().map(|h| h.join(".local/share/gongkai"))
    }

    /// The extra font folder of the PDF exporter.
    pub fn font_dir(&self) -> Option<PathBuf> {
        self.get("font_dir").map(PathBuf::from)
    }
}

/// The SMTP relay of reminder e-mails: the flags given, else the `smtp_url` / `smtp_from`
/// settings; none when no relay is set. `from_flag` is the option's name, for the message.
pub fn mailer(
    settings: &Settings,
    url: Option<&str>,
    from: Option<&str>,
    from_flag: &str,
) -> anyhow::Result<Option<gongkai_app::remind::Mailer>> {
    match (settings.or_flag(url, "smtp_url"), settings.or_flag(from, "smtp_from")) {
        (Some(url), Some(from)) => Ok(Some(gongkai_app::remind::Mailer::new(&url, &from)?)),
        (Some(_), None) => anyhow::bail!(
            "配置了 SMTP 邮件中继时须指定发件人地址：{from_flag}，或设置项 smtp_from（环境变量 GONGKAI_SMTP_FROM）"
        ),
        (None, _) => Ok(None),
    }
}

/// An I/O error's reason in Chinese.
fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "文件不存在".into(),
        std::io::ErrorKind::PermissionDenied => "没有读取权限".into(),
        std::io::ErrorKind::InvalidData => "不是 UTF-8 编码的文本".into(),
        _ => format!("读取失败（{e}）"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, std::ffi::OsString)> {
        pairs.iter().map(|(k, v)| ((*k).to_string(), (*v).into())).collect()
    }

    fn file(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("gongkai.toml");
        std::fs::write(&path, text).unwrap_or_else(|e| panic!("{e}"));
        (dir, path)
    }

    #[test]
    fn each_layer_overrides_the_one_before() {
        let (_d, path) = file("database_url = \"sqlite://from-file.db\"\nsite_name = \"示例县人民政府\"\n");
        let s = Settings::load(Some(&path), &env(&[("GONGKAI_DATABASE_URL", "postgres://db/gk")]))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.get("database_url"), Some("postgres://db/gk"), "the environment over the file");
        assert_eq!(s.get("site_name"), Some("示例县人民政府"), "the file over the default");
        assert_eq!(s.get("smtp_url"), None, "the default: none");
        assert_eq!(s.or_flag(Some("sqlite://flag.db"), "database_url").as_deref(), Some("sqlite://flag.db"));
        assert_eq!(s.or_flag(Some("  "), "database_url").as_deref(), Some("postgres://db/gk"), "an empty flag is none");
    }

    #[test]
    fn the_config_file_may_come_from_the_environment() {
        let (_d, path) = file("bind = \"0.0.0.0:80\"\n");
        let s = Settings::load(None, &env(&[("GONGKAI_CONFIG", path.to_str().unwrap_or_default())]))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.get("bind"), Some("0.0.0.0:80"));
        assert_eq!(s.file.as_deref(), Some(path.as_path()));
    }

    #[test]
    fn errors_name_the_file_the_line_and_the_key() {
        let (_d, path) = file("site_name = \"示例\"\nsmtp_url = \n");
        let e = Settings::load(Some(&path), &[]).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("gongkai.toml 第2行") && e.contains("TOML"), "{e}");
        let (_d, path) = file("database_ulr = \"sqlite://x.db\"\n");
        let e = Settings::load(Some(&path), &[]).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("未知的设置项「database_ulr」") && e.contains("database_url"), "{e}");
        let (_d, path) = file("bind = 8080\n");
        let e = Settings::load(Some(&path), &[]).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(e.contains("「bind」应为用引号括起的文字"), "{e}");
        let missing = Path::new("/nonexistent/gongkai.toml");
        let e = Settings::load(Some(missing), &[]).err().map(|e| e.to_string()).unwrap_or_default();
        assert_eq!(e, "无法读取配置文件 /nonexistent/gongkai.toml：文件不存在");
    }

    #[test]
    fn the_data_folder_follows_xdg() {
        let s = Settings::load(None, &env(&[("HOME", "/home/gk")])).unwrap_or_default();
        assert_eq!(s.data_dir(), Some(PathBuf::from("/home/gk/.local/share/gongkai")));
        let s = Settings::load(None, &env(&[("HOME", "/home/gk"), ("XDG_DATA_HOME", "/xdg")])).unwrap_or_default();
        assert_eq!(s.data_dir(), Some(PathBuf::from("/xdg/gongkai")));
        let s = Settings::load(None, &env(&[("XDG_DATA_HOME", "/xdg"), ("GONGKAI_DATA_DIR", "/srv/gk")]))
            .unwrap_or_default();
        assert_eq!(s.data_dir(), Some(PathBuf::from("/srv/gk")));
    }
}
