import Foundation
import Hummingbird
import HummingbirdTesting
import LoopbackHTTP
import Testing

@testable import FederationHTTP
@testable import FederationNode

#if canImport(Glibc)
    import Glibc
#endif

/// The load generators' client (`LoopbackHTTP`): answers from a live node, and a request that is
/// never answered fails at its deadline instead of waiting for ever (the chaos harness relies on it).
@Suite(.timeLimit(.minutes(10))) struct LoopbackHTTPTests {
    @Test func itReadsALiveNodesAnswersOnOneKeptConnection() async throws {
        let node = try TestNode(Codes.community)
        let app = try NodeHTTP.makeApplication(context: node.context)
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let (health, denied) = try await LoopbackHTTP.withConnection(port: port, deadline: 10) { connection in
                (
                    try await connection.send(.GET, "/healthz"),
                    try await connection.send(.GET, "/api/v1/reports/summary")
                )
            }
            #expect(health.status == 200)
            #expect(String(buffer: health.body) == #"{"status":"ok","node":"130102001001","level":"community"}"# + "\n")
            #expect(denied.status == 401)
        }
    }

    /// What ends the request is the connection's own deadline: the failure names it ("within 0.5 s"),
    /// which no server or kernel timeout would. How soon the test's task resumes afterwards depends on
    /// how busy the machine is (40 s once on a loaded CI run), so it is not timed; a request that
    /// hung would hit the time limit instead.
    @Test(.timeLimit(.minutes(5))) func aServerThatNeverAnswersFailsAtTheDeadline() async throws {
        // A listening socket nobody accepts from: the kernel completes the connection, the request is
        // written into its buffer, and no answer ever comes.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(listener >= 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(listener, pointer, length) == 0 && listen(listener, 4) == 0
                    && getsockname(listener, pointer, &length) == 0
            }
        }
        #expect(bound)
        let port = Int(UInt16(bigEndian: address.sin_port))

        do {
            _ = try await LoopbackHTTP.withConnection(port: port, deadline: 0.5) { connection in
                try await connection.send(.GET, "/healthz")
            }
            Issue.record("a request without an answer returned")
        } catch let failure as LoopbackHTTP.Failure {
            #expect(failure.description.contains("no answer from 127.0.0.1:\(port) within 0.5 s"))
        }
    }
}
