//! The evaluator: an [`Expr`] against a focus over a set of documents (the instance document is
//! `docs[0]`; trees built from the schema, such as the NEMSIS element-name lookup table, follow).
//!
//! Errors and evaluation order: XPath lets a processor skip an operand whose value cannot change
//! the result, and Saxon (whose verdicts we match) reorders `and` operands. So a dynamic error
//! in one operand of `and`/`or`, in one pair of a general comparison, in one iteration of
//! `some`/`every` or in the predicate of one candidate of an existence test is only raised
//! when the other operands/pairs/iterations/candidates do not decide the result.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use super::ast::*;
use super::datetime::DateTime;
use super::functions::Func;
use super::pattern::Pattern;
use super::regex::XRegex;
use super::value::*;
use crate::schematron::dom::{Dom, NodeKind};

/// A global variable (schema or pattern `sch:let`, top-level `xsl:variable`).
#[derive(Debug, Clone)]
pub struct Global {
    pub name: String,
    pub expr: Expr,
    /// Local slots its `for`/`some` bindings need.
    pub slots: usize,
    /// Computed when the schema was loaded (the value does not depend on the instance).
    pub value: Option<Seq>,
}

/// An `xsl:key`.
#[derive(Debug, Clone)]
pub struct KeyDef {
    pub name: String,
    pub pattern: Pattern,
    pub use_expr: Expr,
    pub slots: usize,
    /// Indexes of schema-owned documents, built at load time: doc -> value -> nodes.
    pub static_index: HashMap<u32, HashMap<String, Vec<u32>>>,
}

/// What every evaluation shares: globals and keys.
#[derive(Debug, Clone, Default)]
pub struct Program {
    pub globals: Vec<Global>,
    pub keys: Vec<KeyDef>,
}

/// The focus: context item, position and size.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub item: Option<Item>,
    pub pos: usize,
    pub size: usize,
}

impl Ctx {
    pub fn node(n: NodeRef) -> Ctx {
        Ctx { item: Some(Item::Node(n)), pos: 1, size: 1 }
    }
}

/// The state of one run: the documents, variables, `current()`, the clock, and caches (lazy
/// globals, key indexes of the instance, regular expressions built at run time).
pub struct Evaluator<'a> {
    pub docs: Vec<&'a Dom>,
    pub prog: &'a Program,
    /// Local variable slots (rule lets first, then `for`/`some` bindings).
    pub locals: Vec<Seq>,
    /// What `current()` returns.
    pub current: Option<Item>,
    pub now: DateTime,
    globals: Vec<Option<XResult<Seq>>>,
    /// Rule lets not evaluated yet (by local slot), and the focus to evaluate them with.
    lazy: Vec<Option<&'a Expr>>,
    lazy_ctx: Option<Ctx>,
    key_index: HashMap<(usize, u32), HashMap<String, Vec<u32>>>,
    pub(crate) regex_cache: HashMap<(String, String), XRegex>,
}

impl<'a> Evaluator<'a> {
    pub fn new(docs: Vec<&'a Dom>, prog: &'a Program, now: DateTime) -> Self {
        Evaluator {
            docs,
            prog,
            locals: Vec::new(),
            current: None,
            now,
            globals: vec![None; prog.globals.len()],
            lazy: Vec::new(),
            lazy_ctx: None,
            key_index: HashMap::new(),
            regex_cache: HashMap::new(),
        }
    }

    pub fn dom(&self, n: NodeRef) -> &'a Dom {
        self.docs[n.doc as usize]
    }

    pub(crate) fn context_item(&self, ctx: &Ctx) -> XResult<Item> {
        match &ctx.item {
            Some(i) => Ok(i.clone()),
            None => xerr("XPDY0002", "the context item is undefined"),
        }
    }

    fn context_node(&self, ctx: &Ctx) -> XResult<NodeRef> {
        match self.context_item(ctx)? {
            Item::Node(n) => Ok(n),
            Item::Atom(_) => xerr("XPTY0020", "the context item for a path step is not a node"),
        }
    }

    pub fn item_string(&self, it: &Item) -> Cow<'a, str> {
        match it {
            Item::Node(n) => self.dom(*n).string_value(n.id),
            Item::Atom(a) => Cow::Owned(a.to_string_value()),
        }
    }

    pub fn atomize(&self, seq: Seq) -> Vec<Atomic> {
        seq.into_iter()
            .map(|it| match it {
                Item::Node(n) => Atomic::Untyped(Arc::from(self.dom(n).string_value(n.id).as_ref())),
                Item::Atom(a) => a,
            })
            .collect()
    }

    /// Effective boolean value.
    pub fn ebv(&self, seq: &Seq) -> XResult<bool> {
        match seq.as_slice() {
            [] => Ok(false),
            [Item::Node(_), ..] => Ok(true),
            [Item::Atom(a)] => match a {
                Atomic::Bool(b) => Ok(*b),
                Atomic::Str(s) | Atomic::Untyped(s) => Ok(!s.is_empty()),
                Atomic::Int(i) => Ok(*i != 0),
                Atomic::Dec(f) | Atomic::Dbl(f) => Ok(*f != 0.0 && !f.is_nan()),
                other => xerr("FORG0006", format!("no effective boolean value for {}", other.type_name())),
            },
            _ => xerr("FORG0006", "no effective boolean value for a sequence of several atomic values"),
        }
    }

    /// Bind local slots `0..` to expressions evaluated on first use with focus `ctx` (and
    /// `current()` = its item): a rule's lets.
    pub fn bind_lazy(&mut self, exprs: impl Iterator<Item = &'a Expr>, ctx: &Ctx) {
        self.lazy.clear();
        self.lazy.extend(exprs.map(Some));
        self.lazy_ctx = Some(ctx.clone());
    }

    /// Forget lazy bindings (after a rule has fired).
    pub fn clear_lazy(&mut self) {
        self.lazy.clear();
        self.lazy_ctx = None;
    }

    fn local(&mut self, i: usize) -> XResult<Seq> {
        if let Some(e) = self.lazy.get_mut(i).and_then(Option::take) {
            let ctx = self.lazy_ctx.clone().unwrap_or(Ctx { item: None, pos: 0, size: 0 });
            let saved = std::mem::replace(&mut self.current, ctx.item.clone());
            let r = self.eval(e, &ctx);
            self.current = saved;
            match r {
                Ok(v) => self.locals[i] = v,
                Err(err) => {
                    self.lazy[i] = Some(e);
                    return Err(err);
                }
            }
        }
        Ok(self.locals[i].clone())
    }

    /// The value of global variable `g`, computed on first use with the instance root as focus.
    pub fn global(&mut self, g: u16) -> XResult<Seq> {
        let def = &self.prog.globals[g as usize];
        if let Some(v) = &def.value {
            return Ok(v.clone());
        }
        if let Some(r) = &self.globals[g as usize] {
            return r.clone();
        }
        let saved_locals = std::mem::replace(&mut self.locals, vec![Vec::new(); def.slots]);
        let saved_lazy = std::mem::take(&mut self.lazy);
        let root = NodeRef { doc: 0, id: 0 };
        let saved_current = self.current.replace(Item::Node(root));
        let r = self.eval(&def.expr, &Ctx::node(root));
        self.locals = saved_locals;
        self.lazy = saved_lazy;
        self.current = saved_current;
        self.globals[g as usize] = Some(r.clone());
        r
    }

    pub fn eval(&mut self, e: &Expr, ctx: &Ctx) -> XResult<Seq> {
        match e {
            Expr::Literal(a) => Ok(vec![Item::Atom(a.clone())]),
            Expr::Regex(r) => Ok(vec![Item::Atom(Atomic::str(&r.src))]),
            Expr::Empty => Ok(vec![]),
            Expr::Seq(v) => {
                let mut out = Vec::new();
                for x in v {
                    out.extend(self.eval(x, ctx)?);
                }
                Ok(out)
            }
            Expr::Context => Ok(vec![self.context_item(ctx)?]),
            Expr::Root => {
                let n = self.context_node(ctx)?;
                Ok(vec![Item::Node(NodeRef { doc: n.doc, id: 0 })])
            }
            Expr::Var(Var::Local(i)) => self.local(*i as usize),
            Expr::Var(Var::Global(g)) => self.global(*g),
            Expr::Step(s) => {
                let n = self.context_node(ctx)?;
                self.step(n, s)
            }
            Expr::Slash(a, b) => self.slash(a, b, ctx),
            Expr::Filter(base, preds) => {
                let mut seq = self.eval(base, ctx)?;
                for p in preds {
                    seq = self.filter(seq, p)?;
                }
                Ok(seq)
            }
            Expr::Or(..) | Expr::And(..) => Ok(vec![Item::Atom(Atomic::Bool(self.ebv_expr(e, ctx)?))]),
            Expr::General(op, a, b) => Ok(vec![Item::Atom(Atomic::Bool(self.general_expr(*op, a, b, ctx)?))]),
            Expr::Value(op, a, b) => {
                let (Some(l), Some(r)) = (self.single_atomic(a, ctx)?, self.single_atomic(b, ctx)?) else {
                    return Ok(vec![]);
                };
                let s = |x: Atomic| if let Atomic::Untyped(s) = x { Atomic::Str(s) } else { x };
                Ok(vec![Item::Atom(Atomic::Bool(value_compare(&s(l), &s(r), *op)?))])
            }
            Expr::Node(op, a, b) => {
                let (l, r) = (self.eval(a, ctx)?, self.eval(b, ctx)?);
                match (l.as_slice(), r.as_slice()) {
                    ([], _) | (_, []) => Ok(vec![]),
                    ([Item::Node(x)], [Item::Node(y)]) => Ok(vec![Item::Atom(Atomic::Bool(match op {
                        NodeCmp::Is => x == y,
                        NodeCmp::Before => x < y,
                        NodeCmp::After => x > y,
                    }))]),
                    _ => xerr("XPTY0004", "node comparison needs single nodes"),
                }
            }
            Expr::Arith(op, a, b) => {
                let (Some(l), Some(r)) = (self.single_atomic(a, ctx)?, self.single_atomic(b, ctx)?) else {
                    return Ok(vec![]);
                };
                Ok(vec![Item::Atom(arith(&l, &r, *op)?)])
            }
            Expr::Neg(a) => {
                let Some(v) = self.single_atomic(a, ctx)? else { return Ok(vec![]) };
                let v = if let Atomic::Untyped(_) = v { cast(&v, AtomicType::Double)? } else { v };
                Ok(vec![Item::Atom(match v {
                    Atomic::Int(i) => match i.checked_neg() {
                        Some(n) => Atomic::Int(n),
                        None => return xerr("FOAR0002", "integer overflow"),
                    },
                    Atomic::Dec(f) => Atomic::Dec(-f),
                    Atomic::Dbl(f) => Atomic::Dbl(-f),
                    Atomic::Duration(d) => Atomic::Duration(d.negate()),
                    other => return xerr("XPTY0004", format!("cannot negate {}", other.type_name())),
                })])
            }
            Expr::Range(a, b) => {
                let (Some(l), Some(r)) = (self.single_atomic(a, ctx)?, self.single_atomic(b, ctx)?) else {
                    return Ok(vec![]);
                };
                let to_int = |x: &Atomic| match cast(x, AtomicType::Integer) {
                    Ok(Atomic::Int(i)) => Ok(i),
                    _ => xerr("XPTY0004", "range bounds must be integers"),
                };
                let (l, r) = (to_int(&l)?, to_int(&r)?);
                if r.saturating_sub(l) > 10_000_000 {
                    return xerr("XPDY0130", "range too large");
                }
                Ok((l..=r).map(|i| Item::Atom(Atomic::Int(i))).collect())
            }
            Expr::Set(op, a, b) => {
                let (l, r) = (self.eval(a, ctx)?, self.eval(b, ctx)?);
                let nodes = |s: Seq| -> XResult<Vec<NodeRef>> {
                    s.into_iter()
                        .map(|i| match i {
                            Item::Node(n) => Ok(n),
                            Item::Atom(_) => xerr("XPTY0004", "union/intersect/except operands must be nodes"),
                        })
                        .collect()
                };
                let (mut l, r) = (nodes(l)?, nodes(r)?);
                match op {
                    SetOp::Union => l.extend(r),
                    SetOp::Intersect => l.retain(|n| r.contains(n)),
                    SetOp::Except => l.retain(|n| !r.contains(n)),
                }
                l.sort_unstable();
                l.dedup();
                Ok(l.into_iter().map(Item::Node).collect())
            }
            Expr::For(slot, input, body) => {
                let items = self.eval(input, ctx)?;
                let mut out = Vec::new();
                for it in items {
                    self.locals[*slot as usize] = vec![it];
                    out.extend(self.eval(body, ctx)?);
                }
                Ok(out)
            }
            Expr::Quant(every, slot, input, body) => {
                let items = self.eval(input, ctx)?;
                let mut err = None;
                for it in items {
                    self.locals[*slot as usize] = vec![it];
                    match self.ebv_expr(body, ctx) {
                        Ok(b) if b != *every => return Ok(vec![Item::Atom(Atomic::Bool(!*every))]),
                        Ok(_) => {}
                        Err(e) => {
                            err.get_or_insert(e);
                        }
                    }
                }
                match err {
                    Some(e) => Err(e),
                    None => Ok(vec![Item::Atom(Atomic::Bool(*every))]),
                }
            }
            Expr::If(c, t, f) => {
                if self.ebv_expr(c, ctx)? {
                    self.eval(t, ctx)
                } else {
                    self.eval(f, ctx)
                }
            }
            Expr::Call(f, args) => self.call(*f, args, ctx),
            Expr::Cast(a, t, opt) => match self.single_atomic(a, ctx)? {
                None if *opt => Ok(vec![]),
                None => xerr("XPTY0004", "cast of an empty sequence"),
                Some(v) => Ok(vec![Item::Atom(cast(&v, *t)?)]),
            },
            Expr::Castable(a, t, opt) => {
                let v = self.eval(a, ctx)?;
                let mut v = self.atomize(v);
                let ok = match v.len() {
                    0 => *opt,
                    1 => cast(&v.pop().expect("one"), *t).is_ok(),
                    _ => false,
                };
                Ok(vec![Item::Atom(Atomic::Bool(ok))])
            }
            Expr::InstanceOf(a, st) => {
                let v = self.eval(a, ctx)?;
                Ok(vec![Item::Atom(Atomic::Bool(self.instance_of(&v, st)))])
            }
            Expr::Treat(a, st) => {
                let v = self.eval(a, ctx)?;
                if self.instance_of(&v, st) {
                    Ok(v)
                } else {
                    xerr("XPDY0050", "treat as: the value does not match the required type")
                }
            }
        }
    }

    /// Effective boolean value of an expression, without building sequences where that can
    /// be avoided (existence of a step, comparisons against string literals, and/or/not).
    pub fn ebv_expr(&mut self, e: &Expr, ctx: &Ctx) -> XResult<bool> {
        match e {
            Expr::Step(s) if !s.preds.iter().any(|p| p.positional) => {
                let n = self.context_node(ctx)?;
                self.step_exists(n, s)
            }
            // An operand's error only counts when the other operand does not decide the result.
            Expr::And(a, b) => match self.ebv_expr(a, ctx) {
                Ok(false) => Ok(false),
                Ok(true) => self.ebv_expr(b, ctx),
                Err(e) => match self.ebv_expr(b, ctx) {
                    Ok(false) => Ok(false),
                    _ => Err(e),
                },
            },
            Expr::Or(a, b) => match self.ebv_expr(a, ctx) {
                Ok(true) => Ok(true),
                Ok(false) => self.ebv_expr(b, ctx),
                Err(e) => match self.ebv_expr(b, ctx) {
                    Ok(true) => Ok(true),
                    _ => Err(e),
                },
            },
            Expr::Call(Func::Not, args) => Ok(!self.ebv_expr(&args[0], ctx)?),
            Expr::Call(Func::True, _) => Ok(true),
            Expr::Call(Func::False, _) => Ok(false),
            Expr::General(op, a, b) => self.general_expr(*op, a, b, ctx),
            _ => {
                let v = self.eval(e, ctx)?;
                self.ebv(&v)
            }
        }
    }

    /// Whether a (non-positional) step from `n` selects anything. A candidate whose predicate
    /// fails with an error only matters if no other candidate is selected.
    fn step_exists(&mut self, n: NodeRef, s: &Step) -> XResult<bool> {
        let dom = self.dom(n);
        let (mut found, mut err) = (false, None);
        for_axis(dom, n.id, s.axis, &mut |id| {
            if !test_node(dom, id, &s.test, s.axis) {
                return true;
            }
            let c = Ctx::node(NodeRef { doc: n.doc, id });
            for p in &s.preds {
                match self.ebv_expr(&p.expr, &c) {
                    Ok(true) => {}
                    Ok(false) => return true,
                    Err(e) => {
                        err.get_or_insert(e);
                        return true;
                    }
                }
            }
            found = true;
            false
        });
        match err {
            Some(e) if !found => Err(e),
            _ => Ok(found),
        }
    }

    /// General comparison of two expressions; string literals on either side are compared
    /// with the other side's string values directly.
    fn general_expr(&mut self, op: CmpOp, a: &Expr, b: &Expr, ctx: &Ctx) -> XResult<bool> {
        fn literals(e: &Expr) -> Option<Vec<&str>> {
            match e {
                Expr::Literal(Atomic::Str(s)) => Some(vec![s]),
                Expr::Seq(v) => {
                    v.iter().map(|x| if let Expr::Literal(Atomic::Str(s)) = x { Some(&**s) } else { None }).collect()
                }
                _ => None,
            }
        }
        if matches!(op, CmpOp::Eq | CmpOp::Ne) {
            let (other, lits) = match (literals(a), literals(b)) {
                (_, Some(l)) => (a, l),
                (Some(l), None) => (b, l),
                _ => (a, Vec::new()),
            };
            if !lits.is_empty() {
                let items = self.eval(other, ctx)?;
                let want_eq = op == CmpOp::Eq;
                let mut rest = Vec::new();
                for it in items {
                    match &it {
                        Item::Node(n) => {
                            let s = self.dom(*n).string_value(n.id);
                            if lits.iter().any(|l| (*l == s) == want_eq) {
                                return Ok(true);
                            }
                        }
                        Item::Atom(Atomic::Str(s) | Atomic::Untyped(s)) => {
                            if lits.iter().any(|l| (*l == &**s) == want_eq) {
                                return Ok(true);
                            }
                        }
                        Item::Atom(_) => rest.push(it),
                    }
                }
                if rest.is_empty() {
                    return Ok(false);
                }
                let r: Seq = lits.iter().map(|l| Item::Atom(Atomic::str(l))).collect();
                return self.general(op, rest, r);
            }
        }
        let l = self.eval(a, ctx)?;
        let r = self.eval(b, ctx)?;
        self.general(op, l, r)
    }

    fn single_atomic(&mut self, e: &Expr, ctx: &Ctx) -> XResult<Option<Atomic>> {
        let v = self.eval(e, ctx)?;
        let mut v = self.atomize(v);
        match v.len() {
            0 => Ok(None),
            1 => Ok(v.pop()),
            _ => xerr("XPTY0004", "a sequence of more than one item is not allowed as an operand here"),
        }
    }

    fn instance_of(&self, v: &Seq, st: &SeqType) -> bool {
        let Some(item) = &st.item else { return v.is_empty() };
        let n_ok = match st.occ {
            Occurrence::One => v.len() == 1,
            Occurrence::Optional => v.len() <= 1,
            Occurrence::Many => true,
            Occurrence::Plus => !v.is_empty(),
        };
        n_ok && v.iter().all(|it| match (item, it) {
            (ItemType::Item, _) => true,
            (ItemType::Node(t), Item::Node(n)) => test_node(self.dom(*n), n.id, t, Axis::SelfAxis),
            (ItemType::Atomic(t), Item::Atom(a)) => {
                let at = type_of(a);
                *t == AtomicType::AnyAtomic
                    || at == *t
                    || (*t == AtomicType::Decimal && at == AtomicType::Integer)
                    || (*t == AtomicType::Duration
                        && matches!(at, AtomicType::DayTimeDuration | AtomicType::YearMonthDuration))
            }
            _ => false,
        })
    }

    /// General comparison: true if some pair of atomized items compares true.
    fn general(&self, op: CmpOp, l: Seq, r: Seq) -> XResult<bool> {
        if l.is_empty() || r.is_empty() {
            return Ok(false);
        }
        // Fast path: strings and untyped nodes compared for (in)equality without allocating.
        let stringy =
            |s: &Seq| s.iter().all(|i| matches!(i, Item::Node(_) | Item::Atom(Atomic::Str(_) | Atomic::Untyped(_))));
        if matches!(op, CmpOp::Eq | CmpOp::Ne) && stringy(&l) && stringy(&r) {
            let ls: Vec<Cow<str>> = l.iter().map(|i| self.item_string(i)).collect();
            let rs: Vec<Cow<str>> = r.iter().map(|i| self.item_string(i)).collect();
            let want_eq = op == CmpOp::Eq;
            return Ok(ls.iter().any(|a| rs.iter().any(|b| (a == b) == want_eq)));
        }
        let (l, r) = (self.atomize(l), self.atomize(r));
        let mut err = None;
        for a in &l {
            for b in &r {
                match general_compare(a, b, op) {
                    Ok(true) => return Ok(true),
                    Ok(false) => {}
                    Err(e) => {
                        err.get_or_insert(e);
                    }
                }
            }
        }
        err.map_or(Ok(false), Err)
    }

    fn slash(&mut self, a: &Expr, b: &Expr, ctx: &Ctx) -> XResult<Seq> {
        let left = self.eval(a, ctx)?;
        let n = left.len();
        let mut out: Seq = Vec::new();
        for (i, it) in left.into_iter().enumerate() {
            if !matches!(it, Item::Node(_)) {
                return xerr("XPTY0019", "the left side of `/` contains an atomic value");
            }
            let c = Ctx { item: Some(it), pos: i + 1, size: n };
            out.extend(self.eval(b, &c)?);
        }
        let nodes = out.iter().filter(|i| matches!(i, Item::Node(_))).count();
        if nodes == 0 {
            return Ok(out);
        }
        if nodes != out.len() {
            return xerr("XPTY0018", "a path returns both nodes and atomic values");
        }
        let mut refs: Vec<NodeRef> =
            out.into_iter().map(|i| if let Item::Node(n) = i { n } else { unreachable!() }).collect();
        if !refs.windows(2).all(|w| w[0] < w[1]) {
            refs.sort_unstable();
            refs.dedup();
        }
        Ok(refs.into_iter().map(Item::Node).collect())
    }

    /// Apply one predicate to a sequence (positions in sequence order).
    fn filter(&mut self, seq: Seq, p: &Pred) -> XResult<Seq> {
        let size = seq.len();
        if let Expr::Literal(Atomic::Int(k)) = p.expr {
            return Ok(if k >= 1 && (k as usize) <= size { vec![seq[k as usize - 1].clone()] } else { vec![] });
        }
        let mut out = Vec::new();
        for (i, it) in seq.into_iter().enumerate() {
            let c = Ctx { item: Some(it.clone()), pos: i + 1, size };
            if self.pred_true(p, &c)? {
                out.push(it);
            }
        }
        Ok(out)
    }

    pub(crate) fn pred_true(&mut self, p: &Pred, c: &Ctx) -> XResult<bool> {
        if !p.positional {
            return self.ebv_expr(&p.expr, c);
        }
        let v = self.eval(&p.expr, c)?;
        if p.positional {
            if let [Item::Atom(a)] = v.as_slice() {
                if let Some(f) = a.as_f64() {
                    return Ok(f == c.pos as f64);
                }
            }
        }
        self.ebv(&v)
    }

    /// An axis step from node `n`, in document order.
    fn step(&mut self, n: NodeRef, s: &Step) -> XResult<Seq> {
        let dom = self.dom(n);
        let limit = match s.preds.first() {
            Some(Pred { expr: Expr::Literal(Atomic::Int(k)), .. }) => Some(*k),
            _ => None,
        };
        let mut cands: Vec<u32> = Vec::new();
        let mut err = None;
        let positional = s.preds.iter().any(|p| p.positional);
        for_axis(dom, n.id, s.axis, &mut |id| {
            if !test_node(dom, id, &s.test, s.axis) {
                return true;
            }
            if !positional && !s.preds.is_empty() {
                let c = Ctx::node(NodeRef { doc: n.doc, id });
                for p in &s.preds {
                    match self.pred_true(p, &c) {
                        Ok(true) => {}
                        Ok(false) => return true,
                        Err(e) => {
                            err = Some(e);
                            return false;
                        }
                    }
                }
            }
            cands.push(id);
            limit.is_none_or(|k| (cands.len() as i64) < k)
        });
        if let Some(e) = err {
            return Err(e);
        }
        if positional {
            let mut seq: Seq = cands.into_iter().map(|id| Item::Node(NodeRef { doc: n.doc, id })).collect();
            for p in &s.preds {
                seq = self.filter(seq, p)?;
            }
            if s.axis.is_reverse() {
                seq.reverse();
            }
            return Ok(seq);
        }
        if s.axis.is_reverse() {
            cands.reverse();
        }
        Ok(cands.into_iter().map(|id| Item::Node(NodeRef { doc: n.doc, id })).collect())
    }

    /// Nodes of `doc` whose key `k` value is `value`.
    pub(crate) fn key_lookup(&mut self, k: usize, doc: u32, value: &str) -> XResult<Vec<u32>> {
        let def = &self.prog.keys[k];
        if let Some(ix) = def.static_index.get(&doc) {
            return Ok(ix.get(value).cloned().unwrap_or_default());
        }
        if !self.key_index.contains_key(&(k, doc)) {
            let ix = self.build_key_index(k, doc)?;
            self.key_index.insert((k, doc), ix);
        }
        Ok(self.key_index[&(k, doc)].get(value).cloned().unwrap_or_default())
    }

    /// Index every node of `doc` that matches key `k`'s pattern by its `use` values.
    pub fn build_key_index(&mut self, k: usize, doc: u32) -> XResult<HashMap<String, Vec<u32>>> {
        let prog = self.prog;
        let def = &prog.keys[k];
        let dom = self.docs[doc as usize];
        let mut ix: HashMap<String, Vec<u32>> = HashMap::new();
        let saved_locals = std::mem::replace(&mut self.locals, vec![Vec::new(); def.slots]);
        let saved_lazy = std::mem::take(&mut self.lazy);
        let saved_current = self.current.clone();
        let mut result = Ok(());
        for id in 0..dom.len() as u32 {
            let node = NodeRef { doc, id };
            match def.pattern.matches(self, node) {
                Ok(true) => {}
                Ok(false) => continue,
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
            self.current = Some(Item::Node(node));
            match self.eval(&def.use_expr, &Ctx::node(node)) {
                Ok(v) => {
                    for a in self.atomize(v) {
                        ix.entry(a.to_string_value()).or_default().push(id);
                    }
                }
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        self.locals = saved_locals;
        self.lazy = saved_lazy;
        self.current = saved_current;
        result.map(|_| ix)
    }
}

/// Whether node `id` passes `test` on `axis` (principal node kind: attribute on the attribute
/// axis, element elsewhere).
pub fn test_node(dom: &Dom, id: u32, test: &NodeTest, axis: Axis) -> bool {
    let kind = dom.kind(id);
    let name_ok = |t: &NameTest| {
        t.local.as_deref().is_none_or(|l| l == dom.local_name(id))
            && t.ns.as_deref().is_none_or(|u| u == dom.namespace_uri(id))
    };
    match test {
        NodeTest::Name(t) => {
            let principal = if axis == Axis::Attribute { NodeKind::Attribute } else { NodeKind::Element };
            kind == principal && name_ok(t)
        }
        NodeTest::AnyNode => true,
        NodeTest::Text => kind == NodeKind::Text,
        NodeTest::Comment => false,
        NodeTest::Document => kind == NodeKind::Document,
        NodeTest::Element(t) => kind == NodeKind::Element && t.as_ref().is_none_or(name_ok),
        NodeTest::Attribute(t) => kind == NodeKind::Attribute && t.as_ref().is_none_or(name_ok),
    }
}

/// Visit the nodes on `axis` from `id` in axis order (nearest first for reverse axes) until
/// `f` returns false.
pub fn for_axis(dom: &Dom, id: u32, axis: Axis, f: &mut dyn FnMut(u32) -> bool) {
    let is_attr = dom.kind(id) == NodeKind::Attribute;
    match axis {
        Axis::SelfAxis => {
            f(id);
        }
        Axis::Child => {
            for c in dom.children(id) {
                if !f(c) {
                    return;
                }
            }
        }
        Axis::Attribute => {
            if dom.kind(id) == NodeKind::Element {
                for a in dom.attributes(id) {
                    if !f(a) {
                        return;
                    }
                }
            }
        }
        Axis::Descendant | Axis::DescendantOrSelf => {
            if axis == Axis::DescendantOrSelf && !f(id) {
                return;
            }
            if is_attr {
                return;
            }
            for d in id + 1..dom.subtree_end(id) {
                if dom.kind(d) != NodeKind::Attribute && !f(d) {
                    return;
                }
            }
        }
        Axis::Parent => {
            if let Some(p) = dom.parent(id) {
                f(p);
            }
        }
        Axis::Ancestor | Axis::AncestorOrSelf => {
            if axis == Axis::AncestorOrSelf && !f(id) {
                return;
            }
            let mut cur = dom.parent(id);
            while let Some(p) = cur {
                if !f(p) {
                    return;
                }
                cur = dom.parent(p);
            }
        }
        Axis::FollowingSibling | Axis::PrecedingSibling => {
            if is_attr {
                return;
            }
            let it =
                if axis == Axis::FollowingSibling { dom.following_siblings(id) } else { dom.preceding_siblings(id) };
            for s in it {
                if !f(s) {
                    return;
                }
            }
        }
        Axis::Following => {
            let start = if is_attr { id + 1 } else { dom.subtree_end(id) };
            for d in start..dom.len() as u32 {
                if dom.kind(d) != NodeKind::Attribute && !f(d) {
                    return;
                }
            }
        }
        Axis::Preceding => {
            let mut anc = dom.parent(id);
            let mut d = id;
            while d > 1 {
                d -= 1;
                if Some(d) == anc {
                    anc = dom.parent(d);
                    continue;
                }
                if dom.kind(d) != NodeKind::Attribute && !f(d) {
                    return;
                }
            }
        }
    }
}
