//! The compiled models embedded in the binary (`schemas/<version>/<Dataset>.json`), so the tool
//! works on a machine without the XSDs. Regenerate them with `make schemas` (which runs
//! `nemsis schema compile` over `../shared/nemsis/v<version>/XSDs`).

use crate::schema::model::Model;
use std::sync::OnceLock;

pub const VERSIONS: [&str; 2] = ["3.5.1", "3.5.0"];
pub const DATASETS: [&str; 3] = ["EMSDataSet", "DEMDataSet", "StateDataSet"];

macro_rules! embedded {
    ($($v:literal / $d:literal),*) => {
        fn source(version: &str, dataset: &str) -> Option<&'static str> {
            match (version, dataset) {
                $(($v, $d) => Some(include_str!(concat!("../../schemas/", $v, "/", $d, ".json"))),)*
                _ => None,
            }
        }
    };
}
embedded!("3.5.1" / "EMSDataSet", "3.5.1" / "DEMDataSet", "3.5.1" / "StateDataSet",
          "3.5.0" / "EMSDataSet", "3.5.0" / "DEMDataSet", "3.5.0" / "StateDataSet");

static CELLS: [OnceLock<Model>; 6] = [const { OnceLock::new() }; 6];

/// The embedded model of a NEMSIS version and dataset (parsed on first use, then shared).
/// None for an unknown version or dataset.
pub fn model(version: &str, dataset: &str) -> Option<&'static Model> {
    let vi = VERSIONS.iter().position(|v| *v == version)?;
    let di = DATASETS.iter().position(|d| *d == dataset)?;
    let json = source(version, dataset)?;
    Some(CELLS[vi * 3 + di].get_or_init(|| {
        let mut m: Model = serde_json::from_str(json)
            .unwrap_or_else(|e| panic!("embedded model {version}/{dataset} is corrupt: {e} (run `make schemas`)"));
        m.index();
        m
    }))
}
