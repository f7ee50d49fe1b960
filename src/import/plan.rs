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

/// Decides what each row of `source` would do, given a lookup of what the registry holds.
pub fn plan(
    file_name: &str,
    bytes: &[u8],
    source: SourceFile,
    regions: &Regions,
    already_imported: Option<PreviousBatch>,
    lookup: &mut dyn FnMut(&str) -> crate::error::Result<Option<Existing>>,
) -> crate::error::Result<ImportPlan> {
    let mut rows = Vec::new();
    let mut tables = Vec::new();
    let mut counts = PlanCounts::default();
    // number key → (line, fingerprint) of its first row in this file
    let mut seen: HashMap<String, (u64, String)> = HashMap::new();

    for (t_idx, table) in source.tables.into_iter().enumerate() {
        let checked = check_table(&table, regions);
        for (
            source_row,
            CheckedRow {
                line,
                fields,
                flags,
                mut issues,
            },
        ) in table.rows.into_iter().zip(checked)
        {
            counts.rows += 1;
            let mut action = RowAction::Reject;
            let mut existing_id = None;
            let mut changes = Vec::new();
            if let Some(f) = &fields {
                let key = crate::number::number_key(&f.number);
                let fp = fingerprint(f);
                if let Some((first_line, first_fp)) = seen.get(&key) {
                    if *first_fp == fp {
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
                    seen.insert(key.clone(), (line, fp.clone()));
                    match lookup(&key)? {
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
                RowAction::Insert => counts.inserted += 1,
                RowAction::Update => counts.updated += 1,
                RowAction::Unchanged | RowAction::Duplicate => counts.unchanged += 1,
                RowAction::Reject => counts.rejected += 1,
            }
            rows.push(PlannedRow {
                table: t_idx,
                line,
                cells: source_row.cells,
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
            });
        }
        tables.push(TablePlan {
            sheet: table.sheet,
            title: table.title,
            kind: table.kind,
            header_line: table.header_line,
            header: table.header,
            columns: table.columns,
            rows: 0,
        });
    }
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
