import FederationNode
import Foundation
import Replication
import Testing

/// `fedctl report` against a running street node: table, CSV for Excel, JSON, and errors.
@Suite(.serialized, .timeLimit(.minutes(10))) struct FedctlReportTests {
    static let street = "130102001000"

    @Test func reportsAsTableCSVAndJSON() async throws {
        let federation = try ProcessFederation()
        defer { federation.shutdown() }
        try federation.initialise(Self.street, name: "建设街道")
        try await federation.start(Self.street)
        let calls = [
            #"{"id":"R1","received_at":"2026-01-05T09:15:00+08:00","channel":"hotline","type":"service_request","effective":true,"community":"130102001001"}"#,
            #"{"id":"R2","received_at":"2026-01-05T10:15:00+08:00","channel":"app","type":"consultation","effective":false,"community":"130102001001"}"#,
            #"{"id":"R3","received_at":"2026-01-06T10:15:00+08:00","channel":"app","type":"consultation","effective":false,"community":"130102001002"}"#,
        ]
        let file = federation.root.appendingPathComponent("calls.jsonl")
        try Data(calls.joined(separator: "\n").utf8).write(to: file)
        let token = federation.nodes[Self.street]?.token ?? ""
        let environment = ["ELDERCARE_TOKEN": token]
        let ingest = try federation.fedctl([
            "ingest", "calls", file.path, "--node", federation.url(Self.street), "--token", token,
        ])
        #expect(ingest.status == 0, "\(ingest.output)")
        let node = federation.url(Self.street)

        let table = try federation.fedctl(
            ["report", "calls", "--node", node, "--from", "2026-01-01", "--to", "2026-01-31", "--token", token],
            environment: ["ELDERCARE_TOKEN": ""])
        #expect(table.status == 0, "\(table.output)")
        #expect(table.output.contains("有效服务率 Effective ratio"), "\(table.output)")
        let rows = table.output.split(separator: "\n").map { $0.split(separator: " ").map(String.init) }
        #expect(rows.contains(["130102001000", "street", "3", "1", "33.3%"]), "\(table.output)")
        #expect(rows.contains(["130102001001", "community", "2", "1", "50.0%"]), "\(table.output)")
        // Aligned: every line of the table is as wide as the rule under the header.
        let lines = table.output.split(separator: "\n").dropFirst()
        let rule = try #require(lines.dropFirst().first)
        #expect(lines.dropFirst(2).allSatisfy { $0.count <= rule.count })

        let csv = try federation.fedctl(
            ["report", "calls", "--node", node, "--period", "month", "--date", "2026-01-15", "--format", "csv"],
            environment: environment)
        #expect(csv.status == 0)
        #expect(
            csv.output.hasPrefix("\u{FEFF}代码 Code,级别 Level,呼叫 Calls,有效 Effective,有效服务率 Effective ratio\r\n"),
            "\(csv.output)")
        #expect(
            csv.output.contains(
                "130102001000,street,3,1,33.3%\r\n130102001001,community,2,1,50.0%\r\n130102001002,community,1,0,0.0%\r\n"
            ))

        let json = try federation.fedctl(
            ["report", "summary", "--node", node, "--from", "2026-01-05", "--to", "2026-01-05", "--format", "json"],
            environment: environment)
        #expect(
            json.output.hasPrefix(
                #"{"scope":"130102001000","level":"street","from":"2026-01-05","to":"2026-01-05","calls":{"total":2,"#),
            "\(json.output)")

        let refused = try federation.fedctl(
            ["report", "calls", "--node", node, "--scope", "130103000000"], environment: environment)
        #expect(refused.status != 0)
        #expect(refused.error.contains("outside this node's subtree"), "\(refused.error)")
        let both = try federation.fedctl([
            "report", "calls", "--node", node, "--period", "month", "--from", "2026-01-01",
        ])
        #expect(both.status != 0)
        #expect(both.error.contains("either --period"), "\(both.error)")
        let anonymous = try federation.fedctl(
            ["report", "summary", "--node", node], environment: ["ELDERCARE_TOKEN": ""])
        #expect(anonymous.status != 0)
        #expect(anonymous.error.contains("401") && anonymous.error.contains("fedctl token show"), "\(anonymous.error)")
    }
}
