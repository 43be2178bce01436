//! The compiled NEMSIS schema model: every element of one dataset (EMSDataSet, DEMDataSet or
//! StateDataSet) of one NEMSIS version, with its documentation, content model, value type,
//! facets, code lists and attributes.
//!
//! The model is produced by [`crate::schema::compile`] from the official XSDs and serialized as
//! JSON under `schemas/`; the binary embeds those files (see [`crate::schema::builtin`]). Every
//! other part of the tool (validator, record tree, rules, coder, extract) reads this model
//! instead of listing element names, columns or codes by hand.
//!
//! Element declarations are instantiated per path: an XSD complex type used at two places
//! yields two [`Element`]s. So an [`ElemId`] names exactly one path in the document, which is
//! what the validator, the record tree and the extract's columns all want.

use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// Index of an [`Element`] in [`Model::elements`].
pub type ElemId = u32;
/// Index of a [`SimpleType`] in [`Model::types`].
pub type TypeId = u32;

/// The namespace of every NEMSIS element.
pub const NEMSIS_NS: &str = "http://www.nemsis.org";
/// The XML Schema instance namespace (`xsi:nil`, `xsi:schemaLocation`).
pub const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Model {
    /// NEMSIS version, "3.5.1" or "3.5.0".
    pub version: String,
    /// Dataset root element name: "EMSDataSet", "DEMDataSet" or "StateDataSet".
    pub dataset: String,
    /// Target namespace of the schema (always [`NEMSIS_NS`] for NEMSIS).
    pub namespace: String,
    /// The root element (always element 0).
    pub root: ElemId,
    pub elements: Vec<Element>,
    pub types: Vec<SimpleType>,
    /// Derived lookups, rebuilt by [`Model::index`] after loading.
    #[serde(skip)]
    pub lookup: Lookup,
}

/// Lookups derived from the element list (not serialized).
#[derive(Debug, Clone, Default)]
pub struct Lookup {
    /// Local element name → every element with that name (usually one).
    pub by_name: HashMap<String, Vec<ElemId>>,
    /// Path such as `/EMSDataSet/Header/PatientCareReport` → element.
    pub by_path: HashMap<String, ElemId>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Element {
    /// Local name as it appears in documents, e.g. `eSituation.11` or `eVitals.VitalGroup`.
    pub name: String,
    /// The XSD `id` attribute of the declaration, e.g. `eSituation.ProvidersPrimaryImpression`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub xsd_id: Option<String>,
    /// Human name: the NEMSIS documentation name ("Provider's Primary Impression") for data
    /// elements, the `xs:documentation` text for groups and sections.
    pub label: String,
    /// NEMSIS documentation (`nemsisTacDoc`), present for numbered data elements.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc: Option<ElementDoc>,
    /// Absolute path without positions, e.g. `/EMSDataSet/Header/PatientCareReport/eSituation/eSituation.11`.
    pub path: String,
    /// Parent element (None for the root).
    pub parent: Option<ElemId>,
    /// Bounds of this element inside its parent's sequence (1..1 for the root).
    pub min_occurs: u32,
    /// None means unbounded.
    pub max_occurs: Option<u32>,
    pub nillable: bool,
    pub content: Content,
    /// Attributes allowed on this element (besides `xsi:*` and namespace declarations).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<Attribute>,
}

/// NEMSIS data-element documentation from the XSD's `nemsisTacDoc` annotation.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ElementDoc {
    /// Element number, e.g. `eSituation.11`.
    pub number: String,
    pub name: String,
    /// "Mandatory", "Required", "Recommended" or "Optional".
    pub usage: String,
    pub national: bool,
    pub state: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub definition: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub v2_number: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Content {
    /// Element-only content: an `xs:sequence` of child elements, in order.
    Sequence { children: Vec<ElemId> },
    /// Text content of the given simple type (with attributes, if any, in [`Element::attributes`]).
    Simple { value_type: TypeId },
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Attribute {
    /// Unqualified attribute name, e.g. `NV`, `PN`, `UUID`, `CorrelationID`.
    pub name: String,
    pub value_type: TypeId,
    pub required: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SimpleType {
    /// Type name in the XSD (None for anonymous types).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub variety: Variety,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Variety {
    /// An atomic type: a built-in primitive, restricted by facets. `facets` holds one entry per
    /// derivation step (most derived first); a value must satisfy every step.
    Atomic { builtin: Builtin, facets: Vec<Facets> },
    /// A union: a value is valid when it is valid for any member type.
    Union { members: Vec<TypeId> },
}

/// The XSD built-in types NEMSIS uses. Anything else is refused by the compiler.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Builtin {
    String,
    Decimal,
    Integer,
    PositiveInteger,
    Date,
    DateTime,
    Base64Binary,
}

impl Builtin {
    pub fn from_xsd(local: &str) -> Option<Builtin> {
        Some(match local {
            "string" => Builtin::String,
            "decimal" => Builtin::Decimal,
            "integer" => Builtin::Integer,
            "positiveInteger" => Builtin::PositiveInteger,
            "date" => Builtin::Date,
            "dateTime" => Builtin::DateTime,
            "base64Binary" => Builtin::Base64Binary,
            _ => return None,
        })
    }
    pub fn xsd_name(self) -> &'static str {
        match self {
            Builtin::String => "string",
            Builtin::Decimal => "decimal",
            Builtin::Integer => "integer",
            Builtin::PositiveInteger => "positiveInteger",
            Builtin::Date => "date",
            Builtin::DateTime => "dateTime",
            Builtin::Base64Binary => "base64Binary",
        }
    }
}

/// The facets of one restriction step. Bounds are kept as their lexical form and compared in
/// the value space of the type's built-in (decimal, date or dateTime).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Facets {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub enumeration: Vec<Code>,
    /// XSD regular expressions (implicitly anchored). Several patterns in one step are ORed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub patterns: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_inclusive: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_inclusive: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_exclusive: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_exclusive: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_digits: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fraction_digits: Option<u32>,
}

/// One enumeration value and its documented label.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Code {
    pub code: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub label: String,
}

impl Model {
    /// Rebuild the derived lookups; call after deserializing.
    pub fn index(&mut self) {
        let mut lookup = Lookup::default();
        for (i, e) in self.elements.iter().enumerate() {
            lookup.by_name.entry(e.name.clone()).or_default().push(i as ElemId);
            lookup.by_path.insert(e.path.clone(), i as ElemId);
        }
        self.lookup = lookup;
    }

    pub fn element(&self, id: ElemId) -> &Element {
        &self.elements[id as usize]
    }

    pub fn simple_type(&self, id: TypeId) -> &SimpleType {
        &self.types[id as usize]
    }

    /// The first element with this local name (NEMSIS element names are unique within a
    /// dataset except for a few group containers).
    pub fn find(&self, name: &str) -> Option<ElemId> {
        self.lookup.by_name.get(name).and_then(|v| v.first().copied())
    }

    pub fn by_path(&self, path: &str) -> Option<ElemId> {
        self.lookup.by_path.get(path).copied()
    }

    /// Child elements of a sequence element (empty for simple content).
    pub fn children(&self, id: ElemId) -> &[ElemId] {
        match &self.element(id).content {
            Content::Sequence { children } => children,
            Content::Simple { .. } => &[],
        }
    }

    /// The attribute declaration named `name` on element `id`.
    pub fn attribute(&self, id: ElemId, name: &str) -> Option<&Attribute> {
        self.element(id).attributes.iter().find(|a| a.name == name)
    }

    /// Every enumeration code allowed by a type (following unions), with labels, in order.
    pub fn codes(&self, ty: TypeId) -> Vec<&Code> {
        let mut out = Vec::new();
        self.collect_codes(ty, &mut out);
        out
    }

    fn collect_codes<'a>(&'a self, ty: TypeId, out: &mut Vec<&'a Code>) {
        match &self.simple_type(ty).variety {
            Variety::Atomic { facets, .. } => {
                if let Some(step) = facets.iter().find(|f| !f.enumeration.is_empty()) {
                    out.extend(step.enumeration.iter());
                }
            }
            Variety::Union { members } => {
                for m in members {
                    self.collect_codes(*m, out);
                }
            }
        }
    }

    /// The built-in primitive at the base of a type (for unions: of the first member).
    pub fn builtin(&self, ty: TypeId) -> Builtin {
        match &self.simple_type(ty).variety {
            Variety::Atomic { builtin, .. } => *builtin,
            Variety::Union { members } => members.first().map_or(Builtin::String, |m| self.builtin(*m)),
        }
    }

    /// Whether element `id` can occur more than once per parent instance, or sits below an
    /// ancestor that can (up to, not including, `stop`).
    pub fn repeats_below(&self, id: ElemId, stop: ElemId) -> bool {
        let mut cur = Some(id);
        while let Some(c) = cur {
            if c == stop {
                return false;
            }
            let e = self.element(c);
            if e.max_occurs != Some(1) {
                return true;
            }
            cur = e.parent;
        }
        false
    }

    /// The label of a code for an element's value type, if the code is in its list.
    pub fn code_label(&self, id: ElemId, code: &str) -> Option<&str> {
        let Content::Simple { value_type } = self.element(id).content else { return None };
        self.codes(value_type).into_iter().find(|c| c.code == code).map(|c| c.label.as_str())
    }

    /// Short display name for messages: `eSituation.11 (Provider's Primary Impression)`.
    pub fn display(&self, id: ElemId) -> String {
        let e = self.element(id);
        if e.doc.is_none() || e.label.is_empty() || e.label == e.name {
            e.name.clone()
        } else {
            format!("{} ({})", e.name, e.label)
        }
    }
}
