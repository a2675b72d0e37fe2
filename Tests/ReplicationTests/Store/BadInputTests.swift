import Replication
import Testing

/// A bad change is refused with a typed error naming what was wrong and counted; the rest of its batch
/// applies (so a bad change never blocks the link behind it), and the store holds nothing of it.
@Suite(.timeLimit(.minutes(10))) struct BadInputTests {
    static let clockValue = HybridTimestamp(physicalMilliseconds: 1_767_225_600_000, logical: 1)

    static func row(
        _ table: String = "elders", _ column: String = "status", _ value: Value = "active",
        clock: HybridTimestamp = clockValue
    ) -> ChangeBatch {
        ChangeBatch(rows: [
            RowChange(
                table: "elders", key: "OK1",
                cells: [
                    CellChange(column: "status", value: "active", clock: clockValue, origin: Fixtures.community)
                ]),
            RowChange(
                table: table, key: "E1",
                cells: [
                    CellChange(column: column, value: value, clock: clock, origin: Fixtures.community)
                ]),
        ])
    }

    static let cases: [(String, ChangeBatch, ReplicationError.Code)] = [
        ("undeclared table", row("visits"), .unknownTable),
        ("undeclared column", row("elders", "blood_type"), .unknownColumn),
        ("text into integer column", row("elders", "monthly_hours", "thirty"), .typeMismatch),
        ("integer into text column", row("elders", "status", .integer(1)), .typeMismatch),
        ("zero clock", row(clock: .zero), .malformedClock),
        ("erasure without reason", row("elders", "_erased", .integer(1)), .typeMismatch),
        ("empty key", ChangeBatch(rows: [RowChange(table: "elders", key: "", cells: [])]), .invalidKey),
        (
            "statistic without metric",
            ChangeBatch(stats: [
                StatChange(
                    key: StatKey(
                        origin: Fixtures.community, community: Fixtures.community, metric: "", period: "2026-01-01"),
                    value: 1, clock: clockValue)
            ]), .invalidStatistic
        ),
    ]

    @Test(arguments: 0..<cases.count)
    func refusedWithTypedErrorAndCountedWhileTheRestApplies(_ index: Int) throws {
        let (label, batch, code) = Self.cases[index]
        let directory = try TemporaryDirectory()
        let store = try Fixtures.store(directory, Fixtures.street)
        try store.write([RecordWrite(table: "elders", key: "E0", ["status": "active"])])
        let head = try store.headSequence()
        #expect(label.isEmpty == false)
        let outcome = try store.merge(batch, from: Fixtures.community)
        #expect(outcome.refused >= 1)
        #expect(outcome.refusedByCode[code] == outcome.refused)
        #expect(outcome.refusals.first?.hasPrefix(code.rawValue) == true)
        #expect(try store.record("elders", key: "E1") == nil)
        // The good change beside it (OK1, in the record cases) is applied.
        let good = batch.rows.contains { $0.key == "OK1" }
        #expect(try store.headSequence() == head + (good ? 1 : 0))
        #expect((try store.record("elders", key: "OK1") != nil) == good)
    }

    @Test func anOversizeBatchIsRefused() throws {
        let directory = try TemporaryDirectory()
        let store = try Fixtures.store(directory, Fixtures.street) { $0.maxBatchCells = 10 }
        let cells = (0..<11).map {
            CellChange(
                column: "status", value: "active",
                clock: HybridTimestamp(physicalMilliseconds: 1_767_225_600_000, logical: UInt16($0)),
                origin: Fixtures.community)
        }
        #expect {
            try store.merge(ChangeBatch(rows: [RowChange(table: "elders", key: "E1", cells: cells)]))
        } throws: { error in
            guard let error = error as? ReplicationError else { return false }
            return error.code == .batchTooLarge && error.message.contains("11")
        }
        #expect(try store.headSequence() == 0)
    }

    @Test func aChildMayOnlySpeakForItsOwnSubtree() throws {
        let directory = try TemporaryDirectory()
        let store = try Fixtures.store(directory, Fixtures.street)
        let batch = ChangeBatch(stats: [
            StatChange(
                key: StatKey(
                    origin: Fixtures.otherStreetCommunity, community: Fixtures.community, metric: "calls",
                    period: "2026-01-01"),
                value: 9, clock: Self.clockValue)
        ])
        let outcome = try store.merge(batch, from: Fixtures.community, originsWithin: Fixtures.community)
        #expect(outcome.refused == 1)
        #expect(outcome.refusedByCode[.foreignOrigin] == 1)
        #expect(try store.headSequence() == 0)
    }

    @Test func localWritesAreValidatedToo() throws {
        let directory = try TemporaryDirectory()
        let store = try Fixtures.store(directory, Fixtures.community)
        #expect(throws: ReplicationError.self) {
            try store.write([
                RecordWrite(table: "elders", key: "E1", ["status": "active"]),
                RecordWrite(table: "elders", key: "E1", ["monthly_hours": "many"]),
            ])
        }
        #expect(try store.record("elders", key: "E1") == nil)  // the first write rolled back with the second
        #expect {
            try store.add([
                (
                    StatKey(
                        origin: Fixtures.neighbour, community: Fixtures.community, metric: "calls", period: "2026-01-01"
                    ), 1
                )
            ])
        } throws: { error in
            (error as? ReplicationError)?.code == .foreignOrigin
        }
    }

    @Test func aDatabaseOfAnotherNodeIsRefused() throws {
        let directory = try TemporaryDirectory()
        _ = try Fixtures.store(directory, Fixtures.community, name: "shared")
        #expect {
            _ = try Fixtures.store(directory, Fixtures.neighbour, name: "shared")
        } throws: { error in
            (error as? ReplicationError)?.code == .invalidSchema
        }
    }
}
