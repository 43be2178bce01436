//! `claims` and `claim_lines`: the ambulance coding of each EMS PCR (see `src/coding`).
//! `claims` has one row per coded PCR; `claim_lines` one row per billable line (the base
//! code, then mileage lines, then supplies), with its modifiers and units.

use super::plan::ColType;
use super::table::{Cell, Format, Table};
use crate::coding::CodingResult;
use crate::record::Record;
use crate::schema::model::Model;
use anyhow::Result;
use std::path::Path;

pub struct Claims {
    claims: Table,
    lines: Table,
}

fn cols(names: &[(&str, ColType)]) -> Vec<(String, ColType)> {
    names.iter().map(|(n, t)| (n.to_string(), *t)).collect()
}

fn opt(s: &str) -> Cell<'_> {
    if s.is_empty() { Cell::Null } else { Cell::Str(s) }
}

impl Claims {
    pub fn create(dir: &Path, format: Format) -> Result<Claims> {
        let claims = Table::create(
            dir,
            "claims",
            &cols(&[
                ("PcrKey", ColType::Key),
                ("pcr_uuid", ColType::Text),
                ("level", ColType::Code),
                ("emergency", ColType::Bool),
                ("hcpcs_base", ColType::Code),
                ("base_modifiers", ColType::Text),
                ("mileage_code", ColType::Code),
                ("mileage_units", ColType::Text),
                ("icd10", ColType::Text),
                ("supply_codes", ColType::Text),
                ("claimed_level_code", ColType::Code),
                ("claimed_level", ColType::Code),
                ("findings", ColType::Text),
            ]),
            format,
        )?;
        let lines = Table::create(dir, "claim_lines", &cols(&[("PcrKey", ColType::Key), ("line", ColType::Key), ("hcpcs", ColType::Code), ("modifiers", ColType::Text), ("units", ColType::Text)]), format)?;
        Ok(Claims { claims, lines })
    }

    /// Add one PCR's coding. `tree` is the PCR (for the crew-claimed level ePayment.50).
    pub fn add(&mut self, key: i64, c: &CodingResult, model: &Model, tree: &Record) -> Result<()> {
        let claimed = model.find("ePayment.50").and_then(|e| tree.nodes.iter().position(|n| n.elem == e && !n.nil)).map(|n| tree.value(n as u32).trim().to_string());
        let claimed_label = claimed.as_deref().and_then(|code| model.find("ePayment.50").and_then(|e| model.code_label(e, code)));
        let base_mods = c.base_modifiers.join(",");
        let icd = c.icd10.join(",");
        let supplies = c.supply_codes.join(",");
        let findings = c.findings.iter().map(|f| f.code.as_str()).collect::<Vec<_>>().join(",");
        let first_mileage = c.mileage.first();
        let claimed_s = claimed.as_deref();
        self.claims.push(&[
            Cell::Int(key),
            opt(&c.uuid),
            Cell::Str(c.level.as_str()),
            Cell::Bool(c.emergency),
            c.hcpcs_base.as_deref().map_or(Cell::Null, Cell::Str),
            opt(&base_mods),
            first_mileage.map_or(Cell::Null, |m| Cell::Str(&m.code)),
            first_mileage.map_or(Cell::Null, |m| Cell::Str(&m.units)),
            opt(&icd),
            opt(&supplies),
            claimed_s.map_or(Cell::Null, Cell::Str),
            claimed_label.map_or(Cell::Null, Cell::Str),
            opt(&findings),
        ])?;
        let mut line = 0i64;
        if let Some(base) = &c.hcpcs_base {
            line += 1;
            self.lines.push(&[Cell::Int(key), Cell::Int(line), Cell::Str(base), opt(&base_mods), Cell::Str("1")])?;
        }
        for m in &c.mileage {
            line += 1;
            let mods = m.modifiers.join(",");
            self.lines.push(&[Cell::Int(key), Cell::Int(line), Cell::Str(&m.code), opt(&mods), Cell::Str(&m.units)])?;
        }
        for s in &c.supply_codes {
            line += 1;
            self.lines.push(&[Cell::Int(key), Cell::Int(line), Cell::Str(s), Cell::Null, Cell::Str("1")])?;
        }
        Ok(())
    }

    /// Both tables (for [`super::table::bound_buffered`]).
    pub fn tables_mut(&mut self) -> [&mut Table; 2] {
        [&mut self.claims, &mut self.lines]
    }

    pub fn finish(self) -> Result<Vec<(String, u64)>> {
        Ok(vec![("claims".into(), self.claims.finish()?), ("claim_lines".into(), self.lines.finish()?)])
    }
}
