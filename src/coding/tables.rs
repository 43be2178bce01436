//! The specification's own code tables (`ambulance-coding.md` §3.4, §8, §10, §11, §14), as
//! constants. The configurable ones are the defaults of [`super::Config`]; the others are fixed
//! by the specification. Every code is a string compared exactly after trimming (§3.1).
//!
//! Labels are the short descriptions the specification gives; they only make messages and the
//! text output readable (NEMSIS enumerated codes are labelled from the schema model instead).

/// `eResponse.23` values that make the response an emergency response (§3.4, R-EMER-1).
pub const EMERGENCY_RESPONSE_MODES: &[&str] = &["2223001", "2223003", "2223007"];

/// `eCrew.02` levels that staff an ALS crew (§3.4).
pub const ALS_CREW_LEVELS: &[&str] = &["9925001", "9925002", "9925007", "9925027", "9925033", "9925035", "9925037", "9925039", "9925043"];

/// `eCrew.02` levels of specialty-care clinicians (§3.4).
pub const SCT_CREW_LEVELS: &[&str] = &["9925027", "9925029", "9925033", "9925037", "9925039", "9925043"];

/// `ePayment.42` values that document a specialty-care clinician (§3.4).
pub const SCT_PROVIDER_CODES: &[&str] = &["2642003", "2642005", "2642007", "2642009", "2642031", "2642035", "2642039"];

/// A.1 `als_procedures`: SNOMED CT procedures beyond EMT-Basic scope.
pub const ALS_PROCEDURES: &[&str] = &[
    "392230005", "430824005", "405427009", "392247006", "226005007", "232674004", "450601000124103", "241689008",
    "450611000124100", "427753009", "429705000", "424979004", "243142003", "45851008", "385857005", "225718003",
    "426220008", "250980009", "18590009", "23852006", "46825001", "428803005", "182705007", "87750000", "235425002",
    "386237008", "116859006",
];

/// A.2 `als2_procedures`: procedures that alone make ALS2.
pub const ALS2_PROCEDURES: &[&str] = &["426220008", "250980009", "232674004", "450601000124103", "241689008", "18590009", "182705007", "430824005"];

/// A.3 `als2_routes` (`eMedications.04`): IV push/bolus or continuous infusion routes.
pub const ALS2_ROUTES: &[&str] = &["9927023", "9927021", "9927069", "9927061", "9927075"];

/// A.4 `als2_excluded_medications`: crystalloid / hypotonic / isotonic / hypertonic solutions.
pub const ALS2_EXCLUDED_MEDICATIONS: &[&str] = &["313002", "1008377", "1795477", "260258", "237653"];

/// A.5 `bls_medications`: medication → routes allowed at EMT-Basic scope (`*` = any route).
pub const BLS_MEDICATIONS: &[(&str, &[&str])] = &[
    ("7806", &["*"]),
    ("1191", &["9927035"]),
    ("4850", &["9927035", "9927003"]),
    ("4917", &["9927047"]),
    ("435", &["9927071", "9927009"]),
    ("7242", &["9927017", "9927063"]),
    ("328316", &["9927063"]),
];

/// A.6 `sct_procedures`: care beyond paramedic scope.
pub const SCT_PROCEDURES: &[&str] = &["385857005", "45851008", "392247006", "226005007", "386237008", "116859006"];

/// A.6 `sct_medications` (each counts only by a route in A.3).
pub const SCT_MEDICATIONS: &[&str] = &[
    "116762002", "116795008", "116861002", "116865006", "180208003", "33389009", "71493000", "5224", "1605101", "7396", "8782",
    "11124", "8591",
];

/// A.7 origin map (`eScene.09` ICD-10-CM Y92 prefix → origin letter; longest prefix wins).
/// Any other `Y92` code maps to [`ORIGIN_OTHER_Y92`].
pub const ORIGIN_MAP: &[(&str, &str)] = &[("Y92.0", "R"), ("Y92.1", "E"), ("Y92.13", "S"), ("Y92.23", "H"), ("Y92.53", "D"), ("Y92.531", "P")];
/// A.7: the letter of a `Y92` code that no prefix of [`ORIGIN_MAP`] matches.
pub const ORIGIN_OTHER_Y92: &str = "S";

/// A.8 destination map (`eDisposition.21` → destination letter, `not_covered` or `unknown`).
/// A code not listed is unknown.
pub const DESTINATION_MAP: &[(&str, &str)] = &[
    ("4221001", "R"),
    ("4221003", "H"),
    ("4221005", "H"),
    ("4221007", "P"),
    ("4221015", "I"),
    ("4221021", "D"),
    ("4221023", "H"),
    ("4221025", "J"),
    ("4221027", "D"),
    ("4221029", "E"),
    ("4221031", "H"),
    ("4221033", "E"),
    ("4221035", "D"),
    ("4221037", "H"),
    ("4221039", "D"),
    ("4221041", "N"),
    ("4221009", "not_covered"),
    ("4221017", "not_covered"),
    ("4221019", "not_covered"),
    ("4221013", "unknown"),
];

/// The origin/destination letters of R-MOD-1 that a map may produce (`X` is never derived).
pub const OD_LETTERS: &[&str] = &["D", "E", "G", "H", "I", "J", "N", "P", "R", "S"];

/// A.9 advanced airways (A0396).
pub const ADVANCED_AIRWAYS: &[&str] = &["232674004", "450601000124103", "241689008", "450611000124100", "427753009", "429705000", "424979004"];

/// §8 A0394: vascular-access procedures (IV insertion, external jugular, IO).
pub const IV_ACCESS_PROCEDURES: &[&str] = &["392230005", "405427009", "430824005"];
/// §8 A0384/A0392: defibrillation procedures (manual, AED, cardioversion).
pub const DEFIBRILLATION_PROCEDURES: &[&str] = &["426220008", "450661000124102", "250980009"];
/// §8 A0422: oxygen medication (RxNorm).
pub const OXYGEN_MEDICATION: &str = "7806";
/// §8 A0422: oxygen procedures (therapy, nasal cannula, mask).
pub const OXYGEN_PROCEDURES: &[&str] = &["57485005", "371907003", "371908008"];

/// R-CNT-1 item 4 / R-CNT-2: `eProcedures.10` / `eMedications.10` roles that are not EMS care.
pub const NON_EMS_ROLES: &[&str] = &["9905043", "9905045", "9905047", "9905049", "9905051"];

/// R-SCT-1: `eResponse.05` interfacility categories.
pub const INTERFACILITY: &[&str] = &["2205005", "2205015", "2205017", "2205019"];
/// R-MOD-2: `eResponse.05` transfers from a hospital (origin `H`).
pub const FROM_HOSPITAL: &[&str] = &["2205005", "2205015"];

/// R-LVL-3: `eResponse.07` BLS-equipped or non-equipped units.
pub const BLS_OR_NON_EQUIPPED_UNITS: &[&str] = &["2207017", "2207023", "2207025", "2207027"];

/// R-MILE-5: `eDisposition.20` reasons that justify a destination beyond the closest facility.
pub const DESTINATION_REASONS_COVERED: &[&str] = &["4220001", "4220003", "4220011", "4220019", "4220021"];

/// R-AIR-2: `ePayment.52` air medical transportation indicators.
pub const AIR_INDICATORS: &[&str] = &["D1", "D2", "D3", "D4"];

/// §10: `ePayment.50` (CMS Service Level) → claimed HCPCS code.
pub const CLAIMED_LEVELS: &[(&str, &str)] = &[
    ("2650001", "A0426"),
    ("2650003", "A0427"),
    ("2650005", "A0433"),
    ("2650007", "A0428"),
    ("2650009", "A0429"),
    ("2650011", "A0430"),
    ("2650013", "A0432"),
    ("2650015", "A0434"),
    ("2650017", "A0431"),
];

/// R-CLM-1 (6): relative value units of the ground base codes, in hundredths (414.610(c)).
pub const GROUND_RVU: &[(&str, u32)] = &[("A0428", 100), ("A0426", 120), ("A0429", 160), ("A0427", 190), ("A0433", 275), ("A0434", 325)];

/// HCPCS descriptors of the codes the coder emits (for the text output and messages).
pub const HCPCS_LABELS: &[(&str, &str)] = &[
    ("A0426", "ALS1 non-emergency"),
    ("A0427", "ALS1 emergency"),
    ("A0428", "BLS non-emergency"),
    ("A0429", "BLS emergency"),
    ("A0430", "fixed-wing air transport"),
    ("A0431", "rotary-wing air transport"),
    ("A0432", "paramedic intercept"),
    ("A0433", "ALS2"),
    ("A0434", "specialty care transport"),
    ("A0998", "response and treatment, no transport"),
    ("A0425", "ground mileage, per statute mile"),
    ("A0435", "fixed-wing air mileage, per statute mile"),
    ("A0436", "rotary-wing air mileage, per statute mile"),
    ("A0888", "non-covered mileage beyond the closest appropriate facility"),
    ("A0382", "BLS routine disposable supplies"),
    ("A0398", "ALS routine disposable supplies"),
    ("A0394", "ALS specialized supplies, IV drug therapy"),
    ("A0396", "ALS specialized supplies, esophageal intubation"),
    ("A0384", "BLS specialized supplies, defibrillation"),
    ("A0392", "ALS specialized supplies, defibrillation"),
    ("A0422", "oxygen and oxygen supplies"),
    ("A0424", "extra ambulance attendant"),
];

/// Short names of the SNOMED CT procedures and RxNorm medications the specification names.
pub const CARE_LABELS: &[(&str, &str)] = &[
    ("392230005", "IV insertion"),
    ("430824005", "IO cannulation"),
    ("405427009", "external jugular access"),
    ("392247006", "arterial cannulation"),
    ("226005007", "central line care"),
    ("232674004", "orotracheal intubation"),
    ("450601000124103", "intubation with bougie"),
    ("241689008", "rapid sequence induction"),
    ("450611000124100", "single-lumen supraglottic airway"),
    ("427753009", "double-lumen supraglottic airway"),
    ("429705000", "combitube"),
    ("424979004", "LMA"),
    ("243142003", "BiPAP"),
    ("45851008", "PEEP"),
    ("385857005", "ventilator care"),
    ("225718003", "ET tube placement check"),
    ("243140006", "ventilation via existing tube"),
    ("426220008", "manual defibrillation"),
    ("250980009", "cardioversion"),
    ("18590009", "cardiac pacing"),
    ("23852006", "cardiac monitoring"),
    ("46825001", "ECG monitoring"),
    ("428803005", "3-lead ECG monitoring"),
    ("182705007", "needle decompression"),
    ("87750000", "NG tube"),
    ("235425002", "OG tube"),
    ("386237008", "LVAD care"),
    ("116859006", "blood product transfusion"),
    ("450661000124102", "AED defibrillation"),
    ("47545007", "CPAP"),
    ("268400002", "12-lead ECG acquisition"),
    ("29303009", "ECG"),
    ("57485005", "oxygen therapy"),
    ("371907003", "oxygen by nasal cannula"),
    ("371908008", "oxygen by mask"),
    ("313002", "normal saline"),
    ("1008377", "lactated Ringer's"),
    ("1795477", "dextrose 10%"),
    ("260258", "dextrose 25%"),
    ("237653", "dextrose 50%"),
    ("7806", "oxygen"),
    ("1191", "aspirin"),
    ("4850", "glucose"),
    ("4917", "nitroglycerin"),
    ("435", "albuterol"),
    ("7242", "naloxone"),
    ("328316", "epinephrine 1 mg/mL"),
    ("5224", "heparin"),
    ("1605101", "insulin"),
    ("7396", "nicardipine"),
    ("8782", "propofol"),
    ("11124", "vancomycin"),
    ("8591", "potassium chloride"),
    ("116762002", "blood product"),
    ("116795008", "blood product"),
    ("116861002", "blood product"),
    ("116865006", "blood product"),
    ("180208003", "blood product"),
    ("33389009", "blood product"),
    ("71493000", "blood product"),
];

/// Look a code up in a (code, value) table.
pub fn lookup<'a, T: Copy>(table: &'a [(&'a str, T)], code: &str) -> Option<T> {
    table.iter().find(|(c, _)| *c == code).map(|(_, v)| *v)
}
