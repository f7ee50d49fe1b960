//! Subsidy rules as data: one TOML document per policy (`data/subsidies/*.toml`, format in
//! `data/subsidies/README.md`), read field by field so every problem names its file and field
//! (`hangzhou-model-filing.toml: award.amount_cny: must be a positive whole number of yuan`).
//! Unknown fields are errors too: a misspelt condition must not be silently ignored.

use super::facts::SpendKind;
use super::local_text::LocalText;
pub use crate::confidence::Confidence;
use crate::filing::Issue;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::BTreeMap;
use toml::{Table, Value};
use ts_rs::TS;

/// The rule files shipped with Beian: read-only defaults a user can override or disable.
pub const BUNDLED_RULES: &[(&str, &str)] = &[
    (
        "hangzhou-model-filing.toml",
        include_str!("../../data/subsidies/hangzhou-model-filing.toml"),
    ),
    (
        "chengdu-first-ten.toml",
        include_str!("../../data/subsidies/chengdu-first-ten.toml"),
    ),
    (
        "guangzhou-haizhu-first-filing.toml",
        include_str!("../../data/subsidies/guangzhou-haizhu-first-filing.toml"),
    ),
    (
        "shanghai-xuhui-filing-2024.toml",
        include_str!("../../data/subsidies/shanghai-xuhui-filing-2024.toml"),
    ),
    (
        "beijing-shijingshan-compute.toml",
        include_str!("../../data/subsidies/beijing-shijingshan-compute.toml"),
    ),
    (
        "hangzhou-compute-vouchers.toml",
        include_str!("../../data/subsidies/hangzhou-compute-vouchers.toml"),
    ),
    (
        "zhangzhou-model-purchase.toml",
        include_str!("../../data/subsidies/zhangzhou-model-purchase.toml"),
    ),
    (
        "nanjing-model-filing.toml",
        include_str!("../../data/subsidies/nanjing-model-filing.toml"),
    ),
];

/// The filings a rule counts. `algorithm` filings are recorded per company (the CAC lists do not
/// carry them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FilingKind {
    Filed,
    Registered,
    Algorithm,
}

impl FilingKind {
    pub fn as_str(self) -> &'static str {
        match self {
            FilingKind::Filed => "filed",
            FilingKind::Registered => "registered",
            FilingKind::Algorithm => "algorithm",
        }
    }

    fn parse(s: &str) -> Option<FilingKind> {
        match s {
            "filed" => Some(FilingKind::Filed),
            "registered" => Some(FilingKind::Registered),
            "algorithm" => Some(FilingKind::Algorithm),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Jurisdiction {
    pub province: String,
    pub city: String,
    pub district: Option<String>,
}

impl Jurisdiction {
    /// `广东省 广州市 海珠区`
    pub fn label(&self) -> String {
        let mut parts = vec![self.province.as_str()];
        if self.city != self.province {
            parts.push(&self.city);
        }
        if let Some(d) = &self.district {
            parts.push(d);
        }
        parts.join(" ")
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Document {
    pub title: String,
    pub number: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Source {
    /// Where the rule was read: the citation a person can follow.
    pub citation: String,
    /// The policy's own words, quoted.
    pub quote: Option<String>,
    pub url: Option<String>,
    /// How the words were read into this rule, where they leave room.
    pub notes: Option<String>,
}

/// The filing dates a rule counts (inclusive bounds, YYYY-MM-DD).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Applies {
    #[ts(type = "string | null")]
    pub filed_from: Option<NaiveDate>,
    #[ts(type = "string | null")]
    pub filed_to: Option<NaiveDate>,
    /// "Completed by": the same bound as `filed_to`, named as the policy names it.
    #[ts(type = "string | null")]
    pub completed_by: Option<NaiveDate>,
}

impl Applies {
    pub fn upper(&self) -> Option<NaiveDate> {
        self.filed_to.or(self.completed_by)
    }
}

/// How places are decided when several enterprises share the filing date at the boundary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum TieRule {
    /// Everyone filed on the same day as the N-th is in (more than N may qualify).
    IncludeAllTied,
    /// Same-day filers are ordered by the date and sequence inside their filing numbers, then by
    /// the number itself: exactly N qualify.
    ByNumber,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct FirstN {
    pub n: u32,
    pub tie: TieRule,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Eligibility {
    pub kinds: Vec<FilingKind>,
    /// Only the enterprise's first filing of each kind counts (it must fall in the window).
    pub first_filing_only: bool,
    pub self_developed_required: bool,
    /// Canonical city (`杭州市`); the enterprise must be registered there.
    pub registered_city: Option<String>,
    pub registered_district: Option<String>,
    /// Whether facts nobody confirmed (a city inferred from the name, imported spend) may decide.
    pub accept_unconfirmed: bool,
    pub first_n: Option<FirstN>,
    pub requires_spend: Option<SpendKind>,
    /// Conditions Beian cannot check (e.g. "advanced performance"); shown with every result.
    pub unchecked: Vec<LocalText>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AwardKind {
    /// One amount per enterprise, however many filings it has.
    LumpSumPerEnterprise,
    /// An amount for each qualifying filing (by kind), with optional yearly and total caps.
    LumpSumPerFiling,
    /// A rate of a yearly spend, capped per year and/or in total, for a number of years.
    RateOfSpend,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Award {
    pub kind: AwardKind,
    #[ts(type = "number | null")]
    pub amount_cny: Option<i64>,
    #[ts(type = "Record<string, number>")]
    pub amount_by_kind: BTreeMap<FilingKind, i64>,
    /// Why the amount is not known in advance (e.g. set on review); then `amount_cny` is absent.
    pub amount_unknown_reason: Option<LocalText>,
    /// The amounts are ceilings ("up to"); Beian reports the ceiling.
    pub up_to: bool,
    /// The rate in basis points (30 % = 3000).
    #[ts(type = "number | null")]
    pub rate_basis_points: Option<i64>,
    /// Cap on the whole award per enterprise.
    #[ts(type = "number | null")]
    pub cap_cny: Option<i64>,
    /// Cap per enterprise per calendar year.
    #[ts(type = "number | null")]
    pub cap_per_year_cny: Option<i64>,
    /// How many years a rate is paid for, counted from the year of the first qualifying filing.
    pub years: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Share {
    /// Who pays this part (`广州市`, `海珠区`).
    pub party: String,
    pub share: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct CostSharing {
    /// As the policy says it (`市、区按1:1比例分担`).
    pub text: LocalText,
    pub shares: Vec<Share>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ApplicationWindow {
    #[ts(type = "string | null")]
    pub from: Option<NaiveDate>,
    #[ts(type = "string | null")]
    pub to: Option<NaiveDate>,
    pub note: Option<LocalText>,
}

/// One policy, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct Rule {
    pub id: String,
    pub title: String,
    pub jurisdiction: Jurisdiction,
    pub issuing_body: String,
    pub document: Document,
    #[ts(type = "string | null")]
    pub issued_on: Option<NaiveDate>,
    pub source: Source,
    pub confidence: Confidence,
    pub applies: Applies,
    pub eligibility: Eligibility,
    pub award: Award,
    pub cost_sharing: Option<CostSharing>,
    pub application_windows: Vec<ApplicationWindow>,
    /// As written in the file; a user's setting in the registry overrides it.
    pub enabled: bool,
}

/// Parses and validates one rule document. `file` names it in every issue.
pub fn parse_rule(file: &str, text: &str) -> Result<Rule, Vec<Issue>> {
    let table: Table = text.parse().map_err(|e: toml::de::Error| {
        let msg = e.to_string();
        let first = msg.lines().next().unwrap_or("").to_string();
        let detail = msg
            .lines()
            .rfind(|l| !l.trim().is_empty())
            .unwrap_or("")
            .to_string();
        vec![issue(
            file,
            None,
            "rule_syntax",
            format!("not valid TOML: {detail} ({first})"),
        )]
    })?;
    let mut r = Reader {
        file,
        issues: Vec::new(),
    };
    let rule = r.rule(&table);
    match rule {
        Some(rule) if r.issues.is_empty() => Ok(rule),
        _ => Err(r.issues),
    }
}

/// Loads every bundled rule; a broken bundled file is a bug, reported with all its issues.
///
/// Parsed once per process: every evaluation asks for them, and parsing eight TOML documents
/// was about half of a warm evaluation's totals at 1M (its many small allocations are slow in
/// a heap a large evaluation has just left full of holes).
pub fn bundled_rules() -> Result<Vec<(String, Rule)>, Vec<Issue>> {
    type Parsed = Result<Vec<(String, Rule)>, Vec<Issue>>;
    static PARSED: std::sync::OnceLock<Parsed> = std::sync::OnceLock::new();
    PARSED
        .get_or_init(|| {
            let mut out = Vec::new();
            let mut issues = Vec::new();
            for (file, text) in BUNDLED_RULES {
                match parse_rule(file, text) {
                    Ok(r) => out.push((text.to_string(), r)),
                    Err(mut i) => issues.append(&mut i),
                }
            }
            if issues.is_empty() {
                Ok(out)
            } else {
                Err(issues)
            }
        })
        .clone()
}

fn issue(file: &str, field: Option<&str>, code: &str, message: String) -> Issue {
    let message = match field {
        Some(f) => format!("{file}: {f}: {message}"),
        None => format!("{file}: {message}"),
    };
    Issue {
        column: field.map(str::to_string),
        ..Issue::error(code, message)
    }
}

struct Reader<'a> {
    file: &'a str,
    issues: Vec<Issue>,
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

impl Reader<'_> {
    fn err(&mut self, field: &str, msg: impl Into<String>) {
        let i = issue(self.file, Some(field), "rule_invalid", msg.into());
        self.issues.push(i);
    }

    fn known(&mut self, t: &Table, prefix: &str, keys: &[&str]) {
        for k in t.keys() {
            if !keys.contains(&k.as_str()) {
                self.err(
                    &join(prefix, k),
                    format!("unknown field; the fields here are: {}", keys.join(", ")),
                );
            }
        }
    }

    fn table<'t>(
        &mut self,
        t: &'t Table,
        prefix: &str,
        key: &str,
        required: bool,
    ) -> Option<&'t Table> {
        match t.get(key) {
            Some(Value::Table(v)) => Some(v),
            Some(_) => {
                self.err(&join(prefix, key), "must be a table ([section] or { ... })");
                None
            }
            None => {
                if required {
                    self.err(&join(prefix, key), "missing; this section is required");
                }
                None
            }
        }
    }

    fn opt_str(&mut self, t: &Table, prefix: &str, key: &str) -> Option<String> {
        match t.get(key) {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Some(Value::String(_)) => {
                self.err(&join(prefix, key), "is empty; leave the field out instead");
                None
            }
            Some(_) => {
                self.err(&join(prefix, key), "must be text in quotes");
                None
            }
            None => None,
        }
    }

    fn req_str(&mut self, t: &Table, prefix: &str, key: &str) -> String {
        if t.get(key).is_none() {
            self.err(&join(prefix, key), "missing; this field is required");
            return String::new();
        }
        self.opt_str(t, prefix, key).unwrap_or_default()
    }

    /// A rule's own words: `"…"` for both languages or `{ zh = "…", en = "…" }`, both given.
    fn opt_local(&mut self, t: &Table, prefix: &str, key: &str) -> Option<LocalText> {
        let field = join(prefix, key);
        self.local(&field, t.get(key)?)
    }

    fn local(&mut self, field: &str, v: &Value) -> Option<LocalText> {
        const FORM: &str =
            "write text in quotes, or { zh = \"…\", en = \"…\" } for a Chinese and an English text";
        match v {
            Value::String(s) if !s.trim().is_empty() => Some(LocalText::Same(s.trim().to_string())),
            Value::String(_) => {
                self.err(field, "is empty; leave the field out instead");
                None
            }
            Value::Table(p) => {
                self.known(p, field, &["zh", "en"]);
                let mut side = |lang: &str| match p.get(lang) {
                    Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
                    Some(_) => {
                        self.err(
                            &join(field, lang),
                            "must be non-empty text in quotes; a table gives both zh and en",
                        );
                        None
                    }
                    None => {
                        self.err(
                            &join(field, lang),
                            "missing; a table gives both zh and en (or write one text in quotes for both)",
                        );
                        None
                    }
                };
                let zh = side("zh");
                let en = side("en");
                Some(LocalText::Pair { zh: zh?, en: en? })
            }
            _ => {
                self.err(field, FORM);
                None
            }
        }
    }

    fn opt_bool(&mut self, t: &Table, prefix: &str, key: &str, default: bool) -> bool {
        match t.get(key) {
            Some(Value::Boolean(b)) => *b,
            Some(_) => {
                self.err(&join(prefix, key), "must be true or false");
                default
            }
            None => default,
        }
    }

    fn opt_date(&mut self, t: &Table, prefix: &str, key: &str) -> Option<NaiveDate> {
        let text = match t.get(key)? {
            Value::String(s) => s.trim().to_string(),
            Value::Datetime(d) => d.to_string(),
            _ => {
                self.err(&join(prefix, key), "must be a date written YYYY-MM-DD");
                return None;
            }
        };
        match NaiveDate::parse_from_str(&text, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                self.err(
                    &join(prefix, key),
                    format!("{text:?} is not a date; write YYYY-MM-DD"),
                );
                None
            }
        }
    }

    /// A whole number of yuan, 1 or more. Floats are refused: money is never a float here.
    fn opt_money(&mut self, t: &Table, prefix: &str, key: &str) -> Option<i64> {
        match t.get(key)? {
            Value::Integer(i) if *i > 0 => Some(*i),
            _ => {
                self.err(
                    &join(prefix, key),
                    "must be a positive whole number of yuan",
                );
                None
            }
        }
    }

    fn opt_count(&mut self, t: &Table, prefix: &str, key: &str) -> Option<u32> {
        match t.get(key)? {
            Value::Integer(i) if *i > 0 && *i <= u32::MAX as i64 => Some(*i as u32),
            _ => {
                self.err(&join(prefix, key), "must be a whole number, 1 or more");
                None
            }
        }
    }

    fn rule(&mut self, t: &Table) -> Option<Rule> {
        self.known(
            t,
            "",
            &[
                "id",
                "title",
                "jurisdiction",
                "issuing_body",
                "document",
                "issued_on",
                "source",
                "confidence",
                "applies",
                "eligibility",
                "award",
                "cost_sharing",
                "application_windows",
                "enabled",
            ],
        );
        let id = self.req_str(t, "", "id");
        if !id.is_empty()
            && !id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            self.err("id", "use lower-case letters, digits and '-' only (it names the rule on the command line)");
        }
        let title = self.req_str(t, "", "title");
        let jurisdiction = self.jurisdiction(t);
        let issuing_body = self.req_str(t, "", "issuing_body");
        let document = match self.table(t, "", "document", true) {
            Some(d) => {
                self.known(d, "document", &["title", "number"]);
                Document {
                    title: self.req_str(d, "document", "title"),
                    number: self.opt_str(d, "document", "number"),
                }
            }
            None => Document {
                title: String::new(),
                number: None,
            },
        };
        let issued_on = self.opt_date(t, "", "issued_on");
        let source = match self.table(t, "", "source", true) {
            Some(s) => {
                self.known(s, "source", &["citation", "quote", "url", "notes"]);
                Source {
                    citation: self.req_str(s, "source", "citation"),
                    quote: self.opt_str(s, "source", "quote"),
                    url: self.opt_str(s, "source", "url"),
                    notes: self.opt_str(s, "source", "notes"),
                }
            }
            None => Source {
                citation: String::new(),
                quote: None,
                url: None,
                notes: None,
            },
        };
        let confidence = match self.opt_str(t, "", "confidence").as_deref() {
            Some("H") => Confidence::H,
            Some("M") => Confidence::M,
            Some("L") => Confidence::L,
            Some(_) => {
                self.err("confidence", "must be \"H\", \"M\" or \"L\"");
                Confidence::L
            }
            None => {
                if t.get("confidence").is_none() {
                    self.err(
                        "confidence",
                        "missing; say how sure the source is: \"H\", \"M\" or \"L\"",
                    );
                }
                Confidence::L
            }
        };
        let applies = self.applies(t);
        let eligibility = self.eligibility(t);
        let award = self.award(t, &eligibility);
        let cost_sharing = self.cost_sharing(t);
        let application_windows = self.windows(t);
        let enabled = self.opt_bool(t, "", "enabled", true);
        Some(Rule {
            id,
            title,
            jurisdiction: jurisdiction?,
            issuing_body,
            document,
            issued_on,
            source,
            confidence,
            applies,
            eligibility,
            award: award?,
            cost_sharing,
            application_windows,
            enabled,
        })
    }

    fn jurisdiction(&mut self, t: &Table) -> Option<Jurisdiction> {
        let j = self.table(t, "", "jurisdiction", true)?;
        self.known(j, "jurisdiction", &["province", "city", "district"]);
        let province_text = self.req_str(j, "jurisdiction", "province");
        let province = match crate::region::Regions::bundled().find(&province_text) {
            Some(r) => r.name.clone(),
            None => {
                if !province_text.is_empty() {
                    self.err(
                        "jurisdiction.province",
                        format!("{province_text:?} is not a province-level division (e.g. 浙江省)"),
                    );
                }
                province_text
            }
        };
        let city_text = self.req_str(j, "jurisdiction", "city");
        let city = super::cities::Cities::bundled().normalize(&city_text);
        Some(Jurisdiction {
            province,
            city,
            district: self.opt_str(j, "jurisdiction", "district"),
        })
    }

    fn applies(&mut self, t: &Table) -> Applies {
        let Some(a) = self.table(t, "", "applies", false) else {
            return Applies::default();
        };
        self.known(a, "applies", &["filed_from", "filed_to", "completed_by"]);
        let out = Applies {
            filed_from: self.opt_date(a, "applies", "filed_from"),
            filed_to: self.opt_date(a, "applies", "filed_to"),
            completed_by: self.opt_date(a, "applies", "completed_by"),
        };
        if out.filed_to.is_some() && out.completed_by.is_some() {
            self.err(
                "applies.completed_by",
                "give filed_to or completed_by, not both (they are the same bound)",
            );
        }
        if let (Some(f), Some(to)) = (out.filed_from, out.upper()) {
            if f > to {
                self.err(
                    "applies.filed_from",
                    format!("{f} is after the end of the window ({to})"),
                );
            }
        }
        out
    }

    fn eligibility(&mut self, t: &Table) -> Eligibility {
        let empty = Table::new();
        let e = self.table(t, "", "eligibility", true).unwrap_or(&empty);
        self.known(
            e,
            "eligibility",
            &[
                "kinds",
                "first_filing_only",
                "self_developed_required",
                "registered_city",
                "registered_district",
                "accept_unconfirmed",
                "first_n",
                "tie",
                "requires_spend",
                "unchecked",
            ],
        );
        let mut kinds = Vec::new();
        match e.get("kinds") {
            Some(Value::Array(a)) if !a.is_empty() => {
                for v in a {
                    match v.as_str().and_then(FilingKind::parse) {
                        Some(k) if !kinds.contains(&k) => kinds.push(k),
                        Some(_) => {}
                        None => self.err(
                            "eligibility.kinds",
                            format!(
                                "{} is not a filing kind; use \"filed\", \"registered\" or \"algorithm\"",
                                v.as_str().map(|s| format!("{s:?}")).unwrap_or_else(|| "a value that is not text".into())
                            ),
                        ),
                    }
                }
            }
            Some(_) => self.err(
                "eligibility.kinds",
                "must be a non-empty list, e.g. [\"filed\"] or [\"filed\", \"registered\"]",
            ),
            None => self.err(
                "eligibility.kinds",
                "missing; say which filings count: [\"filed\"], [\"registered\"], [\"algorithm\"]",
            ),
        }
        kinds.sort();
        let first_n = self.opt_count(e, "eligibility", "first_n");
        let tie = match self.opt_str(e, "eligibility", "tie").as_deref() {
            Some("include_all_tied") => Some(TieRule::IncludeAllTied),
            Some("by_number") => Some(TieRule::ByNumber),
            Some(other) => {
                self.err(
                    "eligibility.tie",
                    format!(
                        "{other:?} is not a tie rule; use \"include_all_tied\" or \"by_number\""
                    ),
                );
                None
            }
            None => None,
        };
        let first_n = match (first_n, tie) {
            (Some(n), Some(tie)) => Some(FirstN { n, tie }),
            (Some(_), None) => {
                if !self
                    .issues
                    .iter()
                    .any(|i| i.column.as_deref() == Some("eligibility.tie"))
                {
                    self.err(
                        "eligibility.tie",
                        "missing; with first_n, say how same-day filers at the boundary are \
                         ranked: \"include_all_tied\" or \"by_number\"",
                    );
                }
                None
            }
            (None, Some(_)) => {
                self.err("eligibility.tie", "only means something with first_n");
                None
            }
            (None, None) => None,
        };
        let requires_spend = match self.opt_str(e, "eligibility", "requires_spend") {
            Some(s) => match SpendKind::parse(&s) {
                Some(k) => Some(k),
                None => {
                    self.err(
                        "eligibility.requires_spend",
                        format!("{s:?} is not a spend kind; use \"compute\" or \"model_purchase\""),
                    );
                    None
                }
            },
            None => None,
        };
        let registered_district = self.opt_str(e, "eligibility", "registered_district");
        let registered_city = self
            .opt_str(e, "eligibility", "registered_city")
            .map(|c| super::cities::Cities::bundled().normalize(&c));
        if registered_district.is_some() && registered_city.is_none() {
            self.err(
                "eligibility.registered_district",
                "needs eligibility.registered_city too (district names repeat across cities)",
            );
        }
        let mut unchecked = Vec::new();
        match e.get("unchecked") {
            Some(Value::Array(a)) => {
                for (i, v) in a.iter().enumerate() {
                    let field = format!("eligibility.unchecked[{i}]");
                    match v {
                        Value::String(_) | Value::Table(_) => {
                            if let Some(u) = self.local(&field, v) {
                                unchecked.push(u);
                            }
                        }
                        _ => self.err(
                            "eligibility.unchecked",
                            "must be a list of sentences in quotes (or { zh = \"…\", en = \"…\" })",
                        ),
                    }
                }
            }
            Some(_) => self.err(
                "eligibility.unchecked",
                "must be a list of sentences in quotes (or { zh = \"…\", en = \"…\" })",
            ),
            None => {}
        }
        Eligibility {
            kinds,
            first_filing_only: self.opt_bool(e, "eligibility", "first_filing_only", false),
            self_developed_required: self.opt_bool(
                e,
                "eligibility",
                "self_developed_required",
                false,
            ),
            registered_city,
            registered_district,
            accept_unconfirmed: self.opt_bool(e, "eligibility", "accept_unconfirmed", false),
            first_n,
            requires_spend,
            unchecked,
        }
    }

    fn award(&mut self, t: &Table, elig: &Eligibility) -> Option<Award> {
        let a = self.table(t, "", "award", true)?;
        self.known(
            a,
            "award",
            &[
                "kind",
                "amount_cny",
                "amount_by_kind",
                "amount_unknown_reason",
                "up_to",
                "rate_percent",
                "rate_basis_points",
                "cap_cny",
                "cap_per_year_cny",
                "years",
            ],
        );
        let kind = match self.opt_str(a, "award", "kind").as_deref() {
            Some("lump_sum_per_enterprise") => Some(AwardKind::LumpSumPerEnterprise),
            Some("lump_sum_per_filing") => Some(AwardKind::LumpSumPerFiling),
            Some("rate_of_spend") => Some(AwardKind::RateOfSpend),
            other => {
                self.err(
                    "award.kind",
                    format!(
                        "{} use \"lump_sum_per_enterprise\", \"lump_sum_per_filing\" or \"rate_of_spend\"",
                        match other {
                            Some(o) => format!("{o:?} is not an award kind;"),
                            None => "missing;".to_string(),
                        }
                    ),
                );
                None
            }
        };
        let amount_cny = self.opt_money(a, "award", "amount_cny");
        let mut amount_by_kind = BTreeMap::new();
        match a.get("amount_by_kind") {
            Some(Value::Table(m)) => {
                for (k, v) in m {
                    let field = format!("award.amount_by_kind.{k}");
                    let Some(fk) = FilingKind::parse(k) else {
                        self.err(
                            &field,
                            "not a filing kind; use filed, registered or algorithm",
                        );
                        continue;
                    };
                    match v {
                        Value::Integer(i) if *i > 0 => {
                            amount_by_kind.insert(fk, *i);
                        }
                        _ => self.err(&field, "must be a positive whole number of yuan"),
                    }
                }
            }
            Some(_) => self.err(
                "award.amount_by_kind",
                "must be a table of kind = yuan, e.g. { filed = 1000000, algorithm = 200000 }",
            ),
            None => {}
        }
        let amount_unknown_reason = self.opt_local(a, "award", "amount_unknown_reason");
        let rate_percent = match a.get("rate_percent") {
            Some(Value::Integer(i)) if (1..=100).contains(i) => Some(*i * 100),
            Some(Value::Float(_)) => {
                self.err(
                    "award.rate_percent",
                    "must be a whole percent (30); for a fraction use rate_basis_points (30.5 % = 3050)",
                );
                None
            }
            Some(_) => {
                self.err(
                    "award.rate_percent",
                    "must be a whole percent from 1 to 100",
                );
                None
            }
            None => None,
        };
        let rate_bp = match a.get("rate_basis_points") {
            Some(Value::Integer(i)) if (1..=10_000).contains(i) => Some(*i),
            Some(_) => {
                self.err(
                    "award.rate_basis_points",
                    "must be a whole number of basis points from 1 to 10000 (30 % = 3000)",
                );
                None
            }
            None => None,
        };
        if rate_percent.is_some() && rate_bp.is_some() {
            self.err(
                "award.rate_basis_points",
                "give rate_percent or rate_basis_points, not both",
            );
        }
        let award = Award {
            kind: kind?,
            amount_cny,
            amount_by_kind,
            amount_unknown_reason,
            up_to: self.opt_bool(a, "award", "up_to", false),
            rate_basis_points: rate_percent.or(rate_bp),
            cap_cny: self.opt_money(a, "award", "cap_cny"),
            cap_per_year_cny: self.opt_money(a, "award", "cap_per_year_cny"),
            years: self.opt_count(a, "award", "years"),
        };
        self.award_consistent(a, &award, elig);
        Some(award)
    }

    fn award_consistent(&mut self, a: &Table, w: &Award, elig: &Eligibility) {
        let has = |k: &str| a.contains_key(k);
        match w.kind {
            AwardKind::LumpSumPerEnterprise | AwardKind::LumpSumPerFiling => {
                for k in ["rate_percent", "rate_basis_points", "years"] {
                    if has(k) {
                        self.err(&format!("award.{k}"), "only for kind = \"rate_of_spend\"");
                    }
                }
                if w.kind == AwardKind::LumpSumPerEnterprise && has("amount_by_kind") {
                    self.err(
                        "award.amount_by_kind",
                        "only for kind = \"lump_sum_per_filing\"; a per-enterprise sum is one amount_cny",
                    );
                }
                if has("amount_cny") && has("amount_by_kind") {
                    self.err(
                        "award.amount_by_kind",
                        "give amount_cny or amount_by_kind, not both",
                    );
                }
                let any_amount = has("amount_cny") || has("amount_by_kind");
                if any_amount && w.amount_unknown_reason.is_some() {
                    self.err(
                        "award.amount_unknown_reason",
                        "only when the amount is not known; remove amount_cny or this reason",
                    );
                }
                if !any_amount && !has("amount_unknown_reason") {
                    self.err(
                        "award.amount_cny",
                        "missing; give the amount in whole yuan, or amount_unknown_reason when the \
                         policy sets it on review",
                    );
                }
                if has("amount_by_kind") {
                    for k in &elig.kinds {
                        if !w.amount_by_kind.contains_key(k) {
                            self.err(
                                &format!("award.amount_by_kind.{}", k.as_str()),
                                format!("missing; eligibility.kinds counts {} filings", k.as_str()),
                            );
                        }
                    }
                    for k in w.amount_by_kind.keys() {
                        if !elig.kinds.contains(k) {
                            self.err(
                                &format!("award.amount_by_kind.{}", k.as_str()),
                                "this kind is not in eligibility.kinds, so it would never be paid",
                            );
                        }
                    }
                }
            }
            AwardKind::RateOfSpend => {
                for k in ["amount_cny", "amount_by_kind", "amount_unknown_reason"] {
                    if has(k) {
                        self.err(
                            &format!("award.{k}"),
                            "not for kind = \"rate_of_spend\" (give the rate and caps)",
                        );
                    }
                }
                if w.rate_basis_points.is_none()
                    && !has("rate_percent")
                    && !has("rate_basis_points")
                {
                    self.err(
                        "award.rate_percent",
                        "missing; a rate of spend needs rate_percent or rate_basis_points",
                    );
                }
                if elig.requires_spend.is_none()
                    && !has_issue(&self.issues, "eligibility.requires_spend")
                {
                    self.err(
                        "eligibility.requires_spend",
                        "missing; a rate of spend must say which spend: \"compute\" or \"model_purchase\"",
                    );
                }
                if w.cap_cny.is_none()
                    && w.cap_per_year_cny.is_none()
                    && !has("cap_cny")
                    && !has("cap_per_year_cny")
                {
                    self.err(
                        "award.cap_cny",
                        "missing; a rate needs a cap (cap_cny and/or cap_per_year_cny)",
                    );
                }
            }
        }
    }

    fn cost_sharing(&mut self, t: &Table) -> Option<CostSharing> {
        let c = self.table(t, "", "cost_sharing", false)?;
        self.known(c, "cost_sharing", &["text", "shares"]);
        let text = match self.opt_local(c, "cost_sharing", "text") {
            Some(t) => t,
            None => {
                if c.get("text").is_none() {
                    self.err("cost_sharing.text", "missing; this field is required");
                }
                LocalText::Same(String::new())
            }
        };
        let mut shares = Vec::new();
        match c.get("shares") {
            Some(Value::Array(a)) if !a.is_empty() => {
                for (i, v) in a.iter().enumerate() {
                    let field = format!("cost_sharing.shares[{i}]");
                    let Some(s) = v.as_table() else {
                        self.err(&field, "must be { party = \"…\", share = 1 }");
                        continue;
                    };
                    self.known(s, &field, &["party", "share"]);
                    let party = self.req_str(s, &field, "party");
                    let share = self.opt_count(s, &field, "share");
                    if s.get("share").is_none() {
                        self.err(&format!("{field}.share"), "missing; a whole number (1 for 1:1)");
                    }
                    if let Some(share) = share {
                        shares.push(Share { party, share });
                    }
                }
            }
            _ => self.err(
                "cost_sharing.shares",
                "must list the parties, e.g. [{ party = \"广州市\", share = 1 }, { party = \"海珠区\", share = 1 }]",
            ),
        }
        Some(CostSharing { text, shares })
    }

    fn windows(&mut self, t: &Table) -> Vec<ApplicationWindow> {
        let Some(v) = t.get("application_windows") else {
            return Vec::new();
        };
        let Some(a) = v.as_array() else {
            self.err(
                "application_windows",
                "must be a list: [[application_windows]] sections or [{ from = …, to = … }]",
            );
            return Vec::new();
        };
        let mut out = Vec::new();
        for (i, w) in a.iter().enumerate() {
            let field = format!("application_windows[{i}]");
            let Some(w) = w.as_table() else {
                self.err(&field, "must be { from = …, to = …, note = \"…\" }");
                continue;
            };
            self.known(w, &field, &["from", "to", "note"]);
            let win = ApplicationWindow {
                from: self.opt_date(w, &field, "from"),
                to: self.opt_date(w, &field, "to"),
                note: self.opt_local(w, &field, "note"),
            };
            if let (Some(f), Some(t)) = (win.from, win.to) {
                if f > t {
                    self.err(&format!("{field}.from"), format!("{f} is after {t}"));
                }
            }
            out.push(win);
        }
        out
    }
}

fn has_issue(issues: &[Issue], field: &str) -> bool {
    issues.iter().any(|i| i.column.as_deref() == Some(field))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
id = "test-rule"
title = "A test"
issuing_body = "某市经信局"
confidence = "H"
[jurisdiction]
province = "浙江"
city = "杭州"
[document]
title = "某文件"
[source]
citation = "somewhere"
[eligibility]
kinds = ["filed"]
[award]
kind = "lump_sum_per_enterprise"
amount_cny = 500000
"#;

    fn messages(text: &str) -> Vec<String> {
        parse_rule("x.toml", text)
            .unwrap_err()
            .into_iter()
            .map(|i| i.message)
            .collect()
    }

    #[test]
    fn every_shipped_rule_loads() {
        let rules = bundled_rules().unwrap_or_else(|e| panic!("{e:#?}"));
        assert_eq!(rules.len(), BUNDLED_RULES.len());
        let mut ids: Vec<&str> = rules.iter().map(|(_, r)| r.id.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), rules.len(), "rule ids are unique");
        for (file, _) in BUNDLED_RULES {
            let id = file.trim_end_matches(".toml");
            assert!(ids.contains(&id), "{file}: its id matches the file name");
        }
    }

    #[test]
    fn a_minimal_rule_is_normalised() {
        let r = parse_rule("x.toml", MINIMAL).unwrap();
        assert_eq!(r.jurisdiction.province, "浙江省");
        assert_eq!(r.jurisdiction.city, "杭州市");
        assert!(r.enabled);
        assert_eq!(r.award.amount_cny, Some(500_000));
    }

    #[test]
    fn a_bad_amount_names_the_file_and_the_field() {
        let text = MINIMAL.replace("amount_cny = 500000", "amount_cny = 500000.5");
        let errs = parse_rule("hangzhou-model-filing.toml", &text).unwrap_err();
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert_eq!(
            errs[0].message,
            "hangzhou-model-filing.toml: award.amount_cny: must be a positive whole number of yuan"
        );
        assert_eq!(errs[0].column.as_deref(), Some("award.amount_cny"));
        let negative = MINIMAL.replace("amount_cny = 500000", "amount_cny = -5");
        assert!(
            messages(&negative)[0].contains("award.amount_cny: must be a positive whole number")
        );
    }

    #[test]
    fn unknown_fields_and_missing_tie_rules_are_named() {
        let text = MINIMAL.replace(
            "kinds = [\"filed\"]",
            "kinds = [\"filed\"]\nfirst_n = 10\nself_developed = true",
        );
        let m = messages(&text);
        assert!(
            m.iter()
                .any(|m| m.starts_with("x.toml: eligibility.self_developed: unknown field")),
            "{m:?}"
        );
        assert!(
            m.iter()
                .any(|m| m.starts_with("x.toml: eligibility.tie: missing")),
            "{m:?}"
        );
    }

    #[test]
    fn a_rate_needs_a_spend_kind_and_a_cap_and_refuses_float_rates() {
        let text = MINIMAL.replace(
            "kind = \"lump_sum_per_enterprise\"\namount_cny = 500000",
            "kind = \"rate_of_spend\"\nrate_percent = 30.5",
        );
        let m = messages(&text);
        assert!(
            m.iter()
                .any(|m| m.contains("award.rate_percent: must be a whole percent")),
            "{m:?}"
        );
        assert!(
            m.iter()
                .any(|m| m.contains("eligibility.requires_spend: missing")),
            "{m:?}"
        );
        assert!(
            m.iter().any(|m| m.contains("award.cap_cny: missing")),
            "{m:?}"
        );
    }

    #[test]
    fn an_amount_or_a_reason_is_required_and_by_kind_must_cover_the_kinds() {
        let text = MINIMAL.replace("amount_cny = 500000\n", "");
        assert!(messages(&text)[0].contains("award.amount_cny: missing"));
        let text = MINIMAL
            .replace("kinds = [\"filed\"]", "kinds = [\"filed\", \"algorithm\"]")
            .replace(
                "kind = \"lump_sum_per_enterprise\"\namount_cny = 500000",
                "kind = \"lump_sum_per_filing\"\namount_by_kind = { filed = 1000000 }",
            );
        assert!(messages(&text)
            .iter()
            .any(|m| m.contains("award.amount_by_kind.algorithm: missing")));
    }

    /// MINIMAL with the four texts that reach the results, each in the form given.
    fn with_texts(unchecked: &str, reason: &str, cost: &str, note: &str) -> String {
        MINIMAL
            .replace(
                "kinds = [\"filed\"]",
                &format!("kinds = [\"filed\"]\nunchecked = [{unchecked}]"),
            )
            .replace(
                "amount_cny = 500000\n",
                &format!("amount_unknown_reason = {reason}\n"),
            )
            + &format!(
                "[cost_sharing]\ntext = {cost}\nshares = [{{ party = \"杭州市\", share = 1 }}]\n\
                 [[application_windows]]\nnote = {note}\n"
            )
    }

    #[test]
    fn texts_are_plain_for_both_languages_or_a_zh_en_pair() {
        let plain = with_texts(
            "\"性能先进\"",
            "\"set on review\"",
            "\"市、区1:1分担\"",
            "\"dates not recorded\"",
        );
        let r = parse_rule("x.toml", &plain).unwrap();
        assert_eq!(r.eligibility.unchecked, vec![LocalText::from("性能先进")]);
        assert_eq!(
            r.award.amount_unknown_reason,
            Some(LocalText::from("set on review"))
        );
        assert_eq!(
            r.cost_sharing.unwrap().text,
            LocalText::from("市、区1:1分担")
        );
        assert_eq!(
            r.application_windows[0].note,
            Some(LocalText::from("dates not recorded"))
        );

        let pair = |zh: &str, en: &str| LocalText::Pair {
            zh: zh.into(),
            en: en.into(),
        };
        let paired = with_texts(
            "\"性能先进\", { zh = \"在海珠区纳税\", en = \"taxed in 海珠区\" }",
            "{ zh = \"金额经评审确定\", en = \"set on review\" }",
            "{ zh = \"市、区按 1:1 分担\", en = \"city and district share the cost 1:1\" }",
            "{ zh = \" 具体日期未记录 \", en = \"dates not recorded\" }",
        );
        let r = parse_rule("x.toml", &paired).unwrap();
        assert_eq!(
            r.eligibility.unchecked,
            vec![
                LocalText::from("性能先进"),
                pair("在海珠区纳税", "taxed in 海珠区")
            ]
        );
        assert_eq!(
            r.award.amount_unknown_reason,
            Some(pair("金额经评审确定", "set on review"))
        );
        assert_eq!(
            r.cost_sharing.unwrap().text,
            pair("市、区按 1:1 分担", "city and district share the cost 1:1")
        );
        assert_eq!(
            r.application_windows[0].note,
            Some(pair("具体日期未记录", "dates not recorded")),
            "trimmed like plain texts"
        );
    }

    #[test]
    fn an_incomplete_pair_names_the_missing_language() {
        let text = with_texts(
            "{ zh = \"在海珠区纳税\" }",
            "{ zh = \"金额经评审确定\", en = \"  \" }",
            "{ en = \"shared 1:1\", zh = \"市、区1:1分担\", fr = \"1:1\" }",
            "{}",
        );
        let m = messages(&text);
        for want in [
            "x.toml: eligibility.unchecked[0].en: missing; a table gives both zh and en",
            "x.toml: award.amount_unknown_reason.en: must be non-empty text",
            "x.toml: cost_sharing.text.fr: unknown field; the fields here are: zh, en",
            "x.toml: application_windows[0].note.zh: missing",
            "x.toml: application_windows[0].note.en: missing",
        ] {
            assert!(m.iter().any(|m| m.starts_with(want)), "{want}\n{m:#?}");
        }
        assert_eq!(m.len(), 5, "{m:#?}");
        let m = messages(&with_texts("42", "\"x\"", "\"x\"", "[\"x\"]"));
        assert!(
            m.iter().any(
                |m| m.starts_with("x.toml: eligibility.unchecked: must be a list of sentences")
            ),
            "{m:#?}"
        );
        assert!(
            m.iter().any(|m| m
                .starts_with("x.toml: application_windows[0].note: write text in quotes, or { zh")),
            "{m:#?}"
        );
    }

    #[test]
    fn syntax_errors_name_the_file() {
        let m = messages("id = \"x\"\ntitle = ");
        assert!(m[0].starts_with("x.toml: not valid TOML"), "{m:?}");
    }

    #[test]
    fn a_bad_province_and_dates_are_named() {
        let text = MINIMAL
            .replace("province = \"浙江\"", "province = \"Atlantis\"")
            .replace(
                "[eligibility]",
                "[applies]\nfiled_from = \"2024-13-01\"\n[eligibility]",
            );
        let m = messages(&text);
        assert!(
            m.iter()
                .any(|m| m.contains("jurisdiction.province: \"Atlantis\"")),
            "{m:?}"
        );
        assert!(
            m.iter()
                .any(|m| m.contains("applies.filed_from: \"2024-13-01\" is not a date")),
            "{m:?}"
        );
    }
}
