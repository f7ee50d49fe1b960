//! Subsidy use cases: rules (bundled, user, overrides), company facts, evaluation.
//!
//! User rules live in the registry database (`subsidy_rules`), so a backup carries them and the
//! CLI and the app see the same set. A bundled rule is a read-only default: saving a rule with its
//! id overrides it, disabling it stores only the switch, and removing the override restores it.

use super::Registry;
use crate::error::{Error, Result};
use crate::filing::Issue;
use crate::query::FieldChange;
use crate::subsidy::cities::Cities;
use crate::subsidy::eval::{Enterprises, EvaluationReport, ResultsPage};
use crate::subsidy::facts::{suggested_city, CompanyFacts, CompanyFactsUpdate, FactAuditEntry};
use crate::subsidy::rules::{bundled_rules, parse_rule, Rule, BUNDLED_RULES};
use crate::subsidy::snapshot::{layout_format, Grouped, Versions};
use chrono::NaiveDate;
use serde::Serialize;
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RuleOrigin {
    /// Shipped with Beian, unchanged.
    Bundled,
    /// Added by a user.
    User,
    /// A user's version of a bundled rule (same id).
    Override,
}

/// A rule as the Subsidies screen and `beian subsidies rules` show it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct RuleInfo {
    pub rule: Rule,
    pub origin: RuleOrigin,
    /// In effect: the user's switch if set, else the file's `enabled`.
    pub enabled: bool,
    /// The TOML text, for the editor and for export.
    pub source_text: String,
    /// The bundled file name, for bundled rules and overrides.
    pub bundled_file: Option<String>,
    /// When a user last changed it.
    pub updated_at: Option<String>,
}

/// A rule written out as a file.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct RuleExport {
    pub file_name: String,
    pub text: String,
}

fn invalid(field: &str, code: &str, message: String) -> Error {
    Error::Invalid {
        issues: vec![Issue {
            column: Some(field.to_string()),
            ..Issue::error(code, message)
        }],
    }
}

fn bundled() -> Result<Vec<(String, String, Rule)>> {
    let rules = bundled_rules().map_err(|issues| Error::Invalid { issues })?;
    Ok(BUNDLED_RULES
        .iter()
        .zip(rules)
        .map(|((file, _), (text, rule))| (file.to_string(), text, rule))
        .collect())
}

impl Registry {
    /// Parses and validates a rule document without saving it. Issues name `file_name` and the
    /// field (`my-rule.toml: award.amount_cny: must be a positive whole number of yuan`).
    pub fn validate_rule_text(&self, file_name: &str, text: &str) -> Result<Rule> {
        parse_rule(file_name, text).map_err(|issues| Error::Invalid { issues })
    }

    /// Every rule: bundled ones (or the user's override), then the user's own, by id.
    pub fn list_rules(&self) -> Result<Vec<RuleInfo>> {
        let stored = self.store.stored_rules()?;
        let mut out = Vec::new();
        for (file, text, rule) in bundled()? {
            let row = stored.iter().find(|s| s.id == rule.id);
            let info = match row {
                Some(s) => match &s.source {
                    Some(src) => {
                        let mut r = self.validate_rule_text(&file, src)?;
                        r.enabled = s.enabled;
                        RuleInfo {
                            enabled: s.enabled,
                            rule: r,
                            origin: RuleOrigin::Override,
                            source_text: src.clone(),
                            bundled_file: Some(file),
                            updated_at: Some(s.updated_at.clone()),
                        }
                    }
                    None => RuleInfo {
                        enabled: s.enabled,
                        rule: Rule {
                            enabled: s.enabled,
                            ..rule
                        },
                        origin: RuleOrigin::Bundled,
                        source_text: text,
                        bundled_file: Some(file),
                        updated_at: Some(s.updated_at.clone()),
                    },
                },
                None => RuleInfo {
                    enabled: rule.enabled,
                    rule,
                    origin: RuleOrigin::Bundled,
                    source_text: text,
                    bundled_file: Some(file),
                    updated_at: None,
                },
            };
            out.push(info);
        }
        for s in &stored {
            if out.iter().any(|i| i.rule.id == s.id) {
                continue;
            }
            let Some(src) = &s.source else { continue };
            let mut r = self.validate_rule_text(&format!("{}.toml", s.id), src)?;
            r.enabled = s.enabled;
            out.push(RuleInfo {
                enabled: s.enabled,
                rule: r,
                origin: RuleOrigin::User,
                source_text: src.clone(),
                bundled_file: None,
                updated_at: Some(s.updated_at.clone()),
            });
        }
        Ok(out)
    }

    pub fn rule(&self, id: &str) -> Result<RuleInfo> {
        self.list_rules()?
            .into_iter()
            .find(|r| r.rule.id == id.trim())
            .ok_or_else(|| Error::NotFound {
                what: format!("subsidy rule {:?} (see `beian subsidies rules`)", id.trim()),
            })
    }

    /// Saves a rule document (validated first). A bundled rule's id makes it an override. The
    /// document's `enabled` sets the switch.
    pub fn save_rule(
        &mut self,
        file_name: &str,
        text: &str,
        now: &str,
        note: Option<&str>,
    ) -> Result<RuleInfo> {
        let rule = self.validate_rule_text(file_name, text)?;
        self.store
            .put_rule(&rule.id, Some(text), rule.enabled, now, note)?;
        self.rule(&rule.id)
    }

    /// Turns a rule on or off (bundled rules too; the switch is stored, the file is not touched).
    pub fn set_rule_enabled(&mut self, id: &str, enabled: bool, now: &str) -> Result<RuleInfo> {
        let current = self.rule(id)?;
        let source = match current.origin {
            RuleOrigin::Bundled => None,
            RuleOrigin::User | RuleOrigin::Override => Some(current.source_text.as_str()),
        };
        self.store
            .put_rule(&current.rule.id, source, enabled, now, None)?;
        self.rule(&current.rule.id)
    }

    /// Deletes a user's rule, or removes an override or switch so the bundled rule applies as shipped.
    pub fn remove_rule(&mut self, id: &str, now: &str) -> Result<()> {
        self.store.delete_rule(id.trim(), now, None)
    }

    pub fn export_rule(&self, id: &str) -> Result<RuleExport> {
        let info = self.rule(id)?;
        Ok(export(&info))
    }

    pub fn export_rules(&self) -> Result<Vec<RuleExport>> {
        Ok(self.list_rules()?.iter().map(export).collect())
    }

    /// A company's facts: what is stored, and where no city is stored, the city its name
    /// suggests (inferred, not confirmed). A company nobody recorded still answers, from its name.
    pub fn company_facts(&self, name: &str) -> Result<CompanyFacts> {
        let name = name.trim();
        if name.is_empty() {
            return Err(invalid(
                "name",
                "company_missing",
                "give the company's legal name".into(),
            ));
        }
        let mut facts = match self.store.company_facts(name)? {
            Some(f) => f,
            None => {
                let shown = self
                    .store
                    .filing_company_name(name)?
                    .unwrap_or_else(|| name.to_string());
                CompanyFacts::from_name(&shown)
            }
        };
        if facts.registered_city.is_none() {
            facts.registered_city = suggested_city(&facts.name);
        }
        Ok(facts)
    }

    /// Every company with recorded facts.
    pub fn companies(&self) -> Result<Vec<CompanyFacts>> {
        self.store.all_company_facts()
    }

    /// Records facts about a company (audited). Cities are normalised (`杭州` → `杭州市`); a
    /// company is keyed by its legal name with brackets and spaces folded, and keeps the spelling
    /// the filings use when they have it.
    pub fn set_company_facts(
        &mut self,
        mut u: CompanyFactsUpdate,
        now: &str,
    ) -> Result<(CompanyFacts, Vec<FieldChange>)> {
        let mut issues = Vec::new();
        let field = |f: &str, code: &str, m: String| Issue {
            column: Some(f.to_string()),
            ..Issue::error(code, m)
        };
        u.name = u.name.trim().to_string();
        if u.name.is_empty() {
            issues.push(field(
                "name",
                "company_missing",
                "give the company's legal name".into(),
            ));
        }
        if let Some(existing) = self.store.company_facts(&u.name)? {
            u.name = existing.name;
        } else if let Some(n) = self.filing_company_name(&u.name)? {
            u.name = n;
        }
        if let Some(c) = &mut u.registered_city {
            if let Some(v) = &c.value {
                let v = Cities::bundled().normalize(v);
                if v.is_empty() {
                    issues.push(field(
                        "registered_city",
                        "city_missing",
                        "the city is empty; leave it out to keep the current one".into(),
                    ));
                }
                c.value = Some(v);
            }
        }
        if let Some(d) = &mut u.registered_district {
            if let Some(v) = &d.value {
                let v = v.trim().to_string();
                if v.is_empty() {
                    issues.push(field(
                        "registered_district",
                        "district_missing",
                        "the district is empty; leave it out to keep the current one".into(),
                    ));
                }
                d.value = Some(v);
            }
        }
        for s in &u.spend {
            if s.amount_cny < 0 {
                issues.push(field(
                    "spend",
                    "spend_negative",
                    format!(
                        "{} {}: the amount must be 0 or more yuan",
                        s.year,
                        s.kind.as_str()
                    ),
                ));
            }
            if !(1990..=2200).contains(&s.year) {
                issues.push(field(
                    "spend",
                    "spend_year",
                    format!("{} is not a plausible year", s.year),
                ));
            }
        }
        for a in &mut u.algorithm_filings {
            a.number = a.number.trim().to_string();
            if a.number.is_empty() {
                issues.push(field(
                    "algorithm_filings",
                    "number_missing",
                    "an algorithm filing needs its number".into(),
                ));
            }
            match crate::import::date::parse_date(&a.filed_on) {
                Ok(d) => a.filed_on = d.to_string(),
                Err(e) => issues.push(field(
                    "algorithm_filings",
                    "date_invalid",
                    format!("{}: {e}", a.number),
                )),
            }
        }
        if !issues.is_empty() {
            return Err(Error::Invalid { issues });
        }
        let changes = self.store.set_company_facts(&u, now)?;
        Ok((self.company_facts(&u.name)?, changes))
    }

    /// The audit trail of company facts and rules, newest first.
    pub fn subsidy_audit(&self) -> Result<Vec<FactAuditEntry>> {
        self.store.subsidy_audit(None)
    }

    /// Evaluates one rule (by id, even when disabled) or every enabled rule, as of a date the
    /// caller passes in; for one company (every rule, with the reason it does or does not
    /// qualify) or for every enterprise in each rule's scope.
    pub fn evaluate(
        &self,
        rule: Option<&str>,
        company: Option<&str>,
        as_of: NaiveDate,
    ) -> Result<EvaluationReport> {
        let rules = self.rules_to_evaluate(rule)?;
        self.with_enterprises(|enterprises| {
            if let Some(c) = company {
                if !enterprises.contains(c) {
                    return Err(Error::NotFound {
                        what: format!(
                            "company {:?}: no filing and no recorded facts (record them with \
                             `beian company set`)",
                            c.trim()
                        ),
                    });
                }
            }
            Ok(enterprises.evaluate(&rules, as_of, company))
        })?
    }

    /// A company's name as the filings print it (as
    /// [`crate::store::Store::filing_company_name`] gives it), from the evaluation's kept
    /// filings when they are current.
    fn filing_company_name(&self, name: &str) -> Result<Option<String>> {
        let key = crate::subsidy::facts::company_key(name);
        match self
            .evaluation
            .first_spelling(self.store.filings_version()?, &key)
        {
            Some(kept) => Ok(kept),
            None => self.store.filing_company_name(name),
        }
    }

    /// Runs `f` on the registry's enterprises, grouped once and kept while the data is
    /// unchanged: evaluating again for another date or another rule reads nothing.
    fn with_enterprises<T>(&self, f: impl FnOnce(&Enterprises<'_>) -> T) -> Result<T> {
        let versions = Versions {
            filings: self.store.filings_version()?,
            all: self.store.data_version()?,
        };
        self.evaluation.with(
            versions,
            || self.grouped_filings(),
            || self.store.evaluation_companies(),
            f,
        )
    }

    /// The filings grouped for the evaluation: read back from the layout a process kept at
    /// these same filings, else read and grouped, and then the layout kept for the next process
    /// (on another thread, from `LayoutWrites::FROM` filings on).
    fn grouped_filings(&self) -> Result<Arc<Grouped>> {
        // A grouping being prepared is the quickest way to it: waiting for the rest of its
        // work is less than doing all of it again here.
        if let Some((generation, grouped)) = self.layout_writes.take_prepared() {
            if self.store.filings_version()?.0 == generation {
                return Ok(grouped);
            }
        }
        let format = layout_format();
        // Bytes that do not read back are dropped and worked out again below.
        if let Some(Ok(grouped)) = self
            .store
            .read_evaluation_layout(&format, |first, later| Grouped::read_from(first, later))?
        {
            return Ok(Arc::new(grouped));
        }
        let (filings, generation) = self.store.filing_facts_at()?;
        let grouped = Arc::new(Grouped::new(filings));
        if let Some(generation) = generation.filter(|_| grouped.len() >= self.layout_writes.from) {
            if let Some(keeper) = self.store.layout_keeper()? {
                let kept = Arc::clone(&grouped);
                self.layout_writes.start(move || {
                    // A layout not kept costs the next process the read it would have spared;
                    // nothing is lost, so the error (a busy or read-only file) is not passed on.
                    if let Some(bytes) = kept.write() {
                        let _ = keeper.keep(&format, generation, kept.len(), &bytes);
                    }
                });
            }
        }
        Ok(grouped)
    }

    /// Starts working out the evaluation's layout on another thread, on connections of its own,
    /// when the filings have moved on since the last one was kept (after an import): the next
    /// evaluation, in this process or another, then reads the layout back instead of reading
    /// and grouping every filing (at a million filings 0.13-0.25 s instead of about 1.5-2 s,
    /// BENCHMARKS.md, eighteenth round). Nothing is started below `LayoutWrites::FROM` filings,
    /// for a database that cannot keep a layout, or when the layout is current. Returns whether
    /// it started.
    pub fn prepare_evaluation_layout(&self) -> Result<bool> {
        let format = layout_format();
        if !self
            .store
            .evaluation_layout_missing(&format, self.layout_writes.from)?
        {
            return Ok(false);
        }
        let (Some(keeper), Some(path)) = (self.store.layout_keeper()?, self.store.path()) else {
            return Ok(false);
        };
        let path = path.to_path_buf();
        self.layout_writes.prepare(move |prepared| {
            // As for a layout written after an evaluation: one not kept costs a later
            // evaluation the read it would have spared, and nothing else.
            let Ok(store) = crate::store::Store::open_read_only(&path) else {
                return;
            };
            let Ok((filings, Some(generation))) = store.filing_facts_at() else {
                return;
            };
            drop(store);
            let grouped = Arc::new(Grouped::new(filings));
            // An evaluation waiting for it takes the grouping now, not after the write.
            prepared.offer(generation, &grouped);
            if let Some(bytes) = grouped.write() {
                let _ = keeper.keep(&format, generation, grouped.len(), &bytes);
            }
            // Once written, the layout is where a later evaluation reads it: holding the
            // grouping until then would keep a few hundred MB for a visit that may not come.
        });
        Ok(true)
    }

    /// Waits for the evaluation's layout being written for later processes, if any (closing
    /// the registry waits for it too).
    pub fn finish_layout_writes(&self) {
        self.layout_writes.finish();
    }

    /// Lets go of the evaluation's kept inputs (about 280 MiB at a million filings);
    /// the next evaluation reads them again.
    pub fn release_evaluation(&self) {
        self.evaluation.clear();
    }

    /// Each rule's totals and notes as [`Self::evaluate`] gives them for every enterprise, with
    /// no per-enterprise results (`results` is empty): what a totals view needs, without the
    /// reasons for a quarter of a million results at 1M filings.
    pub fn evaluate_totals(
        &self,
        rule: Option<&str>,
        as_of: NaiveDate,
    ) -> Result<EvaluationReport> {
        let rules = self.rules_to_evaluate(rule)?;
        self.with_enterprises(|enterprises| enterprises.totals(&rules, as_of))
    }

    /// Each rule's totals over every enterprise and its first `per_rule` results, with their
    /// reasons, in the report's order: what the Subsidies screen shows (see
    /// [`Enterprises::evaluate_first`]).
    pub fn evaluate_first(
        &self,
        rule: Option<&str>,
        as_of: NaiveDate,
        per_rule: usize,
    ) -> Result<EvaluationReport> {
        self.evaluate_page(rule, as_of, ResultsPage::first(per_rule))
    }

    /// Each rule's totals over every enterprise and one page of its results, with their
    /// reasons, in the report's order (see [`Enterprises::evaluate_page`]).
    pub fn evaluate_page(
        &self,
        rule: Option<&str>,
        as_of: NaiveDate,
        page: ResultsPage,
    ) -> Result<EvaluationReport> {
        let rules = self.rules_to_evaluate(rule)?;
        self.with_enterprises(|enterprises| enterprises.evaluate_page(&rules, as_of, page))
    }

    /// One rule by id (even when disabled), or every enabled rule.
    fn rules_to_evaluate(&self, rule: Option<&str>) -> Result<Vec<Rule>> {
        Ok(match rule {
            Some(id) => vec![self.rule(id)?.rule],
            None => self
                .list_rules()?
                .into_iter()
                .filter(|r| r.enabled)
                .map(|r| r.rule)
                .collect(),
        })
    }
}

/// The layouts being written on other threads, waited for before the registry closes (so that
/// a command-line run keeps its layout for the next one). An evaluation never waits for one:
/// a layout of filings that have moved on is refused by its write, not waited for.
pub(crate) struct LayoutWrites {
    writing: Mutex<Vec<JoinHandle<()>>>,
    /// The grouping the latest preparation ([`Registry::prepare_evaluation_layout`]) works
    /// out, while its thread (among `writing`) has it.
    prepared: Mutex<Option<Arc<Prepared>>>,
    /// From how many filings the layout is kept: below it, reading them is quicker than the
    /// layout's write.
    from: usize,
}

impl LayoutWrites {
    const FROM: usize = 50_000;

    fn start(&self, write: impl FnOnce() + Send + 'static) {
        let mut writing = self.writing.lock().unwrap_or_else(|e| e.into_inner());
        writing.retain(|w| !w.is_finished());
        writing.push(std::thread::spawn(write));
    }

    /// Runs `work` on another thread, with where to offer the grouping it works out.
    fn prepare(&self, work: impl FnOnce(&Prepared) + Send + 'static) {
        let prepared = Arc::new(Prepared::default());
        *self.prepared.lock().unwrap_or_else(|e| e.into_inner()) = Some(Arc::clone(&prepared));
        self.start(move || {
            // Withdrawn however the work ends (a panic too), so that no evaluation waits on.
            struct Withdraw(Arc<Prepared>);
            impl Drop for Withdraw {
                fn drop(&mut self) {
                    self.0.withdraw();
                }
            }
            let prepared = Withdraw(prepared);
            work(&prepared.0);
        });
    }

    /// The grouping being prepared, waiting until it is worked out; `None` when none is being
    /// prepared, when it was taken, or when its work has ended (its layout is kept then,
    /// unless the work stopped short).
    fn take_prepared(&self) -> Option<(i64, Arc<Grouped>)> {
        let prepared = self
            .prepared
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take()?;
        prepared.take()
    }

    /// Waits for the layouts being written, if any.
    pub(crate) fn finish(&self) {
        let writing = std::mem::take(&mut *self.writing.lock().unwrap_or_else(|e| e.into_inner()));
        for w in writing {
            let _ = w.join();
        }
    }
}

/// A grouping worked out on another thread, offered to an evaluation until its layout is
/// written.
#[derive(Default)]
struct Prepared {
    state: Mutex<PreparedState>,
    changed: Condvar,
}

#[derive(Default)]
enum PreparedState {
    #[default]
    Working,
    Offered(i64, Arc<Grouped>),
    Over,
}

impl Prepared {
    fn set(&self, state: PreparedState) {
        *self.state.lock().unwrap_or_else(|e| e.into_inner()) = state;
        self.changed.notify_all();
    }

    fn offer(&self, generation: i64, grouped: &Arc<Grouped>) {
        self.set(PreparedState::Offered(generation, Arc::clone(grouped)));
    }

    fn withdraw(&self) {
        self.set(PreparedState::Over);
    }

    fn take(&self) -> Option<(i64, Arc<Grouped>)> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        while matches!(*state, PreparedState::Working) {
            state = self.changed.wait(state).unwrap_or_else(|e| e.into_inner());
        }
        match std::mem::replace(&mut *state, PreparedState::Over) {
            PreparedState::Offered(generation, grouped) => Some((generation, grouped)),
            _ => None,
        }
    }
}

impl Default for LayoutWrites {
    fn default() -> Self {
        LayoutWrites {
            writing: Mutex::default(),
            prepared: Mutex::default(),
            from: Self::FROM,
        }
    }
}

impl Drop for LayoutWrites {
    fn drop(&mut self) {
        self.finish();
    }
}

fn export(info: &RuleInfo) -> RuleExport {
    RuleExport {
        file_name: info
            .bundled_file
            .clone()
            .unwrap_or_else(|| format!("{}.toml", info.rule.id)),
        text: info.source_text.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::subsidy::facts::{FactInput, Provenance, SelfDeveloped};
    use crate::subsidy::Status;

    const NOW: &str = "2025-01-01T00:00:00Z";

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn seeded() -> Registry {
        let mut reg = Registry::open_in_memory().unwrap();
        reg.seed(NOW).unwrap();
        reg
    }

    #[test]
    fn bundled_rules_are_listed_and_can_be_disabled_overridden_and_restored() {
        let mut reg = seeded();
        let rules = reg.list_rules().unwrap();
        assert_eq!(rules.len(), BUNDLED_RULES.len());
        assert!(rules
            .iter()
            .all(|r| r.origin == RuleOrigin::Bundled && r.enabled));

        let off = reg
            .set_rule_enabled("nanjing-model-filing", false, NOW)
            .unwrap();
        assert!(!off.enabled);
        let ev = reg.evaluate(None, None, d("2024-06-30")).unwrap();
        assert!(ev.rules.iter().all(|o| o.rule != "nanjing-model-filing"));

        let text = reg.export_rule("hangzhou-model-filing").unwrap().text;
        let changed = text.replace("amount_cny = 500000", "amount_cny = 600000");
        let saved = reg
            .save_rule("mine.toml", &changed, NOW, Some("new amount"))
            .unwrap();
        assert_eq!(saved.origin, RuleOrigin::Override);
        assert_eq!(saved.rule.award.amount_cny, Some(600_000));

        reg.remove_rule("hangzhou-model-filing", NOW).unwrap();
        let back = reg.rule("hangzhou-model-filing").unwrap();
        assert_eq!(back.origin, RuleOrigin::Bundled);
        assert_eq!(back.rule.award.amount_cny, Some(500_000));

        let audit = reg.subsidy_audit().unwrap();
        assert_eq!(audit.len(), 3, "{audit:#?}");
        assert_eq!(audit[1].note.as_deref(), Some("new amount"));
    }

    #[test]
    fn a_plain_text_and_a_zh_en_pair_export_as_they_were_written() {
        use crate::subsidy::LocalText;
        let mut reg = seeded();
        let bundled = reg
            .export_rule("guangzhou-haizhu-first-filing")
            .unwrap()
            .text;
        let note = r#"note = { zh = "申报期随网信办备案批次公布，具体日期未记录", en = "application windows follow the CAC batches; dates not recorded" }"#;
        assert!(bundled.contains(note), "{bundled}");
        let mine = bundled
            .replace(
                "id = \"guangzhou-haizhu-first-filing\"",
                "id = \"haizhu-mine\"",
            )
            .replace(note, "note = \"windows by CAC batch\"");
        let saved = reg.save_rule("haizhu-mine.toml", &mine, NOW, None).unwrap();
        let out = reg.export_rule("haizhu-mine").unwrap();
        assert_eq!(out.text, mine);
        let again = crate::subsidy::parse_rule(&out.file_name, &out.text).unwrap();
        assert_eq!(again, saved.rule);
        assert_eq!(
            again.application_windows[0].note,
            Some(LocalText::Same("windows by CAC batch".into()))
        );
        assert_eq!(
            again.eligibility.unchecked,
            vec![LocalText::Pair {
                zh: "在海珠区纳税".into(),
                en: "taxed in 海珠区 (在海珠区纳税)".into()
            }]
        );
    }

    #[test]
    fn a_bad_rule_is_refused_with_the_file_and_field() {
        let mut reg = seeded();
        let text = reg.export_rule("hangzhou-model-filing").unwrap().text;
        let bad = text.replace("amount_cny = 500000", "amount_cny = 0");
        let e = reg.save_rule("hz.toml", &bad, NOW, None).unwrap_err();
        assert_eq!(e.code(), "invalid");
        assert_eq!(
            e.to_string(),
            "hz.toml: award.amount_cny: must be a positive whole number of yuan"
        );
        assert_eq!(
            reg.list_rules().unwrap()[0].rule.award.amount_cny,
            Some(500_000)
        );
    }

    #[test]
    fn facts_are_audited_and_the_seed_company_gets_its_city_from_the_name() {
        let mut reg = seeded();
        let ali = "阿里巴巴达摩院（杭州）科技有限公司";
        let f = reg.company_facts(ali).unwrap();
        // The filings print it with half-width brackets; the facts use that spelling.
        assert_eq!(f.name, "阿里巴巴达摩院 (杭州) 科技有限公司");
        let city = f.registered_city.unwrap();
        assert_eq!(
            (city.value.as_str(), city.provenance, city.confirmed),
            ("杭州市", Provenance::InferredFromName, false)
        );
        assert!(!f.recorded);

        let ev = reg
            .evaluate(Some("hangzhou-model-filing"), Some(ali), d("2024-06-30"))
            .unwrap();
        let r = &ev.rules[0].results[0];
        assert_eq!(r.status, Status::CannotTell);

        let (f, changes) = reg
            .set_company_facts(
                CompanyFactsUpdate {
                    name: ali.into(),
                    registered_city: Some(FactInput::entered("杭州".into())),
                    self_developed: Some(FactInput::entered(SelfDeveloped::Yes)),
                    note: Some("from the business licence".into()),
                    ..Default::default()
                },
                NOW,
            )
            .unwrap();
        assert_eq!(changes.len(), 2);
        assert_eq!(f.registered_city.as_ref().unwrap().value, "杭州市");
        assert!(f.recorded);
        assert_eq!(f.audit.len(), 1);
        assert_eq!(
            f.audit[0].note.as_deref(),
            Some("from the business licence")
        );

        let ev = reg
            .evaluate(Some("hangzhou-model-filing"), Some(ali), d("2024-06-30"))
            .unwrap();
        let r = &ev.rules[0].results[0];
        assert_eq!(r.status, Status::Qualifies, "{r:#?}");
        assert_eq!(r.amount_cny, Some(500_000));
        assert!(r.reasons.iter().any(|x| matches!(x,
            crate::subsidy::Reason::FilingCounted { number, filed_on, .. }
                if number == "ZheJiang-TongYiQianWen-20230901" && *filed_on == d("2023-09-12"))));

        // The same values again change nothing and add no audit entry.
        let (_, again) = reg
            .set_company_facts(
                CompanyFactsUpdate {
                    name: ali.into(),
                    registered_city: Some(FactInput::entered("杭州市".into())),
                    ..Default::default()
                },
                NOW,
            )
            .unwrap();
        assert!(again.is_empty());
        assert_eq!(reg.company_facts(ali).unwrap().audit.len(), 1);
    }

    #[test]
    fn a_kept_evaluation_sees_what_another_connection_writes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("registry.sqlite");
        let screen = Registry::open_or_seed(&path, NOW).unwrap();
        let mut other = Registry::open(&path).unwrap();
        let ali = "阿里巴巴达摩院（杭州）科技有限公司";
        let status = |reg: &Registry| {
            let ev = reg
                .evaluate(Some("hangzhou-model-filing"), Some(ali), d("2024-06-30"))
                .unwrap();
            ev.rules[0].results[0].status
        };
        assert_eq!(status(&screen), Status::CannotTell);
        assert!(screen.evaluation.is_kept());
        other
            .set_company_facts(
                CompanyFactsUpdate {
                    name: ali.into(),
                    registered_city: Some(FactInput::entered("杭州".into())),
                    self_developed: Some(FactInput::entered(SelfDeveloped::Yes)),
                    ..Default::default()
                },
                NOW,
            )
            .unwrap();
        assert_eq!(status(&screen), Status::Qualifies);
        let totals = screen.evaluate_totals(Some("hangzhou-model-filing"), d("2024-06-30"));
        assert_eq!(totals.unwrap().rules[0].totals.qualifies, 1);
        screen.release_evaluation();
        assert!(!screen.evaluation.is_kept());
        assert_eq!(status(&screen), Status::Qualifies);
    }

    /// A registry at `path` that keeps the evaluation's layout whatever its size.
    fn keeping_layouts(path: &std::path::Path) -> Registry {
        let mut reg = Registry::open(path).unwrap();
        reg.layout_writes.from = 0;
        reg
    }

    #[test]
    fn a_later_process_evaluates_from_the_kept_layout_as_from_the_filings() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("registry.sqlite");
        drop(Registry::open_or_seed(&path, NOW).unwrap());
        let mut first = keeping_layouts(&path);
        // A recorded company among them: its facts are read afresh, not kept in the layout.
        first
            .set_company_facts(
                CompanyFactsUpdate {
                    name: "阿里巴巴达摩院（杭州）科技有限公司".into(),
                    registered_city: Some(FactInput::entered("杭州".into())),
                    self_developed: Some(FactInput::entered(SelfDeveloped::Yes)),
                    ..Default::default()
                },
                NOW,
            )
            .unwrap();
        let everything = |reg: &Registry| {
            let page = reg.evaluate_first(None, d("2024-06-30"), 50).unwrap();
            let all = reg.evaluate(None, None, d("2024-06-30")).unwrap();
            serde_json::to_value((page, all)).unwrap()
        };
        let from_filings = everything(&first);
        // Closing the registry waits for the layout's write: a CLI run keeps it.
        drop(first);
        let first = Registry::open(&path).unwrap();
        let format = layout_format();
        let kept = first.store.evaluation_layout(&format).unwrap();
        let kept = kept.expect("the first evaluation keeps a layout");
        let filings = first.store.filing_facts().unwrap().len();
        assert!(filings > 10, "{filings}");
        assert_eq!(Grouped::read(&kept).unwrap().len(), filings);

        let later = keeping_layouts(&path);
        assert_eq!(everything(&later), from_filings);
        later.layout_writes.finish();
        assert_eq!(
            later.store.evaluation_layout(&format).unwrap(),
            Some(kept),
            "read, not written again"
        );

        // What a later process evaluates is the layout: one of no filings, kept at the same
        // write count, leaves only the recorded company.
        let generation = first.store.filing_facts_at().unwrap().1.unwrap();
        let keeper = first.store.layout_keeper().unwrap().unwrap();
        let none = Grouped::new(Vec::new());
        assert!(keeper
            .keep(&format, generation, 0, &none.write().unwrap())
            .unwrap());
        let report = keeping_layouts(&path)
            .evaluate(None, None, d("2024-06-30"))
            .unwrap();
        let names: std::collections::BTreeSet<&str> = report
            .rules
            .iter()
            .flat_map(|r| r.results.iter().map(|e| e.enterprise.as_str()))
            .collect();
        assert_eq!(
            names.into_iter().collect::<Vec<_>>(),
            ["阿里巴巴达摩院 (杭州) 科技有限公司"]
        );
    }

    #[test]
    fn a_layout_prepared_ahead_is_what_the_next_evaluation_reads() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("registry.sqlite");
        drop(Registry::open_or_seed(&path, NOW).unwrap());
        let everything = |reg: &Registry| {
            let page = reg.evaluate_first(None, d("2024-06-30"), 50).unwrap();
            let all = reg.evaluate(None, None, d("2024-06-30")).unwrap();
            serde_json::to_value((page, all)).unwrap()
        };
        // Below `LayoutWrites::FROM` filings nothing is prepared, and nothing is kept.
        let small = Registry::open(&path).unwrap();
        assert!(!small.prepare_evaluation_layout().unwrap());
        let from_filings = everything(&small);
        drop(small);
        let format = layout_format();

        let mut reg = keeping_layouts(&path);
        assert!(reg.store.evaluation_layout(&format).unwrap().is_none());
        assert!(reg.prepare_evaluation_layout().unwrap());
        reg.layout_writes.finish();
        let kept = reg.store.evaluation_layout(&format).unwrap();
        let kept = kept.expect("the prepared layout is kept");
        assert_eq!(
            Grouped::read(&kept).unwrap().len(),
            reg.store.filing_facts().unwrap().len()
        );
        assert!(!reg.prepare_evaluation_layout().unwrap(), "already current");
        assert_eq!(everything(&keeping_layouts(&path)), from_filings);

        // A filing written moves the filings on: the layout is prepared again, with it.
        reg.add_filing(
            crate::filing::FilingFields {
                number: "Sichuan-ShouGong-20240301".into(),
                kind: crate::filing::Kind::Filed,
                region: "四川".into(),
                model: "手工录入模型".into(),
                company: "成都手工科技有限公司".into(),
                filed_on: NaiveDate::from_ymd_opt(2024, 3, 1),
                seq: None,
            },
            NOW,
            None,
        )
        .unwrap();
        assert!(reg.store.evaluation_layout(&format).unwrap().is_none());
        assert!(reg.prepare_evaluation_layout().unwrap());
        // The evaluation waits for the grouping being prepared and takes it; the layout is
        // written meanwhile.
        let later = everything(&reg);
        assert!(reg.layout_writes.take_prepared().is_none(), "taken");
        reg.layout_writes.finish();
        assert!(reg.store.evaluation_layout(&format).unwrap().is_some());
        assert_eq!(everything(&keeping_layouts(&path)), later);
        assert_ne!(later, from_filings);
        assert!(later.to_string().contains("成都手工科技有限公司"));
    }

    #[test]
    fn a_layout_that_does_not_read_back_is_worked_out_again() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("registry.sqlite");
        drop(Registry::open_or_seed(&path, NOW).unwrap());
        let json = |r| serde_json::to_value(r).unwrap();
        let reference = json(
            Registry::open(&path)
                .unwrap()
                .evaluate(None, None, d("2024-06-30"))
                .unwrap(),
        );
        let reg = keeping_layouts(&path);
        let generation = reg.store.filing_facts_at().unwrap().1.unwrap();
        let keeper = reg.store.layout_keeper().unwrap().unwrap();
        let format = layout_format();
        assert!(keeper
            .keep(&format, generation, 1, b"not a layout")
            .unwrap());
        assert_eq!(
            json(reg.evaluate(None, None, d("2024-06-30")).unwrap()),
            reference
        );
        reg.layout_writes.finish();
        let again = reg.store.evaluation_layout(&format).unwrap().unwrap();
        assert!(Grouped::read(&again).is_ok(), "a good layout in its place");
    }

    #[test]
    fn an_unknown_company_is_not_found() {
        let reg = seeded();
        let e = reg
            .evaluate(None, Some("不存在有限公司"), d("2024-06-30"))
            .unwrap_err();
        assert_eq!(e.code(), "not_found");
    }
}

#[cfg(test)]
#[path = "subsidies_compare.rs"]
mod compare;
