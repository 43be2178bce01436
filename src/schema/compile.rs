//! The XSD compiler: reads a NEMSIS XSD folder and builds the [`Model`] of one dataset.
//!
//! It supports exactly the XSD constructs the NEMSIS 3.5 schemas use (`xs:include`, element
//! declarations with local or named types, `xs:sequence`, `xs:simpleContent`/`xs:extension`,
//! simple-type restrictions with facets, unions of named types, attributes) and refuses any
//! other construct or attribute with an error naming the file, line and construct, so a schema
//! change in a future release can never be ignored silently.

use crate::schema::model::*;
use anyhow::{anyhow, bail, Context, Result};
use quick_xml::events::Event;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

const XS_NS: &str = "http://www.w3.org/2001/XMLSchema";

/// A parsed XSD element (tool-time DOM; the schemas are small).
#[derive(Debug, Default)]
struct XNode {
    /// Local name; `ns` says whether it is an `xs:` element.
    name: String,
    is_xs: bool,
    attrs: Vec<(String, String)>,
    children: Vec<XNode>,
    text: String,
    file: PathBuf,
    line: usize,
}

impl XNode {
    fn attr(&self, n: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str())
    }
    fn xs_children(&self) -> impl Iterator<Item = &XNode> {
        self.children.iter().filter(|c| c.is_xs)
    }
    fn child(&self, name: &str) -> Option<&XNode> {
        self.children.iter().find(|c| c.name == name)
    }
    fn at(&self) -> String {
        format!("{}:{}", self.file.display(), self.line)
    }
    /// All text below this node, concatenated.
    fn deep_text(&self) -> String {
        let mut s = self.text.clone();
        for c in &self.children {
            s.push_str(&c.deep_text());
        }
        s
    }
}

fn parse_file(path: &Path) -> Result<XNode> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let mut reader = quick_xml::Reader::from_reader(&bytes[..]);
    let mut stack: Vec<XNode> = vec![XNode::default()];
    let line_of = |pos: usize| bytes[..pos.min(bytes.len())].iter().filter(|b| **b == b'\n').count() + 1;
    loop {
        let pos = reader.buffer_position() as usize;
        let ev = reader.read_event().with_context(|| format!("{}: not well-formed XML", path.display()))?;
        match ev {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let qname = std::str::from_utf8(e.name().as_ref())?.to_string();
                let (prefix, local) = match qname.split_once(':') {
                    Some((p, l)) => (p.to_string(), l.to_string()),
                    None => (String::new(), qname.clone()),
                };
                let mut node = XNode { name: local, is_xs: prefix == "xs", file: path.to_path_buf(), line: line_of(pos), ..Default::default() };
                for a in e.attributes() {
                    let a = a?;
                    let k = std::str::from_utf8(a.key.as_ref())?.to_string();
                    let v = a.unescape_value()?.into_owned();
                    if k == "xmlns:xs" && v != XS_NS {
                        bail!("{}: prefix xs is bound to {v}, expected {XS_NS}", node.at());
                    }
                    node.attrs.push((k, v));
                }
                if matches!(ev, Event::Empty(_)) {
                    stack.last_mut().unwrap().children.push(node);
                } else {
                    stack.push(node);
                }
            }
            Event::End(_) => {
                let n = stack.pop().unwrap();
                stack.last_mut().ok_or_else(|| anyhow!("unbalanced"))?.children.push(n);
            }
            Event::Text(t) => {
                let s = t.unescape()?;
                stack.last_mut().unwrap().text.push_str(&s);
            }
            Event::CData(t) => stack.last_mut().unwrap().text.push_str(std::str::from_utf8(&t)?),
            Event::Eof => break,
            _ => {}
        }
    }
    let mut doc = stack.pop().unwrap();
    doc.children.pop().ok_or_else(|| anyhow!("{}: empty document", path.display()))
}

/// Named global components collected from a schema and its includes.
#[derive(Default)]
struct Globals {
    simple: HashMap<String, XNode>,
    complex: HashMap<String, XNode>,
    elements: HashMap<String, XNode>,
}

fn load(path: &Path, g: &mut Globals, seen: &mut Vec<PathBuf>) -> Result<()> {
    let canon = path.canonicalize().with_context(|| format!("cannot open {}", path.display()))?;
    if seen.contains(&canon) {
        return Ok(());
    }
    seen.push(canon);
    let root = parse_file(path)?;
    if !(root.is_xs && root.name == "schema") {
        bail!("{}: root is not xs:schema", root.at());
    }
    check_attrs(&root, &["xmlns", "xmlns:xs", "targetNamespace", "elementFormDefault", "attributeFormDefault", "version", "xmlns:sch", "xmlns:xhtml"])?;
    if root.attr("elementFormDefault") != Some("qualified") {
        bail!("{}: only elementFormDefault=\"qualified\" is supported", root.at());
    }
    if root.attr("attributeFormDefault").is_some_and(|v| v != "unqualified") {
        bail!("{}: only attributeFormDefault=\"unqualified\" is supported", root.at());
    }
    if root.attr("targetNamespace") != Some(NEMSIS_NS) {
        bail!("{}: targetNamespace must be {NEMSIS_NS}", root.at());
    }
    for c in root.children {
        if !c.is_xs {
            bail!("{}: unexpected <{}> in xs:schema", c.at(), c.name);
        }
        match c.name.as_str() {
            "include" => {
                check_attrs(&c, &["schemaLocation"])?;
                let loc = c.attr("schemaLocation").ok_or_else(|| anyhow!("{}: include without schemaLocation", c.at()))?;
                let p = path.parent().unwrap_or(Path::new(".")).join(loc);
                load(&p, g, seen)?;
            }
            "simpleType" | "complexType" | "element" => {
                let name = c.attr("name").ok_or_else(|| anyhow!("{}: global {} without name", c.at(), c.name))?.to_string();
                let map = match c.name.as_str() {
                    "simpleType" => &mut g.simple,
                    "complexType" => &mut g.complex,
                    _ => &mut g.elements,
                };
                if map.insert(name.clone(), c).is_some() {
                    bail!("duplicate global definition of {name}");
                }
            }
            "annotation" => {}
            other => bail!("{}: unsupported XSD construct xs:{other}", c.at()),
        }
    }
    Ok(())
}

/// Refuse attributes on an XSD construct that the compiler does not understand.
fn check_attrs(n: &XNode, allowed: &[&str]) -> Result<()> {
    for (k, _) in &n.attrs {
        if !allowed.contains(&k.as_str()) {
            bail!("{}: unsupported attribute {k} on xs:{}", n.at(), n.name);
        }
    }
    Ok(())
}

struct Compiler<'a> {
    g: &'a Globals,
    model: Model,
    type_ids: HashMap<String, TypeId>,
}

/// Compile the dataset rooted at `<xsd_dir>/<dataset>_v3.xsd` (e.g. `EMSDataSet`).
pub fn compile(xsd_dir: &Path, dataset: &str, version: &str) -> Result<Model> {
    let mut g = Globals::default();
    let root_file = xsd_dir.join(format!("{dataset}_v3.xsd"));
    load(&root_file, &mut g, &mut Vec::new())?;
    let root = g.elements.get(dataset).ok_or_else(|| anyhow!("{}: no global element {dataset}", root_file.display()))?;
    let mut c = Compiler {
        g: &g,
        model: Model {
            version: version.to_string(),
            dataset: dataset.to_string(),
            namespace: NEMSIS_NS.to_string(),
            root: 0,
            elements: Vec::new(),
            types: Vec::new(),
            lookup: Default::default(),
        },
        type_ids: HashMap::new(),
    };
    c.element(root, None, "")?;
    let mut m = c.model;
    m.index();
    Ok(m)
}

impl Compiler<'_> {
    fn element(&mut self, x: &XNode, parent: Option<ElemId>, parent_path: &str) -> Result<ElemId> {
        check_attrs(x, &["name", "type", "id", "minOccurs", "maxOccurs", "nillable"])?;
        let name = x.attr("name").ok_or_else(|| anyhow!("{}: element without name (xs:element ref is not supported)", x.at()))?;
        let path = format!("{parent_path}/{name}");
        if path.matches('/').count() > 64 {
            bail!("{}: element nesting deeper than 64 levels (recursive types are not supported)", x.at());
        }
        let occurs = |a: &str, d: u32| -> Result<Option<u32>> {
            match x.attr(a) {
                None => Ok(Some(d)),
                Some("unbounded") => Ok(None),
                Some(v) => v.parse().map(Some).map_err(|_| anyhow!("{}: bad {a}={v}", x.at())),
            }
        };
        let min_occurs = occurs("minOccurs", 1)?.ok_or_else(|| anyhow!("{}: minOccurs unbounded", x.at()))?;
        let max_occurs = occurs("maxOccurs", 1)?;
        let nillable = match x.attr("nillable") {
            None | Some("false") => false,
            Some("true") => true,
            Some(v) => bail!("{}: bad nillable={v}", x.at()),
        };
        let (doc, label) = documentation(x);
        let id = self.model.elements.len() as ElemId;
        self.model.elements.push(Element {
            name: name.to_string(),
            xsd_id: x.attr("id").map(str::to_string),
            label,
            doc,
            path: path.clone(),
            parent,
            min_occurs,
            max_occurs,
            nillable,
            content: Content::Sequence { children: vec![] },
            attributes: vec![],
        });
        // The element's type: a named type, or an inline complexType / simpleType.
        let mut inline = None;
        for c in x.xs_children() {
            match c.name.as_str() {
                "annotation" => {}
                "complexType" | "simpleType" if inline.is_none() => inline = Some(c),
                other => bail!("{}: unsupported xs:{other} inside xs:element", c.at()),
            }
        }
        let (content, attributes) = match (x.attr("type"), inline) {
            (Some(_), Some(c)) => bail!("{}: element has both a type attribute and an inline type", c.at()),
            (None, None) => bail!("{}: element {name} has no type (xs:anyType is not supported)", x.at()),
            (Some(t), None) => {
                if let Some(ct) = self.g.complex.get(strip_prefix(t)) {
                    if t.contains(':') {
                        bail!("{}: qualified reference {t} to a NEMSIS type", x.at());
                    }
                    self.complex_type(ct, id, &path)?
                } else {
                    (Content::Simple { value_type: self.type_ref(t, x)? }, vec![])
                }
            }
            (None, Some(c)) if c.name == "complexType" => self.complex_type(c, id, &path)?,
            (None, Some(c)) => (Content::Simple { value_type: self.simple_type(c)? }, vec![]),
        };
        let e = &mut self.model.elements[id as usize];
        e.content = content;
        e.attributes = attributes;
        Ok(id)
    }

    fn complex_type(&mut self, ct: &XNode, owner: ElemId, path: &str) -> Result<(Content, Vec<Attribute>)> {
        check_attrs(ct, &["name", "id"])?;
        let mut content = None;
        let mut attributes = vec![];
        for c in ct.xs_children() {
            match c.name.as_str() {
                "annotation" => {}
                "sequence" if content.is_none() => {
                    check_attrs(c, &[])?;
                    let mut children = vec![];
                    for p in c.xs_children() {
                        match p.name.as_str() {
                            "annotation" => {}
                            "element" => children.push(self.element(p, Some(owner), path)?),
                            other => bail!("{}: unsupported xs:{other} inside xs:sequence (only element particles are supported)", p.at()),
                        }
                    }
                    let mut names: Vec<&str> = children.iter().map(|c| self.model.elements[*c as usize].name.as_str()).collect();
                    names.sort_unstable();
                    if names.windows(2).any(|w| w[0] == w[1]) {
                        bail!("{}: a sequence names the same element twice (not supported)", c.at());
                    }
                    content = Some(Content::Sequence { children });
                }
                "simpleContent" if content.is_none() => {
                    check_attrs(c, &[])?;
                    let ext = c.xs_children().find(|n| n.name != "annotation").ok_or_else(|| anyhow!("{}: empty simpleContent", c.at()))?;
                    if ext.name != "extension" {
                        bail!("{}: unsupported xs:{} in simpleContent (only extension)", ext.at(), ext.name);
                    }
                    check_attrs(ext, &["base"])?;
                    let base = ext.attr("base").ok_or_else(|| anyhow!("{}: extension without base", ext.at()))?;
                    let value_type = self.type_ref(base, ext)?;
                    for a in ext.xs_children() {
                        match a.name.as_str() {
                            "annotation" => {}
                            "attribute" => attributes.push(self.attribute(a)?),
                            other => bail!("{}: unsupported xs:{other} in xs:extension", a.at()),
                        }
                    }
                    content = Some(Content::Simple { value_type });
                }
                "attribute" => attributes.push(self.attribute(c)?),
                other => bail!("{}: unsupported xs:{other} in xs:complexType", c.at()),
            }
        }
        let content = content.unwrap_or(Content::Sequence { children: vec![] });
        Ok((content, attributes))
    }

    fn attribute(&mut self, a: &XNode) -> Result<Attribute> {
        check_attrs(a, &["name", "type", "use"])?;
        let name = a.attr("name").ok_or_else(|| anyhow!("{}: attribute without name (ref is not supported)", a.at()))?;
        let required = match a.attr("use") {
            None | Some("optional") => false,
            Some("required") => true,
            Some(v) => bail!("{}: unsupported use={v}", a.at()),
        };
        let inline = a.xs_children().find(|n| n.name != "annotation");
        let value_type = match (a.attr("type"), inline) {
            (Some(t), None) => self.type_ref(t, a)?,
            (None, Some(st)) if st.name == "simpleType" => self.simple_type(st)?,
            _ => bail!("{}: attribute {name} needs exactly one of type= or an inline xs:simpleType", a.at()),
        };
        Ok(Attribute { name: name.to_string(), value_type, required })
    }

    /// Resolve a type reference (`xs:string` or a NEMSIS simple type name) to a TypeId.
    fn type_ref(&mut self, t: &str, at: &XNode) -> Result<TypeId> {
        if let Some(local) = t.strip_prefix("xs:") {
            let b = Builtin::from_xsd(local).ok_or_else(|| anyhow!("{}: unsupported built-in type {t}", at.at()))?;
            let key = format!("xs:{local}");
            if let Some(id) = self.type_ids.get(&key) {
                return Ok(*id);
            }
            let id = self.push_type(SimpleType { name: Some(key.clone()), variety: Variety::Atomic { builtin: b, facets: vec![] } });
            self.type_ids.insert(key, id);
            return Ok(id);
        }
        if t.contains(':') {
            bail!("{}: unsupported qualified type name {t}", at.at());
        }
        if let Some(id) = self.type_ids.get(t) {
            return Ok(*id);
        }
        if self.g.complex.contains_key(t) {
            bail!("{}: complex type {t} used where a simple type is needed", at.at());
        }
        let st = self.g.simple.get(t).ok_or_else(|| anyhow!("{}: unknown type {t}", at.at()))?;
        let id = self.simple_type(st)?;
        self.type_ids.insert(t.to_string(), id);
        Ok(id)
    }

    fn push_type(&mut self, t: SimpleType) -> TypeId {
        self.model.types.push(t);
        (self.model.types.len() - 1) as TypeId
    }

    fn simple_type(&mut self, st: &XNode) -> Result<TypeId> {
        check_attrs(st, &["name", "id"])?;
        let name = st.attr("name").map(str::to_string);
        let body = st.xs_children().find(|n| n.name != "annotation").ok_or_else(|| anyhow!("{}: empty simpleType", st.at()))?;
        let variety = match body.name.as_str() {
            "restriction" => {
                check_attrs(body, &["base"])?;
                let base = body.attr("base").ok_or_else(|| anyhow!("{}: restriction without base", body.at()))?;
                let base_id = self.type_ref(base, body)?;
                let (builtin, mut steps) = match &self.model.types[base_id as usize].variety {
                    Variety::Atomic { builtin, facets } => (*builtin, facets.clone()),
                    Variety::Union { .. } => bail!("{}: restriction of a union is not supported", body.at()),
                };
                steps.insert(0, facets(body)?);
                Variety::Atomic { builtin, facets: steps }
            }
            "union" => {
                check_attrs(body, &["memberTypes"])?;
                if body.xs_children().any(|n| n.name != "annotation") {
                    bail!("{}: inline member types in xs:union are not supported", body.at());
                }
                let mut members = vec![];
                for m in body.attr("memberTypes").unwrap_or("").split_whitespace() {
                    members.push(self.type_ref(m, body)?);
                }
                if members.is_empty() {
                    bail!("{}: empty union", body.at());
                }
                Variety::Union { members }
            }
            other => bail!("{}: unsupported xs:{other} in xs:simpleType", body.at()),
        };
        Ok(self.push_type(SimpleType { name, variety }))
    }
}

fn strip_prefix(t: &str) -> &str {
    t.rsplit(':').next().unwrap_or(t)
}

fn facets(r: &XNode) -> Result<Facets> {
    let mut f = Facets::default();
    for c in r.xs_children() {
        let v = || -> Result<String> {
            check_attrs(c, &["value"])?;
            Ok(c.attr("value").ok_or_else(|| anyhow!("{}: facet without value", c.at()))?.to_string())
        };
        let num = || -> Result<u32> { v()?.trim().parse().map_err(|_| anyhow!("{}: bad facet value", c.at())) };
        match c.name.as_str() {
            "annotation" => {}
            "enumeration" => {
                let label = c.child("annotation").and_then(|a| a.child("documentation")).map(|d| normalize_ws(&d.deep_text())).unwrap_or_default();
                f.enumeration.push(Code { code: v()?, label });
            }
            "pattern" => f.patterns.push(v()?),
            "length" => f.length = Some(num()?),
            "minLength" => f.min_length = Some(num()?),
            "maxLength" => f.max_length = Some(num()?),
            "minInclusive" => f.min_inclusive = Some(v()?),
            "maxInclusive" => f.max_inclusive = Some(v()?),
            "minExclusive" => f.min_exclusive = Some(v()?),
            "maxExclusive" => f.max_exclusive = Some(v()?),
            "totalDigits" => f.total_digits = Some(num()?),
            "fractionDigits" => f.fraction_digits = Some(num()?),
            other => bail!("{}: unsupported facet xs:{other}", c.at()),
        }
    }
    Ok(f)
}

fn normalize_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The NEMSIS documentation of an element and its label.
fn documentation(x: &XNode) -> (Option<ElementDoc>, String) {
    let Some(docn) = x.child("annotation").and_then(|a| a.child("documentation")) else {
        return (None, String::new());
    };
    if let Some(t) = docn.child("nemsisTacDoc") {
        let get = |n: &str| t.child(n).map(|c| normalize_ws(&c.deep_text())).unwrap_or_default();
        let d = ElementDoc {
            number: get("number"),
            name: get("name"),
            usage: get("usage"),
            national: get("national") == "Yes",
            state: get("state") == "Yes",
            definition: get("definition"),
            v2_number: get("v2Number"),
        };
        let label = d.name.clone();
        (Some(d), label)
    } else {
        (None, normalize_ws(&docn.deep_text()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn xsd_dir(v: &str) -> Option<PathBuf> {
        let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/nemsis").join(format!("v{v}")).join("XSDs");
        if p.is_dir() { Some(p) } else { eprintln!("skipped: {} not found", p.display()); None }
    }

    #[test]
    fn compiles_ems_351_with_documented_elements() {
        let Some(dir) = xsd_dir("3.5.1") else { return };
        let m = compile(&dir, "EMSDataSet", "3.5.1").unwrap();
        let id = m.find("eSituation.11").unwrap();
        let e = m.element(id);
        assert_eq!(e.label, "Provider's Primary Impression");
        assert_eq!(e.path, "/EMSDataSet/Header/PatientCareReport/eSituation/eSituation.11");
        assert!(e.nillable);
        assert_eq!(e.doc.as_ref().unwrap().usage, "Required");
        let nv = m.attribute(id, "NV").unwrap();
        let codes: Vec<&str> = m.codes(nv.value_type).iter().map(|c| c.code.as_str()).collect();
        assert_eq!(codes, ["7701001", "7701003"]);
        let s12 = m.element(m.find("eSituation.12").unwrap());
        assert_eq!((s12.min_occurs, s12.max_occurs), (1, None));
        // code labels come from the enumeration documentation
        let r05 = m.find("eResponse.05").unwrap();
        assert_eq!(m.code_label(r05, "2205001"), Some("Emergency Response (Primary Response Area)"));
    }

    #[test]
    fn refuses_unsupported_construct() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("XDataSet_v3.xsd"),
            r#"<xs:schema xmlns="http://www.nemsis.org" xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="http://www.nemsis.org" elementFormDefault="qualified">
<xs:element name="XDataSet"><xs:complexType><xs:choice><xs:element name="a" type="xs:string"/></xs:choice></xs:complexType></xs:element></xs:schema>"#,
        )
        .unwrap();
        let err = compile(dir.path(), "XDataSet", "3.5.1").unwrap_err().to_string();
        assert!(err.contains("unsupported xs:choice") && err.contains(":2"), "{err}");
    }
}

#[cfg(test)]
mod drift {
    /// The committed models must equal a fresh compile of the official XSDs (`make schemas`).
    #[test]
    fn schema_models_are_current() {
        let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        for v in crate::schema::builtin::VERSIONS {
            let dir = root.join("../shared/nemsis").join(format!("v{v}")).join("XSDs");
            if !dir.is_dir() {
                eprintln!("SKIPPED: {} not found", dir.display());
                return;
            }
            for d in crate::schema::builtin::DATASETS {
                let fresh = super::compile(&dir, d, v).unwrap();
                let mut json = serde_json::to_string_pretty(&fresh).unwrap();
                json.push('\n');
                let committed = std::fs::read_to_string(root.join("schemas").join(v).join(format!("{d}.json"))).unwrap();
                assert!(json == committed, "schemas/{v}/{d}.json is stale: run `make schemas`");
            }
        }
    }
}
