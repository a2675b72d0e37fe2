public import Replication

/// The statistics-cell changes of one batch of events, summed per cell before they touch SQLite: a
/// batch of 1,000 calls that falls into 40 cells writes 40 upserts (and fires the report rollup's
/// triggers 40 times), not 1,000. The cells end exactly where per-event writes would leave them; a cell
/// whose deltas cancel out (a visit recorded and cancelled in the same batch) is still written, with 0,
/// as the per-event writes would have created it.
///
///     var deltas = StatisticDeltas()
///     deltas.add(1, to: call.statisticKey(origin: tx.node))
///     try deltas.write(to: tx)          // once, at the end of the batch's transaction
public struct StatisticDeltas {
    /// The cells in first-touched order (a stable write order), with their summed deltas.
    private var keys: [StatKey] = []
    private var sums: [StatKey: Int64] = [:]

    public init() {}

    /// Adds `delta` to `key`'s pending change.
    public mutating func add(_ delta: Int64, to key: StatKey) {
        if let sum = sums[key] {
            sums[key] = sum + delta
        } else {
            sums[key] = delta
            keys.append(key)
        }
    }

    /// Adds every `(key, delta)`, negated when `negated` (a correction moving a count back).
    public mutating func add(_ deltas: [(key: StatKey, delta: Int64)], negated: Bool = false) {
        for (key, delta) in deltas { add(negated ? -delta : delta, to: key) }
    }

    /// The number of distinct cells pending.
    public var count: Int { keys.count }

    /// Writes each pending cell once inside `tx`, in the order the cells were first touched, and empties
    /// the accumulator.
    ///
    /// - Throws: what `ReplicaTransaction.add` throws (a foreign origin, a storage error).
    public mutating func write(to tx: ReplicaTransaction) throws {
        for key in keys { try tx.add(sums[key] ?? 0, to: key) }
        keys.removeAll(keepingCapacity: true)
        sums.removeAll(keepingCapacity: true)
    }
}
