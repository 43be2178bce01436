//! `--schematron FILE`, `--no-national-rules` and `--format svrl` end to end, through the
//! `nemsis` binary:
//!
//! - (a) the official national `.sch` files run through the engine
//!   (`validate --no-national-rules --schematron <Dataset>.sch`) give, document by document, the
//!   same multiset of (rule id, role, location) as the native rules (`validate`), over every
//!   official Schematron test case (v3.5.1 and v3.5.0, EMS/DEM/State) and every file under
//!   v3.5.1 `ComplianceTests` and `SampleData` (all of them, no sampling);
//! - (b) `ComplianceTests/fail/2025-{EMS,DEM}-FailSchematron_v351.xml` fail through the engine
//!   with the same rules as natively, with an ERROR, and exit 1;
//! - (c) `--format svrl` (native rules, and the engine) parsed back gives, for every v3.5.1 and
//!   v3.5.0 test case, the multiset of (id, role, location) of the official expected SVRL;
//! - (d) a `.sch` the engine refuses (or cannot read) exits 2 naming the file and the line;
//! - (e) exit codes: warnings only → 0, an ERROR → 1; and `ingest --schematron` writes the
//!   findings and rejects on ERROR.
//!
//! Cases needing `../shared/nemsis` print "SKIPPED: ..." and pass when it is absent.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;
use common::svrl::{diff, multiset, parse_svrl, Key};

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_nemsis"))
}

fn validate(args: &[&str]) -> Output {
    bin().arg("validate").args(["--threads", "2"]).args(args).output().expect("run nemsis validate")
}

fn describe(o: &Output) -> String {
    format!("status {:?}\n--- stderr\n{}", o.status.code(), String::from_utf8_lossy(&o.stderr))
}

/// `--format jsonl` → source → multiset of (rule, severity, path) of kind `schematron`; the
/// path is followed by ` @line:column` of the context node.
fn rule_findings(o: &Output) -> BTreeMap<String, BTreeMap<Key, usize>> {
    let mut out = BTreeMap::new();
    for line in String::from_utf8_lossy(&o.stdout).lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        let keys: Vec<Key> = v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|f| f["kind"] == "schematron")
            .map(|f| {
                let at = format!("{} @{}:{}", f["path"].as_str().unwrap(), f["line"], f["column"]);
                (f["rule"].as_str().unwrap_or("").to_string(), f["severity"].as_str().unwrap().to_string(), at)
            })
            .collect();
        out.insert(v["source"].as_str().unwrap().to_string(), multiset(&keys));
    }
    out
}

fn sch(base: &Path, version: &str) -> Vec<String> {
    let mut v = Vec::new();
    for d in ["EMSDataSet", "DEMDataSet", "StateDataSet"] {
        v.push("--schematron".to_string());
        v.push(base.join(format!("v{version}/Schematron/{d}.sch")).display().to_string());
    }
    v
}

fn suite_dirs(base: &Path, version: &str) -> Vec<String> {
    ["EMS", "DEM", "State"].iter().map(|s| base.join(format!("v{version}/SchematronTests/{s}/xml"))).filter(|p| p.is_dir()).map(|p| p.display().to_string()).collect()
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

#[test]
fn engine_with_official_sch_matches_native_rules_per_document() {
    let Some(base) = common::nemsis_dir() else { return };
    let t0 = std::time::Instant::now();
    let mut problems = Vec::new();
    for version in ["3.5.1", "3.5.0"] {
        let mut inputs = suite_dirs(&base, version);
        if version == "3.5.1" {
            inputs.push(base.join("v3.5.1/ComplianceTests").display().to_string());
            inputs.push(base.join("v3.5.1/SampleData").display().to_string());
        }
        let mut native_args = vec!["--format", "jsonl"];
        native_args.extend(strs(&inputs));
        let native = validate(&native_args);
        let engine_sch = sch(&base, version);
        let mut engine_args = vec!["--format", "jsonl", "--no-national-rules"];
        engine_args.extend(strs(&engine_sch));
        engine_args.extend(strs(&inputs));
        let engine = validate(&engine_args);
        assert_eq!(native.status.code(), engine.status.code(), "exit status: native {} / engine {}", describe(&native), describe(&engine));
        let (n, e) = (rule_findings(&native), rule_findings(&engine));
        assert_eq!(n.len(), e.len(), "documents reported");
        let (mut same, mut total_findings) = (0, 0);
        for (source, nk) in &n {
            let ek = e.get(source).unwrap_or_else(|| panic!("{source}: no engine report"));
            total_findings += nk.values().sum::<usize>();
            if nk == ek {
                same += 1;
            } else {
                problems.push(format!("v{version} {source}: only native {:?}; only engine {:?}", diff(nk, ek), diff(ek, nk)));
            }
        }
        println!("v{version}: {same}/{} documents with the same (rule, role, location) findings ({total_findings} native findings)", n.len());
        assert!(n.len() > 200 && total_findings > 100, "the comparison covered too little");
    }
    println!("({} ms)", t0.elapsed().as_millis());
    for p in &problems {
        println!("  {p}");
    }
    assert!(problems.is_empty(), "{} document(s) disagree", problems.len());
}

/// One EMSDataSet with two Headers of many PatientCareReports, each taken from an official test
/// case that fires rules: locations must keep `Header[2]` and `PatientCareReport[k]`.
#[test]
fn engine_keeps_record_and_header_positions() {
    let Some(base) = common::nemsis_dir() else { return };
    let dir = base.join("v3.5.1/SchematronTests/EMS/xml");
    let cases: Vec<PathBuf> = common::xml_files(&dir).into_iter().step_by(9).collect();
    let text = |p: &Path| std::fs::read_to_string(p).unwrap();
    let first = text(&cases[0]);
    let pcr_at = first.find("<PatientCareReport").unwrap();
    let (prelude, header_start) = (&first[..pcr_at], first.find("<Header").unwrap());
    let header_prelude = &first[header_start..pcr_at];
    let mut pcrs = String::new();
    for c in &cases {
        let t = text(c);
        let (a, b) = (t.find("<PatientCareReport").unwrap(), t.rfind("</PatientCareReport>").unwrap());
        pcrs.push_str(&t[a..b + "</PatientCareReport>".len()]);
        pcrs.push('\n');
    }
    let doc = format!("{prelude}{pcrs}</Header>\n{header_prelude}{pcrs}</Header>\n</EMSDataSet>\n");
    let file = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("schematron_cli_multi.xml");
    std::fs::write(&file, doc).unwrap();
    let f = file.display().to_string();
    let native = validate(&["--format", "jsonl", &f]);
    let engine_sch = sch(&base, "3.5.1");
    let mut args = vec!["--format", "jsonl", "--no-national-rules"];
    args.extend(strs(&engine_sch));
    args.push(&f);
    let engine = validate(&args);
    let (n, e) = (rule_findings(&native), rule_findings(&engine));
    let (n, e) = (n.values().next().unwrap(), e.values().next().unwrap());
    assert_eq!(diff(n, e), Vec::<String>::new(), "only native");
    assert_eq!(diff(e, n), Vec::<String>::new(), "only engine");
    let last = format!("/EMSDataSet[1]/Header[2]/PatientCareReport[{}]/", cases.len());
    assert!(n.keys().any(|k| k.2.starts_with(&last)), "no finding in {last}: {n:?}");
    println!("{} PCRs x 2 Headers: {} findings agree", cases.len(), n.values().sum::<usize>());
}

#[test]
fn fail_schematron_compliance_files_fail_through_the_engine() {
    let Some(base) = common::nemsis_dir() else { return };
    for (file, dataset) in [("2025-EMS-FailSchematron_v351.xml", "EMSDataSet"), ("2025-DEM-FailSchematron_v351.xml", "DEMDataSet")] {
        let path = base.join("v3.5.1/ComplianceTests/fail").join(file).display().to_string();
        let sch = base.join(format!("v3.5.1/Schematron/{dataset}.sch")).display().to_string();
        let engine = validate(&["--format", "jsonl", "--no-national-rules", "--schematron", &sch, &path]);
        assert_eq!(engine.status.code(), Some(1), "{file}: {}", describe(&engine));
        let native = validate(&["--format", "jsonl", &path]);
        let (e, n) = (rule_findings(&engine), rule_findings(&native));
        let e = e.values().next().unwrap();
        assert_eq!(e, n.values().next().unwrap(), "{file}: engine and native rules differ");
        assert!(e.keys().all(|k| !k.2.contains("@0:") && !k.2.ends_with(":0")), "{file}: positions {e:?}");
        assert!(e.keys().any(|k| k.1 == "ERROR"), "{file}: no ERROR: {e:?}");
        let ids: Vec<&str> = e.keys().map(|k| k.0.as_str()).collect();
        println!("{file}: {ids:?}");
        if dataset == "EMSDataSet" {
            assert!(ids.contains(&"nemSch_e005"), "{file}: {ids:?}");
        }
    }
}

/// Split `--format svrl` output into (source, report) pairs.
fn svrl_documents(stdout: &str) -> Vec<(String, String)> {
    let mut docs: Vec<String> = Vec::new();
    for line in stdout.lines() {
        if line.starts_with("<?xml ") {
            docs.push(String::new());
        }
        let d = docs.last_mut().expect("output starts with an XML declaration");
        d.push_str(line);
        d.push('\n');
    }
    let re = regex::Regex::new(r#"<!-- nemsis-svrl source="([^"]*)""#).unwrap();
    docs.into_iter()
        .map(|d| {
            let raw = re.captures(&d).unwrap_or_else(|| panic!("no source comment in {d}"))[1].to_string();
            let src = quick_xml::escape::unescape(&raw).unwrap().into_owned();
            (src, d)
        })
        .collect()
}

#[test]
fn svrl_output_matches_the_official_expected_reports() {
    let Some(base) = common::nemsis_dir() else { return };
    let tmp = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("schematron_cli_svrl");
    std::fs::create_dir_all(&tmp).unwrap();
    let mut problems = Vec::new();
    for version in ["3.5.1", "3.5.0"] {
        let inputs = suite_dirs(&base, version);
        let engine_sch = sch(&base, version);
        for (mode, extra) in [("native", vec![]), ("engine", {
            let mut v = vec!["--no-national-rules"];
            v.extend(strs(&engine_sch));
            v
        })] {
            let mut args = vec!["--format", "svrl"];
            args.extend(extra);
            args.extend(strs(&inputs));
            let o = validate(&args);
            assert!(matches!(o.status.code(), Some(0 | 1)), "{}", describe(&o));
            let stdout = String::from_utf8(o.stdout).unwrap();
            let docs = svrl_documents(&stdout);
            let mut ok = 0;
            for (i, (source, doc)) in docs.iter().enumerate() {
                let case = Path::new(source);
                let expected = case.parent().unwrap().parent().unwrap().join("svrl").join(case.file_name().unwrap());
                let file = tmp.join(format!("{mode}-{version}-{i}.xml"));
                std::fs::write(&file, doc).unwrap();
                let got = multiset(&parse_svrl(&file));
                let want = multiset(&parse_svrl(&expected));
                if got == want {
                    ok += 1;
                } else {
                    problems.push(format!("{mode} v{version} {}: missing {:?}; extra {:?}", case.display(), diff(&want, &got), diff(&got, &want)));
                }
            }
            println!("{mode} v{version}: {ok}/{} SVRL reports equal the official ones on (id, role, location)", docs.len());
            assert!(docs.len() > 200, "{mode} v{version}: {} reports", docs.len());
        }
    }
    for p in &problems {
        println!("  {p}");
    }
    assert!(problems.is_empty(), "{} report(s) disagree", problems.len());
}

fn sample(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples").join(name).display().to_string()
}

/// A one-rule schema file: `sch:report test="true()"` with `role` on every PatientCareReport.
fn one_rule_sch(dir: &Path, name: &str, role: &str) -> String {
    let p = dir.join(name);
    std::fs::write(
        &p,
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<sch:schema xmlns:sch="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt2" id="EMSDataSet">
  <sch:ns prefix="nem" uri="http://www.nemsis.org"/>
  <sch:pattern id="p">
    <sch:rule id="r" context="nem:PatientCareReport">
      <sch:report id="test_{role}" role="[{role}]" test="nem:eRecord/nem:eRecord.01 != ''">Record <sch:value-of select="count(nem:*)"/> sections.</sch:report>
    </sch:rule>
  </sch:pattern>
</sch:schema>
"#
        ),
    )
    .unwrap();
    p.display().to_string()
}

#[test]
fn bad_schematron_files_exit_2_naming_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    let input = sample("ems/valid-single.xml");
    // An unsupported XPath function on line 5.
    let bad = dir.path().join("bad-function.sch");
    std::fs::write(
        &bad,
        r#"<?xml version="1.0"?>
<sch:schema xmlns:sch="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt2">
  <sch:pattern>
    <sch:rule context="*">
      <sch:assert test="no-such-function(.)">x</sch:assert>
    </sch:rule>
  </sch:pattern>
</sch:schema>
"#,
    )
    .unwrap();
    // Not well-formed on line 3.
    let broken = dir.path().join("broken.sch");
    std::fs::write(&broken, "<?xml version=\"1.0\"?>\n<sch:schema xmlns:sch=\"http://purl.oclc.org/dsdl/schematron\">\n  <sch:pattern></sch:rule>\n</sch:schema>\n").unwrap();
    for (file, line) in [(&bad, 5), (&broken, 3)] {
        let f = file.display().to_string();
        for cmd in ["validate", "ingest"] {
            let mut c = bin();
            c.args([cmd, "--schematron", &f, &input]);
            if cmd == "ingest" {
                c.args(["--out", &dir.path().join("out").display().to_string()]);
            }
            let o = c.output().unwrap();
            let err = String::from_utf8_lossy(&o.stderr);
            assert_eq!(o.status.code(), Some(2), "{cmd} {f}: {}", describe(&o));
            assert!(err.contains(&format!("{f}:{line}")), "{cmd}: the message names {f}:{line}: {err}");
            assert!(o.stdout.is_empty(), "{cmd}: nothing validated");
        }
        println!("{}", String::from_utf8_lossy(&bin().args(["validate", "--schematron", &f, &input]).output().unwrap().stderr).trim());
    }
    assert!(!dir.path().join("out").exists(), "ingest created no output");
    let o = validate(&["--schematron", "/nonexistent/x.sch", &input]);
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
    assert!(String::from_utf8_lossy(&o.stderr).contains("/nonexistent/x.sch"));
    // --xsd-only runs no rules: it cannot be combined with --schematron.
    let o = validate(&["--xsd-only", "--schematron", &bad.display().to_string(), &input]);
    assert_eq!(o.status.code(), Some(2), "{}", describe(&o));
}

#[test]
fn warnings_exit_0_errors_exit_1_and_ingest_rejects_on_error() {
    let dir = tempfile::tempdir().unwrap();
    let input = sample("ems/valid-single.xml");
    let warn = one_rule_sch(dir.path(), "warn.sch", "WARNING");
    let error = one_rule_sch(dir.path(), "error.sch", "ERROR");
    let o = validate(&["--no-national-rules", "--schematron", &warn, &input]);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.status.code(), Some(0), "{}\n{out}", describe(&o));
    assert!(out.contains("WARNING [schematron test_WARNING] Record 2"), "{out}");
    assert!(out.contains("1 valid, 0 invalid"), "{out}");
    let o = validate(&["--no-national-rules", "--schematron", &warn, "--schematron", &error, "--format", "jsonl", &input]);
    assert_eq!(o.status.code(), Some(1), "{}", describe(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let f: Vec<&serde_json::Value> = v["findings"].as_array().unwrap().iter().filter(|f| f["kind"] == "schematron").collect();
    assert_eq!(f.len(), 2, "{v}");
    assert_eq!(f[0]["rule"], "test_WARNING");
    assert_eq!(f[1]["severity"], "ERROR");
    assert_eq!(f[1]["element"], "PatientCareReport");
    assert_eq!(f[1]["path"], "/EMSDataSet[1]/Header[1]/PatientCareReport[1]");
    assert!(f[1]["line"].as_u64().unwrap() > 1 && f[1]["column"].as_u64().unwrap() >= 1, "{v}");
    assert_eq!(f[1]["record"], v["findings"][0]["record"]);
    // A file for another dataset does not run on EMS documents.
    let dem = dir.path().join("dem-only.sch");
    std::fs::write(&dem, std::fs::read_to_string(&error).unwrap().replace("id=\"EMSDataSet\"", "id=\"DEMDataSet\"")).unwrap();
    let o = validate(&["--no-national-rules", "--schematron", &dem.display().to_string(), &input]);
    assert_eq!(o.status.code(), Some(0), "{}", describe(&o));
    // svrl: the report is a successful-report with the bracketed role.
    let o = validate(&["--no-national-rules", "--schematron", &error, "--format", "svrl", &input]);
    assert_eq!(o.status.code(), Some(1), "{}", describe(&o));
    let s = String::from_utf8_lossy(&o.stdout);
    assert!(s.contains("<svrl:successful-report id=\"test_ERROR\" role=\"[ERROR]\""), "{s}");
    // ingest: findings in the extract, the record rejected on ERROR, accepted with warnings.
    for (sch, rejected) in [(&warn, 0), (&error, 1)] {
        let out = dir.path().join(format!("out-{rejected}"));
        let o = bin().args(["ingest", "--quiet", "--format", "csv", "--no-coding", "--no-national-rules", "--schematron", sch, "--out"]).arg(&out).arg(&input).output().unwrap();
        assert_eq!(o.status.code(), Some(0), "{}", describe(&o));
        let findings = std::fs::read_to_string(out.join("findings.csv")).unwrap();
        assert!(findings.contains("schematron") && findings.contains(if rejected == 1 { "test_ERROR" } else { "test_WARNING" }), "{findings}");
        let m: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("manifest.json")).unwrap()).unwrap();
        let i = &m["inputs"][0];
        assert_eq!(i["rejected"], rejected, "{i}");
        assert_eq!(i["accepted_with_warnings"], 1 - rejected, "{i}");
    }
}
