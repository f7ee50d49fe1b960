//! Facts about a company that the filing list lacks — registered city and district, whether its
//! model is self-developed, its yearly spend, its algorithm filings — each with where it came from
//! and whether a person has confirmed it.

use super::cities::{Cities, City};
use crate::query::FieldChange;
use crate::region::alias_key;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Where a fact came from. Only `entered` facts are confirmed by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Provenance {
    /// Typed in by a person.
    Entered,
    /// Suggested by Beian from the company's legal name.
    InferredFromName,
    /// Read from a file someone imported.
    Imported,
}

impl Provenance {
    pub fn as_str(self) -> &'static str {
        match self {
            Provenance::Entered => "entered",
            Provenance::InferredFromName => "inferred_from_name",
            Provenance::Imported => "imported",
        }
    }

    pub fn parse(s: &str) -> Option<Provenance> {
        match s {
            "entered" => Some(Provenance::Entered),
            "inferred_from_name" => Some(Provenance::InferredFromName),
            "imported" => Some(Provenance::Imported),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SelfDeveloped {
    Yes,
    No,
    Unknown,
}

impl SelfDeveloped {
    pub fn as_str(self) -> &'static str {
        match self {
            SelfDeveloped::Yes => "yes",
            SelfDeveloped::No => "no",
            SelfDeveloped::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Option<SelfDeveloped> {
        match s.trim().to_ascii_lowercase().as_str() {
            "yes" | "y" | "true" | "是" => Some(SelfDeveloped::Yes),
            "no" | "n" | "false" | "否" => Some(SelfDeveloped::No),
            "unknown" | "" => Some(SelfDeveloped::Unknown),
            _ => None,
        }
    }
}

/// What a rate of spend is a rate of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SpendKind {
    /// Compute (算力) bought or rented in the year.
    Compute,
    /// Models bought in the year.
    ModelPurchase,
}

impl SpendKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SpendKind::Compute => "compute",
            SpendKind::ModelPurchase => "model_purchase",
        }
    }

    pub fn parse(s: &str) -> Option<SpendKind> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "compute" => Some(SpendKind::Compute),
            "model_purchase" | "model" => Some(SpendKind::ModelPurchase),
            _ => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            SpendKind::Compute => "compute spend",
            SpendKind::ModelPurchase => "model purchase cost",
        }
    }
}

/// One fact with its provenance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Fact<T> {
    pub value: T,
    pub provenance: Provenance,
    /// A person has confirmed the value. Inferred values are never confirmed until someone does.
    pub confirmed: bool,
    /// When it was last written (absent for a suggestion that is not stored).
    pub updated_at: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SpendFact {
    pub year: i32,
    pub kind: SpendKind,
    #[ts(type = "number")]
    pub amount_cny: i64,
    pub provenance: Provenance,
    pub confirmed: bool,
}

/// An algorithm (算法备案) or deep-synthesis filing: a separate system the CAC lists do not carry,
/// so a person records it per company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AlgorithmFiling {
    pub number: String,
    /// YYYY-MM-DD
    pub filed_on: String,
    pub provenance: Provenance,
    pub confirmed: bool,
}

/// One manual change to a company's facts or to a subsidy rule.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct FactAuditEntry {
    #[ts(type = "number")]
    pub id: i64,
    pub at: String,
    /// `company` or `rule`.
    pub subject: String,
    /// The company's legal name or the rule's id.
    pub key: String,
    pub changes: Vec<FieldChange>,
    pub note: Option<String>,
}

/// Everything known about one company beyond its filings.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct CompanyFacts {
    /// The legal name as first recorded (or as the filings print it).
    pub name: String,
    /// Stored, or else suggested from the name (`inferred_from_name`, not confirmed).
    pub registered_city: Option<Fact<String>>,
    pub registered_district: Option<Fact<String>>,
    pub self_developed: Option<Fact<SelfDeveloped>>,
    pub spend: Vec<SpendFact>,
    pub algorithm_filings: Vec<AlgorithmFiling>,
    /// Whether any fact is stored (false: only a suggestion from the name).
    pub recorded: bool,
    pub audit: Vec<FactAuditEntry>,
}

impl CompanyFacts {
    /// A recorded company before its facts are read in: the store fills the fields it holds.
    pub(crate) fn recorded(name: String) -> CompanyFacts {
        CompanyFacts {
            name,
            registered_city: None,
            registered_district: None,
            self_developed: None,
            spend: Vec::new(),
            algorithm_filings: Vec::new(),
            recorded: true,
            audit: Vec::new(),
        }
    }

    /// Nothing stored: only what the name suggests.
    pub fn from_name(name: &str) -> CompanyFacts {
        CompanyFacts {
            name: name.trim().to_string(),
            ..CompanyFacts::suggesting(Cities::bundled().suggest_from_company(name))
        }
    }

    /// Nothing stored, and no name: what a name suggesting `city` gives any company.
    pub(crate) fn suggesting(city: Option<&City>) -> CompanyFacts {
        CompanyFacts {
            name: String::new(),
            registered_city: city.map(suggested),
            registered_district: None,
            self_developed: None,
            spend: Vec::new(),
            algorithm_filings: Vec::new(),
            recorded: false,
            audit: Vec::new(),
        }
    }
}

/// The city the name suggests, as an unconfirmed inferred fact.
pub fn suggested_city(name: &str) -> Option<Fact<String>> {
    Cities::bundled().suggest_from_company(name).map(suggested)
}

fn suggested(city: &City) -> Fact<String> {
    Fact {
        value: city.name.clone(),
        provenance: Provenance::InferredFromName,
        confirmed: false,
        updated_at: None,
    }
}

/// The key under which a company is one company: full-width brackets and spaces folded, so
/// `阿里巴巴达摩院（杭州）科技有限公司` and `阿里巴巴达摩院 (杭州) 科技有限公司` are the same.
pub fn company_key(name: &str) -> String {
    alias_key(name)
}

/// A new value for one fact; `value: None` clears it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FactInput<T> {
    pub value: Option<T>,
    pub provenance: Provenance,
    pub confirmed: bool,
}

impl<T> FactInput<T> {
    /// A value a person typed: entered and confirmed.
    pub fn entered(value: T) -> FactInput<T> {
        FactInput {
            value: Some(value),
            provenance: Provenance::Entered,
            confirmed: true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SpendKey {
    pub year: i32,
    pub kind: SpendKind,
}

/// A change to a company's facts. Fields left `None` (or empty) are not touched.
#[derive(Debug, Clone, Default, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct CompanyFactsUpdate {
    pub name: String,
    pub registered_city: Option<FactInput<String>>,
    pub registered_district: Option<FactInput<String>>,
    pub self_developed: Option<FactInput<SelfDeveloped>>,
    /// Added, or replacing the fact for the same year and kind.
    pub spend: Vec<SpendFact>,
    pub remove_spend: Vec<SpendKey>,
    /// Added, or replacing the one with the same number.
    pub algorithm_filings: Vec<AlgorithmFiling>,
    pub remove_algorithm_filings: Vec<String>,
    /// Why (kept in the audit trail).
    pub note: Option<String>,
}

/// Parses `YEAR:KIND:AMOUNT` (`2024:compute:40000000`), as the CLI takes spend.
pub fn parse_spend(s: &str) -> Result<SpendFact, String> {
    let parts: Vec<&str> = s.split(':').map(str::trim).collect();
    let [year, kind, amount] = parts.as_slice() else {
        return Err(format!(
            "{s:?}: write spend as YEAR:KIND:AMOUNT, e.g. 2024:compute:40000000"
        ));
    };
    let year: i32 = year
        .parse()
        .ok()
        .filter(|y| (1990..=2200).contains(y))
        .ok_or_else(|| format!("{s:?}: {year:?} is not a year"))?;
    let kind = SpendKind::parse(kind)
        .ok_or_else(|| format!("{s:?}: spend kind must be compute or model_purchase"))?;
    let amount: i64 = amount
        .replace([',', '_'], "")
        .parse()
        .ok()
        .filter(|a| *a >= 0)
        .ok_or_else(|| {
            format!("{s:?}: the amount must be a whole number of yuan, 0 or more (no decimals)")
        })?;
    Ok(SpendFact {
        year,
        kind,
        amount_cny: amount,
        provenance: Provenance::Entered,
        confirmed: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spend_is_parsed_as_whole_yuan() {
        let s = parse_spend("2024:compute:40,000,000").unwrap();
        assert_eq!(
            (s.year, s.kind, s.amount_cny),
            (2024, SpendKind::Compute, 40_000_000)
        );
        assert!(parse_spend("2024:compute:1.5")
            .unwrap_err()
            .contains("whole number"));
        assert!(parse_spend("2024:rent:5")
            .unwrap_err()
            .contains("compute or model_purchase"));
        assert!(parse_spend("2024:compute").is_err());
    }

    #[test]
    fn a_name_alone_gives_an_unconfirmed_city() {
        let f = CompanyFacts::from_name("杭州某某科技有限公司");
        let city = f.registered_city.unwrap();
        assert_eq!(city.value, "杭州市");
        assert_eq!(city.provenance, Provenance::InferredFromName);
        assert!(!city.confirmed);
        assert_eq!(
            company_key("阿里巴巴达摩院（杭州）科技有限公司"),
            company_key("阿里巴巴达摩院 (杭州) 科技有限公司")
        );
    }
}
