import Eldercare
import FederationNode
import Foundation
import GRDB
import LoopbackHTTP
import Replication
import Simulation

#if canImport(Glibc)
    import Glibc
#endif

/// `fedbench levels`: peak RSS of one node per level, each a separate `fedctl run` process (the
/// release binary beside fedbench), in a chain community → street → district → city over ZeroMQ on
/// loopback. The community holds `elders` elders (written to its database before it starts); the
/// run ends when the city has them all, and each process's peak RSS is its kernel high-water mark
/// (`VmHWM` in /proc/PID/status), read before it is stopped.
enum LevelsBenchmark {
    static let chain: [(level: String, code: String)] = [
        ("city", "130100000000"), ("district", "130102000000"), ("street", "130102001000"),
        ("community", "130102001001"),
    ]

    struct Node {
        let level: String
        let code: String
        let directory: DataDirectory
        let syncPort: Int
        var process: Process?
    }

    static func run(elders: Int) async throws -> [String: Any] {
        let fedctl = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
            "fedctl")
        guard FileManager.default.isExecutableFile(atPath: fedctl.path) else {
            throw BenchError(
                "fedctl is not built beside fedbench at \(fedctl.path); run swift build -c release --product fedctl")
        }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("fedbench-levels-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        var nodes: [Node] = []
        defer {
            for node in nodes {
                if let process = node.process, process.isRunning { kill(process.processIdentifier, SIGKILL) }
            }
            try? FileManager.default.removeItem(at: root)
        }

        // Data directories, top down: each child trusts its parent's key and is trusted by it.
        for (level, code) in chain {
            let parent = nodes.last
            let syncPort = try LoopbackPort.free()
            let config = NodeConfig(
                code: code, name: "bench \(level)", listen: "tcp://127.0.0.1:\(syncPort)",
                http: "127.0.0.1:\(try LoopbackPort.free())",
                parent: parent.map { "tcp://127.0.0.1:\($0.syncPort)" },
                parentKey: try parent?.directory.loadKeyPair().publicKey)
            let directory = try DataDirectory.initialize(at: root.appendingPathComponent(code).path, config: config)
            if let parent {
                try parent.directory.trust(
                    child: try NodeCode(code), publicKey: try directory.loadKeyPair().publicKey,
                    of: try NodeCode(parent.code))
            }
            nodes.append(Node(level: level, code: code, directory: directory, syncPort: syncPort))
        }

        let community = nodes[nodes.count - 1]
        log("fedbench levels: writing \(elders) elders at the community \(community.code) before it starts…")
        do {
            let store = try NodeSchema.open(path: community.directory.databasePath, node: try NodeCode(community.code))
            var roster = SampleRoster(seed: 20_260_101, communities: [try NodeCode(community.code)])
            var written = 0
            while written < elders {
                let count = min(1_000, elders - written)
                try store.write((0..<count).map { _ in roster.next() })
                written += count
            }
        }

        log("fedbench levels: starting 4 fedctl run processes (city, district, street, community)…")
        let start = DispatchTime.now().uptimeNanoseconds
        for index in nodes.indices {
            let process = Process()
            process.executableURL = fedctl
            process.arguments = ["run", "--data", nodes[index].directory.url.path, "--log-level", "error"]
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            nodes[index].process = process
        }

        // The city's own database, read-only beside the running node (WAL lets readers in), once the
        // node has created it.
        var configuration = Configuration()
        configuration.readonly = true
        var city: DatabaseQueue?
        let deadline = DispatchTime.now().uptimeNanoseconds + 1_800 * 1_000_000_000
        var arrived = 0
        while arrived < elders {
            guard DispatchTime.now().uptimeNanoseconds < deadline else {
                throw BenchError(
                    "the city has \(arrived) of \(elders) elders after 30 minutes; is a fedctl process failing?")
            }
            for node in nodes where node.process?.isRunning == false {
                throw BenchError(
                    "fedctl run exited for the \(node.level) \(node.code) (status \(node.process!.terminationStatus))")
            }
            try await Task.sleep(for: .milliseconds(250))
            if city == nil {
                city = try? DatabaseQueue(path: nodes[0].directory.databasePath, configuration: configuration)
            }
            guard let city else { continue }
            arrived =
                (try? await city.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM elders") ?? 0 }) ?? 0
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        try await Task.sleep(for: .seconds(1))

        var result: [String: Any] = [
            "benchmark": "levels", "elders": elders, "cells": elders * DomainSchema.elders.columns.count,
            "chain_load_seconds": (seconds * 100).rounded() / 100,
        ]
        var line: [String] = []
        for node in nodes {
            guard let process = node.process, let peak = highWaterMark(process.processIdentifier) else {
                throw BenchError(
                    "cannot read /proc/\(node.process?.processIdentifier ?? 0)/status for the \(node.level)")
            }
            result["peak_rss_\(node.level)_mb"] = (peak * 10).rounded() / 10
            line.append("\(node.level) \(String(format: "%.1f", peak)) MB")
            process.terminate()
            process.waitUntilExit()
        }
        log(
            "  \(elders) elders community → city in \(String(format: "%.2f", seconds)) s (3 hops, 4 processes); peak RSS: \(line.joined(separator: ", "))"
        )
        return result
    }

    /// `VmHWM` of a process in MB (Linux), or nil where /proc is not readable.
    static func highWaterMark(_ pid: Int32) -> Double? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kilobytes = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first.flatMap {
                Double($0)
            }
            return kilobytes.map { $0 / 1024 }
        }
        return nil
    }

}
