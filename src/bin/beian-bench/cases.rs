//! `beian-bench cases`: every query of the Filings-screen mix (and of the search + region + sort
//! figure) repeated on its own, so that the p95 of the mix can be traced to the cases behind it.
//! The mix is the one `run` times (`suite::filter_queries`), unchanged.

use crate::generate;
use crate::suite::{filter_queries, search_region_queries, Latency, Stopwatch};
use beian::query::FilingQuery;
use beian::Registry;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct CasesArgs {
    /// The registry to query (opening it migrates it: use a copy).
    #[arg(long)]
    db: PathBuf,
    /// The size the registry was generated at, for the search words (1k … 1m).
    #[arg(long, default_value = "1m")]
    size: String,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Times each case runs; each case's p95 is over these.
    #[arg(long, default_value_t = 5)]
    reps: usize,
    /// Queries in the mix, as `run --queries`.
    #[arg(long, default_value_t = 50)]
    queries: usize,
    /// Skip the search + region + sort cases (they need the generated rows for their words).
    #[arg(long)]
    no_search: bool,
}

fn describe(q: &FilingQuery) -> String {
    let f = &q.filter;
    let mut parts = Vec::new();
    if !f.regions.is_empty() {
        parts.push(format!("region={}", f.regions.join("+")));
    }
    if let Some(y) = f.year {
        parts.push(format!("year={y}"));
    }
    if f.flagged == Some(true) {
        parts.push("flagged".into());
    }
    if let Some(c) = &f.company {
        parts.push(format!("company={c}"));
    }
    if let Some(s) = &f.search {
        parts.push(format!("search={s}"));
    }
    let sort = q
        .sort
        .map(|s| format!("{:?}{}", s.field, if s.desc { " desc" } else { "" }))
        .unwrap_or_else(|| "default".into());
    format!(
        "{} | sort {sort} | offset {}",
        if parts.is_empty() {
            "(none)".into()
        } else {
            parts.join(" ")
        },
        q.offset
    )
}

pub fn run(args: &CasesArgs) -> Result<(), String> {
    let reg = Registry::open(&args.db).map_err(|e| e.to_string())?;
    let e = |e: beian::Error| e.to_string();
    reg.list(&FilingQuery::default()).map_err(e)?;
    reg.facets(&Default::default()).map_err(e)?;
    let mix = filter_queries(args.queries);
    let reps = args.reps.max(1);
    let mut page = vec![Latency::default(); mix.len()];
    let mut facets = vec![Latency::default(); mix.len()];
    let mut both = vec![Latency::default(); mix.len()];
    let mut totals = vec![0u64; mix.len()];
    // The mix's own p95, once per pass, as `run` computes it.
    let mut mix_p95 = Vec::new();
    for _ in 0..reps {
        let mut pass = Latency::default();
        for (k, q) in mix.iter().enumerate() {
            let t = Stopwatch::start();
            let p = page[k].time(|| reg.list(q)).map_err(e)?;
            let fc = facets[k].time(|| reg.facets(&q.filter)).map_err(e)?;
            both[k].record(&t);
            pass.record(&t);
            totals[k] = p.total;
            std::hint::black_box((p, fc));
        }
        mix_p95.push(pass.p95());
    }
    println!("| # | case | total | page p95 | facets p95 | page+facets p50 / p95 |");
    println!("|---|---|---|---|---|---|");
    for (k, q) in mix.iter().enumerate() {
        println!(
            "| {k} | {} | {} | {:.1} ms | {:.1} ms | {:.1} / {:.1} ms |",
            describe(q),
            totals[k],
            page[k].p95(),
            facets[k].p95(),
            both[k].p50(),
            both[k].p95()
        );
    }
    let fmt: Vec<String> = mix_p95.iter().map(|v| format!("{v:.1}")).collect();
    println!("\nmix page+facets p95 per pass: {} ms", fmt.join(", "));

    if !args.no_search {
        let n = crate::suite::parse_sizes(std::slice::from_ref(&args.size))?[0];
        let words = generate::search_words(&generate::rows(n, args.seed));
        let cases = search_region_queries(&words, args.queries);
        let mut lat = vec![Latency::default(); cases.len()];
        let mut totals = vec![0u64; cases.len()];
        let mut pass_p95 = Vec::new();
        for _ in 0..reps {
            let mut pass = Latency::default();
            for (k, q) in cases.iter().enumerate() {
                let t = Stopwatch::start();
                let p = lat[k].time(|| reg.list(q)).map_err(e)?;
                pass.record(&t);
                totals[k] = p.total;
                std::hint::black_box(p);
            }
            pass_p95.push(pass.p95());
        }
        let mut order: Vec<usize> = (0..cases.len()).collect();
        order.sort_by(|a, b| lat[*b].p95().total_cmp(&lat[*a].p95()));
        println!("\n| search + region + sort (slowest 12) | total | page p50 / p95 |");
        println!("|---|---|---|");
        for &k in order.iter().take(12) {
            println!(
                "| {} | {} | {:.1} / {:.1} ms |",
                describe(&cases[k]),
                totals[k],
                lat[k].p50(),
                lat[k].p95()
            );
        }
        let fmt: Vec<String> = pass_p95.iter().map(|v| format!("{v:.1}")).collect();
        println!(
            "\nsearch + region + sort p95 per pass: {} ms",
            fmt.join(", ")
        );
    }
    Ok(())
}
