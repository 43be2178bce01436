//! `nemsis validate` — check NEMSIS documents against the official XSDs.
//!
//! ```text
//! nemsis validate [--xsd-only] [--format text|jsonl] [--nemsis-version auto|3.5.0|3.5.1]
//!                 [--threads N] <INPUT>...
//! ```
//! INPUT: files, directories (recursive, sorted), `.zip` (each XML member), `.gz`, `-` (stdin).
//! Records are validated in parallel; output is in input order.
//!
//! `--format text` prints one line per finding, `path:line:col: SEVERITY [kind] element: message`,
//! and a summary. `--format jsonl` prints one JSON object per document:
//! `{"source", "dataset", "version", "well_formed", "xsd_valid", "records", "findings": [...]}`.
//! National Schematron rules run on every XSD-valid record unless `--xsd-only` (findings of
//! kind `schematron`, `rule` = the official assert id, `severity` = its role).
//! Exit status: 0 when every document is well-formed and XSD-valid and no record has a rule
//! finding of role ERROR or FATAL (warnings alone exit 0), 1 otherwise, 2 for usage errors or
//! inputs that cannot be read.

use crate::finding::{Finding, Kind};
use crate::validate::report::ReportBuilder;
use crate::pipeline::{self, Item, Options, Sink};
use std::io::Write;

#[derive(clap::Args)]
pub struct Args {
    /// Only XSD validation: skip the national Schematron rules.
    #[arg(long)]
    pub xsd_only: bool,
    /// Output format.
    #[arg(long, default_value = "text", value_parser = ["text", "jsonl"])]
    pub format: String,
    /// NEMSIS version: auto (from xsi:schemaLocation, default 3.5.1), 3.5.0 or 3.5.1.
    #[arg(long, default_value = "auto")]
    pub nemsis_version: String,
    /// Worker threads (default: number of cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Files, directories, .zip, .gz, or - for stdin.
    #[arg(required = true)]
    pub inputs: Vec<String>,
}

pub fn run(a: Args) -> anyhow::Result<i32> {
    let opts = Options { threads: a.threads.unwrap_or_else(pipeline::default_threads), version: super::version_choice(&a.nemsis_version)? };
    let stdout = std::io::stdout();
    let mut sink = ValidateSink { out: std::io::BufWriter::new(stdout.lock()), jsonl: a.format == "jsonl", reports: ReportBuilder::default(), totals: Totals::default() };
    let rules = |r: &mut crate::pipeline::RecordResult| crate::rules::run_stage(r);
    let stages: Vec<&crate::pipeline::Stage> = if a.xsd_only { vec![] } else { vec![&rules] };
    pipeline::run(&a.inputs, &opts, &stages, &mut sink)?;
    let t = &sink.totals;
    if !sink.jsonl {
        writeln!(
            sink.out,
            "{} document(s), {} record(s): {} valid, {} invalid; {} finding(s){}",
            t.documents,
            t.records,
            t.documents - t.invalid,
            t.invalid,
            t.findings,
            if t.input_errors > 0 { format!("; {} input(s) could not be read", t.input_errors) } else { String::new() }
        )?;
    }
    sink.out.flush()?;
    Ok(super::exit_status(t.input_errors, t.invalid))
}

#[derive(Default)]
struct Totals {
    documents: u64,
    invalid: u64,
    records: u64,
    findings: u64,
    input_errors: u64,
}

struct ValidateSink<W: Write> {
    out: W,
    jsonl: bool,
    reports: ReportBuilder,
    totals: Totals,
}

/// `path:line:col: SEVERITY [kind rule] message` (messages start with the element they are about).
pub fn text_line(source: &str, f: &Finding) -> String {
    let rule = f.rule.as_deref().map(|r| format!(" {r}")).unwrap_or_default();
    format!("{source}:{}:{}: {} [{}{rule}] {}", f.line, f.column, f.severity.as_str(), f.kind.as_str(), f.message)
}

impl<W: Write> Sink for ValidateSink<W> {
    fn item(&mut self, item: Item) -> anyhow::Result<()> {
        if let Item::Skipped { provenance, reason } = &item {
            tracing::info!(source = %provenance.display(), "skipped: {reason}");
        }
        let Some(r) = self.reports.item(item) else { return Ok(()) };
        let io = r.findings.iter().any(|f| f.kind == Kind::Io) && r.dataset.is_none();
        if io {
            self.totals.input_errors += 1;
        } else {
            self.totals.documents += 1;
            self.totals.records += r.records;
            // Invalid: an XSD error, or a rule finding of role ERROR/FATAL (warnings pass).
            if !r.xsd_valid || r.findings.iter().any(|f| f.kind == Kind::Schematron && f.severity.rejects()) {
                self.totals.invalid += 1;
            }
        }
        self.totals.findings += r.findings.len() as u64;
        if self.jsonl {
            writeln!(self.out, "{}", serde_json::to_string(&r)?)?;
        } else {
            for f in &r.findings {
                if f.kind == Kind::Io {
                    writeln!(self.out, "{}: FATAL [io] {}", r.source, f.message)?;
                } else {
                    writeln!(self.out, "{}", text_line(&r.source, f))?;
                }
            }
        }
        Ok(())
    }
}
