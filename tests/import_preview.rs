//! The app's import path: a file is previewed (its plan with the first rows only, streamed), then
//! imported from the file again. The preview must show what planning the whole file shows, for
//! every file of the corpus and for a file past the encoding-detection window; the import must
//! refuse a file whose bytes changed after the preview.

mod common;

use beian::import::ReadOptions;
use beian::registry::ImportMode;
use beian::Registry;
use common::{delimited, gb18030, seed_rows};
use std::path::{Path, PathBuf};

const NOW: &str = "2026-11-29T06:00:00Z";
const PREVIEW_ROWS: usize = 20;

fn corpus_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e != "py"))
        .collect();
    files.sort();
    files.extend(
        ["gb18030-batch.csv", "html-names.csv", "with-errors.csv"].map(|f| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/e2e/fixtures")
                .join(f)
        }),
    );
    files
}

/// The preview as JSON, or the error's code.
fn streamed(reg: &mut Registry, path: &Path) -> Result<serde_json::Value, String> {
    reg.preview_import_file(path, &ReadOptions::default(), PREVIEW_ROWS, NOW)
        .map(|p| serde_json::to_value(p).unwrap())
        .map_err(|e| e.code().to_string())
}

/// What planning the whole file gives, cut to the same rows.
fn whole(reg: &Registry, path: &Path) -> Result<serde_json::Value, String> {
    let bytes = std::fs::read(path).unwrap();
    let name = path.file_name().unwrap().to_string_lossy();
    reg.plan_import(&name, &bytes, &ReadOptions::default())
        .map(|p| serde_json::to_value(p.preview(PREVIEW_ROWS)).unwrap())
        .map_err(|e| e.code().to_string())
}

#[test]
fn the_streamed_preview_is_the_whole_plan_cut_to_its_first_rows() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = Registry::open(&dir.path().join("r.sqlite")).unwrap();
    // Some filings already there, so that rows are new, changed and unchanged.
    let mut rows = seed_rows();
    let seed = dir.path().join("seed.csv");
    std::fs::write(&seed, delimited(&rows[..10], ",", None)).unwrap();
    reg.import_file(
        &seed,
        &Default::default(),
        ImportMode::default(),
        NOW,
        &mut |_, _| true,
    )
    .unwrap();
    rows[3][3] = "改名后的备案单位有限公司".into();
    let changed = dir.path().join("changed.gb18030.csv");
    std::fs::write(
        &changed,
        gb18030(&delimited(&rows, "\t", Some("附件：已备案信息"))),
    )
    .unwrap();
    // Past the 4 MB detection window, so that the stream reads the file in pieces.
    let long = "生成式人工智能服务备案信息测试".repeat(4);
    let big: Vec<[String; 6]> = (1..=20_000)
        .map(|i| {
            [
                i.to_string(),
                "北京市".into(),
                format!("模型{i}{long}"),
                format!("北京{long}科技有限公司{}", i % 700),
                format!("Beijing-MoXing{i}-20230821"),
                if i % 997 == 0 {
                    "2023/2/30".into()
                } else {
                    "2023/8/31".into()
                },
            ]
        })
        .collect();
    let big_file = dir.path().join("big.gb18030.csv");
    std::fs::write(&big_file, gb18030(&delimited(&big, ",", None))).unwrap();
    assert!(std::fs::metadata(&big_file).unwrap().len() > 5 << 20);

    let mut compared = 0;
    let mut planned = 0;
    for path in corpus_files().into_iter().chain([seed, changed, big_file]) {
        let got = streamed(&mut reg, &path);
        assert_eq!(got, whole(&reg, &path), "{}", path.display());
        compared += 1;
        if let Ok(plan) = &got {
            planned += 1;
            assert!(plan["rows"].as_array().unwrap().len() <= PREVIEW_ROWS);
        }
    }
    // Worth something only if both refusals and plans were compared.
    assert!(
        compared > 40 && planned > 20,
        "{compared} compared, {planned} planned"
    );
}

#[test]
fn a_file_changed_after_its_preview_is_refused_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let mut reg = Registry::open(&dir.path().join("r.sqlite")).unwrap();
    let file = dir.path().join("list.csv");
    let rows = seed_rows();
    std::fs::write(&file, delimited(&rows[..5], ",", None)).unwrap();
    let preview = reg
        .preview_import_file(&file, &Default::default(), PREVIEW_ROWS, NOW)
        .unwrap();
    assert_eq!(preview.counts.inserted, 5);
    let confirm = |reg: &mut Registry| {
        reg.import_file_as_previewed(
            &file,
            &Default::default(),
            Some(&preview.sha256),
            ImportMode::default(),
            NOW,
            &mut |_, _| true,
        )
    };
    // The person edits the file before confirming.
    std::fs::write(&file, delimited(&rows[..8], ",", None)).unwrap();
    let err = confirm(&mut reg).unwrap_err();
    assert_eq!(err.code(), "file_changed");
    assert!(err.to_string().contains("Open it again"), "{err}");
    assert!(reg.batches().unwrap().is_empty());
    // The file as previewed imports as the preview said.
    std::fs::write(&file, delimited(&rows[..5], ",", None)).unwrap();
    let summary = confirm(&mut reg).unwrap();
    assert_eq!(summary.inserted, 5);
    assert_eq!(reg.batches().unwrap().len(), 1);
}
