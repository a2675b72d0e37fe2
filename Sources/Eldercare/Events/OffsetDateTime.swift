public import Reports

/// An RFC 3339 date-time with its UTC offset, e.g. `2026-01-05T09:30:00+08:00` or
/// `2026-01-05T01:30:00.250Z`, kept as written beside the instant it names.
///
///     let t = OffsetDateTime(rfc3339: "2026-01-05T01:30:00Z")!
///     t.chinaDay     // 2026-01-05
///     t.chinaHour    // 9
public struct OffsetDateTime: Hashable, Sendable, CustomStringConvertible {
    /// The text as given.
    public let text: String
    /// The instant in whole seconds since 1970-01-01T00:00:00Z (a fraction is dropped).
    public let unixSeconds: Int64
    /// The offset the text was written in, seconds east of UTC.
    public let utcOffsetSeconds: Int

    /// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; nil for anything else, including a date or
    /// time that does not exist and years outside 1970…9998 (so that the day in any zone is a valid
    /// `CalendarDay`). `T` and `Z` may be lower case; a leap second (`:60`) counts as `:59`.
    public init?(rfc3339 text: String) {
        let b = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= b.count else { return nil }
            var value = 0
            for byte in b[range] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard b.count >= 20, b.count <= 64, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
            b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t"), b[13] == UInt8(ascii: ":"),
            b[16] == UInt8(ascii: ":"),
            let year = number(0..<4), let month = number(5..<7), let dayOfMonth = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
            (1_970...9_998).contains(year), let day = CalendarDay(year: year, month: month, day: dayOfMonth),
            hour <= 23, minute <= 59, second <= 60
        else { return nil }
        var position = 19
        if position < b.count, b[position] == UInt8(ascii: ".") {
            position += 1
            let start = position
            while position < b.count, b[position] >= UInt8(ascii: "0"), b[position] <= UInt8(ascii: "9") {
                position += 1
            }
            guard position > start, position - start <= 9 else { return nil }
        }
        guard position < b.count else { return nil }
        let offset: Int
        switch b[position] {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            guard position + 1 == b.count else { return nil }
            offset = 0
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard position + 6 == b.count, b[position + 3] == UInt8(ascii: ":"),
                let hours = number(position + 1..<position + 3), let minutes = number(position + 4..<position + 6),
                hours <= 23, minutes <= 59
            else { return nil }
            offset = (hours * 3_600 + minutes * 60) * (b[position] == UInt8(ascii: "-") ? -1 : 1)
        default:
            return nil
        }
        let localSeconds = Int64(day.daysSinceEpoch) * 86_400 + Int64(hour * 3_600 + minute * 60 + min(second, 59))
        self.text = text
        self.unixSeconds = localSeconds - Int64(offset)
        self.utcOffsetSeconds = offset
    }

    /// The day in China Standard Time (UTC+08:00), whatever offset the text carries.
    public var chinaDay: CalendarDay {
        CalendarDay(unixSeconds: unixSeconds, utcOffsetSeconds: CalendarDay.chinaStandardOffsetSeconds)
    }

    /// The hour of day (0…23) in China Standard Time.
    public var chinaHour: Int {
        let local = unixSeconds + Int64(CalendarDay.chinaStandardOffsetSeconds)
        let secondOfDay = ((local % 86_400) + 86_400) % 86_400
        return Int(secondOfDay / 3_600)
    }

    public var description: String { text }
}
