//! `beian export`: the selection of `beian list` (same filters, sort) written as CSV, XLSX, an HTML
//! report or a PDF report, through the same core call as the app's save dialog.
//!
//! `--format` is also the global output-format option (table/csv/json for what commands print).
//! After the word `export` it names the file format instead (`beian export --format pdf`); put
//! the global one before `export` (`beian --format json export --format xlsx --out f.xlsx`) to
//! get the summary as JSON. [`args`] does that rewriting before clap sees the arguments.

use super::output::{self, print_value, Format, Out};
use super::{filter_from, open, FilterArgs};
use crate::error::{Error, Result};
use crate::export::{CsvEncoding, ExportFormat, ExportRequest, Language};
use crate::query::Sort;
use clap::{Args, ValueEnum};
use std::ffi::OsString;
use std::io::IsTerminal;
use std::path::PathBuf;

#[derive(Args, Debug)]
pub(super) struct ExportArgs {
    /// csv, xlsx, html or pdf; written `--format` after `export`. Default: from the --out file's
    /// extension.
    #[arg(long = "export-format", value_enum, value_name = "FORMAT")]
    export_format: Option<FormatArg>,
    /// The file to write (replaced only once the export is complete).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    #[command(flatten)]
    filter: FilterArgs,
    /// Sort by number, kind, region, model, company, filed_on, seq or batch; add :desc to reverse.
    #[arg(long, value_name = "FIELD[:desc]")]
    sort: Option<String>,
    /// Only filings dated on or before this day; printed on reports and the XLSX cover.
    #[arg(long, value_name = "DATE")]
    as_of: Option<String>,
    /// CSV encoding: utf-8-bom (Excel on Chinese Windows), utf-8 or gb18030.
    #[arg(long, value_name = "ENC", default_value = "utf-8-bom")]
    encoding: String,
    /// Language of headers, labels and reports.
    #[arg(long, value_enum, default_value_t = LangArg::Zh)]
    lang: LangArg,
    /// Title of the report and the XLSX cover.
    #[arg(long)]
    title: Option<String>,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum FormatArg {
    Csv,
    Xlsx,
    Html,
    Pdf,
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum LangArg {
    Zh,
    En,
}

/// Rewrites `--format X` after the `export` subcommand to `--export-format X`; everything else
/// passes through unchanged.
pub(super) fn args(raw: impl IntoIterator<Item = OsString>) -> Vec<OsString> {
    let mut v: Vec<OsString> = raw.into_iter().collect();
    let mut i = 1;
    while i < v.len() {
        let a = v[i].to_string_lossy();
        if a == "--db" || a == "--format" {
            i += 2;
        } else if a.starts_with("--db=") || a.starts_with("--format=") {
            i += 1;
        } else if a == "export" {
            for arg in v.iter_mut().skip(i + 1) {
                let s = arg.to_string_lossy();
                if s == "--" {
                    break;
                }
                if s == "--format" {
                    *arg = "--export-format".into();
                } else if let Some(rest) = s.strip_prefix("--format=") {
                    *arg = format!("--export-format={rest}").into();
                }
            }
            break;
        } else {
            break;
        }
    }
    v
}

fn format_from(a: Option<FormatArg>, out: &std::path::Path) -> Result<ExportFormat> {
    if let Some(f) = a {
        return Ok(match f {
            FormatArg::Csv => ExportFormat::Csv,
            FormatArg::Xlsx => ExportFormat::Xlsx,
            FormatArg::Html => ExportFormat::Html,
            FormatArg::Pdf => ExportFormat::Pdf,
        });
    }
    let ext = out
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "csv" | "txt" => Ok(ExportFormat::Csv),
        "xlsx" => Ok(ExportFormat::Xlsx),
        "html" | "htm" => Ok(ExportFormat::Html),
        "pdf" => Ok(ExportFormat::Pdf),
        _ => Err(Error::Usage(format!(
            "say which format to export with --format csv|xlsx|html|pdf (the file name {} does \
             not tell)",
            out.display()
        ))),
    }
}

pub(super) fn run(db: Option<PathBuf>, format: Format, a: ExportArgs) -> Result<i32> {
    let reg = open(db)?;
    let export_format = format_from(a.export_format, &a.out)?;
    let sort = match a.sort {
        Some(s) => Some(Sort::parse(&s).ok_or_else(|| {
            Error::Usage(format!(
                "cannot sort by {s:?}; use number, kind, region, model, company, filed_on, seq \
                 or batch, optionally with :desc"
            ))
        })?),
        None => None,
    };
    let as_of = match a.as_of {
        Some(d) => Some(
            crate::import::date::parse_date(&d)
                .map_err(|e| Error::Usage(format!("--as-of: {e}")))?
                .to_string(),
        ),
        None => None,
    };
    let csv_encoding = CsvEncoding::parse(&a.encoding).ok_or_else(|| {
        Error::Usage(format!(
            "unknown CSV encoding {:?}; use utf-8-bom, utf-8 or gb18030",
            a.encoding
        ))
    })?;
    let req = ExportRequest {
        format: export_format,
        path: a.out.to_string_lossy().into_owned(),
        filter: filter_from(a.filter)?,
        sort,
        as_of,
        language: match a.lang {
            LangArg::Zh => Language::Zh,
            LangArg::En => Language::En,
        },
        csv_encoding,
        now: super::now(),
        title: a.title,
    };
    let bar = (std::io::stderr().is_terminal() && !matches!(format, Format::Json))
        .then(|| output::progress_bar(&a.out.to_string_lossy()));
    let summary = reg.export(&req, &mut |done, total| {
        if let Some(b) = &bar {
            b.set_length(total);
            b.set_position(done);
        }
        true
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    let summary = summary?;
    let mut out = Out::stdout(format);
    match format {
        Format::Json => print_value(&mut out, &summary)?,
        _ => eprintln!("beian: {}", summary.message),
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strs(v: &[&str]) -> Vec<OsString> {
        v.iter().map(OsString::from).collect()
    }

    #[test]
    fn format_after_export_names_the_file_format() {
        assert_eq!(
            args(strs(&[
                "beian", "export", "--format", "pdf", "--out", "r.pdf"
            ])),
            strs(&[
                "beian",
                "export",
                "--export-format",
                "pdf",
                "--out",
                "r.pdf"
            ])
        );
        assert_eq!(
            args(strs(&[
                "beian",
                "--format",
                "json",
                "--db",
                "x",
                "export",
                "--format=csv"
            ])),
            strs(&[
                "beian",
                "--format",
                "json",
                "--db",
                "x",
                "export",
                "--export-format=csv"
            ])
        );
        let list = strs(&["beian", "list", "--format", "csv"]);
        assert_eq!(args(list.clone()), list);
    }

    #[test]
    fn format_from_extension() {
        let p = |s: &str| PathBuf::from(s);
        assert_eq!(format_from(None, &p("a.XLSX")).unwrap(), ExportFormat::Xlsx);
        assert_eq!(format_from(None, &p("a.htm")).unwrap(), ExportFormat::Html);
        assert_eq!(
            format_from(Some(FormatArg::Pdf), &p("a.csv")).unwrap(),
            ExportFormat::Pdf
        );
        assert_eq!(format_from(None, &p("a")).unwrap_err().code(), "usage");
    }
}
