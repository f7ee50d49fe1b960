//! Shared fixtures for the integration tests: the seed document's CAC table written out in every
//! encoding and layout a real user brings, and a runner for the `beian` binary on a temp database.

#![allow(dead_code)]

use assert_cmd::Command;
use std::path::{Path, PathBuf};

pub const HEADER: [&str; 6] = ["序号", "属地", "模型名称", "备案单位", "备案号", "备案时间"];

/// Rows 1–14, 87 and 115–117 of the table in the seed document.
pub fn seed_rows() -> Vec<[String; 6]> {
    let text = include_str!("../../data/filings/cac-2024-03-seed-excerpt.csv");
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let c: Vec<String> = l.split(',').map(str::to_string).collect();
            [
                c[0].clone(),
                c[1].clone(),
                c[2].clone(),
                c[3].clone(),
                c[4].clone(),
                c[5].clone(),
            ]
        })
        .collect()
}

pub fn delimited(rows: &[[String; 6]], delim: &str, title: Option<&str>) -> String {
    let mut s = String::new();
    if let Some(t) = title {
        s.push_str(t);
        s.push_str("\r\n");
    }
    s.push_str(&HEADER.join(delim));
    s.push_str("\r\n");
    for r in rows {
        s.push_str(&r.join(delim));
        s.push_str("\r\n");
    }
    s
}

pub fn gb18030(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = encoding_rs::GB18030.encode(text);
    assert!(!unmappable);
    bytes.into_owned()
}

pub fn utf16le_bom(text: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        out.extend_from_slice(&u.to_le_bytes());
    }
    out
}

pub fn utf16be_bom(text: &str) -> Vec<u8> {
    let mut out = vec![0xFE, 0xFF];
    for u in text.encode_utf16() {
        out.extend_from_slice(&u.to_be_bytes());
    }
    out
}

/// The rows as an XLSX workbook with a title row, a numeric 序号 and real date cells.
pub fn xlsx(rows: &[[String; 6]]) -> Vec<u8> {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut wb = Workbook::new();
    let date_fmt = Format::new().set_num_format("yyyy/m/d");
    let ws = wb.add_worksheet();
    ws.set_name("已备案").unwrap();
    ws.write_string(0, 0, "生成式人工智能服务已备案信息")
        .unwrap();
    for (c, h) in HEADER.iter().enumerate() {
        ws.write_string(1, c as u16, *h).unwrap();
    }
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 2;
        ws.write_number(row, 0, r[0].parse::<f64>().unwrap())
            .unwrap();
        for (c, cell) in r.iter().enumerate().take(5).skip(1) {
            ws.write_string(row, c as u16, cell).unwrap();
        }
        let p: Vec<u16> = r[5].split('/').map(|x| x.parse().unwrap()).collect();
        let d = ExcelDateTime::from_ymd(p[0], p[1] as u8, p[2] as u8).unwrap();
        ws.write_datetime_with_format(row, 5, &d, &date_fmt)
            .unwrap();
    }
    wb.save_to_buffer().unwrap()
}

pub struct Env {
    pub dir: tempfile::TempDir,
}

impl Env {
    pub fn new() -> Env {
        Env {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("reg.sqlite")
    }

    pub fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    pub fn beian(&self) -> Command {
        let mut c = Command::cargo_bin("beian").unwrap();
        c.env("BEIAN_DB", self.db())
            .env("XDG_DATA_HOME", self.dir.path().join("xdg"))
            .env_remove("RUST_LOG");
        c
    }

    /// Runs `beian --format json ARGS` and returns (exit code, parsed stdout, stderr).
    pub fn json(&self, args: &[&str]) -> (i32, serde_json::Value, String) {
        let out = self
            .beian()
            .arg("--format")
            .arg("json")
            .args(args)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        let v = if stdout.trim().is_empty() {
            serde_json::Value::Null
        } else {
            serde_json::from_str(&stdout)
                .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {stdout}"))
        };
        (
            out.status.code().unwrap_or(-1),
            v,
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    pub fn import(&self, file: &Path, extra: &[&str]) -> (i32, serde_json::Value, String) {
        let mut args = vec!["import", file.to_str().unwrap()];
        args.extend_from_slice(extra);
        self.json(&args)
    }

    /// The filings as (number, kind, region, model, company, filed_on, seq), sorted by number.
    pub fn filings(&self) -> Vec<serde_json::Value> {
        let (code, v, err) = self.json(&["list", "--sort", "number"]);
        assert_eq!(code, 0, "{err}");
        v.as_array()
            .unwrap()
            .iter()
            .map(|r| {
                serde_json::json!([
                    r["number"],
                    r["kind"],
                    r["region"],
                    r["model"],
                    r["company"],
                    r["filed_on"],
                    r["seq"]
                ])
            })
            .collect()
    }

    pub fn db_bytes(&self) -> Vec<u8> {
        std::fs::read(self.db()).unwrap()
    }
}

/// Every cell of every sheet of a workbook, one line each (sheet, row, column and calamine's typed
/// value), then its formulas: two workbooks compare as text, and a difference prints readably.
pub fn xlsx_cells(path: &Path) -> String {
    use calamine::{open_workbook_from_rs, Reader, Xlsx};
    let mut wb: Xlsx<_> =
        open_workbook_from_rs(std::io::Cursor::new(std::fs::read(path).unwrap())).unwrap();
    let mut out = String::new();
    for name in wb.sheet_names() {
        let range = wb.worksheet_range(&name).unwrap();
        out.push_str(&format!(
            "== {name} {:?} {:?}\n",
            range.start(),
            range.end()
        ));
        for (r, c, v) in range.used_cells() {
            out.push_str(&format!("{r}\t{c}\t{v:?}\n"));
        }
        let formulas = wb.worksheet_formula(&name).unwrap();
        for (r, c, f) in formulas.used_cells() {
            if !f.is_empty() {
                out.push_str(&format!("FORMULA {r}\t{c}\t{f}\n"));
            }
        }
    }
    out
}

/// The facts that make a bundled filing's company qualify under Hangzhou's rule: its registered
/// city entered as 杭州市 and its model self-developed.
pub fn hangzhou_facts() -> beian::subsidy::facts::CompanyFactsUpdate {
    use beian::subsidy::facts::{CompanyFactsUpdate, FactInput, SelfDeveloped};
    CompanyFactsUpdate {
        name: "阿里巴巴达摩院 (杭州) 科技有限公司".into(),
        registered_city: Some(FactInput::entered("杭州市".to_string())),
        self_developed: Some(FactInput::entered(SelfDeveloped::Yes)),
        ..Default::default()
    }
}

/// A default export request (the whole registry, Chinese, UTF-8 with BOM, no as-of date) in
/// `format` to `path`, stamped `now`.
pub fn export_request(
    format: beian::export::ExportFormat,
    path: &Path,
    now: &str,
) -> beian::export::ExportRequest {
    beian::export::ExportRequest {
        format,
        path: path.to_string_lossy().into_owned(),
        filter: beian::query::FilingFilter::default(),
        sort: None,
        as_of: None,
        language: beian::export::Language::Zh,
        csv_encoding: beian::export::CsvEncoding::Utf8Bom,
        now: now.into(),
        title: None,
    }
}
