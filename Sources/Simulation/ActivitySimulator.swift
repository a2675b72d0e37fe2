import Eldercare
import Foundation
public import Replication
public import Reports
import SeededRandom

/// Deterministic sample activity for a set of communities, calibrated to the seeds
/// (`SimulationProfile`): a roster per community, and each day's calls, service visits and
/// satisfaction callbacks. The same seed, communities and day always give the same items, with the
/// same ids, so sending a day twice only yields duplicates.
///
///     let simulator = ActivitySimulator(seed: 42, communities: [try NodeCode("130102001001")])
///     let elders = simulator.roster()                                  // POST /api/v1/elders
///     let events = simulator.day(CalendarDay(year: 2026, month: 1, day: 5)!)   // calls, visits, callbacks
///     let live = simulator.live(index: 0, session: 1, unixSeconds: now)        // one item happening now
public struct ActivitySimulator: Sendable {
    public let seed: UInt64
    public let communities: [NodeCode]
    public let profile: SimulationProfile

    public init(seed: UInt64, communities: [NodeCode], profile: SimulationProfile = .seeds) {
        precondition(!communities.isEmpty, "the simulator needs at least one community")
        self.seed = seed
        self.communities = communities
        self.profile = profile
    }

    /// The id of elder `number` (1-based) of a community.
    public static func elderID(_ community: NodeCode, _ number: Int) -> String { "E\(community.rawValue)-\(number)" }

    /// Every community's elders, `profile.eldersPerCommunity` each (ids `E<community>-<n>`). Most
    /// qualify under the seeds' eligibility policy; `profile.ineligibleShare` do not, and a few repeat a
    /// resident ID registered in another community: the two lists of seed 002's audit.
    public func roster() -> [SimulatedEvent] {
        let policy = EligibilityPolicy()
        var result: [SimulatedEvent] = []
        var people: [[(name: String, value: SimulatedEvent.Field)]] = []
        for (index, community) in communities.enumerated() {
            let offset: UInt64 = UInt64(index) &* 0x9E37_79B9
            var sample = SampleRoster(seed: seed &+ offset, communities: [community])
            var generator = SplitMix(seed: seed ^ 0xE1DE_2000 ^ UInt64(community.rawValue)!)
            for number in 1...max(profile.eldersPerCommunity, 1) {
                var write = sample.next()
                if !Self.chance(profile.ineligibleShare, &generator) {
                    // A registered elder normally qualifies: draw again until one does.
                    for _ in 0..<100 where !Self.qualifies(write, policy) { write = sample.next() }
                }
                var fields: [(name: String, value: SimulatedEvent.Field)] = [
                    ("id", .text(Self.elderID(community, number)))
                ]
                for (column, value) in write.values {
                    switch value {
                    case .text(let text): fields.append((column, .text(text)))
                    case .integer(let number): fields.append((column, .integer(Int(number))))
                    case .real, .null: continue
                    }
                }
                let person = fields.filter { ["resident_id", "name", "gender", "birth_date"].contains($0.name) }
                if !people.isEmpty, Double(generator.next() % 1_000_000) / 1_000_000 < profile.duplicateResidentShare {
                    // The same person registered again here (moved, or registered by two stations).
                    let copied = people[Int(generator.next() % UInt64(people.count))]
                    for (name, value) in copied {
                        if let position = fields.firstIndex(where: { $0.name == name }) {
                            fields[position].value = value
                        }
                    }
                } else if generator.next() % 50 == 0 {
                    people.append(person)
                }
                result.append(
                    SimulatedEvent(kind: .elders, community: community, destination: .community, fields: fields))
            }
        }
        return result
    }

    /// Whether a sample elder qualifies for any service tier (age as of their 2026 birthday, as the sample roster counts).
    static func qualifies(_ write: RecordWrite, _ policy: EligibilityPolicy) -> Bool {
        var text: [String: String] = [:]
        for (column, value) in write.values { if let value = value.textValue { text[column] = value } }
        guard let year = text["birth_date"].flatMap({ Int($0.prefix(4)) }) else { return false }
        let categories = Set((text["categories"] ?? "").split(separator: ",").map(String.init))
        return policy.assess(
            categories: categories, age: 2026 - year, living: text["living"], disability: text["disability"]
        ).qualifies
    }

    /// The calls, visits and callbacks of one day (China Standard Time) in every community, in time order
    /// within each kind.
    public func day(_ day: CalendarDay) -> [SimulatedEvent] {
        var calls: [SimulatedEvent] = []
        var visits: [SimulatedEvent] = []
        var callbacks: [SimulatedEvent] = []
        let stamp = day.description.replacingOccurrences(of: "-", with: "")
        for community in communities {
            let place: UInt64 = UInt64(community.rawValue)! &* 0x2545_F491_4F6C_DD1D
            let date: UInt64 = UInt64(day.daysSinceEpoch + 1_000_000) &* 0x9E37_79B9_7F4A_7C15
            var generator = SplitMix(seed: seed ^ place ^ date)
            let elders = Double(profile.eldersPerCommunity)
            let callCount = Self.poisson(elders / profile.eldersPerDailyCall, &generator)
            for number in 0..<callCount {
                let hour = Self.pick(
                    SimulationProfile.callHours.enumerated().map { ($0.offset, $0.element) }, &generator)
                let second = hour * 3_600 + Int(generator.next() % 3_600)
                calls.append(
                    call(
                        id: "SIM\(seed)-C\(community.rawValue)-\(stamp)-\(number)", community: community,
                        at: Self.timestamp(day, second), &generator))
            }
            let visitCount = Self.poisson(elders * profile.visitsPerThousandElders / 1_000, &generator)
            for number in 0..<visitCount {
                let start = (8 * 3_600) + Int(generator.next() % UInt64(9 * 3_600))
                let visitID = "SIM\(seed)-V\(community.rawValue)-\(stamp)-\(number)"
                let (visit, end, provider) = self.visit(
                    id: visitID, community: community, day: day, start: start, &generator)
                visits.append(visit)
                if isPoor(provider) || Self.chance(profile.callbackShare, &generator) {
                    let at = min(end + 3_600 + Int(generator.next() % 10_800), 86_399)
                    callbacks.append(
                        callback(
                            id: "SIM\(seed)-B\(community.rawValue)-\(stamp)-\(number)", visitID: visitID,
                            community: community,
                            at: Self.timestamp(day, at), provider: provider, &generator))
                }
            }
        }
        func time(_ event: SimulatedEvent, _ field: String) -> String {
            if case .text(let text)? = event.value(field) { return text }
            return ""
        }
        return calls.sorted { time($0, "received_at") < time($1, "received_at") }
            + visits.sorted { time($0, "check_in") < time($1, "check_in") }
            + callbacks.sorted { time($0, "at") < time($1, "at") }
    }

    /// One item happening at `unixSeconds`: a call, a visit just finished or a callback, in the
    /// proportions of a day. `session` keeps the ids of separate runs apart.
    public func live(index: Int, session: Int64, unixSeconds: Int64) -> SimulatedEvent {
        let run: UInt64 = UInt64(bitPattern: session) &* 0x9E37_79B9_7F4A_7C15
        let position: UInt64 = UInt64(index) &* 0xBF58_476D_1CE4_E5B9
        var generator = SplitMix(seed: seed ^ run ^ position)
        let community = communities[Int(generator.next() % UInt64(communities.count))]
        let day = CalendarDay(unixSeconds: unixSeconds, utcOffsetSeconds: CalendarDay.chinaStandardOffsetSeconds)
        let second = Int((unixSeconds + Int64(CalendarDay.chinaStandardOffsetSeconds)) % 86_400)
        let calls = 1_000 / profile.eldersPerDailyCall
        let visits = profile.visitsPerThousandElders
        let roll = Double(generator.next() % 1_000_000) / 1_000_000 * (calls + visits * (1 + profile.callbackShare))
        let id = "SIM\(seed)-L\(session)-\(index)"
        if roll < calls {
            return call(id: id, community: community, at: Self.timestamp(day, second), &generator)
        } else if roll < calls + visits {
            let duration = 1_800 + Int(generator.next() % 5_400)
            let start = Self.timestamp(
                CalendarDay(
                    unixSeconds: unixSeconds - Int64(duration), utcOffsetSeconds: CalendarDay.chinaStandardOffsetSeconds
                ),
                Int((unixSeconds - Int64(duration) + Int64(CalendarDay.chinaStandardOffsetSeconds)) % 86_400))
            return visit(
                id: id, community: community, checkIn: start, checkOut: Self.timestamp(day, second), &generator
            ).0
        } else {
            let provider = self.provider(&generator)
            return callback(
                id: id, visitID: "SIM\(seed)-L\(session)-\(max(index - 1, 0))", community: community,
                at: Self.timestamp(day, second), provider: provider, &generator)
        }
    }

    // MARK: - Items

    private func call(id: String, community: NodeCode, at time: String, _ generator: inout SplitMix) -> SimulatedEvent {
        let channel = Self.pick(SimulationProfile.channels, &generator)
        let (type, effectiveShare) = Self.pick(SimulationProfile.types.map { (($0.0, $0.2), $0.1) }, &generator)
        let effective = Self.chance(effectiveShare, &generator)
        let elder = Self.elderID(community, 1 + Int(generator.next() % UInt64(max(profile.eldersPerCommunity, 1))))
        var fields: [(name: String, value: SimulatedEvent.Field)] = [
            ("id", .text(id)), ("received_at", .text(time)), ("channel", .text(channel)), ("type", .text(type)),
            ("effective", .bool(effective)), ("community", .text(community.rawValue)),
        ]
        if type != "invalid" { fields.append(("elder_id", .text(elder))) }
        fields.append(("outcome", .text(SimulationProfile.outcomes[type] ?? type)))
        fields.append(
            (
                "handler",
                .text(
                    channel == "walk_in"
                        ? "station-\(community.rawValue.suffix(3))" : "seat-\(1 + generator.next() % 36)")
            ))
        fields.append(("response_seconds", .integer(3 + Int(generator.next() % 40))))
        return SimulatedEvent(
            kind: .calls, community: community, destination: channel == "walk_in" ? .community : .hotline,
            fields: fields)
    }

    private func visit(id: String, community: NodeCode, day: CalendarDay, start: Int, _ generator: inout SplitMix)
        -> (SimulatedEvent, end: Int, provider: Int)
    {
        let end = min(start + 1_800 + Int(generator.next() % 5_400), 86_399)
        let (event, provider) = visit(
            id: id, community: community, checkIn: Self.timestamp(day, start), checkOut: Self.timestamp(day, end),
            &generator)
        return (event, end, provider)
    }

    private func visit(id: String, community: NodeCode, checkIn: String, checkOut: String, _ generator: inout SplitMix)
        -> (SimulatedEvent, Int)
    {
        let (category, items) = Self.pick(SimulationProfile.categories.map { (($0.0, $0.2), $0.1) }, &generator)
        let item = items[Int(generator.next() % UInt64(items.count))]
        let provider = self.provider(&generator)
        let elder = Self.elderID(community, 1 + Int(generator.next() % UInt64(max(profile.eldersPerCommunity, 1))))
        let fields: [(name: String, value: SimulatedEvent.Field)] = [
            ("id", .text(id)), ("elder_id", .text(elder)), ("provider_id", .text(Self.providerID(provider))),
            ("category", .text(category)), ("item", .text(item)), ("check_in", .text(checkIn)),
            ("check_out", .text(checkOut)),
            ("community", .text(community.rawValue)), ("photo_count", .integer(1 + Int(generator.next() % 3))),
        ]
        return (SimulatedEvent(kind: .visits, community: community, destination: .community, fields: fields), provider)
    }

    private func callback(
        id: String, visitID: String, community: NodeCode, at time: String, provider: Int, _ generator: inout SplitMix
    )
        -> SimulatedEvent
    {
        let dissatisfied = Self.chance(
            isPoor(provider) ? profile.poorDissatisfied : profile.goodDissatisfied, &generator)
        let score =
            dissatisfied ? "dissatisfied" : (Self.chance(0.03, &generator) ? "basically_satisfied" : "satisfied")
        let complaint = dissatisfied && Self.chance(0.5, &generator)
        return SimulatedEvent(
            kind: .callbacks, community: community, destination: .community,
            fields: [
                ("id", .text(id)), ("visit_id", .text(visitID)), ("at", .text(time)), ("score", .text(score)),
                ("complaint", .bool(complaint)), ("community", .text(community.rawValue)),
            ])
    }

    private func isPoor(_ provider: Int) -> Bool { provider > profile.providers - profile.poorProviders }

    /// Provider number 1…providers; the poor ones (the last) each get `poorProviderShare` of visits.
    private func provider(_ generator: inout SplitMix) -> Int {
        let good = profile.providers - profile.poorProviders
        let roll = Double(generator.next() % 1_000_000) / 1_000_000
        let poorShare = profile.poorProviderShare * Double(profile.poorProviders)
        if roll < poorShare, profile.poorProviders > 0 {
            return good + 1 + min(Int(roll / profile.poorProviderShare), profile.poorProviders - 1)
        }
        return 1 + Int(generator.next() % UInt64(max(good, 1)))
    }

    /// `P-001` for provider 1.
    public static func providerID(_ number: Int) -> String {
        "P-" + String(repeating: "0", count: max(0, 3 - String(number).count)) + String(number)
    }

    // MARK: - Randomness

    static func timestamp(_ day: CalendarDay, _ secondOfDay: Int) -> String {
        func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : String(value) }
        return "\(day)T\(pad(secondOfDay / 3_600)):\(pad(secondOfDay / 60 % 60)):\(pad(secondOfDay % 60))+08:00"
    }

    static func chance(_ probability: Double, _ generator: inout SplitMix) -> Bool {
        Double(generator.next() % 1_000_000) / 1_000_000 < probability
    }

    static func pick<T>(_ weighted: [(T, Double)], _ generator: inout SplitMix) -> T {
        let total = weighted.reduce(0) { $0 + $1.1 }
        var roll = Double(generator.next() % 1_000_000) / 1_000_000 * total
        for (value, weight) in weighted {
            if roll < weight { return value }
            roll -= weight
        }
        return weighted[weighted.count - 1].0
    }

    /// A Poisson-distributed count (Knuth's method below 30, a rounded normal above).
    static func poisson(_ mean: Double, _ generator: inout SplitMix) -> Int {
        guard mean > 0 else { return 0 }
        if mean < 30 {
            let limit = exp(-mean)
            var product = 1.0
            var count = -1
            repeat {
                count += 1
                product *= Double(generator.next() % 1_000_000 + 1) / 1_000_001
            } while product > limit
            return count
        }
        let u1 = Double(generator.next() % 1_000_000 + 1) / 1_000_001
        let u2 = Double(generator.next() % 1_000_000) / 1_000_000
        let normal = (-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2)
        return max(0, Int((mean + normal * mean.squareRoot()).rounded()))
    }
}
