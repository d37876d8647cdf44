//! Which backend a URL names, and a printable form of it.

use crate::StoreError;

/// The database behind a [`crate::Store`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite (`sqlite:`), the default: one file next to the binary's data.
    Sqlite,
    /// PostgreSQL (`postgres:` or `postgresql:`), for a province or a shared deployment.
    Postgres,
}

impl Backend {
    /// Chooses the backend by the URL's scheme; anything else is [`StoreError::UnsupportedUrl`].
    pub fn from_url(url: &str) -> Result<Backend, StoreError> {
        let scheme = url.split_once(':').map(|(s, _)| s.to_ascii_lowercase());
        match scheme.as_deref() {
            Some("sqlite") => Ok(Backend::Sqlite),
            Some("postgres" | "postgresql") => Ok(Backend::Postgres),
            _ => Err(StoreError::UnsupportedUrl(redact_url(url))),
        }
    }

    /// `sqlite` or `postgres`.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// The URL of the default database: `gongkai.db` in the current directory, created if missing.
pub fn default_sqlite_url() -> String {
    "sqlite://gongkai.db?mode=rwc".to_string()
}

/// The same server's URL with another database name (query string kept): how a fresh PostgreSQL
/// database is reached after `CREATE DATABASE` on the server named by an administrative URL
/// (the test harnesses of every crate, one database per test).
pub fn with_database(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let authority_start = base.find("://").map_or(0, |i| i + 3);
    let server = match base[authority_start..].find('/') {
        Some(i) => &base[..authority_start + i],
        None => base,
    };
    match query {
        Some(q) => format!("{server}/{name}?{q}"),
        None => format!("{server}/{name}"),
    }
}

/// The URL with any password replaced by `***`, for logs and error messages.
pub fn redact_url(url: &str) -> String {
    let Some(start) = url.find("://").map(|i| i + 3) else {
        return url.to_string();
    };
    let rest = &url[start..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    let Some(at) = authority.rfind('@') else {
        return url.to_string();
    };
    let userinfo = &authority[..at];
    match userinfo.split_once(':') {
        Some((user, _password)) => {
            format!("{}{}:***{}", &url[..start], user, &url[start + at..])
        }
        None => url.to_string(),
    }
}

/// The server (`host:port`, port 5432 when none is given) and the database a PostgreSQL URL
/// names, for messages: `postgres://user:pw@db.example:6432/gongkai?sslmode=require` →
/// (`db.example:6432`, `gongkai`). The password never appears.
pub(crate) fn postgres_target(url: &str) -> (String, String) {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.split_once(['?', '#']).map_or(rest, |(r, _)| r);
    let (authority, database) = rest.split_once('/').unwrap_or((rest, ""));
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let hostport = if hostport.is_empty() { "localhost" } else { hostport };
    // A port is what follows the last colon outside an IPv6 address's brackets.
    let has_port =
        hostport.rsplit_once(':').is_some_and(|(h, p)| !p.is_empty() && !h.ends_with('[') && !p.contains(']'));
    let server = if has_port { hostport.to_string() } else { format!("{hostport}:5432") };
    let database = if database.is_empty() { "postgres" } else { database };
    (server, database.to_string())
}

/// The file a SQLite URL names (`sqlite://PATH?…`, `sqlite:PATH`), or `None` for PostgreSQL and
/// in-memory databases. The binary keeps the data key file beside it.
pub fn sqlite_file_path(url: &str) -> Option<std::path::PathBuf> {
    if Backend::from_url(url).ok()? != Backend::Sqlite || is_sqlite_memory(url) {
        return None;
    }
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split_once('?').map_or(rest, |(p, _)| p);
    (!path.is_empty()).then(|| std::path::PathBuf::from(path))
}

/// Whether a SQLite URL names an in-memory database (each connection would get its own).
pub(crate) fn is_sqlite_memory(url: &str) -> bool {
    url.contains(":memory:") || url.contains("mode=memory")
}

#[cfg(test)]
mod tests {
    #[test]
    fn postgres_target_names_server_and_database_without_the_password() {
        use super::postgres_target;
        assert_eq!(
            postgres_target("postgres://u:secret@db.example:6432/gongkai?sslmode=require"),
            ("db.example:6432".to_string(), "gongkai".to_string())
        );
        assert_eq!(postgres_target("postgres://postgres@127.0.0.1/test"), ("127.0.0.1:5432".into(), "test".into()));
        assert_eq!(postgres_target("postgresql://[::1]:5433/x"), ("[::1]:5433".into(), "x".into()));
        assert_eq!(postgres_target("postgres://[::1]/x"), ("[::1]:5432".into(), "x".into()));
    }

    use super::*;

    #[test]
    fn sqlite_file_paths() {
        use std::path::PathBuf;
        assert_eq!(sqlite_file_path("sqlite://gongkai.db?mode=rwc"), Some(PathBuf::from("gongkai.db")));
        assert_eq!(sqlite_file_path("sqlite:///var/lib/gk/gk.db"), Some(PathBuf::from("/var/lib/gk/gk.db")));
        assert_eq!(sqlite_file_path("sqlite::memory:"), None);
        assert_eq!(sqlite_file_path("postgres://postgres@127.0.0.1/test"), None);
    }

    #[test]
    fn database_name_is_replaced() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/test", "gk_x"),
            "postgres://postgres@127.0.0.1:5432/gk_x"
        );
        assert_eq!(
            with_database("postgres://u:p@h/db?sslmode=disable", "gk_x"),
            "postgres://u:p@h/gk_x?sslmode=disable"
        );
        assert_eq!(with_database("postgres://u@h:5432", "gk_x"), "postgres://u@h:5432/gk_x");
    }

    #[test]
    fn backend_by_scheme() {
        assert_eq!(Backend::from_url("sqlite://gongkai.db?mode=rwc").unwrap(), Backend::Sqlite);
        assert_eq!(Backend::from_url("sqlite::memory:").unwrap(), Backend::Sqlite);
        assert_eq!(Backend::from_url("postgres://u@h/db").unwrap(), Backend::Postgres);
        assert_eq!(Backend::from_url("postgresql://u@h/db").unwrap(), Backend::Postgres);
        assert_eq!(Backend::from_url("POSTGRES://u@h/db").unwrap(), Backend::Postgres);
    }

    #[test]
    fn unsupported_url_is_named_without_its_password() {
        let e = Backend::from_url("mysql://root:hunter2@h/db").unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("mysql://root:***@h/db"), "{msg}");
        assert!(!msg.contains("hunter2"), "{msg}");
        assert!(matches!(Backend::from_url("gongkai.db"), Err(StoreError::UnsupportedUrl(_))));
    }

    #[test]
    fn redaction() {
        assert_eq!(redact_url("postgres://gk:s3cr@t@db:5432/gk?x=1"), "postgres://gk:***@db:5432/gk?x=1");
        assert_eq!(redact_url("postgres://gk@db/gk"), "postgres://gk@db/gk");
        assert_eq!(redact_url("sqlite://gongkai.db?mode=rwc"), "sqlite://gongkai.db?mode=rwc");
        assert_eq!(redact_url("sqlite::memory:"), "sqlite::memory:");
    }

    #[test]
    fn default_url_is_a_local_file() {
        assert_eq!(default_sqlite_url(), "sqlite://gongkai.db?mode=rwc");
        assert_eq!(Backend::from_url(&default_sqlite_url()).unwrap(), Backend::Sqlite);
    }
}
