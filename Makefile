# ElderCare Federation — the front door. `make test` is what CI runs.
SWIFT ?= swift
SWIFT_FLAGS ?=
# A benchmark piped into tee must still fail the build when it fails.
SHELL := /bin/bash
.SHELLFLAGS := -o pipefail -c

.PHONY: all build test bench bench-run fuzz chaos chaos-short release clean proto demo deps

all: build

build:
	$(SWIFT) build $(SWIFT_FLAGS)

FUZZ_SHORT_SECONDS ?= 5

# Check the formatting (scripts/check-format.sh), build and run every test target (unit, property laws,
# integration over loopback ZeroMQ), then the short chaos run (docs/CHAOS.md) and a short libFuzzer run
# of each fuzz target (docs/TESTING.md; FUZZ_SHORT_SECONDS each; the first fuzz build takes minutes).
test:
	SWIFT=$(SWIFT) bash scripts/check-format.sh
	$(SWIFT) build --build-tests $(SWIFT_FLAGS)
	bash scripts/run-tests.sh $(SWIFT_FLAGS)
	$(MAKE) chaos-short
	FUZZ_SECONDS=$(FUZZ_SHORT_SECONDS) bash scripts/fuzz.sh

# Chaos (docs/CHAOS.md): 15 fedctl processes under load and scripted faults; the last line says what
# was checked, the exit status says whether every figure was exact. CHAOS_ARGS adds options (--seed N).
CHAOS_ARGS ?=
chaos:
	$(SWIFT) build --product fedctl $(SWIFT_FLAGS)
	$(SWIFT) build --product fedchaos $(SWIFT_FLAGS)
	$$($(SWIFT) build --show-bin-path $(SWIFT_FLAGS))/fedchaos --duration 180 --kills 7 $(CHAOS_ARGS)

# About 2 minutes: fewer events, every fault kind once (part of make test).
chaos-short:
	$(SWIFT) build --product fedctl $(SWIFT_FLAGS)
	$(SWIFT) build --product fedchaos $(SWIFT_FLAGS)
	$$($(SWIFT) build --show-bin-path $(SWIFT_FLAGS))/fedchaos --duration 45 --kills 3 --workers 3 $(CHAOS_ARGS)

release:
	$(SWIFT) build -c release $(SWIFT_FLAGS)

# What a fresh Debian machine with Swift lacks: libzmq3-dev, libsqlite3-dev, pkg-config.
deps:
	bash scripts/install-deps.sh

# The live four-level demo: 15 nodes on loopback, sample data, dashboards (README "Try it").
# State lives in demo-data/ and is reused by the next run. DEMO_CONFIG=debug skips the release build.
DEMO_CONFIG ?= release
DEMO_FLAGS ?=
demo: deps
	$(SWIFT) build -c $(DEMO_CONFIG) --product fedctl $(SWIFT_FLAGS)
	$$($(SWIFT) build -c $(DEMO_CONFIG) --show-bin-path)/fedctl demo $(DEMO_FLAGS)

# Benchmarks (docs/BENCHMARKS.md): build release, run every benchmark, merge the figures into
# bench/results.json and regenerate the table in docs/BENCHMARKS.md. Each fedbench run prints
# human-readable lines on stderr and one JSON line on stdout, kept as bench/NAME.json; any
# bench/*.json is picked up by scripts/bench-report.py. The 1.5 M-elder initial load runs too (several
# minutes, several GB of temporary files); BENCH_LARGE= (empty) skips it for a quicker look.
BENCH_ELDERS ?= 100000
BENCH_LARGE ?= 1
BENCH_BIN = $$($(SWIFT) build -c release --show-bin-path $(SWIFT_FLAGS))

bench: bench-run
	python3 scripts/bench-report.py

bench-run:
	$(SWIFT) build -c release --product fedbench $(SWIFT_FLAGS)
	$(SWIFT) build -c release --product fedctl $(SWIFT_FLAGS)
	mkdir -p bench
	rm -f bench/load.json
	$(BENCH_BIN)/fedbench merge --elders $(BENCH_ELDERS) | tee bench/merge.json
	$(BENCH_BIN)/fedbench sync --elders $(BENCH_ELDERS) | tee bench/sync.json
	$(BENCH_BIN)/fedbench levels --elders $(BENCH_ELDERS) | tee bench/levels.json
	$(BENCH_BIN)/fedbench report --elders $(BENCH_ELDERS) | tee bench/report.json
	if [ -n "$(BENCH_LARGE)" ]; then $(BENCH_BIN)/fedbench load --elders 1500000 | tee bench/load.json; fi
	$(BENCH_BIN)/fedbench ingest | tee bench/ingest.json
	$(BENCH_BIN)/fedbench ingest --node community | tee bench/ingest-community.json
	$(BENCH_BIN)/fedbench ingest --node district | tee bench/ingest-district.json
	$(BENCH_BIN)/fedbench ingest --node city | tee bench/ingest-city.json
	$(BENCH_BIN)/fedbench ingest --order random | tee bench/ingest-random.json
	$(BENCH_BIN)/fedbench import | tee bench/import.json

# libFuzzer targets (docs/TESTING.md), FUZZ_SECONDS each (default 60); built in .build-fuzz.
fuzz:
	bash scripts/fuzz.sh

# Regenerate Sources/Replication/Wire/*.pb.swift from proto/ (needs protoc and protoc-gen-swift).
proto:
	bash scripts/gen-proto.sh

clean:
	rm -rf .build .build-fuzz
