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

/// R-NAR-1: lower-case, split into sentences at `.` `!` `?` `;` and line breaks (not at a `.`
/// between two digits), and each sentence into maximal runs of `[a-z0-9]`.
pub fn sentences(text: &str) -> Vec<Vec<String>> {
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

/// Occurrences of one class: (asserted, negated) sentence numbers (1-based).
#[derive(Debug, Default)]
struct Hits {
    asserted: Vec<usize>,
    negated: Vec<usize>,
}

/// R-NAR-2: find every occurrence of the class's triggers and classify it.
fn scan(sents: &[Vec<String>], class: &Class) -> Hits {
    let mut hits = Hits::default();
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
                let end = start + t.len(); // one past the last token
                let before = &s[start.saturating_sub(3)..start];
                let after = &s[end..(end + 2).min(s.len())];
                let negated = before.iter().any(|w| PRE.contains(&w.as_str())) || after.iter().any(|w| POST.contains(&w.as_str()));
                if negated {
                    hits.negated.push(si + 1);
                } else {
                    hits.asserted.push(si + 1);
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
    let sents = sentences(text);
    let mut not_coded = Vec::new();
    let mut contradicts = Vec::new();
    for class in CLASSES {
        let h = scan(&sents, class);
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
        sentences(s).iter().map(|x| x.join(" ")).collect()
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
}
