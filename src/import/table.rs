//! Splitting text into tables.
use super::{ImportError, ReadOptions, SourceFile};

pub fn read_text(
    file: &str,
    _text: &str,
    _label: String,
    _opts: &ReadOptions,
) -> Result<SourceFile, ImportError> {
    Err(ImportError::NotATable { file: file.into() })
}
