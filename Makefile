# nemsis — NEMSIS v3.5 ingest pipeline. See README.md.
SHARED ?= ../shared
NEMSIS_DIR ?= $(SHARED)/nemsis
CARGO ?= cargo
BIN = target/release/nemsis

.PHONY: all build demo test conformance bench schemas oracle clean

all: build

build:
	$(CARGO) build --release

# Validate the bundled samples, then ingest them into ./out and print the summary.
# (Some samples are invalid on purpose, so validate exits 1; the demo goes on.)
demo: build
	-$(BIN) validate samples/
	@echo
	$(BIN) ingest samples/ --out out --overwrite

# Unit + integration tests. Tests that need ../shared or the oracles skip, saying so, when absent.
test:
	$(CARGO) test --no-fail-fast -- --test-threads 2

# Long differential runs against the oracles (thousands of mutations).
conformance: build
	NEMSIS_MUTATIONS=3000 $(CARGO) test --release --test conformance -- --nocapture --test-threads 1
	NEMSIS_CODING_MUTATIONS=3000 $(CARGO) test --release --test coding_property -- --nocapture

# Benchmarks (needs the oracle's xmllint): see BENCHMARKS.md.
bench: build
	bash benches/run.sh

# Regenerate the embedded models from the official XSDs.
schemas:
	$(CARGO) run --release -- schema compile $(NEMSIS_DIR)/v3.5.1/XSDs --nemsis-version 3.5.1 --out schemas/3.5.1
	$(CARGO) run --release -- schema compile $(NEMSIS_DIR)/v3.5.0/XSDs --nemsis-version 3.5.0 --out schemas/3.5.0

oracle:
	$(SHARED)/tools/oracle/setup

clean:
	$(CARGO) clean
