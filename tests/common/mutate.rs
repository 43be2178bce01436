//! Seeded random mutations of NEMSIS documents for differential tests: delete, duplicate or
//! reorder an element; corrupt a value (code, date, number, text); stray, missing or bad
//! attributes; nil misuse; wrong namespace; unknown element names.
#![allow(dead_code)]

use quick_xml::events::Event;

/// splitmix64: small, seedable, good enough for choosing mutations.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    pub fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
}

/// An element's byte spans in the document.
#[derive(Debug, Clone)]
pub struct Span {
    pub name: String,
    pub start: usize,
    /// End of the start tag (just after `>`).
    pub start_tag_end: usize,
    /// End of the element (just after its end tag).
    pub end: usize,
    pub parent: Option<usize>,
    pub leaf: bool,
    pub empty_tag: bool,
}

pub fn spans(doc: &[u8]) -> Vec<Span> {
    let mut r = quick_xml::Reader::from_reader(doc);
    let mut out: Vec<Span> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    loop {
        let before = r.buffer_position() as usize;
        match r.read_event() {
            Ok(Event::Start(e)) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                if let Some(&p) = stack.last() {
                    out[p].leaf = false;
                }
                out.push(Span { name, start: before, start_tag_end: r.buffer_position() as usize, end: 0, parent: stack.last().copied(), leaf: true, empty_tag: false });
                stack.push(out.len() - 1);
            }
            Ok(Event::Empty(e)) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                if let Some(&p) = stack.last() {
                    out[p].leaf = false;
                }
                let end = r.buffer_position() as usize;
                out.push(Span { name, start: before, start_tag_end: end, end, parent: stack.last().copied(), leaf: true, empty_tag: true });
            }
            Ok(Event::End(_)) => {
                if let Some(i) = stack.pop() {
                    out[i].end = r.buffer_position() as usize;
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    out.retain(|s| s.end > 0);
    out
}

const BAD_VALUES: &[&str] = &[
    "X99", "", " ", "abc", "2023-13-45T10:00:00-05:00", "2023-02-29", "2024-02-29", "2023-06-01T25:00:00-05:00",
    "2023-06-01T10:00:00", "2023-06-01T10:00:00Z", "1.2345678", "-1", "0", "99999999999999999999", "1e5", "12.5",
    "9999999", "3101001", "7701001", "8801019", "A00.0", "R99", "Y92.009", "00000", "2205001", "true",
];

/// Apply one random mutation; returns the mutated document and a short description.
pub fn mutate(doc: &[u8], rng: &mut Rng) -> Option<(Vec<u8>, String)> {
    let sp = spans(doc);
    if sp.len() < 3 {
        return None;
    }
    // never mutate the root element itself
    let idx = 1 + rng.below(sp.len() - 1);
    let s = sp[idx].clone();
    let mut out = Vec::with_capacity(doc.len() + 64);
    let kind = rng.below(11);
    let desc;
    match kind {
        0 => {
            out.extend_from_slice(&doc[..s.start]);
            out.extend_from_slice(&doc[s.end..]);
            desc = format!("delete {}", s.name);
        }
        1 => {
            out.extend_from_slice(&doc[..s.end]);
            out.extend_from_slice(&doc[s.start..s.end]);
            out.extend_from_slice(&doc[s.end..]);
            desc = format!("duplicate {}", s.name);
        }
        2 => {
            // swap with the next sibling
            let next = sp.iter().enumerate().skip(idx + 1).find(|(_, t)| t.parent == s.parent && t.start >= s.end).map(|(i, _)| i)?;
            let t = &sp[next];
            out.extend_from_slice(&doc[..s.start]);
            out.extend_from_slice(&doc[t.start..t.end]);
            out.extend_from_slice(&doc[s.end..t.start]);
            out.extend_from_slice(&doc[s.start..s.end]);
            out.extend_from_slice(&doc[t.end..]);
            desc = format!("swap {} and {}", s.name, t.name);
        }
        3 | 4 | 5 => {
            // corrupt a leaf's value
            let leaves: Vec<&Span> = sp.iter().filter(|t| t.leaf && !t.empty_tag).collect();
            let t = rng.pick(&leaves);
            let v = *rng.pick(BAD_VALUES);
            let close = doc[..t.end].iter().rposition(|b| *b == b'<')?;
            out.extend_from_slice(&doc[..t.start_tag_end]);
            out.extend_from_slice(v.as_bytes());
            out.extend_from_slice(&doc[close..]);
            desc = format!("value of {} := {v:?}", t.name);
        }
        6 => {
            let attr = *rng.pick(&[" foo=\"1\"", " NV=\"7701003\"", " PN=\"8801015\"", " NV=\"1234\"", " CorrelationID=\"x\"", " UUID=\"not-a-uuid\"", " xml:lang=\"en\""]);
            insert_in_start_tag(doc, &s, attr, &mut out);
            desc = format!("attribute{attr} on {}", s.name);
        }
        7 => {
            // remove or corrupt an existing attribute somewhere
            let with_attr: Vec<&Span> = sp.iter().filter(|t| doc[t.start..t.start_tag_end].contains(&b'=') && t.parent.is_some()).collect();
            if with_attr.is_empty() {
                return None;
            }
            let t = rng.pick(&with_attr);
            let tag = String::from_utf8_lossy(&doc[t.start..t.start_tag_end]).into_owned();
            let q1 = tag.find('"')?;
            let q2 = q1 + 1 + tag[q1 + 1..].find('"')?;
            let attr_start = tag[..q1].rfind(' ')?;
            let new_tag = if rng.below(2) == 0 {
                desc = format!("remove an attribute of {}", t.name);
                format!("{}{}", &tag[..attr_start], &tag[q2 + 1..])
            } else {
                desc = format!("bad attribute value on {}", t.name);
                format!("{}9999999{}", &tag[..q1 + 1], &tag[q2..])
            };
            out.extend_from_slice(&doc[..t.start]);
            out.extend_from_slice(new_tag.as_bytes());
            out.extend_from_slice(&doc[t.start_tag_end..]);
        }
        8 => {
            // nil: on a random element (content kept), or on an emptied leaf
            if rng.below(2) == 0 {
                insert_in_start_tag(doc, &s, " xsi:nil=\"true\"", &mut out);
                desc = format!("xsi:nil on {} with content", s.name);
            } else {
                let leaves: Vec<&Span> = sp.iter().filter(|t| t.leaf && !t.empty_tag).collect();
                let t = rng.pick(&leaves);
                let nv = *rng.pick(&["", " NV=\"7701003\"", " NV=\"7701001\"", " PN=\"8801015\""]);
                let name = &t.name;
                out.extend_from_slice(&doc[..t.start]);
                out.extend_from_slice(format!("<{name} xsi:nil=\"true\"{nv}/>").as_bytes());
                out.extend_from_slice(&doc[t.end..]);
                desc = format!("{name} := nil{nv}");
            }
        }
        9 => {
            insert_in_start_tag(doc, &s, " xmlns=\"http://example.com/other\"", &mut out);
            desc = format!("wrong namespace on {}", s.name);
        }
        _ => {
            // rename the element (start and end tag)
            let new = format!("{}X", s.name);
            let tag = String::from_utf8_lossy(&doc[s.start..s.start_tag_end]).replacen(&s.name, &new, 1);
            out.extend_from_slice(&doc[..s.start]);
            out.extend_from_slice(tag.as_bytes());
            if s.empty_tag {
                out.extend_from_slice(&doc[s.end..]);
            } else {
                let close = doc[..s.end].iter().rposition(|b| *b == b'<')?;
                out.extend_from_slice(&doc[s.start_tag_end..close]);
                out.extend_from_slice(format!("</{new}>").as_bytes());
                out.extend_from_slice(&doc[s.end..]);
            }
            desc = format!("rename {} to {new}", s.name);
        }
    }
    Some((out, desc))
}

fn insert_in_start_tag(doc: &[u8], s: &Span, text: &str, out: &mut Vec<u8>) {
    let name_end = s.start + 1 + s.name.len();
    out.extend_from_slice(&doc[..name_end]);
    out.extend_from_slice(text.as_bytes());
    out.extend_from_slice(&doc[name_end..]);
}
