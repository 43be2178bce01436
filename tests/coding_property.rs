//! Property test: coding never panics and keeps its output invariants on every XML file under
//! `../shared/nemsis` (both versions; EMS records are coded, whatever their validity) and on
//! seeded mutations aimed at the elements the coder reads. `NEMSIS_CODING_MUTATIONS` sets the
//! number of mutated documents (default 400). Skips, printing "SKIPPED: ...", without
//! `../shared`.
//!
//! Mutations pick a coder-relevant element and give it: a random code of its own XSD enumeration
//! (from the schema model; keeps many documents XSD-valid), a value from a pool of edge values
//! (odometer extremes, GPS poles, dates at the bounds, narrative with triggers, wrong codes), nil
//! with NV/PN, or delete/duplicate it; groups (procedures, medications, crew, signatures) are
//! duplicated or deleted whole.

use nemsis::coding::{code_pcr, CodingResult, Config, FindingCode, Level};
use nemsis::document::parse_document;
use nemsis::schema::model::{Content, Model};
use nemsis::split::VersionChoice;
use quick_xml::events::Event;
use std::path::{Path, PathBuf};

/// splitmix64.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn pick<'a, T>(&mut self, v: &'a [T]) -> &'a T {
        &v[self.below(v.len())]
    }
}

fn shared_nemsis() -> Option<PathBuf> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/nemsis");
    if p.is_dir() {
        Some(p)
    } else {
        eprintln!("SKIPPED: {} not found (the property test runs over the official NEMSIS files)", p.display());
        None
    }
}

fn xml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            xml_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "xml") {
            out.push(p);
        }
    }
}

/// Configurations the documents are coded with: the defaults and one with every knob turned.
fn configs() -> Vec<Config> {
    let turned = Config::from_toml_str(
        r#"
        count_unsuccessful_procedures = false
        bls_may_defibrillate = false
        medicare_bundles_supplies = false
        provider_arrangement = "QN"
        max_diagnoses = 1
        earth_radius_miles = 1
        als2_excluded_medications = []
        destination_map = { "4221001" = "not_covered", "4221003" = "unknown" }
        origin_map = { "Y92" = "H" }
        "#,
    )
    .unwrap();
    vec![Config::default(), turned]
}

/// The output invariants of §2 and §13.
fn check(r: &CodingResult, cfg: &Config, what: &str) {
    assert_eq!(r.hcpcs_base.is_none(), r.level == Level::None, "{what}: hcpcs_base null iff NONE");
    if r.level == Level::None {
        assert!(r.base_modifiers.is_empty() && r.mileage.is_empty() && r.supply_codes.is_empty(), "{what}: R-NONE-1");
    }
    assert!(r.mileage.len() <= 2, "{what}");
    for (i, m) in r.mileage.iter().enumerate() {
        let ok_units = {
            let (a, b) = m.units.split_once('.').unwrap_or((&m.units, "0"));
            !a.is_empty() && a.bytes().all(|c| c.is_ascii_digit()) && b.len() == 1 && b.bytes().all(|c| c.is_ascii_digit())
        };
        assert!(ok_units, "{what}: units {:?}", m.units);
        assert!(m.hundredths > 0, "{what}: a mileage line has a positive distance");
        assert_eq!(m.code == "A0888", i == 1, "{what}: A0888 is the second line only");
        assert!(["A0425", "A0435", "A0436", "A0888"].contains(&m.code.as_str()), "{what}");
    }
    let mut sorted = r.supply_codes.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, r.supply_codes, "{what}: supply codes unique and ascending");
    assert!(r.icd10.len() <= cfg.max_diagnoses, "{what}");
    let mut icd = r.icd10.clone();
    icd.sort();
    icd.dedup();
    assert_eq!(icd.len(), r.icd10.len(), "{what}: ICD-10 codes unique");
    let mut codes: Vec<FindingCode> = r.findings.iter().map(|f| f.code).collect();
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), r.findings.len(), "{what}: each finding code at most once");
    for f in &r.findings {
        assert_eq!(f.severity, f.code.severity(), "{what}");
        assert!(!f.message.is_empty(), "{what}");
    }
    let json = serde_json::to_string(r).unwrap();
    let back: CodingResult = serde_json::from_str(&json).unwrap();
    assert_eq!(back.level, r.level);
}

/// Code every EMS record of a document with every configuration; returns (records coded,
/// records XSD-valid). A panic inside coding is reported with `what`.
fn code_document(bytes: &[u8], cfgs: &[Config], what: &str) -> (usize, usize) {
    let doc = parse_document(bytes, VersionChoice::Auto);
    let mut n = (0, 0);
    for rec in &doc.records {
        if rec.schema.model.dataset != "EMSDataSet" || !rec.well_formed {
            continue;
        }
        n.0 += 1;
        if rec.findings.is_empty() {
            n.1 += 1;
        }
        for cfg in cfgs {
            let run = || code_pcr(rec.schema.model, &rec.context.tree, &rec.tree, cfg);
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(run)).unwrap_or_else(|_| panic!("coding panicked on {what}"));
            check(&r, cfg, what);
            let again = code_pcr(rec.schema.model, &rec.context.tree, &rec.tree, cfg);
            assert_eq!(r, again, "{what}: deterministic");
        }
    }
    n
}

#[test]
fn coding_never_panics_on_the_official_files() {
    let Some(dir) = shared_nemsis() else { return };
    let mut files = Vec::new();
    xml_files(&dir, &mut files);
    xml_files(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/coding"), &mut files);
    let cfgs = configs();
    let (mut coded, mut valid) = (0, 0);
    for f in &files {
        let (c, v) = code_document(&std::fs::read(f).unwrap(), &cfgs, &f.display().to_string());
        coded += c;
        valid += v;
    }
    eprintln!("official and test files: {} files, {coded} EMS records coded ({valid} XSD-valid)", files.len());
    assert!(coded > 100, "expected the official EMS files, coded {coded} records");
}

// --- mutations ---------------------------------------------------------------------------------

/// Elements the coder reads.
const TARGETS: &[&str] = &[
    "eResponse.05", "eResponse.07", "eResponse.19", "eResponse.20", "eResponse.21", "eResponse.22", "eResponse.23", "eResponse.24",
    "eCrew.02", "ePayment.01", "ePayment.02", "ePayment.03", "ePayment.04", "ePayment.05", "ePayment.40", "ePayment.41", "ePayment.42",
    "ePayment.47", "ePayment.48", "ePayment.49", "ePayment.50", "ePayment.52", "eScene.09", "eScene.11", "eScene.14", "eScene.15", "eScene.19",
    "eSituation.09", "eSituation.10", "eSituation.11", "eSituation.12", "eSituation.13", "eInjury.01", "eArrest.18", "eNarrative.01",
    "eMedications.02", "eMedications.03", "eMedications.04", "eMedications.10", "eMedications.13", "eProcedures.02", "eProcedures.03",
    "eProcedures.06", "eProcedures.10", "eProcedures.15", "eDisposition.03", "eDisposition.07", "eDisposition.09", "eDisposition.11",
    "eDisposition.16", "eDisposition.17", "eDisposition.20", "eDisposition.21", "eDisposition.27", "eDisposition.28", "eDisposition.30",
    "eOther.12", "eOther.13", "eOther.15", "eTimes.03", "eTimes.06", "eTimes.07", "eTimes.09",
];
const GROUPS: &[&str] = &["eProcedures.ProcedureGroup", "eMedications.MedicationGroup", "eCrew.CrewGroup", "eOther.SignatureGroup", "eDisposition.DestinationGroup"];

const POOL: &[&str] = &[
    "", " ", "0", "-0.01", "0.00", "999999.99", "-999999.99", "1e5", "12.345", "99999999", ".5", "7.", "+3",
    "90,180", "-90,-180", "0,0", "90.000000,-180.000000", "91,0", "a,b", "41.4,-73.4",
    "1950-01-01T00:00:00-00:00", "2050-01-01T00:00:00-00:00", "2024-02-29T23:59:59.999999999+14:00", "2023-02-29T10:00:00-05:00", "2024-01-01",
    "Y92", "Y92.", "Y92.0", "Y92.531", "Y92.13", "X92.0", "y92.009", "i21.4", "R99", "S06.0X0A",
    "9923003", "9923001", "9922005", "9905043", "7806", "313002", "6960", "232674004", "426220008", "450661000124102",
    "4230001", "4230009", "4216017", "4216001", "2207013", "2650013", "2601005", "D1", "12", "05",
    "Intubated. Paced. RSI denied. Unable to walk; walked 7.5 m! Needle decompression? io io io",
    "İNTUBATED ﬁ ß \u{0130} no\u{00a0}intubation ;;; ...", "x",
];

fn codes_of(model: &Model, name: &str) -> Vec<String> {
    let Some(id) = model.find(name) else { return Vec::new() };
    match model.element(id).content {
        Content::Simple { value_type } => model.codes(value_type).into_iter().map(|c| c.code.clone()).collect(),
        Content::Sequence { .. } => Vec::new(),
    }
}

#[derive(Clone)]
struct Span {
    name: String,
    start: usize,
    end: usize,
}

fn spans(doc: &[u8]) -> Vec<Span> {
    let mut r = quick_xml::Reader::from_reader(doc);
    let (mut out, mut stack): (Vec<Span>, Vec<usize>) = (Vec::new(), Vec::new());
    loop {
        let before = r.buffer_position() as usize;
        match r.read_event() {
            Ok(Event::Start(e)) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                out.push(Span { name, start: before, end: 0 });
                stack.push(out.len() - 1);
            }
            Ok(Event::Empty(e)) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                out.push(Span { name, start: before, end: r.buffer_position() as usize });
            }
            Ok(Event::End(_)) => {
                if let Some(i) = stack.pop() {
                    out[i].end = r.buffer_position() as usize;
                }
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    out.retain(|s| s.end > 0);
    out
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;")
}

/// One mutation of `doc`; None when the document has nothing to mutate.
fn mutate(doc: &[u8], model: &Model, rng: &mut Rng) -> Option<Vec<u8>> {
    let sp = spans(doc);
    let targets: Vec<&Span> = sp.iter().filter(|s| TARGETS.contains(&s.name.as_str())).collect();
    let groups: Vec<&Span> = sp.iter().filter(|s| GROUPS.contains(&s.name.as_str())).collect();
    let mut out = Vec::with_capacity(doc.len() + 256);
    let op = rng.below(10);
    if op >= 8 && !groups.is_empty() {
        let g = rng.pick(&groups);
        out.extend_from_slice(&doc[..g.end]);
        if op == 8 {
            out.extend_from_slice(&doc[g.start..g.end]); // duplicate
        } else {
            out.truncate(g.start); // delete
        }
        out.extend_from_slice(&doc[g.end..]);
        return Some(out);
    }
    if targets.is_empty() {
        return None;
    }
    let t = *rng.pick(&targets);
    let name = t.name.clone();
    let element = match op {
        0..=3 => {
            let codes = codes_of(model, &name);
            let v = if !codes.is_empty() && rng.below(3) > 0 { rng.pick(&codes).clone() } else { rng.pick(POOL).to_string() };
            format!("<{name}>{}</{name}>", escape(&v))
        }
        4 => {
            let attr = *rng.pick(&[" NV=\"7701001\"", " NV=\"7701003\"", " PN=\"8801019\"", " PN=\"8801001\"", " PN=\"8801031\"", ""]);
            format!("<{name} xsi:nil=\"true\"{attr}/>")
        }
        5 => {
            // a value with a PN (or NV) attribute kept
            let codes = codes_of(model, &name);
            let v = if codes.is_empty() { rng.pick(POOL).to_string() } else { rng.pick(&codes).clone() };
            let attr = *rng.pick(&[" PN=\"8801019\"", " NV=\"7701003\"", " PN=\"8801023\""]);
            format!("<{name}{attr}>{}</{name}>", escape(&v))
        }
        6 => String::new(), // delete
        _ => String::from_utf8_lossy(&doc[t.start..t.end]).repeat(2), // duplicate
    };
    out.extend_from_slice(&doc[..t.start]);
    out.extend_from_slice(element.as_bytes());
    out.extend_from_slice(&doc[t.end..]);
    Some(out)
}

#[test]
fn coding_never_panics_on_seeded_mutations() {
    let Some(dir) = shared_nemsis() else { return };
    let n: usize = std::env::var("NEMSIS_CODING_MUTATIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(400);
    let mut seeds = Vec::new();
    for sub in ["v3.5.1/ComplianceTests/full", "v3.5.1/ComplianceTests/national", "v3.5.1/SampleData/EMS"] {
        xml_files(&dir.join(sub), &mut seeds);
    }
    xml_files(&PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/coding"), &mut seeds);
    seeds.retain(|p| std::fs::read(p).map(|b| b.windows(11).any(|w| w == b"<EMSDataSet")).unwrap_or(false));
    assert!(!seeds.is_empty());
    let model = nemsis::schema::builtin::model("3.5.1", "EMSDataSet").expect("embedded model");
    let cfgs = configs();
    let mut rng = Rng(0xC0D1_4E55);
    let (mut docs, mut coded, mut valid) = (0, 0, 0);
    while docs < n {
        let seed = rng.pick(&seeds).clone();
        let mut doc = std::fs::read(&seed).unwrap();
        // 1–4 stacked mutations
        let steps = 1 + rng.below(4);
        let mut ok = true;
        for _ in 0..steps {
            match mutate(&doc, model, &mut rng) {
                Some(m) => doc = m,
                None => ok = false,
            }
        }
        if !ok {
            continue;
        }
        docs += 1;
        let what = format!("mutation #{docs} of {}", seed.display());
        let (c, v) = code_document(&doc, &cfgs, &what);
        coded += c;
        valid += v;
    }
    eprintln!("mutations: {docs} documents, {coded} EMS records coded, {valid} of them XSD-valid");
    assert!(valid > 0, "some mutated records must stay XSD-valid");
    assert!(coded >= docs, "every mutated document has at least one codable record");
}
