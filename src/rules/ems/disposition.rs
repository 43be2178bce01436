//! Pattern `nemSch_eDisposition`: destination, transport and disposition information fit the
//! unit, patient-care, crew and transport dispositions.

use super::super::{on, rule, warn, Cx, Pattern, Releases, R, N};
use super::{
    before_back_in_service, before_transfer_of_care, blank, filled, patient_care, transport, ARREST_YES, CONTACT_MADE, EVALUATED_AND_CARED, STEMI, STROKE_POSITIVE,
    TRANSPORTED_BY_UNIT,
};

/// eDisposition.30 codes of "no transport" dispositions (Patient Refused Transport, No Transport).
const NOT_TRANSPORTED: &[&str] = &["4230009", "4230013"];
/// eDisposition.21 hospital destinations (Hospital-Emergency Department, Hospital-Non-Emergency
/// Department Bed, Freestanding Emergency Department).
const HOSPITAL: &[&str] = &["4221003", "4221005", "4221023"];

/// nemSch_e160, e161, e163, e170: `not(ancestor::nem:eDisposition/…/nem:eDisposition.30 = ('4230001', '4230003'))`.
fn unless_transported(c: &Cx<'_>) -> R {
    Ok(!transport(c).is_any(TRANSPORTED_BY_UNIT))
}

/// nemSch_e162: `starts-with(., ../nem:eDisposition.05)`.
fn e162(c: &Cx<'_>) -> R {
    c.starts_with(c.sib(N::eDisposition_05))
}

/// nemSch_e164, e166: `. != '' or not(…/nem:eDisposition.30 = ('4230001', '4230003'))`.
fn needed_if_transported(c: &Cx<'_>) -> R {
    Ok(!c.empty() || !transport(c).is_any(TRANSPORTED_BY_UNIT))
}

/// nemSch_e165, e167: `. = '' or not(…/nem:eDisposition.30 = ('4230009', '4230013'))`.
fn only_if_transported(c: &Cx<'_>) -> R {
    Ok(c.empty() || !transport(c).is_any(NOT_TRANSPORTED))
}

/// nemSch_e168, e187: `ancestor::nem:eDisposition/…/nem:eDisposition.28 != '4228001'`.
fn unless_cared_for(c: &Cx<'_>) -> R {
    Ok(patient_care(c).is_not(EVALUATED_AND_CARED))
}

/// nemSch_e169: `../nem:eDisposition.20 != '' or not(…/nem:eDisposition.30 = ('4230001', '4230003'))`.
fn e169(c: &Cx<'_>) -> R {
    Ok(c.sib(N::eDisposition_20).is_not("") || !transport(c).is_any(TRANSPORTED_BY_UNIT))
}

/// `../nem:eDisposition.23 != '' or not(../nem:eDisposition.21 = (hospital) and CONDITION)`.
fn capability_needed(c: &Cx<'_>, condition: impl FnOnce() -> bool) -> R {
    Ok(c.sib(N::eDisposition_23).is_not("") || !(c.sib(N::eDisposition_21).is_any(HOSPITAL) && condition()))
}

/// nemSch_e171: `… and …/nem:eArrest/nem:eArrest.01 = ('3001003', '3001005')`.
fn e171(c: &Cx<'_>) -> R {
    capability_needed(c, || c.all(N::eArrest_01).is_any(ARREST_YES))
}

/// nemSch_e172: `… and …/nem:eVitals.StrokeScaleGroup/nem:eVitals.29 = '3329005'`.
fn e172(c: &Cx<'_>) -> R {
    capability_needed(c, || c.all(N::eVitals_29).is(STROKE_POSITIVE))
}

/// nemSch_e173: `… and …/nem:eVitals.CardiacRhythmGroup/nem:eVitals.03 = (STEMI codes)`.
fn e173(c: &Cx<'_>) -> R {
    capability_needed(c, || c.all(N::eVitals_03).is_any(STEMI))
}

fn is_no_alert(c: &Cx<'_>) -> bool {
    c.v() == "4224001"
}

/// nemSch_e174: `count(../../nem:eDisposition.HospitalTeamActivationGroup) = 1`.
fn e174(c: &Cx<'_>) -> R {
    Ok(c.sib_up(2, N::eDisposition_HospitalTeamActivationGroup).count() == 1)
}

/// `nem:eDisposition.HospitalTeamActivationGroup[* != '']`.
fn group_with_value(c: &Cx<'_>) -> bool {
    let t = c.tree();
    t.children(c.node).any(|k| !super::super::eval::string_value(t, k).is_empty())
}

/// nemSch_e175: `nem:eDisposition.24 != ''`.
fn e175(c: &Cx<'_>) -> R {
    Ok(c.kids(N::eDisposition_24).is_not(""))
}

/// nemSch_e176: `nem:eDisposition.25 != '' or nem:eDisposition.24 = '4224001'`.
fn e176(c: &Cx<'_>) -> R {
    Ok(c.kids(N::eDisposition_25).is_not("") || c.kids(N::eDisposition_24).is("4224001"))
}

/// nemSch_e177: `xs:dateTime(.) >= xs:dateTime(…/nem:eTimes/nem:eTimes.03)`.
fn e177(c: &Cx<'_>) -> R {
    c.not_before(c.all(N::eTimes_03))
}

/// nemSch_e178: `…/nem:eTimes.12 = '' or xs:dateTime(.) <= xs:dateTime(…/nem:eTimes.12)`.
fn e178(c: &Cx<'_>) -> R {
    before_transfer_of_care(c)
}

/// nemSch_e179: `xs:dateTime(.) <= xs:dateTime(…/nem:eTimes.13)`.
fn e179(c: &Cx<'_>) -> R {
    before_back_in_service(c)
}

/// nemSch_e180: `. = '4227001' or not(../nem:eDisposition.28 = ('4228001', '4228003', '4228005', '4228007'))`.
fn e180(c: &Cx<'_>) -> R {
    Ok(c.v() == CONTACT_MADE || !c.sib(N::eDisposition_28).is_any(&["4228001", "4228003", "4228005", "4228007"]))
}

/// nemSch_e181: `. = '4227001' or not(../nem:eDisposition.29 = ('4229001', '4229003', '4229005', '4229007'))`.
fn e181(c: &Cx<'_>) -> R {
    Ok(c.v() == CONTACT_MADE || !c.sib(N::eDisposition_29).is_any(&["4229001", "4229003", "4229005", "4229007"]))
}

/// nemSch_e182: `. = '4227001' or ../nem:eDisposition.30 = ('', '4230011', '4230013')`.
fn e182(c: &Cx<'_>) -> R {
    Ok(c.v() == CONTACT_MADE || c.sib(N::eDisposition_30).is_any(&["", "4230011", "4230013"]))
}

/// nemSch_e183: `. != '' or ../nem:eDisposition.27 != '4227001'`.
fn e183(c: &Cx<'_>) -> R {
    Ok(!c.empty() || c.sib(N::eDisposition_27).is_not(CONTACT_MADE))
}

/// nemSch_e184: `. = '4228001' or not(../nem:eDisposition.29 = ('4229001', '4229003', '4229005', '4229007'))`.
fn e184(c: &Cx<'_>) -> R {
    Ok(c.v() == EVALUATED_AND_CARED || !c.sib(N::eDisposition_29).is_any(&["4229001", "4229003", "4229005", "4229007"]))
}

/// nemSch_e185, e186: `../nem:eDisposition.27 != '4227001'`.
fn unless_contact(c: &Cx<'_>) -> R {
    Ok(c.sib(N::eDisposition_27).is_not(CONTACT_MADE))
}

/// `[. = '' or . = '4232013']`.
fn blank_or_4232013(c: &Cx<'_>) -> bool {
    let v = c.v();
    v.is_empty() || v == "4232013"
}

const NEEDED_IF_TRANSPORTED: &str = "{el} should be recorded when the patient was transported by this EMS unit (eDisposition.30).";
const NOT_IF_NOT_TRANSPORTED: &str = "{el} should not be recorded when the patient was not transported (eDisposition.30 \"Patient Refused Transport\" or \"No Transport\").";
/// Message of nemSch_e171-e173.
macro_rules! concat_msg {
    ($tail:literal) => {
        concat!("{el} (hospital capability) should be recorded for a hospital destination (eDisposition.21)", $tail)
    };
}

pub(crate) static PATTERN: Pattern = Pattern {
    id: "nemSch_eDisposition",
    releases: Releases::ALL,
    rules: &[
        rule("nemSch_eDisposition_rule_1", on(N::eDisposition_05, "nem:eDisposition.05[. = '']").when(blank), &[
            warn("nemSch_e160", unless_transported, &[N::eDisposition_05, N::eDisposition_30], NEEDED_IF_TRANSPORTED),
        ]),
        rule("nemSch_eDisposition_rule_2", on(N::eDisposition_06, "nem:eDisposition.06[. = '']").when(blank), &[
            warn("nemSch_e161", unless_transported, &[N::eDisposition_06, N::eDisposition_30], NEEDED_IF_TRANSPORTED),
        ]),
        rule("nemSch_eDisposition_rule_3", on(N::eDisposition_06, "nem:eDisposition.06[. != '']").when(filled), &[
            warn("nemSch_e162", e162, &[N::eDisposition_06, N::eDisposition_05], "{el} (destination county) should lie within the destination state (eDisposition.05)."),
        ]),
        rule("nemSch_eDisposition_rule_4", on(N::eDisposition_07, "nem:eDisposition.07[. = '']").when(blank), &[
            warn("nemSch_e163", unless_transported, &[N::eDisposition_07, N::eDisposition_30], NEEDED_IF_TRANSPORTED),
        ]),
        rule("nemSch_eDisposition_rule_5", on(N::eDisposition_16, "nem:eDisposition.16"), &[
            warn("nemSch_e164", needed_if_transported, &[N::eDisposition_16, N::eDisposition_30], NEEDED_IF_TRANSPORTED),
            warn("nemSch_e165", only_if_transported, &[N::eDisposition_16, N::eDisposition_30], NOT_IF_NOT_TRANSPORTED),
        ]),
        rule("nemSch_eDisposition_rule_6", on(N::eDisposition_17, "nem:eDisposition.17"), &[
            warn("nemSch_e166", needed_if_transported, &[N::eDisposition_17, N::eDisposition_30], NEEDED_IF_TRANSPORTED),
            warn("nemSch_e167", only_if_transported, &[N::eDisposition_17, N::eDisposition_30], NOT_IF_NOT_TRANSPORTED),
        ]),
        rule("nemSch_eDisposition_rule_7", on(N::eDisposition_19, "nem:eDisposition.19[. = '']").when(blank), &[
            warn("nemSch_e168", unless_cared_for, &[N::eDisposition_19, N::eDisposition_28], "{el} (acuity at release) should be recorded when the patient was evaluated and cared for (eDisposition.28)."),
        ]),
        rule("nemSch_eDisposition_rule_8", on(N::eDisposition_20, "nem:eDisposition.20[. = ''][1]").when(blank).first(), &[
            warn("nemSch_e169", e169, &[N::eDisposition_20, N::eDisposition_30], NEEDED_IF_TRANSPORTED),
        ]),
        rule("nemSch_eDisposition_rule_9", on(N::eDisposition_21, "nem:eDisposition.21[. = '']").when(blank), &[
            warn("nemSch_e170", unless_transported, &[N::eDisposition_21, N::eDisposition_30], NEEDED_IF_TRANSPORTED),
        ]),
        rule("nemSch_eDisposition_rule_10", on(N::eDisposition_23, "nem:eDisposition.23[. = ''][1]").when(blank).first(), &[
            warn("nemSch_e171", e171, &[N::eDisposition_23, N::eDisposition_21, N::eArrest_01], concat_msg!(" when the patient had a cardiac arrest (eArrest.01).")),
            warn("nemSch_e172", e172, &[N::eDisposition_23, N::eDisposition_21, N::eVitals_29], concat_msg!(" when a stroke scale was positive (eVitals.29).")),
            warn("nemSch_e173", e173, &[N::eDisposition_23, N::eDisposition_21, N::eVitals_03], concat_msg!(" when a cardiac rhythm shows a STEMI (eVitals.03).")),
        ]),
        rule("nemSch_eDisposition_rule_11", on(N::eDisposition_24, "nem:eDisposition.24[. = '4224001'][1]").when(is_no_alert).first(), &[
            warn("nemSch_e174", e174, &[], "{el} is \"No\" (no pre-arrival alert), so no other alert or activation should be recorded with it."),
        ]),
        rule("nemSch_eDisposition_rule_12", on(N::eDisposition_HospitalTeamActivationGroup, "nem:eDisposition.HospitalTeamActivationGroup[* != '']").when(group_with_value), &[
            warn("nemSch_e175", e175, &[], "eDisposition.24 (pre-arrival alert or activation) should be recorded when its date/time (eDisposition.25) is recorded."),
            warn("nemSch_e176", e176, &[], "eDisposition.25 (date/time of the alert or activation) should be recorded when an alert (eDisposition.24) other than \"No\" is recorded."),
        ]),
        rule("nemSch_eDisposition_rule_13", on(N::eDisposition_25, "nem:eDisposition.25[. != '']").when(filled), &[
            warn("nemSch_e177", e177, &[N::eTimes_03, N::eDisposition_25], "{el} is earlier than the time the unit was notified (eTimes.03)."),
            warn("nemSch_e178", e178, &[N::eTimes_12, N::eDisposition_25], "{el} is later than the transfer of patient care (eTimes.12)."),
            warn("nemSch_e179", e179, &[N::eTimes_13, N::eDisposition_25], "{el} is later than the time the unit was back in service (eTimes.13)."),
        ]),
        rule("nemSch_eDisposition_rule_14", on(N::eDisposition_27, "nem:eDisposition.27"), &[
            warn("nemSch_e180", e180, &[N::eDisposition_27, N::eDisposition_28], "{el} should be \"Patient Contact Made\" when a patient evaluation/care (eDisposition.28) is recorded."),
            warn("nemSch_e181", e181, &[N::eDisposition_27, N::eDisposition_29], "{el} should be \"Patient Contact Made\" when the crew provided care (eDisposition.29)."),
            warn("nemSch_e182", e182, &[N::eDisposition_27, N::eDisposition_30], "{el} should be \"Patient Contact Made\" unless the transport disposition (eDisposition.30) is empty, \"Non-Patient Transport\" or \"No Transport\"."),
        ]),
        rule("nemSch_eDisposition_rule_15", on(N::eDisposition_28, "nem:eDisposition.28"), &[
            warn("nemSch_e183", e183, &[N::eDisposition_28, N::eDisposition_27], "{el} should be recorded when the unit disposition (eDisposition.27) is \"Patient Contact Made\"."),
            warn("nemSch_e184", e184, &[N::eDisposition_28, N::eDisposition_29], "{el} should be \"Patient Evaluated and Care Provided\" when the crew provided care (eDisposition.29)."),
        ]),
        rule("nemSch_eDisposition_rule_16", on(N::eDisposition_29, "nem:eDisposition.29[. = '']").when(blank), &[
            warn("nemSch_e185", unless_contact, &[N::eDisposition_29, N::eDisposition_27], "{el} should be recorded when the unit disposition (eDisposition.27) is \"Patient Contact Made\"."),
        ]),
        rule("nemSch_eDisposition_rule_17", on(N::eDisposition_30, "nem:eDisposition.30[. = '']").when(blank), &[
            warn("nemSch_e186", unless_contact, &[N::eDisposition_30, N::eDisposition_27], "{el} should be recorded when the unit disposition (eDisposition.27) is \"Patient Contact Made\"."),
        ]),
        rule("nemSch_eDisposition_rule_18", on(N::eDisposition_32, "nem:eDisposition.32[. = '' or . = '4232013']").when(blank_or_4232013), &[
            warn("nemSch_e187", unless_cared_for, &[N::eDisposition_32, N::eDisposition_28], "{el} (level of care) should be recorded, and not as \"No Care Provided\", when the patient was evaluated and cared for (eDisposition.28)."),
        ]),
    ],
};
