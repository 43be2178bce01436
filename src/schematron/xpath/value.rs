//! XPath 2.0 values: items (nodes and atomic values), sequences, casts between the supported
//! atomic types, comparisons (value and general) and arithmetic, and dynamic errors.
//!
//! Numbers: `xs:integer` is an i64; `xs:decimal` and `xs:double`/`xs:float` are f64 (decimals
//! keep their own type for output and promotion but not arbitrary precision).

use std::cmp::Ordering;
use std::sync::Arc;

use super::datetime::{cmp_durations, Date, DateTime, DurKind, Duration, Time};

/// A node of one of the documents an evaluation sees (`doc` indexes that list).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct NodeRef {
    pub doc: u32,
    pub id: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Atomic {
    Untyped(Arc<str>),
    Str(Arc<str>),
    Bool(bool),
    Int(i64),
    Dec(f64),
    Dbl(f64),
    DateTime(DateTime),
    Date(Date),
    Time(Time),
    Duration(Duration),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Node(NodeRef),
    Atom(Atomic),
}

pub type Seq = Vec<Item>;

/// A dynamic error: an XPath error code and a message that names the operation, never a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XErr {
    pub code: &'static str,
    pub msg: String,
}

impl std::fmt::Display for XErr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.msg, self.code)
    }
}

pub type XResult<T> = Result<T, XErr>;

pub fn xerr<T>(code: &'static str, msg: impl Into<String>) -> XResult<T> {
    Err(XErr { code, msg: msg.into() })
}

/// The atomic types that casts, constructors and `castable as` accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AtomicType {
    AnyAtomic,
    Untyped,
    String,
    Boolean,
    Integer,
    NonNegativeInteger,
    PositiveInteger,
    Decimal,
    Double,
    DateTime,
    Date,
    Time,
    Duration,
    DayTimeDuration,
    YearMonthDuration,
}

impl AtomicType {
    /// The type named `local` in the XML Schema namespace.
    pub fn from_xs(local: &str) -> Option<AtomicType> {
        use AtomicType::*;
        Some(match local {
            "anyAtomicType" => AnyAtomic,
            "untypedAtomic" => Untyped,
            "string" | "normalizedString" | "token" | "NMTOKEN" | "Name" | "NCName" | "ID" | "anyURI" => String,
            "boolean" => Boolean,
            "integer" | "long" | "int" | "short" => Integer,
            "nonNegativeInteger" | "unsignedLong" | "unsignedInt" => NonNegativeInteger,
            "positiveInteger" => PositiveInteger,
            "decimal" => Decimal,
            "double" | "float" => Double,
            "dateTime" => DateTime,
            "date" => Date,
            "time" => Time,
            "duration" => Duration,
            "dayTimeDuration" => DayTimeDuration,
            "yearMonthDuration" => YearMonthDuration,
            _ => return None,
        })
    }
    pub fn is_numeric(self) -> bool {
        use AtomicType::*;
        matches!(self, Integer | NonNegativeInteger | PositiveInteger | Decimal | Double)
    }
}

impl Atomic {
    pub fn str(s: &str) -> Atomic {
        Atomic::Str(Arc::from(s))
    }
    pub fn type_name(&self) -> &'static str {
        match self {
            Atomic::Untyped(_) => "xs:untypedAtomic",
            Atomic::Str(_) => "xs:string",
            Atomic::Bool(_) => "xs:boolean",
            Atomic::Int(_) => "xs:integer",
            Atomic::Dec(_) => "xs:decimal",
            Atomic::Dbl(_) => "xs:double",
            Atomic::DateTime(_) => "xs:dateTime",
            Atomic::Date(_) => "xs:date",
            Atomic::Time(_) => "xs:time",
            Atomic::Duration(d) => match d.kind {
                DurKind::Duration => "xs:duration",
                DurKind::DayTime => "xs:dayTimeDuration",
                DurKind::YearMonth => "xs:yearMonthDuration",
            },
        }
    }
    pub fn is_numeric(&self) -> bool {
        matches!(self, Atomic::Int(_) | Atomic::Dec(_) | Atomic::Dbl(_))
    }
    pub fn is_stringlike(&self) -> bool {
        matches!(self, Atomic::Untyped(_) | Atomic::Str(_))
    }
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Atomic::Int(i) => Some(*i as f64),
            Atomic::Dec(f) | Atomic::Dbl(f) => Some(*f),
            _ => None,
        }
    }
    /// The canonical lexical form (what `string()` returns).
    pub fn to_string_value(&self) -> String {
        match self {
            Atomic::Untyped(s) | Atomic::Str(s) => s.to_string(),
            Atomic::Bool(b) => b.to_string(),
            Atomic::Int(i) => i.to_string(),
            Atomic::Dec(f) => fmt_decimal(*f),
            Atomic::Dbl(f) => fmt_double(*f),
            Atomic::DateTime(d) => d.to_string(),
            Atomic::Date(d) => d.to_string(),
            Atomic::Time(t) => t.to_string(),
            Atomic::Duration(d) => d.to_string(),
        }
    }
}

fn fmt_decimal(f: f64) -> String {
    if f == 0.0 {
        return "0".into();
    }
    let s = format!("{f}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

fn fmt_double(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "INF".into() } else { "-INF".into() };
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    let a = f.abs();
    if (1e-6..1e6).contains(&a) {
        return fmt_decimal(f);
    }
    let s = format!("{f:E}");
    match s.split_once('E') {
        Some((m, e)) if !m.contains('.') => format!("{m}.0E{e}"),
        _ => s,
    }
}

fn parse_integer(s: &str) -> Option<i64> {
    let t = s.trim();
    let body = t.strip_prefix(['+', '-']).unwrap_or(t);
    if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.strip_prefix('+').unwrap_or(t).parse().ok()
}

fn parse_decimal(s: &str) -> Option<f64> {
    let t = s.trim();
    let body = t.strip_prefix(['+', '-']).unwrap_or(t);
    let (a, b) = body.split_once('.').unwrap_or((body, ""));
    if (a.is_empty() && b.is_empty())
        || !a.bytes().all(|c| c.is_ascii_digit())
        || !b.bytes().all(|c| c.is_ascii_digit())
    {
        return None;
    }
    t.strip_prefix('+').unwrap_or(t).parse().ok()
}

fn parse_double(s: &str) -> Option<f64> {
    let t = s.trim();
    match t {
        "INF" | "+INF" => return Some(f64::INFINITY),
        "-INF" => return Some(f64::NEG_INFINITY),
        "NaN" => return Some(f64::NAN),
        _ => {}
    }
    let (m, e) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    parse_decimal(m)?;
    if let Some(e) = e {
        parse_integer(e)?;
    }
    t.parse().ok()
}

fn cast_fail<T>(from: &Atomic, to: AtomicType) -> XResult<T> {
    xerr("FORG0001", format!("cannot cast {} to xs:{}", from.type_name(), type_local(to)))
}

pub fn type_local(t: AtomicType) -> &'static str {
    use AtomicType::*;
    match t {
        AnyAtomic => "anyAtomicType",
        Untyped => "untypedAtomic",
        String => "string",
        Boolean => "boolean",
        Integer => "integer",
        NonNegativeInteger => "nonNegativeInteger",
        PositiveInteger => "positiveInteger",
        Decimal => "decimal",
        Double => "double",
        DateTime => "dateTime",
        Date => "date",
        Time => "time",
        Duration => "duration",
        DayTimeDuration => "dayTimeDuration",
        YearMonthDuration => "yearMonthDuration",
    }
}

/// `cast as` between supported atomic types.
pub fn cast(a: &Atomic, to: AtomicType) -> XResult<Atomic> {
    use AtomicType as T;
    let from_str = |s: &str| -> XResult<Atomic> {
        let v = match to {
            T::AnyAtomic | T::Untyped => Some(Atomic::Untyped(Arc::from(s))),
            T::String => Some(Atomic::str(s)),
            T::Boolean => match s.trim() {
                "true" | "1" => Some(Atomic::Bool(true)),
                "false" | "0" => Some(Atomic::Bool(false)),
                _ => None,
            },
            T::Integer => parse_integer(s).map(Atomic::Int),
            T::NonNegativeInteger => parse_integer(s).filter(|v| *v >= 0).map(Atomic::Int),
            T::PositiveInteger => parse_integer(s).filter(|v| *v > 0).map(Atomic::Int),
            T::Decimal => parse_decimal(s).map(Atomic::Dec),
            T::Double => parse_double(s).map(Atomic::Dbl),
            T::DateTime => DateTime::parse(s).map(Atomic::DateTime),
            T::Date => Date::parse(s).map(Atomic::Date),
            T::Time => Time::parse(s).map(Atomic::Time),
            T::Duration => Duration::parse(s, DurKind::Duration).map(Atomic::Duration),
            T::DayTimeDuration => Duration::parse(s, DurKind::DayTime).map(Atomic::Duration),
            T::YearMonthDuration => Duration::parse(s, DurKind::YearMonth).map(Atomic::Duration),
        };
        v.map_or_else(|| cast_fail(a, to), Ok)
    };
    match (a, to) {
        (Atomic::Untyped(s) | Atomic::Str(s), _) => from_str(s),
        (_, T::String) => Ok(Atomic::str(&a.to_string_value())),
        (_, T::Untyped | T::AnyAtomic) if !matches!(to, T::AnyAtomic) => {
            Ok(Atomic::Untyped(Arc::from(a.to_string_value())))
        }
        (_, T::AnyAtomic) => Ok(a.clone()),
        (Atomic::Bool(b), t) if t.is_numeric() => Ok(match t {
            T::Decimal => Atomic::Dec(if *b { 1.0 } else { 0.0 }),
            T::Double => Atomic::Dbl(if *b { 1.0 } else { 0.0 }),
            T::PositiveInteger if !*b => return cast_fail(a, to),
            _ => Atomic::Int(*b as i64),
        }),
        (n, T::Boolean) if n.is_numeric() => Ok(Atomic::Bool(n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()))),
        (Atomic::Bool(b), T::Boolean) => Ok(Atomic::Bool(*b)),
        (n, t) if n.is_numeric() && t.is_numeric() => {
            let f = n.as_f64().unwrap_or(f64::NAN);
            match t {
                T::Double => Ok(Atomic::Dbl(f)),
                T::Decimal if f.is_finite() => Ok(Atomic::Dec(f)),
                T::Integer | T::NonNegativeInteger | T::PositiveInteger if f.is_finite() => {
                    let i = match n {
                        Atomic::Int(i) => *i,
                        _ => f.trunc() as i64,
                    };
                    let ok = match t {
                        T::NonNegativeInteger => i >= 0,
                        T::PositiveInteger => i > 0,
                        _ => true,
                    };
                    if ok {
                        Ok(Atomic::Int(i))
                    } else {
                        cast_fail(a, to)
                    }
                }
                _ => cast_fail(a, to),
            }
        }
        (Atomic::DateTime(d), T::DateTime) => Ok(Atomic::DateTime(*d)),
        (Atomic::DateTime(d), T::Date) => Ok(Atomic::Date(d.date())),
        (Atomic::DateTime(d), T::Time) => {
            Ok(Atomic::Time(Time { secs: d.secs.rem_euclid(86_400) as u32, nanos: d.nanos, tz: d.tz }))
        }
        (Atomic::Date(d), T::Date) => Ok(Atomic::Date(*d)),
        (Atomic::Date(d), T::DateTime) => Ok(Atomic::DateTime(d.to_datetime())),
        (Atomic::Time(t), T::Time) => Ok(Atomic::Time(*t)),
        (Atomic::Duration(d), T::Duration) => Ok(Atomic::Duration(Duration { kind: DurKind::Duration, ..*d })),
        (Atomic::Duration(d), T::DayTimeDuration) => Ok(Atomic::Duration(Duration::day_time(d.nanos))),
        (Atomic::Duration(d), T::YearMonthDuration) => Ok(Atomic::Duration(Duration::year_month(d.months))),
        _ => xerr("XPTY0004", format!("cannot cast {} to xs:{}", a.type_name(), type_local(to))),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    fn holds(self, o: Option<Ordering>) -> bool {
        match o {
            None => self == CmpOp::Ne, // NaN: only != holds
            Some(o) => match self {
                CmpOp::Eq => o == Ordering::Equal,
                CmpOp::Ne => o != Ordering::Equal,
                CmpOp::Lt => o == Ordering::Less,
                CmpOp::Le => o != Ordering::Greater,
                CmpOp::Gt => o == Ordering::Greater,
                CmpOp::Ge => o != Ordering::Less,
            },
        }
    }
    fn is_eq(self) -> bool {
        matches!(self, CmpOp::Eq | CmpOp::Ne)
    }
}

fn incomparable<T>(a: &Atomic, b: &Atomic) -> XResult<T> {
    xerr("XPTY0004", format!("cannot compare {} with {}", a.type_name(), b.type_name()))
}

/// Value comparison (`eq`, `lt`, ...) of two atomic values; untyped operands are strings.
pub fn value_compare(a: &Atomic, b: &Atomic, op: CmpOp) -> XResult<bool> {
    use Atomic::*;
    let ord = match (a, b) {
        (Untyped(x) | Str(x), Untyped(y) | Str(y)) => Some(x.as_bytes().cmp(y.as_bytes())),
        (Int(x), Int(y)) => Some(x.cmp(y)),
        (x, y) if x.is_numeric() && y.is_numeric() => {
            x.as_f64().unwrap_or(f64::NAN).partial_cmp(&y.as_f64().unwrap_or(f64::NAN))
        }
        (Bool(x), Bool(y)) => Some(x.cmp(y)),
        (DateTime(x), DateTime(y)) => Some(x.instant().cmp(&y.instant())),
        (Date(x), Date(y)) => Some(x.instant().cmp(&y.instant())),
        (Time(x), Time(y)) => Some(x.instant().cmp(&y.instant())),
        (Duration(x), Duration(y)) if op.is_eq() => {
            Some(if x.months == y.months && x.nanos == y.nanos { Ordering::Equal } else { Ordering::Less })
        }
        (Duration(x), Duration(y)) => match cmp_durations(x, y) {
            Some(o) => Some(o),
            None => return incomparable(a, b),
        },
        _ => return incomparable(a, b),
    };
    // Strings compare by code point (for UTF-8, byte order is code-point order).
    Ok(op.holds(ord))
}

/// One pair of a general comparison (`=`, `<`, ...): untyped operands are cast to the other
/// operand's type (to xs:double against numbers, to xs:string against untyped/strings).
pub fn general_compare(a: &Atomic, b: &Atomic, op: CmpOp) -> XResult<bool> {
    use Atomic::*;
    match (a, b) {
        (Untyped(_), Untyped(_) | Str(_)) | (Str(_), Untyped(_)) => value_compare(a, b, op),
        (Untyped(_), y) => {
            let t = if y.is_numeric() { AtomicType::Double } else { type_of(y) };
            value_compare(&cast(a, t)?, b, op)
        }
        (x, Untyped(_)) => {
            let t = if x.is_numeric() { AtomicType::Double } else { type_of(x) };
            value_compare(a, &cast(b, t)?, op)
        }
        _ => value_compare(a, b, op),
    }
}

pub fn type_of(a: &Atomic) -> AtomicType {
    use AtomicType as T;
    match a {
        Atomic::Untyped(_) => T::Untyped,
        Atomic::Str(_) => T::String,
        Atomic::Bool(_) => T::Boolean,
        Atomic::Int(_) => T::Integer,
        Atomic::Dec(_) => T::Decimal,
        Atomic::Dbl(_) => T::Double,
        Atomic::DateTime(_) => T::DateTime,
        Atomic::Date(_) => T::Date,
        Atomic::Time(_) => T::Time,
        Atomic::Duration(d) => match d.kind {
            DurKind::Duration => T::Duration,
            DurKind::DayTime => T::DayTimeDuration,
            DurKind::YearMonth => T::YearMonthDuration,
        },
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
    IDiv,
    Mod,
}

fn overflow<T>() -> XResult<T> {
    xerr("FOAR0002", "integer overflow")
}

/// Arithmetic on two atomic values (untyped operands are cast to xs:double first).
pub fn arith(a: &Atomic, b: &Atomic, op: ArithOp) -> XResult<Atomic> {
    use Atomic::*;
    let promote = |x: &Atomic| -> XResult<Atomic> {
        if let Untyped(_) = x {
            cast(x, AtomicType::Double)
        } else {
            Ok(x.clone())
        }
    };
    let (a, b) = (promote(a)?, promote(b)?);
    let bad = || xerr("XPTY0004", format!("arithmetic is not defined for {} and {}", a.type_name(), b.type_name()));
    match (&a, &b) {
        (Int(x), Int(y)) => {
            let (x, y) = (*x, *y);
            Ok(match op {
                ArithOp::Add => Int(x.checked_add(y).map_or_else(overflow, Ok)?),
                ArithOp::Sub => Int(x.checked_sub(y).map_or_else(overflow, Ok)?),
                ArithOp::Mul => Int(x.checked_mul(y).map_or_else(overflow, Ok)?),
                ArithOp::Div if y == 0 => return xerr("FOAR0001", "division by zero"),
                ArithOp::Div => Dec(x as f64 / y as f64),
                ArithOp::IDiv | ArithOp::Mod if y == 0 => return xerr("FOAR0001", "division by zero"),
                ArithOp::IDiv => Int(x / y),
                ArithOp::Mod => Int(x % y),
            })
        }
        (x, y) if x.is_numeric() && y.is_numeric() => {
            let (f, g) = (x.as_f64().unwrap_or(f64::NAN), y.as_f64().unwrap_or(f64::NAN));
            let dbl = matches!(x, Dbl(_)) || matches!(y, Dbl(_));
            if !dbl && g == 0.0 && matches!(op, ArithOp::Div | ArithOp::IDiv | ArithOp::Mod) {
                return xerr("FOAR0001", "division by zero");
            }
            let r = match op {
                ArithOp::Add => f + g,
                ArithOp::Sub => f - g,
                ArithOp::Mul => f * g,
                ArithOp::Div => f / g,
                ArithOp::Mod => f % g,
                ArithOp::IDiv => {
                    let q = (f / g).trunc();
                    if !q.is_finite() {
                        return xerr("FOAR0002", "idiv result out of range");
                    }
                    return Ok(Int(q as i64));
                }
            };
            Ok(if dbl { Dbl(r) } else { Dec(r) })
        }
        (DateTime(x), DateTime(y)) if op == ArithOp::Sub => {
            Ok(Duration(super::datetime::Duration::day_time(x.instant() - y.instant())))
        }
        (Date(x), Date(y)) if op == ArithOp::Sub => {
            Ok(Duration(super::datetime::Duration::day_time(x.instant() - y.instant())))
        }
        (Time(x), Time(y)) if op == ArithOp::Sub => {
            Ok(Duration(super::datetime::Duration::day_time(x.instant() - y.instant())))
        }
        (DateTime(x), Duration(d)) if d.kind != DurKind::Duration && matches!(op, ArithOp::Add | ArithOp::Sub) => {
            Ok(DateTime(x.add(&if op == ArithOp::Sub { d.negate() } else { *d })))
        }
        (Duration(d), DateTime(x)) if d.kind != DurKind::Duration && op == ArithOp::Add => Ok(DateTime(x.add(d))),
        (Date(x), Duration(d)) if d.kind != DurKind::Duration && matches!(op, ArithOp::Add | ArithOp::Sub) => {
            Ok(Date(x.add(&if op == ArithOp::Sub { d.negate() } else { *d })))
        }
        (Duration(d), Date(x)) if d.kind != DurKind::Duration && op == ArithOp::Add => Ok(Date(x.add(d))),
        (Time(x), Duration(d)) if d.kind == DurKind::DayTime && matches!(op, ArithOp::Add | ArithOp::Sub) => {
            Ok(Time(x.add(&if op == ArithOp::Sub { d.negate() } else { *d })))
        }
        (Duration(x), Duration(y)) if x.kind == y.kind && x.kind != DurKind::Duration => match op {
            ArithOp::Add => Ok(Duration(super::datetime::Duration {
                months: x.months + y.months,
                nanos: x.nanos + y.nanos,
                kind: x.kind,
            })),
            ArithOp::Sub => Ok(Duration(super::datetime::Duration {
                months: x.months - y.months,
                nanos: x.nanos - y.nanos,
                kind: x.kind,
            })),
            ArithOp::Div => {
                let (p, q) = if x.kind == DurKind::DayTime {
                    (x.nanos as f64, y.nanos as f64)
                } else {
                    (x.months as f64, y.months as f64)
                };
                if q == 0.0 {
                    return xerr("FOAR0001", "division by zero");
                }
                Ok(Dec(p / q))
            }
            _ => bad(),
        },
        (Duration(d), n) | (n, Duration(d))
            if n.is_numeric()
                && d.kind != DurKind::Duration
                && (op == ArithOp::Mul || (op == ArithOp::Div && matches!(a, Duration(_)))) =>
        {
            let f = n.as_f64().unwrap_or(f64::NAN);
            let f = if op == ArithOp::Div { 1.0 / f } else { f };
            if !f.is_finite() {
                return xerr("FODT0002", "duration overflow");
            }
            Ok(Duration(super::datetime::Duration {
                months: (d.months as f64 * f).round() as i64,
                nanos: (d.nanos as f64 * f).round() as i128,
                kind: d.kind,
            }))
        }
        _ => bad(),
    }
}
