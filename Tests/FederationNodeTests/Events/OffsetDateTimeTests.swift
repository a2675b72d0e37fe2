import Eldercare
import FederationNode
import Testing

@Suite(.timeLimit(.minutes(10))) struct OffsetDateTimeTests {
    @Test(arguments: [
        ("2026-01-05T01:30:00Z", "2026-01-05", 9),
        ("2026-01-05T09:30:00+08:00", "2026-01-05", 9),
        ("2026-01-04T16:30:00Z", "2026-01-05", 0),
        ("2026-01-04T15:59:59.999Z", "2026-01-04", 23),
        ("2026-01-05T23:59:59+08:00", "2026-01-05", 23),
        ("2026-01-05T20:00:00-05:00", "2026-01-06", 9),
        ("2026-01-05t12:00:00.5z", "2026-01-05", 20),
        ("2024-02-28T20:30:00+04:30", "2024-02-29", 0),
        ("2026-12-31T16:00:00Z", "2027-01-01", 0),
        ("2016-12-31T23:59:60Z", "2017-01-01", 7),
        ("2026-06-01T00:00:00-00:00", "2026-06-01", 8),
    ])
    func chinaDayAndHour(_ text: String, _ day: String, _ hour: Int) throws {
        let time = try #require(OffsetDateTime(rfc3339: text))
        #expect(time.text == text)
        #expect(time.chinaDay.description == day)
        #expect(time.chinaHour == hour)
    }

    @Test func instantIsTheSameWhateverTheOffset() throws {
        let utc = try #require(OffsetDateTime(rfc3339: "2026-01-05T01:30:00Z"))
        let beijing = try #require(OffsetDateTime(rfc3339: "2026-01-05T09:30:00+08:00"))
        let newYork = try #require(OffsetDateTime(rfc3339: "2026-01-04T20:30:00-05:00"))
        #expect(utc.unixSeconds == 1_767_576_600)
        #expect(beijing.unixSeconds == utc.unixSeconds)
        #expect(newYork.unixSeconds == utc.unixSeconds)
        #expect(beijing.utcOffsetSeconds == 28_800)
    }

    @Test(arguments: [
        "", "2026-01-05", "2026-01-05T09:30:00", "2026-01-05 09:30:00+08:00", "2026-01-05T09:30+08:00",
        "2026-01-05T24:00:00Z", "2026-01-05T09:60:00Z", "2026-02-30T09:00:00Z", "2026-01-05T09:30:00+0800",
        "2026-01-05T09:30:00+24:00", "2026-01-05T09:30:00.Z", "2026-01-05T09:30:00.1234567890Z",
        "2026-01-05T09:30:00ZZ", "2026-01-05T09:30:00+08:00 ", "1969-12-31T23:59:59Z", "9999-12-31T23:59:59Z",
        "0001-01-01T00:00:00+23:59", "2026-01-05T09:30:00UTC",
    ])
    func malformedOrOutOfRangeTextIsRejected(_ text: String) {
        #expect(OffsetDateTime(rfc3339: text) == nil)
    }
}
