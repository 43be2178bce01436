//! Validation: XSD (streaming, over the compiled model) and the value checks it relies on.

pub mod report;
pub mod svrl;
pub mod lexer;
mod scan16;
pub mod value;
pub mod xsd;
pub mod xsd_regex;
