//! `beian subsidies …` and `beian company …`: the subsidy rules, the company facts they need, and
//! the evaluation, for scripts and for checking the app's answers.

use super::output::{print_rows, print_value, Format, Out};
use super::{now, open};
use crate::error::{Error, Result};
use crate::export::Language;
use crate::registry::{RuleInfo, RuleOrigin};
use crate::subsidy::eval::{yuan, EvaluationReport};
use crate::subsidy::facts::{
    parse_spend, AlgorithmFiling, CompanyFacts, CompanyFactsUpdate, Fact, FactInput, Provenance,
    SelfDeveloped,
};
use crate::subsidy::reason::RuleNote;
use crate::subsidy::rules::{AwardKind, Rule, TieRule};
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Args, Debug)]
pub struct SubsidiesArgs {
    #[command(subcommand)]
    command: SubsidiesCommand,
}

#[derive(Subcommand, Debug)]
enum SubsidiesCommand {
    /// The rules in effect: bundled, overridden and your own, with confidence and source.
    Rules,
    /// Who qualifies under which rule, for how much, and why.
    Eval {
        /// Only this rule (evaluated even when disabled).
        #[arg(long, value_name = "ID")]
        rule: Option<String>,
        /// Only this company: every rule, with why it does or does not qualify.
        #[arg(long, value_name = "NAME")]
        company: Option<String>,
        /// Evaluate as of this date (default: today).
        #[arg(long, value_name = "DATE")]
        as_of: Option<String>,
        /// Print each rule's totals instead of one row per enterprise.
        #[arg(long)]
        totals: bool,
        /// The language of reasons and notes: en (the default, so scripts matching the English
        /// sentences keep working) or zh. JSON carries `reason_codes` / `note_codes` either way.
        #[arg(long, value_enum, default_value_t = LangArg::En)]
        lang: LangArg,
    },
    /// Validate a rule file without saving it (exit 1 with every problem named).
    CheckRule { file: PathBuf },
    /// Add a rule file, or replace the rule with its id (a bundled id makes an override).
    AddRule {
        file: PathBuf,
        /// Why (kept in the audit trail).
        #[arg(long)]
        note: Option<String>,
    },
    /// Stop evaluating a rule (bundled rules too; nothing is deleted).
    Disable { id: String },
    /// Evaluate a rule again.
    Enable { id: String },
    /// Delete your rule, or drop your override or switch so the bundled rule applies as shipped.
    Remove { id: String },
    /// Print a rule's TOML, or write every rule to a directory.
    Export {
        id: Option<String>,
        /// Write every rule (or the one given) as FILE.toml into this directory.
        #[arg(long, value_name = "DIR")]
        to: Option<PathBuf>,
    },
    /// Changes to rules and company facts, newest first.
    Audit,
}

#[derive(Clone, Copy, Debug, clap::ValueEnum)]
enum LangArg {
    Zh,
    En,
}

impl From<LangArg> for Language {
    fn from(l: LangArg) -> Language {
        match l {
            LangArg::Zh => Language::Zh,
            LangArg::En => Language::En,
        }
    }
}

#[derive(Args, Debug)]
pub struct CompanyArgs {
    #[command(subcommand)]
    command: CompanyCommand,
}

#[derive(Subcommand, Debug)]
enum CompanyCommand {
    /// Record facts about a company (entered and confirmed; audited).
    Set {
        /// The legal name, as the filings print it (brackets and spaces may differ).
        name: String,
        /// Registered city (杭州, 杭州市 or Hangzhou).
        #[arg(long)]
        city: Option<String>,
        /// Confirm the city Beian suggests from the name.
        #[arg(long, conflicts_with = "city")]
        confirm_city: bool,
        /// Registered district (海珠区).
        #[arg(long)]
        district: Option<String>,
        /// Whether the model is self-developed: yes, no or unknown.
        #[arg(long, value_name = "yes|no|unknown")]
        self_developed: Option<String>,
        /// A year's spend: YEAR:KIND:AMOUNT in whole yuan, KIND compute or model_purchase;
        /// repeat for several.
        #[arg(long, value_name = "YEAR:KIND:AMOUNT")]
        spend: Vec<String>,
        /// An algorithm filing (算法备案): NUMBER:DATE; repeat for several.
        #[arg(long, value_name = "NUMBER:DATE")]
        algorithm_filing: Vec<String>,
        /// Why (kept in the audit trail).
        #[arg(long)]
        note: Option<String>,
    },
    /// A company's facts, where each came from, and their history.
    Show { name: String },
    /// Every company with recorded facts.
    List,
}

fn today() -> NaiveDate {
    chrono::Local::now().date_naive()
}

fn read(path: &PathBuf) -> Result<(String, String)> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let text = String::from_utf8(bytes).map_err(|_| {
        Error::Usage(format!(
            "{}: a rule file must be UTF-8 text",
            path.display()
        ))
    })?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    Ok((name, text))
}

pub fn run_subsidies(db: Option<PathBuf>, format: Format, a: SubsidiesArgs) -> Result<i32> {
    let mut out = Out::stdout(format);
    match a.command {
        SubsidiesCommand::Rules => {
            let reg = open(db)?;
            print_rules(&mut out, format, &reg.list_rules()?)?;
        }
        SubsidiesCommand::Eval {
            rule,
            company,
            as_of,
            totals,
            lang,
        } => {
            let as_of = match as_of {
                Some(d) => crate::import::date::parse_date(&d)
                    .map_err(|e| Error::Usage(format!("--as-of: {e}")))?,
                None => today(),
            };
            let reg = open(db)?;
            if totals && company.is_none() {
                let report = reg.evaluate_totals(rule.as_deref(), as_of)?;
                print_totals(&mut out, format, &report, lang.into())?;
                return Ok(0);
            }
            let report = reg.evaluate(rule.as_deref(), company.as_deref(), as_of)?;
            if totals {
                print_totals(&mut out, format, &report, lang.into())?;
            } else {
                print_evaluation(&mut out, format, report, lang.into())?;
            }
        }
        SubsidiesCommand::CheckRule { file } => {
            let (name, text) = read(&file)?;
            let reg = open(db)?;
            let rule = reg.validate_rule_text(&name, &text)?;
            eprintln!("beian: {name}: rule {} is valid", rule.id);
            if format == Format::Json {
                print_value(&mut out, &rule)?;
            }
        }
        SubsidiesCommand::AddRule { file, note } => {
            let (name, text) = read(&file)?;
            let mut reg = open(db)?;
            let info = reg.save_rule(&name, &text, &now(), note.as_deref())?;
            eprintln!(
                "beian: saved rule {} ({})",
                info.rule.id,
                origin(info.origin)
            );
            print_rules(&mut out, format, &[info])?;
        }
        SubsidiesCommand::Disable { id } => {
            let mut reg = open(db)?;
            let info = reg.set_rule_enabled(&id, false, &now())?;
            print_rules(&mut out, format, &[info])?;
        }
        SubsidiesCommand::Enable { id } => {
            let mut reg = open(db)?;
            let info = reg.set_rule_enabled(&id, true, &now())?;
            print_rules(&mut out, format, &[info])?;
        }
        SubsidiesCommand::Remove { id } => {
            let mut reg = open(db)?;
            reg.remove_rule(&id, &now())?;
            eprintln!("beian: removed the user's version of {id}");
        }
        SubsidiesCommand::Export { id, to } => {
            let reg = open(db)?;
            let exports = match &id {
                Some(id) => vec![reg.export_rule(id)?],
                None => reg.export_rules()?,
            };
            match to {
                Some(dir) => {
                    std::fs::create_dir_all(&dir).map_err(|e| Error::io(&dir, e))?;
                    for e in &exports {
                        let p = dir.join(&e.file_name);
                        std::fs::write(&p, &e.text).map_err(|err| Error::io(&p, err))?;
                    }
                    eprintln!(
                        "beian: wrote {} rule file(s) to {}",
                        exports.len(),
                        dir.display()
                    );
                }
                None if format == Format::Json => print_value(&mut out, &exports)?,
                None => {
                    if id.is_none() {
                        return Err(Error::Usage(
                            "give a rule id to print it, or --to DIR to write every rule".into(),
                        ));
                    }
                    print!("{}", exports[0].text);
                }
            }
        }
        SubsidiesCommand::Audit => {
            let reg = open(db)?;
            print_value(&mut out, &reg.subsidy_audit()?)?;
        }
    }
    Ok(0)
}

pub fn run_company(db: Option<PathBuf>, format: Format, a: CompanyArgs) -> Result<i32> {
    let mut out = Out::stdout(format);
    match a.command {
        CompanyCommand::Set {
            name,
            city,
            confirm_city,
            district,
            self_developed,
            spend,
            algorithm_filing,
            note,
        } => {
            let mut reg = open(db)?;
            let registered_city = if confirm_city {
                let current = reg.company_facts(&name)?;
                let Some(c) = current.registered_city else {
                    return Err(Error::Usage(format!(
                        "no city to confirm: Beian suggests none from {:?}; give --city",
                        current.name
                    )));
                };
                Some(FactInput {
                    value: Some(c.value),
                    provenance: c.provenance,
                    confirmed: true,
                })
            } else {
                city.map(FactInput::entered)
            };
            let self_developed = match self_developed {
                Some(s) => Some(FactInput::entered(SelfDeveloped::parse(&s).ok_or_else(
                    || Error::Usage(format!("--self-developed {s:?}: use yes, no or unknown")),
                )?)),
                None => None,
            };
            let spend = spend
                .iter()
                .map(|s| parse_spend(s).map_err(|e| Error::Usage(format!("--spend {e}"))))
                .collect::<Result<Vec<_>>>()?;
            let algorithm_filings = algorithm_filing
                .iter()
                .map(|s| parse_algorithm_filing(s))
                .collect::<Result<Vec<_>>>()?;
            let update = CompanyFactsUpdate {
                name,
                registered_city,
                registered_district: district.map(FactInput::entered),
                self_developed,
                spend,
                algorithm_filings,
                note,
                ..Default::default()
            };
            if update.registered_city.is_none()
                && update.registered_district.is_none()
                && update.self_developed.is_none()
                && update.spend.is_empty()
                && update.algorithm_filings.is_empty()
            {
                return Err(Error::Usage(
                    "nothing to set: give --city, --confirm-city, --district, --self-developed, \
                     --spend or --algorithm-filing"
                        .into(),
                ));
            }
            let (facts, changes) = reg.set_company_facts(update, &now())?;
            if changes.is_empty() {
                eprintln!("beian: nothing to change");
            }
            print_company(&mut out, format, &facts)?;
        }
        CompanyCommand::Show { name } => {
            let reg = open(db)?;
            print_company(&mut out, format, &reg.company_facts(&name)?)?;
        }
        CompanyCommand::List => {
            let reg = open(db)?;
            let all = reg.companies()?;
            if format == Format::Json {
                print_value(&mut out, &all)?;
            } else {
                let rows = all
                    .iter()
                    .map(|c| {
                        vec![
                            c.name.clone(),
                            fact(&c.registered_city),
                            fact(&c.registered_district),
                            fact_with(&c.self_developed, |s| s.as_str().to_string()),
                            c.spend.len().to_string(),
                            c.algorithm_filings.len().to_string(),
                        ]
                    })
                    .collect();
                print_rows(
                    &mut out,
                    &[
                        "company",
                        "city",
                        "district",
                        "self_developed",
                        "spend",
                        "algorithm_filings",
                    ],
                    rows,
                )?;
            }
        }
    }
    Ok(0)
}

fn parse_algorithm_filing(s: &str) -> Result<AlgorithmFiling> {
    let (number, date) = s.rsplit_once(':').ok_or_else(|| {
        Error::Usage(format!(
            "--algorithm-filing {s:?}: write NUMBER:DATE, e.g. 网信算备110108970550101240011号:2024-03-01"
        ))
    })?;
    let date = crate::import::date::parse_date(date)
        .map_err(|e| Error::Usage(format!("--algorithm-filing {s:?}: {e}")))?;
    Ok(AlgorithmFiling {
        number: number.trim().to_string(),
        filed_on: date.to_string(),
        provenance: Provenance::Entered,
        confirmed: true,
    })
}

fn origin(o: RuleOrigin) -> &'static str {
    match o {
        RuleOrigin::Bundled => "bundled",
        RuleOrigin::User => "user",
        RuleOrigin::Override => "override",
    }
}

fn award_summary(r: &Rule) -> String {
    let w = &r.award;
    let up_to = if w.up_to { "up to " } else { "" };
    let mut s = match w.kind {
        AwardKind::LumpSumPerEnterprise => match w.amount_cny {
            Some(a) => format!("{up_to}{} per enterprise, once", yuan(a)),
            None => format!(
                "amount not fixed: {}",
                w.amount_unknown_reason
                    .as_ref()
                    .map_or("", |t| t.get(crate::export::Language::En))
            ),
        },
        AwardKind::LumpSumPerFiling => {
            if w.amount_by_kind.is_empty() {
                match w.amount_cny {
                    Some(a) => format!("{up_to}{} per filing", yuan(a)),
                    None => "amount not fixed".to_string(),
                }
            } else {
                let parts: Vec<String> = w
                    .amount_by_kind
                    .iter()
                    .map(|(k, a)| format!("{} {}", k.as_str(), yuan(*a)))
                    .collect();
                format!("{up_to}{} per filing", parts.join(", "))
            }
        }
        AwardKind::RateOfSpend => {
            let bp = w.rate_basis_points.unwrap_or(0);
            let spend = r
                .eligibility
                .requires_spend
                .map(|k| k.label())
                .unwrap_or("spend");
            format!("{up_to}{}.{:02}% of {spend}", bp / 100, bp % 100).replace(".00%", "%")
        }
    };
    if let Some(c) = w.cap_per_year_cny {
        s.push_str(&format!(", at most {} a year", yuan(c)));
    }
    if let Some(c) = w.cap_cny {
        s.push_str(&format!(", at most {} in all", yuan(c)));
    }
    if let Some(y) = w.years {
        s.push_str(&format!(", for up to {y} year(s)"));
    }
    if let Some(n) = r.eligibility.first_n {
        let tie = match n.tie {
            TieRule::IncludeAllTied => "include_all_tied",
            TieRule::ByNumber => "by_number",
        };
        s.push_str(&format!(", first {} (tie: {tie})", n.n));
    }
    s
}

fn print_rules(out: &mut Out, format: Format, rules: &[RuleInfo]) -> Result<()> {
    if format == Format::Json {
        return print_value(out, &rules);
    }
    let rows = rules
        .iter()
        .map(|i| {
            vec![
                i.rule.id.clone(),
                origin(i.origin).to_string(),
                if i.enabled { "yes" } else { "no" }.to_string(),
                format!("{:?}", i.rule.confidence),
                i.rule.jurisdiction.label(),
                award_summary(&i.rule),
                i.rule.title.clone(),
            ]
        })
        .collect();
    print_rows(
        out,
        &[
            "id",
            "origin",
            "enabled",
            "confidence",
            "jurisdiction",
            "award",
            "title",
        ],
        rows,
    )
}

fn print_evaluation(
    out: &mut Out,
    format: Format,
    report: EvaluationReport,
    lang: Language,
) -> Result<()> {
    let summary = report.summary();
    let rows = report.into_rows(lang);
    if format == Format::Json {
        return print_value(out, &rows);
    }
    let sep = if format == Format::Csv { " | " } else { "; " };
    let data = rows
        .iter()
        .map(|r| {
            vec![
                r.rule.clone(),
                r.jurisdiction.clone(),
                r.enterprise.clone(),
                r.status.as_str().to_string(),
                r.amount_cny.map(|a| a.to_string()).unwrap_or_default(),
                r.reasons.join(sep),
            ]
        })
        .collect();
    print_rows(
        out,
        &[
            "rule",
            "jurisdiction",
            "enterprise",
            "status",
            "amount_cny",
            "reasons",
        ],
        data,
    )?;
    if format == Format::Table {
        print_totals(out, format, &summary, lang)?;
    }
    Ok(())
}

fn print_totals(
    out: &mut Out,
    format: Format,
    report: &EvaluationReport,
    lang: Language,
) -> Result<()> {
    let notes = |o: &crate::subsidy::eval::RuleOutcome| -> Vec<String> {
        o.notes.iter().map(|n| n.text(lang)).collect()
    };
    if format == Format::Json {
        #[derive(serde::Serialize)]
        struct Totals<'a> {
            rule: &'a str,
            jurisdiction: &'a str,
            #[serde(flatten)]
            totals: &'a crate::subsidy::eval::RuleTotals,
            notes: Vec<String>,
            note_codes: &'a [RuleNote],
        }
        let v: Vec<Totals> = report
            .rules
            .iter()
            .map(|o| Totals {
                rule: &o.rule,
                jurisdiction: &o.jurisdiction,
                totals: &o.totals,
                notes: notes(o),
                note_codes: &o.notes,
            })
            .collect();
        return print_value(out, &v);
    }
    let rows = report
        .rules
        .iter()
        .map(|o| {
            let t = &o.totals;
            vec![
                o.rule.clone(),
                t.qualifies.to_string(),
                t.qualifies_amount_unknown.to_string(),
                t.cannot_tell.to_string(),
                t.does_not_qualify.to_string(),
                t.not_considered.to_string(),
                t.total_cny.to_string(),
                notes(o).join(lang.pick("；", "; ")),
            ]
        })
        .collect();
    print_rows(
        out,
        &[
            "rule",
            "qualifies",
            "amount_unknown",
            "cannot_tell",
            "does_not_qualify",
            "not_considered",
            "total_cny",
            "notes",
        ],
        rows,
    )
}

fn fact_with<T>(f: &Option<Fact<T>>, show: impl Fn(&T) -> String) -> String {
    match f {
        Some(f) => format!(
            "{} ({}{})",
            show(&f.value),
            f.provenance.as_str(),
            if f.confirmed {
                ", confirmed"
            } else {
                ", not confirmed"
            }
        ),
        None => String::new(),
    }
}

fn fact(f: &Option<Fact<String>>) -> String {
    fact_with(f, String::clone)
}

fn print_company(out: &mut Out, format: Format, c: &CompanyFacts) -> Result<()> {
    if format == Format::Json {
        return print_value(out, c);
    }
    let mut rows = vec![
        vec!["name".to_string(), c.name.clone()],
        vec!["registered_city".into(), fact(&c.registered_city)],
        vec!["registered_district".into(), fact(&c.registered_district)],
        vec![
            "self_developed".into(),
            fact_with(&c.self_developed, |s| s.as_str().to_string()),
        ],
    ];
    for s in &c.spend {
        rows.push(vec![
            format!("spend {} {}", s.year, s.kind.as_str()),
            format!(
                "{} ({}{})",
                s.amount_cny,
                s.provenance.as_str(),
                if s.confirmed {
                    ", confirmed"
                } else {
                    ", not confirmed"
                }
            ),
        ]);
    }
    for a in &c.algorithm_filings {
        rows.push(vec![
            "algorithm_filing".into(),
            format!("{} on {} ({})", a.number, a.filed_on, a.provenance.as_str()),
        ]);
    }
    for e in &c.audit {
        let ch: Vec<String> = e
            .changes
            .iter()
            .map(|x| {
                format!(
                    "{}: {} → {}",
                    x.field,
                    x.before.as_deref().unwrap_or("∅"),
                    x.after.as_deref().unwrap_or("∅")
                )
            })
            .collect();
        let mut line = format!("{} {}", e.at, ch.join("; "));
        if let Some(n) = &e.note {
            line.push_str(&format!(" ({n})"));
        }
        rows.push(vec!["changed".into(), line]);
    }
    print_rows(out, &["field", "value"], rows)
}
