import Eldercare
import FederationNode
import Replication
import Reports
import Simulation
import Testing

@Suite(.timeLimit(.minutes(10))) struct ActivitySimulatorTests {
    static func communities() throws -> [NodeCode] {
        try ["130102001001", "130102001002", "130104001001", "130104002002"].map { try NodeCode($0) }
    }
    static let first = CalendarDay(year: 2026, month: 1, day: 1)!

    static func days(_ count: Int) -> [CalendarDay] { (0..<count).map { first.adding(days: $0) } }

    @Test func theSameSeedGivesTheSameItemsAndAnotherSeedOthers() throws {
        let one = ActivitySimulator(seed: 7, communities: try Self.communities())
        let again = ActivitySimulator(seed: 7, communities: try Self.communities())
        let other = ActivitySimulator(seed: 8, communities: try Self.communities())
        #expect(one.day(Self.first) == again.day(Self.first))
        #expect(one.roster() == again.roster())
        #expect(
            one.live(index: 3, session: 10, unixSeconds: 1_767_600_000)
                == again.live(index: 3, session: 10, unixSeconds: 1_767_600_000))
        #expect(one.day(Self.first) != other.day(Self.first))
        // Ids are unique across days and kinds, so a re-sent day is all duplicates and nothing else is.
        let ids = Self.days(30).flatMap { one.day($0) }.map(\.id)
        #expect(Set(ids).count == ids.count)
    }

    @Test func callsAreCalibratedToTheSeeds() throws {
        let simulator = ActivitySimulator(seed: 42, communities: try Self.communities())
        let calls = Self.days(365).flatMap { simulator.day($0) }.filter { $0.kind == .calls }
        // One call a day per 1,500 elders: 4 communities × 1,500 elders × 365 days ≈ 1,460 calls.
        #expect((1_300...1_620).contains(calls.count), "\(calls.count) calls")
        let effective = calls.filter { $0.value("effective") == .bool(true) }.count
        let ratio = Double(effective) / Double(calls.count)
        #expect(abs(ratio - 0.4) < 0.04, "effective ratio \(ratio)")
        var byHour = [Int](repeating: 0, count: 24)
        for call in calls {
            if case .text(let time)? = call.value("received_at"), let hour = Int(time.dropFirst(11).prefix(2)) {
                byHour[hour] += 1
            }
        }
        let peak = byHour.enumerated().max { $0.element < $1.element }!.offset
        #expect((9...10).contains(peak), "peak hour \(peak): \(byHour)")
        // Walk-ins are recorded at the station, the other channels at the hotline.
        #expect(calls.allSatisfy { ($0.value("channel") == .text("walk_in")) == ($0.destination == .community) })
    }

    @Test func visitsCoverTheSixCategoriesAndSatisfactionFlagsTwoProviders() throws {
        // The demo's scale and seed: 8 communities of 1,500 elders, 90 days.
        let communities =
            try Self.communities()
            + ["130102002001", "130102002002", "130104001002", "130104002001"].map { try NodeCode($0) }
        let simulator = ActivitySimulator(seed: 42, communities: communities)
        let items = Self.days(90).flatMap { simulator.day($0) }
        let visits = items.filter { $0.kind == .visits }
        let callbacks = items.filter { $0.kind == .callbacks }
        // About 4 visits a day per 1,000 elders: 8 × 1,500 × 0.004 × 90 ≈ 4,320.
        #expect((4_000...4_640).contains(visits.count), "\(visits.count) visits")
        let categories = Set(visits.compactMap { if case .text(let c)? = $0.value("category") { c } else { nil } })
        #expect(
            categories == [
                "medical_care", "emergency_aid", "daily_care", "spiritual_comfort", "legal_aid", "culture_recreation",
            ])
        // Every callback is about a visit of the same day.
        let visitIDs = Set(visits.map(\.id))
        #expect(
            callbacks.allSatisfy {
                if case .text(let id)? = $0.value("visit_id") { visitIDs.contains(id) } else { false }
            })
        var provider: [String: String] = [:]
        for visit in visits { if case .text(let p)? = visit.value("provider_id") { provider[visit.id] = p } }
        var asked: [String: (all: Int, satisfied: Int)] = [:]
        for callback in callbacks {
            guard case .text(let visit)? = callback.value("visit_id"), let p = provider[visit] else { continue }
            let satisfied = callback.value("score") != .text("dissatisfied")
            asked[p, default: (0, 0)].all += 1
            asked[p, default: (0, 0)].satisfied += satisfied ? 1 : 0
        }
        let total = asked.values.reduce((0, 0)) { ($0.0 + $1.all, $0.1 + $1.satisfied) }
        let overall = Double(total.1) / Double(total.0)
        #expect(overall > 0.99 && overall < 0.999, "overall satisfaction \(overall)")
        let good = asked.filter { !["P-011", "P-012"].contains($0.key) }.values.reduce((0, 0)) {
            ($0.0 + $1.all, $0.1 + $1.satisfied)
        }
        #expect(Double(good.1) / Double(good.0) > 0.998)
        let flagged = asked.filter { Double($0.value.satisfied) / Double($0.value.all) < 0.9 }.keys.sorted()
        #expect(flagged == ["P-011", "P-012"], "\(asked)")
    }

    @Test func theRosterHasDuplicateResidentIDsAndValidElders() throws {
        let simulator = ActivitySimulator(seed: 42, communities: try Self.communities())
        let roster = simulator.roster()
        #expect(roster.count == 4 * 1_500)
        var seen: [String: Int] = [:]
        for elder in roster { if case .text(let id)? = elder.value("resident_id") { seen[id, default: 0] += 1 } }
        let repeated = seen.values.filter { $0 > 1 }.count
        #expect((5...60).contains(repeated), "\(repeated) resident IDs registered twice")
        #expect(
            roster.allSatisfy { $0.value("community") == .text($0.community.rawValue) && $0.destination == .community })
        // About 5% of registrations do not qualify (a few for the audit list), the others do.
        let policy = EligibilityPolicy()
        let unqualified = roster.filter { elder in
            guard case .text(let birth)? = elder.value("birth_date"), let year = Int(birth.prefix(4)) else {
                return false
            }
            var categories: Set<String> = []
            var living: String?
            var disability: String?
            if case .text(let text)? = elder.value("categories") {
                categories = Set(text.split(separator: ",").map(String.init))
            }
            if case .text(let text)? = elder.value("living") { living = text }
            if case .text(let text)? = elder.value("disability") { disability = text }
            return !policy.assess(categories: categories, age: 2026 - year, living: living, disability: disability)
                .qualifies
        }.count
        let share = Double(unqualified) / Double(roster.count)
        #expect(share > 0.03 && share < 0.08, "\(unqualified) of \(roster.count) do not qualify")
        // Visits are for elders of the roster.
        let elderIDs = Set(roster.map(\.id))
        let visits = simulator.day(Self.first).filter { $0.kind == .visits }
        #expect(
            visits.allSatisfy { if case .text(let id)? = $0.value("elder_id") { elderIDs.contains(id) } else { false } }
        )
    }
}
