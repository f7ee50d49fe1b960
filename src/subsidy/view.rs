//! An evaluation as a person reads it: every reason, need and note worded in one language next
//! to its `{code, params}`. What the app's Subsidies screen receives; the evaluation itself words
//! nothing, so a run that only needs totals pays for no sentences.

use super::eval::{EvaluationReport, RuleTotals, ShareAmount, Status};
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

impl EvaluationReport {
    /// The report with its reasons, needs and notes worded in `lang`.
    pub fn render(&self, lang: Language) -> EvaluationView {
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
                    results: o
                        .results
                        .iter()
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
