import Foundation
import GRDB
import Replication
import Testing

/// What a trusted but hostile (or buggy) child may try at the merge boundary: each change is judged by
/// the rules of a local write, refused with its code and counted, and the rest of the batch applies.
@Suite(.timeLimit(.minutes(10))) struct HostileChangeTests {
    static let t0 = HybridTimestamp(physicalMilliseconds: 1_767_225_600_000, logical: 1)

    static func elder(
        _ key: String, _ values: KeyValuePairs<String, Value>, from origin: NodeCode, clock: HybridTimestamp = t0
    )
        -> RowChange
    {
        RowChange(
            table: "elders", key: key,
            cells: values.map { CellChange(column: $0.key, value: $0.value, clock: clock, origin: origin) })
    }

    static func cell(
        _ metric: String = "calls", dims: String = "", period: String = "2026-01-01",
        community: NodeCode = Fixtures.community,
        value: Int64 = 1, origin: NodeCode = Fixtures.community
    ) -> StatChange {
        StatChange(
            key: StatKey(origin: origin, community: community, metric: metric, dims: dims, period: period),
            value: value,
            clock: t0)
    }

    /// A street holding an elder of each of its two communities.
    static func street(_ directory: TemporaryDirectory) throws -> ReplicaStore {
        let street = try Fixtures.store(directory, Fixtures.street)
        try street.write([
            RecordWrite(table: "elders", key: "A1", ["name": "张三", "community": .text(Fixtures.community.rawValue)]),
            RecordWrite(table: "elders", key: "B1", ["name": "李四", "community": .text(Fixtures.neighbour.rawValue)]),
        ])
        return street
    }

    @Test func aCommunityCannotWriteASiblingsElder() throws {
        let directory = try TemporaryDirectory()
        let street = try Self.street(directory)
        let later = HybridTimestamp(physicalMilliseconds: Self.t0.physicalMilliseconds + 1_000, logical: 0)
        let batch = ChangeBatch(rows: [
            // The takeover of the attacker's report: a sibling's elder declared dead…
            Self.elder("B1", ["name": "X", "status": "deceased"], from: Fixtures.community, clock: later),
            // …or moved into the sender's own community, to have it streamed down.
            Self.elder("B1", ["community": .text(Fixtures.community.rawValue)], from: Fixtures.community, clock: later),
            // Its own elder moved out to the sibling: a move is the common ancestor's write.
            Self.elder("A1", ["community": .text(Fixtures.neighbour.rawValue)], from: Fixtures.community, clock: later),
            // A new record for the sibling, and one of no area at all.
            Self.elder(
                "B2", ["name": "王五", "community": .text(Fixtures.neighbour.rawValue)], from: Fixtures.community),
            Self.elder("N1", ["name": "赵六"], from: Fixtures.community),
            Self.elder("C1", ["community": "not a code"], from: Fixtures.community),
            // What it may do: edit and create its own.
            Self.elder("A1", ["status": "active"], from: Fixtures.community, clock: later),
            Self.elder(
                "A2", ["name": "钱七", "community": .text(Fixtures.community.rawValue)], from: Fixtures.community),
        ])
        let outcome = try street.merge(batch, from: Fixtures.community, originsWithin: Fixtures.community)
        #expect(outcome.refusedByCode[.notOwner] == outcome.refused)
        #expect(outcome.refused == 2 + 1 + 1 + 2 + 1 + 1)
        #expect(outcome.refusals.allSatisfy { $0.hasPrefix("not_owner") })
        #expect(try street.record("elders", key: "B1")?["name"] == "李四")
        #expect(try street.record("elders", key: "B1")?["status"] == .null)
        #expect(try street.record("elders", key: "B1")?["community"] == .text(Fixtures.neighbour.rawValue))
        #expect(try street.record("elders", key: "A1")?["community"] == .text(Fixtures.community.rawValue))
        #expect(try street.record("elders", key: "A1")?["status"] == "active")
        #expect(try street.record("elders", key: "A2")?["name"] == "钱七")
        for key in ["B2", "N1", "C1"] { #expect(try street.record("elders", key: key) == nil) }
    }

    @Test func theCommonAncestorMovesAnElderBetweenCommunities() throws {
        let directory = try TemporaryDirectory()
        let district = try Fixtures.store(directory, Fixtures.district)
        let street = try Self.street(directory)
        // The street moves A1 to its other community; the district accepts it from the street.
        try street.write([RecordWrite(table: "elders", key: "A1", ["community": .text(Fixtures.neighbour.rawValue)])])
        let outcome = try district.pull(from: street)
        #expect(outcome.refused == 0)
        #expect(try district.record("elders", key: "A1")?["community"] == .text(Fixtures.neighbour.rawValue))
        // Merged with the street as sender (`originsWithin` its subtree), the same holds.
        let again = try Fixtures.store(directory, Fixtures.district, name: "again")
        let (changes, _) = try street.allChanges()
        #expect(try again.merge(changes, from: Fixtures.street, originsWithin: Fixtures.street).refused == 0)
    }

    @Test(arguments: [
        ("period is not a date", cell(period: "yesterday")),
        ("period is not a day that exists", cell(period: "2026-11-31")),
        ("period out of range", cell(period: "9999-12-31")),
        ("negative value", cell(value: -5_000)),
        ("value beyond the bound", cell(value: 1 << 62)),
        ("unsorted dimension keys", cell(dims: "type=a;channel=b")),
        ("repeated dimension key", cell(dims: "a=1;a=2")),
        ("empty dimension value", cell(dims: "a=")),
        ("a street as the subject", cell(community: Fixtures.street)),
        ("metric of spaces", cell("calls x")),
    ])
    func aStatisticsCellOutsideTheGrammarIsRefused(_ label: String, _ bad: StatChange) throws {
        let directory = try TemporaryDirectory()
        let street = try Fixtures.store(directory, Fixtures.street)
        let good = Self.cell(dims: "channel=b;type=a", value: 3)
        let outcome = try street.merge(
            ChangeBatch(stats: [bad, good]), from: Fixtures.community, originsWithin: Fixtures.community)
        #expect(outcome.refused == 1, "\(label)")
        #expect(outcome.refusedByCode[.invalidStatistic] == 1, "\(label)")
        #expect(try street.statistic(bad.key) == nil, "\(label)")
        #expect(try street.statistic(good.key)?.value == 3)
    }

    @Test func aDomainGrammarRefusesUnknownMetricsAndDimensions() throws {
        let grammar = StatisticGrammar(metrics: [
            "calls": .init(required: ["channel": .oneOf(["hotline", "app"])], optional: ["note": .text(maxBytes: 4)])
        ])
        func check(_ metric: String, _ dims: String) -> ReplicationError.Code? {
            do {
                try grammar.check(
                    StatKey(
                        origin: Fixtures.community, community: Fixtures.community, metric: metric, dims: dims,
                        period: "2026-01-01"),
                    value: 1)
                return nil
            } catch { return error.code }
        }
        #expect(check("calls", "channel=hotline") == nil)
        #expect(check("calls", "channel=app;note=abcd") == nil)
        #expect(check("visits", "channel=hotline") == .invalidStatistic)
        #expect(check("calls", "channel=fax") == .invalidStatistic)
        #expect(check("calls", "") == .invalidStatistic)
        #expect(check("calls", "channel=app;color=red") == .invalidStatistic)
        #expect(check("calls", "channel=app;note=abcde") == .invalidStatistic)
    }

    @Test func aClockMinutesAheadHoldsTheBatchButOneDaysAheadIsRefusedForGood() throws {
        let directory = try TemporaryDirectory()
        let clock = ManualClock()
        let street = try Fixtures.store(directory, Fixtures.street, clock: clock)
        let now = clock.now
        let minutes = HybridTimestamp(physicalMilliseconds: now + 10 * 60_000, logical: 0)
        let days = HybridTimestamp(physicalMilliseconds: now + 3 * 86_400_000, logical: 0)
        let ok = Self.elder("A1", ["community": .text(Fixtures.community.rawValue)], from: Fixtures.community)
        #expect {
            try street.merge(
                ChangeBatch(rows: [ok, Self.elder("A2", ["status": "x"], from: Fixtures.community, clock: minutes)]),
                from: Fixtures.community, originsWithin: Fixtures.community)
        } throws: { ($0 as? ReplicationError)?.code == .clockSkew }
        #expect(try street.headSequence() == 0)
        let outcome = try street.merge(
            ChangeBatch(
                rows: [
                    ok,
                    Self.elder(
                        "A2", ["community": .text(Fixtures.community.rawValue)], from: Fixtures.community, clock: days),
                ],
                stats: [StatChange(key: Self.cell().key, value: 1, clock: days)]),
            from: Fixtures.community, originsWithin: Fixtures.community)
        #expect(outcome.refusedByCode[.clockSkew] == 2)
        #expect(try street.record("elders", key: "A1") != nil)
        #expect(try street.record("elders", key: "A2") == nil)
        // The clock did not jump to the refused one.
        #expect(try street.lastClock().physicalMilliseconds < now + 86_400_000)
    }

    @Test func storedCellsOutsideTheGrammarAreMovedAsideOnceWhenTheStoreOpens() throws {
        let directory = try TemporaryDirectory()
        let good = Self.cell(value: 7)
        do {
            let store = try Fixtures.store(directory, Fixtures.street, name: "s")
            try store.merge(ChangeBatch(stats: [good]), from: Fixtures.community)
            // What an earlier version accepted: written straight into the table.
            try store.database.write { db in
                let origin = try Int64.fetchOne(
                    db, sql: "SELECT id FROM crdt_nodes WHERE code = ?", arguments: [Fixtures.community.rawValue])!
                for (period, value) in [
                    ("2026-01-02", Int64(1) << 62), ("2026-01-03", Int64(1) << 62), ("yesterday", Int64(5)),
                    ("2026-01-04", Int64(-5_000)),
                ] {
                    try db.execute(
                        sql:
                            "INSERT INTO crdt_stats(origin, community, metric, dims, period, value, clock, seq, via) VALUES (?, ?, 'calls', '', ?, ?, 1, 99, 0)",
                        arguments: [origin, Fixtures.community.rawValue, period, value])
                }
                try db.execute(sql: "UPDATE crdt_meta SET stats_grammar = ''")
            }
        }
        let reopened = try Fixtures.store(directory, Fixtures.street, name: "s")
        #expect(reopened.quarantinedAtOpen == 4)
        #expect(try reopened.quarantinedStatistics() == 4)
        #expect(try reopened.statistic(good.key)?.value == 7)
        let remaining = try reopened.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM crdt_stats")
        }
        #expect(remaining == 1)
        let reasons = try reopened.database.read { db in
            try String.fetchAll(db, sql: "SELECT reason FROM crdt_stats_refused ORDER BY period")
        }
        #expect(reasons.allSatisfy { $0.hasPrefix("invalid_statistic") })
        // Checked under the same grammar: not scanned again.
        let third = try Fixtures.store(directory, Fixtures.street, name: "s")
        #expect(third.quarantinedAtOpen == 0)
    }

    @Test func aCellWhoseSubjectIsNotACodeIsRefusedAloneNotTheWholePayload() throws {
        // Encode a good cell, then corrupt its subject on the wire to a non-code of the same length.
        let good = Self.cell(value: 2)
        let bad = Self.cell(community: Fixtures.neighbour, value: 9)
        var payload = try WireCodec.encodeBatch(ChangeBatch(stats: [good, bad]), compress: false)
        let needle = Array(Fixtures.neighbour.rawValue.utf8)
        let at = try #require(
            (0...(payload.count - needle.count)).first { Array(payload[$0..<($0 + needle.count)]) == needle })
        payload.replaceSubrange(at..<(at + needle.count), with: Array("13010200100X".utf8))
        let batch = try WireCodec.decodeBatch(payload, compressed: false)
        #expect(batch.stats.count == 1)
        #expect(batch.undecodableStats == 1)
        let directory = try TemporaryDirectory()
        let street = try Fixtures.store(directory, Fixtures.street)
        let outcome = try street.merge(batch, from: Fixtures.community, originsWithin: Fixtures.community)
        #expect(outcome.applied == 1)
        #expect(outcome.refusedByCode[.invalidStatistic] == 1)
    }
}
