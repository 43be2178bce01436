//! nemsis: a NEMSIS v3.5 ingest pipeline.
//!
//! Data flows `source` (inputs → byte streams with provenance) → `split` (one record at a time
//! with its header context) → worker pool: `validate` (XSD over the compiled `schema` model,
//! building the `record` tree in the same pass) → `coding` → sinks (`cli` output, extract).
//! `pipeline` runs that flow over bounded channels and a rayon pool, in input order.

pub mod cli;
pub mod calendar;
pub mod coding;
pub mod document;
pub mod extract;
pub mod finding;
mod fnv;
pub mod pipeline;
pub mod record;
pub mod rules;
pub mod schema;
pub mod schematron;
pub mod source;
pub mod split;
pub mod validate;
