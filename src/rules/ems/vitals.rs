//! Pattern `nemSch_eVitals`: vital signs have a time within the call, and ETCO2 values fit
//! their type.

use std::cmp::Ordering;

use super::super::values::{castable_integer, decimal_cmp};
use super::super::{eval::has_text, on, rule, warn, Cx, Ev, Pattern, Releases, R, N};
use super::{after_notified, after_patient_contact, before_back_in_service, before_transfer_of_care, filled, prior_before_patient_contact, YES};

/// `nem:eVitals.VitalGroup[some $element in .//* satisfies normalize-space($element) != '']/nem:eVitals.01[. = '']`.
fn blank_in_recorded_group(c: &Cx<'_>) -> bool {
    let p = c.parent();
    c.empty() && p != crate::record::NONE && c.is_elem(p, N::eVitals_VitalGroup) && has_text(c.tree(), p)
}

/// nemSch_e125: `../nem:eVitals.02 = '9923003'`.
fn e125(c: &Cx<'_>) -> R {
    Ok(c.sib(N::eVitals_02).is(YES))
}

/// nemSch_e126: `xs:dateTime(.) >= xs:dateTime(…/nem:eTimes.03) or ../nem:eVitals.02 = '9923003'`.
fn e126(c: &Cx<'_>) -> R {
    after_notified(c, N::eVitals_02)
}

/// nemSch_e127: `…/nem:eTimes.07 = '' or xs:dateTime(.) >= xs:dateTime(…/nem:eTimes.07) or ../nem:eVitals.02 = '9923003'`.
fn e127(c: &Cx<'_>) -> R {
    after_patient_contact(c, N::eVitals_02)
}

/// nemSch_e128: `…/nem:eTimes.12 = '' or xs:dateTime(.) <= xs:dateTime(…/nem:eTimes.12)`.
fn e128(c: &Cx<'_>) -> R {
    before_transfer_of_care(c)
}

/// nemSch_e129: `xs:dateTime(.) <= xs:dateTime(…/nem:eTimes.13)`.
fn e129(c: &Cx<'_>) -> R {
    before_back_in_service(c)
}

/// nemSch_e130: `…/nem:eTimes.07 = '' or xs:dateTime(.) <= xs:dateTime(…/nem:eTimes.07) or ../nem:eVitals.02 != '9923003'`.
fn e130(c: &Cx<'_>) -> R {
    prior_before_patient_contact(c, N::eVitals_02)
}

/// `xs:decimal(.) <= 100 or not(@ETCO2Type = TYPE)`.
fn percent_at_most_100(c: &Cx<'_>, ty: &str) -> R {
    let le = decimal_cmp(&c.v(), 100).ok_or(Ev::NotDecimal)? != Ordering::Greater;
    Ok(le || c.attr("ETCO2Type") != Some(ty))
}

/// nemSch_e131: `xs:decimal(.) <= 100 or not(@ETCO2Type = '3340003')`.
fn e131(c: &Cx<'_>) -> R {
    percent_at_most_100(c, "3340003")
}

/// nemSch_e132: `xs:decimal(.) <= 100 or not(@ETCO2Type = '3340005')`.
fn e132(c: &Cx<'_>) -> R {
    percent_at_most_100(c, "3340005")
}

/// nemSch_e133: `. castable as xs:integer or not(@ETCO2Type = '3340001')`.
fn e133(c: &Cx<'_>) -> R {
    Ok(castable_integer(&c.v()) || c.attr("ETCO2Type") != Some("3340001"))
}

/// nemSch_e134: `@ETCO2Type`.
fn e134(c: &Cx<'_>) -> R {
    Ok(c.attr("ETCO2Type").is_some())
}

fn is_initial_gcs_legitimate(c: &Cx<'_>) -> bool {
    c.v() == "3322003"
}

/// nemSch_e135: `count(../nem:eVitals.22) = 1`.
fn e135(c: &Cx<'_>) -> R {
    Ok(c.sib(N::eVitals_22).count() == 1)
}

pub(crate) static PATTERN: Pattern = Pattern {
    id: "nemSch_eVitals",
    releases: Releases::ALL,
    rules: &[
        rule(
            "nemSch_eVitals_rule_1",
            on(N::eVitals_01, "nem:eVitals.VitalGroup[some $element in .//* satisfies normalize-space($element) != '']/nem:eVitals.01[. = '']").when(blank_in_recorded_group),
            &[warn("nemSch_e125", e125, &[N::eVitals_01, N::eVitals_02], "{el} (time of vitals) should be recorded for a set of vital signs, unless it was obtained before this unit's care (eVitals.02 \"Yes\").")],
        ),
        rule("nemSch_eVitals_rule_2", on(N::eVitals_01, "nem:eVitals.01[. != '']").when(filled), &[
            warn("nemSch_e126", e126, &[N::eTimes_03, N::eVitals_01, N::eVitals_02], "{el} is earlier than the time the unit was notified (eTimes.03) but the vitals are not marked as taken before this unit's care (eVitals.02)."),
            warn("nemSch_e127", e127, &[N::eTimes_07, N::eVitals_01, N::eVitals_02], "{el} is earlier than patient contact (eTimes.07) but the vitals are not marked as taken before this unit's care (eVitals.02)."),
            warn("nemSch_e128", e128, &[N::eTimes_12, N::eVitals_01, N::eVitals_02], "{el} is later than the transfer of patient care (eTimes.12)."),
            warn("nemSch_e129", e129, &[N::eTimes_13, N::eVitals_01, N::eVitals_02], "{el} is later than the time the unit was back in service (eTimes.13)."),
            warn("nemSch_e130", e130, &[N::eTimes_07, N::eVitals_01, N::eVitals_02], "{el} is later than patient contact (eTimes.07) but the vitals are marked as taken before this unit's care (eVitals.02)."),
        ]),
        rule("nemSch_eVitals_rule_3", on(N::eVitals_16, "nem:eVitals.16[. != '']").when(filled), &[
            warn("nemSch_e131", e131, &[], "{el} should not exceed 100 when its ETCO2 type is a percentage (3340003)."),
            warn("nemSch_e132", e132, &[], "{el} should not exceed 100 when its ETCO2 type is kPa (3340005)."),
            warn("nemSch_e133", e133, &[], "{el} should be a whole number when its ETCO2 type is mmHg (3340001)."),
            warn("nemSch_e134", e134, &[], "{el} should have its ETCO2Type attribute."),
        ]),
        rule("nemSch_eVitals_rule_4", on(N::eVitals_22, "nem:eVitals.22[. = '3322003'][1]").when(is_initial_gcs_legitimate).first(), &[warn(
            "nemSch_e135",
            e135,
            &[],
            "{el} says the initial GCS is legitimate without interventions, so no other qualifier should be recorded with it.",
        )]),
    ],
};
