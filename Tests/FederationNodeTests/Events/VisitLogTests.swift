import Foundation
import GRDB
import Replication
import Reports
import Testing

@testable import Eldercare
@testable import FederationNode

/// Helpers for visits and callbacks over a real store.
enum EventSamples {
    /// Registers elders (only id, community and status) in the node's roster.
    static func register(_ ids: [String], community: String = Codes.community, in store: ReplicaStore) throws {
        try store.write(
            ids.map {
                RecordWrite(table: "elders", key: $0, ["community": .text(community), "status": .text("active")])
            })
    }

    static func visit(
        _ id: String, elder: String = "E1", provider: String = "P1", category: ServiceCategory = .dailyCare,
        checkIn: String = "2026-01-05T09:00:00+08:00", checkOut: String = "2026-01-05T10:30:20+08:00",
        community: String = Codes.community, status: VisitStatus = .completed
    ) throws -> VisitRecord {
        try VisitRecord(
            id: id, elderID: elder, providerID: provider, category: category, item: "助浴", checkIn: checkIn,
            checkOut: checkOut, community: try NodeCode(community), status: status)
    }

    /// This node's cells of `metrics`, nonzero ones only, keyed `community|metric|dims|period`.
    static func cells(_ store: ReplicaStore, metrics: [String]) throws -> [String: Int64] {
        try store.database.read { db in
            var cells: [String: Int64] = [:]
            let placeholders = metrics.map { _ in "?" }.joined(separator: ",")
            let rows = try Row.fetchAll(
                db,
                sql: "SELECT community, metric, dims, period, value FROM crdt_stats WHERE metric IN (\(placeholders))",
                arguments: StatementArguments(metrics))
            for row in rows {
                let value: Int64 = row[4]
                guard value != 0 else { continue }
                let community: String = row[0]
                let metric: String = row[1]
                let dims: String = row[2]
                let period: String = row[3]
                cells["\(community)|\(metric)|\(dims)|\(period)"] = value
            }
            return cells
        }
    }

    /// The cells recounted from the raw `visits` and `callbacks` tables.
    static func recount(_ store: ReplicaStore) throws -> [String: Int64] {
        try store.database.read { db in
            var cells: [String: Int64] = [:]
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT community, day, category, provider_id, item, COUNT(*), SUM(minutes) FROM visits
                    WHERE status = 'completed' GROUP BY community, day, category, provider_id, item
                    """)
            {
                let community: String = row[0]
                let day: String = row[1]
                let dims = ServiceStatistics.dimensions(category: row[2], provider: row[3], item: row[4])
                let count: Int64 = row[5]
                let minutes: Int64 = row[6]
                cells["\(community)|visits|\(dims)|\(day)"] = count
                if minutes != 0 { cells["\(community)|visit_minutes|\(dims)|\(day)"] = minutes }
            }
            for row in try Row.fetchAll(
                db,
                sql: """
                    SELECT c.community, c.day, c.score, c.complaint, v.provider_id, COUNT(*) FROM callbacks c
                    LEFT JOIN visits v ON v.id = c.visit_id GROUP BY 1, 2, 3, 4, 5
                    """)
            {
                let community: String = row[0]
                let day: String = row[1]
                let complaint: Bool = row[3]
                let dims = SatisfactionStatistics.dimensions(score: row[2], complaint: complaint, provider: row[4])
                let count: Int64 = row[5]
                cells["\(community)|callbacks|\(dims)|\(day)"] = count
            }
            return cells
        }
    }

    static let allMetrics = [
        ServiceStatistics.visitsMetric, ServiceStatistics.minutesMetric, SatisfactionStatistics.metric,
    ]
}

@Suite(.timeLimit(.minutes(10))) struct VisitLogTests {
    func node() throws -> TestNode {
        let node = try TestNode(Codes.street)
        try EventSamples.register(["E1", "E2"], in: node.store)
        return node
    }

    @Test func aCompletedVisitCountsOnceAndItsMinutes() throws {
        let node = try node()
        let visit = try EventSamples.visit("V1")
        #expect(visit.minutes == 90)  // 1 h 30 min 20 s rounds to 90
        #expect(try VisitLog.record([(0, visit)], in: node.store) == EventOutcome(accepted: 1))
        #expect(try VisitLog.record([(0, visit), (1, visit)], in: node.store) == EventOutcome(duplicates: 2))
        let dims = "category=daily_care;item=助浴;provider=P1"
        #expect(
            try EventSamples.cells(node.store, metrics: EventSamples.allMetrics) == [
                "\(Codes.community)|visits|\(dims)|2026-01-05": 1,
                "\(Codes.community)|visit_minutes|\(dims)|2026-01-05": 90,
            ])
    }

    @Test func cancellingMovesTheCountsExactlyBack() throws {
        let node = try node()
        let other = try EventSamples.visit("V0", elder: "E2", checkOut: "2026-01-05T09:40:00+08:00")
        let visit = try EventSamples.visit("V1")
        _ = try VisitLog.record([(0, other), (1, visit)], in: node.store)
        let before = try EventSamples.cells(node.store, metrics: EventSamples.allMetrics)
        // The correction may differ in other fields: the stored visit's counts are taken back.
        let cancel = try EventSamples.visit("V1", checkOut: "2026-01-05T11:00:00+08:00", status: .cancelled)
        #expect(try VisitLog.record([(0, cancel)], in: node.store) == EventOutcome(accepted: 1))
        #expect(try VisitLog.record([(0, cancel)], in: node.store) == EventOutcome(duplicates: 1))
        let after = try EventSamples.cells(node.store, metrics: EventSamples.allMetrics)
        let expected: [String: Int64] = [
            "\(Codes.community)|visits|category=daily_care;item=助浴;provider=P1|2026-01-05": 1,
            "\(Codes.community)|visit_minutes|category=daily_care;item=助浴;provider=P1|2026-01-05": 40,
        ]
        #expect(after == expected)
        let total: Int64 = before.values.reduce(0, +)
        #expect(total == 132)  // 1 + 40 for V0, 1 + 90 for V1
        #expect(after == (try EventSamples.recount(node.store)))
        // A cancelled visit is not reopened; a completed one is not silently changed.
        let reopen = try EventSamples.visit("V1")
        let changed = try EventSamples.visit("V0", elder: "E2", provider: "P9", checkOut: "2026-01-05T09:40:00+08:00")
        let outcome = try VisitLog.record([(0, reopen), (1, changed)], in: node.store)
        #expect(outcome.accepted == 0)
        #expect(outcome.rejected.map(\.index) == [0, 1])
        #expect(outcome.rejected.map(\.error.field) == ["status", "id"])
        #expect(try EventSamples.cells(node.store, metrics: EventSamples.allMetrics) == after)
    }

    @Test func aVisitCancelledFromTheStartCountsNothing() throws {
        let node = try node()
        let visit = try EventSamples.visit("V1", status: .cancelled)
        #expect(try VisitLog.record([(0, visit)], in: node.store) == EventOutcome(accepted: 1))
        #expect(try EventSamples.cells(node.store, metrics: EventSamples.allMetrics).isEmpty)
    }

    @Test func anUnknownElderIsRefusedAndTheOthersRecorded() throws {
        let node = try node()
        let outcome = try VisitLog.record(
            [(0, try EventSamples.visit("V1", elder: "NOPE")), (1, try EventSamples.visit("V2"))], in: node.store)
        #expect(outcome.accepted == 1)
        #expect(outcome.rejected.count == 1)
        #expect(outcome.rejected.first?.index == 0)
        #expect(outcome.rejected.first?.error.field == "elder_id")
        #expect(outcome.rejected.first?.error.message.hasPrefix("unknown elder") == true)
    }

    @Test(arguments: [
        ("2026-01-05T10:00:00+08:00", "2026-01-05T09:59:59+08:00", "check_out"),
        ("2026-01-05T10:00:00+08:00", "2026-01-06T10:00:01+08:00", "check_out"),
        ("2026-01-05T10:00:00", "2026-01-05T11:00:00+08:00", "check_in"),
        ("2026-01-05T10:00:00+08:00", "2026-02-30T11:00:00+08:00", "check_out"),
    ])
    func badTimesNameTheField(_ checkIn: String, _ checkOut: String, _ field: String) throws {
        let error = #expect(throws: CallValidationError.self) {
            _ = try EventSamples.visit("V", checkIn: checkIn, checkOut: checkOut)
        }
        #expect(error?.field == field)
    }

    @Test func theDayIsTheCheckInDayInChinaAndAVisitOfExactly24HoursIsAllowed() throws {
        let visit = try EventSamples.visit("V", checkIn: "2026-01-04T16:30:00Z", checkOut: "2026-01-05T16:30:00Z")
        #expect(visit.day.description == "2026-01-05")
        #expect(visit.minutes == 1_440)
    }

    @Test func callbacksCountByScoreAndComplaint() throws {
        let node = try node()
        let community = try NodeCode(Codes.neighbour)
        let callbacks = [
            try CallbackRecord(
                id: "C1", visitID: "V1", at: "2026-01-05T16:30:00Z", score: .satisfied, complaint: false,
                community: community),
            try CallbackRecord(
                id: "C2", visitID: "V2", at: "2026-01-06T08:00:00+08:00", score: .satisfied, complaint: false,
                community: community),
            try CallbackRecord(
                id: "C3", visitID: "V3", at: "2026-01-06T09:00:00+08:00", score: .dissatisfied, complaint: true,
                community: community),
        ]
        let outcome = try CallbackLog.record(
            Array(zip(0..., callbacks)).map { (index: $0.0, callback: $0.1) }, in: node.store)
        #expect(outcome == EventOutcome(accepted: 3))
        let changed = try CallbackRecord(
            id: "C1", visitID: "V1", at: "2026-01-05T16:30:00Z", score: .dissatisfied, complaint: false,
            community: community)
        let again = try CallbackLog.record([(0, callbacks[0]), (1, changed)], in: node.store)
        #expect(again.duplicates == 1)
        #expect(again.rejected.map(\.error.field) == ["id"])
        #expect(
            try EventSamples.cells(node.store, metrics: EventSamples.allMetrics) == [
                "\(Codes.neighbour)|callbacks|complaint=0;score=satisfied|2026-01-06": 2,
                "\(Codes.neighbour)|callbacks|complaint=1;score=dissatisfied|2026-01-06": 1,
            ])
    }
}

/// Random visits (some cancelled at once, some cancelled later, with retries) and callbacks: the
/// statistics cells always equal a recount of the raw tables.
@Suite(.timeLimit(.minutes(10))) struct EventCellsPropertyTests {
    @Test(arguments: [1, 2, 3, 42, 2026] as [UInt64])
    func cellsEqualARecountOfTheRawTables(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let node = try TestNode(Codes.street)
        let elders = (0..<8).map { "E\($0)" }
        try EventSamples.register(elders, in: node.store)
        let communities = [Codes.community, Codes.neighbour, Codes.otherStreetCommunity]
        let offsets = ["+08:00", "Z", "-05:00"]
        var recorded: [VisitRecord] = []
        var expectedCompleted = 0
        for round in 0..<20 {
            var batch: [(index: Int, visit: VisitRecord)] = []
            for position in 0..<Int.random(in: 1...15, using: &random) {
                let start = Int64.random(in: 0..<(31 * 86_400), using: &random)
                let length = Int64.random(in: 0...(6 * 3_600), using: &random)
                func stamp(_ seconds: Int64) -> String {
                    let offset = offsets.randomElement(using: &random)!
                    let shift: Int64 = offset == "+08:00" ? 8 * 3_600 : offset == "Z" ? 0 : -5 * 3_600
                    let local = Date(timeIntervalSince1970: TimeInterval(1_767_225_600 + seconds + shift))
                    var calendar = Calendar(identifier: .gregorian)
                    calendar.timeZone = TimeZone(identifier: "UTC")!
                    let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: local)
                    func two(_ n: Int?) -> String { n! < 10 ? "0\(n!)" : "\(n!)" }
                    return "\(c.year!)-\(two(c.month))-\(two(c.day))T\(two(c.hour)):\(two(c.minute)):\(two(c.second))"
                        + offset
                }
                let visit = try VisitRecord(
                    id: "V-\(round)-\(position)", elderID: elders.randomElement(using: &random)!,
                    providerID: "P\(Int.random(in: 0..<4, using: &random))",
                    category: ServiceCategory.allCases.randomElement(using: &random)!, item: "服务",
                    checkIn: stamp(start), checkOut: stamp(start + length),
                    community: try NodeCode(communities.randomElement(using: &random)!),
                    status: Int.random(in: 0..<10, using: &random) == 0 ? .cancelled : .completed)
                batch.append((batch.count, visit))
                recorded.append(visit)
                if visit.status == .completed { expectedCompleted += 1 }
            }
            // Retries of earlier visits, and cancellations of some completed ones.
            for _ in 0..<Int.random(in: 0...4, using: &random) {
                guard let earlier = recorded.randomElement(using: &random) else { break }
                if earlier.status == .completed, Bool.random(using: &random) {
                    let cancel = earlier.with(status: .cancelled)
                    if let position = recorded.firstIndex(of: earlier) { recorded[position] = cancel }
                    batch.append((batch.count, cancel))
                    expectedCompleted -= 1
                } else {
                    batch.append((batch.count, earlier))
                }
            }
            let outcome = try VisitLog.record(batch, in: node.store)
            #expect(outcome.rejected.isEmpty, "seed \(seed): \(outcome.rejected)")
            var callbacks: [(index: Int, callback: CallbackRecord)] = []
            for position in 0..<Int.random(in: 0...6, using: &random) {
                let callback = try CallbackRecord(
                    id: "C-\(round)-\(position)", visitID: "V-\(round)-0",
                    at:
                        "2026-01-\(10 + Int.random(in: 0..<9, using: &random))T2\(Int.random(in: 0..<4, using: &random)):00:00+0\(Int.random(in: 0..<9, using: &random)):00",
                    score: SatisfactionScore.allCases.randomElement(using: &random)!,
                    complaint: Bool.random(using: &random),
                    community: try NodeCode(communities.randomElement(using: &random)!))
                callbacks.append((position, callback))
                if Bool.random(using: &random) { callbacks.append((callbacks.count, callback)) }
            }
            _ = try CallbackLog.record(callbacks, in: node.store)
            #expect(
                try EventSamples.cells(node.store, metrics: EventSamples.allMetrics)
                    == EventSamples.recount(node.store),
                "seed \(seed), round \(round)")
        }
        let cells = try EventSamples.cells(node.store, metrics: [ServiceStatistics.visitsMetric])
        #expect(cells.values.reduce(0, +) == Int64(expectedCompleted), "seed \(seed)")
    }
}
