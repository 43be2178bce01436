//! Command-line interface: one file per subcommand, each opening with its usage.
//! `main.rs` only calls [`main`], which parses arguments and dispatches.

pub mod code;
pub mod ingest;
pub mod schema;
pub mod validate;

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(name = "nemsis", version, about = "NEMSIS v3.5 toolkit: validate, inspect the schema, ingest", long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate NEMSIS documents against the official XSDs (streaming, parallel).
    Validate(validate::Args),
    /// Ingest NEMSIS documents into an analytic extract (Parquet or CSV) with findings,
    /// rejects and a manifest.
    Ingest(ingest::Args),
    /// Ambulance coding of EMS PCRs (level, HCPCS, mileage, modifiers, supplies, ICD-10-CM, findings).
    Code(code::Args),
    /// Compile, show and list the NEMSIS schema model.
    #[command(subcommand)]
    Schema(schema::Command),
}

/// Exit status for usage errors and unreadable inputs.
pub const EXIT_USAGE: i32 = 2;

pub fn main() -> i32 {
    init_logging();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    let result = match cli.command {
        Command::Validate(a) => validate::run(a),
        Command::Ingest(a) => ingest::run(a),
        Command::Code(a) => code::run(a),
        Command::Schema(c) => schema::run(c),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("nemsis: error: {e:#}");
            EXIT_USAGE
        }
    }
}

/// `tracing` to stderr; the level comes from RUST_LOG (default: warnings). Logs carry record
/// ids, counts and positions, never element values.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false).try_init();
}

/// The exit status shared by the reporting commands: 2 when an input could not be read, 1 when
/// some document or record failed, 0 otherwise.
pub fn exit_status(input_errors: u64, failures: u64) -> i32 {
    if input_errors > 0 {
        EXIT_USAGE
    } else if failures > 0 {
        1
    } else {
        0
    }
}

/// Parse `--nemsis-version`.
pub fn version_choice(s: &str) -> anyhow::Result<crate::split::VersionChoice> {
    use crate::split::VersionChoice;
    Ok(match s {
        "auto" => VersionChoice::Auto,
        "3.5.1" => VersionChoice::Fixed("3.5.1"),
        "3.5.0" => VersionChoice::Fixed("3.5.0"),
        other => anyhow::bail!("unknown NEMSIS version {other:?} (use auto, 3.5.0 or 3.5.1)"),
    })
}
