//! The application layer: each use case of gongkai is one function here, and the CLI
//! (`crates/gongkai`) and the web (`crates/gongkai-web`) both call it. They parse input and
//! render output; the rule — what is checked, what is stored, what is audited — lives here once,
//! so the two can never disagree.
//!
//! What belongs here: the order of checks and writes of a use case, the one clock ("today" in
//! China Standard Time), the one year-input builder of the report. What does not: SQL (the
//! store), pure rules of the Regulations (the core), HTML or terminal text (the edges).

pub mod clock;
pub mod error;
pub mod publish;
pub mod remind;
pub mod request;
pub mod year;

pub use clock::Clock;
pub use error::AppError;

/// Who performs a use case, as the audit trail records them (B2.3): a console account, an API
/// token's owner, or the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The username (`(cli)` for the command line).
    pub username: String,
    /// Their role; `None` for the command line, which acts with the database file's rights.
    pub role: Option<gongkai_store::Role>,
    /// Their agency; `None` for the command line.
    pub agency: Option<String>,
    /// Where the action came from (the client address); `None` for the command line.
    pub source: Option<String>,
}

impl Actor {
    /// The command line: the operator of the database file, audited as `(cli)`.
    pub fn cli() -> Actor {
        Actor { username: "(cli)".into(), role: None, agency: None, source: None }
    }

    /// The audit event of an action of this actor.
    pub fn event(
        &self,
        event_type: &str,
        target: &str,
        success: bool,
        detail: Option<String>,
    ) -> gongkai_store::AuditEvent {
        gongkai_store::AuditEvent {
            username: Some(self.username.clone()),
            role: self.role,
            agency: self.agency.clone(),
            event_type: event_type.to_string(),
            target: Some(target.to_string()),
            success,
            source: self.source.clone(),
            detail,
        }
    }
}
