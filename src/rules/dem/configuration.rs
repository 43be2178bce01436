//! Pattern `nemSch_dConfiguration`: one configuration per state, matching the agency's state
//! and level of service; medication codes; unique call signs.

use super::super::values::is_2_to_7_digits;
use super::super::{error, on, rule, warn, Cx, Pattern, Releases, R, N};
use super::super::SNOMED_MEDICATIONS;
use crate::record::NodeId;

/// nemSch_d010: `. = ancestor-or-self::nem:DemographicReport/nem:dConfiguration/nem:dConfiguration.ConfigurationGroup/nem:dConfiguration.01`.
fn d010(c: &Cx<'_>) -> R {
    let v = c.v();
    Ok(c.all(N::dConfiguration_01).is(&v))
}

/// nemSch_d011: `not(. = ../preceding-sibling::nem:dConfiguration.ConfigurationGroup/nem:dConfiguration.01)`.
fn d011(c: &Cx<'_>) -> R {
    let v = c.v();
    let group = c.at(c.parent());
    let dup = group.preceding_sib(N::dConfiguration_ConfigurationGroup).any(|g| c.kids_of(g, N::dConfiguration_01).is(&v));
    Ok(!dup)
}

/// `nem:dAgency[nem:dAgency.04 = ancestor::nem:DemographicReport/…/nem:dConfiguration.01]`.
fn agency_state_configured(c: &Cx<'_>) -> bool {
    c.kids(N::dAgency_04).values().any(|s| c.all(N::dConfiguration_01).is(&s))
}

/// The configuration groups for the agency's state:
/// `ancestor::nem:DemographicReport/…/nem:dConfiguration.ConfigurationGroup[nem:dConfiguration.01 = current()/nem:dAgency.04]`.
fn groups_for_agency_state<'a>(c: &Cx<'a>) -> impl Iterator<Item = NodeId> + 'a {
    let c = *c;
    c.all(N::dConfiguration_ConfigurationGroup).filter(move |&g| c.kids_of(g, N::dConfiguration_01).values().any(|s| c.kids(N::dAgency_04).is(&s)))
}

/// `nem:dAgency.11 = GROUPS/SUB/LEVEL`.
fn level_listed(c: &Cx<'_>, sub: N, level: N) -> bool {
    let levels: Vec<_> = groups_for_agency_state(c).flat_map(|g| c.kids_of(g, sub).flat_map(move |s| c.kids_of(s, level).values()).collect::<Vec<_>>()).collect();
    c.kids(N::dAgency_11).values().any(|l| levels.contains(&l))
}

/// nemSch_d012: `nem:dAgency.11 = …ConfigurationGroup[nem:dConfiguration.01 = current()/nem:dAgency.04]/nem:dConfiguration.ProcedureGroup/nem:dConfiguration.06`.
fn d012(c: &Cx<'_>) -> R {
    Ok(level_listed(c, N::dConfiguration_ProcedureGroup, N::dConfiguration_06))
}

/// nemSch_d013: `nem:dAgency.11 = …ConfigurationGroup[nem:dConfiguration.01 = current()/nem:dAgency.04]/nem:dConfiguration.MedicationGroup/nem:dConfiguration.08`.
fn d013(c: &Cx<'_>) -> R {
    Ok(level_listed(c, N::dConfiguration_MedicationGroup, N::dConfiguration_08))
}

/// `[. != '' and @CodeType]`.
fn coded_with_type(c: &Cx<'_>) -> bool {
    !c.empty() && c.attr("CodeType").is_some()
}

fn filled(c: &Cx<'_>) -> bool {
    !c.empty()
}

/// nemSch_d014: `matches(., '^[0-9]{2,7}$') or @CodeType != '9924003'`.
fn d014(c: &Cx<'_>) -> R {
    Ok(is_2_to_7_digits(&c.v()) || c.attr("CodeType").is_some_and(|t| t != "9924003"))
}

/// nemSch_d015: `. = (SNOMED CT medication codes) or @CodeType != '9924005'`.
fn d015(c: &Cx<'_>) -> R {
    Ok(SNOMED_MEDICATIONS.contains(&c.v().as_ref()) || c.attr("CodeType").is_some_and(|t| t != "9924005"))
}

/// nemSch_d016: `matches(., '^[0-9]{2,7}$') or . = (SNOMED CT medication codes)`.
fn d016(c: &Cx<'_>) -> R {
    let v = c.v();
    Ok(is_2_to_7_digits(&v) || SNOMED_MEDICATIONS.contains(&v.as_ref()))
}

/// nemSch_d017: `not(. = preceding-sibling::nem:dConfiguration.16)`.
fn d017(c: &Cx<'_>) -> R {
    let v = c.v();
    let t = c.tree();
    Ok(!c.preceding_sib(N::dConfiguration_16).any(|s| super::super::eval::string_value(t, s) == v))
}

pub(crate) static PATTERN: Pattern = Pattern {
    id: "nemSch_dConfiguration",
    releases: Releases::ALL,
    rules: &[
        rule("nemSch_dConfiguration_rule_1", on(N::dAgency_04, "nem:dAgency.04"), &[warn(
            "nemSch_d010",
            d010,
            &[],
            "The agency's state ({el}) should have a configuration (dConfiguration.01).",
        )]),
        rule("nemSch_dConfiguration_rule_2", on(N::dConfiguration_01, "nem:dConfiguration.01"), &[warn(
            "nemSch_d011",
            d011,
            &[],
            "{el}: this state already has a configuration earlier in the report; each state should be configured once.",
        )]),
        rule(
            "nemSch_dConfiguration_rule_3",
            on(N::dAgency, "nem:dAgency[nem:dAgency.04 = ancestor::nem:DemographicReport/nem:dConfiguration/nem:dConfiguration.ConfigurationGroup/nem:dConfiguration.01]").when(agency_state_configured),
            &[
                warn("nemSch_d012", d012, &[], "The agency's level of service (dAgency.11) should be among the certification levels permitted to perform procedures (dConfiguration.06) in its state's configuration."),
                warn("nemSch_d013", d013, &[], "The agency's level of service (dAgency.11) should be among the certification levels permitted to administer medications (dConfiguration.08) in its state's configuration."),
            ],
        ),
        rule("nemSch_dConfiguration_rule_4", on(N::dConfiguration_09, "nem:dConfiguration.09[. != '' and @CodeType]").when(coded_with_type), &[
            error("nemSch_d014", d014, &[], "{el} is marked as an RxNorm code (CodeType 9924003) but is not 2 to 7 digits."),
            error("nemSch_d015", d015, &[], "{el} is marked as a SNOMED CT code (CodeType 9924005) but is not one of the SNOMED CT codes allowed for medications."),
        ]),
        rule("nemSch_dConfiguration_rule_5", on(N::dConfiguration_09, "nem:dConfiguration.09[. != '']").when(filled), &[error(
            "nemSch_d016",
            d016,
            &[],
            "{el} should be an RxNorm code (2 to 7 digits) or one of the SNOMED CT codes allowed for medications.",
        )]),
        rule("nemSch_dConfiguration_rule_6", on(N::dConfiguration_16, "nem:dConfiguration.16"), &[warn(
            "nemSch_d017",
            d017,
            &[],
            "{el}: this crew call sign is listed twice in the configuration.",
        )]),
    ],
};
