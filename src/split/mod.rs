//! The streaming splitter: reads one XML document from a byte stream and emits its records one
//! at a time (EMSDataSet: each `PatientCareReport` with its `Header` context; DEMDataSet: each
//! `DemographicReport`; StateDataSet: the whole document), as raw bytes with their position.
//!
//! It validates the envelope around the records itself (root, Header, DemographicGroup,
//! eCustomConfiguration...) with the same [`Validator`]; a record's body is not tokenized
//! here, only scanned for its end tag ([`scan`]): workers parse and validate the record bytes.
//! Memory is bounded by the largest record plus the header context, whatever the document size.

use crate::finding::{Finding, Kind, Severity};
use crate::record::{Builder, Record};
use crate::schema::model::ElemId;
use crate::validate::xsd::{borrowed, check_attributes, raw_attributes, split_qname, LineIndex, Namespaces, RecordContext, Schema, StartTag, Validator};
use quick_xml::events::{BytesStart, Event};
use std::io::{BufRead, Read};
use std::sync::Arc;

mod scan;

/// How to pick the NEMSIS version of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionChoice {
    /// From the document's `xsi:schemaLocation` (a `3.5.0.<build>` or `3.5.1.<build>` release
    /// folder), else 3.5.1.
    Auto,
    Fixed(&'static str),
}

/// The header context shared by the records that follow it.
#[derive(Debug, Default)]
pub struct Context {
    /// Path of the context element, e.g. `/EMSDataSet/Header[2]` (records are its children).
    pub path: String,
    /// The context element's subtree before its first record (EMS: `Header` with
    /// `DemographicGroup` and `eCustomConfiguration`; DEM: `DEMDataSet` with
    /// `dCustomConfiguration`). Empty for StateDataSet.
    pub tree: Record,
    /// Raw bytes of the document from its start up to the first record of this context
    /// (XML declaration, root start tag, and for EMS the Header's prelude), used to write
    /// rejected records back out as a valid document.
    pub prelude: Vec<u8>,
    /// How much of `prelude` is the document's own start (XML declaration, root start tag),
    /// shared by every context of the document.
    pub prefix_len: usize,
    /// Close tags that end a document started by `prelude` (e.g. `</Header></EMSDataSet>`).
    pub epilogue: Vec<u8>,
    /// How much of the end of `epilogue` closes the document element.
    pub root_close_len: usize,
    /// Namespace bindings in scope at the records.
    pub ns: Namespaces,
}

/// What the splitter knows about a document once its root element has been read.
#[derive(Debug, Clone)]
pub struct DocInfo {
    pub dataset: String,
    pub version: &'static str,
    pub schema: &'static Schema,
    /// The element records are instances of.
    pub record_elem: ElemId,
}

/// One record's bytes, cut from the document.
#[derive(Debug, Clone)]
pub struct RawRecord {
    pub bytes: Vec<u8>,
    /// 1-based position of the record's first byte in the document.
    pub line: u32,
    pub column: u32,
    /// Byte offset of the record's first byte in the (decompressed) stream.
    pub offset: u64,
    /// Position of the record among its siblings (PatientCareReport[n] within its Header).
    pub index: u32,
    /// Position of the record in the document (1-based, across Headers).
    pub ordinal: u64,
    pub context: Arc<Context>,
}

/// Receives the splitter's output in document order.
pub trait SplitSink {
    /// The root element was read and the schema chosen.
    fn document(&mut self, info: &DocInfo);
    /// A complete record (its inside is not yet validated).
    fn record(&mut self, info: &DocInfo, rec: RawRecord);
    /// A record cut short by a well-formedness error (its bytes up to the break).
    fn unreadable(&mut self, info: &DocInfo, rec: RawRecord, finding: Finding);
}

/// Document-level results of splitting.
#[derive(Debug, Default)]
pub struct SplitOutcome {
    pub info: Option<DocInfo>,
    /// Parse and XSD findings outside records (envelope), in document order.
    pub findings: Vec<Finding>,
    pub well_formed: bool,
    /// Records emitted (complete and unreadable).
    pub records: u64,
}

/// A BufRead wrapper that copies every consumed byte into `capture`. Lines are counted once
/// per capture (see [`Tee::settle`]), not per consumed chunk.
struct Tee<R> {
    inner: R,
    /// A '<' the record scanner read and gave back (see [`Tee::skip_record_body`]); served
    /// before `inner`'s bytes.
    unread_lt: bool,
    capture: Vec<u8>,
    consumed: u64,
    /// Line and line start as of the start of `capture`... after `settle`, of its end.
    line: u32,
    line_start: u64,
}

impl<R: BufRead> Tee<R> {
    /// Count the lines in `capture` (call before clearing it): afterwards `position()` is the
    /// position after the captured bytes.
    fn settle(&mut self) {
        let cap_start = self.consumed - self.capture.len() as u64;
        let n = memchr::memchr_iter(b'\n', &self.capture).count();
        if n > 0 {
            self.line += n as u32;
            self.line_start = cap_start + memchr::memrchr(b'\n', &self.capture).unwrap() as u64 + 1;
        }
    }
    fn position(&self) -> (u32, u32) {
        (self.line, (self.consumed - self.line_start) as u32 + 1)
    }

    /// Hand over the captured bytes (a record), leaving room for one as large: records of a
    /// document are alike in size, and growing the capture from empty copies it over and over.
    fn take_capture(&mut self) -> Vec<u8> {
        let room = self.capture.len() + self.capture.len() / 8;
        std::mem::replace(&mut self.capture, Vec::with_capacity(room))
    }

    /// Consume (and capture) a record's body, after its start tag, up to the `<` of its end
    /// tag: found by search ([`scan::fast_body_end`]) when the buffer holds it, else with the
    /// byte-level [`scan::BodyScan`]. Err: (absolute offset, message) when the
    /// stream ends inside the record or markup that cannot occur there is found.
    fn skip_record_body(&mut self, qname: &[u8]) -> Result<(), (u64, String)> {
        if !self.unread_lt {
            if let Ok(chunk) = self.fill_buf() {
                if let Some(i) = scan::fast_body_end(chunk, qname) {
                    self.consume(i);
                    return Ok(());
                }
            }
        }
        let mut scan = scan::BodyScan::default();
        loop {
            let (step, len) = match self.fill_buf() {
                Ok([]) => return Err((self.consumed, "not well-formed: the document ends inside this record".into())),
                Ok(chunk) => (scan.feed(chunk), chunk.len()),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err((self.consumed, format!("read error: {e}"))),
            };
            match step {
                scan::Step::More => self.consume(len),
                scan::Step::End(Some(i)) => {
                    self.consume(i);
                    return Ok(());
                }
                scan::Step::End(None) => {
                    // The end tag's '<' ended the previous chunk: give it back to quick-xml.
                    self.capture.pop();
                    self.consumed -= 1;
                    self.unread_lt = true;
                    return Ok(());
                }
                scan::Step::Refused(at, why) => {
                    if let Some(i) = at {
                        self.consume(i);
                    }
                    return Err((self.consumed, why.to_string()));
                }
            }
        }
    }
}

/// The first well-formedness error in a record's bytes (offset in `bytes`, message), found by
/// tokenizing them: used only when a record could not be cut, to name the error the way a
/// full parse would.
fn first_error(bytes: &[u8]) -> Option<(u64, String)> {
    let mut r = quick_xml::Reader::from_reader(bytes);
    r.config_mut().check_comments = true;
    let mut depth = 0usize;
    loop {
        // After a text event quick-xml has already consumed the next '<'.
        let mut before = r.buffer_position();
        if before > 0 && bytes.get(before as usize - 1) == Some(&b'<') {
            before -= 1;
        }
        match r.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) if check_attributes(&e).is_err() => return Some((before, check_attributes(&e).unwrap_err())),
            Ok(Event::Start(_)) => depth += 1,
            Ok(Event::End(_)) => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return None;
                }
            }
            Ok(Event::DocType(_)) => return Some((r.buffer_position(), "DOCTYPE declarations are refused".into())),
            Ok(Event::Eof) => return None,
            Ok(_) => {}
            Err(e) => return Some((r.error_position(), format!("not well-formed: {e}"))),
        }
    }
}

impl<R: BufRead> Read for Tee<R> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        let n = {
            let avail = self.fill_buf()?;
            let n = avail.len().min(out.len());
            out[..n].copy_from_slice(&avail[..n]);
            n
        };
        self.consume(n);
        Ok(n)
    }
}

impl<R: BufRead> BufRead for Tee<R> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        if self.unread_lt {
            return Ok(b"<");
        }
        self.inner.fill_buf()
    }
    fn consume(&mut self, n: usize) {
        if self.unread_lt && n > 0 {
            self.unread_lt = false;
            self.capture.push(b'<');
            self.consumed += 1;
            return;
        }
        // consume() follows a fill_buf() that returned at least n bytes, so this fill_buf()
        // returns the same buffer without reading.
        if let Ok(buf) = self.inner.fill_buf() {
            self.capture.extend_from_slice(&buf[..n.min(buf.len())]);
        }
        self.consumed += n as u64;
        self.inner.consume(n);
    }
}

/// Detect the NEMSIS version from a root start tag's `xsi:schemaLocation`.
pub fn detect_version(root: &BytesStart) -> Option<&'static str> {
    for a in root.attributes().with_checks(false).flatten() {
        let (_, local) = split_qname(a.key.as_ref());
        if local == b"schemaLocation" {
            let v = String::from_utf8_lossy(&a.value);
            // Official releases live in folders like ".../3.5.1.250403CP1/XSDs/...". The
            // generic "release-3.5.0" folder appears in 3.5.1 sample files too, so it says
            // nothing.
            for (needle, ver) in [("/3.5.1.", "3.5.1"), ("/3.5.0.", "3.5.0")] {
                if v.contains(needle) {
                    return Some(ver);
                }
            }
        }
    }
    None
}

fn is_ws(s: &[u8]) -> bool {
    s.iter().all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
}

struct Splitter<'a, R: BufRead> {
    reader: quick_xml::Reader<Tee<R>>,
    sink: &'a mut dyn SplitSink,
    out: SplitOutcome,
    v: Option<Validator<'static>>,
    /// The context element (Header / DEMDataSet) or None when records are the root.
    context_elem: Option<ElemId>,
    context_path: String,
    /// Prelude of the current context being collected (None once frozen).
    prelude: Vec<u8>,
    frozen: Option<Arc<Context>>,
    doc_prefix: Vec<u8>,
    root_closed: bool,
    /// Bytes consumed behind quick-xml's back by the record scanner (quick-xml's offsets lag
    /// the stream's by this much).
    skipped: u64,
}

/// Split one document. Never fails: problems become findings in the outcome.
pub fn split<R: BufRead>(input: R, version: VersionChoice, sink: &mut dyn SplitSink) -> SplitOutcome {
    let tee = Tee { inner: input, unread_lt: false, capture: Vec::new(), consumed: 0, line: 1, line_start: 0 };
    let mut reader = quick_xml::Reader::from_reader(tee);
    reader.config_mut().check_comments = true;
    let mut s = Splitter {
        reader,
        sink,
        out: SplitOutcome { well_formed: true, ..Default::default() },
        v: None,
        context_elem: None,
        context_path: String::new(),
        prelude: Vec::new(),
        frozen: None,
        doc_prefix: Vec::new(),
        root_closed: false,
        skipped: 0,
    };
    s.run(version);
    let mut out = s.out;
    if let Some(v) = s.v {
        let (_, f) = v.finish();
        out.findings.extend(f);
    }
    out.findings.sort_by_key(|f| (f.line, f.column));
    out
}

impl<R: BufRead> Splitter<'_, R> {
    fn parse_error(&mut self, line: u32, column: u32, message: String) {
        self.out.well_formed = false;
        let (element, path) = match &self.v {
            Some(v) => (v.current().map(|e| v.model().element(e).name.clone()), v.path()),
            None => (None, String::new()),
        };
        self.out.findings.push(Finding { record: None, kind: Kind::Parse, rule: None, severity: Severity::Fatal, element, line: line as u64, column: column as u64, path, message });
    }

    /// Position of an error offset (absolute) given the event started at `start_off`/(line, col).
    fn error_pos(&self, start_off: u64, line: u32, col: u32) -> (u32, u32) {
        let err = self.reader.error_position() + self.skipped;
        let rel = err.saturating_sub(start_off) as usize;
        let cap = &self.reader.get_ref().capture;
        LineIndex::new(cap, line, col).at(rel)
    }

    fn run(&mut self, version: VersionChoice) {
        let mut buf = Vec::new();
        loop {
            buf.clear();
            // quick-xml consumes the '<' that ends a text event together with the text, so a
            // capture ending in '<' (markup captures end in '>') lends it to the next event.
            let tee = self.reader.get_mut();
            let carry = tee.capture.last() == Some(&b'<');
            tee.settle();
            tee.capture.clear();
            if carry {
                tee.capture.push(b'<');
            }
            let (line, col) = tee.position();
            let col = col - carry as u32;
            let start_off = tee.consumed - carry as u64;
            let ev = match self.reader.read_event_into(&mut buf) {
                Ok(ev) => ev,
                Err(e) => {
                    let (l, c) = self.error_pos(start_off, line, col);
                    self.parse_error(l, c, format!("not well-formed: {e}"));
                    return;
                }
            };
            match ev {
                Event::Start(e) | Event::Empty(e) if self.root_closed => {
                    let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                    self.parse_error(line, col, format!("not well-formed: element {name} after the end of the document element"));
                    return;
                }
                Event::Start(ref e) => {
                    if !self.begin_element(e, version, line, col, start_off, false) {
                        return;
                    }
                }
                Event::Empty(ref e) => {
                    if !self.begin_element(e, version, line, col, start_off, true) {
                        return;
                    }
                }
                Event::End(_) => {
                    self.keep_prelude();
                    let Some(v) = self.v.as_mut() else { return };
                    let closing = v.current();
                    let skipping = v.skipping();
                    v.end();
                    if !skipping && closing.is_some() && closing == self.context_elem {
                        self.frozen = None;
                        self.prelude.clear();
                    }
                    if v.depth() == 0 {
                        self.root_closed = true;
                    }
                }
                Event::Text(t) => {
                    self.keep_prelude();
                    if self.v.is_none() || self.root_closed {
                        if !is_ws(&t) {
                            self.parse_error(line, col, "not well-formed: text outside the document element".into());
                            return;
                        }
                        continue;
                    }
                    match t.unescape() {
                        Ok(s) => self.v.as_mut().unwrap().text(&s, line, col),
                        Err(e) => {
                            self.parse_error(line, col, format!("not well-formed: {e}"));
                            return;
                        }
                    }
                }
                Event::CData(t) => {
                    self.keep_prelude();
                    let s = String::from_utf8_lossy(&t).into_owned();
                    if let Some(v) = self.v.as_mut() {
                        v.text(&s, line, col);
                    }
                }
                Event::Decl(d) => {
                    if start_off != 0 && !(start_off == 3 && self.doc_prefix.starts_with(b"\xEF\xBB\xBF")) {
                        self.parse_error(line, col, "not well-formed: XML declaration not at the start of the document".into());
                        return;
                    }
                    if let Some(Ok(enc)) = d.encoding() {
                        let enc = String::from_utf8_lossy(&enc).to_ascii_lowercase();
                        if enc != "utf-8" && enc != "utf8" && enc != "us-ascii" && enc != "ascii" {
                            self.parse_error(line, col, format!("unsupported encoding {enc}: NEMSIS documents must be UTF-8"));
                            return;
                        }
                    }
                    self.keep_prelude();
                }
                Event::DocType(_) => {
                    self.parse_error(line, col, "DOCTYPE declarations are refused (no DTDs or entity definitions are processed)".into());
                    return;
                }
                Event::Eof => {
                    if self.v.is_none() {
                        self.parse_error(line, col, "not well-formed: no document element".into());
                    } else if !self.root_closed {
                        let open = self.v.as_ref().map(|v| v.path()).unwrap_or_default();
                        self.parse_error(line, col, format!("not well-formed: the document ends before {open} is closed"));
                    }
                    return;
                }
                Event::PI(_) | Event::Comment(_) => self.keep_prelude(),
            }
        }
    }

    /// Append the current event's bytes to the document prefix / context prelude.
    fn keep_prelude(&mut self) {
        let cap = &self.reader.get_ref().capture;
        let cap = cap.strip_suffix(b"<").unwrap_or(cap);
        if self.v.is_none() {
            self.doc_prefix.extend_from_slice(cap);
        } else if self.frozen.is_none() && self.context_elem.is_some() {
            self.prelude.extend_from_slice(cap);
        }
    }

    /// Handle a start tag; returns false when the document cannot be processed further.
    fn begin_element(&mut self, e: &BytesStart, version: VersionChoice, line: u32, col: u32, start_off: u64, empty: bool) -> bool {
        if let Err(msg) = check_attributes(e) {
            self.parse_error(line, col, msg);
            return false;
        }
        if self.v.is_none() && !self.start_document(e, version, line, col) {
            return false;
        }
        let info = self.out.info.clone().unwrap();
        let local = String::from_utf8_lossy(split_qname(e.name().as_ref()).1).into_owned();
        let v = self.v.as_mut().unwrap();
        let record_parent = info.schema.model.element(info.record_elem).parent;
        let is_record = !v.skipping() && local == info.schema.model.element(info.record_elem).name && v.current() == record_parent;
        if !is_record {
            let m = info.schema.model;
            let is_root = v.depth() == 0;
            let entering_context = !v.skipping()
                && self.context_elem.is_some()
                && if is_root {
                    self.context_elem == Some(m.root)
                } else {
                    v.current().is_some_and(|p| m.children(p).iter().any(|c| Some(*c) == self.context_elem && m.element(*c).name == local))
                };
            let owned = raw_attributes(e);
            v.start(&StartTag { qname: e.name().into_inner(), attrs: &borrowed(&owned) }, line, col, empty);
            if is_root {
                let cap = &self.reader.get_ref().capture;
                self.doc_prefix.extend_from_slice(cap);
            }
            let v = self.v.as_mut().unwrap();
            if entering_context && !empty && v.current() == self.context_elem {
                // A new context (Header): restart its tree and prelude.
                if !is_root {
                    v.builder = Builder::new();
                    v.builder.open(self.context_elem.unwrap(), line, col);
                }
                self.context_path = v.path();
                self.frozen = None;
                self.prelude.clear();
            }
            if !is_root {
                self.keep_prelude();
            }
            if v_depth(&self.v) == 0 && empty {
                self.root_closed = true;
            }
            return true;
        }
        // A record: accept it in the envelope's content model, then cut its bytes.
        let index = if self.context_elem.is_none() {
            1
        } else {
            match v.accept_opaque(&local, line, col) {
                Some((_, i)) => i,
                None => 1,
            }
        };
        if self.context_elem.is_none() {
            // The record is the document element (StateDataSet).
            self.context_path = String::new();
        }
        let ctx = self.context();
        self.out.records += 1;
        let ordinal = self.out.records;
        if empty {
            self.reader.get_mut().settle();
        let bytes = self.reader.get_mut().take_capture();
            self.sink.record(&info, RawRecord { bytes, line, column: col, offset: start_off, index, ordinal, context: ctx });
            if self.context_elem.is_none() {
                self.root_closed = true;
            }
            return true;
        }
        // Cut the body with the byte-level scanner, then let quick-xml read the end tag (it
        // checks the name against the record's start tag).
        let before = self.reader.get_ref().consumed;
        let scanned = self.reader.get_mut().skip_record_body(e.name().as_ref());
        self.skipped += self.reader.get_ref().consumed - before;
        let failure = match scanned {
            Err(e) => Some(e),
            Ok(()) => {
                let mut buf = Vec::new();
                match self.reader.read_event_into(&mut buf) {
                    Ok(Event::End(_)) => None,
                    Ok(_) => Some((self.reader.get_ref().consumed, "not well-formed: expected the record's end tag".to_string())),
                    Err(err) => Some((self.reader.error_position() + self.skipped, format!("not well-formed: {err}"))),
                }
            }
        };
        self.reader.get_mut().settle();
        let bytes = self.reader.get_mut().take_capture();
        let rec = RawRecord { bytes, line, column: col, offset: start_off, index, ordinal, context: ctx };
        match failure {
            None => {
                self.sink.record(&info, rec);
                if self.context_elem.is_none() {
                    self.root_closed = true;
                }
                true
            }
            Some((at, message)) => {
                let (at, message) = match first_error(&rec.bytes) {
                    Some((rel, m)) if start_off + rel < at => (start_off + rel, m),
                    _ => (at, message),
                };
                let rel = at.saturating_sub(start_off) as usize;
                let (l, c) = LineIndex::new(&rec.bytes, line, col).at(rel);
                let path = format!("{}/{}[{}]", rec.context.path, local, index);
                let f = Finding { record: None, kind: Kind::Parse, rule: None, severity: Severity::Fatal, element: Some(local.clone()), line: l as u64, column: c as u64, path, message };
                // The finding travels with the unreadable record (not in the envelope's list).
                self.out.well_formed = false;
                self.sink.unreadable(&info, rec, f);
                false
            }
        }
    }

    /// Read the root element: pick dataset and version, set up the envelope validator.
    fn start_document(&mut self, e: &BytesStart, version: VersionChoice, line: u32, col: u32) -> bool {
        let local = String::from_utf8_lossy(split_qname(e.name().as_ref()).1).into_owned();
        let version = match version {
            VersionChoice::Fixed(v) => v,
            VersionChoice::Auto => detect_version(e).unwrap_or("3.5.1"),
        };
        let Some(schema) = Schema::get(version, &local) else {
            self.out.findings.push(Finding {
                record: None,
                kind: Kind::Xsd,
                rule: None,
                severity: Severity::Fatal,
                element: Some(local.clone()),
                line: line as u64,
                column: col as u64,
                path: format!("/{local}"),
                message: format!("document element {local} is not a NEMSIS dataset (EMSDataSet, DEMDataSet or StateDataSet)"),
            });
            return false;
        };
        let m = schema.model;
        let record_path = match local.as_str() {
            "EMSDataSet" => "/EMSDataSet/Header/PatientCareReport",
            "DEMDataSet" => "/DEMDataSet/DemographicReport",
            _ => "/StateDataSet",
        };
        let record_elem = m.by_path(record_path).expect("record element in model");
        self.context_elem = m.element(record_elem).parent;
        let info = DocInfo { dataset: local, version, schema, record_elem };
        self.sink.document(&info);
        self.out.info = Some(info);
        self.v = Some(Validator::new(schema, m.root, RecordContext::default(), Namespaces::default()));
        true
    }

    /// The context shared by records of the current context element (frozen at its first record).
    fn context(&mut self) -> Arc<Context> {
        if let Some(c) = &self.frozen {
            return c.clone();
        }
        let v = self.v.as_ref().unwrap();
        let m = v.builder.rec.nodes.first().map(|_| v.builder.rec.clone()).unwrap_or_default();
        let mut prelude = self.doc_prefix.clone();
        prelude.extend_from_slice(&self.prelude);
        // Close tags for the open envelope elements (context and its ancestors).
        let info = self.out.info.as_ref().unwrap();
        let mut epilogue = Vec::new();
        let mut root_close_len = 0;
        let mut cur = info.schema.model.element(info.record_elem).parent;
        while let Some(c) = cur {
            let e = info.schema.model.element(c);
            let close = format!("</{}>", e.name);
            root_close_len = close.len();
            epilogue.extend_from_slice(close.as_bytes());
            cur = e.parent;
        }
        let prefix_len = self.doc_prefix.len();
        let ns = Namespaces::from_bindings(v.ns.bindings().to_vec());
        let ctx = Arc::new(Context { path: self.context_path.clone(), tree: m, prelude, prefix_len, epilogue, root_close_len, ns });
        self.frozen = Some(ctx.clone());
        ctx
    }
}

fn v_depth(v: &Option<Validator>) -> usize {
    v.as_ref().map_or(0, |v| v.depth())
}

