//! Spreadsheets.
use super::{ImportError, ReadOptions, SourceFile};

pub fn looks_like_spreadsheet(bytes: &[u8]) -> bool {
    bytes.starts_with(b"PK\x03\x04")
}

pub fn read_workbook(
    file: &str,
    _bytes: &[u8],
    _opts: &ReadOptions,
) -> Result<SourceFile, ImportError> {
    Err(ImportError::Spreadsheet {
        file: file.into(),
        reason: "unsupported".into(),
    })
}
