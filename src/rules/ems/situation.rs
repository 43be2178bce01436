//! Pattern `nemSch_eSituation`: situation information (complaint, symptoms, impressions).

use std::sync::OnceLock;

use super::super::{on, rule, warn, Cx, Pattern, Releases, R, N};
use super::{blank, filled, patient_care, service_type, ARREST_YES, EMERGENCY_PRIMARY, EVALUATED_AND_CARED, STEMI, STROKE_POSITIVE};

/// nemSch_e075, e078, e079, e080, e082, e084:
/// `…/nem:eResponse.05 != '2205001' or …/nem:eDisposition.28 != '4228001'`.
fn unless_emergency_cared_for(c: &Cx<'_>) -> R {
    Ok(service_type(c).is_not(EMERGENCY_PRIMARY) || patient_care(c).is_not(EVALUATED_AND_CARED))
}

/// nemSch_e076: `. != '' or …/nem:eResponse.05 != '2205001' or …/nem:eDisposition.28 != '4228001'`.
fn e076(c: &Cx<'_>) -> R {
    Ok(!c.empty() || unless_emergency_cared_for(c)?)
}

/// ICD-10-CM injury codes: `matches($element, '^(S|T(0\d|1[0-4]))')` (`\d`: any Unicode digit, as in XPath).
fn injury_code(v: &str) -> bool {
    static RE: OnceLock<regex::Regex> = OnceLock::new();
    RE.get_or_init(|| regex::Regex::new(r"^(S|T(0\d|1[0-4]))").expect("valid regex")).is_match(v)
}

/// nemSch_e077: `. = '9922005' or not(some $element in ../(nem:eSituation.09, nem:eSituation.10,
/// nem:eSituation.11, nem:eSituation.12) satisfies matches($element, '^(S|T(0\d|1[0-4]))'))`.
fn e077(c: &Cx<'_>) -> R {
    if c.v() == "9922005" {
        return Ok(true);
    }
    let any = [N::eSituation_09, N::eSituation_10, N::eSituation_11, N::eSituation_12].iter().any(|&n| c.sib(n).values().any(|v| injury_code(&v)));
    Ok(!any)
}

/// nemSch_e081: `../nem:eSituation.09 != ''`.
fn e081(c: &Cx<'_>) -> R {
    Ok(c.sib(N::eSituation_09).is_not(""))
}

/// nemSch_e083: `../nem:eSituation.11 != ''`.
fn e083(c: &Cx<'_>) -> R {
    Ok(c.sib(N::eSituation_11).is_not(""))
}

/// nemSch_e085: `…/nem:eDisposition.28 != '4228001' or not(…/nem:eArrest/nem:eArrest.01 = ('3001003', '3001005'))`.
fn e085(c: &Cx<'_>) -> R {
    Ok(patient_care(c).is_not(EVALUATED_AND_CARED) || !c.all(N::eArrest_01).is_any(ARREST_YES))
}

/// nemSch_e086: `…/nem:eDisposition.28 != '4228001' or not(…/nem:eVitals.StrokeScaleGroup/nem:eVitals.29 = '3329005')`.
fn e086(c: &Cx<'_>) -> R {
    Ok(patient_care(c).is_not(EVALUATED_AND_CARED) || !c.all(N::eVitals_29).is(STROKE_POSITIVE))
}

/// nemSch_e087: `…/nem:eDisposition.28 != '4228001' or not(…/nem:eVitals.CardiacRhythmGroup/nem:eVitals.03 = (STEMI codes))`.
fn e087(c: &Cx<'_>) -> R {
    Ok(patient_care(c).is_not(EVALUATED_AND_CARED) || !c.all(N::eVitals_03).is_any(STEMI))
}

/// nemSch_e088: `…/nem:eResponse.05 = ('2205005', '2205007', '2205015', '2205017', '2205019')`.
fn e088(c: &Cx<'_>) -> R {
    Ok(service_type(c).is_any(&["2205005", "2205007", "2205015", "2205017", "2205019"]))
}

const NEEDED_IF_EMERGENCY: &str = "{el} should be recorded for an emergency response in the primary response area (eResponse.05) when the patient was evaluated and cared for (eDisposition.28).";

pub(crate) static PATTERN: Pattern = Pattern {
    id: "nemSch_eSituation",
    releases: Releases::ALL,
    rules: &[
        rule("nemSch_eSituation_rule_1", on(N::eSituation_01, "nem:eSituation.01[. = '']").when(blank), &[
            warn("nemSch_e075", unless_emergency_cared_for, &[N::eSituation_01, N::eResponse_05, N::eDisposition_28], NEEDED_IF_EMERGENCY),
        ]),
        rule("nemSch_eSituation_rule_2", on(N::eSituation_02, "nem:eSituation.02"), &[
            warn("nemSch_e076", e076, &[N::eSituation_02, N::eResponse_05, N::eDisposition_28], NEEDED_IF_EMERGENCY),
            warn(
                "nemSch_e077",
                e077,
                &[N::eSituation_02, N::eSituation_09, N::eSituation_10, N::eSituation_11, N::eSituation_12],
                "{el} (possible injury) should be \"Yes\" when a symptom or impression (eSituation.09-.12) is an injury code.",
            ),
        ]),
        rule("nemSch_eSituation_rule_3", on(N::eSituation_07, "nem:eSituation.07[. = '']").when(blank), &[
            warn("nemSch_e078", unless_emergency_cared_for, &[N::eSituation_07, N::eResponse_05, N::eDisposition_28], NEEDED_IF_EMERGENCY),
        ])
        .only(Releases::V350),
        rule("nemSch_eSituation_rule_4", on(N::eSituation_08, "nem:eSituation.08[. = '']").when(blank), &[
            warn("nemSch_e079", unless_emergency_cared_for, &[N::eSituation_08, N::eResponse_05, N::eDisposition_28], NEEDED_IF_EMERGENCY),
        ])
        .only(Releases::V350),
        rule("nemSch_eSituation_rule_5", on(N::eSituation_09, "nem:eSituation.09[. = '']").when(blank), &[
            warn("nemSch_e080", unless_emergency_cared_for, &[N::eSituation_09, N::eResponse_05, N::eDisposition_28], NEEDED_IF_EMERGENCY),
        ]),
        rule("nemSch_eSituation_rule_6", on(N::eSituation_10, "nem:eSituation.10[. != ''][1]").when(filled).first(), &[
            warn("nemSch_e081", e081, &[N::eSituation_10, N::eSituation_09], "{el} (other symptoms) should only be recorded with a primary symptom (eSituation.09)."),
        ]),
        rule("nemSch_eSituation_rule_7", on(N::eSituation_11, "nem:eSituation.11[. = '']").when(blank), &[
            warn("nemSch_e082", unless_emergency_cared_for, &[N::eSituation_11, N::eResponse_05, N::eDisposition_28], NEEDED_IF_EMERGENCY),
        ]),
        rule("nemSch_eSituation_rule_8", on(N::eSituation_12, "nem:eSituation.12[. != ''][1]").when(filled).first(), &[
            warn("nemSch_e083", e083, &[N::eSituation_12, N::eSituation_11], "{el} (secondary impressions) should only be recorded with a primary impression (eSituation.11)."),
        ]),
        rule("nemSch_eSituation_rule_9", on(N::eSituation_13, "nem:eSituation.13[. = '']").when(blank), &[
            warn("nemSch_e084", unless_emergency_cared_for, &[N::eSituation_13, N::eResponse_05, N::eDisposition_28], NEEDED_IF_EMERGENCY),
        ]),
        rule("nemSch_eSituation_rule_10", on(N::eSituation_18, "nem:eSituation.18[. = '']").when(blank), &[
            warn("nemSch_e085", e085, &[N::eSituation_18, N::eArrest_01, N::eDisposition_28], "{el} (last known well) should be recorded when the patient was evaluated and cared for (eDisposition.28) and had a cardiac arrest (eArrest.01 \"Yes\")."),
            warn("nemSch_e086", e086, &[N::eSituation_18, N::eVitals_29, N::eDisposition_28], "{el} (last known well) should be recorded when the patient was evaluated and cared for (eDisposition.28) and a stroke scale was positive (eVitals.29)."),
            warn("nemSch_e087", e087, &[N::eSituation_18, N::eVitals_03, N::eDisposition_28], "{el} (last known well) should be recorded when the patient was evaluated and cared for (eDisposition.28) and a cardiac rhythm shows a STEMI (eVitals.03)."),
        ]),
        rule("nemSch_eSituation_rule_11", on(N::eSituation_20, "nem:eSituation.20[. != '']").when(filled), &[
            warn("nemSch_e088", e088, &[N::eSituation_20, N::eResponse_05], "{el} (reason for interfacility transfer) should only be recorded for a transfer or other routine medical transport (eResponse.05)."),
        ]),
    ],
};
