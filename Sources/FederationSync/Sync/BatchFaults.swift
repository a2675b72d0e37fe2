/// The `[faults]` drop and duplicate switches applied to outgoing batches (testing only).
///
/// A dropped batch stays in the sender's window and is sent again when its ACK does not come within
/// the heartbeat timeout; a duplicated batch is merged twice by the receiver, the second time as
/// duplicates, and its second ACK is ignored as stale. Neither may change any figure.
///
///     let faults = BatchFaults(drop: 0.1)
///     for _ in 0..<faults.copies() { send(frame) }   // 0, 1 or 2 times
package struct BatchFaults: Sendable {
    let drop: Double
    let duplicate: Double

    /// - Parameters: the probabilities of `[faults]` in node.toml (`NodeConfig.Faults`), already
    ///   validated; both 0 (every batch sent once) by default.
    package init(drop: Double = 0, duplicate: Double = 0) {
        self.drop = drop
        self.duplicate = duplicate
    }

    var isActive: Bool { drop > 0 || duplicate > 0 }

    /// How many times to send the next batch: 1 when the switches are off.
    func copies() -> Int {
        guard isActive else { return 1 }
        var generator = SystemRandomNumberGenerator()
        return copies(using: &generator)
    }

    /// `copies()` with a given source of randomness (tests use a seeded one).
    func copies(using generator: inout some RandomNumberGenerator) -> Int {
        if drop > 0, Double.random(in: 0..<1, using: &generator) < drop {
            return 0
        }
        if duplicate > 0, Double.random(in: 0..<1, using: &generator) < duplicate {
            return 2
        }
        return 1
    }
}
