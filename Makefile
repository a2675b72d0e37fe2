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

# Replication-core benchmark: prints a JSON line with merge/write/extract cells/s, bytes per cell and peak RSS.
bench:
	$(SWIFT) build -c release --product fedbench $(SWIFT_FLAGS)
	$$($(SWIFT) build -c release --show-bin-path)/fedbench merge

# Regenerate Sources/Replication/Wire/*.pb.swift from proto/ (needs protoc and protoc-gen-swift).
proto:
	bash scripts/gen-proto.sh

clean:
	rm -rf .build
