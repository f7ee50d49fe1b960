//! Worked examples, one per shape of rule.

use super::*;
use crate::subsidy::facts::{AlgorithmFiling, SpendFact};
use crate::subsidy::rules::{parse_rule, BUNDLED_RULES};

fn bundled(id: &str) -> Rule {
    edited(id, |t| t)
}

fn edited(id: &str, edit: impl Fn(String) -> String) -> Rule {
    let file = format!("{id}.toml");
    let (_, text) = BUNDLED_RULES
        .iter()
        .find(|(f, _)| *f == file)
        .unwrap_or_else(|| panic!("no bundled {file}"));
    let text = edit(text.to_string());
    parse_rule(&file, &text).unwrap_or_else(|e| panic!("{e:#?}"))
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn filed(number: &str, region: &str, company: &str, on: &str) -> FilingFact {
    FilingFact {
        number: number.into(),
        kind: FilingKind::Filed,
        region: Some(region.into()),
        company: company.into(),
        filed_on: Some(d(on)),
        confirmed: true,
    }
}

fn all_bundled_rules() -> Vec<Rule> {
    BUNDLED_RULES
        .iter()
        .map(|(f, t)| parse_rule(f, t).unwrap())
        .collect()
}

/// `companies` companies named `{city}({i})科技有限公司`, each in the next of `places` in turn,
/// with 1 to `most` filings on days spread by `day_step`.
fn spread_registry(
    places: &[(&str, &str)],
    companies: usize,
    most: usize,
    day_step: usize,
) -> Vec<FilingFact> {
    let mut registry = Vec::new();
    for i in 0..companies {
        let (region, city) = places[i % places.len()];
        let name = format!("{city}({i})科技有限公司");
        for k in 0..1 + i % most {
            let day = format!(
                "2024-{:02}-{:02}",
                1 + (i + k) % 12,
                1 + (day_step * i + k) % 28
            );
            registry.push(filed(&format!("N-{i}-{k}-20240101"), region, &name, &day));
        }
    }
    registry
}

fn entered<T>(value: T) -> Option<Fact<T>> {
    Some(Fact {
        value,
        provenance: Provenance::Entered,
        confirmed: true,
        updated_at: None,
    })
}

fn company(name: &str, city: &str, district: Option<&str>) -> CompanyFacts {
    CompanyFacts {
        registered_city: entered(city.to_string()),
        registered_district: district.and_then(|x| entered(x.to_string())),
        recorded: true,
        ..CompanyFacts::from_name(name)
    }
}

fn spend(year: i32, kind: crate::subsidy::SpendKind, amount: i64) -> SpendFact {
    SpendFact {
        year,
        kind,
        amount_cny: amount,
        provenance: Provenance::Entered,
        confirmed: true,
    }
}

fn one<'a>(o: &'a RuleOutcome, name: &str) -> &'a EnterpriseResult {
    o.results
        .iter()
        .find(|r| r.enterprise == name)
        .unwrap_or_else(|| panic!("{name} not in {:#?}", o.results))
}

/// Whether a reason matches: the tests check codes and parameters, not sentences.
fn has(r: &EnterpriseResult, test: impl Fn(&Reason) -> bool) -> bool {
    r.reasons.iter().any(test)
}

fn entered_origin() -> FactOrigin {
    FactOrigin {
        provenance: Provenance::Entered,
        confirmed: true,
    }
}

const HZ: &str = "杭州某某智能科技有限公司";

#[test]
fn hangzhou_pays_once_for_an_enterprise_with_three_filed_models() {
    let rule = bundled("hangzhou-model-filing");
    let filings = vec![
        filed("Zhejiang-A-20240101", "浙江省", HZ, "2024-01-15"),
        filed("Zhejiang-B-20240301", "浙江省", HZ, "2024-03-15"),
        filed("Zhejiang-C-202405010001", "浙江省", HZ, "2024-05-15"),
    ];
    let facts = vec![CompanyFacts {
        self_developed: entered(SelfDeveloped::Yes),
        ..company(HZ, "杭州市", None)
    }];
    let rep = evaluate_rules(&[rule], &filings, &facts, d("2024-06-30"), None);
    let o = &rep.rules[0];
    let r = one(o, HZ);
    assert_eq!(r.status, Status::Qualifies, "{r:#?}");
    assert_eq!(r.amount_cny, Some(500_000));
    assert_eq!(r.filings.len(), 3);
    assert!(
        has(r, |x| *x
            == Reason::FilingCounted {
                kind: FilingKind::Filed,
                number: "Zhejiang-A-20240101".into(),
                filed_on: d("2024-01-15"),
                as_of: d("2024-06-30"),
                window: None,
                first_of_kind: false,
            }),
        "{r:#?}"
    );
    assert!(has(r, |x| *x
        == Reason::PaysPerEnterprise {
            amount_cny: 500_000,
            up_to: false,
            counted: 3
        }));
    assert!(has(r, |x| *x
        == Reason::RegisteredCity {
            city: "杭州市".into(),
            origin: entered_origin()
        }));
    assert!(has(r, |x| matches!(x, Reason::SelfDeveloped { .. })));
    assert_eq!(o.totals.total_cny, 500_000);
    assert_eq!(o.totals.qualifies, 1);
    assert_eq!(rep.total_cny, 500_000);
}

#[test]
fn a_city_inferred_from_the_name_does_not_decide_unless_the_rule_allows() {
    let filings = vec![filed("Zhejiang-A-20240101", "浙江省", HZ, "2024-01-15")];
    let strict = evaluate_rules(
        &[bundled("hangzhou-model-filing")],
        &filings,
        &[],
        d("2024-06-30"),
        None,
    );
    let r = one(&strict.rules[0], HZ);
    assert_eq!(r.status, Status::CannotTell);
    assert_eq!(r.amount_cny, None);
    let inferred = Need::RegisteredCityConfirmed {
        city: "杭州市".into(),
        origin: FactOrigin {
            provenance: Provenance::InferredFromName,
            confirmed: false,
        },
    };
    assert_eq!(
        r.needs,
        vec![inferred.clone(), Need::SelfDeveloped],
        "{r:#?}"
    );
    assert!(has(r, |x| *x
        == Reason::Needs {
            need: inferred.clone()
        }));
    assert!(has(r, |x| *x
        == Reason::Needs {
            need: Need::SelfDeveloped
        }));

    let lenient = edited("hangzhou-model-filing", |t| {
        t.replace(
            "self_developed_required = true",
            "accept_unconfirmed = true",
        )
    });
    let rep = evaluate_rules(&[lenient], &filings, &[], d("2024-06-30"), None);
    let r = one(&rep.rules[0], HZ);
    assert_eq!(r.status, Status::Qualifies, "{r:#?}");
    assert!(has(r, |x| *x
        == Reason::CityInferredAccepted {
            city: "杭州市".into()
        }));
}

#[test]
fn a_confirmed_city_elsewhere_does_not_qualify() {
    let filings = vec![filed("Zhejiang-A-20240101", "浙江省", HZ, "2024-01-15")];
    let facts = vec![CompanyFacts {
        self_developed: entered(SelfDeveloped::Yes),
        ..company(HZ, "宁波", None)
    }];
    let rep = evaluate_rules(
        &[bundled("hangzhou-model-filing")],
        &filings,
        &facts,
        d("2024-06-30"),
        None,
    );
    let r = one(&rep.rules[0], HZ);
    assert_eq!(r.status, Status::DoesNotQualify);
    assert!(
        has(r, |x| *x
            == Reason::CityMismatch {
                city: "宁波".into(),
                origin: entered_origin(),
                want: "杭州市".into()
            }),
        "{r:#?}"
    );
    assert!(r.needs.is_empty());
}

/// Eleven Chengdu enterprises filing on eleven consecutive days (or, with `tie_last`, the last two
/// on the same day).
fn chengdu(tie_last: bool) -> (Vec<FilingFact>, Vec<CompanyFacts>) {
    let mut filings = Vec::new();
    let mut facts = Vec::new();
    for i in 1..=11u32 {
        let name = format!("成都第{i:02}科技有限公司");
        let day = if tie_last && i == 11 { 10 } else { i };
        // The 11th's number carries an earlier sequence than the 10th's, so by_number puts it first.
        let seq = if i == 11 { 1 } else { 100 + i };
        filings.push(filed(
            &format!("Sichuan-M{i}-202404{day:02}{seq:04}"),
            "四川省",
            &name,
            &format!("2024-05-{day:02}"),
        ));
        facts.push(company(&name, "成都市", None));
    }
    (filings, facts)
}

#[test]
fn chengdu_pays_the_tenth_filer_and_not_the_eleventh() {
    let (filings, facts) = chengdu(false);
    let rep = evaluate_rules(
        &[bundled("chengdu-first-ten")],
        &filings,
        &facts,
        d("2024-12-31"),
        None,
    );
    let o = &rep.rules[0];
    let tenth = one(o, "成都第10科技有限公司");
    assert_eq!(tenth.status, Status::Qualifies, "{tenth:#?}");
    assert_eq!(tenth.amount_cny, Some(1_000_000));
    assert!(has(tenth, |x| matches!(x,
        Reason::RankedIn { place: 10, n: 10, number, filed_on: Some(on), .. }
            if number == "Sichuan-M10-202404100110" && *on == d("2024-05-10"))));
    assert!(has(tenth, |x| matches!(x,
        Reason::NotChecked { condition } if condition.get(Language::Zh).starts_with("性能先进"))));
    let eleventh = one(o, "成都第11科技有限公司");
    assert_eq!(eleventh.status, Status::DoesNotQualify);
    assert_eq!(eleventh.amount_cny, None);
    assert!(
        has(eleventh, |x| matches!(
            x,
            Reason::RankedOut {
                place: 11,
                n: 10,
                ..
            }
        )),
        "{eleventh:#?}"
    );
    assert_eq!(o.totals.qualifies, 10);
    assert_eq!(o.totals.total_cny, 10_000_000);
}

#[test]
fn two_chengdu_filers_on_the_boundary_day_under_both_tie_rules() {
    let (filings, facts) = chengdu(true);
    let all_tied = evaluate_rules(
        &[bundled("chengdu-first-ten")],
        &filings,
        &facts,
        d("2024-12-31"),
        None,
    );
    let o = &all_tied.rules[0];
    assert_eq!(one(o, "成都第10科技有限公司").status, Status::Qualifies);
    let r11 = one(o, "成都第11科技有限公司");
    assert_eq!(r11.status, Status::Qualifies, "{r11:#?}");
    assert!(has(r11, |x| matches!(x,
        Reason::RankedIn { tied, tie: TieRule::IncludeAllTied, .. } if tied == &["成都第10科技有限公司"])));
    assert_eq!(o.totals.qualifies, 11);
    assert_eq!(o.totals.total_cny, 11_000_000);
    assert!(o.notes.contains(&RuleNote::TiedBoundary {
        qualifying: 11,
        n: 10
    }));

    let by_number = edited("chengdu-first-ten", |t| {
        t.replace("tie = \"include_all_tied\"", "tie = \"by_number\"")
    });
    let rep = evaluate_rules(&[by_number], &filings, &facts, d("2024-12-31"), None);
    let o = &rep.rules[0];
    // Same day; the 11th's number holds sequence 0001, the 10th's 0110.
    let r11 = one(o, "成都第11科技有限公司");
    assert_eq!(r11.status, Status::Qualifies, "{r11:#?}");
    let r10 = one(o, "成都第10科技有限公司");
    assert_eq!(r10.status, Status::DoesNotQualify, "{r10:#?}");
    assert!(has(r10, |x| matches!(
        x,
        Reason::RankedOut {
            place: 11,
            tie: TieRule::ByNumber,
            ..
        }
    )));
    assert_eq!(o.totals.qualifies, 10);
}

#[test]
fn an_undecided_earlier_filer_makes_the_boundary_place_uncertain() {
    let (filings, mut facts) = chengdu(false);
    facts.retain(|f| f.name != "成都第03科技有限公司");
    let rep = evaluate_rules(
        &[bundled("chengdu-first-ten")],
        &filings,
        &facts,
        d("2024-12-31"),
        None,
    );
    let o = &rep.rules[0];
    assert_eq!(one(o, "成都第03科技有限公司").status, Status::CannotTell);
    // The 10th is in whatever the 3rd turns out to be: at most nine filed before it.
    assert_eq!(one(o, "成都第10科技有限公司").status, Status::Qualifies);
    // The 11th is 10th if the 3rd is not in Chengdu, 11th if it is.
    let r11 = one(o, "成都第11科技有限公司");
    assert_eq!(r11.status, Status::CannotTell, "{r11:#?}");
    assert!(
        has(r11, |x| matches!(x,
            Reason::RankUncertain { place: 10, place_to: 11, n: 10, undecided, .. }
                if undecided == &["成都第03科技有限公司"])),
        "{r11:#?}"
    );
    assert_eq!(r11.needs, vec![Need::EarlierFilersDecided]);
    assert_eq!(r11.amount_cny, None);
}

const SJS: &str = "北京某某算力科技有限公司";

fn shijingshan(spends: Vec<SpendFact>, as_of: &str) -> EnterpriseResult {
    let filings = vec![filed("Beijing-S-20240301", "北京市", SJS, "2024-03-15")];
    let facts = vec![CompanyFacts {
        spend: spends,
        ..company(SJS, "北京市", Some("石景山区"))
    }];
    let rep = evaluate_rules(
        &[bundled("beijing-shijingshan-compute")],
        &filings,
        &facts,
        d(as_of),
        None,
    );
    one(&rep.rules[0], SJS).clone()
}

#[test]
fn thirty_percent_of_forty_million_is_capped_at_ten_million() {
    use crate::subsidy::SpendKind::Compute;
    let r = shijingshan(vec![spend(2024, Compute, 40_000_000)], "2024-12-31");
    assert_eq!(r.status, Status::Qualifies, "{r:#?}");
    assert_eq!(r.amount_cny, Some(10_000_000));
    assert!(
        has(&r, |x| *x
            == Reason::SpendCounted {
                year: 2024,
                spend: crate::subsidy::SpendKind::Compute,
                spend_cny: 40_000_000,
                origin: entered_origin(),
                rate_basis_points: 3000,
                amount_cny: 12_000_000,
                rounded: false,
                capped_at_cny: Some(10_000_000),
            }),
        "{r:#?}"
    );
}

#[test]
fn a_rate_rounds_down_to_the_yuan_and_stops_after_its_years() {
    use crate::subsidy::SpendKind::Compute;
    let r = shijingshan(
        vec![
            spend(2024, Compute, 40_000_000),
            spend(2025, Compute, 1_000_001),
            spend(2026, Compute, 9_000_000),
        ],
        "2026-12-31",
    );
    // 10,000,000 (2024, capped) + 300,000 (30 % of 1,000,001 = 300,000.3, rounded down); 2026 is
    // the third year and the draft pays two.
    assert_eq!(r.amount_cny, Some(10_300_000), "{r:#?}");
    assert!(has(&r, |x| matches!(
        x,
        Reason::SpendCounted {
            year: 2025,
            amount_cny: 300_000,
            rounded: true,
            capped_at_cny: None,
            ..
        }
    )));
    assert!(
        !has(&r, |x| matches!(x, Reason::SpendCounted { year: 2026, .. })),
        "{r:#?}"
    );
    assert_eq!(apply_rate(1_000_001, 3000), (300_000, true));
    assert_eq!(apply_rate(1_000_000, 3000), (300_000, false));
}

#[test]
fn a_rate_without_the_spend_cannot_tell() {
    let r = shijingshan(vec![], "2024-12-31");
    assert_eq!(r.status, Status::CannotTell);
    let need = Need::Spend {
        spend: crate::subsidy::SpendKind::Compute,
        years: vec![2024],
    };
    assert_eq!(r.needs, vec![need.clone()], "{r:#?}");
    assert!(has(&r, |x| *x == Reason::Needs { need: need.clone() }));
}

#[test]
fn zhangzhou_caps_the_whole_award() {
    use crate::subsidy::SpendKind::ModelPurchase;
    let name = "漳州某某科技有限公司";
    let filings = vec![filed("Fujian-Z-20240301", "福建省", name, "2024-03-15")];
    let facts = vec![CompanyFacts {
        spend: vec![
            spend(2024, ModelPurchase, 5_000_000),
            spend(2025, ModelPurchase, 5_000_000),
        ],
        ..company(name, "漳州市", None)
    }];
    let rep = evaluate_rules(
        &[bundled("zhangzhou-model-purchase")],
        &filings,
        &facts,
        d("2025-12-31"),
        None,
    );
    let r = one(&rep.rules[0], name);
    assert_eq!(r.amount_cny, Some(2_000_000), "{r:#?}");
    assert!(has(r, |x| *x
        == Reason::TotalCapped {
            total_cny: 3_000_000,
            cap_cny: 2_000_000
        }));
}

const HAIZHU: &str = "广州某某海珠科技有限公司";

#[test]
fn haizhu_pays_the_first_filing_of_each_kind_and_shares_the_cost() {
    let filings = vec![
        filed("Guangdong-H1-20240620", "广东省", HAIZHU, "2024-07-01"),
        filed("Guangdong-H2-20240820", "广东省", HAIZHU, "2024-09-01"),
    ];
    let facts = vec![CompanyFacts {
        algorithm_filings: vec![AlgorithmFiling {
            number: "网信算备440105000000101240011号".into(),
            filed_on: "2024-08-01".into(),
            provenance: Provenance::Entered,
            confirmed: true,
        }],
        ..company(HAIZHU, "广州市", Some("海珠"))
    }];
    let rep = evaluate_rules(
        &[bundled("guangzhou-haizhu-first-filing")],
        &filings,
        &facts,
        d("2024-12-31"),
        None,
    );
    let r = one(&rep.rules[0], HAIZHU);
    assert_eq!(r.status, Status::Qualifies, "{r:#?}");
    assert_eq!(r.amount_cny, Some(1_200_000));
    assert!(
        has(r, |x| *x
            == Reason::FilingNotFirst {
                kind: FilingKind::Filed,
                number: "Guangdong-H2-20240820".into(),
                filed_on: d("2024-09-01"),
                first_number: "Guangdong-H1-20240620".into(),
                first_filed_on: d("2024-07-01"),
            }),
        "{r:#?}"
    );
    assert!(has(r, |x| matches!(
        x,
        Reason::FilingCounted {
            kind: FilingKind::Algorithm,
            first_of_kind: true,
            ..
        }
    )));
    assert_eq!(
        r.cost_split,
        vec![
            ShareAmount {
                party: "广州市".into(),
                amount_cny: 600_000
            },
            ShareAmount {
                party: "海珠区".into(),
                amount_cny: 600_000
            },
        ]
    );
    assert!(has(r, |x| *x == Reason::UpToCeiling));
}

#[test]
fn haizhu_does_not_pay_when_the_first_filing_predates_the_policy() {
    let filings = vec![
        filed("Guangdong-H1-20231220", "广东省", HAIZHU, "2024-01-10"),
        filed("Guangdong-H2-20240820", "广东省", HAIZHU, "2024-09-01"),
    ];
    let facts = vec![company(HAIZHU, "广州市", Some("海珠区"))];
    let rep = evaluate_rules(
        &[bundled("guangzhou-haizhu-first-filing")],
        &filings,
        &facts,
        d("2024-12-31"),
        None,
    );
    let r = one(&rep.rules[0], HAIZHU);
    assert_eq!(r.status, Status::DoesNotQualify, "{r:#?}");
    assert!(has(r, |x| matches!(x,
        Reason::FilingBeforeWindow { from, .. } if *from == d("2024-06-18"))));
    assert!(matches!(&r.reasons[0],
        Reason::NoFilingCounts { kinds, .. } if kinds == &[FilingKind::Filed, FilingKind::Algorithm]));
}

#[test]
fn a_rule_cannot_decide_without_the_district() {
    let filings = vec![filed(
        "Guangdong-H1-20240620",
        "广东省",
        HAIZHU,
        "2024-07-01",
    )];
    let facts = vec![company(HAIZHU, "广州市", None)];
    let rep = evaluate_rules(
        &[bundled("guangzhou-haizhu-first-filing")],
        &filings,
        &facts,
        d("2024-12-31"),
        None,
    );
    let r = one(&rep.rules[0], HAIZHU);
    assert_eq!(r.status, Status::CannotTell);
    assert_eq!(r.amount_cny, None);
    assert_eq!(r.needs, vec![Need::RegisteredDistrict]);
    assert!(has(r, |x| *x
        == Reason::Needs {
            need: Need::RegisteredDistrict
        }));
    assert_eq!(rep.rules[0].totals.cannot_tell, 1);
    assert_eq!(rep.rules[0].totals.total_cny, 0);
}

#[test]
fn a_yearly_cap_limits_per_filing_sums_within_each_year() {
    let rule = edited("guangzhou-haizhu-first-filing", |t| {
        t.replace("first_filing_only = true\n", "").replace(
            "amount_by_kind = { filed = 1000000, algorithm = 200000 }",
            "amount_by_kind = { filed = 5000000, algorithm = 200000 }",
        )
    });
    let filings = vec![
        filed("Guangdong-A-20240620", "广东省", HAIZHU, "2024-07-01"),
        filed("Guangdong-B-20240720", "广东省", HAIZHU, "2024-08-01"),
        filed("Guangdong-C-20240820", "广东省", HAIZHU, "2024-09-01"),
        filed("Guangdong-D-20250120", "广东省", HAIZHU, "2025-02-01"),
    ];
    let facts = vec![company(HAIZHU, "广州市", Some("海珠区"))];
    let rep = evaluate_rules(&[rule], &filings, &facts, d("2025-12-31"), None);
    let r = one(&rep.rules[0], HAIZHU);
    assert_eq!(r.amount_cny, Some(15_000_000), "{r:#?}");
    assert!(has(r, |x| *x
        == Reason::YearCapped {
            year: 2024,
            sum_cny: 15_000_000,
            cap_cny: 10_000_000
        }));
}

const XUHUI: &str = "上海某某徐汇科技有限公司";

#[test]
fn xuhui_qualifies_by_the_deadline_with_the_amount_set_on_review() {
    let mut reg = filed("Shanghai-X-20241201S0001", "上海市", XUHUI, "2024-12-20");
    reg.kind = FilingKind::Registered;
    let late = "上海迟到科技有限公司";
    let filings = vec![
        reg,
        filed("Shanghai-Y-20241225", "上海市", late, "2025-01-05"),
    ];
    let facts = vec![
        company(XUHUI, "上海市", Some("徐汇区")),
        company(late, "上海", Some("徐汇区")),
    ];
    let rep = evaluate_rules(
        &[bundled("shanghai-xuhui-filing-2024")],
        &filings,
        &facts,
        d("2025-01-10"),
        None,
    );
    let o = &rep.rules[0];
    let r = one(o, XUHUI);
    assert_eq!(r.status, Status::Qualifies, "{r:#?}");
    assert_eq!(r.amount_cny, None);
    assert_eq!(
        r.amount_unknown_reason,
        Some(AmountUnknown::RuleSays {
            text: crate::subsidy::LocalText::Pair {
                zh: "金额经评审确定".into(),
                en: "the amount is set on review (金额经评审确定)".into()
            }
        })
    );
    assert!(
        has(r, |x| *x
            == Reason::FilingCounted {
                kind: FilingKind::Registered,
                number: "Shanghai-X-20241201S0001".into(),
                filed_on: d("2024-12-20"),
                as_of: d("2025-01-10"),
                window: Some(Window::CompletedBy {
                    to: d("2024-12-31")
                }),
                first_of_kind: false,
            }),
        "{r:#?}"
    );
    let l = one(o, late);
    assert_eq!(l.status, Status::DoesNotQualify);
    assert!(
        has(l, |x| matches!(x,
            Reason::FilingAfterDeadline { deadline, completed_by: true, .. } if *deadline == d("2024-12-31"))),
        "{l:#?}"
    );
    assert_eq!(o.totals.qualifies, 1);
    assert_eq!(o.totals.qualifies_amount_unknown, 1);
    assert_eq!(o.totals.total_cny, 0);
    assert!(
        o.notes.contains(&RuleNote::ApplicationWindow {
            from: Some(d("2025-01-08")),
            to: Some(d("2025-01-24")),
            state: Some(WindowState::Open),
            as_of: d("2025-01-10"),
            note: None,
        }),
        "{:?}",
        o.notes
    );
}

#[test]
fn filings_after_the_as_of_date_do_not_count() {
    let filings = vec![filed("Zhejiang-A-20240101", "浙江省", HZ, "2024-07-15")];
    let facts = vec![CompanyFacts {
        self_developed: entered(SelfDeveloped::Yes),
        ..company(HZ, "杭州市", None)
    }];
    let rep = evaluate_rules(
        &[bundled("hangzhou-model-filing")],
        &filings,
        &facts,
        d("2024-06-30"),
        None,
    );
    let r = one(&rep.rules[0], HZ);
    assert_eq!(r.status, Status::DoesNotQualify);
    assert!(has(r, |x| matches!(x,
        Reason::FilingAfterAsOf { as_of, .. } if *as_of == d("2024-06-30"))));
}

#[test]
fn one_company_sees_every_rule_and_out_of_scope_ones_say_why() {
    let rules: Vec<Rule> = crate::subsidy::rules::bundled_rules()
        .unwrap()
        .into_iter()
        .map(|(_, r)| r)
        .collect();
    let other = "北京别家科技有限公司";
    let filings = vec![
        filed("Zhejiang-A-20240101", "浙江省", HZ, "2024-01-15"),
        filed("Beijing-B-20240101", "北京市", other, "2024-01-15"),
    ];
    let facts = vec![CompanyFacts {
        self_developed: entered(SelfDeveloped::Yes),
        ..company(HZ, "杭州市", None)
    }];
    let rep = evaluate_rules(&rules, &filings, &facts, d("2024-06-30"), Some(HZ));
    assert_eq!(rep.rules.len(), rules.len());
    for o in &rep.rules {
        assert_eq!(o.results.len(), 1, "{}", o.rule);
        assert_eq!(o.results[0].enterprise, HZ);
    }
    let by = |id: &str| &rep.rules.iter().find(|o| o.rule == id).unwrap().results[0];
    assert_eq!(by("hangzhou-model-filing").status, Status::Qualifies);
    assert_eq!(by("hangzhou-compute-vouchers").status, Status::CannotTell);
    let cd = by("chengdu-first-ten");
    assert_eq!(cd.status, Status::DoesNotQualify);
    assert!(
        has(cd, |x| matches!(x,
            Reason::FilingsElsewhere { regions, province } if regions == &["浙江省"] && province == "四川省")),
        "{cd:#?}"
    );
    assert_eq!(rep.total_cny, 500_000);
}

#[test]
fn cost_splits_add_up_and_give_the_odd_yuan_to_the_first_party() {
    let s = split_cost(1_000_001, &[("市".into(), 1), ("区".into(), 1)]);
    assert_eq!(s[0].amount_cny, 500_001);
    assert_eq!(s[1].amount_cny, 500_000);
    let s = split_cost(100, &[("a".into(), 1), ("b".into(), 2)]);
    assert_eq!(s.iter().map(|p| p.amount_cny).sum::<i64>(), 100);
    assert_eq!(yuan(10_000_000), "10,000,000 CNY");
    assert_eq!(yuan(500), "500 CNY");
}

/// The rule files' own words that reach the results, by field.
fn local_texts(r: &Rule) -> Vec<(&'static str, &crate::subsidy::LocalText)> {
    let mut out: Vec<_> = r
        .eligibility
        .unchecked
        .iter()
        .map(|u| ("eligibility.unchecked", u))
        .collect();
    out.extend(
        r.award
            .amount_unknown_reason
            .iter()
            .map(|t| ("award.amount_unknown_reason", t)),
    );
    out.extend(
        r.cost_sharing
            .iter()
            .map(|c| ("cost_sharing.text", &c.text)),
    );
    out.extend(
        r.application_windows
            .iter()
            .filter_map(|w| w.note.as_ref())
            .map(|n| ("application_windows.note", n)),
    );
    out
}

#[test]
fn the_bundled_rules_give_their_own_words_in_chinese_too() {
    let rules = crate::subsidy::rules::bundled_rules().unwrap();
    let mut fields = 0;
    for (_, r) in &rules {
        for (field, t) in local_texts(r) {
            fields += 1;
            let (zh, en) = (t.get(Language::Zh), t.get(Language::En));
            assert!(
                !zh.chars().any(|c| c.is_ascii_alphabetic()),
                "{}: {field}: English in the Chinese text {zh:?}",
                r.id
            );
            assert_ne!(
                zh, en,
                "{}: {field}: give a Chinese and an English text",
                r.id
            );
        }
    }
    assert!(fields >= 5, "the bundled rules carry these texts: {fields}");

    // And as evaluated: Haizhu's unchecked condition, cost sharing and window note, Xuhui's amount
    // set on review, worded in Chinese with nothing Latin left but the filing numbers.
    let numbers = ["Guangdong-H1-20240620", "Shanghai-X-20241201S0001"];
    let mut xuhui_reg = filed(numbers[1], "上海市", XUHUI, "2024-12-20");
    xuhui_reg.kind = FilingKind::Registered;
    let filings = vec![filed(numbers[0], "广东省", HAIZHU, "2024-07-01"), xuhui_reg];
    let facts = vec![
        company(HAIZHU, "广州市", Some("海珠区")),
        company(XUHUI, "上海市", Some("徐汇区")),
    ];
    let picked: Vec<Rule> = [
        "guangzhou-haizhu-first-filing",
        "shanghai-xuhui-filing-2024",
    ]
    .into_iter()
    .map(bundled)
    .collect();
    let rep = evaluate_rules(&picked, &filings, &facts, d("2025-01-10"), None);
    let mut zh = Vec::new();
    for o in &rep.rules {
        zh.extend(o.notes.iter().map(|n| n.text(Language::Zh)));
        for r in &o.results {
            assert_eq!(r.status, Status::Qualifies, "{r:#?}");
            zh.extend(r.reasons.iter().map(|x| x.text(Language::Zh)));
            zh.extend(r.amount_unknown_reason.iter().map(|w| w.text(Language::Zh)));
        }
    }
    let all = zh.join("\n");
    for want in [
        "未核查：在海珠区纳税",
        "（市、区1:1分担）",
        "（申报期随网信办备案批次公布，具体日期未记录）",
        "金额未定：金额经评审确定",
    ] {
        assert!(all.contains(want), "{want} not in\n{all}");
    }
    for line in &zh {
        let bare = numbers.iter().fold(line.clone(), |s, n| s.replace(n, ""));
        assert!(
            !bare.chars().any(|c| c.is_ascii_alphabetic()),
            "English in the Chinese: {line}"
        );
    }
}

#[test]
fn filings_are_read_in_the_order_a_stable_sort_gives() {
    let name = "杭州排序科技有限公司";
    let mut registry = vec![
        filed("Zhejiang-B-20240105", "浙江省", name, "2024-01-15"),
        filed("Zhejiang-A-20240105", "浙江省", name, "2024-01-15"),
        filed("Zhejiang-C-202401050002", "浙江省", name, "2024-01-15"),
        filed("Zhejiang-C-202401050001", "浙江省", name, "2024-01-15"),
        filed("Zhejiang-Early-20230801", "浙江省", name, "2023-08-11"),
        filed("Zhejiang-Z-20250101", "浙江省", name, "2025-01-10"),
    ];
    registry.push(FilingFact {
        filed_on: None,
        ..filed("Zhejiang-Undated-20240101", "浙江省", name, "2024-01-01")
    });
    let algorithm = |number: &str, on: &str| AlgorithmFiling {
        number: number.into(),
        filed_on: on.into(),
        provenance: Provenance::Entered,
        confirmed: true,
    };
    let mut c = company(name, "杭州市", None);
    c.algorithm_filings = vec![
        // Ties with a registry filing on every key: a stable sort keeps it first.
        algorithm("Zhejiang-A-20240105", "2024-01-15"),
        algorithm("网信算备330100000000001240015", "2024-01-15"),
        algorithm("网信算备330100000000002230011", "2023-08-11"),
        algorithm("undated", "not a date"),
        algorithm("Zhejiang-Z-20250101", "2025-01-10"),
    ];
    let companies = vec![c];
    let mut expected: Vec<FilingFact> = companies[0]
        .algorithm_filings
        .iter()
        .map(|a| algorithm_fact(a, name))
        .chain(registry.iter().cloned())
        .collect();
    expected.sort_by(filing_order);
    let all = Enterprises::gather(&registry, &companies);
    let e = all.get(&company_key(name)).unwrap();
    let got: Vec<(&str, FilingKind)> = e
        .filings_in_order()
        .map(|f| (f.number.as_str(), f.kind))
        .collect();
    let want: Vec<(&str, FilingKind)> = expected
        .iter()
        .map(|f| (f.number.as_str(), f.kind))
        .collect();
    assert_eq!(got, want);
    assert_eq!(
        got[0].0, "undated",
        "undated filings sort first (None < Some)"
    );
}

#[test]
fn the_first_results_follow_the_names_not_the_company_keys() {
    // A company key folds ASCII case and a name does not: "a…" comes first by key, "B…" by
    // name, and the report orders by name.
    let names = [
        "c杭州智能科技有限公司",
        "a杭州智能科技有限公司",
        "B杭州智能科技有限公司",
    ];
    let registry: Vec<FilingFact> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            filed(
                &format!("Zhejiang-M{i}-20240105"),
                "浙江省",
                n,
                "2024-01-15",
            )
        })
        .collect();
    let all = Enterprises::gather(&registry, &[]);
    let rules = [bundled("hangzhou-model-filing")];
    let listed = |r: &EvaluationReport| -> Vec<String> {
        r.rules[0]
            .results
            .iter()
            .map(|x| x.enterprise.clone())
            .collect()
    };
    let full = all.evaluate(&rules, d("2024-06-30"), None);
    assert!(full.rules[0]
        .results
        .iter()
        .all(|r| r.status == Status::CannotTell));
    assert_eq!(
        listed(&full),
        [
            "B杭州智能科技有限公司",
            "a杭州智能科技有限公司",
            "c杭州智能科技有限公司"
        ]
    );
    for k in 1..=3 {
        let first = all.evaluate_first(&rules, d("2024-06-30"), k);
        assert_eq!(listed(&first), listed(&full)[..k], "first {k}");
    }
}

#[test]
fn companies_replaced_in_place_answer_as_a_fresh_gathering() {
    let rules = all_bundled_rules();
    let places = [
        ("浙江省", "杭州"),
        ("四川省", "成都"),
        ("北京市", "北京"),
        ("上海市", "上海"),
    ];
    let registry = spread_registry(&places, 40, 3, 7);
    let name = |i: usize| {
        let (_, city) = places[i % places.len()];
        format!("{city}({i})科技有限公司")
    };
    let a = vec![
        company(&name(0), "杭州", None),
        company(&name(5), "成都", None),
    ];
    let mut e = Enterprises::gather(&registry, &a);
    let as_of = d("2025-06-30");
    let json = |r: &EvaluationReport| serde_json::to_string(r).unwrap();
    // The first difference, not two whole reports.
    let same = |a: String, b: String, what: &str| {
        if a != b {
            let at = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
            let from = a.floor_char_boundary(at.saturating_sub(150));
            panic!(
                "{what}: in place …{}… fresh …{}…",
                &a[from..a.floor_char_boundary(at + 150)],
                &b[from..b.floor_char_boundary(at + 150)]
            );
        }
    };

    // A city changed and spend recorded.
    let mut b = a.clone();
    b[0].registered_city = entered("成都市".into());
    b[0].spend
        .push(spend(2024, crate::subsidy::SpendKind::Compute, 4_000_000));
    // A company with filings recorded under a spelling of its own (same key, other brackets).
    b.push(company(
        &name(6).replace('(', "（").replace(')', "）"),
        "杭州",
        None,
    ));
    // A company with no filing, first of all by key, with an algorithm filing in Chengdu.
    let mut new = company("0新公司", "成都", None);
    new.algorithm_filings.push(AlgorithmFiling {
        number: "网信算备510100000000001".into(),
        filed_on: "2024-01-02".into(),
        provenance: Provenance::Entered,
        confirmed: true,
    });
    b.push(new);
    // Two records of one key: the later is the one that counts.
    b.push(company(&name(9), "北京", None));
    b.push(company(&name(9), "上海", None));
    for (k, step) in [&a, &b[..3], &b[..4], &b[..]].into_iter().enumerate() {
        assert!(e.replace_companies(step));
        let fresh = Enterprises::gather(&registry, step);
        assert_eq!(e.list_for_tests(), fresh.list_for_tests(), "step {k}");
        same(
            json(&e.evaluate(&rules, as_of, None)),
            json(&fresh.evaluate(&rules, as_of, None)),
            &format!("step {k}, every result"),
        );
        same(
            json(&e.evaluate_first(&rules, as_of, 3)),
            json(&fresh.evaluate_first(&rules, as_of, 3)),
            &format!("step {k}, the first 3"),
        );
        let focus = name(6);
        same(
            json(&e.evaluate(&rules, as_of, Some(&focus))),
            json(&fresh.evaluate(&rules, as_of, Some(&focus))),
            &format!("step {k}, one company"),
        );
    }
    // A recorded company left out: not replaced in place.
    assert!(!e.replace_companies(&a[1..]));
}

#[test]
fn rules_shared_out_among_threads_come_back_in_order() {
    let rules = all_bundled_rules();
    let ids = each_on_threads(&rules, usize::MAX, |r| r.id.clone());
    let expected: Vec<String> = rules.iter().map(|r| r.id.clone()).collect();
    assert_eq!(ids, expected);
}

#[test]
fn a_registry_large_enough_to_share_the_rules_out_answers_as_rule_by_rule() {
    let rules = all_bundled_rules();
    let places = [
        ("浙江省", "杭州"),
        ("四川省", "成都"),
        ("北京市", "北京石景山"),
        ("上海市", "上海徐汇"),
        ("广东省", "广州海珠"),
        ("江苏省", "南京"),
        ("福建省", "漳州"),
    ];
    // More enterprises than `each_on_threads` shares rules out from.
    let registry = spread_registry(&places, 21_000, 2, 7);
    // Some recorded in each place, with what the rules ask: enough to qualify for some.
    let cities = [
        ("杭州市", None),
        ("成都市", Some("高新区")),
        ("北京市", Some("石景山区")),
        ("上海市", Some("徐汇区")),
        ("广州市", Some("海珠区")),
        ("南京市", None),
        ("漳州市", None),
    ];
    let recorded: Vec<CompanyFacts> = (0..140)
        .map(|i| {
            let (_, city) = places[i % places.len()];
            let (recorded_city, district) = cities[i % cities.len()];
            CompanyFacts {
                self_developed: entered(SelfDeveloped::Yes),
                ..company(&format!("{city}({i})科技有限公司"), recorded_city, district)
            }
        })
        .collect();
    let e = Enterprises::gather(&registry, &recorded);
    assert!(e.len() >= 20_000);
    let as_of = d("2024-12-31");
    let json = |r: &EvaluationReport| serde_json::to_value(r).unwrap();
    let one_by_one = |run: &dyn Fn(&[Rule]) -> EvaluationReport| {
        let mut whole = run(&rules[..0]);
        for r in &rules {
            let one = run(std::slice::from_ref(r));
            whole.total_cny += one.total_cny;
            whole.rules.extend(one.rules);
        }
        json(&whole)
    };
    assert_eq!(
        json(&e.totals(&rules, as_of)),
        one_by_one(&|r| e.totals(r, as_of))
    );
    assert_eq!(
        json(&e.evaluate_first(&rules, as_of, 5)),
        one_by_one(&|r| e.evaluate_first(r, as_of, 5))
    );
    // Not a comparison of empty answers: every rule has enterprises in scope to decide on.
    let report = e.evaluate_first(&rules, as_of, 5);
    for r in &report.rules {
        let t = &r.totals;
        assert!(
            t.qualifies + t.cannot_tell + t.does_not_qualify > 0,
            "{}",
            r.rule
        );
    }
    assert!(report.rules.iter().any(|r| r.totals.qualifies > 0));
}

#[test]
fn recorded_companies_placed_among_runs_in_key_order_answer_as_a_sorted_gathering() {
    use crate::subsidy::snapshot::{Grouped, Inputs, Snapshot};
    let rules = all_bundled_rules();
    let places = [("浙江省", "杭州"), ("四川省", "成都"), ("北京市", "北京")];
    let registry = spread_registry(&places, 60, 3, 5);
    let mut companies = [
        // Before every key, between keys, on a key with filings (spelt otherwise), after
        // every key, and one key recorded twice (the later counts); the last on a key with
        // filings before the split into two parts, so that the first part gathers fewer
        // enterprises than it had room for.
        company("0新公司", "成都", None),
        company("北京(1)科技有限公司x", "北京", None),
        company("成都（7）科技有限公司", "成都", Some("高新区")),
        company("龥最后公司", "杭州", None),
        company("杭州(9)科技有限公司", "北京", None),
        company("杭州(9)科技有限公司", "杭州", None),
        company("北京（2）科技有限公司", "杭州", None),
    ];
    companies[0].algorithm_filings.push(AlgorithmFiling {
        number: "网信算备510100000000001".into(),
        filed_on: "2024-01-02".into(),
        provenance: Provenance::Entered,
        confirmed: true,
    });
    let json = |r: &EvaluationReport| serde_json::to_value(r).unwrap();
    for recorded in [
        &companies[..0],
        &companies[..1],
        &companies[3..],
        &companies[..],
    ] {
        let sorted = Enterprises::gather(&registry, recorded);
        let snapshot = Snapshot::build(Inputs {
            filings: std::sync::Arc::new(Grouped::new(registry.clone())),
            companies: recorded.to_vec(),
        });
        let as_of = d("2025-06-30");
        let expected = (
            sorted.list_for_tests(),
            json(&sorted.evaluate(&rules, as_of, None)),
            json(&sorted.evaluate_first(&rules, as_of, 4)),
        );
        let answers = |e: &Enterprises| {
            (
                e.list_for_tests(),
                json(&e.evaluate(&rules, as_of, None)),
                json(&e.evaluate_first(&rules, as_of, 4)),
            )
        };
        assert_eq!(answers(snapshot.enterprises()), expected);
        // The same gathered in two parts on two threads, as from `PARTS_FROM` runs on.
        let grouped = Grouped::new(registry.clone());
        assert_eq!(
            answers(&grouped.gather_in_parts(recorded, 1)),
            expected,
            "in two parts"
        );
    }
}

#[test]
fn runs_split_between_two_keys_near_half_the_filings() {
    let runs = |keys: &[(&str, usize)]| -> Vec<Run> {
        keys.iter().map(|(k, n)| ((*k).into(), *n)).collect()
    };
    assert_eq!(
        split_between_keys(&runs(&[("a", 1), ("b", 1), ("c", 1), ("d", 1)])),
        Some(2)
    );
    // A key's runs stay together: the split moves past them, or before them.
    assert_eq!(
        split_between_keys(&runs(&[("a", 1), ("b", 1), ("b", 1), ("c", 1)])),
        Some(3)
    );
    assert_eq!(
        split_between_keys(&runs(&[("a", 1), ("b", 5), ("b", 1)])),
        Some(1)
    );
    assert_eq!(split_between_keys(&runs(&[("a", 3), ("a", 1)])), None);
    assert_eq!(split_between_keys(&runs(&[("a", 1)])), None);
}

#[test]
fn a_province_set_holds_indexes_past_its_bits_once_each() {
    let mut set = ProvinceSet::default();
    for id in [3, 70, 0, 70, 130, 63, 3] {
        set.insert(id);
    }
    assert_eq!(set.ids().collect::<Vec<_>>(), [0, 3, 63, 70, 130]);
    assert!([0, 3, 63, 70, 130].iter().all(|&id| set.contains(id)));
    assert!(![1, 64, 71, 129].iter().any(|&id| set.contains(id)));
    assert!(ProvinceSet::default().ids().next().is_none());
}
