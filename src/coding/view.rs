//! Reading one PatientCareReport the way the specification reads it (§3.1–§3.2): element
//! lookup by NEMSIS element number, "valued" per R-VAL-1/R-VAL-2, and code labels from the
//! schema model for messages. Nothing here can panic, whatever the tree holds.
//!
//! Speed: coding runs on every PCR of `ingest`, so the view is built for it. The index chains
//! the tree's nodes by schema element id (one pass over the nodes into two flat vectors, no
//! hashing, no per-element allocation); a name is resolved to its element ids when a rule
//! asks for it, through a name table with a cheap hash built once per embedded model
//! ([`Names`]; the model's own SipHash lookup for any other model), and a small per-thread
//! memo in front of it keyed by the address of the (`'static`) name, so the fifty-odd names
//! the rules read cost a pointer comparison each, not a hash and a string comparison against
//! a key that is rarely still in cache. Lookups return slices and iterators, never fresh
//! vectors.

use crate::record::{NodeId, Record, NONE};
use crate::schema::builtin;
use crate::schema::model::{ElemId, Model};
use std::borrow::Cow;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

/// A multiply-rotate hash (the FxHash scheme) for element names: the keys are the schema's
/// own names, so no flooding resistance is needed, and names of a dozen bytes hash in two
/// steps instead of SipHash's rounds.
#[derive(Default)]
struct NameHasher(u64);

impl Hasher for NameHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.add(u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]));
        }
        let mut last = [0u8; 8];
        let rest = chunks.remainder();
        last[..rest.len()].copy_from_slice(rest);
        self.add(u64::from_le_bytes(last) ^ ((rest.len() as u64) << 59));
    }
    fn write_u8(&mut self, b: u8) {
        self.add(b as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

impl NameHasher {
    fn add(&mut self, w: u64) {
        self.0 = (self.0.rotate_left(5) ^ w).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

/// Element name → element ids (ascending) of one embedded model: the same content as the
/// model's `lookup.by_name`, with [`NameHasher`].
struct Names(HashMap<&'static str, &'static [ElemId], BuildHasherDefault<NameHasher>>);

impl Names {
    /// The element ids named `name` (Model::find is the first). `name` is `'static`, so its
    /// address identifies its text for the whole program: the memo of this thread answers by
    /// comparing addresses, and asks the table (then remembers) otherwise.
    fn get(&'static self, name: &'static str) -> &'static [ElemId] {
        MEMO.with(|memo| {
            let key = (name.as_ptr() as usize ^ (self as *const Names as usize)) as u64;
            let mut i = (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - MEMO_BITS)) as usize;
            for _ in 0..MEMO_PROBES {
                let slot = &memo[i & ((1 << MEMO_BITS) - 1)];
                let m = slot.get();
                match m.table {
                    Some(t) if std::ptr::eq(t, self) && m.name.as_ptr() == name.as_ptr() && m.name.len() == name.len() => return m.ids,
                    Some(_) => i += 1,
                    None => {
                        let ids = self.0.get(name).copied().unwrap_or(&[]);
                        slot.set(Memo { table: Some(self), name, ids });
                        return ids;
                    }
                }
            }
            self.0.get(name).copied().unwrap_or(&[]) // a crowded neighbourhood: not remembered
        })
    }
}

/// One remembered lookup: in `table`, `name` (compared by address and length) has `ids`.
#[derive(Clone, Copy)]
struct Memo {
    table: Option<&'static Names>,
    name: &'static str,
    ids: &'static [ElemId],
}

/// 256 entries, open addressing with linear probing; entries are never replaced (the rules
/// read a fixed set of about fifty names, per model).
const MEMO_BITS: u32 = 8;
const MEMO_PROBES: usize = 8;

thread_local! {
    static MEMO: [std::cell::Cell<Memo>; 1 << MEMO_BITS] = const { [const { std::cell::Cell::new(Memo { table: None, name: "", ids: &[] }) }; 1 << MEMO_BITS] };
}

/// The name table of `model` when it is one of the embedded models of
/// [`crate::schema::builtin`] (which live for the whole program, so a table per embedded
/// model can be kept); None for any other model. (A look-alike model built elsewhere with an
/// embedded version and dataset makes the embedded one load, once, to compare addresses.)
fn names(model: &Model) -> Option<&'static Names> {
    static TABLES: [OnceLock<Names>; builtin::VERSIONS.len() * builtin::DATASETS.len()] = [const { OnceLock::new() }; builtin::VERSIONS.len() * builtin::DATASETS.len()];
    let vi = builtin::VERSIONS.iter().position(|v| *v == model.version)?;
    let di = builtin::DATASETS.iter().position(|d| *d == model.dataset)?;
    let embedded: &'static Model = builtin::model(&model.version, &model.dataset)?;
    if !std::ptr::eq(embedded, model) {
        return None;
    }
    let table = TABLES.get(vi * builtin::DATASETS.len() + di)?;
    Some(table.get_or_init(|| Names(embedded.lookup.by_name.iter().map(|(k, v)| (k.as_str(), v.as_slice())).collect())))
}

/// A read-only view of one PCR tree with an index from schema element to its nodes.
pub(crate) struct Pcr<'a> {
    pub rec: &'a Record,
    pub model: &'a Model,
    names: Option<&'static Names>,
    /// The first node of each element (NONE when it has none); then `next[n]` is the next
    /// node of the same element as node `n`, in document order (NONE after the last).
    first: Vec<NodeId>,
    next: Vec<NodeId>,
}

impl<'a> Pcr<'a> {
    pub fn new(model: &'a Model, rec: &'a Record) -> Self {
        let elems = model.elements.len();
        // One pass from the last node to the first, prepending each node to its element's
        // chain, so that chains read in document order (nodes whose element is not in the
        // model are left out).
        let mut first = vec![NONE; elems];
        let mut next = vec![NONE; rec.nodes.len()];
        for (i, n) in rec.nodes.iter().enumerate().rev() {
            if let Some(f) = first.get_mut(n.elem as usize) {
                next[i] = *f;
                *f = i as NodeId;
            }
        }
        Pcr { rec, model, names: names(model), first, next }
    }

    /// The PCR's `UUID` attribute (trimmed), or "" when the tree is empty or has none.
    pub fn uuid(&self) -> String {
        if self.rec.nodes.is_empty() {
            return String::new();
        }
        self.attr(0, "UUID").map(|s| s.trim().to_string()).unwrap_or_default()
    }

    /// The element ids named `name` (ascending; usually exactly one).
    fn ids(&self, name: &'static str) -> Cow<'a, [ElemId]> {
        if let Some(names) = self.names {
            return Cow::Borrowed(names.get(name));
        }
        if let Some(ids) = self.model.lookup.by_name.get(name) {
            return Cow::Borrowed(ids.as_slice());
        }
        if !self.model.lookup.by_name.is_empty() {
            return Cow::Borrowed(&[]);
        }
        // A model whose lookups were not built (Model::index): scan its elements.
        Cow::Owned(self.model.elements.iter().enumerate().filter(|(_, e)| e.name == name).map(|(i, _)| i as ElemId).collect())
    }

    /// The nodes of one element id, in document order.
    fn of(&self, e: ElemId) -> Chain<'_> {
        Chain { next: &self.next, cur: self.first.get(e as usize).copied().unwrap_or(NONE) }
    }

    /// Every node of element `name`, in document order.
    pub fn nodes(&self, name: &'static str) -> Nodes<'_> {
        match &*self.ids(name) {
            [] => Nodes::Chain(Chain { next: &self.next, cur: NONE }),
            [e] => Nodes::Chain(self.of(*e)),
            many => {
                // Several elements share the name (a few group containers): merge in
                // document order.
                let mut v: Vec<NodeId> = many.iter().flat_map(|e| self.of(*e)).collect();
                v.sort_unstable();
                Nodes::Merged(v.into_iter())
            }
        }
    }

    fn attr(&self, n: NodeId, name: &str) -> Option<&'a str> {
        let node = self.rec.nodes.get(n as usize)?;
        let (a, b) = (node.attrs.0 as usize, node.attrs.1 as usize);
        if a == b {
            return None;
        }
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
    pub fn value(&self, name: &'static str) -> Option<&'a str> {
        self.nodes(name).next().and_then(|n| self.node_value(n))
    }

    /// Valued occurrences of a (repeating) element, in document order.
    pub fn values(&self, name: &'static str) -> Values<'_, 'a> {
        Values { p: self, nodes: self.nodes(name) }
    }

    /// Whether any valued occurrence of `name` equals `code`.
    pub fn has(&self, name: &'static str, code: &str) -> bool {
        self.values(name).any(|v| v == code)
    }

    /// Whether the first occurrence of `name` is valued and equals `code`.
    pub fn is(&self, name: &'static str, code: &str) -> bool {
        self.value(name) == Some(code)
    }

    /// Children of `n`, in document order (nothing for an out-of-range node; never more
    /// than the tree has nodes, whatever its links).
    pub fn children(&self, n: NodeId) -> Children<'a> {
        let first = self.rec.nodes.get(n as usize).map_or(NONE, |node| node.first_child);
        Children { rec: self.rec, next: first, left: self.rec.nodes.len() }
    }

    fn name_of(&self, n: NodeId) -> &'a str {
        self.rec.nodes.get(n as usize).and_then(|node| self.model.elements.get(node.elem as usize)).map_or("", |e| e.name.as_str())
    }

    /// The first child of `parent` named `name`.
    pub fn child(&self, parent: NodeId, name: &str) -> Option<NodeId> {
        self.children(parent).find(|c| self.name_of(*c) == name)
    }

    /// The value of the first child of `parent` named `name`.
    pub fn child_value(&self, parent: NodeId, name: &str) -> Option<&'a str> {
        self.child(parent, name).and_then(|c| self.node_value(c))
    }

    /// Valued children of `parent` named `name`, in document order.
    pub fn child_values(&self, parent: NodeId, name: &str) -> Vec<&'a str> {
        self.children(parent).filter(|c| self.name_of(*c) == name).filter_map(|c| self.node_value(c)).collect()
    }

    /// The schema's label of a code of element `name` (e.g. "Patient Refused Transport").
    pub fn label(&self, name: &str, code: &str) -> Option<&'a str> {
        let id = match self.names {
            Some(names) => *names.0.get(name)?.first()?, // = Model::find
            None => self.model.find(name)?,
        };
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
    pub fn show_value(&self, name: &'static str) -> String {
        match self.value(name) {
            Some(v) => self.show(name, v),
            None => format!("{name} is not valued"),
        }
    }

    /// Every valued occurrence as `code (label)`, joined; `none valued` when empty.
    pub fn show_values(&self, name: &'static str) -> String {
        let items: Vec<String> = self.values(name).map(|v| self.label(name, v).map_or_else(|| v.to_string(), |l| format!("{v} ({l})"))).collect();
        if items.is_empty() {
            return format!("{name}: none valued");
        }
        format!("{name} = {}", items.join(", "))
    }
}

/// The valued occurrences of an element ([`Pcr::values`]).
pub(crate) struct Values<'p, 'a> {
    p: &'p Pcr<'a>,
    nodes: Nodes<'p>,
}

impl<'a> Iterator for Values<'_, 'a> {
    type Item = &'a str;
    fn next(&mut self) -> Option<&'a str> {
        let p = self.p;
        self.nodes.find_map(|n| p.node_value(n))
    }
}

/// The nodes of one element, following its chain ([`Pcr::of`]). The chain only ever moves
/// forward in the tree (it was built that way), so it ends.
pub(crate) struct Chain<'p> {
    next: &'p [NodeId],
    cur: NodeId,
}

impl Iterator for Chain<'_> {
    type Item = NodeId;
    fn next(&mut self) -> Option<NodeId> {
        let c = self.cur;
        self.cur = *self.next.get(c as usize)?;
        Some(c)
    }
}

/// The nodes of an element name, in document order ([`Pcr::nodes`]).
pub(crate) enum Nodes<'p> {
    Chain(Chain<'p>),
    Merged(std::vec::IntoIter<NodeId>),
}

impl Iterator for Nodes<'_> {
    type Item = NodeId;
    fn next(&mut self) -> Option<NodeId> {
        match self {
            Nodes::Chain(c) => c.next(),
            Nodes::Merged(v) => v.next(),
        }
    }
}

/// The children of a node ([`Pcr::children`]).
pub(crate) struct Children<'a> {
    rec: &'a Record,
    next: NodeId,
    /// How many more children may be returned (a guard against malformed sibling links).
    left: usize,
}

impl Iterator for Children<'_> {
    type Item = NodeId;
    fn next(&mut self) -> Option<NodeId> {
        let c = self.next;
        if self.left == 0 || (c as usize) >= self.rec.nodes.len() {
            return None;
        }
        self.left -= 1;
        self.next = self.rec.nodes[c as usize].next_sibling;
        Some(c)
    }
}
