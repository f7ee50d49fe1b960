//! Replays what the fuzzer keeps (tests/corpus/regressions/) and every corpus and fixture file,
//! under each knob setting, through the fuzz harness itself: bytes in, plan and import out, no
//! panic and no plan whose counts disagree. This keeps fuzz/src/harness.rs compiling and honest
//! without AFL installed.

#[path = "../fuzz/src/harness.rs"]
mod harness;

use std::path::Path;

fn files_in(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file() && !p.extension().is_some_and(|e| e == "md" || e == "py"))
        .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
        .collect();
    out.sort();
    out
}

#[test]
fn kept_fuzz_findings_replay_without_panicking() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (name, input) in files_in(&root.join("tests/corpus/regressions")) {
        eprintln!("{name}");
        harness::run(&mut harness::registry(), &input);
    }
}

#[test]
fn corpus_and_fixtures_pass_the_harness_under_every_knob() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = files_in(&root.join("tests/corpus"));
    files.extend(files_in(&root.join("tests/fixtures/import")));
    assert!(files.len() > 50);
    for (name, bytes) in files {
        // Every name and forced option, with and without keep-going.
        for knob in [0u8, 1, 2, 3, 0x04, 0x08, 0x0C, 0x10, 0x20, 0x30, 0x40, 0x41] {
            let input = [&[knob][..], &bytes].concat();
            let r = std::panic::catch_unwind(|| harness::run(&mut harness::registry(), &input));
            assert!(r.is_ok(), "{name} with knob {knob:#04x}");
        }
    }
}
