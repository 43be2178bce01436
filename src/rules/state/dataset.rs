//! Pattern `nemSch_StateDataSet`: the data set's time stamp is not in the future.

use super::super::{error, on, rule, Cx, Pattern, Releases, R, N};

/// nemSch_s004: `xs:dateTime(@timestamp) < current-dateTime() + xs:dayTimeDuration('PT1H')`.
fn s004(c: &Cx<'_>) -> R {
    c.attr_before_next_hour("timestamp")
}

pub(crate) static PATTERN: Pattern = Pattern {
    id: "nemSch_StateDataSet",
    releases: Releases::ALL,
    rules: &[rule("nemSch_StateDataSet_rule_1", on(N::StateDataSet, "nem:StateDataSet"), &[error(
        "nemSch_s004",
        s004,
        &[],
        "The StateDataSet time stamp (timestamp) is more than an hour in the future.",
    )])],
};
