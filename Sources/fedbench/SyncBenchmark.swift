import Eldercare
import FederationNode
import Foundation
import GRDB
import Logging
import Replication
import Simulation
import Synchronization

/// `fedbench sync`: real nodes in this process, linked over ZeroMQ on loopback with CURVE, durable
/// SQLite files. Measures the initial load of a district into an empty city over one link, and the
/// propagation latency community → street → district → city under load.
enum SyncBenchmark {
    struct Federation {
        let root: URL
        var nodes:
            [String: (daemon: NodeDaemon, task: Task<Void, any Error>, directory: DataDirectory, endpoint: String)] =
                [:]

        init() throws {
            root = FileManager.default.temporaryDirectory.appendingPathComponent("fedbench-sync-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        }

        func prepare(_ code: String, under parent: String?) throws -> DataDirectory {
            let parentNode = parent.flatMap { nodes[$0] }
            var config = NodeConfig(
                code: code, name: "bench \(code)", listen: "tcp://127.0.0.1:*", http: "127.0.0.1:0",
                parent: parentNode?.endpoint, parentKey: try parentNode?.directory.loadKeyPair().publicKey)
            config.sync.heartbeatIntervalMs = 500
            let directory = try DataDirectory.initialize(at: root.appendingPathComponent(code).path, config: config)
            if let parentNode {
                try parentNode.directory.trust(
                    child: try NodeCode(code), publicKey: try directory.loadKeyPair().publicKey,
                    of: try NodeCode(parentNode.directory.loadConfig().node.code))
            }
            return directory
        }

        mutating func start(_ code: String, directory: DataDirectory) async throws {
            var logger = Logger(label: "fedbench")
            logger.logLevel = .critical
            let daemon = try await NodeDaemon(directory: directory, logger: logger)
            let endpoint = try await daemon.childrenEndpoint() ?? ""
            let task = Task { try await daemon.run(handleSignals: false) }
            nodes[code] = (daemon, task, directory, endpoint)
        }

        mutating func start(_ code: String, under parent: String?) async throws {
            try await start(code, directory: try prepare(code, under: parent))
        }

        func store(_ code: String) -> ReplicaStore { nodes[code]!.daemon.store }
        var codes: [String] { nodes.keys.sorted() }

        func shutdown() async {
            for node in nodes.values { node.task.cancel() }
            for node in nodes.values { _ = await node.task.result }
            try? FileManager.default.removeItem(at: root)
        }
    }

    /// - Parameter rollup: false drops the report rollup's triggers from every store once the links
    ///   are up (`--rollup off`, a paired experiment: what the rollup costs propagation).
    static func run(elders: Int, seconds: Int, rate: Int, rollup: Bool = true) async throws -> [String: Any] {
        var result: [String: Any] = ["benchmark": "sync", "cores": ProcessInfo.processInfo.activeProcessorCount]
        let load = try await initialLoad(elders: elders)
        result.merge(load) { $1 }
        let propagation = try await propagation(seconds: seconds, ratePerCommunity: rate, rollup: rollup)
        result.merge(propagation) { $1 }
        if !rollup { result["rollup"] = false }
        result["peak_rss_mb"] = (peakRSSMegabytes() * 10).rounded() / 10
        return result
    }

    /// A district holding `elders` × 15 cells joins an empty city; time until the city has them all.
    /// Its files are removed before it returns (the 1.5 M-elder run leaves gigabytes otherwise).
    static func initialLoad(elders: Int) async throws -> [String: Any] {
        try await withFederation { federation in try await initialLoad(elders: elders, in: &federation) }
    }

    /// Runs `body` with a new federation in a temporary directory, then stops its nodes and removes
    /// the directory, whether `body` returns or throws (awaited: the process may exit right after).
    static func withFederation<T>(_ body: (inout Federation) async throws -> T) async throws -> T {
        var federation = try Federation()
        do {
            let result = try await body(&federation)
            await federation.shutdown()
            return result
        } catch {
            await federation.shutdown()
            throw error
        }
    }

    static func initialLoad(elders: Int, in federation: inout Federation) async throws -> [String: Any] {
        try await federation.start("130100000000", under: nil)
        let districtDirectory = try federation.prepare("130102000000", under: "130100000000")
        log("fedbench sync: writing \(elders) elders at the district before it links…")
        var writtenCells = 0
        do {
            let store = try NodeSchema.open(path: districtDirectory.databasePath, node: try NodeCode("130102000000"))
            let communities = try (1...8).map { try NodeCode("1301020010\(String(format: "%02d", $0))") }
            var roster = SampleRoster(seed: 20_260_101, communities: communities)
            var written = 0
            while written < elders {
                let count = min(1_000, elders - written)
                let writes = (0..<count).map { _ in roster.next() }
                writtenCells += writes.reduce(0) { $0 + $1.values.count }
                try store.write(writes)
                written += count
            }
        }
        let cells = writtenCells
        let city = federation.store("130100000000")
        log("fedbench sync: linking the district to the empty city…")
        let start = DispatchTime.now().uptimeNanoseconds
        try await federation.start("130102000000", directory: districtDirectory)
        let district = federation.store("130102000000")
        let head = try district.headSequence()
        while true {
            if let mark = try city.watermark(peer: try NodeCode("130102000000"), .received), mark.seq >= head { break }
            try await Task.sleep(for: .milliseconds(5))
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let count = try await city.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM elders") ?? 0 }
        let statistics = await federation.nodes["130102000000"]!.daemon.uplinkStatistics()
        let bytes = Double(statistics?.bytesSent ?? 0)
        let sent = Double(max(statistics?.cellsSent ?? 1, 1))
        log(
            "  initial load: \(count) elders (\(cells) cells) in \(String(format: "%.2f", seconds)) s = \(rate(cells, seconds)) cells/s, \(String(format: "%.2f", bytes / sent)) wire bytes/cell"
        )
        return [
            "initial_load_elders": count,
            "initial_load_cells": cells,
            "initial_load_seconds": (seconds * 100).rounded() / 100,
            "link_cells_per_s": rate(cells, seconds),
            "wire_bytes_per_cell": (bytes / sent * 100).rounded() / 100,
        ]
    }

    /// 1 city, 2 districts, 4 streets, 8 communities; each community makes `ratePerCommunity` changes a
    /// second; probes written at the communities are timed until they are committed at the city.
    static func propagation(seconds: Int, ratePerCommunity: Int, rollup: Bool = true) async throws -> [String: Any] {
        try await withFederation { federation in
            try await propagation(seconds: seconds, ratePerCommunity: ratePerCommunity, rollup: rollup, in: &federation)
        }
    }

    static func propagation(seconds: Int, ratePerCommunity: Int, rollup: Bool, in federation: inout Federation)
        async throws
        -> [String: Any]
    {
        try await federation.start("130100000000", under: nil)
        var communities: [String] = []
        for district in 1...2 {
            let districtCode = "13010\(district)000000"
            try await federation.start(districtCode, under: "130100000000")
            for street in 1...2 {
                let streetCode = "13010\(district)00\(street)000"
                try await federation.start(streetCode, under: districtCode)
                for community in 1...2 {
                    let code = "13010\(district)00\(street)00\(community)"
                    try await federation.start(code, under: streetCode)
                    communities.append(code)
                }
            }
        }
        try await Task.sleep(for: .seconds(2))  // links established
        if !rollup {
            var dropped = 0
            for code in federation.codes { dropped += try HTTPBenchmark.dropStatisticsTriggers(federation.store(code)) }
            log("fedbench sync: --rollup off: dropped \(dropped) rollup triggers from \(federation.codes.count) stores")
        }
        log(
            "fedbench sync: \(communities.count) communities × \(ratePerCommunity) changes/s for \(seconds) s, probes timed at the city (3 hops)…"
        )
        let book = ProbeBook()
        let city = federation.store("130100000000")
        let deadline = DispatchTime.now().uptimeNanoseconds + UInt64(seconds) * 1_000_000_000
        let stores = Dictionary(uniqueKeysWithValues: communities.map { ($0, federation.store($0)) })
        try await withThrowingTaskGroup(of: Void.self) { group in
            for code in communities {
                let store = stores[code]!
                group.addTask {
                    let node = try NodeCode(code)
                    var tick = 0
                    let perTick = max(1, ratePerCommunity / 50)  // one transaction every 20 ms
                    let clock = ContinuousClock()
                    let begin = clock.now
                    while DispatchTime.now().uptimeNanoseconds < deadline {
                        tick += 1
                        let deltas = (0..<perTick).map { index in
                            (
                                StatKey(
                                    origin: node, community: node, metric: "load",
                                    dims: "k=\((tick * perTick + index) % 500)", period: "2026-01-05"), Int64(1)
                            )
                        }
                        try store.add(deltas)
                        book.changes.add(perTick, ordering: .relaxed)
                        if tick % 5 == 0 {  // a probe every 100 ms
                            let probe = "\(code)-\(tick)"
                            book.sentAt.withLock { $0[probe] = DispatchTime.now().uptimeNanoseconds }
                            try store.add([
                                (
                                    StatKey(
                                        origin: node, community: node, metric: "probe", dims: "id=\(probe)",
                                        period: "2026-01-05"), 1
                                )
                            ])
                        }
                        // Paced against the start, so the rate does not drift with commit time.
                        try await Task.sleep(until: begin + .milliseconds(20 * tick), clock: clock)
                    }
                }
            }
            group.addTask {
                var seen: Set<String> = []
                while DispatchTime.now().uptimeNanoseconds < deadline + 5_000_000_000 {
                    let probes = try await city.database.read { db in
                        try String.fetchAll(db, sql: "SELECT dims FROM crdt_stats WHERE metric = 'probe'")
                    }
                    let now = DispatchTime.now().uptimeNanoseconds
                    for dims in probes where seen.insert(dims).inserted {
                        let id = String(dims.dropFirst(3))
                        if let sent = book.sentAt.withLock({ $0[id] }) {
                            book.latencies.withLock { $0.append(Double(now - sent) / 1e6) }
                        }
                    }
                    if DispatchTime.now().uptimeNanoseconds > deadline, seen.count >= book.sentAt.withLock({ $0.count })
                    {
                        return
                    }
                    try await Task.sleep(for: .milliseconds(2))
                }
            }
            try await group.waitForAll()
        }
        let sorted = book.latencies.withLock { $0 }.sorted()
        let sent = book.sentAt.withLock { $0.count }
        func percentile(_ p: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            return (sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] * 10).rounded() / 10
        }
        let made = book.changes.load(ordering: .relaxed)
        log(
            "  propagation: \(sorted.count)/\(sent) probes arrived; p50 \(percentile(0.5)) ms, p99 \(percentile(0.99)) ms, max \(sorted.last.map { String(format: "%.1f", $0) } ?? "-") ms; \(made / max(seconds, 1)) changes/s made"
        )
        return [
            "propagation_probes": sent,
            "propagation_arrived": sorted.count,
            "propagation_p50_ms": percentile(0.5),
            "propagation_p99_ms": percentile(0.99),
            "propagation_changes_per_s": made / max(seconds, 1),
        ]
    }
}

/// What the propagation tasks share.
final class ProbeBook: Sendable {
    let sentAt = Mutex<[String: UInt64]>([:])
    let latencies = Mutex<[Double]>([])
    let changes = Atomic<Int>(0)
}
