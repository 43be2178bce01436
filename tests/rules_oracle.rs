//! The native national rules (`nemsis::rules`) against the Saxon Schematron oracle
//! (`shared/tools/oracle/sch-verdict`, the official `.sch` run by SaxonC): on every official
//! document we have (Schematron test cases of both releases, v3.5.1 SampleData and
//! ComplianceTests) and on seeded, rule-directed mutations of them (code swaps within each
//! element's code list, date/time swaps, deletions, nil / Not Value / Pertinent Negative
//! changes, duplications, emptied values). Mutants our XSD validator rejects are left out: on
//! XSD-invalid input the record tree deliberately differs from the raw XML (see
//! `nemsis::rules` docs). Compares the multiset of (id, role, location) per document.
//!
//! `NEMSIS_RULES_MUTATIONS` sets the number of mutants (default 300; 0 for the corpus only).
//! Skipped (with "SKIPPED: ...") when `../shared` or the oracle is absent.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use nemsis::document::parse_document;
use nemsis::finding::Kind;
use nemsis::rules;
use nemsis::schema::model::{Content, Model};
use nemsis::split::VersionChoice;
use quick_xml::events::Event;

mod common;
use common::svrl::{diff, multiset, Key};

fn shared() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    p.join("nemsis").is_dir().then_some(p)
}

fn oracle(shared: &Path) -> Option<PathBuf> {
    let p = shared.join("tools/oracle/sch-verdict");
    let venv = std::env::var_os("NEMSIS_ORACLE_VENV")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/nemsis-oracle/venv"));
    (p.is_file() && venv.join("bin/python3").exists()).then_some(p)
}

fn xml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    let mut v: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
    v.sort();
    for p in v {
        if p.is_dir() {
            xml_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "xml") {
            out.push(p);
        }
    }
}

/// Our findings for a document: (release, XSD-valid, findings as keys).
fn ours(bytes: &[u8]) -> (String, bool, Vec<Key>) {
    let doc = parse_document(bytes, VersionChoice::Auto);
    let mut version = String::new();
    let mut valid = doc.outcome.findings.is_empty() && doc.outcome.well_formed;
    let mut out = Vec::new();
    let mut seen: Vec<*const nemsis::split::Context> = Vec::new();
    for rec in &doc.records {
        let model = rec.schema.model;
        version = model.version.clone();
        valid &= rec.well_formed && !rec.findings.iter().any(|f| matches!(f.kind, Kind::Xsd | Kind::Parse | Kind::Io));
        let ctx = Arc::as_ptr(&rec.context);
        let mut fs = Vec::new();
        if !seen.contains(&ctx) {
            seen.push(ctx);
            fs.extend(rules::check_context(model, &rec.context));
        }
        fs.extend(rules::check(model, &rec.context, &rec.tree, rec.raw.index));
        out.extend(fs.into_iter().map(|f| (f.rule.unwrap(), f.severity.as_str().to_string(), f.path)));
    }
    (version, valid, out)
}

/// The oracle's findings for each file (same order), all files of one release.
fn theirs(oracle: &Path, version: &str, files: &[PathBuf]) -> Vec<Vec<Key>> {
    let mut out = Vec::new();
    for chunk in files.chunks(200) {
        let o = Command::new(oracle).arg("--no-text").arg("--version").arg(version).args(chunk).output().expect("run sch-verdict");
        let text = String::from_utf8_lossy(&o.stdout);
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line).expect("oracle JSON");
            let fs = v["findings"].as_array().cloned().unwrap_or_default();
            out.push(
                fs.iter()
                    .map(|f| (f["id"].as_str().unwrap_or("").to_string(), f["role"].as_str().unwrap_or("").to_string(), f["location"].as_str().unwrap_or("").to_string()))
                    .collect(),
            );
        }
    }
    assert_eq!(out.len(), files.len(), "oracle answered for every file: {}", files.len());
    out
}


// ---- A rule-directed mutator ------------------------------------------------------------

/// splitmix64.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

struct Span {
    qname: String,
    local: String,
    start: usize,
    start_tag_end: usize,
    end: usize,
    leaf: bool,
    text: String,
}

fn spans(doc: &[u8]) -> Vec<Span> {
    let mut r = quick_xml::Reader::from_reader(doc);
    let mut out: Vec<Span> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    loop {
        let before = r.buffer_position() as usize;
        match r.read_event() {
            Ok(Event::Start(e)) => {
                if let Some(&p) = stack.last() {
                    out[p].leaf = false;
                }
                let qname = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                let local = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                out.push(Span { qname, local, start: before, start_tag_end: r.buffer_position() as usize, end: 0, leaf: true, text: String::new() });
                stack.push(out.len() - 1);
            }
            Ok(Event::Empty(e)) => {
                if let Some(&p) = stack.last() {
                    out[p].leaf = false;
                }
                let qname = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                let local = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                let end = r.buffer_position() as usize;
                out.push(Span { qname, local, start: before, start_tag_end: end, end, leaf: true, text: String::new() });
            }
            Ok(Event::Text(t)) => {
                if let Some(&p) = stack.last() {
                    out[p].text.push_str(&String::from_utf8_lossy(t.as_ref()));
                }
            }
            Ok(Event::End(_)) => {
                if let Some(p) = stack.pop() {
                    out[p].end = r.buffer_position() as usize;
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    out
}

/// Every quoted literal in the tests and contexts of a `.sch` (the codes the rules look at).
fn sch_literals(sch: &str) -> Vec<String> {
    let re = regex::Regex::new(r#"(?:test|context)="([^"]*)""#).unwrap();
    let lit = regex::Regex::new(r"'([0-9]{4,9})'").unwrap();
    let mut v: Vec<String> = re.captures_iter(sch).flat_map(|c| lit.captures_iter(&c[1]).map(|l| l[1].to_string()).collect::<Vec<_>>()).collect();
    v.sort();
    v.dedup();
    v
}

fn codes_of(model: &Model, name: &str) -> Vec<String> {
    let Some(e) = model.find(name) else { return vec![] };
    match model.element(e).content {
        Content::Simple { value_type } => model.codes(value_type).iter().map(|c| c.code.clone()).collect(),
        Content::Sequence { .. } => vec![],
    }
}

/// One random rule-directed mutation of `doc`.
fn mutate(doc: &[u8], model: &Model, literals: &[String], rng: &mut Rng) -> Option<Vec<u8>> {
    let sp = spans(doc);
    if sp.len() < 2 {
        return None;
    }
    let i = 1 + rng.below(sp.len() - 1);
    let s = &sp[i];
    let elem = model.find(&s.local)?;
    let decl = model.element(elem);
    let attrs_ok = |a: &str| model.attribute(elem, a).is_some();
    let open = |attrs: &str| format!("<{}{}", s.qname, attrs);
    let replace = |with: &str| -> Vec<u8> {
        let mut out = doc[..s.start].to_vec();
        out.extend_from_slice(with.as_bytes());
        out.extend_from_slice(&doc[s.end..]);
        out
    };
    let set_text = |text: &str| -> Vec<u8> {
        let mut out = doc[..s.start_tag_end].to_vec();
        if doc[s.start_tag_end - 2] == b'/' {
            // <X/> -> <X>text</X>
            out.truncate(s.start_tag_end - 2);
            out.extend_from_slice(format!(">{text}</{}>", s.qname).as_bytes());
        } else {
            out.extend_from_slice(text.as_bytes());
            out.extend_from_slice(format!("</{}>", s.qname).as_bytes());
        }
        out.extend_from_slice(&doc[s.end..]);
        out
    };
    match rng.below(8) {
        // A code from the element's list, preferring codes the rules test.
        0 | 1 if s.leaf => {
            let codes = codes_of(model, &s.local);
            if codes.is_empty() {
                return None;
            }
            let hot: Vec<&String> = codes.iter().filter(|c| literals.contains(c)).collect();
            let code = if !hot.is_empty() && rng.below(3) > 0 { hot[rng.below(hot.len())].clone() } else { codes[rng.below(codes.len())].clone() };
            // Keep attributes (PN, CodeType, ...) of the start tag; drop xsi:nil.
            let tag = String::from_utf8_lossy(&doc[s.start..s.start_tag_end]).replace(" xsi:nil=\"true\"", "").replace("/>", ">");
            let mut out = doc[..s.start].to_vec();
            out.extend_from_slice(tag.as_bytes());
            out.extend_from_slice(code.as_bytes());
            out.extend_from_slice(format!("</{}>", s.qname).as_bytes());
            out.extend_from_slice(&doc[s.end..]);
            Some(out)
        }
        // Swap a date/time with another of the document's.
        2 if s.leaf && s.text.len() >= 19 && s.text.as_bytes()[10] == b'T' => {
            let others: Vec<&Span> = sp.iter().filter(|o| o.leaf && o.text.len() >= 19 && o.text.as_bytes()[10] == b'T' && o.text != s.text).collect();
            if others.is_empty() {
                return None;
            }
            let t = others[rng.below(others.len())].text.clone();
            Some(set_text(&t))
        }
        // Delete the element.
        3 => Some(replace("")),
        // Empty it: nil with a Not Value, nil alone, or nil with a Pertinent Negative.
        4 if s.leaf && decl.nillable => {
            let with = match rng.below(3) {
                0 if attrs_ok("NV") => open(" xsi:nil=\"true\" NV=\"7701003\"/>"),
                1 if attrs_ok("PN") => open(&format!(" xsi:nil=\"true\" PN=\"{}\"/>", ["8801019", "8801023", "8801029"][rng.below(3)])),
                _ => open(" xsi:nil=\"true\"/>"),
            };
            Some(replace(&with))
        }
        // A Pertinent Negative on a value.
        5 if s.leaf && attrs_ok("PN") => {
            let text = String::from_utf8_lossy(&doc[s.start_tag_end..s.end]).to_string();
            let pn = ["8801019", "8801023", "8801029"][rng.below(3)];
            if doc[s.start_tag_end - 2] == b'/' {
                return None;
            }
            let tag = String::from_utf8_lossy(&doc[s.start..s.start_tag_end - 1]).to_string();
            Some(replace(&format!("{tag} PN=\"{pn}\">{text}")))
        }
        // Duplicate it next to itself.
        6 => {
            let copy = doc[s.start..s.end].to_vec();
            let mut out = doc[..s.end].to_vec();
            out.extend_from_slice(&copy);
            out.extend_from_slice(&doc[s.end..]);
            Some(out)
        }
        // An empty value without nil.
        7 if s.leaf => Some(set_text("")),
        _ => None,
    }
}

#[test]
fn native_rules_agree_with_the_saxon_oracle() {
    let Some(shared) = shared() else {
        println!("SKIPPED: ../shared not found");
        return;
    };
    let Some(oracle) = oracle(&shared) else {
        println!("SKIPPED: the Schematron oracle is not set up (run ../shared/tools/oracle/setup)");
        return;
    };
    let n_mut: usize = std::env::var("NEMSIS_RULES_MUTATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(300);
    let base = shared.join("nemsis");
    let mut corpus = Vec::new();
    for v in ["v3.5.1", "v3.5.0"] {
        xml_files(&base.join(v).join("SchematronTests"), &mut corpus);
    }
    xml_files(&base.join("v3.5.1/SampleData"), &mut corpus);
    xml_files(&base.join("v3.5.1/ComplianceTests"), &mut corpus);

    let tmp = tempfile::tempdir().unwrap();
    // (file, release, our findings) of everything to compare.
    let mut docs: Vec<(PathBuf, String, Vec<Key>)> = Vec::new();
    let mut originals: Vec<(Vec<u8>, String)> = Vec::new();
    for p in &corpus {
        let bytes = std::fs::read(p).unwrap();
        let (version, valid, keys) = ours(&bytes);
        if version.is_empty() {
            continue;
        }
        if valid {
            originals.push((bytes, version.clone()));
        }
        docs.push((p.clone(), version, keys));
    }
    // Several Headers and several records per Header (the official cases have one of each).
    for version in ["3.5.1", "3.5.0"] {
        let text = std::fs::read_to_string(base.join(format!("v{version}/SchematronTests/EMS/xml/EMSDataSet-nemSch_e012_A.xml"))).unwrap();
        let (h0, h1) = (text.find("<Header>").unwrap(), text.rfind("</Header>").unwrap() + "</Header>".len());
        let header = &text[h0..h1];
        let (p0, p1) = (header.find("<PatientCareReport").unwrap(), header.rfind("</PatientCareReport>").unwrap() + "</PatientCareReport>".len());
        let three = format!("{}{}{}{}", &header[..p1], &header[p0..p1], &header[p0..p1], &header[p1..]);
        let other_agency = header.replacen("<dAgency.02>", "<dAgency.02>X", 1);
        let doc = format!("{}{}\n{}\n{}{}", &text[..h0], three, other_agency, header, &text[h1..]);
        let path = tmp.path().join(format!("multi-header-{version}.xml"));
        std::fs::write(&path, &doc).unwrap();
        let (v, _, keys) = ours(doc.as_bytes());
        assert_eq!(v, version);
        assert!(keys.iter().any(|k| k.0 == "nemSch_e011" && k.2.starts_with("/EMSDataSet[1]/Header[2]/PatientCareReport[1]/")));
        assert!(keys.iter().any(|k| k.2.starts_with("/EMSDataSet[1]/Header[1]/PatientCareReport[3]/")));
        assert!(keys.iter().any(|k| k.2.starts_with("/EMSDataSet[1]/Header[3]/PatientCareReport[1]/")));
        docs.push((path, v, keys));
    }
    let n_corpus = docs.len();

    let mut rng = Rng(0x005e_ed0f_2026);
    let mut literals: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let (mut made, mut tries, mut invalid) = (0, 0, 0);
    while made < n_mut && tries < n_mut * 30 && !originals.is_empty() {
        tries += 1;
        let (orig, version) = &originals[rng.below(originals.len())];
        let dataset = ["EMSDataSet", "DEMDataSet", "StateDataSet"].into_iter().find(|d| orig.windows(d.len() + 1).any(|w| w[0] == b'<' && &w[1..] == d.as_bytes())).unwrap_or("EMSDataSet");
        let model = nemsis::schema::builtin::model(version, dataset).unwrap();
        let lits = literals.entry(format!("{version}/{dataset}")).or_insert_with(|| sch_literals(&std::fs::read_to_string(base.join(format!("v{version}/Schematron/{dataset}.sch"))).unwrap()));
        let mut doc = orig.clone();
        for _ in 0..1 + rng.below(4) {
            if let Some(d) = mutate(&doc, model, lits, &mut rng) {
                doc = d;
            }
        }
        if doc == *orig {
            continue;
        }
        let (v, valid, keys) = ours(&doc);
        if !valid || v != *version {
            invalid += 1;
            continue;
        }
        let path = tmp.path().join(format!("mutant-{made:05}-{dataset}.xml"));
        std::fs::write(&path, &doc).unwrap();
        docs.push((path, v, keys));
        made += 1;
    }

    let mut problems = Vec::new();
    let (mut agree, mut findings) = (0usize, 0usize);
    let mut fired: BTreeMap<String, usize> = BTreeMap::new();
    for version in ["3.5.1", "3.5.0"] {
        let sel: Vec<&(PathBuf, String, Vec<Key>)> = docs.iter().filter(|d| d.1 == version).collect();
        let files: Vec<PathBuf> = sel.iter().map(|d| d.0.clone()).collect();
        let verdicts = theirs(&oracle, version, &files);
        for ((path, _, got), exp) in sel.iter().zip(verdicts) {
            let (g, e) = (multiset(got), multiset(&exp));
            findings += exp.len();
            for k in &exp {
                *fired.entry(k.0.clone()).or_default() += 1;
            }
            if g == e {
                agree += 1;
            } else {
                problems.push(format!("{} (v{version}): missing {:?}; extra {:?}", path.display(), diff(&e, &g), diff(&g, &e)));
            }
        }
    }
    println!(
        "oracle agreement: {agree}/{} documents ({n_corpus} official or multi-Header, {made} mutants; {invalid} XSD-invalid mutants skipped); {findings} oracle findings of {} rule ids",
        docs.len(),
        fired.len()
    );
    for p in problems.iter().take(40) {
        println!("  {p}");
    }
    assert!(problems.is_empty(), "{} disagreement(s) with the oracle, see above", problems.len());
}
