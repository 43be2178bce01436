//! Record trees → table rows: the hot path of the extract.
//!
//! The plan ([`super::plan`]) says, per layout element, which table and columns its values
//! fill. For speed that is flattened here, once per source model, into one [`Slot`] per source
//! element (its table, whether it roots a row, and the range of columns it fills: an
//! element's columns are consecutive), and per table into one [`Fill`] per column. A record is
//! then written in two steps over reused buffers: one walk over its nodes records a [`Span`]
//! (row, node, columns) per node that fills columns, and the spans, grouped by row with a
//! counting sort, go straight into the column builders. Only cells that hold a value are
//! appended; the table pads the rest with nulls lazily.
//!
//! An element that occurs more often in one row than the schema allows (an XSD-invalid
//! record, or a 3.5.0 repetition the 3.5.1 layout does not have) fills its columns from its
//! last occurrence, all of them (a column the last occurrence leaves empty stays null), as if
//! each occurrence were assigned in turn: a row's spans are applied last first, and a span
//! whose element was already applied in that row is skipped.

use super::convert;
use super::plan::{ColSource, ColType, DatasetPlan};
use super::table::{Cell, Table};
use crate::record::Record;
use crate::schema::model::ElemId;
use anyhow::Result;

const NO_TABLE: u16 = u16::MAX;
const NO_ROW: u32 = u32::MAX;

/// Where one source element's values go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Slot {
    /// First column it fills (counting the table's leading columns).
    col0: u32,
    table: u16,
    /// Number of consecutive columns it fills.
    ncols: u8,
    /// Each occurrence starts a row of `table` (a repeating element below the first table).
    root: bool,
}

impl Slot {
    const NONE: Slot = Slot { col0: 0, table: NO_TABLE, ncols: 0, root: false };
}

/// What fills a column from its element's node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fill {
    /// A leading column (keys, provenance), given by the caller.
    Lead,
    /// The node's text (typed by the column).
    Text,
    /// A date-time element's value, as a UTC instant.
    Moment,
    /// The offset of a date-time element's value (the column after its [`Fill::Moment`]).
    Offset,
    /// `true` when the node is `xsi:nil`.
    Nil,
    /// The attribute with this index in [`Layout::attr_names`].
    Attr(u32),
}

/// The plan flattened for writing rows.
pub(super) struct Layout {
    /// Per table, per column: what fills it.
    fills: Vec<Vec<Fill>>,
    attr_names: Vec<String>,
    /// Per table: its parent table (the first table's is itself).
    parents: Vec<u16>,
    /// Per source model version: a slot per source element.
    slots: Vec<(String, Vec<Slot>)>,
    scratch: Scratch,
}

/// Per-record buffers, kept between records.
#[derive(Default)]
struct Scratch {
    spans: Vec<Span>,
    grouped: Vec<Span>,
    rows: Vec<RowInfo>,
    /// Per row: where its spans end in `grouped` (after the counting sort).
    ends: Vec<u32>,
    /// Per table: the row open in this record (index into `rows`), or NO_ROW.
    open: Vec<u32>,
    /// Per table: rows written by this record so far (the next ordinal).
    count: Vec<i64>,
}

#[derive(Debug, Clone, Copy, Default)]
struct Span {
    row: u32,
    node: u32,
    col0: u32,
    ncols: u32,
}

#[derive(Debug, Clone, Copy)]
struct RowInfo {
    table: u16,
    ordinal: i64,
    parent_ordinal: Option<i64>,
}

impl Layout {
    /// Flatten `plan`, whose tables have `extras[t]` leading columns.
    pub(super) fn new(plan: &DatasetPlan, extras: &[usize]) -> Layout {
        let mut attr_names: Vec<String> = Vec::new();
        let mut fills = Vec::new();
        for (t, tp) in plan.tables.iter().enumerate() {
            let mut f = vec![Fill::Lead; extras[t]];
            for c in &tp.columns {
                f.push(match &c.source {
                    ColSource::Value if c.ty == ColType::DateTime => Fill::Moment,
                    ColSource::Value => Fill::Text,
                    ColSource::Offset => Fill::Offset,
                    ColSource::Nil => Fill::Nil,
                    ColSource::Attr(a) => {
                        let i = attr_names.iter().position(|n| n == a).unwrap_or_else(|| {
                            attr_names.push(a.clone());
                            attr_names.len() - 1
                        });
                        Fill::Attr(i as u32)
                    }
                });
            }
            fills.push(f);
        }
        let parents = plan.tables.iter().map(|t| t.parent.unwrap_or(0) as u16).collect();
        assert!(plan.tables.len() < NO_TABLE as usize, "too many tables");
        Layout { fills, attr_names, parents, slots: Vec::new(), scratch: Scratch::default() }
    }

    /// The slots of a source model `version` whose elements map to the layout's by `map`.
    fn slots_index(&mut self, plan: &DatasetPlan, extras: &[usize], version: &str, map: &[Option<ElemId>]) -> usize {
        if let Some(i) = self.slots.iter().position(|(v, _)| v == version) {
            return i;
        }
        let slots = map
            .iter()
            .map(|m| {
                let Some(e) = *m else { return Slot::NONE };
                let Some(t) = plan.table_of[e as usize] else { return Slot::NONE };
                let cols = &plan.cols_of[e as usize];
                assert!(cols.windows(2).all(|w| w[1] == w[0] + 1), "an element's columns are consecutive");
                assert!(cols.len() <= u8::MAX as usize);
                Slot { col0: (extras[t] + cols.first().copied().unwrap_or(0)) as u32, table: t as u16, ncols: cols.len() as u8, root: t != 0 && plan.tables[t].root == e }
            })
            .collect();
        self.slots.push((version.to_string(), slots));
        self.slots.len() - 1
    }

    /// Write the rows of one tree: the row of the first table, whose leading cells are `lead`,
    /// and a row per occurrence of a repeating element, keyed by `key`, its ordinal and its
    /// parent row's ordinal.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn write(&mut self, plan: &DatasetPlan, extras: &[usize], tables: &mut [Table], tree: &Record, version: &str, map: &[Option<ElemId>], key: i64, lead: &[Cell]) -> Result<()> {
        let si = self.slots_index(plan, extras, version, map);
        let Layout { fills, attr_names, parents, slots, scratch: s } = self;
        let slots = &slots[si].1;
        let ntables = tables.len();
        s.spans.clear();
        s.rows.clear();
        s.open.clear();
        s.open.resize(ntables, NO_ROW);
        s.count.clear();
        s.count.resize(ntables, 0);
        s.rows.push(RowInfo { table: 0, ordinal: 0, parent_ordinal: None });
        s.open[0] = 0;
        for (i, node) in tree.nodes.iter().enumerate() {
            let slot = slots[node.elem as usize];
            if slot.table == NO_TABLE {
                continue;
            }
            let t = slot.table as usize;
            if slot.root {
                let parent = parents[t] as usize;
                let parent_ordinal = match s.open[parent] {
                    _ if parent == 0 => None,
                    NO_ROW => None,
                    r => Some(s.rows[r as usize].ordinal),
                };
                s.count[t] += 1;
                s.open[t] = s.rows.len() as u32;
                s.rows.push(RowInfo { table: slot.table, ordinal: s.count[t], parent_ordinal });
            }
            let row = s.open[t];
            if slot.ncols > 0 && row != NO_ROW {
                s.spans.push(Span { row, node: i as u32, col0: slot.col0, ncols: slot.ncols as u32 });
            }
        }
        // Group the spans by row, keeping node order within a row (a counting sort).
        let nrows = s.rows.len();
        s.ends.clear();
        s.ends.resize(nrows, 0);
        for sp in &s.spans {
            s.ends[sp.row as usize] += 1;
        }
        let mut at = 0;
        for e in s.ends.iter_mut() {
            let n = *e;
            *e = at;
            at += n;
        }
        s.grouped.clear();
        s.grouped.resize(s.spans.len(), Span::default());
        for sp in &s.spans {
            let e = &mut s.ends[sp.row as usize];
            s.grouped[*e as usize] = *sp;
            *e += 1;
        }
        let mut start = 0;
        for (r, info) in s.rows.iter().enumerate() {
            let end = s.ends[r] as usize;
            let t = info.table as usize;
            let table = &mut tables[t];
            if r == 0 {
                for (c, &cell) in lead.iter().enumerate() {
                    table.set(c, cell);
                }
            } else {
                table.set(0, Cell::Int(key));
                table.set(1, Cell::Int(info.ordinal));
                table.set(2, info.parent_ordinal.map_or(Cell::Null, Cell::Int));
            }
            let fills = &fills[t];
            for sp in s.grouped[start..end].iter().rev() {
                if !table.claim(sp.col0 as usize) {
                    continue; // a later occurrence of the element already filled this row
                }
                let node = tree.node(sp.node);
                let has_attrs = node.attrs.0 != node.attrs.1;
                let first = sp.col0 as usize;
                // a date-time is parsed once, for its value and its offset column
                let mut moment = None;
                for (c, fill) in fills[first..first + sp.ncols as usize].iter().enumerate() {
                    let cell = match *fill {
                        Fill::Text if !node.nil => Cell::Str(tree.value(sp.node)),
                        Fill::Moment | Fill::Offset if !node.nil => match (*fill, *moment.get_or_insert_with(|| convert::datetime(tree.value(sp.node)))) {
                            (Fill::Moment, Some((us, _))) => Cell::Int(us),
                            (Fill::Offset, Some((_, Some(minutes)))) => Cell::Int(minutes as i64),
                            _ => continue,
                        },
                        Fill::Nil if node.nil => Cell::Bool(true),
                        Fill::Attr(a) if has_attrs => tree.attr(sp.node, &attr_names[a as usize]).map_or(Cell::Null, Cell::Str),
                        _ => continue,
                    };
                    table.set(first + c, cell);
                }
            }
            table.end_row()?;
            start = end;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::extract::plan::ColType;
    use crate::extract::table::Format;
    use crate::record::Builder;
    use crate::schema::builtin::model;

    /// Write one tree with `Layout::write` into CSV tables; returns each table's rows as
    /// (column name → value) maps.
    fn write(tree: &Record) -> Vec<Vec<std::collections::BTreeMap<String, String>>> {
        let m = model("3.5.1", "EMSDataSet").unwrap();
        let plan = DatasetPlan::new(m, m.by_path("/EMSDataSet/Header/PatientCareReport").unwrap());
        let dir = tempfile::tempdir().unwrap();
        let mut extras = Vec::new();
        let mut tables = Vec::new();
        for (i, t) in plan.tables.iter().enumerate() {
            let mut cols: Vec<(String, ColType)> = if i == 0 { vec![("PcrKey".into(), ColType::Key)] } else { ["PcrKey", "Ordinal", "ParentOrdinal"].iter().map(|n| (n.to_string(), ColType::Int)).collect() };
            extras.push(cols.len());
            cols.extend(t.columns.iter().map(|c| (c.name.clone(), c.ty)));
            tables.push(Table::create(dir.path(), &t.name, &cols, Format::Csv).unwrap());
        }
        let map: Vec<Option<ElemId>> = (0..m.elements.len() as ElemId).map(Some).collect();
        let mut layout = Layout::new(&plan, &extras);
        layout.write(&plan, &extras, &mut tables, tree, "3.5.1", &map, 7, &[Cell::Int(7)]).unwrap();
        let names: Vec<String> = tables.iter().map(|t| t.name.clone()).collect();
        for t in tables {
            t.finish().unwrap();
        }
        names
            .iter()
            .map(|n| {
                let text = std::fs::read_to_string(dir.path().join(format!("{n}.csv"))).unwrap();
                let mut lines = text.lines();
                let header: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
                lines.map(|l| header.iter().cloned().zip(l.split(',').map(String::from)).filter(|(_, v)| !v.is_empty()).collect()).collect()
            })
            .collect()
    }

    #[test]
    fn rows_follow_the_plan_and_the_last_occurrence_of_an_element_wins() {
        let m = model("3.5.1", "EMSDataSet").unwrap();
        let e = |p: &str| m.by_path(&format!("/EMSDataSet/Header/PatientCareReport{p}")).unwrap_or_else(|| panic!("{p}"));
        let mut b = Builder::new();
        b.open(e(""), 1, 1);
        b.open(e("/eSituation"), 2, 1);
        // eSituation.11 twice (XSD-invalid): a Not Value first, then a value without NV
        b.open(e("/eSituation/eSituation.11"), 3, 1);
        b.attr("NV", "7701003");
        b.set_nil();
        b.close();
        b.open(e("/eSituation/eSituation.11"), 4, 1);
        b.text("I10");
        b.close();
        b.close();
        b.open(e("/eVitals"), 5, 1);
        for (line, hr) in [(6, "80"), (8, "90")] {
            b.open(e("/eVitals/eVitals.VitalGroup"), line, 1);
            b.open(e("/eVitals/eVitals.VitalGroup/eVitals.HeartRateGroup"), line + 1, 1);
            b.open(e("/eVitals/eVitals.VitalGroup/eVitals.HeartRateGroup/eVitals.10"), line + 1, 1);
            b.text(hr);
            b.close();
            b.close();
            b.close();
        }
        b.close();
        b.close();
        let tables = write(&b.finish());
        let plan = DatasetPlan::new(m, e(""));
        let table = |name: &str| &tables[plan.tables.iter().position(|t| t.name == name).unwrap()];
        let pcr = table("pcr");
        assert_eq!(pcr.len(), 1);
        assert_eq!(pcr[0].get("PcrKey").map(String::as_str), Some("7"));
        assert_eq!(pcr[0].get("eSituation_11").map(String::as_str), Some("I10"));
        assert_eq!(pcr[0].get("eSituation_11_NV"), None, "the last occurrence had no NV");
        assert_eq!(pcr[0].get("eSituation_11_nil"), None);
        let vitals = table("eVitals_VitalGroup");
        let got: Vec<(&str, &str, &str)> = vitals.iter().map(|r| (r["PcrKey"].as_str(), r["Ordinal"].as_str(), r["eVitals_10"].as_str())).collect();
        assert_eq!(got, [("7", "1", "80"), ("7", "2", "90")]);
        assert!(vitals.iter().all(|r| !r.contains_key("ParentOrdinal")), "children of the record row have no parent ordinal");
        // and no other table got rows
        let others: usize = plan.tables.iter().zip(&tables).filter(|(t, _)| t.name != "pcr" && t.name != "eVitals_VitalGroup").map(|(_, r)| r.len()).sum();
        assert_eq!(others, 0);
    }
}
