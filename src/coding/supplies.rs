//! Supply codes (§8): separate supply lines for payers that pay them (bundled for Medicare).

use super::care::Care;
use super::config::Config;
use super::tables;
use super::view::Pcr;
use super::Level;
use std::collections::BTreeSet;

/// `ePayment.01` Medicare.
pub const MEDICARE: &str = "2601005";

/// R-SUP-1: supply codes of a transported ground PCR (levels BLS/ALS1/ALS2/SCT), unique and
/// sorted; empty when Medicare is the primary payer and `medicare_bundles_supplies` is true.
/// The caller only calls this for transported ground PCRs (never air, QL, A0998 or NONE).
pub fn supply_codes(p: &Pcr, care: &Care, cfg: &Config, level: Level) -> Vec<String> {
    if cfg.medicare_bundles_supplies && p.is("ePayment.01", MEDICARE) {
        return Vec::new();
    }
    let als = matches!(level, Level::Als1 | Level::Als2 | Level::Sct);
    let mut out: BTreeSet<&str> = BTreeSet::new();
    match level {
        Level::Bls => {
            out.insert("A0382");
        }
        _ if als => {
            out.insert("A0398");
        }
        _ => return Vec::new(),
    }
    if als && (care.counted_procedure_in(tables::IV_ACCESS_PROCEDURES).is_some() || care.counted_medications().any(|m| m.route.is_some_and(|r| cfg.als2_routes.contains(r)))) {
        out.insert("A0394");
    }
    if als && care.counted_procedure_in(tables::ADVANCED_AIRWAYS).is_some() {
        out.insert("A0396");
    }
    if care.counted_procedure_in(tables::DEFIBRILLATION_PROCEDURES).is_some() {
        if cfg.bls_may_defibrillate {
            out.insert("A0384");
        } else if als {
            out.insert("A0392");
        }
    }
    if care.counted_medications().any(|m| m.code == tables::OXYGEN_MEDICATION) || care.counted_procedure_in(tables::OXYGEN_PROCEDURES).is_some() {
        out.insert("A0422");
    }
    if p.has("ePayment.04", "2604019") && p.nodes("eCrew.CrewGroup").count() >= 3 {
        out.insert("A0424");
    }
    out.into_iter().map(String::from).collect()
}
