//! Running a rule set over a record tree with the ISO Schematron skeleton's semantics.
//!
//! A rule set is compiled once per model ([`Compiled`]): element names resolved to ids, each
//! named element's path from the record (or Header) root precomputed, and for every element
//! id the list of rules whose context can match it, in pattern order then rule order.
//!
//! Evaluation walks the tree once, in document order. For each node and each pattern, the
//! candidate rules of that pattern are tried in order and only the first whose context
//! matches fires (its asserts fail when their test is false, its reports fire when it is
//! true); later rules of that pattern are not tried for the node. This is the skeleton's
//! "one pass per pattern, first matching template wins", done in one pass: patterns are
//! independent, so interleaving them per node gives the same findings.

use std::sync::OnceLock;

use super::eval::{Cx, Memo};
use super::names::NAMES;
use super::values::DateTime;
use super::{CheckKind, Pattern, Role, Rule, Target};
use crate::finding::{Finding, Kind, Severity};
use crate::record::{NodeId, Record, NONE};
use crate::schema::model::{ElemId, Model};

/// Deepest element path below a record root that a rule navigates (EMS needs 5).
pub(crate) const MAX_DEPTH: usize = 12;

/// "No such element in this model": never equal to a node's element id.
const NO_ELEM: ElemId = ElemId::MAX;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TreeSel {
    /// The record's own tree (PatientCareReport, DemographicReport, StateDataSet).
    Record,
    /// The Header context (EMS `Header`, DEM `DEMDataSet`).
    Header,
}

/// Where the instances of a named element are: which tree, its root element, and the element
/// ids on the way down from that root.
pub(crate) struct ElemPath {
    pub tree: TreeSel,
    pub root: ElemId,
    pub chain: Vec<ElemId>,
}

/// A rule with the checks of the model's release.
struct CRule {
    pattern: u32,
    rule: &'static Rule,
    checks: Vec<&'static super::Check>,
    target_attr: Option<&'static str>,
    target_nil: bool,
}

/// A rule set compiled for one model.
pub(crate) struct Compiled {
    model_addr: usize,
    /// Another model object found to have the same element ids (checked once, then trusted).
    alt_addr: std::sync::atomic::AtomicUsize,
    pub(crate) ids: Vec<ElemId>,
    pub(crate) paths: Vec<Option<ElemPath>>,
    rules: Vec<CRule>,
    by_elem: Candidates,
    /// The same without the rules whose context needs an attribute or `xsi:nil`: what a node
    /// with neither can match (most nodes).
    by_elem_plain: Candidates,
}

/// Per element id, the candidate rules (indexes into `rules`), in one flat array: the lists
/// are read for every node of every record, and a list per element cost a cache miss each.
struct Candidates {
    starts: Vec<u32>,
    rules: Vec<u32>,
}

impl Candidates {
    fn new(lists: &[Vec<u32>]) -> Candidates {
        let mut starts = Vec::with_capacity(lists.len() + 1);
        let mut rules = Vec::new();
        for l in lists {
            starts.push(rules.len() as u32);
            rules.extend_from_slice(l);
        }
        starts.push(rules.len() as u32);
        Candidates { starts, rules }
    }

    fn of(&self, e: ElemId) -> &[u32] {
        &self.rules[self.starts[e as usize] as usize..self.starts[e as usize + 1] as usize]
    }

    fn elements(&self) -> usize {
        self.starts.len() - 1
    }
}

static CACHE: [OnceLock<Compiled>; 6] = [const { OnceLock::new() }; 6];

fn slot(version: &str, dataset: &str) -> Option<usize> {
    let v = ["3.5.1", "3.5.0"].iter().position(|x| *x == version)?;
    let d = ["EMSDataSet", "DEMDataSet", "StateDataSet"].iter().position(|x| *x == dataset)?;
    Some(v * 3 + d)
}

/// The compiled rules for a model (compiled on first use per release and dataset). Another
/// model object of the same release is accepted when its element ids agree.
pub(crate) fn compiled(model: &Model) -> Option<CompiledRef> {
    let patterns = super::patterns(&model.dataset)?;
    let i = slot(&model.version, &model.dataset)?;
    let c = CACHE[i].get_or_init(|| Compiled::new(model, patterns));
    let addr = model as *const Model as usize;
    let alt = &c.alt_addr;
    if c.model_addr == addr || (alt.load(std::sync::atomic::Ordering::Relaxed) == addr && model.elements.len() == c.by_elem.elements()) {
        Some(CompiledRef::Shared(c))
    } else if c.same_ids(model) {
        alt.store(addr, std::sync::atomic::Ordering::Relaxed);
        Some(CompiledRef::Shared(c))
    } else {
        Some(CompiledRef::Own(Box::new(Compiled::new(model, patterns))))
    }
}

pub(crate) enum CompiledRef {
    Shared(&'static Compiled),
    Own(Box<Compiled>),
}

impl std::ops::Deref for CompiledRef {
    type Target = Compiled;
    fn deref(&self) -> &Compiled {
        match self {
            CompiledRef::Shared(c) => c,
            CompiledRef::Own(c) => c,
        }
    }
}

impl Compiled {
    fn new(model: &Model, patterns: &'static [&'static Pattern]) -> Compiled {
        let ids: Vec<ElemId> = NAMES.iter().map(|n| model.find(n).unwrap_or(NO_ELEM)).collect();
        let record_path = match model.dataset.as_str() {
            "EMSDataSet" => "/EMSDataSet/Header/PatientCareReport",
            "DEMDataSet" => "/DEMDataSet/DemographicReport",
            _ => "/StateDataSet",
        };
        let record_root = model.by_path(record_path);
        let header_root = record_root.and_then(|r| model.element(r).parent);
        let paths = ids
            .iter()
            .map(|&e| {
                if e == NO_ELEM {
                    return None;
                }
                let mut chain = Vec::new();
                let mut cur = e;
                loop {
                    let (tree, root) = if Some(cur) == record_root {
                        (TreeSel::Record, cur)
                    } else if Some(cur) == header_root {
                        (TreeSel::Header, cur)
                    } else {
                        chain.push(cur);
                        cur = model.element(cur).parent?;
                        continue;
                    };
                    chain.reverse();
                    assert!(chain.len() <= MAX_DEPTH, "element path deeper than MAX_DEPTH");
                    return Some(ElemPath { tree, root, chain });
                }
            })
            .collect();

        let mut rules = Vec::new();
        let mut by_elem: Vec<Vec<u32>> = vec![Vec::new(); model.elements.len()];
        for (pi, p) in patterns.iter().enumerate() {
            for r in p.rules.iter().filter(|r| r.releases.has(&model.version)) {
                let checks: Vec<_> = r.checks.iter().filter(|c| c.releases.has(&model.version)).collect();
                let idx = rules.len() as u32;
                let (attr, nil, elems): (Option<&'static str>, bool, Vec<ElemId>) = match r.context.target {
                    Target::Elem(n) => {
                        let e = ids[n as usize];
                        (None, false, if e == NO_ELEM { vec![] } else { vec![e] })
                    }
                    Target::WithAttr(a) => (Some(a), false, elems_where(model, |e| model.attribute(e, a).is_some())),
                    Target::WithAttrUnder(a, anc) => {
                        let anc = ids[anc as usize];
                        (Some(a), false, elems_where(model, |e| model.attribute(e, a).is_some() && has_ancestor(model, e, anc)))
                    }
                    Target::Nil => (None, true, elems_where(model, |e| model.element(e).nillable)),
                };
                for e in elems {
                    by_elem[e as usize].push(idx);
                }
                rules.push(CRule { pattern: pi as u32, rule: r, checks, target_attr: attr, target_nil: nil });
            }
        }
        let plain: Vec<Vec<u32>> = by_elem.iter().map(|l| l.iter().copied().filter(|&r| rules[r as usize].target_attr.is_none() && !rules[r as usize].target_nil).collect()).collect();
        let (by_elem, by_elem_plain) = (Candidates::new(&by_elem), Candidates::new(&plain));
        Compiled { model_addr: model as *const Model as usize, alt_addr: Default::default(), ids, paths, rules, by_elem, by_elem_plain }
    }

    fn same_ids(&self, model: &Model) -> bool {
        model.elements.len() == self.by_elem.elements()
            && NAMES.iter().zip(&self.ids).all(|(n, &id)| if id == NO_ELEM { model.find(n).is_none() } else { model.find(n) == Some(id) })
    }

    /// Whether the context of rule `cr` matches node `n` (target, predicate, then `[1]`).
    fn matches(&self, cr: &CRule, cx: &Cx<'_>, n: NodeId) -> bool {
        let ok = |m: NodeId| -> bool {
            let node = cx.tree.node(m);
            if cr.target_nil && !node.nil {
                return false;
            }
            if let Some(a) = cr.target_attr {
                if cx.tree.attr(m, a).is_none() {
                    return false;
                }
            }
            match cr.rule.context.when {
                Some(f) => f(&cx.at(m)),
                None => true,
            }
        };
        if !ok(n) {
            return false;
        }
        if cr.rule.context.first {
            let elem = cx.tree.node(n).elem;
            for s in cx.at(n).preceding_siblings() {
                if cx.tree.node(s).elem == elem && ok(s) {
                    return false;
                }
            }
        }
        true
    }
}

fn elems_where(model: &Model, f: impl Fn(ElemId) -> bool) -> Vec<ElemId> {
    (0..model.elements.len() as ElemId).filter(|&e| f(e)).collect()
}

fn has_ancestor(model: &Model, e: ElemId, anc: ElemId) -> bool {
    let mut cur = model.element(e).parent;
    while let Some(c) = cur {
        if c == anc {
            return true;
        }
        cur = model.element(c).parent;
    }
    false
}

/// Location of node `n`: the root's location, then `/name[position among same-named
/// siblings]` for every step down to `n`.
pub(crate) fn location(tree: &Record, model: &Model, root_loc: &str, n: NodeId) -> String {
    let mut steps = Vec::new();
    let mut cur = n;
    while cur != 0 && cur != NONE {
        let node = tree.node(cur);
        let parent = node.parent;
        let mut pos = 1;
        if parent != NONE {
            let mut s = tree.node(parent).first_child;
            while s != cur && s != NONE {
                if tree.node(s).elem == node.elem {
                    pos += 1;
                }
                s = tree.node(s).next_sibling;
            }
        }
        steps.push((node.elem, pos));
        cur = parent;
    }
    let mut out = String::from(root_loc);
    for (e, pos) in steps.iter().rev() {
        out.push('/');
        out.push_str(&model.element(*e).name);
        out.push('[');
        out.push_str(&pos.to_string());
        out.push(']');
    }
    out
}

/// Evaluate the rules over `tree` (whose root is at `root_loc`), appending findings.
pub(crate) fn run(cm: &Compiled, model: &Model, tree: &Record, head: &Record, root_loc: &str, out: &mut Vec<Finding>) {
    if tree.nodes.is_empty() {
        return;
    }
    let memo = Memo::default();
    let base = Cx { tree, head, cm, memo: &memo, now: DateTime::now(), node: 0 };
    let record_id = tree.attr(0, "UUID").map(str::to_string);
    for n in 0..tree.nodes.len() as NodeId {
        let node = tree.node(n);
        let cands = if node.nil || node.attrs.0 != node.attrs.1 { cm.by_elem.of(node.elem) } else { cm.by_elem_plain.of(node.elem) };
        if cands.is_empty() {
            continue;
        }
        let cx = base.at(n);
        let mut done_pattern = u32::MAX;
        for &ri in cands {
            let cr = &cm.rules[ri as usize];
            if cr.pattern == done_pattern || !cm.matches(cr, &cx, n) {
                continue;
            }
            done_pattern = cr.pattern;
            for check in &cr.checks {
                let outcome = (check.test)(&cx);
                let (severity, message) = match (outcome, check.kind) {
                    (Ok(true), CheckKind::Assert) | (Ok(false), CheckKind::Report) => continue,
                    (Ok(_), _) => (severity(check.role), render(check.message, model, tree, n)),
                    (Err(ev), _) => (
                        Severity::Fatal,
                        format!("{} could not be checked against rule {}: {}", model.display(tree.node(n).elem), check.id, ev.describe()),
                    ),
                };
                let node = tree.node(n);
                out.push(Finding {
                    record: record_id.clone(),
                    kind: Kind::Schematron,
                    rule: Some(check.id.to_string()),
                    severity,
                    element: Some(model.element(node.elem).name.clone()),
                    line: node.line as u64,
                    column: node.column as u64,
                    path: location(tree, model, root_loc, n),
                    message,
                });
            }
        }
    }
}

fn severity(r: Role) -> Severity {
    match r {
        Role::Fatal => Severity::Fatal,
        Role::Error => Severity::Error,
        Role::Warning => Severity::Warning,
    }
}

/// A check's message with `{el}` replaced by the context element's display name.
fn render(msg: &str, model: &Model, tree: &Record, n: NodeId) -> String {
    if msg.contains("{el}") {
        msg.replace("{el}", &model.display(tree.node(n).elem))
    } else {
        msg.to_string()
    }
}
