//! Exports compared with golden files written by an earlier version of the exporters: every CSV
//! byte and every XLSX cell (value and type, read back through calamine) must stay the same when
//! the writers are made faster. The registry mixes both kinds, flagged and unflagged rows, rows
//! without a date or 序号, every formula trigger, quotes, commas and CJK text, so each branch of
//! the writers shows up in the files.
//!
//! To re-record the golden files after an intended change of the output:
//! `BEIAN_BLESS=1 cargo test --test export_golden`, and review the diff.

mod common;

use beian::export::{
    self, CsvEncoding, ExportFormat, ExportRequest, Language, ReportSubsidies, SubsidyRow,
};
use beian::filing::{FilingFields, Kind};
use beian::query::{FilingFilter, Sort, SortField};
use beian::Registry;
use chrono::NaiveDate;
use common::xlsx_cells;
use std::path::{Path, PathBuf};

const NOW: &str = "2026-05-01T08:00:00Z";

const REGIONS: [(&str, &str); 8] = [
    ("北京市", "Beijing"),
    ("上海市", "Shanghai"),
    ("浙江省", "Zhejiang"),
    ("广东省", "Guangdong"),
    ("四川省", "Sichuan"),
    ("国资委", "SASAC"),
    ("新疆维吾尔自治区", "Xinjiang"),
    ("江苏省", "Jiangsu"),
];

/// Model and company names that exercise the CSV quoting and the formula guard.
const NAMES: [&str; 16] = [
    "文心一言",
    "=HYPERLINK(\"http://x\",\"y\")",
    "+86 热线助手",
    "-2+3",
    "@SUM(1,1)",
    "＝全角等号模型",
    "＋全角加号",
    "－全角减号",
    "＠全角艾特",
    "'=引号在前",
    "''-两个引号",
    "名字,带逗号",
    "名字\"带引号\"",
    "Plain ASCII model",
    "𠀀扩展区汉字",
    "a=b 中间的等号",
];

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/export-golden")
}

/// A deterministic registry of a few hundred filings with every shape a row can take.
fn registry() -> Registry {
    let mut reg = Registry::open_in_memory().unwrap();
    reg.seed(NOW).unwrap();
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for i in 0..300u64 {
        let r = next();
        let (region, pinyin) = REGIONS[(r % REGIONS.len() as u64) as usize];
        let kind = if r % 5 == 0 {
            Kind::Registered
        } else {
            Kind::Filed
        };
        let model = if r % 3 == 0 {
            NAMES[((r >> 8) % NAMES.len() as u64) as usize].to_string()
        } else {
            format!("模型{i}")
        };
        let company = if r % 7 == 0 {
            format!(
                "{}有限公司",
                NAMES[((r >> 16) % NAMES.len() as u64) as usize]
            )
        } else {
            format!("{pinyin}第{}科技有限公司", (r >> 24) % 40)
        };
        // Some numbers do not match their region or are malformed, so rows carry flags.
        let number = match (r >> 32) % 9 {
            0 => format!("Beijing-Odd{i}-20240101"),
            1 => format!("bad number {i}"),
            _ if kind == Kind::Registered => format!("{pinyin}-Reg{i}-20251229S{:04}", i % 97),
            _ => format!(
                "{pinyin}-Model{i}-202{}0{}1{}",
                3 + r % 3,
                1 + r % 9,
                r % 10
            ),
        };
        let filed_on = if (r >> 40) % 11 == 0 {
            None
        } else {
            NaiveDate::from_ymd_opt(
                2023 + ((r >> 44) % 4) as i32,
                1 + ((r >> 48) % 12) as u32,
                1 + ((r >> 52) % 28) as u32,
            )
        };
        let seq = if (r >> 56) % 13 == 0 {
            None
        } else {
            Some(((r >> 20) % 500) as i64)
        };
        reg.add_filing(
            FilingFields {
                number,
                kind,
                region: region.into(),
                model,
                company,
                filed_on,
                seq,
            },
            NOW,
            None,
        )
        .unwrap();
    }
    reg
}

fn subsidies() -> ReportSubsidies {
    ReportSubsidies {
        as_of: Some("2026-04-30".into()),
        rows: vec![
            SubsidyRow {
                rule: "hangzhou-2023-filing".into(),
                rule_title: "杭州：自研模型获生成式人工智能备案，一次性奖励50万元".into(),
                jurisdiction: "杭州市".into(),
                enterprise: "阿里巴巴达摩院 (杭州) 科技有限公司".into(),
                status: "qualifies".into(),
                amount_cny: Some(500_000),
                reasons: vec!["filed on 2023-09-12".into(), "registered in 杭州".into()],
            },
            SubsidyRow {
                rule: "chengdu-first-ten".into(),
                rule_title: "成都：前十名 <b>通过</b> 备案".into(),
                jurisdiction: "成都市".into(),
                enterprise: "=cmd|' /C calc'!A0".into(),
                status: "cannot_tell".into(),
                amount_cny: None,
                reasons: vec!["needs: registered city".into()],
            },
        ],
        total_cny: 500_000,
    }
}

struct Case {
    name: &'static str,
    format: ExportFormat,
    language: Language,
    encoding: CsvEncoding,
    filter: FilingFilter,
    sort: Option<Sort>,
    as_of: Option<&'static str>,
    with_subsidies: bool,
}

fn case(name: &'static str, format: ExportFormat) -> Case {
    Case {
        name,
        format,
        language: Language::Zh,
        encoding: CsvEncoding::Utf8Bom,
        filter: FilingFilter::default(),
        sort: None,
        as_of: None,
        with_subsidies: true,
    }
}

fn cases() -> Vec<Case> {
    vec![
        case("all-zh-utf8bom.csv", ExportFormat::Csv),
        Case {
            language: Language::En,
            encoding: CsvEncoding::Utf8,
            sort: Some(Sort {
                field: SortField::Company,
                desc: true,
            }),
            ..case("all-en-utf8-by-company.csv", ExportFormat::Csv)
        },
        Case {
            encoding: CsvEncoding::Gb18030,
            ..case("all-zh-gb18030.csv", ExportFormat::Csv)
        },
        Case {
            filter: FilingFilter {
                kind: Some(Kind::Registered),
                ..FilingFilter::default()
            },
            sort: Some(Sort {
                field: SortField::Number,
                desc: false,
            }),
            ..case("registered-zh-by-number.csv", ExportFormat::Csv)
        },
        Case {
            language: Language::En,
            filter: FilingFilter {
                regions: vec!["北京".into()],
                flagged: Some(true),
                ..FilingFilter::default()
            },
            as_of: Some("2025-06-30"),
            ..case("beijing-flagged-en-asof.csv", ExportFormat::Csv)
        },
        Case {
            filter: FilingFilter {
                company: Some("有限公司".into()),
                from: Some("2024-01-01".into()),
                ..FilingFilter::default()
            },
            ..case("company-from-zh.csv", ExportFormat::Csv)
        },
        Case {
            language: Language::En,
            filter: FilingFilter {
                search: Some("模型".into()),
                ..FilingFilter::default()
            },
            ..case("search-en.csv", ExportFormat::Csv)
        },
        case("all-zh.xlsx", ExportFormat::Xlsx),
        Case {
            filter: FilingFilter {
                company: Some("科技".into()),
                flag: Some(beian::filing::Flag::PrefixMismatch),
                ..FilingFilter::default()
            },
            ..case("company-flag-zh.xlsx", ExportFormat::Xlsx)
        },
        Case {
            language: Language::En,
            filter: FilingFilter {
                search: Some("科技".into()),
                year: Some(2025),
                ..FilingFilter::default()
            },
            ..case("search-year-en.xlsx", ExportFormat::Xlsx)
        },
        Case {
            language: Language::En,
            sort: Some(Sort {
                field: SortField::Model,
                desc: false,
            }),
            with_subsidies: false,
            ..case("all-en-by-model.xlsx", ExportFormat::Xlsx)
        },
        Case {
            filter: FilingFilter {
                kind: Some(Kind::Registered),
                ..FilingFilter::default()
            },
            as_of: Some("2025-12-31"),
            ..case("registered-zh-asof.xlsx", ExportFormat::Xlsx)
        },
    ]
}

#[test]
fn exports_match_the_golden_files() {
    let reg = registry();
    let dir = tempfile::tempdir().unwrap();
    let bless = std::env::var_os("BEIAN_BLESS").is_some();
    let mut mismatched = Vec::new();
    for c in cases() {
        let path = dir.path().join(c.name);
        let req = ExportRequest {
            format: c.format,
            path: path.to_string_lossy().into_owned(),
            filter: c.filter,
            sort: c.sort,
            as_of: c.as_of.map(str::to_string),
            language: c.language,
            csv_encoding: c.encoding,
            now: NOW.into(),
            title: None,
        };
        let mut inputs = export::report_inputs(reg.store(), &req).unwrap();
        if c.with_subsidies {
            inputs.subsidies = Some(subsidies());
        }
        let summary = export::export(reg.store(), &req, &inputs, &mut |_, _| true).unwrap();
        assert!(summary.rows > 0, "{}: the selection is empty", c.name);
        let got = match c.format {
            ExportFormat::Xlsx => xlsx_cells(&path).into_bytes(),
            _ => std::fs::read(&path).unwrap(),
        };
        let golden_name = match c.format {
            ExportFormat::Xlsx => format!("{}.cells.txt", c.name),
            _ => c.name.to_string(),
        };
        let golden = golden_dir().join(golden_name);
        if bless {
            std::fs::create_dir_all(golden_dir()).unwrap();
            std::fs::write(&golden, &got).unwrap();
            continue;
        }
        let want = std::fs::read(&golden)
            .unwrap_or_else(|e| panic!("{}: {e} (BEIAN_BLESS=1 records it)", golden.display()));
        if got != want {
            let at = got.iter().zip(&want).take_while(|(a, b)| a == b).count();
            mismatched.push(format!(
                "{}: {} bytes, golden {} bytes, first difference at byte {at}",
                c.name,
                got.len(),
                want.len()
            ));
        }
    }
    assert!(mismatched.is_empty(), "{}", mismatched.join("\n"));
}
