//! `nemsis validate` — check NEMSIS documents against the official XSDs and Schematron rules.
//!
//! ```text
//! nemsis validate [--xsd-only] [--no-national-rules] [--schematron FILE]...
//!                 [--format text|jsonl|svrl] [--nemsis-version auto|3.5.0|3.5.1]
//!                 [--threads N] <INPUT>...
//! ```
//! INPUT: files, directories (recursive, sorted), `.zip` (each XML member), `.gz`, `-` (stdin).
//! Records are validated in parallel; output is in input order.
//!
//! `--format text` prints one line per finding, `path:line:col: SEVERITY [kind] element: message`,
//! and a summary. `--format jsonl` prints one JSON object per document:
//! `{"source", "dataset", "version", "well_formed", "xsd_valid", "records", "findings": [...]}`.
//! `--format svrl` prints one SVRL report per document, each a complete XML document starting
//! with its own `<?xml` line and a `<!-- nemsis-svrl source="..." -->` comment (see
//! [`crate::validate::svrl`] for the shape and how XSD findings appear in it).
//!
//! Rules run on every XSD-valid record (the XSD is the first gate, as in the official flow):
//! the national Schematron rules natively (unless `--no-national-rules`), then every
//! `--schematron FILE` through the generic engine ([`crate::schematron::record`]; each file is
//! loaded once at startup, a file the engine refuses is a usage error naming file, line and
//! construct). Findings of both have kind `schematron`, `rule` = the assert/report id,
//! `severity` = its role. `--xsd-only` runs no rules (it cannot be combined with
//! `--schematron`). To run the official national `.sch` through the engine instead of the
//! native rules: `--no-national-rules --schematron EMSDataSet.sch` (a file whose
//! `sch:schema/@id` names a dataset only runs on documents of that dataset).
//!
//! Exit status: 0 when every document is well-formed and XSD-valid and no record has a rule
//! finding of role ERROR or FATAL (warnings alone exit 0), 1 otherwise, 2 for usage errors
//! (including a Schematron file that cannot be loaded) or inputs that cannot be read.

use crate::finding::{Finding, Kind};
use crate::pipeline::{self, Item, Options, RecordResult, Sink};
use crate::schematron::record::RuleFiles;
use crate::validate::report::{DocReport, ReportBuilder};
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Only XSD validation: run no Schematron rules.
    #[arg(long, conflicts_with = "schematron")]
    pub xsd_only: bool,
    /// Do not run the built-in national rules (e.g. to run the official national .sch through
    /// --schematron instead).
    #[arg(long)]
    pub no_national_rules: bool,
    /// Schematron (.sch) file to run on every XSD-valid record, after the national rules
    /// (repeatable).
    #[arg(long, value_name = "FILE")]
    pub schematron: Vec<PathBuf>,
    /// Output format: text, jsonl (one object per document) or svrl (one SVRL report per document).
    #[arg(long, default_value = "text", value_parser = ["text", "jsonl", "svrl"])]
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
    let files = RuleFiles::load(&a.schematron).map_err(|e| anyhow::anyhow!("cannot load Schematron file {e}"))?;
    let format = match a.format.as_str() {
        "jsonl" => Format::Jsonl,
        "svrl" => Format::Svrl,
        _ => Format::Text,
    };
    let stdout = std::io::stdout();
    let mut sink = ValidateSink { out: std::io::BufWriter::new(stdout.lock()), format, files: &files, reports: ReportBuilder::default(), totals: Totals::default() };
    let rules = |r: &mut RecordResult| crate::rules::run_stage(r);
    let engine = |r: &mut RecordResult| files.run_stage(r);
    let mut stages: Vec<&pipeline::Stage> = Vec::new();
    if !a.xsd_only && !a.no_national_rules {
        stages.push(&rules);
    }
    if !files.is_empty() {
        stages.push(&engine);
    }
    pipeline::run(&a.inputs, &opts, &stages, &mut sink)?;
    let t = &sink.totals;
    if format == Format::Text {
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

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Text,
    Jsonl,
    Svrl,
}

#[derive(Default)]
struct Totals {
    documents: u64,
    invalid: u64,
    records: u64,
    findings: u64,
    input_errors: u64,
}

struct ValidateSink<'f, W: Write> {
    out: W,
    format: Format,
    /// The `--schematron` files (to tell their reports from their asserts in SVRL).
    files: &'f RuleFiles,
    reports: ReportBuilder,
    totals: Totals,
}

/// Whether a rule finding comes from an `sch:report` (SVRL `successful-report`) rather than an
/// `sch:assert`: asked of the `--schematron` files, then of the native rules.
fn is_report(files: &RuleFiles, r: &DocReport, f: &Finding) -> bool {
    let (Some(dataset), Some(id)) = (r.dataset.as_deref(), f.rule.as_deref()) else { return false };
    files.is_report(dataset, id).unwrap_or_else(|| {
        crate::rules::describe(r.version.as_deref().unwrap_or(""), dataset, id).is_some_and(|c| c.kind == crate::rules::CheckKind::Report)
    })
}

/// `path:line:col: SEVERITY [kind rule] message` (messages start with the element they are about).
pub fn text_line(source: &str, f: &Finding) -> String {
    let rule = f.rule.as_deref().map(|r| format!(" {r}")).unwrap_or_default();
    format!("{source}:{}:{}: {} [{}{rule}] {}", f.line, f.column, f.severity.as_str(), f.kind.as_str(), f.message)
}

impl<W: Write> Sink for ValidateSink<'_, W> {
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
        match self.format {
            Format::Jsonl => writeln!(self.out, "{}", serde_json::to_string(&r)?)?,
            Format::Svrl => {
                let files = self.files;
                let is_report = |f: &Finding| is_report(files, &r, f);
                crate::validate::svrl::write_report(&mut self.out, &r, &is_report)?;
            }
            Format::Text => {
                for f in &r.findings {
                    if f.kind == Kind::Io {
                        writeln!(self.out, "{}: FATAL [io] {}", r.source, f.message)?;
                    } else {
                        writeln!(self.out, "{}", text_line(&r.source, f))?;
                    }
                }
            }
        }
        Ok(())
    }
}
