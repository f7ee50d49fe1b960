//! The SQL behind exports and reports: every filing of a selection in the requested order,
//! streamed, and the counts a report summarises. All of it goes through `where_clause`, so an
//! export holds exactly the filings the Filings screen shows for the same filter.

use super::filings::{counts_source, filing_row, order_by, where_clause, ROW_COLUMNS};
use super::Store;
use crate::error::{Error, Result};
use crate::filing::Kind;
use crate::query::{FilingFilter, FilingQuery, FilingRow, Sort};
use rusqlite::params_from_iter;
use rusqlite::types::Value;
use rusqlite::types::ValueRef;

/// What a report says about a selection, before any presentation (shares, zero-filled months).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SelectionCounts {
    pub total: u64,
    pub filed: u64,
    pub registered: u64,
    /// Filings carrying at least one flag.
    pub flagged: u64,
    /// Filings without a 备案时间.
    pub undated: u64,
    /// Distinct companies.
    pub companies: u64,
    pub first_filed: Option<String>,
    pub last_filed: Option<String>,
    /// Region full name and count, largest first.
    pub by_region: Vec<(String, u64)>,
    /// `YYYY-MM` and count, in time order, months without filings absent.
    pub by_month: Vec<(String, u64)>,
    /// Company and count, most filings first, at most the `top` asked for.
    pub top_companies: Vec<(String, u64)>,
}

/// One filing as a CSV or XLSX export writes it, borrowed from the statement's current row so
/// that a million-row export allocates nothing per row.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExportRow<'a> {
    pub seq: Option<i64>,
    pub region: &'a str,
    pub model: &'a str,
    pub company: &'a str,
    pub number: &'a str,
    pub filed_on: Option<&'a str>,
    pub kind: Kind,
    /// The stored flag codes, comma-separated (see [`crate::filing::Flag::split`]).
    pub flags: &'a str,
}

/// The columns of [`ExportRow`], in its order.
const EXPORT_COLUMNS: &str =
    "f.seq, f.region, f.model, f.company, f.number, f.filed_on, f.kind, f.flags";

fn text(v: ValueRef<'_>) -> rusqlite::Result<&str> {
    match v {
        ValueRef::Null => Ok(""),
        v => v.as_str().map_err(Into::into),
    }
}

impl Store {
    /// Calls `each` with every filing of the selection in the requested order (the Filings
    /// screen's order when `sort` is `None`), borrowed rather than copied; stops with
    /// [`Error::Cancelled`] when `each` returns `Ok(false)`.
    pub fn each_export_row(
        &self,
        filter: &FilingFilter,
        sort: Option<Sort>,
        each: &mut dyn FnMut(&ExportRow<'_>) -> Result<bool>,
    ) -> Result<()> {
        let (where_sql, args) = where_clause(filter);
        let q = FilingQuery {
            filter: FilingFilter::default(),
            sort,
            limit: 0,
            offset: 0,
        };
        let sql = format!(
            "SELECT {EXPORT_COLUMNS} FROM filings f {where_sql} {}",
            order_by(&q)
        );
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt.query(params_from_iter(args.iter()))?;
        while let Some(r) = rows.next()? {
            let kind = text(r.get_ref(6)?)?;
            let row = ExportRow {
                seq: r.get(0)?,
                region: text(r.get_ref(1)?)?,
                model: text(r.get_ref(2)?)?,
                company: text(r.get_ref(3)?)?,
                number: text(r.get_ref(4)?)?,
                filed_on: match r.get_ref(5)? {
                    ValueRef::Null => None,
                    v => Some(text(v)?),
                },
                kind: match kind {
                    "filed" => Kind::Filed,
                    "registered" => Kind::Registered,
                    other => Kind::parse(other).unwrap_or(Kind::Filed),
                },
                flags: text(r.get_ref(7)?)?,
            };
            if !each(&row)? {
                return Err(Error::Cancelled);
            }
        }
        Ok(())
    }

    /// Calls `each` with every filing of the selection in the requested order (the Filings
    /// screen's order when `sort` is `None`), stopping early when it returns `Ok(false)`.
    /// At most `limit` rows when given.
    pub fn each_filing(
        &self,
        filter: &FilingFilter,
        sort: Option<Sort>,
        limit: Option<u64>,
        each: &mut dyn FnMut(FilingRow) -> Result<bool>,
    ) -> Result<()> {
        let (where_sql, mut args) = where_clause(filter);
        let q = FilingQuery {
            filter: FilingFilter::default(),
            sort,
            limit: 0,
            offset: 0,
        };
        let mut sql = format!(
            "SELECT {ROW_COLUMNS} FROM filings f {where_sql} {}",
            order_by(&q)
        );
        if let Some(n) = limit {
            sql.push_str(" LIMIT ?");
            args.push(Value::Integer(n.min(i64::MAX as u64) as i64));
        }
        let mut stmt = self.conn.prepare(&sql)?;
        let mut rows = stmt.query(params_from_iter(args.iter()))?;
        while let Some(r) = rows.next()? {
            if !each(filing_row(r)?)? {
                return Err(Error::Cancelled);
            }
        }
        Ok(())
    }

    /// The counts behind a report's headline figures, charts and tables. Everything but the
    /// companies is read from `filing_counts` when the filter allows it (a few tens of thousands
    /// of rows instead of every filing); the companies come from one pass over the company index.
    /// Only the counts by kind (and their total): all a CSV export needs, without the grouping
    /// by company that [`Self::selection_counts`] does for reports (about 0.2 s at 1M).
    pub fn kind_counts(&self, filter: &FilingFilter) -> Result<SelectionCounts> {
        let (where_sql, args) = where_clause(filter);
        let (source, count) = counts_source(filter);
        let mut stmt = self.conn.prepare(&format!(
            "SELECT f.kind, {count} FROM {source} {where_sql} GROUP BY f.kind"
        ))?;
        let mut rows = stmt.query(params_from_iter(args.iter()))?;
        let mut out = SelectionCounts::default();
        while let Some(r) = rows.next()? {
            let n = r.get::<_, Option<i64>>(1)?.unwrap_or(0) as u64;
            match Kind::parse(text(r.get_ref(0)?)?) {
                Some(Kind::Registered) => out.registered += n,
                _ => out.filed += n,
            }
            out.total += n;
        }
        Ok(out)
    }

    pub fn selection_counts(&self, filter: &FilingFilter, top: u32) -> Result<SelectionCounts> {
        let (where_sql, args) = where_clause(filter);
        let (source, count) = counts_source(filter);
        let and = if where_sql.is_empty() { "WHERE" } else { "AND" };
        let mut out = SelectionCounts::default();
        self.conn.query_row(
            &format!(
                "SELECT {count},
                        SUM(CASE WHEN f.flags <> '' THEN {count_one} END),
                        SUM(CASE WHEN f.filed_on IS NULL THEN {count_one} END),
                        MIN(f.filed_on), MAX(f.filed_on)
                 FROM {source} {where_sql}",
                count_one = count_of_row(count),
            ),
            params_from_iter(args.iter()),
            |r| {
                out.total = r.get::<_, Option<i64>>(0)?.unwrap_or(0) as u64;
                out.flagged = r.get::<_, Option<i64>>(1)?.unwrap_or(0) as u64;
                out.undated = r.get::<_, Option<i64>>(2)?.unwrap_or(0) as u64;
                out.first_filed = r.get(3)?;
                out.last_filed = r.get(4)?;
                Ok(())
            },
        )?;
        let pairs = |sql: String| super::text_counts(&self.conn, &sql, &args);
        for (kind, n) in pairs(format!(
            "SELECT f.kind, {count} FROM {source} {where_sql} GROUP BY f.kind"
        ))? {
            match Kind::parse(&kind) {
                Some(Kind::Registered) => out.registered += n,
                _ => out.filed += n,
            }
        }
        out.by_region = pairs(format!(
            "SELECT f.region, {count} AS n FROM {source} {where_sql}
             GROUP BY f.region ORDER BY n DESC, f.region"
        ))?;
        out.by_month = pairs(format!(
            "SELECT substr(f.filed_on, 1, 7) AS m, {count} FROM {source} {where_sql}
             {and} f.filed_on IS NOT NULL GROUP BY m ORDER BY m"
        ))?;
        // Distinct companies and the largest ones in one pass: every group is a company (the
        // column is NOT NULL), and the top list keeps the order `n DESC, company` (BINARY
        // collation, which is the byte order of Rust strings).
        let mut stmt = self.conn.prepare(&format!(
            "SELECT f.company, COUNT(*) FROM filings f {where_sql} GROUP BY f.company"
        ))?;
        let mut rows = stmt.query(params_from_iter(args.iter()))?;
        let mut best: std::collections::BinaryHeap<TopCompany> = Default::default();
        while let Some(r) = rows.next()? {
            out.companies += 1;
            let n = r.get::<_, i64>(1)? as u64;
            if best.len() == top as usize {
                match best.peek() {
                    Some(worst) if worst.ranks_before(n, text(r.get_ref(0)?)?) => continue,
                    None => continue,
                    _ => {}
                }
                best.pop();
            }
            best.push(TopCompany {
                n,
                company: r.get(0)?,
            });
        }
        out.top_companies = best
            .into_sorted_vec()
            .into_iter()
            .map(|t| (t.company, t.n))
            .collect();
        Ok(out)
    }
}

/// `SUM(f.n)` counts a `filing_counts` row as its `n`; `COUNT(*)` a filing as one.
fn count_of_row(count: &str) -> &'static str {
    if count.starts_with("SUM") {
        "f.n"
    } else {
        "1"
    }
}

/// A company in the running top list. Ordered so that the greatest is the one ranked last
/// (fewest filings, then the name that sorts last), which the heap drops first.
#[derive(PartialEq, Eq)]
struct TopCompany {
    n: u64,
    company: String,
}

impl TopCompany {
    /// Whether this company ranks before (`n DESC, company ASC`) one with `n` filings named `c`.
    fn ranks_before(&self, n: u64, c: &str) -> bool {
        (std::cmp::Reverse(self.n), self.company.as_str()) < (std::cmp::Reverse(n), c)
    }
}

impl Ord for TopCompany {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (std::cmp::Reverse(self.n), &self.company)
            .cmp(&(std::cmp::Reverse(other.n), &other.company))
    }
}

impl PartialOrd for TopCompany {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
