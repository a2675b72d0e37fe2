import ArgumentParser
import FederationNode
import Foundation
import Replication
import Reports
import Simulation

struct Simulate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Send sample data calibrated to the seeds to running nodes: a roster, days of history, then live events.",
        discussion: """
            Community nodes get their elders (--elders each), walk-in calls, service visits in the six categories
            and satisfaction callbacks; the top node given (the city) takes the 12349 hotline calls about them.
            About one call a day per 1,500 elders, peaking 09:00–11:00, 40% effective; about 4 visits a day per
            1,000 elders; satisfaction 99.97% for ten providers and below 90% for P-011 and P-012 (about 99.5% overall); 5% of the elders without a qualifying condition and a few resident IDs
            registered twice. The same --seed gives the same data and ids, so a re-run only finds duplicates.
            Example: fedctl simulate --data demo-data/130100000000 --data demo-data/130102001001 --days 90 --rate 2
                     fedctl simulate --node http://127.0.0.1:8103 --token "$(fedctl token show --data DIR --role operator | tail -1)" --seed 7 --days 30 --live 0
            """)

    @Option(help: "A node's HTTP address (repeat for several nodes).") var node: [String] = []
    @Option(help: "Operator access token for the --node addresses (Authorization: Bearer); default: $ELDERCARE_TOKEN.")
    var token: String?
    @Option(
        name: .customLong("data"),
        help: "A node's data directory: its address and operator token are read from it (repeatable).")
    var dataDirectories: [String] = []
    @Option(help: "Seed of the generator; the same seed gives the same data.") var seed: UInt64 = 42
    @Option(help: "Days of history to backfill, ending with --end.") var days = 90
    @Option(help: "Last day of the history, YYYY-MM-DD (default: yesterday, China Standard Time).") var end: String?
    @Option(help: "Elders registered per community.") var elders = SimulationProfile.seeds.eldersPerCommunity
    @Flag(inversion: .prefixedNo, help: "Register the sample roster first (visits need their elders).") var roster =
        true
    @Option(help: "Live events a second after the history.") var rate = 2.0
    @Option(help: "Seconds of live events; 0 stops after the history (default: until interrupted).") var live: Int?

    func validate() throws {
        guard !node.isEmpty || !dataDirectories.isEmpty else {
            throw ValidationError("give at least one --node URL or --data DIR")
        }
        guard days >= 0 else { throw ValidationError("--days must be 0 or more") }
        guard elders >= 1 else { throw ValidationError("--elders must be at least 1") }
        guard rate >= 0 else { throw ValidationError("--rate must be 0 or more") }
        if let end, CalendarDay(end) == nil { throw ValidationError("--end \(end) is not a date YYYY-MM-DD") }
    }

    func run() async throws {
        lineBufferStandardOutput()
        let token =
            self.token ?? ProcessInfo.processInfo.environment["ELDERCARE_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        if !node.isEmpty && token == nil {
            throw ValidationError(
                "--node needs an operator token: pass --token T or set ELDERCARE_TOKEN (fedctl token show --data DIR --role operator prints it), or give the node as --data DIR"
            )
        }
        var clients = try node.map { try NodeClient(node: $0, token: token) }
        for path in dataDirectories {
            do { clients.append(try NodeClient(directory: DataDirectory(path: path))) } catch let error as FedctlFailure
            { throw error } catch {
                throw FedctlFailure(message: "\(error)")
            }
        }
        var profile = SimulationProfile.seeds
        profile.eldersPerCommunity = elders
        var runner = try await SimulationRunner.connect(clients, seed: seed, profile: profile)
        print(
            "simulating \(runner.communities.count) communities, seed \(seed)"
                + (runner.hotline.map { ", hotline calls at \($0.code)" } ?? ""))
        if roster {
            try await runner.sendRoster()
            print("roster: \(runner.summaryLine(for: [.elders]))")
        }
        let last = end.flatMap { CalendarDay($0) } ?? Self.yesterday()
        let history = (0..<days).map { last.adding(days: $0 - days + 1) }
        try await runner.backfill(history)
        if let first = history.first {
            print("history \(first)…\(last): \(runner.summaryLine(for: [.calls, .visits, .callbacks]))")
        }
        if live != 0, rate > 0 {
            print("streaming \(rate) events a second" + (live.map { " for \($0) s" } ?? "; Ctrl-C stops"))
            try await runner.stream(rate: rate, seconds: live) { print($0) }
            print("live: \(runner.summaryLine(for: [.calls, .visits, .callbacks]))")
        }
        let refusals = runner.refusals
        if !refusals.isEmpty {
            for line in refusals.prefix(10) { print("  refused: \(line)") }
            throw FedctlFailure(
                message:
                    "\(refusals.count) simulated items were refused (first ones above); check that the nodes run this version of fedctl"
            )
        }
    }

    /// Yesterday in China Standard Time.
    static func yesterday() -> CalendarDay {
        CalendarDay.today(unixSeconds: Int64(Date().timeIntervalSince1970)).adding(days: -1)
    }
}
