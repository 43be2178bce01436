//! Tests of `nemsis::source`: inputs (files, directories, zip, gzip, streams) → byte streams
//! with provenance, stats and errors.

use std::fs;
use std::io::{Cursor, Read, Write};
use std::path::Path;

use flate2::write::GzEncoder;
use flate2::Compression;
use nemsis::source::{self, InputStats, Provenance, SourceError, Visitor, STDIN_PATH};
use sha2::{Digest, Sha256};
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, ZipWriter};

/// Everything the visitor was told, in order.
#[derive(Debug, Clone, PartialEq)]
enum Event {
    Stream(String, Vec<u8>),
    Done(String, InputStats),
    Error(String, String),
    Skipped(String, String),
}

/// Records every call. Reads up to `read_limit` bytes of each stream (all if `None`) and
/// returns `fail_with` as an error after reading, if set.
#[derive(Default)]
struct Recorder {
    events: Vec<Event>,
    read_limit: Option<u64>,
    fail_with: Option<&'static str>,
}

impl Visitor for Recorder {
    fn stream(&mut self, prov: &Provenance, reader: &mut dyn Read) -> anyhow::Result<()> {
        let mut buf = Vec::new();
        let result = match self.read_limit {
            None => reader.read_to_end(&mut buf),
            Some(limit) => reader.take(limit).read_to_end(&mut buf),
        };
        self.events.push(Event::Stream(prov.display(), buf));
        result?;
        match self.fail_with {
            Some(msg) => Err(anyhow::anyhow!(msg)),
            None => Ok(()),
        }
    }
    fn stream_done(&mut self, prov: &Provenance, stats: &InputStats) {
        self.events.push(Event::Done(prov.display(), stats.clone()));
    }
    fn error(&mut self, err: SourceError) {
        self.events
            .push(Event::Error(err.provenance.display(), err.message));
    }
    fn skipped(&mut self, prov: &Provenance, reason: &str) {
        self.events
            .push(Event::Skipped(prov.display(), reason.to_string()));
    }
}

impl Recorder {
    fn streams(&self) -> Vec<(String, Vec<u8>)> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::Stream(p, b) => Some((p.clone(), b.clone())),
                _ => None,
            })
            .collect()
    }
    fn stream_names(&self) -> Vec<String> {
        self.streams().into_iter().map(|(p, _)| p).collect()
    }
    fn errors(&self) -> Vec<(String, String)> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::Error(p, m) => Some((p.clone(), m.clone())),
                _ => None,
            })
            .collect()
    }
    fn skipped(&self) -> Vec<(String, String)> {
        self.events
            .iter()
            .filter_map(|e| match e {
                Event::Skipped(p, r) => Some((p.clone(), r.clone())),
                _ => None,
            })
            .collect()
    }
}

fn visit(inputs: &[&str]) -> Recorder {
    let mut rec = Recorder::default();
    let inputs: Vec<String> = inputs.iter().map(|s| s.to_string()).collect();
    source::visit(&inputs, &mut rec);
    rec
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn stats(content: &[u8], compressed_bytes: Option<u64>) -> InputStats {
    InputStats {
        bytes: content.len() as u64,
        sha256: Some(sha256_hex(content)),
        compressed_bytes,
    }
}

fn gzip(content: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::default());
    enc.write_all(content).unwrap();
    enc.finish().unwrap()
}

fn deflated() -> SimpleFileOptions {
    SimpleFileOptions::default().compression_method(CompressionMethod::Deflated)
}

fn stored() -> SimpleFileOptions {
    SimpleFileOptions::default().compression_method(CompressionMethod::Stored)
}

/// A zip of `(name, content, options)`; a name ending in `/` is a directory entry.
fn zip_bytes(members: &[(&str, &[u8], SimpleFileOptions)]) -> Vec<u8> {
    let mut w = ZipWriter::new(Cursor::new(Vec::new()));
    for (name, content, options) in members {
        if name.ends_with('/') {
            w.add_directory(*name, *options).unwrap();
        } else {
            w.start_file(*name, *options).unwrap();
            w.write_all(content).unwrap();
        }
    }
    w.finish().unwrap().into_inner()
}

/// Compressed sizes of an archive's members, by index.
fn compressed_sizes(zip: &[u8]) -> Vec<u64> {
    let mut archive = zip::ZipArchive::new(Cursor::new(zip)).unwrap();
    (0..archive.len())
        .map(|i| archive.by_index_raw(i).unwrap().compressed_size())
        .collect()
}

/// Flip one byte in the middle of the (stored, hence verbatim) `needle` inside `bytes`.
fn corrupt(bytes: &mut [u8], needle: &[u8]) {
    let at = bytes
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("needle in archive");
    bytes[at + needle.len() / 2] ^= 0xff;
}

fn write(path: &Path, bytes: &[u8]) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, bytes).unwrap();
}

fn s(path: &Path) -> String {
    path.to_str().unwrap().to_string()
}

#[test]
fn provenance_display() {
    assert_eq!(Provenance::file("a/b.xml").display(), "a/b.xml");
    assert_eq!(
        Provenance::member("x.zip", "inner.zip!a.xml").display(),
        "x.zip!inner.zip!a.xml"
    );
    assert_eq!(
        Provenance::member("x.zip", "a.xml").to_string(),
        "x.zip!a.xml"
    );
    let err = SourceError {
        provenance: Provenance::file("p.xml"),
        message: "read error: x".into(),
    };
    assert_eq!(err.to_string(), "p.xml: read error: x");
}

#[test]
fn directory_recursion_in_sorted_order_taking_only_known_extensions() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(&root.join("b.xml"), b"<b/>");
    write(&root.join("a/z.xml"), b"<z/>");
    write(&root.join("a/b/c.XML"), b"<c/>");
    write(&root.join("a/notes.txt"), b"not read");
    write(&root.join("A.xml"), b"<A/>");
    write(&root.join("c.xml.GZ"), &gzip(b"<gz/>"));
    write(
        &root.join("d.Zip"),
        &zip_bytes(&[("m.xml", b"<m/>", deflated())]),
    );
    write(&root.join("e"), b"<no extension, skipped in a directory/>");
    fs::create_dir_all(root.join("empty")).unwrap();

    let rec = visit(&[root.to_str().unwrap()]);
    let r = s(root);
    assert_eq!(
        rec.streams(),
        vec![
            (format!("{r}/A.xml"), b"<A/>".to_vec()),
            (format!("{r}/a/b/c.XML"), b"<c/>".to_vec()),
            (format!("{r}/a/z.xml"), b"<z/>".to_vec()),
            (format!("{r}/b.xml"), b"<b/>".to_vec()),
            (format!("{r}/c.xml.GZ"), b"<gz/>".to_vec()),
            (format!("{r}/d.Zip!m.xml"), b"<m/>".to_vec()),
        ]
    );
    assert!(rec.errors().is_empty());
    assert!(
        rec.skipped().is_empty(),
        "other files are skipped silently: {:?}",
        rec.skipped()
    );
    // Each stream is followed by its stats.
    assert_eq!(
        rec.events[1],
        Event::Done(format!("{r}/A.xml"), stats(b"<A/>", None))
    );
}

#[cfg(unix)]
#[test]
fn directory_symlink_loop_is_skipped_not_followed_forever() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(&root.join("sub/x.xml"), b"<x/>");
    std::os::unix::fs::symlink(root, root.join("sub/loop")).unwrap();

    let rec = visit(&[root.to_str().unwrap()]);
    let r = s(root);
    assert_eq!(rec.stream_names(), vec![format!("{r}/sub/x.xml")]);
    assert_eq!(
        rec.skipped(),
        vec![(
            format!("{r}/sub/loop"),
            "directory loop: links back to a directory being read".to_string()
        )]
    );
}

#[test]
fn gzip_multi_member_round_trip_with_sha256_of_decompressed_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let part1 = b"<EMSDataSet>\n  <Header/>\n".repeat(500);
    let part2 = b"  <PatientCareReport/>\n</EMSDataSet>\n".repeat(300);
    let mut gz = gzip(&part1);
    gz.extend_from_slice(&gzip(&part2)); // two gzip members, like `cat a.gz b.gz`
    let path = dir.path().join("export.xml.gz");
    write(&path, &gz);

    let rec = visit(&[&s(&path)]);
    let expected = [part1.as_slice(), part2.as_slice()].concat();
    let p = s(&path);
    assert_eq!(
        rec.events,
        vec![
            Event::Stream(p.clone(), expected.clone()),
            Event::Done(p, stats(&expected, Some(gz.len() as u64))),
        ]
    );
}

#[test]
fn zip_members_in_order_with_names_skipping_directories_and_reporting_others() {
    let dir = tempfile::tempdir().unwrap();
    let zip = zip_bytes(&[
        ("first.xml", b"<one/>", deflated()),
        ("folder/", b"", stored()),
        ("folder/second.XML", b"<two/>", stored()),
        ("readme.txt", b"hello", deflated()),
        ("third.xml.gz", &gzip(b"<three/>"), stored()),
        ("__MACOSX/._first.xml", b"junk", stored()),
    ]);
    let sizes = compressed_sizes(&zip);
    let path = dir.path().join("batch.zip");
    write(&path, &zip);

    let rec = visit(&[&s(&path)]);
    let p = s(&path);
    assert_eq!(
        rec.events,
        vec![
            Event::Stream(format!("{p}!first.xml"), b"<one/>".to_vec()),
            Event::Done(format!("{p}!first.xml"), stats(b"<one/>", Some(sizes[0]))),
            Event::Stream(format!("{p}!folder/second.XML"), b"<two/>".to_vec()),
            Event::Done(
                format!("{p}!folder/second.XML"),
                stats(b"<two/>", Some(sizes[2]))
            ),
            Event::Skipped(
                format!("{p}!readme.txt"),
                "not an .xml, .zip or .gz member".into()
            ),
            Event::Stream(format!("{p}!third.xml.gz"), b"<three/>".to_vec()),
            Event::Done(
                format!("{p}!third.xml.gz"),
                stats(b"<three/>", Some(sizes[4]))
            ),
            Event::Skipped(
                format!("{p}!__MACOSX/._first.xml"),
                "macOS resource fork (__MACOSX/ or ._ file)".into()
            ),
        ]
    );
}

#[test]
fn nested_zip_is_opened_one_level_deep() {
    let dir = tempfile::tempdir().unwrap();
    let deeper = zip_bytes(&[("deep.xml", b"<deep/>", deflated())]);
    let inner = zip_bytes(&[
        ("a.xml", b"<a/>", deflated()),
        ("deeper.zip", &deeper, stored()),
        ("b.xml", b"<b/>", deflated()),
    ]);
    let outer = zip_bytes(&[
        ("inner.zip", &inner, deflated()),
        ("c.xml", b"<c/>", deflated()),
    ]);
    let path = dir.path().join("outer.zip");
    write(&path, &outer);

    let mut rec = Recorder::default();
    source::visit(&[s(&path)], &mut rec);
    let p = s(&path);
    assert_eq!(
        rec.streams(),
        vec![
            (format!("{p}!inner.zip!a.xml"), b"<a/>".to_vec()),
            (format!("{p}!inner.zip!b.xml"), b"<b/>".to_vec()),
            (format!("{p}!c.xml"), b"<c/>".to_vec()),
        ]
    );
    assert_eq!(
        rec.skipped(),
        vec![(
            format!("{p}!inner.zip!deeper.zip"),
            "zip nested more than one level deep is not opened".to_string()
        )]
    );
    assert!(rec.errors().is_empty());

    // The structured provenance: path is the file, member carries the nesting.
    struct Provs(Vec<Provenance>);
    impl Visitor for Provs {
        fn stream(&mut self, prov: &Provenance, _: &mut dyn Read) -> anyhow::Result<()> {
            self.0.push(prov.clone());
            Ok(())
        }
        fn error(&mut self, err: SourceError) {
            panic!("unexpected error {err}");
        }
    }
    let mut provs = Provs(Vec::new());
    source::visit(&[s(&path)], &mut provs);
    assert_eq!(
        provs.0[0],
        Provenance {
            path: p.clone(),
            member: Some("inner.zip!a.xml".into())
        }
    );
}

#[test]
fn corrupt_zip_member_is_an_error_naming_it_and_the_others_are_still_read() {
    let dir = tempfile::tempdir().unwrap();
    let damaged = b"<PatientCareReport>BBBBBBBBBBBBBBBBBBBBBBBB</PatientCareReport>";
    let mut zip = zip_bytes(&[
        ("a.xml", b"<a/>", deflated()),
        ("b.xml", damaged, stored()),
        ("c.xml", b"<c/>", deflated()),
    ]);
    corrupt(&mut zip, damaged);
    let path = dir.path().join("damaged.zip");
    write(&path, &zip);
    let after = dir.path().join("after.xml");
    write(&after, b"<after/>");
    let p = s(&path);

    for read_limit in [None, Some(5)] {
        // A zip member is read through its CRC check before it is handed over, so the damaged
        // member is never streamed: the CRC failure is reported once, for that member.
        let mut rec = Recorder {
            read_limit,
            ..Recorder::default()
        };
        source::visit(&[p.clone(), s(&after)], &mut rec);
        assert_eq!(
            rec.stream_names(),
            vec![
                format!("{p}!a.xml"),
                format!("{p}!c.xml"),
                s(&after)
            ]
        );
        assert_eq!(
            rec.errors(),
            vec![(
                format!("{p}!b.xml"),
                "corrupt zip member: Invalid checksum".to_string()
            )]
        );
        let done: Vec<_> = rec
            .events
            .iter()
            .filter_map(|e| match e {
                Event::Done(p, _) => Some(p.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(
            done,
            vec![format!("{p}!a.xml"), format!("{p}!c.xml"), s(&after)]
        );
    }
}

#[test]
fn missing_path_is_an_error_and_later_inputs_are_still_read() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.xml");
    let present = dir.path().join("yes.xml");
    write(&present, b"<yes/>");

    let rec = visit(&[&s(&missing), &s(&present)]);
    assert_eq!(
        rec.events,
        vec![
            Event::Error(
                s(&missing),
                "cannot open: No such file or directory (os error 2)".into()
            ),
            Event::Stream(s(&present), b"<yes/>".to_vec()),
            Event::Done(s(&present), stats(b"<yes/>", None)),
        ]
    );
}

#[test]
fn damaged_gzip_and_non_zip_are_errors_and_later_inputs_are_still_read() {
    let dir = tempfile::tempdir().unwrap();
    let content = b"<EMSDataSet>".repeat(1000);
    let gz = gzip(&content);
    let truncated = dir.path().join("truncated.gz");
    write(&truncated, &gz[..gz.len() / 2]);
    let fake_zip = dir.path().join("fake.zip");
    write(&fake_zip, b"<not a zip/>");
    let ok = dir.path().join("ok.xml");
    write(&ok, b"<ok/>");

    let rec = visit(&[&s(&truncated), &s(&fake_zip), &s(&ok)]);
    let errors = rec.errors();
    assert_eq!(errors.len(), 2, "{errors:?}");
    assert_eq!(errors[0].0, s(&truncated));
    assert!(
        errors[0].1.starts_with("corrupt gzip stream: "),
        "{}",
        errors[0].1
    );
    assert_eq!(errors[1].0, s(&fake_zip));
    assert!(
        errors[1].1.starts_with("cannot read zip archive: "),
        "{}",
        errors[1].1
    );
    assert_eq!(rec.stream_names(), vec![s(&truncated), s(&ok)]);
    assert_eq!(
        rec.events.last(),
        Some(&Event::Done(s(&ok), stats(b"<ok/>", None)))
    );
    // Messages never carry file contents.
    assert!(errors
        .iter()
        .all(|(_, m)| !m.contains("EMSDataSet") && !m.contains("not a zip")));
}

#[test]
fn explicit_files_are_read_whatever_their_name_sniffing_magic_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("records.txt");
    write(&plain, b"<plain/>");
    let gz = dir.path().join("download");
    write(&gz, &gzip(b"<gzipped/>"));
    let zip = dir.path().join("download2.bin");
    write(&zip, &zip_bytes(&[("x.xml", b"<zipped/>", deflated())]));

    let rec = visit(&[&s(&plain), &s(&gz), &s(&zip)]);
    assert_eq!(
        rec.streams(),
        vec![
            (s(&plain), b"<plain/>".to_vec()),
            (s(&gz), b"<gzipped/>".to_vec()),
            (format!("{}!x.xml", s(&zip)), b"<zipped/>".to_vec()),
        ]
    );
    assert!(rec.errors().is_empty());
}

#[test]
fn partial_read_is_drained_and_visitor_error_is_reported_with_stats_still_given() {
    let dir = tempfile::tempdir().unwrap();
    let content = b"<EMSDataSet>".repeat(10_000);
    let path = dir.path().join("big.xml");
    write(&path, &content);
    let p = s(&path);

    let mut rec = Recorder {
        read_limit: Some(3),
        fail_with: Some("malformed XML at byte 3"),
        ..Default::default()
    };
    source::visit(std::slice::from_ref(&p), &mut rec);
    assert_eq!(
        rec.events,
        vec![
            Event::Stream(p.clone(), b"<EM".to_vec()),
            Event::Error(p.clone(), "malformed XML at byte 3".into()),
            Event::Done(p, stats(&content, None)),
        ]
    );
}

#[test]
fn stream_input_plain_gzip_and_zip_detected_by_magic() {
    // Plain.
    let mut rec = Recorder::default();
    source::visit_reader(STDIN_PATH, &mut Cursor::new(b"<x/>".to_vec()), &mut rec);
    assert_eq!(
        rec.events,
        vec![
            Event::Stream("<stdin>".into(), b"<x/>".to_vec()),
            Event::Done("<stdin>".into(), stats(b"<x/>", None)),
        ]
    );

    // Shorter than the magic, and empty.
    for tiny in [&b"<"[..], &b""[..]] {
        let mut rec = Recorder::default();
        source::visit_reader(STDIN_PATH, &mut Cursor::new(tiny.to_vec()), &mut rec);
        assert_eq!(rec.streams(), vec![("<stdin>".to_string(), tiny.to_vec())]);
    }

    // Gzip.
    let gz = gzip(b"<gz/>");
    let mut rec = Recorder::default();
    source::visit_reader(STDIN_PATH, &mut Cursor::new(gz.clone()), &mut rec);
    assert_eq!(
        rec.events,
        vec![
            Event::Stream("<stdin>".into(), b"<gz/>".to_vec()),
            Event::Done("<stdin>".into(), stats(b"<gz/>", Some(gz.len() as u64))),
        ]
    );

    // Zip, streamed through local headers, with a directory, a nested zip and a skipped member.
    let inner = zip_bytes(&[("n.xml", b"<n/>", deflated())]);
    let zip = zip_bytes(&[
        ("dir/", b"", stored()),
        ("dir/a.xml", b"<a/>", deflated()),
        ("inner.zip", &inner, deflated()),
        ("notes.md", b"x", stored()),
        ("b.xml", b"<b/>", stored()),
    ]);
    let sizes = compressed_sizes(&zip);
    let mut rec = Recorder::default();
    source::visit_reader("-", &mut Cursor::new(zip), &mut rec);
    assert_eq!(
        rec.events,
        vec![
            Event::Stream("-!dir/a.xml".into(), b"<a/>".to_vec()),
            Event::Done("-!dir/a.xml".into(), stats(b"<a/>", Some(sizes[1]))),
            Event::Stream("-!inner.zip!n.xml".into(), b"<n/>".to_vec()),
            Event::Done(
                "-!inner.zip!n.xml".into(),
                stats(b"<n/>", Some(compressed_sizes(&inner)[0]))
            ),
            Event::Skipped(
                "-!notes.md".into(),
                "not an .xml, .zip or .gz member".into()
            ),
            Event::Stream("-!b.xml".into(), b"<b/>".to_vec()),
            Event::Done("-!b.xml".into(), stats(b"<b/>", Some(sizes[4]))),
        ]
    );
}

#[test]
fn stream_zip_with_corrupt_member_reports_it_and_reads_the_next() {
    let damaged = b"<PatientCareReport>DDDDDDDDDDDDDDDDDDDDDDDD</PatientCareReport>";
    let mut zip = zip_bytes(&[
        ("a.xml", b"<a/>", deflated()),
        ("b.xml", damaged, stored()),
        ("c.xml", b"<c/>", deflated()),
    ]);
    corrupt(&mut zip, damaged);
    let mut rec = Recorder {
        read_limit: Some(2),
        ..Default::default()
    };
    source::visit_reader(STDIN_PATH, &mut Cursor::new(zip), &mut rec);
    assert_eq!(
        rec.stream_names(),
        vec!["<stdin>!a.xml", "<stdin>!c.xml"]
    );
    assert_eq!(
        rec.errors(),
        vec![(
            "<stdin>!b.xml".to_string(),
            "corrupt zip member: Invalid checksum".to_string()
        )]
    );
}
