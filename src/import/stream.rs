//! Text files read as a stream of rows, for imports too big to hold as a [`SourceFile`]: the file
//! is decoded while it is read ([`DecodeReader`]), never held whole, neither as bytes nor as text.
//! A first pass over the records finds the tables (and every error a whole-file read would
//! report, in the same order) and computes the file's SHA-256; a second pass hands each data row
//! to the caller in file order with the table it belongs to. The split follows
//! [`super::table::tables_from_rows`] exactly: titles above a header, single-cell notes at a
//! table's end, a header repeated page by page as one table.

use super::decode::{detect, DecodeReader, TextEncoding};
use super::header::{kind_hint_from_header, kind_hint_from_title, map_header};
use super::table::{
    check_size, clean_cell, is_header_map, parse_delimiter, record_line, two_row_header,
};
use super::{ColumnMap, ImportError, ReadOptions, SourceRow, SourceTable};
use std::collections::HashMap;
use std::io::Read;

type Opener<'a> = Box<dyn Fn() -> std::io::Result<Box<dyn Read + 'a>> + 'a>;

/// A text file that can be read from its start as often as needed (detection, then two passes).
pub struct TextSource<'a> {
    file: String,
    encoding: TextEncoding,
    /// The encoding was named by the person, not detected.
    forced: bool,
    open: Opener<'a>,
}

impl<'a> TextSource<'a> {
    /// A file read afresh by `open` each time. `head` is its start: all of it when `whole`, else
    /// at least [`super::decode::DETECT_BYTES`], which is what the encoding is judged on.
    pub fn new(
        file: &str,
        head: &[u8],
        whole: bool,
        forced_encoding: Option<&str>,
        open: Opener<'a>,
    ) -> Result<TextSource<'a>, ImportError> {
        if head.is_empty() {
            return Err(ImportError::Empty { file: file.into() });
        }
        Ok(TextSource {
            file: file.to_string(),
            encoding: detect(file, head, whole, forced_encoding)?,
            forced: forced_encoding.is_some(),
            open,
        })
    }

    /// A file held in memory.
    pub fn from_bytes(
        file: &str,
        bytes: &'a [u8],
        forced_encoding: Option<&str>,
    ) -> Result<TextSource<'a>, ImportError> {
        TextSource::new(
            file,
            bytes,
            true,
            forced_encoding,
            Box::new(move || Ok(Box::new(bytes) as Box<dyn Read + 'a>)),
        )
    }

    /// What the bytes are read as (`UTF-8`, `GB18030`, ...).
    pub fn encoding(&self) -> &str {
        &self.encoding.label
    }

    pub fn file(&self) -> &str {
        &self.file
    }

    fn decoder(&self) -> Result<DecodeReader<Box<dyn Read + 'a>>, ImportError> {
        let inner = (self.open)().map_err(|e| ImportError::Read {
            file: self.file.clone(),
            reason: e.to_string(),
        })?;
        Ok(DecodeReader::new(&self.file, inner, &self.encoding))
    }
}

/// The records of a decoded text, each with its line, size-checked; at the end, the checks on the
/// whole text and the unclosed-quote check. Errors come in the order a whole-file read gives them:
/// a malformed byte anywhere in the file before any complaint about a row.
pub(crate) struct Records<R: Read> {
    file: String,
    delimiter: u8,
    rdr: csv::Reader<DecodeReader<R>>,
    record: csv::StringRecord,
    /// Text offset and line of the record last read.
    last: Option<(u64, u64)>,
}

impl<R: Read> Records<R> {
    pub(crate) fn new(file: &str, mut text: DecodeReader<R>, delimiter: u8) -> Records<R> {
        text.keep_from(0);
        Records {
            file: file.to_string(),
            delimiter,
            rdr: csv_reader(text, delimiter),
            record: csv::StringRecord::new(),
            last: None,
        }
    }

    pub(crate) fn record(&self) -> &csv::StringRecord {
        &self.record
    }

    pub(crate) fn text(&self) -> &DecodeReader<R> {
        self.rdr.get_ref()
    }

    /// Reads the next record; returns its line, or `None` at the end of the file.
    pub(crate) fn next(&mut self) -> Result<Option<u64>, ImportError> {
        if let Some((start, _)) = self.last {
            // The record before stays until the next one is read: at the end, an unclosed quote
            // in the last record is looked for in its text.
            self.rdr.get_mut().keep_from(start);
        }
        let more = match self.rdr.read_record(&mut self.record) {
            Ok(more) => more,
            Err(e) => {
                let text = self.rdr.get_mut();
                return Err(if text.failed() {
                    text.take_failure()
                } else {
                    ImportError::Undecodable {
                        file: self.file.clone(),
                        reason: e.to_string(),
                    }
                });
            }
        };
        if !more {
            self.rdr.get_ref().finish()?;
            // A quote left open takes the rest of the file into one cell: the lines after it
            // would vanish into a rejected row (or, with --keep-going, silently). Only the last
            // record can be affected.
            if let Some((start, line)) = self.last {
                let tail = std::str::from_utf8(self.rdr.get_ref().kept(start)).unwrap_or_default();
                if let Some(column) = super::table::unclosed_quote(tail, self.delimiter) {
                    return Err(ImportError::UnclosedQuote {
                        file: self.file.clone(),
                        line,
                        column: column + 1,
                    });
                }
            }
            return Ok(None);
        }
        let pos = self.record.position().cloned();
        let start = pos.as_ref().map_or(0, csv::Position::byte);
        let line = record_line(self.rdr.get_ref().kept(start), pos.as_ref());
        self.last = Some((start, line));
        if let Err(e) = check_size(
            &self.file,
            line,
            self.record.len(),
            self.record.iter().map(str::len),
        ) {
            return Err(self.fail(e));
        }
        Ok(Some(line))
    }

    /// A complaint about the text yields to an error that the rest of the file holds.
    pub(crate) fn fail(&mut self, e: ImportError) -> ImportError {
        match self.rdr.get_mut().drain() {
            Err(first) => first,
            Ok(()) => e,
        }
    }
}

pub(crate) fn csv_reader<R: Read>(text: R, delimiter: u8) -> csv::Reader<R> {
    csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .buffer_capacity(64 * 1024)
        .from_reader(text)
}

/// What the first pass learnt: the delimiter, where each header is, and the title above the first.
pub struct TextLayout {
    pub delimiter: u8,
    /// (record index, mapping) of every header row.
    headers: Vec<(usize, ColumnMap)>,
    /// The headers over two rows (see `two_row_header`), by the index of their upper record:
    /// the header read from both. The lower record is no row of data.
    two_rows: HashMap<usize, Vec<String>>,
    first_title: Option<String>,
    /// Non-blank records below the first header that are not headers: the rows to expect, give or
    /// take the notes at the end of tables.
    pub data_rows: u64,
    /// The SHA-256 of the file's bytes, in hex.
    pub sha256: String,
    /// The file's size in bytes.
    pub size: u64,
}

/// One step of the second pass.
pub enum TextEvent<'a> {
    /// A table begins; its rows follow. `merged_into` is set when this header repeats the one
    /// before (a PDF converted page by page) and its rows continue that table.
    Table {
        index: usize,
        context: &'a SourceTable,
        merged: bool,
    },
    Row {
        table: usize,
        context: &'a SourceTable,
        row: SourceRow,
    },
}

fn cells_of(record: &csv::StringRecord) -> Vec<String> {
    record.iter().map(clean_cell).collect()
}

fn is_blank(cells: &[String]) -> bool {
    cells.iter().all(String::is_empty)
}

fn only_cell(cells: &[String]) -> Option<(usize, &str)> {
    let mut it = cells.iter().enumerate().filter(|(_, c)| !c.is_empty());
    match (it.next(), it.next()) {
        (Some((i, c)), None) => Some((i, c.as_str())),
        _ => None,
    }
}

fn title_text(cells: &[String]) -> String {
    cells
        .iter()
        .filter(|c| !c.is_empty())
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The delimiter forced or found: detection reads the top of the file afresh for each candidate,
/// and the whole file only when no header shows up there.
fn delimiter_of(source: &TextSource, opts: &ReadOptions) -> Result<u8, ImportError> {
    match opts.delimiter.as_deref() {
        Some(d) => parse_delimiter(d),
        None => Ok(super::table::detect_delimiter_with(opts, |d| {
            source.decoder().ok().map(|text| csv_reader(text, d))
        })),
    }
}

/// The first pass: every record is parsed and size-checked (as a whole-file read does before it
/// looks for tables), headers are found, the file is hashed; nothing else is kept.
pub fn scan(source: &TextSource, opts: &ReadOptions) -> Result<TextLayout, ImportError> {
    let file = source.file();
    let delimiter = delimiter_of(source, opts)?;
    let mut records = Records::new(file, source.decoder()?.with_sha256(), delimiter);
    let mut headers: Vec<(usize, ColumnMap)> = Vec::new();
    // The line of the first header, and the first header that lacks a number column.
    let mut first_header_line = 0u64;
    let mut no_number: Option<(u64, Vec<String>)> = None;
    let mut last_before_header: Option<String> = None;
    let mut data_rows = 0u64;
    let mut two_rows = HashMap::new();
    // The record before, when it was a header without a number column: the lower half of a
    // header over two rows may follow (see `two_row_header`).
    let mut upper: Option<(usize, Vec<String>, bool)> = None;
    let mut i = 0usize;
    while let Some(line) = records.next()? {
        let cells = cells_of(records.record());
        if let Some((at, above, reported)) = upper.take() {
            if let Some((both, map)) = two_row_header(&above, &cells, opts) {
                if reported {
                    no_number = None;
                }
                if let Some(last) = headers.last_mut() {
                    last.1 = map;
                }
                two_rows.insert(at, both);
                i += 1;
                continue;
            }
        }
        let header = (cells.len() >= 2)
            .then(|| map_header(&cells, &opts.columns))
            .filter(is_header_map);
        match header {
            Some(map) => {
                if headers.is_empty() {
                    first_header_line = line;
                }
                if map.number.is_none() {
                    let first = no_number.is_none();
                    if first {
                        no_number = Some((line, cells.clone()));
                    }
                    upper = Some((i, cells, first));
                }
                headers.push((i, map));
            }
            None if headers.is_empty() => {
                if !is_blank(&cells) {
                    last_before_header = Some(title_text(&cells));
                }
            }
            None => {
                if !is_blank(&cells) {
                    data_rows += 1;
                }
            }
        }
        i += 1;
    }
    if headers.is_empty() {
        return Err(ImportError::NotATable { file: file.into() }
            .in_forced_encoding(source.forced, source.encoding()));
    }
    // Reported for the first header that lacks it, before any row is used, as a whole-file read
    // does.
    if let Some((line, cells)) = no_number {
        return Err(ImportError::NoNumberColumn {
            file: file.into(),
            line,
            found: cells
                .into_iter()
                .filter(|c| !c.is_empty())
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    // As in `read_source`: a header with nothing under it would only add an empty batch.
    if data_rows == 0 {
        return Err(ImportError::NoRows {
            file: file.into(),
            line: first_header_line,
        });
    }
    Ok(TextLayout {
        delimiter,
        headers,
        two_rows,
        first_title: last_before_header,
        data_rows,
        sha256: records.text().sha256().unwrap_or_default(),
        size: records.text().raw_len(),
    })
}

/// The second pass: calls `f` for each table as it begins and each of its data rows, in file
/// order. The file is read again; if its bytes are no longer those the first pass hashed, the
/// pass ends with an error (the caller's writes must then be rolled back).
pub fn for_each_row<E: From<ImportError>>(
    source: &TextSource,
    layout: &TextLayout,
    mut f: impl FnMut(TextEvent<'_>) -> Result<(), E>,
) -> Result<(), E> {
    let mut records = Records::new(
        source.file(),
        source.decoder()?.with_sha256(),
        layout.delimiter,
    );
    let mut next_title = layout.first_title.clone();
    // The table rows go to, and the one before it (for the repeated-header merge).
    let mut current: Option<(usize, SourceTable)> = None;
    let mut tables = 0usize;
    // Single-cell rows at the current end of the table: notes if nothing but notes follows.
    let mut pending: Vec<SourceRow> = Vec::new();
    let mut header_k = 0usize;
    // The lower record of a header over two rows, read with the upper one.
    let mut skip: Option<usize> = None;
    let mut i = 0usize;

    // Ends the current table at a header (`at_header`) or at the end of the file: the notes
    // waiting at its end are dropped, and the last one in the first column titles the next table.
    let close = |pending: &mut Vec<SourceRow>, at_header: bool| {
        let title = pending
            .iter()
            .rev()
            .filter_map(|r| only_cell(&r.cells))
            .find(|(col, _)| at_header && *col == 0)
            .map(|(_, text)| text.to_string());
        pending.clear();
        title
    };

    while let Some(line) = records.next()? {
        let index = i;
        i += 1;
        if index < layout.headers[0].0 {
            continue;
        }
        if skip == Some(index) {
            continue;
        }
        if header_k < layout.headers.len() && index == layout.headers[header_k].0 {
            let columns = layout.headers[header_k].1.clone();
            header_k += 1;
            let header_cells = match layout.two_rows.get(&index) {
                Some(both) => {
                    skip = Some(index + 1);
                    both.clone()
                }
                None => cells_of(records.record()),
            };
            let header_line = line;
            if current.is_some() {
                next_title = close(&mut pending, true);
            }
            let title = next_title.take();
            let kind = title
                .as_deref()
                .and_then(kind_hint_from_title)
                .or_else(|| kind_hint_from_header(&header_cells));
            let merges = match &current {
                Some((_, prev)) => {
                    title.is_none() && prev.header == header_cells && prev.columns == columns
                }
                None => false,
            };
            if merges {
                if let Some((idx, ctx)) = &current {
                    f(TextEvent::Table {
                        index: *idx,
                        context: ctx,
                        merged: true,
                    })?;
                }
                continue;
            }
            let ctx = SourceTable {
                sheet: None,
                title,
                kind,
                header_line,
                header: header_cells,
                columns,
                rows: Vec::new(),
            };
            let idx = tables;
            tables += 1;
            current = Some((idx, ctx));
            if let Some((idx, ctx)) = &current {
                f(TextEvent::Table {
                    index: *idx,
                    context: ctx,
                    merged: false,
                })?;
            }
            continue;
        }
        let Some((t_idx, ctx)) = &current else {
            continue;
        };
        let cells = cells_of(records.record());
        if is_blank(&cells) {
            continue;
        }
        let row = SourceRow { line, cells };
        let note_like = match only_cell(&row.cells) {
            Some((col, text)) => Some(col) != ctx.columns.number || super::table::is_note(text),
            None => false,
        };
        if note_like {
            pending.push(row);
            continue;
        }
        for p in pending.drain(..) {
            f(TextEvent::Row {
                table: *t_idx,
                context: ctx,
                row: p,
            })?;
        }
        f(TextEvent::Row {
            table: *t_idx,
            context: ctx,
            row,
        })?;
    }
    if records.text().sha256().as_deref() != Some(layout.sha256.as_str()) {
        return Err(ImportError::Read {
            file: source.file().into(),
            reason: "it changed while it was being imported; nothing was written. Import it \
                     again once it is saved"
                .into(),
        }
        .into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::table::read_text;

    /// The tables and rows a stream yields, in the shape a whole-file read gives them.
    fn streamed(text: &str) -> Result<Vec<SourceTable>, ImportError> {
        let source = TextSource::from_bytes("t.csv", text.as_bytes(), None)?;
        let layout = scan(&source, &ReadOptions::default())?;
        let mut tables: Vec<SourceTable> = Vec::new();
        for_each_row(&source, &layout, |e| -> Result<(), ImportError> {
            match e {
                TextEvent::Table {
                    index,
                    context,
                    merged,
                } => {
                    if merged {
                        assert!(index < tables.len());
                    } else {
                        assert_eq!(index, tables.len());
                        tables.push(context.clone());
                    }
                }
                TextEvent::Row { table, row, .. } => tables[table].rows.push(row),
            }
            Ok(())
        })?;
        Ok(tables)
    }

    fn same_as_whole_file(text: &str) {
        let whole = read_text("t.csv", text, "UTF-8".into(), &ReadOptions::default());
        match (whole, streamed(text)) {
            (Ok(w), Ok(s)) => {
                assert_eq!(w.tables.len(), s.len(), "{text}");
                for (a, b) in w.tables.iter().zip(&s) {
                    assert_eq!(a.title, b.title, "{text}");
                    assert_eq!(a.kind, b.kind, "{text}");
                    assert_eq!(a.header_line, b.header_line, "{text}");
                    assert_eq!(a.header, b.header, "{text}");
                    assert_eq!(a.columns, b.columns, "{text}");
                    assert_eq!(a.rows, b.rows, "{text}");
                }
            }
            (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{text}"),
            (w, s) => panic!("{text}\nwhole: {w:?}\nstream: {s:?}"),
        }
    }

    const H: &str = "序号,属地,模型名称,备案单位,备案号,备案时间";
    const R1: &str =
        "1,北京市,文心一言,北京百度网讯科技有限公司,Beijing-WenXinYiYan-20230821,2023/8/31";
    const R2: &str = "2,上海市,书生,上海人工智能实验室,Shanghai-ShuSheng-20230821,2023/8/31";

    /// Rows far past the decoder's first blocks keep their own first line, across blank lines
    /// (CRLF and LF) and quoted cells that span lines; the row's 序号 is the line it starts on.
    #[test]
    fn lines_stay_right_across_blocks() {
        let mut text = format!("{H}\n");
        let mut line = 2u64;
        for i in 0..6000u64 {
            let blank = ["", "\n", "\r\n\r\n", "\r\n"][(i % 4) as usize];
            text.push_str(blank);
            line += blank.matches('\n').count() as u64;
            let model = if i % 7 == 0 {
                "\"多行\r\n模型\n名称\""
            } else {
                "模型"
            };
            text.push_str(&format!(
                "{line},北京市,{model},公司{i},Beijing-M{i}-20230821,2023/8/31\n"
            ));
            line += 1 + model.matches('\n').count() as u64;
        }
        assert!(text.len() > 6 * 64 * 1024, "{}", text.len());
        let tables = streamed(&text).unwrap();
        assert_eq!(tables[0].rows.len(), 6000);
        for r in &tables[0].rows {
            assert_eq!(r.cells[0], r.line.to_string());
        }
        same_as_whole_file(&text);
    }

    /// A file saved again between the two passes is not imported under the first pass's hash.
    #[test]
    fn a_file_that_changes_between_the_passes_is_refused() {
        let first = format!("{H}\n{R1}\n{R2}\n");
        let second = format!("{H}\n{R2}\n{R1}\n");
        let reads = std::cell::Cell::new(0);
        let source = TextSource::new(
            "t.csv",
            first.as_bytes(),
            true,
            None,
            Box::new(|| {
                reads.set(reads.get() + 1);
                // Detection reads the top three times, the first pass once more.
                let text = if reads.get() <= 4 { &first } else { &second };
                Ok(Box::new(text.as_bytes()) as Box<dyn Read>)
            }),
        )
        .unwrap();
        let layout = scan(&source, &ReadOptions::default()).unwrap();
        assert_eq!(reads.get(), 4);
        assert_eq!(
            layout.sha256,
            crate::import::plan::sha256_hex(first.as_bytes())
        );
        let mut rows = 0;
        let e = for_each_row(&source, &layout, |e| -> Result<(), ImportError> {
            rows += usize::from(matches!(e, TextEvent::Row { .. }));
            Ok(())
        })
        .unwrap_err();
        assert_eq!(rows, 2);
        assert_eq!(e.code(), "file_unreadable");
        assert!(e.to_string().contains("changed while"), "{e}");
    }

    #[test]
    fn streams_the_tables_a_whole_file_read_finds() {
        let cases = [
            format!("{H}\n{R1}\n{R2}\n"),
            format!("附件1：生成式人工智能服务已备案信息\n\n{H}\r\n{R1}\r\n\r\n{R2}\r\n注：按备案时间排序\n"),
            format!("{H}\n{R1}\n已登记信息\n{H}\n{R2}\n,,,,,\n说明,,,,,\n"),
            format!("{H}\n{R1}\n{H}\n{R2}\n"),
            format!("{H}\n{R1}\n注一\n{R2}\n注二\n,注三\n"),
            format!("{H}\n{R1}\n,,,,Beijing-X-20230821,\n注\n"),
            format!("{H}\n{R1}\n,,,,注：备案号按属地排序,\n{R2}\n,,,,数据来源：网信办,\n"),
            // Headers over two rows, one after a title, one with nothing under its number.
            format!("序号,属地,模型名称,备案单位,备案信息,\n,,,,备案号,备案时间\n{R1}\n{R2}\n"),
            format!("标题\n序号,属地,模型名称,备案单位,备案信息,\n,,,,备案号,上线时间\n{R1}\n已登记\n{H}\n{R2}\n"),
            format!("序号,属地,模型名称,备案单位,备案信息,\n{R1}\n"),
            format!("{H}\n{R1}\n序号,属地,模型名称,备案单位,登记信息,\n,,,,登记编号,登记时间\n{R2}\n"),
            format!("标题\n说明,见下\n{H}\n{R1}\n第二部分\n,另一注\n序号,属地,模型名称,备案单位,登记编号,登记时间\n{R2}\n"),
            "no,table,here\n1,2,3\n".to_string(),
            "序号,属地,模型名称,备案单位\n1,北京市,a,b\n".to_string(),
            format!("{H}\n1,北京市,\"a\nb\",c,Beijing-X-20230821,2023/8/31\n{R2}\n"),
            format!("{H}\t\n{R1}\n"),
        ];
        for text in &cases {
            same_as_whole_file(text);
        }
    }
}
