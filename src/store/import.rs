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
}

const SEARCH_DOCS_PER_RUN: usize = 4096;

/// A bigger page cache while an import runs: index pages of a large registry stay in memory
/// instead of being read back for each row. Restored when the import ends. Schemas 4 and 5 put
/// five indexes on `filings`; at 64 MB a 1M import measured 1.26× the sqlite3 anchor's CPU (at a
/// load of 4.5), at 160 MB 1.00× (100.0 s vs 100.2 s, quiet machine) with a peak of 257 MB,
/// under the 300 MB target.
const IMPORT_CACHE_KIB: i64 = 160 * 1024;

impl Store {
    /// Begins an import transaction (reads see its own writes).
    pub fn import_tx(&mut self, now: &str) -> Result<ImportTx<'_>> {
        self.conn
            .pragma_update(None, "cache_size", -IMPORT_CACHE_KIB)?;
        let tx = self.conn.transaction()?;
        let started_empty: bool =
            tx.query_row("SELECT NOT EXISTS (SELECT 1 FROM filings)", [], |r| {
                r.get(0)
            })?;
        Ok(ImportTx {
            tx: Some(tx),
            batch: None,
            now: now.to_string(),
            started_empty,
            search_docs: RefCell::new(Vec::new()),
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

    /// Records the batch's counts and commits.
    pub fn finish(mut self, counts: PlanCounts) -> Result<i64> {
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
        tx.pragma_update(None, "cache_size", super::DEFAULT_CACHE_SIZE)?;
        tx.commit()?;
        Ok(batch)
    }
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
}
