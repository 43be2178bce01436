//! Per-document validation reports: the `validate` command's JSONL contract, and a
//! convenience API ([`validate_paths`]) for tests and library users.

use crate::finding::{Finding, Kind, Severity};
use crate::pipeline::{self, Item, Options, Sink};
use serde::Serialize;

/// One document's verdict (one JSONL line of `nemsis validate --format jsonl`).
#[derive(Debug, Clone, Serialize)]
pub struct DocReport {
    /// `path` or `archive.zip!member`.
    pub source: String,
    pub dataset: Option<String>,
    pub version: Option<String>,
    pub well_formed: bool,
    pub xsd_valid: bool,
    pub records: u64,
    pub findings: Vec<Finding>,
}

/// Builds [`DocReport`]s from pipeline items, in input order.
#[derive(Default)]
pub struct ReportBuilder {
    findings: Vec<Finding>,
    records: u64,
}

impl ReportBuilder {
    /// Feed one item; returns a finished report at the end of a document or for an
    /// unreadable input.
    pub fn item(&mut self, item: Item) -> Option<DocReport> {
        match item {
            Item::DocumentStart { .. } => {
                self.findings.clear();
                self.records = 0;
                None
            }
            Item::Record(r) => {
                self.records += 1;
                self.findings.extend(r.findings);
                None
            }
            Item::DocumentEnd { provenance, outcome, .. } => {
                let mut findings = std::mem::take(&mut self.findings);
                findings.extend(outcome.findings);
                findings.sort_by_key(|f| (f.line, f.column));
                let well_formed = outcome.well_formed && !findings.iter().any(|f| f.kind == Kind::Parse);
                let xsd_valid = well_formed && outcome.info.is_some() && !findings.iter().any(|f| matches!(f.kind, Kind::Xsd | Kind::Parse | Kind::Io));
                Some(DocReport {
                    source: provenance.display(),
                    dataset: outcome.info.as_ref().map(|i| i.dataset.clone()),
                    version: outcome.info.as_ref().map(|i| i.version.to_string()),
                    well_formed,
                    xsd_valid,
                    records: std::mem::take(&mut self.records),
                    findings,
                })
            }
            Item::InputError(e) => Some(DocReport {
                source: e.provenance.display(),
                dataset: None,
                version: None,
                well_formed: false,
                xsd_valid: false,
                records: 0,
                findings: vec![Finding { record: None, kind: Kind::Io, rule: None, severity: Severity::Fatal, element: None, line: 0, column: 0, path: String::new(), message: e.message }],
            }),
            Item::Skipped { .. } => None,
        }
    }
}

struct Collect(ReportBuilder, Vec<DocReport>);

impl Sink for Collect {
    fn item(&mut self, item: Item) -> anyhow::Result<()> {
        if let Some(r) = self.0.item(item) {
            self.1.push(r);
        }
        Ok(())
    }
}

/// Validate inputs (paths, directories, archives) and return one report per document.
pub fn validate_paths(inputs: &[String], opts: &Options) -> anyhow::Result<Vec<DocReport>> {
    let mut c = Collect(ReportBuilder::default(), Vec::new());
    pipeline::run(inputs, opts, &[], &mut c)?;
    Ok(c.1)
}
