import Foundation

/// What the accepted events say, per community: the harness's own count, kept only for events a node
/// answered 200 for (accepted or duplicate of an earlier uncertain attempt).
///
///     let truth = GroundTruth()
///     truth.accept([event])
///     truth.calls(within: "130102000000").total
final class GroundTruth: @unchecked Sendable {
    /// The calls section of the summary, as the harness expects it.
    struct Calls: Equatable, CustomStringConvertible {
        var total = 0
        var effective = 0
        var byChannel: [String: Int] = [:]
        var byType: [String: Int] = [:]
        var byHour = [Int](repeating: 0, count: 24)

        mutating func add(_ call: ChaosEvent.Call) {
            total += 1
            if call.effective { effective += 1 }
            byChannel[call.channel, default: 0] += 1
            byType[call.type, default: 0] += 1
            byHour[call.hour] += 1
        }

        static func + (lhs: Calls, rhs: Calls) -> Calls {
            var sum = lhs
            sum.total += rhs.total
            sum.effective += rhs.effective
            sum.byChannel.merge(rhs.byChannel, uniquingKeysWith: +)
            sum.byType.merge(rhs.byType, uniquingKeysWith: +)
            sum.byHour = zip(lhs.byHour, rhs.byHour).map(+)
            return sum
        }

        /// Reads the `calls` object of a summary document; nil if it is missing or malformed.
        init?(summary: Any?) {
            func int(_ value: Any?) -> Int? { (value as? NSNumber)?.intValue ?? (value as? Int) }
            func counts(_ value: Any?) -> [String: Int]? {
                guard let object = value as? [String: Any] else { return nil }
                var result: [String: Int] = [:]
                for (key, count) in object {
                    guard let count = int(count) else { return nil }
                    if count != 0 { result[key] = count }
                }
                return result
            }
            guard let document = summary as? [String: Any], let calls = document["calls"] as? [String: Any],
                let total = int(calls["total"]), let effective = int(calls["effective"]),
                let channels = counts(calls["by_channel"]), let types = counts(calls["by_type"]),
                let hours = (calls["by_hour"] as? [Any])?.compactMap(int), hours.count == 24
            else { return nil }
            self.total = total
            self.effective = effective
            byChannel = channels
            byType = types
            byHour = hours
        }

        init() {}

        var description: String {
            "total \(total), effective \(effective), channels \(byChannel.sorted { $0.key < $1.key }), types \(byType.sorted { $0.key < $1.key })"
        }
    }

    /// Services and satisfaction, counted for the report (and for the summary sections other branches add).
    struct Services: Equatable {
        var visits = 0
        var minutes = 0
        var callbacks = 0
        var satisfied = 0
        var basicallySatisfied = 0
    }

    private let lock = NSLock()
    private var calls: [String: Calls] = [:]
    private var services: [String: Services] = [:]
    private var counts: [String: Int] = ["calls": 0, "visits": 0, "callbacks": 0]

    func accept(_ events: [ChaosEvent]) {
        lock.withLock {
            for event in events {
                switch event {
                case .call(let call):
                    calls[call.community, default: Calls()].add(call)
                    counts["calls", default: 0] += 1
                case .visit(let visit):
                    services[visit.community, default: Services()].visits += 1
                    services[visit.community, default: Services()].minutes += visit.minutes
                    counts["visits", default: 0] += 1
                case .callback(let callback):
                    services[callback.community, default: Services()].callbacks += 1
                    if callback.score == "satisfied" {
                        services[callback.community, default: Services()].satisfied += 1
                    }
                    if callback.score == "basically_satisfied" {
                        services[callback.community, default: Services()].basicallySatisfied += 1
                    }
                    counts["callbacks", default: 0] += 1
                }
            }
        }
    }

    /// The expected calls of every community whose code starts with the scope's prefix.
    func calls(within scope: String) -> Calls {
        let prefix = Self.prefix(of: scope)
        return lock.withLock { calls.filter { $0.key.hasPrefix(prefix) }.values.reduce(Calls(), +) }
    }

    var eventCount: Int { lock.withLock { counts.values.reduce(0, +) } }
    var countsByKind: [String: Int] { lock.withLock { counts } }

    /// `130102000000` → `130102`: the digits that identify the area.
    static func prefix(of code: String) -> String {
        var digits = Substring(code)
        while digits.count > 4, digits.hasSuffix("000") { digits = digits.dropLast(3) }
        if digits.count == 6, digits.hasSuffix("00") { digits = digits.dropLast(2) }
        return String(digits)
    }
}
