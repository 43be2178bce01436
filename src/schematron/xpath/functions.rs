//! The XPath 2.0 / XSLT 2.0 functions the engine knows: the table used when compiling (name
//! and arity, unknown functions are a load error) and their implementations.

use std::borrow::Cow;

use super::ast::Expr;
use super::datetime::{format_picture, DurKind};
use super::eval::{Ctx, Evaluator};
use super::regex::{compile_regex, XRegex};
use super::value::{cast, value_compare, xerr, Atomic, AtomicType, CmpOp, Item, Seq, XResult};

pub const FN_NS: &str = "http://www.w3.org/2005/xpath-functions";
pub const XS_NS: &str = "http://www.w3.org/2001/XMLSchema";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Func {
    True,
    False,
    Not,
    Boolean,
    Exists,
    Empty,
    Contains,
    StartsWith,
    EndsWith,
    Matches,
    String,
    Data,
    Concat,
    StringJoin,
    StringLength,
    NormalizeSpace,
    UpperCase,
    LowerCase,
    Translate,
    Substring,
    SubstringBefore,
    SubstringAfter,
    Replace,
    Tokenize,
    LocalName,
    Name,
    NamespaceUri,
    Number,
    Count,
    Sum,
    Avg,
    Min,
    Max,
    Abs,
    Floor,
    Ceiling,
    Round,
    Position,
    Last,
    DistinctValues,
    Reverse,
    Subsequence,
    IndexOf,
    ExactlyOne,
    ZeroOrOne,
    OneOrMore,
    Root,
    CurrentDateTime,
    CurrentDate,
    Component(Comp),
    Current,
    Key,
    FormatDateTime,
    FormatDate,
}

/// `*-from-*` component extractors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comp {
    Year,
    Month,
    Day,
    Hours,
    Minutes,
    Seconds,
    DurYears,
    DurMonths,
    DurDays,
    DurHours,
    DurMinutes,
    DurSeconds,
}

/// (local name, min arity, max arity, function) in the fn namespace.
const TABLE: &[(&str, usize, usize, Func)] = &[
    ("true", 0, 0, Func::True),
    ("false", 0, 0, Func::False),
    ("not", 1, 1, Func::Not),
    ("boolean", 1, 1, Func::Boolean),
    ("exists", 1, 1, Func::Exists),
    ("empty", 1, 1, Func::Empty),
    ("contains", 2, 2, Func::Contains),
    ("starts-with", 2, 2, Func::StartsWith),
    ("ends-with", 2, 2, Func::EndsWith),
    ("matches", 2, 3, Func::Matches),
    ("string", 0, 1, Func::String),
    ("data", 1, 1, Func::Data),
    ("concat", 2, usize::MAX, Func::Concat),
    ("string-join", 1, 2, Func::StringJoin),
    ("string-length", 0, 1, Func::StringLength),
    ("normalize-space", 0, 1, Func::NormalizeSpace),
    ("upper-case", 1, 1, Func::UpperCase),
    ("lower-case", 1, 1, Func::LowerCase),
    ("translate", 3, 3, Func::Translate),
    ("substring", 2, 3, Func::Substring),
    ("substring-before", 2, 2, Func::SubstringBefore),
    ("substring-after", 2, 2, Func::SubstringAfter),
    ("replace", 3, 4, Func::Replace),
    ("tokenize", 1, 3, Func::Tokenize),
    ("local-name", 0, 1, Func::LocalName),
    ("name", 0, 1, Func::Name),
    ("namespace-uri", 0, 1, Func::NamespaceUri),
    ("number", 0, 1, Func::Number),
    ("count", 1, 1, Func::Count),
    ("sum", 1, 2, Func::Sum),
    ("avg", 1, 1, Func::Avg),
    ("min", 1, 1, Func::Min),
    ("max", 1, 1, Func::Max),
    ("abs", 1, 1, Func::Abs),
    ("floor", 1, 1, Func::Floor),
    ("ceiling", 1, 1, Func::Ceiling),
    ("round", 1, 1, Func::Round),
    ("position", 0, 0, Func::Position),
    ("last", 0, 0, Func::Last),
    ("distinct-values", 1, 1, Func::DistinctValues),
    ("reverse", 1, 1, Func::Reverse),
    ("subsequence", 2, 3, Func::Subsequence),
    ("index-of", 2, 2, Func::IndexOf),
    ("exactly-one", 1, 1, Func::ExactlyOne),
    ("zero-or-one", 1, 1, Func::ZeroOrOne),
    ("one-or-more", 1, 1, Func::OneOrMore),
    ("root", 0, 1, Func::Root),
    ("current-dateTime", 0, 0, Func::CurrentDateTime),
    ("current-date", 0, 0, Func::CurrentDate),
    ("year-from-dateTime", 1, 1, Func::Component(Comp::Year)),
    ("month-from-dateTime", 1, 1, Func::Component(Comp::Month)),
    ("day-from-dateTime", 1, 1, Func::Component(Comp::Day)),
    ("hours-from-dateTime", 1, 1, Func::Component(Comp::Hours)),
    ("minutes-from-dateTime", 1, 1, Func::Component(Comp::Minutes)),
    ("seconds-from-dateTime", 1, 1, Func::Component(Comp::Seconds)),
    ("year-from-date", 1, 1, Func::Component(Comp::Year)),
    ("month-from-date", 1, 1, Func::Component(Comp::Month)),
    ("day-from-date", 1, 1, Func::Component(Comp::Day)),
    ("hours-from-time", 1, 1, Func::Component(Comp::Hours)),
    ("minutes-from-time", 1, 1, Func::Component(Comp::Minutes)),
    ("seconds-from-time", 1, 1, Func::Component(Comp::Seconds)),
    ("years-from-duration", 1, 1, Func::Component(Comp::DurYears)),
    ("months-from-duration", 1, 1, Func::Component(Comp::DurMonths)),
    ("days-from-duration", 1, 1, Func::Component(Comp::DurDays)),
    ("hours-from-duration", 1, 1, Func::Component(Comp::DurHours)),
    ("minutes-from-duration", 1, 1, Func::Component(Comp::DurMinutes)),
    ("seconds-from-duration", 1, 1, Func::Component(Comp::DurSeconds)),
    // XSLT 2.0 functions available in xslt2 query binding.
    ("current", 0, 0, Func::Current),
    ("key", 2, 3, Func::Key),
    ("format-dateTime", 2, 2, Func::FormatDateTime),
    ("format-date", 2, 2, Func::FormatDate),
];

/// Look up a function in the fn namespace; `Err(true)` when the name exists with another arity.
pub fn lookup(local: &str, arity: usize) -> Result<Func, bool> {
    let mut known = false;
    for (name, lo, hi, f) in TABLE {
        if *name == local {
            known = true;
            if (*lo..=*hi).contains(&arity) {
                return Ok(*f);
            }
        }
    }
    Err(known)
}

impl Func {
    /// Whether the function (at this arity) reads the focus (context item, position, size).
    pub fn uses_focus(self, arity: usize) -> bool {
        match self {
            Func::Position | Func::Last => true,
            Func::String
            | Func::StringLength
            | Func::NormalizeSpace
            | Func::LocalName
            | Func::Name
            | Func::NamespaceUri
            | Func::Number
            | Func::Root => arity == 0,
            Func::Key => arity == 2,
            _ => false,
        }
    }
    /// Whether the value can differ between runs with the same focus (clock, `current()`).
    pub fn is_nondeterministic(self) -> bool {
        matches!(self, Func::CurrentDateTime | Func::CurrentDate | Func::Current)
    }
    /// Whether a call never returns a number (so a predicate using it is a plain filter).
    pub fn never_numeric(self) -> bool {
        matches!(
            self,
            Func::True
                | Func::False
                | Func::Not
                | Func::Boolean
                | Func::Exists
                | Func::Empty
                | Func::Contains
                | Func::StartsWith
                | Func::EndsWith
                | Func::Matches
                | Func::String
                | Func::Concat
                | Func::StringJoin
                | Func::NormalizeSpace
                | Func::UpperCase
                | Func::LowerCase
                | Func::Translate
                | Func::Substring
                | Func::SubstringBefore
                | Func::SubstringAfter
                | Func::Replace
                | Func::Tokenize
                | Func::LocalName
                | Func::Name
                | Func::NamespaceUri
                | Func::Root
                | Func::Current
                | Func::Key
                | Func::FormatDateTime
                | Func::FormatDate
                | Func::CurrentDateTime
                | Func::CurrentDate
        )
    }
}

fn bool_seq(b: bool) -> XResult<Seq> {
    Ok(vec![Item::Atom(Atomic::Bool(b))])
}
fn str_seq(s: impl AsRef<str>) -> XResult<Seq> {
    Ok(vec![Item::Atom(Atomic::str(s.as_ref()))])
}
fn int_seq(i: i64) -> XResult<Seq> {
    Ok(vec![Item::Atom(Atomic::Int(i))])
}

/// XPath `normalize-space`.
pub fn normalize_space(s: &str) -> String {
    s.split_ascii_whitespace().collect::<Vec<_>>().join(" ")
}

impl Evaluator<'_> {
    /// Zero-or-one item as a string ("" for the empty sequence).
    pub(crate) fn string_arg(&mut self, e: &Expr, ctx: &Ctx, what: &str) -> XResult<String> {
        let v = self.eval(e, ctx)?;
        match v.len() {
            0 => Ok(String::new()),
            1 => Ok(self.item_string(&v[0]).into_owned()),
            _ => xerr("XPTY0004", format!("{what}: a sequence of more than one item is not allowed")),
        }
    }

    fn opt_atomic(&mut self, e: &Expr, ctx: &Ctx, what: &str) -> XResult<Option<Atomic>> {
        let v = self.eval(e, ctx)?;
        let mut v = self.atomize(v);
        match v.len() {
            0 => Ok(None),
            1 => Ok(v.pop()),
            _ => xerr("XPTY0004", format!("{what}: a sequence of more than one item is not allowed")),
        }
    }

    fn context_node_or_arg(&mut self, args: &[Expr], ctx: &Ctx, what: &str) -> XResult<Option<super::value::NodeRef>> {
        let v = match args.first() {
            Some(a) => self.eval(a, ctx)?,
            None => vec![self.context_item(ctx)?],
        };
        match v.as_slice() {
            [] => Ok(None),
            [Item::Node(n)] => Ok(Some(*n)),
            [Item::Atom(_)] => xerr("XPTY0004", format!("{what}: the argument is not a node")),
            _ => xerr("XPTY0004", format!("{what}: a sequence of more than one item is not allowed")),
        }
    }

    fn regex(&mut self, args: &[Expr], ctx: &Ctx, pat: usize, what: &str) -> XResult<XRegex> {
        if let Some(Expr::Regex(r)) = args.get(pat) {
            return Ok(r.clone());
        }
        let p = self.string_arg(&args[pat], ctx, what)?;
        let flags = match args.get(pat + 1) {
            Some(f) => self.string_arg(f, ctx, what)?,
            None => String::new(),
        };
        if let Some(r) = self.regex_cache.get(&(p.clone(), flags.clone())) {
            return Ok(r.clone());
        }
        let r = compile_regex(&p, &flags).or_else(|m| xerr("FORX0002", format!("{what}: {m}")))?;
        self.regex_cache.insert((p, flags), r.clone());
        Ok(r)
    }

    fn numeric_arg(&mut self, e: &Expr, ctx: &Ctx, what: &str) -> XResult<Option<Atomic>> {
        match self.opt_atomic(e, ctx, what)? {
            None => Ok(None),
            Some(a @ Atomic::Untyped(_)) => Ok(Some(cast(&a, AtomicType::Double)?)),
            Some(a) if a.is_numeric() => Ok(Some(a)),
            Some(a) => xerr("XPTY0004", format!("{what}: expected a number, got {}", a.type_name())),
        }
    }

    pub(crate) fn call(&mut self, f: Func, args: &[Expr], ctx: &Ctx) -> XResult<Seq> {
        match f {
            Func::True => bool_seq(true),
            Func::False => bool_seq(false),
            Func::Not => bool_seq(!self.ebv_expr(&args[0], ctx)?),
            Func::Boolean => {
                let v = self.eval(&args[0], ctx)?;
                bool_seq(self.ebv(&v)?)
            }
            Func::Exists => bool_seq(!self.eval(&args[0], ctx)?.is_empty()),
            Func::Empty => bool_seq(self.eval(&args[0], ctx)?.is_empty()),
            Func::Contains | Func::StartsWith | Func::EndsWith | Func::SubstringBefore | Func::SubstringAfter => {
                let a = self.string_arg(&args[0], ctx, "string function")?;
                let b = self.string_arg(&args[1], ctx, "string function")?;
                match f {
                    Func::Contains => bool_seq(a.contains(b.as_str())),
                    Func::StartsWith => bool_seq(a.starts_with(b.as_str())),
                    Func::EndsWith => bool_seq(a.ends_with(b.as_str())),
                    Func::SubstringBefore => str_seq(a.find(b.as_str()).map_or("", |i| &a[..i])),
                    _ => str_seq(a.find(b.as_str()).map_or("", |i| &a[i + b.len()..])),
                }
            }
            Func::Matches => {
                let s = self.string_arg(&args[0], ctx, "matches()")?;
                let r = self.regex(args, ctx, 1, "matches()")?;
                bool_seq(r.re.is_match(&s))
            }
            Func::Replace => {
                let s = self.string_arg(&args[0], ctx, "replace()")?;
                let r = self.regex(args, ctx, 1, "replace()")?;
                if r.re.is_match("") {
                    return xerr("FORX0003", "replace(): the pattern matches the empty string");
                }
                let rep = self.string_arg(&args[2], ctx, "replace()")?;
                let rep = super::regex::translate_replacement(&rep)
                    .or_else(|m| xerr("FORX0004", format!("replace(): {m}")))?;
                str_seq(r.re.replace_all(&s, rep.as_str()))
            }
            Func::Tokenize => {
                let s = self.string_arg(&args[0], ctx, "tokenize()")?;
                if args.len() == 1 {
                    return Ok(s.split_ascii_whitespace().map(|t| Item::Atom(Atomic::str(t))).collect());
                }
                let r = self.regex(args, ctx, 1, "tokenize()")?;
                if r.re.is_match("") {
                    return xerr("FORX0003", "tokenize(): the pattern matches the empty string");
                }
                if s.is_empty() {
                    return Ok(vec![]);
                }
                Ok(r.re.split(&s).map(|t| Item::Atom(Atomic::str(t))).collect())
            }
            Func::String => {
                let v = match args.first() {
                    Some(a) => self.eval(a, ctx)?,
                    None => vec![self.context_item(ctx)?],
                };
                match v.len() {
                    0 => str_seq(""),
                    1 => str_seq(self.item_string(&v[0])),
                    _ => xerr("XPTY0004", "string(): a sequence of more than one item is not allowed"),
                }
            }
            Func::Data => {
                let v = self.eval(&args[0], ctx)?;
                Ok(self.atomize(v).into_iter().map(Item::Atom).collect())
            }
            Func::Concat => {
                let mut out = String::new();
                for a in args {
                    out.push_str(&self.string_arg(a, ctx, "concat()")?);
                }
                str_seq(out)
            }
            Func::StringJoin => {
                let v = self.eval(&args[0], ctx)?;
                let sep = match args.get(1) {
                    Some(s) => self.string_arg(s, ctx, "string-join()")?,
                    None => String::new(),
                };
                let parts: Vec<String> = self.atomize(v).iter().map(Atomic::to_string_value).collect();
                str_seq(parts.join(&sep))
            }
            Func::StringLength | Func::NormalizeSpace => {
                let s = match args.first() {
                    Some(a) => self.string_arg(a, ctx, "string function")?,
                    None => {
                        let it = self.context_item(ctx)?;
                        self.item_string(&it).into_owned()
                    }
                };
                if f == Func::StringLength {
                    int_seq(s.chars().count() as i64)
                } else {
                    str_seq(normalize_space(&s))
                }
            }
            Func::UpperCase => str_seq(self.string_arg(&args[0], ctx, "upper-case()")?.to_uppercase()),
            Func::LowerCase => str_seq(self.string_arg(&args[0], ctx, "lower-case()")?.to_lowercase()),
            Func::Translate => {
                let s = self.string_arg(&args[0], ctx, "translate()")?;
                let from: Vec<char> = self.string_arg(&args[1], ctx, "translate()")?.chars().collect();
                let to: Vec<char> = self.string_arg(&args[2], ctx, "translate()")?.chars().collect();
                let out: String = s
                    .chars()
                    .filter_map(|c| match from.iter().position(|&x| x == c) {
                        Some(i) => to.get(i).copied(),
                        None => Some(c),
                    })
                    .collect();
                str_seq(out)
            }
            Func::Substring => {
                let s: Vec<char> = self.string_arg(&args[0], ctx, "substring()")?.chars().collect();
                let round = |a: Option<Atomic>| a.and_then(|a| a.as_f64()).map(round_half_up).unwrap_or(f64::NAN);
                let start = round(self.numeric_arg(&args[1], ctx, "substring()")?);
                let len = match args.get(2) {
                    Some(a) => round(self.numeric_arg(a, ctx, "substring()")?),
                    None => f64::INFINITY,
                };
                let out: String = s
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| {
                        let p = (*i + 1) as f64;
                        p >= start && p < start + len
                    })
                    .map(|(_, c)| *c)
                    .collect();
                str_seq(out)
            }
            Func::LocalName | Func::Name | Func::NamespaceUri => {
                let n = self.context_node_or_arg(args, ctx, "name function")?;
                let Some(n) = n else { return str_seq("") };
                let dom = self.docs[n.doc as usize];
                match f {
                    Func::LocalName => str_seq(dom.local_name(n.id)),
                    Func::Name => str_seq(dom.name(n.id)),
                    _ => str_seq(dom.namespace_uri(n.id)),
                }
            }
            Func::Root => {
                let n = self.context_node_or_arg(args, ctx, "root()")?;
                Ok(n.map(|n| Item::Node(super::value::NodeRef { doc: n.doc, id: 0 })).into_iter().collect())
            }
            Func::Number => {
                let v = match args.first() {
                    Some(a) => self.eval(a, ctx)?,
                    None => vec![self.context_item(ctx)?],
                };
                let a = self.atomize(v);
                let f = match a.as_slice() {
                    [x] => cast(x, AtomicType::Double).ok().and_then(|d| d.as_f64()).unwrap_or(f64::NAN),
                    _ => f64::NAN,
                };
                Ok(vec![Item::Atom(Atomic::Dbl(f))])
            }
            Func::Count => int_seq(self.eval(&args[0], ctx)?.len() as i64),
            Func::Sum | Func::Avg => {
                let v = self.eval(&args[0], ctx)?;
                let items = self.atomize(v);
                if items.is_empty() {
                    return match (f, args.get(1)) {
                        (Func::Sum, Some(z)) => self.eval(z, ctx),
                        (Func::Sum, None) => int_seq(0),
                        _ => Ok(vec![]),
                    };
                }
                let n = items.len();
                let mut acc: Option<Atomic> = None;
                for a in items {
                    let a = if let Atomic::Untyped(_) = a { cast(&a, AtomicType::Double)? } else { a };
                    acc = Some(match acc {
                        None => a,
                        Some(s) => super::value::arith(&s, &a, super::value::ArithOp::Add)?,
                    });
                }
                let total = acc.expect("non-empty");
                if f == Func::Avg {
                    let d = super::value::arith(&total, &Atomic::Int(n as i64), super::value::ArithOp::Div)?;
                    return Ok(vec![Item::Atom(d)]);
                }
                Ok(vec![Item::Atom(total)])
            }
            Func::Min | Func::Max => {
                let v = self.eval(&args[0], ctx)?;
                let mut best: Option<Atomic> = None;
                for a in self.atomize(v) {
                    let a = if let Atomic::Untyped(_) = a { cast(&a, AtomicType::Double)? } else { a };
                    if let Atomic::Dbl(d) = a {
                        if d.is_nan() {
                            return Ok(vec![Item::Atom(a)]);
                        }
                    }
                    best = Some(match best {
                        None => a,
                        Some(b) => {
                            let op = if f == Func::Min { CmpOp::Lt } else { CmpOp::Gt };
                            if value_compare(&a, &b, op)? {
                                a
                            } else {
                                b
                            }
                        }
                    });
                }
                Ok(best.map(Item::Atom).into_iter().collect())
            }
            Func::Abs | Func::Floor | Func::Ceiling | Func::Round => {
                let Some(a) = self.numeric_arg(&args[0], ctx, "numeric function")? else { return Ok(vec![]) };
                let g = |x: f64| match f {
                    Func::Abs => x.abs(),
                    Func::Floor => x.floor(),
                    Func::Ceiling => x.ceil(),
                    _ => round_half_up(x),
                };
                Ok(vec![Item::Atom(match a {
                    Atomic::Int(i) if f == Func::Abs => Atomic::Int(
                        i.checked_abs()
                            .ok_or(super::value::XErr { code: "FOAR0002", msg: "integer overflow".into() })?,
                    ),
                    Atomic::Int(i) => Atomic::Int(i),
                    Atomic::Dec(x) => Atomic::Dec(g(x)),
                    other => Atomic::Dbl(g(other.as_f64().unwrap_or(f64::NAN))),
                })])
            }
            Func::Position => {
                self.context_item(ctx)?;
                int_seq(ctx.pos as i64)
            }
            Func::Last => {
                self.context_item(ctx)?;
                int_seq(ctx.size as i64)
            }
            Func::DistinctValues => {
                let v = self.eval(&args[0], ctx)?;
                let mut out: Vec<Atomic> = Vec::new();
                for a in self.atomize(v) {
                    let a = if let Atomic::Untyped(s) = a { Atomic::Str(s) } else { a };
                    let dup = out.iter().any(|b| value_compare(&a, b, CmpOp::Eq).unwrap_or(false));
                    if !dup {
                        out.push(a);
                    }
                }
                Ok(out.into_iter().map(Item::Atom).collect())
            }
            Func::Reverse => {
                let mut v = self.eval(&args[0], ctx)?;
                v.reverse();
                Ok(v)
            }
            Func::Subsequence => {
                let v = self.eval(&args[0], ctx)?;
                let start = self
                    .numeric_arg(&args[1], ctx, "subsequence()")?
                    .and_then(|a| a.as_f64())
                    .map(round_half_up)
                    .unwrap_or(f64::NAN);
                let len = match args.get(2) {
                    Some(a) => self
                        .numeric_arg(a, ctx, "subsequence()")?
                        .and_then(|a| a.as_f64())
                        .map(round_half_up)
                        .unwrap_or(f64::NAN),
                    None => f64::INFINITY,
                };
                Ok(v.into_iter()
                    .enumerate()
                    .filter(|(i, _)| {
                        let p = (*i + 1) as f64;
                        p >= start && p < start + len
                    })
                    .map(|(_, x)| x)
                    .collect())
            }
            Func::IndexOf => {
                let v = self.eval(&args[0], ctx)?;
                let Some(target) = self.opt_atomic(&args[1], ctx, "index-of()")? else {
                    return xerr("XPTY0004", "index-of(): the search value must not be empty");
                };
                let target = if let Atomic::Untyped(s) = target { Atomic::Str(s) } else { target };
                let mut out = Vec::new();
                for (i, a) in self.atomize(v).into_iter().enumerate() {
                    let a = if let Atomic::Untyped(s) = a { Atomic::Str(s) } else { a };
                    if value_compare(&a, &target, CmpOp::Eq).unwrap_or(false) {
                        out.push(Item::Atom(Atomic::Int(i as i64 + 1)));
                    }
                }
                Ok(out)
            }
            Func::ExactlyOne | Func::ZeroOrOne | Func::OneOrMore => {
                let v = self.eval(&args[0], ctx)?;
                let ok = match f {
                    Func::ExactlyOne => v.len() == 1,
                    Func::ZeroOrOne => v.len() <= 1,
                    _ => !v.is_empty(),
                };
                if ok {
                    Ok(v)
                } else {
                    xerr("FORG0005", format!("{f:?}: wrong number of items"))
                }
            }
            Func::CurrentDateTime => Ok(vec![Item::Atom(Atomic::DateTime(self.now))]),
            Func::CurrentDate => Ok(vec![Item::Atom(Atomic::Date(self.now.date()))]),
            Func::Component(c) => {
                let Some(a) = self.opt_atomic(&args[0], ctx, "component function")? else { return Ok(vec![]) };
                component(&a, c)
            }
            Func::Current => match self.current.clone() {
                Some(i) => Ok(vec![i]),
                None => xerr("XTDE1360", "current() is not available here"),
            },
            Func::Key => self.key_call(args, ctx),
            Func::FormatDateTime | Func::FormatDate => {
                let name = if f == Func::FormatDate { "format-date()" } else { "format-dateTime()" };
                let Some(a) = self.opt_atomic(&args[0], ctx, name)? else { return Ok(vec![]) };
                let pic = self.string_arg(&args[1], ctx, name)?;
                let (dt, has_time) = match (&a, f) {
                    (Atomic::DateTime(d), Func::FormatDateTime) => (*d, true),
                    (Atomic::Date(d), Func::FormatDate) => (d.to_datetime(), false),
                    _ => return xerr("XPTY0004", format!("{name}: wrong argument type {}", a.type_name())),
                };
                match format_picture(&dt, has_time, &pic) {
                    Some(s) => str_seq(s),
                    None => xerr("XTDE1340", format!("{name}: unsupported picture component")),
                }
            }
        }
    }

    fn key_call(&mut self, args: &[Expr], ctx: &Ctx) -> XResult<Seq> {
        let key_name = self.string_arg(&args[0], ctx, "key()")?;
        let Some(k) = self.prog.keys.iter().position(|k| k.name == key_name) else {
            return xerr("XTDE1260", "key(): no xsl:key with that name");
        };
        let values = {
            let v = self.eval(&args[1], ctx)?;
            self.atomize(v)
        };
        let top = match args.get(2) {
            Some(t) => match self.eval(t, ctx)?.as_slice() {
                [Item::Node(n)] => *n,
                _ => return xerr("XPTY0004", "key(): the third argument must be a single node"),
            },
            None => match self.context_item(ctx)? {
                Item::Node(n) => super::value::NodeRef { doc: n.doc, id: 0 },
                _ => return xerr("XTDE1270", "key(): the context item is not a node"),
            },
        };
        let mut out: Vec<super::value::NodeRef> = Vec::new();
        let dom = self.docs[top.doc as usize];
        for v in values {
            let s: Cow<str> = Cow::Owned(v.to_string_value());
            for id in self.key_lookup(k, top.doc, &s)? {
                if dom.contains(top.id, id) {
                    out.push(super::value::NodeRef { doc: top.doc, id });
                }
            }
        }
        out.sort_unstable();
        out.dedup();
        Ok(out.into_iter().map(Item::Node).collect())
    }
}

/// XPath `round`: halves go towards positive infinity.
fn round_half_up(x: f64) -> f64 {
    if x.is_finite() {
        (x + 0.5).floor()
    } else {
        x
    }
}

fn component(a: &Atomic, c: Comp) -> XResult<Seq> {
    let int = |v: i64| Ok(vec![Item::Atom(Atomic::Int(v))]);
    match (a, c) {
        (Atomic::DateTime(d), _) => {
            let (y, m, day) = d.ymd();
            let (h, mi, s) = d.hms();
            match c {
                Comp::Year => int(y),
                Comp::Month => int(m as i64),
                Comp::Day => int(day as i64),
                Comp::Hours => int(h as i64),
                Comp::Minutes => int(mi as i64),
                Comp::Seconds => Ok(vec![Item::Atom(Atomic::Dec(s as f64 + d.nanos as f64 / 1e9))]),
                _ => xerr("XPTY0004", "component function: wrong argument type"),
            }
        }
        (Atomic::Date(d), Comp::Year | Comp::Month | Comp::Day) => {
            let (y, m, day) = super::datetime::civil_from_days(d.days);
            int(match c {
                Comp::Year => y,
                Comp::Month => m as i64,
                _ => day as i64,
            })
        }
        (Atomic::Time(t), Comp::Hours | Comp::Minutes | Comp::Seconds) => match c {
            Comp::Hours => int((t.secs / 3600) as i64),
            Comp::Minutes => int((t.secs / 60 % 60) as i64),
            _ => Ok(vec![Item::Atom(Atomic::Dec((t.secs % 60) as f64 + t.nanos as f64 / 1e9))]),
        },
        (Atomic::Duration(d), _) => {
            let (days, h, mi, s) = d.dhms();
            let ym = if d.kind == DurKind::DayTime { 0 } else { d.months };
            match c {
                Comp::DurYears => int(ym / 12),
                Comp::DurMonths => int(ym % 12),
                Comp::DurDays => int(days),
                Comp::DurHours => int(h),
                Comp::DurMinutes => int(mi),
                Comp::DurSeconds => Ok(vec![Item::Atom(Atomic::Dec(s))]),
                _ => xerr("XPTY0004", "component function: wrong argument type"),
            }
        }
        (Atomic::Untyped(_), _) => xerr("XPTY0004", "component function: argument is untyped (cast it first)"),
        _ => xerr("XPTY0004", "component function: wrong argument type"),
    }
}
