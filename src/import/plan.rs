//! The import plan: every row of a file with what applying it would do — insert, update (with the
//! field changes), leave unchanged, or reject (with reasons) — decided against what the registry
//! holds. The preview, `--dry-run` and the summary after an import all show this one plan.

use super::validate::{check_table, CheckedRow};
use super::{ColumnMap, SourceFile};
use crate::filing::{FilingFields, Flag, Issue, Kind};
use crate::query::FieldChange;
use crate::region::Regions;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RowAction {
    Insert,
    Update,
    Unchanged,
    Reject,
    /// The same filing appears earlier in this file with the same values.
    Duplicate,
}

impl RowAction {
    pub fn as_str(self) -> &'static str {
        match self {
            RowAction::Insert => "inserted",
            RowAction::Update => "updated",
            RowAction::Unchanged => "unchanged",
            RowAction::Reject => "rejected",
            RowAction::Duplicate => "duplicate",
        }
    }
}

/// What the registry holds under a number key, as far as planning needs to know.
#[derive(Debug, Clone)]
pub struct Existing {
    pub id: i64,
    /// The values as the last import left them (edits by hand do not count: re-importing an old
    /// file must not undo a person's correction).
    pub fingerprint: String,
    pub current: FilingFields,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct PlannedRow {
    /// Index into [`ImportPlan::tables`].
    pub table: usize,
    #[ts(type = "number")]
    pub line: u64,
    pub cells: Vec<String>,
    pub action: RowAction,
    pub fields: Option<FilingFields>,
    pub flags: Vec<Flag>,
    #[ts(type = "number | null")]
    pub existing_id: Option<i64>,
    /// For updates: the fields that differ from the registry.
    pub changes: Vec<FieldChange>,
    pub issues: Vec<Issue>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct TablePlan {
    pub sheet: Option<String>,
    pub title: Option<String>,
    pub kind: Option<Kind>,
    #[ts(type = "number")]
    pub header_line: u64,
    pub header: Vec<String>,
    pub columns: ColumnMap,
    #[ts(type = "number")]
    pub rows: u64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PlanCounts {
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

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct PreviousBatch {
    #[ts(type = "number")]
    pub id: i64,
    pub file_name: String,
    pub imported_at: String,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ImportPlan {
    pub file_name: String,
    pub sha256: String,
    #[ts(type = "number")]
    pub size: u64,
    pub encoding: String,
    pub delimiter: Option<String>,
    /// Set when these exact bytes were imported before: applying the plan changes nothing.
    pub already_imported: Option<PreviousBatch>,
    pub tables: Vec<TablePlan>,
    pub rows: Vec<PlannedRow>,
    pub counts: PlanCounts,
    /// Every error, in file order (rows that would be rejected).
    pub errors: Vec<Issue>,
    pub warnings: Vec<Issue>,
}

impl ImportPlan {
    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }

    /// The plan with only its first `n` rows, for a preview that must stay small over IPC; counts,
    /// errors and warnings stay whole.
    pub fn preview(&self, n: usize) -> ImportPlan {
        ImportPlan {
            rows: self.rows.iter().take(n).cloned().collect(),
            ..self.clone()
        }
    }
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// The import-side identity of a filing's values: equal fingerprints mean nothing to update.
pub fn fingerprint(f: &FilingFields) -> String {
    let date = f.filed_on.map(|d| d.to_string()).unwrap_or_default();
    let seq = f.seq.map(|s| s.to_string()).unwrap_or_default();
    [
        f.number.as_str(),
        f.kind.as_str(),
        &f.region,
        &f.model,
        &f.company,
        &date,
        &seq,
    ]
    .join("\u{1f}")
}

/// The fields that differ between what the registry has and what the file says.
pub fn diff(before: &FilingFields, after: &FilingFields) -> Vec<FieldChange> {
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string());
    let seq = |s: Option<i64>| s.map(|s| s.to_string());
    let pairs: [(&str, Option<String>, Option<String>); 7] = [
        (
            "number",
            Some(before.number.clone()),
            Some(after.number.clone()),
        ),
        (
            "kind",
            Some(before.kind.as_str().into()),
            Some(after.kind.as_str().into()),
        ),
        (
            "region",
            Some(before.region.clone()),
            Some(after.region.clone()),
        ),
        (
            "model",
            Some(before.model.clone()),
            Some(after.model.clone()),
        ),
        (
            "company",
            Some(before.company.clone()),
            Some(after.company.clone()),
        ),
        ("filed_on", date(before.filed_on), date(after.filed_on)),
        ("seq", seq(before.seq), seq(after.seq)),
    ];
    pairs
        .into_iter()
        .filter(|(_, b, a)| b != a)
        .map(|(field, before, after)| FieldChange {
            field: field.to_string(),
            before,
            after,
        })
        .collect()
}

/// What the registry holds under a number key, looked up while planning.
pub type Lookup<'a> = dyn FnMut(&str) -> crate::error::Result<Option<Existing>> + 'a;

/// A digest of a string, for remembering keys and fingerprints seen earlier in a file without
/// keeping the strings (a million rows would otherwise hold ~200 MB of them): differently-salted
/// SipHash values.
fn digest(s: &str, salt: u8) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    salt.hash(&mut h);
    s.hash(&mut h);
    h.finish()
}

/// A number key as remembered: 128 bits, so that two different numbers of a file share one with a
/// chance of about n²/2¹²⁹ (1.5e-27 for a million rows). With 64 bits that chance would be
/// 3e-8 per million-row file, and a shared digest would take a new filing for a repeat of another.
fn key_digest(key: &str) -> [u64; 2] {
    [digest(key, 0x5a), digest(key, 0xa5)]
}

/// A fingerprint as remembered. It is only ever compared with the fingerprint of the same number
/// key, so 64 bits suffice: a repeat with different values passes for the same values with a
/// chance of 2⁻⁶⁴ per repeated number, not per pair of rows.
fn fp_digest(fp: &str) -> u64 {
    digest(fp, 0x3c)
}

/// Decides rows one at a time, in file order: the same verdicts [`plan`] gives for a whole file,
/// for imports that stream rows instead of holding them.
pub struct Planner<'a> {
    /// Number key digest → (line, fingerprint digest) of its first row in this file. 32 bytes an
    /// entry (a million rows: 2²¹ slots, 69 MB).
    seen: HashMap<[u64; 2], (u64, u64)>,
    counts: PlanCounts,
    lookup: &'a mut Lookup<'a>,
}

impl<'a> Planner<'a> {
    pub fn new(lookup: &'a mut Lookup<'a>) -> Planner<'a> {
        Planner::with_capacity(lookup, 0)
    }

    /// A planner for about `rows` rows: the map of numbers seen is made that big at once, instead
    /// of doubling as it fills (at a million rows the doubling held both tables, 150 MB, at once).
    pub fn with_capacity(lookup: &'a mut Lookup<'a>, rows: u64) -> Planner<'a> {
        Planner {
            seen: HashMap::with_capacity(usize::try_from(rows).unwrap_or(0)),
            counts: PlanCounts::default(),
            lookup,
        }
    }

    pub fn counts(&self) -> PlanCounts {
        self.counts
    }

    /// The plan for one validated row of table `table`.
    pub fn row(
        &mut self,
        table: usize,
        cells: Vec<String>,
        checked: CheckedRow,
    ) -> crate::error::Result<PlannedRow> {
        let CheckedRow {
            line,
            fields,
            flags,
            mut issues,
        } = checked;
        self.counts.rows += 1;
        let mut action = RowAction::Reject;
        let mut existing_id = None;
        let mut changes = Vec::new();
        if let Some(f) = &fields {
            let key = crate::number::number_key(&f.number);
            let fp = fingerprint(f);
            let (key_seen, fp_seen) = (key_digest(&key), fp_digest(&fp));
            if let Some(&(first_line, first_fp)) = self.seen.get(&key_seen) {
                if first_fp == fp_seen {
                    action = RowAction::Duplicate;
                    issues.push(
                        Issue::warning(
                            "duplicate_in_file",
                            format!(
                                "{} appears again; line {first_line} has the same values",
                                f.number
                            ),
                        )
                        .at(line, None),
                    );
                } else {
                    issues.push(
                        Issue::error(
                            "conflicting_duplicate",
                            format!(
                                "{} appears again with different values than on line {first_line}",
                                f.number
                            ),
                        )
                        .at(line, None),
                    );
                }
            } else {
                self.seen.insert(key_seen, (line, fp_seen));
                match (self.lookup)(&key)? {
                    None => action = RowAction::Insert,
                    Some(ex) => {
                        existing_id = Some(ex.id);
                        if ex.fingerprint == fp {
                            action = RowAction::Unchanged;
                        } else {
                            changes = diff(&ex.current, f);
                            action = if changes.is_empty() {
                                RowAction::Unchanged
                            } else {
                                RowAction::Update
                            };
                        }
                    }
                }
            }
        }
        if issues.iter().any(Issue::is_error) {
            action = RowAction::Reject;
        }
        match action {
            RowAction::Insert => self.counts.inserted += 1,
            RowAction::Update => self.counts.updated += 1,
            RowAction::Unchanged | RowAction::Duplicate => self.counts.unchanged += 1,
            RowAction::Reject => self.counts.rejected += 1,
        }
        Ok(PlannedRow {
            table,
            line,
            cells,
            action,
            fields: if action == RowAction::Reject {
                None
            } else {
                fields
            },
            flags,
            existing_id,
            changes,
            issues,
        })
    }
}

impl TablePlan {
    /// A table as planned, before its rows are counted.
    pub fn of(table: &super::SourceTable) -> TablePlan {
        TablePlan {
            sheet: table.sheet.clone(),
            title: table.title.clone(),
            kind: table.kind,
            header_line: table.header_line,
            header: table.header.clone(),
            columns: table.columns.clone(),
            rows: 0,
        }
    }
}

/// Decides what each row of `source` would do, given a lookup of what the registry holds.
pub fn plan(
    file_name: &str,
    bytes: &[u8],
    source: SourceFile,
    regions: &Regions,
    already_imported: Option<PreviousBatch>,
    lookup: &mut Lookup<'_>,
) -> crate::error::Result<ImportPlan> {
    let mut rows = Vec::new();
    let mut tables = Vec::new();
    let mut planner = Planner::new(lookup);
    for (t_idx, mut table) in source.tables.into_iter().enumerate() {
        let checked = check_table(&table, regions);
        let source_rows = std::mem::take(&mut table.rows);
        for (source_row, checked) in source_rows.into_iter().zip(checked) {
            rows.push(planner.row(t_idx, source_row.cells, checked)?);
        }
        tables.push(TablePlan::of(&table));
    }
    let counts = planner.counts();
    for r in &rows {
        tables[r.table].rows += 1;
    }
    let (errors, warnings): (Vec<Issue>, Vec<Issue>) = rows
        .iter()
        .flat_map(|r| r.issues.iter().cloned())
        .partition(Issue::is_error);
    Ok(ImportPlan {
        file_name: file_name.to_string(),
        sha256: sha256_hex(bytes),
        size: bytes.len() as u64,
        encoding: source.encoding,
        delimiter: source.delimiter,
        already_imported,
        tables,
        rows,
        counts,
        errors,
        warnings,
    })
}
