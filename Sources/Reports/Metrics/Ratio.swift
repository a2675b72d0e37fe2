/// A ratio kept as its two sums, so that it rolls up exactly: the ratio of a scope is
/// Σnumerator ÷ Σdenominator over its parts, never an average of the parts' ratios.
///
///     let city = districts.reduce(Ratio.zero, +)   // 121200 / 303000
///     city.value                                   // 0.4
public struct Ratio: Equatable, Sendable, Codable {
    public var numerator: Int64
    public var denominator: Int64

    public static let zero = Ratio(numerator: 0, denominator: 0)

    public init(numerator: Int64, denominator: Int64) {
        self.numerator = numerator
        self.denominator = denominator
    }

    /// The ratio, or 0 when nothing was counted (a dashboard shows 0, not NaN).
    public var value: Double {
        denominator == 0 ? 0 : Double(numerator) / Double(denominator)
    }

    public static func + (lhs: Ratio, rhs: Ratio) -> Ratio {
        Ratio(numerator: lhs.numerator + rhs.numerator, denominator: lhs.denominator + rhs.denominator)
    }
}
