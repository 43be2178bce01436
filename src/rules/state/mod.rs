//! StateDataSet national rules (`StateDataSet.sch`), one module per official pattern (or pair).

use super::eval::string_value;
use super::values::normalize_space;
use super::{Cx, Pattern};

mod agency;
mod configuration;
mod custom;
mod dataset;
mod element;
mod facility;
mod nil_nv;

/// The patterns in the official order.
pub(crate) static PATTERNS: &[&Pattern] = &[
    &nil_nv::NIL_NV,
    &nil_nv::NV,
    &dataset::PATTERN,
    &custom::SD,
    &custom::SE,
    &element::PATTERN,
    &configuration::PATTERN,
    &agency::PATTERN,
    &facility::PATTERN,
];

/// `not(. = preceding-sibling::X)` where X is the context element's own name.
pub(crate) fn first_of_its_value(c: &Cx<'_>) -> bool {
    let t = c.tree();
    let me = t.node(c.node).elem;
    let v = c.v();
    !c.preceding_siblings().any(|s| t.node(s).elem == me && string_value(t, s) == v)
}

/// `not(normalize-space(.) = preceding-sibling::X/normalize-space(.))`.
pub(crate) fn first_of_its_normalized_value(c: &Cx<'_>) -> bool {
    let t = c.tree();
    let me = t.node(c.node).elem;
    let v = normalize_space(&c.v());
    !c.preceding_siblings().any(|s| t.node(s).elem == me && normalize_space(&string_value(t, s)) == v)
}

/// `not(normalize-space(@a) = preceding-sibling::X/normalize-space(@a))` (an absent attribute
/// normalizes to '').
pub(crate) fn first_of_its_normalized_attr(c: &Cx<'_>, a: &str) -> bool {
    let t = c.tree();
    let me = t.node(c.node).elem;
    let v = normalize_space(c.attr(a).unwrap_or(""));
    !c.preceding_siblings().any(|s| t.node(s).elem == me && normalize_space(t.attr(s, a).unwrap_or("")) == v)
}
