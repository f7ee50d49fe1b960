//! The subsidy evaluation on one registry, each way the app and the CLI ask for it: cold (the
//! filings read and grouped first, as the CLI and the first visit of the Subsidies screen pay),
//! and warm (the registry unchanged since the last evaluation, as a change of date or rule on
//! the screen pays): every result with its reasons, the totals only, and the screen's page.

use crate::suite::Latency;
use beian::export::Language;
use beian::subsidy::{EvaluationView, ResultsPage, Shown};
use beian::Registry;
use chrono::NaiveDate;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct SubsidiesArgs {
    /// The registry to evaluate (opened read-write: give it a copy).
    #[arg(long)]
    db: PathBuf,
    /// Repetitions of each measurement; the median counts.
    #[arg(long, default_value_t = 3)]
    reps: usize,
    /// The as-of date of the evaluation.
    #[arg(long, default_value = "2025-01-01")]
    as_of: NaiveDate,
}

#[derive(Debug, Default)]
pub struct Figures {
    /// Cold, the filings read and grouped (no layout kept for them yet, or too few filings
    /// for one).
    pub cold_read: Latency,
    /// Cold, the grouped filings read back from the layout an earlier evaluation kept.
    pub cold: Latency,
    pub warm: Latency,
    pub totals_warm: Latency,
    pub screen_warm: Latency,
}

/// What the app's Subsidies screen asks for first: each rule's first page of the results still
/// open (qualifying or needing a fact), 20 of them, worded in Chinese.
pub const SCREEN_PAGE: ResultsPage = ResultsPage {
    shown: Shown::Open,
    offset: 0,
    limit: 20,
};

/// The screen's page as the app's command gets it: evaluated and worded.
fn screen_page(reg: &Registry, day: NaiveDate) -> beian::Result<EvaluationView> {
    let report = reg.evaluate_page(None, day, SCREEN_PAGE)?;
    Ok(report.render_page(Language::Zh, SCREEN_PAGE))
}

pub fn measure(reg: &Registry, day: NaiveDate, reps: usize, f: &mut Figures) -> Result<(), String> {
    let e = |e: beian::Error| e.to_string();
    let format = beian::subsidy::snapshot::layout_format();
    for _ in 0..reps.max(1) {
        reg.release_evaluation();
        let kept = reg.store().evaluation_layout_kept(&format).map_err(e)?;
        let cold = if kept { &mut f.cold } else { &mut f.cold_read };
        std::hint::black_box(cold.time(|| reg.evaluate(None, None, day)).map_err(e)?);
        // The layout is written on another thread: not beside the figures below.
        reg.finish_layout_writes();
        std::hint::black_box(f.warm.time(|| reg.evaluate(None, None, day)).map_err(e)?);
        std::hint::black_box(
            f.totals_warm
                .time(|| reg.evaluate_totals(None, day))
                .map_err(e)?,
        );
        std::hint::black_box(f.screen_warm.time(|| screen_page(reg, day)).map_err(e)?);
    }
    reg.release_evaluation();
    Ok(())
}

/// What the app does after an import: the filings moved on, it prepares the evaluation's
/// layout in the background. Timed: the preparation itself, a visit of the Subsidies screen
/// right after the import (it waits for the grouping), and one after the preparation (in a
/// fresh registry, as in a later process or a later visit). Each write is one filing added by
/// hand, which moves the filings on as an import does.
fn after_a_write(args: &SubsidiesArgs) -> Result<(), String> {
    let e = |e: beian::Error| e.to_string();
    let write = |n: u32| -> Result<(), String> {
        let mut reg = Registry::open(&args.db).map_err(e)?;
        reg.add_filing(
            beian::filing::FilingFields {
                number: format!("Beijing-BenchAfterWrite{n}-20241231"),
                kind: beian::filing::Kind::Filed,
                region: "北京市".into(),
                model: format!("基准测试模型{n}"),
                company: format!("基准测试写入{n}科技有限公司"),
                filed_on: NaiveDate::from_ymd_opt(2024, 12, 31),
                seq: None,
            },
            "2025-01-01T00:00:00Z",
            None,
        )
        .map_err(e)?;
        Ok(())
    };
    let stamp = std::process::id();
    write(stamp)?;
    let reg = Registry::open(&args.db).map_err(e)?;
    let started = std::time::Instant::now();
    if !reg.prepare_evaluation_layout().map_err(e)? {
        println!("after a write: no layout prepared (too few filings, or none can be kept)");
        return Ok(());
    }
    reg.finish_layout_writes();
    let prepared = started.elapsed();
    let mut later = Latency::default();
    let fresh = Registry::open(&args.db).map_err(e)?;
    later.time(|| screen_page(&fresh, args.as_of)).map_err(e)?;
    drop((reg, fresh));

    write(stamp + 1)?;
    let reg = Registry::open(&args.db).map_err(e)?;
    reg.prepare_evaluation_layout().map_err(e)?;
    let mut right_after = Latency::default();
    right_after
        .time(|| screen_page(&reg, args.as_of))
        .map_err(e)?;
    println!(
        "after a write (as after an import in the app): layout prepared in the background in \
         {} ms; the screen's first page then {:.1} ms wall; right after the write, waiting for \
         the grouping, {:.1} ms wall",
        prepared.as_millis(),
        later.wall_p50(),
        right_after.wall_p50()
    );
    Ok(())
}

/// This process's resident memory, in MiB.
fn rss_mib() -> f64 {
    crate::suite::status_kib("VmRSS").map_or(f64::NAN, |kib| kib as f64 / 1024.0)
}

pub fn run(args: &SubsidiesArgs) -> Result<(), String> {
    let reg = Registry::open(&args.db).map_err(|e| e.to_string())?;
    let layout = reg
        .store()
        .evaluation_layout_kept(&beian::subsidy::snapshot::layout_format())
        .map_err(|e| e.to_string())?;
    println!(
        "grouped filings kept by an earlier process (schema 9 layout): {}",
        if layout {
            "yes, read back"
        } else {
            "no, read and grouped"
        }
    );
    let mut f = Figures::default();
    let before = rss_mib();
    // What the Subsidies screen's first visit pays: nothing read yet, and this process's
    // memory fresh (the reps below reuse what an earlier rep let go).
    let mut first = Latency::default();
    first
        .time(|| screen_page(&reg, args.as_of))
        .map_err(|e| e.to_string())?;
    println!(
        "first evaluation in this process (the screen's page, cold, fresh memory): {:.1} ms \
         CPU ({:.1} wall)",
        first.p50(),
        first.wall_p50()
    );
    println!(
        "resident memory: {before:.0} MiB opened, {:.0} MiB with the evaluation's inputs kept",
        rss_mib()
    );
    // The layout is written on another thread after the first evaluation: how much longer it
    // takes is how soon a later process can read it back.
    let waited = std::time::Instant::now();
    reg.finish_layout_writes();
    if !layout {
        println!(
            "layout written for later processes: {} ms after the first evaluation",
            waited.elapsed().as_millis()
        );
    }
    measure(&reg, args.as_of, args.reps, &mut f)?;
    after_a_write(args)?;
    println!(
        "subsidy evaluation of all rules as of {}, {} reps, median CPU (wall) ms:",
        args.as_of, args.reps
    );
    for (name, l) in [
        ("every result, cold: filings read and grouped", &f.cold_read),
        ("every result, cold: grouped filings read back", &f.cold),
        ("every result, warm (registry unchanged)", &f.warm),
        ("totals only, warm", &f.totals_warm),
        (
            "the screen's page (totals + 20 per rule, worded), warm",
            &f.screen_warm,
        ),
    ] {
        if l.p50().is_nan() {
            println!("  {name:<58} {:>9} (none measured)", "–");
        } else {
            println!("  {name:<58} {:>9.1} ({:.1})", l.p50(), l.wall_p50());
        }
    }
    Ok(())
}
