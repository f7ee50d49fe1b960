//! `filing_counts` (schema 3) held in memory while the data is unchanged, for the totals, facets
//! and statistics of filters it can answer (no company, no search text).
//!
//! The table is small (33,000 rows at 1M filings, one per region, kind, day, batch and flags),
//! but SQLite takes 10–20 ms to read and group it, and the Filings screen reads it twice per
//! filter (the page's total, the facets), the Dashboard three times (undated, by region, by
//! day). Read once into a few bytes a row (about 15 ms at 1M, after opening or any write), a
//! filter's counts are then a loop over those rows in well under a millisecond.
//!
//! The conditions are those of `filings::where_clause` on the same columns, tested as SQLite
//! tests them: text compared bytewise, a date condition never true of an undated row, a flag
//! found with the same `instr(',' || flags || ',', ',code,')`. `browse_tests` compares every
//! figure with the SQL it replaces.

use super::browse::FacetTally;
use super::facet_columns::Distinct;
use super::filings::{reads_counts, region_names, year_bounds};
use crate::error::Result;
use crate::query::{Facets, FilingFilter};
use crate::stats::Grouping;
use crate::subsidy::eval::FxMap;
use rusqlite::types::ValueRef;
use rusqlite::Connection;
use std::sync::{Arc, Mutex};

/// The counts and the data version they were read at.
#[derive(Debug, Default)]
pub struct Kept {
    counts: Mutex<Option<Arc<Counts>>>,
    /// The search index's number of matches per expression, at one data version. Every page and
    /// count of a filter with a search text or company fragment asks it to choose its plan, and
    /// a fragment in most documents (有限公司) takes 110–180 ms to count at 1M.
    index_matches: Mutex<Option<IndexMatches>>,
    side: Arc<super::SideWrites>,
}

impl Kept {
    pub(super) fn sharing(side: &Arc<super::SideWrites>) -> Kept {
        Kept {
            side: Arc::clone(side),
            ..Kept::default()
        }
    }
}

type IndexMatches = ((i64, u64), FxMap<String, u64>);

/// More expressions than a session types; past it the list starts again.
const INDEX_MATCHES_KEPT: usize = 1024;

#[derive(Debug)]
pub(super) struct Counts {
    version: (i64, u64),
    rows: Vec<Row>,
    regions: Distinct,
    kinds: Distinct,
    /// Every date text, sorted as SQLite sorts text, so a range of dates is a range of numbers.
    days: Vec<String>,
    /// `substr(day, 1, 4)` of each day, numbered in `years`.
    day_year: Vec<u16>,
    years: Distinct,
    flags: Distinct,
}

#[derive(Debug, Clone, Copy)]
struct Row {
    region: u16,
    kind: u8,
    /// Into `days`; [`UNDATED`] for no date.
    day: u32,
    flags: u16,
    batch: Option<i64>,
    n: u64,
}

const UNDATED: u32 = u32::MAX;

/// Counts per group: the group's value as text (`None` for no value) and its filings.
pub(super) type Groups = Vec<(Option<String>, u64)>;

/// Which dates a count takes, on top of the filter's own.
#[derive(Debug, Clone, Copy)]
pub(super) enum Dates<'a> {
    Any,
    /// `filed_on <= ?`
    OnOrBefore(&'a str),
    /// `filed_on IS NULL`
    Undated,
}

/// A filter turned into tests on the numbered columns.
struct Matcher {
    regions: Option<Vec<bool>>,
    /// `None`: any kind; `Some(None)`: a kind no row has.
    kind: Option<Option<usize>>,
    /// Day numbers taken, when any condition is on the date (then undated rows are not).
    days: Option<std::ops::Range<u32>>,
    undated_only: bool,
    batch: Option<i64>,
    flags: Option<Vec<bool>>,
}

impl Matcher {
    fn takes(&self, r: &Row) -> bool {
        if let Some(regions) = &self.regions {
            if !regions[usize::from(r.region)] {
                return false;
            }
        }
        if let Some(kind) = self.kind {
            if kind != Some(usize::from(r.kind)) {
                return false;
            }
        }
        if self.undated_only && r.day != UNDATED {
            return false;
        }
        if let Some(days) = &self.days {
            if !days.contains(&r.day) {
                return false;
            }
        }
        if self.batch.is_some() && r.batch != self.batch {
            return false;
        }
        if let Some(flags) = &self.flags {
            if !flags[usize::from(r.flags)] {
                return false;
            }
        }
        true
    }
}

fn text_of(d: &Distinct, i: usize) -> Option<&str> {
    d.values[i].as_deref()
}

fn text(d: &Distinct, i: usize) -> ValueRef<'_> {
    match text_of(d, i) {
        Some(t) => ValueRef::Text(t.as_bytes()),
        None => ValueRef::Null,
    }
}

/// Rows numbered as they are added, then turned into [`Counts`].
pub(super) struct CountsBuilder {
    c: Counts,
    day_of: std::collections::HashMap<String, u32>,
}

impl CountsBuilder {
    pub(super) fn new(version: (i64, u64)) -> CountsBuilder {
        CountsBuilder {
            c: Counts {
                version,
                rows: Vec::new(),
                regions: Distinct::default(),
                kinds: Distinct::default(),
                days: Vec::new(),
                day_year: Vec::new(),
                years: Distinct::default(),
                flags: Distinct::default(),
            },
            day_of: Default::default(),
        }
    }

    /// Adds `n` filings with these columns; `false` when they do not fit the packing (too many
    /// distinct values), and the caller counts by SQL instead.
    pub(super) fn push(
        &mut self,
        region: ValueRef<'_>,
        kind: ValueRef<'_>,
        filed_on: ValueRef<'_>,
        batch: Option<i64>,
        flags: ValueRef<'_>,
        n: u64,
    ) -> Result<bool> {
        let c = &mut self.c;
        let region = c.regions.number(region)?;
        let kind = c.kinds.number(kind)?;
        let flags = c.flags.number(flags)?;
        let day = match filed_on {
            ValueRef::Null => UNDATED,
            v => {
                let t = v.as_str().map_err(rusqlite::Error::from)?;
                match self.day_of.get(t) {
                    Some(&d) => d,
                    None => {
                        let d = self.day_of.len() as u32;
                        self.day_of.insert(t.to_string(), d);
                        d
                    }
                }
            }
        };
        let (Ok(region), Ok(kind), Ok(flags)) = (
            u16::try_from(region),
            u8::try_from(kind),
            u16::try_from(flags),
        ) else {
            return Ok(false);
        };
        c.rows.push(Row {
            region,
            kind,
            day,
            flags,
            batch,
            n,
        });
        Ok(true)
    }

    /// [`push`](Self::push) for a row whose first five columns are `region, kind, filed_on,
    /// first_batch_id, flags`.
    pub(super) fn push_row(&mut self, r: &rusqlite::Row<'_>, n: u64) -> Result<bool> {
        self.push(
            r.get_ref(0)?,
            r.get_ref(1)?,
            r.get_ref(2)?,
            r.get(3)?,
            r.get_ref(4)?,
            n,
        )
    }

    /// `later`'s rows after these, its values numbered as these number them; `false` when the
    /// two do not fit the packing together.
    pub(super) fn append(&mut self, later: CountsBuilder) -> Result<bool> {
        let renumber = |ours: &mut Distinct, theirs: &Distinct| -> Result<Vec<usize>> {
            (0..theirs.values.len())
                .map(|i| ours.number(text(theirs, i)))
                .collect()
        };
        let c = &mut self.c;
        let regions = renumber(&mut c.regions, &later.c.regions)?;
        let kinds = renumber(&mut c.kinds, &later.c.kinds)?;
        let flags = renumber(&mut c.flags, &later.c.flags)?;
        let mut days = vec![0u32; later.day_of.len()];
        for (t, &d) in &later.day_of {
            let next = self.day_of.len() as u32;
            days[d as usize] = *self.day_of.entry(t.clone()).or_insert(next);
        }
        c.rows.reserve(later.c.rows.len());
        for r in &later.c.rows {
            let (Ok(region), Ok(kind), Ok(flags)) = (
                u16::try_from(regions[usize::from(r.region)]),
                u8::try_from(kinds[usize::from(r.kind)]),
                u16::try_from(flags[usize::from(r.flags)]),
            ) else {
                return Ok(false);
            };
            c.rows.push(Row {
                region,
                kind,
                day: if r.day == UNDATED {
                    UNDATED
                } else {
                    days[r.day as usize]
                },
                flags,
                ..*r
            });
        }
        Ok(true)
    }

    pub(super) fn finish(self) -> Result<Option<Counts>> {
        let CountsBuilder { mut c, day_of } = self;
        if day_of.len() >= UNDATED as usize {
            return Ok(None);
        }
        // Days numbered in text order, so that `<=` on text is `<=` on numbers.
        let mut days: Vec<(String, u32)> = day_of.into_iter().collect();
        days.sort_unstable();
        let mut renumber = vec![0u32; days.len()];
        for (new, (_, old)) in days.iter().enumerate() {
            renumber[*old as usize] = new as u32;
        }
        for r in &mut c.rows {
            if r.day != UNDATED {
                r.day = renumber[r.day as usize];
            }
        }
        c.days = days.into_iter().map(|(t, _)| t).collect();
        // `substr(filed_on, 1, 4)`: four characters, not bytes.
        for day in &c.days {
            let year: String = day.chars().take(4).collect();
            let y = c.years.number(ValueRef::Text(year.as_bytes()))?;
            c.day_year.push(u16::try_from(y).unwrap_or(u16::MAX));
        }
        if c.day_year.contains(&u16::MAX) {
            return Ok(None);
        }
        Ok(Some(c))
    }
}

impl Counts {
    /// Each row's values as text, in order (for comparing counts read in different ways).
    #[cfg(test)]
    pub(super) fn described(&self) -> Vec<String> {
        self.rows
            .iter()
            .map(|r| {
                format!(
                    "{:?} {:?} {:?} {:?} {:?} {}",
                    text_of(&self.regions, usize::from(r.region)),
                    text_of(&self.kinds, usize::from(r.kind)),
                    (r.day != UNDATED).then(|| &self.days[r.day as usize]),
                    text_of(&self.flags, usize::from(r.flags)),
                    r.batch,
                    r.n
                )
            })
            .collect()
    }

    fn read(conn: &Connection, version: (i64, u64)) -> Result<Option<Counts>> {
        let mut b = CountsBuilder::new(version);
        let mut stmt = conn.prepare_cached(
            "SELECT region, kind, filed_on, first_batch_id, flags, n FROM filing_counts",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let n = u64::try_from(r.get::<_, i64>(5)?).unwrap_or(0);
            if !b.push_row(r, n)? {
                // Not a registry this packing fits: SQL counts instead.
                return Ok(None);
            }
        }
        b.finish()
    }

    /// The filings under `filter` (its company and search text aside) among the rows `keep`
    /// keeps, by their index in the order they were added.
    pub(super) fn total_of(&self, filter: &FilingFilter, keep: impl Fn(usize) -> bool) -> u64 {
        let m = self.matcher(filter, Dates::Any);
        self.rows
            .iter()
            .enumerate()
            .filter(|(i, r)| m.takes(r) && keep(*i))
            .map(|(_, r)| r.n)
            .sum()
    }

    /// The five facets of the same filings, as `browse::facets_read` counts them: summed per
    /// numbered value first, so that a million rows cost a million additions, not a million
    /// walks along the tally's lists.
    pub(super) fn facets_of(
        &self,
        conn: &Connection,
        filter: &FilingFilter,
        keep: impl Fn(usize) -> bool,
    ) -> Result<Facets> {
        let m = self.matcher(filter, Dates::Any);
        let mut region = vec![0u64; self.regions.values.len()];
        let mut kind = vec![0u64; self.kinds.values.len()];
        let mut year = vec![0u64; self.years.values.len()];
        let mut flags = vec![0u64; self.flags.values.len()];
        let mut batch: Vec<(Option<i64>, u64)> = Vec::new();
        for (i, r) in self.rows.iter().enumerate() {
            if !m.takes(r) || !keep(i) {
                continue;
            }
            region[usize::from(r.region)] += r.n;
            kind[usize::from(r.kind)] += r.n;
            if r.day != UNDATED {
                year[usize::from(self.day_year[r.day as usize])] += r.n;
            }
            flags[usize::from(r.flags)] += r.n;
            // Batches come a file at a time: the last one is nearly always the one.
            match batch.iter_mut().rev().find(|(b, _)| *b == r.batch) {
                Some((_, n)) => *n += r.n,
                None => batch.push((r.batch, r.n)),
            }
        }
        let none = ValueRef::Null;
        let counted = |counts: Vec<u64>| {
            counts
                .into_iter()
                .enumerate()
                .filter(|(_, n)| *n > 0)
                .collect::<Vec<_>>()
        };
        let mut tally = FacetTally::default();
        for (i, n) in counted(region) {
            tally.add(text(&self.regions, i), none, none, None, None, n)?;
        }
        for (i, n) in counted(kind) {
            tally.add(none, text(&self.kinds, i), none, None, None, n)?;
        }
        for (i, n) in counted(year) {
            tally.add(none, none, text(&self.years, i), None, None, n)?;
        }
        for (b, n) in batch {
            tally.add(none, none, none, b, None, n)?;
        }
        for (i, n) in counted(flags) {
            let flagged = text_of(&self.flags, i).is_some_and(|f| !f.is_empty());
            tally.add(none, none, none, None, Some(i64::from(flagged)), n)?;
        }
        tally.finish(conn)
    }

    /// The kinds, numbered as [`Self::kind_of`] numbers them.
    pub(super) fn kinds(&self) -> &[Option<String>] {
        &self.kinds.values
    }

    /// The kind of the row added `i`th.
    pub(super) fn kind_of(&self, i: usize) -> usize {
        usize::from(self.rows[i].kind)
    }

    /// Which of the rows, in the order they were added, `filter` takes (its company and search
    /// text aside: the columns kept here cannot tell).
    pub(super) fn taken(&self, filter: &FilingFilter) -> impl Iterator<Item = bool> + '_ {
        let m = self.matcher(filter, Dates::Any);
        self.rows.iter().map(move |r| m.takes(r))
    }

    /// The first day number whose text is not before `bound` (`strict`: not at or before).
    fn day_after(&self, bound: &str, strict: bool) -> u32 {
        self.days.partition_point(|d| {
            if strict {
                d.as_str() <= bound
            } else {
                d.as_str() < bound
            }
        }) as u32
    }

    fn matcher(&self, filter: &FilingFilter, dates: Dates<'_>) -> Matcher {
        let regions = (!filter.regions.is_empty()).then(|| {
            let names = region_names(filter);
            self.regions
                .values
                .iter()
                .map(|v| v.as_deref().is_some_and(|v| names.iter().any(|n| n == v)))
                .collect()
        });
        let kind = filter.kind.map(|k| {
            self.kinds
                .values
                .iter()
                .position(|v| v.as_deref() == Some(k.as_str()))
        });
        let mut lo = 0u32;
        let mut hi = self.days.len() as u32;
        let mut dated = false;
        let mut bound = |from: Option<&str>, to: Option<&str>| {
            if let Some(f) = from {
                lo = lo.max(self.day_after(f, false));
                dated = true;
            }
            if let Some(t) = to {
                hi = hi.min(self.day_after(t, true));
                dated = true;
            }
        };
        bound(filter.from.as_deref(), filter.to.as_deref());
        if let Some((first, last)) = filter.year.map(year_bounds) {
            bound(Some(&first), Some(&last));
        }
        let mut undated_only = false;
        match dates {
            Dates::Any => {}
            Dates::OnOrBefore(d) => bound(None, Some(d)),
            Dates::Undated => undated_only = true,
        }
        let flags = match (filter.flagged, filter.flag) {
            (None, None) => None,
            (flagged, flag) => {
                let needle = flag.map(|f| format!(",{},", f.as_str()));
                Some(
                    self.flags
                        .values
                        .iter()
                        .map(|v| {
                            let v = v.as_deref().unwrap_or("");
                            let by_flagged = match flagged {
                                Some(true) => !v.is_empty(),
                                Some(false) => v.is_empty(),
                                None => true,
                            };
                            let by_flag = needle
                                .as_ref()
                                .is_none_or(|n| format!(",{v},").contains(n.as_str()));
                            by_flagged && by_flag
                        })
                        .collect(),
                )
            }
        };
        Matcher {
            regions,
            kind,
            days: dated.then_some(lo..hi.max(lo)),
            undated_only,
            batch: filter.batch,
            flags,
        }
    }

    fn matching<'a>(&'a self, m: &'a Matcher) -> impl Iterator<Item = &'a Row> + 'a {
        self.rows.iter().filter(move |r| m.takes(r))
    }
}

impl Kept {
    /// The counts of the data as it is now, read again when it has moved; `None` when `filter`
    /// looks at what only `filings` has, or the registry does not fit the packing.
    pub(super) fn current(
        &self,
        conn: &Connection,
        filter: &FilingFilter,
    ) -> Result<Option<Arc<Counts>>> {
        if !reads_counts(filter) {
            return Ok(None);
        }
        let version = super::filings_version(conn, &self.side)?;
        let mut guard = self.counts.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = guard.as_ref().filter(|c| c.version == version) {
            return Ok(Some(Arc::clone(c)));
        }
        *guard = None;
        let read = Counts::read(conn, version)?.map(Arc::new);
        guard.clone_from(&read);
        Ok(read)
    }

    /// The search index's number of matches for `expr`, counted by `count` once per data
    /// version. It only chooses a query's plan, so a count from just before a write is harmless;
    /// it is kept under the version read before counting, which a write moves on.
    pub(super) fn index_matches(
        &self,
        conn: &Connection,
        expr: &str,
        count: impl FnOnce() -> Result<u64>,
    ) -> Result<u64> {
        let version = super::filings_version(conn, &self.side)?;
        let lock = || self.index_matches.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((v, kept)) = lock().as_ref() {
            if let Some(n) = kept.get(expr).filter(|_| *v == version) {
                return Ok(*n);
            }
        }
        let n = count()?;
        let mut guard = lock();
        match guard.as_mut() {
            Some((v, kept)) if *v == version && kept.len() < INDEX_MATCHES_KEPT => {
                kept.insert(expr.to_owned(), n);
            }
            _ => *guard = Some((version, FxMap::from_iter([(expr.to_owned(), n)]))),
        }
        Ok(n)
    }

    /// The number of filings under `filter` and `dates`.
    pub(super) fn total(
        &self,
        conn: &Connection,
        filter: &FilingFilter,
        dates: Dates<'_>,
    ) -> Result<Option<u64>> {
        let Some(c) = self.current(conn, filter)? else {
            return Ok(None);
        };
        let m = c.matcher(filter, dates);
        Ok(Some(c.matching(&m).map(|r| r.n).sum()))
    }

    /// Filings under `filter` and `dates` per group, as `Store::stat_counts` reads them from
    /// SQL: in the order of the grouped column, with `None` for the rows that have no value.
    /// Days leave undated filings out. Not for companies.
    pub(super) fn grouped(
        &self,
        conn: &Connection,
        filter: &FilingFilter,
        dates: Dates<'_>,
        grouping: Grouping,
    ) -> Result<Option<Groups>> {
        let Some(c) = self.current(conn, filter)? else {
            return Ok(None);
        };
        let m = c.matcher(filter, dates);
        let rows = c.matching(&m);
        let named = |d: &Distinct, sums: Vec<u64>| -> Groups {
            let mut out: Groups = sums
                .into_iter()
                .enumerate()
                .filter(|(_, n)| *n > 0)
                .map(|(i, n)| (text_of(d, i).map(str::to_string), n))
                .collect();
            out.sort_unstable();
            out
        };
        Ok(Some(match grouping {
            Grouping::Region => {
                let mut sums = vec![0u64; c.regions.values.len()];
                rows.for_each(|r| sums[usize::from(r.region)] += r.n);
                named(&c.regions, sums)
            }
            Grouping::Kind => {
                let mut sums = vec![0u64; c.kinds.values.len()];
                rows.for_each(|r| sums[usize::from(r.kind)] += r.n);
                named(&c.kinds, sums)
            }
            Grouping::Day => {
                let mut sums = vec![0u64; c.days.len()];
                rows.filter(|r| r.day != UNDATED)
                    .for_each(|r| sums[r.day as usize] += r.n);
                sums.into_iter()
                    .enumerate()
                    .filter(|(_, n)| *n > 0)
                    .map(|(d, n)| (Some(c.days[d].clone()), n))
                    .collect()
            }
            Grouping::Batch => {
                let mut sums: std::collections::BTreeMap<Option<i64>, u64> = Default::default();
                rows.for_each(|r| *sums.entry(r.batch).or_insert(0) += r.n);
                sums.into_iter()
                    .filter(|(_, n)| *n > 0)
                    .map(|(b, n)| (b.map(|b| b.to_string()), n))
                    .collect()
            }
            Grouping::Company => return Ok(None),
        }))
    }

    /// The five facets under `filter`, as `browse::facets_read` counts them.
    pub(super) fn facets(
        &self,
        conn: &Connection,
        filter: &FilingFilter,
    ) -> Result<Option<Facets>> {
        let Some(c) = self.current(conn, filter)? else {
            return Ok(None);
        };
        c.facets_of(conn, filter, |_| true).map(Some)
    }
}
