import FederationNode
// Stateful libFuzzer target for the parent side of a link: each input is a sequence of HELLO, BATCH,
// HEARTBEAT and ACK messages from a trusted child, with field values drawn from the input (biased to
// the extremes: 0, 2^63−1, 2^63, 2^64−1) and batches of generated changes (every replicated table,
// unknown ones, foreign origins, a sibling's records, statistics cells inside and outside the grammar,
// clocks from zero to the far future). They go through the wire codec and the same session code the
// children hub runs (`InboundStream`, `OutboundStream`, `LinkStatistics`) into one real parent store,
// kept across inputs, whose reports are then computed. Nothing may crash; a batch that is acknowledged
// must move the watermark to its `seq_to`; the store's cells must stay inside the grammar.
// Built and run by `make fuzz` (scripts/fuzz.sh, docs/TESTING.md); seeds in fuzz/corpus/parent.
//
//     ELDERCARE_FUZZ=1 swift build --scratch-path .build-fuzz --product FuzzParentSession --sanitize=fuzzer \
//         -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
//     .build-fuzz/debug/FuzzParentSession fuzz/corpus/parent -max_total_time=60
import Foundation
import GRDB
import Replication
import Reports

@testable import Eldercare
@testable import FederationSync

let street = try! NodeCode("130102001000")
let child = try! NodeCode("130102001001")
let sibling = try! NodeCode("130102001002")
let codes = [child, sibling, street, try! NodeCode("130102002001"), try! NodeCode("130100000000")]

/// The parent's store, opened once per process (the state the sequences build on).
let store: ReplicaStore = {
    let path = NSTemporaryDirectory() + "fuzz-parent-\(getpid()).sqlite"
    try? FileManager.default.removeItem(atPath: path)
    var configuration = StoreConfiguration()
    configuration.fsyncEveryCommit = false
    configuration.statisticGrammar = DomainStatistics.grammar
    let store = try! NodeSchema.open(path: path, node: street, configuration: configuration)
    // The sibling's elder the child will try to take over.
    try! store.write([
        RecordWrite(
            table: "elders", key: "S1", ["name": "张秀英", "community": .text(sibling.rawValue), "status": "active"])
    ])
    return store
}()

/// Reads the input as a stream of choices.
struct Draw {
    var bytes: [UInt8]
    var position = 0

    var isEmpty: Bool { position >= bytes.count }

    mutating func byte() -> UInt8 {
        defer { position += 1 }
        return position < bytes.count ? bytes[position] : 0
    }

    mutating func pick<T>(_ choices: [T]) -> T { choices[Int(byte()) % choices.count] }

    /// A 64-bit number, most often one of the edges.
    mutating func number() -> UInt64 {
        switch byte() % 8 {
        case 0: 0
        case 1: 1
        case 2: UInt64(Int64.max)
        case 3: UInt64(Int64.max) + 1
        case 4: .max
        default: (0..<8).reduce(UInt64(0)) { value, _ in value << 8 | UInt64(byte()) }
        }
    }

    mutating func signed() -> Int64 {
        pick([
            0, 1, -1, 7, StatisticGrammar.maxValue, StatisticGrammar.maxValue + 1, 1 << 62, .max, .min,
            Int64(bitPattern: number()),
        ])
    }

    mutating func text() -> String {
        pick([
            "", "active", "deceased", "张三", "2026-01-05", "yesterday", "2026-11-31", "9999-12-31", "x=1;=", "a\u{0}b",
            child.rawValue, sibling.rawValue, street.rawValue, String(repeating: "长", count: 200),
        ])
    }

    mutating func clock() -> HybridTimestamp {
        let now = UInt64(Date().timeIntervalSince1970 * 1000)
        return switch byte() % 5 {
        case 0: HybridTimestamp(rawValue: number())
        case 1: HybridTimestamp(physicalMilliseconds: now + 10 * 60_000, logical: 0)
        case 2: HybridTimestamp(physicalMilliseconds: now + 3 * 86_400_000, logical: 0)
        default: HybridTimestamp(physicalMilliseconds: now - UInt64(byte()) * 1_000, logical: UInt16(byte()))
        }
    }

    mutating func value() -> Value {
        switch byte() % 4 {
        case 0: .null
        case 1: .integer(signed())
        case 2: .real(pick([0, -1, .nan, .infinity, 1e300]))
        default: .text(text())
        }
    }

    mutating func batch() -> ChangeBatch {
        var batch = ChangeBatch()
        let columns = [
            "name", "community", "status", "resident_id", "monthly_hours", "scope", "unit_price_fen", "_erased", "nope",
        ]
        for _ in 0..<(byte() % 5) {
            let table = pick(["elders", "providers", "service_items", "subsidy_policy", "visits"])
            let key = pick(["S1", "C1", "P-1", "", "daily_care.bathing", String(repeating: "k", count: 200)])
            let cells = (0..<(1 + byte() % 4)).map { _ in
                CellChange(column: pick(columns), value: value(), clock: clock(), origin: pick(codes))
            }
            batch.rows.append(RowChange(table: table, key: key, cells: cells))
        }
        let dims = [
            "channel=hotline;effective=1;hour=09;type=consultation", "type=consultation;channel=hotline", "",
            "category=daily_care;provider=P-1", "complaint=0;score=satisfied", "a=;b", "hour=24",
        ]
        for _ in 0..<(byte() % 5) {
            let key = StatKey(
                origin: pick(codes), community: pick(codes),
                metric: pick(["calls", "visits", "visit_minutes", "callbacks", "bribes", ""]),
                dims: pick(dims),
                period: pick([
                    "2026-01-05", "2026-12-31", "1970-01-01", "9998-12-31", "9999-12-31", "2026-02-29", "today",
                ]))
            batch.stats.append(StatChange(key: key, value: signed(), clock: clock()))
        }
        return batch
    }
}

nonisolated(unsafe) var inbound: InboundStream?
nonisolated(unsafe) var outbound = OutboundStream(filter: FeedFilter(subtree: child, excludingVia: child), from: 0)
nonisolated(unsafe) var statistics = LinkStatistics(peer: child.rawValue, role: .child)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzParentSession(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    var draw = Draw(bytes: [UInt8](UnsafeRawBufferPointer(start: start, count: count)))
    while !draw.isEmpty {
        let message: SyncMessage
        switch draw.byte() % 4 {
        case 0:
            message = .hello(
                .init(
                    nodeCode: draw.pick([child.rawValue, sibling.rawValue, "junk"]),
                    protocolVersion: UInt32(truncatingIfNeeded: draw.number()),
                    receivedWatermark: draw.number(), receivedEpoch: draw.pick(["", store.feedEpoch]),
                    feedEpoch: draw.pick(["e1", "e2"]),
                    software: "fuzz"))
        case 1:
            let from = draw.pick([0, inbound?.watermark ?? 0, draw.number()])
            let to = draw.pick([from, from &+ 1, draw.number()])
            let batch = draw.batch()
            let compress = draw.byte() % 2 == 0
            guard let payload = try? WireCodec.encodeBatch(batch, compress: compress) else { continue }
            message = .batch(
                .init(
                    batchID: draw.number(), seqFrom: from, seqTo: to, compressed: compress, payload: payload,
                    cellCount: UInt32(truncatingIfNeeded: draw.number())))
        case 2:
            message = .heartbeat(.init(sentAtMilliseconds: draw.number(), feedHead: draw.number()))
        default:
            message = .ack(
                .init(
                    batchID: draw.number(), seqTo: draw.number(), applied: UInt32(truncatingIfNeeded: draw.number()),
                    duplicates: 0, refused: UInt32(truncatingIfNeeded: draw.number())))
        }
        // The hub decodes what arrives; a frame that does not decode is answered with ERROR_MALFORMED.
        guard let frame = try? WireCodec.encode(message), let decoded = try? WireCodec.decode(frame) else { continue }
        handle(decoded)
    }
    // Whatever arrived, the reports over the store answer.
    do {
        try store.database.read { db in
            _ = try CallSummary.compute(
                db, scope: street, days: CalendarDay("1970-01-01")!...CalendarDay("9998-12-31")!)
            _ = try LinkStatus.snapshot(db)
            for row in try Row.fetchAll(db, sql: "SELECT value FROM crdt_stats") {
                guard let value = row[0] as Int64?, (0...StatisticGrammar.maxValue).contains(value) else {
                    fatalError("a stored statistics cell is outside the grammar: \(row)")
                }
            }
        }
    } catch {
        fatalError("a report over the parent's store failed: \(error)")
    }
    return 0
}

/// What `ChildrenHub.handle` does with one decoded message from the child.
func handle(_ message: SyncMessage) {
    switch message {
    case .hello(let hello):
        // Greeting as `ChildrenHub.greet`: only the trusted child's code and protocol 1 get a session.
        guard hello.protocolVersion == FederationVersion.protocolVersion, hello.nodeCode == child.rawValue else {
            return
        }
        var downFrom = hello.receivedEpoch == store.feedEpoch ? hello.receivedWatermark : 0
        if let head = try? store.headSequence(), downFrom > head { downFrom = 0 }
        let stored = try? store.watermark(peer: child, .received)
        inbound = InboundStream(
            peer: child, originsWithin: [child], peerEpoch: hello.feedEpoch,
            watermark: stored?.epoch == hello.feedEpoch ? stored?.seq ?? 0 : 0, maxPayloadBytes: 1 << 20)
        outbound = OutboundStream(filter: FeedFilter(subtree: child, excludingVia: child), from: downFrom)
        _ = try? outbound.nextFrame(store, maxCells: 100, maxBytes: 1 << 20, maxInFlight: 4, now: 1, idleAdvanceMs: 0)
    case .batch(let frame):
        guard var session = inbound else { return }
        switch session.accept(frame, into: store) {
        case .acknowledged(let ack, let cells, let outcome, let stripped):
            guard ack.seqTo == session.watermark, session.watermark >= frame.seqTo else {
                fatalError("an acknowledged batch did not move the watermark to its seq_to: \(ack) for \(frame.seqTo)")
            }
            statistics.cellsReceived += Int64(cells)
            statistics.count(outcome, stripped: stripped)
        case .refused(_, let cells):
            statistics.refusedBatches += 1
            statistics.refusedCells += Int64(cells)
        case .foreignOrigins:
            break
        }
        inbound = session
        statistics.save(store.database)
    case .heartbeat(let heartbeat):
        statistics.peerHead = heartbeat.feedHead
        statistics.save(store.database)
    case .ack(let ack):
        if let acknowledged = outbound.acknowledge(batchID: ack.batchID, seqTo: ack.seqTo) {
            try? store.advanceWatermark(peer: child, .sent, epoch: store.feedEpoch, seq: acknowledged)
        }
    case .welcome, .error:
        break
    }
}
