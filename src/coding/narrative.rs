//! Narrative versus coded procedures (§11.6): a fixed lexicon with negation windows; no other
//! text analysis. Messages name lexicon triggers and sentence numbers, never narrative text.

use super::care::{Care, YES};
use super::findings::{FindingCode as F, Findings};
use super::view::Pcr;

/// R-NAR-3: a class of the lexicon, its triggers (space-separated tokens) and its codes.
struct Class {
    name: &'static str,
    triggers: &'static [&'static str],
    codes: &'static [&'static str],
}

const CLASSES: &[Class] = &[
    Class { name: "ET_INTUBATION", triggers: &["intubated", "intubation", "intubate", "endotracheal", "ett", "rsi"], codes: &["232674004", "450601000124103", "241689008"] },
    Class { name: "DEFIBRILLATION", triggers: &["defibrillated", "defibrillation", "shocked"], codes: &["426220008", "450661000124102"] },
    Class { name: "CARDIOVERSION", triggers: &["cardioverted", "cardioversion"], codes: &["250980009"] },
    Class { name: "PACING", triggers: &["paced", "pacing", "tcp"], codes: &["18590009"] },
    Class { name: "CHEST_DECOMPRESSION", triggers: &["needle decompression", "decompressed", "needle thoracostomy", "chest decompression"], codes: &["182705007"] },
    Class { name: "INTRAOSSEOUS", triggers: &["intraosseous", "io"], codes: &["430824005"] },
    Class { name: "AMBULATION", triggers: &["ambulated", "ambulating", "ambulatory", "walked", "walking", "walk"], codes: &[] },
];

/// R-NAR-2 negation words before (up to 3 tokens) and after (up to 2 tokens) a trigger.
const PRE: &[&str] = &["no", "not", "without", "refused", "refuses", "declined", "declines", "deferred", "withheld", "denied", "denies", "never", "unable", "cannot", "non", "contraindicated"];
const POST: &[&str] = &["not", "refused", "declined", "deferred", "withheld", "denied", "contraindicated", "unsuccessful"];

/// R-NAR-1: the narrative lower-cased, its tokens (byte ranges of maximal runs of `[a-z0-9]`
/// in the lower-cased text) and its sentences (ranges of tokens; split at `.` `!` `?` `;` and
/// line breaks, not at a `.` between two digits; empty sentences dropped).
///
/// Working on the bytes of the lower-cased text is the same as working on its characters:
/// every byte of a non-ASCII character is ≥ 0x80, so it is never a token character, a digit
/// or a sentence mark, exactly like the character it belongs to.
pub struct Sentences {
    lower: String,
    tokens: Vec<(u32, u32)>,
    sentences: Vec<(u32, u32)>,
}

impl Sentences {
    /// How many (non-empty) sentences.
    pub fn len(&self) -> usize {
        self.sentences.len()
    }

    #[cfg(test)]
    pub fn is_empty(&self) -> bool {
        self.sentences.is_empty()
    }

    /// The tokens of sentence `i` (0-based), as byte ranges.
    fn sentence(&self, i: usize) -> &[(u32, u32)] {
        let (a, b) = self.sentences[i];
        &self.tokens[a as usize..b as usize]
    }

    fn text(&self, t: (u32, u32)) -> &str {
        &self.lower[t.0 as usize..t.1 as usize]
    }

    /// Sentence `i` as its tokens.
    #[cfg(test)]
    fn words(&self, i: usize) -> Vec<&str> {
        self.sentence(i).iter().map(|t| self.text(*t)).collect()
    }
}

/// R-NAR-1: lower-case, split into sentences and tokens (see [`Sentences`]).
pub fn sentences(text: &str) -> Sentences {
    let lower = text.to_lowercase();
    let b = lower.as_bytes();
    // About one token per six bytes of clinical prose: reserve once rather than grow.
    let mut tokens: Vec<(u32, u32)> = Vec::with_capacity(b.len() / 6 + 8);
    let mut sentences: Vec<(u32, u32)> = Vec::with_capacity(b.len() / 48 + 4);
    let mut sentence_start = 0usize; // index in `tokens`
    let mut tok: Option<usize> = None; // byte where the current token began
    for (i, &c) in b.iter().enumerate() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            tok.get_or_insert(i);
            continue;
        }
        if let Some(s) = tok.take() {
            tokens.push((s as u32, i as u32));
        }
        let decimal_point = c == b'.' && i > 0 && b[i - 1].is_ascii_digit() && b.get(i + 1).is_some_and(|n| n.is_ascii_digit());
        if matches!(c, b'.' | b'!' | b'?' | b';' | b'\n' | b'\r') && !decimal_point {
            if tokens.len() > sentence_start {
                sentences.push((sentence_start as u32, tokens.len() as u32));
            }
            sentence_start = tokens.len();
        }
    }
    if let Some(s) = tok {
        tokens.push((s as u32, b.len() as u32));
    }
    if tokens.len() > sentence_start {
        sentences.push((sentence_start as u32, tokens.len() as u32));
    }
    Sentences { lower, tokens, sentences }
}

/// Occurrences of one class: (asserted, negated) sentence numbers (1-based). Only the sets
/// matter (R-NAR-4 lists them sorted and without repeats).
#[derive(Debug, Default)]
struct Hits {
    asserted: Vec<usize>,
    negated: Vec<usize>,
}

/// The lexicon's triggers split into tokens once, with a filter on the first token: bit
/// `first_char(w)` of `first[len(w)]` is set for the first token `w` of some trigger, so
/// most narrative tokens are dismissed without a string comparison.
struct Lexicon {
    /// (class index, tokens) of every trigger.
    triggers: Vec<(usize, Vec<&'static str>)>,
    first: Vec<u64>,
}

/// 0..36 for `[a-z0-9]`, None otherwise (a trigger token with another first character can
/// never match a narrative token).
fn first_char(w: &str) -> Option<u32> {
    match *w.as_bytes().first()? {
        c @ b'a'..=b'z' => Some((c - b'a') as u32),
        c @ b'0'..=b'9' => Some(26 + (c - b'0') as u32),
        _ => None,
    }
}

fn lexicon() -> &'static Lexicon {
    static LEXICON: std::sync::OnceLock<Lexicon> = std::sync::OnceLock::new();
    LEXICON.get_or_init(|| {
        let mut triggers = Vec::new();
        let mut first: Vec<u64> = Vec::new();
        for (ci, class) in CLASSES.iter().enumerate() {
            for trig in class.triggers {
                let t: Vec<&'static str> = trig.split(' ').collect();
                if let Some(bit) = first_char(t[0]) {
                    if first.len() <= t[0].len() {
                        first.resize(t[0].len() + 1, 0);
                    }
                    first[t[0].len()] |= 1 << bit;
                }
                triggers.push((ci, t));
            }
        }
        Lexicon { triggers, first }
    })
}

/// R-NAR-2: find every occurrence of every class's triggers and classify it; the hits of
/// class `CLASSES[i]` are at index `i`.
fn scan_all(sents: &Sentences) -> Vec<Hits> {
    let lex = lexicon();
    let mut hits: Vec<Hits> = CLASSES.iter().map(|_| Hits::default()).collect();
    for si in 0..sents.len() {
        let s = sents.sentence(si);
        for start in 0..s.len() {
            let w = sents.text(s[start]);
            let candidate = lex.first.get(w.len()).is_some_and(|m| first_char(w).is_some_and(|b| m & (1 << b) != 0));
            if !candidate {
                continue;
            }
            for (ci, t) in &lex.triggers {
                if t.len() > s.len() - start || !t.iter().zip(&s[start..]).all(|(a, b)| *a == sents.text(*b)) {
                    continue;
                }
                let end = start + t.len(); // one past the last token
                let before = &s[start.saturating_sub(3)..start];
                let after = &s[end..(end + 2).min(s.len())];
                let negated = before.iter().any(|w| PRE.contains(&sents.text(*w))) || after.iter().any(|w| POST.contains(&sents.text(*w)));
                if negated {
                    hits[*ci].negated.push(si + 1);
                } else {
                    hits[*ci].asserted.push(si + 1);
                }
            }
        }
    }
    hits
}

fn sentence_list(v: &[usize]) -> String {
    let mut v = v.to_vec();
    v.sort_unstable();
    v.dedup();
    v.iter().map(|n| n.to_string()).collect::<Vec<_>>().join(", ")
}

/// R-NAR-4: narrative findings (each code at most once per PCR).
pub fn check(p: &Pcr, care: &Care, bed_confined: bool, f: &mut Findings) {
    let Some(text) = p.value("eNarrative.01") else { return };
    let hits = scan_all(&sentences(text));
    let mut not_coded = Vec::new();
    let mut contradicts = Vec::new();
    for (class, h) in CLASSES.iter().zip(&hits) {
        if class.codes.is_empty() {
            if bed_confined && !h.asserted.is_empty() {
                f.add(
                    F::NarrativeContradictsBedConfinement,
                    format!(
                        "bed confinement is documented ({}; {}; {}) but the narrative asserts ambulation (sentence {})",
                        p.show_values("ePayment.41"),
                        p.show_values("ePayment.04"),
                        p.show_values("ePayment.47"),
                        sentence_list(&h.asserted)
                    ),
                );
            }
            continue;
        }
        // Any group with a class code without PN counts as coded (prior/other-unit included).
        let coded = care.procedures.iter().any(|x| class.codes.contains(&x.code));
        if !h.asserted.is_empty() && !coded {
            not_coded.push(format!("{} (sentence {}; codes {})", class.name, sentence_list(&h.asserted), class.codes.join("/")));
        }
        if h.asserted.is_empty() && !h.negated.is_empty() {
            if let Some(x) = care.counted_procedures().find(|x| class.codes.contains(&x.code) && x.successful == Some(YES)) {
                contradicts.push(format!("{} is negated in the narrative (sentence {}) but eProcedures.03 = {} is coded as performed and successful (eProcedures.06 = {YES})", class.name, sentence_list(&h.negated), x.code));
            }
        }
    }
    if !not_coded.is_empty() {
        f.add(F::NarrativeProcedureNotCoded, format!("the narrative (eNarrative.01) describes procedures that no eProcedures.03 codes: {}", not_coded.join("; ")));
    }
    if !contradicts.is_empty() {
        f.add(F::NarrativeContradictsProcedure, contradicts.join("; "));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sentences as space-joined tokens.
    fn toks(s: &str) -> Vec<String> {
        let sents = sentences(s);
        (0..sents.len()).map(|i| sents.words(i).join(" ")).collect()
    }

    /// The hits of one class.
    fn scan(sents: &Sentences, class: &Class) -> Hits {
        let i = CLASSES.iter().position(|c| std::ptr::eq(c, class)).expect("a lexicon class");
        scan_all(sents).swap_remove(i)
    }

    #[test]
    fn r_nar_1_sentences_and_tokens() {
        assert_eq!(toks("Pt intubated w/ 7.5 ETT. BP 120/80; HR 90!\nOK? yes"), ["pt intubated w 7 5 ett", "bp 120 80", "hr 90", "ok", "yes"]);
        // a '.' without digits on both sides splits; non-ASCII letters separate tokens
        assert_eq!(toks("v.5 and 5.x; Ünable"), ["v", "5 and 5", "x", "nable"]);
        assert!(sentences("...;;\n\n").is_empty());
    }

    #[test]
    fn r_nar_2_windows() {
        let class = &CLASSES[0]; // ET_INTUBATION
        let h = scan(&sentences("Not able to be intubated. Tube deferred intubate not."), class);
        // "not able to be intubated": "not" is 4 tokens before → asserted;
        // "intubate not": POST window → negated
        assert_eq!((h.asserted, h.negated), (vec![1], vec![2]));
        let decompression = &CLASSES[4];
        let h = scan(&sentences("no needle decompression; needle decompression unsuccessful"), decompression);
        assert_eq!((h.asserted, h.negated), (vec![], vec![1, 2]));
    }

    /// The straightforward first implementation of R-NAR-1/R-NAR-2 (a `Vec<char>` of the
    /// lower-cased text, a `String` per token, each trigger split and slid over each
    /// sentence), kept as the reference the faster one must agree with.
    fn reference_sentences(text: &str) -> Vec<Vec<String>> {
        let lower: Vec<char> = text.to_lowercase().chars().collect();
        let mut out = Vec::new();
        let mut tokens: Vec<String> = Vec::new();
        let mut tok = String::new();
        for (i, &c) in lower.iter().enumerate() {
            if c.is_ascii_lowercase() || c.is_ascii_digit() {
                tok.push(c);
                continue;
            }
            if !tok.is_empty() {
                tokens.push(std::mem::take(&mut tok));
            }
            let decimal_point = c == '.' && i > 0 && lower[i - 1].is_ascii_digit() && lower.get(i + 1).is_some_and(|n| n.is_ascii_digit());
            if matches!(c, '.' | '!' | '?' | ';' | '\n' | '\r') && !decimal_point {
                out.push(std::mem::take(&mut tokens));
            }
        }
        if !tok.is_empty() {
            tokens.push(tok);
        }
        out.push(tokens);
        out.retain(|s| !s.is_empty());
        out
    }

    fn reference_scan(sents: &[Vec<String>], class: &Class) -> (Vec<usize>, Vec<usize>) {
        let (mut asserted, mut negated) = (Vec::new(), Vec::new());
        for (si, s) in sents.iter().enumerate() {
            for trig in class.triggers {
                let t: Vec<&str> = trig.split(' ').collect();
                if t.len() > s.len() {
                    continue;
                }
                for start in 0..=(s.len() - t.len()) {
                    if !t.iter().zip(&s[start..]).all(|(a, b)| *a == b.as_str()) {
                        continue;
                    }
                    let end = start + t.len();
                    let before = &s[start.saturating_sub(3)..start];
                    let after = &s[end..(end + 2).min(s.len())];
                    if before.iter().any(|w| PRE.contains(&w.as_str())) || after.iter().any(|w| POST.contains(&w.as_str())) {
                        negated.push(si + 1);
                    } else {
                        asserted.push(si + 1);
                    }
                }
            }
        }
        (asserted, negated)
    }

    /// Seeded random narratives built from triggers, negation words, digits, punctuation,
    /// line breaks and non-ASCII characters whose lower case is ASCII or several characters
    /// (`İ`, the Kelvin sign, `ẞ`): tokens, sentences and the hits of every class agree with
    /// the reference (hits compared as sorted lists: only the sets are used).
    #[test]
    fn r_nar_1_2_agree_with_the_reference() {
        let mut words: Vec<&str> = CLASSES.iter().flat_map(|c| c.triggers.iter().copied()).collect();
        words.extend(PRE.iter().chain(POST));
        words.extend(["Pt", "INTUBATED", "Io", "7", "7.5", "v.5", "5.", ".5", "a", "to", "the", "ETT", "İo", "\u{212A}", "ẞ", "Ünable", "née", "e\u{301}tt"]);
        let seps = [" ", " ", " ", " ", ". ", ".", "; ", "!", "?", "\n", "\r\n", ",", "/", "-", " \u{a0}", "…", "。", "\u{130}"];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let (mut asserted, mut negated) = (0, 0);
        for _ in 0..3000 {
            let mut text = String::new();
            for _ in 0..next(40) {
                text.push_str(words[next(words.len())]);
                text.push_str(seps[next(seps.len())]);
            }
            let reference = reference_sentences(&text);
            let fast = sentences(&text);
            let got: Vec<Vec<String>> = (0..fast.len()).map(|i| fast.words(i).iter().map(|w| w.to_string()).collect()).collect();
            assert_eq!(got, reference, "{text:?}");
            let hits = scan_all(&fast);
            for (class, h) in CLASSES.iter().zip(hits) {
                let (mut a, mut n) = (h.asserted, h.negated);
                let (mut ra, mut rn) = reference_scan(&reference, class);
                for v in [&mut a, &mut n, &mut ra, &mut rn] {
                    v.sort_unstable();
                }
                asserted += a.len();
                negated += n.len();
                assert_eq!((a, n), (ra, rn), "{} in {text:?}", class.name);
            }
        }
        // the texts exercise both outcomes plentifully
        assert!(asserted > 1000 && negated > 1000, "{asserted} asserted, {negated} negated");
    }
}
