import ZeroMQTransport

/// Namespace of the transport suites, so `swift test --filter Transport` selects them.
enum TransportTests {}

extension ZeroMQSocket {
    /// The next message if one arrives within `milliseconds`, else nil (one bounded `zmq_poll`).
    func receive(within milliseconds: Int) throws -> ZeroMQMessage? {
        guard try poll(.readable, timeoutMilliseconds: milliseconds).contains(.readable) else { return nil }
        return try receive(dontWait: true)
    }
}

/// Generous bound for things that should happen (loopback handshakes are fast, CI machines may not be).
let arrivalMilliseconds = 5_000
/// How long to watch for something that must not happen.
let silenceMilliseconds = 1_000

func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
