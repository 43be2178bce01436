//! tokenize: the baseline for `make bench` — a tokenize-only quick-xml pass over the same
//! bytes the pipeline reads (BufReader, `read_event_into`, no attribute parsing, no
//! unescaping, no validation). Prints bytes, events, PatientCareReports, seconds.
//!
//! ```text
//! cargo run --release --example tokenize -- big.xml
//! ```
use quick_xml::events::Event;
use std::io::BufReader;
use std::time::Instant;

fn main() {
    let path = std::env::args().nth(1).expect("usage: tokenize FILE");
    let file = std::fs::File::open(&path).expect("open");
    let started = Instant::now();
    let mut reader = quick_xml::Reader::from_reader(BufReader::with_capacity(256 * 1024, file));
    let mut buf = Vec::new();
    let (mut events, mut records) = (0u64, 0u64);
    loop {
        buf.clear();
        match reader.read_event_into(&mut buf).expect("well-formed") {
            Event::Eof => break,
            Event::Start(e) => {
                events += 1;
                if e.local_name().as_ref() == b"PatientCareReport" {
                    records += 1;
                }
            }
            _ => events += 1,
        }
    }
    let secs = started.elapsed().as_secs_f64();
    let bytes = reader.buffer_position();
    println!("{{\"bytes\": {bytes}, \"events\": {events}, \"records\": {records}, \"seconds\": {secs:.3}}}");
}
