import FederationNode
import Foundation
import GRDB
import Replication
import Testing

/// Proves docs/PROTOCOL.md: `tests/python/child_client.py`, a child written from the document and the
/// .proto alone (pyzmq + protobuf), links to a real street node over CURVE, sends a statistics cell
/// up, receives the street's change about its community down, and is refused when it forges an origin.
///
/// Needs `python3` with `pip install -r tests/python/requirements.txt` and `protoc` on PATH; without
/// them the tests fail (they do not skip), saying what to install.
@Suite(.serialized) struct PythonClientTests {
    static let street = "130102001000"
    static let child = "130102001001"
    static let period = "2026-01-05"
    /// `PYTHON_CHILD_TRACE=1 swift test --filter PythonClient` prints every message the client saw.
    static let trace = ProcessInfo.processInfo.environment["PYTHON_CHILD_TRACE"] != nil

    /// The repository root, from this file's path (Tests/FederationNodeTests/Protocol/…).
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String

        /// The last stdout line, parsed as a JSON object.
        var json: [String: Any]? {
            guard let line = stdout.split(separator: "\n").last,
                let object = try? JSONSerialization.jsonObject(with: Data(line.utf8))
            else { return nil }
            return object as? [String: Any]
        }
    }

    /// Starts `python3 ARGS` in the repository root; returns the process and its output files.
    static func launch(_ arguments: [String]) throws -> (Process, stdout: URL, stderr: URL) {
        let directory = FileManager.default.temporaryDirectory
        let stdout = directory.appendingPathComponent("python-child-\(UUID().uuidString).out")
        let stderr = directory.appendingPathComponent("python-child-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: stdout.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderr.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        process.currentDirectoryURL = root
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: stdout)
        process.standardError = try FileHandle(forWritingTo: stderr)
        try process.run()
        return (process, stdout, stderr)
    }

    /// Waits for a launched process (polling, so no thread is blocked); kills it after `timeout`.
    static func finish(_ process: Process, stdout: URL, stderr: URL, timeout: Duration = .seconds(60)) async throws -> Run {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        defer {
            try? FileManager.default.removeItem(at: stdout)
            try? FileManager.default.removeItem(at: stderr)
        }
        if trace {
            print((try? String(contentsOf: stderr, encoding: .utf8)) ?? "", (try? String(contentsOf: stdout, encoding: .utf8)) ?? "")
        }
        return Run(
            status: process.terminationStatus,
            stdout: (try? String(contentsOf: stdout, encoding: .utf8)) ?? "",
            stderr: (try? String(contentsOf: stderr, encoding: .utf8)) ?? "")
    }

    /// Fails the test (it does not skip) unless python3 can import pyzmq and protobuf.
    static func requirePythonPackages() async throws {
        let (process, stdout, stderr) = try launch(["-c", "import zmq, google.protobuf"])
        let run = try await finish(process, stdout: stdout, stderr: stderr, timeout: .seconds(30))
        try #require(
            run.status == 0,
            """
            python3 cannot import pyzmq and protobuf: run `pip install -r tests/python/requirements.txt` \
            (from the repository root). python3 said: \(run.stderr)
            """)
    }

    /// A street node with the Python child's fresh key trusted as `child`, and the client's arguments.
    static func streetWithPythonChild(_ federation: TestFederation, trusted: Bool = true) async throws -> (ReplicaStore, [String]) {
        let node = try await federation.start(street)
        let keys = try CurveKeyPair.generate()
        if trusted {
            try node.directory.trust(child: try NodeCode(child), publicKey: keys.publicKey, of: node.code)
        }
        let arguments = [
            "tests/python/child_client.py",
            "--endpoint", node.endpoint,
            // `--option=VALUE`: a Z85 key may begin with "-", which argparse would take for an option.
            "--parent-key=" + (try node.directory.loadKeyPair().publicKey),
            "--public=" + keys.publicKey,
            "--secret=" + keys.secretKey,
            "--code", child,
            "--community", child,
            "--period", period,
        ] + (trace ? ["--trace"] : [])
        return (node.store, arguments)
    }

    @Test func aPythonChildSendsACellUpAndReceivesTheStreetsChangeDown() async throws {
        try await Self.requirePythonPackages()
        let federation = try TestFederation()
        defer { Task { await federation.shutdown() } }
        let (street, arguments) = try await Self.streetWithPythonChild(federation)
        let childCode = try NodeCode(Self.child)
        let (process, stdout, stderr) = try Self.launch(arguments + ["--count", "7", "--probe-malformed", "--timeout", "45"])

        // The child's cell arrives at the street (merged, committed, then ACKed)…
        let childCell = StatKey(origin: childCode, community: childCode, metric: "calls", period: Self.period)
        let arrived = try await federation.eventually(timeout: .seconds(45)) {
            try street.statistic(childCell) != nil || !process.isRunning
        }
        #expect(arrived)
        // …and while the client waits, the street records a change about the child's community.
        try street.add([(StatKey(origin: street.node, community: childCode, metric: "calls", period: Self.period), 2)])

        let run = try await Self.finish(process, stdout: stdout, stderr: stderr)
        #expect(run.status == 0, "child_client.py exited \(run.status)\nstdout: \(run.stdout)\nstderr: \(run.stderr)")
        #expect(try street.statistic(childCell)?.value == 7)

        let json = try #require(run.json, "no JSON line from child_client.py: \(run.stdout) \(run.stderr)")
        #expect(json["status"] as? String == "ok")
        let welcome = try #require(json["welcome"] as? [String: Any])
        #expect(welcome["node_code"] as? String == Self.street)
        #expect(welcome["protocol_version"] as? Int == 1)
        // A frame that is not an Envelope is answered with ERROR MALFORMED, and the link stays up.
        let probe = try #require(json["malformed_probe"] as? [String: Any])
        #expect(probe["code"] as? String == "ERROR_MALFORMED")
        #expect(probe["batch_id"] as? Int == 0)
        let ack = try #require(json["ack"] as? [String: Any], "the up batch was never acknowledged: \(json)")
        #expect(ack["batch_id"] as? Int == 1)
        #expect(ack["seq_to"] as? Int == 1)
        #expect(ack["applied"] as? Int == 1)
        let down = try #require(json["down"] as? [[String: Any]])
        let stats = down.flatMap { ($0["stats"] as? [[String: Any]]) ?? [] }
        let streetCell = stats.first { $0["origin"] as? String == Self.street }
        let cell = try #require(streetCell, "no statistics cell from the street came down: \(down)")
        #expect(cell["community"] as? String == Self.child)
        #expect(cell["metric"] as? String == "calls")
        #expect(cell["period"] as? String == Self.period)
        #expect(cell["value"] as? Int == 2)
        #expect(cell["dims"] as? String == "")
        // Nothing the child sent came back down (no echo).
        #expect(!stats.contains { $0["origin"] as? String == Self.child })
        let batch = try #require(down.first)
        #expect(batch["compression"] as? String == "COMPRESSION_DEFLATE")
        #expect((batch["seq_to"] as? Int ?? 0) > (batch["seq_from"] as? Int ?? 0))
        await federation.shutdown()
    }

    @Test func aPythonChildForgingAnOriginIsRefusedAndNothingIsStored() async throws {
        try await Self.requirePythonPackages()
        let federation = try TestFederation()
        defer { Task { await federation.shutdown() } }
        let (street, arguments) = try await Self.streetWithPythonChild(federation)
        let (process, stdout, stderr) = try Self.launch(arguments + ["--count", "5", "--forge", "--timeout", "45"])
        let run = try await Self.finish(process, stdout: stdout, stderr: stderr)
        #expect(run.status == 0, "child_client.py exited \(run.status)\nstdout: \(run.stdout)\nstderr: \(run.stderr)")

        let json = try #require(run.json, "no JSON line from child_client.py: \(run.stdout) \(run.stderr)")
        #expect(json["status"] as? String == "refused_as_expected")
        let error = try #require(json["error"] as? [String: Any])
        #expect(error["code"] as? String == "ERROR_FOREIGN_ORIGIN")
        #expect(error["batch_id"] as? Int == 1)
        let sent = try #require(json["sent"] as? [String: Any])
        let forged = try NodeCode(try #require(sent["origin"] as? String))
        #expect(!(try NodeCode(Self.child)).contains(forged))

        #expect(try street.statistic(StatKey(origin: forged, community: try NodeCode(Self.child), metric: "calls", period: Self.period)) == nil)
        #expect(try street.total("calls", within: try NodeCode(Self.street)) == 0)
        // The refusal is counted on the child's link.
        let counted = try await federation.eventually(timeout: .seconds(10)) {
            try street.database.read { db in
                try LinkStatistics.all(db).first { $0.peer == Self.child }.map { $0.refusedBatches >= 1 } ?? false
            }
        }
        #expect(counted, "the street did not count the refused batch")
        await federation.shutdown()
    }

    @Test func aPythonChildWithAnUntrustedKeyGetsNoWelcome() async throws {
        try await Self.requirePythonPackages()
        let federation = try TestFederation()
        defer { Task { await federation.shutdown() } }
        let (street, arguments) = try await Self.streetWithPythonChild(federation, trusted: false)
        let (process, stdout, stderr) = try Self.launch(arguments + ["--count", "3", "--timeout", "3"])
        let run = try await Self.finish(process, stdout: stdout, stderr: stderr)
        // ZAP refuses the key during the CURVE handshake: no protocol message ever arrives.
        #expect(run.status == 2, "child_client.py exited \(run.status)\nstdout: \(run.stdout)\nstderr: \(run.stderr)")
        let json = try #require(run.json, "no JSON line from child_client.py: \(run.stdout) \(run.stderr)")
        #expect(json["status"] as? String == "timeout")
        #expect(json["waiting_for"] as? String == "WELCOME")
        #expect(try street.total("calls", within: try NodeCode(Self.street)) == 0)
        await federation.shutdown()
    }
}
