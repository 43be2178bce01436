//! The readable claim summary of one coded PCR (`nemsis code --format text`): level, codes with
//! modifiers and units, diagnoses, and findings with their reasons, for a coder to review.

use super::tables::{self, HCPCS_LABELS};
use super::{CodingResult, Level, Severity};
use std::fmt::Write;

fn label(code: &str) -> &'static str {
    tables::lookup(HCPCS_LABELS, code).unwrap_or("")
}

fn level_name(l: Level) -> &'static str {
    match l {
        Level::Bls => "Basic Life Support",
        Level::Als1 => "Advanced Life Support, level 1",
        Level::Als2 => "Advanced Life Support, level 2",
        Level::Sct => "Specialty Care Transport",
        Level::Fw => "fixed-wing air ambulance",
        Level::Rw => "rotary-wing air ambulance",
        Level::TreatNoTransport => "response and treatment without transport",
        Level::None => "no billable ambulance service",
    }
}

fn mods(m: &[String]) -> String {
    if m.is_empty() {
        String::new()
    } else {
        format!("-{}", m.join("-"))
    }
}

/// Render one result. `source` names where the PCR came from (`path` or `archive.zip!member`).
pub fn render(source: &str, r: &CodingResult) -> String {
    let mut s = String::new();
    let uuid = if r.uuid.is_empty() { "(no UUID)" } else { r.uuid.as_str() };
    let _ = writeln!(s, "PCR {uuid}  [{source}]");
    let _ = writeln!(s, "  level      {} ({}), {}", r.level.as_str(), level_name(r.level), if r.emergency { "emergency response" } else { "non-emergency response" });
    match &r.hcpcs_base {
        Some(code) => {
            let _ = writeln!(s, "  base       {:<14} 1 unit    {}", format!("{code}{}", mods(&r.base_modifiers)), label(code));
        }
        None => {
            let _ = writeln!(s, "  base       (none)");
        }
    }
    for m in &r.mileage {
        let _ = writeln!(s, "  mileage    {:<14} {:<9} {}", format!("{}{}", m.code, mods(&m.modifiers)), m.units, label(&m.code));
    }
    for c in &r.supply_codes {
        let _ = writeln!(s, "  supply     {:<14} 1 unit    {}", c, label(c));
    }
    if r.icd10.is_empty() {
        let _ = writeln!(s, "  diagnoses  (none)");
    } else {
        let list: Vec<String> = r.icd10.iter().enumerate().map(|(i, c)| format!("{}. {c}", i + 1)).collect();
        let _ = writeln!(s, "  diagnoses  {}", list.join("  "));
    }
    if r.findings.is_empty() {
        let _ = writeln!(s, "  findings   none");
    } else {
        let _ = writeln!(s, "  findings");
        let mut fs: Vec<_> = r.findings.iter().collect();
        fs.sort_by_key(|f| f.severity); // errors first, then warnings, then notes; stable
        for f in fs {
            let sev = match f.severity {
                Severity::Error => "ERROR  ",
                Severity::Warning => "WARNING",
                Severity::Info => "INFO   ",
            };
            let _ = writeln!(s, "    {sev} {}: {}", f.code.as_str(), f.message);
        }
    }
    s
}
