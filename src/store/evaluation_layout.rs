//! The subsidy evaluation's grouped filings as bytes (schema 9, `evaluation_layout`), filed
//! under the filings' write count they were worked out at. The store does not read the bytes:
//! `subsidy::snapshot` writes and reads them; the store only says whether they are current.

use super::Store;
use crate::error::Result;
use crate::subsidy::snapshot::Source;
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::path::PathBuf;

/// The kept layout's row and length, when it is in `format` and current on `conn`.
fn kept_layout(conn: &Connection, format: &str) -> Result<Option<(i64, usize)>> {
    // One statement, so the count compared is that of the snapshot the bytes are read in.
    let row: Option<(i64, i64)> = conn
        .prepare_cached(
            "SELECT l.rowid, length(l.data) FROM evaluation_layout l, filings_generation g
             WHERE l.id = 1 AND l.format = ?1 AND l.generation = g.n
               AND typeof(l.data) = 'blob'",
        )?
        .query_row([format], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    Ok(row.map(|(rowid, len)| (rowid, usize::try_from(len).unwrap_or(0))))
}

/// The kept layout's bytes, read through a connection a range at a time (see
/// [`Store::read_evaluation_layout`]).
pub struct LayoutBytes<C> {
    conn: C,
    rowid: i64,
    len: usize,
}

impl<C: std::borrow::Borrow<Connection>> Source for LayoutBytes<C> {
    fn size(&self) -> usize {
        self.len
    }

    fn reading<T>(self, f: impl FnOnce(&mut dyn FnMut(usize, &mut [u8]) -> bool) -> T) -> T {
        // One handle for every range: a handle opened for each would walk the chain of pages
        // from the start to find its offset.
        let blob = self.conn.borrow().blob_open(
            rusqlite::MAIN_DB,
            "evaluation_layout",
            "data",
            self.rowid,
            true,
        );
        match blob {
            Ok(blob) => f(&mut |at, buf| blob.read_at_exact(buf, at).is_ok()),
            Err(_) => f(&mut |_, _| false),
        }
    }
}

impl Store {
    /// The kept layout in `format`, when it was worked out from the filings as this connection
    /// sees them now (the same write count); `None` otherwise, or when there is none.
    pub fn evaluation_layout(&self, format: &str) -> Result<Option<Vec<u8>>> {
        self.read_evaluation_layout(format, |bytes, _| {
            let mut out = vec![0; bytes.size()];
            bytes.reading(|read| read(0, &mut out).then_some(out))
        })
        .map(Option::flatten)
    }

    /// `read` of the bytes [`Self::evaluation_layout`] gives, read a range at a time rather
    /// than whole (56 MB of fresh memory at a million filings, a fifth of the read): on this
    /// connection, and (when this is a file and the connection is not inside a transaction of
    /// its own) on a second connection that another thread may read from, seeing the same
    /// bytes. Each reads in a snapshot of its own, held while `read` runs.
    pub fn read_evaluation_layout<T>(
        &self,
        format: &str,
        read: impl FnOnce(LayoutBytes<&Connection>, Option<LayoutBytes<Connection>>) -> T,
    ) -> Result<Option<T>> {
        if !self.has_evaluation_layout()? {
            return Ok(None);
        }
        let own_snapshot = self.conn.is_autocommit();
        let _snapshot = own_snapshot
            .then(|| self.conn.unchecked_transaction())
            .transpose()?;
        let Some(kept) = kept_layout(&self.conn, format)? else {
            return Ok(None);
        };
        let other = match &self.path {
            Some(path) if own_snapshot => {
                let other = Connection::open_with_flags(
                    path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
                )?;
                other.busy_timeout(super::BUSY_TIMEOUT)?;
                other.execute_batch("BEGIN")?;
                // A commit between the two snapshots: the other one reads other bytes, or none.
                (kept_layout(&other, format)? == Some(kept)).then_some(other)
            }
            _ => None,
        };
        let (rowid, len) = kept;
        Ok(Some(read(
            LayoutBytes {
                conn: &self.conn,
                rowid,
                len,
            },
            other.map(|conn| LayoutBytes { conn, rowid, len }),
        )))
    }

    /// Whether [`Self::evaluation_layout`] would give a layout, without reading it.
    pub fn evaluation_layout_kept(&self, format: &str) -> Result<bool> {
        if !self.has_evaluation_layout()? {
            return Ok(false);
        }
        Ok(self
            .conn
            .query_row(
                "SELECT 1 FROM evaluation_layout l, filings_generation g
                 WHERE l.id = 1 AND l.format = ?1 AND l.generation = g.n",
                [format],
                |_| Ok(()),
            )
            .optional()?
            .is_some())
    }

    /// Whether a layout in `format` is wanted and missing: the filings (at least `from` of
    /// them) have moved on since the last one was kept, and this database can keep one.
    pub fn evaluation_layout_missing(&self, format: &str, from: usize) -> Result<bool> {
        if self.layout_keeper()?.is_none() || self.evaluation_layout_kept(format)? {
            return Ok(false);
        }
        let filings: i64 =
            self.conn
                .query_row("SELECT coalesce(sum(n), 0) FROM filing_counts", [], |r| {
                    r.get(0)
                })?;
        Ok(usize::try_from(filings).unwrap_or(0) >= from)
    }

    /// What writes a layout for this database on another thread, on a connection of its own
    /// (so the caller's connection is neither held nor moved by it); `None` for a database in
    /// memory, one opened read-only (a backup looked at before it is restored is not written
    /// to), or one without the table.
    pub fn layout_keeper(&self) -> Result<Option<LayoutKeeper>> {
        if self.conn.is_readonly(rusqlite::MAIN_DB)? {
            return Ok(None);
        }
        match &self.path {
            Some(path) if self.has_evaluation_layout()? => {
                Ok(Some(LayoutKeeper { path: path.clone() }))
            }
            _ => Ok(None),
        }
    }

    fn has_evaluation_layout(&self) -> Result<bool> {
        Ok(self.schema_version()? >= super::migrate::EVALUATION_LAYOUT_SCHEMA)
    }
}

/// Writes the evaluation's layout for one database (see [`Store::layout_keeper`]).
#[derive(Debug, Clone)]
pub struct LayoutKeeper {
    path: PathBuf,
}

impl LayoutKeeper {
    /// Keeps `data` in `format` as the layout of the filings at write count `generation`, in
    /// place of any other; `filings` is how many it holds. Nothing is written, and `false` is
    /// returned, when the filings have moved on since: the layout would never be read.
    pub fn keep(&self, format: &str, generation: i64, filings: usize, data: &[u8]) -> Result<bool> {
        let mut conn = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(super::BUSY_TIMEOUT)?;
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let now: i64 = tx.query_row("SELECT n FROM filings_generation", [], |r| r.get(0))?;
        if now != generation {
            return Ok(false);
        }
        tx.execute(
            "INSERT OR REPLACE INTO evaluation_layout (id, format, generation, filings, data)
             VALUES (1, ?1, ?2, ?3, ?4)",
            rusqlite::params![format, generation, filings as i64, data],
        )?;
        tx.commit()?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::TestFiling;

    fn insert_filing(store: &Store, n: i64) {
        let f = TestFiling {
            filed_on: Some("2024-01-01"),
            ..TestFiling::new(n, format!("N{n}"))
        };
        crate::store::insert_test_filing(&store.conn, &f);
    }

    /// A store on a file of its own (kept while the directory lives), with one filing.
    fn store_with_one_filing() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("r.sqlite")).unwrap();
        crate::store::add_test_batch(&store);
        insert_filing(&store, 1);
        (dir, store)
    }

    #[test]
    fn a_layout_is_read_only_at_the_write_count_and_in_the_format_it_was_kept_at() {
        let (_dir, store) = store_with_one_filing();
        let keeper = store
            .layout_keeper()
            .unwrap()
            .expect("a file at the latest schema");
        assert_eq!(store.evaluation_layout("f/1").unwrap(), None, "none kept");
        assert!(keeper.keep("f/1", 1, 1, b"one").unwrap());
        assert_eq!(
            store.evaluation_layout("f/1").unwrap().as_deref(),
            Some(&b"one"[..])
        );
        assert!(store.evaluation_layout_kept("f/1").unwrap());
        assert!(!store.evaluation_layout_kept("f/2").unwrap());
        assert_eq!(
            store.evaluation_layout("f/2").unwrap(),
            None,
            "another format"
        );
        // A layout of filings that have moved on is not kept.
        assert!(!keeper.keep("f/1", 0, 1, b"old").unwrap());
        assert_eq!(
            store.evaluation_layout("f/1").unwrap().as_deref(),
            Some(&b"one"[..])
        );
        // A filing written: the kept layout is of other filings.
        insert_filing(&store, 2);
        assert_eq!(store.evaluation_layout("f/1").unwrap(), None);
        assert!(!store.evaluation_layout_kept("f/1").unwrap());
        assert!(keeper.keep("f/1", 2, 2, b"two").unwrap());
        assert_eq!(
            store.evaluation_layout("f/1").unwrap().as_deref(),
            Some(&b"two"[..])
        );
        // Inside a transaction that writes a filing, this connection's filings are not those
        // of the layout; rolled back, they are again.
        let tx = store.conn.unchecked_transaction().unwrap();
        tx.execute("DELETE FROM filings WHERE id = 2", []).unwrap();
        assert_eq!(store.evaluation_layout("f/1").unwrap(), None);
        tx.rollback().unwrap();
        assert!(store.evaluation_layout("f/1").unwrap().is_some());
    }

    /// Both ranges of what `read_evaluation_layout` gives, and whether a second connection
    /// gave the second.
    fn read_both(store: &Store, format: &str) -> Option<(Vec<u8>, Option<Vec<u8>>)> {
        fn all(bytes: impl Source) -> Vec<u8> {
            let mut out = vec![0; bytes.size()];
            assert!(bytes.reading(|read| read(0, &mut out)));
            out
        }
        store
            .read_evaluation_layout(format, |first, later| (all(first), later.map(all)))
            .unwrap()
    }

    #[test]
    fn a_second_connection_reads_the_same_bytes_unless_this_one_is_in_a_transaction() {
        let (_dir, store) = store_with_one_filing();
        let keeper = store.layout_keeper().unwrap().unwrap();
        // Several pages of bytes, so that reading past the first page is tried.
        let bytes: Vec<u8> = (0..20_000u32).flat_map(u32::to_le_bytes).collect();
        assert!(keeper.keep("f/1", 1, 1, &bytes).unwrap());
        assert_eq!(
            read_both(&store, "f/1"),
            Some((bytes.clone(), Some(bytes.clone())))
        );
        // Reading past the end fails.
        let past = store.read_evaluation_layout("f/1", |first, _| {
            first.reading(|read| read(bytes.len() - 4, &mut [0; 8]))
        });
        assert_eq!(past.unwrap(), Some(false));
        let tx = store.conn.unchecked_transaction().unwrap();
        assert_eq!(read_both(&store, "f/1"), Some((bytes.clone(), None)));
        tx.rollback().unwrap();
        let memory = Store::open_in_memory().unwrap();
        assert_eq!(read_both(&memory, "f/1"), None);
    }

    #[test]
    fn a_database_in_memory_or_opened_read_only_keeps_no_layout() {
        let store = Store::open_in_memory().unwrap();
        assert!(store.layout_keeper().unwrap().is_none());
        assert_eq!(store.evaluation_layout("f/1").unwrap(), None);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.sqlite");
        drop(Store::open(&path).unwrap());
        let read_only = Store::open_read_only(&path).unwrap();
        assert!(read_only.layout_keeper().unwrap().is_none());
    }
}
