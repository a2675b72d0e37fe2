import Foundation
import GRDB
import Replication
import Testing

@testable import Eldercare
@testable import FederationHTTP
@testable import FederationNode

/// Reference data, the enrolment workflow and the privacy policy across real in-process nodes.
@Suite(.serialized, .timeLimit(.minutes(10))) struct DomainFederationTests {
    static let city = "130100000000"
    static let district = "130102000000"
    static let otherDistrict = "130103000000"
    static let street = "130102001000"
    static let community = "130102001001"

    static func provider(_ id: String, scope: String) -> RecordWrite {
        RecordWrite(
            table: "providers", key: id,
            [
                "name": "颐康居家养老", "contract_status": "active", "contract_start": "2026-01-01",
                "categories": "daily_care",
                "scope": .text(scope),
            ])
    }

    @Test func referenceRowsFlowDownToEveryDescendantAndNotSideways() async throws {
        try await TestFederation.with { federation in
            try await federation.start(Self.city)
            try await federation.start(Self.district, under: Self.city)
            try await federation.start(Self.otherDistrict, under: Self.city)
            try await federation.start(Self.street, under: Self.district)
            try await federation.start(Self.community, under: Self.street)
            let cityStore = try federation.store(Self.city)
            // The catalog and policy are set at the city, the provider contracted by the district.
            try cityStore.write(ReferenceDefaults.catalog(scope: try NodeCode(Self.city)))
            try cityStore.write(ReferenceDefaults.subsidyPolicy(scope: try NodeCode(Self.city)))
            try federation.store(Self.district).write([Self.provider("P-007", scope: Self.district)])

            let community = try federation.store(Self.community)
            let items = ReferenceDefaults.catalogItems.count
            func count(_ store: ReplicaStore, _ table: String) throws -> Int {
                try store.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(table)") ?? 0 }
            }
            for code in [Self.district, Self.otherDistrict, Self.street, Self.community] {
                let store = try federation.store(code)
                #expect(try await federation.eventually { try count(store, "service_items") == items }, "\(code)")
                #expect(try await federation.eventually { try count(store, "subsidy_policy") == 9 }, "\(code)")
            }
            #expect(
                try await federation.eventually {
                    try community.record("providers", key: "P-007")?["scope"] == .text(Self.district)
                })
            #expect(try await federation.eventually { try cityStore.record("providers", key: "P-007") != nil })
            #expect(
                try community.record("service_items", key: "daily_care.bathing")?["unit_price_fen"] == .integer(4_000))
            // A later price change at the city reaches the community too.
            try cityStore.write([
                RecordWrite(table: "service_items", key: "daily_care.bathing", ["unit_price_fen": .integer(4_500)])
            ])
            #expect(
                try await federation.eventually {
                    try community.record("service_items", key: "daily_care.bathing")?["unit_price_fen"]
                        == .integer(4_500)
                })
            // The other district never receives this district's provider: the price change the city wrote
            // after it held the provider reaches the other district, so the provider would have come first.
            let other = try federation.store(Self.otherDistrict)
            #expect(
                try await federation.eventually {
                    try other.record("service_items", key: "daily_care.bathing")?["unit_price_fen"] == .integer(4_500)
                })
            #expect(try other.record("providers", key: "P-007") == nil)
        }
    }

    @Test func communityAppliesStreetReviewsDistrictApprovesForNextMonth() async throws {
        try await TestFederation.with { federation in
            try await federation.start(Self.district)
            try await federation.start(Self.street, under: Self.district)
            try await federation.start(Self.community, under: Self.street)
            let community = try federation.store(Self.community)
            let street = try federation.store(Self.street)
            let district = try federation.store(Self.district)
            var elder = try #require(try RosterSamples.elders(12).first { $0["community"] == .text(Self.community) })
            elder["status"] = nil  // a new application, not an elder already on the roster
            let id = try #require(elder["id"]?.textValue)
            _ = try Roster.record(
                [(0, try ElderInput(RosterSamples.input(elder), node: community.node))], in: community)

            let now = Date()
            _ = try Enrolment.perform(.apply, elder: id, by: "张社工", reason: nil, at: now, in: community)
            #expect(try await federation.eventually { try street.record("elders", key: id)?["status"] == "applied" })
            // A street cannot approve: that is the district's step.
            let refused = #expect(throws: DomainError.self) {
                try Enrolment.perform(.approve, elder: id, by: "王审核", reason: nil, at: now, in: street)
            }
            #expect(refused?.code == .forbiddenScope)
            _ = try Enrolment.perform(.review, elder: id, by: "王审核", reason: nil, at: now, in: street)
            #expect(try await federation.eventually { try district.record("elders", key: id)?["status"] == "reviewed" })
            let decided = try Enrolment.perform(.approve, elder: id, by: "李科长", reason: nil, at: now, in: district)
            #expect(decided["status_month"] == .text(Enrolment.month(of: now, offset: 1)))
            #expect(try await federation.eventually { try community.record("elders", key: id)?["status"] == "active" })
            let seen = try #require(try community.record("elders", key: id))
            #expect(seen["status_month"] == .text(Enrolment.month(of: now, offset: 1)))
            #expect(seen["applied_by"] == .text("张社工@\(Self.community)"))
            #expect(seen["reviewed_by"] == .text("王审核@\(Self.street)"))
            #expect(seen["decided_by"] == .text("李科长@\(Self.district)"))
            #expect(seen["decided_at"] == .text(Enrolment.timestamp(now)))
            // Every office holds the same row.
            #expect(try await federation.eventually { try street.record("elders", key: id) == seen })
        }
    }

    /// 64 hex digits shared by the federation.
    static let key = String(repeating: "3f9a", count: 16)

    static func elder(_ id: String, residentID: String, community: String) -> RecordWrite {
        RecordWrite(
            table: "elders", key: id,
            [
                "name": "王秀英", "resident_id": .text(residentID), "birth_date": "1949-12-31", "gender": "female",
                "phone": "13803110001", "address": "建设北大街1号", "community": .text(community), "status": "active",
                "categories": "minimum_living",
                "emergency_contacts": #"[{"name":"王建军","phone":"13803110001","relation":"儿子"}]"#,
            ])
    }

    @Test func theCityHoldsKeyedHashesYetFindsAResidentRegisteredInTwoDistricts() async throws {
        try await TestFederation.with { federation in
            let keyed: (inout NodeConfig) -> Void = { $0.privacy = PrivacyPolicy(hashKey: Self.key) }
            try await federation.start(Self.city)  // above the boundary: no key (docs/PRIVACY.md)
            try await federation.start(Self.district, under: Self.city, configure: keyed)
            try await federation.start(Self.otherDistrict, under: Self.city, configure: keyed)
            let twice = "11010519491231002X"
            try federation.store(Self.district).write([
                Self.elder("E-A1", residentID: twice, community: "130102001001"),
                Self.elder("E-A2", residentID: "130102194912310024", community: "130102001002"),
            ])
            try federation.store(Self.otherDistrict).write([
                Self.elder("E-B1", residentID: twice, community: "130103001001")
            ])
            let city = try federation.store(Self.city)
            #expect(
                try await federation.eventually {
                    try city.database.read { db in
                        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM elders WHERE status = 'active'")
                    } == 3
                })
            let rows = try city.database.read { db in
                try Row.fetchAll(
                    db,
                    sql:
                        "SELECT id, resident_id, name, phone, address, birth_date, emergency_contacts, categories FROM elders ORDER BY id"
                )
            }
            for row in rows {
                let residentID: String? = row["resident_id"]
                #expect(residentID?.count == 64, "\(row)")
                #expect(residentID != twice)
                #expect((row["name"] as String?) == nil)
                #expect((row["phone"] as String?) == nil)
                #expect((row["address"] as String?) == nil)
                #expect((row["emergency_contacts"] as String?) == nil)
                #expect((row["birth_date"] as String?) == "1949-12")
                #expect((row["categories"] as String?) == "minimum_living")
            }
            // The hash is HMAC-SHA256 under the shared key, as an independent implementation computes it.
            #expect(rows.first?["resident_id"] as String? == (try Self.opensslHMAC(twice, hexKey: Self.key)))
            let audit = try await city.database.read { db in
                try RosterAudit.run(
                    db, scope: try NodeCode(Self.city), policy: EligibilityPolicy(), today: (2026, 11, 25))
            }
            #expect(audit.duplicates.map(\.elders) == [["E-A1", "E-B1"]])
            #expect(audit.unqualified.isEmpty)
            // The district keeps the full roster.
            #expect(try federation.store(Self.district).record("elders", key: "E-A1")?["resident_id"] == .text(twice))
            #expect(try federation.store(Self.district).record("elders", key: "E-A1")?["name"] == "王秀英")
        }
    }

    @Test func withoutAKeyResidentIDsStayBelowTheLevel() async throws {
        try await TestFederation.with { federation in
            try await federation.start(Self.city)
            try await federation.start(Self.district, under: Self.city)
            try federation.store(Self.district).write([
                Self.elder("E-A1", residentID: "11010519491231002X", community: Self.community)
            ])
            let city = try federation.store(Self.city)
            #expect(try await federation.eventually { try city.record("elders", key: "E-A1")?["status"] == "active" })
            #expect(try city.record("elders", key: "E-A1")?["resident_id"] == .null)
            #expect(try city.record("elders", key: "E-A1")?["name"] == .null)
        }
    }

    /// `openssl dgst -sha256 -mac HMAC -macopt hexkey:KEY`.
    static func opensslHMAC(_ text: String, hexKey: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl", "dgst", "-sha256", "-mac", "HMAC", "-macopt", "hexkey:\(hexKey)", "-r"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(String(decoding: data, as: UTF8.self).prefix(64))
    }
}
