//! Filings, batches, history and audit: the SQL behind the registry's use cases.

use super::BatchMeta;
use super::Store;
use crate::error::{Error, Result};
use crate::filing::{FilingFields, Flag, Issue, Kind};
use crate::import::plan::{fingerprint, Existing, ImportPlan, PreviousBatch};
use crate::number::number_key;
use crate::query::{
    AuditEntry, BatchChange, BatchInfo, Facets, FieldChange, FilingFilter, FilingPage, FilingQuery,
    FilingRow, HistoryEntry, RawRow, SortField,
};
use crate::region::Regions;
use crate::search;
use chrono::NaiveDate;
use rusqlite::types::Value;
use rusqlite::{params, OptionalExtension, Row, Transaction};

pub(super) const ROW_COLUMNS: &str =
    "f.id, f.number, f.kind, f.region, f.model, f.company, f.filed_on, f.seq, f.first_batch_id, f.flags";

pub(super) fn filing_row(r: &Row) -> rusqlite::Result<FilingRow> {
    let kind: String = r.get(2)?;
    let flags: String = r.get(9)?;
    Ok(FilingRow {
        id: r.get(0)?,
        number: r.get(1)?,
        kind: Kind::parse(&kind).unwrap_or(Kind::Filed),
        region: r.get(3)?,
        model: r.get(4)?,
        company: r.get(5)?,
        filed_on: r.get(6)?,
        seq: r.get(7)?,
        batch: r.get(8)?,
        flags: Flag::split(&flags),
    })
}

fn parse_date(s: Option<String>) -> Option<NaiveDate> {
    s.and_then(|s| NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok())
}

pub(super) fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap_or_else(|_| "[]".into())
}

fn from_json<T: serde::de::DeserializeOwned + Default>(s: Option<String>) -> T {
    s.and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or_default()
}

/// The WHERE clause and its parameters for a filter; every listing, facet and statistic uses it.
pub(crate) fn where_clause(filter: &FilingFilter) -> (String, Vec<Value>) {
    where_clause_as(filter, Membership::List)
}

/// How a condition on the search index is written. `List` reads the index's matches once into a
/// set (right when the matches drive the query); `Probe` asks the index about each row (right
/// when the query walks a sort order and stops after a page).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Membership {
    List,
    Probe,
    /// As `List`, but the matches drive the query even with a region: right when they are few
    /// beside the region's rows.
    Drive,
    /// No condition on the search index: the caller reads only ids the index already matched.
    Known,
    /// As `List` for the search text, but the company fragment is tested by `instr()` alone:
    /// right when most of the rows read hold it, so that its matches would prune few of them
    /// and cost a set of most ids (800,000 for 有限公司 at 1M) on every query.
    ListSearchOnly,
}

fn in_search(m: Membership, by_region: bool) -> &'static str {
    match m {
        // With a region, the unary + keeps SQLite from seeking `filings_region_id` (region, id)
        // once per match (500,000 seeks for a broad word); it reads the region's rows and checks
        // each against the matches instead, as it did before that index existed.
        Membership::List | Membership::ListSearchOnly if by_region => {
            "+f.id IN (SELECT rowid FROM filing_search WHERE filing_search MATCH ?)"
        }
        Membership::List | Membership::Drive | Membership::Known | Membership::ListSearchOnly => {
            "f.id IN (SELECT rowid FROM filing_search WHERE filing_search MATCH ?)"
        }
        Membership::Probe => {
            "EXISTS (SELECT 1 FROM filing_search \
             WHERE filing_search.rowid = f.id AND filing_search MATCH ?)"
        }
    }
}

pub(super) fn where_clause_as(
    filter: &FilingFilter,
    membership: Membership,
) -> (String, Vec<Value>) {
    let mut conds: Vec<String> = Vec::new();
    let mut args: Vec<Value> = Vec::new();
    if !filter.regions.is_empty() {
        let names = region_names(filter);
        conds.push(format!(
            "f.region IN ({})",
            vec!["?"; names.len()].join(",")
        ));
        args.extend(names.into_iter().map(Value::Text));
    }
    if let Some(k) = filter.kind {
        conds.push("f.kind = ?".into());
        args.push(Value::Text(k.as_str().into()));
    }
    if let Some(c) = filter
        .company
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        // The search index narrows the rows first (every company containing the fragment has
        // the fragment's bigrams in its document); instr() then keeps exactly the old meaning.
        let prefiltered = !matches!(membership, Membership::Known | Membership::ListSearchOnly);
        if let Some(expr) = search::company_prefilter(c).filter(|_| prefiltered) {
            conds.push(in_search(membership, !filter.regions.is_empty()).into());
            args.push(Value::Text(expr));
        }
        conds.push("instr(lower(f.company), lower(?)) > 0".into());
        args.push(Value::Text(c.into()));
    }
    if let Some(expr) = filter
        .search
        .as_deref()
        .and_then(search::match_expression)
        .filter(|_| membership != Membership::Known)
    {
        conds.push(in_search(membership, !filter.regions.is_empty()).into());
        args.push(Value::Text(expr));
    }
    if let Some(from) = &filter.from {
        conds.push("f.filed_on >= ?".into());
        args.push(Value::Text(from.clone()));
    }
    if let Some(to) = &filter.to {
        conds.push("f.filed_on <= ?".into());
        args.push(Value::Text(to.clone()));
    }
    if let Some(y) = filter.year {
        let (first, last) = year_bounds(y);
        conds.push("f.filed_on >= ? AND f.filed_on <= ?".into());
        args.push(Value::Text(first));
        args.push(Value::Text(last));
    }
    if let Some(b) = filter.batch {
        conds.push("f.first_batch_id = ?".into());
        args.push(Value::Integer(b));
    }
    match filter.flagged {
        Some(true) => conds.push("f.flags <> ''".into()),
        Some(false) => conds.push("f.flags = ''".into()),
        None => {}
    }
    if let Some(flag) = filter.flag {
        conds.push("instr(',' || f.flags || ',', ?) > 0".into());
        args.push(Value::Text(format!(",{},", flag.as_str())));
    }
    if conds.is_empty() {
        (String::new(), args)
    } else {
        (format!("WHERE {}", conds.join(" AND ")), args)
    }
}

/// The full names of the filter's regions (each given by any name or code; one the table does
/// not know stays as written), as filings store them.
pub(super) fn region_names(filter: &FilingFilter) -> Vec<String> {
    let regions = Regions::bundled();
    filter
        .regions
        .iter()
        .map(|r| {
            regions
                .find(r)
                .map(|x| x.name.clone())
                .unwrap_or_else(|| r.clone())
        })
        .collect()
}

/// The first and last date texts of a calendar year.
pub(super) fn year_bounds(y: i32) -> (String, String) {
    (format!("{y:04}-01-01"), format!("{y:04}-12-31"))
}

/// Whether `filter` looks only at columns `filing_counts` has (not the company or the search
/// text), so that its counts can be read there.
pub(super) fn reads_counts(filter: &FilingFilter) -> bool {
    let company = filter
        .company
        .as_deref()
        .is_some_and(|c| !c.trim().is_empty());
    let search = filter
        .search
        .as_deref()
        .and_then(search::match_expression)
        .is_some();
    !company && !search
}

/// Where counts under `filter` can be read: `filing_counts` (a few thousand rows kept by
/// triggers, with the columns of `filings` that [`where_clause`] filters on) unless the filter
/// looks into the company or the search text, which only `filings` has. Returns the table, under
/// the alias `f`, and the expression that counts filings in it.
pub(super) fn counts_source(filter: &FilingFilter) -> (&'static str, &'static str) {
    if reads_counts(filter) {
        ("filing_counts f", "SUM(f.n)")
    } else {
        ("filings f", "COUNT(*)")
    }
}

pub(super) fn order_by(q: &FilingQuery) -> String {
    let Some(sort) = q.sort else {
        return "ORDER BY f.filed_on, f.seq, f.id".into();
    };
    let col = match sort.field {
        SortField::Number => "f.number_key",
        SortField::Kind => "f.kind",
        SortField::Region => "f.region",
        SortField::Model => "f.model",
        SortField::Company => "f.company",
        SortField::FiledOn => "f.filed_on",
        SortField::Seq => "f.seq",
        SortField::Batch => "f.first_batch_id",
    };
    let dir = if sort.desc { "DESC" } else { "ASC" };
    format!("ORDER BY {col} {dir}, f.id {dir}")
}

impl Store {
    pub fn batch_by_sha(&self, sha256: &str) -> Result<Option<PreviousBatch>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id, file_name, imported_at FROM batches WHERE sha256 = ?",
                [sha256],
                |r| {
                    Ok(PreviousBatch {
                        id: r.get(0)?,
                        file_name: r.get(1)?,
                        imported_at: r.get(2)?,
                    })
                },
            )
            .optional()?)
    }

    /// What the registry holds under a number key, for planning an import.
    pub fn existing(&self, key: &str) -> Result<Option<Existing>> {
        existing_in(&self.conn, key)
    }

    /// Writes a plan as one batch, in one transaction. Rejected rows are kept as raw rows so the
    /// batch shows what it refused. `progress(done, total)` returning false cancels: the
    /// transaction rolls back and nothing is written.
    pub fn apply_plan(
        &mut self,
        plan: &ImportPlan,
        source: &str,
        now: &str,
        progress: &mut dyn FnMut(u64, u64) -> bool,
    ) -> Result<i64> {
        let mut tx = self.import_tx(now, plan.rows.len() as u64)?;
        tx.start_batch(
            &BatchMeta {
                file_name: &plan.file_name,
                sha256: &plan.sha256,
                size: plan.size,
                encoding: &plan.encoding,
                delimiter: plan.delimiter.as_deref(),
            },
            source,
        )?;
        for (i, t) in plan.tables.iter().enumerate() {
            tx.add_table(i, t)?;
        }
        let total = plan.rows.len() as u64;
        for (done, row) in plan.rows.iter().enumerate() {
            if done % 512 == 0 && !progress(done as u64, total) {
                return Err(Error::Cancelled);
            }
            let number_column = plan.tables.get(row.table).and_then(|t| t.columns.number);
            tx.add_row(row, number_column)?;
        }
        if !progress(total, total) {
            return Err(Error::Cancelled);
        }
        tx.finish(plan.counts, &mut || progress(total, total))
    }

    pub fn list(&self, q: &FilingQuery) -> Result<FilingPage> {
        super::browse::list(
            &self.conn,
            &self.matches,
            &self.facet_columns,
            &self.counts,
            &self.companies,
            q,
        )
    }

    pub fn facets(&self, filter: &FilingFilter) -> Result<Facets> {
        super::browse::facets(
            &self.conn,
            &self.matches,
            &self.facet_columns,
            &self.counts,
            &self.companies,
            filter,
        )
    }

    pub fn filing_id_by_number(&self, number: &str) -> Result<Option<i64>> {
        Ok(self
            .conn
            .query_row(
                "SELECT id FROM filings WHERE number_key = ?",
                [number_key(number)],
                |r| r.get(0),
            )
            .optional()?)
    }

    pub fn filing(&self, id: i64) -> Result<FilingRow> {
        self.conn
            .query_row(
                &format!("SELECT {ROW_COLUMNS} FROM filings f WHERE f.id = ?"),
                [id],
                filing_row,
            )
            .optional()?
            .ok_or_else(|| Error::NotFound {
                what: format!("filing #{id}"),
            })
    }

    pub fn filing_times(&self, id: i64) -> Result<(String, String)> {
        Ok(self.conn.query_row(
            "SELECT created_at, updated_at FROM filings WHERE id = ?",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?)
    }

    pub fn raw_rows_of(&self, filing_id: i64) -> Result<Vec<RawRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT r.batch_id, b.file_name, t.sheet, r.line, t.header, r.cells, r.action, r.issues
             FROM raw_rows r
             JOIN batches b ON b.id = r.batch_id
             LEFT JOIN batch_tables t ON t.batch_id = r.batch_id AND t.idx = r.table_idx
             WHERE r.filing_id = ? ORDER BY r.batch_id, r.line",
        )?;
        let rows = stmt
            .query_map([filing_id], |r| {
                Ok(RawRow {
                    batch: r.get(0)?,
                    file_name: r.get(1)?,
                    sheet: r.get(2)?,
                    line: r.get::<_, i64>(3)? as u64,
                    header: from_json(r.get(4)?),
                    cells: from_json(r.get(5)?),
                    action: r.get(6)?,
                    issues: from_json(r.get(7)?),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    pub fn history_of(&self, filing_id: i64) -> Result<Vec<HistoryEntry>> {
        let mut stmt = self.conn.prepare(
            "SELECT replaced_at, batch_id, audit_id, number, kind, region, model, company,
                    filed_on, seq
             FROM filing_versions WHERE filing_id = ? ORDER BY id DESC",
        )?;
        let rows = stmt
            .query_map([filing_id], |r| {
                let kind: String = r.get(4)?;
                Ok(HistoryEntry {
                    replaced_at: r.get(0)?,
                    replaced_by_batch: r.get(1)?,
                    replaced_by_edit: r.get(2)?,
                    number: r.get(3)?,
                    kind: Kind::parse(&kind).unwrap_or(Kind::Filed),
                    region: r.get(5)?,
                    model: r.get(6)?,
                    company: r.get(7)?,
                    filed_on: r.get(8)?,
                    seq: r.get(9)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    pub fn audit_of(&self, filing_id: Option<i64>) -> Result<Vec<AuditEntry>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, at, action, filing_id, number, changes, note FROM audit_log
             WHERE ?1 IS NULL OR filing_id = ?1 ORDER BY id DESC",
        )?;
        let rows = stmt
            .query_map([filing_id], |r| {
                Ok(AuditEntry {
                    id: r.get(0)?,
                    at: r.get(1)?,
                    action: r.get(2)?,
                    filing_id: r.get(3)?,
                    number: r.get(4)?,
                    changes: from_json(r.get(5)?),
                    note: r.get(6)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    pub fn company_filings(&self, company: &str, except: i64) -> Result<Vec<FilingRow>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {ROW_COLUMNS} FROM filings f WHERE f.company = ? AND f.id <> ?
             ORDER BY f.filed_on, f.id"
        ))?;
        let rows = stmt
            .query_map(params![company, except], filing_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    pub fn batches(&self) -> Result<Vec<BatchInfo>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, file_name, sha256, size, encoding, delimiter, imported_at, source,
                    rows, inserted, updated, unchanged, rejected
             FROM batches ORDER BY id",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(BatchInfo {
                    id: r.get(0)?,
                    file_name: r.get(1)?,
                    sha256: r.get(2)?,
                    size: r.get::<_, i64>(3)? as u64,
                    encoding: r.get(4)?,
                    delimiter: r.get(5)?,
                    imported_at: r.get(6)?,
                    source: r.get(7)?,
                    rows: r.get::<_, i64>(8)? as u64,
                    inserted: r.get::<_, i64>(9)? as u64,
                    updated: r.get::<_, i64>(10)? as u64,
                    unchanged: r.get::<_, i64>(11)? as u64,
                    rejected: r.get::<_, i64>(12)? as u64,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    pub fn batch_changes(&self, batch: i64) -> Result<Vec<BatchChange>> {
        let exists: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM batches WHERE id = ?)",
            [batch],
            |r| r.get(0),
        )?;
        if !exists {
            return Err(Error::NotFound {
                what: format!("batch #{batch}"),
            });
        }
        let mut stmt = self.conn.prepare(
            "SELECT r.line, r.action, r.filing_id, r.number, f.model, f.company, r.changes, r.issues
             FROM raw_rows r LEFT JOIN filings f ON f.id = r.filing_id
             WHERE r.batch_id = ? ORDER BY r.id",
        )?;
        let rows = stmt
            .query_map([batch], |r| {
                Ok(BatchChange {
                    line: r.get::<_, i64>(0)? as u64,
                    action: r.get(1)?,
                    filing_id: r.get(2)?,
                    number: r.get(3)?,
                    model: r.get::<_, Option<String>>(4)?.unwrap_or_default(),
                    company: r.get::<_, Option<String>>(5)?.unwrap_or_default(),
                    changes: from_json(r.get(6)?),
                    issues: from_json(r.get(7)?),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Adds a filing by hand, with its audit entry.
    pub fn create_filing(
        &mut self,
        fields: &FilingFields,
        flags: &[Flag],
        now: &str,
        note: Option<&str>,
    ) -> Result<i64> {
        let tx = self.conn.transaction()?;
        if key_taken(&tx, &fields.number, None)? {
            return Err(number_taken(&fields.number));
        }
        let id = insert_filing(&tx, fields, flags, None, now)?;
        let changes = crate::import::plan::diff(&empty_fields(), fields);
        insert_audit(&tx, now, "create", id, &fields.number, &changes, note)?;
        tx.commit()?;
        Ok(id)
    }

    /// Changes a filing by hand: the old values go to its history, the change to the audit log.
    pub fn edit_filing(
        &mut self,
        id: i64,
        fields: &FilingFields,
        flags: &[Flag],
        now: &str,
        note: Option<&str>,
    ) -> Result<Vec<FieldChange>> {
        let tx = self.conn.transaction()?;
        let before = current_fields(&tx, id)?;
        if key_taken(&tx, &fields.number, Some(id))? {
            return Err(number_taken(&fields.number));
        }
        let changes = crate::import::plan::diff(&before, fields);
        if changes.is_empty() {
            return Ok(changes);
        }
        let audit = insert_audit(&tx, now, "edit", id, &fields.number, &changes, note)?;
        replace_filing(&tx, id, fields, flags, None, Some(audit), now)?;
        tx.commit()?;
        Ok(changes)
    }
}

pub(super) fn existing_in(conn: &rusqlite::Connection, key: &str) -> Result<Option<Existing>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, import_fingerprint, number, kind, region, model, company, filed_on, seq
         FROM filings WHERE number_key = ?",
    )?;
    Ok(stmt
        .query_row([key], |r| {
            let kind: String = r.get(3)?;
            let current = FilingFields {
                number: r.get(2)?,
                kind: Kind::parse(&kind).unwrap_or(Kind::Filed),
                region: r.get(4)?,
                model: r.get(5)?,
                company: r.get(6)?,
                filed_on: parse_date(r.get(7)?),
                seq: r.get(8)?,
            };
            let fp: Option<String> = r.get(1)?;
            Ok(Existing {
                id: r.get(0)?,
                fingerprint: fp.unwrap_or_default(),
                current,
            })
        })
        .optional()?)
}

fn empty_fields() -> FilingFields {
    FilingFields {
        number: String::new(),
        kind: Kind::Filed,
        region: String::new(),
        model: String::new(),
        company: String::new(),
        filed_on: None,
        seq: None,
    }
}

fn number_taken(number: &str) -> Error {
    Error::Invalid {
        issues: vec![Issue {
            column: Some("number".into()),
            ..Issue::error(
                "number_exists",
                format!("another filing already has the number {number}"),
            )
        }],
    }
}

fn key_taken(tx: &Transaction, number: &str, except: Option<i64>) -> Result<bool> {
    Ok(tx.query_row(
        "SELECT EXISTS (SELECT 1 FROM filings WHERE number_key = ? AND id IS NOT ?)",
        params![number_key(number), except],
        |r| r.get(0),
    )?)
}

fn current_fields(tx: &Transaction, id: i64) -> Result<FilingFields> {
    tx.query_row(
        "SELECT number, kind, region, model, company, filed_on, seq FROM filings WHERE id = ?",
        [id],
        |r| {
            let kind: String = r.get(1)?;
            Ok(FilingFields {
                number: r.get(0)?,
                kind: Kind::parse(&kind).unwrap_or(Kind::Filed),
                region: r.get(2)?,
                model: r.get(3)?,
                company: r.get(4)?,
                filed_on: parse_date(r.get(5)?),
                seq: r.get(6)?,
            })
        },
    )
    .optional()?
    .ok_or_else(|| Error::NotFound {
        what: format!("filing #{id}"),
    })
}

fn insert_audit(
    tx: &Transaction,
    now: &str,
    action: &str,
    filing_id: i64,
    number: &str,
    changes: &[FieldChange],
    note: Option<&str>,
) -> Result<i64> {
    tx.execute(
        "INSERT INTO audit_log (at, action, filing_id, number, changes, note)
         VALUES (?, ?, ?, ?, ?, ?)",
        params![now, action, filing_id, number, to_json(&changes), note],
    )?;
    Ok(tx.last_insert_rowid())
}

pub(super) fn search_document(f: &FilingFields) -> String {
    search::index_text(&[&f.model, &f.company, &f.number])
}

pub(super) fn insert_filing(
    tx: &Transaction,
    f: &FilingFields,
    flags: &[Flag],
    batch: Option<i64>,
    now: &str,
) -> Result<i64> {
    let id = insert_filing_row(tx, f, flags, batch, now)?;
    tx.prepare_cached("INSERT INTO filing_search (rowid, grams) VALUES (?, ?)")?
        .execute(params![id, search_document(f)])?;
    Ok(id)
}

/// The filing without its search document, which the caller must add.
pub(super) fn insert_filing_row(
    tx: &Transaction,
    f: &FilingFields,
    flags: &[Flag],
    batch: Option<i64>,
    now: &str,
) -> Result<i64> {
    tx.prepare_cached(
        "INSERT INTO filings (number, number_key, kind, region, model, company, filed_on, seq,
                              flags, first_batch_id, last_batch_id, import_fingerprint,
                              created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )?
    .execute(params![
        f.number,
        number_key(&f.number),
        f.kind.as_str(),
        f.region,
        f.model,
        f.company,
        f.filed_on.map(|d| d.to_string()),
        f.seq,
        Flag::join(flags),
        batch,
        batch,
        batch.map(|_| fingerprint(f)),
        now,
        now
    ])?;
    Ok(tx.last_insert_rowid())
}

/// Moves the current values to `filing_versions` and writes the new ones. An import (`batch`)
/// also records what it imported; an edit (`audit`) leaves the import fingerprint alone so a later
/// re-import of the same old file does not undo the correction.
pub(super) fn replace_filing(
    tx: &Transaction,
    id: i64,
    f: &FilingFields,
    flags: &[Flag],
    batch: Option<i64>,
    audit: Option<i64>,
    now: &str,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO filing_versions (filing_id, replaced_at, batch_id, audit_id, number, kind,
                                      region, model, company, filed_on, seq, flags)
         SELECT id, ?, ?, ?, number, kind, region, model, company, filed_on, seq, flags
         FROM filings WHERE id = ?",
    )?
    .execute(params![now, batch, audit, id])?;
    tx.prepare_cached(
        "UPDATE filings SET number = ?, number_key = ?, kind = ?, region = ?, model = ?,
                            company = ?, filed_on = ?, seq = ?, flags = ?,
                            last_batch_id = coalesce(?, last_batch_id),
                            import_fingerprint = coalesce(?, import_fingerprint),
                            updated_at = ?
         WHERE id = ?",
    )?
    .execute(params![
        f.number,
        number_key(&f.number),
        f.kind.as_str(),
        f.region,
        f.model,
        f.company,
        f.filed_on.map(|d| d.to_string()),
        f.seq,
        Flag::join(flags),
        batch,
        batch.map(|_| fingerprint(f)),
        now,
        id
    ])?;
    tx.prepare_cached("DELETE FROM filing_search WHERE rowid = ?")?
        .execute([id])?;
    tx.prepare_cached("INSERT INTO filing_search (rowid, grams) VALUES (?, ?)")?
        .execute(params![id, search_document(f)])?;
    Ok(())
}
