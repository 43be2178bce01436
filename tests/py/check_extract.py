#!/usr/bin/env python3
"""A real consumer of a `nemsis ingest` extract: pyarrow and DuckDB.

Usage:
    check_extract.py --parquet DIR [--csv DIR] --layout FILE [--root DIR] INPUT...

INPUT are the inputs given to `nemsis ingest` (files, directories, .zip), relative to --root
(the directory the tool ran in). --layout names the layout's tables with their dataset and
element, as derived from the schema model by the Rust test. The XML inputs are read here,
independently of the tool (xml.etree + zipfile), to count records and repeating elements and to
read a few values.

Checks (each failure is printed; exit status 1 when any failed, 0 otherwise):
  * every table of the extract opens with pyarrow and with DuckDB, both count the same rows,
    and that is the count in manifest.json (for every table listed there); record tables (pcr, dem_report, state_report) have one row per
    complete record element in the XML, every other layout table one row per occurrence of its
    element (eVitals_VitalGroup = eVitals.VitalGroup elements, dem_dAgency_06 = dAgency.06, ...)
    within complete records; header tables (header, dem_header) one row per header context
    (EMS Header, DEM document) holding a record, their child tables (eCustomConfiguration_CustomGroup,
    ...) one per occurrence of their element in those contexts; every layout table is written;
  * column types: eTimes_03 timestamp[us, tz=UTC] (DuckDB TIMESTAMP WITH TIME ZONE), its
    _offset int16, eVitals_06 int64, eResponse_05 dictionary<int32, string> (DuckDB VARCHAR),
    ePatient_17 date32 (DuckDB DATE), _nil bool, keys int64; no column of an unexpected type;
  * values against the XML, for every PCR, through pyarrow and through DuckDB: eResponse.05,
    eTimes.03 (UTC instant and offset minutes), ePatient.17, eTimes.01 (nil / NV), and eVitals.06
    of every vital-signs group in order;
  * a DuckDB join of pcr with codes gives each PCR exactly one row and the documented labels;
  * pcr and dem_report rows join their header row on HeaderKey (same source and member);
    findings carry PcrKey, DemKey or StateKey (at most one), each naming an existing record;
  * with --csv: every CSV table opens with pyarrow.csv and DuckDB read_csv, row counts match
    that extract's manifest and the Parquet extract, header names match the Parquet columns.
"""

import argparse
import csv
import datetime
import gzip
import io
import json
import os
import sys
import xml.etree.ElementTree as ET
import zipfile

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

NS = "{http://www.nemsis.org}"
XSI_NIL = "{http://www.w3.org/2001/XMLSchema-instance}nil"
RECORD = {"EMSDataSet": "PatientCareReport", "DEMDataSet": "DemographicReport", "StateDataSet": "StateDataSet"}
RECORD_TABLE = {"EMSDataSet": "pcr", "DEMDataSet": "dem_report", "StateDataSet": "state_report"}
# the element whose occurrences are the header contexts of a dataset's records
CONTEXT = {"EMSDataSet": "Header", "DEMDataSet": "DEMDataSet"}

failures = []
checks = 0


def check(cond, msg):
    global checks
    checks += 1
    if not cond:
        failures.append(msg)
        print("FAIL:", msg)


# ------------------------------------------------------------------------------------------------
# The XML side


def documents(root, inputs):
    """(source, member, bytes) of every XML document, in the tool's order (names sorted)."""
    def from_file(display, path):
        low = path.lower()
        if low.endswith(".zip"):
            with zipfile.ZipFile(path) as z:
                for info in z.infolist():
                    if info.is_dir() or not info.filename.lower().endswith(".xml"):
                        continue
                    yield display, info.filename, z.read(info)
        elif low.endswith(".gz"):
            with gzip.open(path) as f:
                yield display, None, f.read()
        else:
            with open(path, "rb") as f:
                yield display, None, f.read()

    def walk(display, path):
        if os.path.isdir(path):
            for name in sorted(os.listdir(path), key=lambda n: n.encode()):
                p = os.path.join(path, name)
                d = display.rstrip("/") + "/" + name
                if os.path.isdir(p) or name.lower().endswith((".xml", ".zip", ".gz")):
                    yield from walk(d, p)
        else:
            yield from from_file(display, path)

    for i in inputs:
        yield from walk(i, os.path.join(root, i))


def local(tag):
    return tag.split("}", 1)[1] if "}" in tag else tag


def walk_records(data):
    """Complete records of one document: dicts with dataset, uuid, counts (local name -> n),
    and the values read for the value checks; the document's header contexts that hold a
    record (complete or cut short): dicts with dataset and counts of the elements before the
    first record; and whether the document broke."""
    records = []
    contexts = []
    dataset = None
    stack = []
    cur = None
    ctx = None
    broken = False
    try:
        for event, el in ET.iterparse(io.BytesIO(data), events=("start", "end")):
            name = local(el.tag)
            if event == "start":
                if dataset is None:
                    dataset = name
                stack.append(name)
                if name == CONTEXT.get(dataset) and cur is None:
                    ctx = {"dataset": dataset, "counts": {name: 1}, "records": 0}
                elif name == RECORD.get(dataset) and cur is None:
                    cur = {"dataset": dataset, "uuid": el.get("UUID"), "counts": {}, "vitals06": [], "values": {}}
                    if ctx is not None:
                        # the context is frozen at its first record
                        if ctx["records"] == 0:
                            contexts.append(ctx)
                        ctx["records"] += 1
                elif cur is not None:
                    cur["counts"][name] = cur["counts"].get(name, 0) + 1
                elif ctx is not None and ctx["records"] == 0:
                    ctx["counts"][name] = ctx["counts"].get(name, 0) + 1
                continue
            stack.pop()
            if cur is None:
                continue
            nil = el.get(XSI_NIL) in ("true", "1")
            if name in ("eResponse.05", "eTimes.03", "ePatient.17", "eTimes.01"):
                cur["values"][name] = (None if nil else (el.text or ""), el.get("NV"), nil)
            elif name == "eVitals.VitalGroup":
                v = next(el.iter(NS + "eVitals.06"), None)
                if v is None or v.get(XSI_NIL) in ("true", "1"):
                    cur["vitals06"].append(None)
                else:
                    cur["vitals06"].append(int(v.text.strip()))
            if name == RECORD.get(dataset):
                records.append(cur)
                cur = None
            if len(stack) <= 2:
                el.clear()
    except ET.ParseError:
        # cut inside a record: that record is unreadable
        broken = cur is not None
    return dataset, records, contexts, broken


# ------------------------------------------------------------------------------------------------
# The extract side


def pa_table(path, fmt):
    if fmt == "parquet":
        return pq.read_table(path)
    return pacsv.read_csv(path, parse_options=pacsv.ParseOptions(newlines_in_values=True))


def duck_source(path, fmt):
    p = path.replace("'", "''")
    if fmt == "parquet":
        return f"read_parquet('{p}')"
    return f"read_csv('{p}', header=true, all_varchar=true)"


def table_files(d, fmt):
    return sorted(f[: -len(fmt) - 1] for f in os.listdir(d) if f.endswith("." + fmt))


def check_counts(d, fmt, con, manifest, records, contexts, unreadable, layout):
    rows = {t["table"]: t["rows"] for t in manifest["tables"]}
    files = table_files(d, fmt)
    # codes is checked against the manifest only when listed there (ingest_consumers.rs has a
    # separate test that the manifest accounts for every file)
    missing = [t for t in files if t not in rows and t != "codes"]
    extra = [t for t in rows if t not in files]
    check(not missing and not extra, f"{fmt}: tables without a manifest entry {missing}, manifest entries without a file {extra}")
    by_ds = {}
    for r in records:
        by_ds.setdefault(r["dataset"], []).append(r)
    ctx_by_ds = {}
    for c in contexts:
        ctx_by_ds.setdefault(c["dataset"], []).append(c)
    counted = {}
    for t in files:
        path = os.path.join(d, f"{t}.{fmt}")
        n_pa = pa_table(path, fmt).num_rows
        n_duck = con.execute(f"select count(*) from {duck_source(path, fmt)}").fetchone()[0]
        check(n_pa == n_duck, f"{fmt} {t}: pyarrow counts {n_pa} rows, DuckDB {n_duck}")
        if t in rows:
            check(n_pa == rows[t], f"{fmt} {t}: pyarrow counts {n_pa} rows, manifest {rows[t]}")
        counted[t] = n_pa
        if t not in layout:
            # findings, codes, claims, ...: not one row per XML element
            continue
        ds, elem, scope = layout[t]
        if scope == "header":
            # header tables: one row per header context holding a record (header, dem_header),
            # one per occurrence of a repeating element in those contexts (eCustomConfiguration_CustomGroup, ...)
            want = sum(c["counts"].get(elem, 0) for c in ctx_by_ds.get(ds, []))
            check(n_pa == want, f"{fmt} {t}: {n_pa} rows, {want} {elem} elements in header contexts with a record in the XML")
        elif t in RECORD_TABLE.values():
            want = len(by_ds.get(ds, []))
            check(n_pa == want, f"{fmt} {t}: {n_pa} rows, {want} complete {RECORD[ds]} elements in the XML")
        else:
            want = sum(r["counts"].get(elem, 0) for r in by_ds.get(ds, []))
            check(n_pa == want, f"{fmt} {t}: {n_pa} rows, {want} {elem} elements in complete records in the XML")
    missing_layout = sorted(t for t in layout if t not in files)
    check(not missing_layout, f"{fmt}: layout tables not written: {missing_layout}")
    read = manifest["totals"]["records_read"]
    check(read == len(records) + unreadable, f"{fmt}: manifest records_read {read} == {len(records)} complete records + {unreadable} cut short")
    check(manifest["totals"]["unreadable"] == unreadable, f"{fmt}: manifest unreadable {manifest['totals']['unreadable']} == {unreadable}")
    check(manifest["invariant"]["holds"] is True, f"{fmt}: manifest invariant holds")
    check(counted.get("codes", 0) > 1000, f"{fmt}: codes has {counted.get('codes')} rows")
    return counted


ALLOWED_TYPES = (
    pa.string(),
    pa.dictionary(pa.int32(), pa.string()),
    pa.int64(),
    pa.int16(),
    pa.bool_(),
    pa.date32(),
    pa.timestamp("us", tz="UTC"),
    pa.float64(),
)


def check_types(d, con):
    pcr = pq.read_schema(os.path.join(d, "pcr.parquet"))
    vit = pq.read_schema(os.path.join(d, "eVitals_VitalGroup.parquet"))
    t = lambda s, c: s.field(c).type
    check(t(pcr, "eTimes_03") == pa.timestamp("us", tz="UTC"), f"pcr.eTimes_03 is {t(pcr, 'eTimes_03')}, want timestamp[us, tz=UTC]")
    check(t(pcr, "eTimes_03_offset") == pa.int16(), f"pcr.eTimes_03_offset is {t(pcr, 'eTimes_03_offset')}, want int16")
    check(t(vit, "eVitals_06") == pa.int64(), f"eVitals_VitalGroup.eVitals_06 is {t(vit, 'eVitals_06')}, want int64")
    check(t(pcr, "eResponse_05") == pa.dictionary(pa.int32(), pa.string()), f"pcr.eResponse_05 is {t(pcr, 'eResponse_05')}, want dictionary<int32, string>")
    check(t(pcr, "ePatient_17") == pa.date32(), f"pcr.ePatient_17 is {t(pcr, 'ePatient_17')}, want date32")
    check(t(pcr, "eTimes_01_nil") == pa.bool_(), f"pcr.eTimes_01_nil is {t(pcr, 'eTimes_01_nil')}, want bool")
    check(t(pcr, "PcrKey") == pa.int64() and not pcr.field("PcrKey").nullable, "pcr.PcrKey is a non-null int64")
    check(t(vit, "Ordinal") == pa.int64() and t(vit, "ParentOrdinal") == pa.int64(), "Ordinal/ParentOrdinal are int64")
    duck = dict(
        (r[0], r[1])
        for r in con.execute(f"describe select eTimes_03, eTimes_03_offset, eResponse_05, ePatient_17, eTimes_01_nil from {duck_source(os.path.join(d, 'pcr.parquet'), 'parquet')}").fetchall()
    )
    want = {"eTimes_03": "TIMESTAMP WITH TIME ZONE", "eTimes_03_offset": "SMALLINT", "eResponse_05": "VARCHAR", "ePatient_17": "DATE", "eTimes_01_nil": "BOOLEAN"}
    check(duck == want, f"DuckDB types {duck} == {want}")
    v6 = con.execute(f"describe select eVitals_06 from {duck_source(os.path.join(d, 'eVitals_VitalGroup.parquet'), 'parquet')}").fetchall()[0][1]
    check(v6 == "BIGINT", f"DuckDB eVitals_06 is {v6}, want BIGINT")
    for f in table_files(d, "parquet"):
        for field in pq.read_schema(os.path.join(d, f + ".parquet")):
            ok = field.type in ALLOWED_TYPES or pa.types.is_decimal(field.type)
            check(ok, f"{f}.{field.name}: unexpected type {field.type}")


def micros(text):
    """xs:dateTime with offset -> (UTC microseconds since the epoch, offset minutes)."""
    dt = datetime.datetime.fromisoformat(text.strip())
    off = dt.utcoffset()
    epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
    delta = dt - epoch
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds, int(off.total_seconds() // 60)


def check_values(d, con, docs):
    """Every PCR's values read through pyarrow and DuckDB against the XML."""
    pcr_path = os.path.join(d, "pcr.parquet")
    vit_path = os.path.join(d, "eVitals_VitalGroup.parquet")
    cols = ["PcrKey", "pcr_uuid", "source", "member", "eResponse_05", "eTimes_03", "eTimes_03_offset", "ePatient_17", "eTimes_01", "eTimes_01_NV", "eTimes_01_nil"]
    t = pq.read_table(pcr_path, columns=cols)
    t = t.set_column(cols.index("eTimes_03"), "eTimes_03", t.column("eTimes_03").cast(pa.int64()))
    t = t.set_column(cols.index("eTimes_01"), "eTimes_01", t.column("eTimes_01").cast(pa.int64()))
    t = t.set_column(cols.index("ePatient_17"), "ePatient_17", t.column("ePatient_17").cast(pa.int32()))
    rows_pa = t.to_pylist()
    rows_duck = [
        dict(zip(cols, r))
        for r in con.execute(
            f"""select PcrKey, pcr_uuid, source, member, eResponse_05, epoch_us(eTimes_03), eTimes_03_offset,
                       (ePatient_17 - DATE '1970-01-01')::INTEGER, epoch_us(eTimes_01), eTimes_01_NV, eTimes_01_nil
                from {duck_source(pcr_path, 'parquet')} order by PcrKey"""
        ).fetchall()
    ]
    vit = pq.read_table(vit_path, columns=["PcrKey", "Ordinal", "eVitals_06"]).to_pylist()
    vit_duck = con.execute(f"select PcrKey, Ordinal, eVitals_06 from {duck_source(vit_path, 'parquet')} order by PcrKey, Ordinal").fetchall()
    check([(r["PcrKey"], r["Ordinal"], r["eVitals_06"]) for r in sorted(vit, key=lambda r: (r["PcrKey"], r["Ordinal"]))] == vit_duck, "eVitals_06: pyarrow and DuckDB agree")
    vitals = {}
    for r in sorted(vit, key=lambda r: (r["PcrKey"], r["Ordinal"])):
        vitals.setdefault(r["PcrKey"], []).append(r["eVitals_06"])
    # the XML's PCRs by (source, member), in document order
    xml_pcrs = {}
    for source, member, recs in docs:
        xml_pcrs[(source, member)] = [r for r in recs if r["dataset"] == "EMSDataSet"]
    n = 0
    for label, rows in (("pyarrow", rows_pa), ("DuckDB", rows_duck)):
        rows = sorted(rows, key=lambda r: r["PcrKey"])
        seen = {}
        for row in rows:
            k = (row["source"], row["member"])
            i = seen.get(k, 0)
            seen[k] = i + 1
            recs = xml_pcrs.get(k, [])
            if i >= len(recs):
                check(False, f"{label}: PCR {row['PcrKey']} of {k} has no counterpart in the XML")
                continue
            x = recs[i]
            where = f"{label}: {k[0]}{'!' + k[1] if k[1] else ''} PCR #{i + 1} (PcrKey {row['PcrKey']})"
            check(row["pcr_uuid"] == x["uuid"], f"{where}: pcr_uuid {row['pcr_uuid']} == {x['uuid']}")
            val, nv, nil = x["values"].get("eResponse.05", (None, None, False))
            check(row["eResponse_05"] == val, f"{where}: eResponse_05 {row['eResponse_05']!r} == {val!r}")
            val, nv, nil = x["values"].get("eTimes.03", (None, None, False))
            if val is not None:
                us, off = micros(val)
                check(row["eTimes_03"] == us and row["eTimes_03_offset"] == off, f"{where}: eTimes_03 {row['eTimes_03']} / {row['eTimes_03_offset']} == {val} ({us} / {off})")
            val, nv, nil = x["values"].get("ePatient.17", (None, None, False))
            want = None if val is None else (datetime.date.fromisoformat(val.strip()) - datetime.date(1970, 1, 1)).days
            check(row["ePatient_17"] == want, f"{where}: ePatient_17 {row['ePatient_17']} == {val}")
            val, nv, nil = x["values"].get("eTimes.01", (None, None, False))
            check(row["eTimes_01"] == (None if val is None else micros(val)[0]), f"{where}: eTimes_01 {row['eTimes_01']} == {val}")
            check(row["eTimes_01_NV"] == nv, f"{where}: eTimes_01_NV {row['eTimes_01_NV']} == {nv}")
            check(row["eTimes_01_nil"] == (True if nil else None), f"{where}: eTimes_01_nil {row['eTimes_01_nil']} == {nil}")
            check(vitals.get(row["PcrKey"], []) == x["vitals06"], f"{where}: eVitals_06 by Ordinal {vitals.get(row['PcrKey'], [])} == {x['vitals06']}")
            n += 1
        for k, recs in xml_pcrs.items():
            check(seen.get(k, 0) == len(recs), f"{label}: {k}: {seen.get(k, 0)} pcr rows, {len(recs)} complete PCRs in the XML")
    return n


def check_join(d, con):
    pcr = duck_source(os.path.join(d, "pcr.parquet"), "parquet")
    codes = duck_source(os.path.join(d, "codes.parquet"), "parquet")
    rows = con.execute(
        f"""select p.PcrKey, p.eResponse_05, c.label, p.eTimes_01_NV, n.label
            from {pcr} p
            left join {codes} c on c.dataset = 'EMSDataSet' and c."column" = 'eResponse_05' and c.code = p.eResponse_05
            left join {codes} n on n.dataset = 'EMSDataSet' and n."column" = 'eTimes_01_NV' and n.code = p.eTimes_01_NV
            order by p.PcrKey"""
    ).fetchall()
    n_pcr = con.execute(f"select count(*) from {pcr}").fetchone()[0]
    check(len(rows) == n_pcr, f"join pcr x codes: {len(rows)} rows for {n_pcr} PCRs (no fan-out)")
    known = dict(con.execute(f"""select code, label from {codes} where "column" = 'eResponse_05'""").fetchall())
    # labels as documented in the 3.5.1 XSD (eResponse_v3.xsd)
    documented = {
        "2205001": "Emergency Response (Primary Response Area)",
        "2205005": "Hospital-to-Hospital Transfer",
        "2205015": "Hospital to Non-Hospital Facility Transfer",
        "2205007": "Other Routine Medical Transport",
        "2205017": "Non-Hospital Facility to Non-Hospital Facility Transfer",
    }
    for code, label in documented.items():
        check(known.get(code) == label, f"codes: eResponse_05 {code} labelled {known.get(code)!r}, want {label!r}")
    labelled = 0
    unknown = 0
    for key, code, label, nv, nv_label in rows:
        if code in known:
            check(label == known[code], f"join: PcrKey {key} eResponse_05 {code} -> {label!r}")
            labelled += label is not None
        else:
            # e.g. 2205099 of invalid/bad-code.xml: not in the code list, so no label
            check(label is None, f"join: PcrKey {key} unknown code {code} -> {label!r}")
            unknown += 1
        want_nv = {"7701001": "Not Applicable", "7701003": "Not Recorded"}.get(nv)
        check(nv_label == want_nv, f"join: PcrKey {key} eTimes_01_NV {nv} -> {nv_label!r}, want {want_nv!r}")
    check(labelled > 0, "join: some PCR got a label")
    check(unknown > 0 or not any(r[1] == "2205099" for r in rows), "join: the code 2205099 (invalid/bad-code.xml) has no label")
    return labelled


def check_keys(d, con):
    """Records join their header context on HeaderKey; findings name their record by the key
    column of its dataset."""
    src = lambda t: duck_source(os.path.join(d, t + ".parquet"), "parquet")
    for rec, hdr, extra in (("pcr", "header", " and r.dAgency_01 is not distinct from h.dAgency_01"), ("dem_report", "dem_header", "")):
        n, joined = con.execute(
            f"""select count(*), count(h.HeaderKey) from {src(rec)} r left join {src(hdr)} h
                on h.HeaderKey = r.HeaderKey and h.source = r.source and h.member is not distinct from r.member{extra}"""
        ).fetchone()
        check(n == joined, f"{rec} x {hdr} on HeaderKey: {joined} of {n} rows join their header (same source, member)")
        dup = con.execute(f"select count(*) - count(distinct HeaderKey) from {src(hdr)}").fetchone()[0]
        check(dup == 0, f"{hdr}: HeaderKey is unique")
    f = pq.read_schema(os.path.join(d, "findings.parquet"))
    check(f.names[:3] == ["PcrKey", "DemKey", "StateKey"] and all(f.field(c).type == pa.int64() for c in f.names[:3]), f"findings key columns {f.names[:3]}")
    both = con.execute(f"""select count(*) from {src('findings')} where (PcrKey is not null)::INT + (DemKey is not null)::INT + (StateKey is not null)::INT > 1""").fetchone()[0]
    check(both == 0, f"findings: {both} rows with more than one key")
    for key, table in (("PcrKey", "pcr"), ("DemKey", "dem_report"), ("StateKey", "state_report")):
        orphans = con.execute(f"select count(*) from {src('findings')} f where f.{key} is not null and f.{key} not in (select {key} from {src(table)})").fetchone()[0]
        check(orphans == 0, f"findings: {orphans} {key} values without a {table} row")
    pcr_findings = con.execute(f"select count(*) from {src('findings')} where PcrKey is not null").fetchone()[0]
    check(pcr_findings > 0, "findings: some findings of PCRs")


def check_csv(d_csv, d_pq, con, manifest_csv, counted_pq):
    rows = {t["table"]: t["rows"] for t in manifest_csv["tables"]}
    for t in table_files(d_csv, "csv"):
        n = pa_table(os.path.join(d_csv, t + ".csv"), "csv").num_rows
        check(n == counted_pq.get(t), f"csv {t}: {n} rows, Parquet {counted_pq.get(t)}")
        with open(os.path.join(d_csv, t + ".csv"), newline="") as f:
            header = next(csv.reader(f))
        names = pq.read_schema(os.path.join(d_pq, t + ".parquet")).names
        check(header == names, f"csv {t}: header == Parquet columns")
    a = con.execute(f"select PcrKey, eResponse_05 from {duck_source(os.path.join(d_csv, 'pcr.csv'), 'csv')} order by PcrKey::BIGINT").fetchall()
    b = con.execute(f"select PcrKey::VARCHAR, eResponse_05 from {duck_source(os.path.join(d_pq, 'pcr.parquet'), 'parquet')} order by PcrKey").fetchall()
    check(a == b, "csv pcr: PcrKey, eResponse_05 as in Parquet")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--parquet", required=True)
    ap.add_argument("--csv")
    ap.add_argument("--root", default=".")
    ap.add_argument("--layout", required=True, help="JSON {table: [dataset, element]} of the layout's tables (from the schema model)")
    ap.add_argument("inputs", nargs="+")
    a = ap.parse_args()
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")

    docs = []
    records = []
    contexts = []
    unreadable = 0
    for source, member, data in documents(a.root, a.inputs):
        ds, recs, ctxs, broken = walk_records(data)
        docs.append((source, member, recs))
        records.extend(recs)
        contexts.extend(ctxs)
        # a document cut inside a record leaves that record unreadable
        unreadable += 1 if broken else 0

    # [dataset, element] for the record tables and theirs, [dataset, element, "header"] for
    # the header contexts' tables
    layout = {t: (v[0], v[1], v[2] if len(v) > 2 else "record") for t, v in json.load(open(a.layout)).items()}
    manifest = json.load(open(os.path.join(a.parquet, "manifest.json")))
    counted = check_counts(a.parquet, "parquet", con, manifest, records, contexts, unreadable, layout)
    check_types(a.parquet, con)
    n_values = check_values(a.parquet, con, docs)
    labelled = check_join(a.parquet, con)
    check_keys(a.parquet, con)
    if a.csv:
        manifest_csv = json.load(open(os.path.join(a.csv, "manifest.json")))
        check_counts(a.csv, "csv", con, manifest_csv, records, contexts, unreadable, layout)
        check_csv(a.csv, a.parquet, con, manifest_csv, counted)
    print(
        f"check_extract: {len(counted)} tables, {len(records)} complete records in {len(docs)} documents, "
        f"{n_values} PCR comparisons (pyarrow + DuckDB), {labelled} labelled by the join, {checks} checks, {len(failures)} failed"
    )
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
