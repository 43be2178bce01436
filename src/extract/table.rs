//! One output table: typed Arrow column builders, flushed in batches to a Parquet or CSV file.

use super::convert;
use super::plan::ColType;
use anyhow::{Context, Result};
use arrow_array::builder::*;
use arrow_array::types::Int32Type;
use arrow_array::{Array, ArrayRef, DictionaryArray, RecordBatch, StringArray};
use crate::fnv::Fnv;
use std::collections::HashMap;
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use parquet::arrow::ArrowWriter;
use parquet::basic::Compression;
use parquet::file::properties::WriterProperties;
use std::fs::File;
use std::io::BufWriter;
use std::path::Path;
use std::sync::Arc;

/// Rows kept in builders before they are written as one batch.
const BATCH_ROWS: usize = 8192;

/// One cell of a row, before typing.
#[derive(Debug, Clone, Copy, Default)]
pub enum Cell<'a> {
    #[default]
    Null,
    Str(&'a str),
    /// An integer; for a date-time column its UTC instant in µs, for an offset column minutes.
    Int(i64),
    Bool(bool),
}

/// Arrow type of a column. Date-times are UTC instants: named "UTC" in Parquet, "+00:00" in
/// CSV (arrow-csv formats only offset time zones).
pub fn arrow_type(t: ColType, format: Format) -> DataType {
    let tz = if format == Format::Csv { "+00:00" } else { "UTC" };
    match t {
        ColType::Code => DataType::Dictionary(Box::new(DataType::Int32), Box::new(DataType::Utf8)),
        ColType::Text => DataType::Utf8,
        ColType::Int | ColType::Key => DataType::Int64,
        ColType::Decimal(p, s) => DataType::Decimal128(p, s),
        ColType::Float => DataType::Float64,
        ColType::Date => DataType::Date32,
        ColType::DateTime => DataType::Timestamp(TimeUnit::Microsecond, Some(tz.into())),
        ColType::OffsetMinutes => DataType::Int16,
        ColType::Bool => DataType::Boolean,
    }
}

enum Col {
    /// Codes are collected as plain strings and dictionary-encoded when the batch is finished
    /// ([`dictionary`]): one column at a time, its dictionary stays in cache, where looking
    /// each code up as the row is appended touched a different hash table per column.
    Code(StringBuilder),
    Text(StringBuilder),
    Int(Int64Builder),
    Decimal(Decimal128Builder, i8),
    Float(Float64Builder),
    Date(Date32Builder),
    DateTime(TimestampMicrosecondBuilder),
    Offset(Int16Builder),
    Bool(BooleanBuilder),
}

impl Col {
    fn new(t: ColType, format: Format) -> Col {
        let tz = if format == Format::Csv { "+00:00" } else { "UTC" };
        match t {
            ColType::Code => Col::Code(StringBuilder::new()),
            ColType::Text => Col::Text(StringBuilder::new()),
            ColType::Int | ColType::Key => Col::Int(Int64Builder::new()),
            ColType::Decimal(p, s) => Col::Decimal(Decimal128Builder::new().with_precision_and_scale(p, s).expect("valid decimal"), s),
            ColType::Float => Col::Float(Float64Builder::new()),
            ColType::Date => Col::Date(Date32Builder::new()),
            ColType::DateTime => Col::DateTime(TimestampMicrosecondBuilder::new().with_timezone(tz)),
            ColType::OffsetMinutes => Col::Offset(Int16Builder::new()),
            ColType::Bool => Col::Bool(BooleanBuilder::new()),
        }
    }

    fn append(&mut self, c: Cell) {
        match (self, c) {
            (Col::Code(b), Cell::Str(s)) => b.append_value(s),
            (Col::Text(b), Cell::Str(s)) => b.append_value(s),
            (Col::Int(b), Cell::Int(i)) => b.append_value(i),
            (Col::Int(b), Cell::Str(s)) => b.append_option(convert::int(s)),
            (Col::Decimal(b, scale), Cell::Str(s)) => b.append_option(convert::decimal(s, *scale)),
            (Col::Float(b), Cell::Str(s)) => b.append_option(convert::float(s)),
            (Col::Date(b), Cell::Str(s)) => b.append_option(convert::date(s)),
            (Col::DateTime(b), Cell::Int(us)) => b.append_value(us),
            (Col::DateTime(b), Cell::Str(s)) => b.append_option(convert::datetime(s).map(|(us, _)| us)),
            (Col::Offset(b), Cell::Int(minutes)) => b.append_value(minutes as i16),
            (Col::Offset(b), Cell::Str(s)) => b.append_option(convert::datetime(s).and_then(|(_, o)| o).map(|o| o as i16)),
            (Col::Bool(b), Cell::Bool(v)) => b.append_value(v),
            (col, _) => col.append_null(),
        }
    }

    fn append_null(&mut self) {
        self.append_nulls(1)
    }

    fn append_nulls(&mut self, n: usize) {
        match self {
            Col::Code(b) => b.append_nulls(n),
            Col::Text(b) => b.append_nulls(n),
            Col::Int(b) => b.append_nulls(n),
            Col::Decimal(b, _) => b.append_nulls(n),
            Col::Float(b) => b.append_nulls(n),
            Col::Date(b) => b.append_nulls(n),
            Col::DateTime(b) => b.append_nulls(n),
            Col::Offset(b) => b.append_nulls(n),
            Col::Bool(b) => b.append_nulls(n),
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Col::Code(b) => Arc::new(dictionary(&b.finish())),
            Col::Text(b) => Arc::new(b.finish()),
            Col::Int(b) => Arc::new(b.finish()),
            Col::Decimal(b, _) => Arc::new(b.finish()),
            Col::Float(b) => Arc::new(b.finish()),
            Col::Date(b) => Arc::new(b.finish()),
            Col::DateTime(b) => Arc::new(b.finish()),
            Col::Offset(b) => Arc::new(b.finish()),
            Col::Bool(b) => Arc::new(b.finish()),
        }
    }
}

/// Dictionary-encode a batch of codes: keys in order of first appearance, nulls kept (what
/// arrow's `StringDictionaryBuilder` gives when fed the same values row by row). A column's
/// codes are few and short: codes of up to 7 bytes are packed into a word (bytes and length)
/// and looked up among the first few seen by word comparison, then in hash maps.
fn dictionary(codes: &StringArray) -> DictionaryArray<Int32Type> {
    const FEW: usize = 16;
    let mut few: Vec<(u64, i32)> = Vec::with_capacity(FEW);
    let mut words: HashMap<u64, i32, Fnv> = HashMap::default();
    let mut long: HashMap<&str, i32, Fnv> = HashMap::default();
    let mut values = StringBuilder::new();
    let mut keys = Int32Builder::with_capacity(codes.len());
    let add = |values: &mut StringBuilder, c: &str| {
        values.append_value(c);
        (values.len() - 1) as i32
    };
    for code in codes.iter() {
        let Some(c) = code else {
            keys.append_null();
            continue;
        };
        let k = match pack7(c) {
            Some(w) => match few.iter().find(|(x, _)| *x == w) {
                Some(&(_, k)) => k,
                None if few.len() < FEW => {
                    let k = add(&mut values, c);
                    few.push((w, k));
                    k
                }
                None => *words.entry(w).or_insert_with(|| add(&mut values, c)),
            },
            None => *long.entry(c).or_insert_with(|| add(&mut values, c)),
        };
        keys.append_value(k);
    }
    DictionaryArray::try_new(keys.finish(), Arc::new(values.finish())).expect("keys index the values")
}

/// A string of up to 7 bytes as one word: its bytes, and its length in the top byte.
fn pack7(s: &str) -> Option<u64> {
    let b = s.as_bytes();
    if b.len() > 7 {
        return None;
    }
    let mut w = [0u8; 8];
    w[..b.len()].copy_from_slice(b);
    w[7] = b.len() as u8;
    Some(u64::from_le_bytes(w))
}

/// Output format of the extract.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Parquet,
    Csv,
}

enum Writer {
    Parquet(ArrowWriter<BufWriter<File>>),
    Csv(arrow_csv::Writer<BufWriter<File>>),
}

/// A column's builder and how many rows of the current batch it holds: a column catches up
/// with nulls only when it next gets a value (or at the batch's end), so a row costs in
/// proportion to its values, not to the table's width (the PCR table has thousands of
/// columns, most of them null in any one row).
struct Column {
    len: usize,
    /// The row (counted from 1 over the whole table) for which the column was last claimed.
    claimed: u64,
    col: Col,
}

impl Column {
    fn pad(&mut self, rows: usize) {
        if self.len < rows {
            self.col.append_nulls(rows - self.len);
            self.len = rows;
        }
    }
}

/// A table being written: builders for the current batch plus the file writer.
pub struct Table {
    pub name: String,
    schema: SchemaRef,
    cols: Vec<Column>,
    rows: usize,
    pub total_rows: u64,
    writer: Writer,
}

impl Table {
    /// Create `<dir>/<name>.parquet` (or `.csv`) with the given columns.
    pub fn create(dir: &Path, name: &str, columns: &[(String, ColType)], format: Format) -> Result<Table> {
        let fields: Vec<Field> = columns.iter().map(|(n, t)| Field::new(n, arrow_type(*t, format), !matches!(t, ColType::Key))).collect();
        let schema = Arc::new(Schema::new(fields));
        let ext = if format == Format::Parquet { "parquet" } else { "csv" };
        let path = dir.join(format!("{name}.{ext}"));
        let file = BufWriter::new(File::create(&path).with_context(|| format!("cannot create {}", path.display()))?);
        let writer = match format {
            Format::Parquet => {
                let props = WriterProperties::builder().set_compression(Compression::SNAPPY).set_created_by(format!("nemsis {}", env!("CARGO_PKG_VERSION"))).build();
                Writer::Parquet(ArrowWriter::try_new(file, schema.clone(), Some(props))?)
            }
            Format::Csv => Writer::Csv(arrow_csv::WriterBuilder::new().with_header(true).build(file)),
        };
        Ok(Table { name: name.to_string(), schema, cols: columns.iter().map(|(_, t)| Column { len: 0, claimed: 0, col: Col::new(*t, format) }).collect(), rows: 0, total_rows: 0, writer })
    }

    pub fn width(&self) -> usize {
        self.cols.len()
    }

    /// Append one row (cells in column order; a shorter row is padded with nulls).
    pub fn push(&mut self, row: &[Cell]) -> Result<()> {
        for (i, &cell) in row.iter().enumerate().take(self.cols.len()) {
            if !matches!(cell, Cell::Null) {
                let c = &mut self.cols[i];
                c.pad(self.rows);
                c.col.append(cell);
                c.len += 1;
            }
        }
        self.end_row()
    }

    /// Set a cell of the row being built (at most once per column and row; a null is a no-op).
    /// The row ends with [`Table::end_row`].
    pub fn set(&mut self, col: usize, cell: Cell) {
        if matches!(cell, Cell::Null) {
            return;
        }
        let rows = self.rows;
        let c = &mut self.cols[col];
        debug_assert!(c.len <= rows, "column {col} set twice in one row");
        c.pad(rows);
        c.col.append(cell);
        c.len += 1;
    }

    /// Mark column `col` as taken for the row being built: false when it already was (see
    /// [`super::rows`]: an element's first column stands for all of its columns).
    pub fn claim(&mut self, col: usize) -> bool {
        let row = self.total_rows + 1;
        let c = &mut self.cols[col];
        if c.claimed == row {
            return false;
        }
        c.claimed = row;
        true
    }

    /// End the row being built.
    pub fn end_row(&mut self) -> Result<()> {
        self.rows += 1;
        self.total_rows += 1;
        if self.rows >= BATCH_ROWS {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        if self.rows == 0 {
            return Ok(());
        }
        let rows = self.rows;
        let arrays: Vec<ArrayRef> = self
            .cols
            .iter_mut()
            .map(|c| {
                c.pad(rows);
                c.len = 0;
                c.col.finish()
            })
            .collect();
        let batch = RecordBatch::try_new(self.schema.clone(), arrays)?;
        match &mut self.writer {
            Writer::Parquet(w) => w.write(&batch)?,
            Writer::Csv(w) => w.write(&batch)?,
        }
        self.rows = 0;
        Ok(())
    }

    /// Bytes the Parquet writer holds for the row group in progress (encoded pages and
    /// dictionaries not yet written out); 0 for CSV, which writes each batch at once.
    pub fn buffered(&self) -> usize {
        match &self.writer {
            Writer::Parquet(w) => w.memory_size(),
            Writer::Csv(_) => 0,
        }
    }

    /// Write the row group in progress out to the file (rows still in the builders go to the
    /// next one).
    pub fn end_row_group(&mut self) -> Result<()> {
        if let Writer::Parquet(w) = &mut self.writer {
            w.flush()?;
        }
        Ok(())
    }

    /// Write what is left and close the file.
    pub fn finish(mut self) -> Result<u64> {
        self.flush()?;
        match self.writer {
            Writer::Parquet(w) => {
                w.close()?;
            }
            Writer::Csv(w) => {
                let mut inner = w.into_inner();
                std::io::Write::flush(&mut inner)?;
                if self.total_rows == 0 {
                    // arrow-csv writes the header with the first batch; keep empty tables readable
                    let names: Vec<&str> = self.schema.fields().iter().map(|f| f.name().as_str()).collect();
                    std::io::Write::write_all(&mut inner, format!("{}\n", names.join(",")).as_bytes())?;
                }
            }
        }
        Ok(self.total_rows)
    }
}

/// Bytes all the tables of a run may hold in row groups not yet written out.
pub const ROW_GROUP_BUDGET: usize = 128 << 20;

/// How often (in records) a run checks [`ROW_GROUP_BUDGET`].
pub const BOUND_EVERY: i64 = 1024;

/// Bound the memory of a set of tables: while the row groups they hold in progress add up to
/// more than `budget` bytes, the largest one is written out. The Parquet writer otherwise
/// keeps a table's whole row group (up to a million rows) in memory, so memory grew with the
/// input (≈300 MB for a 1 GB input). Which row groups end where depends only on the rows
/// written, so the output stays the same whatever the number of threads.
pub fn bound_buffered(tables: &mut [&mut Table], budget: usize) -> Result<()> {
    let sizes: Vec<usize> = tables.iter().map(|t| t.buffered()).collect();
    let mut total: usize = sizes.iter().sum();
    if total <= budget {
        return Ok(());
    }
    // Largest first (ties by position, for a fixed order); each table at most once a call.
    let mut order: Vec<usize> = (0..tables.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(sizes[i]), i));
    for i in order {
        if total <= budget {
            break;
        }
        tables[i].end_row_group()?;
        total = total - sizes[i] + tables[i].buffered();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use parquet::file::reader::{FileReader, SerializedFileReader};

    fn row_groups(path: &Path) -> Vec<i64> {
        let r = SerializedFileReader::new(File::open(path).unwrap()).unwrap();
        r.metadata().row_groups().iter().map(|g| g.num_rows()).collect()
    }

    /// The same dictionary (keys in order of first appearance, nulls kept) as arrow's own
    /// builder, over nulls, empty strings, short and long codes, and more distinct codes than
    /// the word list holds.
    #[test]
    fn dictionaries_match_arrows_dictionary_builder() {
        let mut input: Vec<Option<String>> = vec![None, Some(String::new()), Some("1".into()), Some("1\u{0}".into()), Some("12345678".into()), Some("1234567".into())];
        for i in 0..200u32 {
            input.push(Some(format!("{}", 3_101_000 + (i * 7919) % 40)));
            input.push((i % 5 == 0).then(|| format!("long-code-{}", i % 9)));
        }
        let codes = StringArray::from(input.clone());
        let ours = dictionary(&codes);
        let mut theirs = StringDictionaryBuilder::<Int32Type>::new();
        for v in &input {
            theirs.append_option(v.as_deref());
        }
        let theirs = theirs.finish();
        assert_eq!(ours.keys(), theirs.keys());
        assert_eq!(ours.values().as_ref(), theirs.values().as_ref());
        assert!(ours.values().len() > 40, "more distinct codes than the short list");
    }

    #[test]
    fn bounded_tables_end_their_largest_row_groups_first() {
        let dir = tempfile::tempdir().unwrap();
        let cols = |n: &str| vec![(n.to_string(), ColType::Int), ("v".to_string(), ColType::Text)];
        let mut big = Table::create(dir.path(), "big", &cols("k"), Format::Parquet).unwrap();
        let mut small = Table::create(dir.path(), "small", &cols("k"), Format::Parquet).unwrap();
        let text = "x".repeat(100);
        for i in 0..BATCH_ROWS as i64 * 2 {
            big.push(&[Cell::Int(i), Cell::Str(&text)]).unwrap();
            small.push(&[Cell::Int(i), Cell::Str("y")]).unwrap();
        }
        let (b, s) = (big.buffered(), small.buffered());
        assert!(b > s && s > 0, "both hold a row group in progress: {b} {s}");
        // A budget between the two sizes: only the larger table ends its row group.
        bound_buffered(&mut [&mut small, &mut big], b.saturating_sub(1)).unwrap();
        assert!(big.buffered() < b, "the larger table wrote its row group out");
        assert_eq!(small.buffered(), s, "the smaller one kept its own");
        // Within budget nothing happens.
        let before = (big.buffered(), small.buffered());
        bound_buffered(&mut [&mut small, &mut big], usize::MAX).unwrap();
        assert_eq!((big.buffered(), small.buffered()), before);
        // One more batch for each: `big` starts a second row group, `small` goes on with its first.
        for i in 0..BATCH_ROWS as i64 {
            big.push(&[Cell::Int(i), Cell::Str(&text)]).unwrap();
            small.push(&[Cell::Int(i), Cell::Str("y")]).unwrap();
        }
        assert_eq!(big.finish().unwrap(), BATCH_ROWS as u64 * 3);
        small.finish().unwrap();
        assert_eq!(row_groups(&dir.path().join("big.parquet")), vec![BATCH_ROWS as i64 * 2, BATCH_ROWS as i64]);
        assert_eq!(row_groups(&dir.path().join("small.parquet")), vec![BATCH_ROWS as i64 * 3]);
    }
}
