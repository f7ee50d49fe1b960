//! Printing results as a table for people, CSV for spreadsheets, or JSON (snake_case keys) for
//! programs.

use crate::error::{Error, Result};
use crate::filing::{Flag, Issue};
use crate::number::NumberCheck;
use crate::query::{BatchChange, BatchInfo, Facets, FilingDetail, FilingRow};
use crate::registry::ImportSummary;
use clap::ValueEnum;
use comfy_table::{ContentArrangement, Table};

/// A rule under the header and nothing else: light enough for long listings.
const HEADER_RULE_ONLY: &str = "     ──            ";
use serde::Serialize;
use std::io::Write;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Json,
}

pub struct Out {
    pub(super) format: Format,
    pub(super) w: Box<dyn Write>,
}

impl Out {
    pub fn stdout(format: Format) -> Out {
        Out {
            format,
            w: Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
        }
    }
}

pub(super) fn io(e: std::io::Error) -> Error {
    // A closed pipe (`beian list | head`) is not worth a message.
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    Error::io("<stdout>", e)
}

pub fn progress_bar(name: &str) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(0);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len} rows")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    bar.set_message(name.to_string());
    bar
}

pub fn print_value<T: Serialize>(out: &mut Out, v: &T) -> Result<()> {
    serde_json::to_writer_pretty(&mut out.w, v).map_err(|e| Error::io("<stdout>", e.into()))?;
    writeln!(out.w).map_err(io)?;
    out.w.flush().map_err(io)
}

/// Prints rows as a table or CSV with the given header; JSON callers use [`print_value`].
pub(super) fn print_rows(out: &mut Out, header: &[&str], rows: Vec<Vec<String>>) -> Result<()> {
    match out.format {
        Format::Csv => {
            let mut w = csv::Writer::from_writer(&mut out.w);
            w.write_record(header)
                .map_err(|e| Error::io("<stdout>", e.into()))?;
            for r in rows {
                w.write_record(&r)
                    .map_err(|e| Error::io("<stdout>", e.into()))?;
            }
            w.flush().map_err(io)?;
        }
        _ => {
            let mut t = Table::new();
            t.load_preset(HEADER_RULE_ONLY)
                .set_content_arrangement(ContentArrangement::Disabled)
                .set_header(header.to_vec());
            for r in rows {
                t.add_row(r);
            }
            writeln!(out.w, "{t}").map_err(io)?;
        }
    }
    out.w.flush().map_err(io)
}

fn opt<T: ToString>(v: &Option<T>) -> String {
    v.as_ref().map(ToString::to_string).unwrap_or_default()
}

fn flags(f: &[Flag]) -> String {
    Flag::join(f)
}

pub fn print_filings(out: &mut Out, rows: &[FilingRow]) -> Result<()> {
    if out.format == Format::Json {
        return print_value(out, &rows);
    }
    let data = rows
        .iter()
        .map(|r| {
            vec![
                r.number.clone(),
                r.kind.to_string(),
                r.region.clone(),
                r.model.clone(),
                r.company.clone(),
                opt(&r.filed_on),
                opt(&r.seq),
                opt(&r.batch),
                flags(&r.flags),
            ]
        })
        .collect();
    print_rows(
        out,
        &[
            "number", "kind", "region", "model", "company", "filed_on", "seq", "batch", "flags",
        ],
        data,
    )
}

fn issue_rows(file: &str, issues: &[Issue], severity: &str) -> Vec<Vec<String>> {
    issues
        .iter()
        .map(|i| {
            vec![
                file.to_string(),
                severity.to_string(),
                opt(&i.line),
                opt(&i.column),
                i.code.clone(),
                i.message.clone(),
            ]
        })
        .collect()
}

pub fn print_import_summaries(out: &mut Out, summaries: &[ImportSummary]) -> Result<()> {
    match out.format {
        Format::Json => print_value(out, &summaries),
        Format::Csv => {
            let rows = summaries
                .iter()
                .map(|s| {
                    vec![
                        s.file.clone(),
                        serde_json::to_value(s.status)
                            .ok()
                            .and_then(|v| v.as_str().map(str::to_string))
                            .unwrap_or_default(),
                        opt(&s.batch),
                        s.encoding.clone(),
                        opt(&s.delimiter),
                        s.rows.to_string(),
                        s.inserted.to_string(),
                        s.updated.to_string(),
                        s.unchanged.to_string(),
                        s.rejected.to_string(),
                        s.errors.len().to_string(),
                        s.warnings.len().to_string(),
                    ]
                })
                .collect();
            print_rows(
                out,
                &[
                    "file",
                    "status",
                    "batch",
                    "encoding",
                    "delimiter",
                    "rows",
                    "inserted",
                    "updated",
                    "unchanged",
                    "rejected",
                    "errors",
                    "warnings",
                ],
                rows,
            )
        }
        Format::Table => {
            for s in summaries {
                let delim = match s.delimiter.as_deref() {
                    Some("\t") => ", tab-separated".to_string(),
                    Some(d) => format!(", '{d}'-separated"),
                    None => String::new(),
                };
                writeln!(
                    out.w,
                    "{}: {} ({}{delim}, {} rows)",
                    s.file, s.message, s.encoding, s.rows
                )
                .map_err(io)?;
                let mut rows = issue_rows(&s.file, &s.errors, "error");
                rows.extend(issue_rows(&s.file, &s.warnings, "warning"));
                if !rows.is_empty() {
                    print_rows(
                        out,
                        &["file", "severity", "line", "column", "code", "message"],
                        rows,
                    )?;
                }
            }
            out.w.flush().map_err(io)
        }
    }
}

pub fn print_check(out: &mut Out, c: &NumberCheck) -> Result<()> {
    if out.format == Format::Json {
        return print_value(out, c);
    }
    let problems = c
        .problems
        .iter()
        .map(|p| format!("{}: {}", p.code, p.message))
        .collect::<Vec<_>>()
        .join("; ");
    print_rows(
        out,
        &["field", "value"],
        vec![
            vec!["number".into(), c.number.clone()],
            vec!["valid".into(), c.valid.to_string()],
            vec!["kind".into(), opt(&c.kind)],
            vec!["jurisdiction".into(), opt(&c.jurisdiction)],
            vec!["region".into(), opt(&c.region)],
            vec!["name".into(), opt(&c.name)],
            vec!["date".into(), opt(&c.date)],
            vec!["sequence".into(), opt(&c.sequence)],
            vec!["problems".into(), problems],
        ],
    )
}

pub fn print_detail(out: &mut Out, d: &FilingDetail) -> Result<()> {
    if out.format == Format::Json {
        #[derive(Serialize)]
        struct Shown<'a> {
            #[serde(flatten)]
            filing: &'a FilingRow,
            check: &'a NumberCheck,
            raw_rows: &'a [crate::query::RawRow],
            history: &'a [crate::query::HistoryEntry],
            audit: &'a [crate::query::AuditEntry],
            other_filings: &'a [FilingRow],
            created_at: &'a str,
            updated_at: &'a str,
        }
        return print_value(
            out,
            &Shown {
                filing: &d.filing,
                check: &d.check,
                raw_rows: &d.raw_rows,
                history: &d.history,
                audit: &d.audit,
                other_filings: &d.other_filings,
                created_at: &d.created_at,
                updated_at: &d.updated_at,
            },
        );
    }
    let f = &d.filing;
    print_rows(
        out,
        &["field", "value"],
        vec![
            vec!["number".into(), f.number.clone()],
            vec!["kind".into(), f.kind.to_string()],
            vec!["region".into(), f.region.clone()],
            vec!["model".into(), f.model.clone()],
            vec!["company".into(), f.company.clone()],
            vec!["filed_on".into(), opt(&f.filed_on)],
            vec!["seq".into(), opt(&f.seq)],
            vec!["batch".into(), opt(&f.batch)],
            vec!["flags".into(), flags(&f.flags)],
        ],
    )?;
    if !d.history.is_empty() {
        writeln!(out.w, "history (values replaced, newest first):").map_err(io)?;
        let rows = d
            .history
            .iter()
            .map(|h| {
                vec![
                    h.replaced_at.clone(),
                    h.replaced_by_batch
                        .map(|b| format!("batch {b}"))
                        .or(h.replaced_by_edit.map(|a| format!("edit {a}")))
                        .unwrap_or_default(),
                    h.number.clone(),
                    h.region.clone(),
                    h.model.clone(),
                    h.company.clone(),
                    opt(&h.filed_on),
                ]
            })
            .collect();
        print_rows(
            out,
            &[
                "replaced_at",
                "by",
                "number",
                "region",
                "model",
                "company",
                "filed_on",
            ],
            rows,
        )?;
    }
    if !d.other_filings.is_empty() {
        writeln!(out.w, "other filings of {}:", f.company).map_err(io)?;
        print_filings(out, &d.other_filings)?;
    }
    Ok(())
}

pub fn print_batches(out: &mut Out, batches: &[BatchInfo]) -> Result<()> {
    if out.format == Format::Json {
        return print_value(out, &batches);
    }
    let rows = batches
        .iter()
        .map(|b| {
            vec![
                b.id.to_string(),
                b.file_name.clone(),
                b.imported_at.clone(),
                b.source.clone(),
                b.encoding.clone(),
                b.rows.to_string(),
                b.inserted.to_string(),
                b.updated.to_string(),
                b.unchanged.to_string(),
                b.rejected.to_string(),
                b.sha256.clone(),
            ]
        })
        .collect();
    print_rows(
        out,
        &[
            "batch",
            "file",
            "imported_at",
            "source",
            "encoding",
            "rows",
            "inserted",
            "updated",
            "unchanged",
            "rejected",
            "sha256",
        ],
        rows,
    )
}

pub fn print_batch_changes(out: &mut Out, changes: &[BatchChange]) -> Result<()> {
    if out.format == Format::Json {
        return print_value(out, &changes);
    }
    let rows = changes
        .iter()
        .map(|c| {
            vec![
                c.line.to_string(),
                c.action.clone(),
                c.number.clone(),
                c.model.clone(),
                c.company.clone(),
                c.changes
                    .iter()
                    .map(|ch| format!("{}: {} → {}", ch.field, opt(&ch.before), opt(&ch.after)))
                    .collect::<Vec<_>>()
                    .join("; "),
            ]
        })
        .collect();
    print_rows(
        out,
        &["line", "action", "number", "model", "company", "changes"],
        rows,
    )
}

pub fn print_facets(out: &mut Out, f: &Facets) -> Result<()> {
    if out.format == Format::Json {
        return print_value(out, f);
    }
    let mut rows = Vec::new();
    for (name, counts) in [
        ("region", &f.region),
        ("kind", &f.kind),
        ("year", &f.year),
        ("batch", &f.batch),
        ("flagged", &f.flagged),
    ] {
        for c in counts {
            rows.push(vec![
                name.to_string(),
                c.value.clone(),
                c.label.clone(),
                c.count.to_string(),
            ]);
        }
    }
    print_rows(out, &["facet", "value", "label", "count"], rows)
}
