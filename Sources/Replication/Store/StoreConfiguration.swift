import Foundation

/// Tunables of a `ReplicaStore`; the defaults suit a production node.
public struct StoreConfiguration: Sendable {
    /// How far ahead of this node's clock a remote clock may be before its batch is refused.
    public var maxForwardSkewMilliseconds: UInt64 = 5 * 60 * 1000
    /// The largest batch `merge` accepts, in cells.
    public var maxBatchCells: Int = 250_000
    /// `true`: every commit is fsynced (`synchronous=FULL`), so an acknowledged batch survives a power
    /// cut. `false`: `synchronous=NORMAL`, durable across process crashes only.
    public var fsyncEveryCommit: Bool = true
    /// The largest the database file may grow, in bytes (SQLite `max_page_count`); nil: no limit but
    /// the disk. A write that would pass it fails with `ReplicationError(.storageFull)` and is rolled back.
    public var maxDatabaseBytes: Int64?
    /// Reader connections beside the single writer (WAL): dashboards never block replication.
    public var maximumReaderCount: Int = 4
    /// What a statistics cell may be, for a local write and a merged one alike (the application declares
    /// its metrics; the default checks only the shared rules).
    public var statisticGrammar: StatisticGrammar = .structural
    /// Wall clock in Unix milliseconds; tests substitute their own.
    public var now: @Sendable () -> UInt64 = { UInt64(Date().timeIntervalSince1970 * 1000) }
    /// Test hook: called at named points inside write transactions; throwing aborts the transaction.
    public var faultInjector: (@Sendable (FaultPoint) throws -> Void)?

    public init() {}
}

/// Points inside a write transaction where a test may inject a failure.
public enum FaultPoint: Sendable, Equatable {
    /// After a record was written, with its position in the batch.
    case afterRow(Int)
    /// After every change was written, just before commit.
    case beforeCommit
}
