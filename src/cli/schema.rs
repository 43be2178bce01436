//! `nemsis schema` — compile the NEMSIS XSDs into the model, and look elements up in it.
//!
//! ```text
//! nemsis schema compile <XSD_DIR> --out <FILE|DIR> [--dataset EMSDataSet|DEMDataSet|StateDataSet]
//!                       [--nemsis-version 3.5.1|3.5.0]
//! nemsis schema show <ELEMENT> [--dataset EMS|DEM|State] [--nemsis-version 3.5.1|3.5.0]
//! nemsis schema list [--dataset EMS|DEM|State] [--nemsis-version 3.5.1|3.5.0]
//! ```
//! `compile` without `--dataset` writes all three datasets into the directory `--out`
//! (`EMSDataSet.json`, `DEMDataSet.json`, `StateDataSet.json`). `show` prints an element's
//! definition: name, usage, type, cardinality, path, NV/PN/nil and their codes, its code list.

use crate::schema::builtin::{self, DATASETS};
use crate::schema::compile::compile;
use crate::schema::model::{Content, ElemId, Model, Variety};
use anyhow::{anyhow, bail, Context, Result};
use std::fmt::Write as _;
use std::path::PathBuf;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Compile an XSD folder into the JSON model the tool embeds.
    Compile {
        xsd_dir: PathBuf,
        #[arg(long)]
        out: PathBuf,
        /// One dataset (writes the file --out); default: all three into the folder --out.
        #[arg(long)]
        dataset: Option<String>,
        #[arg(long, default_value = "3.5.1")]
        nemsis_version: String,
    },
    /// Show one element's definition (e.g. `eSituation.11`).
    Show {
        element: String,
        /// EMS, DEM or State (default: the first dataset that has the element, EMS first).
        #[arg(long)]
        dataset: Option<String>,
        #[arg(long, default_value = "3.5.1")]
        nemsis_version: String,
    },
    /// List the elements of a dataset: id, usage, cardinality, name.
    List {
        #[arg(long, default_value = "EMS")]
        dataset: String,
        #[arg(long, default_value = "3.5.1")]
        nemsis_version: String,
    },
}

/// "EMS" / "EMSDataSet" → "EMSDataSet".
fn dataset_name(s: &str) -> Result<&'static str> {
    let short = s.trim_end_matches("DataSet").to_ascii_lowercase();
    DATASETS.iter().copied().find(|d| d.trim_end_matches("DataSet").to_ascii_lowercase() == short).ok_or_else(|| anyhow!("unknown dataset {s:?} (use EMS, DEM or State)"))
}

fn model(version: &str, dataset: &str) -> Result<&'static Model> {
    builtin::model(version, dataset).ok_or_else(|| anyhow!("no embedded model for NEMSIS {version} {dataset} (versions: 3.5.1, 3.5.0)"))
}

pub fn run(c: Command) -> Result<i32> {
    match c {
        Command::Compile { xsd_dir, out, dataset, nemsis_version } => {
            let list: Vec<&str> = match &dataset {
                Some(d) => vec![dataset_name(d)?],
                None => DATASETS.to_vec(),
            };
            for d in list {
                let m = compile(&xsd_dir, d, &nemsis_version).with_context(|| format!("compiling {d} from {}", xsd_dir.display()))?;
                let path = if dataset.is_some() { out.clone() } else { out.join(format!("{d}.json")) };
                if let Some(p) = path.parent() {
                    std::fs::create_dir_all(p)?;
                }
                let mut json = serde_json::to_string_pretty(&m)?;
                json.push('\n');
                std::fs::write(&path, json).with_context(|| format!("writing {}", path.display()))?;
                eprintln!("{}: {} elements, {} types", path.display(), m.elements.len(), m.types.len());
            }
            Ok(0)
        }
        Command::Show { element, dataset, nemsis_version } => {
            let candidates: Vec<&str> = match &dataset {
                Some(d) => vec![dataset_name(d)?],
                None => DATASETS.to_vec(),
            };
            for d in candidates {
                let m = model(&nemsis_version, d)?;
                if let Some(id) = m.find(&element) {
                    print!("{}", show(m, id));
                    return Ok(0);
                }
            }
            bail!("no element {element:?} in NEMSIS {nemsis_version} (try `nemsis schema list`)")
        }
        Command::List { dataset, nemsis_version } => {
            let m = model(&nemsis_version, dataset_name(&dataset)?)?;
            let mut out = String::new();
            for e in &m.elements {
                let usage = e.doc.as_ref().map_or("", |d| d.usage.as_str());
                writeln!(out, "{:<32} {:<12} {:<6} {}", e.name, usage, cardinality(e.min_occurs, e.max_occurs), e.label)?;
            }
            print!("{out}");
            Ok(0)
        }
    }
}

pub fn cardinality(min: u32, max: Option<u32>) -> String {
    format!("{min}:{}", max.map_or("M".to_string(), |m| m.to_string()))
}

/// The human-readable definition of one element.
pub fn show(m: &Model, id: ElemId) -> String {
    let e = m.element(id);
    let mut s = String::new();
    let _ = writeln!(s, "{}  {}", e.name, e.label);
    if let Some(d) = &e.doc {
        let _ = writeln!(s, "  usage:       {}{}{}", d.usage, if d.national { ", national" } else { "" }, if d.state { ", state" } else { "" });
        if !d.definition.is_empty() {
            let _ = writeln!(s, "  definition:  {}", d.definition);
        }
    }
    let _ = writeln!(s, "  dataset:     NEMSIS {} {}", m.version, m.dataset);
    let _ = writeln!(s, "  path:        {}", e.path);
    let _ = writeln!(s, "  cardinality: {}", cardinality(e.min_occurs, e.max_occurs));
    let _ = writeln!(s, "  nillable:    {}", if e.nillable { "yes (xsi:nil=\"true\")" } else { "no" });
    match &e.content {
        Content::Sequence { children } => {
            let _ = writeln!(s, "  content:     group of {} element(s):", children.len());
            for c in children {
                let ce = m.element(*c);
                let _ = writeln!(s, "    {:<30} {:<5} {}", ce.name, cardinality(ce.min_occurs, ce.max_occurs), ce.label);
            }
        }
        Content::Simple { value_type } => {
            let _ = writeln!(s, "  type:        {}", describe_type(m, *value_type));
        }
    }
    for a in &e.attributes {
        let codes = m.codes(a.value_type);
        let _ = write!(s, "  attribute {} ({}){}", a.name, if a.required { "required" } else { "optional" }, if codes.is_empty() { format!(": {}", describe_type(m, a.value_type)) } else { String::new() });
        let _ = writeln!(s);
        for c in codes {
            let _ = writeln!(s, "    {:<10} {}", c.code, c.label);
        }
    }
    if let Content::Simple { value_type } = &e.content {
        let codes = m.codes(*value_type);
        if !codes.is_empty() {
            let _ = writeln!(s, "  codes ({}):", codes.len());
            for c in codes {
                let _ = writeln!(s, "    {:<10} {}", c.code, c.label);
            }
        }
    }
    s
}

/// `ProvidersImpression: string, pattern ..., length 3..10`
fn describe_type(m: &Model, ty: u32) -> String {
    let t = m.simple_type(ty);
    let name = t.name.clone().unwrap_or_else(|| "(anonymous)".into());
    match &t.variety {
        Variety::Union { members } => {
            let names: Vec<String> = members.iter().map(|x| m.simple_type(*x).name.clone().unwrap_or_default()).collect();
            format!("{name}: union of {}", names.join(", "))
        }
        Variety::Atomic { builtin, facets } => {
            let mut parts = vec![format!("{name}: {}", builtin.xsd_name())];
            for f in facets {
                for p in &f.patterns {
                    parts.push(format!("pattern {p}"));
                }
                if let Some(v) = f.length {
                    parts.push(format!("length {v}"));
                }
                if f.min_length.is_some() || f.max_length.is_some() {
                    parts.push(format!("length {}..{}", f.min_length.map_or(String::new(), |v| v.to_string()), f.max_length.map_or(String::new(), |v| v.to_string())));
                }
                if let Some(v) = &f.min_inclusive {
                    parts.push(format!("min {v}"));
                }
                if let Some(v) = &f.max_inclusive {
                    parts.push(format!("max {v}"));
                }
                if let Some(v) = f.total_digits {
                    parts.push(format!("total digits {v}"));
                }
                if let Some(v) = f.fraction_digits {
                    parts.push(format!("fraction digits {v}"));
                }
                if !f.enumeration.is_empty() {
                    parts.push(format!("{} codes", f.enumeration.len()));
                }
            }
            parts.join(", ")
        }
    }
}
