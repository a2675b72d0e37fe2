import Foundation
import Hummingbird
import HummingbirdTesting
import Replication
import Reports
import Testing

@testable import Eldercare
@testable import FederationNode
@testable import FederationSync

/// Every report endpoint over HTTP, on a street that recorded two visits, two callbacks and three
/// calls, with one linked community that reported by itself and one that did not.
@Suite(.timeLimit(.minutes(10))) struct ReportsHTTPTests {
    static func node() throws -> TestNode {
        let node = try TestNode(Codes.street)
        try node.store.write([
            RecordWrite(
                table: "elders", key: "E1",
                [
                    "community": .text(Codes.community), "status": .text("active"), "birth_date": .text("1940-03-01"),
                    "categories": .text("minimum_living"), "living": .text("alone"), "disability": .text("none"),
                    "monthly_hours": .integer(30), "monthly_subsidy": .integer(100),
                ]),
            RecordWrite(
                table: "elders", key: "E2",
                [
                    "community": .text(Codes.neighbour), "status": .text("active"), "birth_date": .text("1955-12-31"),
                    "monthly_hours": .integer(3),
                ]),
        ])
        var links = LinkStatistics(peer: Codes.community, role: .child)
        links.lastSeen = UInt64(NodeHTTPTests.now.timeIntervalSince1970 * 1_000) - 30_000
        links.save(node.store.database)
        var neighbour = LinkStatistics(peer: Codes.neighbour, role: .child)
        neighbour.lastSeen = UInt64(NodeHTTPTests.now.timeIntervalSince1970 * 1_000) - 7_200_000
        neighbour.save(node.store.database)
        // The community station's own cell, merged as it arrives over the link.
        try node.store.merge(
            ChangeBatch(stats: [
                StatChange(
                    key: StatKey(
                        origin: try NodeCode(Codes.community), community: try NodeCode(Codes.community),
                        metric: CallStatistics.metric,
                        dims: CallStatistics.dimensions(
                            channel: "app", type: "consultation", effective: false, hour: 15),
                        period: "2026-01-06"),
                    value: 1,
                    clock: HybridTimestamp(
                        physicalMilliseconds: UInt64(Date().timeIntervalSince1970 * 1_000), logical: 0))
            ]))
        return node
    }

    static func post(_ client: some TestClientProtocol, _ path: String, _ body: String) async throws {
        let response = try await client.authorized(
            uri: path, method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body))
        #expect(NodeHTTPTests.text(response).hasPrefix(#"{"accepted":"#), "\(NodeHTTPTests.text(response))")
    }

    static func record(_ client: some TestClientProtocol) async throws {
        try await post(
            client, "/api/v1/calls",
            "["
                + [
                    NodeHTTPTests.call("A1", "2026-01-05T09:30:00+08:00", "hotline", "service_request", true),
                    NodeHTTPTests.call(
                        "A2", "2026-01-05T10:30:00+08:00", "hotline", "consultation", false, Codes.neighbour),
                ].joined(separator: ",") + "]")
        try await post(
            client, "/api/v1/visits",
            #"[{"id":"V1","elder_id":"E1","provider_id":"P1","category":"daily_care","item":"daily_care.bathing","check_in":"2026-01-05T09:00:00+08:00","check_out":"2026-01-05T10:30:00+08:00","community":"130102001001"},"#
                + #"{"id":"V2","elder_id":"E2","provider_id":"P1","category":"medical_care","item":"测血压","check_in":"2026-01-06T09:00:00+08:00","check_out":"2026-01-06T09:45:00+08:00","community":"130102001002"}]"#
        )
        try await post(
            client, "/api/v1/callbacks",
            #"[{"id":"C1","visit_id":"V1","at":"2026-01-07T10:00:00+08:00","score":"satisfied","complaint":false,"community":"130102001001"},"#
                + #"{"id":"C2","visit_id":"V2","at":"2026-01-07T11:00:00+08:00","score":"dissatisfied","complaint":true,"community":"130102001002"}]"#
        )
    }

    static func get(_ client: some TestClientProtocol, _ uri: String) async throws -> JSONValue {
        let response = try await client.authorized(uri: uri, method: .get)
        #expect(response.status == .ok, "\(uri): \(NodeHTTPTests.text(response))")
        return try NodeHTTPTests.json(response)
    }

    static let january = "from=2026-01-01&to=2026-01-31"

    @Test func summaryFollowsTheContract() async throws {
        let node = try Self.node()
        try await NodeHTTPTests.app(node).test(.router) { client in
            try await Self.record(client)
            let summary = try await Self.get(client, "/api/v1/reports/summary?\(Self.january)")
            // The contract's sections in its order (the decoded object sorts its keys, so read the text).
            let text = try await NodeHTTPTests.text(
                client.authorized(uri: "/api/v1/reports/summary?\(Self.january)", method: .get))
            let order = [
                "scope", "level", "from", "to", "calls", "services", "satisfaction", "roster", "reporting", "as_of",
            ]
            .map { text.range(of: "\"\($0)\":")?.lowerBound }
            #expect(order.allSatisfy { $0 != nil })
            #expect(order.compactMap { $0 } == order.compactMap { $0 }.sorted())
            #expect(summary["calls", "total"] == .integer(3))
            #expect(summary["calls", "effective"] == .integer(1))
            #expect(summary["services", "completed"] == .integer(2))
            #expect(num(summary["services", "hours"]) == 2.25)  // 90 + 45 minutes
            #expect(num(summary["services", "by_category", "daily_care"]) == 1.5)
            #expect(summary["satisfaction", "rated"] == .integer(2))
            #expect(summary["satisfaction", "satisfied"] == .integer(1))
            #expect(num(summary["satisfaction", "rate"]) == 0.5)
            #expect(summary["roster", "active"] == .integer(2))
            #expect(summary["roster", "by_category", "minimum_living"] == .integer(1))
            #expect(summary["roster", "by_age_band", "70-79"] == .integer(1))
            #expect(summary["roster", "by_age_band", "80-89"] == .integer(1))
            #expect(summary["reporting", "expected"] == .integer(2))
            #expect(summary["reporting", "reported"] == .integer(1))
            #expect(num(summary["reporting", "rate"]) == 0.5)
            #expect(summary["as_of"] == "2026-01-31T12:00:00Z")
            guard case .array(let children)? = summary["children"] else { throw ReportTestFailure("no children") }
            #expect(children.count == 2)
            #expect(children[0]["code"] == .string(Codes.community))
            #expect(children[0]["calls"] == .integer(2))
            #expect(children[0]["reported"] == .bool(true))
            #expect(children[0]["lag_seconds"] == .integer(30))
            #expect(children[1]["reported"] == .bool(false))
            #expect(children[1]["lag_seconds"] == .integer(7_200))
            #expect(num(children[1]["satisfaction_rate"]) == 0)
        }
    }

    @Test func eachReportWithItsChildren() async throws {
        let node = try Self.node()
        try await NodeHTTPTests.app(node).test(.router) { client in
            try await Self.record(client)
            let calls = try await Self.get(client, "/api/v1/reports/calls?period=month&date=2026-01-20")
            #expect(calls["from"] == "2026-01-01")
            #expect(calls["to"] == "2026-01-31")
            #expect(num(calls["calls", "effective_ratio"]) == 1.0 / 3)
            #expect(calls["children", 1, "calls", "total"] == .integer(1))

            let services = try await Self.get(client, "/api/v1/reports/services?\(Self.january)")
            #expect(services["services", "by_provider", "P1", "completed"] == .integer(2))
            #expect(services["children", 0, "services", "minutes"] == .integer(90))

            let satisfaction = try await Self.get(client, "/api/v1/reports/satisfaction?period=quarter&date=2026-02-01")
            #expect(satisfaction["from"] == "2026-01-01")
            #expect(satisfaction["to"] == "2026-03-31")
            #expect(satisfaction["satisfaction", "complaints"] == .integer(1))
            #expect(num(satisfaction["satisfaction", "strict_rate"]) == 0.5)
            #expect(satisfaction["by_provider", "P1", "rated"] == .integer(2))

            let roster = try await Self.get(client, "/api/v1/reports/roster?\(Self.january)")
            #expect(roster["roster", "monthly_subsidy_yuan"] == .integer(100))
            #expect(num(roster["roster", "entitlement_use", "entitled_hours"]) == 33)
            #expect(num(roster["roster", "entitlement_use", "delivered_hours"]) == 2.25)
            #expect(roster["deceased_services"] == .array([]))
            #expect(roster["children", 1, "roster", "active"] == .integer(1))

            let providers = try await Self.get(client, "/api/v1/reports/providers?\(Self.january)")
            #expect(providers["catalog_available"] == .bool(false))
            #expect(providers["providers", 0, "id"] == "P1")
            #expect(num(providers["providers", 0, "score"]) == 50)
            #expect(providers["providers", 0, "flags"] == ["satisfaction_below_90", "quarterly_score_below_85"])
            #expect(providers["providers", 0, "settlement_fen"] == .null)
            #expect(providers["providers", 0, "unpriced_items"] == ["daily_care.bathing", "测血压"])

            let health = try await Self.get(client, "/api/v1/reports/health?period=day&date=2026-01-06")
            #expect(num(health["reporting", "rate"]) == 0.5)
            #expect(health["children", 0, "last_sync"] == "2026-01-31T11:59:30Z")

            let series = try await Self.get(
                client, "/api/v1/reports/series?metric=effective_ratio&from=2026-01-05&to=2026-01-07")
            #expect(series["points", 0, "day"] == "2026-01-05")
            #expect(series["points", 0, "value"] == .integer(2))
            #expect(num(series["points", 0, "ratio"]) == 0.5)
            #expect(series["points", 1, "value"] == .integer(1))
            #expect(num(series["points", 1, "ratio"]) == 0)
            #expect(series["points", 2, "value"] == .integer(0))
            let visits = try await Self.get(
                client, "/api/v1/reports/series?metric=services&from=2026-01-05&to=2026-01-06")
            #expect(visits["points", 1, "day"] == "2026-01-06")
            #expect(visits["points", 1, "value"] == .integer(1))
            #expect(visits["points", 1, "minutes"] == .integer(45))

            let community = try await Self.get(client, "/api/v1/reports/calls?\(Self.january)&scope=\(Codes.neighbour)")
            #expect(community["level"] == "community")
            #expect(community["children"] == .array([]))
        }
    }

    @Test(arguments: [
        ("/api/v1/reports/calls?period=week", 400, "invalid_parameter"),
        ("/api/v1/reports/calls?period=month&from=2026-01-01", 400, "invalid_parameter"),
        ("/api/v1/reports/roster?date=2026-01-01", 400, "invalid_parameter"),
        ("/api/v1/reports/services?from=2026-02-01&to=2026-01-01", 400, "invalid_parameter"),
        ("/api/v1/reports/providers?scope=130103000000", 403, "forbidden_scope"),
        ("/api/v1/reports/series?metric=visits", 400, "invalid_parameter"),
        ("/api/v1/reports/series?metric=calls&from=2020-01-01&to=2026-01-01", 400, "invalid_parameter"),
    ])
    func badParametersSayWhatIsWrong(_ uri: String, _ status: Int, _ code: String) async throws {
        let node = try TestNode(Codes.street)
        try await NodeHTTPTests.app(node).test(.router) { client in
            let response = try await client.authorized(uri: uri, method: .get)
            #expect(response.status.code == status)
            #expect(try NodeHTTPTests.errorCode(response) == code)
        }
    }
}

/// A JSON number as a Double, whether it was written as an integer or not.
func num(_ value: JSONValue?) -> Double? {
    switch value {
    case .integer(let integer)?: Double(integer)
    case .number(let number)?: number
    default: nil
    }
}

struct ReportTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension JSONValue {
    /// The member at a path of object keys and array indices, nil if absent.
    subscript(_ path: any JSONPathComponent...) -> JSONValue? {
        var value: JSONValue? = self
        for component in path {
            switch (value, component) {
            case (.object(let object)?, let key as String): value = object[key]
            case (.array(let array)?, let index as Int): value = array.indices.contains(index) ? array[index] : nil
            default: return nil
            }
        }
        return value
    }
}

protocol JSONPathComponent {}
extension String: JSONPathComponent {}
extension Int: JSONPathComponent {}
