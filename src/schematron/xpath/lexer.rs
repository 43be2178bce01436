//! XPath 2.0 tokens. Names are lexed as NCName/QName (so `eTimes.03` and `current-dateTime` are
//! single names); whether a name is an operator keyword is decided by the parser from position.

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// `local` or `prefix:local`.
    Name(Option<String>, String),
    /// `prefix:*`
    PrefixStar(String),
    /// `*:local`
    StarLocal(String),
    Star,
    Str(String),
    Int(String),
    Dec(String),
    Dbl(String),
    Var(Option<String>, String),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Slash,
    SlashSlash,
    At,
    Dot,
    DotDot,
    ColonColon,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    LtLt,
    GtGt,
    Plus,
    Minus,
    Pipe,
    Question,
    Eof,
}

#[derive(Debug, Clone)]
pub struct Token {
    pub tok: Tok,
    /// Byte offset in the expression.
    pub pos: usize,
}

fn is_name_start(c: char) -> bool {
    c.is_alphabetic() || c == '_'
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | '\u{B7}')
}

/// Split an expression into tokens; `Err((offset, message))` on a lexical error.
pub fn lex(src: &str) -> Result<Vec<Token>, (usize, String)> {
    let chars: Vec<(usize, char)> = src.char_indices().collect();
    let at = |i: usize| chars.get(i).map(|c| c.1);
    let off = |i: usize| chars.get(i).map_or(src.len(), |c| c.0);
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i].1;
        let pos = chars[i].0;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        // Comments (: ... :), nested.
        if c == '(' && at(i + 1) == Some(':') {
            let mut depth = 0;
            loop {
                match (at(i), at(i + 1)) {
                    (Some('('), Some(':')) => {
                        depth += 1;
                        i += 2;
                    }
                    (Some(':'), Some(')')) => {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    }
                    (Some(_), _) => i += 1,
                    (None, _) => return Err((pos, "unterminated comment".into())),
                }
            }
            continue;
        }
        let name = |i: &mut usize| -> String {
            let s = *i;
            while at(*i).is_some_and(is_name_char) {
                *i += 1;
            }
            src[off(s)..off(*i)].to_string()
        };
        let tok = if is_name_start(c) {
            let first = name(&mut i);
            if at(i) == Some(':') && at(i + 1).is_some_and(is_name_start) {
                i += 1;
                let local = name(&mut i);
                Tok::Name(Some(first), local)
            } else if at(i) == Some(':') && at(i + 1) == Some('*') {
                i += 2;
                Tok::PrefixStar(first)
            } else {
                Tok::Name(None, first)
            }
        } else if c.is_ascii_digit() || (c == '.' && at(i + 1).is_some_and(|d| d.is_ascii_digit())) {
            let s = i;
            while at(i).is_some_and(|d| d.is_ascii_digit()) {
                i += 1;
            }
            let mut dec = false;
            if at(i) == Some('.') && at(i + 1) != Some('.') {
                dec = true;
                i += 1;
                while at(i).is_some_and(|d| d.is_ascii_digit()) {
                    i += 1;
                }
            }
            let mut dbl = false;
            if matches!(at(i), Some('e' | 'E')) {
                let mut j = i + 1;
                if matches!(at(j), Some('+' | '-')) {
                    j += 1;
                }
                if at(j).is_some_and(|d| d.is_ascii_digit()) {
                    dbl = true;
                    i = j;
                    while at(i).is_some_and(|d| d.is_ascii_digit()) {
                        i += 1;
                    }
                }
            }
            if at(i).is_some_and(is_name_start) {
                return Err((off(i), "a number must not be followed directly by a name".into()));
            }
            let text = src[off(s)..off(i)].to_string();
            if dbl {
                Tok::Dbl(text)
            } else if dec {
                Tok::Dec(text)
            } else {
                Tok::Int(text)
            }
        } else if c == '"' || c == '\'' {
            let mut s = String::new();
            i += 1;
            loop {
                match at(i) {
                    None => return Err((pos, "unterminated string literal".into())),
                    Some(q) if q == c => {
                        if at(i + 1) == Some(c) {
                            s.push(c);
                            i += 2;
                        } else {
                            i += 1;
                            break;
                        }
                    }
                    Some(o) => {
                        s.push(o);
                        i += 1;
                    }
                }
            }
            Tok::Str(s)
        } else if c == '$' {
            i += 1;
            while at(i).is_some_and(char::is_whitespace) {
                i += 1;
            }
            if !at(i).is_some_and(is_name_start) {
                return Err((pos, "expected a variable name after `$`".into()));
            }
            let first = name(&mut i);
            if at(i) == Some(':') && at(i + 1).is_some_and(is_name_start) {
                i += 1;
                Tok::Var(Some(first), name(&mut i))
            } else {
                Tok::Var(None, first)
            }
        } else if c == '*' && at(i + 1) == Some(':') && at(i + 2).is_some_and(is_name_start) {
            i += 2;
            Tok::StarLocal(name(&mut i))
        } else {
            let two = (c, at(i + 1));
            let (t, n) = match two {
                ('/', Some('/')) => (Tok::SlashSlash, 2),
                ('.', Some('.')) => (Tok::DotDot, 2),
                (':', Some(':')) => (Tok::ColonColon, 2),
                ('!', Some('=')) => (Tok::Ne, 2),
                ('<', Some('=')) => (Tok::Le, 2),
                ('>', Some('=')) => (Tok::Ge, 2),
                ('<', Some('<')) => (Tok::LtLt, 2),
                ('>', Some('>')) => (Tok::GtGt, 2),
                ('(', _) => (Tok::LParen, 1),
                (')', _) => (Tok::RParen, 1),
                ('[', _) => (Tok::LBracket, 1),
                (']', _) => (Tok::RBracket, 1),
                (',', _) => (Tok::Comma, 1),
                ('/', _) => (Tok::Slash, 1),
                ('@', _) => (Tok::At, 1),
                ('.', _) => (Tok::Dot, 1),
                ('=', _) => (Tok::Eq, 1),
                ('<', _) => (Tok::Lt, 1),
                ('>', _) => (Tok::Gt, 1),
                ('+', _) => (Tok::Plus, 1),
                ('-', _) => (Tok::Minus, 1),
                ('|', _) => (Tok::Pipe, 1),
                ('?', _) => (Tok::Question, 1),
                ('*', _) => (Tok::Star, 1),
                _ => return Err((pos, format!("unexpected character `{c}`"))),
            };
            i += n;
            t
        };
        out.push(Token { tok, pos });
    }
    out.push(Token { tok: Tok::Eof, pos: src.len() });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexes_nemsis_names() {
        let t: Vec<Tok> = lex("../nem:eTimes.01 != '' and xs:dateTime(.) >= current-dateTime() - 1.5")
            .unwrap()
            .into_iter()
            .map(|t| t.tok)
            .collect();
        assert_eq!(t[0], Tok::DotDot);
        assert_eq!(t[2], Tok::Name(Some("nem".into()), "eTimes.01".into()));
        assert_eq!(t[5], Tok::Name(None, "and".into()));
        assert!(t.contains(&Tok::Name(None, "current-dateTime".into())));
        assert!(t.contains(&Tok::Dec("1.5".into())));
    }
}
