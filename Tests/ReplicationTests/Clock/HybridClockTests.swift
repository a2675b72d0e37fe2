import Replication
import Testing

@Suite(.timeLimit(.minutes(10))) struct HybridClockTests {
    @Test func ticksAreStrictlyIncreasingEvenWhenWallClockStallsOrGoesBack() {
        var clock = HybridClock(last: .zero)
        var previous = HybridTimestamp.zero
        for now: UInt64 in [1000, 1000, 1000, 999, 500, 1001, 1001] {
            let reading = clock.tick(now: now)
            #expect(reading > previous)
            previous = reading
        }
        #expect(previous.physicalMilliseconds == 1001)
    }

    @Test func logicalCounterOverflowCarriesIntoPhysicalTime() {
        var clock = HybridClock(last: HybridTimestamp(physicalMilliseconds: 7, logical: .max))
        let reading = clock.tick(now: 7)
        #expect(reading == HybridTimestamp(physicalMilliseconds: 8, logical: 0))
    }

    @Test func observingARemoteReadingMovesPastIt() {
        var clock = HybridClock(last: HybridTimestamp(physicalMilliseconds: 10, logical: 0))
        clock.observe(HybridTimestamp(physicalMilliseconds: 50, logical: 3))
        #expect(clock.tick(now: 20) == HybridTimestamp(physicalMilliseconds: 50, logical: 4))
    }

    @Test func aClockBeyondTheSkewBoundIsRefusedNotClamped() {
        let now: UInt64 = 1_000_000
        let hourAhead = HybridTimestamp(physicalMilliseconds: now + 3_600_000, logical: 0)
        #expect {
            try HybridClock.validate(hourAhead, now: now, maxForwardSkewMilliseconds: 300_000, origin: "130102001001")
        } throws: { error in
            (error as? ReplicationError)?.code == .clockSkew
        }
        #expect(throws: Never.self) {
            try HybridClock.validate(
                HybridTimestamp(physicalMilliseconds: now + 299_000, logical: 0), now: now,
                maxForwardSkewMilliseconds: 300_000, origin: "x")
        }
    }

    @Test func aZeroClockIsMalformed() {
        #expect {
            try HybridClock.validate(.zero, now: 1, maxForwardSkewMilliseconds: 1, origin: "x")
        } throws: { error in
            (error as? ReplicationError)?.code == .malformedClock
        }
    }

    @Test func aRestartNeverGoesBackwards() throws {
        let directory = try TemporaryDirectory()
        let clock = ManualClock()
        var last: HybridTimestamp
        do {
            let store = try Fixtures.store(directory, Fixtures.community, clock: clock)
            try store.write([RecordWrite(table: "elders", key: "E1", ["status": "active"])])
            last = try store.lastClock()
        }
        clock.set(clock.now - 60_000)  // the machine comes back with its clock a minute behind
        let reopened = try Fixtures.store(directory, Fixtures.community, clock: clock)
        #expect(try reopened.lastClock() == last)
        try reopened.write([RecordWrite(table: "elders", key: "E1", ["status": "suspended"])])
        #expect(try reopened.lastClock() > last)
        #expect(try reopened.record("elders", key: "E1")?["status"] == "suspended")
    }
}
