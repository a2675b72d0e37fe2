import Foundation
import Hummingbird
import HummingbirdTesting
import Replication
import Testing

@testable import Eldercare
@testable import FederationHTTP
@testable import FederationNode

/// The enrolment workflow (`POST /api/v1/elders/{id}/apply|review|approve|reject`, `GET /api/v1/enrolments`).
@Suite(.timeLimit(.minutes(10))) struct EnrolmentHTTPTests {
    /// 2026-11-25 10:00 in China (02:00 UTC): an approval now takes effect in December.
    static let november: Date = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar.date(from: DateComponents(year: 2026, month: 11, day: 25, hour: 2))!
    }()

    static func app(_ node: TestNode, now: Date = november) throws -> some ApplicationProtocol {
        Application(router: try NodeHTTP.makeRouter(context: node.context, now: { now }))
    }

    static func step(_ client: some TestClientProtocol, _ id: String, _ step: String, _ body: String) async throws
        -> TestResponse
    {
        try await ReferenceHTTPTests.post(client, "/api/v1/elders/\(id)/\(step)", body)
    }

    /// New elders without a status (the sample roster's are already active), registered at `node`.
    static func register(_ node: TestNode, count: Int) throws -> [String] {
        let elders = try RosterSamples.elders(count).map { elder in
            var elder = elder
            elder["status"] = nil
            return elder
        }
        let checked = try elders.enumerated().map { index, elder in
            (index: index, elder: try ElderInput(RosterSamples.input(elder), node: node.code))
        }
        _ = try Roster.record(checked, in: node.store)
        return elders.map { $0["id"]!.textValue! }
    }

    @Test func aDistrictTakesAnApplicationThroughEveryStep() async throws {
        let node = try TestNode(Codes.district)
        let ids = try Self.register(node, count: 2)
        let id = ids[0]
        try await Self.app(node).test(.router) { client in
            let applyResponse = try await Self.step(client, id, "apply", #"{"operator":"张社工"}"#)
            #expect(applyResponse.status == .ok, "\(NodeHTTPTests.text(applyResponse))")
            let applied = try ReferenceHTTPTests.json(applyResponse)
            #expect(applied["status"] as? String == "applied")
            #expect(applied["status_month"] as? String == "2026-11")
            #expect(applied["applied_by"] as? String == "张社工@\(Codes.district)")
            #expect(applied["applied_at"] as? String == "2026-11-25T02:00:00Z")

            // Approval comes after the street's review.
            let early = try await Self.step(client, id, "approve", #"{"operator":"李科长"}"#)
            #expect(early.status == .conflict)
            #expect(NodeHTTPTests.text(early).contains("invalid_state"))

            // Returning needs a reason.
            let bare = try await Self.step(client, id, "review", #"{"operator":"王审核","result":"returned"}"#)
            #expect(bare.status == .badRequest)
            let returned = try ReferenceHTTPTests.json(
                try await Self.step(client, id, "review", #"{"operator":"王审核","result":"returned","reason":"缺少低保证"}"#))
            #expect(returned["status"] as? String == "returned")
            #expect(returned["status_note"] as? String == "缺少低保证")
            #expect(returned["reviewed_by"] as? String == "王审核@\(Codes.district)")

            // The community applies again with the missing paper; the street passes it; the district approves.
            _ = try await Self.step(client, id, "apply", #"{"operator":"张社工"}"#)
            let list = try ReferenceHTTPTests.json(
                try await client.authorized(uri: "/api/v1/enrolments?status=applied", method: .get))
            #expect((list["enrolments"] as? [[String: Any]])?.map { $0["id"] as? String } == [id])
            #expect(list["total"] as? Int == 1)
            let reviewed = try ReferenceHTTPTests.json(
                try await Self.step(client, id, "review", #"{"operator":"王审核"}"#))
            #expect(reviewed["status"] as? String == "reviewed")
            #expect(reviewed["status_note"] is NSNull)
            let approved = try ReferenceHTTPTests.json(
                try await Self.step(client, id, "approve", #"{"operator":"李科长"}"#))
            #expect(approved["status"] as? String == "active")
            #expect(approved["status_month"] as? String == "2026-12")
            #expect(approved["decided_by"] as? String == "李科长@\(Codes.district)")
            #expect(approved["applied_by"] as? String == "张社工@\(Codes.district)")
            let open = try ReferenceHTTPTests.json(try await client.authorized(uri: "/api/v1/enrolments", method: .get))
            #expect(open["total"] as? Int == 0)

            // Rejection: reason required, status rejected.
            _ = try await Self.step(client, ids[1], "apply", #"{"operator":"张社工"}"#)
            _ = try await Self.step(client, ids[1], "review", #"{"operator":"王审核"}"#)
            #expect(try await Self.step(client, ids[1], "reject", #"{"operator":"李科长"}"#).status == .badRequest)
            let rejected = try ReferenceHTTPTests.json(
                try await Self.step(client, ids[1], "reject", #"{"operator":"李科长","reason":"不符合条件"}"#))
            #expect(rejected["status"] as? String == "rejected")
            #expect(rejected["status_note"] as? String == "不符合条件")
        }
        #expect(try node.store.record("elders", key: id)?["status"] == "active")
    }

    @Test func anApprovalInDecemberTakesEffectInJanuary() {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        // 2026-12-31 17:00 UTC is already 2027-01-01 in China.
        let newYear = calendar.date(from: DateComponents(year: 2026, month: 12, day: 31, hour: 17))!
        let lastDay = calendar.date(from: DateComponents(year: 2026, month: 12, day: 31, hour: 15))!
        #expect(Enrolment.month(of: lastDay, offset: 1) == "2027-01")
        #expect(Enrolment.month(of: newYear, offset: 1) == "2027-02")
        #expect(Enrolment.month(of: newYear) == "2027-01")
    }

    @Test func eachStepIsTakenOnlyAtItsLevelAndInsideTheArea() async throws {
        let community = try TestNode(Codes.community)
        let elders = try RosterSamples.elders(12).filter { $0["community"] == .text(Codes.community) }
        var elder = try #require(elders.first)
        elder["status"] = nil
        let id = elder["id"]!.textValue!
        _ = try Roster.record(
            [(0, try ElderInput(RosterSamples.input(elder), node: community.code))], in: community.store)
        try await Self.app(community).test(.router) { client in
            #expect(try await Self.step(client, id, "apply", #"{"operator":"张社工"}"#).status == .ok)
            let review = try await Self.step(client, id, "review", #"{"operator":"张社工"}"#)
            #expect(review.status == .forbidden)
            #expect(NodeHTTPTests.text(review).contains("street"))
            #expect(try await Self.step(client, id, "approve", #"{"operator":"张社工"}"#).status == .forbidden)
            #expect(try await Self.step(client, "E-NONE", "apply", #"{"operator":"张社工"}"#).status == .notFound)
            #expect(try await Self.step(client, id, "apply", #"{}"#).status == .badRequest)
            #expect(try await Self.step(client, id, "apply", #"{"operator":"张社工","note":"x"}"#).status == .badRequest)
        }
        // A street sees an elder of another street's community as outside its area.
        let street = try TestNode(Codes.street)
        try street.store.write([
            RecordWrite(
                table: "elders", key: "E-FAR",
                ["name": "赵", "community": .text(Codes.otherStreetCommunity), "status": "applied"])
        ])
        try await Self.app(street).test(.router) { client in
            let response = try await Self.step(client, "E-FAR", "review", #"{"operator":"王审核"}"#)
            #expect(response.status == .forbidden)
        }
        #expect(try street.store.record("elders", key: "E-FAR")?["status"] == "applied")
    }

    @Test func emergencyContactsAreCheckedStoredAsJSONAndMaskedInTheList() async throws {
        let node = try TestNode(RosterSamples.node)
        let elders = try RosterSamples.elders(3)
        try await NodeHTTPTests.app(node).test(.router) { client in
            let body = RosterSamples.body(elders)
            var objects = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [[String: Any]])
            objects[0]["emergency_contacts"] = [["name": "王建军", "relation": "儿子", "phone": "138 0311 0001"]]
            objects[0]["status_month"] = "2026-3"
            objects[1]["emergency_contacts"] = [["name": "李梅", "phone": "12345"]]
            objects[2]["status_month"] = "2026-13"
            let text = String(decoding: try JSONSerialization.data(withJSONObject: objects), as: UTF8.self)
            let answer = try RosterHTTPTests.answer(try await RosterHTTPTests.post(client, text))
            #expect(answer.accepted == 1)
            #expect(answer.rejected.map(\.field) == ["emergency_contacts", "status_month"])
            let id = elders[0]["id"]!.textValue!
            let stored = try node.store.record("elders", key: id)
            #expect(stored?["emergency_contacts"] == .text(#"[{"name":"王建军","phone":"13803110001","relation":"儿子"}]"#))
            #expect(stored?["status_month"] == "2026-03")
            // The viewer sees them masked, the operator in full.
            for (role, phone, name) in [(AccessRole.viewer, "138****0001", "王**"), (.operator, "13803110001", "王建军")] {
                let list = try ReferenceHTTPTests.json(
                    try await client.authorized(uri: "/api/v1/elders", method: .get, role: role))
                let first = try #require((list["elders"] as? [[String: Any]])?.first { $0["id"] as? String == id })
                let contacts = try #require(first["emergency_contacts"] as? [[String: Any]])
                #expect(contacts.first?["phone"] as? String == phone)
                #expect(contacts.first?["name"] as? String == name)
            }
        }
        // The CSV form name/relation/phone.
        #expect(
            try EmergencyContacts.normalized("王建军/儿子/13803110001；李梅/女儿/0311-86012345")
                == #"[{"name":"王建军","phone":"13803110001","relation":"儿子"},{"name":"李梅","phone":"0311-86012345","relation":"女儿"}]"#
        )
        #expect(throws: ElderFieldError.self) { try EmergencyContacts.normalized("王建军 13803110001") }
    }
}
