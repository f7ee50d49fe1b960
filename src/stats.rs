//! Statistics: how many filings by 属地, kind, period, batch and company, with shares, ranks and
//! running totals, under any filter and as of any date; and the registry's counts beside the
//! totals the CAC published, so a person sees how complete their registry is.
//!
//! Rules every figure follows:
//! - **Filter**: the same [`FilingFilter`] as the Filings screen, so clicking a bar opens exactly
//!   the filings it counts.
//! - **As of**: with `as_of`, only filings dated (备案时间) on or before that day count. A filing
//!   with no date cannot be placed in time, so with `as_of` it is left out of every figure and
//!   counted in [`StatsReport::undated`] instead. Without `as_of`, undated filings count in the
//!   region, kind, batch and company figures but never in a time series (they have no period);
//!   there too they are reported as `undated`.
//! - **Share** is count / total of the figure (0 when the total is 0, never NaN).
//! - **Rank** is by count, largest first, in standard competition order: equal counts share a
//!   rank and the next rank skips the places they took (1, 2, 2, 4).

pub use crate::confidence::Confidence;
use crate::error::{Error, Result};
use crate::filing::Kind;
use crate::query::FilingFilter;
use crate::region::Regions;
use crate::registry::Registry;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;
use ts_rs::TS;

/// Shipped inside the binary so the CLI and the app compare against the same totals.
const PUBLISHED_TOTALS_CSV: &str = include_str!("../data/published_totals.csv");

/// What a statistic counts by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum StatsBy {
    /// 属地: key the full name (`上海市`), label the short name (`上海`).
    #[default]
    Region,
    /// `filed` or `registered`.
    Kind,
    /// `2024-03`.
    Month,
    /// `2024-Q1`.
    Quarter,
    /// `2024`.
    Year,
    /// The batch that first added the filing: key the batch id, or `manual` for filings added
    /// by hand.
    Batch,
    /// Company name as published.
    Company,
}

impl StatsBy {
    pub const ALL: [StatsBy; 7] = [
        StatsBy::Region,
        StatsBy::Kind,
        StatsBy::Month,
        StatsBy::Quarter,
        StatsBy::Year,
        StatsBy::Batch,
        StatsBy::Company,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StatsBy::Region => "region",
            StatsBy::Kind => "kind",
            StatsBy::Month => "month",
            StatsBy::Quarter => "quarter",
            StatsBy::Year => "year",
            StatsBy::Batch => "batch",
            StatsBy::Company => "company",
        }
    }

    pub fn parse(s: &str) -> Option<StatsBy> {
        let s = s.trim().to_ascii_lowercase();
        StatsBy::ALL.into_iter().find(|b| b.as_str() == s)
    }

    /// Calendar periods: rows in time order, zero-filled, with running totals.
    pub fn is_time(self) -> bool {
        matches!(self, StatsBy::Month | StatsBy::Quarter | StatsBy::Year)
    }

    /// Rows in their own order (time, or import order for batches) with running totals, rather
    /// than ranked by count.
    pub fn is_ordered(self) -> bool {
        self.is_time() || self == StatsBy::Batch
    }
}

/// What the store groups by; months, quarters and years are all summed from days.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Grouping {
    Region,
    Kind,
    Day,
    Batch,
    Company,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct StatsQuery {
    pub by: StatsBy,
    pub filter: FilingFilter,
    /// Count only filings dated on or before this day (YYYY-MM-DD); undated filings are then
    /// left out and reported in `undated`.
    pub as_of: Option<String>,
    /// Keep the rows ranked N or better (ties at the cut are all kept) and report their total
    /// and share. Only for region, kind and company.
    pub top: Option<u32>,
}

/// One bar of a chart, one line of `beian stats`.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct StatsRow {
    /// The value to filter by: region full name, kind, `2024-03`, `2024-Q1`, `2024`, batch id
    /// (or `manual`), company name.
    pub key: String,
    /// What to show: region short name, `#2 附件2.csv` for a batch, otherwise the key.
    pub label: String,
    #[ts(type = "number")]
    pub count: u64,
    /// count / total of the figure, 0–1.
    pub share: f64,
    /// By count, standard competition order (1, 2, 2, 4).
    pub rank: u32,
    /// Running total in row order, for periods and batches; null for ranked figures.
    #[ts(type = "number | null")]
    pub cumulative: Option<u64>,
}

/// The rows kept by `top`: how many filings they hold together and what share of the total.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct TopShare {
    pub n: u32,
    #[ts(type = "number")]
    pub count: u64,
    pub share: f64,
    /// The keys counted; more than `n` when rows tie at the cut.
    pub keys: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct StatsReport {
    pub by: StatsBy,
    pub as_of: Option<String>,
    /// Filings counted: the sum over every row, including rows cut by `top`.
    #[ts(type = "number")]
    pub total: u64,
    /// Filings that match the filter but are left out for having no date (see the module notes).
    #[ts(type = "number")]
    pub undated: u64,
    /// Rows before the `top` cut (e.g. how many companies there are).
    #[ts(type = "number")]
    pub groups: u64,
    pub rows: Vec<StatsRow>,
    pub top: Option<TopShare>,
}

/// Standard competition ranks ("1224") of counts, largest first, in the order given.
pub fn competition_ranks(counts: &[u64]) -> Vec<u32> {
    let mut desc = counts.to_vec();
    desc.sort_unstable_by(|a, b| b.cmp(a));
    counts
        .iter()
        .map(|c| 1 + desc.partition_point(|d| d > c) as u32)
        .collect()
}

/// count / total, and 0 rather than NaN for an empty figure.
pub fn share(count: u64, total: u64) -> f64 {
    if total == 0 {
        0.0
    } else {
        count as f64 / total as f64
    }
}

fn rows_from(groups: Vec<(String, String, u64)>, running: bool) -> Vec<StatsRow> {
    let counts: Vec<u64> = groups.iter().map(|g| g.2).collect();
    let total: u64 = counts.iter().sum();
    let ranks = competition_ranks(&counts);
    let mut cumulative = 0;
    groups
        .into_iter()
        .zip(ranks)
        .map(|((key, label, count), rank)| {
            cumulative += count;
            StatsRow {
                key,
                label,
                count,
                share: share(count, total),
                rank,
                cumulative: running.then_some(cumulative),
            }
        })
        .collect()
}

/// (key, label, count) groups as rows ranked by count, largest first, then by key.
pub fn ranked_rows(mut groups: Vec<(String, String, u64)>) -> Vec<StatsRow> {
    groups.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
    rows_from(groups, false)
}

/// (key, label, count) groups as rows in the order given, with running totals.
pub fn ordered_rows(groups: Vec<(String, String, u64)>) -> Vec<StatsRow> {
    rows_from(groups, true)
}

/// A calendar period as one integer, so that consecutive periods are consecutive numbers.
fn period_index(date: NaiveDate, by: StatsBy) -> Option<i32> {
    let (y, m0) = (date.year(), date.month0() as i32);
    match by {
        StatsBy::Month => Some(y * 12 + m0),
        StatsBy::Quarter => Some(y * 4 + m0 / 3),
        StatsBy::Year => Some(y),
        _ => None,
    }
}

fn period_key_at(idx: i32, by: StatsBy) -> String {
    match by {
        StatsBy::Month => format!("{:04}-{:02}", idx.div_euclid(12), idx.rem_euclid(12) + 1),
        StatsBy::Quarter => format!("{:04}-Q{}", idx.div_euclid(4), idx.rem_euclid(4) + 1),
        _ => format!("{idx:04}"),
    }
}

/// The key of the period a date falls in: `2024-03`, `2024-Q1` or `2024`; `None` when `by` is
/// not a period.
pub fn period_key(date: NaiveDate, by: StatsBy) -> Option<String> {
    period_index(date, by).map(|i| period_key_at(i, by))
}

/// Per-day counts summed into periods, in time order from the first period with a filing to the
/// last one, or to the period of `until` when that is later; periods without filings are 0.
/// No filings, no rows.
pub fn time_rows(
    days: &[(NaiveDate, u64)],
    by: StatsBy,
    until: Option<NaiveDate>,
) -> Vec<StatsRow> {
    let mut per: std::collections::BTreeMap<i32, u64> = std::collections::BTreeMap::new();
    for (d, n) in days {
        if let Some(i) = period_index(*d, by) {
            *per.entry(i).or_default() += n;
        }
    }
    let (Some(&first), Some(&last)) = (per.keys().next(), per.keys().next_back()) else {
        return Vec::new();
    };
    let last = until
        .and_then(|u| period_index(u, by))
        .map_or(last, |u| u.max(last));
    let groups = (first..=last)
        .map(|i| {
            let key = period_key_at(i, by);
            (key.clone(), key, per.get(&i).copied().unwrap_or(0))
        })
        .collect();
    ordered_rows(groups)
}

/// Keeps the rows ranked `n` or better (all of a tie at the cut) and sums them.
pub fn top_rows(rows: Vec<StatsRow>, n: u32, total: u64) -> (Vec<StatsRow>, TopShare) {
    let kept: Vec<StatsRow> = rows.into_iter().filter(|r| r.rank <= n).collect();
    let count = kept.iter().map(|r| r.count).sum();
    let top = TopShare {
        n,
        count,
        share: share(count, total),
        keys: kept.iter().map(|r| r.key.clone()).collect(),
    };
    (kept, top)
}

fn iso_date(what: &str, s: &str) -> Result<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        Error::Usage(format!(
            "{what} {s:?} is not a date; write it as YYYY-MM-DD"
        ))
    })
}

// ---------------------------------------------------------------------------------------------
// Published totals

/// A cumulative count the CAC (or a report on it) published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PublishedTotal {
    #[ts(type = "string")]
    pub as_of: NaiveDate,
    /// Filed services, cumulative.
    #[ts(type = "number")]
    pub filed: u64,
    /// Registered services, cumulative, where the source gives them.
    #[ts(type = "number | null")]
    pub registered: Option<u64>,
    pub confidence: Confidence,
    pub source: String,
}

/// Reads a published-totals table (`as_of, filed, registered, confidence, source`; columns by
/// name, in any order) and checks it: real dates in increasing order, whole counts that never
/// fall (they are cumulative), a known confidence and a source on every row.
pub fn parse_published_totals(text: &str) -> std::result::Result<Vec<PublishedTotal>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_reader(text.as_bytes());
    let header = reader
        .headers()
        .map_err(|e| format!("published totals: {e}"))?
        .clone();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| format!("published totals: no {name:?} column"))
    };
    let (c_as_of, c_filed, c_reg, c_conf, c_source) = (
        col("as_of")?,
        col("filed")?,
        col("registered")?,
        col("confidence")?,
        col("source")?,
    );
    let mut out: Vec<PublishedTotal> = Vec::new();
    for (i, rec) in reader.records().enumerate() {
        let line = i + 2;
        let rec = rec.map_err(|e| format!("published totals line {line}: {e}"))?;
        let cell = |c: usize| rec.get(c).unwrap_or("");
        let bad = |what: &str, v: &str| format!("published totals line {line}: {what} {v:?}");
        let as_of = NaiveDate::parse_from_str(cell(c_as_of), "%Y-%m-%d")
            .map_err(|_| bad("as_of is not a YYYY-MM-DD date:", cell(c_as_of)))?;
        let filed: u64 = cell(c_filed)
            .parse()
            .map_err(|_| bad("filed is not a whole number:", cell(c_filed)))?;
        let registered = match cell(c_reg) {
            "" => None,
            r => Some(
                r.parse::<u64>()
                    .map_err(|_| bad("registered is not a whole number:", r))?,
            ),
        };
        let confidence = Confidence::parse(cell(c_conf))
            .ok_or_else(|| bad("confidence is not H, M or L:", cell(c_conf)))?;
        let source = cell(c_source).to_string();
        if source.is_empty() {
            return Err(format!("published totals line {line}: the source is empty"));
        }
        if let Some(prev) = out.last() {
            if as_of <= prev.as_of {
                return Err(format!(
                    "published totals line {line}: {as_of} is not after {} (rows must be in date order)",
                    prev.as_of
                ));
            }
            if filed < prev.filed {
                return Err(format!(
                    "published totals line {line}: filed {filed} is below {} of {} (totals are cumulative)",
                    prev.filed, prev.as_of
                ));
            }
        }
        if let (Some(r), Some(prev)) = (
            registered,
            out.iter()
                .rev()
                .find_map(|p| p.registered.map(|r| (r, p.as_of))),
        ) {
            if r < prev.0 {
                return Err(format!(
                    "published totals line {line}: registered {r} is below {} of {} (totals are cumulative)",
                    prev.0, prev.1
                ));
            }
        }
        out.push(PublishedTotal {
            as_of,
            filed,
            registered,
            confidence,
            source,
        });
    }
    if out.is_empty() {
        return Err("published totals: no rows".into());
    }
    Ok(out)
}

/// The bundled `data/published_totals.csv`, parsed once.
pub fn published_totals() -> &'static [PublishedTotal] {
    static TOTALS: OnceLock<Vec<PublishedTotal>> = OnceLock::new();
    TOTALS.get_or_init(|| {
        parse_published_totals(PUBLISHED_TOTALS_CSV).expect("bundled published_totals.csv is valid")
    })
}

/// The latest total on or before `as_of` that gives a figure for `kind`.
pub fn latest_published(
    totals: &[PublishedTotal],
    as_of: NaiveDate,
    kind: Kind,
) -> Option<&PublishedTotal> {
    totals
        .iter()
        .filter(|t| t.as_of <= as_of)
        .filter(|t| kind == Kind::Filed || t.registered.is_some())
        .max_by_key(|t| t.as_of)
}

/// One kind's published total beside what the registry holds up to the same day.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct PublishedComparison {
    pub kind: Kind,
    /// The day the published total counts up to.
    #[ts(type = "string")]
    pub published_as_of: NaiveDate,
    #[ts(type = "number")]
    pub published: u64,
    pub confidence: Confidence,
    pub source: String,
    /// Filings of this kind in the registry dated on or before `published_as_of`: the
    /// like-for-like figure ("17 of 117 published").
    #[ts(type = "number")]
    pub registry: u64,
    /// registry / published; above 1 when the registry holds more than was published.
    pub share: f64,
}

/// How complete the registry is as of a day, against the published totals.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Completeness {
    #[ts(type = "string")]
    pub as_of: NaiveDate,
    /// Against the latest published filed total on or before `as_of`, if any.
    pub filed: Option<PublishedComparison>,
    /// Against the latest published registered total on or before `as_of` (published from
    /// 2024-12-31), if any.
    pub registered: Option<PublishedComparison>,
    /// Filed filings in the registry dated on or before `as_of` (may be more than `filed.registry`
    /// when filings came after the last published total).
    #[ts(type = "number")]
    pub registry_filed: u64,
    #[ts(type = "number")]
    pub registry_registered: u64,
    /// Filings without a date, which no as-of figure can count.
    #[ts(type = "number")]
    pub undated: u64,
}

/// A company figure and the data version it was counted at (see [`Registry::stats`]).
pub(crate) type KeptCompanyStats = std::sync::Mutex<Option<(StatsQuery, (i64, u64), StatsReport)>>;

impl Registry {
    /// One statistic under a filter and an as-of date; see the module notes for the rules.
    pub fn stats(&self, q: &StatsQuery) -> Result<StatsReport> {
        if q.by != StatsBy::Company {
            return self.count(q);
        }
        // Company facts and subsidy rules do not move it: the figure counts filings only.
        let version = self.store().filings_version()?;
        let mut kept = self
            .company_stats()
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some((query, at, report)) = kept.as_ref() {
            if query == q && *at == version {
                return Ok(report.clone());
            }
        }
        let report = self.count(q)?;
        *kept = Some((q.clone(), version, report.clone()));
        Ok(report)
    }

    fn count(&self, q: &StatsQuery) -> Result<StatsReport> {
        crate::registry::validate_filter(&q.filter)?;
        let as_of = q
            .as_of
            .as_deref()
            .map(|d| iso_date("the as-of date", d))
            .transpose()?;
        if let Some(n) = q.top {
            if n == 0 {
                return Err(Error::Usage("top N must be at least 1".into()));
            }
            if q.by.is_ordered() {
                return Err(Error::Usage(format!(
                    "top N ranks regions, kinds and companies; {} rows are kept in their own order",
                    q.by.as_str()
                )));
            }
        }
        let store = self.store();
        let as_of_text = as_of.map(|d| d.to_string());
        let as_of_sql = as_of_text.as_deref();
        let undated = if as_of.is_some() || q.by.is_time() {
            store.count_undated(&q.filter)?
        } else {
            0
        };
        let keyed = |g: Grouping| -> Result<Vec<(String, u64)>> {
            Ok(store
                .stat_counts(&q.filter, as_of_sql, g)?
                .into_iter()
                .filter_map(|(k, n)| Some((k?, n)))
                .collect())
        };
        let rows = match q.by {
            StatsBy::Region => {
                let regions = Regions::bundled();
                ranked_rows(
                    keyed(Grouping::Region)?
                        .into_iter()
                        .map(|(k, n)| {
                            let label = regions
                                .by_name(&k)
                                .map(|r| r.short_name().to_string())
                                .unwrap_or_else(|| k.clone());
                            (k, label, n)
                        })
                        .collect(),
                )
            }
            StatsBy::Kind | StatsBy::Company => {
                let g = if q.by == StatsBy::Kind {
                    Grouping::Kind
                } else {
                    Grouping::Company
                };
                ranked_rows(
                    keyed(g)?
                        .into_iter()
                        .map(|(k, n)| (k.clone(), k, n))
                        .collect(),
                )
            }
            StatsBy::Batch => {
                let names = store.batch_names()?;
                let mut groups: Vec<(Option<i64>, u64)> = store
                    .stat_counts(&q.filter, as_of_sql, Grouping::Batch)?
                    .into_iter()
                    .map(|(k, n)| (k.and_then(|k| k.parse().ok()), n))
                    .collect();
                // Import order, and filings added by hand after every batch.
                groups.sort_by_key(|(id, _)| (id.is_none(), *id));
                ordered_rows(
                    groups
                        .into_iter()
                        .map(|(id, n)| match id {
                            Some(id) => {
                                let label = match names.get(&id) {
                                    Some(name) => format!("#{id} {name}"),
                                    None => format!("#{id}"),
                                };
                                (id.to_string(), label, n)
                            }
                            None => ("manual".to_string(), "added by hand".to_string(), n),
                        })
                        .collect(),
                )
            }
            StatsBy::Month | StatsBy::Quarter | StatsBy::Year => {
                let days: Vec<(NaiveDate, u64)> = keyed(Grouping::Day)?
                    .into_iter()
                    .filter_map(|(d, n)| {
                        NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                            .ok()
                            .map(|d| (d, n))
                    })
                    .collect();
                let to = q
                    .filter
                    .to
                    .as_deref()
                    .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
                // The series runs to the end of the window asked for, so a chart "as of June"
                // shows June even when nothing was filed after March.
                let until = match (as_of, to) {
                    (Some(a), Some(t)) => Some(a.min(t)),
                    (a, t) => a.or(t),
                };
                time_rows(&days, q.by, until)
            }
        };
        let total = rows.iter().map(|r| r.count).sum();
        let groups = rows.len() as u64;
        let (rows, top) = match q.top {
            Some(n) => {
                let (rows, top) = top_rows(rows, n, total);
                (rows, Some(top))
            }
            None => (rows, None),
        };
        Ok(StatsReport {
            by: q.by,
            as_of: as_of_text,
            total,
            undated,
            groups,
            rows,
            top,
        })
    }

    /// The registry's counts beside the latest published totals on or before `as_of`
    /// (YYYY-MM-DD). Published totals are national, so no filter applies.
    pub fn completeness(&self, as_of: &str) -> Result<Completeness> {
        let as_of = iso_date("the as-of date", as_of)?;
        let store = self.store();
        let kind_counts = |day: NaiveDate| -> Result<(u64, u64)> {
            let mut out = (0, 0);
            for (k, n) in store.stat_counts(
                &FilingFilter::default(),
                Some(&day.to_string()),
                Grouping::Kind,
            )? {
                match k.as_deref().and_then(Kind::parse) {
                    Some(Kind::Filed) => out.0 += n,
                    Some(Kind::Registered) => out.1 += n,
                    None => {}
                }
            }
            Ok(out)
        };
        let totals = published_totals();
        let compare = |kind: Kind| -> Result<Option<PublishedComparison>> {
            let Some(t) = latest_published(totals, as_of, kind) else {
                return Ok(None);
            };
            let (filed, registered) = kind_counts(t.as_of)?;
            let (published, registry) = match kind {
                Kind::Filed => (t.filed, filed),
                Kind::Registered => (t.registered.unwrap_or(0), registered),
            };
            Ok(Some(PublishedComparison {
                kind,
                published_as_of: t.as_of,
                published,
                confidence: t.confidence,
                source: t.source.clone(),
                registry,
                share: share(registry, published),
            }))
        };
        let (registry_filed, registry_registered) = kind_counts(as_of)?;
        Ok(Completeness {
            as_of,
            filed: compare(Kind::Filed)?,
            registered: compare(Kind::Registered)?,
            registry_filed,
            registry_registered,
            undated: store.count_undated(&FilingFilter::default())?,
        })
    }

    /// Every bundled published total, oldest first, for the timeline's second line.
    pub fn published_totals(&self) -> Vec<PublishedTotal> {
        published_totals().to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn g(key: &str, n: u64) -> (String, String, u64) {
        (key.to_string(), key.to_string(), n)
    }

    #[test]
    fn ties_share_a_rank_and_the_next_rank_skips() {
        assert_eq!(competition_ranks(&[10, 7, 7, 3]), vec![1, 2, 2, 4]);
        assert_eq!(competition_ranks(&[3, 7, 10, 7]), vec![4, 2, 1, 2]);
        assert_eq!(competition_ranks(&[5, 5, 5]), vec![1, 1, 1]);
        assert_eq!(competition_ranks(&[]), Vec::<u32>::new());
        let rows = ranked_rows(vec![g("b", 7), g("a", 10), g("d", 3), g("c", 7)]);
        let got: Vec<(&str, u32)> = rows.iter().map(|r| (r.key.as_str(), r.rank)).collect();
        assert_eq!(got, vec![("a", 1), ("b", 2), ("c", 2), ("d", 4)]);
        assert!(rows.iter().all(|r| r.cumulative.is_none()));
    }

    #[test]
    fn shares_sum_to_one_and_an_empty_figure_has_share_zero() {
        let rows = ranked_rows(vec![g("a", 1), g("b", 2), g("c", 4), g("d", 0)]);
        let sum: f64 = rows.iter().map(|r| r.share).sum();
        assert!((sum - 1.0).abs() < 1e-12, "{sum}");
        assert_eq!(rows[0].share, 4.0 / 7.0);
        assert_eq!(share(0, 0), 0.0);
        let zero = ranked_rows(vec![g("a", 0)]);
        assert_eq!(zero[0].share, 0.0);
        assert!(!zero[0].share.is_nan());
    }

    #[test]
    fn period_keys() {
        let cases = [
            ("2024-01-01", "2024-01", "2024-Q1", "2024"),
            ("2024-03-31", "2024-03", "2024-Q1", "2024"),
            ("2024-04-01", "2024-04", "2024-Q2", "2024"),
            ("2023-09-30", "2023-09", "2023-Q3", "2023"),
            ("2023-12-31", "2023-12", "2023-Q4", "2023"),
        ];
        for (date, m, q, y) in cases {
            assert_eq!(period_key(d(date), StatsBy::Month).as_deref(), Some(m));
            assert_eq!(period_key(d(date), StatsBy::Quarter).as_deref(), Some(q));
            assert_eq!(period_key(d(date), StatsBy::Year).as_deref(), Some(y));
        }
        assert_eq!(period_key(d("2024-01-01"), StatsBy::Region), None);
    }

    #[test]
    fn time_rows_are_zero_filled_in_order_across_a_year_end() {
        let days = [
            (d("2024-02-10"), 3),
            (d("2023-11-05"), 2),
            (d("2023-11-20"), 1),
        ];
        let rows = time_rows(&days, StatsBy::Month, None);
        let got: Vec<(&str, u64, Option<u64>)> = rows
            .iter()
            .map(|r| (r.key.as_str(), r.count, r.cumulative))
            .collect();
        assert_eq!(
            got,
            vec![
                ("2023-11", 3, Some(3)),
                ("2023-12", 0, Some(3)),
                ("2024-01", 0, Some(3)),
                ("2024-02", 3, Some(6)),
            ]
        );
        assert_eq!(
            rows.iter().map(|r| r.rank).collect::<Vec<_>>(),
            vec![1, 3, 3, 1]
        );
        let q = time_rows(&days, StatsBy::Quarter, Some(d("2024-05-01")));
        let got: Vec<(&str, u64, Option<u64>)> = q
            .iter()
            .map(|r| (r.key.as_str(), r.count, r.cumulative))
            .collect();
        assert_eq!(
            got,
            vec![
                ("2023-Q4", 3, Some(3)),
                ("2024-Q1", 3, Some(6)),
                ("2024-Q2", 0, Some(6)),
            ]
        );
        assert!(time_rows(&[], StatsBy::Year, Some(d("2024-05-01"))).is_empty());
    }

    #[test]
    fn top_keeps_a_tie_at_the_cut() {
        let rows = ranked_rows(vec![g("a", 5), g("b", 3), g("c", 3), g("d", 1)]);
        let (kept, top) = top_rows(rows.clone(), 2, 12);
        assert_eq!(kept.len(), 3);
        assert_eq!((top.n, top.count), (2, 11));
        assert_eq!(top.keys, vec!["a", "b", "c"]);
        assert_eq!(top.share, 11.0 / 12.0);
        let (kept, top) = top_rows(rows, 1, 12);
        assert_eq!((kept.len(), top.count), (1, 5));
        let (kept, top) = top_rows(Vec::new(), 3, 0);
        assert!(kept.is_empty());
        assert_eq!((top.count, top.share), (0, 0.0));
    }

    #[test]
    fn stats_by_names_round_trip() {
        for b in StatsBy::ALL {
            assert_eq!(StatsBy::parse(b.as_str()), Some(b));
            assert_eq!(
                serde_json::to_value(b).unwrap(),
                serde_json::Value::String(b.as_str().into())
            );
        }
        assert_eq!(StatsBy::parse("Quarter "), Some(StatsBy::Quarter));
        assert_eq!(StatsBy::parse("province"), None);
    }

    #[test]
    fn the_bundled_published_totals_load_and_match_the_domain_notes() {
        let t = published_totals();
        assert_eq!(t.len(), 7);
        assert_eq!(t[0].as_of, d("2024-03-31"));
        assert_eq!((t[0].filed, t[0].registered), (117, None));
        assert_eq!(t[0].confidence, Confidence::H);
        assert_eq!(t[2].registered, Some(105));
        let last = t.last().unwrap();
        assert_eq!(
            (last.as_of, last.filed, last.registered),
            (d("2026-06-30"), 988, Some(598))
        );
        assert_eq!(last.confidence, Confidence::M);
    }

    #[test]
    fn latest_published_is_on_or_before_the_day_and_per_kind() {
        let t = published_totals();
        assert!(latest_published(t, d("2024-03-30"), Kind::Filed).is_none());
        assert_eq!(
            latest_published(t, d("2024-03-31"), Kind::Filed).map(|p| p.filed),
            Some(117)
        );
        assert_eq!(
            latest_published(t, d("2024-12-30"), Kind::Filed).map(|p| p.filed),
            Some(188)
        );
        assert!(latest_published(t, d("2024-12-30"), Kind::Registered).is_none());
        // 2025-03-31 gives no registered figure, so registrations fall back to 2024-12-31.
        let r = latest_published(t, d("2025-06-01"), Kind::Registered).unwrap();
        assert_eq!((r.as_of, r.registered), (d("2024-12-31"), Some(105)));
        assert_eq!(
            latest_published(t, d("2025-06-01"), Kind::Filed).map(|p| p.filed),
            Some(346)
        );
    }

    const HEAD: &str = "as_of,filed,registered,confidence,source\n";

    fn parse_err(body: &str) -> String {
        parse_published_totals(&format!("{HEAD}{body}")).unwrap_err()
    }

    #[test]
    fn published_totals_are_validated() {
        let ok = parse_published_totals(
            "source,confidence,registered,filed,as_of\nx,L,,5,2024-01-31\ny,M,3,5,2024-02-29\n",
        )
        .unwrap();
        assert_eq!(ok.len(), 2);
        assert_eq!(ok[1].registered, Some(3));
        assert_eq!(ok[0].confidence, Confidence::L);

        assert!(parse_err("2024-02-30,1,,H,x\n").contains("as_of"));
        assert!(parse_err("2024/2/1,1,,H,x\n").contains("line 2"));
        assert!(parse_err("2024-02-01,-1,,H,x\n").contains("filed"));
        assert!(parse_err("2024-02-01,1,two,H,x\n").contains("registered"));
        assert!(parse_err("2024-02-01,1,,X,x\n").contains("confidence"));
        assert!(parse_err("2024-02-01,1,,H,\n").contains("source"));
        assert!(parse_err("2024-02-01,5,,H,x\n2024-01-01,6,,H,y\n").contains("date order"));
        assert!(parse_err("2024-02-01,5,,H,x\n2024-02-01,6,,H,y\n").contains("line 3"));
        assert!(parse_err("2024-02-01,5,,H,x\n2024-03-01,4,,H,y\n").contains("cumulative"));
        assert!(
            parse_err("2024-02-01,5,9,H,x\n2024-03-01,6,,H,y\n2024-04-01,7,8,H,z\n")
                .contains("registered 8 is below 9")
        );
        assert!(parse_published_totals(HEAD)
            .unwrap_err()
            .contains("no rows"));
        assert!(
            parse_published_totals("as_of,filed,confidence,source\n2024-01-01,1,H,x\n")
                .unwrap_err()
                .contains("\"registered\"")
        );
    }

    #[test]
    fn an_empty_registry_gives_empty_figures_without_nan() {
        let reg = Registry::open_in_memory().unwrap();
        for by in StatsBy::ALL {
            for as_of in [None, Some("2024-03-31".to_string())] {
                let r = reg
                    .stats(&StatsQuery {
                        by,
                        as_of: as_of.clone(),
                        ..StatsQuery::default()
                    })
                    .unwrap();
                assert!(r.rows.is_empty(), "{by:?} {as_of:?}");
                assert_eq!((r.total, r.undated, r.groups), (0, 0, 0));
            }
        }
        let r = reg
            .stats(&StatsQuery {
                top: Some(3),
                ..StatsQuery::default()
            })
            .unwrap();
        let top = r.top.unwrap();
        assert_eq!((top.count, top.share), (0, 0.0));
        let c = reg.completeness("2024-03-31").unwrap();
        let filed = c.filed.unwrap();
        assert_eq!(
            (filed.published, filed.registry, filed.share),
            (117, 0, 0.0)
        );
        assert!(c.registered.is_none());
        assert!(reg.completeness("2024-01-01").unwrap().filed.is_none());
    }

    #[test]
    fn bad_queries_are_usage_errors() {
        let reg = Registry::open_in_memory().unwrap();
        let err = |q: StatsQuery| reg.stats(&q).unwrap_err().code();
        assert_eq!(
            err(StatsQuery {
                as_of: Some("2024/13/01".into()),
                ..StatsQuery::default()
            }),
            "usage"
        );
        assert_eq!(
            err(StatsQuery {
                top: Some(0),
                ..StatsQuery::default()
            }),
            "usage"
        );
        assert_eq!(
            err(StatsQuery {
                by: StatsBy::Month,
                top: Some(3),
                ..StatsQuery::default()
            }),
            "usage"
        );
        assert_eq!(reg.completeness("soon").unwrap_err().code(), "usage");
    }
}
