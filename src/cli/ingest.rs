//! `nemsis ingest` — validate every record and write the analytic extract.
//!
//! ```text
//! nemsis ingest <INPUT>... --out DIR [--format parquet|csv] [--threads N]
//!               [--nemsis-version auto|3.5.0|3.5.1] [--overwrite] [--quiet]
//!               [--no-national-rules] [--schematron FILE]...
//! ```
//! `--schematron FILE` (repeatable) runs a Schematron file through the generic engine on every
//! XSD-valid record after the national rules (see [`crate::schematron::record`]); its findings
//! go to `findings.parquet` like the national rules' and ERROR/FATAL ones reject the record.
//! Writes into DIR: one table per record type and repeating element (`pcr`, `eVitals_VitalGroup`,
//! `dem_report`, ...), `findings`, `codes`, `rejects/` and `manifest.json` (see README). The
//! output is built in a temporary sibling directory and renamed into place on success.
//! Exit status: 0 when the run completed (even with rejected records), 1 when some input could
//! not be read at all, 2 for usage errors.

use crate::coding::Config as CodingConfig;
use crate::extract::claims::Claims;
use crate::extract::rejects::Rejects;
use crate::extract::{table, Extractor, Format};
use crate::finding::Kind;
use crate::pipeline::{self, Item, Options, RecordResult, Sink};
use crate::source::{InputStats, Provenance};
use anyhow::{bail, Context, Result};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

#[derive(clap::Args)]
pub struct Args {
    /// Files, directories, .zip, .gz, or - for stdin.
    #[arg(required = true)]
    pub inputs: Vec<String>,
    /// Output directory (created; see --overwrite).
    #[arg(long)]
    pub out: PathBuf,
    #[arg(long, default_value = "parquet", value_parser = ["parquet", "csv"])]
    pub format: String,
    /// Worker threads (default: number of cores).
    #[arg(long)]
    pub threads: Option<usize>,
    #[arg(long, default_value = "auto")]
    pub nemsis_version: String,
    /// Replace DIR if it exists.
    #[arg(long)]
    pub overwrite: bool,
    /// No progress and no summary.
    #[arg(long)]
    pub quiet: bool,
    /// TOML file overriding ambulance-coding configuration keys (see README).
    #[arg(long, value_name = "FILE")]
    pub coding_config: Option<PathBuf>,
    /// Skip ambulance coding (no claims tables).
    #[arg(long)]
    pub no_coding: bool,
    /// Do not run the national Schematron rules (XSD only decides acceptance).
    #[arg(long)]
    pub no_national_rules: bool,
    /// Schematron (.sch) file to run on every XSD-valid record after the national rules
    /// (repeatable); ERROR/FATAL findings reject the record.
    #[arg(long, value_name = "FILE")]
    pub schematron: Vec<PathBuf>,
}

/// Per-input accounting for the manifest.
#[derive(Default)]
struct InputEntry {
    provenance: Option<Provenance>,
    stats: Option<InputStats>,
    dataset: Option<String>,
    version: Option<String>,
    records: u64,
    xsd_valid: u64,
    rejected: u64,
    with_warnings: u64,
    unreadable: u64,
    parse_errors: u64,
    well_formed: bool,
    error: Option<String>,
}

struct IngestSink {
    extract: Option<Extractor>,
    claims: Option<Claims>,
    levels: BTreeMap<String, u64>,
    rejects: Rejects,
    next_key: i64,
    inputs: Vec<InputEntry>,
    current: InputEntry,
    rule_counts: BTreeMap<String, u64>,
    progress: Progress,
    input_errors: u64,
}

pub fn run(a: Args) -> Result<i32> {
    let format = if a.format == "csv" { Format::Csv } else { Format::Parquet };
    let opts = Options { threads: a.threads.unwrap_or_else(pipeline::default_threads), version: super::version_choice(&a.nemsis_version)? };
    if a.out.exists() && !a.overwrite {
        bail!("{} exists; use --overwrite to replace it", a.out.display());
    }
    let coding = match (&a.coding_config, a.no_coding) {
        (_, true) => None,
        (None, false) => Some(CodingConfig::default()),
        (Some(p), false) => Some(CodingConfig::from_file(p).map_err(|e| anyhow::anyhow!("{}: {e}", p.display()))?),
    };
    let sch_files = crate::schematron::record::RuleFiles::load(&a.schematron).map_err(|e| anyhow::anyhow!("cannot load Schematron file {e}"))?;
    let tmp = temp_dir_for(&a.out)?;
    // Removes the temporary directory on every early return (it is renamed away on success).
    let _guard = TempGuard(tmp.clone());
    let started = Instant::now();
    let mut sink = IngestSink {
        extract: Some(Extractor::new(&tmp, format)?),
        claims: if coding.is_some() { Some(Claims::create(&tmp, format)?) } else { None },
        levels: BTreeMap::new(),
        rejects: Rejects::new(&tmp),
        next_key: 1,
        inputs: Vec::new(),
        current: InputEntry::default(),
        rule_counts: BTreeMap::new(),
        progress: Progress::new(!a.quiet, total_input_bytes(&a.inputs)),
        input_errors: 0,
    };
    let rules_stage = |r: &mut RecordResult| crate::rules::run_stage(r);
    let coding_stage = |r: &mut RecordResult| {
        if let Some(cfg) = &coding {
            crate::coding::run_stage(r, cfg);
        }
    };
    let sch_stage = |r: &mut RecordResult| sch_files.run_stage(r);
    let mut stages: Vec<&pipeline::Stage> = vec![&rules_stage, &sch_stage, &coding_stage];
    if a.no_national_rules {
        stages.remove(0);
    }
    let result = pipeline::run(&a.inputs, &opts, &stages, &mut sink);
    result?;
    sink.progress.finish();
    let mut tables = sink.extract.take().unwrap().finish()?;
    if let Some(c) = sink.claims.take() {
        tables.extend(c.finish()?);
        tables.sort();
    }
    let elapsed = started.elapsed();
    let manifest = manifest(&sink, &tables, &a, format, opts.threads, elapsed);
    std::fs::write(tmp.join("manifest.json"), serde_json::to_string_pretty(&manifest)? + "\n")?;
    if a.out.exists() {
        std::fs::remove_dir_all(&a.out).with_context(|| format!("cannot replace {}", a.out.display()))?;
    }
    std::fs::rename(&tmp, &a.out).with_context(|| format!("cannot move the extract into {}", a.out.display()))?;
    if !manifest["invariant"]["holds"].as_bool().unwrap_or(false) {
        bail!("internal error: records read != rows + unreadable (see {}/manifest.json)", a.out.display());
    }
    if !a.quiet {
        print_summary(&manifest, &sink.rule_counts, &sink.levels, &a.out);
    }
    Ok(if sink.input_errors > 0 { 1 } else { 0 })
}

struct TempGuard(PathBuf);

impl Drop for TempGuard {
    fn drop(&mut self) {
        if self.0.exists() {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

/// A fresh temporary directory beside `out`, so the final rename stays on one file system.
fn temp_dir_for(out: &Path) -> Result<PathBuf> {
    let parent = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent)?;
    let name = out.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "extract".into());
    let tmp = parent.join(format!(".{name}.tmp-{}", std::process::id()));
    if tmp.exists() {
        std::fs::remove_dir_all(&tmp)?;
    }
    std::fs::create_dir_all(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
    Ok(tmp)
}

impl IngestSink {
    fn record(&mut self, r: Box<RecordResult>) -> Result<()> {
        let source = r.provenance.display();
        self.current.records += 1;
        self.progress.records += 1;
        if self.progress.records.is_multiple_of(1024) {
            self.progress.current = r.raw.offset;
            self.progress.tick(false);
        }
        for f in &r.findings {
            *self.rule_counts.entry(f.rule.clone().unwrap_or_else(|| format!("{}: {}", f.kind.as_str(), f.element.as_deref().unwrap_or("-")))).or_default() += 1;
        }
        let extract = self.extract.as_mut().unwrap();
        if !r.readable() {
            // A record the worker could not parse leaves its document not well-formed, even
            // when the splitter could cut it (the splitter does not tokenize record bodies).
            self.current.well_formed = false;
            self.current.unreadable += 1;
            self.current.parse_errors += r.findings.iter().filter(|f| f.kind == Kind::Parse).count() as u64;
            extract.add_context(&r)?; // its Header context is in the extract even when no record of it is
            extract.add_findings(None, &r.provenance.path, r.provenance.member.as_deref(), &r.findings)?;
            self.rejects.add_unreadable(&source, r.raw.ordinal, &r.raw.bytes)?;
            return Ok(());
        }
        let key = self.next_key;
        self.next_key += 1;
        let rejected = r.rejected();
        if r.xsd_valid() {
            self.current.xsd_valid += 1;
        }
        let warned = r.findings.iter().any(|f| f.kind == Kind::Schematron && f.severity == crate::finding::Severity::Warning);
        let status = if rejected {
            "rejected"
        } else if warned {
            self.current.with_warnings += 1;
            "accepted_with_warnings"
        } else {
            "accepted"
        };
        extract.add_record(&r, key, status)?;
        if let (Some(claims), Some(c), Some(o)) = (self.claims.as_mut(), r.coding.as_ref(), r.outcome.as_ref()) {
            claims.add(key, c, r.info.schema.model, &o.tree)?;
            *self.levels.entry(c.level.as_str().to_string()).or_default() += 1;
        }
        if key % table::BOUND_EVERY == 0 {
            let mut tables = extract.tables_mut();
            if let Some(claims) = self.claims.as_mut() {
                tables.extend(claims.tables_mut());
            }
            table::bound_buffered(&mut tables, table::ROW_GROUP_BUDGET)?;
        }
        extract.add_findings(Some((&r.info.dataset, key)), &r.provenance.path, r.provenance.member.as_deref(), &r.findings)?;
        if rejected {
            self.current.rejected += 1;
            self.rejects.add(&source, &r.raw.context, &r.raw.bytes)?;
        }
        Ok(())
    }
}

impl Sink for IngestSink {
    /// The manifest records each input's SHA-256.
    fn wants_sha256(&self) -> bool {
        true
    }
    fn item(&mut self, item: Item) -> Result<()> {
        match item {
            Item::DocumentStart { provenance, .. } => {
                self.current = InputEntry { provenance: Some((*provenance).clone()), well_formed: true, ..Default::default() };
            }
            Item::Record(r) => self.record(r)?,
            Item::DocumentEnd { provenance, outcome, stats, .. } => {
                self.rejects.end_document()?;
                let mut e = std::mem::take(&mut self.current);
                e.provenance = Some((*provenance).clone());
                e.dataset = outcome.info.as_ref().map(|i| i.dataset.clone());
                e.version = outcome.info.as_ref().map(|i| i.version.to_string());
                e.well_formed = e.well_formed && outcome.well_formed;
                e.parse_errors += outcome.findings.iter().filter(|f| f.kind == Kind::Parse).count() as u64;
                let extract = self.extract.as_mut().unwrap();
                extract.add_findings(None, &provenance.path, provenance.member.as_deref(), &outcome.findings)?;
                for f in &outcome.findings {
                    *self.rule_counts.entry(f.rule.clone().unwrap_or_else(|| format!("{}: {}", f.kind.as_str(), f.element.as_deref().unwrap_or("-")))).or_default() += 1;
                }
                if let Some(s) = &stats {
                    self.progress.bytes += s.compressed_bytes.unwrap_or(s.bytes);
                }
                self.progress.current = 0;
                e.stats = stats;
                self.progress.tick(false);
                self.inputs.push(e);
            }
            Item::InputError(err) => {
                self.input_errors += 1;
                tracing::warn!(source = %err.provenance.display(), "input could not be read: {}", err.message);
                let f = crate::finding::Finding {
                    record: None,
                    kind: Kind::Io,
                    rule: None,
                    severity: crate::finding::Severity::Fatal,
                    element: None,
                    line: 0,
                    column: 0,
                    path: String::new(),
                    message: err.message.clone(),
                };
                let extract = self.extract.as_mut().unwrap();
                extract.add_findings(None, &err.provenance.path, err.provenance.member.as_deref(), std::slice::from_ref(&f))?;
                // A stream that broke part way already has an entry: mark it.
                if let Some(last) = self.inputs.last_mut().filter(|l| l.provenance.as_ref() == Some(&err.provenance)) {
                    last.error = Some(err.message);
                } else {
                    self.inputs.push(InputEntry { provenance: Some(err.provenance), error: Some(err.message), ..Default::default() });
                }
            }
            Item::Skipped { provenance, reason } => tracing::info!(source = %provenance.display(), "skipped: {reason}"),
        }
        Ok(())
    }
}

fn manifest(s: &IngestSink, tables: &[(String, u64)], a: &Args, format: Format, threads: usize, elapsed: Duration) -> Value {
    let inputs: Vec<Value> = s
        .inputs
        .iter()
        .map(|e| {
            let p = e.provenance.clone().unwrap_or(Provenance { path: String::new(), member: None });
            json!({
                "source": p.display(), "path": p.path, "member": p.member,
                "bytes": e.stats.as_ref().map(|s| s.bytes), "compressed_bytes": e.stats.as_ref().and_then(|s| s.compressed_bytes),
                "sha256": e.stats.as_ref().and_then(|s| s.sha256.clone()),
                "dataset": e.dataset, "version": e.version, "well_formed": e.well_formed && e.error.is_none(),
                "records_read": e.records, "xsd_valid": e.xsd_valid, "rejected": e.rejected, "unreadable": e.unreadable,
                "accepted": e.records - e.rejected - e.unreadable, "accepted_with_warnings": e.with_warnings,
                "status": source_status(e),
                "parse_errors": e.parse_errors, "error": e.error,
            })
        })
        .collect();
    let sum = |f: fn(&InputEntry) -> u64| s.inputs.iter().map(f).sum::<u64>();
    let read = sum(|e| e.records);
    let unreadable = sum(|e| e.unreadable);
    let record_rows: u64 = tables.iter().filter(|(n, _)| matches!(n.as_str(), "pcr" | "dem_report" | "state_report")).map(|(_, r)| r).sum();
    let bytes: u64 = s.inputs.iter().filter_map(|e| e.stats.as_ref().map(|s| s.bytes)).sum();
    let secs = elapsed.as_secs_f64().max(1e-9);
    json!({
        "tool": {"name": "nemsis", "version": env!("CARGO_PKG_VERSION")},
        "models": {"layout": crate::extract::LAYOUT_VERSION, "embedded": crate::schema::builtin::VERSIONS},
        "options": {"format": if format == Format::Csv { "csv" } else { "parquet" }, "nemsis_version": a.nemsis_version, "inputs": a.inputs,
                    "coding": !a.no_coding, "national_rules": !a.no_national_rules, "coding_config": a.coding_config.as_ref().map(|p| p.display().to_string())},
        "level_of_service": s.levels,
        "inputs": inputs,
        "tables": tables.iter().map(|(n, r)| json!({"table": n, "rows": r})).collect::<Vec<_>>(),
        "rejects": s.rejects.files,
        "totals": {
            "documents": s.inputs.iter().filter(|e| e.stats.is_some()).count(),
            "input_errors": s.input_errors,
            "records_read": read,
            "record_rows": record_rows,
            "unreadable": unreadable,
            "xsd_valid": sum(|e| e.xsd_valid),
            "rejected": sum(|e| e.rejected),
            "accepted": read - unreadable - sum(|e| e.rejected),
            "accepted_with_warnings": sum(|e| e.with_warnings),
            "bytes": bytes,
        },
        "invariant": {
            "statement": "records read = rows in the record tables (pcr, dem_report, state_report) + records recorded as unreadable",
            "records_read": read, "record_rows": record_rows, "unreadable": unreadable,
            "holds": read == record_rows + unreadable,
        },
        // Everything above is identical for identical inputs; "run" varies by machine and options.
        "run": {"threads": threads, "seconds": secs, "mb_per_s": bytes as f64 / 1e6 / secs, "records_per_s": read as f64 / secs},
    })
}

/// Per-source status in the manner of the NEMSIS web services: 1 success, 3 success with
/// [WARNING]s reported, 6 partially successful (some records rejected), -1 nothing accepted
/// (every record rejected or unreadable, or the input could not be read).
fn source_status(e: &InputEntry) -> Value {
    let accepted = e.records - e.rejected - e.unreadable;
    let (code, text) = if e.error.is_some() || accepted == 0 && e.records > 0 || e.records == 0 && !e.well_formed {
        (-1, "failed: no record accepted")
    } else if accepted < e.records {
        (6, "partially successful: some records rejected")
    } else if e.with_warnings > 0 {
        (3, "success, with [WARNING] findings reported")
    } else {
        (1, "success")
    };
    json!({"code": code, "text": text})
}

fn print_summary(m: &Value, rules: &BTreeMap<String, u64>, levels: &BTreeMap<String, u64>, out: &Path) {
    let t = &m["totals"];
    println!(
        "ingested {} document(s), {} record(s): {} accepted ({} with warnings), {} rejected, {} unreadable; {} input error(s)",
        t["documents"], t["records_read"], t["accepted"], t["accepted_with_warnings"], t["rejected"], t["unreadable"], t["input_errors"]
    );
    let mut top: Vec<(&String, &u64)> = rules.iter().collect();
    top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    if !top.is_empty() {
        println!("top findings:");
        for (rule, n) in top.iter().take(10) {
            println!("  {n:>8}  {rule}");
        }
    }
    if !levels.is_empty() {
        let dist: Vec<String> = levels.iter().map(|(l, n)| format!("{l} {n}")).collect();
        println!("level of service: {}", dist.join(", "));
    }
    let r = &m["run"];
    println!("extract: {} ({:.1} MB/s, {:.0} records/s, {:.2} s)", out.display(), r["mb_per_s"].as_f64().unwrap_or(0.0), r["records_per_s"].as_f64().unwrap_or(0.0), r["seconds"].as_f64().unwrap_or(0.0));
}

/// Sum of the sizes of input files (for the progress bar's ETA; 0 when unknown).
fn total_input_bytes(inputs: &[String]) -> u64 {
    fn walk(p: &Path) -> u64 {
        match std::fs::metadata(p) {
            Ok(m) if m.is_file() => m.len(),
            Ok(m) if m.is_dir() => std::fs::read_dir(p).map(|rd| rd.flatten().map(|e| walk(&e.path())).sum()).unwrap_or(0),
            _ => 0,
        }
    }
    inputs.iter().filter(|i| *i != "-").map(|i| walk(Path::new(i))).sum()
}

/// Progress on stderr: a bar when stderr is a terminal, periodic log lines otherwise.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    enabled: bool,
    records: u64,
    /// Bytes of the inputs finished so far, and the offset reached in the current one.
    bytes: u64,
    current: u64,
    started: Instant,
    last: Instant,
}

impl Progress {
    fn new(enabled: bool, total: u64) -> Progress {
        let bar = (enabled && std::io::stderr().is_terminal()).then(|| {
            let b = indicatif::ProgressBar::new(total);
            b.set_style(indicatif::ProgressStyle::with_template("{spinner} {bytes}/{total_bytes} {msg} [{elapsed_precise}, ETA {eta}]").unwrap());
            b.enable_steady_tick(Duration::from_millis(200));
            b
        });
        Progress { bar, enabled, records: 0, bytes: 0, current: 0, started: Instant::now(), last: Instant::now() }
    }

    fn tick(&mut self, force: bool) {
        let rate = self.records as f64 / self.started.elapsed().as_secs_f64().max(1e-3);
        if let Some(b) = &self.bar {
            b.set_position(self.bytes + self.current);
            b.set_message(format!("{} records ({rate:.0}/s)", self.records));
        } else if self.enabled && (force || self.last.elapsed() > Duration::from_secs(5)) {
            self.last = Instant::now();
            eprintln!("ingest: {} records, {:.1} MB read, {rate:.0} records/s", self.records, (self.bytes + self.current) as f64 / 1e6);
        }
    }

    fn finish(&mut self) {
        if let Some(b) = self.bar.take() {
            b.finish_and_clear();
        }
    }
}
