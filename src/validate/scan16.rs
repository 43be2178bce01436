//! Byte-class scans for the record [lexer](super::lexer), 16 bytes at a time.
//!
//! The lexer spends most of its time finding where a run of character data or a name ends.
//! Looking at one byte per step costs a load, a table lookup and a branch per byte; here a
//! 16-byte block is compared against the few bytes that matter at once (SSE2, which every
//! x86_64 CPU has, so there is no run-time detection), giving bit masks whose lowest set bit
//! is the answer. Other targets, and the last bytes of a record, take the scalar path, which
//! gives the same results (the tests compare the two on every offset).

/// What a run of character data holds, up to (not including) the next `<`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextRun {
    /// Offset of the `<` that ends the run, or the length of the bytes.
    pub end: usize,
    pub amp: bool,
    /// A `>` occurs (the lexer then looks for `]]>`).
    pub gt: bool,
    /// Only XML whitespace (space, tab, CR, LF).
    pub ws: bool,
    pub newlines: u32,
    /// Offset just after the last newline, when there is one.
    pub line_start: Option<usize>,
}

impl TextRun {
    fn new(from: usize) -> Self {
        TextRun { end: from, amp: false, gt: false, ws: true, newlines: 0, line_start: None }
    }
}

/// The run of character data starting at `from`.
#[inline]
pub fn text_run(b: &[u8], from: usize) -> TextRun {
    let mut run = TextRun::new(from);
    let mut k = from;
    #[cfg(target_arch = "x86_64")]
    {
        while k + 16 <= b.len() {
            // SAFETY: 16 bytes from k are in bounds; SSE2 is part of x86_64.
            let m = unsafe { x86::text_masks(b.as_ptr().add(k)) };
            let take = if m.lt != 0 { (1u32 << m.lt.trailing_zeros()) - 1 } else { 0xFFFF };
            run.amp |= m.amp & take != 0;
            run.gt |= m.gt & take != 0;
            run.ws &= m.ws & take == take;
            let nl = m.nl & take;
            if nl != 0 {
                run.newlines += nl.count_ones();
                run.line_start = Some(k + (31 - nl.leading_zeros()) as usize + 1);
            }
            if m.lt != 0 {
                run.end = k + m.lt.trailing_zeros() as usize;
                return run;
            }
            k += 16;
        }
    }
    text_run_scalar(b, k, run)
}

fn text_run_scalar(b: &[u8], from: usize, mut run: TextRun) -> TextRun {
    let mut k = from;
    while k < b.len() {
        match b[k] {
            b'<' => break,
            b'&' => {
                run.amp = true;
                run.ws = false;
            }
            b'>' => {
                run.gt = true;
                run.ws = false;
            }
            b'\n' => {
                run.newlines += 1;
                run.line_start = Some(k + 1);
            }
            b' ' | b'\t' | b'\r' => {}
            _ => run.ws = false,
        }
        k += 1;
    }
    run.end = k;
    run
}

/// Whether `c` may continue an XML name (bytes >= 0x80 are parts of UTF-8 sequences, checked
/// by the caller, and are taken as name characters).
#[inline]
pub fn is_name_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b':' | b'-' | b'.') || c >= 0x80
}

/// The end of the name characters starting at `from` (the first offset that is not one).
#[inline]
pub fn name_end(b: &[u8], from: usize) -> usize {
    let mut k = from;
    #[cfg(target_arch = "x86_64")]
    {
        while k + 16 <= b.len() {
            // SAFETY: as in text_run.
            let other = unsafe { x86::non_name_mask(b.as_ptr().add(k)) };
            if other != 0 {
                return k + other.trailing_zeros() as usize;
            }
            k += 16;
        }
    }
    while k < b.len() && is_name_char(b[k]) {
        k += 1;
    }
    k
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use std::arch::x86_64::*;

    pub struct TextMasks {
        pub lt: u32,
        pub amp: u32,
        pub gt: u32,
        pub nl: u32,
        pub ws: u32,
    }

    /// Masks of `<`, `&`, `>`, LF and whitespace over the 16 bytes at `p`.
    #[inline(always)]
    pub unsafe fn text_masks(p: *const u8) -> TextMasks {
        let v = _mm_loadu_si128(p as *const __m128i);
        let eq = |c: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(c as i8));
        let nl = eq(b'\n');
        let ws = _mm_or_si128(_mm_or_si128(eq(b' '), nl), _mm_or_si128(eq(b'\t'), eq(b'\r')));
        let mask = |x: __m128i| _mm_movemask_epi8(x) as u32;
        TextMasks { lt: mask(eq(b'<')), amp: mask(eq(b'&')), gt: mask(eq(b'>')), nl: mask(nl), ws: mask(ws) }
    }

    /// Mask of the bytes at `p` that cannot continue a name.
    #[inline(always)]
    pub unsafe fn non_name_mask(p: *const u8) -> u32 {
        let v = _mm_loadu_si128(p as *const __m128i);
        // Signed compares: bytes >= 0x80 are negative and count as name characters.
        let within = |x: __m128i, lo: u8, hi: u8| _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8(lo as i8 - 1)), _mm_cmplt_epi8(x, _mm_set1_epi8(hi as i8 + 1)));
        // Folding case maps exactly A-Z onto a-z among the bytes that land in a-z.
        let letter = within(_mm_or_si128(v, _mm_set1_epi8(0x20)), b'a', b'z');
        let digit_colon = within(v, b'0', b':');
        let dash_dot = within(v, b'-', b'.');
        let under = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'_' as i8));
        let high = _mm_cmplt_epi8(v, _mm_setzero_si128());
        let name = _mm_or_si128(_mm_or_si128(letter, digit_colon), _mm_or_si128(_mm_or_si128(dash_dot, under), high));
        !(_mm_movemask_epi8(name) as u32) & 0xFFFF
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vector_and_scalar_scans_agree_everywhere() {
        let text: &[u8] = b"  \n\t 12 &amp; x > y\r\n          \n<a-b.c_d:e\xC3\xA9f1 x='1'/>\n   some longer text value without markup at all .... ok<end>";
        for from in 0..text.len() {
            assert_eq!(text_run(text, from), text_run_scalar(text, from, TextRun::new(from)), "text from {from}");
            let scalar = (from..text.len()).find(|&k| !is_name_char(text[k])).unwrap_or(text.len());
            assert_eq!(name_end(text, from), scalar, "name from {from}");
        }
        // Every byte value: name classes match the scalar rule.
        let all: Vec<u8> = (0..=255u8).flat_map(|c| std::iter::repeat_n(c, 17)).collect();
        for c in 0..=255usize {
            assert_eq!(name_end(&all, c * 17) > c * 17, is_name_char(c as u8), "byte {c:#x}");
        }
    }

    #[test]
    fn text_runs_report_what_they_hold() {
        let r = text_run(b"\n    \n        <x>", 0);
        assert_eq!(r, TextRun { end: 14, amp: false, gt: false, ws: true, newlines: 2, line_start: Some(6) });
        let r = text_run(b"a&amp;b>", 0);
        assert_eq!((r.end, r.amp, r.gt, r.ws, r.newlines), (8, true, true, false, 0));
    }
}
