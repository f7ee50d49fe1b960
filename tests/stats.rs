//! Statistics on a 117-row CAC-shaped registry whose figures are known: Beijing 51, Shanghai 24,
//! Guangdong 19 (together 94, the seed document's figure) and 23 elsewhere, filed from August
//! 2023 to March 2024 and imported as two batches (2023 rows, then 2024 rows).

mod common;

use beian::filing::{FilingFields, Kind};
use beian::import::ReadOptions;
use beian::query::FilingFilter;
use beian::registry::ImportMode;
use beian::stats::{StatsBy, StatsQuery, StatsReport};
use beian::Registry;
use chrono::{Duration, NaiveDate};
use common::*;
use std::collections::BTreeMap;

/// (full name, number prefix, filings).
const REGIONS: [(&str, &str, usize); 11] = [
    ("北京市", "Beijing", 51),
    ("上海市", "Shanghai", 24),
    ("广东省", "Guangdong", 19),
    ("浙江省", "Zhejiang", 8),
    ("江苏省", "Jiangsu", 5),
    ("四川省", "Sichuan", 3),
    ("湖北省", "Hubei", 2),
    ("国资委", "ZhongYangQiYe", 2),
    ("天津市", "Tianjin", 1),
    ("安徽省", "Anhui", 1),
    ("福建省", "Fujian", 1),
];

/// Filings per month from 2023-08 to 2024-03; October and February have none.
const MONTHS: [(i32, u32, usize); 8] = [
    (2023, 8, 10),
    (2023, 9, 15),
    (2023, 10, 0),
    (2023, 11, 20),
    (2023, 12, 17),
    (2024, 1, 25),
    (2024, 2, 0),
    (2024, 3, 30),
];

const TOP_COMPANY_A: &str = "甲智能科技有限公司";
const TOP_COMPANY_B: &str = "乙智能科技有限公司";

struct Filing {
    region: &'static str,
    filed_on: NaiveDate,
    row: [String; 6],
}

/// The 117 filings in date order. Regions are dealt by a fixed permutation (step 7, coprime to
/// 117) so every region spreads over the months; two companies hold 12 filings each.
fn fixture() -> Vec<Filing> {
    let deck: Vec<(&str, &str)> = REGIONS
        .iter()
        .flat_map(|&(name, prefix, n)| std::iter::repeat_n((name, prefix), n))
        .collect();
    assert_eq!(deck.len(), 117);
    let mut out = Vec::new();
    for (y, m, n) in MONTHS {
        for j in 0..n {
            let i = out.len();
            let (region, prefix) = deck[(i * 7) % 117];
            let filed_on = NaiveDate::from_ymd_opt(y, m, 5 + (j % 20) as u32).unwrap();
            let accepted = filed_on - Duration::days(10);
            let company = match i % 10 {
                0 => TOP_COMPANY_A.to_string(),
                5 => TOP_COMPANY_B.to_string(),
                _ => format!("示例{i:03}科技有限公司"),
            };
            out.push(Filing {
                region,
                filed_on,
                row: [
                    (i + 1).to_string(),
                    region.to_string(),
                    format!("示例模型{i:03}"),
                    company,
                    format!("{prefix}-ShiLi{i:03}-{}", accepted.format("%Y%m%d")),
                    filed_on.format("%Y/%-m/%-d").to_string(),
                ],
            });
        }
    }
    assert_eq!(out.len(), 117);
    out
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// The two attachments: every 2023 filing, then every 2024 filing.
fn attachments() -> (String, String) {
    let all = fixture();
    let rows = |year: i32| -> Vec<[String; 6]> {
        all.iter()
            .filter(|f| f.filed_on.format("%Y").to_string() == year.to_string())
            .map(|f| f.row.clone())
            .collect()
    };
    (
        delimited(
            &rows(2023),
            ",",
            Some("附件1：生成式人工智能服务已备案信息"),
        ),
        delimited(
            &rows(2024),
            ",",
            Some("附件2：生成式人工智能服务已备案信息"),
        ),
    )
}

fn import(reg: &mut Registry, name: &str, text: &str) -> i64 {
    let s = reg
        .import(
            name,
            text.as_bytes(),
            &ReadOptions::default(),
            ImportMode::default(),
            "2024-04-02T00:00:00Z",
            &mut |_, _| true,
        )
        .unwrap();
    assert_eq!(s.rejected, 0, "{:?}", s.errors);
    assert!(s.warnings.is_empty(), "{:?}", s.warnings);
    s.batch.unwrap()
}

fn registry(both: bool) -> Registry {
    let (a1, a2) = attachments();
    let mut reg = Registry::open_in_memory().unwrap();
    assert_eq!(import(&mut reg, "附件1.csv", &a1), 1);
    if both {
        assert_eq!(import(&mut reg, "附件2.csv", &a2), 2);
    }
    reg
}

fn stats(reg: &Registry, by: StatsBy, as_of: Option<&str>, top: Option<u32>) -> StatsReport {
    stats_where(reg, by, as_of, top, FilingFilter::default())
}

fn stats_where(
    reg: &Registry,
    by: StatsBy,
    as_of: Option<&str>,
    top: Option<u32>,
    filter: FilingFilter,
) -> StatsReport {
    reg.stats(&StatsQuery {
        by,
        filter,
        as_of: as_of.map(str::to_string),
        top,
    })
    .unwrap()
}

fn counts(r: &StatsReport) -> Vec<(&str, u64)> {
    r.rows.iter().map(|x| (x.key.as_str(), x.count)).collect()
}

fn cumulative(r: &StatsReport) -> Vec<u64> {
    r.rows.iter().map(|x| x.cumulative.unwrap()).collect()
}

#[test]
fn regions_give_the_seed_documents_figures() {
    let reg = registry(true);
    let r = stats(&reg, StatsBy::Region, None, Some(3));
    assert_eq!(r.total, 117);
    assert_eq!(r.groups, 11);
    assert_eq!(r.undated, 0);
    let top = r.top.as_ref().unwrap();
    assert_eq!((top.n, top.count), (3, 94));
    assert_eq!(top.share, 94.0 / 117.0);
    assert_eq!(top.keys, vec!["北京市", "上海市", "广东省"]);
    assert_eq!(
        counts(&r),
        vec![("北京市", 51), ("上海市", 24), ("广东省", 19)]
    );
    let sh = &r.rows[1];
    assert_eq!((sh.label.as_str(), sh.rank, sh.count), ("上海", 2, 24));
    assert_eq!(sh.share, 24.0 / 117.0);

    let all = stats(&reg, StatsBy::Region, None, None);
    assert!(all.top.is_none());
    let ranks: Vec<(&str, u32)> = all.rows.iter().map(|x| (x.key.as_str(), x.rank)).collect();
    assert_eq!(
        ranks,
        vec![
            ("北京市", 1),
            ("上海市", 2),
            ("广东省", 3),
            ("浙江省", 4),
            ("江苏省", 5),
            ("四川省", 6),
            ("国资委", 7),
            ("湖北省", 7),
            ("天津市", 9),
            ("安徽省", 9),
            ("福建省", 9),
        ]
    );
    let sum: f64 = all.rows.iter().map(|x| x.share).sum();
    assert!((sum - 1.0).abs() < 1e-12);
}

/// Filings per region dated on or before `as_of`, counted straight from the fixture.
fn regions_as_of(as_of: NaiveDate) -> BTreeMap<&'static str, u64> {
    let mut m = BTreeMap::new();
    for f in fixture().iter().filter(|f| f.filed_on <= as_of) {
        *m.entry(f.region).or_default() += 1;
    }
    m
}

fn region_map(r: &StatsReport) -> BTreeMap<&str, u64> {
    r.rows.iter().map(|x| (x.key.as_str(), x.count)).collect()
}

#[test]
fn months_quarters_and_years_are_zero_filled_and_cumulative() {
    let reg = registry(true);
    let m = stats(&reg, StatsBy::Month, None, None);
    assert_eq!(
        counts(&m),
        vec![
            ("2023-08", 10),
            ("2023-09", 15),
            ("2023-10", 0),
            ("2023-11", 20),
            ("2023-12", 17),
            ("2024-01", 25),
            ("2024-02", 0),
            ("2024-03", 30),
        ]
    );
    assert_eq!(cumulative(&m), vec![10, 25, 25, 45, 62, 87, 87, 117]);
    assert_eq!((m.total, m.undated), (117, 0));
    assert_eq!(m.rows[2].rank, 7, "the two empty months tie last");
    assert_eq!(m.rows[2].share, 0.0);

    let q = stats(&reg, StatsBy::Quarter, None, None);
    assert_eq!(
        counts(&q),
        vec![("2023-Q3", 25), ("2023-Q4", 37), ("2024-Q1", 55)]
    );
    assert_eq!(cumulative(&q), vec![25, 62, 117]);
    let y = stats(&reg, StatsBy::Year, None, None);
    assert_eq!(counts(&y), vec![("2023", 62), ("2024", 55)]);

    // As of a later day the series runs on to that day's month, flat at the total.
    let m = stats(&reg, StatsBy::Month, Some("2024-06-30"), None);
    assert_eq!(m.rows.len(), 11);
    assert_eq!(m.rows.last().unwrap().key, "2024-06");
    assert_eq!(cumulative(&m)[7..], [117, 117, 117, 117]);
}

#[test]
fn as_of_dates_either_side_of_the_second_batch() {
    let reg = registry(true);
    // The second batch's filings are dated from 2024-01-05 (two that day).
    for (as_of, total) in [
        ("2023-12-31", 62),
        ("2024-01-04", 62),
        ("2024-01-05", 64),
        ("2024-03-31", 117),
    ] {
        let r = stats(&reg, StatsBy::Region, Some(as_of), None);
        assert_eq!(r.total, total, "as of {as_of}");
        assert_eq!(r.as_of.as_deref(), Some(as_of));
        let want = regions_as_of(d(as_of));
        assert_eq!(region_map(&r), want.iter().map(|(k, v)| (*k, *v)).collect());
    }

    let before = stats(&reg, StatsBy::Batch, Some("2023-12-31"), None);
    assert_eq!(counts(&before), vec![("1", 62)]);
    assert_eq!(before.rows[0].label, "#1 附件1.csv");
    let after = stats(&reg, StatsBy::Batch, Some("2024-03-31"), None);
    assert_eq!(counts(&after), vec![("1", 62), ("2", 55)]);
    assert_eq!(cumulative(&after), vec![62, 117]);

    let m = stats(&reg, StatsBy::Month, Some("2024-01-04"), None);
    assert_eq!(m.rows.last().unwrap().key, "2024-01");
    assert_eq!(m.rows.last().unwrap().count, 0);
    assert_eq!(*cumulative(&m).last().unwrap(), 62);

    let top = stats(&reg, StatsBy::Region, Some("2023-12-31"), Some(3));
    let want = regions_as_of(d("2023-12-31"));
    let mut by_count: Vec<u64> = want.values().copied().collect();
    by_count.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(top.top.unwrap().count, by_count[..3].iter().sum::<u64>());
}

#[test]
fn an_as_of_date_shows_what_a_registry_of_one_batch_lacks() {
    let reg = registry(false);
    assert_eq!(
        stats(&reg, StatsBy::Region, Some("2024-03-31"), None).total,
        62
    );
    let c = reg.completeness("2024-05-01").unwrap();
    let filed = c.filed.unwrap();
    assert_eq!(filed.published_as_of, d("2024-03-31"));
    assert_eq!((filed.published, filed.registry), (117, 62));
    assert_eq!(filed.share, 62.0 / 117.0);
    assert_eq!(filed.kind, Kind::Filed);
    assert!(c.registered.is_none());
    assert_eq!(c.registry_filed, 62);
}

#[test]
fn completeness_compares_like_for_like_days() {
    let reg = registry(true);
    let c = reg.completeness("2024-03-31").unwrap();
    let filed = c.filed.unwrap();
    assert_eq!(
        (filed.published, filed.registry, filed.share),
        (117, 117, 1.0)
    );
    assert_eq!(filed.confidence, beian::stats::Confidence::H);
    let c = reg.completeness("2025-01-15").unwrap();
    let filed = c.filed.unwrap();
    assert_eq!(
        (filed.published_as_of, filed.published),
        (d("2024-12-31"), 302)
    );
    assert_eq!(filed.registry, 117);
    let registered = c.registered.unwrap();
    assert_eq!((registered.published, registered.registry), (105, 0));
    assert!(reg.completeness("2024-03-30").unwrap().filed.is_none());
}

#[test]
fn every_figure_honours_the_filter() {
    let reg = registry(true);
    let shanghai = FilingFilter {
        regions: vec!["上海".into()],
        ..FilingFilter::default()
    };
    let m = stats_where(&reg, StatsBy::Month, None, None, shanghai.clone());
    assert_eq!(m.total, 24);
    assert_eq!(*cumulative(&m).last().unwrap(), 24);
    let want_months: BTreeMap<String, u64> = fixture()
        .iter()
        .filter(|f| f.region == "上海市")
        .fold(BTreeMap::new(), |mut acc, f| {
            *acc.entry(f.filed_on.format("%Y-%m").to_string())
                .or_default() += 1;
            acc
        });
    for row in &m.rows {
        assert_eq!(
            row.count,
            want_months.get(&row.key).copied().unwrap_or(0),
            "{}",
            row.key
        );
    }
    let k = stats_where(&reg, StatsBy::Kind, Some("2023-12-31"), None, shanghai);
    assert_eq!(
        k.total,
        regions_as_of(d("2023-12-31"))["上海市"],
        "filter and as-of together"
    );

    let second = FilingFilter {
        batch: Some(2),
        ..FilingFilter::default()
    };
    let r = stats_where(&reg, StatsBy::Region, None, None, second);
    assert_eq!(r.total, 55);
    assert_eq!(region_map(&r), {
        let all = regions_as_of(d("2024-12-31"));
        let first = regions_as_of(d("2023-12-31"));
        all.iter()
            .map(|(k, v)| (*k, v - first.get(k).copied().unwrap_or(0)))
            .filter(|(_, v)| *v > 0)
            .collect::<BTreeMap<_, _>>()
    });

    let kinds = stats(&reg, StatsBy::Kind, None, None);
    assert_eq!(counts(&kinds), vec![("filed", 117)]);
    assert_eq!(kinds.rows[0].share, 1.0);
}

#[test]
fn top_companies_tie_at_the_top() {
    let reg = registry(true);
    let c = stats(&reg, StatsBy::Company, None, Some(2));
    assert_eq!(c.groups, 95);
    assert_eq!(counts(&c), vec![(TOP_COMPANY_B, 12), (TOP_COMPANY_A, 12)]);
    assert!(c.rows.iter().all(|r| r.rank == 1));
    let top = c.top.unwrap();
    assert_eq!((top.count, top.share), (24, 24.0 / 117.0));
    // One place: both tied companies stay, so the cut never picks one arbitrarily.
    let one = stats(&reg, StatsBy::Company, None, Some(1));
    assert_eq!(one.rows.len(), 2);
    // Three places: the tie, then all 93 one-filing companies tie for third.
    let three = stats(&reg, StatsBy::Company, None, Some(3));
    assert_eq!(three.rows.len(), 95);
    assert_eq!(three.rows[2].rank, 3);
}

#[test]
fn undated_filings_are_left_out_of_as_of_and_time_figures_only() {
    let mut reg = registry(true);
    reg.add_filing(
        FilingFields {
            number: "Beijing-ShouGong-20240301".into(),
            kind: Kind::Filed,
            region: "北京".into(),
            model: "手工录入模型".into(),
            company: "手工科技有限公司".into(),
            filed_on: None,
            seq: None,
        },
        "2024-04-03T00:00:00Z",
        None,
    )
    .unwrap();
    let r = stats(&reg, StatsBy::Region, None, None);
    assert_eq!((r.total, r.undated, r.rows[0].count), (118, 0, 52));
    let r = stats(&reg, StatsBy::Region, Some("2024-03-31"), None);
    assert_eq!((r.total, r.undated, r.rows[0].count), (117, 1, 51));
    let m = stats(&reg, StatsBy::Month, None, None);
    assert_eq!((m.total, m.undated), (117, 1));
    let b = stats(&reg, StatsBy::Batch, None, None);
    let last = b.rows.last().unwrap();
    assert_eq!(
        (
            last.key.as_str(),
            last.label.as_str(),
            last.count,
            last.cumulative
        ),
        ("manual", "added by hand", 1, Some(118))
    );
    assert_eq!(reg.completeness("2024-03-31").unwrap().undated, 1);
}

// ---- the CLI ----

fn cli_env() -> Env {
    let env = Env::new();
    let (a1, a2) = attachments();
    for (name, text) in [("附件1.csv", a1), ("附件2.csv", a2)] {
        let (code, v, err) = env.import(&env.write(name, text.as_bytes()), &[]);
        assert_eq!(code, 0, "{err} {v}");
    }
    env
}

fn stdout(env: &Env, args: &[&str]) -> (i32, String, String) {
    let out = env.beian().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn cli_region_top_three_prints_rows_and_the_top_share() {
    let env = cli_env();
    let (code, v, err) = env.json(&["stats", "--by", "region", "--top", "3"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["total"], 117);
    assert_eq!(v["rows"].as_array().unwrap().len(), 3);
    assert_eq!(v["rows"][1]["key"], "上海市");
    assert_eq!(v["rows"][1]["label"], "上海");
    assert_eq!(v["rows"][1]["rank"], 2);
    assert_eq!(v["rows"][1]["count"], 24);
    assert_eq!(v["top"]["n"], 3);
    assert_eq!(v["top"]["count"], 94);
    assert!((v["top"]["share"].as_f64().unwrap() - 94.0 / 117.0).abs() < 1e-12);

    let (code, text, _) = stdout(&env, &["stats", "--by", "region", "--top", "3"]);
    assert_eq!(code, 0);
    assert!(
        text.contains("top 3: 94 of 117 filings (80.3%): 北京市, 上海市, 广东省"),
        "{text}"
    );
}

#[test]
fn cli_months_as_csv_with_cumulative() {
    let env = cli_env();
    let (code, text, err) = stdout(&env, &["stats", "--by", "month", "--format", "csv"]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "key,count,share,rank,cumulative");
    assert_eq!(lines.len(), 9);
    assert_eq!(lines[3], "2023-10,0,0,7,25");
    assert!(lines[8].starts_with("2024-03,30,0.25641"), "{}", lines[8]);
    assert!(lines[8].ends_with(",1,117"), "{}", lines[8]);
}

#[test]
fn cli_as_of_and_filters() {
    let env = cli_env();
    let (code, v, err) = env.json(&["stats", "--by", "quarter", "--as-of", "2023-12-31"]);
    assert_eq!(code, 0, "{err}");
    let keys: Vec<&str> = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, vec!["2023-Q3", "2023-Q4"]);
    assert_eq!(v["rows"][1]["cumulative"], 62);
    // The as-of date is read like a CAC date.
    let (_, v, _) = env.json(&["stats", "--by", "batch", "--as-of", "2024/1/4"]);
    assert_eq!(v["as_of"], "2024-01-04");
    assert_eq!(v["rows"].as_array().unwrap().len(), 1);
    assert_eq!(v["rows"][0]["count"], 62);
    let (_, v, _) = env.json(&["stats", "--by", "year", "--region", "上海"]);
    assert_eq!(v["total"], 24);
    let (_, v, _) = env.json(&["stats", "--by", "company", "--top", "2", "--search", "智能"]);
    assert_eq!(v["top"]["count"], 24);
}

#[test]
fn cli_completeness() {
    let env = cli_env();
    let (code, v, err) = env.json(&["stats", "--completeness", "--as-of", "2024-05-01"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["as_of"], "2024-05-01");
    assert_eq!(v["filed"]["published"], 117);
    assert_eq!(v["filed"]["registry"], 117);
    assert_eq!(v["filed"]["published_as_of"], "2024-03-31");
    assert_eq!(v["filed"]["confidence"], "H");
    assert_eq!(v["registered"], serde_json::Value::Null);
    let (code, text, _) = stdout(&env, &["stats", "--completeness", "--as-of", "2025-01-01"]);
    assert_eq!(code, 0);
    assert!(text.contains("302"), "{text}");
    assert!(
        text.contains("registry as of 2025-01-01: 117 filed, 0 registered"),
        "{text}"
    );
}

#[test]
fn cli_usage_errors_exit_2() {
    let env = cli_env();
    for args in [
        vec!["stats"],
        vec!["stats", "--by", "month", "--top", "3"],
        vec!["stats", "--by", "region", "--top", "0"],
        vec!["stats", "--by", "region", "--as-of", "2024-13-01"],
        vec!["stats", "--by", "province"],
        vec!["stats", "--completeness", "--region", "北京"],
        vec!["stats", "--completeness", "--by", "region"],
    ] {
        let (code, _, err) = env.json(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(!err.is_empty());
    }
}

#[test]
fn cli_on_an_empty_registry() {
    let env = Env::new();
    let (code, v, err) = env.json(&["stats", "--by", "region", "--top", "3"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["rows"], serde_json::json!([]));
    assert_eq!(v["top"]["share"], 0.0);
    let (code, v, _) = env.json(&["stats", "--by", "month", "--as-of", "2024-03-31"]);
    assert_eq!(code, 0);
    assert_eq!(v["total"], 0);
}

/// Times every figure on 100,000 generated filings (`cargo test --test stats -- --ignored
/// --nocapture`). With `BEIAN_STATS_DB=path` the registry is kept there, to time the CLI on it.
/// Benchmarks proper (a million rows, 20 ms) belong to the benchmark suite; this is a quick look.
#[test]
#[ignore]
fn timings_on_100k_filings() {
    const N: usize = 100_000;
    let regions = beian::region::Regions::bundled();
    let names: Vec<(String, String)> = [
        "北京市",
        "上海市",
        "广东省",
        "浙江省",
        "江苏省",
        "四川省",
        "湖北省",
        "国资委",
        "天津市",
        "安徽省",
        "福建省",
        "山东省",
        "湖南省",
        "重庆市",
        "陕西省",
        "河南省",
    ]
    .iter()
    .map(|n| {
        let r = regions.by_name(n).unwrap();
        (r.name.clone(), r.prefixes[0].clone())
    })
    .collect();
    let start = d("2023-08-01");
    let rows: Vec<[String; 6]> = (0..N)
        .map(|i| {
            // Skewed like the real lists: the first regions take most filings.
            let (name, prefix) = &names[(i * i + i / 3) % 7 + (i % 3 == 0) as usize * (i % 9)];
            let filed_on = start + Duration::days((i * 1050 / N) as i64);
            let accepted = filed_on - Duration::days(10);
            [
                (i + 1).to_string(),
                name.clone(),
                format!("基准模型{i}"),
                format!("基准{}科技有限公司", i % 5000),
                format!("{prefix}-JiZhun{i}-{}", accepted.format("%Y%m%d")),
                filed_on.format("%Y/%-m/%-d").to_string(),
            ]
        })
        .collect();
    let path = std::env::var_os("BEIAN_STATS_DB")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::env::temp_dir().join(format!("beian-stats-{}.sqlite", std::process::id()))
        });
    let _ = std::fs::remove_file(&path);
    let mut reg = Registry::open(&path).unwrap();
    let t = std::time::Instant::now();
    import(&mut reg, "bench.csv", &delimited(&rows, ",", None));
    eprintln!("import of {N} rows: {:?}", t.elapsed());
    for by in StatsBy::ALL {
        for as_of in [None, Some("2025-06-30")] {
            let t = std::time::Instant::now();
            let r = stats(&reg, by, as_of, None);
            let took = t.elapsed();
            if as_of.is_none() {
                assert_eq!(r.total, N as u64, "{by:?}");
            }
            eprintln!(
                "{:>8} as of {:<10}: {took:>10.2?} ({} rows)",
                by.as_str(),
                as_of.unwrap_or("-"),
                r.rows.len()
            );
        }
    }
    if std::env::var_os("BEIAN_STATS_DB").is_none() {
        drop(reg);
        let _ = std::fs::remove_file(&path);
    }
}

#[test]
fn the_kept_company_figure_follows_every_write() {
    let mut reg = registry(true);
    let before = stats(&reg, StatsBy::Company, Some("2024-12-31"), Some(3));
    // Asked again with nothing changed: the same figure.
    assert_eq!(
        stats(&reg, StatsBy::Company, Some("2024-12-31"), Some(3)),
        before
    );
    let fields = |n: u32| FilingFields {
        number: format!("Beijing-ShouGong{n}-20240301"),
        kind: Kind::Filed,
        region: "北京".into(),
        model: format!("手工录入模型{n}"),
        company: "手工科技有限公司".into(),
        filed_on: Some(d("2024-03-01")),
        seq: None,
    };
    for n in 0..3 {
        reg.add_filing(fields(n), "2024-04-03T00:00:00Z", None)
            .unwrap();
    }
    let after = stats(&reg, StatsBy::Company, Some("2024-12-31"), Some(3));
    assert_ne!(after, before);
    assert_eq!(after.total, before.total + 3);
    let mine = after
        .rows
        .iter()
        .find(|r| r.key == "手工科技有限公司")
        .unwrap();
    assert_eq!(mine.count, 3);
    // Another question is counted, not answered with the kept figure.
    let earlier = stats(&reg, StatsBy::Company, Some("2023-12-31"), Some(3));
    assert!(earlier.total < after.total);
    assert!(earlier.rows.iter().all(|r| r.key != "手工科技有限公司"));
}
