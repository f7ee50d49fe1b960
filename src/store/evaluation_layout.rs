//! The subsidy evaluation's grouped filings as bytes (schema 9, `evaluation_layout`), filed
//! under the filings' write count they were worked out at. The store does not read the bytes:
//! `subsidy::snapshot` writes and reads them; the store only says whether they are current.

use super::Store;
use crate::error::Result;
use rusqlite::{Connection, OpenFlags, OptionalExtension};
use std::path::PathBuf;

impl Store {
    /// The kept layout in `format`, when it was worked out from the filings as this connection
    /// sees them now (the same write count); `None` otherwise, or when there is none.
    pub fn evaluation_layout(&self, format: &str) -> Result<Option<Vec<u8>>> {
        self.read_evaluation_layout(format, <[u8]>::to_vec)
    }

    /// `read` of the bytes [`Self::evaluation_layout`] gives, read where SQLite holds them:
    /// at a million filings a copy of them (56 MB of fresh memory) took a fifth of the read.
    pub fn read_evaluation_layout<T>(
        &self,
        format: &str,
        read: impl FnOnce(&[u8]) -> T,
    ) -> Result<Option<T>> {
        if !self.has_evaluation_layout()? {
            return Ok(None);
        }
        // One statement, so the count compared is that of the snapshot the bytes are read in.
        let mut statement = self.conn.prepare_cached(
            "SELECT l.data FROM evaluation_layout l, filings_generation g
             WHERE l.id = 1 AND l.format = ?1 AND l.generation = g.n",
        )?;
        let mut rows = statement.query([format])?;
        match rows.next()? {
            Some(row) => match row.get_ref(0)? {
                rusqlite::types::ValueRef::Blob(bytes) => Ok(Some(read(bytes))),
                // Not bytes at all: no layout this code wrote.
                _ => Ok(None),
            },
            None => Ok(None),
        }
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

    #[test]
    fn a_layout_is_read_only_at_the_write_count_and_in_the_format_it_was_kept_at() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("r.sqlite")).unwrap();
        crate::store::add_test_batch(&store);
        insert_filing(&store, 1);
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
