public import Replication
public import Reports

/// One satisfaction callback (回访): an elder asked about a visit, how satisfied, and whether they
/// complained. Recorded once at the node that made it; it adds 1 to this node's `callbacks` cell
/// (`SatisfactionStatistics`) in the same transaction. A callback may be about any community.
public struct CallbackRecord: Hashable, Sendable {
    public let id: String
    /// The visit asked about (it may have been recorded at another node).
    public let visitID: String
    /// When the callback was made.
    public let at: OffsetDateTime
    public let score: SatisfactionScore
    /// Whether the elder made a complaint.
    public let complaint: Bool
    /// The community the callback is counted for (a community-level code).
    public let community: NodeCode

    /// A validated callback.
    ///
    /// - Throws: `CallValidationError` naming the first field that is wrong (by its JSON name).
    public init(
        id: String, visitID: String, at: OffsetDateTime, score: SatisfactionScore, complaint: Bool, community: NodeCode
    ) throws(CallValidationError) {
        try CallRecord.checkIdentifier(id, field: "id")
        try CallRecord.checkIdentifier(visitID, field: "visit_id")
        try EventRules.checkCommunity(community)
        self.id = id
        self.visitID = visitID
        self.at = at
        self.score = score
        self.complaint = complaint
        self.community = community
    }

    /// Same as the designated initializer, with `at` as RFC 3339 text.
    public init(
        id: String, visitID: String, at: String, score: SatisfactionScore, complaint: Bool, community: NodeCode
    ) throws(CallValidationError) {
        try self.init(
            id: id, visitID: visitID, at: try EventRules.time(at, field: "at"), score: score, complaint: complaint,
            community: community)
    }

    /// The day the callback is counted in: its date in China Standard Time.
    public var day: CalendarDay { at.chinaDay }

    /// The statistics deltas this callback contributes, with `origin` the node recording it and
    /// `provider` the provider of the visit asked about when that node knows the visit (for the
    /// per-provider satisfaction of the providers report).
    public func statisticDeltas(origin: NodeCode, provider: String? = nil) -> [(key: StatKey, delta: Int64)] {
        [
            (
                StatKey(
                    origin: origin, community: community, metric: SatisfactionStatistics.metric,
                    dims: SatisfactionStatistics.dimensions(
                        score: score.rawValue, complaint: complaint, provider: provider),
                    period: day.description),
                1
            )
        ]
    }
}
