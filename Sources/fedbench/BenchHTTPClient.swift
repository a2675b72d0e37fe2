import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// Keep-alive HTTP/1.1 connections (SwiftNIO) that POST bodies one after the other — the load
/// generator of `fedbench ingest` and `fedbench import`. It replaced `URLSession`, whose Linux
/// implementation (libcurl driven by libdispatch sources) spent about a quarter of the two shared
/// cores on its own wake-ups, so the benchmark measured its client as much as the node.
///
///     let accepted = try await BenchHTTPClient.withConnection(host: "127.0.0.1", port: 8080, token: token) {
///         connection in
///         try await connection.post("/api/v1/calls", body)   // (status, body bytes)
///     }
enum BenchHTTPClient {
    typealias Channel = NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>

    /// The event loop of every benchmark connection (one thread; the node has its own).
    static let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    /// Opens a connection, runs `body` with it and closes it.
    static func withConnection<T: Sendable>(
        host: String, port: Int, token: String, _ body: (Connection) async throws -> T
    ) async throws -> T {
        let channel = try await ClientBootstrap(group: group)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(host: host, port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try Channel(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            try await body(Connection(answers: inbound.makeAsyncIterator(), requests: outbound, host: host, token: token))
        }
    }

    /// One open connection; it belongs to the task that opened it (it holds the answers' one iterator).
    final class Connection {
        private var answers: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator
        private let requests: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>
        private let host: String
        private let token: String

        init(
            answers: NIOAsyncChannelInboundStream<HTTPClientResponsePart>.AsyncIterator,
            requests: NIOAsyncChannelOutboundWriter<HTTPClientRequestPart>, host: String, token: String
        ) {
            self.answers = answers
            self.requests = requests
            self.host = host
            self.token = token
        }

        /// Sends one request and waits for its whole answer (one request at a time on a connection).
        func post(_ path: String, _ body: ByteBuffer, contentType: String = "application/json") async throws
            -> (status: Int, body: ByteBuffer)
        {
            var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: path)
            head.headers.add(name: "Host", value: host)
            head.headers.add(name: "Authorization", value: "Bearer \(token)")
            head.headers.add(name: "Content-Type", value: contentType)
            head.headers.add(name: "Content-Length", value: String(body.readableBytes))
            try await requests.write(contentsOf: [.head(head), .body(.byteBuffer(body)), .end(nil)])
            var status = 0
            var answer = ByteBuffer()
            while let part = try await answers.next() {
                switch part {
                case .head(let response): status = Int(response.status.code)
                case .body(var chunk): answer.writeBuffer(&chunk)
                case .end: return (status, answer)
                }
            }
            throw BenchError("the node closed the connection before answering \(path)")
        }
    }
}
