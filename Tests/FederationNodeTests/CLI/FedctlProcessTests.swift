import Foundation
import Testing

/// Four nodes set up and started with the contract commands, as separate processes.
@Suite(.serialized, .timeLimit(.minutes(10))) struct FedctlProcessTests {
    static func call(_ id: String, community: String, effective: Bool) -> [String: Any] {
        [
            "id": id, "received_at": "2026-01-05T09:15:00+08:00", "channel": "hotline",
            "type": effective ? "service_request" : "consultation", "effective": effective, "community": community,
        ]
    }

    static func calls(_ summary: [String: Any]) -> (total: Int, effective: Int) {
        let calls = summary["calls"] as? [String: Any] ?? [:]
        return ((calls["total"] as? NSNumber)?.intValue ?? -1, (calls["effective"] as? NSNumber)?.intValue ?? -1)
    }

    @Test func fourNodesSyncAndSurviveASIGKILLedMiddleNode() async throws {
        let federation = try ProcessFederation()
        defer { federation.shutdown() }
        try federation.initialise("130100000000", name: "石家庄市")
        try federation.initialise("130102000000", name: "长安区", under: "130100000000")
        try federation.initialise("130102001000", name: "建北街道", under: "130102000000")
        try federation.initialise("130102001001", name: "建设北大街社区", under: "130102001000")
        for code in ["130100000000", "130102000000", "130102001000", "130102001001"] {
            try await federation.start(code)
        }

        // Calls recorded at the community while the district is killed and restarted.
        var recorded = 0
        var effective = 0
        for batch in 0..<12 {
            let calls = (0..<5).map { Self.call("C-\(batch)-\($0)", community: "130102001001", effective: $0 % 5 < 2) }
            let result = try await federation.post("130102001001", "/api/v1/calls", json: calls)
            recorded += (result["accepted"] as? NSNumber)?.intValue ?? 0
            effective += 2
            if batch == 4 { federation.kill("130102000000") }
            if batch == 8 { try await federation.start("130102000000") }
            try await Task.sleep(for: .milliseconds(100))
        }
        // A retry of an already recorded call changes nothing.
        let retry = try await federation.post(
            "130102001001", "/api/v1/calls", json: [Self.call("C-0-0", community: "130102001001", effective: true)])
        #expect((retry["duplicates"] as? NSNumber)?.intValue == 1)
        #expect(recorded == 60)

        let path = "/api/v1/reports/summary?from=2026-01-01&to=2026-01-31"
        var city = (total: 0, effective: 0)
        for _ in 0..<100 {
            city = Self.calls(try await federation.get("130100000000", path))
            if city.total == recorded { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(city.total == recorded)
        #expect(city.effective == effective)
        #expect(Self.calls(try await federation.get("130102000000", path)).total == recorded)

        // A call taken at the city hotline about the community reaches the street and the community.
        _ = try await federation.post(
            "130100000000", "/api/v1/calls", json: [Self.call("CITY-1", community: "130102001001", effective: true)])
        var community = (total: 0, effective: 0)
        for _ in 0..<100 {
            community = Self.calls(try await federation.get("130102001001", path))
            if community.total == recorded + 1 { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(community.total == recorded + 1)
        #expect(Self.calls(try await federation.get("130102001000", path)).total == recorded + 1)

        // fedctl status shows the links (the node writes its counters about once a second).
        try await Task.sleep(for: .milliseconds(1_500))
        let status = try federation.fedctl([
            "status", "--data", federation.nodes["130102000000"]!.data, "--format", "json",
        ])
        #expect(status.status == 0)
        let json = try JSONSerialization.jsonObject(with: Data(status.output.utf8)) as? [String: Any]
        let links = json?["links"] as? [[String: Any]] ?? []
        #expect(
            links.contains {
                $0["role"] as? String == "parent" && $0["peer"] as? String == "130100000000"
                    && $0["connected"] as? Bool == true
            })
        #expect(
            links.contains {
                $0["role"] as? String == "child" && $0["peer"] as? String == "130102001000"
                    && $0["connected"] as? Bool == true
            })

        // SIGTERM stops each node cleanly.
        for code in ["130102001001", "130102001000", "130102000000", "130100000000"] {
            #expect(federation.terminate(code) == 0, "\(code) did not exit cleanly")
        }
    }

    @Test func badInputToTheContractCommandsIsRefusedWithAHint() throws {
        let federation = try ProcessFederation()
        defer { federation.shutdown() }
        let data = federation.root.appendingPathComponent("x").path
        let badCode = try federation.fedctl([
            "init", "--data", data, "--code", "1301", "--name", "x", "--listen", "tcp://127.0.0.1:1", "--http",
            "127.0.0.1:2",
        ])
        #expect(badCode.status != 0)
        #expect(badCode.error.contains("12-digit"))
        let notAncestor = try federation.fedctl([
            "init", "--data", data, "--code", "130102001001", "--name", "x", "--listen", "tcp://127.0.0.1:1", "--http",
            "127.0.0.1:2",
            "--parent", "tcp://127.0.0.1:3", "--parent-key", "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7",
            "--parent-code", "130103000000",
        ])
        #expect(notAncestor.status != 0)
        #expect(notAncestor.error.contains("not an ancestor"))
        let missing = try federation.fedctl(["status", "--data", data])
        #expect(missing.status != 0)
        #expect(missing.error.contains("fedctl init"))
        let badKey = try federation.fedctl(["trust", "--data", data, "--child", "130102001001", "--key", "short"])
        #expect(badKey.status != 0)
    }

    /// Z85 has `-` in its alphabet: about one key in 85 begins with it, and such a key must be taken as
    /// the option's value, not read as an option (a CI run failed on exactly this).
    @Test func aKeyBeginningWithADashIsTakenAsTheValue() throws {
        let federation = try ProcessFederation()
        defer { federation.shutdown() }
        let parent = federation.root.appendingPathComponent("parent").path
        let created = try federation.fedctl([
            "init", "--data", parent, "--code", "130102000000", "--name", "x", "--listen", "tcp://127.0.0.1:1",
            "--http", "127.0.0.1:2",
        ])
        #expect(created.status == 0, "\(created.error)")
        for key in ["-=HNLKe>+v8P$(97C{xC&8TNztV*Wm}AL:RAZ<wk", "--HNLKe>+v8P$(97C{xC&8TNztV*Wm}AL:RAZ<wk"] {
            let trusted = try federation.fedctl(["trust", "--data", parent, "--child", "130102001000", "--key", key])
            #expect(trusted.status == 0, "\(trusted.error)")
            let stored = try String(contentsOfFile: parent + "/trust/130102001000.public", encoding: .utf8)
            #expect(stored.contains(key))
        }
        let child = federation.root.appendingPathComponent("child").path
        let joined = try federation.fedctl([
            "init", "--data", child, "--code", "130102001000", "--name", "y", "--listen", "tcp://127.0.0.1:3", "--http",
            "127.0.0.1:4",
            "--parent", "tcp://127.0.0.1:1", "--parent-key", "-=HNLKe>+v8P$(97C{xC&8TNztV*Wm}AL:RAZ<wk",
        ])
        #expect(joined.status == 0, "\(joined.error)")
    }
}
