//! XPath 2.0 regular expressions (XML Schema syntax plus `^`/`$` and reluctant quantifiers),
//! translated to the `regex` crate. Constructs the crate cannot express (back-references,
//! `\i`/`\c`, `\p{Is…}` blocks) are refused with a message.

use regex::Regex;

/// A compiled XPath regular expression.
#[derive(Debug, Clone)]
pub struct XRegex {
    pub re: Regex,
    /// The XPath source (for `Expr::Regex` used as a plain string).
    pub src: String,
}

/// Translate and compile `pattern` with XPath `flags` (s, m, i, x, q).
pub fn compile_regex(pattern: &str, flags: &str) -> Result<XRegex, String> {
    let mut dot_all = false;
    let mut prefix = String::new();
    let (mut strip_ws, mut literal) = (false, false);
    for f in flags.chars() {
        match f {
            's' => dot_all = true,
            'm' => prefix.push_str("(?m)"),
            'i' => prefix.push_str("(?i)"),
            'x' => strip_ws = true,
            'q' => literal = true,
            _ => return Err(format!("invalid regular expression flag `{f}`")),
        }
    }
    let body = if literal { regex::escape(pattern) } else { translate(pattern, dot_all, strip_ws)? };
    let re = Regex::new(&format!("{prefix}{body}"))
        .map_err(|e| format!("invalid regular expression: {}", first_line(&e.to_string())))?;
    Ok(XRegex { re, src: pattern.to_string() })
}

fn first_line(s: &str) -> &str {
    s.lines().last().unwrap_or(s)
}

fn translate(p: &str, dot_all: bool, strip_ws: bool) -> Result<String, String> {
    let chars: Vec<char> = p.chars().collect();
    let mut out = String::new();
    let mut depth = 0usize; // inside a character class (nesting for subtraction)
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if strip_ws && depth == 0 && matches!(c, ' ' | '\t' | '\n' | '\r') {
            i += 1;
            continue;
        }
        match c {
            '\\' => {
                let Some(&e) = chars.get(i + 1) else { return Err("regular expression ends with `\\`".into()) };
                i += 2;
                match e {
                    's' => out.push_str(if depth > 0 { " \\t\\n\\r" } else { "[ \\t\\n\\r]" }),
                    'S' => out.push_str("[^ \\t\\n\\r]"),
                    'w' => out.push_str("[^\\p{P}\\p{Z}\\p{C}]"),
                    'W' => out.push_str(if depth > 0 { "\\p{P}\\p{Z}\\p{C}" } else { "[\\p{P}\\p{Z}\\p{C}]" }),
                    'd' | 'D' | 'n' | 'r' | 't' => {
                        out.push('\\');
                        out.push(e);
                    }
                    'i' | 'I' | 'c' | 'C' => return Err(format!("`\\{e}` (XML name characters) is not supported")),
                    '1'..='9' => return Err("back-references are not supported".into()),
                    'p' | 'P' => {
                        let end = chars[i..].iter().position(|&x| x == '}').map(|k| i + k);
                        let Some(end) = end else { return Err("unterminated `\\p{`".into()) };
                        let name: String = chars[i + 1..end].iter().collect();
                        if name.starts_with("Is") {
                            return Err(format!("Unicode block escape `\\{e}{{{name}}}` is not supported"));
                        }
                        out.push('\\');
                        out.push(e);
                        out.extend(&chars[i..=end]);
                        i = end + 1;
                    }
                    other => {
                        out.push('\\');
                        out.push(other);
                    }
                }
                continue;
            }
            '[' => {
                depth += 1;
                out.push('[');
                if chars.get(i + 1) == Some(&'^') {
                    out.push('^');
                    i += 1;
                }
            }
            ']' if depth > 0 => {
                depth -= 1;
                out.push(']');
            }
            '-' if depth > 0 && chars.get(i + 1) == Some(&'[') => out.push_str("--"),
            '&' | '~' if depth > 0 => {
                out.push('\\');
                out.push(c);
            }
            '.' if depth == 0 => out.push_str(if dot_all { "(?s:.)" } else { "[^\\n\\r]" }),
            _ => out.push(c),
        }
        i += 1;
    }
    Ok(out)
}

/// Translate an XPath replacement string (`$N`, `\$`, `\\`) to the `regex` crate's syntax.
pub fn translate_replacement(r: &str) -> Result<String, String> {
    let chars: Vec<char> = r.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '\\' => match chars.get(i + 1) {
                Some('\\') => out.push('\\'),
                Some('$') => out.push_str("$$"),
                _ => return Err("invalid `\\` in replacement string".into()),
            },
            '$' => {
                let start = i + 1;
                let mut end = start;
                while chars.get(end).is_some_and(|c| c.is_ascii_digit()) {
                    end += 1;
                }
                if end == start {
                    return Err("invalid `$` in replacement string".into());
                }
                out.push_str("${");
                out.extend(&chars[start..end]);
                out.push('}');
                i = end;
                continue;
            }
            c => out.push(c),
        }
        i += if chars[i] == '\\' { 2 } else { 1 };
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn translates() {
        let r = compile_regex("^(S|T(0\\d|1[0-4]))", "").unwrap();
        assert!(r.re.is_match("T05.1"));
        assert!(!r.re.is_match("T15"));
        assert!(compile_regex("^[0-9]{2,7}$", "").unwrap().re.is_match("1234"));
        assert!(compile_regex("[a-z-[aeiou]]+", "").unwrap().re.is_match("xyz"));
        assert!(compile_regex("(a)\\1", "").is_err());
        assert_eq!(translate_replacement("$1-\\$").unwrap(), "${1}-$$");
    }
}
