// libFuzzer target for the wire decoder: the bytes a peer sends over ZeroMQ are untrusted.
// Built and run by `make fuzz` (scripts/fuzz.sh, docs/TESTING.md); seeds in fuzz/corpus/wire.
//
//     ELDERCARE_FUZZ=1 swift build --scratch-path .build-fuzz --product FuzzWire --sanitize=fuzzer \
//         -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
//     .build-fuzz/debug/FuzzWire fuzz/corpus/wire -max_total_time=60
import Replication

/// Every input is tried three ways: as an `Envelope` frame (and, when it carries a batch, its payload
/// as the frame says), as an uncompressed batch payload and as a zlib-compressed one. Decoding may
/// refuse the bytes with a `ReplicationError`; it must never crash, and whatever it accepts must
/// survive a re-encode → decode → re-encode round trip unchanged.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWire(_ start: UnsafeRawPointer, _ count: Int) -> CInt {
    let bytes = [UInt8](UnsafeRawBufferPointer(start: start, count: count))
    if let message = try? WireCodec.decode(bytes) {
        guard let frame = try? WireCodec.encode(message), (try? WireCodec.decode(frame)) == message else {
            fatalError("an accepted envelope does not round-trip: \(message)")
        }
        if case .batch(let batch) = message {
            checkBatch(batch.payload, compressed: batch.compressed)
        }
    }
    checkBatch(bytes, compressed: false)
    checkBatch(bytes, compressed: true)
    return 0
}

/// Decodes a payload; if accepted, its canonical encoding must decode back to the same encoding.
/// (Bytes, not `ChangeBatch` equality: a NaN real is a legal value that is not equal to itself.)
func checkBatch(_ payload: [UInt8], compressed: Bool) {
    guard let batch = try? WireCodec.decodeBatch(payload, compressed: compressed, maxBytes: 1 << 16) else { return }
    do {
        let canonical = try WireCodec.encodeBatch(batch, compress: false)
        let again = try WireCodec.encodeBatch(WireCodec.decodeBatch(canonical, compressed: false), compress: false)
        guard again == canonical else { fatalError("an accepted batch does not round-trip (\(batch.cellCount) cells)") }
        let zipped = try WireCodec.encodeBatch(batch, compress: true)
        guard try WireCodec.encodeBatch(WireCodec.decodeBatch(zipped, compressed: true), compress: false) == canonical
        else { fatalError("an accepted batch does not round-trip through zlib (\(batch.cellCount) cells)") }
    } catch {
        fatalError("an accepted batch cannot be re-encoded: \(error)")
    }
}
