/// What a request's token lets it do.
///
/// A viewer reads the dashboard and the report API with personal fields masked; an operator also
/// writes (ingest, roster, imports) and sees resident IDs, phones and names in full.
///
///     if context.role == .operator { /* unmasked */ }
public enum AccessRole: String, Sendable, CaseIterable, Comparable {
    case viewer
    case `operator`

    /// Whether this role includes everything `other` may do.
    public func includes(_ other: AccessRole) -> Bool { self >= other }

    public static func < (lhs: AccessRole, rhs: AccessRole) -> Bool {
        lhs == .viewer && rhs == .operator
    }
}
