import Foundation
import GRDB
import Replication
import Reports
import Testing

/// The rollup is derived data: whatever the cells say, it must say the same, for any scope and range.
@Suite struct ReportRollupTests {
    static let communities = [
        "130102001001", "130102001002", "130102002001", "130103001001", "130103001002", "130201001001",
    ]
    static let scopes = [
        "130000000000", "130100000000", "130102000000", "130102001000", "130103000000", "130102001002", "130201000000",
    ]

    /// Random merged cells (every update replaces a cell's value, firing the rollup's update trigger),
    /// then every scope and random ranges compared between the rollup and the cells.
    @Test(arguments: [1, 7, 2026] as [UInt64])
    func rollupSumsEqualCellSums(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let directory = try TemporaryDirectory()
        let withRollup = try ReportFixtures.store("130000000000", in: directory)
        let plainDirectory = try TemporaryDirectory()
        let plain = try ReportFixtures.store("130000000000", in: plainDirectory)
        var rolled = try ReportCells(withRollup, rollup: true)
        var raw = try ReportCells(plain, rollup: false)
        for _ in 0..<300 {
            let community = Self.communities.randomElement(using: &random)!
            let day = CalendarDay("2026-01-01")!.adding(days: Int.random(in: 0..<120, using: &random))
            let count = Int64.random(in: -2...9, using: &random)
            let effective = Bool.random(using: &random)
            let hour = Int.random(in: 0...23, using: &random)
            let item = ["daily_care.bathing", "daily_care.meals", "助浴"].randomElement(using: &random)!
            try rolled.calls(count, effective: effective, community: community, day: day.description, hour: hour)
            try raw.calls(count, effective: effective, community: community, day: day.description, hour: hour)
            try rolled.visits(1, minutes: count * 10, community: community, day: day.description, item: item)
            try raw.visits(1, minutes: count * 10, community: community, day: day.description, item: item)
        }
        for _ in 0..<25 {
            let start = CalendarDay("2025-12-20")!.adding(days: Int.random(in: 0..<140, using: &random))
            let days = start...start.adding(days: Int.random(in: 0..<100, using: &random))
            for scopeText in Self.scopes {
                let scope = try NodeCode(scopeText)
                let a = try withRollup.database.read { db in try CallSummary.compute(db, scope: scope, days: days) }
                let b = try plain.database.read { db in try CallSummary.compute(db, scope: scope, days: days) }
                #expect(a == b, "calls \(scope) \(days)")
                let c = try withRollup.database.read { db in try ServiceSummary.compute(db, scope: scope, days: days) }
                let d = try plain.database.read { db in try ServiceSummary.compute(db, scope: scope, days: days) }
                #expect(c.total == d.total && c.byCategory == d.byCategory && c.byProvider == d.byProvider)
                let e = try withRollup.database.read { db in try CallSummary.computeByChild(db, scope: scope, days: days) }
                let f = try plain.database.read { db in try CallSummary.computeByChild(db, scope: scope, days: days) }
                #expect(e == f, "children of \(scope) \(days)")
            }
        }
        // Installing the rollup afterwards fills it from the cells: the same sums again.
        try plain.database.write { db in try ReportRollup.install(db) }
        let year = ClosedRange.days("2025-01-01", "2026-12-31")
        let filled = try plain.database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM report_rollup WHERE value != 0 ORDER BY 1, 2, 3, 4, 5")
        }
        let maintained = try withRollup.database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM report_rollup WHERE value != 0 ORDER BY 1, 2, 3, 4, 5")
        }
        #expect(filled == maintained)
        #expect(!filled.isEmpty)
        let series = try withRollup.database.read { db in
            try DailySeries.compute(db, metric: .calls, scope: try NodeCode("130100000000"), days: year)
        }
        let rawSeries = try plain.database.read { db in
            try DailySeries.compute(db, metric: .calls, scope: try NodeCode("130102001001"), days: year)
        }
        #expect(series.points.count == 730)
        #expect(rawSeries.points.count == 730)
    }

    @Test func theRollupLeavesOutTheItemOfVisitCells() throws {
        let directory = try TemporaryDirectory()
        let city = try ReportFixtures.store("130100000000", in: directory)
        var cells = try ReportCells(city, rollup: true)
        try cells.visits(2, minutes: 90, community: "130102001001", item: "daily_care.bathing")
        try cells.visits(1, minutes: 30, community: "130102001001", item: "daily_care.meals")
        let dims = try city.database.read { db in
            try String.fetchAll(
                db, sql: "SELECT DISTINCT dims FROM report_rollup WHERE metric = 'visits' AND area = '130100000000'")
        }
        #expect(dims == ["category=daily_care;provider=P1"])
        let services = try city.database.read { db in
            try ServiceSummary.compute(db, scope: try NodeCode("130100000000"), days: .days("2026-01-01", "2026-01-31"))
        }
        #expect(services.completed == 3)
        #expect(services.total.minutes == 120)
        let exact = try city.database.read { db in
            try ServiceSummary.compute(
                db, scope: try NodeCode("130100000000"), days: .days("2026-01-01", "2026-01-31"), withItems: true)
        }
        #expect(exact.byProviderItem.count == 2)
    }
}

@Suite struct ReportPeriodTests {
    @Test func periodsContainingADay() {
        let day = CalendarDay("2026-02-14")!
        #expect(ReportPeriod.day.days(containing: day) == day...day)
        #expect(ReportPeriod.month.days(containing: day) == .days("2026-02-01", "2026-02-28"))
        #expect(ReportPeriod.quarter.days(containing: day) == .days("2026-01-01", "2026-03-31"))
        #expect(ReportPeriod.quarter.days(containing: CalendarDay("2024-12-31")!) == .days("2024-10-01", "2024-12-31"))
    }

    @Test func entitlementIsProratedByTheDaysOfEachMonth() {
        #expect(EntitlementUse.entitledMinutes(monthlyHours: 30, days: .days("2026-01-01", "2026-01-31")) == 1_800)
        // Half of April (15 of 30 days) and all of May: 1.5 months.
        #expect(EntitlementUse.entitledMinutes(monthlyHours: 30, days: .days("2026-04-16", "2026-05-31")) == 2_700)
        #expect(EntitlementUse.entitledMinutes(monthlyHours: 0, days: .days("2026-04-16", "2026-05-31")) == 0)
    }
}
