internal import CZeroMQ

/// A failed libzmq call: the `zmq_errno()` captured where it failed, the operation that failed, and libzmq's own
/// explanation of the code.
///
///     do { try socket.connect("tcp://nonsense") }
///     catch { print(error) }  // "zmq_connect(tcp://nonsense) failed: Invalid argument (errno 22)"
public struct ZeroMQError: Error, Sendable, CustomStringConvertible {
    /// The `zmq_errno()` value (a POSIX `errno` or one of libzmq's own codes such as `ETERM`).
    public let code: Int32
    /// The operation that failed, usually the libzmq function and its argument: `"zmq_bind(tcp://…)"`.
    public let operation: String
    /// A sentence a person can act on; `zmq_strerror(code)` unless the wrapper knows better.
    public let message: String

    /// An error for `code`, explained by `message` or, when that is nil, by `zmq_strerror(code)`.
    public init(code: Int32, operation: String, message: String? = nil) {
        self.code = code
        self.operation = operation
        self.message = message ?? String(cString: zmq_strerror(code))
    }

    /// True when the context was shut down or terminated (`ETERM`): the socket's owner should close it and stop.
    public var isContextTerminated: Bool { code == ETERM }

    public var description: String { "\(operation) failed: \(message) (errno \(code))" }
}
