//! The analytic extract: record trees → schema-driven tables written as Parquet (or CSV).
//!
//! [`plan`] derives the tables and typed columns from the schema model; [`table`] holds the
//! Arrow builders and file writers; this module turns each record tree into rows. All datasets
//! are laid out on the 3.5.1 model (a superset of 3.5.0: every 3.5.0 path exists in 3.5.1),
//! so 3.5.0 and 3.5.1 records land in the same tables; a `version` column tells them apart.

pub mod claims;
pub mod convert;
pub mod plan;
pub mod rejects;
pub mod table;

use crate::finding::Finding;
use crate::pipeline::RecordResult;
use crate::record::Record;
use crate::schema::builtin;
use crate::schema::model::{Content, ElemId, Model};
use anyhow::Result;
use plan::{column_name, ColSource, ColType, DatasetPlan};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
pub use table::{Cell, Format, Table};

/// The model every dataset's tables are laid out on.
pub const LAYOUT_VERSION: &str = "3.5.1";

/// Extra leading columns of a dataset's record table.
fn record_extras(plan: &DatasetPlan, context: &[(String, ElemId)]) -> Vec<(String, ColType)> {
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
    v.extend(context.iter().map(|(n, _)| (n.clone(), ColType::Text)));
    v
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

/// Output state of one dataset: its plan, its open tables, and element mappings per version.
struct DatasetOut {
    plan: DatasetPlan,
    context: Vec<(String, ElemId)>,
    /// Width of the leading extra columns per table.
    extras: Vec<usize>,
    tables: Vec<Table>,
    /// Per source model version: source element → layout element (by path).
    maps: BTreeMap<String, Vec<Option<ElemId>>>,
    layout: &'static Model,
}

struct Row<'a> {
    ordinal: i64,
    cells: Vec<Cell<'a>>,
}

/// Writes the extract's tables as records arrive (in order).
pub struct Extractor {
    dir: PathBuf,
    format: Format,
    codes_rows: u64,
    datasets: BTreeMap<String, DatasetOut>,
    findings: Table,
}

impl Extractor {
    /// Start an extract in `dir` (which must exist); writes `codes` at once.
    pub fn new(dir: &Path, format: Format) -> Result<Extractor> {
        let codes_rows = write_codes(dir, format)?;
        let cols: Vec<(String, ColType)> = [
            ("PcrKey", ColType::Int),
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
        .map(|(n, t)| (n.to_string(), *t))
        .collect();
        let findings = Table::create(dir, "findings", &cols, format)?;
        Ok(Extractor { dir: dir.to_path_buf(), format, codes_rows, datasets: BTreeMap::new(), findings })
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
            let context = context_columns(layout, record_elem);
            let mut tables = Vec::new();
            let mut extras = Vec::new();
            for (i, t) in plan.tables.iter().enumerate() {
                let mut cols = if i == 0 { record_extras(&plan, &context) } else { child_extras(&plan) };
                extras.push(cols.len());
                cols.extend(t.columns.iter().map(|c| (c.name.clone(), c.ty)));
                tables.push(Table::create(&self.dir, &t.name, &cols, self.format)?);
            }
            self.datasets.insert(dataset.to_string(), DatasetOut { plan, context, extras, tables, maps: BTreeMap::new(), layout });
        }
        Ok(self.datasets.get_mut(dataset).unwrap())
    }

    /// Add a readable record (one row in its record table plus rows in child tables).
    pub fn add_record(&mut self, r: &RecordResult, key: i64, status: &str) -> Result<()> {
        let Some(o) = r.outcome.as_ref().filter(|o| o.well_formed) else { return Ok(()) };
        let ds = self.dataset(&r.info.dataset)?;
        let src_model = r.info.schema.model;
        let map = ds.maps.entry(src_model.version.clone()).or_insert_with(|| src_model.elements.iter().map(|e| ds.layout.by_path(&e.path)).collect());
        let tree: &Record = &o.tree;
        let plan = &ds.plan;
        let mut rows: Vec<Vec<Row>> = plan.tables.iter().map(|_| Vec::new()).collect();
        let mut current = vec![0usize; plan.tables.len()];
        // the record row with its leading columns
        let mut cells = vec![Cell::Null; ds.tables[0].width()];
        cells[0] = Cell::Int(key);
        cells[1] = o.record_id.as_deref().map_or(Cell::Null, Cell::Str);
        cells[2] = Cell::Str(&r.provenance.path);
        cells[3] = r.provenance.member.as_deref().map_or(Cell::Null, Cell::Str);
        cells[4] = Cell::Str(&src_model.version);
        cells[5] = Cell::Bool(r.xsd_valid());
        cells[6] = Cell::Str(status);
        let ctx_tree = &r.raw.context.tree;
        for (i, (_, elem)) in ds.context.iter().enumerate() {
            let name = &ds.layout.element(*elem).name;
            let v = ctx_tree.nodes.iter().position(|n| src_model.element(n.elem).name == *name && !n.nil).map(|n| ctx_tree.value(n as u32));
            cells[7 + i] = v.map_or(Cell::Null, Cell::Str);
        }
        rows[0].push(Row { ordinal: 0, cells });
        for (i, node) in tree.nodes.iter().enumerate() {
            let Some(e) = map[node.elem as usize] else { continue };
            let Some(t) = plan.table_of[e as usize] else { continue };
            let tp = &plan.tables[t];
            if t != 0 && tp.root == e {
                let parent = tp.parent.unwrap_or(0);
                let parent_ord = if parent == 0 { Cell::Null } else { Cell::Int(rows[parent][current[parent]].ordinal) };
                let ordinal = rows[t].len() as i64 + 1;
                let mut cells = vec![Cell::Null; ds.tables[t].width()];
                cells[0] = Cell::Int(key);
                cells[1] = Cell::Int(ordinal);
                cells[2] = parent_ord;
                rows[t].push(Row { ordinal, cells });
                current[t] = rows[t].len() - 1;
            }
            let off = ds.extras[t];
            let row = &mut rows[t][current[t]].cells;
            for &ci in &plan.cols_of[e as usize] {
                let col = &tp.columns[ci];
                let id = i as u32;
                row[off + ci] = match &col.source {
                    ColSource::Value | ColSource::Offset if node.nil => Cell::Null,
                    ColSource::Value | ColSource::Offset => Cell::Str(tree.value(id)),
                    ColSource::Attr(a) => tree.attr(id, a).map_or(Cell::Null, Cell::Str),
                    ColSource::Nil => if node.nil { Cell::Bool(true) } else { Cell::Null },
                };
            }
        }
        for (t, rs) in rows.iter().enumerate() {
            for row in rs {
                ds.tables[t].push(&row.cells)?;
            }
        }
        Ok(())
    }

    /// Add findings (of a record with `key`, or of a document when None).
    pub fn add_findings(&mut self, key: Option<i64>, source: &str, member: Option<&str>, findings: &[Finding]) -> Result<()> {
        for f in findings {
            let line = f.line as i64;
            let column = f.column as i64;
            let row = [
                key.map_or(Cell::Null, Cell::Int),
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
            for t in ds.tables {
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
