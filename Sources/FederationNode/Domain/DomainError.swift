/// An error in domain input (a roster record, an event): what was wrong, in words a station worker
/// can act on.
public struct DomainError: Error, Sendable, CustomStringConvertible {
    public enum Code: String, Sendable {
        case invalidResidentID = "invalid_resident_id"
        case invalidField = "invalid_field"
        case outsideSubtree = "outside_subtree"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
