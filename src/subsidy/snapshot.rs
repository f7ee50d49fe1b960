//! The evaluation's inputs, read and grouped once and kept while the registry is unchanged.
//!
//! Reading a million filings and grouping them by company is most of an evaluation (about
//! three quarters of it at 1M); the rules themselves are quick by comparison. The Subsidies
//! screen evaluates again for every as-of date, rule switched on or off and rule edited, none of
//! which changes the filings or the facts, so the grouping is kept with the version of the data
//! it was read from and built again only when that version moves. A company's facts recorded on
//! that screen change the enterprises but not the filings: the filings stay grouped, and only the
//! enterprises are built again.

use super::eval::{sort_run, suggest_cities, Enterprises, FilingFact, FxMap, Run};
use super::facts::{company_key, CompanyFacts};
use super::shared_text::{SharedText, Text};
use std::sync::Arc;

mod layout;

pub use layout::{format as layout_format, BadLayout, Source};

/// The registry's filings grouped by company spelling, each spelling's in the order the
/// evaluation visits them (see [`by_company`]).
#[derive(Debug, PartialEq)]
pub struct Grouped {
    filings: Vec<FilingFact>,
    /// Each spelling's company key and number of filings, in order.
    runs: Vec<Run>,
    /// The city each run's spelling suggests, as an index into the bundled list.
    suggested: Vec<Option<u32>>,
}

impl Grouped {
    pub fn new(mut filings: Vec<FilingFact>) -> Grouped {
        let runs = by_company(&mut filings);
        let mut at = 0;
        for (_, n) in &runs {
            sort_run(&mut filings[at..at + n]);
            at += n;
        }
        let suggested = suggest_cities(&filings, &runs);
        Grouped {
            filings,
            runs,
            suggested,
        }
    }

    /// The enterprises as [`Snapshot::build`] gathers them, in two parts from `parts_from`
    /// runs on.
    #[cfg(test)]
    pub(crate) fn gather_in_parts<'a>(
        &'a self,
        companies: &'a [CompanyFacts],
        parts_from: usize,
    ) -> Enterprises<'a> {
        Enterprises::gather_runs_in_parts(
            &self.filings,
            &self.runs,
            &self.suggested,
            companies,
            true,
            parts_from,
        )
    }

    /// How many filings.
    pub fn len(&self) -> usize {
        self.filings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.filings.is_empty()
    }

    /// The grouping written down, for [`Self::read`] in a later process (see `layout`);
    /// `None` when the layout cannot hold it (more than 65,535 regions).
    pub fn write(&self) -> Option<Vec<u8>> {
        layout::write(self)
    }

    /// The grouping [`Self::write`] wrote, as it was.
    pub fn read(bytes: &[u8]) -> Result<Grouped, BadLayout> {
        layout::read(bytes)
    }

    /// [`Self::read`] from bytes read a range at a time: the second half from `later` on
    /// another thread, when there is one (it must hold the same bytes).
    pub fn read_from(
        first: impl Source,
        later: Option<impl Source + Send>,
    ) -> Result<Grouped, BadLayout> {
        layout::read_from(first, later)
    }

    /// Each spelling the filings give the company `key` (its runs lie together, in key order).
    fn spellings_of(&self, key: &str) -> Vec<&str> {
        let first = self.runs.partition_point(|(k, _)| k.as_str() < key);
        let mut at: usize = self.runs[..first].iter().map(|(_, n)| n).sum();
        let mut out = Vec::new();
        for (_, n) in self.runs[first..].iter().take_while(|(k, _)| k == key) {
            out.push(&*self.filings[at].company);
            at += n;
        }
        out
    }
}

/// What [`Enterprises::gather_runs`] borrows from. The grouped filings are shared, so that they
/// can be written down on another thread while the evaluation uses them.
pub struct Inputs {
    pub filings: Arc<Grouped>,
    pub companies: Vec<CompanyFacts>,
}

self_cell::self_cell!(
    /// The inputs and their grouping, kept together so the grouping may borrow the inputs.
    pub struct Snapshot {
        owner: Inputs,
        #[covariant]
        dependent: Enterprises,
    }
);

impl Snapshot {
    pub fn build(inputs: Inputs) -> Snapshot {
        Snapshot::new(inputs, |i| {
            let g = &*i.filings;
            Enterprises::gather_runs(&g.filings, &g.runs, &g.suggested, &i.companies, true)
        })
    }

    /// The same filings with other company facts: the filings are not read or grouped again,
    /// and only the enterprises whose facts changed are built again (see
    /// [`Enterprises::replace_companies`]); the kept inputs' companies are then those first
    /// read, which the enterprises left as they were still borrow.
    pub fn with_companies(mut self, companies: Vec<CompanyFacts>) -> Snapshot {
        if self.with_dependent_mut(|_, e| e.replace_companies(&companies)) {
            return self;
        }
        let mut inputs = self.into_owner();
        inputs.companies = companies;
        Snapshot::build(inputs)
    }

    pub fn enterprises(&self) -> &Enterprises<'_> {
        self.borrow_dependent()
    }
}

/// The versions a snapshot was read at: of the filings, and of everything it was read from
/// (filings and company facts). Each moves whenever what it covers may have changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Versions<V> {
    pub filings: V,
    pub all: V,
}

/// A snapshot and the versions of the data it was read at.
pub struct Kept<V> {
    slot: std::sync::Mutex<Option<(Versions<V>, Snapshot)>>,
}

impl<V> Default for Kept<V> {
    fn default() -> Self {
        Kept {
            slot: Default::default(),
        }
    }
}

impl<V: PartialEq + Copy> Kept<V> {
    /// Runs `f` on the snapshot of `versions`. A kept snapshot of other versions is read again:
    /// whole (`filings`, then `companies`) when the filings may have changed, else only its
    /// companies. The old snapshot is dropped before a new one is read, so two are never held
    /// at once.
    pub fn with<T, E>(
        &self,
        versions: Versions<V>,
        filings: impl FnOnce() -> Result<Arc<Grouped>, E>,
        companies: impl FnOnce() -> Result<Vec<CompanyFacts>, E>,
        f: impl FnOnce(&Enterprises<'_>) -> T,
    ) -> Result<T, E> {
        let mut slot = self.slot.lock().unwrap_or_else(|e| e.into_inner());
        let snapshot = match slot.take() {
            Some((v, snapshot)) if v == versions => snapshot,
            Some((v, snapshot)) if v.filings == versions.filings => {
                snapshot.with_companies(companies()?)
            }
            old => {
                drop(old);
                let filings = filings()?;
                Snapshot::build(Inputs {
                    filings,
                    companies: companies()?,
                })
            }
        };
        let (_, snapshot) = slot.insert((versions, snapshot));
        Ok(f(snapshot.enterprises()))
    }

    /// Drops the kept snapshot (its memory: about 280 MiB at a million filings).
    pub fn clear(&self) {
        *self.slot.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }

    /// The company `key`'s first spelling in the filings by text (as `ORDER BY company` puts
    /// them), answered from a snapshot kept at the filings' version `filings`: `None` when no
    /// snapshot is kept at it, `Some(None)` when no filing has the key. Recording facts asks
    /// this, and SQL answers it by reading every company name (0.15 s at a million filings).
    pub fn first_spelling(&self, filings: V, key: &str) -> Option<Option<String>> {
        let slot = self.slot.lock().unwrap_or_else(|e| e.into_inner());
        let (_, snapshot) = slot.as_ref().filter(|(v, _)| v.filings == filings)?;
        let spellings = snapshot.borrow_owner().filings.spellings_of(key);
        Some(spellings.into_iter().min().map(str::to_string))
    }

    pub fn is_kept(&self) -> bool {
        self.slot
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .is_some()
    }
}

/// Puts the filings with each company spelling's together, in the order the evaluation visits
/// enterprises: spellings by company key (spellings of one key in the order first met), each
/// spelling's filings in the order given. Returns each spelling's key and number of filings, in
/// that order, so the grouping that follows need not work the keys out again.
///
/// The store reads them by date; a rule then read each enterprise's filings from anywhere in a
/// million-element array, and at 1M those cache misses were nearly all of a warm evaluation:
/// grouped by spelling, a warm totals took about 180 ms, grouped and put in key order about
/// 50 ms. What the evaluation sees is the same: an enterprise is still named by its first
/// filing's spelling, and its filings are sorted anyway.
fn by_company(filings: &mut [FilingFact]) -> Vec<Run> {
    let mut sizes: Vec<usize> = Vec::new();
    let groups: Vec<u32> = {
        // The store shares one text per spelling, so most filings are told apart by where
        // their text is; the text itself is hashed once per shared copy.
        let mut by_copy: FxMap<*const u8, u32> = FxMap::default();
        let mut by_text: FxMap<&str, u32> = FxMap::default();
        filings
            .iter()
            .map(|f| {
                let next = sizes.len() as u32;
                let g = *by_copy
                    .entry(f.company.as_ptr())
                    .or_insert_with(|| *by_text.entry(&f.company).or_insert(next));
                if g == next {
                    sizes.push(0);
                }
                sizes[g as usize] += 1;
                g
            })
            .collect()
    };
    let mut keys: Vec<Option<String>> = vec![None; sizes.len()];
    for (f, &g) in filings.iter().zip(&groups) {
        keys[g as usize].get_or_insert_with(|| company_key(&f.company));
    }
    let keys: Vec<String> = keys
        .into_iter()
        .map(|k| k.expect("every group has a filing"))
        .collect();
    // Stable: spellings of one key stay in the order first met.
    let mut order: Vec<u32> = (0..sizes.len() as u32).collect();
    order.sort_by(|&a, &b| keys[a as usize].cmp(&keys[b as usize]));
    let mut start = vec![0usize; sizes.len()];
    let mut at = 0;
    for &g in &order {
        start[g as usize] = at;
        at += sizes[g as usize];
    }
    let mut from = vec![0u32; filings.len()];
    for (i, g) in groups.into_iter().enumerate() {
        let to = &mut start[g as usize];
        from[*to] = i as u32;
        *to += 1;
    }
    crate::order::apply(filings, from);
    // The keys in one text their runs share, as a kept layout gives them.
    let all: String = order.iter().map(|&g| keys[g as usize].as_str()).collect();
    let all: Text = Arc::new(all.into_boxed_str());
    let mut at = 0;
    order
        .into_iter()
        .map(|g| {
            let range = at..at + keys[g as usize].len();
            at = range.end;
            (SharedText::within_or_copy(&all, range), sizes[g as usize])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::subsidy::FilingKind;

    fn f(number: &str, company: &str) -> FilingFact {
        FilingFact {
            number: number.into(),
            kind: FilingKind::Filed,
            region: Some("浙江省".into()),
            company: company.into(),
            filed_on: None,
            confirmed: true,
        }
    }

    #[test]
    fn what_is_read_again_follows_the_versions_that_moved() {
        let kept: Kept<u32> = Kept::default();
        let reads = std::cell::RefCell::new(Vec::new());
        let at = |filings, all, city: &'static str| {
            kept.with::<_, ()>(
                Versions { filings, all },
                || {
                    reads.borrow_mut().push("filings");
                    let filings = vec![f("1", "杭州甲科技有限公司"), f("2", "乙")];
                    Ok(Arc::new(Grouped::new(filings)))
                },
                || {
                    reads.borrow_mut().push("companies");
                    let mut c = CompanyFacts::recorded("乙".into());
                    c.registered_city = Some(crate::subsidy::facts::Fact {
                        value: city.into(),
                        provenance: crate::subsidy::facts::Provenance::Entered,
                        confirmed: true,
                        updated_at: None,
                    });
                    Ok(vec![c])
                },
                |e| {
                    let mut out: Vec<String> = e.list_for_tests();
                    out.sort();
                    out
                },
            )
            .unwrap()
        };
        let first = at(1, 1, "成都市");
        assert_eq!(*reads.borrow(), ["filings", "companies"]);
        assert_eq!(at(1, 1, "成都市"), first);
        assert_eq!(reads.borrow().len(), 2, "the same versions read nothing");
        // Only the facts moved: the companies are read, the filings are not.
        let second = at(1, 2, "南京市");
        assert_eq!(reads.borrow()[2..], ["companies"]);
        assert_ne!(second, first, "the new city is seen");
        assert!(
            second.iter().any(|e| e.contains("乙 南京市 1")),
            "{second:?}"
        );
        // The filings moved: both are read.
        at(2, 3, "南京市");
        assert_eq!(reads.borrow()[3..], ["filings", "companies"]);
        kept.clear();
        assert!(!kept.is_kept());
    }

    #[test]
    fn filings_are_grouped_by_spelling_in_key_order_then_first_met() {
        // 丙 < 乙 < 甲 by key; "Ｂ公司" and "b 公司" are one key, met in that order.
        let mut got = vec![
            f("1", "乙"),
            f("2", "甲"),
            f("3", "乙"),
            f("4", "丙"),
            f("5", "Ｂ公司"),
            f("6", "甲"),
            f("7", "b 公司"),
            f("8", "乙"),
            f("9", "Ｂ公司"),
        ];
        let runs = by_company(&mut got);
        let numbers: Vec<&str> = got.iter().map(|f| f.number.as_str()).collect();
        assert_eq!(numbers, ["5", "9", "7", "4", "1", "3", "8", "2", "6"]);
        // Each spelling's run, with its key: the two spellings of one key are two runs.
        let k = |name: &str| company_key(name).into();
        assert_eq!(
            runs,
            [
                (k("Ｂ公司"), 2),
                (k("b 公司"), 1),
                (k("丙"), 1),
                (k("乙"), 3),
                (k("甲"), 2)
            ]
        );
        assert_eq!(company_key("Ｂ公司"), company_key("b 公司"));
    }

    #[test]
    fn shared_and_separate_copies_of_a_spelling_are_one_group() {
        // As the store gives them (one shared text per spelling) and as a caller may build
        // them (a text each): the grouping is by text either way.
        let shared: SharedText = "甲".into();
        let mut got = vec![f("1", "乙"), f("2", "甲"), f("3", "乙"), f("4", "甲")];
        got[1].company = shared.clone();
        got[3].company = shared;
        got.push(f("5", "甲"));
        let runs = by_company(&mut got);
        let numbers: Vec<&str> = got.iter().map(|f| f.number.as_str()).collect();
        assert_eq!(numbers, ["1", "3", "2", "4", "5"]);
        assert_eq!(
            runs,
            [(company_key("乙").into(), 2), (company_key("甲").into(), 3)]
        );
    }
}
