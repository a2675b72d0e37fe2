import PropertyBased
import Testing

@testable import Replication

/// The merge's pure part (`RecordMerge`), with no SQLite: laws on generated cells of one record, and
/// what it tells the store to persist.
@Suite(.timeLimit(.minutes(2))) struct RecordMergeTests {
    /// Four origins; ids are the store's, codes decide ties (greater code wins at an equal clock).
    static let codes: [UInt32: String] = [1: "130102001001", 2: "130102001002", 3: "130102001000", 4: "130102000000"]
    static func code(_ id: UInt32) throws -> String {
        guard let code = codes[id] else { throw ReplicationError(.storage, "unknown origin id \(id)") }
        return code
    }
    /// Columns 0 (scope: community), 1 (personal: name), 2 (personal: phone), 3 (status).
    static let columns = 4
    static let personal = [1, 2]
    static let scopeIndex = 0

    struct Cell: Equatable {
        var slot: Int
        var version: CellVersion
        var value: Value
    }

    /// Cells with few slots and a narrow clock range, so ties are common; like real nodes, one origin
    /// never writes two values of one slot at one clock (the value is a function of slot, clock, origin).
    static func cells(_ seed: UInt64) -> [Cell] {
        var generator = SeededGenerator(seed: seed)
        return (0..<Int.random(in: 1...24, using: &generator)).map { _ in
            let slot = Int.random(in: 0...columns, using: &generator)
            let clock = UInt64.random(in: 1...6, using: &generator)
            let origin = UInt32.random(in: 1...4, using: &generator)
            let token = (clock &* 7 &+ UInt64(origin) &* 13 &+ UInt64(slot)) % 5
            let value: Value =
                switch slot {
                case 0: .text("request-\(token)")
                case 1: token == 0 ? .null : .text(["130102001001", "130102001002"][Int(token % 2)])
                default: token == 0 ? .null : .text("v\(token)")
                }
            return Cell(slot: slot, version: CellVersion(clock: clock, origin: origin, via: 9, seq: 0), value: value)
        }
    }

    /// Merges `cells` into `start` (a new record if nil) and seals with `seq`.
    static func merged(_ cells: [Cell], into start: RecordMerge.Sealed? = nil, seq: UInt64 = 1) throws
        -> (merge: RecordMerge, sealed: RecordMerge.Sealed?)
    {
        var merge =
            if let start {
                RecordMerge(values: start.values, erased: start.erased, slots: start.slots)
            } else {
                RecordMerge(columns: columns)
            }
        for cell in cells { try merge.offer(slot: cell.slot, cell.version, value: cell.value, originCode: code) }
        try merge.scrubPersonal(personal, originCode: code)
        let stored: String?? = if let start { .some(start.scope) } else { .none }
        return (merge, merge.seal(seq: seq, via: 9, scopeIndex: scopeIndex, storedScope: stored))
    }

    /// What replicas must agree on: values, erasure, and each slot's winning version (not sequences,
    /// which are local).
    struct State: Equatable {
        var values: [Value]
        var erased: Value
        var versions: [[UInt64]]

        init(_ merge: RecordMerge) {
            values = merge.values
            erased = merge.erased
            versions = merge.slots.map { [$0.clock, UInt64($0.origin)] }
        }
    }

    @Test func anyOrderAndAnyGroupingGiveTheSameRecord() async {
        await propertyCheck(count: 200, input: Gen.uint64()) { seed in
            let cells = Self.cells(seed)
            var generator = SeededGenerator(seed: seed ^ 0xa11)
            let all = try Self.merged(cells).merge
            // Shuffled: commutative.
            let shuffled = try Self.merged(cells.shuffled(using: &generator)).merge
            #expect(State(shuffled) == State(all))
            // Split in two merges, the second over what the first stored: associative.
            let cut = Int.random(in: 0...cells.count, using: &generator)
            let first = try Self.merged(Array(cells[..<cut]))
            let second = try Self.merged(Array(cells[cut...]), into: first.sealed, seq: 2).merge
            #expect(State(second) == State(all))
        }
    }

    @Test func theSameCellsAgainChangeNothing() async {
        await propertyCheck(count: 200, input: Gen.uint64()) { seed in
            let cells = Self.cells(seed)
            let once = try Self.merged(cells)
            let sealed = try #require(once.sealed, "a new record always takes its first cell")
            let twice = try Self.merged(cells, into: sealed, seq: 2)
            #expect(twice.sealed == nil)
            #expect(twice.merge.applied == 0)
            #expect(twice.merge.duplicates == cells.count)
            // Every offered cell is counted once: applied to a slot, or a duplicate.
            #expect(once.merge.applied + once.merge.duplicates == cells.count)
            #expect(once.merge.applied == Set(cells.map(\.slot)).count)
        }
    }

    @Test func aTombstoneLeavesNoPersonalValueOlderThanItself() async {
        await propertyCheck(count: 200, input: Gen.uint64()) { seed in
            let merge = try Self.merged(Self.cells(seed)).merge
            let tombstone = merge.slots[0]
            guard tombstone.isWritten else { return }
            for position in Self.personal {
                let slot = merge.slots[position + 1]
                let newer =
                    slot.clock > tombstone.clock
                    || (slot.clock == tombstone.clock && Self.codes[slot.origin]! > Self.codes[tombstone.origin]!)
                #expect(
                    newer || merge.values[position] == .null,
                    "column \(position) kept a value the erasure is newer than")
            }
        }
    }

    @Test func atAnEqualClockTheGreaterOriginCodeWins() throws {
        var merge = RecordMerge(columns: Self.columns)
        try merge.offer(
            slot: 4, CellVersion(clock: 5, origin: 4, via: 0, seq: 0), value: .text("district"), originCode: Self.code)
        try merge.offer(
            slot: 4, CellVersion(clock: 5, origin: 2, via: 0, seq: 0), value: .text("community 2"),
            originCode: Self.code)
        try merge.offer(
            slot: 4, CellVersion(clock: 5, origin: 1, via: 0, seq: 0), value: .text("community 1"),
            originCode: Self.code)
        #expect(merge.values[3] == .text("community 2"))
        #expect(merge.applied == 1)
        #expect(merge.duplicates == 2)
    }

    @Test func whatTheStoreWritesWhenARecordMovesAndSupersedesItsOldEntries() throws {
        var start = RecordMerge(columns: Self.columns)
        try start.offer(
            slot: 1, CellVersion(clock: 1, origin: 1, via: 0, seq: 0), value: .text("130102001001"),
            originCode: Self.code)
        try start.offer(
            slot: 4, CellVersion(clock: 1, origin: 1, via: 0, seq: 0), value: .text("active"), originCode: Self.code)
        let stored = try #require(start.seal(seq: 10, via: 0, scopeIndex: Self.scopeIndex, storedScope: .none))
        #expect(stored.previousScope == nil)
        #expect(!stored.scopeChanged)
        #expect(stored.changedSlots == [1, 4])
        #expect(stored.slots.map(\.seq) == [0, 10, 0, 0, 10])

        // A later write of the scope moves the record: every written slot is announced again.
        var move = RecordMerge(values: stored.values, erased: stored.erased, slots: stored.slots)
        try move.offer(
            slot: 1, CellVersion(clock: 2, origin: 3, via: 7, seq: 0), value: .text("130102001002"),
            originCode: Self.code)
        let moved = try #require(
            move.seal(seq: 11, via: 7, scopeIndex: Self.scopeIndex, storedScope: .some(stored.scope)))
        #expect(moved.scope == "130102001002")
        #expect(moved.previousScope == "130102001001")
        #expect(moved.scopeChanged)
        #expect(moved.changedSlots == [1])
        #expect(moved.slots.map(\.seq) == [0, 11, 0, 0, 11])
        #expect(moved.superseded == [10])
        // Slot 4 is re-announced under sequence 11 but came from elsewhere (via 0), so the entry's via is 0.
        #expect(moved.entryVia == 0)
    }

    @Test func anOlderCellChangesNothingAndSealsToNothing() throws {
        var merge = RecordMerge(columns: Self.columns)
        try merge.offer(
            slot: 2, CellVersion(clock: 3, origin: 1, via: 0, seq: 0), value: .text("张"), originCode: Self.code)
        let stored = try #require(merge.seal(seq: 1, via: 0, scopeIndex: Self.scopeIndex, storedScope: .none))
        var late = RecordMerge(values: stored.values, erased: stored.erased, slots: stored.slots)
        try late.offer(
            slot: 2, CellVersion(clock: 2, origin: 4, via: 0, seq: 0), value: .text("李"), originCode: Self.code)
        try late.scrubPersonal(Self.personal, originCode: Self.code)
        #expect(late.seal(seq: 2, via: 0, scopeIndex: Self.scopeIndex, storedScope: .some(stored.scope)) == nil)
        #expect(late.values[1] == .text("张"))
        #expect(late.duplicates == 1)
    }
}
