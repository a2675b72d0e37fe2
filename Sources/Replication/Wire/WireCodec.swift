import CompressNIO
import Foundation
import NIOCore
import SwiftProtobuf

/// Encodes and decodes sync messages and batch payloads (protobuf, zlib-compressed batches).
///
///     let payload = try WireCodec.encodeBatch(page.batch)
///     let frame = try WireCodec.encode(.batch(.init(batchID: 1, seqFrom: 0, seqTo: page.through,
///                                                   compressed: true, payload: payload, cellCount: n)))
///     let message = try WireCodec.decode(frame)
public enum WireCodec {
    /// Decoded payloads larger than this are refused (a compression bomb is not a batch).
    public static let defaultMaxPayloadBytes = 64 << 20

    /// The largest sequence number, watermark or millisecond time a message may carry (2⁶³−1): both
    /// ends keep them as SQLite integers. A larger one makes the frame malformed.
    public static let maxSequence = UInt64(Int64.max)

    // MARK: Batches

    /// Serializes a batch as a protobuf `Batch`, zlib-compressed unless `compress` is false.
    ///
    /// - Complexity: O(cells).
    public static func encodeBatch(_ batch: ChangeBatch, compress: Bool = true) throws -> [UInt8] {
        var message = Eldercare_Sync_V1_Batch()
        var originIndex: [NodeCode: UInt32] = [:]
        func index(_ code: NodeCode) -> UInt32 {
            if let index = originIndex[code] { return index }
            let index = UInt32(message.origins.count)
            message.origins.append(code.rawValue)
            originIndex[code] = index
            return index
        }
        message.rows.reserveCapacity(batch.rows.count)
        for row in batch.rows {
            var wireRow = Eldercare_Sync_V1_RowChange()
            wireRow.table = row.table
            wireRow.key = row.key
            wireRow.cells = row.cells.map { cell in
                var wireCell = Eldercare_Sync_V1_Cell()
                wireCell.column = cell.column
                wireCell.value = Eldercare_Sync_V1_Value(cell.value)
                wireCell.clock = cell.clock.rawValue
                wireCell.origin = index(cell.origin)
                return wireCell
            }
            message.rows.append(wireRow)
        }
        message.stats = batch.stats.map { stat in
            var wire = Eldercare_Sync_V1_StatCell()
            wire.origin = index(stat.key.origin)
            wire.community = stat.key.community.rawValue
            wire.metric = stat.key.metric
            wire.dims = stat.key.dims
            wire.period = stat.key.period
            wire.value = stat.value
            wire.clock = stat.clock.rawValue
            return wire
        }
        let bytes: [UInt8] = try message.serializedBytes()
        guard compress else { return bytes }
        var buffer = ByteBuffer(bytes: bytes)
        var compressed = try buffer.compress(with: .zlib())
        return compressed.readBytes(length: compressed.readableBytes) ?? []
    }

    /// Parses a batch payload. Structural problems (bad protobuf, bad compression, an origin index out
    /// of range, an invalid node code) throw `.malformedFrame`; the semantic checks (declared tables,
    /// types, clocks) are the store's, at merge.
    public static func decodeBatch(_ payload: [UInt8], compressed: Bool, maxBytes: Int = defaultMaxPayloadBytes)
        throws(ReplicationError) -> ChangeBatch
    {
        var bytes = payload
        if compressed {
            do {
                var buffer = ByteBuffer(bytes: payload)
                var inflated = try buffer.decompress(with: .zlib(), maxSize: maxBytes)
                bytes = inflated.readBytes(length: inflated.readableBytes) ?? []
            } catch {
                throw ReplicationError(
                    .malformedFrame, "batch payload is not a valid zlib stream within \(maxBytes) bytes")
            }
        }
        let message: Eldercare_Sync_V1_Batch
        do {
            message = try Eldercare_Sync_V1_Batch(serializedBytes: bytes)
        } catch {
            throw ReplicationError(.malformedFrame, "batch payload is not a valid protobuf Batch: \(error)")
        }
        var origins: [NodeCode] = []
        origins.reserveCapacity(message.origins.count)
        for text in message.origins { origins.append(try NodeCode(text)) }
        func origin(_ index: UInt32) throws(ReplicationError) -> NodeCode {
            guard Int(index) < origins.count else {
                throw ReplicationError(.malformedFrame, "origin index \(index) out of range (\(origins.count) origins)")
            }
            return origins[Int(index)]
        }
        var batch = ChangeBatch()
        batch.rows.reserveCapacity(message.rows.count)
        for wireRow in message.rows {
            var cells: [CellChange] = []
            cells.reserveCapacity(wireRow.cells.count)
            for cell in wireRow.cells {
                cells.append(
                    CellChange(
                        column: cell.column, value: try Value(cell.value), clock: HybridTimestamp(rawValue: cell.clock),
                        origin: try origin(cell.origin)))
            }
            batch.rows.append(RowChange(table: wireRow.table, key: wireRow.key, cells: cells))
        }
        batch.stats.reserveCapacity(message.stats.count)
        for stat in message.stats {
            // A subject that is not a code is one bad cell, not a bad payload: the merge refuses it alone.
            guard let community = try? NodeCode(stat.community) else {
                _ = try origin(stat.origin)
                batch.undecodableStats += 1
                continue
            }
            let key = StatKey(
                origin: try origin(stat.origin), community: community, metric: stat.metric,
                dims: stat.dims, period: stat.period)
            batch.stats.append(StatChange(key: key, value: stat.value, clock: HybridTimestamp(rawValue: stat.clock)))
        }
        return batch
    }

    // MARK: Messages

    /// Serializes one message as an `Envelope` frame.
    public static func encode(_ message: SyncMessage) throws -> [UInt8] {
        var envelope = Eldercare_Sync_V1_Envelope()
        switch message {
        case .hello(let hello):
            var wire = Eldercare_Sync_V1_Hello()
            wire.nodeCode = hello.nodeCode
            wire.protocolVersion = hello.protocolVersion
            wire.receivedWatermark = hello.receivedWatermark
            wire.receivedEpoch = hello.receivedEpoch
            wire.feedEpoch = hello.feedEpoch
            wire.software = hello.software
            envelope.hello = wire
        case .welcome(let welcome):
            var wire = Eldercare_Sync_V1_Welcome()
            wire.nodeCode = welcome.nodeCode
            wire.protocolVersion = welcome.protocolVersion
            wire.receivedWatermark = welcome.receivedWatermark
            wire.receivedEpoch = welcome.receivedEpoch
            wire.feedEpoch = welcome.feedEpoch
            wire.maxMessageBytes = welcome.maxMessageBytes
            wire.maxInFlight = welcome.maxInFlight
            envelope.welcome = wire
        case .error(let error):
            var wire = Eldercare_Sync_V1_Error()
            wire.code = Eldercare_Sync_V1_ErrorCode(rawValue: error.code.rawValue) ?? .errorUnspecified
            wire.message = error.message
            wire.batchID = error.batchID
            envelope.error = wire
        case .batch(let frame):
            var wire = Eldercare_Sync_V1_BatchFrame()
            wire.batchID = frame.batchID
            wire.seqFrom = frame.seqFrom
            wire.seqTo = frame.seqTo
            wire.compression = frame.compressed ? .deflate : Eldercare_Sync_V1_Compression.none
            wire.payload = Data(frame.payload)
            wire.cellCount = frame.cellCount
            envelope.batch = wire
        case .ack(let ack):
            var wire = Eldercare_Sync_V1_Ack()
            wire.batchID = ack.batchID
            wire.seqTo = ack.seqTo
            wire.applied = ack.applied
            wire.duplicates = ack.duplicates
            wire.refused = ack.refused
            envelope.ack = wire
        case .heartbeat(let heartbeat):
            var wire = Eldercare_Sync_V1_Heartbeat()
            wire.sentAtMs = heartbeat.sentAtMilliseconds
            wire.feedHead = heartbeat.feedHead
            envelope.heartbeat = wire
        }
        return try envelope.serializedBytes()
    }

    /// Parses one `Envelope` frame.
    ///
    /// - Throws: `ReplicationError(.malformedFrame)` for anything that is not a known message.
    public static func decode(_ frame: [UInt8]) throws(ReplicationError) -> SyncMessage {
        let envelope: Eldercare_Sync_V1_Envelope
        do {
            envelope = try Eldercare_Sync_V1_Envelope(serializedBytes: frame)
        } catch {
            throw ReplicationError(.malformedFrame, "frame of \(frame.count) bytes is not a sync Envelope")
        }
        /// Sequence numbers and watermarks are SQLite integers at both ends: 0…2⁶³−1 (docs/PROTOCOL.md).
        func sequence(_ value: UInt64, _ field: String) throws(ReplicationError) -> UInt64 {
            guard value <= maxSequence else {
                throw ReplicationError(
                    .malformedFrame, "\(field) \(value) is beyond the largest sequence number \(maxSequence)")
            }
            return value
        }
        switch envelope.body {
        case .hello(let wire):
            _ = try sequence(wire.receivedWatermark, "HELLO received_watermark")
            return .hello(
                .init(
                    nodeCode: wire.nodeCode, protocolVersion: wire.protocolVersion,
                    receivedWatermark: wire.receivedWatermark, receivedEpoch: wire.receivedEpoch,
                    feedEpoch: wire.feedEpoch, software: wire.software))
        case .welcome(let wire):
            _ = try sequence(wire.receivedWatermark, "WELCOME received_watermark")
            return .welcome(
                .init(
                    nodeCode: wire.nodeCode, protocolVersion: wire.protocolVersion,
                    receivedWatermark: wire.receivedWatermark, receivedEpoch: wire.receivedEpoch,
                    feedEpoch: wire.feedEpoch, maxMessageBytes: wire.maxMessageBytes, maxInFlight: wire.maxInFlight))
        case .error(let wire):
            return .error(
                .init(
                    code: SyncMessage.SyncError.Code(rawValue: wire.code.rawValue) ?? .unspecified,
                    message: wire.message, batchID: wire.batchID))
        case .batch(let wire):
            guard wire.compression == .deflate || wire.compression == Eldercare_Sync_V1_Compression.none else {
                throw ReplicationError(
                    .malformedFrame, "batch \(wire.batchID) uses unknown compression \(wire.compression.rawValue)")
            }
            _ = try sequence(wire.seqTo, "BATCH seq_to")
            guard wire.seqTo >= wire.seqFrom else {
                throw ReplicationError(
                    .malformedFrame, "batch \(wire.batchID) has seq_to \(wire.seqTo) < seq_from \(wire.seqFrom)")
            }
            return .batch(
                .init(
                    batchID: wire.batchID, seqFrom: wire.seqFrom, seqTo: wire.seqTo,
                    compressed: wire.compression == .deflate, payload: [UInt8](wire.payload), cellCount: wire.cellCount)
            )
        case .ack(let wire):
            return .ack(
                .init(
                    batchID: wire.batchID, seqTo: try sequence(wire.seqTo, "ACK seq_to"), applied: wire.applied,
                    duplicates: wire.duplicates, refused: wire.refused))
        case .heartbeat(let wire):
            return .heartbeat(
                .init(
                    sentAtMilliseconds: try sequence(wire.sentAtMs, "HEARTBEAT sent_at_ms"),
                    feedHead: try sequence(wire.feedHead, "HEARTBEAT feed_head")))
        case nil:
            throw ReplicationError(.malformedFrame, "envelope of \(frame.count) bytes carries no known message")
        }
    }
}

extension Eldercare_Sync_V1_Value {
    init(_ value: Value) {
        self.init()
        switch value {
        case .null: kind = .null(true)
        case .integer(let integer): kind = .integer(integer)
        case .real(let real): kind = .real(real)
        case .text(let text): kind = .text(text)
        }
    }
}

extension Value {
    init(_ wire: Eldercare_Sync_V1_Value) throws(ReplicationError) {
        switch wire.kind {
        case .null, nil: self = .null
        case .integer(let integer): self = .integer(integer)
        case .real(let real): self = .real(real)
        case .text(let text): self = .text(text)
        }
    }
}
