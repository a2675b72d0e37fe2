import FederationNode
import FederationSync
import Foundation
import GRDB
import Replication
import Testing
import ZeroMQTransport

/// Proves docs/PROTOCOL.md: `tests/python/child_client.py`, a child written from the document and the
/// .proto alone (pyzmq + protobuf), links to a real street node over CURVE, sends a statistics cell
/// up, receives the street's change about its community down, has a forged origin refused and counted
/// (the batch itself acknowledged), sends a change of every replicated table of which exactly the
/// changes the document says a receiver refuses are left out, and judges what comes down the same way.
///
/// Needs `python3` with `pip install -r tests/python/requirements.txt` and `protoc` on PATH; without
/// them the tests fail (they do not skip), saying what to install.
@Suite(.serialized, .timeLimit(.minutes(10))) struct PythonClientTests {
    static let street = "130102001000"
    static let child = "130102001001"
    static let period = "2026-01-05"
    /// Valid dims of a `calls` cell (docs/PROTOCOL.md, "Statistics cells"), as the client sends them.
    static let callDims = "channel=hotline;effective=1;hour=09;type=consultation"
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
    static func finish(_ process: Process, stdout: URL, stderr: URL, timeout: Duration = .seconds(60)) async throws
        -> Run
    {
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
            print(
                (try? String(contentsOf: stderr, encoding: .utf8)) ?? "",
                (try? String(contentsOf: stdout, encoding: .utf8)) ?? "")
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
    static func streetWithPythonChild(_ federation: TestFederation, trusted: Bool = true) async throws -> (
        ReplicaStore, [String]
    ) {
        let node = try await federation.start(street)
        let keys = try CurveKeyPair.generate()
        if trusted {
            try node.directory.trust(child: try NodeCode(child), publicKey: keys.publicKey, of: node.code)
        }
        let arguments =
            [
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
        try await TestFederation.with { federation in
            let (street, arguments) = try await Self.streetWithPythonChild(federation)
            let childCode = try NodeCode(Self.child)
            let (process, stdout, stderr) = try Self.launch(
                arguments + ["--count", "7", "--probe-malformed", "--timeout", "45"])

            // The child's cell arrives at the street (merged, committed, then ACKed)…
            let childCell = StatKey(
                origin: childCode, community: childCode, metric: "calls", dims: Self.callDims, period: Self.period)
            let arrived = try await federation.eventually(timeout: .seconds(45)) {
                try street.statistic(childCell) != nil || !process.isRunning
            }
            #expect(arrived)
            // …and while the client waits, the street records a change about the child's community.
            let streetDims = "channel=app;effective=0;hour=23;type=service_request"
            try street.add([
                (
                    StatKey(
                        origin: street.node, community: childCode, metric: "calls", dims: streetDims,
                        period: Self.period),
                    2
                )
            ])

            let run = try await Self.finish(process, stdout: stdout, stderr: stderr)
            #expect(
                run.status == 0, "child_client.py exited \(run.status)\nstdout: \(run.stdout)\nstderr: \(run.stderr)")
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
            #expect(ack["refused"] as? Int == 0)
            let down = try #require(json["down"] as? [[String: Any]])
            let stats = down.flatMap { ($0["stats"] as? [[String: Any]]) ?? [] }
            let streetCell = stats.first { $0["origin"] as? String == Self.street }
            let cell = try #require(streetCell, "no statistics cell from the street came down: \(down)")
            #expect(cell["community"] as? String == Self.child)
            #expect(cell["metric"] as? String == "calls")
            #expect(cell["period"] as? String == Self.period)
            #expect(cell["value"] as? Int == 2)
            #expect(cell["dims"] as? String == streetDims)
            // The child judged what came down and refused none of it.
            #expect(down.allSatisfy { ($0["refused"] as? Int) == 0 }, "\(down)")
            // Nothing the child sent came back down (no echo).
            #expect(!stats.contains { $0["origin"] as? String == Self.child })
            let batch = try #require(down.first)
            #expect(batch["compression"] as? String == "COMPRESSION_DEFLATE")
            #expect((batch["seq_to"] as? Int ?? 0) > (batch["seq_from"] as? Int ?? 0))
        }
    }

    @Test func aPythonChildForgingAnOriginHasThatChangeRefusedAndNothingIsStored() async throws {
        try await Self.requirePythonPackages()
        try await TestFederation.with { federation in
            let (street, arguments) = try await Self.streetWithPythonChild(federation)
            let (process, stdout, stderr) = try Self.launch(arguments + ["--count", "5", "--forge", "--timeout", "45"])
            let run = try await Self.finish(process, stdout: stdout, stderr: stderr)
            #expect(
                run.status == 0, "child_client.py exited \(run.status)\nstdout: \(run.stdout)\nstderr: \(run.stderr)")

            let json = try #require(run.json, "no JSON line from child_client.py: \(run.stdout) \(run.stderr)")
            #expect(json["status"] as? String == "refused_as_expected")
            // The forged change is left out and counted; the batch is acknowledged (not an ERROR).
            #expect(json["error"] == nil)
            let ack = try #require(json["ack"] as? [String: Any], "the batch was not acknowledged: \(json)")
            #expect(ack["batch_id"] as? Int == 1)
            #expect(ack["seq_to"] as? Int == 1)
            #expect(ack["applied"] as? Int == 0)
            #expect(ack["refused"] as? Int == 1)
            let sent = try #require(json["sent"] as? [String: Any])
            let forged = try NodeCode(try #require(sent["origin"] as? String))
            #expect(!(try NodeCode(Self.child)).contains(forged))

            let key = StatKey(
                origin: forged, community: try NodeCode(Self.child), metric: "calls", dims: Self.callDims,
                period: Self.period)
            #expect(try street.statistic(key) == nil)
            #expect(try street.total("calls", within: try NodeCode(Self.street)) == 0)
            // The refusal is counted on the child's link, by its code.
            let counted = try await federation.eventually(timeout: .seconds(10)) {
                try street.database.read { db in
                    try LinkStatistics.all(db).first { $0.peer == Self.child }.map {
                        $0.refusedByCode["foreign_origin"] == 1
                    } ?? false
                }
            }
            #expect(counted, "the street did not count the refused change as foreign_origin")
        }
    }

    @Test func aPythonChildSendingEveryTableHasExactlyTheDocumentedChangesRefused() async throws {
        try await Self.requirePythonPackages()
        try await TestFederation.with { federation in
            let (street, arguments) = try await Self.streetWithPythonChild(federation)
            let (process, stdout, stderr) = try Self.launch(
                arguments + ["--count", "4", "--all-tables", "--timeout", "45"])
            let run = try await Self.finish(process, stdout: stdout, stderr: stderr)
            #expect(
                run.status == 0, "child_client.py exited \(run.status)\nstdout: \(run.stdout)\nstderr: \(run.stderr)")
            let json = try #require(run.json, "no JSON line from child_client.py: \(run.stdout) \(run.stderr)")
            #expect(json["status"] as? String == "ok", "\(json)")

            let sent = try #require(json["sent"] as? [String: Any])
            let changes = try #require(sent["changes"] as? [[String: Any]])
            let good = changes.filter { $0["expected"] as? String == "applied" }
            let bad = changes.filter { $0["expected"] as? String != "applied" }
            let badCells = bad.reduce(0) { $0 + ($1["cells"] as? Int ?? 0) }
            let goodCells = good.reduce(0) { $0 + ($1["cells"] as? Int ?? 0) }
            // Every replicated table, one valid statistics cell, and the refused kinds the document lists.
            #expect(
                Set(good.compactMap { $0["table"] as? String }) == [
                    "elders", "providers", "service_items", "subsidy_policy",
                ])
            #expect(
                Set(bad.compactMap { $0["expected"] as? String }) == [
                    "not_owner", "unknown_table", "unknown_column", "invalid_statistic",
                ])
            #expect(bad.count == 6)

            // The batch is acknowledged: the refused changes are left out and counted, the rest applied.
            let ack = try #require(json["ack"] as? [String: Any], "the batch was not acknowledged: \(json)")
            #expect(ack["refused"] as? Int == badCells)
            #expect(ack["applied"] as? Int == goodCells)
            #expect(ack["duplicates"] as? Int == 0)
            #expect(ack["seq_to"] as? Int == 1)

            // The good changes are stored at the street…
            let code = try NodeCode(Self.child)
            for change in good where change["kind"] as? String == "row" {
                let table = try #require(change["table"] as? String)
                let key = try #require(change["key"] as? String)
                let record = try #require(
                    try street.record(table, key: key), "\(table)/\(key) is not stored at the street")
                let scope = table == "elders" ? "community" : "scope"
                #expect(record[scope]?.textValue == Self.child, "\(table)/\(key): \(record)")
            }
            #expect(
                try street.record("elders", key: try #require(good.first?["key"] as? String))?["status"]?.textValue
                    == "active")
            #expect(
                try street.record("service_items", key: try #require(good[2]["key"] as? String))?["unit_price_fen"]?
                    .integerValue == 3000)
            #expect(
                try street.record("subsidy_policy", key: try #require(good[3]["key"] as? String))?["monthly_hours"]?
                    .integerValue == 8)
            #expect(
                try street.statistic(
                    StatKey(origin: code, community: code, metric: "calls", dims: Self.callDims, period: Self.period))?
                    .value == 4)
            // …and none of the refused ones: not the sibling's elder, not the row with an undeclared column,
            // no statistics cell but the good one.
            for change in bad where change["table"] as? String == "elders" {
                #expect(try street.record("elders", key: try #require(change["key"] as? String)) == nil, "\(change)")
            }
            #expect(try street.total("calls", within: try NodeCode(Self.street)) == 4)
            let cells = try await street.database.read { db in
                try Int.fetchOne(db, sql: "SELECT count(*) FROM crdt_stats") ?? 0
            }
            #expect(cells == 1)

            // Counted on the child's link by code, as `fedctl status` and /metrics show them.
            var expected: [String: Int64] = [:]
            for change in bad {
                expected[change["expected"] as! String, default: 0] += Int64(change["cells"] as? Int ?? 0)
            }
            let counted = try await federation.eventually(timeout: .seconds(10)) {
                try street.database.read { db in
                    try LinkStatistics.all(db).first { $0.peer == Self.child }.map {
                        $0.refusedByCode == expected && $0.refusedChanges == Int64(badCells) && $0.refusedBatches == 0
                    } ?? false
                }
            }
            let statistics = try await street.database.read { db in
                try LinkStatistics.all(db).first { $0.peer == Self.child }
            }
            #expect(counted, "expected \(expected), the street counted \(String(describing: statistics))")
        }
    }

    @Test func thePythonChildJudgesEachChangeComingDownAlone() async throws {
        try await Self.requirePythonPackages()
        let (process, stdout, stderr) = try Self.launch(["tests/python/child_client.py", "--self-test"])
        let run = try await Self.finish(process, stdout: stdout, stderr: stderr, timeout: .seconds(30))
        #expect(run.status == 0, "child_client.py exited \(run.status)\nstdout: \(run.stdout)\nstderr: \(run.stderr)")
        let json = try #require(run.json, "no JSON line from child_client.py: \(run.stdout) \(run.stderr)")
        // All four replicated tables are accepted down; each bad change is refused alone and counted.
        #expect(json["tables"] as? [String] == ["elders", "providers", "service_items", "subsidy_policy"])
        let first = try #require(json["first"] as? [String: Any])
        #expect(first["applied"] as? Int == 11)
        #expect(first["refused"] as? Int == 13)
        let codes = try #require(first["refused_by_code"] as? [String: Int])
        #expect(
            codes == [
                "unknown_table": 2, "unknown_column": 2, "type_mismatch": 1, "invalid_key": 1, "malformed_clock": 1,
                "invalid_statistic": 5, "clock_skew": 1,
            ])
        let again = try #require(json["again"] as? [String: Any])
        #expect(again["duplicates"] as? Int == 11)
        #expect(again["refused"] as? Int == 13)
        // A clock minutes ahead refuses the whole batch (retried later); a bad origin is malformed.
        #expect(json["clock_minutes_ahead"] as? String == "ERROR_CLOCK_SKEW")
        #expect(json["bad_origin"] as? String == "ERROR_MALFORMED")
    }

    @Test func aPythonChildWithAnUntrustedKeyGetsNoWelcome() async throws {
        try await Self.requirePythonPackages()
        try await TestFederation.with { federation in
            let (street, arguments) = try await Self.streetWithPythonChild(federation, trusted: false)
            let (process, stdout, stderr) = try Self.launch(arguments + ["--count", "3", "--timeout", "3"])
            let run = try await Self.finish(process, stdout: stdout, stderr: stderr)
            // ZAP refuses the key during the CURVE handshake: no protocol message ever arrives.
            #expect(
                run.status == 2, "child_client.py exited \(run.status)\nstdout: \(run.stdout)\nstderr: \(run.stderr)")
            let json = try #require(run.json, "no JSON line from child_client.py: \(run.stdout) \(run.stderr)")
            #expect(json["status"] as? String == "timeout")
            #expect(json["waiting_for"] as? String == "WELCOME")
            #expect(try street.total("calls", within: try NodeCode(Self.street)) == 0)
        }
    }
}
