//! Splitting text into tables: delimiter, title lines, one or more header rows, data rows and
//! trailing notes. Shared with spreadsheets through [`tables_from_rows`].

use super::header::{kind_hint_from_header, kind_hint_from_title, map_header, mapped_count};
use super::{ColumnMap, Field, ImportError, ReadOptions, SourceFile, SourceRow, SourceTable};

/// No CAC table has more than a handful of columns; thousands means a binary or a broken export.
pub const MAX_COLUMNS: usize = 1000;
/// The longest real cell is a company name; a megabyte is a runaway quote, not a value.
pub const MAX_CELL_BYTES: usize = 1 << 20;
/// Detection reads only the top of the file: the header sits under at most a few title lines.
const DETECT_RECORDS: usize = 200;

const CANDIDATES: [u8; 3] = [b',', b'\t', b';'];

pub fn read_text(
    file: &str,
    text: &str,
    encoding_label: String,
    opts: &ReadOptions,
) -> Result<SourceFile, ImportError> {
    let delimiter = match opts.delimiter.as_deref() {
        Some(d) => parse_delimiter(d)?,
        None => detect_delimiter(text, opts),
    };
    let rows = read_rows(file, text, delimiter)?;
    let tables = tables_from_rows(file, rows, None, opts)?;
    Ok(SourceFile {
        encoding: encoding_label,
        delimiter: Some((delimiter as char).to_string()),
        tables,
    })
}

pub(crate) fn parse_delimiter(d: &str) -> Result<u8, ImportError> {
    match d {
        "," => Ok(b','),
        ";" => Ok(b';'),
        "\t" | "\\t" => Ok(b'\t'),
        _ => match d.trim().to_ascii_lowercase().as_str() {
            "tab" => Ok(b'\t'),
            "comma" => Ok(b','),
            "semicolon" => Ok(b';'),
            _ => Err(ImportError::UnknownDelimiter(d.to_string())),
        },
    }
}

pub(crate) fn reader(text: &str, delimiter: u8) -> csv::Reader<&[u8]> {
    super::stream::csv_reader(text.as_bytes(), delimiter)
}

/// Picks the delimiter whose parse shows the best header; ties go to the one with the most
/// consistent field counts, then to the comma (the common case).
pub(crate) fn detect_delimiter(text: &str, opts: &ReadOptions) -> u8 {
    detect_delimiter_with(opts, |d| Some(reader(text, d)))
}

/// [`detect_delimiter`] over a text that `open` reads from its start with a given delimiter (a
/// streamed file is read afresh for each candidate).
pub(crate) fn detect_delimiter_with<R: std::io::Read>(
    opts: &ReadOptions,
    open: impl Fn(u8) -> Option<csv::Reader<R>>,
) -> u8 {
    let score = |delim: u8, limit: usize| -> (usize, usize) {
        let mut best_header = 0;
        let mut counts: std::collections::HashMap<usize, usize> = Default::default();
        let mut record = csv::StringRecord::new();
        let Some(mut rdr) = open(delim) else {
            return (0, 0);
        };
        let mut n = 0;
        while n < limit {
            match rdr.read_record(&mut record) {
                Ok(true) => {}
                // A malformed byte (reported by the read that follows) or the end.
                _ => break,
            }
            n += 1;
            if record.len() > MAX_COLUMNS {
                break;
            }
            let cells: Vec<String> = record.iter().map(clean_cell).collect();
            if cells.iter().all(String::is_empty) {
                continue;
            }
            let map = map_header(&cells, &opts.columns);
            if is_header_map(&map) {
                best_header = best_header.max(mapped_count(&map));
            }
            *counts.entry(record.len()).or_default() += 1;
        }
        let consistent = counts.values().copied().max().unwrap_or(0);
        (best_header, consistent)
    };
    let pick = |limit: usize| {
        let scored: Vec<(u8, (usize, usize))> =
            CANDIDATES.iter().map(|&d| (d, score(d, limit))).collect();
        // max_by_key keeps the last maximum; iterate reversed so the comma wins ties.
        scored
            .into_iter()
            .rev()
            .max_by_key(|(_, s)| *s)
            .filter(|(_, (h, _))| *h > 0)
            .map(|(d, _)| d)
    };
    // A header hidden under a long preamble is rare, so the full scan only runs when needed.
    pick(DETECT_RECORDS)
        .or_else(|| pick(usize::MAX))
        .unwrap_or(b',')
}

fn read_rows(file: &str, text: &str, delimiter: u8) -> Result<Vec<SourceRow>, ImportError> {
    // The text is decoded already; reading it as UTF-8 shares the streamed import's record reader.
    let utf8 = super::decode::TextEncoding {
        encoding: encoding_rs::UTF_8,
        bom_len: 0,
        label: "UTF-8".into(),
    };
    let decoded = super::decode::DecodeReader::new(file, text.as_bytes(), &utf8);
    let mut records = super::stream::Records::new(file, decoded, delimiter);
    let mut rows = Vec::new();
    while let Some(line) = records.next()? {
        rows.push(SourceRow {
            line,
            cells: records.record().iter().map(clean_cell).collect(),
        });
    }
    Ok(rows)
}

/// The 0-based field in which a quote opens and the text ends before it closes, read with the csv
/// crate's rules (a quote starts quoting only as a field's first byte; `""` inside is a quote).
pub(super) fn unclosed_quote(record: &str, delimiter: u8) -> Option<usize> {
    let bytes = record.trim_start_matches(['\r', '\n']).as_bytes();
    let (mut field, mut at_start, mut quoted) = (0usize, true, false);
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if quoted {
            if b == b'"' {
                if bytes.get(i + 1) == Some(&b'"') {
                    i += 1;
                } else {
                    quoted = false;
                }
            }
        } else if b == delimiter {
            field += 1;
            at_start = true;
            i += 1;
            continue;
        } else if b == b'\n' || b == b'\r' {
            return None;
        } else if at_start && b == b'"' {
            quoted = true;
        }
        at_start = false;
        i += 1;
    }
    quoted.then_some(field)
}

/// The csv crate stamps a record with the position where the reader stood before it, which is
/// before any blank lines it skipped; counting those newlines in `text`, the text from that
/// position on, gives the record's own first line.
pub(crate) fn record_line(text: &[u8], pos: Option<&csv::Position>) -> u64 {
    let Some(pos) = pos else { return 0 };
    let skipped = text
        .iter()
        .take_while(|&&b| b == b'\n' || b == b'\r')
        .filter(|&&b| b == b'\n')
        .count();
    pos.line() + skipped as u64
}

/// Refuses rows no CAC table has, naming the line, so a binary or broken file fails fast.
pub(crate) fn check_size(
    file: &str,
    line: u64,
    columns: usize,
    mut cell_lens: impl Iterator<Item = usize>,
) -> Result<(), ImportError> {
    if columns > MAX_COLUMNS {
        return Err(ImportError::TooLarge {
            file: file.into(),
            reason: format!(
                "line {line} has {columns} columns (at most {MAX_COLUMNS} are read); \
                 is the delimiter right, and is this a CAC table?"
            ),
        });
    }
    if let Some(len) = cell_lens.find(|&l| l > MAX_CELL_BYTES) {
        return Err(ImportError::TooLarge {
            file: file.into(),
            reason: format!(
                "line {line} has a cell of {len} bytes (at most {MAX_CELL_BYTES}); no filing \
                 has a value that long: is a quote left open, or is this not a CAC table?"
            ),
        });
    }
    Ok(())
}

/// Trims whitespace (including U+3000 and NBSP, which `char::is_whitespace` covers) and
/// invisible characters at the edges; inner ones are part of the published value.
pub(crate) fn clean_cell(s: &str) -> String {
    s.trim_matches(|c: char| c.is_whitespace() || super::decode::is_invisible(c))
        .to_string()
}

fn is_blank(row: &SourceRow) -> bool {
    row.cells.iter().all(String::is_empty)
}

/// A header maps three fields, or two when one is the number (a minimal `number, date` file).
pub(crate) fn is_header_map(map: &ColumnMap) -> bool {
    let n = mapped_count(map);
    n >= 3 || (n >= 2 && map.number.is_some())
}

/// A header over two rows: `upper` names some fields but not the filing number, which
/// `lower` names under a heading merged across its columns (`备案信息` over `备案号` and
/// `备案时间`). Returns the header read column by column (the lower cell where it has one,
/// else the upper) and its map, when that names the filing number.
pub(crate) fn two_row_header(
    upper: &[String],
    lower: &[String],
    opts: &ReadOptions,
) -> Option<(Vec<String>, ColumnMap)> {
    if lower.iter().all(String::is_empty) {
        return None;
    }
    let cells: Vec<String> = (0..upper.len().max(lower.len()))
        .map(|i| match lower.get(i).filter(|c| !c.is_empty()) {
            Some(c) => c.clone(),
            None => upper.get(i).cloned().unwrap_or_default(),
        })
        .collect();
    let map = map_header(&cells, &opts.columns);
    (map.number.is_some() && is_header_map(&map)).then_some((cells, map))
}

/// The single non-empty cell of a row, with its column.
fn only_cell(row: &SourceRow) -> Option<(usize, &str)> {
    let mut it = row.cells.iter().enumerate().filter(|(_, c)| !c.is_empty());
    match (it.next(), it.next()) {
        (Some((i, c)), None) => Some((i, c.as_str())),
        _ => None,
    }
}

/// Splits rows (as read from text or a sheet) into tables. Every header row starts a table; rows
/// above the first header are titles and notes; single-cell rows at the end of a table are notes
/// or, right before the next header, that table's title.
pub fn tables_from_rows(
    file: &str,
    rows: Vec<SourceRow>,
    sheet: Option<String>,
    opts: &ReadOptions,
) -> Result<Vec<SourceTable>, ImportError> {
    let mut rows = rows;
    let mut headers: Vec<(usize, ColumnMap)> = Vec::new();
    let mut i = 0;
    while i < rows.len() {
        let row = &rows[i];
        if row.cells.len() >= 2 {
            let mut map = map_header(&row.cells, &opts.columns);
            if is_header_map(&map) {
                if map.number.is_none() {
                    if let Some((cells, both)) = rows
                        .get(i + 1)
                        .and_then(|lower| two_row_header(&row.cells, &lower.cells, opts))
                    {
                        // One header: the lower row is part of it, not a row of data.
                        rows[i].cells = cells;
                        rows[i + 1].cells.clear();
                        map = both;
                    }
                }
                headers.push((i, map));
            }
        }
        i += 1;
    }
    if headers.is_empty() {
        return Err(ImportError::NotATable { file: file.into() });
    }
    for (i, map) in &headers {
        if map.get(Field::Number).is_none() {
            let header = &rows[*i];
            return Err(ImportError::NoNumberColumn {
                file: file.into(),
                line: header.line,
                found: header
                    .cells
                    .iter()
                    .filter(|c| !c.is_empty())
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
    }

    let first_title = rows[..headers[0].0]
        .iter()
        .rev()
        .find(|r| !is_blank(r))
        .map(title_text);

    let header_idx: Vec<usize> = headers.iter().map(|(i, _)| *i).collect();
    let mut tables: Vec<SourceTable> = Vec::with_capacity(headers.len());
    let mut next_title = first_title;
    let mut rows = rows.into_iter().enumerate().peekable();
    for (k, (h, columns)) in headers.into_iter().enumerate() {
        let end = header_idx.get(k + 1).copied();
        // Skip past everything up to and including this header (titles were handled already).
        let mut header_row = None;
        for (i, row) in rows.by_ref() {
            if i == h {
                header_row = Some(row);
                break;
            }
        }
        let Some(header_row) = header_row else {
            break;
        };
        let mut data: Vec<SourceRow> = Vec::new();
        while let Some((i, _)) = rows.peek() {
            if end.is_some_and(|e| *i >= e) {
                break;
            }
            if let Some((_, row)) = rows.next() {
                if !is_blank(&row) {
                    data.push(row);
                }
            }
        }
        let number_col = columns.number;
        let mut tail_title = None;
        while let Some(last) = data.last() {
            match only_cell(last) {
                Some((col, text)) if Some(col) != number_col || is_note(text) => {
                    if tail_title.is_none() && end.is_some() && col == 0 {
                        tail_title = Some(text.to_string());
                    }
                    data.pop();
                }
                _ => break,
            }
        }
        let title = next_title.take();
        let kind = title
            .as_deref()
            .and_then(kind_hint_from_title)
            .or_else(|| kind_hint_from_header(&header_row.cells));
        // A PDF converted page by page repeats the header on every page with no title between:
        // that is one table, not many.
        if let Some(prev) = tables.last_mut() {
            if title.is_none() && prev.header == header_row.cells && prev.columns == columns {
                prev.rows.extend(data);
                next_title = tail_title;
                continue;
            }
        }
        tables.push(SourceTable {
            sheet: sheet.clone(),
            title,
            kind,
            header_line: header_row.line,
            header: header_row.cells,
            columns,
            rows: data,
        });
        next_title = tail_title;
    }
    Ok(tables)
}

/// Whether a cell reads as a note under a table (`注：按备案时间排序`, `数据来源：…`,
/// `* …`), not as a filing number: a note merged across the table may land in any column,
/// the number's among them, and a row holding only a number is a row with its other cells
/// missing, which must be reported rather than dropped.
pub(super) fn is_note(text: &str) -> bool {
    const MARKERS: [&str; 10] = [
        "注",
        "备注",
        "说明",
        "数据来源",
        "资料来源",
        "来源",
        "*",
        "※",
        "note",
        "source",
    ];
    let lower = text.trim_start().to_lowercase();
    MARKERS.iter().any(|m| lower.starts_with(m))
}

fn title_text(row: &SourceRow) -> String {
    row.cells
        .iter()
        .filter(|c| !c.is_empty())
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filing::Kind;
    use crate::import::ColumnOverride;

    fn read(text: &str) -> Result<SourceFile, ImportError> {
        read_text("t.csv", text, "UTF-8".into(), &ReadOptions::default())
    }

    const HEADER: &str = "序号,属地,模型名称,备案单位,备案编号,备案时间";

    #[test]
    fn title_header_rows_and_notes() {
        let text = format!(
            "附件1：生成式人工智能服务已备案信息,,,,,\n\n{HEADER}\n\
             1,北京市,文心一言,北京百度网讯科技有限公司,Beijing-WenXinYiYan-20230821,2023/8/31\n\
             ,,,,,\n\
             2,\u{3000}北京市\u{a0},\"智谱\n清言\",北京智谱华章科技有限公司,Beijing-ChatGLM-20230821,2023/8/31\n\
             3,上海市,x,y,Shanghai-X-20230821,2023/8/31\n\
             注：本表按备案时间排序,,,,,\n\
             数据来源：国家互联网信息办公室\n"
        );
        let f = read(&text).unwrap();
        assert_eq!(f.delimiter.as_deref(), Some(","));
        assert_eq!(f.tables.len(), 1);
        let t = &f.tables[0];
        assert_eq!(
            t.title.as_deref(),
            Some("附件1：生成式人工智能服务已备案信息")
        );
        assert_eq!(t.kind, Some(Kind::Filed));
        assert_eq!(t.header_line, 3);
        assert_eq!(t.columns.number, Some(4));
        let lines: Vec<u64> = t.rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, vec![4, 6, 8]);
        assert_eq!(t.rows[1].cells[1], "北京市");
        assert_eq!(t.rows[1].cells[2], "智谱\n清言");
    }

    #[test]
    fn a_header_over_two_rows_is_one_header() {
        let text = "附件：已备案信息\n\
             序号,属地,模型名称,备案单位,备案信息,\n\
             ,,,,备案号,备案时间\n\
             1,北京市,文心一言,北京百度网讯科技有限公司,Beijing-WenXinYiYan-20230821,2023/8/31\n";
        let f = read(text).unwrap();
        let t = &f.tables[0];
        assert_eq!(t.header_line, 2);
        assert_eq!(
            t.header,
            ["序号", "属地", "模型名称", "备案单位", "备案号", "备案时间"]
        );
        assert_eq!((t.columns.number, t.columns.date), (Some(4), Some(5)));
        assert_eq!(t.rows.iter().map(|r| r.line).collect::<Vec<_>>(), vec![4]);
        // A header without the number over a row of data is still refused, by its line.
        let text = "序号,属地,模型名称,备案单位,备案信息,\n\
             1,北京市,文心一言,北京百度网讯科技有限公司,Beijing-WenXinYiYan-20230821,2023/8/31\n";
        match read(text) {
            Err(ImportError::NoNumberColumn { line: 1, .. }) => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_note_in_the_number_column_is_a_note() {
        let text = format!(
            "{HEADER}\n\
             1,北京市,文心一言,北京百度网讯科技有限公司,Beijing-WenXinYiYan-20230821,2023/8/31\n\
             ,,,,注：备案号按属地排序,\n\
             ,,,,Source: CAC,\n"
        );
        let t = &read(&text).unwrap().tables[0];
        assert_eq!(t.rows.iter().map(|r| r.line).collect::<Vec<_>>(), vec![2]);
        // A number alone is a row whose other cells are missing: it stays, to be reported.
        let text = format!(
            "{HEADER}\n\
             1,北京市,文心一言,北京百度网讯科技有限公司,Beijing-WenXinYiYan-20230821,2023/8/31\n\
             ,,,,Shanghai-ShuSheng-20230821,\n"
        );
        let t = &read(&text).unwrap().tables[0];
        assert_eq!(
            t.rows.iter().map(|r| r.line).collect::<Vec<_>>(),
            vec![2, 3]
        );
    }

    #[test]
    fn two_tables_with_titles() {
        let text = format!(
            "生成式人工智能服务已备案信息\n{HEADER}\n\
             1,北京市,文心一言,北京百度网讯科技有限公司,Beijing-WenXinYiYan-20230821,2023/8/31\n\
             \n\
             已完成登记的生成式人工智能服务\n\
             序号,属地,模型名称,备案单位,登记编号,登记时间\n\
             1,广东省,Plaud,深圳市普渡科技有限公司,Guangdong-Plaud-20251229S0027,2026/1/9\n"
        );
        let f = read(&text).unwrap();
        assert_eq!(f.tables.len(), 2);
        assert_eq!(f.tables[0].kind, Some(Kind::Filed));
        assert_eq!(f.tables[0].rows.len(), 1);
        assert_eq!(f.tables[1].kind, Some(Kind::Registered));
        assert_eq!(
            f.tables[1].title.as_deref(),
            Some("已完成登记的生成式人工智能服务")
        );
        assert_eq!(f.tables[1].header_line, 6);
        assert_eq!(f.tables[1].rows[0].line, 7);
    }

    #[test]
    fn second_header_without_title_uses_header_hint() {
        let text = format!(
            "{HEADER}\n1,北京市,a,b,Beijing-A-20230821,2023/8/31\n\
             序号,属地,模型名称,备案单位,上线编号,登记时间\n1,广东省,c,d,Guangdong-C-20251229S0001,2026/1/9\n"
        );
        let f = read(&text).unwrap();
        assert_eq!(f.tables.len(), 2);
        assert_eq!(f.tables[1].title, None);
        assert_eq!(f.tables[1].kind, Some(Kind::Registered));
    }

    #[test]
    fn repeated_page_headers_continue_the_table() {
        let text = format!(
            "{HEADER}\n1,北京市,a,b,Beijing-A-20230821,2023/8/31\n\
             {HEADER}\n2,北京市,c,d,Beijing-C-20230821,2023/8/31\n"
        );
        let f = read(&text).unwrap();
        assert_eq!(f.tables.len(), 1);
        assert_eq!(f.tables[0].rows.len(), 2);
        assert_eq!(f.tables[0].rows[1].line, 4);
    }

    #[test]
    fn a_row_with_only_a_number_is_data() {
        let text = format!("{HEADER}\n,,,,Beijing-A-20230821,\n");
        assert_eq!(read(&text).unwrap().tables[0].rows.len(), 1);
    }

    #[test]
    fn delimiters_detected_and_forced() {
        for d in ["\t", ";", ","] {
            let text = format!(
                "{}\n1{d}北京市{d}a, b{d}c{d}Beijing-A-20230821{d}2023/8/31\n",
                HEADER.replace(',', d)
            );
            let text = if d == "," {
                text.replace("a, b", "\"a, b\"")
            } else {
                text
            };
            let f = read(&text).unwrap();
            assert_eq!(f.delimiter.as_deref(), Some(d));
            assert_eq!(f.tables[0].rows[0].cells[2], "a, b");
        }
        let opts = ReadOptions {
            delimiter: Some("tab".into()),
            ..Default::default()
        };
        let f = read_text("t", &HEADER.replace(',', "\t"), "UTF-8".into(), &opts).unwrap();
        assert_eq!(f.delimiter.as_deref(), Some("\t"));
        let opts = ReadOptions {
            delimiter: Some("|".into()),
            ..Default::default()
        };
        let e = read_text("t", HEADER, "UTF-8".into(), &opts).unwrap_err();
        assert_eq!(e.code(), "unknown_delimiter");
    }

    #[test]
    fn header_only_is_an_empty_table() {
        let f = read(HEADER).unwrap();
        assert_eq!(f.tables.len(), 1);
        assert!(f.tables[0].rows.is_empty());
    }

    #[test]
    fn no_number_column_lists_columns() {
        let e = read("序号,属地,模型名称,备案单位,编号,备案时间\n1,北京市,a,b,c,2023/8/31\n")
            .unwrap_err();
        match &e {
            ImportError::NoNumberColumn { line, found, .. } => {
                assert_eq!(*line, 1);
                assert_eq!(found, "序号, 属地, 模型名称, 备案单位, 编号, 备案时间");
            }
            other => panic!("{other:?}"),
        }
        // An override rescues it.
        let opts = ReadOptions {
            columns: vec![ColumnOverride {
                header: "编号".into(),
                field: Some(Field::Number),
            }],
            ..Default::default()
        };
        let f = read_text(
            "t",
            "序号,属地,模型名称,备案单位,编号,备案时间\n1,北京市,a,b,c,2023/8/31\n",
            "UTF-8".into(),
            &opts,
        )
        .unwrap();
        assert_eq!(f.tables[0].columns.number, Some(4));
    }

    #[test]
    fn not_a_table() {
        for text in ["附件1：生成式人工智能服务已备案信息\n", "a,b,c\n1,2,3\n"] {
            assert_eq!(read(text).unwrap_err().code(), "not_a_table", "{text}");
        }
    }

    #[test]
    fn absurd_rows_are_refused_with_the_line() {
        let wide = format!("{HEADER}\n{}\n", vec!["x"; MAX_COLUMNS + 1].join(","));
        let e = read(&wide).unwrap_err();
        assert_eq!(e.code(), "file_too_large");
        assert!(e.to_string().contains("line 2"), "{e}");
        let long = format!("{HEADER}\n1,\"{}\n", "x".repeat(MAX_CELL_BYTES + 1));
        let e = read(&long).unwrap_err();
        assert!(e.to_string().contains("line 2"), "{e}");
    }

    #[test]
    fn a_quote_never_closed_names_its_line_and_column() {
        let text = "序号,属地,模型名称,备案单位,备案编号,备案时间\n\
                    1,北京市,文心一言,百度,Beijing-WenXinYiYan-20230821,2023/8/31\n\
                    2,北京市,\"智谱,智谱,Beijing-ChatGLM-20230821,2023/8/31\n\
                    3,北京市,云雀,抖音,Beijing-YunQue-20230821,2023/8/31\n";
        match read(text).unwrap_err() {
            ImportError::UnclosedQuote { line, column, .. } => assert_eq!((line, column), (3, 3)),
            other => panic!("{other}"),
        }
        // Closed quotes, doubled quotes and a stray quote inside a cell are all fine.
        for ok in ["\"a\"\"b\",c\n", "a,\"b\nc\"\n", "a,b\"c\n", "a,b\"\n"] {
            assert_eq!(unclosed_quote(ok, b','), None, "{ok:?}");
        }
        assert_eq!(unclosed_quote("a,\"b\"\"\n", b','), Some(1));
        assert_eq!(unclosed_quote("\r\n\"a", b','), Some(0));
    }
}
