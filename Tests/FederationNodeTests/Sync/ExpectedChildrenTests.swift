import Foundation
import Replication
import Testing

@testable import FederationNode

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// Reporting health counts every trusted child as expected, also one that has never synced: a
/// district office that was set up but never connected must lower the city's reporting rate, not
/// vanish from it (DHIS2: reporting rate = reported ÷ expected).
@Suite(.serialized, .timeLimit(.minutes(10))) struct ExpectedChildrenTests {
    @Test func aTrustedChildThatNeverSyncedIsExpectedAndNotReported() async throws {
        try await TestFederation.with { federation in
            let city = try await federation.start("130100000000")
            try await federation.start("130102000000", under: "130100000000")
            // A second district, trusted at the city, never started.
            let absent = try DataDirectory.initialize(
                at: federation.root.appendingPathComponent("absent").path,
                config: NodeConfig(
                    code: "130103000000", name: "absent", listen: "tcp://127.0.0.1:*", http: "127.0.0.1:0", parent: nil,
                    parentKey: nil))
            try city.directory.trust(
                child: try NodeCode("130103000000"), publicKey: try absent.loadKeyPair().publicKey, of: city.code)
            #expect(await federation.eventually { city.daemon.httpPort != nil })
            let port = try #require(city.daemon.httpPort)
            let token = try city.directory.loadTokens().viewer

            func get(_ path: String) async throws -> (Data, Int) {
                var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
                request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
                request.timeoutInterval = 5
                let (data, response) = try await URLSession.shared.data(for: request)
                return (data, (response as? HTTPURLResponse)?.statusCode ?? 0)
            }
            let (data, status) = try await get("/api/v1/reports/summary?from=2026-01-01&to=2026-01-31")
            #expect(status == 200)
            let summary = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let reporting = try #require(summary["reporting"] as? [String: Any])
            #expect(reporting["expected"] as? Int == 2, "\(reporting)")
            #expect(reporting["reported"] as? Int == 0, "\(reporting)")
            let children = (summary["children"] as? [[String: Any]] ?? []).compactMap { $0["code"] as? String }
            #expect(children.contains("130103000000"), "\(children)")
            let (health, _) = try await get("/api/v1/reports/health?from=2026-01-01&to=2026-01-31")
            #expect(String(decoding: health, as: UTF8.self).contains("130103000000"))
            let (page, pageStatus) = try await get("/?lang=en")
            #expect(pageStatus == 200)
            #expect(String(decoding: page, as: UTF8.self).contains("130103000000"))
        }
    }
}
