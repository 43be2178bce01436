//! Running `--schematron` files per record in the pipeline: the glue between the record trees
//! the workers already hold and the generic engine.
//!
//! [`RuleFiles::load`] reads every `--schematron FILE` once at startup (a file the engine
//! refuses is an error naming the file, the line and the construct). [`RuleFiles::run_stage`]
//! is the pipeline stage: for each record that passed the XSD it builds a [`Dom`] with
//! [`record_dom`] — no second parse of the record: the record tree
//! ([`crate::record::Record`], built in the same pass that validated the record) and its
//! document's envelope context ([`crate::split::Context`]) are copied into the Dom — runs every
//! file that applies to the document's dataset, and turns what fires into [`Finding`]s of kind
//! `schematron`, exactly like the native national rules' findings (`rule` = the assert/report
//! id, `severity` = its role, `element`, `line`, `column` of the context node, `path` = the
//! SVRL location, `message` = the rendered `svrl:text`).
//!
//! # What the rules see
//!
//! The same view as the native rules: the record and its document's envelope.
//!
//! | dataset      | Dom                                                                                   |
//! |--------------|---------------------------------------------------------------------------------------|
//! | EMSDataSet   | `EMSDataSet` / `Header` (with `DemographicGroup`, `eCustomConfiguration`) / this `PatientCareReport` |
//! | DEMDataSet   | `DEMDataSet` (with `dCustomConfiguration`) / this `DemographicReport`                  |
//! | StateDataSet | the whole `StateDataSet` (the document is the record)                                 |
//!
//! Elements are in the NEMSIS namespace with the prefix the document binds to it; every
//! attribute the record tree holds is there (`UUID`, `NV`, `PN`, `CorrelationID`, ...), plus
//! `xsi:nil="true"` on nil elements; the document element carries its own attributes as
//! written (`xsi:schemaLocation`, re-read from the context's prelude bytes — the envelope,
//! never the record) and declares the namespaces in scope at the records. Lines and columns are the original ones, and
//! [`DomBuilder::set_location_offset`] keeps the positions of the left-out siblings, so
//! locations read `/EMSDataSet[1]/Header[2]/PatientCareReport[7]/...` as in a run over the
//! whole file. Other PatientCareReports (and other Headers) are not in the Dom: a rule
//! comparing two records, which no national rule does, sees only this one.
//!
//! Differences from a run over the raw XML (as for the native rules, confined to corners):
//! whitespace-only text between elements is not kept (the record tree holds values only),
//! `xsi:nil="1"` reads as `xsi:nil="true"`, and a StateDataSet root carries only the
//! attributes the schema declares (its `xsi:schemaLocation` is not kept).
//!
//! # Which files run on which documents
//!
//! A file whose `sch:schema/@id` is a dataset name (`EMSDataSet`, `DEMDataSet`,
//! `StateDataSet`, as in the official and DevKit files), or else whose file name contains
//! exactly one dataset name, runs only on documents of that dataset (the official validator
//! picks the `.sch` by the document element); any other file runs on every document.
//!
//! # Roles
//!
//! `FATAL`, `ERROR`, `WARNING` and `INFO` (case-insensitive, brackets stripped) map to the
//! severities of the same name; `WARN` is `WARNING`, `INFORMATION` is `INFO`; an assert with
//! no role or another role counts as `ERROR` (it rejects the record). A test the engine cannot
//! evaluate on a node (an XPath dynamic error) is a `FATAL` finding.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use super::dom::{Dom, DomBuilder, NodeId};
use super::{run_with, LoadError, RunOptions, SchFinding, Schema};
use crate::finding::{Finding, Kind, Severity};
use crate::pipeline::RecordResult;
use crate::record::{NodeId as RecNode, Record};
use crate::schema::model::{Model, NEMSIS_NS, XSI_NS};
use crate::split::Context;

const DATASETS: [&str; 3] = ["EMSDataSet", "DEMDataSet", "StateDataSet"];

/// One loaded `--schematron` file.
#[derive(Debug)]
pub struct RuleFile {
    /// The path as given.
    pub path: String,
    pub schema: Schema,
    /// The dataset it applies to (None: every document).
    pub dataset: Option<&'static str>,
}

/// The `--schematron` files of a run, loaded once; shared by the workers.
#[derive(Debug, Default)]
pub struct RuleFiles {
    files: Vec<RuleFile>,
}

impl RuleFiles {
    /// Load every file (in order). The first file the engine cannot read or refuses is the
    /// error, naming the file, the line and the construct.
    pub fn load(paths: &[PathBuf]) -> Result<RuleFiles, LoadError> {
        let mut files = Vec::new();
        for p in paths {
            let schema = Schema::load(p)?;
            let dataset = dataset_of(&schema, p);
            files.push(RuleFile { path: p.display().to_string(), schema, dataset });
        }
        Ok(RuleFiles { files })
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn files(&self) -> &[RuleFile] {
        &self.files
    }

    fn for_dataset<'a>(&'a self, dataset: &'a str) -> impl Iterator<Item = &'a RuleFile> + 'a {
        self.files.iter().filter(move |f| f.dataset.is_none_or(|d| d == dataset))
    }

    /// Whether the check `id` of a file that applies to `dataset` is an `sch:report` (true) or
    /// an `sch:assert` (false); None when no such check is loaded.
    pub fn is_report(&self, dataset: &str, id: &str) -> Option<bool> {
        self.for_dataset(dataset).find_map(|f| {
            f.schema.rules.iter().find_map(|r| {
                r.checks.iter().find(|c| c.id == id || (c.id.is_empty() && r.id == id)).map(|c| c.report)
            })
        })
    }

    /// The pipeline stage: on a record that passed the XSD, run every file that applies to its
    /// dataset and add the findings to the record.
    pub fn run_stage(&self, r: &mut RecordResult) {
        if self.files.is_empty() || !r.xsd_valid() {
            return;
        }
        let Some(o) = r.outcome.as_ref() else { return };
        let mut files = self.for_dataset(&r.info.dataset).peekable();
        if files.peek().is_none() {
            return;
        }
        let rd = record_dom(r.info.schema.model, &r.raw.context, &o.tree, r.raw.index);
        let opts = RunOptions::default();
        let record_id = r.record_id().map(str::to_string);
        let mut found = Vec::new();
        for f in files {
            found.extend(rd.findings(run_with(&f.schema, &rd.dom, &opts), record_id.as_deref()));
        }
        // Document order, pattern order within a node (as the native rules report).
        found.sort_by_key(|f| (f.line, f.column));
        r.findings.extend(found);
    }
}

/// The dataset a schema is for: its `@id`, else the one dataset name in its file name.
fn dataset_of(schema: &Schema, path: &Path) -> Option<&'static str> {
    if let Some(d) = DATASETS.iter().find(|d| **d == schema.id()) {
        return Some(d);
    }
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let mut named = DATASETS.iter().filter(|d| name.contains(**d));
    match (named.next(), named.next()) {
        (Some(d), None) => Some(d),
        _ => None,
    }
}

/// The severity a role stands for (see the module documentation).
pub fn severity_of_role(role: &str) -> Severity {
    let r = role.trim().trim_start_matches('[').trim_end_matches(']').trim();
    match r.to_ascii_uppercase().as_str() {
        "FATAL" => Severity::Fatal,
        "WARNING" | "WARN" => Severity::Warning,
        "INFO" | "INFORMATION" => Severity::Info,
        _ => Severity::Error,
    }
}

/// A record's Dom, and where each of its elements is in the document.
pub struct RecordDom {
    pub dom: Dom,
    /// (element, line, column), in document order (so lines never decrease).
    positions: Vec<(NodeId, u32, u32)>,
}

impl RecordDom {
    /// The element a finding fired on: its line, then (when several elements start on that
    /// line) its location.
    fn locate(&self, f: &SchFinding) -> Option<(NodeId, u32, u32)> {
        if f.location == "/" {
            return None;
        }
        let lo = self.positions.partition_point(|p| p.1 < f.line);
        let hi = self.positions.partition_point(|p| p.1 <= f.line);
        match &self.positions[lo..hi] {
            [] => None,
            [one] => Some(*one),
            many => many.iter().copied().find(|p| self.dom.location(p.0) == f.location),
        }
    }

    /// Engine findings → pipeline findings of kind `schematron`.
    pub fn findings(&self, found: Vec<SchFinding>, record_id: Option<&str>) -> Vec<Finding> {
        found
            .into_iter()
            .map(|f| {
                let at = self.locate(&f);
                Finding {
                    record: record_id.map(str::to_string),
                    kind: Kind::Schematron,
                    rule: (!f.id.is_empty()).then(|| f.id.clone()),
                    severity: severity_of_role(&f.role),
                    element: at.map(|(n, _, _)| self.dom.local_name(n).to_string()),
                    line: f.line as u64,
                    column: at.map_or(0, |(_, _, c)| c as u64),
                    path: f.location,
                    message: f.text,
                }
            })
            .collect()
    }
}

/// Build the Dom one record's rules run over: the document's envelope (from `ctx`), then the
/// record (`rec`, the `index`-th of its siblings). See the module documentation.
pub fn record_dom(model: &Model, ctx: &Context, rec: &Record, index: u32) -> RecordDom {
    let mut w = Writer { b: DomBuilder::new(), positions: Vec::new(), model, nem_prefix: String::new(), xsi_prefix: "xsi".into() };
    let root = RootTag::read(ctx);
    // The namespace bindings in scope at the records (those of the document element, for EMS
    // and DEM), declared on the document element.
    let bindings: Vec<(String, String)> = ctx.ns.bindings().iter().map(|(p, u)| (String::from_utf8_lossy(p).into_owned(), String::from_utf8_lossy(u).into_owned())).collect();
    w.nem_prefix = prefix_for(&bindings, NEMSIS_NS).unwrap_or_default();
    w.xsi_prefix = prefix_for(&bindings, XSI_NS).unwrap_or_else(|| "xsi".into());
    let steps = path_steps(&ctx.path);
    let ctx_root = ctx.tree.root();
    for (i, (name, pos)) in steps.iter().enumerate() {
        let is_doc_root = i == 0;
        let from_tree = i + 1 == steps.len() && ctx_root.is_some();
        let (line, col) = match (from_tree, &root) {
            (true, _) => {
                let n = ctx.tree.node(0);
                (n.line, n.column)
            }
            (false, Some(t)) if is_doc_root => (t.line, t.column),
            _ => (1, 1),
        };
        let prefix = match &root {
            Some(t) if is_doc_root => t.prefix.clone(),
            _ => w.nem_prefix.clone(),
        };
        let id = w.b.start_element(NEMSIS_NS, name, &prefix, line);
        w.positions.push((id, line, col));
        if *pos > 1 {
            w.b.set_location_offset(pos - 1);
        }
        if is_doc_root {
            w.declare(&bindings);
        }
        match &root {
            Some(t) if is_doc_root => {
                for (ns, p, l, v) in &t.attrs {
                    w.b.attribute(ns, l, p, v);
                }
            }
            _ if from_tree => w.attributes(&ctx.tree, 0),
            _ => {}
        }
        if from_tree {
            for c in ctx.tree.children(0) {
                w.subtree(&ctx.tree, c);
            }
        }
    }
    // The record.
    if rec.root().is_some() {
        w.open(rec, 0);
        if index > 1 {
            w.b.set_location_offset(index - 1);
        }
        if steps.is_empty() {
            // The record is the document element (StateDataSet).
            if bindings.is_empty() {
                let defaults = [(w.nem_prefix.clone(), NEMSIS_NS.to_string()), (w.xsi_prefix.clone(), XSI_NS.to_string())];
                w.declare(&defaults);
            } else {
                w.declare(&bindings);
            }
        }
        w.attributes(rec, 0);
        w.text(rec, 0);
        for c in rec.children(0) {
            w.subtree(rec, c);
        }
    }
    RecordDom { dom: w.b.finish(), positions: w.positions }
}

struct Writer<'m> {
    b: DomBuilder,
    positions: Vec<(NodeId, u32, u32)>,
    model: &'m Model,
    nem_prefix: String,
    xsi_prefix: String,
}

impl Writer<'_> {
    fn open(&mut self, rec: &Record, n: RecNode) {
        let node = rec.node(n);
        let name = &self.model.element(node.elem).name;
        let id = self.b.start_element(NEMSIS_NS, name, &self.nem_prefix, node.line);
        self.positions.push((id, node.line, node.column));
    }

    fn attributes(&mut self, rec: &Record, n: RecNode) {
        if rec.node(n).nil {
            let p = self.xsi_prefix.clone();
            self.b.attribute(XSI_NS, "nil", &p, "true");
        }
        for (name, value) in rec.attributes(n) {
            self.b.attribute("", name, "", value);
        }
    }

    fn text(&mut self, rec: &Record, n: RecNode) {
        let v = rec.value(n);
        if v.is_empty() {
            return;
        }
        // Line ends as an XML parser reports them.
        let v: Cow<str> = if v.contains('\r') { Cow::Owned(v.replace("\r\n", "\n").replace('\r', "\n")) } else { Cow::Borrowed(v) };
        self.b.text(&v, rec.node(n).line);
    }

    fn subtree(&mut self, rec: &Record, n: RecNode) {
        self.open(rec, n);
        self.attributes(rec, n);
        self.text(rec, n);
        for c in rec.children(n) {
            self.subtree(rec, c);
        }
        self.b.end_element();
    }

    fn declare(&mut self, bindings: &[(String, String)]) {
        for (p, u) in bindings {
            self.b.namespace_decl(p, u);
        }
    }
}

/// The prefix bound to `uri` (the innermost binding not shadowed by a later one).
fn prefix_for(bindings: &[(String, String)], uri: &str) -> Option<String> {
    let mut seen: Vec<&str> = Vec::new();
    for (p, u) in bindings.iter().rev() {
        if seen.contains(&p.as_str()) {
            continue;
        }
        if u == uri {
            return Some(p.clone());
        }
        seen.push(p);
    }
    None
}

/// `/EMSDataSet/Header[2]` → [("EMSDataSet", 1), ("Header", 2)].
fn path_steps(path: &str) -> Vec<(String, u32)> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| match s.split_once('[') {
            Some((name, rest)) => (name.to_string(), rest.trim_end_matches(']').parse().unwrap_or(1)),
            None => (s.to_string(), 1),
        })
        .collect()
}

/// The document element's start tag as written, re-read from the context's prelude bytes
/// (the tag made empty, `<EMSDataSet ...>` → `<EMSDataSet .../>`, and parsed as a document).
struct RootTag {
    prefix: String,
    line: u32,
    column: u32,
    /// (namespace, prefix, local name, value), namespace declarations excluded.
    attrs: Vec<(String, String, String, String)>,
}

impl RootTag {
    fn read(ctx: &Context) -> Option<RootTag> {
        let bytes = ctx.prelude.get(..ctx.prefix_len)?;
        // The prefix ends with the root start tag ('<' cannot occur inside a tag).
        let lt = memchr::memrchr(b'<', bytes)?;
        let mut doc = bytes.strip_suffix(b">")?.to_vec();
        if !doc.ends_with(b"/") {
            doc.push(b'/');
        }
        doc.push(b'>');
        let dom = Dom::parse(&doc).ok()?;
        let root = dom.document_element()?;
        let before = &bytes[..lt];
        let column = (lt - memchr::memrchr(b'\n', before).map_or(0, |i| i + 1)) as u32 + 1;
        let attrs = dom
            .attributes(root)
            .map(|a| (dom.namespace_uri(a).to_string(), dom.prefix(a).to_string(), dom.local_name(a).to_string(), dom.value(a).to_string()))
            .collect();
        Some(RootTag { prefix: dom.prefix(root).to_string(), line: dom.line(root), column, attrs })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_and_prefixes() {
        assert_eq!(path_steps("/EMSDataSet/Header[2]"), vec![("EMSDataSet".to_string(), 1), ("Header".to_string(), 2)]);
        assert!(path_steps("").is_empty());
        let b = vec![("".to_string(), NEMSIS_NS.to_string()), ("n".to_string(), NEMSIS_NS.to_string()), ("".to_string(), "urn:x".to_string())];
        assert_eq!(prefix_for(&b, NEMSIS_NS).as_deref(), Some("n"));
        assert_eq!(prefix_for(&b, XSI_NS), None);
    }

    #[test]
    fn roles() {
        assert_eq!(severity_of_role("[WARNING]"), Severity::Warning);
        assert_eq!(severity_of_role("error"), Severity::Error);
        assert_eq!(severity_of_role("FATAL"), Severity::Fatal);
        assert_eq!(severity_of_role("info"), Severity::Info);
        assert_eq!(severity_of_role(""), Severity::Error);
    }

    #[test]
    fn record_dom_keeps_envelope_positions_and_attributes() {
        let xml = br#"<?xml version="1.0"?>
<EMSDataSet xmlns="http://www.nemsis.org" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.nemsis.org x.xsd">
  <Header>
    <DemographicGroup><dAgency.01>1</dAgency.01><dAgency.02>A</dAgency.02><dAgency.04>49</dAgency.04></DemographicGroup>
    <PatientCareReport UUID="u1"><eRecord><eRecord.01>r1</eRecord.01></eRecord></PatientCareReport>
    <PatientCareReport UUID="u2"><eRecord><eRecord.01>r2</eRecord.01></eRecord></PatientCareReport>
  </Header>
</EMSDataSet>"#;
        let doc = crate::document::parse_document(xml, crate::split::VersionChoice::Auto);
        let rec = &doc.records[1];
        let rd = record_dom(rec.schema.model, &rec.context, &rec.tree, rec.raw.index);
        let d = &rd.dom;
        let root = d.document_element().unwrap();
        assert_eq!(d.local_name(root), "EMSDataSet");
        assert_eq!(d.line(root), 2);
        assert_eq!(d.attribute(root, XSI_NS, "schemaLocation"), Some("http://www.nemsis.org x.xsd"));
        let header = d.children(root).find(|&c| d.local_name(c) == "Header").unwrap();
        let kids: Vec<&str> = d.children(header).map(|c| d.local_name(c)).collect();
        assert_eq!(kids, ["DemographicGroup", "PatientCareReport"]);
        let pcr = d.children(header).last().unwrap();
        assert_eq!(d.location(pcr), "/EMSDataSet[1]/Header[1]/PatientCareReport[2]");
        assert_eq!(d.attribute(pcr, "", "UUID"), Some("u2"));
        assert_eq!(d.namespace_uri(pcr), NEMSIS_NS);
        assert_eq!(d.line(pcr), 6);
        assert_eq!(d.string_value(pcr), "r2");
    }
}
