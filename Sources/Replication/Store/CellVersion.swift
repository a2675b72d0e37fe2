import Foundation

/// The per-column LWW state of one record, packed into the `_crdt` blob stored beside the row.
///
/// Layout: slot 0 is the erasure tombstone, slot `i + 1` is declared column `i`. Each slot is 24 bytes,
/// little-endian: clock (UInt64), origin node id (UInt32), via peer id (UInt32, 0 = written locally),
/// feed sequence that last changed the slot (UInt64). A zero clock means "never written". Columns
/// appended to a table's schema later find zero slots in older blobs.
struct CellVersion: Equatable {
    var clock: UInt64
    var origin: UInt32
    var via: UInt32
    var seq: UInt64

    static let empty = CellVersion(clock: 0, origin: 0, via: 0, seq: 0)
    static let byteCount = 24

    var isWritten: Bool { clock != 0 }
}

extension [CellVersion] {
    /// Decodes a `_crdt` blob into `count` slots (missing trailing slots are empty).
    init(blob: UnsafeRawBufferPointer, count: Int) {
        self = [CellVersion](unsafeUninitializedCapacity: count) { buffer, initialized in
            let stored = Swift.min(count, blob.count / CellVersion.byteCount)
            for slot in 0..<stored {
                let base = slot * CellVersion.byteCount
                buffer[slot] = CellVersion(
                    clock: UInt64(littleEndian: blob.loadUnaligned(fromByteOffset: base, as: UInt64.self)),
                    origin: UInt32(littleEndian: blob.loadUnaligned(fromByteOffset: base + 8, as: UInt32.self)),
                    via: UInt32(littleEndian: blob.loadUnaligned(fromByteOffset: base + 12, as: UInt32.self)),
                    seq: UInt64(littleEndian: blob.loadUnaligned(fromByteOffset: base + 16, as: UInt64.self)))
            }
            for slot in stored..<count { buffer[slot] = .empty }
            initialized = count
        }
    }

    /// Encodes the slots as a `_crdt` blob.
    func encodedBlob() -> Data {
        var data = Data(count: count * CellVersion.byteCount)
        data.withUnsafeMutableBytes { raw in
            for (slot, version) in enumerated() {
                let base = slot * CellVersion.byteCount
                raw.storeBytes(of: version.clock.littleEndian, toByteOffset: base, as: UInt64.self)
                raw.storeBytes(of: version.origin.littleEndian, toByteOffset: base + 8, as: UInt32.self)
                raw.storeBytes(of: version.via.littleEndian, toByteOffset: base + 12, as: UInt32.self)
                raw.storeBytes(of: version.seq.littleEndian, toByteOffset: base + 16, as: UInt64.self)
            }
        }
        return data
    }
}
