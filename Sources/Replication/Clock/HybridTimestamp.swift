/// A hybrid logical clock reading: 48 bits of Unix time in milliseconds and a 16-bit logical counter,
/// packed so that comparing the raw values compares the readings.
///
/// Ties between equal readings from different nodes are broken by node code (see `CellVersion`).
public struct HybridTimestamp: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue }

    public init(physicalMilliseconds: UInt64, logical: UInt16) {
        self.rawValue = (physicalMilliseconds << 16) | UInt64(logical)
    }

    /// The zero reading: "never written". Every real write is greater.
    public static let zero = HybridTimestamp(rawValue: 0)

    /// Unix time in milliseconds.
    public var physicalMilliseconds: UInt64 { rawValue >> 16 }

    /// Logical counter within the millisecond.
    public var logical: UInt16 { UInt16(truncatingIfNeeded: rawValue) }

    public static func < (lhs: HybridTimestamp, rhs: HybridTimestamp) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String { "\(physicalMilliseconds).\(logical)" }
}
