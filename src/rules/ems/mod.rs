//! EMSDataSet national rules (`EMSDataSet.sch`), one module per official pattern.

use super::{Cx, Nodes, Pattern, N};

mod arrest;
mod disposition;
mod history;
mod injury;
mod medications;
mod nil_nv_pn;
mod patient;
mod procedures;
mod response;
mod scene;
mod situation;
mod times;
mod vitals;

/// The patterns in the official order.
pub(crate) static PATTERNS: &[&Pattern] = &[
    &nil_nv_pn::NIL_NV_PN,
    &nil_nv_pn::NV_PN,
    &response::PATTERN,
    &times::PATTERN,
    &patient::PATTERN,
    &patient::PAYMENT,
    &scene::PATTERN,
    &situation::PATTERN,
    &injury::PATTERN,
    &arrest::PATTERN,
    &history::PATTERN,
    &vitals::PATTERN,
    &medications::PATTERN,
    &procedures::PATTERN,
    &disposition::PATTERN,
];

// ---- Predicates and node-sets shared by several patterns --------------------------------

/// `[. = '']`.
pub(crate) fn blank(c: &Cx<'_>) -> bool {
    c.empty()
}

/// `[. != '']`.
pub(crate) fn filled(c: &Cx<'_>) -> bool {
    !c.empty()
}

/// `ancestor::nem:PatientCareReport/nem:eDisposition/nem:eDisposition.IncidentDispositionGroup/nem:eDisposition.27`
/// (Unit Disposition).
pub(crate) fn unit_disposition<'a>(c: &Cx<'a>) -> Nodes<'a> {
    c.all(N::eDisposition_27)
}

/// `…/nem:eDisposition.28` (Patient Evaluation/Care).
pub(crate) fn patient_care<'a>(c: &Cx<'a>) -> Nodes<'a> {
    c.all(N::eDisposition_28)
}

/// `…/nem:eDisposition.30` (Transport Disposition).
pub(crate) fn transport<'a>(c: &Cx<'a>) -> Nodes<'a> {
    c.all(N::eDisposition_30)
}

/// `ancestor::nem:PatientCareReport/nem:eResponse/nem:eResponse.ServiceGroup/nem:eResponse.05`
/// (Type of Service Requested).
pub(crate) fn service_type<'a>(c: &Cx<'a>) -> Nodes<'a> {
    c.all(N::eResponse_05)
}

/// eDisposition.27 "Patient Contact Made".
pub(crate) const CONTACT_MADE: &str = "4227001";
/// eDisposition.27 "Cancelled Prior to Arrival at Scene".
pub(crate) const CANCELLED_PRIOR: &str = "4227005";
/// eDisposition.28 "Patient Evaluated and Care Provided".
pub(crate) const EVALUATED_AND_CARED: &str = "4228001";
/// eDisposition.30 "Transport by This EMS Unit (This Crew Only)" / "(with a Member of Another Crew)".
pub(crate) const TRANSPORTED_BY_UNIT: &[&str] = &["4230001", "4230003"];
/// eResponse.05 "Emergency Response (Primary Response Area)".
pub(crate) const EMERGENCY_PRIMARY: &str = "2205001";
/// eArrest.01 "Yes, Prior to Any EMS Arrival ..." / "Yes, After Any EMS Arrival ...".
pub(crate) const ARREST_YES: &[&str] = &["3001003", "3001005"];
/// "Yes" (9923003) in the Yes/No list used by eScene.07, eVitals.02, eMedications.02, eProcedures.02.
pub(crate) const YES: &str = "9923003";
/// The STEMI rhythms of eVitals.03.
pub(crate) const STEMI: &[&str] = &["9901051", "9901053", "9901055", "9901057", "9901058"];
/// eVitals.29 "Positive" (stroke scale).
pub(crate) const STROKE_POSITIVE: &str = "3329005";

// ---- Timing of vitals, medications and procedures (eVitals, eMedications, eProcedures) ---

/// `xs:dateTime(.) >= xs:dateTime(…/nem:eTimes/nem:eTimes.03) or ../PRIOR = '9923003'`
/// (nemSch_e126, e137, e152): not before the unit was notified, unless done before this unit's care.
pub(crate) fn after_notified(c: &Cx<'_>, prior: N) -> super::R {
    Ok(c.not_before(c.all(N::eTimes_03))? || c.sib(prior).is(YES))
}

/// `…/nem:eTimes.07 = '' or xs:dateTime(.) >= xs:dateTime(…/nem:eTimes.07) or ../PRIOR = '9923003'`
/// (nemSch_e127, e138, e153).
pub(crate) fn after_patient_contact(c: &Cx<'_>, prior: N) -> super::R {
    Ok(c.all(N::eTimes_07).is("") || c.not_before(c.all(N::eTimes_07))? || c.sib(prior).is(YES))
}

/// `…/nem:eTimes.12 = '' or xs:dateTime(.) <= xs:dateTime(…/nem:eTimes.12)` (nemSch_e128, e139, e154, e178).
pub(crate) fn before_transfer_of_care(c: &Cx<'_>) -> super::R {
    Ok(c.all(N::eTimes_12).is("") || c.not_after(c.all(N::eTimes_12))?)
}

/// `xs:dateTime(.) <= xs:dateTime(…/nem:eTimes.13)` (nemSch_e129, e140, e155, e179).
pub(crate) fn before_back_in_service(c: &Cx<'_>) -> super::R {
    c.not_after(c.all(N::eTimes_13))
}

/// `…/nem:eTimes.07 = '' or xs:dateTime(.) <= xs:dateTime(…/nem:eTimes.07) or ../PRIOR != '9923003'`
/// (nemSch_e130, e141, e156): what was done before this unit's care is not after patient contact.
pub(crate) fn prior_before_patient_contact(c: &Cx<'_>, prior: N) -> super::R {
    Ok(c.all(N::eTimes_07).is("") || c.not_after(c.all(N::eTimes_07))? || c.sib(prior).is_not(YES))
}

/// `GROUP[some $element in .//* satisfies normalize-space($element) != '' and not($element/@PN)]`:
/// some element below the group (a value or a subgroup holding one) has text and no PN.
pub(crate) fn group_has_unflagged_value(c: &Cx<'_>, group: crate::record::NodeId) -> bool {
    let t = c.tree();
    t.descendants(group).any(|d| t.attr(d, "PN").is_none() && super::eval::has_text(t, d))
}
