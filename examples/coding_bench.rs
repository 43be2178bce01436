//! coding_bench: the cost of ambulance coding alone, separated from parsing and validation.
//! Parses and validates every record of the inputs once (one thread), keeps the trees, then
//! times, each over every EMS record (best of `--reps`, default 5):
//! - `code`: [`nemsis::coding::code_record`] alone;
//! - `stage`: [`nemsis::coding::run_stage`] (coding + the coding findings of the record);
//! - `sink`: writing what `ingest` writes for coding — `claims` and `claim_lines` rows
//!   ([`nemsis::extract::claims::Claims`]) and the coding findings rows (`findings`), Parquet,
//!   into a temporary directory.
//!
//! ```text
//! cargo run --release --example coding_bench -- bench-data/b200.xml [--reps 5]
//! ```
use nemsis::coding::{self, Config};
use nemsis::extract::claims::Claims;
use nemsis::extract::{Extractor, Format};
use nemsis::pipeline::{self, Item, Options, RecordResult, Sink};
use std::time::Instant;

struct Collect(Vec<RecordResult>);

impl Sink for Collect {
    fn item(&mut self, item: Item) -> anyhow::Result<()> {
        if let Item::Record(mut r) = item {
            r.raw.bytes = Vec::new(); // not needed here; keeps memory down
            self.0.push(*r);
        }
        Ok(())
    }
}

fn best<F: FnMut() -> u64>(reps: usize, mut f: F) -> (f64, u64) {
    let mut best = f64::INFINITY;
    let mut out = 0;
    for _ in 0..reps {
        let t = Instant::now();
        out = f();
        best = best.min(t.elapsed().as_secs_f64());
    }
    (best, out)
}

fn main() -> anyhow::Result<()> {
    let mut inputs = Vec::new();
    let mut reps = 5usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--reps" {
            reps = args.next().and_then(|n| n.parse().ok()).expect("--reps N");
        } else {
            inputs.push(a);
        }
    }
    assert!(!inputs.is_empty(), "usage: coding_bench INPUT... [--reps N]");
    let cfg = Config::default();
    let t = Instant::now();
    let mut c = Collect(Vec::new());
    pipeline::run(&inputs, &Options { threads: 1, ..Options::default() }, &[], &mut c)?;
    let mut recs = c.0;
    let n = recs.iter().filter(|r| coding::code_record(r, &cfg).is_some()).count();
    eprintln!("parsed {} record(s), {n} coded, in {:.2} s", recs.len(), t.elapsed().as_secs_f64());

    let (code_s, findings) = best(reps, || recs.iter().filter_map(|r| coding::code_record(r, &cfg)).map(|c| c.findings.len() as u64).sum());
    let (stage_s, _) = best(reps, || {
        let mut k = 0;
        for r in recs.iter_mut() {
            r.findings.clear(); // the XSD findings go too: afterwards only coding findings are left
            r.coding = None;
            coding::run_stage(r, &cfg);
            k += r.findings.len() as u64;
        }
        k
    });
    let (sink_s, _) = best(reps, || {
        let dir = tempfile_dir();
        let mut claims = Claims::create(&dir, Format::Parquet).expect("claims");
        let mut extract = Extractor::new(&dir, Format::Parquet).expect("extract");
        let mut rows = 0;
        for (key, r) in recs.iter().enumerate() {
            if let (Some(c), Some(o)) = (r.coding.as_ref(), r.outcome.as_ref()) {
                claims.add(key as i64, c, r.info.schema.model, &o.tree).expect("claims row");
                extract.add_findings(Some((&r.info.dataset, key as i64)), &r.provenance.path, r.provenance.member.as_deref(), &r.findings).expect("findings");
                rows += 1;
            }
        }
        claims.finish().expect("finish");
        extract.finish().expect("finish");
        let _ = std::fs::remove_dir_all(&dir);
        rows
    });
    // The sink figure above includes Extractor::new (codes table); measure it alone.
    let (codes_s, _) = best(reps, || {
        let dir = tempfile_dir();
        let extract = Extractor::new(&dir, Format::Parquet).expect("extract");
        extract.finish().expect("finish");
        let _ = std::fs::remove_dir_all(&dir);
        0
    });
    let per = |s: f64| s / n.max(1) as f64 * 1e6;
    println!(
        "{{\"records\": {n}, \"findings\": {findings}, \"code_s\": {code_s:.4}, \"code_us_per_pcr\": {:.1}, \"stage_s\": {stage_s:.4}, \"stage_us_per_pcr\": {:.1}, \"sink_s\": {:.4}, \"sink_us_per_pcr\": {:.1}}}",
        per(code_s),
        per(stage_s),
        (sink_s - codes_s).max(0.0),
        per((sink_s - codes_s).max(0.0))
    );
    Ok(())
}

fn tempfile_dir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("coding_bench_{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("temp dir");
    d
}
