//! Evaluation: rules + filings + company facts + an as-of date → who qualifies, for how much,
//! and on which facts. Pure: nothing here reads the clock, the store or a file.
//!
//! Three answers, never a guess: `qualifies`, `does_not_qualify`, and `cannot_tell` when a
//! condition needs a fact nobody recorded (the reasons then say "needs: …"). A fact nobody
//! confirmed (a city inferred from the name) decides only when the rule says it may.
//!
//! Money is integer yuan. A rate is applied as `spend × basis points / 10000`, rounded down to
//! the yuan (the policies say "up to"), then capped per year, then capped in total.

use super::cities::{Cities, City};
use super::facts::{company_key, AlgorithmFiling, CompanyFacts, Fact, Provenance, SelfDeveloped};
use super::reason::{AmountUnknown, FactOrigin, Need, Reason, RuleNote, Window, WindowState};
use super::rules::{AwardKind, Confidence, FilingKind, Rule, TieRule};
use super::shared_text::{SharedText, ThinText};
use crate::export::Language;
use crate::slots::Slots;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;
use ts_rs::TS;

/// A run of filings with one spelling of a company (see `snapshot::by_company`): the company's
/// key and how many filings.
pub(crate) type Run = (SharedText, usize);

/// One filing as evaluation sees it: from the registry (filed / registered) or recorded per
/// company (algorithm filings).
///
/// The region and company are shared, not copied: a million filings name a few dozen regions
/// and a few hundred thousand companies, and the store hands every filing of one spelling the
/// same text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilingFact {
    pub number: SharedText,
    pub kind: FilingKind,
    /// 属地 (province) for registry filings; none for algorithm filings recorded by hand.
    pub region: Option<ThinText>,
    pub company: SharedText,
    pub filed_on: Option<NaiveDate>,
    /// For algorithm filings recorded by hand: whether a person confirmed them.
    pub confirmed: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Status {
    Qualifies,
    DoesNotQualify,
    CannotTell,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Qualifies => "qualifies",
            Status::DoesNotQualify => "does_not_qualify",
            Status::CannotTell => "cannot_tell",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ShareAmount {
    pub party: String,
    #[ts(type = "number")]
    pub amount_cny: i64,
}

/// One enterprise under one rule.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct EnterpriseResult {
    pub enterprise: String,
    pub status: Status,
    /// Known only when the enterprise qualifies and the rule fixes an amount.
    #[ts(type = "number | null")]
    pub amount_cny: Option<i64>,
    /// Why `amount_cny` is absent for an enterprise that qualifies (e.g. "set on review").
    pub amount_unknown_reason: Option<AmountUnknown>,
    /// The amount split between the payers, when the rule shares the cost.
    pub cost_split: Vec<ShareAmount>,
    /// The facts and filings the answer rests on.
    pub reasons: Vec<Reason>,
    /// The missing facts that make the answer `cannot_tell` (the registered district).
    pub needs: Vec<Need>,
    /// The filing numbers counted.
    pub filings: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, TS)]
#[ts(export)]
pub struct RuleTotals {
    pub qualifies: u32,
    /// Of those that qualify, how many have no amount yet (set on review).
    pub qualifies_amount_unknown: u32,
    pub does_not_qualify: u32,
    pub cannot_tell: u32,
    /// Enterprises with no filing in the rule's province and no recorded city there.
    pub not_considered: u32,
    /// The sum of the known amounts of the enterprises that qualify.
    #[ts(type = "number")]
    pub total_cny: i64,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct RuleOutcome {
    pub rule: String,
    pub title: String,
    pub jurisdiction: String,
    pub confidence: Confidence,
    pub enabled: bool,
    /// About the rule as a whole at the as-of date (issued later, application window open...).
    pub notes: Vec<RuleNote>,
    pub results: Vec<EnterpriseResult>,
    pub totals: RuleTotals,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct EvaluationReport {
    /// YYYY-MM-DD
    pub as_of: String,
    /// When the evaluation was for one company: its name.
    pub company: Option<String>,
    pub rules: Vec<RuleOutcome>,
    /// Known amounts across all rules.
    #[ts(type = "number")]
    pub total_cny: i64,
}

/// One line of `beian subsidies eval`.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct EvaluationRow {
    pub rule: String,
    /// The rule's title, as its file words it (the bundled ones in Chinese).
    pub title: String,
    pub jurisdiction: String,
    pub confidence: Confidence,
    pub enterprise: String,
    pub status: Status,
    #[ts(type = "number | null")]
    pub amount_cny: Option<i64>,
    /// The reasons, worded in the language asked for.
    pub reasons: Vec<String>,
    /// The same reasons as `{code, params}`, for scripts that should not match sentences.
    pub reason_codes: Vec<Reason>,
}

impl EvaluationReport {
    /// One row per enterprise and rule, the reasons worded in `lang`. Consumes the report so
    /// that each result's reasons move into its row rather than being copied (a quarter of a
    /// million results at 1M filings); [`Self::summary`] keeps the totals.
    pub fn into_rows(self, lang: Language) -> Vec<EvaluationRow> {
        let mut rows = Vec::new();
        for o in self.rules {
            for r in o.results {
                rows.push(EvaluationRow {
                    rule: o.rule.clone(),
                    title: o.title.clone(),
                    jurisdiction: o.jurisdiction.clone(),
                    confidence: o.confidence,
                    enterprise: r.enterprise,
                    status: r.status,
                    amount_cny: r.amount_cny,
                    reasons: r.reasons.iter().map(|x| x.text(lang)).collect(),
                    reason_codes: r.reasons,
                });
            }
        }
        rows
    }

    /// The report without its per-enterprise results: each rule's totals and notes.
    pub fn summary(&self) -> EvaluationReport {
        EvaluationReport {
            as_of: self.as_of.clone(),
            company: self.company.clone(),
            rules: self
                .rules
                .iter()
                .map(|o| RuleOutcome {
                    rule: o.rule.clone(),
                    title: o.title.clone(),
                    jurisdiction: o.jurisdiction.clone(),
                    confidence: o.confidence,
                    enabled: o.enabled,
                    notes: o.notes.clone(),
                    results: Vec::new(),
                    totals: o.totals.clone(),
                })
                .collect(),
            total_cny: self.total_cny,
        }
    }
}

/// `1,000,000 CNY`
pub fn yuan(amount: i64) -> String {
    super::reason::money(amount, Language::En)
}

/// `rate` in basis points of `spend`, rounded down to the yuan. Returns (amount, was rounded).
pub fn apply_rate(spend: i64, basis_points: i64) -> (i64, bool) {
    let product = spend as i128 * basis_points as i128;
    let amount = product / 10_000;
    (amount.min(i64::MAX as i128) as i64, product % 10_000 != 0)
}

/// Splits an amount by shares; each part is rounded down and the yuan left over go to the
/// first party, so the parts always add up to the amount.
pub fn split_cost(amount: i64, shares: &[(String, u32)]) -> Vec<ShareAmount> {
    let total: i128 = shares.iter().map(|(_, s)| *s as i128).sum();
    if total == 0 {
        return Vec::new();
    }
    let mut parts: Vec<ShareAmount> = shares
        .iter()
        .map(|(p, s)| ShareAmount {
            party: p.clone(),
            amount_cny: (amount as i128 * *s as i128 / total) as i64,
        })
        .collect();
    let rest = amount - parts.iter().map(|p| p.amount_cny).sum::<i64>();
    if let Some(first) = parts.first_mut() {
        first.amount_cny += rest;
    }
    parts
}

/// Orders same-day filings by the acceptance date and sequence inside their numbers, then by the
/// number itself (case-insensitive): the `by_number` tie rule.
fn number_order(number: &str) -> (Option<NaiveDate>, u64, String) {
    match crate::number::parse(number) {
        Ok(p) => (
            Some(p.date),
            p.sequence.and_then(|s| s.parse().ok()).unwrap_or(0),
            crate::number::number_key(number),
        ),
        Err(_) => (None, u64::MAX, crate::number::number_key(number)),
    }
}

/// Puts one run of filings in [`filing_order`], stable, as the evaluation visits them.
pub(crate) fn sort_run(run: &mut [FilingFact]) {
    if run.len() > 1 {
        run.sort_by(filing_order);
    }
}

fn filing_order(a: &FilingFact, b: &FilingFact) -> Ordering {
    a.filed_on
        .cmp(&b.filed_on)
        .then_with(|| number_order(&a.number).cmp(&number_order(&b.number)))
}

fn origin<T>(f: &Fact<T>) -> FactOrigin {
    FactOrigin {
        provenance: f.provenance,
        confirmed: f.confirmed,
    }
}

fn same_district(a: &str, b: &str) -> bool {
    let fold = |s: &str| {
        let k = crate::region::alias_key(s);
        k.strip_suffix('区').map(str::to_string).unwrap_or(k)
    };
    fold(a) == fold(b)
}

/// An enterprise's registry filings.
enum Registry<'a> {
    /// One spelling's filings, already in [`filing_order`] where they lie (see
    /// `snapshot::by_company`). Most enterprises have one spelling, and a rule reading their
    /// filings through a list of references of their own paid a second fetch from memory per
    /// enterprise: at 1M that was half of a rule's time.
    Run(&'a [FilingFact]),
    /// Several spellings' filings, or filings given in runs not yet sorted: gathered here, and
    /// a reference is a tenth of a filing.
    Gathered(Vec<&'a FilingFact>),
}

impl<'a> Registry<'a> {
    fn iter(&self) -> impl Iterator<Item = &'a FilingFact> + '_ {
        let (run, gathered): (&'a [FilingFact], &[&'a FilingFact]) = match self {
            Registry::Run(run) => (run, &[]),
            Registry::Gathered(list) => (&[], list),
        };
        run.iter().chain(gathered.iter().copied())
    }

    /// Adds a run of filings; `sorted`: in [`filing_order`] already.
    fn add(&mut self, run: &'a [FilingFact], sorted: bool) {
        match self {
            Registry::Run(none) if none.is_empty() && sorted => *self = Registry::Run(run),
            Registry::Run(earlier) => {
                let mut list = Vec::with_capacity(earlier.len() + run.len());
                list.extend(earlier.iter());
                list.extend(run.iter());
                *self = Registry::Gathered(list);
            }
            Registry::Gathered(list) => list.extend(run.iter()),
        }
    }
}

/// An enterprise's facts: a recorded company's, borrowed from the inputs, or what its name
/// suggests, one copy shared by every enterprise whose name suggests the same city. At 1M
/// filings, a copy per enterprise of what 300,000 names suggest held about 85 MiB.
enum Facts<'a> {
    Recorded(&'a CompanyFacts),
    Shared(Arc<CompanyFacts>),
}

impl std::ops::Deref for Facts<'_> {
    type Target = CompanyFacts;

    fn deref(&self) -> &CompanyFacts {
        match self {
            Facts::Recorded(c) => c,
            Facts::Shared(c) => c,
        }
    }
}

pub(crate) struct Enterprise<'a> {
    /// Its first filing's spelling, shared with it; a recorded company's own copy. A copy
    /// each for 305,000 enterprises was 7 MB of fresh memory before the first answer at 1M.
    name: SharedText,
    /// Algorithm filings, recorded with the facts, in [`filing_order`] (stable).
    /// A boxed slice, not a list: set once, and empty for every enterprise without recorded
    /// facts (305,000 at 1M), each of which carried an empty list's 24 bytes.
    algorithm: Box<[FilingFact]>,
    /// The registry's filings in [`filing_order`] (stable from the order given), borrowed.
    /// Sorted once, not once per rule: the order's ties parse filing numbers, and that was most
    /// of a rule's evaluation.
    registry: Registry<'a>,
    facts: Facts<'a>,
    /// The provinces of its registry filings, as indexes into `Enterprises::provinces`:
    /// computed once, asked by every rule without comparing text.
    regions: ProvinceSet,
    /// Where its registered city (recorded or suggested) puts it, for the same reason; one
    /// copy shared by every enterprise with that city.
    city: Option<Arc<CityPlace>>,
    /// Its place among all enterprises ordered by name (equal names, equal places): the report
    /// orders by name, and choosing a screen's first results compared the names of a quarter
    /// of a million enterprises, each a fetch from somewhere else in memory.
    name_rank: u32,
}

/// A set of province indexes: a bit each for the first 64 (every province, region and
/// ministry the registry names fits), a list for any beyond. Every rule asks every enterprise
/// whether it is in the rule's province, so the answer is one AND, not a walk along a list.
#[derive(Default)]
struct ProvinceSet {
    low: u64,
    /// Boxed: it is empty for every enterprise of the registry as published, and each of
    /// 305,000 enterprises at 1M carried an empty list's 24 bytes. A box of a list, not of a
    /// slice: one pointer, where a boxed slice is two.
    #[allow(clippy::box_collection)]
    high: Option<Box<Vec<u16>>>,
}

impl ProvinceSet {
    fn insert(&mut self, id: u16) {
        if id < 64 {
            self.low |= 1 << id;
        } else {
            let high = self.high.get_or_insert_default();
            if !high.contains(&id) {
                high.push(id);
            }
        }
    }

    /// Each index in the set, once.
    fn ids(&self) -> impl Iterator<Item = u16> + '_ {
        let mut low = self.low;
        std::iter::from_fn(move || {
            (low != 0).then(|| {
                let id = low.trailing_zeros() as u16;
                low &= low - 1;
                id
            })
        })
        .chain(self.high.iter().flat_map(|h| h.iter().copied()))
    }

    fn contains(&self, id: u16) -> bool {
        if id < 64 {
            self.low & (1 << id) != 0
        } else {
            self.high.as_ref().is_some_and(|h| h.contains(&id))
        }
    }
}

/// A registered city, worked out once per city.
struct CityPlace {
    /// As a rule's city is compared with it (normalised, then folded).
    key: Arc<str>,
    scope: CityScope,
}

enum CityScope {
    /// A city the bundled list knows: its province.
    Province(&'static str),
    /// A city the list does not know: its folded name, compared with the rule's city.
    Unlisted(Arc<str>),
}

impl<'a> Enterprise<'a> {
    fn new(name: SharedText, facts: Facts<'a>) -> Enterprise<'a> {
        Enterprise {
            name,
            algorithm: Box::new([]),
            registry: Registry::Run(&[]),
            facts,
            regions: ProvinceSet::default(),
            city: None,
            name_rank: 0,
        }
    }

    /// Algorithm filings first, then the registry's.
    fn filings(&self) -> impl Iterator<Item = &FilingFact> {
        self.algorithm.iter().chain(self.registry.iter())
    }

    /// Every filing in [`filing_order`], an algorithm filing before a registry filing it ties
    /// with: what a stable sort of [`Self::filings`] gives, merged from the two sorted lists.
    fn filings_in_order(&self) -> impl Iterator<Item = &FilingFact> {
        let mut a = self.algorithm.iter().peekable();
        let mut r = self.registry.iter().peekable();
        std::iter::from_fn(move || match (a.peek(), r.peek()) {
            (Some(x), Some(y)) if filing_order(y, x) == Ordering::Less => r.next(),
            (Some(_), _) => a.next(),
            (None, _) => r.next(),
        })
    }

    fn sort_filings(&mut self) {
        if self.algorithm.len() > 1 {
            self.algorithm.sort_by(filing_order);
        }
        if let Registry::Gathered(list) = &mut self.registry {
            list.sort_by(|a, b| filing_order(a, b));
        }
    }

    fn cache_scope(&mut self, known: &mut FxMap<String, Arc<CityPlace>>) {
        let Some(city) = self.facts.registered_city.as_ref().map(|c| &c.value) else {
            self.city = None;
            return;
        };
        let place = match known.get(city.as_str()) {
            Some(p) => p,
            None => known.entry(city.clone()).or_insert_with(|| {
                let key = crate::region::alias_key(&Cities::bundled().normalize(city)).into();
                let scope = match Cities::bundled().find(city) {
                    Some(c) => CityScope::Province(c.province.as_str()),
                    None => CityScope::Unlisted(crate::region::alias_key(city).into()),
                };
                Arc::new(CityPlace { key, scope })
            }),
        };
        self.city = Some(Arc::clone(place));
    }
}

/// From how many runs [`Enterprises::gather_runs`] works in two parts: below it, a thread
/// costs more than it spares.
const PARTS_FROM: usize = 20_000;

/// What every part of one gathering shares.
struct Gathering<'k> {
    company_keys: &'k [SharedText],
    runs_sorted: bool,
    keyed_in_order: bool,
}

/// Room in the list of enterprises for each a part gathers.
type ListSlots<'s, 'a> = Slots<'s, (SharedText, Enterprise<'a>)>;

/// A part's list is given room for every enterprise it can gather (see [`Gathering::part`]).
const ROOM: &str = "a part has room for each of its enterprises";

impl<'k> Gathering<'k> {
    /// The enterprises of `runs` (over `filings`) and of `recorded`, written into `list`: in
    /// key order when the runs are (see [`Enterprises::gather_runs`]), else to be sorted by
    /// the caller. Returns the provinces their `regions` number. `list` must have room for
    /// one enterprise per company key among the runs and per recorded company.
    fn part<'a>(
        &self,
        filings: &'a [FilingFact],
        runs: &'k [Run],
        suggested: &[Option<u32>],
        recorded: Vec<(usize, Enterprise<'a>)>,
        list: &mut ListSlots<'_, 'a>,
    ) -> Vec<&'a str> {
        let (company_keys, keyed_in_order) = (self.company_keys, self.keyed_in_order);
        let mut by_key: FxMap<&str, usize> = FxMap::default();
        let mut recorded = recorded.into_iter().peekable();
        // With runs in key order, each recorded company joins the list just before the first
        // key after its own, so the list is in key order as it is built; sorting 305,000
        // keys took 75 ms at 1M filings with two companies recorded. Otherwise they go first,
        // every key goes through the map, and the list is sorted at the end.
        if !keyed_in_order {
            by_key.reserve(recorded.len() + runs.len());
            place_recorded(&mut recorded, company_keys, list, &mut by_key, None);
        }
        // What a name suggests, once per city suggested.
        let mut suggesting: FxMap<Option<*const City>, Arc<CompanyFacts>> = FxMap::default();
        let mut provinces: Vec<&'a str> = Vec::new();
        let mut province_ids: FxMap<&'a str, u16> = FxMap::default();
        // A company files in few provinces, so the last answer is tried first.
        let mut last_province: Option<(&'a str, u16)> = None;
        let mut at = 0;
        let mut previous: Option<(&str, usize)> = None;
        let cities = Cities::bundled().all();
        for ((key, n), suggests) in runs.iter().zip(suggested) {
            let run = &filings[at..at + *n];
            at += n;
            let Some(first) = run.first() else { continue };
            if keyed_in_order && previous.is_none_or(|(k, _)| k != key.as_str()) {
                place_recorded(&mut recorded, company_keys, list, &mut by_key, Some(key));
            }
            let known = match previous {
                Some((k, i)) if k == key.as_str() => Some(i),
                _ if by_key.is_empty() => None,
                _ => by_key.get(key.as_str()).copied(),
            };
            let i = match known {
                Some(i) => i,
                None => {
                    let city = suggests.map(|i| &cities[i as usize]);
                    let facts = suggesting
                        .entry(city.map(|c| c as *const City))
                        .or_insert_with(|| Arc::new(CompanyFacts::suggesting(city)));
                    let e =
                        Enterprise::new(first.company.trimmed(), Facts::Shared(Arc::clone(facts)));
                    if !keyed_in_order {
                        by_key.insert(key, list.len());
                    }
                    list.push((key.clone(), e)).ok().expect(ROOM);
                    list.len() - 1
                }
            };
            previous = Some((key, i));
            let e = &mut list.written()[i].1;
            e.registry.add(run, self.runs_sorted);
            for f in run {
                if let Some(r) = f.region.as_deref() {
                    let id = match last_province {
                        Some((p, id)) if p == r => id,
                        _ => *province_ids.entry(r).or_insert_with(|| {
                            provinces.push(r);
                            (provinces.len() - 1) as u16
                        }),
                    };
                    last_province = Some((r, id));
                    e.regions.insert(id);
                }
            }
        }
        place_recorded(&mut recorded, company_keys, list, &mut by_key, None);
        // Many enterprises share a city (most suggested from their names): work each out once.
        let mut scope_of: FxMap<String, Arc<CityPlace>> = FxMap::default();
        for (_, e) in list.written() {
            e.cache_scope(&mut scope_of);
            e.sort_filings();
        }
        provinces
    }
}

/// How many enterprises a part of runs in key order and recorded companies can gather at
/// most: one per company key among the runs (those that hold filings) and one per company.
fn enterprises_at_most(runs: &[Run], recorded: usize) -> usize {
    let mut last: Option<&str> = None;
    let mut keys = 0;
    for (key, n) in runs {
        if *n > 0 && last != Some(key) {
            keys += 1;
            last = Some(key);
        }
    }
    keys + recorded
}

/// Where runs in key order split into two parts of about half the filings each: the first
/// run of a key, so that every key's runs are in one part. `None` when there is no such place
/// (one key).
fn split_between_keys(runs: &[Run]) -> Option<usize> {
    let total: usize = runs.iter().map(|(_, n)| n).sum();
    let mut at = 0;
    let half = runs.iter().position(|(_, n)| {
        at += n;
        at * 2 >= total
    })?;
    (half + 1..runs.len())
        .chain((1..=half).rev())
        .find(|&m| runs[m].0 != runs[m - 1].0)
}

/// The provinces of two parts as one list: the first's, then those only the later names. The
/// later part's enterprises (`later`) are renumbered to match.
fn join_provinces<'a>(
    mut provinces: Vec<&'a str>,
    later_provinces: &[&'a str],
    later: &mut [(SharedText, Enterprise<'a>)],
) -> Vec<&'a str> {
    let renumbered: Vec<u16> = later_provinces
        .iter()
        .map(|p| match provinces.iter().position(|q| q == p) {
            Some(i) => i as u16,
            None => {
                provinces.push(p);
                (provinces.len() - 1) as u16
            }
        })
        .collect();
    let same = renumbered
        .iter()
        .enumerate()
        .all(|(i, &j)| i == usize::from(j));
    if !same {
        for (_, e) in later {
            let mut regions = ProvinceSet::default();
            for id in e.regions.ids() {
                regions.insert(renumbered[usize::from(id)]);
            }
            e.regions = regions;
        }
    }
    provinces
}

/// Puts the recorded companies' enterprises still to place (`recorded`, in key order) at the
/// end of `list`, up to those whose key comes after `before` (all of them without it).
fn place_recorded<'k, 'e>(
    recorded: &mut std::iter::Peekable<std::vec::IntoIter<(usize, Enterprise<'e>)>>,
    company_keys: &'k [SharedText],
    list: &mut ListSlots<'_, 'e>,
    by_key: &mut FxMap<&'k str, usize>,
    before: Option<&str>,
) {
    while let Some((k, _)) = recorded.peek() {
        let key = company_keys[*k].as_str();
        if before.is_some_and(|b| key > b) {
            break;
        }
        let (k, e) = recorded.next().expect("peeked");
        by_key.insert(key, list.len());
        list.push((company_keys[k].clone(), e)).ok().expect(ROOM);
    }
}

/// Whether two recorded companies are the same to the evaluation (their audit trails aside).
fn same_facts(a: &CompanyFacts, b: &CompanyFacts) -> bool {
    a.name == b.name
        && a.recorded == b.recorded
        && a.registered_city == b.registered_city
        && a.registered_district == b.registered_district
        && a.self_developed == b.self_developed
        && a.spend == b.spend
        && a.algorithm_filings == b.algorithm_filings
}

/// Sets each enterprise's `name_rank` (see [`name_ranks`]).
fn rank_names(list: &mut [(SharedText, Enterprise)]) {
    set_name_ranks(list, name_ranks(list));
}

/// Each enterprise's place among all ordered by name. The list is in key order, and a key is
/// its name folded, so the names are nearly in order already and the stable sort has little
/// to do.
fn name_ranks(list: &[(SharedText, Enterprise)]) -> Vec<u32> {
    let mut order: Vec<u32> = (0..list.len() as u32).collect();
    order.sort_by(|&a, &b| list[a as usize].1.name.cmp(&list[b as usize].1.name));
    let mut ranks = vec![0; list.len()];
    let mut rank = 0;
    for (i, &at) in order.iter().enumerate() {
        if i > 0 && list[at as usize].1.name != list[order[i - 1] as usize].1.name {
            rank += 1;
        }
        ranks[at as usize] = rank;
    }
    ranks
}

fn set_name_ranks(list: &mut [(SharedText, Enterprise)], ranks: Vec<u32>) {
    for ((_, e), rank) in list.iter_mut().zip(ranks) {
        e.name_rank = rank;
    }
}

/// Every enterprise of a registry, grouped once by company key and ordered by it, with what
/// decides each rule's scope worked out ahead: evaluating several rules, or one company under
/// every rule, reuses the grouping instead of redoing it per rule.
pub struct Enterprises<'a> {
    /// By key, ascending: the order results and first-N lists are built in.
    list: Vec<(SharedText, Enterprise<'a>)>,
    /// Every province a registry filing names, each once; `Enterprise::regions` index it.
    provinces: Vec<&'a str>,
    /// Who may be in a rule's scope, as ascending indexes into `list`, so that a rule visits
    /// the enterprises of its province rather than every enterprise of the registry.
    scopes: Scopes,
    /// How many enterprises have recorded facts.
    recorded: usize,
}

#[derive(Default)]
struct Scopes {
    /// Per index of `provinces`: the enterprises with a registry filing there.
    by_province: Vec<Vec<u32>>,
    /// Per province: the enterprises whose registered city the bundled list puts there.
    by_city_province: Vec<(&'static str, Vec<u32>)>,
    /// The enterprises with a registered city the bundled list does not know.
    unlisted_city: Vec<u32>,
}

impl Scopes {
    fn build(list: &[(SharedText, Enterprise)], provinces: usize) -> Scopes {
        let mut s = Scopes {
            by_province: vec![Vec::new(); provinces],
            ..Scopes::default()
        };
        for (i, (_, e)) in list.iter().enumerate() {
            // Only the provinces it files in (a bit or two), not every province asked of it.
            for id in e.regions.ids() {
                if let Some(l) = s.by_province.get_mut(usize::from(id)) {
                    l.push(i as u32);
                }
            }
        }
        s.build_cities(list);
        s
    }

    /// The lists by registered city, which recorded facts change, worked out again.
    fn build_cities(&mut self, list: &[(SharedText, Enterprise)]) {
        self.by_city_province.clear();
        self.unlisted_city.clear();
        // Each bundled city holds its own copy of its province's name: the list's place is
        // found once per copy, not by comparing names for each of 300,000 enterprises.
        let mut at: FxMap<(*const u8, usize), usize> = FxMap::default();
        for (i, (_, e)) in list.iter().enumerate() {
            let i = i as u32;
            match e.city.as_ref().map(|c| &c.scope) {
                None => {}
                Some(CityScope::Province(p)) => {
                    let j = *at.entry((p.as_ptr(), p.len())).or_insert_with(|| {
                        match self.by_city_province.iter().position(|(q, _)| q == p) {
                            Some(j) => j,
                            None => {
                                self.by_city_province.push((p, Vec::new()));
                                self.by_city_province.len() - 1
                            }
                        }
                    });
                    self.by_city_province[j].1.push(i);
                }
                Some(CityScope::Unlisted(_)) => self.unlisted_city.push(i),
            }
        }
    }

    /// Makes room for an enterprise inserted at `at` in the list: every index from there on
    /// moves up by one.
    fn insert_at(&mut self, at: u32) {
        for l in &mut self.by_province {
            for i in l.iter_mut().filter(|i| **i >= at) {
                *i += 1;
            }
        }
    }

    /// Every enterprise that may be in the scope of a rule for `province`, ascending, each
    /// once; the caller still asks `in_scope` of each (an unlisted city may not match).
    fn candidates(&self, province: &str, province_id: Option<u16>) -> Vec<u32> {
        let empty = Vec::new();
        let a = province_id.map_or(&empty, |id| &self.by_province[id as usize]);
        let b = self
            .by_city_province
            .iter()
            .find(|(p, _)| *p == province)
            .map_or(&empty, |(_, l)| l);
        let mut out = Vec::with_capacity(a.len() + b.len() + self.unlisted_city.len());
        let (mut i, mut j) = (0, 0);
        while i < a.len() || j < b.len() {
            let next = match (a.get(i), b.get(j)) {
                (Some(&x), Some(&y)) if x == y => {
                    i += 1;
                    j += 1;
                    x
                }
                (Some(&x), Some(&y)) if x < y => {
                    i += 1;
                    x
                }
                (Some(&x), None) => {
                    i += 1;
                    x
                }
                (_, Some(&y)) => {
                    j += 1;
                    y
                }
                (None, None) => unreachable!("the loop stops when both are done"),
            };
            out.push(next);
        }
        if !self.unlisted_city.is_empty() {
            out.extend_from_slice(&self.unlisted_city);
            out.sort_unstable();
            out.dedup();
        }
        out
    }
}

/// FxHash (as rustc uses): the grouping hashes a million company spellings and provinces, for
/// which SipHash's resistance to chosen keys buys nothing and costs a few percent of the run.
#[derive(Default, Clone, Copy)]
pub(crate) struct Fx(u64);

impl std::hash::Hasher for Fx {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes(c.try_into().expect("8 bytes")));
        }
        for &b in chunks.remainder() {
            self.add(b as u64);
        }
    }

    fn write_u8(&mut self, i: u8) {
        self.add(i as u64);
    }

    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

impl Fx {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

pub(crate) type FxMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<Fx>>;
pub(crate) type FxSet<K> = std::collections::HashSet<K, std::hash::BuildHasherDefault<Fx>>;

impl<'a> Enterprises<'a> {
    /// Groups registry filings and recorded companies into enterprises: one per company key,
    /// named as its recorded facts name it, else as its first filing spells it.
    pub fn gather(filings: &'a [FilingFact], companies: &'a [CompanyFacts]) -> Enterprises<'a> {
        // Runs of one spelling, each spelling's key worked out once.
        let mut key_of: FxMap<&str, String> = FxMap::default();
        let mut runs: Vec<Run> = Vec::new();
        let mut last: Option<&str> = None;
        for f in filings {
            match runs.last_mut() {
                Some((_, n)) if last == Some(&*f.company) => *n += 1,
                _ => {
                    let key = key_of
                        .entry(&f.company)
                        .or_insert_with(|| company_key(&f.company));
                    runs.push((key.as_str().into(), 1));
                    last = Some(&f.company);
                }
            }
        }
        let suggested = suggest_cities(filings, &runs);
        Self::gather_runs(filings, &runs, &suggested, companies, false)
    }

    /// [`Self::gather`] for filings that come in runs of one spelling: `runs` gives each run's
    /// company key and length, in order (see `snapshot::by_company`); `suggested`, the city
    /// each run's spelling suggests (see [`suggest_cities`]). `runs_sorted`: each run is in
    /// [`filing_order`] already (see [`sort_run`]).
    pub(crate) fn gather_runs(
        filings: &'a [FilingFact],
        runs: &[Run],
        suggested: &[Option<u32>],
        companies: &'a [CompanyFacts],
        runs_sorted: bool,
    ) -> Enterprises<'a> {
        Self::gather_runs_in_parts(filings, runs, suggested, companies, runs_sorted, PARTS_FROM)
    }

    /// [`Self::gather_runs`], in two parts on two threads from `parts_from` runs on.
    pub(crate) fn gather_runs_in_parts(
        filings: &'a [FilingFact],
        runs: &[Run],
        suggested: &[Option<u32>],
        companies: &'a [CompanyFacts],
        runs_sorted: bool,
        parts_from: usize,
    ) -> Enterprises<'a> {
        debug_assert_eq!(runs.iter().map(|(_, n)| n).sum::<usize>(), filings.len());
        debug_assert_eq!(runs.len(), suggested.len());
        let company_keys: Vec<SharedText> = companies
            .iter()
            .map(|c| company_key(&c.name).into())
            .collect();
        // Each recorded company's enterprise (the later of two with one key), with its key's
        // place in `company_keys`, in the order given.
        let mut recorded: Vec<(usize, Enterprise<'a>)> = Vec::with_capacity(companies.len());
        let mut recorded_at: FxMap<&str, usize> = FxMap::default();
        for (k, (c, key)) in companies.iter().zip(&company_keys).enumerate() {
            let mut e = Enterprise::new(c.name.as_str().into(), Facts::Recorded(c));
            e.algorithm = c
                .algorithm_filings
                .iter()
                .map(|a| algorithm_fact(a, &c.name))
                .collect();
            match recorded_at.get(key.as_str()) {
                Some(&i) => recorded[i].1 = e,
                None => {
                    recorded_at.insert(key, recorded.len());
                    recorded.push((k, e));
                }
            }
        }
        // Runs in key order (as `snapshot::by_company` gives them) put a key's runs together:
        // a run joins the one before it or a recorded company, and the map is asked only
        // about recorded companies. Keeping every key in it cost a third of the grouping at 1M.
        let keyed_in_order = runs.is_sorted_by(|a, b| a.0 <= b.0);
        if keyed_in_order {
            recorded.sort_unstable_by(|a, b| company_keys[a.0].cmp(&company_keys[b.0]));
        }
        let gathering = Gathering {
            company_keys: &company_keys,
            runs_sorted,
            keyed_in_order,
        };
        // Runs in key order are gathered in two parts side by side, split between two keys:
        // at 1M, walking the runs took 85 ms of the 135 ms the enterprises took to build.
        let split = (keyed_in_order && runs.len() >= parts_from)
            .then(|| split_between_keys(runs))
            .flatten();
        // Each part writes its enterprises where they end up in the list.
        let room = recorded.len() + runs.len();
        let mut list: Vec<(SharedText, Enterprise<'a>)> = Vec::with_capacity(room);
        let provinces = match split {
            None => {
                let mut slots = Slots::new(&mut list.spare_capacity_mut()[..room]);
                let provinces = gathering.part(filings, runs, suggested, recorded, &mut slots);
                let n = slots.keep();
                // SAFETY: the first `n` of the list's spare room were written and kept.
                unsafe { list.set_len(n) };
                // Sorted by key once, so that every rule walks them in order through memory.
                // Keys are unique, so an unstable sort is exact. Runs in key order built the
                // list in key order.
                if !keyed_in_order && !list.is_sorted_by(|a, b| a.0 < b.0) {
                    let mut order: Vec<u32> = (0..list.len() as u32).collect();
                    order.sort_unstable_by(|&a, &b| list[a as usize].0.cmp(&list[b as usize].0));
                    crate::order::apply(&mut list, order);
                }
                provinces
            }
            Some(m) => {
                let at: usize = runs[..m].iter().map(|(_, n)| n).sum();
                // A recorded company goes with the part its key falls in (before the second
                // part's first key, or not).
                let first_of_later = runs[m].0.as_str();
                let later_recorded = recorded.split_off(
                    recorded.partition_point(|(k, _)| company_keys[*k].as_str() < first_of_later),
                );
                let first_room = enterprises_at_most(&runs[..m], recorded.len());
                let (into_first, into_later) =
                    list.spare_capacity_mut()[..room].split_at_mut(first_room);
                let ((first, first_provinces), (later, later_provinces)) =
                    std::thread::scope(|s| {
                        let later = s.spawn(|| {
                            let mut slots = Slots::new(into_later);
                            let provinces = gathering.part(
                                &filings[at..],
                                &runs[m..],
                                &suggested[m..],
                                later_recorded,
                                &mut slots,
                            );
                            (slots, provinces)
                        });
                        let mut slots = Slots::new(into_first);
                        let provinces = gathering.part(
                            &filings[..at],
                            &runs[..m],
                            &suggested[..m],
                            recorded,
                            &mut slots,
                        );
                        let later = later
                            .join()
                            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                        ((slots, provinces), later)
                    });
                let (first, later) = (first.keep(), later.keep());
                // SAFETY: the first part wrote and kept the first `first` slots of the list's
                // spare room, the later part the `later` from `first_room` on; those are moved
                // down to follow the first part's (a recorded company with a key among the
                // runs takes no room of its own), and the list is as long as both.
                unsafe {
                    if first < first_room {
                        let base = list.as_mut_ptr();
                        std::ptr::copy(base.add(first_room), base.add(first), later);
                    }
                    list.set_len(first + later);
                }
                join_provinces(first_provinces, &later_provinces, &mut list[first..])
            }
        };
        debug_assert!(list.is_sorted_by(|a, b| a.0 < b.0));
        // Ranking the names and listing who each rule may consider read different fields:
        // side by side, at 1M, each took about 25 ms.
        let (ranks, scopes) = if list.len() >= PARTS_FROM {
            std::thread::scope(|s| {
                let ranks = s.spawn(|| name_ranks(&list));
                let scopes = Scopes::build(&list, provinces.len());
                let ranks = ranks
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                (ranks, scopes)
            })
        } else {
            (name_ranks(&list), Scopes::build(&list, provinces.len()))
        };
        set_name_ranks(&mut list, ranks);
        let recorded = list.iter().filter(|(_, e)| e.facts.recorded).count();
        Enterprises {
            list,
            provinces,
            scopes,
            recorded,
        }
    }

    /// The same registry with the recorded companies `companies` (as [`Self::gather`] takes
    /// them) in place of those it was gathered with: only the enterprises whose facts changed,
    /// or that are new, are built again. Recording one company's facts at a million filings
    /// rebuilt all 305,000 enterprises, about 0.55 s, for an answer that changes one of them.
    /// Returns false, changing nothing, when a recorded company is no longer among
    /// `companies` (the store never forgets one); the caller gathers again then.
    pub(crate) fn replace_companies(&mut self, companies: &[CompanyFacts]) -> bool {
        // By key, the later of two with one key winning, as in `gather_runs`.
        let mut by_key: FxMap<String, &CompanyFacts> = FxMap::default();
        for c in companies {
            by_key.insert(company_key(&c.name), c);
        }
        // Every recorded enterprise must be among them: it is, when as many of them are.
        let mut still_recorded = 0;
        let mut changed: Vec<(String, &CompanyFacts)> = Vec::new();
        for (k, c) in by_key {
            match self.get(&k).filter(|e| e.facts.recorded) {
                Some(e) => {
                    still_recorded += 1;
                    if !same_facts(&e.facts, c) {
                        changed.push((k, c));
                    }
                }
                None => changed.push((k, c)),
            }
        }
        if still_recorded != self.recorded {
            return false;
        }
        if changed.is_empty() {
            return true;
        }
        changed.sort_by(|a, b| a.0.cmp(&b.0));
        let mut known = FxMap::default();
        let mut renamed = false;
        for (key, c) in changed {
            let mut e = Enterprise::new(c.name.as_str().into(), Facts::Shared(Arc::new(c.clone())));
            e.algorithm = c
                .algorithm_filings
                .iter()
                .map(|a| algorithm_fact(a, &c.name))
                .collect();
            e.cache_scope(&mut known);
            e.sort_filings();
            match self.list.binary_search_by(|(k, _)| k.as_str().cmp(&key)) {
                Ok(i) => {
                    let old = &mut self.list[i].1;
                    if !old.facts.recorded {
                        self.recorded += 1;
                    }
                    renamed |= old.name != e.name;
                    // What the registry's filings give stays: they have not changed.
                    e.registry = std::mem::replace(&mut old.registry, Registry::Run(&[]));
                    e.regions = std::mem::take(&mut old.regions);
                    e.name_rank = old.name_rank;
                    *old = e;
                }
                Err(i) => {
                    self.scopes.insert_at(i as u32);
                    self.list.insert(i, (key.into(), e));
                    self.recorded += 1;
                    renamed = true;
                }
            }
        }
        self.scopes.build_cities(&self.list);
        if renamed {
            rank_names(&mut self.list);
        }
        true
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    fn get(&self, key: &str) -> Option<&Enterprise<'a>> {
        self.list
            .binary_search_by(|(k, _)| k.as_str().cmp(key))
            .ok()
            .map(|i| &self.list[i].1)
    }

    /// Each enterprise as "name, recorded city (or -), number of registry filings".
    #[cfg(test)]
    pub(crate) fn list_for_tests(&self) -> Vec<String> {
        self.list
            .iter()
            .map(|(_, e)| {
                let city = e.facts.registered_city.as_ref().map(|c| c.value.as_str());
                format!(
                    "{} {} {}",
                    e.name,
                    city.unwrap_or("-"),
                    e.registry.iter().count()
                )
            })
            .collect()
    }

    /// Whether the registry knows the company (a filing or recorded facts), by company key.
    pub fn contains(&self, company: &str) -> bool {
        self.get(&company_key(company)).is_some()
    }

    /// Evaluates `rules` as of `as_of`; see [`evaluate_rules`].
    pub fn evaluate(
        &self,
        rules: &[Rule],
        as_of: NaiveDate,
        focus: Option<&str>,
    ) -> EvaluationReport {
        self.run(rules, as_of, focus, Detail::All)
    }

    /// Each rule's totals and notes over every enterprise, exactly as [`Self::evaluate`] counts
    /// them, with `results` left empty: no reason, name or filing list is built for the quarter
    /// of a million results a 1M-row registry holds when only the totals are read.
    pub fn totals(&self, rules: &[Rule], as_of: NaiveDate) -> EvaluationReport {
        self.run(rules, as_of, None, Detail::Totals)
    }

    /// Each rule's totals over every enterprise, and its first `per_rule` results in the
    /// report's order (qualifying, then undecided, then not qualifying; by name), each with its
    /// reasons exactly as [`Self::evaluate`] gives them, with the reasons built for a few
    /// hundred enterprises per rule rather than for all of them.
    pub fn evaluate_first(
        &self,
        rules: &[Rule],
        as_of: NaiveDate,
        per_rule: usize,
    ) -> EvaluationReport {
        self.evaluate_page(rules, as_of, ResultsPage::first(per_rule))
    }

    /// Each rule's totals over every enterprise, and one page of its results in the report's
    /// order, among those `page.shown` admits: what a screen shows.
    pub fn evaluate_page(
        &self,
        rules: &[Rule],
        as_of: NaiveDate,
        page: ResultsPage,
    ) -> EvaluationReport {
        self.run(rules, as_of, None, Detail::Page(page))
    }

    fn run(
        &self,
        rules: &[Rule],
        as_of: NaiveDate,
        focus: Option<&str>,
        detail: Detail,
    ) -> EvaluationReport {
        let focus_key = focus.map(company_key);
        let all = || self.list.iter().map(|(k, e)| (k.as_str(), e));
        let evaluate_one = |rule: &Rule| {
            let city = crate::region::alias_key(&rule.jurisdiction.city);
            let province = rule.jurisdiction.province.as_str();
            let province_id = self
                .provinces
                .iter()
                .position(|p| *p == province)
                .map(|i| i as u16);
            let scoped = |e: &Enterprise| in_scope(province, province_id, &city, e);
            if focus_key.is_some() {
                return evaluate_rule(
                    rule,
                    all(),
                    scoped,
                    as_of,
                    focus_key.as_deref(),
                    false,
                    detail,
                );
            }
            // Every enterprise: only those that may be in scope are visited, the rest are
            // counted as not considered, as a visit would count them.
            let candidates = self.scopes.candidates(province, province_id);
            let mut o = evaluate_rule(
                rule,
                candidates.iter().map(|&i| {
                    let (k, e) = &self.list[i as usize];
                    (k.as_str(), e)
                }),
                scoped,
                as_of,
                None,
                false,
                detail,
            );
            o.totals.not_considered += (self.list.len() - candidates.len()) as u32;
            o
        };
        let outcomes = each_on_threads(rules, self.list.len(), evaluate_one);
        report(
            outcomes,
            as_of,
            focus,
            focus_key.as_deref().and_then(|k| self.get(k)),
        )
    }
}

/// `f` of every rule, in order. Rules are independent and each reads the enterprises only, so
/// for a large registry they are shared out among the cores: at a million filings one rule
/// visits up to a hundred thousand enterprises, and eight rules one after another took 21–27 ms.
fn each_on_threads<T: Send>(
    rules: &[Rule],
    enterprises: usize,
    f: impl Fn(&Rule) -> T + Sync,
) -> Vec<T> {
    /// Below this many enterprises, starting a thread costs more than it spares.
    const SHARED_FROM: usize = 20_000;
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(rules.len());
    if threads < 2 || enterprises < SHARED_FROM {
        return rules.iter().map(f).collect();
    }
    // Each thread takes the next rule not taken, so one costly rule does not hold up the rest.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let take = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let Some(rule) = rules.get(i) else { break };
            done.push((i, f(rule)));
        }
        done
    };
    let mut done: Vec<(usize, T)> = std::thread::scope(|s| {
        let others: Vec<_> = (1..threads).map(|_| s.spawn(take)).collect();
        let mut done = take();
        for o in others {
            done.extend(
                o.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            );
        }
        done
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, t)| t).collect()
}

fn report(
    outcomes: Vec<RuleOutcome>,
    as_of: NaiveDate,
    focus: Option<&str>,
    focused: Option<&Enterprise>,
) -> EvaluationReport {
    let total_cny = outcomes.iter().map(|o| o.totals.total_cny).sum();
    EvaluationReport {
        as_of: as_of.to_string(),
        company: focus.map(|f| {
            focused
                .map(|e| e.name.to_string())
                .unwrap_or_else(|| f.trim().to_string())
        }),
        rules: outcomes,
        total_cny,
    }
}

/// How much of each rule's answer is built.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Detail {
    /// Every result with its reasons.
    All,
    /// The totals; no result.
    Totals,
    /// The totals, and one page of results with their reasons.
    Page(ResultsPage),
}

/// Which results a screen lists: those that qualify, those still open (qualifying or needing a
/// fact), or all. Each is a prefix of the report's order, which puts those that qualify first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Shown {
    Qualifies,
    Open,
    All,
}

impl Shown {
    pub fn admits(self, s: Status) -> bool {
        report_rank(s) <= self.last_rank()
    }

    fn last_rank(self) -> u8 {
        match self {
            Shown::Qualifies => report_rank(Status::Qualifies),
            Shown::Open => report_rank(Status::CannotTell),
            Shown::All => report_rank(Status::DoesNotQualify),
        }
    }

    /// How many of a rule's results this admits.
    pub fn count(self, t: &RuleTotals) -> u32 {
        [
            (Status::Qualifies, t.qualifies),
            (Status::CannotTell, t.cannot_tell),
            (Status::DoesNotQualify, t.does_not_qualify),
        ]
        .into_iter()
        .filter(|(s, _)| self.admits(*s))
        .map(|(_, n)| n)
        .sum()
    }
}

/// A page of each rule's results, in the report's order among those `shown` admits: from the
/// `offset`-th, at most `limit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ResultsPage {
    pub shown: Shown,
    pub offset: u32,
    pub limit: u32,
}

impl ResultsPage {
    /// The first `n` results, whatever their answer.
    pub fn first(n: usize) -> ResultsPage {
        ResultsPage {
            shown: Shown::All,
            offset: 0,
            limit: n.min(u32::MAX as usize) as u32,
        }
    }
}

/// Per enterprise before the first-N ranking.
struct Pre<'e> {
    status: Status,
    reasons: Vec<Reason>,
    needs: Vec<Need>,
    counted: Vec<&'e FilingFact>,
    amount: Option<i64>,
    amount_unknown_reason: Option<AmountUnknown>,
    /// The earliest counted filing; `None` with a `cannot_tell` means it could rank anywhere.
    rank: Option<&'e FilingFact>,
}

/// The city each run's spelling suggests (see [`Cities::suggest_from_company`]), as an index
/// into the bundled list: worked out once per spelling, and kept with the grouped filings.
pub(crate) fn suggest_cities(filings: &[FilingFact], runs: &[Run]) -> Vec<Option<u32>> {
    let cities = Cities::bundled();
    let mut at = 0;
    runs.iter()
        .map(|(_, n)| {
            let first = filings.get(at);
            at += n;
            let city = cities.suggest_from_company(&first?.company)?;
            u32::try_from(cities.index_of(city)).ok()
        })
        .collect()
}

/// An algorithm filing recorded for `company`, as evaluation counts filings.
pub(crate) fn algorithm_fact(a: &AlgorithmFiling, company: &str) -> FilingFact {
    FilingFact {
        number: a.number.as_str().into(),
        kind: FilingKind::Algorithm,
        region: None,
        company: company.into(),
        filed_on: NaiveDate::parse_from_str(&a.filed_on, "%Y-%m-%d").ok(),
        confirmed: a.confirmed,
    }
}

/// Evaluates `rules` as of `as_of`. `focus`: one company's results only (every rule listed for
/// it, in scope or not); otherwise every enterprise in each rule's scope.
pub fn evaluate_rules(
    rules: &[Rule],
    filings: &[FilingFact],
    companies: &[CompanyFacts],
    as_of: NaiveDate,
    focus: Option<&str>,
) -> EvaluationReport {
    Enterprises::gather(filings, companies).evaluate(rules, as_of, focus)
}

/// In the rule's scope: a registry filing in its province (`province_id`, when any filing
/// names it), or a registered city there. `rule_city` is the rule's city folded, for a
/// registered city the bundled list does not know.
fn in_scope(province: &str, province_id: Option<u16>, rule_city: &str, e: &Enterprise) -> bool {
    if province_id.is_some_and(|id| e.regions.contains(id)) {
        return true;
    }
    match e.city.as_ref().map(|c| &c.scope) {
        None => false,
        Some(CityScope::Province(p)) => *p == province,
        Some(CityScope::Unlisted(k)) => **k == *rule_city,
    }
}

fn evaluate_rule<'e, 'a: 'e>(
    rule: &Rule,
    enterprises: impl Iterator<Item = (&'e str, &'e Enterprise<'a>)>,
    scoped: impl Fn(&Enterprise) -> bool,
    as_of: NaiveDate,
    focus: Option<&str>,
    evaluate_all: bool,
    detail: Detail,
) -> RuleOutcome {
    let explain = detail == Detail::All;
    let want_city = rule
        .eligibility
        .registered_city
        .as_deref()
        .map(crate::region::alias_key);
    let want_city = want_city.as_deref();
    let mut notes = rule_notes(rule, as_of);
    let mut totals = RuleTotals::default();
    // Every enterprise given is in scope when no company is asked for (see `Enterprises::run`).
    let mut pres: Vec<(&Enterprise, Pre)> = Vec::with_capacity(if focus.is_none() {
        enterprises.size_hint().0
    } else {
        0
    });
    let mut out_of_scope_focus: Option<EnterpriseResult> = None;
    let mut scratch = Vec::new();
    // For one company, only a first-N rule needs the others' answers (to rank it among them);
    // otherwise they are counted in or out of scope and their results would be dropped anyway.
    let others_needed = evaluate_all || focus.is_none() || rule.eligibility.first_n.is_some();
    if !explain && focus.is_none() && rule.eligibility.first_n.is_none() {
        // No ranking and no reasons: each answer is counted as it comes, and only its status
        // is kept for choosing the first results, not the whole answer.
        let mut answers = Answers::with_capacity(match detail {
            Detail::Page(_) => enterprises.size_hint().0,
            _ => 0,
        });
        for (_, e) in enterprises {
            if !scoped(e) {
                totals.not_considered += 1;
                continue;
            }
            let pre = pre_evaluate(rule, want_city, e, as_of, false, &mut scratch);
            count(
                &mut totals,
                pre.status,
                pre.amount.filter(|_| pre.status == Status::Qualifies),
            );
            if let Detail::Page(_) = detail {
                answers.push(e, pre.status);
            }
        }
        let results = match detail {
            Detail::Page(page) => page_of_results(rule, want_city, &answers, &[], as_of, page),
            _ => Vec::new(),
        };
        return outcome(rule, notes, results, totals);
    }
    for (key, e) in enterprises {
        if !scoped(e) {
            totals.not_considered += 1;
            if focus == Some(key) {
                out_of_scope_focus = Some(out_of_scope(rule, e));
            }
            continue;
        }
        if others_needed || focus == Some(key) {
            pres.push((
                e,
                pre_evaluate(rule, want_city, e, as_of, explain, &mut scratch),
            ));
        }
    }
    // The entrants as they stood before the ranking, for explaining a place later.
    let before_ranking = match (detail, rule.eligibility.first_n) {
        (Detail::Page(_), Some(_)) => entrants(&pres),
        _ => Vec::new(),
    };
    if let Some(first_n) = rule.eligibility.first_n {
        rank_first_n(first_n.n, first_n.tie, &mut pres, &mut notes, explain);
    }
    let outcome = |results, totals| outcome(rule, notes, results, totals);
    if !explain {
        // The answers counted as `finish` would leave them, without building them.
        for (_, pre) in &pres {
            let amount = pre.amount.filter(|_| pre.status == Status::Qualifies);
            count(&mut totals, pre.status, amount);
        }
        let results = match detail {
            Detail::Page(page) => {
                let mut answers = Answers::with_capacity(pres.len());
                for (e, p) in &pres {
                    answers.push(e, p.status);
                }
                page_of_results(rule, want_city, &answers, &before_ranking, as_of, page)
            }
            _ => Vec::new(),
        };
        return outcome(results, totals);
    }
    let mut results = Vec::new();
    for (e, pre) in pres {
        results.push(finish(rule, e, pre));
    }
    if let Some(r) = out_of_scope_focus {
        results.push(r);
    }
    if let Some(f) = focus {
        results.retain(|r| company_key(&r.enterprise) == f);
        if results.is_empty() {
            results.push(EnterpriseResult {
                enterprise: f.to_string(),
                status: Status::DoesNotQualify,
                amount_cny: None,
                amount_unknown_reason: None,
                cost_split: Vec::new(),
                reasons: vec![Reason::NoFilingsOrFacts],
                needs: Vec::new(),
                filings: Vec::new(),
            });
        }
    }
    for r in &results {
        count(&mut totals, r.status, r.amount_cny);
    }
    results.sort_by(|a, b| report_order((a.status, &a.enterprise), (b.status, &b.enterprise)));
    outcome(results, totals)
}

fn outcome(
    rule: &Rule,
    notes: Vec<RuleNote>,
    results: Vec<EnterpriseResult>,
    totals: RuleTotals,
) -> RuleOutcome {
    RuleOutcome {
        rule: rule.id.clone(),
        title: rule.title.clone(),
        jurisdiction: rule.jurisdiction.label(),
        confidence: rule.confidence,
        enabled: rule.enabled,
        notes,
        results,
        totals,
    }
}

/// Qualifying first, then undecided, then not qualifying; by name within each.
fn report_order(a: (Status, &str), b: (Status, &str)) -> Ordering {
    report_rank(a.0)
        .cmp(&report_rank(b.0))
        .then_with(|| a.1.cmp(b.1))
}

fn report_rank(s: Status) -> u8 {
    match s {
        Status::Qualifies => 0,
        Status::CannotTell => 1,
        Status::DoesNotQualify => 2,
    }
}

/// A rule's answers to choose its first results from, in evaluation order: each enterprise,
/// and a key that sorts as [`report_order`] does (status, then name) with the answer's place
/// last. Packed in one integer, so that choosing among a quarter of a million answers compares
/// integers rather than names from all over memory.
struct Answers<'e, 'a> {
    enterprises: Vec<&'e Enterprise<'a>>,
    keys: Vec<u64>,
}

impl<'e, 'a> Answers<'e, 'a> {
    const PLACE_BITS: u32 = 30;

    fn with_capacity(n: usize) -> Self {
        Answers {
            enterprises: Vec::with_capacity(n),
            keys: Vec::with_capacity(n),
        }
    }

    fn push(&mut self, e: &'e Enterprise<'a>, status: Status) {
        let at = self.enterprises.len() as u64;
        assert!(
            at < 1 << Self::PLACE_BITS,
            "fewer than a billion enterprises"
        );
        self.keys.push(
            (report_rank(status) as u64) << 62 | (e.name_rank as u64) << Self::PLACE_BITS | at,
        );
        self.enterprises.push(e);
    }

    fn place(key: u64) -> usize {
        (key & ((1 << Self::PLACE_BITS) - 1)) as usize
    }
}

/// One page of the answers in the report's order, built with their reasons: each enterprise is
/// evaluated again with its reasons and, under a first-N rule, placed among `before_ranking`
/// (the entrants as they stood before the ranking) as the full evaluation places it.
fn page_of_results(
    rule: &Rule,
    want_city: Option<&str>,
    answers: &Answers,
    before_ranking: &[Entrant],
    as_of: NaiveDate,
    page: ResultsPage,
) -> Vec<EnterpriseResult> {
    let (offset, limit) = (page.offset as usize, page.limit as usize);
    // The status sits in the key's top bits, so the answers a page admits are those below a
    // bound.
    let bound = (page.shown.last_rank() as u64 + 1) << 62;
    let mut chosen: Vec<u64> = answers
        .keys
        .iter()
        .copied()
        .filter(|&k| k < bound)
        .collect();
    let end = offset.saturating_add(limit).min(chosen.len());
    if offset >= end {
        return Vec::new();
    }
    // Only the page is sorted: the answers before it are set apart, not ordered.
    if end < chosen.len() {
        chosen.select_nth_unstable(end - 1);
        chosen.truncate(end);
    }
    let mut chosen = if offset > 0 {
        chosen.select_nth_unstable(offset);
        chosen.split_off(offset)
    } else {
        chosen
    };
    chosen.sort_unstable();
    chosen
        .into_iter()
        .map(|key| {
            let i = Answers::place(key);
            let e = answers.enterprises[i];
            let mut pre = pre_evaluate(rule, want_city, e, as_of, true, &mut Vec::new());
            if let Some(first_n) = rule.eligibility.first_n {
                if let Some(k) = before_ranking
                    .binary_search_by_key(&i, |x| x.at)
                    .ok()
                    .filter(|&k| before_ranking[k].status == Status::Qualifies)
                    .filter(|&k| before_ranking[k].rank.is_some())
                {
                    let (st, reason) = placed(first_n.n, first_n.tie, before_ranking, k);
                    settle_place(&mut pre, st, Some(reason));
                }
            }
            debug_assert_eq!(report_rank(pre.status) as u64, key >> 62);
            finish(rule, e, pre)
        })
        .collect()
}

fn count(totals: &mut RuleTotals, status: Status, amount: Option<i64>) {
    match status {
        Status::Qualifies => {
            totals.qualifies += 1;
            match amount {
                Some(a) => totals.total_cny += a,
                None => totals.qualifies_amount_unknown += 1,
            }
        }
        Status::DoesNotQualify => totals.does_not_qualify += 1,
        Status::CannotTell => totals.cannot_tell += 1,
    }
}

fn rule_notes(rule: &Rule, as_of: NaiveDate) -> Vec<RuleNote> {
    let mut notes = Vec::new();
    if !rule.enabled {
        notes.push(RuleNote::Disabled);
    }
    if let Some(d) = rule.issued_on.filter(|d| *d > as_of) {
        notes.push(RuleNote::IssuedAfterAsOf {
            issued_on: d,
            as_of,
        });
    }
    if rule.confidence != Confidence::H {
        notes.push(RuleNote::Confidence {
            confidence: rule.confidence,
        });
    }
    for w in &rule.application_windows {
        let state = match (w.from, w.to) {
            (_, Some(t)) if as_of > t => Some(WindowState::Closed),
            (Some(f), _) if as_of < f => Some(WindowState::NotYetOpen),
            (None, None) => None,
            _ => Some(WindowState::Open),
        };
        notes.push(RuleNote::ApplicationWindow {
            from: w.from,
            to: w.to,
            state,
            as_of,
            note: w.note.clone(),
        });
    }
    notes
}

fn out_of_scope(rule: &Rule, e: &Enterprise) -> EnterpriseResult {
    let mut regions: Vec<&str> = e.filings().filter_map(|f| f.region.as_deref()).collect();
    regions.sort_unstable();
    regions.dedup();
    let province = rule.jurisdiction.province.clone();
    let mut reasons = vec![if regions.is_empty() {
        Reason::NoFilingInProvince { province }
    } else {
        Reason::FilingsElsewhere {
            regions: regions.into_iter().map(str::to_string).collect(),
            province,
        }
    }];
    if let Some(c) = &e.facts.registered_city {
        reasons.push(Reason::RegisteredCity {
            city: c.value.clone(),
            origin: origin(c),
        });
    }
    EnterpriseResult {
        enterprise: e.name.to_string(),
        status: Status::DoesNotQualify,
        amount_cny: None,
        amount_unknown_reason: None,
        cost_split: Vec::new(),
        reasons,
        needs: Vec::new(),
        filings: Vec::new(),
    }
}

/// Whether a fact may decide under this rule.
fn usable<T>(rule: &Rule, f: &Fact<T>) -> bool {
    f.confirmed || rule.eligibility.accept_unconfirmed
}

enum Check {
    Met,
    NotMet,
    Needs,
}

/// What the conditions checked so far came to: only whether any was not met, and whether any
/// needs a fact, decide the status.
#[derive(Default)]
struct Checks {
    not_met: bool,
    needs: bool,
}

impl Checks {
    fn push(&mut self, c: Check) {
        match c {
            Check::Met => {}
            Check::NotMet => self.not_met = true,
            Check::Needs => self.needs = true,
        }
    }
}

/// The reasons (or the missing facts) an evaluation gives, or none when only the totals are
/// wanted: each is built by a closure that runs only when someone will read it.
struct Why<T = Reason> {
    explain: bool,
    list: Vec<T>,
}

impl<T> Why<T> {
    fn new(explain: bool) -> Why<T> {
        Why {
            explain,
            list: Vec::new(),
        }
    }

    fn push(&mut self, reason: impl FnOnce() -> T) {
        if self.explain {
            self.list.push(reason());
        }
    }

    fn insert_first(&mut self, reason: impl FnOnce() -> T) {
        if self.explain {
            self.list.insert(0, reason());
        }
    }
}

/// `want_city`: the rule's registered city folded (`alias_key`), worked out once per rule.
fn pre_evaluate<'e>(
    rule: &Rule,
    want_city: Option<&str>,
    e: &'e Enterprise,
    as_of: NaiveDate,
    explain: bool,
    scratch: &mut Vec<&'e FilingFact>,
) -> Pre<'e> {
    let el = &rule.eligibility;
    let mut reasons = Why::new(explain);
    let mut needs: Why<Need> = Why::new(explain);
    let mut checks = Checks::default();

    // Filings.
    let candidates = e.filings_in_order().filter(|f| el.kinds.contains(&f.kind));
    // Kept in the answer only when it is explained: otherwise only its first filing (the
    // rank) and the amount are read, and a buffer reused across enterprises spares an
    // allocation each.
    scratch.clear();
    let counted = scratch;
    let mut undated: Vec<String> = Vec::new();
    // At most one per kind, and there are three kinds.
    let mut first_of_kind: [Option<&FilingFact>; 3] = [None; 3];
    let slot = |k: FilingKind| match k {
        FilingKind::Filed => 0,
        FilingKind::Registered => 1,
        FilingKind::Algorithm => 2,
    };
    // The window a counted filing was checked against, the same for every filing.
    let window = if let Some(to) = rule.applies.completed_by {
        Some(Window::CompletedBy { to })
    } else if let (Some(from), Some(to)) = (rule.applies.filed_from, rule.applies.filed_to) {
        Some(Window::Within { from, to })
    } else {
        rule.applies
            .filed_from
            .map(|from| Window::OnOrAfter { from })
    };
    for f in candidates {
        let kind = f.kind;
        if f.kind == FilingKind::Algorithm && !f.confirmed && !el.accept_unconfirmed {
            reasons.push(|| Reason::FilingUnconfirmed {
                kind,
                number: f.number.to_string(),
            });
            continue;
        }
        let Some(d) = f.filed_on else {
            undated.push(f.number.to_string());
            reasons.push(|| Reason::FilingUndated {
                kind,
                number: f.number.to_string(),
            });
            continue;
        };
        if d > as_of {
            reasons.push(|| Reason::FilingAfterAsOf {
                kind,
                number: f.number.to_string(),
                filed_on: d,
                as_of,
            });
            continue;
        }
        if el.first_filing_only {
            if let Some(first) = first_of_kind[slot(kind)] {
                reasons.push(|| Reason::FilingNotFirst {
                    kind,
                    number: f.number.to_string(),
                    filed_on: d,
                    first_number: first.number.to_string(),
                    // Only dated filings are ever first.
                    first_filed_on: first.filed_on.unwrap_or(d),
                });
                continue;
            }
            first_of_kind[slot(kind)] = Some(f);
        }
        if let Some(from) = rule.applies.filed_from.filter(|from| d < *from) {
            reasons.push(|| Reason::FilingBeforeWindow {
                kind,
                number: f.number.to_string(),
                filed_on: d,
                from,
            });
            continue;
        }
        if let Some(to) = rule.applies.upper().filter(|to| d > *to) {
            reasons.push(|| Reason::FilingAfterDeadline {
                kind,
                number: f.number.to_string(),
                filed_on: d,
                deadline: to,
                completed_by: rule.applies.completed_by.is_some(),
            });
            continue;
        }
        reasons.push(|| Reason::FilingCounted {
            kind,
            number: f.number.to_string(),
            filed_on: d,
            as_of,
            window,
            first_of_kind: el.first_filing_only,
        });
        counted.push(f);
    }
    if counted.is_empty() {
        if !undated.is_empty() {
            for number in undated {
                needs.push(|| Need::FilingDate { number });
            }
            checks.push(Check::Needs);
        } else {
            checks.push(Check::NotMet);
            reasons.insert_first(|| Reason::NoFilingCounts {
                kinds: el.kinds.clone(),
                as_of,
            });
        }
    }

    // Registered city.
    if let Some(want) = &el.registered_city {
        match &e.facts.registered_city {
            None => {
                needs.push(|| Need::RegisteredCity);
                checks.push(Check::Needs);
            }
            Some(c) if !usable(rule, c) => {
                needs.push(|| Need::RegisteredCityConfirmed {
                    city: c.value.clone(),
                    origin: origin(c),
                });
                checks.push(Check::Needs);
            }
            Some(c) => {
                let same = e.city.as_ref().map(|c| &*c.key) == want_city;
                if same {
                    if c.provenance == Provenance::InferredFromName && !c.confirmed {
                        reasons.push(|| Reason::CityInferredAccepted {
                            city: c.value.clone(),
                        });
                    } else {
                        reasons.push(|| Reason::RegisteredCity {
                            city: c.value.clone(),
                            origin: origin(c),
                        });
                    }
                    checks.push(Check::Met);
                } else {
                    reasons.push(|| Reason::CityMismatch {
                        city: c.value.clone(),
                        origin: origin(c),
                        want: want.clone(),
                    });
                    checks.push(Check::NotMet);
                }
            }
        }
    }

    // Registered district.
    if let Some(want) = &el.registered_district {
        match &e.facts.registered_district {
            None => {
                needs.push(|| Need::RegisteredDistrict);
                checks.push(Check::Needs);
            }
            Some(d) if !usable(rule, d) => {
                needs.push(|| Need::RegisteredDistrictConfirmed {
                    district: d.value.clone(),
                    origin: origin(d),
                });
                checks.push(Check::Needs);
            }
            Some(d) => {
                if same_district(&d.value, want) {
                    reasons.push(|| Reason::RegisteredDistrict {
                        district: d.value.clone(),
                        origin: origin(d),
                    });
                    checks.push(Check::Met);
                } else {
                    reasons.push(|| Reason::DistrictMismatch {
                        district: d.value.clone(),
                        origin: origin(d),
                        want: want.clone(),
                    });
                    checks.push(Check::NotMet);
                }
            }
        }
    }

    // Self-developed.
    if el.self_developed_required {
        match &e.facts.self_developed {
            Some(s) if s.value != SelfDeveloped::Unknown && usable(rule, s) => {
                if s.value == SelfDeveloped::Yes {
                    reasons.push(|| Reason::SelfDeveloped { origin: origin(s) });
                    checks.push(Check::Met);
                } else {
                    reasons.push(|| Reason::NotSelfDeveloped { origin: origin(s) });
                    checks.push(Check::NotMet);
                }
            }
            _ => {
                needs.push(|| Need::SelfDeveloped);
                checks.push(Check::Needs);
            }
        }
    }

    for u in &el.unchecked {
        reasons.push(|| Reason::NotChecked {
            condition: u.clone(),
        });
    }

    let mut status = if checks.not_met {
        Status::DoesNotQualify
    } else if checks.needs {
        Status::CannotTell
    } else {
        Status::Qualifies
    };
    if status == Status::DoesNotQualify {
        needs.list.clear();
    }

    let mut amount = None;
    let mut amount_unknown_reason = None;
    if status != Status::DoesNotQualify && !counted.is_empty() {
        let a = award(rule, e, counted, as_of, &mut reasons, &mut needs);
        match a {
            Amount::Known(x) => amount = Some(x),
            Amount::Unknown(why) => amount_unknown_reason = why,
            Amount::Needs => {
                if status == Status::Qualifies {
                    status = Status::CannotTell;
                }
            }
        }
    }

    let rank = counted.first().copied();
    Pre {
        status,
        reasons: reasons.list,
        needs: needs.list,
        counted: if explain { counted.clone() } else { Vec::new() },
        amount,
        amount_unknown_reason,
        rank,
    }
}

enum Amount {
    Known(i64),
    /// Why the amount is not known, when the reasons are wanted.
    Unknown(Option<AmountUnknown>),
    Needs,
}

fn amount_unknown(rule: &Rule, reasons: &mut Why) -> Amount {
    if !reasons.explain {
        return Amount::Unknown(None);
    }
    let why = match &rule.award.amount_unknown_reason {
        Some(text) => AmountUnknown::RuleSays { text: text.clone() },
        None => AmountUnknown::NoAmount,
    };
    reasons.push(|| Reason::AmountNotKnown { why: why.clone() });
    Amount::Unknown(Some(why))
}

fn award(
    rule: &Rule,
    e: &Enterprise,
    counted: &[&FilingFact],
    as_of: NaiveDate,
    reasons: &mut Why,
    needs: &mut Why<Need>,
) -> Amount {
    let w = &rule.award;
    match w.kind {
        AwardKind::LumpSumPerEnterprise => match w.amount_cny {
            Some(a) => {
                reasons.push(|| Reason::PaysPerEnterprise {
                    amount_cny: a,
                    up_to: w.up_to,
                    counted: counted.len() as u32,
                });
                Amount::Known(a)
            }
            None => amount_unknown(rule, reasons),
        },
        AwardKind::LumpSumPerFiling => {
            if w.amount_cny.is_none() && w.amount_by_kind.is_empty() {
                return amount_unknown(rule, reasons);
            }
            let mut by_year: BTreeMap<i32, i64> = BTreeMap::new();
            for f in counted {
                let a = w
                    .amount_by_kind
                    .get(&f.kind)
                    .copied()
                    .or(w.amount_cny)
                    .unwrap_or(0);
                reasons.push(|| Reason::PaysPerFiling {
                    number: f.number.to_string(),
                    kind: f.kind,
                    amount_cny: a,
                    up_to: w.up_to,
                });
                let year = f.filed_on.map(|d| d.year()).unwrap_or(as_of.year());
                *by_year.entry(year).or_default() += a;
            }
            let mut total = 0i64;
            for (year, sum) in by_year {
                let capped = match w.cap_per_year_cny {
                    Some(cap) if sum > cap => {
                        reasons.push(|| Reason::YearCapped {
                            year,
                            sum_cny: sum,
                            cap_cny: cap,
                        });
                        cap
                    }
                    _ => sum,
                };
                total += capped;
            }
            Amount::Known(cap_total(w.cap_cny, total, reasons))
        }
        AwardKind::RateOfSpend => {
            let Some(kind) = rule.eligibility.requires_spend else {
                return Amount::Needs;
            };
            let bp = w.rate_basis_points.unwrap_or(0);
            let first_year = counted
                .iter()
                .filter_map(|f| f.filed_on)
                .map(|d| d.year())
                .min()
                .unwrap_or(as_of.year());
            let mut last_year = as_of.year();
            if let Some(n) = w.years {
                last_year = last_year.min(first_year + n as i32 - 1);
            }
            let mut total = 0i64;
            let mut any = false;
            // The years without usable spend, read only by reasons and needs: left empty when
            // they are not built, which spares most enterprises of a rate rule an allocation.
            let mut missing = Vec::new();
            let explain = reasons.explain;
            for year in first_year..=last_year {
                let fact = e
                    .facts
                    .spend
                    .iter()
                    .find(|s| s.year == year && s.kind == kind);
                let spend_origin = |s: &super::facts::SpendFact| FactOrigin {
                    provenance: s.provenance,
                    confirmed: s.confirmed,
                };
                match fact {
                    Some(s) if s.confirmed || rule.eligibility.accept_unconfirmed => {
                        any = true;
                        let (raw, rounded) = apply_rate(s.amount_cny, bp);
                        let capped_at = w.cap_per_year_cny.filter(|cap| raw > *cap);
                        reasons.push(|| Reason::SpendCounted {
                            year,
                            spend: kind,
                            spend_cny: s.amount_cny,
                            origin: spend_origin(s),
                            rate_basis_points: bp,
                            amount_cny: raw,
                            rounded,
                            capped_at_cny: capped_at,
                        });
                        total += capped_at.unwrap_or(raw);
                    }
                    Some(s) => {
                        if explain {
                            missing.push(year);
                        }
                        reasons.push(|| Reason::SpendUnconfirmed {
                            year,
                            spend: kind,
                            spend_cny: s.amount_cny,
                            origin: spend_origin(s),
                        });
                    }
                    None if explain => missing.push(year),
                    None => {}
                }
            }
            reasons.push(|| Reason::PaidYears {
                years: w.years,
                first_year,
            });
            if !any {
                needs.push(|| Need::Spend {
                    spend: kind,
                    years: missing,
                });
                return Amount::Needs;
            }
            for year in missing {
                reasons.push(|| Reason::SpendMissing { spend: kind, year });
            }
            Amount::Known(cap_total(w.cap_cny, total, reasons))
        }
    }
}

fn cap_total(cap: Option<i64>, total: i64, reasons: &mut Why) -> i64 {
    match cap {
        Some(cap) if total > cap => {
            reasons.push(|| Reason::TotalCapped {
                total_cny: total,
                cap_cny: cap,
            });
            cap
        }
        _ => total,
    }
}

/// One enterprise that may take a first-N place: everything but `does_not_qualify` before the
/// ranking, in evaluation order.
struct Entrant<'e> {
    /// Its index in the rule's list of answers.
    at: usize,
    status: Status,
    rank: Option<&'e FilingFact>,
    name: &'e str,
}

fn entrants<'e>(pres: &[(&'e Enterprise, Pre<'e>)]) -> Vec<Entrant<'e>> {
    pres.iter()
        .enumerate()
        .filter(|(_, (_, p))| p.status != Status::DoesNotQualify)
        .map(|(at, (e, p))| Entrant {
            at,
            status: p.status,
            rank: p.rank,
            name: &e.name,
        })
        .collect()
}

fn ahead(tie: TieRule, a: &FilingFact, b: &FilingFact) -> bool {
    match tie {
        TieRule::IncludeAllTied => a.filed_on < b.filed_on,
        TieRule::ByNumber => filing_order(a, b) == Ordering::Less,
    }
}

/// The place of entrant `k` (one that qualifies, with a filing to rank) among `all`: its
/// status after the ranking and the reason, naming the undecided earlier filers and those
/// filed the same day.
fn placed(n: u32, tie: TieRule, all: &[Entrant], k: usize) -> (Status, Reason) {
    let mine = all[k]
        .rank
        .expect("only entrants with a counted filing are placed");
    let mut sure = 0u32;
    let mut maybe = Vec::new();
    let mut tied = Vec::new();
    for (j, other) in all.iter().enumerate() {
        if j == k {
            continue;
        }
        match other.rank {
            Some(o) if ahead(tie, o, mine) => {
                if other.status == Status::Qualifies {
                    sure += 1;
                } else {
                    maybe.push(other.name);
                }
            }
            Some(o) if o.filed_on == mine.filed_on => tied.push(other.name.to_string()),
            Some(_) => {}
            None => maybe.push(other.name),
        }
    }
    let place = sure + 1;
    let number = mine.number.to_string();
    let filed_on = mine.filed_on;
    if sure >= n {
        (
            Status::DoesNotQualify,
            Reason::RankedOut {
                place,
                n,
                number,
                filed_on,
                tie,
                tied,
            },
        )
    } else if sure + maybe.len() as u32 >= n {
        (
            Status::CannotTell,
            Reason::RankUncertain {
                place,
                place_to: place + maybe.len() as u32,
                n,
                number,
                filed_on,
                undecided: maybe.iter().map(|m| m.to_string()).collect(),
                tied,
            },
        )
    } else {
        (
            Status::Qualifies,
            Reason::RankedIn {
                place,
                n,
                number,
                filed_on,
                tie,
                tied,
            },
        )
    }
}

/// The status after the ranking of every entrant [`placed`] would place, without its reason:
/// the earlier filers are counted by binary search in sorted lists instead of a pass over all
/// entrants for each (a few thousand entrants at 1M make that millions of comparisons).
fn placed_statuses(n: u32, tie: TieRule, all: &[Entrant]) -> Vec<(usize, Status)> {
    // Under both tie rules "ahead" is "sorts strictly before" in one order of the ranked filings.
    type Key = (Option<NaiveDate>, Option<(Option<NaiveDate>, u64, String)>);
    let key = |f: &FilingFact| -> Key {
        match tie {
            TieRule::IncludeAllTied => (f.filed_on, None),
            TieRule::ByNumber => (f.filed_on, Some(number_order(&f.number))),
        }
    };
    let keys: Vec<Option<Key>> = all.iter().map(|x| x.rank.map(key)).collect();
    let mut sure: Vec<&Key> = Vec::new();
    let mut maybe: Vec<&Key> = Vec::new();
    let mut unranked = 0u32;
    for (x, k) in all.iter().zip(&keys) {
        match k {
            Some(k) if x.status == Status::Qualifies => sure.push(k),
            Some(k) => maybe.push(k),
            None => unranked += 1,
        }
    }
    sure.sort_unstable();
    maybe.sort_unstable();
    all.iter()
        .zip(&keys)
        .filter(|(x, _)| x.status == Status::Qualifies)
        .filter_map(|(x, k)| k.as_ref().map(|k| (x, k)))
        .map(|(x, k)| {
            let before = |list: &[&Key]| list.partition_point(|o| *o < k) as u32;
            let (sure, maybe) = (before(&sure), before(&maybe) + unranked);
            let status = if sure >= n {
                Status::DoesNotQualify
            } else if sure + maybe >= n {
                Status::CannotTell
            } else {
                Status::Qualifies
            };
            (x.at, status)
        })
        .collect()
}

/// Applies "the first N by filing date". Only enterprises that meet every other condition take
/// places; one that might (cannot_tell) and filed earlier makes a later place uncertain.
fn rank_first_n(
    n: u32,
    tie: TieRule,
    pres: &mut [(&Enterprise, Pre)],
    notes: &mut Vec<RuleNote>,
    explain: bool,
) {
    let all = entrants(pres);
    let updates: Vec<(usize, Status, Option<Reason>)> = if explain {
        (0..all.len())
            .filter(|&k| all[k].status == Status::Qualifies && all[k].rank.is_some())
            .map(|k| {
                let (st, reason) = placed(n, tie, &all, k);
                (all[k].at, st, Some(reason))
            })
            .collect()
    } else {
        placed_statuses(n, tie, &all)
            .into_iter()
            .map(|(at, st)| (at, st, None))
            .collect()
    };
    let qualifying = updates
        .iter()
        .filter(|(_, s, _)| *s == Status::Qualifies)
        .count() as u32;
    for (i, st, reason) in updates {
        settle_place(&mut pres[i].1, st, reason);
    }
    notes.push(RuleNote::FirstN { n });
    if qualifying > n {
        notes.push(RuleNote::TiedBoundary { qualifying, n });
    }
}

fn settle_place(p: &mut Pre, st: Status, reason: Option<Reason>) {
    p.reasons.extend(reason);
    if st == Status::CannotTell {
        p.needs.push(Need::EarlierFilersDecided);
    }
    p.status = st;
}

fn finish(rule: &Rule, e: &Enterprise, pre: Pre) -> EnterpriseResult {
    let mut reasons = pre.reasons;
    let qualifies = pre.status == Status::Qualifies;
    let amount = if qualifies { pre.amount } else { None };
    let mut cost_split = Vec::new();
    if let (Some(a), Some(cs)) = (amount, &rule.cost_sharing) {
        let shares: Vec<(String, u32)> = cs
            .shares
            .iter()
            .map(|s| (s.party.clone(), s.share))
            .collect();
        cost_split = split_cost(a, &shares);
        reasons.push(Reason::CostShared {
            parts: cost_split.clone(),
            text: cs.text.clone(),
        });
    }
    if rule.award.up_to && amount.is_some() {
        reasons.push(Reason::UpToCeiling);
    }
    for n in &pre.needs {
        reasons.push(Reason::Needs { need: n.clone() });
    }
    EnterpriseResult {
        enterprise: e.name.to_string(),
        status: pre.status,
        amount_cny: amount,
        amount_unknown_reason: if qualifies {
            pre.amount_unknown_reason
        } else {
            None
        },
        cost_split,
        reasons,
        needs: pre.needs,
        filings: pre.counted.iter().map(|f| f.number.to_string()).collect(),
    }
}

#[cfg(test)]
pub(crate) mod reference;
#[cfg(test)]
mod tests;
