import PropertyBased
import Replication
import Testing

/// The CRDT laws on generated histories. Each case is driven by one seed; PropertyBased prints the
/// failing seed, and `.fixedSeed(...)` replays it.
@Suite(.timeLimit(.minutes(10))) struct MergeLawTests {
    // MARK: Laws of merge on random change sets

    /// A random universe of changes with few keys and a narrow clock range, so that conflicts and
    /// exact clock ties between origins are common. Like real nodes, an origin never writes two
    /// different values of one cell at the same clock.
    static func universe(_ seed: UInt64) -> [ChangeBatch] {
        var generator = SeededGenerator(seed: seed)
        let origins = [Fixtures.community, Fixtures.neighbour, Fixtures.street, Fixtures.district]
        let base: UInt64 = 1_767_225_600_000
        let elderColumns = Fixtures.schema["elders"]!.columns
        var units: [ChangeBatch] = []
        for _ in 0..<Int.random(in: 20...80, using: &generator) {
            let origin = origins.randomElement(using: &generator)!
            let clock = HybridTimestamp(
                physicalMilliseconds: base + UInt64.random(in: 0...12, using: &generator),
                logical: UInt16.random(in: 0...2, using: &generator))
            let roll = Int.random(in: 0..<100, using: &generator)
            let salt = clock.rawValue &* 31 &+ origin.rawValue.utf8.reduce(UInt64(0)) { $0 &* 131 &+ UInt64($1) }
            if roll < 55 {
                let key = "E\(Int.random(in: 0..<5, using: &generator))"
                let column = elderColumns.randomElement(using: &generator)!
                let token =
                    (salt ^ UInt64(key.utf8.reduce(0) { $0 &+ UInt64($1) }) ^ UInt64(column.name.utf8.count)) % 7
                let value: Value
                if token == 0 {
                    value = .null
                } else {
                    switch column.type {
                    case .text:
                        value =
                            column.name == "community"
                            ? .text([Fixtures.community, Fixtures.otherStreetCommunity][Int(token % 2)].rawValue)
                            : .text("v\(token)")
                    case .integer: value = .integer(Int64(token))
                    case .real: value = .real(Double(token) / 2)
                    }
                }
                units.append(
                    ChangeBatch(rows: [
                        RowChange(
                            table: "elders", key: key,
                            cells: [CellChange(column: column.name, value: value, clock: clock, origin: origin)])
                    ]))
            } else if roll < 62 {
                let key = "E\(Int.random(in: 0..<5, using: &generator))"
                units.append(
                    ChangeBatch(rows: [
                        RowChange(
                            table: "elders", key: key,
                            cells: [
                                CellChange(
                                    column: "_erased", value: .text("request-\(salt % 3)"), clock: clock, origin: origin
                                )
                            ])
                    ]))
            } else if roll < 72 {
                let key = "K\(Int.random(in: 0..<2, using: &generator))"
                units.append(
                    ChangeBatch(rows: [
                        RowChange(
                            table: "catalog", key: key,
                            cells: [
                                CellChange(
                                    column: "unit_price", value: .real(Double(salt % 11)), clock: clock, origin: origin)
                            ])
                    ]))
            } else {
                let key = StatKey(
                    origin: origin,
                    community: [Fixtures.community, Fixtures.neighbour].randomElement(using: &generator)!,
                    metric: ["calls", "visits"].randomElement(using: &generator)!,
                    dims: ["", "channel=hotline"].randomElement(using: &generator)!,
                    period: "2026-01-0\(Int.random(in: 1...2, using: &generator))")
                units.append(ChangeBatch(stats: [StatChange(key: key, value: Int64(salt % 1000), clock: clock)]))
            }
        }
        return units
    }

    /// A random sub-batch of the universe, shuffled, with cells of one record sometimes grouped.
    static func subset(_ units: [ChangeBatch], _ generator: inout SeededGenerator) -> ChangeBatch {
        var batch = ChangeBatch()
        for unit in units.shuffled(using: &generator) where Bool.random(using: &generator) {
            if Bool.random(using: &generator), let row = unit.rows.first,
                let index = batch.rows.firstIndex(where: { $0.table == row.table && $0.key == row.key })
            {
                batch.rows[index].cells += row.cells
            } else {
                batch = batch + unit
            }
        }
        return batch
    }

    static func state(_ directory: TemporaryDirectory, _ name: String, merging batches: [ChangeBatch]) throws -> String
    {
        let clock = ManualClock(1_767_225_600_000 + 86_400_000)
        let store = try Fixtures.store(directory, Fixtures.city, clock: clock, name: name)
        for batch in batches { try store.merge(batch, from: Fixtures.district) }
        return try store.canonicalState()
    }

    @Test func mergeIsCommutativeAssociativeAndIdempotent() async {
        await propertyCheck(count: 60, input: Gen.uint64()) { seed in
            let units = Self.universe(seed)
            var generator = SeededGenerator(seed: seed ^ 0x5eed)
            let a = Self.subset(units, &generator)
            let b = Self.subset(units, &generator)
            let c = Self.subset(units, &generator)
            let directory = try TemporaryDirectory("laws")
            let ab = try Self.state(directory, "ab", merging: [a, b])
            let ba = try Self.state(directory, "ba", merging: [b, a])
            #expect(ab == ba, "commutativity, seed \(seed)")
            let left = try Self.state(directory, "a_bc", merging: [a, b + c])
            let right = try Self.state(directory, "ab_c", merging: [a + b, c])
            let flat = try Self.state(directory, "a_b_c", merging: [c, a, b])
            #expect(left == right, "associativity, seed \(seed)")
            #expect(left == flat, "grouping and order, seed \(seed)")
            let once = try Self.state(directory, "once", merging: [a])
            let twice = try Self.state(directory, "twice", merging: [a, a])
            let interleaved = try Self.state(directory, "aba", merging: [a, b, a])
            #expect(once == twice, "idempotence, seed \(seed)")
            #expect(interleaved == ab, "re-delivery, seed \(seed)")
            // One batch with every unit in reverse equals one unit at a time.
            let all = units.reduce(ChangeBatch(), +)
            let reversed = ChangeBatch(rows: all.rows.reversed(), stats: all.stats.reversed())
            #expect(
                try Self.state(directory, "all", merging: [all])
                    == Self.state(directory, "reversed", merging: [reversed]))
            #expect(try Self.state(directory, "units", merging: units) == Self.state(directory, "all2", merging: [all]))
        }
    }

    // MARK: Convergence of replicas with random histories

    struct CellID: Hashable { let table: String, key: String, column: String }
    struct Version: Comparable {
        let clock: HybridTimestamp, origin: NodeCode, value: Value
        static func < (lhs: Version, rhs: Version) -> Bool { (lhs.clock, lhs.origin) < (rhs.clock, rhs.origin) }
        static func == (lhs: Version, rhs: Version) -> Bool { lhs.clock == rhs.clock && lhs.origin == rhs.origin }
    }

    @Test func fiveReplicasConvergeUnderReorderDuplicationAndLoss() async {
        await propertyCheck(count: 15, input: Gen.uint64()) { seed in
            try Self.converge(seed: seed)
        }
    }

    static func converge(seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        let directory = try TemporaryDirectory("converge")
        let codes = [Fixtures.community, Fixtures.neighbour, Fixtures.street, Fixtures.district, Fixtures.city]
        let clocks = codes.map { _ in ManualClock(1_767_225_600_000 + UInt64.random(in: 0...4000, using: &generator)) }
        let stores = try codes.indices.map { try Fixtures.store(directory, codes[$0], clock: clocks[$0]) }
        let textColumns = ["name", "phone", "address", "status", "categories", "tier"]
        var expectedCells: [CellID: Version] = [:]
        var expectedErasures: [String: Version] = [:]
        var expectedStats: [StatKey: Int64] = [:]
        var positions: [[UInt64]] = Array(repeating: Array(repeating: 0, count: codes.count), count: codes.count)
        var held: [(target: Int, from: Int, batch: ChangeBatch)] = []

        func record(_ id: CellID, _ version: Version) {
            if expectedCells[id].map({ $0 < version }) ?? true { expectedCells[id] = version }
        }

        for _ in 0..<160 {
            for clock in clocks { clock.advance(by: UInt64.random(in: 0...3, using: &generator)) }
            let actor = Int.random(in: 0..<codes.count, using: &generator)
            let store = stores[actor]
            let roll = Int.random(in: 0..<100, using: &generator)
            if roll < 35 {
                let key = "E\(Int.random(in: 0..<6, using: &generator))"
                var values: [(column: String, value: Value)] = []
                for column in textColumns.shuffled(using: &generator).prefix(Int.random(in: 1...3, using: &generator)) {
                    values.append(
                        (column, .text("\(column)-\(codes[actor].rawValue.suffix(3))-\(generator.next() % 100)")))
                }
                if Bool.random(using: &generator) {
                    values.append(("monthly_hours", .integer(Int64.random(in: 3...45, using: &generator))))
                }
                try store.write([RecordWrite(table: "elders", key: key, values: values)])
                let clock = try store.lastClock()
                for (column, value) in values {
                    record(
                        CellID(table: "elders", key: key, column: column),
                        Version(clock: clock, origin: codes[actor], value: value))
                }
            } else if roll < 39 {
                let key = "E\(Int.random(in: 0..<6, using: &generator))"
                try store.erase("elders", key: key, reason: "request")
                let version = Version(clock: try store.lastClock(), origin: codes[actor], value: .null)
                if expectedErasures[key].map({ $0 < version }) ?? true { expectedErasures[key] = version }
            } else if roll < 62 {
                let key = StatKey(
                    origin: codes[actor],
                    community: [Fixtures.community, Fixtures.neighbour].randomElement(using: &generator)!,
                    metric: "calls", period: "2026-01-0\(Int.random(in: 1...3, using: &generator))")
                let delta = Int64.random(in: 1...5, using: &generator)
                try store.add([(key, delta)])
                expectedStats[key, default: 0] += delta
            } else if roll < 92 {
                var target = Int.random(in: 0..<codes.count, using: &generator)
                if target == actor { target = (target + 1) % codes.count }
                let page = try store.changes(
                    after: positions[actor][target], maxCells: Int.random(in: 1...40, using: &generator))
                switch Int.random(in: 0..<100, using: &generator) {
                case 0..<50:  // delivered and acknowledged
                    try stores[target].merge(page.batch, from: codes[actor])
                    positions[actor][target] = page.through
                case 50..<65:  // delivered, and a duplicate is still travelling
                    try stores[target].merge(page.batch, from: codes[actor])
                    positions[actor][target] = page.through
                    held.append((target, actor, page.batch))
                case 65..<80:  // delayed: delivered later, out of order
                    held.append((target, actor, page.batch))
                case 80..<90:  // lost before delivery; the sender retries from its watermark
                    break
                default:  // lost, yet the sender advanced: only anti-entropy recovers it
                    positions[actor][target] = page.through
                }
            } else if !held.isEmpty {
                let index = Int.random(in: 0..<held.count, using: &generator)
                let delivery = held.remove(at: index)
                try stores[delivery.target].merge(delivery.batch, from: codes[delivery.from])
            }
        }
        for delivery in held.shuffled(using: &generator) {
            try stores[delivery.target].merge(delivery.batch, from: codes[delivery.from])
        }
        // Anti-entropy: full exchange until nothing changes.
        var rounds = 0
        var changed = true
        while changed {
            changed = false
            rounds += 1
            for source in stores.indices {
                for target in stores.indices where source != target {
                    if try stores[target].pull(from: stores[source]).changedAnything { changed = true }
                }
            }
            #expect(rounds < 5, "anti-entropy did not quiesce, seed \(seed)")
            if rounds >= 5 { return }
        }
        let reference = try stores[0].canonicalState()
        for store in stores.dropFirst() {
            #expect(try store.canonicalState() == reference, "replica \(store.node) diverged, seed \(seed)")
        }
        // The converged state is the one the merge rules define, computed from the history alone.
        let personal: Set<String> = ["name", "resident_id", "phone", "address"]
        for store in stores {
            for (id, version) in expectedCells {
                var expected = version
                if personal.contains(id.column), let erasure = expectedErasures[id.key], version < erasure {
                    expected = erasure
                }
                let actual = try store.record(id.table, key: id.key)?[id.column]
                #expect(actual == expected.value, "\(id) on \(store.node), seed \(seed)")
            }
            for (key, sum) in expectedStats {
                #expect(try store.statistic(key)?.value == sum, "\(key) on \(store.node), seed \(seed)")
            }
        }
    }
}
