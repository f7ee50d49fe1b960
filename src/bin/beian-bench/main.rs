//! `beian-bench`: Beian measured at 1k to 1M filings, each import paired in the same run with the
//! `sqlite3` shell's `.import` of the same rows (the anchor: absolute times drift between machines,
//! the ratio does not). See BENCHMARKS.md for the figures and how to read them.
//!
//! ```sh
//! cargo run --release --bin beian-bench -- run --sizes 1k,10k,100k,1m --runs 3
//! cargo run --release --bin beian-bench -- generate --sizes 1m
//! xvfb-run -a cargo run --release --bin beian-bench -- app --app .. --empty .. --db ..
//! ```

// The allocator `beian` uses, so the figures are the command's (see Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod app;
mod cases;
mod concurrency;
mod generate;
mod subsidies;
mod suite;
mod usecases;

use clap::{Parser, Subcommand};
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "beian-bench",
    about = "Benchmarks of Beian against the sqlite3 shell"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Write the synthetic CAC files (UTF-8 and GB18030 twins) without running anything.
    Generate {
        #[arg(long, default_value = "1k,10k,100k,1m", value_delimiter = ',')]
        sizes: Vec<String>,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, default_value = "bench-data")]
        dir: PathBuf,
    },
    /// Run the suite and print the table.
    Run(suite::RunArgs),
    /// Each query of the Filings-screen mix repeated on its own, with its p95, on one registry.
    Cases(cases::CasesArgs),
    /// The subsidy evaluation cold and warm, every result, totals and the screen's page.
    Subsidies(subsidies::SubsidiesArgs),
    /// The app's launch to first filings painted and its idle memory, beside an empty Tauri
    /// window (needs a display: run under xvfb-run).
    App(app::AppArgs),
    /// One import in this process, reported as JSON on stdout (the suite runs each import in a
    /// child so its peak memory is its own).
    #[command(hide = true)]
    ImportChild {
        #[arg(long)]
        db: PathBuf,
        #[arg(long)]
        file: PathBuf,
    },
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Generate { sizes, seed, dir } => suite::parse_sizes(&sizes).and_then(|sizes| {
            for n in sizes {
                let f = generate::files(&dir, n, seed).map_err(|e| e.to_string())?;
                println!("{}\n{}", f.utf8.display(), f.gb18030.display());
            }
            Ok(())
        }),
        Command::Run(args) => suite::run(&args),
        Command::Cases(args) => cases::run(&args),
        Command::Subsidies(args) => subsidies::run(&args),
        Command::App(args) => app::run(&args),
        Command::ImportChild { db, file } => suite::import_child(&db, &file),
    };
    if let Err(e) = result {
        eprintln!("beian-bench: {e}");
        std::process::exit(1);
    }
}
