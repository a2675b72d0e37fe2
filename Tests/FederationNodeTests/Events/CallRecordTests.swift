import Eldercare
import FederationNode
import Replication
import Testing

@Suite(.timeLimit(.minutes(10))) struct CallRecordTests {
    func make(
        id: String = "C1", receivedAt: String = "2026-01-05T09:30:00+08:00", type: CallType = .consultation,
        effective: Bool = false, community: String = Codes.community, elderID: String? = nil, outcome: String? = nil,
        handler: String? = nil, responseSeconds: Int64? = nil
    ) throws -> CallRecord {
        try CallRecord(
            id: id, receivedAt: receivedAt, channel: .hotline, type: type, effective: effective,
            community: try NodeCode(community), elderID: elderID, outcome: outcome, handler: handler,
            responseSeconds: responseSeconds)
    }

    /// The field a rejected call names (nil if it was accepted).
    func field(_ body: () throws -> CallRecord) -> String? {
        do {
            _ = try body()
            return nil
        } catch let error as CallValidationError {
            return error.field
        } catch {
            return "unexpected error \(error)"
        }
    }

    @Test func validCallsAreAccepted() throws {
        let call = try make(elderID: "E-0001", outcome: "已派单", handler: "坐席07", responseSeconds: 0)
        #expect(call.day.description == "2026-01-05")
        #expect(call.hour == 9)
        _ = try make(
            id: String(repeating: "x", count: 64), outcome: String(repeating: "好", count: 500), responseSeconds: 604_800
        )
    }

    @Test func eachRuleNamesItsField() {
        #expect(field { try make(id: "") } == "id")
        #expect(field { try make(id: String(repeating: "x", count: 65)) } == "id")
        #expect(field { try make(id: "a\nb") } == "id")
        #expect(field { try make(receivedAt: "2026-01-05 09:30") } == "received_at")
        #expect(field { try make(community: Codes.street) } == "community")
        #expect(field { try make(community: Codes.city) } == "community")
        #expect(field { try make(type: .invalid, effective: true) } == "effective")
        #expect(field { try make(elderID: "") } == "elder_id")
        #expect(field { try make(handler: String(repeating: "x", count: 65)) } == "handler")
        #expect(field { try make(outcome: "") } == "outcome")
        #expect(field { try make(outcome: String(repeating: "x", count: 501)) } == "outcome")
        #expect(field { try make(responseSeconds: -1) } == "response_seconds")
        #expect(field { try make(responseSeconds: 604_801) } == "response_seconds")
    }
}
