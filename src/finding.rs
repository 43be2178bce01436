//! Findings: what every stage reports about a document or record (a well-formedness error, an
//! XSD violation, and later Schematron and coding findings), with enough position to act on.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// The bytes are not well-formed XML (or use a refused feature such as DOCTYPE).
    Parse,
    /// A violation of the NEMSIS XSD.
    Xsd,
    /// A Schematron rule fired.
    Schematron,
    /// An ambulance-coding finding.
    Coding,
    /// The input could not be read (I/O, corrupt archive member).
    Io,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Parse => "parse",
            Kind::Xsd => "xsd",
            Kind::Schematron => "schematron",
            Kind::Coding => "coding",
            Kind::Io => "io",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum Severity {
    Fatal,
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Fatal => "FATAL",
            Severity::Error => "ERROR",
            Severity::Warning => "WARNING",
            Severity::Info => "INFO",
        }
    }
    /// Whether a finding of this severity rejects the record.
    pub fn rejects(self) -> bool {
        matches!(self, Severity::Fatal | Severity::Error)
    }
}

/// One finding. Messages name elements, codes and positions; they may quote the offending
/// value (the person fixing the record needs it) but findings are output, never logged.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The record's `UUID` attribute (PatientCareReport) or None for document-level findings.
    pub record: Option<String>,
    pub kind: Kind,
    /// Rule id (Schematron assert id, coding finding code); None for parse and XSD findings.
    pub rule: Option<String>,
    pub severity: Severity,
    /// Local name of the element the finding is about, if any.
    pub element: Option<String>,
    pub line: u64,
    pub column: u64,
    /// Path such as `/EMSDataSet/Header[1]/PatientCareReport[2]/eSituation/eSituation.11`
    /// (positions on repeatable elements).
    pub path: String,
    pub message: String,
}
