//! The native national rules (`nemsis::rules`) against the official NEMSIS Schematron test
//! suites: every case in `shared/nemsis/v3.5.{1,0}/SchematronTests/{EMS,DEM,State}` is parsed
//! (release detected from the document), checked record by record with `rules::check` (plus
//! `rules::check_context` once per Header/DEMDataSet context), and compared with the official
//! expected SVRL: the set of (id, role) and the multiset of (id, role, location) must be equal.
//! Each case's `Tests.txt` expectation is checked too. Prints agreement per suite and every
//! disagreement; fails on any. Skipped (with "SKIPPED: ...") when `../shared` is absent.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use nemsis::document::parse_document;
use nemsis::finding::{Finding, Kind};
use nemsis::rules;
use nemsis::split::VersionChoice;

mod common;
use common::svrl::*;

fn shared() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/nemsis");
    p.is_dir().then_some(p)
}

/// Run the national rules over a whole document: (version, findings).
fn run_rules(bytes: &[u8]) -> (String, Vec<Finding>) {
    let doc = parse_document(bytes, VersionChoice::Auto);
    let mut version = String::new();
    let mut out = Vec::new();
    let mut seen_contexts: Vec<*const nemsis::split::Context> = Vec::new();
    for rec in &doc.records {
        let model = rec.schema.model;
        version = model.version.clone();
        let ctx = Arc::as_ptr(&rec.context);
        if !seen_contexts.contains(&ctx) {
            seen_contexts.push(ctx);
            out.extend(rules::check_context(model, &rec.context));
        }
        out.extend(rules::check(model, &rec.context, &rec.tree, rec.raw.index));
    }
    (version, out)
}

#[test]
fn official_schematron_suites_agree_with_native_rules() {
    let Some(base) = shared() else {
        println!("SKIPPED: ../shared/nemsis not found");
        return;
    };
    let mut problems = Vec::new();
    let mut summary = Vec::new();
    for version in ["3.5.1", "3.5.0"] {
        for (suite, dataset) in [("EMS", "EMSDataSet"), ("DEM", "DEMDataSet"), ("State", "StateDataSet")] {
            let dir = base.join(format!("v{version}/SchematronTests/{suite}"));
            if !dir.is_dir() {
                continue;
            }
            let tests = parse_tests_txt(&dir.join("Tests.txt"));
            let mut cases: Vec<PathBuf> =
                std::fs::read_dir(dir.join("xml")).unwrap().map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "xml")).collect();
            cases.sort();
            let (mut pairs_ok, mut locs_ok, mut tt_ok, mut tt_total) = (0, 0, 0, 0);
            let t0 = std::time::Instant::now();
            for case in &cases {
                let name = case.file_name().unwrap().to_string_lossy().to_string();
                let (doc_version, findings) = run_rules(&std::fs::read(case).unwrap());
                if doc_version != version {
                    problems.push(format!("{suite} v{version} {name}: document read as release {doc_version}"));
                }
                assert!(findings.iter().all(|f| f.kind == Kind::Schematron && f.rule.is_some()));
                let got: Vec<Key> = findings.iter().map(|f| (f.rule.clone().unwrap(), f.severity.as_str().to_string(), f.path.clone())).collect();
                let fired: BTreeSet<(String, String)> = got.iter().map(|k| (k.0.clone(), k.1.clone())).collect();
                if let Some(exp) = tests.get(&name) {
                    tt_total += 1;
                    if tests_txt_ok(&name, exp, &fired) {
                        tt_ok += 1;
                    } else {
                        problems.push(format!("{suite} v{version} {name}: Tests.txt expects [{exp}]; fired: {fired:?}"));
                    }
                }
                let svrl = dir.join("svrl").join(&name);
                if !svrl.exists() {
                    problems.push(format!("{suite} v{version} {name}: no expected svrl"));
                    continue;
                }
                let expected = parse_svrl(&svrl);
                let exp_pairs: BTreeSet<(String, String)> = expected.iter().map(|k| (k.0.clone(), k.1.clone())).collect();
                let (e3, g3) = (multiset(&expected), multiset(&got));
                if exp_pairs == fired {
                    pairs_ok += 1;
                }
                if e3 == g3 {
                    locs_ok += 1;
                } else {
                    problems.push(format!("{suite} v{version} {name}: missing {:?}; extra {:?}", diff(&e3, &g3), diff(&g3, &e3)));
                }
            }
            let n = cases.len();
            summary.push(format!(
                "{suite} v{version}: {pairs_ok}/{n} on (id, role); {locs_ok}/{n} on (id, role, location); Tests.txt {tt_ok}/{tt_total}  ({} ids; {} ms)",
                rules::rule_ids(version, dataset).len(),
                t0.elapsed().as_millis()
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

#[test]
fn every_official_id_is_implemented() {
    let Some(base) = shared() else {
        println!("SKIPPED: ../shared/nemsis not found");
        return;
    };
    let id_re = regex::Regex::new(r#"<sch:(?:assert|report)\b[^>]*?\bid="([^"]+)""#).unwrap();
    for version in ["3.5.1", "3.5.0"] {
        for dataset in ["EMSDataSet", "DEMDataSet", "StateDataSet"] {
            let sch = std::fs::read_to_string(base.join(format!("v{version}/Schematron/{dataset}.sch"))).unwrap();
            let official: BTreeSet<String> = id_re.captures_iter(&sch).map(|c| c[1].to_string()).collect();
            let ours: BTreeSet<String> = rules::rule_ids(version, dataset).iter().filter(|i| !i.contains("_rule_")).map(|s| s.to_string()).collect();
            assert_eq!(official, ours, "{dataset} v{version}");
            for id in &official {
                let info = rules::describe(version, dataset, id).unwrap_or_else(|| panic!("{id} not described"));
                assert_eq!(info.id, id);
                assert!(!info.message.is_empty() && !info.context.is_empty());
            }
            println!("{dataset} v{version}: {} official ids, all implemented", official.len());
        }
    }
}
