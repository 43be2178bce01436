//! Pattern `nemSch_eProcedures`: a recorded procedure has its time, the procedure itself and
//! who performed it.

use super::super::{on, rule, warn, Cx, Pattern, Releases, R, N};
use super::{after_notified, after_patient_contact, before_back_in_service, before_transfer_of_care, filled, group_has_unflagged_value, prior_before_patient_contact, YES};

/// `nem:eProcedures.ProcedureGroup[some $element in .//* satisfies normalize-space($element) != ''
/// and not($element/@PN)]/X[. = '']`.
fn blank_in_group(c: &Cx<'_>) -> bool {
    let p = c.parent();
    c.empty() && p != crate::record::NONE && c.is_elem(p, N::eProcedures_ProcedureGroup) && group_has_unflagged_value(c, p)
}

/// nemSch_e151, e159: `../nem:eProcedures.02 = '9923003'`.
fn done_before(c: &Cx<'_>) -> R {
    Ok(c.sib(N::eProcedures_02).is(YES))
}

/// nemSch_e152: `xs:dateTime(.) >= xs:dateTime(…/nem:eTimes.03) or ../nem:eProcedures.02 = '9923003'`.
fn e152(c: &Cx<'_>) -> R {
    after_notified(c, N::eProcedures_02)
}

/// nemSch_e153: `…/nem:eTimes.07 = '' or xs:dateTime(.) >= xs:dateTime(…/nem:eTimes.07) or ../nem:eProcedures.02 = '9923003'`.
fn e153(c: &Cx<'_>) -> R {
    after_patient_contact(c, N::eProcedures_02)
}

/// nemSch_e154: `…/nem:eTimes.12 = '' or xs:dateTime(.) <= xs:dateTime(…/nem:eTimes.12)`.
fn e154(c: &Cx<'_>) -> R {
    before_transfer_of_care(c)
}

/// nemSch_e155: `xs:dateTime(.) <= xs:dateTime(…/nem:eTimes.13)`.
fn e155(c: &Cx<'_>) -> R {
    before_back_in_service(c)
}

/// nemSch_e156: `…/nem:eTimes.07 = '' or xs:dateTime(.) <= xs:dateTime(…/nem:eTimes.07) or ../nem:eProcedures.02 != '9923003'`.
fn e156(c: &Cx<'_>) -> R {
    prior_before_patient_contact(c, N::eProcedures_02)
}

/// nemSch_e157: `false()`.
fn fail(_: &Cx<'_>) -> R {
    Ok(false)
}

fn is_none(c: &Cx<'_>) -> bool {
    c.v() == "3907033"
}

/// nemSch_e158: `count(../nem:eProcedures.07) = 1`.
fn e158(c: &Cx<'_>) -> R {
    Ok(c.sib(N::eProcedures_07).count() == 1)
}

/// The official context XPath of the rules on a recorded procedure group's elements.
macro_rules! in_group {
    ($tail:literal) => {
        concat!("nem:eProcedures.ProcedureGroup[some $element in .//* satisfies normalize-space($element) != '' and not($element/@PN)]", $tail)
    };
}

pub(crate) static PATTERN: Pattern = Pattern {
    id: "nemSch_eProcedures",
    releases: Releases::ALL,
    rules: &[
        rule("nemSch_eProcedures_rule_1", on(N::eProcedures_01, in_group!("/nem:eProcedures.01[. = '']")).when(blank_in_group), &[warn(
            "nemSch_e151",
            done_before,
            &[N::eProcedures_01, N::eProcedures_02],
            "{el} (time performed) should be recorded for a procedure, unless it was done before this unit's care (eProcedures.02 \"Yes\").",
        )]),
        rule("nemSch_eProcedures_rule_2", on(N::eProcedures_01, "nem:eProcedures.01[. != '']").when(filled), &[
            warn("nemSch_e152", e152, &[N::eTimes_03, N::eProcedures_01, N::eProcedures_02], "{el} is earlier than the time the unit was notified (eTimes.03) but the procedure is not marked as done before this unit's care (eProcedures.02)."),
            warn("nemSch_e153", e153, &[N::eTimes_07, N::eProcedures_01, N::eProcedures_02], "{el} is earlier than patient contact (eTimes.07) but the procedure is not marked as done before this unit's care (eProcedures.02)."),
            warn("nemSch_e154", e154, &[N::eTimes_12, N::eProcedures_01, N::eProcedures_02], "{el} is later than the transfer of patient care (eTimes.12)."),
            warn("nemSch_e155", e155, &[N::eTimes_13, N::eProcedures_01, N::eProcedures_02], "{el} is later than the time the unit was back in service (eTimes.13)."),
            warn("nemSch_e156", e156, &[N::eTimes_07, N::eProcedures_01, N::eProcedures_02], "{el} is later than patient contact (eTimes.07) but the procedure is marked as done before this unit's care (eProcedures.02)."),
        ]),
        rule("nemSch_eProcedures_rule_3", on(N::eProcedures_03, in_group!("/nem:eProcedures.03[. = '']")).when(blank_in_group), &[warn(
            "nemSch_e157",
            fail,
            &[],
            "{el} (the procedure) should be recorded when other information about the procedure is recorded.",
        )]),
        rule("nemSch_eProcedures_rule_4", on(N::eProcedures_07, "nem:eProcedures.07[. = '3907033'][1]").when(is_none).first(), &[warn(
            "nemSch_e158",
            e158,
            &[],
            "{el} is \"None\", so no other complication should be recorded with it.",
        )]),
        rule("nemSch_eProcedures_rule_5", on(N::eProcedures_10, in_group!("/nem:eProcedures.10[. = '']")).when(blank_in_group), &[warn(
            "nemSch_e159",
            done_before,
            &[N::eProcedures_10, N::eProcedures_02],
            "{el} (role of the person performing it) should be recorded for a procedure, unless it was done before this unit's care (eProcedures.02 \"Yes\").",
        )]),
    ],
};
