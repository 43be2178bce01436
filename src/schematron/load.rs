//! Loading a `.sch` file into a [`Schema`]: resolve `sch:include`, collect namespaces, global
//! variables (`sch:let`, `xsl:variable`) and keys, compile every rule context, test, variable
//! and message expression, and index the rules. Anything unsupported is a [`LoadError`] with the
//! file, line and construct.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::dom::{Dom, DomBuilder, NodeId, NodeKind};
use super::engine::{Check, CheckDiag, Let, MsgPart, Rule, Schema, NEMSIS_LETS};
use super::xpath::ast::Expr;
use super::xpath::datetime::DateTime;
use super::xpath::value::{Item, NodeRef};
use super::xpath::{compile, Evaluator, Global, KeyDef, Pattern, Program, Scope, StaticContext};
use super::LoadError;

const SCH: &str = "http://purl.oclc.org/dsdl/schematron";
const OLD_SCH: &str = "http://www.ascc.net/xml/schematron";
const XSL: &str = "http://www.w3.org/1999/XSL/Transform";

/// Load a `.sch` file; `sch:include` is resolved relative to it.
pub fn load_file(path: &Path) -> Result<Schema, LoadError> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| LoadError { file: name.clone(), line: 0, message: e.to_string() })?;
    load(&bytes, name, path.parent().map(Path::to_path_buf))
}

/// Load from bytes (`sch:include` is refused: there is no base folder).
pub fn load_bytes(bytes: &[u8], name: &str) -> Result<Schema, LoadError> {
    load(bytes, name.to_string(), None)
}

/// A node in one of the loaded files.
#[derive(Debug, Clone, Copy)]
struct H {
    f: usize,
    n: NodeId,
}

struct File {
    name: String,
    dir: Option<PathBuf>,
    dom: Dom,
}

struct Loader {
    files: Vec<File>,
    ns: HashMap<String, String>,
    globals: HashMap<String, u16>,
    key_names: Vec<String>,
    docs: Vec<Dom>,
    abstract_rules: HashMap<String, H>,
    /// `sch:diagnostic`s by id (compiled per referencing rule, in its scope).
    diags: Vec<(String, H)>,
}

type R<T> = Result<T, LoadError>;

fn parse_file(bytes: &[u8], name: &str) -> R<Dom> {
    Dom::parse(bytes).map_err(|e| LoadError {
        file: name.to_string(),
        line: e.line,
        message: format!("not well-formed XML: {}", e.message),
    })
}

fn load(bytes: &[u8], name: String, dir: Option<PathBuf>) -> R<Schema> {
    let dom = parse_file(bytes, &name)?;
    let mut l = Loader {
        files: vec![File { name, dir, dom }],
        ns: HashMap::new(),
        globals: HashMap::new(),
        key_names: Vec::new(),
        docs: Vec::new(),
        abstract_rules: HashMap::new(),
        diags: Vec::new(),
    };
    let root = match l.files[0].dom.document_element() {
        Some(n) => H { f: 0, n },
        None => return Err(l.err(H { f: 0, n: 0 }, "empty document")),
    };
    l.schema(root)
}

impl Loader {
    // ------------------------------------------------------------------ tree helpers

    fn dom(&self, h: H) -> &Dom {
        &self.files[h.f].dom
    }
    fn err(&self, h: H, msg: impl Into<String>) -> LoadError {
        LoadError { file: self.files[h.f].name.clone(), line: self.dom(h).line(h.n), message: msg.into() }
    }
    fn is(&self, h: H, ns: &str, local: &str) -> bool {
        let d = self.dom(h);
        d.kind(h.n) == NodeKind::Element && d.namespace_uri(h.n) == ns && d.local_name(h.n) == local
    }
    fn ns_of(&self, h: H) -> &str {
        self.dom(h).namespace_uri(h.n)
    }
    fn local(&self, h: H) -> String {
        self.dom(h).local_name(h.n).to_string()
    }
    fn qname(&self, h: H) -> String {
        self.dom(h).name(h.n).into_owned()
    }
    fn attr(&self, h: H, name: &str) -> Option<String> {
        self.dom(h).attribute(h.n, "", name).map(str::to_string)
    }
    fn req_attr(&self, h: H, name: &str) -> R<String> {
        self.attr(h, name).ok_or_else(|| self.err(h, format!("{} needs @{name}", self.qname(h))))
    }

    /// Child nodes (elements and, if `text`, text nodes) with `sch:include` replaced by what it
    /// points to.
    fn kids(&mut self, h: H, text: bool) -> R<Vec<H>> {
        let ids: Vec<NodeId> = self.dom(h).children(h.n).collect();
        let mut out = Vec::new();
        for c in ids {
            let k = H { f: h.f, n: c };
            match self.dom(k).kind(c) {
                NodeKind::Text if text => out.push(k),
                NodeKind::Element if self.is(k, SCH, "include") => out.push(self.include(k, 0)?),
                NodeKind::Element => out.push(k),
                _ => {}
            }
        }
        Ok(out)
    }

    fn include(&mut self, h: H, depth: usize) -> R<H> {
        if depth > 16 {
            return Err(self.err(h, "sch:include nested too deeply (a cycle?)"));
        }
        let href = self.req_attr(h, "href")?;
        let (file, frag) = href.split_once('#').map_or((href.as_str(), None), |(a, b)| (a, Some(b)));
        let f = if file.is_empty() {
            h.f
        } else {
            let Some(dir) = self.files[h.f].dir.clone() else {
                return Err(self.err(h, "sch:include is not supported when the schema is not loaded from a file"));
            };
            let path = dir.join(file);
            let name = path.display().to_string();
            match self.files.iter().position(|x| x.name == name) {
                Some(i) => i,
                None => {
                    let bytes = std::fs::read(&path).map_err(|e| self.err(h, format!("sch:include `{href}`: {e}")))?;
                    let dom = parse_file(&bytes, &name)?;
                    self.files.push(File { name, dir: path.parent().map(Path::to_path_buf), dom });
                    self.files.len() - 1
                }
            }
        };
        let d = &self.files[f].dom;
        let target = match frag {
            None => d.document_element(),
            Some(id) => (0..d.len() as u32).find(|&n| {
                d.kind(n) == NodeKind::Element
                    && (d.attribute(n, super::dom::XML_NS, "id") == Some(id) || d.attribute(n, "", "id") == Some(id))
            }),
        };
        let Some(n) = target else { return Err(self.err(h, format!("sch:include `{href}`: target not found"))) };
        let t = H { f, n };
        if self.is(t, SCH, "include") {
            return self.include(t, depth + 1);
        }
        Ok(t)
    }

    /// Namespaces for XPath in `xsl:` elements: sch:ns plus the element's in-scope declarations.
    fn xsl_namespaces(&self, h: H) -> HashMap<String, String> {
        let mut m = self.ns.clone();
        let d = self.dom(h);
        let mut chain = vec![h.n];
        let mut cur = h.n;
        while let Some(p) = d.parent(cur) {
            chain.push(p);
            cur = p;
        }
        for n in chain.into_iter().rev() {
            for (p, u) in d.namespace_decls(n) {
                if !p.is_empty() {
                    m.insert(p.to_string(), u.to_string());
                }
            }
        }
        m
    }

    fn xpath(&self, h: H, what: &str, src: &str, ns: &HashMap<String, String>, scope: &mut Scope) -> R<Expr> {
        let sc = StaticContext { namespaces: ns, globals: &self.globals, keys: &self.key_names };
        compile(src, &sc, scope).map_err(|e| self.err(h, format!("{what}: {} (at offset {} of `{src}`)", e.msg, e.pos)))
    }

    // ------------------------------------------------------------------ the schema

    fn schema(&mut self, root: H) -> R<Schema> {
        if self.ns_of(root) == OLD_SCH {
            return Err(self.err(
                root,
                "Schematron 1.5 (http://www.ascc.net/xml/schematron) is not supported; use ISO Schematron",
            ));
        }
        if !self.is(root, SCH, "schema") {
            return Err(self.err(root, format!("the root element is <{}>, not an ISO sch:schema", self.qname(root))));
        }
        let qb = self.attr(root, "queryBinding").unwrap_or_else(|| "xslt".into());
        if !matches!(qb.to_ascii_lowercase().as_str(), "xslt2" | "xslt3" | "xpath2" | "xpath3") {
            return Err(self.err(root, format!("queryBinding \"{qb}\" is not supported (only xslt2/xslt3)")));
        }
        let (mut title, mut lets, mut xsl_vars, mut xsl_keys, mut patterns, mut phases, mut diags) =
            (String::new(), vec![], vec![], vec![], vec![], vec![], vec![]);
        for c in self.kids(root, false)? {
            let ns = self.ns_of(c).to_string();
            let local = self.local(c);
            if ns == SCH {
                match local.as_str() {
                    "title" => title = normalize(&self.dom(c).string_value(c.n)),
                    "ns" => {
                        let (p, u) = (self.req_attr(c, "prefix")?, self.req_attr(c, "uri")?);
                        self.ns.insert(p, u);
                    }
                    "let" => lets.push(c),
                    "pattern" => patterns.push(c),
                    "phase" => phases.push(c),
                    "diagnostics" => diags.push(c),
                    "p" | "properties" => {}
                    other => return Err(self.err(c, format!("sch:{other} is not supported here"))),
                }
            } else if ns == XSL {
                match local.as_str() {
                    "variable" => xsl_vars.push(c),
                    "key" => xsl_keys.push(c),
                    other => {
                        return Err(self
                            .err(c, format!("top-level xsl:{other} is not supported (only xsl:variable and xsl:key)")))
                    }
                }
            }
        }
        let active = self.active_patterns(root, &patterns, &phases)?;
        for &p in &patterns {
            for r in self.kids(p, false)? {
                if self.is(r, SCH, "rule") && self.attr(r, "abstract").as_deref() == Some("true") {
                    let id = self.req_attr(r, "id")?;
                    self.abstract_rules.insert(id, r);
                }
            }
        }
        let prog = self.program(&lets, &xsl_vars, &xsl_keys, &active)?;
        for d in diags {
            self.collect_diagnostics(d)?;
        }
        let mut schema = Schema {
            file: self.files[0].name.clone(),
            id: self.attr(root, "id").unwrap_or_default(),
            title,
            schema_version: self.attr(root, "schemaVersion").unwrap_or_default(),
            docs: Vec::new(),
            prog,
            patterns: Vec::new(),
            rules: Vec::new(),
            by_name: HashMap::new(),
            wildcard: Vec::new(),
            slots: 0,
            nemsis_globals: NEMSIS_LETS.map(|n| self.globals.get(n).copied()),
        };
        for p in active {
            self.pattern(p, &mut schema)?;
        }
        schema.docs = std::mem::take(&mut self.docs);
        Ok(schema)
    }

    /// Global variables (schema lets, `xsl:variable`s, lets of active patterns, in that order)
    /// and keys, compiled, with what does not depend on the instance computed now.
    fn program(&mut self, lets: &[H], xsl_vars: &[H], xsl_keys: &[H], active: &[H]) -> R<Program> {
        let mut srcs: Vec<H> = lets.iter().chain(xsl_vars).copied().collect();
        for &p in active {
            for c in self.kids(p, false)? {
                if self.is(c, SCH, "let") {
                    srcs.push(c);
                }
            }
        }
        for (i, &g) in srcs.iter().enumerate() {
            let name = self.req_attr(g, "name")?;
            if self.globals.insert(name.clone(), i as u16).is_some() {
                return Err(self.err(g, format!("global variable `{name}` is declared twice")));
            }
        }
        for &k in xsl_keys {
            self.key_names.push(self.req_attr(k, "name")?);
        }
        let mut prog = Program::default();
        for &g in &srcs {
            let def = self.global(g)?;
            prog.globals.push(def);
        }
        check_cycles(&prog, |i| self.err(srcs[i], format!("variable `{}` depends on itself", prog.globals[i].name)))?;
        for &k in xsl_keys {
            let def = self.key(k)?;
            prog.keys.push(def);
        }
        self.precompute(&mut prog);
        Ok(prog)
    }

    fn collect_diagnostics(&mut self, d: H) -> R<()> {
        for c in self.kids(d, false)? {
            if self.is(c, SCH, "diagnostic") {
                let id = self.req_attr(c, "id")?;
                if self.diags.iter().any(|(x, _)| *x == id) {
                    return Err(self.err(c, format!("diagnostic `{id}` is declared twice")));
                }
                self.diags.push((id, c));
            }
        }
        Ok(())
    }

    fn active_patterns(&mut self, root: H, patterns: &[H], phases: &[H]) -> R<Vec<H>> {
        let Some(phase) = self.attr(root, "defaultPhase").filter(|p| p != "#ALL" && p != "#DEFAULT") else {
            return Ok(patterns.to_vec());
        };
        let Some(&ph) = phases.iter().find(|&&p| self.attr(p, "id").as_deref() == Some(phase.as_str())) else {
            return Err(self.err(root, format!("defaultPhase `{phase}` is not declared")));
        };
        let mut ids = Vec::new();
        for c in self.kids(ph, false)? {
            if self.is(c, SCH, "active") {
                ids.push(self.req_attr(c, "pattern")?);
            } else if self.is(c, SCH, "let") {
                return Err(self.err(c, "sch:let inside sch:phase is not supported"));
            }
        }
        Ok(patterns.iter().copied().filter(|&p| self.attr(p, "id").is_some_and(|id| ids.contains(&id))).collect())
    }

    fn global(&mut self, g: H) -> R<Global> {
        let name = self.req_attr(g, "name")?;
        let is_xsl = self.ns_of(g) == XSL;
        let select = if is_xsl { self.attr(g, "select") } else { self.attr(g, "value") };
        if is_xsl && self.attr(g, "as").is_some() {
            return Err(self.err(g, "xsl:variable/@as is not supported"));
        }
        let ns = if is_xsl { self.xsl_namespaces(g) } else { self.ns.clone() };
        match select {
            Some(src) => {
                let mut scope = Scope::default();
                let what = if is_xsl { "xsl:variable/@select" } else { "sch:let/@value" };
                let expr = self.xpath(g, what, &src, &ns, &mut scope)?;
                Ok(Global { name, expr, slots: scope.max, value: None })
            }
            None => {
                let doc = self.literal_tree(g)?;
                let value = Some(vec![Item::Node(NodeRef { doc, id: 0 })]);
                Ok(Global { name, expr: Expr::Empty, slots: 0, value })
            }
        }
    }

    /// Build a temporary tree from literal element content; returns its run-time doc index.
    fn literal_tree(&mut self, g: H) -> R<u32> {
        let mut b = DomBuilder::new();
        for c in self.kids(g, true)? {
            self.copy_into(&mut b, c)?;
        }
        self.docs.push(b.finish());
        Ok(self.docs.len() as u32)
    }

    fn copy_into(&mut self, b: &mut DomBuilder, h: H) -> R<()> {
        let d = self.dom(h);
        match d.kind(h.n) {
            NodeKind::Text => {
                let t = d.value(h.n);
                if !t.trim().is_empty() {
                    b.text(t, d.line(h.n));
                }
                Ok(())
            }
            NodeKind::Element if d.namespace_uri(h.n) == XSL => {
                if d.local_name(h.n) == "text" {
                    b.text(&d.string_value(h.n), d.line(h.n));
                    return Ok(());
                }
                Err(self.err(
                    h,
                    format!("xsl:{} inside a variable is not supported (only literal content)", d.local_name(h.n)),
                ))
            }
            NodeKind::Element => {
                b.start_element(d.namespace_uri(h.n), d.local_name(h.n), d.prefix(h.n), d.line(h.n));
                for (p, u) in d.namespace_decls(h.n) {
                    b.namespace_decl(p, u);
                }
                for a in d.attributes(h.n) {
                    b.attribute(d.namespace_uri(a), d.local_name(a), d.prefix(a), d.value(a));
                }
                for c in self.kids(h, true)? {
                    self.copy_into(b, c)?;
                }
                b.end_element();
                Ok(())
            }
            _ => Ok(()),
        }
    }

    fn key(&mut self, k: H) -> R<KeyDef> {
        let name = self.req_attr(k, "name")?;
        let ns = self.xsl_namespaces(k);
        let m = self.req_attr(k, "match")?;
        let Some(u) = self.attr(k, "use") else { return Err(self.err(k, "xsl:key without @use is not supported")) };
        let mut scope = Scope::default();
        let me = self.xpath(k, "xsl:key/@match", &m, &ns, &mut scope)?;
        let pattern = Pattern::from_expr(&me).map_err(|e| self.err(k, format!("xsl:key/@match `{m}`: {e}")))?;
        let use_expr = self.xpath(k, "xsl:key/@use", &u, &ns, &mut scope)?;
        Ok(KeyDef { name, pattern, use_expr, slots: scope.max, static_index: HashMap::new() })
    }

    /// Compute globals that do not depend on the instance, and key indexes of schema trees.
    fn precompute(&self, prog: &mut Program) {
        let empty = DomBuilder::new().finish();
        let mut docs: Vec<&Dom> = vec![&empty];
        docs.extend(self.docs.iter());
        for _round in 0..prog.globals.len() {
            let mut changed = false;
            for g in 0..prog.globals.len() {
                if prog.globals[g].value.is_some() {
                    continue;
                }
                let is_static = |i: u16| prog.globals[i as usize].value.is_some();
                if prog.globals[g].expr.is_dynamic(&is_static) {
                    continue;
                }
                let mut ev = Evaluator::new(docs.clone(), prog, DateTime::now_utc());
                ev.locals = vec![Vec::new(); prog.globals[g].slots];
                if let Ok(v) = ev.eval(&prog.globals[g].expr, &super::xpath::Ctx { item: None, pos: 0, size: 0 }) {
                    prog.globals[g].value = Some(v);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        for k in 0..prog.keys.len() {
            let mut index = HashMap::new();
            for d in 1..docs.len() as u32 {
                let mut ev = Evaluator::new(docs.clone(), prog, DateTime::now_utc());
                if let Ok(ix) = ev.build_key_index(k, d) {
                    index.insert(d, ix);
                }
            }
            prog.keys[k].static_index = index;
        }
    }

    // ------------------------------------------------------------------ patterns and rules

    fn pattern(&mut self, p: H, schema: &mut Schema) -> R<()> {
        if self.attr(p, "abstract").as_deref() == Some("true") || self.attr(p, "is-a").is_some() {
            return Err(self.err(p, "abstract patterns (abstract=\"true\", is-a) are not supported"));
        }
        if self.attr(p, "documents").is_some() {
            return Err(self.err(p, "sch:pattern/@documents is not supported"));
        }
        let pi = schema.patterns.len() as u32;
        schema.patterns.push(self.attr(p, "id").unwrap_or_default());
        for c in self.kids(p, false)? {
            let ns = self.ns_of(c).to_string();
            let local = self.local(c);
            match (ns.as_str(), local.as_str()) {
                (SCH, "rule") if self.attr(c, "abstract").as_deref() == Some("true") => {}
                (SCH, "rule") => {
                    let rule = self.rule(c, pi)?;
                    let ri = schema.rules.len() as u32;
                    match rule.context.element_names() {
                        Some(names) => {
                            for n in names {
                                let v = schema.by_name.entry(n).or_default();
                                if v.last() != Some(&ri) {
                                    v.push(ri);
                                }
                            }
                        }
                        None => schema.wildcard.push(ri),
                    }
                    schema.slots = schema.slots.max(rule.slots);
                    schema.rules.push(rule);
                }
                (SCH, "let" | "title" | "p") => {}
                (SCH, other) => return Err(self.err(c, format!("sch:{other} inside sch:pattern is not supported"))),
                (XSL, other) => return Err(self.err(c, format!("xsl:{other} inside sch:pattern is not supported"))),
                _ => {}
            }
        }
        Ok(())
    }

    fn rule(&mut self, r: H, pattern: u32) -> R<Rule> {
        let ctx_src = self.req_attr(r, "context")?;
        let ns = self.ns.clone();
        let mut scope = Scope::default();
        let ce = self.xpath(r, "sch:rule/@context", &ctx_src, &ns, &mut scope)?;
        let context =
            Pattern::from_expr(&ce).map_err(|e| self.err(r, format!("sch:rule/@context `{ctx_src}`: {e}")))?;
        if context.only_attributes_or_text() {
            return Err(self.err(
                r,
                format!("sch:rule/@context `{ctx_src}` matches only attributes or text, which are never visited"),
            ));
        }
        // Flatten lets and checks (following sch:extends).
        let mut lets_src: Vec<H> = Vec::new();
        let mut checks_src: Vec<H> = Vec::new();
        self.rule_children(r, &mut lets_src, &mut checks_src, 0)?;
        let mut lets: Vec<Let> = Vec::new();
        let mut names: Vec<String> = Vec::new();
        let n = lets_src.len();
        for &l in &lets_src {
            let name = self.req_attr(l, "name")?;
            let Some(v) = self.attr(l, "value") else {
                return Err(self.err(l, "sch:let with element content inside a rule is not supported (use @value)"));
            };
            let mut sc = Scope::rule(&names, n);
            let expr = self.xpath(l, "sch:let/@value", &v, &ns, &mut sc)?;
            scope.max = scope.max.max(sc.max);
            names.push(name);
            lets.push(Let { expr });
        }
        let nemsis_locals = NEMSIS_LETS.map(|n| names.iter().rposition(|x| x == n).map(|i| i as u16));
        let mut checks = Vec::new();
        for &c in &checks_src {
            checks.push(self.check(c, &ns, &names, &mut scope)?);
        }
        let slots = scope.max.max(n);
        Ok(Rule { pattern, id: self.attr(r, "id").unwrap_or_default(), context, lets, checks, nemsis_locals, slots })
    }

    fn rule_children(&mut self, r: H, lets: &mut Vec<H>, checks: &mut Vec<H>, depth: usize) -> R<()> {
        for c in self.kids(r, false)? {
            let ns = self.ns_of(c).to_string();
            let local = self.local(c);
            match (ns.as_str(), local.as_str()) {
                (SCH, "let") => lets.push(c),
                (SCH, "assert" | "report") => checks.push(c),
                (SCH, "extends") => {
                    if self.attr(c, "href").is_some() {
                        return Err(self.err(c, "sch:extends/@href is not supported"));
                    }
                    let id = self.req_attr(c, "rule")?;
                    let Some(&target) = self.abstract_rules.get(&id) else {
                        return Err(self.err(c, format!("sch:extends: no abstract rule `{id}`")));
                    };
                    if depth > 16 {
                        return Err(self.err(c, "sch:extends nested too deeply (a cycle?)"));
                    }
                    self.rule_children(target, lets, checks, depth + 1)?;
                }
                (SCH, "title" | "p") => {}
                (SCH, other) => return Err(self.err(c, format!("sch:{other} inside sch:rule is not supported"))),
                (XSL, other) => return Err(self.err(c, format!("xsl:{other} inside sch:rule is not supported"))),
                _ => {}
            }
        }
        Ok(())
    }

    fn check(&mut self, c: H, ns: &HashMap<String, String>, lets: &[String], scope: &mut Scope) -> R<Check> {
        let report = self.local(c) == "report";
        let what = if report { "sch:report" } else { "sch:assert" };
        let test_src = self.req_attr(c, "test")?;
        let mut sc = Scope::rule(lets, lets.len());
        let test = self.xpath(c, &format!("{what}/@test"), &test_src, ns, &mut sc)?;
        let message = self.message(c, ns, &mut sc, what)?;
        let mut diagnostics = Vec::new();
        for id in self.attr(c, "diagnostics").unwrap_or_default().split_whitespace() {
            let Some(&(_, d)) = self.diags.iter().find(|(x, _)| x == id) else {
                return Err(self.err(c, format!("unknown diagnostic `{id}`")));
            };
            diagnostics.push(if id == "nemsisDiagnostic" {
                CheckDiag::Nemsis
            } else {
                CheckDiag::Text { id: id.to_string(), parts: self.message(d, ns, &mut sc, "sch:diagnostic")? }
            });
        }
        scope.max = scope.max.max(sc.max);
        let role = self.attr(c, "role").unwrap_or_default();
        let role = role.trim().trim_start_matches('[').trim_end_matches(']').trim().to_string();
        Ok(Check {
            report,
            id: self.attr(c, "id").unwrap_or_default(),
            role,
            test,
            message,
            line: self.dom(c).line(c.n),
            diagnostics,
        })
    }

    /// Mixed content of an assert/report/diagnostic.
    fn message(&mut self, h: H, ns: &HashMap<String, String>, scope: &mut Scope, what: &str) -> R<Vec<MsgPart>> {
        let mut parts = Vec::new();
        for c in self.kids(h, true)? {
            let d = self.dom(c);
            if d.kind(c.n) == NodeKind::Text {
                parts.push(MsgPart::Text(d.value(c.n).to_string()));
                continue;
            }
            let (cns, local) = (self.ns_of(c).to_string(), self.local(c));
            match (cns.as_str(), local.as_str()) {
                (SCH, "value-of") => {
                    let src = self.req_attr(c, "select")?;
                    parts.push(MsgPart::Value(self.xpath(c, "sch:value-of/@select", &src, ns, scope)?));
                }
                (SCH, "name") => {
                    let path = match self.attr(c, "path") {
                        Some(src) => Some(self.xpath(c, "sch:name/@path", &src, ns, scope)?),
                        None => None,
                    };
                    parts.push(MsgPart::Name(path));
                }
                (SCH, "emph" | "dir" | "span") => parts.extend(self.message(c, ns, scope, what)?),
                (SCH, other) => return Err(self.err(c, format!("sch:{other} inside {what} is not supported"))),
                (XSL, other) => return Err(self.err(c, format!("xsl:{other} inside {what} is not supported"))),
                _ => parts.push(MsgPart::Text(self.dom(c).string_value(c.n).into_owned())),
            }
        }
        Ok(parts)
    }
}

fn normalize(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Refuse global variables that depend on themselves.
fn check_cycles(prog: &Program, err: impl Fn(usize) -> LoadError) -> R<()> {
    let n = prog.globals.len();
    let deps: Vec<Vec<u16>> = prog
        .globals
        .iter()
        .map(|g| {
            let mut v = Vec::new();
            g.expr.globals(&mut v);
            v
        })
        .collect();
    let mut state = vec![0u8; n]; // 0 new, 1 in progress, 2 done
    fn visit(i: usize, deps: &[Vec<u16>], state: &mut [u8]) -> Option<usize> {
        if state[i] == 2 {
            return None;
        }
        if state[i] == 1 {
            return Some(i);
        }
        state[i] = 1;
        for &d in &deps[i] {
            if let Some(c) = visit(d as usize, deps, state) {
                return Some(c);
            }
        }
        state[i] = 2;
        None
    }
    for i in 0..n {
        if let Some(c) = visit(i, &deps, &mut state) {
            return Err(err(c));
        }
    }
    Ok(())
}
