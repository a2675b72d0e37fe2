internal import CZeroMQ

/// The one gate every fallible libzmq call goes through (after swift-nio's `syscall`).
///
/// Runs `body` until it does not fail with `EINTR`, reads `zmq_errno()` right at the failing call, and turns a
/// failure into a `ZeroMQError`. On a non-blocking call (`nonBlocking: true`), `EAGAIN` is a normal outcome and
/// comes back as `nil`; a blocking call never returns `nil`.
///
///     let sent = try zmqCall("zmq_send", nonBlocking: true, failure: -1) { zmq_send(handle, bytes, count, flags) }
///     if sent == nil { return false }  // EAGAIN: the queue is full right now
func zmqCall<Result: Equatable>(
    _ operation: @autoclosure () -> String,
    nonBlocking: Bool,
    failure: Result,
    _ body: () -> Result
) throws(ZeroMQError) -> Result? {
    while true {
        let result = body()
        guard result == failure else { return result }
        let code = zmq_errno()
        if code == EINTR { continue }
        if nonBlocking && code == EAGAIN { return nil }
        throw ZeroMQError(code: code, operation: operation())
    }
}

/// A blocking libzmq call returning `int`, failed when it returns -1.
@discardableResult
func zmqCall(_ operation: @autoclosure () -> String, _ body: () -> Int32) throws(ZeroMQError) -> Int32 {
    guard let result = try zmqCall(operation(), nonBlocking: false, failure: -1, body) else {
        preconditionFailure("a blocking libzmq call never reports EAGAIN as a result")
    }
    return result
}

/// A libzmq call returning a pointer, failed when it returns NULL.
func zmqCall<Pointee: Equatable>(
    _ operation: @autoclosure () -> String,
    _ body: () -> Pointee?
) throws(ZeroMQError) -> Pointee {
    guard let result = try zmqCall(operation(), nonBlocking: false, failure: nil, body),
        let pointer = result
    else {
        preconditionFailure("a blocking libzmq call never reports EAGAIN as a result")
    }
    return pointer
}
