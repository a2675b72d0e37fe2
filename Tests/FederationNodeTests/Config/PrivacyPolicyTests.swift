import Foundation
import Replication
import Testing

@testable import Eldercare
@testable import FederationNode

@Suite(.timeLimit(.minutes(10))) struct PrivacyPolicyTests {
    static let key = String(repeating: "3f9a", count: 16)

    static func cell(_ column: String, _ value: Value) -> CellChange {
        CellChange(
            column: column, value: value, clock: HybridTimestamp(rawValue: 1 << 20),
            origin: try! NodeCode("130102000000"))
    }

    @Test func aDistrictReducesWhatGoesToTheCityAndNothingBelow() throws {
        let schema = try DomainSchema.replicated()
        let policy = PrivacyPolicy(hashKey: Self.key)
        #expect(try policy.reducer(towards: .district, schema: schema) == nil)
        #expect(try policy.reducer(towards: .street, schema: schema) == nil)
        let reducer = try #require(try policy.reducer(towards: .city, schema: schema))
        var batch = ChangeBatch(rows: [
            RowChange(
                table: "elders", key: "E1",
                cells: [
                    Self.cell("name", "王秀英"), Self.cell("resident_id", "11010519491231002X"),
                    Self.cell("birth_date", "1949-12-31"), Self.cell("phone", "13803110001"),
                    Self.cell("address", "建设北大街1号"),
                    Self.cell("emergency_contacts", #"[{"name":"王建军","phone":"13803110001"}]"#),
                    Self.cell("community", "130102001001"), Self.cell("categories", "minimum_living"),
                    Self.cell(TableSchema.erasureColumn, .null),
                ]),
            // Only personal cells changed: nothing of this row goes up.
            RowChange(table: "elders", key: "E2", cells: [Self.cell("phone", "13803110002")]),
            RowChange(table: "providers", key: "P-007", cells: [Self.cell("phone", "0311-86012345")]),
        ])
        reducer.reduce(&batch)
        #expect(batch.rows.map(\.key) == ["E1", "P-007"])
        let cells = Dictionary(uniqueKeysWithValues: batch.rows[0].cells.map { ($0.column, $0.value) })
        #expect(Set(cells.keys) == ["resident_id", "birth_date", "community", "categories", TableSchema.erasureColumn])
        #expect(cells["birth_date"] == "1949-12")
        #expect(cells["resident_id"] == .text("39b8ad75bb9995290060666f0e2dc8f68f5ab9ed1ff6f6ed0e62abf1895d83ea"))
        // Clocks and origins are kept: the city merges the reduced cells like any other.
        #expect(batch.rows[0].cells.allSatisfy { $0.clock == HybridTimestamp(rawValue: 1 << 20) })
        // Idempotent: what the city forwards to a province is unchanged.
        var again = batch
        reducer.reduce(&again)
        #expect(again == batch)
    }

    @Test func withoutAKeyTheResidentIDStaysBehind() throws {
        let reducer = try #require(try PrivacyPolicy().reducer(towards: .city, schema: try DomainSchema.replicated()))
        var batch = ChangeBatch(rows: [
            RowChange(
                table: "elders", key: "E1",
                cells: [Self.cell("resident_id", "11010519491231002X"), Self.cell("status", "active")])
        ])
        reducer.reduce(&batch)
        #expect(batch.rows[0].cells.map(\.column) == ["status"])
    }

    @Test func theLevelCanBeRaisedAndBadSettingsAreNamed() throws {
        let schema = try DomainSchema.replicated()
        #expect(try PrivacyPolicy(fullRosterUpTo: .city).reducer(towards: .city, schema: schema) == nil)
        #expect(try PrivacyPolicy(fullRosterUpTo: .city).reducer(towards: .province, schema: schema) != nil)
        var bad = PrivacyPolicy()
        bad.fullRosterUpTo = "county"
        #expect(throws: PrivacyError.self) { try bad.validate() }
        #expect(throws: PrivacyError.self) { try PrivacyPolicy(hashKey: "abc").validate() }
        #expect(throws: PrivacyError.self) { try PrivacyPolicy(hashKey: String(repeating: "zz", count: 20)).validate() }
        #expect(PrivacyPolicy.generateKey().count == 64)
        #expect(PrivacyPolicy.generateKey() != PrivacyPolicy.generateKey())
    }

    @Test func nodeTomlReadsAndWritesThePrivacySection() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent(
            "eldercare-privacy-\(UUID().uuidString)"
        ).path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var config = NodeConfig(
            code: "130102000000", name: "长安区", listen: "tcp://127.0.0.1:7101", http: "127.0.0.1:8101")
        config.privacy = PrivacyPolicy(hashKey: Self.key)
        let directory = try DataDirectory.initialize(at: path, config: config)
        let text = try String(contentsOf: directory.configURL, encoding: .utf8)
        #expect(text.contains("[privacy]"))
        #expect(text.contains("hash_key = '\(Self.key)'"))
        #expect(try directory.loadConfig().privacy == config.privacy)
        config.privacy?.hashKey = "not hex"
        #expect(throws: NodeError.self) { try config.validate() }
    }
}
