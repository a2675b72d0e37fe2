import Logging
import Replication
import Reports
import Synchronization

/// Folds the report rollup's pending changes into it in the background (`ReportRollup.fold`): every
/// `interval`, as many chunks as are pending, each its own short write transaction queued behind the
/// merges and ingests waiting for the database, so they wait for one chunk at most. Reports read what
/// is still pending, so the interval sets how much that extra read holds (one row per cell changed
/// since the last fold), not the freshness of any figure; a longer interval folds each busy cell
/// once for more of its changes.
///
///     let folder = RollupFolder(store: store, logger: logger)
///     await folder.run()        // until requestStop() or cancellation
final class RollupFolder: Sendable {
    /// How often pending changes are folded.
    static let defaultInterval: Duration = .seconds(2)

    private let store: ReplicaStore
    private let interval: Duration
    private let logger: Logger
    private let stopped = Atomic<Bool>(false)
    /// Whether the last fold failed (logged once per failure streak, not every interval).
    private let failing = Atomic<Bool>(false)

    init(store: ReplicaStore, interval: Duration = defaultInterval, logger: Logger) {
        self.store = store
        self.interval = interval
        self.logger = logger
    }

    /// Folds until `requestStop()` or cancellation; what is left pending stays in the database and is
    /// folded after the next start (reports count it meanwhile).
    func run() async {
        while !stopped.load(ordering: .relaxed) && !Task.isCancelled {
            await foldPending()
            do { try await Task.sleep(for: interval) } catch { return }
        }
    }

    func requestStop() { stopped.store(true, ordering: .relaxed) }

    /// Folds every pending change now, chunk by chunk; returns how many were folded.
    @discardableResult
    func foldPending() async -> Int {
        var total = 0
        do {
            while !stopped.load(ordering: .relaxed), try await store.database.read({ db in try ReportRollup.hasPending(db) }) {
                let folded = try await store.database.write { db in try ReportRollup.fold(db) }
                total += folded
                if folded < ReportRollup.foldChunk { break }
                await Task.yield()
            }
            if failing.exchange(false, ordering: .relaxed) { logger.notice("rollup folding works again") }
        } catch {
            if !failing.exchange(true, ordering: .relaxed) {
                logger.warning(
                    "cannot fold the report rollup's pending changes; reports stay exact but get slower until it works: \(error)")
            }
        }
        return total
    }
}
