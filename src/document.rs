//! Synchronous, in-memory parsing of a whole document into its records: a convenience for
//! tests, small tools and library users. The pipeline ([`crate::pipeline`]) does the same work
//! streaming and in parallel.

use crate::finding::Finding;
use crate::record::Record;
use crate::split::{self, Context, DocInfo, RawRecord, SplitOutcome, SplitSink, VersionChoice};
use crate::validate::xsd::{validate_record, RecordContext, Schema};
use std::sync::Arc;

/// One record of a document: its tree, findings and header context.
pub struct ParsedRecord {
    pub schema: &'static Schema,
    /// The Header (EMS) / DEMDataSet (DEM) context the record belongs to.
    pub context: Arc<Context>,
    pub tree: Record,
    pub findings: Vec<Finding>,
    pub well_formed: bool,
    pub raw: RawRecord,
}

/// A parsed document: its records in order plus the envelope outcome.
pub struct ParsedDocument {
    pub records: Vec<ParsedRecord>,
    pub outcome: SplitOutcome,
}

struct Collect(Vec<(DocInfo, RawRecord, Option<Finding>)>);

impl SplitSink for Collect {
    fn document(&mut self, _: &DocInfo) {}
    fn record(&mut self, info: &DocInfo, rec: RawRecord) {
        self.0.push((info.clone(), rec, None));
    }
    fn unreadable(&mut self, info: &DocInfo, rec: RawRecord, f: Finding) {
        self.0.push((info.clone(), rec, Some(f)));
    }
}

/// Parse and XSD-validate every record of a document held in memory.
pub fn parse_document(bytes: &[u8], version: VersionChoice) -> ParsedDocument {
    let mut c = Collect(Vec::new());
    let outcome = split::split(bytes, version, &mut c);
    let records = c
        .0
        .into_iter()
        .map(|(info, raw, cut)| {
            if let Some(f) = cut {
                return ParsedRecord { schema: info.schema, context: raw.context.clone(), tree: Record::default(), findings: vec![f], well_formed: false, raw };
            }
            let ctx = RecordContext { parent_path: raw.context.path.clone(), index: raw.index };
            let o = validate_record(info.schema, info.record_elem, &raw.bytes, raw.line, raw.column, ctx, raw.context.ns.clone());
            ParsedRecord { schema: info.schema, context: raw.context.clone(), tree: o.tree, findings: o.findings, well_formed: o.well_formed, raw }
        })
        .collect();
    ParsedDocument { records, outcome }
}
