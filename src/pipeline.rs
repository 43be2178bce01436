//! The pipeline: inputs → splitter (reader thread) → worker pool (parse + validate each record,
//! then the per-record stages) → a [`Sink`] that receives everything in input order.
//!
//! Channels are bounded, and a ticket window bounds how far the reader may run ahead of the
//! oldest result not yet handed to the sink, so memory stays bounded by
//! `window × largest record` whatever the input size and however uneven the records are.
//! Output order (and so output bytes) does not depend on the number of threads.

use crate::finding::{Finding, Kind, Severity};
use crate::source::{self, InputStats, Provenance, SourceError};
use crate::split::{self, DocInfo, RawRecord, SplitOutcome, SplitSink, VersionChoice};
use crate::validate::xsd::{validate_record, RecordContext, RecordOutcome};
use crossbeam_channel::{bounded, unbounded, Receiver, Sender};
use std::collections::BTreeMap;
use std::io::{BufReader, Read};
use std::sync::Arc;

#[derive(Debug, Clone)]
pub struct Options {
    pub threads: usize,
    pub version: VersionChoice,
}

impl Default for Options {
    fn default() -> Self {
        Options { threads: default_threads(), version: VersionChoice::Auto }
    }
}

pub fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// One record after the workers: its raw bytes (kept for rejects), parse tree and findings.
pub struct RecordResult {
    pub doc: u64,
    pub provenance: Arc<Provenance>,
    pub info: DocInfo,
    pub raw: RawRecord,
    /// None when the record was cut short by a well-formedness error in the document.
    pub outcome: Option<RecordOutcome>,
    /// Findings of the record (parse, XSD, and later stages).
    pub findings: Vec<Finding>,
    /// The ambulance coding of an EMS PCR, when the coding stage ran.
    pub coding: Option<crate::coding::CodingResult>,
}

impl RecordResult {
    /// Well-formed and without an XSD finding.
    pub fn xsd_valid(&self) -> bool {
        self.outcome.as_ref().is_some_and(|o| o.well_formed) && !self.findings.iter().any(|f| matches!(f.kind, Kind::Xsd | Kind::Parse))
    }
    /// Rejected: not XSD-valid, or a rule finding of severity ERROR/FATAL (coding findings
    /// are about the claim, not the record, and never reject it).
    pub fn rejected(&self) -> bool {
        !self.xsd_valid() || self.findings.iter().any(|f| f.kind != Kind::Coding && f.severity.rejects())
    }
    pub fn readable(&self) -> bool {
        self.outcome.as_ref().is_some_and(|o| o.well_formed)
    }
    pub fn record_id(&self) -> Option<&str> {
        self.outcome.as_ref().and_then(|o| o.record_id.as_deref())
    }
}

/// What the sink receives, in input order.
pub enum Item {
    /// A stream (file, archive member, stdin) begins.
    DocumentStart { doc: u64, provenance: Arc<Provenance> },
    Record(Box<RecordResult>),
    /// A stream ended: envelope findings and read statistics.
    DocumentEnd { doc: u64, provenance: Arc<Provenance>, outcome: SplitOutcome, stats: Option<InputStats> },
    /// An input could not be opened or read (the others are still processed).
    InputError(SourceError),
    /// A directory entry or archive member that was not read, and why.
    Skipped { provenance: Provenance, reason: String },
}

/// Receives the pipeline's output in input order (the seam between producing results and
/// writing them: text/JSONL printers, the extract writer).
pub trait Sink {
    fn item(&mut self, item: Item) -> anyhow::Result<()>;
    /// Whether each stream's SHA-256 should be computed for [`Item::DocumentEnd`]'s stats
    /// (off by default: hashing costs about as much CPU as tokenizing the input).
    fn wants_sha256(&self) -> bool {
        false
    }
}

/// Work for the pool: records to process, or items passed through in order.
enum Work {
    Record(Box<RecordResult>),
    Pass(Item),
}

/// A per-record stage that runs in the workers after XSD validation (rules, coding).
pub type Stage<'a> = dyn Fn(&mut RecordResult) + Sync + 'a;

/// Run the pipeline over `inputs`, handing every item to `sink` in input order.
///
/// With one thread everything runs on the calling thread, record after record (no channels,
/// no pool): the lowest overhead, and the honest single-core baseline for benchmarks.
pub fn run(inputs: &[String], opts: &Options, stages: &[&Stage<'_>], sink: &mut dyn Sink) -> anyhow::Result<()> {
    let threads = opts.threads.max(1);
    if threads == 1 {
        let hash = sink.wants_sha256();
        let mut feeder = Feeder { next_seq: 0, next_doc: 0, out: Out::Inline { sink, stages, error: None }, version: opts.version, hash, doc: 0, prov: None, pending_end: None };
        source::visit(inputs, &mut feeder);
        return match feeder.out {
            Out::Inline { error: Some(e), .. } => Err(e),
            _ => Ok(()),
        };
    }
    let window = 64 + threads * 16;
    let (work_tx, work_rx) = bounded::<(u64, Work)>(threads * 4);
    let (done_tx, done_rx) = unbounded::<(u64, Item)>();
    let (ticket_tx, ticket_rx) = bounded::<()>(window);
    for _ in 0..window {
        ticket_tx.send(()).expect("ticket channel");
    }
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).thread_name(|i| format!("nemsis-worker-{i}")).build()?;
    let mut sink_error = None;
    std::thread::scope(|scope| {
        let reader_done_tx = done_tx.clone();
        let version = opts.version;
        let hash = sink.wants_sha256();
        scope.spawn(move || {
            let mut feeder = Feeder { next_seq: 0, next_doc: 0, out: Out::Pool { work_tx, tickets: ticket_rx }, version, hash, doc: 0, prov: None, pending_end: None };
            source::visit(inputs, &mut feeder);
            drop(reader_done_tx);
        });
        let pool = &pool;
        scope.spawn(move || {
            pool.scope(|s| {
                for _ in 0..threads {
                    let rx = work_rx.clone();
                    let tx = done_tx.clone();
                    s.spawn(move |_| worker(rx, tx, stages));
                }
            });
        });
        // Collector: reorder by sequence number and hand to the sink.
        let mut pending = BTreeMap::new();
        let mut next = 0u64;
        for (seq, item) in done_rx.iter() {
            pending.insert(seq, item);
            while let Some(item) = pending.remove(&next) {
                next += 1;
                let _ = ticket_tx.try_send(());
                if sink_error.is_none() {
                    if let Err(e) = sink.item(item) {
                        sink_error = Some(e);
                    }
                }
            }
        }
    });
    match sink_error {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

fn worker(rx: Receiver<(u64, Work)>, tx: Sender<(u64, Item)>, stages: &[&Stage<'_>]) {
    for (seq, work) in rx.iter() {
        let item = match work {
            Work::Pass(item) => item,
            Work::Record(mut r) => {
                process_record(&mut r, stages);
                Item::Record(r)
            }
        };
        if tx.send((seq, item)).is_err() {
            return;
        }
    }
}

/// Parse + validate one record, then run the stages; a panic becomes a finding.
fn process_record(r: &mut RecordResult, stages: &[&Stage<'_>]) {
    if r.outcome.is_none() && !r.findings.is_empty() {
        return; // unreadable: cut short by the splitter
    }
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let ctx = RecordContext { parent_path: r.raw.context.path.clone(), index: r.raw.index };
        let o = validate_record(r.info.schema, r.info.record_elem, &r.raw.bytes, r.raw.line, r.raw.column, ctx, r.raw.context.ns.clone());
        r.findings.extend(o.findings.iter().cloned());
        r.outcome = Some(o);
        for stage in stages {
            stage(r);
        }
    }));
    if result.is_err() {
        tracing::error!(line = r.raw.line, ordinal = r.raw.ordinal, "internal error while processing a record");
        r.findings.push(Finding {
            record: r.record_id().map(str::to_string),
            kind: Kind::Io,
            rule: None,
            severity: Severity::Fatal,
            element: None,
            line: r.raw.line as u64,
            column: r.raw.column as u64,
            path: r.raw.context.path.clone(),
            message: "internal error while processing this record (please report it); the record is rejected".into(),
        });
    }
}

/// Where the reader's work goes: to the pool, or straight through the stages to the sink.
enum Out<'a, 's> {
    Pool { work_tx: Sender<(u64, Work)>, tickets: Receiver<()> },
    Inline { sink: &'a mut dyn Sink, stages: &'a [&'a Stage<'s>], error: Option<anyhow::Error> },
}

/// The reader side: a source visitor that splits each stream and feeds the pool.
struct Feeder<'a, 's> {
    next_seq: u64,
    next_doc: u64,
    out: Out<'a, 's>,
    version: VersionChoice,
    /// Compute each stream's SHA-256 (the sink asked for it).
    hash: bool,
    doc: u64,
    prov: Option<Arc<Provenance>>,
    /// The current stream's split outcome, until its stats arrive.
    pending_end: Option<SplitOutcome>,
}

impl Feeder<'_, '_> {
    fn send(&mut self, w: Work) {
        let seq = self.next_seq;
        self.next_seq += 1;
        match &mut self.out {
            Out::Pool { work_tx, tickets } => {
                // Wait for a ticket: bounds the items between the reader and the sink.
                let _ = tickets.recv();
                let _ = work_tx.send((seq, w));
            }
            Out::Inline { sink, stages, error } => {
                let item = match w {
                    Work::Pass(item) => item,
                    Work::Record(mut r) => {
                        process_record(&mut r, stages);
                        Item::Record(r)
                    }
                };
                if error.is_none() {
                    if let Err(e) = sink.item(item) {
                        *error = Some(e);
                    }
                }
            }
        }
    }
}

impl SplitSink for Feeder<'_, '_> {
    fn document(&mut self, _info: &DocInfo) {}
    fn record(&mut self, info: &DocInfo, raw: RawRecord) {
        let provenance = self.prov.clone().expect("provenance");
        let r = RecordResult { doc: self.doc, provenance, info: info.clone(), raw, outcome: None, findings: Vec::new(), coding: None };
        self.send(Work::Record(Box::new(r)));
    }
    fn unreadable(&mut self, info: &DocInfo, raw: RawRecord, finding: Finding) {
        let provenance = self.prov.clone().expect("provenance");
        let r = RecordResult { doc: self.doc, provenance, info: info.clone(), raw, outcome: None, findings: vec![finding], coding: None };
        self.send(Work::Record(Box::new(r)));
    }
}

impl source::Visitor for Feeder<'_, '_> {
    fn stream(&mut self, prov: &Provenance, reader: &mut dyn Read) -> anyhow::Result<()> {
        let provenance = Arc::new(prov.clone());
        self.doc = self.next_doc;
        self.next_doc += 1;
        self.prov = Some(provenance.clone());
        self.send(Work::Pass(Item::DocumentStart { doc: self.doc, provenance: provenance.clone() }));
        let outcome = split::split(BufReader::with_capacity(256 * 1024, reader), self.version, self);
        self.pending_end = Some(outcome);
        Ok(())
    }
    fn stream_done(&mut self, prov: &Provenance, stats: &InputStats) {
        let outcome = self.pending_end.take().unwrap_or_default();
        let provenance = self.prov.clone().unwrap_or_else(|| Arc::new(prov.clone()));
        self.send(Work::Pass(Item::DocumentEnd { doc: self.doc, provenance, outcome, stats: Some(stats.clone()) }));
    }
    fn error(&mut self, err: SourceError) {
        // A stream that broke part way still ends its document first.
        if let Some(outcome) = self.pending_end.take() {
            let provenance = self.prov.clone().unwrap();
            self.send(Work::Pass(Item::DocumentEnd { doc: self.doc, provenance, outcome, stats: None }));
        }
        self.send(Work::Pass(Item::InputError(err)));
    }
    fn skipped(&mut self, prov: &Provenance, reason: &str) {
        self.send(Work::Pass(Item::Skipped { provenance: prov.clone(), reason: reason.to_string() }));
    }
    fn wants_sha256(&self) -> bool {
        self.hash
    }
}
