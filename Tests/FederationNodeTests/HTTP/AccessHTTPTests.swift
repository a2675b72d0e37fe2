import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@testable import FederationHTTP
@testable import FederationNode

/// Tokens and roles over the node's router (`AccessMiddleware`).
@Suite(.timeLimit(.minutes(10))) struct AccessHTTPTests {
    static func app(_ node: TestNode) throws -> some ApplicationProtocol {
        Application(router: try NodeHTTP.makeRouter(context: node.context))
    }

    static let call =
        #"{"id":"T1","received_at":"2026-01-05T09:00:00+08:00","channel":"hotline","type":"service_request","effective":true,"community":"130102001001"}"#

    @Test func withoutATokenTheAPIAnswers401SayingHowToGetOne() async throws {
        let node = try TestNode(Codes.community)
        try await Self.app(node).test(.router) { client in
            for (uri, method) in [
                ("/api/v1/reports/summary", HTTPRequest.Method.get), ("/api/v1/elders", .get),
                ("/api/v1/elders/audit", .get),
                ("/api/v1/calls", .post), ("/api/v1/elders", .post), ("/api/v1/nope", .get),
            ] {
                let response = try await client.execute(uri: uri, method: method)
                #expect(response.status == .unauthorized, "\(method) \(uri)")
                #expect(response.headers[.wwwAuthenticate] == "Bearer")
                #expect(try NodeHTTPTests.errorCode(response) == "unauthorized")
                #expect(try NodeHTTPTests.errorMessage(response)?.contains("fedctl token show") == true)
            }
            let health = try await client.execute(uri: "/healthz", method: .get)
            #expect(health.status == .ok)
            #expect(try node.callRows() == 0)
        }
    }

    @Test func aWrongOrMalformedTokenIs401() async throws {
        let node = try TestNode(Codes.community)
        try await Self.app(node).test(.router) { client in
            for header in [
                "Bearer " + String(repeating: "0", count: 64), "Bearer", "Basic dXNlcjpwYXNz", TestTokens.operator,
            ] {
                let response = try await client.execute(
                    uri: "/api/v1/elders", method: .get, headers: [.authorization: header])
                #expect(response.status == .unauthorized, "\(header)")
            }
            // A token in the query is for dashboard pages only, not the API.
            let query = try await client.execute(uri: "/api/v1/elders?token=\(TestTokens.operator)", method: .get)
            #expect(query.status == .unauthorized)
        }
    }

    @Test func theViewerReadsButOnlyTheOperatorWrites() async throws {
        let node = try TestNode(Codes.community)
        try await Self.app(node).test(.router) { client in
            let read = try await client.authorized(
                uri: "/api/v1/reports/summary?from=2026-01-05&to=2026-01-05", method: .get, role: .viewer)
            #expect(read.status == .ok)
            let write = try await client.authorized(
                uri: "/api/v1/calls", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: Self.call), role: .viewer)
            #expect(write.status == .forbidden)
            #expect(try NodeHTTPTests.errorCode(write) == "operator_token_required")
            #expect(try NodeHTTPTests.errorMessage(write)?.contains("--role operator") == true)
            #expect(try node.callRows() == 0)
            let roster = try await client.authorized(
                uri: "/api/v1/elders/import", method: .post, headers: [.contentType: "text/csv"],
                body: ByteBuffer(string: "id,resident_id,name,community\n"), role: .viewer)
            #expect(roster.status == .forbidden)
            let accepted = try await client.authorized(
                uri: "/api/v1/calls", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: Self.call), role: .operator)
            #expect(accepted.status == .ok)
            #expect(try node.callRows() == 1)
        }
    }

    @Test func aPageWithoutATokenIsASmallBilingualPage() async throws {
        let node = try TestNode(Codes.community)
        try await Self.app(node).test(.router) { client in
            let response = try await client.execute(uri: "/", method: .get)
            #expect(response.status == .unauthorized)
            #expect(response.headers[.contentType] == "text/html; charset=utf-8")
            let page = String(decoding: response.body.readableBytesView, as: UTF8.self)
            #expect(page.contains("需要访问令牌"))
            #expect(page.contains("fedctl token show"))
        }
    }

    /// A router with the middleware and one page, to follow the query token and its cookie.
    static func pageRouter() -> Router<NodeRequestContext> {
        let router = Router(context: NodeRequestContext.self)
        router.add(middleware: JSONErrorMiddleware(logger: .init(label: "test")))
        router.add(middleware: AccessMiddleware(tokens: TestTokens.tokens))
        router.get("/page") { _, context in context.role?.rawValue ?? "none" }
        router.post("/page") { _, context in context.role?.rawValue ?? "none" }
        return router
    }

    @Test func aQueryTokenOpensThePageAndSetsAStrictHttpOnlyCookie() async throws {
        try await Application(router: Self.pageRouter()).test(.router) { client in
            let first = try await client.execute(uri: "/page?token=\(TestTokens.viewer)", method: .get)
            #expect(first.status == .ok)
            #expect(String(buffer: first.body) == "viewer")
            let cookie = try #require(first.headers[.setCookie])
            #expect(cookie.hasPrefix("eldercare_token=\(TestTokens.viewer)"))
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Strict"))
            #expect(first.headers[HTTPFields.Element.Name("Referrer-Policy")!] == "no-referrer")

            let next = try await client.execute(
                uri: "/page", method: .get, headers: [.cookie: "eldercare_token=\(TestTokens.viewer)"])
            #expect(next.status == .ok)
            #expect(next.headers[.setCookie] == nil)
            let operatorCookie = try await client.execute(
                uri: "/page", method: .get, headers: [.cookie: "eldercare_token=\(TestTokens.operator)"])
            #expect(String(buffer: operatorCookie.body) == "operator")
            // A cookie never authorises a write (no cross-site form can post with it).
            let post = try await client.execute(
                uri: "/page", method: .post, headers: [.cookie: "eldercare_token=\(TestTokens.operator)"])
            #expect(post.status == .unauthorized)
            let wrong = try await client.execute(uri: "/page?token=\(String(repeating: "1", count: 64))", method: .get)
            #expect(wrong.status == .unauthorized)
            #expect(wrong.headers[.setCookie] == nil)
        }
    }
}
