//! `nemsis validate --format svrl`: one SVRL report (ISO Schematron Validation Report Language)
//! per document, shaped like the official NEMSIS validator's, so tools that read its reports
//! read ours.
//!
//! The output is a sequence of XML documents on stdout, one per input document, in input order.
//! Each starts with an XML declaration on a line of its own, then a comment naming the source,
//! then the report:
//!
//! ```text
//! <?xml version="1.0" encoding="UTF-8"?>
//! <!-- nemsis-svrl source="samples/ems/one.xml" dataset="EMSDataSet" version="3.5.1" -->
//! <svrl:schematron-output xmlns:svrl="http://purl.oclc.org/dsdl/svrl" ... title="..." schemaVersion="3.5.1">
//!    <svrl:ns-prefix-in-attribute-values uri="http://www.nemsis.org" prefix="nem"/>
//!    <svrl:active-pattern document="samples/ems/one.xml" id="nemsis-validate" name="XSD and Schematron findings"/>
//!    <svrl:failed-assert id="nemSch_e019" role="[WARNING]"
//!       location="/*:EMSDataSet[namespace-uri()='http://www.nemsis.org'][1]/*:Header[namespace-uri()='http://www.nemsis.org'][1]/...">
//!       <svrl:text>...</svrl:text>
//!       <svrl:diagnostic-reference diagnostic="position">line 58, column 13</svrl:diagnostic-reference>
//!    </svrl:failed-assert>
//! </svrl:schematron-output>
//! ```
//!
//! To split the stream, cut before every line that starts with `<?xml ` (no other line does:
//! values are escaped and reports are indented). Readers that want one document can wrap the
//! reports in an element of their own after dropping the declarations.
//!
//! - Rule findings (national rules, native or through the engine, and `--schematron` files):
//!   `svrl:failed-assert` for an `sch:assert`, `svrl:successful-report` for an `sch:report`,
//!   with `id` (the assert/report id), `role` in brackets as the official files write it
//!   (`[ERROR]`, `[WARNING]`), `location` spelled as the official reports spell it
//!   (`/*:Name[namespace-uri()='http://www.nemsis.org'][k]` on every step) and `svrl:text`
//!   (our message for the native rules, the rendered `.sch` message for the engine).
//! - XSD, well-formedness and input findings, which have no Schematron rule, are
//!   `svrl:failed-assert` with `role="[FATAL]"` and `id` `xsd`, `parse` or `io`, the location of
//!   the element concerned (the document element's when unknown) and the message as text; SVRL
//!   readers that only look at `failed-assert` ids and roles see them as fatal errors.
//! - Every finding carries its line and column in a `svrl:diagnostic-reference` with
//!   `diagnostic="position"`.
//! - The report is not a trace: one `svrl:active-pattern` names the document (`@document`),
//!   `svrl:fired-rule` is not written, and the `test` attribute of the official reports (the
//!   assert's XPath) is left out (the native rules have no XPath to quote).

use std::io::{self, Write};

use super::report::DocReport;
use crate::finding::{Finding, Kind};

const NEMSIS_NS: &str = crate::schema::model::NEMSIS_NS;

/// Write one document's report. `is_report(finding)` tells an `sch:report` finding from an
/// `sch:assert` one (only asked for findings of kind `schematron`).
pub fn write_report(out: &mut dyn Write, r: &DocReport, is_report: &dyn Fn(&Finding) -> bool) -> io::Result<()> {
    writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
    let mut head = format!("source=\"{}\"", esc(&r.source));
    if let Some(d) = &r.dataset {
        head.push_str(&format!(" dataset=\"{}\"", esc(d)));
    }
    if let Some(v) = &r.version {
        head.push_str(&format!(" version=\"{}\"", esc(v)));
    }
    // "--" may not occur inside a comment.
    writeln!(out, "<!-- nemsis-svrl {} -->", head.replace("--", "-&#45;"))?;
    write!(
        out,
        "<svrl:schematron-output xmlns:svrl=\"http://purl.oclc.org/dsdl/svrl\" xmlns:nem=\"{NEMSIS_NS}\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" title=\"nemsis validate: NEMSIS XSD and Schematron findings\""
    )?;
    if let Some(v) = &r.version {
        write!(out, " schemaVersion=\"{}\"", esc(v))?;
    }
    writeln!(out, ">")?;
    writeln!(out, "   <svrl:ns-prefix-in-attribute-values uri=\"{NEMSIS_NS}\" prefix=\"nem\"/>")?;
    writeln!(out, "   <svrl:active-pattern document=\"{}\" id=\"nemsis-validate\" name=\"XSD and Schematron findings\"/>", esc(&r.source))?;
    let root = r.dataset.as_deref().map(|d| format!("/{d}")).unwrap_or_default();
    for f in &r.findings {
        let (elem, id) = match f.kind {
            Kind::Schematron if is_report(f) => ("svrl:successful-report", f.rule.as_deref().unwrap_or("")),
            Kind::Schematron | Kind::Coding => ("svrl:failed-assert", f.rule.as_deref().unwrap_or("")),
            Kind::Xsd => ("svrl:failed-assert", "xsd"),
            Kind::Parse => ("svrl:failed-assert", "parse"),
            Kind::Io => ("svrl:failed-assert", "io"),
        };
        let path = if f.path.is_empty() { root.as_str() } else { f.path.as_str() };
        writeln!(out, "   <{elem} id=\"{}\" role=\"[{}]\" location=\"{}\">", esc(id), f.severity.as_str(), esc(&official_location(path)))?;
        writeln!(out, "      <svrl:text>{}</svrl:text>", esc(&f.message))?;
        if f.line > 0 {
            writeln!(out, "      <svrl:diagnostic-reference diagnostic=\"position\">line {}, column {}</svrl:diagnostic-reference>", f.line, f.column)?;
        }
        writeln!(out, "   </{elem}>")?;
    }
    writeln!(out, "</svrl:schematron-output>")
}

/// `/EMSDataSet[1]/Header/PatientCareReport[2]` →
/// `/*:EMSDataSet[namespace-uri()='http://www.nemsis.org'][1]/*:Header[namespace-uri()='…'][1]/…`
/// (a step without a position is the first of its name). Attribute steps pass through.
pub fn official_location(path: &str) -> String {
    let mut out = String::with_capacity(path.len() * 3);
    for step in path.split('/').filter(|s| !s.is_empty()) {
        out.push('/');
        if step.starts_with('@') || step.contains('(') {
            out.push_str(step);
            continue;
        }
        let (name, pos) = match step.split_once('[') {
            Some((n, rest)) => (n, rest.trim_end_matches(']')),
            None => (step, "1"),
        };
        out.push_str(&format!("*:{name}[namespace-uri()='{NEMSIS_NS}'][{pos}]"));
    }
    if out.is_empty() {
        out.push('/');
    }
    out
}

/// Escape text for an attribute value or element content.
fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\n' => o.push_str("&#10;"),
            '\r' => o.push_str("&#13;"),
            '\t' => o.push_str("&#9;"),
            c if (c as u32) < 0x20 => o.push('\u{FFFD}'),
            c => o.push(c),
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;

    #[test]
    fn locations_in_the_official_spelling() {
        assert_eq!(
            official_location("/EMSDataSet[1]/Header/PatientCareReport[2]"),
            "/*:EMSDataSet[namespace-uri()='http://www.nemsis.org'][1]/*:Header[namespace-uri()='http://www.nemsis.org'][1]/*:PatientCareReport[namespace-uri()='http://www.nemsis.org'][2]"
        );
        assert_eq!(official_location(""), "/");
    }

    #[test]
    fn one_document_per_report() {
        let f = |kind, rule: Option<&str>, severity| Finding {
            record: None,
            kind,
            rule: rule.map(str::to_string),
            severity,
            element: None,
            line: 3,
            column: 5,
            path: "/EMSDataSet/Header[1]".into(),
            message: "a < b & \"c\"".into(),
        };
        let r = DocReport {
            source: "x--y.xml".into(),
            dataset: Some("EMSDataSet".into()),
            version: Some("3.5.1".into()),
            well_formed: true,
            xsd_valid: false,
            records: 1,
            findings: vec![f(Kind::Xsd, None, Severity::Fatal), f(Kind::Schematron, Some("r1"), Severity::Warning)],
        };
        let mut out = Vec::new();
        write_report(&mut out, &r, &|f| f.rule.as_deref() == Some("r1")).unwrap();
        let s = String::from_utf8(out).unwrap();
        assert_eq!(s.lines().filter(|l| l.starts_with("<?xml ")).count(), 1);
        assert!(s.contains("<svrl:failed-assert id=\"xsd\" role=\"[FATAL]\""));
        assert!(s.contains("<svrl:successful-report id=\"r1\" role=\"[WARNING]\""));
        assert!(s.contains("a &lt; b &amp; &quot;c&quot;"));
        assert!(!s.split("<!--").nth(1).unwrap().split("-->").next().unwrap().contains("--"));
        // Well-formed.
        let mut rd = quick_xml::Reader::from_str(&s);
        loop {
            match rd.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(_) => {}
                Err(e) => panic!("{e}"),
            }
        }
    }
}
