//! The extract's layout, derived from the schema model (no hand-written column lists).
//!
//! For a dataset's record element (PatientCareReport, DemographicReport, StateDataSet):
//! - the record table has one row per record;
//! - every element below the record that can repeat (`maxOccurs > 1`) roots a table of its
//!   own, with one row per occurrence, keyed by the record key, an ordinal, and the ordinal of
//!   the row in its parent table;
//! - a table's columns are the simple elements below its root reached without crossing
//!   another repeating element, named by the NEMSIS research-dataset convention (element id
//!   with `.` → `_`), typed from the element's XSD type, with companion columns `_NV`, `_PN`,
//!   `_nil` (where the schema allows them), `_offset` for date-times, and `_<Attr>` for every
//!   other attribute; attributes of group elements become `<group>_<Attr>` columns.
//!
//! The records' header context (EMS: each `Header` outside its PatientCareReports, with
//! `DemographicGroup` and `eCustomConfiguration`; DEM: the `DEMDataSet` outside its
//! DemographicReports, with `dCustomConfiguration`) is planned the same way by
//! [`DatasetPlan::header`]: a header table (`header`, `dem_header`) with one row per context,
//! keyed by `HeaderKey`, and a table per repeating element below it
//! (`eCustomConfiguration_CustomGroup`, `dem_dCustomConfiguration_CustomGroup`, ...).

use crate::schema::model::{Builtin, Content, ElemId, Model, Variety};

/// The Arrow type of a value column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColType {
    /// Enumerated codes: dictionary-encoded strings.
    Code,
    Text,
    Int,
    /// Decimal128 with the given precision and scale.
    Decimal(u8, i8),
    Float,
    Date,
    /// UTC timestamp (µs); the original offset goes to a companion `_offset` column.
    DateTime,
    /// Minutes east of UTC of a date-time's original offset.
    OffsetMinutes,
    Bool,
    Key,
}

/// What fills a column from a node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ColSource {
    /// The element's value.
    Value,
    /// The element's date-time offset in minutes.
    Offset,
    /// An attribute of the element (`NV`, `PN`, `CorrelationID`, ...).
    Attr(String),
    /// `xsi:nil="true"` on the element.
    Nil,
}

#[derive(Debug, Clone)]
pub struct ColumnPlan {
    pub name: String,
    pub elem: ElemId,
    pub source: ColSource,
    pub ty: ColType,
}

#[derive(Debug, Clone)]
pub struct TablePlan {
    /// File stem, e.g. `pcr`, `eVitals_VitalGroup`, `dem_report`, `dem_dAgency_AgencyServiceGroup`.
    pub name: String,
    /// The element whose occurrences are the rows.
    pub root: ElemId,
    /// Index of the parent table (None for the record table).
    pub parent: Option<usize>,
    pub columns: Vec<ColumnPlan>,
}

/// The tables of one dataset, and where each element's values go.
#[derive(Debug, Clone)]
pub struct DatasetPlan {
    pub dataset: String,
    /// Name of the key column: `PcrKey`, `DemKey`, `StateKey`, or `HeaderKey` for a header plan.
    pub key: &'static str,
    /// The element whose occurrences are the rows of the first table (the record element, or
    /// the context element for a header plan).
    pub root: ElemId,
    /// An element below `root` whose subtree is left out (a header plan leaves out the records).
    pub skip: Option<ElemId>,
    pub tables: Vec<TablePlan>,
    /// For each element: the table its values go to (None outside `root` and inside `skip`).
    pub table_of: Vec<Option<usize>>,
    /// For each element: indexes into its table's `columns` that it fills.
    pub cols_of: Vec<Vec<usize>>,
}

/// Column name of an element: `eSituation.11` → `eSituation_11`.
pub fn column_name(name: &str) -> String {
    name.replace('.', "_")
}

/// Table-name prefix and key column per dataset.
pub fn dataset_naming(dataset: &str) -> (&'static str, &'static str, &'static str) {
    match dataset {
        "EMSDataSet" => ("", "pcr", "PcrKey"),
        "DEMDataSet" => ("dem_", "dem_report", "DemKey"),
        _ => ("state_", "state_report", "StateKey"),
    }
}

/// Key column of the header tables, and of the record tables' link to them.
pub const HEADER_KEY: &str = "HeaderKey";

/// Header table of a dataset whose records have a header context (None for StateDataSet,
/// whose record is the whole document).
pub fn header_table(dataset: &str) -> Option<&'static str> {
    match dataset {
        "EMSDataSet" => Some("header"),
        "DEMDataSet" => Some("dem_header"),
        _ => None,
    }
}

/// The value column type of a simple type.
pub fn col_type(m: &Model, ty: u32) -> ColType {
    if !m.codes(ty).is_empty() && all_enumerated(m, ty) {
        return ColType::Code;
    }
    match &m.simple_type(ty).variety {
        Variety::Union { .. } => ColType::Text,
        Variety::Atomic { builtin, facets } => match builtin {
            Builtin::String | Builtin::Base64Binary => ColType::Text,
            Builtin::Integer | Builtin::PositiveInteger => ColType::Int,
            Builtin::Date => ColType::Date,
            Builtin::DateTime => ColType::DateTime,
            Builtin::Decimal => {
                let frac = facets.iter().find_map(|f| f.fraction_digits);
                let total = facets.iter().find_map(|f| f.total_digits);
                match frac {
                    Some(s) => ColType::Decimal(total.unwrap_or(18).clamp(s.max(1), 38) as u8, s as i8),
                    None => ColType::Float,
                }
            }
        },
    }
}

fn all_enumerated(m: &Model, ty: u32) -> bool {
    match &m.simple_type(ty).variety {
        Variety::Atomic { facets, .. } => facets.iter().any(|f| !f.enumeration.is_empty()),
        Variety::Union { members } => members.iter().all(|x| all_enumerated(m, *x)),
    }
}

impl DatasetPlan {
    /// Plan the tables of `model`'s dataset whose records are `record_elem`.
    pub fn new(m: &Model, record_elem: ElemId) -> DatasetPlan {
        let (_, record_table, key) = dataset_naming(&m.dataset);
        DatasetPlan::scoped(m, record_elem, None, record_table, key)
    }

    /// Plan the header context of `record_elem`'s records: the record's parent element (EMS
    /// `Header`, DEM `DEMDataSet`) without the records. None when the record is the document
    /// element (StateDataSet).
    pub fn header(m: &Model, record_elem: ElemId) -> Option<DatasetPlan> {
        let ctx = m.element(record_elem).parent?;
        let table = header_table(&m.dataset)?;
        Some(DatasetPlan::scoped(m, ctx, Some(record_elem), table, HEADER_KEY))
    }

    fn scoped(m: &Model, root: ElemId, skip: Option<ElemId>, table: &str, key: &'static str) -> DatasetPlan {
        let (prefix, _, _) = dataset_naming(&m.dataset);
        let n = m.elements.len();
        let mut plan = DatasetPlan { dataset: m.dataset.clone(), key, root, skip, tables: Vec::new(), table_of: vec![None; n], cols_of: vec![Vec::new(); n] };
        plan.tables.push(TablePlan { name: table.to_string(), root, parent: None, columns: Vec::new() });
        plan.walk(m, root, 0, prefix);
        plan
    }

    fn walk(&mut self, m: &Model, elem: ElemId, table: usize, prefix: &str) {
        if Some(elem) == self.skip {
            return;
        }
        let e = m.element(elem);
        let table = if elem != self.root && e.max_occurs != Some(1) {
            self.tables.push(TablePlan { name: format!("{prefix}{}", column_name(&e.name)), root: elem, parent: Some(table), columns: Vec::new() });
            self.tables.len() - 1
        } else {
            table
        };
        self.table_of[elem as usize] = Some(table);
        let col = column_name(&e.name);
        let add = |plan: &mut DatasetPlan, name: String, source: ColSource, ty: ColType| {
            let t = &mut plan.tables[table];
            t.columns.push(ColumnPlan { name, elem, source, ty });
            plan.cols_of[elem as usize].push(t.columns.len() - 1);
        };
        match &e.content {
            Content::Simple { value_type } => {
                let ty = col_type(m, *value_type);
                add(self, col.clone(), ColSource::Value, ty);
                if ty == ColType::DateTime {
                    add(self, format!("{col}_offset"), ColSource::Offset, ColType::OffsetMinutes);
                }
                if e.nillable {
                    add(self, format!("{col}_nil"), ColSource::Nil, ColType::Bool);
                }
                for a in &e.attributes {
                    let ty = if m.codes(a.value_type).is_empty() { ColType::Text } else { ColType::Code };
                    add(self, format!("{col}_{}", a.name), ColSource::Attr(a.name.clone()), ty);
                }
            }
            Content::Sequence { children } => {
                // The record's own UUID is a key column of the record table.
                for a in &e.attributes {
                    if elem == self.root && a.name == "UUID" {
                        continue;
                    }
                    let ty = if m.codes(a.value_type).is_empty() { ColType::Text } else { ColType::Code };
                    add(self, format!("{col}_{}", a.name), ColSource::Attr(a.name.clone()), ty);
                }
                for c in children.clone() {
                    self.walk(m, c, table, prefix);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::builtin::model;

    #[test]
    fn ems_plan_follows_the_schema() {
        let m = model("3.5.1", "EMSDataSet").unwrap();
        let pcr = m.by_path("/EMSDataSet/Header/PatientCareReport").unwrap();
        let p = DatasetPlan::new(m, pcr);
        let t = |name: &str| p.tables.iter().find(|t| t.name == name).unwrap_or_else(|| panic!("no table {name}"));
        let pcr_t = t("pcr");
        let names: Vec<&str> = pcr_t.columns.iter().map(|c| c.name.as_str()).collect();
        assert!(names.contains(&"eSituation_11") && names.contains(&"eSituation_11_NV"), "{names:?}");
        assert!(!names.contains(&"eSituation_12"), "repeating element must not be a pcr column");
        assert!(names.contains(&"eTimes_03") && names.contains(&"eTimes_03_offset"));
        // every repeating element below the PCR has its own table, and nothing else does
        let repeating = m.elements.iter().enumerate().filter(|(i, e)| e.path.starts_with("/EMSDataSet/Header/PatientCareReport/") && e.max_occurs != Some(1) && *i as u32 != pcr).count();
        assert_eq!(p.tables.len(), 1 + repeating);
        let vit = t("eVitals_VitalGroup");
        assert_eq!(p.tables[vit.parent.unwrap()].name, "pcr");
        assert_eq!(t("eVitals_03").parent.map(|i| p.tables[i].name.as_str()), Some("eVitals_VitalGroup"));
        let s12 = t("eSituation_12");
        assert_eq!(s12.columns[0].name, "eSituation_12");
        assert_eq!(s12.columns[0].ty, ColType::Text);
        // column types from the XSD types
        let col = |t: &TablePlan, n: &str| t.columns.iter().find(|c| c.name == n).unwrap().ty;
        assert_eq!(col(pcr_t, "eResponse_05"), ColType::Code);
        assert_eq!(col(vit, "eVitals_10"), ColType::Int);
        assert_eq!(col(pcr_t, "eTimes_03"), ColType::DateTime);
        assert_eq!(col(pcr_t, "ePatient_17"), ColType::Date);
    }

    #[test]
    fn header_plans_hold_the_context_without_the_records() {
        let m = model("3.5.1", "EMSDataSet").unwrap();
        let pcr = m.by_path("/EMSDataSet/Header/PatientCareReport").unwrap();
        let h = DatasetPlan::header(m, pcr).unwrap();
        assert_eq!(h.key, "HeaderKey");
        let names: Vec<&str> = h.tables.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["header", "eCustomConfiguration_CustomGroup", "eCustomConfiguration_06", "eCustomConfiguration_07", "eCustomConfiguration_08"]);
        let cols: Vec<&str> = h.tables[0].columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(cols, ["dAgency_01", "dAgency_02", "dAgency_04"]);
        let g: Vec<&str> = h.tables[1].columns.iter().map(|c| c.name.as_str()).collect();
        assert!(g.contains(&"eCustomConfiguration_CustomGroup_CustomElementID") && g.contains(&"eCustomConfiguration_01_nemsisElement") && g.contains(&"eCustomConfiguration_09"), "{g:?}");
        assert_eq!(h.tables[2].parent, Some(1));
        assert!(h.table_of[pcr as usize].is_none(), "the records are not in the header plan");
        let d = model("3.5.1", "DEMDataSet").unwrap();
        let rep = d.by_path("/DEMDataSet/DemographicReport").unwrap();
        let dh = DatasetPlan::header(d, rep).unwrap();
        assert_eq!(dh.tables[0].name, "dem_header");
        assert_eq!(dh.tables[1].name, "dem_dCustomConfiguration_CustomGroup");
        let s = model("3.5.1", "StateDataSet").unwrap();
        assert!(DatasetPlan::header(s, s.root).is_none());
    }
}
