//! The evaluation as it was before enterprises were grouped once and their scope worked out
//! ahead: filings put in a map by company key, scope asked of the facts per rule. Kept
//! for tests only, so the faster path can be compared with it report for report.

use super::*;

fn gather<'a>(
    filings: &'a [FilingFact],
    companies: &'a [CompanyFacts],
) -> BTreeMap<String, Enterprise<'a>> {
    let mut out: BTreeMap<String, Enterprise<'a>> = BTreeMap::new();
    for c in companies {
        let e = Enterprise::new(c.name.clone().into(), Facts::Recorded(c));
        out.insert(company_key(&c.name), e);
        out.get_mut(&company_key(&c.name))
            .expect("just inserted")
            .algorithm = c
            .algorithm_filings
            .iter()
            .map(|a| algorithm_fact(a, &c.name))
            .collect();
    }
    for f in filings {
        let key = company_key(&f.company);
        out.entry(key)
            .or_insert_with(|| {
                Enterprise::new(
                    f.company.trim().to_string().into(),
                    Facts::Shared(Arc::new(CompanyFacts::from_name(&f.company))),
                )
            })
            .registry
            .add(std::slice::from_ref(f), false);
    }
    // Filings are put in order once per enterprise (the evaluation reads them in that order;
    // `filings_are_read_in_the_order_a_stable_sort_gives` checks that order), and the registered city folded once, as rules compare it.
    for e in out.values_mut() {
        e.sort_filings();
        e.cache_scope(&mut Default::default());
    }
    out
}

fn in_scope(rule: &Rule, e: &Enterprise) -> bool {
    let province = &rule.jurisdiction.province;
    if e.filings().any(|f| f.region.as_deref() == Some(province)) {
        return true;
    }
    e.facts.registered_city.as_ref().is_some_and(|c| {
        Cities::bundled()
            .find(&c.value)
            .map(|city| &city.province == province)
            .unwrap_or_else(|| {
                crate::region::alias_key(&c.value)
                    == crate::region::alias_key(&rule.jurisdiction.city)
            })
    })
}

pub(crate) fn evaluate_rules_reference(
    rules: &[Rule],
    filings: &[FilingFact],
    companies: &[CompanyFacts],
    as_of: NaiveDate,
    focus: Option<&str>,
) -> EvaluationReport {
    let enterprises = gather(filings, companies);
    let focus_key = focus.map(company_key);
    let mut outcomes = Vec::new();
    for rule in rules {
        // Every enterprise in scope is evaluated, as before, even when one company's is kept.
        let o = evaluate_rule(
            rule,
            enterprises.iter().map(|(k, e)| (k.as_str(), e)),
            |e| in_scope(rule, e),
            as_of,
            focus_key.as_deref(),
            true,
            Detail::All,
        );
        outcomes.push(o);
    }
    report(
        outcomes,
        as_of,
        focus,
        focus_key.as_deref().and_then(|k| enterprises.get(k)),
    )
}

/// A report as JSON, so two reports compare field for field and a difference prints readably.
pub(crate) fn json(r: &EvaluationReport) -> serde_json::Value {
    serde_json::to_value(r).expect("a report serialises")
}
