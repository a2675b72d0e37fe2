import FederationNode
import Foundation
import GRDB
import Logging
import Replication
import Testing

/// Real nodes in this process: real ZeroMQ sockets on loopback (CURVE, ZAP), real SQLite files in a
/// temporary directory. Every node is stopped and every file removed at the end.
final class TestFederation: @unchecked Sendable {
    struct Node {
        let code: NodeCode
        let directory: DataDirectory
        var daemon: NodeDaemon
        var task: Task<Void, any Error>
        var endpoint: String
        var store: ReplicaStore { daemon.store }
    }

    let root: URL
    private(set) var nodes: [NodeCode: Node] = [:]
    private var httpPort = 0

    /// Runs `body` with a new federation and stops every node and removes every file afterwards,
    /// whether `body` returns or throws (structured: the shutdown is awaited before this returns).
    ///
    ///     try await TestFederation.with { federation in
    ///         try await federation.start("130102001000")
    ///     }
    static func with<T>(_ body: (TestFederation) async throws -> T) async throws -> T {
        let federation = try TestFederation()
        do {
            let result = try await body(federation)
            await federation.shutdown()
            return result
        } catch {
            await federation.shutdown()
            throw error
        }
    }

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("eldercare-fed-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    static var logger: Logger {
        var logger = Logger(label: "test")
        logger.logLevel =
            ProcessInfo.processInfo.environment["TEST_LOG_LEVEL"].flatMap { Logger.Level(rawValue: $0) } ?? .critical
        return logger
    }

    /// Creates and starts a node below `parent` (which must already run) and trusts it there.
    @discardableResult
    func start(
        _ codeText: String, under parentText: String? = nil, name: String? = nil,
        configure: (inout NodeConfig) -> Void = { _ in }
    ) async throws -> Node {
        let code = try NodeCode(codeText)
        var parentEndpoint: String?
        var parentKey: String?
        if let parentText {
            let parent = try #require(nodes[try NodeCode(parentText)])
            parentEndpoint = parent.endpoint
            parentKey = try parent.directory.loadKeyPair().publicKey
        }
        let path = root.appendingPathComponent(codeText + "-" + UUID().uuidString.prefix(6)).path
        let directory = try DataDirectory.initialize(
            at: path,
            config: NodeConfig(
                code: codeText, name: name ?? "node \(codeText)", listen: "tcp://127.0.0.1:*", http: "127.0.0.1:0",
                parent: parentEndpoint, parentKey: parentKey))
        if let parentText, let parent = nodes[try NodeCode(parentText)] {
            try parent.directory.trust(child: code, publicKey: try directory.loadKeyPair().publicKey, of: parent.code)
        }
        var config = try directory.loadConfig()
        config.sync.heartbeatIntervalMs = 200
        config.sync.heartbeatTimeoutMs = 2_000
        config.sync.durable = false  // fsync stalls on a busy CI disk are not what these tests are about
        configure(&config)
        try directory.saveConfig(config)
        let node = try await launch(code: code, directory: directory)
        nodes[code] = node
        return node
    }

    private func launch(code: NodeCode, directory: DataDirectory) async throws -> Node {
        let daemon = try await NodeDaemon(directory: directory, logger: Self.logger)
        let endpoint = try #require(try await daemon.childrenEndpoint())
        let task = Task { try await daemon.run(handleSignals: false) }
        return Node(code: code, directory: directory, daemon: daemon, task: task, endpoint: endpoint)
    }

    /// Stops a node (as SIGTERM would) and waits for it.
    func stop(_ codeText: String) async throws {
        let code = try NodeCode(codeText)
        guard let node = nodes[code] else { return }
        node.task.cancel()
        _ = await node.task.result
    }

    /// Restarts a stopped node from its data directory (same endpoint for its children).
    func restart(_ codeText: String) async throws {
        let code = try NodeCode(codeText)
        let node = try #require(nodes[code])
        var config = try node.directory.loadConfig()
        config.sync.listen = node.endpoint
        try node.directory.saveConfig(config)
        nodes[code] = try await launch(code: code, directory: node.directory)
    }

    /// Points a stopped node at another parent (a community moved to another street), trusts it there,
    /// and tells the grandparent that the new parent now covers it.
    func move(_ codeText: String, under parentText: String) async throws {
        let code = try NodeCode(codeText)
        let node = try #require(nodes[code])
        let parent = try #require(nodes[try NodeCode(parentText)])
        try parent.directory.trust(
            child: code, publicKey: try node.directory.loadKeyPair().publicKey, of: parent.code, transferred: true)
        if let grandparentCode = parent.code.parent, let grandparent = nodes[grandparentCode] {
            try grandparent.directory.trust(
                child: parent.code, publicKey: try parent.directory.loadKeyPair().publicKey, of: grandparentCode,
                covers: [code])
        }
        var config = try node.directory.loadConfig()
        config.sync.parent = parent.endpoint
        config.sync.parentKey = try parent.directory.loadKeyPair().publicKey
        try node.directory.saveConfig(config)
    }

    func store(_ codeText: String) throws -> ReplicaStore {
        try #require(nodes[try NodeCode(codeText)]).store
    }

    /// Polls `condition` until it holds or `timeout` passes; returns whether it held.
    func eventually(timeout: Duration = .seconds(20), _ condition: () throws -> Bool) async rethrows -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return try condition()
    }

    func shutdown() async {
        for node in nodes.values { node.task.cancel() }
        for node in nodes.values { _ = await node.task.result }
        nodes.removeAll()
        try? FileManager.default.removeItem(at: root)
    }
}

extension ReplicaStore {
    /// The sum of every statistics cell of `metric` about communities inside `scope`.
    func total(_ metric: String, within scope: NodeCode) throws -> Int64 {
        try database.read { db in
            try Int64.fetchOne(
                db, sql: "SELECT COALESCE(SUM(value), 0) FROM crdt_stats WHERE metric = ? AND community LIKE ?",
                arguments: [metric, String(scope.prefix) + "%"]) ?? 0
        }
    }
}
