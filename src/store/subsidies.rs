//! What the subsidy evaluation reads: every company with recorded facts, in a few statements
//! rather than a handful per company.

use super::Store;
use crate::error::Result;
use crate::subsidy::facts::{AlgorithmFiling, CompanyFacts, Provenance, SpendFact, SpendKind};
use std::collections::HashMap;

fn provenance(s: String) -> Provenance {
    Provenance::parse(&s).unwrap_or(Provenance::Entered)
}

impl Store {
    /// Every company with stored facts, by name, as [`Store::all_company_facts`] gives them but
    /// without their audit trails, which the evaluation does not read.
    pub fn evaluation_companies(&self) -> Result<Vec<CompanyFacts>> {
        let mut stmt = self
            .conn
            .prepare("SELECT key, name FROM companies ORDER BY name")?;
        let mut by_key: HashMap<String, usize> = HashMap::new();
        let mut out = Vec::new();
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            by_key.insert(r.get(0)?, out.len());
            out.push(CompanyFacts::recorded(r.get(1)?));
        }
        if out.is_empty() {
            return Ok(out);
        }
        let mut stmt = self.conn.prepare(
            "SELECT company_key, fact, value, provenance, confirmed, updated_at FROM company_facts",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let Some(&i) = by_key.get(&r.get::<_, String>(0)?) else {
                continue;
            };
            let fact: String = r.get(1)?;
            let value: String = r.get(2)?;
            let p = provenance(r.get(3)?);
            let confirmed: bool = r.get(4)?;
            let at: String = r.get(5)?;
            let facts = &mut out[i];
            super::companies::set_fact(facts, &fact, value, p, confirmed, at);
        }
        let mut stmt = self.conn.prepare(
            "SELECT company_key, year, kind, amount_cny, provenance, confirmed FROM company_spend
             ORDER BY company_key, year, kind",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let Some(&i) = by_key.get(&r.get::<_, String>(0)?) else {
                continue;
            };
            let kind: String = r.get(2)?;
            out[i].spend.push(SpendFact {
                year: r.get(1)?,
                kind: SpendKind::parse(&kind).unwrap_or(SpendKind::Compute),
                amount_cny: r.get(3)?,
                provenance: provenance(r.get(4)?),
                confirmed: r.get(5)?,
            });
        }
        let mut stmt = self.conn.prepare(
            "SELECT company_key, number, filed_on, provenance, confirmed
             FROM company_algorithm_filings ORDER BY company_key, filed_on, number",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let Some(&i) = by_key.get(&r.get::<_, String>(0)?) else {
                continue;
            };
            out[i].algorithm_filings.push(AlgorithmFiling {
                number: r.get(1)?,
                filed_on: r.get(2)?,
                provenance: provenance(r.get(3)?),
                confirmed: r.get(4)?,
            });
        }
        Ok(out)
    }
}
