import Foundation
import GRDB
import Replication
import Reports
import Testing

/// The roster report over a hand-made `elders` table (the columns of FederationNode's DomainSchema).
@Suite(.timeLimit(.minutes(10))) struct RosterSummaryTests {
    static func roster(_ store: ReplicaStore) throws {
        try store.database.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE elders (id TEXT PRIMARY KEY, community TEXT, birth_date TEXT, categories TEXT,
                        living TEXT, disability TEXT, monthly_hours INTEGER, monthly_subsidy INTEGER, status TEXT);
                    INSERT INTO elders VALUES
                        ('E1', '130102001001', '1956-02-01', 'minimum_living', 'alone', 'none', 30, 100, 'active'),
                        ('E2', '130102001001', '1956-02-02', '', 'empty_nest', 'severe', 3, 0, 'active'),
                        ('E3', '130102001002', '1936-01-31', 'nonagenarian,severe_disability', 'with_family', 'severe', 45, 700, 'active'),
                        ('E4', '130102001002', '1925-06-01', 'three_no', 'alone', 'moderate', 30, 300, 'deceased'),
                        ('E5', '130102002001', '1916-01-01', 'nonagenarian', NULL, NULL, 20, 200, NULL),
                        ('E6', '130102002001', NULL, '', 'alone', 'none', 0, 0, 'applied');
                    CREATE TABLE visits (id TEXT PRIMARY KEY, elder_id TEXT, provider_id TEXT, community TEXT,
                        status TEXT, day TEXT);
                    INSERT INTO visits VALUES
                        ('V1', 'E4', 'P1', '130102001002', 'completed', '2026-02-01'),
                        ('V2', 'E4', 'P1', '130102001002', 'cancelled', '2026-02-02'),
                        ('V3', 'E1', 'P1', '130102001001', 'completed', '2026-02-03'),
                        ('V4', 'E4', 'P2', '130102001002', 'completed', '2026-03-05');
                    """)
        }
    }

    /// On 2026-02-01: E1 turns 70 that day (70–79), E2 is still 69 (60–69), E3 is 90 (90–99), E5 is 110
    /// (100+, status missing counts as active). E4 is deceased and E6 only applied: not counted.
    @Test func compositionAgesAndSubsidy() throws {
        let directory = try TemporaryDirectory()
        let store = try ReportFixtures.store("130102000000", in: directory)
        try Self.roster(store)
        let roster = try store.database.read { db in
            try RosterSummary.compute(db, scope: try NodeCode("130102000000"), asOf: CalendarDay("2026-02-01")!)
        }
        #expect(roster.active == 4)
        #expect(roster.byAgeBand == ["60-69": 1, "70-79": 1, "90-99": 1, "100+": 1])
        #expect(roster.byCategory == ["minimum_living": 1, "nonagenarian": 2, "severe_disability": 1])
        #expect(roster.byLiving == ["alone": 1, "empty_nest": 1, "with_family": 1, "unknown": 1])
        #expect(roster.byDisability == ["none": 1, "severe": 2, "unknown": 1])
        #expect(roster.monthlySubsidyYuan == 1_000)
        #expect(roster.monthlyEntitledHours == 98)
        let children = try store.database.read { db in
            try RosterSummary.computeByChild(db, scope: try NodeCode("130102000000"), asOf: CalendarDay("2026-02-01")!)
        }
        #expect(children[try NodeCode("130102001000")]?.active == 3)
        #expect(children[try NodeCode("130102002000")]?.active == 1)
        // Entitlement use in February: 98 h entitled; 49 h delivered is one half.
        let use = EntitlementUse.ratio(
            deliveredMinutes: 49 * 60, monthlyHours: 98, days: .days("2026-02-01", "2026-02-28"))
        #expect(use == Ratio(numerator: 2_940, denominator: 5_880))
    }

    /// Above the district a birth date travels as its month (docs/PRIVACY.md): the city still bands ages.
    /// On 2026-02-15: born 1956-02 is 70 (the birthday month counts as reached), 1956-03 is still 69,
    /// 1926-01 is 100; a malformed date is unknown.
    @Test func monthOnlyBirthDatesStillHaveAgeBands() throws {
        let directory = try TemporaryDirectory()
        let store = try ReportFixtures.store("130100000000", in: directory)
        try store.database.write { db in
            try db.execute(
                sql: """
                    CREATE TABLE elders (id TEXT PRIMARY KEY, community TEXT, birth_date TEXT, categories TEXT,
                        living TEXT, disability TEXT, monthly_hours INTEGER, monthly_subsidy INTEGER, status TEXT);
                    INSERT INTO elders VALUES
                        ('E1', '130102001001', '1956-02', '', 'alone', 'none', 3, 0, 'active'),
                        ('E2', '130102001001', '1956-03', '', 'alone', 'none', 3, 0, 'active'),
                        ('E3', '130104001001', '1926-01', '', 'alone', 'none', 3, 0, 'active'),
                        ('E4', '130104001001', '1956', '', 'alone', 'none', 3, 0, 'active');
                    """)
        }
        let roster = try store.database.read { db in
            try RosterSummary.compute(db, scope: try NodeCode("130100000000"), asOf: CalendarDay("2026-02-15")!)
        }
        #expect(roster.active == 4)
        #expect(roster.byAgeBand == ["60-69": 1, "70-79": 1, "100+": 1, "unknown": 1])
    }

    @Test func servicesRecordedForADeceasedElder() throws {
        let directory = try TemporaryDirectory()
        let store = try ReportFixtures.store("130102000000", in: directory)
        try Self.roster(store)
        let list = try store.database.read { db in
            try DeceasedServices.list(db, scope: try NodeCode("130102001000"), days: .days("2026-02-01", "2026-02-28"))
        }
        #expect(list.map(\.visitID) == ["V1"])
        #expect(list.first?.elderID == "E4")
        let wider = try store.database.read { db in
            try DeceasedServices.list(db, scope: try NodeCode("130102000000"), days: .days("2026-01-01", "2026-03-31"))
        }
        #expect(wider.map(\.visitID) == ["V1", "V4"])
    }

    @Test func theCacheRecountsOnlyWhenTheRosterChanges() throws {
        let directory = try TemporaryDirectory()
        let store = try ReportFixtures.store("130102000000", in: directory)
        try Self.roster(store)
        let cache = RosterCache()
        let scope = try NodeCode("130102000000")
        let day = CalendarDay("2026-02-01")!
        let first = try store.database.read { db in try cache.summary(db, scope: scope, asOf: day) }
        _ = try store.database.read { db in try cache.summary(db, scope: scope, asOf: day) }
        #expect(cache.computations == 1)
        #expect(first.active == 4)
        // A change to a replicated table moves the feed head: the next read recounts.
        try store.database.write { db in
            try db.execute(sql: "UPDATE elders SET status = 'deceased' WHERE id = 'E1'")
            try db.execute(sql: "INSERT INTO crdt_feed(seq, tbl, rid, via) VALUES (99, 1, 1, 0)")
        }
        let second = try store.database.read { db in try cache.summary(db, scope: scope, asOf: day) }
        #expect(cache.computations == 2)
        #expect(second.active == 3)
    }
}
