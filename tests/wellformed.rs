//! Well-formedness breaks inside records, against xmllint.
//!
//! The splitter cuts records with a byte-level scanner and leaves tokenizing to the workers, so
//! a break inside a record is found by the worker's parse. This test breaks a valid sample in
//! seeded ways (mismatched or missing end tags, truncation, a DOCTYPE or a bad comment inside a
//! record, a bare `&` or `<` in text, an unquoted attribute) and checks that, like xmllint, we
//! call the document not well-formed, and that we report a `parse` finding on the line xmllint
//! names. Needs the XSD oracle (skips, saying so, without it).

mod common;

use common::mutate::Rng;
use nemsis::finding::Kind;
use nemsis::pipeline::Options;
use nemsis::split::VersionChoice;
use nemsis::validate::report::validate_paths;
use std::path::PathBuf;

const KINDS: usize = 8;

/// Break `lines` (inside PatientCareReports) in one of [`KINDS`] ways; None when this draw
/// found nothing to break.
fn break_doc(lines: &[String], kind: usize, rng: &mut Rng) -> Option<(String, String)> {
    let mut l = lines.to_vec();
    let first = l.iter().position(|s| s.contains("<PatientCareReport"))?;
    let last = l.iter().rposition(|s| s.contains("</PatientCareReport>"))?;
    let leafs: Vec<usize> = (first + 1..last).filter(|&i| l[i].trim_start().starts_with('<') && l[i].contains("</") && !l[i].trim_start().starts_with("</")).collect();
    let closers: Vec<usize> = (first + 1..last).filter(|&i| l[i].trim_start().starts_with("</") && !l[i].contains("PatientCareReport")).collect();
    let pick = |v: &[usize], rng: &mut Rng| v.get(rng.below(v.len().max(1))).copied();
    let what;
    match kind {
        0 => {
            let i = pick(&leafs, rng)?;
            let at = l[i].rfind('>')?;
            l[i].insert(at, 'x');
            what = "mismatched end tag";
        }
        1 => {
            let i = pick(&closers, rng)?;
            l.remove(i);
            what = "missing end tag";
        }
        2 => {
            let i = first + 1 + rng.below(last - first);
            let keep = rng.below(l[i].len() + 1);
            l.truncate(i + 1);
            l[i].truncate(keep);
            what = "truncated";
        }
        3 => {
            let i = pick(&leafs, rng)?;
            l.insert(i, "<!DOCTYPE x [ <!ENTITY e \"v\"> ]>".into());
            what = "DOCTYPE inside a record";
        }
        4 => {
            let i = pick(&leafs, rng)?;
            let at = l[i].find('>')? + 1;
            l[i].insert_str(at, "a & b ");
            what = "bare &";
        }
        5 => {
            let i = pick(&leafs, rng)?;
            let at = l[i].find('>')? + 1;
            l[i].insert_str(at, "a < b ");
            what = "bare <";
        }
        6 => {
            let i = pick(&leafs, rng)?;
            l.insert(i, "<!-- a -- b -->".into());
            what = "'--' in a comment";
        }
        _ => {
            let i = (first..last).find(|&i| l[i].contains("UUID=\""))?;
            l[i] = l[i].replacen("UUID=\"", "UUID=", 1).replacen("\">", ">", 1);
            what = "unquoted attribute";
        }
    }
    Some((l.join("\n"), what.to_string()))
}

#[test]
fn breaks_inside_records_agree_with_xmllint() {
    let Some(oracle) = common::xsd_oracle() else { return };
    let sample = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples/ems/valid-multi.xml");
    let lines: Vec<String> = std::fs::read_to_string(&sample).unwrap().lines().map(str::to_string).collect();
    let dir = tempfile::tempdir().unwrap();
    let mut rng = Rng::new(0x005e_ed0f_ca11);
    let (mut files, mut what) = (Vec::new(), Vec::new());
    for n in 0..80 {
        let Some((doc, w)) = break_doc(&lines, n % KINDS, &mut rng) else { continue };
        let p = dir.path().join(format!("break-{n:03}.xml"));
        std::fs::write(&p, doc).unwrap();
        files.push(p);
        what.push(w);
    }
    assert!(files.len() >= 60, "too few breaks drawn: {}", files.len());
    let oracle = common::oracle_verdicts(&oracle, "3.5.1", &files);
    let inputs: Vec<String> = files.iter().map(|p| p.display().to_string()).collect();
    let ours = validate_paths(&inputs, &Options { threads: 2, version: VersionChoice::Fixed("3.5.1") }).unwrap();
    let mut bad = Vec::new();
    for ((o, r), w) in oracle.iter().zip(&ours).zip(&what) {
        assert!(!o["valid"].as_bool().unwrap(), "{}: the break ({w}) should make the document invalid for xmllint", r.source);
        let line = o["errors"][0]["line"].as_u64().unwrap();
        let parse_lines: Vec<u64> = r.findings.iter().filter(|f| f.kind == Kind::Parse).map(|f| f.line).collect();
        if r.well_formed || r.xsd_valid || !parse_lines.contains(&line) {
            bad.push(format!("{} ({w}): xmllint: line {line} {}; ours: well_formed={} parse findings at {parse_lines:?}", r.source, o["errors"][0]["message"], r.well_formed));
        }
    }
    eprintln!("{} breaks compared with xmllint, {} disagreements", files.len(), bad.len());
    assert!(bad.is_empty(), "{} disagreements:\n{}", bad.len(), bad.join("\n"));
}

/// A record end tag hidden in an attribute value (`x="</PatientCareReport>"`, not well-formed)
/// breaks that record only: the splitter must not cut there, and the records after it are
/// still read and validated. Needs no oracle: the verdicts are the sample's own.
#[test]
fn an_end_tag_inside_an_attribute_breaks_only_its_record() {
    let sample = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples/ems/valid-multi.xml");
    let text = std::fs::read_to_string(&sample).unwrap();
    let opts = Options { threads: 1, version: VersionChoice::Fixed("3.5.1") };
    let good = validate_paths(&[sample.display().to_string()], &opts).unwrap();
    let (records, good_findings) = (good[0].records, good[0].findings.len());
    assert!(records >= 3 && good[0].well_formed, "the sample holds several well-formed records");
    // Into the first record's eRecord.01 start tag.
    let at = text.find("<eRecord.01").unwrap() + "<eRecord.01".len();
    let broken = format!("{} CorrelationID=\"</PatientCareReport>\"{}", &text[..at], &text[at..]);
    let line = text[..at].lines().count() as u64;
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("attr.xml");
    std::fs::write(&p, broken).unwrap();
    for threads in [1, 2] {
        let r = &validate_paths(&[p.display().to_string()], &Options { threads, ..opts }).unwrap()[0];
        assert_eq!(r.records, records, "threads {threads}: every record is still read");
        let parse: Vec<u64> = r.findings.iter().filter(|f| f.kind == Kind::Parse).map(|f| f.line).collect();
        assert_eq!(parse, vec![line], "threads {threads}: one parse finding, on the broken line");
        assert_eq!(r.findings.len(), good_findings + 1, "threads {threads}: no other new finding");
    }
}
