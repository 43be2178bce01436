//! Pattern `nemSch_sElement`: each element the state collects is listed once.

use super::super::{on, rule, warn, Cx, Pattern, Releases, R, N};
use super::first_of_its_normalized_value;

/// nemSch_s015: `not(normalize-space(.) = preceding-sibling::nem:sElement.01/normalize-space(.))`.
fn s015(c: &Cx<'_>) -> R {
    Ok(first_of_its_normalized_value(c))
}

pub(crate) static PATTERN: Pattern = Pattern {
    id: "nemSch_sElement",
    releases: Releases::ALL,
    rules: &[rule("nemSch_sElement_rule_1", on(N::sElement_01, "nem:sElement.01"), &[warn("nemSch_s015", s015, &[], "{el}: this element is already listed.")])],
};
