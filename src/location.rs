//! Where the registry lives. `--db` / `BEIAN_DB` win; else the file a person chose in the app's
//! Settings (remembered in `location.json` beside the default database, so the CLI follows the
//! app); else the default file in the user's data directory.
//!
//! A chosen file that has gone missing (an unmounted share, a renamed folder) is reported, not
//! silently replaced by a new registry at the same path.

use crate::error::{Error, Result};
use crate::registry::{default_db_path, Registry};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use ts_rs::TS;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum LocationSource {
    /// `BEIAN_DB` (or `--db`) names the file; the app cannot change it.
    Env,
    /// Chosen in Settings and remembered.
    Chosen,
    /// The user data directory.
    Default,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub path: PathBuf,
    pub source: LocationSource,
}

#[derive(Serialize, Deserialize)]
struct Remembered {
    database: PathBuf,
}

/// The file that remembers the chosen database: beside the default one.
pub fn settings_file(default_db: &Path) -> PathBuf {
    default_db.with_file_name("location.json")
}

/// Resolves the location from an explicit path (`BEIAN_DB`), the remembered choice and the
/// default path. An unreadable or malformed settings file counts as no choice: the default
/// registry is always reachable.
pub fn resolve(explicit: Option<PathBuf>, default_db: &Path) -> Location {
    if let Some(path) = explicit.filter(|p| !p.as_os_str().is_empty()) {
        return Location {
            path,
            source: LocationSource::Env,
        };
    }
    let chosen = std::fs::read(settings_file(default_db))
        .ok()
        .and_then(|bytes| serde_json::from_slice::<Remembered>(&bytes).ok())
        .map(|r| r.database)
        .filter(|p| p.is_absolute());
    match chosen {
        Some(path) => Location {
            path,
            source: LocationSource::Chosen,
        },
        None => Location {
            path: default_db.to_path_buf(),
            source: LocationSource::Default,
        },
    }
}

/// `BEIAN_DB`, else the remembered choice, else the user data directory.
pub fn current() -> Location {
    resolve(
        std::env::var_os("BEIAN_DB").map(PathBuf::from),
        &default_db_path(),
    )
}

/// Remembers `path` as the database to open from now on, or forgets the choice (`None`) so the
/// default applies again. Written to a temporary file and renamed, so a crash leaves either the
/// old choice or the new one.
pub fn remember(default_db: &Path, path: Option<&Path>) -> Result<()> {
    let file = settings_file(default_db);
    match path {
        None => match std::fs::remove_file(&file) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io(&file, e)),
            _ => Ok(()),
        },
        Some(p) => {
            if let Some(dir) = file.parent() {
                std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
            }
            let json = serde_json::to_vec_pretty(&Remembered {
                database: p.to_path_buf(),
            })
            .map_err(|e| Error::Usage(e.to_string()))?;
            let tmp = file.with_extension("json.partial");
            std::fs::write(&tmp, json).map_err(|e| Error::io(&tmp, e))?;
            std::fs::rename(&tmp, &file).map_err(|e| Error::io(&file, e))
        }
    }
}

impl Location {
    /// Opens the registry here. The default file and an explicit one are created (and seeded)
    /// on first use; a remembered choice must still exist.
    pub fn open(&self, now: &str) -> Result<Registry> {
        match self.source {
            LocationSource::Chosen => Registry::open_existing(&self.path),
            LocationSource::Env | LocationSource::Default => {
                Registry::open_or_seed(&self.path, now)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explicit_wins_then_the_choice_then_the_default() {
        let dir = tempfile::tempdir().unwrap();
        let default_db = dir.path().join("beian").join("beian.sqlite");
        let chosen = dir.path().join("shared").join("team.sqlite");

        let l = resolve(None, &default_db);
        assert_eq!(
            (l.path.as_path(), l.source),
            (default_db.as_path(), LocationSource::Default)
        );

        remember(&default_db, Some(&chosen)).unwrap();
        let l = resolve(None, &default_db);
        assert_eq!(
            (l.path.as_path(), l.source),
            (chosen.as_path(), LocationSource::Chosen)
        );

        let env = dir.path().join("env.sqlite");
        let l = resolve(Some(env.clone()), &default_db);
        assert_eq!((l.path, l.source), (env, LocationSource::Env));

        remember(&default_db, None).unwrap();
        assert_eq!(resolve(None, &default_db).source, LocationSource::Default);
        // Forgetting twice is not an error.
        remember(&default_db, None).unwrap();
    }

    #[test]
    fn a_damaged_settings_file_falls_back_to_the_default() {
        let dir = tempfile::tempdir().unwrap();
        let default_db = dir.path().join("beian.sqlite");
        std::fs::write(settings_file(&default_db), b"{\"database\": ").unwrap();
        assert_eq!(resolve(None, &default_db).source, LocationSource::Default);
        std::fs::write(
            settings_file(&default_db),
            b"{\"database\": \"relative.sqlite\"}",
        )
        .unwrap();
        assert_eq!(resolve(None, &default_db).source, LocationSource::Default);
    }

    #[test]
    fn a_chosen_file_that_went_missing_is_reported_not_recreated() {
        let dir = tempfile::tempdir().unwrap();
        let default_db = dir.path().join("beian.sqlite");
        let chosen = dir.path().join("gone.sqlite");
        remember(&default_db, Some(&chosen)).unwrap();
        let err = current_at(&default_db)
            .open("2026-11-28T00:00:00Z")
            .err()
            .unwrap();
        assert_eq!(err.code(), "file_not_found");
        assert!(!chosen.exists());
    }

    fn current_at(default_db: &Path) -> Location {
        resolve(None, default_db)
    }
}
