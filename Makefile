# ElderCare Federation — the front door. `make test` is what CI runs.
SWIFT ?= swift
SWIFT_FLAGS ?=

.PHONY: all build test bench chaos chaos-short release clean proto demo deps

all: build

build:
	$(SWIFT) build $(SWIFT_FLAGS)

# Build and run every test target (unit, property laws, integration over loopback ZeroMQ), then the
# short chaos run (docs/CHAOS.md).
test:
	$(SWIFT) build --build-tests $(SWIFT_FLAGS)
	bash scripts/run-tests.sh $(SWIFT_FLAGS)
	$(MAKE) chaos-short

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

# Benchmarks (docs/BENCHMARKS.md): the replication core, then real nodes over ZeroMQ.
# Each prints human-readable lines on stderr and one JSON line on stdout; both lines go to bench/.
bench:
	$(SWIFT) build -c release --product fedbench $(SWIFT_FLAGS)
	mkdir -p bench
	$$($(SWIFT) build -c release --show-bin-path)/fedbench merge | tee bench/merge.json
	$$($(SWIFT) build -c release --show-bin-path)/fedbench sync | tee bench/sync.json
	$$($(SWIFT) build -c release --show-bin-path)/fedbench report | tee bench/report.json

# Regenerate Sources/Replication/Wire/*.pb.swift from proto/ (needs protoc and protoc-gen-swift).
proto:
	bash scripts/gen-proto.sh

clean:
	rm -rf .build
