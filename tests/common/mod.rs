//! Shared test support: where the reference material is, the oracles, and a seeded mutator.
#![allow(dead_code)]

pub mod mutate;
pub mod svrl;

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

/// `../shared/nemsis` next to the project, or None (the caller skips, saying so).
pub fn nemsis_dir() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/nemsis");
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("SKIPPED: {} not found (tests against the official NEMSIS material need ../shared)", p.display());
        None
    }
}

/// The xsd-verdict oracle script, if it and xmllint are available.
pub fn xsd_oracle() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/tools/oracle/xsd-verdict");
    let has_xmllint = Command::new("xmllint").arg("--version").output().is_ok();
    if p.is_file() && has_xmllint {
        Some(p)
    } else {
        eprintln!("SKIPPED: the XSD oracle ({}) or xmllint is missing; run ../shared/tools/oracle/setup", p.display());
        None
    }
}

/// Oracle verdicts for files (one JSON object per file, in order).
pub fn oracle_verdicts(oracle: &Path, version: &str, files: &[PathBuf]) -> Vec<Value> {
    let mut out = Vec::new();
    for chunk in files.chunks(400) {
        let o = Command::new(oracle).arg("--version").arg(version).args(chunk).output().expect("run xsd-verdict");
        let text = String::from_utf8_lossy(&o.stdout);
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            out.push(serde_json::from_str(line).expect("oracle JSON"));
        }
    }
    assert_eq!(out.len(), files.len(), "oracle answered for every file");
    out
}

/// Every `*.xml` file below `dir`, sorted.
pub fn xml_files(dir: &Path) -> Vec<PathBuf> {
    let mut v = Vec::new();
    fn walk(d: &Path, v: &mut Vec<PathBuf>) {
        let Ok(rd) = std::fs::read_dir(d) else { return };
        let mut entries: Vec<_> = rd.flatten().map(|e| e.path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, v);
            } else if p.extension().is_some_and(|e| e == "xml") {
                v.push(p);
            }
        }
    }
    walk(dir, &mut v);
    v
}
