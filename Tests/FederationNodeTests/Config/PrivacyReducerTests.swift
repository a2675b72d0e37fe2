import Foundation
import Replication
import Testing

@testable import Eldercare
@testable import FederationNode

/// The receiving guard: what a node above the privacy boundary keeps of a child's batch, without a key.
@Suite(.timeLimit(.minutes(10))) struct PrivacyReducerTests {
    static let clock = HybridTimestamp(rawValue: 7 << 20)
    static let origin = try! NodeCode("130102001001")
    /// A keyed hash as a district sends it (64 lowercase hex digits).
    static let hash = "39b8ad75bb9995290060666f0e2dc8f68f5ab9ed1ff6f6ed0e62abf1895d83ea"

    static func cell(_ column: String, _ value: Value) -> CellChange {
        CellChange(column: column, value: value, clock: clock, origin: origin)
    }

    static func privacyGuard() throws -> PrivacyReducer {
        try #require(try PrivacyPolicy().receivingGuard(at: .city, schema: try DomainSchema.replicated()))
    }

    static func values(_ row: RowChange) -> [String: Value] {
        Dictionary(uniqueKeysWithValues: row.cells.map { ($0.column, $0.value) })
    }

    /// What a community joined straight to a city sends: the full record, as it holds it.
    static let fullRecord: [CellChange] = [
        cell("name", "王秀英"), cell("resident_id", "11010519491231002X"), cell("birth_date", "1949-12-31"),
        cell("phone", "13803110001"), cell("address", "建设北大街1号"),
        cell("emergency_contacts", #"[{"name":"王建军","phone":"13803110001","relation":"儿子"}]"#),
        cell("gender", "female"), cell("community", "130102001001"), cell("categories", "minimum_living"),
        cell("status", "active"), cell("monthly_hours", .integer(30)),
    ]

    @Test func aGuardExistsOnlyAboveTheBoundaryAndHoldsNoKey() throws {
        let schema = try DomainSchema.replicated()
        let policy = PrivacyPolicy()
        for level in [NodeCode.Level.district, .street, .community] {
            #expect(try policy.receivingGuard(at: level, schema: schema) == nil, "\(level)")
        }
        for level in [NodeCode.Level.city, .province] {
            let privacyGuard = try #require(try policy.receivingGuard(at: level, schema: schema), "\(level)")
            #expect(privacyGuard.key == nil)
        }
        // The boundary is the node's own policy.
        #expect(try PrivacyPolicy(fullRosterUpTo: .city).receivingGuard(at: .city, schema: schema) == nil)
        #expect(try PrivacyPolicy(fullRosterUpTo: .street).receivingGuard(at: .district, schema: schema) != nil)
        var bad = PrivacyPolicy()
        bad.fullRosterUpTo = "county"
        #expect(throws: PrivacyError.self) { try bad.receivingGuard(at: .city, schema: schema) }
    }

    @Test func aFullRecordLosesEveryPersonalFieldButTheBirthMonth() throws {
        var batch = ChangeBatch(rows: [RowChange(table: "elders", key: "E1", cells: Self.fullRecord)])
        let stripped = try Self.privacyGuard().enforce(&batch)
        // name, resident_id (not a hash), phone, address, emergency_contacts dropped; birth_date cut.
        #expect(stripped == 6)
        let cells = Self.values(try #require(batch.rows.first))
        #expect(
            cells == [
                "birth_date": "1949-12", "gender": "female", "community": "130102001001",
                "categories": "minimum_living",
                "status": "active", "monthly_hours": .integer(30),
            ])
        // Kept cells keep their clocks and origins: the merge treats them like any other.
        #expect(batch.rows[0].cells.allSatisfy { $0.clock == Self.clock && $0.origin == Self.origin })
        #expect(batch.rows[0].key == "E1")
    }

    @Test func aCorrectlyReducedBatchPassesUntouched() throws {
        let reduced = ChangeBatch(rows: [
            RowChange(
                table: "elders", key: "E1",
                cells: [
                    Self.cell("resident_id", .text(Self.hash)), Self.cell("birth_date", "1949-12"),
                    Self.cell("community", "130102001001"), Self.cell(TableSchema.erasureColumn, .null),
                ])
        ])
        var batch = reduced
        let stripped = try Self.privacyGuard().enforce(&batch)
        #expect(stripped == 0)
        #expect(batch == reduced)
    }

    @Test(arguments: [
        "11010519491231002X",  // a plain ID
        "110105194912310024",
        String(repeating: "A", count: 64),  // upper-case hex: not the hash's form
        String(repeating: "a", count: 63),
        String(repeating: "a", count: 65),
        String(repeating: "g", count: 64),
        String(Self.hash.dropLast()) + "é",
        "",
    ])
    func aResidentIDThatIsNotAKeyedHashIsDropped(residentID: String) throws {
        var batch = ChangeBatch(rows: [
            RowChange(
                table: "elders", key: "E1",
                cells: [Self.cell("resident_id", .text(residentID)), Self.cell("status", "active")])
        ])
        let stripped = try Self.privacyGuard().enforce(&batch)
        #expect(stripped == 1)
        #expect(batch.rows[0].cells.map(\.column) == ["status"])
    }

    @Test(arguments: [
        ("1949-12-31", "1949-12"), ("1949-12", "1949-12"), ("1949-01-01T00:00:00+08:00", "1949-01"),
        ("2026-10-", "2026-10"),
    ])
    func aBirthDateIsKeptAsItsMonth(date: String, month: String) throws {
        var batch = ChangeBatch(rows: [
            RowChange(table: "elders", key: "E1", cells: [Self.cell("birth_date", .text(date))])
        ])
        let stripped = try Self.privacyGuard().enforce(&batch)
        #expect(stripped == (date == month ? 0 : 1))
        #expect(batch.rows.first?.cells.first?.value == .text(month))
    }

    @Test(arguments: [
        "1949", "1949-1", "19491231", "1949/12/31", "1949-13-01", "1949-00-10", "49-12-31", "一九四九-12", "", "12-1949-31",
    ])
    func aBirthDateThatDoesNotBeginWithAMonthIsDropped(date: String) throws {
        var batch = ChangeBatch(rows: [
            RowChange(
                table: "elders", key: "E1", cells: [Self.cell("birth_date", .text(date)), Self.cell("gender", "male")])
        ])
        let stripped = try Self.privacyGuard().enforce(&batch)
        #expect(stripped == 1)
        #expect(batch.rows[0].cells.map(\.column) == ["gender"])
    }

    @Test func nullsPassForErasuresAndClears() throws {
        let personal = ["name", "resident_id", "birth_date", "phone", "address", "emergency_contacts"]
        let cleared = ChangeBatch(rows: [
            RowChange(
                table: "elders", key: "E1",
                cells: personal.map { Self.cell($0, .null) } + [Self.cell(TableSchema.erasureColumn, .null)])
        ])
        var batch = cleared
        let stripped = try Self.privacyGuard().enforce(&batch)
        #expect(stripped == 0)
        #expect(batch == cleared)
    }

    @Test func numbersInPersonalColumnsAreDropped() throws {
        // 110105194912310024 fits in an Int64: a resident ID sent as a number must not slip through.
        var batch = ChangeBatch(rows: [
            RowChange(
                table: "elders", key: "E1",
                cells: [
                    Self.cell("resident_id", .integer(110_105_194_912_310_024)),
                    Self.cell("phone", .integer(13_803_110_001)),
                    Self.cell("birth_date", .real(1949.12)), Self.cell("status", "active"),
                ])
        ])
        let stripped = try Self.privacyGuard().enforce(&batch)
        #expect(stripped == 3)
        #expect(batch.rows[0].cells.map(\.column) == ["status"])
    }

    @Test func aRowOfOnlyPersonalFieldsIsDroppedAndCounted() throws {
        var batch = ChangeBatch(rows: [
            RowChange(
                table: "elders", key: "E1", cells: [Self.cell("name", "李桂兰"), Self.cell("phone", "13903110002")]),
            RowChange(table: "elders", key: "E2", cells: [Self.cell("status", "deceased")]),
        ])
        let stripped = try Self.privacyGuard().enforce(&batch)
        #expect(stripped == 2)
        #expect(batch.rows.map(\.key) == ["E2"])
    }

    @Test func otherTablesAndStatisticsAreUntouched() throws {
        let stat = StatChange(
            key: StatKey(origin: Self.origin, community: Self.origin, metric: "calls", period: "2026-11-30"), value: 3,
            clock: Self.clock)
        let others = ChangeBatch(
            rows: [
                // A provider's phone and name are contract data, not an elder's.
                RowChange(
                    table: "providers", key: "P-007",
                    cells: [Self.cell("name", "幸福家政"), Self.cell("phone", "0311-86012345")]),
                RowChange(table: "service_items", key: "S-1", cells: [Self.cell("name_zh", "助餐")]),
                RowChange(
                    table: "subsidy_policy", key: "three_no", cells: [Self.cell("monthly_subsidy_yuan", .integer(300))]),
            ],
            stats: [stat])
        var batch = others
        let stripped = try Self.privacyGuard().enforce(&batch)
        #expect(stripped == 0)
        #expect(batch == others)
    }

    @Test func enforcingIsIdempotentAndTheCountIsExactOverMixedBatches() throws {
        let privacyGuard = try Self.privacyGuard()
        var rows: [RowChange] = []
        var expected = 0
        for index in 0..<50 {
            var cells = [Self.cell("status", "active")]
            if index % 2 == 0 {
                cells.append(Self.cell("name", .text("老人\(index)")))
                expected += 1
            }
            if index % 3 == 0 {
                cells.append(Self.cell("resident_id", .text("13010219491231\(String(format: "%04d", index))")))
                expected += 1
            }
            if index % 5 == 0 { cells.append(Self.cell("resident_id", .text(Self.hash))) }
            if index % 7 == 0 {
                cells.append(Self.cell("birth_date", .text("1950-0\(index % 9 + 1)-15")))
                expected += 1
            }
            if index % 11 == 0 { cells.append(Self.cell("address", .null)) }
            rows.append(RowChange(table: "elders", key: "E\(index)", cells: cells))
        }
        var batch = ChangeBatch(rows: rows)
        let stripped = privacyGuard.enforce(&batch)
        #expect(stripped == expected)
        #expect(batch.rows.count == 50)
        let once = batch
        let again = privacyGuard.enforce(&batch)
        #expect(again == 0)
        #expect(batch == once)
        for row in batch.rows {
            for cell in row.cells {
                switch (cell.column, cell.value) {
                case ("resident_id", .text(let text)): #expect(text == Self.hash)
                case ("birth_date", .text(let text)): #expect(text.count == 7)
                case ("name", _), ("phone", _), ("emergency_contacts", _): Issue.record("\(cell.column) kept")
                case ("address", let value): #expect(value == .null)
                default: break
                }
            }
        }
    }

    @Test func theSendersReductionIsTheSameRuleWithAKey() throws {
        // A district's reducer hashes what the guard would drop, and the guard then keeps it as it is.
        let key = try #require(PrivacyPolicy.hex(String(repeating: "3f9a", count: 16)))
        let schema = try DomainSchema.replicated()
        var batch = ChangeBatch(rows: [RowChange(table: "elders", key: "E1", cells: Self.fullRecord)])
        let stripped = PrivacyReducer(key: key, schema: schema).enforce(&batch)  // 4 dropped, an ID hashed, a date cut
        #expect(stripped == 6)
        #expect(Self.values(batch.rows[0])["resident_id"] == .text(Self.hash))
        let sent = batch
        let again = try Self.privacyGuard().enforce(&batch)
        #expect(again == 0)
        #expect(batch == sent)
    }
}
