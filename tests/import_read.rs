//! The reading stages end to end: one CAC table saved every way people save it must come out as the
//! same rows. Fixtures are written by `tests/fixtures/import/generate.py` (committed output); the
//! XLSX twin is written here with rust_xlsxwriter so it carries real number and date cells.

use beian::filing::Kind;
use beian::import::{date::parse_date, read_source, ImportError, ReadOptions, SourceFile};
use proptest::prelude::*;
use std::path::Path;

fn fixture(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/import")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn read(name: &str) -> Result<SourceFile, ImportError> {
    read_source(name, &fixture(name), &ReadOptions::default())
}

fn cells(f: &SourceFile, table: usize) -> Vec<Vec<String>> {
    f.tables[table]
        .rows
        .iter()
        .map(|r| r.cells.clone())
        .collect()
}

fn lines(f: &SourceFile, table: usize) -> Vec<u64> {
    f.tables[table].rows.iter().map(|r| r.line).collect()
}

#[test]
fn text_twins_read_the_same() {
    let reference = read("utf8_comma.csv").unwrap();
    assert_eq!(reference.tables.len(), 1);
    assert_eq!(reference.tables[0].rows.len(), 5);
    assert_eq!(
        reference.tables[0].rows[2].cells,
        [
            "3",
            "浙江省",
            "通义千问大模型",
            "阿里巴巴达摩院（杭州）科技有限公司",
            "ZheJiang-TongYiQianWen-20230901",
            "2023/9/12"
        ]
    );
    let twins: &[(&str, &str, &str, u64)] = &[
        ("utf8_comma.csv", "UTF-8", ",", 1),
        ("utf8_bom.csv", "UTF-8 (BOM)", ",", 1),
        ("gb18030_tab_title.tsv", "GB18030", "\t", 2),
        ("utf16le_bom.csv", "UTF-16LE", ",", 1),
        ("utf16be.tsv", "UTF-16BE", "\t", 1),
        ("semicolon.csv", "UTF-8", ";", 1),
        ("english.csv", "UTF-8", ",", 1),
        ("filed_and_registered.csv", "UTF-8", ",", 2),
    ];
    for &(name, encoding, delimiter, header_line) in twins {
        let f = read(name).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(f.encoding, encoding, "{name}");
        assert_eq!(f.delimiter.as_deref(), Some(delimiter), "{name}");
        let t = &f.tables[0];
        assert_eq!(t.header_line, header_line, "{name}");
        assert_eq!(cells(&f, 0), cells(&reference, 0), "{name}");
        let want: Vec<u64> = (header_line + 1..=header_line + 5).collect();
        assert_eq!(lines(&f, 0), want, "{name}");
        assert_eq!(t.columns.number, Some(4), "{name}");
        assert_eq!(t.columns.date, Some(5), "{name}");
        assert_eq!(t.columns.seq, Some(0), "{name}");
    }
}

#[test]
fn titles_and_kinds() {
    let f = read("gb18030_tab_title.tsv").unwrap();
    assert_eq!(
        f.tables[0].title.as_deref(),
        Some("附件1：生成式人工智能服务已备案信息")
    );
    assert_eq!(f.tables[0].kind, Some(Kind::Filed));
    let f = read("english.csv").unwrap();
    assert_eq!(f.tables[0].title, None);
    assert_eq!(f.tables[0].header[4], "Filing Number");
}

#[test]
fn filed_then_registered_table() {
    let f = read("filed_and_registered.csv").unwrap();
    assert_eq!(f.tables.len(), 2);
    let (filed, reg) = (&f.tables[0], &f.tables[1]);
    assert_eq!(filed.kind, Some(Kind::Filed));
    assert_eq!(filed.rows.len(), 5);
    assert_eq!(reg.kind, Some(Kind::Registered));
    assert_eq!(
        reg.title.as_deref(),
        Some("附件2：生成式人工智能服务已登记信息")
    );
    assert_eq!(reg.header_line, 10);
    assert_eq!(reg.header[4], "登记编号");
    assert_eq!(reg.columns.number, Some(4));
    // The trailing 注：… line is a note, not a row.
    assert_eq!(lines(&f, 1), vec![11, 12]);
    assert_eq!(reg.rows[0].cells[4], "Guangdong-Plaud-20251229S0027");
}

/// The XLSX twin: a notes sheet first, then the table under a title row, with numeric 序号 and
/// real date cells.
fn workbook(with_table: bool) -> Vec<u8> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let reference = read("utf8_comma.csv").unwrap();
    let mut wb = Workbook::new();
    let notes = wb.add_worksheet();
    notes.set_name("说明").unwrap();
    notes.write(0, 0, "本文件由国家网信办公告整理").unwrap();
    notes.write(1, 0, "序号连续编号").unwrap();
    if with_table {
        let sheet = wb.add_worksheet();
        sheet.set_name("已备案").unwrap();
        let date_fmt = Format::new().set_num_format("yyyy/m/d");
        sheet
            .write(0, 0, "附件1：生成式人工智能服务已备案信息")
            .unwrap();
        for (c, h) in reference.tables[0].header.iter().enumerate() {
            sheet.write(1, c as u16, h.as_str()).unwrap();
        }
        for (r, row) in reference.tables[0].rows.iter().enumerate() {
            let r = r as u32 + 2;
            let seq: f64 = row.cells[0].parse().unwrap();
            sheet.write_number(r, 0, seq).unwrap();
            for c in 1..5 {
                sheet.write(r, c as u16, row.cells[c].as_str()).unwrap();
            }
            let d = parse_date(&row.cells[5]).unwrap();
            let d = ExcelDateTime::parse_from_str(&d.format("%Y-%m-%d").to_string()).unwrap();
            sheet
                .write_datetime_with_format(r, 5, &d, &date_fmt)
                .unwrap();
        }
    }
    wb.save_to_buffer().unwrap()
}

#[test]
fn xlsx_twin_reads_the_same() {
    let reference = read("utf8_comma.csv").unwrap();
    let bytes = workbook(true);
    let f = read_source("list.xlsx", &bytes, &ReadOptions::default()).unwrap();
    assert_eq!(f.encoding, "XLSX");
    assert_eq!(f.delimiter, None);
    assert_eq!(f.tables.len(), 1, "the notes sheet holds no table");
    let t = &f.tables[0];
    assert_eq!(t.sheet.as_deref(), Some("已备案"));
    assert_eq!(
        t.title.as_deref(),
        Some("附件1：生成式人工智能服务已备案信息")
    );
    assert_eq!(t.kind, Some(Kind::Filed));
    assert_eq!(t.header_line, 2);
    assert_eq!(lines(&f, 0), vec![3, 4, 5, 6, 7]);
    for (got, want) in t.rows.iter().zip(&reference.tables[0].rows) {
        // Date cells come out as ISO dates; everything else is the same text.
        assert_eq!(got.cells[..5], want.cells[..5]);
        assert_eq!(parse_date(&got.cells[5]), parse_date(&want.cells[5]));
    }
    assert_eq!(t.rows[0].cells[0], "1");
    assert_eq!(t.rows[0].cells[5], "2023-08-31");
}

#[test]
fn xlsx_without_a_table() {
    let e = read_source("notes.xlsx", &workbook(false), &ReadOptions::default()).unwrap_err();
    assert_eq!(e.code(), "not_a_table");
}

/// Government spreadsheets often head a table with two rows: the columns that are one field
/// merged down both, and a heading merged across the number and date (`备案信息`) with the two
/// names under it. Merged cells read as their top-left cell, the rest empty.
#[test]
fn xlsx_with_a_header_over_two_rows() {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let sheet = wb.add_worksheet();
    let plain = Format::new();
    sheet
        .merge_range(0, 0, 0, 5, "生成式人工智能服务已备案信息", &plain)
        .unwrap();
    for (c, h) in ["序号", "属地", "模型名称", "备案单位"].iter().enumerate() {
        sheet
            .merge_range(1, c as u16, 2, c as u16, h, &plain)
            .unwrap();
    }
    sheet.merge_range(1, 4, 1, 5, "备案信息", &plain).unwrap();
    sheet.write(2, 4, "备案号").unwrap();
    sheet.write(2, 5, "备案时间").unwrap();
    let rows = [
        [
            "1",
            "北京市",
            "文心一言",
            "北京百度网讯科技有限公司",
            "Beijing-WenXinYiYan-20230821",
            "2023/8/31",
        ],
        [
            "2",
            "上海市",
            "书生",
            "上海人工智能实验室",
            "Shanghai-ShuSheng-20230821",
            "2023/8/31",
        ],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            sheet.write(r as u32 + 3, c as u16, *v).unwrap();
        }
    }
    let bytes = wb.save_to_buffer().unwrap();
    let f = read_source("two-rows.xlsx", &bytes, &ReadOptions::default()).unwrap();
    let t = &f.tables[0];
    assert_eq!(t.title.as_deref(), Some("生成式人工智能服务已备案信息"));
    assert_eq!(
        t.header,
        ["序号", "属地", "模型名称", "备案单位", "备案号", "备案时间"]
    );
    let numbers: Vec<&str> = t.rows.iter().map(|r| r.cells[4].as_str()).collect();
    assert_eq!(
        numbers,
        ["Beijing-WenXinYiYan-20230821", "Shanghai-ShuSheng-20230821"]
    );
    assert_eq!(t.rows[0].line, 4);
}

#[test]
fn truncated_xlsx() {
    let bytes = workbook(true);
    for cut in [bytes.len() / 2, bytes.len() - 10, 30] {
        let e = read_source("cut.xlsx", &bytes[..cut], &ReadOptions::default()).unwrap_err();
        assert_eq!(e.code(), "spreadsheet_unreadable", "cut at {cut}: {e}");
    }
}

fn zip_of(entries: &[(&str, &[u8])], method: zip::CompressionMethod) -> Vec<u8> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(method);
    for (name, data) in entries {
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

#[test]
fn zip_that_is_not_a_workbook() {
    let bytes = zip_of(
        &[("word/document.xml", b"<w:document/>")],
        zip::CompressionMethod::Stored,
    );
    let e = read_source("a.docx", &bytes, &ReadOptions::default()).unwrap_err();
    assert_eq!(e.code(), "spreadsheet_unreadable");
    assert!(e.to_string().contains("no workbook"), "{e}");
}

#[test]
fn zip_bomb_is_refused_before_inflating() {
    let zeros = vec![0u8; 16 << 20];
    let bytes = zip_of(
        &[
            ("xl/workbook.xml", b"<workbook/>".as_slice()),
            ("xl/worksheets/sheet1.xml", &zeros),
        ],
        zip::CompressionMethod::Deflated,
    );
    assert!(bytes.len() < 1 << 20);
    let e = read_source("bomb.xlsx", &bytes, &ReadOptions::default()).unwrap_err();
    assert_eq!(e.code(), "spreadsheet_unreadable");
    assert!(e.to_string().contains("zip bomb"), "{e}");
}

#[test]
fn legacy_xls_magic_is_routed_to_the_spreadsheet_reader() {
    let mut bytes = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    bytes.extend_from_slice(&[0; 100]);
    let e = read_source("old.xls", &bytes, &ReadOptions::default()).unwrap_err();
    assert_eq!(e.code(), "spreadsheet_unreadable");
}

#[test]
fn file_level_errors() {
    let opts = ReadOptions::default();
    assert_eq!(
        read_source("e.csv", b"", &opts).unwrap_err().code(),
        "file_empty"
    );
    assert_eq!(
        read_source("bom.csv", b"\xEF\xBB\xBF", &opts)
            .unwrap_err()
            .code(),
        "file_empty"
    );
    assert_eq!(read("title_only.csv").unwrap_err().code(), "not_a_table");
    match read("no_number_column.csv").unwrap_err() {
        ImportError::NoNumberColumn { line, found, .. } => {
            assert_eq!(line, 1);
            assert_eq!(found, "序号, 属地, 模型名称, 备案单位, 编号, 备案时间");
        }
        other => panic!("{other}"),
    }
    // Valid GB18030 except for a 0xFF in row 4.
    let mut bytes = fixture("gb18030_tab_title.tsv");
    let at = bytes.len() - 100;
    bytes[at] = 0xFF;
    let e = read_source("bad.tsv", &bytes, &opts).unwrap_err();
    assert_eq!(e.code(), "file_undecodable");
    assert!(e.to_string().contains(&format!("offset {at}")), "{e}");
    let forced = ReadOptions {
        encoding: Some("ebcdic-klingon".into()),
        ..Default::default()
    };
    let e = read_source("x.csv", &fixture("utf8_comma.csv"), &forced).unwrap_err();
    assert_eq!(e.code(), "unknown_encoding");
}

#[test]
fn forced_encoding_and_delimiter() {
    let opts = ReadOptions {
        encoding: Some("gbk".into()),
        delimiter: Some("tab".into()),
        ..Default::default()
    };
    let f = read_source("x.tsv", &fixture("gb18030_tab_title.tsv"), &opts).unwrap();
    assert_eq!(f.encoding, "GB18030");
    assert_eq!(f.tables[0].rows.len(), 5);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]
    #[test]
    fn read_source_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        let _ = read_source("p", &bytes, &ReadOptions::default());
    }

    #[test]
    fn read_source_never_panics_on_zip_or_ole_prefixes(
        magic in prop_oneof![
            Just(b"PK\x03\x04".to_vec()),
            Just(vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]),
        ],
        rest in proptest::collection::vec(any::<u8>(), 0..400),
    ) {
        let bytes = [magic, rest].concat();
        let _ = read_source("p", &bytes, &ReadOptions::default());
    }

    #[test]
    fn read_source_never_panics_on_damaged_workbooks(cut in 0usize..6000, flip in 0usize..6000) {
        let mut bytes = workbook(true);
        let n = bytes.len();
        bytes[flip % n] ^= 0x5A;
        bytes.truncate(cut.max(4) % (n + 1));
        let _ = read_source("p.xlsx", &bytes, &ReadOptions::default());
    }

    #[test]
    fn read_source_never_panics_on_csv_like_text(s in "[序号属地备案编号时间,;\t\"\r\n a-z0-9-]{0,300}") {
        let _ = read_source("p.csv", s.as_bytes(), &ReadOptions::default());
    }
}

/// 1M rows in release must stay in seconds: `cargo test --release --test import_read -- --ignored`.
#[test]
#[ignore]
fn million_rows_stream() {
    let mut text = String::from("序号,属地,模型名称,备案单位,备案编号,备案时间\n");
    for i in 0..1_000_000 {
        text.push_str(&format!(
            "{i},北京市,模型{i},北京某某科技有限公司,Beijing-Model{i}-20240101{:04},2024/1/15\n",
            i % 10000
        ));
    }
    let start = std::time::Instant::now();
    let f = read_source("big.csv", text.as_bytes(), &ReadOptions::default()).unwrap();
    let took = start.elapsed();
    assert_eq!(f.tables[0].rows.len(), 1_000_000);
    eprintln!("1M rows in {took:?}");
    assert!(took.as_secs() < 10, "{took:?}");
}

/// A minimal ODS written by hand (no ODS writer among the dev-dependencies): a title row, the
/// header, and the reference rows with float 序号 and date-valued 备案时间 cells, in a table that
/// starts one row down, so line numbers must follow the sheet, not the range.
#[test]
fn ods_twin_reads_the_same() {
    let reference = read("utf8_comma.csv").unwrap();
    let cell = |s: &str| {
        format!("<table:table-cell office:value-type=\"string\"><text:p>{s}</text:p></table:table-cell>")
    };
    let mut body = String::from("<table:table-row><table:table-cell/></table:table-row>");
    body += &format!(
        "<table:table-row>{}</table:table-row>",
        cell("附件1：生成式人工智能服务已备案信息")
    );
    body += "<table:table-row>";
    for h in &reference.tables[0].header {
        body += &cell(h);
    }
    body += "</table:table-row>";
    for row in &reference.tables[0].rows {
        body += &format!(
            "<table:table-row><table:table-cell office:value-type=\"float\" office:value=\"{0}\"><text:p>{0}</text:p></table:table-cell>",
            row.cells[0]
        );
        for c in &row.cells[1..5] {
            body += &cell(c);
        }
        let d = parse_date(&row.cells[5]).unwrap();
        body += &format!(
            "<table:table-cell office:value-type=\"date\" office:date-value=\"{}T00:00:00\"><text:p>{}</text:p></table:table-cell></table:table-row>",
            d.format("%Y-%m-%d"),
            row.cells[5]
        );
    }
    let content = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document-content \
         xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" \
         xmlns:table=\"urn:oasis:names:tc:opendocument:xmlns:table:1.0\" \
         xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" office:version=\"1.2\">\
         <office:body><office:spreadsheet><table:table table:name=\"已备案\">{body}</table:table>\
         </office:spreadsheet></office:body></office:document-content>"
    );
    let bytes = zip_of(
        &[
            (
                "mimetype",
                b"application/vnd.oasis.opendocument.spreadsheet".as_slice(),
            ),
            ("content.xml", content.as_bytes()),
            (
                "META-INF/manifest.xml",
                b"<?xml version=\"1.0\" encoding=\"UTF-8\"?><manifest:manifest \
                  xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\"/>"
                    .as_slice(),
            ),
        ],
        zip::CompressionMethod::Stored,
    );
    let f = read_source("list.ods", &bytes, &ReadOptions::default()).unwrap();
    assert_eq!(f.encoding, "ODS");
    let t = &f.tables[0];
    assert_eq!(t.sheet.as_deref(), Some("已备案"));
    assert_eq!(
        t.title.as_deref(),
        Some("附件1：生成式人工智能服务已备案信息")
    );
    assert_eq!(t.header_line, 3);
    assert_eq!(lines(&f, 0), vec![4, 5, 6, 7, 8]);
    for (got, want) in t.rows.iter().zip(&reference.tables[0].rows) {
        assert_eq!(got.cells[..5], want.cells[..5]);
        assert_eq!(parse_date(&got.cells[5]), parse_date(&want.cells[5]));
    }
}
