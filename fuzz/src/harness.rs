//! One fuzz input through the whole import pipeline: bytes → read_source → validation → plan
//! against a registry holding the bundled filings → apply into that registry. Shared by the AFL
//! target and by `tests/fuzz_regressions.rs`, which replays every kept crash input.
//!
//! The first byte picks the file name (and so nothing else: reading goes by content) and the
//! read options a person could force, so the fuzzer reaches the forced-encoding and
//! forced-delimiter paths too. Any panic, or a plan whose numbers do not add up, is a finding.

use beian::import::ReadOptions;
use beian::registry::{ImportMode, Registry};

const NAMES: [&str; 4] = ["f.csv", "f.xlsx", "f.tsv", "f"];
const ENCODINGS: [Option<&str>; 4] = [None, Some("gb18030"), Some("utf-16le"), Some("utf-8")];
const DELIMITERS: [Option<&str>; 4] = [None, Some("tab"), Some(";"), Some(",")];

pub fn run(registry: &mut Registry, data: &[u8]) {
    let Some((&knob, bytes)) = data.split_first() else {
        return;
    };
    let name = NAMES[usize::from(knob & 3)];
    let opts = ReadOptions {
        encoding: ENCODINGS[usize::from((knob >> 2) & 3)].map(str::to_string),
        delimiter: DELIMITERS[usize::from((knob >> 4) & 3)].map(str::to_string),
        columns: Vec::new(),
    };
    let plan = match registry.plan_import(name, bytes, &opts) {
        Ok(plan) => plan,
        Err(e) => {
            // Every refusal has a code and a message a person can act on.
            assert!(!e.code().is_empty() && !e.to_string().is_empty());
            return;
        }
    };
    let c = plan.counts;
    assert_eq!(c.rows, plan.rows.len() as u64);
    assert_eq!(c.rows, c.inserted + c.updated + c.unchanged + c.rejected);
    assert!(plan.errors.iter().all(|e| e.is_error() && e.line.is_some()));
    let mode = ImportMode {
        keep_going: knob & 0x40 != 0,
        dry_run: false,
    };
    let summary = registry
        .apply_import(&plan, mode, "2024-01-01T00:00:00Z", &mut |_, _| true)
        .expect("applying a plan to a healthy in-memory registry cannot fail");
    assert_eq!(summary.rows, c.rows);
}

/// A registry with the bundled filings, so plans meet updates and unchanged rows, not only inserts.
pub fn registry() -> Registry {
    let mut r = Registry::open_in_memory().expect("in-memory registry");
    r.seed("2024-01-01T00:00:00Z")
        .expect("bundled filings import");
    r
}
