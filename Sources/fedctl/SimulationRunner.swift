import FederationNode
import Foundation
import Replication
import Reports
import Simulation

/// Sends the simulator's items to running nodes: the roster and the backfill through the batch APIs,
/// then live items at a rate. Shared by `fedctl simulate` and `fedctl demo`.
struct SimulationRunner {
    /// A node the simulator writes to, as its /healthz names it.
    struct Target {
        let client: NodeClient
        let code: NodeCode
    }

    let simulator: ActivitySimulator
    let communities: [NodeCode: Target]
    /// The top node given, if above the communities: the 12349 hotline records its calls.
    let hotline: Target?
    var tally: [SimulatedEvent.Kind: UploadTally] = [:]

    /// Asks each node who it is; community-level nodes get their own items, the top node the hotline calls.
    static func connect(_ clients: [NodeClient], seed: UInt64, profile: SimulationProfile) async throws
        -> SimulationRunner
    {
        var targets: [Target] = []
        for client in clients {
            let health = try await client.get("/healthz", timeout: 10)
            guard let text = health["node"] as? String, let code = try? NodeCode(text) else {
                throw FedctlFailure(
                    message: "\(client.base.absoluteString)/healthz did not name its node; is it an ElderCare node?")
            }
            targets.append(Target(client: client, code: code))
        }
        let communityTargets = targets.filter { $0.code.level == .community }
        guard !communityTargets.isEmpty else {
            throw FedctlFailure(
                message:
                    "none of the nodes given is a community; give at least one community node (visits and the roster are recorded there)"
            )
        }
        let top = targets.min { $0.code.level < $1.code.level }
        let hotline = top.flatMap { top in
            top.code.level < .community && communityTargets.allSatisfy({ top.code.contains($0.code) }) ? top : nil
        }
        let communities = Dictionary(communityTargets.map { ($0.code, $0) }, uniquingKeysWith: { first, _ in first })
        let simulator = ActivitySimulator(seed: seed, communities: communities.keys.sorted(), profile: profile)
        return SimulationRunner(simulator: simulator, communities: communities, hotline: hotline)
    }

    /// Registers every community's roster at its node.
    mutating func sendRoster() async throws {
        let elders = simulator.roster()
        var progress = ProgressLine(total: elders.count, label: "roster")
        var done = 0
        for (community, items) in Dictionary(grouping: elders, by: \.community).sorted(by: { $0.key < $1.key }) {
            for chunk in stride(from: 0, to: items.count, by: 2_000).map({
                Array(items[$0..<min($0 + 2_000, items.count)])
            }) {
                try await post(chunk, kind: .elders, to: communities[community]!)
                done += chunk.count
                progress.update(done)
            }
        }
    }

    /// Sends the items of `days` (oldest first), ten days per round of requests.
    mutating func backfill(_ days: [CalendarDay]) async throws {
        guard !days.isEmpty else { return }
        var progress = ProgressLine(total: days.count, label: "history \(days[0])…\(days[days.count - 1])")
        for start in stride(from: 0, to: days.count, by: 10) {
            let round = days[start..<min(start + 10, days.count)]
            try await send(round.flatMap { simulator.day($0) })
            progress.update(start + round.count)
        }
    }

    /// Streams live items at `rate` a second for `seconds` (nil: until the task is cancelled).
    mutating func stream(rate: Double, seconds: Int?, report: (String) -> Void) async throws {
        let session = Int64(Date().timeIntervalSince1970)
        let started = ContinuousClock.now
        var index = 0
        var owed = 0.0
        var lastReport = ContinuousClock.now
        var sent = 0
        while !Task.isCancelled {
            if let seconds, ContinuousClock.now - started >= .seconds(seconds) { break }
            try? await Task.sleep(for: .seconds(1))
            if Task.isCancelled { break }
            owed += rate
            let count = Int(owed)
            owed -= Double(count)
            let now = Int64(Date().timeIntervalSince1970)
            let items = (0..<count).map { offset in
                simulator.live(index: index + offset, session: session, unixSeconds: now)
            }
            index += count
            try await send(items)
            sent += count
            if ContinuousClock.now - lastReport >= .seconds(30) {
                lastReport = ContinuousClock.now
                report(
                    "live: \(sent) items sent; recorded since the start, history included: \(summaryLine(for: [.calls, .visits, .callbacks]))"
                )
            }
        }
    }

    /// The tallies as one line, e.g. `calls 812 new/0 dup, visits …`.
    func summaryLine(for kinds: [SimulatedEvent.Kind]) -> String {
        kinds.map { kind in
            let tally = self.tally[kind] ?? UploadTally()
            return
                "\(kind.rawValue) \(tally.accepted) new, \(tally.duplicates) duplicates, \(tally.rejected.count) refused"
        }.joined(separator: "; ")
    }

    /// Every refusal so far (a simulator item refused is a bug in the simulator or the node).
    var refusals: [String] {
        SimulatedEvent.Kind.allCases.flatMap { kind in
            (tally[kind]?.rejected ?? []).map { "\(kind.rawValue) \($0.field): \($0.error)" }
        }
    }

    private mutating func send(_ items: [SimulatedEvent]) async throws {
        var groups: [String: (target: Target, kind: SimulatedEvent.Kind, items: [SimulatedEvent])] = [:]
        var order: [String] = []
        for item in items {
            let target =
                item.destination == .hotline ? (hotline ?? communities[item.community]!) : communities[item.community]!
            let key = "\(item.kind.rawValue) \(target.code)"
            if groups[key] == nil {
                groups[key] = (target, item.kind, [])
                order.append(key)
            }
            groups[key]!.items.append(item)
        }
        // Visits before callbacks, as a station records them.
        let rank: [SimulatedEvent.Kind: Int] = [.elders: 0, .calls: 1, .visits: 2, .callbacks: 3]
        for key in order.sorted(by: { rank[groups[$0]!.kind]! < rank[groups[$1]!.kind]! }) {
            let group = groups[key]!
            for start in stride(from: 0, to: group.items.count, by: 1_000) {
                try await post(
                    Array(group.items[start..<min(start + 1_000, group.items.count)]), kind: group.kind,
                    to: group.target)
            }
        }
    }

    private mutating func post(_ items: [SimulatedEvent], kind: SimulatedEvent.Kind, to target: Target) async throws {
        let body = try JSONSerialization.data(withJSONObject: items.map(\.object))
        let answer = try await target.client.post(
            "api/v1/\(kind.rawValue)", body: body, contentType: "application/json")
        tally[kind, default: UploadTally()].add(answer) { $0 }
    }
}
