//! The errors of the use cases: each says, in Chinese, what is wrong and with which field, so
//! the CLI can print it and the web can show it beside the field.

use gongkai_store::StoreError;

/// Why a use case refused or failed.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// A field of the input is invalid.
    #[error("{message}")]
    Invalid {
        /// The field's name in the input (`published_on`, `year`, …).
        field: &'static str,
        /// What is wrong, in Chinese.
        message: String,
    },
    /// The Regulations do not allow this now (the lifecycle's refusal: a second correction
    /// notice, an extension after the due date, anything after a reply, …).
    #[error("{0}")]
    Refused(String),
    /// The change reaches a published, locked year and was not made as an amendment with a
    /// reason (the period lock).
    #[error("{0}")]
    Locked(String),
    /// The action conflicts with what is stored (a year already published, …).
    #[error("{0}")]
    Conflict(String),
    /// What the action needs does not exist (a request, a token).
    #[error("{0}")]
    NotFound(String),
    /// No agency has this code (nor, ignoring case, exactly one): the one message of every use
    /// case that names an agency. The command line adds where to find the codes.
    #[error("没有代码为「{0}」的机关")]
    UnknownAgency(String),
    /// Register entries of the year cannot be counted in the report, each with its message;
    /// a year is not published while any remains.
    #[error("有 {} 条登记无法统计，请先更正后再发布：{}", .0.len(), .0.join("；"))]
    Uncountable(Vec<String>),
    /// The report of the year breaks consistency rules (a table that does not add up, a
    /// narrative figure against its table), each a message; a year is not published while any
    /// remains.
    #[error("报告有 {} 处不符合勾稽关系，请先更正后再发布：{}", .0.len(), .0.join("；"))]
    NotReady(Vec<String>),
    /// The approver has not accepted what the pre-publication check warns of (or the check has
    /// changed since): the message says which.
    #[error("{0}")]
    Unconfirmed(String),
    /// A register workbook has problems, each with its sheet, row and column; nothing of it was
    /// stored (an import is all or nothing).
    #[error("台账有 {} 处错误，未导入任何数据", .0.len())]
    Workbook(Vec<gongkai_sheet::CellError>),
    /// The store failed or refused (a locked year, a corrupt value, the database).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A background task (report generation) did not finish.
    #[error("内部错误：{0}")]
    Internal(String),
}

impl AppError {
    /// An invalid field.
    pub fn invalid(field: &'static str, message: impl Into<String>) -> AppError {
        AppError::Invalid { field, message: message.into() }
    }

    /// Every problem of an input as one error: the first names the field, the message lists all
    /// (a form shows them at once; the command line prints them on one line).
    pub fn inputs(errors: Vec<gongkai_core::input::InputError>) -> AppError {
        let field = errors.first().map_or("item", |e| e.field);
        AppError::invalid(field, errors.into_iter().map(|e| e.message).collect::<Vec<_>>().join("；"))
    }
}
