import FederationNode
import Foundation
import SeededRandom

/// The scripted faults of a run, each at a fraction of the load's duration, run one after another
/// while the load streams:
///
/// | when | fault |
/// |---|---|
/// | 5 % | a community's clock 10 minutes fast (restart with `clock_offset_ms`) |
/// | 15 % | a full database at another community (`max_database_mb = 1`, filled until 507) |
/// | 25 %–45 % | a street stopped, then started again |
/// | 40 % | the fast clock fixed (restart without the offset), once its street refused a batch |
/// | 55 % | a community moved under the other street of its district |
/// | 65 % | the full database's limit removed, node restarted |
/// | spread | SIGKILL of a random node not under another fault, restarted 1–2 s later |
///
/// Batches are dropped and duplicated by the districts and streets all along (`[faults]` at init).
final class ChaosScript: @unchecked Sendable {
    struct Plan: Sendable {
        var fastClock = "130104001001"
        var fullDatabase = "130102002002"
        var stoppedStreet = "130104002000"
        var moved = "130102001002"
        var movedTo = "130102002000"
        var clockOffsetMs = 600_000
        var kills = 7
    }

    /// What happened, for the checks and the last line.
    struct Record: Sendable {
        var kills: [String] = []
        var clockRefusals = 0
        /// Events the fast node accepted while its clock was fast (they must reach the city after the fix).
        var writtenWhileFast = 0
        var fullRefusalsSeen = 0
        var streetStopped = false
        var moved = false
        var problems: [String] = []
    }

    let cluster: ChaosCluster
    let load: LoadGenerator
    let plan: Plan
    private var random: SplitMix
    private(set) var record = Record()
    private var busy: Set<String> = []
    private var acceptedBeforeFast = 0
    private let stepLock = NSLock()
    private var running: (name: String, since: ContinuousClock.Instant)?

    /// The step under way and how long it has run, for progress lines (nil between steps).
    var currentStep: String? {
        stepLock.withLock {
            running.map { "\($0.name) (for \((ContinuousClock.now - $0.since).components.seconds) s)" }
        }
    }

    init(cluster: ChaosCluster, load: LoadGenerator, plan: Plan, seed: UInt64) {
        self.cluster = cluster
        self.load = load
        self.plan = plan
        random = SplitMix(seed: seed ^ 0x5EED)
    }

    private func progress(_ text: String) { ChaosLog.line(text) }

    /// Runs every step at its time; `start` is when the load began, `duration` its length.
    func run(start: ContinuousClock.Instant, duration: Duration) async {
        var steps: [(at: Double, name: String, action: () async throws -> Void)] = [
            (0.05, "clock fast", self.clockFast),
            (0.15, "database full", self.databaseFull),
            (0.25, "street stop", { try await self.streetStop() }),
            (0.40, "clock fixed", self.clockFixed),
            (0.45, "street back", { try await self.streetBack() }),
            (0.55, "move", self.move),
            (0.65, "database limit raised", self.databaseRaised),
        ]
        for index in 0..<plan.kills {
            steps.append((0.08 + 0.84 * Double(index) / Double(max(1, plan.kills)), "kill", self.killRandom))
        }
        steps.sort { $0.at < $1.at }
        for step in steps {
            let at = start + duration * step.at
            if ContinuousClock.now < at { try? await Task.sleep(until: at, clock: .continuous) }
            stepLock.withLock { running = (step.name, ContinuousClock.now) }
            defer { stepLock.withLock { running = nil } }
            do {
                try await step.action()
            } catch {
                record.problems.append("\(step.name): \(error)")
                progress("fault step \(step.name) failed: \(error)")
            }
        }
    }

    private func clockFast() async throws {
        let code = plan.fastClock
        busy.insert(code)
        await cluster.stop(code)
        try cluster.editConfig(code) { config in
            var faults = config.faults ?? NodeConfig.Faults()
            faults.clockOffsetMs = plan.clockOffsetMs
            config.faults = faults
        }
        try await cluster.start(code)
        acceptedBeforeFast = load.accepted(at: code)
        progress("clock: \(code) restarted \(plan.clockOffsetMs / 60_000) minutes fast")
    }

    private func clockFixed() async throws {
        let code = plan.fastClock
        guard let street = cluster.node(code)?.parent else { return }
        // Its street must have refused a batch of it before the fix (bounded wait).
        let deadline = ContinuousClock.now + .seconds(45)
        while refusals(of: code, at: street) == 0 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(500))
        }
        record.clockRefusals = refusals(of: code, at: street)
        if record.clockRefusals == 0 {
            record.problems.append("street \(street) never refused a batch of \(code) while its clock was fast")
        }
        await cluster.stop(code)
        record.writtenWhileFast = load.accepted(at: code) - acceptedBeforeFast
        if record.writtenWhileFast == 0 {
            record.problems.append("\(code) accepted no event while its clock was fast: nothing to refuse, then accept")
        }
        try cluster.editConfig(code) { config in
            config.faults?.clockOffsetMs = 0
            if config.faults?.isActive == false { config.faults = nil }
        }
        try await cluster.start(code)
        busy.remove(code)
        progress(
            "clock: \(street) refused \(record.clockRefusals) batches of \(code) (clock_skew), which accepted \(record.writtenWhileFast) events while fast; clock fixed, node restarted"
        )
    }

    private func refusals(of child: String, at street: String) -> Int {
        cluster.logLines(street, containing: "from \(child): clockSkew").count
    }

    private func databaseFull() async throws {
        let code = plan.fullDatabase
        busy.insert(code)
        await cluster.stop(code)
        try cluster.editConfig(code) { $0.storage = NodeConfig.Storage(maxDatabaseMB: 1) }
        try await cluster.start(code)
        let seen = try await ChaosRoster.fill(cluster, community: code)
        record.fullRefusalsSeen += seen
        if seen == 0 { record.problems.append("\(code) never answered 507 with max_database_mb = 1") }
        progress("disk: \(code) limited to 1 MiB and filled; it answers 507 storage_full")
    }

    private func databaseRaised() async throws {
        let code = plan.fullDatabase
        await cluster.stop(code)
        try cluster.editConfig(code) { $0.storage = nil }
        try await cluster.start(code)
        busy.remove(code)
        progress(
            "disk: \(code) limit removed, node restarted (\(load.refusals(at: code)) load requests were refused meanwhile)"
        )
    }

    private func streetStop() async throws {
        busy.insert(plan.stoppedStreet)
        await cluster.stop(plan.stoppedStreet)
        record.streetStopped = true
        progress("street: \(plan.stoppedStreet) stopped")
    }

    private func streetBack() async throws {
        try await cluster.start(plan.stoppedStreet)
        busy.remove(plan.stoppedStreet)
        progress("street: \(plan.stoppedStreet) started again")
    }

    private func move() async throws {
        busy.insert(plan.moved)
        try await cluster.move(plan.moved, to: plan.movedTo)
        busy.remove(plan.moved)
        record.moved = true
        progress("move: \(plan.moved) now under \(plan.movedTo) (trust --transferred, district covers it)")
    }

    private func killRandom() async throws {
        let candidates = cluster.codes.filter { !busy.contains($0) && cluster.isRunning($0) }
        guard let victim = candidates.randomElement(using: &random) else { return }
        await cluster.kill(victim)
        record.kills.append(victim)
        try await Task.sleep(for: .milliseconds(Int.random(in: 1_000...2_000, using: &random)))
        try await cluster.start(victim)
        progress("kill: \(victim) SIGKILLed and restarted (\(record.kills.count) of \(plan.kills))")
    }
}

/// Progress lines on standard error, with the seconds since the run began.
enum ChaosLog {
    static let start = ContinuousClock.now

    static func line(_ text: String) {
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        FileHandle.standardError.write(Data((String(format: "[%6.1fs] ", seconds) + text + "\n").utf8))
    }
}
