# ElderCare Federation — the front door. `make test` is what CI runs.
SWIFT ?= swift
SWIFT_FLAGS ?=

.PHONY: all build test bench release clean proto

all: build

build:
	$(SWIFT) build $(SWIFT_FLAGS)

# Build and run every test target (unit, property laws, integration over loopback ZeroMQ).
test:
	$(SWIFT) build --build-tests $(SWIFT_FLAGS)
	bash scripts/run-tests.sh $(SWIFT_FLAGS)

release:
	$(SWIFT) build -c release $(SWIFT_FLAGS)

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
