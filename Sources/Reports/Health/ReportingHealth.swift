public import GRDB
public import Replication

/// Reporting health (上报情况), as DHIS2 computes reporting rates: for each child of the scope, when it
/// last synced with this node and how far behind it is, and whether it reported for the period — any
/// statistics cell written by an origin in that child's subtree for a day of the period. The reporting
/// rate is children reported ÷ children expected.
///
/// Expected children are those this node knows below the scope: the codes passed in `expected` (e.g. the
/// trusted children of the data directory), the children in `node_links`, and the origins of stored
/// cells — each taken at the level just below the scope.
///
///     let health = try ReportingHealth.compute(db, scope: city, days: january, nowMilliseconds: now)
///     health.rate.value   // reported ÷ expected
public struct ReportingHealth: Equatable, Sendable {
    public struct Child: Equatable, Sendable {
        public var code: NodeCode
        /// Whether an origin in the child's subtree wrote a cell for a day of the period.
        public var reported: Bool
        /// Unix milliseconds of the last message from the child's link, nil if it is not a direct link.
        public var lastSyncMilliseconds: UInt64?
        /// Seconds from the last message to the time of the report.
        public var lagSeconds: Int64?
        public var connected: Bool?
        /// Changes the child announced that this node has not received yet (its feed head − our
        /// received watermark), nil without a link.
        public var behind: Int64?
    }

    public var children: [Child]

    /// No children.
    public static let empty = ReportingHealth(children: [])

    public init(children: [Child]) {
        self.children = children
    }

    public var expected: Int { children.count }
    public var reported: Int { children.filter(\.reported).count }
    /// 上报率 = reported ÷ expected.
    public var rate: Ratio { Ratio(numerator: Int64(reported), denominator: Int64(expected)) }

    public static func compute(
        _ db: Database, scope: NodeCode, days: ClosedRange<CalendarDay>, nowMilliseconds: UInt64,
        expected: [NodeCode] = []
    ) throws -> ReportingHealth {
        guard let childLevel = scope.childLevel else { return ReportingHealth(children: []) }
        func child(_ code: NodeCode) -> NodeCode? {
            scope.contains(code) && code != scope ? NodeCode.ancestor(of: code, at: childLevel) : nil
        }
        var codes = Set(expected.compactMap(child))
        let linked = try Self.links(db)
        for code in linked.keys { if let child = child(code) { codes.insert(child) } }
        let origins = try Self.originCodes(db, scope: scope)
        var originsByChild: [NodeCode: [Int64]] = [:]
        for (id, code) in origins {
            guard let child = child(code) else { continue }
            codes.insert(child)
            originsByChild[child, default: []].append(id)
        }
        let reporting = try reportingChildren(db, days: days, originsByChild: originsByChild)
        let watermarks = try Self.receivedWatermarks(db)
        let children = codes.sorted().map { code in
            let link = linked[code]
            let lastSeen = link.flatMap { $0.lastSeen > 0 ? $0.lastSeen : nil }
            return Child(
                code: code, reported: reporting.contains(code), lastSyncMilliseconds: lastSeen,
                lagSeconds: lastSeen.map { Int64(nowMilliseconds > $0 ? (nowMilliseconds - $0) / 1_000 : 0) },
                connected: link?.connected,
                behind: link.map { Self.behind(peerHead: $0.peerHead, received: watermarks[code.rawValue] ?? 0) })
        }
        return ReportingHealth(children: children)
    }

    /// The changes a child announced that this node has not received: head − watermark, at least 0,
    /// saturating at Int64.max (link rows of any Int64 cannot make it trap).
    static func behind(peerHead: Int64, received: Int64) -> Int64 {
        let (difference, overflow) = peerHead.subtractingReportingOverflow(received)
        guard !overflow else { return peerHead >= 0 ? .max : 0 }
        return max(0, difference)
    }

    /// An integer column of a stored row, 0 when it holds something else (GRDB's `row[i] as Int64`
    /// traps on a value it cannot convert).
    static func integer(_ value: DatabaseValue) -> Int64 { Int64.fromDatabaseValue(value) ?? 0 }

    struct Link {
        var lastSeen: UInt64
        var connected: Bool
        var peerHead: Int64
    }

    static func links(_ db: Database) throws -> [NodeCode: Link] {
        guard try db.tableExists("node_links") else { return [:] }
        var result: [NodeCode: Link] = [:]
        for row in try Row.fetchAll(
            db, sql: "SELECT peer, last_seen, connected, peer_head FROM node_links WHERE role = 'child'")
        {
            guard let peer = String.fromDatabaseValue(row[0]), let code = try? NodeCode(peer) else { continue }
            result[code] = Link(
                lastSeen: UInt64(max(0, integer(row[1]))), connected: integer(row[2]) != 0, peerHead: integer(row[3]))
        }
        return result
    }

    static func receivedWatermarks(_ db: Database) throws -> [String: Int64] {
        guard try db.tableExists("crdt_watermarks") else { return [:] }
        var result: [String: Int64] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT peer, seq FROM crdt_watermarks WHERE direction = 'received'") {
            if let peer = String.fromDatabaseValue(row[0]) { result[peer] = integer(row[1]) }
        }
        return result
    }

    /// The origins whose code lies in `scope`'s subtree, by id.
    static func originCodes(_ db: Database, scope: NodeCode) throws -> [Int64: NodeCode] {
        let range = SubtreeRange(scope)
        var result: [Int64: NodeCode] = [:]
        let rows = try Row.fetchCursor(
            db.cachedStatement(sql: "SELECT id, code FROM crdt_nodes WHERE code >= ? AND code < ?"),
            arguments: [range.lower, range.upper])
        while let row = try rows.next() {
            if let code = try? NodeCode(row[1] as String) { result[row[0]] = code }
        }
        return result
    }

    /// The children one of whose origins wrote a cell for a day of `days`: from the rollup's monthly
    /// rows for whole months and daily rows for the rest, or from the cells without the rollup.
    ///
    /// With the rollup, each child stops at its first origin that reported: a city whose districts
    /// all report asks one or a few origins each, not every community for every month.
    static func reportingChildren(
        _ db: Database, days: ClosedRange<CalendarDay>, originsByChild: [NodeCode: [Int64]]
    ) throws -> Set<NodeCode> {
        guard try ReportRollup.isMaintained(db) else {
            let ids = Set(
                try Int64.fetchAll(
                    db,
                    sql:
                        "SELECT DISTINCT origin FROM crdt_stats WHERE period >= ? AND period <= ? AND \(ReportRollup.countedCell)",
                    arguments: [days.lowerBound.description, days.upperBound.description]))
            return Set(originsByChild.filter { $0.value.contains(where: ids.contains) }.keys)
        }
        let split = PeriodSplit(days)
        var ranges: [(String, String, String)] = split.loose.map {
            ("d", $0.lowerBound.description, $0.upperBound.description)
        }
        if let first = split.months.first, let last = split.months.last { ranges.append(("m", first, last)) }
        let probe = try db.cachedStatement(
            sql: """
                SELECT 1 FROM report_origin_days
                WHERE grain = ? AND origin = ? AND period >= ? AND period <= ? AND cells > 0 LIMIT 1
                """)
        // Cells not yet folded into report_origin_days, per origin and day (few: see ReportRollup.fold).
        var pending: [Int64: [String: Int64]] = [:]
        let rows = try Row.fetchCursor(
            db.cachedStatement(
                sql: """
                    SELECT origin, period, SUM(cells) FROM report_rollup_pending
                    WHERE cells != 0 AND period >= ? AND period <= ? AND \(ReportRollup.foldableChange) GROUP BY 1, 2
                    """),
            arguments: [days.lowerBound.description, days.upperBound.description])
        while let row = try rows.next() {
            pending[row[0], default: [:]][row[1]] = row[2]
        }
        var result: Set<NodeCode> = []
        for (child, ids) in originsByChild {
            search: for id in ids {
                if let changes = pending[id] {
                    if try reportedWithPending(db, origin: id, days: days, changes: changes) {
                        result.insert(child)
                        break search
                    }
                    continue
                }
                for (grain, lower, upper) in ranges
                where try Int.fetchOne(probe, arguments: [grain, id, lower, upper]) != nil {
                    result.insert(child)
                    break search
                }
            }
        }
        return result
    }

    /// Whether `origin` has a cell on a day of `days`, counting its folded days and its pending
    /// changes (`changes`: Σ cells per day, which may remove the last cell of a day).
    static func reportedWithPending(
        _ db: Database, origin: Int64, days: ClosedRange<CalendarDay>, changes: [String: Int64]
    ) throws -> Bool {
        var cells = changes
        let rows = try Row.fetchCursor(
            db.cachedStatement(
                sql:
                    "SELECT period, cells FROM report_origin_days WHERE grain = 'd' AND origin = ? AND period >= ? AND period <= ?"
            ),
            arguments: [origin, days.lowerBound.description, days.upperBound.description])
        while let row = try rows.next() {
            try cells[row[0], default: 0].addChecked(
                row[1] as Int64, "the cells of origin \(origin) on \(row[0] as String)")
        }
        return cells.values.contains { $0 > 0 }
    }
}
