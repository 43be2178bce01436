//! Medical necessity and physician certification (§11.1–§11.3).

use super::findings::{FindingCode as F, Findings};
use super::parse::{self, Instant};
use super::view::Pcr;
use super::Level;

/// R-NEC-1 (transported ground, emergency): low initial acuity and a non-emergent transport do
/// not support the emergency base rate.
pub fn emergency_necessity(p: &Pcr, emergency: bool, f: &mut Findings) {
    let low = p.is("eSituation.13", "2813005") || p.is("eSituation.13", "2813009");
    if emergency && low && p.is("eDisposition.17", "4217005") {
        f.add(
            F::EmergencyNecessityNotSupported,
            format!("emergency response ({}) but {} and {}: the record shows no emergency condition", p.show_value("eResponse.23"), p.show_value("eSituation.13"), p.show_value("eDisposition.17")),
        );
    }
}

/// R-NEC-2: bed confinement — the three-part test in `ePayment.41`, `ePayment.04` Bed
/// Confined, or `ePayment.47` condition 12.
pub fn bed_confined(p: &Pcr) -> bool {
    let t: Vec<&str> = p.values("ePayment.41").collect();
    (["2641001", "2641003", "2641005"].iter().all(|c| t.contains(c))) || p.has("ePayment.04", "2604001") || p.has("ePayment.47", "12")
}

/// R-NEC-3: another condition requiring ambulance transport.
pub fn other_necessity(p: &Pcr) -> bool {
    p.values("ePayment.04").any(|v| v != "2604001") || ["05", "07", "08"].iter().any(|c| p.has("ePayment.47", c))
}

/// R-NEC-4 (transported ground, non-emergency BLS): bed confinement or another necessity must
/// be documented.
pub fn nonemergency_necessity(p: &Pcr, emergency: bool, level: Level, f: &mut Findings) {
    if !emergency && level == Level::Bls && !bed_confined(p) && !other_necessity(p) {
        f.add(
            F::NonemergencyNecessityNotDocumented,
            format!(
                "non-emergency BLS transport ({}) without bed confinement or another necessity: {}; {}; {}",
                p.show_value("eResponse.23"),
                p.show_values("ePayment.41"),
                p.show_values("ePayment.04"),
                p.show_values("ePayment.47")
            ),
        );
    }
}

const DAY: i64 = 86_400;

fn within(t: Instant, lo: Instant, hi: Instant) -> bool {
    lo <= t && t <= hi
}

/// R-PCS-1 (transported ground, non-emergency, and scheduled or picked up at a facility):
/// the physician certification statement and its date and signer.
pub fn pcs(p: &Pcr, emergency: bool, origin: Option<&str>, f: &mut Findings) {
    let scheduled = p.has("eResponse.24", "2224007");
    let facility = origin.is_some_and(|o| ["H", "N", "E", "D", "G", "J", "P"].contains(&o));
    if emergency || !(scheduled || facility) {
        return;
    }
    let reference = ["eTimes.09", "eTimes.07", "eTimes.06", "eTimes.03"].iter().find_map(|n| p.value(n).and_then(parse::instant).map(|t| (*n, t)));
    let has_pcs = p.is("ePayment.02", "9922005");
    let why = if scheduled { "scheduled non-emergency transport (eResponse.24 = 2224007 Scheduled)".to_string() } else { format!("unscheduled non-emergency transport from a facility (origin {})", origin.unwrap_or("?")) };
    if !has_pcs {
        if scheduled {
            f.add(F::PcsMissing, format!("{why} needs a physician certification statement before the trip, but {}", p.show_value("ePayment.02")));
        } else {
            f.add(F::PcsRequiredWithin48h, format!("{why} needs a certification statement within 48 hours, but {}", p.show_value("ePayment.02")));
        }
        return;
    }
    if let (Some(signed), Some((ref_name, r))) = (p.value("ePayment.03").and_then(parse::instant), reference) {
        let lo = (r.0 - 60 * DAY, r.1);
        let hi = if scheduled { r } else { (r.0 + 2 * DAY, r.1) };
        if !within(signed, lo, hi) {
            let window = if scheduled { "60 days before the trip up to the trip" } else { "60 days before up to 48 hours after the trip" };
            f.add(F::PcsDateOutOfRange, format!("ePayment.03 (date PCS signed) {} is outside {window} ({ref_name} {})", p.value("ePayment.03").unwrap_or(""), p.value(ref_name).unwrap_or("")));
        }
    }
    if scheduled {
        if let Some(signer) = p.value("ePayment.05") {
            if signer != "2605005" {
                f.add(F::PcsSignerNotPhysician, format!("{why}: the PCS was signed by {}, not the attending physician (2605005)", p.show("ePayment.05", signer)));
            }
        }
    }
}
