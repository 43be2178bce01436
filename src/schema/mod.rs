//! The NEMSIS schema: the compiled model ([`model`]), the XSD compiler that produces it
//! ([`compile`]) and the models embedded in the binary ([`builtin`]).

pub mod builtin;
pub mod compile;
pub mod model;
