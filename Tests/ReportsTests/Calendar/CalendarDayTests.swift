import Foundation
import Reports
import Testing

@Suite(.timeLimit(.minutes(10))) struct CalendarDayTests {
    @Test(arguments: ["2026-01-05", "2024-02-29", "2000-02-29", "1970-01-01", "9999-12-31", "0001-01-01"])
    func validDatesRoundTrip(_ text: String) throws {
        let day = try #require(CalendarDay(text))
        #expect(day.description == text)
        #expect(CalendarDay(daysSinceEpoch: day.daysSinceEpoch) == day)
    }

    @Test(arguments: [
        "", "2026-1-05", "2026-01-5", "2026/01/05", "2026-13-01", "2026-00-10", "2026-01-00", "2026-02-29",
        "1900-02-29", "2026-04-31", "0000-01-01", "2026-01-05T00:00:00Z", " 2026-01-05", "２０２６-01-05", "+026-01-05",
    ])
    func invalidDatesAreRejected(_ text: String) {
        #expect(CalendarDay(text) == nil)
    }

    @Test func dayNumbersAgreeWithFoundationSinceTheGregorianReform() throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(secondsFromGMT: 0))
        var generator = SeededGenerator(seed: 20_260_105)
        // Foundation switches to the Julian calendar before October 1582; CalendarDay stays Gregorian.
        for _ in 0..<2_000 {
            let days = Int.random(in: -100_000...150_000, using: &generator)
            let day = CalendarDay(daysSinceEpoch: days)
            let parts = calendar.dateComponents(
                [.year, .month, .day], from: Date(timeIntervalSince1970: Double(days) * 86_400))
            #expect([day.year, day.month, day.day] == [parts.year, parts.month, parts.day], "day \(days)")
            #expect(day.daysSinceEpoch == days)
        }
    }

    @Test func momentsMapToTheDayOfTheirZone() {
        // 2026-01-04T16:30:00Z is 2026-01-05 00:30 in Beijing.
        let moment: Int64 = 1_767_544_200
        #expect(CalendarDay(unixSeconds: moment, utcOffsetSeconds: 0).description == "2026-01-04")
        #expect(
            CalendarDay(unixSeconds: moment, utcOffsetSeconds: CalendarDay.chinaStandardOffsetSeconds).description
                == "2026-01-05")
        // Before 1970 the day is floored, not truncated towards zero.
        #expect(CalendarDay(unixSeconds: -1, utcOffsetSeconds: 0).description == "1969-12-31")
    }

    @Test func orderIsChronological() throws {
        let a = try #require(CalendarDay("2025-12-31"))
        let b = try #require(CalendarDay("2026-01-01"))
        #expect(a < b)
        #expect(a.adding(days: 1) == b)
        #expect(b.adding(days: -1) == a)
    }
}
