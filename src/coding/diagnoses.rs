//! The ICD-10-CM diagnosis list (§9).

use super::config::Config;
use super::findings::{FindingCode as F, Findings};
use super::view::Pcr;

/// R-ICD-1 sources, in list order. `eInjury.01` (external cause) always comes last: an
/// external-cause code may not lead the list.
const SOURCES: &[&str] = &["eSituation.11", "eSituation.12", "eSituation.09", "eSituation.10", "eInjury.01"];

/// R-ICD-1: impressions, then symptoms, then causes of injury; not-valued and PN occurrences
/// skipped; trimmed and upper-cased; first occurrence of a duplicate kept; capped at
/// `max_diagnoses` (DIAGNOSIS_LIST_TRUNCATED when codes were dropped).
pub fn diagnosis_list(p: &Pcr, cfg: &Config, f: &mut Findings) -> Vec<String> {
    let mut all: Vec<String> = Vec::new();
    for name in SOURCES {
        for v in p.values(name) {
            let code = v.trim().to_uppercase();
            if !code.is_empty() && !all.contains(&code) {
                all.push(code);
            }
        }
    }
    let cap = cfg.max_diagnoses.max(1);
    if all.len() > cap {
        let dropped = all.split_off(cap);
        f.add(
            F::DiagnosisListTruncated,
            format!("{} distinct ICD-10-CM codes in eSituation.11/.12/.09/.10 and eInjury.01; only the first {cap} are listed, dropped: {}", cap + dropped.len(), dropped.join(", ")),
        );
    }
    all
}

/// R-ICD-2 (billable PCRs): the primary impression is required.
pub fn primary_impression(p: &Pcr, f: &mut Findings) {
    if p.value("eSituation.11").is_none() {
        f.add(F::PrimaryImpressionMissing, "eSituation.11 (Provider's Primary Impression) is not valued: the claim has no condition that necessitated the encounter");
    }
}
