import Foundation
import Replication
import Testing

@testable import Eldercare
@testable import FederationNode
@testable import FederationSync

/// The two halves of a link session (`OutboundStream`, `InboundStream`) driven step by step with a
/// manual clock: no sockets and no sleeps, every time an explicit `now` (in the style of swift-nio's
/// state-machine tests). The stores are real; the messages go straight from one half to the other.
@Suite(.timeLimit(.minutes(10))) struct LinkStreamTests {
    static let community = try! NodeCode("130102001001")
    static let street = try! NodeCode("130102001000")
    static let limits = (maxCells: 2, maxBytes: 1 << 20, maxInFlight: 2, idle: UInt64(1_000))

    /// A community store holding `records` elders, each one feed entry.
    static func store(_ directory: URL, _ node: NodeCode, records: Int = 0) throws -> ReplicaStore {
        var configuration = StoreConfiguration()
        configuration.fsyncEveryCommit = false
        let store = try NodeSchema.open(
            path: directory.appendingPathComponent("\(node.rawValue).sqlite").path, node: node,
            configuration: configuration)
        for index in 0..<records {
            try store.write([
                RecordWrite(
                    table: "elders", key: "E\(index)", ["community": .text(community.rawValue), "status": "active"])
            ])
        }
        return store
    }

    static func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("eldercare-link-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    static func next(_ stream: inout OutboundStream, _ store: ReplicaStore, now: UInt64) throws
        -> SyncMessage.BatchFrame?
    {
        try stream.nextFrame(
            store, maxCells: limits.maxCells, maxBytes: limits.maxBytes, maxInFlight: limits.maxInFlight, now: now,
            idleAdvanceMs: limits.idle)?.frame
    }

    @Test func theWindowBoundsWhatIsInFlightAndAnAckOpensIt() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try Self.store(directory, Self.community, records: 5)
        var stream = OutboundStream(filter: FeedFilter(), from: 0)
        let first = try #require(try Self.next(&stream, store, now: 1_000))
        let second = try #require(try Self.next(&stream, store, now: 1_001))
        #expect((first.seqFrom, first.seqTo, second.seqFrom) == (0, first.seqTo, first.seqTo))
        #expect(try Self.next(&stream, store, now: 1_002) == nil, "two batches in flight fill a window of two")
        #expect(stream.inFlightCount == 2)
        // An ACK of the first opens one place; the next batch starts where the second ended.
        #expect(stream.acknowledge(batchID: first.batchID, seqTo: first.seqTo) == first.seqTo)
        let third = try #require(try Self.next(&stream, store, now: 1_003))
        #expect(third.seqFrom == second.seqTo)
        // A cumulative ACK of the third settles the second too.
        #expect(stream.acknowledge(batchID: third.batchID, seqTo: third.seqTo) == third.seqTo)
        #expect(stream.inFlightCount == 0)
        #expect(stream.acknowledge(batchID: second.batchID, seqTo: second.seqTo) == nil, "a stale ACK is ignored")
    }

    @Test func anAckNeverMovesPastWhatItsBatchCovered() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try Self.store(directory, Self.community, records: 3)
        var stream = OutboundStream(filter: FeedFilter(), from: 0)
        let frame = try #require(try Self.next(&stream, store, now: 1))
        #expect(stream.acknowledge(batchID: frame.batchID, seqTo: .max) == frame.seqTo)
        #expect(stream.acknowledged == frame.seqTo)
    }

    @Test func refusalsBackOffDoublingToThirtySecondsAndAGapRetriesAtOnce() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try Self.store(directory, Self.community, records: 2)
        var stream = OutboundStream(filter: FeedFilter(), from: 0)
        var now: UInt64 = 10_000
        for backoff: UInt64 in [500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000] {
            let frame = try #require(try Self.next(&stream, store, now: now))
            #expect(stream.refused(batchID: frame.batchID, code: .internal, now: now) == true)
            #expect(stream.acknowledged == 0 && stream.inFlightCount == 0, "a refusal rewinds to the watermark")
            // Paused until exactly now + backoff: nothing a millisecond before, the same range again at it.
            var early = stream
            #expect(try Self.next(&early, store, now: now + backoff - 1) == nil, "resent before \(backoff) ms")
            now += backoff
            var due = stream
            #expect(try Self.next(&due, store, now: now)?.seqFrom == 0, "not resent after \(backoff) ms")
        }
        // A gap (out_of_order) is retried without a pause, and an ACK resets the backoff.
        var gap = OutboundStream(filter: FeedFilter(), from: 0)
        let frame = try #require(try Self.next(&gap, store, now: 1))
        #expect(gap.refused(batchID: frame.batchID, code: .outOfOrder, now: 1) == true)
        #expect(try Self.next(&gap, store, now: 1) != nil)
        #expect(gap.refused(batchID: 999, code: .internal, now: 1) == false, "an error for an unknown batch is ignored")
    }

    @Test func aBatchWithoutAnAckIsResentAfterTheTimeoutAndNotBefore() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try Self.store(directory, Self.community, records: 1)
        var stream = OutboundStream(filter: FeedFilter(), from: 0)
        let frame = try #require(try Self.next(&stream, store, now: 5_000))
        #expect(stream.rewindIfStalled(now: 5_000 + 3_000, timeoutMs: 3_000) == false)
        #expect(stream.rewindIfStalled(now: 5_000 + 3_001, timeoutMs: 3_000) == true)
        let again = try #require(try Self.next(&stream, store, now: 8_002))
        #expect((again.seqFrom, again.seqTo) == (frame.seqFrom, frame.seqTo))
        #expect(again.batchID != frame.batchID)
    }

    @Test func filteredChangesMoveThePeersWatermarkByAnEmptyFrameOncePerIdleInterval() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try Self.store(directory, Self.street)
        // Changes about another community: nothing of them passes a filter for this child.
        try store.write([RecordWrite(table: "elders", key: "X1", ["community": "130102001002", "status": "active"])])
        var stream = OutboundStream(filter: FeedFilter(subtree: Self.community), from: 0)
        let first = try #require(try Self.next(&stream, store, now: 10_000))
        #expect(first.cellCount == 0 && first.seqTo == 1)
        #expect(stream.acknowledge(batchID: first.batchID, seqTo: 1) == 1)
        try store.write([RecordWrite(table: "elders", key: "X2", ["community": "130102001002", "status": "active"])])
        #expect(try Self.next(&stream, store, now: 10_999) == nil, "an empty frame waits for the idle interval")
        let second = try #require(try Self.next(&stream, store, now: 11_000))
        #expect((second.cellCount, second.seqFrom, second.seqTo) == (0, 1, 2))
    }

    @Test func theReceiverMergesInOrderRefusesAGapAndAcknowledgesAResentBatchAgain() throws {
        let directory = try Self.directory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let child = try Self.store(directory, Self.community, records: 5)
        let parent = try Self.store(directory, Self.street)
        var outbound = OutboundStream(filter: FeedFilter(), from: 0)
        var inbound = InboundStream(
            peer: Self.community, originsWithin: [Self.community], peerEpoch: child.feedEpoch, watermark: 0,
            maxPayloadBytes: Self.limits.maxBytes)
        let first = try #require(try Self.next(&outbound, child, now: 1))
        let second = try #require(try Self.next(&outbound, child, now: 2))
        // The second before the first is a gap: refused as out_of_order, nothing merged.
        guard case .refused(let gap, _) = inbound.accept(second, into: parent) else {
            Issue.record("a batch past the watermark was not refused")
            return
        }
        #expect(gap.code == .outOfOrder)
        #expect(try parent.record("elders", key: "E0") == nil)
        guard case .acknowledged(let ack, _, let outcome, _) = inbound.accept(first, into: parent) else {
            Issue.record("the first batch was not acknowledged")
            return
        }
        #expect(ack.seqTo == first.seqTo && outcome.applied == Int(first.cellCount) && first.cellCount > 0)
        #expect(inbound.watermark == first.seqTo)
        // The same batch again (its ACK was lost): acknowledged again, every cell a duplicate.
        guard case .acknowledged(let again, _, let repeated, _) = inbound.accept(first, into: parent) else {
            Issue.record("a resent batch was not acknowledged")
            return
        }
        #expect(again.seqTo == first.seqTo && repeated.applied == 0 && repeated.duplicates == Int(first.cellCount))
        // The outbound side's rewind after the gap resends from its watermark; everything arrives once.
        #expect(outbound.refused(batchID: second.batchID, code: gap.code, now: 3) == true)
        #expect(outbound.acknowledge(batchID: first.batchID, seqTo: ack.seqTo) == nil, "rewound: nothing in flight")
        while let frame = try Self.next(&outbound, child, now: 4) {
            guard case .acknowledged(let ack, _, _, _) = inbound.accept(frame, into: parent) else {
                Issue.record("a batch in order was not acknowledged")
                return
            }
            _ = outbound.acknowledge(batchID: frame.batchID, seqTo: ack.seqTo)
        }
        #expect(inbound.watermark == (try child.headSequence()))
        for index in 0..<5 { #expect(try parent.record("elders", key: "E\(index)")?["status"] == "active") }
    }
}
