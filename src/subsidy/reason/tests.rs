//! Every sentence shape words itself in both languages, and the Chinese has no English left in it.

use super::*;
use crate::subsidy::eval::ShareAmount;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

const ENTERED: FactOrigin = FactOrigin {
    provenance: Provenance::Entered,
    confirmed: true,
};
const INFERRED: FactOrigin = FactOrigin {
    provenance: Provenance::InferredFromName,
    confirmed: false,
};

/// Which variant, by an exhaustive match: a new variant fails to compile here until it has a
/// sample below.
fn reason_variant(r: &Reason) -> usize {
    match r {
        Reason::NoFilingsOrFacts => 0,
        Reason::NoFilingInProvince { .. } => 1,
        Reason::FilingsElsewhere { .. } => 2,
        Reason::RegisteredCity { .. } => 3,
        Reason::CityInferredAccepted { .. } => 4,
        Reason::CityMismatch { .. } => 5,
        Reason::RegisteredDistrict { .. } => 6,
        Reason::DistrictMismatch { .. } => 7,
        Reason::SelfDeveloped { .. } => 8,
        Reason::NotSelfDeveloped { .. } => 9,
        Reason::NotChecked { .. } => 10,
        Reason::FilingUnconfirmed { .. } => 11,
        Reason::FilingUndated { .. } => 12,
        Reason::FilingAfterAsOf { .. } => 13,
        Reason::FilingNotFirst { .. } => 14,
        Reason::FilingBeforeWindow { .. } => 15,
        Reason::FilingAfterDeadline { .. } => 16,
        Reason::FilingCounted { .. } => 17,
        Reason::NoFilingCounts { .. } => 18,
        Reason::PaysPerEnterprise { .. } => 19,
        Reason::AmountNotKnown { .. } => 20,
        Reason::PaysPerFiling { .. } => 21,
        Reason::YearCapped { .. } => 22,
        Reason::SpendCounted { .. } => 23,
        Reason::SpendUnconfirmed { .. } => 24,
        Reason::PaidYears { .. } => 25,
        Reason::SpendMissing { .. } => 26,
        Reason::TotalCapped { .. } => 27,
        Reason::RankedOut { .. } => 28,
        Reason::RankUncertain { .. } => 29,
        Reason::RankedIn { .. } => 30,
        Reason::CostShared { .. } => 31,
        Reason::UpToCeiling => 32,
        Reason::Needs { .. } => 33,
    }
}
const REASON_VARIANTS: usize = 34;

fn need_variant(n: &Need) -> usize {
    match n {
        Need::FilingDate { .. } => 0,
        Need::RegisteredCity => 1,
        Need::RegisteredCityConfirmed { .. } => 2,
        Need::RegisteredDistrict => 3,
        Need::RegisteredDistrictConfirmed { .. } => 4,
        Need::SelfDeveloped => 5,
        Need::Spend { .. } => 6,
        Need::EarlierFilersDecided => 7,
    }
}
const NEED_VARIANTS: usize = 8;

fn note_variant(n: &RuleNote) -> usize {
    match n {
        RuleNote::Disabled => 0,
        RuleNote::IssuedAfterAsOf { .. } => 1,
        RuleNote::Confidence { .. } => 2,
        RuleNote::ApplicationWindow { .. } => 3,
        RuleNote::FirstN { .. } => 4,
        RuleNote::TiedBoundary { .. } => 5,
    }
}
const NOTE_VARIANTS: usize = 6;

/// Filing numbers without Latin letters, so that any letter in the Chinese text is a leftover.
const NUM: &str = "浙江-通义千问-20240328";
const NUM2: &str = "浙江-通义万相-20240601";

fn needs() -> Vec<Need> {
    vec![
        Need::FilingDate { number: NUM.into() },
        Need::RegisteredCity,
        Need::RegisteredCityConfirmed {
            city: "杭州市".into(),
            origin: INFERRED,
        },
        Need::RegisteredDistrict,
        Need::RegisteredDistrictConfirmed {
            district: "海珠区".into(),
            origin: FactOrigin {
                provenance: Provenance::Imported,
                confirmed: false,
            },
        },
        Need::SelfDeveloped,
        Need::Spend {
            spend: SpendKind::Compute,
            years: vec![2024, 2025],
        },
        Need::EarlierFilersDecided,
    ]
}

fn reasons() -> Vec<Reason> {
    let mut v = vec![
        Reason::NoFilingsOrFacts,
        Reason::NoFilingInProvince {
            province: "浙江省".into(),
        },
        Reason::FilingsElsewhere {
            regions: vec!["上海市".into(), "北京市".into()],
            province: "浙江省".into(),
        },
        Reason::RegisteredCity {
            city: "杭州市".into(),
            origin: ENTERED,
        },
        Reason::CityInferredAccepted {
            city: "杭州市".into(),
        },
        Reason::CityMismatch {
            city: "宁波市".into(),
            origin: ENTERED,
            want: "杭州市".into(),
        },
        Reason::RegisteredDistrict {
            district: "海珠区".into(),
            origin: ENTERED,
        },
        Reason::DistrictMismatch {
            district: "天河区".into(),
            origin: ENTERED,
            want: "海珠区".into(),
        },
        Reason::SelfDeveloped { origin: ENTERED },
        Reason::NotSelfDeveloped { origin: ENTERED },
        Reason::NotChecked {
            condition: "在海珠区纳税".into(),
        },
        Reason::FilingUnconfirmed {
            kind: FilingKind::Algorithm,
            number: NUM.into(),
        },
        Reason::FilingUndated {
            kind: FilingKind::Registered,
            number: NUM.into(),
        },
        Reason::FilingAfterAsOf {
            kind: FilingKind::Filed,
            number: NUM.into(),
            filed_on: d("2025-02-01"),
            as_of: d("2025-01-01"),
        },
        Reason::FilingNotFirst {
            kind: FilingKind::Filed,
            number: NUM2.into(),
            filed_on: d("2024-06-01"),
            first_number: NUM.into(),
            first_filed_on: d("2024-03-28"),
        },
        Reason::FilingBeforeWindow {
            kind: FilingKind::Filed,
            number: NUM.into(),
            filed_on: d("2023-03-28"),
            from: d("2024-01-01"),
        },
        Reason::FilingAfterDeadline {
            kind: FilingKind::Filed,
            number: NUM.into(),
            filed_on: d("2025-03-28"),
            deadline: d("2024-12-31"),
            completed_by: true,
        },
        Reason::FilingAfterDeadline {
            kind: FilingKind::Filed,
            number: NUM.into(),
            filed_on: d("2025-03-28"),
            deadline: d("2024-12-31"),
            completed_by: false,
        },
        Reason::NoFilingCounts {
            kinds: vec![FilingKind::Filed, FilingKind::Registered],
            as_of: d("2025-01-01"),
        },
        Reason::PaysPerEnterprise {
            amount_cny: 500_000,
            up_to: false,
            counted: 3,
        },
        Reason::AmountNotKnown {
            why: AmountUnknown::NoAmount,
        },
        Reason::AmountNotKnown {
            why: AmountUnknown::RuleSays {
                text: "金额经评审确定".into(),
            },
        },
        Reason::PaysPerFiling {
            number: NUM.into(),
            kind: FilingKind::Filed,
            amount_cny: 1_000_000,
            up_to: true,
        },
        Reason::YearCapped {
            year: 2024,
            sum_cny: 12_000_000,
            cap_cny: 10_000_000,
        },
        Reason::SpendCounted {
            year: 2024,
            spend: SpendKind::Compute,
            spend_cny: 3_000_001,
            origin: ENTERED,
            rate_basis_points: 1250,
            amount_cny: 375_000,
            rounded: true,
            capped_at_cny: Some(300_000),
        },
        Reason::SpendUnconfirmed {
            year: 2024,
            spend: SpendKind::ModelPurchase,
            spend_cny: 2_000_000,
            origin: FactOrigin {
                provenance: Provenance::Imported,
                confirmed: false,
            },
        },
        Reason::PaidYears {
            years: Some(3),
            first_year: 2024,
        },
        Reason::PaidYears {
            years: None,
            first_year: 2024,
        },
        Reason::SpendMissing {
            spend: SpendKind::Compute,
            year: 2025,
        },
        Reason::TotalCapped {
            total_cny: 6_000_000,
            cap_cny: 5_000_000,
        },
        Reason::RankedOut {
            place: 11,
            n: 10,
            number: NUM.into(),
            filed_on: Some(d("2024-03-28")),
            tie: TieRule::IncludeAllTied,
            tied: vec!["成都甲科技有限公司".into()],
        },
        Reason::RankUncertain {
            place: 9,
            place_to: 11,
            n: 10,
            number: NUM.into(),
            filed_on: Some(d("2024-03-28")),
            undecided: vec!["成都乙科技有限公司".into(), "成都丙科技有限公司".into()],
            tied: vec![],
        },
        Reason::RankedIn {
            place: 3,
            n: 10,
            number: NUM.into(),
            filed_on: Some(d("2024-03-28")),
            tie: TieRule::ByNumber,
            tied: vec![],
        },
        Reason::CostShared {
            parts: vec![
                ShareAmount {
                    party: "广州市".into(),
                    amount_cny: 500_000,
                },
                ShareAmount {
                    party: "海珠区".into(),
                    amount_cny: 500_000,
                },
            ],
            text: "市、区1:1分担".into(),
        },
        Reason::UpToCeiling,
    ];
    for window in [
        None,
        Some(Window::CompletedBy {
            to: d("2024-12-31"),
        }),
        Some(Window::Within {
            from: d("2024-01-01"),
            to: d("2024-12-31"),
        }),
        Some(Window::OnOrAfter {
            from: d("2024-01-01"),
        }),
    ] {
        for (filed_on, first_of_kind) in [("2024-03-28", true), ("2025-01-01", false)] {
            v.push(Reason::FilingCounted {
                kind: FilingKind::Filed,
                number: NUM.into(),
                filed_on: d(filed_on),
                as_of: d("2025-01-01"),
                window,
                first_of_kind,
            });
        }
    }
    v.extend(needs().into_iter().map(|need| Reason::Needs { need }));
    v
}

fn notes() -> Vec<RuleNote> {
    let mut v = vec![
        RuleNote::Disabled,
        RuleNote::IssuedAfterAsOf {
            issued_on: d("2025-03-01"),
            as_of: d("2025-01-01"),
        },
        RuleNote::FirstN { n: 10 },
        RuleNote::TiedBoundary {
            qualifying: 11,
            n: 10,
        },
    ];
    for confidence in [Confidence::H, Confidence::M, Confidence::L] {
        v.push(RuleNote::Confidence { confidence });
    }
    for (from, to, state) in [
        (
            Some("2024-01-01"),
            Some("2024-06-30"),
            Some(WindowState::Closed),
        ),
        (Some("2025-06-01"), None, Some(WindowState::NotYetOpen)),
        (None, Some("2025-06-30"), Some(WindowState::Open)),
        (None, None, None),
    ] {
        v.push(RuleNote::ApplicationWindow {
            from: from.map(d),
            to: to.map(d),
            state,
            as_of: d("2025-01-01"),
            note: Some("随网信办公布批次受理".into()),
        });
    }
    v
}

/// The Chinese wording: not empty, and not a Latin letter in it (the parameters above have none,
/// so a letter would be English left in the sentence).
fn assert_chinese(zh: &str, en: &str) {
    assert!(!zh.trim().is_empty(), "empty Chinese for {en:?}");
    assert!(
        !zh.chars().any(|c| c.is_ascii_alphabetic()),
        "English left in the Chinese: {zh:?} (English: {en:?})"
    );
    assert!(
        zh.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "{zh:?}"
    );
    assert_ne!(zh, en);
}

#[test]
fn every_reason_words_itself_in_both_languages() {
    let all = reasons();
    let mut seen = [false; REASON_VARIANTS];
    for r in &all {
        seen[reason_variant(r)] = true;
        let en = r.text(Language::En);
        assert!(!en.trim().is_empty(), "{r:?}");
        assert_chinese(&r.text(Language::Zh), &en);
    }
    assert!(seen.iter().all(|s| *s), "a variant has no sample: {seen:?}");
}

#[test]
fn every_need_and_note_words_itself_in_both_languages() {
    let mut seen = [false; NEED_VARIANTS];
    for n in needs() {
        seen[need_variant(&n)] = true;
        let en = n.text(Language::En);
        assert!(!en.is_empty());
        assert_chinese(&n.text(Language::Zh), &en);
    }
    assert!(seen.iter().all(|s| *s), "{seen:?}");
    let mut seen = [false; NOTE_VARIANTS];
    for n in notes() {
        seen[note_variant(&n)] = true;
        let en = n.text(Language::En);
        assert!(!en.is_empty());
        assert_chinese(&n.text(Language::Zh), &en);
    }
    assert!(seen.iter().all(|s| *s), "{seen:?}");
    assert_chinese(
        &AmountUnknown::NoAmount.text(Language::Zh),
        &AmountUnknown::NoAmount.text(Language::En),
    );
}

#[test]
fn reasons_cross_as_code_and_params() {
    let r = Reason::FilingCounted {
        kind: FilingKind::Filed,
        number: "Zhejiang-TongYiQianWen-20240328".into(),
        filed_on: d("2024-03-28"),
        as_of: d("2025-01-01"),
        window: Some(Window::CompletedBy {
            to: d("2024-12-31"),
        }),
        first_of_kind: false,
    };
    assert_eq!(
        serde_json::to_value(&r).unwrap(),
        serde_json::json!({
            "code": "filing_counted",
            "params": {
                "kind": "filed",
                "number": "Zhejiang-TongYiQianWen-20240328",
                "filed_on": "2024-03-28",
                "as_of": "2025-01-01",
                "window": {"kind": "completed_by", "to": "2024-12-31"},
                "first_of_kind": false
            }
        })
    );
    assert_eq!(
        serde_json::to_value(Reason::UpToCeiling).unwrap(),
        serde_json::json!({"code": "up_to_ceiling"})
    );
    assert_eq!(
        serde_json::to_value(Reason::Needs {
            need: Need::RegisteredDistrict
        })
        .unwrap(),
        serde_json::json!({"code": "needs", "params": {"need": {"code": "registered_district"}}})
    );
}

#[test]
fn chinese_reads_as_a_lawyer_would_write_it() {
    let counted = Reason::FilingCounted {
        kind: FilingKind::Filed,
        number: "Zhejiang-TongYiQianWen-20240328".into(),
        filed_on: d("2024-03-28"),
        as_of: d("2025-01-01"),
        window: None,
        first_of_kind: false,
    };
    assert_eq!(
        counted.text(Language::Zh),
        "已于 2024-03-28 完成备案（Zhejiang-TongYiQianWen-20240328），早于截至日期 2025-01-01"
    );
    assert_eq!(
        counted.text(Language::En),
        "filed: Zhejiang-TongYiQianWen-20240328 on 2024-03-28 (before as-of 2025-01-01)"
    );
    assert_eq!(
        Reason::Needs {
            need: Need::RegisteredDistrict
        }
        .text(Language::Zh),
        "缺少企业信息：注册区县"
    );
    let out = &reasons()
        .into_iter()
        .find(|r| matches!(r, Reason::RankedOut { .. }))
        .unwrap();
    assert!(out.text(Language::Zh).starts_with(
        "按首次备案日期排在第 11 位（浙江-通义千问-20240328，2024-03-28），超出前 10 名"
    ));
    assert_eq!(money(1_000_000, Language::Zh), "1,000,000 元");
    assert_eq!(money(-1_500, Language::En), "-1,500 CNY");
}
