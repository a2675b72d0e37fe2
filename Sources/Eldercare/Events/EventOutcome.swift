import Replication

/// What recording a batch of local events did (visits, callbacks): the answer of their API.
public struct EventOutcome: Equatable, Sendable {
    /// One item the store refused: its position in the batch and the field at fault.
    public struct Rejection: Equatable, Sendable {
        public var index: Int
        public var error: CallValidationError

        public init(index: Int, error: CallValidationError) {
            self.index = index
            self.error = error
        }
    }

    /// Items that changed the store (new events, and corrections such as a cancellation).
    public var accepted: Int
    /// Items already recorded exactly so: nothing changed.
    public var duplicates: Int
    /// Items refused by the store's rules (an unknown elder, a conflicting re-use of an id).
    public var rejected: [Rejection]

    public init(accepted: Int = 0, duplicates: Int = 0, rejected: [Rejection] = []) {
        self.accepted = accepted
        self.duplicates = duplicates
        self.rejected = rejected
    }
}

/// What recording one event did.
enum EventEffect: Equatable {
    /// The store changed: a new event, or a correction.
    case recorded
    /// Already recorded so: nothing changed.
    case duplicate
    /// Refused by the store's rules: nothing changed.
    case refused(CallValidationError)
}

/// Field checks shared by the local events.
package enum EventRules {
    /// Checks that `code` names a community (events are counted per community).
    static func checkCommunity(_ code: NodeCode, field: String = "community") throws(CallValidationError) {
        guard code.level == .community else {
            throw CallValidationError(
                field: field,
                message: "\(code) is a \(code.level)-level code; an event is about a community-level code"
                    + " (12 significant digits)")
        }
    }

    /// An RFC 3339 time or the error naming `field`.
    package static func time(_ text: String, field: String) throws(CallValidationError) -> OffsetDateTime {
        guard let time = OffsetDateTime(rfc3339: text) else {
            throw CallValidationError(
                field: field,
                message: "\"\(text)\" is not an RFC 3339 date-time with an offset, e.g. 2026-01-05T09:30:00+08:00")
        }
        return time
    }
}
