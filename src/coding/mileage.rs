//! Loaded mileage (§6): distance in integer hundredths of a mile, the units string, and the
//! split at the closest appropriate facility.

use super::config::Config;
use super::findings::{FindingCode as F, Findings};
use super::parse;
use super::service::Mode;
use super::tables;
use super::view::Pcr;

/// One mileage line before modifiers: code and loaded distance in hundredths of a mile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Miles {
    pub code: &'static str,
    pub hundredths: i64,
}

/// R-MILE-1: the mileage code of a transport mode (A0425 ground and water, A0435 FW, A0436 RW).
pub fn mileage_code(mode: Mode) -> &'static str {
    match mode {
        Mode::Ground | Mode::Water => "A0425",
        Mode::FixedWing => "A0435",
        Mode::RotaryWing => "A0436",
    }
}

/// R-MILE-4: the units string. Under 100 miles: round up to the next tenth (`"4.1"`, `"0.5"`);
/// from 100 miles: round up to the next whole mile, no decimal point (`"128"`).
pub fn format_units(h: i64) -> String {
    let h = h.max(0);
    if h < 10_000 {
        let t = (h + 9) / 10;
        format!("{}.{}", t / 10, t % 10)
    } else {
        format!("{}", (h + 99) / 100)
    }
}

fn odometer(p: &Pcr, name: &'static str) -> Option<i64> {
    p.value(name).and_then(parse::hundredths)
}

/// R-MILE-2 (ground, land): `h = .21 − .20`; missing, reversed and zero distances give no
/// line; `.19 > .20` or `.21 > .22` is a sequence anomaly (mileage still computed).
fn ground_land(p: &Pcr, f: &mut Findings) -> Option<i64> {
    let (o19, o20, o21, o22) = (odometer(p, "eResponse.19"), odometer(p, "eResponse.20"), odometer(p, "eResponse.21"), odometer(p, "eResponse.22"));
    let mut anomalies = Vec::new();
    if let (Some(a), Some(b)) = (o19, o20) {
        if a > b {
            anomalies.push(format!("eResponse.19 (en route) {} is above eResponse.20 (on scene) {}", p.value("eResponse.19").unwrap_or(""), p.value("eResponse.20").unwrap_or("")));
        }
    }
    if let (Some(a), Some(b)) = (o21, o22) {
        if a > b {
            anomalies.push(format!("eResponse.21 (at destination) {} is above eResponse.22 (end of call) {}", p.value("eResponse.21").unwrap_or(""), p.value("eResponse.22").unwrap_or("")));
        }
    }
    if !anomalies.is_empty() {
        f.add(F::OdometerSequenceAnomaly, format!("odometer readings out of sequence: {}; loaded mileage is still taken from eResponse.20/.21", anomalies.join("; ")));
    }
    let (Some(scene), Some(dest)) = (o20, o21) else {
        let missing: Vec<&str> = [("eResponse.20", o20), ("eResponse.21", o21)].iter().filter(|(_, v)| v.is_none()).map(|(n, _)| *n).collect();
        f.add(F::MileageNotDocumented, format!("{} (odometer on scene / at destination) not valued: loaded mileage cannot be computed, no mileage line", missing.join(" and ")));
        return None;
    };
    let h = dest - scene;
    let (s20, s21) = (p.value("eResponse.20").unwrap_or(""), p.value("eResponse.21").unwrap_or(""));
    if h < 0 {
        f.add(F::MileageOdometerReversed, format!("eResponse.21 (odometer at destination) {s21} is below eResponse.20 (odometer on scene) {s20}: no mileage line"));
        return None;
    }
    if h == 0 {
        f.add(F::MileageZero, format!("eResponse.20 and eResponse.21 are both {s20}: zero loaded miles, no mileage line"));
        return None;
    }
    Some(h)
}

/// R-MILE-3 (air and water): great-circle distance from `eScene.11` to `eDisposition.09` by
/// the haversine formula, `h = ⌈d × 100 − 1e-9⌉`; flagged AIR_MILEAGE_ESTIMATED.
fn great_circle(p: &Pcr, cfg: &Config, mode: Mode, f: &mut Findings) -> Option<i64> {
    let (scene, dest) = (p.value("eScene.11").and_then(parse::gps), p.value("eDisposition.09").and_then(parse::gps));
    let what = if mode == Mode::Water { "water" } else { "air" };
    let (Some((lat1, lon1)), Some((lat2, lon2))) = (scene, dest) else {
        let missing: Vec<&str> = [("eScene.11 (scene GPS)", scene), ("eDisposition.09 (destination GPS)", dest)].iter().filter(|(_, v)| v.is_none()).map(|(n, _)| *n).collect();
        f.add(F::MileageNotDocumented, format!("{what} transport: {} not valued, so the loaded distance cannot be estimated (odometers of aircraft and boats record hours); no mileage line", missing.join(" and ")));
        return None;
    };
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let (dp, dl) = ((lat2 - lat1).to_radians(), (lon2 - lon1).to_radians());
    let a = ((dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2)).clamp(0.0, 1.0);
    let d = 2.0 * cfg.earth_radius_miles * a.sqrt().asin();
    let hf = (d * 100.0 - 1e-9).ceil();
    let h = if hf.is_finite() { hf.clamp(0.0, 1e15) as i64 } else { 0 };
    if h <= 0 {
        f.add(F::MileageZero, format!("{what} transport: eScene.11 and eDisposition.09 give the same position: zero loaded miles, no mileage line"));
        return None;
    }
    f.add(
        F::AirMileageEstimated,
        format!("{what} transport: loaded miles estimated as the great-circle distance between eScene.11 (scene GPS) and eDisposition.09 (destination GPS), {} statute miles; review against the flight/trip log", format_units(h)),
    );
    Some(h)
}

/// R-MILE-1 + R-MILE-5: the mileage lines of a transported PCR (level BLS/ALS1/ALS2/SCT/FW/RW).
pub fn lines(p: &Pcr, cfg: &Config, mode: Mode, f: &mut Findings) -> Vec<Miles> {
    let code = mileage_code(mode);
    let h = match mode {
        Mode::Ground => ground_land(p, f),
        Mode::Water | Mode::FixedWing | Mode::RotaryWing => great_circle(p, cfg, mode, f),
    };
    let Some(h) = h else { return Vec::new() };
    // R-MILE-5: split at the closest appropriate facility (ePayment.48 is at least 1 mile per
    // the XSD; a value that is not positive is read as not valued).
    let closest = p.value("ePayment.48").and_then(parse::hundredths).filter(|c| *c > 0);
    let justified = p.values("eDisposition.20").find(|r| tables::DESTINATION_REASONS_COVERED.contains(r));
    match (closest, justified) {
        (Some(c), None) if h > c => {
            f.add(
                F::MileageBeyondClosestFacility,
                format!(
                    "loaded distance {} exceeds ePayment.48 (mileage to closest hospital) {} and no eDisposition.20 reason justifies the farther destination ({}): {} billed as {code}, {} as non-covered A0888",
                    format_units(h),
                    p.value("ePayment.48").unwrap_or(""),
                    p.show_values("eDisposition.20"),
                    format_units(c),
                    format_units(h - c)
                ),
            );
            vec![Miles { code, hundredths: c }, Miles { code: "A0888", hundredths: h - c }]
        }
        _ => vec![Miles { code, hundredths: h }],
    }
}
