//! Pattern `nemSch_eTimes`: call event times are recorded when the call calls for them and
//! follow each other in order.

use super::super::{on, rule, warn, Check, Cx, Pattern, Releases, R, N};
use super::{blank, filled, transport, unit_disposition, CANCELLED_PRIOR, CONTACT_MADE, TRANSPORTED_BY_UNIT};

/// A test `xs:dateTime(.) >= xs:dateTime(S)`, S being `../nem:X` (`sib`) or
/// `ancestor::nem:PatientCareReport/…/nem:X` (`all`).
macro_rules! not_before {
    ($(#[$doc:meta])* $f:ident, $sel:ident, $n:ident) => {
        $(#[$doc])*
        fn $f(c: &Cx<'_>) -> R {
            c.not_before(c.$sel(N::$n))
        }
    };
}

/// A test `S = '' or xs:dateTime(.) >= xs:dateTime(S)`.
macro_rules! not_before_if_set {
    ($(#[$doc:meta])* $f:ident, $sel:ident, $n:ident) => {
        $(#[$doc])*
        fn $f(c: &Cx<'_>) -> R {
            Ok(c.$sel(N::$n).is("") || c.not_before(c.$sel(N::$n))?)
        }
    };
}

not_before!(
    /// nemSch_e019: `xs:dateTime(.) >= xs:dateTime(../nem:eTimes.03)`.
    e019, sib, eTimes_03);
not_before!(
    /// nemSch_e021: `xs:dateTime(.) >= xs:dateTime(../nem:eTimes.03)`.
    e021, sib, eTimes_03);
not_before!(
    /// nemSch_e024: `xs:dateTime(.) >= xs:dateTime(../nem:eTimes.03)`.
    e024, sib, eTimes_03);
not_before!(
    /// nemSch_e026: `xs:dateTime(.) >= xs:dateTime(../nem:eTimes.03)`.
    e026, sib, eTimes_03);
not_before!(
    /// nemSch_e031: `xs:dateTime(.) >= xs:dateTime(../nem:eTimes.03)`.
    e031, sib, eTimes_03);
not_before!(
    /// nemSch_e037: `xs:dateTime(.) >= xs:dateTime(../nem:eTimes.03)`.
    e037, sib, eTimes_03);
not_before!(
    /// nemSch_e046: `xs:dateTime(.) >= xs:dateTime(../nem:eTimes.03)`.
    e046, sib, eTimes_03);

not_before_if_set!(
    /// nemSch_e017: `../nem:eTimes.01 = '' or xs:dateTime(.) >= xs:dateTime(../nem:eTimes.01)`.
    e017, sib, eTimes_01);
not_before_if_set!(
    /// nemSch_e022: `../nem:eTimes.05 = '' or xs:dateTime(.) >= xs:dateTime(../nem:eTimes.05)`.
    e022, sib, eTimes_05);
not_before_if_set!(
    /// nemSch_e027: `../nem:eTimes.05 = '' or xs:dateTime(.) >= xs:dateTime(../nem:eTimes.05)`.
    e027, sib, eTimes_05);
not_before_if_set!(
    /// nemSch_e028: `../nem:eTimes.06 = '' or xs:dateTime(.) >= xs:dateTime(../nem:eTimes.06)`.
    e028, sib, eTimes_06);
not_before_if_set!(
    /// nemSch_e029: `../nem:eTimes.07 = '' or xs:dateTime(.) >= xs:dateTime(../nem:eTimes.07)`.
    e029, sib, eTimes_07);
not_before_if_set!(
    /// nemSch_e032: `../nem:eTimes.05 = '' or xs:dateTime(.) >= xs:dateTime(../nem:eTimes.05)`.
    e032, sib, eTimes_05);
not_before_if_set!(
    /// nemSch_e033: `../nem:eTimes.06 = '' or xs:dateTime(.) >= xs:dateTime(../nem:eTimes.06)`.
    e033, sib, eTimes_06);
not_before_if_set!(
    /// nemSch_e034: `../nem:eTimes.07 = '' or xs:dateTime(.) >= xs:dateTime(../nem:eTimes.07)`.
    e034, sib, eTimes_07);
not_before_if_set!(
    /// nemSch_e035: `../nem:eTimes.09 = '' or xs:dateTime(.) >= xs:dateTime(../nem:eTimes.09)`.
    e035, sib, eTimes_09);
not_before_if_set!(
    /// nemSch_e038: `../nem:eTimes.05 = '' or xs:dateTime(.) >= xs:dateTime(../nem:eTimes.05)`.
    e038, sib, eTimes_05);
not_before_if_set!(
    /// nemSch_e039: `../nem:eTimes.06 = '' or xs:dateTime(.) >= xs:dateTime(../nem:eTimes.06)`.
    e039, sib, eTimes_06);
not_before_if_set!(
    /// nemSch_e040: `../nem:eTimes.07 = '' or xs:dateTime(.) >= xs:dateTime(../nem:eTimes.07)`.
    e040, sib, eTimes_07);
not_before_if_set!(
    /// nemSch_e041: `../nem:eTimes.09 = '' or xs:dateTime(.) >= xs:dateTime(../nem:eTimes.09)`.
    e041, sib, eTimes_09);
not_before_if_set!(
    /// nemSch_e042: `../nem:eTimes.11 = '' or xs:dateTime(.) >= xs:dateTime(../nem:eTimes.11)`.
    e042, sib, eTimes_11);
not_before_if_set!(
    /// nemSch_e043: `ancestor::nem:PatientCareReport/nem:eSituation/nem:eSituation.01 = '' or xs:dateTime(.) >= xs:dateTime(…/nem:eSituation.01)`.
    e043, all, eSituation_01);
not_before_if_set!(
    /// nemSch_e044: `ancestor::nem:PatientCareReport/nem:eSituation/nem:eSituation.18 = '' or xs:dateTime(.) >= xs:dateTime(…/nem:eSituation.18)`.
    e044, all, eSituation_18);
not_before_if_set!(
    /// nemSch_e045: `ancestor::nem:PatientCareReport/nem:eArrest/nem:eArrest.14 = '' or xs:dateTime(.) >= xs:dateTime(…/nem:eArrest.14)`.
    e045, all, eArrest_14);
not_before_if_set!(
    /// nemSch_e047: `../nem:eTimes.05 = '' or xs:dateTime(.) >= xs:dateTime(../nem:eTimes.05)`.
    e047, sib, eTimes_05);
not_before_if_set!(
    /// nemSch_e048: `../nem:eTimes.06 = '' or xs:dateTime(.) >= xs:dateTime(../nem:eTimes.06)`.
    e048, sib, eTimes_06);
not_before_if_set!(
    /// nemSch_e049: `../nem:eTimes.07 = '' or xs:dateTime(.) >= xs:dateTime(../nem:eTimes.07)`.
    e049, sib, eTimes_07);
not_before_if_set!(
    /// nemSch_e050: `../nem:eTimes.09 = '' or xs:dateTime(.) >= xs:dateTime(../nem:eTimes.09)`.
    e050, sib, eTimes_09);
not_before_if_set!(
    /// nemSch_e051: `../nem:eTimes.11 = '' or xs:dateTime(.) >= xs:dateTime(../nem:eTimes.11)`.
    e051, sib, eTimes_11);
not_before_if_set!(
    /// nemSch_e052: `../nem:eTimes.12 = '' or xs:dateTime(.) >= xs:dateTime(../nem:eTimes.12)`.
    e052, sib, eTimes_12);
not_before_if_set!(
    /// nemSch_e053: `ancestor::nem:PatientCareReport/nem:eSituation/nem:eSituation.01 = '' or xs:dateTime(.) >= xs:dateTime(…/nem:eSituation.01)`.
    e053, all, eSituation_01);
not_before_if_set!(
    /// nemSch_e054: `ancestor::nem:PatientCareReport/nem:eSituation/nem:eSituation.18 = '' or xs:dateTime(.) >= xs:dateTime(…/nem:eSituation.18)`.
    e054, all, eSituation_18);
not_before_if_set!(
    /// nemSch_e055: `ancestor::nem:PatientCareReport/nem:eArrest/nem:eArrest.14 = '' or xs:dateTime(.) >= xs:dateTime(…/nem:eArrest.14)`.
    e055, all, eArrest_14);

/// nemSch_e018, e020, e025: `ancestor::nem:PatientCareReport/…/nem:eDisposition.27 = '4227005'`.
fn unless_cancelled(c: &Cx<'_>) -> R {
    Ok(unit_disposition(c).is(CANCELLED_PRIOR))
}

/// nemSch_e023: `ancestor::nem:PatientCareReport/…/nem:eDisposition.27 != '4227001'`.
fn e023(c: &Cx<'_>) -> R {
    Ok(unit_disposition(c).is_not(CONTACT_MADE))
}

/// nemSch_e030, e036: `not(ancestor::nem:PatientCareReport/…/nem:eDisposition.30 = ('4230001', '4230003'))`.
fn unless_transported(c: &Cx<'_>) -> R {
    Ok(!transport(c).is_any(TRANSPORTED_BY_UNIT))
}

/// nemSch_e056: `xs:dateTime(.) <= current-dateTime() + xs:dayTimeDuration('PT1H')`.
fn e056(c: &Cx<'_>) -> R {
    c.not_in_future()
}

const NEEDED_UNLESS_CANCELLED: &str = "{el} should be recorded unless the unit disposition (eDisposition.27) is \"Cancelled Prior to Arrival at Scene\".";
const NEEDED_IF_TRANSPORTED: &str = "{el} should be recorded when the transport disposition (eDisposition.30) is a transport by this EMS unit.";

const fn after(id: &'static str, test: super::super::Test, earlier: &'static [N], message: &'static str) -> Check {
    warn(id, test, earlier, message)
}

pub(crate) static PATTERN: Pattern = Pattern {
    id: "nemSch_eTimes",
    releases: Releases::ALL,
    rules: &[
        rule("nemSch_eTimes_rule_1", on(N::eTimes_03, "nem:eTimes.03[. != '']").when(filled), &[
            after("nemSch_e017", e017, &[N::eTimes_01, N::eTimes_03], "{el} is earlier than the PSAP call time (eTimes.01)."),
        ]),
        rule("nemSch_eTimes_rule_2", on(N::eTimes_05, "nem:eTimes.05[. = '']").when(blank), &[
            warn("nemSch_e018", unless_cancelled, &[N::eTimes_05, N::eDisposition_27], NEEDED_UNLESS_CANCELLED),
        ]),
        rule("nemSch_eTimes_rule_3", on(N::eTimes_05, "nem:eTimes.05[. != '']").when(filled), &[
            after("nemSch_e019", e019, &[N::eTimes_03, N::eTimes_05], "{el} is earlier than the time the unit was notified by dispatch (eTimes.03)."),
        ]),
        rule("nemSch_eTimes_rule_4", on(N::eTimes_06, "nem:eTimes.06[. = '']").when(blank), &[
            warn("nemSch_e020", unless_cancelled, &[N::eTimes_06, N::eDisposition_27], NEEDED_UNLESS_CANCELLED),
        ]),
        rule("nemSch_eTimes_rule_5", on(N::eTimes_06, "nem:eTimes.06[. != '']").when(filled), &[
            after("nemSch_e021", e021, &[N::eTimes_03, N::eTimes_06], "{el} is earlier than the time the unit was notified by dispatch (eTimes.03)."),
            after("nemSch_e022", e022, &[N::eTimes_05, N::eTimes_06], "{el} is earlier than the time the unit went en route (eTimes.05)."),
        ]),
        rule("nemSch_eTimes_rule_6", on(N::eTimes_07, "nem:eTimes.07[. = '']").when(blank), &[
            warn("nemSch_e023", e023, &[N::eTimes_07, N::eDisposition_27], "{el} should be recorded when the unit disposition (eDisposition.27) is \"Patient Contact Made\"."),
        ]),
        rule("nemSch_eTimes_rule_7", on(N::eTimes_07, "nem:eTimes.07[. != '']").when(filled), &[
            after("nemSch_e024", e024, &[N::eTimes_03, N::eTimes_07], "{el} is earlier than the time the unit was notified by dispatch (eTimes.03)."),
        ]),
        rule("nemSch_eTimes_rule_8", on(N::eTimes_09, "nem:eTimes.09[. = '']").when(blank), &[
            warn("nemSch_e025", unless_cancelled, &[N::eTimes_09, N::eDisposition_27], NEEDED_UNLESS_CANCELLED),
        ]),
        rule("nemSch_eTimes_rule_9", on(N::eTimes_09, "nem:eTimes.09[. != '']").when(filled), &[
            after("nemSch_e026", e026, &[N::eTimes_03, N::eTimes_09], "{el} is earlier than the time the unit was notified by dispatch (eTimes.03)."),
            after("nemSch_e027", e027, &[N::eTimes_05, N::eTimes_09], "{el} is earlier than the time the unit went en route (eTimes.05)."),
            after("nemSch_e028", e028, &[N::eTimes_06, N::eTimes_09], "{el} is earlier than the time the unit arrived on scene (eTimes.06)."),
            after("nemSch_e029", e029, &[N::eTimes_07, N::eTimes_09], "{el} is earlier than the time the crew arrived at the patient (eTimes.07)."),
        ]),
        rule("nemSch_eTimes_rule_10", on(N::eTimes_11, "nem:eTimes.11[. = '']").when(blank), &[
            warn("nemSch_e030", unless_transported, &[N::eTimes_11, N::eDisposition_30], NEEDED_IF_TRANSPORTED),
        ]),
        rule("nemSch_eTimes_rule_11", on(N::eTimes_11, "nem:eTimes.11[. != '']").when(filled), &[
            after("nemSch_e031", e031, &[N::eTimes_03, N::eTimes_11], "{el} is earlier than the time the unit was notified by dispatch (eTimes.03)."),
            after("nemSch_e032", e032, &[N::eTimes_05, N::eTimes_11], "{el} is earlier than the time the unit went en route (eTimes.05)."),
            after("nemSch_e033", e033, &[N::eTimes_06, N::eTimes_11], "{el} is earlier than the time the unit arrived on scene (eTimes.06)."),
            after("nemSch_e034", e034, &[N::eTimes_07, N::eTimes_11], "{el} is earlier than the time the crew arrived at the patient (eTimes.07)."),
            after("nemSch_e035", e035, &[N::eTimes_09, N::eTimes_11], "{el} is earlier than the time the unit left the scene (eTimes.09)."),
        ]),
        rule("nemSch_eTimes_rule_12", on(N::eTimes_12, "nem:eTimes.12[. = '']").when(blank), &[
            warn("nemSch_e036", unless_transported, &[N::eTimes_12, N::eDisposition_30], NEEDED_IF_TRANSPORTED),
        ]),
        rule("nemSch_eTimes_rule_13", on(N::eTimes_12, "nem:eTimes.12[. != '']").when(filled), &[
            after("nemSch_e037", e037, &[N::eTimes_03, N::eTimes_12], "{el} is earlier than the time the unit was notified by dispatch (eTimes.03)."),
            after("nemSch_e038", e038, &[N::eTimes_05, N::eTimes_12], "{el} is earlier than the time the unit went en route (eTimes.05)."),
            after("nemSch_e039", e039, &[N::eTimes_06, N::eTimes_12], "{el} is earlier than the time the unit arrived on scene (eTimes.06)."),
            after("nemSch_e040", e040, &[N::eTimes_07, N::eTimes_12], "{el} is earlier than the time the crew arrived at the patient (eTimes.07)."),
            after("nemSch_e041", e041, &[N::eTimes_09, N::eTimes_12], "{el} is earlier than the time the unit left the scene (eTimes.09)."),
            after("nemSch_e042", e042, &[N::eTimes_11, N::eTimes_12], "{el} is earlier than the time the patient arrived at the destination (eTimes.11)."),
            after("nemSch_e043", e043, &[N::eSituation_01, N::eTimes_12], "{el} is earlier than the symptom onset time (eSituation.01)."),
            after("nemSch_e044", e044, &[N::eSituation_18, N::eTimes_12], "{el} is earlier than the time the patient was last known well (eSituation.18)."),
            after("nemSch_e045", e045, &[N::eArrest_14, N::eTimes_12], "{el} is earlier than the time of the cardiac arrest (eArrest.14)."),
        ]),
        rule("nemSch_eTimes_rule_14", on(N::eTimes_13, "nem:eTimes.13[. != '']").when(filled), &[
            after("nemSch_e046", e046, &[N::eTimes_03, N::eTimes_13], "{el} is earlier than the time the unit was notified by dispatch (eTimes.03)."),
            after("nemSch_e047", e047, &[N::eTimes_05, N::eTimes_13], "{el} is earlier than the time the unit went en route (eTimes.05)."),
            after("nemSch_e048", e048, &[N::eTimes_06, N::eTimes_13], "{el} is earlier than the time the unit arrived on scene (eTimes.06)."),
            after("nemSch_e049", e049, &[N::eTimes_07, N::eTimes_13], "{el} is earlier than the time the crew arrived at the patient (eTimes.07)."),
            after("nemSch_e050", e050, &[N::eTimes_09, N::eTimes_13], "{el} is earlier than the time the unit left the scene (eTimes.09)."),
            after("nemSch_e051", e051, &[N::eTimes_11, N::eTimes_13], "{el} is earlier than the time the patient arrived at the destination (eTimes.11)."),
            after("nemSch_e052", e052, &[N::eTimes_12, N::eTimes_13], "{el} is earlier than the transfer of patient care at the destination (eTimes.12)."),
            after("nemSch_e053", e053, &[N::eSituation_01, N::eTimes_13], "{el} is earlier than the symptom onset time (eSituation.01)."),
            after("nemSch_e054", e054, &[N::eSituation_18, N::eTimes_13], "{el} is earlier than the time the patient was last known well (eSituation.18)."),
            after("nemSch_e055", e055, &[N::eArrest_14, N::eTimes_13], "{el} is earlier than the time of the cardiac arrest (eArrest.14)."),
            warn("nemSch_e056", e056, &[], "{el} is more than an hour in the future."),
        ]),
    ],
};
