import Foundation
import Testing

@testable import Replication

/// The fuzzing seed corpus (fuzz/corpus/wire, docs/TESTING.md) replayed through the decoders, so it is
/// exercised on every `swift test` even where libFuzzer is not built; every file a fuzzing run found
/// crashing is kept there too, so these tests are also the regression tests for them.
///
/// `ELDERCARE_WRITE_CORPUS=1 swift test --filter WireCorpusTests` rewrites the seeds from `seeds()`.
@Suite struct WireCorpusTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fuzz/corpus/wire")

    /// Real messages, named by what they are: every kind of envelope, batch frames carrying real
    /// zlib-compressed roster and statistics batches, and the same batches as bare payloads.
    static func seeds() throws -> [(name: String, bytes: [UInt8])] {
        let clock = { (index: Int) in HybridTimestamp(physicalMilliseconds: 1_767_225_600_000 + UInt64(index), logical: UInt16(index % 7)) }
        let origins = [Fixtures.community, Fixtures.neighbour, Fixtures.otherStreetCommunity]
        let names = ["王秀英", "李桂兰", "张建国", "刘玉珍", "陈德明"]
        let rows = (0..<40).map { index in
            let origin = origins[index % origins.count]
            return RowChange(
                table: "elders", key: "E\(origin.rawValue)-\(index)",
                cells: [
                    CellChange(column: "name", value: .text(names[index % names.count]), clock: clock(index), origin: origin),
                    CellChange(column: "resident_id", value: .text("13010219\(40 + index % 20)0101002X"), clock: clock(index), origin: origin),
                    CellChange(column: "address", value: .text("石家庄市长安区中山东路\(index)号"), clock: clock(index), origin: origin),
                    CellChange(column: "community", value: .text(origin.rawValue), clock: clock(index), origin: origin),
                    CellChange(column: "monthly_hours", value: .integer(Int64(index % 45)), clock: clock(index), origin: origin),
                    CellChange(column: "subsidy_yuan", value: index % 3 == 0 ? .null : .real(Double(index) * 12.5), clock: clock(index), origin: origin),
                ])
        }
        let stats = (0..<30).map { index in
            StatChange(
                key: StatKey(
                    origin: origins[index % 2], community: origins[index % 2], metric: ["calls", "visits", "satisfaction"][index % 3],
                    dims: "kind=\(index % 4)", period: "2026-01-0\(index % 9 + 1)"),
                value: Int64(index * 3 + 1), clock: clock(index))
        }
        let roster = ChangeBatch(rows: rows)
        let statistics = ChangeBatch(stats: stats)
        let mixed = ChangeBatch(rows: Array(rows.prefix(5)), stats: Array(stats.prefix(5)))
        var seeds: [(String, [UInt8])] = []
        for (name, batch) in [("roster", roster), ("stats", statistics), ("mixed", mixed), ("empty", ChangeBatch())] {
            let zipped = try WireCodec.encodeBatch(batch)
            seeds.append(("payload_\(name)_plain.bin", try WireCodec.encodeBatch(batch, compress: false)))
            seeds.append(("payload_\(name)_zlib.bin", zipped))
            seeds.append((
                "frame_batch_\(name)_zlib.bin",
                try WireCodec.encode(.batch(.init(batchID: 7, seqFrom: 100, seqTo: 100 + UInt64(batch.cellCount), compressed: true, payload: zipped, cellCount: UInt32(batch.cellCount))))
            ))
        }
        seeds.append((
            "frame_batch_mixed_plain.bin",
            try WireCodec.encode(.batch(.init(batchID: 8, seqFrom: 0, seqTo: 10, compressed: false, payload: try WireCodec.encodeBatch(mixed, compress: false), cellCount: UInt32(mixed.cellCount))))
        ))
        let messages: [(String, SyncMessage)] = [
            ("hello", .hello(.init(nodeCode: "130102001001", protocolVersion: 1, receivedWatermark: 42, receivedEpoch: "p-1", feedEpoch: "c-1", software: "fedctl 0.1.0"))),
            ("welcome", .welcome(.init(nodeCode: "130102001000", protocolVersion: 1, receivedWatermark: 7, receivedEpoch: "c-1", feedEpoch: "p-1", maxMessageBytes: 1 << 24, maxInFlight: 4))),
            ("error_clock", .error(.init(code: .clockSkew, message: "时钟超前 clock ahead by 600000 ms", batchID: 9))),
            ("ack", .ack(.init(batchID: 3, seqTo: 20, applied: 4, duplicates: 1))),
            ("heartbeat", .heartbeat(.init(sentAtMilliseconds: 1_767_225_600_000, feedHead: 99))),
        ]
        for (name, message) in messages { seeds.append(("frame_\(name).bin", try WireCodec.encode(message))) }
        return seeds
    }

    static func corpus() throws -> [(name: String, bytes: [UInt8])] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { !$0.hasPrefix(".") }.sorted()
        return try names.map { ($0, [UInt8](try Data(contentsOf: directory.appendingPathComponent($0)))) }
    }

    @Test func seedCorpusHoldsEveryKindOfRealMessage() throws {
        if ProcessInfo.processInfo.environment["ELDERCARE_WRITE_CORPUS"] != nil {
            try FileManager.default.createDirectory(at: Self.directory, withIntermediateDirectories: true)
            for seed in try Self.seeds() { try Data(seed.bytes).write(to: Self.directory.appendingPathComponent(seed.name)) }
        }
        let corpus = try Self.corpus()
        var kinds: Set<String> = []
        var compressedCells = 0
        for file in corpus {
            guard let message = try? WireCodec.decode(file.bytes) else { continue }
            switch message {
            case .hello: kinds.insert("hello")
            case .welcome: kinds.insert("welcome")
            case .error: kinds.insert("error")
            case .ack: kinds.insert("ack")
            case .heartbeat: kinds.insert("heartbeat")
            case .batch(let frame):
                kinds.insert("batch")
                if frame.compressed { compressedCells += try WireCodec.decodeBatch(frame.payload, compressed: true).cellCount }
            }
        }
        #expect(kinds == ["hello", "welcome", "error", "ack", "heartbeat", "batch"])
        #expect(compressedCells > 200)
        // Every committed seed decodes to what the current codec makes of the message it was made from.
        for seed in try Self.seeds() where seed.name.hasPrefix("payload_") && seed.name.hasSuffix("_plain.bin") {
            let file = try #require(corpus.first { $0.name == seed.name }, "missing seed \(seed.name)")
            #expect(try WireCodec.decodeBatch(file.bytes, compressed: false) == WireCodec.decodeBatch(seed.bytes, compressed: false))
        }
    }

    /// What the fuzz target checks, without libFuzzer: no file crashes the decoders, and whatever is
    /// accepted re-encodes to bytes that decode to the same canonical encoding.
    @Test func wholeCorpusDecodesOrIsRefusedWithATypedError() throws {
        let corpus = try Self.corpus()
        #expect(corpus.count >= 18)
        for file in corpus {
            if let message = try? WireCodec.decode(file.bytes) {
                #expect(try WireCodec.decode(WireCodec.encode(message)) == message, "\(file.name)")
                if case .batch(let frame) = message {
                    let batch = try WireCodec.decodeBatch(frame.payload, compressed: frame.compressed)
                    #expect(batch.cellCount == Int(frame.cellCount), "\(file.name)")
                }
            }
            for compressed in [false, true] {
                do {
                    let batch = try WireCodec.decodeBatch(file.bytes, compressed: compressed, maxBytes: 1 << 20)
                    let canonical = try WireCodec.encodeBatch(batch, compress: false)
                    let again = try WireCodec.encodeBatch(WireCodec.decodeBatch(canonical, compressed: false), compress: false)
                    #expect(again == canonical, "\(file.name)")
                } catch {
                    #expect((error as? ReplicationError)?.code == .malformedFrame, "\(file.name): \(error)")
                }
            }
        }
    }
}
