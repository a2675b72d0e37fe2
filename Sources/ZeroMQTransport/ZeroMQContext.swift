internal import CZeroMQ

/// A libzmq context: the I/O threads and the `inproc://` namespace that sockets share.
///
/// A context is thread-safe and may be shared. Every `ZeroMQSocket` keeps its context alive, so the context is
/// terminated (`zmq_ctx_term`) only once the last socket made from it is gone; together with the linger every
/// socket sets, termination cannot hang.
///
///     let context = try ZeroMQContext()
///     defer { context.shutdown() }
///     let socket = try ZeroMQSocket(context: context, type: .dealer)
public final class ZeroMQContext: Sendable {
    /// The `void *` from `zmq_ctx_new`; libzmq contexts are safe to use from any thread.
    nonisolated(unsafe) let handle: UnsafeMutableRawPointer

    /// Creates a context with libzmq's default single I/O thread.
    ///
    /// `ZMQ_BLOCKY` is turned off, so a socket that somehow escaped `ZMQ_LINGER` still cannot make termination
    /// wait for unsent messages.
    public init() throws(ZeroMQError) {
        handle = try zmqCall("zmq_ctx_new") { zmq_ctx_new() }
        do {
            try zmqCall("zmq_ctx_set(ZMQ_BLOCKY, 0)") { zmq_ctx_set(handle, ZMQ_BLOCKY, 0) }
        } catch {
            _ = try? zmqCall("zmq_ctx_term") { zmq_ctx_term(handle) }
            throw error
        }
    }

    /// Shuts the context down (`zmq_ctx_shutdown`): blocking calls on its sockets return an error whose
    /// `isContextTerminated` is true, and no new socket can be made. Open sockets must still be closed; the context
    /// is terminated when the last of them and this object are released. Calling it again does nothing.
    public func shutdown() {
        _ = try? zmqCall("zmq_ctx_shutdown") { zmq_ctx_shutdown(handle) }
    }

    deinit {
        // No socket can be open here: each one holds a strong reference to its context.
        _ = try? zmqCall("zmq_ctx_term") { zmq_ctx_term(handle) }
    }
}
