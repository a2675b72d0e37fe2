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
/// A pending change no cell within the statistics bound can make (a cell of 2^62 written past the
/// merge's checks) is skipped by the fold, logged here with the cell it belongs to, and counted in
/// the store (`ReportRollup.skippedCells`, `eldercare_rollup_skipped_cells_total`): the node keeps
/// folding and serving, and no stored value can put it into a crash loop.
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
    /// Pending changes skipped since this folder started (the store keeps the total across restarts).
    private let skipped = Atomic<Int>(0)

    /// Pending changes this folder skipped since it started.
    var skippedChanges: Int { skipped.load(ordering: .relaxed) }

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
            while !stopped.load(ordering: .relaxed),
                try await store.database.read({ db in try ReportRollup.hasPending(db) })
            {
                let outcome = try await store.database.write { db in try ReportRollup.foldCounting(db) }
                total += outcome.folded
                if outcome.skipped > 0 { report(outcome) }
                if outcome.folded < ReportRollup.foldChunk { break }
                await Task.yield()
            }
            if failing.exchange(false, ordering: .relaxed) { logger.notice("rollup folding works again") }
        } catch {
            if !failing.exchange(true, ordering: .relaxed) {
                logger.warning(
                    "cannot fold the report rollup's pending changes; reports stay exact but get slower until it works: \(error)"
                )
            }
        }
        return total
    }

    /// Logs the changes a fold skipped, with the first few of them.
    private func report(_ outcome: FoldOutcome) {
        skipped.add(outcome.skipped, ordering: .relaxed)
        logger.error(
            "the report rollup skipped \(outcome.skipped) stored statistics change(s) no cell within 0…\(StatisticGrammar.maxValue) can make; reports leave them out (docs/REPLICATION.md, \"Arithmetic\")",
            metadata: ["examples": "\(outcome.examples.map(\.description).joined(separator: " | "))"])
    }
}
