#!/usr/bin/env bash
# make bench: reproducible benchmarks (see BENCHMARKS.md).
#
# Generates corpora under bench-data/ (kept between runs; delete to regenerate) with
# examples/gen_corpus.rs, then measures in one run, with GNU time for wall time and peak RSS:
#   - tokenize-only quick-xml pass (examples/tokenize.rs): the speed-of-light baseline
#   - nemsis validate --xsd-only, 1 and 2 threads
#   - xmllint --stream --schema (libxml2), the reference validator
#   - nemsis validate with the national rules (their overhead over --xsd-only), 1 thread
#   - nemsis ingest, 1 and 2 threads, on the single big file; and on a zip of many files
#   - nemsis ingest --no-coding, 1 thread (the coding stage's overhead)
# BENCH_SIZE (default 1GB) sets the corpus size. Results: bench-data/results.md (and stdout).
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE="${BENCH_SIZE:-1GB}"
NEMSIS_DIR="${NEMSIS_DIR:-../shared/nemsis}"
XSD="$NEMSIS_DIR/v3.5.1/XSDs/EMSDataSet_v3.xsd"
TIME=/usr/bin/time
[ -x "$TIME" ] || { echo "bench: GNU time (/usr/bin/time) is needed: apt-get install time" >&2; exit 2; }

cargo build --release --bin nemsis --example gen_corpus --example tokenize
BIN=target/release/nemsis
mkdir -p bench-data
BIG=bench-data/big-$SIZE.xml
ZIP=bench-data/corpus-$SIZE.zip
[ -f "$BIG" ] || target/release/examples/gen_corpus --template samples/ems/valid-multi.xml --size "$SIZE" --out "$BIG"
[ -f "$ZIP" ] || target/release/examples/gen_corpus --template samples/ems/valid-multi.xml --size "$SIZE" --zip-files 64 --zip-level 1 --out "$ZIP"
BYTES=$(stat -c %s "$BIG")
RECORDS=$(target/release/examples/tokenize "$BIG" | sed 's/.*"records": \([0-9]*\).*/\1/')

OUT=bench-data/results.md
: > bench-data/rows.txt
# run NAME CMD...: time a command; records "name seconds maxrss_kb user_seconds"
run() {
  local name="$1"; shift
  sync
  $TIME -f "%e %M %U" -o bench-data/last.time "$@" > /dev/null 2> bench-data/last.err || true
  local t
  t=$(tail -1 bench-data/last.time)
  echo "$name $t" >> bench-data/rows.txt
  echo "  $name: $t (s, KB)" >&2
}
echo "bench: $BIG ($BYTES bytes, $RECORDS PCRs); $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)" >&2
run tokenize target/release/examples/tokenize "$BIG"
run validate_t1 $BIN validate --xsd-only --threads 1 --format jsonl "$BIG"
run validate_t2 $BIN validate --xsd-only --threads 2 --format jsonl "$BIG"
run validate_rules_t1 $BIN validate --threads 1 --format jsonl "$BIG"
if command -v xmllint >/dev/null && [ -f "$XSD" ]; then
  run xmllint_stream xmllint --stream --noout --schema "$XSD" "$BIG"
fi
rm -rf bench-data/out1 bench-data/out2 bench-data/outz
run ingest_t1 $BIN ingest --quiet --threads 1 --out bench-data/out1 "$BIG"
run ingest_t2 $BIN ingest --quiet --threads 2 --out bench-data/out2 "$BIG"
rm -rf bench-data/out1
run ingest_nocoding_t1 $BIN ingest --quiet --threads 1 --no-coding --out bench-data/out1 "$BIG"
ZIPBYTES=$(python3 -c "import zipfile,sys; print(sum(i.file_size for i in zipfile.ZipFile(sys.argv[1]).infolist()))" "$ZIP")
run ingest_zip_t2 $BIN ingest --quiet --threads 2 --out bench-data/outz "$ZIP"

python3 - "$BYTES" "$RECORDS" "$ZIPBYTES" > "$OUT" <<'PY'
import sys
bytes_, records, zipbytes = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
rows = {}
for line in open("bench-data/rows.txt"):
    p = line.split()
    if len(p) >= 3:
        rows[p[0]] = (float(p[1]), int(p[2]), float(p[3]) if len(p) > 3 else float(p[1]))
def fmt(name, nbytes=bytes_, nrec=records):
    s, kb, u = rows[name]
    return f"| {name} | {s:.2f} | {u:.2f} | {nbytes/1e6/s:.1f} | {nrec/s:,.0f} | {kb/1024:.0f} |"
print(f"Corpus: {bytes_/1e6:.0f} MB, {records} PCRs (zip: {zipbytes/1e6:.0f} MB uncompressed)\n")
print("| run | seconds | user s | MB/s | records/s | peak RSS MB |")
print("|---|---|---|---|---|---|")
for n in ["tokenize", "validate_t1", "validate_t2", "validate_rules_t1", "xmllint_stream", "ingest_t1", "ingest_t2", "ingest_nocoding_t1"]:
    if n in rows:
        print(fmt(n))
if "ingest_zip_t2" in rows:
    print(fmt("ingest_zip_t2", zipbytes, records))
print()
r = lambda a, b: rows[b][0] / rows[a][0]
if "xmllint_stream" in rows:
    print(f"- validate --xsd-only (1 thread) vs xmllint --stream: {r('validate_t1','xmllint_stream'):.1f}x faster")
print(f"- validate speed-up 1 -> 2 threads: {r('validate_t2','validate_t1'):.2f}x")
print(f"- ingest speed-up 1 -> 2 threads: {r('ingest_t2','ingest_t1'):.2f}x")
print(f"- ingest (1 thread) at {100*rows['tokenize'][0]/rows['ingest_t1'][0]:.0f}% of tokenize-only speed")
print(f"- validate (1 thread) at {100*rows['tokenize'][0]/rows['validate_t1'][0]:.0f}% of tokenize-only speed")
u = lambda a, b: 100 * (rows[a][2] / rows[b][2] - 1)
print(f"- national rules add {u('validate_rules_t1','validate_t1'):+.0f}% CPU (user s) to validate --xsd-only (1 thread)")
print(f"- coding adds {u('ingest_t1','ingest_nocoding_t1'):+.0f}% CPU (user s) to ingest (1 thread)")
PY
cat "$OUT"
bash benches/schematron.sh  # Schematron engine vs native rules vs oracle: bench-data/schematron-results.md
