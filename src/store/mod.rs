//! The only module that speaks SQL. Everything above it works with the domain types of
//! [`crate::query`], [`crate::filing`] and [`crate::import::plan`], so a PostgreSQL store for the
//! team edition can sit behind the same API.
//!
//! Every connection runs in WAL mode with a busy timeout and foreign keys on. Migrations are
//! embedded, numbered, and applied one transaction each; a database written by a newer schema is
//! refused before anything touches it.

mod browse;
mod companies;
mod company_columns;
mod evaluation_layout;
mod export;
mod facet_columns;
mod filings;
mod halves;
mod import;
mod kept_counts;
mod matches;
mod migrate;
mod stats;
mod subsidies;
mod writable;

use crate::error::{Error, Result};
use rusqlite::{Connection, OpenFlags};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

pub use evaluation_layout::LayoutKeeper;
pub use export::{ExportRow, SelectionCounts};
pub use import::{BatchMeta, ImportTx};
pub use migrate::LATEST_SCHEMA;

pub struct Store {
    conn: Connection,
    path: Option<PathBuf>,
    matches: matches::Cache,
    facet_columns: facet_columns::Kept,
    counts: kept_counts::Kept,
    companies: company_columns::Kept,
    /// The writes of this connection that do not move [`Store::data_version`] or
    /// [`Store::filings_version`] (see there); shared with the kept figures above, which are
    /// kept at the filings' version.
    side_writes: Arc<SideWrites>,
}

/// Changes (as `total_changes` counts them) this connection made to tables that some kept
/// answers are not worked out from.
#[derive(Debug, Default)]
pub(super) struct SideWrites {
    /// To the subsidy rules and their audit entries: nothing is kept from them (rules are read
    /// at every evaluation), so switching a rule on the Subsidies screen keeps the evaluation's
    /// inputs, which take seconds to read again at a million filings.
    rules: AtomicU64,
    /// To company facts (and their audit entries): only the subsidy evaluation reads them, so
    /// they keep its grouped filings and every filing figure kept for browsing.
    facts: AtomicU64,
    /// The database predates `filings_generation` (a backup opened read-only, not migrated):
    /// the filings' version follows SQLite's `data_version` instead.
    without_generation: bool,
}

const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// SQLite's own default page cache (about 2 MB), kept outside imports.
const DEFAULT_CACHE_SIZE: i64 = -2000;

impl Store {
    /// Opens (creating if needed) and migrates the database at `path`.
    pub fn open(path: &Path) -> Result<Store> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        migrate::refuse_newer(path)?;
        writable::check_writable(path)?;
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_WRITE
                | OpenFlags::SQLITE_OPEN_CREATE
                | OpenFlags::SQLITE_OPEN_NO_MUTEX
                | OpenFlags::SQLITE_OPEN_URI,
        )
        .map_err(|e| not_a_database(path, e))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        migrate::refuse_foreign(&conn, path).map_err(|e| match e {
            Error::Db(e) => not_a_database(path, e),
            e => e,
        })?;
        let side = Arc::<SideWrites>::default();
        let mut store = Store {
            conn,
            path: Some(path.to_path_buf()),
            matches: matches::Cache::sharing(&side),
            facet_columns: facet_columns::Kept::sharing(&side),
            counts: kept_counts::Kept::sharing(&side),
            companies: company_columns::Kept::sharing(&side, Some(path)),
            side_writes: side,
        };
        store.configure().map_err(|e| not_a_database(path, e))?;
        migrate::migrate(&mut store.conn, path)?;
        Ok(store)
    }

    /// A value that changes whenever the data may have: another connection's commit moves
    /// SQLite's `data_version`, and every write through this one (triggers included) adds to
    /// its change count. What is worked out from the data may be kept while this stays put.
    /// This connection's writes to the subsidy rules do not move it (they are read afresh).
    pub fn data_version(&self) -> Result<(i64, u64)> {
        let (version, changes) = data_version(&self.conn)?;
        Ok((
            version,
            changes - self.side_writes.rules.load(Ordering::Relaxed),
        ))
    }

    /// A value that changes whenever the filings may have: the count of writes to `filings`
    /// that triggers keep (any connection's, once committed), with this connection's change
    /// count less its writes to rules and facts. Unlike [`Self::data_version`], a commit by
    /// another connection that touches no filing leaves it alone. The change count makes it
    /// safe from a transaction rolled back: the write count goes back, the change count never
    /// does, so a figure kept from rows that were rolled back is never taken for current.
    pub fn filings_version(&self) -> Result<(i64, u64)> {
        filings_version(&self.conn, &self.side_writes)
    }

    /// Runs a write and counts its changes in `side` (only when it succeeds: a failed write
    /// moves the versions, which at worst reads something again).
    fn side_write<T>(
        &mut self,
        side: fn(&SideWrites) -> &AtomicU64,
        write: impl FnOnce(&mut Store) -> Result<T>,
    ) -> Result<T> {
        let before = self.conn.total_changes();
        let out = write(self)?;
        let made = self.conn.total_changes() - before;
        side(&self.side_writes).fetch_add(made, Ordering::Relaxed);
        Ok(out)
    }

    /// Opens an existing database without writing to it (to inspect a backup before restoring).
    pub fn open_read_only(path: &Path) -> Result<Store> {
        if !path.exists() {
            return Err(Error::io(
                path,
                std::io::Error::new(std::io::ErrorKind::NotFound, "no such file"),
            ));
        }
        migrate::refuse_newer(path)?;
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| not_a_database(path, e))?;
        conn.busy_timeout(BUSY_TIMEOUT)?;
        let version: i64 = conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| not_a_database(path, e))?;
        if version == 0 {
            return Err(Error::NotADatabase {
                path: path.to_path_buf(),
                reason: "the file is an SQLite database but not a Beian one".into(),
            });
        }
        let side = Arc::new(SideWrites {
            without_generation: version < migrate::FILINGS_GENERATION_SCHEMA,
            ..SideWrites::default()
        });
        Ok(Store {
            conn,
            path: Some(path.to_path_buf()),
            matches: matches::Cache::sharing(&side),
            facet_columns: facet_columns::Kept::sharing(&side),
            counts: kept_counts::Kept::sharing(&side),
            companies: company_columns::Kept::sharing(&side, Some(path)),
            side_writes: side,
        })
    }

    /// A private database that lives as long as the value: for tests and dry runs.
    pub fn open_in_memory() -> Result<Store> {
        let side = Arc::<SideWrites>::default();
        let mut store = Store {
            conn: Connection::open_in_memory()?,
            path: None,
            matches: matches::Cache::sharing(&side),
            facet_columns: facet_columns::Kept::sharing(&side),
            counts: kept_counts::Kept::sharing(&side),
            companies: company_columns::Kept::sharing(&side, None),
            side_writes: side,
        };
        store.configure()?;
        migrate::migrate(&mut store.conn, Path::new(":memory:"))?;
        Ok(store)
    }

    fn configure(&mut self) -> rusqlite::Result<()> {
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        if self.path.is_some() {
            self.conn
                .query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))?;
        }
        self.conn.execute_batch(
            "PRAGMA foreign_keys = ON;
             PRAGMA synchronous = NORMAL;
             PRAGMA temp_store = MEMORY;",
        )?;
        Ok(())
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn schema_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// A consistent copy of the whole database at `to`, taken while it stays in use.
    pub fn backup_to(&self, to: &Path) -> Result<()> {
        let tmp = to.with_extension("beian-backup-partial");
        let _ = std::fs::remove_file(&tmp);
        {
            let mut dst = Connection::open(&tmp).map_err(|e| not_a_database(&tmp, e))?;
            let backup = rusqlite::backup::Backup::new(&self.conn, &mut dst)?;
            backup.run_to_completion(256, Duration::from_millis(0), None)?;
        }
        std::fs::rename(&tmp, to).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            Error::io(to, e)
        })
    }

    /// `PRAGMA integrity_check`, for hardening tests and a user's peace of mind.
    pub fn integrity_check(&self) -> Result<String> {
        Ok(self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?)
    }
}

fn not_a_database(path: &Path, e: rusqlite::Error) -> Error {
    match e.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => Error::NotADatabase {
            path: path.to_path_buf(),
            reason: "the file is not an SQLite database".into(),
        },
        _ => Error::Db(e),
    }
}

/// The `(text, count)` rows of a `SELECT key, COUNT(*) … GROUP BY key`.
pub(crate) fn text_counts(
    conn: &Connection,
    sql: &str,
    args: &[rusqlite::types::Value],
) -> Result<Vec<(String, u64)>> {
    let mut stmt = conn.prepare_cached(sql)?;
    let rows = stmt
        .query_map(rusqlite::params_from_iter(args.iter()), |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// SQLite's `data_version` and the connection's change count (see [`Store::data_version`]).
fn data_version(conn: &Connection) -> Result<(i64, u64)> {
    let version: i64 = conn.query_row("PRAGMA data_version", [], |r| r.get(0))?;
    Ok((version, conn.total_changes()))
}

/// See [`Store::filings_version`]; for the kept figures, which hold the connection and `side`.
fn filings_version(conn: &Connection, side: &SideWrites) -> Result<(i64, u64)> {
    let (version, changes) = if side.without_generation {
        data_version(conn)?
    } else {
        let writes: i64 = conn
            .prepare_cached("SELECT n FROM filings_generation")?
            .query_row([], |r| r.get(0))?;
        (writes, conn.total_changes())
    };
    let side = side.rules.load(Ordering::Relaxed) + side.facts.load(Ordering::Relaxed);
    Ok((version, changes - side))
}

/// A filing written straight into the table, for tests that set what an import would not
/// (ids out of order, several halves, no batch); see [`insert_test_filing`].
#[cfg(test)]
struct TestFiling<'a> {
    id: i64,
    number: String,
    kind: &'a str,
    region: &'a str,
    company: &'a str,
    filed_on: Option<&'a str>,
    seq: Option<i64>,
    flags: &'a str,
    batch: Option<i64>,
}

#[cfg(test)]
impl TestFiling<'_> {
    /// Filed in 北京市 by 甲公司, undated, in batch 1 (see [`add_test_batch`]).
    fn new(id: i64, number: impl Into<String>) -> Self {
        TestFiling {
            id,
            number: number.into(),
            kind: "filed",
            region: "北京市",
            company: "甲公司",
            filed_on: None,
            seq: None,
            flags: "",
            batch: Some(1),
        }
    }
}

#[cfg(test)]
fn insert_test_filing(conn: &Connection, f: &TestFiling) {
    conn.execute(
        "INSERT INTO filings (id, number, number_key, kind, region, model, company, filed_on,
             seq, flags, first_batch_id, last_batch_id, created_at, updated_at)
         VALUES (?1, ?2, ?2, ?3, ?4, 'M', ?5, ?6, ?7, ?8, ?9, ?9, 'x', 'x')",
        rusqlite::params![
            f.id, f.number, f.kind, f.region, f.company, f.filed_on, f.seq, f.flags, f.batch
        ],
    )
    .unwrap();
}

/// Batch 1, for tests that write filings naming it directly.
#[cfg(test)]
fn add_test_batch(store: &Store) {
    store
        .conn
        .execute(
            "INSERT INTO batches (file_name, sha256, size, encoding, imported_at)
             VALUES ('a.csv', 'x', 1, 'UTF-8', '2024-01-01T00:00:00Z')",
            [],
        )
        .unwrap();
}
