//! Exports and reports: exactly the selection on screen (filter, sort, as-of date, language)
//! written as CSV, XLSX, a self-contained HTML report or a PDF of the same report.
//!
//! Every format is written to a temporary file in the target's own directory and renamed into
//! place only when complete, so a failed or cancelled export never leaves a partial file, and an
//! existing file at the target is replaced only by a finished export.
//!
//! Statistics and subsidy results enter through [`ReportStats`] and [`ReportSubsidies`], small
//! input structs of this module: [`Registry::export`] computes the statistics from the store and
//! passes no subsidy evaluation; a caller that has one passes it to [`export`].

pub mod csv;
mod pdf;
pub mod report;
mod xlsx;

use crate::error::{Error, Result};
use crate::filing::{Flag, Kind};
use crate::query::{BatchInfo, FilingFilter, Sort};
use crate::region::Regions;
use crate::registry::Registry;
use crate::store::{SelectionCounts, Store};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::{Path, PathBuf};
use ts_rs::TS;

pub use report::REPORT_ROW_CAP;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ExportFormat {
    Csv,
    Xlsx,
    Html,
    Pdf,
}

impl ExportFormat {
    pub fn as_str(self) -> &'static str {
        match self {
            ExportFormat::Csv => "csv",
            ExportFormat::Xlsx => "xlsx",
            ExportFormat::Html => "html",
            ExportFormat::Pdf => "pdf",
        }
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Language {
    #[default]
    Zh,
    En,
}

impl Language {
    /// Picks the Chinese or the English text.
    pub(crate) fn pick<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Language::Zh => zh,
            Language::En => en,
        }
    }
}

/// How a CSV is encoded. UTF-8 with a BOM is what Excel on zh-CN Windows needs to show Chinese;
/// GB18030 is for older tools that expect the local code page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CsvEncoding {
    #[default]
    Utf8Bom,
    Utf8,
    Gb18030,
}

impl CsvEncoding {
    pub fn parse(s: &str) -> Option<CsvEncoding> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "utf-8-bom" | "utf8-bom" | "utf-8-sig" | "bom" => Some(CsvEncoding::Utf8Bom),
            "utf-8" | "utf8" => Some(CsvEncoding::Utf8),
            "gb18030" | "gbk" => Some(CsvEncoding::Gb18030),
            _ => None,
        }
    }
}

/// One export, as the save dialog or `beian export` describes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ExportRequest {
    pub format: ExportFormat,
    /// The file to write (replaced if it exists, only once the export is complete).
    pub path: String,
    #[serde(default)]
    pub filter: FilingFilter,
    #[serde(default)]
    pub sort: Option<Sort>,
    /// Only filings dated on or before this day (YYYY-MM-DD); also printed on the report.
    #[serde(default)]
    pub as_of: Option<String>,
    #[serde(default)]
    pub language: Language,
    #[serde(default)]
    pub csv_encoding: CsvEncoding,
    /// The time of the export as the caller read it (RFC 3339); printed on covers and reports.
    pub now: String,
    /// A title for the report and the XLSX cover; a default names the registry.
    #[serde(default)]
    pub title: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ExportSummary {
    pub path: String,
    pub format: ExportFormat,
    /// Filings in the selection.
    #[ts(type = "number")]
    pub rows: u64,
    /// Filings written into the file's filings table (reports stop at [`REPORT_ROW_CAP`]).
    #[ts(type = "number")]
    pub rows_written: u64,
    #[ts(type = "number")]
    pub bytes: u64,
    /// One sentence for people.
    pub message: String,
}

/// Regional and monthly counts and top companies for a report's Statistics section/sheet.
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ReportStats {
    #[ts(type = "number")]
    pub total: u64,
    #[ts(type = "number")]
    pub filed: u64,
    #[ts(type = "number")]
    pub registered: u64,
    #[ts(type = "number")]
    pub companies: u64,
    #[ts(type = "number")]
    pub flagged: u64,
    #[ts(type = "number")]
    pub undated: u64,
    pub first_filed: Option<String>,
    pub last_filed: Option<String>,
    /// Largest first.
    pub by_region: Vec<RegionShare>,
    /// Every month from the first to the last filing, zero-filled, with the running total.
    pub by_month: Vec<MonthCount>,
    pub top_companies: Vec<CompanyCount>,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct RegionShare {
    /// Full name as stored (`北京市`, `国资委`).
    pub region: String,
    /// Short Chinese name (`北京`).
    pub label_zh: String,
    /// English name (`Beijing`).
    pub label_en: String,
    #[ts(type = "number")]
    pub count: u64,
    /// 0–1 of the selection.
    pub share: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct MonthCount {
    /// `YYYY-MM`
    pub month: String,
    #[ts(type = "number")]
    pub count: u64,
    #[ts(type = "number")]
    pub cumulative: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct CompanyCount {
    pub company: String,
    #[ts(type = "number")]
    pub count: u64,
}

impl ReportStats {
    /// Shares, labels and zero-filled months from the store's raw counts.
    pub fn from_counts(c: &SelectionCounts) -> ReportStats {
        let regions = Regions::bundled();
        let share = |n: u64| {
            if c.total == 0 {
                0.0
            } else {
                n as f64 / c.total as f64
            }
        };
        let by_region = c
            .by_region
            .iter()
            .map(|(name, n)| {
                let r = regions.by_name(name);
                RegionShare {
                    region: name.clone(),
                    label_zh: r
                        .map(|r| r.short_name().to_string())
                        .unwrap_or_else(|| name.clone()),
                    label_en: r.map(|r| r.english.clone()).unwrap_or_else(|| name.clone()),
                    count: *n,
                    share: share(*n),
                }
            })
            .collect();
        ReportStats {
            total: c.total,
            filed: c.filed,
            registered: c.registered,
            companies: c.companies,
            flagged: c.flagged,
            undated: c.undated,
            first_filed: c.first_filed.clone(),
            last_filed: c.last_filed.clone(),
            by_region,
            by_month: zero_filled_months(&c.by_month),
            top_companies: c
                .top_companies
                .iter()
                .map(|(company, n)| CompanyCount {
                    company: company.clone(),
                    count: *n,
                })
                .collect(),
        }
    }

    /// The share of the three largest regions, for the headline.
    pub fn top3_share(&self) -> f64 {
        self.by_region.iter().take(3).map(|r| r.share).sum()
    }
}

fn zero_filled_months(counts: &[(String, u64)]) -> Vec<MonthCount> {
    let parse = |m: &str| -> Option<(i32, u32)> {
        let (y, mo) = m.split_once('-')?;
        Some((y.parse().ok()?, mo.parse().ok()?))
    };
    let (Some(first), Some(last)) = (
        counts.first().and_then(|(m, _)| parse(m)),
        counts.last().and_then(|(m, _)| parse(m)),
    ) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut cumulative = 0;
    let (mut y, mut m) = first;
    let mut it = counts.iter().peekable();
    while (y, m) <= last {
        let key = format!("{y:04}-{m:02}");
        let mut count = 0;
        while let Some((k, n)) = it.peek() {
            if *k == key {
                count += n;
                it.next();
            } else {
                break;
            }
        }
        cumulative += count;
        out.push(MonthCount {
            month: key,
            count,
            cumulative,
        });
        (y, m) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    }
    out
}

/// Subsidy results for a report: one row per enterprise and rule considered.
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ReportSubsidies {
    /// The date the rules were evaluated as of.
    pub as_of: Option<String>,
    pub rows: Vec<SubsidyRow>,
    /// Sum of the amounts of qualifying rows, in CNY.
    #[ts(type = "number")]
    pub total_cny: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SubsidyRow {
    pub rule: String,
    /// The rule's title: what a reader of the report recognises (the id is for filtering).
    pub rule_title: String,
    pub jurisdiction: String,
    pub enterprise: String,
    /// `qualifies`, `does_not_qualify` or `cannot_tell`.
    pub status: String,
    /// Whole yuan; `None` when the amount is set on review or cannot be computed.
    #[ts(type = "number | null")]
    pub amount_cny: Option<i64>,
    pub reasons: Vec<String>,
}

/// Everything besides the filings that a report or workbook shows.
#[derive(Debug, Clone, Default)]
pub struct ReportInputs {
    pub stats: ReportStats,
    /// `None`: the report says no subsidy evaluation is included.
    pub subsidies: Option<ReportSubsidies>,
    /// Every import behind the registry, for the sources and the Batches sheet.
    pub batches: Vec<BatchInfo>,
}

/// How many top companies reports list.
pub const TOP_COMPANIES: u32 = 20;

impl Registry {
    /// Exports the selection described by `req`, with statistics computed from the registry and
    /// no subsidy evaluation. `progress(done, total)` is called every few hundred rows; returning
    /// false cancels, and no file is left behind.
    pub fn export(
        &self,
        req: &ExportRequest,
        progress: &mut dyn FnMut(u64, u64) -> bool,
    ) -> Result<ExportSummary> {
        if req.format == ExportFormat::Csv {
            // Only the workbook and the reports show statistics, batches and subsidy results; a
            // CSV is the filings alone and needs only their counts by kind (its columns).
            let filter = effective_filter(req)?;
            let inputs = ReportInputs {
                stats: ReportStats::from_counts(&self.store().kind_counts(&filter)?),
                subsidies: None,
                batches: Vec::new(),
            };
            return export(self.store(), req, &inputs, progress);
        }
        let mut inputs = report_inputs(self.store(), req)?;
        match (req.format, self.path()) {
            // The workbook's Filings sheet and the subsidy evaluation are independent and each
            // take seconds at a million filings, so the evaluation runs beside the sheet on a
            // second core, over its own read-only connection (a connection is not shared between
            // threads), and the writer waits for it only once the filings are written.
            (ExportFormat::Xlsx, Some(path)) => std::thread::scope(|s| {
                let eval = s.spawn(|| Registry::open_read_only(path)?.report_subsidies(req));
                let joined: xlsx::LateSubsidies<'_> = Box::new(move || {
                    eval.join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                });
                export_with(self.store(), req, &inputs, Some(joined), progress)
            }),
            _ => {
                inputs.subsidies = Some(self.report_subsidies(req)?);
                export(self.store(), req, &inputs, progress)
            }
        }
    }

    /// Every enabled rule evaluated as of the report's date (its as-of, else the day of `now`),
    /// narrowed to the selected company when the selection names one. Public so that a caller
    /// (the benchmark) can prepare [`ReportInputs`] once and time [`export`] on its own.
    pub fn report_subsidies(&self, req: &ExportRequest) -> Result<ReportSubsidies> {
        let day = req
            .as_of
            .as_deref()
            .unwrap_or_else(|| req.now.get(..10).unwrap_or(""));
        let as_of = NaiveDate::parse_from_str(day, "%Y-%m-%d").map_err(|_| {
            Error::Usage(format!(
                "{day:?} is not a date; give the report an as-of date as YYYY-MM-DD"
            ))
        })?;
        let report = self.evaluate(None, None, as_of)?;
        // A report on a selection (a region, a company, a batch) speaks of the enterprises in it.
        let selected: Option<std::collections::HashSet<String>> =
            if req.filter == FilingFilter::default() {
                None
            } else {
                let filter = effective_filter(req)?;
                let groups =
                    self.store()
                        .stat_counts(&filter, None, crate::stats::Grouping::Company)?;
                Some(groups.into_iter().filter_map(|(c, _)| c).collect())
            };
        let rows: Vec<SubsidyRow> = report
            .into_rows(req.language)
            .into_iter()
            .filter(|r| selected.as_ref().is_none_or(|s| s.contains(&r.enterprise)))
            .map(|r| SubsidyRow {
                rule: r.rule,
                rule_title: r.title,
                jurisdiction: r.jurisdiction,
                enterprise: r.enterprise,
                status: serde_json::to_value(r.status)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                amount_cny: r.amount_cny,
                reasons: r.reasons,
            })
            .collect();
        let total_cny = rows
            .iter()
            .filter(|r| r.status == "qualifies")
            .filter_map(|r| r.amount_cny)
            .sum();
        Ok(ReportSubsidies {
            as_of: Some(as_of.to_string()),
            rows,
            total_cny,
        })
    }
}

/// Statistics and batches for a request, from the store.
pub fn report_inputs(store: &Store, req: &ExportRequest) -> Result<ReportInputs> {
    let filter = effective_filter(req)?;
    Ok(ReportInputs {
        stats: ReportStats::from_counts(&store.selection_counts(&filter, TOP_COMPANIES)?),
        subsidies: None,
        batches: store.batches()?,
    })
}

/// The request's filter narrowed by its as-of date (only filings dated on or before it).
pub fn effective_filter(req: &ExportRequest) -> Result<FilingFilter> {
    let mut f = req.filter.clone();
    for d in [&f.from, &f.to, &req.as_of].into_iter().flatten() {
        if NaiveDate::parse_from_str(d, "%Y-%m-%d").is_err() {
            return Err(Error::Usage(format!(
                "{d:?} is not a date; write dates as YYYY-MM-DD"
            )));
        }
    }
    if let Some(as_of) = &req.as_of {
        f.to = Some(match f.to.take() {
            Some(to) if to < *as_of => to,
            _ => as_of.clone(),
        });
    }
    Ok(f)
}

/// Writes the export. Statistics and subsidies come from `inputs`; the filings are streamed from
/// the store in the requested order.
pub fn export(
    store: &Store,
    req: &ExportRequest,
    inputs: &ReportInputs,
    progress: &mut dyn FnMut(u64, u64) -> bool,
) -> Result<ExportSummary> {
    export_with(store, req, inputs, None, progress)
}

/// [`export`], with a workbook's subsidy evaluation (`late`, replacing `inputs.subsidies`) asked
/// for only once its Filings sheet is written.
fn export_with(
    store: &Store,
    req: &ExportRequest,
    inputs: &ReportInputs,
    late: Option<xlsx::LateSubsidies<'_>>,
    progress: &mut dyn FnMut(u64, u64) -> bool,
) -> Result<ExportSummary> {
    let filter = effective_filter(req)?;
    let target = PathBuf::from(&req.path);
    let rows = inputs.stats.total;
    let mut written = 0;
    let bytes = write_atomically(&target, |file| {
        written = match req.format {
            ExportFormat::Csv => csv::write(store, req, &filter, &inputs.stats, file, progress)?,
            ExportFormat::Xlsx => xlsx::write(store, req, &filter, inputs, late, file, progress)?,
            ExportFormat::Html => {
                let report = report::Report::build(store, req, &filter, inputs, progress)?;
                file.write_all(report::html(&report).as_bytes())
                    .map_err(|e| unwritable(&target, &e))?;
                report.rows.len() as u64
            }
            ExportFormat::Pdf => {
                let font = pdf::find_font()?;
                let report = report::Report::build(store, req, &filter, inputs, progress)?;
                let bytes = pdf::render(&report, &font)?;
                file.write_all(&bytes)
                    .map_err(|e| unwritable(&target, &e))?;
                report.rows.len() as u64
            }
        };
        Ok(())
    })?;
    let lang = req.language;
    let message = match (rows, lang) {
        (0, Language::Zh) => format!("已导出到 {}：所选范围内没有备案记录", req.path),
        (0, Language::En) => format!("exported to {}: the selection holds no filings", req.path),
        (_, Language::Zh) if written < rows => format!(
            "已导出到 {}：共 {rows} 条，报告列出前 {written} 条（完整清单请导出 CSV 或 XLSX）",
            req.path
        ),
        (_, Language::En) if written < rows => format!(
            "exported to {}: {rows} filings, the report lists the first {written} (export CSV or \
             XLSX for all of them)",
            req.path
        ),
        (_, Language::Zh) => format!("已导出 {rows} 条备案记录到 {}", req.path),
        (_, Language::En) => format!("exported {rows} filings to {}", req.path),
    };
    Ok(ExportSummary {
        path: req.path.clone(),
        format: req.format,
        rows,
        rows_written: written,
        bytes,
        message,
    })
}

pub(crate) fn unwritable(path: &Path, e: &dyn std::fmt::Display) -> Error {
    Error::ExportUnwritable {
        path: path.to_path_buf(),
        reason: e.to_string(),
    }
}

/// Runs `write` on a temporary file beside `target` and renames it into place when `write`
/// succeeds; on any error (or a cancel) the temporary file is removed and `target` is untouched.
/// Returns the size of the finished file.
fn write_atomically(
    target: &Path,
    write: impl FnOnce(&mut std::fs::File) -> Result<()>,
) -> Result<u64> {
    if target.as_os_str().is_empty() {
        return Err(Error::Usage("no output file given".into()));
    }
    if target.is_dir() {
        return Err(unwritable(target, &"it is a folder"));
    }
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(unwritable(
            target,
            &format!("the folder {} does not exist", dir.display()),
        ));
    }
    let mut builder = tempfile::Builder::new();
    builder.prefix(".beian-export-").suffix(".partial");
    // A temporary file is private (0600); the finished export is an ordinary document.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
    let mut tmp = builder
        .tempfile_in(&dir)
        .map_err(|e| unwritable(target, &e))?;
    write(tmp.as_file_mut())?;
    tmp.as_file_mut()
        .flush()
        .and_then(|_| tmp.as_file().sync_all())
        .map_err(|e| unwritable(target, &e))?;
    let file = tmp
        .persist(target)
        .map_err(|e| unwritable(target, &e.error))?;
    Ok(file.metadata().map(|m| m.len()).unwrap_or(0))
}

/// The font file a PDF export would use, or `pdf_font_missing` (for the app to say so up front).
pub fn pdf_font_path() -> Result<PathBuf> {
    pdf::find_font().map(|f| f.path)
}

/// Whether a file is a font that can set the report's Chinese text.
pub fn pdf_font_usable(path: &Path) -> bool {
    pdf::load_font(path).is_some()
}

/// How often (in rows) exports report progress and check for a cancel.
pub(crate) const PROGRESS_EVERY: u64 = 256;

/// Kind in words.
pub(crate) fn kind_label(kind: Kind, lang: Language) -> &'static str {
    match kind {
        Kind::Filed => lang.pick("备案", "filed"),
        Kind::Registered => lang.pick("登记", "registered"),
    }
}

/// A flag in words: Chinese labels for zh, the stable codes for en (they read as English).
pub(crate) fn flag_label(flag: Flag, lang: Language) -> &'static str {
    match lang {
        Language::En => flag.as_str(),
        Language::Zh => match flag {
            Flag::NumberMalformed => "编号格式不符",
            Flag::PrefixMismatch => "编号前缀与属地不符",
            Flag::JurisdictionUnknown => "编号属地未知",
            Flag::NumberDateAfterFiling => "编号日期晚于备案时间",
            Flag::NumberDateLongBefore => "编号日期远早于备案时间",
            Flag::KindMismatch => "类型不符",
            Flag::ModelCompanySwapped => "模型与单位疑似互换",
            Flag::StrayLeadingChar => "单位名称首字符异常",
            Flag::RegionInherited => "属地沿用上一行",
        },
    }
}

pub(crate) fn flags_text(flags: &[Flag], lang: Language) -> String {
    flags
        .iter()
        .map(|f| flag_label(*f, lang))
        .collect::<Vec<_>>()
        .join(lang.pick("；", "; "))
}

/// The filter in words, one phrase per condition, for covers and reports.
pub fn describe_filter(req: &ExportRequest, lang: Language) -> Vec<String> {
    let f = &req.filter;
    let regions = Regions::bundled();
    let mut out = Vec::new();
    if !f.regions.is_empty() {
        let names: Vec<String> = f
            .regions
            .iter()
            .map(|r| match (regions.find(r), lang) {
                (Some(x), Language::Zh) => x.name.clone(),
                (Some(x), Language::En) => x.english.clone(),
                (None, _) => r.clone(),
            })
            .collect();
        out.push(match lang {
            Language::Zh => format!("属地：{}", names.join("、")),
            Language::En => format!("Region: {}", names.join(", ")),
        });
    }
    if let Some(k) = f.kind {
        out.push(match lang {
            Language::Zh => format!("类型：{}", kind_label(k, lang)),
            Language::En => format!("Kind: {}", kind_label(k, lang)),
        });
    }
    if let Some(c) = f.company.as_deref().filter(|c| !c.trim().is_empty()) {
        out.push(match lang {
            Language::Zh => format!("备案单位包含“{c}”"),
            Language::En => format!("Company contains \"{c}\""),
        });
    }
    if let Some(s) = f.search.as_deref().filter(|s| !s.trim().is_empty()) {
        out.push(match lang {
            Language::Zh => format!("搜索“{s}”"),
            Language::En => format!("Search \"{s}\""),
        });
    }
    match (&f.from, &f.to, lang) {
        (Some(a), Some(b), Language::Zh) => out.push(format!("备案时间 {a} 至 {b}")),
        (Some(a), Some(b), Language::En) => out.push(format!("Filed {a} to {b}")),
        (Some(a), None, Language::Zh) => out.push(format!("备案时间不早于 {a}")),
        (Some(a), None, Language::En) => out.push(format!("Filed on or after {a}")),
        (None, Some(b), Language::Zh) => out.push(format!("备案时间不晚于 {b}")),
        (None, Some(b), Language::En) => out.push(format!("Filed on or before {b}")),
        (None, None, _) => {}
    }
    if let Some(y) = f.year {
        out.push(match lang {
            Language::Zh => format!("{y} 年备案"),
            Language::En => format!("Filed in {y}"),
        });
    }
    if let Some(b) = f.batch {
        out.push(match lang {
            Language::Zh => format!("由第 {b} 批导入新增"),
            Language::En => format!("First added by batch {b}"),
        });
    }
    match f.flagged {
        Some(true) => out.push(lang.pick("仅含有标记的记录", "Flagged rows only").into()),
        Some(false) => out.push(lang.pick("仅无标记的记录", "Unflagged rows only").into()),
        None => {}
    }
    if let Some(flag) = f.flag {
        out.push(match lang {
            Language::Zh => format!("标记：{}", flag_label(flag, lang)),
            Language::En => format!("Flag: {}", flag_label(flag, lang)),
        });
    }
    if out.is_empty() {
        out.push(
            lang.pick("全部备案记录（无筛选）", "All filings (no filters)")
                .into(),
        );
    }
    out
}

/// The sort in words.
pub(crate) fn describe_sort(sort: Option<Sort>, lang: Language) -> String {
    use crate::query::SortField as F;
    let Some(s) = sort else {
        return lang
            .pick("按备案时间、序号排序", "By filing date, then 序号")
            .into();
    };
    let field = match s.field {
        F::Number => lang.pick("编号", "number"),
        F::Kind => lang.pick("类型", "kind"),
        F::Region => lang.pick("属地", "region"),
        F::Model => lang.pick("模型名称", "model"),
        F::Company => lang.pick("备案单位", "company"),
        F::FiledOn => lang.pick("备案时间", "filing date"),
        F::Seq => lang.pick("序号", "序号"),
        F::Batch => lang.pick("批次", "batch"),
    };
    match (lang, s.desc) {
        (Language::Zh, false) => format!("按{field}升序"),
        (Language::Zh, true) => format!("按{field}降序"),
        (Language::En, false) => format!("By {field}, ascending"),
        (Language::En, true) => format!("By {field}, descending"),
    }
}

/// The default title when the request has none.
pub(crate) fn title_of(req: &ExportRequest) -> String {
    req.title
        .as_deref()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| {
            req.language
                .pick(
                    "生成式人工智能服务备案报告",
                    "Generative-AI service filings report",
                )
                .to_string()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_zero_filled_with_running_totals() {
        let m = zero_filled_months(&[
            ("2023-11".into(), 2),
            ("2024-02".into(), 3),
            ("2024-03".into(), 1),
        ]);
        let got: Vec<(&str, u64, u64)> = m
            .iter()
            .map(|x| (x.month.as_str(), x.count, x.cumulative))
            .collect();
        assert_eq!(
            got,
            vec![
                ("2023-11", 2, 2),
                ("2023-12", 0, 2),
                ("2024-01", 0, 2),
                ("2024-02", 3, 5),
                ("2024-03", 1, 6)
            ]
        );
        assert!(zero_filled_months(&[]).is_empty());
    }

    #[test]
    fn as_of_narrows_the_filter() {
        let mut req = ExportRequest {
            format: ExportFormat::Csv,
            path: "x.csv".into(),
            filter: FilingFilter::default(),
            sort: None,
            as_of: Some("2024-03-31".into()),
            language: Language::Zh,
            csv_encoding: CsvEncoding::Utf8Bom,
            now: "2026-01-01T00:00:00Z".into(),
            title: None,
        };
        assert_eq!(
            effective_filter(&req).unwrap().to.as_deref(),
            Some("2024-03-31")
        );
        req.filter.to = Some("2024-01-31".into());
        assert_eq!(
            effective_filter(&req).unwrap().to.as_deref(),
            Some("2024-01-31")
        );
        req.filter.to = Some("2025-01-31".into());
        assert_eq!(
            effective_filter(&req).unwrap().to.as_deref(),
            Some("2024-03-31")
        );
        req.as_of = Some("March".into());
        assert_eq!(effective_filter(&req).unwrap_err().code(), "usage");
    }

    #[test]
    fn encodings_parse() {
        assert_eq!(CsvEncoding::parse("utf-8-bom"), Some(CsvEncoding::Utf8Bom));
        assert_eq!(CsvEncoding::parse("UTF8"), Some(CsvEncoding::Utf8));
        assert_eq!(CsvEncoding::parse("gb18030"), Some(CsvEncoding::Gb18030));
        assert_eq!(CsvEncoding::parse("latin1"), None);
    }
}
