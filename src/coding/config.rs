//! Jurisdiction configuration (`ambulance-coding.md` §3.4): the knobs a payer or jurisdiction
//! can change, with the specification's defaults embedded.
//!
//! A TOML file (`--coding-config FILE`) holds any subset of the §3.4 keys at top level; each
//! key given overrides that key only. Lists are arrays of code strings and replace the default
//! set; `bls_medications` is a table `code = [routes]` that replaces the default table;
//! `origin_map` and `destination_map` are tables whose entries override (or add to) the
//! default A.7/A.8 entries one by one, the other entries staying as they are. An unknown key or
//! a value of the wrong type is an error naming the key.
//!
//! ```toml
//! bls_may_defibrillate = false
//! provider_arrangement = "QN"
//! als2_excluded_medications = ["313002", "1008377", "1795477"]   # D25/D50 count for ALS2
//! destination_map = { "4221033" = "N" }                           # nursing homes are SNFs here
//! ```

use super::tables;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// `provider_arrangement` (R-MOD-6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum ProviderArrangement {
    /// Not a provider-based biller: no QM/QN modifier.
    #[serde(rename = "none")]
    None,
    /// Service under arrangement by a provider of services.
    QM,
    /// Service furnished directly by a provider of services.
    QN,
}

/// What a destination code maps to (table A.8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DestinationEntry {
    /// A CMS destination letter.
    Letter(String),
    /// No CMS destination letter exists (morgue, police, ground EMS responder): R-MOD-3.
    NotCovered,
    /// Treated like an undocumented destination type: R-MOD-3.
    Unknown,
}

/// The coding configuration. [`Default`] gives the specification's defaults.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Config {
    pub emergency_response_modes: BTreeSet<String>,
    pub als_crew_levels: BTreeSet<String>,
    pub sct_crew_levels: BTreeSet<String>,
    pub sct_provider_codes: BTreeSet<String>,
    pub als_procedures: BTreeSet<String>,
    pub als2_procedures: BTreeSet<String>,
    pub als2_routes: BTreeSet<String>,
    pub als2_excluded_medications: BTreeSet<String>,
    /// Medication code → allowed routes (`*` = any route).
    pub bls_medications: BTreeMap<String, BTreeSet<String>>,
    pub sct_procedures: BTreeSet<String>,
    pub sct_medications: BTreeSet<String>,
    pub count_unsuccessful_procedures: bool,
    pub bls_may_defibrillate: bool,
    pub medicare_bundles_supplies: bool,
    pub provider_arrangement: ProviderArrangement,
    /// `eScene.09` prefix → origin letter (longest prefix wins; any other Y92 code → `S`).
    pub origin_map: BTreeMap<String, String>,
    /// `eDisposition.21` code → destination.
    pub destination_map: BTreeMap<String, DestinationEntry>,
    pub max_diagnoses: usize,
    pub earth_radius_miles: f64,
}

fn set(codes: &[&str]) -> BTreeSet<String> {
    codes.iter().map(|c| c.to_string()).collect()
}

impl Default for Config {
    fn default() -> Self {
        Config {
            emergency_response_modes: set(tables::EMERGENCY_RESPONSE_MODES),
            als_crew_levels: set(tables::ALS_CREW_LEVELS),
            sct_crew_levels: set(tables::SCT_CREW_LEVELS),
            sct_provider_codes: set(tables::SCT_PROVIDER_CODES),
            als_procedures: set(tables::ALS_PROCEDURES),
            als2_procedures: set(tables::ALS2_PROCEDURES),
            als2_routes: set(tables::ALS2_ROUTES),
            als2_excluded_medications: set(tables::ALS2_EXCLUDED_MEDICATIONS),
            bls_medications: tables::BLS_MEDICATIONS.iter().map(|(c, r)| (c.to_string(), set(r))).collect(),
            sct_procedures: set(tables::SCT_PROCEDURES),
            sct_medications: set(tables::SCT_MEDICATIONS),
            count_unsuccessful_procedures: true,
            bls_may_defibrillate: true,
            medicare_bundles_supplies: true,
            provider_arrangement: ProviderArrangement::None,
            origin_map: tables::ORIGIN_MAP.iter().map(|(p, l)| (p.to_string(), l.to_string())).collect(),
            destination_map: tables::DESTINATION_MAP.iter().map(|(c, d)| (c.to_string(), destination_entry(d).expect("table A.8 entries are valid"))).collect(),
            max_diagnoses: 12,
            earth_radius_miles: 3958.8,
        }
    }
}

/// Every key a configuration file may contain (§3.4).
pub const KEYS: &[&str] = &[
    "emergency_response_modes",
    "als_crew_levels",
    "sct_crew_levels",
    "sct_provider_codes",
    "als_procedures",
    "als2_procedures",
    "als2_routes",
    "als2_excluded_medications",
    "bls_medications",
    "sct_procedures",
    "sct_medications",
    "count_unsuccessful_procedures",
    "bls_may_defibrillate",
    "medicare_bundles_supplies",
    "provider_arrangement",
    "origin_map",
    "destination_map",
    "max_diagnoses",
    "earth_radius_miles",
];

fn destination_entry(s: &str) -> Option<DestinationEntry> {
    match s {
        "not_covered" => Some(DestinationEntry::NotCovered),
        "unknown" => Some(DestinationEntry::Unknown),
        l if tables::OD_LETTERS.contains(&l) => Some(DestinationEntry::Letter(l.to_string())),
        _ => None,
    }
}

fn code_set(key: &str, v: &toml::Value) -> Result<BTreeSet<String>, String> {
    let toml::Value::Array(items) = v else {
        return Err(format!("{key}: expected an array of code strings (e.g. [\"9927023\"]), found {}", v.type_str()));
    };
    let mut out = BTreeSet::new();
    for (i, item) in items.iter().enumerate() {
        match item {
            toml::Value::String(s) if !s.trim().is_empty() => {
                out.insert(s.trim().to_string());
            }
            toml::Value::String(_) => return Err(format!("{key}: item {i} is an empty string")),
            other => return Err(format!("{key}: item {i} must be a code string (write \"...\" in quotes), found {}", other.type_str())),
        }
    }
    Ok(out)
}

fn boolean(key: &str, v: &toml::Value) -> Result<bool, String> {
    v.as_bool().ok_or_else(|| format!("{key}: expected true or false, found {}", v.type_str()))
}

fn table<'a>(key: &str, v: &'a toml::Value, what: &str) -> Result<&'a toml::Table, String> {
    v.as_table().ok_or_else(|| format!("{key}: expected a table of {what}, found {}", v.type_str()))
}

impl Config {
    /// Parse a TOML configuration: the defaults, with each key the text gives overridden.
    pub fn from_toml_str(text: &str) -> Result<Config, String> {
        let doc: toml::Table = toml::from_str(text).map_err(|e| {
            let line = e.span().map(|r| text.as_bytes()[..r.start.min(text.len())].iter().filter(|b| **b == b'\n').count() + 1);
            match line {
                Some(l) => format!("not valid TOML (line {l}): {}", e.message().trim()),
                None => format!("not valid TOML: {}", e.message().trim()),
            }
        })?;
        let mut cfg = Config::default();
        for (key, v) in &doc {
            let k = key.as_str();
            match k {
                "emergency_response_modes" => cfg.emergency_response_modes = code_set(k, v)?,
                "als_crew_levels" => cfg.als_crew_levels = code_set(k, v)?,
                "sct_crew_levels" => cfg.sct_crew_levels = code_set(k, v)?,
                "sct_provider_codes" => cfg.sct_provider_codes = code_set(k, v)?,
                "als_procedures" => cfg.als_procedures = code_set(k, v)?,
                "als2_procedures" => cfg.als2_procedures = code_set(k, v)?,
                "als2_routes" => cfg.als2_routes = code_set(k, v)?,
                "als2_excluded_medications" => cfg.als2_excluded_medications = code_set(k, v)?,
                "sct_procedures" => cfg.sct_procedures = code_set(k, v)?,
                "sct_medications" => cfg.sct_medications = code_set(k, v)?,
                "bls_medications" => {
                    let t = table(k, v, "medication code = [routes]")?;
                    let mut m = BTreeMap::new();
                    for (code, routes) in t {
                        m.insert(code.trim().to_string(), code_set(&format!("{k}.{code}"), routes)?);
                    }
                    cfg.bls_medications = m;
                }
                "count_unsuccessful_procedures" => cfg.count_unsuccessful_procedures = boolean(k, v)?,
                "bls_may_defibrillate" => cfg.bls_may_defibrillate = boolean(k, v)?,
                "medicare_bundles_supplies" => cfg.medicare_bundles_supplies = boolean(k, v)?,
                "provider_arrangement" => {
                    cfg.provider_arrangement = match v.as_str() {
                        Some("none") => ProviderArrangement::None,
                        Some("QM") => ProviderArrangement::QM,
                        Some("QN") => ProviderArrangement::QN,
                        Some(other) => return Err(format!("{k}: expected \"none\", \"QM\" or \"QN\", found {other:?}")),
                        None => return Err(format!("{k}: expected a string (\"none\", \"QM\" or \"QN\"), found {}", v.type_str())),
                    }
                }
                "origin_map" => {
                    for (prefix, letter) in table(k, v, "Y92 prefix = \"letter\"")? {
                        let l = letter.as_str().ok_or_else(|| format!("{k}.{prefix}: expected a letter string, found {}", letter.type_str()))?;
                        if !tables::OD_LETTERS.contains(&l) {
                            return Err(format!("{k}.{prefix}: {l:?} is not an origin letter (one of {})", tables::OD_LETTERS.join(", ")));
                        }
                        cfg.origin_map.insert(prefix.trim().to_uppercase(), l.to_string());
                    }
                }
                "destination_map" => {
                    for (code, entry) in table(k, v, "eDisposition.21 code = \"letter\"")? {
                        let s = entry.as_str().ok_or_else(|| format!("{k}.{code}: expected a string, found {}", entry.type_str()))?;
                        let d = destination_entry(s).ok_or_else(|| {
                            format!("{k}.{code}: {s:?} is not a destination (one of {}, \"not_covered\", \"unknown\")", tables::OD_LETTERS.join(", "))
                        })?;
                        cfg.destination_map.insert(code.trim().to_string(), d);
                    }
                }
                "max_diagnoses" => {
                    let n = v.as_integer().ok_or_else(|| format!("{k}: expected an integer, found {}", v.type_str()))?;
                    if n < 1 {
                        return Err(format!("{k}: must be at least 1, found {n}"));
                    }
                    cfg.max_diagnoses = usize::try_from(n).map_err(|_| format!("{k}: {n} is too large"))?;
                }
                "earth_radius_miles" => {
                    let r = match v {
                        toml::Value::Float(f) => *f,
                        toml::Value::Integer(i) => *i as f64,
                        other => return Err(format!("{k}: expected a number, found {}", other.type_str())),
                    };
                    if !(r.is_finite() && r > 0.0) {
                        return Err(format!("{k}: must be a positive number, found {r}"));
                    }
                    cfg.earth_radius_miles = r;
                }
                _ => return Err(format!("unknown key {k:?} (the keys are: {})", KEYS.join(", "))),
            }
        }
        Ok(cfg)
    }

    /// Read and parse a TOML configuration file; errors name the file and the key.
    pub fn from_file(path: &Path) -> Result<Config, String> {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        Config::from_toml_str(&text).map_err(|e| format!("{}: {e}", path.display()))
    }
}
