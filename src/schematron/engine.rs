//! Running a loaded [`Schema`] over a [`Dom`]: the ISO skeleton's walk (each pattern visits the
//! document node and every element in document order; the first rule of the pattern whose
//! context matches fires), asserts/reports, messages and diagnostics.
//!
//! Rules are indexed by the element name their context ends with, so each node only tries the
//! rules that can match it. Rule lets are evaluated when first used (unused ones never, as an
//! XSLT processor may), always with the rule's context as focus.

use std::collections::HashMap;

use super::dom::{Dom, NodeKind};
use super::xpath::ast::{Expr, Var};
use super::xpath::datetime::DateTime;
use super::xpath::value::{Item, NodeRef, XResult};
use super::xpath::{Ctx, Evaluator, Pattern, Program};
use super::{CheckKind, MissingElement, NemsisDiagnostic, SchFinding};

/// A compiled Schematron schema. Immutable and shareable between threads.
#[derive(Debug)]
pub struct Schema {
    pub(crate) file: String,
    pub(crate) id: String,
    pub(crate) title: String,
    pub(crate) schema_version: String,
    /// Trees owned by the schema (literal `xsl:variable`s); document `i + 1` at run time.
    pub(crate) docs: Vec<Dom>,
    pub(crate) prog: Program,
    pub(crate) patterns: Vec<String>,
    pub(crate) rules: Vec<Rule>,
    pub(crate) by_name: HashMap<String, Vec<u32>>,
    pub(crate) wildcard: Vec<u32>,
    pub(crate) slots: usize,
    /// Global slots of `nemsisElements`, `nemsisElementsMissing`, `nemsisElementsMissingContext`.
    pub(crate) nemsis_globals: [Option<u16>; 3],
}

pub(crate) const NEMSIS_LETS: [&str; 3] = ["nemsisElements", "nemsisElementsMissing", "nemsisElementsMissingContext"];

#[derive(Debug)]
pub(crate) struct Rule {
    pub pattern: u32,
    pub id: String,
    pub context: Pattern,
    pub lets: Vec<Let>,
    pub checks: Vec<Check>,
    /// Rule-let slots of the three `nemsisDiagnostic` variables.
    pub nemsis_locals: [Option<u16>; 3],
    /// Local slots the rule needs (its lets, then `for`/`some`/`every` bindings).
    pub slots: usize,
}

/// A rule `sch:let`: evaluated when first used, with the rule's context as focus.
#[derive(Debug)]
pub(crate) struct Let {
    pub expr: Expr,
}

#[derive(Debug)]
pub(crate) struct Check {
    pub report: bool,
    pub id: String,
    pub role: String,
    pub test: Expr,
    pub message: Vec<MsgPart>,
    pub line: u32,
    pub diagnostics: Vec<CheckDiag>,
}

/// A diagnostic referenced by a check, compiled in the scope of the check's rule.
#[derive(Debug)]
pub(crate) enum CheckDiag {
    /// The NEMSIS national diagnostic, produced natively as [`NemsisDiagnostic`].
    Nemsis,
    Text {
        id: String,
        parts: Vec<MsgPart>,
    },
}

#[derive(Debug)]
pub(crate) enum MsgPart {
    Text(String),
    Value(Expr),
    /// `sch:name`, with an optional `@path`.
    Name(Option<Expr>),
}

impl Schema {
    /// Load a `.sch` file (see [`super::load`]).
    pub fn load(path: &std::path::Path) -> Result<Schema, super::LoadError> {
        super::load::load_file(path)
    }
    /// Load from bytes; `name` is used in messages. `sch:include` is refused.
    pub fn from_bytes(bytes: &[u8], name: &str) -> Result<Schema, super::LoadError> {
        super::load::load_bytes(bytes, name)
    }
    pub fn file(&self) -> &str {
        &self.file
    }
    pub fn id(&self) -> &str {
        &self.id
    }
    pub fn title(&self) -> &str {
        &self.title
    }
    pub fn schema_version(&self) -> &str {
        &self.schema_version
    }
    pub fn pattern_count(&self) -> usize {
        self.patterns.len()
    }
    pub fn rule_count(&self) -> usize {
        self.rules.len()
    }
    pub fn check_count(&self) -> usize {
        self.rules.iter().map(|r| r.checks.len()).sum()
    }
}

/// Options for [`run_with`].
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// What `current-dateTime()` returns (default: the system clock, UTC).
    pub now: Option<DateTime>,
}

/// Run `schema` over `dom` with default options.
pub fn run(schema: &Schema, dom: &Dom) -> Vec<SchFinding> {
    run_with(schema, dom, &RunOptions::default())
}

/// Run `schema` over `dom`; findings come pattern by pattern, in document order within each.
pub fn run_with(schema: &Schema, dom: &Dom, opts: &RunOptions) -> Vec<SchFinding> {
    let mut docs: Vec<&Dom> = vec![dom];
    docs.extend(schema.docs.iter());
    let mut ev = Evaluator::new(docs, &schema.prog, opts.now.unwrap_or_else(DateTime::now_utc));
    ev.locals = vec![Vec::new(); schema.slots];
    let mut found: Vec<(u32, SchFinding)> = Vec::new();
    let mut fired_at: Vec<u32> = vec![u32::MAX; schema.patterns.len()];
    let mut cands: Vec<u32> = Vec::new();
    for id in 0..dom.len() as u32 {
        match dom.kind(id) {
            NodeKind::Element => {
                cands.clear();
                let named = schema.by_name.get(dom.local_name(id)).map_or(&[][..], |v| v.as_slice());
                merge(named, &schema.wildcard, &mut cands);
            }
            NodeKind::Document => {
                cands.clear();
                cands.extend_from_slice(&schema.wildcard);
            }
            _ => continue,
        }
        let node = NodeRef { doc: 0, id };
        for &r in &cands {
            let rule = &schema.rules[r as usize];
            if fired_at[rule.pattern as usize] == id {
                continue;
            }
            // XSLT: an error while matching a pattern means "no match".
            if !matches!(rule.context.matches(&mut ev, node), Ok(true)) {
                continue;
            }
            fired_at[rule.pattern as usize] = id;
            fire(schema, rule, &mut ev, node, &mut found);
            ev.clear_lazy();
        }
    }
    found.sort_by_key(|(p, _)| *p);
    found.into_iter().map(|(_, f)| f).collect()
}

/// Merge two ascending lists.
fn merge(a: &[u32], b: &[u32], out: &mut Vec<u32>) {
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if j == b.len() || (i < a.len() && a[i] < b[j]) {
            out.push(a[i]);
            i += 1;
        } else {
            out.push(b[j]);
            j += 1;
        }
    }
}

fn fire<'a>(
    schema: &'a Schema,
    rule: &'a Rule,
    ev: &mut Evaluator<'a>,
    node: NodeRef,
    out: &mut Vec<(u32, SchFinding)>,
) {
    let ctx = Ctx::node(node);
    ev.current = Some(Item::Node(node));
    let dom = ev.dom(node);
    let finding = |check: &Check, kind: CheckKind, role: String, text: String| SchFinding {
        id: if check.id.is_empty() { rule.id.clone() } else { check.id.clone() },
        role,
        location: dom.location(node.id),
        text,
        line: dom.line(node.id),
        sch_line: check.line,
        kind,
        pattern: schema.patterns[rule.pattern as usize].clone(),
        rule: rule.id.clone(),
        nemsis: None,
        diagnostics: Vec::new(),
    };
    ev.bind_lazy(rule.lets.iter().map(|l| &l.expr), &ctx);
    for check in &rule.checks {
        let fired = match ev.ebv_expr(&check.test, &ctx) {
            Ok(b) => b == check.report,
            Err(e) => {
                let text = format!("Schematron test could not be evaluated: {e}");
                out.push((rule.pattern, finding(check, CheckKind::EvaluationError, "FATAL".into(), text)));
                continue;
            }
        };
        if !fired {
            continue;
        }
        let kind = if check.report { CheckKind::SuccessfulReport } else { CheckKind::FailedAssert };
        let text = render(&check.message, ev, &ctx, node);
        let mut f = finding(check, kind, check.role.clone(), text);
        for d in &check.diagnostics {
            match d {
                CheckDiag::Nemsis => f.nemsis = Some(nemsis_diagnostic(schema, rule, ev, node)),
                CheckDiag::Text { id, parts } => f.diagnostics.push((id.clone(), render(parts, ev, &ctx, node))),
            }
        }
        out.push((rule.pattern, f));
    }
}

/// A message: text and evaluated `sch:value-of`/`sch:name`, whitespace collapsed.
fn render(parts: &[MsgPart], ev: &mut Evaluator, ctx: &Ctx, node: NodeRef) -> String {
    let mut s = String::new();
    for p in parts {
        match p {
            MsgPart::Text(t) => s.push_str(t),
            MsgPart::Value(e) => match ev.eval(e, ctx) {
                Ok(v) => {
                    let parts: Vec<String> = v.iter().map(|i| ev.item_string(i).into_owned()).collect();
                    s.push_str(&parts.join(" "));
                }
                Err(e) => s.push_str(&format!("[value-of error: {e}]")),
            },
            MsgPart::Name(path) => {
                let n = match path {
                    None => Some(node),
                    Some(e) => match ev.eval(e, ctx) {
                        Ok(v) => v.iter().find_map(|i| if let Item::Node(n) = i { Some(*n) } else { None }),
                        Err(_) => None,
                    },
                };
                if let Some(n) = n {
                    s.push_str(&ev.dom(n).name(n.id));
                }
            }
        }
    }
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn nemsis_var<'a>(schema: &Schema, rule: &Rule, ev: &mut Evaluator<'a>, k: usize) -> XResult<Vec<Item>> {
    let var = match (rule.nemsis_locals[k], schema.nemsis_globals[k]) {
        (Some(slot), _) => Var::Local(slot),
        (None, Some(g)) => Var::Global(g),
        (None, None) => return Ok(Vec::new()),
    };
    ev.eval(&Expr::Var(var), &Ctx { item: None, pos: 0, size: 0 })
}

/// `nemsisDiagnostic`: the locations of `$nemsisElements`, and each name of
/// `$nemsisElementsMissing` with the first `$nemsisElementsMissingContext` node whose local
/// name contains the name's prefix before the dot (else the rule's context node).
fn nemsis_diagnostic(schema: &Schema, rule: &Rule, ev: &mut Evaluator, node: NodeRef) -> NemsisDiagnostic {
    let loc = |ev: &Evaluator, n: NodeRef| ev.dom(n).location(n.id);
    let mut d = NemsisDiagnostic::default();
    if let Ok(v) = nemsis_var(schema, rule, ev, 0) {
        d.elements = v.iter().filter_map(|i| if let Item::Node(n) = i { Some(loc(ev, *n)) } else { None }).collect();
    }
    let missing = nemsis_var(schema, rule, ev, 1).unwrap_or_default();
    let names: Vec<String> = missing
        .iter()
        .flat_map(|i| ev.item_string(i).split_whitespace().map(str::to_string).collect::<Vec<_>>())
        .collect();
    if names.is_empty() {
        return d;
    }
    let context = nemsis_var(schema, rule, ev, 2).unwrap_or_default();
    for name in names {
        let group = name.find('.').map_or("", |i| &name[..i]);
        let parent = context
            .iter()
            .find_map(|i| match i {
                Item::Node(n) if ev.dom(*n).local_name(n.id).contains(group) => Some(*n),
                _ => None,
            })
            .unwrap_or(node);
        d.missing.push(MissingElement { parent_location: loc(ev, parent), name });
    }
    d
}
