//! Patterns `nemSch_eNilNvPn` (how xsi:nil, Not Values and Pertinent Negatives combine on
//! one element) and `nemSch_eNvPn` (a Not Value or Pertinent Negative must stand alone among
//! the repetitions of an element).

use super::super::{any_nil, any_with, any_with_under, error, never, on, rule, warn, Cx, Pattern, Releases, R, N};

/// `[@PN]`.
fn has_pn(c: &Cx<'_>) -> bool {
    c.attr("PN").is_some()
}

/// `[@PN = '8801023']` (Unable to Complete).
fn pn_unable(c: &Cx<'_>) -> bool {
    c.attr("PN") == Some("8801023")
}

/// `[@PN = '8801029']` (Approximate).
fn pn_approximate(c: &Cx<'_>) -> bool {
    c.attr("PN") == Some("8801029")
}

/// `@xsi:nil = 'true' and not(@NV)` (nemSch_e003, e188, e189, e008).
fn nil_without_nv(c: &Cx<'_>) -> R {
    Ok(c.nil() && c.attr("NV").is_none())
}

/// `not(@xsi:nil = 'true') and not(@NV)` (nemSch_e004, e190, e191, e192, e005, e006, e007).
fn value_without_nv(c: &Cx<'_>) -> R {
    Ok(!c.nil() && c.attr("NV").is_none())
}

/// nemSch_e001: `@NV or @PN`.
fn e001(c: &Cx<'_>) -> R {
    Ok(c.attr("NV").is_some() || c.attr("PN").is_some())
}

/// nemSch_e002: `@xsi:nil='true'`.
fn e002(c: &Cx<'_>) -> R {
    Ok(c.nil())
}

/// `[local-name() = (local-name(preceding-sibling::*[1]), local-name(following-sibling::*[1]))]`.
fn beside(c: &Cx<'_>) -> bool {
    c.beside_same_name()
}

/// nemSch_e009, e010: `false()` (the context alone is the finding).
fn fail(_: &Cx<'_>) -> R {
    Ok(false)
}


const UNABLE: &str = "{el} has the Pertinent Negative \"Unable to Complete\", so it should be empty (xsi:nil=\"true\") and have no Not Value.";
const APPROXIMATE: &str = "{el} has the Pertinent Negative \"Approximate\", so it should hold a value and have no Not Value.";
const PN_WITH_VALUE: &str = "{el} has a Pertinent Negative, so it should hold a value and have no Not Value.";

pub(crate) static NIL_NV_PN: Pattern = Pattern {
    id: "nemSch_eNilNvPn",
    releases: Releases::ALL,
    rules: &[
        rule("nemSch_eNilNvPn_rule_1", on(N::eCustomResults_01, "nem:eCustomResults.01"), &[never(
            "nemSch_eNilNvPn_rule_1",
            "Custom results are not checked for nil/Not Value/Pertinent Negative combinations.",
        )]),
        rule("nemSch_eNilNvPn_rule_2", any_with_under("PN", N::eExam_AssessmentGroup, "nem:eExam.AssessmentGroup//*[@PN]"), &[never(
            "nemSch_eNilNvPn_rule_2",
            "Pertinent Negatives in eExam.AssessmentGroup are not constrained.",
        )]),
        rule("nemSch_eNilNvPn_rule_3", on(N::eHistory_10, "nem:eHistory.10[@PN]").when(has_pn), &[never(
            "nemSch_eNilNvPn_rule_3",
            "A Pertinent Negative on eHistory.10 is not constrained.",
        )]),
        rule("nemSch_eNilNvPn_rule_4", on(N::eSituation_01, "nem:eSituation.01[@PN = '8801023']").when(pn_unable), &[error("nemSch_e003", nil_without_nv, &[], UNABLE)]),
        rule("nemSch_eNilNvPn_rule_12", on(N::eSituation_18, "nem:eSituation.18[@PN = '8801023']").when(pn_unable), &[error("nemSch_e188", nil_without_nv, &[], UNABLE)])
            .only(Releases::V351),
        rule("nemSch_eNilNvPn_rule_13", on(N::eArrest_14, "nem:eArrest.14[@PN = '8801023']").when(pn_unable), &[error("nemSch_e189", nil_without_nv, &[], UNABLE)])
            .only(Releases::V351),
        rule("nemSch_eNilNvPn_rule_14", on(N::ePatient_15, "nem:ePatient.15[@PN = '8801029']").when(pn_approximate), &[error("nemSch_e190", value_without_nv, &[], APPROXIMATE)])
            .only(Releases::V351),
        rule("nemSch_eNilNvPn_rule_5", on(N::eSituation_01, "nem:eSituation.01[@PN = '8801029']").when(pn_approximate), &[error("nemSch_e004", value_without_nv, &[], APPROXIMATE)]),
        rule("nemSch_eNilNvPn_rule_15", on(N::eSituation_18, "nem:eSituation.18[@PN = '8801029']").when(pn_approximate), &[error("nemSch_e191", value_without_nv, &[], APPROXIMATE)])
            .only(Releases::V351),
        rule("nemSch_eNilNvPn_rule_16", on(N::eArrest_14, "nem:eArrest.14[@PN = '8801029']").when(pn_approximate), &[error("nemSch_e192", value_without_nv, &[], APPROXIMATE)])
            .only(Releases::V351),
        rule("nemSch_eNilNvPn_rule_6", on(N::eSituation_10, "nem:eSituation.10[@PN]").when(has_pn), &[error("nemSch_e005", value_without_nv, &[], PN_WITH_VALUE)]),
        rule("nemSch_eNilNvPn_rule_7", on(N::eMedications_03, "nem:eMedications.03[@PN]").when(has_pn), &[error("nemSch_e006", value_without_nv, &[], PN_WITH_VALUE)]),
        rule("nemSch_eNilNvPn_rule_8", on(N::eProcedures_03, "nem:eProcedures.03[@PN]").when(has_pn), &[error("nemSch_e007", value_without_nv, &[], PN_WITH_VALUE)]),
        rule("nemSch_eNilNvPn_rule_9", any_with("PN", "*[@PN]"), &[error(
            "nemSch_e008",
            nil_without_nv,
            &[],
            "{el} has a Pertinent Negative, so it should be empty (xsi:nil=\"true\") and have no Not Value.",
        )]),
        rule("nemSch_eNilNvPn_rule_10", any_nil("*[@xsi:nil = 'true']"), &[error(
            "nemSch_e001",
            e001,
            &[],
            "{el} is empty: give it a Not Value or a Pertinent Negative where the element allows one, or leave the element out if it is optional.",
        )]),
        rule("nemSch_eNilNvPn_rule_11", any_with("NV", "*[@NV]"), &[error(
            "nemSch_e002",
            e002,
            &[],
            "{el} has a Not Value, so it should be empty (xsi:nil=\"true\").",
        )]),
    ],
};

pub(crate) static NV_PN: Pattern = Pattern {
    id: "nemSch_eNvPn",
    releases: Releases::ALL,
    rules: &[
        rule("nemSch_eNvPn_rule_1", on(N::eCustomResults_01, "nem:eCustomResults.01"), &[never(
            "nemSch_eNvPn_rule_1",
            "Custom results are not checked for a Not Value or Pertinent Negative standing alone.",
        )]),
        rule("nemSch_eNvPn_rule_2", any_with_under("PN", N::eExam_AssessmentGroup, "nem:eExam.AssessmentGroup//*[@PN]"), &[never(
            "nemSch_eNvPn_rule_2",
            "Pertinent Negatives in eExam.AssessmentGroup accompany a value and may repeat.",
        )]),
        rule("nemSch_eNvPn_rule_3", on(N::eSituation_10, "nem:eSituation.10[@PN]").when(has_pn), &[never(
            "nemSch_eNvPn_rule_3",
            "Pertinent Negatives on eSituation.10 accompany a value and may repeat.",
        )]),
        rule(
            "nemSch_eNvPn_rule_4",
            any_with("NV", "*[@NV][local-name() = (local-name(preceding-sibling::*[1]), local-name(following-sibling::*[1]))]").when(beside),
            &[warn("nemSch_e009", fail, &[], "{el} has a Not Value, so no other value of it should be recorded.")],
        ),
        rule(
            "nemSch_eNvPn_rule_5",
            any_with("PN", "*[@PN][local-name() = (local-name(preceding-sibling::*[1]), local-name(following-sibling::*[1]))]").when(beside),
            &[warn("nemSch_e010", fail, &[], "{el} has a Pertinent Negative, so no other value of it should be recorded.")],
        ),
    ],
};
