internal import CZeroMQ

/// A libzmq socket, owned by exactly one actor or thread (libzmq sockets are not thread-safe, so this type is
/// deliberately not `Sendable`).
///
/// The socket sets `ZMQ_LINGER` to 0 when it is made, so closing it, and terminating its context, never waits for
/// unsent messages. Options that affect connections (keys, limits, heartbeats) must be set before `bind`/`connect`.
///
///     let dealer = try ZeroMQSocket(context: context, type: .dealer)
///     defer { dealer.close() }
///     try dealer.connect("tcp://127.0.0.1:5555")
///     _ = try dealer.send([Array("hello".utf8)], dontWait: false)
public final class ZeroMQSocket {
    /// The ZeroMQ socket patterns.
    public enum SocketType: Sendable, CaseIterable {
        case router, dealer, rep, req, pair, pub, sub, push, pull

        var rawValue: Int32 {
            switch self {
            case .router: ZMQ_ROUTER
            case .dealer: ZMQ_DEALER
            case .rep: ZMQ_REP
            case .req: ZMQ_REQ
            case .pair: ZMQ_PAIR
            case .pub: ZMQ_PUB
            case .sub: ZMQ_SUB
            case .push: ZMQ_PUSH
            case .pull: ZMQ_PULL
            }
        }
    }

    /// What `poll` waits for, and what it found.
    public struct PollEvents: OptionSet, Sendable, Hashable {
        public let rawValue: Int16
        public init(rawValue: Int16) { self.rawValue = rawValue }

        /// At least one message can be received without blocking (`ZMQ_POLLIN`).
        public static let readable = PollEvents(rawValue: Int16(ZMQ_POLLIN))
        /// At least one message can be sent without blocking (`ZMQ_POLLOUT`).
        public static let writable = PollEvents(rawValue: Int16(ZMQ_POLLOUT))
    }

    /// The default `ZMQ_LINGER` every new socket gets, in milliseconds.
    public static let defaultLingerMilliseconds = 0

    /// The pattern this socket was made with.
    public let type: SocketType
    /// Kept so the context outlives the socket and `zmq_ctx_term` never waits for an open socket.
    private let context: ZeroMQContext
    /// The `void *` from `zmq_socket`, nil once closed.
    private var handle: UnsafeMutableRawPointer?

    /// Makes a socket of `type` in `context` with `ZMQ_LINGER` set to `defaultLingerMilliseconds`.
    public init(context: ZeroMQContext, type: SocketType) throws(ZeroMQError) {
        self.context = context
        self.type = type
        let made = try zmqCall("zmq_socket(\(type))") { zmq_socket(context.handle, type.rawValue) }
        self.handle = made
        do {
            try setLinger(milliseconds: Self.defaultLingerMilliseconds)
        } catch {
            close()
            throw error
        }
    }

    deinit { close() }

    /// True once `close()` ran.
    public var isClosed: Bool { handle == nil }

    /// Closes the socket (`zmq_close`); later calls throw `ENOTSOCK`. Closing twice does nothing.
    public func close() {
        guard let open = handle else { return }
        handle = nil
        _ = try? zmqCall("zmq_close") { zmq_close(open) }
    }

    // MARK: - Endpoints

    /// Binds to `endpoint`, e.g. `"tcp://127.0.0.1:*"` for a free port (read it back with `lastEndpoint`).
    public func bind(_ endpoint: String) throws(ZeroMQError) {
        let open = try openHandle("zmq_bind(\(endpoint))")
        try zmqCall("zmq_bind(\(endpoint))") { zmq_bind(open, endpoint) }
    }

    /// Connects to `endpoint`; the connection itself is made (and remade) in the background.
    public func connect(_ endpoint: String) throws(ZeroMQError) {
        let open = try openHandle("zmq_connect(\(endpoint))")
        try zmqCall("zmq_connect(\(endpoint))") { zmq_connect(open, endpoint) }
    }

    /// Stops listening on an endpoint given to `bind` (use the resolved `lastEndpoint` for a wildcard port).
    public func unbind(_ endpoint: String) throws(ZeroMQError) {
        let open = try openHandle("zmq_unbind(\(endpoint))")
        try zmqCall("zmq_unbind(\(endpoint))") { zmq_unbind(open, endpoint) }
    }

    /// Drops the connection made by `connect(endpoint)`.
    public func disconnect(_ endpoint: String) throws(ZeroMQError) {
        let open = try openHandle("zmq_disconnect(\(endpoint))")
        try zmqCall("zmq_disconnect(\(endpoint))") { zmq_disconnect(open, endpoint) }
    }

    /// The endpoint of the last `bind` or `connect` (`ZMQ_LAST_ENDPOINT`), with a wildcard port resolved:
    /// `"tcp://127.0.0.1:41234"`. Empty when there was none.
    public var lastEndpoint: String {
        get throws(ZeroMQError) {
            let open = try openHandle("zmq_getsockopt(ZMQ_LAST_ENDPOINT)")
            var buffer = [CChar](repeating: 0, count: 1024)
            var size = buffer.count
            try zmqCall("zmq_getsockopt(ZMQ_LAST_ENDPOINT)") {
                zmq_getsockopt(open, ZMQ_LAST_ENDPOINT, &buffer, &size)
            }
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    // MARK: - Messages

    /// Sends `frames` as one multipart message.
    ///
    /// Returns false when `dontWait` is true and the message cannot be queued now (`EAGAIN`: high-water mark
    /// reached, or no peer for a socket type that needs one); nothing was sent then. Throws for any other failure,
    /// e.g. `EHOSTUNREACH` from a ROUTER with `routerMandatory` and an unknown routing id.
    public func send(_ frames: [[UInt8]], dontWait: Bool = false) throws(ZeroMQError) -> Bool {
        let open = try openHandle("zmq_send")
        guard !frames.isEmpty else {
            throw ZeroMQError(code: EINVAL, operation: "zmq_send", message: "a message needs at least one frame")
        }
        for (index, frame) in frames.enumerated() {
            var flags: Int32 = index < frames.count - 1 ? ZMQ_SNDMORE : 0
            if dontWait { flags |= ZMQ_DONTWAIT }
            let sent = try zmqCall("zmq_send", nonBlocking: dontWait, failure: -1) {
                frame.withUnsafeBytes { bytes in zmq_send(open, bytes.baseAddress, bytes.count, flags) }
            }
            if sent == nil {
                // libzmq accepts the rest of a multipart message once its first frame is queued.
                guard index == 0 else {
                    throw ZeroMQError(
                        code: EAGAIN, operation: "zmq_send",
                        message: "frame \(index + 1) of \(frames.count) was refused after the first was queued")
                }
                return false
            }
        }
        return true
    }

    /// Receives one multipart message; nil when `dontWait` is true and none is waiting (`EAGAIN`).
    ///
    /// The message's `userID` is the ZAP `User-Id` of the connection it came from, if any.
    public func receive(dontWait: Bool = false) throws(ZeroMQError) -> ZeroMQMessage? {
        let open = try openHandle("zmq_msg_recv")
        let message = UnsafeMutablePointer<zmq_msg_t>.allocate(capacity: 1)
        defer { message.deallocate() }
        var frames: [[UInt8]] = []
        while true {
            try zmqCall("zmq_msg_init") { zmq_msg_init(message) }
            defer { _ = zmq_msg_close(message) }  // cannot fail on an initialised message
            // Only the first frame may be missing; the others of a multipart message arrive with it.
            let waiting = dontWait && frames.isEmpty
            let received = try zmqCall("zmq_msg_recv", nonBlocking: waiting, failure: -1) {
                zmq_msg_recv(message, open, waiting ? ZMQ_DONTWAIT : 0)
            }
            guard received != nil else { return nil }
            let size = zmq_msg_size(message)
            if let data = zmq_msg_data(message), size > 0 {
                frames.append(Array(UnsafeRawBufferPointer(start: data, count: size)))
            } else {
                frames.append([])
            }
            if zmq_msg_more(message) == 0 {
                // zmq_msg_gets returns NULL (EINVAL) when the property is absent: a normal outcome, not an error.
                let userID = zmq_msg_gets(message, "User-Id").map { String(cString: $0) }
                return ZeroMQMessage(frames: frames, userID: userID)
            }
        }
    }

    // MARK: - Polling

    /// Waits up to `timeoutMilliseconds` (-1: forever, 0: just look) for `events` on this socket and returns
    /// those that occurred (empty on timeout).
    public func poll(_ events: PollEvents = .readable, timeoutMilliseconds: Int) throws(ZeroMQError) -> PollEvents {
        try Self.poll([(self, events)], timeoutMilliseconds: timeoutMilliseconds)[0]
    }

    /// Waits up to `timeoutMilliseconds` (-1: forever, 0: just look) for any of the requested events
    /// (`zmq_poll`) and returns, per item and in order, the events that occurred.
    ///
    /// The calling thread blocks: from an actor, run this on a `SerialThreadExecutor` with a short timeout.
    public static func poll(
        _ items: [(socket: ZeroMQSocket, events: PollEvents)],
        timeoutMilliseconds: Int
    ) throws(ZeroMQError) -> [PollEvents] {
        var pollItems: [zmq_pollitem_t] = []
        pollItems.reserveCapacity(items.count)
        for item in items {
            let open = try item.socket.openHandle("zmq_poll")
            pollItems.append(zmq_pollitem_t(socket: open, fd: -1, events: item.events.rawValue, revents: 0))
        }
        let count = Int32(clamping: pollItems.count)
        try zmqCall("zmq_poll") { zmq_poll(&pollItems, count, timeoutMilliseconds) }
        return pollItems.map { PollEvents(rawValue: $0.revents).intersection([.readable, .writable]) }
    }

    // MARK: - Options

    /// How long unsent messages are kept after `close` (`ZMQ_LINGER`); -1 forever, which this wrapper avoids.
    public func setLinger(milliseconds: Int) throws(ZeroMQError) {
        try setOption(ZMQ_LINGER, "ZMQ_LINGER", int32: milliseconds)
    }

    /// The most messages queued for sending per peer before `send` blocks or refuses (`ZMQ_SNDHWM`; 0: no limit).
    public func setSendHighWaterMark(_ messages: Int) throws(ZeroMQError) {
        try setOption(ZMQ_SNDHWM, "ZMQ_SNDHWM", int32: messages)
    }

    /// The most messages queued for receiving per peer (`ZMQ_RCVHWM`; 0: no limit).
    public func setReceiveHighWaterMark(_ messages: Int) throws(ZeroMQError) {
        try setOption(ZMQ_RCVHWM, "ZMQ_RCVHWM", int32: messages)
    }

    /// The largest frame a peer may send (`ZMQ_MAXMSGSIZE`, -1: no limit); a peer that sends a larger one is
    /// disconnected and the frame is dropped.
    public func setMaxMessageSize(_ bytes: Int64) throws(ZeroMQError) {
        try setOption(ZMQ_MAXMSGSIZE, "ZMQ_MAXMSGSIZE", value: bytes)
    }

    /// The identity a ROUTER peer sees for this socket (`ZMQ_ROUTING_ID`, 1 to 255 bytes, not starting with 0).
    public func setRoutingID(_ id: [UInt8]) throws(ZeroMQError) {
        let open = try openHandle("zmq_setsockopt(ZMQ_ROUTING_ID)")
        try zmqCall("zmq_setsockopt(ZMQ_ROUTING_ID)") {
            id.withUnsafeBytes { bytes in zmq_setsockopt(open, ZMQ_ROUTING_ID, bytes.baseAddress, bytes.count) }
        }
    }

    /// Makes a ROUTER report an unroutable message as `EHOSTUNREACH` instead of dropping it
    /// (`ZMQ_ROUTER_MANDATORY`).
    public func setRouterMandatory(_ enabled: Bool) throws(ZeroMQError) {
        try setOption(ZMQ_ROUTER_MANDATORY, "ZMQ_ROUTER_MANDATORY", int32: enabled ? 1 : 0)
    }

    /// Queues messages only for completed connections (`ZMQ_IMMEDIATE`).
    public func setImmediate(_ enabled: Bool) throws(ZeroMQError) {
        try setOption(ZMQ_IMMEDIATE, "ZMQ_IMMEDIATE", int32: enabled ? 1 : 0)
    }

    /// The first wait before reconnecting (`ZMQ_RECONNECT_IVL`; -1: never reconnect).
    public func setReconnectInterval(milliseconds: Int) throws(ZeroMQError) {
        try setOption(ZMQ_RECONNECT_IVL, "ZMQ_RECONNECT_IVL", int32: milliseconds)
    }

    /// The ceiling of the exponential reconnect backoff (`ZMQ_RECONNECT_IVL_MAX`; 0: no backoff).
    public func setReconnectIntervalMax(milliseconds: Int) throws(ZeroMQError) {
        try setOption(ZMQ_RECONNECT_IVL_MAX, "ZMQ_RECONNECT_IVL_MAX", int32: milliseconds)
    }

    /// The longest a security handshake may take before the connection is dropped (`ZMQ_HANDSHAKE_IVL`; 0: none).
    public func setHandshakeInterval(milliseconds: Int) throws(ZeroMQError) {
        try setOption(ZMQ_HANDSHAKE_IVL, "ZMQ_HANDSHAKE_IVL", int32: milliseconds)
    }

    /// ZMTP heartbeats: a PING every `intervalMilliseconds` (`ZMQ_HEARTBEAT_IVL`; 0: off), the time the peer may
    /// wait for traffic before dropping us (`ZMQ_HEARTBEAT_TTL`, rounded down to tenths of a second), and how long
    /// we wait for a PONG before dropping the peer (`ZMQ_HEARTBEAT_TIMEOUT`).
    public func setHeartbeat(
        intervalMilliseconds: Int,
        timeToLiveMilliseconds: Int,
        timeoutMilliseconds: Int
    ) throws(ZeroMQError) {
        try setOption(ZMQ_HEARTBEAT_IVL, "ZMQ_HEARTBEAT_IVL", int32: intervalMilliseconds)
        try setOption(ZMQ_HEARTBEAT_TTL, "ZMQ_HEARTBEAT_TTL", int32: timeToLiveMilliseconds)
        try setOption(ZMQ_HEARTBEAT_TIMEOUT, "ZMQ_HEARTBEAT_TIMEOUT", int32: timeoutMilliseconds)
    }

    /// Makes this socket a CURVE server with the Z85 `secretKey` (`ZMQ_CURVE_SERVER` = 1, `ZMQ_CURVE_SECRETKEY`).
    /// Start a `ZAPAuthenticator` on the same context before binding, or every client key is accepted.
    public func makeCurveServer(secretKey: String) throws(ZeroMQError) {
        try CurveKeyPair.requireCurve(operation: "makeCurveServer(secretKey:)")
        try CurveKeyPair.validate(secretKey, role: "server secret key")
        try setOption(ZMQ_CURVE_SERVER, "ZMQ_CURVE_SERVER", int32: 1)
        try setOption(ZMQ_CURVE_SECRETKEY, "ZMQ_CURVE_SECRETKEY", string: secretKey)
    }

    /// Makes this socket a CURVE client of the server with `serverPublicKey`, using its own key pair; all keys are
    /// Z85 (`ZMQ_CURVE_SERVERKEY`, `ZMQ_CURVE_PUBLICKEY`, `ZMQ_CURVE_SECRETKEY`).
    public func makeCurveClient(serverPublicKey: String, publicKey: String, secretKey: String) throws(ZeroMQError) {
        try CurveKeyPair.requireCurve(operation: "makeCurveClient(serverPublicKey:publicKey:secretKey:)")
        try CurveKeyPair.validate(serverPublicKey, role: "server public key")
        try CurveKeyPair.validate(publicKey, role: "client public key")
        try CurveKeyPair.validate(secretKey, role: "client secret key")
        try setOption(ZMQ_CURVE_SERVERKEY, "ZMQ_CURVE_SERVERKEY", string: serverPublicKey)
        try setOption(ZMQ_CURVE_PUBLICKEY, "ZMQ_CURVE_PUBLICKEY", string: publicKey)
        try setOption(ZMQ_CURVE_SECRETKEY, "ZMQ_CURVE_SECRETKEY", string: secretKey)
    }

    /// The ZAP domain passed to the authenticator for connections to this socket (`ZMQ_ZAP_DOMAIN`, 1 to 255 bytes;
    /// libzmq 4.3 refuses the empty string with `EINVAL`).
    public func setZAPDomain(_ domain: String) throws(ZeroMQError) {
        try setOption(ZMQ_ZAP_DOMAIN, "ZMQ_ZAP_DOMAIN", string: domain)
    }

    // MARK: - Internals

    private func openHandle(_ operation: @autoclosure () -> String) throws(ZeroMQError) -> UnsafeMutableRawPointer {
        guard let handle else {
            throw ZeroMQError(code: ENOTSOCK, operation: operation(), message: "the socket is closed")
        }
        return handle
    }

    private func setOption(_ option: Int32, _ name: String, int32 value: Int) throws(ZeroMQError) {
        guard let narrow = Int32(exactly: value) else {
            throw ZeroMQError(
                code: EINVAL, operation: "zmq_setsockopt(\(name))", message: "\(value) does not fit in 32 bits")
        }
        try setOption(option, name, value: narrow)
    }

    private func setOption<Value: BitwiseCopyable>(_ option: Int32, _ name: String, value: Value) throws(ZeroMQError) {
        let open = try openHandle("zmq_setsockopt(\(name))")
        try zmqCall("zmq_setsockopt(\(name))") {
            withUnsafeBytes(of: value) { bytes in zmq_setsockopt(open, option, bytes.baseAddress, bytes.count) }
        }
    }

    /// A string option, passed without its terminating NUL (libzmq takes Z85 keys as 40 bytes).
    private func setOption(_ option: Int32, _ name: String, string: String) throws(ZeroMQError) {
        let open = try openHandle("zmq_setsockopt(\(name))")
        let bytes = Array(string.utf8)
        try zmqCall("zmq_setsockopt(\(name))") {
            bytes.withUnsafeBytes { buffer in zmq_setsockopt(open, option, buffer.baseAddress, buffer.count) }
        }
    }
}
