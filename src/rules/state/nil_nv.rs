//! Patterns `nemSch_sNilNvPn` (xsi:nil and Not Values go together) and `nemSch_sNvPn` (a Not
//! Value stands alone among the repetitions of an element).

use super::super::{any_nil, any_with, error, rule, warn, Cx, Pattern, Releases, R};

/// nemSch_s001: `@NV`.
fn s001(c: &Cx<'_>) -> R {
    Ok(c.attr("NV").is_some())
}

/// nemSch_s002: `@xsi:nil='true'`.
fn s002(c: &Cx<'_>) -> R {
    Ok(c.nil())
}

/// `[local-name() = (local-name(preceding-sibling::*[1]), local-name(following-sibling::*[1]))]`.
fn beside(c: &Cx<'_>) -> bool {
    c.beside_same_name()
}

/// nemSch_s003: `false()`.
fn fail(_: &Cx<'_>) -> R {
    Ok(false)
}

pub(crate) static NIL_NV: Pattern = Pattern {
    id: "nemSch_sNilNvPn",
    releases: Releases::ALL,
    rules: &[
        rule("nemSch_sNilNvPn_rule_1", any_nil("*[@xsi:nil = 'true']"), &[error(
            "nemSch_s001",
            s001,
            &[],
            "{el} is empty: give it a Not Value where the element allows one, or leave the element out if it is optional.",
        )]),
        rule("nemSch_sNilNvPn_rule_2", any_with("NV", "*[@NV]"), &[error("nemSch_s002", s002, &[], "{el} has a Not Value, so it should be empty (xsi:nil=\"true\").")]),
    ],
};

pub(crate) static NV: Pattern = Pattern {
    id: "nemSch_sNvPn",
    releases: Releases::ALL,
    rules: &[rule(
        "nemSch_sNvPn_rule_1",
        any_with("NV", "*[@NV][local-name() = (local-name(preceding-sibling::*[1]), local-name(following-sibling::*[1]))]")
            .when(beside),
        &[warn("nemSch_s003", fail, &[], "{el} has a Not Value, so no other value of it should be recorded.")],
    )],
};
