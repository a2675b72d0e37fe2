import Foundation
import GRDB
import Replication
import Reports
import Testing

/// Provider flags and a settlement worked out by hand. The catalog and provider tables belong to
/// another branch; here they are plain tables with the columns that branch defines.
@Suite(.timeLimit(.minutes(10))) struct ProviderReportTests {
    static let quarter = ClosedRange.days("2026-01-01", "2026-03-31")
    static let street = "130102001000"

    static func catalog(_ store: ReplicaStore) throws {
        try store.database.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE service_items (id TEXT PRIMARY KEY, category TEXT, name_zh TEXT, name_en TEXT,
                        unit TEXT, unit_price_fen INTEGER, scope TEXT);
                    INSERT INTO service_items VALUES
                        ('daily_care.bathing', 'daily_care', '助浴', 'Bathing', 'visit', 5000, '130100000000'),
                        ('daily_care.cleaning', 'daily_care', '保洁', 'Cleaning', 'hour', 3000, '130100000000');
                    CREATE TABLE providers (id TEXT PRIMARY KEY, name TEXT, contract_status TEXT, contract_start TEXT,
                        contract_end TEXT, categories TEXT, phone TEXT, scope TEXT);
                    INSERT INTO providers(id, name, contract_status) VALUES ('P1', '康乐家政', 'active');
                    """)
        }
    }

    /// P1: 10 baths (10 × 50.00 yuan = 500.00) and 4 cleanings of 150 minutes in all (2.5 h × 30.00 =
    /// 75.00): settlement 575.00 yuan. 8 of 10 callbacks satisfied: 80% < 90%, score 80 < 85, so the
    /// payable is 57,500 × 80 ÷ 85 = 54,117.6 → 54,118 fen. Complaints: 2 in the quarter and 1 in
    /// November 2025 (within twelve months of 31 March), 1 in January 2025 (outside): 3 → flagged.
    /// P2: 19 of 20 satisfied (95%), no complaint; its "陪聊" item is not in the catalog.
    @Test func flagsAndSettlementByHand() throws {
        let directory = try TemporaryDirectory()
        let store = try ReportFixtures.store(Self.street, in: directory)
        try Self.catalog(store)
        var cells = try ReportCells(store, rollup: true)
        let community = "130102001001"
        try cells.visits(6, minutes: 360, community: community, day: "2026-01-05", item: "daily_care.bathing")
        try cells.visits(4, minutes: 240, community: "130102001002", day: "2026-03-31", item: "助浴")
        try cells.visits(4, minutes: 150, community: community, day: "2026-02-10", item: "daily_care.cleaning")
        // The next quarter's:
        try cells.visits(5, minutes: 300, community: community, day: "2026-04-01", item: "daily_care.bathing")
        try cells.visits(3, minutes: 90, community: community, provider: "P2", item: "陪聊")
        try cells.callbacks(6, score: "satisfied", community: community)
        try cells.callbacks(2, score: "basically_satisfied", community: community)
        try cells.callbacks(2, score: "dissatisfied", complaint: true, community: community, day: "2026-03-01")
        try cells.callbacks(1, score: "dissatisfied", complaint: true, community: community, day: "2025-11-20")
        try cells.callbacks(1, score: "dissatisfied", complaint: true, community: community, day: "2025-01-20")
        try cells.callbacks(19, score: "satisfied", community: community, provider: "P2")
        try cells.callbacks(1, score: "dissatisfied", community: community, provider: "P2")
        let report = try store.database.read { db in
            try ProviderReport.compute(db, scope: try NodeCode(Self.street), days: Self.quarter)
        }
        #expect(report.catalogAvailable)
        #expect(report.providers.map(\.id) == ["P1", "P2"])
        let p1 = report.providers[0]
        #expect(p1.name == "康乐家政")
        #expect(p1.contractStatus == "active")
        #expect(p1.services == ServiceSummary.Tally(visits: 14, minutes: 750))
        #expect(p1.satisfaction.rated == 10)
        #expect(p1.satisfaction.satisfied == 8)
        #expect(p1.complaintsTwelveMonths == 3)
        #expect(p1.score == 80)
        // Lines by (category, item): 6 baths by id, 4 by Chinese name, the cleanings by the hour.
        #expect(p1.lines.map(\.item) == ["daily_care.bathing", "daily_care.cleaning", "助浴"])
        #expect(p1.lines.map(\.amountFen) == [30_000, 7_500, 20_000])
        #expect(p1.settlementFen == 57_500)
        #expect(p1.payableFen == 54_118)
        #expect(p1.unpricedItems.isEmpty)
        #expect(p1.flags == [.lowSatisfaction, .complaints, .lowScore])
        let p2 = report.providers[1]
        #expect(p2.satisfaction.rate.value == 0.95)
        #expect(p2.flags.isEmpty)
        #expect(p2.settlementFen == nil)
        #expect(p2.unpricedItems == ["陪聊"])
    }

    @Test func withoutTheCatalogEveryItemIsUnpriced() throws {
        let directory = try TemporaryDirectory()
        let store = try ReportFixtures.store(Self.street, in: directory)
        var cells = try ReportCells(store, rollup: false)
        try cells.visits(2, minutes: 60, community: "130102001001", item: "daily_care.bathing")
        let report = try store.database.read { db in
            try ProviderReport.compute(db, scope: try NodeCode(Self.street), days: Self.quarter)
        }
        #expect(!report.catalogAvailable)
        #expect(report.providers.count == 1)
        #expect(report.providers[0].settlementFen == nil)
        #expect(report.providers[0].payableFen == nil)
        #expect(report.providers[0].unpricedItems == ["daily_care.bathing"])
        #expect(report.providers[0].score == nil)
        #expect(report.providers[0].name == nil)
    }
}
