//! Faults mixed into a good batch: a truncated document, a non-XML file, a zip with one member
//! whose CRC fails, a path that does not exist, and a record with an XSD error, between good
//! inputs. Each fault must give a clear message (stderr or findings naming file/member, line,
//! element) and a manifest entry; every good record must be extracted; the invalid record must
//! be in `rejects/` as a well-formed NEMSIS document with its UUID; the manifest invariant must
//! hold; the exit status is 1 (an input could not be read) and DIR exists, with no temporary
//! `.DIR.tmp-*` left behind. Also: a run that fails at the end leaves no temporary directory.

#[path = "ingest_support.rs"]
mod support;

use quick_xml::events::Event;
use quick_xml::reader::Reader;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output};
use support::{PqTable, Val};

fn ingest_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nemsis")).arg("ingest").args(args).current_dir(dir).output().expect("run nemsis ingest")
}

/// UUIDs of the complete PatientCareReports of a document, and the root element name; panics
/// unless the document is well-formed (when `complete`).
fn read_doc(bytes: &[u8], complete: bool) -> (String, Vec<String>) {
    let mut r = Reader::from_reader(bytes);
    let mut root = String::new();
    let mut uuids = Vec::new();
    let mut open: Option<String> = None;
    let mut depth = 0usize;
    loop {
        match r.read_event() {
            Ok(Event::Start(e)) => {
                depth += 1;
                let name = String::from_utf8(e.local_name().as_ref().to_vec()).unwrap();
                if root.is_empty() {
                    root = name.clone();
                }
                if name == "PatientCareReport" {
                    open = e.try_get_attribute("UUID").unwrap().map(|a| a.unescape_value().unwrap().into_owned());
                }
            }
            Ok(Event::End(e)) => {
                depth -= 1;
                if e.local_name().as_ref() == b"PatientCareReport" {
                    uuids.push(open.take().expect("PCR with a UUID"));
                }
            }
            Ok(Event::Eof) => {
                assert!(!complete || depth == 0, "document ends inside an element");
                break;
            }
            Err(e) => {
                assert!(!complete, "not well-formed: {e}");
                break;
            }
            _ => {}
        }
    }
    (root, uuids)
}

fn stored_zip(path: &Path, members: &[(&str, &[u8])]) {
    let mut z = zip::ZipWriter::new(std::fs::File::create(path).unwrap());
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in members {
        z.start_file(*name, opts).unwrap();
        z.write_all(bytes).unwrap();
    }
    z.finish().unwrap();
}

fn rows_by(t: &PqTable, cols: &[&str]) -> Vec<BTreeMap<String, Val>> {
    (0..t.rows()).map(|r| cols.iter().map(|c| (c.to_string(), t.get_named(r, c))).collect()).collect()
}

fn s(v: &Val) -> &str {
    v.as_str().unwrap_or("")
}

#[test]
fn faults_in_a_good_batch() {
    let samples = support::samples();
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let multi = std::fs::read(samples.join("ems/valid-multi.xml")).unwrap();
    let single = std::fs::read(samples.join("ems/valid-single.xml")).unwrap();
    let dem = std::fs::read(samples.join("dem/valid-dem.xml")).unwrap();
    let order = std::fs::read(samples.join("invalid/wrong-order.xml")).unwrap();
    std::fs::write(d.join("multi.xml"), &multi).unwrap();
    std::fs::write(d.join("dem.xml"), &dem).unwrap();
    std::fs::write(d.join("order.xml"), &order).unwrap();

    // truncated: valid-multi.xml cut 500 bytes into its 4th PatientCareReport
    let starts: Vec<usize> = multi.windows(18).enumerate().filter(|(_, w)| w == b"<PatientCareReport").map(|(i, _)| i).collect();
    assert!(starts.len() >= 4);
    let cut = starts[3] + 500;
    let truncated = &multi[..cut];
    std::fs::write(d.join("truncated.xml"), truncated).unwrap();
    let truncated_start_line = 1 + multi[..starts[3]].iter().filter(|b| **b == b'\n').count() as i64;
    let truncated_last_line = 1 + truncated.iter().filter(|b| **b == b'\n').count() as i64;

    // not XML at all (named explicitly, so it is read whatever its name)
    std::fs::write(d.join("scan.pdf"), b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n\x00\x01\x02").unwrap();

    // a zip with a good member and a member whose stored bytes no longer match its CRC
    stored_zip(&d.join("batch.zip"), &[("good.xml", &single), ("bad.xml", &dem)]);
    let mut z = std::fs::read(d.join("batch.zip")).unwrap();
    // the first "bad.xml" is its local header; its data follows
    let good_end = z.windows(7).position(|w| w == b"bad.xml").expect("bad.xml header");
    let at = good_end + z[good_end..].windows(12).position(|w| w == b"<dAgency.03>").expect("dAgency.03 in bad.xml") + 12;
    z[at] ^= 0x01; // 'P' -> 'Q': still well-formed, but the CRC fails
    std::fs::write(d.join("batch.zip"), &z).unwrap();
    {
        let mut a = zip::ZipArchive::new(std::fs::File::open(d.join("batch.zip")).unwrap()).unwrap();
        let mut m = a.by_name("bad.xml").unwrap();
        assert!(std::io::copy(&mut m, &mut std::io::sink()).is_err(), "the test zip's bad.xml must fail its CRC");
    }

    let inputs = ["multi.xml", "truncated.xml", "scan.pdf", "batch.zip", "missing/nothing-here.xml", "order.xml", "dem.xml"];
    let mut args: Vec<&str> = inputs.to_vec();
    args.extend(["--out", "out", "--threads", "2"]);
    let o = ingest_in(d, &args);
    let stderr = String::from_utf8_lossy(&o.stderr).into_owned();
    let out = d.join("out");
    let mut problems: Vec<String> = Vec::new();
    let mut expect = |ok: bool, msg: String| {
        if !ok {
            problems.push(msg);
        }
    };

    // exit status, DIR, no temporary directory
    expect(o.status.code() == Some(1), format!("exit status {:?}, want 1 (an input could not be read)", o.status.code()));
    assert!(out.join("manifest.json").is_file(), "DIR with its manifest exists:\n{}", support::describe(&o));
    let left = support::leftover_tmp_dirs(d);
    expect(left.is_empty(), format!("temporary directories left behind: {left:?}"));

    // the manifest: one entry per input / member, the invariant
    let m = support::manifest(&out);
    let entries: BTreeMap<String, &serde_json::Value> = m["inputs"].as_array().unwrap().iter().map(|e| (e["source"].as_str().unwrap().to_string(), e)).collect();
    for s in ["multi.xml", "truncated.xml", "scan.pdf", "batch.zip!good.xml", "batch.zip!bad.xml", "missing/nothing-here.xml", "order.xml", "dem.xml"] {
        expect(entries.contains_key(s), format!("no manifest entry for {s}: {:?}", entries.keys()));
    }
    let inv = &m["invariant"];
    expect(inv["holds"] == true && inv["records_read"].as_u64() == Some(inv["record_rows"].as_u64().unwrap() + inv["unreadable"].as_u64().unwrap()), format!("invariant: {inv}"));
    expect(m["totals"]["input_errors"] == 2, format!("input_errors {} (missing path + corrupt member)", m["totals"]["input_errors"]));
    let e = |s: &str| entries.get(s).copied().cloned().unwrap_or_default();
    let t = e("truncated.xml");
    expect(t["well_formed"] == false && t["records_read"] == 4 && t["unreadable"] == 1 && t["parse_errors"].as_u64() >= Some(1), format!("truncated.xml entry: {t}"));
    let p = e("scan.pdf");
    expect(p["well_formed"] == false && p["records_read"] == 0 && p["parse_errors"].as_u64() >= Some(1), format!("scan.pdf entry: {p}"));
    let b = e("batch.zip!bad.xml");
    expect(b["well_formed"] == false && b["error"].as_str().is_some_and(|e| e.to_lowercase().contains("checksum") || e.to_lowercase().contains("crc")), format!("batch.zip!bad.xml entry: {b}"));
    let g = e("batch.zip!good.xml");
    expect(g["well_formed"] == true && g["records_read"] == 1 && g["error"].is_null(), format!("batch.zip!good.xml entry: {g}"));
    let n = e("missing/nothing-here.xml");
    expect(n["error"].as_str().is_some_and(|e| e.contains("No such file") || e.contains("cannot open")), format!("missing path entry: {n}"));
    let x = e("order.xml");
    expect(x["records_read"] == 1 && x["rejected"] == 1 && x["xsd_valid"] == 0, format!("order.xml entry: {x}"));

    // messages: stderr for what could not be read, findings for the rest
    expect(stderr.contains("missing/nothing-here.xml") && stderr.contains("No such file"), format!("stderr names the missing path:\n{stderr}"));
    expect(stderr.contains("batch.zip!bad.xml"), format!("stderr names the corrupt member:\n{stderr}"));
    let f = PqTable::read(&out.join("findings.parquet"));
    let findings = rows_by(&f, &["PcrKey", "source", "member", "kind", "element", "line", "message"]);
    let find = |src: &str, member: Option<&str>| findings.iter().filter(|r| s(&r["source"]) == src && r["member"].as_str() == member).collect::<Vec<_>>();
    let tf = find("truncated.xml", None);
    expect(
        tf.iter().any(|r| s(&r["kind"]) == "parse" && r["line"].as_i64().is_some_and(|l| (truncated_start_line..=truncated_last_line).contains(&l)) && r["element"] != Val::Null),
        format!("a parse finding for truncated.xml with a line in {truncated_start_line}..={truncated_last_line} and an element: {tf:?}"),
    );
    let pf = find("scan.pdf", None);
    expect(pf.iter().any(|r| s(&r["kind"]) == "parse" && r["line"] == Val::I64(1) && !s(&r["message"]).is_empty()), format!("a parse finding for scan.pdf at line 1: {pf:?}"));
    let bf = find("batch.zip", Some("bad.xml"));
    expect(bf.iter().any(|r| s(&r["message"]).to_lowercase().contains("checksum")), format!("a finding for batch.zip!bad.xml naming the checksum: {bf:?}"));
    let of = find("order.xml", None);
    expect(
        of.iter().any(|r| s(&r["kind"]) == "xsd" && s(&r["element"]) == "eResponse.14" && r["line"] == Val::I64(44) && r["PcrKey"] != Val::Null),
        format!("an xsd finding for order.xml on eResponse.14 at line 44 with the record's key: {of:?}"),
    );

    // the records: every good one, with its UUID, accepted; the invalid one rejected
    let pcr = PqTable::read(&out.join("pcr.parquet"));
    let pcr_rows = rows_by(&pcr, &["PcrKey", "pcr_uuid", "source", "member", "status"]);
    let dem_t = PqTable::read(&out.join("dem_report.parquet"));
    let dem_rows = rows_by(&dem_t, &["DemKey", "source", "member", "status"]);
    let expect_pcrs: Vec<(&str, Option<&str>, Vec<String>, &str)> = vec![
        ("multi.xml", None, read_doc(&multi, true).1, "accepted"),
        ("truncated.xml", None, read_doc(truncated, false).1, "accepted"),
        ("batch.zip", Some("good.xml"), read_doc(&single, true).1, "accepted"),
        ("order.xml", None, read_doc(&order, true).1, "rejected"),
    ];
    assert_eq!(expect_pcrs[1].2.len(), 3, "the truncated document has 3 complete PCRs");
    let mut good = 0;
    for (src, member, uuids, status) in &expect_pcrs {
        let got: Vec<&BTreeMap<String, Val>> = pcr_rows.iter().filter(|r| s(&r["source"]) == *src && r["member"].as_str() == *member).collect();
        let got_uuids: Vec<&str> = got.iter().map(|r| s(&r["pcr_uuid"])).collect();
        expect(got_uuids == uuids.iter().map(String::as_str).collect::<Vec<_>>(), format!("{src} {member:?}: pcr UUIDs {got_uuids:?}, want {uuids:?}"));
        expect(got.iter().all(|r| s(&r["status"]) == *status), format!("{src} {member:?}: status {:?}, want {status}", got.iter().map(|r| s(&r["status"])).collect::<Vec<_>>()));
        good += uuids.len();
    }
    let dem_good: Vec<_> = dem_rows.iter().filter(|r| s(&r["source"]) == "dem.xml").collect();
    expect(dem_good.len() == 1 && s(&dem_good[0]["status"]) == "accepted", format!("dem.xml: {dem_good:?}"));
    // nothing from the corrupt member may pass as good data
    let from_bad: Vec<_> = pcr_rows.iter().chain(&dem_rows).filter(|r| r["member"].as_str() == Some("bad.xml")).collect();
    expect(
        from_bad.iter().all(|r| s(&r["status"]) != "accepted"),
        format!("records of batch.zip!bad.xml, whose CRC fails, are extracted as accepted: {from_bad:?}"),
    );
    let others = pcr_rows.iter().filter(|r| r["member"].as_str() != Some("bad.xml")).count();
    expect(others == good, format!("{others} pcr rows from the good inputs, want {good}"));
    println!("{good} PCRs + 1 DEM record from the good inputs checked; {} findings", findings.len());

    // rejects: the invalid record as a well-formed NEMSIS document with its UUID
    let listed: Vec<String> = m["rejects"].as_array().unwrap().iter().map(|r| r.as_str().unwrap().to_string()).collect();
    let order_rejects: Vec<&String> = listed.iter().filter(|r| r.contains("order.xml") && !r.contains("unreadable")).collect();
    assert_eq!(order_rejects.len(), 1, "one rejects file for order.xml: {listed:?}");
    let rj = std::fs::read(out.join(order_rejects[0])).unwrap();
    let (root, uuids) = read_doc(&rj, true);
    assert_eq!(root, "EMSDataSet");
    assert_eq!(uuids, read_doc(&order, true).1, "the rejects document holds exactly the rejected record");
    // ... and the tool finds the same error in it again
    std::fs::write(d.join("again.xml"), &rj).unwrap();
    let o2 = ingest_in(d, &["again.xml", "--out", "again", "--quiet"]);
    assert_eq!(o2.status.code(), Some(0), "{}", support::describe(&o2));
    let f2 = PqTable::read(&d.join("again/findings.parquet"));
    let again = rows_by(&f2, &["kind", "element"]);
    assert!(again.iter().any(|r| s(&r["kind"]) == "xsd" && s(&r["element"]) == "eResponse.14"), "re-ingesting the rejects file finds eResponse.14 again: {again:?}");
    let m2 = support::manifest(&d.join("again"));
    assert_eq!((m2["totals"]["records_read"].as_u64(), m2["totals"]["rejected"].as_u64()), (Some(1), Some(1)));
    // the cut record is kept byte for byte
    let parts: Vec<&String> = listed.iter().filter(|r| r.starts_with("rejects/unreadable/") && r.contains("truncated")).collect();
    expect(parts.len() == 1, format!("one unreadable part for truncated.xml: {listed:?}"));
    if let Some(p) = parts.first() {
        let bytes = std::fs::read(out.join(p)).unwrap();
        expect(bytes.starts_with(b"<PatientCareReport") && truncated.ends_with(&bytes), format!("{p} holds the cut record's bytes ({} bytes)", bytes.len()));
    }

    assert!(problems.is_empty(), "{} problem(s):\n{}\n\nstderr:\n{stderr}", problems.len(), problems.join("\n"));
}

/// A run that fails after its temporary directory was made (here: DIR is an existing regular
/// file and --overwrite cannot replace it) leaves no `.DIR.tmp-*` behind and DIR untouched; an
/// existing DIR without --overwrite is refused; with --overwrite it is replaced whole.
#[test]
fn failed_runs_leave_no_temporary_directory() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let input = support::samples().join("ems/valid-single.xml");
    let input = input.to_str().unwrap();

    // DIR exists, no --overwrite: refused, untouched
    std::fs::create_dir(d.join("existing")).unwrap();
    std::fs::write(d.join("existing/keep.txt"), "keep").unwrap();
    let o = ingest_in(d, &[input, "--out", "existing", "--quiet"]);
    assert_ne!(o.status.code(), Some(0), "{}", support::describe(&o));
    assert_eq!(std::fs::read_to_string(d.join("existing/keep.txt")).unwrap(), "keep");
    assert_eq!(support::leftover_tmp_dirs(d), Vec::<String>::new(), "after a refused run");

    // --overwrite replaces DIR whole
    let o = ingest_in(d, &[input, "--out", "existing", "--overwrite", "--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", support::describe(&o));
    assert!(!d.join("existing/keep.txt").exists() && d.join("existing/manifest.json").is_file());
    assert_eq!(support::leftover_tmp_dirs(d), Vec::<String>::new(), "after a good run");

    // DIR is a regular file: the run fails at the end
    std::fs::write(d.join("plain"), "not a directory").unwrap();
    let o = ingest_in(d, &[input, "--out", "plain", "--overwrite", "--quiet"]);
    assert_ne!(o.status.code(), Some(0), "{}", support::describe(&o));
    assert!(!String::from_utf8_lossy(&o.stderr).trim().is_empty(), "an error message");
    assert_eq!(std::fs::read_to_string(d.join("plain")).unwrap(), "not a directory", "DIR untouched");
    assert_eq!(support::leftover_tmp_dirs(d), Vec::<String>::new(), "temporary directory left behind by a failed run:\n{}", support::describe(&o));
}

/// A date or date-time value with a multi-byte character where a digit belongs (XSD-invalid)
/// once made the extract's conversion slice a string off a character boundary and abort the
/// whole run. Now the record is rejected, its other values are extracted, the bad values are
/// null, and the other records are unaffected.
#[test]
fn non_ascii_bytes_in_a_date_do_not_stop_the_run() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let multi = std::fs::read_to_string(support::samples().join("ems/valid-multi.xml")).unwrap();
    let dob = multi.find("<ePatient.17>").expect("a date of birth");
    let dob_end = multi[dob..].find("</ePatient.17>").unwrap() + dob;
    let t03 = multi.find("<eTimes.03>").expect("an eTimes.03");
    let t03_end = multi[t03..].find("</eTimes.03>").unwrap() + t03;
    assert!(t03 < dob, "both in the first record");
    let bad = format!("{}<eTimes.03>2024-01-01T10:00:0é{}<ePatient.17>1942-11-3é{}", &multi[..t03], &multi[t03_end..dob], &multi[dob_end..]);
    std::fs::write(d.join("bad.xml"), bad).unwrap();
    let o = ingest_in(d, &["bad.xml", "--out", "out", "--threads", "1", "--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", support::describe(&o));
    let pcr = PqTable::read(&d.join("out/pcr.parquet"));
    assert_eq!(pcr.rows(), multi.matches("<PatientCareReport").count());
    let status = |r: usize| pcr.get_named(r, "status").as_str().map(str::to_string);
    assert_eq!(status(0).as_deref(), Some("rejected"));
    assert!((1..pcr.rows()).all(|r| status(r).as_deref() == Some("accepted")));
    assert_eq!(pcr.get_named(0, "eTimes_03"), Val::Null);
    assert_eq!(pcr.get_named(0, "ePatient_17"), Val::Null);
    assert_ne!(pcr.get_named(1, "eTimes_03"), Val::Null, "the next record's eTimes.03 is extracted");
    assert!(d.join("out/rejects").read_dir().unwrap().count() > 0, "the record is in rejects/");
}
