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

    /// The services and satisfaction sections of the summary, as the harness expects them: completed
    /// visits, their hours, hours and visits per category; callbacks rated, satisfied (satisfied +
    /// basically satisfied) and the rate.
    ///
    /// The node writes hours (minutes ÷ 60) and the rate (satisfied ÷ rated) as the shortest decimal of
    /// the double, but Foundation's JSON reader on Linux may read such a decimal one unit in the last place
    /// off. So hours are compared as whole minutes (hours × 60, rounded: exact for any realistic total) and
    /// the rate to 9 decimal places; the counts behind both are compared exactly.
    struct Services: Equatable, CustomStringConvertible {
        var completed = 0
        var minutes = 0
        var minutesByCategory: [String: Int] = [:]
        var completedByCategory: [String: Int] = [:]
        var rated = 0
        var satisfied = 0
        var rate = 0.0

        static func wholeMinutes(hours: Double) -> Int { Int((hours * 60).rounded()) }
        static func rounded(_ rate: Double) -> Double { (rate * 1e9).rounded() / 1e9 }

        /// Reads the `services` and `satisfaction` objects of a summary document; nil if either is
        /// missing or malformed.
        init?(summary: Any?) {
            func int(_ value: Any?) -> Int? { (value as? NSNumber)?.intValue ?? (value as? Int) }
            func double(_ value: Any?) -> Double? { (value as? NSNumber)?.doubleValue ?? (value as? Double) }
            guard let document = summary as? [String: Any], let services = document["services"] as? [String: Any],
                let satisfaction = document["satisfaction"] as? [String: Any],
                let completed = int(services["completed"]), let hours = double(services["hours"]),
                let byCategory = services["by_category"] as? [String: Any],
                let completedByCategory = services["completed_by_category"] as? [String: Any],
                let rated = int(satisfaction["rated"]), let satisfied = int(satisfaction["satisfied"]),
                let rate = double(satisfaction["rate"])
            else { return nil }
            self.completed = completed
            minutes = Self.wholeMinutes(hours: hours)
            for (category, value) in byCategory {
                guard let value = double(value) else { return nil }
                if value != 0 { minutesByCategory[category] = Self.wholeMinutes(hours: value) }
            }
            for (category, value) in completedByCategory {
                guard let value = int(value) else { return nil }
                if value != 0 { self.completedByCategory[category] = value }
            }
            self.rated = rated
            self.satisfied = satisfied
            self.rate = Self.rounded(rate)
        }

        /// The sections a set of recounted events must produce.
        init(_ tally: Tally) {
            completed = tally.visits
            minutes = tally.minutes
            minutesByCategory = tally.minutesByCategory
            completedByCategory = tally.visitsByCategory
            rated = tally.callbacks
            satisfied = tally.satisfied + tally.basicallySatisfied
            rate = Self.rounded(rated == 0 ? 0 : Double(satisfied) / Double(rated))
        }

        var description: String {
            "completed \(completed), minutes \(minutes), by category \(minutesByCategory.sorted { $0.key < $1.key }) "
                + "\(completedByCategory.sorted { $0.key < $1.key }), rated \(rated), satisfied \(satisfied), rate \(rate)"
        }
    }

    /// Visits and callbacks of one community, as recounted.
    struct Tally {
        var visits = 0
        var minutes = 0
        var visitsByCategory: [String: Int] = [:]
        var minutesByCategory: [String: Int] = [:]
        var callbacks = 0
        var satisfied = 0
        var basicallySatisfied = 0

        static func + (lhs: Tally, rhs: Tally) -> Tally {
            var sum = lhs
            sum.visits += rhs.visits
            sum.minutes += rhs.minutes
            sum.visitsByCategory.merge(rhs.visitsByCategory, uniquingKeysWith: +)
            sum.minutesByCategory.merge(rhs.minutesByCategory, uniquingKeysWith: +)
            sum.callbacks += rhs.callbacks
            sum.satisfied += rhs.satisfied
            sum.basicallySatisfied += rhs.basicallySatisfied
            return sum
        }
    }

    private let lock = NSLock()
    private var calls: [String: Calls] = [:]
    private var tallies: [String: Tally] = [:]
    private var counts: [String: Int] = ["calls": 0, "visits": 0, "callbacks": 0]

    func accept(_ events: [ChaosEvent]) {
        lock.withLock {
            for event in events {
                switch event {
                case .call(let call):
                    calls[call.community, default: Calls()].add(call)
                    counts["calls", default: 0] += 1
                case .visit(let visit):
                    var tally = tallies[visit.community, default: Tally()]
                    tally.visits += 1
                    tally.minutes += visit.minutes
                    tally.visitsByCategory[visit.category, default: 0] += 1
                    tally.minutesByCategory[visit.category, default: 0] += visit.minutes
                    tallies[visit.community] = tally
                    counts["visits", default: 0] += 1
                case .callback(let callback):
                    var tally = tallies[callback.community, default: Tally()]
                    tally.callbacks += 1
                    if callback.score == "satisfied" { tally.satisfied += 1 }
                    if callback.score == "basically_satisfied" { tally.basicallySatisfied += 1 }
                    tallies[callback.community] = tally
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

    /// The expected services and satisfaction of every community whose code starts with the scope's prefix.
    func services(within scope: String) -> Services {
        let prefix = Self.prefix(of: scope)
        return Services(lock.withLock { tallies.filter { $0.key.hasPrefix(prefix) }.values.reduce(Tally(), +) })
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
