//! The crate's error type. Each part of the core has its own error enum where it helps the
//! caller branch; they all gather here, and every error carries a stable [`ErrorCode`] that the
//! CLI and the desktop app branch on (never on the text).

use std::path::PathBuf;

use serde::Serialize;
use ts_rs::TS;

/// Where in an input file something went wrong: `chat.txt:418` or `result.json: $.messages[3]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Location {
    /// The file as the user named it (or the member of a zip: `chat.zip/_chat.txt`).
    pub file: String,
    /// 1-based line number, when the format has lines.
    pub line: Option<u64>,
}

impl Location {
    pub fn file(file: impl Into<String>) -> Self {
        Self {
            file: file.into(),
            line: None,
        }
    }

    pub fn line(file: impl Into<String>, line: u64) -> Self {
        Self {
            file: file.into(),
            line: Some(line),
        }
    }
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}", self.file, line),
            None => f.write_str(&self.file),
        }
    }
}

/// Stable machine-readable error codes (the desktop app branches on these).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorCode {
    WrongPassphrase,
    Locked,
    NoArchive,
    ArchiveExists,
    ArchiveInUse,
    BadInput,
    UnsupportedFormat,
    KeychainUnavailable,
    NotFound,
    /// Refused by records rules: a hold, or a locked policy.
    Refused,
    Io,
    Internal,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("wrong passphrase")]
    WrongPassphrase,
    #[error("wrong recovery key")]
    WrongRecoveryKey,
    #[error("archive is locked: {0}")]
    Locked(String),
    #[error("no archive at {}: create one with `holdfast init`", .0.display())]
    NoArchive(PathBuf),
    #[error("an archive already exists at {}", .0.display())]
    ArchiveExists(PathBuf),
    #[error("archive is in use by another Holdfast process: {}", .0.display())]
    ArchiveInUse(PathBuf),
    #[error("{location}: {message}")]
    BadInput { location: Location, message: String },
    #[error("{location}: {message}")]
    UnsupportedFormat { location: Location, message: String },
    #[error("keychain unavailable: {0}")]
    KeychainUnavailable(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{}: {source}", .path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("archive damaged: {0}")]
    Corrupt(String),
    #[error("invalid argument: {0}")]
    InvalidArgument(String),
    /// `position` is the 0-based character position in the query.
    #[error("query: {message} (at character {})", .position + 1)]
    InvalidQuery { position: usize, message: String },
    #[error("database: {0}")]
    Database(#[from] rusqlite::Error),
    /// A records rule forbids it (a hold covers the item, a policy is locked); the refusal is
    /// in the audit log.
    #[error("refused: {0}")]
    Refused(String),
}

impl Error {
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::WrongPassphrase | Error::WrongRecoveryKey => ErrorCode::WrongPassphrase,
            Error::Locked(_) => ErrorCode::Locked,
            Error::NoArchive(_) => ErrorCode::NoArchive,
            Error::ArchiveExists(_) => ErrorCode::ArchiveExists,
            Error::ArchiveInUse(_) => ErrorCode::ArchiveInUse,
            Error::BadInput { .. } | Error::InvalidArgument(_) | Error::InvalidQuery { .. } => {
                ErrorCode::BadInput
            }
            Error::UnsupportedFormat { .. } => ErrorCode::UnsupportedFormat,
            Error::KeychainUnavailable(_) => ErrorCode::KeychainUnavailable,
            Error::NotFound(_) => ErrorCode::NotFound,
            Error::Refused(_) => ErrorCode::Refused,
            Error::Io { .. } => ErrorCode::Io,
            Error::Corrupt(_) | Error::Database(_) => ErrorCode::Internal,
        }
    }

    pub fn bad_input(location: Location, message: impl Into<String>) -> Self {
        Error::BadInput {
            location,
            message: message.into(),
        }
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What crosses the IPC boundary to the desktop app: `{code, message}`.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

impl From<&Error> for ApiError {
    fn from(e: &Error) -> Self {
        ApiError {
            code: e.code(),
            message: e.to_string(),
        }
    }
}

impl From<Error> for ApiError {
    fn from(e: Error) -> Self {
        ApiError::from(&e)
    }
}
