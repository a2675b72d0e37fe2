import Foundation
import Testing

/// End to end: a federation planned with `fedctl plan` runs as processes; known calls recorded at two
/// communities and at the city hotline reach every level's summary exactly.
@Suite(.serialized) struct PlannedFederationTests {
    static let city = "130100000000"
    static let district = "130102000000"
    static let street = "130102001000"
    static let east = "130102001001"
    static let west = "130102001002"

    static func call(_ id: String, _ community: String, day: String = "2026-01-05", hour: Int, channel: String, effective: Bool) -> [String: Any] {
        [
            "id": id, "received_at": "\(day)T\(hour < 10 ? "0" : "")\(hour):20:00+08:00", "channel": channel,
            "type": effective ? "service_request" : "consultation", "effective": effective, "community": community,
        ]
    }

    struct Figures: Equatable, CustomStringConvertible {
        var total: Int
        var effective: Int
        var byChannel: [String: Int]
        var description: String { "\(total)/\(effective) \(byChannel)" }
    }

    static func figures(_ summary: [String: Any]) -> Figures {
        let calls = summary["calls"] as? [String: Any] ?? [:]
        let channels = (calls["by_channel"] as? [String: Any] ?? [:]).compactMapValues { ($0 as? NSNumber)?.intValue }
        return Figures(
            total: (calls["total"] as? NSNumber)?.intValue ?? -1, effective: (calls["effective"] as? NSNumber)?.intValue ?? -1,
            byChannel: channels)
    }

    /// Polls a node's summary until it shows `expected` (replication takes a moment), then returns what it shows.
    static func await(_ federation: ProcessFederation, _ code: String, scope: String? = nil, _ expected: Figures) async throws -> Figures {
        let path = "/api/v1/reports/summary?from=2026-01-01&to=2026-01-31" + (scope.map { "&scope=\($0)" } ?? "")
        var seen = Figures(total: -1, effective: -1, byChannel: [:])
        for _ in 0..<150 {
            seen = figures(try await federation.get(code, path))
            if seen == expected { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        return seen
    }

    @Test func knownCallsAtTwoCommunitiesAndTheCityAddUpAtEveryLevel() async throws {
        let federation = try ProcessFederation()
        defer { federation.shutdown() }
        try federation.plan([
            (Self.city, "石家庄市"), (Self.district, "长安区"), (Self.street, "建北街道"),
            (Self.east, "建设北大街社区"), (Self.west, "棉一社区"),
        ])
        for code in [Self.city, Self.district, Self.street, Self.east, Self.west] { try await federation.start(code) }

        // East station: 5 walk-ins, 3 effective. West station: 4 walk-ins, 1 effective.
        let east = (0..<5).map { Self.call("E-\($0)", Self.east, hour: 9, channel: "walk_in", effective: $0 < 3) }
        let west = (0..<4).map { Self.call("W-\($0)", Self.west, hour: 10, channel: "walk_in", effective: $0 < 1) }
        // The city hotline: 3 about east (2 effective), 2 about west (none), and one in February (outside the range).
        let hotline = (0..<3).map { Self.call("H-E-\($0)", Self.east, hour: 11, channel: "hotline", effective: $0 < 2) }
            + (0..<2).map { Self.call("H-W-\($0)", Self.west, hour: 15, channel: "sos_key", effective: false) }
            + [Self.call("H-FEB", Self.east, day: "2026-02-01", hour: 9, channel: "hotline", effective: true)]
        for (code, calls) in [(Self.east, east), (Self.west, west), (Self.city, hotline)] {
            let answer = try await federation.post(code, "/api/v1/calls", json: calls)
            #expect((answer["accepted"] as? NSNumber)?.intValue == calls.count)
        }

        let all = Figures(total: 14, effective: 6, byChannel: ["walk_in": 9, "hotline": 3, "sos_key": 2])
        #expect(try await Self.await(federation, Self.city, all) == all)
        #expect(try await Self.await(federation, Self.district, all) == all)
        #expect(try await Self.await(federation, Self.street, all) == all)
        let eastFigures = Figures(total: 8, effective: 5, byChannel: ["walk_in": 5, "hotline": 3])
        let westFigures = Figures(total: 6, effective: 1, byChannel: ["walk_in": 4, "sos_key": 2])
        // A community sees its own calls and the hotline's calls about it, not its neighbour's.
        #expect(try await Self.await(federation, Self.east, eastFigures) == eastFigures)
        #expect(try await Self.await(federation, Self.west, westFigures) == westFigures)
        #expect(try await Self.await(federation, Self.city, scope: Self.west, westFigures) == westFigures)

        for code in [Self.west, Self.east, Self.street, Self.district, Self.city] {
            #expect(federation.terminate(code) == 0, "\(code) did not stop cleanly")
        }
    }
}
