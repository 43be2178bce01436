//! DEMDataSet national rules (`DEMDataSet.sch`), one module per official pattern (or pair).

use super::Pattern;

mod agency;
mod configuration;
mod nil_nv;
mod report;

/// The patterns in the official order.
pub(crate) static PATTERNS: &[&Pattern] = &[
    &nil_nv::NIL_NV_PN,
    &nil_nv::NV_PN,
    &report::UUID,
    &report::REPORT,
    &agency::PATTERN,
    &configuration::PATTERN,
];
