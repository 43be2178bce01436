//! Checks of a lexical value (element text or attribute value) against a simple type of the
//! compiled model, deciding exactly as libxml2 2.9 (`xmllint --schema`) decides.
//!
//! [`ValueChecker::new`] prepares every type once (regexes compiled, enumerations hashed,
//! bounds parsed); [`ValueChecker::check`] is then allocation-free on the success path for
//! enumerations, patterns and the numeric and date types.
//!
//! What libxml2 does, and this module reproduces (every point was checked with xmllint on
//! small schemas):
//!
//! * Whitespace: `string`-derived types keep the value as is. For the other built-ins libxml2
//!   collapses the value (trims XML whitespace and reduces inner runs to one space) only when
//!   the type has a pattern or an enumeration in its derivation, or is a union member;
//!   otherwise each built-in parser skips whitespace itself, and libxml2's date parsers do it
//!   badly: `" 2020-01-01"` and `"2020-01-01 "` are invalid `xs:date`s, and an `xs:dateTime`
//!   may only have trailing whitespace after an explicit timezone.
//! * `decimal`: `[+-]?(\d+(\.\d*)?|\.\d+)`, but libxml2 keeps at most 24 digits (leading zeros
//!   of the integer part excluded, every fraction digit included): more digits are invalid,
//!   even trailing zeros. `integer` and `positiveInteger` likewise allow 24 significant digits;
//!   `positiveInteger` accepts a leading `+` but rejects any `-`, even `-0`.
//! * `totalDigits`/`fractionDigits` count libxml2's digits: leading zeros of the integer part
//!   and trailing zeros of the fraction are ignored, leading zeros of a fraction count
//!   (`0.05` has 2 total digits), zero has 1.
//! * `date`/`dateTime`: `-?YYYY-MM-DD` (at least 4 year digits, no leading zero beyond 4, no
//!   year 0, no `+`), real calendar days (leap years as libxml2 computes them, also for
//!   negative years), optional timezone `Z` or `±hh:mm` with hh <= 23 and the offset within
//!   ±14:00; times `hh:mm:ss(.s+)?` with `24:00:00` allowed; the fractional seconds are summed
//!   in floating point as libxml2 does, so `59.9999999999999999999` becomes 60 and is invalid.
//! * Date comparisons follow libxml2's algorithm: values with a timezone are moved to UTC
//!   (including its off-by-one-minute carry when fractional seconds cross a minute), values
//!   without one are compared as if in UTC, and a mixed comparison that comes out equal is
//!   "indeterminate", which fails every bound (`2050-01-01Z` is not <= `2050-01-01`).
//!   Years beyond ±25200470046050753 make libxml2 fail with an internal error: invalid here.
//! * `base64Binary`: libxml2 ignores every character outside the base64 alphabet (spaces,
//!   punctuation, non-ASCII); the `=` padding and the unused bits of the last group are
//!   checked; length facets count decoded octets.
//! * Length facets on strings count characters (Unicode scalar values).
//! * Enumerations compare in the value space of the built-in (`1.0` equals `1` for decimals,
//!   exact string equality for strings); only the most derived step with an enumeration is
//!   used, as libxml2 does. Patterns of one step are ORed, steps are ANDed.
//! * A union accepts a value when any member does.

use crate::fnv::Fnv;
use crate::schema::model::{Builtin, Facets, Model, SimpleType, TypeId, Variety};
use crate::validate::xsd_regex;
use regex::Regex;
use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};

/// Compiled checks for every type of a model.
pub struct ValueChecker {
    types: Vec<TypeCheck>,
}

enum TypeCheck {
    Atomic(Box<Atomic>),
    Union(Vec<TypeId>),
}

/// The facets of all derivation steps of an atomic type, merged the way libxml2 applies them.
struct Atomic {
    builtin: Builtin,
    /// Whether libxml2 collapses whitespace before checking (see the module documentation).
    collapse: bool,
    enumeration: Option<Enumeration>,
    /// One entry per derivation step with patterns: a value must match one regex of each.
    patterns: Vec<Vec<(Regex, String)>>,
    length: Option<u32>,
    min_length: Option<u32>,
    max_length: Option<u32>,
    bounds: Vec<Bound>,
    total_digits: Option<u32>,
    fraction_digits: Option<u32>,
}

/// A set of string codes, looked up on every coded value. Most NEMSIS codes are at most eight
/// bytes (`9914001`), so those are kept as words in a sorted array: a lookup packs the value
/// and binary-searches, with no hashing of bytes and no string compare; longer codes go to a
/// hash set.
#[derive(Debug, Default)]
struct Codes {
    short: Vec<u64>,
    long: HashSet<Box<str>, Fnv>,
}

impl Codes {
    /// A string of at most eight bytes, none of them NUL, as one word: zero-padded, so the
    /// word tells such strings apart (their length is where the zeros begin).
    fn word(s: &str) -> Option<u64> {
        let b = s.as_bytes();
        if b.len() > 8 || b.contains(&0) {
            return None;
        }
        let mut w = [0u8; 8];
        w[..b.len()].copy_from_slice(b);
        Some(u64::from_le_bytes(w))
    }

    fn contains(&self, s: &str) -> bool {
        match Codes::word(s) {
            Some(w) => self.short.binary_search(&w).is_ok(),
            None => self.long.contains(s),
        }
    }
}

impl<'a> FromIterator<&'a str> for Codes {
    fn from_iter<I: IntoIterator<Item = &'a str>>(codes: I) -> Codes {
        let mut set = Codes::default();
        for c in codes {
            match Codes::word(c) {
                Some(w) => set.short.push(w),
                None => {
                    set.long.insert(c.into());
                }
            }
        }
        set.short.sort_unstable();
        set.short.dedup();
        set
    }
}

enum Enumeration {
    /// `string`-derived types: exact equality.
    Strings(Codes),
    /// Numbers and dates: equality in the value space.
    Values(Vec<Parsed>),
    /// base64Binary: libxml2 compares the base64 characters.
    Base64(Vec<String>),
}

struct Bound {
    kind: BoundKind,
    value: Parsed,
    lexical: String,
}

#[derive(Clone, Copy, PartialEq)]
enum BoundKind {
    MinInclusive,
    MinExclusive,
    MaxInclusive,
    MaxExclusive,
}

/// A value in the value space of its built-in.
#[derive(Clone)]
enum Parsed {
    /// `string`: nothing to keep.
    Text,
    Number(Decimal),
    Moment(Moment),
    /// `base64Binary`: the decoded length in octets.
    Binary { octets: u32 },
}

impl ValueChecker {
    /// Compile every pattern of the model up front; Err names the type and pattern that
    /// cannot be translated (or a facet that does not apply to its built-in).
    pub fn new(model: &Model) -> Result<ValueChecker, String> {
        check_unions(model)?;
        let mut regexes: HashMap<String, Regex> = HashMap::new();
        let mut types = Vec::with_capacity(model.types.len());
        for (id, ty) in model.types.iter().enumerate() {
            let check = match &ty.variety {
                Variety::Union { members } => TypeCheck::Union(members.clone()),
                Variety::Atomic { builtin, facets } => {
                    let atomic = Atomic::new(*builtin, facets, &mut regexes)
                        .map_err(|e| format!("type {}: {e}", type_name(ty, id)))?;
                    TypeCheck::Atomic(Box::new(atomic))
                }
            };
            types.push(check);
        }
        Ok(ValueChecker { types })
    }

    /// Ok(()) if `raw` (the element's or attribute's text exactly as in the document, after
    /// entity unescaping) is valid for type `ty`; Err(message) otherwise.
    pub fn check(&self, model: &Model, ty: TypeId, raw: &str) -> Result<(), String> {
        debug_assert_eq!(model.types.len(), self.types.len(), "checker built for another model");
        if self.accepts(ty, raw, false) {
            return Ok(());
        }
        Err(self.message(ty, raw, false))
    }

    /// The verdict alone (no allocation unless whitespace has to be collapsed).
    fn accepts(&self, ty: TypeId, raw: &str, in_union: bool) -> bool {
        match &self.types[ty as usize] {
            TypeCheck::Atomic(atomic) => atomic.check(raw, in_union).is_ok(),
            // libxml2 always collapses whitespace for union members.
            TypeCheck::Union(members) => members.iter().any(|&m| self.accepts(m, raw, true)),
        }
    }

    /// Why `raw` is not valid for `ty` (only called when it is not).
    fn message(&self, ty: TypeId, raw: &str, in_union: bool) -> String {
        match &self.types[ty as usize] {
            TypeCheck::Atomic(atomic) => match atomic.check(raw, in_union) {
                Err(failure) => atomic.describe(failure, raw),
                Ok(()) => format!("{} is not valid", quoted(raw)),
            },
            TypeCheck::Union(members) => {
                // Members failing alike (typically "not an allowed code") give one message.
                let mut messages: Vec<String> = Vec::new();
                for &m in members {
                    let e = self.message(m, raw, true);
                    if !messages.contains(&e) {
                        messages.push(e);
                    }
                }
                if messages.is_empty() {
                    return not_allowed(raw);
                }
                messages.join("; ")
            }
        }
    }
}

/// Refuse union members that are out of range or contain their union (which would make
/// the checks loop).
fn check_unions(model: &Model) -> Result<(), String> {
    fn visit(model: &Model, ty: TypeId, path: &mut Vec<TypeId>) -> Result<(), String> {
        let Some(t) = model.types.get(ty as usize) else {
            return Err(format!("union member #{ty} does not exist"));
        };
        if let Variety::Union { members } = &t.variety {
            if path.contains(&ty) {
                return Err(format!("union type {} contains itself", type_name(t, ty as usize)));
            }
            path.push(ty);
            for &m in members {
                visit(model, m, path)?;
            }
            path.pop();
        }
        Ok(())
    }
    (0..model.types.len() as TypeId).try_for_each(|ty| visit(model, ty, &mut Vec::new()))
}

/// Why a value failed, without building the message (see [`Atomic::describe`]).
#[derive(Clone, Copy, Debug)]
enum Failure {
    /// Not in the lexical space of the built-in.
    Lexical,
    NotAllowed,
    Length,
    /// The index of the pattern step that did not match.
    Pattern(usize),
    /// The index of the bound that failed.
    Bound(usize),
    TotalDigits,
    FractionDigits,
}

fn not_allowed(raw: &str) -> String {
    format!("{} is not an allowed code", quoted(raw))
}

fn type_name(ty: &SimpleType, id: usize) -> String {
    match &ty.name {
        Some(n) => format!("'{n}'"),
        None => format!("#{id} (anonymous)"),
    }
}

/// The value in single quotes for a message (very long values are shortened).
fn quoted(value: &str) -> String {
    const MAX: usize = 200;
    match value.char_indices().nth(MAX) {
        None => format!("'{value}'"),
        Some((cut, _)) => format!("'{}…'", &value[..cut]),
    }
}

impl Atomic {
    fn new(builtin: Builtin, steps: &[Facets], regexes: &mut HashMap<String, Regex>) -> Result<Atomic, String> {
        let mut a = Atomic {
            builtin,
            collapse: false,
            enumeration: None,
            patterns: Vec::new(),
            length: None,
            min_length: None,
            max_length: None,
            bounds: Vec::new(),
            total_digits: None,
            fraction_digits: None,
        };
        let numeric = matches!(builtin, Builtin::Decimal | Builtin::Integer | Builtin::PositiveInteger);
        let ordered = numeric || matches!(builtin, Builtin::Date | Builtin::DateTime);
        let has_length = matches!(builtin, Builtin::String | Builtin::Base64Binary);
        for f in steps {
            if !f.patterns.is_empty() || !f.enumeration.is_empty() {
                a.collapse = builtin != Builtin::String;
            }
            if !f.patterns.is_empty() {
                let mut step = Vec::new();
                for p in &f.patterns {
                    let re = match regexes.get(p) {
                        Some(re) => re.clone(),
                        None => {
                            let re = xsd_regex::compile(p).map_err(|e| format!("pattern '{p}': {e}"))?;
                            regexes.insert(p.clone(), re.clone());
                            re
                        }
                    };
                    step.push((re, p.clone()));
                }
                a.patterns.push(step);
            }
            // Only the most derived enumeration counts (libxml2; the others contain it).
            if a.enumeration.is_none() && !f.enumeration.is_empty() {
                let mut values = Vec::new();
                for c in &f.enumeration {
                    let v = parse(builtin, &collapse(&c.code));
                    values.push(v.ok_or_else(|| format!("enumeration value '{}' is not a valid xs:{}", c.code, builtin.xsd_name()))?);
                }
                a.enumeration = Some(match builtin {
                    Builtin::String => {
                        Enumeration::Strings(f.enumeration.iter().map(|c| c.code.as_str()).collect())
                    }
                    Builtin::Base64Binary => Enumeration::Base64(f.enumeration.iter().map(|c| c.code.clone()).collect()),
                    _ => Enumeration::Values(values),
                });
            }
            if f.length.is_some() || f.min_length.is_some() || f.max_length.is_some() {
                if !has_length {
                    return Err(format!("length facets do not apply to xs:{}", builtin.xsd_name()));
                }
                if let Some(l) = f.length {
                    if a.length.is_some_and(|x| x != l) {
                        return Err("conflicting length facets".into());
                    }
                    a.length = Some(l);
                }
                a.min_length = a.min_length.max(f.min_length);
                a.max_length = min_opt(a.max_length, f.max_length);
            }
            for (kind, lexical) in [
                (BoundKind::MinInclusive, &f.min_inclusive),
                (BoundKind::MinExclusive, &f.min_exclusive),
                (BoundKind::MaxInclusive, &f.max_inclusive),
                (BoundKind::MaxExclusive, &f.max_exclusive),
            ] {
                let Some(lexical) = lexical else { continue };
                if !ordered {
                    return Err(format!("bounds do not apply to xs:{}", builtin.xsd_name()));
                }
                let value = parse(builtin, &collapse(lexical))
                    .ok_or_else(|| format!("bound '{lexical}' is not a valid xs:{}", builtin.xsd_name()))?;
                a.bounds.push(Bound { kind, value, lexical: lexical.clone() });
            }
            if f.total_digits.is_some() || f.fraction_digits.is_some() {
                if !numeric {
                    return Err(format!("digit facets do not apply to xs:{}", builtin.xsd_name()));
                }
                a.total_digits = min_opt(a.total_digits, f.total_digits);
                a.fraction_digits = min_opt(a.fraction_digits, f.fraction_digits);
            }
        }
        Ok(a)
    }

    fn check(&self, raw: &str, in_union: bool) -> Result<(), Failure> {
        let value: Cow<str> = if self.builtin != Builtin::String && (self.collapse || in_union) {
            collapse(raw)
        } else {
            Cow::Borrowed(raw)
        };
        let parsed = parse(self.builtin, &value).ok_or(Failure::Lexical)?;
        let allowed = match &self.enumeration {
            None => true,
            Some(Enumeration::Strings(codes)) => codes.contains(&*value),
            Some(Enumeration::Values(values)) => values.iter().any(|v| compare(&parsed, v) == Cmp::Equal),
            Some(Enumeration::Base64(codes)) => codes.iter().any(|c| base64_chars_eq(c, &value)),
        };
        if !allowed {
            return Err(Failure::NotAllowed);
        }
        if self.length.is_some() || self.min_length.is_some() || self.max_length.is_some() {
            let len = self.measure(&value, &parsed);
            let short = self.length.is_some_and(|l| len != l as u64) || self.min_length.is_some_and(|m| len < m as u64);
            if short || self.max_length.is_some_and(|m| len > m as u64) {
                return Err(Failure::Length);
            }
        }
        for (i, step) in self.patterns.iter().enumerate() {
            if !step.iter().any(|(re, _)| re.is_match(&value)) {
                return Err(Failure::Pattern(i));
            }
        }
        for (i, b) in self.bounds.iter().enumerate() {
            let cmp = compare(&parsed, &b.value);
            let ok = match b.kind {
                BoundKind::MinInclusive => matches!(cmp, Cmp::Greater | Cmp::Equal),
                BoundKind::MinExclusive => cmp == Cmp::Greater,
                BoundKind::MaxInclusive => matches!(cmp, Cmp::Less | Cmp::Equal),
                BoundKind::MaxExclusive => cmp == Cmp::Less,
            };
            if !ok {
                return Err(Failure::Bound(i));
            }
        }
        if let Parsed::Number(d) = &parsed {
            if self.fraction_digits.is_some_and(|f| d.fraction_digits() > f) {
                return Err(Failure::FractionDigits);
            }
            if self.total_digits.is_some_and(|t| d.total_digits() > t) {
                return Err(Failure::TotalDigits);
            }
        }
        Ok(())
    }

    /// The length the length facets constrain: octets for base64Binary, characters else.
    fn measure(&self, value: &str, parsed: &Parsed) -> u64 {
        match parsed {
            Parsed::Binary { octets } => *octets as u64,
            _ => value.chars().count() as u64,
        }
    }

    /// The message for a failure of `raw`.
    fn describe(&self, failure: Failure, raw: &str) -> String {
        let v = quoted(raw);
        match failure {
            Failure::Lexical => format!("{v} {}", lexical_message(self.builtin)),
            Failure::NotAllowed => not_allowed(raw),
            Failure::Length => {
                let value = if self.builtin != Builtin::String && self.collapse { collapse(raw) } else { Cow::Borrowed(raw) };
                let parsed = parse(self.builtin, &value).unwrap_or(Parsed::Text);
                let len = self.measure(&value, &parsed);
                let unit = if matches!(parsed, Parsed::Binary { .. }) { "byte" } else { "character" };
                let units = |n: u32| if n == 1 { unit.to_string() } else { format!("{unit}s") };
                match (self.length, self.min_length, self.max_length) {
                    (Some(l), _, _) if len != l as u64 => format!("{v} must be exactly {l} {} long", units(l)),
                    (_, Some(m), _) if len < m as u64 => format!("{v} is too short (at least {m} {})", units(m)),
                    (_, _, Some(m)) => format!("{v} is too long (at most {m} {})", units(m)),
                    _ => format!("{v} has the wrong length"),
                }
            }
            Failure::Pattern(i) => {
                let formats: Vec<&str> = self.patterns[i].iter().map(|(_, p)| p.as_str()).collect();
                format!("{v} does not match the required format {}", formats.join(" or "))
            }
            Failure::Bound(i) => {
                let b = &self.bounds[i];
                let dated = matches!(self.builtin, Builtin::Date | Builtin::DateTime);
                let (low, high) = if dated { ("earlier than", "later than") } else { ("below", "above") };
                let l = &b.lexical;
                match b.kind {
                    BoundKind::MinInclusive => format!("{v} is {low} the minimum {l}"),
                    BoundKind::MinExclusive => format!("{v} must be {high} {l}"),
                    BoundKind::MaxInclusive => format!("{v} is {high} the maximum {l}"),
                    BoundKind::MaxExclusive => format!("{v} must be {low} {l}"),
                }
            }
            Failure::TotalDigits => format!("{v} has more than {} digits", self.total_digits.unwrap_or(0)),
            Failure::FractionDigits => match self.fraction_digits.unwrap_or(0) {
                0 => format!("{v} must be a whole number"),
                1 => format!("{v} has more than 1 decimal place"),
                f => format!("{v} has more than {f} decimal places"),
            },
        }
    }
}

fn lexical_message(builtin: Builtin) -> &'static str {
    match builtin {
        Builtin::String => "is not a valid string",
        Builtin::Decimal => "is not a number",
        Builtin::Integer => "is not a whole number",
        Builtin::PositiveInteger => "is not a positive whole number",
        Builtin::Date => "is not a valid date (YYYY-MM-DD)",
        Builtin::DateTime => "is not a valid date and time (YYYY-MM-DDThh:mm:ss with an optional timezone)",
        Builtin::Base64Binary => "is not valid base64 data",
    }
}

fn min_opt(a: Option<u32>, b: Option<u32>) -> Option<u32> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

/// XML whitespace (what XSD's whiteSpace facet and libxml2 treat as blanks).
fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// whiteSpace="collapse": trim, and reduce inner runs of whitespace to one space.
/// Borrows when there is nothing to change.
fn collapse(s: &str) -> Cow<'_, str> {
    let b = s.as_bytes();
    let needs = b.first().is_some_and(|&c| is_ws(c))
        || b.last().is_some_and(|&c| is_ws(c))
        || b.windows(2).any(|w| is_ws(w[0]) && (is_ws(w[1]) || w[0] != b' '));
    if !needs {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    for word in s.split(|c: char| c.is_ascii() && is_ws(c as u8)).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    Cow::Owned(out)
}

/// Parse `value` in the lexical space of `builtin`, as libxml2 does (with its on-the-fly
/// whitespace handling; see the module documentation).
fn parse(builtin: Builtin, value: &str) -> Option<Parsed> {
    let b = value.as_bytes();
    match builtin {
        Builtin::String => Some(Parsed::Text),
        Builtin::Decimal => parse_decimal(b).map(Parsed::Number),
        Builtin::Integer => parse_integer(b).map(|(_, d)| Parsed::Number(d)),
        Builtin::PositiveInteger => match parse_integer(b) {
            Some((false, d)) if !d.is_zero() => Some(Parsed::Number(d)),
            _ => None,
        },
        Builtin::Date => parse_moment(b, false).map(Parsed::Moment),
        Builtin::DateTime => parse_moment(b, true).map(Parsed::Moment),
        Builtin::Base64Binary => parse_base64(b).map(|octets| Parsed::Binary { octets }),
    }
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Cmp {
    Less,
    Equal,
    Greater,
    /// libxml2's "indeterminate" (or its internal error): fails every bound and equality.
    Unordered,
}

fn compare(a: &Parsed, b: &Parsed) -> Cmp {
    match (a, b) {
        (Parsed::Number(x), Parsed::Number(y)) => match x.cmp(y) {
            Ordering::Less => Cmp::Less,
            Ordering::Equal => Cmp::Equal,
            Ordering::Greater => Cmp::Greater,
        },
        (Parsed::Moment(x), Parsed::Moment(y)) => compare_moments(x, y),
        _ => Cmp::Unordered,
    }
}

// ---------------------------------------------------------------------------------------
// Decimals and integers

/// A decimal as libxml2 keeps it: at most 24 significant digits.
#[derive(Clone, Copy, Debug)]
struct Decimal {
    negative: bool,
    /// The digits without the leading zeros of the integer part and without the trailing
    /// zeros of the fraction (empty for zero).
    digits: [u8; 24],
    len: u8,
    /// How many of `digits` are before the decimal point.
    int_len: u8,
}

impl Decimal {
    fn is_zero(&self) -> bool {
        self.len == 0
    }
    fn digits(&self) -> &[u8] {
        &self.digits[..self.len as usize]
    }
    /// libxml2's `total`: the kept digits, 1 for zero.
    fn total_digits(&self) -> u32 {
        (self.len as u32).max(1)
    }
    fn fraction_digits(&self) -> u32 {
        (self.len - self.int_len) as u32
    }
    /// Exact numeric comparison (libxml2's is exact too).
    fn cmp(&self, other: &Decimal) -> Ordering {
        let sign = |d: &Decimal| if d.is_zero() { 0 } else if d.negative { -1 } else { 1 };
        let (sa, sb) = (sign(self), sign(other));
        if sa != sb {
            return sa.cmp(&sb);
        }
        let magnitude = self
            .int_len
            .cmp(&other.int_len)
            .then_with(|| {
                // Same number of integer digits: compare digit by digit, the shorter
                // padded with zeros (there are no trailing zeros, so longer means larger).
                let (x, y) = (self.digits(), other.digits());
                let n = x.len().max(y.len());
                (0..n)
                    .map(|i| x.get(i).copied().unwrap_or(0).cmp(&y.get(i).copied().unwrap_or(0)))
                    .find(|o| o.is_ne())
                    .unwrap_or(Ordering::Equal)
            });
        if sa < 0 {
            magnitude.reverse()
        } else {
            magnitude
        }
    }
}

/// xs:decimal as libxml2 parses it (leading/trailing whitespace skipped, at most 24 digits).
fn parse_decimal(s: &[u8]) -> Option<Decimal> {
    if s.is_empty() {
        return None;
    }
    let mut i = 0;
    while i < s.len() && is_ws(s[i]) {
        i += 1;
    }
    let mut d = Decimal { negative: false, digits: [0; 24], len: 0, int_len: 0 };
    match s.get(i) {
        Some(b'-') => {
            d.negative = true;
            i += 1;
        }
        Some(b'+') => i += 1,
        _ => {}
    }
    if i >= s.len() {
        return None;
    }
    let mut leading_zeros = false;
    while s.get(i) == Some(&b'0') {
        i += 1;
        leading_zeros = true;
    }
    let mut len = 0usize;
    let mut point: Option<usize> = None;
    // libxml2 copies at most 24 digits into a fixed buffer and stops; whatever is left
    // over makes the value invalid.
    while i < s.len() && len < 24 {
        match s[i] {
            c @ b'0'..=b'9' => {
                d.digits[len] = c - b'0';
                len += 1;
                i += 1;
            }
            b'.' => {
                i += 1;
                point = Some(len);
                while i < s.len() && s[i].is_ascii_digit() {
                    d.digits[len] = s[i] - b'0';
                    len += 1;
                    i += 1;
                    if len >= 24 {
                        break;
                    }
                }
                if len == 0 && !leading_zeros {
                    return None; // "." alone (but "0." is fine)
                }
                break;
            }
            _ => break,
        }
    }
    while i < s.len() && is_ws(s[i]) {
        i += 1;
    }
    if i != s.len() {
        return None;
    }
    let int_len = point.unwrap_or(len);
    // Drop the trailing zeros of the fraction.
    while len > int_len && d.digits[len - 1] == 0 {
        len -= 1;
    }
    d.len = len as u8;
    d.int_len = int_len as u8;
    Some(d)
}

/// xs:integer as libxml2 parses it; returns whether a '-' sign was present.
fn parse_integer(s: &[u8]) -> Option<(bool, Decimal)> {
    let mut i = 0;
    while i < s.len() && is_ws(s[i]) {
        i += 1;
    }
    let mut d = Decimal { negative: false, digits: [0; 24], len: 0, int_len: 0 };
    match s.get(i) {
        Some(b'-') => {
            d.negative = true;
            i += 1;
        }
        Some(b'+') => i += 1,
        _ => {}
    }
    if !s.get(i).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    while s.get(i) == Some(&b'0') {
        i += 1;
    }
    let start = i;
    while i < s.len() && s[i].is_ascii_digit() {
        i += 1;
    }
    if i - start > 24 {
        return None;
    }
    for (k, &c) in s[start..i].iter().enumerate() {
        d.digits[k] = c - b'0';
    }
    d.len = (i - start) as u8;
    d.int_len = d.len;
    while i < s.len() && is_ws(s[i]) {
        i += 1;
    }
    if i != s.len() {
        return None;
    }
    Some((d.negative, d))
}

// ---------------------------------------------------------------------------------------
// Dates and date-times

/// A date or date-time as libxml2 keeps it.
#[derive(Clone, Copy, Debug)]
struct Moment {
    year: i64,
    mon: u32,
    day: u32,
    hour: u32,
    min: u32,
    sec: f64,
    tz_flag: bool,
    /// Timezone offset in minutes.
    tzo: i32,
}

const DAYS_IN_MONTH: [u32; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const DAYS_IN_MONTH_LEAP: [u32; 12] = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const DAYS_BEFORE_MONTH: [i64; 12] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];
const DAYS_BEFORE_MONTH_LEAP: [i64; 12] = [0, 31, 60, 91, 121, 152, 182, 213, 244, 274, 305, 335];

// libxml2's leap-year rule is the Gregorian one, applied as is to negative years too.
use crate::calendar::is_leap;

fn days_in_month(y: i64, m: u32) -> u32 {
    if is_leap(y) {
        DAYS_IN_MONTH_LEAP[m as usize - 1]
    } else {
        DAYS_IN_MONTH[m as usize - 1]
    }
}

fn two_digits(s: &[u8], i: usize) -> Option<u32> {
    match (s.get(i), s.get(i + 1)) {
        (Some(a @ b'0'..=b'9'), Some(b @ b'0'..=b'9')) => Some(((a - b'0') * 10 + (b - b'0')) as u32),
        _ => None,
    }
}

fn valid_time(t: &Moment) -> bool {
    let normal = t.hour <= 23 && t.min <= 59 && t.sec >= 0.0 && t.sec < 60.0;
    let end_of_day = t.hour == 24 && t.min == 0 && t.sec == 0.0;
    (normal || end_of_day) && (-840..=840).contains(&t.tzo)
}

/// `hh:mm:ss(.s+)?` at `i`; returns the position after it.
fn parse_time(s: &[u8], i: usize, t: &mut Moment) -> Option<usize> {
    let hour = two_digits(s, i)?;
    if s.get(i + 2) != Some(&b':') || (hour > 23 && hour != 24) {
        return None;
    }
    t.hour = hour;
    let min = two_digits(s, i + 3)?;
    if min > 59 {
        return None;
    }
    t.min = min;
    if s.get(i + 5) != Some(&b':') {
        return None;
    }
    let mut j = i + 6;
    let mut sec = two_digits(s, j)? as f64;
    j += 2;
    if s.get(j) == Some(&b'.') {
        j += 1;
        if !s.get(j).is_some_and(u8::is_ascii_digit) {
            return None;
        }
        // Summed in floating point exactly like libxml2 (PARSE_FLOAT).
        let mut mult = 1.0f64;
        while let Some(c @ b'0'..=b'9') = s.get(j) {
            mult /= 10.0;
            sec += (c - b'0') as f64 * mult;
            j += 1;
        }
    }
    t.sec = sec;
    if !valid_time(t) {
        return None;
    }
    Some(j)
}

/// Timezone at `i` (nothing, `Z` or `±hh:mm`); returns the position after it.
fn parse_timezone(s: &[u8], i: usize, t: &mut Moment) -> Option<usize> {
    match s.get(i) {
        None => {
            t.tz_flag = false;
            t.tzo = 0;
            Some(i)
        }
        Some(b'Z') => {
            t.tz_flag = true;
            t.tzo = 0;
            Some(i + 1)
        }
        Some(&sign @ (b'+' | b'-')) => {
            let h = two_digits(s, i + 1)?;
            if h > 23 || s.get(i + 3) != Some(&b':') {
                return None;
            }
            let m = two_digits(s, i + 4)?;
            if m > 59 {
                return None;
            }
            let tzo = (h * 60 + m) as i32;
            let tzo = if sign == b'-' { -tzo } else { tzo };
            if !(-840..=840).contains(&tzo) {
                return None;
            }
            t.tzo = tzo;
            t.tz_flag = true;
            Some(i + 6)
        }
        Some(_) => None,
    }
}

fn is_tz_start(s: &[u8], i: usize) -> bool {
    matches!(s.get(i), None | Some(b'Z' | b'+' | b'-'))
}

/// xs:date (`with_time` false) or xs:dateTime, as libxml2's xmlSchemaValidateDates parses
/// them, whitespace quirks included: leading whitespace is skipped for a first attempt as
/// xs:time only, then the date is parsed from the very beginning again.
fn parse_moment(s: &[u8], with_time: bool) -> Option<Moment> {
    let mut t = Moment { year: 0, mon: 0, day: 0, hour: 0, min: 0, sec: 0.0, tz_flag: false, tzo: 0 };
    // A value starting with "--" is a gMonth/gDay/gMonthDay, and one of the form
    // "hh:mm:ss" an xs:time: both the wrong type here. A date cannot start like a time
    // ("dd:"), so the time attempt never succeeds on a date; skip it.
    let mut i = 0;
    // Year: optional '-', at least 4 digits, no leading zero beyond 4 digits, not 0.
    let negative = s.first() == Some(&b'-');
    if negative {
        i += 1;
    }
    let first = i;
    let mut year: i64 = 0;
    while let Some(c @ b'0'..=b'9') = s.get(i) {
        let digit = (c - b'0') as i64;
        year = year.checked_mul(10)?.checked_add(digit)?;
        i += 1;
    }
    let count = i - first;
    if count < 4 || (count > 4 && s[first] == b'0') {
        return None;
    }
    t.year = if negative { -year } else { year };
    if t.year == 0 {
        return None;
    }
    if s.get(i) != Some(&b'-') {
        return None;
    }
    t.mon = two_digits(s, i + 1)?;
    if !(1..=12).contains(&t.mon) {
        return None;
    }
    i += 3;
    if s.get(i) != Some(&b'-') {
        return None;
    }
    t.day = two_digits(s, i + 1)?;
    i += 3;
    if !(1..=31).contains(&t.day) || t.day > days_in_month(t.year, t.mon) {
        return None;
    }
    if !with_time {
        // xs:date: an optional timezone, then the end (no trailing whitespace skipping).
        if !is_tz_start(s, i) {
            return None;
        }
        let end = parse_timezone(s, i, &mut t)?;
        return (end == s.len()).then_some(t);
    }
    if s.get(i) != Some(&b'T') {
        return None;
    }
    i = parse_time(s, i + 1, &mut t)?;
    let mut end = parse_timezone(s, i, &mut t)?;
    while end < s.len() && is_ws(s[end]) {
        end += 1;
    }
    (end == s.len()).then_some(t)
}

/// libxml2's FQUOTIENT and MODULO (on doubles).
fn fquotient(a: f64, b: f64) -> f64 {
    (a / b).floor()
}
fn modulo(a: f64, b: f64) -> f64 {
    a - fquotient(a, b) * b
}
fn modulo_range(a: f64, lo: f64, hi: f64) -> f64 {
    modulo(a - lo, hi - lo) + lo
}
fn fquotient_range(a: f64, lo: f64, hi: f64) -> f64 {
    fquotient(a - lo, hi - lo)
}

/// libxml2's xmlSchemaDateNormalize: a value with a non-zero offset is moved to UTC and
/// `offset` seconds earlier; a value with offset 0 (UTC or no timezone) is left as is, the
/// offset being ignored then.
fn normalize_moment(t: &Moment, offset: f64) -> Moment {
    if t.tzo == 0 {
        return *t;
    }
    add_seconds(t, -offset)
}

/// libxml2's _xmlSchemaDateAdd for a duration of `seconds` only, including its carry from
/// seconds to minutes computed on the truncated (not floored) seconds.
fn add_seconds(d: &Moment, seconds: f64) -> Moment {
    let u_sec = seconds - (d.tzo as f64 * 60.0);
    let mut r = Moment { tzo: 0, ..*d };
    let mut sec = d.sec + u_sec;
    let mut carry = fquotient((sec as i64) as f64, 60.0) as i64;
    if sec != 0.0 {
        sec = modulo(sec, 60.0);
    }
    r.sec = sec;
    carry += d.min as i64;
    r.min = modulo(carry as f64, 60.0) as u32;
    carry = fquotient(carry as f64, 60.0) as i64;
    carry += d.hour as i64;
    r.hour = modulo(carry as f64, 24.0) as u32;
    carry = fquotient(carry as f64, 24.0) as i64;
    let mut tempdays: i64 = d.day.min(days_in_month(r.year, r.mon)).max(1) as i64;
    tempdays += carry;
    loop {
        let step;
        if tempdays < 1 {
            let tmon = (modulo_range(r.mon as f64 - 1.0, 1.0, 13.0) as i64).clamp(1, 12) as u32;
            let mut tyr = r.year + fquotient_range(r.mon as f64 - 1.0, 1.0, 13.0) as i64;
            if tyr == 0 {
                tyr -= 1;
            }
            tempdays += days_in_month(tyr, tmon) as i64;
            step = -1;
        } else if tempdays > days_in_month(r.year, r.mon) as i64 {
            tempdays -= days_in_month(r.year, r.mon) as i64;
            step = 1;
        } else {
            break;
        }
        let temp = r.mon as i64 + step;
        r.mon = modulo_range(temp as f64, 1.0, 13.0) as u32;
        r.year += fquotient_range(temp as f64, 1.0, 13.0) as i64;
        if r.year == 0 {
            r.year = if temp < 1 { -1 } else { 1 };
        }
    }
    r.day = tempdays as u32;
    r
}

/// Days before the first day of the month (libxml2's _xmlSchemaDateCastYMToDays).
fn days_before(t: &Moment) -> i64 {
    let m = t.mon.max(1) as usize - 1;
    let in_year = if is_leap(t.year) { DAYS_BEFORE_MONTH_LEAP[m] } else { DAYS_BEFORE_MONTH[m] };
    let y = if t.year <= 0 { t.year + 1 } else { t.year - 1 };
    let base = if t.year <= 0 { t.year * 365 } else { (t.year - 1) * 365 };
    base + (y / 4 - y / 100 + y / 400) + in_year
}

fn day_number(t: &Moment) -> i64 {
    days_before(t) + t.day as i64
}

fn time_number(t: &Moment) -> f64 {
    (t.hour as i64 * 3600 + t.min as i64 * 60 + t.tzo as i64 * 60) as f64 + t.sec
}

/// libxml2's xmlSchemaCompareDates for two values of the same type.
fn compare_moments(x: &Moment, y: &Moment) -> Cmp {
    const LIMIT: i64 = i64::MAX / 366;
    if [x.year, y.year].iter().any(|yr| !(i64::MIN / 366..=LIMIT).contains(yr)) {
        return Cmp::Unordered;
    }
    const H14: f64 = 14.0 * 3600.0;
    if x.tz_flag && !y.tz_flag {
        let p1 = normalize_moment(x, 0.0);
        let p1d = day_number(&p1);
        let q1 = normalize_moment(y, H14);
        let q1d = day_number(&q1);
        if p1d < q1d {
            return Cmp::Less;
        }
        if p1d == q1d {
            if time_number(&p1) - time_number(&q1) < 0.0 {
                return Cmp::Less;
            }
            let q2 = normalize_moment(y, -H14);
            let q2d = day_number(&q2);
            if p1d > q2d {
                return Cmp::Greater;
            }
            if p1d == q2d {
                return if time_number(&p1) - time_number(&q2) > 0.0 { Cmp::Greater } else { Cmp::Unordered };
            }
        }
    } else if !x.tz_flag && y.tz_flag {
        let q1 = normalize_moment(y, 0.0);
        let q1d = day_number(&q1);
        let p1 = normalize_moment(x, -H14);
        let p1d = day_number(&p1);
        if p1d < q1d {
            return Cmp::Less;
        }
        if p1d == q1d {
            if time_number(&p1) - time_number(&q1) < 0.0 {
                return Cmp::Less;
            }
            let p2 = normalize_moment(x, H14);
            let p2d = day_number(&p2);
            if p2d > q1d {
                return Cmp::Greater;
            }
            if p2d == q1d {
                return if time_number(&p2) - time_number(&q1) > 0.0 { Cmp::Greater } else { Cmp::Unordered };
            }
        }
    }
    let q1 = normalize_moment(y, 0.0);
    let p1 = normalize_moment(x, 0.0);
    let (p1d, q1d) = (day_number(&p1), day_number(&q1));
    if p1d != q1d {
        return if p1d < q1d { Cmp::Less } else { Cmp::Greater };
    }
    let sec = time_number(&p1) - time_number(&q1);
    if sec < 0.0 {
        Cmp::Less
    } else if sec > 0.0 {
        Cmp::Greater
    } else {
        Cmp::Equal
    }
}

// ---------------------------------------------------------------------------------------
// base64Binary

fn base64_digit(c: u8) -> Option<u8> {
    match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// xs:base64Binary as libxml2 checks it: characters outside the alphabet and '=' are
/// ignored; after the first '=' only '=' (and ignored characters) may follow; the padding
/// must fit the number of digits and the unused bits of the last digit must be zero.
/// Returns the decoded length in octets.
fn parse_base64(s: &[u8]) -> Option<u32> {
    let mut digits = 0u64;
    let mut pad = 0u64;
    let mut last_digit = 0u8;
    for &c in s {
        if c == b'=' {
            pad += 1;
        } else if let Some(v) = base64_digit(c) {
            if pad > 0 {
                return None;
            }
            digits += 1;
            last_digit = v;
        }
    }
    let mut octets = 3 * (digits / 4);
    match pad {
        0 if digits.is_multiple_of(4) => {}
        1 if digits % 4 == 3 && last_digit & !0x3c == 0 => octets += 2,
        2 if digits % 4 == 2 && last_digit & !0x30 == 0 => octets += 1,
        _ => return None,
    }
    Some(octets.min(u32::MAX as u64) as u32)
}

/// Whether two base64 values have the same base64 characters (libxml2 compares those,
/// ignoring everything outside the alphabet and '=').
fn base64_chars_eq(a: &str, b: &str) -> bool {
    let keep = |c: &u8| *c == b'=' || base64_digit(*c).is_some();
    a.bytes().filter(keep).eq(b.bytes().filter(keep))
}

#[cfg(test)]
mod tests {
    //! Expected verdicts come from xmllint 2.9.14 on small schemas (see the module doc).
    use super::*;
    use crate::schema::model::Code;

    #[test]
    fn code_sets_find_exactly_their_codes() {
        let list = ["", "1", "9914001", "99140011", "991400111", "S72.001A", "a-much-longer-code", "é"];
        let set: Codes = list.iter().copied().collect();
        for c in list {
            assert!(set.contains(c), "{c:?}");
        }
        for miss in ["9914002", "991400", "99140012", "9914001 ", "a-much-longer-cod", "a-much-longer-codf", "S72.001", "e", "\0", "1\0"] {
            assert!(!set.contains(miss), "{miss:?}");
        }
        assert_eq!(Codes::word("ab"), Some(u64::from_le_bytes(*b"ab\0\0\0\0\0\0")));
        assert_eq!(Codes::word("ab\0"), None);
        assert_eq!(Codes::word("123456789"), None);
    }

    fn facets() -> Facets {
        Facets::default()
    }

    fn codes(list: &[&str]) -> Vec<Code> {
        list.iter().map(|c| Code { code: c.to_string(), label: String::new() }).collect()
    }

    /// A model with one atomic type (id 0) of the given derivation steps (most derived first).
    fn one(builtin: Builtin, steps: Vec<Facets>) -> (Model, ValueChecker) {
        let model = model(vec![SimpleType { name: Some("T".into()), variety: Variety::Atomic { builtin, facets: steps } }]);
        let checker = ValueChecker::new(&model).expect("checker");
        (model, checker)
    }

    fn model(types: Vec<SimpleType>) -> Model {
        Model {
            version: "3.5.1".into(),
            dataset: "EMSDataSet".into(),
            namespace: crate::schema::model::NEMSIS_NS.into(),
            root: 0,
            elements: Vec::new(),
            types,
            lookup: Default::default(),
        }
    }

    /// Assert the verdict of every value (true = valid).
    fn verdicts(builtin: Builtin, steps: Vec<Facets>, cases: &[(&str, bool)]) {
        let (m, c) = one(builtin, steps);
        for &(v, ok) in cases {
            let got = c.check(&m, 0, v);
            assert_eq!(got.is_ok(), ok, "xs:{} {v:?}: {got:?}", builtin.xsd_name());
        }
    }

    fn message(builtin: Builtin, steps: Vec<Facets>, value: &str) -> String {
        let (m, c) = one(builtin, steps);
        c.check(&m, 0, value).expect_err("should be invalid")
    }

    #[test]
    fn string_enumeration_is_exact() {
        let f = Facets { enumeration: codes(&["123", "2205001"]), ..facets() };
        verdicts(Builtin::String, vec![f.clone()], &[("123", true), ("2205001", true), (" 123", false), ("123 ", false), ("", false), ("2205099", false)]);
        assert_eq!(message(Builtin::String, vec![f], "X99"), "'X99' is not an allowed code");
    }

    #[test]
    fn string_length_counts_characters() {
        let f = Facets { min_length: Some(3), max_length: Some(5), ..facets() };
        verdicts(Builtin::String, vec![f.clone()], &[("abc", true), ("ééé", true), ("ab", false), ("  ab", true), ("abcdef", false), ("", false)]);
        assert_eq!(message(Builtin::String, vec![f.clone()], "ab"), "'ab' is too short (at least 3 characters)");
        assert_eq!(message(Builtin::String, vec![f], "abcdef"), "'abcdef' is too long (at most 5 characters)");
        let exact = Facets { length: Some(2), ..facets() };
        verdicts(Builtin::String, vec![exact.clone()], &[("US", true), ("U", false), ("USA", false)]);
        assert_eq!(message(Builtin::String, vec![exact], "USA"), "'USA' must be exactly 2 characters long");
    }

    #[test]
    fn string_pattern_sees_whitespace() {
        let f = Facets { patterns: vec!["[0-9]{5}".into()], ..facets() };
        verdicts(Builtin::String, vec![f.clone()], &[("12345", true), (" 12345", false), ("1234", false)]);
        assert_eq!(
            message(Builtin::String, vec![f], "1234"),
            "'1234' does not match the required format [0-9]{5}"
        );
    }

    #[test]
    fn patterns_or_within_a_step_and_across_steps() {
        let derived = Facets { patterns: vec!["a.*".into(), "b.*".into()], ..facets() };
        let base = Facets { patterns: vec![".{2}".into()], ..facets() };
        verdicts(Builtin::String, vec![derived, base], &[("ax", true), ("bx", true), ("cx", false), ("abc", false)]);
    }

    #[test]
    fn only_the_most_derived_enumeration_applies() {
        let derived = Facets { enumeration: codes(&["A"]), ..facets() };
        let base = Facets { enumeration: codes(&["A", "B"]), ..facets() };
        verdicts(Builtin::String, vec![derived, base], &[("A", true), ("B", false)]);
    }

    #[test]
    fn decimal_lexical_space() {
        verdicts(
            Builtin::Decimal,
            vec![facets()],
            &[
                ("1", true), (" 1 ", true), ("1.", true), (".5", true), ("-.5", true), ("+1.5", true),
                ("00", true), ("-0", true), ("0.", true), ("- ", true), ("+ ", true),
                (".", false), ("+", false), ("-", false), ("", false), ("   ", false), ("1e3", false),
                ("1,5", false), ("- 5", false), ("1 2", false),
                // libxml2 keeps 24 digits, trailing zeros included
                ("123456789012345678901234", true), ("1234567890123456789012345", false),
                ("12345678901234567890123.4", true), ("12345678901234567890123.45", false),
                ("1.000000000000000000000000000", false), ("000000000000000000000000000001", true),
                ("0.000000000000000000000001", true),
            ],
        );
        assert_eq!(message(Builtin::Decimal, vec![facets()], "abc"), "'abc' is not a number");
        // With a pattern the value is collapsed first: "- " becomes "-", which is invalid.
        let p = Facets { patterns: vec![".*".into()], ..facets() };
        verdicts(Builtin::Decimal, vec![p], &[("- ", false), (" 1 ", true)]);
    }

    #[test]
    fn decimal_bounds_are_exact() {
        let f = Facets { max_inclusive: Some("999.9".into()), min_inclusive: Some("-1000".into()), ..facets() };
        verdicts(
            Builtin::Decimal,
            vec![f.clone()],
            &[
                ("999.9", true), ("999.90000000000000000001", false), ("999.900000000000000000000", true),
                ("0999.89999999999999999999", true), ("1000", false), ("-1000", true), ("-1000.0000001", false),
            ],
        );
        assert_eq!(message(Builtin::Decimal, vec![f.clone()], "1000"), "'1000' is above the maximum 999.9");
        assert_eq!(message(Builtin::Decimal, vec![f], "-1001"), "'-1001' is below the minimum -1000");
        let ex = Facets { min_exclusive: Some("0".into()), max_exclusive: Some("1".into()), ..facets() };
        verdicts(Builtin::Decimal, vec![ex.clone()], &[("0", false), ("-0", false), ("0.5", true), ("1", false), ("0.99999", true)]);
        assert_eq!(message(Builtin::Decimal, vec![ex], "1"), "'1' must be below 1");
    }

    #[test]
    fn digit_facets_count_like_libxml2() {
        let f = Facets { total_digits: Some(4), fraction_digits: Some(2), ..facets() };
        verdicts(
            Builtin::Decimal,
            vec![f.clone()],
            &[
                ("12.34", true), ("0012.3400", true), ("123.45", false), ("1.234", false), ("0.05", true),
                ("0.005", false), ("9999", true), ("99999", false), ("-0", true), ("0.0000", true),
            ],
        );
        assert_eq!(message(Builtin::Decimal, vec![f.clone()], "12.345"), "'12.345' has more than 2 decimal places");
        assert_eq!(message(Builtin::Decimal, vec![f], "12345"), "'12345' has more than 4 digits");
        let whole = Facets { fraction_digits: Some(0), ..facets() };
        verdicts(Builtin::Decimal, vec![whole.clone()], &[("5.0", true), ("5.1", false)]);
        assert_eq!(message(Builtin::Decimal, vec![whole], "5.1"), "'5.1' must be a whole number");
    }

    #[test]
    fn integers() {
        verdicts(
            Builtin::Integer,
            vec![facets()],
            &[
                ("-0", true), ("+0", true), ("007", true), ("\t7\n", true), ("-", false), ("1 2", false),
                ("1.", false), ("1.0", false), ("٣", false), ("", false), ("123456789012345678901234", true),
                ("1234567890123456789012345", false), ("000000000000000000000000000001", true),
            ],
        );
        verdicts(
            Builtin::PositiveInteger,
            vec![facets()],
            &[("1", true), ("+1", true), ("007", true), (" 5 ", true), ("0", false), ("-0", false), ("+0", false), ("00", false), ("-1", false), ("5.0", false)],
        );
        assert_eq!(message(Builtin::Integer, vec![facets()], "1.5"), "'1.5' is not a whole number");
        assert_eq!(message(Builtin::PositiveInteger, vec![facets()], "0"), "'0' is not a positive whole number");
    }

    #[test]
    fn numeric_enumerations_compare_values() {
        let f = Facets { enumeration: codes(&["1.50"]), ..facets() };
        verdicts(Builtin::Decimal, vec![f], &[("1.5", true), ("01.500", true), ("+1.5", true), (" 1.5", true), ("1.51", false)]);
        let i = Facets { enumeration: codes(&["1", "02"]), ..facets() };
        verdicts(Builtin::Integer, vec![i], &[("1", true), ("01", true), (" 1", true), ("+2", true), ("-0", false), ("1.0", false)]);
    }

    #[test]
    fn dates() {
        verdicts(
            Builtin::Date,
            vec![facets()],
            &[
                ("2020-01-01", true), ("2020-02-29", true), ("2000-02-29", true), ("2021-02-29", false),
                ("1900-02-29", false), ("2020-04-31", false), ("2020-13-01", false), ("2020-1-01", false),
                ("0000-01-01", false), ("-0001-01-01", true), ("-0004-02-29", true), ("-0001-02-29", false),
                ("+2020-01-01", false), ("12020-01-01", true), ("02020-01-01", false), ("-00001-01-01", false),
                ("2020-01-01Z", true), ("2020-01-01+14:00", true), ("2020-01-01-14:00", true),
                ("2020-01-01+14:01", false), ("2020-01-01+13:59", true), ("2020-01-01+15:00", false),
                ("2020-01-01+00:60", false), ("2020-01-01z", false), ("2020-01-01+0500", false),
                ("2020-01-01T00:00:00", false), ("99999999999999999999-01-01", false),
                // libxml2 skips no whitespace around an xs:date without pattern or enumeration
                (" 2020-01-01", false), ("2020-01-01 ", false), ("2020-01-01Z ", false), ("\n2020-01-01\n", false),
            ],
        );
        assert_eq!(message(Builtin::Date, vec![facets()], "2023-02-30"), "'2023-02-30' is not a valid date (YYYY-MM-DD)");
        // ... but with a pattern the value is collapsed first.
        let p = Facets { patterns: vec![".*".into()], ..facets() };
        verdicts(Builtin::Date, vec![p], &[(" 2020-01-01", true), ("2020-01-01Z ", true), ("\n2020-01-01\n", true), ("2021-02-29", false)]);
    }

    #[test]
    fn date_bounds_with_and_without_timezone() {
        let f = Facets { min_inclusive: Some("1890-01-01".into()), max_inclusive: Some("2050-01-01".into()), ..facets() };
        verdicts(
            Builtin::Date,
            vec![f.clone()],
            &[
                ("2050-01-01", true), ("2050-01-01Z", false), ("2050-01-01+01:00", true), ("2050-01-01-01:00", false),
                ("2050-01-02+14:00", false), ("1890-01-01", true), ("1890-01-01Z", false), ("1890-01-01-00:01", true),
                ("1890-01-01+00:01", false), ("1889-12-31-14:00", false), ("-0001-01-01", false),
                ("25200000000000000-01-01", false), ("99999999999999999-01-01", false),
            ],
        );
        assert_eq!(message(Builtin::Date, vec![f.clone()], "1880-01-01"), "'1880-01-01' is earlier than the minimum 1890-01-01");
        assert_eq!(message(Builtin::Date, vec![f], "2051-01-01"), "'2051-01-01' is later than the maximum 2050-01-01");
        let low = Facets { min_inclusive: Some("1890-01-01".into()), ..facets() };
        verdicts(Builtin::Date, vec![low], &[("25200000000000000-01-01", true), ("25300000000000000-01-01", false)]);
    }

    #[test]
    fn date_times() {
        verdicts(
            Builtin::DateTime,
            vec![facets()],
            &[
                ("2020-01-01T00:00:00", true), ("2020-01-01T24:00:00", true), ("2020-01-01T24:00:00.0", true),
                ("2020-01-01T24:00:01", false), ("2020-01-01T23:59:60", false), ("2020-01-01T23:59:59.5", true),
                ("2020-01-01T23:59:59.9999999999999999999", false), ("2020-01-01T23:59:59.", false),
                ("2020-01-01T1:00:00", false), ("2020-01-01T01:00", false), ("2020-01-01T01:60:00", false),
                ("2020-01-01T01:00:00+14:00", true), ("2020-01-01T01:00:00+14:01", false), ("2020-01-01T01:00:00-00:00", true),
                ("2020-01-01T01:00:00+24:00", false), ("9223372036854775807-01-01T00:00:00", true),
                ("9223372036854775808-01-01T00:00:00", false), ("2020-02-30T00:00:00", false), ("2020-01-01t00:00:00", false),
                ("2020-01-01T00:00:00.123456789012345678901234567890", true), ("2020-01-01T00:00:00+05:30:00", false),
                ("2020-01-01", false),
                // trailing whitespace only after a timezone, leading never (without pattern)
                (" 2020-01-01T00:00:00", false), ("2020-01-01T00:00:00 ", false), ("2020-01-01T00:00:00Z ", true),
            ],
        );
    }

    #[test]
    fn nemsis_date_time_type() {
        // DateTimeType of commonTypes_v3.xsd.
        let f = Facets {
            patterns: vec![r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.\d+)?(\+|-)[0-9]{2}:[0-9]{2}".into()],
            min_inclusive: Some("1950-01-01T00:00:00-00:00".into()),
            max_inclusive: Some("2050-01-01T00:00:00-00:00".into()),
            ..facets()
        };
        verdicts(
            Builtin::DateTime,
            vec![f.clone()],
            &[
                ("2025-04-07T06:45:00-05:00", true), (" 2025-04-07T06:45:00-05:00 ", true), ("2025-04-07T06:45:00Z", false),
                ("2025-13-14T14:10:48-05:00", false), ("2050-01-01T00:00:00+00:01", true), ("2050-01-01T00:00:00-00:01", false),
                ("1950-01-01T00:00:00-00:01", true), ("1950-01-01T00:00:00+00:01", false), ("2049-12-31T24:00:00+00:00", true),
                ("2025-04-07T06:45:00.123-05:00", true),
            ],
        );
        assert_eq!(
            message(Builtin::DateTime, vec![f], "2025-13-14T14:10:48-05:00"),
            "'2025-13-14T14:10:48-05:00' is not a valid date and time (YYYY-MM-DDThh:mm:ss with an optional timezone)"
        );
        // Without the pattern: mixed comparisons that come out equal are indeterminate.
        let bounds = Facets {
            min_inclusive: Some("1950-01-01T00:00:00-00:00".into()),
            max_inclusive: Some("2050-01-01T00:00:00-00:00".into()),
            ..facets()
        };
        verdicts(
            Builtin::DateTime,
            vec![bounds],
            &[
                ("2050-01-01T00:00:00Z", true), ("2050-01-01T00:00:00", false), ("2049-12-31T23:59:59", true),
                ("2050-01-01T13:59:59", false), ("2049-12-31T10:00:00", true), ("1950-01-01T00:00:00", false),
                ("1949-12-31T23:59:59.999-00:01", true), ("2049-12-31T24:00:00", true), ("2050-01-01T24:00:00+14:00", false),
            ],
        );
    }

    #[test]
    fn timezone_normalisation_keeps_libxml2_minute_carry() {
        // 10:00:59.5+02:00 is 08:00:59.5Z, but libxml2 carries a minute too many.
        let f = Facets { max_inclusive: Some("2020-01-01T08:01:00Z".into()), ..facets() };
        verdicts(
            Builtin::DateTime,
            vec![f],
            &[
                ("2020-01-01T10:00:59.5+02:00", false), ("2020-01-01T10:00:59+02:00", true),
                ("2020-01-01T08:00:59.5Z", true), ("2020-01-01T10:01:00+02:00", true), ("2020-01-01T10:01:00.5+02:00", false),
            ],
        );
    }

    #[test]
    fn base64() {
        verdicts(
            Builtin::Base64Binary,
            vec![facets()],
            &[
                ("", true), ("QQ==", true), ("QR==", false), ("QQ=", false), ("QUI=", true), ("QUJ=", false),
                ("QUJD", true), (" QU JD ", true), ("Q!U@J#D", true), ("QUJDé", true), ("QQ==QQ==", false),
                ("QQ= =", true), ("QUJD=", false), ("Q", false), ("QQ", false), ("QUJDRA", false), ("=QUJD", false),
                ("QUJD\n", true), ("QQ=\n=", true),
            ],
        );
        let f = Facets { length: Some(2), ..facets() };
        verdicts(Builtin::Base64Binary, vec![f.clone()], &[("QQ==", false), ("QUI=", true), ("QUJD", false), ("Q U I =", true), ("", false)]);
        assert_eq!(message(Builtin::Base64Binary, vec![f], "QUJD"), "'QUJD' must be exactly 2 bytes long");
        assert_eq!(message(Builtin::Base64Binary, vec![facets()], "QR=="), "'QR==' is not valid base64 data");
    }

    #[test]
    fn unions() {
        let nv = |name: &str, code: &str| SimpleType {
            name: Some(name.into()),
            variety: Variety::Atomic { builtin: Builtin::String, facets: vec![Facets { enumeration: codes(&[code]), ..facets() }] },
        };
        let date = SimpleType {
            name: Some("D".into()),
            variety: Variety::Atomic {
                builtin: Builtin::Date,
                facets: vec![Facets { min_inclusive: Some("1900-01-01".into()), ..facets() }],
            },
        };
        let m = model(vec![
            nv("NV.NotApplicable", "7701001"),
            nv("NV.NotRecorded", "7701003"),
            SimpleType { name: None, variety: Variety::Union { members: vec![0, 1] } },
            date,
            SimpleType { name: None, variety: Variety::Union { members: vec![3, 0] } },
        ]);
        let c = ValueChecker::new(&m).unwrap();
        assert!(c.check(&m, 2, "7701001").is_ok());
        assert!(c.check(&m, 2, "7701003").is_ok());
        assert_eq!(c.check(&m, 2, "7701005").unwrap_err(), "'7701005' is not an allowed code");
        assert_eq!(c.check(&m, 2, " 7701001").unwrap_err(), "' 7701001' is not an allowed code");
        // Union members are collapsed even without pattern or enumeration (xmllint).
        assert!(c.check(&m, 4, " 2020-01-01").is_ok());
        assert!(c.check(&m, 4, "2020-01-01 ").is_ok());
        assert!(c.check(&m, 4, "7701001").is_ok());
        assert_eq!(
            c.check(&m, 4, "1800-01-01").unwrap_err(),
            "'1800-01-01' is earlier than the minimum 1900-01-01; '1800-01-01' is not an allowed code"
        );
    }

    #[test]
    fn construction_errors_name_the_type() {
        let bad_pattern = model(vec![SimpleType {
            name: Some("Weird".into()),
            variety: Variety::Atomic { builtin: Builtin::String, facets: vec![Facets { patterns: vec![r"\P{L}".into()], ..facets() }] },
        }]);
        let e = ValueChecker::new(&bad_pattern).err().unwrap();
        assert!(e.contains("'Weird'") && e.contains(r"\P{L}"), "{e}");
        let misplaced = model(vec![SimpleType {
            name: None,
            variety: Variety::Atomic { builtin: Builtin::Decimal, facets: vec![Facets { max_length: Some(3), ..facets() }] },
        }]);
        assert!(ValueChecker::new(&misplaced).err().unwrap().contains("length facets"));
        let looping = model(vec![SimpleType { name: Some("U".into()), variety: Variety::Union { members: vec![0] } }]);
        assert!(ValueChecker::new(&looping).err().unwrap().contains("contains itself"));
        let dangling = model(vec![SimpleType { name: None, variety: Variety::Union { members: vec![7] } }]);
        assert!(ValueChecker::new(&dangling).is_err());
    }

    #[test]
    fn long_values_are_shortened_in_messages() {
        let f = Facets { max_length: Some(3), ..facets() };
        let long = "x".repeat(500);
        let msg = message(Builtin::String, vec![f], &long);
        assert!(msg.starts_with(&format!("'{}…'", "x".repeat(200))), "{msg}");
    }

    #[test]
    fn collapse_borrows_when_possible() {
        assert!(matches!(collapse("a b"), Cow::Borrowed(_)));
        assert_eq!(collapse(" a \t b\n"), "a b");
        assert_eq!(collapse("a\tb"), "a b");
        assert_eq!(collapse("   "), "");
    }

    #[test]
    fn built_in_models_compile() {
        // The compiled NEMSIS models shipped in schemas/ (skipped if absent).
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
        for version in ["3.5.0", "3.5.1"] {
            for dataset in ["EMSDataSet", "DEMDataSet", "StateDataSet"] {
                let path = dir.join(version).join(format!("{dataset}.json"));
                let Ok(text) = std::fs::read_to_string(&path) else { continue };
                let model: Model = serde_json::from_str(&text).expect("model JSON");
                ValueChecker::new(&model).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            }
        }
    }
}
