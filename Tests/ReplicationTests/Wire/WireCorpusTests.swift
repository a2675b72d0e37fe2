import Foundation
import Testing

@testable import Replication

/// The fuzzing seed corpus (fuzz/corpus/wire, written by scripts/fuzz-seeds.py with Python's protobuf
/// from proto/eldercare_sync.proto; docs/TESTING.md) replayed through the decoders, so it is exercised
/// on every `swift test` even where libFuzzer is not built; every input a fuzzing run found crashing
/// is kept there too, so these tests are also the regression tests for them.
@Suite(.timeLimit(.minutes(10))) struct WireCorpusTests {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fuzz/corpus/wire")

    static func corpus() throws -> [(name: String, bytes: [UInt8])] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { !$0.hasPrefix(".") }
            .sorted()
        return try names.map { name in
            (name: name, bytes: [UInt8](try Data(contentsOf: directory.appendingPathComponent(name))))
        }
    }

    @Test func seedCorpusHoldsEveryKindOfRealMessage() throws {
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
                if frame.compressed {
                    compressedCells += try WireCodec.decodeBatch(frame.payload, compressed: true).cellCount
                }
            }
        }
        #expect(kinds == ["hello", "welcome", "error", "ack", "heartbeat", "batch"])
        #expect(compressedCells >= 150)
        // The seeds are what the other encoder meant: real roster rows with Chinese text, and statistics.
        let roster = try WireCodec.decodeBatch(
            try #require(corpus.first(where: { $0.name == "payload_roster_zlib.bin" })).bytes, compressed: true)
        #expect(roster.rows.count == 12)
        #expect(roster.rows.allSatisfy { $0.table == "elders" && $0.cells.count == 9 })
        #expect(
            roster.rows.flatMap(\.cells).contains {
                $0.column == "address" && ($0.value.textValue ?? "").hasPrefix("石家庄市")
            })
        let plain = try WireCodec.decodeBatch(
            try #require(corpus.first(where: { $0.name == "payload_roster_plain.bin" })).bytes, compressed: false)
        #expect(plain == roster)
        let stats = try WireCodec.decodeBatch(
            try #require(corpus.first(where: { $0.name == "payload_stats_plain.bin" })).bytes, compressed: false)
        #expect(stats.stats.count == 30)
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
                    let again = try WireCodec.encodeBatch(
                        WireCodec.decodeBatch(canonical, compressed: false), compress: false)
                    #expect(again == canonical, "\(file.name)")
                } catch {
                    // Another message's bytes read as a batch fail on whatever field breaks first
                    // (a frame, a node code, a value): always a typed ReplicationError, never a crash.
                    #expect(error is ReplicationError, "\(file.name): \(error)")
                }
            }
        }
    }
}
