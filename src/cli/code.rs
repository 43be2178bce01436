//! `nemsis code` — ambulance coding of NEMSIS EMS patient care reports.
//!
//! ```text
//! nemsis code [--format text|jsonl] [--coding-config FILE] [--nemsis-version auto|3.5.0|3.5.1]
//!             [--threads N] <INPUT>...
//! ```
//! INPUT: files, directories (recursive, sorted), `.zip` (each XML member), `.gz`, `-` (stdin).
//! Every `PatientCareReport` of every EMSDataSet is coded independently (level of service, base
//! HCPCS code, mileage, modifiers, supplies, ICD-10-CM list, compliance findings) by
//! [`crate::coding::code_pcr`], following `shared/docs/ambulance-coding.md`. Output is in input
//! order whatever the number of threads.
//!
//! `--format text` (default) prints a claim summary per PCR for a coder to review: level, codes
//! with modifiers and units, diagnoses, findings with their reasons; then a summary line.
//! `--format jsonl` prints one JSON object per PCR in the specification's output-record shape
//! (§2) plus `"source"` (`path`, or `archive.zip!member` for an archive member):
//! `{"source", "uuid", "level", "emergency", "hcpcs_base", "base_modifiers", "mileage",
//! "supply_codes", "icd10", "findings"}`.
//!
//! `--coding-config FILE` reads a TOML file whose top-level keys are the specification's
//! configuration keys (§3.4), each overriding only that key, e.g.
//! `bls_may_defibrillate = false` or `provider_arrangement = "QN"`.
//!
//! DEMDataSet and StateDataSet documents are skipped (noted on stderr). Records that are not
//! well-formed are reported on stderr and not coded; records that are well-formed but not
//! XSD-valid are coded anyway and counted in a note (run `nemsis validate` on them).
//!
//! Exit status: 0 when every PCR was coded, 1 when a record or document could not be coded
//! (not well-formed), 2 for usage errors (including a bad `--coding-config`) or inputs that
//! cannot be read.

use crate::coding::{self, CodingResult, Config};
use crate::pipeline::{self, Item, Options, Sink};
use serde::Serialize;
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Output format: a readable claim summary per PCR, or one JSON object per PCR.
    #[arg(long, default_value = "text", value_parser = ["text", "jsonl"])]
    pub format: String,
    /// TOML file overriding coding configuration keys (ambulance-coding.md §3.4).
    #[arg(long, value_name = "FILE")]
    pub coding_config: Option<PathBuf>,
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
    let cfg = match &a.coding_config {
        None => Config::default(),
        Some(path) => match Config::from_file(path) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("nemsis: error: --coding-config {e}");
                return Ok(super::EXIT_USAGE);
            }
        },
    };
    let opts = Options { threads: a.threads.unwrap_or_else(pipeline::default_threads), version: super::version_choice(&a.nemsis_version)? };
    let stdout = std::io::stdout();
    let mut sink = CodeSink { out: std::io::BufWriter::new(stdout.lock()), jsonl: a.format == "jsonl", cfg, totals: Totals::default() };
    let finished = pipeline::run(&a.inputs, &opts, &[], &mut sink).and_then(|()| sink.finish());
    match finished {
        Ok(()) => {}
        // A closed stdout (`nemsis code … | head`) is not an error.
        Err(e) if e.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe) => return Ok(0),
        Err(e) => return Err(e),
    }
    let t = &sink.totals;
    if t.not_xsd_valid > 0 {
        eprintln!("nemsis: note: {} coded record(s) are not XSD-valid; run `nemsis validate` on them", t.not_xsd_valid);
    }
    Ok(super::exit_status(t.input_errors, t.not_coded))
}

#[derive(Default)]
struct Totals {
    documents: u64,
    coded: u64,
    with_errors: u64,
    with_warnings: u64,
    not_coded: u64,
    not_xsd_valid: u64,
    skipped_docs: u64,
    input_errors: u64,
}

struct CodeSink<W: Write> {
    out: W,
    jsonl: bool,
    cfg: Config,
    totals: Totals,
}

/// One JSONL line: the §2 output record plus its source.
#[derive(Serialize)]
struct Line<'a> {
    source: String,
    #[serde(flatten)]
    result: &'a CodingResult,
}

impl<W: Write> CodeSink<W> {
    /// The text summary line, then flush.
    fn finish(&mut self) -> anyhow::Result<()> {
        let t = &self.totals;
        if !self.jsonl {
            writeln!(
                self.out,
                "{} PCR(s) coded from {} document(s): {} with errors, {} with warnings only{}{}{}",
                t.coded,
                t.documents,
                t.with_errors,
                t.with_warnings,
                if t.not_coded > 0 { format!("; {} record(s) not coded (not well-formed)", t.not_coded) } else { String::new() },
                if t.skipped_docs > 0 { format!("; {} non-EMS document(s) skipped", t.skipped_docs) } else { String::new() },
                if t.input_errors > 0 { format!("; {} input(s) could not be read", t.input_errors) } else { String::new() },
            )?;
        }
        self.out.flush()?;
        Ok(())
    }
}

impl<W: Write> Sink for CodeSink<W> {
    fn item(&mut self, item: Item) -> anyhow::Result<()> {
        match item {
            Item::DocumentStart { .. } => {}
            Item::Record(r) => {
                if r.info.dataset != "EMSDataSet" {
                    return Ok(()); // counted once at DocumentEnd
                }
                let source = r.provenance.display();
                let Some(result) = coding::code_record(&r, &self.cfg) else {
                    self.totals.not_coded += 1;
                    let why = r.findings.first().map(|f| f.message.as_str()).unwrap_or("not well-formed");
                    eprintln!("{source}:{}:{}: record not coded: {why}", r.raw.line, r.raw.column);
                    return Ok(());
                };
                self.totals.coded += 1;
                if !r.xsd_valid() {
                    self.totals.not_xsd_valid += 1;
                }
                if result.findings.iter().any(|f| f.severity == coding::Severity::Error) {
                    self.totals.with_errors += 1;
                } else if result.findings.iter().any(|f| f.severity == coding::Severity::Warning) {
                    self.totals.with_warnings += 1;
                }
                if self.jsonl {
                    writeln!(self.out, "{}", serde_json::to_string(&Line { source, result: &result })?)?;
                } else {
                    writeln!(self.out, "{}", coding::text::render(&source, &result))?;
                }
            }
            Item::DocumentEnd { provenance, outcome, .. } => {
                let source = provenance.display();
                match &outcome.info {
                    Some(info) if info.dataset != "EMSDataSet" => {
                        self.totals.skipped_docs += 1;
                        eprintln!("{source}: skipped: a {} document (nemsis code reads EMSDataSet documents)", info.dataset);
                    }
                    Some(_) => self.totals.documents += 1,
                    None => {
                        self.totals.not_coded += 1;
                        let why = outcome.findings.first().map(|f| f.message.as_str()).unwrap_or("no NEMSIS dataset found");
                        eprintln!("{source}: not coded: {why}");
                    }
                }
            }
            Item::InputError(e) => {
                self.totals.input_errors += 1;
                eprintln!("nemsis: error: {e}");
            }
            Item::Skipped { provenance, reason } => {
                tracing::info!(source = %provenance.display(), "skipped: {reason}");
            }
        }
        Ok(())
    }
}
