//! Import of CAC announcement files, as a pipeline of pure stages followed by one write:
//!
//! bytes → [`decode`] → [`table`] (title lines, one or two tables, XLSX sheets) → [`header`]
//! mapping → [`validate`] (numbers, regions, dates, quirk flags) → [`plan`] (compare with the
//! store) → apply (in `store`, one transaction).
//!
//! The preview in the app, `beian import --dry-run` and the summary after an import are all the
//! same [`plan::ImportPlan`].

pub mod date;
pub mod decode;
pub mod header;
pub mod plan;
pub mod stream;
pub mod table;
pub mod validate;
pub mod xlsx;

use crate::filing::Kind;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use header::Field;

/// Choices a person can override in the import preview (or on the CLI).
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReadOptions {
    /// An encoding label (`gb18030`, `gbk`, `utf-8`, `utf-16le`, `utf-16be`) that replaces detection.
    pub encoding: Option<String>,
    /// A delimiter (`,`, `\t` or `;`) that replaces detection.
    pub delimiter: Option<String>,
    /// Header text → field, for columns whose names Beian does not know.
    pub columns: Vec<ColumnOverride>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ColumnOverride {
    pub header: String,
    /// `None` ignores the column.
    pub field: Option<Field>,
}

/// A file as read: decoded, split into its tables, headers mapped. Nothing validated yet.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SourceFile {
    /// What the bytes were read as: `UTF-8`, `UTF-8 (BOM)`, `UTF-16LE`, `UTF-16BE`, `GB18030`,
    /// `XLSX`, ...
    pub encoding: String,
    /// The delimiter found (or forced) for text files; `None` for spreadsheets.
    pub delimiter: Option<String>,
    pub tables: Vec<SourceTable>,
}

/// One table in a file: its title line if any, its header, and its data rows.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct SourceTable {
    /// Sheet name, for spreadsheets.
    pub sheet: Option<String>,
    /// The title line above the header (`附件1：生成式人工智能服务已备案信息`), if any.
    pub title: Option<String>,
    /// The kind the title or the header announces (已备案 / 已登记, 备案编号 / 登记编号).
    pub kind: Option<Kind>,
    /// 1-based line (or sheet row) of the header.
    #[ts(type = "number")]
    pub header_line: u64,
    pub header: Vec<String>,
    pub columns: ColumnMap,
    pub rows: Vec<SourceRow>,
}

/// Which cell of a row holds which field (indexes into [`SourceRow::cells`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ColumnMap {
    pub seq: Option<usize>,
    pub region: Option<usize>,
    pub model: Option<usize>,
    pub company: Option<usize>,
    pub number: Option<usize>,
    pub date: Option<usize>,
}

impl ColumnMap {
    pub fn get(&self, field: Field) -> Option<usize> {
        match field {
            Field::Seq => self.seq,
            Field::Region => self.region,
            Field::Model => self.model,
            Field::Company => self.company,
            Field::Number => self.number,
            Field::Date => self.date,
        }
    }

    pub fn set(&mut self, field: Field, idx: Option<usize>) {
        let slot = match field {
            Field::Seq => &mut self.seq,
            Field::Region => &mut self.region,
            Field::Model => &mut self.model,
            Field::Company => &mut self.company,
            Field::Number => &mut self.number,
            Field::Date => &mut self.date,
        };
        *slot = idx;
    }
}

/// One data row with the line it came from (for multi-line quoted cells, the first line).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct SourceRow {
    #[ts(type = "number")]
    pub line: u64,
    pub cells: Vec<String>,
}

/// Why a whole file cannot be imported. Each says what to do next.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{file}: the file is empty")]
    Empty { file: String },
    #[error(
        "{file}: cannot read the text ({reason}); if you know the encoding, pass it with \
         --encoding (gb18030, utf-8, utf-16le, utf-16be)"
    )]
    Undecodable { file: String, reason: String },
    #[error("unknown encoding {0:?}; use one of utf-8, gb18030, gbk, utf-16le, utf-16be")]
    UnknownEncoding(String),
    #[error("unknown delimiter {0:?}; use ',', ';' or 'tab'")]
    UnknownDelimiter(String),
    #[error(
        "{file}: no filings table found: no line has the CAC headers (序号, 属地, 模型名称, \
         备案单位, 备案编号, 备案时间, or their English names); is this a CAC announcement file?"
    )]
    NotATable { file: String },
    /// No table, in a text read in the encoding a person named: most likely the wrong one.
    #[error(
        "{file}: no filings table found in the text read as {encoding}, the encoding given with \
         --encoding: no line has the CAC headers (序号, 属地, 模型名称, 备案单位, 备案编号, 备案时间); \
         if the file is in another encoding, import it without --encoding and Beian will detect it"
    )]
    NotATableAs { file: String, encoding: String },
    #[error(
        "{file}: the table at line {line} has no filing-number column (备案编号, 备案号, \
         登记编号, 上线编号 or filing_number); its columns are: {found}"
    )]
    NoNumberColumn {
        file: String,
        line: u64,
        found: String,
    },
    #[error("{file}: not a readable spreadsheet: {reason}")]
    Spreadsheet { file: String, reason: String },
    #[error("{file}: {reason}")]
    TooLarge { file: String, reason: String },
    /// The file could not be read to its end, or changed while it was read twice.
    #[error("{file}: cannot read the file: {reason}")]
    Read { file: String, reason: String },
    #[error(
        "{file}: line {line}, column {column}: a quote (\") opens a cell that is never closed, so \
         every line after it would read as part of that cell; close the quote or remove it"
    )]
    UnclosedQuote {
        file: String,
        line: u64,
        column: usize,
    },
    #[error(
        "{file}: the table at line {line} has a header but no rows; nothing to import (is this \
         the right file or sheet?)"
    )]
    NoRows { file: String, line: u64 },
}

impl ImportError {
    /// No table in a text read in a forced encoding says so: the encoding is the likely culprit.
    pub(crate) fn in_forced_encoding(self, forced: bool, encoding: &str) -> ImportError {
        match self {
            ImportError::NotATable { file } if forced => ImportError::NotATableAs {
                file,
                encoding: encoding.to_string(),
            },
            other => other,
        }
    }

    /// A stable code for programs (the app, JSON output); people read the message.
    pub fn code(&self) -> &'static str {
        match self {
            ImportError::Empty { .. } => "file_empty",
            ImportError::Undecodable { .. } => "file_undecodable",
            ImportError::UnknownEncoding(_) => "unknown_encoding",
            ImportError::UnknownDelimiter(_) => "unknown_delimiter",
            ImportError::NotATable { .. } | ImportError::NotATableAs { .. } => "not_a_table",
            ImportError::NoNumberColumn { .. } => "no_number_column",
            ImportError::Spreadsheet { .. } => "spreadsheet_unreadable",
            ImportError::TooLarge { .. } => "file_too_large",
            ImportError::Read { .. } => "file_unreadable",
            ImportError::UnclosedQuote { .. } => "unclosed_quote",
            ImportError::NoRows { .. } => "no_rows",
        }
    }
}

/// Reads any supported file (CSV/TSV text in any encoding, XLSX/XLS/ODS) into its tables.
pub fn read_source(
    file_name: &str,
    bytes: &[u8],
    opts: &ReadOptions,
) -> Result<SourceFile, ImportError> {
    if bytes.is_empty() {
        return Err(ImportError::Empty {
            file: file_name.to_string(),
        });
    }
    let source = if xlsx::looks_like_spreadsheet(bytes) {
        xlsx::read_workbook(file_name, bytes, opts)?
    } else {
        let decoded = decode::decode(file_name, bytes, opts.encoding.as_deref())?;
        let label = decoded.label.clone();
        table::read_text(file_name, &decoded.text, decoded.label, opts)
            .map_err(|e| e.in_forced_encoding(opts.encoding.is_some(), &label))?
    };
    // A header with nothing under it is a wrong sheet or an export that failed; importing it
    // would only add an empty batch to the history.
    if source.tables.iter().all(|t| t.rows.is_empty()) {
        return Err(ImportError::NoRows {
            file: file_name.to_string(),
            line: source.tables.first().map_or(0, |t| t.header_line),
        });
    }
    Ok(source)
}
