//! The Filings screen's two queries — a sorted page with its total, and the facet counts — at a
//! million filings. They answer exactly what the plain SQL in `filings.rs` answers (the tests
//! compare them row for row); what changes is how SQLite is asked:
//!
//! - Facets read `filing_counts` (or the matching filings) once and count the five facets in
//!   Rust, instead of five `GROUP BY`s over the same rows; while the data is unchanged, totals
//!   and facets that `filing_counts` answers come from its copy in memory (`kept_counts`).
//! - The total comes first, and decides the page's plan. When matches are dense, the page walks
//!   an index that is already in the sort order and stops after `offset + limit` matches, asking
//!   the search index about each row it passes; when they are sparse, the matches are found
//!   through the filter and sorted. SQLite's planner cannot make that choice itself, because it
//!   does not know how many rows match.
//! - A search with no other filter is counted in the search index alone.
//! - A common word under the facet panel's conditions is counted, and its page found, against
//!   its matches and the facet columns kept in memory (`facet_columns`): the page walks an index
//!   in the page's order reading ids only, with no search-index probe per row.

use super::company_columns;
use super::facet_columns;
use super::filings::{
    counts_source, filing_row, order_by, where_clause, where_clause_as, Membership, ROW_COLUMNS,
};
use super::kept_counts::{Dates, Kept};
use super::matches::{self, Cache};
use crate::error::Result;
use crate::query::{
    FacetCount, Facets, FilingFilter, FilingPage, FilingQuery, FilingRow, SortField,
};
use crate::region::Regions;
use crate::search;
use crate::stats::Grouping;
use rusqlite::types::{Value, ValueRef};
use rusqlite::{params, params_from_iter, Connection, OptionalExtension};
use std::collections::HashMap;

/// Rows a page may walk in sort order before sorting the matches is the cheaper way. A walked
/// row costs an index step and a row lookup; a probe of the search index costs about 20 µs more
/// (measured at 1M), so walks that probe stop much sooner.
const WALK: WalkLimits = WalkLimits {
    rows: 20_000,
    probed_rows: 1_000,
};

/// Rows a page of a common word may walk in sort order testing each against the word's kept
/// matches (see [`facet_columns::search_page`]): a whole index's million ids took 60–75 ms to
/// read at 1M, so 200,000 are about 12–15 ms. Matches bunched at the far end of the order (a
/// word only recent filings have, in date order) make a walk longer than this estimate, up to
/// the whole index.
const WALK_KEPT: u64 = 200_000;

#[derive(Debug, Clone, Copy)]
struct WalkLimits {
    rows: u64,
    probed_rows: u64,
}

pub(super) fn list(
    conn: &Connection,
    cache: &Cache,
    columns: &facet_columns::Kept,
    counts: &Kept,
    companies: &company_columns::Kept,
    q: &FilingQuery,
) -> Result<FilingPage> {
    // The kept company columns before matches not read yet: with them, a fragment's page is a
    // walk of ids, where the matches are read with their rows first (110 ms for 深圳's 40,000
    // at 1M). Matches read already answer every page and sort in a few milliseconds.
    if !matches::kept_for(conn, cache, &q.filter)? {
        if let Some(page) = companies.page(conn, q, WALK_KEPT)? {
            return Ok(page);
        }
    }
    if let Some(page) = matches::list(conn, cache, q)? {
        return Ok(page);
    }
    let total = match companies.total(conn, &q.filter)? {
        Some(n) => Some(n),
        None => match common_search(conn, counts, &q.filter)? {
            Some(expr) => {
                if let Some(page) = facet_columns::search_page(conn, columns, &expr, q, WALK_KEPT)?
                {
                    return Ok(page);
                }
                facet_columns::search_total(conn, columns, &expr, &q.filter)?
            }
            None => None,
        },
    };
    list_from(conn, Some(counts), q, WALK, total)
}

/// The search expression of a common word under the facet panel's conditions, whose total and
/// page the kept columns answer as they answer its facets (see [`facet_columns`]): SQL looked
/// every match up by id, about 60 ms for 科技 in 北京 at 1M on every page and sort. `None` for
/// any other filter.
fn common_search(
    conn: &Connection,
    counts: &Kept,
    filter: &FilingFilter,
) -> Result<Option<String>> {
    // Most pages have no search text: they leave before any filter is copied or written out.
    let Some(text) = filter.search.as_deref() else {
        return Ok(None);
    };
    // A search alone is counted in the index itself (see `total`).
    if !facet_columns::answers(filter) || search_only(filter).is_some() {
        return Ok(None);
    }
    let Some(expr) = search::match_expression(text) else {
        return Ok(None);
    };
    if counts.index_matches(conn, &expr, || index_matches(conn, text, &expr))? <= COLUMNS_FROM {
        return Ok(None);
    }
    Ok(Some(expr))
}

/// `counts`: the kept counts, to read totals from instead of `filing_counts` (`None` in the
/// tests of the SQL).
fn list_with(
    conn: &Connection,
    counts: Option<&Kept>,
    q: &FilingQuery,
    limits: WalkLimits,
) -> Result<FilingPage> {
    list_from(conn, counts, q, limits, None)
}

/// `known_total`: the filter's total when it was counted elsewhere.
fn list_from(
    conn: &Connection,
    counts: Option<&Kept>,
    q: &FilingQuery,
    limits: WalkLimits,
    known_total: Option<u64>,
) -> Result<FilingPage> {
    let total = match known_total {
        Some(n) => n,
        None => total(conn, counts, &q.filter)?,
    };
    if total == 0 || q.limit == 0 || q.offset >= total {
        return Ok(FilingPage {
            total,
            rows: Vec::new(),
        });
    }
    if let Some(rows) = by_region(conn, counts, q, limits)? {
        return Ok(FilingPage { total, rows });
    }
    let walk = walk_index(conn, counts, q, total, limits)?;
    let (mut where_sql, mut args, drive) = match walk {
        Some(_) => {
            let (w, a) = where_clause_as(&q.filter, Membership::Probe);
            (w, a, false)
        }
        None => where_for(conn, counts, &q.filter)?,
    };
    if walk == Some("filings_region_id") {
        // Ids follow the order rows were imported in, which is mostly date order, so a date
        // filter's matches sit at one end of the region's (region, id) stretch: bound the walk
        // by the first and last matching id instead of crossing the region's other years.
        if let Some((first, last)) = date_id_bounds(conn, &q.filter)? {
            where_sql.push_str(" AND f.id BETWEEN ? AND ?");
            args.push(Value::Integer(first));
            args.push(Value::Integer(last));
        }
    }
    let from = match walk {
        Some(index) => format!("filings f INDEXED BY {index}"),
        // Otherwise SQLite walks the region's stretch of a sort-order index, testing every row.
        None if drive => "filings f NOT INDEXED".into(),
        None if q.filter.flagged == Some(true) => "filings f INDEXED BY filings_flagged".into(),
        None => "filings f".into(),
    };
    let sql = format!(
        "SELECT {ROW_COLUMNS} FROM {from} {where_sql} {} LIMIT ? OFFSET ?",
        order_by(q)
    );
    let mut all = args;
    all.push(Value::Integer(q.limit as i64));
    all.push(Value::Integer(q.offset.min(i64::MAX as u64) as i64));
    let mut stmt = conn.prepare_cached(&sql)?;
    let rows = stmt
        .query_map(params_from_iter(all.iter()), filing_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(FilingPage { total, rows })
}

/// A page sorted by region across several regions (or all), as pages of single regions: the
/// counts say which regions the page falls in and at what offset, and each region's page walks
/// that region's rows in id order. One walk over every region would cross whole regions, and
/// with a date filter whole years of each, before reaching the page. `None` when the counts
/// cannot say (filters on company or search text) or the filter already has one region.
fn by_region(
    conn: &Connection,
    counts: Option<&Kept>,
    q: &FilingQuery,
    limits: WalkLimits,
) -> Result<Option<Vec<FilingRow>>> {
    let Some(sort) = q.sort.filter(|s| s.field == SortField::Region) else {
        return Ok(None);
    };
    let (source, count) = counts_source(&q.filter);
    if q.filter.regions.len() == 1 || count == "COUNT(*)" {
        return Ok(None);
    }
    let kept = match counts {
        Some(k) => k.grouped(conn, &q.filter, Dates::Any, Grouping::Region)?,
        None => None,
    };
    let mut regions: Vec<(String, u64)> = match kept {
        Some(groups) => groups
            .into_iter()
            .filter_map(|(r, n)| Some((r?, n)))
            .collect(),
        None => {
            let (where_sql, args) = where_clause(&q.filter);
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT f.region, {count} FROM {source} {where_sql} GROUP BY f.region"
            ))?;
            let rows = stmt
                .query_map(params_from_iter(args.iter()), |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            rows
        }
    };
    // Each part names its region through the filter, which resolves names: every region must
    // resolve to itself (a hand-entered region that does not is left to the plain plan).
    let bundled = Regions::bundled();
    if !regions
        .iter()
        .all(|(r, _)| bundled.find(r).is_some_and(|x| &x.name == r))
    {
        return Ok(None);
    }
    // SQLite compares text bytewise, as `str` does.
    regions.sort_by(|a, b| a.0.cmp(&b.0));
    if sort.desc {
        regions.reverse();
    }
    let mut skip = q.offset;
    let mut rows = Vec::new();
    for (region, n) in regions {
        if rows.len() >= q.limit as usize {
            break;
        }
        if skip >= n {
            skip -= n;
            continue;
        }
        let part = FilingQuery {
            filter: FilingFilter {
                regions: vec![region],
                ..q.filter.clone()
            },
            sort: q.sort,
            limit: q.limit - rows.len() as u32,
            offset: skip,
        };
        rows.extend(list_with(conn, counts, &part, limits)?.rows);
        skip = 0;
    }
    Ok(Some(rows))
}

/// Only the filter's regions and dates: the part of it that bounds an index walk.
fn region_and_dates(f: &FilingFilter) -> FilingFilter {
    FilingFilter {
        regions: f.regions.clone(),
        year: f.year,
        from: f.from.clone(),
        to: f.to.clone(),
        ..Default::default()
    }
}

/// The first and last id among the filter's region and dates, read from (region, filed_on, id)
/// alone; `None` when the filter has no region or no dates.
fn date_id_bounds(conn: &Connection, f: &FilingFilter) -> Result<Option<(i64, i64)>> {
    if f.regions.is_empty() || (f.year.is_none() && f.from.is_none() && f.to.is_none()) {
        return Ok(None);
    }
    let scope = region_and_dates(f);
    let (where_sql, args) = where_clause(&scope);
    let bounds: (Option<i64>, Option<i64>) = conn.query_row(
        &format!(
            "SELECT min(f.id), max(f.id) FROM filings f INDEXED BY filings_region {where_sql}"
        ),
        params_from_iter(args.iter()),
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    Ok(bounds.0.zip(bounds.1))
}

/// How many documents of the search index match `expr` (the expression for `text`): for one
/// term, the document count the index keeps for it.
pub(super) fn index_matches(conn: &Connection, text: &str, expr: &str) -> Result<u64> {
    if let Some(term) = search::single_term(text) {
        return term_documents(conn, &term);
    }
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM filing_search WHERE filing_search MATCH ?",
        [expr],
        |r| r.get(0),
    )?;
    Ok(n as u64)
}

/// [`index_matches`], counted no further than `cap`: a common phrase's matches are many
/// (有限公司: 800,000 at 1M, 80 ms to count), and a caller that only asks whether they are
/// more than `cap` - 1 stops there. Not from the vocabulary for a single term, as
/// `index_matches` counts it: that too reads every match (6 ms for 有限).
pub(super) fn index_matches_upto(conn: &Connection, expr: &str, cap: u64) -> Result<u64> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM
           (SELECT 1 FROM filing_search WHERE filing_search MATCH ? LIMIT ?)",
        params![expr, cap.min(i64::MAX as u64) as i64],
        |r| r.get(0),
    )?;
    Ok(n as u64)
}

/// The number of documents holding one term of the search index.
fn term_documents(conn: &Connection, term: &str) -> Result<u64> {
    // The index keeps a document count per term and segment; deleted documents are left out
    // (they are counted off the same iterator that skips them for MATCH).
    conn.execute_batch(
        "CREATE VIRTUAL TABLE IF NOT EXISTS temp.filing_search_terms
         USING fts5vocab(main, filing_search, row)",
    )?;
    let n: Option<i64> = conn
        .query_row(
            "SELECT doc FROM temp.filing_search_terms WHERE term = ?",
            [term],
            |r| r.get(0),
        )
        .optional()?;
    Ok(n.unwrap_or(0) as u64)
}

/// The number of filings under `filter`, from the kept counts when given and the filter allows.
pub(super) fn total(
    conn: &Connection,
    counts: Option<&Kept>,
    filter: &FilingFilter,
) -> Result<u64> {
    if let Some(term) =
        search_only(filter).and(filter.search.as_deref().and_then(search::single_term))
    {
        // A two-character search is one term of the index.
        return term_documents(conn, &term);
    }
    if let Some(expr) = search_only(filter) {
        // Every document in the index is a filing's (they are written and replaced together),
        // so counting the index's matches counts the filings.
        let n: i64 = conn.query_row(
            "SELECT count(*) FROM filing_search WHERE filing_search MATCH ?",
            [expr],
            |r| r.get(0),
        )?;
        return Ok(n as u64);
    }
    if let Some(k) = counts {
        if let Some(n) = k.total(conn, filter, Dates::Any)? {
            return Ok(n);
        }
    }
    let (where_sql, args, drive) = where_for(conn, counts, filter)?;
    let (source, count) = source(filter, drive);
    let total: i64 = conn.query_row(
        &format!("SELECT coalesce({count}, 0) FROM {source} {where_sql}"),
        params_from_iter(args.iter()),
        |r| r.get(0),
    )?;
    Ok(total as u64)
}

/// The filter's WHERE clause for reading the matches, with the search index's matches driving
/// the query when they are few beside the rows SQLite would otherwise read: a rare word in 北京
/// is a few dozen row lookups, where reading 北京's rows to test each is 300,000; a company
/// fragment sorted by number is its matches sorted, not the whole number index walked.
/// Also says whether the matches drive it (then no index of `filings` should be walked).
fn where_for(
    conn: &Connection,
    counts: Option<&Kept>,
    filter: &FilingFilter,
) -> Result<(String, Vec<Value>, bool)> {
    let searched = filter
        .search
        .as_deref()
        .and_then(|s| Some((s, search::match_expression(s)?)));
    let company = filter
        .company
        .as_deref()
        .map(str::trim)
        .and_then(|c| Some((c, search::company_prefilter(c)?)));
    if searched.is_none() && company.is_none() {
        let (w, a) = where_clause(filter);
        return Ok((w, a, false));
    }
    let count = |(text, expr): &(&str, String)| match counts {
        Some(k) => k.index_matches(conn, expr, || index_matches(conn, text, expr)),
        None => index_matches(conn, text, expr),
    };
    let searched_matches = searched.as_ref().map_or(Ok(u64::MAX), count)?;
    let company_matches = company.as_ref().map_or(Ok(u64::MAX), count)?;
    let matches = searched_matches.min(company_matches);
    // The rows SQLite would read otherwise: the region's (and dates') stretch of an index, or,
    // without a region, a sort-order index or a date range across the whole table.
    let scope = if filter.regions.is_empty() {
        conn.query_row("SELECT coalesce(max(id), 0) FROM filings", [], |r| {
            r.get::<_, i64>(0)
        })? as u64
    } else {
        total(
            conn,
            counts,
            &FilingFilter {
                regions: filter.regions.clone(),
                year: filter.year,
                from: filter.from.clone(),
                to: filter.to.clone(),
                ..Default::default()
            },
        )?
    };
    // A lookup by id costs about four times a step along an index (measured at 1M).
    let drive = matches.saturating_mul(4) < scope;
    // A fragment most of the rows read hold (有限公司, 科技) prunes too few of them to be worth
    // listing its matches; instr() tests it on each row read instead.
    let membership = if drive {
        Membership::Drive
    } else if company.is_some() && company_matches.saturating_mul(2) >= scope {
        Membership::ListSearchOnly
    } else {
        Membership::List
    };
    let (w, a) = where_clause_as(filter, membership);
    Ok((w, a, drive))
}

/// Where to count `filter`'s filings ([`counts_source`]): by id when the search index's matches
/// drive; with the flagged rows' own index when the filings must be read and only flagged ones
/// match (SQLite, without statistics, would rather scan a region or a year).
fn source(filter: &FilingFilter, drive: bool) -> (&'static str, &'static str) {
    match counts_source(filter) {
        ("filings f", count) if drive => ("filings f NOT INDEXED", count),
        ("filings f", count) if filter.flagged == Some(true) => {
            ("filings f INDEXED BY filings_flagged", count)
        }
        other => other,
    }
}

/// The search expression when the search box is the filter's only condition.
fn search_only(filter: &FilingFilter) -> Option<String> {
    let expr = filter
        .search
        .as_deref()
        .and_then(search::match_expression)?;
    let rest = FilingFilter {
        search: None,
        ..filter.clone()
    };
    where_clause(&rest).0.is_empty().then_some(expr)
}

/// The index to walk for the page, when walking it in sort order reaches `offset + limit`
/// matches sooner than sorting every match would.
fn walk_index(
    conn: &Connection,
    counts: Option<&Kept>,
    q: &FilingQuery,
    total: u64,
    limits: WalkLimits,
) -> Result<Option<&'static str>> {
    let f = &q.filter;
    if f.flagged == Some(true) {
        // The flagged rows are few and have their own index; reading them all is cheaper than
        // walking a sort order in which they are spread thin.
        return Ok(None);
    }
    let one_region = f.regions.len() == 1;
    let field = q.sort.map(|s| s.field);
    let probes = f
        .search
        .as_deref()
        .and_then(search::match_expression)
        .is_some()
        || f.company
            .as_deref()
            .and_then(search::company_prefilter)
            .is_some();
    let index = match field {
        // The screen's own order, exactly. The date indexes below would leave each day's rows
        // to be sorted by seq, and a walk must then read a whole day (10,000 rows when a file
        // has one date) before it can stop; with a probe of the search index per row, that is
        // seconds.
        None if probes => "filings_listed",
        // (region, filed_on, id) is in date order once the region is fixed.
        None | Some(SortField::FiledOn) if one_region => "filings_region",
        None | Some(SortField::FiledOn) => "filings_filed_on",
        Some(SortField::Region) => "filings_region_id",
        Some(SortField::Model) if one_region => "filings_region_model",
        Some(SortField::Model) => "filings_model",
        Some(SortField::Batch) => "filings_first_batch",
        // Numbers start with the region's prefix and companies with a city, so with a region
        // filter the matches sit in one stretch of these orders and a walk crosses the rest.
        Some(SortField::Number) if f.regions.is_empty() => "sqlite_autoindex_filings_1",
        Some(SortField::Company) if f.regions.is_empty() => "filings_company",
        // With one region, its own stretch of (region, number_key) / (region, company, id).
        Some(SortField::Number) if one_region => "filings_region_number",
        Some(SortField::Company) if one_region => "filings_region_company",
        _ => return Ok(None),
    };
    // Rows the walk passes if the matches are spread evenly over the rows the index scans.
    let scope = match scope_rows(conn, counts, f, index)? {
        Some(n) => n,
        None => conn.query_row("SELECT coalesce(max(id), 0) FROM filings", [], |r| {
            r.get::<_, i64>(0)
        })? as u64,
    };
    let want = q.offset.saturating_add(q.limit as u64);
    let walked = want as f64 * scope.max(total) as f64 / total as f64;
    let limit = if probes {
        limits.probed_rows
    } else {
        limits.rows
    };
    Ok((walked <= limit as f64).then_some(index))
}

/// How many rows the walk of `index` can pass at most: the filter's region (and dates) for the
/// region indexes, whose leading column the filter fixes; `None` for the whole table.
fn scope_rows(
    conn: &Connection,
    counts: Option<&Kept>,
    f: &FilingFilter,
    index: &str,
) -> Result<Option<u64>> {
    let scoped = match index {
        "filings_region"
        | "filings_region_id"
        | "filings_region_number"
        | "filings_region_company"
        | "filings_region_model" => !f.regions.is_empty(),
        "filings_filed_on" | "filings_listed" => {
            f.year.is_some() || f.from.is_some() || f.to.is_some()
        }
        _ => false,
    };
    if !scoped {
        return Ok(None);
    }
    let scope = region_and_dates(f);
    // These indexes do not lead with the date after the region, so the walk may cross all of
    // the region's rows whatever the dates.
    let scope = if matches!(
        index,
        "filings_region_id"
            | "filings_region_number"
            | "filings_region_company"
            | "filings_region_model"
    ) {
        FilingFilter {
            year: None,
            from: None,
            to: None,
            ..scope
        }
    } else {
        scope
    };
    Ok(Some(total(conn, counts, &scope)?))
}

/// The five facets from one pass over the counts (or the matching filings).
/// The matches beyond which a search's facets are counted by [`facet_columns`]: 20,000 lookups
/// by id take about 40 ms, reading the columns of 1M filings once about 0.4 s.
#[cfg(not(test))]
const COLUMNS_FROM: u64 = 20_000;
/// Low enough in tests that the test registries' common words take the kept columns' paths in
/// `list` and `facets`, which the tests compare with the plain SQL.
#[cfg(test)]
const COLUMNS_FROM: u64 = 200;

pub(super) fn facets(
    conn: &Connection,
    cache: &Cache,
    columns: &facet_columns::Kept,
    counts: &Kept,
    companies: &company_columns::Kept,
    filter: &FilingFilter,
) -> Result<Facets> {
    if let Some(facets) = counts.facets(conn, filter)? {
        return Ok(facets);
    }
    // As for a page (see `list`): kept company columns before matches not read yet, which
    // would first count the fragment's matches in the search index.
    if !matches::kept_for(conn, cache, filter)? {
        if let Some(facets) = companies.facets(conn, filter, false)? {
            return Ok(facets);
        }
    }
    if let Some(facets) = matches::facets(conn, cache, filter)? {
        return Ok(facets);
    }
    if let Some(facets) = companies.facets(conn, filter, true)? {
        return Ok(facets);
    }
    // A common word: its matches are counted against the kept columns, not looked up one by one,
    // also under the conditions the facet panel adds (regions, kind, batch, flagged).
    let text = filter.search.as_deref();
    if let Some((text, expr)) = text
        .and_then(|t| Some((t, search::match_expression(t)?)))
        .filter(|_| facet_columns::answers(filter))
    {
        if counts.index_matches(conn, &expr, || index_matches(conn, text, &expr))? > COLUMNS_FROM {
            if let Some(facets) = facet_columns::search_facets(conn, columns, &expr, filter)? {
                return Ok(facets);
            }
        }
    }
    facets_read(conn, Some(counts), filter)
}

fn facets_read(conn: &Connection, counts: Option<&Kept>, filter: &FilingFilter) -> Result<Facets> {
    let (where_sql, args, drive) = where_for(conn, counts, filter)?;
    let (source, count) = source(filter, drive);
    // `filing_counts` already holds one row per combination; filings are grouped first so that
    // fewer rows cross into Rust.
    let (n, group) = if count == "COUNT(*)" {
        ("COUNT(*)", "GROUP BY 1, 2, 3, 4, 5")
    } else {
        ("f.n", "")
    };
    let sql = format!(
        "SELECT f.region, f.kind, substr(f.filed_on, 1, 4), f.first_batch_id, f.flags <> '', {n}
         FROM {source} {where_sql} {group}"
    );
    let mut tally = FacetTally::default();
    let mut stmt = conn.prepare_cached(&sql)?;
    let mut rows = stmt.query(params_from_iter(args.iter()))?;
    while let Some(r) = rows.next()? {
        tally.add(
            r.get_ref(0)?,
            r.get_ref(1)?,
            r.get_ref(2)?,
            r.get::<_, Option<i64>>(3)?,
            r.get::<_, Option<i64>>(4)?,
            r.get::<_, i64>(5)? as u64,
        )?;
    }
    drop(rows);
    tally.finish(conn)
}

/// The five facets' counts as rows (or groups of `n` rows) are added.
// A few dozen regions, two kinds, a handful of years: comparing bytes along a short list
// costs less per row than hashing the text (this loop sees 33,000 rows at 1M).
#[derive(Debug, Default)]
pub(super) struct FacetTally {
    region: Vec<(String, u64)>,
    kind: Vec<(String, u64)>,
    year: Vec<(String, u64)>,
    batch: HashMap<i64, u64>,
    flagged: [Option<u64>; 2],
}

fn add_to(list: &mut Vec<(String, u64)>, v: ValueRef<'_>, n: u64) -> rusqlite::Result<()> {
    if let ValueRef::Text(t) = v {
        match list.iter_mut().rev().find(|(k, _)| k.as_bytes() == t) {
            Some((_, c)) => *c += n,
            None => {
                let t = std::str::from_utf8(t).map_err(rusqlite::Error::Utf8Error)?;
                list.push((t.to_string(), n));
            }
        }
    }
    Ok(())
}

impl FacetTally {
    pub(super) fn add(
        &mut self,
        region: ValueRef<'_>,
        kind: ValueRef<'_>,
        year: ValueRef<'_>,
        batch: Option<i64>,
        flagged: Option<i64>,
        n: u64,
    ) -> rusqlite::Result<()> {
        add_to(&mut self.region, region, n)?;
        add_to(&mut self.kind, kind, n)?;
        add_to(&mut self.year, year, n)?;
        if let Some(b) = batch {
            *self.batch.entry(b).or_insert(0) += n;
        }
        if let Some(fl) = flagged {
            *self.flagged[usize::from(fl != 0)].get_or_insert(0) += n;
        }
        Ok(())
    }

    pub(super) fn finish(self, conn: &Connection) -> Result<Facets> {
        let FacetTally {
            region,
            kind,
            year,
            batch,
            flagged,
        } = self;
        // The orders the per-facet queries gave: by count then value, or by value descending.
        let by_count = |mut v: Vec<(String, u64)>| -> Vec<(String, u64)> {
            v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            v
        };
        let regions = Regions::bundled();
        let region = by_count(region)
            .into_iter()
            .map(|(v, n)| FacetCount {
                label: regions
                    .by_name(&v)
                    .map(|r| r.short_name().to_string())
                    .unwrap_or_else(|| v.clone()),
                value: v,
                count: n,
            })
            .collect();
        let plain = |(v, n): (String, u64)| FacetCount {
            label: v.clone(),
            value: v,
            count: n,
        };
        let kind = by_count(kind).into_iter().map(plain).collect();
        let mut years = year;
        years.sort_by(|a, b| b.0.cmp(&a.0));
        let year = years.into_iter().map(plain).collect();
        let names: HashMap<i64, String> = {
            let mut stmt = conn.prepare_cached("SELECT id, file_name FROM batches")?;
            let rows = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<Vec<(i64, String)>>>()?;
            rows.into_iter().collect()
        };
        let mut batches: Vec<(i64, u64)> = batch.into_iter().collect();
        batches.sort_by_key(|b| std::cmp::Reverse(b.0));
        let batch = batches
            .into_iter()
            .map(|(id, n)| FacetCount {
                value: id.to_string(),
                label: names
                    .get(&id)
                    .map(|name| format!("#{id} {name}"))
                    .unwrap_or_else(|| format!("#{id}")),
                count: n,
            })
            .collect();
        let flagged = [("true", flagged[1]), ("false", flagged[0])]
            .into_iter()
            .filter_map(|(v, n)| Some(plain((v.to_string(), n?))))
            .collect();
        Ok(Facets {
            region,
            kind,
            year,
            batch,
            flagged,
        })
    }
}

#[cfg(test)]
#[path = "browse_tests.rs"]
mod tests;
