import Foundation
import Hummingbird
import HummingbirdTesting
import Replication
import Testing

@testable import Eldercare
@testable import FederationHTTP
@testable import FederationNode

/// What the viewer token sees (docs/PRIVACY.md, "What a viewer sees"): every GET route of a node,
/// read with the viewer token over a roster whose personal data is known, shows no elder's name,
/// phone, address, emergency contact, resident ID or full birth date, and no more than the last four
/// characters of a resident ID — so what a viewer sees together leaves dozens of candidate IDs.
@Suite(.timeLimit(.minutes(10))) struct ViewerPrivacyTests {
    /// One elder as registered, with every personal string a viewer must not see.
    struct Person {
        let id: String
        let residentID: String
        let name: String
        let birthDate: String
        let phone: String
        let address: String
        let community: String
        let contactName: String
        let contactPhone: String

        init(
            _ id: String, _ name: String, born: (Int, Int, Int), sequence: Int, phone: String, address: String,
            community: String = Codes.community, contact: (String, String)
        ) {
            self.id = id
            self.name = name
            residentID = ResidentID.make(area: "130102", birth: born, sequence: sequence).rawValue
            func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
            birthDate = "\(born.0)-\(pad(born.1))-\(pad(born.2))"
            self.phone = phone
            self.address = address
            self.community = community
            (contactName, contactPhone) = contact
        }

        /// The object `POST /api/v1/elders` takes.
        func json(status: String?) -> String {
            let status = status.map { #","status":"\#($0)""# } ?? ""
            return #"""
                {"id":"\#(id)","resident_id":"\#(residentID)","name":"\#(name)","phone":"\#(phone)","address":"\#(address)","community":"\#(community)","living":"alone","emergency_contacts":[{"name":"\#(contactName)","relation":"子女","phone":"\#(contactPhone)"}]\#(status)}
                """#
        }

        /// Text that must not appear in any viewer answer: each personal field whole, the birth date
        /// also as the ID writes it, the last five characters of the ID (more than the last four) and
        /// its first four followed by a star (the mask that showed the area code).
        var forbidden: [String] {
            [
                residentID, name, phone, phone.replacingOccurrences(of: "-", with: ""), address, birthDate,
                birthDate.replacingOccurrences(of: "-", with: ""), contactName, contactPhone,
                String(residentID.suffix(5)),
                String(residentID.prefix(4)) + "*",
            ]
        }
    }

    static let people = [
        Person(
            "E-P1", "王秀英", born: (1949, 12, 31), sequence: 2, phone: "13812345678",
            address: "长安区建设北大街12号3栋1单元101室", contact: ("王建军", "13803110001")),
        Person(
            "E-P2", "李建国", born: (1944, 1, 4), sequence: 67, phone: "0311-86012345",
            address: "长安区跃进路63号1单元", contact: ("李娜娜", "13903110002")),
        Person(
            "E-P3", "赵淑芬", born: (1930, 5, 17), sequence: 28, phone: "13512340003",
            address: "长安区中山东路192号3单元", community: Codes.neighbour, contact: ("赵国强", "13703110003")),
        Person(
            "E-P4", "陈桂兰", born: (1938, 8, 9), sequence: 44, phone: "15912340004",
            address: "长安区育才街8号院2栋", community: Codes.neighbour, contact: ("陈志刚", "18603110004")),
    ]

    /// Every GET route of the router with the query strings it is read with: paged lists page by
    /// page, each scope, each work list, each report and period. A GET route missing here fails
    /// `everyGETRouteIsCovered`.
    static let reads: [String: [String]] = [
        "/healthz": [""],
        "/metrics": [""],
        "/": ["", "?period=quarter", "?lang=en&scope=\(Codes.community)"],
        "/dashboard/figures": ["", "?period=today&lang=en"],
        "/api/v1/elders": [
            "", "?per_page=1&page=1", "?per_page=1&page=2", "?per_page=2&page=2", "?community=\(Codes.community)",
            "?community=\(Codes.neighbour)&per_page=500",
        ],
        "/api/v1/elders/audit": ["", "?community=\(Codes.neighbour)"],
        "/api/v1/enrolments": [
            "", "?status=applied", "?status=returned", "?status=active", "?status=deceased", "?per_page=1&page=2",
            "?community=\(Codes.community)",
        ],
        "/api/v1/providers": [""],
        "/api/v1/catalog": [""],
        "/api/v1/subsidy-policy": [""],
    ].merging(
        ["summary", "calls", "services", "satisfaction", "roster", "providers", "health"].map { name in
            (
                "/api/v1/reports/\(name)",
                ["", "?period=quarter&date=2026-06-01", "?scope=\(Codes.neighbour)&period=month"]
            )
        }
            + [("/api/v1/reports/series", ["?metric=calls", "?metric=services&period=quarter&date=2026-06-01"])],
        uniquingKeysWith: { $0 + $1 })

    static let today = CalendarDayFixture.date("2026-06-01T04:00:00Z")

    /// A street node holding the people: active, in the enrolment work lists (applied, returned), a
    /// resident registered twice, a deceased elder with a visit; with calls, a provider, the catalog
    /// and the subsidy policy, so every report has something to show.
    static func populatedNode() async throws -> TestNode {
        let node = try TestNode(Codes.street)
        let app = Application(router: try NodeHTTP.makeRouter(context: node.context, now: { today }))
        let people = Self.people
        try await app.test(.router) { client in
            func post(_ uri: String, _ body: String) async throws {
                let response = try await client.authorized(
                    uri: uri, method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body)
                )
                let text = String(decoding: response.body.readableBytesView, as: UTF8.self)
                #expect(response.status == .ok, "\(uri): \(text)")
                #expect(!text.contains(#""rejected":[{"#), "\(uri): \(text)")
            }
            let twice = people[1]
            let duplicate =
                #"{"id":"E-P2B","resident_id":"\#(twice.residentID)","name":"\#(twice.name)","community":"\#(Codes.neighbour)"}"#
            try await post(
                "/api/v1/elders",
                "["
                    + [
                        people[0].json(status: "active"), people[1].json(status: nil), people[2].json(status: nil),
                        people[3].json(status: "active"), duplicate,
                    ].joined(separator: ",") + "]")
            try await post("/api/v1/elders/E-P2/apply", #"{"operator":"张社工"}"#)
            try await post("/api/v1/elders/E-P3/apply", #"{"operator":"张社工"}"#)
            try await post("/api/v1/elders/E-P3/review", #"{"operator":"刘审核","result":"returned","reason":"缺少低保证明"}"#)
            try await post(
                "/api/v1/providers",
                #"[{"id":"P1","name":"长安区颐康居家养老服务中心","contract_status":"active","contract_start":"2026-01-01","categories":["daily_care"],"phone":"0311-86019999"}]"#
            )
            try await post("/api/v1/catalog/defaults", "")
            try await post("/api/v1/subsidy-policy/defaults", "")
            try await post(
                "/api/v1/calls",
                #"[{"id":"C-1","received_at":"2026-05-02T08:30:00+08:00","channel":"hotline","type":"service_request","effective":true,"community":"\#(Codes.community)","elder_id":"E-P1"}]"#
            )
            try await post(
                "/api/v1/visits",
                #"{"id":"V-1","elder_id":"E-P4","provider_id":"P1","category":"daily_care","item":"助浴","check_in":"2026-05-02T09:00:00+08:00","check_out":"2026-05-02T10:00:00+08:00","community":"\#(Codes.neighbour)"}"#
            )
            try await post("/api/v1/elders", people[3].json(status: "deceased"))
        }
        return node
    }

    /// Every read of `reads` with the role's token: path and query → status and body.
    static func readEverything(_ node: TestNode, role: AccessRole) async throws -> [(
        uri: String, status: HTTPResponse.Status, body: String
    )] {
        let app = Application(router: try NodeHTTP.makeRouter(context: node.context, now: { today }))
        return try await app.test(.router) { client in
            var answers: [(uri: String, status: HTTPResponse.Status, body: String)] = []
            for (path, queries) in reads.sorted(by: { $0.key < $1.key }) {
                for query in queries {
                    let response = try await client.authorized(uri: path + query, method: .get, role: role)
                    answers.append(
                        (
                            path + query, response.status,
                            String(decoding: response.body.readableBytesView, as: UTF8.self)
                        ))
                }
            }
            return answers
        }
    }

    @Test func everyGETRouteIsCovered() throws {
        let node = try TestNode(Codes.street)
        let router = try NodeHTTP.makeRouter(context: node.context, now: { Self.today })
        let routes = Set(router.routes.filter { $0.method == .get }.map { $0.path.description })
        #expect(routes.count >= 18)
        #expect(routes.subtracting(Self.reads.keys).sorted() == [], "GET routes this test does not read")
    }

    @Test func theViewerSeesNoNamePhoneAddressContactOrReconstructableID() async throws {
        let node = try await Self.populatedNode()
        let answers = try await Self.readEverything(node, role: .viewer)
        #expect(answers.count >= 40)
        for answer in answers {
            #expect(answer.status == .ok, "\(answer.uri): \(answer.body.prefix(300))")
            for person in Self.people {
                for text in person.forbidden {
                    let shown = answer.body.contains(text)
                    #expect(!shown, "\(answer.uri) shows \(text) of \(person.id) to the viewer")
                }
            }
        }
        // The lists the viewer reads do hold the people, masked: the test reads real rows.
        let roster = try #require(
            answers.first { $0.uri == "/api/v1/elders?community=\(Codes.neighbour)&per_page=500" })
        #expect(roster.body.contains(#""name":"赵**""#))
        let enrolments = try #require(answers.first { $0.uri == "/api/v1/enrolments" })
        #expect(enrolments.body.contains("E-P2") && enrolments.body.contains("E-P3"))
        let audit = try #require(answers.first { $0.uri == "/api/v1/elders/audit" })
        #expect(audit.body.contains("E-P2B") && audit.body.contains("V-1"))
    }

    @Test func theOperatorStillSeesEveryFieldInFull() async throws {
        let node = try await Self.populatedNode()
        let answers = try await Self.readEverything(node, role: .operator)
        let roster = try #require(
            answers.first { $0.uri == "/api/v1/elders?community=\(Codes.neighbour)&per_page=500" })
        let enrolments = try #require(answers.first { $0.uri == "/api/v1/enrolments" })
        let audit = try #require(answers.first { $0.uri == "/api/v1/elders/audit" })
        for text in [
            Self.people[2].residentID, Self.people[2].name, Self.people[2].birthDate, Self.people[2].address,
            Self.people[2].phone, Self.people[2].contactName, Self.people[2].contactPhone,
        ] {
            #expect(roster.body.contains(text), "\(text)")
        }
        #expect(enrolments.body.contains(Self.people[1].name) && enrolments.body.contains(Self.people[2].name))
        #expect(audit.body.contains(Self.people[1].residentID))
    }

    /// What the viewer sees of one elder — the resident ID as masked, the birth date as shown and the
    /// community (whose first six digits an attacker takes as the ID's area code) — leaves at least
    /// 30 resident IDs that fit it (GB 11643 check character included).
    @Test func whatAViewerSeesTogetherLeavesDozensOfCandidateIDs() async throws {
        let node = try await Self.populatedNode()
        let app = Application(router: try NodeHTTP.makeRouter(context: node.context, now: { Self.today }))
        try await app.test(.router) { client in
            let response = try await client.authorized(uri: "/api/v1/elders?per_page=500", method: .get, role: .viewer)
            let json = try #require(
                try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any])
            let elders = try #require(json["elders"] as? [[String: Any]])
            #expect(elders.count == 5)
            for elder in elders {
                let person = Self.people.first { $0.id == elder["id"] as? String } ?? Self.people[1]
                let candidates = CandidateIDs.list(
                    mask: try #require(elder["resident_id"] as? String), birthDate: elder["birth_date"] as? String,
                    community: try #require(elder["community"] as? String))
                #expect(candidates.contains(person.residentID), "\(person.id): the count must include the real ID")
                #expect(candidates.count >= 30, "\(person.id): \(candidates.count) candidates")
            }
        }
    }
}
