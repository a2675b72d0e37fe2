import ArgumentParser
import Foundation

/// `fedchaos`: a 15-node federation of `fedctl run` processes under streaming load and scripted
/// faults; at the end every checked summary must equal the ground truth exactly (docs/CHAOS.md).
///
///     swift build --product fedchaos --product fedctl && .build/debug/fedchaos --duration 60
@main
struct Fedchaos: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Run the chaos harness: 15 nodes, streaming load, kills, stops, a move, dropped/duplicated batches, a fast clock, a full database.",
        discussion: """
            Prints progress lines on standard error and one last line on standard output; exits 1 if any
            figure differs from the accepted events, anything acknowledged was lost, or a node crashed.
            Example: fedchaos --duration 180 --kills 7       (make chaos)
                     fedchaos --duration 45 --kills 3        (the short run of make test)
            """)

    @Option(help: "Seconds of streaming load (the faults are spread over it).") var duration: Int = 180
    @Option(help: "Concurrent HTTP posters.") var workers: Int = 4
    @Option(help: "Largest number of events in one request.") var maxBatch: Int = 20
    @Option(help: "Pause of each poster between requests, in milliseconds.") var pauseMs: Int = 30
    @Option(help: "SIGKILLs of random nodes.") var kills: Int = 7
    @Option(help: "Seconds to wait for convergence after the load stops.") var convergeTimeout: Int = 240
    @Option(help: "Seed of the event and fault generator (default: from the time).") var seed: UInt64?
    @Option(help: "The fedctl binary (default: next to fedchaos).") var fedctl: String?
    @Option(help: "Directory for the nodes' data and logs (default: a new temporary directory).") var dir: String?
    @Flag(help: "Keep the data directory after a successful run (a failed run always keeps it).") var keep = false

    func run() async throws {
        let seed = self.seed ?? UInt64(Date().timeIntervalSince1970)
        let fedctlURL =
            fedctl.map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
                "fedctl")
        guard FileManager.default.isExecutableFile(atPath: fedctlURL.path) else {
            throw ValidationError(
                "fedctl is not at \(fedctlURL.path): build it (swift build --product fedctl) or pass --fedctl PATH")
        }
        let root =
            dir.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory.appendingPathComponent(
                "eldercare-chaos-\(seed)-\(UUID().uuidString.prefix(8))")
        if let contents = try? FileManager.default.contentsOfDirectory(atPath: root.path), !contents.isEmpty {
            throw ValidationError("--dir \(root.path) is not empty: remove it or name a new directory")
        }
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        ChaosLog.line("chaos: seed \(seed), \(duration) s of load, data and logs in \(root.path)")

        let cluster = try ChaosCluster(root: root, fedctl: fedctlURL, topology: .standard, settings: .init())
        // Every wait of the run is bounded; this is the bound of them all, so that a wait nobody
        // foresaw fails the run with what was under way instead of holding CI until it is killed.
        let budget = Duration.seconds(duration + 60 + convergeTimeout + 300)
        let watchdogState = WatchdogState()
        let watchdog = Task.detached {
            try await Task.sleep(for: budget)
            ChaosLog.line(
                "FAILED: the run passed its budget of \(budget.components.seconds) s; under way: \(watchdogState.describe())"
            )
            cluster.killAllNow()
            print("chaos: gave up after \(budget.components.seconds) s (data and logs kept in \(root.path))")
            Foundation.exit(2)
        }
        defer { watchdog.cancel() }
        try cluster.initialise()
        try await cluster.startAll()
        try await ChaosRoster.register(cluster)
        ChaosLog.line(
            "federation: \(cluster.codes.count) nodes up (1 city, 2 districts, 4 streets, 8 communities), CURVE links, elders registered"
        )

        let truth = GroundTruth()
        let load = LoadGenerator(
            cluster: cluster, truth: truth, seed: seed, workers: workers, maxBatch: maxBatch,
            pause: .milliseconds(pauseMs))
        let script = ChaosScript(cluster: cluster, load: load, plan: .init(kills: kills), seed: seed)
        watchdogState.describe = {
            "fault step \(script.currentStep ?? "none"), requests \(load.inFlightSummary), \(load.pendingCount) unanswered batches waiting"
        }
        let start = ContinuousClock.now
        let loadDuration = Duration.seconds(duration)
        let reporter = Task {
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(10))
                ChaosLog.line(
                    "load: \(truth.eventCount) events accepted, \(load.refusals.values.reduce(0, +)) requests refused (full database), \(load.pendingCount) unanswered batches waiting to be resent; requests \(load.inFlightSummary); fault step \(script.currentStep ?? "none")"
                )
            }
        }
        async let loadDone: Void = load.run(until: start + loadDuration)
        async let scriptDone: Void = script.run(start: start, duration: loadDuration)
        _ = await (loadDone, scriptDone)
        reporter.cancel()
        ChaosLog.line("load stopped: \(Self.grouped(truth.eventCount)) events accepted (\(Self.kinds(truth)))")

        var failures: [String] = []
        watchdogState.describe = { "resending unanswered batches: requests \(load.inFlightSummary)" }
        if !(await load.resolvePending(timeout: .seconds(60))) {
            failures.append("\(load.pendingCount) batches never got an answer")
        }
        let verification = Verification(cluster: cluster, truth: truth)
        watchdogState.describe = { "waiting for the summaries to converge" }
        let convergeStart = ContinuousClock.now
        var mismatches = await verification.mismatches()
        var lastReport = ContinuousClock.now
        while !mismatches.isEmpty && ContinuousClock.now - convergeStart < .seconds(convergeTimeout) {
            if ContinuousClock.now - lastReport > .seconds(10) {
                ChaosLog.line(
                    "converging: \(mismatches.count) of \(verification.checks.count) summaries differ, e.g. \(mismatches[0].prefix(160))…"
                )
                lastReport = ContinuousClock.now
            }
            try await Task.sleep(for: .seconds(2))
            mismatches = await verification.mismatches()
        }
        let convergedIn = ContinuousClock.now - convergeStart
        ChaosLog.line(
            mismatches.isEmpty
                ? "converged in \(convergedIn.components.seconds) s" : "not converged after \(convergeTimeout) s")
        failures += mismatches

        watchdogState.describe = { "stopping the nodes (SIGTERM)" }
        await cluster.stopAll()
        failures += cluster.recordedIncidents().map { "node \($0)" }
        failures += cluster.crashLines().map { "crash in log: \($0)" }
        failures += load.unexpected
        failures += script.record.problems
        let dropped = cluster.codes.map { cluster.logLines($0, containing: "fault injection: dropped").count }.reduce(
            0, +)
        let duplicated = cluster.codes.map { cluster.logLines($0, containing: "fault injection: duplicated").count }
            .reduce(0, +)
        if dropped == 0 { failures.append("no batch was dropped: the drop switch was not exercised") }
        if duplicated == 0 { failures.append("no batch was duplicated: the duplicate switch was not exercised") }

        let record = script.record
        let full = load.refusals.values.reduce(0, +) + record.fullRefusalsSeen
        let summary = [
            "\(cluster.codes.count) nodes",
            "\(Self.grouped(truth.eventCount)) events accepted (\(Self.kinds(truth)))",
            "\(record.kills.count) SIGKILLs",
            "\(Self.grouped(load.uncertainCount)) unanswered requests resent",
            record.streetStopped ? "1 street stopped and restarted" : "no street stop",
            record.moved ? "1 community moved" : "no move",
            "\(Self.grouped(dropped)) batches dropped, \(Self.grouped(duplicated)) duplicated",
            "clock +\(script.plan.clockOffsetMs / 60_000) min: \(record.clockRefusals) batches refused, \(Self.grouped(record.writtenWhileFast)) events written while fast",
            "full database: \(Self.grouped(full)) requests refused with 507",
            "\(verification.checks.count) summaries checked (calls, services, satisfaction)",
        ].joined(separator: ", ")
        if failures.isEmpty {
            print("chaos: \(summary) — all figures exact")
            if !keep { try? FileManager.default.removeItem(at: root) }
        } else {
            for failure in failures.prefix(40) { ChaosLog.line("FAILED: \(failure)") }
            print("chaos: \(summary) — \(failures.count) FAILURES (data and logs kept in \(root.path))")
            throw ExitCode(1)
        }
    }

    /// What the watchdog prints when it gives up (set once the load and the script exist).
    final class WatchdogState: @unchecked Sendable {
        private let lock = NSLock()
        private var describer: @Sendable () -> String = { "start-up (nodes starting, elders registering)" }
        var describe: @Sendable () -> String {
            get { lock.withLock { describer } }
            set { lock.withLock { describer = newValue } }
        }
    }

    /// `15,792 calls, 5,805 visits, 5,667 callbacks`
    static func kinds(_ truth: GroundTruth) -> String {
        let counts = truth.countsByKind
        return ["calls", "visits", "callbacks"].map { "\(grouped(counts[$0] ?? 0)) \($0)" }.joined(separator: ", ")
    }

    static func grouped(_ value: Int) -> String {
        let digits = Array(String(value))
        var out = ""
        for (index, digit) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(digit)
        }
        return out
    }
}
