//! Pattern `nemSch_sFacility`: each facility is listed once, with its designations and phone
//! numbers not repeated and its county in its state.

use super::super::eval::string_value;
use super::super::values::normalize_space;
use super::super::{on, rule, warn, Cx, Ev, Pattern, Releases, R, N};
use super::{first_of_its_normalized_value, first_of_its_value};
use crate::record::NodeId;

/// What nemSch_s028 compares of one sFacility.FacilityGroup.
struct Facility {
    node: NodeId,
    /// `../nem:sFacility.01` (facility type of the enclosing sFacilityGroup).
    types: Vec<String>,
    /// `normalize-space(nem:sFacility.03)`, `.07`, `.08` (Err when the element repeats).
    n03: Result<String, Ev>,
    n07: Result<String, Ev>,
    n08: Result<String, Ev>,
    /// `nem:sFacility.08` and `nem:sFacility.09` values as they are.
    v08: Vec<String>,
    v09: Vec<String>,
}

struct Facilities(Vec<Facility>);

fn facilities(c: &Cx<'_>) -> Facilities {
    let t = c.tree();
    let vals = |g: NodeId, e: N| c.kids_of(g, e).map(|n| string_value(t, n).into_owned()).collect::<Vec<_>>();
    let norm = |g: NodeId, e: N| -> Result<String, Ev> {
        Ok(c.kids_of(g, e).single()?.map(|v| normalize_space(&v)).unwrap_or_default())
    };
    Facilities(
        c.all(N::sFacility_FacilityGroup)
            .map(|g| Facility {
                node: g,
                types: vals(t.node(g).parent, N::sFacility_01),
                n03: norm(g, N::sFacility_03),
                n07: norm(g, N::sFacility_07),
                n08: norm(g, N::sFacility_08),
                v08: vals(g, N::sFacility_08),
                v09: vals(g, N::sFacility_09),
            })
            .collect(),
    )
}

/// Whether earlier facility `p` duplicates `cur` (the predicate of nemSch_s028, evaluated at `p`).
fn same_facility(p: &Facility, cur: &Facility) -> Result<bool, Ev> {
    if !p.types.iter().any(|x| cur.types.contains(x)) {
        return Ok(false);
    }
    if *p.n03.as_ref().map_err(|e| *e)? != *cur.n03.as_ref().map_err(|e| *e)? {
        return Ok(false);
    }
    if *p.n07.as_ref().map_err(|e| *e)? != *cur.n07.as_ref().map_err(|e| *e)? {
        return Ok(false);
    }
    let n08 = p.n08.as_ref().map_err(|e| *e)?;
    if !cur.v08.iter().any(|v| v == n08) {
        return Ok(false);
    }
    Ok(p.v09.iter().any(|x| cur.v09.contains(x)))
}

/// nemSch_s028: `not(preceding::nem:sFacility.FacilityGroup[../nem:sFacility.01 = current()/../nem:sFacility.01
/// and normalize-space(nem:sFacility.03) = current()/normalize-space(nem:sFacility.03)
/// and normalize-space(nem:sFacility.07) = current()/normalize-space(nem:sFacility.07)
/// and normalize-space(nem:sFacility.08) = current()/nem:sFacility.08
/// and nem:sFacility.09 = current()/nem:sFacility.09])`.
fn s028(c: &Cx<'_>) -> R {
    let all = c.memo().table("nemSch_s028", || facilities(c));
    let Some(i) = all.0.iter().position(|f| f.node == c.node) else { return Ok(true) };
    let cur = &all.0[i];
    for p in &all.0[..i] {
        if same_facility(p, cur)? {
            return Ok(false);
        }
    }
    Ok(true)
}

/// nemSch_s029: `not(. = preceding-sibling::nem:sFacility.04)`.
fn s029(c: &Cx<'_>) -> R {
    Ok(first_of_its_value(c))
}

/// nemSch_s030: `not(normalize-space(.) = preceding-sibling::nem:sFacility.05/normalize-space(.))`.
fn s030(c: &Cx<'_>) -> R {
    Ok(first_of_its_normalized_value(c))
}

/// nemSch_s031: `starts-with(., ../nem:sFacility.09)`.
fn s031(c: &Cx<'_>) -> R {
    c.starts_with(c.sib(N::sFacility_09))
}

pub(crate) static PATTERN: Pattern = Pattern {
    id: "nemSch_sFacility",
    releases: Releases::ALL,
    rules: &[
        rule("nemSch_sFacility_rule_1", on(N::sFacility_FacilityGroup, "nem:sFacility.FacilityGroup"), &[warn(
            "nemSch_s028",
            s028,
            &[],
            "This facility (same type, location code, street address, city and state) is already listed earlier.",
        )]),
        rule("nemSch_sFacility_rule_2", on(N::sFacility_04, "nem:sFacility.04"), &[warn("nemSch_s029", s029, &[], "{el}: this hospital designation is listed twice for the facility.")]),
        rule("nemSch_sFacility_rule_3", on(N::sFacility_05, "nem:sFacility.05"), &[warn("nemSch_s030", s030, &[], "{el}: this National Provider Identifier is listed twice for the facility.")]),
        rule("nemSch_sFacility_rule_4", on(N::sFacility_11, "nem:sFacility.11"), &[warn(
            "nemSch_s031",
            s031,
            &[N::sFacility_11, N::sFacility_09],
            "{el} (facility county) should lie within the facility's state (sFacility.09).",
        )]),
    ],
};
