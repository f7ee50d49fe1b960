//! Company facts, user subsidy rules and their audit trail: the SQL behind the subsidy use cases.

use super::{halves, Store};
use crate::error::{Error, Result};
use crate::query::FieldChange;
use crate::subsidy::eval::{FilingFact, FxMap, FxSet};
use crate::subsidy::facts::{
    company_key, AlgorithmFiling, CompanyFacts, CompanyFactsUpdate, Fact, FactAuditEntry,
    Provenance, SelfDeveloped, SpendFact, SpendKind,
};
use crate::subsidy::rules::FilingKind;
use crate::subsidy::shared_text::{SharedText, Text, ThinText};
use chrono::NaiveDate;
use rusqlite::{params, OptionalExtension, Transaction};
use std::sync::Arc;

/// A row of `subsidy_rules`: a user's rule text, or only an enabled switch for a bundled rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredRule {
    pub id: String,
    pub source: Option<String>,
    pub enabled: bool,
    pub updated_at: String,
}

fn provenance(s: String) -> Provenance {
    Provenance::parse(&s).unwrap_or(Provenance::Entered)
}

fn audit_entry(r: &rusqlite::Row) -> rusqlite::Result<FactAuditEntry> {
    let changes: String = r.get(4)?;
    Ok(FactAuditEntry {
        id: r.get(0)?,
        at: r.get(1)?,
        subject: r.get(2)?,
        key: r.get(3)?,
        changes: serde_json::from_str(&changes).unwrap_or_default(),
        note: r.get(5)?,
    })
}

fn insert_audit(
    tx: &Transaction,
    now: &str,
    subject: &str,
    key: &str,
    name: &str,
    changes: &[FieldChange],
    note: Option<&str>,
) -> Result<()> {
    let json = serde_json::to_string(changes).unwrap_or_else(|_| "[]".into());
    tx.execute(
        "INSERT INTO subsidy_audit (at, subject, key, name, changes, note)
         VALUES (?, ?, ?, ?, ?, ?)",
        params![now, subject, key, name, json, note],
    )?;
    Ok(())
}

fn change(field: impl Into<String>, before: Option<String>, after: Option<String>) -> FieldChange {
    FieldChange {
        field: field.into(),
        before,
        after,
    }
}

fn fact_text(value: &str, p: Provenance, confirmed: bool) -> String {
    format!(
        "{value} ({}{})",
        p.as_str(),
        if confirmed { ", confirmed" } else { "" }
    )
}

impl Store {
    /// Every filing as the subsidy evaluation sees it, in the order of `ORDER BY filed_on, id`.
    ///
    /// Read in table order and sorted here: walking the date index visits the table once per
    /// row at a random place, which at a million filings took about three times as long as
    /// the scan and the sort together.
    pub fn filing_facts(&self) -> Result<Vec<FilingFact>> {
        Ok(self.filing_facts_at()?.0)
    }

    /// [`Self::filing_facts`], and the filings' write count they were read at when it is that
    /// of committed filings (not inside a transaction of this connection, whose writes another
    /// process does not see): what the evaluation's kept layout is filed under.
    pub fn filing_facts_at(&self) -> Result<(Vec<FilingFact>, Option<i64>)> {
        self.filing_facts_split(halves::SPLIT_FROM as usize)
    }

    /// [`Self::filing_facts_at`], read in two halves side by side (see [`Self::facts_in_two`])
    /// from `split_from` filings on.
    fn filing_facts_split(&self, split_from: usize) -> Result<(Vec<FilingFact>, Option<i64>)> {
        // Only a capacity: the counts kept by triggers, so the vectors grow no more than once.
        let expected: i64 =
            self.conn
                .query_row("SELECT coalesce(sum(n), 0) FROM filing_counts", [], |r| {
                    r.get(0)
                })?;
        let expected = usize::try_from(expected).unwrap_or(0);
        let parts = if expected >= split_from {
            self.facts_in_two(expected)?
        } else {
            None
        };
        let (mut parts, generation) = match parts {
            Some((parts, generation)) => (parts.into_iter(), Some(generation)),
            None if self.conn.is_autocommit() && !self.side_writes.without_generation => {
                // In a transaction of its own, so the count read is that of the filings read.
                let tx = self.conn.unchecked_transaction()?;
                let generation: i64 =
                    tx.query_row("SELECT n FROM filings_generation", [], |r| r.get(0))?;
                let part = read_facts(&tx, None, expected)?;
                tx.commit()?;
                (vec![part].into_iter(), Some(generation))
            }
            None => (
                vec![read_facts(&self.conn, None, expected)?].into_iter(),
                None,
            ),
        };
        let mut all = parts.next().expect("one part at least");
        for part in parts {
            all.append(part);
        }
        let FactsPart {
            mut facts,
            day,
            days,
            ids,
        } = all;
        crate::order::apply(&mut facts, date_order(&day, days, &ids));
        Ok((facts, generation))
    }

    /// The filings read by ids in two halves at once (see [`halves::read_in_halves`]): at a
    /// million filings the read was 1.2 s of a first evaluation's 2.1 s.
    fn facts_in_two(&self, expected: usize) -> Result<Option<(Vec<FactsPart>, i64)>> {
        let halves = halves::read_in_halves_at(
            &self.conn,
            self.path.as_deref(),
            &self.side_writes,
            0,
            |c, range| read_facts(c, Some(range), expected / 2),
        )?;
        Ok(halves.map(|(low, high, generation)| (vec![low, high], generation)))
    }

    /// A company's name as the filings print it (the first spelling, by key), if any filing has it.
    pub fn filing_company_name(&self, name: &str) -> Result<Option<String>> {
        let key = company_key(name);
        let mut stmt = self
            .conn
            .prepare("SELECT DISTINCT company FROM filings ORDER BY company")?;
        let names = stmt
            .query_map([], |r| r.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(names.into_iter().find(|n| company_key(n) == key))
    }

    /// The stored facts of one company (no suggestion from its name), or `None`.
    pub fn company_facts(&self, name: &str) -> Result<Option<CompanyFacts>> {
        let key = company_key(name);
        let stored: Option<String> = self
            .conn
            .query_row("SELECT name FROM companies WHERE key = ?", [&key], |r| {
                r.get(0)
            })
            .optional()?;
        let Some(stored_name) = stored else {
            return Ok(None);
        };
        self.load_company(&key, stored_name).map(Some)
    }

    /// Every company with stored facts, by name.
    pub fn all_company_facts(&self) -> Result<Vec<CompanyFacts>> {
        let mut stmt = self
            .conn
            .prepare("SELECT key, name FROM companies ORDER BY name")?;
        let keys = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        keys.into_iter()
            .map(|(k, n)| self.load_company(&k, n))
            .collect()
    }

    fn load_company(&self, key: &str, name: String) -> Result<CompanyFacts> {
        let mut facts = CompanyFacts::recorded(name);
        let mut stmt = self.conn.prepare(
            "SELECT fact, value, provenance, confirmed, updated_at FROM company_facts
             WHERE company_key = ?",
        )?;
        let rows = stmt
            .query_map([key], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, bool>(3)?,
                    r.get::<_, String>(4)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        for (fact, value, prov, confirmed, at) in rows {
            let p = provenance(prov);
            set_fact(&mut facts, &fact, value, p, confirmed, at);
        }
        let mut stmt = self.conn.prepare(
            "SELECT year, kind, amount_cny, provenance, confirmed FROM company_spend
             WHERE company_key = ? ORDER BY year, kind",
        )?;
        facts.spend = stmt
            .query_map([key], |r| {
                let kind: String = r.get(1)?;
                Ok(SpendFact {
                    year: r.get(0)?,
                    kind: SpendKind::parse(&kind).unwrap_or(SpendKind::Compute),
                    amount_cny: r.get(2)?,
                    provenance: provenance(r.get(3)?),
                    confirmed: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut stmt = self.conn.prepare(
            "SELECT number, filed_on, provenance, confirmed FROM company_algorithm_filings
             WHERE company_key = ? ORDER BY filed_on, number",
        )?;
        facts.algorithm_filings = stmt
            .query_map([key], |r| {
                Ok(AlgorithmFiling {
                    number: r.get(0)?,
                    filed_on: r.get(1)?,
                    provenance: provenance(r.get(2)?),
                    confirmed: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        facts.audit = self.subsidy_audit(Some(("company", key)))?;
        Ok(facts)
    }

    /// Applies a validated update in one transaction and audits what changed. Returns the changes
    /// (empty when nothing differed; then nothing is written).
    pub fn set_company_facts(
        &mut self,
        u: &CompanyFactsUpdate,
        now: &str,
    ) -> Result<Vec<FieldChange>> {
        self.side_write(|s| &s.facts, |store| store.write_company_facts(u, now))
    }

    fn write_company_facts(
        &mut self,
        u: &CompanyFactsUpdate,
        now: &str,
    ) -> Result<Vec<FieldChange>> {
        let key = company_key(&u.name);
        let tx = self.conn.transaction()?;
        let exists: bool = tx.query_row(
            "SELECT EXISTS (SELECT 1 FROM companies WHERE key = ?)",
            [&key],
            |r| r.get(0),
        )?;
        if !exists {
            tx.execute(
                "INSERT INTO companies (key, name, created_at, updated_at) VALUES (?, ?, ?, ?)",
                params![key, u.name, now, now],
            )?;
        }
        let mut changes = Vec::new();
        let facts = [
            (
                "registered_city",
                u.registered_city
                    .as_ref()
                    .map(|f| (f.value.clone(), f.provenance, f.confirmed)),
            ),
            (
                "registered_district",
                u.registered_district
                    .as_ref()
                    .map(|f| (f.value.clone(), f.provenance, f.confirmed)),
            ),
            (
                "self_developed",
                u.self_developed.as_ref().map(|f| {
                    (
                        f.value.map(|v| v.as_str().to_string()),
                        f.provenance,
                        f.confirmed,
                    )
                }),
            ),
        ];
        for (fact, input) in facts {
            let Some((value, p, confirmed)) = input else {
                continue;
            };
            let before: Option<(String, String, bool)> = tx
                .query_row(
                    "SELECT value, provenance, confirmed FROM company_facts
                     WHERE company_key = ? AND fact = ?",
                    params![key, fact],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let before_text = before
                .as_ref()
                .map(|(v, bp, c)| fact_text(v, provenance(bp.clone()), *c));
            let after_text = value.as_ref().map(|v| fact_text(v, p, confirmed));
            if before_text == after_text {
                continue;
            }
            match &value {
                Some(v) => {
                    tx.execute(
                        "INSERT INTO company_facts (company_key, fact, value, provenance, confirmed, updated_at)
                         VALUES (?, ?, ?, ?, ?, ?)
                         ON CONFLICT (company_key, fact) DO UPDATE SET value = excluded.value,
                           provenance = excluded.provenance, confirmed = excluded.confirmed,
                           updated_at = excluded.updated_at",
                        params![key, fact, v, p.as_str(), confirmed, now],
                    )?;
                }
                None => {
                    tx.execute(
                        "DELETE FROM company_facts WHERE company_key = ? AND fact = ?",
                        params![key, fact],
                    )?;
                }
            }
            changes.push(change(fact, before_text, after_text));
        }
        for s in &u.spend {
            let field = format!("spend {} {}", s.year, s.kind.as_str());
            let before: Option<(i64, String, bool)> = tx
                .query_row(
                    "SELECT amount_cny, provenance, confirmed FROM company_spend
                     WHERE company_key = ? AND year = ? AND kind = ?",
                    params![key, s.year, s.kind.as_str()],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let before_text = before.map(|(a, p, c)| fact_text(&a.to_string(), provenance(p), c));
            let after_text = Some(fact_text(
                &s.amount_cny.to_string(),
                s.provenance,
                s.confirmed,
            ));
            if before_text == after_text {
                continue;
            }
            tx.execute(
                "INSERT INTO company_spend (company_key, year, kind, amount_cny, provenance, confirmed, updated_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?)
                 ON CONFLICT (company_key, year, kind) DO UPDATE SET amount_cny = excluded.amount_cny,
                   provenance = excluded.provenance, confirmed = excluded.confirmed,
                   updated_at = excluded.updated_at",
                params![key, s.year, s.kind.as_str(), s.amount_cny, s.provenance.as_str(), s.confirmed, now],
            )?;
            changes.push(change(field, before_text, after_text));
        }
        for k in &u.remove_spend {
            let before: Option<(i64, String, bool)> = tx
                .query_row(
                    "SELECT amount_cny, provenance, confirmed FROM company_spend
                     WHERE company_key = ? AND year = ? AND kind = ?",
                    params![key, k.year, k.kind.as_str()],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            if let Some((a, p, c)) = before {
                tx.execute(
                    "DELETE FROM company_spend WHERE company_key = ? AND year = ? AND kind = ?",
                    params![key, k.year, k.kind.as_str()],
                )?;
                changes.push(change(
                    format!("spend {} {}", k.year, k.kind.as_str()),
                    Some(fact_text(&a.to_string(), provenance(p), c)),
                    None,
                ));
            }
        }
        for a in &u.algorithm_filings {
            let before: Option<(String, String, bool)> = tx
                .query_row(
                    "SELECT filed_on, provenance, confirmed FROM company_algorithm_filings
                     WHERE company_key = ? AND number = ?",
                    params![key, a.number],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            let before_text = before.map(|(d, p, c)| fact_text(&d, provenance(p), c));
            let after_text = Some(fact_text(&a.filed_on, a.provenance, a.confirmed));
            if before_text == after_text {
                continue;
            }
            tx.execute(
                "INSERT INTO company_algorithm_filings (company_key, number, filed_on, provenance, confirmed, updated_at)
                 VALUES (?, ?, ?, ?, ?, ?)
                 ON CONFLICT (company_key, number) DO UPDATE SET filed_on = excluded.filed_on,
                   provenance = excluded.provenance, confirmed = excluded.confirmed,
                   updated_at = excluded.updated_at",
                params![key, a.number, a.filed_on, a.provenance.as_str(), a.confirmed, now],
            )?;
            changes.push(change(
                format!("algorithm filing {}", a.number),
                before_text,
                after_text,
            ));
        }
        for number in &u.remove_algorithm_filings {
            let n = tx.execute(
                "DELETE FROM company_algorithm_filings WHERE company_key = ? AND number = ?",
                params![key, number],
            )?;
            if n > 0 {
                changes.push(change(
                    format!("algorithm filing {number}"),
                    Some(number.clone()),
                    None,
                ));
            }
        }
        if changes.is_empty() {
            // Nothing differed: leave no trace, not even the company row.
            return Ok(changes);
        }
        tx.execute(
            "UPDATE companies SET updated_at = ? WHERE key = ?",
            params![now, key],
        )?;
        insert_audit(
            &tx,
            now,
            "company",
            &key,
            &u.name,
            &changes,
            u.note.as_deref(),
        )?;
        tx.commit()?;
        Ok(changes)
    }

    /// The audit trail of companies and rules, newest first; `Some((subject, key))` for one.
    pub fn subsidy_audit(&self, of: Option<(&str, &str)>) -> Result<Vec<FactAuditEntry>> {
        let cols = "id, at, subject, name, changes, note";
        let rows = match of {
            Some((subject, key)) => {
                let mut stmt = self.conn.prepare(&format!(
                    "SELECT {cols} FROM subsidy_audit WHERE subject = ? AND key = ? ORDER BY id DESC"
                ))?;
                let v = stmt
                    .query_map(params![subject, key], audit_entry)?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                v
            }
            None => {
                let mut stmt = self.conn.prepare(&format!(
                    "SELECT {cols} FROM subsidy_audit ORDER BY id DESC"
                ))?;
                let v = stmt
                    .query_map([], audit_entry)?
                    .collect::<rusqlite::Result<Vec<_>>>()?;
                v
            }
        };
        Ok(rows)
    }

    pub fn stored_rules(&self) -> Result<Vec<StoredRule>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, source, enabled, updated_at FROM subsidy_rules ORDER BY id")?;
        let rows = stmt
            .query_map([], |r| {
                Ok(StoredRule {
                    id: r.get(0)?,
                    source: r.get(1)?,
                    enabled: r.get(2)?,
                    updated_at: r.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Writes a user's rule (or, with `source` None, a bundled rule's switch), audited.
    pub fn put_rule(
        &mut self,
        id: &str,
        source: Option<&str>,
        enabled: bool,
        now: &str,
        note: Option<&str>,
    ) -> Result<()> {
        self.side_write(
            |s| &s.rules,
            |store| {
                let tx = store.conn.transaction()?;
                let before = stored_rule(&tx, id)?;
                let mut changes = Vec::new();
                let (old_source, old_enabled) = match &before {
                    Some((s, e)) => (s.clone(), Some(*e)),
                    None => (None, None),
                };
                if old_source.as_deref() != source {
                    changes.push(change("source", old_source, source.map(str::to_string)));
                }
                if old_enabled != Some(enabled) {
                    changes.push(change(
                        "enabled",
                        old_enabled.map(|e| e.to_string()),
                        Some(enabled.to_string()),
                    ));
                }
                if changes.is_empty() {
                    return Ok(());
                }
                tx.execute(
                    "INSERT INTO subsidy_rules (id, source, enabled, updated_at)
                     VALUES (?, ?, ?, ?)
                     ON CONFLICT (id) DO UPDATE SET source = excluded.source,
                       enabled = excluded.enabled, updated_at = excluded.updated_at",
                    params![id, source, enabled, now],
                )?;
                insert_audit(&tx, now, "rule", id, id, &changes, note)?;
                tx.commit()?;
                Ok(())
            },
        )
    }

    /// Removes a user's rule or override (a bundled rule then applies as shipped), audited.
    pub fn delete_rule(&mut self, id: &str, now: &str, note: Option<&str>) -> Result<()> {
        self.side_write(
            |s| &s.rules,
            |store| {
                let tx = store.conn.transaction()?;
                let before = stored_rule(&tx, id)?;
                let Some((source, enabled)) = before else {
                    return Err(Error::NotFound {
                        what: format!("a user rule or override with id {id:?}"),
                    });
                };
                tx.execute("DELETE FROM subsidy_rules WHERE id = ?", [id])?;
                let mut changes = vec![change("enabled", Some(enabled.to_string()), None)];
                if source.is_some() {
                    changes.insert(0, change("source", source, None));
                }
                insert_audit(&tx, now, "rule", id, id, &changes, note)?;
                tx.commit()?;
                Ok(())
            },
        )
    }
}

/// A rule's stored text (none for a bundled rule's switch) and switch, if it has a row.
fn stored_rule(tx: &Transaction, id: &str) -> Result<Option<(Option<String>, bool)>> {
    Ok(tx
        .query_row(
            "SELECT source, enabled FROM subsidy_rules WHERE id = ?",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?)
}

/// Puts one row of `company_facts` into its field; a fact name this version does not know is
/// skipped, so a newer database's extra facts do not break reading.
pub(super) fn set_fact(
    facts: &mut CompanyFacts,
    fact: &str,
    value: String,
    provenance: Provenance,
    confirmed: bool,
    at: String,
) {
    let updated_at = Some(at);
    match fact {
        "registered_city" => {
            facts.registered_city = Some(Fact {
                value,
                provenance,
                confirmed,
                updated_at,
            })
        }
        "registered_district" => {
            facts.registered_district = Some(Fact {
                value,
                provenance,
                confirmed,
                updated_at,
            })
        }
        "self_developed" => {
            facts.self_developed = Some(Fact {
                value: SelfDeveloped::parse(&value).unwrap_or(SelfDeveloped::Unknown),
                provenance,
                confirmed,
                updated_at,
            })
        }
        _ => {}
    }
}

/// Filings as the evaluation reads them, in id order, with what sorts them by date.
struct FactsPart {
    facts: Vec<FilingFact>,
    /// Per filing: its `filed_on` text, as an index into `days` (each text met, once).
    day: Vec<u32>,
    days: FxMap<DateText, u32>,
    ids: Vec<i64>,
}

impl FactsPart {
    /// `later`'s filings after these (its ids are all greater).
    fn append(&mut self, later: FactsPart) {
        let mut to = vec![0u32; later.days.len()];
        for (text, i) in later.days {
            let next = self.days.len() as u32;
            to[i as usize] = *self.days.entry(text).or_insert(next);
        }
        self.day.extend(later.day.iter().map(|&d| to[d as usize]));
        self.facts.extend(later.facts);
        self.ids.extend(later.ids);
    }
}

/// The filings with ids in `range` (`[from, to]`; all of them for `None`), in id order.
fn read_facts(
    conn: &rusqlite::Connection,
    range: Option<(i64, i64)>,
    expected: usize,
) -> Result<FactsPart> {
    let sql = "SELECT number, kind, region, company, filed_on, id FROM filings";
    let mut stmt = match range {
        None => conn.prepare(sql)?,
        Some(_) => conn.prepare(&format!("{sql} WHERE id BETWEEN ?1 AND ?2"))?,
    };
    let mut part = FactsPart {
        facts: Vec::with_capacity(expected),
        day: Vec::with_capacity(expected),
        days: FxMap::default(),
        ids: Vec::with_capacity(expected),
    };
    // One copy of each region, shared by its filings (see `FilingFact`).
    let mut regions: FxSet<ThinText> = FxSet::default();
    // Every number, and each spelling once, in texts the filings share (see `SharedText`),
    // set once the texts are whole; until then the filings hold an empty one. A spelling is
    // found by a key that holds its text: found through a shared text's two pointers, each of
    // a million lookups missed the cache twice, and the reading after a write was 0.2-0.3 s
    // slower at 1M.
    let mut numbers = String::new();
    let mut number_ends: Vec<usize> = Vec::with_capacity(expected);
    let mut spellings = String::new();
    let mut spelling_ends: Vec<usize> = Vec::new();
    let mut spelling_of: FxMap<Box<str>, u32> = FxMap::default();
    let mut company_of: Vec<u32> = Vec::with_capacity(expected);
    let unset = SharedText::from("");
    let mut rows = match range {
        None => stmt.query([])?,
        Some((from, to)) => stmt.query([from, to])?,
    };
    while let Some(r) = rows.next()? {
        // Borrowed, not copied: a million rows are read for one evaluation.
        let text = |i| {
            r.get_ref(i)?
                .as_str_or_null()
                .map_err(rusqlite::Error::from)
        };
        let kind = text(1)?;
        let filed_on = text(4)?;
        let next = part.days.len() as u32;
        part.day
            .push(*part.days.entry(DateText::new(filed_on)).or_insert(next));
        part.ids.push(r.get(5)?);
        numbers.push_str(r.get_ref(0)?.as_str().map_err(rusqlite::Error::from)?);
        number_ends.push(numbers.len());
        let company = text(3)?.unwrap_or_default();
        company_of.push(match spelling_of.get(company) {
            Some(&i) => i,
            None => {
                spellings.push_str(company);
                spelling_ends.push(spellings.len());
                let i = spelling_of.len() as u32;
                spelling_of.insert(company.into(), i);
                i
            }
        });
        part.facts.push(FilingFact {
            number: unset.clone(),
            kind: if kind == Some("registered") {
                FilingKind::Registered
            } else {
                FilingKind::Filed
            },
            region: text(2)?.map(|s| shared(&mut regions, s)),
            company: unset.clone(),
            filed_on: filed_on.and_then(iso_date),
            confirmed: true,
        });
    }
    drop(spelling_of);
    let spellings = ranges_of(spellings, &spelling_ends);
    let numbers: Text = Arc::new(numbers.into_boxed_str());
    let mut start = 0;
    for ((f, end), company) in part.facts.iter_mut().zip(number_ends).zip(company_of) {
        f.number = SharedText::within_or_copy(&numbers, start..end);
        f.company = spellings[company as usize].clone();
        start = end;
    }
    Ok(part)
}

/// The texts that end at `ends` in `all`, sharing it.
fn ranges_of(all: String, ends: &[usize]) -> Vec<SharedText> {
    let all: Text = Arc::new(all.into_boxed_str());
    let mut start = 0;
    ends.iter()
        .map(|&end| {
            let text = SharedText::within_or_copy(&all, start..end);
            start = end;
            text
        })
        .collect()
}

/// The copy of `s` in `set`, made and put there if it is not.
fn shared<T>(set: &mut FxSet<T>, s: &str) -> T
where
    T: Clone + for<'s> From<&'s str> + std::borrow::Borrow<str> + std::hash::Hash + Eq,
{
    match set.get(s) {
        Some(a) => a.clone(),
        None => {
            let a = T::from(s);
            set.insert(a.clone());
            a
        }
    }
}

/// Where each filing goes in `ORDER BY filed_on, id`, as `order::apply` takes it: `day[i]` is
/// filing `i`'s date text as an index into `days`, `ids[i]` its id.
fn date_order(day: &[u32], days: FxMap<DateText, u32>, ids: &[i64]) -> Vec<u32> {
    let mut sorted: Vec<(DateText, u32)> = days.into_iter().collect();
    sorted.sort_unstable();
    let mut rank = vec![0u32; sorted.len()];
    for (r, (_, d)) in sorted.iter().enumerate() {
        rank[*d as usize] = r as u32;
    }
    if !ids.is_sorted_by(|a, b| a < b) {
        let mut from: Vec<u32> = (0..day.len() as u32).collect();
        from.sort_unstable_by_key(|&i| (rank[day[i as usize] as usize], ids[i as usize]));
        return from;
    }
    // A table scan gives ids in order, so one day's filings are in id order as read: placing
    // them day by day (a counting sort) is the whole sort, and at 1M took a third of the time
    // of sorting a million keys.
    let mut start = vec![0u32; rank.len() + 1];
    for &d in day {
        start[rank[d as usize] as usize + 1] += 1;
    }
    for r in 1..start.len() {
        start[r] += start[r - 1];
    }
    let mut from = vec![0u32; day.len()];
    for (i, &d) in day.iter().enumerate() {
        let at = &mut start[rank[d as usize] as usize];
        from[*at as usize] = i as u32;
        *at += 1;
    }
    from
}

/// A stored `YYYY-MM-DD` date, read digit by digit (chrono's format parser is a tenth of the
/// time it takes to load a million filings); anything else goes through chrono as before.
/// A `filed_on` value ordered as SQLite orders it (NULL first, then text by its bytes), kept
/// without a heap copy when it is the usual `YYYY-MM-DD`.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum DateText {
    Null,
    Text(TextKey),
}

#[derive(Debug, PartialEq, Eq, Hash)]
enum TextKey {
    /// Up to 10 bytes (every `YYYY-MM-DD`), zero-padded, big-endian, then the length: ordered
    /// as one integer, as the text's bytes order it (a million are sorted per evaluation, and
    /// comparing them as bytes was a tenth of it).
    Short(u128),
    Long(Box<[u8]>),
}

impl TextKey {
    fn new(s: &str) -> TextKey {
        let b = s.as_bytes();
        if b.len() > 10 {
            return TextKey::Long(b.into());
        }
        let mut padded = [0u8; 16];
        padded[..b.len()].copy_from_slice(b);
        padded[10] = b.len() as u8;
        TextKey::Short(u128::from_be_bytes(padded))
    }

    fn bytes<'a>(&'a self, buf: &'a mut [u8; 16]) -> &'a [u8] {
        match self {
            TextKey::Short(x) => {
                *buf = x.to_be_bytes();
                &buf[..usize::from(buf[10])]
            }
            TextKey::Long(b) => b,
        }
    }
}

impl Ord for TextKey {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        if let (TextKey::Short(a), TextKey::Short(b)) = (self, other) {
            // Zero padding then the length orders as the bytes do: a text that is a prefix
            // of another sorts first, and padding only ever meets padding or a longer text.
            return a.cmp(b);
        }
        let (mut x, mut y) = ([0u8; 16], [0u8; 16]);
        self.bytes(&mut x).cmp(other.bytes(&mut y))
    }
}

impl PartialOrd for TextKey {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl DateText {
    fn new(s: Option<&str>) -> DateText {
        match s {
            None => DateText::Null,
            Some(s) => DateText::Text(TextKey::new(s)),
        }
    }
}

fn iso_date(s: &str) -> Option<NaiveDate> {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        b[r].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + (c - b'0') as u32)
        })
    };
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        if let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10)) {
            return NaiveDate::from_ymd_opt(y as i32, m, d);
        }
    }
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::iso_date;
    use crate::store::{insert_test_filing, Store, TestFiling};
    use chrono::NaiveDate;

    /// Ties on a date, NULLs, and text that is no ISO date (longer, shorter, sorting between
    /// real dates).
    const MIXED_DATES: [Option<&str>; 12] = [
        Some("2024-03-28"),
        None,
        Some("2024-03-28"),
        Some("2023-12-01"),
        Some("2024-03-28 late"),
        Some("2024-3-1"),
        None,
        Some("2024-03-2"),
        Some(""),
        Some("2025-01-01"),
        Some("2024-03-28"),
        Some("２０２４"),
    ];

    #[test]
    fn filing_facts_come_in_the_order_sqlite_sorts_them() {
        let store = Store::open_in_memory().unwrap();
        crate::store::add_test_batch(&store);
        // Ids given out of date order, to hold the sort to SQLite's.
        for (i, d) in MIXED_DATES.iter().enumerate() {
            let f = TestFiling {
                filed_on: *d,
                ..TestFiling::new(100 - i as i64 * 7 % 50, format!("N{i}"))
            };
            insert_test_filing(&store.conn, &f);
        }
        let mut stmt = store
            .conn
            .prepare("SELECT number FROM filings ORDER BY filed_on, id")
            .unwrap();
        let want: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        let got: Vec<String> = store
            .filing_facts()
            .unwrap()
            .into_iter()
            .map(|f| f.number.to_string())
            .collect();
        assert_eq!(got, want);
    }

    /// Read in two halves on two connections, the filings are those read on one: same order,
    /// same values, dates that appear in both halves or only one, spellings and regions met
    /// in both. Inside a transaction of its own, the store reads on its connection alone and
    /// sees its own uncommitted filings.
    #[test]
    fn filings_read_in_two_halves_are_those_read_in_one() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("r.sqlite")).unwrap();
        crate::store::add_test_batch(&store);
        let insert = |conn: &rusqlite::Connection, i: usize| {
            let d = MIXED_DATES[i * 5 % MIXED_DATES.len()];
            let kind = ["filed", "registered"][i % 2];
            let region = ["北京市", "上海市", "国资委"][i % 3];
            let company = ["甲公司", "乙公司", "丙（北京）公司", "丁公司"][i * 7 % 4];
            let f = TestFiling {
                kind,
                region,
                company,
                filed_on: d,
                ..TestFiling::new(3 + i as i64 * 2, format!("N{i}"))
            };
            insert_test_filing(conn, &f);
        };
        for i in 0..300 {
            insert(&store.conn, i);
        }
        let (one, generation) = store.filing_facts_split(usize::MAX).unwrap();
        assert_eq!(one.len(), 300);
        assert_eq!(generation, Some(300), "one write per filing");
        let (two, generation) = store.filing_facts_split(0).unwrap();
        assert_eq!(two, one);
        assert_eq!(generation, Some(300));
        assert!(store.facts_in_two(300).unwrap().is_some(), "read in two");

        // In a transaction: one connection, which sees the filing not yet committed, and no
        // write count that another process could rely on.
        let tx = store.conn.unchecked_transaction().unwrap();
        insert(&tx, 300);
        assert!(store.facts_in_two(301).unwrap().is_none());
        let (inside, generation) = store.filing_facts_split(0).unwrap();
        assert_eq!((inside.len(), generation), (301, None));
        tx.rollback().unwrap();
    }

    #[test]
    fn ids_out_of_order_are_still_put_in_date_then_id_order() {
        use super::{date_order, DateText, FxMap};
        // A table scan gives ids in order; the first ids do not, so the general sort is
        // taken. The same dates with the ids in order take the counting sort.
        let dates = MIXED_DATES;
        let shuffled = [5i64, 12, 2, 9, 1, 11, 7, 3, 10, 8, 4, 6];
        let ascending: [i64; 12] = std::array::from_fn(|i| i as i64 + 1);
        for ids in [shuffled, ascending] {
            let mut days: FxMap<DateText, u32> = FxMap::default();
            let day: Vec<u32> = dates
                .iter()
                .map(|&d| {
                    let next = days.len() as u32;
                    *days.entry(DateText::new(d)).or_insert(next)
                })
                .collect();
            let got = date_order(&day, days, &ids);
            let mut want: Vec<u32> = (0..dates.len() as u32).collect();
            want.sort_by_key(|&i| (DateText::new(dates[i as usize]), ids[i as usize]));
            assert_eq!(got, want, "{ids:?}");
        }
    }

    #[test]
    fn date_texts_order_as_their_bytes() {
        // Short and long, prefixes of each other, padding against a zero byte, ten bytes
        // exactly and eleven, and text beyond ASCII.
        let texts = [
            "",
            "2",
            "2024",
            "2024\0",
            "2024\0\0",
            "2024-03-28",
            "2024-03-2",
            "2024-03-28 late",
            "2024-03-28\0",
            "2024-03-280",
            "2024-3-1",
            "2025-01-01",
            "２０２４",
            "2024-03-28 ",
            "9999-99-99",
            "\u{1}",
            "2024-03-29",
        ];
        for a in texts {
            for b in texts {
                assert_eq!(
                    super::TextKey::new(a).cmp(&super::TextKey::new(b)),
                    a.as_bytes().cmp(b.as_bytes()),
                    "{a:?} {b:?}"
                );
            }
        }
    }

    #[test]
    fn stored_dates_read_as_chrono_reads_them() {
        for s in [
            "2024-03-28",
            "2024-02-29",
            "2023-02-29",
            "2024-13-01",
            "2024-1-01",
            "2024/03/28",
            "20240328",
            "",
            "+2024-03-28",
            "2024-03-2x",
        ] {
            assert_eq!(
                iso_date(s),
                NaiveDate::parse_from_str(s, "%Y-%m-%d").ok(),
                "{s:?}"
            );
        }
    }
}
