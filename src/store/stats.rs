//! The SQL behind statistics: one GROUP BY per figure, over the same WHERE clause as the Filings
//! screen, so a chart never disagrees with the list it opens.

use super::filings::{counts_source, where_clause};
use super::kept_counts::Dates;
use super::Store;
use crate::error::Result;
use crate::query::FilingFilter;
use crate::stats::Grouping;
use crate::subsidy::eval::FxMap;
use rusqlite::params_from_iter;
use rusqlite::types::Value;
use std::collections::HashMap;

/// The filter's WHERE clause with more conditions ANDed on.
fn filtered(filter: &FilingFilter, extra: &[&str], extra_args: Vec<Value>) -> (String, Vec<Value>) {
    let (where_sql, mut args) = where_clause(filter);
    let mut conds: Vec<String> = Vec::new();
    if let Some(c) = where_sql.strip_prefix("WHERE ") {
        conds.push(c.to_string());
    }
    conds.extend(extra.iter().map(|c| c.to_string()));
    args.extend(extra_args);
    if conds.is_empty() {
        (String::new(), args)
    } else {
        (format!("WHERE {}", conds.join(" AND ")), args)
    }
}

impl Store {
    /// Filings matching `filter` (and, with `as_of`, dated on or before it) counted per group.
    /// The key is the group's value as text; `None` for filings without one (no batch).
    /// `Grouping::Day` leaves undated filings out and groups by the indexed date itself, which
    /// walks `filings_filed_on` in order instead of sorting; months, quarters and years are
    /// summed from days by the caller.
    pub(crate) fn stat_counts(
        &self,
        filter: &FilingFilter,
        as_of: Option<&str>,
        grouping: Grouping,
    ) -> Result<Vec<(Option<String>, u64)>> {
        if let (Grouping::Company, Some(d)) = (grouping, as_of) {
            return self.company_counts_as_of(filter, d);
        }
        let dates = as_of.map_or(Dates::Any, Dates::OnOrBefore);
        if let Some(rows) = self.counts.grouped(&self.conn, filter, dates, grouping)? {
            return Ok(rows);
        }
        let mut extra: Vec<&str> = Vec::new();
        let mut extra_args = Vec::new();
        if let Some(d) = as_of {
            extra.push("f.filed_on <= ?");
            extra_args.push(Value::Text(d.to_string()));
        }
        // Grouping on the bare column lets SQLite walk its index in order instead of sorting.
        let (select, column) = match grouping {
            Grouping::Region => ("f.region", "f.region"),
            Grouping::Kind => ("f.kind", "f.kind"),
            Grouping::Company => ("f.company", "f.company"),
            Grouping::Batch => ("CAST(f.first_batch_id AS TEXT)", "f.first_batch_id"),
            Grouping::Day => {
                extra.push("f.filed_on IS NOT NULL");
                ("f.filed_on", "f.filed_on")
            }
        };
        let (where_sql, args) = filtered(filter, &extra, extra_args);
        // Every grouping but company is a column of `filing_counts` (schema 3), which holds a few
        // thousand rows where `filings` may hold millions.
        let (source, count) = match grouping {
            Grouping::Company => ("filings f", "COUNT(*)"),
            _ => counts_source(filter),
        };
        let sql = format!("SELECT {select}, {count} FROM {source} {where_sql} GROUP BY {column}");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt
            .query_map(params_from_iter(args.iter()), |r| {
                Ok((r.get::<_, Option<String>>(0)?, r.get::<_, i64>(1)? as u64))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Filings per company matching `filter` and dated on or before `as_of`.
    ///
    /// `GROUP BY company` walks the company index in order; with the date condition on top,
    /// SQLite then visits the table once per filing, at a random place: about 4 s at 1M, the
    /// Dashboard's whole wait. An as-of date is usually today, which leaves out only the
    /// undated filings and those dated later: then every filing is counted from the index
    /// alone (0.3 s at 1M) and the few left out, found through the date index, are taken off.
    /// Otherwise (a date long ago) the date index picks the filings and they are grouped apart,
    /// which also never walks the table in company order.
    fn company_counts_as_of(
        &self,
        filter: &FilingFilter,
        as_of: &str,
    ) -> Result<Vec<(Option<String>, u64)>> {
        let left_out = "(f.filed_on IS NULL OR f.filed_on > ?)";
        let total = |dates| self.counts.total(&self.conn, filter, dates);
        let few_left_out = match (total(Dates::Any)?, total(Dates::OnOrBefore(as_of))?) {
            (Some(all), Some(kept_in)) => (all - kept_in) * 8 <= all,
            _ => false,
        };
        // `+f.company` keeps SQLite from grouping by walking the company index.
        let grouped = |conds: &[&str], args: Vec<Value>, by: &str| -> Result<Vec<(String, u64)>> {
            let (where_sql, args) = filtered(filter, conds, args);
            let sql =
                format!("SELECT f.company, COUNT(*) FROM filings f {where_sql} GROUP BY {by}");
            super::text_counts(&self.conn, &sql, &args)
        };
        let as_of_arg = || vec![Value::Text(as_of.to_string())];
        // Both counts from one snapshot, so a write between them cannot be half counted.
        let _read = match self.conn.is_autocommit() {
            true => Some(self.conn.unchecked_transaction()?),
            false => None,
        };
        if !few_left_out {
            // Counted here rather than by SQLite's GROUP BY, which sorts every matching company
            // text in a temporary index first: 1.3 s at 1M as of mid-2025.
            let (where_sql, args) = filtered(filter, &["f.filed_on <= ?"], as_of_arg());
            let mut stmt = self
                .conn
                .prepare_cached(&format!("SELECT f.company FROM filings f {where_sql}"))?;
            let mut rows = stmt.query(params_from_iter(args.iter()))?;
            let mut counts: FxMap<Box<str>, u64> = FxMap::default();
            while let Some(row) = rows.next()? {
                let company = row.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?;
                match counts.get_mut(company) {
                    Some(n) => *n += 1,
                    None => {
                        counts.insert(company.into(), 1);
                    }
                }
            }
            return Ok(counts
                .into_iter()
                .map(|(c, n)| (Some(c.into_string()), n))
                .collect());
        }
        let mut out: HashMap<String, u64> = grouped(&[left_out], as_of_arg(), "+f.company")?
            .into_iter()
            .collect();
        Ok(grouped(&[], Vec::new(), "f.company")?
            .into_iter()
            .filter_map(|(c, n)| {
                let n = n - out.remove(&c).unwrap_or(0);
                (n > 0).then_some((Some(c), n))
            })
            .collect())
    }

    /// Filings matching `filter` that have no 备案时间.
    pub fn count_undated(&self, filter: &FilingFilter) -> Result<u64> {
        if let Some(n) = self.counts.total(&self.conn, filter, Dates::Undated)? {
            return Ok(n);
        }
        let (where_sql, args) = filtered(filter, &["f.filed_on IS NULL"], Vec::new());
        let (source, count) = counts_source(filter);
        let n: i64 = self.conn.query_row(
            &format!("SELECT coalesce({count}, 0) FROM {source} {where_sql}"),
            params_from_iter(args.iter()),
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    /// Every batch's file name by id, to label batch figures.
    pub fn batch_names(&self) -> Result<HashMap<i64, String>> {
        let mut stmt = self.conn.prepare("SELECT id, file_name FROM batches")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<Vec<(i64, String)>>>()?;
        Ok(rows.into_iter().collect())
    }
}
