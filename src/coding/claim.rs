//! Claimed level (`ePayment.50`) versus derived level (§10): upcoding and undercoding.

use super::findings::{FindingCode as F, Findings};
use super::tables::{self, CLAIMED_LEVELS, GROUND_RVU};
use super::view::Pcr;
use super::Level;

fn class(code: &str) -> &'static str {
    match code {
        "A0430" => "fixed-wing air",
        "A0431" => "rotary-wing air",
        _ => "ground",
    }
}

fn hcpcs(code: &str) -> String {
    match tables::lookup(tables::HCPCS_LABELS, code) {
        Some(l) => format!("{code} ({l})"),
        None => code.to_string(),
    }
}

/// R-CLM-1: compare `ePayment.50` with the derived level; first matching step only.
/// `base` is the derived base code (None for NONE); QL compares as its A0428/A0429.
pub fn compare(p: &Pcr, level: Level, base: Option<&str>, f: &mut Findings) {
    let claimed_raw = p.value("ePayment.50");
    let claimed = claimed_raw.and_then(|c| tables::lookup(CLAIMED_LEVELS, c));
    // (1) paramedic intercept
    if claimed == Some("A0432") {
        f.add(F::ParamedicInterceptClaimed, format!("{} claims paramedic intercept (A0432), which the coder does not derive; review the intercept arrangement", p.show_value("ePayment.50")));
        return;
    }
    // (2)/(3) no transport
    if matches!(level, Level::None | Level::TreatNoTransport) {
        if let Some(c) = claimed_raw {
            let derived = base.map_or_else(|| "no billable ambulance service".to_string(), hcpcs);
            f.add(F::LevelClaimedWithoutTransport, format!("{} claims a transport level, but the derived outcome is {} ({derived})", p.show("ePayment.50", c), level.as_str()));
        }
        return;
    }
    let Some(derived) = base else { return };
    // (4) nothing claimed
    let Some(claimed) = claimed else {
        let why = match claimed_raw {
            Some(c) => format!("ePayment.50 = {c} is not a CMS service level code"),
            None => "ePayment.50 (CMS Service Level) is not valued".to_string(),
        };
        f.add(F::ClaimedLevelNotDocumented, format!("{why}; derived {}", hcpcs(derived)));
        return;
    };
    // (5) class mismatch
    if class(claimed) != class(derived) {
        f.add(
            F::LevelClaimedModeMismatch,
            format!("{} claims {} {}, but the transport was {}: derived {}", p.show_value("ePayment.50"), class(claimed), hcpcs(claimed), class(derived), hcpcs(derived)),
        );
        return;
    }
    // (6) both ground: compare relative value units
    let (Some(rc), Some(rd)) = (tables::lookup(GROUND_RVU, claimed), tables::lookup(GROUND_RVU, derived)) else { return };
    let rvu = |x: u32| format!("{}.{:02}", x / 100, x % 100);
    if rc > rd {
        f.add(
            F::LevelClaimedAboveDocumented,
            format!("{} claims {} (RVU {}) but the record documents {} (RVU {})", p.show_value("ePayment.50"), hcpcs(claimed), rvu(rc), hcpcs(derived), rvu(rd)),
        );
    } else if rc < rd {
        f.add(
            F::LevelClaimedBelowDocumented,
            format!("{} claims {} (RVU {}) but the record documents {} (RVU {})", p.show_value("ePayment.50"), hcpcs(claimed), rvu(rc), hcpcs(derived), rvu(rd)),
        );
    }
}
