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
use std::collections::{BTreeMap, HashMap, HashSet};
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
}

#[derive(Default)]
struct Walk {
    records: Vec<WalkedRecord>,
    /// Values outside the records that the layout has no place for.
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
    row: Option<RowRef>,
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

/// Walk one document, appending its complete records to `w`.
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
            if elem == Some(rec_elem) {
                current = Some(WalkedRecord {
                    dataset: m.dataset.clone(),
                    source: source.to_string(),
                    member: member.map(str::to_string),
                    line: line_of(bytes, pos),
                    context: ctx_values.clone(),
                    ..Default::default()
                });
                counters.clear();
                row = Some(RowRef { table: rec_table.to_string(), ordinal: None, parent_ordinal: None });
            } else if let (Some(e), Some(rec)) = (elem, current.as_mut()) {
                if m.element(e).max_occurs != Some(1) {
                    let n = counters.entry(e).or_insert(0);
                    *n += 1;
                    let parent_ordinal = row.as_ref().and_then(|p| p.ordinal);
                    let rr = RowRef { table: format!("{prefix}{}", col(&m.element(e).name)), ordinal: Some(*n), parent_ordinal };
                    rec.rows.push(rr.clone());
                    row = Some(rr);
                }
            }
            stack.push(Frame { path, elem, nil, attrs, text: String::new(), row, pos });
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
                let in_record = f.row.is_some() && current.is_some();
                match (f.elem, in_record) {
                    (None, true) => {
                        // an element the model does not know: nothing of it can be placed
                        current.as_mut().unwrap().unplaced.push(origin.clone());
                    }
                    (Some(e), true) => {
                        let rec = current.as_mut().unwrap();
                        let el = m.element(e);
                        let row = f.row.clone().unwrap();
                        let declared: HashSet<&str> = el.attributes.iter().map(|a| a.name.as_str()).collect();
                        let name = col(&el.name);
                        match el.content {
                            Content::Simple { value_type } => {
                                // xsi:nil on an element the schema does not let be nil (an XSD
                                // error) has no `_nil` column: the element keeps its value
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
                        if e == rec_elem {
                            w.records.push(current.take().unwrap());
                        }
                    }
                    (elem, false) => {
                        // outside the records: header context or nothing
                        let under_ctx = ctx_elem.is_some_and(|c| f.path.starts_with(&format!("{}/", m.element(c).path)));
                        let simple = elem.is_some_and(|e| matches!(m.element(e).content, Content::Simple { .. }));
                        if under_ctx && simple && !repeats_below(m, elem.unwrap(), ctx_elem.unwrap()) {
                            if !f.nil {
                                ctx_values.push((col(&m.element(elem.unwrap()).name), f.text.clone()));
                                w.context_values += 1;
                            }
                            if !f.attrs.is_empty() || f.nil {
                                w.outside.push(format!("{origin}: attributes/nil of a header-context element"));
                            }
                        } else {
                            if simple && !f.nil {
                                w.outside.push(format!("{origin} = {:?}", f.text));
                            }
                            for (a, v) in &f.attrs {
                                w.outside.push(format!("{origin} @{a}={v:?}"));
                            }
                        }
                        // a new Header starts a new context
                        if ctx_elem == elem && elem.is_some() {
                            ctx_values.clear();
                        }
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
            (rt, (key, 7 + ctx.len()))
        })
        .collect();
    // The layout's tables (every one is written, empty or not); other tables of the extract
    // (findings, codes, claims, ...) do not hold input values.
    let layout = support::layout_tables();
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
        if let Some((key, lead)) = record_tables.get(stem) {
            assert_eq!(table.schema.field(0).name(), key, "{stem}: key column");
            first_value_col = *lead;
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
    for (i, rec) in w.records.iter().enumerate() {
        let key = i as i64 + 1;
        let (_, rt, _, _) = naming(&rec.dataset);
        let m = builtin::model("3.5.1", &rec.dataset).unwrap();
        *expected_rows.entry(rt.to_string()).or_default() += 1;
        let where_ = format!("{}{} line {} (key {key})", rec.source, rec.member.as_deref().map(|m| format!("!{m}")).unwrap_or_default(), rec.line);
        let Some(t) = tables.get(rt) else {
            problems.push(format!("{where_}: no table {rt}"));
            continue;
        };
        let Some(&row) = t.rows.get(&(key, 0)) else {
            problems.push(format!("{where_}: no {rt} row with key {key}"));
            continue;
        };
        // leading columns
        let uuid_col = if rt == "pcr" { "pcr_uuid" } else { "record_uuid" };
        let lead = |c: &str| t.table.get_named(row, c);
        if let Some(u) = &rec.uuid {
            if lead(uuid_col).as_str() != Some(u.as_str()) {
                problems.push(format!("{where_}: {uuid_col} = {:?}, expected {u:?}", lead(uuid_col)));
            }
        }
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
    let walked_cells: usize = w.records.iter().map(|r| r.leaves.len()).sum::<usize>() - unrepresentable.len();
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
        "checked {checked} values of {} records ({} header-context values in {} leading cells, {} attribute values, {} nils, {} offsets) in {} tables; {} non-null value cells in the extract; {} values walked",
        w.records.len(),
        w.context_values,
        ctx_checked,
        attrs,
        nils,
        offsets,
        tables.len(),
        extract_cells,
        walked_cells
    );
    let child_rows: usize = w.records.iter().map(|r| r.rows.len()).sum();
    let nested_rows: usize = w.records.iter().map(|r| r.rows.iter().filter(|x| x.parent_ordinal.is_some()).count()).sum();
    println!("{child_rows} child-table rows walked ({nested_rows} below another repeating element, with a ParentOrdinal); {} inputs", inputs.len());
    if !unrepresentable.is_empty() {
        println!("note: {} invalid lexical values (null in the extract): {unrepresentable:?}", unrepresentable.len());
    }
    if !w.broken.is_empty() {
        println!("note: documents cut short: {:?}", w.broken);
    }
    // Values outside the records: only the Header's / DEMDataSet's custom-element definitions
    // (eCustomConfiguration, dCustomConfiguration) are known to have no place in the layout
    // (reported to the lead); anything else outside a record must be a header-context column.
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    for o in &w.outside {
        let name = o.split_whitespace().nth(1).unwrap_or("?");
        *kinds.entry(name.to_string()).or_default() += 1;
        if !(name.starts_with("eCustomConfiguration.") || name.starts_with("dCustomConfiguration.")) {
            problems.push(format!("value outside the records, not in the extract: {o}"));
        }
    }
    if !w.outside.is_empty() {
        println!("note: {} values outside the records are not in the extract (custom-element definitions), by element: {kinds:?}", w.outside.len());
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
