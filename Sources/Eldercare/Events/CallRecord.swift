public import Replication
public import Reports

/// One call to the service (DESIGN.md, "local events"): recorded once at the node that took it, never
/// replicated as a row; it moves this node's `calls` statistics cell in the same transaction.
///
/// A node may record calls about any community: the city hotline takes calls from the whole city, and
/// a station may receive a walk-in from next door. The cell carries this node as its origin.
///
///     let call = try CallRecord(
///         id: "HL-20260105-0001", receivedAt: "2026-01-05T09:30:00+08:00", channel: .hotline,
///         type: .serviceRequest, effective: true, community: try NodeCode("130102001001"))
///     try CallLog.record([call], in: store)
public struct CallRecord: Hashable, Sendable {
    /// Globally unique id chosen by the system that took the call (1–64 characters); recording the
    /// same id again changes nothing.
    public let id: String
    /// When the call was received, RFC 3339 with an offset.
    public let receivedAt: OffsetDateTime
    public let channel: CallChannel
    public let type: CallType
    /// Whether the call led to a service or a useful answer (有效呼叫).
    public let effective: Bool
    /// The community the call is about (a community-level code).
    public let community: NodeCode
    /// The elder the call is about, if known (the roster id).
    public let elderID: String?
    /// What came of it, free text (up to 500 characters).
    public let outcome: String?
    /// Who handled it: a seat number, a staff id (up to 64 characters).
    public let handler: String?
    /// Seconds from receipt to the first response (0…604800).
    public let responseSeconds: Int64?

    /// Longest `id`, `elder_id` and `handler`, in characters.
    public static let maxIDLength = 64
    /// Longest `outcome`, in characters.
    public static let maxOutcomeLength = 500
    /// Largest `response_seconds`: seven days. A larger value is almost always milliseconds.
    public static let maxResponseSeconds: Int64 = 7 * 86_400

    /// A validated call.
    ///
    /// - Throws: `CallValidationError` naming the first field that is wrong (by its JSON name).
    public init(
        id: String, receivedAt: OffsetDateTime, channel: CallChannel, type: CallType, effective: Bool,
        community: NodeCode, elderID: String? = nil, outcome: String? = nil, handler: String? = nil,
        responseSeconds: Int64? = nil
    ) throws(CallValidationError) {
        try Self.checkIdentifier(id, field: "id")
        guard community.level == .community else {
            throw CallValidationError(
                field: "community",
                message:
                    "\(community) is a \(community.level)-level code; a call is about a community-level code"
                    + " (12 significant digits)")
        }
        guard !(type == .invalid && effective) else {
            throw CallValidationError(field: "effective", message: "a call of type invalid cannot be effective")
        }
        if let elderID { try Self.checkIdentifier(elderID, field: "elder_id") }
        if let handler { try Self.checkIdentifier(handler, field: "handler") }
        if let outcome {
            guard !outcome.isEmpty, outcome.count <= Self.maxOutcomeLength else {
                throw CallValidationError(
                    field: "outcome",
                    message: "must be 1–\(Self.maxOutcomeLength) characters, got \(outcome.count)")
            }
        }
        if let responseSeconds {
            guard (0...Self.maxResponseSeconds).contains(responseSeconds) else {
                throw CallValidationError(
                    field: "response_seconds",
                    message:
                        "\(responseSeconds) is not in 0…\(Self.maxResponseSeconds) (seconds; is it in milliseconds?)")
            }
        }
        self.id = id
        self.receivedAt = receivedAt
        self.channel = channel
        self.type = type
        self.effective = effective
        self.community = community
        self.elderID = elderID
        self.outcome = outcome
        self.handler = handler
        self.responseSeconds = responseSeconds
    }

    /// Same as the designated initializer, with `receivedAt` as RFC 3339 text.
    public init(
        id: String, receivedAt: String, channel: CallChannel, type: CallType, effective: Bool, community: NodeCode,
        elderID: String? = nil, outcome: String? = nil, handler: String? = nil, responseSeconds: Int64? = nil
    ) throws(CallValidationError) {
        guard let time = OffsetDateTime(rfc3339: receivedAt) else { throw Self.invalidReceivedAt(receivedAt) }
        try self.init(
            id: id, receivedAt: time, channel: channel, type: type, effective: effective, community: community,
            elderID: elderID, outcome: outcome, handler: handler, responseSeconds: responseSeconds)
    }

    /// The day the call belongs to: the date in China Standard Time.
    public var day: CalendarDay { receivedAt.chinaDay }

    /// The hour of day in China Standard Time (0…23).
    public var hour: Int { receivedAt.chinaHour }

    /// The statistics cell this call adds 1 to, with `origin` the node recording it.
    public func statisticKey(origin: NodeCode) -> StatKey {
        StatKey(
            origin: origin, community: community, metric: CallStatistics.metric,
            dims: CallStatistics.dimensions(
                channel: channel.rawValue, type: type.rawValue, effective: effective, hour: hour),
            period: day.description)
    }

    static func invalidReceivedAt(_ text: String) -> CallValidationError {
        CallValidationError(
            field: "received_at",
            message: "\"\(text)\" is not an RFC 3339 date-time with an offset, e.g. 2026-01-05T09:30:00+08:00")
    }

    static func checkIdentifier(_ text: String, field: String) throws(CallValidationError) {
        guard !text.isEmpty, text.count <= maxIDLength else {
            throw CallValidationError(field: field, message: "must be 1–\(maxIDLength) characters, got \(text.count)")
        }
        guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw CallValidationError(field: field, message: "must not contain control characters")
        }
    }
}
