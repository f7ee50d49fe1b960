//! Text files read as a stream of rows, for imports too big to hold as a [`SourceFile`]: a first
//! pass over the records finds the tables (and every error a whole-file read would report, in
//! the same order), a second pass hands each data row to the caller in file order with the table
//! it belongs to. The split follows [`super::table::tables_from_rows`] exactly: titles above a
//! header, single-cell notes at a table's end, a header repeated page by page as one table.

use super::header::{kind_hint_from_header, kind_hint_from_title, map_header};
use super::table::{check_size, clean_cell, is_header_map, parse_delimiter, reader, record_line};
use super::{ColumnMap, ImportError, ReadOptions, SourceRow, SourceTable};

/// What the first pass learnt: the delimiter, where each header is, and the title above the first.
pub struct TextLayout {
    pub delimiter: u8,
    /// (record index, mapping) of every header row.
    headers: Vec<(usize, ColumnMap)>,
    first_title: Option<String>,
    /// Non-blank records below the first header that are not headers: the rows to expect, give or
    /// take the notes at the end of tables.
    pub data_rows: u64,
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

/// The first pass: every record is parsed and size-checked (as a whole-file read does before it
/// looks for tables), headers are found, nothing else is kept.
pub fn scan(file: &str, text: &str, opts: &ReadOptions) -> Result<TextLayout, ImportError> {
    let delimiter = match opts.delimiter.as_deref() {
        Some(d) => parse_delimiter(d)?,
        None => super::table::detect_delimiter(text, opts),
    };
    let mut rdr = reader(text, delimiter);
    let mut record = csv::StringRecord::new();
    let mut headers = Vec::new();
    let mut last_before_header: Option<String> = None;
    let mut data_rows = 0u64;
    let mut i = 0usize;
    let (mut last_start, mut last_line) = (0usize, 0u64);
    loop {
        let more = rdr
            .read_record(&mut record)
            .map_err(|e| ImportError::Undecodable {
                file: file.into(),
                reason: e.to_string(),
            })?;
        if !more {
            break;
        }
        let line = record_line(text, record.position());
        last_line = line;
        last_start = record
            .position()
            .and_then(|p| usize::try_from(p.byte()).ok())
            .unwrap_or(0);
        check_size(file, line, record.len(), record.iter().map(str::len))?;
        let cells = cells_of(&record);
        let header = (cells.len() >= 2)
            .then(|| map_header(&cells, &opts.columns))
            .filter(is_header_map);
        match header {
            Some(map) => headers.push((i, map)),
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
    // The same refusal as a whole-file read (table.rs): a quote left open swallows the rest.
    if i > 0 {
        let tail = text.get(last_start..).unwrap_or_default();
        if let Some(column) = super::table::unclosed_quote(tail, delimiter) {
            return Err(ImportError::UnclosedQuote {
                file: file.into(),
                line: last_line,
                column: column + 1,
            });
        }
    }
    if headers.is_empty() {
        return Err(ImportError::NotATable { file: file.into() });
    }
    // Reported for the first header that lacks it, before any row is used, as a whole-file read
    // does; the header's cells are read again only in this rare case.
    if let Some((h, _)) = headers.iter().find(|(_, m)| m.number.is_none()) {
        let mut rdr = reader(text, delimiter);
        let mut k = 0;
        while rdr.read_record(&mut record).unwrap_or(false) {
            if k == *h {
                let line = record_line(text, record.position());
                return Err(ImportError::NoNumberColumn {
                    file: file.into(),
                    line,
                    found: cells_of(&record)
                        .into_iter()
                        .filter(|c| !c.is_empty())
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
            k += 1;
        }
    }
    // As in `read_source`: a header with nothing under it would only add an empty batch.
    if data_rows == 0 {
        let first = headers[0].0;
        let mut rdr = reader(text, delimiter);
        let mut k = 0;
        let mut line = 0;
        while rdr.read_record(&mut record).unwrap_or(false) {
            if k == first {
                line = record_line(text, record.position());
                break;
            }
            k += 1;
        }
        return Err(ImportError::NoRows {
            file: file.into(),
            line,
        });
    }
    Ok(TextLayout {
        delimiter,
        headers,
        first_title: last_before_header,
        data_rows,
    })
}

/// The second pass: calls `f` for each table as it begins and each of its data rows, in file order.
pub fn for_each_row<E>(
    text: &str,
    layout: &TextLayout,
    mut f: impl FnMut(TextEvent<'_>) -> Result<(), E>,
) -> Result<(), E> {
    let mut rdr = reader(text, layout.delimiter);
    let mut record = csv::StringRecord::new();
    let mut next_title = layout.first_title.clone();
    // The table rows go to, and the one before it (for the repeated-header merge).
    let mut current: Option<(usize, SourceTable)> = None;
    let mut tables = 0usize;
    // Single-cell rows at the current end of the table: notes if nothing but notes follows.
    let mut pending: Vec<SourceRow> = Vec::new();
    let mut header_k = 0usize;
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

    loop {
        let more = rdr.read_record(&mut record).unwrap_or(false);
        if !more {
            break;
        }
        let index = i;
        i += 1;
        if index < layout.headers[0].0 {
            continue;
        }
        if header_k < layout.headers.len() && index == layout.headers[header_k].0 {
            let columns = layout.headers[header_k].1.clone();
            header_k += 1;
            let header_cells = cells_of(&record);
            let header_line = record_line(text, record.position());
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
        let cells = cells_of(&record);
        if is_blank(&cells) {
            continue;
        }
        let row = SourceRow {
            line: record_line(text, record.position()),
            cells,
        };
        let note_like =
            matches!(only_cell(&row.cells), Some((col, _)) if Some(col) != ctx.columns.number);
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
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::table::read_text;

    /// The tables and rows a stream yields, in the shape a whole-file read gives them.
    fn streamed(text: &str) -> Result<Vec<SourceTable>, ImportError> {
        let layout = scan("t.csv", text, &ReadOptions::default())?;
        let mut tables: Vec<SourceTable> = Vec::new();
        for_each_row(text, &layout, |e| -> Result<(), ImportError> {
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

    #[test]
    fn streams_the_tables_a_whole_file_read_finds() {
        let cases = [
            format!("{H}\n{R1}\n{R2}\n"),
            format!("附件1：生成式人工智能服务已备案信息\n\n{H}\r\n{R1}\r\n\r\n{R2}\r\n注：按备案时间排序\n"),
            format!("{H}\n{R1}\n已登记信息\n{H}\n{R2}\n,,,,,\n说明,,,,,\n"),
            format!("{H}\n{R1}\n{H}\n{R2}\n"),
            format!("{H}\n{R1}\n注一\n{R2}\n注二\n,注三\n"),
            format!("{H}\n{R1}\n,,,,Beijing-X-20230821,\n注\n"),
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
