//! The vocabulary shared by import, store and front ends: what a filing is, the kinds, the flags a
//! suspicious row carries, and the structured issues every check reports.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;
use ts_rs::TS;

/// 备案 (filed with the CAC) or 登记 (registered: an app built on an already-filed model).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Kind {
    Filed,
    Registered,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Filed => "filed",
            Kind::Registered => "registered",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        match s.trim().to_ascii_lowercase().as_str() {
            "filed" | "备案" | "已备案" => Some(Kind::Filed),
            "registered" | "登记" | "已登记" => Some(Kind::Registered),
            _ => None,
        }
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A suspicion about a row that is kept as published: the row stays, the flag tells a person to look.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Flag {
    /// The number does not follow `{Jurisdiction}-{Name}-{YYYYMMDD}[S][NNNN]`.
    NumberMalformed,
    /// The number's jurisdiction prefix is not the row's 属地.
    PrefixMismatch,
    /// The number's prefix names no known jurisdiction.
    JurisdictionUnknown,
    /// The date inside the number is later than 备案时间.
    NumberDateAfterFiling,
    /// The date inside the number is more than 60 days before 备案时间.
    NumberDateLongBefore,
    /// A registration number (`S`) in a filed table, or the reverse.
    KindMismatch,
    /// The model column holds a company-like name (`…有限公司`): columns probably swapped.
    ModelCompanySwapped,
    /// The company name starts with a stray character (`1北京…`, `、上海…`).
    StrayLeadingChar,
    /// 属地 was empty and taken from the row above (a merged cell in the source spreadsheet).
    RegionInherited,
}

impl Flag {
    pub const ALL: [Flag; 9] = [
        Flag::NumberMalformed,
        Flag::PrefixMismatch,
        Flag::JurisdictionUnknown,
        Flag::NumberDateAfterFiling,
        Flag::NumberDateLongBefore,
        Flag::KindMismatch,
        Flag::ModelCompanySwapped,
        Flag::StrayLeadingChar,
        Flag::RegionInherited,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Flag::NumberMalformed => "number_malformed",
            Flag::PrefixMismatch => "prefix_mismatch",
            Flag::JurisdictionUnknown => "jurisdiction_unknown",
            Flag::NumberDateAfterFiling => "number_date_after_filing",
            Flag::NumberDateLongBefore => "number_date_long_before",
            Flag::KindMismatch => "kind_mismatch",
            Flag::ModelCompanySwapped => "model_company_swapped",
            Flag::StrayLeadingChar => "stray_leading_char",
            Flag::RegionInherited => "region_inherited",
        }
    }

    pub fn parse(s: &str) -> Option<Flag> {
        Flag::ALL.into_iter().find(|f| f.as_str() == s)
    }

    /// Flags are stored as one comma-separated TEXT column: few, fixed, and filtered as a set.
    pub fn join(flags: &[Flag]) -> String {
        let mut v: Vec<&str> = flags.iter().map(|f| f.as_str()).collect();
        v.sort_unstable();
        v.dedup();
        v.join(",")
    }

    pub fn split(s: &str) -> Vec<Flag> {
        s.split(',').filter_map(|p| Flag::parse(p.trim())).collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Severity {
    /// The row (or number) cannot be accepted as it is.
    Error,
    /// Accepted, but a person should look.
    Warning,
}

/// One finding about a file, a row or a number: where, what (a stable code a program can act on)
/// and a sentence a person can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Issue {
    /// 1-based line in the source file (CSV) or row in the sheet (XLSX); absent for file-level issues.
    #[ts(type = "number | null")]
    pub line: Option<u64>,
    /// The column as the source names it (header text), when the issue is about one cell.
    pub column: Option<String>,
    pub code: String,
    pub message: String,
    pub severity: Severity,
}

impl Issue {
    pub fn error(code: &str, message: impl Into<String>) -> Issue {
        Issue {
            line: None,
            column: None,
            code: code.to_string(),
            message: message.into(),
            severity: Severity::Error,
        }
    }

    pub fn warning(code: &str, message: impl Into<String>) -> Issue {
        Issue {
            severity: Severity::Warning,
            ..Issue::error(code, message)
        }
    }

    pub fn at(mut self, line: u64, column: Option<&str>) -> Issue {
        self.line = Some(line);
        self.column = column.map(str::to_string);
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// The published fields of one filing, after validation and normalisation (region by full name,
/// date as a date). This is what an import compares and what an edit writes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FilingFields {
    /// The number exactly as published (trimmed).
    pub number: String,
    pub kind: Kind,
    /// Full region name (`北京市`, `国资委`).
    pub region: String,
    pub model: String,
    pub company: String,
    #[ts(type = "string | null")]
    pub filed_on: Option<NaiveDate>,
    /// 序号 as published; separate series for the filed and registered tables.
    #[ts(type = "number | null")]
    pub seq: Option<i64>,
}
