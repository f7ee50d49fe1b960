//! A company fragment's matches, read once per filter and shared by the total, the page and the
//! facets. The Filings screen asks for a page and then the facets of the same filter; with a
//! fragment like 深圳 (38,000 documents in the search index at 1M) each of the three used to look
//! every match up by id. Here the search index's ids are intersected in Rust (with each other,
//! and with the region's ids from `filings_region` when the region is the smaller side), each
//! remaining id is looked up once, and what the page's sort and the facets need is kept until
//! the filter or the data changes. When nothing narrowed the ids, all of the fragment's matches
//! are kept, and later filters with the same fragment are answered from them (see [`Scope`]).
//!
//! The answers are those of the plain SQL: every row is still tested by the filter's own WHERE
//! clause (only the search-index conditions are left out, because the ids come from the index),
//! and pages are sorted as SQLite sorts (NULL, then numbers, then text bytewise, then blobs; ties
//! by id in the same direction).

use super::browse::{index_matches_upto, FacetTally};
use super::filings::{filing_row, where_clause, where_clause_as, Membership, ROW_COLUMNS};
use super::kept_counts::{Counts, CountsBuilder};
use super::SideWrites;
use crate::error::Result;
use crate::query::{Facets, FilingFilter, FilingPage, FilingQuery, SortField};
use crate::search;
use rusqlite::types::{Value, ValueRef};
use rusqlite::{params_from_iter, Connection};
use std::cmp::Ordering;
use std::sync::{Arc, Mutex};

/// The most documents the index may hold for the rarest condition: beyond it, keeping the
/// matches costs more memory than the lookups it saves are worth (about 10 MB at this size), and
/// the walks in `browse.rs` reach a page sooner.
const MAX_CANDIDATES: u64 = 50_000;
/// A fragment alone (no search text beside it) matching more than one filing in this many is
/// left to the company columns (see [`fragment_limit`]).
const COLUMNS_SHARE: u64 = 20;
/// ... but never fewer than this many matches, which are read in a few milliseconds.
const MIN_FRAGMENT_LIMIT: u64 = 1_000;
/// Ids read from the index for a further condition (a search beside the fragment) at most.
const MAX_OTHER: u64 = 200_000;

/// The matches of the last filter, and the data they were read from.
#[derive(Debug, Default)]
pub struct Cache {
    set: Mutex<Option<MatchSet>>,
    side: Arc<SideWrites>,
}

impl Cache {
    pub(super) fn sharing(side: &Arc<SideWrites>) -> Cache {
        Cache {
            set: Mutex::default(),
            side: Arc::clone(side),
        }
    }
}

#[derive(Debug)]
struct MatchSet {
    scope: Scope,
    version: (i64, u64),
    rows: Vec<Match>,
}

/// What the kept rows are the matches of.
#[derive(Debug)]
enum Scope {
    /// This filter, all of it: the search index's ids were narrowed by its region and dates.
    Filter(FilingFilter),
    /// The company fragment and search text alone. When nothing narrowed the ids, every
    /// candidate is looked up anyway, so all of the fragment's matches are kept, and any filter
    /// with the same fragment (a region, a year, a kind or flags clicked after typing it) is
    /// answered by testing the kept columns as `kept_counts` tests them, without SQL.
    Fragment {
        company: Option<String>,
        search: Option<String>,
        /// One row per kept match, in the same order.
        columns: Counts,
    },
    /// The fragment and search text match too many filings to keep (no rows are kept): counting
    /// a common phrase's matches in the search index takes up to 150 ms at 1M, and every filter
    /// with it would count them again only to be declined.
    TooMany {
        company: Option<String>,
        search: Option<String>,
    },
}

impl MatchSet {
    /// Whether the set can tell which of its rows `filter` takes.
    fn answers(&self, filter: &FilingFilter) -> bool {
        match &self.scope {
            Scope::Filter(f) => f == filter,
            Scope::Fragment {
                company, search, ..
            } => *company == filter.company && *search == filter.search,
            Scope::TooMany { .. } => false,
        }
    }

    /// The kept rows `filter` takes, when the set can tell.
    fn answering(&self, filter: &FilingFilter) -> Option<Vec<&Match>> {
        if !self.answers(filter) {
            return None;
        }
        Some(match &self.scope {
            Scope::Fragment { columns, .. } => self
                .rows
                .iter()
                .zip(columns.taken(filter))
                .filter_map(|(m, taken)| taken.then_some(m))
                .collect(),
            Scope::Filter(_) | Scope::TooMany { .. } => self.rows.iter().collect(),
        })
    }

    /// Whether the set says `filter`'s fragment has too many matches to keep.
    fn too_many(&self, filter: &FilingFilter) -> bool {
        matches!(&self.scope, Scope::TooMany { company, search }
            if *company == filter.company && *search == filter.search)
    }
}

#[cfg(test)]
impl Cache {
    /// The company fragment and search text whose matches are all kept, if that is what is kept.
    pub(super) fn kept_fragment(&self) -> Option<(Option<String>, Option<String>)> {
        let kept = self.set.lock().unwrap_or_else(|e| e.into_inner());
        match &kept.as_ref()?.scope {
            Scope::Fragment {
                company, search, ..
            } => Some((company.clone(), search.clone())),
            Scope::Filter(_) | Scope::TooMany { .. } => None,
        }
    }
}

/// One matching filing: its id, the eight sortable columns (in [`SORT_COLUMNS`] order), and the
/// year and flagged facets as SQL computes them.
#[derive(Debug)]
struct Match {
    id: i64,
    sort: [Value; 8],
    year: Value,
    flagged: Value,
}

const SORT_COLUMNS: &str = "f.number_key, f.kind, f.region, f.model, f.company, f.filed_on, \
     f.seq, f.first_batch_id, substr(f.filed_on, 1, 4), f.flags <> '', f.flags";

fn column(field: SortField) -> usize {
    match field {
        SortField::Number => 0,
        SortField::Kind => 1,
        SortField::Region => 2,
        SortField::Model => 3,
        SortField::Company => 4,
        SortField::FiledOn => 5,
        SortField::Seq => 6,
        SortField::Batch => 7,
    }
}

/// The page of `q`, when its filter is one this module answers.
pub(super) fn list(
    conn: &Connection,
    cache: &Cache,
    q: &FilingQuery,
) -> Result<Option<FilingPage>> {
    with_matches(conn, cache, &q.filter, |rows| {
        let total = rows.len() as u64;
        if q.limit == 0 || q.offset >= total {
            return Ok(FilingPage {
                total,
                rows: Vec::new(),
            });
        }
        let mut order = rows;
        let cmp = |a: &&Match, b: &&Match| -> Ordering {
            match q.sort {
                None => sql_cmp(&a.sort[5], &b.sort[5])
                    .then_with(|| sql_cmp(&a.sort[6], &b.sort[6]))
                    .then(a.id.cmp(&b.id)),
                Some(s) => {
                    let k = column(s.field);
                    let o = sql_cmp(&a.sort[k], &b.sort[k]).then(a.id.cmp(&b.id));
                    if s.desc {
                        o.reverse()
                    } else {
                        o
                    }
                }
            }
        };
        let end = (q.offset.saturating_add(q.limit as u64)).min(total) as usize;
        if end < order.len() {
            order.select_nth_unstable_by(end - 1, cmp);
            order.truncate(end);
        }
        order.sort_unstable_by(cmp);
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {ROW_COLUMNS} FROM filings f WHERE f.id = ?"
        ))?;
        let mut page = Vec::with_capacity(end - q.offset as usize);
        for m in &order[q.offset as usize..end] {
            page.push(stmt.query_row([m.id], filing_row)?);
        }
        Ok(FilingPage { total, rows: page })
    })
}

/// The facets of `filter`, when it is one this module answers.
pub(super) fn facets(
    conn: &Connection,
    cache: &Cache,
    filter: &FilingFilter,
) -> Result<Option<Facets>> {
    with_matches(conn, cache, filter, |rows| {
        let mut tally = FacetTally::default();
        for m in rows {
            let batch = match m.sort[7] {
                Value::Integer(b) => Some(b),
                _ => None,
            };
            let flagged = match m.flagged {
                Value::Integer(f) => Some(f),
                _ => None,
            };
            tally.add(
                ValueRef::from(&m.sort[2]),
                ValueRef::from(&m.sort[1]),
                ValueRef::from(&m.year),
                batch,
                flagged,
                1,
            )?;
        }
        tally.finish(conn)
    })
}

/// Whether the kept matches answer `filter` without reading anything.
pub(super) fn kept_for(conn: &Connection, cache: &Cache, filter: &FilingFilter) -> Result<bool> {
    let version = super::filings_version(conn, &cache.side)?;
    let kept = cache.set.lock().unwrap_or_else(|e| e.into_inner());
    Ok(kept
        .as_ref()
        .filter(|set| set.version == version)
        .is_some_and(|set| set.answers(filter)))
}

fn with_matches<T>(
    conn: &Connection,
    cache: &Cache,
    filter: &FilingFilter,
    answer: impl FnOnce(Vec<&Match>) -> Result<T>,
) -> Result<Option<T>> {
    // Any commit by another connection or write by this one invalidates the kept matches.
    let version = super::filings_version(conn, &cache.side)?;
    let mut kept = cache.set.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(set) = kept.as_ref().filter(|set| set.version == version) {
        if set.too_many(filter) {
            return Ok(None);
        }
        if let Some(rows) = set.answering(filter) {
            return answer(rows).map(Some);
        }
    }
    // One read transaction for the thousands of lookups: otherwise each takes and drops the
    // shared lock (fcntl calls, a check of the WAL), a fifth of the time at 1M.
    let tx = if conn.is_autocommit() {
        Some(conn.unchecked_transaction()?)
    } else {
        None
    };
    let read = read(conn, filter, version)?;
    // Committed, not rolled back: the reads may have created the search index's vocabulary
    // table in `temp`, and undoing that would make every cached statement prepare again.
    if let Some(tx) = tx {
        tx.commit()?;
    }
    let Some((scope, rows)) = read else {
        return Ok(None);
    };
    let set = kept.insert(MatchSet {
        scope,
        version,
        rows,
    });
    // A set is read for its filter, so it answers it unless it holds too many; SQL answers then.
    let Some(rows) = set.answering(filter) else {
        return Ok(None);
    };
    answer(rows).map(Some)
}

/// The most matches of a company fragment alone worth keeping here: a twentieth of the
/// registry, within [MIN_FRAGMENT_LIMIT, MAX_CANDIDATES]. A match read here costs about as
/// much as two filings read into the company columns, so more than a twentieth of the
/// registry's matches cost over a ninth of reading the columns, which then answer every later
/// fragment in a few milliseconds: such a fragment is left to them. At 100k, 科技 (49,705
/// matches) and 智能 (19,862) were read here at up to 100 ms per fragment typed, and the
/// columns were never read; at 1M the limit is MAX_CANDIDATES, as before.
fn fragment_limit(conn: &Connection) -> Result<u64> {
    // The largest id stands for the number of filings: one step down the table's b-tree.
    let last: i64 = conn
        .prepare_cached("SELECT coalesce(max(id), 0) FROM filings")?
        .query_row([], |r| r.get(0))?;
    Ok(fragment_limit_of(last.max(0) as u64))
}

/// [`fragment_limit`] of a registry of `filings`.
pub(super) fn fragment_limit_of(filings: u64) -> u64 {
    (filings / COLUMNS_SHARE).clamp(MIN_FRAGMENT_LIMIT, MAX_CANDIDATES)
}

/// The filter's matches (or all of its fragment's, see [`Scope`]; none when they are too many to
/// keep), or `None` when the filter has no company fragment the search index can narrow.
fn read(
    conn: &Connection,
    filter: &FilingFilter,
    version: (i64, u64),
) -> Result<Option<(Scope, Vec<Match>)>> {
    let Some(company) = filter
        .company
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    else {
        return Ok(None);
    };
    let Some(company_expr) = search::company_prefilter(company) else {
        return Ok(None);
    };
    let search = filter.search.as_deref().and_then(search::match_expression);
    let most = match search {
        Some(_) => MAX_CANDIDATES,
        None => fragment_limit(conn)?,
    };
    // Counted only as far as the test below looks: one condition is too many past `most`,
    // any of two past MAX_OTHER. A capped count changes no answer of it.
    let cap = if search.is_some() {
        MAX_OTHER + 1
    } else {
        most + 1
    };
    let mut conds = vec![(index_matches_upto(conn, &company_expr, cap)?, company_expr)];
    if let Some(expr) = search {
        conds.push((index_matches_upto(conn, &expr, cap)?, expr));
    }
    conds.sort_by_key(|c| c.0);
    if conds[0].0 > most || conds.iter().any(|c| c.0 > MAX_OTHER) {
        let scope = Scope::TooMany {
            company: filter.company.clone(),
            search: filter.search.clone(),
        };
        return Ok(Some((scope, Vec::new())));
    }
    let mut ids: Option<Vec<i64>> = None;
    let mut stmt =
        conn.prepare_cached("SELECT rowid FROM filing_search WHERE filing_search MATCH ?")?;
    for (_, expr) in &conds {
        let mut found = stmt
            .query_map([expr], |r| r.get::<_, i64>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        found.sort_unstable();
        ids = Some(match ids {
            None => found,
            Some(prev) => intersect(&prev, &found),
        });
    }
    let mut ids = ids.unwrap_or_default();
    let mut narrowed = false;
    if !filter.regions.is_empty() && !ids.is_empty() {
        // The region's (and dates') ids come from an index alone; reading them is cheaper than
        // looking up the candidates when there are fewer of them than about four candidates
        // (a lookup by id costs about four index steps).
        let scope = FilingFilter {
            regions: filter.regions.clone(),
            year: filter.year,
            from: filter.from.clone(),
            to: filter.to.clone(),
            ..Default::default()
        };
        let in_scope = super::browse::total(conn, None, &scope)?;
        if in_scope < ids.len() as u64 * 4 {
            let (w, args) = where_clause(&scope);
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT f.id FROM filings f INDEXED BY filings_region {w}"
            ))?;
            let mut region_ids = stmt
                .query_map(params_from_iter(args.iter()), |r| r.get::<_, i64>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            region_ids.sort_unstable();
            ids = intersect(&ids, &region_ids);
            narrowed = true;
        }
    }
    let fragment = FilingFilter {
        company: filter.company.clone(),
        search: filter.search.clone(),
        ..Default::default()
    };
    let tested = if narrowed { filter } else { &fragment };
    let (w, rest) = where_clause_as(tested, Membership::Known);
    let cond = w
        .strip_prefix("WHERE ")
        .map(|c| format!(" AND {c}"))
        .unwrap_or_default();
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {SORT_COLUMNS} FROM filings f WHERE f.id = ?{cond}"
    ))?;
    // The filter's own parameters are bound once; only the id changes from row to row (a reset
    // keeps the bindings).
    for (i, v) in rest.iter().enumerate() {
        stmt.raw_bind_parameter(i + 2, v)?;
    }
    let mut out = Vec::new();
    let mut columns = CountsBuilder::new(version);
    let mut fits = true;
    for id in ids {
        stmt.raw_bind_parameter(1, id)?;
        let mut rows = stmt.raw_query();
        if let Some(r) = rows.next()? {
            let v = |i: usize| r.get::<_, Value>(i);
            let m = Match {
                id,
                sort: [v(0)?, v(1)?, v(2)?, v(3)?, v(4)?, v(5)?, v(6)?, v(7)?],
                year: v(8)?,
                flagged: v(9)?,
            };
            if !narrowed && fits {
                let batch = match m.sort[7] {
                    Value::Integer(b) => Some(b),
                    _ => None,
                };
                let (region, kind, filed_on) = (&m.sort[2], &m.sort[1], &m.sort[5]);
                fits = columns.push(
                    region.into(),
                    kind.into(),
                    filed_on.into(),
                    batch,
                    r.get_ref(10)?,
                    1,
                )?;
            }
            out.push(m);
        }
    }
    if narrowed {
        return Ok(Some((Scope::Filter(filter.clone()), out)));
    }
    // At most MAX_CANDIDATES rows always fit the packing; should they not, SQL answers.
    let Some(columns) = fits.then(|| columns.finish()).transpose()?.flatten() else {
        return Ok(None);
    };
    let scope = Scope::Fragment {
        company: filter.company.clone(),
        search: filter.search.clone(),
        columns,
    };
    Ok(Some((scope, out)))
}

fn intersect(a: &[i64], b: &[i64]) -> Vec<i64> {
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(a.len().min(b.len()));
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            Ordering::Less => i += 1,
            Ordering::Greater => j += 1,
            Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

/// SQLite's order for values of a column under the BINARY collation.
fn sql_cmp(a: &Value, b: &Value) -> Ordering {
    fn class(v: &Value) -> u8 {
        match v {
            Value::Null => 0,
            Value::Integer(_) | Value::Real(_) => 1,
            Value::Text(_) => 2,
            Value::Blob(_) => 3,
        }
    }
    match (a, b) {
        (Value::Integer(x), Value::Integer(y)) => x.cmp(y),
        (Value::Integer(x), Value::Real(y)) => (*x as f64).total_cmp(y),
        (Value::Real(x), Value::Integer(y)) => x.total_cmp(&(*y as f64)),
        (Value::Real(x), Value::Real(y)) => x.total_cmp(y),
        (Value::Text(x), Value::Text(y)) => x.as_bytes().cmp(y.as_bytes()),
        (Value::Blob(x), Value::Blob(y)) => x.cmp(y),
        _ => class(a).cmp(&class(b)),
    }
}
