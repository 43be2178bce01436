//! Reading one PatientCareReport the way the specification reads it (§3.1–§3.2): element
//! lookup by NEMSIS element number, "valued" per R-VAL-1/R-VAL-2, and code labels from the
//! schema model for messages. Nothing here can panic, whatever the tree holds.

use crate::record::{NodeId, Record};
use crate::schema::model::Model;
use std::collections::HashMap;

/// A read-only view of one PCR tree with an index from element name to its nodes.
pub(crate) struct Pcr<'a> {
    pub rec: &'a Record,
    pub model: &'a Model,
    index: HashMap<&'a str, Vec<NodeId>>,
}

impl<'a> Pcr<'a> {
    pub fn new(model: &'a Model, rec: &'a Record) -> Self {
        let mut index: HashMap<&'a str, Vec<NodeId>> = HashMap::new();
        for (i, n) in rec.nodes.iter().enumerate() {
            if let Some(e) = model.elements.get(n.elem as usize) {
                index.entry(e.name.as_str()).or_default().push(i as NodeId);
            }
        }
        Pcr { rec, model, index }
    }

    /// The PCR's `UUID` attribute (trimmed), or "" when the tree is empty or has none.
    pub fn uuid(&self) -> String {
        if self.rec.nodes.is_empty() {
            return String::new();
        }
        self.attr(0, "UUID").map(|s| s.trim().to_string()).unwrap_or_default()
    }

    /// Every node of element `name`, in document order.
    pub fn nodes(&self, name: &str) -> &[NodeId] {
        self.index.get(name).map(Vec::as_slice).unwrap_or(&[])
    }

    fn attr(&self, n: NodeId, name: &str) -> Option<&'a str> {
        if (n as usize) >= self.rec.nodes.len() {
            return None;
        }
        let node = &self.rec.nodes[n as usize];
        let (a, b) = (node.attrs.0 as usize, node.attrs.1 as usize);
        let attrs = self.rec.attrs.get(a..b)?;
        attrs.iter().find(|at| self.slice(at.name) == Some(name)).and_then(|at| self.slice(at.value))
    }

    fn slice(&self, r: (u32, u32)) -> Option<&'a str> {
        self.rec.text.get(r.0 as usize..r.1 as usize)
    }

    /// R-VAL-2: the node carries a `PN` attribute (a pertinent negative).
    pub fn is_pn(&self, n: NodeId) -> bool {
        self.attr(n, "PN").is_some()
    }

    /// R-VAL-1 + R-VAL-2: the trimmed value of a node when it is valued (present, not nil, no
    /// `NV`, non-empty) and not a pertinent negative. Every rule that reads a value either
    /// excludes pertinent negatives explicitly (R-CNT, R-ICD-1, route PN) or has no PN on its
    /// element, so a PN element is never a usable value.
    pub fn node_value(&self, n: NodeId) -> Option<&'a str> {
        let node = self.rec.nodes.get(n as usize)?;
        if node.nil || self.attr(n, "NV").is_some() || self.is_pn(n) {
            return None;
        }
        let v = self.slice(node.text)?.trim();
        if v.is_empty() {
            None
        } else {
            Some(v)
        }
    }

    /// The value of the first occurrence of `name` (None when absent or not valued).
    pub fn value(&self, name: &str) -> Option<&'a str> {
        self.nodes(name).first().and_then(|n| self.node_value(*n))
    }

    /// Valued occurrences of a (repeating) element, in document order.
    pub fn values(&self, name: &str) -> Vec<&'a str> {
        self.nodes(name).iter().filter_map(|n| self.node_value(*n)).collect()
    }

    /// Whether any valued occurrence of `name` equals `code`.
    pub fn has(&self, name: &str, code: &str) -> bool {
        self.values(name).contains(&code)
    }

    /// Whether the first occurrence of `name` is valued and equals `code`.
    pub fn is(&self, name: &str, code: &str) -> bool {
        self.value(name) == Some(code)
    }

    /// Children of `n` (nothing for an out-of-range node).
    pub fn children(&self, n: NodeId) -> Vec<NodeId> {
        if (n as usize) >= self.rec.nodes.len() {
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut c = self.rec.nodes[n as usize].first_child;
        while (c as usize) < self.rec.nodes.len() && out.len() < self.rec.nodes.len() {
            out.push(c);
            c = self.rec.nodes[c as usize].next_sibling;
        }
        out
    }

    fn name_of(&self, n: NodeId) -> &'a str {
        self.rec.nodes.get(n as usize).and_then(|node| self.model.elements.get(node.elem as usize)).map_or("", |e| e.name.as_str())
    }

    /// The first child of `parent` named `name`.
    pub fn child(&self, parent: NodeId, name: &str) -> Option<NodeId> {
        self.children(parent).into_iter().find(|c| self.name_of(*c) == name)
    }

    /// The value of the first child of `parent` named `name`.
    pub fn child_value(&self, parent: NodeId, name: &str) -> Option<&'a str> {
        self.child(parent, name).and_then(|c| self.node_value(c))
    }

    /// Valued children of `parent` named `name`, in document order.
    pub fn child_values(&self, parent: NodeId, name: &str) -> Vec<&'a str> {
        self.children(parent).into_iter().filter(|c| self.name_of(*c) == name).filter_map(|c| self.node_value(c)).collect()
    }

    /// The schema's label of a code of element `name` (e.g. "Patient Refused Transport").
    pub fn label(&self, name: &str, code: &str) -> Option<&'a str> {
        let id = self.model.find(name)?;
        if (id as usize) >= self.model.elements.len() {
            return None;
        }
        self.model.code_label(id, code).filter(|l| !l.is_empty())
    }

    /// `name = code (label)`, for messages.
    pub fn show(&self, name: &str, code: &str) -> String {
        match self.label(name, code) {
            Some(l) => format!("{name} = {code} ({l})"),
            None => format!("{name} = {code}"),
        }
    }

    /// `name = code (label)` of the first occurrence, or `name not valued`.
    pub fn show_value(&self, name: &str) -> String {
        match self.value(name) {
            Some(v) => self.show(name, v),
            None => format!("{name} is not valued"),
        }
    }

    /// Every valued occurrence as `code (label)`, joined; `none valued` when empty.
    pub fn show_values(&self, name: &str) -> String {
        let vs = self.values(name);
        if vs.is_empty() {
            return format!("{name}: none valued");
        }
        let items: Vec<String> = vs.iter().map(|v| self.label(name, v).map_or_else(|| v.to_string(), |l| format!("{v} ({l})"))).collect();
        format!("{name} = {}", items.join(", "))
    }
}
