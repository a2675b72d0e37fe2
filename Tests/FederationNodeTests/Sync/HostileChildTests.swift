import FederationHTTP
import FederationNode
import FederationSync
import Foundation
import GRDB
import Replication
import Testing
import ZeroMQTransport

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A trusted child that attacks its parent over real ZeroMQ (issue 13): extreme numbers in every
/// numeric field of every message, a sibling's elders, statistics cells outside the grammar. Each is
/// refused with the documented code (docs/PROTOCOL.md, "What a receiver refuses"), counted in
/// `fedctl status` and `/metrics`, and the parent keeps serving its honest child.
@Suite(.serialized, .timeLimit(.minutes(10))) struct HostileChildTests {
    static let street = HostileInputTests.street
    static let honest = HostileInputTests.honest
    static let raw = HostileInputTests.raw

    static func now() -> HybridTimestamp {
        HybridTimestamp(physicalMilliseconds: UInt64(Date().timeIntervalSince1970 * 1000), logical: 0)
    }

    /// Sends one batch of any changes and returns the reply.
    static func send(_ client: RawChild, _ id: UInt64, from: UInt64, to: UInt64, _ batch: ChangeBatch) async throws
        -> SyncMessage?
    {
        let payload = try WireCodec.encodeBatch(batch)
        try client.send(
            .batch(
                .init(
                    batchID: id, seqFrom: from, seqTo: to, compressed: true, payload: payload,
                    cellCount: UInt32(batch.cellCount))))
        return try await client.receive()
    }

    /// The record keys in the batches the parent streams down within `milliseconds`.
    static func rowsStreamedDown(to client: RawChild, within milliseconds: Int) async throws -> Set<String> {
        var keys: Set<String> = []
        let deadline = ContinuousClock.now + .milliseconds(milliseconds)
        while ContinuousClock.now < deadline {
            guard try client.socket.poll(.readable, timeoutMilliseconds: 0).contains(.readable),
                let message = try client.socket.receive(dontWait: true)
            else {
                try? await Task.sleep(for: .milliseconds(10))
                continue
            }
            if case .batch(let frame) = try WireCodec.decode(message.frames[0]) {
                let batch = try WireCodec.decodeBatch(frame.payload, compressed: frame.compressed)
                keys.formUnion(batch.rows.map(\.key))
                try client.send(.ack(.init(batchID: frame.batchID, seqTo: frame.seqTo, applied: 0, duplicates: 0)))
            }
        }
        return keys
    }

    static func linkStatistics(_ federation: TestFederation) throws -> LinkStatistics? {
        try federation.store(street).database.read { db in try LinkStatistics.all(db).first { $0.peer == raw } }
    }

    @Test func extremeNumbersInEveryFieldAreRefusedAndTheParentKeepsServing() async throws {
        try await HostileInputTests.withSetUp { federation, client in
            let hello = { (watermark: UInt64, epoch: String) in
                SyncMessage.hello(
                    .init(
                        nodeCode: Self.raw, protocolVersion: 1, receivedWatermark: watermark, receivedEpoch: epoch,
                        feedEpoch: "raw-1", software: "raw"))
            }
            let streetEpoch = try federation.store(Self.street).feedEpoch
            // HELLO received_watermark 2^64−1: not a sequence number.
            try client.send(hello(.max, streetEpoch))
            guard case .error(let huge) = try #require(try await client.receive()) else {
                Issue.record("no ERROR for 2^64−1")
                return
            }
            #expect(huge.code == .malformed)
            // 2^63−1 in the street's own epoch: beyond its head, so the street streams from 0.
            try client.send(hello(UInt64(Int64.max), streetEpoch))
            guard case .welcome = try #require(try await client.receive()) else {
                Issue.record("no WELCOME")
                return
            }
            // BATCH seq_to 2^63 and beyond.
            for seqTo in [UInt64(1) << 63, .max] {
                let reply = try await Self.send(client, 1, from: 0, to: seqTo, ChangeBatch())
                guard case .error(let error) = try #require(reply) else {
                    Issue.record("no ERROR for seq_to \(seqTo)")
                    return
                }
                #expect(error.code == .malformed)
            }
            // The raw child sends no heartbeats: greet again so a slow machine's session timeout does not
            // turn what follows into "send HELLO first".
            try client.send(hello(0, ""))
            guard case .welcome = try #require(try await client.receive()) else {
                Issue.record("no WELCOME")
                return
            }
            // The largest legal numbers: a gap, refused as such.
            let gap = try await Self.send(client, .max, from: UInt64(Int64.max), to: UInt64(Int64.max), ChangeBatch())
            guard case .error(let outOfOrder) = try #require(gap) else {
                Issue.record("no ERROR for a gap")
                return
            }
            #expect(outOfOrder.code == .outOfOrder)
            // A cell count that lies, a batch id at the top, a clock of 2^64−1: acknowledged, the clock refused.
            let lying = ChangeBatch(stats: [
                StatChange(
                    key: StatKey(
                        origin: try NodeCode(Self.raw), community: try NodeCode(Self.raw), metric: "calls",
                        dims: HostileInputTests.callDims, period: "2026-01-05"),
                    value: 1, clock: HybridTimestamp(rawValue: .max))
            ])
            try client.send(hello(0, ""))
            guard case .welcome = try #require(try await client.receive()) else {
                Issue.record("no WELCOME")
                return
            }
            try client.send(
                .batch(
                    .init(
                        batchID: .max, seqFrom: 0, seqTo: 1, compressed: true,
                        payload: try WireCodec.encodeBatch(lying),
                        cellCount: .max)))
            guard case .ack(let ack) = try #require(try await client.receive()) else {
                Issue.record("no ACK")
                return
            }
            #expect(ack.refused == 1)
            #expect(ack.applied == 0)
            // HEARTBEAT and ACK with numbers beyond 2^63−1.
            for message in [
                SyncMessage.heartbeat(.init(sentAtMilliseconds: 1, feedHead: .max)),
                .heartbeat(.init(sentAtMilliseconds: .max, feedHead: 1)),
                .ack(.init(batchID: 1, seqTo: .max, applied: .max, duplicates: .max, refused: .max)),
            ] {
                try client.send(message)
                guard case .error(let error) = try #require(try await client.receive()) else {
                    Issue.record("no ERROR for \(message)")
                    return
                }
                #expect(error.code == .malformed)
            }
            // The largest legal ones are taken without harm.
            try client.send(.heartbeat(.init(sentAtMilliseconds: UInt64(Int64.max), feedHead: UInt64(Int64.max))))
            try client.send(.ack(.init(batchID: .max, seqTo: UInt64(Int64.max), applied: .max, duplicates: .max)))
            try await HostileInputTests.honestChildStillSyncs(federation, adding: 5)
            // Counted where the operator looks: `fedctl status` reads the data directory (flushed every second).
            let directory = try #require(federation.nodes[try NodeCode(Self.street)]).directory
            #expect(
                try await federation.eventually(timeout: .seconds(5)) {
                    try NodeStatus.read(directory).links.first { $0.peer == Self.raw }?.refusedByCode["clock_skew"] == 1
                })
        }
    }

    @Test func aCommunityCannotTakeOverItsSiblingsElders() async throws {
        try await HostileInputTests.withSetUp { federation, client in
            let community = try federation.store(Self.honest)
            let street = try federation.store(Self.street)
            try community.write([
                RecordWrite(
                    table: "elders", key: "H1", ["name": "张秀英", "status": "active", "community": .text(Self.honest)])
            ])
            #expect(try await federation.eventually { try street.record("elders", key: "H1")?["name"] == "张秀英" })
            guard case .welcome = try #require(try await client.hello(Self.raw)) else {
                Issue.record("no WELCOME")
                return
            }
            let raw = try NodeCode(Self.raw)
            let clock = Self.now()
            func cells(_ values: KeyValuePairs<String, Value>) -> [CellChange] {
                values.map { CellChange(column: $0.key, value: $0.value, clock: clock, origin: raw) }
            }
            let reply = try await Self.send(
                client, 1, from: 0, to: 3,
                ChangeBatch(rows: [
                    RowChange(table: "elders", key: "H1", cells: cells(["name": "X", "status": "deceased"])),
                    RowChange(table: "elders", key: "H1", cells: cells(["community": .text(Self.raw)])),
                    RowChange(table: "elders", key: "R1", cells: cells(["name": "李桂兰", "community": .text(Self.raw)])),
                ]))
            guard case .ack(let ack) = try #require(reply) else {
                Issue.record("expected ACK, got \(String(describing: reply))")
                return
            }
            #expect(ack.refused == 3)
            #expect(ack.applied == 2)
            #expect(try street.record("elders", key: "H1")?["name"] == "张秀英")
            #expect(try street.record("elders", key: "H1")?["status"] == "active")
            #expect(try street.record("elders", key: "H1")?["community"] == .text(Self.honest))
            #expect(try street.record("elders", key: "R1")?["name"] == "李桂兰")
            // Nothing of H1 is streamed down to the attacker.
            #expect(try await Self.rowsStreamedDown(to: client, within: 1_500).contains("H1") == false)
            #expect(
                try await federation.eventually(timeout: .seconds(5)) {
                    try Self.linkStatistics(federation).map { $0.refusedByCode["not_owner"] == 3 } ?? false
                })
            #expect(try community.record("elders", key: "H1")?["status"] == "active")
            try await HostileInputTests.honestChildStillSyncs(federation, adding: 1)
        }
    }

    @Test func statisticsCellsOutsideTheGrammarAreRefusedCountedAndReportsStillAnswer() async throws {
        try await HostileInputTests.withSetUp { federation, client in
            guard case .welcome = try #require(try await client.hello(Self.raw)) else {
                Issue.record("no WELCOME")
                return
            }
            func cell(
                _ value: Int64, metric: String = "calls", dims: String = HostileInputTests.callDims,
                period: String = "2026-01-05", community: String = Self.raw
            ) throws -> StatChange {
                try HostileInputTests.cell(
                    origin: Self.raw, community: community, value: value, metric: metric, dims: dims, period: period)
            }
            let bad = [
                try cell(1 << 62, dims: "channel=hotline;effective=1;hour=10;type=consultation"),
                try cell(1 << 62, dims: "channel=hotline;effective=1;hour=11;type=consultation"),
                try cell(1, period: "yesterday"),
                try cell(1, period: "2026-11-31"),
                try cell(-5_000),
                try cell(1, dims: "type=consultation;hour=09;effective=1;channel=hotline"),
                try cell(1, community: Self.street),
                try cell(1, metric: "visits"),
                try cell(1, metric: "bribes"),
                try cell(1, dims: "channel=fax;effective=1;hour=09;type=consultation"),
            ]
            let good = try cell(6, dims: "channel=app;effective=0;hour=23;type=emergency")
            let reply = try await Self.send(client, 1, from: 0, to: 1, ChangeBatch(stats: bad + [good]))
            guard case .ack(let ack) = try #require(reply) else {
                Issue.record("expected ACK, got \(String(describing: reply))")
                return
            }
            #expect(ack.refused == UInt32(bad.count))
            #expect(ack.applied == 1)
            let street = try federation.store(Self.street)
            #expect(try street.total("calls", within: try NodeCode(Self.raw)) == 6)
            #expect(
                try await federation.eventually(timeout: .seconds(5)) {
                    try Self.linkStatistics(federation).map {
                        $0.refusedByCode["invalid_statistic"] == Int64(bad.count)
                    }
                        ?? false
                })
            // The street's reports and metrics answer; the counts are there for the operator.
            let node = try #require(federation.nodes[try NodeCode(Self.street)])
            #expect(await federation.eventually { node.daemon.httpPort != nil })
            let port = try #require(node.daemon.httpPort)
            let tokens = try node.directory.loadTokens()
            func get(_ path: String, _ token: String) async throws -> (Int, String) {
                var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
                request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization")
                let (data, response) = try await URLSession.shared.data(for: request)
                return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
            }
            let (summaryStatus, summary) = try await get(
                "/api/v1/reports/summary?from=2026-01-01&to=2026-01-31", tokens.viewer)
            #expect(summaryStatus == 200, "\(summary)")
            #expect(summary.contains("\"total\":6") || summary.contains("\"total\" : 6"), "\(summary.prefix(300))")
            let (metricsStatus, metrics) = try await get("/metrics", tokens.viewer)
            #expect(metricsStatus == 200)
            #expect(metrics.contains("eldercare_link_refused_changes_total{"), "\(metrics.prefix(200))")
            #expect(metrics.contains("code=\"invalid_statistic\""))
            try await HostileInputTests.honestChildStillSyncs(federation, adding: 2)
        }
    }

    @Test func aParentAboveThePrivacyLevelStripsWhatAChildShouldNotHaveSent() async throws {
        try await TestFederation.with { federation in
            let city = try await federation.start("130100000000")
            let district = try NodeCode("130102000000")
            let keys = try CurveKeyPair.generate()
            try city.directory.trust(child: district, publicKey: keys.publicKey, of: city.code)
            let client = try RawChild(
                endpoint: city.endpoint, serverKey: try city.directory.loadKeyPair().publicKey, keys: keys)
            guard case .welcome = try #require(try await client.hello(district.rawValue)) else {
                Issue.record("no WELCOME")
                return
            }
            let clock = Self.now()
            let hash = String(repeating: "ab", count: 32)
            func cells(_ values: KeyValuePairs<String, Value>) -> [CellChange] {
                values.map { CellChange(column: $0.key, value: $0.value, clock: clock, origin: district) }
            }
            // A district that skips the reduction (or a community joined straight to the city).
            let reply = try await Self.send(
                client, 1, from: 0, to: 2,
                ChangeBatch(rows: [
                    RowChange(
                        table: "elders", key: "E1",
                        cells: cells([
                            "name": "张秀英", "phone": "13800138000", "address": "建设北大街1号",
                            "resident_id": "130102194601010024",
                            "birth_date": "1946-01-01", "gender": "female", "community": "130102001001",
                            "status": "active",
                        ])),
                    RowChange(
                        table: "elders", key: "E2",
                        cells: cells(["resident_id": .text(hash), "birth_date": "1950-03", "community": "130102001001"])
                    ),
                ]))
            guard case .ack(let ack) = try #require(reply) else {
                Issue.record("expected ACK, got \(String(describing: reply))")
                return
            }
            #expect(ack.refused == 0)
            let store = city.store
            let e1 = try #require(try store.record("elders", key: "E1"))
            for column in ["name", "phone", "address", "resident_id"] { #expect(e1[column] == .null, "\(column)") }
            #expect(e1["birth_date"] == "1946-01")
            #expect(e1["gender"] == "female")
            let e2 = try #require(try store.record("elders", key: "E2"))
            #expect(e2["resident_id"] == .text(hash))
            #expect(e2["birth_date"] == "1950-03")
            // Nothing personal anywhere in the city's file.
            let rows: [String] = try await store.database.read { db in
                try String.fetchAll(
                    db,
                    sql:
                        "SELECT coalesce(name, '') || coalesce(phone, '') || coalesce(address, '') || coalesce(resident_id, '') FROM elders"
                )
            }
            let dump = rows.joined()
            for secret in ["张秀英", "13800138000", "建设北大街", "130102194601010024"] { #expect(!dump.contains(secret)) }
            #expect(
                try await federation.eventually(timeout: .seconds(5)) {
                    try store.database.read { db in
                        try LinkStatistics.all(db).first { $0.peer == district.rawValue }?.privacyStripped
                    } == 5
                })
        }
    }
}
