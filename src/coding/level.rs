//! Emergency status and the ground level of service (§5.1–§5.6).

use super::care::{self, Care, YES};
use super::config::Config;
use super::findings::{FindingCode as F, Findings};
use super::tables;
use super::view::Pcr;
use super::Level;

/// R-EMER-1: `eResponse.23 ∈ emergency_response_modes`.
pub fn emergency(p: &Pcr, cfg: &Config) -> bool {
    p.value("eResponse.23").is_some_and(|v| cfg.emergency_response_modes.contains(v))
}

/// R-EMER-2 (billable PCRs): `ePayment.40` Immediate must agree with `emergency`.
pub fn urgency_conflict(p: &Pcr, emergency: bool, f: &mut Findings) {
    let Some(u) = p.value("ePayment.40") else { return };
    if (u == "2640001") != emergency {
        let em = if emergency { "an emergency response" } else { "a non-emergency response" };
        f.add(F::ResponseUrgencyConflict, format!("{} but {} makes this {em}; eResponse.23 decides", p.show("ePayment.40", u), p.show_value("eResponse.23")));
    }
}

/// One piece of evidence for messages: a counted procedure or medication. It is only
/// rendered ([`Evidence::show`]) when a finding is emitted.
#[derive(Debug, Clone, Copy)]
pub enum Evidence<'c, 'a> {
    Procedure(&'c care::Procedure<'a>),
    Medication(&'c care::Medication<'a>),
}

impl Evidence<'_, '_> {
    /// `eProcedures.03 = …` / `eMedications.03 = … by …`.
    pub fn show(&self, p: &Pcr) -> String {
        match self {
            Evidence::Procedure(x) => care::show_procedure(x),
            Evidence::Medication(m) => care::show_medication(p, m),
        }
    }
}

/// The ground-level facts of one PCR, with the evidence for messages.
#[derive(Debug, Default)]
pub struct GroundFacts<'c, 'a> {
    /// R-ALS-1: evidence of ALS interventions (empty = none).
    pub als_intervention: Vec<Evidence<'c, 'a>>,
    /// R-ALS-2.
    pub als_assessment: bool,
    /// R-ALS2-1: `als2_med_count`.
    pub als2_med_count: usize,
    /// R-ALS2-2.
    pub als2: bool,
    /// R-SCT-1.
    pub interfacility: bool,
    /// R-SCT-2: evidence of care beyond paramedic scope (empty = none).
    pub sct_care: Vec<Evidence<'c, 'a>>,
}

/// R-ALS-1: counted procedures in `als_procedures ∪ als2_procedures`, and counted medications
/// that are not BLS-permitted (a key of `bls_medications` whose routes contain `*`, or whose
/// route is not valued, or whose route is allowed).
fn als_intervention<'c, 'a>(care: &'c Care<'a>, cfg: &Config) -> Vec<Evidence<'c, 'a>> {
    let mut ev: Vec<Evidence> = care
        .counted_procedures()
        .filter(|x| cfg.als_procedures.contains(x.code) || cfg.als2_procedures.contains(x.code))
        .map(Evidence::Procedure)
        .collect();
    for m in care.counted_medications() {
        let bls_permitted = cfg.bls_medications.get(m.code).is_some_and(|routes| routes.contains("*") || m.route.is_none_or(|r| routes.contains(r)));
        if !bls_permitted {
            ev.push(Evidence::Medication(m));
        }
    }
    ev
}

/// R-ALS-2: emergency, ALS crew, and `ePayment.49` (ALS assessment performed and warranted) Yes.
fn als_assessment(p: &Pcr, care: &Care, emergency: bool) -> bool {
    emergency && care.crew.has_als && p.is("ePayment.49", YES)
}

/// R-ALS2-1: counted medications by an `als2_routes` route that are not excluded solutions
/// (each administration counts).
fn als2_med_count(care: &Care, cfg: &Config) -> usize {
    care.counted_medications().filter(|m| m.route.is_some_and(|r| cfg.als2_routes.contains(r)) && !cfg.als2_excluded_medications.contains(m.code)).count()
}

/// R-SCT-1: `eResponse.05` is an interfacility category.
fn interfacility(p: &Pcr) -> bool {
    p.value("eResponse.05").is_some_and(|v| tables::INTERFACILITY.contains(&v))
}

/// R-SCT-2: a counted procedure in `sct_procedures`, or a counted medication in
/// `sct_medications` by an `als2_routes` route.
fn sct_care<'c, 'a>(care: &'c Care<'a>, cfg: &Config) -> Vec<Evidence<'c, 'a>> {
    let mut ev: Vec<Evidence> = care.counted_procedures().filter(|x| cfg.sct_procedures.contains(x.code)).map(Evidence::Procedure).collect();
    ev.extend(
        care.counted_medications()
            .filter(|m| cfg.sct_medications.contains(m.code) && m.route.is_some_and(|r| cfg.als2_routes.contains(r)))
            .map(Evidence::Medication),
    );
    ev
}

/// The facts R-LVL-1 decides on (R-ALS-1, R-ALS-2, R-ALS2-1, R-ALS2-2, R-SCT-1, R-SCT-2).
pub fn ground_facts<'c, 'a>(p: &Pcr, care: &'c Care<'a>, cfg: &Config, emergency: bool) -> GroundFacts<'c, 'a> {
    let als2_med_count = als2_med_count(care, cfg);
    // R-ALS2-2: three or more ALS2 medications, or an ALS2 procedure.
    let als2_procedure = care.counted_procedures().any(|x| cfg.als2_procedures.contains(x.code));
    GroundFacts {
        als_intervention: als_intervention(care, cfg),
        als_assessment: als_assessment(p, care, emergency),
        als2: als2_med_count >= 3 || als2_procedure,
        als2_med_count,
        interfacility: interfacility(p),
        sct_care: sct_care(care, cfg),
    }
}

/// R-LVL-1: the ground level (transported ground PCRs).
pub fn ground_level(g: &GroundFacts, care: &Care) -> Level {
    let capped = care.crew.bls_only;
    if g.interfacility && !g.sct_care.is_empty() && care.crew.sct_crew && !capped {
        Level::Sct
    } else if g.als2 && !capped {
        Level::Als2
    } else if (!g.als_intervention.is_empty() || g.als_assessment) && !capped {
        Level::Als1
    } else {
        Level::Bls
    }
}

/// R-LVL-2: the base code of a ground level.
pub fn ground_code(level: Level, emergency: bool) -> &'static str {
    match (level, emergency) {
        (Level::Bls, true) => "A0429",
        (Level::Bls, false) => "A0428",
        (Level::Als1, true) => "A0427",
        (Level::Als1, false) => "A0426",
        (Level::Als2, _) => "A0433",
        _ => "A0434",
    }
}

/// R-LVL-3 (transported ground PCRs): crew and unit findings.
pub fn crew_findings(p: &Pcr, g: &GroundFacts, care: &Care, level: Level, f: &mut Findings) {
    let show = |ev: &[Evidence]| -> Vec<String> { ev.iter().map(|e| e.show(p)).collect() };
    if care.crew.bls_only && (!g.als_intervention.is_empty() || g.als2 || !g.sct_care.is_empty()) {
        let crew = p.show_values("eCrew.02");
        let mut ev = show(&g.als_intervention);
        let sct = show(&g.sct_care);
        ev.extend(sct.into_iter().filter(|e| !ev.contains(e)).collect::<Vec<_>>());
        if g.als2 {
            ev.push(format!("ALS2 criteria met, {} IV/IO medication administration(s)", g.als2_med_count));
        }
        f.add(
            F::CrewLevelBelowCareProvided,
            format!("{crew} has no ALS level, but ALS care was documented ({}); a BLS crew cannot be billed at ALS, so the level is capped at BLS", ev.join("; ")),
        );
    }
    if care.crew.unknown {
        f.add(F::CrewLevelNotDocumented, "no eCrew.02 (Crew Member Level) is valued: the crew's capability is unknown (the level is not capped)");
    }
    if g.interfacility && !g.sct_care.is_empty() && !care.crew.sct_crew {
        f.add(
            F::SctCrewNotDocumented,
            format!(
                "interfacility transport ({}) with care beyond paramedic scope ({}), but no specialty-care clinician in {} or {}; not coded as SCT",
                p.show_value("eResponse.05"),
                show(&g.sct_care).join("; "),
                p.show_values("eCrew.02"),
                p.show_values("ePayment.42")
            ),
        );
    }
    if matches!(level, Level::Als1 | Level::Als2 | Level::Sct) && p.value("eResponse.07").is_some_and(|u| tables::BLS_OR_NON_EQUIPPED_UNITS.contains(&u)) {
        f.add(F::UnitCapabilityBelowLevel, format!("derived level {} but {} is not equipped for it", level.as_str(), p.show_value("eResponse.07")));
    }
}
