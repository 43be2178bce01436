//! Ambulance coding: from one NEMSIS 3.5.1 `PatientCareReport` to what a Medicare-style
//! ambulance claim would carry — the level of service and its base HCPCS code, emergency
//! status, loaded mileage lines, modifiers, supply codes, the ICD-10-CM list — and compliance
//! findings for a coder to review.
//!
//! The normative specification is `shared/docs/ambulance-coding.md`; every rule function here
//! carries its `R-…` id. Coding is pure and deterministic: the same PCR and [`Config`] always
//! give the same [`CodingResult`], and it never panics on any tree (an element it needs but
//! cannot find is "not valued", §3.2).
//!
//! Public API:
//! - [`Config`]: the jurisdiction knobs of §3.4 ([`Config::default`] = the specification's
//!   defaults; [`Config::from_toml_str`] / [`Config::from_file`] override keys from TOML);
//! - [`code_pcr`]: code one PCR tree; [`code_record`]: the same for a pipeline record;
//! - [`CodingResult`], [`MileageLine`], [`CodingFinding`], [`FindingCode`], [`Severity`],
//!   [`Level`]: the output record, serialized exactly in the §2 shape.
//!
//! Layout (one file per specification area): `view` and `parse` read values (§3.1–§3.2),
//! `care` counts care and crew (§3.3, §5.2), `service` classifies (§4), `level` derives the
//! ground level (§5), `mileage` (§6), `modifiers` (§7), `supplies` (§8), `diagnoses` (§9),
//! `claim` (§10), `necessity` (§11.1–§11.3), `documentation` (§11.4–§11.5), `narrative`
//! (§11.6), `findings` (§13), `tables` (§14), `config` (§3.4); `text` renders the readable
//! claim summary of `nemsis code`.

mod care;
mod claim;
pub mod config;
mod diagnoses;
mod documentation;
pub mod findings;
mod level;
mod mileage;
mod modifiers;
mod narrative;
mod necessity;
mod parse;
mod service;
mod supplies;
pub mod tables;
pub mod text;
mod view;

pub use config::{Config, DestinationEntry, ProviderArrangement};
pub use findings::{CodingFinding, FindingCode, Severity};

use crate::record::Record;
use crate::schema::model::Model;
use findings::Findings;
use modifiers::Mods;
use serde::{Deserialize, Serialize};
use service::{Mode, Outcome};
use view::Pcr;

/// The derived service level (§2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Level {
    #[serde(rename = "BLS")]
    Bls,
    #[serde(rename = "ALS1")]
    Als1,
    #[serde(rename = "ALS2")]
    Als2,
    #[serde(rename = "SCT")]
    Sct,
    /// Fixed-wing air.
    #[serde(rename = "FW")]
    Fw,
    /// Rotary-wing air.
    #[serde(rename = "RW")]
    Rw,
    /// Response and treatment without transport (A0998).
    #[serde(rename = "TREAT_NO_TRANSPORT")]
    TreatNoTransport,
    /// No billable ambulance service.
    #[serde(rename = "NONE")]
    None,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Bls => "BLS",
            Level::Als1 => "ALS1",
            Level::Als2 => "ALS2",
            Level::Sct => "SCT",
            Level::Fw => "FW",
            Level::Rw => "RW",
            Level::TreatNoTransport => "TREAT_NO_TRANSPORT",
            Level::None => "NONE",
        }
    }
}

/// One mileage line (§2): `A0425`/`A0435`/`A0436`, or `A0888` for the non-covered excess.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MileageLine {
    pub code: String,
    /// R-MILE-4 units string (`"4.1"`, `"128"`), never a float.
    pub units: String,
    pub modifiers: Vec<String>,
    /// The exact distance of the line in hundredths of a mile (not part of the JSON shape).
    #[serde(skip)]
    pub hundredths: i64,
}

/// The coding result of one PCR, serialized exactly in the §2 shape.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CodingResult {
    /// The PCR's `UUID` attribute ("" if it has none).
    pub uuid: String,
    pub level: Level,
    /// R-EMER-1.
    pub emergency: bool,
    /// The base-rate HCPCS code; None when `level` is NONE.
    pub hcpcs_base: Option<String>,
    /// R-MOD-8 order.
    pub base_modifiers: Vec<String>,
    /// Zero, one or two lines (the mileage code, then A0888).
    pub mileage: Vec<MileageLine>,
    /// Unique, ascending.
    pub supply_codes: Vec<String>,
    /// §9 order.
    pub icd10: Vec<String>,
    /// A set (each code at most once); in evaluation order.
    pub findings: Vec<CodingFinding>,
}

impl CodingResult {
    /// The finding with this code, if emitted.
    pub fn finding(&self, code: FindingCode) -> Option<&CodingFinding> {
        self.findings.iter().find(|f| f.code == code)
    }
    /// Whether a finding with this code was emitted.
    pub fn has(&self, code: FindingCode) -> bool {
        self.finding(code).is_some()
    }
}

/// Code one PatientCareReport (§12 order of evaluation). `header` is the PCR's Header context
/// (the specification reads nothing from it today); `pcr` is the record tree whose node 0 is
/// the PatientCareReport. Pure, deterministic, never panics.
pub fn code_pcr(model: &Model, header: &Record, pcr: &Record, cfg: &Config) -> CodingResult {
    let _ = header;
    let p = Pcr::new(model, pcr);
    let mut f = Findings::default();
    let care = care::Care::read(&p, cfg);

    // 1. R-SVC-1/2 → level family; 2. R-EMER-1 → emergency.
    let outcome = service::classify(&p, &mut f);
    let emergency = level::emergency(&p, cfg);

    // 3./4. Level and base code.
    let mut mods = Mods { provider: modifiers::provider(cfg), ..Mods::default() };
    let (lvl, base) = level_and_base(&p, outcome, &care, cfg, emergency, &mut mods, &mut f);
    if base.is_some() {
        level::urgency_conflict(&p, emergency, &mut f); // R-EMER-2 (billable)
    }

    // 5. Mileage; 6. modifiers (origin/destination and GM only for transports).
    let mut origin = None;
    let mut miles = Vec::new();
    if let Some(mode) = outcome.transported() {
        miles = mileage::lines(&p, cfg, mode, &mut f);
        mods.od = modifiers::origin_destination(&p, cfg, &mut f);
        mods.gm = modifiers::multiple_patients(&p);
        origin = modifiers::origin(&p, cfg);
    }
    // R-NONE-1: no modifiers at all for NONE.
    let base_modifiers = if base.is_some() { mods.base() } else { Vec::new() };
    let mileage = miles.iter().map(|m| MileageLine { code: m.code.to_string(), units: mileage::format_units(m.hundredths), modifiers: mods.mileage(), hundredths: m.hundredths }).collect();

    // 7. Supplies (transported ground only).
    let supply_codes = if outcome.transported_ground() { supplies::supply_codes(&p, &care, cfg, lvl) } else { Vec::new() };

    // 8. ICD-10-CM.
    let icd10 = diagnoses::diagnosis_list(&p, cfg, &mut f);
    if base.is_some() {
        diagnoses::primary_impression(&p, &mut f);
    }

    // 9. Claimed versus derived level.
    claim::compare(&p, lvl, base, &mut f);

    // 10. Checks.
    if outcome.transported_ground() {
        necessity::emergency_necessity(&p, emergency, &mut f);
        necessity::nonemergency_necessity(&p, emergency, lvl, &mut f);
        necessity::pcs(&p, emergency, origin.as_deref(), &mut f);
    }
    if outcome.transported().is_some() {
        documentation::beneficiary_signature(&p, &mut f);
        documentation::locations(&p, &mut f);
    }
    // R-SIG-3 for refusals; R-DEATH-1: no signature rule applies to the QL outcome.
    if service::refusal(&p) && outcome != Outcome::Death {
        documentation::refusal_signature(&p, &mut f);
    }
    narrative::check(&p, &care, necessity::bed_confined(&p), &mut f);

    CodingResult {
        uuid: p.uuid(),
        level: lvl,
        emergency,
        hcpcs_base: base.map(String::from),
        base_modifiers,
        mileage,
        supply_codes,
        icd10,
        findings: f.list,
    }
}

/// Code one record of the pipeline ([`crate::pipeline::run`]): None when it is not an
/// EMSDataSet PatientCareReport or was not well-formed (XSD-invalid records are coded).
pub fn code_record(r: &crate::pipeline::RecordResult, cfg: &Config) -> Option<CodingResult> {
    if r.info.dataset != "EMSDataSet" {
        return None;
    }
    let o = r.outcome.as_ref().filter(|o| o.well_formed)?;
    Some(code_pcr(r.info.schema.model, &r.raw.context.tree, &o.tree, cfg))
}

/// The level and base code of an outcome (steps 3–4 of §12), with the QL/GY modifiers:
/// - transported ground (land or water): R-LVL-1 level, R-LVL-2 code, R-LVL-3 findings;
/// - R-AIR-1: fixed wing → FW/A0430, rotary wing → RW/A0431 whatever the clinical level
///   inside the aircraft; R-AIR-2 checks the air necessity indicator;
/// - R-DEATH-1: death in the field → BLS at A0429/A0428 with QL (no mileage, supplies or
///   origin/destination follow, since the PCR is not transported);
/// - R-TNT-1: A0998, with GY when Medicare is the primary payer (R-MOD-7);
/// - R-NONE-1: NONE, no code (and so no modifiers).
fn level_and_base(p: &Pcr, outcome: Outcome, care: &care::Care, cfg: &Config, emergency: bool, mods: &mut Mods, f: &mut Findings) -> (Level, Option<&'static str>) {
    match outcome {
        Outcome::Transported(Mode::Ground | Mode::Water) => {
            let g = level::ground_facts(p, care, cfg, emergency);
            let l = level::ground_level(&g, care);
            level::crew_findings(p, &g, care, l, f);
            (l, Some(level::ground_code(l, emergency)))
        }
        Outcome::Transported(Mode::FixedWing) => {
            air_necessity(p, f);
            (Level::Fw, Some("A0430"))
        }
        Outcome::Transported(Mode::RotaryWing) => {
            air_necessity(p, f);
            (Level::Rw, Some("A0431"))
        }
        Outcome::Death => {
            mods.ql = true;
            (Level::Bls, Some(if emergency { "A0429" } else { "A0428" }))
        }
        Outcome::TreatNoTransport => {
            mods.gy = p.is("ePayment.01", supplies::MEDICARE);
            (Level::TreatNoTransport, Some("A0998"))
        }
        Outcome::NoContact | Outcome::NotDocumented | Outcome::NonAmbulance | Outcome::NoTransport => (Level::None, None),
    }
}

/// R-AIR-2: an air transport needs an air medical transportation indicator (`ePayment.52`
/// D1–D4).
fn air_necessity(p: &Pcr, f: &mut Findings) {
    if !p.values("ePayment.52").any(|v| tables::AIR_INDICATORS.contains(&v)) {
        f.add(
            FindingCode::AirNecessityNotDocumented,
            format!("air transport without an air medical necessity indicator (D1–D4) in ePayment.52 ({})", p.show_values("ePayment.52")),
        );
    }
}

/// The pipeline stage: code an EMS record, keep the result on the record, and add each coding
/// finding to the record's findings (kind `coding`, rule = the finding code).
pub fn run_stage(r: &mut crate::pipeline::RecordResult, cfg: &Config) {
    let Some(c) = code_record(r, cfg) else { return };
    let line = r.raw.line as u64;
    let column = r.raw.column as u64;
    for f in &c.findings {
        r.findings.push(crate::finding::Finding {
            record: r.record_id().map(str::to_string),
            kind: crate::finding::Kind::Coding,
            rule: Some(f.code.as_str().to_string()),
            severity: match f.severity {
                findings::Severity::Error => crate::finding::Severity::Error,
                findings::Severity::Warning => crate::finding::Severity::Warning,
                findings::Severity::Info => crate::finding::Severity::Info,
            },
            element: None,
            line,
            column,
            path: format!("{}/{}[{}]", r.raw.context.path, r.info.schema.model.element(r.info.record_elem).name, r.raw.index),
            message: f.message.clone(),
        });
    }
    r.coding = Some(c);
}
