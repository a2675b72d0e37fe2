import Foundation
public import GRDB
public import Replication

/// Derived roster counts kept between reports: the grouped roster of a scope is computed once and
/// reused until the replicated tables change (the head of the change feed `crdt_feed` moves) or the
/// day used for ages changes. A dashboard refreshing every few seconds over a city of 100,000 elders
/// then reads the roster once per roster change instead of once per request.
///
///     let cache = RosterCache()
///     let roster = try cache.summary(db, scope: city, asOf: day)   // computed
///     let again = try cache.summary(db, scope: city, asOf: day)    // reused while the roster is unchanged
public final class RosterCache: @unchecked Sendable {
    struct Key: Hashable {
        var scope: NodeCode
        var asOf: CalendarDay
        var byChild: Bool
    }

    private let lock = NSLock()
    private var entries: [Key: (version: Int64, value: [NodeCode: RosterSummary])] = [:]
    /// Most scopes kept; the oldest entries are dropped beyond it.
    public let capacity: Int
    /// How many times a roster was read from the `elders` table (for tests and benchmarks).
    public private(set) var computations = 0

    public init(capacity: Int = 64) {
        self.capacity = capacity
    }

    /// The roster of `scope` as of `asOf` (see `RosterSummary.compute`).
    public func summary(_ db: Database, scope: NodeCode, asOf: CalendarDay) throws -> RosterSummary {
        try lookup(db, Key(scope: scope, asOf: asOf, byChild: false)) {
            [scope: try RosterSummary.compute(db, scope: scope, asOf: asOf)]
        }[scope] ?? .empty
    }

    /// The roster of each child of `scope` (see `RosterSummary.computeByChild`).
    public func summaryByChild(_ db: Database, scope: NodeCode, asOf: CalendarDay) throws -> [NodeCode: RosterSummary] {
        try lookup(db, Key(scope: scope, asOf: asOf, byChild: true)) {
            try RosterSummary.computeByChild(db, scope: scope, asOf: asOf)
        }
    }

    private func lookup(_ db: Database, _ key: Key, compute: () throws -> [NodeCode: RosterSummary]) throws
        -> [NodeCode: RosterSummary]
    {
        let version = try Self.version(db)
        lock.lock()
        let cached = entries[key]
        lock.unlock()
        if let cached, cached.version == version { return cached.value }
        let value = try compute()
        lock.lock()
        computations += 1
        if entries.count >= capacity, entries[key] == nil, let victim = entries.keys.first { entries[victim] = nil }
        entries[key] = (version, value)
        lock.unlock()
        return value
    }

    /// The head of the change feed of replicated rows (0 when empty).
    static func version(_ db: Database) throws -> Int64 {
        guard try db.tableExists("crdt_feed") else { return 0 }
        return try Int64.fetchOne(db.cachedStatement(sql: "SELECT MAX(seq) FROM crdt_feed")) ?? 0
    }
}
