//! Why an evaluation answered as it did, as values rather than sentences: each variant is one
//! shape of sentence with its parameters (filing numbers, dates, amounts in yuan, fact names).
//! They cross IPC and JSON as `{code, params}`; [`Reason::text`] and its siblings word them in
//! Chinese or English when someone reads them, so an evaluation formats nothing it is not asked
//! to show. The English wording is the one `beian subsidies eval` has always printed: scripts
//! that match its sentences keep working.

use super::facts::{Provenance, SpendKind};
use super::local_text::LocalText;
use super::rules::{Confidence, FilingKind, TieRule};
use crate::export::Language;
use chrono::NaiveDate;
use serde::Serialize;
use ts_rs::TS;

/// Where a fact came from and whether a person confirmed it: what makes it count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct FactOrigin {
    pub provenance: Provenance,
    pub confirmed: bool,
}

/// The bound of a rule's filing window that a counted filing was checked against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum Window {
    CompletedBy {
        #[ts(type = "string")]
        to: NaiveDate,
    },
    Within {
        #[ts(type = "string")]
        from: NaiveDate,
        #[ts(type = "string")]
        to: NaiveDate,
    },
    OnOrAfter {
        #[ts(type = "string")]
        from: NaiveDate,
    },
}

/// Whether an application window is open on the as-of date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum WindowState {
    Open,
    Closed,
    NotYetOpen,
}

/// One reason an enterprise does, does not, or may qualify under a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "code", content = "params", rename_all = "snake_case")]
#[ts(export)]
pub enum Reason {
    /// Asked about one company the registry does not know.
    NoFilingsOrFacts,
    /// Out of scope: no filing in the rule's province and no registered city anywhere.
    NoFilingInProvince {
        province: String,
    },
    /// Out of scope: filed elsewhere.
    FilingsElsewhere {
        regions: Vec<String>,
        province: String,
    },
    RegisteredCity {
        city: String,
        origin: FactOrigin,
    },
    /// The rule accepts a city inferred from the name and nobody confirmed it.
    CityInferredAccepted {
        city: String,
    },
    CityMismatch {
        city: String,
        origin: FactOrigin,
        want: String,
    },
    RegisteredDistrict {
        district: String,
        origin: FactOrigin,
    },
    DistrictMismatch {
        district: String,
        origin: FactOrigin,
        want: String,
    },
    SelfDeveloped {
        origin: FactOrigin,
    },
    NotSelfDeveloped {
        origin: FactOrigin,
    },
    /// A condition of the policy that Beian records no fact for.
    NotChecked {
        condition: LocalText,
    },
    FilingUnconfirmed {
        kind: FilingKind,
        number: String,
    },
    FilingUndated {
        kind: FilingKind,
        number: String,
    },
    FilingAfterAsOf {
        kind: FilingKind,
        number: String,
        #[ts(type = "string")]
        filed_on: NaiveDate,
        #[ts(type = "string")]
        as_of: NaiveDate,
    },
    FilingNotFirst {
        kind: FilingKind,
        number: String,
        #[ts(type = "string")]
        filed_on: NaiveDate,
        first_number: String,
        #[ts(type = "string")]
        first_filed_on: NaiveDate,
    },
    FilingBeforeWindow {
        kind: FilingKind,
        number: String,
        #[ts(type = "string")]
        filed_on: NaiveDate,
        #[ts(type = "string")]
        from: NaiveDate,
    },
    FilingAfterDeadline {
        kind: FilingKind,
        number: String,
        #[ts(type = "string")]
        filed_on: NaiveDate,
        #[ts(type = "string")]
        deadline: NaiveDate,
        /// The policy says "completed by" rather than "filed by".
        completed_by: bool,
    },
    FilingCounted {
        kind: FilingKind,
        number: String,
        #[ts(type = "string")]
        filed_on: NaiveDate,
        #[ts(type = "string")]
        as_of: NaiveDate,
        window: Option<Window>,
        /// The rule counts only each kind's first filing, and this is it.
        first_of_kind: bool,
    },
    NoFilingCounts {
        kinds: Vec<FilingKind>,
        #[ts(type = "string")]
        as_of: NaiveDate,
    },
    PaysPerEnterprise {
        #[ts(type = "number")]
        amount_cny: i64,
        up_to: bool,
        counted: u32,
    },
    AmountNotKnown {
        why: AmountUnknown,
    },
    PaysPerFiling {
        number: String,
        kind: FilingKind,
        #[ts(type = "number")]
        amount_cny: i64,
        up_to: bool,
    },
    YearCapped {
        year: i32,
        #[ts(type = "number")]
        sum_cny: i64,
        #[ts(type = "number")]
        cap_cny: i64,
    },
    SpendCounted {
        year: i32,
        spend: SpendKind,
        #[ts(type = "number")]
        spend_cny: i64,
        origin: FactOrigin,
        #[ts(type = "number")]
        rate_basis_points: i64,
        /// The rate applied, before the yearly cap.
        #[ts(type = "number")]
        amount_cny: i64,
        /// The rate left a fraction of a yuan, dropped.
        rounded: bool,
        /// The yearly cap, when the amount exceeded it.
        #[ts(type = "number | null")]
        capped_at_cny: Option<i64>,
    },
    SpendUnconfirmed {
        year: i32,
        spend: SpendKind,
        #[ts(type = "number")]
        spend_cny: i64,
        origin: FactOrigin,
    },
    PaidYears {
        years: Option<u32>,
        first_year: i32,
    },
    SpendMissing {
        spend: SpendKind,
        year: i32,
    },
    TotalCapped {
        #[ts(type = "number")]
        total_cny: i64,
        #[ts(type = "number")]
        cap_cny: i64,
    },
    /// First-N: placed beyond the N places.
    RankedOut {
        place: u32,
        n: u32,
        number: String,
        #[ts(type = "string | null")]
        filed_on: Option<NaiveDate>,
        tie: TieRule,
        tied: Vec<String>,
    },
    /// First-N: the place depends on earlier filers whose answer is not known.
    RankUncertain {
        place: u32,
        place_to: u32,
        n: u32,
        number: String,
        #[ts(type = "string | null")]
        filed_on: Option<NaiveDate>,
        undecided: Vec<String>,
        tied: Vec<String>,
    },
    /// First-N: within the N places.
    RankedIn {
        place: u32,
        n: u32,
        number: String,
        #[ts(type = "string | null")]
        filed_on: Option<NaiveDate>,
        tie: TieRule,
        tied: Vec<String>,
    },
    CostShared {
        parts: Vec<super::eval::ShareAmount>,
        /// The rule's own words on the split.
        text: LocalText,
    },
    /// The policy says "up to": the amount is a ceiling.
    UpToCeiling,
    Needs {
        need: Need,
    },
}

/// A fact that would let the evaluation decide.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "code", content = "params", rename_all = "snake_case")]
#[ts(export)]
pub enum Need {
    FilingDate {
        number: String,
    },
    RegisteredCity,
    RegisteredCityConfirmed {
        city: String,
        origin: FactOrigin,
    },
    RegisteredDistrict,
    RegisteredDistrictConfirmed {
        district: String,
        origin: FactOrigin,
    },
    SelfDeveloped,
    Spend {
        spend: SpendKind,
        years: Vec<i32>,
    },
    /// First-N: whether the earlier filers named in the reasons qualify.
    EarlierFilersDecided,
}

/// About a rule as a whole at the as-of date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "code", content = "params", rename_all = "snake_case")]
#[ts(export)]
pub enum RuleNote {
    Disabled,
    IssuedAfterAsOf {
        #[ts(type = "string")]
        issued_on: NaiveDate,
        #[ts(type = "string")]
        as_of: NaiveDate,
    },
    /// Confidence M or L (H goes without saying).
    Confidence {
        confidence: Confidence,
    },
    ApplicationWindow {
        #[ts(type = "string | null")]
        from: Option<NaiveDate>,
        #[ts(type = "string | null")]
        to: Option<NaiveDate>,
        state: Option<WindowState>,
        #[ts(type = "string")]
        as_of: NaiveDate,
        /// The rule's own note on the window.
        note: Option<LocalText>,
    },
    FirstN {
        n: u32,
    },
    /// More enterprises qualify than places because of a tie on the boundary date.
    TiedBoundary {
        qualifying: u32,
        n: u32,
    },
}

/// Why an enterprise that qualifies has no amount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "code", content = "params", rename_all = "snake_case")]
#[ts(export)]
pub enum AmountUnknown {
    /// The rule's own words (e.g. "set on review").
    RuleSays {
        text: LocalText,
    },
    NoAmount,
}

/// `1,000,000`: yuan with thousands separators, the number part of [`yuan`].
fn grouped(amount: i64) -> String {
    let digits = amount.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if amount < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `1,000,000 CNY` / `1,000,000 元`
pub fn money(amount: i64, lang: Language) -> String {
    match lang {
        Language::En => format!("{} CNY", grouped(amount)),
        Language::Zh => format!("{} 元", grouped(amount)),
    }
}

/// `30%`, `12.50%`
pub fn percent(bp: i64) -> String {
    if bp % 100 == 0 {
        format!("{}%", bp / 100)
    } else {
        format!("{}.{:02}%", bp / 100, bp % 100)
    }
}

fn origin_text(o: FactOrigin, lang: Language) -> String {
    let (from, state) = match lang {
        Language::En => (
            match o.provenance {
                Provenance::Entered => "entered",
                Provenance::InferredFromName => "inferred from the company name",
                Provenance::Imported => "imported",
            },
            if o.confirmed {
                "confirmed"
            } else {
                "not confirmed"
            },
        ),
        Language::Zh => (
            match o.provenance {
                Provenance::Entered => "人工录入",
                Provenance::InferredFromName => "由名称推断",
                Provenance::Imported => "导入",
            },
            if o.confirmed {
                "已确认"
            } else {
                "未确认"
            },
        ),
    };
    format!("{from}{}{state}", lang.pick("，", ", "))
}

/// The kind of a filing as a noun: 备案 / 登记 / 算法备案.
fn kind_zh(k: FilingKind) -> &'static str {
    match k {
        FilingKind::Filed => "备案",
        FilingKind::Registered => "登记",
        FilingKind::Algorithm => "算法备案",
    }
}

fn spend_label(s: SpendKind, lang: Language) -> &'static str {
    match lang {
        Language::En => s.label(),
        Language::Zh => match s {
            SpendKind::Compute => "算力支出",
            SpendKind::ModelPurchase => "模型采购费用",
        },
    }
}

fn tie_text(tie: TieRule, lang: Language) -> &'static str {
    match (tie, lang) {
        (TieRule::IncludeAllTied, Language::En) => {
            "same-day filers share a place (include_all_tied)"
        }
        (TieRule::ByNumber, Language::En) => {
            "same-day filers are ordered by their filing numbers (by_number)"
        }
        (TieRule::IncludeAllTied, Language::Zh) => "同日备案的企业并列同一名次",
        (TieRule::ByNumber, Language::Zh) => "同日备案的企业按备案编号先后排序",
    }
}

fn date_or_blank(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

fn tied_suffix(out: &mut String, tied: &[String], lang: Language) {
    if !tied.is_empty() {
        match lang {
            Language::En => out.push_str(&format!("; filed the same day: {}", tied.join(", "))),
            Language::Zh => out.push_str(&format!("；同日备案：{}", tied.join("、"))),
        }
    }
}

impl Reason {
    pub fn text(&self, lang: Language) -> String {
        match lang {
            Language::En => self.english(),
            Language::Zh => self.chinese(),
        }
    }

    fn english(&self) -> String {
        let en = Language::En;
        match self {
            Reason::NoFilingsOrFacts => "no filings and no recorded facts for this company".into(),
            Reason::NoFilingInProvince { province } => {
                format!("no filing in {province} and no registered city there")
            }
            Reason::FilingsElsewhere { regions, province } => format!(
                "its filings are in {}, not {province} (属地 is the province whose CAC office \
                 accepted them), and no registered city in {province} is recorded",
                regions.join(", ")
            ),
            Reason::RegisteredCity { city, origin } => {
                format!("registered city {city} ({})", origin_text(*origin, en))
            }
            Reason::CityInferredAccepted { city } => format!(
                "city {city} inferred from the company name, not confirmed (this rule accepts \
                 unconfirmed facts)"
            ),
            Reason::CityMismatch { city, origin, want } => format!(
                "registered city {city} ({}), not {want}",
                origin_text(*origin, en)
            ),
            Reason::RegisteredDistrict { district, origin } => {
                format!("registered district {district} ({})", origin_text(*origin, en))
            }
            Reason::DistrictMismatch {
                district,
                origin,
                want,
            } => format!(
                "registered district {district} ({}), not {want}",
                origin_text(*origin, en)
            ),
            Reason::SelfDeveloped { origin } => {
                format!("model self-developed: yes ({})", origin_text(*origin, en))
            }
            Reason::NotSelfDeveloped { origin } => format!(
                "model self-developed: no ({}); the rule requires a self-developed model",
                origin_text(*origin, en)
            ),
            Reason::NotChecked { condition } => {
                format!("not checked: {}", condition.get(en))
            }
            Reason::FilingUnconfirmed { kind, number } => format!(
                "{}: {number} is recorded but not confirmed; not counted",
                kind.as_str()
            ),
            Reason::FilingUndated { kind, number } => format!(
                "{}: {number} has no filing date; not counted",
                kind.as_str()
            ),
            Reason::FilingAfterAsOf {
                kind,
                number,
                filed_on,
                as_of,
            } => format!(
                "{}: {number} on {filed_on} is after as-of {as_of}; not counted",
                kind.as_str()
            ),
            Reason::FilingNotFirst {
                kind,
                number,
                filed_on,
                first_number,
                first_filed_on,
            } => {
                let k = kind.as_str();
                format!(
                    "{k}: {number} on {filed_on} is not the first {k} filing (the first is \
                     {first_number} on {first_filed_on}); not counted"
                )
            }
            Reason::FilingBeforeWindow {
                kind,
                number,
                filed_on,
                from,
            } => format!(
                "{}: {number} on {filed_on} is before the rule's window opens ({from}); not counted",
                kind.as_str()
            ),
            Reason::FilingAfterDeadline {
                kind,
                number,
                filed_on,
                deadline,
                completed_by,
            } => format!(
                "{}: {number} on {filed_on} is after the rule's deadline ({} {deadline}); not \
                 counted",
                kind.as_str(),
                if *completed_by {
                    "completed by"
                } else {
                    "filed by"
                }
            ),
            Reason::FilingCounted {
                kind,
                number,
                filed_on,
                as_of,
                window,
                first_of_kind,
            } => {
                let when = if filed_on < as_of { "before" } else { "on" };
                let mut s = format!(
                    "{}: {number} on {filed_on} ({when} as-of {as_of}",
                    kind.as_str()
                );
                match window {
                    Some(Window::CompletedBy { to }) => s.push_str(&format!("; completed by {to}")),
                    Some(Window::Within { from, to }) => {
                        s.push_str(&format!("; within {from} – {to}"))
                    }
                    Some(Window::OnOrAfter { from }) => s.push_str(&format!("; on or after {from}")),
                    None => {}
                }
                if *first_of_kind {
                    s.push_str(&format!("; the enterprise's first {} filing", kind.as_str()));
                }
                s.push(')');
                s
            }
            Reason::NoFilingCounts { kinds, as_of } => {
                let kinds: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
                format!(
                    "no {} filing counts under this rule as of {as_of}",
                    kinds.join(" or ")
                )
            }
            Reason::PaysPerEnterprise {
                amount_cny,
                up_to,
                counted,
            } => format!(
                "pays {}{} once per enterprise, however many filings ({counted} counted)",
                if *up_to { "up to " } else { "" },
                money(*amount_cny, en)
            ),
            Reason::AmountNotKnown { why } => format!("amount not known: {}", why.text(en)),
            Reason::PaysPerFiling {
                number,
                kind,
                amount_cny,
                up_to,
            } => format!(
                "{number}: {}{} for this {} filing",
                if *up_to { "up to " } else { "" },
                money(*amount_cny, en),
                kind.as_str()
            ),
            Reason::YearCapped {
                year,
                sum_cny,
                cap_cny,
            } => format!(
                "{year}: {} capped at {} a year per enterprise",
                money(*sum_cny, en),
                money(*cap_cny, en)
            ),
            Reason::SpendCounted {
                year,
                spend,
                spend_cny,
                origin,
                rate_basis_points,
                amount_cny,
                rounded,
                capped_at_cny,
            } => {
                let mut s = format!(
                    "{year} {}: {} ({}); {} of it = {}",
                    spend.label(),
                    money(*spend_cny, en),
                    origin_text(*origin, en),
                    percent(*rate_basis_points),
                    money(*amount_cny, en)
                );
                if *rounded {
                    s.push_str(" (rounded down to the yuan)");
                }
                if let Some(cap) = capped_at_cny {
                    s.push_str(&format!(", capped at {} a year", money(*cap, en)));
                }
                s
            }
            Reason::SpendUnconfirmed {
                year,
                spend,
                spend_cny,
                origin,
            } => format!(
                "{year} {}: {} is {}; not counted",
                spend.label(),
                money(*spend_cny, en),
                origin_text(*origin, en)
            ),
            Reason::PaidYears {
                years: Some(n),
                first_year,
            } => format!(
                "paid for up to {n} year(s) from {first_year}, the year of the first counted filing"
            ),
            Reason::PaidYears {
                years: None,
                first_year,
            } => format!(
                "paid for each year from {first_year}, the year of the first counted filing"
            ),
            Reason::SpendMissing { spend, year } => format!(
                "no confirmed {} recorded for {year}; that year adds nothing until it is",
                spend.label()
            ),
            Reason::TotalCapped { total_cny, cap_cny } => format!(
                "total {} capped at {} per enterprise",
                money(*total_cny, en),
                money(*cap_cny, en)
            ),
            Reason::RankedOut {
                place,
                n,
                number,
                filed_on,
                tie,
                tied,
            } => {
                let mut s = format!(
                    "ranks {place} by first filing ({number} on {}); only the first {n} \
                     qualify; {}",
                    date_or_blank(*filed_on),
                    tie_text(*tie, en)
                );
                tied_suffix(&mut s, tied, en);
                s
            }
            Reason::RankUncertain {
                place,
                place_to,
                n,
                number,
                filed_on,
                undecided,
                tied,
            } => {
                let mut s = format!(
                    "ranks {place} to {place_to} by first filing ({number} on {}) of the first \
                     {n}: earlier filers not yet decided: {}",
                    date_or_blank(*filed_on),
                    undecided.join(", ")
                );
                tied_suffix(&mut s, tied, en);
                s
            }
            Reason::RankedIn {
                place,
                n,
                number,
                filed_on,
                tie,
                tied,
            } => {
                let mut s = format!(
                    "ranks {place} of the first {n} by first filing ({number} on {}); {}",
                    date_or_blank(*filed_on),
                    tie_text(*tie, en)
                );
                tied_suffix(&mut s, tied, en);
                s
            }
            Reason::CostShared { parts, text } => {
                let parts: Vec<String> = parts
                    .iter()
                    .map(|p| format!("{} {}", p.party, money(p.amount_cny, en)))
                    .collect();
                format!("cost shared: {} ({})", parts.join(", "), text.get(en))
            }
            Reason::UpToCeiling => "the policy says \"up to\": the amount is the ceiling".into(),
            Reason::Needs { need } => format!("needs: {}", need.text(en)),
        }
    }

    fn chinese(&self) -> String {
        let zh = Language::Zh;
        match self {
            Reason::NoFilingsOrFacts => "该企业既没有备案记录，也没有记录任何企业信息".into(),
            Reason::NoFilingInProvince { province } => {
                format!("在{province}没有备案，也没有记录位于该地的注册城市")
            }
            Reason::FilingsElsewhere { regions, province } => format!(
                "其备案属地为{}，不在{province}（属地指受理备案的省级网信办），且没有记录位于\
                 {province}的注册城市",
                regions.join("、")
            ),
            Reason::RegisteredCity { city, origin } => {
                format!("注册城市：{city}（{}）", origin_text(*origin, zh))
            }
            Reason::CityInferredAccepted { city } => {
                format!("注册城市{city}系由企业名称推断，尚未确认（本规则接受未经确认的信息）")
            }
            Reason::CityMismatch { city, origin, want } => format!(
                "注册城市：{city}（{}），不是{want}",
                origin_text(*origin, zh)
            ),
            Reason::RegisteredDistrict { district, origin } => {
                format!("注册区县：{district}（{}）", origin_text(*origin, zh))
            }
            Reason::DistrictMismatch {
                district,
                origin,
                want,
            } => format!(
                "注册区县：{district}（{}），不是{want}",
                origin_text(*origin, zh)
            ),
            Reason::SelfDeveloped { origin } => {
                format!("模型为自研：是（{}）", origin_text(*origin, zh))
            }
            Reason::NotSelfDeveloped { origin } => format!(
                "模型为自研：否（{}）；本规则要求模型为自研",
                origin_text(*origin, zh)
            ),
            Reason::NotChecked { condition } => format!("未核查：{}", condition.get(zh)),
            Reason::FilingUnconfirmed { kind, number } => {
                format!("{} {number} 已记录但未经确认，不予计入", kind_zh(*kind))
            }
            Reason::FilingUndated { kind, number } => {
                format!("{} {number} 没有备案日期，不予计入", kind_zh(*kind))
            }
            Reason::FilingAfterAsOf {
                kind,
                number,
                filed_on,
                as_of,
            } => format!(
                "{} {number} 于 {filed_on} 完成，晚于截至日期 {as_of}，不予计入",
                kind_zh(*kind)
            ),
            Reason::FilingNotFirst {
                kind,
                number,
                filed_on,
                first_number,
                first_filed_on,
            } => {
                let k = kind_zh(*kind);
                format!(
                    "{k} {number}（{filed_on}）不是该企业的首个{k}（首个为 {first_number}，\
                     {first_filed_on}），不予计入"
                )
            }
            Reason::FilingBeforeWindow {
                kind,
                number,
                filed_on,
                from,
            } => format!(
                "{} {number}（{filed_on}）早于本规则适用期的起始日 {from}，不予计入",
                kind_zh(*kind)
            ),
            Reason::FilingAfterDeadline {
                kind,
                number,
                filed_on,
                deadline,
                completed_by,
            } => format!(
                "{} {number}（{filed_on}）晚于本规则的截止日期（须于 {deadline} 前{}），不予计入",
                kind_zh(*kind),
                if *completed_by { "完成" } else { "备案" }
            ),
            Reason::FilingCounted {
                kind,
                number,
                filed_on,
                as_of,
                window,
                first_of_kind,
            } => {
                let k = kind_zh(*kind);
                let mut s = format!("已于 {filed_on} 完成{k}（{number}），");
                if filed_on < as_of {
                    s.push_str(&format!("早于截至日期 {as_of}"));
                } else {
                    s.push_str(&format!("当日即截至日期 {as_of}"));
                }
                match window {
                    Some(Window::CompletedBy { to }) => s.push_str(&format!("；在 {to} 前完成")),
                    Some(Window::Within { from, to }) => {
                        s.push_str(&format!("；在适用期 {from} 至 {to} 之内"))
                    }
                    Some(Window::OnOrAfter { from }) => {
                        s.push_str(&format!("；在 {from} 当日或之后"))
                    }
                    None => {}
                }
                if *first_of_kind {
                    s.push_str(&format!("；为该企业的首个{k}"));
                }
                s
            }
            Reason::NoFilingCounts { kinds, as_of } => {
                let kinds: Vec<&str> = kinds.iter().map(|k| kind_zh(*k)).collect();
                format!("截至 {as_of}，没有可按本规则计入的{}", kinds.join("或"))
            }
            Reason::PaysPerEnterprise {
                amount_cny,
                up_to,
                counted,
            } => format!(
                "每家企业一次性{} {}，不论备案数量（计入 {counted} 个）",
                if *up_to { "最高给予" } else { "给予" },
                money(*amount_cny, zh)
            ),
            Reason::AmountNotKnown { why } => format!("金额未定：{}", why.text(zh)),
            Reason::PaysPerFiling {
                number,
                kind,
                amount_cny,
                up_to,
            } => format!(
                "{number}：该项{}{} {}",
                kind_zh(*kind),
                if *up_to { "最高给予" } else { "给予" },
                money(*amount_cny, zh)
            ),
            Reason::YearCapped {
                year,
                sum_cny,
                cap_cny,
            } => format!(
                "{year} 年合计 {}，按每家企业每年上限 {}计",
                money(*sum_cny, zh),
                money(*cap_cny, zh)
            ),
            Reason::SpendCounted {
                year,
                spend,
                spend_cny,
                origin,
                rate_basis_points,
                amount_cny,
                rounded,
                capped_at_cny,
            } => {
                let mut s = format!(
                    "{year} 年{}：{}（{}）；按 {} 计为 {}",
                    spend_label(*spend, zh),
                    money(*spend_cny, zh),
                    origin_text(*origin, zh),
                    percent(*rate_basis_points),
                    money(*amount_cny, zh)
                );
                if *rounded {
                    s.push_str("（不足一元部分舍去）");
                }
                if let Some(cap) = capped_at_cny {
                    s.push_str(&format!("，按每年上限 {}计", money(*cap, zh)));
                }
                s
            }
            Reason::SpendUnconfirmed {
                year,
                spend,
                spend_cny,
                origin,
            } => format!(
                "{year} 年{}：{}（{}），不予计入",
                spend_label(*spend, zh),
                money(*spend_cny, zh),
                origin_text(*origin, zh)
            ),
            Reason::PaidYears {
                years: Some(n),
                first_year,
            } => format!("自首个计入的备案所在年度（{first_year} 年）起，最多支付 {n} 年"),
            Reason::PaidYears {
                years: None,
                first_year,
            } => format!("自首个计入的备案所在年度（{first_year} 年）起，逐年支付"),
            Reason::SpendMissing { spend, year } => format!(
                "{year} 年没有经确认的{}记录；补录并确认前，该年度不计金额",
                spend_label(*spend, zh)
            ),
            Reason::TotalCapped { total_cny, cap_cny } => format!(
                "合计 {}，按每家企业总额上限 {}计",
                money(*total_cny, zh),
                money(*cap_cny, zh)
            ),
            Reason::RankedOut {
                place,
                n,
                number,
                filed_on,
                tie,
                tied,
            } => {
                let mut s = format!(
                    "按首次备案日期排在第 {place} 位（{number}，{}），超出前 {n} 名；{}",
                    date_or_blank(*filed_on),
                    tie_text(*tie, zh)
                );
                tied_suffix(&mut s, tied, zh);
                s
            }
            Reason::RankUncertain {
                place,
                place_to,
                n,
                number,
                filed_on,
                undecided,
                tied,
            } => {
                let mut s = format!(
                    "按首次备案日期排在第 {place} 至 {place_to} 位（{number}，{}），名额为前 {n} \
                     名；以下更早备案的企业尚不能确定是否符合条件：{}",
                    date_or_blank(*filed_on),
                    undecided.join("、")
                );
                tied_suffix(&mut s, tied, zh);
                s
            }
            Reason::RankedIn {
                place,
                n,
                number,
                filed_on,
                tie,
                tied,
            } => {
                let mut s = format!(
                    "按首次备案日期排在第 {place} 位（{number}，{}），在前 {n} 名之内；{}",
                    date_or_blank(*filed_on),
                    tie_text(*tie, zh)
                );
                tied_suffix(&mut s, tied, zh);
                s
            }
            Reason::CostShared { parts, text } => {
                let parts: Vec<String> = parts
                    .iter()
                    .map(|p| format!("{} {}", p.party, money(p.amount_cny, zh)))
                    .collect();
                format!("费用分担：{}（{}）", parts.join("、"), text.get(zh))
            }
            Reason::UpToCeiling => "政策表述为“最高”：该金额为上限".into(),
            Reason::Needs { need } => format!("缺少企业信息：{}", need.text(zh)),
        }
    }
}

impl Need {
    pub fn text(&self, lang: Language) -> String {
        let en = lang == Language::En;
        match self {
            Need::FilingDate { number } => match lang {
                Language::En => format!("the filing date of {number}"),
                Language::Zh => format!("{number} 的备案日期"),
            },
            Need::RegisteredCity => lang.pick("注册城市", "registered city").into(),
            Need::RegisteredCityConfirmed { city, origin } => match lang {
                Language::En => format!(
                    "registered city confirmed ({city} {})",
                    origin_text(*origin, lang)
                ),
                Language::Zh => format!(
                    "经确认的注册城市（目前为 {city}，{}）",
                    origin_text(*origin, lang)
                ),
            },
            Need::RegisteredDistrict => lang.pick("注册区县", "registered district").into(),
            Need::RegisteredDistrictConfirmed { district, origin } => match lang {
                Language::En => format!(
                    "registered district confirmed ({district} {})",
                    origin_text(*origin, lang)
                ),
                Language::Zh => format!(
                    "经确认的注册区县（目前为 {district}，{}）",
                    origin_text(*origin, lang)
                ),
            },
            Need::SelfDeveloped => lang
                .pick("模型是否自研", "whether the model is self-developed")
                .into(),
            Need::Spend { spend, years } => {
                let years: Vec<String> = years.iter().map(|y| y.to_string()).collect();
                if en {
                    format!("{} for {}", spend.label(), years.join(", "))
                } else {
                    format!("{} 年的{}", years.join("、"), spend_label(*spend, lang))
                }
            }
            Need::EarlierFilersDecided => lang
                .pick(
                    "上述更早备案的企业是否满足其他条件",
                    "the other conditions of the earlier filers named above",
                )
                .into(),
        }
    }
}

impl RuleNote {
    pub fn text(&self, lang: Language) -> String {
        match (self, lang) {
            (RuleNote::Disabled, _) => lang
                .pick(
                    "本规则已停用；因按编号指定，仍予评估",
                    "this rule is disabled; evaluated because it was asked for by id",
                )
                .into(),
            (RuleNote::IssuedAfterAsOf { issued_on, as_of }, Language::En) => format!(
                "issued on {issued_on}, after as-of {as_of}: these results show what the rule \
                 would give"
            ),
            (RuleNote::IssuedAfterAsOf { issued_on, as_of }, Language::Zh) => format!(
                "本规则于 {issued_on} 发布，晚于截至日期 {as_of}：以下结果仅表示适用本规则时的情形"
            ),
            (RuleNote::Confidence { confidence }, _) => match (confidence, lang) {
                (Confidence::M, Language::En) => {
                    "confidence M: the rule rests on one secondary source".into()
                }
                (Confidence::L, Language::En) => {
                    "confidence L: the rule rests on a weak or inferred source".into()
                }
                (Confidence::H, Language::En) => {
                    "confidence H: the rule rests on an official source".into()
                }
                (Confidence::M, Language::Zh) => "可信度中：本规则仅依据一个二手来源".into(),
                (Confidence::L, Language::Zh) => {
                    "可信度低：本规则依据的来源较弱或系推断所得".into()
                }
                (Confidence::H, Language::Zh) => "可信度高：本规则依据官方来源".into(),
            },
            (
                RuleNote::ApplicationWindow {
                    from,
                    to,
                    state,
                    as_of,
                    note,
                },
                Language::En,
            ) => {
                let mut s = match (from, to) {
                    (Some(f), Some(t)) => format!("applications {f} to {t}"),
                    (Some(f), None) => format!("applications from {f}"),
                    (None, Some(t)) => format!("applications until {t}"),
                    (None, None) => "applications".to_string(),
                };
                if let Some(state) = state {
                    let state = match state {
                        WindowState::Open => "open",
                        WindowState::Closed => "closed",
                        WindowState::NotYetOpen => "not yet open",
                    };
                    s.push_str(&format!(": {state} as of {as_of}"));
                }
                if let Some(n) = note {
                    s.push_str(&format!(" ({})", n.get(Language::En)));
                }
                s
            }
            (
                RuleNote::ApplicationWindow {
                    from,
                    to,
                    state,
                    as_of,
                    note,
                },
                Language::Zh,
            ) => {
                let mut s = match (from, to) {
                    (Some(f), Some(t)) => format!("申报期 {f} 至 {t}"),
                    (Some(f), None) => format!("申报期自 {f} 起"),
                    (None, Some(t)) => format!("申报期至 {t} 止"),
                    (None, None) => "申报期".to_string(),
                };
                if let Some(state) = state {
                    let state = match state {
                        WindowState::Open => "正在受理",
                        WindowState::Closed => "已截止",
                        WindowState::NotYetOpen => "尚未开始",
                    };
                    s.push_str(&format!("：截至 {as_of} {state}"));
                }
                if let Some(n) = note {
                    s.push_str(&format!("（{}）", n.get(Language::Zh)));
                }
                s
            }
            (RuleNote::FirstN { n }, Language::En) => format!(
                "first {n} by filing date, counted among the enterprises in this registry that \
                 meet the rule's other conditions"
            ),
            (RuleNote::FirstN { n }, Language::Zh) => {
                format!("按备案日期取前 {n} 名，仅在本库中满足本规则其他条件的企业之间排序")
            }
            (RuleNote::TiedBoundary { qualifying, n }, Language::En) => format!(
                "{qualifying} enterprises qualify for {n} places: filers tied on the boundary \
                 date all count under include_all_tied"
            ),
            (RuleNote::TiedBoundary { qualifying, n }, Language::Zh) => format!(
                "{qualifying} 家企业符合条件，名额为 {n} 个：按同日并列规则，在名额边界日期同日\
                 备案的企业均予计入"
            ),
        }
    }
}

impl AmountUnknown {
    pub fn text(&self, lang: Language) -> String {
        match self {
            AmountUnknown::RuleSays { text } => text.get(lang).to_string(),
            AmountUnknown::NoAmount => lang
                .pick("规则未规定金额", "the rule gives no amount")
                .into(),
        }
    }
}

#[cfg(test)]
mod tests;
