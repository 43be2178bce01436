//! Pattern `nemSch_dAgency`: agency service area and organization type.

use super::super::values::prefix_chars;
use super::super::{on, rule, error, warn, Cx, Pattern, Releases, R, N};

/// nemSch_d006: `substring(., 1, 2) = ../nem:dAgency.05`: the county code starts with the state code.
fn d006(c: &Cx<'_>) -> R {
    let v = c.v();
    Ok(c.sib(N::dAgency_05).is(prefix_chars(&v, 2)))
}

/// nemSch_d007: `substring(., 1, 5) = ../nem:dAgency.06`: the census tract starts with a county code.
fn d007(c: &Cx<'_>) -> R {
    let v = c.v();
    Ok(c.sib(N::dAgency_06).is(prefix_chars(&v, 5)))
}

fn filled(c: &Cx<'_>) -> bool {
    !c.empty()
}

/// dAgency.13 "Fire Department".
const FIRE: &str = "9912001";

/// nemSch_d008: `. != '9912001' or ../nem:dAgency.26 != ''`.
fn d008(c: &Cx<'_>) -> R {
    Ok(c.v() != FIRE || c.sib(N::dAgency_26).is_not(""))
}

/// nemSch_d009: `. = '9912001' or not(../nem:dAgency.26 != '')`.
fn d009(c: &Cx<'_>) -> R {
    Ok(c.v() == FIRE || !c.sib(N::dAgency_26).is_not(""))
}

pub(crate) static PATTERN: Pattern = Pattern {
    id: "nemSch_dAgency",
    releases: Releases::ALL,
    rules: &[
        rule("nemSch_dAgency_rule_1", on(N::dAgency_06, "nem:dAgency.06"), &[error(
            "nemSch_d006",
            d006,
            &[N::dAgency_06, N::dAgency_05],
            "{el} (service area county) should be in the service area state (dAgency.05) of its group.",
        )]),
        rule("nemSch_dAgency_rule_2", on(N::dAgency_07, "nem:dAgency.07[. != '']").when(filled), &[warn(
            "nemSch_d007",
            d007,
            &[N::dAgency_07, N::dAgency_05, N::dAgency_06],
            "{el} (census tract) should be in one of the service area counties (dAgency.06) of its group.",
        )]),
        rule("nemSch_dAgency_rule_3", on(N::dAgency_13, "nem:dAgency.13"), &[
            warn("nemSch_d008", d008, &[], "The agency is a fire department ({el}), so its Fire Department ID Number (dAgency.26) should be recorded."),
            warn("nemSch_d009", d009, &[], "The agency is not a fire department ({el}), so no Fire Department ID Number (dAgency.26) should be recorded."),
        ]),
    ],
};
