//! Crash safety: the `beian` binary is killed with SIGKILL at seeded random moments while it
//! imports a large file or edits a filing, and the database is reopened the way the app would.
//! It must pass `PRAGMA integrity_check` and hold the batch (or the edit) wholly or not at all.
//!
//! `cargo test` runs a few rounds on 10,000 rows; the long loop is
//! `BEIAN_CRASH_ROUNDS=25 BEIAN_CRASH_ROWS=60000 cargo test --release --test crash -- --nocapture`
//! (`BEIAN_CRASH_SEED` replays a particular run).

mod common;

use beian::store::Store;
use common::{delimited, seed_rows, Env};
use rusqlite::Connection;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn env_or(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn rounds() -> u64 {
    env_or("BEIAN_CRASH_ROUNDS", 5)
}

fn rows() -> usize {
    env_or("BEIAN_CRASH_ROWS", 10_000) as usize
}

/// xorshift64*, seeded: a failing run can be replayed with BEIAN_CRASH_SEED.
struct Rng(u64);

impl Rng {
    fn seeded() -> Rng {
        let seed = std::env::var("BEIAN_CRASH_SEED")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0x5EED_BEEF);
        eprintln!("BEIAN_CRASH_SEED={seed}");
        Rng(seed | 1)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) % n.max(1)
    }
}

fn big_file() -> Vec<u8> {
    let mut s = String::from("序号,属地,模型名称,备案单位,备案编号,备案时间\r\n");
    for i in 0..rows() {
        s.push_str(&format!(
            "{},北京市,模型{i},北京第{i}号科技有限公司,Beijing-Model{i}-20230821,2023/8/31\r\n",
            i + 1
        ));
    }
    s.into_bytes()
}

fn beian(db: &Path) -> Command {
    let mut c = Command::new(assert_cmd::cargo::cargo_bin("beian"));
    c.arg("--db")
        .arg(db)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    c
}

/// When to kill: a delay after the start, or after the write transaction starts (the moment the
/// WAL first holds pages; a large import spills pages to it long before it commits).
#[derive(Clone, Copy)]
enum Aim {
    FromStart(Duration),
    IntoWrite(Duration),
}

fn wal_len(db: &Path) -> u64 {
    let mut p = db.as_os_str().to_owned();
    p.push("-wal");
    std::fs::metadata(p).map(|m| m.len()).unwrap_or(0)
}

/// Runs `cmd` on `db`, SIGKILLs it at `aim` unless it finished first. Returns whether it was
/// killed, and how long its write phase took (when it ran to the end).
fn run_and_kill(mut cmd: Command, db: &Path, aim: Aim) -> (bool, Option<Duration>) {
    let mut child = cmd.spawn().unwrap();
    let start = Instant::now();
    let mut write_start = None;
    loop {
        if child.try_wait().unwrap().is_some() {
            return (false, write_start.map(|w: Instant| w.elapsed()));
        }
        if write_start.is_none() && wal_len(db) > 0 {
            write_start = Some(Instant::now());
        }
        let due = match aim {
            Aim::FromStart(d) => start.elapsed() >= d,
            Aim::IntoWrite(d) => write_start.is_some_and(|w| w.elapsed() >= d),
        };
        if due {
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    // Child::kill is SIGKILL on Unix: no destructor, no rollback, no checkpoint runs.
    child.kill().unwrap();
    child.wait().unwrap();
    (true, None)
}

fn timed(mut cmd: Command) -> Duration {
    let t = Instant::now();
    assert!(cmd.status().unwrap().success());
    t.elapsed()
}

/// Reopens as the app does (recovering the WAL) and checks the file.
fn reopen_ok(db: &Path) {
    let store = Store::open(db).unwrap_or_else(|e| panic!("{}: {e}", db.display()));
    assert_eq!(store.integrity_check().unwrap(), "ok");
}

fn count(c: &Connection, sql: &str) -> i64 {
    c.query_row(sql, [], |r| r.get(0)).unwrap()
}

fn copy_db(from: &Path, to: &Path) {
    std::fs::copy(from, to).unwrap();
}

#[test]
fn killing_an_import_leaves_the_batch_whole_or_absent() {
    let env = Env::new();
    let dir = env.dir.path();
    let rows = rows() as i64;
    let base = env.db();
    env.import(
        &env.write("seed.csv", delimited(&seed_rows(), ",", None).as_bytes()),
        &[],
    );
    let big = env.write("big.csv", &big_file());

    // How long the whole import and its write phase take, to aim kills inside the transaction.
    let probe = dir.join("probe.sqlite");
    copy_db(&base, &probe);
    let mut full = beian(&probe);
    full.arg("import").arg(&big);
    let t = Instant::now();
    let (_, write) = run_and_kill(full, &probe, Aim::FromStart(Duration::MAX));
    let (total_time, write_time) = (t.elapsed(), write.expect("the import wrote to the WAL"));
    eprintln!("import of {rows} rows: {total_time:?}, of which writing {write_time:?}");

    let mut rng = Rng::seeded();
    let (mut absent, mut whole, mut finished, mut mid_write) = (0, 0, 0, 0);
    for round in 0..rounds() {
        let db = dir.join(format!("round{round}.sqlite"));
        copy_db(&base, &db);
        // Most kills land inside the write transaction; some anywhere, startup included.
        let aim = if round % 5 != 4 {
            Aim::IntoWrite(Duration::from_micros(
                rng.below(write_time.as_micros() as u64 * 11 / 10),
            ))
        } else {
            Aim::FromStart(Duration::from_micros(
                rng.below(total_time.as_micros() as u64),
            ))
        };
        let mut cmd = beian(&db);
        cmd.arg("import").arg(&big);
        if !run_and_kill(cmd, &db, aim).0 {
            finished += 1;
        }
        // Pages in the WAL of a batch that is absent were written by a transaction the kill
        // cut short: proof the kill landed inside the write, not before it.
        let wal = wal_len(&db);

        reopen_ok(&db);
        let c = Connection::open(&db).unwrap();
        match count(&c, "SELECT count(*) FROM batches") {
            1 => {
                absent += 1;
                mid_write += u64::from(wal > 0);
                assert_eq!(count(&c, "SELECT count(*) FROM filings"), 18);
                assert_eq!(count(&c, "SELECT count(*) FROM raw_rows"), 18);
            }
            2 => {
                whole += 1;
                assert_eq!(count(&c, "SELECT count(*) FROM filings"), 18 + rows);
                assert_eq!(
                    count(&c, "SELECT count(*) FROM raw_rows WHERE batch_id = 2"),
                    rows
                );
                assert_eq!(count(&c, "SELECT rows FROM batches WHERE id = 2"), rows);
            }
            n => panic!("round {round}: {n} batches"),
        }
        drop(c);
        if round > 0 {
            continue;
        }
        // The killed import can simply be run again.
        let mut again = beian(&db);
        again.arg("import").arg(&big);
        assert!(again.status().unwrap().success(), "round {round}");
        let c = Connection::open(&db).unwrap();
        assert_eq!(count(&c, "SELECT count(*) FROM filings"), 18 + rows);
    }
    eprintln!(
        "{} rounds: batch absent after kill {absent} (killed mid-transaction {mid_write}), whole \
         {whole} (finished before the kill {finished})",
        rounds()
    );
}

#[test]
fn killing_an_edit_leaves_it_whole_or_absent() {
    let env = Env::new();
    env.import(
        &env.write("seed.csv", delimited(&seed_rows(), ",", None).as_bytes()),
        &[],
    );
    let db = env.db();
    let number = "Beijing-WenXinYiYan-20230821";
    let model = |c: &Connection| -> String {
        c.query_row(
            "SELECT model FROM filings WHERE number = ?1",
            [number],
            |r| r.get(0),
        )
        .unwrap()
    };
    let mut cmd = beian(&db);
    cmd.args(["edit", number, "--model", "warm-up"]);
    let edit_time = timed(cmd);

    let mut rng = Rng::seeded();
    let (mut kept, mut lost) = (0, 0);
    for round in 0..rounds() * 4 {
        let before = model(&Connection::open(&db).unwrap());
        let after = format!("改{round}");
        let delay = Duration::from_micros(rng.below(edit_time.as_micros() as u64 * 12 / 10));
        let mut cmd = beian(&db);
        cmd.args(["edit", number, "--model", &after]);
        run_and_kill(cmd, &db, Aim::FromStart(delay));

        reopen_ok(&db);
        let c = Connection::open(&db).unwrap();
        let now = model(&c);
        let audits = count(
            &c,
            &format!("SELECT count(*) FROM audit_log WHERE changes LIKE '%\"{after}\"%'"),
        );
        let versions = count(
            &c,
            &format!("SELECT count(*) FROM filing_versions WHERE model = '{before}'"),
        );
        if now == after {
            kept += 1;
            assert_eq!(
                audits, 1,
                "round {round}: the edit is there but not its audit entry"
            );
            assert_eq!(
                versions, 1,
                "round {round}: the old value is not in history once"
            );
        } else {
            lost += 1;
            assert_eq!(now, before, "round {round}");
            assert_eq!(
                audits, 0,
                "round {round}: an audit entry for an edit that is not there"
            );
        }
    }
    eprintln!("edits killed: kept whole {kept}, absent {lost}");
}
