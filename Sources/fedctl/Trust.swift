import ArgumentParser
import FederationNode
import Foundation
import Replication

struct Trust: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Trust a child node's public key on this (parent) node.",
        discussion: """
            Example: fedctl trust --data ./data/130102001000 --child 130102001001 --key "$(fedctl key show --data ./data/130102001001 | tail -1)"
            A running node applies the change within a second; revoke a child by deleting trust/CODE.public.
            """)

    @OptionGroup var data: DataOption
    @Option(help: "The child's 12-digit code.") var child: String
    // Z85 keys may start with '-': take the next argument whatever it looks like.
    @Option(parsing: .unconditional, help: "The child's public key (Z85), from fedctl key show on the child.") var key:
        String
    @Option(help: "Codes moved under this child from elsewhere, comma-separated.") var covers: String?
    @Flag(help: "The child was re-assigned here from another branch of codes.") var transferred = false

    func run() throws {
        do {
            let config = try data.directory.loadConfig()
            let node = try NodeCode(config.node.code)
            let child = try NodeCode(self.child)
            let covered = try (covers ?? "").split(separator: ",").map {
                try NodeCode(String($0).trimmingCharacters(in: .whitespaces))
            }
            try data.directory.trust(child: child, publicKey: key, of: node, covers: covered, transferred: transferred)
            print(
                "node \(node) now trusts child \(child)"
                    + (covered.isEmpty ? "" : " covering \(covered.map(\.rawValue).joined(separator: ", "))"))
        } catch let error as ReplicationError {
            throw FedctlFailure(message: error.message)
        } catch {
            throw FedctlFailure(message: "\(error)")
        }
    }
}
