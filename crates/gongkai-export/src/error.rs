//! The one error type of the exporters.

/// Why a report could not be written in a format.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The writer of a format failed (the message says where).
    #[error("无法写出 {format} 文件：{message}（cannot write the {format} file: {message}）")]
    Write {
        /// `docx`, `xlsx`, `pdf`, `html`.
        format: &'static str,
        /// What went wrong, and where.
        message: String,
    },
}

impl ExportError {
    /// A writer error of `format`.
    pub fn write(format: &'static str, message: impl std::fmt::Display) -> ExportError {
        ExportError::Write { format, message: message.to_string() }
    }
}
