//! Completeness of the `nemsis ingest` extract.
//!
//! Every leaf value of the inputs (element text, `NV` / `PN` / `xsi:nil`, every other attribute)
//! is walked with an independent quick-xml reader (not the crate's record tree) and looked up in
//! the Parquet extract: the right table (derived from the schema model: the nearest enclosing
//! element below the record with `max_occurs != 1`), the right row (record key = 1-based order
//! of readable records over the run across all datasets, `Ordinal` = 1-based occurrence of the
//! table's root element within the record, `ParentOrdinal` = ordinal of the enclosing row of the
//! parent table, null under the record table), the right column, and the same value after type
//! normalization (text and codes exact, integers, decimals numerically, dates, date-times as UTC
//! instant plus `_offset` minutes). Each value must be found exactly once, and the number of
//! non-null value/companion cells of the extract must equal the number of values walked.
//!
//! The header contexts of the records (EMS `Header`: DemographicGroup and the custom-element
//! definitions of eCustomConfiguration; DEM: the DEMDataSet outside its DemographicReports,
//! with dCustomConfiguration) are walked the same way into the header tables (`header`,
//! `eCustomConfiguration_CustomGroup`, `dem_header`, `dem_dCustomConfiguration_CustomGroup`, ...):
//! HeaderKey = 1-based order over the run of the contexts that hold a record (complete or cut
//! short), `Ordinal` within the context; each record's `HeaderKey` must name its context. No
//! value may be outside a record or a header context.
//!
//! Inputs: the project's `samples/` (valid and well-formed invalid files, `bulk.zip`) and every
//! EMS, DEM and State file of `../shared/nemsis/v3.5.1/{SampleData,ComplianceTests}` (skipped,
//! saying so, when absent), all in one run.

#[path = "ingest_support.rs"]
mod support;

use nemsis::schema::builtin;
use nemsis::schema::model::{Builtin, Content, ElemId, Model};
use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::Read;
use std::path::Path;
use support::{matches_lexical, representable, PqTable, Val};

const XSI: &[u8] = b"http://www.w3.org/2001/XMLSchema-instance";

/// Naming of a dataset's extract: (record element path, record table, child table prefix, key).
fn naming(dataset: &str) -> (&'static str, &'static str, &'static str, &'static str) {
    match dataset {
        "EMSDataSet" => ("/EMSDataSet/Header/PatientCareReport", "pcr", "", "PcrKey"),
        "DEMDataSet" => ("/DEMDataSet/DemographicReport", "dem_report", "dem_", "DemKey"),
        "StateDataSet" => ("/StateDataSet", "state_report", "state_", "StateKey"),
        other => panic!("unknown dataset {other}"),
    }
}

fn col(name: &str) -> String {
    name.replace('.', "_")
}

/// The row a value belongs to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct RowRef {
    table: String,
    /// None for the record table.
    ordinal: Option<i64>,
    parent_ordinal: Option<i64>,
}

#[derive(Debug, Clone)]
enum Expect {
    /// The lexical value (element text or attribute value).
    Lex(String),
    /// `xsi:nil="true"`.
    Nil,
    /// The offset (minutes east of UTC) of a date-time.
    Offset(i64),
}

#[derive(Debug)]
struct Leaf {
    row: RowRef,
    column: String,
    expect: Expect,
    /// The schema element (for type checks); for attributes, the element carrying them.
    elem: ElemId,
    is_value: bool,
    origin: String,
}

/// One record as walked.
#[derive(Debug, Default)]
struct WalkedRecord {
    dataset: String,
    source: String,
    member: Option<String>,
    uuid: Option<String>,
    line: u64,
    leaves: Vec<Leaf>,
    /// Every child-table row (one per occurrence of a repeating element).
    rows: Vec<RowRef>,
    /// Header-context values expected in the leading columns of the record row.
    context: Vec<(String, String)>,
    /// Elements/attributes the 3.5.1 model does not know (only in invalid inputs).
    unplaced: Vec<String>,
    /// Text inside a nilled element (only in invalid inputs).
    nilled_text: Vec<String>,
    /// A record's expected HeaderKey (None for StateDataSet); a header context's own key.
    header_key: Option<i64>,
}

#[derive(Default)]
struct Walk {
    records: Vec<WalkedRecord>,
    /// Header contexts (EMS Header, DEM document outside its reports) that hold a record
    /// (complete or cut short), in order: HeaderKey = index + 1. Their leaves and rows are
    /// those of the header tables (`header`, `eCustomConfiguration_CustomGroup`, `dem_header`, ...).
    headers: Vec<WalkedRecord>,
    /// Header contexts without any record (the tool never sees them; only in invalid inputs).
    headers_without_records: Vec<String>,
    /// Values outside the records and their header contexts (none expected).
    outside: Vec<String>,
    /// Values inside the context element (Header/DemographicGroup) mapped to leading columns.
    context_values: usize,
    /// Documents whose parse stopped early (the incomplete record is not expected).
    broken: Vec<String>,
}

struct Frame {
    path: String,
    elem: Option<ElemId>,
    nil: bool,
    attrs: Vec<(String, String)>,
    text: String,
    /// The row the element's values go to (in a record or in a header context).
    row: Option<RowRef>,
    /// Inside a record (else, with a row, inside a header context).
    in_record: bool,
    pos: u64,
}

fn line_of(bytes: &[u8], pos: u64) -> u64 {
    1 + bytes[..(pos as usize).min(bytes.len())].iter().filter(|b| **b == b'\n').count() as u64
}

/// Does `elem` repeat, or sit below a repeating element, strictly below `top`?
fn repeats_below(m: &Model, elem: ElemId, top: ElemId) -> bool {
    let mut cur = Some(elem);
    while let Some(c) = cur {
        if c == top {
            return false;
        }
        let e = m.element(c);
        if e.max_occurs != Some(1) {
            return true;
        }
        cur = e.parent;
    }
    false
}

/// Names of the leading header-context columns of a dataset's record table: the non-repeating
/// simple elements of the record's parent element, outside the record.
fn context_columns(m: &Model, record: ElemId) -> Vec<String> {
    let Some(ctx) = m.element(record).parent else { return vec![] };
    let rec_path = format!("{}/", m.element(record).path);
    let ctx_path = format!("{}/", m.element(ctx).path);
    m.elements
        .iter()
        .enumerate()
        .filter(|(i, e)| {
            e.path.starts_with(&ctx_path)
                && !e.path.starts_with(&rec_path)
                && e.path != m.element(record).path
                && matches!(e.content, Content::Simple { .. })
                && !repeats_below(m, *i as ElemId, ctx)
        })
        .map(|(_, e)| col(&e.name))
        .collect()
}

fn attributes(r: &NsReader<&[u8]>, e: &BytesStart) -> (Vec<(String, String)>, bool) {
    let mut out = Vec::new();
    let mut nil = false;
    for a in e.attributes() {
        let a = a.expect("attribute");
        if a.key.as_namespace_binding().is_some() {
            continue;
        }
        let (ns, local) = r.resolve_attribute(a.key);
        let local = String::from_utf8(local.as_ref().to_vec()).unwrap();
        let value = a.unescape_value().expect("attribute value").into_owned();
        match ns {
            ResolveResult::Bound(n) if n.as_ref() == XSI => {
                if local == "nil" {
                    nil = matches!(support::xml_trim(&value), "true" | "1");
                }
            }
            ResolveResult::Bound(_) => {}
            _ => out.push((local, value)),
        }
    }
    (out, nil)
}

/// The header table of a dataset whose records have a header context.
fn header_table(dataset: &str) -> Option<&'static str> {
    match dataset {
        "EMSDataSet" => Some("header"),
        "DEMDataSet" => Some("dem_header"),
        _ => None,
    }
}

/// The header contexts' tables, from the schema model: for EMS and DEM, the header table of
/// the record's parent element and one table per repeating element below it outside the
/// records (`eCustomConfiguration_CustomGroup`, `dem_dCustomConfiguration_06`, ...).
fn header_layout() -> BTreeMap<String, (String, String)> {
    let mut out = BTreeMap::new();
    for ds in ["EMSDataSet", "DEMDataSet"] {
        let (rp, _, prefix, _) = naming(ds);
        let m = builtin::model("3.5.1", ds).unwrap();
        let rec = m.by_path(rp).unwrap();
        let ctx = m.element(rec).parent.unwrap();
        out.insert(header_table(ds).unwrap().to_string(), (ds.to_string(), m.element(ctx).name.clone()));
        let below = format!("{}/", m.element(ctx).path);
        let rec_below = format!("{rp}/");
        for e in &m.elements {
            if e.path.starts_with(&below) && e.path != rp && !e.path.starts_with(&rec_below) && e.max_occurs != Some(1) {
                assert!(out.insert(format!("{prefix}{}", col(&e.name)), (ds.to_string(), e.name.clone())).is_none());
            }
        }
    }
    out
}

/// The expected cells of one closed element `f` (schema element `e`) in its row of `rec`.
fn place(rec: &mut WalkedRecord, m: &Model, f: &Frame, e: ElemId, rec_elem: ElemId, origin: &str) {
    let el = m.element(e);
    let row = f.row.clone().unwrap();
    let declared: HashSet<&str> = el.attributes.iter().map(|a| a.name.as_str()).collect();
    let name = col(&el.name);
    let origin = origin.to_string();
    match el.content {
        Content::Simple { value_type } => {
            // xsi:nil on an element the schema does not let be nil (an XSD error) has no `_nil`
            // column: the element keeps its value
            let nil = f.nil && el.nillable;
            if f.nil && !el.nillable {
                rec.unplaced.push(format!("{origin} @xsi:nil (not nillable)"));
            }
            if nil {
                rec.leaves.push(Leaf { row: row.clone(), column: format!("{name}_nil"), expect: Expect::Nil, elem: e, is_value: false, origin: origin.clone() });
                if !support::xml_trim(&f.text).is_empty() {
                    rec.nilled_text.push(format!("{origin}: {:?}", f.text));
                }
            } else {
                if m.builtin(value_type) == Builtin::DateTime {
                    if let Some((_, Some(off))) = support::parse_datetime(&f.text) {
                        rec.leaves.push(Leaf { row: row.clone(), column: format!("{name}_offset"), expect: Expect::Offset(off), elem: e, is_value: false, origin: origin.clone() });
                    }
                }
                rec.leaves.push(Leaf { row: row.clone(), column: name.clone(), expect: Expect::Lex(f.text.clone()), elem: e, is_value: true, origin: origin.clone() });
            }
            for (a, v) in &f.attrs {
                if declared.contains(a.as_str()) {
                    rec.leaves.push(Leaf { row: row.clone(), column: format!("{name}_{a}"), expect: Expect::Lex(v.clone()), elem: e, is_value: false, origin: origin.clone() });
                } else {
                    rec.unplaced.push(format!("{origin} @{a}"));
                }
            }
        }
        Content::Sequence { .. } => {
            for (a, v) in &f.attrs {
                if e == rec_elem && a == "UUID" {
                    rec.uuid = Some(v.clone());
                } else if declared.contains(a.as_str()) {
                    rec.leaves.push(Leaf { row: row.clone(), column: format!("{name}_{a}"), expect: Expect::Lex(v.clone()), elem: e, is_value: false, origin: origin.clone() });
                } else {
                    rec.unplaced.push(format!("{origin} @{a}"));
                }
            }
        }
    }
}

/// Walk one document, appending its complete records and the header contexts that hold a
/// record to `w`.
fn walk_document(bytes: &[u8], source: &str, member: Option<&str>, w: &mut Walk) {
    let display = match member {
        Some(m) => format!("{source}!{m}"),
        None => source.to_string(),
    };
    let mut r = NsReader::from_reader(bytes);
    let mut stack: Vec<Frame> = Vec::new();
    let mut model: Option<&'static Model> = None;
    let (mut rec_table, mut prefix) = ("", "");
    let mut rec_elem: ElemId = 0;
    let mut ctx_elem: Option<ElemId> = None;
    let mut ctx_values: Vec<(String, String)> = Vec::new();
    let mut current: Option<WalkedRecord> = None;
    let mut counters: HashMap<ElemId, i64> = HashMap::new();
    // the header context being read, until its first record freezes it (as the tool does)
    let mut header: Option<WalkedRecord> = None;
    let mut header_counters: HashMap<ElemId, i64> = HashMap::new();
    loop {
        let pos = r.buffer_position();
        let ev = match r.read_resolved_event() {
            Ok((_, ev)) => ev,
            Err(e) => {
                w.broken.push(format!("{display}: {e} near line {}", line_of(bytes, pos)));
                return;
            }
        };
        let (start, empty) = match &ev {
            Event::Start(s) => (Some(s.clone()), false),
            Event::Empty(s) => (Some(s.clone()), true),
            _ => (None, false),
        };
        if let Some(s) = start {
            let local = String::from_utf8(s.local_name().as_ref().to_vec()).unwrap();
            if stack.is_empty() {
                let m = builtin::model("3.5.1", &local).unwrap_or_else(|| panic!("{display}: root {local} is not a NEMSIS dataset"));
                model = Some(m);
                let rec_path;
                (rec_path, rec_table, prefix, _) = naming(&local);
                rec_elem = m.by_path(rec_path).expect("record element");
                ctx_elem = m.element(rec_elem).parent;
            }
            let m = model.unwrap();
            let parent = stack.last();
            let path = match parent {
                Some(p) => format!("{}/{local}", p.path),
                None => format!("/{local}"),
            };
            // below an unknown element everything is unknown
            let elem = if parent.is_some_and(|p| p.elem.is_none()) { None } else { m.by_path(&path) };
            let (attrs, nil) = attributes(&r, &s);
            let mut row = parent.and_then(|p| p.row.clone());
            let mut in_record = parent.is_some_and(|p| p.in_record);
            if elem == Some(rec_elem) {
                // the first record of a header context: the context is in the extract
                if let Some(h) = header.take() {
                    w.headers.push(h);
                }
                current = Some(WalkedRecord {
                    dataset: m.dataset.clone(),
                    source: source.to_string(),
                    member: member.map(str::to_string),
                    line: line_of(bytes, pos),
                    context: ctx_values.clone(),
                    header_key: ctx_elem.map(|_| w.headers.len() as i64),
                    ..Default::default()
                });
                counters.clear();
                row = Some(RowRef { table: rec_table.to_string(), ordinal: None, parent_ordinal: None });
                in_record = true;
            } else if elem.is_some() && elem == ctx_elem && !in_record {
                header = Some(WalkedRecord {
                    dataset: m.dataset.clone(),
                    source: source.to_string(),
                    member: member.map(str::to_string),
                    line: line_of(bytes, pos),
                    header_key: Some(w.headers.len() as i64 + 1),
                    ..Default::default()
                });
                header_counters.clear();
                row = Some(RowRef { table: header_table(&m.dataset).unwrap().to_string(), ordinal: None, parent_ordinal: None });
            } else if let Some(e) = elem.filter(|e| m.element(*e).max_occurs != Some(1)) {
                let scope = if in_record { current.as_mut().map(|c| (c, &mut counters)) } else { header.as_mut().filter(|_| row.is_some()).map(|h| (h, &mut header_counters)) };
                if let Some((rec, counters)) = scope {
                    let n = counters.entry(e).or_insert(0);
                    *n += 1;
                    let parent_ordinal = row.as_ref().and_then(|p| p.ordinal);
                    let rr = RowRef { table: format!("{prefix}{}", col(&m.element(e).name)), ordinal: Some(*n), parent_ordinal };
                    rec.rows.push(rr.clone());
                    row = Some(rr);
                }
            }
            stack.push(Frame { path, elem, nil, attrs, text: String::new(), row, in_record, pos });
            if !empty {
                continue;
            }
        }
        match ev {
            Event::Text(t) => {
                if let Some(f) = stack.last_mut() {
                    f.text.push_str(&t.unescape().expect("text"));
                }
            }
            Event::CData(t) => {
                if let Some(f) = stack.last_mut() {
                    f.text.push_str(std::str::from_utf8(&t).expect("utf-8 CDATA"));
                }
            }
            Event::End(_) | Event::Empty(_) => {
                let f = stack.pop().expect("balanced");
                let m = model.unwrap();
                let origin = format!("{display}:{} {}", line_of(bytes, f.pos), f.path.rsplit('/').next().unwrap());
                let target = if f.in_record { current.as_mut() } else if f.row.is_some() { header.as_mut() } else { None };
                match (f.elem, target) {
                    (None, Some(rec)) => {
                        // an element the model does not know: nothing of it can be placed
                        rec.unplaced.push(origin.clone());
                    }
                    (Some(e), Some(rec)) => {
                        place(rec, m, &f, e, rec_elem, &origin);
                        let simple = matches!(m.element(e).content, Content::Simple { .. });
                        if !f.in_record && simple && !f.nil && !repeats_below(m, e, ctx_elem.unwrap()) {
                            // also a leading column of the context's records
                            ctx_values.push((col(&m.element(e).name), f.text.clone()));
                            w.context_values += 1;
                        }
                        if e == rec_elem && f.in_record {
                            w.records.push(current.take().unwrap());
                        }
                    }
                    (elem, None) => {
                        // outside the records and their header contexts
                        let simple = elem.is_some_and(|e| matches!(m.element(e).content, Content::Simple { .. }));
                        if simple && !f.nil {
                            w.outside.push(format!("{origin} = {:?}", f.text));
                        }
                        for (a, v) in &f.attrs {
                            w.outside.push(format!("{origin} @{a}={v:?}"));
                        }
                    }
                }
                // a new Header starts a new context
                if ctx_elem == f.elem && f.elem.is_some() {
                    ctx_values.clear();
                    if let Some(h) = header.take() {
                        w.headers_without_records.push(format!("{origin} ({} values)", h.leaves.len()));
                    }
                }
            }
            Event::Eof => {
                if !stack.is_empty() {
                    w.broken.push(format!("{display}: ends inside <{}>", stack.last().unwrap().path));
                }
                return;
            }
            _ => {}
        }
    }
}

/// Read an input the way the tool does: a file, or each `.xml` member of a zip in archive order.
fn walk_input(root: &Path, input: &str, w: &mut Walk) {
    let path = root.join(input);
    if input.to_ascii_lowercase().ends_with(".zip") {
        let mut z = zip::ZipArchive::new(std::fs::File::open(&path).unwrap()).unwrap();
        for i in 0..z.len() {
            let mut f = z.by_index(i).unwrap();
            if f.is_dir() || !f.name().to_ascii_lowercase().ends_with(".xml") {
                continue;
            }
            let name = f.name().to_string();
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).unwrap();
            walk_document(&bytes, input, Some(&name), w);
        }
    } else {
        let bytes = std::fs::read(&path).unwrap();
        walk_document(&bytes, input, None, w);
    }
}

/// Is a column of type `ty` a reasonable typing of the schema type of `elem`'s value?
fn type_fits(m: &Model, elem: ElemId, ty: &arrow_schema::DataType) -> bool {
    use arrow_schema::{DataType as D, TimeUnit};
    let Content::Simple { value_type } = m.element(elem).content else { return false };
    let enumerated = !m.codes(value_type).is_empty();
    match (m.builtin(value_type), ty) {
        (_, D::Dictionary(..)) => enumerated,
        (Builtin::DateTime, D::Timestamp(TimeUnit::Microsecond, Some(tz))) => tz.as_ref() == "UTC",
        (Builtin::Date, D::Date32) => true,
        (Builtin::Integer | Builtin::PositiveInteger, D::Int64) => true,
        (Builtin::Decimal, D::Decimal128(..) | D::Float64) => true,
        (_, D::Utf8) => true,
        _ => false,
    }
}

struct Loaded {
    table: PqTable,
    /// Index of the first value/companion column (after key and leading columns).
    first_value_col: usize,
    /// Record tables: key → row; child tables: (key, ordinal) → row.
    rows: HashMap<(i64, i64), usize>,
}

#[test]
fn every_value_is_in_the_extract_exactly_once() {
    let root = support::root();
    // Inputs, relative to the project root, in the order given to the tool.
    let mut inputs: Vec<String> = vec!["samples/bulk.zip".into()];
    for sub in ["dem", "ems", "invalid", "state"] {
        for p in support::xml_files(&support::samples().join(sub)) {
            inputs.push(p.strip_prefix(&root).unwrap().to_string_lossy().into_owned());
        }
    }
    let n_samples = inputs.len();
    if support::official_dir().is_some() {
        for sub in ["SampleData", "ComplianceTests"] {
            for p in support::xml_files(&root.join("../shared/nemsis/v3.5.1").join(sub)) {
                inputs.push(format!("../shared/nemsis/v3.5.1/{}", p.strip_prefix(root.join("../shared/nemsis/v3.5.1")).unwrap().to_string_lossy()));
            }
        }
    }
    println!("{} inputs ({} from samples/)", inputs.len(), n_samples);

    // The independent walk.
    let mut w = Walk::default();
    for i in &inputs {
        walk_input(&root, i, &mut w);
    }

    // The extract.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let mut args: Vec<String> = inputs.clone();
    args.extend(["--out".into(), out.to_string_lossy().into_owned(), "--threads".into(), "2".into(), "--quiet".into()]);
    let o = support::ingest(&args);
    assert_eq!(o.status.code(), Some(0), "ingest failed:\n{}", support::describe(&o));
    let manifest = support::manifest(&out);
    assert_eq!(manifest["invariant"]["holds"], true, "manifest invariant: {}", manifest["invariant"]);
    let expected_unreadable = w.broken.len() as u64;
    assert_eq!(manifest["totals"]["records_read"].as_u64().unwrap(), w.records.len() as u64 + manifest["totals"]["unreadable"].as_u64().unwrap(), "records read = complete records walked + unreadable");
    assert_eq!(manifest["totals"]["unreadable"].as_u64().unwrap(), expected_unreadable, "one unreadable record per broken document: {:?}", w.broken);

    // Load every record/child table.
    let mut tables: BTreeMap<String, Loaded> = BTreeMap::new();
    let record_tables: HashMap<&str, (&str, usize)> = ["EMSDataSet", "DEMDataSet", "StateDataSet"]
        .iter()
        .map(|ds| {
            let (rp, rt, _, key) = naming(ds);
            let m = builtin::model("3.5.1", ds).unwrap();
            let ctx = context_columns(m, m.by_path(rp).unwrap());
            // key, uuid, source, member, version, xsd_valid, status, [HeaderKey], context columns
            let header = usize::from(header_table(ds).is_some());
            (rt, (key, 7 + header + ctx.len()))
        })
        .collect();
    // header tables: HeaderKey, source, member, version, path
    let header_tables: HashSet<&str> = ["EMSDataSet", "DEMDataSet"].iter().filter_map(|ds| header_table(ds)).collect();
    // The layout's tables (every one is written, empty or not); other tables of the extract
    // (findings, codes, claims, ...) do not hold input values.
    let mut layout = support::layout_tables();
    layout.extend(header_layout());
    let others: Vec<String> = support::all_files(&out)
        .iter()
        .filter_map(|f| f.to_str().and_then(|n| n.strip_suffix(".parquet")).map(str::to_string))
        .filter(|n| !layout.contains_key(n))
        .collect();
    println!("other tables (not checked here): {others:?}");
    for stem in layout.keys() {
        let stem = stem.as_str();
        let path = out.join(format!("{stem}.parquet"));
        assert!(path.is_file(), "layout table {stem} was not written");
        let table = PqTable::read(&path);
        let mut rows = HashMap::new();
        let first_value_col;
        if let Some((key, lead)) = record_tables.get(stem).copied().or(header_tables.contains(stem).then_some(("HeaderKey", 5))) {
            assert_eq!(table.schema.field(0).name(), key, "{stem}: key column");
            first_value_col = lead;
            for r in 0..table.rows() {
                let k = table.get(r, 0).as_i64().expect("key");
                assert!(rows.insert((k, 0), r).is_none(), "{stem}: key {k} twice");
            }
        } else {
            let names: Vec<&str> = table.schema.fields().iter().take(3).map(|f| f.name().as_str()).collect();
            assert_eq!(&names[1..], ["Ordinal", "ParentOrdinal"], "{stem}: leading columns");
            first_value_col = 3;
            for r in 0..table.rows() {
                let k = table.get(r, 0).as_i64().expect("key");
                let o = table.get(r, 1).as_i64().expect("ordinal");
                assert!(rows.insert((k, o), r).is_none(), "{stem}: ({k}, {o}) twice");
            }
        }
        tables.insert(stem.to_string(), Loaded { table, first_value_col, rows });
    }
    let rows_by_manifest = support::manifest_rows(&manifest);
    for (name, t) in &tables {
        assert_eq!(rows_by_manifest.get(name).copied(), Some(t.table.rows() as u64), "{name}: rows in the manifest");
    }

    // Check every record, row and value.
    let mut problems: Vec<String> = Vec::new();
    let mut claimed: HashSet<(String, usize, usize)> = HashSet::new();
    let mut expected_rows: BTreeMap<String, usize> = BTreeMap::new();
    let mut checked = 0usize;
    let mut offsets = 0usize;
    let mut ctx_checked = 0usize;
    let mut nils = 0usize;
    let mut attrs = 0usize;
    let mut unrepresentable: Vec<String> = Vec::new();
    let mut type_problems: BTreeMap<String, String> = BTreeMap::new();
    let manifest_versions: HashMap<String, String> = manifest["inputs"].as_array().unwrap().iter().map(|i| (i["source"].as_str().unwrap().to_string(), i["version"].as_str().unwrap_or("").to_string())).collect();
    // records (key = 1-based order over the run), then header contexts (HeaderKey = 1-based
    // order of the contexts that hold a record)
    let scopes = w.records.iter().enumerate().map(|(i, r)| (false, i, r)).chain(w.headers.iter().enumerate().map(|(i, h)| (true, i, h)));
    for (is_header, i, rec) in scopes {
        let key = i as i64 + 1;
        let (_, rt, _, _) = naming(&rec.dataset);
        let rt = if is_header { header_table(&rec.dataset).unwrap() } else { rt };
        let m = builtin::model("3.5.1", &rec.dataset).unwrap();
        *expected_rows.entry(rt.to_string()).or_default() += 1;
        let what = if is_header { "header context" } else { "record" };
        let where_ = format!("{}{} line {} ({what}, key {key})", rec.source, rec.member.as_deref().map(|m| format!("!{m}")).unwrap_or_default(), rec.line);
        let Some(t) = tables.get(rt) else {
            problems.push(format!("{where_}: no table {rt}"));
            continue;
        };
        let Some(&row) = t.rows.get(&(key, 0)) else {
            problems.push(format!("{where_}: no {rt} row with key {key}"));
            continue;
        };
        // leading columns
        let lead = |c: &str| t.table.get_named(row, c);
        if lead("source").as_str() != Some(rec.source.as_str()) {
            problems.push(format!("{where_}: source = {:?}", lead("source")));
        }
        if lead("member").as_str() != rec.member.as_deref() {
            problems.push(format!("{where_}: member = {:?}", lead("member")));
        }
        let display = format!("{}{}", rec.source, rec.member.as_deref().map(|m| format!("!{m}")).unwrap_or_default());
        if lead("version").as_str() != manifest_versions.get(&display).map(String::as_str) {
            problems.push(format!("{where_}: version = {:?}, manifest says {:?}", lead("version"), manifest_versions.get(&display)));
        }
        if is_header {
            // a header context's values outside the schema only make the document invalid
            // (document-level findings): not expected in the extract
            if !rec.unplaced.is_empty() || !rec.nilled_text.is_empty() {
                println!("note: {where_} has {} unknown element(s)/attribute(s) and {} nilled element(s) with text; not expected in the extract: {:?} {:?}", rec.unplaced.len(), rec.nilled_text.len(), rec.unplaced, rec.nilled_text);
            }
        } else {
            let uuid_col = if rt == "pcr" { "pcr_uuid" } else { "record_uuid" };
            if let Some(u) = &rec.uuid {
                if lead(uuid_col).as_str() != Some(u.as_str()) {
                    problems.push(format!("{where_}: {uuid_col} = {:?}, expected {u:?}", lead(uuid_col)));
                }
            }
            // the link to the record's header context
            match rec.header_key {
                Some(h) if lead("HeaderKey").as_i64() != Some(h) => problems.push(format!("{where_}: HeaderKey = {:?}, expected {h}", lead("HeaderKey"))),
                None if t.table.col_index("HeaderKey").is_some() => problems.push(format!("{where_}: a HeaderKey column without a header context")),
                _ => {}
            }
            let xsd_valid = lead("xsd_valid") == Val::Bool(true);
            let status = lead("status");
            // XSD-invalid records are rejected; XSD-valid ones are accepted, accepted with rule
            // warnings, or rejected by an ERROR rule finding.
            let ok = match status.as_str() {
                Some("rejected") => true,
                Some("accepted") | Some("accepted_with_warnings") => xsd_valid,
                _ => false,
            };
            if !ok {
                problems.push(format!("{where_}: status {status:?} with xsd_valid {xsd_valid}"));
            }
            // header context: the first non-nil value of each context element
            let mut seen_ctx = HashSet::new();
            for (c, v) in &rec.context {
                if !seen_ctx.insert(c) {
                    continue;
                }
                checked += 1;
                ctx_checked += 1;
                if lead(c).as_str() != Some(v.as_str()) {
                    problems.push(format!("{where_}: context column {c} = {:?}, expected {v:?}", lead(c)));
                }
            }
            if !rec.unplaced.is_empty() || !rec.nilled_text.is_empty() {
                println!("note: {where_} (xsd_valid={xsd_valid}) has {} unknown element(s)/attribute(s) and {} nilled element(s) with text; not expected in the extract: {:?} {:?}", rec.unplaced.len(), rec.nilled_text.len(), rec.unplaced, rec.nilled_text);
                if xsd_valid {
                    problems.push(format!("{where_}: unknown elements or nilled text in a record marked xsd_valid"));
                }
            }
        }
        // child rows
        for rr in &rec.rows {
            *expected_rows.entry(rr.table.clone()).or_default() += 1;
            let Some(ct) = tables.get(&rr.table) else {
                problems.push(format!("{where_}: no table {}", rr.table));
                continue;
            };
            let ord = rr.ordinal.unwrap();
            match ct.rows.get(&(key, ord)) {
                None => problems.push(format!("{where_}: no row ({key}, {ord}) in {}", rr.table)),
                Some(&r) => {
                    let po = ct.table.get(r, 2).as_i64();
                    if po != rr.parent_ordinal {
                        problems.push(format!("{where_}: {} row ({key}, {ord}): ParentOrdinal {po:?}, expected {:?}", rr.table, rr.parent_ordinal));
                    }
                }
            }
        }
        // values
        for leaf in &rec.leaves {
            let Some(t) = tables.get(&leaf.row.table) else {
                problems.push(format!("{}: no table {}", leaf.origin, leaf.row.table));
                continue;
            };
            let Some(&r) = t.rows.get(&(key, leaf.row.ordinal.unwrap_or(0))) else {
                problems.push(format!("{}: no row {:?} in {}", leaf.origin, leaf.row.ordinal, leaf.row.table));
                continue;
            };
            let Some(c) = t.table.col_index(&leaf.column) else {
                problems.push(format!("{}: no column {} in {}", leaf.origin, leaf.column, leaf.row.table));
                continue;
            };
            if c < t.first_value_col {
                problems.push(format!("{}: column {} of {} is a leading column", leaf.origin, leaf.column, leaf.row.table));
                continue;
            }
            let ty = t.table.schema.field(c).data_type().clone();
            let cell = t.table.get(r, c);
            let result = match &leaf.expect {
                Expect::Lex(v) => {
                    if leaf.is_value {
                        if !type_fits(m, leaf.elem, &ty) {
                            type_problems.insert(format!("{}.{}", leaf.row.table, leaf.column), format!("{ty:?} for schema type {:?}", m.element(leaf.elem).content));
                        }
                        if !representable(v, &ty) {
                            // an invalid lexical value (e.g. month 13) can only be a null
                            unrepresentable.push(format!("{} = {v:?} ({ty:?}) -> {cell:?}", leaf.origin));
                            if cell != Val::Null {
                                problems.push(format!("{}: unrepresentable {v:?} became {cell:?}", leaf.origin));
                            }
                            continue;
                        }
                    } else {
                        attrs += 1;
                        if !matches!(ty, arrow_schema::DataType::Utf8 | arrow_schema::DataType::Dictionary(..)) {
                            type_problems.insert(format!("{}.{}", leaf.row.table, leaf.column), format!("attribute column typed {ty:?}"));
                        }
                    }
                    matches_lexical(&cell, v, &ty)
                }
                Expect::Nil => {
                    nils += 1;
                    if cell == Val::Bool(true) {
                        Ok(())
                    } else {
                        Err(format!("expected nil = true, found {cell:?}"))
                    }
                }
                Expect::Offset(off) => {
                    offsets += 1;
                    if cell == Val::I16(*off as i16) && ty == arrow_schema::DataType::Int16 {
                        Ok(())
                    } else {
                        Err(format!("expected offset {off} (Int16), found {cell:?} ({ty:?})"))
                    }
                }
            };
            if let Err(e) = result {
                problems.push(format!("{} -> {}[{:?}].{}: {e}", leaf.origin, leaf.row.table, leaf.row.ordinal, leaf.column));
            }
            if !claimed.insert((leaf.row.table.clone(), r, c)) {
                problems.push(format!("{} -> {}[{:?}].{}: a second value for the same cell", leaf.origin, leaf.row.table, leaf.row.ordinal, leaf.column));
            }
            checked += 1;
        }
    }
    // nothing more in the tables than what was walked
    for (name, t) in &tables {
        let want = expected_rows.get(name).copied().unwrap_or(0);
        if t.table.rows() != want {
            problems.push(format!("{name}: {} rows, {want} occurrences walked", t.table.rows()));
        }
    }
    let header_values: usize = w.headers.iter().map(|h| h.leaves.len()).sum();
    let custom_values: usize = w.headers.iter().flat_map(|h| &h.leaves).filter(|l| l.column.starts_with("eCustomConfiguration_") || l.column.starts_with("dCustomConfiguration_")).count();
    let walked_cells: usize = w.records.iter().chain(&w.headers).map(|r| r.leaves.len()).sum::<usize>() - unrepresentable.len();
    let mut extract_cells = 0usize;
    let mut unclaimed: Vec<String> = Vec::new();
    for (name, t) in &tables {
        for c in t.first_value_col..t.table.schema.fields().len() {
            extract_cells += t.table.non_null(c);
            if unclaimed.len() < 20 {
                for r in 0..t.table.rows() {
                    if t.table.get(r, c) != Val::Null && !claimed.contains(&(name.clone(), r, c)) {
                        unclaimed.push(format!("{name} row {r} {} = {:?}", t.table.schema.field(c).name(), t.table.get(r, c)));
                    }
                }
            }
        }
    }

    println!(
        "checked {checked} values of {} records and {} header contexts ({header_values} values in the header tables, {custom_values} of them custom-element definitions; {} header-context values in {} leading cells, {} attribute values, {} nils, {} offsets) in {} tables; {} non-null value cells in the extract; {} values walked",
        w.records.len(),
        w.headers.len(),
        w.context_values,
        ctx_checked,
        attrs,
        nils,
        offsets,
        tables.len(),
        extract_cells,
        walked_cells
    );
    let child_rows: usize = w.records.iter().chain(&w.headers).map(|r| r.rows.len()).sum();
    let nested_rows: usize = w.records.iter().chain(&w.headers).map(|r| r.rows.iter().filter(|x| x.parent_ordinal.is_some()).count()).sum();
    println!("{child_rows} child-table rows walked ({nested_rows} below another repeating element, with a ParentOrdinal); {} inputs", inputs.len());
    if !unrepresentable.is_empty() {
        println!("note: {} invalid lexical values (null in the extract): {unrepresentable:?}", unrepresentable.len());
    }
    if !w.broken.is_empty() {
        println!("note: documents cut short: {:?}", w.broken);
    }
    // Nothing outside the records and their header contexts holds a value, and every header
    // context holds a record (the tool sees a context through its records).
    for o in &w.outside {
        problems.push(format!("value outside the records and their header contexts, not in the extract: {o}"));
    }
    for h in &w.headers_without_records {
        problems.push(format!("header context without a record, not in the extract: {h}"));
    }
    for (c, p) in &type_problems {
        problems.push(format!("column {c}: {p}"));
    }
    for u in &unclaimed {
        problems.push(format!("value in the extract not in the input: {u}"));
    }
    if extract_cells != walked_cells {
        problems.push(format!("{extract_cells} non-null value cells in the extract, {walked_cells} values walked"));
    }
    assert!(problems.is_empty(), "{} problem(s):\n{}", problems.len(), problems.iter().take(60).cloned().collect::<Vec<_>>().join("\n"));
    assert!(checked > 1000, "suspiciously few values checked: {checked}");
}

/// An eCustomConfiguration block for a Header (after its DemographicGroup).
const E_CUSTOM: &str = r#"      <eCustomConfiguration>
         <eCustomConfiguration.CustomGroup CustomElementID="config_{n}">
            <eCustomConfiguration.01 nemsisElement="eVitals.26">custom eVitals.26</eCustomConfiguration.01>
            <eCustomConfiguration.02>associated with eVitals.26</eCustomConfiguration.02>
            <eCustomConfiguration.03>9902009</eCustomConfiguration.03>
            <eCustomConfiguration.04>9923001</eCustomConfiguration.04>
            <eCustomConfiguration.05>9903001</eCustomConfiguration.05>
            <eCustomConfiguration.06 nemsisCode="3326001" customValueDescription="High Alert">3326088</eCustomConfiguration.06>
            <eCustomConfiguration.06 nemsisCode="3326001" customValueDescription="Low Alert">3326099</eCustomConfiguration.06>
         </eCustomConfiguration.CustomGroup>
      </eCustomConfiguration>
"#;

/// Header contexts whose records are all rejected or all unreadable are in the extract (a
/// context is written with its first record, complete or not; a context without any record is
/// not), and each finding's key names its dataset: `PcrKey`, `DemKey` or `StateKey`, all null
/// for a document's own findings. Built from `samples/`, so it needs no `../shared`.
#[test]
fn header_contexts_of_rejected_and_unreadable_records_and_finding_keys() {
    let root = support::root();
    let read = |p: &str| std::fs::read_to_string(root.join(p)).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let custom = |n: u32| E_CUSTOM.replace("{n}", &n.to_string());
    let with_custom = |doc: &str, n: u32| doc.replacen("</DemographicGroup>\n", &format!("</DemographicGroup>\n{}", custom(n)), 1);
    // a: the PCR fails the XSD (unknown code): rejected, still a pcr row linked to its Header
    let a = with_custom(&read("samples/ems/valid-single.xml"), 1).replacen("<eResponse.05>2205001<", "<eResponse.05>2205099<", 1);
    // b: the document ends inside its only PCR: unreadable, but its Header is complete
    let b = with_custom(&read("samples/ems/valid-single.xml"), 2);
    let b = b[..b.find("<eVitals>").expect("eVitals in the sample")].to_string();
    // c: a DEM document with custom definitions and an XSD error in its report
    let c = read("samples/dem/valid-dem.xml");
    let dem_custom = r#"   <dCustomConfiguration>
      <dCustomConfiguration.CustomGroup CustomElementID="dPersonnel.18">
         <dCustomConfiguration.01 nemsisElement="dPersonnel.18">EMS Personnel's Immunization Status</dCustomConfiguration.01>
         <dCustomConfiguration.02>The type of immunization status.</dCustomConfiguration.02>
         <dCustomConfiguration.03>9902009</dCustomConfiguration.03>
         <dCustomConfiguration.04>9923001</dCustomConfiguration.04>
         <dCustomConfiguration.05>9903007</dCustomConfiguration.05>
      </dCustomConfiguration.CustomGroup>
   </dCustomConfiguration>
"#;
    let c = c.replacen("   <DemographicReport", &format!("{dem_custom}   <DemographicReport"), 1).replacen("<dAgency.04>17</dAgency.04>", "<dAgency.04>17</dAgency.04><dAgency.99>x</dAgency.99>", 1);
    // d: a state document with an XSD error
    let d = read("samples/state/valid-state.xml").replacen("</sState.01>", "</sState.01><sState.99>x</sState.99>", 1);
    // e: the document ends inside its Header: no record, so no header row; a document finding
    let e = with_custom(&read("samples/ems/valid-single.xml"), 5);
    let e = e[..e.find("<eCustomConfiguration.02>").unwrap()].to_string();
    let mut inputs = Vec::new();
    for (name, text) in [("a-rejected.xml", &a), ("b-unreadable.xml", &b), ("c-dem.xml", &c), ("d-state.xml", &d), ("e-broken-header.xml", &e)] {
        std::fs::write(dir.join(name), text).unwrap();
        inputs.push(dir.join(name).to_string_lossy().into_owned());
    }
    let out = dir.join("out");
    let mut args = inputs.clone();
    args.extend(["--out".into(), out.to_string_lossy().into_owned(), "--quiet".into(), "--no-coding".into()]);
    let o = support::ingest(&args);
    assert_eq!(o.status.code(), Some(0), "{}", support::describe(&o));
    let manifest = support::manifest(&out);
    assert_eq!(manifest["invariant"]["holds"], true, "{}", manifest["invariant"]);
    let t = |name: &str| PqTable::read(&out.join(format!("{name}.parquet")));
    let col = |t: &PqTable, c: &str| (0..t.rows()).map(|r| t.get_named(r, c)).collect::<Vec<_>>();
    let ints = |v: &[i64]| v.iter().map(|i| Val::I64(*i)).collect::<Vec<_>>();

    // EMS: two Headers with a record each (one rejected, one unreadable), HeaderKey 1 and 2;
    // the Header cut short before its first record is not there
    let header = t("header");
    assert_eq!(col(&header, "HeaderKey"), ints(&[1, 2]));
    assert_eq!(col(&header, "source"), vec![Val::Str(inputs[0].clone()), Val::Str(inputs[1].clone())]);
    assert_eq!(col(&header, "path"), vec![Val::Str("/EMSDataSet/Header[1]".into()); 2]);
    assert_eq!(col(&header, "dAgency_02"), vec![Val::Str("S99901".into()); 2]);
    let groups = t("eCustomConfiguration_CustomGroup");
    assert_eq!(col(&groups, "HeaderKey"), ints(&[1, 2]));
    assert_eq!(col(&groups, "eCustomConfiguration_CustomGroup_CustomElementID"), vec![Val::Str("config_1".into()), Val::Str("config_2".into())]);
    let values = t("eCustomConfiguration_06");
    assert_eq!(col(&values, "HeaderKey"), ints(&[1, 1, 2, 2]));
    assert_eq!(col(&values, "Ordinal"), ints(&[1, 2, 1, 2]));
    assert_eq!(col(&values, "ParentOrdinal"), ints(&[1, 1, 1, 1]));
    assert_eq!(col(&values, "eCustomConfiguration_06_customValueDescription")[1], Val::Str("Low Alert".into()));
    let pcr = t("pcr");
    assert_eq!(col(&pcr, "PcrKey"), ints(&[1]));
    assert_eq!(col(&pcr, "status"), vec![Val::Str("rejected".into())]);
    assert_eq!(col(&pcr, "HeaderKey"), ints(&[1]));
    // DEM: the document's context is HeaderKey 3, its report DemKey 2
    assert_eq!(col(&t("dem_header"), "HeaderKey"), ints(&[3]));
    assert_eq!(col(&t("dem_dCustomConfiguration_CustomGroup"), "HeaderKey"), ints(&[3]));
    let dem = t("dem_report");
    assert_eq!((col(&dem, "DemKey"), col(&dem, "HeaderKey")), (ints(&[2]), ints(&[3])));
    assert!(t("state_report").col_index("HeaderKey").is_none(), "a StateDataSet has no header context");

    // findings: one key column per dataset
    let f = t("findings");
    let mut seen = BTreeMap::new();
    for r in 0..f.rows() {
        let keys: Vec<Option<i64>> = ["PcrKey", "DemKey", "StateKey"].iter().map(|c| f.get_named(r, c).as_i64()).collect();
        let source = f.get_named(r, "source").as_str().unwrap().rsplit('/').next().unwrap().to_string();
        let kind = f.get_named(r, "kind").as_str().unwrap().to_string();
        assert!(keys.iter().flatten().count() <= 1, "{source}: {keys:?}");
        seen.entry(source).or_insert_with(BTreeSet::new).insert((kind, keys));
    }
    let has = |src: &str, kind: &str, keys: [Option<i64>; 3]| seen.get(src).is_some_and(|s| s.contains(&(kind.to_string(), keys.to_vec())));
    assert!(has("a-rejected.xml", "xsd", [Some(1), None, None]), "{seen:?}");
    assert!(has("b-unreadable.xml", "parse", [None, None, None]), "{seen:?}");
    assert!(has("c-dem.xml", "xsd", [None, Some(2), None]), "{seen:?}");
    assert!(has("d-state.xml", "xsd", [None, None, Some(3)]), "{seen:?}");
    assert!(has("e-broken-header.xml", "parse", [None, None, None]), "{seen:?}");
}
