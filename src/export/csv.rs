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

use super::{flag_label, kind_label, CsvEncoding, ExportRequest, Language, ReportStats};
use crate::error::{Error, Result};
use crate::filing::{Flag, Kind};
use crate::query::FilingFilter;
use crate::store::{ExportRow, Store};
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

/// Bytes collected before they are handed to the file (and the GB18030 encoder): large enough
/// that a million rows take a few hundred writes, small enough to stay in cache.
const CHUNK: usize = 256 * 1024;

/// Writes CSV records as bytes straight into one reused buffer and passes whole records on to
/// the file, encoding them to GB18030 when asked. Quoting follows the csv crate's `Necessary`
/// style with CRLF records (a field is quoted when it holds `,`, `"`, CR or LF; quotes inside are
/// doubled; a record of one empty field is written `""`), so the bytes are those the earlier
/// csv-crate writer produced.
struct Sink<'a> {
    buf: Vec<u8>,
    /// GB18030 bytes of `buf`, reused from chunk to chunk.
    encoded: Vec<u8>,
    encoder: Option<encoding_rs::Encoder>,
    out: &'a mut dyn Write,
    /// Where the current record starts in `buf`, to tell an empty record from an empty field.
    record_start: usize,
    fields: usize,
}

impl<'a> Sink<'a> {
    fn new(out: &'a mut dyn Write, encoding: CsvEncoding) -> Sink<'a> {
        Sink {
            buf: Vec::with_capacity(CHUNK + 4096),
            encoded: Vec::new(),
            encoder: (encoding == CsvEncoding::Gb18030).then(|| encoding_rs::GB18030.new_encoder()),
            out,
            record_start: 0,
            fields: 0,
        }
    }

    fn separator(&mut self) {
        if self.fields > 0 {
            self.buf.push(b',');
        }
        self.fields += 1;
    }

    /// A field as it is (numbers, dates, labels): quoted only if it must be.
    fn plain(&mut self, s: &str) {
        self.field(s.as_bytes(), false);
    }

    /// A text cell from the data: also gets the formula guard.
    fn text(&mut self, s: &str) {
        self.field(s.as_bytes(), needs_formula_guard_bytes(s.as_bytes()));
    }

    fn field(&mut self, s: &[u8], guard: bool) {
        self.separator();
        let quote = s.iter().any(|&b| matches!(b, b',' | b'"' | b'\r' | b'\n'));
        if quote {
            self.buf.push(b'"');
        }
        if guard {
            self.buf.push(b'\'');
        }
        if quote {
            for part in s.split_inclusive(|&b| b == b'"') {
                self.buf.extend_from_slice(part);
                if part.last() == Some(&b'"') {
                    self.buf.push(b'"');
                }
            }
            self.buf.push(b'"');
        } else {
            self.buf.extend_from_slice(s);
        }
    }

    fn integer(&mut self, n: Option<i64>) {
        self.separator();
        if let Some(n) = n {
            // Writing into a Vec cannot fail.
            let _ = write!(self.buf, "{n}");
        }
    }

    fn end_record(&mut self) -> Result<()> {
        if self.buf.len() == self.record_start {
            self.buf.extend_from_slice(b"\"\"");
        }
        self.buf.extend_from_slice(b"\r\n");
        self.fields = 0;
        if self.buf.len() >= CHUNK {
            self.drain()?;
        }
        self.record_start = self.buf.len();
        Ok(())
    }

    fn record<'b>(&mut self, cells: impl IntoIterator<Item = &'b str>) -> Result<()> {
        for c in cells {
            self.plain(c);
        }
        self.end_record()
    }

    fn blank_line(&mut self) -> Result<()> {
        self.buf.extend_from_slice(b"\r\n");
        self.record_start = self.buf.len();
        Ok(())
    }

    /// Hands the buffered records to the file. The buffer holds whole records written from
    /// `&str`, so it is valid UTF-8 and never ends inside a character.
    fn drain(&mut self) -> Result<()> {
        let res = match &mut self.encoder {
            None => self.out.write_all(&self.buf),
            Some(encoder) => {
                let text = std::str::from_utf8(&self.buf)
                    .map_err(|e| Error::Export(format!("CSV buffer is not UTF-8: {e}")))?;
                self.encoded.clear();
                let need = encoder
                    .max_buffer_length_from_utf8_if_no_unmappables(text.len())
                    .unwrap_or(text.len() * 4 + 16);
                self.encoded.reserve(need);
                // GB18030 maps every character, so nothing is replaced and the encoder keeps no
                // state between chunks; the bytes are those of encoding each record alone.
                let (_, read, _) = encoder.encode_from_utf8_to_vec(text, &mut self.encoded, false);
                debug_assert_eq!(read, text.len());
                self.out.write_all(&self.encoded)
            }
        };
        self.buf.clear();
        self.record_start = 0;
        res.map_err(|e| Error::Export(format!("writing failed: {e}")))
    }

    fn row(&mut self, row: &ExportRow<'_>, lang: Language, flags: &mut String) -> Result<()> {
        self.integer(row.seq);
        self.text(row.region);
        self.text(row.model);
        self.text(row.company);
        self.text(row.number);
        self.plain(row.filed_on.unwrap_or(""));
        self.plain(kind_label(row.kind, lang));
        flags.clear();
        push_flags_text(flags, row.flags, lang);
        self.field(flags.as_bytes(), needs_formula_guard(flags));
        self.end_record()
    }
}

/// [`needs_formula_guard`] on the UTF-8 bytes, without decoding characters.
fn needs_formula_guard_bytes(s: &[u8]) -> bool {
    let start = s.iter().position(|&b| b != b'\'').unwrap_or(s.len());
    match &s[start..] {
        [b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r' | b'\n', ..] => true,
        // U+FF1D ＝, U+FF0B ＋, U+FF0D －, U+FF20 ＠
        [0xEF, 0xBC, 0x9D | 0x8B | 0x8D | 0xA0, ..] => true,
        _ => false,
    }
}

/// The stored flag codes in words, as [`flags_text`] writes them, appended to `out`.
pub(crate) fn push_flags_text(out: &mut String, stored: &str, lang: Language) {
    if stored.is_empty() {
        return;
    }
    let mut first = true;
    for flag in stored.split(',').filter_map(|p| Flag::parse(p.trim())) {
        if !first {
            out.push_str(lang.pick("；", "; "));
        }
        first = false;
        out.push_str(flag_label(flag, lang));
    }
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
    let mut sink = Sink::new(out, req.csv_encoding);
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
    let mut flags = String::new();
    for (i, kind) in kinds.iter().enumerate() {
        if two_tables {
            if i > 0 {
                sink.blank_line()?;
            }
            sink.record([table_title(*kind, lang)])?;
        }
        sink.record(headers(*kind, lang))?;
        let part = FilingFilter {
            kind: Some(*kind),
            ..filter.clone()
        };
        store.each_export_row(&part, req.sort, &mut |row| {
            sink.row(row, lang, &mut flags)?;
            done += 1;
            Ok(done % super::PROGRESS_EVERY != 0 || progress(done, total))
        })?;
    }
    sink.drain()?;
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
