import Foundation
import SeededRandom

/// One event the load generator posts, with exactly what it must add to the figures once accepted.
///
///     let call = ChaosEvent.call(.init(id: "CH-1", community: "130102001001", channel: "hotline",
///                                      type: "emergency", effective: true, day: 5, hour: 9, minute: 30))
///     call.json   // the body item of POST /api/v1/calls
enum ChaosEvent: Sendable {
    struct Call: Sendable {
        let id: String
        let community: String
        let channel: String
        let type: String
        let effective: Bool
        /// Day of January 2026 (5–11) and hour, China Standard Time.
        let day: Int
        let hour: Int
        let minute: Int
    }

    struct Visit: Sendable {
        let id: String
        let community: String
        let elder: String
        let provider: String
        let category: String
        let day: Int
        let hour: Int
        let minutes: Int
    }

    struct Callback: Sendable {
        let id: String
        let community: String
        let visit: String
        let score: String
        let complaint: Bool
        let day: Int
        let hour: Int
    }

    case call(Call)
    case visit(Visit)
    case callback(Callback)

    static let channels = ["hotline", "sos_key", "help_key", "app", "walk_in"]
    static let types = ["emergency", "service_request", "consultation", "complaint", "companionship", "invalid"]
    static let categories = [
        "medical_care", "emergency_aid", "daily_care", "spiritual_comfort", "legal_aid", "culture_recreation",
    ]
    static let scores = ["satisfied", "basically_satisfied", "dissatisfied"]

    /// The API path events of this kind are posted to.
    var path: String {
        switch self {
        case .call: "/api/v1/calls"
        case .visit: "/api/v1/visits"
        case .callback: "/api/v1/callbacks"
        }
    }

    var community: String {
        switch self {
        case .call(let call): call.community
        case .visit(let visit): visit.community
        case .callback(let callback): callback.community
        }
    }

    static func time(day: Int, hour: Int, minute: Int) -> String {
        String(format: "2026-01-%02dT%02d:%02d:00+08:00", day, hour, minute)
    }

    /// The JSON item (docs/API.md).
    var json: [String: Any] {
        switch self {
        case .call(let call):
            return [
                "id": call.id, "received_at": Self.time(day: call.day, hour: call.hour, minute: call.minute),
                "channel": call.channel, "type": call.type, "effective": call.effective, "community": call.community,
            ]
        case .visit(let visit):
            let end = visit.hour * 60 + visit.minutes
            return [
                "id": visit.id, "elder_id": visit.elder, "provider_id": visit.provider, "category": visit.category,
                "item": "助餐", "check_in": Self.time(day: visit.day, hour: visit.hour, minute: 0),
                "check_out": Self.time(day: visit.day, hour: end / 60, minute: end % 60), "community": visit.community,
            ]
        case .callback(let callback):
            return [
                "id": callback.id, "visit_id": callback.visit,
                "at": Self.time(day: callback.day, hour: callback.hour, minute: 0),
                "score": callback.score, "complaint": callback.complaint, "community": callback.community,
            ]
        }
    }
}

/// Makes random valid events with unique ids.
struct EventFactory: Sendable {
    var random: SplitMix
    private var next = 0
    let run: String

    init(seed: UInt64, run: String) {
        random = SplitMix(seed: seed)
        self.run = run
    }

    /// The elders registered at each community before the load (visits need an elder of the roster).
    static func elders(of community: String) -> [String] { (1...5).map { "E-\(community)-\($0)" } }

    mutating func call(about community: String, channel: String? = nil) -> ChaosEvent {
        next += 1
        let type = ChaosEvent.types.randomElement(using: &random)!
        return .call(
            .init(
                id: "CH-\(run)-\(next)", community: community,
                channel: channel ?? ChaosEvent.channels.randomElement(using: &random)!,
                type: type, effective: type != "invalid" && Bool.random(using: &random),
                day: Int.random(in: 5...11, using: &random),
                hour: Int.random(in: 0...23, using: &random), minute: Int.random(in: 0...59, using: &random)))
    }

    mutating func visit(at community: String) -> ChaosEvent {
        next += 1
        return .visit(
            .init(
                id: "SV-\(run)-\(next)", community: community,
                elder: Self.elders(of: community).randomElement(using: &random)!,
                provider: "P-\(Int.random(in: 1...6, using: &random))",
                category: ChaosEvent.categories.randomElement(using: &random)!,
                day: Int.random(in: 5...11, using: &random), hour: Int.random(in: 7...18, using: &random),
                minutes: Int.random(in: 15...240, using: &random)))
    }

    mutating func callback(about community: String) -> ChaosEvent {
        next += 1
        return .callback(
            .init(
                id: "CB-\(run)-\(next)", community: community,
                visit: "SV-\(run)-\(Int.random(in: 1...max(1, next), using: &random))",
                score: ChaosEvent.scores.randomElement(using: &random)!,
                complaint: Int.random(in: 0..<10, using: &random) == 0,
                day: Int.random(in: 5...11, using: &random), hour: Int.random(in: 8...20, using: &random)))
    }
}
