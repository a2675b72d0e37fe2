public import Replication

extension NodeCode {
    /// The level just below this one, nil for a community.
    public var childLevel: NodeCode.Level? { NodeCode.Level(rawValue: level.rawValue + 1) }

    /// The code at `level` that contains `code` (its ancestor or itself), nil if `code` is above `level`.
    ///
    ///     NodeCode.ancestor(of: try NodeCode("130102001001"), at: .district)   // 130102000000
    public static func ancestor(of code: NodeCode, at level: NodeCode.Level) -> NodeCode? {
        guard code.level >= level else { return nil }
        return ancestor(ofDigits: code.rawValue, at: level)
    }

    /// The code at `level` whose prefix begins `digits` (12 digits), nil if that is not a valid code.
    static func ancestor(ofDigits digits: String, at level: NodeCode.Level) -> NodeCode? {
        let kept = digits.prefix(level.significantDigits)
        guard kept.count == level.significantDigits else { return nil }
        return try? NodeCode(kept + String(repeating: "0", count: 12 - kept.count))
    }
}
