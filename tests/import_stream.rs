//! `beian import` of files bigger than the encoding-detection window (4 MB): the file is decoded
//! while it is read, never held whole, and must still name a bad byte far into it, read UTF-16,
//! know a file it imported before, and refuse a wrong `--encoding` without writing anything.

mod common;

use common::{delimited, gb18030, Env};

/// The detection window of `beian::import::decode`; the files here are bigger.
const WINDOW: usize = 4 << 20;

/// A CAC table of `n` valid, distinct filings with long names (so that a few thousand rows pass
/// the window), as text.
fn big_table(n: usize) -> String {
    let long = "生成式人工智能服务备案信息测试".repeat(4);
    let rows: Vec<[String; 6]> = (1..=n)
        .map(|i| {
            [
                i.to_string(),
                "北京市".into(),
                format!("模型{i}{long}"),
                format!("北京{long}科技有限公司{i}"),
                format!("Beijing-MoXing{i}-20230821"),
                "2023/8/31".into(),
            ]
        })
        .collect();
    delimited(&rows, ",", None)
}

/// Rows enough for the GB18030 form to be a megabyte past the window.
const ROWS: usize = 20_000;

fn count_filings(env: &Env) -> u64 {
    let (code, v, err) = env.json(&["facets"]);
    assert_eq!(code, 0, "{err}");
    v["kind"]
        .as_array()
        .unwrap_or_else(|| panic!("{v}"))
        .iter()
        .map(|k| k["count"].as_u64().unwrap())
        .sum()
}

#[test]
fn a_bad_byte_past_the_detection_window_is_named_and_nothing_is_written() {
    let env = Env::new();
    env.json(&["batches"]); // creates the empty database
    let before = env.db_bytes();
    let good = gb18030(&big_table(ROWS));
    assert!(good.len() > WINDOW + (1 << 20), "{}", good.len());

    // The same file without the bad byte reads cleanly (a dry run writes nothing).
    let f = env.write("good.csv", &good);
    let (code, v, err) = env.import(&f, &["--dry-run"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(v[0]["status"], "dry_run");
    assert_eq!(v[0]["encoding"], "GB18030");
    assert_eq!(v[0]["rows"], ROWS as u64);
    assert_eq!(v[0]["rejected"], 0);

    // 0xFF is never valid in GB18030; put it at the start of a line well past the window.
    let mut bad = good.clone();
    let at = WINDOW
        + 300_000
        + bad[WINDOW + 300_000..]
            .iter()
            .position(|&b| b == b'\n')
            .unwrap()
        + 1;
    bad[at] = 0xFF;
    let line = bad[..at].iter().filter(|&&b| b == b'\n').count() + 1;
    let f = env.write("bad.csv", &bad);
    let out = env.beian().arg("import").arg(&f).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("offset {at}")), "{err}");
    assert!(err.contains(&format!("line {line}")), "{err}");
    assert!(err.contains("GB18030") && err.contains("FF"), "{err}");
    assert_eq!(err.lines().count(), 1, "one message: {err}");
    assert_eq!(env.db_bytes(), before, "the database changed");
}

#[test]
fn a_big_utf16_file_is_read_past_the_window() {
    let env = Env::new();
    // Excel's "Unicode text": UTF-16LE with a BOM, tab-separated.
    let text = big_table(ROWS).replace(',', "\t");
    let mut be = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        be.extend_from_slice(&u.to_le_bytes());
    }
    assert!(be.len() > WINDOW + (1 << 20), "{}", be.len());
    let f = env.write("wide.txt", &be);
    let (code, v, err) = env.import(&f, &["--dry-run"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(v[0]["encoding"], "UTF-16LE");
    assert_eq!(v[0]["delimiter"], "\t");
    assert_eq!(v[0]["rows"], ROWS as u64);
    assert_eq!(v[0]["rejected"], 0);
    // A UTF-16 unit cut in two at the very end is named, not guessed.
    be.push(0x41);
    let f = env.write("cut.txt", &be);
    let (code, _, err) = env.import(&f, &[]);
    assert_eq!(code, 1);
    assert!(err.contains(&format!("offset {}", be.len() - 1)), "{err}");
}

#[test]
fn a_big_file_imported_again_is_already_imported_and_changes_nothing() {
    let env = Env::new();
    let bytes = gb18030(&big_table(ROWS));
    let f = env.write("big.csv", &bytes);
    let (code, first, err) = env.import(&f, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(first[0]["status"], "imported");
    assert_eq!(first[0]["inserted"], ROWS as u64);
    let (_, batches, _) = env.json(&["batches"]);
    assert_eq!(batches[0]["size"], bytes.len() as u64, "{batches}");
    assert_eq!(count_filings(&env), ROWS as u64);

    let (code, again, err) = env.import(&f, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(again[0]["status"], "already_imported");
    assert_eq!(again[0]["batch"], first[0]["batch"]);
    assert_eq!(again[0]["inserted"], 0);
    assert_eq!(again[0]["unchanged"], ROWS as u64);
    let (_, batches, _) = env.json(&["batches"]);
    assert_eq!(batches.as_array().unwrap().len(), 1);
    assert_eq!(count_filings(&env), ROWS as u64);

    // The same rows in other bytes are a new batch that changes nothing.
    let f = env.write("big-utf8.csv", big_table(ROWS).as_bytes());
    let (code, twin, err) = env.import(&f, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(twin[0]["status"], "imported");
    assert_eq!(twin[0]["inserted"], 0);
    assert_eq!(twin[0]["unchanged"], ROWS as u64);
}

#[test]
fn a_wrong_forced_encoding_is_refused_clearly_and_writes_nothing() {
    let env = Env::new();
    env.json(&["batches"]);
    let before = env.db_bytes();
    let text = big_table(30);
    let gb = gb18030(&text);

    // GB18030 bytes forced as UTF-8: the first Chinese byte is not UTF-8.
    let f = env.write("gb.csv", &gb);
    let out = env
        .beian()
        .args(["import", "--encoding", "utf-8"])
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    let first_cjk = gb.iter().position(|b| !b.is_ascii()).unwrap();
    assert!(err.contains("read as UTF-8"), "{err}");
    assert!(
        err.contains(&format!("offset {first_cjk} (line 1)")),
        "{err}"
    );
    assert!(err.contains("--encoding"), "{err}");

    // UTF-8 bytes forced as UTF-16LE decode without a bad byte, into text with no table: the
    // message names the forced encoding as the likely cause.
    let f = env.write("u8.csv", text.as_bytes());
    let out = env
        .beian()
        .args(["import", "--encoding", "utf-16le"])
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no filings table"), "{err}");
    assert!(err.contains("UTF-16LE"), "{err}");
    assert!(err.contains("without --encoding"), "{err}");

    // GB18030 bytes forced as UTF-16BE, past the window: no table either.
    let big = gb18030(&big_table(ROWS));
    let f = env.write("gb-big.csv", &big);
    let out = env
        .beian()
        .args(["import", "--encoding", "utf-16be"])
        .arg(&f)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("UTF-16BE"), "{err}");

    assert_eq!(env.db_bytes(), before, "the database changed");
}

#[test]
fn gbk_rows_past_the_detection_window_of_a_utf8_file_are_called_mixed() {
    let env = Env::new();
    env.json(&["batches"]);
    let before = env.db_bytes();
    let text = big_table(ROWS);
    assert!(text.len() > WINDOW);
    let tail = "20001,北京市,尾部模型,北京尾部科技有限公司,Beijing-WeiBu-20230821,2023/8/31\n";
    let mut bytes = text.into_bytes();
    let line = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
    bytes.extend_from_slice(&gb18030(tail));
    let f = env.write("mixed.csv", &bytes);
    let out = env.beian().arg("import").arg(&f).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&format!("(line {line})")), "{err}");
    assert!(err.contains("mixes encodings"), "{err}");
    assert!(
        err.contains(&format!("lines 1–{} read as UTF-8", line - 1)),
        "{err}"
    );
    assert_eq!(env.db_bytes(), before);
}
