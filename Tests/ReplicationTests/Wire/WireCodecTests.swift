import PropertyBased
import Testing

@testable import Replication

@Suite(.timeLimit(.minutes(10))) struct WireCodecTests {
    @Test func batchesRoundTripExactly() async {
        await propertyCheck(count: 100, input: Gen.uint64(), Gen.bool) { seed, compress in
            let batch = MergeLawTests.universe(seed).reduce(ChangeBatch(), +)
            let payload = try WireCodec.encodeBatch(batch, compress: compress)
            #expect(try WireCodec.decodeBatch(payload, compressed: compress) == batch)
        }
    }

    @Test func everyMessageRoundTrips() throws {
        let messages: [SyncMessage] = [
            .hello(
                .init(
                    nodeCode: "130102001001", protocolVersion: 1, receivedWatermark: 42, receivedEpoch: "p-1",
                    feedEpoch: "c-1", software: "fedctl 0.1.0")),
            .welcome(
                .init(
                    nodeCode: "130102001000", protocolVersion: 1, receivedWatermark: 7, receivedEpoch: "c-1",
                    feedEpoch: "p-1", maxMessageBytes: 1 << 24, maxInFlight: 4)),
            .error(.init(code: .clockSkew, message: "clock ahead", batchID: 9)),
            .batch(.init(batchID: 3, seqFrom: 10, seqTo: 20, compressed: true, payload: [1, 2, 3], cellCount: 5)),
            .ack(.init(batchID: 3, seqTo: 20, applied: 4, duplicates: 1)),
            .heartbeat(.init(sentAtMilliseconds: 1_767_225_600_000, feedHead: 99)),
        ]
        for message in messages {
            #expect(try WireCodec.decode(WireCodec.encode(message)) == message)
        }
    }

    @Test func compressionShrinksRealisticBatches() throws {
        let origin = Fixtures.community
        let rows = (0..<500).map { index in
            RowChange(
                table: "elders", key: "E130102001001-\(index)",
                cells: [
                    CellChange(
                        column: "status", value: "active",
                        clock: HybridTimestamp(physicalMilliseconds: 1_767_225_600_000, logical: UInt16(index)),
                        origin: origin),
                    CellChange(
                        column: "community", value: .text(origin.rawValue),
                        clock: HybridTimestamp(physicalMilliseconds: 1_767_225_600_000, logical: UInt16(index)),
                        origin: origin),
                ])
        }
        let batch = ChangeBatch(rows: rows)
        #expect(try WireCodec.encodeBatch(batch).count * 3 < WireCodec.encodeBatch(batch, compress: false).count)
    }

    @Test(arguments: [
        [UInt8](), [0xff, 0xff, 0xff], Array("not protobuf at all".utf8), [0x22, 0x05, 0x08, 0x01],
    ])
    func malformedFramesAreRefusedWithATypedError(_ frame: [UInt8]) {
        #expect {
            _ = try WireCodec.decode(frame)
        } throws: { error in
            (error as? ReplicationError)?.code == .malformedFrame
        }
    }

    @Test func malformedPayloadsAreRefused() throws {
        #expect(throws: ReplicationError.self) { try WireCodec.decodeBatch([1, 2, 3, 4], compressed: true) }
        // An origin index beyond the origin table.
        var wire = Eldercare_Sync_V1_Batch()
        var row = Eldercare_Sync_V1_RowChange()
        row.table = "elders"
        row.key = "E1"
        var cell = Eldercare_Sync_V1_Cell()
        cell.column = "status"
        cell.origin = 3
        cell.clock = 1
        row.cells = [cell]
        wire.rows = [row]
        let bytes: [UInt8] = try wire.serializedBytes()
        #expect {
            _ = try WireCodec.decodeBatch(bytes, compressed: false)
        } throws: { error in
            guard let error = error as? ReplicationError else { return false }
            return error.code == .malformedFrame && error.message.contains("origin index 3")
        }
        // A compression bomb beyond the limit.
        let big = try WireCodec.encodeBatch(
            ChangeBatch(rows: [
                RowChange(
                    table: "elders", key: "E1",
                    cells: [
                        CellChange(
                            column: "address", value: .text(String(repeating: "号", count: 100_000)),
                            clock: HybridTimestamp(rawValue: 1 << 20), origin: Fixtures.community)
                    ])
            ]))
        #expect(throws: ReplicationError.self) { try WireCodec.decodeBatch(big, compressed: true, maxBytes: 10_000) }
    }
}
