//! The `beian` command line: the same use cases as the app, for scripts and servers without a
//! display. Exit codes: 0 success, 1 input refused (or a number found invalid), 2 usage errors.

mod export;
mod output;
mod stats;
mod subsidies;

use crate::error::{Error, Result};
use crate::filing::{FilingFields, Flag, Kind};
use crate::import::ReadOptions;
use crate::query::{FilingFilter, FilingQuery, Sort};
use crate::registry::{ImportMode, ImportStatus, Registry};
use clap::{Args, Parser, Subcommand, ValueEnum};
use output::{print_value, Format, Out};
use std::io::IsTerminal;
use std::path::PathBuf;

#[derive(Parser, Debug)]
#[command(
    name = "beian",
    version,
    about = "Registry of China's generative-AI service filings (生成式人工智能服务备案)",
    long_about = "Imports the CAC's announcement files, checks every filing number, keeps every \
                  batch, and answers queries. Without --db the registry is the one the app \
                  uses: the file chosen in its Settings, else one in your data directory that \
                  starts with the bundled filings."
)]
pub struct Cli {
    /// The registry database (created if missing; a new file given here starts empty).
    #[arg(long, global = true, env = "BEIAN_DB", value_name = "PATH")]
    db: Option<PathBuf>,

    /// Output format for commands that print data.
    #[arg(long, global = true, value_enum, default_value_t = Format::Table)]
    format: Format,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Import CAC announcement files (CSV/TSV in any encoding, XLSX).
    Import(ImportArgs),
    /// List filings, filtered and sorted.
    List(ListArgs),
    /// Facet counts (region, kind, year, batch, flagged) under the same filters as `list`.
    Facets(FilterArgs),
    /// Show one filing with its history and the company's other filings.
    Show {
        /// The filing number, in any letter case.
        number: String,
    },
    /// Check a filing number's grammar, prefix and date.
    Check {
        number: String,
        /// The row's 属地, to check the number's prefix against.
        #[arg(long)]
        region: Option<String>,
        /// The row's 备案时间, to check the number's date against.
        #[arg(long, value_name = "DATE")]
        filed_on: Option<String>,
    },
    /// Every import with its counts.
    Batches,
    /// What one batch added and changed.
    Batch { id: i64 },
    /// Add a filing by hand (recorded in the audit trail).
    Add(FieldArgs),
    /// Edit a filing by hand (recorded in the audit trail; old values kept in its history).
    Edit {
        /// The number of the filing to edit.
        number: String,
        #[command(flatten)]
        fields: EditArgs,
    },
    /// The audit trail of manual changes.
    Audit,
    /// Import the filings bundled with Beian (skipped when already imported).
    Seed,
    /// Copy the whole registry to a file, consistently, while it stays in use.
    Backup { to: PathBuf },
    /// Replace the registry with a backup (the replaced file is kept as *.before-restore).
    Restore { from: PathBuf },
    /// Local subsidy rules and who qualifies under them.
    Subsidies(subsidies::SubsidiesArgs),
    /// Facts about a company that the filing list lacks (city, district, self-developed, spend).
    Company(subsidies::CompanyArgs),
    /// Counts by region, kind, month, quarter, year, batch or company, with share and rank, as of
    /// any date; or --completeness against the published totals.
    Stats(stats::StatsArgs),
    /// Export the filings of `list` (same filters and sort) as CSV, XLSX, an HTML or PDF report.
    Export(export::ExportArgs),
}

#[derive(Args, Debug)]
struct ImportArgs {
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Report what would change and write nothing.
    #[arg(long)]
    dry_run: bool,
    /// Read text files in this encoding instead of detecting it (utf-8, gb18030, utf-16le, ...).
    #[arg(long, value_name = "ENC")]
    encoding: Option<String>,
    /// Use this delimiter instead of detecting it (',', ';' or 'tab').
    #[arg(long, value_name = "D")]
    delimiter: Option<String>,
    /// Commit the good rows and list the rejected ones (default: any error writes nothing).
    #[arg(long)]
    keep_going: bool,
}

#[derive(Args, Debug, Default)]
struct FilterArgs {
    /// Only these regions (any name: 北京, 北京市, Beijing); repeat for several.
    #[arg(long)]
    region: Vec<String>,
    #[arg(long, value_enum)]
    kind: Option<KindArg>,
    /// Company name or part of it.
    #[arg(long)]
    company: Option<String>,
    /// Text in model, company or number (one or two Chinese characters work).
    #[arg(long)]
    search: Option<String>,
    /// Filed on or after this date.
    #[arg(long, value_name = "DATE")]
    from: Option<String>,
    /// Filed on or before this date.
    #[arg(long, value_name = "DATE")]
    to: Option<String>,
    #[arg(long)]
    year: Option<i32>,
    /// Only filings first added by this batch.
    #[arg(long)]
    batch: Option<i64>,
    /// Only flagged rows.
    #[arg(long)]
    flagged: bool,
    /// Only rows with this flag (e.g. prefix_mismatch).
    #[arg(long)]
    flag: Option<String>,
}

#[derive(Args, Debug)]
struct ListArgs {
    #[command(flatten)]
    filter: FilterArgs,
    /// Sort by number, kind, region, model, company, filed_on, seq or batch; add :desc to reverse.
    #[arg(long, value_name = "FIELD[:desc]")]
    sort: Option<String>,
    #[arg(long)]
    limit: Option<u32>,
    #[arg(long, default_value_t = 0)]
    offset: u64,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum KindArg {
    Filed,
    Registered,
}

impl From<KindArg> for Kind {
    fn from(k: KindArg) -> Kind {
        match k {
            KindArg::Filed => Kind::Filed,
            KindArg::Registered => Kind::Registered,
        }
    }
}

#[derive(Args, Debug)]
struct FieldArgs {
    #[arg(long)]
    number: String,
    #[arg(long)]
    region: String,
    #[arg(long)]
    model: String,
    #[arg(long)]
    company: String,
    #[arg(long, value_name = "DATE")]
    filed_on: Option<String>,
    #[arg(long, value_enum)]
    kind: Option<KindArg>,
    #[arg(long)]
    seq: Option<i64>,
    /// Why the change was made (kept in the audit trail).
    #[arg(long)]
    note: Option<String>,
}

#[derive(Args, Debug)]
struct EditArgs {
    /// A corrected filing number.
    #[arg(long = "set-number", value_name = "NUMBER")]
    new_number: Option<String>,
    #[arg(long)]
    region: Option<String>,
    #[arg(long)]
    model: Option<String>,
    #[arg(long)]
    company: Option<String>,
    #[arg(long, value_name = "DATE")]
    filed_on: Option<String>,
    #[arg(long, value_enum)]
    kind: Option<KindArg>,
    #[arg(long)]
    seq: Option<i64>,
    /// Why the change was made (kept in the audit trail).
    #[arg(long)]
    note: Option<String>,
}

/// Runs the CLI and returns the process exit code.
pub fn main() -> i32 {
    let cli = Cli::parse_from(export::args(std::env::args_os()));
    let format = cli.format;
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("beian: {e}");
            if matches!(format, Format::Json) {
                if let Ok(s) = serde_json::to_string(&e.payload()) {
                    eprintln!("{s}");
                }
            }
            match e {
                Error::Usage(_) => 2,
                _ => 1,
            }
        }
    }
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn open(db: Option<PathBuf>) -> Result<Registry> {
    match db {
        Some(p) => Registry::open(&p),
        None => crate::location::current().open(&now()),
    }
}

fn filter_from(a: FilterArgs) -> Result<FilingFilter> {
    let date = |d: Option<String>| -> Result<Option<String>> {
        d.map(|d| {
            crate::import::date::parse_date(&d)
                .map(|d| d.to_string())
                .map_err(|e| Error::Usage(format!("--from/--to: {e}")))
        })
        .transpose()
    };
    let flag = match a.flag {
        Some(f) => Some(Flag::parse(&f).ok_or_else(|| {
            Error::Usage(format!(
                "unknown flag {f:?}; flags are: {}",
                Flag::ALL.map(Flag::as_str).join(", ")
            ))
        })?),
        None => None,
    };
    Ok(FilingFilter {
        regions: a.region,
        kind: a.kind.map(Kind::from),
        company: a.company,
        search: a.search,
        from: date(a.from)?,
        to: date(a.to)?,
        year: a.year,
        batch: a.batch,
        flagged: a.flagged.then_some(true),
        flag,
    })
}

fn parse_opt_date(d: Option<String>) -> Result<Option<chrono::NaiveDate>> {
    d.map(|d| crate::import::date::parse_date(&d).map_err(Error::Usage))
        .transpose()
}

fn run(cli: Cli) -> Result<i32> {
    let format = cli.format;
    let mut out = Out::stdout(format);
    match cli.command {
        Command::Import(a) => {
            let mut reg = open(cli.db)?;
            let opts = ReadOptions {
                encoding: a.encoding,
                delimiter: a.delimiter,
                columns: Vec::new(),
            };
            let mode = ImportMode {
                keep_going: a.keep_going,
                dry_run: a.dry_run,
            };
            let show_progress = std::io::stderr().is_terminal() && !matches!(format, Format::Json);
            let mut summaries = Vec::new();
            let mut refused = false;
            for path in &a.files {
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_else(|| path.display().to_string());
                let bar = show_progress.then(|| output::progress_bar(&name));
                let summary = reg.import_file(path, &opts, mode, &now(), &mut |done, total| {
                    if let Some(b) = &bar {
                        b.set_length(total);
                        b.set_position(done);
                    }
                    true
                });
                if let Some(b) = bar {
                    b.finish_and_clear();
                }
                match summary {
                    Ok(s) => {
                        refused |= s.status == ImportStatus::Refused;
                        summaries.push(s);
                    }
                    Err(Error::Import(e)) => {
                        // One unreadable file is reported and stops the run: files are
                        // independent batches, but a script should see the failure.
                        output::print_import_summaries(&mut out, &summaries)?;
                        return Err(Error::Import(e));
                    }
                    Err(e) => return Err(e),
                }
            }
            output::print_import_summaries(&mut out, &summaries)?;
            Ok(if refused { 1 } else { 0 })
        }
        Command::List(a) => {
            let reg = open(cli.db)?;
            let sort = match a.sort {
                Some(s) => Some(Sort::parse(&s).ok_or_else(|| {
                    Error::Usage(format!(
                        "cannot sort by {s:?}; use number, kind, region, model, company, \
                         filed_on, seq or batch, optionally with :desc"
                    ))
                })?),
                None => None,
            };
            let page = reg.list(&FilingQuery {
                filter: filter_from(a.filter)?,
                sort,
                limit: a.limit.unwrap_or(u32::MAX),
                offset: a.offset,
            })?;
            output::print_filings(&mut out, &page.rows)?;
            Ok(0)
        }
        Command::Facets(f) => {
            let reg = open(cli.db)?;
            let facets = reg.facets(&filter_from(f)?)?;
            output::print_facets(&mut out, &facets)?;
            Ok(0)
        }
        Command::Show { number } => {
            let reg = open(cli.db)?;
            let detail = reg.show(&number)?;
            output::print_detail(&mut out, &detail)?;
            Ok(0)
        }
        Command::Check {
            number,
            region,
            filed_on,
        } => {
            let reg = open(cli.db)?;
            let check = reg.check_number(&number, region.as_deref(), filed_on.as_deref())?;
            output::print_check(&mut out, &check)?;
            Ok(if check.valid { 0 } else { 1 })
        }
        Command::Batches => {
            let reg = open(cli.db)?;
            output::print_batches(&mut out, &reg.batches()?)?;
            Ok(0)
        }
        Command::Batch { id } => {
            let reg = open(cli.db)?;
            output::print_batch_changes(&mut out, &reg.batch_changes(id)?)?;
            Ok(0)
        }
        Command::Add(a) => {
            let mut reg = open(cli.db)?;
            let fields = FilingFields {
                number: a.number,
                kind: a.kind.map(Kind::from).unwrap_or(Kind::Filed),
                region: a.region,
                model: a.model,
                company: a.company,
                filed_on: parse_opt_date(a.filed_on)?,
                seq: a.seq,
            };
            let detail = reg.add_filing(fields, &now(), a.note.as_deref())?;
            output::print_detail(&mut out, &detail)?;
            Ok(0)
        }
        Command::Edit { number, fields: e } => {
            let mut reg = open(cli.db)?;
            let current = reg.show(&number)?.filing;
            let fields = FilingFields {
                number: e.new_number.unwrap_or(current.number),
                kind: e.kind.map(Kind::from).unwrap_or(current.kind),
                region: e.region.unwrap_or(current.region),
                model: e.model.unwrap_or(current.model),
                company: e.company.unwrap_or(current.company),
                filed_on: match e.filed_on {
                    Some(d) => parse_opt_date(Some(d))?,
                    None => parse_opt_date(current.filed_on)?,
                },
                seq: e.seq.or(current.seq),
            };
            let (detail, changes) =
                reg.edit_filing(current.id, fields, &now(), e.note.as_deref())?;
            if changes.is_empty() {
                eprintln!("beian: nothing to change");
            }
            output::print_detail(&mut out, &detail)?;
            Ok(0)
        }
        Command::Audit => {
            let reg = open(cli.db)?;
            print_value(&mut out, &reg.store().audit_of(None)?)?;
            Ok(0)
        }
        Command::Seed => {
            let mut reg = open(cli.db)?;
            let summaries = reg.seed(&now())?;
            output::print_import_summaries(&mut out, &summaries)?;
            Ok(0)
        }
        Command::Backup { to } => {
            let reg = open(cli.db)?;
            reg.backup_to(&to)?;
            eprintln!("beian: backed up to {}", to.display());
            Ok(0)
        }
        Command::Export(a) => export::run(cli.db, format, a),
        Command::Restore { from } => {
            let target = cli.db.unwrap_or_else(|| crate::location::current().path);
            Registry::restore_from(&from, &target)?;
            eprintln!(
                "beian: restored {} from {}",
                target.display(),
                from.display()
            );
            Ok(0)
        }
        Command::Subsidies(a) => subsidies::run_subsidies(cli.db, format, a),
        Command::Company(a) => subsidies::run_company(cli.db, format, a),
        Command::Stats(a) => stats::run(&open(cli.db)?, a, &mut out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }
}
