// swift-tools-version: 6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "ElderCareFederation",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "Replication", targets: ["Replication"]),
        .library(name: "FederationNode", targets: ["FederationNode"]),
        .library(name: "Reports", targets: ["Reports"]),
        .executable(name: "fedctl", targets: ["fedctl"]),
        .executable(name: "fedbench", targets: ["fedbench"]),
        .executable(name: "fedchaos", targets: ["fedchaos"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift.git", exact: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-protobuf.git", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/LebJe/TOMLKit.git", from: "0.6.0"),
        .package(url: "https://github.com/yaslab/CSV.swift.git", exact: "2.5.2"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
    ],
    // The layers, lowest first; a target depends only on targets above it in this list, so the compiler
    // keeps the direction (nothing in a lower layer can import a higher one):
    //   ZeroMQTransport   libzmq sockets, CurveZMQ keys, ZAP (the only C: CZeroMQ)
    //   Replication       the CRDT store (SQLite), hybrid clocks, node codes, the wire format
    //   Reports           report computations over a store (no network)
    //   Eldercare         the eldercare domain: roster, events, reference data, enrolment, access
    //                     roles, privacy rules, JSON values (no Hummingbird, no ZeroMQ)
    //   FederationSync    the links to the parent and the children (ZeroMQ sessions)
    //   FederationHTTP    the HTTP API, the dashboard pages, /metrics and node status
    //   Simulation        sample rosters and activity (used only by tools and tests)
    //   FederationNode    the composition root: node.toml, data directory, topology, the daemon
    targets: [
        .systemLibrary(
            name: "CZeroMQ",
            pkgConfig: "libzmq",
            providers: [.apt(["libzmq3-dev"])]
        ),
        .target(
            name: "ZeroMQTransport",
            dependencies: ["CZeroMQ"],
            swiftSettings: strict
        ),
        .target(
            name: "Replication",
            dependencies: [
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CSV", package: "CSV.swift"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "CompressNIO", package: "compress-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Reports",
            dependencies: [
                "Replication",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "Eldercare",
            dependencies: [
                "Replication",
                "Reports",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CSV", package: "CSV.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "FederationSync",
            dependencies: [
                "ZeroMQTransport",
                "Replication",
                "Eldercare",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "FederationHTTP",
            dependencies: [
                "Replication",
                "Reports",
                "Eldercare",
                "FederationSync",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Mustache", package: "swift-mustache"),
            ],
            swiftSettings: strict
        ),
        // SplitMix, the one seeded generator of the simulation, the tools and the tests.
        .target(name: "SeededRandom", swiftSettings: strict),
        .target(
            name: "Simulation",
            dependencies: [
                "SeededRandom",
                "Replication",
                "Reports",
                "Eldercare",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "FederationNode",
            dependencies: [
                "ZeroMQTransport",
                "Replication",
                "Reports",
                "Eldercare",
                "FederationSync",
                "FederationHTTP",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "TOMLKit", package: "TOMLKit"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "fedctl",
            dependencies: [
                "FederationNode",
                "FederationHTTP",
                "FederationSync",
                "Eldercare",
                "Simulation",
                "Reports",
                "Replication",
                "ZeroMQTransport",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // The HTTP client of the benchmark's and the chaos harness's load generators (SwiftNIO).
        .target(
            name: "LoopbackHTTP",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "fedbench",
            dependencies: [
                "SeededRandom",
                "LoopbackHTTP",
                "ZeroMQTransport",
                "Replication",
                "Reports",
                "Eldercare",
                "FederationSync",
                "FederationHTTP",
                "Simulation",
                "FederationNode",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // The chaos harness (docs/CHAOS.md): runs fedctl processes, so it needs the fedctl product built.
        .executableTarget(
            name: "fedchaos",
            dependencies: [
                "SeededRandom",
                "LoopbackHTTP",
                "Eldercare",
                "Simulation",
                "FederationNode",
                "Replication",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // Helpers shared by the test targets (temporary directories, seeded generator).
        .target(name: "TestSupport", dependencies: ["SeededRandom"], path: "Tests/TestSupport"),
        .testTarget(
            name: "ZeroMQTransportTests",
            dependencies: ["ZeroMQTransport", "TestSupport"]
        ),
        .testTarget(
            name: "ReplicationTests",
            dependencies: [
                "Replication",
                "TestSupport",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "FederationNodeTests",
            dependencies: [
                "FederationNode",
                "FederationHTTP",
                "FederationSync",
                "Eldercare",
                "Simulation",
                "Reports",
                "ZeroMQTransport",
                "LoopbackHTTP",
                "TestSupport",
                "Replication",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "ReportsTests",
            dependencies: ["Reports", "Replication", "TestSupport"]
        ),
    ]
)

// libFuzzer targets (docs/TESTING.md). They have no `main` (libFuzzer brings its own), so they are
// declared only when ELDERCARE_FUZZ is set, and `make fuzz` builds them in their own scratch path:
//     ELDERCARE_FUZZ=1 swift build --scratch-path .build-fuzz --product FuzzWire --sanitize=fuzzer \
//         -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
if Context.environment["ELDERCARE_FUZZ"] != nil {
    package.targets += [
        .executableTarget(name: "FuzzWire", dependencies: ["Replication"], path: "fuzz/Sources/FuzzWire"),
        .executableTarget(
            name: "FuzzRosterCSV", dependencies: ["Eldercare", "Replication"], path: "fuzz/Sources/FuzzRosterCSV"),
        .executableTarget(
            name: "FuzzParentSession",
            dependencies: [
                "FederationNode", "FederationSync", "Eldercare", "Replication", "Reports",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            path: "fuzz/Sources/FuzzParentSession"),
    ]
    package.products += [
        .executable(name: "FuzzWire", targets: ["FuzzWire"]),
        .executable(name: "FuzzRosterCSV", targets: ["FuzzRosterCSV"]),
        .executable(name: "FuzzParentSession", targets: ["FuzzParentSession"]),
    ]
}
