import Foundation
import GRDB
import Replication
import Reports
import Testing

/// The rollup is derived data: whatever the cells say, it must say the same, for any scope and range.
@Suite(.timeLimit(.minutes(10))) struct ReportRollupTests {
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
            let score = ["satisfied", "basically_satisfied", "dissatisfied"].randomElement(using: &random)!
            let complaint = Bool.random(using: &random)
            let provider = ["P1", "P2", nil].randomElement(using: &random)!
            try rolled.callbacks(
                count, score: score, complaint: complaint, community: community, day: day.description,
                provider: provider)
            try raw.callbacks(
                count, score: score, complaint: complaint, community: community, day: day.description,
                provider: provider)
            // The node folds on a timer: here at random points, sometimes only part of what is pending,
            // so the comparisons below meet a rollup with changes folded, partly folded and pending.
            if Int.random(in: 0..<40, using: &random) == 0 {
                try withRollup.database.write { db in
                    _ = try ReportRollup.fold(db, limit: Int.random(in: 1...200, using: &random))
                }
            }
        }
        #expect(try withRollup.database.read { db in try ReportRollup.pendingCount(db) } > 0)
        // Random ranges, and ranges made of whole years (the rollup's yearly rows), whole months and days.
        let fixed: [ClosedRange<CalendarDay>] = [
            .days("2026-01-01", "2026-12-31"), .days("2025-01-01", "2026-12-31"), .days("2025-12-15", "2027-01-03"),
        ]
        for round in 0..<(25 + fixed.count) {
            if round % 5 == 4 {
                try withRollup.database.write { db in
                    _ = try ReportRollup.fold(db, limit: Int.random(in: 1...300, using: &random))
                }
            }
            let start = CalendarDay("2025-12-20")!.adding(days: Int.random(in: 0..<140, using: &random))
            let days =
                round < fixed.count ? fixed[round] : start...start.adding(days: Int.random(in: 0..<100, using: &random))
            for scopeText in Self.scopes {
                let scope = try NodeCode(scopeText)
                let a = try withRollup.database.read { db in try CallSummary.compute(db, scope: scope, days: days) }
                let b = try plain.database.read { db in try CallSummary.compute(db, scope: scope, days: days) }
                #expect(a == b, "calls \(scope) \(days)")
                let c = try withRollup.database.read { db in try ServiceSummary.compute(db, scope: scope, days: days) }
                let d = try plain.database.read { db in try ServiceSummary.compute(db, scope: scope, days: days) }
                #expect(c.total == d.total && c.byCategory == d.byCategory && c.byProvider == d.byProvider)
                let e = try withRollup.database.read { db in
                    try CallSummary.computeByChild(db, scope: scope, days: days)
                }
                let f = try plain.database.read { db in try CallSummary.computeByChild(db, scope: scope, days: days) }
                #expect(e == f, "children of \(scope) \(days)")
                // The `calls#effective` projection: the children's totals and the daily series.
                let totals = try withRollup.database.read { db in
                    try CallSummary.computeTotalsByChild(db, scope: scope, days: days)
                }
                // (A child whose cells cancel out to zero in total, e.g. +3 by hotline and −3 by app, is
                // listed by the full rows and not by the projection: zero either way.)
                func figures<T>(_ byChild: [NodeCode: T], _ values: (T) -> [Int64]) -> [NodeCode: [Int64]] {
                    byChild.mapValues(values).filter { $0.value.contains { $0 != 0 } }
                }
                #expect(
                    figures(totals) { [$0.total, $0.effective] } == figures(f) { [$0.total, $0.effective] },
                    "totals of \(scope) \(days)")
                let plainTotals = try plain.database.read { db in
                    try CallSummary.computeTotalsByChild(db, scope: scope, days: days)
                }
                #expect(figures(plainTotals) { [$0.total, $0.effective] } == figures(f) { [$0.total, $0.effective] })
                let trend = try withRollup.database.read { db in
                    try DailySeries.compute(db, metric: .effectiveRatio, scope: scope, days: days)
                }
                let plainTrend = try plain.database.read { db in
                    try DailySeries.compute(db, metric: .effectiveRatio, scope: scope, days: days)
                }
                #expect(trend == plainTrend, "effective ratio by day of \(scope) \(days)")
                #expect(trend.points.map(\.value).reduce(0, +) == b.total)
                let g = try withRollup.database.read { db in
                    try ServiceSummary.computeByChild(db, scope: scope, days: days)
                }
                let h = try plain.database.read { db in try ServiceSummary.computeByChild(db, scope: scope, days: days)
                }
                #expect(g.keys == h.keys, "service children of \(scope) \(days)")
                // The `visits#category`, `minutes#category` projections: the same totals and categories.
                let serviceTotals = try withRollup.database.read { db in
                    try ServiceSummary.computeTotalsByChild(db, scope: scope, days: days)
                }
                #expect(
                    figures(serviceTotals) { [$0.total.visits, $0.total.minutes] }
                        == figures(h) { [$0.total.visits, $0.total.minutes] })
                for (child, summary) in serviceTotals {
                    #expect(
                        summary.byCategory.filter { $0.value != .init() }
                            == (h[child]?.byCategory ?? [:]).filter { $0.value != .init() })
                }
                for (child, summary) in g {
                    #expect(summary.total == h[child]?.total && summary.byCategory == h[child]?.byCategory)
                }
                let i = try withRollup.database.read { db in
                    try ReportingHealth.compute(db, scope: scope, days: days, nowMilliseconds: 0)
                }
                let j = try plain.database.read { db in
                    try ReportingHealth.compute(db, scope: scope, days: days, nowMilliseconds: 0)
                }
                #expect(
                    i.children.map(\.code) == j.children.map(\.code) && i.reported == j.reported,
                    "health \(scope) \(days)")
                // The `callbacks#score` projection: rated and satisfied per child and per day.
                let ratings = try plain.database.read { db in
                    try SatisfactionSummary.computeByChild(db, scope: scope, days: days)
                }
                let ratingTotals = try withRollup.database.read { db in
                    try SatisfactionSummary.computeTotalsByChild(db, scope: scope, days: days)
                }
                #expect(
                    figures(ratingTotals) { [$0.rated, $0.satisfied] } == figures(ratings) { [$0.rated, $0.satisfied] })
                let ratingTrend = try withRollup.database.read { db in
                    try DailySeries.compute(db, metric: .satisfaction, scope: scope, days: days)
                }
                let plainRatingTrend = try plain.database.read { db in
                    try DailySeries.compute(db, metric: .satisfaction, scope: scope, days: days)
                }
                #expect(ratingTrend == plainRatingTrend, "satisfaction by day of \(scope) \(days)")
            }
        }
        // Installing the rollup afterwards fills it from the cells: the same rows as the one kept by
        // the triggers once everything pending is folded.
        try plain.database.write { db in try ReportRollup.install(db) }
        while try withRollup.database.write({ db in try ReportRollup.fold(db, limit: 97) }) == 97 {}
        #expect(try withRollup.database.read { db in try ReportRollup.pendingCount(db) } == 0)
        let year = ClosedRange.days("2025-01-01", "2026-12-31")
        let filled = try plain.database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM report_rollup WHERE value != 0 ORDER BY 1, 2, 3, 4, 5, 6")
        }
        let maintained = try withRollup.database.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM report_rollup WHERE value != 0 ORDER BY 1, 2, 3, 4, 5, 6")
        }
        #expect(filled == maintained)
        let originSQL = "SELECT * FROM report_origin_days WHERE cells != 0 ORDER BY 1, 2, 3"
        #expect(
            try plain.database.read { db in try Row.fetchAll(db, sql: originSQL) }
                == (try withRollup.database.read { db in try Row.fetchAll(db, sql: originSQL) }))
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

    /// A store whose rollup has the old layout (version 1: no version recorded, another key) is
    /// rebuilt from the cells by `install`; then it answers what the cells answer, keeps answering
    /// through inserts, updates, key changes and deletes, and a second `install` leaves it alone.
    @Test func anOldRollupIsRebuiltFromTheCells() throws {
        let directory = try TemporaryDirectory()
        let city = try ReportFixtures.store("130100000000", in: directory)
        var cells = try ReportCells(city, rollup: false)
        try cells.calls(3, effective: true, community: "130102001001", day: "2026-01-10")
        try cells.calls(2, effective: false, community: "130103001002", day: "2026-02-03", hour: 14)
        try cells.visits(2, minutes: 90, community: "130102002001", day: "2026-01-31")
        try city.database.write { db in
            // The layout of version 1, filled with a wrong figure: a rebuild must not keep anything of it.
            try db.execute(
                sql: """
                    CREATE TABLE report_rollup (metric TEXT NOT NULL, area TEXT NOT NULL, grain TEXT NOT NULL,
                        period TEXT NOT NULL, dims TEXT NOT NULL, value INTEGER NOT NULL,
                        PRIMARY KEY (metric, area, grain, period, dims)) WITHOUT ROWID;
                    CREATE TABLE report_origin_days (origin INTEGER NOT NULL, grain TEXT NOT NULL, period TEXT NOT NULL,
                        cells INTEGER NOT NULL, PRIMARY KEY (grain, period, origin)) WITHOUT ROWID;
                    INSERT INTO report_rollup VALUES ('calls', '130100000000', 'm', '2026-01', 'x', 999);
                    CREATE TRIGGER report_rollup_insert AFTER INSERT ON crdt_stats BEGIN SELECT 1; END;
                    CREATE TRIGGER report_rollup_update AFTER UPDATE ON crdt_stats BEGIN SELECT 1; END;
                    """)
        }
        #expect(try city.database.read { db in try ReportRollup.installedVersion(db) } == nil)
        let scope = try NodeCode("130100000000")
        try city.database.write { db in try ReportRollup.install(db, scope: scope) }
        #expect(try city.database.read { db in try ReportRollup.installedVersion(db) } == ReportRollup.version)
        #expect(try city.database.read { db in try ReportRollup.topLevel(db) } == .city)
        // A city node keeps no province rows.
        let levels = try city.database.read { db in
            try Int.fetchAll(db, sql: "SELECT DISTINCT level FROM report_rollup ORDER BY 1")
        }
        #expect(levels == [2, 3, 4])

        func expectSameAsCells(_ note: String) throws {
            let plainDirectory = try TemporaryDirectory()
            let plain = try ReportFixtures.store("130100000000", in: plainDirectory)
            try city.database.read { db in
                let rows = try Row.fetchAll(
                    db, sql: "SELECT origin, community, metric, dims, period, value, clock, seq, via FROM crdt_stats")
                try plain.database.write { target in
                    for row in rows {
                        try target.execute(
                            sql:
                                "INSERT INTO crdt_stats(origin, community, metric, dims, period, value, clock, seq, via) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                            arguments: StatementArguments(
                                row.databaseValues.map { $0 as (any DatabaseValueConvertible)? }))
                    }
                }
            }
            for code in ["130000000000", "130100000000", "130102000000", "130102001000", "130103000000"] {
                let area = try NodeCode(code)
                for days in [
                    ClosedRange.days("2026-01-01", "2026-12-31"), .days("2025-11-15", "2027-02-10"),
                    .days("2026-01-10", "2026-02-03"), .days("2026-01-31", "2026-01-31"),
                ] {
                    let a = try city.database.read { db in try CallSummary.compute(db, scope: area, days: days) }
                    let b = try plain.database.read { db in try CallSummary.compute(db, scope: area, days: days) }
                    #expect(a == b, "\(note): calls \(area) \(days)")
                    let c = try city.database.read { db in try CallSummary.computeByChild(db, scope: area, days: days) }
                    let d = try plain.database.read { db in try CallSummary.computeByChild(db, scope: area, days: days)
                    }
                    #expect(c == d, "\(note): children of \(area) \(days)")
                    let e = try city.database.read { db in try ServiceSummary.compute(db, scope: area, days: days) }
                    let f = try plain.database.read { db in try ServiceSummary.compute(db, scope: area, days: days) }
                    #expect(e.total == f.total && e.byProvider == f.byProvider, "\(note): services \(area) \(days)")
                }
            }
        }
        try expectSameAsCells("rebuilt")
        let year = ClosedRange.days("2026-01-01", "2026-12-31")
        #expect(try city.database.read { db in try CallSummary.compute(db, scope: scope, days: year) }.total == 5)

        // Updates of a value (merges), a key change and a delete, all through the new triggers.
        try cells.calls(4, effective: true, community: "130102001001", day: "2026-01-10")
        try cells.calls(1, effective: true, community: "130102001002", day: "2026-03-05")
        try city.database.write { db in
            try db.execute(
                sql:
                    "UPDATE crdt_stats SET period = '2026-04-01', community = '130103001001' WHERE period = '2026-02-03'"
            )
            try db.execute(sql: "DELETE FROM crdt_stats WHERE period = '2026-01-31' AND metric = 'minutes'")
        }
        try expectSameAsCells("after changes")
        let health = try city.database.read { db in
            try ReportingHealth.compute(db, scope: scope, days: .days("2026-02-01", "2026-02-28"), nowMilliseconds: 0)
        }
        // The only February cell moved to April: no district reported for February any more.
        #expect(health.reported == 0 && health.expected == 2)

        // Already current: a second install keeps the rows (a marker row survives: no rebuild); another
        // top level rebuilds (the marker is gone, province rows appear).
        try city.database.write { db in
            try db.execute(sql: "INSERT INTO report_rollup VALUES ('marker', 'm', 2, '130100000000', '2026-01', '', 1)")
        }
        let marker = "SELECT COUNT(*) FROM report_rollup WHERE metric = 'marker'"
        try city.database.write { db in try ReportRollup.install(db, scope: scope) }
        #expect(try city.database.read { db in try Int.fetchOne(db, sql: marker) } == 1)
        // Other projections (a rollup from a build with fewer): rebuilt too.
        try city.database.write { db in
            try db.execute(sql: "DELETE FROM report_rollup_projections WHERE metric = 'callbacks'")
        }
        #expect(try city.database.read { db in try ReportRollup.isCurrent(db, scope: scope) } == false)
        try city.database.write { db in try ReportRollup.install(db, scope: scope) }
        #expect(try city.database.read { db in try Int.fetchOne(db, sql: marker) } == 0)
        #expect(try city.database.read { db in try ReportRollup.isCurrent(db, scope: scope) })
        try expectSameAsCells("rebuilt for its projections")
        try city.database.write { db in
            try db.execute(sql: "INSERT INTO report_rollup VALUES ('marker', 'm', 2, '130100000000', '2026-01', '', 1)")
        }
        try city.database.write { db in try ReportRollup.install(db) }
        #expect(try city.database.read { db in try Int.fetchOne(db, sql: marker) } == 0)
        #expect(try city.database.read { db in try ReportRollup.topLevel(db) } == .province)
        try expectSameAsCells("rebuilt with every level")
    }

    /// A community or street node reads its own communities' cells: its rollup has no levels and no
    /// triggers (recording an event there pays nothing for the rollup), and its figures are those of
    /// the cells. A street rollup of an earlier release is dropped on install.
    @Test(arguments: ["130102001001", "130102001000"])
    func aCommunityOrStreetKeepsNoRollupAndReadsItsCells(_ node: String) throws {
        let directory = try TemporaryDirectory()
        let community = try ReportFixtures.store(node, in: directory)
        let code = try NodeCode(node)
        if code.level == .street {
            // What an earlier release installed at a street: street rows, triggers, origin days.
            try community.database.write { db in try ReportRollup.install(db) }
            var earlier = try ReportCells(community, rollup: false)
            try earlier.calls(4, effective: true, community: "130102001002", day: "2026-01-05")
            #expect(try community.database.read { db in try ReportRollup.pendingCount(db) } > 0)
            #expect(try community.database.read { db in try ReportRollup.isCurrent(db, scope: code) } == false)
        }
        try community.database.write { db in try ReportRollup.install(db, scope: code) }
        var cells = try ReportCells(community, rollup: false)
        try cells.calls(3, effective: true, community: "130102001001", day: "2026-01-10")
        try cells.calls(2, effective: false, community: "130102001001", day: "2026-01-11", hour: 14)
        try cells.visits(2, minutes: 90, community: "130102001001", day: "2026-01-31")
        let earlier: Int64 = code.level == .street ? 4 : 0
        try community.database.read { db in
            #expect(try ReportRollup.topLevel(db) == .community)
            #expect(try !ReportRollup.isMaintained(db))
            #expect(try !db.triggerExists("report_rollup_insert"))
            #expect(try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM report_rollup") == 0)
            #expect(try ReportRollup.pendingCount(db) == 0)
            let calls = try CallSummary.compute(db, scope: code, days: .days("2026-01-01", "2026-01-31"))
            #expect(calls.total == 5 + earlier)
            #expect(calls.effective == 3 + earlier)
            let services = try ServiceSummary.compute(db, scope: code, days: .days("2026-01-01", "2026-01-31"))
            #expect(services.completed == 2)
            #expect(services.total.minutes == 90)
        }
        // Installing again is a no-op, not a rebuild.
        try community.database.write { db in try ReportRollup.install(db, scope: code) }
        #expect(try community.database.read { db in try ReportRollup.topLevel(db) } == .community)
    }

    @Test func theRollupLeavesOutTheItemOfVisitCells() throws {
        let directory = try TemporaryDirectory()
        let city = try ReportFixtures.store("130100000000", in: directory)
        var cells = try ReportCells(city, rollup: true)
        try cells.visits(2, minutes: 90, community: "130102001001", item: "daily_care.bathing")
        try cells.visits(1, minutes: 30, community: "130102001001", item: "daily_care.meals")
        try city.database.write { db in _ = try ReportRollup.fold(db) }
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

@Suite(.timeLimit(.minutes(10))) struct ReportPeriodTests {
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
