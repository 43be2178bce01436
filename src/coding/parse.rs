//! Exact parsing of the values the coder computes with (§3.1): decimals as integer hundredths
//! (never binary floating point), date-times as instants, GPS positions, small integers.
//! Each parser returns None for text it cannot read exactly; the caller then treats the element
//! as not valued.

use crate::calendar::{days_from_civil, days_in_month};

/// §3.1: a decimal (`eResponse.19`–`.22`, `ePayment.48`) as integer hundredths of a mile.
/// Accepts the xs:decimal lexical forms (`+12`, `-3.5`, `.25`, `7.`); fraction digits beyond
/// the second must be zeros (the XSD allows at most two).
pub fn hundredths(s: &str) -> Option<i64> {
    let s = s.trim();
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, f),
        None => (body, ""),
    };
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.bytes().all(|b| b.is_ascii_digit()) || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if frac.len() > 2 && frac[2..].bytes().any(|b| b != b'0') {
        return None;
    }
    let int = int.trim_start_matches('0');
    if int.len() > 15 {
        return None;
    }
    let whole: i64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let f = frac.as_bytes();
    let d1 = f.first().map_or(0, |b| (b - b'0') as i64);
    let d2 = f.get(1).map_or(0, |b| (b - b'0') as i64);
    let v = whole.checked_mul(100)?.checked_add(d1 * 10 + d2)?;
    Some(if neg { -v } else { v })
}

/// A positive or zero integer (`eDisposition.11`).
pub fn integer(s: &str) -> Option<i64> {
    let s = s.trim();
    let s = s.strip_prefix('+').unwrap_or(s);
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let t = s.trim_start_matches('0');
    if t.len() > 15 {
        return Some(i64::MAX);
    }
    Some(if t.is_empty() { 0 } else { t.parse().ok()? })
}

/// An instant: seconds since 1970-01-01T00:00:00Z and nanoseconds (fraction digits beyond
/// the ninth are ignored).
pub type Instant = (i64, u32);

/// §3.1: an xs:dateTime with a UTC offset (`2024-10-07T20:20:00-04:00`, `…Z`, `….5+01:00`)
/// as an instant. A date-time without an offset has no instant: None.
pub fn instant(s: &str) -> Option<Instant> {
    let s = s.trim();
    let b = s.as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let t = s.get(r)?;
        if t.is_empty() || !t.bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        t.parse().ok()
    };
    // year may be longer than 4 digits or negative; NEMSIS restricts it to 4, so do we.
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (y, mo, d, h, mi, se) = (num(0..4)?, num(5..7)?, num(8..10)?, num(11..13)?, num(14..16)?, num(17..19)?);
    let mut i = 19;
    let mut nanos: u32 = 0;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return None;
        }
        let digits = &s[start..i.min(start + 9)];
        let scale = 10u32.pow(9 - digits.len() as u32);
        nanos = digits.parse::<u32>().ok()? * scale;
    }
    let offset_secs = match s.get(i..)? {
        "Z" => 0,
        tz if tz.len() == 6 && (tz.starts_with('+') || tz.starts_with('-')) && tz.as_bytes()[3] == b':' => {
            let oh = num(i + 1..i + 3)?;
            let om = num(i + 4..i + 6)?;
            if oh > 14 || om > 59 {
                return None;
            }
            let o = oh * 3600 + om * 60;
            if tz.starts_with('-') {
                -o
            } else {
                o
            }
        }
        _ => return None,
    };
    if !(1..=12).contains(&mo) || !(1..=days_in_month(y, mo as u32) as i64).contains(&d) || h > 24 || mi > 59 || se > 60 {
        return None;
    }
    if h == 24 && (mi != 0 || se != 0 || nanos != 0) {
        return None;
    }
    let days = days_from_civil(y, mo as u32, d as u32);
    let local = days * 86_400 + h * 3600 + mi * 60 + se;
    Some((local - offset_secs, nanos))
}

/// A NEMSIS GPSLocation `lat,long` in decimal degrees.
pub fn gps(s: &str) -> Option<(f64, f64)> {
    let (a, b) = s.trim().split_once(',')?;
    let ok = |t: &str| !t.is_empty() && t.bytes().all(|c| c.is_ascii_digit() || c == b'.' || c == b'+' || c == b'-');
    let (a, b) = (a.trim(), b.trim());
    if !ok(a) || !ok(b) {
        return None;
    }
    let (lat, lon): (f64, f64) = (a.parse().ok()?, b.parse().ok()?);
    if lat.is_finite() && lon.is_finite() && lat.abs() <= 90.0 && lon.abs() <= 180.0 {
        Some((lat, lon))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_exact_hundredths() {
        assert_eq!(hundredths("1015.06"), Some(101_506));
        assert_eq!(hundredths(" 4.5 "), Some(450));
        assert_eq!(hundredths(".25"), Some(25));
        assert_eq!(hundredths("7."), Some(700));
        assert_eq!(hundredths("-3.5"), Some(-350));
        assert_eq!(hundredths("+12"), Some(1200));
        assert_eq!(hundredths("1.500"), Some(150));
        assert_eq!(hundredths("1.505"), None);
        assert_eq!(hundredths("abc"), None);
        assert_eq!(hundredths("."), None);
        assert_eq!(hundredths(""), None);
        assert_eq!(hundredths("99999999999999999999"), None);
    }

    #[test]
    fn instants_compare_across_offsets() {
        let a = instant("2024-10-07T20:20:00-04:00").unwrap();
        let b = instant("2024-10-08T00:20:00Z").unwrap();
        assert_eq!(a, b);
        assert_eq!(instant("1970-01-01T00:00:00+00:00"), Some((0, 0)));
        assert_eq!(instant("2024-02-29T12:00:00.25-05:00").unwrap().1, 250_000_000);
        assert_eq!(instant("2023-02-29T12:00:00-05:00"), None);
        assert_eq!(instant("2023-06-01T10:00:00"), None);
        assert_eq!(instant("2023-06-01T25:00:00-05:00"), None);
        assert_eq!(instant("2024-01-01"), None);
    }

    #[test]
    fn gps_positions() {
        assert_eq!(gps("41.396,-73.453"), Some((41.396, -73.453)));
        assert_eq!(gps("91,0"), None);
        assert_eq!(gps("inf,0"), None);
        assert_eq!(gps("41.3"), None);
    }
}
