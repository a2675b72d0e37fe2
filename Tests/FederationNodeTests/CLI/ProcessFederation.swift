import Foundation
import LoopbackHTTP
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// Nodes as separate `fedctl run` processes, set up with the contract commands, on loopback ports.
/// Every process is killed and every file removed at the end.
final class ProcessFederation: @unchecked Sendable {
    struct Node {
        let code: String
        let data: String
        let syncPort: Int
        let httpPort: Int
        /// The operator token, as `fedctl token show --role operator` prints it.
        var token = ""
        var process: Process?
    }

    let root: URL
    let fedctl: URL
    private(set) var nodes: [String: Node] = [:]

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("eldercare-proc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let binaries = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        fedctl = binaries.appendingPathComponent("fedctl")
        guard FileManager.default.isExecutableFile(atPath: fedctl.path) else {
            throw ProcessFederationError("fedctl is not built at \(fedctl.path); run swift build --build-tests")
        }
    }

    /// Runs `fedctl ARGS` to completion; returns (status, stdout, stderr).
    @discardableResult
    func fedctl(_ arguments: [String], environment: [String: String] = [:]) throws -> (
        status: Int32, output: String, error: String
    ) {
        let process = Process()
        if !environment.isEmpty {
            process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        }
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
        return (process.terminationStatus, String(decoding: out, as: UTF8.self), String(decoding: err, as: UTF8.self))
    }

    /// `fedctl init` (and `trust` at the parent); the node is not started.
    func initialise(_ code: String, name: String, under parent: String? = nil) throws {
        var node = Node(
            code: code, data: root.appendingPathComponent(code).path, syncPort: try LoopbackPort.free(),
            httpPort: try LoopbackPort.free())
        var arguments = [
            "init", "--data", node.data, "--code", code, "--name", name, "--listen", "tcp://127.0.0.1:\(node.syncPort)",
            "--http", "127.0.0.1:\(node.httpPort)",
        ]
        if let parent, let parentNode = nodes[parent] {
            let key = try lastLine(fedctl(["key", "show", "--data", parentNode.data]).output)
            arguments += [
                "--parent", "tcp://127.0.0.1:\(parentNode.syncPort)", "--parent-key", key, "--parent-code", parent,
            ]
        }
        let result = try fedctl(arguments)
        guard result.status == 0 else { throw ProcessFederationError("fedctl init \(code) failed: \(result.error)") }
        node.token = try lastLine(fedctl(["token", "show", "--data", node.data, "--role", "operator"]).output)
        if let parent, let parentNode = nodes[parent] {
            let key = try lastLine(fedctl(["key", "show", "--data", node.data]).output)
            let trust = try fedctl(["trust", "--data", parentNode.data, "--child", code, "--key", key])
            guard trust.status == 0 else { throw ProcessFederationError("fedctl trust failed: \(trust.error)") }
        }
        nodes[code] = node
    }

    /// Writes a topology of `nodes` (parents first) on free loopback ports and runs `fedctl plan` on it;
    /// the nodes are registered, not started. Returns the plan's output.
    @discardableResult
    func plan(_ nodes: [(code: String, name: String)]) throws -> String {
        var text = "[federation]\nname = \"测试联邦\"\n\n"
        var planned: [Node] = []
        for (code, name) in nodes {
            let node = Node(
                code: code, data: root.appendingPathComponent("planned/\(code)").path,
                syncPort: try LoopbackPort.free(),
                httpPort: try LoopbackPort.free())
            text +=
                "[[node]]\ncode = \"\(code)\"\nname = \"\(name)\"\nhost = \"127.0.0.1\"\nsync_port = \(node.syncPort)\nhttp_port = \(node.httpPort)\n\n"
            planned.append(node)
        }
        let file = root.appendingPathComponent("topology.toml")
        try Data(text.utf8).write(to: file)
        let result = try fedctl(["plan", file.path, "--out", root.appendingPathComponent("planned").path])
        guard result.status == 0 else { throw ProcessFederationError("fedctl plan failed: \(result.error)") }
        for var node in planned {
            node.token = try lastLine(fedctl(["token", "show", "--data", node.data, "--role", "operator"]).output)
            self.nodes[node.code] = node
        }
        return result.output
    }

    /// The node's HTTP base URL.
    func url(_ code: String) -> String { "http://127.0.0.1:\(nodes[code]?.httpPort ?? 0)" }

    /// Starts `fedctl run` and waits until its HTTP server answers.
    func start(_ code: String) async throws {
        guard var node = nodes[code] else { throw ProcessFederationError("unknown node \(code)") }
        let process = Process()
        process.executableURL = fedctl
        process.arguments = [
            "run", "--data", node.data, "--log-level", ProcessInfo.processInfo.environment["TEST_LOG_LEVEL"] ?? "error",
        ]
        process.standardOutput = FileHandle.nullDevice
        if ProcessInfo.processInfo.environment["TEST_LOG_LEVEL"] == nil {
            process.standardError = FileHandle.nullDevice
        }
        try process.run()
        node.process = process
        nodes[code] = node
        // Generous: many suites start processes at once on a busy machine.
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if (try? await get(code, "/healthz")) != nil { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ProcessFederationError("node \(code) did not answer on port \(node.httpPort)")
    }

    /// SIGKILL: no chance to flush or say goodbye.
    func kill(_ code: String) {
        guard let process = nodes[code]?.process else { return }
        Glibc.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        nodes[code]?.process = nil
    }

    /// SIGTERM, and the exit status.
    func terminate(_ code: String) -> Int32? {
        guard let process = nodes[code]?.process else { return nil }
        process.terminate()
        process.waitUntilExit()
        nodes[code]?.process = nil
        return process.terminationStatus
    }

    func get(_ code: String, _ path: String) async throws -> [String: Any] {
        try await request(code, path, method: "GET", body: nil)
    }

    func post(_ code: String, _ path: String, json: Any) async throws -> [String: Any] {
        try await request(code, path, method: "POST", body: try JSONSerialization.data(withJSONObject: json))
    }

    private func request(_ code: String, _ path: String, method: String, body: Data?) async throws -> [String: Any] {
        guard let node = nodes[code], let url = URL(string: "http://127.0.0.1:\(node.httpPort)\(path)") else {
            throw ProcessFederationError("unknown node \(code)")
        }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.httpBody = body
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue("Bearer \(node.token)", forHTTPHeaderField: "Authorization")
        request.timeoutInterval = 5
        let (data, response) = try await URLSession.shared.data(for: request)
        guard let http = response as? HTTPURLResponse, http.statusCode == 200 else {
            throw ProcessFederationError("\(method) \(path) at \(code): \(String(decoding: data, as: UTF8.self))")
        }
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    /// A GET with the given bearer token (or none): the status and the body, whatever the status.
    func raw(_ code: String, _ path: String, token: String?) async throws -> (status: Int, body: String) {
        guard let node = nodes[code], let url = URL(string: "http://127.0.0.1:\(node.httpPort)\(path)") else {
            throw ProcessFederationError("unknown node \(code)")
        }
        var request = URLRequest(url: url)
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        request.timeoutInterval = 5
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    /// Re-reads a node's operator token (after `fedctl token rotate` or a restart that created it).
    func refreshToken(_ code: String) throws {
        guard let data = nodes[code]?.data else { throw ProcessFederationError("unknown node \(code)") }
        nodes[code]?.token = try lastLine(fedctl(["token", "show", "--data", data, "--role", "operator"]).output)
    }

    func shutdown() {
        for code in nodes.keys { kill(code) }
        try? FileManager.default.removeItem(at: root)
    }

    func lastLine(_ text: String) throws -> String {
        guard let line = text.split(whereSeparator: \.isNewline).last else { throw ProcessFederationError("no output") }
        return String(line)
    }

}

struct ProcessFederationError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
