//! Patterns `nemSch_ePatient` (patient information recorded when a patient was evaluated and
//! cared for) and, in 3.5.0 only, `nemSch_ePayment`.

use super::super::{on, rule, warn, Cx, Pattern, Releases, R, N};
use super::{blank, filled, patient_care, transport, EVALUATED_AND_CARED, TRANSPORTED_BY_UNIT};

/// nemSch_e057, e059, e060, e063, e064, e193:
/// `ancestor::nem:PatientCareReport/…/nem:eDisposition.28 != '4228001'`.
fn unless_cared_for(c: &Cx<'_>) -> R {
    Ok(patient_care(c).is_not(EVALUATED_AND_CARED))
}

/// nemSch_e058: `starts-with(., ../nem:ePatient.08)`.
fn e058(c: &Cx<'_>) -> R {
    c.starts_with(c.sib(N::ePatient_08))
}

/// nemSch_e062: `../nem:ePatient.14 != '' or …/nem:eDisposition.28 != '4228001'`.
fn e062(c: &Cx<'_>) -> R {
    Ok(c.sib(N::ePatient_14).is_not("") || patient_care(c).is_not(EVALUATED_AND_CARED))
}

/// nemSch_e065: `../nem:ePatient.15 = ''`.
fn e065(c: &Cx<'_>) -> R {
    Ok(c.sib(N::ePatient_15).is(""))
}

/// `nem:ePatient[not(nem:ePatient.25[. != ''])]`.
fn no_sex(c: &Cx<'_>) -> bool {
    !c.kids(N::ePatient_25).is_not("")
}

/// nemSch_e066 (3.5.0): `not(…/nem:eDisposition.30 = ('4230001', '4230003'))`.
fn e066(c: &Cx<'_>) -> R {
    Ok(!transport(c).is_any(TRANSPORTED_BY_UNIT))
}

const NEEDED_IF_CARED_FOR: &str = "{el} should be recorded when the patient was evaluated and cared for (eDisposition.28 \"Patient Evaluated and Care Provided\").";

pub(crate) static PATTERN: Pattern = Pattern {
    id: "nemSch_ePatient",
    releases: Releases::ALL,
    rules: &[
        rule("nemSch_ePatient_rule_1", on(N::ePatient_07, "nem:ePatient.07[. = '']").when(blank), &[
            warn("nemSch_e057", unless_cared_for, &[N::ePatient_07, N::eDisposition_28], NEEDED_IF_CARED_FOR),
        ]),
        rule("nemSch_ePatient_rule_2", on(N::ePatient_07, "nem:ePatient.07[. != '']").when(filled), &[
            warn("nemSch_e058", e058, &[N::ePatient_07, N::ePatient_08], "{el} (county) should lie within the patient's home state (ePatient.08)."),
        ]),
        rule("nemSch_ePatient_rule_3", on(N::ePatient_08, "nem:ePatient.08[. = '']").when(blank), &[
            warn("nemSch_e059", unless_cared_for, &[N::ePatient_08, N::eDisposition_28], NEEDED_IF_CARED_FOR),
        ]),
        rule("nemSch_ePatient_rule_4", on(N::ePatient_09, "nem:ePatient.09[. = '']").when(blank), &[
            warn("nemSch_e060", unless_cared_for, &[N::ePatient_09, N::eDisposition_28], NEEDED_IF_CARED_FOR),
        ]),
        rule("nemSch_ePatient_rule_6", on(N::ePatient_14, "nem:ePatient.14[. = ''][1]").when(blank).first(), &[
            warn("nemSch_e062", e062, &[N::ePatient_14, N::eDisposition_28], NEEDED_IF_CARED_FOR),
        ]),
        rule("nemSch_ePatient_rule_7", on(N::ePatient_15, "nem:ePatient.15[. = '']").when(blank), &[
            warn("nemSch_e063", unless_cared_for, &[N::ePatient_15, N::eDisposition_28], NEEDED_IF_CARED_FOR),
        ]),
        rule("nemSch_ePatient_rule_8", on(N::ePatient_16, "nem:ePatient.16[. = '']").when(blank), &[
            warn("nemSch_e064", unless_cared_for, &[N::ePatient_16, N::eDisposition_28], NEEDED_IF_CARED_FOR),
            warn("nemSch_e065", e065, &[N::ePatient_15, N::ePatient_16], "{el} (age units) should be recorded when the age (ePatient.15) is recorded."),
        ]),
        rule("nemSch_ePatient_rule_9", on(N::ePatient, "nem:ePatient[not(nem:ePatient.25[. != ''])]").when(no_sex), &[
            warn("nemSch_e193", unless_cared_for, &[N::ePatient_25, N::eDisposition_28], "ePatient.25 (Sex) should be recorded when the patient was evaluated and cared for (eDisposition.28 \"Patient Evaluated and Care Provided\")."),
        ]),
    ],
};

pub(crate) static PAYMENT: Pattern = Pattern {
    id: "nemSch_ePayment",
    releases: Releases::V350,
    rules: &[rule("nemSch_ePayment_rule_1", on(N::ePayment_01, "nem:ePayment.01[. = '']").when(blank), &[warn(
        "nemSch_e066",
        e066,
        &[N::ePayment_01, N::eDisposition_30],
        "{el} should be recorded when the transport disposition (eDisposition.30) is a transport by this EMS unit.",
    )])
    .only(Releases::V350)],
};
