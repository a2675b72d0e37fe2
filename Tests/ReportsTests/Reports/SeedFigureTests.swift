import Foundation
import GRDB
import Replication
import Reports
import Testing

/// The seeds' headline figures, rebuilt from cells of children of very different sizes, with and
/// without the rollup.
@Suite(.timeLimit(.minutes(10))) struct SeedFigureTests {
    static let year = ClosedRange.days("2026-01-01", "2026-12-31")

    /// Shijiazhuang (seed 000): 303,000 calls, 121,200 effective = 40%. District 02 took 3,000 calls,
    /// 2,400 effective (80%); district 03 took 300,000, 118,800 effective (39.6%). The city's ratio is
    /// 121,200 ÷ 303,000 = 0.4; the average of the districts' ratios, (0.8 + 0.396) ÷ 2 = 0.598, is wrong.
    @Test(arguments: [false, true])
    func effectiveRatioOfTheCityIsSumOverSum(rollup: Bool) throws {
        let directory = try TemporaryDirectory()
        let city = try ReportFixtures.store("130100000000", in: directory)
        var cells = try ReportCells(city, rollup: rollup)
        try cells.calls(2_400, effective: true, community: "130102001001", day: "2026-03-02")
        try cells.calls(600, effective: false, community: "130102001001", day: "2026-03-02")
        // District 03's calls spread over two communities and two months.
        try cells.calls(100_000, effective: true, community: "130103001001", day: "2026-01-15")
        try cells.calls(18_800, effective: true, community: "130103002001", day: "2026-10-31", hour: 10)
        try cells.calls(181_200, effective: false, community: "130103002001", day: "2026-10-31", channel: "sos_key")
        let calls = try city.database.read { db in
            try CallSummary.compute(db, scope: try NodeCode("130100000000"), days: Self.year)
        }
        #expect(calls.total == 303_000)
        #expect(calls.effective == 121_200)
        #expect(calls.effectiveRatio.value == 0.4)
        #expect(calls.byChannel == ["hotline": 121_800, "sos_key": 181_200])
        #expect(calls.byHour[9] == 284_200)
        #expect(calls.byHour[10] == 18_800)
        let children = try city.database.read { db in
            try CallSummary.computeByChild(db, scope: try NodeCode("130100000000"), days: Self.year)
        }
        let small = try #require(children[try NodeCode("130102000000")])
        let large = try #require(children[try NodeCode("130103000000")])
        #expect(small.effectiveRatio.value == 0.8)
        #expect(large.effectiveRatio.value == 0.396)
        #expect(small.effectiveRatio + large.effectiveRatio == calls.effectiveRatio)
        let averageOfRatios = (small.effectiveRatio.value + large.effectiveRatio.value) / 2
        #expect(abs(averageOfRatios - 0.598) < 1e-12)
        #expect(averageOfRatios != calls.effectiveRatio.value)
    }

    /// 99.8% satisfaction (seed 000): 1,000 callbacks, 900 satisfied + 98 basically satisfied, 2
    /// dissatisfied (one with a complaint); a community of 500 all satisfied and one of 500 with the rest.
    @Test(arguments: [false, true])
    func satisfactionRateCountsBasicallySatisfied(rollup: Bool) throws {
        let directory = try TemporaryDirectory()
        let street = try ReportFixtures.store("130102001000", in: directory)
        var cells = try ReportCells(street, rollup: rollup)
        try cells.callbacks(500, score: "satisfied", community: "130102001001")
        try cells.callbacks(400, score: "satisfied", community: "130102001002", provider: "P2")
        try cells.callbacks(98, score: "basically_satisfied", community: "130102001002", provider: "P2")
        try cells.callbacks(1, score: "dissatisfied", community: "130102001002", provider: "P2")
        try cells.callbacks(
            1, score: "dissatisfied", complaint: true, community: "130102001002", day: "2026-02-01", provider: nil)
        let satisfaction = try street.database.read { db in
            try SatisfactionSummary.compute(db, scope: try NodeCode("130102001000"), days: Self.year)
        }
        #expect(satisfaction.rated == 1_000)
        #expect(satisfaction.satisfied == 998)
        #expect(satisfaction.rate.value == 0.998)
        #expect(satisfaction.strictRate.value == 0.9)
        #expect(satisfaction.complaints == 1)
        #expect(satisfaction.byScore == ["satisfied": 900, "basically_satisfied": 98, "dissatisfied": 2])
        #expect(satisfaction.byProvider["P2"]?.rated == 499)
        #expect(satisfaction.byProvider["P1"]?.rate.value == 1)
        let children = try street.database.read { db in
            try SatisfactionSummary.computeByChild(db, scope: try NodeCode("130102001000"), days: Self.year)
        }
        #expect(children[try NodeCode("130102001002")]?.rate == Ratio(numerator: 498, denominator: 500))
        // January only: the complaint of 1 February is outside.
        let january = try street.database.read { db in
            try SatisfactionSummary.compute(
                db, scope: try NodeCode("130102001000"), days: .days("2026-01-01", "2026-01-31"))
        }
        #expect(january.rated == 999)
        #expect(january.complaints == 0)
    }
}
