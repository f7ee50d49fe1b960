//! An evaluation as a person reads it: every reason, need and note worded in one language next
//! to its `{code, params}`. What the app's Subsidies screen receives; the evaluation itself words
//! nothing, so a run that only needs totals pays for no sentences.

use super::eval::{
    EnterpriseResult, EvaluationReport, ResultsPage, RuleTotals, ShareAmount, Shown, Status,
};
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
    /// The reasons as codes with their values, for machines; empty in the screen's view (see
    /// [`EvaluationReport::render_for_screen`]).
    pub reason_codes: Vec<Reason>,
    /// The missing facts, worded as the fact's name ("注册区县").
    pub needs: Vec<String>,
    /// As `reason_codes`, for the needs.
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
    /// Results left out by a cap (see [`EvaluationReport::render_capped`]) or by a page (see
    /// [`EvaluationReport::render_page`]); the totals count them.
    pub omitted: u32,
    /// How many results the view's filter admits (see [`Shown`]), on this page or not: what a
    /// screen pages through.
    pub shown_total: u32,
    /// The place of the first result given among those `shown_total` counts.
    pub offset: u32,
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
        self.render_with(lang, cap, true)
    }

    /// As [`Self::render_capped`] without the codes of each result's reasons and needs, which
    /// the Subsidies screen does not read: at 1M, 500 results for each of the 8 bundled rules
    /// came to 6.9 MB of JSON, 60 % of it codes, to word, send and parse at every evaluation.
    pub fn render_for_screen(&self, lang: Language, cap: usize) -> EvaluationView {
        self.render_with(lang, cap, false)
    }

    /// The screen's view of one page (as evaluated with
    /// [`crate::subsidy::eval::Enterprises::evaluate_page`]), without the codes: each rule's
    /// results are that page, and `shown_total` the number of results to page through.
    pub fn render_page(&self, lang: Language, page: ResultsPage) -> EvaluationView {
        let mut view = self.render_with(lang, page.limit as usize, false);
        for o in &mut view.rules {
            o.shown_total = page.shown.count(&o.totals);
            o.offset = page.offset.min(o.shown_total);
            o.omitted = o.shown_total - o.results.len() as u32;
        }
        view
    }

    fn render_with(&self, lang: Language, cap: usize, codes: bool) -> EvaluationView {
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
                    shown_total: Shown::All.count(&o.totals),
                    offset: 0,
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
                            reason_codes: if codes { r.reasons.clone() } else { Vec::new() },
                            needs: r.needs.iter().map(|x| x.text(lang)).collect(),
                            need_codes: if codes { r.needs.clone() } else { Vec::new() },
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

    #[test]
    fn the_screens_view_is_the_full_view_without_the_codes() {
        let mut reg = crate::registry::Registry::open_in_memory().unwrap();
        reg.seed("2025-01-01T00:00:00Z").unwrap();
        let as_of = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
        let report = reg.evaluate(None, None, as_of).unwrap();
        let mut full = report.render_capped(Language::Zh, 3);
        let screen = report.render_for_screen(Language::Zh, 3);
        let mut codes = 0;
        for o in &mut full.rules {
            for r in &mut o.results {
                codes += r.reason_codes.len() + r.need_codes.len();
                r.reason_codes.clear();
                r.need_codes.clear();
            }
        }
        assert!(codes > 10, "{codes}");
        let json = |v: &EvaluationView| serde_json::to_value(v).unwrap();
        assert_eq!(json(&screen), json(&full));
    }
}
