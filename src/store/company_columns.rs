//! Every filing's company and filter columns, kept in memory while the data is unchanged, for
//! the total and the facets of a company fragment that many filings match.
//!
//! 科技 is in half the company names at 1M, 有限公司 in four fifths. `matches.rs` keeps at most
//! 50,000 matches, so such a fragment was counted by SQL testing `instr(lower(company), ...)`
//! on every candidate: 0.6 s for the page's total and 1.5 s for the facets of 科技, again for
//! every facet clicked after it. Here the filings are read once into a row each (the columns
//! `kept_counts` tests, and the company as a number), every distinct spelling is tested for the
//! fragment once, and a filter's total and facets are one pass over the rows.
//!
//! The answers are those of the SQL: the other conditions are tested by `kept_counts`' matcher,
//! and the fragment as SQLite's `instr(lower(company), lower(fragment)) > 0` tests it (`lower`
//! folds ASCII letters only, and a substring of UTF-8 text is a substring of its bytes).
//! `browse_tests` compares every figure with the SQL.

use super::facet_columns::{self, Found, Member};
use super::halves;
use super::kept_counts::{Counts, CountsBuilder};
use crate::error::Result;
use crate::query::{Facets, FilingFilter, FilingPage, FilingQuery};
use crate::search;
use crate::subsidy::eval::FxMap;
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// The columns and the data version they were read at.
#[derive(Debug, Default)]
pub struct Kept {
    columns: Mutex<Option<Arc<Columns>>>,
    /// A company filter found no columns kept. They are read at the second one: a process that
    /// asks once (`beian list --company 科技`) is answered by SQL in about half the time the
    /// read takes, and the Filings screen asks for a page and then its facets.
    asked: AtomicBool,
    side: Arc<super::SideWrites>,
    /// The database's file, for a second connection reading half the filings; `None` in memory.
    path: Option<PathBuf>,
    /// From how many ids the filings are read in two halves (see [`halves::read_in_halves`]).
    split_from: i64,
}

#[derive(Debug)]
pub(super) struct Columns {
    version: (i64, u64),
    /// One row per filing, in table order.
    rows: Counts,
    /// Per row: its company, as an index into `spellings`.
    company: Vec<u32>,
    /// Per row: its id (ascending), and its seq, for a page read from here; `None` when an id
    /// does not fit 32 bits (then pages go to SQL), and no seqs when one does not.
    ids: Option<Vec<u32>>,
    seqs: Option<Vec<Option<i32>>>,
    /// Each company text once, as SQLite's `lower` gives it (only the fragment test reads
    /// them), one after another, each ended by a NUL.
    spellings: Spellings,
    /// Per spelling: its filings.
    filings: Vec<u32>,
    /// The last fragment tested, and per spelling whether it holds it: the page and the
    /// facets of one filter ask twice, and every facet clicked after typing asks again.
    holding: Mutex<Option<(String, Arc<Vec<bool>>)>>,
    /// The last filter paged, and its filings: paging and sorting it again reads no row.
    taken: Mutex<Option<(FilingFilter, Arc<Taken>)>>,
}

/// A filter's filings, for its pages.
#[derive(Debug)]
struct Taken {
    /// Their rows, ascending.
    rows: Vec<u32>,
    /// A bit per filing id.
    bits: Vec<u64>,
}

/// The filter's company fragment, when the filter is one answered here: a fragment, and no
/// search text (which only the search index can test).
fn fragment(filter: &FilingFilter) -> Option<&str> {
    let searched = filter
        .search
        .as_deref()
        .and_then(search::match_expression)
        .is_some();
    filter
        .company
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty() && !searched)
}

/// Per company: SQLite's `instr(lower(company), lower(fragment)) > 0` for the built-in
/// `lower`, as the kept columns test it.
#[cfg(test)]
pub(super) fn holding(companies: &[&str], fragment: &str) -> Vec<bool> {
    let mut spellings = Spellings::default();
    for c in companies {
        spellings.push(c);
    }
    spellings.holding(&fragment.to_ascii_lowercase())
}

impl Columns {
    /// Read on `conn`, in two halves side by side when the registry is large (see
    /// [`halves::read_in_halves`]): at a million filings the read took 1.2 s, paid by the
    /// first company fragment typed after opening or a write.
    fn read(
        conn: &Connection,
        path: Option<&Path>,
        side: &super::SideWrites,
        split_from: i64,
        version: (i64, u64),
    ) -> Result<Option<Columns>> {
        let halves = halves::read_in_halves(conn, path, side, split_from, |c, range| {
            Part::read(c, Some(range), version)
        })?;
        let part = match halves {
            Some((Some(mut low), Some(high))) => low.append(high)?.then_some(low),
            Some(_) => None,
            None => Part::read(conn, None, version)?,
        };
        let Some(part) = part else {
            return Ok(None);
        };
        let Some(rows) = part.rows.finish()? else {
            return Ok(None);
        };
        Ok(Some(Columns {
            version,
            rows,
            company: part.company,
            ids: part.ids,
            seqs: part.seqs,
            spellings: part.spellings,
            filings: part.filings,
            holding: Mutex::default(),
            taken: Mutex::default(),
        }))
    }

    /// The filings `filter` takes (`holding`: its fragment's spellings), kept for the next page.
    fn taken(&self, filter: &FilingFilter, ids: &[u32], holding: &[bool]) -> Arc<Taken> {
        let mut last = self.taken.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, taken)) = last.as_ref().filter(|(f, _)| f == filter) {
            return Arc::clone(taken);
        }
        let rows: Vec<u32> = self
            .rows
            .taken(filter)
            .enumerate()
            .filter(|&(i, t)| t && holding[self.company[i] as usize])
            .map(|(i, _)| i as u32)
            .collect();
        let last_id = ids.last().map_or(0, |&id| id as usize);
        let mut bits = vec![0u64; (last_id + 1).div_ceil(64)];
        for &i in &rows {
            let id = ids[i as usize] as usize;
            bits[id / 64] |= 1 << (id % 64);
        }
        let taken = Arc::new(Taken { rows, bits });
        *last = Some((filter.clone(), Arc::clone(&taken)));
        taken
    }

    /// Per spelling: whether it holds `fragment`, as `instr(lower(company), lower(fragment))`
    /// tests it.
    fn holding(&self, fragment: &str) -> Arc<Vec<bool>> {
        let mut last = self.holding.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, holding)) = last.as_ref().filter(|(f, _)| f == fragment) {
            return Arc::clone(holding);
        }
        let holding = Arc::new(self.spellings.holding(&fragment.to_ascii_lowercase()));
        *last = Some((fragment.to_string(), Arc::clone(&holding)));
        holding
    }
}

/// The columns of the filings in one range of ids, before the counts are finished.
struct Part {
    rows: CountsBuilder,
    company: Vec<u32>,
    ids: Option<Vec<u32>>,
    seqs: Option<Vec<Option<i32>>>,
    spellings: Spellings,
    filings: Vec<u32>,
    /// Each spelling as the filings print it, and its number.
    number: FxMap<Box<str>, u32>,
}

impl Part {
    /// The filings with ids in `range` (`[from, to]`; all of them for `None`), in id order;
    /// `None` when they do not fit the packing.
    fn read(
        conn: &Connection,
        range: Option<(i64, i64)>,
        version: (i64, u64),
    ) -> Result<Option<Part>> {
        let mut part = Part {
            rows: CountsBuilder::new(version),
            company: Vec::new(),
            ids: Some(Vec::new()),
            seqs: Some(Vec::new()),
            spellings: Spellings::default(),
            filings: Vec::new(),
            number: FxMap::default(),
        };
        let (from, to) = range.unwrap_or((i64::MIN, i64::MAX));
        let mut stmt = conn.prepare_cached(
            "SELECT region, kind, filed_on, first_batch_id, flags, company, id, seq
             FROM filings WHERE id BETWEEN ?1 AND ?2 ORDER BY id",
        )?;
        let mut read = stmt.query([from, to])?;
        while let Some(r) = read.next()? {
            if !part.rows.push_row(r, 1)? {
                return Ok(None);
            }
            let name = r.get_ref(5)?.as_str().map_err(rusqlite::Error::from)?;
            let n = part.spelling(name);
            part.company.push(n);
            part.filings[n as usize] += 1;
            let id = u32::try_from(r.get::<_, i64>(6)?).ok();
            match (id, part.ids.as_mut()) {
                (Some(id), Some(ids)) => ids.push(id),
                _ => part.ids = None,
            }
            let seq = match r.get::<_, Option<i64>>(7)? {
                None => Some(None),
                Some(n) => i32::try_from(n).ok().map(Some),
            };
            match (seq, part.seqs.as_mut()) {
                (Some(seq), Some(seqs)) => seqs.push(seq),
                _ => part.seqs = None,
            }
        }
        Ok(Some(part))
    }

    /// The number of the spelling `name`, numbered now if new.
    fn spelling(&mut self, name: &str) -> u32 {
        if let Some(&n) = self.number.get(name) {
            return n;
        }
        let n = u32::try_from(self.spellings.len()).unwrap_or(u32::MAX);
        self.spellings.push(name);
        self.filings.push(0);
        self.number.insert(name.into(), n);
        n
    }

    /// `later`'s filings after these (its ids are all greater), its spellings numbered as
    /// these number them; `false` when the two do not fit the packing together.
    fn append(&mut self, later: Part) -> Result<bool> {
        if !self.rows.append(later.rows)? {
            return Ok(false);
        }
        let mut names: Vec<&str> = vec![""; later.number.len()];
        for (name, &n) in &later.number {
            names[n as usize] = name;
        }
        let renumber: Vec<u32> = names.into_iter().map(|name| self.spelling(name)).collect();
        for (n, count) in later.filings.iter().enumerate() {
            self.filings[renumber[n] as usize] += count;
        }
        self.company
            .extend(later.company.iter().map(|&n| renumber[n as usize]));
        self.ids = joined(self.ids.take(), later.ids);
        self.seqs = joined(self.seqs.take(), later.seqs);
        Ok(true)
    }
}

/// One list after the other; none when either is missing (a value did not fit).
fn joined<T>(a: Option<Vec<T>>, b: Option<Vec<T>>) -> Option<Vec<T>> {
    let (mut a, b) = (a?, b?);
    a.extend(b);
    Some(a)
}

/// Company spellings, lowered as SQLite's `lower` lowers them, in one text: a fragment is
/// searched for once along it, not once in each of 305,244 spellings (7 ms for 科技 at 1M, most
/// of it setting up a search per spelling).
#[derive(Debug, Default)]
struct Spellings {
    /// Each spelling followed by a NUL.
    text: Vec<u8>,
    /// Where each spelling starts in `text`.
    starts: Vec<usize>,
}

impl Spellings {
    fn push(&mut self, name: &str) {
        self.starts.push(self.text.len());
        self.text
            .extend(name.bytes().map(|b| b.to_ascii_lowercase()));
        self.text.push(0);
    }

    fn len(&self) -> usize {
        self.starts.len()
    }

    /// Per spelling: whether it holds `needle` (lowered already).
    fn holding(&self, needle: &str) -> Vec<bool> {
        let mut holding = vec![false; self.starts.len()];
        if needle.is_empty() || needle.contains('\0') {
            // A NUL would match across two spellings; no company name holds one anyway.
            for (i, h) in holding.iter_mut().enumerate() {
                *h = self.spelling(i).contains(needle);
            }
            return holding;
        }
        let finder = memchr::memmem::Finder::new(needle.as_bytes());
        let mut at = 0;
        let mut spelling = 0;
        while let Some(found) = finder.find(&self.text[at..]) {
            let found = at + found;
            // The spelling the match lies in (matches come in order, so this only moves on).
            while self.starts.get(spelling + 1).is_some_and(|&s| s <= found) {
                spelling += 1;
            }
            holding[spelling] = true;
            // The rest of this spelling cannot add anything.
            match self.starts.get(spelling + 1) {
                Some(&next) => at = next,
                None => break,
            }
        }
        holding
    }

    fn spelling(&self, i: usize) -> &str {
        let end = self.starts.get(i + 1).map_or(self.text.len(), |&e| e) - 1;
        std::str::from_utf8(&self.text[self.starts[i]..end]).unwrap_or("")
    }
}

impl Kept {
    pub(super) fn sharing(side: &Arc<super::SideWrites>, path: Option<&Path>) -> Kept {
        Kept {
            side: Arc::clone(side),
            path: path.map(Path::to_path_buf),
            split_from: halves::SPLIT_FROM,
            ..Kept::default()
        }
    }

    /// Columns read at the first company filter (for the tests of their answers).
    #[cfg(test)]
    pub(super) fn read_at_once() -> Kept {
        let kept = Kept::default();
        kept.asked.store(true, Ordering::Relaxed);
        kept
    }

    #[cfg(test)]
    pub(super) fn is_read(&self) -> bool {
        self.columns
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }

    /// The columns of the data as it is now, read again when it has moved; `None` at the first
    /// company filter of the process.
    /// `read`: whether they may be read now (and this counts as a company filter asked).
    fn current(&self, conn: &Connection, read: bool) -> Result<Option<Arc<Columns>>> {
        let version = super::filings_version(conn, &self.side)?;
        let mut guard = self.columns.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(c) = guard.as_ref().filter(|c| c.version == version) {
            return Ok(Some(Arc::clone(c)));
        }
        *guard = None;
        if !read || !self.asked.swap(true, Ordering::Relaxed) {
            return Ok(None);
        }
        let read = Columns::read(
            conn,
            self.path.as_deref(),
            &self.side,
            self.split_from,
            version,
        )?
        .map(Arc::new);
        guard.clone_from(&read);
        Ok(read)
    }

    /// `answer` given the columns and, per spelling, whether it holds `filter`'s fragment;
    /// `None` when the filter is not one answered here. `read`: see [`Self::current`].
    fn with_fragment<T>(
        &self,
        conn: &Connection,
        filter: &FilingFilter,
        read: bool,
        answer: impl FnOnce(&Columns, &[bool]) -> Result<T>,
    ) -> Result<Option<T>> {
        let Some(fragment) = fragment(filter) else {
            return Ok(None);
        };
        let Some(c) = self.current(conn, read)? else {
            return Ok(None);
        };
        let holding = c.holding(fragment);
        answer(&c, &holding).map(Some)
    }

    /// The number of filings under `filter`; `None` when it is not a filter answered here.
    pub(super) fn total(&self, conn: &Connection, filter: &FilingFilter) -> Result<Option<u64>> {
        self.with_fragment(conn, filter, true, |c, holding| {
            let rest = FilingFilter {
                company: None,
                ..filter.clone()
            };
            if rest == FilingFilter::default() {
                // The fragment alone, as typed: its spellings' filings, not a pass over rows.
                return Ok(c
                    .filings
                    .iter()
                    .zip(holding)
                    .filter(|(_, &h)| h)
                    .map(|(&n, _)| u64::from(n))
                    .sum());
            }
            Ok(c.rows.total_of(filter, |i| holding[c.company[i] as usize]))
        })
    }

    /// `q`'s page, when its filter is one answered here and the columns are kept already (see
    /// [`facet_columns::page_of`] for when else it is not): a common fragment's page took
    /// 230–600 ms at 1M past the first (北京, 智能), and 220–300 ms sorted by kind or seq, where
    /// SQL listed its matches to sort them.
    pub(super) fn page(
        &self,
        conn: &Connection,
        q: &FilingQuery,
        max_walk: u64,
    ) -> Result<Option<FilingPage>> {
        let Some(order) = facet_columns::in_order(q) else {
            return Ok(None);
        };
        let page = self.with_fragment(conn, &q.filter, false, |c, holding| {
            let Some(ids) = c.ids.as_deref() else {
                return Ok(None);
            };
            let taken = c.taken(&q.filter, ids, holding);
            let Taken { rows: taken, bits } = &*taken;
            let member = |i: &u32| {
                let i = *i as usize;
                Member {
                    id: ids[i] as usize,
                    kind: c.rows.kind_of(i),
                    seq: c.seqs.as_ref().and_then(|s| s[i]),
                }
            };
            let members = |desc: bool| -> Box<dyn Iterator<Item = Member> + '_> {
                if desc {
                    Box::new(taken.iter().rev().map(member))
                } else {
                    Box::new(taken.iter().map(member))
                }
            };
            let found = Found {
                bits,
                total: taken.len() as u64,
                filings: ids.len() as u64,
                kinds: c.rows.kinds(),
                seqs_known: c.seqs.is_some(),
                members,
            };
            facet_columns::page_of(conn, q, order, max_walk, found)
        })?;
        Ok(page.flatten())
    }

    /// The five facets under `filter`; `None` when it is not a filter answered here. `read`:
    /// whether the columns may be read for them (see [`Self::current`]).
    pub(super) fn facets(
        &self,
        conn: &Connection,
        filter: &FilingFilter,
        read: bool,
    ) -> Result<Option<Facets>> {
        self.with_fragment(conn, filter, read, |c, holding| {
            c.rows
                .facets_of(conn, filter, |i| holding[c.company[i] as usize])
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{insert_test_filing, Store, TestFiling};

    /// Every row's values as text, with its spelling, id and seq, and each spelling's count.
    fn described(c: &Columns) -> (Vec<String>, Vec<(String, u32)>) {
        let rows = c
            .rows
            .described()
            .into_iter()
            .enumerate()
            .map(|(i, r)| {
                format!(
                    "{r} {} {:?} {:?}",
                    c.spellings.spelling(c.company[i] as usize),
                    c.ids.as_ref().map(|v| v[i]),
                    c.seqs.as_ref().map(|v| v[i])
                )
            })
            .collect();
        let mut counts: Vec<(String, u32)> = (0..c.spellings.len())
            .map(|n| (c.spellings.spelling(n).to_string(), c.filings[n]))
            .collect();
        counts.sort();
        (rows, counts)
    }

    /// Read in two halves on two connections, the columns are those read on one: the same
    /// rows in the same order, with regions, kinds, dates, flags and spellings met in both
    /// halves or in one only, and missing dates, batches and seqs.
    #[test]
    fn columns_read_in_two_halves_are_those_read_in_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.sqlite");
        let store = Store::open(&path).unwrap();
        crate::store::add_test_batch(&store);
        for i in 0..400i64 {
            // The upper half (from id 400 on) brings a region, a kind's second spelling, a
            // flag, dates and companies the lower half does not have.
            let upper = i >= 200;
            let region = if upper && i % 7 == 0 {
                "国资委"
            } else {
                ["北京市", "上海市", "浙江省"][i as usize % 3]
            };
            let company = match i % 5 {
                0 if upper => format!("后来{}公司", i % 11),
                1 => format!("Acme {}", i % 4),
                _ => format!("甲{}科技有限公司", i % 13),
            };
            let date = match i % 6 {
                0 => None,
                1 if upper => Some("2026-01-0".to_string() + &(i % 9 + 1).to_string()),
                _ => Some(format!("2024-0{}-15", i % 9 + 1)),
            };
            let flags = if upper && i % 4 == 0 {
                "date_mismatch"
            } else {
                ""
            };
            let f = TestFiling {
                kind: ["filed", "registered"][i as usize % 2],
                region,
                company: &company,
                filed_on: date.as_deref(),
                seq: (i % 3 != 0).then_some(i),
                flags,
                batch: (i % 8 != 0).then_some(1),
                ..TestFiling::new(2 * i + 1, format!("N{i}"))
            };
            insert_test_filing(&store.conn, &f);
        }
        let side = super::super::SideWrites::default();
        let version = (1, 0);
        let one = Columns::read(&store.conn, None, &side, 1, version)
            .unwrap()
            .unwrap();
        let two = Columns::read(&store.conn, Some(&path), &side, 1, version)
            .unwrap()
            .unwrap();
        let halves = halves::read_in_halves(&store.conn, Some(&path), &side, 1, |c, range| {
            Ok(Part::read(c, Some(range), version)?.map(|p| p.company.len()))
        })
        .unwrap();
        assert_eq!(halves, Some((Some(200), Some(200))), "read in two");
        let (rows, counts) = described(&one);
        assert_eq!(rows.len(), 400);
        assert!(counts.len() > 20, "{}", counts.len());
        assert_eq!(described(&two), (rows, counts));

        // Too few ids to split: one read, the same columns.
        let few = Columns::read(&store.conn, Some(&path), &side, 10_000, version)
            .unwrap()
            .unwrap();
        assert_eq!(described(&few), described(&one));
    }
}
