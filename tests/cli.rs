//! The CLI contract, driven through the real binary on temporary databases.

mod common;

use common::*;
use serde_json::Value;

const TITLE: &str = "附件1：生成式人工智能服务已备案信息";

#[test]
fn every_encoding_and_layout_imports_the_same_rows() {
    let rows = seed_rows();
    let utf8 = delimited(&rows, ",", None);
    let tsv_with_title = delimited(&rows, "\t", Some(TITLE));
    let twins: Vec<(&str, Vec<u8>, &str)> = vec![
        ("utf8.csv", utf8.clone().into_bytes(), "UTF-8"),
        (
            "bom.csv",
            [b"\xEF\xBB\xBF".as_slice(), utf8.as_bytes()].concat(),
            "UTF-8 (BOM)",
        ),
        ("gb.tsv", gb18030(&tsv_with_title), "GB18030"),
        ("u16le.csv", utf16le_bom(&tsv_with_title), "UTF-16LE"),
        ("u16be.csv", utf16be_bom(&utf8), "UTF-16BE"),
        ("twin.xlsx", xlsx(&rows), "XLSX"),
    ];
    let mut expected: Option<Vec<Value>> = None;
    for (name, bytes, encoding) in twins {
        let env = Env::new();
        let f = env.write(name, &bytes);
        let (code, v, err) = env.import(&f, &[]);
        assert_eq!(code, 0, "{name}: {err} {v}");
        assert_eq!(v[0]["encoding"], encoding, "{name}");
        assert_eq!(v[0]["inserted"], 18, "{name}: {v}");
        assert_eq!(v[0]["rejected"], 0, "{name}: {v}");
        let got = env.filings();
        assert_eq!(got.len(), 18);
        match &expected {
            None => expected = Some(got),
            Some(e) => assert_eq!(&got, e, "{name} differs from the UTF-8 twin"),
        }
    }
    let e = expected.unwrap();
    assert!(e.contains(&serde_json::json!([
        "ZheJiang-TongYiQianWen-20230901",
        "filed",
        "浙江省",
        "通义千问大模型",
        "阿里巴巴达摩院 (杭州) 科技有限公司",
        "2023-09-12",
        11
    ])));
}

#[test]
fn gb18030_tab_file_reports_its_delimiter() {
    let env = Env::new();
    let f = env.write(
        "gb.txt",
        &gb18030(&delimited(&seed_rows(), "\t", Some(TITLE))),
    );
    let (code, v, err) = env.import(&f, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(v[0]["delimiter"], "\t");
    assert_eq!(v[0]["file"], "gb.txt");
    assert_eq!(v[0]["status"], "imported");
}

#[test]
fn the_same_bytes_twice_change_nothing_and_name_the_batch() {
    let env = Env::new();
    let f = env.write("a.csv", delimited(&seed_rows(), ",", None).as_bytes());
    let (_, first, _) = env.import(&f, &[]);
    let before = env.filings();
    let (code, again, err) = env.import(&f, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(again[0]["status"], "already_imported");
    assert_eq!(again[0]["batch"], first[0]["batch"]);
    assert_eq!(again[0]["inserted"], 0);
    assert!(again[0]["message"]
        .as_str()
        .unwrap()
        .contains("already imported"));
    assert_eq!(env.filings(), before);
    let (_, batches, _) = env.json(&["batches"]);
    assert_eq!(batches.as_array().unwrap().len(), 1);
}

#[test]
fn a_twin_in_another_encoding_is_a_new_batch_that_changes_nothing() {
    let env = Env::new();
    let rows = seed_rows();
    env.import(
        &env.write("a.csv", delimited(&rows, ",", None).as_bytes()),
        &[],
    );
    let (code, v, _) = env.import(
        &env.write("b.tsv", &gb18030(&delimited(&rows, "\t", None))),
        &[],
    );
    assert_eq!(code, 0);
    assert_eq!(
        (v[0]["inserted"].as_u64(), v[0]["unchanged"].as_u64()),
        (Some(0), Some(18))
    );
}

fn three_bad_rows() -> String {
    let mut rows = seed_rows();
    rows[2][1] = "火星".into(); // line 4: unknown region
    rows[5][4] = String::new(); // line 7: no number
    rows[9][5] = "2023/2/30".into(); // line 11: not a date
    delimited(&rows, ",", None)
}

#[test]
fn three_bad_rows_are_named_and_the_database_is_untouched() {
    let env = Env::new();
    env.json(&["batches"]); // creates the empty database
    let before = env.db_bytes();
    let f = env.write("bad.csv", three_bad_rows().as_bytes());
    let (code, v, err) = env.import(&f, &[]);
    assert_eq!(code, 1, "{err} {v}");
    assert_eq!(v[0]["status"], "refused");
    let lines: Vec<u64> = v[0]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, vec![4, 7, 11]);
    let codes: Vec<&str> = v[0]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code"].as_str().unwrap())
        .collect();
    assert_eq!(
        codes,
        vec!["region_unknown", "number_missing", "date_invalid"]
    );
    assert_eq!(v[0]["errors"][0]["column"], "属地");
    assert!(v[0]["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("火星"));
    assert_eq!(
        env.db_bytes(),
        before,
        "a refused import must leave the file byte-for-byte"
    );

    let (code, v, err) = env.import(&f, &["--keep-going"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        (v[0]["inserted"].as_u64(), v[0]["rejected"].as_u64()),
        (Some(15), Some(3))
    );
    assert_eq!(v[0]["errors"].as_array().unwrap().len(), 3);
    assert_eq!(env.filings().len(), 15);
}

#[test]
fn dry_run_writes_nothing_and_reports_the_same() {
    let env = Env::new();
    env.json(&["batches"]); // creates the empty database
    let before = env.db_bytes();
    let f = env.write("a.csv", delimited(&seed_rows(), ",", None).as_bytes());
    let (code, v, _) = env.import(&f, &["--dry-run"]);
    assert_eq!(code, 0);
    assert_eq!(v[0]["status"], "dry_run");
    assert_eq!(v[0]["inserted"], 18);
    assert_eq!(env.db_bytes(), before);
    assert!(env.filings().is_empty());
}

#[test]
fn search_finds_two_character_chinese_words() {
    let env = Env::new();
    env.import(
        &env.write("a.csv", delimited(&seed_rows(), ",", None).as_bytes()),
        &[],
    );
    let (_, v, _) = env.json(&["list", "--search", "星火"]);
    let models: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["model"].as_str().unwrap())
        .collect();
    assert_eq!(models, vec!["星火认知大模型"]);
    let (_, v, _) = env.json(&["list", "--search", "北京"]);
    assert_eq!(
        v.as_array().unwrap().len(),
        4,
        "北京 is in four company names"
    );
    let (_, v, _) = env.json(&["list", "--search", "荣耀"]);
    assert_eq!(v.as_array().unwrap().len(), 2);
    let (_, v, _) = env.json(&["list", "--search", "wenxin"]);
    assert_eq!(v[0]["number"], "Beijing-WenXinYiYan-20230821");
    let (_, v, _) = env.json(&["list", "--search", "讯"]);
    assert_eq!(
        v.as_array().unwrap().len(),
        3,
        "one character: 网讯, 讯飞 and 腾讯"
    );
}

#[test]
fn list_filters_sorts_and_pages() {
    let env = Env::new();
    env.import(
        &env.write("a.csv", delimited(&seed_rows(), ",", None).as_bytes()),
        &[],
    );
    let (_, v, _) = env.json(&["list", "--region", "广东", "--sort", "filed_on:desc"]);
    let rows = v.as_array().unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[0]["filed_on"], "2024-03-28");
    assert_eq!(rows[3]["number"], "Guangdong-TencentHunyuan-20230901");
    let (_, v, _) = env.json(&[
        "list",
        "--from",
        "2024-01-01",
        "--limit",
        "2",
        "--offset",
        "1",
    ]);
    assert_eq!(v.as_array().unwrap().len(), 2);
    let (_, v, _) = env.json(&["list", "--company", "荣耀"]);
    assert_eq!(v.as_array().unwrap().len(), 2);
    let (_, v, _) = env.json(&["facets", "--year", "2023"]);
    assert_eq!(v["region"][0]["value"], "北京市");
    assert_eq!(v["region"][0]["count"], 5);
    let (code, _, err) = env.json(&["list", "--from", "yesterday"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = env.json(&["list", "--sort", "colour"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn check_reads_the_number() {
    let env = Env::new();
    let (code, v, _) = env.json(&["check", "ZheJiang-TongYiQianWen-20230901"]);
    assert_eq!(code, 0);
    assert_eq!(v["region"], "浙江省");
    assert_eq!(v["valid"], true);
    assert_eq!(v["jurisdiction"], "ZheJiang");
    assert_eq!(v["date"], "2023-09-01");
    let (code, v, _) = env.json(&["check", "Beijing-X-20230821", "--region", "上海市"]);
    assert_eq!(code, 1);
    assert_eq!(v["problems"][0]["code"], "prefix_mismatch");
    let (code, v, _) = env.json(&["check", "Guangdong-Plaud-20251229S0027"]);
    assert_eq!(code, 0);
    assert_eq!(
        (v["kind"].as_str(), v["sequence"].as_str()),
        (Some("registered"), Some("0027"))
    );
    let (code, v, _) = env.json(&["check", "nonsense"]);
    assert_eq!(code, 1);
    assert_eq!(v["problems"][0]["code"], "number_malformed");
}

#[test]
fn a_changed_row_in_a_later_batch_keeps_the_old_values_in_history() {
    let env = Env::new();
    let rows = seed_rows();
    env.import(
        &env.write("a.csv", delimited(&rows, ",", None).as_bytes()),
        &[],
    );
    let mut changed = rows.clone();
    changed[0][3] = "北京百度网讯科技有限公司（更正）".into();
    let (code, v, _) = env.import(
        &env.write("b.csv", delimited(&changed, ",", None).as_bytes()),
        &[],
    );
    assert_eq!(code, 0);
    assert_eq!(
        (v[0]["updated"].as_u64(), v[0]["unchanged"].as_u64()),
        (Some(1), Some(17))
    );
    let (code, s, _) = env.json(&["show", "beijing-wenxinyiyan-20230821"]);
    assert_eq!(code, 0);
    assert_eq!(s["company"], "北京百度网讯科技有限公司（更正）");
    assert_eq!(s["history"][0]["company"], "北京百度网讯科技有限公司");
    assert_eq!(s["history"][0]["replaced_by_batch"], 2);
    assert_eq!(s["raw_rows"].as_array().unwrap().len(), 2);
    // Nothing is deleted by an import: a later file without the row leaves it in place.
    env.import(
        &env.write("c.csv", delimited(&rows[1..2], ",", None).as_bytes()),
        &[],
    );
    assert_eq!(env.filings().len(), 18);
}

#[test]
fn show_lists_the_companys_other_filings() {
    let env = Env::new();
    env.import(
        &env.write("a.csv", delimited(&seed_rows(), ",", None).as_bytes()),
        &[],
    );
    let (_, s, _) = env.json(&["show", "Guangdong-YOYOPC-20240314"]);
    assert_eq!(s["other_filings"][0]["number"], "Guangdong-YOYOM-20240314");
    let (code, _, err) = env.json(&["show", "Nowhere-X-20240101"]);
    assert_eq!(code, 1);
    assert!(err.contains("not found"), "{err}");
}

#[test]
fn quirky_rows_are_kept_and_flagged() {
    let env = Env::new();
    let mut rows = seed_rows();
    rows[5].swap(2, 3); // model and company swapped
    rows[6][3] = format!("、{}", rows[6][3]); // stray leading character
    rows[7][4] = "Beijing-ShuShengPuYu-20230821".into(); // prefix disagrees with 上海市
    env.import(
        &env.write("q.csv", delimited(&rows, ",", None).as_bytes()),
        &[],
    );
    let (_, v, _) = env.json(&["list", "--flagged"]);
    let flags: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["flags"].to_string())
        .collect();
    assert_eq!(v.as_array().unwrap().len(), 3, "{flags:?}");
    let (_, v, _) = env.json(&["list", "--flag", "model_company_swapped"]);
    assert_eq!(v[0]["model"], "上海稀宇科技有限公司", "kept as it came");
    let (_, v, _) = env.json(&["list", "--flag", "prefix_mismatch"]);
    assert_eq!(v[0]["number"], "Beijing-ShuShengPuYu-20230821");
}

#[test]
fn files_that_are_not_tables_get_one_clear_message() {
    let env = Env::new();
    for (name, bytes, needle) in [
        ("empty.csv", b"".to_vec(), "empty"),
        (
            "notes.txt",
            "这是一份会议纪要，没有表格。\n第二行。\n"
                .as_bytes()
                .to_vec(),
            "no filings table",
        ),
        (
            "nonum.csv",
            "序号,属地,模型名称,备案单位,备案时间\n1,北京市,文心一言,百度,2023/8/31\n"
                .as_bytes()
                .to_vec(),
            "no filing-number column",
        ),
    ] {
        let f = env.write(name, &bytes);
        let out = env.beian().arg("import").arg(&f).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{name}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(needle), "{name}: {err}");
        assert_eq!(err.lines().count(), 1, "{name}: one message: {err}");
    }
    let out = env
        .beian()
        .args(["import", "/no/such/file.csv"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn add_and_edit_are_audited() {
    let env = Env::new();
    let (code, v, err) = env.json(&[
        "add",
        "--number",
        "Hangzhou-X-20240101",
        "--region",
        "浙江",
        "--model",
        "某模型",
        "--company",
        "杭州某某科技有限公司",
        "--filed-on",
        "2024/1/15",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["region"], "浙江省");
    assert!(v["flags"]
        .as_array()
        .unwrap()
        .contains(&Value::from("jurisdiction_unknown")));
    let (code, v, err) = env.json(&[
        "edit",
        "hangzhou-x-20240101",
        "--set-number",
        "Zhejiang-X-20240101",
        "--note",
        "typo",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["number"], "Zhejiang-X-20240101");
    assert_eq!(v["flags"], serde_json::json!([]));
    assert_eq!(v["audit"][0]["action"], "edit");
    assert_eq!(v["audit"][0]["changes"][0]["before"], "Hangzhou-X-20240101");
    assert_eq!(v["audit"][0]["note"], "typo");
    assert_eq!(v["history"][0]["number"], "Hangzhou-X-20240101");
    let (code, _, err) = env.json(&[
        "add",
        "--number",
        "Zhejiang-X-20240101",
        "--region",
        "浙江",
        "--model",
        "m",
        "--company",
        "c",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("already has the number"), "{err}");
    let (code, _, err) = env.json(&[
        "add",
        "--number",
        "Beijing-Y-20240101",
        "--region",
        "火星",
        "--model",
        "m",
        "--company",
        "c",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("火星"), "{err}");
}

#[test]
fn a_database_from_a_newer_version_is_refused_and_untouched() {
    let env = Env::new();
    env.json(&["batches"]);
    {
        let c = rusqlite::Connection::open(env.db()).unwrap();
        c.pragma_update(None, "journal_mode", "DELETE").unwrap();
        c.pragma_update(None, "user_version", 999).unwrap();
    }
    let before = env.db_bytes();
    let out = env.beian().arg("batches").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("newer version of Beian"), "{err}");
    assert_eq!(env.db_bytes(), before);
}

#[test]
fn the_default_database_starts_with_the_bundled_filings() {
    let env = Env::new();
    let out = env
        .beian()
        .env_remove("BEIAN_DB")
        .args(["--format", "json", "list"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 18);
    assert!(env.dir.path().join("xdg/beian/beian.sqlite").exists());
}

#[test]
fn backup_and_restore_round_trip() {
    let env = Env::new();
    env.import(
        &env.write("a.csv", delimited(&seed_rows(), ",", None).as_bytes()),
        &[],
    );
    let backup = env.dir.path().join("backup.sqlite");
    let out = env.beian().arg("backup").arg(&backup).output().unwrap();
    assert!(out.status.success());
    let before = env.filings();
    env.json(&["edit", "Beijing-WenXinYiYan-20230821", "--model", "改过的"]);
    assert_ne!(env.filings(), before);
    let out = env.beian().arg("restore").arg(&backup).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(env.filings(), before);
    let junk = env.write("junk.sqlite", b"not a database at all, just text that is long enough to have a header region.............");
    let out = env.beian().arg("restore").arg(&junk).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(env.filings(), before);
}

#[test]
fn table_and_csv_formats_print() {
    let env = Env::new();
    env.import(
        &env.write("a.csv", delimited(&seed_rows(), ",", None).as_bytes()),
        &[],
    );
    let out = env
        .beian()
        .args(["list", "--format", "csv", "--region", "国资委"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("number,kind,region,model,company,filed_on,seq,batch,flags"));
    assert!(text.contains("ZhongYangQiYe-JiuTian-20240123,filed,国资委,九天自然语言交互大模型"));
    let out = env
        .beian()
        .args(["list", "--region", "国资委"])
        .output()
        .unwrap();
    assert!(String::from_utf8(out.stdout)
        .unwrap()
        .contains("九天自然语言交互大模型"));
}
