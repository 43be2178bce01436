//! XPath 2.0 parser: tokens to [`Expr`], resolving prefixes, variables and functions against a
//! [`StaticContext`]. Anything outside the supported subset is an error naming the construct.

use std::collections::HashMap;

use super::ast::*;
use super::functions::{lookup, Func, FN_NS, XS_NS};
use super::lexer::{lex, Tok, Token};
use super::regex::compile_regex;
use super::value::{ArithOp, Atomic, AtomicType, CmpOp};

/// A compile error: byte offset in the expression and a message.
#[derive(Debug, Clone)]
pub struct CompileError {
    pub pos: usize,
    pub msg: String,
}

/// What an expression may refer to.
pub struct StaticContext<'a> {
    /// prefix -> namespace URI (`xs`, `fn` and `xml` are predeclared).
    pub namespaces: &'a HashMap<String, String>,
    /// Global variables by name.
    pub globals: &'a HashMap<String, u16>,
    /// Names of the `xsl:key`s.
    pub keys: &'a [String],
}

/// Local variables in scope: `vars` maps names to slots (a rule's lets are slots `0..n`);
/// `for`/`some`/`every` bindings take slots from `next` up. `max` is the number of slots the
/// evaluation needs.
#[derive(Debug, Default, Clone)]
pub struct Scope {
    pub vars: Vec<(String, u16)>,
    pub next: usize,
    pub max: usize,
}

impl Scope {
    /// The scope of a rule's let `visible` (earlier lets) or check (all lets), bindings after
    /// all `n_lets` let slots.
    pub fn rule(visible: &[String], n_lets: usize) -> Scope {
        let vars = visible.iter().enumerate().map(|(i, n)| (n.clone(), i as u16)).collect();
        Scope { vars, next: n_lets, max: n_lets }
    }
}

/// Compile one expression.
pub fn compile(src: &str, sc: &StaticContext, scope: &mut Scope) -> Result<Expr, CompileError> {
    let toks = lex(src).map_err(|(pos, msg)| CompileError { pos, msg })?;
    let mut p = Parser { toks, i: 0, sc, scope };
    let e = p.expr()?;
    if p.peek() != &Tok::Eof {
        return p.fail(format!("unexpected {}", describe(p.peek())));
    }
    Ok(e)
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Name(Some(p), l) => format!("name `{p}:{l}`"),
        Tok::Name(None, l) => format!("`{l}`"),
        Tok::Str(_) => "string literal".into(),
        Tok::Int(s) | Tok::Dec(s) | Tok::Dbl(s) => format!("number `{s}`"),
        Tok::Eof => "end of expression".into(),
        other => format!("`{other:?}`"),
    }
}

struct Parser<'a, 'b> {
    toks: Vec<Token>,
    i: usize,
    sc: &'b StaticContext<'a>,
    scope: &'b mut Scope,
}

const KIND_TESTS: &[&str] = &[
    "node",
    "text",
    "comment",
    "element",
    "attribute",
    "document-node",
    "processing-instruction",
    "schema-element",
    "schema-attribute",
];
const RESERVED: &[&str] = &["if", "typeswitch", "item", "empty-sequence"];

impl Parser<'_, '_> {
    fn peek(&self) -> &Tok {
        &self.toks[self.i].tok
    }
    fn peek_at(&self, k: usize) -> &Tok {
        &self.toks[(self.i + k).min(self.toks.len() - 1)].tok
    }
    fn pos(&self) -> usize {
        self.toks[self.i].pos
    }
    fn next(&mut self) -> Tok {
        let t = self.toks[self.i].tok.clone();
        if self.i < self.toks.len() - 1 {
            self.i += 1;
        }
        t
    }
    fn fail<T>(&self, msg: impl Into<String>) -> Result<T, CompileError> {
        Err(CompileError { pos: self.pos(), msg: msg.into() })
    }
    fn expect(&mut self, t: Tok) -> Result<(), CompileError> {
        if self.peek() == &t {
            self.next();
            Ok(())
        } else {
            self.fail(format!("expected `{t:?}`, found {}", describe(self.peek())))
        }
    }
    fn is_kw(&self, kw: &str) -> bool {
        matches!(self.peek(), Tok::Name(None, n) if n == kw)
    }
    fn eat_kw(&mut self, kw: &str) -> bool {
        if self.is_kw(kw) {
            self.next();
            true
        } else {
            false
        }
    }
    fn ns(&self, prefix: &str) -> Result<String, CompileError> {
        if let Some(u) = self.sc.namespaces.get(prefix) {
            return Ok(u.clone());
        }
        match prefix {
            "xs" => Ok(XS_NS.into()),
            "fn" => Ok(FN_NS.into()),
            "xml" => Ok(crate::schematron::dom::XML_NS.into()),
            _ => self.fail(format!("undeclared namespace prefix `{prefix}` (declare it with sch:ns)")),
        }
    }

    // ---------------------------------------------------------------- expressions

    fn expr(&mut self) -> Result<Expr, CompileError> {
        let first = self.expr_single()?;
        if self.peek() != &Tok::Comma {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.peek() == &Tok::Comma {
            self.next();
            items.push(self.expr_single()?);
        }
        Ok(Expr::Seq(items))
    }

    fn expr_single(&mut self) -> Result<Expr, CompileError> {
        let var_next = matches!(self.peek_at(1), Tok::Var(..));
        if var_next && self.is_kw("for") {
            self.next();
            return self.bindings("return", &|slot, input, body| Expr::For(slot, input, body));
        }
        if var_next && (self.is_kw("some") || self.is_kw("every")) {
            let every = self.is_kw("every");
            self.next();
            return self.bindings("satisfies", &move |slot, input, body| Expr::Quant(every, slot, input, body));
        }
        if self.is_kw("if") && self.peek_at(1) == &Tok::LParen {
            self.next();
            self.next();
            let c = self.expr()?;
            self.expect(Tok::RParen)?;
            if !self.eat_kw("then") {
                return self.fail("expected `then`");
            }
            let t = self.expr_single()?;
            if !self.eat_kw("else") {
                return self.fail("expected `else`");
            }
            let e = self.expr_single()?;
            return Ok(Expr::If(Box::new(c), Box::new(t), Box::new(e)));
        }
        if matches!(self.peek(), Tok::Name(None, n) if n == "typeswitch") && self.peek_at(1) == &Tok::LParen {
            return self.fail("`typeswitch` is not supported");
        }
        self.or_expr()
    }

    /// `$a in E, $b in F ... KEYWORD body`, nested one binding per level.
    fn bindings(
        &mut self,
        keyword: &str,
        make: &dyn Fn(u16, Box<Expr>, Box<Expr>) -> Expr,
    ) -> Result<Expr, CompileError> {
        let mut bound: Vec<(u16, Expr)> = Vec::new();
        let (depth, next) = (self.scope.vars.len(), self.scope.next);
        loop {
            let Tok::Var(prefix, name) = self.next() else { return self.fail("expected a variable") };
            if prefix.is_some() {
                return self.fail("prefixed variable names are not supported");
            }
            if !self.eat_kw("in") {
                return self.fail("expected `in`");
            }
            let input = self.expr_single()?;
            let slot = self.scope.next;
            self.scope.next += 1;
            self.scope.vars.push((name, slot as u16));
            self.scope.max = self.scope.max.max(self.scope.next);
            bound.push((slot as u16, input));
            if self.peek() == &Tok::Comma {
                self.next();
                continue;
            }
            break;
        }
        if !self.eat_kw(keyword) {
            return self.fail(format!("expected `{keyword}`"));
        }
        let mut body = self.expr_single()?;
        self.scope.vars.truncate(depth);
        self.scope.next = next;
        while let Some((slot, input)) = bound.pop() {
            body = make(slot, Box::new(input), Box::new(body));
        }
        Ok(body)
    }

    fn or_expr(&mut self) -> Result<Expr, CompileError> {
        let mut l = self.and_expr()?;
        while self.eat_kw("or") {
            l = Expr::Or(Box::new(l), Box::new(self.and_expr()?));
        }
        Ok(l)
    }

    fn and_expr(&mut self) -> Result<Expr, CompileError> {
        let mut l = self.comparison()?;
        while self.eat_kw("and") {
            l = Expr::And(Box::new(l), Box::new(self.comparison()?));
        }
        Ok(l)
    }

    fn comparison(&mut self) -> Result<Expr, CompileError> {
        let l = self.range()?;
        enum K {
            G(CmpOp),
            V(CmpOp),
            N(NodeCmp),
        }
        let k = match self.peek() {
            Tok::Eq => K::G(CmpOp::Eq),
            Tok::Ne => K::G(CmpOp::Ne),
            Tok::Lt => K::G(CmpOp::Lt),
            Tok::Le => K::G(CmpOp::Le),
            Tok::Gt => K::G(CmpOp::Gt),
            Tok::Ge => K::G(CmpOp::Ge),
            Tok::LtLt => K::N(NodeCmp::Before),
            Tok::GtGt => K::N(NodeCmp::After),
            Tok::Name(None, n) => match n.as_str() {
                "eq" => K::V(CmpOp::Eq),
                "ne" => K::V(CmpOp::Ne),
                "lt" => K::V(CmpOp::Lt),
                "le" => K::V(CmpOp::Le),
                "gt" => K::V(CmpOp::Gt),
                "ge" => K::V(CmpOp::Ge),
                "is" => K::N(NodeCmp::Is),
                _ => return Ok(l),
            },
            _ => return Ok(l),
        };
        self.next();
        let r = Box::new(self.range()?);
        let l = Box::new(l);
        Ok(match k {
            K::G(op) => Expr::General(op, l, r),
            K::V(op) => Expr::Value(op, l, r),
            K::N(op) => Expr::Node(op, l, r),
        })
    }

    fn range(&mut self) -> Result<Expr, CompileError> {
        let l = self.additive()?;
        if self.eat_kw("to") {
            return Ok(Expr::Range(Box::new(l), Box::new(self.additive()?)));
        }
        Ok(l)
    }

    fn additive(&mut self) -> Result<Expr, CompileError> {
        let mut l = self.multiplicative()?;
        loop {
            let op = match self.peek() {
                Tok::Plus => ArithOp::Add,
                Tok::Minus => ArithOp::Sub,
                _ => return Ok(l),
            };
            self.next();
            l = Expr::Arith(op, Box::new(l), Box::new(self.multiplicative()?));
        }
    }

    fn multiplicative(&mut self) -> Result<Expr, CompileError> {
        let mut l = self.union()?;
        loop {
            let op = match self.peek() {
                Tok::Star => ArithOp::Mul,
                Tok::Name(None, n) if n == "div" => ArithOp::Div,
                Tok::Name(None, n) if n == "idiv" => ArithOp::IDiv,
                Tok::Name(None, n) if n == "mod" => ArithOp::Mod,
                _ => return Ok(l),
            };
            self.next();
            l = Expr::Arith(op, Box::new(l), Box::new(self.union()?));
        }
    }

    fn union(&mut self) -> Result<Expr, CompileError> {
        let mut l = self.intersect()?;
        while self.peek() == &Tok::Pipe || self.is_kw("union") {
            self.next();
            l = Expr::Set(SetOp::Union, Box::new(l), Box::new(self.intersect()?));
        }
        Ok(l)
    }

    fn intersect(&mut self) -> Result<Expr, CompileError> {
        let mut l = self.instance_of()?;
        loop {
            let op = if self.is_kw("intersect") {
                SetOp::Intersect
            } else if self.is_kw("except") {
                SetOp::Except
            } else {
                return Ok(l);
            };
            self.next();
            l = Expr::Set(op, Box::new(l), Box::new(self.instance_of()?));
        }
    }

    fn instance_of(&mut self) -> Result<Expr, CompileError> {
        let l = self.treat()?;
        if self.is_kw("instance") && matches!(self.peek_at(1), Tok::Name(None, n) if n == "of") {
            self.next();
            self.next();
            return Ok(Expr::InstanceOf(Box::new(l), self.seq_type()?));
        }
        Ok(l)
    }

    fn treat(&mut self) -> Result<Expr, CompileError> {
        let l = self.castable()?;
        if self.is_kw("treat") && matches!(self.peek_at(1), Tok::Name(None, n) if n == "as") {
            self.next();
            self.next();
            return Ok(Expr::Treat(Box::new(l), self.seq_type()?));
        }
        Ok(l)
    }

    fn castable(&mut self) -> Result<Expr, CompileError> {
        let l = self.cast()?;
        if self.is_kw("castable") && matches!(self.peek_at(1), Tok::Name(None, n) if n == "as") {
            self.next();
            self.next();
            let (t, opt) = self.single_type()?;
            return Ok(Expr::Castable(Box::new(l), t, opt));
        }
        Ok(l)
    }

    fn cast(&mut self) -> Result<Expr, CompileError> {
        let l = self.unary()?;
        if self.is_kw("cast") && matches!(self.peek_at(1), Tok::Name(None, n) if n == "as") {
            self.next();
            self.next();
            let (t, opt) = self.single_type()?;
            return Ok(Expr::Cast(Box::new(l), t, opt));
        }
        Ok(l)
    }

    fn atomic_type(&mut self) -> Result<AtomicType, CompileError> {
        let Tok::Name(prefix, local) = self.next() else { return self.fail("expected a type name") };
        let uri = match &prefix {
            Some(p) => self.ns(p)?,
            None => String::new(),
        };
        if uri != XS_NS {
            return self.fail(format!("unsupported type `{}`", local));
        }
        AtomicType::from_xs(&local).map_or_else(|| self.fail(format!("unsupported type `xs:{local}`")), Ok)
    }

    fn single_type(&mut self) -> Result<(AtomicType, bool), CompileError> {
        let t = self.atomic_type()?;
        let opt = self.peek() == &Tok::Question;
        if opt {
            self.next();
        }
        Ok((t, opt))
    }

    fn seq_type(&mut self) -> Result<SeqType, CompileError> {
        let item = match (self.peek().clone(), self.peek_at(1).clone()) {
            (Tok::Name(None, n), Tok::LParen) if n == "empty-sequence" => {
                self.next();
                self.next();
                self.expect(Tok::RParen)?;
                return Ok(SeqType { item: None, occ: Occurrence::One });
            }
            (Tok::Name(None, n), Tok::LParen) if n == "item" => {
                self.next();
                self.next();
                self.expect(Tok::RParen)?;
                ItemType::Item
            }
            (Tok::Name(None, n), Tok::LParen) if KIND_TESTS.contains(&n.as_str()) => ItemType::Node(self.kind_test()?),
            _ => ItemType::Atomic(self.atomic_type()?),
        };
        let occ = match self.peek() {
            Tok::Question => Occurrence::Optional,
            Tok::Star => Occurrence::Many,
            Tok::Plus => Occurrence::Plus,
            _ => return Ok(SeqType { item: Some(item), occ: Occurrence::One }),
        };
        self.next();
        Ok(SeqType { item: Some(item), occ })
    }

    fn unary(&mut self) -> Result<Expr, CompileError> {
        let mut neg = false;
        let mut any = false;
        loop {
            match self.peek() {
                Tok::Minus => neg = !neg,
                Tok::Plus => {}
                _ => break,
            }
            any = true;
            self.next();
        }
        let e = self.path()?;
        Ok(if neg {
            Expr::Neg(Box::new(e))
        } else if any {
            Expr::Arith(ArithOp::Add, Box::new(Expr::Literal(Atomic::Int(0))), Box::new(e))
        } else {
            e
        })
    }

    // ---------------------------------------------------------------- paths

    fn starts_step(&self) -> bool {
        matches!(
            self.peek(),
            Tok::Name(..)
                | Tok::Star
                | Tok::PrefixStar(_)
                | Tok::StarLocal(_)
                | Tok::At
                | Tok::Dot
                | Tok::DotDot
                | Tok::LParen
                | Tok::Var(..)
                | Tok::Str(_)
                | Tok::Int(_)
                | Tok::Dec(_)
                | Tok::Dbl(_)
        )
    }

    fn path(&mut self) -> Result<Expr, CompileError> {
        match self.peek() {
            Tok::Slash => {
                self.next();
                if self.starts_step() {
                    let first = self.step()?;
                    self.relative(Expr::Slash(Box::new(Expr::Root), Box::new(first)))
                } else {
                    Ok(Expr::Root)
                }
            }
            Tok::SlashSlash => {
                self.next();
                let first = self.step()?;
                self.relative(descend(Expr::Root, first))
            }
            _ => {
                let first = self.step()?;
                self.relative(first)
            }
        }
    }

    fn relative(&mut self, mut acc: Expr) -> Result<Expr, CompileError> {
        loop {
            match self.peek() {
                Tok::Slash => {
                    self.next();
                    let s = self.step()?;
                    acc = Expr::Slash(Box::new(acc), Box::new(s));
                }
                Tok::SlashSlash => {
                    self.next();
                    let s = self.step()?;
                    acc = descend(acc, s);
                }
                _ => return Ok(acc),
            }
        }
    }

    fn step(&mut self) -> Result<Expr, CompileError> {
        let tok = self.peek().clone();
        let next = self.peek_at(1).clone();
        let (axis, test) = match (&tok, &next) {
            (Tok::DotDot, _) => {
                self.next();
                (Axis::Parent, NodeTest::AnyNode)
            }
            (Tok::At, _) => {
                self.next();
                (Axis::Attribute, self.node_test()?)
            }
            (Tok::Name(None, axis), Tok::ColonColon) => {
                let Some(a) = Axis::from_name(axis) else {
                    return self.fail(format!("unsupported axis `{axis}::`"));
                };
                self.next();
                self.next();
                (a, self.node_test()?)
            }
            (Tok::Name(None, n), Tok::LParen) if KIND_TESTS.contains(&n.as_str()) => (Axis::Child, self.node_test()?),
            (Tok::Name(..), Tok::LParen)
            | (Tok::Dot | Tok::LParen | Tok::Var(..) | Tok::Str(_) | Tok::Int(_) | Tok::Dec(_) | Tok::Dbl(_), _) => {
                let prim = self.primary()?;
                let preds = self.predicates()?;
                return Ok(if preds.is_empty() { prim } else { Expr::Filter(Box::new(prim), preds) });
            }
            (Tok::Name(..) | Tok::Star | Tok::PrefixStar(_) | Tok::StarLocal(_), _) => (Axis::Child, self.node_test()?),
            _ => return self.fail(format!("unexpected {}", describe(&tok))),
        };
        let preds = self.predicates()?;
        Ok(Expr::Step(Box::new(Step { axis, test, preds })))
    }

    fn name_test_of(&mut self, t: Tok) -> Result<NameTest, CompileError> {
        Ok(match t {
            Tok::Star => NameTest { ns: None, local: None },
            Tok::PrefixStar(p) => NameTest { ns: Some(self.ns(&p)?), local: None },
            Tok::StarLocal(l) => NameTest { ns: None, local: Some(l) },
            Tok::Name(None, l) => NameTest { ns: Some(String::new()), local: Some(l) },
            Tok::Name(Some(p), l) => NameTest { ns: Some(self.ns(&p)?), local: Some(l) },
            other => return self.fail(format!("expected a name test, found {}", describe(&other))),
        })
    }

    fn node_test(&mut self) -> Result<NodeTest, CompileError> {
        if let (Tok::Name(None, n), Tok::LParen) = (self.peek(), self.peek_at(1)) {
            if KIND_TESTS.contains(&n.as_str()) {
                return self.kind_test();
            }
        }
        let t = self.next();
        Ok(NodeTest::Name(self.name_test_of(t)?))
    }

    fn kind_test(&mut self) -> Result<NodeTest, CompileError> {
        let Tok::Name(None, n) = self.next() else { return self.fail("expected a kind test") };
        self.expect(Tok::LParen)?;
        let t = match n.as_str() {
            "node" => NodeTest::AnyNode,
            "text" => NodeTest::Text,
            "comment" => NodeTest::Comment,
            "document-node" => NodeTest::Document,
            "element" | "attribute" => {
                let name = if self.peek() == &Tok::RParen {
                    None
                } else {
                    let t = self.next();
                    let nt = self.name_test_of(t)?;
                    if self.peek() == &Tok::Comma {
                        return self.fail(format!("typed `{n}(name, type)` tests are not supported"));
                    }
                    Some(nt)
                };
                if n == "element" {
                    NodeTest::Element(name)
                } else {
                    NodeTest::Attribute(name)
                }
            }
            other => return self.fail(format!("`{other}()` tests are not supported")),
        };
        self.expect(Tok::RParen)?;
        Ok(t)
    }

    fn predicates(&mut self) -> Result<Vec<Pred>, CompileError> {
        let mut out = Vec::new();
        while self.peek() == &Tok::LBracket {
            self.next();
            let e = self.expr()?;
            self.expect(Tok::RBracket)?;
            out.push(Pred { positional: is_positional(&e), expr: e });
        }
        Ok(out)
    }

    fn primary(&mut self) -> Result<Expr, CompileError> {
        match self.next() {
            Tok::Dot => Ok(Expr::Context),
            Tok::Str(s) => Ok(Expr::Literal(Atomic::str(&s))),
            Tok::Int(s) => match s.parse::<i64>() {
                Ok(i) => Ok(Expr::Literal(Atomic::Int(i))),
                Err(_) => self.fail("integer literal out of range"),
            },
            Tok::Dec(s) => Ok(Expr::Literal(Atomic::Dec(s.parse().unwrap_or(f64::NAN)))),
            Tok::Dbl(s) => Ok(Expr::Literal(Atomic::Dbl(s.parse().unwrap_or(f64::NAN)))),
            Tok::Var(prefix, name) => {
                if prefix.is_some() {
                    return self.fail("prefixed variable names are not supported");
                }
                if let Some((_, slot)) = self.scope.vars.iter().rev().find(|(n, _)| *n == name) {
                    return Ok(Expr::Var(Var::Local(*slot)));
                }
                match self.sc.globals.get(&name) {
                    Some(g) => Ok(Expr::Var(Var::Global(*g))),
                    None => self.fail(format!("undeclared variable `${name}`")),
                }
            }
            Tok::LParen => {
                if self.peek() == &Tok::RParen {
                    self.next();
                    return Ok(Expr::Empty);
                }
                let e = self.expr()?;
                self.expect(Tok::RParen)?;
                // Keep parenthesised expressions distinct from bare steps for predicates.
                Ok(match e {
                    Expr::Step(_) => Expr::Seq(vec![e]),
                    e => e,
                })
            }
            Tok::Name(prefix, local) => {
                self.i -= 1;
                let pos = self.pos();
                self.next();
                self.function_call(prefix, local, pos)
            }
            other => self.fail(format!("unexpected {}", describe(&other))),
        }
    }

    fn function_call(&mut self, prefix: Option<String>, local: String, pos: usize) -> Result<Expr, CompileError> {
        if prefix.is_none() && RESERVED.contains(&local.as_str()) {
            let hint =
                if local == "if" { " (an `if` expression must be parenthesised when it is an operand)" } else { "" };
            return self.fail(format!("`{local}(` is not supported here{hint}"));
        }
        self.expect(Tok::LParen)?;
        let mut args = Vec::new();
        if self.peek() != &Tok::RParen {
            loop {
                args.push(self.expr_single()?);
                if self.peek() == &Tok::Comma {
                    self.next();
                    continue;
                }
                break;
            }
        }
        self.expect(Tok::RParen)?;
        let uri = match &prefix {
            Some(p) => self.ns(p)?,
            None => FN_NS.to_string(),
        };
        let shown = match &prefix {
            Some(p) => format!("{p}:{local}"),
            None => local.clone(),
        };
        let err = |msg: String| Err(CompileError { pos, msg });
        if uri == XS_NS {
            let Some(t) = AtomicType::from_xs(&local) else {
                return err(format!("unsupported constructor function `{shown}()`"));
            };
            if args.len() != 1 {
                return err(format!("`{shown}()` takes one argument"));
            }
            return Ok(Expr::Cast(Box::new(args.pop().expect("one arg")), t, true));
        }
        if uri != FN_NS {
            return err(format!("unknown function `{shown}#{}` (namespace {uri})", args.len()));
        }
        let f = match lookup(&local, args.len()) {
            Ok(f) => f,
            Err(true) => return err(format!("function `{shown}` does not take {} argument(s)", args.len())),
            Err(false) => return err(format!("unknown function `{shown}#{}`", args.len())),
        };
        if f == Func::Key {
            if let Expr::Literal(Atomic::Str(k)) = &args[0] {
                if !self.sc.keys.iter().any(|n| **n == **k) {
                    return err(format!("key() refers to an undeclared xsl:key `{k}`"));
                }
            }
        }
        // Literal regular expressions are compiled (and checked) now.
        let pat_arg = match f {
            Func::Matches | Func::Replace | Func::Tokenize if args.len() >= 2 => Some(1),
            _ => None,
        };
        if let Some(k) = pat_arg {
            let flags_at = if f == Func::Replace { 3 } else { 2 };
            let flags = match args.get(flags_at) {
                None => Some(String::new()),
                Some(Expr::Literal(Atomic::Str(s))) => Some(s.to_string()),
                Some(_) => None,
            };
            if let (Expr::Literal(Atomic::Str(p)), Some(flags)) = (&args[k], flags) {
                match compile_regex(p, &flags) {
                    Ok(r) => args[k] = Expr::Regex(r),
                    Err(m) => return err(format!("{shown}(): {m}")),
                }
            }
        }
        if let (Func::FormatDateTime | Func::FormatDate, Some(Expr::Literal(Atomic::Str(pic)))) = (f, args.get(1)) {
            let probe = super::datetime::DateTime { secs: 0, nanos: 0, tz: Some(0) };
            if super::datetime::format_picture(&probe, f == Func::FormatDateTime, pic).is_none() {
                return err(format!("{shown}(): unsupported picture `{pic}`"));
            }
        }
        Ok(Expr::Call(f, args))
    }
}

/// `lhs//rhs`: `descendant::` when that is equivalent, else `descendant-or-self::node()/rhs`.
fn descend(lhs: Expr, rhs: Expr) -> Expr {
    if let Expr::Step(s) = &rhs {
        if s.axis == Axis::Child && s.preds.iter().all(|p| !p.positional) {
            let mut s = s.clone();
            s.axis = Axis::Descendant;
            return Expr::Slash(Box::new(lhs), Box::new(Expr::Step(s)));
        }
    }
    let dos = Expr::Step(Box::new(Step { axis: Axis::DescendantOrSelf, test: NodeTest::AnyNode, preds: vec![] }));
    Expr::Slash(Box::new(Expr::Slash(Box::new(lhs), Box::new(dos))), Box::new(rhs))
}

/// Whether a predicate may select by position (numeric value or position()/last()).
fn is_positional(e: &Expr) -> bool {
    let mut uses_pos = false;
    e.walk(&mut |x| {
        if let Expr::Call(Func::Position | Func::Last, _) = x {
            uses_pos = true;
        }
    });
    uses_pos || may_be_numeric(e)
}

fn may_be_numeric(e: &Expr) -> bool {
    match e {
        Expr::Literal(a) => a.is_numeric(),
        Expr::Regex(_)
        | Expr::Empty
        | Expr::Root
        | Expr::Step(_)
        | Expr::Or(..)
        | Expr::And(..)
        | Expr::General(..)
        | Expr::Value(..)
        | Expr::Node(..) => false,
        Expr::Set(..) | Expr::Quant(..) | Expr::Castable(..) | Expr::InstanceOf(..) => false,
        Expr::Slash(_, r) => may_be_numeric(r),
        Expr::Filter(b, _) => may_be_numeric(b),
        Expr::Seq(v) => v.iter().any(may_be_numeric),
        Expr::If(_, a, b) => may_be_numeric(a) || may_be_numeric(b),
        Expr::Call(f, _) => !f.never_numeric(),
        Expr::Cast(_, t, _) => t.is_numeric() || matches!(t, AtomicType::AnyAtomic | AtomicType::Untyped),
        Expr::Context
        | Expr::Var(_)
        | Expr::Arith(..)
        | Expr::Neg(_)
        | Expr::Range(..)
        | Expr::For(..)
        | Expr::Treat(..) => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Expr, CompileError> {
        let mut ns = HashMap::new();
        ns.insert("nem".to_string(), "http://www.nemsis.org".to_string());
        let globals = HashMap::new();
        let sc = StaticContext { namespaces: &ns, globals: &globals, keys: &[] };
        compile(s, &sc, &mut Scope::default())
    }

    #[test]
    fn parses_nemsis_expressions() {
        for s in [
            "*[@NV][local-name() = (local-name(preceding-sibling::*[1]), local-name(following-sibling::*[1]))]",
            "nem:eMedications.MedicationGroup[some $element in .//* satisfies normalize-space($element) != '' and not($element/@PN)]/nem:eMedications.01[. = '']",
            ". castable as xs:integer or not(@ETCO2Type = '3340001')",
            "xs:dateTime(@timeStamp) < current-dateTime() + xs:dayTimeDuration('PT1H')",
            ".[not(nem:ePatient.25)]/'ePatient.25'",
            "../(nem:eSituation.09, nem:eSituation.10)",
            "not(normalize-space(.) = preceding-sibling::nem:sConfiguration.03/normalize-space(.))",
            "for $i in 1 to 3 return $i * 2",
            "if (. = '') then 1 else 2",
        ] {
            parse(s).unwrap_or_else(|e| panic!("{s}: {} at {}", e.msg, e.pos));
        }
        assert!(parse("foo(1)").unwrap_err().msg.contains("unknown function `foo#1`"));
        assert!(parse("$x").unwrap_err().msg.contains("undeclared variable"));
        assert!(parse("p:x").unwrap_err().msg.contains("undeclared namespace prefix"));
    }
}
