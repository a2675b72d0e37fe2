import Eldercare
import FederationNode
import Foundation
import Replication
import Reports
import Testing

/// Random calls recorded at three nodes (with retries), merged up to the city: every summary the city
/// computes equals a recount from the raw calls, using Foundation's calendar as an independent oracle
/// for the China Standard Time day and hour.
@Suite(.timeLimit(.minutes(10))) struct CallSummaryPropertyTests {
    struct RawCall {
        let node: Int
        let call: CallRecord
    }

    static let communities = [
        Codes.community, Codes.neighbour, Codes.otherStreetCommunity, Codes.otherDistrictCommunity, "130102001017",
        "130181105203",
    ]
    static let scopes = [
        Codes.city, Codes.district, Codes.street, Codes.community, Codes.neighbour, "130102002000", "130103000000",
        "130181000000", "130181105000",
    ]
    /// Offsets the calls are written in, minutes east of UTC.
    static let offsets = [0, 480, -300, 330, 345, -600, 840, -720, 60, 480, 480]

    static func receivedAt(_ instant: Int64, offsetMinutes: Int, fraction: Bool) throws -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(secondsFromGMT: offsetMinutes * 60))
        let parts = calendar.dateComponents(
            [.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: Double(instant)))
        func pad(_ value: Int?, _ width: Int = 2) -> String {
            let text = String(value ?? 0)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        var text =
            "\(pad(parts.year, 4))-\(pad(parts.month))-\(pad(parts.day))T\(pad(parts.hour)):\(pad(parts.minute)):\(pad(parts.second))"
        if fraction { text += ".250" }
        if offsetMinutes == 0 { return text + "Z" }
        let sign = offsetMinutes < 0 ? "-" : "+"
        return text + "\(sign)\(pad(abs(offsetMinutes) / 60)):\(pad(abs(offsetMinutes) % 60))"
    }

    /// Day and hour in Beijing according to Foundation.
    static func oracle(_ text: String) throws -> (day: String, hour: Int) {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions =
            text.contains(".") ? [.withInternetDateTime, .withFractionalSeconds] : [.withInternetDateTime]
        let date = try #require(formatter.date(from: text), "Foundation cannot parse \(text)")
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = try #require(TimeZone(secondsFromGMT: 8 * 3_600))
        let parts = calendar.dateComponents([.year, .month, .day, .hour], from: date)
        let day = try #require(CalendarDay(year: parts.year ?? 0, month: parts.month ?? 0, day: parts.day ?? 0))
        return (day.description, parts.hour ?? -1)
    }

    @Test(arguments: [1, 2, 3, 42, 20_260_105] as [UInt64])
    func summaryEqualsARecountOfTheRawCalls(seed: UInt64) throws {
        var random = SeededGenerator(seed: seed)
        let nodes = [try TestNode(Codes.city), try TestNode(Codes.street), try TestNode(Codes.community)]
        let start: Int64 = 1_767_139_200  // 2025-12-31T00:00:00Z
        var raw: [RawCall] = []
        var pending: [[CallRecord]] = [[], [], []]
        for index in 0..<300 {
            let node = Int.random(in: 0..<nodes.count, using: &random)
            let type = CallType.allCases.randomElement(using: &random)!
            let text = try Self.receivedAt(
                start + Int64.random(in: 0..<(11 * 86_400), using: &random),
                offsetMinutes: Self.offsets.randomElement(using: &random)!, fraction: Bool.random(using: &random))
            let call = try CallRecord(
                id: "S\(seed)-\(index)", receivedAt: text, channel: CallChannel.allCases.randomElement(using: &random)!,
                type: type, effective: type != .invalid && Bool.random(using: &random),
                community: try NodeCode(Self.communities.randomElement(using: &random)!))
            raw.append(RawCall(node: node, call: call))
            pending[node].append(call)
            // Batches of random size; some are sent twice (a client retry after a lost response).
            if Int.random(in: 0..<8, using: &random) == 0 {
                try CallLog.record(pending[node], in: nodes[node].store)
                if Bool.random(using: &random) {
                    let retry = try CallLog.record(pending[node], in: nodes[node].store)
                    #expect(retry.recorded == 0)
                }
                pending[node] = []
            }
        }
        for (node, calls) in pending.enumerated() { try CallLog.record(calls, in: nodes[node].store) }
        // The community reports to the street, the street to the city; the city also hears the
        // community's feed directly once more (a re-parented link starting from zero).
        let city = nodes[0].store
        let street = nodes[1].store
        let community = nodes[2].store
        try street.merge(try community.changes(after: 0).batch, from: community.node)
        try city.merge(try street.changes(after: 0).batch, from: street.node)
        try city.merge(try community.changes(after: 0).batch, from: community.node)

        let oracle = try raw.map { try Self.oracle($0.call.receivedAt.text) }
        let firstDay = try #require(CalendarDay("2025-12-30"))
        for _ in 0..<25 {
            let scope = try NodeCode(Self.scopes.randomElement(using: &random)!)
            let from = firstDay.adding(days: Int.random(in: 0..<14, using: &random))
            let to = from.adding(days: Int.random(in: 0..<8, using: &random))
            var expected = CallSummary.empty
            for (entry, (day, hour)) in zip(raw, oracle)
            where scope.contains(entry.call.community) && day >= from.description && day <= to.description {
                expected.total += 1
                if entry.call.effective { expected.effective += 1 }
                expected.byChannel[entry.call.channel.rawValue, default: 0] += 1
                expected.byType[entry.call.type.rawValue, default: 0] += 1
                expected.byHour[hour] += 1
            }
            let actual = try CallSummary.compute(city.database, scope: scope, days: from...to)
            #expect(actual == expected, "seed \(seed), scope \(scope), \(from)…\(to)")
            #expect(
                actual.effectiveRatio.value
                    == (expected.total == 0 ? 0 : Double(expected.effective) / Double(expected.total)))
        }
        // Every node's rows match what it was sent, once each.
        for (position, node) in nodes.enumerated() {
            #expect(try node.callRows() == raw.filter { $0.node == position }.count)
        }
    }
}
