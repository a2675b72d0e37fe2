import Testing

@testable import FederationSync

/// When both ends of a link read their feed and send heartbeats (`LinkPacer`), with a manual clock.
@Suite(.timeLimit(.minutes(1))) struct LinkPacerTests {
    @Test func theFirstStepReadsThenOnlyANewHeadAFreedPlaceOrTheIntervalDoes() {
        var pacer = LinkPacer(intervalMs: 1_000)
        #expect(pacer.shouldPump(head: 0, inFlight: 0, maxInFlight: 2, now: 10_000) == true, "the first step reads")
        pacer.pumped(inFlight: 0, maxInFlight: 2)
        #expect(pacer.shouldPump(head: 0, inFlight: 0, maxInFlight: 2, now: 10_500) == false, "nothing new")
        #expect(pacer.shouldPump(head: 7, inFlight: 0, maxInFlight: 2, now: 10_501) == true, "a commit moved the head")
        pacer.pumped(inFlight: 2, maxInFlight: 2)
        #expect(
            pacer.shouldPump(head: 7, inFlight: 2, maxInFlight: 2, now: 10_600) == false, "the window is still full")
        #expect(pacer.shouldPump(head: 7, inFlight: 1, maxInFlight: 2, now: 10_601) == true, "an ACK freed a place")
        pacer.pumped(inFlight: 1, maxInFlight: 2)
        #expect(
            pacer.shouldPump(head: 7, inFlight: 0, maxInFlight: 2, now: 11_600) == false,
            "not full before: no reopening")
        #expect(
            pacer.shouldPump(head: 7, inFlight: 0, maxInFlight: 2, now: 11_601) == true, "at least once an interval")
    }

    @Test func aHeartbeatGoesOutOnceAnInterval() {
        var pacer = LinkPacer(intervalMs: 250)
        let sent = (0...1_000).filter { pacer.heartbeatDue(now: 5_000 + UInt64($0)) }
        #expect(sent == [0, 250, 500, 750, 1_000])
    }

    @Test func aClockThatGoesBackNeverTrapsAndWaitsForTheInterval() {
        var pacer = LinkPacer(intervalMs: 1_000)
        #expect(pacer.heartbeatDue(now: 50_000) == true)
        #expect(pacer.heartbeatDue(now: 10) == false, "an earlier reading counts as no time passed")
        #expect(pacer.shouldPump(head: 1, inFlight: 0, maxInFlight: 1, now: 50_000) == true)
        #expect(pacer.shouldPump(head: 1, inFlight: 0, maxInFlight: 1, now: 0) == false)
    }
}
