import Foundation

/// A ZAP handler (ZeroMQ RFC 27) that decides which CURVE clients a context's server sockets accept.
///
/// It binds a REP socket to `inproc://zeromq.zap.01` in `context` and answers each request on its own thread:
/// a CURVE client key (as Z85) is passed to `authorize` together with the server socket's ZAP domain and the peer
/// address; a non-nil answer accepts the connection with that string as its `User-Id` (which every message from
/// it then carries as `ZeroMQMessage.userID`), nil refuses it (status 400). Every other mechanism is refused.
///
/// Create it before a CURVE server socket binds: without a handler, libzmq lets every client key in.
///
///     let zap = try ZAPAuthenticator(context: context) { key, domain, _ in
///         domain == "federation" ? trustedChildren[key] : nil     // the child's node code, or nil
///     }
///     defer { zap.stop() }
public final class ZAPAuthenticator: Sendable {
    /// Decides one CURVE client: `(publicKeyZ85, domain, peerAddress)` → the `User-Id` to grant, or nil to refuse.
    /// Runs on the handler's thread, so it should answer quickly.
    public typealias Authorize = @Sendable (_ publicKey: String, _ domain: String, _ address: String) -> String?

    /// The endpoint libzmq asks for ZAP requests (RFC 27).
    public static let endpoint = "inproc://zeromq.zap.01"

    /// How long the handler thread blocks in `zmq_poll` before looking whether it should stop.
    static let pollMilliseconds = 50

    private let state: State

    /// Binds the handler in `context` and starts its thread; returns once the handler is listening.
    ///
    /// Throws when the socket cannot be made or bound, e.g. `EADDRINUSE` if the context already has a handler.
    public init(context: ZeroMQContext, authorize: @escaping Authorize) throws(ZeroMQError) {
        let state = State()
        let thread = Thread {
            Thread.current.name = "ZAPAuthenticator"
            Self.serve(context: context, state: state, authorize: authorize)
        }
        thread.start()
        if let failure = state.waitUntilStarted() { throw failure }
        self.state = state
    }

    /// Stops the handler and waits until its socket is closed. Calling it again does nothing.
    public func stop() { state.stopAndWait() }

    /// The error that ended the handler early (e.g. the context was shut down), nil while it runs or after `stop()`.
    public var failure: ZeroMQError? { state.failure }

    deinit { stop() }

    // MARK: - The handler thread

    private static func serve(context: ZeroMQContext, state: State, authorize: Authorize) {
        let socket: ZeroMQSocket
        do throws(ZeroMQError) {
            socket = try ZeroMQSocket(context: context, type: .rep)
            try socket.bind(endpoint)
        } catch {
            state.finishStarting(failure: error)
            return
        }
        state.finishStarting(failure: nil)
        var failure: ZeroMQError?
        while !state.isStopRequested {
            do throws(ZeroMQError) {
                guard try socket.poll(.readable, timeoutMilliseconds: pollMilliseconds).contains(.readable),
                    let request = try socket.receive(dontWait: true)
                else { continue }
                _ = try socket.send(reply(to: request.frames, authorize: authorize))
            } catch {
                failure = error
                break
            }
        }
        // Unbinding releases the inproc name at once; closing alone frees it later on libzmq's reaper thread.
        try? socket.unbind(Self.endpoint)
        socket.close()
        state.finishStopping(failure: failure)
    }

    /// The six reply frames for one request: version, request id, status code, status text, user id, metadata.
    static func reply(to request: [[UInt8]], authorize: Authorize) -> [[UInt8]] {
        func answer(_ status: String, _ text: String, userID: String = "") -> [[UInt8]] {
            let requestID = request.count > 1 ? request[1] : []
            return [Array("1.0".utf8), requestID, Array(status.utf8), Array(text.utf8), Array(userID.utf8), []]
        }
        func text(_ frame: [UInt8]) -> String { String(decoding: frame, as: UTF8.self) }

        // version, request id, domain, address, routing id, mechanism, credentials…
        guard request.count >= 6, text(request[0]) == "1.0" else {
            return answer("500", "Malformed ZAP request")
        }
        let (domain, address, mechanism) = (text(request[2]), text(request[3]), text(request[5]))
        guard mechanism == "CURVE" else {
            return answer("400", "Mechanism \(mechanism) is not accepted")
        }
        guard request.count == 7, let clientKey = try? CurveKeyPair.encode(request[6]) else {
            return answer("500", "Malformed CURVE credentials")
        }
        guard let userID = authorize(clientKey, domain, address) else {
            return answer("400", "Client key is not trusted")
        }
        return answer("200", "OK", userID: userID)
    }

    /// The start/stop handshake between the owner and the handler thread.
    private final class State: @unchecked Sendable {
        private enum Phase { case starting, running, stopping, stopped }

        private let condition = NSCondition()
        private var phase = Phase.starting
        private var startFailure: ZeroMQError?
        private var endFailure: ZeroMQError?

        var isStopRequested: Bool {
            condition.withLock { phase == .stopping }
        }

        var failure: ZeroMQError? {
            condition.withLock { endFailure }
        }

        func finishStarting(failure: ZeroMQError?) {
            condition.withLock {
                startFailure = failure
                phase = failure == nil ? .running : .stopped
                condition.broadcast()
            }
        }

        func waitUntilStarted() -> ZeroMQError? {
            condition.withLock {
                while phase == .starting { condition.wait() }
                return startFailure
            }
        }

        func finishStopping(failure: ZeroMQError?) {
            condition.withLock {
                if phase != .stopping { endFailure = failure }
                phase = .stopped
                condition.broadcast()
            }
        }

        func stopAndWait() {
            condition.withLock {
                if phase == .running { phase = .stopping }
                while phase != .stopped { condition.wait() }
            }
        }
    }
}
