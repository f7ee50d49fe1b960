//! The benchmark harness at smoke size (1k rows, one run): it must generate its files, import
//! them through the real import, query the result and print every row of its table. No timing
//! is asserted here; the figures live in BENCHMARKS.md.

use assert_cmd::Command;

fn bench() -> Command {
    Command::cargo_bin("beian-bench").expect("the beian-bench binary is built")
}

#[test]
fn smoke_run_prints_the_whole_table() {
    let dir = tempfile::tempdir().unwrap();
    let out = bench()
        .args([
            "run",
            "--sizes",
            "1k",
            "--runs",
            "1",
            "--queries",
            "10",
            "--dir",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "stdout:\n{stdout}\nstderr:\n{stderr}");
    let value = |label: &str| -> String {
        let line = stdout
            .lines()
            .find(|l| l.starts_with(&format!("| {label}")))
            .unwrap_or_else(|| panic!("no {label:?} row in:\n{stdout}"));
        line.split('|').nth(2).unwrap().trim().to_string()
    };
    assert!(value("rows inserted").starts_with("1000 / "), "{stdout}");
    assert!(
        value("Beian import, GB18030: CPU").ends_with(" ms"),
        "{stdout}"
    );
    assert!(value("peak RSS of the import").ends_with(" MB"), "{stdout}");
    for label in [
        "filtered sorted page + facets **p95**",
        "two-character search **p95**",
        "same words as a LIKE scan p95",
        "search + region + sort page p95",
    ] {
        let v = value(label);
        let ms: f64 = v
            .trim_end_matches(" ms")
            .parse()
            .unwrap_or_else(|_| panic!("{label}: {v}"));
        assert!(ms > 0.0, "{label}: {v}");
    }
    // The anchor runs when the sqlite3 shell is installed and says so when it is not.
    let anchor = value("sqlite3 .import, UTF-8, indexed: CPU");
    assert!(
        anchor.ends_with(" ms") || anchor.starts_with("not measured"),
        "{anchor}"
    );
    // The use cases beyond browsing: two figures each, both timed.
    for label in [
        "region counts p95 / max",
        "monthly cumulative series p95 / max",
        "export CSV / XLSX",
    ] {
        let v = value(label);
        let parts: Vec<&str> = v.split(" / ").collect();
        assert_eq!(parts.len(), 2, "{label}: {v}");
        for p in parts {
            assert!(p.ends_with(" ms") || p.ends_with(" s"), "{label}: {v}");
        }
    }
    // Cold from the filings, and from a kept layout: none is kept at 1k (from 50k filings).
    let subsidies = value("subsidy evaluation of all rules");
    let (read, kept) = subsidies.split_once(" / ").expect("two figures");
    assert!(read.ends_with(" ms"), "{stdout}");
    assert_eq!(kept, "–", "{stdout}");
}

#[test]
fn generated_files_are_deterministic_twins() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    for dir in [a.path(), b.path()] {
        bench()
            .args(["generate", "--sizes", "1k", "--seed", "7", "--dir"])
            .arg(dir)
            .assert()
            .success();
    }
    let read = |d: &std::path::Path, enc: &str| {
        std::fs::read(d.join(format!("cac-1k-seed7.{enc}.csv"))).unwrap()
    };
    assert_eq!(read(a.path(), "utf8"), read(b.path(), "utf8"));
    assert_eq!(read(a.path(), "gb18030"), read(b.path(), "gb18030"));
    let utf8 = String::from_utf8(read(a.path(), "utf8")).unwrap();
    let gb = read(a.path(), "gb18030");
    let (decoded, _, bad) = encoding_rs::GB18030.decode(&gb);
    assert!(!bad);
    assert_eq!(decoded, utf8);
    assert_eq!(utf8.lines().count(), 1001);
    assert!(utf8.starts_with("序号,属地,模型名称,备案单位,备案号,备案时间\r\n"));
    // A different seed gives different rows.
    let c = tempfile::tempdir().unwrap();
    bench()
        .args(["generate", "--sizes", "1k", "--seed", "8", "--dir"])
        .arg(c.path())
        .assert()
        .success();
    assert_ne!(
        std::fs::read(c.path().join("cac-1k-seed8.utf8.csv")).unwrap(),
        read(a.path(), "utf8")
    );
}
