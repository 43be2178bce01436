//! The native Schematron engine against the official NEMSIS Schematron test suites: every case in
//! `shared/nemsis/v3.5.{1,0}/SchematronTests/{EMS,DEM,State}` is run through the matching national
//! `.sch` and compared with the official expected SVRL on the set of (id, role) and on the
//! multiset of (id, role, location). Also checks each case's `Tests.txt` expected result.
//! Skipped (with "SKIPPED: ...") when `../shared` is absent.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use nemsis::schematron::{run_with, Dom, RunOptions, Schema};


mod common;
use common::svrl::*;

fn shared() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/nemsis");
    p.is_dir().then_some(p)
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
