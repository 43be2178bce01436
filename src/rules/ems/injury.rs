//! Pattern `nemSch_eInjury`: injury information goes with a possible injury (eSituation.02).

use super::super::{on, rule, warn, Cx, Pattern, Releases, R, N};
use super::{blank, filled, patient_care, EVALUATED_AND_CARED};

/// eSituation.02 "Yes".
const INJURY_YES: &str = "9922005";

/// nemSch_e089: `../nem:eInjury.01 != '' or …/nem:eSituation.02 != '9922005' or …/nem:eDisposition.28 != '4228001'`.
fn e089(c: &Cx<'_>) -> R {
    Ok(c.sib(N::eInjury_01).is_not("") || c.all(N::eSituation_02).is_not(INJURY_YES) || patient_care(c).is_not(EVALUATED_AND_CARED))
}

/// nemSch_e090, e091, e092: `…/nem:eSituation/nem:eSituation.02 = '9922005'`.
fn possible_injury(c: &Cx<'_>) -> R {
    Ok(c.all(N::eSituation_02).is(INJURY_YES))
}

const ONLY_IF_INJURY: &str = "{el} should only be recorded when the situation is a possible injury (eSituation.02 \"Yes\").";

pub(crate) static PATTERN: Pattern = Pattern {
    id: "nemSch_eInjury",
    releases: Releases::ALL,
    rules: &[
        rule("nemSch_eInjury_rule_1", on(N::eInjury_01, "nem:eInjury.01[. = ''][1]").when(blank).first(), &[warn(
            "nemSch_e089",
            e089,
            &[N::eInjury_01, N::eSituation_02, N::eDisposition_28],
            "{el} (cause of injury) should be recorded when the patient was evaluated and cared for (eDisposition.28) and the situation is a possible injury (eSituation.02 \"Yes\").",
        )]),
        rule("nemSch_eInjury_rule_2", on(N::eInjury_01, "nem:eInjury.01[. != ''][1]").when(filled).first(), &[
            warn("nemSch_e090", possible_injury, &[N::eInjury_01, N::eSituation_02], ONLY_IF_INJURY),
        ]),
        rule("nemSch_eInjury_rule_3", on(N::eInjury_03, "nem:eInjury.03[. != ''][1]").when(filled).first(), &[
            warn("nemSch_e091", possible_injury, &[N::eInjury_03, N::eSituation_02], ONLY_IF_INJURY),
        ]),
        rule("nemSch_eInjury_rule_4", on(N::eInjury_04, "nem:eInjury.04[. != ''][1]").when(filled).first(), &[
            warn("nemSch_e092", possible_injury, &[N::eInjury_04, N::eSituation_02], ONLY_IF_INJURY),
        ]),
    ],
};
