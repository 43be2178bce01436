//! Signatures and locations (§11.4–§11.5).

use super::findings::{FindingCode as F, Findings};
use super::view::Pcr;

const SIGNED: &[&str] = &["4515027", "4515031", "4515033"];
const INCAPACITY: &[&str] = &["4515005", "4515013", "4515017", "4515023", "4515037"];
const PATIENT: &str = "4512015";
const RELEASE_FOR_BILLING: &str = "4513005";

/// One `eOther.SignatureGroup`: type `eOther.12`, reasons `eOther.13`*, status `eOther.15`.
struct Signature<'a> {
    kind: Option<&'a str>,
    reasons: Vec<&'a str>,
    status: Option<&'a str>,
}

impl Signature<'_> {
    fn is(&self, kinds: &[&str]) -> bool {
        self.kind.is_some_and(|k| kinds.contains(&k))
    }
    fn for_reason(&self, reasons: &[&str]) -> bool {
        self.reasons.iter().any(|r| reasons.contains(r))
    }
    fn signed(&self) -> bool {
        self.status.is_some_and(|s| SIGNED.contains(&s))
    }
}

fn signatures<'a>(p: &Pcr<'a>) -> Vec<Signature<'a>> {
    p.nodes("eOther.SignatureGroup")
        .map(|g| Signature { kind: p.child_value(g, "eOther.12"), reasons: p.child_values(g, "eOther.13"), status: p.child_value(g, "eOther.15") })
        .collect()
}

fn summary(p: &Pcr, sigs: &[Signature]) -> String {
    if sigs.is_empty() {
        return "the PCR has no eOther.SignatureGroup at all".into();
    }
    let items: Vec<String> = sigs
        .iter()
        .map(|s| {
            let show = |name: &str, v: Option<&str>| v.map_or_else(|| format!("{name} not valued"), |v| p.show(name, v));
            let reasons = if s.reasons.is_empty() { "eOther.13 not valued".to_string() } else { format!("eOther.13 = {}", s.reasons.join(", ")) };
            format!("[{}; {reasons}; {}]", show("eOther.12", s.kind), show("eOther.15", s.status))
        })
        .collect();
    format!("signature groups: {}", items.join(" "))
}

/// R-SIG-1 and R-SIG-2 (transported PCRs, not QL): the beneficiary's signature, or the
/// ambulance exception (crew statement + receiving-facility acknowledgement).
pub fn beneficiary_signature(p: &Pcr, f: &mut Findings) {
    let sigs = signatures(p);
    // R-SIG-1
    let signed = sigs.iter().any(|s| s.is(&[PATIENT, "4512017"]) && s.for_reason(&[RELEASE_FOR_BILLING]) && s.signed());
    let deceased = sigs.iter().any(|s| s.is(&[PATIENT]) && s.status == Some("4515003"));
    if signed || deceased {
        return;
    }
    // R-SIG-2
    let incapable = sigs.iter().any(|s| s.is(&[PATIENT]) && s.status.is_some_and(|st| INCAPACITY.contains(&st)));
    if incapable {
        let crew = sigs.iter().any(|s| s.is(&["4512003", "4512001"]) && s.for_reason(&[RELEASE_FOR_BILLING]) && s.signed());
        let facility = sigs.iter().any(|s| s.is(&["4512005"]) && s.for_reason(&["4513007"]) && s.signed());
        if !crew {
            f.add(
                F::BeneficiarySignatureMissing,
                format!("the patient could not sign (eOther.12 = 4512015 with an incapacity eOther.15), but the ambulance exception needs a signed crew statement (eOther.12 = 4512003/4512001 with eOther.13 = 4513005 Release for Billing) and none is documented; {}", summary(p, &sigs)),
            );
        } else if !facility {
            f.add(
                F::SignatureExceptionIncomplete,
                format!("the patient could not sign (eOther.12 = 4512015 with an incapacity eOther.15) and the crew signed, but no receiving-facility acknowledgement (eOther.12 = 4512005 Healthcare Provider, eOther.13 = 4513007 Transfer of Patient Care, signed) is documented; facility records may supply it; {}", summary(p, &sigs)),
            );
        }
        return;
    }
    f.add(
        F::BeneficiarySignatureMissing,
        format!(
            "no eOther.SignatureGroup by the patient or a representative (eOther.12 = 4512015/4512017) for Release for Billing (eOther.13 = 4513005) with a signed eOther.15 (4515027/4515031/4515033), and no ambulance-exception case (patient unable to sign); {}",
            summary(p, &sigs)
        ),
    );
}

/// R-SIG-3 (refusals): a signed refusal by the patient, a representative or a witness.
pub fn refusal_signature(p: &Pcr, f: &mut Findings) {
    let sigs = signatures(p);
    let ok = sigs.iter().any(|s| s.is(&[PATIENT, "4512017", "4512019"]) && s.for_reason(&["4513009", "4513021"]) && s.signed());
    if !ok {
        f.add(
            F::RefusalSignatureMissing,
            format!(
                "refusal ({}; {}) without a signed refusal (eOther.13 = 4513009 Refusal of Care or 4513021 Refusal of Transport by the patient, a representative or a witness); {}",
                p.show_value("eDisposition.30"),
                p.show_value("eDisposition.28"),
                summary(p, &sigs)
            ),
        );
    }
}

/// R-LOC-1 (transported PCRs): pickup and destination ZIP and address.
pub fn locations(p: &Pcr, f: &mut Findings) {
    if p.value("eScene.19").is_none() {
        f.add(F::PickupZipMissing, "eScene.19 (Incident ZIP Code) is not valued: the pickup ZIP sets the fee schedule locality");
    }
    if p.value("eDisposition.07").is_none() {
        f.add(F::DestinationZipMissing, "eDisposition.07 (Destination ZIP Code) is not valued");
    }
    if p.value("eScene.15").is_none() && p.value("eScene.14").is_none() {
        f.add(F::PickupAddressMissing, "neither eScene.15 (Incident Street Address) nor eScene.14 (Mile Post or Major Roadway) is valued");
    }
    if p.value("eDisposition.03").is_none() {
        f.add(F::DestinationAddressMissing, "eDisposition.03 (Destination Street Address) is not valued");
    }
}
