//! Command-line interface: one file per subcommand.
pub fn main() -> i32 { 0 }
