/// The hybrid logical clock of one node (Kulkarni et al., 2014): readings never go backwards, stay
/// close to physical time, and move past every remote reading the node has observed.
///
/// A value type: `ReplicaStore` loads it at the start of each write transaction and stores it in
/// the same transaction, so a restart never goes backwards and a rolled-back transaction leaves
/// no trace.
///
///     var clock = HybridClock(last: .zero)
///     let t = clock.tick(now: 1_764_000_000_000)
///     try clock.observe(remote, now: ..., maxForwardSkewMilliseconds: 300_000)
public struct HybridClock: Sendable, Equatable {
    /// The latest reading issued or observed.
    public private(set) var last: HybridTimestamp

    public init(last: HybridTimestamp) { self.last = last }

    /// A new reading for a local write, strictly greater than every earlier one.
    public mutating func tick(now: UInt64) -> HybridTimestamp {
        let physical = max(now, last.physicalMilliseconds)
        if physical == last.physicalMilliseconds {
            if last.logical == UInt16.max {
                last = HybridTimestamp(physicalMilliseconds: physical + 1, logical: 0)
            } else {
                last = HybridTimestamp(physicalMilliseconds: physical, logical: last.logical + 1)
            }
        } else {
            last = HybridTimestamp(physicalMilliseconds: physical, logical: 0)
        }
        return last
    }

    /// Checks a remote reading against the skew bound without changing the clock.
    ///
    /// - Throws: `ReplicationError(.clockSkew)` when `remote` is more than `maxForwardSkewMilliseconds`
    ///   ahead of `now`; `ReplicationError(.malformedClock)` for a zero reading.
    public static func validate(
        _ remote: HybridTimestamp, now: UInt64, maxForwardSkewMilliseconds: UInt64, origin: String
    ) throws(ReplicationError) {
        guard remote.physicalMilliseconds > 0 else {
            throw ReplicationError(
                .malformedClock, "clock \(remote.rawValue) from origin \(origin) has no physical time")
        }
        if remote.physicalMilliseconds > now, remote.physicalMilliseconds - now > maxForwardSkewMilliseconds {
            let ahead = remote.physicalMilliseconds - now
            throw ReplicationError(
                .clockSkew,
                "clock of origin \(origin) is \(ahead) ms ahead of this node (limit \(maxForwardSkewMilliseconds) ms); "
                    + "fix the clock of that node (NTP) and the batch will be accepted")
        }
    }

    /// Moves the clock past a remote reading that passed `validate`.
    public mutating func observe(_ remote: HybridTimestamp) {
        if remote > last { last = remote }
    }
}
