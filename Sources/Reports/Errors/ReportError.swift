/// A report that cannot be computed from what the store holds: a sum or a product of stored figures
/// that leaves 64-bit integers. It never comes from figures within the bounds the node enforces when
/// it stores them (docs/REPLICATION.md, "Arithmetic"); the HTTP API answers it with a 500 naming the
/// figure, instead of a node that traps.
///
///     try total.addChecked(count, "calls of 130102000000")   // throws ReportError(.overflow, …)
public struct ReportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, stable for programs to switch on.
    public enum Code: String, Sendable {
        /// A sum or product of stored figures does not fit in a 64-bit integer.
        case overflow
    }

    public let code: Code
    /// Which figure, and what to look at.
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }

    /// The overflow of `figure` (a sum or product of stored values).
    static func overflow(_ figure: String) -> ReportError {
        ReportError(
            .overflow,
            "\(figure) does not fit in a 64-bit integer: a stored figure is far outside what the node records "
                + "(数据溢出); the node's log and docs/REPLICATION.md (\"Arithmetic\") say where to look")
    }
}
