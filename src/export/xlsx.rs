//! The XLSX workbook: Cover, Filings, Statistics, Subsidies (when an evaluation is given) and
//! Batches. Cells are typed (dates as dates, 序号 and counts as numbers, CNY amounts as numbers with
//! a currency format) and text is always written with `write_string`, so nothing from the data can
//! become a formula. The Filings sheet streams in constant-memory mode and continues on further
//! sheets past Excel's 1,048,576-row limit.

use super::{
    describe_filter, describe_sort, kind_label, title_of, unwritable, ExportRequest, Language,
    ReportInputs, ReportSubsidies,
};
use crate::error::{Error, Result};
use crate::filing::Kind;
use crate::query::FilingFilter;
use crate::store::Store;
use rust_xlsxwriter::{Color, ExcelDateTime, Format, FormatAlign, Workbook, Worksheet, XlsxError};
use std::path::Path;

/// A subsidy evaluation still being computed (on another thread) while the Filings sheet is
/// written; called once, after that sheet.
pub(crate) type LateSubsidies<'a> = Box<dyn FnOnce() -> Result<ReportSubsidies> + 'a>;

/// Data rows per Filings sheet: Excel's row limit less the header.
const ROWS_PER_SHEET: u64 = 1_048_575;

fn xerr(e: XlsxError) -> Error {
    Error::Export(format!("XLSX: {e}"))
}

/// Display width of text in Excel column units: CJK and full-width characters take two.
pub(crate) fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F
            | 0x2E80..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6
            | 0x20000..=0x3FFFD => 2,
            _ => 1,
        })
        .sum()
}

fn fit(width: usize) -> f64 {
    (width as f64 + 2.0).clamp(6.0, 60.0)
}

struct Formats {
    header: Format,
    title: Format,
    label: Format,
    date: Format,
    month: Format,
    int: Format,
    percent: Format,
    cny: Format,
    wrap: Format,
}

impl Formats {
    fn new() -> Formats {
        Formats {
            header: Format::new()
                .set_bold()
                .set_background_color(Color::RGB(0xDDE6F0))
                .set_border_bottom(rust_xlsxwriter::FormatBorder::Thin),
            title: Format::new().set_bold().set_font_size(16),
            label: Format::new().set_bold().set_align(FormatAlign::Top),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            month: Format::new().set_num_format("yyyy-mm"),
            int: Format::new().set_num_format("0"),
            percent: Format::new().set_num_format("0.0%"),
            cny: Format::new().set_num_format("#,##0\" CNY\""),
            wrap: Format::new().set_text_wrap().set_align(FormatAlign::Top),
        }
    }
}

fn date_cell(s: &str) -> Option<ExcelDateTime> {
    let mut p = s.splitn(3, '-');
    let y = p.next()?.parse().ok()?;
    let m = p.next()?.parse().ok()?;
    let d = p.next().map(|d| d.parse().ok()).unwrap_or(Some(1))?;
    ExcelDateTime::from_ymd(y, m, d).ok()
}

fn sheet_names(lang: Language) -> [&'static str; 5] {
    match lang {
        Language::Zh => ["封面", "备案清单", "统计", "补贴", "批次"],
        Language::En => ["Cover", "Filings", "Statistics", "Subsidies", "Batches"],
    }
}

fn header_row(ws: &mut Worksheet, fmt: &Format, cells: &[&str]) -> Result<()> {
    for (c, h) in cells.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, fmt)
            .map_err(xerr)?;
    }
    ws.set_freeze_panes(1, 0).map_err(xerr)?;
    Ok(())
}

pub(crate) fn write(
    store: &Store,
    req: &ExportRequest,
    filter: &FilingFilter,
    inputs: &ReportInputs,
    late: Option<LateSubsidies<'_>>,
    file: &mut std::fs::File,
    progress: &mut dyn FnMut(u64, u64) -> bool,
) -> Result<u64> {
    let lang = req.language;
    let names = sheet_names(lang);
    let f = Formats::new();
    let mut wb = Workbook::new();
    // Constant-memory sheets spill rows to temporary files; keep them beside the export so a
    // small /tmp cannot fail a large export.
    if let Some(dir) = Path::new(&req.path).parent().filter(|d| d.is_dir()) {
        wb.set_tempdir(dir).map_err(xerr)?;
    }
    // Level 2 rather than the writer's 6: at 1M filings the zip compression of about 700 MB
    // of XML is the last third of the export and runs on one core. Measured at 1M: level 3
    // 15.7 s for 91.9 MB, level 2 14.6 s for 97.2 MB, level 1 12.8 s for 120.3 MB; 2 keeps
    // the file within 6 % of 3.
    wb.set_zip_compression_level(2);
    // The cover comes first but is filled in last: it counts the subsidy results, which may
    // still be being evaluated while the filings are written.
    wb.add_worksheet();

    let stats = &inputs.stats;
    let total = stats.total;
    let only = filter.kind.or(match (stats.filed, stats.registered) {
        (0, r) if r > 0 => Some(Kind::Registered),
        _ => None,
    });
    let header = super::csv::headers(only.unwrap_or(Kind::Filed), lang);
    let mut widths: Vec<usize> = header.iter().map(|h| display_width(h)).collect();
    let mut done = 0u64;
    if !progress(0, total) {
        return Err(Error::Cancelled);
    }
    let sheets = total.div_ceil(ROWS_PER_SHEET).max(1);
    let mut sheet_no = 0u64;
    let new_sheet = |wb: &mut Workbook, no: u64| -> Result<()> {
        let ws = wb.add_worksheet_with_constant_memory().map_err(xerr)?;
        let name = if no == 0 {
            names[1].to_string()
        } else {
            format!("{} ({})", names[1], no + 1)
        };
        ws.set_name(name).map_err(xerr)?;
        header_row(ws, &f.header, &header)
    };
    new_sheet(&mut wb, 0)?;
    let mut row_in_sheet = 0u32;
    let mut flags = String::new();
    store.each_export_row(filter, req.sort, &mut |row| {
        if u64::from(row_in_sheet) == ROWS_PER_SHEET {
            finish_filings_sheet(last_sheet(&mut wb), row_in_sheet, &widths)?;
            sheet_no += 1;
            new_sheet(&mut wb, sheet_no)?;
            row_in_sheet = 0;
        }
        row_in_sheet += 1;
        let r = row_in_sheet;
        let ws = last_sheet(&mut wb);
        if let Some(seq) = row.seq {
            ws.write_number_with_format(r, 0, seq as f64, &f.int)
                .map_err(xerr)?;
        }
        flags.clear();
        super::csv::push_flags_text(&mut flags, row.flags, lang);
        let texts = [
            (1u16, row.region),
            (2, row.model),
            (3, row.company),
            (4, row.number),
            (6, kind_label(row.kind, lang)),
            (7, flags.as_str()),
        ];
        for (c, t) in texts {
            if !t.is_empty() {
                ws.write_string(r, c, t).map_err(xerr)?;
            }
            let w = &mut widths[usize::from(c)];
            // A character is never wider than its UTF-8 bytes, so text no longer in bytes than
            // the widest so far cannot widen the column.
            if t.len() > *w {
                *w = (*w).max(display_width(t));
            }
        }
        if let Some(d) = row.filed_on {
            match date_cell(d) {
                Some(dt) => ws.write_datetime_with_format(r, 5, &dt, &f.date),
                None => ws.write_string(r, 5, d),
            }
            .map_err(xerr)?;
        }
        done += 1;
        Ok(done % super::PROGRESS_EVERY != 0 || progress(done, total))
    })?;
    widths[5] = widths[5].max(10);
    finish_filings_sheet(last_sheet(&mut wb), row_in_sheet, &widths)?;
    debug_assert!(sheet_no < sheets);

    let evaluated;
    let subsidies = match late {
        Some(evaluate) => {
            evaluated = evaluate()?;
            Some(&evaluated)
        }
        None => inputs.subsidies.as_ref(),
    };
    let first = wb.worksheet_from_index(0).map_err(xerr)?;
    cover(first, names[0], req, inputs, subsidies, &f)?;
    statistics(wb.add_worksheet(), names[2], lang, inputs, &f)?;
    if let Some(subsidies) = subsidies {
        // A quarter of a million results at 1M filings, with long reasons: streamed like the
        // filings, rather than held in memory and hashed into the shared-string table.
        let ws = wb.add_worksheet_with_constant_memory().map_err(xerr)?;
        subsidy_sheet(ws, names[3], lang, subsidies, &f)?;
    }
    batches(wb.add_worksheet(), names[4], lang, inputs, &f)?;
    if !progress(done, total) {
        return Err(Error::Cancelled);
    }
    wb.save_to_writer(file).map_err(|e| match e {
        XlsxError::IoError(io) => unwritable(Path::new(&req.path), &io),
        e => xerr(e),
    })?;
    Ok(done)
}

fn last_sheet(wb: &mut Workbook) -> &mut Worksheet {
    wb.worksheets_mut()
        .last_mut()
        .expect("the cover is always the first sheet")
}

fn finish_filings_sheet(ws: &mut Worksheet, last_row: u32, widths: &[usize]) -> Result<()> {
    ws.autofilter(0, 0, last_row, (widths.len() - 1) as u16)
        .map_err(xerr)?;
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, fit(*w)).map_err(xerr)?;
    }
    Ok(())
}

fn cover(
    ws: &mut Worksheet,
    name: &str,
    req: &ExportRequest,
    inputs: &ReportInputs,
    subsidies: Option<&ReportSubsidies>,
    f: &Formats,
) -> Result<()> {
    let lang = req.language;
    let s = &inputs.stats;
    ws.set_name(name).map_err(xerr)?;
    ws.write_string_with_format(0, 0, title_of(req), &f.title)
        .map_err(xerr)?;
    let mut lines: Vec<(String, String)> = vec![
        (
            lang.pick("筛选条件", "Filters").into(),
            describe_filter(req, lang).join("\n"),
        ),
        (
            lang.pick("排序", "Sort").into(),
            describe_sort(req.sort, lang),
        ),
        (
            lang.pick("截至日期", "As of").into(),
            req.as_of
                .clone()
                .unwrap_or_else(|| lang.pick("全部日期", "all dates").into()),
        ),
        (lang.pick("导出时间", "Exported at").into(), req.now.clone()),
        (
            lang.pick("内容", "Contents").into(),
            if s.total == 0 {
                lang.pick("所选范围内没有备案记录", "The selection holds no filings")
                    .into()
            } else {
                match lang {
                    Language::Zh => format!("备案 {}，登记 {}", s.filed, s.registered),
                    Language::En => format!("{} filed, {} registered", s.filed, s.registered),
                }
            },
        ),
        (
            lang.pick("数据来源", "Data sources").into(),
            super::report::sources_lines(&inputs.batches, lang).join("\n"),
        ),
        (
            lang.pick("可信度", "Confidence").into(),
            super::report::confidence_lines(s, lang).join("\n"),
        ),
        (
            lang.pick("补贴评估", "Subsidy evaluation").into(),
            match subsidies {
                None => lang
                    .pick("未包含补贴评估", "No subsidy evaluation included")
                    .into(),
                Some(x) => match lang {
                    Language::Zh => format!("见“补贴”工作表（{} 行）", x.rows.len()),
                    Language::En => format!("See the Subsidies sheet ({} rows)", x.rows.len()),
                },
            },
        ),
    ];
    lines.push((
        lang.pick("说明", "Note").into(),
        lang.pick(
            "备案不代表国家网信办的认可，不得用于广告宣传。",
            "A CAC filing is not an endorsement and may not be used in advertising.",
        )
        .into(),
    ));
    for (i, (label, value)) in lines.iter().enumerate() {
        let r = i as u32 + 2;
        ws.write_string_with_format(r, 0, label, &f.label)
            .map_err(xerr)?;
        ws.write_string_with_format(r, 1, value, &f.wrap)
            .map_err(xerr)?;
    }
    let r = lines.len() as u32 + 2;
    ws.write_string_with_format(r, 0, lang.pick("记录数", "Filings"), &f.label)
        .map_err(xerr)?;
    ws.write_number_with_format(r, 1, s.total as f64, &f.int)
        .map_err(xerr)?;
    ws.set_column_width(0, 18).map_err(xerr)?;
    ws.set_column_width(1, 90).map_err(xerr)?;
    Ok(())
}

fn statistics(
    ws: &mut Worksheet,
    name: &str,
    lang: Language,
    inputs: &ReportInputs,
    f: &Formats,
) -> Result<()> {
    let s = &inputs.stats;
    ws.set_name(name).map_err(xerr)?;
    let headers = [
        lang.pick("属地", "Region"),
        lang.pick("数量", "Filings"),
        lang.pick("占比", "Share"),
        "",
        lang.pick("月份", "Month"),
        lang.pick("当月", "In month"),
        lang.pick("累计", "Cumulative"),
        "",
        lang.pick("备案单位", "Company"),
        lang.pick("数量", "Filings"),
    ];
    header_row(ws, &f.header, &headers)?;
    let mut region_w = display_width(headers[0]);
    for (i, r) in s.by_region.iter().enumerate() {
        let row = i as u32 + 1;
        ws.write_string(row, 0, &r.region).map_err(xerr)?;
        ws.write_number_with_format(row, 1, r.count as f64, &f.int)
            .map_err(xerr)?;
        ws.write_number_with_format(row, 2, r.share, &f.percent)
            .map_err(xerr)?;
        region_w = region_w.max(display_width(&r.region));
    }
    for (i, m) in s.by_month.iter().enumerate() {
        let row = i as u32 + 1;
        match date_cell(&m.month) {
            Some(d) => ws.write_datetime_with_format(row, 4, &d, &f.month),
            None => ws.write_string(row, 4, &m.month),
        }
        .map_err(xerr)?;
        ws.write_number_with_format(row, 5, m.count as f64, &f.int)
            .map_err(xerr)?;
        ws.write_number_with_format(row, 6, m.cumulative as f64, &f.int)
            .map_err(xerr)?;
    }
    let mut company_w = display_width(headers[8]);
    for (i, c) in s.top_companies.iter().enumerate() {
        let row = i as u32 + 1;
        ws.write_string(row, 8, &c.company).map_err(xerr)?;
        ws.write_number_with_format(row, 9, c.count as f64, &f.int)
            .map_err(xerr)?;
        company_w = company_w.max(display_width(&c.company));
    }
    for (c, w) in [
        (0u16, fit(region_w)),
        (1, 9.0),
        (2, 9.0),
        (3, 3.0),
        (4, 10.0),
        (5, 10.0),
        (6, 10.0),
        (7, 3.0),
        (8, fit(company_w)),
        (9, 9.0),
    ] {
        ws.set_column_width(c, w).map_err(xerr)?;
    }
    Ok(())
}

fn subsidy_sheet(
    ws: &mut Worksheet,
    name: &str,
    lang: Language,
    sub: &ReportSubsidies,
    f: &Formats,
) -> Result<()> {
    ws.set_name(name).map_err(xerr)?;
    let headers = [
        lang.pick("规则", "Rule"),
        lang.pick("地区", "Jurisdiction"),
        lang.pick("企业", "Enterprise"),
        lang.pick("结论", "Status"),
        lang.pick("金额", "Amount"),
        lang.pick("理由", "Reasons"),
    ];
    header_row(ws, &f.header, &headers)?;
    let mut w: Vec<usize> = headers.iter().map(|h| display_width(h)).collect();
    for (i, r) in sub.rows.iter().enumerate() {
        let row = i as u32 + 1;
        let status = super::report::status_label(&r.status, lang);
        for (c, t) in [
            (0u16, r.rule.as_str()),
            (1, r.jurisdiction.as_str()),
            (2, r.enterprise.as_str()),
            (3, status),
        ] {
            ws.write_string(row, c, t).map_err(xerr)?;
            let w = &mut w[usize::from(c)];
            // As on the Filings sheet: text no longer in bytes than the widest cannot widen it.
            if t.len() > *w {
                *w = (*w).max(display_width(t));
            }
        }
        if let Some(a) = r.amount_cny {
            ws.write_number_with_format(row, 4, a as f64, &f.cny)
                .map_err(xerr)?;
        }
        ws.write_string_with_format(row, 5, r.reasons.join("\n"), &f.wrap)
            .map_err(xerr)?;
    }
    let total_row = sub.rows.len() as u32 + 1;
    ws.write_string_with_format(total_row, 3, lang.pick("合计", "Total"), &f.label)
        .map_err(xerr)?;
    ws.write_number_with_format(total_row, 4, sub.total_cny as f64, &f.cny)
        .map_err(xerr)?;
    if !sub.rows.is_empty() {
        ws.autofilter(0, 0, sub.rows.len() as u32, 5)
            .map_err(xerr)?;
    }
    for (c, width) in w.iter().enumerate().take(4) {
        ws.set_column_width(c as u16, fit(*width)).map_err(xerr)?;
    }
    ws.set_column_width(4, 18).map_err(xerr)?;
    ws.set_column_width(5, 70).map_err(xerr)?;
    Ok(())
}

fn batches(
    ws: &mut Worksheet,
    name: &str,
    lang: Language,
    inputs: &ReportInputs,
    f: &Formats,
) -> Result<()> {
    ws.set_name(name).map_err(xerr)?;
    let headers = [
        lang.pick("批次", "Batch"),
        lang.pick("文件", "File"),
        "SHA-256",
        lang.pick("导入时间", "Imported at"),
        lang.pick("来源", "Source"),
        lang.pick("编码", "Encoding"),
        lang.pick("行数", "Rows"),
        lang.pick("新增", "Inserted"),
        lang.pick("更新", "Updated"),
        lang.pick("未变", "Unchanged"),
        lang.pick("拒绝", "Rejected"),
    ];
    header_row(ws, &f.header, &headers)?;
    let mut file_w = display_width(headers[1]);
    for (i, b) in inputs.batches.iter().enumerate() {
        let row = i as u32 + 1;
        ws.write_number_with_format(row, 0, b.id as f64, &f.int)
            .map_err(xerr)?;
        ws.write_string(row, 1, &b.file_name).map_err(xerr)?;
        ws.write_string(row, 2, &b.sha256).map_err(xerr)?;
        ws.write_string(row, 3, &b.imported_at).map_err(xerr)?;
        ws.write_string(row, 4, super::report::source_label(&b.source, lang))
            .map_err(xerr)?;
        ws.write_string(row, 5, &b.encoding).map_err(xerr)?;
        for (c, n) in [b.rows, b.inserted, b.updated, b.unchanged, b.rejected]
            .into_iter()
            .enumerate()
        {
            ws.write_number_with_format(row, 6 + c as u16, n as f64, &f.int)
                .map_err(xerr)?;
        }
        file_w = file_w.max(display_width(&b.file_name));
    }
    if !inputs.batches.is_empty() {
        ws.autofilter(0, 0, inputs.batches.len() as u32, 10)
            .map_err(xerr)?;
    }
    for (c, w) in [
        (0u16, 8.0),
        (1, fit(file_w)),
        (2, 66.0),
        (3, 22.0),
        (4, 10.0),
        (5, 12.0),
    ] {
        ws.set_column_width(c, w).map_err(xerr)?;
    }
    for c in 6..=10 {
        ws.set_column_width(c, 10).map_err(xerr)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_count_cjk_double() {
        assert_eq!(display_width("abc"), 3);
        assert_eq!(display_width("北京市"), 6);
        assert_eq!(display_width("ＡＢ"), 4);
        assert_eq!(fit(100), 60.0);
        assert_eq!(fit(0), 6.0);
    }
}
