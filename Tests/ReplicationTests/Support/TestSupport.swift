import Foundation
import Replication
import Synchronization
@_exported import TestSupport

/// A wall clock the test moves by hand (Unix milliseconds).
final class ManualClock: Sendable {
    private let value: Mutex<UInt64>

    init(_ start: UInt64 = 1_767_225_600_000) { value = Mutex(start) }  // 2026-01-01T00:00:00Z

    var now: UInt64 { value.withLock { $0 } }

    func advance(by milliseconds: UInt64) { value.withLock { $0 += milliseconds } }

    func set(_ milliseconds: UInt64) { value.withLock { $0 = milliseconds } }
}

enum Fixtures {
    static let city = try! NodeCode("130100000000")
    static let district = try! NodeCode("130102000000")
    static let street = try! NodeCode("130102001000")
    static let community = try! NodeCode("130102001001")
    static let neighbour = try! NodeCode("130102001002")
    static let otherStreetCommunity = try! NodeCode("130102002001")

    /// A cut-down roster and catalog, enough to exercise every merge rule.
    static let schema = try! ReplicatedSchema([
        TableSchema(
            "elders", primaryKey: "id", scopeColumn: "community",
            columns: [
                ColumnSchema("name", .text, personal: true),
                ColumnSchema("resident_id", .text, personal: true),
                ColumnSchema("phone", .text, personal: true),
                ColumnSchema("address", .text, personal: true),
                ColumnSchema("community", .text),
                ColumnSchema("status", .text),
                ColumnSchema("categories", .text),
                ColumnSchema("tier", .text),
                ColumnSchema("monthly_hours", .integer),
                ColumnSchema("subsidy_yuan", .real),
            ]),
        TableSchema(
            "catalog", primaryKey: "item", scopeColumn: nil,
            columns: [
                ColumnSchema("category", .text),
                ColumnSchema("unit_price", .real),
            ]),
    ])

    static func store(
        _ directory: TemporaryDirectory, _ node: NodeCode, clock: ManualClock = ManualClock(), name: String? = nil,
        configure: (inout StoreConfiguration) -> Void = { _ in }
    ) throws -> ReplicaStore {
        var configuration = StoreConfiguration()
        configuration.fsyncEveryCommit = false
        configuration.now = { clock.now }
        configure(&configuration)
        return try ReplicaStore(
            path: directory.path((name ?? node.rawValue) + ".sqlite"), node: node, schema: schema,
            configuration: configuration)
    }
}

extension ReplicaStore {
    /// Every change of the feed after `after`, page by page.
    func allChanges(after: UInt64 = 0, filter: FeedFilter = .init(), pageCells: Int = 64) throws -> (
        ChangeBatch, UInt64
    ) {
        var position = after
        var batch = ChangeBatch()
        while true {
            let page = try changes(after: position, maxCells: pageCells, filter: filter)
            batch = batch + page.batch
            position = page.through
            if page.isCaughtUp { return (batch, position) }
        }
    }

    /// Anti-entropy: merge the whole feed of `other` into this store.
    @discardableResult
    func pull(from other: ReplicaStore, filter: FeedFilter = .init()) throws -> MergeOutcome {
        let (batch, _) = try other.allChanges(filter: filter)
        return try merge(batch, from: other.node)
    }
}
