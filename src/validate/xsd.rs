//! Streaming XSD validation over the compiled model, building the record tree in the same pass.
//!
//! [`Validator`] consumes XML events (start tag, text, end tag) and checks, per element: the
//! namespace, its place in the parent's content model (order, cardinality, unknown elements),
//! attributes (allowed, required, typed), `xsi:nil` rules, and its value against the type's
//! facets. Every accepted element becomes a node of the [`Builder`]'s record tree, so rules,
//! coding and the extract read the same single parse. Two drivers feed it: [`validate_record`]
//! (a record's bytes, in a worker) and the document splitter ([`crate::split`]), which validates
//! the envelope around the records and hands each record's bytes off opaquely.

use crate::finding::{Finding, Kind, Severity};
use crate::record::{Builder, NodeId, Record};
use crate::schema::model::{Content, ElemId, Model, TypeId, NEMSIS_NS, XSI_NS};
use crate::validate::value::ValueChecker;
use crate::validate::lexer::{Lexer, Token};
use quick_xml::events::BytesStart;
use std::sync::OnceLock;

/// A start tag as the validator reads it: its qualified name and its attributes (qualified
/// name, raw value before unescaping), from the record lexer or from the splitter's parser.
pub struct StartTag<'a> {
    pub qname: &'a [u8],
    pub attrs: &'a [(&'a [u8], &'a [u8])],
}

/// The attributes of a quick-xml start tag (qualified name, raw value before unescaping), for
/// the splitter's envelope elements; borrow them as [`StartTag::attrs`] with [`borrowed`].
/// Syntax is checked separately by [`check_attributes`]. Values are copied (a few envelope
/// tags per document) so that none is lost whether quick-xml borrowed or owned them.
pub fn raw_attributes(e: &BytesStart) -> Vec<(Vec<u8>, Vec<u8>)> {
    e.attributes().with_checks(false).flatten().map(|a| (a.key.into_inner().to_vec(), a.value.into_owned())).collect()
}

/// A borrowed view of [`raw_attributes`]'s list.
pub fn borrowed(attrs: &[(Vec<u8>, Vec<u8>)]) -> Vec<(&[u8], &[u8])> {
    attrs.iter().map(|(k, v)| (k.as_slice(), v.as_slice())).collect()
}

/// A model plus what validation precomputes from it (compiled patterns, code sets, child keys).
pub struct Schema {
    pub model: &'static Model,
    pub values: ValueChecker,
    /// Per element, the children of its sequence in order, packed: matching a child tag and
    /// checking occurrence counts read this one array instead of the children's (large,
    /// scattered) element records.
    kids: Vec<Vec<Kid>>,
    /// Per element, what its start and end tags need to know, packed for the same reason.
    shapes: Vec<Shape>,
}

/// What validation reads of an element at every occurrence.
#[derive(Debug, Clone, Copy)]
struct Shape {
    /// The value type of a simple-content element; None for an element of elements.
    simple: Option<TypeId>,
    /// Whether some attribute of the element is required.
    required_attrs: bool,
}

/// One child of a sequence, as validation reads it.
#[derive(Debug, Clone, Copy)]
struct Kid {
    /// [`name_key`] of the child's name.
    key: u64,
    /// The child's name, confirming a key match without reading its element record.
    name: &'static [u8],
    elem: ElemId,
    min: u32,
    /// `u32::MAX` when unbounded.
    max: u32,
}

/// A word that tells names apart cheaply: the length and the last (up to 7) bytes, where
/// sibling NEMSIS names differ (`eVitals.06`, `eVitals.07`). Equal keys are confirmed by
/// comparing the names.
fn name_key(name: &[u8]) -> u64 {
    let tail = &name[name.len().saturating_sub(7)..];
    let mut k = name.len().min(255) as u64;
    for &b in tail {
        k = (k << 8) | b as u64;
    }
    k
}

impl std::fmt::Debug for Schema {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Schema({} {})", self.model.version, self.model.dataset)
    }
}

static SCHEMAS: [OnceLock<Schema>; 6] = [const { OnceLock::new() }; 6];

impl Schema {
    /// The validation-ready embedded schema for a version ("3.5.1"/"3.5.0") and dataset.
    pub fn get(version: &str, dataset: &str) -> Option<&'static Schema> {
        use crate::schema::builtin::{model, DATASETS, VERSIONS};
        let vi = VERSIONS.iter().position(|v| *v == version)?;
        let di = DATASETS.iter().position(|d| *d == dataset)?;
        let model = model(version, dataset)?;
        Some(SCHEMAS[vi * 3 + di].get_or_init(|| {
            let values = ValueChecker::new(model).unwrap_or_else(|e| panic!("embedded model {version}/{dataset}: {e}"));
            Schema::new(model, values)
        }))
    }

    /// A schema for a model (with its value checks) and the lookups validation derives.
    pub fn new(model: &'static Model, values: ValueChecker) -> Schema {
        let kids = model
            .elements
            .iter()
            .map(|e| match &e.content {
                Content::Sequence { children } => children
                    .iter()
                    .map(|&c| {
                        let ce = model.element(c);
                        Kid { key: name_key(ce.name.as_bytes()), name: ce.name.as_bytes(), elem: c, min: ce.min_occurs, max: ce.max_occurs.unwrap_or(u32::MAX) }
                    })
                    .collect(),
                Content::Simple { .. } => Vec::new(),
            })
            .collect();
        let shapes = model
            .elements
            .iter()
            .map(|e| Shape {
                simple: match e.content {
                    Content::Simple { value_type } => Some(value_type),
                    Content::Sequence { .. } => None,
                },
                required_attrs: e.attributes.iter().any(|a| a.required),
            })
            .collect();
        Schema { model, values, kids, shapes }
    }
}

/// Namespace bindings in scope (prefix "" is the default namespace).
#[derive(Debug, Clone, Default)]
pub struct Namespaces {
    bindings: Vec<(Vec<u8>, Vec<u8>)>,
    marks: Vec<usize>,
    /// Whether the default namespace in scope is NEMSIS (the common case, checked per element).
    default_nemsis: bool,
}

impl Namespaces {
    pub fn bindings(&self) -> &[(Vec<u8>, Vec<u8>)] {
        &self.bindings
    }
    pub fn from_bindings(bindings: Vec<(Vec<u8>, Vec<u8>)>) -> Self {
        let mut ns = Namespaces { bindings, marks: vec![], default_nemsis: false };
        ns.refresh();
        ns
    }
    fn refresh(&mut self) {
        self.default_nemsis = self.resolve(b"") == Some(NEMSIS_NS.as_bytes());
    }
    /// Push the scope of a start tag (its xmlns declarations).
    #[inline]
    pub fn push(&mut self, e: &StartTag) {
        let before = self.bindings.len();
        self.marks.push(before);
        if e.attrs.is_empty() {
            return;
        }
        for &(k, v) in e.attrs {
            if k == b"xmlns" {
                self.bindings.push((Vec::new(), v.to_vec()));
            } else if let Some(p) = k.strip_prefix(b"xmlns:") {
                self.bindings.push((p.to_vec(), v.to_vec()));
            }
        }
        if self.bindings.len() != before {
            self.refresh();
        }
    }
    #[inline]
    pub fn pop(&mut self) {
        if let Some(m) = self.marks.pop() {
            if self.bindings.len() != m {
                self.bindings.truncate(m);
                self.refresh();
            }
        }
    }
    pub fn resolve(&self, prefix: &[u8]) -> Option<&[u8]> {
        if prefix == b"xml" {
            return Some(b"http://www.w3.org/XML/1998/namespace");
        }
        self.bindings.iter().rev().find(|(p, _)| p == prefix).map(|(_, u)| u.as_slice())
    }
    /// Whether a name with this prefix is in the NEMSIS namespace.
    pub fn is_nemsis(&self, prefix: &[u8]) -> bool {
        if prefix.is_empty() {
            self.default_nemsis
        } else {
            self.resolve(prefix) == Some(NEMSIS_NS.as_bytes())
        }
    }
}

/// Whether a start tag has any attribute (most NEMSIS elements have none).
pub fn has_attributes(e: &BytesStart) -> bool {
    e.attributes_raw().iter().any(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'/'))
}

/// Well-formedness of a start tag's attributes (syntax, duplicates), which quick-xml checks
/// only when the attributes are read.
pub fn check_attributes(e: &BytesStart) -> Result<(), String> {
    // quick-xml takes `< b` for a tag; XML names start with a letter, '_' or ':'.
    match e.name().as_ref().first() {
        Some(b) if b.is_ascii_alphabetic() || matches!(b, b'_' | b':') || *b >= 0x80 => {}
        _ => return Err("not well-formed: a start tag without a valid element name (a bare '<' in text must be written &lt;)".into()),
    }
    if !has_attributes(e) {
        return Ok(());
    }
    for a in e.attributes() {
        if let Err(err) = a {
            return Err(format!("not well-formed: {err}"));
        }
    }
    Ok(())
}

pub fn split_qname(q: &[u8]) -> (&[u8], &[u8]) {
    match find_colon(q) {
        Some(i) => (&q[..i], &q[i + 1..]),
        None => (&[], q),
    }
}

/// The first ':' in a name, eight bytes at a time (names are too short for a vector search to
/// pay for its setup, and long enough that a byte loop showed in profiles).
#[inline]
fn find_colon(q: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let mut chunks = q.chunks_exact(8);
    let mut base = 0;
    for c in chunks.by_ref() {
        let w = u64::from_le_bytes(c.try_into().expect("8 bytes")) ^ (ONES * b':' as u64);
        // The lowest flagged byte is exactly the first zero byte (the classic has-zero test;
        // its false positives only ever sit above a true zero).
        let zero = w.wrapping_sub(ONES) & !w & HIGHS;
        if zero != 0 {
            return Some(base + (zero.trailing_zeros() / 8) as usize);
        }
        base += 8;
    }
    chunks.remainder().iter().position(|&b| b == b':').map(|i| base + i)
}

#[derive(Debug, Clone)]
struct Frame {
    elem: ElemId,
    node: NodeId,
    /// Content-model state: index of the current particle and how often it occurred.
    pos: u32,
    count: u32,
    /// Position of this element among same-named siblings (1-based).
    index: u32,
    nil: bool,
    line: u32,
    column: u32,
}

/// Where a record sits in its document, for paths and positions in findings.
#[derive(Debug, Clone, Default)]
pub struct RecordContext {
    /// Path of the record's parent, e.g. `/EMSDataSet/Header[1]` ("" for a document root).
    pub parent_path: String,
    /// Position of the record among its same-named siblings (1-based).
    pub index: u32,
}

/// The streaming validator. See the module documentation.
pub struct Validator<'s> {
    schema: &'s Schema,
    frames: Vec<Frame>,
    /// Depth inside a subtree being skipped (unknown element); 0 when not skipping.
    skip: u32,
    pub builder: Builder,
    pub findings: Vec<Finding>,
    pub ns: Namespaces,
    /// The element the first start tag must be.
    root: ElemId,
    ctx: RecordContext,
    /// The record's UUID attribute, once seen.
    pub record_id: Option<String>,
    /// Set when the caller has checked that every name and attribute value it passes is UTF-8.
    pub names_utf8: bool,
}

impl<'s> Validator<'s> {
    /// A validator whose first element must be `root` (the dataset root for a whole document,
    /// or a record element such as PatientCareReport).
    pub fn new(schema: &'s Schema, root: ElemId, ctx: RecordContext, ns: Namespaces) -> Self {
        Validator { schema, frames: Vec::new(), skip: 0, builder: Builder::new(), findings: Vec::new(), ns, root, ctx, record_id: None, names_utf8: false }
    }

    pub fn model(&self) -> &'static Model {
        self.schema.model
    }

    pub fn depth(&self) -> usize {
        self.frames.len() + self.skip as usize
    }

    pub fn skipping(&self) -> bool {
        self.skip > 0
    }

    /// The element of the innermost open frame.
    pub fn current(&self) -> Option<ElemId> {
        self.frames.last().map(|f| f.elem)
    }

    /// Path of the open frames, e.g. `/EMSDataSet/Header[1]/PatientCareReport[2]/eSituation`.
    pub fn path(&self) -> String {
        let m = self.model();
        let mut p = self.ctx.parent_path.clone();
        for f in &self.frames {
            let e = m.element(f.elem);
            p.push('/');
            p.push_str(&e.name);
            if e.max_occurs != Some(1) {
                p.push_str(&format!("[{}]", f.index));
            }
        }
        p
    }

    fn finding(&mut self, element: &str, path: String, line: u32, column: u32, message: String) {
        self.findings.push(Finding {
            record: self.record_id.clone(),
            kind: Kind::Xsd,
            rule: None,
            severity: Severity::Fatal,
            element: Some(element.to_string()),
            line: line as u64,
            column: column as u64,
            path,
            message,
        });
    }

    /// Match a child named `local` against the innermost frame's content model. Returns the
    /// child's element and its position among same-named siblings; None (with a finding) when
    /// the parent's type has no such child.
    fn match_child(&mut self, local: &str, line: u32, column: u32) -> Option<(ElemId, u32)> {
        let m = self.model();
        let Some(f) = self.frames.last() else {
            if m.element(self.root).name == local {
                return Some((self.root, self.ctx.index.max(1)));
            }
            let msg = format!("document element {local} is not expected; expected {}", m.element(self.root).name);
            self.finding(local, format!("{}/{local}", self.ctx.parent_path), line, column, msg);
            return None;
        };
        let parent = f.elem;
        let kids = &self.schema.kids[parent as usize];
        if self.schema.shapes[parent as usize].simple.is_some() {
            let msg = format!("{local} is not allowed inside {}, which holds a value, not elements", m.display(parent));
            self.finding(local, format!("{}/{local}", self.path()), line, column, msg);
            return None;
        }
        // Read only to explain a mismatch (the hot path reads the packed kids).
        let children = || m.children(parent);
        // Children mostly arrive in schema order: search from the current particle on, then
        // the earlier ones (an out-of-order child).
        let lb = local.as_bytes();
        let key = name_key(lb);
        let is = |j: usize| kids[j].key == key && crate::validate::lexer::same_bytes(kids[j].name, lb);
        let pos = f.pos as usize;
        let found = (pos..kids.len()).find(|&j| is(j)).or_else(|| (0..pos).find(|&j| is(j)));
        let Some(j) = found else {
            let msg = match m.find(local) {
                Some(elsewhere) => {
                    let home = m.element(elsewhere).parent.map_or(String::new(), |p| m.element(p).name.clone());
                    format!("{local} does not belong in {} (it belongs in {home}){}", m.element(parent).name, expected_hint(m, children(), f.pos, f.count))
                }
                None => format!("{local} is not a NEMSIS element of {}{}", m.element(parent).name, expected_hint(m, children(), f.pos, f.count)),
            };
            self.finding(local, format!("{}/{local}", self.path()), line, column, msg);
            return None;
        };
        let (pos, count, nil) = (f.pos as usize, f.count, f.nil);
        let kid = kids[j];
        let child = kid.elem;
        if nil {
            let msg = format!("{} is nil (xsi:nil=\"true\") and must be empty, but contains {local}", m.display(parent));
            self.finding(local, format!("{}/{local}", self.path()), line, column, msg);
        }
        let index;
        if j == pos {
            index = count + 1;
            if index > kid.max {
                let msg = format!("{} occurs more often than allowed (at most {})", m.display(child), kid.max);
                self.finding(local, format!("{}/{local}[{index}]", self.path()), line, column, msg);
            }
            self.frames.last_mut().unwrap().count = index;
        } else if j > pos {
            let mut missing = Vec::new();
            for (k, c) in kids.iter().enumerate().take(j).skip(pos) {
                let have = if k == pos { count } else { 0 };
                if have < c.min {
                    missing.push(m.element(c.elem).name.as_str());
                }
            }
            if !missing.is_empty() {
                let msg = format!("{} is not expected here: required {} must come before it", m.display(child), list(&missing));
                self.finding(local, format!("{}/{local}", self.path()), line, column, msg);
            }
            index = 1;
            let f = self.frames.last_mut().unwrap();
            f.pos = j as u32;
            f.count = 1;
        } else {
            let msg = format!("{} is out of order: it must come before {}", m.display(child), m.element(children()[pos]).name);
            self.finding(local, format!("{}/{local}", self.path()), line, column, msg);
            index = 1;
        }
        Some((child, index))
    }

    /// A start tag. `empty` for `<x/>` (the caller must not call [`end`](Self::end) for it).
    pub fn start(&mut self, e: &StartTag, line: u32, column: u32, empty: bool) {
        if self.skip > 0 {
            if !empty {
                self.skip += 1;
            }
            return;
        }
        self.ns.push(e);
        let qname = e.qname;
        let (prefix, local_b) = split_qname(qname);
        let local = if self.names_utf8 {
            // SAFETY: the record's bytes were checked to be UTF-8, and the name is cut at
            // ASCII delimiters ('<', ':', whitespace, '/', '>').
            std::borrow::Cow::Borrowed(unsafe { std::str::from_utf8_unchecked(local_b) })
        } else {
            String::from_utf8_lossy(local_b)
        };
        // Inside a simple-content element any child element is an error of the parent (as
        // xmllint reports it), whatever the child's namespace.
        if let Some(f) = self.frames.last() {
            if self.schema.shapes[f.elem as usize].simple.is_some() {
                let m = self.model();
                let (pname, pline, pcol) = (m.element(f.elem).name.clone(), line, column);
                let msg = format!("{} holds a value, so element {local} is not allowed inside it", m.display(f.elem));
                self.finding(&pname, self.path(), pline, pcol, msg);
                self.begin_skip(empty);
                return;
            }
        }
        let ns_ok = self.ns.is_nemsis(prefix);
        if !ns_ok {
            let uri = self.ns.resolve(prefix).map(|u| String::from_utf8_lossy(u).into_owned());
            let msg = match uri {
                None if !prefix.is_empty() => format!("element {} uses an undeclared namespace prefix", String::from_utf8_lossy(qname)),
                None => format!("element {local} is in no namespace; NEMSIS elements must be in {NEMSIS_NS}"),
                Some(u) => format!("element {local} is in namespace {u}; NEMSIS elements must be in {NEMSIS_NS}"),
            };
            let path = format!("{}/{local}", self.path());
            self.finding(&local, path, line, column, msg);
            self.begin_skip(empty);
            return;
        }
        let Some((elem, index)) = self.match_child(&local, line, column) else {
            self.begin_skip(empty);
            return;
        };
        let node = self.builder.open(elem, line, column);
        self.frames.push(Frame { elem, node, pos: 0, count: 0, index, nil: false, line, column });
        self.attributes(e, elem, line, column);
        if empty {
            self.end();
        }
    }

    fn begin_skip(&mut self, empty: bool) {
        self.ns.pop();
        if !empty {
            self.skip = 1;
        }
    }

    fn attributes(&mut self, e: &StartTag, elem: ElemId, line: u32, column: u32) {
        if e.attrs.is_empty() && !self.schema.shapes[elem as usize].required_attrs {
            return;
        }
        let m = self.model();
        let decl = m.element(elem);
        let mut seen_required = 0usize;
        let is_record_root = self.frames.len() == 1;
        for &(key, raw) in e.attrs {
            if key == b"xmlns" || key.starts_with(b"xmlns:") {
                continue;
            }
            let value = match if self.names_utf8 { unescape_utf8(raw) } else { unescape(raw) } {
                Ok(v) => v,
                Err(_) => {
                    let msg = format!("attribute {} has an invalid character reference", String::from_utf8_lossy(key));
                    self.finding(&decl.name, self.path(), line, column, msg);
                    continue;
                }
            };
            // XML attribute-value normalization: literal tabs and line ends become spaces.
            let value = if value.contains(['\t', '\n', '\r']) { std::borrow::Cow::Owned(value.replace(['\t', '\n', '\r'], " ")) } else { value };
            let (prefix, local_b) = split_qname(key);
            let local = if self.names_utf8 {
                // SAFETY: as for element names in `start`.
                std::borrow::Cow::Borrowed(unsafe { std::str::from_utf8_unchecked(local_b) })
            } else {
                String::from_utf8_lossy(local_b)
            };
            if !prefix.is_empty() {
                let uri = self.ns.resolve(prefix);
                if uri == Some(XSI_NS.as_bytes()) {
                    match local.as_ref() {
                        "nil" => match value.trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\r')) {
                            "true" | "1" => {
                                if decl.nillable {
                                    self.frames.last_mut().unwrap().nil = true;
                                    self.builder.set_nil();
                                } else {
                                    let msg = format!("{} cannot be nil (xsi:nil is not allowed on it)", m.display(elem));
                                    self.finding(&decl.name, self.path(), line, column, msg);
                                }
                            }
                            "false" | "0" => {
                                if !decl.nillable {
                                    let msg = format!("{} cannot be nil (xsi:nil is not allowed on it)", m.display(elem));
                                    self.finding(&decl.name, self.path(), line, column, msg);
                                }
                            }
                            _ => {
                                let msg = format!("xsi:nil on {} must be true or false", decl.name);
                                self.finding(&decl.name, self.path(), line, column, msg);
                            }
                        },
                        "schemaLocation" | "noNamespaceSchemaLocation" => {}
                        other => {
                            let msg = format!("attribute xsi:{other} is not supported on {}", decl.name);
                            self.finding(&decl.name, self.path(), line, column, msg);
                        }
                    }
                } else {
                    let msg = format!("attribute {} is not allowed on {}", String::from_utf8_lossy(key), m.display(elem));
                    self.finding(&decl.name, self.path(), line, column, msg);
                }
                continue;
            }
            let Some(ad) = decl.attributes.iter().find(|a| a.name == local) else {
                let allowed: Vec<&str> = decl.attributes.iter().map(|a| a.name.as_str()).collect();
                let msg = if allowed.is_empty() {
                    format!("attribute {local} is not allowed on {}", m.display(elem))
                } else {
                    format!("attribute {local} is not allowed on {} (allowed: {})", m.display(elem), allowed.join(", "))
                };
                self.finding(&decl.name, self.path(), line, column, msg);
                continue;
            };
            if ad.required {
                seen_required += 1;
            }
            if let Err(why) = self.schema.values.check(m, ad.value_type, &value) {
                let msg = format!("{} attribute {local}: {why}", m.display(elem));
                self.finding(&decl.name, self.path(), line, column, msg);
            }
            if is_record_root && local == "UUID" && self.record_id.is_none() {
                self.record_id = Some(value.to_string());
                for f in &mut self.findings {
                    f.record = self.record_id.clone();
                }
            }
            self.builder.attr(&local, &value);
        }
        let required = decl.attributes.iter().filter(|a| a.required).count();
        if seen_required < required {
            for ad in decl.attributes.iter().filter(|a| a.required) {
                let present = e.attrs.iter().any(|(k, _)| *k == ad.name.as_bytes());
                if !present {
                    let msg = format!("{} is missing its required attribute {}", m.display(elem), ad.name);
                    self.finding(&decl.name, self.path(), line, column, msg);
                }
            }
        }
    }

    /// Character data (already unescaped) directly inside the innermost open element.
    pub fn text(&mut self, s: &str, line: u32, column: u32) {
        self.text_classified(s, s.bytes().all(|b| matches!(b, b' ' | b'\t' | b'\n' | b'\r')), line, column)
    }

    /// [`text`](Self::text) when the caller knows whether `s` is only whitespace.
    pub fn text_classified(&mut self, s: &str, ws: bool, line: u32, column: u32) {
        if self.skip > 0 {
            return;
        }
        let m = self.model();
        let Some(f) = self.frames.last() else { return };
        match self.schema.shapes[f.elem as usize].simple {
            Some(_) => self.builder.text(s),
            None => {
                if !ws {
                    let name = m.element(f.elem).name.clone();
                    let msg = format!("{} holds elements only; text is not allowed in it", m.display(f.elem));
                    self.finding(&name, self.path(), line, column, msg);
                }
            }
        }
    }

    /// An end tag (of the innermost open element).
    pub fn end(&mut self) {
        if self.skip > 0 {
            self.skip -= 1;
            if self.skip == 0 {
                // the skipped element's own namespace scope was popped when skipping began
            }
            return;
        }
        let m = self.model();
        let Some(f) = self.frames.last().cloned() else { return };
        match self.schema.shapes[f.elem as usize].simple {
            Some(value_type) => {
                let value = self.builder.rec.value(f.node);
                if f.nil {
                    if !value.is_empty() {
                        let msg = format!("{} is nil (xsi:nil=\"true\") and must be empty", m.display(f.elem));
                        self.finding(&m.element(f.elem).name, self.path(), f.line, f.column, msg);
                    }
                } else if let Err(why) = self.schema.values.check(m, value_type, value) {
                    let msg = format!("{}: {why}", m.display(f.elem));
                    self.finding(&m.element(f.elem).name, self.path(), f.line, f.column, msg);
                }
            }
            None if !f.nil => {
                let mut missing = Vec::new();
                for (k, c) in self.schema.kids[f.elem as usize].iter().enumerate().skip(f.pos as usize) {
                    let have = if k == f.pos as usize { f.count } else { 0 };
                    if have < c.min {
                        missing.push(m.element(c.elem).name.as_str());
                    }
                }
                if !missing.is_empty() {
                    let msg = format!("{} is missing required {}", m.display(f.elem), list(&missing));
                    self.finding(&m.element(f.elem).name, self.path(), f.line, f.column, msg);
                }
            }
            None => {}
        }
        self.frames.pop();
        self.builder.close();
        self.ns.pop();
    }

    /// For the splitter: accept a record element (PatientCareReport...) in the content model of
    /// the innermost frame without descending into it (a worker validates its inside).
    /// Returns the position of the record among its siblings, or None if not allowed here.
    pub fn accept_opaque(&mut self, local: &str, line: u32, column: u32) -> Option<(ElemId, u32)> {
        if self.skip > 0 {
            return None;
        }
        self.match_child(local, line, column)
    }

    pub fn finish(self) -> (Record, Vec<Finding>) {
        (self.builder.finish(), self.findings)
    }
}

fn list(names: &[&str]) -> String {
    match names.len() {
        1 => format!("element {}", names[0]),
        _ => format!("elements {}", names.join(", ")),
    }
}

/// "; expected X" listing what may come next at this point of a sequence.
fn expected_hint(m: &Model, children: &[ElemId], pos: u32, count: u32) -> String {
    let mut next = Vec::new();
    for (k, c) in children.iter().enumerate().skip(pos as usize) {
        let e = m.element(*c);
        let have = if k == pos as usize { count } else { 0 };
        if e.max_occurs.is_none_or(|mx| have < mx) {
            next.push(e.name.as_str());
        }
        if have < e.min_occurs {
            break;
        }
    }
    if next.is_empty() {
        String::new()
    } else {
        format!("; expected {}", next.join(" or "))
    }
}

/// Maps byte offsets in a record's bytes to 1-based line and column, incrementally
/// (offsets must not decrease). Newlines are found in one pass up front.
pub struct LineIndex {
    newlines: Vec<u32>,
    next: usize,
    base_line: u32,
    base_column: u32,
}

impl LineIndex {
    pub fn new(bytes: &[u8], base_line: u32, base_column: u32) -> Self {
        let newlines = memchr::memchr_iter(b'\n', bytes).map(|p| p as u32).collect();
        LineIndex { newlines, next: 0, base_line, base_column }
    }
    pub fn at(&mut self, off: usize) -> (u32, u32) {
        let off = off as u32;
        while self.next < self.newlines.len() && self.newlines[self.next] < off {
            self.next += 1;
        }
        // `next` newlines lie before `off`
        if self.next == 0 {
            (self.base_line, self.base_column + off)
        } else {
            (self.base_line + self.next as u32, off - self.newlines[self.next - 1])
        }
    }
}

/// The outcome of parsing and validating one record's bytes.
pub struct RecordOutcome {
    pub tree: Record,
    pub findings: Vec<Finding>,
    /// False when the bytes were not well-formed XML (a `parse` finding says where).
    pub well_formed: bool,
    pub record_id: Option<String>,
}

/// [`unescape`] for bytes of a record already checked to be UTF-8 (a value is cut at ASCII
/// quotes or markup, so it is whole characters).
fn unescape_utf8(raw: &[u8]) -> Result<std::borrow::Cow<'_, str>, String> {
    // SAFETY: see above.
    unescape_str(unsafe { std::str::from_utf8_unchecked(raw) })
}

/// Unescape a raw text or attribute value (entity and character references).
fn unescape(raw: &[u8]) -> Result<std::borrow::Cow<'_, str>, String> {
    unescape_str(std::str::from_utf8(raw).map_err(|_| "invalid UTF-8".to_string())?)
}

fn unescape_str(s: &str) -> Result<std::borrow::Cow<'_, str>, String> {
    if memchr::memchr(b'&', s.as_bytes()).is_none() {
        return Ok(std::borrow::Cow::Borrowed(s));
    }
    quick_xml::escape::unescape(s).map_err(|e| e.to_string())
}

/// Parse and validate one record (the bytes of one record element, as cut by the splitter).
/// `line`/`column` give the position of its first byte in the document; `ns` the namespace
/// bindings in scope there. The parse is the record [`Lexer`]'s, driving the [`Validator`].
pub fn validate_record(schema: &Schema, root: ElemId, bytes: &[u8], line: u32, column: u32, ctx: RecordContext, ns: Namespaces) -> RecordOutcome {
    let mut v = Validator::new(schema, root, ctx, ns);
    // About one node per 50 bytes and a fifth of the bytes as values in NEMSIS documents:
    // sizing up front saves regrowing (and copying) the tree's vectors as it is built.
    v.builder = Builder::with_capacity(bytes.len() / 48, bytes.len() / 4);
    let mut lx = Lexer::new(bytes, line, column);
    let mut well_formed = true;
    // Checking the whole record once is much cheaper than checking each text node; when it
    // fails, the per-node checks below find where.
    let all_utf8 = std::str::from_utf8(bytes).is_ok();
    v.names_utf8 = all_utf8;
    loop {
        let token = match lx.next_token() {
            Ok(t) => t,
            Err(e) => {
                parse_finding(&mut v, e.line, e.column, e.message);
                well_formed = false;
                break;
            }
        };
        let (l, c) = lx.token_position();
        match token {
            Token::Start { qname, empty } => {
                if !all_utf8 && std::str::from_utf8(qname).is_err() {
                    parse_finding(&mut v, l, c, "not well-formed: invalid UTF-8 in a name".into());
                    well_formed = false;
                    break;
                }
                v.start(&StartTag { qname, attrs: &lx.attrs }, l, c, empty);
            }
            Token::End => v.end(),
            // Text without references needs no unescaping (the common case).
            Token::Text { raw: t, amp: false, ws } if all_utf8 => {
                // SAFETY: `bytes` is valid UTF-8, and text is cut at '<' and '>' (ASCII), so it
                // is a whole-character slice of it.
                v.text_classified(unsafe { std::str::from_utf8_unchecked(t) }, ws, l, c)
            }
            Token::Text { raw: t, .. } => match unescape(t) {
                Ok(s) => v.text(&s, l, c),
                Err(err) => {
                    parse_finding(&mut v, l, c, format!("not well-formed: {err}"));
                    well_formed = false;
                    break;
                }
            },
            Token::CData(t) => match std::str::from_utf8(t) {
                Ok(s) => v.text(s, l, c),
                Err(_) => {
                    parse_finding(&mut v, l, c, "not well-formed: invalid UTF-8".into());
                    well_formed = false;
                    break;
                }
            },
            Token::Eof => {
                if lx.depth() > 0 {
                    let (l, c) = lx.position();
                    parse_finding(&mut v, l, c, "not well-formed: the record ends before its elements are closed".into());
                    well_formed = false;
                }
                break;
            }
        }
    }
    if well_formed && !all_utf8 {
        if let Err(msg) = check_utf8_names(bytes) {
            let (l, c) = lx.position();
            parse_finding(&mut v, l, c, msg);
            well_formed = false;
        }
    }
    let record_id = v.record_id.clone();
    let (tree, findings) = v.finish();
    RecordOutcome { tree, findings, well_formed, record_id }
}

/// quick-xml does not decode names and attribute values it is not asked for; make sure the
/// whole record is UTF-8 (NEMSIS documents are UTF-8).
fn check_utf8_names(bytes: &[u8]) -> Result<(), String> {
    std::str::from_utf8(bytes).map(|_| ()).map_err(|e| format!("not well-formed: invalid UTF-8 at byte {}", e.valid_up_to()))
}

pub fn parse_finding(v: &mut Validator, line: u32, column: u32, message: String) {
    let path = v.path();
    let element = v.current().map(|e| v.schema.model.element(e).name.clone());
    v.findings.push(Finding { record: v.record_id.clone(), kind: Kind::Parse, rule: None, severity: Severity::Fatal, element, line: line as u64, column: column as u64, path, message });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_colon_agrees_with_a_byte_search() {
        let names: [&[u8]; 7] = [b"", b":", b"a:b", b"eVitals.BloodPressureGroup", b"nem:eVitals.BloodPressureGroup", b"abcdefgh:", b"abcdefghijklmnop:q:r"];
        for n in names {
            for from in 0..=n.len() {
                let q = &n[from..];
                assert_eq!(find_colon(q), q.iter().position(|&b| b == b':'), "{}", String::from_utf8_lossy(q));
            }
        }
    }
}
