#!/usr/bin/env bash
# Schematron engine benchmark (called by benches/run.sh; runs on its own too). See BENCHMARKS.md.
#
# Measures, one thread each, with GNU time (wall time, peak RSS):
#   - on a big generated EMSDataSet (SCH_BENCH_BIG, default bench-data/b200.xml, 200 MB, generated
#     with examples/gen_corpus.rs from samples/ems/valid-multi.xml when missing):
#       xsd      nemsis validate --xsd-only
#       native   nemsis validate                      (XSD + native national rules)
#       engine   nemsis validate --no-national-rules --schematron <v3.5.1>/Schematron/EMSDataSet.sch
#       engine_t2  the same with 2 threads
#   - on a smaller file where rules fire (SCH_BENCH_ORACLE_RECORDS PCRs, default 2000): generated
#     by gen_corpus from a template holding the PatientCareReport of every official v3.5.1 EMS
#     Schematron test case under one Header (bench-data/sch-mix-template.xml), the same three and
#     the oracle: ../shared/tools/oracle/sch-verdict --no-text --chunk 500 (SaxonC-HE running
#     the official .sch compiled to XSLT; rules only, no XSD), and the oracle on a one-PCR file
#     (its fixed start-up cost: Python, .sch -> XSLT compile).
# Checks that native rules, engine and oracle report the same (id, role, location) findings on
# the small file. Reports MB/s, records/s, and the ratios engine/native and engine/oracle, in
# total and for the rules alone (time minus the --xsd-only time).
# Results: bench-data/schematron-results.md.
set -euo pipefail
cd "$(dirname "$0")/.."
NEMSIS_DIR="${NEMSIS_DIR:-../shared/nemsis}"
SCH="$NEMSIS_DIR/v3.5.1/Schematron/EMSDataSet.sch"
ORACLE="${SCH_ORACLE:-../shared/tools/oracle/sch-verdict}"
BIG="${SCH_BENCH_BIG:-bench-data/b200.xml}"
NREC="${SCH_BENCH_ORACLE_RECORDS:-2000}"
TEMPLATE=bench-data/sch-mix-template.xml
SMALL="bench-data/sch-mix-$NREC.xml"
ONE="bench-data/sch-1.xml"
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "bench: GNU time (/usr/bin/time) is needed: apt-get install time" >&2; exit 2; }
[ -f "$SCH" ] || { echo "bench: $SCH not found: skipping the Schematron benchmark" >&2; exit 0; }

cargo build --release --bin nemsis --example gen_corpus
BIN=target/release/nemsis
GEN=target/release/examples/gen_corpus
mkdir -p bench-data
[ -f "$BIG" ] || $GEN --template samples/ems/valid-multi.xml --size 200MB --out "$BIG"
if [ ! -f "$TEMPLATE" ]; then
  python3 - "$NEMSIS_DIR/v3.5.1/SchematronTests/EMS/xml" "$TEMPLATE" <<'PY'
import pathlib, sys
cases = sorted(pathlib.Path(sys.argv[1]).glob("*.xml"))
first = cases[0].read_text()
out = [first[: first.index("<PatientCareReport")]]
for c in cases:
    t = c.read_text()
    out.append(t[t.index("<PatientCareReport") : t.rindex("</PatientCareReport>") + len("</PatientCareReport>")] + "\n")
out.append("</Header>\n</EMSDataSet>\n")
pathlib.Path(sys.argv[2]).write_text("".join(out))
PY
fi
[ -f "$SMALL" ] || $GEN --template "$TEMPLATE" --records "$NREC" --out "$SMALL"
[ -f "$ONE" ] || $GEN --template samples/ems/valid-multi.xml --records 1 --out "$ONE"

ROWS=bench-data/schematron-rows.txt
: > "$ROWS"
# run NAME FILE CMD...: time a command; records "name file seconds maxrss_kb"
run() {
  local name="$1" file="$2"; shift 2
  sync
  $TIME -f "%e %M" -o bench-data/last.time "$@" > bench-data/last.out 2> bench-data/last.err || true
  local t
  t=$(tail -1 bench-data/last.time)
  echo "$name $file $t" >> "$ROWS"
  echo "  $name ($file): $t (s, KB)" >&2
}
for f in "$BIG" "$SMALL"; do
  run xsd "$f" $BIN validate --threads 1 --xsd-only --format jsonl "$f"
  run native "$f" $BIN validate --threads 1 --format jsonl "$f"
  run engine "$f" $BIN validate --threads 1 --format jsonl --no-national-rules --schematron "$SCH" "$f"
done
run engine_t2 "$BIG" $BIN validate --threads 2 --format jsonl --no-national-rules --schematron "$SCH" "$BIG"
HAVE_ORACLE=0
if [ -x "$ORACLE" ] && "$ORACLE" --no-text "$ONE" > /dev/null 2>&1; then
  HAVE_ORACLE=1
  run oracle_startup "$ONE" "$ORACLE" --no-text "$ONE"
  run oracle "$SMALL" "$ORACLE" --no-text --chunk 500 "$SMALL"
  cp bench-data/last.out bench-data/sch-oracle.jsonl
else
  echo "bench: the oracle ($ORACLE) is not set up (make oracle): no oracle figures" >&2
  : > bench-data/sch-oracle.jsonl
fi
# The three must report the same findings for the comparison to mean anything.
$BIN validate --threads 2 --format jsonl "$SMALL" > bench-data/sch-native.jsonl || true
$BIN validate --threads 2 --format jsonl --no-national-rules --schematron "$SCH" "$SMALL" > bench-data/sch-engine.jsonl || true
AGREE=$(python3 - <<'PY'
import collections, json
def ours(p):
    return collections.Counter((f["rule"], f["severity"], f["path"]) for l in open(p) for f in json.loads(l)["findings"] if f["kind"] == "schematron")
n, e = ours("bench-data/sch-native.jsonl"), ours("bench-data/sch-engine.jsonl")
o = collections.Counter((f["id"], f["role"], f["location"]) for l in open("bench-data/sch-oracle.jsonl") for f in json.loads(l).get("findings", []))
s = f"native {sum(n.values())}, engine {sum(e.values())} ({'same' if n == e else 'DIFFERENT'})"
if o:
    s += f", oracle {sum(o.values())} ({'same' if o == e else 'DIFFERENT'})"
print(s + f"; {len({k[0] for k in e})} distinct rule ids")
PY
)

count() { grep -c "<PatientCareReport" "$1"; }
python3 - "$BIG" "$(stat -c %s "$BIG")" "$(count "$BIG")" "$SMALL" "$(stat -c %s "$SMALL")" "$(count "$SMALL")" "$HAVE_ORACLE" "$AGREE" "$ROWS" "$ONE" > bench-data/schematron-results.md <<'PY'
import sys
big, big_b, big_r, small, small_b, small_r, have_oracle, agree, rows_path, one = sys.argv[1:]
size = {big: (int(big_b), int(big_r)), small: (int(small_b), int(small_r))}
rows = {}
for line in open(rows_path):
    p = line.split()
    if len(p) >= 4:
        rows[(p[0], p[1])] = (float(p[2]), int(p[3]))
what = {
    "xsd": "validate --xsd-only",
    "native": "validate (XSD + native national rules)",
    "engine": "validate --no-national-rules --schematron EMSDataSet.sch",
    "engine_t2": "the same, 2 threads",
    "oracle": "oracle sch-verdict --chunk 500 (Saxon, rules only)",
    "oracle_startup": "oracle on a 1-PCR file (start-up)",
}
print(f"Inputs: {big} ({int(big_b)/1e6:.0f} MB, {big_r} PCRs); {small} ({int(small_b)/1e6:.1f} MB, {small_r} PCRs). One thread unless noted.\n")
print("| run | input | seconds | MB/s | records/s | peak RSS MB |")
print("|---|---|---|---|---|---|")
for (name, f), (s, kb) in rows.items():
    b, r = size.get(f, (0, 1))
    mbs = f"{b/1e6/s:.1f}" if f in size else ""
    rps = f"{r/s:,.0f}" if f in size else ""
    print(f"| {what.get(name, name)} | {f.split('/')[-1]} | {s:.2f} | {mbs} | {rps} | {kb/1024:.0f} |")
print()
t = lambda n, f: rows[(n, f)][0]
for f in (big, small):
    eng, nat, xsd = t("engine", f), t("native", f), t("xsd", f)
    b, r = size[f]
    print(f"- {f.split('/')[-1]}: engine {b/1e6/eng:.1f} MB/s, {r/eng:,.0f} records/s; engine takes {eng/nat:.2f}x the time of the native rules in total; "
          f"rules alone (minus --xsd-only): engine {eng-xsd:.2f} s vs native {nat-xsd:.2f} s = {(eng-xsd)/max(nat-xsd,1e-3):.1f}x")
print(f"- findings (kind schematron) on {small.split('/')[-1]}: {agree}")
if have_oracle == "1":
    o, o0, eng, xsd = t("oracle", small), t("oracle_startup", one), t("engine", small), t("xsd", small)
    print(f"- oracle on {small.split('/')[-1]}: {o:.2f} s ({int(small_b)/1e6/o:.1f} MB/s, {int(small_r)/o:,.0f} records/s), of which ~{o0:.2f} s start-up")
    print(f"- engine vs oracle, same input: {o/eng:.1f}x faster in total (engine with XSD, oracle without); "
          f"rules alone: {(o-o0)/max(eng-xsd,1e-3):.1f}x faster (oracle minus start-up vs engine minus --xsd-only)")
PY
cat bench-data/schematron-results.md
