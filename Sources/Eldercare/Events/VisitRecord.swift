public import Replication
public import Reports

/// One service visit (上门服务): an elder, a provider, a category, check-in and check-out. Recorded once
/// at the node that took it; a completed visit moves this node's `visits` and `visit_minutes` cells in
/// the same transaction. A visit may be about any community.
///
///     let visit = try VisitRecord(
///         id: "V-1", elderID: "E-1", providerID: "P-7", category: .dailyCare, item: "助浴",
///         checkIn: "2026-01-05T09:00:00+08:00", checkOut: "2026-01-05T10:30:00+08:00",
///         community: try NodeCode("130102001001"))
public struct VisitRecord: Hashable, Sendable {
    public let id: String
    /// The elder served (the roster id; the elder must be in this node's roster).
    public let elderID: String
    /// The provider that delivered the service (1–64 characters, no `;` or `=`).
    public let providerID: String
    public let category: ServiceCategory
    /// What was done, free text (1–200 characters).
    public let item: String
    public let checkIn: OffsetDateTime
    public let checkOut: OffsetDateTime
    /// The community the visit is counted for (a community-level code).
    public let community: NodeCode
    /// Where, free text or coordinates (up to 200 characters).
    public let location: String?
    /// Photos taken as evidence (0…100).
    public let photoCount: Int64?
    public private(set) var status: VisitStatus

    /// Longest `item` and `location`, in characters.
    public static let maxTextLength = 200
    /// Longest visit: 24 hours.
    public static let maxDurationSeconds: Int64 = 86_400
    /// Most photos of one visit.
    public static let maxPhotoCount: Int64 = 100

    /// A validated visit.
    ///
    /// - Throws: `CallValidationError` naming the first field that is wrong (by its JSON name).
    public init(
        id: String, elderID: String, providerID: String, category: ServiceCategory, item: String,
        checkIn: OffsetDateTime, checkOut: OffsetDateTime, community: NodeCode, location: String? = nil,
        photoCount: Int64? = nil, status: VisitStatus = .completed
    ) throws(CallValidationError) {
        try CallRecord.checkIdentifier(id, field: "id")
        try CallRecord.checkIdentifier(elderID, field: "elder_id")
        try CallRecord.checkIdentifier(providerID, field: "provider_id")
        guard !providerID.contains(";" as Character), !providerID.contains("=" as Character) else {
            throw CallValidationError(field: "provider_id", message: "must not contain ; or =")
        }
        try Self.checkText(item, field: "item")
        if let location { try Self.checkText(location, field: "location") }
        let seconds = checkOut.unixSeconds - checkIn.unixSeconds
        guard seconds >= 0 else {
            throw CallValidationError(field: "check_out", message: "\(checkOut) is before check_in \(checkIn)")
        }
        guard seconds <= Self.maxDurationSeconds else {
            throw CallValidationError(
                field: "check_out", message: "\(checkOut) is more than 24 hours after check_in \(checkIn)")
        }
        try EventRules.checkCommunity(community)
        if let photoCount {
            guard (0...Self.maxPhotoCount).contains(photoCount) else {
                throw CallValidationError(
                    field: "photo_count", message: "\(photoCount) is not in 0…\(Self.maxPhotoCount)")
            }
        }
        self.id = id
        self.elderID = elderID
        self.providerID = providerID
        self.category = category
        self.item = item
        self.checkIn = checkIn
        self.checkOut = checkOut
        self.community = community
        self.location = location
        self.photoCount = photoCount
        self.status = status
    }

    /// Same as the designated initializer, with the times as RFC 3339 text.
    public init(
        id: String, elderID: String, providerID: String, category: ServiceCategory, item: String,
        checkIn: String, checkOut: String, community: NodeCode, location: String? = nil,
        photoCount: Int64? = nil, status: VisitStatus = .completed
    ) throws(CallValidationError) {
        try self.init(
            id: id, elderID: elderID, providerID: providerID, category: category, item: item,
            checkIn: try EventRules.time(checkIn, field: "check_in"),
            checkOut: try EventRules.time(checkOut, field: "check_out"), community: community, location: location,
            photoCount: photoCount, status: status)
    }

    /// The day the visit is counted in: the check-in date in China Standard Time.
    public var day: CalendarDay { checkIn.chinaDay }

    /// The duration in whole minutes, rounded to the nearest (half a minute rounds up).
    public var minutes: Int64 { (checkOut.unixSeconds - checkIn.unixSeconds + 30) / 60 }

    /// This visit with another status (a correction).
    public func with(status: VisitStatus) -> VisitRecord {
        var copy = self
        copy.status = status
        return copy
    }

    /// The statistics deltas this visit contributes, with `origin` the node recording it: the one rule
    /// for visit counting. A completed visit adds 1 to `visits` and its minutes to `visit_minutes`;
    /// a cancelled one adds nothing. Cancelling a completed visit applies the negation of these.
    public func statisticDeltas(origin: NodeCode) -> [(key: StatKey, delta: Int64)] {
        guard status == .completed else { return [] }
        let dims = ServiceStatistics.dimensions(category: category.rawValue, provider: providerID, item: item)
        let period = day.description
        var deltas: [(key: StatKey, delta: Int64)] = [
            (
                StatKey(
                    origin: origin, community: community, metric: ServiceStatistics.visitsMetric, dims: dims,
                    period: period), 1
            )
        ]
        if minutes > 0 {
            deltas.append(
                (
                    StatKey(
                        origin: origin, community: community, metric: ServiceStatistics.minutesMetric, dims: dims,
                        period: period),
                    minutes
                ))
        }
        return deltas
    }

    static func checkText(_ text: String, field: String) throws(CallValidationError) {
        guard !text.isEmpty, text.count <= maxTextLength else {
            throw CallValidationError(field: field, message: "must be 1–\(maxTextLength) characters, got \(text.count)")
        }
    }
}
