//! Exports read back: CSV in every encoding (and imported again), XLSX through calamine, the HTML
//! report's escaping and sections, the PDF's structure, and the bad cases (unwritable paths,
//! cancel, empty selections). The CLI twin is driven through the real binary.

mod common;

use beian::export::{
    self, CsvEncoding, ExportFormat, ExportRequest, Language, ReportSubsidies, SubsidyRow,
};
use beian::filing::{FilingFields, Kind};
use beian::import::ReadOptions;
use beian::query::{FilingFilter, FilingQuery, Sort, SortField};
use beian::registry::ImportMode;
use beian::Registry;
use calamine::{open_workbook_from_rs, Data, Reader, Xlsx};
use chrono::NaiveDate;
use common::*;
use std::path::{Path, PathBuf};

const NOW: &str = "2026-05-01T08:00:00Z";

/// Names that start with every formula trigger a name can hold (the edges of a stored name are
/// trimmed, so TAB/CR/LF can only lead a cell in theory; the unit tests cover those).
const TRICKY: &[(&str, &str, &str)] = &[
    (
        "Beijing-EvilOne-20240101",
        "=HYPERLINK(\"http://x\",\"y\")",
        "北京甲科技有限公司",
    ),
    ("Beijing-EvilTwo-20240102", "+1+1", "+86 北京乙科技有限公司"),
    (
        "Shanghai-EvilThree-20240103",
        "-2+3",
        "@SUM(1,1) 上海丙有限公司",
    ),
    (
        "Shanghai-EvilFour-20240104",
        "＝全角等号模型",
        "＋全角加号有限公司",
    ),
    (
        "Zhejiang-EvilFive-20240105",
        "－全角减号模型",
        "＠全角艾特有限公司",
    ),
    (
        "Zhejiang-EvilSix-20240106",
        "'=引号在前",
        "''-两个引号有限公司",
    ),
    (
        "Beijing-Xss-20240107",
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>科技有限公司",
    ),
];

fn date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// The seed filings, the tricky names and two registrations.
fn fixture() -> Registry {
    let mut reg = Registry::open_in_memory().unwrap();
    reg.seed(NOW).unwrap();
    for (i, (number, model, company)) in TRICKY.iter().enumerate() {
        let region = if number.starts_with("Beijing") {
            "北京市"
        } else if number.starts_with("Shanghai") {
            "上海市"
        } else {
            "浙江省"
        };
        reg.add_filing(
            FilingFields {
                number: number.to_string(),
                kind: Kind::Filed,
                region: region.into(),
                model: model.to_string(),
                company: company.to_string(),
                filed_on: date(&format!("2024-01-{:02}", 15 + i)),
                seq: Some(200 + i as i64),
            },
            NOW,
            None,
        )
        .unwrap();
    }
    for (number, model, company, day, seq) in [
        (
            "Guangdong-Plaud-20251229S0027",
            "Plaud 助手",
            "深圳市普劳德科技有限公司",
            "2026-01-10",
            1,
        ),
        (
            "Shanghai-XiaoZhu-20251230S0002",
            "小助手",
            "上海小助科技有限公司",
            "2026-01-12",
            2,
        ),
    ] {
        reg.add_filing(
            FilingFields {
                number: number.into(),
                kind: Kind::Registered,
                region: if number.starts_with("Guangdong") {
                    "广东省".into()
                } else {
                    "上海市".into()
                },
                model: model.into(),
                company: company.into(),
                filed_on: date(day),
                seq: Some(seq),
            },
            NOW,
            None,
        )
        .unwrap();
    }
    reg
}

type Tuple = (
    String,
    Kind,
    String,
    String,
    String,
    Option<String>,
    Option<i64>,
);

fn filings(reg: &Registry) -> Vec<Tuple> {
    let mut v: Vec<Tuple> = reg
        .list(&FilingQuery {
            limit: u32::MAX,
            ..FilingQuery::default()
        })
        .unwrap()
        .rows
        .into_iter()
        .map(|r| {
            (
                r.number, r.kind, r.region, r.model, r.company, r.filed_on, r.seq,
            )
        })
        .collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}

fn request(format: ExportFormat, path: &Path) -> ExportRequest {
    export_request(format, path, NOW)
}

fn run(reg: &Registry, req: &ExportRequest) -> beian::Result<export::ExportSummary> {
    reg.export(req, &mut |_, _| true)
}

fn leftovers(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().contains(".beian-export-"))
        .collect()
}

fn decode(bytes: &[u8], enc: CsvEncoding) -> String {
    match enc {
        CsvEncoding::Utf8Bom => {
            assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "no BOM");
            String::from_utf8(bytes[3..].to_vec()).unwrap()
        }
        CsvEncoding::Utf8 => {
            assert!(!bytes.starts_with(b"\xEF\xBB\xBF"), "unexpected BOM");
            String::from_utf8(bytes.to_vec()).unwrap()
        }
        CsvEncoding::Gb18030 => {
            assert!(
                std::str::from_utf8(bytes).is_err(),
                "GB18030 text is not UTF-8"
            );
            let (text, had_errors) = encoding_rs::GB18030.decode_without_bom_handling(bytes);
            assert!(!had_errors);
            text.into_owned()
        }
    }
}

fn records(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

#[test]
fn csv_in_every_encoding_reads_back_and_imports_as_the_same_filings() {
    let reg = fixture();
    let original = filings(&reg);
    assert_eq!(original.len(), 18 + TRICKY.len() + 2);
    let dir = tempfile::tempdir().unwrap();
    for enc in [
        CsvEncoding::Utf8Bom,
        CsvEncoding::Utf8,
        CsvEncoding::Gb18030,
    ] {
        for lang in [Language::Zh, Language::En] {
            let path = dir.path().join(format!("out-{enc:?}-{lang:?}.csv"));
            let mut req = request(ExportFormat::Csv, &path);
            req.csv_encoding = enc;
            req.language = lang;
            let s = run(&reg, &req).unwrap();
            assert_eq!(s.rows, original.len() as u64);
            assert_eq!(s.rows_written, original.len() as u64);
            let bytes = std::fs::read(&path).unwrap();
            assert_eq!(s.bytes, bytes.len() as u64);
            let text = decode(&bytes, enc);
            assert!(text.contains("\r\n") && !text.replace("\r\n", "").contains('\n'));
            let recs = records(&text);
            // Two kinds: a titled table of filed services, then one of registered services.
            let header_rows: Vec<usize> = recs
                .iter()
                .enumerate()
                .filter(|(_, r)| r[0] == lang_pick(lang, "序号", "seq"))
                .map(|(i, _)| i)
                .collect();
            assert_eq!(header_rows.len(), 2, "{enc:?} {lang:?}: {recs:?}");
            assert_eq!(recs[0].len(), 1, "title line first");
            let header = &recs[header_rows[0]];
            assert_eq!(
                header[..6],
                match lang {
                    Language::Zh => [
                        "序号",
                        "属地",
                        "模型名称",
                        "备案单位",
                        "备案编号",
                        "备案时间"
                    ],
                    Language::En => [
                        "seq",
                        "region",
                        "model",
                        "company",
                        "filing_number",
                        "filed_on"
                    ],
                }
            );
            let reg_header = &recs[header_rows[1]];
            assert_eq!(
                reg_header[4],
                lang_pick(lang, "登记编号", "registration_number")
            );
            let seed_row = recs
                .iter()
                .find(|r| r.get(4).map(String::as_str) == Some("Beijing-WenXinYiYan-20230821"))
                .unwrap();
            assert_eq!(seed_row[0], "1", "序号 is a plain number");
            assert_eq!(seed_row[5], "2023-08-31");

            // Import back into a fresh registry: the same filings.
            let mut fresh = Registry::open_in_memory().unwrap();
            let sum = fresh
                .import(
                    "back.csv",
                    &bytes,
                    &ReadOptions::default(),
                    ImportMode::default(),
                    NOW,
                    &mut |_, _| true,
                )
                .unwrap();
            assert_eq!(sum.rejected, 0, "{enc:?} {lang:?}: {:?}", sum.errors);
            assert_eq!(filings(&fresh), original, "{enc:?} {lang:?}");
            let flags: Vec<_> = fresh
                .list(&FilingQuery {
                    limit: u32::MAX,
                    filter: FilingFilter {
                        flag: Some(beian::filing::Flag::KindMismatch),
                        ..FilingFilter::default()
                    },
                    ..FilingQuery::default()
                })
                .unwrap()
                .rows;
            assert!(flags.is_empty(), "registrations came back as registrations");
        }
    }
}

fn lang_pick<'a>(l: Language, zh: &'a str, en: &'a str) -> &'a str {
    match l {
        Language::Zh => zh,
        Language::En => en,
    }
}

#[test]
fn every_formula_trigger_in_a_name_gets_an_apostrophe_and_numbers_do_not() {
    let reg = fixture();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.csv");
    let mut req = request(ExportFormat::Csv, &path);
    req.csv_encoding = CsvEncoding::Utf8;
    run(&reg, &req).unwrap();
    let recs = records(&std::fs::read_to_string(&path).unwrap());
    let mut seen = std::collections::BTreeSet::new();
    for (number, model, company) in TRICKY {
        let row = recs
            .iter()
            .find(|r| r.get(4).map(String::as_str) == Some(number))
            .unwrap();
        for (cell, value) in [(&row[2], model), (&row[3], company)] {
            let first = value.trim_start_matches('\'').chars().next().unwrap();
            if export::csv::FORMULA_TRIGGERS.contains(&first) {
                assert_eq!(*cell, format!("'{value}"), "{value}");
                seen.insert(first);
            } else {
                assert_eq!(cell, value);
            }
        }
        assert!(row[0].parse::<i64>().is_ok(), "序号 {:?} untouched", row[0]);
    }
    let expected: std::collections::BTreeSet<char> = "=+-@＝＋－＠".chars().collect();
    assert_eq!(seen, expected);
    // No cell anywhere starts a formula.
    for r in &recs {
        for c in r {
            assert!(
                !c.starts_with(|ch: char| export::csv::FORMULA_TRIGGERS.contains(&ch)),
                "{c:?}"
            );
        }
    }
}

#[test]
fn re_importing_an_export_into_the_same_registry_changes_nothing() {
    let mut reg = fixture();
    let before = filings(&reg);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("same.csv");
    run(&reg, &request(ExportFormat::Csv, &path)).unwrap();
    let bytes = std::fs::read(&path).unwrap();
    let plan = reg
        .plan_import("same.csv", &bytes, &ReadOptions::default())
        .unwrap();
    assert_eq!(plan.counts.inserted, 0);
    assert_eq!(plan.counts.rejected, 0);
    // Filings added by hand have no import fingerprint, so the plan may record them as updates
    // of nothing: their values must not change.
    for row in &plan.rows {
        assert!(row.changes.is_empty(), "{:?}", row.changes);
    }
    reg.apply_import(&plan, ImportMode::default(), NOW, &mut |_, _| true)
        .unwrap();
    assert_eq!(filings(&reg), before);
}

#[test]
fn csv_follows_the_filter_sort_and_as_of_date() {
    let reg = fixture();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bj.csv");
    let mut req = request(ExportFormat::Csv, &path);
    req.filter.regions = vec!["北京".into()];
    req.sort = Some(Sort {
        field: SortField::Number,
        desc: true,
    });
    req.as_of = Some("2024-01-16".into());
    req.csv_encoding = CsvEncoding::Utf8;
    let s = run(&reg, &req).unwrap();
    let recs = records(&std::fs::read_to_string(&path).unwrap());
    assert_eq!(recs[0][0], "序号", "one kind: no title line");
    let numbers: Vec<&str> = recs[1..].iter().map(|r| r[4].as_str()).collect();
    let mut expected: Vec<&str> = vec![
        "Beijing-WenXinYiYan-20230821",
        "Beijing-ChatGLM-20230821",
        "Beijing-YunQue-20230821",
        "Beijing-BaiYing-20230821",
        "Beijing-ZiDongTaiChu-20230821",
        "Beijing-EvilOne-20240101",
        "Beijing-EvilTwo-20240102",
    ];
    expected.sort_by_key(|n| std::cmp::Reverse(n.to_ascii_lowercase()));
    assert_eq!(numbers, expected);
    assert_eq!(s.rows, 7);
    assert!(recs[1..].iter().all(|r| r[1] == "北京市"));
}

fn xlsx_book(path: &Path) -> Xlsx<std::io::Cursor<Vec<u8>>> {
    open_workbook_from_rs(std::io::Cursor::new(std::fs::read(path).unwrap())).unwrap()
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
                reasons: vec![
                    "filed ZheJiang-TongYiQianWen-20230901 on 2023-09-12".into(),
                    "registered in 杭州 <entered>".into(),
                ],
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

#[test]
fn xlsx_has_typed_cells_named_sheets_and_no_formulas() {
    let reg = fixture();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.xlsx");
    let req = request(ExportFormat::Xlsx, &path);
    let mut inputs = export::report_inputs(reg.store(), &req).unwrap();
    inputs.subsidies = Some(subsidies());
    let s = export::export(reg.store(), &req, &inputs, &mut |_, _| true).unwrap();
    assert_eq!(s.rows, 27);
    let mut wb = xlsx_book(&path);
    assert_eq!(
        wb.sheet_names(),
        vec!["封面", "备案清单", "统计", "补贴", "批次"]
    );
    for name in wb.sheet_names() {
        let f = wb.worksheet_formula(&name).unwrap();
        assert!(
            f.used_cells().all(|(_, _, v)| v.is_empty()),
            "{name} has formulas"
        );
    }
    let filings = wb.worksheet_range("备案清单").unwrap();
    let rows: Vec<&[Data]> = filings.rows().collect();
    assert_eq!(rows.len(), 28, "header + 27 filings");
    assert_eq!(rows[0][0], Data::String("序号".into()));
    let wenxin = rows
        .iter()
        .find(|r| r[4] == Data::String("Beijing-WenXinYiYan-20230821".into()))
        .unwrap();
    assert_eq!(wenxin[0], Data::Float(1.0), "序号 is a number");
    match &wenxin[5] {
        Data::DateTime(d) => assert_eq!(
            d.as_datetime().unwrap().date(),
            NaiveDate::from_ymd_opt(2023, 8, 31).unwrap()
        ),
        other => panic!("备案时间 is not a date: {other:?}"),
    }
    // Names that look like formulas are plain text cells, exactly as stored.
    let evil = rows
        .iter()
        .find(|r| r[4] == Data::String("Beijing-EvilOne-20240101".into()))
        .unwrap();
    assert_eq!(
        evil[2],
        Data::String("=HYPERLINK(\"http://x\",\"y\")".into())
    );

    let stats = wb.worksheet_range("统计").unwrap();
    let srows: Vec<&[Data]> = stats.rows().collect();
    assert_eq!(srows[1][0], Data::String("北京市".into()));
    assert_eq!(
        srows[1][1],
        Data::Float(8.0),
        "5 seed filings and 3 tricky ones"
    );
    match srows[1][2] {
        Data::Float(share) => assert!((share - 8.0 / 27.0).abs() < 1e-9),
        ref other => panic!("share is not a number: {other:?}"),
    }
    assert!(matches!(srows[1][4], Data::DateTime(_)), "months are dates");

    let sub = wb.worksheet_range("补贴").unwrap();
    let sub_rows: Vec<&[Data]> = sub.rows().collect();
    assert_eq!(sub_rows[1][4], Data::Float(500_000.0));
    assert_eq!(sub_rows[2][2], Data::String("=cmd|' /C calc'!A0".into()));
    assert_eq!(sub_rows[3][4], Data::Float(500_000.0), "total");

    let batches = wb.worksheet_range("批次").unwrap();
    let brows: Vec<&[Data]> = batches.rows().collect();
    assert_eq!(
        brows[1][1],
        Data::String("cac-2024-03-seed-excerpt.csv".into())
    );
    assert_eq!(brows[1][6], Data::Float(18.0));

    let cover = wb.worksheet_range("封面").unwrap();
    let text: String = cover
        .used_cells()
        .map(|(_, _, v)| v.to_string())
        .collect::<Vec<_>>()
        .join("\n");
    for needle in [
        "筛选条件",
        "截至日期",
        NOW,
        "数据来源",
        "可信度",
        "cac-2024-03-seed-excerpt.csv",
    ] {
        assert!(text.contains(needle), "cover lacks {needle}: {text}");
    }
}

#[test]
fn empty_selections_give_valid_files_that_say_so() {
    let reg = fixture();
    let dir = tempfile::tempdir().unwrap();
    let filter = FilingFilter {
        company: Some("没有这家公司".into()),
        ..FilingFilter::default()
    };
    for format in [ExportFormat::Csv, ExportFormat::Xlsx, ExportFormat::Html] {
        let path = dir.path().join(format!("empty.{}", format.as_str()));
        let mut req = request(format, &path);
        req.filter = filter.clone();
        let s = run(&reg, &req).unwrap();
        assert_eq!(s.rows, 0);
        assert!(s.message.contains("没有备案记录"), "{}", s.message);
        match format {
            ExportFormat::Csv => {
                let recs = records(&decode(
                    &std::fs::read(&path).unwrap(),
                    CsvEncoding::Utf8Bom,
                ));
                assert_eq!(recs.len(), 1, "the header alone");
            }
            ExportFormat::Xlsx => {
                let mut wb = xlsx_book(&path);
                let cover = wb.worksheet_range("封面").unwrap();
                assert!(cover
                    .used_cells()
                    .any(|(_, _, v)| v.to_string().contains("所选范围内没有备案记录")));
                assert_eq!(wb.worksheet_range("备案清单").unwrap().rows().count(), 1);
            }
            _ => {
                let html = std::fs::read_to_string(&path).unwrap();
                assert!(html.contains("所选范围内没有备案记录"));
                assert!(html.ends_with("</html>\n"));
            }
        }
    }
}

#[test]
fn html_report_escapes_data_has_no_script_and_every_section() {
    let reg = fixture();
    let dir = tempfile::tempdir().unwrap();
    for lang in [Language::Zh, Language::En] {
        let path = dir.path().join(format!("r-{lang:?}.html"));
        let mut req = request(ExportFormat::Html, &path);
        req.language = lang;
        req.title = Some("<b>Q2</b> report & more".into());
        req.filter.search = Some("<script>".into());
        let mut inputs =
            export::report_inputs(reg.store(), &request(ExportFormat::Html, &path)).unwrap();
        inputs.subsidies = Some(subsidies());
        req.filter.search = None;
        let s = export::export(reg.store(), &req, &inputs, &mut |_, _| true).unwrap();
        assert_eq!(s.rows, 27);
        let html = std::fs::read_to_string(&path).unwrap();
        let lower = html.to_ascii_lowercase();
        assert!(!lower.contains("<script"), "no script element");
        assert!(!lower.contains("<img"), "no img element");
        assert_eq!(
            lower.matches("onerror=").count(),
            lower.matches("&lt;img src=x onerror=").count(),
            "onerror= appears only inside escaped text"
        );
        for needle in [
            "<link", "href=", "@import", "url(", "<iframe", "<object", "<embed",
        ] {
            assert!(!lower.contains(needle), "no external resources: {needle}");
        }
        assert_eq!(
            lower.matches("src=").count(),
            lower.matches("&lt;img src=").count(),
            "src= appears only inside escaped text"
        );
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
        assert!(html.contains("&lt;b&gt;Q2&lt;/b&gt; report &amp; more"));
        assert!(
            html.contains("registered in 杭州 &lt;entered&gt;"),
            "reasons shown"
        );
        assert!(html.contains("500,000 CNY"));
        // A reader sees the rule's title (escaped like any text), with its id beneath.
        assert!(html.contains("成都：前十名 &lt;b&gt;通过&lt;/b&gt; 备案<div class=\"rule-id\">chengdu-first-ten</div>"));
        for class in [
            "headline-figures",
            "charts",
            "regions",
            "companies",
            "subsidies",
            "filings",
            "sources",
        ] {
            assert!(
                html.contains(&format!("<section class=\"{class}\">")),
                "{class}"
            );
        }
        assert_eq!(html.matches("<svg").count(), 2, "bar and line charts");
        assert!(html.contains("@media print"));
        assert!(html.contains("display: table-header-group"));
        let (zh, en) = ("按属地", "By region");
        assert!(html.contains(lang_pick(lang, zh, en)));
    }
}

#[test]
fn html_report_without_subsidies_says_so() {
    let reg = fixture();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.html");
    let req = request(ExportFormat::Html, &path);
    let inputs = beian::export::report_inputs(reg.store(), &req).unwrap();
    assert!(inputs.subsidies.is_none());
    beian::export::export(reg.store(), &req, &inputs, &mut |_, _| true).unwrap();
    let html = std::fs::read_to_string(&path).unwrap();
    assert!(html.contains("本报告未包含补贴评估"));
}

#[test]
fn the_registrys_report_carries_the_subsidy_evaluation_with_reasons() {
    let mut reg = fixture();
    reg.set_company_facts(hangzhou_facts(), NOW).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.html");
    let mut req = request(ExportFormat::Html, &path);
    req.as_of = Some("2024-06-30".into());
    run(&reg, &req).unwrap();
    let html = std::fs::read_to_string(&path).unwrap();
    assert!(!html.contains("本报告未包含补贴评估"));
    assert!(html.contains("hangzhou-model-filing"));
    assert!(html.contains("阿里巴巴达摩院 (杭州) 科技有限公司"));
    assert!(
        html.contains("500,000"),
        "the Hangzhou award and its amount are in the report"
    );
    assert!(
        html.contains("ZheJiang-TongYiQianWen-20230901"),
        "the reasons name the filing"
    );
    assert_eq!(req.language, Language::Zh);
    assert!(
        html.contains("已于 2023-09-12 完成备案（ZheJiang-TongYiQianWen-20230901）"),
        "a Chinese report words the reasons in Chinese"
    );
    assert!(!html.contains("(before as-of"), "no English reason is left");
    req.language = Language::En;
    run(&reg, &req).unwrap();
    let html = std::fs::read_to_string(&path).unwrap();
    assert!(
        html.contains(
            "filed: ZheJiang-TongYiQianWen-20230901 on 2023-09-12 (before as-of 2024-06-30)"
        ),
        "an English report words them in English"
    );
    req.language = Language::Zh;

    // A report on 北京市 speaks only of the enterprises it selects.
    req.filter.regions = vec!["北京市".into()];
    run(&reg, &req).unwrap();
    let html = std::fs::read_to_string(&path).unwrap();
    assert!(!html.contains("阿里巴巴达摩院"), "not in the selection");
}

fn many_rows(n: usize) -> Vec<u8> {
    let mut s = String::from("序号,属地,模型名称,备案单位,备案编号,备案时间\r\n");
    for i in 0..n {
        s.push_str(&format!(
            "{},北京市,模型{i},北京第{i}科技有限公司,Beijing-MoXing{i}-20240101,2024-01-{:02}\r\n",
            i + 1,
            1 + i % 28
        ));
    }
    s.into_bytes()
}

fn big_registry(n: usize) -> Registry {
    let mut reg = Registry::open_in_memory().unwrap();
    let s = reg
        .import(
            "big.csv",
            &many_rows(n),
            &ReadOptions::default(),
            ImportMode::default(),
            NOW,
            &mut |_, _| true,
        )
        .unwrap();
    assert_eq!(s.inserted, n as u64);
    reg
}

#[test]
fn reports_list_at_most_the_cap_and_say_how_many_are_left_out() {
    let n = export::REPORT_ROW_CAP as usize + 7;
    let reg = big_registry(n);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.html");
    let s = run(&reg, &request(ExportFormat::Html, &path)).unwrap();
    assert_eq!(s.rows, n as u64);
    assert_eq!(s.rows_written, export::REPORT_ROW_CAP);
    let html = std::fs::read_to_string(&path).unwrap();
    assert!(html.contains("另有 7 条未列出"), "omitted note");
    assert!(html.contains("CSV 或 XLSX"));
    let body_rows = html.split("<section class=\"filings\">").nth(1).unwrap();
    let body_rows = body_rows.split("</section>").next().unwrap();
    assert_eq!(
        body_rows.matches("<tr>").count(),
        export::REPORT_ROW_CAP as usize + 1
    );
}

#[test]
fn cancel_and_failure_leave_no_file_and_keep_an_existing_one() {
    let reg = big_registry(1500);
    let dir = tempfile::tempdir().unwrap();
    for format in [ExportFormat::Csv, ExportFormat::Xlsx, ExportFormat::Html] {
        let path = dir.path().join(format!("c.{}", format.as_str()));
        let req = request(format, &path);
        let mut calls = 0;
        let mut seen_mid = false;
        let e = reg
            .export(&req, &mut |done, total| {
                calls += 1;
                seen_mid |= done > 0 && done < total;
                done < 512
            })
            .unwrap_err();
        assert_eq!(e.code(), "cancelled");
        assert!(
            seen_mid,
            "{format:?}: progress came while rows were written"
        );
        assert!(!path.exists(), "{format:?}");
        assert!(leftovers(dir.path()).is_empty(), "{format:?}");

        std::fs::write(&path, b"keep me").unwrap();
        let e = reg.export(&req, &mut |_, _| false).unwrap_err();
        assert_eq!(e.code(), "cancelled");
        assert_eq!(std::fs::read(&path).unwrap(), b"keep me");
        assert!(leftovers(dir.path()).is_empty());
        std::fs::remove_file(&path).unwrap();
    }
}

#[test]
fn unwritable_paths_say_so_and_leave_nothing() {
    let reg = fixture();
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("no-such-folder").join("out.csv");
    let e = run(&reg, &request(ExportFormat::Csv, &missing)).unwrap_err();
    assert_eq!(e.code(), "export_unwritable");
    assert!(e.to_string().contains("no-such-folder"), "{e}");
    assert!(!missing.exists());

    let file = dir.path().join("a-file");
    std::fs::write(&file, b"x").unwrap();
    let under_file = file.join("out.xlsx");
    let e = run(&reg, &request(ExportFormat::Xlsx, &under_file)).unwrap_err();
    assert_eq!(e.code(), "export_unwritable");
    assert!(e.to_string().contains("a-file"), "{e}");

    let folder = dir.path().join("a-folder");
    std::fs::create_dir(&folder).unwrap();
    let e = run(&reg, &request(ExportFormat::Html, &folder)).unwrap_err();
    assert_eq!(e.code(), "export_unwritable");
    assert!(folder.is_dir());
    assert!(leftovers(dir.path()).is_empty());
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        2,
        "only a-file and a-folder"
    );
}

#[test]
fn pdf_is_a_real_pdf_or_a_clear_font_error() {
    let reg = fixture();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.pdf");
    let mut req = request(ExportFormat::Pdf, &path);
    match run(&reg, &req) {
        Ok(s) => {
            let bytes = std::fs::read(&path).unwrap();
            assert!(bytes.starts_with(b"%PDF-"));
            assert!(bytes.ends_with(b"%%EOF") || bytes.ends_with(b"%%EOF\n"));
            let text = String::from_utf8_lossy(&bytes);
            let pages = text.matches("/Type /Page\n").count()
                + text.matches("/Type /Page ").count()
                + text.matches("/Type /Page/").count();
            assert!(pages >= 2 || text.contains("/Count "), "pages: {pages}");
            assert!(
                text.contains("/FontFile2") || text.contains("/FontFile3"),
                "font embedded"
            );
            assert!(text.contains("/ToUnicode"));
            assert_eq!(s.bytes, bytes.len() as u64);
            // Empty selection: still a valid PDF.
            req.filter.company = Some("没有这家公司".into());
            let empty = dir.path().join("empty.pdf");
            req.path = empty.to_string_lossy().into_owned();
            run(&reg, &req).unwrap();
            assert!(std::fs::read(&empty).unwrap().starts_with(b"%PDF-"));
        }
        Err(e) => {
            assert_eq!(e.code(), "pdf_font_missing", "{e}");
            assert!(!path.exists());
            eprintln!("no CJK font here, checked the error instead: {e}");
        }
    }
}

#[test]
fn a_file_that_is_not_a_cjk_font_is_not_used_for_pdf() {
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("fake.ttf");
    std::fs::write(&fake, b"not a font").unwrap();
    assert!(!export::pdf_font_usable(&fake));
    assert!(!export::pdf_font_usable(&dir.path().join("missing.ttc")));
}

#[test]
fn cli_exports_with_filters_and_prints_a_json_summary() {
    let env = Env::new();
    let f = env.write("seed.csv", delimited(&seed_rows(), ",", None).as_bytes());
    let (code, _, err) = env.import(&f, &[]);
    assert_eq!(code, 0, "{err}");
    let out = env.dir.path().join("bj.csv");
    let (code, v, err) = env.json(&[
        "export",
        "--format",
        "csv",
        "--out",
        out.to_str().unwrap(),
        "--region",
        "北京",
        "--encoding",
        "gb18030",
        "--lang",
        "en",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["rows"], 5);
    assert_eq!(v["format"], "csv");
    let text = decode(&std::fs::read(&out).unwrap(), CsvEncoding::Gb18030);
    let recs = records(&text);
    assert_eq!(recs[0][0], "seq");
    assert_eq!(recs.len(), 6);

    let xlsx = env.dir.path().join("all.xlsx");
    let (code, v, err) = env.json(&[
        "export",
        "--out",
        xlsx.to_str().unwrap(),
        "--as-of",
        "2023-09-01",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["format"], "xlsx", "format from the extension");
    assert_eq!(v["rows"], 8, "as of 2023-09-01");

    let (code, _, err) = env.json(&["export", "--out", "x.csv", "--encoding", "latin1"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = env.json(&[
        "export",
        "--out",
        env.dir.path().join("x").to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "no format: {err}");
    let bad = env.dir.path().join("nope").join("x.csv");
    let (code, _, err) = env.json(&["export", "--out", bad.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("export_unwritable"), "{err}");
}
