//! Pattern `nemSch_eResponse`: unit agency information and the "None/No Delay" codes.

use super::super::{on, rule, warn, Cx, Pattern, Releases, R, N};

/// nemSch_e011: `. = ancestor::nem:Header/nem:DemographicGroup/nem:dAgency.02`: the agency
/// number in the record matches the Header's.
fn e011(c: &Cx<'_>) -> R {
    let v = c.v();
    Ok(c.all(N::dAgency_02).is(&v))
}

/// nemSch_e012: `count(../nem:eResponse.08) = 1`.
fn e012(c: &Cx<'_>) -> R {
    Ok(c.sib(N::eResponse_08).count() == 1)
}

/// nemSch_e013: `count(../nem:eResponse.09) = 1`.
fn e013(c: &Cx<'_>) -> R {
    Ok(c.sib(N::eResponse_09).count() == 1)
}

/// nemSch_e014: `count(../nem:eResponse.10) = 1`.
fn e014(c: &Cx<'_>) -> R {
    Ok(c.sib(N::eResponse_10).count() == 1)
}

/// nemSch_e015: `count(../nem:eResponse.11) = 1`.
fn e015(c: &Cx<'_>) -> R {
    Ok(c.sib(N::eResponse_11).count() == 1)
}

/// nemSch_e016: `count(../nem:eResponse.12) = 1`.
fn e016(c: &Cx<'_>) -> R {
    Ok(c.sib(N::eResponse_12).count() == 1)
}

/// `[. = code]` predicates of the "None/No Delay" rules.
fn is_2208013(c: &Cx<'_>) -> bool {
    c.v() == "2208013"
}
fn is_2209011(c: &Cx<'_>) -> bool {
    c.v() == "2209011"
}
fn is_2210017(c: &Cx<'_>) -> bool {
    c.v() == "2210017"
}
fn is_2211011(c: &Cx<'_>) -> bool {
    c.v() == "2211011"
}
fn is_2212015(c: &Cx<'_>) -> bool {
    c.v() == "2212015"
}

const NO_DELAY: &str = "{el} is \"None/No Delay\", so no other delay should be recorded with it.";

pub(crate) static PATTERN: Pattern = Pattern {
    id: "nemSch_eResponse",
    releases: Releases::ALL,
    rules: &[
        rule("nemSch_eResponse_rule_1", on(N::eResponse_01, "nem:eResponse.01"), &[warn(
            "nemSch_e011",
            e011,
            &[],
            "{el} does not match the agency number (dAgency.02) in the Header's demographic information.",
        )]),
        rule("nemSch_eResponse_rule_2", on(N::eResponse_08, "nem:eResponse.08[. = '2208013'][1]").when(is_2208013).first(), &[warn("nemSch_e012", e012, &[], NO_DELAY)]),
        rule("nemSch_eResponse_rule_3", on(N::eResponse_09, "nem:eResponse.09[. = '2209011'][1]").when(is_2209011).first(), &[warn("nemSch_e013", e013, &[], NO_DELAY)]),
        rule("nemSch_eResponse_rule_4", on(N::eResponse_10, "nem:eResponse.10[. = '2210017'][1]").when(is_2210017).first(), &[warn("nemSch_e014", e014, &[], NO_DELAY)]),
        rule("nemSch_eResponse_rule_5", on(N::eResponse_11, "nem:eResponse.11[. = '2211011'][1]").when(is_2211011).first(), &[warn("nemSch_e015", e015, &[], NO_DELAY)]),
        rule("nemSch_eResponse_rule_6", on(N::eResponse_12, "nem:eResponse.12[. = '2212015'][1]").when(is_2212015).first(), &[warn("nemSch_e016", e016, &[], NO_DELAY)]),
    ],
};
