//! Shared helpers of the `ingest_*` tests (included with `#[path = "ingest_support.rs"] mod support;`).
//! Compiled on its own too (as an empty test target), hence the allow.
#![allow(dead_code)]

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Decimal128Type, Float64Type, Int16Type, Int32Type, Int64Type, TimestampMicrosecondType};
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, SchemaRef};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn samples() -> PathBuf {
    root().join("samples")
}

/// `../shared/nemsis/v3.5.1` (SampleData, ComplianceTests), or None after printing SKIPPED.
pub fn official_dir() -> Option<PathBuf> {
    let p = root().join("../shared/nemsis/v3.5.1");
    if p.join("SampleData").is_dir() && p.join("ComplianceTests").is_dir() {
        Some(p)
    } else {
        println!("SKIPPED: {} (SampleData, ComplianceTests) not found; the official files are not checked", p.display());
        eprintln!("SKIPPED: {} (SampleData, ComplianceTests) not found; the official files are not checked", p.display());
        None
    }
}

/// Every `*.xml` file below `dir` (recursively), sorted by path.
pub fn xml_files(dir: &Path) -> Vec<PathBuf> {
    fn walk(d: &Path, v: &mut Vec<PathBuf>) {
        let Ok(rd) = std::fs::read_dir(d) else { return };
        let mut entries: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, v);
            } else if p.extension().is_some_and(|e| e == "xml") {
                v.push(p);
            }
        }
    }
    let mut v = Vec::new();
    walk(dir, &mut v);
    v
}

/// Run `nemsis ingest <args>`; returns the process output.
pub fn ingest<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_nemsis")).arg("ingest").args(args).current_dir(root()).output().expect("run nemsis ingest")
}

pub fn describe(o: &Output) -> String {
    format!("status {:?}\n--- stdout\n{}\n--- stderr\n{}", o.status.code(), String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

pub fn manifest(dir: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(dir.join("manifest.json")).expect("manifest.json");
    serde_json::from_str(&text).expect("manifest.json is JSON")
}

/// Rows per table according to the manifest.
pub fn manifest_rows(m: &serde_json::Value) -> BTreeMap<String, u64> {
    m["tables"].as_array().expect("tables").iter().map(|t| (t["table"].as_str().unwrap().to_string(), t["rows"].as_u64().unwrap())).collect()
}

/// A Parquet table read back whole.
pub struct PqTable {
    pub schema: SchemaRef,
    pub batches: Vec<RecordBatch>,
}

impl PqTable {
    pub fn read(path: &Path) -> PqTable {
        let f = std::fs::File::open(path).unwrap_or_else(|e| panic!("open {}: {e}", path.display()));
        let b = ParquetRecordBatchReaderBuilder::try_new(f).unwrap_or_else(|e| panic!("{} is not Parquet: {e}", path.display()));
        let schema = b.schema().clone();
        let batches: Vec<RecordBatch> = b.build().unwrap().map(|r| r.unwrap_or_else(|e| panic!("read {}: {e}", path.display()))).collect();
        PqTable { schema, batches }
    }

    pub fn rows(&self) -> usize {
        self.batches.iter().map(|b| b.num_rows()).sum()
    }

    pub fn col_index(&self, name: &str) -> Option<usize> {
        self.schema.fields().iter().position(|f| f.name() == name)
    }

    /// (batch, row) of a global row number.
    pub fn locate(&self, mut row: usize) -> (usize, usize) {
        for (i, b) in self.batches.iter().enumerate() {
            if row < b.num_rows() {
                return (i, row);
            }
            row -= b.num_rows();
        }
        panic!("row out of range");
    }

    pub fn get(&self, row: usize, col: usize) -> Val {
        let (b, r) = self.locate(row);
        val(self.batches[b].column(col).as_ref(), r)
    }

    pub fn get_named(&self, row: usize, col: &str) -> Val {
        self.get(row, self.col_index(col).unwrap_or_else(|| panic!("no column {col}")))
    }

    /// Non-null cells of column `col`.
    pub fn non_null(&self, col: usize) -> usize {
        self.batches.iter().map(|b| b.column(col).len() - b.column(col).null_count()).sum()
    }
}

/// A typed cell read back from Arrow.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Null,
    Str(String),
    I64(i64),
    I16(i16),
    Bool(bool),
    /// Days since 1970-01-01.
    Date(i32),
    /// Microseconds since the epoch, UTC.
    Ts(i64),
    /// Unscaled value and scale.
    Dec(i128, i8),
    F64(f64),
}

impl Val {
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Val::I64(v) => Some(*v),
            _ => None,
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Val::Str(s) => Some(s),
            _ => None,
        }
    }
}

pub fn val(a: &dyn Array, r: usize) -> Val {
    if a.is_null(r) {
        return Val::Null;
    }
    match a.data_type() {
        DataType::Utf8 => Val::Str(a.as_string::<i32>().value(r).to_string()),
        DataType::Dictionary(k, v) if **k == DataType::Int32 && **v == DataType::Utf8 => {
            let d = a.as_dictionary::<Int32Type>();
            let key = d.keys().value(r) as usize;
            Val::Str(d.values().as_string::<i32>().value(key).to_string())
        }
        DataType::Int64 => Val::I64(a.as_primitive::<Int64Type>().value(r)),
        DataType::Int16 => Val::I16(a.as_primitive::<Int16Type>().value(r)),
        DataType::Boolean => Val::Bool(a.as_boolean().value(r)),
        DataType::Date32 => Val::Date(a.as_primitive::<Date32Type>().value(r)),
        DataType::Timestamp(arrow_schema::TimeUnit::Microsecond, _) => Val::Ts(a.as_primitive::<TimestampMicrosecondType>().value(r)),
        DataType::Decimal128(_, s) => Val::Dec(a.as_primitive::<Decimal128Type>().value(r), *s),
        DataType::Float64 => Val::F64(a.as_primitive::<Float64Type>().value(r)),
        other => panic!("unexpected column type {other:?}"),
    }
}

/// Every regular file below `dir`, as paths relative to it (sorted).
pub fn all_files(dir: &Path) -> Vec<PathBuf> {
    fn walk(base: &Path, d: &Path, v: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, v);
            } else {
                v.push(p.strip_prefix(base).unwrap().to_path_buf());
            }
        }
    }
    let mut v = Vec::new();
    walk(dir, dir, &mut v);
    v.sort();
    v
}

/// Leftover temporary directories (`.<name>.tmp-*`) beside an output directory.
pub fn leftover_tmp_dirs(parent: &Path) -> Vec<String> {
    std::fs::read_dir(parent)
        .map(|rd| rd.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).filter(|n| n.starts_with('.') && n.contains(".tmp-")).collect())
        .unwrap_or_default()
}

/// The tables of the layout, derived from the 3.5.1 models: for each dataset its record table
/// (`pcr`, `dem_report`, `state_report`) and one table per element below the record element
/// that can repeat (`max_occurs != 1`), named `<prefix><element with . as _>`.
/// Value: (dataset, element name; the record element for record tables).
pub fn layout_tables() -> BTreeMap<String, (String, String)> {
    let mut out = BTreeMap::new();
    for (ds, record, table, prefix) in [
        ("EMSDataSet", "/EMSDataSet/Header/PatientCareReport", "pcr", ""),
        ("DEMDataSet", "/DEMDataSet/DemographicReport", "dem_report", "dem_"),
        ("StateDataSet", "/StateDataSet", "state_report", "state_"),
    ] {
        let m = nemsis::schema::builtin::model("3.5.1", ds).expect("model");
        let rec = m.by_path(record).expect("record element");
        out.insert(table.to_string(), (ds.to_string(), m.element(rec).name.clone()));
        let below = format!("{record}/");
        for e in &m.elements {
            if e.path.starts_with(&below) && e.max_occurs != Some(1) {
                let name = format!("{prefix}{}", e.name.replace('.', "_"));
                assert!(out.insert(name.clone(), (ds.to_string(), e.name.clone())).is_none(), "two tables named {name}");
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Independent lexical parsers (XSD value spaces), not the crate's convert module.

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn month_days(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ => {
            if is_leap(y) {
                29
            } else {
                28
            }
        }
    }
}

/// Days since 1970-01-01, counted year by year (only 1900..2200, which is all NEMSIS allows).
pub fn epoch_days(y: i64, m: i64, d: i64) -> Option<i64> {
    if !(1900..2200).contains(&y) || !(1..=12).contains(&m) || d < 1 || d > month_days(y, m) {
        return None;
    }
    let mut days = 0i64;
    if y >= 1970 {
        for yy in 1970..y {
            days += if is_leap(yy) { 366 } else { 365 };
        }
    } else {
        for yy in y..1970 {
            days -= if is_leap(yy) { 366 } else { 365 };
        }
    }
    for mm in 1..m {
        days += month_days(y, mm);
    }
    Some(days + d - 1)
}

fn digits(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        None
    } else {
        s.parse().ok()
    }
}

pub fn xml_trim(s: &str) -> &str {
    s.trim_matches(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))
}

/// Timezone suffix → minutes east of UTC (None inside = no timezone).
fn tz(s: &str) -> Option<Option<i64>> {
    if s.is_empty() {
        return Some(None);
    }
    if s == "Z" {
        return Some(Some(0));
    }
    let b = s.as_bytes();
    if b.len() != 6 || b[3] != b':' {
        return None;
    }
    let sign = match b[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let (h, m) = (digits(&s[1..3])?, digits(&s[4..6])?);
    if h > 14 || m > 59 {
        return None;
    }
    Some(Some(sign * (h * 60 + m)))
}

/// xs:date → days since the epoch (a timezone, if any, is ignored).
pub fn parse_date(s: &str) -> Option<i64> {
    let s = xml_trim(s);
    if s.len() < 10 || &s[4..5] != "-" || &s[7..8] != "-" {
        return None;
    }
    tz(&s[10..])?;
    epoch_days(digits(&s[0..4])?, digits(&s[5..7])?, digits(&s[8..10])?)
}

/// xs:dateTime → (UTC microseconds since the epoch, offset minutes if given).
pub fn parse_datetime(s: &str) -> Option<(i64, Option<i64>)> {
    let s = xml_trim(s);
    let (date, time) = s.split_once('T')?;
    let days = parse_date(date)?;
    if date.len() != 10 || time.len() < 8 || &time[2..3] != ":" || &time[5..6] != ":" {
        return None;
    }
    let (h, mi, se) = (digits(&time[0..2])?, digits(&time[3..5])?, digits(&time[6..8])?);
    if h > 23 || mi > 59 || se > 59 {
        return None;
    }
    let mut rest = &time[8..];
    let mut micros = 0i64;
    if let Some(f) = rest.strip_prefix('.') {
        let n = f.bytes().take_while(|b| b.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        let mut scale = 100_000i64;
        for b in f[..n].bytes().take(6) {
            micros += (b - b'0') as i64 * scale;
            scale /= 10;
        }
        rest = &f[n..];
    }
    let off = tz(rest)?;
    let secs = days * 86_400 + h * 3600 + mi * 60 + se - off.unwrap_or(0) * 60;
    Some((secs * 1_000_000 + micros, off))
}

/// xs:decimal → (unscaled digits, number of fraction digits).
pub fn parse_decimal(s: &str) -> Option<(i128, u32)> {
    let s = xml_trim(s);
    let (neg, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let (i, f) = body.split_once('.').unwrap_or((body, ""));
    if (i.is_empty() && f.is_empty()) || !i.bytes().chain(f.bytes()).all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut v: i128 = 0;
    for b in i.bytes().chain(f.bytes()) {
        v = v.checked_mul(10)?.checked_add((b - b'0') as i128)?;
    }
    Some((if neg { -v } else { v }, f.len() as u32))
}

/// xs:integer → i64.
pub fn parse_integer(s: &str) -> Option<i64> {
    let s = xml_trim(s);
    let body = s.strip_prefix('+').unwrap_or(s);
    let (neg, digits_part) = match body.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, body),
    };
    let v = digits(digits_part)?;
    Some(if neg { -v } else { v })
}

/// Does a typed cell hold the value of the lexical form `lex`? Err explains a mismatch.
pub fn matches_lexical(cell: &Val, lex: &str, ty: &DataType) -> Result<(), String> {
    let ok = match (ty, cell) {
        (DataType::Utf8 | DataType::Dictionary(..), Val::Str(s)) => s == lex,
        (DataType::Int64, Val::I64(v)) => parse_integer(lex) == Some(*v),
        (DataType::Date32, Val::Date(d)) => parse_date(lex) == Some(*d as i64),
        (DataType::Timestamp(..), Val::Ts(us)) => parse_datetime(lex).map(|(u, _)| u) == Some(*us),
        (DataType::Decimal128(..), Val::Dec(v, scale)) => match parse_decimal(lex) {
            // a / 10^fa == b / 10^fb  <=>  a * 10^fb == b * 10^fa
            Some((a, fa)) => a.checked_mul(10i128.pow(*scale as u32)) == v.checked_mul(10i128.pow(fa)),
            None => false,
        },
        (DataType::Float64, Val::F64(f)) => match xml_trim(lex).parse::<f64>() {
            Ok(x) => (x - f).abs() <= 1e-9 * x.abs().max(1.0),
            Err(_) => false,
        },
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(format!("expected {lex:?} ({ty:?}), found {cell:?}"))
    }
}

/// Whether the lexical form is representable in a column of type `ty` at all (an invalid value
/// such as month 13 in a date column can only be a null there).
pub fn representable(lex: &str, ty: &DataType) -> bool {
    match ty {
        DataType::Utf8 | DataType::Dictionary(..) => true,
        DataType::Int64 => parse_integer(lex).is_some(),
        DataType::Date32 => parse_date(lex).is_some(),
        DataType::Timestamp(..) => parse_datetime(lex).is_some(),
        DataType::Decimal128(..) => parse_decimal(lex).is_some(),
        DataType::Float64 => xml_trim(lex).parse::<f64>().is_ok(),
        _ => true,
    }
}

// ---------------------------------------------------------------------------------------------
// Python (pyarrow + duckdb) for the consumer tests.

/// The Python interpreter with pyarrow and duckdb: `$NEMSIS_PYTHON`, else
/// `~/.cache/nemsis-py/bin/python`; None (after printing SKIPPED) when missing.
pub fn python() -> Option<PathBuf> {
    let p = match std::env::var_os("NEMSIS_PYTHON") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => match std::env::var_os("HOME") {
            Some(h) => PathBuf::from(h).join(".cache/nemsis-py/bin/python"),
            None => {
                println!("SKIPPED: no NEMSIS_PYTHON and no HOME; cannot find the Python venv with pyarrow and duckdb");
                return None;
            }
        },
    };
    match Command::new(&p).args(["-c", "import pyarrow, pyarrow.parquet, pyarrow.csv, duckdb"]).output() {
        Ok(o) if o.status.success() => Some(p),
        Ok(o) => {
            let err = String::from_utf8_lossy(&o.stderr);
            let msg = format!("SKIPPED: {} lacks pyarrow/duckdb ({})", p.display(), err.trim().lines().last().unwrap_or(""));
            println!("{msg}");
            eprintln!("{msg}");
            None
        }
        Err(e) => {
            let msg = format!("SKIPPED: Python interpreter {} not usable ({e}); set NEMSIS_PYTHON or create ~/.cache/nemsis-py with pyarrow and duckdb", p.display());
            println!("{msg}");
            eprintln!("{msg}");
            None
        }
    }
}

#[test]
fn lexical_parsers() {
    assert_eq!(epoch_days(1970, 1, 1), Some(0));
    assert_eq!(epoch_days(2000, 3, 1), Some(11017));
    assert_eq!(epoch_days(1969, 12, 31), Some(-1));
    assert_eq!(epoch_days(2025, 13, 14), None);
    assert_eq!(epoch_days(2023, 2, 29), None);
    assert_eq!(parse_datetime("2023-06-01T10:00:00-05:00"), Some(((epoch_days(2023, 6, 1).unwrap() * 86400 + 15 * 3600) * 1_000_000, Some(-300))));
    assert_eq!(parse_datetime("2023-06-01T10:00:00.25+01:30"), Some(((epoch_days(2023, 6, 1).unwrap() * 86400 + 8 * 3600 + 30 * 60) * 1_000_000 + 250_000, Some(90))));
    assert_eq!(parse_datetime("2025-13-14T14:10:48-05:00"), None);
    assert_eq!(parse_decimal("-12.50"), Some((-1250, 2)));
    assert!(matches_lexical(&Val::Dec(125, 1), "12.50", &DataType::Decimal128(5, 1)).is_ok());
    assert!(matches_lexical(&Val::Dec(125, 1), "12.51", &DataType::Decimal128(5, 1)).is_err());
    assert_eq!(parse_integer("+42"), Some(42));
    assert_eq!(parse_integer("-7"), Some(-7));
}
