/// An error of the replication core: a code a program can switch on, a message a person can act on,
/// and, where there is one, the underlying cause.
///
///     throw ReplicationError(.clockSkew, "clock of origin 130102001001 is 3600000 ms ahead (limit 300000 ms)")
public struct ReplicationError: Error, CustomStringConvertible, Sendable {
    public enum Code: String, Sendable, CaseIterable {
        /// A node or community code that is not a valid 12-digit administrative code.
        case invalidNodeCode = "invalid_node_code"
        /// A change names a table the schema does not declare.
        case unknownTable = "unknown_table"
        /// A change names a column its table does not declare.
        case unknownColumn = "unknown_column"
        /// A value does not have the declared column type.
        case typeMismatch = "type_mismatch"
        /// A clock that cannot be a hybrid logical clock (zero physical time).
        case malformedClock = "malformed_clock"
        /// A remote clock further ahead of local time than the configured bound.
        case clockSkew = "clock_skew"
        /// A batch with more cells than the configured limit.
        case batchTooLarge = "batch_too_large"
        /// A primary key that is empty or too long.
        case invalidKey = "invalid_key"
        /// A schema declaration that is inconsistent, or differs from the one stored in the database.
        case invalidSchema = "invalid_schema"
        /// A statistics cell outside the grammar (`StatisticGrammar`): unknown metric, non-canonical or
        /// unknown dimensions, a period that is not a calendar day, a value out of range, a subject that
        /// is not a community.
        case invalidStatistic = "invalid_statistic"
        /// A change whose origin lies outside the subtree the sender may speak for.
        case foreignOrigin = "foreign_origin"
        /// A change to a record whose area (scope) before or after the change lies outside the subtree
        /// the sender may write for.
        case notOwner = "not_owner"
        /// A wire frame that cannot be decoded.
        case malformedFrame = "malformed_frame"
        /// The database refused an operation.
        case storage = "storage"
        /// The database reached its size limit (`max_page_count`) or the disk is full; nothing was written.
        case storageFull = "storage_full"
        /// A fault injected by a test.
        case injectedFault = "injected_fault"
    }

    public let code: Code
    public let message: String
    public let cause: (any Error & Sendable)?

    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    public var description: String {
        if let cause { return "\(code.rawValue): \(message) (cause: \(cause))" }
        return "\(code.rawValue): \(message)"
    }
}
