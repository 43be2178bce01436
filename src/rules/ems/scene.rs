//! Pattern `nemSch_eScene`: incident scene information.

use super::super::{on, rule, warn, Cx, Pattern, Releases, R, N};
use super::{blank, filled, unit_disposition, CANCELLED_PRIOR, CONTACT_MADE, YES};

/// nemSch_e067: `. = ('2707001', '2707005') or …/nem:eDisposition.27 != '4227001'`.
fn e067(c: &Cx<'_>) -> R {
    Ok(c.me().is_any(&["2707001", "2707005"]) || unit_disposition(c).is_not(CONTACT_MADE))
}

/// nemSch_e068: `. = '2707001' or ../nem:eScene.07 != '9923003'`.
fn e068(c: &Cx<'_>) -> R {
    Ok(c.v() == "2707001" || c.sib(N::eScene_07).is_not(YES))
}

/// nemSch_e069: `../nem:eScene.07 != '9923003'`.
fn e069(c: &Cx<'_>) -> R {
    Ok(c.sib(N::eScene_07).is_not(YES))
}

/// nemSch_e070, e071, e072, e073: `…/nem:eDisposition.27 = '4227005'`.
fn unless_cancelled(c: &Cx<'_>) -> R {
    Ok(unit_disposition(c).is(CANCELLED_PRIOR))
}

/// nemSch_e074: `starts-with(., ../nem:eScene.18)`.
fn e074(c: &Cx<'_>) -> R {
    c.starts_with(c.sib(N::eScene_18))
}

const NEEDED_UNLESS_CANCELLED: &str = "{el} should be recorded unless the unit disposition (eDisposition.27) is \"Cancelled Prior to Arrival at Scene\".";

pub(crate) static PATTERN: Pattern = Pattern {
    id: "nemSch_eScene",
    releases: Releases::ALL,
    rules: &[
        rule("nemSch_eScene_rule_1", on(N::eScene_06, "nem:eScene.06"), &[
            warn("nemSch_e067", e067, &[N::eScene_06, N::eDisposition_27], "{el} should be \"Multiple\" or \"Single\" when the unit disposition (eDisposition.27) is \"Patient Contact Made\"."),
            warn("nemSch_e068", e068, &[N::eScene_06, N::eScene_07], "{el} should be \"Multiple\" when the scene is a mass casualty incident (eScene.07 \"Yes\")."),
        ]),
        rule("nemSch_eScene_rule_2", on(N::eScene_08, "nem:eScene.08[. = '']").when(blank), &[
            warn("nemSch_e069", e069, &[N::eScene_08, N::eScene_07], "{el} (triage classification) should be recorded when the scene is a mass casualty incident (eScene.07 \"Yes\")."),
        ]),
        rule("nemSch_eScene_rule_3", on(N::eScene_09, "nem:eScene.09[. = '']").when(blank), &[
            warn("nemSch_e070", unless_cancelled, &[N::eScene_09, N::eDisposition_27], NEEDED_UNLESS_CANCELLED),
        ]),
        rule("nemSch_eScene_rule_4", on(N::eScene_18, "nem:eScene.18[. = '']").when(blank), &[
            warn("nemSch_e071", unless_cancelled, &[N::eScene_18, N::eDisposition_27], NEEDED_UNLESS_CANCELLED),
        ]),
        rule("nemSch_eScene_rule_5", on(N::eScene_19, "nem:eScene.19[. = '']").when(blank), &[
            warn("nemSch_e072", unless_cancelled, &[N::eScene_19, N::eDisposition_27], NEEDED_UNLESS_CANCELLED),
        ]),
        rule("nemSch_eScene_rule_6", on(N::eScene_21, "nem:eScene.21[. = '']").when(blank), &[
            warn("nemSch_e073", unless_cancelled, &[N::eScene_21, N::eDisposition_27], NEEDED_UNLESS_CANCELLED),
        ]),
        rule("nemSch_eScene_rule_7", on(N::eScene_21, "nem:eScene.21[. != '']").when(filled), &[
            warn("nemSch_e074", e074, &[N::eScene_21, N::eScene_18], "{el} (county) should lie within the incident state (eScene.18)."),
        ]),
    ],
};
