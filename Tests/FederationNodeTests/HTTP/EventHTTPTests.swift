import Foundation
import Hummingbird
import HummingbirdTesting
import Replication
import Reports
import Testing

@testable import FederationHTTP
@testable import FederationNode

/// `POST /api/v1/visits` and `/callbacks` through the router, over a real store.
@Suite(.timeLimit(.minutes(10))) struct EventHTTPTests {
    static func post(_ client: some TestClientProtocol, _ path: String, _ body: String) async throws -> TestResponse {
        try await client.authorized(
            uri: path, method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(string: body))
    }

    static func visit(
        _ id: String, elder: String = "E1", category: String = "daily_care",
        checkIn: String = "2026-01-05T09:00:00+08:00",
        checkOut: String = "2026-01-05T09:45:00+08:00", status: String? = nil
    ) -> String {
        #"{"id":"\#(id)","elder_id":"\#(elder)","provider_id":"P1","category":"\#(category)","item":"助餐","check_in":"\#(checkIn)","check_out":"\#(checkOut)","community":"\#(Codes.community)""#
            + (status.map { #","status":"\#($0)""# } ?? "") + "}"
    }

    static func node() throws -> TestNode {
        let node = try TestNode(Codes.street)
        try EventSamples.register(["E1"], in: node.store)
        return node
    }

    @Test func mixedVisitsRecordTheGoodOnesAndNameTheBad() async throws {
        let node = try Self.node()
        let body =
            "["
            + [
                Self.visit("V1"),
                Self.visit("V2", elder: "E404"),
                Self.visit("V3", category: "massage"),
                Self.visit("V4", checkIn: "yesterday"),
                Self.visit("V5", category: "医疗护理"),
                Self.visit("V6", checkOut: "2026-01-05T08:00:00+08:00"),
                Self.visit("V1"),
            ].joined(separator: ",") + "]"
        try await NodeHTTPTests.app(node).test(.router) { client in
            let response = try await Self.post(client, "/api/v1/visits", body)
            #expect(response.status == .ok)
            #expect(
                NodeHTTPTests.text(response)
                    == #"{"accepted":2,"duplicates":1,"rejected":[{"index":1,"field":"elder_id","error":"unknown elder: E404 is not in this node's roster"},{"index":2,"field":"category","error":"\"massage\" is not one of medical_care (医疗护理), emergency_aid (紧急救援), daily_care (生活照料), spiritual_comfort (精神慰藉), legal_aid (法律援助), culture_recreation (文化娱乐)"},{"index":3,"field":"check_in","error":"\"yesterday\" is not an RFC 3339 date-time with an offset, e.g. 2026-01-05T09:30:00+08:00"},{"index":5,"field":"check_out","error":"2026-01-05T08:00:00+08:00 is before check_in 2026-01-05T09:00:00+08:00"}]}"#
            )
            // The same body again: nothing new.
            let again = try await Self.post(client, "/api/v1/visits", body)
            #expect(NodeHTTPTests.text(again).hasPrefix(#"{"accepted":0,"duplicates":3,"#))
        }
        let cells = try EventSamples.cells(node.store, metrics: EventSamples.allMetrics)
        #expect(cells["\(Codes.community)|visits|category=daily_care;item=助餐;provider=P1|2026-01-05"] == 1)
        #expect(cells["\(Codes.community)|visits|category=medical_care;item=助餐;provider=P1|2026-01-05"] == 1)
        #expect(cells["\(Codes.community)|visit_minutes|category=medical_care;item=助餐;provider=P1|2026-01-05"] == 45)
        #expect(cells == (try EventSamples.recount(node.store)))
    }

    @Test func aCancellationTakesTheCountsBack() async throws {
        let node = try Self.node()
        try await NodeHTTPTests.app(node).test(.router) { client in
            _ = try await Self.post(client, "/api/v1/visits", Self.visit("V1"))
            #expect(try EventSamples.cells(node.store, metrics: EventSamples.allMetrics).count == 2)
            let cancel = try await Self.post(client, "/api/v1/visits", Self.visit("V1", status: "cancelled"))
            #expect(NodeHTTPTests.text(cancel) == #"{"accepted":1,"duplicates":0,"rejected":[]}"#)
            let again = try await Self.post(client, "/api/v1/visits", Self.visit("V1", status: "cancelled"))
            #expect(NodeHTTPTests.text(again) == #"{"accepted":0,"duplicates":1,"rejected":[]}"#)
            let reopen = try await Self.post(client, "/api/v1/visits", Self.visit("V1"))
            #expect(NodeHTTPTests.text(reopen).contains(#""field":"status""#))
        }
        #expect(try EventSamples.cells(node.store, metrics: EventSamples.allMetrics).isEmpty)
    }

    @Test func callbacksAnswerTheSameContract() async throws {
        let node = try Self.node()
        let good =
            #"{"id":"C1","visit_id":"V1","at":"2026-01-06T15:00:00+08:00","score":"基本满意","complaint":false,"community":"130102001001"}"#
        let body =
            "["
            + [
                good,
                #"{"id":"C2","visit_id":"V1","at":"2026-01-06T15:00:00+08:00","score":"great","complaint":false,"community":"130102001001"}"#,
                #"{"id":"C3","visit_id":"V1","at":"2026-01-06 15:00","score":"satisfied","complaint":false,"community":"130102001001"}"#,
                #"{"id":"C4","visit_id":"V1","at":"2026-01-06T15:00:00+08:00","score":"satisfied","complaint":"no","community":"130102001001"}"#,
                #"{"id":"C5","visit_id":"V1","at":"2026-01-06T15:00:00+08:00","score":"satisfied","complaint":true,"community":"130102001000"}"#,
                "[]",
                good,
            ].joined(separator: ",") + "]"
        try await NodeHTTPTests.app(node).test(.router) { client in
            let response = try await Self.post(client, "/api/v1/callbacks", body)
            #expect(response.status == .ok)
            guard case .object(let answer) = try NodeHTTPTests.json(response),
                case .array(let rejected)? = answer["rejected"]
            else {
                Issue.record("unexpected \(NodeHTTPTests.text(response))")
                return
            }
            #expect(answer["accepted"] == .integer(1))
            #expect(answer["duplicates"] == .integer(1))
            let pairs = rejected.compactMap { item -> String? in
                guard case .object(let object) = item, case .integer(let index)? = object["index"],
                    case .string(let field)? = object["field"]
                else { return nil }
                return "\(index):\(field)"
            }
            #expect(pairs == ["1:score", "2:at", "3:complaint", "4:community", "5:item"])
        }
        #expect(
            try EventSamples.cells(node.store, metrics: EventSamples.allMetrics) == [
                "\(Codes.community)|callbacks|complaint=0;score=basically_satisfied|2026-01-06": 1
            ])
    }

    @Test func oversizeEventBodiesAreRefused() async throws {
        let node = try Self.node()
        try await NodeHTTPTests.app(node).test(.router) { client in
            for path in ["/api/v1/visits", "/api/v1/callbacks"] {
                let many = try await Self.post(
                    client, path, "[" + Array(repeating: "{}", count: 1_001).joined(separator: ",") + "]")
                #expect(many.status == .contentTooLarge)
                let huge = try await Self.post(
                    client, path, "[" + String(repeating: " ", count: NodeAPI.maxBodyBytes) + "]")
                #expect(huge.status == .contentTooLarge)
                #expect(try NodeHTTPTests.errorCode(huge) == "payload_too_large")
                let notJSON = try await Self.post(client, path, "{")
                #expect(notJSON.status == .badRequest)
            }
        }
    }
}
