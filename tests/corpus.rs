//! The bad-file corpus: every broken or hostile file a person might feed `beian import`, with the
//! exact outcome it must produce. Small files are committed under `tests/corpus/` (written by its
//! `generate.py`); big and binary ones are built here. Every case runs through the real binary on
//! a database that already holds a filing, and a refused file must leave that database's bytes
//! exactly as they were.

mod common;

use common::{delimited, seed_rows, xlsx, Env};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// What importing one file must do.
enum Expect {
    /// Refused as a whole with this `ImportError::code()` and a message saying this; exit 1; the
    /// database untouched.
    File(&'static str, &'static str),
    /// Read, but these rows have errors (line, column, code), so nothing is written; exit 1.
    Rows(&'static [Issue]),
    /// Imported: `rows` read, `inserted` new, and exactly these warnings (line, column, code).
    Imported {
        rows: u64,
        inserted: u64,
        warnings: &'static [Issue],
    },
}

type Issue = (u64, Option<&'static str>, &'static str);

enum Source {
    /// A file committed under tests/corpus/.
    Committed,
    /// Built by the test (too big, or binary, to commit).
    Made(fn() -> Vec<u8>),
}

struct Case {
    name: &'static str,
    source: Source,
    expect: Expect,
}

const fn committed(name: &'static str, expect: Expect) -> Case {
    Case {
        name,
        source: Source::Committed,
        expect,
    }
}

const fn made(name: &'static str, make: fn() -> Vec<u8>, expect: Expect) -> Case {
    Case {
        name,
        source: Source::Made(make),
        expect,
    }
}

const NUMBER: Option<&str> = Some("备案编号");
const MODEL: Option<&str> = Some("模型名称");
const COMPANY: Option<&str> = Some("备案单位");
const DATE: Option<&str> = Some("备案时间");
const REGION: Option<&str> = Some("属地");

use Expect::*;

const CASES: &[Case] = &[
    // Encodings.
    committed(
        "mixed_utf8_gbk.csv",
        File("file_undecodable", "mixes encodings"),
    ),
    committed(
        "invalid_utf8_middle.csv",
        File("file_undecodable", "offset 98 (line 2)"),
    ),
    committed(
        "truncated_utf8_tail.csv",
        File("file_undecodable", "offset 396 (line 5)"),
    ),
    committed(
        "latin1_not_cac.csv",
        File("not_a_table", "no filings table"),
    ),
    committed(
        "utf16le_odd_length.csv",
        File("file_undecodable", "UTF-16LE"),
    ),
    committed(
        "utf16le_lone_surrogate.csv",
        File("file_undecodable", "00 D8"),
    ),
    committed(
        "gb18030_broken_pair.csv",
        File("file_undecodable", "GB18030"),
    ),
    // Empty and almost empty.
    committed("empty.csv", File("file_empty", "empty")),
    committed("lone_bom_utf8.csv", File("file_empty", "empty")),
    committed("lone_bom_utf16le.csv", File("file_empty", "empty")),
    committed("whitespace_only.csv", File("file_empty", "empty")),
    committed("zero_width_only.csv", File("file_empty", "empty")),
    committed(
        "header_only.csv",
        File("no_rows", "line 1 has a header but no rows"),
    ),
    committed("header_and_blank_rows.csv", File("no_rows", "no rows")),
    committed("title_only.csv", File("not_a_table", "no filings table")),
    committed(
        "prose_not_a_table.txt",
        File("not_a_table", "no filings table"),
    ),
    committed(
        "no_number_column.csv",
        File("no_number_column", "no filing-number column"),
    ),
    // NUL bytes: padding is dropped, binary is refused.
    committed(
        "nul_padding.csv",
        Imported {
            rows: 3,
            inserted: 3,
            warnings: &[],
        },
    ),
    committed(
        "nul_heavy.csv",
        File("file_undecodable", "cannot read the text"),
    ),
    // Structure.
    committed("ragged_rows.csv", Rows(&[(3, NUMBER, "number_missing")])),
    committed(
        "unclosed_quote.csv",
        File("unclosed_quote", "line 3, column 3"),
    ),
    committed(
        "quote_inside_cell.csv",
        Imported {
            rows: 3,
            inserted: 3,
            warnings: &[],
        },
    ),
    committed(
        "cr_only_lines.csv",
        Imported {
            rows: 3,
            inserted: 3,
            warnings: &[],
        },
    ),
    committed(
        "too_many_columns_line.csv",
        File("file_too_large", "line 3 has 1001 columns"),
    ),
    made(
        "field_10mb.csv",
        field_10mb,
        File("file_too_large", "line 3 has a cell of"),
    ),
    made(
        "columns_100k.csv",
        columns_100k,
        File("file_too_large", "100001 columns"),
    ),
    made(
        "unclosed_quote_then_10mb.csv",
        unclosed_quote_then_10mb,
        File("file_too_large", "line 2 has a cell of"),
    ),
    // Rows.
    committed(
        "duplicate_rows.csv",
        Imported {
            rows: 4,
            inserted: 3,
            warnings: &[(5, None, "duplicate_in_file")],
        },
    ),
    committed(
        "conflicting_rows.csv",
        Rows(&[(5, None, "conflicting_duplicate")]),
    ),
    committed("date_feb_30.csv", Rows(&[(3, DATE, "date_invalid")])),
    committed("date_day_zero.csv", Rows(&[(3, DATE, "date_invalid")])),
    committed(
        "date_serial_out_of_range.csv",
        Rows(&[(3, DATE, "date_invalid")]),
    ),
    committed(
        "date_serial_fake_leap_day.csv",
        Rows(&[(3, DATE, "date_invalid")]),
    ),
    made(
        "excel_serials_out_of_range.xlsx",
        excel_serials_out_of_range,
        Rows(&[(3, DATE, "date_invalid"), (4, DATE, "date_invalid")]),
    ),
    committed("region_unknown.csv", Rows(&[(4, REGION, "region_unknown")])),
    committed("number_missing.csv", Rows(&[(4, NUMBER, "number_missing")])),
    committed(
        "swapped_model_company.csv",
        Imported {
            rows: 3,
            inserted: 3,
            warnings: &[(3, MODEL, "model_company_swapped")],
        },
    ),
    committed(
        "stray_leading_char.csv",
        Imported {
            rows: 3,
            inserted: 3,
            warnings: &[(2, COMPANY, "stray_leading_char")],
        },
    ),
    // Hostile text: kept as published (see hostile_text_is_stored_byte_for_byte).
    committed(
        "formula_text.csv",
        Imported {
            rows: 3,
            inserted: 3,
            warnings: &[],
        },
    ),
    committed(
        "html_script.csv",
        Imported {
            rows: 3,
            inserted: 3,
            warnings: &[(3, COMPANY, "stray_leading_char")],
        },
    ),
    committed(
        "bidi_override.csv",
        Imported {
            rows: 3,
            inserted: 3,
            warnings: &[
                (2, MODEL, "hidden_characters"),
                (3, NUMBER, "hidden_characters"),
            ],
        },
    ),
    committed(
        "zero_width_inside.csv",
        Imported {
            rows: 3,
            inserted: 3,
            warnings: &[
                (2, MODEL, "hidden_characters"),
                (3, NUMBER, "hidden_characters"),
            ],
        },
    ),
    // Not text, or not what the name says.
    committed("png_named.csv", File("file_undecodable", "PNG image")),
    committed("pdf_document.pdf", File("file_undecodable", "PDF document")),
    committed("pdf_named.csv", File("file_undecodable", "PDF document")),
    committed(
        "ole2_truncated.xls",
        File("spreadsheet_unreadable", "Excel 97"),
    ),
    committed(
        "zip_magic_only.xlsx",
        File("spreadsheet_unreadable", "truncated"),
    ),
    made(
        "random_bytes.bin",
        random_bytes,
        File("file_undecodable", "cannot read the text"),
    ),
    made(
        "truncated.xlsx",
        truncated_xlsx,
        File("spreadsheet_unreadable", "truncated"),
    ),
    made(
        "zip_bomb.xlsx",
        zip_bomb,
        File("spreadsheet_unreadable", "zip bomb"),
    ),
    made(
        "zip_bomb_lying_sizes.xlsx",
        zip_bomb_lying_sizes,
        File("spreadsheet_unreadable", "more than its entries declare"),
    ),
    made(
        "zip_not_a_workbook.xlsx",
        zip_not_a_workbook,
        File("spreadsheet_unreadable", "holds no workbook"),
    ),
    made(
        "xlsx_named.csv",
        seed_xlsx,
        Imported {
            rows: 18,
            inserted: 18,
            warnings: SEED_WARNINGS,
        },
    ),
    made(
        "csv_named.xlsx",
        seed_csv,
        Imported {
            rows: 18,
            inserted: 18,
            warnings: SEED_WARNINGS,
        },
    ),
    made(
        "xlsx_cell_at_xfd1048576.xlsx",
        far_cell_xlsx,
        File("file_too_large", "16384 columns"),
    ),
];

/// The seed excerpt imports clean whatever the container says it is.
const SEED_WARNINGS: &[Issue] = &[];

// --- generated files -----------------------------------------------------------------------------

const HEADER: &str = "序号,属地,模型名称,备案单位,备案编号,备案时间\r\n";
const ROW: &str =
    "1,北京市,文心一言,北京百度网讯科技有限公司,Beijing-WenXinYiYan-20230821,2023/8/31\r\n";

fn field_10mb() -> Vec<u8> {
    let big = "文".repeat(10 * 1024 * 1024 / 3);
    format!("{HEADER}{ROW}2,北京市,{big},某公司,Beijing-Big-20230821,2023/8/31\r\n").into_bytes()
}

fn columns_100k() -> Vec<u8> {
    format!("{HEADER}{ROW}{}\r\n", ",x".repeat(100_000)).into_bytes()
}

fn unclosed_quote_then_10mb() -> Vec<u8> {
    let mut s =
        format!("{HEADER}2,北京市,\"智谱清言,某公司,Beijing-ChatGLM-20230821,2023/8/31\r\n");
    while s.len() < 10 << 20 {
        s.push_str(ROW);
    }
    s.into_bytes()
}

/// A fixed pseudo-random stream (xorshift), so the case is the same on every run.
fn random_bytes() -> Vec<u8> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..4096)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

fn seed_xlsx() -> Vec<u8> {
    xlsx(&seed_rows())
}

fn seed_csv() -> Vec<u8> {
    delimited(&seed_rows(), ",", None).into_bytes()
}

fn truncated_xlsx() -> Vec<u8> {
    let mut b = seed_xlsx();
    b.truncate(b.len() * 2 / 3);
    b
}

fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    zip_of_with(entries, zip::CompressionMethod::Deflated)
}

fn zip_of_with(entries: &[(&str, &[u8])], method: zip::CompressionMethod) -> Vec<u8> {
    use std::io::Write;
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default().compression_method(method);
    for (name, data) in entries {
        w.start_file(*name, opts).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

const CONTENT_TYPES: &[u8] = br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#;
const WORKBOOK: &[u8] = br#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheets><sheet name="S" sheetId="1"/></sheets></workbook>"#;

/// A workbook whose one sheet inflates from a few kilobytes to 24 MB of blanks.
fn zip_bomb() -> Vec<u8> {
    let mut sheet = br#"<?xml version="1.0"?><worksheet><sheetData>"#.to_vec();
    sheet.resize(24 << 20, b' ');
    zip_of(&[
        ("[Content_Types].xml", CONTENT_TYPES),
        ("xl/workbook.xml", WORKBOOK),
        ("xl/worksheets/sheet1.xml", &sheet),
    ])
}

/// A bomb whose headers claim its sheet inflates to 1 KB while it inflates to 300 MB: only
/// counting what actually comes out of the inflater catches it. The deflate stream is written by
/// hand (one space, then 258-byte copies of it at 13 bits each) because compressing 300 MB here
/// would take longer than the whole corpus.
fn zip_bomb_lying_sizes() -> Vec<u8> {
    let mut bits = BitWriter::default();
    bits.put(1, 1); // BFINAL
    bits.put(1, 2); // BTYPE = fixed Huffman codes
    bits.code(0x30 + u32::from(b' '), 8); // literal ' '
    for _ in 0..(300u32 << 20) / 258 {
        bits.code(0b1100_0101, 8); // length 258 (code 285)
        bits.code(0, 5); // distance 1
    }
    bits.code(0, 7); // end of block
    let stream = bits.finish();
    // Stored entries carry bytes as they are; flipping the method to deflate afterwards makes
    // the reader inflate the hand-made stream.
    let mut b = zip_of_with(
        &[
            ("xl/workbook.xml", WORKBOOK),
            ("xl/worksheets/sheet1.xml", &stream),
        ],
        zip::CompressionMethod::Stored,
    );
    let lie = 1024u32.to_le_bytes();
    let sheet_entry = |b: &[u8], sig: &[u8], name_len_at: usize, name_at: usize| -> Vec<usize> {
        let mut found = Vec::new();
        let mut i = 0;
        while let Some(p) = b[i..].windows(4).position(|w| w == sig) {
            let at = i + p;
            let n = u16::from_le_bytes([b[at + name_len_at], b[at + name_len_at + 1]]) as usize;
            if b.get(at + name_at..at + name_at + n) == Some(b"xl/worksheets/sheet1.xml".as_slice())
            {
                found.push(at);
            }
            i = at + 4;
        }
        found
    };
    for at in sheet_entry(&b, b"PK\x03\x04", 26, 30) {
        b[at + 8..at + 10].copy_from_slice(&8u16.to_le_bytes());
        b[at + 22..at + 26].copy_from_slice(&lie);
    }
    for at in sheet_entry(&b, b"PK\x01\x02", 28, 46) {
        b[at + 10..at + 12].copy_from_slice(&8u16.to_le_bytes());
        b[at + 24..at + 28].copy_from_slice(&lie);
    }
    b
}

/// Bits in deflate's order: header fields least significant bit first, Huffman codes most
/// significant bit first.
#[derive(Default)]
struct BitWriter {
    out: Vec<u8>,
    acc: u32,
    n: u32,
}

impl BitWriter {
    fn put(&mut self, value: u32, count: u32) {
        for i in 0..count {
            self.acc |= ((value >> i) & 1) << self.n;
            self.n += 1;
            if self.n == 8 {
                self.out.push(self.acc as u8);
                (self.acc, self.n) = (0, 0);
            }
        }
    }

    fn code(&mut self, code: u32, len: u32) {
        for i in (0..len).rev() {
            self.put((code >> i) & 1, 1);
        }
    }

    fn finish(mut self) -> Vec<u8> {
        if self.n > 0 {
            self.out.push(self.acc as u8);
        }
        self.out
    }
}

fn zip_not_a_workbook() -> Vec<u8> {
    zip_of(&[("word/document.xml", b"<w:document/>")])
}

/// Dates as Excel numbers with a date format, outside the calendar Excel can show.
fn excel_serials_out_of_range() -> Vec<u8> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut wb = Workbook::new();
    let date = Format::new().set_num_format("yyyy/m/d");
    let ws = wb.add_worksheet();
    for (c, h) in common::HEADER.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    let rows: [(&str, f64); 3] = [
        ("Beijing-WenXinYiYan-20230821", 45169.0),
        ("Beijing-ChatGLM-20230821", 3_000_000.0),
        ("Beijing-YunQue-20230821", -5.0),
    ];
    for (i, (number, serial)) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_number(r, 0, (i + 1) as f64).unwrap();
        ws.write_string(r, 1, "北京市").unwrap();
        ws.write_string(r, 2, "模型").unwrap();
        ws.write_string(r, 3, "北京某某科技有限公司").unwrap();
        ws.write_string(r, 4, *number).unwrap();
        ws.write_number_with_format(r, 5, *serial, &date).unwrap();
    }
    wb.save_to_buffer().unwrap()
}

/// A good table plus one stray cell in the last column of the last row Excel has.
fn far_cell_xlsx() -> Vec<u8> {
    use rust_xlsxwriter::Workbook;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in common::HEADER.iter().enumerate() {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for (c, v) in seed_rows()[0].iter().enumerate() {
        ws.write_string(1, c as u16, v).unwrap();
    }
    ws.write_string(1_048_575, 16_383, "x").unwrap();
    wb.save_to_buffer().unwrap()
}

// --- the runner ----------------------------------------------------------------------------------

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

/// A database holding one filing, so "unchanged" is checked on real content.
fn baseline(env: &Env) {
    let f = env.write(
        "baseline.csv",
        format!("{HEADER}1,上海市,ABAB大模型,上海稀宇科技有限公司,Shanghai-MiniMax-20230821,2023/8/31\r\n")
            .as_bytes(),
    );
    let (code, _, err) = env.import(&f, &[]);
    assert_eq!(code, 0, "{err}");
}

fn issues(v: &Value) -> Vec<(u64, Option<String>, String)> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["line"].as_u64().unwrap(),
                i["column"].as_str().map(str::to_string),
                i["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn owned(want: &[Issue]) -> Vec<(u64, Option<String>, String)> {
    want.iter()
        .map(|(l, c, code)| (*l, c.map(str::to_string), code.to_string()))
        .collect()
}

fn wal_len(env: &Env) -> u64 {
    let mut p = env.db().into_os_string();
    p.push("-wal");
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

fn run_case(case: &Case) -> Result<(), String> {
    let env = Env::new();
    baseline(&env);
    let before = env.db_bytes();
    let bytes = match case.source {
        Source::Committed => std::fs::read(corpus_dir().join(case.name)).unwrap(),
        Source::Made(make) => make(),
    };
    let file = env.write(case.name, &bytes);
    let (code, v, err) = env.import(&file, &[]);
    let untouched = || -> Result<(), String> {
        if env.db_bytes() != before || wal_len(&env) != 0 {
            return Err("a refused file changed the database".into());
        }
        Ok(())
    };
    match &case.expect {
        File(want, why) => {
            let payload: Value = err
                .lines()
                .find_map(|l| serde_json::from_str(l).ok())
                .ok_or_else(|| format!("no JSON error on stderr: {err}"))?;
            if code != 1 || payload["code"] != *want {
                return Err(format!("want {want}, got exit {code}: {err}"));
            }
            let message = payload["message"].as_str().unwrap_or_default();
            if !message.contains(case.name) || !message.contains(why) {
                return Err(format!(
                    "the message should name the file and say {why:?}: {message}"
                ));
            }
            untouched()
        }
        Rows(want) => {
            if code != 1 || v[0]["status"] != "refused" {
                return Err(format!("want refused rows, got exit {code}: {v} {err}"));
            }
            let got = issues(&v[0]["errors"]);
            if got != owned(want) {
                return Err(format!("errors: got {got:?}"));
            }
            untouched()
        }
        Imported {
            rows,
            inserted,
            warnings,
        } => {
            if code != 0 || v[0]["status"] != "imported" {
                return Err(format!("want imported, got exit {code}: {v} {err}"));
            }
            let got = (v[0]["rows"].as_u64(), v[0]["inserted"].as_u64());
            if got != (Some(*rows), Some(*inserted)) {
                return Err(format!("rows/inserted: got {got:?}"));
            }
            if !v[0]["errors"].as_array().unwrap().is_empty() {
                return Err(format!("errors: {}", v[0]["errors"]));
            }
            let got = issues(&v[0]["warnings"]);
            if got != owned(warnings) {
                return Err(format!("warnings: got {got:?}"));
            }
            let (_, batches, _) = env.json(&["batches"]);
            if batches.as_array().map(Vec::len) != Some(2) {
                return Err(format!("want the baseline batch and one more: {batches}"));
            }
            Ok(())
        }
    }
}

#[test]
fn every_corpus_file_has_its_exact_outcome() {
    assert!(CASES.len() >= 40, "the corpus must hold at least 40 files");
    let failures: Vec<String> = CASES
        .iter()
        .filter_map(|c| run_case(c).err().map(|e| format!("{}: {e}", c.name)))
        .collect();
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

#[test]
fn every_committed_corpus_file_is_a_case() {
    let named: Vec<&str> = CASES
        .iter()
        .filter(|c| matches!(c.source, Source::Committed))
        .map(|c| c.name)
        .collect();
    for entry in std::fs::read_dir(corpus_dir()).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().into_string().unwrap();
        if entry.file_type().unwrap().is_dir() || name == "generate.py" {
            continue;
        }
        assert!(
            named.contains(&name.as_str()),
            "{name} has no expected outcome"
        );
    }
    for name in named {
        assert!(corpus_dir().join(name).exists(), "{name} is missing");
    }
}

/// The desktop app shows imported text as text; this checks the core hands it back unchanged, so
/// neither HTML, script, formulas nor direction overrides are rewritten (or executed) on the way.
#[test]
fn hostile_text_is_stored_byte_for_byte() {
    for name in [
        "formula_text.csv",
        "html_script.csv",
        "bidi_override.csv",
        "zero_width_inside.csv",
    ] {
        let env = Env::new();
        let path = corpus_dir().join(name);
        let (code, _, err) = env.import(&path, &[]);
        assert_eq!(code, 0, "{name}: {err}");
        let mut rdr = csv::Reader::from_path(&path).unwrap();
        for rec in rdr.records() {
            let rec = rec.unwrap();
            let (model, company, number) = (&rec[2], &rec[3], &rec[4]);
            let (code, v, err) = env.json(&["show", number]);
            assert_eq!(code, 0, "{name} {number:?}: {err}");
            let f = &v;
            assert_eq!(f["number"], number, "{name}");
            assert_eq!(f["model"], model, "{name}");
            assert_eq!(f["company"], company, "{name}");
            // The raw row keeps every cell as read.
            let raw = &v["raw_rows"][0]["cells"];
            assert_eq!(raw[2], model, "{name}");
        }
    }
}
