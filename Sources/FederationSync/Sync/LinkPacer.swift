/// When one end of a link reads its feed and sends a heartbeat: the same rules at the parent's end
/// (`ChildrenHub`, one pacer a child) and the child's (`ParentLink`), as a value driven by an explicit
/// `now` (monotonic milliseconds), so both ends behave alike and the rules are tested without sockets.
///
/// The feed is read when a local commit moved its head since the last read, when the window of
/// unacknowledged batches had been full and a place freed up, or at least once every heartbeat
/// interval (so filtered changes still move the peer's watermark and a lost wake-up costs one
/// interval, never the link). A heartbeat goes out once every interval.
///
///     var pacer = LinkPacer(intervalMs: 1_000)
///     if pacer.shouldPump(head: head, inFlight: stream.inFlightCount, maxInFlight: 8, now: now) {
///         /* send what the stream gives */
///         pacer.pumped(inFlight: stream.inFlightCount, maxInFlight: 8)
///     }
///     if pacer.heartbeatDue(now: now) { /* send HEARTBEAT */ }
struct LinkPacer: Equatable {
    /// The heartbeat interval (`[sync] heartbeat_interval_ms`).
    let intervalMs: UInt64
    /// The feed head at the last read (`.max` before the first, so the first step reads).
    private(set) var pumpedHead: UInt64 = .max
    private(set) var lastPump: UInt64 = 0
    private(set) var windowWasFull = false
    private(set) var lastHeartbeat: UInt64 = 0

    init(intervalMs: UInt64) {
        self.intervalMs = intervalMs
    }

    /// Whether to read the feed now; if so, records the read (its head and time).
    mutating func shouldPump(head: UInt64, inFlight: Int, maxInFlight: Int, now: UInt64) -> Bool {
        let windowReopened = windowWasFull && inFlight < maxInFlight
        guard head != pumpedHead || windowReopened || now.since(lastPump) >= intervalMs else { return false }
        pumpedHead = head
        lastPump = now
        return true
    }

    /// After a read: whether the window is full now (a later ACK that frees a place triggers a read).
    mutating func pumped(inFlight: Int, maxInFlight: Int) {
        windowWasFull = inFlight >= maxInFlight
    }

    /// Whether a heartbeat is due now; if so, records it as sent.
    mutating func heartbeatDue(now: UInt64) -> Bool {
        guard now.since(lastHeartbeat) >= intervalMs else { return false }
        lastHeartbeat = now
        return true
    }
}
