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

/// The figures a connection keeps from the filings (counts, facet and company columns, the
/// subsidy evaluation's grouped filings) are kept at `filings_version`: the app writes rules
/// and company facts through the Subsidies screen's own connection, and those commits must not
/// make the main connection read a million filings again. A filing written by any connection
/// must.
#[test]
fn only_filing_writes_move_the_filings_version_of_other_connections() {
    use beian::filing::{FilingFields, Kind};
    use beian::subsidy::facts::{CompanyFactsUpdate, FactInput};

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("registry.sqlite");
    let main = Registry::create_seeded(&path, NOW).unwrap();
    let mut other = Registry::open_existing(&path).unwrap();
    let filings = |r: &Registry| r.store().filings_version().unwrap();
    let data = |r: &Registry| r.store().data_version().unwrap();
    let (kept, data_before) = (filings(&main), data(&main));

    other
        .set_rule_enabled("hangzhou-model-filing", false, NOW)
        .unwrap();
    other
        .set_company_facts(
            CompanyFactsUpdate {
                name: "北京百度网讯科技有限公司".into(),
                registered_city: Some(FactInput::entered("北京".into())),
                ..Default::default()
            },
            NOW,
        )
        .unwrap();
    assert_ne!(
        data(&main),
        data_before,
        "another connection's commits are seen"
    );
    assert_eq!(filings(&main), kept, "but they wrote no filing");

    let fields = |model: &str| FilingFields {
        number: "Beijing-CeShi-20250101".into(),
        kind: Kind::Filed,
        region: "北京市".into(),
        model: model.into(),
        company: "测试科技有限公司".into(),
        filed_on: chrono::NaiveDate::from_ymd_opt(2025, 1, 1),
        seq: None,
    };
    let added = other.add_filing(fields("测试"), NOW, None).unwrap();
    let after_add = filings(&main);
    assert_ne!(after_add, kept, "a filing added by another connection");
    other
        .edit_filing(added.filing.id, fields("测试二"), NOW, None)
        .unwrap();
    assert_ne!(
        filings(&main),
        after_add,
        "a filing edited by another connection"
    );
}
