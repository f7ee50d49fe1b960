//! An evaluation as a person reads it: every reason, need and note worded in one language next
//! to its `{code, params}`. What the app's Subsidies screen receives; the evaluation itself words
//! nothing, so a run that only needs totals pays for no sentences.

use super::eval::{EnterpriseResult, EvaluationReport, RuleTotals, ShareAmount, Status};
use super::reason::{Need, Reason, RuleNote};
use super::rules::Confidence;
use crate::export::Language;
use serde::Serialize;
use ts_rs::TS;

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct EnterpriseView {
    pub enterprise: String,
    pub status: Status,
    #[ts(type = "number | null")]
    pub amount_cny: Option<i64>,
    /// Why an enterprise that qualifies has no amount, worded.
    pub amount_unknown_reason: Option<String>,
    pub cost_split: Vec<ShareAmount>,
    pub reasons: Vec<String>,
    pub reason_codes: Vec<Reason>,
    /// The missing facts, worded as the fact's name ("注册区县").
    pub needs: Vec<String>,
    pub need_codes: Vec<Need>,
    pub filings: Vec<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct RuleOutcomeView {
    pub rule: String,
    pub title: String,
    pub jurisdiction: String,
    pub confidence: Confidence,
    pub enabled: bool,
    pub notes: Vec<String>,
    pub note_codes: Vec<RuleNote>,
    pub results: Vec<EnterpriseView>,
    /// Results left out by a cap (see [`EvaluationReport::render_capped`]); the totals count them.
    pub omitted: u32,
    pub totals: RuleTotals,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct EvaluationView {
    /// YYYY-MM-DD
    pub as_of: String,
    pub language: Language,
    pub company: Option<String>,
    pub rules: Vec<RuleOutcomeView>,
    #[ts(type = "number")]
    pub total_cny: i64,
}

/// The order a capped view keeps results in: those that qualify, then those that need a fact,
/// then the rest (each group in the evaluation's own order).
fn priority(s: Status) -> u8 {
    match s {
        Status::Qualifies => 0,
        Status::CannotTell => 1,
        Status::DoesNotQualify => 2,
    }
}

impl EvaluationReport {
    /// The report with its reasons, needs and notes worded in `lang`.
    pub fn render(&self, lang: Language) -> EvaluationView {
        self.render_capped(lang, usize::MAX)
    }

    /// As [`Self::render`], with at most `cap` results per rule: what a screen can show. A
    /// registry of a million filings gives a rule hundreds of thousands of enterprises; the
    /// totals still count every one, and `omitted` says how many were left out.
    pub fn render_capped(&self, lang: Language, cap: usize) -> EvaluationView {
        EvaluationView {
            as_of: self.as_of.clone(),
            language: lang,
            company: self.company.clone(),
            rules: self
                .rules
                .iter()
                .map(|o| RuleOutcomeView {
                    rule: o.rule.clone(),
                    title: o.title.clone(),
                    jurisdiction: o.jurisdiction.clone(),
                    confidence: o.confidence,
                    enabled: o.enabled,
                    notes: o.notes.iter().map(|n| n.text(lang)).collect(),
                    note_codes: o.notes.clone(),
                    // Counted from the totals: the results may already be only the first ones
                    // (`Registry::evaluate_first`).
                    omitted: (o.totals.qualifies
                        + o.totals.cannot_tell
                        + o.totals.does_not_qualify)
                        .saturating_sub(o.results.len().min(cap) as u32),
                    results: kept(&o.results, cap)
                        .map(|r| EnterpriseView {
                            enterprise: r.enterprise.clone(),
                            status: r.status,
                            amount_cny: r.amount_cny,
                            amount_unknown_reason: r
                                .amount_unknown_reason
                                .as_ref()
                                .map(|w| w.text(lang)),
                            cost_split: r.cost_split.clone(),
                            reasons: r.reasons.iter().map(|x| x.text(lang)).collect(),
                            reason_codes: r.reasons.clone(),
                            needs: r.needs.iter().map(|x| x.text(lang)).collect(),
                            need_codes: r.needs.clone(),
                            filings: r.filings.clone(),
                        })
                        .collect(),
                    totals: o.totals.clone(),
                })
                .collect(),
            total_cny: self.total_cny,
        }
    }
}

/// The first `cap` results in [`priority`] order; all of them, in their order, when they fit.
fn kept(
    results: &[EnterpriseResult],
    cap: usize,
) -> Box<dyn Iterator<Item = &EnterpriseResult> + '_> {
    if results.len() <= cap {
        return Box::new(results.iter());
    }
    let mut order: Vec<&EnterpriseResult> = results.iter().collect();
    order.sort_by_key(|r| priority(r.status));
    order.truncate(cap);
    Box::new(order.into_iter())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(name: &str, status: Status) -> EnterpriseResult {
        EnterpriseResult {
            enterprise: name.into(),
            status,
            amount_cny: None,
            amount_unknown_reason: None,
            cost_split: Vec::new(),
            reasons: vec![Reason::UpToCeiling],
            needs: Vec::new(),
            filings: Vec::new(),
        }
    }

    fn names<'a>(it: impl Iterator<Item = &'a EnterpriseResult>) -> Vec<&'a str> {
        it.map(|r| r.enterprise.as_str()).collect()
    }

    #[test]
    fn a_cap_keeps_those_that_qualify_first_and_the_order_within_each_answer() {
        let rs = vec![
            result("a", Status::DoesNotQualify),
            result("b", Status::CannotTell),
            result("c", Status::Qualifies),
            result("d", Status::DoesNotQualify),
            result("e", Status::Qualifies),
        ];
        assert_eq!(names(kept(&rs, 3)), ["c", "e", "b"]);
        assert_eq!(
            names(kept(&rs, 5)),
            ["a", "b", "c", "d", "e"],
            "uncapped: as evaluated"
        );
        assert_eq!(names(kept(&rs, 0)), Vec::<&str>::new());
    }
}
