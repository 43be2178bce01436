//! The record lexer: a well-formedness-checking XML tokenizer over one record's bytes.
//!
//! Workers parse each record once (see [`super::xsd::validate_record`]); this lexer is that
//! parse. It replaces a general-purpose pull parser on the hot path because a record is a
//! complete slice in memory: it can hand out borrowed tokens with no buffering, track line
//! and column as it goes (no second pass over the bytes to index newlines), check end-tag
//! names against its own stack of open names, and parse attributes once, into a reused list,
//! while checking their syntax.
//!
//! It checks what XML 1.0 requires of the markup a record may hold (element and attribute
//! syntax, names, matching end tags, unique attributes, `<` never inside attribute values,
//! comments without `--`, CDATA sections, processing instructions, `]]>` never in text) and
//! refuses a DOCTYPE or an XML declaration inside a record. Entity and character references are
//! left to the caller's unescaping (which refuses unknown entities). UTF-8 is checked by the
//! caller over the whole record at once. The scans for text and names go 16 bytes at a time
//! ([`super::scan16`]).

/// A token. Text and attribute values are raw (not yet unescaped).
#[derive(Debug, PartialEq, Eq)]
pub enum Token<'r> {
    /// A start tag; its attributes are in [`Lexer::attrs`] until the next call. `empty` for `<x/>`.
    Start { qname: &'r [u8], empty: bool },
    /// An end tag (its name matched the open element's).
    End,
    /// Character data between markup; `amp` when it holds a reference to unescape, `ws`
    /// when it is only whitespace (indentation).
    Text { raw: &'r [u8], amp: bool, ws: bool },
    /// The content of a CDATA section.
    CData(&'r [u8]),
    /// End of the bytes.
    Eof,
}

/// A well-formedness error at a byte offset of the record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexError {
    pub offset: usize,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

/// See the module documentation.
pub struct Lexer<'r> {
    bytes: &'r [u8],
    pos: usize,
    line: u32,
    /// Offset of the current line's first byte, as if the record's first line started at
    /// `1 - base_column` (so column = offset - line_start + 1 on every line).
    line_start: i64,
    /// Position of the last token's first byte.
    tok_line: u32,
    tok_column: u32,
    /// Qualified names of the open elements (ranges of `bytes`).
    open: Vec<(u32, u32)>,
    /// Attributes of the last start tag: (qualified name, raw value).
    pub attrs: Vec<(&'r [u8], &'r [u8])>,
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

use super::scan16;

/// Whether `b` may start a name (bytes >= 0x80 are parts of UTF-8 sequences, checked by the
/// caller, and are taken as name characters; see [`scan16::is_name_char`] for the rest).
fn is_name_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b == b':' || b >= 0x80
}

/// Equality of two short byte strings (names) without a call to `memcmp`.
#[inline]
pub fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n >= 8 {
        // Two overlapping 8-byte words cover names of 8 to 16 bytes; longer ones compare the rest.
        let w = |s: &[u8], i: usize| u64::from_le_bytes(s[i..i + 8].try_into().unwrap());
        if w(a, 0) != w(b, 0) || w(a, n - 8) != w(b, n - 8) {
            return false;
        }
        return n <= 16 || a[8..n - 8] == b[8..n - 8];
    }
    a.iter().zip(b).all(|(x, y)| x == y)
}

impl<'r> Lexer<'r> {
    /// A lexer over `bytes`, whose first byte is at (`line`, `column`) of the document.
    pub fn new(bytes: &'r [u8], line: u32, column: u32) -> Self {
        Lexer { bytes, pos: 0, line, line_start: 1 - column as i64, tok_line: line, tok_column: column, open: Vec::new(), attrs: Vec::new() }
    }

    /// Line and column of the last token's first byte.
    pub fn token_position(&self) -> (u32, u32) {
        (self.tok_line, self.tok_column)
    }

    /// Line and column of the next unread byte.
    pub fn position(&self) -> (u32, u32) {
        self.position_of(self.pos)
    }

    /// Number of open elements.
    pub fn depth(&self) -> usize {
        self.open.len()
    }

    /// Line and column of a byte offset at or after the current line's start.
    fn position_of(&self, offset: usize) -> (u32, u32) {
        (self.line, (offset as i64 - self.line_start + 1) as u32)
    }

    /// Account for the newlines in `bytes[from..to]`.
    #[inline]
    fn lines(&mut self, from: usize, to: usize) {
        let seg = &self.bytes[from..to];
        if seg.len() <= 32 {
            // Short runs (indentation, most values): a plain loop beats two searches.
            for (k, &c) in seg.iter().enumerate() {
                if c == b'\n' {
                    self.line += 1;
                    self.line_start = (from + k + 1) as i64;
                }
            }
            return;
        }
        if let Some(last) = memchr::memrchr(b'\n', seg) {
            self.line += 1 + memchr::memchr_iter(b'\n', &seg[..last]).count() as u32;
            self.line_start = (from + last + 1) as i64;
        }
    }

    #[cold]
    #[inline(never)]
    fn error<T>(&mut self, offset: usize, message: impl Into<String>) -> Result<T, LexError> {
        // Count lines up to the offset (it is never before the last accounted position of
        // the token being read, which starts on a known line).
        let from = (self.line_start.max(0) as usize).min(offset);
        self.lines(from, offset);
        let (line, column) = self.position_of(offset);
        self.pos = self.bytes.len();
        Err(LexError { offset, line, column, message: format!("not well-formed: {}", message.into()) })
    }

    /// The next token.
    pub fn next_token(&mut self) -> Result<Token<'r>, LexError> {
        let b = self.bytes;
        let start = self.pos;
        if start >= b.len() {
            return Ok(Token::Eof);
        }
        self.tok_line = self.line;
        self.tok_column = (start as i64 - self.line_start + 1) as u32;
        if b[start] != b'<' {
            let run = scan16::text_run(b, start);
            let text = &b[start..run.end];
            // `]]>` may not occur in character data.
            if run.gt {
                if let Some(j) = memchr::memmem::find(text, b"]]>") {
                    return self.error(start + j, "']]>' is not allowed in text");
                }
            }
            if let Some(ls) = run.line_start {
                self.line += run.newlines;
                self.line_start = ls as i64;
            }
            self.pos = run.end;
            return Ok(Token::Text { raw: text, amp: run.amp, ws: run.ws });
        }
        match b.get(start + 1) {
            Some(b'/') => self.end_tag(start),
            Some(b'!') => self.bang(start),
            Some(b'?') => self.pi(start),
            _ => self.start_tag(start),
        }
    }

    /// A name starting at `i`; returns its end.
    #[inline]
    fn name(&mut self, i: usize, what: &str) -> Result<usize, LexError> {
        let b = self.bytes;
        if !b.get(i).copied().is_some_and(is_name_start) {
            return self.error(i, format!("{what}: a name was expected (a bare '<' or '&' in text must be written &lt; or &amp;)"));
        }
        Ok(scan16::name_end(b, i + 1))
    }

    /// Skip XML whitespace from `i`, counting lines; returns the first other offset.
    #[inline]
    fn skip_ws(&mut self, mut i: usize) -> usize {
        let b = self.bytes;
        while i < b.len() && is_ws(b[i]) {
            if b[i] == b'\n' {
                self.line += 1;
                self.line_start = i as i64 + 1;
            }
            i += 1;
        }
        i
    }

    fn start_tag(&mut self, lt: usize) -> Result<Token<'r>, LexError> {
        let b = self.bytes;
        let name_end = self.name(lt + 1, "start tag")?;
        let qname = &b[lt + 1..name_end];
        self.attrs.clear();
        let mut i = name_end;
        loop {
            let after_ws = self.skip_ws(i);
            match b.get(after_ws) {
                Some(b'>') => {
                    self.open.push(((lt + 1) as u32, (name_end - lt - 1) as u32));
                    self.pos = after_ws + 1;
                    return Ok(Token::Start { qname, empty: false });
                }
                Some(b'/') => {
                    if b.get(after_ws + 1) != Some(&b'>') {
                        return self.error(after_ws, format!("'/' in the start tag of {} must be followed by '>'", String::from_utf8_lossy(qname)));
                    }
                    self.pos = after_ws + 2;
                    return Ok(Token::Start { qname, empty: true });
                }
                None => return self.error(b.len(), format!("the start tag of {} is not closed", String::from_utf8_lossy(qname))),
                Some(_) if after_ws == i => {
                    return self.error(i, format!("attributes of {} must be separated by whitespace", String::from_utf8_lossy(qname)));
                }
                Some(_) => {}
            }
            // An attribute: name, '=', quoted value.
            let an = after_ws;
            let an_end = self.name(an, "attribute")?;
            let key = &b[an..an_end];
            let eq = self.skip_ws(an_end);
            if b.get(eq) != Some(&b'=') {
                return self.error(eq, format!("attribute {} has no value (expected '=')", String::from_utf8_lossy(key)));
            }
            let q = self.skip_ws(eq + 1);
            let quote = match b.get(q) {
                Some(&c @ (b'"' | b'\'')) => c,
                _ => return self.error(q, format!("the value of attribute {} must be quoted", String::from_utf8_lossy(key))),
            };
            let Some(len) = memchr::memchr(quote, &b[q + 1..]) else {
                return self.error(q, format!("the value of attribute {} is not closed", String::from_utf8_lossy(key)));
            };
            let value = &b[q + 1..q + 1 + len];
            if let Some(k) = memchr::memchr(b'<', value) {
                return self.error(q + 1 + k, format!("'<' is not allowed in the value of attribute {}", String::from_utf8_lossy(key)));
            }
            if self.attrs.iter().any(|(k, _)| *k == key) {
                return self.error(an, format!("attribute {} is given twice", String::from_utf8_lossy(key)));
            }
            self.lines(q + 1, q + 1 + len);
            self.attrs.push((key, value));
            i = q + 2 + len;
        }
    }

    fn end_tag(&mut self, lt: usize) -> Result<Token<'r>, LexError> {
        let b = self.bytes;
        // The common case, `</name>` closing the open element, is one comparison.
        if let Some(&(s, l)) = self.open.last() {
            let (s, l) = (s as usize, l as usize);
            let close = lt + 2 + l;
            if b.get(close) == Some(&b'>') && same_bytes(&b[s..s + l], &b[lt + 2..close]) {
                self.open.pop();
                self.pos = close + 1;
                return Ok(Token::End);
            }
        }
        let name_end = self.name(lt + 2, "end tag")?;
        let name = &b[lt + 2..name_end];
        let close = self.skip_ws(name_end);
        if b.get(close) != Some(&b'>') {
            return self.error(close, format!("the end tag of {} is not closed with '>'", String::from_utf8_lossy(name)));
        }
        match self.open.last() {
            Some(&(s, l)) if same_bytes(&b[s as usize..(s + l) as usize], name) => {
                self.open.pop();
                self.pos = close + 1;
                Ok(Token::End)
            }
            Some(&(s, l)) => {
                let open = String::from_utf8_lossy(&b[s as usize..(s + l) as usize]).into_owned();
                self.error(lt, format!("end tag </{}> does not match the open element <{open}>", String::from_utf8_lossy(name)))
            }
            None => self.error(lt, format!("end tag </{}> without a start tag", String::from_utf8_lossy(name))),
        }
    }

    /// `<!--`, `<![CDATA[` or a refused `<!DOCTYPE`.
    fn bang(&mut self, lt: usize) -> Result<Token<'r>, LexError> {
        let b = self.bytes;
        let rest = &b[lt..];
        if rest.starts_with(b"<!--") {
            let body = lt + 4;
            let Some(k) = memchr::memmem::find(&b[body..], b"--") else {
                return self.error(lt, "the comment is not closed");
            };
            if b.get(body + k + 2) != Some(&b'>') {
                return self.error(body + k, "'--' is not allowed inside a comment");
            }
            self.lines(body, body + k);
            self.pos = body + k + 3;
            return self.next_token();
        }
        if rest.starts_with(b"<![CDATA[") {
            let body = lt + 9;
            let Some(k) = memchr::memmem::find(&b[body..], b"]]>") else {
                return self.error(lt, "the CDATA section is not closed");
            };
            self.lines(body, body + k);
            self.pos = body + k + 3;
            return Ok(Token::CData(&b[body..body + k]));
        }
        if rest.starts_with(b"<!DOCTYPE") {
            let (line, column) = self.position_of(lt);
            self.pos = b.len();
            return Err(LexError { offset: lt, line, column, message: "DOCTYPE declarations are refused".into() });
        }
        self.error(lt, "'<!' that starts neither a comment nor a CDATA section")
    }

    /// A processing instruction (skipped); `<?xml` is refused inside a record.
    fn pi(&mut self, lt: usize) -> Result<Token<'r>, LexError> {
        let b = self.bytes;
        let target_end = self.name(lt + 2, "processing instruction")?;
        if b[lt + 2..target_end].eq_ignore_ascii_case(b"xml") {
            return self.error(lt, "an XML declaration is allowed only at the start of the document");
        }
        let Some(k) = memchr::memmem::find(&b[target_end..], b"?>") else {
            return self.error(lt, "the processing instruction is not closed");
        };
        if k > 0 && !is_ws(b[target_end]) {
            return self.error(target_end, "a processing instruction's target must be followed by whitespace");
        }
        self.lines(target_end, target_end + k);
        self.pos = target_end + k + 2;
        self.next_token()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(s: &str) -> Result<Vec<String>, LexError> {
        let mut lx = Lexer::new(s.as_bytes(), 1, 1);
        let mut out = Vec::new();
        loop {
            let t = lx.next_token()?;
            let (l, c) = lx.token_position();
            out.push(match t {
                Token::Eof => break,
                Token::Start { qname, empty } => {
                    let attrs: Vec<String> = lx.attrs.iter().map(|(k, v)| format!("{}={}", String::from_utf8_lossy(k), String::from_utf8_lossy(v))).collect();
                    format!("{l}:{c} <{}{}{}>", String::from_utf8_lossy(qname), if attrs.is_empty() { String::new() } else { format!(" {}", attrs.join(" ")) }, if empty { "/" } else { "" })
                }
                Token::End => format!("{l}:{c} end"),
                Token::Text { raw, .. } => format!("{l}:{c} {:?}", String::from_utf8_lossy(raw)),
                Token::CData(t) => format!("{l}:{c} cdata {:?}", String::from_utf8_lossy(t)),
            });
        }
        Ok(out)
    }

    fn error(s: &str) -> (u32, u32, String) {
        let e = tokens(s).unwrap_err();
        (e.line, e.column, e.message)
    }

    #[test]
    fn tokens_carry_positions_and_attributes() {
        let t = tokens("<a x=\"1\" y='2'>\n  <b/><!-- c -->t&amp;<![CDATA[<z>]]>\n</a>").unwrap();
        assert_eq!(t, vec!["1:1 <a x=1 y=2>", "1:16 \"\\n  \"", "2:3 <b/>", "2:17 \"t&amp;\"", "2:23 cdata \"<z>\"", "2:38 \"\\n\"", "3:1 end"]);
        // A record starting mid-line: columns continue from the base column.
        let mut lx = Lexer::new(b"<a>\n<b>", 7, 5);
        lx.next_token().unwrap();
        assert_eq!(lx.token_position(), (7, 5));
        lx.next_token().unwrap();
        lx.next_token().unwrap();
        assert_eq!(lx.token_position(), (8, 1));
    }

    #[test]
    fn multi_line_tags_and_values_count_lines() {
        let t = tokens("<a\n x=\"1\n2\"\n>t</a>").unwrap();
        assert_eq!(t[1], "4:2 \"t\"");
    }

    #[test]
    fn refuses_malformed_markup_where_it_is() {
        assert_eq!(error("<a>\n<b></c>\n</a>"), (2, 4, "not well-formed: end tag </c> does not match the open element <b>".into()));
        assert!(error("<a>x < y</a>").2.contains("a name was expected"));
        assert!(error("<a x=1></a>").2.contains("must be quoted"));
        assert!(error("<a x=\"1\"y=\"2\"></a>").2.contains("separated by whitespace"));
        assert!(error("<a x=\"1\" x=\"2\"></a>").2.contains("given twice"));
        assert!(error("<a x=\"<\"></a>").2.contains("'<' is not allowed"));
        assert!(error("<a>\n<!-- a -- b -->\n</a>").0 == 2);
        assert!(error("<a>]]></a>").2.contains("']]>'"));
        assert!(error("<a><?xml version=\"1.0\"?></a>").2.contains("XML declaration"));
        assert_eq!(error("<a><!DOCTYPE x></a>").2, "DOCTYPE declarations are refused");
        assert!(error("<a><!ELEMENT x></a>").2.contains("'<!'"));
        assert!(error("<a x=\"1\"").2.contains("not closed"));
        assert!(error("</a>").2.contains("without a start tag"));
    }

    #[test]
    fn processing_instructions_and_comments_are_skipped() {
        assert_eq!(tokens("<a><?pi data?><!---->x</a>").unwrap(), vec!["1:1 <a>", "1:22 \"x\"", "1:23 end"]);
    }
}
