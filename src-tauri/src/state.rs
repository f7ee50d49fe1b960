//! What the shell keeps between commands: the open registry, the import plan awaiting
//! confirmation, and the flag that cancels a running import.

use beian::error::ErrorPayload;
use beian::import::ReadOptions;
use beian::location::{self, Location, LocationSource};
use beian::query::FilingQuery;
use beian::registry::{default_db_path, Registry};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

/// The registry behind a mutex: rusqlite connections are `Send` but not `Sync`. A failed open is
/// kept as its error so the window still opens and can say why (and offer a restore).
pub struct AppState {
    /// Where the open registry lives; changed only by `switch`, under the registry's lock.
    location: Mutex<Location>,
    registry: Mutex<Result<Registry, ErrorPayload>>,
    /// The subsidy evaluation's own connection to the same file, opened on first use. A first
    /// evaluation at a million filings takes seconds; on the registry's connection it held
    /// every other screen's query until it was done (the Filings screen waited 5 s). Its kept
    /// inputs follow writes made through the other connections (the filings' write count, and
    /// SQLite's data_version for the facts). Rules and company facts are written through it,
    /// so that they keep its inputs (see `commands_reports`); the main connection's kept
    /// figures follow the filings' write count only, so these writes keep them too. Kept with the path it was opened at: a switch to another file
    /// opens it again.
    evaluator: Mutex<Option<(PathBuf, Registry)>>,
    pending: Mutex<Option<PendingImport>>,
    next_token: AtomicU64,
    /// Read by the import's progress callback; set by `cancel_import`.
    pub cancel: Arc<AtomicBool>,
    /// One import at a time: two writers would only wait on each other's transaction.
    pub importing: AtomicBool,
    /// How many filings were written by hand (or restored): a preparation waits for the last.
    hand_writes: AtomicU64,
}

/// A previewed file: what `apply_import` needs to import it as the person saw it. Its rows are
/// not kept (a million planned rows held about 1.2 GB): the import reads the file again, and
/// refuses it if its bytes are no longer those of the preview.
#[derive(Clone)]
pub struct PendingImport {
    pub token: u64,
    pub path: PathBuf,
    pub options: ReadOptions,
    pub sha256: String,
}

/// What Settings asks for: open a registry that exists, start a new one, or go back to the default.
pub enum Switch {
    Open(PathBuf),
    Create(PathBuf),
    Default,
}

/// Timestamps in the same form as the CLI writes them, so the audit trail reads the same.
pub fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

pub fn app_error(code: &str, message: impl Into<String>) -> ErrorPayload {
    ErrorPayload {
        code: code.to_string(),
        message: message.into(),
        detail: None,
    }
}

impl AppState {
    /// Opens the registry where `location` says (`BEIAN_DB`, the remembered choice, the default).
    pub fn open(location: Location) -> AppState {
        let registry = location.open(&now()).map_err(|e| e.payload());
        AppState {
            location: Mutex::new(location),
            registry: Mutex::new(registry),
            evaluator: Mutex::new(None),
            pending: Mutex::new(None),
            next_token: AtomicU64::new(1),
            cancel: Arc::new(AtomicBool::new(false)),
            importing: AtomicBool::new(false),
            hand_writes: AtomicU64::new(0),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Result<Registry, ErrorPayload>> {
        // A panic inside a command poisons the mutex; the registry itself is still consistent
        // (SQLite rolled back), so keep serving rather than failing every later call.
        self.registry.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `f` on the open registry, mapping core errors to the IPC payload.
    pub fn with<T>(
        &self,
        f: impl FnOnce(&mut Registry) -> beian::error::Result<T>,
    ) -> Result<T, ErrorPayload> {
        let mut guard = self.lock();
        match guard.as_mut() {
            Ok(reg) => f(reg).map_err(|e| e.payload()),
            Err(e) => Err(e.clone()),
        }
    }

    /// Runs `f` on the evaluation's connection (see `evaluator`), opening it first if needed.
    pub fn evaluate<T>(
        &self,
        f: impl FnOnce(&mut Registry) -> beian::error::Result<T>,
    ) -> Result<T, ErrorPayload> {
        if let Some(e) = self.open_error() {
            return Err(e);
        }
        let path = self.db_path();
        let mut guard = self.lock_evaluator();
        if guard.as_ref().is_none_or(|(at, _)| *at != path) {
            *guard = None;
            let reg = Registry::open_existing(&path).map_err(|e| e.payload())?;
            *guard = Some((path, reg));
        }
        let (_, reg) = guard.as_mut().expect("just opened");
        f(reg).map_err(|e| e.payload())
    }

    fn lock_evaluator(&self) -> MutexGuard<'_, Option<(PathBuf, Registry)>> {
        self.evaluator.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Lets go of the evaluation's kept inputs, which a write has made stale: about 280 MiB
    /// at a million filings, otherwise held until the next evaluation. Skipped when
    /// an evaluation is running (it reads again anyway).
    pub fn release_evaluation(&self) {
        if let Ok(guard) = self.evaluator.try_lock() {
            if let Some((_, reg)) = guard.as_ref() {
                reg.release_evaluation();
            }
        }
    }

    /// After an import: works the evaluation's layout out for the new filings in the
    /// background, on the evaluation's connection, so that the next Subsidies visit reads it
    /// back rather than every filing (see `Registry::prepare_evaluation_layout`). A failure
    /// only leaves that work to the visit.
    pub fn prepare_evaluation(&self) {
        let _ = self.evaluate(|reg| reg.prepare_evaluation_layout());
    }

    /// Counts a write made by hand; returns its place among them.
    pub fn note_hand_write(&self) -> u64 {
        self.hand_writes.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// Whether `write` is still the latest write made by hand.
    pub fn latest_hand_write(&self, write: u64) -> bool {
        self.hand_writes.load(Ordering::SeqCst) == write
    }

    pub fn location(&self) -> Location {
        self.location
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn db_path(&self) -> PathBuf {
        self.location().path
    }

    /// Opens another registry (or starts one) and makes it the app's from now on. On failure the
    /// registry that was open stays open and nothing is remembered.
    pub fn switch(&self, to: Switch) -> Result<(), ErrorPayload> {
        let mut guard = self.lock();
        let mut location = self.location.lock().unwrap_or_else(|p| p.into_inner());
        if location.source == LocationSource::Env {
            return Err(app_error(
                "location_fixed",
                "BEIAN_DB names the database; unset it to choose one here",
            ));
        }
        let default_db = default_db_path();
        let (path, opened) = match to {
            Switch::Open(p) => {
                let r = Registry::open_existing(&p);
                (p, r)
            }
            Switch::Create(p) => {
                let r = Registry::create_seeded(&p, &now());
                (p, r)
            }
            Switch::Default => {
                let r = Registry::open_or_seed(&default_db, &now());
                (default_db.clone(), r)
            }
        };
        let reg = opened.map_err(|e| e.payload())?;
        *self.lock_evaluator() = None;
        let chosen = (path != default_db).then_some(path.as_path());
        location::remember(&default_db, chosen).map_err(|e| e.payload())?;
        *location = Location {
            source: if chosen.is_some() {
                LocationSource::Chosen
            } else {
                LocationSource::Default
            },
            path,
        };
        *self.pending.lock().unwrap_or_else(|p| p.into_inner()) = None;
        *guard = Ok(reg);
        Ok(())
    }

    /// Asks what the first screen asks for (the first page of filings and the facet counts, as
    /// `public/launch.js` sends them) and drops the answers: meanwhile WebKit starts its
    /// processes, so the counts the store keeps and the pages both read are in memory when the
    /// window's own requests come. At 1M filings that is about 20 ms the launch no longer waits.
    pub fn prepare_first_screen(&self) {
        let query = FilingQuery::default();
        // An error here is the window's to show, when it asks the same.
        let _ = self.with(|r| {
            r.list(&query)?;
            r.facets(&query.filter)
        });
    }

    /// The reason the registry is not open, if it is not.
    pub fn open_error(&self) -> Option<ErrorPayload> {
        self.lock().as_ref().err().cloned()
    }

    /// Replaces the database with a backup. The open connection is closed first (holding the
    /// lock so no command uses it meanwhile): the core swaps the file and its WAL underneath.
    pub fn restore(&self, backup: &Path) -> Result<(), ErrorPayload> {
        let mut guard = self.lock();
        // Every connection to the file closes before it is swapped; held, none reopens meanwhile.
        let mut evaluator = self.lock_evaluator();
        *evaluator = None;
        *guard = Err(app_error("registry_unavailable", "restoring a backup"));
        *self.pending.lock().unwrap_or_else(|p| p.into_inner()) = None;
        let db_path = self.db_path();
        match Registry::restore_from(backup, &db_path) {
            Ok(reg) => {
                *guard = Ok(reg);
                Ok(())
            }
            Err(e) => {
                // The core leaves the old file in place when a restore fails: reopen it.
                *guard = Registry::open(&db_path).map_err(|e| e.payload());
                Err(e.payload())
            }
        }
    }

    /// Keeps a previewed file for `apply_import` and returns its token; an older one is dropped.
    pub fn keep_preview(&self, path: PathBuf, options: ReadOptions, sha256: String) -> u64 {
        let token = self.next_token.fetch_add(1, Ordering::Relaxed);
        *self.pending.lock().unwrap_or_else(|p| p.into_inner()) = Some(PendingImport {
            token,
            path,
            options,
            sha256,
        });
        token
    }

    /// The previewed file with this token, if it is still the latest one.
    pub fn previewed(&self, token: u64) -> Option<PendingImport> {
        let guard = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        guard.as_ref().filter(|p| p.token == token).cloned()
    }

    pub fn forget_plan(&self, token: u64) {
        let mut guard = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        if guard.as_ref().is_some_and(|p| p.token == token) {
            *guard = None;
        }
    }
}
