/// A call that cannot be recorded: which field is wrong and why.
///
///     CallValidationError(field: "channel", message: "\"fax\" is not one of hotline, sos_key, help_key, app, walk_in")
public struct CallValidationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The JSON name of the field (`received_at`, `community`, …).
    public let field: String
    /// What is wrong with it, in words a caller can act on.
    public let message: String

    public init(field: String, message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}
