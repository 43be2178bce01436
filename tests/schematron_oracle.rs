//! The generic Schematron engine against the Saxon oracle (`shared/tools/oracle/sch-verdict`,
//! the same national `.sch` compiled to XSLT and run by SaxonC) on documents beyond the official
//! test cases: v3.5.1 SampleData and ComplianceTests, and seeded mutations of the official
//! Schematron test cases of both releases (values emptied or swapped for codes and dates,
//! Not Value / Pertinent Negative / nil added, elements duplicated or deleted, whitespace
//! padded, UUIDs repeated). Per document: the same multiset of (id, role, location) and the
//! same message texts (minus the clock in "in the future" messages); where Saxon stops with a
//! dynamic error, we must report an evaluation error (role FATAL).
//!
//! `NEMSIS_SCH_MUTATIONS` sets the number of mutants per release (default 150).
//! Skipped (with "SKIPPED: ...") when `../shared` or the oracle's virtualenv is absent.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use nemsis::schematron::{run, Dom, Schema};
use quick_xml::events::{BytesStart, BytesText, Event};

type Key = (String, String, String);

fn shared() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    p.join("nemsis").is_dir().then_some(p)
}

fn oracle(shared: &Path) -> Option<PathBuf> {
    let p = shared.join("tools/oracle/sch-verdict");
    let venv = std::env::var_os("NEMSIS_ORACLE_VENV").map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/nemsis-oracle/venv")
    });
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

/// xorshift64*: deterministic mutations without a crate.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const CODES: &[&str] = &[
    "", "2208013", "3001003", "3001005", "4228001", "4227001", "4227005", "9923003", "3003001", "3003005", "3009009",
    "4230001", "4230003", "9922005", "2205001", "7701003", "S01.1", "T05", "12",
];

fn rand_datetime(r: &mut Rng) -> String {
    let tz = ["-05:00", "+00:00", "Z", "-07:00"][r.below(4)];
    format!("2023-{:02}-{:02}T{:02}:{:02}:00{tz}", 1 + r.below(12), 1 + r.below(28), r.below(24), r.below(60))
}

/// A mutant of `bytes`: a few leaf elements changed.
fn mutate(bytes: &[u8], r: &mut Rng) -> Vec<u8> {
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let mut events: Vec<Event<'static>> = Vec::new();
    loop {
        match reader.read_event() {
            Ok(Event::Eof) | Err(_) => break,
            Ok(e) => events.push(e.into_owned()),
        }
    }
    // Leaves: Start, Text?, End — or Empty.
    let mut leaves = Vec::new();
    for i in 0..events.len() {
        match (&events[i], events.get(i + 1), events.get(i + 2)) {
            (Event::Start(_), Some(Event::End(_)), _)
            | (Event::Start(_), Some(Event::Text(_)), Some(Event::End(_))) => leaves.push(i),
            (Event::Empty(_), _, _) => leaves.push(i),
            _ => {}
        }
    }
    let mut edits: BTreeMap<usize, usize> = BTreeMap::new();
    for _ in 0..1 + r.below(6) {
        if !leaves.is_empty() {
            edits.insert(leaves[r.below(leaves.len())], r.below(8));
        }
    }
    let mut w = quick_xml::Writer::new(Vec::new());
    let mut i = 0;
    while i < events.len() {
        let Some(&kind) = edits.get(&i) else {
            w.write_event(events[i].clone()).unwrap();
            i += 1;
            continue;
        };
        let (start, text, len) = match &events[i] {
            Event::Empty(s) => (s.clone(), String::new(), 1),
            Event::Start(s) => match &events[i + 1] {
                Event::Text(t) => (s.clone(), t.unescape().unwrap_or_default().into_owned(), 3),
                _ => (s.clone(), String::new(), 2),
            },
            _ => unreachable!(),
        };
        let name = String::from_utf8_lossy(start.name().as_ref()).into_owned();
        let leaf = |w: &mut quick_xml::Writer<Vec<u8>>, s: &BytesStart, t: &str| {
            if t.is_empty() {
                w.write_event(Event::Empty(s.clone())).unwrap();
            } else {
                w.write_event(Event::Start(s.clone())).unwrap();
                w.write_event(Event::Text(BytesText::new(t))).unwrap();
                w.write_event(Event::End(s.to_end())).unwrap();
            }
        };
        let with = |attrs: &[(&str, &str)]| {
            let mut s = BytesStart::new(name.clone());
            for a in start.attributes().flatten() {
                if !attrs.iter().any(|(k, _)| k.as_bytes() == a.key.as_ref()) {
                    s.push_attribute(a);
                }
            }
            for (k, v) in attrs {
                s.push_attribute((*k, *v));
            }
            s
        };
        match kind {
            0 => leaf(&mut w, &start, ""),
            1 => leaf(&mut w, &with(&[("xsi:nil", "true"), ("NV", ["7701001", "7701003", "7701005"][r.below(3)])]), ""),
            2 => {
                let pn = ["8801023", "8801029", "8801019", "8801007"][r.below(4)];
                let keep = if r.below(2) == 0 { "" } else { &text };
                let s = if keep.is_empty() { with(&[("PN", pn), ("xsi:nil", "true")]) } else { with(&[("PN", pn)]) };
                leaf(&mut w, &s, keep)
            }
            3 => {
                leaf(&mut w, &start, &text);
                leaf(&mut w, &start, &text);
            }
            4 if name.contains('.') => {} // delete (only data elements, never a whole section)
            5 => leaf(&mut w, &start, &rand_datetime(r)),
            6 => leaf(&mut w, &start, &format!("  {text} ")),
            7 => leaf(&mut w, &with(&[("UUID", ["a", "b"][r.below(2)])]), &text),
            _ => leaf(&mut w, &start, CODES[r.below(CODES.len())]),
        }
        i += len;
    }
    w.into_inner()
}

#[derive(Debug)]
struct Verdict {
    error: bool,
    findings: Vec<(Key, String)>,
}

fn saxon(oracle: &Path, version: &str, files: &[PathBuf]) -> BTreeMap<String, Verdict> {
    let out = Command::new(oracle).arg("--version").arg(version).args(files).output().expect("run sch-verdict");
    let mut m = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines().filter(|l| l.starts_with('{')) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let s = |x: &serde_json::Value, k: &str| x[k].as_str().unwrap_or("").to_string();
        let findings = v["findings"]
            .as_array()
            .map(|a| a.iter().map(|f| ((s(f, "id"), s(f, "role"), s(f, "location")), s(f, "text"))).collect())
            .unwrap_or_default();
        m.insert(s(&v, "file"), Verdict { error: v.get("error").is_some(), findings });
    }
    m
}

fn clock_free(text: &str) -> &str {
    text.split(" (the current time according to this system").next().unwrap_or(text)
}

#[test]
fn saxon_oracle_agrees_beyond_the_suites() {
    let Some(shared) = shared() else {
        println!("SKIPPED: ../shared not found");
        return;
    };
    let Some(oracle) = oracle(&shared) else {
        println!("SKIPPED: the Saxon oracle is not set up (shared/tools/oracle/setup)");
        return;
    };
    let n_mut: usize = std::env::var("NEMSIS_SCH_MUTATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(150);
    let tmp = tempfile::tempdir().unwrap();
    let mut problems = Vec::new();
    for version in ["3.5.1", "3.5.0"] {
        let base = shared.join(format!("nemsis/v{version}"));
        let mut files = Vec::new();
        if version == "3.5.1" {
            xml_files(&base.join("SampleData"), &mut files);
            xml_files(&base.join("ComplianceTests"), &mut files);
            files.retain(|f| !f.to_string_lossy().contains("FailXsd"));
        }
        let mut sources = Vec::new();
        xml_files(&base.join("SchematronTests"), &mut sources);
        sources.retain(|f| f.parent().is_some_and(|d| d.ends_with("xml"))); // not the svrl/ reports
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ version.len() as u64 ^ version.as_bytes()[4] as u64);
        for k in 0..n_mut.min(sources.len() * 4) {
            let src = &sources[rng.below(sources.len())];
            let path = tmp.path().join(format!("v{version}-{k:03}-{}", src.file_name().unwrap().to_string_lossy()));
            std::fs::write(&path, mutate(&std::fs::read(src).unwrap(), &mut rng)).unwrap();
            files.push(path);
        }
        let expected = saxon(&oracle, version, &files);
        let mut schemas: BTreeMap<String, Schema> = BTreeMap::new();
        let (mut agree, mut findings, mut errors) = (0, 0, 0);
        for f in &files {
            let name = f.to_string_lossy().to_string();
            let Some(exp) = expected.get(&name) else {
                problems.push(format!("{name}: no oracle verdict"));
                continue;
            };
            let Ok(dom) = Dom::parse(&std::fs::read(f).unwrap()) else {
                if !exp.error {
                    problems.push(format!("{name}: we cannot parse it, Saxon can"));
                }
                continue;
            };
            let ds = dom.local_name(dom.document_element().unwrap()).to_string();
            let schema = schemas.entry(ds.clone()).or_insert_with(|| {
                Schema::load(&base.join(format!("Schematron/{ds}.sch"))).unwrap_or_else(|e| panic!("{e}"))
            });
            let got = run(schema, &dom);
            if exp.error {
                errors += 1;
                if got.iter().any(|g| g.role == "FATAL") {
                    agree += 1;
                } else {
                    problems.push(format!("{name}: Saxon stopped with an error, we report no evaluation error"));
                }
                continue;
            }
            let mut e: Vec<(Key, String)> =
                exp.findings.iter().map(|(k, t)| (k.clone(), clock_free(t).to_string())).collect();
            let mut g: Vec<(Key, String)> = got
                .iter()
                .map(|x| ((x.id.clone(), x.role.clone(), x.location.clone()), clock_free(&x.text).to_string()))
                .collect();
            e.sort();
            g.sort();
            findings += e.len();
            if e == g {
                agree += 1;
            } else {
                let missing: Vec<_> = e.iter().filter(|x| !g.contains(x)).take(3).collect();
                let extra: Vec<_> = g.iter().filter(|x| !e.contains(x)).take(3).collect();
                problems.push(format!("{name}: missing {missing:?}; extra {extra:?}"));
            }
        }
        println!(
            "v{version}: {agree}/{} documents agree with Saxon ({findings} findings; {errors} documents where Saxon stops with a dynamic error)",
            files.len()
        );
    }
    for p in &problems {
        println!("  {p}");
    }
    assert!(problems.is_empty(), "{} disagreement(s), see above", problems.len());
}
