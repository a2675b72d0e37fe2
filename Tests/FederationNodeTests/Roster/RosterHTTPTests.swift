import Foundation
import Hummingbird
import HummingbirdTesting
import Replication
import Testing

@testable import Eldercare
@testable import FederationHTTP
@testable import FederationNode

@Suite(.timeLimit(.minutes(10))) struct RosterHTTPTests {
    static func app(_ node: TestNode) throws -> some ApplicationProtocol {
        Application(router: try NodeHTTP.makeRouter(context: node.context))
    }

    static func post(_ client: some TestClientProtocol, _ body: String) async throws -> TestResponse {
        try await client.authorized(
            uri: "/api/v1/elders", method: .post, headers: [.contentType: "application/json"],
            body: ByteBuffer(string: body))
    }

    static func importCSV(_ client: some TestClientProtocol, _ bytes: [UInt8]) async throws -> TestResponse {
        try await client.authorized(
            uri: "/api/v1/elders/import", method: .post, headers: [.contentType: "text/csv"],
            body: ByteBuffer(bytes: bytes))
    }

    /// The answer `{"accepted","duplicates","rejected":[{"index","field","error"}]}`.
    struct Answer: Decodable, Equatable {
        struct Rejection: Decodable, Equatable {
            let index: Int
            let field: String
            let error: String
        }

        let accepted: Int
        let duplicates: Int
        let rejected: [Rejection]
    }

    static func answer(_ response: TestResponse) throws -> Answer {
        try JSONDecoder().decode(Answer.self, from: Data(response.body.readableBytesView))
    }

    static func text(_ response: TestResponse) -> String {
        String(decoding: response.body.readableBytesView, as: UTF8.self)
    }

    static func rows(_ node: TestNode) throws -> Int {
        try node.store.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM elders") ?? 0 }
    }

    @Test func goodItemsAreKeptBesideBadOnes() async throws {
        let node = try TestNode(RosterSamples.node)
        var elders = try RosterSamples.elders(6)
        elders[1]["resident_id"] = .text(RosterSamples.wrongCheckDigit(elders[1]["resident_id"]!.textValue!))
        elders[3]["community"] = .text(Codes.otherStreetCommunity)
        elders[4]["living"] = .text("solo")
        var body = RosterSamples.body(elders)
        body.removeLast()
        body +=
            #",{"id":"E-X","resident_id":"11010519491231002X","name":"王秀英","community":"130102001001","birth_date":"1950-01-01"},42,{"id":"E-Y","nickname":"x"}]"#
        let request = body
        try await Self.app(node).test(.router) { client in
            let response = try await Self.post(client, request)
            #expect(response.status == .ok)
            let answer = try Self.answer(response)
            #expect(answer.accepted == 3)
            #expect(answer.duplicates == 0)
            #expect(answer.rejected.map(\.index) == [1, 3, 4, 6, 7, 8])
            #expect(
                answer.rejected.map(\.field) == [
                    "resident_id", "community", "living", "birth_date", "item", "nickname",
                ])
            #expect(answer.rejected[0].error.contains("check digit"))
            #expect(answer.rejected[1].error.contains("outside"))
            #expect(answer.rejected[3].error.contains("1949-12-31"))
        }
        #expect(try Self.rows(node) == 3)
        let stored = try #require(try node.store.record("elders", key: elders[0]["id"]!.textValue!))
        for column in DomainSchema.elders.columns.map(\.name) {
            #expect(stored[column] == (elders[0][column] ?? .null), "column \(column)")
        }
    }

    @Test func resendingTheSameRosterCountsDuplicates() async throws {
        let node = try TestNode(RosterSamples.node)
        let elders = try RosterSamples.elders(40)
        // A partial item equal to what is stored is a duplicate too; a changed phone is an update.
        let partial: [String: Value] = [
            "id": elders[0]["id"]!, "resident_id": elders[0]["resident_id"]!, "name": elders[0]["name"]!,
            "community": elders[0]["community"]!,
        ]
        var changed = elders[1]
        changed["phone"] = "0311-86012345"
        let update = [partial, changed]
        try await Self.app(node).test(.router) { client in
            let first = try Self.answer(try await Self.post(client, RosterSamples.body(elders)))
            #expect(first == Answer(accepted: 40, duplicates: 0, rejected: []))
            let head = try node.store.headSequence()
            let again = try Self.answer(try await Self.post(client, RosterSamples.body(elders)))
            #expect(again == Answer(accepted: 0, duplicates: 40, rejected: []))
            #expect(try node.store.headSequence() == head)  // nothing written, nothing to replicate
            let mixed = try Self.answer(try await Self.post(client, RosterSamples.body(update)))
            #expect(mixed == Answer(accepted: 1, duplicates: 1, rejected: []))
        }
        #expect(try node.store.record("elders", key: elders[1]["id"]!.textValue!)?["phone"] == "0311-86012345")
        #expect(try Self.rows(node) == 40)
    }

    @Test func anElderOfAnotherAreaCannotBeOverwritten() async throws {
        let street = try TestNode(RosterSamples.node)
        var elder = try #require(try RosterSamples.elders(1).first)
        elder["community"] = .text(Codes.otherStreetCommunity)
        // The record arrived from elsewhere (as a parent's or a moved elder's record would).
        try street.store.write([
            RecordWrite(
                table: "elders", key: elder["id"]!.textValue!,
                values: elder.compactMap { key, value in key == "id" ? nil : (key, value) })
        ])
        elder["community"] = .text(Codes.community)
        let request = RosterSamples.body([elder])
        try await Self.app(street).test(.router) { client in
            let answer = try Self.answer(try await Self.post(client, request))
            #expect(answer.accepted == 0)
            #expect(answer.rejected.map(\.field) == ["id"])
        }
    }

    @Test func badBodiesAreRefusedWhole() async throws {
        let node = try TestNode(RosterSamples.node)
        try await Self.app(node).test(.router) { client in
            let notJSON = try await Self.post(client, "id,name\n1,王")
            #expect(notJSON.status == .badRequest)
            let wrongShape = try await Self.post(client, "\"elders\"")
            #expect(wrongShape.status == .badRequest)
            let huge = try await Self.post(client, "[" + String(repeating: " ", count: RosterAPI.maxBodyBytes) + "]")
            #expect(huge.status == .contentTooLarge)
            #expect(Self.text(huge).contains("payload_too_large"))
            #expect(Self.text(huge).contains("4 MiB"))
            let empty = try Self.answer(try await Self.post(client, "[]"))
            #expect(empty == Answer(accepted: 0, duplicates: 0, rejected: []))
        }
        #expect(try Self.rows(node) == 0)
    }

    // MARK: - CSV import

    static let chineseHeader = "编号,身份证号,姓名,性别,出生日期,电话,住址,社区,居住状况,失能等级,补贴类别,服务等级,月服务时长,月补贴,服务卡号,状态"

    /// Elders as CSV lines in the column order of `chineseHeader`; categories joined with "、".
    static func csvLines(_ elders: [[String: Value]]) -> [String] {
        elders.map { elder in
            ElderInput.fields.map { field -> String in
                switch elder[field] {
                case .text(let text)? where field == "categories":
                    "\"" + text.replacingOccurrences(of: ",", with: "、") + "\""
                case .text(let text)? where field == "address": "\"" + text + "\""
                case .text(let text)?: text
                case .integer(let number)?: String(number)
                default: ""
                }
            }.joined(separator: ",")
        }
    }

    @Test func importsUTF8WithBOMAndKeepsGoodRows() async throws {
        let node = try TestNode(RosterSamples.node)
        var elders = try RosterSamples.elders(5)
        elders[2]["birth_date"] = .text("1900-01-01")
        elders[2]["categories"] = .text("three_no,entitled_group")
        var lines = Self.csvLines(elders)
        lines.insert(",,,,,,,,,,,,,,,", at: 3)  // a blank row Excel leaves behind: skipped, but numbered
        let text = Self.chineseHeader + "\r\n" + lines.joined(separator: "\r\n") + "\r\n"
        try await Self.app(node).test(.router) { client in
            let response = try await Self.importCSV(client, [0xEF, 0xBB, 0xBF] + Array(text.utf8))
            #expect(response.status == .ok)
            let answer = try Self.answer(response)
            #expect(answer.accepted == 4)
            #expect(answer.rejected.map(\.index) == [3])
            #expect(answer.rejected.map(\.field) == ["birth_date"])
            let again = try Self.answer(try await Self.importCSV(client, Array(text.utf8)))  // no BOM this time
            #expect(again.duplicates == 4)
            #expect(again.accepted == 0)
        }
        #expect(try Self.rows(node) == 4)
        let first = try #require(try node.store.record("elders", key: elders[0]["id"]!.textValue!))
        #expect(first["name"] == elders[0]["name"])
        if elders[0]["categories"] != .text("") {  // an empty cell is an absent field, not an empty list
            #expect(first["categories"] == elders[0]["categories"])
        }
        #expect(first["address"] == elders[0]["address"])
    }

    @Test func importsGB18030() async throws {
        let node = try TestNode(RosterSamples.node)
        let elders = try RosterSamples.elders(3)
        let text = Self.chineseHeader + "\r\n" + Self.csvLines(elders).joined(separator: "\r\n") + "\r\n"
        let bytes = try RosterSamples.gb18030(text)
        #expect(try RosterSamples.gb18030("王") == [0xCD, 0xF5])  // (D5 FE is 政)
        #expect(String(validating: bytes, as: UTF8.self) == nil)  // really not UTF-8
        try await Self.app(node).test(.router) { client in
            let answer = try Self.answer(try await Self.importCSV(client, bytes))
            #expect(answer == Answer(accepted: 3, duplicates: 0, rejected: []))
        }
        for elder in elders {
            let stored = try #require(try node.store.record("elders", key: elder["id"]!.textValue!))
            #expect(stored["name"] == elder["name"])
            #expect(stored["address"] == elder["address"])
        }
        // The known byte sequence: 王 = CD F5, 秀 = D0 E3, 英 = D3 A2.
        let known: [UInt8] =
            Array("id,resident_id,name,community\nG-1,11010519491231002X,".utf8) + [0xCD, 0xF5, 0xD0, 0xE3, 0xD3, 0xA2]
            + Array(",130102001001\n".utf8)
        let sheet = try RosterCSV(known)
        #expect(sheet.rows.first?.fields["name"] == .text("王秀英"))
    }

    @Test func filesThatAreNotARosterAreRefused() async throws {
        let node = try TestNode(RosterSamples.node)
        try await Self.app(node).test(.router) { client in
            let missing = try await Self.importCSV(client, Array("编号,姓名,电话\nE-1,王秀英,13812345678\n".utf8))
            #expect(missing.status == .badRequest)
            let message = Self.text(missing)
            #expect(message.contains("missing columns: resident_id (身份证号), community (社区)"))

            let json = try await Self.importCSV(client, Array(#"[{"id":"E-1"}]"#.utf8))
            #expect(json.status == .badRequest)
            #expect(Self.text(json).contains("CSV"))

            let workbook = try await Self.importCSV(client, [0x50, 0x4B, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00])
            #expect(workbook.status == .badRequest)
            #expect(Self.text(workbook).contains(".xlsx"))

            let binary = try await Self.importCSV(client, [0x00, 0xFF, 0xFE, 0x00, 0x81])
            #expect(binary.status == .badRequest)

            let empty = try await Self.importCSV(client, [])
            #expect(empty.status == .badRequest)
        }
        #expect(try Self.rows(node) == 0)
    }

    // MARK: - Listing

    @Test func listIsPagedByIdAndMasked() async throws {
        let node = try TestNode(RosterSamples.node)
        let elders = try RosterSamples.elders(120)
        try node.store.write(
            elders.map { elder in
                RecordWrite(
                    table: "elders", key: elder["id"]!.textValue!,
                    values: elder.compactMap { key, value in key == "id" ? nil : (key, value) })
            })
        let sortedIDs = elders.map { $0["id"]!.textValue! }.sorted()
        struct Listing: Decodable {
            struct Elder: Decodable {
                let id: String
                let residentID: String
                let birthDate: String
                let name: String
                let phone: String?
                let community: String
                let categories: [String]

                enum CodingKeys: String, CodingKey {
                    case id, name, phone, community, categories
                    case residentID = "resident_id"
                    case birthDate = "birth_date"
                }
            }

            let page: Int
            let perPage: Int
            let total: Int
            let elders: [Elder]

            enum CodingKeys: String, CodingKey {
                case page, total, elders
                case perPage = "per_page"
            }
        }
        try await Self.app(node).test(.router) { client in
            let response = try await client.authorized(
                uri: "/api/v1/elders?page=2&per_page=50", method: .get, role: .viewer)
            #expect(response.status == .ok)
            let listing = try JSONDecoder().decode(Listing.self, from: Data(response.body.readableBytesView))
            #expect(listing.page == 2)
            #expect(listing.perPage == 50)
            #expect(listing.total == 120)
            #expect(listing.elders.map(\.id) == Array(sortedIDs[50..<100]))
            let byID = Dictionary(uniqueKeysWithValues: elders.map { ($0["id"]!.textValue!, $0) })
            for elder in listing.elders {
                let original = try #require(byID[elder.id])
                let residentID = original["resident_id"]!.textValue!
                #expect(elder.residentID == String(repeating: "*", count: 14) + residentID.suffix(4))
                let birthDate = original["birth_date"]!.textValue!
                #expect(elder.birthDate == birthDate.prefix(4) + "-**-**")
                let phone = original["phone"]!.textValue!
                #expect(elder.phone == phone.prefix(3) + "****" + phone.suffix(4))
                let name = original["name"]!.textValue!
                #expect(elder.name == String(name.prefix(1)) + String(repeating: "*", count: name.count - 1))
                #expect(elder.categories.joined(separator: ",") == original["categories"]!.textValue!)
            }
            #expect(!Self.text(response).contains(elders[0]["resident_id"]!.textValue!))

            // The operator's token shows the personal fields in full.
            let full = try await client.authorized(
                uri: "/api/v1/elders?page=2&per_page=50", method: .get, role: .operator)
            let unmasked = try JSONDecoder().decode(Listing.self, from: Data(full.body.readableBytesView))
            #expect(unmasked.elders.map(\.id) == Array(sortedIDs[50..<100]))
            for elder in unmasked.elders {
                let original = try #require(byID[elder.id])
                #expect(elder.residentID == original["resident_id"]!.textValue!)
                #expect(elder.phone == original["phone"]!.textValue!)
                #expect(elder.name == original["name"]!.textValue!)
            }

            let last = try await client.authorized(uri: "/api/v1/elders?page=3&per_page=50", method: .get)
            let lastPage = try JSONDecoder().decode(Listing.self, from: Data(last.body.readableBytesView))
            #expect(lastPage.elders.count == 20)

            let community = try await client.authorized(
                uri: "/api/v1/elders?per_page=500&community=\(Codes.neighbour)", method: .get)
            let neighbours = try JSONDecoder().decode(Listing.self, from: Data(community.body.readableBytesView))
            #expect(neighbours.page == 1)
            #expect(neighbours.total == elders.filter { $0["community"] == .text(Codes.neighbour) }.count)
            #expect(neighbours.elders.allSatisfy { $0.community == Codes.neighbour })
            #expect(neighbours.elders.map(\.id) == neighbours.elders.map(\.id).sorted())

            for uri in ["/api/v1/elders?per_page=501", "/api/v1/elders?page=0", "/api/v1/elders?community=12"] {
                let refused = try await client.authorized(uri: uri, method: .get)
                #expect(refused.status == .badRequest, "\(uri)")
            }
            let outside = try await client.authorized(
                uri: "/api/v1/elders?community=\(Codes.otherStreetCommunity)", method: .get)
            #expect(outside.status == .forbidden)
        }
    }
}
