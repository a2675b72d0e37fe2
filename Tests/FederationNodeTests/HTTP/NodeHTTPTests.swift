import Foundation
import Hummingbird
import HummingbirdTesting
import Replication
import Reports
import Testing

@testable import Eldercare
@testable import FederationHTTP
@testable import FederationNode

@Suite(.timeLimit(.minutes(10))) struct NodeHTTPTests {
    /// 2026-01-31T12:00:00Z, the wall clock of the router tests.
    static let now = Date(timeIntervalSince1970: 1_769_860_800)

    static func app(_ node: TestNode, now: Date = now) throws -> some ApplicationProtocol {
        Application(router: try NodeHTTP.makeRouter(context: node.context, now: { now }))
    }

    static func text(_ response: TestResponse) -> String {
        String(decoding: response.body.readableBytesView, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    static func json(_ response: TestResponse) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(response.body.readableBytesView))
    }

    static func errorCode(_ response: TestResponse) throws -> String? {
        guard case .object(let body) = try json(response), case .object(let error)? = body["error"],
            case .string(let code)? = error["code"]
        else { return nil }
        return code
    }

    static func errorMessage(_ response: TestResponse) throws -> String? {
        guard case .object(let body) = try json(response), case .object(let error)? = body["error"],
            case .string(let message)? = error["message"]
        else { return nil }
        return message
    }

    static func post(_ client: some TestClientProtocol, _ body: String) async throws -> TestResponse {
        try await client.authorized(
            uri: "/api/v1/calls", method: .post, headers: [.contentType: "application/json"],
            body: ByteBuffer(string: body))
    }

    static func get(_ client: some TestClientProtocol, _ uri: String) async throws -> TestResponse {
        try await client.authorized(uri: uri, method: .get)
    }

    static func call(
        _ id: String, _ receivedAt: String, _ channel: String, _ type: String, _ effective: Bool,
        _ community: String = Codes.community
    ) -> String {
        #"{"id":"\#(id)","received_at":"\#(receivedAt)","channel":"\#(channel)","type":"\#(type)","effective":\#(effective),"community":"\#(community)"}"#
    }

    static func hours(_ counts: [Int: Int]) -> String {
        "[" + (0..<24).map { String(counts[$0] ?? 0) }.joined(separator: ",") + "]"
    }

    @Test func healthReportsTheNode() async throws {
        let node = try TestNode(Codes.community)
        try await Self.app(node).test(.router) { client in
            let response = try await Self.get(client, "/healthz")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/json; charset=utf-8")
            #expect(Self.text(response) == #"{"status":"ok","node":"130102001001","level":"community"}"#)
        }
    }

    @Test func postedCallsMakeTheSummaryExact() async throws {
        let node = try TestNode(Codes.street)
        let calls = [
            Self.call("A1", "2026-01-05T01:30:00Z", "hotline", "service_request", true),  // 01-05 09h
            Self.call("A2", "2026-01-05T09:45:10+08:00", "sos_key", "emergency", true, Codes.neighbour),  // 09h
            Self.call("A3", "2026-01-04T16:30:00Z", "walk_in", "consultation", false),  // 01-05 00h
            Self.call("A4", "2026-01-05T10:00:00-05:00", "app", "complaint", false),  // 01-05 23h
            Self.call("A5", "2026-01-05T23:59:59+08:00", "help_key", "invalid", false, Codes.neighbour),  // 23h
            Self.call("A6", "2026-01-05T20:00:00-05:00", "hotline", "companionship", true),  // 01-06 09h
            Self.call("A7", "2026-01-05T12:00:00+08:00", "hotline", "companionship", true, Codes.otherStreetCommunity),
        ]
        try await Self.app(node).test(.router) { client in
            let posted = try await Self.post(client, "[" + calls.joined(separator: ",") + "]")
            #expect(posted.status == .ok)
            #expect(Self.text(posted) == #"{"accepted":7,"duplicates":0,"rejected":[]}"#)

            let summary = try await Self.get(client, "/api/v1/reports/summary?from=2026-01-05&to=2026-01-05")
            #expect(summary.status == .ok)
            #expect(
                Self.text(summary).hasPrefix(
                    #"{"scope":"130102001000","level":"street","from":"2026-01-05","to":"2026-01-05","calls":{"total":5,"effective":2,"effective_ratio":0.4,"by_channel":{"hotline":1,"sos_key":1,"help_key":1,"app":1,"walk_in":1},"by_type":{"emergency":1,"service_request":1,"consultation":1,"complaint":1,"invalid":1},"by_hour":"#
                        + Self.hours([0: 1, 9: 2, 23: 2]) + #"},"services":"#))

            let community = try await Self.get(
                client, "/api/v1/reports/summary?from=2026-01-05&to=2026-01-06&scope=130102001001")
            #expect(
                Self.text(community).hasPrefix(
                    #"{"scope":"130102001001","level":"community","from":"2026-01-05","to":"2026-01-06","calls":{"total":4,"effective":2,"effective_ratio":0.5,"by_channel":{"hotline":2,"app":1,"walk_in":1},"by_type":{"service_request":1,"consultation":1,"complaint":1,"companionship":1},"by_hour":"#
                        + Self.hours([0: 1, 9: 2, 23: 1]) + #"},"services":"#))

            let empty = try await Self.get(client, "/api/v1/reports/summary?from=2026-02-01&to=2026-02-28")
            #expect(
                Self.text(empty).hasPrefix(
                    #"{"scope":"130102001000","level":"street","from":"2026-02-01","to":"2026-02-28","calls":{"total":0,"effective":0,"effective_ratio":0.0,"by_channel":{},"by_type":{},"by_hour":"#
                        + Self.hours([:]) + #"},"services":"#))
        }
    }

    @Test func theSameIdPostedTwiceCountsOnce() async throws {
        let node = try TestNode(Codes.community)
        let body = Self.call("R1", "2026-01-05T09:00:00+08:00", "hotline", "emergency", true)
        try await Self.app(node).test(.router) { client in
            #expect(try await Self.text(Self.post(client, body)) == #"{"accepted":1,"duplicates":0,"rejected":[]}"#)
            #expect(try await Self.text(Self.post(client, body)) == #"{"accepted":0,"duplicates":1,"rejected":[]}"#)
            #expect(
                try await Self.text(Self.post(client, "[\(body),\(body)]"))
                    == #"{"accepted":0,"duplicates":2,"rejected":[]}"#)
            let summary = try await Self.get(client, "/api/v1/reports/summary?from=2026-01-05&to=2026-01-05")
            guard case .object(let document) = try Self.json(summary), case .object(let calls)? = document["calls"]
            else {
                Issue.record("summary is not an object: \(Self.text(summary))")
                return
            }
            #expect(calls["total"] == .integer(1))
        }
        #expect(try node.callRows() == 1)
    }

    @Test func aBatchWithInvalidItemsRecordsTheOthers() async throws {
        let node = try TestNode(Codes.community)
        let valid = (0..<3).map { Self.call("V\($0)", "2026-01-05T09:00:00+08:00", "hotline", "consultation", true) }
        let invalid = Self.call("V3", "2026-01-05T09:00:00+08:00", "fax", "consultation", true)
        try await Self.app(node).test(.router) { client in
            let body = "[" + [valid[0], invalid, valid[1], "7", valid[2], valid[0]].joined(separator: ",") + "]"
            let response = try await Self.post(client, body)
            #expect(response.status == .ok)
            #expect(
                Self.text(response)
                    == #"{"accepted":3,"duplicates":1,"rejected":[{"index":1,"field":"channel","error":"\"fax\" is not one of hotline, sos_key, help_key, app, walk_in"},{"index":3,"field":"item","error":"must be a call object, got a number"}]}"#
            )
            let summary = try await Self.get(client, "/api/v1/reports/summary?from=2026-01-05&to=2026-01-05")
            #expect(Self.text(summary).contains(#""total":3,"#))
        }
        #expect(try node.callRows() == 3)
    }

    @Test(arguments: [
        (
            #"{"received_at":"2026-01-05T09:00:00Z","channel":"app","type":"consultation","effective":true,"community":"130102001001"}"#,
            "id", "is required"
        ),
        (
            #"{"id":7,"received_at":"2026-01-05T09:00:00Z","channel":"app","type":"consultation","effective":true,"community":"130102001001"}"#,
            "id", "must be a string"
        ),
        (
            #"{"id":"X","received_at":"2026-01-05T09:00:00","channel":"app","type":"consultation","effective":true,"community":"130102001001"}"#,
            "received_at", ""
        ),
        (
            #"{"id":"X","received_at":"2026-01-05T09:00:00Z","channel":"app","type":"chat","effective":true,"community":"130102001001"}"#,
            "type", #""chat" is not one of emergency, service_request"#
        ),
        (
            #"{"id":"X","received_at":"2026-01-05T09:00:00Z","channel":"app","type":"consultation","effective":"yes","community":"130102001001"}"#,
            "effective", "must be true or false"
        ),
        (
            #"{"id":"X","received_at":"2026-01-05T09:00:00Z","channel":"app","type":"invalid","effective":true,"community":"130102001001"}"#,
            "effective", "a call of type invalid cannot be effective"
        ),
        (
            #"{"id":"X","received_at":"2026-01-05T09:00:00Z","channel":"app","type":"consultation","effective":true,"community":"1301020010"}"#,
            "community", ""
        ),
        (
            #"{"id":"X","received_at":"2026-01-05T09:00:00Z","channel":"app","type":"consultation","effective":true,"community":"130102001000"}"#,
            "community", "130102001000 is a street-level code"
        ),
        (
            #"{"id":"X","received_at":"2026-01-05T09:00:00Z","channel":"app","type":"consultation","effective":true,"community":"130102001001","response_seconds":-5}"#,
            "response_seconds", "-5 is not in"
        ),
        (
            #"{"id":"X","received_at":"2026-01-05T09:00:00Z","channel":"app","type":"consultation","effective":true,"community":"130102001001","response_seconds":1.5}"#,
            "response_seconds", "must be a whole number"
        ),
        (
            #"{"id":"X","received_at":"2026-01-05T09:00:00Z","channel":"app","type":"consultation","effective":true,"community":"130102001001","chanel":"app"}"#,
            "chanel", "unknown field"
        ),
        (#"["Y"]"#, "item", "must be a call object, got a string"),
    ])
    func invalidCallsNameTheField(_ body: String, _ field: String, _ message: String) async throws {
        let node = try TestNode(Codes.community)
        try await Self.app(node).test(.router) { client in
            let response = try await Self.post(client, body)
            #expect(response.status == .ok)
            guard case .object(let answer) = try Self.json(response), case .array(let rejected)? = answer["rejected"],
                rejected.count == 1, case .object(let rejection) = rejected[0],
                case .string(let error)? = rejection["error"]
            else {
                Issue.record("unexpected answer \(Self.text(response))")
                return
            }
            #expect(answer["accepted"] == .integer(0))
            #expect(rejection["index"] == .integer(0))
            #expect(rejection["field"] == .string(field))
            #expect(error.hasPrefix(message), "\(error)")
        }
        #expect(try node.callRows() == 0)
    }

    @Test(arguments: ["", "{", "42", #""call""#, "[1,2"])
    func bodiesThatAreNotCallsAreRefused(_ body: String) async throws {
        let node = try TestNode(Codes.community)
        try await Self.app(node).test(.router) { client in
            let response = try await Self.post(client, body)
            #expect(response.status == .badRequest)
            #expect(try Self.errorCode(response) == "invalid_json")
        }
    }

    @Test func oversizeRequestsAreRefused() async throws {
        let node = try TestNode(Codes.community)
        let one = Self.call("X", "2026-01-05T09:00:00Z", "app", "consultation", true)
        try await Self.app(node).test(.router) { client in
            let many = try await Self.post(
                client, "[" + Array(repeating: one, count: CallPayload.maxCalls + 1).joined(separator: ",") + "]")
            #expect(many.status == .contentTooLarge)
            #expect(try Self.errorCode(many) == "payload_too_large")
            let padding = String(repeating: " ", count: NodeAPI.maxBodyBytes)
            let huge = try await Self.post(client, "[" + one + padding + "]")
            #expect(huge.status == .contentTooLarge)
            #expect(try Self.errorCode(huge) == "payload_too_large")
        }
        #expect(try node.callRows() == 0)
    }

    @Test func scopeMustLieInTheNodesSubtree() async throws {
        let node = try TestNode(Codes.street)
        try await Self.app(node).test(.router) { client in
            for scope in ["130102002000", "130102000000", "130100000000", "130102002001"] {
                let response = try await Self.get(
                    client, "/api/v1/reports/summary?from=2026-01-01&to=2026-01-31&scope=\(scope)")
                #expect(response.status == .forbidden, "scope \(scope)")
                #expect(try Self.errorCode(response) == "forbidden_scope")
            }
            for scope in ["130102001000", "130102001001"] {
                let response = try await Self.get(
                    client, "/api/v1/reports/summary?from=2026-01-01&to=2026-01-31&scope=\(scope)")
                #expect(response.status == .ok, "scope \(scope)")
            }
            let malformed = try await Self.get(client, "/api/v1/reports/summary?scope=1301")
            #expect(malformed.status == .badRequest)
            #expect(try Self.errorCode(malformed) == "invalid_parameter")
        }
    }

    @Test(arguments: [
        "from=2026-13-01&to=2026-12-31", "from=2026-01-01&to=2026-02-30", "from=2026-02-01&to=2026-01-31",
        "from=&to=2026-01-31", "from=20260101&to=20260131", "from=2026-01-01T00:00:00Z", "to=yesterday",
    ])
    func badDatesAreRefused(_ query: String) async throws {
        let node = try TestNode(Codes.community)
        try await Self.app(node).test(.router) { client in
            let response = try await Self.get(client, "/api/v1/reports/summary?\(query)")
            #expect(response.status == .badRequest)
            #expect(try Self.errorCode(response) == "invalid_parameter")
        }
    }

    @Test func missingDatesDefaultToTodayInChinaStandardTime() async throws {
        let node = try TestNode(Codes.community)
        // 2026-01-04T16:30:00Z is already 2026-01-05 00:30 in Beijing.
        let now = Date(timeIntervalSince1970: 1_767_544_200)
        try await Self.app(node, now: now).test(.router) { client in
            let response = try await Self.get(client, "/api/v1/reports/summary")
            #expect(response.status == .ok)
            #expect(
                Self.text(response).hasPrefix(
                    #"{"scope":"130102001001","level":"community","from":"2026-01-05","to":"2026-01-05","#))
            #expect(Self.text(response).hasSuffix(#""as_of":"2026-01-04T16:30:00Z"}"#))
            let early = try await Self.get(client, "/api/v1/reports/summary?from=2026-01-01")
            #expect(Self.text(early).contains(#""from":"2026-01-01","to":"2026-01-05""#))
            let late = try await Self.get(client, "/api/v1/reports/summary?from=2026-01-06")
            #expect(late.status == .badRequest)
        }
    }

    @Test func unknownRoutesAnswerJSON404() async throws {
        let node = try TestNode(Codes.community)
        try await Self.app(node).test(.router) { client in
            for (uri, method) in [
                ("/nope", HTTPRequest.Method.get), ("/api/v1/calls", .get), ("/api/v1/reports/summary", .post),
            ] {
                let response = try await client.authorized(uri: uri, method: method)
                #expect(response.status == .notFound)
                #expect(try Self.errorCode(response) == "not_found")
                #expect(try Self.errorMessage(response) == "no route for \(method) \(uri)")
            }
        }
    }

    @Test func aParentCountsItsChildsCallsAfterMergingTheFeed() async throws {
        let child = try TestNode(Codes.community)
        let parent = try TestNode(Codes.street)
        try await Self.app(child).test(.router) { client in
            let body = [
                Self.call("K1", "2026-01-05T08:10:00+08:00", "hotline", "service_request", true),
                Self.call("K2", "2026-01-05T08:20:00+08:00", "sos_key", "emergency", true),
                Self.call("K3", "2026-01-05T08:30:00+08:00", "hotline", "invalid", false),
            ]
            let posted = try await Self.post(client, "[" + body.joined(separator: ",") + "]")
            #expect(Self.text(posted) == #"{"accepted":3,"duplicates":0,"rejected":[]}"#)
        }
        try await Self.app(parent).test(.router) { client in
            let own = Self.call("P1", "2026-01-05T14:00:00+08:00", "walk_in", "consultation", true, Codes.neighbour)
            #expect(try await Self.text(Self.post(client, own)) == #"{"accepted":1,"duplicates":0,"rejected":[]}"#)
            let feed = try child.store.changes(after: 0).batch
            try parent.store.merge(feed, from: child.code)
            try parent.store.merge(feed, from: child.code)  // delivered twice: counted once
            let summary = try await Self.get(client, "/api/v1/reports/summary?from=2026-01-05&to=2026-01-05")
            #expect(
                Self.text(summary).hasPrefix(
                    #"{"scope":"130102001000","level":"street","from":"2026-01-05","to":"2026-01-05","calls":{"total":4,"effective":3,"effective_ratio":0.75,"by_channel":{"hotline":2,"sos_key":1,"walk_in":1},"by_type":{"emergency":1,"service_request":1,"consultation":1,"invalid":1},"by_hour":"#
                        + Self.hours([8: 3, 14: 1]) + #"},"services":"#))
            let childOnly = try await Self.get(
                client, "/api/v1/reports/summary?from=2026-01-05&to=2026-01-05&scope=130102001001")
            #expect(Self.text(childOnly).contains(#""total":3,"effective":2,"#))
        }
    }

    @Test func theApplicationServesOnALiveSocket() async throws {
        let node = try TestNode(Codes.community)
        let app = try NodeHTTP.makeApplication(context: node.context)
        try await app.test(.live) { client in
            let health = try await Self.get(client, "/healthz")
            #expect(health.status == .ok)
            #expect(Self.text(health) == #"{"status":"ok","node":"130102001001","level":"community"}"#)
            let posted = try await Self.post(
                client, Self.call("L1", "2026-01-05T09:00:00+08:00", "app", "consultation", true))
            #expect(Self.text(posted) == #"{"accepted":1,"duplicates":0,"rejected":[]}"#)
            let missing = try await Self.get(client, "/metrics-not-yet")
            #expect(missing.status == .notFound)
        }
    }

    @Test func aBadListenAddressIsAConfigurationError() throws {
        let node = try TestNode(Codes.community)
        let context = NodeContext(
            code: node.code, name: "社区", listen: "no-port", store: node.store, logger: node.context.logger)
        #expect(throws: ListenAddressError.self) { _ = try NodeHTTP.makeApplication(context: context) }
    }
}
