//! A workbook exported from a registry on disk evaluates the subsidies on a second thread while
//! its Filings sheet is written. It must be the same workbook, cell for cell, as one written with
//! the evaluation done first; and a failing evaluation must fail the export and leave no file.

mod common;

use beian::export::{self, ExportFormat, ExportRequest, Language};
use beian::Registry;
use common::{export_request, hangzhou_facts, xlsx_cells};
use std::path::Path;

const NOW: &str = "2026-05-01T08:00:00Z";

fn request(path: &Path) -> ExportRequest {
    export_request(ExportFormat::Xlsx, path, NOW)
}

/// The bundled filings on disk, with one company's facts recorded so that a rule qualifies.
fn registry(dir: &Path) -> Registry {
    let mut reg = Registry::open_or_seed(&dir.join("beian.sqlite"), NOW).unwrap();
    assert!(reg.path().is_some(), "the concurrent path needs a file");
    reg.set_company_facts(hangzhou_facts(), NOW).unwrap();
    reg
}

#[test]
fn a_workbook_with_the_evaluation_beside_it_is_the_same_as_with_it_first() {
    let dir = tempfile::tempdir().unwrap();
    let reg = registry(dir.path());
    let mut region = request(Path::new(""));
    region.filter.regions = vec!["浙江省".into()];
    region.as_of = Some("2025-06-30".into());
    let mut english = request(Path::new(""));
    english.language = Language::En;
    for (i, base) in [request(Path::new("")), region, english]
        .into_iter()
        .enumerate()
    {
        let concurrent = dir.path().join(format!("concurrent-{i}.xlsx"));
        let first = dir.path().join(format!("first-{i}.xlsx"));
        let req = ExportRequest {
            path: concurrent.to_string_lossy().into_owned(),
            ..base.clone()
        };
        let got = reg.export(&req, &mut |_, _| true).unwrap();

        let req = ExportRequest {
            path: first.to_string_lossy().into_owned(),
            ..base
        };
        let mut inputs = export::report_inputs(reg.store(), &req).unwrap();
        let subsidies = reg.report_subsidies(&req).unwrap();
        assert!(
            subsidies.rows.iter().any(|r| r.status == "qualifies"),
            "case {i}: some rule qualifies, so the Subsidies sheet has amounts"
        );
        let rows = subsidies.rows.len();
        inputs.subsidies = Some(subsidies);
        let want = export::export(reg.store(), &req, &inputs, &mut |_, _| true).unwrap();

        assert_eq!(got.rows, want.rows, "case {i}");
        assert!(got.rows > 0, "case {i}: the selection is not empty");
        let (got, want) = (xlsx_cells(&concurrent), xlsx_cells(&first));
        assert_eq!(got, want, "case {i}: the workbooks differ");
        let count = match req.language {
            Language::Zh => format!("见“补贴”工作表（{rows} 行）"),
            Language::En => format!("See the Subsidies sheet ({rows} rows)"),
        };
        assert!(
            got.contains(&count),
            "case {i}: the cover counts {rows} results"
        );
    }
}

#[test]
fn a_failing_evaluation_fails_the_export_and_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let reg = registry(dir.path());
    let path = dir.path().join("out.xlsx");
    // With no as-of date the evaluation is dated by `now`, which here is not a date: the
    // evaluation fails on its thread, after the Filings sheet is written.
    let req = ExportRequest {
        now: "yesterday".into(),
        ..request(&path)
    };
    let err = reg.export(&req, &mut |_, _| true).unwrap_err();
    assert_eq!(err.code(), "usage", "{err}");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".xlsx") || n.contains(".beian-export-"))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}
