//! Commands behind the dashboard, the Subsidies screen and exports. Like `commands.rs`, each one
//! translates its arguments, calls the core and maps errors to `{code, message, detail}`.

use crate::state::{app_error, now, AppState};
use beian::error::ErrorPayload;
use beian::export::{ExportRequest, ExportSummary, Language};
use beian::query::FilingFilter;
use beian::registry::{Registry, RuleInfo};
use beian::stats::{Completeness, PublishedTotal, StatsBy, StatsQuery, StatsReport};
use beian::subsidy::{CompanyFacts, CompanyFactsUpdate, EvaluationView, ResultsPage, Rule};
use chrono::NaiveDate;
use serde::Serialize;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use tauri::{AppHandle, Emitter, State};
use ts_rs::TS;

type Res<T> = Result<T, ErrorPayload>;

/// How many companies the dashboard's table lists.
const TOP_COMPANIES: u32 = 10;

/// At most this often an export reports progress.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

/// One export at a time, and the flag that cancels it. Kept here rather than in `AppState`: only
/// these commands read them, and a window runs one export at a time.
static EXPORTING: AtomicBool = AtomicBool::new(false);
static EXPORT_CANCEL: AtomicBool = AtomicBool::new(false);

/// Everything the dashboard draws, from one call so its figures come from one moment.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct Dashboard {
    /// The as-of date every figure honours (YYYY-MM-DD).
    pub as_of: String,
    pub regions: StatsReport,
    pub kinds: StatsReport,
    pub months: StatsReport,
    /// The top companies (ties at the cut kept); `groups` is how many companies there are.
    pub companies: StatsReport,
    /// National totals, so no filter applies to it.
    pub completeness: Completeness,
    /// Every published total, for the timeline's second line.
    pub published: Vec<PublishedTotal>,
}

/// Payload of the `export-progress` event.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ExportProgress {
    #[ts(type = "number")]
    pub done: u64,
    #[ts(type = "number")]
    pub total: u64,
}

fn day(as_of: &str) -> Res<NaiveDate> {
    NaiveDate::parse_from_str(as_of.trim(), "%Y-%m-%d").map_err(|_| {
        beian::Error::Usage(format!("{as_of:?} is not a date; write it as YYYY-MM-DD")).payload()
    })
}

#[tauri::command(async)]
pub fn dashboard(
    state: State<'_, AppState>,
    filter: FilingFilter,
    as_of: String,
) -> Res<Dashboard> {
    let as_of = day(&as_of)?.to_string();
    state.with(|r| {
        let q = |by: StatsBy, top: Option<u32>| StatsQuery {
            by,
            filter: filter.clone(),
            as_of: Some(as_of.clone()),
            top,
        };
        Ok(Dashboard {
            regions: r.stats(&q(StatsBy::Region, None))?,
            kinds: r.stats(&q(StatsBy::Kind, None))?,
            months: r.stats(&q(StatsBy::Month, None))?,
            companies: r.stats(&q(StatsBy::Company, Some(TOP_COMPANIES)))?,
            completeness: r.completeness(&as_of)?,
            published: r.published_totals(),
            as_of: as_of.clone(),
        })
    })
}

/// Every company in the registry with its number of filings (for the facts editor's list).
#[tauri::command(async)]
pub fn company_names(state: State<'_, AppState>) -> Res<StatsReport> {
    state.with(|r| {
        r.stats(&StatsQuery {
            by: StatsBy::Company,
            ..StatsQuery::default()
        })
    })
}

#[tauri::command(async)]
pub fn subsidy_rules(state: State<'_, AppState>) -> Res<Vec<RuleInfo>> {
    state.with(|r| r.list_rules())
}

/// Validates a rule document without saving it; `invalid` names the field at fault.
#[tauri::command(async)]
pub fn validate_rule(state: State<'_, AppState>, file_name: String, text: String) -> Res<Rule> {
    state.with(|r| r.validate_rule_text(&file_name, &text))
}

// Rules and company facts are written through the evaluation's own connection: it keeps the
// evaluation's inputs across its own writes to them (2.4 s to read again at 1M), where any
// other connection's commit makes it read everything again.
#[tauri::command(async)]
pub fn save_rule(state: State<'_, AppState>, file_name: String, text: String) -> Res<RuleInfo> {
    state.evaluate(|r| r.save_rule(&file_name, &text, &now(), None))
}

#[tauri::command(async)]
pub fn set_rule_enabled(state: State<'_, AppState>, id: String, enabled: bool) -> Res<RuleInfo> {
    state.evaluate(|r| r.set_rule_enabled(&id, enabled, &now()))
}

#[tauri::command(async)]
pub fn company_facts(state: State<'_, AppState>, name: String) -> Res<CompanyFacts> {
    state.with(|r| r.company_facts(&name))
}

#[tauri::command(async)]
pub fn set_company_facts(
    state: State<'_, AppState>,
    update: CompanyFactsUpdate,
) -> Res<CompanyFacts> {
    state.evaluate(|r| r.set_company_facts(update, &now()).map(|(f, _)| f))
}

/// At most this many enterprises per rule cross to the Subsidies screen at once (a page): at a
/// million filings a rule has hundreds of thousands, which IPC should not carry in one answer.
/// The totals count all of them; exports list all of them.
const SCREEN_RESULTS_PER_RULE: u32 = 500;

/// The evaluation with its reasons worded in the UI's language (`zh` or `en`). For every
/// enterprise, one page of each rule's results (`page`; else the first page); for one company,
/// all of its results.
#[tauri::command(async)]
pub fn evaluate_subsidies(
    state: State<'_, AppState>,
    rule: Option<String>,
    company: Option<String>,
    as_of: String,
    language: Language,
    page: Option<ResultsPage>,
) -> Res<EvaluationView> {
    let as_of = day(&as_of)?;
    let page = page.map_or(ResultsPage::first(SCREEN_RESULTS_PER_RULE as usize), |p| {
        ResultsPage {
            limit: p.limit.min(SCREEN_RESULTS_PER_RULE),
            ..p
        }
    });
    state.evaluate(|r| match company.as_deref() {
        None => r
            .evaluate_page(rule.as_deref(), as_of, page)
            .map(|report| report.render_page(language, page)),
        Some(c) => r
            .evaluate(rule.as_deref(), Some(c), as_of)
            .map(|report| report.render_for_screen(language, page.limit as usize)),
    })
}

/// Where a PDF export would find its CJK font; `None` when it would fail with `pdf_font_missing`.
#[tauri::command(async)]
pub fn pdf_font() -> Option<String> {
    beian::export::pdf_font_path()
        .ok()
        .map(|p| p.display().to_string())
}

/// Writes the export on a worker thread through its own connection, reporting `export-progress`
/// events; `cancel_export` stops it and no file is left behind. The time of export is read here.
#[tauri::command]
pub async fn export_report(
    app: AppHandle,
    state: State<'_, AppState>,
    mut request: ExportRequest,
) -> Res<ExportSummary> {
    if let Some(e) = state.open_error() {
        return Err(e);
    }
    if EXPORTING.swap(true, Ordering::SeqCst) {
        return Err(app_error("busy", "another export is running"));
    }
    request.now = now();
    EXPORT_CANCEL.store(false, Ordering::SeqCst);
    let db = state.db_path();
    let result = tauri::async_runtime::spawn_blocking(move || {
        let reg = Registry::open(&db)?;
        let mut last = Instant::now() - PROGRESS_EVERY;
        let mut progress = |done: u64, total: u64| {
            if done == total || last.elapsed() >= PROGRESS_EVERY {
                last = Instant::now();
                // A lost progress event only makes the bar lag; the export goes on.
                let _ = app.emit("export-progress", ExportProgress { done, total });
            }
            !EXPORT_CANCEL.load(Ordering::SeqCst)
        };
        reg.export(&request, &mut progress)
    })
    .await;
    EXPORTING.store(false, Ordering::SeqCst);
    match result {
        Ok(r) => r.map_err(|e| e.payload()),
        Err(e) => Err(app_error(
            "unknown",
            format!("the export worker failed: {e}"),
        )),
    }
}

#[tauri::command]
pub fn cancel_export() {
    EXPORT_CANCEL.store(true, Ordering::SeqCst);
}

const PNG_SIGNATURE: [u8; 8] = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

/// Saves a chart picture at the path the save dialog returned. Only PNG images to `.png` paths:
/// the page cannot use this to write anything else.
#[tauri::command(async)]
pub fn save_chart_png(path: String, bytes: Vec<u8>) -> Res<()> {
    let p = Path::new(&path);
    let is_png_path = p.extension().is_some_and(|e| e.eq_ignore_ascii_case("png"));
    if !is_png_path || !bytes.starts_with(&PNG_SIGNATURE) {
        return Err(app_error(
            "usage",
            "a chart is saved as a PNG image to a file ending in .png",
        ));
    }
    std::fs::write(p, &bytes).map_err(|e| beian::Error::io(p, e).payload())
}
