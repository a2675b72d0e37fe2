import Foundation
import GRDB
import Replication
import Testing

@testable import Reports

/// Issue 13: no figure a report computes traps, whatever the store holds. Sums of cells are safe by
/// the bound the reads enforce (0…`StatisticGrammar.maxValue` per cell); sums built from other sums,
/// and products (settlements), are checked and end in `ReportError(.overflow)`.
@Suite(.timeLimit(.minutes(10))) struct ReportArithmeticTests {
    static let street = "130102001000"
    static let community = "130102001001"
    static let january = ClosedRange.days("2026-01-01", "2026-01-31")
    static let extremes: [Int64] = [.max, .min, .max - 1, .min + 1, 1 << 62, -(1 << 62), 0, -1, 1]

    static func expectOverflowOrValue<T>(_ body: () throws -> T) {
        do {
            _ = try body()
        } catch let error as ReportError {
            #expect(error.code == .overflow)
            #expect(!error.message.isEmpty)
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func summariesOfExtremeSumsThrowOrAnswer() throws {
        var random = SeededGenerator(seed: 62)
        for _ in 0..<400 {
            let value = { Self.extremes.randomElement(using: &random)! }
            let calls = [
                "channel=hotline;effective=1;hour=09;type=emergency": value(),
                "channel=app;effective=1;hour=09;type=emergency": value(), "effective=0;hour=23": value(),
            ]
            Self.expectOverflowOrValue { try CallSummary(sums: calls) }
            let services = [
                "category=daily_care;item=a;provider=P1": value(), "category=daily_care;item=b;provider=P1": value(),
            ]
            Self.expectOverflowOrValue { try ServiceSummary(visits: services, minutes: services) }
            let callbacks = [
                "complaint=1;provider=P1;score=satisfied": value(),
                "complaint=1;provider=P1;score=dissatisfied": value(),
            ]
            Self.expectOverflowOrValue { try SatisfactionSummary(callbacks) }
        }
        #expect((try? CallSummary(sums: ["effective=1;hour=09": 1 << 62, "effective=1;hour=10": 1 << 62])) == nil)
        #expect(
            try CallSummary(sums: ["effective=1;hour=09": 1 << 61, "effective=1;hour=10": 1 << 61]).total == 1 << 62)
    }

    @Test func settlementArithmeticNeverTraps() throws {
        for visits in Self.extremes {
            for price in Self.extremes {
                for unit in [ServiceCatalog.Unit.visit, .hour] {
                    Self.expectOverflowOrValue {
                        try ProviderReport.amountFen(
                            visits: visits, minutes: visits, price: .init(id: "x", unit: unit, fen: price))
                    }
                }
                Self.expectOverflowOrValue { try ProviderReport.sum([visits, price, visits], provider: "P1") }
                for score in [0.0, 50, 84.999_999_999_999, 85, 100] {
                    Self.expectOverflowOrValue { try ProviderReport.payable(settlement: visits, score: score) }
                }
                // satisfied × 10 < rated × 9, exactly, for any counts.
                let below = ProviderReport.isBelowMinimumSatisfaction(satisfied: visits, rated: price)
                let exact = (Double(visits) * 10 < Double(price) * 9)
                if abs(Double(visits) * 10 - Double(price) * 9) > 1e6 { #expect(below == exact, "\(visits) \(price)") }
            }
        }
        // Minutes × price ÷ 60, rounded half away from zero to the fen, as before.
        #expect(
            try ProviderReport.amountFen(visits: 4, minutes: 150, price: .init(id: "x", unit: .hour, fen: 3_000))
                == 7_500)
        #expect(try ProviderReport.amountFen(visits: 1, minutes: 1, price: .init(id: "x", unit: .hour, fen: 30)) == 1)
        #expect(try ProviderReport.amountFen(visits: 1, minutes: 1, price: .init(id: "x", unit: .hour, fen: 29)) == 0)
        #expect(try ProviderReport.amountFen(visits: 1, minutes: -1, price: .init(id: "x", unit: .hour, fen: 30)) == -1)
        #expect(try ProviderReport.payable(settlement: 57_500, score: 80) == 54_118)
        #expect(ProviderReport.isBelowMinimumSatisfaction(satisfied: 8, rated: 10))
        #expect(!ProviderReport.isBelowMinimumSatisfaction(satisfied: 9, rated: 10))
        #expect(ProviderReport.isBelowMinimumSatisfaction(satisfied: .max / 2, rated: .max))
        #expect(!ProviderReport.isBelowMinimumSatisfaction(satisfied: .max, rated: .max))
    }

    /// A catalog price of 2^62 fen for an item with visits: the providers report throws a typed
    /// overflow naming the provider and item instead of trapping; a price that is not an integer
    /// leaves its item unpriced; a provider id that is not text is passed over.
    @Test func theProvidersReportOfAHostileCatalog() throws {
        let directory = try TemporaryDirectory()
        let store = try ReportFixtures.store(Self.street, in: directory)
        var cells = try ReportCells(store, rollup: false)
        try cells.visits(3, minutes: 90, community: Self.community, item: "daily_care.bathing")
        try cells.visits(2, minutes: 60, community: Self.community, item: "daily_care.meals")
        try store.database.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE service_items (id TEXT PRIMARY KEY, category TEXT, name_zh TEXT, name_en TEXT,
                        unit TEXT, unit_price_fen INTEGER, scope TEXT);
                    INSERT INTO service_items(id, unit, unit_price_fen) VALUES ('daily_care.meals', 'visit', 'abc');
                    INSERT INTO service_items(id, unit, unit_price_fen, name_zh) VALUES (x'ff', 'visit', 1, 7);
                    CREATE TABLE providers (id TEXT PRIMARY KEY, name TEXT, contract_status TEXT);
                    INSERT INTO providers(id, name, contract_status) VALUES (x'ff', x'fe', 3), ('P1', 'P', 'active');
                    """)
        }
        let report = try store.database.read { db in
            try ProviderReport.compute(db, scope: try NodeCode(Self.street), days: Self.january)
        }
        #expect(report.providers.map(\.id) == ["P1"])
        #expect(report.providers[0].unpricedItems == ["daily_care.bathing", "daily_care.meals"])
        #expect(report.providers[0].name == "P")
        try store.database.write { db in
            try db.execute(
                sql: "INSERT INTO service_items(id, unit, unit_price_fen) VALUES ('daily_care.bathing', 'visit', ?)",
                arguments: [Int64(1) << 62])
        }
        #expect(throws: ReportError.self) {
            try store.database.read { db in
                try ProviderReport.compute(db, scope: try NodeCode(Self.street), days: Self.january)
            }
        }
    }

    /// Replicated elders whose monthly amounts lie outside what the API accepts (0…100,000 yuan,
    /// 0…744 hours), up to Int64.max or of another storage: the roster counts them as elders and
    /// leaves their amounts out of the sums, which SQLite would otherwise refuse as an integer overflow.
    @Test func rosterSumsLeaveOutAmountsOutsideTheirRange() throws {
        let directory = try TemporaryDirectory()
        let store = try ReportFixtures.store(Self.street, in: directory)
        try store.database.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE elders (id TEXT PRIMARY KEY, community TEXT, birth_date TEXT, categories TEXT,
                        living TEXT, disability TEXT, status TEXT, monthly_subsidy INTEGER, monthly_hours INTEGER);
                    """)
            for (id, subsidy, hours) in [
                ("E1", 300, 20), ("E2", Int64.max, Int64.max), ("E3", Int64.max, Int64.max), ("E4", -5, -5),
                ("E5", RosterSummary.maxMonthlySubsidy + 1, RosterSummary.maxMonthlyHours + 1),
                ("E6", RosterSummary.maxMonthlySubsidy, RosterSummary.maxMonthlyHours),
            ] as [(String, Int64, Int64)] {
                try db.execute(
                    sql:
                        "INSERT INTO elders(id, community, status, categories, monthly_subsidy, monthly_hours) VALUES (?, ?, 'active', 'a', ?, ?)",
                    arguments: [id, Self.community, subsidy, hours])
            }
            try db.execute(
                sql:
                    "INSERT INTO elders(id, community, status, monthly_subsidy, monthly_hours) VALUES ('E7', ?, 'active', 1.5e300, 'abc')",
                arguments: [Self.community])
        }
        let roster = try store.database.read { db in
            try RosterSummary.compute(db, scope: try NodeCode(Self.street), asOf: CalendarDay("2026-01-31")!)
        }
        #expect(roster.active == 7)
        #expect(roster.byCategory["a"] == 6)
        #expect(roster.monthlySubsidyYuan == 300 + RosterSummary.maxMonthlySubsidy)
        #expect(roster.monthlyEntitledHours == 20 + RosterSummary.maxMonthlyHours)
        #expect(EntitlementUse.entitledMinutes(monthlyHours: .max, days: Self.january) == .max)
        #expect(EntitlementUse.entitledMinutes(monthlyHours: .min, days: Self.january) == .min)
        #expect(EntitlementUse.entitledMinutes(monthlyHours: 30, days: Self.january) == 1_800)
    }

    /// Link rows of any Int64 (a peer head of Int64.max, a watermark of Int64.min): the health report
    /// answers, "behind" saturating instead of trapping.
    @Test func reportingHealthOfExtremeLinkRows() throws {
        let directory = try TemporaryDirectory()
        let store = try ReportFixtures.store(Self.street, in: directory)
        try store.database.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE node_links (peer TEXT PRIMARY KEY, role TEXT NOT NULL, connected INTEGER NOT NULL,
                        last_seen INTEGER NOT NULL, peer_head INTEGER NOT NULL);
                    INSERT INTO node_links VALUES ('130102001001', 'child', 1, 9223372036854775807, 9223372036854775807);
                    INSERT INTO node_links VALUES ('130102001002', 'child', 0, -9223372036854775808, -9223372036854775808);
                    INSERT OR REPLACE INTO crdt_watermarks(peer, direction, epoch, seq, updated_at)
                        VALUES ('130102001001', 'received', 'e', -9223372036854775808, 0),
                               ('130102001002', 'received', 'e', 9223372036854775807, 0);
                    """)
        }
        let health = try store.database.read { db in
            try ReportingHealth.compute(db, scope: try NodeCode(Self.street), days: Self.january, nowMilliseconds: .max)
        }
        #expect(health.children.count == 2)
        #expect(health.children[0].behind == .max)
        #expect(health.children[1].behind == 0)
    }
}
