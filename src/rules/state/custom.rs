//! Patterns `nemSch_sdCustomConfiguration` and `nemSch_seCustomConfiguration`: custom element
//! ids and custom values are not repeated.

use super::super::{error, on, rule, Cx, Pattern, Releases, R, N};
use super::{first_of_its_normalized_attr, first_of_its_normalized_value, first_of_its_value};

/// nemSch_s005, s010: `not(normalize-space(@CustomElementID) = preceding-sibling::X.CustomGroup/normalize-space(@CustomElementID))`.
fn unique_custom_id(c: &Cx<'_>) -> R {
    Ok(first_of_its_normalized_attr(c, "CustomElementID"))
}

/// nemSch_s006, s011: `not(normalize-space(.) = preceding-sibling::X.06/normalize-space(.))`.
fn unique_value(c: &Cx<'_>) -> R {
    Ok(first_of_its_normalized_value(c))
}

/// nemSch_s007, s012: `not(normalize-space(@customValueDescription) = preceding-sibling::X.06/normalize-space(@customValueDescription))`.
fn unique_description(c: &Cx<'_>) -> R {
    Ok(first_of_its_normalized_attr(c, "customValueDescription"))
}

/// nemSch_s008, s009, s013, s014: `not(. = preceding-sibling::X)`.
fn unique(c: &Cx<'_>) -> R {
    Ok(first_of_its_value(c))
}

const ID: &str = "{el}: another custom element earlier in the list has the same CustomElementID.";
const VALUE: &str = "{el}: this custom value is listed twice for the custom element.";
const DESCRIPTION: &str = "{el}: this custom value description (customValueDescription) is used twice for the custom element.";
const NV: &str = "{el}: this Not Value is listed twice for the custom element.";
const PN: &str = "{el}: this Pertinent Negative is listed twice for the custom element.";

pub(crate) static SD: Pattern = Pattern {
    id: "nemSch_sdCustomConfiguration",
    releases: Releases::ALL,
    rules: &[
        rule("nemSch_sdCustomConfiguration_rule_1", on(N::sdCustomConfiguration_CustomGroup, "nem:sdCustomConfiguration.CustomGroup"), &[error("nemSch_s005", unique_custom_id, &[], ID)]),
        rule("nemSch_sdCustomConfiguration_rule_2", on(N::sdCustomConfiguration_06, "nem:sdCustomConfiguration.06"), &[
            error("nemSch_s006", unique_value, &[], VALUE),
            error("nemSch_s007", unique_description, &[], DESCRIPTION),
        ]),
        rule("nemSch_sdCustomConfiguration_rule_3", on(N::sdCustomConfiguration_07, "nem:sdCustomConfiguration.07"), &[error("nemSch_s008", unique, &[], NV)]),
        rule("nemSch_sdCustomConfiguration_rule_4", on(N::sdCustomConfiguration_08, "nem:sdCustomConfiguration.08"), &[error("nemSch_s009", unique, &[], PN)]),
    ],
};

pub(crate) static SE: Pattern = Pattern {
    id: "nemSch_seCustomConfiguration",
    releases: Releases::ALL,
    rules: &[
        rule("nemSch_seCustomConfiguration_rule_1", on(N::seCustomConfiguration_CustomGroup, "nem:seCustomConfiguration.CustomGroup"), &[error("nemSch_s010", unique_custom_id, &[], ID)]),
        rule("nemSch_seCustomConfiguration_rule_2", on(N::seCustomConfiguration_06, "nem:seCustomConfiguration.06"), &[
            error("nemSch_s011", unique_value, &[], VALUE),
            error("nemSch_s012", unique_description, &[], DESCRIPTION),
        ]),
        rule("nemSch_seCustomConfiguration_rule_3", on(N::seCustomConfiguration_07, "nem:seCustomConfiguration.07"), &[error("nemSch_s013", unique, &[], NV)]),
        rule("nemSch_seCustomConfiguration_rule_4", on(N::seCustomConfiguration_08, "nem:seCustomConfiguration.08"), &[error("nemSch_s014", unique, &[], PN)]),
    ],
};
