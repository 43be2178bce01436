//! Pattern `nemSch_eMedications`: a recorded medication has its time, name, route, dosage and
//! who gave it; medication codes are RxNorm or one of the allowed SNOMED CT codes.

use super::super::values::is_2_to_7_digits;
use super::super::SNOMED_MEDICATIONS;
use super::super::{error, on, rule, warn, Cx, Pattern, Releases, R, N};
use super::{after_notified, after_patient_contact, before_back_in_service, before_transfer_of_care, filled, group_has_unflagged_value, prior_before_patient_contact, YES};


/// `nem:eMedications.MedicationGroup[some $element in .//* satisfies normalize-space($element) != ''
/// and not($element/@PN)]/…/X[. = '']` with the group `levels` above the context node.
fn blank_in_recorded_group(c: &Cx<'_>, levels: usize) -> bool {
    if !c.empty() {
        return false;
    }
    let mut g = c.node;
    for _ in 0..levels {
        g = c.tree().node(g).parent;
        if g == crate::record::NONE {
            return false;
        }
    }
    c.is_elem(g, N::eMedications_MedicationGroup) && group_has_unflagged_value(c, g)
}

fn blank_in_group(c: &Cx<'_>) -> bool {
    blank_in_recorded_group(c, 1)
}

/// `…MedicationGroup[…]/nem:eMedications.DosageGroup/X[. = '']`.
fn blank_in_group_dosage(c: &Cx<'_>) -> bool {
    let p = c.parent();
    p != crate::record::NONE && c.is_elem(p, N::eMedications_DosageGroup) && blank_in_recorded_group(c, 2)
}

/// nemSch_e136, e146, e150: `../nem:eMedications.02 = '9923003'`.
fn given_before(c: &Cx<'_>) -> R {
    Ok(c.sib(N::eMedications_02).is(YES))
}

/// nemSch_e147, e148: `../../nem:eMedications.02 = '9923003'`.
fn given_before_2(c: &Cx<'_>) -> R {
    Ok(c.sib_up(2, N::eMedications_02).is(YES))
}

/// nemSch_e137: `xs:dateTime(.) >= xs:dateTime(…/nem:eTimes.03) or ../nem:eMedications.02 = '9923003'`.
fn e137(c: &Cx<'_>) -> R {
    after_notified(c, N::eMedications_02)
}

/// nemSch_e138: `…/nem:eTimes.07 = '' or xs:dateTime(.) >= xs:dateTime(…/nem:eTimes.07) or ../nem:eMedications.02 = '9923003'`.
fn e138(c: &Cx<'_>) -> R {
    after_patient_contact(c, N::eMedications_02)
}

/// nemSch_e139: `…/nem:eTimes.12 = '' or xs:dateTime(.) <= xs:dateTime(…/nem:eTimes.12)`.
fn e139(c: &Cx<'_>) -> R {
    before_transfer_of_care(c)
}

/// nemSch_e140: `xs:dateTime(.) <= xs:dateTime(…/nem:eTimes.13)`.
fn e140(c: &Cx<'_>) -> R {
    before_back_in_service(c)
}

/// nemSch_e141: `…/nem:eTimes.07 = '' or xs:dateTime(.) <= xs:dateTime(…/nem:eTimes.07) or ../nem:eMedications.02 != '9923003'`.
fn e141(c: &Cx<'_>) -> R {
    prior_before_patient_contact(c, N::eMedications_02)
}

/// nemSch_e142: `false()`.
fn fail(_: &Cx<'_>) -> R {
    Ok(false)
}

/// `[. != '' and @CodeType]`.
fn coded_with_type(c: &Cx<'_>) -> bool {
    !c.empty() && c.attr("CodeType").is_some()
}

/// nemSch_e143: `matches(., '^[0-9]{2,7}$') or @CodeType != '9924003'`.
fn e143(c: &Cx<'_>) -> R {
    Ok(is_2_to_7_digits(&c.v()) || c.attr("CodeType").is_some_and(|t| t != "9924003"))
}

/// nemSch_e144: `. = (SNOMED CT medication codes) or @CodeType != '9924005'`.
fn e144(c: &Cx<'_>) -> R {
    Ok(SNOMED_MEDICATIONS.contains(&c.v().as_ref()) || c.attr("CodeType").is_some_and(|t| t != "9924005"))
}

/// nemSch_e145: `matches(., '^[0-9]{2,7}$') or . = (SNOMED CT medication codes)`.
fn e145(c: &Cx<'_>) -> R {
    let v = c.v();
    Ok(is_2_to_7_digits(&v) || SNOMED_MEDICATIONS.contains(&v.as_ref()))
}

fn is_none(c: &Cx<'_>) -> bool {
    c.v() == "3708031"
}

/// nemSch_e149: `count(../nem:eMedications.08) = 1`.
fn e149(c: &Cx<'_>) -> R {
    Ok(c.sib(N::eMedications_08).count() == 1)
}

/// The official context XPath of the rules on a recorded medication group's elements.
macro_rules! in_group {
    ($tail:literal) => {
        concat!("nem:eMedications.MedicationGroup[some $element in .//* satisfies normalize-space($element) != '' and not($element/@PN)]", $tail)
    };
}

pub(crate) static PATTERN: Pattern = Pattern {
    id: "nemSch_eMedications",
    releases: Releases::ALL,
    rules: &[
        rule("nemSch_eMedications_rule_1", on(N::eMedications_01, in_group!("/nem:eMedications.01[. = '']")).when(blank_in_group), &[warn(
            "nemSch_e136",
            given_before,
            &[N::eMedications_01, N::eMedications_02],
            "{el} (time given) should be recorded for a medication, unless it was given before this unit's care (eMedications.02 \"Yes\").",
        )]),
        rule("nemSch_eMedications_rule_2", on(N::eMedications_01, "nem:eMedications.01[. != '']").when(filled), &[
            warn("nemSch_e137", e137, &[N::eTimes_03, N::eMedications_01, N::eMedications_02], "{el} is earlier than the time the unit was notified (eTimes.03) but the medication is not marked as given before this unit's care (eMedications.02)."),
            warn("nemSch_e138", e138, &[N::eTimes_07, N::eMedications_01, N::eMedications_02], "{el} is earlier than patient contact (eTimes.07) but the medication is not marked as given before this unit's care (eMedications.02)."),
            warn("nemSch_e139", e139, &[N::eTimes_12, N::eMedications_01, N::eMedications_02], "{el} is later than the transfer of patient care (eTimes.12)."),
            warn("nemSch_e140", e140, &[N::eTimes_13, N::eMedications_01, N::eMedications_02], "{el} is later than the time the unit was back in service (eTimes.13)."),
            warn("nemSch_e141", e141, &[N::eTimes_07, N::eMedications_01, N::eMedications_02], "{el} is later than patient contact (eTimes.07) but the medication is marked as given before this unit's care (eMedications.02)."),
        ]),
        rule("nemSch_eMedications_rule_3", on(N::eMedications_03, in_group!("/nem:eMedications.03[. = '']")).when(blank_in_group), &[warn(
            "nemSch_e142",
            fail,
            &[],
            "{el} (the medication) should be recorded when other information about the medication is recorded.",
        )]),
        rule("nemSch_eMedications_rule_4", on(N::eMedications_03, "nem:eMedications.03[. != '' and @CodeType]").when(coded_with_type), &[
            error("nemSch_e143", e143, &[], "{el} is marked as an RxNorm code (CodeType 9924003) but is not 2 to 7 digits."),
            error("nemSch_e144", e144, &[], "{el} is marked as a SNOMED CT code (CodeType 9924005) but is not one of the SNOMED CT codes allowed for medications."),
        ]),
        rule("nemSch_eMedications_rule_5", on(N::eMedications_03, "nem:eMedications.03[. != '']").when(filled), &[error(
            "nemSch_e145",
            e145,
            &[],
            "{el} should be an RxNorm code (2 to 7 digits) or one of the SNOMED CT codes allowed for medications.",
        )]),
        rule("nemSch_eMedications_rule_6", on(N::eMedications_04, in_group!("/nem:eMedications.04[. = '']")).when(blank_in_group), &[warn(
            "nemSch_e146",
            given_before,
            &[N::eMedications_04, N::eMedications_02],
            "{el} (route) should be recorded for a medication, unless it was given before this unit's care (eMedications.02 \"Yes\").",
        )]),
        rule("nemSch_eMedications_rule_7", on(N::eMedications_05, in_group!("/nem:eMedications.DosageGroup/nem:eMedications.05[. = '']")).when(blank_in_group_dosage), &[warn(
            "nemSch_e147",
            given_before_2,
            &[N::eMedications_05, N::eMedications_02],
            "{el} (dosage) should be recorded for a medication, unless it was given before this unit's care (eMedications.02 \"Yes\").",
        )]),
        rule("nemSch_eMedications_rule_8", on(N::eMedications_06, in_group!("/nem:eMedications.DosageGroup/nem:eMedications.06[. = '']")).when(blank_in_group_dosage), &[warn(
            "nemSch_e148",
            given_before_2,
            &[N::eMedications_06, N::eMedications_02],
            "{el} (dosage units) should be recorded for a medication, unless it was given before this unit's care (eMedications.02 \"Yes\").",
        )]),
        rule("nemSch_eMedications_rule_9", on(N::eMedications_08, "nem:eMedications.08[. = '3708031'][1]").when(is_none).first(), &[warn(
            "nemSch_e149",
            e149,
            &[],
            "{el} is \"None\", so no other complication should be recorded with it.",
        )]),
        rule("nemSch_eMedications_rule_10", on(N::eMedications_10, in_group!("/nem:eMedications.10[. = '']")).when(blank_in_group), &[warn(
            "nemSch_e150",
            given_before,
            &[N::eMedications_10, N::eMedications_02],
            "{el} (role of the person giving it) should be recorded for a medication, unless it was given before this unit's care (eMedications.02 \"Yes\").",
        )]),
    ],
};
