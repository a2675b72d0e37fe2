import Replication
import Synchronization
import Testing

/// A merge that fails before commit leaves no partial state: not in the tables, the feed, the
/// statistics, the clock, the sequence or the watermarks.
@Suite(.timeLimit(.minutes(10))) struct CrashSafetyTests {
    struct InjectedFault: Error {}

    @Test(arguments: [FaultPoint.afterRow(0), .afterRow(3), .beforeCommit])
    func anInjectedFaultLeavesNoPartialState(_ point: FaultPoint) throws {
        let directory = try TemporaryDirectory()
        let clock = ManualClock()
        let source = try Fixtures.store(directory, Fixtures.community, clock: clock)
        for index in 0..<6 {
            try source.write([
                RecordWrite(table: "elders", key: "E\(index)", ["name": .text("老人\(index)"), "status": "active"])
            ])
        }
        try source.add([
            (
                StatKey(
                    origin: Fixtures.community, community: Fixtures.community, metric: "calls", period: "2026-01-01"), 4
            )
        ])
        let armed = ManualFault()
        let target = try Fixtures.store(directory, Fixtures.street, clock: clock) { configuration in
            configuration.faultInjector = { reached in
                if armed.isArmed, reached == point { throw InjectedFault() }
            }
        }
        try target.write([RecordWrite(table: "elders", key: "LOCAL", ["status": "active"])])
        let before = try target.canonicalState()
        let head = try target.headSequence()
        let lastClock = try target.lastClock()
        let (batch, through) = try source.allChanges()
        armed.arm()
        #expect(throws: ReplicationError.self) {
            try target.merge(batch, from: Fixtures.community, through: through, peerEpoch: source.feedEpoch)
        }
        #expect(try target.canonicalState() == before)
        #expect(try target.headSequence() == head)
        #expect(try target.lastClock() == lastClock)
        #expect(try target.watermark(peer: Fixtures.community, .received) == nil)
        #expect(try target.changes(after: head).batch.isEmpty)
        // The retry after the fault is cleared applies everything exactly once.
        armed.disarm()
        let outcome = try target.merge(batch, from: Fixtures.community, through: through, peerEpoch: source.feedEpoch)
        #expect(outcome.applied == batch.cellCount)
        #expect(try target.watermark(peer: Fixtures.community, .received)?.seq == through)
        let reference = try Fixtures.store(directory, Fixtures.district, clock: clock)
        try reference.pull(from: source)
        try reference.pull(from: target)
        #expect(try reference.canonicalState() == target.canonicalState())
    }
}

final class ManualFault: Sendable {
    private let flag = Synchronization.Atomic<Bool>(false)
    var isArmed: Bool { flag.load(ordering: .relaxed) }
    func arm() { flag.store(true, ordering: .relaxed) }
    func disarm() { flag.store(false, ordering: .relaxed) }
}
