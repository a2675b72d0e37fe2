import ArgumentParser
import FederationHTTP
import FederationNode
import Foundation
import GRDB

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the node's links, watermarks, lag and refused changes (works whether or not it runs).",
        discussion: "Example: fedctl status --data ./data/130102001000 --format json")

    enum Format: String, ExpressibleByArgument, CaseIterable {
        case table, json
    }

    @OptionGroup var data: DataOption
    @Option(help: "table or json.") var format: Format = .table

    func run() throws {
        let report: NodeStatus
        do {
            report = try NodeStatus.read(data.directory)
        } catch {
            throw FedctlFailure(message: "\(error)")
        }
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        case .table:
            print(
                "node \(report.node) \(report.name) (\(report.level)) · feed head \(report.head) · epoch \(report.epoch)"
            )
            if report.quarantinedStatistics > 0 {
                print(
                    "stored statistics cells set aside (crdt_stats_refused, break the cell grammar): \(report.quarantinedStatistics)"
                )
            }
            if report.links.isEmpty { print("no links yet") }
            for link in report.links {
                let state = link.connected ? "connected" : "down"
                print(
                    """
                    \(link.role.rawValue.padding(toLength: 6, withPad: " ", startingAt: 0)) \(link.peer)  \(state)  \
                    sent→\(link.sentWatermark) (lag \(link.sendLag))  received←\(link.receivedWatermark) (behind \(link.receiveLag))  \
                    batches \(link.batchesSent)/\(link.batchesReceived)  refused \(link.refusedBatches) batches, \(link.refusedCells) cells\
                    \(refusedChanges(link))\(link.privacyStripped > 0 ? "  privacy-stripped \(link.privacyStripped) cells" : "")\
                    \(link.lastError.isEmpty ? "" : "  last error: \(link.lastError)")
                    """)
            }
        }
    }

    /// `, refused changes 5 cells (not_owner 3, invalid_statistic 2)`, or "" when none.
    private func refusedChanges(_ link: NodeStatus.Link) -> String {
        guard link.refusedChanges > 0 else { return "" }
        let codes = link.refusedByCode.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(
            separator: ", ")
        return ", refused changes \(link.refusedChanges) cells (\(codes))"
    }
}
