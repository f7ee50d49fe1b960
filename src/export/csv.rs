//! CSV in the shape of the CAC's tables, so that an exported file imports back into Beian as the
//! same filings: 序号, 属地, 模型名称, 备案单位, 备案编号, 备案时间, then 类型 and 标记 (which the
//! importer ignores; it recomputes flags). English headers (`seq`, `region`, `model`, `company`,
//! `filing_number`, `filed_on`, `kind`, `flags`) map to the same fields.
//!
//! A selection of one kind is one table whose number and date headers announce the kind
//! (备案编号/备案时间 or 登记编号/登记时间). A selection of both kinds is written as the CAC writes
//! it since August 2024: two tables, each under a title line (已备案 / 已登记), so each
//! registration comes back as a registration without a kind-mismatch flag.
//!
//! Formula injection: spreadsheet programs run a CSV cell that starts with `=`, `+`, `-`, `@`
//! (or TAB, CR, LF, or the full-width `＝＋－＠` that some Excel builds fold) as a formula. Every
//! text cell whose first character (after any leading apostrophes) is one of those gets one
//! leading `'`, which Excel shows as text and the Beian importer removes again
//! ([`crate::import::validate::strip_formula_guard`]). Numbers (序号) and dates are written as
//! they are; filing numbers never start with those characters, company and model names might.

use super::{flags_text, kind_label, CsvEncoding, ExportRequest, Language, ReportStats};
use crate::error::{Error, Result};
use crate::filing::Kind;
use crate::query::{FilingFilter, FilingRow};
use crate::store::Store;
use std::borrow::Cow;
use std::io::Write;

/// First characters that make a spreadsheet treat a cell as a formula.
pub const FORMULA_TRIGGERS: [char; 11] = [
    '=', '+', '-', '@', '\t', '\r', '\n', '\u{FF1D}', '\u{FF0B}', '\u{FF0D}', '\u{FF20}',
];

/// Whether `s`, past any apostrophes already in front, starts like a formula. Counting those
/// apostrophes makes the guard reversible: `'=x` (a value that really starts with `'`) is
/// written `''=x` and reads back as `'=x`.
pub fn needs_formula_guard(s: &str) -> bool {
    s.trim_start_matches('\'')
        .starts_with(|c: char| FORMULA_TRIGGERS.contains(&c))
}

/// The text as a CSV cell that no spreadsheet will evaluate.
pub fn neutralise(s: &str) -> Cow<'_, str> {
    if needs_formula_guard(s) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

pub(crate) fn headers(kind: Kind, lang: Language) -> [&'static str; 8] {
    match (lang, kind) {
        (Language::Zh, Kind::Filed) => [
            "序号",
            "属地",
            "模型名称",
            "备案单位",
            "备案编号",
            "备案时间",
            "类型",
            "标记",
        ],
        (Language::Zh, Kind::Registered) => [
            "序号",
            "属地",
            "模型名称",
            "备案单位",
            "登记编号",
            "登记时间",
            "类型",
            "标记",
        ],
        (Language::En, Kind::Filed) => [
            "seq",
            "region",
            "model",
            "company",
            "filing_number",
            "filed_on",
            "kind",
            "flags",
        ],
        (Language::En, Kind::Registered) => [
            "seq",
            "region",
            "model",
            "company",
            "registration_number",
            "registration_date",
            "kind",
            "flags",
        ],
    }
}

fn table_title(kind: Kind, lang: Language) -> &'static str {
    match kind {
        Kind::Filed => lang.pick(
            "生成式人工智能服务已备案信息",
            "Generative-AI services filed (已备案)",
        ),
        Kind::Registered => lang.pick(
            "生成式人工智能服务已登记信息",
            "Generative-AI services registered (已登记)",
        ),
    }
}

/// Encodes whole records into the file: the csv writer fills a buffer, which is flushed after
/// each record so a multi-byte character is never split between two encoder calls.
struct Sink<'a> {
    csv: csv::Writer<Shared>,
    buf: Shared,
    out: &'a mut dyn Write,
    encoding: CsvEncoding,
}

/// The csv writer's output buffer, shared so whole records can be taken out of it.
#[derive(Clone, Default)]
struct Shared(std::rc::Rc<std::cell::RefCell<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(b);
        Ok(b.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Sink<'_> {
    fn record<'b>(&mut self, cells: impl IntoIterator<Item = Cow<'b, str>>) -> Result<()> {
        let cells: Vec<Cow<'b, str>> = cells.into_iter().collect();
        self.csv
            .write_record(cells.iter().map(|c| c.as_bytes()))
            .map_err(|e| Error::Export(e.to_string()))?;
        self.drain()
    }

    fn blank_line(&mut self) -> Result<()> {
        self.drain()?;
        self.buf.0.borrow_mut().extend_from_slice(b"\r\n");
        self.drain()
    }

    fn drain(&mut self) -> Result<()> {
        self.csv.flush().map_err(|e| Error::Export(e.to_string()))?;
        let buf = std::mem::take(&mut *self.buf.0.borrow_mut());
        if buf.is_empty() {
            return Ok(());
        }
        let res = match self.encoding {
            CsvEncoding::Utf8 | CsvEncoding::Utf8Bom => self.out.write_all(&buf),
            CsvEncoding::Gb18030 => {
                // The buffer holds whole records written from `&str`, so it is valid UTF-8.
                let text = String::from_utf8_lossy(&buf);
                let (bytes, _, _) = encoding_rs::GB18030.encode(&text);
                self.out.write_all(&bytes)
            }
        };
        res.map_err(|e| Error::Export(format!("writing failed: {e}")))
    }
}

fn row_cells(row: &FilingRow, lang: Language) -> Vec<Cow<'_, str>> {
    vec![
        Cow::Owned(row.seq.map(|s| s.to_string()).unwrap_or_default()),
        neutralise(&row.region),
        neutralise(&row.model),
        neutralise(&row.company),
        neutralise(&row.number),
        Cow::Owned(row.filed_on.clone().unwrap_or_default()),
        Cow::Borrowed(kind_label(row.kind, lang)),
        Cow::Owned(neutralise(&flags_text(&row.flags, lang)).into_owned()),
    ]
}

/// Writes the selection as CSV; returns the number of filings written.
pub(crate) fn write(
    store: &Store,
    req: &ExportRequest,
    filter: &FilingFilter,
    stats: &ReportStats,
    out: &mut dyn Write,
    progress: &mut dyn FnMut(u64, u64) -> bool,
) -> Result<u64> {
    let lang = req.language;
    if req.csv_encoding == CsvEncoding::Utf8Bom {
        out.write_all(b"\xEF\xBB\xBF")
            .map_err(|e| Error::Export(format!("writing failed: {e}")))?;
    }
    let buf = Shared::default();
    let csv = csv::WriterBuilder::new()
        .flexible(true)
        .terminator(csv::Terminator::CRLF)
        .from_writer(buf.clone());
    let mut sink = Sink {
        csv,
        buf,
        out,
        encoding: req.csv_encoding,
    };
    let kinds: Vec<Kind> = match filter.kind {
        Some(k) => vec![k],
        None if stats.filed > 0 && stats.registered > 0 => vec![Kind::Filed, Kind::Registered],
        None if stats.registered > 0 => vec![Kind::Registered],
        None => vec![Kind::Filed],
    };
    let two_tables = kinds.len() > 1;
    let total = stats.total;
    let mut done = 0u64;
    if !progress(0, total) {
        return Err(Error::Cancelled);
    }
    for (i, kind) in kinds.iter().enumerate() {
        if two_tables {
            if i > 0 {
                sink.blank_line()?;
            }
            sink.record([Cow::Borrowed(table_title(*kind, lang))])?;
        }
        sink.record(headers(*kind, lang).into_iter().map(Cow::Borrowed))?;
        let part = FilingFilter {
            kind: Some(*kind),
            ..filter.clone()
        };
        store.each_filing(&part, req.sort, None, &mut |row| {
            sink.record(row_cells(&row, lang))?;
            done += 1;
            Ok(done % super::PROGRESS_EVERY != 0 || progress(done, total))
        })?;
    }
    if !progress(done, total) {
        return Err(Error::Cancelled);
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::validate::strip_formula_guard;

    #[test]
    fn every_trigger_is_neutralised_and_comes_back() {
        for c in FORMULA_TRIGGERS {
            let v = format!("{c}SUM(A1:A9)");
            let cell = neutralise(&v);
            assert_eq!(cell, format!("'{v}"), "{c:?}");
            assert_eq!(strip_formula_guard(&cell), v, "{c:?}");
        }
    }

    #[test]
    fn harmless_text_is_untouched() {
        for v in [
            "北京百度网讯科技有限公司",
            "Beijing-WenXinYiYan-20230821",
            "'quoted",
            "a=b",
            "",
        ] {
            assert_eq!(neutralise(v), v);
            assert_eq!(strip_formula_guard(v), v);
        }
    }

    #[test]
    fn values_that_start_with_an_apostrophe_survive() {
        for v in ["'=1+1", "''-x", "'＠home"] {
            let cell = neutralise(v);
            assert_eq!(cell, format!("'{v}"));
            assert_eq!(strip_formula_guard(&cell), v);
        }
    }
}
