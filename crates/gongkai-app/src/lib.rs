//! The application layer: each use case of gongkai is one function here, and the CLI
//! (`crates/gongkai`) and the web (`crates/gongkai-web`) both call it. They parse input and
//! render output; the rule — what is checked, what is stored, what is audited — lives here once,
//! so the two can never disagree.
//!
//! What belongs here: the order of checks and writes of a use case, the one clock ("today" in
//! China Standard Time), the one year-input builder of the report. What does not: SQL (the
//! store), pure rules of the Regulations (the core), HTML or terminal text (the edges).

pub mod accounts;
pub mod agencies;
pub mod article20;
pub mod cases;
pub mod clock;
pub mod demo;
pub mod documents;
pub mod error;
pub mod filing;
pub mod guide;
pub mod narrative;
pub mod proactive;
pub mod publish;
pub mod published;
pub mod registers;
pub mod remind;
pub mod request;
pub mod security;
pub mod setup;
pub mod site;
pub mod supervise;
pub mod tokens;
pub mod year;

pub use clock::Clock;
pub use error::AppError;

/// Who performs a use case, as the audit trail records them (B2.3): a console account, an API
/// token's owner, or the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The account's id; `None` for the command line.
    pub user_id: Option<String>,
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
        Actor { user_id: None, username: "(cli)".into(), role: None, agency: None, source: None }
    }

    /// A console or API account, acting from `source` (the client address, or `api`).
    pub fn user(user: &gongkai_store::User, source: Option<String>) -> Actor {
        Actor {
            user_id: Some(user.id.clone()),
            username: user.username.clone(),
            role: Some(user.role),
            agency: Some(user.agency.clone()),
            source,
        }
    }

    /// Records in the audit trail (B2.3) that this actor did `event_type` on `target`, with its
    /// success and detail. A failure to record is logged: the action itself already happened or
    /// failed, and its outcome is what the caller answers.
    pub async fn audit(
        &self,
        store: &gongkai_store::Store,
        clock: &Clock,
        event_type: &str,
        target: &str,
        success: bool,
        detail: Option<String>,
    ) {
        let event = self.event(event_type, target, success, detail);
        if let Err(err) = store.append_audit(&event, clock.now()).await {
            tracing::error!(event = %event_type, error = %err, "audit event not recorded");
        }
    }

    /// `store`, recording that this actor did `event_type` on `target` (successfully, with
    /// `detail`) in the same transaction as the change it then makes (issue 21 item 2): the
    /// change and its audit record are stored together or not at all. A refused attempt changes
    /// nothing and is recorded apart ([`Actor::audit_refusal`]).
    pub fn audited(
        &self,
        store: &gongkai_store::Store,
        clock: &Clock,
        event_type: &str,
        target: &str,
        detail: Option<String>,
    ) -> gongkai_store::Store {
        store.audited(self.event(event_type, target, true, detail), clock.now())
    }

    /// Records a refused attempt (B2.3 records failures too); a success was recorded with its
    /// change ([`Actor::audited`]), so nothing is written for it here.
    pub async fn audit_refusal<T>(
        &self,
        store: &gongkai_store::Store,
        clock: &Clock,
        event_type: &str,
        target: &str,
        outcome: &Result<T, AppError>,
    ) {
        if let Err(e) = outcome {
            self.audit(store, clock, event_type, target, false, Some(e.to_string())).await;
        }
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
