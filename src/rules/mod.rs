//! Native national Schematron rules: every assert and report of the official NEMSIS v3.5.1
//! and v3.5.0 Schematron for EMSDataSet, DEMDataSet and StateDataSet, written as plain Rust
//! over the record tree (no XPath at run time).
//!
//! Source of truth: `shared/nemsis/v3.5.{1,0}/Schematron/<Dataset>.sch`. The semantics are
//! those of the ISO Schematron skeleton that produced the official expected reports: per
//! pattern, each element is matched against the pattern's rules in order and only the first
//! matching rule fires; an assert fires when its test is false, a report when it is true; a
//! finding's location is its rule's context node, with the position among same-named
//! siblings on every step (`/EMSDataSet[1]/Header[1]/PatientCareReport[1]/eTimes[1]/eTimes.03[1]`).
//!
//! # Finding a rule
//!
//! One module per official pattern (or pair of related patterns), named after it; within a
//! module the table [`Pattern`] lists the rules in the `.sch` order, each with its official
//! rule id, context (as the official XPath, for reference), and checks (official assert or
//! report id, role, test function, subject elements, message). Each test function is named
//! after its id (`fn e011`) and quotes the official test in its doc comment. `grep -rn e011
//! src/rules/` finds it.
//!
//! | dataset      | modules                                                                 |
//! |--------------|-------------------------------------------------------------------------|
//! | EMSDataSet   | `ems::{nil_nv_pn, response, times, patient, scene, situation, injury, arrest, history, vitals, medications, procedures, disposition}` |
//! | DEMDataSet   | `dem::{nil_nv, report, agency, configuration}`                           |
//! | StateDataSet | `state::{nil_nv, dataset, custom, element, configuration, agency, facility}` |
//!
//! # Releases
//!
//! One table serves both releases. A rule or check present in only one release carries
//! `.only(Releases::V351)` / `.only(Releases::V350)`; a check whose test changed between
//! releases appears twice, once per release (see `nemSch_e103`). The rule set is chosen by the
//! model's `version` and `dataset`. To apply a new release: add its `Releases` bit, then
//! diff the new `.sch` against the previous one (rule by rule, they are small) and mark the
//! added, removed and changed entries.
//!
//! # Scope and exactness
//!
//! The national EMS rules never compare two PatientCareReports, so evaluating one record
//! with its Header context is exact. Rules that look into the Header (`nemSch_e011` compares
//! eResponse.01 with `Header/DemographicGroup/dAgency.02`) read the context tree.
//! [`check_context`] evaluates the rules over the Header (EMS) / DEMDataSet (DEM) prelude
//! itself; with the current rules nothing there can fire (no element of those preludes
//! carries NV, PN, UUID or xsi:nil), so the pipeline only needs [`check`].
//!
//! Differences from a run of the `.sch` over the raw XML, all confined to XSD-invalid input:
//! the record tree keeps only attributes the schema declares (an undeclared `NV` is an XSD
//! error, not seen here), keeps `xsi:nil` only on nillable elements, and records `xsi:nil="1"`
//! as nil (the `.sch` tests `@xsi:nil = 'true'` literally). A dynamic error of the official
//! XPath (a dateTime comparison over a value that is not a dateTime, or over an element that
//! occurs twice) is reported as a FATAL finding of that check instead of aborting the run.

mod engine;
pub mod eval;
pub mod names;
pub mod values;

mod dem;
mod ems;
mod state;

use std::sync::OnceLock;

pub use eval::{Cx, Ev, Nodes, R};
pub use names::N;

use crate::finding::Finding;
use crate::record::Record;
use crate::schema::model::Model;
use crate::split;

/// SNOMED CT codes the national rules accept as medications (EMS eMedications.03, DEM
/// dConfiguration.09, State sConfiguration.05), besides RxNorm codes.
pub(crate) const SNOMED_MEDICATIONS: &[&str] = &["116762002", "116795008", "116861002", "116865006", "180208003", "33389009", "71493000"];

/// The role of an assert or report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Fatal,
    Error,
    Warning,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Fatal => "FATAL",
            Role::Error => "ERROR",
            Role::Warning => "WARNING",
        }
    }
}

/// `sch:assert` (fires when the test is false) or `sch:report` (fires when it is true).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckKind {
    Assert,
    Report,
}

/// The NEMSIS releases a rule or check belongs to (a bit set).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Releases(u8);

impl Releases {
    pub const V350: Releases = Releases(1);
    pub const V351: Releases = Releases(2);
    pub const ALL: Releases = Releases(3);

    /// Whether the release named `version` ("3.5.1", "3.5.0") is in the set.
    pub fn has(self, version: &str) -> bool {
        let bit = match version {
            "3.5.0" => 1,
            "3.5.1" => 2,
            _ => 0,
        };
        self.0 & bit != 0
    }
}

/// A rule's test: the value of the official XPath test at the context node.
pub type Test = fn(&Cx<'_>) -> R;

/// One `sch:assert` / `sch:report`.
#[derive(Debug)]
pub struct Check {
    /// Official id (`nemSch_e011`); the rule's id for the few id-less reports.
    pub id: &'static str,
    pub role: Role,
    pub kind: CheckKind,
    pub releases: Releases,
    pub test: Test,
    /// The elements the official `subject` names (the context element when it says `.`);
    /// empty when the check is about the context element alone.
    pub subject: &'static [N],
    /// Our message; `{el}` stands for the context element (number and name).
    pub message: &'static str,
}

impl Check {
    /// Restrict the check to some releases.
    pub const fn only(self, releases: Releases) -> Check {
        Check { releases, ..self }
    }
}

/// An assert with role WARNING.
pub const fn warn(id: &'static str, test: Test, subject: &'static [N], message: &'static str) -> Check {
    Check { id, role: Role::Warning, kind: CheckKind::Assert, releases: Releases::ALL, test, subject, message }
}

/// An assert with role ERROR.
pub const fn error(id: &'static str, test: Test, subject: &'static [N], message: &'static str) -> Check {
    Check { id, role: Role::Error, kind: CheckKind::Assert, releases: Releases::ALL, test, subject, message }
}

fn never_true(_: &Cx<'_>) -> R {
    Ok(false)
}

/// The official "blocker" rules' `sch:report test="false()"` (role WARNING, no id): never
/// fires; the rule exists so that later rules of its pattern do not match the node.
pub const fn never(rule_id: &'static str, message: &'static str) -> Check {
    Check { id: rule_id, role: Role::Warning, kind: CheckKind::Report, releases: Releases::ALL, test: never_true, subject: &[], message }
}

/// What a rule's context selects before its predicate.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    /// `nem:X`.
    Elem(N),
    /// `*[@attr]`: any element carrying the attribute.
    WithAttr(&'static str),
    /// `nem:X//*[@attr]`.
    WithAttrUnder(&'static str, N),
    /// `*[@xsi:nil = 'true']`.
    Nil,
}

/// A rule's context: target, optional predicate, optional trailing `[1]`.
#[derive(Debug, Clone, Copy)]
pub struct On {
    pub target: Target,
    /// The predicate (`[. != '']`, `[@PN = '8801023']`, ...), evaluated at the candidate node.
    pub when: Option<fn(&Cx<'_>) -> bool>,
    /// A trailing `[1]`: only the first same-named sibling that satisfies the predicate.
    pub first: bool,
    /// The official context XPath, for reference.
    pub xpath: &'static str,
}

impl On {
    pub const fn when(self, f: fn(&Cx<'_>) -> bool) -> On {
        On { when: Some(f), ..self }
    }
    pub const fn first(self) -> On {
        On { first: true, ..self }
    }
}

/// Context `nem:X` (add `.when(..)` / `.first()` for predicates).
pub const fn on(n: N, xpath: &'static str) -> On {
    On { target: Target::Elem(n), when: None, first: false, xpath }
}

/// Context `*[@attr]`.
pub const fn any_with(attr: &'static str, xpath: &'static str) -> On {
    On { target: Target::WithAttr(attr), when: None, first: false, xpath }
}

/// Context `nem:X//*[@attr]`.
pub const fn any_with_under(attr: &'static str, under: N, xpath: &'static str) -> On {
    On { target: Target::WithAttrUnder(attr, under), when: None, first: false, xpath }
}

/// Context `*[@xsi:nil = 'true']`.
pub const fn any_nil(xpath: &'static str) -> On {
    On { target: Target::Nil, when: None, first: false, xpath }
}

/// One `sch:rule`.
#[derive(Debug)]
pub struct Rule {
    /// Official rule id (`nemSch_eTimes_rule_3`).
    pub id: &'static str,
    pub releases: Releases,
    pub context: On,
    pub checks: &'static [Check],
}

impl Rule {
    pub const fn only(self, releases: Releases) -> Rule {
        Rule { releases, ..self }
    }
}

pub const fn rule(id: &'static str, context: On, checks: &'static [Check]) -> Rule {
    Rule { id, releases: Releases::ALL, context, checks }
}

/// One `sch:pattern`: its rules in the official order.
#[derive(Debug)]
pub struct Pattern {
    pub id: &'static str,
    pub releases: Releases,
    pub rules: &'static [Rule],
}

/// The patterns of a dataset, in the official order.
fn patterns(dataset: &str) -> Option<&'static [&'static Pattern]> {
    match dataset {
        "EMSDataSet" => Some(ems::PATTERNS),
        "DEMDataSet" => Some(dem::PATTERNS),
        "StateDataSet" => Some(state::PATTERNS),
        _ => None,
    }
}

/// Every rule of a release, with its pattern, in official order.
fn rules_of(version: &str, dataset: &str) -> impl Iterator<Item = (&'static Pattern, &'static Rule)> {
    let version = version.to_string();
    patterns(dataset)
        .unwrap_or(&[])
        .iter()
        .filter({
            let v = version.clone();
            move |p| p.releases.has(&v)
        })
        .flat_map(move |p| {
            let v = version.clone();
            p.rules.iter().filter(move |r| r.releases.has(&v)).map(move |r| (*p, r))
        })
}

/// Run the national rules of the record's release and dataset over one record.
///
/// `context` is the record's Header (EMS) / DEMDataSet (DEM) context, `record_index` its
/// 1-based position among its siblings (`RawRecord::index`). Findings have kind Schematron,
/// the official id as `rule`, the role as severity (FATAL when a test could not be
/// evaluated), the context element, its line/column, and its location as `path`.
/// Returns nothing for a model without national rules (unknown release).
pub fn check(model: &Model, context: &split::Context, record: &Record, record_index: u32) -> Vec<Finding> {
    let mut out = Vec::new();
    let Some(cm) = engine::compiled(model) else { return out };
    if record.nodes.is_empty() {
        return out;
    }
    let root = &model.element(record.nodes[0].elem).name;
    let root_loc = format!("{}/{}[{}]", full_path(&context.path), root, record_index);
    engine::run(&cm, model, record, &context.tree, &root_loc, &mut out);
    out
}

/// Run the national rules over a Header / DEMDataSet context itself (its elements before the
/// first record). Call once per context if at all: with the current national rules and the
/// record tree's attribute model nothing can fire there (see the module documentation).
pub fn check_context(model: &Model, context: &split::Context) -> Vec<Finding> {
    let mut out = Vec::new();
    let Some(cm) = engine::compiled(model) else { return out };
    if context.tree.nodes.is_empty() {
        return out;
    }
    engine::run(&cm, model, &context.tree, &context.tree, &full_path(&context.path), &mut out);
    out
}

/// `/EMSDataSet/Header[2]` → `/EMSDataSet[1]/Header[2]`.
fn full_path(p: &str) -> String {
    let mut out = String::with_capacity(p.len() + 8);
    for step in p.split('/').filter(|s| !s.is_empty()) {
        out.push('/');
        out.push_str(step);
        if !step.ends_with(']') {
            out.push_str("[1]");
        }
    }
    out
}

/// The ids of every assert and report of a release and dataset, in official order (the
/// id-less blocker reports appear under their rule's id). Empty for an unknown pair.
pub fn rule_ids(version: &str, dataset: &str) -> &'static [&'static str] {
    static IDS: [OnceLock<Vec<&'static str>>; 6] = [const { OnceLock::new() }; 6];
    let Some(v) = ["3.5.1", "3.5.0"].iter().position(|x| *x == version) else { return &[] };
    let Some(d) = ["EMSDataSet", "DEMDataSet", "StateDataSet"].iter().position(|x| *x == dataset) else { return &[] };
    IDS[v * 3 + d].get_or_init(|| {
        rules_of(version, dataset).flat_map(|(_, r)| r.checks.iter().filter(|c| c.releases.has(version)).map(|c| c.id)).collect()
    })
}

/// A description of one check (for documentation, `nemsis rules` style listings and tests).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckInfo {
    pub id: &'static str,
    pub role: Role,
    pub kind: CheckKind,
    pub pattern: &'static str,
    pub rule: &'static str,
    /// The official context XPath.
    pub context: &'static str,
    /// Element names the official `subject` names.
    pub subject: Vec<&'static str>,
    pub message: &'static str,
}

/// Look a check up by its official id.
pub fn describe(version: &str, dataset: &str, id: &str) -> Option<CheckInfo> {
    rules_of(version, dataset).find_map(|(p, r)| {
        r.checks.iter().filter(|c| c.releases.has(version) && c.id == id).map(|c| CheckInfo {
            id: c.id,
            role: c.role,
            kind: c.kind,
            pattern: p.id,
            rule: r.id,
            context: r.context.xpath,
            subject: c.subject.iter().map(|n| n.name()).collect(),
            message: c.message,
        }).next()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(full_path("/EMSDataSet/Header[2]"), "/EMSDataSet[1]/Header[2]");
        assert_eq!(full_path(""), "");
        assert_eq!(full_path("/DEMDataSet"), "/DEMDataSet[1]");
    }

    #[test]
    fn id_counts_match_the_official_files() {
        // sch:assert + sch:report per file (blocker reports included).
        assert_eq!(rule_ids("3.5.1", "EMSDataSet").len(), 194);
        assert_eq!(rule_ids("3.5.0", "EMSDataSet").len(), 192);
        assert_eq!(rule_ids("3.5.1", "DEMDataSet").len(), 19);
        assert_eq!(rule_ids("3.5.0", "DEMDataSet").len(), 19);
        assert_eq!(rule_ids("3.5.1", "StateDataSet").len(), 31);
        assert_eq!(rule_ids("3.5.0", "StateDataSet").len(), 31);
        assert!(rule_ids("3.4.0", "EMSDataSet").is_empty());
    }

    #[test]
    fn every_named_element_exists_in_its_release() {
        for version in ["3.5.1", "3.5.0"] {
            for dataset in ["EMSDataSet", "DEMDataSet", "StateDataSet"] {
                let model = crate::schema::builtin::model(version, dataset).unwrap();
                for (_, r) in rules_of(version, dataset) {
                    let mut names: Vec<N> = match r.context.target {
                        Target::Elem(n) | Target::WithAttrUnder(_, n) => vec![n],
                        _ => vec![],
                    };
                    for c in r.checks.iter().filter(|c| c.releases.has(version)) {
                        names.extend(c.subject);
                    }
                    for n in names {
                        assert!(model.find(n.name()).is_some(), "{dataset} {version} {}: {} not in the model", r.id, n.name());
                    }
                }
                let info = describe(version, dataset, rule_ids(version, dataset)[0]).unwrap();
                assert!(info.id.starts_with("nemSch_"));
            }
        }
        assert_eq!(describe("3.5.1", "EMSDataSet", "nemSch_e011").unwrap().rule, "nemSch_eResponse_rule_1");
        assert!(describe("3.5.0", "EMSDataSet", "nemSch_e188").is_none());
        assert!(describe("3.5.1", "EMSDataSet", "nemSch_e066").is_none());
    }
}

/// The pipeline stage: run the national rules on a record that passed the XSD (the XSD is
/// the first gate, as in the official flow) and add their findings to the record.
pub fn run_stage(r: &mut crate::pipeline::RecordResult) {
    if !r.xsd_valid() {
        return;
    }
    let Some(o) = r.outcome.as_ref() else { return };
    let found = check(r.info.schema.model, &r.raw.context, &o.tree, r.raw.index);
    r.findings.extend(found);
}
