//! The use cases beyond browsing, timed on the same registry as the queries: the dashboard's
//! statistics, the subsidy evaluation and the exports a user hands on.

use crate::suite::{Latency, Stopwatch};
use beian::export::{CsvEncoding, ExportFormat, ExportRequest, Language};
use beian::stats::{StatsBy, StatsQuery};
use beian::Registry;
use chrono::NaiveDate;
use std::path::Path;

#[derive(Debug, Default)]
pub struct UseCases {
    pub stats_region: Latency,
    pub stats_month: Latency,
    pub subsidies: Latency,
    pub export_csv: Latency,
    pub export_xlsx: Latency,
    pub export_rows: u64,
}

/// The dates the dashboard is opened at: today (no as-of) and a day inside the data's span,
/// so both the whole-table path and the as-of path are timed.
const AS_OF: [Option<&str>; 2] = [None, Some("2025-06-30")];

pub fn measure(reg: &Registry, work: &Path, reps: usize, u: &mut UseCases) -> Result<(), String> {
    let e = |e: beian::Error| e.to_string();
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
    }

    let day = NaiveDate::from_ymd_opt(2025, 1, 1).expect("a valid date");
    for _ in 0..3 {
        let report = u
            .subsidies
            .time(|| reg.evaluate(None, None, day))
            .map_err(e)?;
        std::hint::black_box(report);
    }

    for (format, lat) in [
        (ExportFormat::Csv, &mut u.export_csv),
        (ExportFormat::Xlsx, &mut u.export_xlsx),
    ] {
        let path = work.join(format!("export-bench.{}", format.as_str()));
        let req = ExportRequest {
            format,
            path: path.display().to_string(),
            filter: Default::default(),
            sort: None,
            as_of: None,
            language: Language::Zh,
            csv_encoding: CsvEncoding::default(),
            now: "2026-11-28T12:00:00Z".into(),
            title: None,
        };
        let t = Stopwatch::start();
        let summary = reg.export(&req, &mut |_, _| true).map_err(e)?;
        lat.record(&t);
        u.export_rows = summary.rows_written;
        let _ = std::fs::remove_file(&path);
    }
    Ok(())
}
