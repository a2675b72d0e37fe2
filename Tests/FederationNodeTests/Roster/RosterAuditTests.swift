import Foundation
import Hummingbird
import HummingbirdTesting
import Replication
import Testing

@testable import Eldercare
@testable import FederationHTTP
@testable import FederationNode

@Suite(.timeLimit(.minutes(10))) struct EligibilityPolicyTests {
    let policy = EligibilityPolicy()

    @Test func theSeedsTiersAndSubsidies() {
        // 低保 + 重度失能: key protection, 100 + 500 yuan (seed 000's amounts).
        let hardship = policy.assess(
            categories: ["minimum_living"], age: 72, living: "with_family", disability: "severe")
        #expect(hardship.tier == "key_protection")
        #expect(hardship.subsidyYuan == 600)
        // Moderate disability alone: assisted.
        #expect(policy.assess(categories: [], age: 66, living: nil, disability: "moderate").tier == "assisted")
        // 80 and over: universal, 3 hours; 90 and over also gets the 90+ subsidy.
        #expect(policy.assess(categories: [], age: 80, living: nil, disability: "none").tier == "universal")
        #expect(policy.assess(categories: [], age: 91, living: nil, disability: "none").subsidyYuan == 200)
        // 计划生育特殊家庭 from 70.
        #expect(
            policy.assess(categories: ["family_planning_special"], age: 70, living: nil, disability: nil).tier
                == "universal")
        #expect(
            !policy.assess(categories: ["family_planning_special"], age: 69, living: nil, disability: nil).qualifies)
        // 75–79 living alone: weekly visits, no tier.
        let visits = policy.assess(categories: [], age: 77, living: "alone", disability: "none")
        #expect(visits.tier == nil && visits.weeklyVisits && visits.qualifies)
        // A healthy 65-year-old with family: no qualifying condition.
        #expect(!policy.assess(categories: [], age: 65, living: "with_family", disability: "none").qualifies)
    }

    @Test func thePolicyIsReadFromNodeTomlWithDefaultsForWhatIsAbsent() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "eldercare-policy-\(UUID().uuidString)"
        ).path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var config = NodeConfig(code: "130102000000", name: "长安区", listen: "tcp://127.0.0.1:1", http: "127.0.0.1:2")
        var policy = EligibilityPolicy()
        policy.universalAge = 75
        config.eligibility = policy
        let directory = try DataDirectory.initialize(at: path, config: config)
        #expect(try directory.loadConfig().eligibility == policy)
    }
}

@Suite(.timeLimit(.minutes(10))) struct RosterAuditHTTPTests {
    @Test func theAuditListsUnqualifiedEldersAndDuplicateResidentIDs() async throws {
        let node = try TestNode(RosterSamples.node)
        let today = CalendarDayFixture.date("2026-06-01T04:00:00Z")
        let app = Application(router: try NodeHTTP.makeRouter(context: node.context, now: { today }))
        let twice = ResidentID.make(area: "110105", birth: (1960, 1, 1), sequence: 1).rawValue
        let body = """
            [{"id":"A-1","resident_id":"11010519491231002X","name":"王秀英","community":"\(Codes.community)","living":"alone"},
             {"id":"A-2","resident_id":"\(twice)","name":"李建国","community":"\(Codes.community)","living":"with_family","disability":"none"},
             {"id":"A-3","resident_id":"\(twice)","name":"李建国","community":"\(Codes.neighbour)","living":"with_family","categories":["minimum_living"]}]
            """
        try await app.test(.router) { client in
            let posted = try await client.authorized(
                uri: "/api/v1/elders", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: body))
            #expect(posted.status == .ok, "\(String(decoding: posted.body.readableBytesView, as: UTF8.self))")
            let response = try await client.authorized(uri: "/api/v1/elders/audit", method: .get)
            #expect(response.status == .ok)
            let json = try #require(
                try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
            #expect((json["registered"] as? NSNumber)?.intValue == 3)
            let unqualified = try #require(json["no_qualifying_condition"] as? [String: Any])
            // A-1 is 76 and lives alone (weekly visits); A-3 has 低保; A-2, 66 with family, qualifies for nothing.
            #expect(unqualified["elders"] as? [String] == ["A-2"])
            #expect((unqualified["share"] as? NSNumber)?.doubleValue == 0.3333)
            let duplicates = try #require(json["duplicate_resident_ids"] as? [[String: Any]])
            #expect(duplicates.count == 1)
            #expect(duplicates.first?["elders"] as? [String] == ["A-2", "A-3"])
            #expect(duplicates.first?["resident_id"] as? String == twice)
            let viewer = try await client.authorized(uri: "/api/v1/elders/audit", method: .get, role: .viewer)
            let masked = try #require(
                try JSONSerialization.jsonObject(with: Data(viewer.body.readableBytesView)) as? [String: Any])
            let maskedDuplicates = try #require(masked["duplicate_resident_ids"] as? [[String: Any]])
            #expect(
                maskedDuplicates.first?["resident_id"] as? String == String(repeating: "*", count: 14)
                    + String(twice.suffix(4)))
            #expect((json["deceased_services"] as? [Any])?.isEmpty == true)
            // A visit recorded for A-1, who is later registered as deceased (已故), is listed.
            let visit =
                #"{"id":"V-9","elder_id":"A-1","provider_id":"P1","category":"daily_care","item":"助浴","check_in":"2026-05-02T09:00:00+08:00","check_out":"2026-05-02T10:00:00+08:00","community":"\#(Codes.community)"}"#
            let recorded = try await client.authorized(
                uri: "/api/v1/visits", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: visit))
            #expect(String(decoding: recorded.body.readableBytesView, as: UTF8.self).hasPrefix(#"{"accepted":1"#))
            let died = """
                [{"id":"A-1","resident_id":"11010519491231002X","name":"王秀英","community":"\(Codes.community)","living":"alone","status":"deceased"}]
                """
            let updated = try await client.authorized(
                uri: "/api/v1/elders", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: died))
            #expect(updated.status == .ok)
            let after = try await client.authorized(uri: "/api/v1/elders/audit", method: .get)
            let audit = try #require(
                try JSONSerialization.jsonObject(with: Data(after.body.readableBytesView)) as? [String: Any])
            let listed = try #require(audit["deceased_services"] as? [[String: Any]])
            #expect(listed.map { $0["visit_id"] as? String } == ["V-9"])
            #expect(listed.first?["day"] as? String == "2026-05-02")
            let outside = try await client.authorized(
                uri: "/api/v1/elders/audit?community=\(Codes.otherStreetCommunity)", method: .get)
            #expect(outside.status == .forbidden)
        }
    }
}

enum CalendarDayFixture {
    static func date(_ text: String) -> Date {
        ISO8601DateFormatter().date(from: text) ?? Date(timeIntervalSince1970: 0)
    }
}
