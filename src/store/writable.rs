//! A database on a read-only disk or folder, or a file without write permission, fails inside
//! SQLite as "unable to open database file", which tells nobody what to do. Opening the file for
//! writing first (without writing to it) names the real cause before SQLite is involved.

use crate::error::{Error, Result};
use std::io::ErrorKind;
use std::path::Path;

pub(super) fn check_writable(path: &Path) -> Result<()> {
    // create(true) without truncate: an existing file is untouched; a missing one becomes the
    // empty file SQLite would create anyway.
    let probe = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(path);
    match probe {
        Ok(_) => Ok(()),
        Err(e) => {
            let advice = match e.kind() {
                ErrorKind::ReadOnlyFilesystem => {
                    "the database is on a read-only disk or folder, so nothing can be saved and \
                     nothing was changed; copy it somewhere writable (or remount the disk) and \
                     try again"
                }
                ErrorKind::PermissionDenied => {
                    "no permission to write the database, so nothing can be saved and nothing was \
                     changed; make the file and its folder writable and try again"
                }
                _ => return Err(Error::io(path, e)),
            };
            Err(Error::io(path, std::io::Error::new(e.kind(), advice)))
        }
    }
}
