/// A 12-digit administrative division code naming a node or a community: `PP CC DD TTT VVV`
/// (province, city, county/district, township/street, village/community).
///
/// The level follows from the trailing zero groups, and subtree membership is a prefix test on the
/// significant digits:
///
///     let street = try NodeCode("130102001000")
///     street.level                                  // .street
///     street.contains(try NodeCode("130102001001")) // true
public struct NodeCode: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The administrative level of a code.
    public enum Level: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
        case province = 1
        case city, district, street, community

        public static func < (lhs: Level, rhs: Level) -> Bool { lhs.rawValue < rhs.rawValue }

        /// English name, as used in JSON (`"level":"city"`).
        public var description: String {
            switch self {
            case .province: "province"
            case .city: "city"
            case .district: "district"
            case .street: "street"
            case .community: "community"
            }
        }

        /// Chinese name for dashboards.
        public var chineseName: String {
            switch self {
            case .province: "省"
            case .city: "市"
            case .district: "区县"
            case .street: "街道乡镇"
            case .community: "社区村"
            }
        }

        /// Number of significant leading digits at this level.
        public var significantDigits: Int {
            switch self {
            case .province: 2
            case .city: 4
            case .district: 6
            case .street: 9
            case .community: 12
            }
        }
    }

    /// The 12 digits.
    public let rawValue: String
    /// The level implied by the trailing zero groups.
    public let level: Level

    /// Parses a code; throws `ReplicationError(.invalidNodeCode)` unless it is exactly 12 ASCII digits
    /// with a non-zero province group and zero groups only at the end.
    public init(_ text: String) throws(ReplicationError) {
        let bytes = Array(text.utf8)
        guard bytes.count == 12, bytes.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw ReplicationError(.invalidNodeCode, "\"\(text)\" is not a 12-digit administrative division code")
        }
        func isZero(_ range: Range<Int>) -> Bool { bytes[range].allSatisfy { $0 == 0x30 } }
        let groups: [Range<Int>] = [0..<2, 2..<4, 4..<6, 6..<9, 9..<12]
        guard !isZero(groups[0]) else {
            throw ReplicationError(.invalidNodeCode, "\"\(text)\" has a zero province group")
        }
        var significant = 1
        for index in 1..<groups.count where !isZero(groups[index]) {
            significant = index + 1
        }
        // Every group before the last significant one must be non-zero: "130100001000" is malformed.
        for index in 1..<significant where isZero(groups[index]) {
            throw ReplicationError(.invalidNodeCode, "\"\(text)\" has an empty group before a non-empty one")
        }
        self.rawValue = text
        self.level = Level(rawValue: significant)!
    }

    /// The significant prefix: `"1301"` for a city, `"130102001001"` for a community.
    public var prefix: Substring { rawValue.prefix(level.significantDigits) }

    /// True when `other` lies in this code's subtree (a code contains itself).
    public func contains(_ other: NodeCode) -> Bool {
        other.level >= level && other.rawValue.hasPrefix(prefix)
    }

    /// True when `other` is this code or one of its ancestors.
    public func isWithin(_ other: NodeCode) -> Bool { other.contains(self) }

    /// The code of the enclosing level, or nil at the province level.
    public var parent: NodeCode? {
        guard level > .province, let up = Level(rawValue: level.rawValue - 1) else { return nil }
        let kept = rawValue.prefix(up.significantDigits)
        return try? NodeCode(kept + String(repeating: "0", count: 12 - kept.count))
    }

    public var description: String { rawValue }

    public static func < (lhs: NodeCode, rhs: NodeCode) -> Bool { lhs.rawValue < rhs.rawValue }
}
