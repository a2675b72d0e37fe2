import FederationNode
import Foundation
import LoopbackHTTP
import Replication

#if canImport(Glibc)
    import Glibc
#endif

/// The node processes of a chaos run: each node a `fedctl run` process on loopback ports, with its
/// log in `DATA/node.log`. Knows which exits it caused (SIGKILL, SIGTERM), so any other exit is a crash.
///
///     let cluster = try ChaosCluster(root: dir, fedctl: url, topology: .standard, settings: settings)
///     try cluster.initialise()
///     try await cluster.startAll()
///     try await cluster.kill("130102001001"); try await cluster.start("130102001001")
final class ChaosCluster: @unchecked Sendable {
    struct Settings: Sendable {
        var maxClockSkewMs = 540_000
        var heartbeatIntervalMs = 400
        var heartbeatTimeoutMs = 2_500
        /// Drop/duplicate switches for the districts and streets (the rest keep them off).
        var linkFaults = NodeConfig.Faults(dropBatchProbability: 0.05, duplicateBatchProbability: 0.05)
    }

    struct Node {
        let code: String
        let name: String
        let data: URL
        let syncPort: Int
        let httpPort: Int
        var parent: String?
        var publicKey = ""
        var process: Process?
    }

    enum ExpectedEnd { case killed, terminated }

    /// An exit the harness did not cause, or a stop that did not end cleanly.
    struct Incident: Sendable, CustomStringConvertible {
        let node: String
        let what: String
        var description: String { "\(node): \(what)" }
    }

    let root: URL
    let fedctl: URL
    let topology: ChaosTopology
    let settings: Settings
    private let lock = NSLock()
    private var nodes: [String: Node] = [:]
    private var incidents: [Incident] = []
    /// How the harness ended each process it signalled; a process ending without an entry crashed.
    private var expectations: [ObjectIdentifier: ExpectedEnd] = [:]
    /// Every process started, kept so that no identifier above is reused.
    private var started: [Process] = []

    init(root: URL, fedctl: URL, topology: ChaosTopology, settings: Settings) throws {
        self.root = root
        self.fedctl = fedctl
        self.topology = topology
        self.settings = settings
        for member in topology.members {
            nodes[member.code] = Node(
                code: member.code, name: member.name, data: root.appendingPathComponent(member.code),
                syncPort: try LoopbackPort.free(), httpPort: try LoopbackPort.free(), parent: member.parent)
        }
    }

    func node(_ code: String) -> Node? { lock.withLock { nodes[code] } }
    var codes: [String] { topology.members.map(\.code) }
    func isRunning(_ code: String) -> Bool {
        lock.withLock {
            guard let process = nodes[code]?.process else { return false }
            return process.isRunning && expectations[ObjectIdentifier(process)] == nil
        }
    }
    func recordedIncidents() -> [Incident] { lock.withLock { incidents } }
    func baseURL(_ code: String) -> URL { URL(string: "http://127.0.0.1:\(node(code)?.httpPort ?? 0)")! }

    /// `fedctl init` every node (parents first) and `fedctl trust` it at its parent; then the testing
    /// settings in each node.toml.
    func initialise() throws {
        for member in topology.members {
            guard let node = node(member.code) else { continue }
            var arguments = [
                "init", "--data", node.data.path, "--code", node.code, "--name", node.name,
                "--listen", "tcp://127.0.0.1:\(node.syncPort)", "--http", "127.0.0.1:\(node.httpPort)",
            ]
            if let parentCode = member.parent, let parent = self.node(parentCode) {
                arguments += [
                    "--parent", "tcp://127.0.0.1:\(parent.syncPort)", "--parent-key", parent.publicKey, "--parent-code",
                    parentCode,
                ]
            }
            let output = try runFedctl(arguments)
            guard let key = output.split(whereSeparator: \.isNewline).last.map(String.init), key.count == 40 else {
                throw ChaosError("fedctl init \(node.code) printed no public key: \(output)")
            }
            lock.withLock { nodes[member.code]?.publicKey = key }
            if let parentCode = member.parent, let parent = self.node(parentCode) {
                try runFedctl(["trust", "--data", parent.data.path, "--child", node.code, "--key", key])
            }
            try editConfig(member.code) { config in
                config.sync.durable = false  // crash-safe (WAL) without fsync: the cores are shared
                config.sync.maxClockSkewMs = settings.maxClockSkewMs
                config.sync.heartbeatIntervalMs = settings.heartbeatIntervalMs
                config.sync.heartbeatTimeoutMs = settings.heartbeatTimeoutMs
                let level = try NodeCode(member.code).level
                if level == .district || level == .street { config.faults = settings.linkFaults }
            }
        }
    }

    /// Loads, changes and saves a node's node.toml (the node reads it at its next start).
    func editConfig(_ code: String, _ change: (inout NodeConfig) throws -> Void) throws {
        guard let node = node(code) else { throw ChaosError("unknown node \(code)") }
        let directory = DataDirectory(path: node.data.path)
        var config = try directory.loadConfig()
        try change(&config)
        try directory.saveConfig(config)
    }

    func startAll() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for code in codes { group.addTask { try await self.start(code) } }
            try await group.waitForAll()
        }
    }

    /// Starts `fedctl run` and waits (up to 60 s) until its HTTP server answers.
    func start(_ code: String) async throws {
        guard let node = node(code) else { throw ChaosError("unknown node \(code)") }
        let logURL = node.data.appendingPathComponent("node.log")
        if !FileManager.default.fileExists(atPath: logURL.path) {
            _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        }
        let log = try FileHandle(forWritingTo: logURL)
        try log.seekToEnd()
        let process = Process()
        process.executableURL = fedctl
        process.arguments = ["run", "--data", node.data.path, "--log-level", "notice"]
        process.standardOutput = log
        process.standardError = log
        process.terminationHandler = { [weak self] ended in self?.ended(code, ended) }
        lock.withLock {
            nodes[code]?.process = process
            started.append(process)
        }
        try process.run()
        try? log.close()
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if await NodeHTTPClient.isHealthy(baseURL(code)) { return }
            guard process.isRunning else {
                throw ChaosError(
                    "node \(code) exited at start-up (status \(process.terminationStatus)); see \(logURL.path)")
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ChaosError("node \(code) did not answer on port \(node.httpPort) within 60 s; see \(logURL.path)")
    }

    /// SIGKILL: no chance to flush or say goodbye.
    func kill(_ code: String) async {
        await signal(code, SIGKILL, expecting: .killed)
    }

    /// SIGTERM and wait: a clean stop must exit with status 0.
    func stop(_ code: String) async {
        await signal(code, SIGTERM, expecting: .terminated)
    }

    private func signal(_ code: String, _ number: Int32, expecting: ExpectedEnd) async {
        let process: Process? = lock.withLock {
            guard let process = nodes[code]?.process, process.isRunning else { return nil }
            expectations[ObjectIdentifier(process)] = expecting
            return process
        }
        guard let process else { return }
        Glibc.kill(process.processIdentifier, number)
        let deadline = ContinuousClock.now + .seconds(30)
        while process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning {
            record(Incident(node: code, what: "did not stop within 30 s of signal \(number); killed"))
            Glibc.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    private func ended(_ code: String, _ process: Process) {
        let expected: ExpectedEnd? = lock.withLock { expectations[ObjectIdentifier(process)] }
        let status = process.terminationStatus
        let reason = process.terminationReason
        switch (expected, reason) {
        case (.killed, .uncaughtSignal) where status == SIGKILL:
            return
        case (.terminated, .exit) where status == 0:
            return
        case (nil, _):
            record(
                Incident(node: code, what: "exited unexpectedly (\(reason == .exit ? "status" : "signal") \(status))"))
        default:
            record(
                Incident(
                    node: code,
                    what:
                        "ended with \(reason == .exit ? "status" : "signal") \(status) after the harness asked it to stop"
                ))
        }
    }

    private func record(_ incident: Incident) { lock.withLock { incidents.append(incident) } }

    /// Lines of every node log that show a crash (a Swift runtime trap, a fatal error, a signal).
    func crashLines() -> [String] {
        let markers = [
            "Fatal error", "fatal error", "Segmentation fault", "Illegal instruction", "Stack dump", "💣",
            "Program crashed",
        ]
        var found: [String] = []
        for code in codes {
            guard let node = node(code),
                let text = try? String(contentsOf: node.data.appendingPathComponent("node.log"), encoding: .utf8)
            else { continue }
            for line in text.split(whereSeparator: \.isNewline) where markers.contains(where: { line.contains($0) }) {
                found.append("\(code): \(line.prefix(200))")
            }
        }
        return found
    }

    /// The lines of a node's log that contain `text`.
    func logLines(_ code: String, containing text: String) -> [String] {
        guard let node = node(code),
            let log = try? String(contentsOf: node.data.appendingPathComponent("node.log"), encoding: .utf8)
        else { return [] }
        return log.split(whereSeparator: \.isNewline).filter { $0.contains(text) }.map(String.init)
    }

    /// Moves a community under another street, as an operator does: stop it, trust it at the new street
    /// (`fedctl trust --transferred`), re-trust the new street at the district covering it, revoke it at
    /// the old street, point its node.toml at the new street, start it.
    func move(_ community: String, to street: String) async throws {
        guard let node = node(community), let newStreet = self.node(street),
            let district = self.node(String(street.prefix(6)) + "000000"),
            let oldStreet = node.parent.flatMap({ self.node($0) })
        else { throw ChaosError("cannot move \(community) under \(street): unknown nodes") }
        await stop(community)
        try runFedctl([
            "trust", "--data", newStreet.data.path, "--child", community, "--key", node.publicKey, "--transferred",
        ])
        try runFedctl([
            "trust", "--data", district.data.path, "--child", street, "--key", newStreet.publicKey, "--covers",
            community,
        ])
        try FileManager.default.removeItem(at: oldStreet.data.appendingPathComponent("trust/\(community).public"))
        try editConfig(community) { config in
            config.sync.parent = "tcp://127.0.0.1:\(newStreet.syncPort)"
            config.sync.parentKey = newStreet.publicKey
            config.sync.parentCode = street
        }
        lock.withLock { nodes[community]?.parent = street }
        try await start(community)
    }

    /// SIGKILLs every node process still running, without waiting: the last act of a run that has to
    /// give up (the watchdog), so that no node outlives the harness.
    func killAllNow() {
        let running = lock.withLock { started.filter(\.isRunning) }
        for process in running { Glibc.kill(process.processIdentifier, SIGKILL) }
    }

    /// Stops every node with SIGTERM (in parallel) and returns when all have exited.
    func stopAll() async {
        await withTaskGroup(of: Void.self) { group in
            for code in codes { group.addTask { await self.stop(code) } }
        }
    }

    @discardableResult
    func runFedctl(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = fedctl
        process.arguments = arguments
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ChaosError("fedctl \(arguments.prefix(1).joined()) failed: \(String(decoding: err, as: UTF8.self))")
        }
        return String(decoding: out, as: UTF8.self)
    }

}

/// A failure of the harness itself, or a check that did not hold.
struct ChaosError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
