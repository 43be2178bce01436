//! The XPath 2.0 subset used by ISO Schematron files with `queryBinding="xslt2"`, plus the
//! XSLT functions those files call (`current()`, `key()`, `format-dateTime()`).
//!
//! Supported: sequences and `,`; `for`/`some`/`every`/`if`; `or`/`and`; general (`=` ...), value
//! (`eq` ...) and node (`is`, `<<`, `>>`) comparisons; `to`; arithmetic on numbers, dates,
//! dateTimes and durations; `|`/`union`/`intersect`/`except`; `instance of`, `treat as`,
//! `castable as`, `cast as` with the atomic types in [`value::AtomicType`]; paths with every
//! axis except `namespace::`, name and kind tests (`node()`, `text()`, `element()`,
//! `attribute()`, `document-node()`), positional and boolean predicates, filter expressions and
//! non-step path steps (`a/normalize-space(.)`); the functions in [`functions`].
//! Not supported (a compile error naming the construct): `typeswitch`, schema-aware tests,
//! `namespace::`, unknown functions or types, regex back-references.

pub mod ast;
pub mod datetime;
pub mod eval;
pub mod functions;
pub mod lexer;
pub mod parser;
pub mod pattern;
pub mod regex;
pub mod value;

pub use eval::{Ctx, Evaluator, Global, KeyDef, Program};
pub use parser::{compile, CompileError, Scope, StaticContext};
pub use pattern::Pattern;
pub use value::{Atomic, Item, NodeRef, Seq, XErr};
