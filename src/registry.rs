//! The use cases of Beian, called alike by the CLI and the desktop app: import (plan, then
//! apply), browse, show, check, add and edit. Time is always passed in (`now`), never read here.

use crate::error::{Error, Result};
use crate::filing::{FilingFields, Flag, Issue};
use crate::import::plan::{plan, ImportPlan, PreviousBatch};
use crate::import::{read_source, ReadOptions};
use crate::number::{self, NumberCheck};
use crate::query::{
    BatchChange, BatchInfo, Facets, FieldChange, FilingDetail, FilingFilter, FilingPage,
    FilingQuery,
};
use crate::region::Regions;
use crate::store::Store;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use ts_rs::TS;

mod subsidies;
pub use subsidies::{RuleExport, RuleInfo, RuleOrigin};

/// The filings printed in the seed document, shipped so a first launch is not empty.
pub const BUNDLED_FILES: &[(&str, &[u8])] = &[(
    "cac-2024-03-seed-excerpt.csv",
    include_bytes!("../data/filings/cac-2024-03-seed-excerpt.csv"),
)];

/// Where the registry lives when nobody says otherwise: the user's data directory
/// (`$XDG_DATA_HOME/beian/beian.sqlite` on Linux).
pub fn default_db_path() -> PathBuf {
    dirs::data_dir()
        .unwrap_or_else(|| PathBuf::from("."))
        .join("beian")
        .join("beian.sqlite")
}

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ImportMode {
    /// Commit the good rows and list the rejected ones, instead of refusing the whole file.
    pub keep_going: bool,
    /// Report what would happen and write nothing.
    pub dry_run: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ImportStatus {
    /// A new batch was written.
    Imported,
    /// These exact bytes were imported before; nothing changed.
    AlreadyImported,
    /// Rows had errors and `keep_going` was off; nothing was written.
    Refused,
    /// A dry run: nothing was written; the counts say what an import would do.
    DryRun,
}

/// The outcome of importing one file, in the shape of the CLI contract.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ImportSummary {
    pub status: ImportStatus,
    /// The batch written, or for an already-imported file the batch that imported it.
    #[ts(type = "number | null")]
    pub batch: Option<i64>,
    pub file: String,
    pub encoding: String,
    pub delimiter: Option<String>,
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
    pub errors: Vec<Issue>,
    pub warnings: Vec<Issue>,
    /// One sentence for people.
    pub message: String,
}

pub struct Registry {
    store: Store,
    /// The subsidy evaluation's inputs, kept while the data is unchanged (see
    /// [`crate::subsidy::snapshot`]).
    evaluation: crate::subsidy::snapshot::Kept<(i64, u64)>,
    /// The evaluation's grouped filings being written down for later processes.
    layout_writes: subsidies::LayoutWrites,
    /// The last company figure and the data version it was counted at: it counts every filing
    /// (0.4 s at 1M), and the Dashboard asks for the same one on every visit.
    company_stats: crate::stats::KeptCompanyStats,
}

impl Registry {
    pub fn open(path: &Path) -> Result<Registry> {
        Ok(Registry {
            store: Store::open(path)?,
            evaluation: Default::default(),
            layout_writes: Default::default(),
            company_stats: Default::default(),
        })
    }

    /// Opens the registry at `path`; when the file does not exist yet, creates it and imports the
    /// bundled filings as its first batch.
    pub fn open_or_seed(path: &Path, now: &str) -> Result<Registry> {
        let fresh = !path.exists();
        let mut reg = Registry::open(path)?;
        if fresh {
            reg.seed(now)?;
        }
        Ok(reg)
    }

    /// Opens a registry that must already be there (the app's "open another database"): a
    /// missing file is an error, not a new empty registry made by a mistyped path.
    pub fn open_existing(path: &Path) -> Result<Registry> {
        if !path.is_file() {
            return Err(Error::io(
                path,
                std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "the database file is not there (moved, renamed, or on a drive that is not \
                     connected); reconnect it, or choose another database in Settings",
                ),
            ));
        }
        Registry::open(path)
    }

    /// Starts a new registry at `path` holding the bundled filings, as on first launch. A file
    /// already at `path` is refused, never replaced.
    pub fn create_seeded(path: &Path, now: &str) -> Result<Registry> {
        if path.exists() {
            return Err(Error::DatabaseExists {
                path: path.to_path_buf(),
            });
        }
        Registry::open_or_seed(path, now)
    }

    /// A second, read-only handle on the registry at `path`, for work another thread does
    /// beside this one (a connection is not shared between threads).
    pub(crate) fn open_read_only(path: &Path) -> Result<Registry> {
        Ok(Registry {
            store: Store::open_read_only(path)?,
            evaluation: Default::default(),
            layout_writes: Default::default(),
            company_stats: Default::default(),
        })
    }

    /// An empty registry in memory, for tests.
    pub fn open_in_memory() -> Result<Registry> {
        Ok(Registry {
            store: Store::open_in_memory()?,
            evaluation: Default::default(),
            layout_writes: Default::default(),
            company_stats: Default::default(),
        })
    }

    /// Imports the bundled data files (idempotent: a file already imported is skipped).
    pub fn seed(&mut self, now: &str) -> Result<Vec<ImportSummary>> {
        let mut out = Vec::new();
        for (name, bytes) in BUNDLED_FILES {
            let p = self.plan_import(name, bytes, &ReadOptions::default())?;
            out.push(self.apply(&p, ImportMode::default(), "bundled", now, &mut |_, _| true)?);
        }
        Ok(out)
    }

    pub(crate) fn company_stats(&self) -> &crate::stats::KeptCompanyStats {
        &self.company_stats
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn path(&self) -> Option<&Path> {
        self.store.path()
    }

    /// Reads, validates and compares a file with the registry. Writes nothing.
    pub fn plan_import(
        &self,
        file_name: &str,
        bytes: &[u8],
        opts: &ReadOptions,
    ) -> Result<ImportPlan> {
        let source = read_source(file_name, bytes, opts)?;
        let previous: Option<PreviousBatch> = self
            .store
            .batch_by_sha(&crate::import::plan::sha256_hex(bytes))?;
        let store = &self.store;
        plan(
            file_name,
            bytes,
            source,
            Regions::bundled(),
            previous,
            &mut |key| store.existing(key),
        )
    }

    /// Writes a plan as a batch, unless it has errors and `keep_going` is off, it is a dry run,
    /// or its bytes were imported before. `progress(done, total)` returning false cancels with
    /// nothing written.
    pub fn apply_import(
        &mut self,
        plan: &ImportPlan,
        mode: ImportMode,
        now: &str,
        progress: &mut dyn FnMut(u64, u64) -> bool,
    ) -> Result<ImportSummary> {
        self.apply(plan, mode, "import", now, progress)
    }

    fn apply(
        &mut self,
        plan: &ImportPlan,
        mode: ImportMode,
        source: &str,
        now: &str,
        progress: &mut dyn FnMut(u64, u64) -> bool,
    ) -> Result<ImportSummary> {
        let mut summary = match decide(plan, mode) {
            Decision::Done(summary) => return Ok(summary),
            Decision::Write(summary) => summary,
        };
        let batch = self.store.apply_plan(plan, source, now, progress)?;
        imported(&mut summary, batch);
        Ok(summary)
    }

    /// Plan and apply in one call, for a file held in memory. Text files are read as a stream of
    /// rows, planned and written one at a time, so a million-row file never exists as a million
    /// planned rows; the outcome is the one the two-step path gives.
    pub fn import(
        &mut self,
        file_name: &str,
        bytes: &[u8],
        opts: &ReadOptions,
        mode: ImportMode,
        now: &str,
        progress: &mut dyn FnMut(u64, u64) -> bool,
    ) -> Result<ImportSummary> {
        if bytes.is_empty() || crate::import::xlsx::looks_like_spreadsheet(bytes) {
            let plan = self.plan_import(file_name, bytes, opts)?;
            return self.apply_import(&plan, mode, now, progress);
        }
        let source = crate::import::stream::TextSource::from_bytes(
            file_name,
            bytes,
            opts.encoding.as_deref(),
        )?;
        self.stream_text(&source, opts, None, mode, now, progress, 0)
            .map(|(_, summary)| summary)
    }

    /// [`Registry::import`] of the file at `path`, as the CLI does it. A text file is decoded
    /// while it is read and never held whole (it is read twice: once to find its tables and hash
    /// it, so that an already-imported file is known before anything is written, once to import
    /// its rows). Spreadsheets are read whole.
    pub fn import_file(
        &mut self,
        path: &Path,
        opts: &ReadOptions,
        mode: ImportMode,
        now: &str,
        progress: &mut dyn FnMut(u64, u64) -> bool,
    ) -> Result<ImportSummary> {
        self.import_file_as_previewed(path, opts, None, mode, now, progress)
    }

    /// [`Registry::import_file`] of a file previewed before (see
    /// [`Registry::preview_import_file`]): refused with nothing written when its bytes are no
    /// longer those of the preview (`sha256`), since the person agreed to what the preview showed.
    pub fn import_file_as_previewed(
        &mut self,
        path: &Path,
        opts: &ReadOptions,
        sha256: Option<&str>,
        mode: ImportMode,
        now: &str,
        progress: &mut dyn FnMut(u64, u64) -> bool,
    ) -> Result<ImportSummary> {
        match open_file(path, opts)? {
            FileSource::Whole(name, bytes) => {
                same_bytes(path, sha256, &crate::import::plan::sha256_hex(&bytes))?;
                self.import(&name, &bytes, opts, mode, now, progress)
            }
            FileSource::Text(source) => {
                let expect = sha256.map(|sha| (path, sha));
                self.stream_text(&source, opts, expect, mode, now, progress, 0)
                    .map(|(_, summary)| summary)
            }
        }
    }

    /// The plan of the file at `path` with only its first `rows` rows, as
    /// [`Registry::plan_import`] and [`ImportPlan::preview`] give it (counts, errors and
    /// warnings whole), but read as [`Registry::import_file`] reads: a text file is streamed and
    /// its planned rows are counted, not kept. Planning a million-row file whole held about
    /// 1.2 GB, and the app previews every file it imports. Nothing is written.
    pub fn preview_import_file(
        &mut self,
        path: &Path,
        opts: &ReadOptions,
        rows: usize,
        now: &str,
    ) -> Result<ImportPlan> {
        match open_file(path, opts)? {
            FileSource::Whole(name, bytes) => {
                Ok(self.plan_import(&name, &bytes, opts)?.preview(rows))
            }
            FileSource::Text(source) => {
                let dry_run = ImportMode {
                    keep_going: false,
                    dry_run: true,
                };
                self.stream_text(&source, opts, None, dry_run, now, &mut |_, _| true, rows)
                    .map(|(plan, _)| plan)
            }
        }
    }

    /// Plans a text file row by row and, unless nothing may be written, writes each row as it
    /// is planned. Returns the plan with its first `keep_rows` rows only, and the outcome. With
    /// `expect`, the file's bytes must hash to the given SHA-256 (else nothing is written).
    #[allow(clippy::too_many_arguments)]
    fn stream_text(
        &mut self,
        source: &crate::import::stream::TextSource,
        opts: &ReadOptions,
        expect: Option<(&Path, &str)>,
        mode: ImportMode,
        now: &str,
        progress: &mut dyn FnMut(u64, u64) -> bool,
        keep_rows: usize,
    ) -> Result<(ImportPlan, ImportSummary)> {
        use crate::import::plan::{Planner, TablePlan};
        use crate::import::{stream, validate::RowChecker};

        let file_name = source.file();
        // The first pass hashes the file: whether these bytes were imported before is known
        // before anything is written.
        let layout = stream::scan(source, opts)?;
        let sha256 = layout.sha256.clone();
        if let Some((path, expected)) = expect {
            same_bytes(path, Some(expected), &sha256)?;
        }
        let already_imported = self.store.batch_by_sha(&sha256)?;
        let delimiter = (layout.delimiter as char).to_string();
        // Rows are written as they are planned unless nothing may be written anyway; the
        // transaction is dropped (rolled back) if the file turns out to be refused.
        let write = already_imported.is_none() && !mode.dry_run;
        let mut tx = self
            .store
            .import_tx(now, if write { layout.data_rows } else { 0 })?;
        if write {
            tx.start_batch(
                &crate::store::BatchMeta {
                    file_name,
                    sha256: &sha256,
                    size: layout.size,
                    encoding: source.encoding(),
                    delimiter: Some(&delimiter),
                },
                "import",
            )?;
        }
        let tx = tx;
        let regions = Regions::bundled();
        let mut lookup = |key: &str| tx.existing(key);
        let mut planner = Planner::with_capacity(&mut lookup, layout.data_rows);
        let mut checker = RowChecker::new(regions);
        let mut tables: Vec<TablePlan> = Vec::new();
        let (mut errors, mut warnings) = (Vec::new(), Vec::new());
        let total = layout.data_rows;
        let mut done = 0u64;
        let mut kept = Vec::with_capacity(keep_rows.min(layout.data_rows as usize));
        stream::for_each_row(source, &layout, |event| -> Result<()> {
            match event {
                stream::TextEvent::Table {
                    index,
                    context,
                    merged,
                } => {
                    if !merged {
                        checker = RowChecker::new(regions);
                        let t = TablePlan::of(context);
                        if write {
                            tx.add_table(index, &t)?;
                        }
                        tables.push(t);
                    }
                }
                stream::TextEvent::Row {
                    table,
                    context,
                    row,
                } => {
                    if done % 512 == 0 && !progress(done, total.max(done)) {
                        return Err(Error::Cancelled);
                    }
                    done += 1;
                    let checked = checker.check(context, row.line, &row.cells);
                    let planned = planner.row(table, row.cells, checked)?;
                    tables[table].rows += 1;
                    // After the first error a refused file is certain: only count the rest.
                    if write && (mode.keep_going || errors.is_empty()) {
                        tx.add_row(&planned, context.columns.number)?;
                    }
                    if kept.len() < keep_rows {
                        kept.push(planned.clone());
                    }
                    for issue in planned.issues {
                        if issue.is_error() {
                            errors.push(issue);
                        } else {
                            warnings.push(issue);
                        }
                    }
                }
            }
            Ok(())
        })?;
        if !progress(done, done) {
            return Err(Error::Cancelled);
        }
        let plan = ImportPlan {
            file_name: file_name.to_string(),
            sha256,
            size: layout.size,
            encoding: source.encoding().to_string(),
            delimiter: Some(delimiter),
            already_imported,
            tables,
            rows: kept,
            counts: planner.counts(),
            errors,
            warnings,
        };
        drop(planner);
        let mut summary = match decide(&plan, mode) {
            Decision::Done(summary) => return Ok((plan, summary)),
            Decision::Write(summary) => summary,
        };
        let batch = tx.finish(plan.counts, &mut || progress(done, done))?;
        imported(&mut summary, batch);
        Ok((plan, summary))
    }

    pub fn list(&self, q: &FilingQuery) -> Result<FilingPage> {
        validate_filter(&q.filter)?;
        self.store.list(q)
    }

    pub fn facets(&self, filter: &FilingFilter) -> Result<Facets> {
        validate_filter(filter)?;
        self.store.facets(filter)
    }

    /// One filing by number (any case), with everything the detail screen shows.
    pub fn show(&self, number: &str) -> Result<FilingDetail> {
        let id = self
            .store
            .filing_id_by_number(number)?
            .ok_or_else(|| Error::NotFound {
                what: format!("filing number {:?}", number.trim()),
            })?;
        self.filing(id)
    }

    pub fn filing(&self, id: i64) -> Result<FilingDetail> {
        let filing = self.store.filing(id)?;
        let regions = Regions::bundled();
        let filed_on = filing
            .filed_on
            .as_deref()
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
        let check = number::check(
            &filing.number,
            regions.by_name(&filing.region),
            filed_on,
            regions,
        );
        let (created_at, updated_at) = self.store.filing_times(id)?;
        Ok(FilingDetail {
            check,
            raw_rows: self.store.raw_rows_of(id)?,
            history: self.store.history_of(id)?,
            audit: self.store.audit_of(Some(id))?,
            other_filings: self.store.company_filings(&filing.company, id)?,
            filing,
            created_at,
            updated_at,
        })
    }

    pub fn batches(&self) -> Result<Vec<BatchInfo>> {
        self.store.batches()
    }

    pub fn batch_changes(&self, batch: i64) -> Result<Vec<BatchChange>> {
        self.store.batch_changes(batch)
    }

    /// Checks a number on its own, or against a region and filing date when given.
    pub fn check_number(
        &self,
        number: &str,
        region: Option<&str>,
        filed_on: Option<&str>,
    ) -> Result<NumberCheck> {
        let regions = Regions::bundled();
        let region = match region.map(str::trim).filter(|r| !r.is_empty()) {
            Some(r) => Some(regions.find(r).ok_or_else(|| unknown_region(r))?),
            None => None,
        };
        let filed_on = match filed_on.map(str::trim).filter(|d| !d.is_empty()) {
            Some(d) => Some(crate::import::date::parse_date(d).map_err(Error::Usage)?),
            None => None,
        };
        Ok(number::check(number, region, filed_on, regions))
    }

    /// Adds a filing by hand. Hard errors (no number, unknown region, empty names) refuse it;
    /// number problems are kept as flags, as for imported rows.
    pub fn add_filing(
        &mut self,
        fields: FilingFields,
        now: &str,
        note: Option<&str>,
    ) -> Result<FilingDetail> {
        let (fields, flags) = validate_fields(fields)?;
        let id = self.store.create_filing(&fields, &flags, now, note)?;
        self.filing(id)
    }

    /// Edits a filing by hand; the change goes to the audit trail, old values to the history.
    pub fn edit_filing(
        &mut self,
        id: i64,
        fields: FilingFields,
        now: &str,
        note: Option<&str>,
    ) -> Result<(FilingDetail, Vec<FieldChange>)> {
        let (fields, flags) = validate_fields(fields)?;
        let changes = self.store.edit_filing(id, &fields, &flags, now, note)?;
        Ok((self.filing(id)?, changes))
    }

    pub fn backup_to(&self, to: &Path) -> Result<()> {
        self.store.backup_to(to)
    }

    /// Replaces the database at `target` with a backup, after checking the backup opens as a
    /// Beian database this version understands. The replaced file is kept beside it (`.before-restore`).
    pub fn restore_from(backup: &Path, target: &Path) -> Result<Registry> {
        {
            let probe = Store::open_read_only(backup)?;
            let ok = probe.integrity_check()?;
            if ok != "ok" {
                return Err(Error::NotADatabase {
                    path: backup.to_path_buf(),
                    reason: format!("the backup is damaged: {ok}"),
                });
            }
        }
        let staged = target.with_extension("restoring");
        std::fs::copy(backup, &staged).map_err(|e| Error::io(&staged, e))?;
        if target.exists() {
            let keep = target.with_extension("before-restore");
            std::fs::copy(target, &keep).map_err(|e| Error::io(&keep, e))?;
        }
        for suffix in ["-wal", "-shm"] {
            let mut p = target.as_os_str().to_owned();
            p.push(suffix);
            let _ = std::fs::remove_file(PathBuf::from(p));
        }
        std::fs::rename(&staged, target).map_err(|e| Error::io(target, e))?;
        Registry::open(target)
    }
}

enum Decision {
    /// Nothing is to be written; the summary is final.
    Done(ImportSummary),
    /// The plan is to be written; the summary is completed by [`imported`].
    Write(ImportSummary),
}

/// What applying a plan in `mode` comes to: written, or not (already imported, a dry run, refused).
fn decide(plan: &ImportPlan, mode: ImportMode) -> Decision {
    let c = plan.counts;
    let mut summary = ImportSummary {
        status: ImportStatus::DryRun,
        batch: None,
        file: plan.file_name.clone(),
        encoding: plan.encoding.clone(),
        delimiter: plan.delimiter.clone(),
        rows: c.rows,
        inserted: c.inserted,
        updated: c.updated,
        unchanged: c.unchanged,
        rejected: c.rejected,
        errors: plan.errors.clone(),
        warnings: plan.warnings.clone(),
        message: String::new(),
    };
    if let Some(prev) = &plan.already_imported {
        summary.status = ImportStatus::AlreadyImported;
        summary.batch = Some(prev.id);
        summary.inserted = 0;
        summary.updated = 0;
        summary.unchanged = c.rows;
        summary.rejected = 0;
        summary.errors.clear();
        summary.warnings.clear();
        summary.message = format!(
            "already imported as batch {} ({}, {}); nothing changed",
            prev.id, prev.file_name, prev.imported_at
        );
        return Decision::Done(summary);
    }
    if mode.dry_run {
        summary.message = format!(
            "dry run: would insert {}, update {}, leave {} unchanged, reject {}",
            c.inserted, c.updated, c.unchanged, c.rejected
        );
        return Decision::Done(summary);
    }
    if plan.has_errors() && !mode.keep_going {
        summary.status = ImportStatus::Refused;
        summary.inserted = 0;
        summary.updated = 0;
        summary.unchanged = 0;
        summary.message = format!(
            "refused: {} row(s) have errors (first on line {}); nothing was written. Fix them, \
             or import with --keep-going to commit the other rows",
            c.rejected,
            plan.errors
                .first()
                .and_then(|e| e.line)
                .map(|l| l.to_string())
                .unwrap_or_else(|| "?".into())
        );
        return Decision::Done(summary);
    }
    Decision::Write(summary)
}

fn imported(summary: &mut ImportSummary, batch: i64) {
    summary.status = ImportStatus::Imported;
    summary.batch = Some(batch);
    summary.message = format!(
        "batch {batch}: {} new, {} changed, {} unchanged, {} rejected",
        summary.inserted, summary.updated, summary.unchanged, summary.rejected
    );
}

/// A file as the import reads it: spreadsheets (and empty files) whole, text as a stream.
enum FileSource {
    Whole(String, Vec<u8>),
    Text(crate::import::stream::TextSource<'static>),
}

/// Opens the file at `path` for an import, reading only the head of a text file (its encoding
/// is detected there; the rest is read as the rows are).
fn open_file(path: &Path, opts: &ReadOptions) -> Result<FileSource> {
    use crate::import::decode::DETECT_BYTES;
    use std::io::Read;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    // One byte past the detection window tells whether the head is the whole file.
    let mut head = Vec::new();
    file.take(DETECT_BYTES as u64 + 1)
        .read_to_end(&mut head)
        .map_err(|e| Error::io(path, e))?;
    let whole = head.len() <= DETECT_BYTES;
    if head.is_empty() || crate::import::xlsx::looks_like_spreadsheet(&head) {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        return Ok(FileSource::Whole(file_name, bytes));
    }
    head.truncate(DETECT_BYTES);
    let owned = path.to_path_buf();
    let source = crate::import::stream::TextSource::new(
        &file_name,
        &head,
        whole,
        opts.encoding.as_deref(),
        Box::new(move || {
            std::fs::File::open(&owned).map(|f| Box::new(f) as Box<dyn std::io::Read>)
        }),
    )?;
    Ok(FileSource::Text(source))
}

/// Refuses a file whose bytes are not those previewed (`expected`), if one was.
fn same_bytes(path: &Path, expected: Option<&str>, actual: &str) -> Result<()> {
    match expected {
        Some(e) if e != actual => Err(Error::FileChanged {
            path: path.to_path_buf(),
        }),
        _ => Ok(()),
    }
}

fn unknown_region(r: &str) -> Error {
    Error::Invalid {
        issues: vec![Issue {
            column: Some("region".into()),
            ..Issue::error(
                "region_unknown",
                format!("属地 {r:?} is not a province-level division or 国资委"),
            )
        }],
    }
}

pub(crate) fn validate_filter(f: &FilingFilter) -> Result<()> {
    for d in [&f.from, &f.to].into_iter().flatten() {
        if NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err() {
            return Err(Error::Usage(format!(
                "{d:?} is not a date; write dates as YYYY-MM-DD"
            )));
        }
    }
    Ok(())
}

/// Normalises and checks fields entered by hand. Returns them with the flags they earn.
pub fn validate_fields(mut f: FilingFields) -> Result<(FilingFields, Vec<Flag>)> {
    let regions = Regions::bundled();
    let mut issues = Vec::new();
    let field_error = |field: &str, code: &str, msg: String| Issue {
        column: Some(field.to_string()),
        ..Issue::error(code, msg)
    };
    f.number = f.number.trim().to_string();
    f.model = f.model.trim().to_string();
    f.company = f.company.trim().to_string();
    if f.number.is_empty() {
        issues.push(field_error(
            "number",
            "number_missing",
            "the filing number is empty".into(),
        ));
    }
    if f.model.is_empty() {
        issues.push(field_error(
            "model",
            "model_missing",
            "the model name is empty".into(),
        ));
    }
    if f.company.is_empty() {
        issues.push(field_error(
            "company",
            "company_missing",
            "the company is empty".into(),
        ));
    }
    let region = regions.find(&f.region);
    match region {
        Some(r) => f.region = r.name.clone(),
        None => issues.push(field_error(
            "region",
            "region_unknown",
            format!(
                "属地 {:?} is not a province-level division or 国资委",
                f.region
            ),
        )),
    }
    if !issues.is_empty() {
        return Err(Error::Invalid { issues });
    }
    let check = number::check(&f.number, region, f.filed_on, regions);
    let mut flags = check.flags;
    if let Some(k) = check.kind {
        if k != f.kind {
            flags.push(Flag::KindMismatch);
        }
    }
    if crate::import::validate::looks_like_company(&f.model)
        && !crate::import::validate::looks_like_company(&f.company)
    {
        flags.push(Flag::ModelCompanySwapped);
    }
    if crate::import::validate::stray_leading_char(&f.company).is_some() {
        flags.push(Flag::StrayLeadingChar);
    }
    flags.sort_unstable();
    flags.dedup();
    Ok((f, flags))
}
