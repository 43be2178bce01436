//! Lexical XSD values → typed extract values (dates, date-times with offsets, decimals).
//! Values that do not parse (only in records that failed the XSD) become nulls.

/// Trim XML whitespace (the whiteSpace=collapse types).
pub fn trim(s: &str) -> &str {
    s.trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))
}

/// A run of ASCII digits as a number (None when empty or when a byte is not a digit).
/// Fields are read from bytes, not `str` slices: a multi-byte character where a digit should
/// be (only in XSD-invalid records) is a non-digit, never a slice off a character boundary.
fn digits(b: &[u8]) -> Option<i64> {
    if b.is_empty() || b.len() > 18 {
        return None;
    }
    b.iter().try_fold(0i64, |n, &c| c.is_ascii_digit().then(|| n * 10 + (c - b'0') as i64))
}

use crate::calendar::days_from_civil;

/// `YYYY-MM-DD` (optionally with a timezone, ignored for a date) → days since the epoch.
pub fn date(s: &str) -> Option<i32> {
    date_bytes(trim(s).as_bytes())
}

fn date_bytes(b: &[u8]) -> Option<i32> {
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, m, d) = (digits(&b[0..4])?, digits(&b[5..7])?, digits(&b[8..10])?);
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    Some(days_from_civil(y, m as u32, d as u32) as i32)
}

/// Parse a timezone suffix: `Z`, `+hh:mm`, `-hh:mm`, or none → minutes east of UTC.
fn offset(tz: &[u8]) -> Option<Option<i32>> {
    match tz {
        b"" => Some(None),
        b"Z" => Some(Some(0)),
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] => {
            let (h, m) = (digits(&[*h1, *h2])?, digits(&[*m1, *m2])?);
            let sign = if *sign == b'-' { -1 } else { 1 };
            Some(Some(sign * (h * 60 + m) as i32))
        }
        _ => None,
    }
}

/// `YYYY-MM-DDThh:mm:ss(.f)?(tz)?` → (microseconds since the epoch in UTC, offset minutes).
/// A date-time without timezone is taken as UTC with a null offset.
pub fn datetime(s: &str) -> Option<(i64, Option<i32>)> {
    let b = trim(s).as_bytes();
    let days = date_bytes(b.get(..10)?)? as i64;
    let rest = b[10..].strip_prefix(b"T")?;
    if rest.len() < 8 || rest[2] != b':' || rest[5] != b':' {
        return None;
    }
    let (h, mi, se) = (digits(&rest[0..2])?, digits(&rest[3..5])?, digits(&rest[6..8])?);
    let mut tail = &rest[8..];
    let mut micros = 0i64;
    if let Some(f) = tail.strip_prefix(b".") {
        let end = f.iter().position(|c| !c.is_ascii_digit()).unwrap_or(f.len());
        if end == 0 {
            return None;
        }
        // the first six digits, as microseconds
        let us = digits(&f[..end.min(6)])?;
        micros = us * 10i64.pow(6 - end.min(6) as u32);
        tail = &f[end..];
    }
    let off = offset(tail)?;
    let local = ((days * 24 + h) * 60 + mi) * 60 + se;
    let utc = local - off.unwrap_or(0) as i64 * 60;
    Some((utc * 1_000_000 + micros, off))
}

/// A decimal literal scaled to `scale` fraction digits (truncating extra digits).
pub fn decimal(s: &str, scale: i8) -> Option<i128> {
    let s = trim(s);
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    if int.is_empty() && frac.is_empty() || !int.bytes().chain(frac.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut v: i128 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let bytes = frac.as_bytes();
    for i in 0..scale.max(0) as usize {
        let d = bytes.get(i).map_or(0, |b| (b - b'0') as i128);
        v = v.checked_mul(10)?.checked_add(d)?;
    }
    Some(if neg { -v } else { v })
}

pub fn int(s: &str) -> Option<i64> {
    trim(s).trim_start_matches('+').parse().ok()
}

pub fn float(s: &str) -> Option<f64> {
    let t = trim(s);
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+')) {
        return None;
    }
    t.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_datetimes() {
        assert_eq!(date("1970-01-01"), Some(0));
        assert_eq!(date("2000-03-01"), Some(11017));
        assert_eq!(date("1969-12-31"), Some(-1));
        // 2023-06-01T10:00:00-05:00 is 15:00 UTC
        let (us, off) = datetime("2023-06-01T10:00:00-05:00").unwrap();
        assert_eq!(off, Some(-300));
        assert_eq!(us, (days_from_civil(2023, 6, 1) * 86400 + 15 * 3600) * 1_000_000);
        assert_eq!(datetime("2023-06-01T10:00:00.25Z").unwrap(), ((days_from_civil(2023, 6, 1) * 86400 + 10 * 3600) * 1_000_000 + 250_000, Some(0)));
        assert_eq!(datetime("2023-06-01 10:00:00Z"), None);
        // a multi-byte character where a digit belongs (an XSD-invalid value) is no date
        assert_eq!(datetime("2024-01-01T10:00:0é"), None);
        assert_eq!(datetime("2024-01-01T10:00:00+0é:00"), None);
        assert_eq!(date("2024-01-1é"), None);
        assert_eq!(datetime("2024-01-0éT10:00:00Z"), None);
    }

    /// The conversions of the previous, `str`-slicing implementation, for comparison.
    mod reference {
        use super::super::trim;
        use crate::calendar::days_from_civil;
        fn num(s: &str) -> Option<i64> {
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            s.parse().ok()
        }
        pub fn date(s: &str) -> Option<i32> {
            let s = trim(s);
            if s.len() < 10 || s.as_bytes()[4] != b'-' || s.as_bytes()[7] != b'-' {
                return None;
            }
            let (y, m, d) = (num(&s[0..4])?, num(&s[5..7])?, num(&s[8..10])?);
            if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
                return None;
            }
            Some(days_from_civil(y, m as u32, d as u32) as i32)
        }
        fn offset(tz: &str) -> Option<Option<i32>> {
            match tz {
                "" => Some(None),
                "Z" => Some(Some(0)),
                _ if tz.len() == 6 && tz.as_bytes()[3] == b':' => {
                    let sign = match tz.as_bytes()[0] {
                        b'+' => 1,
                        b'-' => -1,
                        _ => return None,
                    };
                    let (h, m) = (num(&tz[1..3])?, num(&tz[4..6])?);
                    Some(Some(sign * (h * 60 + m) as i32))
                }
                _ => None,
            }
        }
        pub fn datetime(s: &str) -> Option<(i64, Option<i32>)> {
            let s = trim(s);
            let days = date(s.get(..10)?)? as i64;
            let rest = s.get(10..)?.strip_prefix('T')?;
            if rest.len() < 8 || rest.as_bytes()[2] != b':' || rest.as_bytes()[5] != b':' {
                return None;
            }
            let (h, mi, se) = (num(&rest[0..2])?, num(&rest[3..5])?, num(&rest[6..8])?);
            let mut tail = &rest[8..];
            let mut micros = 0i64;
            if let Some(f) = tail.strip_prefix('.') {
                let end = f.find(|c: char| !c.is_ascii_digit()).unwrap_or(f.len());
                let digits = &f[..end];
                if digits.is_empty() {
                    return None;
                }
                let mut us = String::from(&digits[..digits.len().min(6)]);
                while us.len() < 6 {
                    us.push('0');
                }
                micros = us.parse().ok()?;
                tail = &f[end..];
            }
            let off = offset(tail)?;
            let local = ((days * 24 + h) * 60 + mi) * 60 + se;
            let utc = local - off.unwrap_or(0) as i64 * 60;
            Some((utc * 1_000_000 + micros, off))
        }
    }

    /// Byte-level parsing gives what the `str` version gave on every one-byte change and
    /// every truncation of a set of values, and None where the `str` version panicked.
    #[test]
    fn dates_and_datetimes_agree_with_the_previous_parsing() {
        let seeds = ["2023-06-01T10:00:00-05:00", "1999-12-31T23:59:59.1234567+14:00", " 2024-02-29T00:00:00Z\n", "2024-02-29", "0001-01-01T00:00:00.5"];
        let subs = ["0", "9", "-", ":", "T", "Z", "+", ".", " ", "é", "x"];
        let (mut checked, mut panicked) = (0, 0);
        for seed in seeds {
            let chars: Vec<char> = seed.chars().collect();
            let mut cases = vec![seed.to_string()];
            for i in 0..chars.len() {
                cases.push(chars[..i].iter().collect());
                for sub in subs {
                    let mut v: Vec<String> = chars.iter().map(|c| c.to_string()).collect();
                    v[i] = sub.to_string();
                    cases.push(v.concat());
                    v.insert(i, sub.to_string());
                    cases.push(v.concat());
                }
            }
            for c in cases {
                checked += 1;
                let quiet = std::panic::catch_unwind(|| (reference::date(&c), reference::datetime(&c)));
                match quiet {
                    Ok((d, dt)) => {
                        assert_eq!(date(&c), d, "date {c:?}");
                        assert_eq!(datetime(&c), dt, "datetime {c:?}");
                    }
                    Err(_) => {
                        panicked += 1;
                        assert_eq!(datetime(&c), None, "{c:?}");
                    }
                }
            }
        }
        assert!(panicked > 0 && checked > 1000, "{panicked} of {checked}");
    }

    #[test]
    fn numbers() {
        assert_eq!(decimal("12.5", 2), Some(1250));
        assert_eq!(decimal("-0.05", 2), Some(-5));
        assert_eq!(decimal("7", 1), Some(70));
        assert_eq!(decimal("abc", 1), None);
        assert_eq!(int(" 42 "), Some(42));
        assert_eq!(float("98.6"), Some(98.6));
    }
}
