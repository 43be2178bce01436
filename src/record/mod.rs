//! The record tree: one parsed NEMSIS record (a `PatientCareReport`, a `DemographicReport`, a
//! whole `StateDataSet`, or a Header's context) as an arena of nodes keyed by schema element.
//!
//! Built by the validator in the same single pass that checks the record against the XSD
//! (see [`crate::validate::xsd`]), then read by the national rules, the coder and the extract.
//! Only elements the schema knows are in the tree (an unknown element is a finding instead).
//! Text of every node is stored unescaped in one shared string, so building the tree costs one
//! allocation per record rather than one per value.

use crate::schema::model::{ElemId, Model};

/// Index of a [`Node`] in [`Record::nodes`].
pub type NodeId = u32;
/// Marker for "no node".
pub const NONE: NodeId = u32::MAX;

#[derive(Debug, Clone)]
pub struct Node {
    /// The schema element this node is an instance of.
    pub elem: ElemId,
    pub parent: NodeId,
    pub first_child: NodeId,
    pub last_child: NodeId,
    pub next_sibling: NodeId,
    /// Range of the (unescaped) text in [`Record::text`]; empty for group elements.
    pub text: (u32, u32),
    /// Range of this node's attributes in [`Record::attrs`].
    pub attrs: (u32, u32),
    /// `xsi:nil="true"` was given.
    pub nil: bool,
    /// 1-based line and column of the start tag in the source document.
    pub line: u32,
    pub column: u32,
}

/// One attribute of a node (namespace declarations and `xsi:*` are not kept here, except that
/// `xsi:nil` sets [`Node::nil`]).
#[derive(Debug, Clone)]
pub struct Attr {
    /// Unqualified attribute name, e.g. `NV`, `PN`, `CorrelationID`.
    pub name: (u32, u32),
    pub value: (u32, u32),
}

/// A parsed record. Node 0 is the record's root element.
#[derive(Debug, Clone, Default)]
pub struct Record {
    pub nodes: Vec<Node>,
    pub attrs: Vec<Attr>,
    /// All text values and attribute names/values, concatenated.
    pub text: String,
}

impl Record {
    pub fn root(&self) -> Option<NodeId> {
        if self.nodes.is_empty() { None } else { Some(0) }
    }

    #[inline]
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id as usize]
    }

    #[inline]
    fn slice(&self, r: (u32, u32)) -> &str {
        &self.text[r.0 as usize..r.1 as usize]
    }

    /// The text value of a node ("" for groups and nil elements).
    #[inline]
    pub fn value(&self, id: NodeId) -> &str {
        self.slice(self.node(id).text)
    }

    /// The value of attribute `name` on a node.
    #[inline]
    pub fn attr(&self, id: NodeId, name: &str) -> Option<&str> {
        let n = self.node(id);
        self.attrs[n.attrs.0 as usize..n.attrs.1 as usize]
            .iter()
            .find(|a| self.slice(a.name) == name)
            .map(|a| self.slice(a.value))
    }

    /// Every attribute of a node as (name, value).
    pub fn attributes(&self, id: NodeId) -> impl Iterator<Item = (&str, &str)> {
        let n = self.node(id);
        self.attrs[n.attrs.0 as usize..n.attrs.1 as usize].iter().map(|a| (self.slice(a.name), self.slice(a.value)))
    }

    /// Children of a node, in document order.
    pub fn children(&self, id: NodeId) -> Children<'_> {
        Children { rec: self, next: self.node(id).first_child }
    }

    /// Every node below `id` (not including it), in document order.
    pub fn descendants(&self, id: NodeId) -> impl Iterator<Item = NodeId> + '_ {
        // Nodes are appended in document order, so a subtree is a contiguous range.
        let end = self.subtree_end(id);
        (id + 1..end).map(|i| i as NodeId)
    }

    /// One past the last node of the subtree rooted at `id`.
    pub fn subtree_end(&self, id: NodeId) -> NodeId {
        let mut cur = id;
        loop {
            let n = self.node(cur);
            if n.next_sibling != NONE {
                return n.next_sibling;
            }
            if n.parent == NONE {
                return self.nodes.len() as NodeId;
            }
            cur = n.parent;
        }
    }

    /// Descendants of `id` whose element has the local name `name`.
    pub fn find_all<'a>(&'a self, model: &'a Model, id: NodeId, name: &'a str) -> impl Iterator<Item = NodeId> + 'a {
        self.descendants(id).filter(move |n| model.element(self.node(*n).elem).name == name)
    }

    /// The first descendant of `id` named `name`.
    pub fn find(&self, model: &Model, id: NodeId, name: &str) -> Option<NodeId> {
        self.find_all(model, id, name).next()
    }

    /// Values (non-nil, non-empty) of every descendant of `id` named `name`.
    pub fn values<'a>(&'a self, model: &'a Model, id: NodeId, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.find_all(model, id, name).filter(move |n| !self.node(*n).nil).map(move |n| self.value(n)).filter(|v| !v.is_empty())
    }

    /// The first value of a descendant named `name`.
    pub fn first_value<'a>(&'a self, model: &'a Model, id: NodeId, name: &'a str) -> Option<&'a str> {
        self.values(model, id, name).next()
    }

    /// The local name of a node's element.
    pub fn name<'a>(&self, model: &'a Model, id: NodeId) -> &'a str {
        &model.element(self.node(id).elem).name
    }
}

pub struct Children<'a> {
    rec: &'a Record,
    next: NodeId,
}

impl Iterator for Children<'_> {
    type Item = NodeId;
    fn next(&mut self) -> Option<NodeId> {
        if self.next == NONE {
            return None;
        }
        let cur = self.next;
        self.next = self.rec.node(cur).next_sibling;
        Some(cur)
    }
}

/// Incremental construction, used by the validator as it parses.
#[derive(Debug, Default)]
pub struct Builder {
    pub rec: Record,
    stack: Vec<NodeId>,
}

impl Builder {
    pub fn new() -> Self {
        Self::default()
    }

    /// A builder with room for `nodes` nodes and `text` bytes of values.
    pub fn with_capacity(nodes: usize, text: usize) -> Self {
        let rec = Record { nodes: Vec::with_capacity(nodes), attrs: Vec::new(), text: String::with_capacity(text) };
        Builder { rec, stack: Vec::with_capacity(16) }
    }

    /// Open a node for element `elem` under the current open node.
    pub fn open(&mut self, elem: ElemId, line: u32, column: u32) -> NodeId {
        let id = self.rec.nodes.len() as NodeId;
        let parent = self.stack.last().copied().unwrap_or(NONE);
        let at = self.rec.attrs.len() as u32;
        let t = self.rec.text.len() as u32;
        self.rec.nodes.push(Node {
            elem,
            parent,
            first_child: NONE,
            last_child: NONE,
            next_sibling: NONE,
            text: (t, t),
            attrs: (at, at),
            nil: false,
            line,
            column,
        });
        if parent != NONE {
            let p = &mut self.rec.nodes[parent as usize];
            let prev = p.last_child;
            p.last_child = id;
            if prev == NONE {
                p.first_child = id;
            } else {
                self.rec.nodes[prev as usize].next_sibling = id;
            }
        }
        self.stack.push(id);
        id
    }

    /// Add an attribute to the node opened last (call before any text or child).
    pub fn attr(&mut self, name: &str, value: &str) {
        let id = *self.stack.last().expect("attr outside a node");
        let n0 = self.rec.text.len() as u32;
        self.rec.text.push_str(name);
        let n1 = self.rec.text.len() as u32;
        self.rec.text.push_str(value);
        let v1 = self.rec.text.len() as u32;
        self.rec.attrs.push(Attr { name: (n0, n1), value: (n1, v1) });
        let node = &mut self.rec.nodes[id as usize];
        node.attrs.1 = self.rec.attrs.len() as u32;
        node.text = (v1, v1);
    }

    pub fn set_nil(&mut self) {
        if let Some(&id) = self.stack.last() {
            self.rec.nodes[id as usize].nil = true;
        }
    }

    /// Append text to the current node (text of a simple element may arrive in pieces).
    pub fn text(&mut self, s: &str) {
        if let Some(&id) = self.stack.last() {
            let node = &self.rec.nodes[id as usize];
            // Text must be contiguous: only the innermost open node receives text, and
            // simple-content elements have no children.
            if node.text.1 as usize != self.rec.text.len() {
                let start = self.rec.text.len() as u32;
                self.rec.nodes[id as usize].text = (start, start);
            }
            self.rec.text.push_str(s);
            self.rec.nodes[id as usize].text.1 = self.rec.text.len() as u32;
        }
    }

    pub fn close(&mut self) {
        self.stack.pop();
    }

    pub fn depth(&self) -> usize {
        self.stack.len()
    }

    pub fn finish(self) -> Record {
        self.rec
    }
}
