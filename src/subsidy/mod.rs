//! Local subsidies tied to filing: rules as data ([`rules`]), the company facts the filing list
//! lacks ([`facts`], [`cities`]), and a pure evaluation of who qualifies for how much and why
//! ([`eval`]). The registry stores user rules and facts; nothing here touches SQL.

pub mod cities;
pub mod eval;
pub mod facts;
pub mod local_text;
pub mod reason;
pub mod rules;
pub mod shared_text;
pub mod snapshot;
pub mod view;

pub use eval::{
    evaluate_rules, EvaluationReport, EvaluationRow, FilingFact, ResultsPage, Shown, Status,
};
pub use facts::{CompanyFacts, CompanyFactsUpdate, Provenance, SelfDeveloped, SpendKind};
pub use local_text::LocalText;
pub use reason::{AmountUnknown, Need, Reason, RuleNote};
pub use rules::{parse_rule, FilingKind, Rule};
pub use view::EvaluationView;
