//! `nemsis ingest` output is deterministic: `--threads 1`, `--threads 2` (twice) and
//! `--threads 4` write the same files, byte for byte (manifest.json: everything except the
//! "run" object, which holds timings).
//!
//! Inputs: `samples/` (valid, invalid, truncated, bulk.zip) plus, when present, the official
//! SampleData and ComplianceTests of `../shared/nemsis/v3.5.1`.

#[path = "ingest_support.rs"]
mod support;

use std::path::Path;

fn run(inputs: &[String], out: &Path, threads: &str) {
    let mut args: Vec<String> = inputs.to_vec();
    args.extend(["--out".into(), out.to_string_lossy().into_owned(), "--threads".into(), threads.into(), "--quiet".into()]);
    let o = support::ingest(&args);
    assert_eq!(o.status.code(), Some(0), "ingest --threads {threads}:\n{}", support::describe(&o));
}

fn manifest_without_run(dir: &Path) -> serde_json::Value {
    let mut m = support::manifest(dir);
    let run = m.as_object_mut().unwrap().remove("run");
    assert!(run.is_some_and(|r| r["threads"].is_u64() && r["seconds"].is_number()), "manifest has a run object with threads and seconds");
    m
}

/// Every difference between two extract directories.
fn differences(a: &Path, b: &Path) -> Vec<String> {
    let fa = support::all_files(a);
    let fb = support::all_files(b);
    let mut out = Vec::new();
    if fa != fb {
        out.push(format!("different file sets:\n  {fa:?}\n  {fb:?}"));
        return out;
    }
    for f in &fa {
        if f.as_os_str() == "manifest.json" {
            let (ma, mb) = (manifest_without_run(a), manifest_without_run(b));
            if ma != mb {
                out.push(format!("manifest.json differs outside \"run\":\n{}\n---\n{}", serde_json::to_string_pretty(&ma).unwrap(), serde_json::to_string_pretty(&mb).unwrap()));
            }
            continue;
        }
        let (x, y) = (std::fs::read(a.join(f)).unwrap(), std::fs::read(b.join(f)).unwrap());
        if x != y {
            let at = x.iter().zip(&y).position(|(p, q)| p != q).unwrap_or(x.len().min(y.len()));
            out.push(format!("{} differs ({} vs {} bytes, first difference at byte {at})", f.display(), x.len(), y.len()));
        }
    }
    out
}

#[test]
fn same_bytes_for_any_thread_count_and_any_run() {
    let mut inputs = vec!["samples".to_string()];
    if support::official_dir().is_some() {
        inputs.push("../shared/nemsis/v3.5.1/SampleData".into());
        inputs.push("../shared/nemsis/v3.5.1/ComplianceTests".into());
    }
    let tmp = tempfile::tempdir().unwrap();
    let (t1, t2, t2b, t4) = (tmp.path().join("t1"), tmp.path().join("t2"), tmp.path().join("t2b"), tmp.path().join("t4"));
    run(&inputs, &t1, "1");
    run(&inputs, &t2, "2");
    run(&inputs, &t2b, "2");
    run(&inputs, &t4, "4");
    let files = support::all_files(&t1);
    let m = support::manifest(&t1);
    assert_eq!(m["run"]["threads"], 1);
    assert_eq!(support::manifest(&t2)["run"]["threads"], 2);
    // a meaningful extract: records, several tables, rejects
    assert!(m["totals"]["records_read"].as_u64().unwrap() >= 28, "{}", m["totals"]);
    assert!(files.iter().any(|f| f.starts_with("rejects")), "rejects written");
    let mut problems = differences(&t1, &t2);
    problems.extend(differences(&t2, &t2b));
    problems.extend(differences(&t1, &t4));
    println!("compared {} files across --threads 1 / --threads 2 / a second --threads 2 run / --threads 4", files.len());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
