//! Spreadsheets (XLSX, XLSB, ODS, legacy XLS): every sheet that holds a table contributes it.
//!
//! ZIP-based workbooks are checked before calamine sees them: the declared sizes, then the actual
//! inflated sizes, so a zip bomb or a truncated download fails with a reason instead of
//! exhausting memory. XLSX sheets are read cell by cell, which keeps a sheet that claims a huge
//! range (one cell at A1, one at XFD1048576) from allocating the whole rectangle.

use super::table::{check_size, clean_cell, tables_from_rows};
use super::{ImportError, ReadOptions, SourceFile, SourceRow, SourceTable};
use calamine::{Data, DataRef, ExcelDateTime, Reader};
use std::collections::BTreeMap;
use std::io::{Cursor, Read};

const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const OLE2_MAGIC: &[u8] = &[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

/// Real CAC workbooks are well under a megabyte inflated; this leaves room for big provincial lists.
const MAX_UNCOMPRESSED_TOTAL: u64 = 200 * 1024 * 1024;
/// Sheet XML compresses well (10–30×), but not beyond this unless it is built to explode.
const MAX_RATIO: u64 = 100;
/// Entries smaller than this may have any ratio: a tiny file of repeated bytes is harmless.
const RATIO_CHECK_FROM: u64 = 1024 * 1024;
const MAX_ENTRIES: usize = 10_000;

pub fn looks_like_spreadsheet(bytes: &[u8]) -> bool {
    bytes.starts_with(ZIP_MAGIC) || bytes.starts_with(OLE2_MAGIC)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Xlsx,
    Xlsb,
    Ods,
    Xls,
}

impl Format {
    fn label(self) -> &'static str {
        match self {
            Format::Xlsx => "XLSX",
            Format::Xlsb => "XLSB",
            Format::Ods => "ODS",
            Format::Xls => "XLS",
        }
    }
}

pub fn read_workbook(
    file: &str,
    bytes: &[u8],
    opts: &ReadOptions,
) -> Result<SourceFile, ImportError> {
    let fail = |reason: String| ImportError::Spreadsheet {
        file: file.into(),
        reason,
    };
    let format = if bytes.starts_with(OLE2_MAGIC) {
        Format::Xls
    } else {
        check_zip(bytes).map_err(fail)?
    };
    let per_sheet = match format {
        Format::Xlsx => read_xlsx(file, bytes)?,
        Format::Xls => read_ranges(
            file,
            calamine::open_workbook_from_rs::<calamine::Xls<_>, _>(Cursor::new(bytes))
                .map_err(|e| fail(format!("not a readable Excel 97–2003 (.xls) workbook: {e}")))?,
        )?,
        Format::Xlsb => read_ranges(
            file,
            calamine::open_workbook_from_rs::<calamine::Xlsb<_>, _>(Cursor::new(bytes))
                .map_err(|e| fail(format!("damaged XLSB workbook: {e}")))?,
        )?,
        Format::Ods => read_ranges(
            file,
            calamine::open_workbook_from_rs::<calamine::Ods<_>, _>(Cursor::new(bytes))
                .map_err(|e| fail(format!("damaged ODS spreadsheet: {e}")))?,
        )?,
    };
    let mut tables: Vec<SourceTable> = Vec::new();
    for (name, rows) in per_sheet {
        match tables_from_rows(file, rows, Some(name), opts) {
            Ok(t) => tables.extend(t),
            // Notes, pivot or cover sheets have no header; the other sheets still count.
            Err(ImportError::NotATable { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    if tables.is_empty() {
        return Err(ImportError::NotATable { file: file.into() });
    }
    Ok(SourceFile {
        encoding: format.label().into(),
        delimiter: None,
        tables,
    })
}

/// Vets a ZIP before calamine opens it and says which workbook format it holds.
fn check_zip(bytes: &[u8]) -> Result<Format, String> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| {
        format!("the ZIP container is damaged or truncated ({e}); download or save it again")
    })?;
    if archive.len() > MAX_ENTRIES {
        return Err(format!(
            "the archive holds {} entries; a workbook has a few dozen",
            archive.len()
        ));
    }
    let mut declared_total: u64 = 0;
    let mut names = Vec::with_capacity(archive.len());
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|e| format!("entry {i} of the ZIP cannot be read ({e})"))?;
        let (size, packed) = (entry.size(), entry.compressed_size());
        declared_total = declared_total.saturating_add(size);
        if declared_total > MAX_UNCOMPRESSED_TOTAL {
            return Err(format!(
                "it would inflate to more than {} MB; refusing to open it",
                MAX_UNCOMPRESSED_TOTAL >> 20
            ));
        }
        if size >= RATIO_CHECK_FROM && size / packed.max(1) > MAX_RATIO {
            return Err(format!(
                "entry {} inflates {}× ({} bytes from {}); this looks like a zip bomb",
                entry.name(),
                size / packed.max(1),
                size,
                packed
            ));
        }
        names.push(entry.name().to_string());
    }
    let has = |n: &str| names.iter().any(|x| x == n);
    let format = if has("xl/workbook.xml") {
        Format::Xlsx
    } else if has("xl/workbook.bin") {
        Format::Xlsb
    } else if has("content.xml") && has("mimetype") {
        Format::Ods
    } else {
        return Err(
            "it is a ZIP archive but holds no workbook (no xl/workbook.xml or content.xml); \
             a .docx or a zipped folder? Save the table as XLSX or CSV"
                .into(),
        );
    };
    // Declared sizes can lie; inflating once into a sink, capped, proves them before calamine
    // allocates anything based on the content.
    let mut actual_total: u64 = 0;
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|e| format!("entry {i} of the ZIP cannot be read ({e})"))?;
        let budget = MAX_UNCOMPRESSED_TOTAL - actual_total;
        let n = std::io::copy(&mut entry.by_ref().take(budget + 1), &mut std::io::sink())
            .map_err(|e| format!("entry {i} is damaged or truncated ({e})"))?;
        actual_total += n;
        if actual_total > MAX_UNCOMPRESSED_TOTAL {
            return Err(format!(
                "it inflates to more than {} MB (more than its entries declare); refusing to open it",
                MAX_UNCOMPRESSED_TOTAL >> 20
            ));
        }
    }
    Ok(format)
}

type SheetRows = Vec<(String, Vec<SourceRow>)>;

fn read_xlsx(file: &str, bytes: &[u8]) -> Result<SheetRows, ImportError> {
    let fail = |reason: String| ImportError::Spreadsheet {
        file: file.into(),
        reason,
    };
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(bytes))
        .map_err(|e| fail(format!("damaged XLSX workbook: {e}")))?;
    let mut out = Vec::new();
    for name in wb.sheet_names() {
        let mut reader = wb
            .worksheet_cells_reader(&name)
            .map_err(|e| fail(format!("sheet {name:?} cannot be read: {e}")))?;
        let mut sheet: BTreeMap<u32, Vec<String>> = BTreeMap::new();
        while let Some(cell) = reader
            .next_cell()
            .map_err(|e| fail(format!("sheet {name:?} is damaged: {e}")))?
        {
            let (row, col) = cell.get_position();
            let text = data_ref_to_string(cell.get_value());
            if text.is_empty() {
                continue;
            }
            let col = col as usize;
            let line = u64::from(row) + 1;
            check_size(file, line, col + 1, std::iter::once(text.len()))
                .map_err(|e| in_sheet(e, &name))?;
            let cells = sheet.entry(row).or_default();
            if cells.len() <= col {
                cells.resize(col + 1, String::new());
            }
            cells[col] = text;
        }
        let rows = sheet
            .into_iter()
            .map(|(row, cells)| SourceRow {
                line: u64::from(row) + 1,
                cells,
            })
            .collect();
        out.push((name, rows));
    }
    Ok(out)
}

/// Formats read whole by calamine (XLS, XLSB, ODS); their own size limits (XLS: 65,536 × 256)
/// bound what it allocates, and the column guard below keeps our copy small.
fn read_ranges<RS, R>(file: &str, mut wb: R) -> Result<SheetRows, ImportError>
where
    RS: std::io::Read + std::io::Seek,
    R: Reader<RS>,
    R::Error: std::fmt::Display,
{
    let mut out = Vec::new();
    for name in wb.sheet_names() {
        let range = wb
            .worksheet_range(&name)
            .map_err(|e| ImportError::Spreadsheet {
                file: file.into(),
                reason: format!("sheet {name:?} cannot be read: {e}"),
            })?;
        let Some((row0, col0)) = range.start() else {
            out.push((name, Vec::new()));
            continue;
        };
        let col0 = col0 as usize;
        let width = col0 + range.width();
        check_size(file, u64::from(row0) + 1, width, std::iter::empty())
            .map_err(|e| in_sheet(e, &name))?;
        let mut rows = Vec::new();
        for (i, row) in range.rows().enumerate() {
            // Columns left of the range are empty; padding keeps indexes absolute, like XLSX.
            let cells: Vec<String> = std::iter::repeat_n(String::new(), col0)
                .chain(row.iter().map(data_to_string))
                .collect();
            if cells.iter().all(String::is_empty) {
                continue;
            }
            rows.push(SourceRow {
                line: u64::from(row0) + i as u64 + 1,
                cells,
            });
        }
        out.push((name, rows));
    }
    Ok(out)
}

fn in_sheet(e: ImportError, sheet: &str) -> ImportError {
    match e {
        ImportError::TooLarge { file, reason } => ImportError::TooLarge {
            file,
            reason: format!("sheet {sheet:?}: {reason}"),
        },
        other => other,
    }
}

fn data_ref_to_string(v: &DataRef<'_>) -> String {
    match v {
        DataRef::Int(i) => i.to_string(),
        DataRef::Float(f) => float_to_string(*f),
        DataRef::String(s) => clean_cell(s),
        DataRef::SharedString(s) => clean_cell(s),
        DataRef::Bool(b) => b.to_string(),
        DataRef::DateTime(d) => datetime_to_string(d),
        DataRef::DateTimeIso(s) => iso_to_string(s),
        DataRef::DurationIso(s) => clean_cell(s),
        DataRef::Error(_) | DataRef::Empty => String::new(),
    }
}

fn data_to_string(v: &Data) -> String {
    match v {
        Data::Int(i) => i.to_string(),
        Data::Float(f) => float_to_string(*f),
        Data::String(s) => clean_cell(s),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(d) => datetime_to_string(d),
        Data::DateTimeIso(s) => iso_to_string(s),
        Data::DurationIso(s) => clean_cell(s),
        Data::Error(_) | Data::Empty => String::new(),
    }
}

/// 序号 cells are floats in Excel; `1.0` must read as `1` so the text and sheet twins agree.
fn float_to_string(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        f.to_string()
    }
}

fn datetime_to_string(d: &ExcelDateTime) -> String {
    if d.is_duration() {
        return float_to_string(d.as_f64());
    }
    // as_datetime honours the workbook's 1904 date system, which a plain serial cannot know.
    match d.as_datetime() {
        Some(dt) if d.as_f64() >= 1.0 => dt.date().format("%Y-%m-%d").to_string(),
        // A date format on a number outside Excel's calendar: keep the number for validation.
        _ => float_to_string(d.as_f64()),
    }
}

fn iso_to_string(s: &str) -> String {
    let s = s.trim();
    match s.get(..10) {
        Some(date) if chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_ok() => {
            date.to_string()
        }
        _ => s.to_string(),
    }
}
