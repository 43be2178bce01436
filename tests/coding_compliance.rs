//! The realistic NEMSIS compliance files (`../shared/nemsis/v3.5.1/ComplianceTests/full/`)
//! coded and checked against the specification by hand; the reasoning is in the comments.
//! Skips, printing "SKIPPED: ...", when `../shared` is absent.

use nemsis::coding::{code_pcr, CodingResult, Config, FindingCode, Level, Severity};
use nemsis::document::parse_document;
use nemsis::split::VersionChoice;
use std::path::{Path, PathBuf};

fn full_dir() -> Option<PathBuf> {
    let shared = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared");
    let dir = shared.join("nemsis/v3.5.1/ComplianceTests/full");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("SKIPPED: {} not found (the compliance files live in ../shared)", dir.display());
        None
    }
}

/// Code the single PCR of a compliance file; also returns the identity values of the PCR
/// (names, addresses, ids) that no finding message may contain.
fn code(dir: &Path, file: &str) -> (CodingResult, Vec<String>) {
    let bytes = std::fs::read(dir.join(file)).unwrap();
    let doc = parse_document(&bytes, VersionChoice::Auto);
    assert_eq!(doc.records.len(), 1, "{file}");
    let r = &doc.records[0];
    assert!(r.well_formed && r.findings.is_empty(), "{file} is XSD-valid: {:?}", r.findings);
    let m = r.schema.model;
    let identity: Vec<String> = [
        "ePatient.01", "ePatient.02", "ePatient.03", "ePatient.04", "ePatient.17", "ePatient.18", "ePatient.19", "ePatient.20", "ePatient.21",
        "ePayment.06", "ePayment.07", "ePayment.18", "ePayment.19", "ePayment.20", "ePayment.23", "ePayment.24", "ePayment.26", "eScene.15",
        "eOther.20", "eOther.21", "eCrew.01",
    ]
    .iter()
    .flat_map(|n| r.tree.values(m, 0, n).map(str::to_string).collect::<Vec<_>>())
    .filter(|v| v.len() >= 3)
    .collect();
    (code_pcr(m, &r.context.tree, &r.tree, &Config::default()), identity)
}

fn codes(r: &CodingResult) -> Vec<(FindingCode, Severity)> {
    let mut v: Vec<(FindingCode, Severity)> = r.findings.iter().map(|f| (f.code, f.severity)).collect();
    v.sort();
    v
}

fn no_identity_in_messages(r: &CodingResult, identity: &[String]) {
    for f in &r.findings {
        for v in identity {
            assert!(!f.message.contains(v.as_str()), "{} message quotes identity value {v:?}: {}", f.code, f.message);
        }
    }
}

#[test]
fn ems_1_overdose() {
    let Some(dir) = full_dir() else { return };
    let (r, id) = code(&dir, "2025-EMS-1-Overdose_v351.xml");
    // eDisposition.27 4227001 contact, .30 4230001 transported by this unit, .16 4216005 ground
    // ambulance (eResponse.07 2207015 ground ALS: no conflict). eResponse.23 2223001 → emergency.
    // Crew Paramedic (9925007) + EMT: ALS crew. Procedures and medications are all NV, no
    // ePayment.49 → no ALS intervention or assessment → BLS, A0429.
    assert_eq!(r.level, Level::Bls);
    assert!(r.emergency);
    assert_eq!(r.hcpcs_base.as_deref(), Some("A0429"));
    // eResponse.05 2205001 (not a transfer); eScene.09 Y92.481 (parking lot) matches no A.7
    // prefix → S. eDisposition.21 4221039 Drug/Alcohol Rehabilitation → D. → "SD", a covered
    // pair. eDisposition.11 = 1: no GM.
    assert_eq!(r.base_modifiers, ["SD"]);
    // Odometers .19 310107.5 ≤ .20 310107.9; .21 310118.9 ≤ .22 310129.1; h = 1100 → "11.0".
    // No ePayment.48 → no A0888.
    assert_eq!(r.mileage.len(), 1);
    assert_eq!((r.mileage[0].code.as_str(), r.mileage[0].units.as_str()), ("A0425", "11.0"));
    assert_eq!(r.mileage[0].modifiers, ["SD"]);
    // ePayment.01 2601015 Payment by Facility (not Medicare) → BLS routine supplies only.
    assert_eq!(r.supply_codes, ["A0382"]);
    // .11 F19, .12 F10.92, .09 R46.4, .10 R41.0/R46.2/R47.81, eInjury.01 NV.
    assert_eq!(r.icd10, ["F19", "F10.92", "R46.4", "R41.0", "R46.2", "R47.81"]);
    // Claimed 2650009 = A0429: equal. ePayment.40 Immediate agrees with the emergency response.
    // eSituation.13 2813003 Emergent: R-NEC-1 not met. Emergency: no PCS. ZIPs and addresses are
    // present. Narrative has no lexicon trigger. No eOther.SignatureGroup at all → R-SIG-1.
    assert_eq!(codes(&r), [(FindingCode::BeneficiarySignatureMissing, Severity::Error)]);
    no_identity_in_messages(&r, &id);
}

#[test]
fn ems_2_suicide() {
    let Some(dir) = full_dir() else { return };
    let (r, id) = code(&dir, "2025-EMS-2-Suicide_v351.xml");
    // eDisposition.30 4230013 No Transport → R-SVC-1 step 4; eArrest.18 3018003 Expired in the
    // Field → death in the field: QL at the BLS base rate; eResponse.23 2223001 → A0429. The IV
    // and epinephrine given do not change it (R-DEATH-1). No mileage, supplies or
    // origin/destination; signature rules do not apply.
    assert_eq!(r.level, Level::Bls);
    assert_eq!(r.hcpcs_base.as_deref(), Some("A0429"));
    assert_eq!(r.base_modifiers, ["QL"]);
    assert!(r.mileage.is_empty() && r.supply_codes.is_empty());
    // .11 T14.91, no .12, .09 R58, .10 I46.9, eInjury.01 T14.91 (duplicate, dropped) and X74.9.
    assert_eq!(r.icd10, ["T14.91", "R58", "I46.9", "X74.9"]);
    // Claimed 2650003 (A0427, RVU 1.90) against QL's A0429 (1.60): claimed higher.
    // Narrative "We took over CPR, but no ROSC" has no lexicon trigger.
    assert_eq!(codes(&r), [(FindingCode::LevelClaimedAboveDocumented, Severity::Error)]);
    no_identity_in_messages(&r, &id);
}

#[test]
fn ems_3_motor_vehicle_crash() {
    let Some(dir) = full_dir() else { return };
    let (r, id) = code(&dir, "2025-EMS-3-MVC_v351.xml");
    // Transported (4230001) by ground ambulance (4216005), emergency (2223001), crew Paramedic
    // + EMT. Counted care: IV insertion 392230005 (A.1), a drug 3628 by IV (not BLS-permitted),
    // plasma 71493000 by IV, oxygen 7806 by NRB (BLS-permitted); aspirin carries PN 8801001
    // (contraindication) and is not counted. als2_med_count = 2 (3628 IV, 71493000 IV) < 3 and
    // no A.2 procedure → not ALS2; ALS interventions (and ePayment.49 Yes) → ALS1, A0427.
    // Not interfacility (2205001), so the blood product is not SCT.
    assert_eq!(r.level, Level::Als1);
    assert_eq!(r.hcpcs_base.as_deref(), Some("A0427"));
    // eScene.09 Y92.4 (street) → S; eDisposition.21 4221003 ED → H; eDisposition.11 = 2 → GM.
    assert_eq!(r.base_modifiers, ["SH", "GM"]);
    // .20 310286.6 → .21 310290.8: h = 420 → "4.2" (odometer sequence fine).
    assert_eq!((r.mileage[0].code.as_str(), r.mileage[0].units.as_str()), ("A0425", "4.2"));
    assert_eq!(r.mileage[0].modifiers, ["SH", "GM"]);
    // Primary payer insurance (2601001; Medicare is only a secondary insurance group):
    // A0398 (ALS), A0394 (IV insertion / IV route), A0422 (oxygen given).
    assert_eq!(r.supply_codes, ["A0394", "A0398", "A0422"]);
    // .11 S09.90, .12 S19.9, .09 S09.90 (dup), .10 I95.9, M54.2, three PN symptoms skipped, R51,
    // S09.93; eInjury.01 V43 and Y28.9 last.
    assert_eq!(r.icd10, ["S09.90", "S19.9", "I95.9", "M54.2", "R51", "S09.93", "V43", "Y28.9"]);
    // Claimed 2650003 = A0427. Acuity 2813001 (critical). ePayment.41 has only two of the
    // three bed-confinement parts (irrelevant in an emergency). Narrative: no trigger.
    // No eOther.SignatureGroup → R-SIG-1.
    assert_eq!(codes(&r), [(FindingCode::BeneficiarySignatureMissing, Severity::Error)]);
    no_identity_in_messages(&r, &id);
}

#[test]
fn ems_4_ebike() {
    let Some(dir) = full_dir() else { return };
    let (r, id) = code(&dir, "2025-EMS-4-eBike_v351.xml");
    // eDisposition.30 4230007 (transport by another agency, with a member of this crew) is not
    // a transport by this unit → step 4: no death (eArrest.01 3001001, acuity 2813001);
    // eDisposition.28 4228001 care provided → A0998. Primary payer 2601023 (other), not
    // Medicare → no GY. No mileage, supplies or origin/destination modifier.
    assert_eq!(r.level, Level::TreatNoTransport);
    assert!(r.emergency);
    assert_eq!(r.hcpcs_base.as_deref(), Some("A0998"));
    assert!(r.base_modifiers.is_empty() && r.mileage.is_empty() && r.supply_codes.is_empty());
    assert_eq!(r.icd10, ["S49.9", "T79.9", "R40.20", "J80", "V29.91"]);
    // ePayment.50 2650013 (paramedic intercept) → R-CLM-1 step 1, first match only (so not
    // LEVEL_CLAIMED_WITHOUT_TRANSPORT). Urgency Immediate agrees. Not transported: no signature
    // or location checks. Narrative mentions transport but no lexicon trigger.
    assert_eq!(codes(&r), [(FindingCode::ParamedicInterceptClaimed, Severity::Warning)]);
    no_identity_in_messages(&r, &id);
}

#[test]
fn ems_5_community_paramedicine() {
    let Some(dir) = full_dir() else { return };
    let (r, id) = code(&dir, "2025-EMS-5-CPMIH_v351.xml");
    // Mobile integrated health visit: 4230013 no transport, no death, eDisposition.28 4228005
    // (evaluated, no care required) → NONE. eResponse.23 2223005 → not an emergency.
    assert_eq!(r.level, Level::None);
    assert!(!r.emergency);
    assert_eq!(r.hcpcs_base, None);
    assert!(r.base_modifiers.is_empty() && r.mileage.is_empty() && r.supply_codes.is_empty());
    assert_eq!(r.icd10, ["Z51.89", "Z00.00"]);
    // No ePayment.50 → R-CLM-1 steps 2/3 give nothing; not billable → no R-EMER-2 or R-ICD-2.
    assert!(r.findings.is_empty(), "{:?}", r.findings);
    no_identity_in_messages(&r, &id);
}

#[test]
fn every_full_compliance_ems_file_is_covered() {
    // The five EMS files above are all the EMSDataSet files of full/ (DEM and State files are
    // not coded).
    let Some(dir) = full_dir() else { return };
    let mut ems: Vec<String> = std::fs::read_dir(&dir).unwrap().flatten().map(|e| e.file_name().to_string_lossy().into_owned()).filter(|n| n.contains("-EMS-") && n.ends_with(".xml")).collect();
    ems.sort();
    assert_eq!(ems, ["2025-EMS-1-Overdose_v351.xml", "2025-EMS-2-Suicide_v351.xml", "2025-EMS-3-MVC_v351.xml", "2025-EMS-4-eBike_v351.xml", "2025-EMS-5-CPMIH_v351.xml"]);
}
