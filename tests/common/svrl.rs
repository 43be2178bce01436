//! The official Schematron test suites' expected SVRL reports and `Tests.txt`, shared by the
//! native-rules and the generic-engine suite tests.
#![allow(dead_code)]

use quick_xml::events::Event;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// (rule id, role, location)
pub type Key = (String, String, String);

/// Port of `nemsis_oracle.normalize_location`: every spelling of a location to
/// `/EMSDataSet[1]/Header[1]/...`.
pub fn normalize_location(loc: &str) -> String {
    let step_re = regex::Regex::new(
        r"^(?:\*:|Q\{[^}]*\}|[A-Za-z_][\w.\-]*:)?(?P<name>@?[A-Za-z_][\w.\-]*|@\*:?[\w.\-]*|text\(\)|comment\(\)|\*)(?P<preds>(?:\[[^\]]*\])*)$",
    )
    .unwrap();
    let pred_re = regex::Regex::new(r"\[([^\]]*)\]").unwrap();
    let (mut steps, mut buf, mut db, mut dq) = (Vec::new(), String::new(), 0i32, 0i32);
    for c in loc.trim().chars() {
        match c {
            '{' => dq += 1,
            '}' => dq -= 1,
            '[' => db += 1,
            ']' => db -= 1,
            _ => {}
        }
        if c == '/' && db == 0 && dq == 0 {
            steps.push(std::mem::take(&mut buf));
        } else {
            buf.push(c);
        }
    }
    steps.push(buf);
    let mut out = Vec::new();
    for s in steps.iter().filter(|s| !s.is_empty()) {
        let Some(m) = step_re.captures(s) else {
            out.push(s.clone());
            continue;
        };
        let name = &m["name"];
        if let Some(a) = name.strip_prefix('@') {
            out.push(format!("@{}", a.rsplit(':').next().unwrap_or(a).replace('*', "")));
            continue;
        }
        let pos = pred_re
            .captures_iter(&m["preds"])
            .map(|c| c[1].trim().to_string())
            .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
            .last();
        out.push(format!("{name}[{}]", pos.unwrap_or_else(|| "1".into())));
    }
    format!("/{}", out.join("/"))
}

/// Findings of an SVRL report: (id, role, location); the id falls back to the last fired rule's.
pub fn parse_svrl(path: &Path) -> Vec<Key> {
    let bytes = std::fs::read(path).unwrap();
    let mut r = quick_xml::Reader::from_reader(bytes.as_slice());
    let mut buf = Vec::new();
    let mut out = Vec::new();
    let mut last_rule = String::new();
    loop {
        let e = match r.read_event_into(&mut buf) {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => e.into_owned(),
            Ok(Event::Eof) => break,
            Ok(_) => {
                buf.clear();
                continue;
            }
            Err(err) => panic!("{}: {err}", path.display()),
        };
        buf.clear();
        let name = e.name();
        let local = String::from_utf8_lossy(name.local_name().as_ref()).to_string();
        let attr = |a: &str| -> String {
            e.attributes()
                .flatten()
                .find(|x| x.key.local_name().as_ref() == a.as_bytes())
                .map(|x| x.unescape_value().map(|v| v.to_string()).unwrap_or_default())
                .unwrap_or_default()
        };
        match local.as_str() {
            "fired-rule" => last_rule = attr("id"),
            "failed-assert" | "successful-report" => {
                let id = Some(attr("id")).filter(|s| !s.is_empty()).unwrap_or_else(|| last_rule.clone());
                let role = attr("role").trim().trim_matches(|c| c == '[' || c == ']').to_string();
                out.push((id, role, normalize_location(&attr("location"))));
            }
            _ => {}
        }
    }
    out
}

/// `Tests.txt`: file name -> expected result (PASS, ERROR, WARNING).
pub fn parse_tests_txt(path: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let Ok(text) = std::fs::read_to_string(path) else { return out };
    let mut current = None;
    for line in text.lines() {
        if let Some(f) = line.strip_prefix("File:") {
            current = Some(f.trim().to_string());
        }
        if let (Some(r), Some(c)) = (line.strip_prefix("Expected Result:"), &current) {
            out.insert(c.clone(), r.trim().trim_matches(|c| c == '[' || c == ']').to_string());
        }
    }
    out
}

/// Whether the fired (id, role) pairs meet the case's documented expectation.
pub fn tests_txt_ok(case: &str, expected: &str, fired: &BTreeSet<(String, String)>) -> bool {
    let re = regex::Regex::new(r"-(nemSch_\w+?)(?:_[A-Z]+)?\.xml$").unwrap();
    let Some(m) = re.captures(case) else { return expected != "PASS" || fired.is_empty() };
    let rule = &m[1];
    if expected == "PASS" {
        return !fired.iter().any(|(i, _)| i == rule);
    }
    fired.contains(&(rule.to_string(), expected.to_string()))
}

pub fn multiset(v: &[Key]) -> BTreeMap<Key, usize> {
    let mut m = BTreeMap::new();
    for k in v {
        *m.entry(k.clone()).or_insert(0) += 1;
    }
    m
}

pub fn diff(a: &BTreeMap<Key, usize>, b: &BTreeMap<Key, usize>) -> Vec<String> {
    let mut out = Vec::new();
    for (k, &n) in a {
        let m = b.get(k).copied().unwrap_or(0);
        for _ in m..n {
            out.push(format!("{} {} {}", k.0, k.1, k.2));
        }
    }
    out
}

