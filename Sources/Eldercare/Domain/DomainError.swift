/// An error in domain input (a roster record, an event): what was wrong, in words a station worker
/// can act on.
public struct DomainError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case invalidResidentID = "invalid_resident_id"
        case invalidField = "invalid_field"
        case outsideSubtree = "outside_subtree"
        /// No such record in this node's store.
        case notFound = "not_found"
        /// A step above this node's level, or a record outside its area.
        case forbiddenScope = "forbidden_scope"
        /// The record's state does not allow the step (an enrolment step out of order).
        case invalidState = "invalid_state"
        /// The store lost what it had just written.
        case storage = "storage_error"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
