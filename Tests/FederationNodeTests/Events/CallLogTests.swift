import Eldercare
import FederationNode
import Foundation
import GRDB
import Replication
import Reports
import Testing

@Suite(.timeLimit(.minutes(10))) struct CallLogTests {
    func call(
        _ id: String, _ receivedAt: String = "2026-01-05T01:30:00Z", channel: CallChannel = .hotline,
        type: CallType = .serviceRequest, effective: Bool = true, community: String = Codes.community
    ) throws -> CallRecord {
        try CallRecord(
            id: id, receivedAt: receivedAt, channel: channel, type: type, effective: effective,
            community: try NodeCode(community))
    }

    @Test func recordingInsertsTheRowAndMovesTheOwnCellTogether() throws {
        let node = try TestNode(Codes.community)
        let outcome = try CallLog.record([try call("C1")], in: node.store)
        #expect(outcome == CallLog.Outcome(recorded: 1, duplicates: 0))
        let key = StatKey(
            origin: node.code, community: try NodeCode(Codes.community), metric: "calls",
            dims: "channel=hotline;effective=1;hour=09;type=service_request", period: "2026-01-05")
        #expect(try node.store.statistic(key)?.value == 1)
        let row = try #require(
            try node.store.database.read { db in
                try Row.fetchOne(
                    db,
                    sql: "SELECT received_at, day, hour, channel, type, effective, community FROM calls WHERE id = 'C1'"
                )
            })
        #expect(row[0] as String == "2026-01-05T01:30:00Z")
        #expect(row[1] as String == "2026-01-05")
        #expect(row[2] as Int == 9)
        #expect(row[3] as String == "hotline")
        #expect(row[4] as String == "service_request")
        #expect(row[5] as Bool == true)
        #expect(row[6] as String == Codes.community)
    }

    @Test func theSameIdTwiceCountsOnce() throws {
        let node = try TestNode(Codes.community)
        try CallLog.record([try call("C1")], in: node.store)
        let head = try node.store.headSequence()
        // A retry, even with different content, changes nothing: the first recording stands.
        let again = try CallLog.record([try call("C1", channel: .app), try call("C1")], in: node.store)
        #expect(again == CallLog.Outcome(recorded: 0, duplicates: 2))
        #expect(try node.store.headSequence() == head)
        // Inside one batch the second occurrence is the duplicate.
        let batch = try CallLog.record([try call("C2"), try call("C2")], in: node.store)
        #expect(batch == CallLog.Outcome(recorded: 1, duplicates: 1))
        let day = try #require(CalendarDay("2026-01-05"))
        let calls = try CallSummary.compute(node.store.database, scope: node.code, days: day...day)
        #expect(calls.total == 2)
        #expect(calls.byChannel == ["hotline": 2])
        #expect(try node.callRows() == 2)
    }

    @Test func aFailedTransactionLeavesNeitherRowNorCount() throws {
        struct Abort: Error {}
        let node = try TestNode(Codes.community)
        // The store reports the rollback as a storage error carrying the cause.
        #expect(throws: ReplicationError.self) {
            try node.store.transaction { tx in
                try CallLog.record(try call("C1"), in: tx)
                throw Abort()
            }
        }
        #expect(try node.callRows() == 0)
        let day = try #require(CalendarDay("2026-01-05"))
        #expect(try CallSummary.compute(node.store.database, scope: node.code, days: day...day) == .empty)
    }

    @Test func aNodeRecordsCallsAboutAnyCommunityAsTheirOrigin() throws {
        let city = try TestNode(Codes.city)
        let station = try TestNode(Codes.community)
        try CallLog.record([try call("H1", community: Codes.otherDistrictCommunity)], in: city.store)
        try CallLog.record([try call("W1", channel: .walkIn, community: Codes.neighbour)], in: station.store)
        let page = try station.store.changes(after: 0)
        #expect(page.batch.stats.map(\.key.origin) == [station.code])
        #expect(page.batch.stats.map(\.key.community.rawValue) == [Codes.neighbour])
        let day = try #require(CalendarDay("2026-01-05"))
        #expect(
            try CallSummary.compute(city.store.database, scope: try NodeCode("130103000000"), days: day...day).total
                == 1)
    }

    @Test func reopeningTheStoreKeepsTheCalls() throws {
        let node = try TestNode(Codes.community)
        try CallLog.record([try call("C1")], in: node.store)
        for _ in 0..<2 {
            let reopened = try NodeSchema.open(path: node.store.database.path, node: node.code)
            #expect(try reopened.database.read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM calls") } == 1)
        }
        #expect(try node.callRows() == 1)
    }
}
