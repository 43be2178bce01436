//! HCPCS modifiers (§7): origin/destination, GM, QL, QM/QN, GY, and their order.

use super::config::{Config, DestinationEntry, ProviderArrangement};
use super::findings::{FindingCode as F, Findings};
use super::parse;
use super::tables;
use super::view::Pcr;

/// R-MOD-2: the origin letter. `eResponse.05` transfer from a hospital → `H`; else
/// `eScene.09` by the origin map (longest prefix; any other Y92 code → `S`); else unknown.
pub fn origin(p: &Pcr, cfg: &Config) -> Option<String> {
    if p.value("eResponse.05").is_some_and(|v| tables::FROM_HOSPITAL.contains(&v)) {
        return Some("H".into());
    }
    let loc = p.value("eScene.09")?.to_uppercase();
    let best = cfg.origin_map.iter().filter(|(prefix, _)| loc.starts_with(prefix.as_str())).max_by_key(|(prefix, _)| prefix.len());
    match best {
        Some((_, letter)) => Some(letter.clone()),
        None if loc.starts_with("Y92") => Some(tables::ORIGIN_OTHER_Y92.into()),
        None => None,
    }
}

/// R-MOD-3: the destination of `eDisposition.21` by the destination map (a code not in the
/// map, or not valued, is unknown).
pub fn destination(p: &Pcr, cfg: &Config) -> DestinationEntry {
    match p.value("eDisposition.21") {
        Some(code) => cfg.destination_map.get(code).cloned().unwrap_or(DestinationEntry::Unknown),
        None => DestinationEntry::Unknown,
    }
}

/// R-MOD-1..4 (transported PCRs): the two-letter origin/destination modifier, or None with
/// the finding that says why.
pub fn origin_destination(p: &Pcr, cfg: &Config, f: &mut Findings) -> Option<String> {
    let o = origin(p, cfg);
    if o.is_none() {
        let why = match p.value("eScene.09") {
            Some(v) => format!("eScene.09 (Incident Location Type) = {v} is not an ICD-10-CM Y92 place code"),
            None => "eScene.09 (Incident Location Type) is not valued".to_string(),
        };
        f.add(F::OriginTypeNotDocumented, format!("{why} and {} is not a transfer from a hospital: the origin letter is unknown, no origin/destination modifier", p.show_value("eResponse.05")));
    }
    let d = match destination(p, cfg) {
        DestinationEntry::Letter(l) => Some(l),
        DestinationEntry::NotCovered => {
            f.add(F::DestinationNotCovered, format!("{}: not a destination Medicare covers (no CMS destination letter), no origin/destination modifier", p.show_value("eDisposition.21")));
            None
        }
        DestinationEntry::Unknown => {
            f.add(F::DestinationTypeNotDocumented, format!("{}: the destination type gives no CMS destination letter, no origin/destination modifier", p.show_value("eDisposition.21")));
            None
        }
    };
    let (o, d) = (o?, d?);
    // R-MOD-4: covered origin/destination pairs (the modifier is still emitted).
    if d == "P" || (["R", "S", "E"].contains(&o.as_str()) && ["R", "E"].contains(&d.as_str())) {
        f.add(
            F::OriginDestinationNotCovered,
            format!(
                "origin {o} (from {}) to destination {d} ({}) is not a covered origin/destination pair (410.40(f))",
                if o == "H" && p.value("eResponse.05").is_some_and(|v| tables::FROM_HOSPITAL.contains(&v)) { p.show_value("eResponse.05") } else { p.show_value("eScene.09") },
                p.show_value("eDisposition.21")
            ),
        );
    }
    Some(format!("{o}{d}"))
}

/// R-MOD-5: GM when `eDisposition.11` (patients transported in this unit) ≥ 2.
pub fn multiple_patients(p: &Pcr) -> bool {
    p.value("eDisposition.11").and_then(parse::integer).is_some_and(|n| n >= 2)
}

/// R-MOD-6: the QM/QN modifier of the provider arrangement, if any.
pub fn provider(cfg: &Config) -> Option<&'static str> {
    match cfg.provider_arrangement {
        ProviderArrangement::None => None,
        ProviderArrangement::QM => Some("QM"),
        ProviderArrangement::QN => Some("QN"),
    }
}

/// What goes into the modifier lists of one PCR.
#[derive(Debug, Default)]
pub struct Mods {
    pub od: Option<String>,
    pub gm: bool,
    pub ql: bool,
    pub provider: Option<&'static str>,
    /// R-MOD-7: GY only by R-TNT-1. (GA/GZ are never emitted: NEMSIS records no ABN.)
    pub gy: bool,
}

impl Mods {
    /// R-MOD-8: base line `[origin+destination] [GM] [QL] [QM|QN] [GY]`.
    pub fn base(&self) -> Vec<String> {
        let mut v: Vec<String> = self.od.iter().cloned().collect();
        if self.gm {
            v.push("GM".into());
        }
        if self.ql {
            v.push("QL".into());
        }
        v.extend(self.provider.map(String::from));
        if self.gy {
            v.push("GY".into());
        }
        v
    }

    /// R-MOD-8: mileage lines `[origin+destination] [GM] [QM|QN]`.
    pub fn mileage(&self) -> Vec<String> {
        let mut v: Vec<String> = self.od.iter().cloned().collect();
        if self.gm {
            v.push("GM".into());
        }
        v.extend(self.provider.map(String::from));
        v
    }
}
