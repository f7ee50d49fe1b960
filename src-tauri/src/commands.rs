//! The commands the UI invokes. Each one translates its arguments, calls the core and maps errors
//! to `{code, message, detail}`; none holds SQL or parsing. Commands run with `async` so a slow
//! query or a large file never blocks the window's main thread.

use crate::state::{app_error, now, AppState, Switch};
use beian::error::ErrorPayload;
use beian::filing::FilingFields;
use beian::import::plan::ImportPlan;
use beian::import::ReadOptions;
use beian::location::LocationSource;
use beian::number::NumberCheck;
use beian::query::{
    BatchChange, BatchInfo, Facets, FilingDetail, FilingFilter, FilingPage, FilingQuery,
};
use beian::region::{Region, Regions};
use beian::registry::{default_db_path, ImportMode, ImportSummary, Registry};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};
use tauri::{AppHandle, Emitter, Manager, State};
use ts_rs::TS;

type Res<T> = Result<T, ErrorPayload>;

/// How many planned rows cross IPC with a preview. The screen shows the first rows of each table;
/// counts, errors and warnings always cover the whole file.
const PREVIEW_ROWS: usize = 200;

/// At most this often the import reports progress: enough for a smooth bar, few enough events.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct AppInfo {
    pub version: String,
    /// Where the registry lives.
    pub db_path: String,
    /// Why it lives there: `BEIAN_DB`, a file chosen in Settings, or the default.
    pub db_source: LocationSource,
    /// The default file, for "back to the default location".
    pub default_db_path: String,
    /// Why the registry could not be opened, if it could not.
    pub db_error: Option<ErrorPayload>,
}

/// An import preview: the plan (rows cut to the first few) and the token that confirms it.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ImportPreview {
    #[ts(type = "number")]
    pub token: u64,
    pub path: String,
    pub plan: ImportPlan,
}

/// Payload of the `import-progress` event.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export)]
pub struct ImportProgress {
    #[ts(type = "number")]
    pub done: u64,
    #[ts(type = "number")]
    pub total: u64,
}

#[tauri::command(async)]
pub fn app_info(state: State<'_, AppState>) -> Res<AppInfo> {
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION").to_string(),
        db_path: state.db_path().display().to_string(),
        db_source: state.location().source,
        default_db_path: default_db_path().display().to_string(),
        db_error: state.open_error(),
    })
}

#[tauri::command(async)]
pub fn regions() -> Vec<Region> {
    Regions::bundled().all().to_vec()
}

#[tauri::command(async)]
pub fn list_filings(state: State<'_, AppState>, query: FilingQuery) -> Res<FilingPage> {
    state.with(|r| r.list(&query))
}

#[tauri::command(async)]
pub fn filing_facets(state: State<'_, AppState>, filter: FilingFilter) -> Res<Facets> {
    state.with(|r| r.facets(&filter))
}

#[tauri::command(async)]
pub fn filing_detail(state: State<'_, AppState>, id: i64) -> Res<FilingDetail> {
    state.with(|r| r.filing(id))
}

#[tauri::command(async)]
pub fn list_batches(state: State<'_, AppState>) -> Res<Vec<BatchInfo>> {
    state.with(|r| r.batches())
}

#[tauri::command(async)]
pub fn batch_changes(state: State<'_, AppState>, id: i64) -> Res<Vec<BatchChange>> {
    state.with(|r| r.batch_changes(id))
}

#[tauri::command(async)]
pub fn check_number(
    state: State<'_, AppState>,
    number: String,
    region: Option<String>,
    filed_on: Option<String>,
) -> Res<NumberCheck> {
    state.with(|r| r.check_number(&number, region.as_deref(), filed_on.as_deref()))
}

#[tauri::command(async)]
pub fn add_filing(
    app: AppHandle,
    state: State<'_, AppState>,
    fields: FilingFields,
) -> Res<FilingDetail> {
    let added = state.with(|r| r.add_filing(fields, &now(), None))?;
    prepare_evaluation_when_quiet(app, &state);
    Ok(added)
}

#[tauri::command(async)]
pub fn edit_filing(
    app: AppHandle,
    state: State<'_, AppState>,
    id: i64,
    fields: FilingFields,
) -> Res<FilingDetail> {
    let edited = state.with(|r| r.edit_filing(id, fields, &now(), None).map(|(d, _)| d))?;
    prepare_evaluation_when_quiet(app, &state);
    Ok(edited)
}

/// How long after a filing written by hand the evaluation's layout is worked out again, unless
/// another is written meanwhile: a person fixing several filings in a row starts one
/// preparation (about 2 s of both cores at a million filings), not one per filing.
const QUIET_AFTER_HAND_WRITE: Duration = Duration::from_secs(2);

/// After a filing added or edited by hand, or a restore: lets go of the evaluation's stale
/// inputs and, once no other write has come for `QUIET_AFTER_HAND_WRITE`, prepares its layout
/// as after an import, so that the next Subsidies visit reads it back rather than every filing.
fn prepare_evaluation_when_quiet(app: AppHandle, state: &AppState) {
    state.release_evaluation();
    let write = state.note_hand_write();
    std::thread::spawn(move || {
        std::thread::sleep(QUIET_AFTER_HAND_WRITE);
        let state = app.state::<AppState>();
        if state.latest_hand_write(write) {
            state.prepare_evaluation();
        }
    });
}

/// Plans the import of the file at `path` and returns its first rows with every count and
/// issue; writes nothing. The open dialog and drag-and-drop both deliver paths, so both come
/// here (and so do the end-to-end tests). It reads through its own connection, so the other
/// screens keep answering while a big file is read.
#[tauri::command(async)]
pub fn plan_import_path(
    state: State<'_, AppState>,
    path: String,
    options: ReadOptions,
) -> Res<ImportPreview> {
    if let Some(e) = state.open_error() {
        return Err(e);
    }
    let p = PathBuf::from(&path);
    let plan = Registry::open_existing(&state.db_path())
        .and_then(|mut r| r.preview_import_file(&p, &options, PREVIEW_ROWS, &now()))
        .map_err(|e| e.payload())?;
    let token = state.keep_preview(p, options, plan.sha256.clone());
    Ok(ImportPreview { token, path, plan })
}

/// Applies the previewed plan on a worker thread, reporting `import-progress` events. It writes
/// through its own connection, so the Filings screen keeps answering (SQLite WAL) meanwhile.
#[tauri::command]
pub async fn apply_import(
    app: AppHandle,
    state: State<'_, AppState>,
    token: u64,
    keep_going: bool,
) -> Res<ImportSummary> {
    let previewed = state.previewed(token).ok_or_else(|| {
        app_error(
            "plan_expired",
            "the preview is no longer current; plan again",
        )
    })?;
    if let Some(e) = state.open_error() {
        return Err(e);
    }
    if state.importing.swap(true, Ordering::SeqCst) {
        return Err(app_error("busy", "another import is running"));
    }
    state.cancel.store(false, Ordering::SeqCst);
    let cancel = state.cancel.clone();
    let db = state.db_path();
    let result = tauri::async_runtime::spawn_blocking(move || {
        let mut reg = Registry::open(&db)?;
        let mut last: Option<Instant> = None;
        let mut progress = |done: u64, total: u64| {
            if done == total || last.is_none_or(|t| t.elapsed() >= PROGRESS_EVERY) {
                last = Some(Instant::now());
                // A lost progress event only makes the bar lag; the import goes on.
                let _ = app.emit("import-progress", ImportProgress { done, total });
            }
            !cancel.load(Ordering::SeqCst)
        };
        reg.import_file_as_previewed(
            &previewed.path,
            &previewed.options,
            Some(&previewed.sha256),
            ImportMode {
                keep_going,
                dry_run: false,
            },
            &now(),
            &mut progress,
        )
    })
    .await;
    state.importing.store(false, Ordering::SeqCst);
    let summary = match result {
        Ok(r) => r.map_err(|e| e.payload())?,
        Err(e) => {
            return Err(app_error(
                "unknown",
                format!("the import worker failed: {e}"),
            ))
        }
    };
    state.forget_plan(token);
    state.release_evaluation();
    state.prepare_evaluation();
    Ok(summary)
}

/// Asks a running import to stop; it rolls back and reports `cancelled`.
#[tauri::command]
pub fn cancel_import(state: State<'_, AppState>) {
    state.cancel.store(true, Ordering::SeqCst);
}

#[tauri::command(async)]
pub fn backup_to(state: State<'_, AppState>, path: String) -> Res<()> {
    state.with(|r| r.backup_to(Path::new(&path)))
}

#[tauri::command(async)]
pub fn restore_from(app: AppHandle, state: State<'_, AppState>, path: String) -> Res<()> {
    if state.importing.load(Ordering::SeqCst) {
        return Err(app_error("busy", "an import is running"));
    }
    state.restore(Path::new(&path))?;
    prepare_evaluation_when_quiet(app, &state);
    Ok(())
}

/// What Settings asks for: open a registry that exists, start a new one (holding the bundled
/// filings), or go back to the data directory's.
#[derive(Debug, Clone, Deserialize, TS)]
#[serde(tag = "action", rename_all = "snake_case")]
#[ts(export)]
pub enum DatabaseChoice {
    Open { path: String },
    Create { path: String },
    Default,
}

/// Switches the app to another registry; the choice is remembered for the next launch.
#[tauri::command(async)]
pub fn use_database(state: State<'_, AppState>, choice: DatabaseChoice) -> Res<()> {
    if state.importing.load(Ordering::SeqCst) {
        return Err(app_error("busy", "an import is running"));
    }
    state.switch(match choice {
        DatabaseChoice::Open { path } => Switch::Open(PathBuf::from(path)),
        DatabaseChoice::Create { path } => Switch::Create(PathBuf::from(path)),
        DatabaseChoice::Default => Switch::Default,
    })
}

/// The Filings screen calls this once, after its first rows are on screen. With
/// `BEIAN_LAUNCH_PROBE=<file>` set, the moment is written there as Unix milliseconds, so the
/// benchmark (`beian-bench app`) can time launch to first filings painted from outside. It is
/// also the moment the launch's queries are done, so the shell trims its allocator here.
#[tauri::command(async)]
pub fn first_paint(rows: u64, marks: Option<std::collections::BTreeMap<String, f64>>) -> Res<()> {
    static REPORTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if REPORTED.swap(true, Ordering::SeqCst) {
        return Ok(());
    }
    crate::webview::trim_allocator();
    write_probe("BEIAN_LAUNCH_PROBE", "painted_unix_ms", rows, marks)
}

/// The Filings screen calls this once, when React has painted its own rows (the plain copy
/// public/launch.js painted first cannot be clicked or typed into). With `BEIAN_READY_PROBE`
/// set, the moment is written there as [`first_paint`] writes its own.
#[tauri::command(async)]
pub fn app_ready(rows: u64, marks: Option<std::collections::BTreeMap<String, f64>>) -> Res<()> {
    static REPORTED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if REPORTED.swap(true, Ordering::SeqCst) {
        return Ok(());
    }
    write_probe("BEIAN_READY_PROBE", "ready_unix_ms", rows, marks)
}

fn write_probe(
    var: &str,
    key: &str,
    rows: u64,
    marks: Option<std::collections::BTreeMap<String, f64>>,
) -> Res<()> {
    let Some(path) = std::env::var_os(var) else {
        return Ok(());
    };
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    // The page's own milestones (ms since navigation start) show where a slow launch went.
    let marks = marks
        .unwrap_or_default()
        .iter()
        .map(|(k, v)| format!("{k}={v:.0}"))
        .collect::<Vec<_>>()
        .join(" ");
    let line = format!("{{\"{key}\":{ms},\"rows\":{rows},\"marks\":{marks:?}}}\n");
    std::fs::write(&path, line)
        .map_err(|e| app_error("probe_write", format!("writing the {var} probe: {e}")))
}
