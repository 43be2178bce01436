//! A native ISO Schematron engine for the rule files NEMSIS and the states write
//! (`queryBinding="xslt2"`), with the semantics of the ISO "skeleton" XSLT that produced the
//! official expected reports: one pass per pattern over the elements in document order, the
//! first rule of a pattern whose context matches a node fires, asserts fail when their test is
//! false and reports fire when it is true.
//!
//! - [`dom`]: the document tree the rules run over.
//! - [`xpath`]: the XPath 2.0 subset (lexer, parser, evaluator, match patterns).
//! - [`load`]: `.sch` file → [`Schema`]; every expression is compiled up front and anything
//!   unsupported is refused with the `.sch` line and the construct named.
//! - [`engine`]: [`run`] a schema over a document → [`SchFinding`]s.
//! - [`record`]: the pipeline stage behind `--schematron FILE` (`validate`, `ingest`): loads the
//!   files once, builds each XSD-valid record's Dom from its record tree and envelope context
//!   (no second parse), runs the files and reports pipeline `Finding`s of kind `schematron`.
//!
//! Supported Schematron: `sch:schema` (queryBinding xslt2/xslt3), `sch:ns`, `sch:let` (schema,
//! pattern, rule; `value` or element content), `sch:pattern`, `sch:rule` (incl. abstract rules
//! and `sch:extends`), `sch:assert`, `sch:report`, `sch:value-of`, `sch:name`, `sch:emph`/
//! `sch:dir`/`sch:span`, `sch:diagnostics`/`sch:diagnostic` (text diagnostics are rendered;
//! the NEMSIS `nemsisDiagnostic` is produced natively as [`NemsisDiagnostic`]),
//! `sch:phase`/`sch:active` with `defaultPhase`, `sch:include` (when loading from a file),
//! top-level `xsl:variable` (select or literal tree) and `xsl:key`.
//! Refused: abstract patterns and `sch:param`, `is-a`, other `xsl:` instructions, rule
//! contexts that match only attributes or text (never visited), query bindings other than
//! xslt2/xslt3.
//!
//! ```no_run
//! use nemsis::schematron::{run, Dom, Schema};
//! let schema = Schema::load("EMSDataSet.sch".as_ref())?; // once; Send + Sync
//! let dom = Dom::parse(&std::fs::read("record.xml")?)?;
//! for f in run(&schema, &dom) {
//!     println!("{} [{}] {} {}", f.id, f.role, f.location, f.text);
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! To run per record over a tree the caller already has, build a [`Dom`] with [`DomBuilder`]
//! (namespaced names, attributes including `xsi:nil`, text) holding the record and the context
//! its rules read (for EMS: `EMSDataSet/Header` with `DemographicGroup`,
//! `eCustomConfiguration` and the one `PatientCareReport`), and use
//! [`DomBuilder::set_location_offset`] so locations keep the record's position in the file.

pub mod dom;
pub mod engine;
pub mod load;
pub mod record;
pub mod xpath;

pub use dom::{Dom, DomBuilder, DomError};
pub use engine::{run, run_with, RunOptions, Schema};
pub use xpath::datetime::DateTime;

/// What fired.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CheckKind {
    /// An `sch:assert` whose test was false (SVRL `failed-assert`).
    FailedAssert,
    /// An `sch:report` whose test was true (SVRL `successful-report`).
    SuccessfulReport,
    /// The rule could not be evaluated on this node (an XPath dynamic error, e.g. a value
    /// that is not a valid xs:dateTime). Reported with role `FATAL`; the official validator
    /// stops on such errors.
    EvaluationError,
}

/// A missing element named by the `nemsisDiagnostic` (`$nemsisElementsMissing`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MissingElement {
    /// Location of the element under which it is missing.
    pub parent_location: String,
    /// NEMSIS element name, e.g. `ePatient.25`.
    pub name: String,
}

/// The structured data of the NEMSIS national diagnostic: which elements to look at
/// (`$nemsisElements`, as locations) and which are missing.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct NemsisDiagnostic {
    pub elements: Vec<String>,
    pub missing: Vec<MissingElement>,
}

/// One finding, as in an SVRL report.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct SchFinding {
    /// The assert/report `@id`, else its rule's `@id` ("" when neither has one).
    pub id: String,
    /// `@role` without brackets (`ERROR`, `WARNING`, ...); `FATAL` for evaluation errors.
    pub role: String,
    /// The rule's context node: `/EMSDataSet[1]/Header[1]/PatientCareReport[1]/eTimes[1]/eTimes.03[1]`.
    pub location: String,
    /// The message with `sch:value-of` evaluated, whitespace collapsed.
    pub text: String,
    /// Line of the context node's start tag in the document.
    pub line: u32,
    /// Line of the assert/report in the `.sch` file.
    pub sch_line: u32,
    pub kind: CheckKind,
    /// The `@id` of the pattern and rule that fired ("" when absent).
    pub pattern: String,
    pub rule: String,
    /// `nemsisDiagnostic` data, when the check references that diagnostic.
    pub nemsis: Option<NemsisDiagnostic>,
    /// Other referenced diagnostics: (diagnostic id, rendered text).
    pub diagnostics: Vec<(String, String)>,
}

/// A `.sch` file the engine refuses or cannot read.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{file}:{line}: {message}")]
pub struct LoadError {
    pub file: String,
    pub line: u32,
    pub message: String,
}
