//! Care given and crew capability (§3.3, §5.2): which procedures and medications count as
//! this unit's care, and what the crew can do.

use super::config::Config;
use super::tables::{self, CARE_LABELS, NON_EMS_ROLES};
use super::view::Pcr;

/// Yes of `YesNoValues` (eProcedures.02/.06/.15, eMedications.02/.13, ePayment.49).
pub const YES: &str = "9923003";
/// No of `YesNoValues`.
pub const NO: &str = "9923001";

/// One `eProcedures.ProcedureGroup` whose `eProcedures.03` is valued without PN.
#[derive(Debug, Clone)]
pub struct Procedure<'a> {
    pub code: &'a str,
    /// R-CNT-1: counts as this unit's care.
    pub counted: bool,
    /// `eProcedures.06` (procedure successful), when valued.
    pub successful: Option<&'a str>,
}

/// One `eMedications.MedicationGroup` whose `eMedications.03` is valued without PN.
#[derive(Debug, Clone)]
pub struct Medication<'a> {
    pub code: &'a str,
    /// `eMedications.04` when valued and not PN (R-VAL-2).
    pub route: Option<&'a str>,
    /// R-CNT-2: counts as this unit's care.
    pub counted: bool,
}

/// R-CREW-1: the crew's capability.
#[derive(Debug, Clone, Default)]
pub struct Crew {
    pub has_als: bool,
    pub bls_only: bool,
    pub unknown: bool,
    pub sct_crew: bool,
}

/// The care and crew facts of one PCR.
#[derive(Debug, Clone, Default)]
pub struct Care<'a> {
    pub procedures: Vec<Procedure<'a>>,
    pub medications: Vec<Medication<'a>>,
    pub crew: Crew,
}

impl<'a> Care<'a> {
    pub fn read(p: &Pcr<'a>, cfg: &Config) -> Care<'a> {
        Care { procedures: procedures(p, cfg), medications: medications(p), crew: crew(p, cfg) }
    }

    pub fn counted_procedures(&self) -> impl Iterator<Item = &Procedure<'a>> + '_ {
        self.procedures.iter().filter(|x| x.counted)
    }

    pub fn counted_medications(&self) -> impl Iterator<Item = &Medication<'a>> + '_ {
        self.medications.iter().filter(|x| x.counted)
    }

    /// The first counted procedure whose code is in `codes`.
    pub fn counted_procedure_in<'s>(&'s self, codes: &'s [&str]) -> Option<&'s Procedure<'a>> {
        self.counted_procedures().find(|x| codes.contains(&x.code))
    }
}

/// R-CNT-1: read every procedure group; `counted` says whether it is this unit's care.
/// 1. `eProcedures.03` valued without PN (otherwise the group is not listed at all);
/// 2. `eProcedures.02` (prior to this unit's care) is not Yes;
/// 3. `eProcedures.15` (by another unit) is not Yes;
/// 4. `eProcedures.10` is not a non-EMS role;
/// 5. with `count_unsuccessful_procedures = false`, `eProcedures.06` is not No.
fn procedures<'a>(p: &Pcr<'a>, cfg: &Config) -> Vec<Procedure<'a>> {
    let mut out = Vec::new();
    for g in p.nodes("eProcedures.ProcedureGroup") {
        let Some(c) = p.child(g, "eProcedures.03") else { continue };
        if p.is_pn(c) {
            continue;
        }
        let Some(code) = p.node_value(c) else { continue };
        let successful = p.child_value(g, "eProcedures.06");
        let counted = p.child_value(g, "eProcedures.02") != Some(YES)
            && p.child_value(g, "eProcedures.15") != Some(YES)
            && !p.child_value(g, "eProcedures.10").is_some_and(|r| NON_EMS_ROLES.contains(&r))
            && (cfg.count_unsuccessful_procedures || successful != Some(NO));
        out.push(Procedure { code, counted, successful });
    }
    out
}

/// R-CNT-2: read every medication group; `counted` when `eMedications.03` is valued without
/// PN, `eMedications.02` and `eMedications.13` are not Yes and `eMedications.10` is not a
/// non-EMS role. The route is `eMedications.04` when valued (a PN route is not valued).
fn medications<'a>(p: &Pcr<'a>) -> Vec<Medication<'a>> {
    let mut out = Vec::new();
    for g in p.nodes("eMedications.MedicationGroup") {
        let Some(c) = p.child(g, "eMedications.03") else { continue };
        if p.is_pn(c) {
            continue;
        }
        let Some(code) = p.node_value(c) else { continue };
        let route = p.child_value(g, "eMedications.04");
        let counted = p.child_value(g, "eMedications.02") != Some(YES)
            && p.child_value(g, "eMedications.13") != Some(YES)
            && !p.child_value(g, "eMedications.10").is_some_and(|r| NON_EMS_ROLES.contains(&r));
        out.push(Medication { code, route, counted });
    }
    out
}

/// R-CREW-1: crew levels from `eCrew.02`; `sct_crew` also from `ePayment.42`.
fn crew(p: &Pcr, cfg: &Config) -> Crew {
    let levels: Vec<&str> = p.values("eCrew.02").collect();
    let has_als = levels.iter().any(|l| cfg.als_crew_levels.contains(*l));
    let sct_crew = levels.iter().any(|l| cfg.sct_crew_levels.contains(*l)) || p.values("ePayment.42").any(|c| cfg.sct_provider_codes.contains(c));
    Crew { unknown: levels.is_empty(), bls_only: !levels.is_empty() && !has_als, has_als, sct_crew }
}

/// `code (short name)` of a procedure or medication code from the specification's tables.
pub fn care_label(code: &str) -> String {
    match tables::lookup(CARE_LABELS, code) {
        Some(l) => format!("{code} ({l})"),
        None => code.to_string(),
    }
}

/// A procedure for messages: `eProcedures.03 = 232674004 (orotracheal intubation)`.
pub fn show_procedure(x: &Procedure) -> String {
    format!("eProcedures.03 = {}", care_label(x.code))
}

/// A medication for messages, with its route.
pub fn show_medication(p: &Pcr, x: &Medication) -> String {
    match x.route {
        Some(r) => format!("eMedications.03 = {} by {}", care_label(x.code), p.show("eMedications.04", r)),
        None => format!("eMedications.03 = {} (route not valued)", care_label(x.code)),
    }
}
