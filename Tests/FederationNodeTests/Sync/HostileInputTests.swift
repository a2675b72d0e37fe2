import FederationNode
import FederationSync
import Foundation
import GRDB
import Replication
import Testing
import ZeroMQTransport

/// A hand-driven child on a raw DEALER socket, to send what a well-behaved node never would.
final class RawChild {
    let context: ZeroMQContext
    let socket: ZeroMQSocket

    init(endpoint: String, serverKey: String, keys: CurveKeyPair) throws {
        context = try ZeroMQContext()
        socket = try ZeroMQSocket(context: context, type: .dealer)
        try socket.makeCurveClient(serverPublicKey: serverKey, publicKey: keys.publicKey, secretKey: keys.secretKey)
        try socket.connect(endpoint)
    }

    func send(_ message: SyncMessage) throws { try sendRaw(try WireCodec.encode(message)) }

    func sendRaw(_ bytes: [UInt8]) throws { _ = try socket.send([bytes]) }

    /// The next message within `milliseconds`, or nil. Polls without blocking and sleeps between polls,
    /// so a test waiting here leaves the (two-thread, on CI) cooperative pool to the nodes it waits for.
    func receive(within milliseconds: Int = 20_000) async throws -> SyncMessage? {
        let deadline = ContinuousClock.now + .milliseconds(milliseconds)
        while ContinuousClock.now < deadline {
            guard try socket.poll(.readable, timeoutMilliseconds: 0).contains(.readable) else {
                try? await Task.sleep(for: .milliseconds(10))
                continue
            }
            if let message = try socket.receive(dontWait: true) {
                let decoded = try WireCodec.decode(message.frames[0])
                // Heartbeats and batches streamed down are not what these tests wait for.
                if case .heartbeat = decoded { continue }
                if case .batch = decoded { continue }
                return decoded
            }
        }
        return nil
    }

    func hello(_ code: String, version: UInt32 = FederationVersion.protocolVersion) async throws -> SyncMessage? {
        try send(
            .hello(
                .init(
                    nodeCode: code, protocolVersion: version, receivedWatermark: 0, receivedEpoch: "",
                    feedEpoch: "raw-1", software: "raw")))
        return try await receive()
    }

    func batch(_ id: UInt64, from: UInt64, to: UInt64, stats: [StatChange]) async throws -> SyncMessage? {
        let payload = try WireCodec.encodeBatch(ChangeBatch(stats: stats))
        try send(
            .batch(
                .init(
                    batchID: id, seqFrom: from, seqTo: to, compressed: true, payload: payload,
                    cellCount: UInt32(stats.count))))
        return try await receive()
    }

    deinit {
        socket.close()
        context.shutdown()
    }
}

@Suite(.serialized, .timeLimit(.minutes(10))) struct HostileInputTests {
    static let street = "130102001000"
    static let honest = "130102001001"
    static let raw = "130102001002"

    /// Dimensions of a valid call cell (the cell grammar, docs/PROTOCOL.md).
    static let callDims = "channel=hotline;effective=1;hour=09;type=consultation"

    static func cell(
        origin: String, community: String, value: Int64, metric: String = "calls", dims: String = callDims,
        period: String = "2026-01-05"
    ) throws -> StatChange {
        StatChange(
            key: StatKey(
                origin: try NodeCode(origin), community: try NodeCode(community), metric: metric, dims: dims,
                period: period),
            value: value,
            clock: HybridTimestamp(physicalMilliseconds: UInt64(Date().timeIntervalSince1970 * 1000), logical: 0))
    }

    /// Runs `body` with a street, one honest community syncing under it and a trusted raw child; every
    /// node is stopped afterwards, whether `body` returns or throws.
    static func withSetUp<T>(_ body: (TestFederation, RawChild) async throws -> T) async throws -> T {
        try await TestFederation.with { federation in
            let street = try await federation.start(Self.street)
            try await federation.start(Self.honest, under: Self.street)
            let keys = try CurveKeyPair.generate()
            try street.directory.trust(child: try NodeCode(Self.raw), publicKey: keys.publicKey, of: street.code)
            let client = try RawChild(
                endpoint: street.endpoint, serverKey: try street.directory.loadKeyPair().publicKey, keys: keys)
            return try await body(federation, client)
        }
    }

    /// The honest community keeps syncing whatever the raw child did.
    static func honestChildStillSyncs(_ federation: TestFederation, adding value: Int64) async throws {
        let community = try federation.store(Self.honest)
        let street = try federation.store(Self.street)
        let before = try street.total("calls", within: try NodeCode(Self.honest))
        try community.add([
            (
                StatKey(
                    origin: community.node, community: community.node, metric: "calls", dims: callDims,
                    period: "2026-01-06"), value
            )
        ])
        #expect(
            try await federation.eventually {
                try street.total("calls", within: try NodeCode(Self.honest)) == before + value
            })
    }

    @Test func anUntrustedKeyGetsNothingThrough() async throws {
        try await Self.withSetUp { federation, _ in
            let street = try #require(federation.nodes[try NodeCode(Self.street)])
            let stranger = try RawChild(
                endpoint: street.endpoint, serverKey: try street.directory.loadKeyPair().publicKey,
                keys: try CurveKeyPair.generate())
            try stranger.send(
                .hello(
                    .init(
                        nodeCode: Self.raw, protocolVersion: 1, receivedWatermark: 0, receivedEpoch: "", feedEpoch: "x",
                        software: "raw")))
            #expect(try await stranger.receive(within: 2_000) == nil)
            try await Self.honestChildStillSyncs(federation, adding: 1)
        }
    }

    @Test func aForgedOriginIsRefusedLoggedAndCounted() async throws {
        try await Self.withSetUp { federation, client in
            guard case .welcome = try #require(try await client.hello(Self.raw)) else {
                Issue.record("no WELCOME")
                return
            }
            let reply = try await client.batch(
                1, from: 0, to: 1,
                stats: [
                    try Self.cell(origin: Self.honest, community: Self.honest, value: 500),
                    try Self.cell(origin: Self.raw, community: Self.raw, value: 2),
                ])
            // The forged cell is left out and counted; the child's own cell beside it is applied, and the
            // batch is acknowledged so nothing behind it waits.
            guard case .ack(let ack) = try #require(reply) else {
                Issue.record("expected ACK, got \(String(describing: reply))")
                return
            }
            #expect(ack.refused == 1)
            #expect(ack.applied == 1)
            #expect(ack.seqTo == 1)
            let street = try federation.store(Self.street)
            #expect(try street.total("calls", within: try NodeCode(Self.honest)) == 0)
            #expect(try street.total("calls", within: try NodeCode(Self.raw)) == 2)
            #expect(
                try await federation.eventually(timeout: .seconds(5)) {
                    try street.database.read { db in
                        try LinkStatistics.all(db).first { $0.peer == Self.raw }.map {
                            $0.refusedChanges == 1 && $0.refusedByCode["foreign_origin"] == 1 && $0.refusedBatches == 0
                        } ?? false
                    }
                })
            try await Self.honestChildStillSyncs(federation, adding: 2)
        }
    }

    @Test func garbageTruncationWrongVersionAndImpersonationGetErrorsAndTheNodeKeepsServing() async throws {
        try await Self.withSetUp { federation, client in
            try client.sendRaw([0xde, 0xad, 0xbe, 0xef, 0xff])
            guard case .error(let garbage) = try #require(try await client.receive()) else {
                Issue.record("no ERROR for garbage")
                return
            }
            #expect(garbage.code == .malformed)
            let hello = try WireCodec.encode(
                .hello(
                    .init(
                        nodeCode: Self.raw, protocolVersion: 1, receivedWatermark: 0, receivedEpoch: "", feedEpoch: "x",
                        software: "raw")))
            try client.sendRaw(Array(hello.prefix(hello.count - 3)))
            guard case .error(let truncated) = try #require(try await client.receive()) else {
                Issue.record("no ERROR for truncation")
                return
            }
            #expect(truncated.code == .malformed)
            guard case .error(let version) = try #require(try await client.hello(Self.raw, version: 99)) else {
                Issue.record("no ERROR for version")
                return
            }
            #expect(version.code == .unsupportedVersion)
            guard case .error(let impersonation) = try #require(try await client.hello(Self.honest)) else {
                Issue.record("no ERROR for impersonation")
                return
            }
            #expect(impersonation.code == .notTrusted)
            let early = try await client.batch(
                7, from: 0, to: 1, stats: [try Self.cell(origin: Self.raw, community: Self.raw, value: 1)])
            guard case .error(let notWelcomed) = try #require(early) else {
                Issue.record("no ERROR before HELLO")
                return
            }
            #expect(notWelcomed.code == .notWelcomed)
            try await Self.honestChildStillSyncs(federation, adding: 3)
        }
    }

    @Test func replayedAndDuplicatedBatchesHaveNoEffectAndGapsAreRefused() async throws {
        try await Self.withSetUp { federation, client in
            guard case .welcome = try #require(try await client.hello(Self.raw)) else {
                Issue.record("no WELCOME")
                return
            }
            let cell = try Self.cell(origin: Self.raw, community: Self.raw, value: 4)
            guard case .ack(let first) = try #require(try await client.batch(1, from: 0, to: 1, stats: [cell])) else {
                Issue.record("no ACK")
                return
            }
            #expect(first.applied == 1)
            #expect(first.seqTo == 1)
            guard case .ack(let replay) = try #require(try await client.batch(2, from: 0, to: 1, stats: [cell])) else {
                Issue.record("no ACK")
                return
            }
            #expect(replay.applied == 0)
            #expect(replay.duplicates == 1)
            let street = try federation.store(Self.street)
            #expect(try street.total("calls", within: try NodeCode(Self.raw)) == 4)
            let gap = try await client.batch(
                3, from: 5, to: 6, stats: [try Self.cell(origin: Self.raw, community: Self.raw, value: 9)])
            guard case .error(let error) = try #require(gap) else {
                Issue.record("expected ERROR for a gap")
                return
            }
            #expect(error.code == .outOfOrder)
            #expect(try street.total("calls", within: try NodeCode(Self.raw)) == 4)
            // The child's watermark is durable: a new session starts where the street's commit left it.
            guard case .welcome(let again) = try #require(try await client.hello(Self.raw)) else {
                Issue.record("no WELCOME")
                return
            }
            #expect(again.receivedWatermark == 1)
            #expect(again.receivedEpoch == "raw-1")
        }
    }
}
