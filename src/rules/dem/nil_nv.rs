//! Patterns `nemSch_dNilNvPn` (xsi:nil and Not Values go together) and `nemSch_dNvPn` (a Not
//! Value stands alone among the repetitions of an element).

use super::super::{any_nil, any_with, error, never, on, rule, warn, Cx, Pattern, Releases, R, N};

/// nemSch_d001: `@NV`.
fn d001(c: &Cx<'_>) -> R {
    Ok(c.attr("NV").is_some())
}

/// nemSch_d002: `@xsi:nil='true'`.
fn d002(c: &Cx<'_>) -> R {
    Ok(c.nil())
}

/// `[local-name() = (local-name(preceding-sibling::*[1]), local-name(following-sibling::*[1]))]`.
fn beside(c: &Cx<'_>) -> bool {
    c.beside_same_name()
}

/// nemSch_d003: `false()`.
fn fail(_: &Cx<'_>) -> R {
    Ok(false)
}


pub(crate) static NIL_NV_PN: Pattern = Pattern {
    id: "nemSch_dNilNvPn",
    releases: Releases::ALL,
    rules: &[
        rule("nemSch_dNilNvPn_rule_1", on(N::dCustomResults_01, "nem:dCustomResults.01"), &[never(
            "nemSch_dNilNvPn_rule_1",
            "Custom results are not checked for nil/Not Value combinations.",
        )]),
        rule("nemSch_dNilNvPn_rule_2", any_nil("*[@xsi:nil = 'true']"), &[error(
            "nemSch_d001",
            d001,
            &[],
            "{el} is empty: give it a Not Value where the element allows one, or leave the element out if it is optional.",
        )]),
        rule("nemSch_dNilNvPn_rule_3", any_with("NV", "*[@NV]"), &[error("nemSch_d002", d002, &[], "{el} has a Not Value, so it should be empty (xsi:nil=\"true\").")]),
    ],
};

pub(crate) static NV_PN: Pattern = Pattern {
    id: "nemSch_dNvPn",
    releases: Releases::ALL,
    rules: &[
        rule("nemSch_dNvPn_rule_1", on(N::dCustomResults_01, "nem:dCustomResults.01"), &[never(
            "nemSch_dNvPn_rule_1",
            "Custom results are not checked for a Not Value standing alone.",
        )]),
        rule(
            "nemSch_dNvPn_rule_2",
            any_with("NV", "*[@NV][local-name() = (local-name(preceding-sibling::*[1]), local-name(following-sibling::*[1]))]").when(beside),
            &[warn("nemSch_d003", fail, &[], "{el} has a Not Value, so no other value of it should be recorded.")],
        ),
    ],
};
