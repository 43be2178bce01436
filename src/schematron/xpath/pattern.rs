//! XSLT 2.0 match patterns (rule contexts, `xsl:key/@match`): unions of paths of `child::` and
//! `attribute::` steps joined by `/` or `//`, optionally rooted, with predicates. Matching goes
//! right to left from the candidate node; positional predicates are evaluated among the
//! node's like-named siblings, as the XSLT definition requires.

use super::ast::*;
use super::eval::{test_node, Ctx, Evaluator};
use super::value::{Item, NodeRef, XResult};
use crate::schematron::dom::NodeKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Anchor {
    /// `a/b`: any node whose ancestors fit.
    None,
    /// `/a/b`
    Root,
    /// `//a/b`
    RootDesc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sep {
    Child,
    Desc,
}

#[derive(Debug, Clone)]
struct PStep {
    axis: Axis,
    test: NodeTest,
    preds: Vec<Pred>,
}

#[derive(Debug, Clone)]
struct PathPattern {
    anchor: Anchor,
    /// Left to right; `seps[i]` joins `steps[i]` and `steps[i + 1]`. Empty for `/`.
    steps: Vec<PStep>,
    seps: Vec<Sep>,
}

/// A compiled match pattern.
#[derive(Debug, Clone)]
pub struct Pattern {
    alts: Vec<PathPattern>,
}

fn is_dos_node(e: &Expr) -> bool {
    matches!(e, Expr::Step(s) if s.axis == Axis::DescendantOrSelf && s.test == NodeTest::AnyNode && s.preds.is_empty())
}

impl Pattern {
    /// Convert a parsed expression; `Err` names what a pattern may not contain.
    pub fn from_expr(e: &Expr) -> Result<Pattern, String> {
        let mut alts = Vec::new();
        collect(e, &mut alts)?;
        Ok(Pattern { alts })
    }

    /// Local names the pattern can match (element name tests of the last steps); `None` when it
    /// can match any name (wildcards, kind tests, attributes, `/`).
    pub fn element_names(&self) -> Option<Vec<String>> {
        let mut out = Vec::new();
        for a in &self.alts {
            match a.steps.last() {
                Some(PStep { axis: Axis::Child, test: NodeTest::Name(NameTest { local: Some(l), .. }), .. }) => {
                    out.push(l.clone())
                }
                _ => return None,
            }
        }
        Some(out)
    }

    /// Whether every alternative ends with an attribute or text step (nodes the skeleton's
    /// element walk never visits).
    pub fn only_attributes_or_text(&self) -> bool {
        self.alts.iter().all(|a| {
            a.steps.last().is_some_and(|s| {
                s.axis == Axis::Attribute
                    || matches!(s.test, NodeTest::Text | NodeTest::Attribute(_) | NodeTest::Comment)
            })
        })
    }

    /// Whether `node` matches. `current()` inside predicates is the node being matched.
    pub fn matches(&self, ev: &mut Evaluator, node: NodeRef) -> XResult<bool> {
        let saved = ev.current.replace(Item::Node(node));
        let mut r = Ok(false);
        for a in &self.alts {
            match a.matches_at(ev, node, a.steps.len()) {
                Ok(false) => continue,
                other => {
                    r = other;
                    break;
                }
            }
        }
        ev.current = saved;
        r
    }
}

fn collect(e: &Expr, alts: &mut Vec<PathPattern>) -> Result<(), String> {
    if let Expr::Set(SetOp::Union, a, b) = e {
        collect(a, alts)?;
        return collect(b, alts);
    }
    let mut p = PathPattern { anchor: Anchor::None, steps: vec![], seps: vec![] };
    path(e, &mut p)?;
    alts.push(p);
    Ok(())
}

fn pattern_step(s: &Step) -> Result<PStep, String> {
    let axis = match s.axis {
        Axis::Child | Axis::Attribute => s.axis,
        // `a//b` arrives fused as `a/descendant::b`.
        Axis::Descendant => Axis::Child,
        other => return Err(format!("axis `{other:?}` is not allowed in a match pattern")),
    };
    Ok(PStep { axis, test: s.test.clone(), preds: s.preds.clone() })
}

fn path(e: &Expr, p: &mut PathPattern) -> Result<(), String> {
    match e {
        Expr::Root => {
            p.anchor = Anchor::Root;
            Ok(())
        }
        Expr::Step(s) if matches!(s.axis, Axis::Child | Axis::Attribute) => {
            p.steps.push(pattern_step(s)?);
            Ok(())
        }
        Expr::Slash(l, r) => {
            let Expr::Step(s) = r.as_ref() else { return Err("a match pattern step must be an axis step".into()) };
            let (left, sep) = match l.as_ref() {
                _ if s.axis == Axis::Descendant => (l.as_ref(), Sep::Desc),
                // `x//r` unfused: Slash(Slash(x, descendant-or-self::node()), r)
                Expr::Slash(x, dos) if is_dos_node(dos) => (x.as_ref(), Sep::Desc),
                other => (other, Sep::Child),
            };
            if let Expr::Root = left {
                p.anchor = if sep == Sep::Desc { Anchor::RootDesc } else { Anchor::Root };
            } else {
                path(left, p)?;
                p.seps.push(sep);
            }
            p.steps.push(pattern_step(s)?);
            Ok(())
        }
        Expr::Call(..) => Err("key() and id() patterns are not supported".into()),
        _ => Err("this expression is not a valid match pattern".into()),
    }
}

impl PathPattern {
    /// Does `node` match steps[..k] (k >= 1), with steps[k-1] being the node itself?
    fn matches_at(&self, ev: &mut Evaluator, node: NodeRef, k: usize) -> XResult<bool> {
        let dom = ev.dom(node);
        if k == 0 {
            // Only `/`: the document node.
            return Ok(self.anchor == Anchor::Root && dom.kind(node.id) == NodeKind::Document);
        }
        let step = &self.steps[k - 1];
        if !test_node(dom, node.id, &step.test, step.axis) {
            return Ok(false);
        }
        let kind = dom.kind(node.id);
        if (step.axis == Axis::Attribute) != (kind == NodeKind::Attribute) || kind == NodeKind::Document {
            return Ok(false);
        }
        let Some(parent) = dom.parent(node.id) else { return Ok(false) };
        if !self.preds_ok(ev, node, parent, step)? {
            return Ok(false);
        }
        let parent_ref = NodeRef { doc: node.doc, id: parent };
        if k == 1 {
            return Ok(match self.anchor {
                Anchor::None => true,
                Anchor::Root => dom.kind(parent) == NodeKind::Document,
                Anchor::RootDesc => dom.kind(0) == NodeKind::Document,
            });
        }
        match self.seps[k - 2] {
            Sep::Child => self.matches_at(ev, parent_ref, k - 1),
            Sep::Desc => {
                let mut cur = Some(parent);
                while let Some(a) = cur {
                    if self.matches_at(ev, NodeRef { doc: node.doc, id: a }, k - 1)? {
                        return Ok(true);
                    }
                    cur = dom.parent(a);
                }
                Ok(false)
            }
        }
    }

    fn preds_ok(&self, ev: &mut Evaluator, node: NodeRef, parent: u32, step: &PStep) -> XResult<bool> {
        if step.preds.is_empty() {
            return Ok(true);
        }
        if !step.preds.iter().any(|p| p.positional) {
            let c = Ctx::node(node);
            for p in &step.preds {
                if !ev.pred_true(p, &c)? {
                    return Ok(false);
                }
            }
            return Ok(true);
        }
        // Positional: evaluate the step from the parent and look for the node in the result.
        let dom = ev.dom(node);
        let mut seq: Vec<Item> = Vec::new();
        let sibs: Vec<u32> = if step.axis == Axis::Attribute {
            dom.attributes(parent).collect()
        } else {
            dom.children(parent).collect()
        };
        for s in sibs {
            if test_node(dom, s, &step.test, step.axis) {
                seq.push(Item::Node(NodeRef { doc: node.doc, id: s }));
            }
        }
        for p in &step.preds {
            let size = seq.len();
            let mut kept = Vec::new();
            for (i, it) in seq.into_iter().enumerate() {
                let c = Ctx { item: Some(it.clone()), pos: i + 1, size };
                if ev.pred_true(p, &c)? {
                    kept.push(it);
                }
            }
            seq = kept;
        }
        Ok(seq.contains(&Item::Node(node)))
    }
}
