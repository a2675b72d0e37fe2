import ArgumentParser
import FederationNode
import Foundation
import Replication
import Reports
import Simulation

#if canImport(Glibc)
    import Glibc
#endif

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a live four-level federation on this machine: plan, start every node, load sample data, stream.",
        discussion: """
            Plans the topology into --data (once; later runs keep the keys and the data), starts one fedctl run
            process per node on loopback, waits until each answers, registers a sample roster and --days of history
            (first run only; a later run adds just the days since), then streams live calls and visits and prints
            the dashboard addresses of the city, a district, a street and a community. Ctrl-C stops every node
            cleanly. Node logs go to DATA/logs/CODE.log. `make demo` installs what is missing, builds and runs this.
            Example: fedctl demo --topology deploy/topologies/demo.toml --data demo-data
            """)

    @Option(help: "The topology file.") var topology = "deploy/topologies/demo.toml"
    @Option(help: "Where the nodes' data directories live (kept between runs).") var data = "demo-data"
    @Option(help: "Seed of the sample data.") var seed: UInt64 = 42
    @Option(help: "Days of history loaded on the first run.") var days = 90
    @Option(help: "Elders registered per community.") var elders = SimulationProfile.seeds.eldersPerCommunity
    @Option(help: "Live events a second.") var rate = 2.0
    @Option(help: "Stop after this many seconds of live events (default: until Ctrl-C).") var live: Int?

    /// What the simulation has loaded, kept in DATA/simulation.json so that a later run does not load it again.
    struct Loaded: Codable {
        var seed: UInt64
        var lastDay: String
    }

    func run() async throws {
        lineBufferStandardOutput()
        let topology: Topology
        let outcomes: [FederationPlan.Outcome]
        do {
            topology = try Topology.load(path: self.topology)
            outcomes = try FederationPlan.apply(topology, to: data)
        } catch let error as TopologyError {
            throw FedctlFailure(message: error.message)
        } catch {
            throw FedctlFailure(message: "\(error)")
        }
        let created = outcomes.filter { $0.action == .created }.count
        print(
            created > 0
                ? "planned \(outcomes.count) nodes of \(self.topology) in \(data)/ (new keys for \(created))"
                : "reusing the \(outcomes.count) nodes in \(data)/ (keys and data kept)")

        let supervisor = try NodeSupervisor(
            executable: Self.executable(), logs: URL(fileURLWithPath: data).appendingPathComponent("logs"))
        let work = Task { try await self.runFederation(outcomes, topology: topology, supervisor: supervisor) }
        // Ctrl-C (SIGINT) or SIGTERM: stop the work, then every node.
        signal(SIGINT, SIG_IGN)
        signal(SIGTERM, SIG_IGN)
        let sources = [SIGINT, SIGTERM].map { number in
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { work.cancel() }
            source.resume()
            return source
        }
        defer { for source in sources { source.cancel() } }
        let result = await work.result
        print("")
        print("stopping \(supervisor.running.count) nodes…")
        let report = supervisor.stopAll()
        for line in report.lines { print(line) }
        if case .failure(let error) = result, !(error is CancellationError), !Task.isCancelled, !work.isCancelled {
            if error is FedctlFailure { throw error }
            throw FedctlFailure(message: "\(error)")
        }
        if !report.clean {
            throw FedctlFailure(message: "some nodes did not stop cleanly (above); their logs are in \(data)/logs/")
        }
    }

    private func runFederation(_ outcomes: [FederationPlan.Outcome], topology: Topology, supervisor: NodeSupervisor)
        async throws
    {
        for outcome in outcomes {
            let client = try NodeClient(directory: outcome.directory)
            if await client.answers() {
                throw FedctlFailure(
                    message:
                        "something already answers at \(client.base.absoluteString) (node \(outcome.node.code)): is another demo running? Stop it (Ctrl-C) or free the port"
                )
            }
        }
        for outcome in outcomes { try supervisor.start(outcome.node.code.rawValue, data: outcome.directory.url.path) }
        print("started \(outcomes.count) nodes (fedctl run); waiting until each answers…")
        var clients: [NodeCode: NodeClient] = [:]
        for outcome in outcomes {
            let client = try NodeClient(directory: outcome.directory)
            try await supervisor.waitForHealth(outcome.node.code.rawValue, client: client)
            clients[outcome.node.code] = client
        }
        print("all \(outcomes.count) nodes answer")

        var profile = SimulationProfile.seeds
        profile.eldersPerCommunity = elders
        let communities = outcomes.filter { $0.node.code.level == .community }.map { clients[$0.node.code]! }
        var runner = try await SimulationRunner.connect(
            [clients[topology.root.code]!] + communities, seed: seed, profile: profile)
        let marker = URL(fileURLWithPath: data).appendingPathComponent("simulation.json")
        let yesterday = Simulate.yesterday()
        var loaded = (try? Data(contentsOf: marker)).flatMap { try? JSONDecoder().decode(Loaded.self, from: $0) }
        if loaded?.seed != seed { loaded = nil }
        let firstDay = loaded.flatMap { CalendarDay($0.lastDay)?.adding(days: 1) } ?? yesterday.adding(days: 1 - days)
        if loaded == nil {
            print("loading the sample roster (\(elders) elders in each of \(communities.count) communities)…")
            try await runner.sendRoster()
            print("roster: \(runner.summaryLine(for: [.elders]))")
        }
        if firstDay <= yesterday {
            let history = (0...(yesterday.daysSinceEpoch - firstDay.daysSinceEpoch)).map { firstDay.adding(days: $0) }
            print("loading \(history.count) days of history (\(history[0])…\(yesterday))…")
            try await runner.backfill(history)
            print("history: \(runner.summaryLine(for: [.calls, .visits, .callbacks]))")
            try JSONEncoder().encode(Loaded(seed: seed, lastDay: yesterday.description)).write(to: marker)
        } else {
            print("history already loaded up to \(loaded?.lastDay ?? "")")
        }
        for line in runner.refusals.prefix(5) { print("  refused: \(line)") }

        print("")
        print("dashboards (仪表盘) — open a link; the token in it lets you in:")
        let range = "from=\(yesterday.adding(days: 1 - days))&to=\(yesterday.adding(days: 1))"
        for level in [NodeCode.Level.city, .district, .street, .community] {
            guard let outcome = outcomes.first(where: { $0.node.code.level == level }) else { continue }
            let token =
                (try? String(contentsOf: outcome.directory.url.appendingPathComponent("tokens/viewer"), encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines)
            let label = "\(level)".padding(toLength: 10, withPad: " ", startingAt: 0) + level.chineseName
            print(
                "  \(label) \(outcome.node.name) (\(outcome.node.nameEnglish)): \(outcome.node.httpURL)/"
                    + (token.map { "?token=\($0)" } ?? ""))
        }
        print("the figures as JSON: \(topology.root.httpURL)/api/v1/reports/summary?\(range) (docs/API.md)")
        print("")
        if rate > 0 && live != 0 {
            print("streaming \(rate) live calls, visits and callbacks a second; Ctrl-C stops every node")
            try await runner.stream(rate: rate, seconds: live) { print($0) }
        } else if live == nil {
            print("no live stream (--rate 0); Ctrl-C stops every node")
            while !Task.isCancelled { try? await Task.sleep(for: .seconds(1)) }
        }
    }

    /// This program, to start the nodes with.
    static func executable() -> URL {
        if let path = Bundle.main.executablePath { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: CommandLine.arguments[0])
    }
}
