import Eldercare
import Replication

/// The sending half of a link: reads the local feed from the peer's watermark and keeps a bounded
/// window of unacknowledged batches (go-back-N on a refusal or a reconnect).
///
/// `acknowledged` ≤ `sentThrough` ≤ `position`: the peer committed up to `acknowledged`; frames up to
/// `sentThrough` are on their way; the feed was scanned up to `position` (the range after
/// `sentThrough` held nothing for this peer).
struct OutboundStream {
    var filter: FeedFilter
    /// Reduces personal columns before they leave (towards a parent above the privacy level), or nil.
    var reducer: PrivacyReducer?
    private(set) var acknowledged: UInt64
    private(set) var sentThrough: UInt64
    private(set) var position: UInt64
    private(set) var inFlight: [(id: UInt64, seqTo: UInt64, sentAt: UInt64)] = []
    private var nextBatchID: UInt64 = 1
    private var pausedUntil: UInt64 = 0
    private var backoff: UInt64 = 0
    private var lastFrameAt: UInt64 = 0

    init(filter: FeedFilter, from watermark: UInt64, reducer: PrivacyReducer? = nil) {
        self.filter = filter
        self.reducer = reducer
        acknowledged = watermark
        sentThrough = watermark
        position = watermark
    }

    var inFlightCount: Int { inFlight.count }

    /// The next frame to send, or nil when the window is full, the stream is paused after a refusal,
    /// or nothing new passes the filter.
    ///
    /// - Parameter idleAdvanceMs: how long a scanned-but-empty range may wait before an empty frame
    ///   tells the peer about it (so its durable watermark moves past filtered changes).
    mutating func nextFrame(
        _ store: ReplicaStore, maxCells: Int, maxBytes: Int, maxInFlight: Int, now: UInt64, idleAdvanceMs: UInt64
    ) throws -> (frame: SyncMessage.BatchFrame, cells: Int)? {
        guard now >= pausedUntil, inFlight.count < maxInFlight else { return nil }
        // Halve the page until its encoded payload fits the peer's message limit (a record is never
        // split, so a single record larger than the limit still goes out whole).
        var cellLimit = maxCells
        var page: FeedPage
        var payload: [UInt8]
        repeat {
            page = try store.changes(after: position, maxCells: cellLimit, filter: filter)
            reducer?.reduce(&page.batch)
            payload = try WireCodec.encodeBatch(page.batch)
            if payload.count <= maxBytes || cellLimit == 1 { break }
            cellLimit = max(1, cellLimit / 2)
        } while true
        position = max(position, page.through)
        guard position > sentThrough else { return nil }
        let cells = page.batch.cellCount
        if cells == 0 && now.since(lastFrameAt) < idleAdvanceMs { return nil }
        let frame = SyncMessage.BatchFrame(
            batchID: nextBatchID, seqFrom: sentThrough, seqTo: position, compressed: true, payload: payload,
            cellCount: UInt32(cells))
        nextBatchID += 1
        sentThrough = position
        lastFrameAt = now
        inFlight.append((frame.batchID, frame.seqTo, now))
        return (frame, cells)
    }

    /// Applies an ACK; returns the new acknowledged position, or nil for a stale or unknown batch.
    mutating func acknowledge(batchID: UInt64, seqTo: UInt64) -> UInt64? {
        guard let index = inFlight.firstIndex(where: { $0.id == batchID }) else { return nil }
        // Never beyond what the acknowledged batch covered: a peer acknowledging too far would lose changes.
        let covered = inFlight[index].seqTo
        inFlight.removeFirst(index + 1)
        acknowledged = max(acknowledged, min(seqTo, covered))
        sentThrough = max(sentThrough, acknowledged)
        position = max(position, acknowledged)
        backoff = 0
        return acknowledged
    }

    /// Handles an ERROR for an in-flight batch: rewinds to the last acknowledged position and pauses
    /// (immediately retried for a gap, with growing backoff for refusals). Stale errors are ignored.
    mutating func refused(batchID: UInt64, code: SyncMessage.SyncError.Code, now: UInt64) -> Bool {
        guard inFlight.contains(where: { $0.id == batchID }) else { return false }
        rewind()
        if code != .outOfOrder {
            backoff = min(max(backoff * 2, 500), 30_000)
            pausedUntil = now + backoff
        }
        return true
    }

    /// Rewinds when the oldest batch has waited longer than `timeoutMs` for its ACK (a frame dropped on
    /// a full queue, or lost with a connection). Returns true if it rewound.
    mutating func rewindIfStalled(now: UInt64, timeoutMs: UInt64) -> Bool {
        guard let oldest = inFlight.first, now.since(oldest.sentAt) > timeoutMs else { return false }
        rewind()
        return true
    }

    /// Forgets everything in flight and resends from the last acknowledged position.
    mutating func rewind() {
        inFlight.removeAll()
        sentThrough = acknowledged
        position = acknowledged
    }
}

/// The receiving half of a link: accepts batches in order and merges them.
struct InboundStream {
    let peer: NodeCode
    /// Origins must lie in these subtrees (a child speaks only for itself); nil for a parent.
    var originsWithin: [NodeCode]?
    let peerEpoch: String
    let maxPayloadBytes: Int
    /// Strips what a sender should not have sent above this node's privacy boundary, or nil.
    var privacyGuard: (@Sendable (inout ChangeBatch) -> Int)?
    private(set) var watermark: UInt64

    init(
        peer: NodeCode, originsWithin: [NodeCode]?, peerEpoch: String, watermark: UInt64, maxPayloadBytes: Int,
        privacyGuard: (@Sendable (inout ChangeBatch) -> Int)? = nil
    ) {
        self.privacyGuard = privacyGuard
        self.peer = peer
        self.originsWithin = originsWithin
        self.peerEpoch = peerEpoch
        self.watermark = watermark
        self.maxPayloadBytes = maxPayloadBytes
    }

    enum Result {
        /// Committed: the ACK to send, the cells received, what the merge did and how many personal
        /// cells the privacy guard stripped.
        case acknowledged(SyncMessage.Ack, cells: Int, outcome: MergeOutcome, stripped: Int)
        case refused(SyncMessage.SyncError, cells: Int)
        /// Nothing merged: the batch carries origins outside `originsWithin` and the caller asked to hear
        /// of it first (the trust list may have just changed).
        case foreignOrigins
    }

    /// Merges one batch (durably, with the watermark in the same transaction) and says what to reply.
    ///
    /// Changes the store refuses are left out and counted (`MergeOutcome.refused`, the ACK's `refused`);
    /// the batch is still acknowledged, so a bad change never blocks the link behind it. Only what makes
    /// the whole batch unusable is answered with an ERROR: a gap, a malformed payload, a batch over the
    /// limits, a clock ahead by less than a day (retried), a failed commit.
    ///
    /// - Parameter reportForeignOrigins: return `.foreignOrigins` instead of merging when an origin lies
    ///   outside `originsWithin`, so the caller can reload its trust list and call again.
    mutating func accept(_ frame: SyncMessage.BatchFrame, into store: ReplicaStore, reportForeignOrigins: Bool = false)
        -> Result
    {
        guard frame.seqFrom <= watermark else {
            return .refused(
                .init(
                    code: .outOfOrder,
                    message:
                        "batch \(frame.batchID) starts at \(frame.seqFrom) but this node has \(peer)'s feed only up to \(watermark)",
                    batchID: frame.batchID), cells: Int(frame.cellCount))
        }
        do {
            var batch = try WireCodec.decodeBatch(
                frame.payload, compressed: frame.compressed, maxBytes: maxPayloadBytes)
            if reportForeignOrigins, let originsWithin, batch.hasOrigin(outside: originsWithin) {
                return .foreignOrigins
            }
            let stripped = privacyGuard?(&batch) ?? 0
            let outcome = try store.merge(
                batch, from: peer, originsWithin: originsWithin, through: frame.seqTo, peerEpoch: peerEpoch)
            watermark = max(watermark, frame.seqTo)
            return .acknowledged(
                .init(
                    batchID: frame.batchID, seqTo: watermark, applied: UInt32(clamping: outcome.applied),
                    duplicates: UInt32(clamping: outcome.duplicates), refused: UInt32(clamping: outcome.refused)),
                cells: batch.cellCount, outcome: outcome, stripped: stripped)
        } catch let error as ReplicationError {
            return .refused(
                .init(code: .init(error.code), message: error.message, batchID: frame.batchID),
                cells: Int(frame.cellCount))
        } catch {
            return .refused(
                .init(code: .internal, message: "\(error)", batchID: frame.batchID), cells: Int(frame.cellCount))
        }
    }
}

extension ChangeBatch {
    /// Whether some change's origin lies outside every one of `subtrees`.
    func hasOrigin(outside subtrees: [NodeCode]) -> Bool {
        var checked: Set<NodeCode> = []
        func outside(_ origin: NodeCode) -> Bool {
            checked.insert(origin).inserted && !subtrees.contains { $0.contains(origin) }
        }
        return rows.contains { $0.cells.contains { outside($0.origin) } } || stats.contains { outside($0.key.origin) }
    }
}
