/// One message of the tier-to-tier sync protocol (docs/PROTOCOL.md). On the wire each is one
/// ZeroMQ frame holding a protobuf `eldercare.sync.v1.Envelope`.
public enum SyncMessage: Sendable, Equatable {
    case hello(Hello)
    case welcome(Welcome)
    case error(SyncError)
    case batch(BatchFrame)
    case ack(Ack)
    case heartbeat(Heartbeat)

    /// Child → parent: who I am and where my copy of your feed stands.
    public struct Hello: Sendable, Equatable {
        public var nodeCode: String
        public var protocolVersion: UInt32
        public var receivedWatermark: UInt64
        public var receivedEpoch: String
        public var feedEpoch: String
        public var software: String

        public init(
            nodeCode: String, protocolVersion: UInt32, receivedWatermark: UInt64, receivedEpoch: String,
            feedEpoch: String, software: String
        ) {
            self.nodeCode = nodeCode
            self.protocolVersion = protocolVersion
            self.receivedWatermark = receivedWatermark
            self.receivedEpoch = receivedEpoch
            self.feedEpoch = feedEpoch
            self.software = software
        }
    }

    /// Parent → child: accepted; where my copy of your feed stands, and the link limits.
    public struct Welcome: Sendable, Equatable {
        public var nodeCode: String
        public var protocolVersion: UInt32
        public var receivedWatermark: UInt64
        public var receivedEpoch: String
        public var feedEpoch: String
        public var maxMessageBytes: UInt64
        public var maxInFlight: UInt32

        public init(
            nodeCode: String, protocolVersion: UInt32, receivedWatermark: UInt64, receivedEpoch: String,
            feedEpoch: String, maxMessageBytes: UInt64, maxInFlight: UInt32
        ) {
            self.nodeCode = nodeCode
            self.protocolVersion = protocolVersion
            self.receivedWatermark = receivedWatermark
            self.receivedEpoch = receivedEpoch
            self.feedEpoch = feedEpoch
            self.maxMessageBytes = maxMessageBytes
            self.maxInFlight = maxInFlight
        }
    }

    /// A refusal, with a code a program can act on and a message a person can.
    public struct SyncError: Sendable, Equatable {
        public enum Code: Int, Sendable, CaseIterable {
            case unspecified = 0
            case malformed, unsupportedVersion, notTrusted, notWelcomed, foreignOrigin, clockSkew, invalidChange,
                tooLarge
            case `internal`, outOfOrder
        }

        public var code: Code
        public var message: String
        public var batchID: UInt64

        public init(code: Code, message: String, batchID: UInt64 = 0) {
            self.code = code
            self.message = message
            self.batchID = batchID
        }
    }

    /// Changes `(seqFrom, seqTo]` of the sender's feed; `payload` is an encoded `Batch`.
    public struct BatchFrame: Sendable, Equatable {
        public var batchID: UInt64
        public var seqFrom: UInt64
        public var seqTo: UInt64
        public var compressed: Bool
        public var payload: [UInt8]
        public var cellCount: UInt32

        public init(
            batchID: UInt64, seqFrom: UInt64, seqTo: UInt64, compressed: Bool, payload: [UInt8], cellCount: UInt32
        ) {
            self.batchID = batchID
            self.seqFrom = seqFrom
            self.seqTo = seqTo
            self.compressed = compressed
            self.payload = payload
            self.cellCount = cellCount
        }
    }

    /// The receiver committed batch `batchID`; its watermark is now `seqTo`.
    public struct Ack: Sendable, Equatable {
        public var batchID: UInt64
        public var seqTo: UInt64
        public var applied: UInt32
        public var duplicates: UInt32
        /// Cells of changes the receiver refused and left out (docs/PROTOCOL.md, "What a receiver refuses").
        public var refused: UInt32

        public init(batchID: UInt64, seqTo: UInt64, applied: UInt32, duplicates: UInt32, refused: UInt32 = 0) {
            self.batchID = batchID
            self.seqTo = seqTo
            self.applied = applied
            self.duplicates = duplicates
            self.refused = refused
        }
    }

    /// Liveness, and the sender's feed head for lag.
    public struct Heartbeat: Sendable, Equatable {
        public var sentAtMilliseconds: UInt64
        public var feedHead: UInt64

        public init(sentAtMilliseconds: UInt64, feedHead: UInt64) {
            self.sentAtMilliseconds = sentAtMilliseconds
            self.feedHead = feedHead
        }
    }
}
