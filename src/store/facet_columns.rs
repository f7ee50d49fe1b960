//! The five facet columns of every filing, kept in memory by id, for the facets of a search that
//! matches a large part of the registry.
//!
//! A common word (科技 is in half the company names) matches hundreds of thousands of filings.
//! `matches.rs` keeps at most 50,000; beyond that the facets were counted by looking each match
//! up in the table by id, about 2 µs a match: 1.45 s for 科技 at 1M, every time the word was
//! typed. Here the table is read once in order into 12 bytes per filing (0.8 s at 1M, paid by
//! the first such search after opening or a write), kept while the data is unchanged, and a
//! search's facets are its ids from the search index counted against those columns: 86 ms for
//! 科技's 500,000 matches, 44 ms for 智能's 250,000.
//!
//! Only a search that is the filter's only condition is answered here: any other condition
//! would have to be tested as SQL tests it. The counts are those of the SQL in
//! `browse::facets_read`: the same values (`substr(filed_on, 1, 4)`, `flags <> ''`), grouped the
//! same way, handed to the same tally.

use super::browse::FacetTally;
use crate::error::Result;
use crate::query::Facets;
use rusqlite::types::ValueRef;
use rusqlite::Connection;
use std::sync::Mutex;

/// The columns and the data version they were read at.
#[derive(Debug, Default)]
pub struct Kept(Mutex<Option<Columns>>);

#[derive(Debug)]
struct Columns {
    version: (i64, u64),
    /// Indexed by filing id; `region == NONE16` where no filing has that id.
    rows: Vec<Packed>,
    /// Never `None` (the columns are NOT NULL); numbered as the years are.
    regions: Distinct,
    kinds: Distinct,
    /// `substr(filed_on, 1, 4)`; `None` for an undated filing.
    years: Distinct,
    /// `first_batch_id`; `None` for a filing added by hand.
    batches: Vec<Option<i64>>,
}

#[derive(Debug, Clone, Copy)]
struct Packed {
    region: u16,
    year: u16,
    batch: u32,
    kind: u8,
    flagged: bool,
}

const NONE16: u16 = u16::MAX;
const ABSENT: Packed = Packed {
    region: NONE16,
    year: 0,
    batch: 0,
    kind: 0,
    flagged: false,
};

/// Distinct texts (or NULL) of one column, each numbered once. The lists stay short (regions,
/// kinds, years) and rows of one file usually come a region and a date at a time, so the last
/// value is tried first and a row allocates nothing.
#[derive(Debug, Default)]
pub(super) struct Distinct {
    pub(super) values: Vec<Option<String>>,
    last: usize,
}

impl Distinct {
    pub(super) fn number(&mut self, value: ValueRef<'_>) -> Result<usize> {
        let bytes = match value {
            ValueRef::Null => None,
            v => Some(v.as_bytes().map_err(rusqlite::Error::from)?),
        };
        let is = |v: &Option<String>| v.as_deref().map(str::as_bytes) == bytes;
        if self.values.get(self.last).is_some_and(is) {
            return Ok(self.last);
        }
        self.last = match self.values.iter().position(is) {
            Some(i) => i,
            None => {
                let text = bytes
                    .map(|b| std::str::from_utf8(b).map(str::to_string))
                    .transpose()
                    .map_err(rusqlite::Error::Utf8Error)?;
                self.values.push(text);
                self.values.len() - 1
            }
        };
        Ok(self.last)
    }
}

/// Ids beyond this are not packed by id (the registry would be mostly holes); such a registry
/// is counted by SQL instead.
const MAX_ID: usize = 64 << 20;

/// The columns, or `None` when the registry does not fit the packing (an id that is negative or
/// beyond [`MAX_ID`], more than 65,534 regions or years, 255 kinds): then SQL counts instead.
fn read(conn: &Connection, version: (i64, u64)) -> Result<Option<Columns>> {
    let mut c = Columns {
        version,
        rows: Vec::new(),
        regions: Distinct::default(),
        kinds: Distinct::default(),
        years: Distinct::default(),
        batches: Vec::new(),
    };
    let mut stmt = conn.prepare_cached(
        "SELECT id, region, kind, substr(filed_on, 1, 4), first_batch_id, flags <> ''
         FROM filings",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let id = usize::try_from(r.get::<_, i64>(0)?).unwrap_or(usize::MAX);
        if id > MAX_ID {
            return Ok(None);
        }
        let region = c.regions.number(r.get_ref(1)?)?;
        let kind = c.kinds.number(r.get_ref(2)?)?;
        let year = c.years.number(r.get_ref(3)?)?;
        let batch_id = r.get::<_, Option<i64>>(4)?;
        let batch = match c.batches.iter().rposition(|b| *b == batch_id) {
            Some(i) => i,
            None => {
                c.batches.push(batch_id);
                c.batches.len() - 1
            }
        };
        let (Ok(region), Ok(kind), Ok(year), Ok(batch)) = (
            u16::try_from(region),
            u8::try_from(kind),
            u16::try_from(year),
            u32::try_from(batch),
        ) else {
            return Ok(None);
        };
        if region == NONE16 {
            return Ok(None);
        }
        if c.rows.len() <= id {
            c.rows.resize(id + 1, ABSENT);
        }
        c.rows[id] = Packed {
            region,
            year,
            batch,
            kind,
            flagged: r.get::<_, i64>(5)? != 0,
        };
    }
    Ok(Some(c))
}

fn text(v: &Option<String>) -> ValueRef<'_> {
    match v {
        Some(t) => ValueRef::Text(t.as_bytes()),
        None => ValueRef::Null,
    }
}

/// The facets of the filings the search index matches for `expr` (a [`crate::search`] match
/// expression), as `browse::facets_read` counts them for a filter with only that search; `None`
/// when the registry does not fit the packing.
pub(super) fn search_facets(conn: &Connection, kept: &Kept, expr: &str) -> Result<Option<Facets>> {
    let version = super::data_version(conn)?;
    let mut guard = kept.0.lock().unwrap_or_else(|e| e.into_inner());
    // One read transaction: the columns and the matches are of the same data.
    let tx = if conn.is_autocommit() {
        Some(conn.unchecked_transaction()?)
    } else {
        None
    };
    if guard.as_ref().is_none_or(|c| c.version != version) {
        *guard = None;
        *guard = read(conn, version)?;
    }
    let Some(columns) = guard.as_ref() else {
        return Ok(None);
    };
    // Each facet is counted on its own, as the tally counts it: five increments per match.
    let mut region = vec![0u64; columns.regions.values.len()];
    let mut kind = vec![0u64; columns.kinds.values.len()];
    let mut year = vec![0u64; columns.years.values.len()];
    let mut batch = vec![0u64; columns.batches.len()];
    let mut flagged = [0u64; 2];
    let mut stmt =
        conn.prepare_cached("SELECT rowid FROM filing_search WHERE filing_search MATCH ?")?;
    let mut ids = stmt.query([expr])?;
    while let Some(r) = ids.next()? {
        let id = usize::try_from(r.get::<_, i64>(0)?).unwrap_or(usize::MAX);
        let Some(p) = columns.rows.get(id).filter(|p| p.region != NONE16) else {
            continue;
        };
        region[usize::from(p.region)] += 1;
        kind[usize::from(p.kind)] += 1;
        year[usize::from(p.year)] += 1;
        batch[p.batch as usize] += 1;
        flagged[usize::from(p.flagged)] += 1;
    }
    drop(ids);
    let mut tally = FacetTally::default();
    let none = ValueRef::Null;
    let counted = |counts: &[u64]| {
        counts
            .iter()
            .enumerate()
            .filter(|(_, &n)| n > 0)
            .map(|(i, &n)| (i, n))
            .collect::<Vec<_>>()
    };
    for (i, n) in counted(&region) {
        tally.add(text(&columns.regions.values[i]), none, none, None, None, n)?;
    }
    for (i, n) in counted(&kind) {
        tally.add(none, text(&columns.kinds.values[i]), none, None, None, n)?;
    }
    for (i, n) in counted(&year) {
        tally.add(none, none, text(&columns.years.values[i]), None, None, n)?;
    }
    for (i, n) in counted(&batch) {
        tally.add(none, none, none, columns.batches[i], None, n)?;
    }
    for (f, n) in counted(&flagged) {
        tally.add(none, none, none, None, Some(f as i64), n)?;
    }
    let facets = tally.finish(conn)?;
    if let Some(tx) = tx {
        tx.commit()?;
    }
    Ok(Some(facets))
}
