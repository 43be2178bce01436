//! The analytic extract: record trees → schema-driven tables written as Parquet (or CSV).
//!
//! [`plan`] derives the tables and typed columns from the schema model; [`table`] holds the
//! Arrow builders and file writers; [`rows`] turns a record tree into rows (the hot path); this
//! module keeps the datasets' tables and the leading key and provenance columns. All datasets
//! are laid out on the 3.5.1 model (a superset of 3.5.0: every 3.5.0 path exists in 3.5.1),
//! so 3.5.0 and 3.5.1 records land in the same tables; a `version` column tells them apart.
//!
//! The records' header context (EMS `Header`, DEM `DEMDataSet` outside its reports: agency
//! ids, custom-element definitions) goes to the header tables (`header`,
//! `eCustomConfiguration_CustomGroup`, `dem_header`, ...) once per context, keyed by
//! `HeaderKey`, which the record tables carry too. A context is written with its first record
//! (readable or not: see [`Extractor::add_context`]).

pub mod claims;
pub mod convert;
pub mod plan;
pub mod rejects;
mod rows;
pub mod table;

use crate::finding::Finding;
use crate::pipeline::RecordResult;
use crate::record::Record;
use crate::schema::builtin;
use crate::schema::model::{Content, ElemId, Model};
use anyhow::Result;
use crate::split::Context;
use plan::{column_name, ColType, DatasetPlan, HEADER_KEY};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
pub use table::{Cell, Format, Table};

/// The model every dataset's tables are laid out on.
pub const LAYOUT_VERSION: &str = "3.5.1";

/// Leading columns of a dataset's record table; `header` adds the link to the header table.
fn record_extras(plan: &DatasetPlan, header: bool, context: &[(String, ElemId)]) -> Vec<(String, ColType)> {
    let uuid = if plan.key == "PcrKey" { "pcr_uuid" } else { "record_uuid" };
    let mut v = vec![
        (plan.key.to_string(), ColType::Key),
        (uuid.to_string(), ColType::Text),
        ("source".to_string(), ColType::Text),
        ("member".to_string(), ColType::Text),
        ("version".to_string(), ColType::Code),
        ("xsd_valid".to_string(), ColType::Bool),
        ("status".to_string(), ColType::Code),
    ];
    if header {
        v.push((HEADER_KEY.to_string(), ColType::Key));
    }
    v.extend(context.iter().map(|(n, _)| (n.clone(), ColType::Text)));
    v
}

/// Leading columns of a header table (one row per header context).
fn header_extras() -> Vec<(String, ColType)> {
    [(HEADER_KEY, ColType::Key), ("source", ColType::Text), ("member", ColType::Text), ("version", ColType::Code), ("path", ColType::Text)].iter().map(|(n, t)| (n.to_string(), *t)).collect()
}

fn child_extras(plan: &DatasetPlan) -> Vec<(String, ColType)> {
    vec![(plan.key.to_string(), ColType::Key), ("Ordinal".to_string(), ColType::Key), ("ParentOrdinal".to_string(), ColType::Int)]
}

/// Header-context columns of the record table: simple, non-repeating elements of the context
/// element (EMS: Header/DemographicGroup → dAgency_01, dAgency_02, dAgency_04).
fn context_columns(m: &Model, record_elem: ElemId) -> Vec<(String, ElemId)> {
    let Some(ctx) = m.element(record_elem).parent else { return vec![] };
    let mut out = Vec::new();
    let mut stack = vec![ctx];
    while let Some(e) = stack.pop() {
        for &c in m.children(e).iter().rev() {
            let ce = m.element(c);
            if c == record_elem || ce.max_occurs != Some(1) {
                continue;
            }
            match ce.content {
                Content::Simple { .. } => out.push((column_name(&ce.name), c)),
                Content::Sequence { .. } => stack.push(c),
            }
        }
    }
    out.sort_by_key(|(_, e)| *e);
    out
}

/// The open tables of one plan (a dataset's records, or their header contexts).
struct Scope {
    plan: DatasetPlan,
    /// Width of the leading extra columns per table.
    extras: Vec<usize>,
    tables: Vec<Table>,
    layout: rows::Layout,
}

impl Scope {
    /// Create the plan's tables; `lead` are the leading columns of its first table.
    fn create(dir: &Path, format: Format, plan: DatasetPlan, lead: Vec<(String, ColType)>) -> Result<Scope> {
        let mut tables = Vec::new();
        let mut extras = Vec::new();
        for (i, t) in plan.tables.iter().enumerate() {
            let mut cols = if i == 0 { lead.clone() } else { child_extras(&plan) };
            extras.push(cols.len());
            cols.extend(t.columns.iter().map(|c| (c.name.clone(), c.ty)));
            tables.push(Table::create(dir, &t.name, &cols, format)?);
        }
        let layout = rows::Layout::new(&plan, &extras);
        Ok(Scope { plan, extras, tables, layout })
    }

    /// Write the rows of one tree (a record, or a header context) under `key` (see
    /// [`rows::Layout::write`]). `map` takes the elements of the tree's model (`version`) to
    /// the layout's.
    fn write(&mut self, tree: &Record, version: &str, map: &[Option<ElemId>], key: i64, lead: &[Cell]) -> Result<()> {
        self.layout.write(&self.plan, &self.extras, &mut self.tables, tree, version, map, key, lead)
    }
}

/// Output state of one dataset: its record tables, its header tables, and element mappings
/// per version.
struct DatasetOut {
    record: Scope,
    /// The header context's tables (None for StateDataSet).
    header: Option<Scope>,
    context: Vec<(String, ElemId)>,
    /// Per source model version: source element → layout element (by path).
    maps: BTreeMap<String, Vec<Option<ElemId>>>,
    layout: &'static Model,
    /// The header context seen last (held, so that a new one can never share its address) and
    /// the node of each `context` column in its tree.
    context_nodes: Option<(Arc<Context>, Vec<Option<u32>>)>,
}

/// The map from the elements of `src` to the layout's (by path), built on first use.
fn layout_map<'m>(maps: &'m mut BTreeMap<String, Vec<Option<ElemId>>>, layout: &Model, src: &Model) -> &'m [Option<ElemId>] {
    if !maps.contains_key(&src.version) {
        maps.insert(src.version.clone(), src.elements.iter().map(|e| layout.by_path(&e.path)).collect());
    }
    &maps[&src.version]
}

/// The key columns of `findings`, one per record dataset.
const FINDING_KEYS: [&str; 3] = ["PcrKey", "DemKey", "StateKey"];

/// Writes the extract's tables as records arrive (in order).
pub struct Extractor {
    dir: PathBuf,
    format: Format,
    codes_rows: u64,
    datasets: BTreeMap<String, DatasetOut>,
    findings: Table,
    /// The header context written last and its HeaderKey (held, so that a new context can
    /// never share its address).
    header: Option<(Arc<Context>, i64)>,
    next_header_key: i64,
}

impl Extractor {
    /// Start an extract in `dir` (which must exist); writes `codes` at once.
    pub fn new(dir: &Path, format: Format) -> Result<Extractor> {
        let codes_rows = write_codes(dir, format)?;
        let mut cols: Vec<(String, ColType)> = FINDING_KEYS.iter().map(|k| (k.to_string(), ColType::Int)).collect();
        cols.extend(
            [
                ("record_uuid", ColType::Text),
                ("source", ColType::Text),
                ("member", ColType::Text),
                ("kind", ColType::Code),
                ("rule", ColType::Code),
                ("severity", ColType::Code),
                ("element", ColType::Code),
                ("line", ColType::Int),
                ("column", ColType::Int),
                ("path", ColType::Text),
                ("message", ColType::Text),
            ]
            .iter()
            .map(|(n, t)| (n.to_string(), *t)),
        );
        let findings = Table::create(dir, "findings", &cols, format)?;
        Ok(Extractor { dir: dir.to_path_buf(), format, codes_rows, datasets: BTreeMap::new(), findings, header: None, next_header_key: 1 })
    }

    fn dataset(&mut self, dataset: &str) -> Result<&mut DatasetOut> {
        if !self.datasets.contains_key(dataset) {
            let layout = builtin::model(LAYOUT_VERSION, dataset).ok_or_else(|| anyhow::anyhow!("no model for {dataset}"))?;
            let record_path = match dataset {
                "EMSDataSet" => "/EMSDataSet/Header/PatientCareReport",
                "DEMDataSet" => "/DEMDataSet/DemographicReport",
                _ => "/StateDataSet",
            };
            let record_elem = layout.by_path(record_path).expect("record element");
            let plan = DatasetPlan::new(layout, record_elem);
            let header_plan = DatasetPlan::header(layout, record_elem);
            let context = context_columns(layout, record_elem);
            let lead = record_extras(&plan, header_plan.is_some(), &context);
            let record = Scope::create(&self.dir, self.format, plan, lead)?;
            let header = header_plan.map(|p| Scope::create(&self.dir, self.format, p, header_extras())).transpose()?;
            self.datasets.insert(dataset.to_string(), DatasetOut { record, header, context, maps: BTreeMap::new(), layout, context_nodes: None });
        }
        Ok(self.datasets.get_mut(dataset).unwrap())
    }

    /// The HeaderKey of a record's header context, writing the context's rows (`header`,
    /// `eCustomConfiguration_*`, ...) when it is a new one: records arrive in input order, and
    /// the records of one context share one `Arc<Context>`, so each context is written once.
    /// None for datasets without a header context (StateDataSet).
    fn header_key(&mut self, r: &RecordResult) -> Result<Option<i64>> {
        let ctx = &r.raw.context;
        if let Some((held, key)) = &self.header {
            if Arc::ptr_eq(held, ctx) {
                return Ok(Some(*key));
            }
        }
        let key = self.next_header_key;
        let src_model = r.info.schema.model;
        let ds = self.dataset(&r.info.dataset)?;
        let Some(scope) = ds.header.as_mut() else { return Ok(None) };
        let map = layout_map(&mut ds.maps, ds.layout, src_model);
        let lead = [Cell::Int(key), Cell::Str(&r.provenance.path), r.provenance.member.as_deref().map_or(Cell::Null, Cell::Str), Cell::Str(&src_model.version), Cell::Str(&ctx.path)];
        scope.write(&ctx.tree, &src_model.version, map, key, &lead)?;
        self.next_header_key += 1;
        self.header = Some((ctx.clone(), key));
        Ok(Some(key))
    }

    /// Write the header context of a record that is not added (unreadable), so that a
    /// context whose records are all unreadable is still in the extract.
    pub fn add_context(&mut self, r: &RecordResult) -> Result<()> {
        self.header_key(r).map(|_| ())
    }

    /// Add a readable record (one row in its record table plus rows in child tables), after
    /// its header context when that is new.
    pub fn add_record(&mut self, r: &RecordResult, key: i64, status: &str) -> Result<()> {
        let Some(o) = r.outcome.as_ref().filter(|o| o.well_formed) else { return Ok(()) };
        let header_key = self.header_key(r)?;
        let ds = self.dataset(&r.info.dataset)?;
        let src_model = r.info.schema.model;
        let map = layout_map(&mut ds.maps, ds.layout, src_model);
        // the record row's leading columns
        let mut lead = vec![
            Cell::Int(key),
            o.record_id.as_deref().map_or(Cell::Null, Cell::Str),
            Cell::Str(&r.provenance.path),
            r.provenance.member.as_deref().map_or(Cell::Null, Cell::Str),
            Cell::Str(&src_model.version),
            Cell::Bool(r.xsd_valid()),
            Cell::Str(status),
        ];
        if ds.header.is_some() {
            lead.push(header_key.map_or(Cell::Null, Cell::Int));
        }
        let ctx = &r.raw.context;
        if !ds.context_nodes.as_ref().is_some_and(|(held, _)| Arc::ptr_eq(held, ctx)) {
            // the first non-nil node of each context column's element
            let nodes = ds.context.iter().map(|(_, elem)| {
                let name = &ds.layout.element(*elem).name;
                ctx.tree.nodes.iter().position(|n| src_model.element(n.elem).name == *name && !n.nil).map(|n| n as u32)
            });
            ds.context_nodes = Some((ctx.clone(), nodes.collect()));
        }
        let nodes = &ds.context_nodes.as_ref().expect("set above").1;
        lead.extend(nodes.iter().map(|n| n.map_or(Cell::Null, |n| Cell::Str(ctx.tree.value(n)))));
        ds.record.write(&o.tree, &src_model.version, map, key, &lead)?;
        Ok(())
    }

    /// Every open table (for [`table::bound_buffered`]).
    pub fn tables_mut(&mut self) -> Vec<&mut Table> {
        let mut tables: Vec<&mut Table> = vec![&mut self.findings];
        for ds in self.datasets.values_mut() {
            tables.extend(ds.record.tables.iter_mut());
            if let Some(h) = ds.header.as_mut() {
                tables.extend(h.tables.iter_mut());
            }
        }
        tables
    }

    /// Add findings (of the record of `dataset` with key `k` when `key` is `Some((dataset, k))`,
    /// or of a document when None). The key goes to the findings column named by the dataset's
    /// plan (`PcrKey`, `DemKey`, `StateKey`).
    pub fn add_findings(&mut self, key: Option<(&str, i64)>, source: &str, member: Option<&str>, findings: &[Finding]) -> Result<()> {
        let mut keys = [Cell::Null; FINDING_KEYS.len()];
        if let Some((dataset, k)) = key {
            let name = &self.dataset(dataset)?.record.plan.key;
            let col = FINDING_KEYS.iter().position(|c| c == name).ok_or_else(|| anyhow::anyhow!("no findings key column for {name}"))?;
            keys[col] = Cell::Int(k);
        }
        for f in findings {
            let line = f.line as i64;
            let column = f.column as i64;
            let row = [
                keys[0],
                keys[1],
                keys[2],
                f.record.as_deref().map_or(Cell::Null, Cell::Str),
                Cell::Str(source),
                member.map_or(Cell::Null, Cell::Str),
                Cell::Str(f.kind.as_str()),
                f.rule.as_deref().map_or(Cell::Null, Cell::Str),
                Cell::Str(f.severity.as_str()),
                f.element.as_deref().map_or(Cell::Null, Cell::Str),
                Cell::Int(line),
                Cell::Int(column),
                Cell::Str(&f.path),
                Cell::Str(&f.message),
            ];
            self.findings.push(&row)?;
        }
        Ok(())
    }

    /// Close every table; returns (table name, rows) in name order.
    pub fn finish(self) -> Result<Vec<(String, u64)>> {
        let mut out = vec![("findings".to_string(), self.findings.finish()?), ("codes".to_string(), self.codes_rows)];
        for (_, ds) in self.datasets {
            for t in ds.record.tables.into_iter().chain(ds.header.into_iter().flat_map(|h| h.tables)) {
                let name = t.name.clone();
                out.push((name, t.finish()?));
            }
        }
        out.sort();
        Ok(out)
    }
}

/// `codes`: (dataset, element, attribute, column, code, label) for every code list of the
/// layout models, to join codes to their descriptions.
fn write_codes(dir: &Path, format: Format) -> Result<u64> {
    let cols: Vec<(String, ColType)> = ["dataset", "element", "attribute", "column", "code", "label"].iter().map(|n| (n.to_string(), ColType::Text)).collect();
    let mut t = Table::create(dir, "codes", &cols, format)?;
    for ds in builtin::DATASETS {
        let m = builtin::model(LAYOUT_VERSION, ds).expect("model");
        for e in &m.elements {
            let col = column_name(&e.name);
            if let Content::Simple { value_type } = e.content {
                for c in m.codes(value_type) {
                    t.push(&[Cell::Str(ds), Cell::Str(&e.name), Cell::Null, Cell::Str(&col), Cell::Str(&c.code), Cell::Str(&c.label)])?;
                }
            }
            for a in &e.attributes {
                let acol = format!("{col}_{}", a.name);
                for c in m.codes(a.value_type) {
                    t.push(&[Cell::Str(ds), Cell::Str(&e.name), Cell::Str(&a.name), Cell::Str(&acol), Cell::Str(&c.code), Cell::Str(&c.label)])?;
                }
            }
        }
    }
    t.finish()
}
