//! gen_corpus: generate large, XSD-valid NEMSIS 3.5.1 `EMSDataSet` corpora for benchmarks.
//!
//! ```text
//! # one big document of about 1 GB (10^9 bytes) built from the 5 sample PCRs
//! cargo run --release --example gen_corpus -- \
//!     --template samples/ems/valid-multi.xml --size 1GB --out big.xml
//! # exactly 100000 PatientCareReports
//! cargo run --release --example gen_corpus -- --records 100000 --out big.xml
//! # a zip of 64 documents totalling about 1 GB uncompressed
//! cargo run --release --example gen_corpus -- --size 1GB --zip-files 64 --out corpus.zip
//! ```
//!
//! Options:
//! - `--template FILE`  an `EMSDataSet` document (default `samples/ems/valid-multi.xml`). Every
//!   `Header` of it and every `PatientCareReport` (PCR) inside is used.
//! - `--size SIZE`      target size in bytes: `123456`, `20MB`, `1GB` (powers of 1000) or
//!   `20MiB`, `1GiB` (powers of 1024). Writing stops after the first PCR that lets the closed
//!   document(s) reach the target, so the output is the target plus less than one PCR.
//! - `--records N`      exact number of PCRs instead of `--size` (one of the two is required).
//! - `--out PATH`       output file (`-` = stdout, not with `--zip-files`).
//! - `--zip-files N`    write a zip archive of N complete documents (`corpus-00001.xml`, ...)
//!   sharing the size or record budget evenly (uncompressed).
//! - `--zip-level L`    deflate level 1-9 for `--zip-files` (default 6); 0 stores uncompressed.
//! - `--per-header N`   start a new `Header` every N PCRs (default 10000). Small documents use
//!   fewer PCRs per Header, so that every template Header appears in each document.
//! - `--seed S`         varies the generated UUIDs and ids (default 0).
//!
//! How it works: the template is read once and cut into raw byte chunks with quick-xml: the
//! root start tag, per `Header` the part before its first PCR (`DemographicGroup`,
//! `eCustomConfiguration`), and each PCR as one chunk with "slots" where per-record values go.
//! The generator then streams: prelude, then PCRs round-robin over the template Header's PCRs
//! (output Headers rotate over the template Headers), then the closing tags. Nothing but the
//! template and a write buffer is kept in memory.
//!
//! Per record, these values are regenerated so that they differ between records while staying
//! valid for the XSD: the `PatientCareReport/@UUID` (a version-4 UUID matching the schema's
//! pattern `[a-fA-F0-9]{8}-[a-fA-F0-9]{4}-[1-5][a-fA-F0-9]{3}-[89abAB][a-fA-F0-9]{3}-[a-fA-F0-9]{12}`,
//! unique per record number and seed), and the texts of `eRecord.01` (PCR number),
//! `eResponse.03` (incident number), `eResponse.04` (response number), `eDispatch.06` (CAD record
//! id), `ePatient.01` (patient id) and `eOutcome.04` (external report id), which become
//! `<template value>-g<record number>` (`-s<seed>-g<n>` with a seed), cut to the element's
//! maxLength. Nil elements are left alone. Everything else is copied byte for byte, so the output
//! is valid exactly when the template is.
//!
//! The output is deterministic: the same arguments and template give the same bytes (for zip
//! output: with the same deflate implementation). On stderr it prints the number of records,
//! Headers, documents and bytes written, and the throughput.
//!
//! Check a sample:
//! `xmllint --stream --noout --schema ../shared/nemsis/v3.5.1/XSDs/EMSDataSet_v3.xsd big.xml`

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{bail, ensure, Context, Result};
use clap::Parser;
use quick_xml::events::Event;
use quick_xml::Reader;

#[derive(Parser, Debug)]
#[command(
    name = "gen_corpus",
    about = "Generate large XSD-valid NEMSIS EMSDataSet corpora from a template document"
)]
struct Args {
    /// Template EMSDataSet document whose Headers and PatientCareReports are repeated.
    #[arg(long, default_value = "samples/ems/valid-multi.xml")]
    template: PathBuf,
    /// Target total size (uncompressed): 123456, 20MB, 1GB (x1000) or 20MiB, 1GiB (x1024).
    #[arg(long, value_parser = parse_size, conflicts_with = "records", required_unless_present = "records")]
    size: Option<u64>,
    /// Exact number of PatientCareReports to write.
    #[arg(long)]
    records: Option<u64>,
    /// Output path (`-` for stdout; a .zip path with --zip-files).
    #[arg(long)]
    out: PathBuf,
    /// Write a zip of N documents sharing the size / record budget.
    #[arg(long)]
    zip_files: Option<u64>,
    /// Deflate level for --zip-files (1-9; 0 = stored).
    #[arg(long, default_value_t = 6, value_parser = clap::value_parser!(i64).range(0..=9))]
    zip_level: i64,
    /// Start a new Header every N PatientCareReports (at most).
    #[arg(long, default_value_t = 10_000)]
    per_header: u64,
    /// Seed for the generated UUIDs and ids.
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let num: f64 = num.parse().map_err(|_| format!("bad size {s:?}"))?;
    let mult: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        "t" | "tb" => 1e12,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        "tib" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        other => return Err(format!("unknown size unit {other:?} in {s:?}")),
    };
    let v = (num * mult).round();
    if v.is_nan() || v < 1.0 {
        return Err(format!("size must be positive: {s:?}"));
    }
    Ok(v as u64)
}

// ---------------------------------------------------------------------------------------------
// Template

/// What goes into a slot of a PCR chunk.
#[derive(Debug, Clone)]
enum SlotKind {
    /// The value of the PatientCareReport UUID attribute.
    Uuid,
    /// The text of an id-like element: original (trimmed) text and the element's maxLength.
    Id { original: Vec<u8>, max_len: usize },
}

#[derive(Debug, Clone)]
struct Slot {
    start: usize,
    end: usize,
    kind: SlotKind,
}

/// One template PatientCareReport: raw bytes from `<PatientCareReport` to
/// `</PatientCareReport>` and the byte ranges to replace per record.
#[derive(Debug)]
struct PcrChunk {
    bytes: Vec<u8>,
    slots: Vec<Slot>,
}

#[derive(Debug)]
struct TemplateHeader {
    /// Indentation before `<Header>` in the template.
    indent: Vec<u8>,
    /// `<Header>` up to the end of the last child before the first PCR.
    open: Vec<u8>,
    /// `</Header>`.
    close: Vec<u8>,
    /// Indentation before the first `<PatientCareReport` in the template.
    pcr_indent: Vec<u8>,
    pcrs: Vec<PcrChunk>,
}

#[derive(Debug)]
struct Template {
    name: String,
    /// `<EMSDataSet ...>` exactly as in the template (namespace declarations included).
    root_start: Vec<u8>,
    /// `</EMSDataSet>`.
    root_end: Vec<u8>,
    headers: Vec<TemplateHeader>,
}

impl Template {
    fn pcr_count(&self) -> usize {
        self.headers.iter().map(|h| h.pcrs.len()).sum()
    }
    /// Average bytes one PCR adds to the output (chunk, newline, indentation).
    fn avg_pcr_len(&self) -> u64 {
        let total: usize = self
            .headers
            .iter()
            .flat_map(|h| {
                h.pcrs
                    .iter()
                    .map(|p| p.bytes.len() + 1 + h.pcr_indent.len())
            })
            .sum();
        (total as u64 / self.pcr_count().max(1) as u64).max(1)
    }
}

/// Elements whose text must differ per record, with their XSD maxLength.
fn id_max_len(local: &[u8]) -> Option<usize> {
    match local {
        b"eRecord.01" | b"eResponse.03" | b"eResponse.04" | b"eDispatch.06" => Some(50),
        b"ePatient.01" | b"eOutcome.04" => Some(100),
        _ => None,
    }
}

/// Whitespace that precedes position `pos` on its line (the line's indentation).
fn indent_before(bytes: &[u8], pos: usize) -> Vec<u8> {
    let mut i = pos;
    while i > 0 && (bytes[i - 1] == b' ' || bytes[i - 1] == b'\t') {
        i -= 1;
    }
    bytes[i..pos].to_vec()
}

fn local_of(qname: &[u8]) -> &[u8] {
    match memchr::memchr(b':', qname) {
        Some(i) => &qname[i + 1..],
        None => qname,
    }
}

/// Find the byte range of the value of attribute `name` inside a start tag.
fn attr_value_range(tag: &[u8], name: &[u8]) -> Option<(usize, usize)> {
    let mut from = 0;
    while let Some(rel) = memchr::memmem::find(&tag[from..], name) {
        let at = from + rel;
        from = at + 1;
        if at == 0 || !tag[at - 1].is_ascii_whitespace() {
            continue;
        }
        let mut i = at + name.len();
        while i < tag.len() && tag[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= tag.len() || tag[i] != b'=' {
            continue;
        }
        i += 1;
        while i < tag.len() && tag[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= tag.len() || (tag[i] != b'"' && tag[i] != b'\'') {
            continue;
        }
        let quote = tag[i];
        let start = i + 1;
        let end = start + memchr::memchr(quote, &tag[start..])?;
        return Some((start, end));
    }
    None
}

/// Cut one PCR (bytes `[start, end)` of the template) into a chunk with slots.
fn parse_pcr(src: &[u8], start: usize, end: usize) -> Result<PcrChunk> {
    let bytes = src[start..end].to_vec();
    let mut slots = Vec::new();
    let tag_end = memchr::memchr(b'>', &bytes).context("PatientCareReport start tag not closed")?;
    let (us, ue) = attr_value_range(&bytes[..tag_end], b"UUID")
        .context("PatientCareReport without a UUID attribute")?;
    slots.push(Slot {
        start: us,
        end: ue,
        kind: SlotKind::Uuid,
    });

    let mut reader = Reader::from_reader(&bytes[..]);
    reader.config_mut().trim_text(false);
    let mut open: Option<(usize, usize)> = None; // (text start, max_len)
    loop {
        let before = reader.buffer_position() as usize;
        match reader
            .read_event()
            .context("template PCR is not well-formed")?
        {
            Event::Start(e) => {
                open = id_max_len(local_of(e.name().as_ref()))
                    .map(|max| (reader.buffer_position() as usize, max));
            }
            Event::End(_) => {
                if let Some((ts, max_len)) = open.take() {
                    let raw = &bytes[ts..before];
                    let lead = raw.iter().take_while(|b| b.is_ascii_whitespace()).count();
                    let trail = raw
                        .iter()
                        .rev()
                        .take_while(|b| b.is_ascii_whitespace())
                        .count();
                    if lead < raw.len() {
                        let trimmed = &raw[lead..raw.len() - trail];
                        // Only plain ASCII without markup can be cut safely.
                        let original = if trimmed.iter().all(|&b| b.is_ascii_graphic() || b == b' ')
                            && !trimmed.contains(&b'&')
                            && !trimmed.contains(&b'<')
                        {
                            trimmed.to_vec()
                        } else {
                            b"GEN".to_vec()
                        };
                        slots.push(Slot {
                            start: ts,
                            end: before,
                            kind: SlotKind::Id { original, max_len },
                        });
                    }
                }
            }
            Event::Text(_) | Event::CData(_) | Event::Comment(_) | Event::PI(_) => {}
            Event::Eof => break,
            _ => open = None,
        }
    }
    slots.sort_by_key(|s| s.start);
    Ok(PcrChunk { bytes, slots })
}

fn load_template(path: &PathBuf) -> Result<Template> {
    let src =
        std::fs::read(path).with_context(|| format!("reading template {}", path.display()))?;
    let mut reader = Reader::from_reader(&src[..]);
    reader.config_mut().trim_text(false);

    let mut depth = 0usize;
    let mut root_start: Option<Vec<u8>> = None;
    let mut root_end: Option<Vec<u8>> = None;
    let mut headers: Vec<TemplateHeader> = Vec::new();
    // state of the Header being read
    let mut header_start = 0usize;
    let mut last_child_end = 0usize;
    let mut first_pcr: Option<usize> = None;
    let mut pcr_start = 0usize;
    let mut pcrs: Vec<PcrChunk> = Vec::new();

    loop {
        let before = reader.buffer_position() as usize;
        let ev = reader
            .read_event()
            .context("template is not well-formed XML")?;
        let after = reader.buffer_position() as usize;
        match ev {
            Event::Start(e) => {
                let local = local_of(e.name().as_ref()).to_vec();
                match depth {
                    0 => {
                        ensure!(
                            local == b"EMSDataSet",
                            "template root is <{}>, expected <EMSDataSet>",
                            String::from_utf8_lossy(&local)
                        );
                        root_start = Some(src[before..after].to_vec());
                    }
                    1 if local == b"Header" => {
                        header_start = before;
                        last_child_end = after;
                        first_pcr = None;
                        pcrs.clear();
                    }
                    2 if local == b"PatientCareReport" => {
                        pcr_start = before;
                        if first_pcr.is_none() {
                            first_pcr = Some(before);
                        }
                    }
                    _ => {}
                }
                depth += 1;
            }
            Event::Empty(_) => {
                ensure!(depth > 0, "template root element is empty");
                if depth == 2 && first_pcr.is_none() {
                    last_child_end = after;
                }
            }
            Event::End(e) => {
                depth -= 1;
                let local = local_of(e.name().as_ref()).to_vec();
                match depth {
                    0 => root_end = Some(src[before..after].to_vec()),
                    1 if local == b"Header" => {
                        let first =
                            first_pcr.context("a template Header has no PatientCareReport")?;
                        headers.push(TemplateHeader {
                            indent: indent_before(&src, header_start),
                            open: src[header_start..last_child_end].to_vec(),
                            close: src[before..after].to_vec(),
                            pcr_indent: indent_before(&src, first),
                            pcrs: std::mem::take(&mut pcrs),
                        });
                    }
                    2 if local == b"PatientCareReport" => {
                        pcrs.push(parse_pcr(&src, pcr_start, after)?);
                    }
                    2 if first_pcr.is_none() => last_child_end = after,
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let t = Template {
        name: path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        root_start: root_start.context("template has no root element")?,
        root_end: root_end.context("template root element is not closed")?,
        headers,
    };
    ensure!(!t.headers.is_empty(), "template has no Header");
    Ok(t)
}

// ---------------------------------------------------------------------------------------------
// Generated values

fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Version-4 UUID for record `n`. All 64 bits of `x` (a bijection of `n` for a given seed) are
/// kept, so distinct records always get distinct UUIDs.
fn uuid_for(n: u64, seed: u64) -> [u8; 36] {
    let x = splitmix64(n ^ splitmix64(seed));
    let y = splitmix64(x ^ 0x5851_F42D_4C95_7F2D ^ seed);
    let nibble = |v: u64, shift: u32| ((v >> shift) & 0xf) as u8;
    let mut nib = [0u8; 32];
    for (i, d) in nib[..12].iter_mut().enumerate() {
        *d = nibble(x, 60 - 4 * i as u32); // x bits 63..16
    }
    nib[12] = 4; // version 4
    for (i, d) in nib[13..16].iter_mut().enumerate() {
        *d = nibble(x, 12 - 4 * i as u32); // x bits 15..4
    }
    nib[16] = 8 | (x & 0x3) as u8; // variant 10xx, x bits 1..0
    nib[17] = ((((x >> 2) & 0x3) << 2) | (y & 0x3)) as u8; // x bits 3..2
    nib[18] = nibble(y, 2);
    nib[19] = nibble(y, 6);
    for (i, d) in nib[20..].iter_mut().enumerate() {
        *d = nibble(y, 60 - 4 * i as u32);
    }
    let mut out = [0u8; 36];
    let mut j = 0;
    for (i, v) in nib.iter().enumerate() {
        if i == 8 || i == 12 || i == 16 || i == 20 {
            out[j] = b'-';
            j += 1;
        }
        out[j] = HEX[*v as usize];
        j += 1;
    }
    out
}

/// Writes `text` with `suffix`, cutting `text` so that the whole stays within `max_len`.
fn write_id<W: Write>(w: &mut W, original: &[u8], suffix: &[u8], max_len: usize) -> io::Result<()> {
    let keep = max_len.saturating_sub(suffix.len()).min(original.len());
    let mut prefix = &original[..keep];
    // no trailing space right before the suffix (looks odd, still valid)
    while let [rest @ .., b' '] = prefix {
        prefix = rest;
    }
    w.write_all(prefix)?;
    w.write_all(suffix)
}

// ---------------------------------------------------------------------------------------------
// Output

struct Counting<W: Write> {
    inner: W,
    bytes: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.inner.write_all(buf)?;
        self.bytes += buf.len() as u64;
        Ok(())
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[derive(Clone, Copy, Debug)]
enum Budget {
    Records(u64),
    Bytes(u64),
}

struct Gen<'t> {
    t: &'t Template,
    seed: u64,
    per_header_cap: u64,
    /// Next global record number (0-based).
    next_record: u64,
    /// Next template Header to use for an output Header.
    next_header: usize,
    /// Round-robin cursor into each template Header's PCRs.
    cursors: Vec<usize>,
    headers_written: u64,
    suffix: Vec<u8>,
}

impl<'t> Gen<'t> {
    fn new(t: &'t Template, seed: u64, per_header_cap: u64) -> Self {
        Gen {
            t,
            seed,
            per_header_cap: per_header_cap.max(1),
            next_record: 0,
            next_header: 0,
            cursors: vec![0; t.headers.len()],
            headers_written: 0,
            suffix: Vec::with_capacity(32),
        }
    }

    /// PCRs per Header for a document of about `est_records` records.
    fn per_header(&self, est_records: u64) -> u64 {
        let h = self.t.headers.len() as u64;
        self.per_header_cap.min(est_records.div_ceil(h).max(1))
    }

    fn write_pcr<W: Write>(&mut self, w: &mut W, pcr: &PcrChunk) -> io::Result<()> {
        let n = self.next_record;
        self.next_record += 1;
        self.suffix.clear();
        if self.seed == 0 {
            write!(self.suffix, "-g{}", n + 1)?;
        } else {
            write!(self.suffix, "-s{}-g{}", self.seed, n + 1)?;
        }
        let mut cur = 0;
        for s in &pcr.slots {
            w.write_all(&pcr.bytes[cur..s.start])?;
            match &s.kind {
                SlotKind::Uuid => w.write_all(&uuid_for(n, self.seed))?,
                SlotKind::Id { original, max_len } => {
                    write_id(w, original, &self.suffix, *max_len)?
                }
            }
            cur = s.end;
        }
        w.write_all(&pcr.bytes[cur..])
    }

    /// Writes one complete EMSDataSet document; returns the number of PCRs written.
    fn write_doc<W: Write>(
        &mut self,
        w: &mut Counting<W>,
        budget: Budget,
        doc_label: &str,
    ) -> io::Result<u64> {
        let t = self.t;
        let start_bytes = w.bytes;
        let est_records = match budget {
            Budget::Records(n) => n,
            Budget::Bytes(b) => b.div_ceil(t.avg_pcr_len()),
        };
        let per_header = self.per_header(est_records);

        w.write_all(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")?;
        writeln!(
            w,
            "<!-- Generated by examples/gen_corpus.rs (nemsis) from template {}, seed {}, {}. \
             Synthetic data built from fictitious samples. -->",
            t.name.replace("--", "- -"),
            self.seed,
            doc_label
        )?;
        w.write_all(&t.root_start)?;

        let mut records = 0u64;
        'headers: loop {
            let hi = self.next_header;
            self.next_header = (self.next_header + 1) % t.headers.len();
            let th = &t.headers[hi];
            let tail = (1 + th.indent.len() + th.close.len() + 1 + t.root_end.len() + 1) as u64;
            w.write_all(b"\n")?;
            w.write_all(&th.indent)?;
            w.write_all(&th.open)?;
            self.headers_written += 1;
            let mut in_header = 0u64;
            loop {
                let pcr = &th.pcrs[self.cursors[hi]];
                self.cursors[hi] = (self.cursors[hi] + 1) % th.pcrs.len();
                w.write_all(b"\n")?;
                w.write_all(&th.pcr_indent)?;
                self.write_pcr(w, pcr)?;
                records += 1;
                in_header += 1;
                let done = match budget {
                    Budget::Records(n) => records >= n,
                    Budget::Bytes(b) => w.bytes - start_bytes + tail >= b,
                };
                if done {
                    w.write_all(b"\n")?;
                    w.write_all(&th.indent)?;
                    w.write_all(&th.close)?;
                    break 'headers;
                }
                if in_header >= per_header {
                    break;
                }
            }
            w.write_all(b"\n")?;
            w.write_all(&th.indent)?;
            w.write_all(&th.close)?;
        }
        w.write_all(b"\n")?;
        w.write_all(&t.root_end)?;
        w.write_all(b"\n")?;
        Ok(records)
    }
}

/// Splits `total` into `parts` shares differing by at most one (larger shares first).
fn share(total: u64, parts: u64, i: u64) -> u64 {
    total / parts + u64::from(i < total % parts)
}

fn main() -> Result<()> {
    let args = Args::parse();
    let t = load_template(&args.template)?;
    let started = Instant::now();
    let mut gen = Gen::new(&t, args.seed, args.per_header);
    let budget = match (args.size, args.records) {
        (Some(b), _) => Budget::Bytes(b),
        (None, Some(n)) => Budget::Records(n),
        (None, None) => bail!("one of --size or --records is required"),
    };
    if let Budget::Records(0) = budget {
        bail!("--records must be at least 1");
    }

    let (records, bytes, docs, file_bytes) = match args.zip_files {
        None => {
            let sink: Box<dyn Write> = if args.out.as_os_str() == "-" {
                Box::new(io::stdout().lock())
            } else {
                Box::new(
                    File::create(&args.out)
                        .with_context(|| format!("creating {}", args.out.display()))?,
                )
            };
            let mut w = Counting {
                inner: BufWriter::with_capacity(1 << 20, sink),
                bytes: 0,
            };
            let records = gen.write_doc(&mut w, budget, "document 1 of 1")?;
            w.flush()?;
            let bytes = w.bytes;
            (records, bytes, 1u64, bytes)
        }
        Some(n_files) => {
            ensure!(n_files >= 1, "--zip-files must be at least 1");
            ensure!(
                args.out.as_os_str() != "-",
                "--zip-files needs a file path for --out"
            );
            if let Budget::Records(r) = budget {
                ensure!(
                    r >= n_files,
                    "--records ({r}) must be at least --zip-files ({n_files})"
                );
            }
            let file = File::create(&args.out)
                .with_context(|| format!("creating {}", args.out.display()))?;
            let mut zip = zip::ZipWriter::new(BufWriter::with_capacity(1 << 20, file));
            let width = n_files.to_string().len().max(5);
            let (mut records, mut bytes) = (0u64, 0u64);
            for i in 0..n_files {
                let doc_budget = match budget {
                    Budget::Records(r) => Budget::Records(share(r, n_files, i)),
                    Budget::Bytes(b) => Budget::Bytes(share(b, n_files, i).max(1)),
                };
                let est_bytes = match doc_budget {
                    Budget::Bytes(b) => b + 2 * t.avg_pcr_len(),
                    Budget::Records(r) => r.saturating_mul(t.avg_pcr_len() * 2) + 4096,
                };
                let method = if args.zip_level == 0 {
                    zip::CompressionMethod::Stored
                } else {
                    zip::CompressionMethod::Deflated
                };
                let opts = zip::write::SimpleFileOptions::default()
                    .compression_method(method)
                    .compression_level(if args.zip_level == 0 {
                        None
                    } else {
                        Some(args.zip_level)
                    })
                    .last_modified_time(zip::DateTime::default())
                    .unix_permissions(0o644)
                    .large_file(est_bytes >= u32::MAX as u64);
                let name = format!("corpus-{:0width$}.xml", i + 1);
                zip.start_file(name.as_str(), opts)?;
                let mut w = Counting {
                    inner: BufWriter::with_capacity(1 << 18, &mut zip),
                    bytes: 0,
                };
                records += gen.write_doc(
                    &mut w,
                    doc_budget,
                    &format!("document {} of {}", i + 1, n_files),
                )?;
                w.flush()?;
                bytes += w.bytes;
            }
            let mut inner = zip.finish()?;
            inner.flush()?;
            let file_bytes = inner.get_ref().metadata().map(|m| m.len()).unwrap_or(0);
            (records, bytes, n_files, file_bytes)
        }
    };

    let secs = started.elapsed().as_secs_f64();
    eprintln!(
        "gen_corpus: {records} records in {} Headers, {docs} document(s), {bytes} bytes of XML{} \
         to {} in {secs:.2} s ({:.0} MB/s); template {} ({} Headers, {} PCRs)",
        gen.headers_written,
        if args.zip_files.is_some() {
            format!(" ({file_bytes} bytes zipped)")
        } else {
            String::new()
        },
        args.out.display(),
        bytes as f64 / 1e6 / secs.max(1e-9),
        t.name,
        t.headers.len(),
        t.pcr_count(),
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_schema_uuid(u: &[u8]) -> bool {
        let s = std::str::from_utf8(u).unwrap();
        let parts: Vec<&str> = s.split('-').collect();
        parts.len() == 5
            && [8, 4, 4, 4, 12]
                .iter()
                .zip(&parts)
                .all(|(n, p)| p.len() == *n)
            && s.chars().all(|c| c == '-' || c.is_ascii_hexdigit())
            && (b'1'..=b'5').contains(&parts[2].as_bytes()[0])
            && b"89abAB".contains(&parts[3].as_bytes()[0])
    }

    #[test]
    fn uuids_match_pattern_and_are_unique() {
        let mut seen = std::collections::HashSet::new();
        for n in 0..100_000u64 {
            let u = uuid_for(n, 7);
            assert!(is_schema_uuid(&u), "{}", String::from_utf8_lossy(&u));
            assert!(seen.insert(u));
        }
    }

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("1GB").unwrap(), 1_000_000_000);
        assert_eq!(parse_size("20MiB").unwrap(), 20 << 20);
        assert_eq!(parse_size("123").unwrap(), 123);
        assert!(parse_size("12 parsecs").is_err());
    }

    #[test]
    fn ids_respect_max_len() {
        let mut out = Vec::new();
        write_id(&mut out, &[b'x'; 60], b"-g123", 50).unwrap();
        assert_eq!(out.len(), 50);
        assert!(out.ends_with(b"-g123"));
    }
}
