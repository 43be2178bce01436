//! The compiled form of an XPath expression: names resolved to namespace URIs, variables to
//! slots, functions to [`Func`] values, `//` expanded (and fused into `descendant::` where that
//! is equivalent).

use super::functions::Func;
use super::regex::XRegex;
use super::value::{ArithOp, Atomic, AtomicType, CmpOp};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Axis {
    Child,
    Descendant,
    DescendantOrSelf,
    Attribute,
    SelfAxis,
    Parent,
    Ancestor,
    AncestorOrSelf,
    FollowingSibling,
    PrecedingSibling,
    Following,
    Preceding,
}

impl Axis {
    pub fn is_reverse(self) -> bool {
        matches!(self, Axis::Parent | Axis::Ancestor | Axis::AncestorOrSelf | Axis::PrecedingSibling | Axis::Preceding)
    }
    pub fn from_name(s: &str) -> Option<Axis> {
        Some(match s {
            "child" => Axis::Child,
            "descendant" => Axis::Descendant,
            "descendant-or-self" => Axis::DescendantOrSelf,
            "attribute" => Axis::Attribute,
            "self" => Axis::SelfAxis,
            "parent" => Axis::Parent,
            "ancestor" => Axis::Ancestor,
            "ancestor-or-self" => Axis::AncestorOrSelf,
            "following-sibling" => Axis::FollowingSibling,
            "preceding-sibling" => Axis::PrecedingSibling,
            "following" => Axis::Following,
            "preceding" => Axis::Preceding,
            _ => return None,
        })
    }
}

/// A name test: `None` parts are wildcards (`*`, `p:*`, `*:local`). An unprefixed name has
/// namespace `Some("")`.
#[derive(Debug, Clone, PartialEq)]
pub struct NameTest {
    pub ns: Option<String>,
    pub local: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeTest {
    /// Name test against the axis' principal node kind (attribute for `@`, element otherwise).
    Name(NameTest),
    AnyNode,
    Text,
    Comment,
    Document,
    Element(Option<NameTest>),
    Attribute(Option<NameTest>),
}

#[derive(Debug, Clone)]
pub struct Pred {
    pub expr: Expr,
    /// The predicate may be numeric or use position()/last(), so it needs the full
    /// candidate list; otherwise it is a plain filter on each node.
    pub positional: bool,
}

#[derive(Debug, Clone)]
pub struct Step {
    pub axis: Axis,
    pub test: NodeTest,
    pub preds: Vec<Pred>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Var {
    /// A rule `sch:let` or a `for`/`some`/`every` binding.
    Local(u16),
    /// A schema/pattern `sch:let` or a top-level `xsl:variable`.
    Global(u16),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetOp {
    Union,
    Intersect,
    Except,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeCmp {
    Is,
    Before,
    After,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Occurrence {
    One,
    Optional,
    Many,
    Plus,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ItemType {
    Atomic(AtomicType),
    Node(NodeTest),
    Item,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SeqType {
    /// `None` for `empty-sequence()`.
    pub item: Option<ItemType>,
    pub occ: Occurrence,
}

#[derive(Debug, Clone)]
pub enum Expr {
    Literal(Atomic),
    Empty,
    Seq(Vec<Expr>),
    Context,
    Root,
    Var(Var),
    Step(Box<Step>),
    Slash(Box<Expr>, Box<Expr>),
    Filter(Box<Expr>, Vec<Pred>),
    Or(Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    General(CmpOp, Box<Expr>, Box<Expr>),
    Value(CmpOp, Box<Expr>, Box<Expr>),
    Node(NodeCmp, Box<Expr>, Box<Expr>),
    Arith(ArithOp, Box<Expr>, Box<Expr>),
    Neg(Box<Expr>),
    Range(Box<Expr>, Box<Expr>),
    Set(SetOp, Box<Expr>, Box<Expr>),
    For(u16, Box<Expr>, Box<Expr>),
    /// `some` (false) / `every` (true), one binding (several are nested).
    Quant(bool, u16, Box<Expr>, Box<Expr>),
    If(Box<Expr>, Box<Expr>, Box<Expr>),
    Call(Func, Vec<Expr>),
    Cast(Box<Expr>, AtomicType, bool),
    Castable(Box<Expr>, AtomicType, bool),
    InstanceOf(Box<Expr>, SeqType),
    Treat(Box<Expr>, SeqType),
    /// A string literal used as a regular expression, compiled when the schema is loaded.
    Regex(XRegex),
}

impl Expr {
    /// Calls `f` on every sub-expression (pre-order), predicates included.
    pub fn walk(&self, f: &mut dyn FnMut(&Expr)) {
        f(self);
        let preds = |ps: &Vec<Pred>, f: &mut dyn FnMut(&Expr)| ps.iter().for_each(|p| p.expr.walk(f));
        match self {
            Expr::Literal(_) | Expr::Regex(_) | Expr::Empty | Expr::Context | Expr::Root | Expr::Var(_) => {}
            Expr::Seq(v) | Expr::Call(_, v) => v.iter().for_each(|e| e.walk(f)),
            Expr::Step(s) => preds(&s.preds, f),
            Expr::Filter(e, ps) => {
                e.walk(f);
                preds(ps, f);
            }
            Expr::Slash(a, b)
            | Expr::Or(a, b)
            | Expr::And(a, b)
            | Expr::General(_, a, b)
            | Expr::Value(_, a, b)
            | Expr::Node(_, a, b)
            | Expr::Arith(_, a, b)
            | Expr::Range(a, b)
            | Expr::Set(_, a, b)
            | Expr::For(_, a, b)
            | Expr::Quant(_, _, a, b) => {
                a.walk(f);
                b.walk(f);
            }
            Expr::If(a, b, c) => {
                a.walk(f);
                b.walk(f);
                c.walk(f);
            }
            Expr::Neg(a) | Expr::Cast(a, ..) | Expr::Castable(a, ..) | Expr::InstanceOf(a, _) | Expr::Treat(a, _) => {
                a.walk(f)
            }
        }
    }

    /// Whether the value depends on the focus, `current()`, the clock or a variable that is
    /// not `static_global` (so it cannot be computed once when the schema is loaded).
    pub fn is_dynamic(&self, static_global: &dyn Fn(u16) -> bool) -> bool {
        self.dyn_in(false, static_global)
    }

    fn dyn_in(&self, bound: bool, sg: &dyn Fn(u16) -> bool) -> bool {
        let any_pred = |ps: &Vec<Pred>| ps.iter().any(|p| p.expr.dyn_in(true, sg));
        match self {
            Expr::Literal(_) | Expr::Regex(_) | Expr::Empty => false,
            Expr::Context | Expr::Root => !bound,
            Expr::Var(Var::Local(_)) => true,
            Expr::Var(Var::Global(g)) => !sg(*g),
            Expr::Step(s) => !bound || any_pred(&s.preds),
            Expr::Slash(a, b) => a.dyn_in(bound, sg) || b.dyn_in(true, sg),
            Expr::Filter(e, ps) => e.dyn_in(bound, sg) || any_pred(ps),
            Expr::Call(f, args) => {
                (f.uses_focus(args.len()) && !bound)
                    || f.is_nondeterministic()
                    || args.iter().any(|a| a.dyn_in(bound, sg))
            }
            Expr::Seq(v) => v.iter().any(|e| e.dyn_in(bound, sg)),
            Expr::Or(a, b)
            | Expr::And(a, b)
            | Expr::General(_, a, b)
            | Expr::Value(_, a, b)
            | Expr::Node(_, a, b)
            | Expr::Arith(_, a, b)
            | Expr::Range(a, b)
            | Expr::Set(_, a, b)
            | Expr::For(_, a, b)
            | Expr::Quant(_, _, a, b) => a.dyn_in(bound, sg) || b.dyn_in(bound, sg),
            Expr::If(a, b, c) => a.dyn_in(bound, sg) || b.dyn_in(bound, sg) || c.dyn_in(bound, sg),
            Expr::Neg(a) | Expr::Cast(a, ..) | Expr::Castable(a, ..) | Expr::InstanceOf(a, _) | Expr::Treat(a, _) => {
                a.dyn_in(bound, sg)
            }
        }
    }

    /// Global variables referenced anywhere inside.
    pub fn globals(&self, out: &mut Vec<u16>) {
        self.walk(&mut |e| {
            if let Expr::Var(Var::Global(g)) = e {
                out.push(*g);
            }
        });
    }

    /// Local variable slots referenced anywhere inside.
    pub fn locals(&self, out: &mut Vec<u16>) {
        self.walk(&mut |e| {
            if let Expr::Var(Var::Local(l)) = e {
                out.push(*l);
            }
        });
    }
}
