//! Service classification (§4): patient contact, transport, transport mode, refusal.

use super::findings::{FindingCode as F, Findings};
use super::view::Pcr;

/// How an ambulance transport travelled (R-SVC-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Ground ambulance on land.
    Ground,
    /// Ground ambulance on water (a boat; ground per BPM 10, GPS mileage per R-MILE-3).
    Water,
    FixedWing,
    RotaryWing,
}

impl Mode {
    pub fn is_air(self) -> bool {
        matches!(self, Mode::FixedWing | Mode::RotaryWing)
    }
    pub fn is_ground(self) -> bool {
        !self.is_air()
    }
}

/// The outcome of R-SVC-1/R-SVC-2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Step 1: no patient contact.
    NoContact,
    /// Step 2: `eDisposition.30` not valued.
    NotDocumented,
    /// Step 3 with a non-ambulance vehicle (R-SVC-2).
    NonAmbulance,
    /// Step 3: transported by this unit in an ambulance.
    Transported(Mode),
    /// Step 4: death in the field (QL, R-DEATH-1).
    Death,
    /// Step 4: treated, not transported (A0998, R-TNT-1).
    TreatNoTransport,
    /// Step 4: anything else without transport (`level = NONE`).
    NoTransport,
}

impl Outcome {
    /// "Transported" of §13: step 3 and not non-ambulance.
    pub fn transported(self) -> Option<Mode> {
        match self {
            Outcome::Transported(m) => Some(m),
            _ => None,
        }
    }
    /// "Transported ground" of §13 (land or water; QL and A0998 are not transported).
    pub fn transported_ground(self) -> bool {
        self.transported().is_some_and(Mode::is_ground)
    }
}

/// R-SVC-1: classify the PCR; emits the step-1/step-2/non-ambulance findings and R-SVC-3.
pub fn classify(p: &Pcr, f: &mut Findings) -> Outcome {
    // Step 1.
    if !p.is("eDisposition.27", "4227001") {
        f.add(F::NoPatientContact, format!("{}: no patient contact (Patient Contact Made is 4227001), so no billable service", p.show_value("eDisposition.27")));
        return Outcome::NoContact;
    }
    // Step 2.
    let Some(td) = p.value("eDisposition.30") else {
        f.add(F::TransportDispositionNotDocumented, "eDisposition.30 (Transport Disposition) is not valued: whether the patient was transported is unknown, so no service level can be derived");
        return Outcome::NotDocumented;
    };
    // Step 3.
    if td == "4230001" || td == "4230003" {
        return match transport_mode(p) {
            Some(m) => {
                method_conflict(p, m, f);
                Outcome::Transported(m)
            }
            None => {
                f.add(
                    F::NonAmbulanceTransport,
                    format!("{} but the vehicle is not an ambulance ({}; {}): the ambulance benefit needs an ambulance (410.41)", p.show("eDisposition.30", td), p.show_value("eDisposition.16"), p.show_value("eResponse.07")),
                );
                Outcome::NonAmbulance
            }
        };
    }
    // Step 4.
    if death_in_field(p) {
        Outcome::Death
    } else if p.is("eDisposition.28", "4228001") {
        Outcome::TreatNoTransport
    } else {
        Outcome::NoTransport
    }
}

/// R-SVC-1 step 4: death in the field (`eArrest.18` Expired in the Field, or `eSituation.13`
/// Dead without Resuscitation Efforts).
pub fn death_in_field(p: &Pcr) -> bool {
    p.is("eArrest.18", "3018003") || p.is("eSituation.13", "2813007")
}

/// The mode `eDisposition.16` gives: Some(Some(mode)) for an ambulance, Some(None) for a
/// non-ambulance vehicle, None when not valued (or not a known code).
fn mode_from_disposition(p: &Pcr) -> Option<Option<Mode>> {
    Some(match p.value("eDisposition.16")? {
        "4216001" => Some(Mode::FixedWing),
        "4216003" => Some(Mode::RotaryWing),
        "4216005" | "4216009" => Some(Mode::Ground),
        "4216017" => Some(Mode::Water),
        "4216007" | "4216011" | "4216013" | "4216015" => None,
        _ => return None,
    })
}

/// R-SVC-2: the transport mode, from `eDisposition.16` when valued, else `eResponse.07`.
/// None = non-ambulance. (An `eDisposition.16` code outside the XSD list is read as not
/// valued.)
pub fn transport_mode(p: &Pcr) -> Option<Mode> {
    if let Some(m) = mode_from_disposition(p) {
        return m;
    }
    match p.value("eResponse.07") {
        Some("2207013") => Some(Mode::FixedWing),
        Some("2207011") => Some(Mode::RotaryWing),
        Some("2207025") | Some("2207027") => None,
        _ => Some(Mode::Ground),
    }
}

/// R-SVC-3: `eDisposition.16` (valued) disagrees with the air/ground class of `eResponse.07`.
fn method_conflict(p: &Pcr, mode: Mode, f: &mut Findings) {
    if mode_from_disposition(p).is_none() {
        return;
    }
    let unit = p.value("eResponse.07");
    let conflict = match unit {
        Some("2207011") => mode != Mode::RotaryWing,
        Some("2207013") => mode != Mode::FixedWing,
        Some("2207015") | Some("2207017") | Some("2207019") => mode.is_air(),
        _ => false,
    };
    if conflict {
        f.add(
            F::TransportMethodConflict,
            format!("{} disagrees with {}; eDisposition.16 decides the mode", p.show_value("eDisposition.16"), p.show_value("eResponse.07")),
        );
    }
}

/// R-SVC-4: the patient refused (transport or care).
pub fn refusal(p: &Pcr) -> bool {
    p.is("eDisposition.30", "4230009") || p.is("eDisposition.28", "4228003") || p.is("eDisposition.28", "4228007")
}
