//! The app's launch time and idle memory, measured from outside the way a user meets them: start
//! the binary (under Xvfb on a machine without a screen), wait until it says its first filings are
//! painted, let it settle, then add up the proportional memory (PSS) of its whole process tree —
//! the shell plus WebKit's web and network processes. The same is done for an empty Tauri window
//! (`src-tauri/examples/empty_window.rs`), the yardstick the targets are relative to.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

#[derive(clap::Args, Debug)]
pub struct AppArgs {
    /// The app binary, built with the custom-protocol feature (it must serve the built UI).
    #[arg(long)]
    app: PathBuf,
    /// The empty-window yardstick (the `empty_window` example of src-tauri).
    #[arg(long)]
    empty: PathBuf,
    /// The registry the app opens (copied first, so the run never changes it).
    #[arg(long)]
    db: PathBuf,
    /// Launches per binary; the median counts.
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// How long to leave each window idle before reading its memory.
    #[arg(long, default_value_t = 5)]
    idle_secs: u64,
    /// Also print each process's PSS split (anonymous, file-backed, shared memory) and its
    /// largest mappings, to see where the memory is rather than only how much.
    #[arg(long)]
    detail: bool,
}

struct Launch {
    paint_ms: f64,
    /// Launch to React's own rows painted (the screen answers clicks and typing from then on);
    /// `None` for the empty window, which has no such moment.
    ready_ms: Option<f64>,
    marks: String,
    pss_kib: u64,
    /// The anonymous part of `pss_kib`: what the processes allocated themselves. The rest maps
    /// files (WebKit's libraries, Mesa, fonts) whose PSS falls as other programs map the same
    /// files, so it moves with whatever else runs on the machine.
    anon_kib: u64,
    processes: usize,
    /// One line per process of the tree, when `--detail` asked for it.
    detail: Vec<String>,
}

fn unix_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0)
}

/// Every process whose parent chain leads to `root`, `root` included.
fn process_tree(root: u32) -> Vec<u32> {
    let mut parents: Vec<(u32, u32)> = Vec::new();
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for entry in dir.flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|s| s.parse::<u32>().ok())
            else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
                continue;
            };
            // The command name may hold spaces and parentheses; the fields after the last ')'
            // are fixed: state, then the parent's pid.
            let Some(after) = stat.rfind(')').map(|i| &stat[i + 1..]) else {
                continue;
            };
            if let Some(ppid) = after.split_whitespace().nth(1).and_then(|s| s.parse().ok()) {
                parents.push((pid, ppid));
            }
        }
    }
    let mut tree = vec![root];
    let mut k = 0;
    while k < tree.len() {
        let p = tree[k];
        tree.extend(parents.iter().filter(|(_, pp)| *pp == p).map(|(c, _)| *c));
        k += 1;
    }
    tree
}

fn pss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Pss:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn rollup_field(rollup: &str, field: &str) -> u64 {
    rollup
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// The mapping's name as `smaps` gives it, with anonymous mappings named `[anon]`.
fn mapping_name(header: &str) -> String {
    // address perms offset dev inode [name]: the name starts at the sixth field and may hold
    // spaces.
    let name = header
        .split_whitespace()
        .skip(5)
        .collect::<Vec<_>>()
        .join(" ");
    if name.is_empty() {
        "[anon]".into()
    } else {
        name
    }
}

/// A process's name, its PSS split from `smaps_rollup`, and its largest mappings by PSS from
/// `smaps` (the same file summed per name: a library's text, data and relro count as one).
fn process_detail(pid: u32) -> String {
    let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
    let mib = |kib: u64| kib as f64 / 1024.0;
    let mut by_name: Vec<(String, u64)> = Vec::new();
    let mut current = String::new();
    for line in std::fs::read_to_string(format!("/proc/{pid}/smaps"))
        .unwrap_or_default()
        .lines()
    {
        let first = line.split_whitespace().next().unwrap_or("");
        if first.contains('-') && !first.ends_with(':') {
            current = mapping_name(line);
        } else if first == "Pss:" {
            let kib: u64 = line
                .split_whitespace()
                .nth(1)
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            match by_name.iter_mut().find(|(n, _)| *n == current) {
                Some((_, total)) => *total += kib,
                None => by_name.push((current.clone(), kib)),
            }
        }
    }
    by_name.sort_by_key(|b| std::cmp::Reverse(b.1));
    let top: Vec<String> = by_name
        .iter()
        .take(8)
        .map(|(n, kib)| {
            let short = n.rsplit('/').next().unwrap_or(n);
            format!("{short} {:.1}", mib(*kib))
        })
        .collect();
    format!(
        "{} (pid {pid}): PSS {:.1} MiB = anon {:.1} + file {:.1} + shmem {:.1}; largest: {}",
        comm.trim(),
        mib(rollup_field(&rollup, "Pss:")),
        mib(rollup_field(&rollup, "Pss_Anon:")),
        mib(rollup_field(&rollup, "Pss_File:")),
        mib(rollup_field(&rollup, "Pss_Shmem:")),
        top.join(", ")
    )
}

fn kill_tree(child: &mut Child) {
    for pid in process_tree(child.id()).into_iter().rev() {
        // SAFETY: kill only sends a signal.
        unsafe {
            libc::kill(pid as i32, libc::SIGKILL);
        }
    }
    let _ = child.wait();
}

/// The Unix milliseconds under `key` in the probe file at `path`, with the marks beside them;
/// `None` while the file is missing or caught mid-write.
fn read_probe(path: &Path, key: &str) -> Option<(u128, String)> {
    let text = std::fs::read_to_string(path).ok()?;
    let v: serde_json::Value = serde_json::from_str(text.trim()).ok()?;
    let ms = v.get(key)?.as_u64()?;
    let marks = v.get("marks").and_then(|m| m.as_str()).unwrap_or("");
    Some((ms as u128, marks.to_string()))
}

fn launch_once(
    bin: &Path,
    db: Option<&Path>,
    probe: &Path,
    idle: Duration,
    detail: bool,
) -> Result<Launch, String> {
    let ready_probe = probe.with_extension("ready.json");
    let _ = std::fs::remove_file(probe);
    let _ = std::fs::remove_file(&ready_probe);
    let mut cmd = Command::new(bin);
    cmd.env("BEIAN_LAUNCH_PROBE", probe)
        .env("BEIAN_READY_PROBE", &ready_probe)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(db) = db {
        cmd.env("BEIAN_DB", db);
    }
    let started = unix_ms();
    let clock = Instant::now();
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("starting {}: {e}", bin.display()))?;
    let (painted, marks) = loop {
        if let Some(p) = read_probe(probe, "painted_unix_ms") {
            break p;
        }
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!(
                "{} exited ({status}) before painting",
                bin.display()
            ));
        }
        if clock.elapsed() > Duration::from_secs(60) {
            kill_tree(&mut child);
            return Err(format!("{} painted nothing within 60 s", bin.display()));
        }
        std::thread::sleep(Duration::from_millis(2));
    };
    // Only Beian reports this; the idle wait below starts after it, so that the memory read is
    // of a settled screen. The empty window is given the same idle time after its paint.
    let mut ready = None;
    if db.is_some() {
        while ready.is_none() && clock.elapsed() < Duration::from_secs(60) {
            ready = read_probe(&ready_probe, "ready_unix_ms");
            std::thread::sleep(Duration::from_millis(2));
        }
    }
    std::thread::sleep(idle);
    let tree = process_tree(child.id());
    let pss = tree.iter().map(|&p| pss_kib(p)).sum();
    let anon = tree
        .iter()
        .map(|&p| {
            let rollup = std::fs::read_to_string(format!("/proc/{p}/smaps_rollup"));
            rollup.map_or(0, |r| rollup_field(&r, "Pss_Anon:"))
        })
        .sum();
    let detail = if detail {
        tree.iter().map(|&p| process_detail(p)).collect()
    } else {
        Vec::new()
    };
    kill_tree(&mut child);
    let marks = match &ready {
        Some((_, later)) => later.clone(),
        None => marks,
    };
    Ok(Launch {
        paint_ms: painted.saturating_sub(started) as f64,
        ready_ms: ready.map(|(ms, _)| ms.saturating_sub(started) as f64),
        marks,
        pss_kib: pss,
        anon_kib: anon,
        processes: tree.len(),
        detail,
    })
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

pub fn run(args: &AppArgs) -> Result<(), String> {
    if std::env::var_os("DISPLAY").is_none() && std::env::var_os("WAYLAND_DISPLAY").is_none() {
        return Err("no display: run under xvfb-run -a -s '-screen 0 1440x900x24'".into());
    }
    let work = tempfile::tempdir().map_err(|e| e.to_string())?;
    let probe = work.path().join("painted.json");
    let idle = Duration::from_secs(args.idle_secs);
    let rows = beian::Registry::open(&args.db)
        .and_then(|r| r.list(&Default::default()))
        .map_err(|e| format!("opening {}: {e}", args.db.display()))?
        .total;
    let mut results: Vec<(&str, Vec<Launch>)> = Vec::new();
    for (name, bin) in [("empty Tauri 2 window", &args.empty), ("Beian", &args.app)] {
        let mut launches = Vec::new();
        for run in 0..args.runs.max(1) {
            // A fresh copy each time: the app may write (WAL) and nothing should be cached in it.
            let db = work.path().join("registry.sqlite");
            let is_app = name == "Beian";
            if is_app {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
                }
                std::fs::copy(&args.db, &db).map_err(|e| e.to_string())?;
            }
            let l = launch_once(
                bin,
                is_app.then_some(db.as_path()),
                &probe,
                idle,
                args.detail,
            )?;
            eprintln!(
                "[{name}] run {}: painted after {:.0} ms{}, idle PSS {:.0} MiB ({:.0} anonymous) over {} processes {}",
                run + 1,
                l.paint_ms,
                l.ready_ms
                    .map(|r| format!(", ready after {r:.0} ms"))
                    .unwrap_or_default(),
                l.pss_kib as f64 / 1024.0,
                l.anon_kib as f64 / 1024.0,
                l.processes,
                if l.marks.is_empty() {
                    String::new()
                } else {
                    format!("(page, ms since navigation: {})", l.marks)
                }
            );
            for line in &l.detail {
                eprintln!("    {line}");
            }
            launches.push(l);
        }
        results.push((name, launches));
    }
    let med = |v: &[Launch], f: &dyn Fn(&Launch) -> f64| median(v.iter().map(f).collect());
    let empty_paint = med(&results[0].1, &|l| l.paint_ms);
    let empty_pss = med(&results[0].1, &|l| l.pss_kib as f64) / 1024.0;
    println!();
    println!(
        "beian-bench app: {} runs each, median; registry of {rows} filings; idle {} s before reading PSS",
        args.runs.max(1),
        args.idle_secs
    );
    println!();
    println!("| measure | empty Tauri 2 window | Beian | Beian / empty |");
    println!("|---|---|---|---|");
    let paint = med(&results[1].1, &|l| l.paint_ms);
    let pss = med(&results[1].1, &|l| l.pss_kib as f64) / 1024.0;
    println!(
        "| launch to first paint (Beian: first filings painted; target ≤ 600 ms) | {empty_paint:.0} ms | {paint:.0} ms | {:.2}× |",
        paint / empty_paint
    );
    let ready: Vec<f64> = results[1].1.iter().filter_map(|l| l.ready_ms).collect();
    if ready.len() == results[1].1.len() {
        println!(
            "| launch to React's rows painted (Beian answers clicks and typing; no target) | – | {:.0} ms | – |",
            median(ready)
        );
    } else {
        println!("| launch to React's rows painted | – | not reported in every run | – |");
    }
    println!(
        "| idle PSS of the process tree (target ≤ 1.1× empty) | {empty_pss:.0} MiB | {pss:.0} MiB | {:.2}× |",
        pss / empty_pss
    );
    let empty_anon = med(&results[0].1, &|l| l.anon_kib as f64) / 1024.0;
    let anon = med(&results[1].1, &|l| l.anon_kib as f64) / 1024.0;
    println!(
        "| of which anonymous (not shared with other programs' mappings) | {empty_anon:.0} MiB | {anon:.0} MiB | {:.2}× |",
        anon / empty_anon
    );
    Ok(())
}
