//! Errors of the core. Each has a stable [`Error::code`] that programs act on (the app maps codes
//! to translated text; nobody matches message strings) and a message that tells a person what to
//! do next.

use crate::filing::Issue;
use crate::import::ImportError;
use serde::Serialize;
use std::path::PathBuf;
use ts_rs::TS;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Import(#[from] ImportError),

    #[error(
        "{path}: this database was written by a newer version of Beian (schema {found}; this \
         version knows up to {supported}). Update Beian to open it; the file was not changed."
    )]
    SchemaTooNew {
        path: PathBuf,
        found: i64,
        supported: i64,
    },

    #[error("{path}: not a Beian database ({reason})")]
    NotADatabase { path: PathBuf, reason: String },

    #[error("{what} not found")]
    NotFound { what: String },

    #[error(
        "{path}: a file is already there, and a new database never replaces one. Open it instead, \
         or choose a new file name"
    )]
    DatabaseExists { path: PathBuf },

    #[error("{}", invalid_message(.issues))]
    Invalid { issues: Vec<Issue> },

    #[error("cancelled; nothing was written")]
    Cancelled,

    #[error(
        "{path}: the file changed after its preview, and nothing was written. Open it again to \
         see what it holds now"
    )]
    FileChanged { path: PathBuf },

    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("{0}")]
    Usage(String),

    #[error("{}", db_message(.0))]
    Db(#[from] rusqlite::Error),

    #[error("cannot write the export to {path}: {reason}; nothing was written. Choose a folder that exists and that you can write to")]
    ExportUnwritable { path: PathBuf, reason: String },

    #[error(
        "PDF export needs a Chinese (CJK) font and none was found (looked in: {searched}). Install \
         one (on Debian/Ubuntu: apt-get install fonts-wqy-microhei), set BEIAN_PDF_FONT to a \
         .ttf/.ttc/.otf file, or export HTML and print it to PDF"
    )]
    PdfFontMissing { searched: String },

    #[error("the export could not be produced: {0}")]
    Export(String),
}

fn db_message(e: &rusqlite::Error) -> String {
    match e.sqlite_error_code() {
        // Every write is one transaction, so a full disk rolls the whole operation back.
        Some(rusqlite::ErrorCode::DiskFull) => "the disk is full; nothing from this operation was \
             written and the database is as it was. Free some space and try again"
            .to_string(),
        _ => format!("database error: {e}"),
    }
}

fn invalid_message(issues: &[Issue]) -> String {
    let parts: Vec<String> = issues
        .iter()
        .filter(|i| i.is_error())
        .map(|i| match &i.column {
            // Rule-file issues already read "file: field: message".
            Some(c) if !i.message.contains(&format!("{c}: ")) => format!("{c}: {}", i.message),
            _ => i.message.clone(),
        })
        .collect();
    if parts.is_empty() {
        "invalid input".to_string()
    } else {
        parts.join("; ")
    }
}

impl Error {
    pub fn code(&self) -> &'static str {
        match self {
            Error::Import(e) => e.code(),
            Error::SchemaTooNew { .. } => "schema_too_new",
            Error::NotADatabase { .. } => "not_a_database",
            Error::NotFound { .. } => "not_found",
            Error::DatabaseExists { .. } => "database_exists",
            Error::Invalid { .. } => "invalid",
            Error::Cancelled => "cancelled",
            Error::FileChanged { .. } => "file_changed",
            Error::Io { source, .. } => match source.kind() {
                std::io::ErrorKind::PermissionDenied => "permission_denied",
                std::io::ErrorKind::ReadOnlyFilesystem => "read_only",
                std::io::ErrorKind::NotFound => "file_not_found",
                _ if is_disk_full(source) => "disk_full",
                _ => "io",
            },
            Error::Usage(_) => "usage",
            Error::ExportUnwritable { .. } => "export_unwritable",
            Error::PdfFontMissing { .. } => "pdf_font_missing",
            Error::Export(_) => "export_failed",
            Error::Db(e) => match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::DiskFull) => "disk_full",
                Some(rusqlite::ErrorCode::ReadOnly) => "read_only",
                Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked) => {
                    "database_busy"
                }
                Some(rusqlite::ErrorCode::NotADatabase) => "not_a_database",
                Some(rusqlite::ErrorCode::CannotOpen) => "cannot_open",
                _ => "database",
            },
        }
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Error {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    /// What crosses IPC and what `--format json` prints on failure.
    pub fn payload(&self) -> ErrorPayload {
        let detail = match self {
            Error::Invalid { issues } => serde_json::to_value(issues).ok(),
            Error::SchemaTooNew {
                found, supported, ..
            } => Some(serde_json::json!({ "found": found, "supported": supported })),
            _ => None,
        };
        ErrorPayload {
            code: self.code().to_string(),
            message: self.to_string(),
            detail,
        }
    }
}

fn is_disk_full(e: &std::io::Error) -> bool {
    e.raw_os_error() == Some(28) // ENOSPC
}

/// An error as the UI and JSON consumers see it: act on `code`, show `message`, use `detail`.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ErrorPayload {
    pub code: String,
    pub message: String,
    #[ts(type = "unknown")]
    pub detail: Option<serde_json::Value>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
