//! The finding catalogue (§13): stable codes with a fixed severity, and the per-PCR collector.

use serde::{Deserialize, Serialize};

/// `error` = the claim must not go out as is; `warning` = coder review; `info` = a note (§2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

macro_rules! catalogue {
    ($($variant:ident = $code:literal, $sev:ident;)*) => {
        /// A finding code of §13. Serialized as its stable identifier (`"MILEAGE_ZERO"`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum FindingCode {
            $(#[serde(rename = $code)] $variant,)*
        }

        impl FindingCode {
            /// Every code, in catalogue order.
            pub const ALL: &'static [FindingCode] = &[$(FindingCode::$variant,)*];

            /// The stable identifier, e.g. `"MILEAGE_ZERO"`.
            pub fn as_str(self) -> &'static str {
                match self { $(FindingCode::$variant => $code,)* }
            }

            /// The fixed severity of the code (§13).
            pub fn severity(self) -> Severity {
                match self { $(FindingCode::$variant => Severity::$sev,)* }
            }
        }
    };
}

catalogue! {
    NoPatientContact = "NO_PATIENT_CONTACT", Info;
    TransportDispositionNotDocumented = "TRANSPORT_DISPOSITION_NOT_DOCUMENTED", Error;
    NonAmbulanceTransport = "NON_AMBULANCE_TRANSPORT", Error;
    TransportMethodConflict = "TRANSPORT_METHOD_CONFLICT", Warning;
    ResponseUrgencyConflict = "RESPONSE_URGENCY_CONFLICT", Warning;
    CrewLevelBelowCareProvided = "CREW_LEVEL_BELOW_CARE_PROVIDED", Error;
    CrewLevelNotDocumented = "CREW_LEVEL_NOT_DOCUMENTED", Warning;
    SctCrewNotDocumented = "SCT_CREW_NOT_DOCUMENTED", Warning;
    UnitCapabilityBelowLevel = "UNIT_CAPABILITY_BELOW_LEVEL", Warning;
    AirNecessityNotDocumented = "AIR_NECESSITY_NOT_DOCUMENTED", Warning;
    ClaimedLevelNotDocumented = "CLAIMED_LEVEL_NOT_DOCUMENTED", Info;
    LevelClaimedAboveDocumented = "LEVEL_CLAIMED_ABOVE_DOCUMENTED", Error;
    LevelClaimedBelowDocumented = "LEVEL_CLAIMED_BELOW_DOCUMENTED", Warning;
    LevelClaimedModeMismatch = "LEVEL_CLAIMED_MODE_MISMATCH", Error;
    LevelClaimedWithoutTransport = "LEVEL_CLAIMED_WITHOUT_TRANSPORT", Error;
    ParamedicInterceptClaimed = "PARAMEDIC_INTERCEPT_CLAIMED", Warning;
    MileageNotDocumented = "MILEAGE_NOT_DOCUMENTED", Error;
    MileageOdometerReversed = "MILEAGE_ODOMETER_REVERSED", Error;
    MileageZero = "MILEAGE_ZERO", Warning;
    OdometerSequenceAnomaly = "ODOMETER_SEQUENCE_ANOMALY", Warning;
    AirMileageEstimated = "AIR_MILEAGE_ESTIMATED", Info;
    MileageBeyondClosestFacility = "MILEAGE_BEYOND_CLOSEST_FACILITY", Warning;
    OriginTypeNotDocumented = "ORIGIN_TYPE_NOT_DOCUMENTED", Error;
    DestinationTypeNotDocumented = "DESTINATION_TYPE_NOT_DOCUMENTED", Error;
    DestinationNotCovered = "DESTINATION_NOT_COVERED", Error;
    OriginDestinationNotCovered = "ORIGIN_DESTINATION_NOT_COVERED", Warning;
    PickupZipMissing = "PICKUP_ZIP_MISSING", Error;
    DestinationZipMissing = "DESTINATION_ZIP_MISSING", Error;
    PickupAddressMissing = "PICKUP_ADDRESS_MISSING", Warning;
    DestinationAddressMissing = "DESTINATION_ADDRESS_MISSING", Warning;
    EmergencyNecessityNotSupported = "EMERGENCY_NECESSITY_NOT_SUPPORTED", Warning;
    NonemergencyNecessityNotDocumented = "NONEMERGENCY_NECESSITY_NOT_DOCUMENTED", Error;
    PcsMissing = "PCS_MISSING", Error;
    PcsRequiredWithin48h = "PCS_REQUIRED_WITHIN_48H", Warning;
    PcsDateOutOfRange = "PCS_DATE_OUT_OF_RANGE", Error;
    PcsSignerNotPhysician = "PCS_SIGNER_NOT_PHYSICIAN", Warning;
    BeneficiarySignatureMissing = "BENEFICIARY_SIGNATURE_MISSING", Error;
    SignatureExceptionIncomplete = "SIGNATURE_EXCEPTION_INCOMPLETE", Warning;
    RefusalSignatureMissing = "REFUSAL_SIGNATURE_MISSING", Warning;
    PrimaryImpressionMissing = "PRIMARY_IMPRESSION_MISSING", Error;
    DiagnosisListTruncated = "DIAGNOSIS_LIST_TRUNCATED", Info;
    NarrativeProcedureNotCoded = "NARRATIVE_PROCEDURE_NOT_CODED", Warning;
    NarrativeContradictsProcedure = "NARRATIVE_CONTRADICTS_PROCEDURE", Error;
    NarrativeContradictsBedConfinement = "NARRATIVE_CONTRADICTS_BED_CONFINEMENT", Error;
}

impl std::fmt::Display for FindingCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding of the output record (§2): its code, the code's severity, and a message that
/// names the elements and values that led to it (never patient identity).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodingFinding {
    pub code: FindingCode,
    pub severity: Severity,
    pub message: String,
}

/// Collects the findings of one PCR; each code at most once (the findings are a set, §2).
#[derive(Debug, Default)]
pub(crate) struct Findings {
    pub list: Vec<CodingFinding>,
}

impl Findings {
    pub fn add(&mut self, code: FindingCode, message: impl Into<String>) {
        if !self.list.iter().any(|f| f.code == code) {
            self.list.push(CodingFinding { code, severity: code.severity(), message: message.into() });
        }
    }
}
