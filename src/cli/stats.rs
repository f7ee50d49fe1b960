//! `beian stats`: one figure per call (`--by …`), or the registry against the published totals
//! (`--completeness`).

use super::output::{io, print_rows, print_value, Format, Out};
use super::{filter_from, FilterArgs};
use crate::error::{Error, Result};
use crate::query::FilingFilter;
use crate::registry::Registry;
use crate::stats::{Completeness, PublishedComparison, StatsBy, StatsQuery, StatsReport};
use clap::{Args, ValueEnum};
use std::io::Write;

#[derive(Args, Debug)]
pub(super) struct StatsArgs {
    /// What to count by.
    #[arg(long, value_enum, required_unless_present = "completeness")]
    by: Option<ByArg>,
    /// Count only filings dated on or before this day (undated filings are then left out).
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
    /// Keep the N best-ranked rows (ties kept) and print their total and share (region, kind,
    /// company).
    #[arg(long, value_name = "N")]
    top: Option<u32>,
    /// Compare the registry with the latest published totals on or before --as-of (default
    /// today). Takes no filters: the published totals are national.
    #[arg(long, conflicts_with_all = ["by", "top"])]
    completeness: bool,
    #[command(flatten)]
    filter: FilterArgs,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum ByArg {
    Region,
    Kind,
    Month,
    Quarter,
    Year,
    Batch,
    Company,
}

impl From<ByArg> for StatsBy {
    fn from(b: ByArg) -> StatsBy {
        match b {
            ByArg::Region => StatsBy::Region,
            ByArg::Kind => StatsBy::Kind,
            ByArg::Month => StatsBy::Month,
            ByArg::Quarter => StatsBy::Quarter,
            ByArg::Year => StatsBy::Year,
            ByArg::Batch => StatsBy::Batch,
            ByArg::Company => StatsBy::Company,
        }
    }
}

fn as_of_arg(d: Option<String>) -> Result<Option<String>> {
    d.map(|d| {
        crate::import::date::parse_date(&d)
            .map(|d| d.to_string())
            .map_err(|e| Error::Usage(format!("--as-of: {e}")))
    })
    .transpose()
}

pub(super) fn run(reg: &Registry, a: StatsArgs, out: &mut Out) -> Result<i32> {
    let as_of = as_of_arg(a.as_of)?;
    let filter = filter_from(a.filter)?;
    if a.completeness {
        if filter != FilingFilter::default() {
            return Err(Error::Usage(
                "--completeness compares national totals and takes no filters; drop them".into(),
            ));
        }
        let day = as_of.unwrap_or_else(|| chrono::Utc::now().date_naive().to_string());
        print_completeness(out, &reg.completeness(&day)?)?;
        return Ok(0);
    }
    let Some(by) = a.by else {
        return Err(Error::Usage("say what to count with --by".into()));
    };
    let report = reg.stats(&StatsQuery {
        by: by.into(),
        filter,
        as_of,
        top: a.top,
    })?;
    print_report(out, &report)?;
    Ok(0)
}

fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// Notes beside the rows: on stdout under a table, on stderr beside CSV so the CSV stays rows.
fn note(out: &mut Out, text: &str) -> Result<()> {
    if out.format == Format::Csv {
        eprintln!("beian: {text}");
        Ok(())
    } else {
        writeln!(out.w, "{text}").map_err(io)?;
        out.w.flush().map_err(io)
    }
}

fn print_report(out: &mut Out, r: &StatsReport) -> Result<()> {
    if out.format == Format::Json {
        return print_value(out, r);
    }
    let running = r.by.is_ordered();
    // Elsewhere the label is the key itself.
    let labelled = matches!(r.by, StatsBy::Region | StatsBy::Batch);
    let share = |s: f64| {
        if out.format == Format::Table {
            percent(s)
        } else {
            s.to_string()
        }
    };
    let rows = r
        .rows
        .iter()
        .map(|row| {
            let mut v = vec![row.key.clone()];
            if labelled {
                v.push(row.label.clone());
            }
            v.extend([
                row.count.to_string(),
                share(row.share),
                row.rank.to_string(),
            ]);
            if running {
                v.push(row.cumulative.map(|c| c.to_string()).unwrap_or_default());
            }
            v
        })
        .collect();
    let mut header = vec!["key"];
    if labelled {
        header.push("label");
    }
    header.extend(["count", "share", "rank"]);
    if running {
        header.push("cumulative");
    }
    print_rows(out, &header, rows)?;
    if let Some(t) = &r.top {
        note(
            out,
            &format!(
                "top {}: {} of {} filings ({}): {}",
                t.n,
                t.count,
                r.total,
                percent(t.share),
                t.keys.join(", ")
            ),
        )?;
    }
    if r.undated > 0 {
        note(
            out,
            &format!(
                "{} filing(s) without a date are not counted{}",
                r.undated,
                if r.by.is_time() {
                    ""
                } else {
                    " (they cannot be placed before the as-of date)"
                }
            ),
        )?;
    }
    Ok(())
}

fn print_completeness(out: &mut Out, c: &Completeness) -> Result<()> {
    if out.format == Format::Json {
        return print_value(out, c);
    }
    let row = |p: &PublishedComparison| {
        vec![
            p.kind.to_string(),
            p.published_as_of.to_string(),
            p.published.to_string(),
            p.registry.to_string(),
            if out.format == Format::Table {
                percent(p.share)
            } else {
                p.share.to_string()
            },
            p.confidence.as_str().to_string(),
            p.source.clone(),
        ]
    };
    let rows: Vec<Vec<String>> = [&c.filed, &c.registered]
        .into_iter()
        .flatten()
        .map(row)
        .collect();
    if rows.is_empty() {
        note(out, &format!("no published total on or before {}", c.as_of))?;
    } else {
        print_rows(
            out,
            &[
                "kind",
                "published_as_of",
                "published",
                "registry",
                "share",
                "confidence",
                "source",
            ],
            rows,
        )?;
    }
    note(
        out,
        &format!(
            "registry as of {}: {} filed, {} registered{}",
            c.as_of,
            c.registry_filed,
            c.registry_registered,
            if c.undated > 0 {
                format!(" ({} without a date not counted)", c.undated)
            } else {
                String::new()
            }
        ),
    )
}
