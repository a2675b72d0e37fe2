import FederationNode
import Foundation
import Replication
import Simulation
import Testing

/// `fedctl import roster` and `fedctl ingest` against a running node process.
@Suite(.serialized, .timeLimit(.minutes(10))) struct FedctlUploadTests {
    static let community = "130102001001"

    static func rosterCSV(count: Int, badLine: Bool) throws -> String {
        var roster = SampleRoster(seed: 7, communities: [try NodeCode(community)])
        var lines = ["id,resident_id,name,community,status"]
        for index in 0..<count {
            let write = roster.next()
            let values = Dictionary(uniqueKeysWithValues: write.values.map { ($0.column, $0.value.textValue ?? "") })
            lines.append("\(write.key),\(values["resident_id"]!),\(values["name"]!),\(community),active")
            if badLine && index == 4 {
                // A wrong check digit: 11010519491231002X with its last character changed.
                lines.append("E-BAD,110105194912310021,坏数据,\(community),active")
            }
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    @Test func importRosterKeepsGoodRowsAndNamesTheBadOnesByLine() async throws {
        let federation = try ProcessFederation()
        defer { federation.shutdown() }
        try federation.initialise(Self.community, name: "建设北大街社区")
        try await federation.start(Self.community)
        let file = federation.root.appendingPathComponent("roster.csv")
        try Data(("\u{FEFF}" + (try Self.rosterCSV(count: 30, badLine: true))).utf8).write(to: file)
        let first = try federation.fedctl([
            "import", "roster", file.path, "--node", federation.url(Self.community), "--rows-per-request", "7",
            "--data", federation.nodes[Self.community]?.data ?? "",
        ])
        #expect(first.status != 0)
        #expect(first.output.contains("30 accepted, 0 duplicates, 1 rejected"), "\(first.output)")
        #expect(first.output.contains("line 7: resident_id"), "\(first.output)")
        // The same file again: the good rows are duplicates now.
        let again = try federation.fedctl(
            ["import", "roster", file.path, "--node", federation.url(Self.community)],
            environment: ["ELDERCARE_TOKEN": federation.nodes[Self.community]?.token ?? ""])
        #expect(again.output.contains("0 accepted, 30 duplicates, 1 rejected"), "\(again.output)")
        let list = try await federation.get(Self.community, "/api/v1/elders?per_page=100")
        #expect((list["total"] as? NSNumber)?.intValue == 30)
    }

    @Test func ingestCallsFromJSONLinesAndCSV() async throws {
        let federation = try ProcessFederation()
        defer { federation.shutdown() }
        try federation.initialise(Self.community, name: "建设北大街社区")
        try await federation.start(Self.community)
        var lines: [String] = []
        for index in 0..<10 {
            lines.append(
                #"{"id":"J-\#(index)","received_at":"2026-01-05T09:15:00+08:00","channel":"hotline","type":"service_request","effective":true,"community":"\#(Self.community)"}"#
            )
        }
        lines.insert(
            #"{"id":"J-bad","received_at":"2026-01-05T09:15:00+08:00","channel":"fax","type":"consultation","effective":false,"community":"\#(Self.community)"}"#,
            at: 3)
        let jsonl = federation.root.appendingPathComponent("calls.jsonl")
        try Data(lines.joined(separator: "\n").utf8).write(to: jsonl)
        let token = federation.nodes[Self.community]?.token ?? ""
        let result = try federation.fedctl([
            "ingest", "calls", jsonl.path, "--node", federation.url(Self.community), "--batch", "4", "--token", token,
        ])
        #expect(result.status != 0)
        #expect(result.output.contains("10 accepted, 0 duplicates, 1 rejected"), "\(result.output)")
        #expect(result.output.contains("line 4: channel"), "\(result.output)")

        let csv = federation.root.appendingPathComponent("calls.csv")
        try Data(
            """
            id,received_at,channel,type,effective,community
            K-1,2026-01-05T10:00:00+08:00,walk_in,consultation,否,\(Self.community)
            K-2,2026-01-05T10:05:00+08:00,sos_key,emergency,是,\(Self.community)

            """.utf8
        ).write(to: csv)
        let viewer = try federation.lastLine(
            federation.fedctl([
                "token", "show", "--data", federation.nodes[Self.community]?.data ?? "", "--role", "viewer",
            ]).output)
        let refused = try federation.fedctl([
            "ingest", "calls", csv.path, "--node", federation.url(Self.community), "--token", viewer,
        ])
        #expect(refused.status != 0)
        #expect(refused.error.contains("403") && refused.error.contains("operator token"), "\(refused.error)")
        let noToken = try federation.fedctl(
            ["ingest", "calls", csv.path, "--node", federation.url(Self.community)],
            environment: ["ELDERCARE_TOKEN": ""])
        #expect(noToken.status != 0)
        #expect(noToken.error.contains("fedctl token show"), "\(noToken.error)")
        let fromCSV = try federation.fedctl([
            "ingest", "calls", csv.path, "--node", federation.url(Self.community), "--token", token,
        ])
        #expect(fromCSV.status == 0, "\(fromCSV.output)\(fromCSV.error)")
        #expect(fromCSV.output.contains("2 accepted, 0 duplicates, 0 rejected"))
        let summary = try await federation.get(Self.community, "/api/v1/reports/summary?from=2026-01-05&to=2026-01-05")
        let calls = summary["calls"] as? [String: Any] ?? [:]
        #expect((calls["total"] as? NSNumber)?.intValue == 12)
        #expect((calls["effective"] as? NSNumber)?.intValue == 11)

        let unreachable = try federation.fedctl([
            "ingest", "calls", csv.path, "--node", "http://127.0.0.1:1", "--token", token,
        ])
        #expect(unreachable.status != 0)
        #expect(unreachable.error.contains("cannot reach the node"))
    }
}
