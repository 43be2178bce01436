//! Pattern `nemSch_eHistory`: patient history.

use super::super::{on, rule, warn, Cx, Pattern, Releases, R, N};

fn is_none_noted(c: &Cx<'_>) -> bool {
    c.v() == "3101009"
}

/// nemSch_e124: `count(../nem:eHistory.01) = 1`.
fn e124(c: &Cx<'_>) -> R {
    Ok(c.sib(N::eHistory_01).count() == 1)
}

pub(crate) static PATTERN: Pattern = Pattern {
    id: "nemSch_eHistory",
    releases: Releases::ALL,
    rules: &[rule("nemSch_eHistory_rule_1", on(N::eHistory_01, "nem:eHistory.01[. = '3101009'][1]").when(is_none_noted).first(), &[warn(
        "nemSch_e124",
        e124,
        &[],
        "{el} is \"None Noted\", so no other barrier to care should be recorded with it.",
    )])],
};
