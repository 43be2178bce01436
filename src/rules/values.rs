//! The few XPath/XSD value operations the national rules need, with XPath 2.0 semantics:
//! `xs:dateTime` casts and comparisons, `xs:decimal` casts compared with an integer,
//! `castable as xs:integer`, `normalize-space()`, `substring()`.
//!
//! Casts first apply the XSD whitespace collapse (leading/trailing XML whitespace removed), as
//! XPath does when casting to these types. Plain string comparisons (`. = '2208013'`) do not
//! trim: they compare the raw text, as the official rules do.

use crate::calendar::{days_from_civil, days_in_month};
use std::cmp::Ordering;

/// XML whitespace (the characters `normalize-space()` and XSD `collapse` remove).
fn is_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

/// `s` without leading and trailing XML whitespace.
pub fn trim(s: &str) -> &str {
    s.trim_matches(is_ws)
}

/// XPath `normalize-space()`.
pub fn normalize_space(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split(is_ws).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Whether `normalize-space(s) != ''`.
pub fn has_non_ws(s: &str) -> bool {
    s.chars().any(|c| !is_ws(c))
}

/// XPath `substring(s, 1, len)`: the first `len` characters (code points).
pub fn prefix_chars(s: &str, len: usize) -> &str {
    match s.char_indices().nth(len) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// An `xs:dateTime` value reduced to a point on the UTC time line (a value without a timezone
/// is taken as UTC, the implicit timezone). Ordered like XPath orders dateTimes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct DateTime {
    /// Seconds since 1970-01-01T00:00:00Z (proleptic Gregorian).
    secs: i64,
    /// Fraction of a second in units of 10^-18 s.
    frac: u64,
}

impl DateTime {
    /// Cast a string to `xs:dateTime` (None when it is not a valid lexical dateTime).
    pub fn parse(s: &str) -> Option<DateTime> {
        // The rules compare every record's date-times many times over: the common shape gets
        // a short path; anything else (other year lengths, whitespace) the general one.
        match Self::parse_common(s.as_bytes()) {
            Some(r) => r,
            None => Self::parse_general(s),
        }
    }

    /// `YYYY-MM-DDThh:mm:ss(.f+)?(Z|±hh:mm)?` with nothing around it: Some(the cast's
    /// result), or None when `s` has another shape (left to [`DateTime::parse_general`]).
    fn parse_common(s: &[u8]) -> Option<Option<DateTime>> {
        // Digits and separators of the first 19 bytes checked in one pass (no early exits, so
        // the loop compiles to a few vector instructions).
        const SHAPE: &[u8; 19] = b"0000-00-00T00:00:00";
        let head: &[u8; 19] = s.get(..19)?.try_into().ok()?;
        let mut v = [0u8; 19];
        let mut bad = false;
        for i in 0..19 {
            let x = head[i].wrapping_sub(b'0');
            v[i] = x;
            bad |= if SHAPE[i] == b'0' { x > 9 } else { head[i] != SHAPE[i] };
        }
        if bad {
            return None;
        }
        let two = |i: usize| (v[i] * 10 + v[i + 1]) as i64;
        let year = two(0) * 100 + two(2);
        let (month, day, hour, minute, second) = (two(5), two(8), two(11), two(14), two(17));
        let digit2 = |i: usize| -> Option<i64> {
            let (a, b) = (s[i].wrapping_sub(b'0'), s[i + 1].wrapping_sub(b'0'));
            (a < 10 && b < 10).then(|| (a * 10 + b) as i64)
        };
        let (i, frac, frac_nonzero) = fraction(s, 19)?;
        let offset_min = match s.get(i) {
            None => 0,
            Some(b'Z') if i + 1 == s.len() => 0,
            Some(&c @ (b'+' | b'-')) if i + 6 == s.len() && s[i + 3] == b':' => {
                let (th, tm) = (digit2(i + 1)?, digit2(i + 4)?);
                if th > 14 || tm > 59 || (th == 14 && tm != 0) {
                    return Some(None);
                }
                (if c == b'-' { -1 } else { 1 }) * (th * 60 + tm)
            }
            _ => return None,
        };
        Some(Self::from_fields(year, month, day, hour, minute, second, frac, frac_nonzero, offset_min))
    }

    #[allow(clippy::too_many_arguments)]
    fn from_fields(year: i64, month: i64, day: i64, hour: i64, minute: i64, second: i64, frac: u64, frac_nonzero: bool, offset_min: i64) -> Option<DateTime> {
        if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month as u32) as i64 || minute > 59 || second > 59 {
            return None;
        }
        if hour > 24 || (hour == 24 && (minute != 0 || second != 0 || frac_nonzero)) {
            return None;
        }
        let days = days_from_civil(year, month as u32, day as u32);
        let secs = days * 86_400 + hour * 3_600 + minute * 60 + second - offset_min * 60;
        Some(DateTime { secs, frac })
    }

    /// [`DateTime::parse`] for any lexical form.
    fn parse_general(s: &str) -> Option<DateTime> {
        let s = trim(s).as_bytes();
        let mut i = 0;
        let neg = s.first() == Some(&b'-');
        if neg {
            i += 1;
        }
        let ystart = i;
        while i < s.len() && s[i].is_ascii_digit() {
            i += 1;
        }
        let ylen = i - ystart;
        if ylen < 4 || (ylen > 4 && s[ystart] == b'0') || ylen > 12 {
            return None;
        }
        let mut year: i64 = std::str::from_utf8(&s[ystart..i]).ok()?.parse().ok()?;
        if neg {
            year = -year;
        }
        let two = |at: usize| -> Option<i64> {
            let d = s.get(at..at + 2)?;
            if d.iter().all(u8::is_ascii_digit) {
                Some(((d[0] - b'0') * 10 + (d[1] - b'0')) as i64)
            } else {
                None
            }
        };
        let expect = |at: usize, c: u8| s.get(at) == Some(&c);
        if !expect(i, b'-') {
            return None;
        }
        let month = two(i + 1)?;
        if !expect(i + 3, b'-') {
            return None;
        }
        let day = two(i + 4)?;
        if !expect(i + 6, b'T') {
            return None;
        }
        let hour = two(i + 7)?;
        if !expect(i + 9, b':') {
            return None;
        }
        let minute = two(i + 10)?;
        if !expect(i + 12, b':') {
            return None;
        }
        let second = two(i + 13)?;
        let (mut i, frac, frac_nonzero) = fraction(s, i + 15)?;
        let mut offset_min: i64 = 0;
        if i < s.len() {
            match s[i] {
                b'Z' => i += 1,
                b'+' | b'-' => {
                    let sign = if s[i] == b'-' { -1 } else { 1 };
                    let th = two(i + 1)?;
                    if !expect(i + 3, b':') {
                        return None;
                    }
                    let tm = two(i + 4)?;
                    if th > 14 || tm > 59 || (th == 14 && tm != 0) {
                        return None;
                    }
                    offset_min = sign * (th * 60 + tm);
                    i += 6;
                }
                _ => return None,
            }
        }
        if i != s.len() {
            return None;
        }
        Self::from_fields(year, month, day, hour, minute, second, frac, frac_nonzero, offset_min)
    }

    /// The current time (for "not in the future" rules).
    pub fn now() -> DateTime {
        let d = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        DateTime { secs: d.as_secs() as i64, frac: d.subsec_nanos() as u64 * 1_000_000_000 }
    }

    /// This instant plus `secs` seconds.
    pub fn plus_secs(self, secs: i64) -> DateTime {
        DateTime { secs: self.secs + secs, frac: self.frac }
    }
}

/// The optional `.digits` of a dateTime at `i`: (the index after it, the fraction in units of
/// 10^-18 s, whether a digit is not 0); None for a `.` without digits.
fn fraction(s: &[u8], mut i: usize) -> Option<(usize, u64, bool)> {
    let (mut frac, mut nonzero) = (0u64, false);
    if s.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        let mut scale: u64 = 100_000_000_000_000_000;
        while i < s.len() && s[i].is_ascii_digit() {
            let d = (s[i] - b'0') as u64;
            nonzero |= d != 0;
            if scale > 0 {
                frac += d * scale;
                scale /= 10;
            }
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    Some((i, frac, nonzero))
}

/// Cast `s` to `xs:decimal` and compare it with the integer `n`; None when `s` is not a valid
/// decimal (XPath would raise FORG0001). Exact for any number of digits.
pub fn decimal_cmp(s: &str, n: u64) -> Option<Ordering> {
    let t = trim(s).as_bytes();
    let (neg, body) = match t.first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    let (int, frac) = match body.iter().position(|&b| b == b'.') {
        Some(p) => (&body[..p], &body[p + 1..]),
        None => (body, &body[..0]),
    };
    if (int.is_empty() && frac.is_empty()) || !int.iter().chain(frac).all(u8::is_ascii_digit) {
        return None;
    }
    let int: &[u8] = {
        let z = int.iter().take_while(|&&b| b == b'0').count();
        &int[z..]
    };
    let frac_zero = frac.iter().all(|&b| b == b'0');
    if neg {
        return Some(if int.is_empty() && frac_zero && n == 0 { Ordering::Equal } else { Ordering::Less });
    }
    let nd = n.to_string();
    let ord = int.len().cmp(&nd.len()).then_with(|| int.cmp(nd.as_bytes()));
    Some(match ord {
        Ordering::Equal if !frac_zero => Ordering::Greater,
        o => o,
    })
}

/// XPath `s castable as xs:integer`.
pub fn castable_integer(s: &str) -> bool {
    let t = trim(s);
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

/// `matches(s, '^[0-9]{2,7}$')` (XPath `$` matches only at the very end).
pub fn is_2_to_7_digits(s: &str) -> bool {
    (2..=7).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetimes() {
        let a = DateTime::parse("2024-03-01T10:00:00-05:00").unwrap();
        let b = DateTime::parse("2024-03-01T15:00:00Z").unwrap();
        assert_eq!(a, b);
        assert!(DateTime::parse("2024-03-01T15:00:00.5Z").unwrap() > b);
        assert!(DateTime::parse("2024-02-29T00:00:00Z").is_some());
        assert!(DateTime::parse("2023-02-29T00:00:00Z").is_none());
        assert!(DateTime::parse("2023-02-28T24:00:00Z").unwrap() == DateTime::parse("2023-03-01T00:00:00Z").unwrap());
        assert!(DateTime::parse("2023-02-28T24:00:01Z").is_none());
        assert!(DateTime::parse(" 2023-02-28T10:00:00+14:00 ").is_some());
        assert!(DateTime::parse("2023-02-28T10:00:00+14:30").is_none());
        assert!(DateTime::parse("2023-02-28").is_none());
        assert!(DateTime::parse("").is_none());
        assert_eq!(DateTime::parse("1970-01-01T00:00:00Z").unwrap().secs, 0);
    }

    /// The short path agrees with the general one wherever it answers: every one-byte
    /// change (to each of a set of bytes) and every truncation of a set of date-times.
    #[test]
    fn the_short_datetime_path_agrees_with_the_general_one() {
        let seeds = ["2024-03-01T10:00:00-05:00", "2024-02-29T23:59:59.999999+14:00", "1999-12-31T24:00:00Z", "0001-01-01T00:00:00.0-14:00", "2023-11-05T01:30:00"];
        let bytes = b"0129:-+.TZ 5\n";
        let (mut answered, mut checked) = (0, 0);
        for seed in seeds {
            let mut cases = vec![seed.to_string()];
            for i in 0..seed.len() {
                cases.push(seed[..i].to_string());
                for &b in bytes {
                    let mut v = seed.as_bytes().to_vec();
                    v[i] = b;
                    cases.push(String::from_utf8(v).unwrap());
                    let mut w = seed.as_bytes().to_vec();
                    w.insert(i, b);
                    cases.push(String::from_utf8(w).unwrap());
                }
            }
            for c in cases {
                checked += 1;
                if let Some(short) = DateTime::parse_common(c.as_bytes()) {
                    answered += 1;
                    assert_eq!(short, DateTime::parse_general(&c), "{c:?}");
                }
            }
        }
        assert!(answered > checked / 10, "the short path answers many of the cases: {answered} of {checked}");
        assert!(seeds.iter().all(|s| DateTime::parse_common(s.as_bytes()).is_some()), "and every seed");
    }

    #[test]
    fn decimals() {
        assert_eq!(decimal_cmp("100", 100), Some(Ordering::Equal));
        assert_eq!(decimal_cmp("100.000", 100), Some(Ordering::Equal));
        assert_eq!(decimal_cmp("100.0001", 100), Some(Ordering::Greater));
        assert_eq!(decimal_cmp("0099.9", 100), Some(Ordering::Less));
        assert_eq!(decimal_cmp("-500", 100), Some(Ordering::Less));
        assert_eq!(decimal_cmp("1e2", 100), None);
        assert_eq!(decimal_cmp(".", 100), None);
        assert!(castable_integer(" 42 ") && !castable_integer("4.0"));
        assert_eq!(normalize_space("  a \n b  "), "a b");
        assert_eq!(prefix_chars("ÀBCD", 2), "ÀB");
    }
}
