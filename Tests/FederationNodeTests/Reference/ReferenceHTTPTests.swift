import Foundation
import Hummingbird
import HummingbirdTesting
import Replication
import Testing

@testable import Eldercare
@testable import FederationNode

/// `/api/v1/providers`, `/api/v1/catalog`, `/api/v1/subsidy-policy` through the router, over a real store.
@Suite(.timeLimit(.minutes(10))) struct ReferenceHTTPTests {
    static func post(_ client: some TestClientProtocol, _ path: String, _ body: String = "") async throws
        -> TestResponse
    {
        try await client.authorized(
            uri: path, method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body))
    }

    static func json(_ response: TestResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
    }

    static let provider =
        #"{"id":"P-007","name":"长安区颐康居家养老服务中心","contract_status":"active","contract_start":"2026-01-01","contract_end":"2026-12-31","categories":["daily_care","medical_care"],"phone":"0311-86012345"}"#

    @Test func providersAreCheckedFieldByFieldAndListed() async throws {
        let node = try TestNode(Codes.district)
        let body =
            "["
            + [
                Self.provider,
                #"{"id":"P-008","name":"康乐家政","contract_status":"expired","contract_start":"2026-01-01","categories":"daily_care"}"#,
                #"{"id":"P-009","name":"康乐家政","contract_status":"active","contract_start":"2026-05-01","contract_end":"2026-04-30","categories":"daily_care"}"#,
                #"{"id":"P-010","name":"桥西助浴","contract_status":"suspended","contract_start":"2026-01-01","categories":["massage"]}"#,
                #"{"id":"P-011","name":"外区服务商","contract_status":"active","contract_start":"2026-01-01","categories":"daily_care","scope":"130103000000"}"#,
                #"{"id":"P-012","name":"街道助餐点","contract_status":"有效","contract_start":"2026/3/1","categories":"生活照料,文化娱乐","scope":"130102001000"}"#,
                Self.provider,
            ].joined(separator: ",") + "]"
        try await NodeHTTPTests.app(node).test(.router) { client in
            let response = try await Self.post(client, "/api/v1/providers", body)
            #expect(response.status == .ok)
            let answer = try RosterHTTPTests.answer(response)
            #expect(answer.accepted == 2)
            #expect(answer.duplicates == 1)
            #expect(answer.rejected.map(\.index) == [1, 2, 3, 4])
            #expect(answer.rejected.map(\.field) == ["contract_status", "contract_end", "categories", "scope"])
            #expect(answer.rejected[3].error.contains("outside this node's area 130102000000"))

            let list = try Self.json(try await client.authorized(uri: "/api/v1/providers", method: .get))
            let providers = try #require(list["providers"] as? [[String: Any]])
            #expect(providers.map { $0["id"] as? String } == ["P-007", "P-012"])
            #expect(providers[0]["scope"] as? String == Codes.district)
            #expect(providers[0]["categories"] as? [String] == ["daily_care", "medical_care"])
            #expect(providers[1]["contract_status"] as? String == "active")
            #expect(providers[1]["contract_start"] as? String == "2026-03-01")
            #expect(providers[1]["categories"] as? [String] == ["culture_recreation", "daily_care"])
            #expect(providers[1]["scope"] as? String == Codes.street)
        }
    }

    @Test func theSeedsDefaultsLoadOnceAndAreListed() async throws {
        let node = try TestNode(Codes.city)
        try await NodeHTTPTests.app(node).test(.router) { client in
            let catalog = try RosterHTTPTests.answer(try await Self.post(client, "/api/v1/catalog/defaults"))
            #expect(catalog.accepted == ReferenceDefaults.catalogItems.count)
            let again = try RosterHTTPTests.answer(try await Self.post(client, "/api/v1/catalog/defaults"))
            #expect(again.accepted == 0 && again.duplicates == ReferenceDefaults.catalogItems.count)
            let items = try #require(
                try Self.json(try await client.authorized(uri: "/api/v1/catalog", method: .get))["items"]
                    as? [[String: Any]])
            // Every one of seed 000's six categories has items.
            #expect(
                Set(items.compactMap { $0["category"] as? String }) == Set(ServiceCategory.allCases.map(\.rawValue)))
            let bathing = try #require(items.first { $0["id"] as? String == "daily_care.bathing" })
            #expect(bathing["unit"] as? String == "visit")
            #expect(bathing["unit_price_fen"] as? Int == 4_000)
            #expect(bathing["scope"] as? String == Codes.city)

            let policy = try RosterHTTPTests.answer(try await Self.post(client, "/api/v1/subsidy-policy/defaults"))
            #expect(policy.accepted == 9)
            let rows = try #require(
                try Self.json(try await client.authorized(uri: "/api/v1/subsidy-policy", method: .get))["policy"]
                    as? [[String: Any]])
            let byCategory = Dictionary(uniqueKeysWithValues: rows.map { ($0["category"] as! String, $0) })
            // Seed 000's Shijiazhuang amounts.
            #expect(byCategory["three_no"]?["monthly_subsidy_yuan"] as? Int == 300)
            #expect(byCategory["minimum_living"]?["monthly_subsidy_yuan"] as? Int == 100)
            #expect(byCategory["extreme_poverty"]?["monthly_subsidy_yuan"] as? Int == 200)
            #expect(byCategory["severe_disability"]?["monthly_subsidy_yuan"] as? Int == 500)
            #expect(byCategory["nonagenarian"]?["monthly_subsidy_yuan"] as? Int == 200)
            // Seed 002's tiers and hours.
            #expect(byCategory["nonagenarian"]?["tier"] as? String == "universal")
            #expect(byCategory["nonagenarian"]?["monthly_hours"] as? Int == 3)
            #expect(byCategory["three_no"]?["tier"] as? String == "key_protection")

            // A price correction is an update, checked like any item.
            let update = try RosterHTTPTests.answer(
                try await Self.post(
                    client, "/api/v1/catalog",
                    #"[{"id":"daily_care.bathing","category":"daily_care","name_zh":"助浴","name_en":"Bathing","unit":"visit","unit_price_fen":4500},{"id":"bathing","category":"daily_care","name_zh":"助浴","name_en":"Bathing","unit":"visit","unit_price_fen":1},{"id":"daily_care.x","category":"daily_care","name_zh":"x","name_en":"x","unit":"day","unit_price_fen":1},{"id":"daily_care.y","category":"daily_care","name_zh":"y","name_en":"y","unit":"hour","unit_price_fen":-5}]"#
                ))
            #expect(update.accepted == 1)
            #expect(update.rejected.map(\.field) == ["id", "unit", "unit_price_fen"])
            #expect(
                try node.store.record("service_items", key: "daily_care.bathing")?["unit_price_fen"] == .integer(4_500))
        }
    }

    @Test func aNodeCannotChangeRowsSetAboveIt() async throws {
        let node = try TestNode(Codes.street)
        // The district's provider, as replication delivers it.
        try node.store.write([
            RecordWrite(
                table: "providers", key: "P-007",
                [
                    "name": "颐康", "contract_status": "active", "contract_start": "2026-01-01",
                    "categories": "daily_care",
                    "scope": .text(Codes.district),
                ])
        ])
        try await NodeHTTPTests.app(node).test(.router) { client in
            let answer = try RosterHTTPTests.answer(
                try await Self.post(
                    client, "/api/v1/providers",
                    #"{"id":"P-007","name":"颐康","contract_status":"terminated","contract_start":"2026-01-01","categories":"daily_care"}"#
                ))
            #expect(answer.accepted == 0)
            #expect(answer.rejected.first?.field == "id")
            #expect(answer.rejected.first?.error.contains("set by 130102000000") == true)
        }
        #expect(try node.store.record("providers", key: "P-007")?["contract_status"] == "active")
    }

    static func visit(_ id: String, provider: String, item: String) -> String {
        #"{"id":"\#(id)","elder_id":"E1","provider_id":"\#(provider)","category":"daily_care","item":"\#(item)","check_in":"2026-01-05T09:00:00+08:00","check_out":"2026-01-05T09:45:00+08:00","community":"\#(Codes.community)"}"#
    }

    @Test func visitsNameKnownProvidersAndItemsOnceTheNodeHasThem() async throws {
        let node = try EventHTTPTests.node()
        let visit: @Sendable (String, String, String) -> String = { Self.visit($0, provider: $1, item: $2) }
        try await NodeHTTPTests.app(node).test(.router) { client in
            // No reference data yet: any provider and item are accepted (as before).
            let before = try RosterHTTPTests.answer(
                try await Self.post(client, "/api/v1/visits", visit("V0", "P-999", "修脚")))
            #expect(before.accepted == 1)

            try node.store.write([
                RecordWrite(
                    table: "providers", key: "P-007",
                    [
                        "name": "颐康", "contract_status": "active", "contract_start": "2026-01-01",
                        "categories": "daily_care",
                        "scope": .text(Codes.district),
                    ])
            ])
            let providers = try RosterHTTPTests.answer(
                try await Self.post(
                    client, "/api/v1/visits", "[" + visit("V1", "P-999", "修脚") + "," + visit("V2", "P-007", "修脚") + "]")
            )
            #expect(providers.accepted == 1)
            #expect(providers.rejected.map(\.field) == ["provider_id"])

            try node.store.write(ReferenceDefaults.catalog(scope: try NodeCode(Codes.city)))
            let items = try RosterHTTPTests.answer(
                try await Self.post(
                    client, "/api/v1/visits",
                    "["
                        + [
                            visit("V3", "P-007", "修脚"), visit("V4", "P-007", "助浴"),
                            visit("V5", "P-007", "daily_care.housekeeping"), visit("V6", "P-007", "Meal delivery"),
                            visit("V7", "P-007", "legal_aid.consultation"),
                        ].joined(separator: ",") + "]"))
            #expect(items.accepted == 3)
            #expect(items.rejected.map(\.index) == [0, 4])
            #expect(items.rejected.map(\.field) == ["item", "item"])
        }
    }
}
