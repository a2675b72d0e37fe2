import Foundation
import LoopbackHTTP
import Testing

/// `fedctl plan`, `simulate`, `backup` and `demo` as an operator runs them.
@Suite(.serialized, .timeLimit(.minutes(10))) struct FedctlOpsTests {
    static let community = "130102001001"

    @Test func planCreatesAFederationKeepsItsKeysAndRefusesABadTopology() throws {
        let federation = try ProcessFederation()
        defer { federation.shutdown() }
        let output = try federation.plan([
            ("130100000000", "石家庄市"), ("130102000000", "长安区"), ("130102001000", "建北街道"), (Self.community, "建设北大街社区"),
        ])
        #expect(output.contains("planned 4 nodes"), "\(output)")
        #expect(output.contains("4 created"), "\(output)")
        let before = try federation.fedctl(["key", "show", "--data", federation.nodes[Self.community]!.data]).output
        let topology = federation.root.appendingPathComponent("topology.toml").path
        let out = federation.root.appendingPathComponent("planned").path
        let again = try federation.fedctl(["plan", topology, "--out", out])
        #expect(again.status == 0)
        #expect(again.output.contains("0 created, 4 existing (keys kept)"), "\(again.output)")
        #expect(again.output.contains("exists, keys kept"))
        #expect(
            try federation.fedctl(["key", "show", "--data", federation.nodes[Self.community]!.data]).output == before)
        let trusted = try FileManager.default.contentsOfDirectory(
            atPath: federation.nodes["130102001000"]!.data + "/trust")
        #expect(trusted == ["\(Self.community).public"])

        // A street under the wrong district: refused with the line and the node, nothing written.
        let bad = federation.root.appendingPathComponent("bad.toml")
        try Data(
            """
            [[node]]
            code = "130100000000"
            name = "石家庄市"
            host = "127.0.0.1"
            sync_port = 7100
            http_port = 8100

            [[node]]
            code = "130104001000"
            name = "东里街道"
            parent = "130102000000"
            host = "127.0.0.1"
            sync_port = 7101
            http_port = 8101

            [[node]]
            code = "130102000000"
            name = "长安区"
            host = "127.0.0.1"
            sync_port = 7102
            http_port = 8102
            """.utf8
        ).write(to: bad)
        let refused = try federation.fedctl([
            "plan", bad.path, "--out", federation.root.appendingPathComponent("bad").path,
        ])
        #expect(refused.status != 0)
        #expect(
            refused.error.contains("bad.toml:8: node 130104001000 is not inside its parent 130102000000's subtree"),
            "\(refused.error)")
        #expect(!FileManager.default.fileExists(atPath: federation.root.appendingPathComponent("bad").path))
    }

    static func tally(_ output: String, _ kind: String) -> (new: Int, duplicates: Int)? {
        guard let range = output.range(of: #"\#(kind) (\d+) new, (\d+) duplicates"#, options: .regularExpression) else {
            return nil
        }
        let numbers = output[range].split(separator: " ").compactMap {
            Int($0.trimmingCharacters(in: .punctuationCharacters))
        }
        return numbers.count == 2 ? (numbers[0], numbers[1]) : nil
    }

    @Test func simulateIsDeterministicWithASeedAndStreamsLiveEvents() async throws {
        let federation = try ProcessFederation()
        defer { federation.shutdown() }
        try federation.plan([("130102001000", "建北街道"), (Self.community, "建设北大街社区")])
        try await federation.start("130102001000")
        try await federation.start(Self.community)
        let arguments = [
            "simulate", "--data", federation.nodes[Self.community]!.data, "--data",
            federation.nodes["130102001000"]!.data,
            "--seed", "5", "--days", "4", "--end", "2026-01-10", "--elders", "1500", "--live", "0",
        ]
        let first = try federation.fedctl(arguments)
        #expect(first.status == 0, "\(first.output)\(first.error)")
        #expect(first.output.contains("hotline calls at 130102001000"), "\(first.output)")
        let elders = try #require(Self.tally(first.output, "elders"))
        #expect(elders.new == 1_500 && elders.duplicates == 0)
        let calls = try #require(Self.tally(first.output, "calls"))
        let visits = try #require(Self.tally(first.output, "visits"))
        let callbacks = try #require(Self.tally(first.output, "callbacks"))
        #expect(visits.new > 10 && callbacks.new > 3 && calls.duplicates == 0, "\(first.output)")

        // The same seed again: the same items, every one a duplicate.
        let second = try federation.fedctl(arguments)
        #expect(second.status == 0)
        #expect(Self.tally(second.output, "elders").map { [$0.new, $0.duplicates] } == [0, 1_500], "\(second.output)")
        #expect(
            Self.tally(second.output, "calls").map { [$0.new, $0.duplicates] } == [0, calls.new], "\(second.output)")
        #expect(
            Self.tally(second.output, "visits").map { [$0.new, $0.duplicates] } == [0, visits.new], "\(second.output)")
        #expect(
            Self.tally(second.output, "callbacks").map { [$0.new, $0.duplicates] } == [0, callbacks.new],
            "\(second.output)")
        // The street sees the hotline calls it took and the walk-ins that came up from the station.
        var total = -1
        for _ in 0..<100 {
            let summary = try await federation.get(
                "130102001000", "/api/v1/reports/summary?from=2026-01-07&to=2026-01-10")
            total = ((summary["calls"] as? [String: Any])?["total"] as? NSNumber)?.intValue ?? -1
            if total == calls.new { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(total == calls.new)

        // Live: a few seconds of events at 5 a second.
        let live = try federation.fedctl([
            "simulate", "--node", federation.url(Self.community), "--token", federation.nodes[Self.community]!.token,
            "--seed", "5", "--days", "0", "--no-roster", "--rate", "5", "--live", "2",
        ])
        #expect(live.status == 0, "\(live.output)\(live.error)")
        let streamed = [
            Self.tally(live.output, "calls"), Self.tally(live.output, "visits"), Self.tally(live.output, "callbacks"),
        ]
        .compactMap { $0?.new }.reduce(0, +)
        #expect(streamed >= 5, "\(live.output)")

        let badDate = try federation.fedctl([
            "simulate", "--node", federation.url(Self.community), "--end", "2026-13-01",
        ])
        #expect(badDate.status != 0)
        #expect(badDate.error.contains("is not a date"))
        let noToken = try federation.fedctl(
            ["simulate", "--node", federation.url(Self.community), "--live", "0"], environment: ["ELDERCARE_TOKEN": ""])
        #expect(noToken.status != 0)
        #expect(noToken.error.contains("--node needs an operator token"))
        let noCommunity = try federation.fedctl([
            "simulate", "--data", federation.nodes["130102001000"]!.data, "--live", "0",
        ])
        #expect(noCommunity.status != 0)
        #expect(noCommunity.error.contains("give at least one community node"))
    }

    @Test func backupCopiesARunningNodesDatabaseAndRestoreBringsItBack() async throws {
        let federation = try ProcessFederation()
        defer { federation.shutdown() }
        try federation.initialise(Self.community, name: "建设北大街社区")
        try await federation.start(Self.community)
        let call: [String: Any] = [
            "id": "B-1", "received_at": "2026-01-05T09:15:00+08:00", "channel": "hotline", "type": "emergency",
            "effective": true, "community": Self.community,
        ]
        _ = try await federation.post(Self.community, "/api/v1/calls", json: [call])
        let data = federation.nodes[Self.community]!.data
        let file = federation.root.appendingPathComponent("backup.sqlite").path
        let backup = try federation.fedctl(["backup", "--data", data, "--out", file])
        #expect(backup.status == 0, "\(backup.error)")
        #expect(backup.output.contains("integrity ok"))
        let again = try federation.fedctl(["backup", "--data", data, "--out", file])
        #expect(again.status != 0)
        #expect(again.error.contains("exists already"))

        // A second call after the backup, then restore: the node is back to the backup, under a new epoch.
        var later = call
        later["id"] = "B-2"
        _ = try await federation.post(Self.community, "/api/v1/calls", json: [later])
        let running = try federation.fedctl(["restore", "--data", data, "--from", file])
        #expect(running.status != 0)
        #expect(running.error.contains("stop it first"), "\(running.error)")
        let before = try federation.fedctl(["status", "--data", data, "--format", "json"])
        #expect(federation.terminate(Self.community) == 0)
        let restored = try federation.fedctl(["restore", "--data", data, "--from", file])
        #expect(restored.status == 0, "\(restored.error)")
        #expect(restored.output.contains("new feed epoch"))
        let after = try federation.fedctl(["status", "--data", data, "--format", "json"])
        let epoch = { (text: String) in
            (try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])?["epoch"] as? String
        }
        #expect(
            epoch(before.output) != nil && epoch(after.output) != nil && epoch(before.output) != epoch(after.output))
        try await federation.start(Self.community)
        let summary = try await federation.get(Self.community, "/api/v1/reports/summary?from=2026-01-05&to=2026-01-05")
        #expect(((summary["calls"] as? [String: Any])?["total"] as? NSNumber)?.intValue == 1)
        let wrong = try federation.fedctl([
            "restore", "--data", data, "--from", federation.root.appendingPathComponent("none.sqlite").path,
        ])
        #expect(wrong.status != 0)
    }

    @Test func demoStartsThePlannedNodesLoadsDataStopsCleanlyAndReusesItsState() throws {
        let federation = try ProcessFederation()
        defer { federation.shutdown() }
        var text = ""
        for (code, name) in [
            ("130100000000", "石家庄市"), ("130102000000", "长安区"), ("130102001000", "建北街道"), (Self.community, "建设北大街社区"),
        ] {
            text +=
                "[[node]]\ncode = \"\(code)\"\nname = \"\(name)\"\nhost = \"127.0.0.1\"\nsync_port = \(try LoopbackPort.free())\nhttp_port = \(try LoopbackPort.free())\n\n"
        }
        let topology = federation.root.appendingPathComponent("demo.toml")
        try Data(text.utf8).write(to: topology)
        let data = federation.root.appendingPathComponent("demo-data").path
        let arguments = [
            "demo", "--topology", topology.path, "--data", data, "--days", "3", "--elders", "300", "--rate", "4",
            "--live", "2",
        ]
        let first = try federation.fedctl(arguments)
        #expect(first.status == 0, "\(first.output)\(first.error)")
        #expect(first.output.contains("planned 4 nodes"), "\(first.output)")
        #expect(first.output.contains("all 4 nodes answer"))
        #expect(first.output.contains("roster: elders 300 new"), "\(first.output)")
        for level in ["city      市", "district  区县", "street    街道乡镇", "community 社区村"] {
            #expect(first.output.contains(level), "\(first.output)")
        }
        #expect(first.output.contains("stopped 4 of 4 nodes cleanly"), "\(first.output)")
        // Each dashboard link carries that node's viewer token.
        let viewer = try String(contentsOfFile: data + "/\(Self.community)/tokens/viewer", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(first.output.contains("/?token=\(viewer)"), "\(first.output)")

        let second = try federation.fedctl(arguments)
        #expect(second.status == 0, "\(second.output)\(second.error)")
        #expect(second.output.contains("reusing the 4 nodes"), "\(second.output)")
        #expect(second.output.contains("history already loaded"), "\(second.output)")
        #expect(!second.output.contains("roster:"))
        #expect(second.output.contains("stopped 4 of 4 nodes cleanly"))

        let missing = try federation.fedctl([
            "demo", "--topology", federation.root.appendingPathComponent("none.toml").path, "--data", data,
        ])
        #expect(missing.status != 0)
        #expect(missing.error.contains("cannot read the topology file"))
    }
}
