public import Replication

/// The half-open range of 12-digit codes that lie in a scope's subtree, for an index range scan:
/// `community >= lower AND community < upper`.
///
/// Every code in the subtree starts with the scope's significant digits, and `:` is the character after
/// `9`, so `prefix…` ≤ code < `prefix:` holds exactly for the codes with that prefix.
public struct SubtreeRange: Sendable, Equatable {
    public let lower: String
    public let upper: String

    public init(_ scope: NodeCode) {
        let prefix = String(scope.prefix)
        lower = prefix
        upper = prefix + ":"
    }
}
