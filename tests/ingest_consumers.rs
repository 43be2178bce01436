//! The extract as a real consumer sees it: `tests/py/check_extract.py` opens every table of an
//! extract of `samples/` with pyarrow and with DuckDB and checks row counts (against
//! manifest.json and against its own count of the XML), column types, values of every PCR
//! against the XML, a DuckDB join of `pcr` with `codes`, the `HeaderKey` links of records to
//! their header contexts and the key columns of `findings` (see the script's docstring).
//! Needs Python with pyarrow and duckdb (`$NEMSIS_PYTHON`, else `~/.cache/nemsis-py/bin/python`);
//! skipped, saying so, without it. `manifest_accounts_for_every_file` needs no Python.

#[path = "ingest_support.rs"]
mod support;

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

fn extract(out: &Path, format: &str) -> std::process::Output {
    support::ingest(&["samples", "--out", out.to_str().unwrap(), "--format", format, "--quiet"])
}

fn run_script(python: &Path, args: &[&str]) {
    let script = support::root().join("tests/py/check_extract.py");
    // the layout's tables, from the schema model, for the script's XML counts
    let layout = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(layout.path(), layout_json().to_string()).unwrap();
    let o = Command::new(python).arg(&script).args(args).arg("--layout").arg(layout.path()).arg("--root").arg(support::root()).arg("samples").output().expect("run check_extract.py");
    let stdout = String::from_utf8_lossy(&o.stdout);
    println!("{stdout}");
    assert!(o.status.success(), "check_extract.py failed:\n{stdout}\n{}", String::from_utf8_lossy(&o.stderr));
    assert!(stdout.contains(", 0 failed"), "no summary line:\n{stdout}");
}

/// `{table: [dataset, element]}` of the record tables and theirs (from the schema model), plus
/// `{table: [dataset, element, "header"]}` of the header contexts' tables (`header`,
/// `eCustomConfiguration_CustomGroup`, `dem_header`, ...: the crate's plan of the context).
fn layout_json() -> serde_json::Value {
    let mut v = serde_json::to_value(support::layout_tables()).unwrap();
    for (ds, record) in [("EMSDataSet", "/EMSDataSet/Header/PatientCareReport"), ("DEMDataSet", "/DEMDataSet/DemographicReport")] {
        let m = nemsis::schema::builtin::model("3.5.1", ds).unwrap();
        let plan = nemsis::extract::plan::DatasetPlan::header(m, m.by_path(record).unwrap()).expect("a header plan");
        for t in &plan.tables {
            v[&t.name] = serde_json::json!([ds, m.element(t.root).name, "header"]);
        }
    }
    v
}

#[test]
fn parquet_extract_with_pyarrow_and_duckdb() {
    let Some(python) = support::python() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let pq = tmp.path().join("pq");
    let o = extract(&pq, "parquet");
    assert_eq!(o.status.code(), Some(0), "{}", support::describe(&o));
    run_script(&python, &["--parquet", pq.to_str().unwrap()]);
}

#[test]
fn csv_extract_with_pyarrow_and_duckdb() {
    let Some(python) = support::python() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let pq = tmp.path().join("pq");
    let csv = tmp.path().join("csv");
    let o = extract(&pq, "parquet");
    assert_eq!(o.status.code(), Some(0), "{}", support::describe(&o));
    let o = extract(&csv, "csv");
    assert_eq!(o.status.code(), Some(0), "--format csv failed:\n{}", support::describe(&o));
    run_script(&python, &["--parquet", pq.to_str().unwrap(), "--csv", csv.to_str().unwrap()]);
}

/// Every file of the extract is accounted for in manifest.json (tables with their row counts,
/// rejects), and every entry of the manifest has its file.
#[test]
fn manifest_accounts_for_every_file() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = extract(&out, "parquet");
    assert_eq!(o.status.code(), Some(0), "{}", support::describe(&o));
    let m = support::manifest(&out);
    let rows = support::manifest_rows(&m);
    let rejects: BTreeSet<String> = m["rejects"].as_array().unwrap().iter().map(|r| r.as_str().unwrap().to_string()).collect();
    let mut problems = Vec::new();
    let mut files = BTreeSet::new();
    for f in support::all_files(&out) {
        let name = f.to_string_lossy().into_owned();
        files.insert(name.clone());
        if name == "manifest.json" {
            continue;
        }
        if let Some(stem) = name.strip_suffix(".parquet").filter(|s| !s.contains('/')) {
            let n = support::PqTable::read(&out.join(&f)).rows() as u64;
            match rows.get(stem) {
                None => problems.push(format!("{name} ({n} rows) has no entry in the manifest's tables")),
                Some(&r) if r != n => problems.push(format!("{name}: {n} rows, manifest says {r}")),
                _ => {}
            }
        } else if name.starts_with("rejects/") {
            if !rejects.contains(&name) {
                problems.push(format!("{name} is not listed in the manifest's rejects"));
            }
        } else {
            problems.push(format!("unexpected file {name}"));
        }
    }
    for t in rows.keys() {
        if !files.contains(&format!("{t}.parquet")) {
            problems.push(format!("manifest table {t} has no file"));
        }
    }
    for r in &rejects {
        if !files.contains(r) {
            problems.push(format!("manifest reject {r} has no file"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
