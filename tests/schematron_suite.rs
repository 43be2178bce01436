//! The native Schematron engine against the official NEMSIS Schematron test suites: every case in
//! `shared/nemsis/v3.5.{1,0}/SchematronTests/{EMS,DEM,State}` is run through the matching national
//! `.sch` and compared with the official expected SVRL on the set of (id, role) and on the
//! multiset of (id, role, location). Also checks each case's `Tests.txt` expected result.
//! Skipped (with "SKIPPED: ...") when `../shared` is absent.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use nemsis::schematron::dom::NodeKind;
use nemsis::schematron::{run_with, Dom, RunOptions, Schema};

const SVRL: &str = "http://purl.oclc.org/dsdl/svrl";

type Key = (String, String, String);

fn shared() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/nemsis");
    p.is_dir().then_some(p)
}

/// Port of `nemsis_oracle.normalize_location`: every spelling of a location to
/// `/EMSDataSet[1]/Header[1]/...`.
fn normalize_location(loc: &str) -> String {
    let step_re = regex::Regex::new(
        r"^(?:\*:|Q\{[^}]*\}|[A-Za-z_][\w.\-]*:)?(?P<name>@?[A-Za-z_][\w.\-]*|@\*:?[\w.\-]*|text\(\)|comment\(\)|\*)(?P<preds>(?:\[[^\]]*\])*)$",
    )
    .unwrap();
    let pred_re = regex::Regex::new(r"\[([^\]]*)\]").unwrap();
    let (mut steps, mut buf, mut db, mut dq) = (Vec::new(), String::new(), 0i32, 0i32);
    for c in loc.trim().chars() {
        match c {
            '{' => dq += 1,
            '}' => dq -= 1,
            '[' => db += 1,
            ']' => db -= 1,
            _ => {}
        }
        if c == '/' && db == 0 && dq == 0 {
            steps.push(std::mem::take(&mut buf));
        } else {
            buf.push(c);
        }
    }
    steps.push(buf);
    let mut out = Vec::new();
    for s in steps.iter().filter(|s| !s.is_empty()) {
        let Some(m) = step_re.captures(s) else {
            out.push(s.clone());
            continue;
        };
        let name = &m["name"];
        if let Some(a) = name.strip_prefix('@') {
            out.push(format!("@{}", a.rsplit(':').next().unwrap_or(a).replace('*', "")));
            continue;
        }
        let pos = pred_re
            .captures_iter(&m["preds"])
            .map(|c| c[1].trim().to_string())
            .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            .last();
        out.push(format!("{name}[{}]", pos.unwrap_or_else(|| "1".into())));
    }
    format!("/{}", out.join("/"))
}

/// Findings of an SVRL report: (id, role, location); the id falls back to the last fired rule's.
fn parse_svrl(path: &Path) -> Vec<Key> {
    let dom = Dom::parse(&std::fs::read(path).unwrap()).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Vec::new();
    let mut last_rule = String::new();
    for n in 0..dom.len() as u32 {
        if dom.kind(n) != NodeKind::Element || dom.namespace_uri(n) != SVRL {
            continue;
        }
        let attr = |a: &str| dom.attribute(n, "", a).unwrap_or("").to_string();
        match dom.local_name(n) {
            "fired-rule" => last_rule = attr("id"),
            "failed-assert" | "successful-report" => {
                let id = Some(attr("id")).filter(|s| !s.is_empty()).unwrap_or_else(|| last_rule.clone());
                let role = attr("role").trim().trim_matches(|c| c == '[' || c == ']').to_string();
                out.push((id, role, normalize_location(&attr("location"))));
            }
            _ => {}
        }
    }
    out
}

/// `Tests.txt`: file name -> expected result (PASS, ERROR, WARNING).
fn parse_tests_txt(path: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let Ok(text) = std::fs::read_to_string(path) else { return out };
    let mut current = None;
    for line in text.lines() {
        if let Some(f) = line.strip_prefix("File:") {
            current = Some(f.trim().to_string());
        }
        if let (Some(r), Some(c)) = (line.strip_prefix("Expected Result:"), &current) {
            out.insert(c.clone(), r.trim().trim_matches(|c| c == '[' || c == ']').to_string());
        }
    }
    out
}

/// Whether the fired (id, role) pairs meet the case's documented expectation.
fn tests_txt_ok(case: &str, expected: &str, fired: &BTreeSet<(String, String)>) -> bool {
    let re = regex::Regex::new(r"-(nemSch_\w+?)(?:_[A-Z]+)?\.xml$").unwrap();
    let Some(m) = re.captures(case) else { return expected != "PASS" || fired.is_empty() };
    let rule = &m[1];
    if expected == "PASS" {
        return !fired.iter().any(|(i, _)| i == rule);
    }
    fired.contains(&(rule.to_string(), expected.to_string()))
}

fn multiset(v: &[Key]) -> BTreeMap<Key, usize> {
    let mut m = BTreeMap::new();
    for k in v {
        *m.entry(k.clone()).or_insert(0) += 1;
    }
    m
}

fn diff(a: &BTreeMap<Key, usize>, b: &BTreeMap<Key, usize>) -> Vec<String> {
    let mut out = Vec::new();
    for (k, &n) in a {
        let m = b.get(k).copied().unwrap_or(0);
        for _ in m..n {
            out.push(format!("{} {} {}", k.0, k.1, k.2));
        }
    }
    out
}

#[test]
fn official_schematron_suites_agree() {
    let Some(base) = shared() else {
        println!("SKIPPED: ../shared/nemsis not found");
        return;
    };
    let opts = RunOptions { now: None };
    let mut problems = Vec::new();
    let mut summary = Vec::new();
    for version in ["3.5.1", "3.5.0"] {
        for (suite, dataset) in [("EMS", "EMSDataSet"), ("DEM", "DEMDataSet"), ("State", "StateDataSet")] {
            let dir = base.join(format!("v{version}/SchematronTests/{suite}"));
            if !dir.is_dir() {
                continue;
            }
            let sch = base.join(format!("v{version}/Schematron/{dataset}.sch"));
            let t0 = std::time::Instant::now();
            let schema = Schema::load(&sch).unwrap_or_else(|e| panic!("{e}"));
            let load_ms = t0.elapsed().as_millis();
            let tests = parse_tests_txt(&dir.join("Tests.txt"));
            let mut cases: Vec<PathBuf> = std::fs::read_dir(dir.join("xml"))
                .unwrap()
                .map(|e| e.unwrap().path())
                .filter(|p| p.extension().is_some_and(|e| e == "xml"))
                .collect();
            cases.sort();
            let (mut pairs_ok, mut locs_ok, mut tt_ok, mut tt_total) = (0, 0, 0, 0);
            let t1 = std::time::Instant::now();
            for case in &cases {
                let name = case.file_name().unwrap().to_string_lossy().to_string();
                let dom = Dom::parse(&std::fs::read(case).unwrap()).unwrap_or_else(|e| panic!("{name}: {e}"));
                let got: Vec<Key> =
                    run_with(&schema, &dom, &opts).into_iter().map(|f| (f.id, f.role, f.location)).collect();
                let fired: BTreeSet<(String, String)> = got.iter().map(|k| (k.0.clone(), k.1.clone())).collect();
                if let Some(exp) = tests.get(&name) {
                    tt_total += 1;
                    if tests_txt_ok(&name, exp, &fired) {
                        tt_ok += 1;
                    } else {
                        problems
                            .push(format!("{suite} v{version} {name}: Tests.txt expects [{exp}]; fired: {fired:?}"));
                    }
                }
                let svrl = dir.join("svrl").join(&name);
                if !svrl.exists() {
                    problems.push(format!("{suite} v{version} {name}: no expected svrl"));
                    continue;
                }
                let expected = parse_svrl(&svrl);
                let exp_pairs: BTreeSet<(String, String)> =
                    expected.iter().map(|k| (k.0.clone(), k.1.clone())).collect();
                let (e3, g3) = (multiset(&expected), multiset(&got));
                if exp_pairs == fired {
                    pairs_ok += 1;
                }
                if e3 == g3 {
                    locs_ok += 1;
                } else {
                    problems.push(format!(
                        "{suite} v{version} {name}: missing {:?}; extra {:?}",
                        diff(&e3, &g3),
                        diff(&g3, &e3)
                    ));
                }
            }
            let n = cases.len();
            summary.push(format!(
                "{suite} v{version}: {pairs_ok}/{n} on (id, role); {locs_ok}/{n} on (id, role, location); Tests.txt {tt_ok}/{tt_total}  (load {load_ms} ms, run {} ms)",
                t1.elapsed().as_millis()
            ));
        }
    }
    for s in &summary {
        println!("{s}");
    }
    for p in &problems {
        println!("  {p}");
    }
    assert!(problems.is_empty(), "{} disagreement(s), see above", problems.len());
}
