//! The Schematron engine on small inline schemas: skeleton semantics, XPath features, messages,
//! diagnostics, and the load-time refusals.

use nemsis::schematron::xpath::datetime::DateTime;
use nemsis::schematron::{run_with, CheckKind, Dom, RunOptions, SchFinding, Schema};

fn schema(body: &str) -> String {
    format!(
        r#"<?xml version="1.0"?>
<sch:schema xmlns:sch="http://purl.oclc.org/dsdl/schematron" xmlns:xsl="http://www.w3.org/1999/XSL/Transform" queryBinding="xslt2">
  <sch:ns prefix="nem" uri="http://www.nemsis.org"/>
  <sch:ns prefix="xsi" uri="http://www.w3.org/2001/XMLSchema-instance"/>
{body}
</sch:schema>"#
    )
}

const DOC: &str = r#"<?xml version="1.0"?>
<EMSDataSet xmlns="http://www.nemsis.org" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <Header>
    <PatientCareReport UUID="u1">
      <eTimes>
        <eTimes.01>2024-01-01T10:00:00-05:00</eTimes.01>
        <eTimes.03>2024-01-01T09:00:00-05:00</eTimes.03>
        <eTimes.03>2024-01-01T11:30:00-05:00</eTimes.03>
      </eTimes>
      <ePatient>
        <ePatient.13 xsi:nil="true" NV="7701003"/>
        <ePatient.15>42</ePatient.15>
        <ePatient.17>2023-12-31</ePatient.17>
      </ePatient>
    </PatientCareReport>
  </Header>
</EMSDataSet>"#;

fn run_on(body: &str, doc: &str) -> Vec<SchFinding> {
    let s = Schema::from_bytes(schema(body).as_bytes(), "test.sch").unwrap_or_else(|e| panic!("{e}"));
    let dom = Dom::parse(doc.as_bytes()).unwrap();
    let now = DateTime::parse("2024-06-01T12:00:00Z");
    run_with(&s, &dom, &RunOptions { now })
}

fn ids(f: &[SchFinding]) -> Vec<String> {
    f.iter().map(|f| format!("{} {} {}", f.id, f.role, f.location)).collect()
}

fn load_err(body: &str) -> String {
    Schema::from_bytes(schema(body).as_bytes(), "test.sch").map(|_| ()).unwrap_err().to_string()
}

#[test]
fn first_matching_rule_of_a_pattern_wins() {
    let f = run_on(
        r#"<sch:pattern id="p1">
             <sch:rule id="r1" context="nem:eTimes.03[1]"><sch:report id="a" role="[WARNING]" test="true()">first</sch:report></sch:rule>
             <sch:rule id="r2" context="nem:eTimes.03"><sch:report id="b" role="[ERROR]" test="true()">any</sch:report></sch:rule>
           </sch:pattern>
           <sch:pattern id="p2">
             <sch:rule context="*[@NV]"><sch:assert role="[ERROR]" test="@xsi:nil = 'true'">ok</sch:assert></sch:rule>
             <sch:rule id="r4" context="nem:ePatient.13"><sch:report id="c" test="true()">never: an earlier rule matched</sch:report></sch:rule>
           </sch:pattern>"#,
        DOC,
    );
    assert_eq!(
        ids(&f),
        [
            "a WARNING /EMSDataSet[1]/Header[1]/PatientCareReport[1]/eTimes[1]/eTimes.03[1]",
            "b ERROR /EMSDataSet[1]/Header[1]/PatientCareReport[1]/eTimes[1]/eTimes.03[2]",
        ]
    );
    assert_eq!(f[0].kind, CheckKind::SuccessfulReport);
    assert_eq!(f[0].pattern, "p1");
    assert_eq!(f[0].line, 7);
}

#[test]
fn dates_lets_messages_and_id_fallback() {
    let f = run_on(
        r#"<sch:pattern>
             <sch:rule id="times" context="nem:eTimes.03">
               <sch:let name="start" value="xs:dateTime(../nem:eTimes.01)"/>
               <sch:assert role="[WARNING]" test="xs:dateTime(.) &gt;= $start">
                 <sch:name/> is   <sch:value-of select="$start - xs:dateTime(.)"/> before eTimes.01
               </sch:assert>
               <sch:report id="late" role="ERROR" test="xs:dateTime(.) - $start &gt; xs:dayTimeDuration('PT1H')">late</sch:report>
             </sch:rule>
           </sch:pattern>"#,
        DOC,
    );
    assert_eq!(f.len(), 2);
    assert_eq!(f[0].id, "times");
    assert_eq!(f[0].text, "eTimes.03 is PT1H before eTimes.01");
    assert_eq!((f[1].id.as_str(), f[1].role.as_str()), ("late", "ERROR"));
}

#[test]
fn xpath_features() {
    let body = r#"<sch:pattern>
        <sch:rule context="nem:ePatient">
          <sch:report id="count" test="count(*) = 3 and exists(nem:ePatient.15) and empty(nem:ePatient.99)">c</sch:report>
          <sch:report id="quant" test="some $e in * satisfies $e = '42' and (every $e in * satisfies local-name($e) != '')">q</sch:report>
          <sch:report id="join" test="string-join(for $e in * return substring-after(local-name($e), '.'), ',') = '13,15,17'">j</sch:report>
          <sch:report id="axes" test="nem:ePatient.15/preceding-sibling::*[1][@NV] and ancestor::nem:PatientCareReport[@UUID = 'u1']">a</sch:report>
          <sch:report id="num" test="nem:ePatient.15 * 2 = 84 and nem:ePatient.15 castable as xs:integer and not(nem:ePatient.17 castable as xs:integer)">n</sch:report>
          <sch:report id="date" test="xs:date(nem:ePatient.17) &lt; xs:date('2024-01-01') and (if (nem:ePatient.15 &gt; 40) then true() else false())">d</sch:report>
          <sch:report id="now" test="current-dateTime() &gt; xs:dateTime('2024-05-31T00:00:00Z') and matches(nem:ePatient.17, '^\d{4}-')">t</sch:report>
          <sch:report id="no" test="starts-with(nem:ePatient.15, '5') or nem:ePatient.15 = ('1', '2')">x</sch:report>
        </sch:rule>
      </sch:pattern>"#;
    let got: Vec<String> = run_on(body, DOC).into_iter().map(|f| f.id).collect();
    assert_eq!(got, ["count", "quant", "join", "axes", "num", "date", "now"]);
}

#[test]
fn key_lookup_table_and_nemsis_diagnostic() {
    let body = r#"
      <xsl:variable name="lookup"><nemSch_lookup_elements xmlns="http://www.nemsis.org">
        <element name="ePatient.13">Gender</element><element name="ePatient.15">Age</element>
      </nemSch_lookup_elements></xsl:variable>
      <sch:let name="elements" value="$lookup//*:nemSch_lookup_elements"/>
      <xsl:key name="k" match="nem:element" use="@name"/>
      <sch:let name="nemsisElements" value="()"/>
      <sch:let name="nemsisElementsMissing" value="''"/>
      <sch:let name="nemsisElementsMissingContext" value="()"/>
      <sch:pattern>
        <sch:rule context="nem:ePatient.15">
          <sch:let name="nemsisElements" value="., ../nem:ePatient.13"/>
          <sch:let name="nemsisElementsMissing" value="'ePatient.16 eTimes.05'"/>
          <sch:let name="nemsisElementsMissingContext" value="ancestor::nem:PatientCareReport/nem:eTimes"/>
          <sch:assert id="x" role="[WARNING]" diagnostics="nemsisDiagnostic plain" test="false()">
            <sch:value-of select="key('k', local-name(), $elements)"/> and <sch:value-of select="key('k', 'ePatient.13', $elements)"/>
          </sch:assert>
        </sch:rule>
      </sch:pattern>
      <sch:diagnostics>
        <sch:diagnostic id="nemsisDiagnostic"><nemsisDiagnostic xmlns="http://www.nemsis.org"><xsl:copy-of select="."/></nemsisDiagnostic></sch:diagnostic>
        <sch:diagnostic id="plain">Value: <sch:value-of select="."/></sch:diagnostic>
      </sch:diagnostics>"#;
    let f = run_on(body, DOC);
    assert_eq!(f.len(), 1);
    assert_eq!(f[0].text, "Age and Gender");
    let d = f[0].nemsis.as_ref().expect("nemsisDiagnostic");
    assert_eq!(
        d.elements,
        [
            "/EMSDataSet[1]/Header[1]/PatientCareReport[1]/ePatient[1]/ePatient.15[1]",
            "/EMSDataSet[1]/Header[1]/PatientCareReport[1]/ePatient[1]/ePatient.13[1]"
        ]
    );
    assert_eq!(
        d.missing[0].parent_location,
        "/EMSDataSet[1]/Header[1]/PatientCareReport[1]/ePatient[1]/ePatient.15[1]"
    );
    assert_eq!(d.missing[1].parent_location, "/EMSDataSet[1]/Header[1]/PatientCareReport[1]/eTimes[1]");
    assert_eq!(f[0].diagnostics, [("plain".to_string(), "Value: 42".to_string())]);
}

#[test]
fn dynamic_errors_are_fatal_findings() {
    let f = run_on(
        r#"<sch:pattern><sch:rule context="nem:eTimes"><sch:assert id="e" role="[WARNING]" test="xs:dateTime(nem:eTimes.03) &gt; xs:dateTime('2020-01-01T00:00:00Z')">x</sch:assert></sch:rule></sch:pattern>"#,
        DOC,
    );
    assert_eq!(f.len(), 1);
    assert_eq!((f[0].id.as_str(), f[0].role.as_str(), f[0].kind), ("e", "FATAL", CheckKind::EvaluationError));
    assert!(f[0].text.contains("XPTY0004"), "{}", f[0].text);
}

#[test]
fn unsupported_constructs_are_refused_with_line() {
    let e = load_err(
        r#"<sch:pattern><sch:rule context="*"><sch:assert test="foo(.)">x</sch:assert></sch:rule></sch:pattern>"#,
    );
    assert!(e.contains("test.sch:5:") && e.contains("unknown function `foo#1`"), "{e}");
    let e = load_err(
        "<sch:pattern>\n<sch:rule context=\"*\">\n<sch:assert test=\"$nope\">x</sch:assert></sch:rule></sch:pattern>",
    );
    assert!(e.contains("test.sch:7:") && e.contains("undeclared variable `$nope`"), "{e}");
    let e = load_err(r#"<sch:include href="x.sch"/>"#);
    assert!(e.contains("sch:include"), "{e}");
    let e = load_err(r#"<xsl:function name="f"/>"#);
    assert!(e.contains("xsl:function"), "{e}");
    let e = load_err(
        r#"<sch:pattern><sch:rule context="@NV"><sch:assert test=".">x</sch:assert></sch:rule></sch:pattern>"#,
    );
    assert!(e.contains("never visited"), "{e}");
    let e = load_err(
        r#"<sch:pattern><sch:rule context="x"><sch:assert test="matches(., '(a)\1')">x</sch:assert></sch:rule></sch:pattern>"#,
    );
    assert!(e.contains("back-references"), "{e}");
    let e = load_err(
        r#"<sch:pattern><sch:rule context="x"><sch:assert test="p:y">x</sch:assert></sch:rule></sch:pattern>"#,
    );
    assert!(e.contains("undeclared namespace prefix `p`"), "{e}");
    let e = load_err(
        r#"<sch:pattern><sch:rule context="x"><sch:assert test="1" diagnostics="d">x</sch:assert></sch:rule></sch:pattern>"#,
    );
    assert!(e.contains("unknown diagnostic `d`"), "{e}");
    let e = Schema::from_bytes(br#"<sch:schema xmlns:sch="http://purl.oclc.org/dsdl/schematron"/>"#, "t.sch")
        .unwrap_err()
        .to_string();
    assert!(e.contains("queryBinding"), "{e}");
}

#[test]
fn abstract_rules_and_extends() {
    let f = run_on(
        r#"<sch:pattern>
             <sch:rule abstract="true" id="base"><sch:assert id="nonempty" role="[ERROR]" test="normalize-space(.) != ''">empty</sch:assert></sch:rule>
             <sch:rule context="nem:ePatient.13"><sch:extends rule="base"/></sch:rule>
           </sch:pattern>"#,
        DOC,
    );
    assert_eq!(ids(&f), ["nonempty ERROR /EMSDataSet[1]/Header[1]/PatientCareReport[1]/ePatient[1]/ePatient.13[1]"]);
}

#[test]
fn schema_is_shareable_between_threads() {
    fn check<T: Send + Sync>() {}
    check::<Schema>();
}

#[test]
fn lets_are_lazy_and_bindings_do_not_clash() {
    let f = run_on(
        r#"<sch:pattern><sch:rule context="nem:ePatient">
             <sch:let name="a" value="for $x in * return for $y in $x return local-name($y)"/>
             <sch:let name="b" value="count($a)"/>
             <sch:let name="bad" value="xs:dateTime(.)"/>
             <sch:report id="r" role="[WARNING]" test="$b = 3 and (true() or $bad)">n=<sch:value-of select="$b"/></sch:report>
           </sch:rule></sch:pattern>"#,
        DOC,
    );
    assert_eq!(f.len(), 1);
    assert_eq!((f[0].kind, f[0].text.as_str()), (CheckKind::SuccessfulReport, "n=3"));
}
