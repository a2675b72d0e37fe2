/// A date in the proleptic Gregorian calendar, written `YYYY-MM-DD`: the period of a statistics cell
/// and the bounds of a report.
///
/// Days are plain civil dates with no time zone; the node decides which zone a moment falls in
/// (China Standard Time, see `CalendarDay.chinaStandardOffsetSeconds`).
///
///     let day = CalendarDay("2026-01-05")!
///     day.description                                   // "2026-01-05"
///     CalendarDay(unixSeconds: 1_767_576_600, utcOffsetSeconds: 28_800)  // 2026-01-05 (09:30 in Beijing)
public struct CalendarDay: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// UTC+08:00, the offset of China Standard Time (no daylight saving time).
    public static let chinaStandardOffsetSeconds = 8 * 3_600

    /// A validated date; nil unless `1 ≤ year ≤ 9999`, `1 ≤ month ≤ 12` and the day exists in that month.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9_999).contains(year), (1...12).contains(month),
            (1...Self.daysInMonth(year: year, month: month)).contains(day)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses exactly `YYYY-MM-DD` (four, two and two ASCII digits); nil for anything else or a date
    /// that does not exist (`2026-02-29`).
    public init?(_ text: some StringProtocol) {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            let year = Self.digits(bytes[0..<4]), let month = Self.digits(bytes[5..<7]),
            let day = Self.digits(bytes[8..<10])
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// Day numbers (since 1970-01-01) of 0001-01-01 and 9999-12-31, the first and last day a
    /// `CalendarDay` can be.
    static let dayNumbers = -719_162...2_932_896

    /// The day with this number of days since 1970-01-01 (negative before), nil outside years
    /// 1…9999: what to call with a number derived from input.
    ///
    ///     CalendarDay(exactlyDaysSinceEpoch: 0)            // 1970-01-01
    ///     CalendarDay(exactlyDaysSinceEpoch: 3_000_000)    // nil (year 10183)
    public init?(exactlyDaysSinceEpoch daysSinceEpoch: Int) {
        guard Self.dayNumbers.contains(daysSinceEpoch) else { return nil }
        // Howard Hinnant's civil_from_days (no overflow: the day number is bounded above).
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        self.day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        self.month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        self.year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    }

    /// The day with this number of days since 1970-01-01 (negative before), for day arithmetic on
    /// days already checked (a report's days lie in `CalendarDay.reportable`, so a year either side
    /// of them is still a date). A number from input goes to `init?(exactlyDaysSinceEpoch:)`.
    ///
    /// - Precondition: the result lies in years 1…9999.
    public init(daysSinceEpoch: Int) {
        guard let day = Self(exactlyDaysSinceEpoch: daysSinceEpoch) else {
            preconditionFailure("day \(daysSinceEpoch) since 1970-01-01 is outside years 1…9999")
        }
        self = day
    }

    /// The civil date at a moment, seen from a zone `utcOffsetSeconds` east of UTC.
    ///
    /// - Precondition: the date lies in years 1…9999 (the node's clock).
    public init(unixSeconds: Int64, utcOffsetSeconds: Int) {
        guard let day = Self(exactlyUnixSeconds: unixSeconds, utcOffsetSeconds: utcOffsetSeconds) else {
            preconditionFailure("\(unixSeconds) s since 1970 is outside years 1…9999")
        }
        self = day
    }

    /// The civil date at a moment, seen from a zone `utcOffsetSeconds` east of UTC; nil outside
    /// years 1…9999.
    public init?(exactlyUnixSeconds unixSeconds: Int64, utcOffsetSeconds: Int) {
        let (local, overflow) = unixSeconds.addingReportingOverflow(Int64(utcOffsetSeconds))
        guard !overflow else { return nil }
        self.init(exactlyDaysSinceEpoch: Int(Self.floorDivide(local, 86_400)))
    }

    /// Days since 1970-01-01 (negative before).
    public var daysSinceEpoch: Int {
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The day `count` days later (earlier if negative).
    ///
    /// - Precondition: the result lies in years 1…9999 (`offset(by:)` answers nil instead).
    public func adding(days count: Int) -> CalendarDay {
        CalendarDay(daysSinceEpoch: daysSinceEpoch + count)
    }

    /// The day `count` days later (earlier if negative), nil outside years 1…9999.
    public func offset(by count: Int) -> CalendarDay? {
        let (number, overflow) = daysSinceEpoch.addingReportingOverflow(count)
        return overflow ? nil : CalendarDay(exactlyDaysSinceEpoch: number)
    }

    /// Today in China Standard Time.
    public static func today(unixSeconds: Int64, utcOffsetSeconds: Int = chinaStandardOffsetSeconds) -> CalendarDay {
        CalendarDay(unixSeconds: unixSeconds, utcOffsetSeconds: utcOffsetSeconds)
    }

    /// `YYYY-MM-DD`.
    public var description: String {
        Self.pad(year, 4) + "-" + Self.pad(month, 2) + "-" + Self.pad(day, 2)
    }

    public static func < (lhs: CalendarDay, rhs: CalendarDay) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// Number of days in a month of the Gregorian calendar.
    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    public static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    /// Division rounding towards negative infinity (so moments before 1970 fall on the right day).
    static func floorDivide(_ value: Int64, _ divisor: Int64) -> Int64 {
        let quotient = value / divisor
        return (value % divisor != 0 && (value < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }

    static func digits(_ bytes: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }
}
