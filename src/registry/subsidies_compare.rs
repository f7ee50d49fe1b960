//! The evaluation the registry runs against the old whole-registry evaluation, on a varied
//! registry: every rule, every enterprise, every reason must be the same.

use super::*;
use crate::import::ReadOptions;
use crate::registry::ImportMode;
use crate::subsidy::eval::reference::{evaluate_rules_reference, json};
use crate::subsidy::facts::{AlgorithmFiling, FactInput, Provenance, SelfDeveloped, SpendFact};
use crate::subsidy::{ResultsPage, Shown, SpendKind, Status};
use std::collections::BTreeSet;

const NOW: &str = "2025-01-01T00:00:00Z";

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A small deterministic generator (no dependency, same rows every run).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

const REGIONS: [(&str, &str); 8] = [
    ("浙江省", "Zhejiang"),
    ("北京市", "Beijing"),
    ("上海市", "Shanghai"),
    ("广东省", "Guangdong"),
    ("四川省", "Sichuan"),
    ("江苏省", "Jiangsu"),
    ("福建省", "Fujian"),
    ("湖北省", "Hubei"),
];
const CITIES: [&str; 10] = [
    "杭州", "北京", "上海", "广州", "成都", "南京", "漳州", "武汉", "深圳", "",
];

/// Company names: a city at the start, in brackets, or none; a few spelled two ways (full- and
/// half-width brackets, spaces), which the evaluation must treat as one enterprise.
fn company(i: usize) -> (String, String) {
    let city = CITIES[i % CITIES.len()];
    let brand = format!("星{}辰", i);
    let name = match i % 4 {
        0 if !city.is_empty() => format!("{city}{brand}科技有限公司"),
        1 if !city.is_empty() => format!("{brand}（{city}）智能科技有限公司"),
        _ => format!("{brand}信息技术有限公司"),
    };
    let other = if i % 4 == 1 && !city.is_empty() {
        format!("{brand} ({city}) 智能科技有限公司")
    } else {
        name.clone()
    };
    (name, other)
}

fn import_csv(reg: &mut Registry, name: &str, csv: &str) {
    reg.import(
        name,
        csv.as_bytes(),
        &ReadOptions::default(),
        ImportMode::default(),
        NOW,
        &mut |_, _| true,
    )
    .unwrap();
}

fn registry() -> (Registry, Vec<String>) {
    let mut reg = Registry::open_in_memory().unwrap();
    let mut rng = Lcg(7);
    let mut csv = String::from("序号,属地,模型名称,备案单位,备案号,备案时间\n");
    let companies = 400;
    for n in 0..3000 {
        let c = rng.next(companies);
        let (name, other) = company(c);
        let spelled = if rng.next(3) == 0 { other } else { name };
        // Mostly the company's home region, sometimes elsewhere.
        let (region, prefix) = if rng.next(5) == 0 {
            REGIONS[rng.next(REGIONS.len())]
        } else {
            REGIONS[c % REGIONS.len()]
        };
        // 2023-08 to 2025-06, with many same-day filings (batches).
        let day = d("2023-08-01") + chrono::Duration::days(7 * rng.next(100) as i64);
        let filed = day + chrono::Duration::days(10);
        let s = if rng.next(7) == 0 { "S" } else { "" };
        let seq = if day >= d("2024-02-01") {
            format!("{:04}", rng.next(10_000))
        } else {
            String::new()
        };
        let number = format!("{prefix}-Model{n}X-{}{s}{seq}", day.format("%Y%m%d"));
        csv.push_str(&format!(
            "{},{region},模型{n},{spelled},{number},{}\n",
            n + 1,
            filed.format("%Y/%-m/%-d")
        ));
    }
    import_csv(&mut reg, "varied.csv", &csv);

    // Facts for some companies: confirmed and unconfirmed cities, districts, spend, algorithm
    // filings; some under the other spelling; some companies with facts and no filing at all.
    let mut named = Vec::new();
    for c in (0..companies).step_by(6).chain(1000..1012) {
        let (name, other) = company(c);
        let city = [
            "杭州", "成都", "广州", "上海", "北京", "漳州", "南京", "Atlantis",
        ][c % 8];
        let unconfirmed = c % 5 == 0;
        let mut u = CompanyFactsUpdate {
            name: if c % 12 == 1 { other } else { name.clone() },
            registered_city: Some(FactInput {
                value: Some(city.to_string()),
                provenance: if unconfirmed {
                    Provenance::Imported
                } else {
                    Provenance::Entered
                },
                confirmed: !unconfirmed,
            }),
            self_developed: (c % 3 != 0).then(|| FactInput::entered(SelfDeveloped::Yes)),
            ..Default::default()
        };
        if c % 2 == 0 {
            let district = ["石景山区", "海珠区", "徐汇区", "西湖区"][c % 4];
            u.registered_district = Some(FactInput::entered(district.to_string()));
        }
        for year in 2023..=2025 {
            if (c + year as usize) % 3 != 0 {
                for kind in [SpendKind::Compute, SpendKind::ModelPurchase] {
                    u.spend.push(SpendFact {
                        year,
                        kind,
                        amount_cny: 1_000_003 * (c as i64 % 40 + 1),
                        provenance: Provenance::Entered,
                        confirmed: year != 2024 || c % 4 != 0,
                    });
                }
            }
        }
        if c % 3 == 0 {
            u.algorithm_filings.push(AlgorithmFiling {
                number: format!("Alg-{c}"),
                filed_on: ["2024-05-01", "2024-07-01", "2025-03-01"][(c / 3) % 3].into(),
                provenance: Provenance::Entered,
                confirmed: c % 9 != 0,
            });
        }
        reg.set_company_facts(u, NOW).unwrap();
        named.push(name);
    }
    (reg, named)
}

fn reference(
    reg: &Registry,
    rule: Option<&str>,
    company: Option<&str>,
    as_of: &str,
) -> serde_json::Value {
    let rules: Vec<Rule> = match rule {
        Some(id) => vec![reg.rule(id).unwrap().rule],
        None => reg
            .list_rules()
            .unwrap()
            .into_iter()
            .filter(|r| r.enabled)
            .map(|r| r.rule)
            .collect(),
    };
    let filings = reg.store().filing_facts().unwrap();
    let companies = reg.store().all_company_facts().unwrap();
    json(&evaluate_rules_reference(
        &rules,
        &filings,
        &companies,
        d(as_of),
        company,
    ))
}

#[test]
fn the_evaluation_matches_the_whole_registry_evaluation() {
    let (mut reg, named) = registry();
    assert!(reg.store().filing_facts().unwrap().len() > 2500);
    // A user's first-N rule ordered by number and accepting unconfirmed facts, and a bundled
    // rule switched off.
    let text = reg.export_rule("chengdu-first-ten").unwrap().text;
    let text = text
        .replace(
            "tie = \"include_all_tied\"",
            "tie = \"by_number\"\naccept_unconfirmed = true",
        )
        .replace(
            "registered_city = \"成都市\"",
            "registered_city = \"杭州市\"",
        )
        .replace("province = \"四川省\"", "province = \"浙江省\"")
        .replace("city = \"成都市\"", "city = \"杭州市\"");
    let text = text.replacen(
        "id = \"chengdu-first-ten\"",
        "id = \"hangzhou-first-ten\"",
        1,
    );
    reg.save_rule("hangzhou-first-ten.toml", &text, NOW, None)
        .unwrap();
    reg.set_rule_enabled("nanjing-model-filing", false, NOW)
        .unwrap();

    let mut compared = 0;
    let mut statuses = std::collections::BTreeSet::new();
    for as_of in ["2023-06-01", "2024-06-30", "2025-01-01", "2026-01-01"] {
        let new = json(&reg.evaluate(None, None, d(as_of)).unwrap());
        assert_eq!(new, reference(&reg, None, None, as_of), "as of {as_of}");
        let results: usize = new["rules"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["results"].as_array().unwrap().len())
            .sum();
        compared += results;
        for o in new["rules"].as_array().unwrap() {
            for r in o["results"].as_array().unwrap() {
                statuses.insert(r["status"].as_str().unwrap().to_string());
            }
        }
        for rule in [
            "nanjing-model-filing",
            "hangzhou-first-ten",
            "chengdu-first-ten",
        ] {
            let new = json(&reg.evaluate(Some(rule), None, d(as_of)).unwrap());
            assert_eq!(
                new,
                reference(&reg, Some(rule), None, as_of),
                "{rule} as of {as_of}"
            );
        }
    }
    assert!(compared > 3000, "{compared} results compared");

    // Totals alone count exactly what the full evaluation counts, with the same notes.
    let totals_of = |r: &EvaluationReport| -> Vec<serde_json::Value> {
        r.rules
            .iter()
            .map(|o| serde_json::json!([o.rule, o.totals, o.notes]))
            .collect()
    };
    for as_of in ["2023-06-01", "2024-06-30", "2025-01-01", "2026-01-01"] {
        for rule in [None, Some("hangzhou-first-ten"), Some("chengdu-first-ten")] {
            let full = reg.evaluate(rule, None, d(as_of)).unwrap();
            let totals = reg.evaluate_totals(rule, d(as_of)).unwrap();
            assert_eq!(
                totals_of(&totals),
                totals_of(&full),
                "{rule:?} as of {as_of}"
            );
            assert_eq!(totals.total_cny, full.total_cny);
            assert!(totals.rules.iter().all(|o| o.results.is_empty()));
        }
    }
    assert_eq!(statuses.len(), 3, "every status occurs: {statuses:?}");

    // The screen's page: the first results of the full evaluation, reasons and all, with the
    // same totals and notes.
    for as_of in ["2023-06-01", "2024-06-30", "2025-01-01", "2026-01-01"] {
        let full = json(&reg.evaluate(None, None, d(as_of)).unwrap());
        for k in [0, 1, 7, 60, 100_000] {
            let first = json(&reg.evaluate_first(None, d(as_of), k).unwrap());
            let mut want = full.clone();
            for o in want["rules"].as_array_mut().unwrap() {
                o["results"].as_array_mut().unwrap().truncate(k);
            }
            assert_eq!(first, want, "first {k} as of {as_of}");
        }
        // As the screen gets it: the same view, with the same count of enterprises left out.
        let lang = crate::export::Language::Zh;
        let view = |r: EvaluationReport| serde_json::to_value(r.render_capped(lang, 7)).unwrap();
        let first = view(reg.evaluate_first(None, d(as_of), 7).unwrap());
        assert_eq!(first, view(reg.evaluate(None, None, d(as_of)).unwrap()));
        assert!(first["rules"][0]["omitted"].as_u64().unwrap() > 0);
    }

    // Pages: each the slice of the full evaluation's results that its filter admits, with the
    // same totals and notes; pages of any size, laid end to end, are every admitted result.
    let mut crossed = 0;
    for as_of in ["2024-06-30", "2026-01-01"] {
        let full = json(&reg.evaluate(None, None, d(as_of)).unwrap());
        for shown in [Shown::Qualifies, Shown::Open, Shown::All] {
            let admitted: Vec<Vec<serde_json::Value>> = full["rules"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| {
                    let results = o["results"].as_array().unwrap().iter();
                    results
                        .filter(|r| {
                            let status = match r["status"].as_str().unwrap() {
                                "qualifies" => Status::Qualifies,
                                "cannot_tell" => Status::CannotTell,
                                _ => Status::DoesNotQualify,
                            };
                            shown.admits(status)
                        })
                        .cloned()
                        .collect()
                })
                .collect();
            for (offset, limit) in [(0, 5), (3, 4), (5, 5), (37, 11), (10_000, 5), (2, 0)] {
                let page = ResultsPage {
                    shown,
                    offset,
                    limit,
                };
                let got = json(&reg.evaluate_page(None, d(as_of), page).unwrap());
                let mut want = full.clone();
                for (o, admitted) in want["rules"]
                    .as_array_mut()
                    .unwrap()
                    .iter_mut()
                    .zip(&admitted)
                {
                    let from = (offset as usize).min(admitted.len());
                    let to = (from + limit as usize).min(admitted.len());
                    o["results"] = serde_json::Value::Array(admitted[from..to].to_vec());
                    let statuses: BTreeSet<&str> = admitted[from..to]
                        .iter()
                        .map(|r| r["status"].as_str().unwrap())
                        .collect();
                    crossed += usize::from(statuses.len() > 1);
                }
                assert_eq!(got, want, "{shown:?} from {offset}, {limit}, as of {as_of}");
            }
            // As the screen gets a page: how many to page through, and where this one starts.
            let page = ResultsPage {
                shown,
                offset: 3,
                limit: 4,
            };
            let view = reg
                .evaluate_page(None, d(as_of), page)
                .unwrap()
                .render_page(crate::export::Language::Zh, page);
            for (o, admitted) in view.rules.iter().zip(&admitted) {
                assert_eq!(o.shown_total as usize, admitted.len(), "{}", o.rule);
                assert_eq!(o.offset, 3.min(admitted.len() as u32));
                assert_eq!(o.omitted as usize + o.results.len(), admitted.len());
            }
        }
    }
    assert!(crossed > 5, "pages across two answers: {crossed}");

    // One company under every rule (and under one rule), by each of its spellings, including
    // companies with facts and no filing.
    let (_, other) = company(1);
    let mut some: Vec<String> = named.iter().step_by(5).cloned().collect();
    some.extend([other, company(2).0, company(1003).0, company(1006).0]);
    for c in &some {
        for as_of in ["2024-06-30", "2025-01-01"] {
            let new = json(&reg.evaluate(None, Some(c), d(as_of)).unwrap());
            assert_eq!(
                new,
                reference(&reg, None, Some(c), as_of),
                "{c} as of {as_of}"
            );
            let new = json(
                &reg.evaluate(Some("hangzhou-first-ten"), Some(c), d(as_of))
                    .unwrap(),
            );
            assert_eq!(
                new,
                reference(&reg, Some("hangzhou-first-ten"), Some(c), as_of),
                "{c} as of {as_of}"
            );
        }
    }
}

/// Every sentence of a report in order, one per line, worded in English.
fn english_transcript(r: &EvaluationReport, out: &mut String) {
    use std::fmt::Write;
    let en = crate::export::Language::En;
    let _ = writeln!(out, "# {} {:?} {}", r.as_of, r.company, r.total_cny);
    for o in &r.rules {
        let _ = writeln!(out, "## {} {:?}", o.rule, o.totals);
        for n in &o.notes {
            let _ = writeln!(out, "note: {}", n.text(en));
        }
        for e in &o.results {
            let _ = writeln!(
                out,
                "- {} {} {:?} {:?}",
                e.enterprise,
                e.status.as_str(),
                e.amount_cny,
                e.amount_unknown_reason.as_ref().map(|w| w.text(en))
            );
            for x in &e.reasons {
                let _ = writeln!(out, "  reason: {}", x.text(en));
            }
            for x in &e.needs {
                let _ = writeln!(out, "  needs: {}", x.text(en));
            }
        }
    }
}

/// The English wording is the contract of `beian subsidies eval` (scripts match its sentences):
/// rendered from codes, every sentence of this registry's evaluations (50,409 lines) must be the
/// one the evaluation printed when it built sentences itself, before reasons became values. The
/// digest was taken from that evaluation; a mismatch writes the transcript out to compare.
/// Changing a bundled rule or this registry changes it legitimately: check the difference
/// against the old wording, then record the new digest.
#[test]
fn english_reasons_are_worded_as_before_they_became_codes() {
    use sha2::{Digest, Sha256};
    let (reg, named) = registry();
    let mut out = String::new();
    for as_of in ["2023-06-01", "2024-06-30", "2025-01-01", "2026-01-01"] {
        english_transcript(&reg.evaluate(None, None, d(as_of)).unwrap(), &mut out);
        for c in named.iter().step_by(7) {
            english_transcript(&reg.evaluate(None, Some(c), d(as_of)).unwrap(), &mut out);
        }
    }
    let digest: String = Sha256::digest(out.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    if digest != "b883322919580874e656571ee6294a62f8d6aa25245dc5df8d0e649df806049f" {
        let path = std::env::temp_dir().join("beian-subsidy-transcript.txt");
        std::fs::write(&path, &out).unwrap();
        panic!(
            "the English wording changed ({} lines); see {}",
            out.lines().count(),
            path.display()
        );
    }
}

#[test]
fn rules_and_facts_changed_after_an_evaluation_are_seen() {
    let (mut reg, named) = registry();
    let as_of = "2025-01-01";
    let check = |reg: &Registry, what: &str| {
        let new = json(&reg.evaluate(None, None, d(as_of)).unwrap());
        assert_eq!(new, reference(reg, None, None, as_of), "{what}");
    };
    let versions = |reg: &Registry| {
        let store = reg.store();
        (
            store.filings_version().unwrap(),
            store.data_version().unwrap(),
        )
    };
    check(&reg, "first");
    let before = versions(&reg);

    // Rules switched, saved and removed: neither version moves (rules are read every time).
    reg.set_rule_enabled("nanjing-model-filing", false, NOW)
        .unwrap();
    let text = reg.export_rule("hangzhou-model-filing").unwrap().text;
    let text = text.replace("500000", "400000");
    assert!(text.contains("400000"));
    reg.save_rule("hangzhou-model-filing.toml", &text, NOW, None)
        .unwrap();
    assert_eq!(versions(&reg), before);
    check(&reg, "rules changed");
    reg.remove_rule("hangzhou-model-filing", NOW).unwrap();
    assert_eq!(versions(&reg), before);
    check(&reg, "override removed");

    // Facts recorded, for a company with filings and for a new one: only the version of
    // everything moves, and the kept filings serve with the new facts.
    for (name, city) in [
        (named[3].as_str(), "成都"),
        (named[10].as_str(), "杭州"),
        ("新星（成都）智能科技有限公司", "成都"),
    ] {
        reg.set_company_facts(
            CompanyFactsUpdate {
                name: name.into(),
                registered_city: Some(FactInput::entered(city.into())),
                self_developed: Some(FactInput::entered(SelfDeveloped::Yes)),
                algorithm_filings: vec![AlgorithmFiling {
                    number: format!("Alg-new-{city}"),
                    filed_on: "2024-09-01".into(),
                    provenance: Provenance::Entered,
                    confirmed: true,
                }],
                ..Default::default()
            },
            NOW,
        )
        .unwrap();
    }
    let after_facts = versions(&reg);
    assert_eq!(
        after_facts.0, before.0,
        "facts do not move the filings' version"
    );
    assert_ne!(after_facts.1, before.1);
    check(&reg, "facts recorded");

    // A filing imported: both move.
    let csv = format!(
        "序号,属地,模型名称,备案单位,备案号,备案时间\n1,四川省,新模型,{},Sichuan-XinMoXing-202409010001,2024/9/12\n",
        named[3]
    );
    import_csv(&mut reg, "one-more.csv", &csv);
    let after_import = versions(&reg);
    assert_ne!(after_import.0, after_facts.0);
    assert_ne!(after_import.1, after_facts.1);
    check(&reg, "filing imported");
}

/// Facts recorded for a company with filings take the filings' spelling (the first by text of
/// its key's): read from the evaluation's kept filings when there are any, else by SQL. Both
/// must give the same name.
#[test]
fn facts_take_the_filings_spelling_with_or_without_kept_inputs() {
    let (mut kept, _) = registry();
    let (mut fresh, _) = registry();
    kept.evaluate(None, None, d("2025-01-01")).unwrap();
    let mut names = Vec::new();
    for c in [1, 5, 9, 13, 3, 2000] {
        let (name, other) = company(c);
        names.push(name);
        names.push(other);
    }
    let mut spelled_otherwise = 0;
    for name in names {
        let u = || CompanyFactsUpdate {
            name: name.clone(),
            registered_city: Some(FactInput::entered("杭州".into())),
            ..Default::default()
        };
        let a = kept.set_company_facts(u(), NOW).unwrap().0.name;
        let b = fresh.set_company_facts(u(), NOW).unwrap().0.name;
        assert_eq!(a, b, "{name}");
        spelled_otherwise += usize::from(a != name);
    }
    // Some names were typed in a spelling the filings do not use first.
    assert!(spelled_otherwise >= 2, "{spelled_otherwise}");
    // Recording facts moved no filing: the kept filings answered throughout.
    assert!(kept.evaluation.is_kept());
}

/// The layout a later process reads holds the varied registry's grouping exactly: spellings of
/// one company, undated filings, filings in every region and none.
#[test]
fn the_varied_registry_reads_back_from_its_layout_as_it_was() {
    let (reg, _) = registry();
    let grouped = Grouped::new(reg.store().filing_facts().unwrap());
    assert!(grouped.len() > 2500);
    assert_eq!(Grouped::read(&grouped.write().unwrap()).unwrap(), grouped);
}
