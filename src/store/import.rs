//! The import transaction, row by row: the whole-plan apply and the streaming import share it, so
//! a batch is written the same way however its rows arrive.

use super::filings::{insert_filing_row, replace_filing, search_document, to_json};
use super::Store;
use crate::error::{Error, Result};
use crate::filing::{FilingFields, Kind};
use crate::import::plan::{fingerprint, Existing, PlanCounts, PlannedRow, RowAction, TablePlan};
use crate::number::number_key;
use rusqlite::{params, OptionalExtension, Transaction};
use std::cell::RefCell;

/// What identifies a batch, known before its rows are read.
pub struct BatchMeta<'m> {
    pub file_name: &'m str,
    pub sha256: &'m str,
    pub size: u64,
    pub encoding: &'m str,
    pub delimiter: Option<&'m str>,
}

/// One open import transaction. Dropping it without [`ImportTx::finish`] rolls everything back.
pub struct ImportTx<'c> {
    /// Taken by `finish`; still here on drop means the import is abandoned.
    tx: Option<Transaction<'c>>,
    batch: Option<i64>,
    now: String,
    /// The registry held no filings when the transaction began: every number is new unless it
    /// appeared earlier in the same file, which the planner knows without asking.
    started_empty: bool,
    /// Search documents of inserted filings not yet written. FTS5 writes its pending terms out
    /// as a new segment whenever a statement opens a savepoint, which every INSERT into
    /// `filings` does (unique key, triggers): written one per row, the index becomes a segment
    /// per filing and merging them was a third of an import's time. Written in runs instead.
    search_docs: RefCell<Vec<(i64, String)>>,
    /// The `CREATE INDEX` statements of the indexes on `filings` dropped for this import, run
    /// again by `finish` (see [`DEFER_INDEXES_MIN_ROWS`]).
    deferred_indexes: Vec<String>,
}

const SEARCH_DOCS_PER_RUN: usize = 4096;

/// A bigger page cache while an import that keeps the indexes up to date runs: index pages of
/// a large registry stay in memory instead of being read back for each row. Restored when the
/// import ends. Schemas 4 and 5 put five indexes on `filings`; at 64 MB a 1M import measured
/// 1.26× the sqlite3 anchor's CPU (at a load of 4.5), at 160 MB 1.00× (100.0 s vs 100.2 s,
/// quiet machine) with a peak of 257 MB, under the 300 MB target.
const IMPORT_CACHE_KIB: i64 = 160 * 1024;

/// An import of at least this many rows, into a registry holding at most a quarter as many
/// filings, builds the secondary indexes of `filings` once at the end instead of row by row.
/// Several take keys in no useful order (model, company, number within region): at a million
/// rows each insert walked index pages the cache had no room for. `CREATE INDEX` sorts
/// instead, and it pays from small sizes on: importing 10k rows into an empty registry took
/// 394–409 ms of CPU against 492–510 ms row by row, 1k rows 44–47 ms against 53–67 ms.
/// Imports into a registry of comparable size (a cumulative list imported again, whose rows
/// are mostly unchanged) keep them up to date as they go: rebuilding the indexes over the rows
/// already there would cost more than it saves. Tiny files keep them too: nothing to gain.
const DEFER_INDEXES_MIN_ROWS: u64 = 1_000;

/// The page cache of an import that defers its index builds. With only the unique number key
/// and the search index kept up as rows arrive, 32 MB is enough: a 1M import took the same CPU
/// with 16, 32 and 64 MB (38.3–38.6 s user), and its peak memory was 220, 252 and 292 MB. The
/// cache pages freed at the end stay with the allocator, so the builds' sorting, which is
/// bounded by the same setting, adds to the peak rather than reusing them.
const DEFERRED_IMPORT_CACHE_KIB: i64 = 32 * 1024;

impl Store {
    /// Begins an import transaction (reads see its own writes). `rows_to_write` is how many
    /// rows the import expects to write (0 when it writes none, as a dry run): a large import
    /// into a smaller registry defers the index builds to [`ImportTx::finish`].
    pub fn import_tx(&mut self, now: &str, rows_to_write: u64) -> Result<ImportTx<'_>> {
        self.conn
            .pragma_update(None, "cache_size", -IMPORT_CACHE_KIB)?;
        let tx = self.conn.transaction()?;
        let started_empty: bool =
            tx.query_row("SELECT NOT EXISTS (SELECT 1 FROM filings)", [], |r| {
                r.get(0)
            })?;
        // `filing_counts` is kept by triggers: the row count without a scan, and only asked
        // when the import is large enough for it to matter.
        let held = || -> Result<u64> {
            let n: i64 =
                tx.query_row("SELECT coalesce(sum(n), 0) FROM filing_counts", [], |r| {
                    r.get(0)
                })?;
            Ok(u64::try_from(n).unwrap_or(0))
        };
        let deferred_indexes =
            if rows_to_write >= DEFER_INDEXES_MIN_ROWS && defers_indexes(rows_to_write, held()?) {
                drop_secondary_indexes(&tx)?
            } else {
                Vec::new()
            };
        if !deferred_indexes.is_empty() {
            tx.pragma_update(None, "cache_size", -DEFERRED_IMPORT_CACHE_KIB)?;
        }
        Ok(ImportTx {
            tx: Some(tx),
            batch: None,
            now: now.to_string(),
            started_empty,
            search_docs: RefCell::new(Vec::new()),
            deferred_indexes,
        })
    }
}

impl<'c> ImportTx<'c> {
    fn tx(&self) -> Result<&Transaction<'c>> {
        self.tx.as_ref().ok_or_else(|| Error::NotFound {
            what: "an open import transaction".into(),
        })
    }

    /// What the registry holds under a number key, as this transaction sees it.
    pub fn existing(&self, key: &str) -> Result<Option<Existing>> {
        if self.started_empty {
            return Ok(None);
        }
        super::filings::existing_in(self.tx()?, key)
    }

    /// Writes the batch record; rows follow. Its counts are written by [`ImportTx::finish`].
    pub fn start_batch(&mut self, meta: &BatchMeta, source: &str) -> Result<i64> {
        self.tx()?.execute(
            "INSERT INTO batches (file_name, sha256, size, encoding, delimiter, imported_at, source)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
            params![
                meta.file_name,
                meta.sha256,
                meta.size as i64,
                meta.encoding,
                meta.delimiter,
                self.now,
                source,
            ],
        )?;
        let id = self.tx()?.last_insert_rowid();
        self.batch = Some(id);
        Ok(id)
    }

    fn batch(&self) -> Result<i64> {
        self.batch.ok_or_else(|| Error::NotFound {
            what: "the batch of this import (start_batch was not called)".into(),
        })
    }

    pub fn add_table(&self, idx: usize, t: &TablePlan) -> Result<()> {
        self.tx()?.execute(
            "INSERT INTO batch_tables (batch_id, idx, sheet, title, kind, header_line, header)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
            params![
                self.batch()?,
                idx as i64,
                t.sheet,
                t.title,
                t.kind.map(Kind::as_str),
                t.header_line as i64,
                to_json(&t.header)
            ],
        )?;
        Ok(())
    }

    /// Writes one planned row: the filing it inserts, updates or confirms, and its raw row.
    /// `number_column` is where the table keeps numbers, for rejected rows' raw number.
    pub fn add_row(&self, row: &PlannedRow, number_column: Option<usize>) -> Result<()> {
        let batch = self.batch()?;
        let tx = self.tx()?;
        let now = self.now.as_str();
        let filing_id = match (&row.fields, row.action) {
            (Some(f), RowAction::Insert) => {
                let id = insert_filing_row(tx, f, &row.flags, Some(batch), now)?;
                let full = {
                    let mut docs = self.search_docs.borrow_mut();
                    docs.push((id, search_document(f)));
                    docs.len() >= SEARCH_DOCS_PER_RUN
                };
                if full {
                    self.write_search_docs()?;
                }
                Some(id)
            }
            (Some(f), RowAction::Update) => {
                let id = row.existing_id.ok_or_else(|| Error::NotFound {
                    what: format!("filing {}", f.number),
                })?;
                replace_filing(tx, id, f, &row.flags, Some(batch), None, now)?;
                Some(id)
            }
            (Some(f), RowAction::Unchanged) => {
                if let Some(id) = row.existing_id {
                    let fp = fingerprint(f);
                    tx.prepare_cached(
                        "UPDATE filings SET import_fingerprint = ?
                         WHERE id = ? AND import_fingerprint IS NOT ?",
                    )?
                    .execute(params![fp, id, fp])?;
                }
                row.existing_id
            }
            // The row this one repeats was written earlier in the same transaction.
            (Some(f), RowAction::Duplicate) => filing_id_by_key(tx, f)?,
            _ => None,
        };
        let number = match &row.fields {
            Some(f) => f.number.as_str(),
            None => number_column
                .and_then(|i| row.cells.get(i))
                .map(String::as_str)
                .unwrap_or_default(),
        };
        tx.prepare_cached(
            "INSERT INTO raw_rows (batch_id, table_idx, line, number, cells, action, filing_id,
                                   changes, issues)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )?
        .execute(params![
            batch,
            row.table as i64,
            row.line as i64,
            number,
            to_json(&row.cells),
            row.action.as_str(),
            filing_id,
            (!row.changes.is_empty()).then(|| to_json(&row.changes)),
            (!row.issues.is_empty()).then(|| to_json(&row.issues)),
        ])?;
        Ok(())
    }

    fn write_search_docs(&self) -> Result<()> {
        let tx = self.tx()?;
        let mut stmt =
            tx.prepare_cached("INSERT INTO filing_search (rowid, grams) VALUES (?, ?)")?;
        for (id, doc) in self.search_docs.borrow_mut().drain(..) {
            stmt.execute(params![id, doc])?;
        }
        Ok(())
    }

    /// Records the batch's counts, builds the indexes this import deferred and commits.
    /// `go_on` is asked before each index build (a few seconds each at a million rows):
    /// `false` cancels, and nothing is written.
    pub fn finish(mut self, counts: PlanCounts, go_on: &mut dyn FnMut() -> bool) -> Result<i64> {
        let batch = self.batch()?;
        self.write_search_docs()?;
        let tx = self.tx.take().ok_or_else(|| Error::NotFound {
            what: "an open import transaction".into(),
        })?;
        tx.execute(
            "UPDATE batches SET rows = ?, inserted = ?, updated = ?, unchanged = ?, rejected = ?
             WHERE id = ?",
            params![
                counts.rows as i64,
                counts.inserted as i64,
                counts.updated as i64,
                counts.unchanged as i64,
                counts.rejected as i64,
                batch
            ],
        )?;
        // Each build sorts in memory up to the page cache's size (DEFERRED_IMPORT_CACHE_KIB,
        // set at the start) before it spills to a temporary file.
        for sql in &self.deferred_indexes {
            if !go_on() {
                return Err(Error::Cancelled);
            }
            tx.execute_batch(sql)?;
        }
        #[cfg(test)]
        tests::LAST_DEFERRED.set(self.deferred_indexes.len());
        tx.pragma_update(None, "cache_size", super::DEFAULT_CACHE_SIZE)?;
        tx.commit()?;
        Ok(batch)
    }

    /// How many indexes this import builds at the end instead of row by row.
    pub fn deferred_index_count(&self) -> usize {
        self.deferred_indexes.len()
    }
}

/// Whether an import of `rows_to_write` rows into a registry of `held` filings builds the
/// indexes at the end (see [`DEFER_INDEXES_MIN_ROWS`]).
fn defers_indexes(rows_to_write: u64, held: u64) -> bool {
    rows_to_write >= DEFER_INDEXES_MIN_ROWS && held <= rows_to_write / 4
}

/// Drops the indexes on `filings` that are not part of its definition (the unique number key
/// stays: the import looks numbers up by it) and returns the statements that create them, as
/// the migrations wrote them. The transaction's rollback brings them back.
fn drop_secondary_indexes(tx: &Transaction) -> Result<Vec<String>> {
    let indexes: Vec<(String, String)> = tx
        .prepare(
            "SELECT name, sql FROM sqlite_master
             WHERE type = 'index' AND tbl_name = 'filings' AND sql IS NOT NULL
             ORDER BY name",
        )?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut create = Vec::with_capacity(indexes.len());
    for (name, sql) in indexes {
        tx.execute_batch(&format!("DROP INDEX \"{}\"", name.replace('"', "\"\"")))?;
        create.push(sql);
    }
    Ok(create)
}

impl Drop for ImportTx<'_> {
    fn drop(&mut self) {
        if let Some(tx) = &self.tx {
            let _ = tx.pragma_update(None, "cache_size", super::DEFAULT_CACHE_SIZE);
        }
    }
}

fn filing_id_by_key(tx: &Transaction, f: &FilingFields) -> Result<Option<i64>> {
    Ok(tx
        .prepare_cached("SELECT id FROM filings WHERE number_key = ?")?
        .query_row([number_key(&f.number)], |r| r.get(0))
        .optional()?)
}

#[cfg(test)]
mod tests {
    use crate::filing::{FilingFields, Kind};
    use crate::import::ReadOptions;
    use crate::query::{FilingFilter, FilingQuery};
    use crate::registry::{ImportMode, Registry};

    const NOW: &str = "2024-06-01T00:00:00Z";
    const HEADER: &str = "序号,属地,模型名称,备案单位,备案号,备案时间\n";

    thread_local! {
        /// How many indexes the last import finished on this thread built at its end.
        pub(super) static LAST_DEFERRED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    }

    fn import(reg: &mut Registry, name: &str, rows: &str) {
        let text = format!("{HEADER}{rows}");
        let s = reg
            .import(
                name,
                text.as_bytes(),
                &ReadOptions::default(),
                ImportMode::default(),
                NOW,
                &mut |_, _| true,
            )
            .unwrap();
        assert!(s.errors.is_empty(), "{s:?}");
    }

    type CountRow = (String, String, Option<String>, Option<i64>, String, i64);

    fn grouped(reg: &Registry, sql: &str) -> Vec<CountRow> {
        let conn = &reg.store().conn;
        let mut stmt = conn.prepare(sql).unwrap();
        stmt.query_map([], |r| {
            Ok((
                r.get(0)?,
                r.get(1)?,
                r.get(2)?,
                r.get(3)?,
                r.get(4)?,
                r.get(5)?,
            ))
        })
        .unwrap()
        .collect::<rusqlite::Result<Vec<_>>>()
        .unwrap()
    }

    fn assert_counts_exact(reg: &Registry) {
        let order = "ORDER BY 1, 2, 3, 4, 5";
        let truth = grouped(
            reg,
            &format!(
                "SELECT region, kind, filed_on, first_batch_id, flags, COUNT(*) FROM filings
                 GROUP BY 1, 2, 3, 4, 5 {order}"
            ),
        );
        let kept = grouped(
            reg,
            &format!(
                "SELECT region, kind, filed_on, first_batch_id, flags, n FROM filing_counts {order}"
            ),
        );
        assert_eq!(truth, kept);
        // The counts path and the filings path agree on facets and totals under a filter.
        for filter in [
            FilingFilter::default(),
            FilingFilter {
                regions: vec!["北京".into()],
                ..Default::default()
            },
            FilingFilter {
                year: Some(2023),
                flagged: Some(false),
                ..Default::default()
            },
        ] {
            let via_counts = reg.facets(&filter).unwrap();
            let via_filings = reg
                .facets(&FilingFilter {
                    // Matches every filing: each company name contains 公司.
                    company: Some("公司".into()),
                    ..filter.clone()
                })
                .unwrap();
            assert_eq!(format!("{via_counts:?}"), format!("{via_filings:?}"));
            let q = |filter: FilingFilter| FilingQuery {
                filter,
                ..Default::default()
            };
            assert_eq!(
                reg.list(&q(filter.clone())).unwrap().total,
                reg.list(&q(FilingFilter {
                    company: Some("公司".into()),
                    ..filter.clone()
                }))
                .unwrap()
                .total
            );
        }
    }

    #[test]
    fn filing_counts_follow_every_write() {
        let mut reg = Registry::open_in_memory().unwrap();
        import(
            &mut reg,
            "a.csv",
            "1,北京市,文心一言,北京百度网讯科技有限公司,Beijing-WenXinYiYan-20230821,2023/8/31\n\
             2,北京市,云雀,北京抖音信息服务有限公司,Beijing-YunQue-20230821,2023/8/31\n\
             3,上海市,书生,、上海人工智能实验室有限公司,Shanghai-ShuSheng-20230821,2023/8/31\n",
        );
        assert_counts_exact(&reg);
        // A later file changes one filing's region and date and repeats another unchanged.
        import(
            &mut reg,
            "b.csv",
            "1,天津市,文心一言,北京百度网讯科技有限公司,Beijing-WenXinYiYan-20230821,2023/9/1\n\
             2,北京市,云雀,北京抖音信息服务有限公司,Beijing-YunQue-20230821,2023/8/31\n",
        );
        assert_counts_exact(&reg);
        let fields = |number: &str, region: &str, filed_on| FilingFields {
            number: number.into(),
            kind: Kind::Filed,
            region: region.into(),
            model: "灵犀".into(),
            company: "科大讯飞股份有限公司".into(),
            filed_on,
            seq: None,
        };
        let added = reg
            .add_filing(fields("Anhui-LingXi-20240101", "安徽省", None), NOW, None)
            .unwrap();
        assert_counts_exact(&reg);
        let date = chrono::NaiveDate::from_ymd_opt(2024, 1, 12);
        reg.edit_filing(
            added.filing.id,
            fields("Anhui-LingXi-20240101", "安徽省", date),
            NOW,
            None,
        )
        .unwrap();
        assert_counts_exact(&reg);
    }

    /// The indexes on `filings` as `sqlite_master` holds them: name and statement.
    fn filing_indexes(conn: &rusqlite::Connection) -> Vec<(String, Option<String>)> {
        let mut stmt = conn
            .prepare(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'filings'
                 ORDER BY name",
            )
            .unwrap();
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap()
    }

    /// `n` rows from `from` on, each with its own number; five regions, 300 companies.
    fn many_rows(from: usize, n: usize) -> String {
        let regions = ["北京市", "上海市", "广东省", "浙江省", "四川省"];
        (from..from + n)
            .map(|i| {
                let day = 1 + i % 28;
                format!(
                    "{i},{},模型{},{}科技有限公司{},Beijing-MoXing-202508{day:02}{:04},2025/8/{day}\n",
                    regions[i % 5],
                    (i * 7919) % 100_000,
                    ["甲", "乙", "丙"][i % 3],
                    i % 300,
                    i / 28,
                )
            })
            .collect()
    }

    #[test]
    fn a_large_import_builds_the_indexes_at_its_end_and_they_match_the_ones_kept_as_it_went() {
        let min = super::DEFER_INDEXES_MIN_ROWS as usize;
        let rows = 3 * min + 7;
        // The whole file at once into an empty registry: the indexes are built at the end.
        let mut at_end = Registry::open_in_memory().unwrap();
        let schema = filing_indexes(&at_end.store().conn);
        assert!(schema.len() >= 10, "{schema:?}");
        import(&mut at_end, "all.csv", &many_rows(0, rows));
        assert_eq!(
            LAST_DEFERRED.get(),
            schema.iter().filter(|(_, sql)| sql.is_some()).count()
        );
        assert_eq!(filing_indexes(&at_end.store().conn), schema);
        // The same rows in files too small to defer: the indexes are kept up row by row.
        let mut as_it_went = Registry::open_in_memory().unwrap();
        for (i, from) in (0..rows).step_by(min - 1).enumerate() {
            let n = (min - 1).min(rows - from);
            import(
                &mut as_it_went,
                &format!("part-{i}.csv"),
                &many_rows(from, n),
            );
            assert_eq!(LAST_DEFERRED.get(), 0);
        }

        for reg in [&at_end, &as_it_went] {
            let ok: String = reg
                .store()
                .conn
                .query_row("PRAGMA integrity_check", [], |r| r.get(0))
                .unwrap();
            assert_eq!(ok, "ok");
        }
        // Every sort order and a filter each index serves give the same rows either way.
        let query = |sort: Option<&str>, filter: FilingFilter, offset: u64| FilingQuery {
            filter,
            sort: sort.map(|s| crate::query::Sort::parse(s).unwrap()),
            limit: 30,
            offset,
        };
        for sort in [
            None,
            Some("company"),
            Some("model:desc"),
            Some("region"),
            Some("filed_on:desc"),
            Some("number"),
        ] {
            for filter in [
                FilingFilter::default(),
                FilingFilter {
                    regions: vec!["广东省".into()],
                    ..Default::default()
                },
                FilingFilter {
                    company: Some("乙科技".into()),
                    ..Default::default()
                },
            ] {
                // A page from the middle of the filter's rows.
                let total = at_end.list(&query(sort, filter.clone(), 0)).unwrap().total;
                assert!(total > 60, "{filter:?}");
                let q = query(sort, filter, total / 2);
                let a = at_end.list(&q).unwrap();
                let b = as_it_went.list(&q).unwrap();
                assert_eq!(a.total, b.total);
                let numbers = |p: &crate::query::FilingPage| {
                    p.rows.iter().map(|r| r.number.clone()).collect::<Vec<_>>()
                };
                assert_eq!(numbers(&a).len(), 30);
                assert_eq!(numbers(&a), numbers(&b), "{q:?}");
            }
        }
    }

    #[test]
    fn an_import_abandoned_after_dropping_the_indexes_leaves_them_as_they_were() {
        let mut store = crate::store::Store::open_in_memory().unwrap();
        let schema = filing_indexes(&store.conn);
        {
            let tx = store.import_tx(NOW, 1_000_000).unwrap();
            assert!(tx.deferred_index_count() >= 10);
            // Dropped without `finish`: rolled back.
        }
        assert_eq!(filing_indexes(&store.conn), schema);
        // Cancelled between two index builds: nothing is written, the indexes are as they were.
        let mut tx = store.import_tx(NOW, 1_000_000).unwrap();
        let meta = super::BatchMeta {
            file_name: "big.csv",
            sha256: "x",
            size: 1,
            encoding: "UTF-8",
            delimiter: None,
        };
        tx.start_batch(&meta, "import").unwrap();
        let mut asked = 0;
        let finished = tx.finish(Default::default(), &mut || {
            asked += 1;
            asked < 3
        });
        assert!(
            matches!(finished, Err(crate::error::Error::Cancelled)),
            "{finished:?}"
        );
        assert_eq!(asked, 3);
        assert_eq!(filing_indexes(&store.conn), schema);
        let batches: i64 = store
            .conn
            .query_row("SELECT count(*) FROM batches", [], |r| r.get(0))
            .unwrap();
        assert_eq!(batches, 0);
        // A dry run writes no row and drops nothing.
        let tx = store.import_tx(NOW, 0).unwrap();
        assert_eq!(tx.deferred_index_count(), 0);
    }

    #[test]
    fn indexes_are_built_at_the_end_only_for_large_imports_into_much_smaller_registries() {
        use super::{defers_indexes, DEFER_INDEXES_MIN_ROWS as MIN};
        assert!(defers_indexes(MIN, 0));
        assert!(!defers_indexes(MIN - 1, 0));
        assert!(defers_indexes(1_000_000, 250_000));
        // A cumulative list imported again over the registry it built: kept row by row.
        assert!(!defers_indexes(1_000_000, 250_001));
        assert!(!defers_indexes(1_000_000, 1_000_000));
        assert!(!defers_indexes(u64::MAX, u64::MAX));
    }

    #[test]
    fn another_connection_reads_through_a_deferred_import() {
        // The app browses on one connection while it imports on another.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("beian.sqlite");
        let mut writer = Registry::open(&path).unwrap();
        import(&mut writer, "first.csv", &many_rows(0, 10));
        let reader = Registry::open(&path).unwrap();
        let q = FilingQuery {
            filter: FilingFilter {
                regions: vec!["广东省".into()],
                ..Default::default()
            },
            sort: crate::query::Sort::parse("company"),
            limit: 5,
            offset: 0,
        };
        // Its statements are prepared against the indexes the import is about to drop.
        assert_eq!(reader.list(&q).unwrap().total, 2);
        let rows = super::DEFER_INDEXES_MIN_ROWS as usize * 2;
        import(&mut writer, "big.csv", &many_rows(10, rows));
        assert!(LAST_DEFERRED.get() >= 10);
        let after = reader.list(&q).unwrap();
        assert_eq!(after.total, (10 + rows as u64) / 5);
        assert_eq!(after.rows.len(), 5);
        assert_eq!(
            reader.facets(&q.filter).unwrap().region.len(),
            writer.facets(&q.filter).unwrap().region.len()
        );
    }
}
