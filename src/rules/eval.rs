//! What a rule's test sees: [`Cx`], the rule's context node in its record tree (plus the
//! Header context), and [`Nodes`], a lazily walked node-set with the XPath 2.0 comparison
//! semantics the official rules rely on.
//!
//! XPath → Rust, as used throughout `ems/`, `dem/`, `state/`:
//!
//! | XPath in the `.sch`                                  | here                                   |
//! |------------------------------------------------------|----------------------------------------|
//! | `.` (string value)                                   | `c.v()`                                |
//! | `nem:X` / `../nem:X` / `../../nem:X`                 | `c.kids(N::X)` / `c.sib(N::X)` / `c.sib_up(2, N::X)` |
//! | `ancestor::nem:PatientCareReport/…/nem:X`            | `c.all(N::X)` (every element has one path) |
//! | `ancestor::nem:Header/nem:DemographicGroup/nem:X`    | `c.all(N::X)` (resolved in the Header)  |
//! | `S = 'a'` / `S != 'a'` / `S = ('a', 'b')`            | `S.is("a")` / `S.is_not("a")` / `S.is_any(&["a", "b"])` |
//! | `count(S)`                                           | `S.count()`                            |
//! | `xs:dateTime(.) >= xs:dateTime(S)` / `<=`            | `c.not_before(S)?` / `c.not_after(S)?` |
//!
//! General comparisons are existential, as in XPath: `S != 'a'` is true when *some* node of S
//! has another value (false for an empty S), which is not `!(S = 'a')`.
//!
//! A test returns [`R`]: `Ok(bool)` is the XPath test's value; `Err(Ev)` is a dynamic error
//! (e.g. a dateTime cast of a value that is not a dateTime), reported as a FATAL finding.

use std::borrow::Cow;
use std::any::Any;
use std::cell::{OnceCell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use super::engine::{Compiled, TreeSel, MAX_DEPTH};
use super::names::N;
use super::values::DateTime;
use crate::record::{NodeId, Record, NONE};
use crate::schema::model::ElemId;

/// A test's outcome: the value of the XPath test, or a dynamic evaluation error.
pub type R = Result<bool, Ev>;

/// Why a test could not be evaluated (an XPath dynamic error in the official rules).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ev {
    /// A value compared as a date/time is not a valid `xs:dateTime` (FORG0001).
    NotDateTime,
    /// A value compared as a number is not a valid `xs:decimal` (FORG0001).
    NotDecimal,
    /// One value was expected but the element occurs several times (XPTY0004).
    SeveralValues,
}

impl Ev {
    pub fn describe(self) -> &'static str {
        match self {
            Ev::NotDateTime => "a value it compares is not a valid date/time",
            Ev::NotDecimal => "a value it compares is not a valid decimal number",
            Ev::SeveralValues => "an element it compares as a single value occurs more than once",
        }
    }
}

/// Per-evaluation caches for rules that would otherwise rescan the record for every node.
#[derive(Default)]
pub struct Memo<'a> {
    /// `UUID` attribute value → number of elements carrying it in the record.
    pub(crate) uuids: OnceCell<HashMap<&'a str, u32>>,
    /// Other per-record tables, by rule id.
    tables: RefCell<HashMap<&'static str, Rc<dyn Any>>>,
    /// `all(X)` of the record, by X, when it has at most one node (most rules compare with
    /// elements that occur once, e.g. `eTimes.12`, for every node of a repeating group):
    /// (X, its node or NONE, whether it has more than one).
    singles: RefCell<Vec<(N, NodeId, bool)>>,
    /// `xs:dateTime(.)` of record nodes already cast (rules compare the same few date-times,
    /// e.g. `eTimes.12`, with every procedure, medication and vital sign).
    dts: RefCell<HashMap<NodeId, Option<DateTime>, crate::fnv::Fnv>>,
}

impl Memo<'_> {
    /// The table `key` of this record, built by `f` on first use.
    pub fn table<T: 'static>(&self, key: &'static str, f: impl FnOnce() -> T) -> Rc<T> {
        if let Some(t) = self.tables.borrow().get(key) {
            if let Ok(t) = t.clone().downcast::<T>() {
                return t;
            }
        }
        let t = Rc::new(f());
        self.tables.borrow_mut().insert(key, t.clone());
        t
    }
}

/// The evaluation context of a rule: its context node and the trees around it.
#[derive(Clone, Copy)]
pub struct Cx<'a> {
    pub(crate) tree: &'a Record,
    pub(crate) head: &'a Record,
    pub(crate) cm: &'a Compiled,
    pub(crate) memo: &'a Memo<'a>,
    pub(crate) now: DateTime,
    /// The context node.
    pub node: NodeId,
}

/// String value of a node: its text for a simple element; the concatenated text of its
/// descendants for a group (whitespace between child elements is not kept in the tree).
pub(crate) fn string_value(tree: &Record, n: NodeId) -> Cow<'_, str> {
    let node = tree.node(n);
    if node.first_child == NONE {
        return Cow::Borrowed(tree.value(n));
    }
    let mut s = String::new();
    for d in tree.descendants(n) {
        s.push_str(tree.value(d));
    }
    Cow::Owned(s)
}

/// Whether any text under (or of) `n` is not whitespace: `normalize-space(n) != ''`.
pub(crate) fn has_text(tree: &Record, n: NodeId) -> bool {
    super::values::has_non_ws(tree.value(n)) || tree.descendants(n).any(|d| super::values::has_non_ws(tree.value(d)))
}

impl<'a> Cx<'a> {
    /// The same context, moved to node `n` (of the same tree).
    pub fn at(&self, n: NodeId) -> Cx<'a> {
        Cx { node: n, ..*self }
    }

    /// The record tree the context node belongs to.
    pub fn tree(&self) -> &'a Record {
        self.tree
    }

    /// The model element id of a name (a sentinel that matches nothing when the model lacks it).
    pub fn id(&self, n: N) -> ElemId {
        self.cm.ids[n as usize]
    }

    /// Whether node `n` is an instance of element `e`.
    pub fn is_elem(&self, n: NodeId, e: N) -> bool {
        self.tree.node(n).elem == self.id(e)
    }

    /// `.`: the context node's string value.
    pub fn v(&self) -> Cow<'a, str> {
        string_value(self.tree, self.node)
    }

    /// `. = ''`.
    pub fn empty(&self) -> bool {
        self.v().is_empty()
    }

    /// `@xsi:nil = 'true'`.
    pub fn nil(&self) -> bool {
        self.tree.node(self.node).nil
    }

    /// `@name` (an unprefixed attribute).
    pub fn attr(&self, name: &str) -> Option<&'a str> {
        self.tree.attr(self.node, name)
    }

    /// The parent node (NONE for the record root).
    pub fn parent(&self) -> NodeId {
        self.tree.node(self.node).parent
    }

    /// `.` as a node-set.
    pub fn me(&self) -> Nodes<'a> {
        Nodes { tree: self.tree, it: It::One(self.node) }
    }

    /// `nem:X`: children of the context node named X.
    pub fn kids(&self, e: N) -> Nodes<'a> {
        self.kids_of(self.node, e)
    }

    /// Children of node `n` named X.
    pub fn kids_of(&self, n: NodeId, e: N) -> Nodes<'a> {
        if n == NONE {
            return Nodes::empty(self.tree);
        }
        let first = self.tree.node(n).first_child;
        Nodes { tree: self.tree, it: It::Kids { next: first, elem: self.id(e) } }
    }

    /// `../nem:X`: siblings (and self) named X.
    pub fn sib(&self, e: N) -> Nodes<'a> {
        self.kids_of(self.parent(), e)
    }

    /// `../../nem:X` (levels = 2), and so on.
    pub fn sib_up(&self, levels: usize, e: N) -> Nodes<'a> {
        let mut n = self.node;
        for _ in 0..levels {
            if n == NONE {
                break;
            }
            n = self.tree.node(n).parent;
        }
        self.kids_of(n, e)
    }

    /// Every X in the record (or in the Header, for Header elements such as `dAgency.02`):
    /// `ancestor::nem:PatientCareReport/nem:eDisposition/…/nem:X` and the like. Element ids
    /// stand for one path each, so "all X of the record" is exactly that path.
    pub fn all(&self, e: N) -> Nodes<'a> {
        let Some(p) = &self.cm.paths[e as usize] else { return Nodes::empty(self.tree) };
        let tree = match p.tree {
            TreeSel::Record => self.tree,
            TreeSel::Header => self.head,
        };
        let known = self.memo.singles.borrow().iter().find(|(x, _, _)| *x == e).copied();
        let (first, many) = match known {
            Some((_, first, many)) => (first, many),
            None => {
                let mut walk = self.walk_all(p);
                let first = walk.next().unwrap_or(NONE);
                let many = first != NONE && walk.next().is_some();
                self.memo.singles.borrow_mut().push((e, first, many));
                (first, many)
            }
        };
        match (first, many) {
            (_, true) => self.walk_all(p),
            (NONE, false) => Nodes::empty(tree),
            (n, false) => Nodes { tree, it: It::One(n) },
        }
    }

    /// [`Cx::all`] by walking the element's path from the root.
    fn walk_all(&self, p: &'a super::engine::ElemPath) -> Nodes<'a> {
        let tree = match p.tree {
            TreeSel::Record => self.tree,
            TreeSel::Header => self.head,
        };
        if tree.nodes.first().map(|n| n.elem) != Some(p.root) {
            return Nodes::empty(tree);
        }
        Nodes { tree, it: It::Path(PathIt { chain: &p.chain, cur: [NONE; MAX_DEPTH], depth: 0, state: 0 }) }
    }

    /// `xs:dateTime(.)`.
    pub fn dt(&self) -> Result<Option<DateTime>, Ev> {
        self.dt_of(self.me())
    }

    /// `xs:dateTime(S)` ([`Nodes::dt`]), cast once per record node.
    fn dt_of(&self, s: Nodes<'_>) -> Result<Option<DateTime>, Ev> {
        if !std::ptr::eq(s.tree, self.tree) {
            return s.dt();
        }
        let tree = s.tree;
        let Some(n) = s.single_node()? else { return Ok(None) };
        let known = self.memo.dts.borrow().get(&n).copied();
        let dt = match known {
            Some(dt) => dt,
            None => {
                let dt = DateTime::parse(&string_value(tree, n));
                self.memo.dts.borrow_mut().insert(n, dt);
                dt
            }
        };
        dt.map(Some).ok_or(Ev::NotDateTime)
    }

    /// `xs:dateTime(.) >= xs:dateTime(S)` (false when S is empty).
    pub fn not_before(&self, other: Nodes<'_>) -> R {
        let me = self.dt()?;
        let o = self.dt_of(other)?;
        Ok(matches!((me, o), (Some(a), Some(b)) if a >= b))
    }

    /// `xs:dateTime(.) <= xs:dateTime(S)` (false when S is empty).
    pub fn not_after(&self, other: Nodes<'_>) -> R {
        let me = self.dt()?;
        let o = self.dt_of(other)?;
        Ok(matches!((me, o), (Some(a), Some(b)) if a <= b))
    }

    /// `starts-with(., S)`: S must be a single node or empty (then it is '').
    pub fn starts_with(&self, prefix: Nodes<'_>) -> R {
        let p = prefix.single()?;
        Ok(self.v().starts_with(p.as_deref().unwrap_or("")))
    }

    /// `xs:dateTime(.) <= current-dateTime() + xs:dayTimeDuration('PT1H')`.
    pub fn not_in_future(&self) -> R {
        Ok(matches!(self.dt()?, Some(t) if t <= self.now.plus_secs(3_600)))
    }

    /// `xs:dateTime(@name) < current-dateTime() + xs:dayTimeDuration('PT1H')` (false when the
    /// attribute is absent).
    pub fn attr_before_next_hour(&self, name: &str) -> R {
        match self.attr(name) {
            None => Ok(false),
            Some(v) => {
                let t = DateTime::parse(v).ok_or(Ev::NotDateTime)?;
                Ok(t < self.now.plus_secs(3_600))
            }
        }
    }

    /// Earlier siblings of the context node (nearest last is not guaranteed: document order).
    pub fn preceding_siblings(&self) -> impl Iterator<Item = NodeId> + 'a {
        let tree = self.tree;
        let me = self.node;
        let parent = self.parent();
        let first = if parent == NONE { NONE } else { tree.node(parent).first_child };
        std::iter::successors(Some(first).filter(|&n| n != NONE && n != me), move |&n| {
            let s = tree.node(n).next_sibling;
            (s != NONE && s != me).then_some(s)
        })
    }

    /// `local-name() = (local-name(preceding-sibling::*[1]), local-name(following-sibling::*[1]))`:
    /// the nearest sibling before or after the context node has the same name.
    pub fn beside_same_name(&self) -> bool {
        let t = self.tree;
        let me = t.node(self.node);
        let prev = self.preceding_siblings().last();
        prev.is_some_and(|p| t.node(p).elem == me.elem) || (me.next_sibling != NONE && t.node(me.next_sibling).elem == me.elem)
    }

    /// `preceding-sibling::nem:X` (the context node's own earlier siblings named X).
    pub fn preceding_sib(&self, e: N) -> impl Iterator<Item = NodeId> + 'a {
        let id = self.id(e);
        let tree = self.tree;
        self.preceding_siblings().filter(move |&n| tree.node(n).elem == id)
    }

    /// The per-record caches.
    pub fn memo(&self) -> &'a Memo<'a> {
        self.memo
    }
}

/// A node-set, walked lazily. Iterate it for node ids, or use the XPath comparisons.
pub struct Nodes<'a> {
    tree: &'a Record,
    it: It<'a>,
}

enum It<'a> {
    Empty,
    One(NodeId),
    Kids { next: NodeId, elem: ElemId },
    Path(PathIt<'a>),
}

/// Depth-first walk along a fixed chain of element ids from the tree root.
struct PathIt<'a> {
    chain: &'a [ElemId],
    cur: [NodeId; MAX_DEPTH],
    depth: usize,
    /// 0: not started; 1: walking; 2: done.
    state: u8,
}

fn next_named(tree: &Record, mut n: NodeId, elem: ElemId) -> NodeId {
    while n != NONE && tree.node(n).elem != elem {
        n = tree.node(n).next_sibling;
    }
    n
}

impl PathIt<'_> {
    fn next(&mut self, tree: &Record) -> Option<NodeId> {
        match self.state {
            0 => {
                if self.chain.is_empty() {
                    self.state = 2;
                    return Some(0);
                }
                self.cur[0] = next_named(tree, tree.node(0).first_child, self.chain[0]);
                self.depth = 0;
                self.state = 1;
            }
            2 => return None,
            _ => {}
        }
        loop {
            let d = self.depth;
            let n = self.cur[d];
            if n == NONE {
                if d == 0 {
                    self.state = 2;
                    return None;
                }
                self.depth -= 1;
                let up = self.cur[d - 1];
                self.cur[d - 1] = next_named(tree, tree.node(up).next_sibling, self.chain[d - 1]);
                continue;
            }
            if d + 1 == self.chain.len() {
                self.cur[d] = next_named(tree, tree.node(n).next_sibling, self.chain[d]);
                return Some(n);
            }
            self.depth += 1;
            self.cur[d + 1] = next_named(tree, tree.node(n).first_child, self.chain[d + 1]);
        }
    }
}

impl Iterator for Nodes<'_> {
    type Item = NodeId;
    fn next(&mut self) -> Option<NodeId> {
        match &mut self.it {
            It::Empty => None,
            It::One(n) => {
                let n = *n;
                self.it = It::Empty;
                Some(n)
            }
            It::Kids { next, elem } => {
                let n = next_named(self.tree, *next, *elem);
                if n == NONE {
                    self.it = It::Empty;
                    return None;
                }
                *next = self.tree.node(n).next_sibling;
                Some(n)
            }
            It::Path(p) => p.next(self.tree),
        }
    }
}

impl<'a> Nodes<'a> {
    pub fn empty(tree: &'a Record) -> Nodes<'a> {
        Nodes { tree, it: It::Empty }
    }

    /// The string values of the nodes.
    pub fn values(self) -> impl Iterator<Item = Cow<'a, str>> {
        let tree = self.tree;
        self.map(move |n| string_value(tree, n))
    }

    /// `S = 'a'`: some node's value is `a`.
    pub fn is(self, s: &str) -> bool {
        self.values().any(|v| v == s)
    }

    /// `S != 'a'`: some node's value is not `a` (false when S is empty).
    pub fn is_not(self, s: &str) -> bool {
        self.values().any(|v| v != s)
    }

    /// `S = ('a', 'b', ...)`: some node's value is one of these.
    pub fn is_any(self, set: &[&str]) -> bool {
        self.values().any(|v| set.contains(&v.as_ref()))
    }

    /// `exists(S)`.
    pub fn exists(mut self) -> bool {
        self.next().is_some()
    }

    /// The single value of S (`None` when empty); an error when S has several nodes.
    pub fn single(mut self) -> Result<Option<Cow<'a, str>>, Ev> {
        let tree = self.tree;
        let Some(first) = self.next() else { return Ok(None) };
        if self.next().is_some() {
            return Err(Ev::SeveralValues);
        }
        Ok(Some(string_value(tree, first)))
    }

    /// The single node of S (`None` when empty); an error when S has several nodes.
    pub fn single_node(mut self) -> Result<Option<NodeId>, Ev> {
        let Some(first) = self.next() else { return Ok(None) };
        if self.next().is_some() {
            return Err(Ev::SeveralValues);
        }
        Ok(Some(first))
    }

    /// `xs:dateTime(S)`: None for an empty S; errors for several nodes or an invalid value.
    pub fn dt(self) -> Result<Option<DateTime>, Ev> {
        match self.single()? {
            None => Ok(None),
            Some(v) => DateTime::parse(&v).map(Some).ok_or(Ev::NotDateTime),
        }
    }
}
