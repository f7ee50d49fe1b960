//! The SQL behind exports and reports: every filing of a selection in the requested order,
//! streamed, and the counts a report summarises. All of it goes through `where_clause`, so an
//! export holds exactly the filings the Filings screen shows for the same filter.

use super::filings::{filing_row, order_by, where_clause, ROW_COLUMNS};
use super::Store;
use crate::error::{Error, Result};
use crate::filing::Kind;
use crate::query::{FilingFilter, FilingQuery, FilingRow, Sort};
use rusqlite::params_from_iter;
use rusqlite::types::Value;

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

impl Store {
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

    /// The counts behind a report's headline figures, charts and tables.
    pub fn selection_counts(&self, filter: &FilingFilter, top: u32) -> Result<SelectionCounts> {
        let (where_sql, args) = where_clause(filter);
        let and = if where_sql.is_empty() { "WHERE" } else { "AND" };
        let mut out = SelectionCounts::default();
        self.conn.query_row(
            &format!(
                "SELECT COUNT(*), COUNT(DISTINCT f.company),
                        SUM(f.flags <> ''), SUM(f.filed_on IS NULL),
                        MIN(f.filed_on), MAX(f.filed_on)
                 FROM filings f {where_sql}"
            ),
            params_from_iter(args.iter()),
            |r| {
                out.total = r.get::<_, i64>(0)? as u64;
                out.companies = r.get::<_, i64>(1)? as u64;
                out.flagged = r.get::<_, Option<i64>>(2)?.unwrap_or(0) as u64;
                out.undated = r.get::<_, Option<i64>>(3)?.unwrap_or(0) as u64;
                out.first_filed = r.get(4)?;
                out.last_filed = r.get(5)?;
                Ok(())
            },
        )?;
        let pairs = |sql: String, extra: Option<Value>| -> Result<Vec<(String, u64)>> {
            let mut all = args.clone();
            all.extend(extra);
            let mut stmt = self.conn.prepare(&sql)?;
            let rows = stmt
                .query_map(params_from_iter(all.iter()), |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        };
        for (kind, n) in pairs(
            format!("SELECT f.kind, COUNT(*) FROM filings f {where_sql} GROUP BY f.kind"),
            None,
        )? {
            match Kind::parse(&kind) {
                Some(Kind::Registered) => out.registered += n,
                _ => out.filed += n,
            }
        }
        out.by_region = pairs(
            format!(
                "SELECT f.region, COUNT(*) AS n FROM filings f {where_sql}
                 GROUP BY f.region ORDER BY n DESC, f.region"
            ),
            None,
        )?;
        out.by_month = pairs(
            format!(
                "SELECT substr(f.filed_on, 1, 7) AS m, COUNT(*) FROM filings f {where_sql}
                 {and} f.filed_on IS NOT NULL GROUP BY m ORDER BY m"
            ),
            None,
        )?;
        out.top_companies = pairs(
            format!(
                "SELECT f.company, COUNT(*) AS n FROM filings f {where_sql}
                 GROUP BY f.company ORDER BY n DESC, f.company LIMIT ?"
            ),
            Some(Value::Integer(i64::from(top))),
        )?;
        Ok(out)
    }
}
