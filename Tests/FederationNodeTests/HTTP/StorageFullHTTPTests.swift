import Foundation
import Hummingbird
import HummingbirdTesting
import Replication
import Testing

@testable import FederationNode

/// A node whose database reached `[storage] max_database_mb` refuses ingest cleanly: 507 with a JSON
/// error, nothing written, the node still answers reads.
@Suite(.timeLimit(.minutes(10))) struct StorageFullHTTPTests {
    @Test func ingestIntoAFullDatabaseAnswers507AndWritesNothing() async throws {
        let node = try TestNode(Codes.community, maxDatabaseBytes: 1 << 20)
        try await NodeHTTPTests.app(node).test(.router) { client in
            var full: TestResponse?
            var batch = 0
            while full == nil && batch < 60 {
                let calls = (0..<1_000).map {
                    NodeHTTPTests.call("C-\(batch)-\($0)", "2026-01-05T09:30:00+08:00", "hotline", "consultation", true)
                }
                let before = try node.callRows()
                let response = try await EventHTTPTests.post(
                    client, "/api/v1/calls", "[" + calls.joined(separator: ",") + "]")
                if response.status.code == 507 {
                    full = response
                    #expect(try node.callRows() == before)
                } else {
                    #expect(response.status == .ok)
                }
                batch += 1
            }
            let response = try #require(full)
            #expect(try NodeHTTPTests.errorCode(response) == "storage_full")
            #expect(NodeHTTPTests.text(response).contains("max_database_mb"))
            let summary = try await NodeHTTPTests.get(client, "/api/v1/reports/summary?from=2026-01-05&to=2026-01-05")
            #expect(summary.status == .ok)
            #expect(NodeHTTPTests.text(summary).contains(#""total":\#(try node.callRows())"#))
        }
    }
}
