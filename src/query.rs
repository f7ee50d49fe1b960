//! The vocabulary of browsing the registry: filters, sort, pages, facets and the records they
//! return. The store turns these into SQL; front ends build them from clicks and flags.

use crate::filing::{Flag, Issue, Kind};
use crate::number::NumberCheck;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Filters shared by the Filings screen, `beian list`, statistics and exports.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct FilingFilter {
    /// Regions by any name or code; resolved to full names by the registry.
    pub regions: Vec<String>,
    pub kind: Option<Kind>,
    /// Company name, or part of it.
    pub company: Option<String>,
    /// Substring of model, company or number (Chinese words of one or two characters work).
    pub search: Option<String>,
    /// Filed on or after (YYYY-MM-DD).
    pub from: Option<String>,
    /// Filed on or before (YYYY-MM-DD).
    pub to: Option<String>,
    /// Only filings filed in this calendar year.
    pub year: Option<i32>,
    /// Only filings first added by this batch.
    #[ts(type = "number | null")]
    pub batch: Option<i64>,
    /// `Some(true)`: only flagged rows; `Some(false)`: only clean rows.
    pub flagged: Option<bool>,
    /// Only rows carrying this flag.
    pub flag: Option<Flag>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SortField {
    Number,
    Kind,
    Region,
    Model,
    Company,
    FiledOn,
    Seq,
    Batch,
}

impl SortField {
    pub fn parse(s: &str) -> Option<SortField> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "number" | "filing_number" => SortField::Number,
            "kind" => SortField::Kind,
            "region" => SortField::Region,
            "model" => SortField::Model,
            "company" => SortField::Company,
            "filed_on" | "date" => SortField::FiledOn,
            "seq" => SortField::Seq,
            "batch" => SortField::Batch,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Sort {
    pub field: SortField,
    pub desc: bool,
}

impl Sort {
    /// `filed_on`, `filed_on:desc`, `company:asc`.
    pub fn parse(s: &str) -> Option<Sort> {
        let (f, dir) = match s.split_once(':') {
            Some((f, d)) => (f, d.trim().to_ascii_lowercase()),
            None => (s, "asc".to_string()),
        };
        let desc = match dir.as_str() {
            "desc" => true,
            "asc" => false,
            _ => return None,
        };
        Some(Sort {
            field: SortField::parse(f)?,
            desc,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FilingQuery {
    pub filter: FilingFilter,
    pub sort: Option<Sort>,
    pub limit: u32,
    #[ts(type = "number")]
    pub offset: u64,
}

impl Default for FilingQuery {
    fn default() -> Self {
        FilingQuery {
            filter: FilingFilter::default(),
            sort: None,
            limit: 50,
            offset: 0,
        }
    }
}

/// One line of the Filings table.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct FilingRow {
    #[ts(type = "number")]
    pub id: i64,
    pub number: String,
    pub kind: Kind,
    pub region: String,
    pub model: String,
    pub company: String,
    /// YYYY-MM-DD
    pub filed_on: Option<String>,
    #[ts(type = "number | null")]
    pub seq: Option<i64>,
    /// The batch that first added the filing (none for filings added by hand).
    #[ts(type = "number | null")]
    pub batch: Option<i64>,
    pub flags: Vec<Flag>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct FilingPage {
    #[ts(type = "number")]
    pub total: u64,
    pub rows: Vec<FilingRow>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct FacetCount {
    /// The value to filter by (region full name, `filed`, `2024`, batch id, `true`).
    pub value: String,
    /// What to show (region short name, batch file name); front ends translate kinds and flags.
    pub label: String,
    #[ts(type = "number")]
    pub count: u64,
}

#[derive(Debug, Clone, Default, Serialize, TS)]
#[ts(export)]
pub struct Facets {
    pub region: Vec<FacetCount>,
    pub kind: Vec<FacetCount>,
    pub year: Vec<FacetCount>,
    pub batch: Vec<FacetCount>,
    pub flagged: Vec<FacetCount>,
}

/// Everything the detail screen and `beian show` print about one filing.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct FilingDetail {
    pub filing: FilingRow,
    /// The filing's number as checked now against its region and date.
    pub check: NumberCheck,
    /// Each source row this filing was read from, oldest first.
    pub raw_rows: Vec<RawRow>,
    /// Earlier values, newest first: what each later batch or edit replaced.
    pub history: Vec<HistoryEntry>,
    pub audit: Vec<AuditEntry>,
    /// The same company's other filings.
    pub other_filings: Vec<FilingRow>,
    /// When the filing was created and last changed (as passed in by the caller).
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct RawRow {
    #[ts(type = "number")]
    pub batch: i64,
    pub file_name: String,
    pub sheet: Option<String>,
    #[ts(type = "number")]
    pub line: u64,
    pub header: Vec<String>,
    pub cells: Vec<String>,
    /// What the import did with this row: `inserted`, `updated`, `unchanged`, `rejected`, `duplicate`.
    pub action: String,
    pub issues: Vec<Issue>,
}

/// The values a filing had before a batch or an edit replaced them.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct HistoryEntry {
    pub replaced_at: String,
    /// The batch whose import replaced these values, if an import did.
    #[ts(type = "number | null")]
    pub replaced_by_batch: Option<i64>,
    /// The audit entry of the edit that replaced them, if an edit did.
    #[ts(type = "number | null")]
    pub replaced_by_edit: Option<i64>,
    pub number: String,
    pub kind: Kind,
    pub region: String,
    pub model: String,
    pub company: String,
    pub filed_on: Option<String>,
    #[ts(type = "number | null")]
    pub seq: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FieldChange {
    pub field: String,
    pub before: Option<String>,
    pub after: Option<String>,
}

/// One manual change: what, before, after, when.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AuditEntry {
    #[ts(type = "number")]
    pub id: i64,
    pub at: String,
    /// `create` or `edit`.
    pub action: String,
    #[ts(type = "number | null")]
    pub filing_id: Option<i64>,
    pub number: String,
    pub changes: Vec<FieldChange>,
    pub note: Option<String>,
}

/// One import with its provenance and counts.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct BatchInfo {
    #[ts(type = "number")]
    pub id: i64,
    pub file_name: String,
    pub sha256: String,
    #[ts(type = "number")]
    pub size: u64,
    pub encoding: String,
    pub delimiter: Option<String>,
    pub imported_at: String,
    /// `import` for files a person imported, `bundled` for the data shipped with Beian.
    pub source: String,
    #[ts(type = "number")]
    pub rows: u64,
    #[ts(type = "number")]
    pub inserted: u64,
    #[ts(type = "number")]
    pub updated: u64,
    #[ts(type = "number")]
    pub unchanged: u64,
    #[ts(type = "number")]
    pub rejected: u64,
}

/// What one batch did to one filing.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct BatchChange {
    #[ts(type = "number")]
    pub line: u64,
    pub action: String,
    #[ts(type = "number | null")]
    pub filing_id: Option<i64>,
    pub number: String,
    pub model: String,
    pub company: String,
    pub changes: Vec<FieldChange>,
    pub issues: Vec<Issue>,
}
