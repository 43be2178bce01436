//! Pattern `nemSch_sAgency`: each agency is listed once.

use super::super::eval::string_value;
use super::super::{on, rule, warn, Cx, Pattern, Releases, R, N};
use crate::record::NodeId;

/// Every sAgencyGroup of the record with its sAgency.01 and sAgency.02 values.
struct Groups(Vec<(NodeId, Vec<String>, Vec<String>)>);

/// nemSch_s027: `not(preceding-sibling::nem:sAgencyGroup[nem:sAgency.01 = current()/nem:sAgency.01
/// and nem:sAgency.02 = current()/nem:sAgency.02])`.
fn s027(c: &Cx<'_>) -> R {
    let t = c.tree();
    let groups = c.memo().table("nemSch_s027", || {
        let vals = |g: NodeId, e: N| c.kids_of(g, e).map(|n| string_value(t, n).into_owned()).collect::<Vec<_>>();
        Groups(c.all(N::sAgencyGroup).map(|g| (g, vals(g, N::sAgency_01), vals(g, N::sAgency_02))).collect())
    });
    let Some(i) = groups.0.iter().position(|(g, ..)| *g == c.node) else { return Ok(true) };
    let (_, a1, a2) = &groups.0[i];
    let parent = c.parent();
    let dup = groups.0[..i]
        .iter()
        .any(|(g, b1, b2)| t.node(*g).parent == parent && b1.iter().any(|x| a1.contains(x)) && b2.iter().any(|x| a2.contains(x)));
    Ok(!dup)
}

pub(crate) static PATTERN: Pattern = Pattern {
    id: "nemSch_sAgency",
    releases: Releases::ALL,
    rules: &[rule("nemSch_sAgency_rule_1", on(N::sAgencyGroup, "nem:sAgencyGroup"), &[warn(
        "nemSch_s027",
        s027,
        &[],
        "This agency (same sAgency.01 state ID and sAgency.02 number) is already listed earlier.",
    )])],
};
