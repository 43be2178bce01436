//! A byte-level scanner that finds where a record's body ends, without tokenizing it.
//!
//! The splitter only needs the record's extent: the worker parses and validates its bytes. So
//! inside a record we look at markup boundaries only (`memchr` over text and attribute
//! values), count start and end tags, and skip comments, CDATA sections and processing
//! instructions, whose content may hold anything. Well-formedness inside the record (names,
//! attributes, entities, matching end names) is the worker's parse's job; the splitter still
//! reads the record's own end tag with quick-xml, which checks it matches the start tag.
//!
//! Most records lie whole in the reader's buffer, and most hold no comment, CDATA section or
//! processing instruction: [`fast_body_end`] finds their end with two vectorized searches
//! (the record's end tag, then `<!`/`<?` before it) instead of stepping through every tag, and
//! [`BodyScan`] handles the rest.

/// What the scanner found in a chunk.
#[derive(Debug, PartialEq, Eq)]
pub enum Step {
    /// The whole chunk belongs to the record body: consume it and feed the next one.
    More,
    /// The record's end tag starts at this index of the chunk (its `<`). `None`: the `<` was
    /// the last byte of the previous chunk (already consumed) and this chunk starts with `/`.
    End(Option<usize>),
    /// Markup that cannot occur in a record (a DOCTYPE, or `<!` that starts neither a comment
    /// nor a CDATA section) starts at this index of the chunk (`None`: in an earlier chunk).
    Refused(Option<usize>, &'static str),
}

/// Where the end tag `</qname` of a record starts in `body` (the bytes right after the
/// record's start tag), when that can be decided from `body` alone by searching: the first
/// `</qname` followed by whitespace or `>`, with no `<!` or `<?` before it (comments, CDATA
/// and PIs may hold anything) and no nested `<qname` start tag. None: use [`BodyScan`].
///
/// On well-formed input this is the end [`BodyScan`] finds. On broken input the two may cut
/// differently (say, a missing end tag inside the record: this cuts at the record's own end
/// tag, where depth counting would run on); either way the worker's parse reports the break.
pub fn fast_body_end(body: &[u8], qname: &[u8]) -> Option<usize> {
    let n = qname.len();
    let mut end = None;
    for p in memchr::memmem::find_iter(body, qname) {
        let after = *body.get(p + n)?;
        // The byte before `body` is the start tag's `>`, so a hit at 0 or 1 is no tag.
        let prev = if p > 0 { body[p - 1] } else { b'>' };
        let ws = matches!(after, b' ' | b'\t' | b'\n' | b'\r');
        if prev == b'/' && p >= 2 && body[p - 2] == b'<' && (after == b'>' || ws) {
            end = Some(p - 2);
            break;
        }
        if prev == b'<' && (after == b'>' || after == b'/' || ws) {
            return None;
        }
    }
    let end = end?;
    let hazard = memchr::memchr2_iter(b'!', b'?', &body[..end]).any(|i| i > 0 && body[i - 1] == b'<');
    (!hazard && !inside_tag(&body[..end])).then_some(end)
}

/// Whether `bytes` end inside a tag (its last `<` opens a tag not closed by a `>` outside
/// quotes): then what looked like the record's end tag sits in an attribute value (`x="</…>"`,
/// not well-formed), and only [`BodyScan`], which skips quoted values, cuts where it should,
/// so that the records after the broken one are still read.
fn inside_tag(bytes: &[u8]) -> bool {
    let Some(lt) = memchr::memrchr(b'<', bytes) else { return false };
    let mut quote = 0u8;
    for &b in &bytes[lt + 1..] {
        match b {
            b'"' | b'\'' if quote == 0 => quote = b,
            _ if b == quote => quote = 0,
            b'>' if quote == 0 => return false,
            _ => {}
        }
    }
    true
}

#[derive(Debug, Clone, Copy)]
enum State {
    Text,
    /// Just after a `<`.
    Lt,
    /// Inside a start (`end` false) or end tag; `quote` is the open attribute quote or 0.
    Tag { end: bool, quote: u8, prev: u8 },
    /// After `<!`: how many bytes of `--` or `[CDATA[` matched so far.
    Bang { matched: u8 },
    /// Inside a comment (`ch` = `-`) or CDATA section (`ch` = `]`): it ends at two `ch` and
    /// a `>`; `run` counts the `ch` just seen.
    Section { ch: u8, run: u8 },
    Pi { question: bool },
}

const CDATA: &[u8] = b"[CDATA[";

/// Scanner state across chunks, starting just after the record's start tag.
#[derive(Debug)]
pub struct BodyScan {
    depth: usize,
    state: State,
    /// After `<!-` (true) or `<![` (false): which of `--` and `[CDATA[` is being matched.
    bang_comment: bool,
}

impl Default for BodyScan {
    fn default() -> Self {
        BodyScan { depth: 1, state: State::Text, bang_comment: true }
    }
}

/// `memchr` for the short distances between markup: the first bytes one by one, then a search.
#[inline]
fn find_short(needle: u8, hay: &[u8]) -> Option<usize> {
    let head = hay.len().min(24);
    if let Some(k) = hay[..head].iter().position(|&c| c == needle) {
        return Some(k);
    }
    memchr::memchr(needle, &hay[head..]).map(|k| k + head)
}

impl BodyScan {
    /// Scan the next chunk of the stream.
    pub fn feed(&mut self, chunk: &[u8]) -> Step {
        let mut i = 0;
        while i < chunk.len() {
            match self.state {
                State::Text => match find_short(b'<', &chunk[i..]) {
                    Some(j) => {
                        i += j + 1;
                        self.state = State::Lt;
                    }
                    None => return Step::More,
                },
                State::Lt => {
                    let lt = i.checked_sub(1);
                    match chunk[i] {
                        b'/' if self.depth == 1 => return Step::End(lt),
                        b'/' => {
                            self.depth -= 1;
                            self.state = State::Tag { end: true, quote: 0, prev: b'/' };
                            i += 1;
                        }
                        b'!' => {
                            self.state = State::Bang { matched: 0 };
                            i += 1;
                        }
                        b'?' => {
                            self.state = State::Pi { question: false };
                            i += 1;
                        }
                        _ => self.state = State::Tag { end: false, quote: 0, prev: b'<' },
                    }
                }
                State::Tag { end, quote, prev } => {
                    let rest = &chunk[i..];
                    if quote != 0 {
                        match memchr::memchr(quote, rest) {
                            Some(j) => {
                                i += j + 1;
                                self.state = State::Tag { end, quote: 0, prev: quote };
                            }
                            None => return Step::More,
                        }
                        continue;
                    }
                    match memchr::memchr3(b'>', b'"', b'\'', rest) {
                        Some(j) => {
                            let b = rest[j];
                            let before = if j > 0 { rest[j - 1] } else { prev };
                            i += j + 1;
                            if b == b'>' {
                                if !end && before != b'/' {
                                    self.depth += 1;
                                }
                                self.state = State::Text;
                            } else {
                                self.state = State::Tag { end, quote: b, prev: b };
                            }
                        }
                        None => {
                            self.state = State::Tag { end, quote: 0, prev: *rest.last().unwrap_or(&prev) };
                            return Step::More;
                        }
                    }
                }
                State::Bang { matched } => {
                    let b = chunk[i];
                    let m = matched as usize;
                    let next = match (m, self.bang_comment, b) {
                        (0, _, b'-') => {
                            self.bang_comment = true;
                            Some(State::Bang { matched: 1 })
                        }
                        (0, _, b'[') => {
                            self.bang_comment = false;
                            Some(State::Bang { matched: 1 })
                        }
                        (1, true, b'-') => Some(State::Section { ch: b'-', run: 0 }),
                        (_, false, _) if b == CDATA[m] => Some(if m + 1 == CDATA.len() { State::Section { ch: b']', run: 0 } } else { State::Bang { matched: matched + 1 } }),
                        _ => None,
                    };
                    match next {
                        Some(st) => self.state = st,
                        None => {
                            let at = i.checked_sub(m + 2);
                            let what = if b == b'D' && m == 0 { "DOCTYPE declarations are refused" } else { "not well-formed: '<!' that starts neither a comment nor a CDATA section" };
                            return Step::Refused(at, what);
                        }
                    }
                    i += 1;
                }
                State::Section { ch, run } => {
                    let b = chunk[i];
                    self.state = match b {
                        _ if b == ch => State::Section { ch, run: run.saturating_add(1) },
                        b'>' if run >= 2 => State::Text,
                        _ => State::Section { ch, run: 0 },
                    };
                    i += 1;
                }
                State::Pi { question } => {
                    let b = chunk[i];
                    self.state = match b {
                        b'>' if question => State::Text,
                        _ => State::Pi { question: b == b'?' },
                    };
                    i += 1;
                }
            }
        }
        Step::More
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Feed `body` in chunks of `n` bytes; return the absolute offset of the end tag's `<`.
    fn end_of(body: &[u8], n: usize) -> Result<usize, &'static str> {
        let mut s = BodyScan::default();
        let mut base = 0;
        for chunk in body.chunks(n) {
            match s.feed(chunk) {
                Step::More => base += chunk.len(),
                Step::End(Some(i)) => return Ok(base + i),
                Step::End(None) => return Ok(base - 1),
                Step::Refused(_, why) => return Err(why),
            }
        }
        Err("eof")
    }

    #[test]
    fn finds_the_matching_end_tag_across_any_chunking() {
        let body: &[u8] = br#"<a x="1>2" y='</PatientCareReport>'><b/><!-- </x> --><![CDATA[</y>]]><?pi </z>?>t&amp;</a>
  <c>
</c></PatientCareReport><after/>"#;
        let want = body.windows(20).rposition(|w| w == b"</PatientCareReport>").unwrap();
        for n in 1..=body.len() {
            assert_eq!(end_of(body, n), Ok(want), "chunk size {n}");
        }
    }

    #[test]
    fn fast_path_agrees_with_the_scan_or_declines() {
        let q = b"PatientCareReport";
        let plain: &[u8] = b"<a x=\"1>2\">t</a>\n<b>PatientCareReport</b></PatientCareReport ><next/>";
        assert_eq!(fast_body_end(plain, q), Some(end_of(plain, 64).unwrap()));
        // Markup that may hide an end tag, a nested start tag, an end tag cut off by the
        // buffer, or a longer name: decline (or skip the lookalike).
        for body in [
            &b"<!-- </PatientCareReport> --></PatientCareReport>"[..],
            b"<![CDATA[x]]></PatientCareReport>",
            b"<?pi x?></PatientCareReport>",
            b"<PatientCareReport></PatientCareReport></PatientCareReport>",
            b"<a/></PatientCareReport",
            b"<a/>",
            // An end tag inside an attribute value (not well-formed): the scan cuts past it.
            b"<a x=\"</PatientCareReport>\"/></PatientCareReport>",
            b"<a x='></PatientCareReport>'/></PatientCareReport>",
        ] {
            assert_eq!(fast_body_end(body, q), None, "{}", String::from_utf8_lossy(body));
        }
        assert_eq!(fast_body_end(b"</PatientCareReportX></PatientCareReport>", q), Some(21));
        assert_eq!(fast_body_end(b"a?b!</PatientCareReport>", q), Some(4));
        // Quotes in text, and quoted '>' in a closed tag, are no hazard.
        let quoted: &[u8] = b"<a x='>'>it's \"so\"</a></PatientCareReport>";
        assert_eq!(fast_body_end(quoted, q), Some(end_of(quoted, 64).unwrap()));
    }

    #[test]
    fn refuses_doctype_and_stray_bang_and_reports_eof() {
        for n in [1, 2, 3, 64] {
            assert_eq!(end_of(b"<a><!DOCTYPE x></a></R>", n), Err("DOCTYPE declarations are refused"));
            assert!(end_of(b"<a><!ELEMENT x></a></R>", n).unwrap_err().starts_with("not well-formed"));
            assert_eq!(end_of(b"<a><b>text", n), Err("eof"));
        }
    }
}
