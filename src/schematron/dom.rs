//! A small read-only XML tree for the Schematron engine: one arena per document holding the
//! document node, elements, their attributes and text nodes, in document order (the arena index
//! *is* document order, attributes sit right after their element). Names carry the namespace
//! URI, local name and prefix; elements carry the line of their start tag.
//!
//! Built either from bytes with quick-xml ([`Dom::parse`], namespaces resolved, comments and
//! processing instructions dropped, adjacent text merged) or event by event with [`DomBuilder`]
//! (for callers that already hold a parsed record).

use std::borrow::Cow;

use quick_xml::events::{BytesStart, Event};

/// Index of a node in its [`Dom`].
pub type NodeId = u32;
/// "No node".
pub const NONE: NodeId = u32::MAX;

pub const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    Document,
    Element,
    Attribute,
    Text,
}

#[derive(Debug, Clone)]
struct Node {
    kind: NodeKind,
    parent: NodeId,
    first_child: NodeId,
    last_child: NodeId,
    next_sibling: NodeId,
    prev_sibling: NodeId,
    /// Attributes are nodes `self+1 .. self+1+n_attrs`.
    n_attrs: u32,
    /// One past the last node of this subtree.
    end: NodeId,
    ns: u32,
    local: (u32, u32),
    prefix: (u32, u32),
    value: (u32, u32),
    line: u32,
    /// Same-named siblings that precede this element in the original document but are not
    /// in this tree (see [`DomBuilder::set_location_offset`]).
    pos_offset: u32,
}

/// Parse failure of [`Dom::parse`].
#[derive(Debug, Clone, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct DomError {
    pub line: u32,
    pub message: String,
}

/// An XML document as an arena of nodes. Node 0 is the document node.
#[derive(Debug, Clone)]
pub struct Dom {
    nodes: Vec<Node>,
    strings: String,
    namespaces: Vec<String>,
    /// Namespace declarations: (element, prefix, uri), grouped by element in document order.
    ns_decls: Vec<(NodeId, String, String)>,
}

impl Dom {
    /// Parse a whole document.
    pub fn parse(bytes: &[u8]) -> Result<Dom, DomError> {
        parse(bytes)
    }

    pub fn root(&self) -> NodeId {
        0
    }
    pub fn len(&self) -> usize {
        self.nodes.len()
    }
    pub fn is_empty(&self) -> bool {
        self.nodes.len() <= 1
    }
    /// The document element, if any.
    pub fn document_element(&self) -> Option<NodeId> {
        self.children(0).find(|&c| self.kind(c) == NodeKind::Element)
    }
    pub fn kind(&self, n: NodeId) -> NodeKind {
        self.nodes[n as usize].kind
    }
    pub fn parent(&self, n: NodeId) -> Option<NodeId> {
        let p = self.nodes[n as usize].parent;
        (p != NONE).then_some(p)
    }
    pub fn line(&self, n: NodeId) -> u32 {
        self.nodes[n as usize].line
    }
    /// One past the last node of `n`'s subtree (attributes included).
    pub fn subtree_end(&self, n: NodeId) -> NodeId {
        self.nodes[n as usize].end
    }
    fn s(&self, r: (u32, u32)) -> &str {
        &self.strings[r.0 as usize..r.1 as usize]
    }
    pub fn local_name(&self, n: NodeId) -> &str {
        self.s(self.nodes[n as usize].local)
    }
    pub fn prefix(&self, n: NodeId) -> &str {
        self.s(self.nodes[n as usize].prefix)
    }
    pub fn namespace_uri(&self, n: NodeId) -> &str {
        &self.namespaces[self.nodes[n as usize].ns as usize]
    }
    /// The name as written (`prefix:local` or `local`).
    pub fn name(&self, n: NodeId) -> Cow<'_, str> {
        match self.prefix(n) {
            "" => Cow::Borrowed(self.local_name(n)),
            p => Cow::Owned(format!("{p}:{}", self.local_name(n))),
        }
    }
    /// Text of a text node or value of an attribute ("" otherwise).
    pub fn value(&self, n: NodeId) -> &str {
        self.s(self.nodes[n as usize].value)
    }
    /// XPath string value: own value for text and attributes, concatenated descendant text
    /// for elements and the document.
    pub fn string_value(&self, n: NodeId) -> Cow<'_, str> {
        let node = &self.nodes[n as usize];
        match node.kind {
            NodeKind::Text | NodeKind::Attribute => Cow::Borrowed(self.value(n)),
            _ => {
                let first = node.first_child;
                if first == NONE {
                    return Cow::Borrowed("");
                }
                if first == node.last_child && self.kind(first) == NodeKind::Text {
                    return Cow::Borrowed(self.value(first));
                }
                let mut out = String::new();
                for d in n + 1..node.end {
                    if self.kind(d) == NodeKind::Text {
                        out.push_str(self.value(d));
                    }
                }
                Cow::Owned(out)
            }
        }
    }
    /// Child nodes (elements and text, not attributes).
    pub fn children(&self, n: NodeId) -> Siblings<'_> {
        Siblings { dom: self, next: self.nodes[n as usize].first_child, forward: true }
    }
    pub fn last_child(&self, n: NodeId) -> Option<NodeId> {
        let c = self.nodes[n as usize].last_child;
        (c != NONE).then_some(c)
    }
    pub fn next_sibling(&self, n: NodeId) -> Option<NodeId> {
        let c = self.nodes[n as usize].next_sibling;
        (c != NONE).then_some(c)
    }
    pub fn prev_sibling(&self, n: NodeId) -> Option<NodeId> {
        let c = self.nodes[n as usize].prev_sibling;
        (c != NONE).then_some(c)
    }
    /// Siblings after `n`, nearest first.
    pub fn following_siblings(&self, n: NodeId) -> Siblings<'_> {
        Siblings { dom: self, next: self.nodes[n as usize].next_sibling, forward: true }
    }
    /// Siblings before `n`, nearest first.
    pub fn preceding_siblings(&self, n: NodeId) -> Siblings<'_> {
        Siblings { dom: self, next: self.nodes[n as usize].prev_sibling, forward: false }
    }
    /// Attribute nodes of an element.
    pub fn attributes(&self, n: NodeId) -> std::ops::Range<NodeId> {
        let k = self.nodes[n as usize].n_attrs;
        n + 1..n + 1 + k
    }
    /// Value of the attribute `{ns}local` of an element.
    pub fn attribute(&self, n: NodeId, ns: &str, local: &str) -> Option<&str> {
        self.attributes(n).find(|&a| self.local_name(a) == local && self.namespace_uri(a) == ns).map(|a| self.value(a))
    }
    /// Namespace URI bound to `prefix` ("" = default namespace) in scope at element `n`.
    pub fn lookup_namespace(&self, mut n: NodeId, prefix: &str) -> Option<&str> {
        if prefix == "xml" {
            return Some(XML_NS);
        }
        loop {
            let start = self.ns_decls.partition_point(|d| d.0 < n);
            for d in &self.ns_decls[start..] {
                if d.0 != n {
                    break;
                }
                if d.1 == prefix {
                    return Some(&d.2);
                }
            }
            n = self.parent(n)?;
        }
    }
    /// Namespace declarations made on element `n` itself: (prefix, uri).
    pub fn namespace_decls(&self, n: NodeId) -> impl Iterator<Item = (&str, &str)> {
        let start = self.ns_decls.partition_point(|d| d.0 < n);
        self.ns_decls[start..].iter().take_while(move |d| d.0 == n).map(|d| (d.1.as_str(), d.2.as_str()))
    }
    /// Whether `a` is an ancestor-or-self of `d`.
    pub fn contains(&self, a: NodeId, d: NodeId) -> bool {
        a <= d && d < self.nodes[a as usize].end
    }
    /// `/EMSDataSet[1]/Header[1]/...`: local names with the position among siblings of the same
    /// expanded name on every step (`@name` for attributes, `text()[n]` for text).
    pub fn location(&self, n: NodeId) -> String {
        let mut steps = Vec::new();
        let mut cur = n;
        while let Some(p) = self.parent(cur) {
            match self.kind(cur) {
                NodeKind::Attribute => steps.push(format!("@{}", self.local_name(cur))),
                NodeKind::Text => {
                    let k = self.preceding_siblings(cur).filter(|&s| self.kind(s) == NodeKind::Text).count();
                    steps.push(format!("text()[{}]", k + 1));
                }
                _ => {
                    let (ns, local) = (self.nodes[cur as usize].ns, self.local_name(cur));
                    let k = self
                        .preceding_siblings(cur)
                        .filter(|&s| {
                            self.kind(s) == NodeKind::Element
                                && self.nodes[s as usize].ns == ns
                                && self.local_name(s) == local
                        })
                        .count();
                    steps.push(format!("{local}[{}]", k as u32 + 1 + self.nodes[cur as usize].pos_offset));
                }
            }
            cur = p;
        }
        if steps.is_empty() {
            return "/".into();
        }
        steps.reverse();
        let mut out = String::new();
        for s in steps {
            out.push('/');
            out.push_str(&s);
        }
        out
    }
}

/// Iterator over siblings (see [`Dom::children`]).
pub struct Siblings<'a> {
    dom: &'a Dom,
    next: NodeId,
    forward: bool,
}

impl Iterator for Siblings<'_> {
    type Item = NodeId;
    fn next(&mut self) -> Option<NodeId> {
        if self.next == NONE {
            return None;
        }
        let n = self.next;
        let node = &self.dom.nodes[n as usize];
        self.next = if self.forward { node.next_sibling } else { node.prev_sibling };
        Some(n)
    }
}

/// Builds a [`Dom`] from start/attribute/text/end calls, in document order. Adjacent text is
/// merged. Attributes must be added right after their element's `start_element`.
pub struct DomBuilder {
    dom: Dom,
    stack: Vec<NodeId>,
    text: String,
    text_line: u32,
}

impl Default for DomBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl DomBuilder {
    pub fn new() -> Self {
        let mut dom =
            Dom { nodes: Vec::new(), strings: String::new(), namespaces: vec![String::new()], ns_decls: Vec::new() };
        dom.nodes.push(Node {
            kind: NodeKind::Document,
            parent: NONE,
            first_child: NONE,
            last_child: NONE,
            next_sibling: NONE,
            prev_sibling: NONE,
            n_attrs: 0,
            end: NONE,
            ns: 0,
            local: (0, 0),
            prefix: (0, 0),
            value: (0, 0),
            line: 1,
            pos_offset: 0,
        });
        DomBuilder { dom, stack: vec![0], text: String::new(), text_line: 0 }
    }

    fn push_str(&mut self, s: &str) -> (u32, u32) {
        let a = self.dom.strings.len() as u32;
        self.dom.strings.push_str(s);
        (a, self.dom.strings.len() as u32)
    }

    fn intern_ns(&mut self, uri: &str) -> u32 {
        if uri.is_empty() {
            return 0;
        }
        if let Some(last) = self.dom.namespaces.last() {
            if last == uri {
                return (self.dom.namespaces.len() - 1) as u32;
            }
        }
        match self.dom.namespaces.iter().position(|u| u == uri) {
            Some(i) => i as u32,
            None => {
                self.dom.namespaces.push(uri.to_string());
                (self.dom.namespaces.len() - 1) as u32
            }
        }
    }

    /// Append a node; `link` puts it in its parent's child list (not for attributes).
    #[allow(clippy::too_many_arguments)]
    fn add_node(
        &mut self,
        kind: NodeKind,
        ns: &str,
        local: &str,
        prefix: &str,
        value: &str,
        line: u32,
        link: bool,
    ) -> NodeId {
        let id = self.dom.nodes.len() as NodeId;
        let parent = *self.stack.last().expect("builder stack");
        let ns = self.intern_ns(ns);
        let local = self.push_str(local);
        let prefix = self.push_str(prefix);
        let value = self.push_str(value);
        let mut prev = NONE;
        if link {
            prev = self.dom.nodes[parent as usize].last_child;
            if prev == NONE {
                self.dom.nodes[parent as usize].first_child = id;
            } else {
                self.dom.nodes[prev as usize].next_sibling = id;
            }
            self.dom.nodes[parent as usize].last_child = id;
        }
        self.dom.nodes.push(Node {
            kind,
            parent,
            first_child: NONE,
            last_child: NONE,
            next_sibling: NONE,
            prev_sibling: prev,
            n_attrs: 0,
            end: id + 1,
            ns,
            local,
            prefix,
            value,
            line,
            pos_offset: 0,
        });
        id
    }

    fn flush_text(&mut self) {
        if !self.text.is_empty() {
            let t = std::mem::take(&mut self.text);
            let line = self.text_line;
            self.add_node(NodeKind::Text, "", "", "", &t, line, true);
        }
    }

    /// Open an element (`ns` = "" for no namespace).
    pub fn start_element(&mut self, ns: &str, local: &str, prefix: &str, line: u32) -> NodeId {
        self.flush_text();
        let id = self.add_node(NodeKind::Element, ns, local, prefix, "", line, true);
        self.stack.push(id);
        id
    }

    /// Add an attribute to the element just opened (before any child or text; ignored when no
    /// element is open).
    pub fn attribute(&mut self, ns: &str, local: &str, prefix: &str, value: &str) {
        if self.stack.len() <= 1 {
            return;
        }
        let el = *self.stack.last().expect("builder stack");
        debug_assert_eq!(self.dom.nodes.len() as u32, el + 1 + self.dom.nodes[el as usize].n_attrs);
        let line = self.dom.nodes[el as usize].line;
        self.add_node(NodeKind::Attribute, ns, local, prefix, value, line, false);
        self.dom.nodes[el as usize].n_attrs += 1;
    }

    /// For a tree that holds part of a document (one record with its context): the element
    /// last opened is preceded, in the original document, by `n` siblings of the same name
    /// that are left out, so [`Dom::location`] reports its original position. XPath sees only
    /// the tree.
    pub fn set_location_offset(&mut self, n: u32) {
        let el = *self.stack.last().expect("builder stack");
        self.dom.nodes[el as usize].pos_offset = n;
    }

    /// Record a namespace declaration made on the element just opened.
    pub fn namespace_decl(&mut self, prefix: &str, uri: &str) {
        let el = *self.stack.last().expect("builder stack");
        self.dom.ns_decls.push((el, prefix.to_string(), uri.to_string()));
    }

    pub fn text(&mut self, s: &str, line: u32) {
        if self.text.is_empty() {
            self.text_line = line;
        }
        self.text.push_str(s);
    }

    /// Close the innermost open element (no-op when none is open).
    pub fn end_element(&mut self) {
        if self.stack.len() <= 1 {
            return;
        }
        self.flush_text();
        let id = self.stack.pop().expect("open element");
        self.dom.nodes[id as usize].end = self.dom.nodes.len() as NodeId;
    }

    /// Open elements (the document node excluded).
    pub fn depth(&self) -> usize {
        self.stack.len() - 1
    }

    pub fn finish(mut self) -> Dom {
        self.flush_text();
        while self.stack.len() > 1 {
            self.end_element();
        }
        self.dom.nodes[0].end = self.dom.nodes.len() as NodeId;
        self.dom
    }
}

// ------------------------------------------------------------------------------------------
// Parsing with quick-xml
// ------------------------------------------------------------------------------------------

struct LineCounter<'a> {
    bytes: &'a [u8],
    pos: usize,
    line: u32,
}

impl LineCounter<'_> {
    fn at(&mut self, pos: usize) -> u32 {
        let pos = pos.min(self.bytes.len());
        if pos > self.pos {
            self.line += memchr::memchr_iter(b'\n', &self.bytes[self.pos..pos]).count() as u32;
            self.pos = pos;
        }
        self.line
    }
}

fn err(line: u32, message: impl Into<String>) -> DomError {
    DomError { line, message: message.into() }
}

/// Normalise attribute-value whitespace (XML 1.0 §3.3.3) before unescaping.
fn attr_value(raw: &[u8], line: u32) -> Result<String, DomError> {
    let s = std::str::from_utf8(raw).map_err(|_| err(line, "attribute value is not UTF-8"))?;
    let s: Cow<str> = if s.bytes().any(|b| matches!(b, b'\t' | b'\n' | b'\r')) {
        Cow::Owned(s.replace("\r\n", " ").replace(['\t', '\n', '\r'], " "))
    } else {
        Cow::Borrowed(s)
    };
    quick_xml::escape::unescape(&s).map(|c| c.into_owned()).map_err(|e| err(line, format!("attribute value: {e}")))
}

fn parse(bytes: &[u8]) -> Result<Dom, DomError> {
    let mut reader = quick_xml::Reader::from_reader(bytes);
    reader.config_mut().check_end_names = true;
    let mut lines = LineCounter { bytes, pos: 0, line: 1 };
    let mut b = DomBuilder::new();
    // In-scope namespace bindings: (prefix, uri), with a mark per open element.
    let mut scope: Vec<(String, String)> = Vec::new();
    let mut marks: Vec<usize> = Vec::new();
    let mut seen_root = false;
    loop {
        let pos = reader.buffer_position() as usize;
        let line = lines.at(pos);
        let ev = reader.read_event().map_err(|e| err(lines.at(reader.error_position() as usize), e.to_string()))?;
        match ev {
            Event::Start(ref e) | Event::Empty(ref e) => {
                if b.depth() == 0 {
                    if seen_root {
                        return Err(err(line, "more than one document element"));
                    }
                    seen_root = true;
                }
                marks.push(scope.len());
                start(&mut b, &mut scope, e, line)?;
                if matches!(ev, Event::Empty(_)) {
                    b.end_element();
                    scope.truncate(marks.pop().unwrap_or(0));
                }
            }
            Event::End(_) => {
                b.end_element();
                scope.truncate(marks.pop().unwrap_or(0));
            }
            Event::Text(t) => {
                let raw = std::str::from_utf8(&t).map_err(|_| err(line, "text is not UTF-8"))?;
                let raw: Cow<str> = if raw.contains('\r') {
                    Cow::Owned(raw.replace("\r\n", "\n").replace('\r', "\n"))
                } else {
                    Cow::Borrowed(raw)
                };
                let txt = quick_xml::escape::unescape(&raw).map_err(|e| err(line, format!("text: {e}")))?;
                if b.depth() > 0 {
                    b.text(&txt, line);
                } else if !txt.trim().is_empty() {
                    return Err(err(line, "text outside the document element"));
                }
            }
            Event::CData(t) => {
                let s = std::str::from_utf8(&t).map_err(|_| err(line, "CDATA is not UTF-8"))?;
                if b.depth() > 0 {
                    b.text(&s.replace("\r\n", "\n"), line);
                }
            }
            Event::DocType(_) => return Err(err(line, "DOCTYPE is not supported")),
            Event::Eof => break,
            Event::Comment(_) | Event::PI(_) | Event::Decl(_) => {}
        }
    }
    if !seen_root {
        return Err(err(lines.line, "no document element"));
    }
    if b.depth() != 0 {
        return Err(err(lines.line, "unexpected end of document"));
    }
    Ok(b.finish())
}

fn lookup<'s>(scope: &'s [(String, String)], prefix: &str) -> Option<&'s str> {
    if prefix == "xml" {
        return Some(XML_NS);
    }
    scope.iter().rev().find(|(p, _)| p == prefix).map(|(_, u)| u.as_str())
}

fn split_qname(q: &str) -> (&str, &str) {
    match q.split_once(':') {
        Some((p, l)) => (p, l),
        None => ("", q),
    }
}

fn start(b: &mut DomBuilder, scope: &mut Vec<(String, String)>, e: &BytesStart, line: u32) -> Result<(), DomError> {
    let mut attrs: Vec<(String, String)> = Vec::new();
    let mut decls: Vec<(String, String)> = Vec::new();
    for a in e.attributes().with_checks(true) {
        let a = a.map_err(|x| err(line, x.to_string()))?;
        let key = std::str::from_utf8(a.key.as_ref()).map_err(|_| err(line, "name is not UTF-8"))?.to_string();
        let val = attr_value(&a.value, line)?;
        if key == "xmlns" {
            decls.push((String::new(), val));
        } else if let Some(p) = key.strip_prefix("xmlns:") {
            decls.push((p.to_string(), val));
        } else {
            attrs.push((key, val));
        }
    }
    for d in &decls {
        scope.push(d.clone());
    }
    let qname = std::str::from_utf8(e.name().as_ref()).map_err(|_| err(line, "name is not UTF-8"))?.to_string();
    let (prefix, local) = split_qname(&qname);
    let ns = match lookup(scope, prefix) {
        Some(u) => u.to_string(),
        None if prefix.is_empty() => String::new(),
        None => return Err(err(line, format!("undeclared namespace prefix `{prefix}`"))),
    };
    b.start_element(&ns, local, prefix, line);
    for (p, u) in &decls {
        b.namespace_decl(p, u);
    }
    for (k, v) in &attrs {
        let (p, l) = split_qname(k);
        let ans = if p.is_empty() {
            ""
        } else {
            lookup(scope, p).ok_or_else(|| err(line, format!("undeclared namespace prefix `{p}`")))?
        };
        b.attribute(ans, l, p, v);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_namespaces_and_locations() {
        let d = Dom::parse(
            b"<?xml version='1.0'?><a xmlns='urn:x' xmlns:p='urn:p'>\n <b p:k='1 2'>t&amp;u</b><b/><c>x<!--c-->y</c></a>",
        )
        .unwrap();
        let a = d.document_element().unwrap();
        assert_eq!(d.namespace_uri(a), "urn:x");
        let kids: Vec<_> = d.children(a).filter(|&c| d.kind(c) == NodeKind::Element).collect();
        assert_eq!(kids.len(), 3);
        assert_eq!(d.line(kids[0]), 2);
        assert_eq!(d.attribute(kids[0], "urn:p", "k"), Some("1 2"));
        assert_eq!(d.string_value(kids[0]), "t&u");
        assert_eq!(d.string_value(kids[2]), "xy");
        assert_eq!(d.location(kids[1]), "/a[1]/b[2]");
        assert_eq!(d.lookup_namespace(kids[0], "p"), Some("urn:p"));
    }

    #[test]
    fn bom_crlf_and_errors() {
        let d = Dom::parse(b"\xEF\xBB\xBF<a>x\r\ny</a>").unwrap();
        assert_eq!(d.string_value(0), "x\ny");
        assert!(Dom::parse(b"<a><b></a>").is_err());
        assert!(Dom::parse(b"<!DOCTYPE a><a/>").is_err());
        assert!(Dom::parse(b"<p:a/>").unwrap_err().message.contains("undeclared namespace prefix"));
    }

    #[test]
    fn builder_with_location_offset() {
        let mut b = DomBuilder::new();
        b.start_element("urn:x", "Header", "", 1);
        b.start_element("urn:x", "PatientCareReport", "", 5);
        b.set_location_offset(41);
        b.attribute("", "UUID", "", "u");
        b.text("v", 5);
        b.end_element();
        let d = b.finish();
        let pcr = d.children(d.document_element().unwrap()).next().unwrap();
        assert_eq!(d.location(pcr), "/Header[1]/PatientCareReport[42]");
        assert_eq!(d.attribute(pcr, "", "UUID"), Some("u"));
        assert_eq!(d.string_value(0), "v");
    }
}
