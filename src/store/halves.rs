//! Reading every filing in two halves by id at once, the upper half through a read-only
//! connection of its own on another thread. A whole-table read is most of the first answer that
//! needs one at a million filings (the subsidy evaluation's filings, the company columns), and
//! the machine has a second core.

use super::SideWrites;
use crate::error::Result;
use rusqlite::{Connection, OpenFlags};
use std::path::Path;

/// Below this many ids a read is not split: a second connection costs more than it saves.
pub(super) const SPLIT_FROM: i64 = 50_000;

/// `read` on `conn` for the ids below a middle one, and for the ids from it on a second
/// connection to `path`, side by side: `(lower, upper)`. Both read the same committed filings:
/// each compares the filings' write count after starting its snapshot. `None` when the caller
/// should read on `conn` alone: a database in memory, inside a transaction of `conn` (its
/// writes are not visible to another connection), a database without the write count (before
/// schema 6), fewer than `split_from` ids, or a commit between the two starts. Each range is
/// `[from, to]`.
pub(super) fn read_in_halves<T: Send>(
    conn: &Connection,
    path: Option<&Path>,
    side: &SideWrites,
    split_from: i64,
    read: impl Fn(&Connection, (i64, i64)) -> Result<T> + Sync,
) -> Result<Option<(T, T)>> {
    let halves = read_in_halves_at(conn, path, side, split_from, read)?;
    Ok(halves.map(|(low, high, _)| (low, high)))
}

/// [`read_in_halves`], with the filings' write count (`filings_generation`) both halves were
/// read at: committed filings, the same for every process that reads that count.
pub(super) fn read_in_halves_at<T: Send>(
    conn: &Connection,
    path: Option<&Path>,
    side: &SideWrites,
    split_from: i64,
    read: impl Fn(&Connection, (i64, i64)) -> Result<T> + Sync,
) -> Result<Option<(T, T, i64)>> {
    let Some(path) = path else {
        return Ok(None);
    };
    if side.without_generation || !conn.is_autocommit() {
        return Ok(None);
    }
    let other = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    other.busy_timeout(super::BUSY_TIMEOUT)?;
    let writes = |c: &Connection| -> rusqlite::Result<i64> {
        c.query_row("SELECT n FROM filings_generation", [], |r| r.get(0))
    };
    // Each connection's snapshot starts at its first read; the same count of writes to the
    // filings means the same committed filings.
    let tx = conn.unchecked_transaction()?;
    other.execute_batch("BEGIN")?;
    let (ours, theirs) = (writes(&tx)?, writes(&other)?);
    let bounds: (Option<i64>, Option<i64>) =
        tx.query_row("SELECT min(id), max(id) FROM filings", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    let (Some(first), Some(last)) = bounds else {
        return Ok(None);
    };
    if ours != theirs || last.saturating_sub(first) < split_from.max(1) {
        return Ok(None);
    }
    let middle = first + (last - first) / 2 + 1;
    let read = &read;
    let (low, high) = std::thread::scope(|s| {
        let high = s.spawn(move || {
            let part = read(&other, (middle, i64::MAX));
            other.execute_batch("COMMIT")?;
            part
        });
        let low = read(&tx, (i64::MIN, middle - 1));
        (low, high.join())
    });
    tx.commit()?;
    let high = high.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
    Ok(Some((low?, high?, ours)))
}
