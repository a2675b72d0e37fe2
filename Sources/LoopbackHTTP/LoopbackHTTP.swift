import NIOConcurrencyHelpers
public import NIOCore
public import NIOHTTP1
import NIOPosix

/// Keep-alive HTTP/1.1 connections (SwiftNIO) to a node's HTTP address, one request at a time — the
/// client of the benchmark's load generators (`fedbench ingest`, `fedbench import`) and of the chaos
/// harness (`fedchaos`). It replaced `URLSession` in both: on Linux that implementation (libcurl
/// driven by libdispatch sources) spent about a quarter of the two shared cores on its own wake-ups,
/// and a chaos run on CI once waited on one of its requests for over an hour, past its timeout.
///
/// A connection can carry a deadline: when it passes, the connection is closed on its event loop and
/// whatever is waiting on it fails at once, whatever the server does.
///
///     let (status, body) = try await LoopbackHTTP.withConnection(port: 8080, token: token) { connection in
///         try await connection.send(.POST, "/api/v1/calls", body: json)
///     }
public enum LoopbackHTTP {
    typealias Channel = NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>

    /// The event loop of every connection (one thread; a node under test has its own).
    static let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Opens a connection, runs `body` with it and closes it. With a `deadline` (seconds from now),
    /// connecting and everything `body` does on the connection must finish within it, or they fail.
    public static func withConnection<T: Sendable>(
        host: String = "127.0.0.1", port: Int, token: String? = nil, deadline seconds: Double? = nil,
        _ body: (Connection) async throws -> T
    ) async throws -> T {
        var bootstrap = ClientBootstrap(group: group).channelOption(.socketOption(.tcp_nodelay), value: 1)
        if let seconds { bootstrap = bootstrap.connectTimeout(.milliseconds(Int64(seconds * 1000))) }
        let channel = try await bootstrap.connect(host: host, port: port) { channel in
            channel.eventLoop.makeCompletedFuture {
                try channel.pipeline.syncOperations.addHTTPClientHandlers()
                return try Channel(wrappingChannelSynchronously: channel)
            }
        }
        let expired = NIOLockedValueBox(false)
        let expiry = seconds.map { seconds in
            channel.channel.eventLoop.scheduleTask(in: .milliseconds(Int64(seconds * 1000))) {
                expired.withLockedValue { $0 = true }
                channel.channel.close(promise: nil)
            }
        }
        defer { expiry?.cancel() }
        do {
            return try await channel.executeThenClose { inbound, outbound in
                try await body(
                    Connection(answers: inbound.makeAsyncIterator(), requests: outbound, host: host, token: token))
            }
        } catch {
            if let seconds, expired.withLockedValue({ $0 }) {
                throw Failure(description: "no answer from \(host):\(port) within \(seconds) s (\(error))")
            }
            throw error
        }
    }

    /// One open connection; it belongs to the task that opened it (it holds the answers' one iterator).
    public final class Connection {
        private var answers: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator
        private let requests: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>
        private let host: String
        private let token: String?

        init(
            answers: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator,
            requests: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>, host: String, token: String?
        ) {
            self.answers = answers
            self.requests = requests
            self.host = host
            self.token = token
        }

        /// Sends one request (with `Authorization: Bearer` when the connection has a token) and waits
        /// for its whole answer.
        public func send(
            _ method: HTTPMethod, _ path: String, body: ByteBuffer? = nil, contentType: String = "application/json"
        ) async throws -> (status: Int, body: ByteBuffer) {
            var head = HTTPRequestHead(version: .http1_1, method: method, uri: path)
            head.headers.add(name: "Host", value: host)
            if let token { head.headers.add(name: "Authorization", value: "Bearer \(token)") }
            if let body {
                head.headers.add(name: "Content-Type", value: contentType)
                head.headers.add(name: "Content-Length", value: String(body.readableBytes))
                try await requests.write(contentsOf: [.head(head), .body(.byteBuffer(body)), .end(nil)])
            } else {
                try await requests.write(contentsOf: [.head(head), .end(nil)])
            }
            var status = 0
            var answer = ByteBuffer()
            while let part = try await answers.next() {
                switch part {
                case .head(let response): status = Int(response.status.code)
                case .body(var chunk): answer.writeBuffer(&chunk)
                case .end: return (status, answer)
                }
            }
            throw Failure(description: "the node closed the connection before answering \(method) \(path)")
        }

        /// `send(.POST, …)`.
        public func post(_ path: String, _ body: ByteBuffer, contentType: String = "application/json") async throws
            -> (status: Int, body: ByteBuffer)
        {
            try await send(.POST, path, body: body, contentType: contentType)
        }
    }
}
