//! The use cases beyond browsing, timed on the same registry as the queries: the dashboard's
//! statistics, the subsidy evaluation and the exports a user hands on.

use crate::suite::{Latency, Stopwatch};
use beian::export::{self, CsvEncoding, ExportFormat, ExportRequest, Language};
use beian::stats::{StatsBy, StatsQuery};
use beian::Registry;
use chrono::NaiveDate;
use std::path::Path;

#[derive(Debug, Default)]
pub struct UseCases {
    pub stats_region: Latency,
    pub stats_month: Latency,
    /// The Dashboard's top ten companies (every company counted), as of today and as of a day
    /// inside the data's span: two ways of counting, so two figures.
    pub top_companies_today: Latency,
    pub top_companies_past: Latency,
    pub subsidies: crate::subsidies::Figures,
    pub export_csv: Latency,
    pub export_xlsx: Latency,
    pub export_rows: u64,
    /// The export's own parts, without the subsidy evaluation `Registry::export` runs first:
    /// the statistics and batches a cover needs, then each writer on prepared inputs.
    pub export_inputs: Latency,
    pub export_csv_writer: Latency,
    pub export_gb18030_writer: Latency,
    pub export_xlsx_writer: Latency,
}

/// The dates the dashboard is opened at: today (no as-of) and a day inside the data's span,
/// so both the whole-table path and the as-of path are timed.
const AS_OF: [Option<&str>; 2] = [None, Some("2025-06-30")];

/// With `exports_only`, only the export's own parts are timed (no statistics, no subsidy
/// evaluation, no `Registry::export`).
pub fn measure(
    reg: &Registry,
    work: &Path,
    reps: usize,
    exports_only: bool,
    u: &mut UseCases,
) -> Result<(), String> {
    let e = |e: beian::Error| e.to_string();
    export_parts(reg, work, u)?;
    // Its subsidy evaluation may have started writing the layout for later processes: not
    // beside the figures below.
    reg.finish_layout_writes();
    if exports_only {
        return Ok(());
    }
    for k in 0..reps.max(2) {
        let as_of = AS_OF[k % AS_OF.len()].map(str::to_string);
        for (by, lat) in [
            (StatsBy::Region, &mut u.stats_region),
            (StatsBy::Month, &mut u.stats_month),
        ] {
            let q = StatsQuery {
                by,
                as_of: as_of.clone(),
                ..Default::default()
            };
            let report = lat.time(|| reg.stats(&q)).map_err(e)?;
            if report.rows.is_empty() {
                return Err(format!("stats by {} returned no rows", by.as_str()));
            }
        }
        let (day, lat) = match &as_of {
            // The app always passes a date: today's, after every filing of the registry.
            None => ("2099-12-31".to_string(), &mut u.top_companies_today),
            Some(d) => (d.clone(), &mut u.top_companies_past),
        };
        let q = StatsQuery {
            by: StatsBy::Company,
            as_of: Some(day),
            top: Some(10),
            ..Default::default()
        };
        let report = lat.time(|| reg.stats(&q)).map_err(e)?;
        if report.rows.is_empty() {
            return Err("the top companies were empty".into());
        }
    }

    let day = NaiveDate::from_ymd_opt(2025, 1, 1).expect("a valid date");
    crate::subsidies::measure(reg, day, 3, &mut u.subsidies)?;

    for (format, lat) in [
        (ExportFormat::Csv, &mut u.export_csv),
        (ExportFormat::Xlsx, &mut u.export_xlsx),
    ] {
        let path = work.join(format!("export-bench.{}", format.as_str()));
        let req = request(format, CsvEncoding::default(), &path);
        let t = Stopwatch::start_process();
        let summary = reg.export(&req, &mut |_, _| true).map_err(e)?;
        lat.record(&t);
        u.export_rows = summary.rows_written;
        let _ = std::fs::remove_file(&path);
    }
    Ok(())
}

fn request(format: ExportFormat, csv_encoding: CsvEncoding, path: &Path) -> ExportRequest {
    ExportRequest {
        format,
        path: path.display().to_string(),
        filter: Default::default(),
        sort: None,
        as_of: None,
        language: Language::Zh,
        csv_encoding,
        now: "2026-11-28T12:00:00Z".into(),
        title: None,
    }
}

/// Times the export without the subsidy evaluation: the evaluation is prepared once, untimed,
/// and handed to `export::export` as a caller that already has one would.
fn export_parts(reg: &Registry, work: &Path, u: &mut UseCases) -> Result<(), String> {
    let e = |e: beian::Error| e.to_string();
    let path = work.join("export-bench-parts");
    let base = request(ExportFormat::Csv, CsvEncoding::default(), &path);
    let mut inputs = u
        .export_inputs
        .time(|| export::report_inputs(reg.store(), &base))
        .map_err(e)?;
    inputs.subsidies = Some(reg.report_subsidies(&base).map_err(e)?);
    for (format, encoding, lat) in [
        (
            ExportFormat::Csv,
            CsvEncoding::Utf8Bom,
            &mut u.export_csv_writer,
        ),
        (
            ExportFormat::Csv,
            CsvEncoding::Gb18030,
            &mut u.export_gb18030_writer,
        ),
        (
            ExportFormat::Xlsx,
            CsvEncoding::Utf8Bom,
            &mut u.export_xlsx_writer,
        ),
    ] {
        let req = request(format, encoding, &path);
        let t = Stopwatch::start();
        let summary = export::export(reg.store(), &req, &inputs, &mut |_, _| true).map_err(e)?;
        lat.record(&t);
        eprintln!(
            "  export::export {} {:?}: {} rows, {} bytes, {:.0} ms wall",
            format.as_str(),
            encoding,
            summary.rows_written,
            summary.bytes,
            t.wall_ms()
        );
        let _ = std::fs::remove_file(&path);
    }
    Ok(())
}
