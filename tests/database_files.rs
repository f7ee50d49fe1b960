//! Opening and starting database files by name, as the app's Settings screen does: a missing
//! file is not silently created, an existing file is never replaced, another program's database
//! is refused untouched.

use beian::registry::Registry;

const NOW: &str = "2026-11-28T00:00:00Z";

#[test]
fn a_new_database_holds_the_bundled_filings() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("team").join("registry.sqlite");
    let reg = Registry::create_seeded(&path, NOW).unwrap();
    let batches = reg.batches().unwrap();
    assert_eq!(batches.len(), 1);
    assert_eq!(batches[0].inserted, 18);
}

#[test]
fn a_new_database_never_replaces_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("notes.sqlite");
    std::fs::write(&path, b"my notes").unwrap();
    let err = Registry::create_seeded(&path, NOW).err().expect("refused");
    assert_eq!(err.code(), "database_exists");
    assert!(err.to_string().contains("Open it instead"), "{err}");
    assert_eq!(std::fs::read(&path).unwrap(), b"my notes");
}

#[test]
fn opening_a_missing_file_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("typo.sqlite");
    let err = Registry::open_existing(&path).err().expect("refused");
    assert_eq!(err.code(), "file_not_found");
    assert!(!path.exists());
}

#[test]
fn opening_an_existing_registry_sees_its_filings() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.sqlite");
    drop(Registry::create_seeded(&path, NOW).unwrap());
    let reg = Registry::open_existing(&path).unwrap();
    assert_eq!(reg.batches().unwrap().len(), 1);
}

#[test]
fn opening_a_text_file_is_refused_and_leaves_it_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("list.sqlite");
    std::fs::write(&path, "序号,属地\n".repeat(20)).unwrap();
    let before = std::fs::read(&path).unwrap();
    let err = Registry::open_existing(&path).err().expect("refused");
    assert_eq!(err.code(), "not_a_database");
    assert!(std::fs::read(&path).unwrap() == before);
}
