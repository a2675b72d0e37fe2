import Foundation
import GRDB
import Replication
import Reports
import Testing

@Suite(.timeLimit(.minutes(10))) struct CallSummaryTests {
    static let january = CalendarDay("2026-01-01")!...CalendarDay("2026-01-31")!

    func key(
        _ origin: ReplicaStore, _ community: String, _ day: String, channel: String = "hotline",
        type: String = "consultation", effective: Bool = true, hour: Int = 9
    ) throws -> StatKey {
        StatKey(
            origin: origin.node, community: try NodeCode(community), metric: CallStatistics.metric,
            dims: CallStatistics.dimensions(channel: channel, type: type, effective: effective, hour: hour), period: day
        )
    }

    func summary(_ store: ReplicaStore, _ scope: String, _ days: ClosedRange<CalendarDay> = january) throws
        -> CallSummary
    {
        try CallSummary.compute(store.database, scope: try NodeCode(scope), days: days)
    }

    @Test func effectiveRatioIsSumOverSumAcrossCommunities() throws {
        let directory = try TemporaryDirectory()
        let street = try ReportFixtures.store("130102001000", in: directory)
        // Community 001: 1 effective of 1 (100%); community 002: 1 effective of 4 (25%).
        try street.add([
            (try key(street, "130102001001", "2026-01-05"), 1),
            (try key(street, "130102001002", "2026-01-05"), 1),
            (try key(street, "130102001002", "2026-01-06", effective: false), 3),
        ])
        let calls = try summary(street, "130102001000")
        #expect(calls.total == 5)
        #expect(calls.effective == 2)
        #expect(calls.effectiveRatio == Ratio(numerator: 2, denominator: 5))
        #expect(calls.effectiveRatio.value == 0.4)  // not (1.0 + 0.25) / 2
        #expect(try summary(street, "130102001001").effectiveRatio.value == 1)
        #expect(try summary(street, "130102001002").effectiveRatio.value == 0.25)
    }

    @Test func scopeIncludesExactlyItsSubtree() throws {
        let directory = try TemporaryDirectory()
        let city = try ReportFixtures.store("130100000000", in: directory)
        let communities = [
            "130102001001": 1, "130102001002": 2, "130102001999": 4,  // street 130102001
            "130102002001": 8,  // street 130102002, same district
            "130103001001": 16,  // another district
            "130201001001": 32,  // another city
            "130102010001": 64,  // street 130102010: its code starts "13010201", not "130102001"
        ]
        try city.add(try communities.map { (try key(city, $0.key, "2026-01-10"), Int64($0.value)) })
        #expect(try summary(city, "130102001000").total == 7)
        #expect(try summary(city, "130102001002").total == 2)
        #expect(try summary(city, "130102000000").total == 79)
        #expect(try summary(city, "130100000000").total == 95)
        #expect(try summary(city, "130000000000").total == 127)
        #expect(try summary(city, "130102010000").total == 64)
        #expect(try summary(city, "130104000000").total == 0)
    }

    @Test func daysAreAnInclusiveRange() throws {
        let directory = try TemporaryDirectory()
        let store = try ReportFixtures.store("130102001001", in: directory)
        for (offset, day) in ["2025-12-31", "2026-01-01", "2026-01-15", "2026-01-31", "2026-02-01"].enumerated() {
            try store.add([(try key(store, "130102001001", day), Int64(1 << offset))])
        }
        #expect(try summary(store, "130102001001").total == 2 + 4 + 8)
        let one = CalendarDay("2026-01-15")!
        #expect(try summary(store, "130102001001", one...one).total == 4)
    }

    @Test func breakdownsFollowTheDimensions() throws {
        let directory = try TemporaryDirectory()
        let store = try ReportFixtures.store("130102001001", in: directory)
        try store.add([
            (try key(store, "130102001001", "2026-01-05", channel: "hotline", type: "emergency", hour: 0), 2),
            (try key(store, "130102001001", "2026-01-05", channel: "sos_key", type: "emergency", hour: 9), 3),
            (
                try key(
                    store, "130102001001", "2026-01-06", channel: "walk_in", type: "invalid", effective: false, hour: 23
                ), 5
            ),
            // Other metrics in the same table are not calls.
            (StatKey(origin: store.node, community: store.node, metric: "visits", dims: "", period: "2026-01-05"), 100),
        ])
        let calls = try summary(store, "130102001001")
        #expect(calls.total == 10)
        #expect(calls.effective == 5)
        #expect(calls.byChannel == ["hotline": 2, "sos_key": 3, "walk_in": 5])
        #expect(calls.byType == ["emergency": 5, "invalid": 5])
        var hours = [Int64](repeating: 0, count: 24)
        hours[0] = 2
        hours[9] = 3
        hours[23] = 5
        #expect(calls.byHour == hours)
    }

    @Test func aCellReachingAParentTwiceOrByTwoPathsCountsOnce() throws {
        let directory = try TemporaryDirectory()
        let community = try ReportFixtures.store("130102001001", in: directory)
        let city = try ReportFixtures.store("130100000000", in: directory)
        let street = try ReportFixtures.store("130102001000", in: directory)
        let district = try ReportFixtures.store("130102000000", in: directory)
        try community.add([(try key(community, "130102001001", "2026-01-05"), 3)])
        try city.add([(try key(city, "130102001001", "2026-01-05", channel: "hotline", effective: false), 2)])
        // The community's cell reaches the district directly, again via the street, and twice more.
        let communityFeed = try community.changes(after: 0).batch
        try street.merge(communityFeed, from: community.node)
        try district.merge(communityFeed, from: community.node)
        try district.merge(try street.changes(after: 0).batch, from: street.node)
        try district.merge(communityFeed, from: community.node)
        // The city's own cell about the community comes down too.
        try district.merge(try city.changes(after: 0).batch, from: city.node)
        let calls = try summary(district, "130102001001")
        #expect(calls.total == 5)
        #expect(calls.effective == 3)
        #expect(calls.effectiveRatio == Ratio(numerator: 3, denominator: 5))
    }

    @Test func malformedDimensionsStillCountInTotals() throws {
        let directory = try TemporaryDirectory()
        let store = try ReportFixtures.store("130102001001", in: directory)
        try store.add([
            (
                StatKey(
                    origin: store.node, community: store.node, metric: "calls", dims: "effective=1;hour=9x",
                    period: "2026-01-05"), 4
            )
        ])
        let calls = try summary(store, "130102001001")
        #expect(calls.total == 4)
        #expect(calls.effective == 4)
        #expect(calls.byHour.reduce(0, +) == 0)
        #expect(calls.byChannel.isEmpty)
    }

    @Test func dimensionStringsParse() {
        #expect(StatDimensions.parse("") == [:])
        #expect(
            StatDimensions.parse("channel=hotline;effective=1;hour=09;type=emergency")
                == ["channel": "hotline", "effective": "1", "hour": "09", "type": "emergency"])
        #expect(StatDimensions.parse("a=b=c;flag") == ["a": "b=c", "flag": ""])
        #expect(
            CallStatistics.dimensions(channel: "app", type: "complaint", effective: false, hour: 7)
                == "channel=app;effective=0;hour=07;type=complaint")
    }
}
