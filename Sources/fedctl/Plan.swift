import ArgumentParser
import FederationNode
import Foundation

struct Plan: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create every node's data directory of a topology file: configuration, keys, parent links, trust.",
        discussion: """
            Each node gets OUT/CODE (as fedctl init makes it) with its parent's endpoint and public key, and its
            parent trusts its key. Running it again keeps every existing key and says so; settings changed in the
            topology (names, hosts, ports) are rewritten. The format is in deploy/README.md.
            Example: fedctl plan deploy/topologies/demo.toml --out demo-data
            """)

    @Argument(help: "The topology file, e.g. deploy/topologies/demo.toml.") var topology: String
    @Option(help: "The directory to hold one data directory per node (OUT/CODE).") var out: String

    func run() throws {
        do {
            let topology = try Topology.load(path: topology)
            let outcomes = try FederationPlan.apply(topology, to: out)
            for outcome in outcomes {
                let node = outcome.node
                let what: String
                switch outcome.action {
                case .created: what = "created, new keys"
                case .kept: what = "exists, keys kept"
                case .updated: what = "exists, keys kept, configuration updated"
                }
                let indent = String(
                    repeating: "  ", count: max(node.code.level.rawValue - topology.root.code.level.rawValue, 0))
                print(
                    "\(indent)\(node.code) \(node.name) (\(node.code.level)) sync \(node.syncEndpoint) http \(node.httpURL): \(what)"
                )
            }
            let created = outcomes.filter { $0.action == .created }.count
            print(
                "planned \(outcomes.count) nodes in \(URL(fileURLWithPath: out).standardizedFileURL.path): \(created) created, \(outcomes.count - created) existing (keys kept)"
            )
            print("start each with: fedctl run --data \(out)/CODE")
        } catch let error as TopologyError {
            throw FedctlFailure(message: error.message)
        } catch {
            throw FedctlFailure(message: "\(error)")
        }
    }
}
