//! The SQL behind statistics: one GROUP BY per figure, over the same WHERE clause as the Filings
//! screen, so a chart never disagrees with the list it opens.

use super::filings::where_clause;
use super::Store;
use crate::error::Result;
use crate::query::FilingFilter;
use crate::stats::Grouping;
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
        let sql = format!("SELECT {select}, COUNT(*) FROM filings f {where_sql} GROUP BY {column}");
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let rows = stmt
            .query_map(params_from_iter(args.iter()), |r| {
                Ok((r.get::<_, Option<String>>(0)?, r.get::<_, i64>(1)? as u64))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Filings matching `filter` that have no 备案时间.
    pub fn count_undated(&self, filter: &FilingFilter) -> Result<u64> {
        let (where_sql, args) = filtered(filter, &["f.filed_on IS NULL"], Vec::new());
        let n: i64 = self.conn.query_row(
            &format!("SELECT COUNT(*) FROM filings f {where_sql}"),
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
