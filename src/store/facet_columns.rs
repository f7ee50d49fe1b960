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
//! Besides the search, a filter may hold the conditions these columns answer exactly as
//! `filings::where_clause` tests them: regions (`region IN`), the kind, the batch and flagged or
//! not, the ones a user clicks in the facet panel after typing a word. With SQL, 科技 in 北京
//! took 340–440 ms at 1M for every click, its 500,000 matches materialised and looked up again.
//! Any other condition (a company, dates, a year, one flag) leaves the facets to SQL. The counts
//! are those of the SQL in `browse::facets_read`: the same values (`substr(filed_on, 1, 4)`,
//! `flags <> ''`), grouped the same way, handed to the same tally.
//!
//! The same matches page such a filter ([`search_page`]): the page's order comes from an index
//! walked id by id, or from the kept kinds or seqs, with each id tested against the matches in
//! memory.

use super::browse::FacetTally;
use super::filings::{filing_row, order_by, region_names, ROW_COLUMNS};
use super::SideWrites;
use crate::error::Result;
use crate::query::{Facets, FilingFilter, FilingPage, FilingQuery, FilingRow, SortField};
use rusqlite::types::{Value, ValueRef};
use rusqlite::{params_from_iter, Connection};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The columns and the data version they were read at.
#[derive(Debug, Default)]
pub struct Kept {
    columns: Mutex<Option<Columns>>,
    side: Arc<SideWrites>,
}

impl Kept {
    pub(super) fn sharing(side: &Arc<SideWrites>) -> Kept {
        Kept {
            columns: Mutex::default(),
            side: Arc::clone(side),
        }
    }
}

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
    /// The last search expression counted and the ids the search index gave for it: clicking
    /// facets after typing a word asks for the same matches again and again, and reading a
    /// common word's ids from the index (500,000 for 科技 at 1M) was most of each answer.
    last_search: Option<(String, Vec<u32>)>,
    /// Indexed by filing id: its `seq` (序号), for a page of a search sorted by it; `None` for
    /// all when a seq does not fit 32 bits (then such a page goes to SQL).
    seqs: Option<Vec<Option<i32>>>,
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
        last_search: None,
        seqs: Some(Vec::new()),
    };
    let mut stmt = conn.prepare_cached(
        "SELECT id, region, kind, substr(filed_on, 1, 4), first_batch_id, flags <> '', seq
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
        let seq = r.get::<_, Option<i64>>(6)?;
        if let Some(seqs) = c.seqs.as_mut() {
            match seq.map(i32::try_from).transpose() {
                Ok(seq) => {
                    if seqs.len() <= id {
                        seqs.resize(id + 1, None);
                    }
                    seqs[id] = seq;
                }
                Err(_) => c.seqs = None,
            }
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

/// Whether the columns answer every condition of `filter` besides its search text (see the
/// module's note).
pub(super) fn answers(filter: &FilingFilter) -> bool {
    let company = filter.company.as_deref().map(str::trim);
    company.is_none_or(str::is_empty)
        && filter.from.is_none()
        && filter.to.is_none()
        && filter.year.is_none()
        && filter.flag.is_none()
}

/// `filter`'s conditions on the packed columns, as a test of one packed row.
struct Conditions {
    /// Per region number: whether `region IN (...)` takes it; `None` when there is no region.
    regions: Option<Vec<bool>>,
    kinds: Option<Vec<bool>>,
    batches: Option<Vec<bool>>,
    flagged: Option<bool>,
}

impl Conditions {
    fn of(filter: &FilingFilter, c: &Columns) -> Conditions {
        let names = (!filter.regions.is_empty()).then(|| region_names(filter));
        Conditions {
            regions: names.map(|names| {
                let taken = |v: &Option<String>| v.as_ref().is_some_and(|v| names.contains(v));
                c.regions.values.iter().map(taken).collect()
            }),
            kinds: filter.kind.map(|k| {
                let taken = |v: &Option<String>| v.as_deref() == Some(k.as_str());
                c.kinds.values.iter().map(taken).collect()
            }),
            // `first_batch_id = ?` is never true of NULL.
            batches: filter
                .batch
                .map(|b| c.batches.iter().map(|v| *v == Some(b)).collect()),
            flagged: filter.flagged,
        }
    }

    fn takes(&self, p: &Packed) -> bool {
        self.regions
            .as_ref()
            .is_none_or(|t| t[usize::from(p.region)])
            && self.kinds.as_ref().is_none_or(|t| t[usize::from(p.kind)])
            && self.batches.as_ref().is_none_or(|t| t[p.batch as usize])
            && self.flagged.is_none_or(|f| f == p.flagged)
    }
}

/// Runs `f` on the columns, the ids the search index matches for `expr` (a [`crate::search`]
/// match expression) and `filter`'s other conditions, in one read transaction; `None` when
/// the registry does not fit the packing or [`answers`] is false of the filter.
fn with_matches<T>(
    conn: &Connection,
    kept: &Kept,
    expr: &str,
    filter: &FilingFilter,
    f: impl FnOnce(&Columns, Matches<'_>) -> Result<T>,
) -> Result<Option<T>> {
    if !answers(filter) {
        return Ok(None);
    }
    let version = super::filings_version(conn, &kept.side)?;
    let mut guard = kept.columns.lock().unwrap_or_else(|e| e.into_inner());
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
    let Some(columns) = guard.as_mut() else {
        return Ok(None);
    };
    if columns.last_search.as_ref().is_none_or(|(e, _)| e != expr) {
        columns.last_search = None;
        let mut ids = Vec::new();
        let mut stmt =
            conn.prepare_cached("SELECT rowid FROM filing_search WHERE filing_search MATCH ?")?;
        let mut rows = stmt.query([expr])?;
        while let Some(r) = rows.next()? {
            // An id the columns cannot hold is no filing they know (see `read`).
            if let Ok(id) = u32::try_from(r.get::<_, i64>(0)?) {
                ids.push(id);
            }
        }
        columns.last_search = Some((expr.to_string(), ids));
    }
    let columns = &*columns;
    let matches = Matches {
        ids: columns.last_search.as_ref().map_or(&[][..], |(_, ids)| ids),
        rows: &columns.rows,
        conditions: Conditions::of(filter, columns),
    };
    let out = f(columns, matches)?;
    if let Some(tx) = tx {
        tx.commit()?;
    }
    Ok(Some(out))
}

/// The packed rows of a search's matches that the filter's other conditions take.
struct Matches<'c> {
    ids: &'c [u32],
    rows: &'c [Packed],
    conditions: Conditions,
}

impl<'c> Matches<'c> {
    fn rows(&self) -> impl Iterator<Item = &'c Packed> + '_ {
        self.ids.iter().filter_map(|&id| self.taken(id))
    }

    fn taken(&self, id: u32) -> Option<&'c Packed> {
        self.rows
            .get(id as usize)
            .filter(|p| p.region != NONE16 && self.conditions.takes(p))
    }
}

/// How many filings the search index matches for `expr` under `filter`'s other conditions, as
/// `browse::total` counts them; `None` as for [`search_facets`].
pub(super) fn search_total(
    conn: &Connection,
    kept: &Kept,
    expr: &str,
    filter: &FilingFilter,
) -> Result<Option<u64>> {
    with_matches(conn, kept, expr, filter, |_, m| Ok(m.rows().count() as u64))
}

/// The facets of the filings the search index matches for `expr` (a [`crate::search`] match
/// expression) under `filter`'s other conditions, as `browse::facets_read` counts them; `None`
/// when the registry does not fit the packing or [`answers`] is false of the filter.
pub(super) fn search_facets(
    conn: &Connection,
    kept: &Kept,
    expr: &str,
    filter: &FilingFilter,
) -> Result<Option<Facets>> {
    with_matches(conn, kept, expr, filter, |columns, m| {
        // Each facet is counted on its own, as the tally counts it: five increments per match.
        let mut region = vec![0u64; columns.regions.values.len()];
        let mut kind = vec![0u64; columns.kinds.values.len()];
        let mut year = vec![0u64; columns.years.values.len()];
        let mut batch = vec![0u64; columns.batches.len()];
        let mut flagged = [0u64; 2];
        for p in m.rows() {
            region[usize::from(p.region)] += 1;
            kind[usize::from(p.kind)] += 1;
            year[usize::from(p.year)] += 1;
            batch[p.batch as usize] += 1;
            flagged[usize::from(p.flagged)] += 1;
        }
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
        tally.finish(conn)
    })
}

/// How a page of kept matches is put in the page's order (`filings::order_by`).
pub(super) enum InOrder {
    /// Walking an index in that order: its query of ids, and the query's arguments.
    Walk(String, Vec<Value>),
    /// By kind, then id: the kind of every filing is kept here, so no index is needed.
    ByKind { desc: bool },
    /// By seq, then id, NULL first as SQLite puts it: the matches sorted here by their kept seq.
    BySeq { desc: bool },
}

/// How `q`'s page of kept matches is put in order, or `None` when neither an index nor the kept
/// columns have its order (seq; numbers or companies across several regions).
pub(super) fn in_order(q: &FilingQuery) -> Option<InOrder> {
    let regions = region_names(&q.filter);
    let index = match q.sort.map(|s| s.field) {
        None => "filings_listed",
        Some(SortField::FiledOn) => "filings_filed_on",
        Some(SortField::Region) => "filings_region_id",
        Some(SortField::Model) => "filings_model",
        Some(SortField::Batch) => "filings_first_batch",
        // Numbers start with the region's prefix and companies mostly with a city, so one
        // region's matches sit in one stretch of these orders: the walk goes to that stretch.
        Some(SortField::Number | SortField::Company) if regions.len() > 1 => return None,
        Some(SortField::Number) if regions.is_empty() => "sqlite_autoindex_filings_1",
        Some(SortField::Company) if regions.is_empty() => "filings_company",
        Some(SortField::Number) => "filings_region_number",
        Some(SortField::Company) => "filings_region_company",
        Some(SortField::Kind) => {
            let desc = q.sort.is_some_and(|s| s.desc);
            return Some(InOrder::ByKind { desc });
        }
        Some(SortField::Seq) => {
            let desc = q.sort.is_some_and(|s| s.desc);
            return Some(InOrder::BySeq { desc });
        }
    };
    let (scope, args) = match index {
        "filings_region_number" | "filings_region_company" => {
            ("WHERE f.region = ?", vec![Value::Text(regions[0].clone())])
        }
        _ => ("", Vec::new()),
    };
    let sql = format!(
        "SELECT f.id FROM filings f INDEXED BY {index} {scope} {}",
        order_by(q)
    );
    Some(InOrder::Walk(sql, args))
}

/// The ids whose bits are set, ascending or descending.
fn set_bits(bits: &[u64], desc: bool) -> Box<dyn Iterator<Item = usize> + '_> {
    let ids = move |(i, &w): (usize, &u64)| {
        let mut w = w;
        std::iter::from_fn(move || {
            if w == 0 {
                return None;
            }
            let b = if desc {
                63 - w.leading_zeros()
            } else {
                w.trailing_zeros()
            };
            w &= !(1u64 << b);
            Some(i * 64 + b as usize)
        })
    };
    if desc {
        Box::new(bits.iter().enumerate().rev().flat_map(ids))
    } else {
        Box::new(bits.iter().enumerate().flat_map(ids))
    }
}

/// The page `q` asks for, and its total, when its filter is a common word under the conditions
/// these columns answer, as `browse::list` pages it: an index already in the page's order is
/// walked id by id, each tested against the word's matches kept here, until `offset + limit`
/// matches are passed. SQL walked the same order probing the search index for every row (about 20 µs a
/// probe), or, with matches too thin for that, looked every match up to sort them: 90–115 ms a
/// page for 助手 in 北京 at 1M. `None` when the columns do not answer the filter, no index has
/// the page's order, or the walk would pass more than `max_walk` rows if the matches were spread
/// evenly (a late page of a thin set of matches), which sorting the matches does better. A page
/// by kind or by seq is put in order from the kept columns alone.
pub(super) fn search_page(
    conn: &Connection,
    kept: &Kept,
    expr: &str,
    q: &FilingQuery,
    max_walk: u64,
) -> Result<Option<FilingPage>> {
    let Some(order) = in_order(q) else {
        return Ok(None);
    };
    let page = with_matches(conn, kept, expr, &q.filter, |columns, m| {
        let mut bits = vec![0u64; columns.rows.len().div_ceil(64)];
        let mut total = 0u64;
        for &id in m.ids {
            if m.taken(id).is_some() {
                bits[id as usize / 64] |= 1 << (id % 64);
                total += 1;
            }
        }
        let bits = &bits;
        let found = Found {
            bits,
            total,
            filings: columns.rows.len() as u64,
            kinds: &columns.kinds.values,
            seqs_known: columns.seqs.is_some(),
            members: |desc| {
                set_bits(bits, desc).map(|id| Member {
                    id,
                    kind: usize::from(columns.rows[id].kind),
                    seq: columns
                        .seqs
                        .as_ref()
                        .and_then(|s| s.get(id).copied().flatten()),
                })
            },
        };
        page_of(conn, q, order, max_walk, found)
    })?;
    Ok(page.flatten())
}

/// A filing a page of kept matches may hold.
pub(super) struct Member {
    pub id: usize,
    /// Its kind, numbered as in [`Found::kinds`].
    pub kind: usize,
    pub seq: Option<i32>,
}

/// A filter's matches as kept columns give them, for [`page_of`].
pub(super) struct Found<'a, F> {
    /// A bit per filing id.
    pub bits: &'a [u64],
    pub total: u64,
    /// The filings there are (for how far a walk goes to find the page).
    pub filings: u64,
    pub kinds: &'a [Option<String>],
    /// Whether `members` gives every seq (they fit 32 bits); if not, no page by seq.
    pub seqs_known: bool,
    /// Every match, by id ascending, or descending when asked.
    pub members: F,
}

/// `q`'s page of `found`, in `order`; `None` when the walk would pass more than `max_walk` rows
/// if the matches were spread evenly (a late page of a thin set of matches), which sorting the
/// matches does better, or a page by seq lacks the seqs.
pub(super) fn page_of<F, I>(
    conn: &Connection,
    q: &FilingQuery,
    order: InOrder,
    max_walk: u64,
    found: Found<'_, F>,
) -> Result<Option<FilingPage>>
where
    F: Fn(bool) -> I,
    I: Iterator<Item = Member>,
{
    let total = found.total;
    if total == 0 || q.limit == 0 || q.offset >= total {
        let rows = Vec::new();
        return Ok(Some(FilingPage { total, rows }));
    }
    let want = q.offset.saturating_add(u64::from(q.limit)).min(total);
    if let InOrder::BySeq { desc } = order {
        if !found.seqs_known {
            return Ok(None);
        }
        // `ORDER BY f.seq, f.id` (NULL first), or both descending: only the first `want`
        // are put in order.
        let mut keyed: Vec<(Option<i32>, usize)> =
            (found.members)(false).map(|m| (m.seq, m.id)).collect();
        let order = |a: &(Option<i32>, usize), b: &(Option<i32>, usize)| {
            if desc {
                b.cmp(a)
            } else {
                a.cmp(b)
            }
        };
        let want = want as usize;
        if keyed.len() > want {
            keyed.select_nth_unstable_by(want - 1, order);
            keyed.truncate(want);
        }
        keyed.sort_unstable_by(order);
        let ids: Vec<i64> = keyed
            .into_iter()
            .skip(q.offset as usize)
            .map(|(_, id)| id as i64)
            .collect();
        let rows = rows_by_id(conn, &ids)?;
        return Ok(Some(FilingPage { total, rows }));
    }
    let mut ids: Vec<i64> = Vec::with_capacity((want - q.offset.min(want)) as usize);
    let mut passed = 0u64;
    // Takes the next match in order; false once the page is full.
    let mut take = |id: i64| {
        if passed >= q.offset {
            ids.push(id);
        }
        passed += 1;
        passed < want
    };
    let (walk, args) = match order {
        InOrder::Walk(walk, args) => (walk, args),
        InOrder::BySeq { .. } => unreachable!("paged above"),
        InOrder::ByKind { desc } => {
            // Kinds in their text's order, as SQLite orders the column; within a kind, ids.
            let mut kinds: Vec<usize> = (0..found.kinds.len()).collect();
            kinds.sort_by(|&a, &b| found.kinds[a].cmp(&found.kinds[b]));
            if desc {
                kinds.reverse();
            }
            'kinds: for k in kinds {
                for m in (found.members)(desc) {
                    if m.kind == k && !take(m.id as i64) {
                        break 'kinds;
                    }
                }
            }
            let rows = rows_by_id(conn, &ids)?;
            return Ok(Some(FilingPage { total, rows }));
        }
    };
    if want as f64 * found.filings as f64 / total as f64 > max_walk as f64 {
        return Ok(None);
    }
    let is_member = |id: i64| {
        usize::try_from(id)
            .ok()
            .and_then(|id| found.bits.get(id / 64).map(|w| w & (1 << (id % 64)) != 0))
            .unwrap_or(false)
    };
    let mut stmt = conn.prepare_cached(&walk)?;
    let mut rows = stmt.query(params_from_iter(args.iter()))?;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        if is_member(id) && !take(id) {
            break;
        }
    }
    let rows = rows_by_id(conn, &ids)?;
    Ok(Some(FilingPage { total, rows }))
}

/// The filings of `ids`, in that order.
fn rows_by_id(conn: &Connection, ids: &[i64]) -> Result<Vec<FilingRow>> {
    let mut by_id: HashMap<i64, FilingRow> = HashMap::with_capacity(ids.len());
    // Within SQLite's limit on parameters. Prepared afresh: a statement per page size would push
    // the browse queries out of the connection's small cache of prepared statements.
    for chunk in ids.chunks(500) {
        let marks = vec!["?"; chunk.len()].join(", ");
        let sql = format!("SELECT {ROW_COLUMNS} FROM filings f WHERE f.id IN ({marks})");
        let mut stmt = conn.prepare(&sql)?;
        let args = chunk.iter().map(|&id| Value::Integer(id));
        let mut rows = stmt.query(params_from_iter(args))?;
        while let Some(r) = rows.next()? {
            let row = filing_row(r)?;
            by_id.insert(row.id, row);
        }
    }
    Ok(ids.iter().filter_map(|id| by_id.remove(id)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::Sort;
    use crate::store::Store;

    #[test]
    fn every_walk_reads_one_index_in_order_without_sorting() {
        let store = Store::open_in_memory().unwrap();
        let mut walks = 0;
        for regions in [
            vec![],
            vec!["北京".to_string()],
            vec!["北京市".into(), "上海市".into()],
        ] {
            for field in [
                None,
                Some("number"),
                Some("kind"),
                Some("region"),
                Some("model"),
                Some("company"),
                Some("filed_on"),
                Some("seq"),
                Some("batch"),
            ] {
                for dir in ["asc", "desc"] {
                    let q = FilingQuery {
                        filter: FilingFilter {
                            regions: regions.clone(),
                            ..Default::default()
                        },
                        sort: field.map(|f| Sort::parse(&format!("{f}:{dir}")).unwrap()),
                        ..Default::default()
                    };
                    let Some(InOrder::Walk(sql, args)) = in_order(&q) else {
                        continue;
                    };
                    walks += 1;
                    let mut stmt = store
                        .conn
                        .prepare(&format!("EXPLAIN QUERY PLAN {sql}"))
                        .unwrap();
                    let plan: Vec<String> = stmt
                        .query_map(params_from_iter(args.iter()), |r| r.get(3))
                        .unwrap()
                        .collect::<rusqlite::Result<_>>()
                        .unwrap();
                    let plan = plan.join("; ");
                    assert!(plan.contains("USING COVERING INDEX"), "{sql}: {plan}");
                    assert!(!plan.contains("TEMP B-TREE"), "{sql}: {plan}");
                }
            }
        }
        // Per region list: the default order (once per direction), then the walkable fields.
        assert_eq!(walks, (2 + 2 * 6) * 2 + (2 + 2 * 4), "{walks}");
    }
}
