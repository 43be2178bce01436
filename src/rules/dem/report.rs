//! Patterns `nemSch_uuid` (UUIDs are unique within a DemographicReport) and
//! `nemSch_DemographicReport` (its time stamp is not in the future).

use std::collections::HashMap;

use super::super::{any_with, error, on, rule, Cx, Pattern, Releases, R, N};

/// nemSch_d005: `count(ancestor::nem:DemographicReport//*[@UUID = current()/@UUID]) = 1`.
fn d005(c: &Cx<'_>) -> R {
    let Some(uuid) = c.attr("UUID") else { return Ok(false) };
    let t = c.tree();
    if !c.is_elem(0, N::DemographicReport) {
        return Ok(false); // no DemographicReport ancestor: the count is 0
    }
    let counts = c.memo().uuids.get_or_init(|| {
        let mut m: HashMap<&str, u32> = HashMap::new();
        for d in t.descendants(0) {
            if let Some(u) = t.attr(d, "UUID") {
                *m.entry(u).or_default() += 1;
            }
        }
        m
    });
    Ok(counts.get(uuid).copied().unwrap_or(0) == 1)
}

/// nemSch_d004: `xs:dateTime(@timeStamp) < current-dateTime() + xs:dayTimeDuration('PT1H')`.
fn d004(c: &Cx<'_>) -> R {
    c.attr_before_next_hour("timeStamp")
}

pub(crate) static UUID: Pattern = Pattern {
    id: "nemSch_uuid",
    releases: Releases::ALL,
    rules: &[rule("nemSch_uuid_rule_1", any_with("UUID", "*[@UUID]"), &[error(
        "nemSch_d005",
        d005,
        &[],
        "{el} has a UUID that another element of this DemographicReport also has; UUIDs must be unique.",
    )])],
};

pub(crate) static REPORT: Pattern = Pattern {
    id: "nemSch_DemographicReport",
    releases: Releases::ALL,
    rules: &[rule("nemSch_DemographicReport_rule_1", on(N::DemographicReport, "nem:DemographicReport"), &[error(
        "nemSch_d004",
        d004,
        &[],
        "The DemographicReport time stamp (timeStamp) is more than an hour in the future.",
    )])],
};
