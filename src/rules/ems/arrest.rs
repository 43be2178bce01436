//! Pattern `nemSch_eArrest`: cardiac arrest information goes with a cardiac arrest
//! (eArrest.01 "Yes, ...") and is consistent within itself.

use super::super::{on, rule, warn, Cx, Pattern, Releases, R, N};
use super::{blank, filled, patient_care, transport, ARREST_YES, EVALUATED_AND_CARED};

/// eArrest.03 codes "Attempted Defibrillation", "Attempted Ventilation", "Initiated Chest Compressions".
const ATTEMPTED: &[&str] = &["3003001", "3003003", "3003005"];
/// eArrest.03 codes "Not Attempted-...".
const NOT_ATTEMPTED: &[&str] = &["3003007", "3003009", "3003011"];
/// eArrest.09 compression codes.
const COMPRESSIONS: &[&str] = &["3009001", "3009003", "3009005", "3009007", "3009009", "3009011", "3009021"];
/// eArrest.09 ventilation codes.
const VENTILATION: &[&str] = &["3009009", "3009013", "3009015", "3009017", "3009019", "3009023", "3009025", "3009027"];

/// `../nem:eArrest.01 = ('3001003', '3001005')`.
fn arrest(c: &Cx<'_>) -> bool {
    c.sib(N::eArrest_01).is_any(ARREST_YES)
}

/// `…/nem:eDisposition.28 != '4228001'`.
fn not_cared_for(c: &Cx<'_>) -> bool {
    patient_care(c).is_not(EVALUATED_AND_CARED)
}

/// nemSch_e094, e101, e104, e109, e111, e112, e114, e116, e118, e120, e123:
/// `../nem:eArrest.01 = ('3001003', '3001005')`.
fn only_with_arrest(c: &Cx<'_>) -> R {
    Ok(arrest(c))
}

/// nemSch_e093, e103 (3.5.0), e115: `not(../nem:eArrest.01 = ('3001003', '3001005')) or …/nem:eDisposition.28 != '4228001'`.
fn needed_with_arrest(c: &Cx<'_>) -> R {
    Ok(!arrest(c) || not_cared_for(c))
}

/// nemSch_e103 (3.5.1): `not(../nem:eArrest.01 = '3001003') or …/nem:eDisposition.28 != '4228001'`.
fn e103(c: &Cx<'_>) -> R {
    Ok(!c.sib(N::eArrest_01).is("3001003") || not_cared_for(c))
}

/// nemSch_e095: `../nem:eArrest.03 != '' or not(../nem:eArrest.01 = (…)) or …/nem:eDisposition.28 != '4228001'`.
fn e095(c: &Cx<'_>) -> R {
    Ok(c.sib(N::eArrest_03).is_not("") || !arrest(c) || not_cared_for(c))
}

/// nemSch_e096: `not(../nem:eArrest.03 != '') or ../nem:eArrest.01 = ('3001003', '3001005')`.
fn e096(c: &Cx<'_>) -> R {
    Ok(!c.sib(N::eArrest_03).is_not("") || arrest(c))
}

/// nemSch_e097: `not(../nem:eArrest.03 = ('3003001', '3003003', '3003005') and ../nem:eArrest.03 = ('3003007', '3003009', '3003011'))`.
fn e097(c: &Cx<'_>) -> R {
    Ok(!(c.sib(N::eArrest_03).is_any(ATTEMPTED) && c.sib(N::eArrest_03).is_any(NOT_ATTEMPTED)))
}

/// nemSch_e098: `../nem:eArrest.03 = '3003005' or not(../nem:eArrest.09 = (compressions))`.
fn e098(c: &Cx<'_>) -> R {
    Ok(c.sib(N::eArrest_03).is("3003005") || !c.sib(N::eArrest_09).is_any(COMPRESSIONS))
}

/// nemSch_e099: `../nem:eArrest.03 = '3003003' or not(../nem:eArrest.09 = (ventilation))`.
fn e099(c: &Cx<'_>) -> R {
    Ok(c.sib(N::eArrest_03).is("3003003") || !c.sib(N::eArrest_09).is_any(VENTILATION))
}

/// nemSch_e100: `../nem:eArrest.04 != '' or not(../nem:eArrest.01 = (…)) or …/nem:eDisposition.28 != '4228001'`.
fn e100(c: &Cx<'_>) -> R {
    Ok(c.sib(N::eArrest_04).is_not("") || !arrest(c) || not_cared_for(c))
}

/// nemSch_e102: `not(../nem:eArrest.04 = '3004001') or count(../nem:eArrest.04) = 1`.
fn e102(c: &Cx<'_>) -> R {
    Ok(!c.sib(N::eArrest_04).is("3004001") || c.sib(N::eArrest_04).count() == 1)
}

/// nemSch_e105: `not(../nem:eArrest.09 != '') or ../nem:eArrest.01 = ('3001003', '3001005')`.
fn e105(c: &Cx<'_>) -> R {
    Ok(!c.sib(N::eArrest_09).is_not("") || arrest(c))
}

/// nemSch_e106: `not(../nem:eArrest.03 = '3003005') or ../nem:eArrest.09 = (compressions)`.
fn e106(c: &Cx<'_>) -> R {
    Ok(!c.sib(N::eArrest_03).is("3003005") || c.sib(N::eArrest_09).is_any(COMPRESSIONS))
}

/// nemSch_e107: `not(../nem:eArrest.03 = '3003003') or ../nem:eArrest.09 = (ventilation)`.
fn e107(c: &Cx<'_>) -> R {
    Ok(!c.sib(N::eArrest_03).is("3003003") || c.sib(N::eArrest_09).is_any(VENTILATION))
}

/// nemSch_e108: `../nem:eArrest.12 != '' or not(../nem:eArrest.01 = (…)) or …/nem:eDisposition.28 != '4228001'`.
fn e108(c: &Cx<'_>) -> R {
    Ok(c.sib(N::eArrest_12).is_not("") || !arrest(c) || not_cared_for(c))
}

/// nemSch_e110: `not(../nem:eArrest.12 = '3012001') or count(../nem:eArrest.12) = 1`.
fn e110(c: &Cx<'_>) -> R {
    Ok(!c.sib(N::eArrest_12).is("3012001") || c.sib(N::eArrest_12).count() == 1)
}

/// nemSch_e113: `../nem:eArrest.17 != '' or not(../nem:eArrest.01 = (…)) or not(…/nem:eDisposition.30 = ('4230001', '4230001'))`.
fn e113(c: &Cx<'_>) -> R {
    Ok(c.sib(N::eArrest_17).is_not("") || !arrest(c) || !transport(c).is("4230001"))
}

/// nemSch_e117: `not(../nem:eArrest.03 = ('3003001', '3003003', '3003005'))`.
fn e117(c: &Cx<'_>) -> R {
    Ok(!c.sib(N::eArrest_03).is_any(ATTEMPTED))
}

/// nemSch_e119: `not(../nem:eArrest.07 = ('3007003', '3007005'))`.
fn e119(c: &Cx<'_>) -> R {
    Ok(!c.sib(N::eArrest_07).is_any(&["3007003", "3007005"]))
}

/// nemSch_e122: `not(../nem:eArrest.07 = '3007005')`.
fn e122(c: &Cx<'_>) -> R {
    Ok(!c.sib(N::eArrest_07).is("3007005"))
}

const ONLY_WITH_ARREST: &str = "{el} should only be recorded when there was a cardiac arrest (eArrest.01 \"Yes, ...\").";
const NEEDED_WITH_ARREST: &str = "{el} should be recorded when the patient was evaluated and cared for (eDisposition.28) and had a cardiac arrest (eArrest.01 \"Yes, ...\").";

pub(crate) static PATTERN: Pattern = Pattern {
    id: "nemSch_eArrest",
    releases: Releases::ALL,
    rules: &[
        rule("nemSch_eArrest_rule_1", on(N::eArrest_02, "nem:eArrest.02[. = '']").when(blank), &[
            warn("nemSch_e093", needed_with_arrest, &[N::eArrest_02, N::eArrest_01, N::eDisposition_28], NEEDED_WITH_ARREST),
        ]),
        rule("nemSch_eArrest_rule_2", on(N::eArrest_02, "nem:eArrest.02[. != '']").when(filled), &[
            warn("nemSch_e094", only_with_arrest, &[N::eArrest_02, N::eArrest_01], ONLY_WITH_ARREST),
        ]),
        rule("nemSch_eArrest_rule_3", on(N::eArrest_03, "nem:eArrest.03[1]").first(), &[
            warn("nemSch_e095", e095, &[N::eArrest_03, N::eArrest_01, N::eDisposition_28], NEEDED_WITH_ARREST),
            warn("nemSch_e096", e096, &[N::eArrest_03, N::eArrest_01], ONLY_WITH_ARREST),
            warn("nemSch_e097", e097, &[], "{el} should not list both an attempted/initiated resuscitation and a not-attempted one."),
            warn("nemSch_e098", e098, &[N::eArrest_03, N::eArrest_09], "{el} should include \"Initiated Chest Compressions\" when the type of CPR (eArrest.09) includes compressions."),
            warn("nemSch_e099", e099, &[N::eArrest_03, N::eArrest_09], "{el} should include \"Attempted Ventilation\" when the type of CPR (eArrest.09) includes ventilation."),
        ]),
        rule("nemSch_eArrest_rule_4", on(N::eArrest_04, "nem:eArrest.04[. = ''][1]").when(blank).first(), &[
            warn("nemSch_e100", e100, &[N::eArrest_04, N::eArrest_01, N::eDisposition_28], NEEDED_WITH_ARREST),
        ]),
        rule("nemSch_eArrest_rule_5", on(N::eArrest_04, "nem:eArrest.04[. != ''][1]").when(filled).first(), &[
            warn("nemSch_e101", only_with_arrest, &[N::eArrest_04, N::eArrest_01], ONLY_WITH_ARREST),
            warn("nemSch_e102", e102, &[], "{el} is \"Not Witnessed\", so no other value should be recorded with it."),
        ]),
        rule("nemSch_eArrest_rule_6", on(N::eArrest_07, "nem:eArrest.07[. = '']").when(blank), &[
            warn("nemSch_e103", e103, &[N::eArrest_07, N::eArrest_01, N::eDisposition_28], "{el} should be recorded when the patient was evaluated and cared for (eDisposition.28) and the arrest happened before any EMS arrival (eArrest.01).")
                .only(Releases::V351),
            warn("nemSch_e103", needed_with_arrest, &[N::eArrest_07, N::eArrest_01, N::eDisposition_28], NEEDED_WITH_ARREST).only(Releases::V350),
        ]),
        rule("nemSch_eArrest_rule_7", on(N::eArrest_07, "nem:eArrest.07[. != '']").when(filled), &[
            warn("nemSch_e104", only_with_arrest, &[N::eArrest_07, N::eArrest_01], ONLY_WITH_ARREST),
        ]),
        rule("nemSch_eArrest_rule_8", on(N::eArrest_09, "nem:eArrest.09[1]").first(), &[
            warn("nemSch_e105", e105, &[N::eArrest_09, N::eArrest_01], ONLY_WITH_ARREST),
            warn("nemSch_e106", e106, &[N::eArrest_09, N::eArrest_03], "{el} should include compressions when the resuscitation (eArrest.03) includes \"Initiated Chest Compressions\"."),
            warn("nemSch_e107", e107, &[N::eArrest_09, N::eArrest_03], "{el} should include ventilation when the resuscitation (eArrest.03) includes \"Attempted Ventilation\"."),
        ]),
        rule("nemSch_eArrest_rule_9", on(N::eArrest_12, "nem:eArrest.12[. = ''][1]").when(blank).first(), &[
            warn("nemSch_e108", e108, &[N::eArrest_12, N::eArrest_01, N::eDisposition_28], NEEDED_WITH_ARREST),
        ]),
        rule("nemSch_eArrest_rule_10", on(N::eArrest_12, "nem:eArrest.12[. != ''][1]").when(filled).first(), &[
            warn("nemSch_e109", only_with_arrest, &[N::eArrest_12, N::eArrest_01], ONLY_WITH_ARREST),
            warn("nemSch_e110", e110, &[], "{el} is \"No\", so no other value should be recorded with it."),
        ]),
        rule("nemSch_eArrest_rule_11", on(N::eArrest_14, "nem:eArrest.14[. != '']").when(filled), &[
            warn("nemSch_e111", only_with_arrest, &[N::eArrest_14, N::eArrest_01], ONLY_WITH_ARREST),
        ]),
        rule("nemSch_eArrest_rule_12", on(N::eArrest_16, "nem:eArrest.16[. != '']").when(filled), &[
            warn("nemSch_e112", only_with_arrest, &[N::eArrest_16, N::eArrest_01], ONLY_WITH_ARREST),
        ]),
        rule("nemSch_eArrest_rule_13", on(N::eArrest_17, "nem:eArrest.17[. = ''][1]").when(blank).first(), &[warn(
            "nemSch_e113",
            e113,
            &[N::eArrest_17, N::eArrest_01, N::eDisposition_30],
            "{el} should be recorded when the patient had a cardiac arrest (eArrest.01) and was transported by this EMS unit (eDisposition.30).",
        )]),
        rule("nemSch_eArrest_rule_14", on(N::eArrest_17, "nem:eArrest.17[. != ''][1]").when(filled).first(), &[
            warn("nemSch_e114", only_with_arrest, &[N::eArrest_17, N::eArrest_01], ONLY_WITH_ARREST),
        ]),
        rule("nemSch_eArrest_rule_15", on(N::eArrest_18, "nem:eArrest.18[. = '']").when(blank), &[
            warn("nemSch_e115", needed_with_arrest, &[N::eArrest_18, N::eArrest_01, N::eDisposition_28], NEEDED_WITH_ARREST),
        ]),
        rule("nemSch_eArrest_rule_16", on(N::eArrest_18, "nem:eArrest.18[. != '']").when(filled), &[
            warn("nemSch_e116", only_with_arrest, &[N::eArrest_18, N::eArrest_01], ONLY_WITH_ARREST),
        ]),
        rule("nemSch_eArrest_rule_17", on(N::eArrest_20, "nem:eArrest.20[. = '']").when(blank), &[
            warn("nemSch_e117", e117, &[N::eArrest_20, N::eArrest_03], "{el} should be recorded when resuscitation was attempted or initiated (eArrest.03)."),
        ]),
        rule("nemSch_eArrest_rule_18", on(N::eArrest_20, "nem:eArrest.20[. != '']").when(filled), &[
            warn("nemSch_e118", only_with_arrest, &[N::eArrest_20, N::eArrest_01], ONLY_WITH_ARREST),
        ]),
        rule("nemSch_eArrest_rule_19", on(N::eArrest_21, "nem:eArrest.21[. = '']").when(blank), &[
            warn("nemSch_e119", e119, &[N::eArrest_21, N::eArrest_07], "{el} should be recorded when an AED was used before EMS arrival (eArrest.07 \"Yes, ...\")."),
        ]),
        rule("nemSch_eArrest_rule_20", on(N::eArrest_21, "nem:eArrest.21[. != '']").when(filled), &[
            warn("nemSch_e120", only_with_arrest, &[N::eArrest_21, N::eArrest_01], ONLY_WITH_ARREST),
        ]),
        rule("nemSch_eArrest_rule_21", on(N::eArrest_22, "nem:eArrest.22[. = '']").when(blank), &[
            warn("nemSch_e122", e122, &[N::eArrest_22, N::eArrest_07], "{el} should be recorded when an AED was used with defibrillation before EMS arrival (eArrest.07 \"Yes, With Defibrillation\")."),
        ]),
        rule("nemSch_eArrest_rule_22", on(N::eArrest_22, "nem:eArrest.22[. != '']").when(filled), &[
            warn("nemSch_e123", only_with_arrest, &[N::eArrest_22, N::eArrest_01], ONLY_WITH_ARREST),
        ]),
    ],
};
