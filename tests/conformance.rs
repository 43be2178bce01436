//! Differential XSD conformance: our verdicts against xmllint (`../shared/tools/oracle/xsd-verdict`)
//! on every XML file under `../shared/nemsis` and on seeded random mutations of them.
//!
//! Agreement: the same valid/invalid verdict, and where xmllint names an invalid element we
//! report a finding at that element (we may report more: xmllint stops early in some content
//! models). `NEMSIS_MUTATIONS` sets the number of mutations (CI: 300; `make conformance`: 3000).

mod common;

use common::mutate::{mutate, Rng};
use nemsis::pipeline::Options;
use nemsis::split::VersionChoice;
use nemsis::validate::report::{validate_paths, DocReport};
use serde_json::Value;
use std::path::PathBuf;

fn ours(files: &[PathBuf], version: &'static str) -> Vec<DocReport> {
    let inputs: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    let opts = Options { threads: 2, version: VersionChoice::Fixed(version) };
    let reports = validate_paths(&inputs, &opts).unwrap();
    assert_eq!(reports.len(), files.len(), "one report per file");
    reports
}

/// Compare; returns a description of each disagreement.
fn compare(files: &[PathBuf], ours: &[DocReport], oracle: &[Value], what: &[String]) -> Vec<String> {
    let mut bad = Vec::new();
    for (i, (r, o)) in ours.iter().zip(oracle).enumerate() {
        let valid = o["valid"].as_bool().unwrap();
        let name = format!("{} ({})", files[i].display(), what.get(i).map(String::as_str).unwrap_or("official file"));
        if r.xsd_valid != valid {
            bad.push(format!("{name}: xmllint says valid={valid}, we say {}; xmllint: {}; ours: {:?}", r.xsd_valid, o["errors"], r.findings.iter().map(|f| (&f.element, f.line, &f.message)).collect::<Vec<_>>()));
            continue;
        }
        for e in o["errors"].as_array().unwrap() {
            let Some(el) = e["element"].as_str() else { continue };
            if !r.findings.iter().any(|f| f.element.as_deref() == Some(el)) {
                bad.push(format!("{name}: xmllint blames {el} (line {}: {}), we report {:?}", e["line"], e["message"], r.findings.iter().map(|f| (&f.element, f.line, &f.message)).collect::<Vec<_>>()));
            }
        }
    }
    bad
}

#[test]
fn official_files_agree_with_xmllint() {
    let (Some(dir), Some(oracle)) = (common::nemsis_dir(), common::xsd_oracle()) else { return };
    let mut total = 0;
    let mut bad = Vec::new();
    for version in ["3.5.1", "3.5.0"] {
        let files = common::xml_files(&dir.join(format!("v{version}")));
        let o = common::oracle_verdicts(&oracle, version, &files);
        let r = ours(&files, version);
        total += files.len();
        bad.extend(compare(&files, &r, &o, &[]));
    }
    eprintln!("official files: {total} compared, {} disagreements", bad.len());
    assert!(bad.is_empty(), "{} disagreements:\n{}", bad.len(), bad.join("\n"));
    assert!(total > 1000, "expected the whole official tree, got {total} files");
}

#[test]
fn compliance_fail_files_fail_for_xmllints_reason() {
    let (Some(dir), Some(oracle)) = (common::nemsis_dir(), common::xsd_oracle()) else { return };
    let fail = dir.join("v3.5.1/ComplianceTests/fail");
    let files = vec![fail.join("2025-EMS-FailXsd_v351.xml"), fail.join("2025-DEM-FailXsd_v351.xml")];
    let o = common::oracle_verdicts(&oracle, "3.5.1", &files);
    let r = ours(&files, "3.5.1");
    for (rep, ov) in r.iter().zip(&o) {
        assert!(!rep.xsd_valid);
        let e = &ov["errors"][0];
        let (el, line) = (e["element"].as_str().unwrap(), e["line"].as_u64().unwrap());
        assert!(rep.findings.iter().any(|f| f.element.as_deref() == Some(el) && f.line == line), "{}: want a finding at {el} line {line}, got {:?}", rep.source, rep.findings);
    }
    // and every full/ and national/ file is valid
    let mut good = common::xml_files(&dir.join("v3.5.1/ComplianceTests/full"));
    good.extend(common::xml_files(&dir.join("v3.5.1/ComplianceTests/national")));
    for rep in ours(&good, "3.5.1") {
        assert!(rep.xsd_valid, "{} should be valid: {:?}", rep.source, rep.findings);
    }
}

#[test]
fn mutations_agree_with_xmllint() {
    let (Some(dir), Some(oracle)) = (common::nemsis_dir(), common::xsd_oracle()) else { return };
    let n: usize = std::env::var("NEMSIS_MUTATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(300);
    let tmp = tempfile::tempdir().unwrap();
    let mut bad = Vec::new();
    let mut counts = (0usize, 0usize); // (valid, invalid) per xmllint
    for (version, share) in [("3.5.1", 0.8), ("3.5.0", 0.2)] {
        let vdir = dir.join(format!("v{version}"));
        let mut seeds: Vec<PathBuf> = Vec::new();
        for sub in ["SampleData", "ComplianceTests/full", "ComplianceTests/national", "SchematronTests/EMS/xml", "SchematronTests/DEM/xml", "SchematronTests/State/xml"] {
            seeds.extend(common::xml_files(&vdir.join(sub)));
        }
        if seeds.is_empty() {
            continue;
        }
        let mut rng = Rng::new(0x5EED ^ version.len() as u64 ^ if version == "3.5.0" { 7 } else { 0 });
        let want = ((n as f64) * share).ceil() as usize;
        let mut files = Vec::new();
        let mut what = Vec::new();
        let mut tries = 0;
        while files.len() < want && tries < want * 5 {
            tries += 1;
            let seed = rng.pick(&seeds).clone();
            let doc = std::fs::read(&seed).unwrap();
            let Some((m, desc)) = mutate(&doc, &mut rng) else { continue };
            let p = tmp.path().join(format!("{version}-m{:05}.xml", files.len()));
            std::fs::write(&p, m).unwrap();
            files.push(p);
            what.push(format!("{desc} in {}", seed.strip_prefix(&dir).unwrap_or(&seed).display()));
        }
        let o = common::oracle_verdicts(&oracle, version, &files);
        for v in &o {
            if v["valid"].as_bool().unwrap() {
                counts.0 += 1
            } else {
                counts.1 += 1
            }
        }
        let r = ours(&files, version);
        bad.extend(compare(&files, &r, &o, &what));
    }
    eprintln!("mutations: {} valid + {} invalid per xmllint, {} disagreements", counts.0, counts.1, bad.len());
    assert!(counts.0 + counts.1 >= n, "generated {} of {n} mutations", counts.0 + counts.1);
    assert!(bad.is_empty(), "{} disagreements:\n{}", bad.len(), bad.join("\n"));
}
