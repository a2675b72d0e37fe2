import Foundation
import Hummingbird
import Replication
import Testing

@testable import Eldercare
@testable import FederationHTTP
@testable import FederationNode

/// The per-batch shortcuts of the ingest path: statistics summed per cell, and items decoded straight
/// into typed fields with the same answer as the `EventFields` path for every item, good or bad.
@Suite(.timeLimit(.minutes(10))) struct BatchIngestTests {
    static let community = Codes.community

    func call(_ id: String, hour: Int = 9, channel: CallChannel = .hotline) throws -> CallRecord {
        try CallRecord(
            id: id, receivedAt: String(format: "2026-01-05T%02d:30:00+08:00", hour), channel: channel,
            type: .serviceRequest, effective: true, community: try NodeCode(Self.community))
    }

    @Test func aBatchWritesEachCellOnceWithTheSumOfItsEvents() throws {
        let node = try TestNode(Self.community)
        let head = try node.store.headSequence()
        // 50 calls in one cell, 10 in another, one duplicate id: two cell writes, not 60.
        let calls =
            try (0..<50).map { try call("A\($0)") } + (0..<10).map { try call("B\($0)", hour: 14) }
            + [try call("A0")]
        let outcome = try CallLog.record(calls, in: node.store)
        #expect(outcome == CallLog.Outcome(recorded: 60, duplicates: 1))
        #expect(try node.store.headSequence() == head + 2)
        let morning = try call("x").statisticKey(origin: node.code)
        let afternoon = try call("y", hour: 14).statisticKey(origin: node.code)
        #expect(try node.store.statistic(morning)?.value == 50)
        #expect(try node.store.statistic(afternoon)?.value == 10)
    }

    @Test func deltasThatCancelStillLeaveTheCellAtZero() throws {
        var deltas = StatisticDeltas()
        let node = try TestNode(Self.community)
        let key = try call("x").statisticKey(origin: node.code)
        deltas.add(3, to: key)
        deltas.add(-3, to: key)
        #expect(deltas.count == 1)
        try node.store.transaction { tx in try deltas.write(to: tx) }
        #expect(try node.store.statistic(key)?.value == 0)
        #expect(deltas.count == 0)
    }

    /// Items mixing good ones and every kind of fault the `EventFields` path names.
    static let callItems: [String] = [
        #"{"id":"C1","received_at":"2026-01-05T09:30:00+08:00","channel":"hotline","type":"emergency","effective":true,"community":"130102001001","elder_id":"E1","outcome":"ok","handler":"7","response_seconds":30}"#,
        #"{"id":"C2","received_at":"2026-01-05T09:30:00+08:00","channel":"fax","type":"emergency","effective":true,"community":"130102001001"}"#,
        #"{"id":"C3","received_at":"yesterday","channel":"fax","type":"emergency","effective":"yes","community":"130102001001"}"#,
        #"{"id":"C4","received_at":"2026-01-05T09:30:00+08:00","channel":"app","type":"invalid","effective":true,"community":"130102001001"}"#,
        #"{"id":"C5","received_at":"2026-01-05T09:30:00+08:00","channel":"app","type":"consultation","effective":false,"community":"130102001001","colour":"red","zebra":1}"#,
        #"{"id":5,"received_at":"2026-01-05T09:30:00+08:00","channel":"app","type":"consultation","effective":false,"community":"130102001001"}"#,
        #"{"id":"C7","received_at":"2026-01-05T09:30:00+08:00","channel":"app","type":"consultation","effective":false,"community":"130102"}"#,
        #"{"id":"C8","received_at":"2026-01-05T09:30:00+08:00","channel":"app","type":"consultation","effective":false,"community":"130102001001","response_seconds":2.5}"#,
        #"{"id":"C9","received_at":"2026-01-05T09:30:00+08:00","channel":"app","type":"consultation","effective":false,"community":"130102001001","response_seconds":9999999}"#,
        #"{"id":"C10","received_at":null,"channel":"app","type":"consultation","effective":false,"community":"130102001001","elder_id":null}"#,
        #"{"id":"C11","received_at":"2026-01-05T09:30:00+08:00","channel":"app","type":"consultation","effective":false,"community":"130102001001","elder_id":null}"#,
        #"{"id":"","received_at":"2026-01-05T09:30:00+08:00","channel":"app","type":"consultation","effective":false,"community":"abc"}"#,
        #"["not","an","object"]"#, #"42"#, #"null"#, #"{}"#,
    ]

    static let visitItems: [String] = [
        #"{"id":"V1","elder_id":"E1","provider_id":"P1","category":"daily_care","item":"助餐","check_in":"2026-01-05T09:00:00+08:00","check_out":"2026-01-05T09:45:00+08:00","community":"130102001001","photo_count":2}"#,
        #"{"id":"V2","elder_id":"E1","provider_id":"P1","category":"生活照料","item":"助餐","check_in":"2026-01-05T09:00:00+08:00","check_out":"2026-01-05T09:45:00+08:00","community":"130102001001","status":"cancelled"}"#,
        #"{"id":"V3","elder_id":"E1","provider_id":"P1","category":"gardening","item":"助餐","check_in":"2026-01-05T09:00:00+08:00","check_out":"2026-01-05T08:45:00+08:00","community":"130102001001"}"#,
        #"{"id":"V4","elder_id":"E1","provider_id":"P1","category":"daily_care","item":"助餐","check_in":"2026-01-05T09:00:00+08:00","check_out":"2026-01-05T08:45:00+08:00","community":"130102001001","status":"done"}"#,
        #"{"id":"V5","elder_id":"E1","provider_id":"P1","category":"daily_care","item":"助餐","check_in":"2026-01-05T09:00:00+08:00","check_out":"2026-01-05T09:45:00+08:00","community":"130102001001","photo_count":"two"}"#,
        #"{"id":"V6","elder_id":"E1","provider_id":"P1","category":"daily_care","item":"助餐","check_in":"2026-01-05T09:00:00+08:00","check_out":"2026-01-05T09:45:00+08:00","community":"130102001001","status":null,"location":null}"#,
        #"{"id":"V7","elder_id":"E1","provider_id":"P1","category":"daily_care","check_in":"2026-01-05T09:00:00+08:00","check_out":"2026-01-05T09:45:00+08:00","community":"130102001001","extra":true}"#,
    ]

    static let callbackItems: [String] = [
        #"{"id":"B1","visit_id":"V1","at":"2026-01-06T10:00:00+08:00","score":"satisfied","complaint":false,"community":"130102001001"}"#,
        #"{"id":"B2","visit_id":"V1","at":"2026-01-06T10:00:00+08:00","score":"满意","complaint":true,"community":"130102001001"}"#,
        #"{"id":"B3","visit_id":"V1","at":"2026-01-06T10:00:00+08:00","score":"great","complaint":0,"community":"130102001001"}"#,
        #"{"id":"B4","visit_id":"V1","at":"2026-01-06","score":"satisfied","complaint":false,"community":"130102001001"}"#,
        #"{"id":"B5","visit_id":"V1","at":"2026-01-06T10:00:00+08:00","score":"satisfied","complaint":false,"community":"130102001000"}"#,
    ]

    /// Each item's answer: the record, or the rejection's field and message.
    static func answers<T: Equatable>(_ items: [(index: Int, result: Result<T, CallValidationError>)]) -> [String] {
        items.map { item in
            switch item.result {
            case .success(let record): "\(item.index) ok \(record)"
            case .failure(let error): "\(item.index) \(error.field): \(error.message)"
            }
        }
    }

    /// The typed path answers exactly what the `EventFields` path answers, item by item.
    func expectSameAnswers<Fields: EventItemFields>(
        _ items: [String], noun: String, _: Fields.Type, slow: (JSONObject) throws(CallValidationError) -> Fields.Record
    ) throws where Fields.Record: Equatable {
        // Every item alone, every item in an array, and the whole array in several orders.
        var bodies = items.map { "[\($0)]" } + ["[" + items.joined(separator: ",") + "]"]
        bodies.append("[" + items.reversed().joined(separator: ",") + "]")
        bodies += items.filter { $0.hasPrefix("{") }
        for body in bodies {
            let buffer = ByteBuffer(string: body)
            let typed = try EventPayload.decode(buffer, noun: noun, as: Fields.self, slow: slow)
            let tree = try EventPayload.decode(buffer, noun: noun, slow)
            #expect(Self.answers(typed) == Self.answers(tree), "body \(body)")
        }
        #expect(
            try EventPayload.decode(
                ByteBuffer(string: "[" + items.joined(separator: ",") + "]"), noun: noun, as: Fields.self, slow: slow
            )
            .contains { if case .success = $0.result { true } else { false } })
    }

    @Test func typedCallsAnswerAsTheFieldReaderDoes() throws {
        try expectSameAnswers(Self.callItems, noun: "call", CallFields.self) { object throws(CallValidationError) in
            try CallPayload.call(object)
        }
    }

    @Test func typedVisitsAnswerAsTheFieldReaderDoes() throws {
        try expectSameAnswers(Self.visitItems, noun: "visit", VisitFields.self) { object throws(CallValidationError) in
            try VisitPayload.visit(object)
        }
    }

    @Test func typedCallbacksAnswerAsTheFieldReaderDoes() throws {
        try expectSameAnswers(Self.callbackItems, noun: "callback", CallbackFields.self) {
            object throws(CallValidationError) in try CallbackPayload.callback(object)
        }
    }

    @Test func bodiesThatAreNotArraysOfObjectsAreRefusedAsBefore() throws {
        for body in ["", "{", "\"text\"", "3", "[1,", "null"] {
            let buffer = ByteBuffer(string: body)
            var typedError: APIError?
            var treeError: APIError?
            do { _ = try CallPayload.decode(buffer) } catch { typedError = error }
            do {
                _ = try EventPayload.decode(buffer, noun: "call") { object throws(CallValidationError) in
                    try CallPayload.call(object)
                }
            } catch { treeError = error }
            #expect(typedError != nil, "body \(body)")
            #expect(
                typedError.map { "\($0.status) \($0.message)" } == treeError.map { "\($0.status) \($0.message)" },
                "body \(body)")
        }
        let tooMany = "[" + Array(repeating: "{}", count: EventPayload.maxItems + 1).joined(separator: ",") + "]"
        #expect(throws: APIError.self) { try CallPayload.decode(ByteBuffer(string: tooMany)) }
    }
}
