//! Numbered schema migrations, embedded in the binary and applied in order, one transaction each;
//! `PRAGMA user_version` records the schema a database is at.

use crate::error::{Error, Result};
use rusqlite::Connection;
use std::io::Read;
use std::path::Path;

const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("migrations/0001_init.sql")),
    (2, include_str!("migrations/0002_companies.sql")),
    (3, include_str!("migrations/0003_filing_counts.sql")),
    (4, include_str!("migrations/0004_browse_indexes.sql")),
    (5, include_str!("migrations/0005_region_sort_indexes.sql")),
    (6, include_str!("migrations/0006_filings_generation.sql")),
    (7, include_str!("migrations/0007_region_model_index.sql")),
    (
        8,
        include_str!("migrations/0008_search_single_characters.sql"),
    ),
    (9, include_str!("migrations/0009_evaluation_layout.sql")),
];

pub const LATEST_SCHEMA: i64 = MIGRATIONS[MIGRATIONS.len() - 1].0;
/// The first schema with `filings_generation`.
pub const FILINGS_GENERATION_SCHEMA: i64 = 6;
/// The first schema with `evaluation_layout`.
pub const EVALUATION_LAYOUT_SCHEMA: i64 = 9;

const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Reads the schema version from the file header without opening the database, so a file from
/// a newer Beian (or not a database at all) is refused before SQLite writes a byte to it.
pub fn refuse_newer(path: &Path) -> Result<()> {
    let mut header = [0u8; 100];
    let n = match std::fs::File::open(path) {
        Ok(mut f) => f.read(&mut header).map_err(|e| Error::io(path, e))?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(path, e)),
    };
    if n == 0 {
        return Ok(());
    }
    if n < 100 || &header[..16] != SQLITE_MAGIC {
        return Err(Error::NotADatabase {
            path: path.to_path_buf(),
            reason: "the file is not an SQLite database; choose a Beian database file".into(),
        });
    }
    let version = i32::from_be_bytes([header[60], header[61], header[62], header[63]]) as i64;
    if version > LATEST_SCHEMA {
        return Err(Error::SchemaTooNew {
            path: path.to_path_buf(),
            found: version,
            supported: LATEST_SCHEMA,
        });
    }
    Ok(())
}

pub fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if current > LATEST_SCHEMA {
        return Err(Error::SchemaTooNew {
            path: path.to_path_buf(),
            found: current,
            supported: LATEST_SCHEMA,
        });
    }
    register_functions(conn)?;
    apply(conn, current, MIGRATIONS)
}

/// The SQL functions migrations call: `beian_index_text(model, company, number)`, a filing's
/// search document as every write of a filing makes it (`search::index_text`).
fn register_functions(conn: &Connection) -> Result<()> {
    use rusqlite::functions::FunctionFlags;
    conn.create_scalar_function(
        "beian_index_text",
        3,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            let fields = [
                ctx.get::<String>(0)?,
                ctx.get::<String>(1)?,
                ctx.get::<String>(2)?,
            ];
            Ok(crate::search::index_text(&[
                &fields[0], &fields[1], &fields[2],
            ]))
        },
    )?;
    Ok(())
}

/// A database at schema 0 that already has tables belongs to another program: migrating it would
/// write Beian's tables into someone else's file, so it is refused, before anything (even the
/// switch to WAL) touches the file.
pub fn refuse_foreign(conn: &Connection, path: &Path) -> Result<()> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if version != 0 {
        return Ok(());
    }
    let tables: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'",
        [],
        |r| r.get(0),
    )?;
    if tables > 0 {
        return Err(Error::NotADatabase {
            path: path.to_path_buf(),
            reason: "it is an SQLite database that already holds another program's tables; \
                     choose a Beian database file, or a new file name to start one"
                .into(),
        });
    }
    Ok(())
}

/// Each migration and its version stamp commit together: a migration that fails, or a process
/// killed in the middle of one, leaves the database at the previous version (tested in
/// `migrate_tests.rs`, including SIGKILL during a slow migration).
fn apply(conn: &mut Connection, current: i64, migrations: &[(i64, &str)]) -> Result<()> {
    for &(version, sql) in migrations.iter().filter(|(v, _)| *v > current) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
    }
    Ok(())
}

#[cfg(test)]
#[path = "migrate_tests.rs"]
mod tests;
