//! Issue 8's concurrency bound, measured where it matters: the Filings screen keeps querying its
//! own connection while another process imports a large file into the same registry. WAL lets the
//! reader go on with the last committed state; what is timed is whether any query waits.

use crate::generate;
use crate::suite::{filter_queries, Latency, Stopwatch};
use beian::query::FilingQuery;
use beian::Registry;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[derive(Debug, Default)]
pub struct DuringImport {
    /// Queries answered while the batch was not yet committed.
    pub before: Latency,
    /// Queries answered after the commit, while the importer was still finishing.
    pub after: Latency,
    pub import_rows: usize,
    pub import_wall_ms: f64,
}

/// Copies the registry, then imports `rows` generated rows (another seed, so most are new
/// filings) into the copy in a child process while this thread runs the Filings-screen mix.
pub fn measure(db: &Path, dir: &Path, rows: usize, seed: u64) -> Result<DuringImport, String> {
    let files = generate::files(dir, rows, seed).map_err(|e| e.to_string())?;
    let copy = dir.join("db").join("during-import.sqlite");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", copy.display()));
    }
    std::fs::copy(db, &copy).map_err(|e| format!("copying {}: {e}", db.display()))?;
    let wal = format!("{}-wal", db.display());
    if Path::new(&wal).exists() {
        std::fs::copy(&wal, format!("{}-wal", copy.display())).map_err(|e| e.to_string())?;
    }

    let reg = Registry::open(&copy).map_err(|e| e.to_string())?;
    let all = FilingQuery {
        limit: 1,
        ..Default::default()
    };
    let base = reg.list(&all).map_err(|e| e.to_string())?.total;
    let queries = filter_queries(50);
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let started = Instant::now();
    let mut child = Command::new(exe)
        .arg("import-child")
        .arg("--db")
        .arg(&copy)
        .arg("--file")
        .arg(&files.gb18030)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| e.to_string())?;
    let mut out = DuringImport {
        import_rows: files.rows,
        ..Default::default()
    };
    let mut k = 0;
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break status;
        }
        let q = &queries[k % queries.len()];
        k += 1;
        let t = Stopwatch::start();
        let page = reg.list(q).map_err(|e| e.to_string())?;
        let facets = reg.facets(&q.filter).map_err(|e| e.to_string())?;
        let committed = reg.list(&all).map_err(|e| e.to_string())?.total != base;
        if committed {
            out.after.record(&t);
        } else {
            out.before.record(&t);
        }
        std::hint::black_box((page, facets));
        // A person clicks and types; the screen does not query back to back.
        std::thread::sleep(Duration::from_millis(20));
    };
    out.import_wall_ms = started.elapsed().as_secs_f64() * 1000.0;
    if !status.success() {
        return Err(format!("the import child failed ({status})"));
    }
    drop(reg);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", copy.display()));
    }
    Ok(out)
}
