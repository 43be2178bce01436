//! Pattern `nemSch_sConfiguration`: certification levels, procedures and medications of the
//! state configuration are consistent and not repeated; medication codes are valid.

use super::super::values::is_2_to_7_digits;
use super::super::{error, on, rule, warn, Cx, Pattern, Releases, R, N};
use super::{first_of_its_normalized_value, first_of_its_value};
use super::super::SNOMED_MEDICATIONS;

/// nemSch_s016, s026: `not(. = preceding-sibling::X)`.
fn unique(c: &Cx<'_>) -> R {
    Ok(first_of_its_value(c))
}

/// nemSch_s019, s022: `not(normalize-space(.) = preceding-sibling::X/normalize-space(.))`.
fn unique_normalized(c: &Cx<'_>) -> R {
    Ok(first_of_its_normalized_value(c))
}

/// nemSch_s017, s020: `. = ../../nem:sConfiguration.01`.
fn level_listed(c: &Cx<'_>) -> R {
    let v = c.v();
    Ok(c.sib_up(2, N::sConfiguration_01).is(&v))
}

/// `not(. = ../preceding-sibling::GROUP/X)`: the level has no earlier group.
fn level_first_group(c: &Cx<'_>, group: N, level: N) -> R {
    let v = c.v();
    let dup = c.at(c.parent()).preceding_sib(group).any(|g| c.kids_of(g, level).is(&v));
    Ok(!dup)
}

/// nemSch_s018: `not(. = ../preceding-sibling::nem:sConfiguration.ProcedureGroup/nem:sConfiguration.02)`.
fn s018(c: &Cx<'_>) -> R {
    level_first_group(c, N::sConfiguration_ProcedureGroup, N::sConfiguration_02)
}

/// nemSch_s021: `not(. = ../preceding-sibling::nem:sConfiguration.MedicationGroup/nem:sConfiguration.04)`.
fn s021(c: &Cx<'_>) -> R {
    level_first_group(c, N::sConfiguration_MedicationGroup, N::sConfiguration_04)
}

/// nemSch_s023: `. = '' or matches(., '^[0-9]{2,7}$') or not(@CodeType = '9924003')`.
fn s023(c: &Cx<'_>) -> R {
    let v = c.v();
    Ok(v.is_empty() || is_2_to_7_digits(&v) || c.attr("CodeType") != Some("9924003"))
}

/// nemSch_s024: `. = '' or . = (SNOMED CT medication codes) or not(@CodeType = '9924005')`.
fn s024(c: &Cx<'_>) -> R {
    let v = c.v();
    Ok(v.is_empty() || SNOMED_MEDICATIONS.contains(&v.as_ref()) || c.attr("CodeType") != Some("9924005"))
}

/// nemSch_s025: `. = '' or matches(., '^[0-9]{2,7}$') or . = (SNOMED CT medication codes) or @CodeType`.
fn s025(c: &Cx<'_>) -> R {
    let v = c.v();
    Ok(v.is_empty() || is_2_to_7_digits(&v) || SNOMED_MEDICATIONS.contains(&v.as_ref()) || c.attr("CodeType").is_some())
}

pub(crate) static PATTERN: Pattern = Pattern {
    id: "nemSch_sConfiguration",
    releases: Releases::ALL,
    rules: &[
        rule("nemSch_sConfiguration_rule_1", on(N::sConfiguration_01, "nem:sConfiguration.01"), &[warn("nemSch_s016", unique, &[], "{el}: this certification level is already listed.")]),
        rule("nemSch_sConfiguration_rule_2", on(N::sConfiguration_02, "nem:sConfiguration.02"), &[
            warn("nemSch_s017", level_listed, &[N::sConfiguration_02, N::sConfiguration_01], "{el} should be one of the state's certification levels (sConfiguration.01)."),
            warn("nemSch_s018", s018, &[], "{el}: this certification level already has a procedure group earlier in the configuration."),
        ]),
        rule("nemSch_sConfiguration_rule_3", on(N::sConfiguration_03, "nem:sConfiguration.03"), &[warn("nemSch_s019", unique_normalized, &[], "{el}: this procedure is listed twice for the certification level.")]),
        rule("nemSch_sConfiguration_rule_4", on(N::sConfiguration_04, "nem:sConfiguration.04"), &[
            warn("nemSch_s020", level_listed, &[N::sConfiguration_04, N::sConfiguration_01], "{el} should be one of the state's certification levels (sConfiguration.01)."),
            warn("nemSch_s021", s021, &[], "{el}: this certification level already has a medication group earlier in the configuration."),
        ]),
        rule("nemSch_sConfiguration_rule_5", on(N::sConfiguration_05, "nem:sConfiguration.05"), &[
            warn("nemSch_s022", unique_normalized, &[], "{el}: this medication is listed twice for the certification level."),
            error("nemSch_s023", s023, &[], "{el} is marked as an RxNorm code (CodeType 9924003) but is not 2 to 7 digits."),
            error("nemSch_s024", s024, &[], "{el} is marked as a SNOMED CT code (CodeType 9924005) but is not one of the SNOMED CT codes allowed for medications."),
            error("nemSch_s025", s025, &[], "{el} should be an RxNorm code (2 to 7 digits) or one of the SNOMED CT codes allowed for medications, or say which code system it uses (CodeType)."),
        ]),
        rule("nemSch_sConfiguration_rule_6", on(N::sConfiguration_06, "nem:sConfiguration.06"), &[warn("nemSch_s026", unique, &[], "{el}: this protocol is already listed.")]),
    ],
};
