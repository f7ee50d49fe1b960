//! Migrations are all-or-nothing: a failing statement rolls its migration back, and so does a
//! SIGKILL in the middle of one. The kill test re-runs this test binary as a child that applies a
//! deliberately slow migration, and kills it at seeded random moments.

use super::*;
use crate::store::Store;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const V1: (i64, &str) = MIGRATIONS[0];

fn open(path: &Path) -> Connection {
    let c = Connection::open(path).unwrap();
    c.query_row("PRAGMA journal_mode = WAL", [], |_| Ok(()))
        .unwrap();
    c
}

fn version(c: &Connection) -> i64 {
    c.query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap()
}

fn has_table(c: &Connection, name: &str) -> bool {
    c.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
        [name],
        |r| r.get::<_, i64>(0),
    )
    .unwrap()
        == 1
}

fn schema_1_with_a_batch(path: &Path) -> Connection {
    let mut c = open(path);
    apply(&mut c, 0, &[V1]).unwrap();
    c.execute(
        "INSERT INTO batches (file_name, sha256, size, encoding, imported_at) \
         VALUES ('a.csv', 'abc', 1, 'UTF-8', '2024-01-01T00:00:00Z')",
        [],
    )
    .unwrap();
    c
}

#[test]
fn a_failing_migration_rolls_back_to_the_previous_version() {
    let dir = tempfile::tempdir().unwrap();
    let mut c = schema_1_with_a_batch(&dir.path().join("db.sqlite"));
    let broken = "CREATE TABLE added_by_v2 (x INTEGER); \
                  ALTER TABLE batches ADD COLUMN note TEXT; \
                  INSERT INTO no_such_table VALUES (1);";
    let e = apply(&mut c, 1, &[V1, (2, broken)]).unwrap_err();
    assert!(e.to_string().contains("no_such_table"), "{e}");
    assert_eq!(version(&c), 1);
    assert!(!has_table(&c, "added_by_v2"));
    let cols: Vec<String> = c
        .prepare("SELECT name FROM pragma_table_info('batches')")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert!(!cols.contains(&"note".to_string()));
    let n: i64 = c
        .query_row("SELECT count(*) FROM batches", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
}

/// Version 2 of the kill test: a table filled with enough rows to take a while.
const SLOW_V2: &str = "CREATE TABLE added_by_v2 (x INTEGER, pad TEXT); \
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000) \
    INSERT INTO added_by_v2 SELECT i, hex(randomblob(32)) FROM n; \
    CREATE INDEX added_by_v2_pad ON added_by_v2(pad);";

/// The child side of the kill test: does nothing unless the parent set the variable.
#[test]
fn slow_migration_child() {
    let Some(path) = std::env::var_os("BEIAN_MIGRATION_CHILD_DB") else {
        return;
    };
    let mut c = open(Path::new(&path));
    let current = version(&c);
    apply(&mut c, current, &[V1, (2, SLOW_V2)]).unwrap();
}

#[test]
fn a_migration_killed_midway_leaves_the_previous_version() {
    let dir = tempfile::tempdir().unwrap();
    let spawn = |db: &Path| {
        Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "store::migrate::tests::slow_migration_child"])
            .env("BEIAN_MIGRATION_CHILD_DB", db)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let timing = dir.path().join("timing.sqlite");
    drop(schema_1_with_a_batch(&timing));
    let t = Instant::now();
    assert!(spawn(&timing).wait().unwrap().success());
    let full = t.elapsed();
    assert_eq!(version(&open(&timing)), 2, "the child must really migrate");

    let mut x: u64 = 0x9E37_79B9;
    let (mut before, mut after) = (0, 0);
    for round in 0..6 {
        let db = dir.path().join(format!("r{round}.sqlite"));
        drop(schema_1_with_a_batch(&db));
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let delay = Duration::from_micros(x % (full.as_micros() as u64 * 11 / 10).max(1));
        let mut child = spawn(&db);
        std::thread::sleep(delay);
        let _ = child.kill(); // SIGKILL
        child.wait().unwrap();

        let c = open(&db);
        let ok: String = c
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        assert_eq!(ok, "ok", "round {round}");
        let batches: i64 = c
            .query_row("SELECT count(*) FROM batches", [], |r| r.get(0))
            .unwrap();
        assert_eq!(batches, 1, "round {round}");
        match version(&c) {
            1 => {
                before += 1;
                assert!(!has_table(&c, "added_by_v2"), "round {round}");
            }
            2 => {
                after += 1;
                let n: i64 = c
                    .query_row("SELECT count(*) FROM added_by_v2", [], |r| r.get(0))
                    .unwrap();
                assert_eq!(n, 50_000, "round {round}");
            }
            v => panic!("round {round}: version {v}"),
        }
    }
    eprintln!("migration killed (full run {full:?}): at v1 {before}, at v2 {after}");
}

#[test]
fn a_schema_3_registry_gains_the_browse_indexes_and_keeps_its_filings() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    let mut c = schema_1_with_a_batch(&path);
    apply(&mut c, 1, &MIGRATIONS[..3]).unwrap();
    assert_eq!(version(&c), 3);
    c.execute_batch(
        "INSERT INTO filings (number, number_key, kind, region, model, company, filed_on, seq,
                              flags, first_batch_id, last_batch_id, created_at, updated_at)
         VALUES ('Beijing-A-20240101', 'beijing-a-20240101', 'filed', '北京市', 'A', '甲公司',
                 '2024-01-11', 1, '', 1, 1, 'x', 'x'),
                ('Beijing-B-20240101', 'beijing-b-20240101', 'filed', '北京市', 'B', '乙公司',
                 '2024-01-11', 2, 'stray_leading_char', 1, 1, 'x', 'x');",
    )
    .unwrap();
    drop(c);
    let mut c = open(&path);
    migrate(&mut c, &path).unwrap();
    assert_eq!(version(&c), LATEST_SCHEMA);
    for index in [
        "filings_listed",
        "filings_region_id",
        "filings_flagged",
        "filings_region_number",
        "filings_region_company",
        "filings_region_model",
    ] {
        let n: i64 = c
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = ?1",
                [index],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 1, "{index}");
    }
    // The partial index holds the flagged filing only.
    let flagged: i64 = c
        .query_row(
            "SELECT count(*) FROM filings INDEXED BY filings_flagged WHERE flags <> ''",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(flagged, 1);
    let ok: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
}

#[test]
fn another_programs_database_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("contacts.sqlite");
    {
        let c = Connection::open(&path).unwrap();
        c.execute_batch("CREATE TABLE contacts (name TEXT); INSERT INTO contacts VALUES ('x');")
            .unwrap();
    }
    let before = std::fs::read(&path).unwrap();
    let err = crate::store::Store::open(&path)
        .err()
        .expect("a foreign database is refused");
    assert_eq!(err.code(), "not_a_database");
    assert!(
        err.to_string().contains("another program's tables"),
        "{err}"
    );
    assert!(
        std::fs::read(&path).unwrap() == before,
        "the file was changed"
    );
    let c = Connection::open(&path).unwrap();
    assert_eq!(version(&c), 0);
    assert!(!has_table(&c, "filings"));
}

#[test]
fn an_empty_sqlite_file_becomes_a_registry() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.sqlite");
    Connection::open(&path)
        .unwrap()
        .execute_batch("VACUUM")
        .unwrap();
    let store = crate::store::Store::open(&path).unwrap();
    assert_eq!(store.schema_version().unwrap(), LATEST_SCHEMA);
}

const INSERT_TWO: &str =
    "INSERT INTO filings (number, number_key, kind, region, model, company, filed_on, seq,
                          flags, first_batch_id, last_batch_id, created_at, updated_at)
     VALUES ('Beijing-A-20240101', 'beijing-a-20240101', 'filed', '北京市', 'A', '甲公司',
             '2024-01-11', 1, '', 1, 1, 'x', 'x'),
            ('Beijing-B-20240101', 'beijing-b-20240101', 'filed', '北京市', 'B', '乙公司',
             '2024-01-11', 2, '', 1, 1, 'x', 'x');";

#[test]
fn schema_6_counts_every_write_to_the_filings() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    let mut c = schema_1_with_a_batch(&path);
    apply(&mut c, 1, &MIGRATIONS[..5]).unwrap();
    c.execute_batch(INSERT_TWO).unwrap();
    drop(c);

    // A backup from before schema 6, inspected read-only (not migrated), still has a version.
    let old = Store::open_read_only(&path).unwrap();
    let v = old.filings_version().unwrap();
    assert_eq!(old.filings_version().unwrap(), v);
    drop(old);

    let mut c = open(&path);
    migrate(&mut c, &path).unwrap();
    assert_eq!(version(&c), LATEST_SCHEMA);
    let n = |c: &Connection| -> i64 {
        c.query_row("SELECT n FROM filings_generation", [], |r| r.get(0))
            .unwrap()
    };
    assert_eq!(n(&c), 0);
    c.execute("UPDATE filings SET model = 'A2' WHERE model = 'A'", [])
        .unwrap();
    assert_eq!(n(&c), 1);
    c.execute("DELETE FROM filings", []).unwrap();
    assert_eq!(n(&c), 3);
    c.execute_batch(INSERT_TWO).unwrap();
    assert_eq!(n(&c), 5);
    // Other tables leave it alone.
    c.execute(
        "INSERT INTO batches (file_name, sha256, size, encoding, imported_at) \
         VALUES ('b.csv', 'def', 1, 'UTF-8', '2024-01-02T00:00:00Z')",
        [],
    )
    .unwrap();
    assert_eq!(n(&c), 5);
}

/// Filings written and rolled back put the write count back where it was; the version must
/// still move, or figures kept from the rolled-back rows would pass for current once as many
/// other writes were made.
#[test]
fn filings_rolled_back_still_move_the_filings_version() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    let mut c = schema_1_with_a_batch(&path);
    migrate(&mut c, &path).unwrap();
    drop(c);
    let store = Store::open(&path).unwrap();
    let before = store.filings_version().unwrap();
    let tx = store.conn.unchecked_transaction().unwrap();
    tx.execute_batch(INSERT_TWO).unwrap();
    let inside = store.filings_version().unwrap();
    assert_ne!(inside, before);
    tx.rollback().unwrap();
    let after = store.filings_version().unwrap();
    assert_eq!(after.0, before.0, "the write count is back");
    assert_ne!(after, before);
    assert_ne!(after, inside);
}

/// Schema 8 makes the search index again with one-character prefixes; every filing's document
/// is worked out again from its fields, so each query matches the filings it matched before.
#[test]
fn schema_8_indexes_single_characters_and_matches_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db.sqlite");
    let mut c = schema_1_with_a_batch(&path);
    apply(&mut c, 1, &MIGRATIONS[..7]).unwrap();
    assert_eq!(version(&c), 7);
    let rows = [
        (
            "文心一言",
            "北京百度网讯科技有限公司",
            "Beijing-WenXinYiYan-20230821",
        ),
        (
            "智谱清言 (ChatGLM)",
            "北京智谱华章科技有限公司",
            "Beijing-ChatGLM-20230821",
        ),
        (
            "云雀",
            "北京抖音信息服务有限公司",
            "Beijing-YunQue-20230821",
        ),
        (
            "文生图",
            "上海ＡＢＣ科技有限公司",
            "Shanghai-WenShengTu-202401050001",
        ),
        (
            "医疗助手",
            "杭州文医科技有限公司",
            "Zhejiang-YiLiao-20240105",
        ),
    ];
    for (i, (model, company, number)) in rows.iter().enumerate() {
        c.execute(
            "INSERT INTO filings (id, number, number_key, kind, region, model, company,
                 filed_on, seq, flags, first_batch_id, last_batch_id, created_at, updated_at)
             VALUES (?1, ?2, lower(?2), 'filed', '北京市', ?3, ?4, '2024-01-11', ?1, '', 1, 1,
                     'x', 'x')",
            rusqlite::params![i as i64 + 1, number, model, company],
        )
        .unwrap();
        c.execute(
            "INSERT INTO filing_search (rowid, grams) VALUES (?, ?)",
            rusqlite::params![
                i as i64 + 1,
                crate::search::index_text(&[model, company, number])
            ],
        )
        .unwrap();
    }
    // A filing deleted from the table and from the index (as an edit or restore does).
    c.execute("DELETE FROM filings WHERE id = 3", []).unwrap();
    c.execute("DELETE FROM filing_search WHERE rowid = 3", [])
        .unwrap();
    let queries = [
        "文", "文心", "智", "a", "w", "2", "abc", "医疗", "科技", "云",
    ];
    let matched = |c: &Connection| -> Vec<Vec<i64>> {
        queries
            .iter()
            .map(|q| {
                let expr = crate::search::match_expression(q).unwrap();
                let mut ids: Vec<i64> = c
                    .prepare("SELECT rowid FROM filing_search WHERE filing_search MATCH ?")
                    .unwrap()
                    .query_map([expr], |r| r.get(0))
                    .unwrap()
                    .map(|r| r.unwrap())
                    .collect();
                ids.sort();
                ids
            })
            .collect()
    };
    let before = matched(&c);
    assert_eq!(before[0], [1, 4, 5], "文");
    drop(c);
    let mut c = open(&path);
    migrate(&mut c, &path).unwrap();
    assert_eq!(version(&c), LATEST_SCHEMA);
    let sql: String = c
        .query_row(
            "SELECT sql FROM sqlite_master WHERE name = 'filing_search'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(sql.contains("prefix = '1'"), "{sql}");
    assert_eq!(matched(&c), before);
    let ok: String = c
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
}
