//! The suite: for each size, the import (median of runs, each into a fresh database, in a child
//! process so its peak memory is its own) paired with the sqlite3 shell's import of the UTF-8 twin,
//! then the queries the Filings screen makes, on the database the last import wrote.

use crate::concurrency::{self, DuringImport};
use crate::generate::{self, size_label};
use crate::usecases::{self, UseCases};
use beian::import::ReadOptions;
use beian::query::{FilingFilter, FilingQuery, Sort};
use beian::registry::{ImportMode, ImportStatus};
use beian::Registry;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// Row counts: 1k, 10k, 100k, 1m (or plain numbers).
    #[arg(long, default_value = "1k,10k,100k", value_delimiter = ',')]
    sizes: Vec<String>,
    /// Imports per size (each into a fresh database); the median counts.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Queries per query figure.
    #[arg(long, default_value_t = 50)]
    queries: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Where the generated files and the benchmark databases go.
    #[arg(long, default_value = "bench-data")]
    dir: PathBuf,
    /// The sqlite3 shell for the anchor.
    #[arg(long, default_value = "sqlite3")]
    sqlite3: String,
    /// Skip the sqlite3 anchor (for a before/after of Beian alone).
    #[arg(long)]
    no_anchor: bool,
    /// Measure only the queries, on the database an earlier run left for each size.
    #[arg(long)]
    queries_only: bool,
    /// With --queries-only: leave the database file as the OS cache holds it. By default it is
    /// read through once first, as an import leaves it; a file not read since it was written
    /// long ago gave filtered pages a p95 of 37-42 ms at 1M against 8-13 ms.
    #[arg(long)]
    cold_file: bool,
    /// Also time the Filings screen's queries while a file of this many rows is imported into
    /// a copy of each registry of 100k rows or more (issue 8's bound: 100 ms).
    #[arg(long)]
    during_import: Option<String>,
    /// With --queries-only: time only the export's own parts (no queries, statistics or
    /// subsidy evaluation).
    #[arg(long)]
    exports_only: bool,
}

pub fn parse_sizes(sizes: &[String]) -> Result<Vec<usize>, String> {
    sizes
        .iter()
        .map(|s| {
            generate::parse_size(s).ok_or_else(|| format!("{s:?} is not a size (1k, 1m, 5000)"))
        })
        .collect()
}

/// What one import child reports.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChildReport {
    pub read_ms: f64,
    pub import_ms: f64,
    pub peak_rss_kb: u64,
    pub rows: u64,
    pub inserted: u64,
    pub rejected: u64,
    pub warnings: u64,
    pub status: String,
}

/// The import as the `beian import` command does it: the file streamed, planned and applied, one batch.
pub fn import_child(db: &Path, file: &Path) -> Result<(), String> {
    let started = Instant::now();
    let mut reg = Registry::open(db).map_err(|e| e.to_string())?;
    // The file is read while it is imported (streamed), so there is no separate read time.
    let read_ms = ms(started);
    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let s = reg
        .import_file(
            file,
            &ReadOptions::default(),
            ImportMode::default(),
            &now,
            &mut |_, _| true,
        )
        .map_err(|e| e.to_string())?;
    drop(reg);
    let report = ChildReport {
        read_ms,
        import_ms: ms(started),
        peak_rss_kb: peak_rss_kb().unwrap_or(0),
        rows: s.rows,
        inserted: s.inserted,
        rejected: s.rejected,
        warnings: s.warnings.len() as u64,
        status: format!("{:?}", s.status),
    };
    if s.status != ImportStatus::Imported {
        return Err(format!("import did not complete: {}", s.message));
    }
    println!(
        "{}",
        serde_json::to_string(&report).map_err(|e| e.to_string())?
    );
    Ok(())
}

/// One memory field of this process's `/proc/self/status` (`VmHWM`, `VmRSS`, ...), in KiB (Linux).
pub fn status_kib(field: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// The high-water mark of this process's resident memory.
fn peak_rss_kb() -> Option<u64> {
    status_kib("VmHWM")
}

/// User + system CPU time of every waited-for child so far. On a shared machine wall time mostly
/// measures the neighbours; CPU time measures the work.
fn children_cpu_ms() -> f64 {
    // SAFETY: getrusage only writes the struct it is given.
    let ru = unsafe {
        let mut ru: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut ru);
        ru
    };
    let tv = |t: libc::timeval| t.tv_sec as f64 * 1000.0 + t.tv_usec as f64 / 1000.0;
    tv(ru.ru_utime) + tv(ru.ru_stime)
}

/// Wall and CPU time of one child process.
#[derive(Debug, Clone, Copy)]
struct Timing {
    wall: f64,
    cpu: f64,
}

fn ms(since: Instant) -> f64 {
    since.elapsed().as_secs_f64() * 1000.0
}

fn remove_db(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}

fn run_beian_import(db: &Path, file: &Path) -> Result<(Timing, ChildReport), String> {
    remove_db(db);
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let cpu0 = children_cpu_ms();
    let started = Instant::now();
    let out = Command::new(exe)
        .arg("import-child")
        .arg("--db")
        .arg(db)
        .arg("--file")
        .arg(file)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| e.to_string())?;
    let wall = ms(started);
    let cpu = children_cpu_ms() - cpu0;
    if !out.status.success() {
        return Err(format!("the import child failed ({})", out.status));
    }
    let report: ChildReport = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("the import child printed no report: {e}"))?;
    Ok((Timing { wall, cpu }, report))
}

/// The anchor: the sqlite3 shell importing the UTF-8 twin into a table with the same unique
/// (case-insensitive) number index, a region index and an FTS5 trigram index over model, company
/// and number kept by a trigger, in WAL mode with synchronous=NORMAL as Beian runs. The indexes
/// exist before the rows arrive, as they do when Beian imports into a registry.
const ANCHOR_SCHEMA: &str = "PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
CREATE TABLE filings (seq INTEGER, region TEXT NOT NULL, model TEXT NOT NULL,
                      company TEXT NOT NULL, number TEXT NOT NULL, filed_on TEXT);
CREATE UNIQUE INDEX filings_number ON filings(number COLLATE NOCASE);
CREATE INDEX filings_region ON filings(region);
CREATE VIRTUAL TABLE filing_search USING fts5(model, company, number, content = 'filings',
                                              tokenize = 'trigram');
CREATE TRIGGER filings_search AFTER INSERT ON filings BEGIN
  INSERT INTO filing_search (rowid, model, company, number)
  VALUES (new.rowid, new.model, new.company, new.number);
END;
.mode csv
";

fn run_anchor(shell: &str, db: &Path, file: &Path) -> Result<Timing, String> {
    remove_db(db);
    let script = format!(
        "{ANCHOR_SCHEMA}.import --skip 1 '{}' filings\n",
        file.display()
    );
    let cpu0 = children_cpu_ms();
    let started = Instant::now();
    let mut child = Command::new(shell)
        .arg(db)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{shell}: {e}"))?;
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().ok_or("no stdin")?;
        stdin
            .write_all(script.as_bytes())
            .map_err(|e| e.to_string())?;
    }
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    let wall = ms(started);
    let cpu = children_cpu_ms() - cpu0;
    if !out.status.success() || !out.stderr.is_empty() {
        return Err(format!(
            "{shell} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(Timing { wall, cpu })
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    if s.is_empty() {
        return f64::NAN;
    }
    if s.len() % 2 == 1 {
        s[s.len() / 2]
    } else {
        (s[s.len() / 2 - 1] + s[s.len() / 2]) / 2.0
    }
}

fn percentile(v: &[f64], p: f64) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    if s.is_empty() {
        return f64::NAN;
    }
    let rank = ((p * s.len() as f64).ceil() as usize).clamp(1, s.len());
    s[rank - 1]
}

/// CPU time of the calling thread: what a query costs, whatever else the machine is doing.
fn thread_cpu_ms() -> f64 {
    // SAFETY: clock_gettime only writes the struct it is given.
    let ts = unsafe {
        let mut ts: libc::timespec = std::mem::zeroed();
        libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts);
        ts
    };
    ts.tv_sec as f64 * 1000.0 + ts.tv_nsec as f64 / 1e6
}

/// CPU time of every thread of the process.
fn process_cpu_ms() -> f64 {
    // SAFETY: clock_gettime only writes the struct it is given.
    let ts = unsafe {
        let mut ts: libc::timespec = std::mem::zeroed();
        libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts);
        ts
    };
    ts.tv_sec as f64 * 1000.0 + ts.tv_nsec as f64 / 1e6
}

/// Latencies of one kind of query: CPU time (the figure) and wall time (which on a busy machine
/// includes waiting for a core).
#[derive(Debug, Default, Clone)]
pub struct Latency {
    samples: Vec<f64>,
    wall: Vec<f64>,
}

pub struct Stopwatch {
    wall: Instant,
    cpu: f64,
    process: bool,
}

impl Stopwatch {
    pub fn start() -> Stopwatch {
        Stopwatch {
            wall: Instant::now(),
            cpu: thread_cpu_ms(),
            process: false,
        }
    }
    /// Counts the CPU time of every thread of the process, for a use case that works on more
    /// than one (the workbook export evaluates the subsidies beside its Filings sheet): the
    /// calling thread's time alone would leave the others' out.
    pub fn start_process() -> Stopwatch {
        Stopwatch {
            wall: Instant::now(),
            cpu: process_cpu_ms(),
            process: true,
        }
    }
    pub fn wall_ms(&self) -> f64 {
        ms(self.wall)
    }
}

impl Latency {
    pub fn time<T>(&mut self, f: impl FnOnce() -> T) -> T {
        let t = Stopwatch::start();
        let out = f();
        self.record(&t);
        out
    }
    pub fn record(&mut self, t: &Stopwatch) {
        let now = if t.process {
            process_cpu_ms()
        } else {
            thread_cpu_ms()
        };
        self.samples.push(now - t.cpu);
        self.wall.push(ms(t.wall));
    }
    pub fn p50(&self) -> f64 {
        percentile(&self.samples, 0.5)
    }
    pub fn p95(&self) -> f64 {
        percentile(&self.samples, 0.95)
    }
    fn max(&self) -> f64 {
        self.samples.iter().copied().fold(f64::NAN, f64::max)
    }
    pub fn wall_max(&self) -> f64 {
        self.wall.iter().copied().fold(f64::NAN, f64::max)
    }
    fn wall_p95(&self) -> f64 {
        percentile(&self.wall, 0.95)
    }
    pub fn wall_p50(&self) -> f64 {
        percentile(&self.wall, 0.5)
    }
}

struct SizeResult {
    rows: usize,
    file_mb: f64,
    beian_ms: Vec<f64>,
    beian_cpu: Vec<f64>,
    anchor_ms: Result<Vec<f64>, String>,
    anchor_cpu: Vec<f64>,
    peak_rss_kb: u64,
    inserted: u64,
    warnings: u64,
    db_mb: f64,
    anchor_db_mb: f64,
    page_facets: Latency,
    page_only: Latency,
    facets_only: Latency,
    unfiltered: Latency,
    search: Latency,
    search_rare: Latency,
    like: Latency,
    search_page: Latency,
    /// A word in most company names, as the Filings screen asks for it: the page and the facets.
    common_first: f64,
    common: Latency,
    /// A fragment in most company names typed into the company filter, then facets clicked.
    company_first: f64,
    company: Latency,
    uses: UseCases,
    during: Option<DuringImport>,
}

/// The filters the Filings screen combines: a region (big or small), a year, kind, flagged, a
/// company fragment now and then, every sort, and pages beyond the first.
pub fn filter_queries(n: usize) -> Vec<FilingQuery> {
    let regions = [
        Some("北京"),
        Some("上海"),
        Some("广东"),
        None,
        Some("浙江"),
        Some("四川"),
        Some("西藏"),
        Some("国资委"),
        None,
    ];
    let years = [None, Some(2024), Some(2025), None, Some(2026)];
    let sorts = [
        None,
        Some("filed_on:desc"),
        Some("company:asc"),
        Some("number:asc"),
        Some("region:asc"),
        Some("model:desc"),
        Some("filed_on:asc"),
    ];
    let offsets = [0u64, 0, 50, 0, 500];
    (0..n)
        .map(|k| {
            let filter = FilingFilter {
                regions: regions[k % regions.len()]
                    .map(|r| vec![r.to_string()])
                    .unwrap_or_default(),
                year: years[k % years.len()],
                flagged: (k % 11 == 5).then_some(true),
                company: (k % 10 == 7).then(|| "深圳".to_string()),
                ..Default::default()
            };
            FilingQuery {
                filter,
                sort: sorts[k % sorts.len()].and_then(Sort::parse),
                limit: 50,
                offset: offsets[k % offsets.len()],
            }
        })
        .collect()
}

/// Words that many rows share (the generator's suffixes and company words), searched as well as
/// the brand words, so the p95 covers broad searches too.
const COMMON_WORDS: [&str; 5] = ["模型", "科技", "智能", "北京", "助手"];

/// The words searched: brand words from the file (`rare`), then the common words.
fn searched_words(words: &[String], queries: usize) -> (Vec<&str>, Vec<&str>) {
    let rare: Vec<&str> = words
        .iter()
        .map(String::as_str)
        .take(queries.saturating_sub(COMMON_WORDS.len()).max(1))
        .collect();
    let mut all_words: Vec<&str> = rare.clone();
    all_words.extend(COMMON_WORDS);
    (rare, all_words)
}

/// The k-th "search + region + sort" query: a search, a large region and a sort.
fn search_region_query(k: usize, w: &str) -> FilingQuery {
    FilingQuery {
        filter: FilingFilter {
            search: Some(w.to_string()),
            regions: vec![["北京", "广东", "上海", "浙江"][k % 4].to_string()],
            ..Default::default()
        },
        sort: Sort::parse(["company:asc", "filed_on:desc"][k % 2]),
        limit: 50,
        offset: 0,
    }
}

/// Every "search + region + sort" query `run` times, in its order.
pub fn search_region_queries(words: &[String], queries: usize) -> Vec<FilingQuery> {
    let (_, all_words) = searched_words(words, queries);
    all_words
        .iter()
        .enumerate()
        .map(|(k, w)| search_region_query(k, w))
        .collect()
}

fn query_figures(
    db: &Path,
    words: &[String],
    queries: usize,
    r: &mut SizeResult,
) -> Result<(), String> {
    let reg = Registry::open(db).map_err(|e| e.to_string())?;
    let e = |e: beian::Error| e.to_string();
    // One untimed pass so the figures are of a warm registry, as in an app that is open.
    reg.list(&FilingQuery::default()).map_err(e)?;
    reg.facets(&FilingFilter::default()).map_err(e)?;

    for q in filter_queries(queries) {
        let t = Stopwatch::start();
        let page = r.page_only.time(|| reg.list(&q)).map_err(e)?;
        let facets = r.facets_only.time(|| reg.facets(&q.filter)).map_err(e)?;
        r.page_facets.record(&t);
        std::hint::black_box((page, facets));
    }
    for _ in 0..queries.min(20) {
        let q = FilingQuery::default();
        let t = Stopwatch::start();
        let page = reg.list(&q).map_err(e)?;
        let facets = reg.facets(&q.filter).map_err(e)?;
        r.unfiltered.record(&t);
        std::hint::black_box((page, facets));
    }

    let (rare, all_words) = searched_words(words, queries);
    let conn =
        rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .map_err(|e| e.to_string())?;
    for (k, w) in all_words.iter().enumerate() {
        let q = FilingQuery {
            filter: FilingFilter {
                search: Some(w.to_string()),
                ..Default::default()
            },
            ..Default::default()
        };
        let page = r.search.time(|| reg.list(&q)).map_err(e)?;
        if k < rare.len() {
            r.search_rare
                .samples
                .push(*r.search.samples.last().unwrap_or(&0.0));
        }
        // The same question as a LIKE scan over the three columns: count and first page.
        let pattern = format!("%{w}%");
        let like_total: i64 = r
            .like
            .time(|| -> rusqlite::Result<i64> {
                let total: i64 = conn.query_row(
                    "SELECT COUNT(*) FROM filings
                     WHERE model LIKE ?1 OR company LIKE ?1 OR number LIKE ?1",
                    [&pattern],
                    |row| row.get(0),
                )?;
                let mut stmt = conn.prepare_cached(
                    "SELECT id, number, model, company FROM filings
                     WHERE model LIKE ?1 OR company LIKE ?1 OR number LIKE ?1
                     ORDER BY filed_on, seq, id LIMIT 50",
                )?;
                let n = stmt
                    .query_map([&pattern], |row| row.get::<_, i64>(0))?
                    .count();
                std::hint::black_box(n);
                Ok(total)
            })
            .map_err(|e| e.to_string())?;
        // Bigram search also matches across the folded text (and numbers in pinyin), so it may
        // find more than LIKE; it must never find fewer.
        if (page.total as i64) < like_total {
            return Err(format!(
                "search for {w:?} found {} rows, LIKE found {like_total}",
                page.total
            ));
        }

        let q = search_region_query(k, w);
        let page = r.search_page.time(|| reg.list(&q)).map_err(e)?;
        std::hint::black_box(page);
    }

    // The common words again, as the Filings screen asks: the page and the facets (科技 is in
    // half the names at 1M). The first after opening reads the facet columns.
    for (k, w) in COMMON_WORDS.iter().cycle().take(queries.max(3)).enumerate() {
        let filter = FilingFilter {
            search: Some(w.to_string()),
            ..Default::default()
        };
        let q = FilingQuery {
            filter: filter.clone(),
            ..Default::default()
        };
        let t = Stopwatch::start();
        let page = reg.list(&q).map_err(e)?;
        let facets = reg.facets(&filter).map_err(e)?;
        if k == 0 {
            r.common_first = t.wall_ms();
        } else {
            r.common.record(&t);
        }
        std::hint::black_box((page, facets));
    }

    // Company fragments most names hold, typed into the company filter, then a region, a year
    // and a kind clicked and the list sorted, as a user narrows them down. The first after
    // opening reads the company columns.
    let mut first = true;
    for fragment in COMMON_COMPANY_FRAGMENTS {
        let typed = FilingFilter {
            company: Some(fragment.to_string()),
            ..Default::default()
        };
        let region = FilingFilter {
            regions: vec!["北京".to_string()],
            ..typed.clone()
        };
        let year = FilingFilter {
            year: Some(2025),
            ..region.clone()
        };
        let kind = FilingFilter {
            kind: Some(beian::filing::Kind::Filed),
            ..year.clone()
        };
        for (filter, sort) in [
            (typed, None),
            (region, None),
            (year, None),
            (kind.clone(), None),
            (kind, Sort::parse("company:asc")),
        ] {
            let q = FilingQuery {
                filter: filter.clone(),
                sort,
                ..Default::default()
            };
            let t = Stopwatch::start();
            let page = reg.list(&q).map_err(e)?;
            let facets = reg.facets(&filter).map_err(e)?;
            if first {
                r.company_first = t.wall_ms();
                first = false;
            } else {
                r.company.record(&t);
            }
            std::hint::black_box((page, facets));
        }
    }
    Ok(())
}

/// Company fragments in most of the generator's names (科技 in half, 有限公司 in four fifths).
const COMMON_COMPANY_FRAGMENTS: [&str; 4] = ["科技", "有限公司", "智能", "北京"];

fn file_mb(p: &Path) -> f64 {
    std::fs::metadata(p)
        .map(|m| m.len() as f64 / 1e6)
        .unwrap_or(f64::NAN)
}

pub fn run(args: &RunArgs) -> Result<(), String> {
    let sizes = parse_sizes(&args.sizes)?;
    let runs = args.runs.max(1);
    let work = args.dir.join("db");
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let mut results = Vec::new();
    for &n in &sizes {
        let label = size_label(n);
        eprintln!("[{label}] generating files in {}", args.dir.display());
        let files = generate::files(&args.dir, n, args.seed).map_err(|e| e.to_string())?;
        let db = work.join(format!("beian-{label}.sqlite"));
        let anchor_db = work.join(format!("anchor-{label}.sqlite"));
        let mut r = SizeResult {
            rows: files.rows,
            file_mb: file_mb(&files.gb18030),
            beian_ms: Vec::new(),
            beian_cpu: Vec::new(),
            anchor_ms: Ok(Vec::new()),
            anchor_cpu: Vec::new(),
            peak_rss_kb: 0,
            inserted: 0,
            warnings: 0,
            db_mb: 0.0,
            anchor_db_mb: 0.0,
            page_facets: Latency::default(),
            page_only: Latency::default(),
            facets_only: Latency::default(),
            unfiltered: Latency::default(),
            search: Latency::default(),
            search_rare: Latency::default(),
            like: Latency::default(),
            search_page: Latency::default(),
            common_first: 0.0,
            common: Latency::default(),
            company_first: 0.0,
            company: Latency::default(),
            uses: UseCases::default(),
            during: None,
        };
        if args.no_anchor {
            r.anchor_ms = Err("skipped (--no-anchor)".into());
        }
        let import_runs = if args.queries_only {
            if !db.exists() {
                return Err(format!("--queries-only: no database at {}", db.display()));
            }
            r.anchor_ms = Err("skipped (--queries-only)".into());
            if !args.cold_file {
                let t = Instant::now();
                let mut file =
                    std::fs::File::open(&db).map_err(|e| format!("{}: {e}", db.display()))?;
                let bytes = std::io::copy(&mut file, &mut std::io::sink())
                    .map_err(|e| format!("{}: {e}", db.display()))?;
                eprintln!(
                    "[{label}] database file read through once, into the OS cache as an import leaves it: {} MB in {:.0} ms (--cold-file to skip)",
                    bytes / 1_000_000,
                    t.elapsed().as_secs_f64() * 1000.0
                );
            }
            0
        } else {
            runs
        };
        for run in 0..import_runs {
            // Interleaved, so drift during the run touches both sides alike.
            let (t, report) = run_beian_import(&db, &files.gb18030)?;
            eprintln!(
                "[{label}] run {}: beian {:.0} ms wall, {:.0} ms CPU (read {:.0} ms), peak {} MB, {} inserted",
                run + 1,
                t.wall,
                t.cpu,
                report.read_ms,
                report.peak_rss_kb / 1024,
                report.inserted
            );
            if report.inserted != n as u64 {
                return Err(format!(
                    "[{label}] Beian inserted {} of {n} rows (rejected {})",
                    report.inserted, report.rejected
                ));
            }
            r.beian_ms.push(t.wall);
            r.beian_cpu.push(t.cpu);
            r.peak_rss_kb = r.peak_rss_kb.max(report.peak_rss_kb);
            r.inserted = report.inserted;
            r.warnings = report.warnings;
            if let Ok(v) = &mut r.anchor_ms {
                match run_anchor(&args.sqlite3, &anchor_db, &files.utf8) {
                    Ok(t) => {
                        eprintln!(
                            "[{label}] run {}: sqlite3 .import {:.0} ms wall, {:.0} ms CPU",
                            run + 1,
                            t.wall,
                            t.cpu
                        );
                        v.push(t.wall);
                        r.anchor_cpu.push(t.cpu);
                    }
                    Err(e) => r.anchor_ms = Err(e),
                }
            }
        }
        r.db_mb = file_mb(&db);
        r.anchor_db_mb = file_mb(&anchor_db);
        eprintln!("[{label}] queries");
        if !args.exports_only {
            query_figures(&db, &files.words, args.queries, &mut r)?;
        }
        eprintln!("[{label}] statistics, subsidies, exports");
        let reg = Registry::open(&db).map_err(|e| e.to_string())?;
        usecases::measure(
            &reg,
            &work,
            args.queries.min(20),
            args.exports_only,
            &mut r.uses,
        )?;
        drop(reg);
        if let Some(m) = &args.during_import {
            let m = parse_sizes(std::slice::from_ref(m))?[0];
            if n >= 100_000 {
                eprintln!("[{label}] queries during a {} import", size_label(m));
                r.during = Some(concurrency::measure(&db, &args.dir, m, args.seed + 1)?);
            }
        }
        results.push(r);
    }
    print_report(args, runs, &results);
    Ok(())
}

fn fmt_ms(v: f64) -> String {
    if v.is_nan() {
        "–".into()
    } else if v >= 10_000.0 {
        format!("{:.1} s", v / 1000.0)
    } else if v >= 100.0 {
        format!("{v:.0} ms")
    } else if v >= 10.0 {
        format!("{v:.1} ms")
    } else {
        format!("{v:.2} ms")
    }
}

fn print_report(args: &RunArgs, runs: usize, results: &[SizeResult]) {
    let mut head = String::from("| measure |");
    let mut rule = String::from("|---|");
    for r in results {
        head.push_str(&format!(" {} rows |", size_label(r.rows)));
        rule.push_str("---|");
    }
    println!();
    println!(
        "load average at the end: {}",
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!(
        "beian-bench: sizes {}, {runs} run(s) per import (median), {} queries per figure, seed {}; \
         query figures are CPU time of the querying thread unless marked wall-clock",
        results
            .iter()
            .map(|r| size_label(r.rows))
            .collect::<Vec<_>>()
            .join(","),
        args.queries,
        args.seed
    );
    println!();
    println!("{head}");
    println!("{rule}");
    let row = |name: &str, f: &dyn Fn(&SizeResult) -> String| {
        let mut line = format!("| {name} |");
        for r in results {
            line.push_str(&format!(" {} |", f(r)));
        }
        println!("{line}");
    };
    row("GB18030 file size", &|r| format!("{:.1} MB", r.file_mb));
    row("Beian import, GB18030: CPU (median)", &|r| {
        fmt_ms(median(&r.beian_cpu))
    });
    row(
        "sqlite3 .import, UTF-8, indexed: CPU (median)",
        &|r| match &r.anchor_ms {
            Ok(_) => fmt_ms(median(&r.anchor_cpu)),
            Err(e) => format!("not measured: {e}"),
        },
    );
    row(
        "**ratio Beian / sqlite3, CPU** (target ≤ 1.0×)",
        &|r| match &r.anchor_ms {
            Ok(_) => format!("**{:.2}×**", median(&r.beian_cpu) / median(&r.anchor_cpu)),
            Err(_) => "–".into(),
        },
    );
    row("Beian import, GB18030: wall (median)", &|r| {
        fmt_ms(median(&r.beian_ms))
    });
    row("sqlite3 .import: wall (median)", &|r| match &r.anchor_ms {
        Ok(v) => fmt_ms(median(v)),
        Err(_) => "–".into(),
    });
    row("ratio Beian / sqlite3, wall", &|r| match &r.anchor_ms {
        Ok(v) => format!("{:.2}×", median(&r.beian_ms) / median(v)),
        Err(_) => "–".into(),
    });
    row("Beian import CPU per 1k rows", &|r| {
        fmt_ms(median(&r.beian_cpu) / (r.rows as f64 / 1000.0))
    });
    row("peak RSS of the import (target ≤ 300 MB at 1M)", &|r| {
        format!("{:.0} MB", r.peak_rss_kb as f64 / 1024.0)
    });
    row("rows inserted / warnings", &|r| {
        format!("{} / {}", r.inserted, r.warnings)
    });
    row("database size: Beian / anchor", &|r| {
        format!("{:.1} / {:.1} MB", r.db_mb, r.anchor_db_mb)
    });
    row("filtered sorted page + facets p50", &|r| {
        fmt_ms(r.page_facets.p50())
    });
    row(
        "filtered sorted page + facets **p95** (target ≤ 30 ms)",
        &|r| fmt_ms(r.page_facets.p95()),
    );
    row("… the same, wall-clock p95", &|r| {
        fmt_ms(r.page_facets.wall_p95())
    });
    row("… of which page p95 / facets p95", &|r| {
        format!(
            "{} / {}",
            fmt_ms(r.page_only.p95()),
            fmt_ms(r.facets_only.p95())
        )
    });
    row("unfiltered first page + facets p95", &|r| {
        fmt_ms(r.unfiltered.p95())
    });
    row("two-character search p50", &|r| fmt_ms(r.search.p50()));
    row("two-character search **p95** (target ≤ 20 ms)", &|r| {
        fmt_ms(r.search.p95())
    });
    row("… the same, wall-clock p95", &|r| {
        fmt_ms(r.search.wall_p95())
    });
    row("… brand words only p95 / slowest of all", &|r| {
        format!(
            "{} / {}",
            fmt_ms(r.search_rare.p95()),
            fmt_ms(r.search.max())
        )
    });
    row("same words as a LIKE scan p95", &|r| fmt_ms(r.like.p95()));
    row("search + region + sort page p95", &|r| {
        fmt_ms(r.search_page.p95())
    });
    row(
        "common words (模型, 科技, …): page + facets p95 / first, wall",
        &|r| {
            format!(
                "{} / {}",
                fmt_ms(r.common.wall_p95()),
                fmt_ms(r.common_first)
            )
        },
    );
    row(
        "common company fragments (科技, 有限公司, …) then facets clicked: page + facets p95 / first, wall",
        &|r| {
            format!(
                "{} / {}",
                fmt_ms(r.company.wall_p95()),
                fmt_ms(r.company_first)
            )
        },
    );
    row("region counts p95 / max (target ≤ 20 ms)", &|r| {
        format!(
            "{} / {}",
            fmt_ms(r.uses.stats_region.p95()),
            fmt_ms(r.uses.stats_region.max())
        )
    });
    row(
        "monthly cumulative series p95 / max (target ≤ 20 ms)",
        &|r| {
            format!(
                "{} / {}",
                fmt_ms(r.uses.stats_month.p95()),
                fmt_ms(r.uses.stats_month.max())
            )
        },
    );
    row("… the same two, wall-clock p95", &|r| {
        format!(
            "{} / {}",
            fmt_ms(r.uses.stats_region.wall_p95()),
            fmt_ms(r.uses.stats_month.wall_p95())
        )
    });
    row(
        "Dashboard's top 10 companies as of today / as of mid-2025, p95",
        &|r| {
            format!(
                "{} / {}",
                fmt_ms(r.uses.top_companies_today.p95()),
                fmt_ms(r.uses.top_companies_past.p95())
            )
        },
    );
    row(
        "subsidy evaluation of all rules, every result, cold, median (target ≤ 50 ms): filings read and grouped / grouped filings read back (kept from 50k filings)",
        &|r| {
            format!(
                "{} / {}",
                fmt_ms(r.uses.subsidies.cold_read.p50()),
                fmt_ms(r.uses.subsidies.cold.p50())
            )
        },
    );
    row(
        "… warm (registry unchanged): every result / totals / screen's first page (20 per rule, worded)",
        &|r| {
            format!(
                "{} / {} / {}",
                fmt_ms(r.uses.subsidies.warm.p50()),
                fmt_ms(r.uses.subsidies.totals_warm.p50()),
                fmt_ms(r.uses.subsidies.screen_warm.p50())
            )
        },
    );
    row(
        "export CSV / XLSX, whole selection, CPU of all threads (target ≤ 2 s / ≤ 15 s)",
        &|r| {
            format!(
                "{} / {}",
                fmt_ms(r.uses.export_csv.p50()),
                fmt_ms(r.uses.export_xlsx.p50())
            )
        },
    );
    row("… the same, wall-clock", &|r| {
        format!(
            "{} / {}",
            fmt_ms(r.uses.export_csv.wall_p95()),
            fmt_ms(r.uses.export_xlsx.wall_p95())
        )
    });
    if results.iter().any(|r| r.during.is_some()) {
        let during = |r: &SizeResult, f: &dyn Fn(&DuringImport) -> String| {
            r.during.as_ref().map(f).unwrap_or_else(|| "–".into())
        };
        row(
            "queries during an import into a copy: rows imported, import wall",
            &|r| {
                during(r, &|d| {
                    format!(
                        "{} rows, {}",
                        size_label(d.import_rows),
                        fmt_ms(d.import_wall_ms)
                    )
                })
            },
        );
        row(
            "… page + facets before the commit: n, wall p95 / max (bound 100 ms)",
            &|r| {
                during(r, &|d| {
                    format!(
                        "{}, {} / {}",
                        d.before.samples.len(),
                        fmt_ms(d.before.wall_p95()),
                        fmt_ms(d.before.wall_max())
                    )
                })
            },
        );
        row("… the same, CPU p95 / max", &|r| {
            during(r, &|d| {
                format!("{} / {}", fmt_ms(d.before.p95()), fmt_ms(d.before.max()))
            })
        });
        row(
            "… page + facets after the commit: n, wall p95 / max; CPU p95",
            &|r| {
                during(r, &|d| {
                    format!(
                        "{}, {} / {}; {}",
                        d.after.samples.len(),
                        fmt_ms(d.after.wall_p95()),
                        fmt_ms(d.after.wall_max()),
                        fmt_ms(d.after.p95())
                    )
                })
            },
        );
    }
    row(
        "… export's own part: statistics and batches for the cover (report_inputs)",
        &|r| fmt_ms(r.uses.export_inputs.p50()),
    );
    row(
        "… writer on prepared inputs (export::export): CSV / CSV GB18030 / XLSX",
        &|r| {
            format!(
                "{} / {} / {}",
                fmt_ms(r.uses.export_csv_writer.p50()),
                fmt_ms(r.uses.export_gb18030_writer.p50()),
                fmt_ms(r.uses.export_xlsx_writer.p50())
            )
        },
    );
    row("… the same three, wall-clock", &|r| {
        format!(
            "{} / {} / {}",
            fmt_ms(r.uses.export_csv_writer.wall_p95()),
            fmt_ms(r.uses.export_gb18030_writer.wall_p95()),
            fmt_ms(r.uses.export_xlsx_writer.wall_p95())
        )
    });
    row(
        "app launch to first filings painted (target ≤ 0.6 s)",
        &|_| "not measured (needs the app on Xvfb)".into(),
    );
    row(
        "idle PSS of the app tree (target ≤ 1.1× empty Tauri)",
        &|_| "not measured (needs the app on Xvfb)".into(),
    );
    if let Some(Err(e)) = results.first().map(|r| &r.anchor_ms) {
        println!();
        println!("anchor not measured: {e}");
    }
}
