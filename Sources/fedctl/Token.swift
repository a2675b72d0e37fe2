public import ArgumentParser
import Eldercare
import FederationNode
import Foundation

extension AccessRole: ExpressibleByArgument {}

struct Token: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Show or replace this node's HTTP access tokens (viewer: dashboard and reports; operator: also writes).",
        discussion: "Example: fedctl token show --data ./data/130102001000 --role viewer",
        subcommands: [Show.self, Rotate.self])

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a role's token as the last line.",
            discussion: """
                Example: fedctl token show --data ./data/130102001000 --role viewer
                Then open http://HOST:PORT/?token=TOKEN in a browser, or send Authorization: Bearer TOKEN.
                """)

        @OptionGroup var data: DataOption
        @Option(help: "viewer or operator.") var role: AccessRole

        func run() throws {
            do {
                let config = try data.directory.loadConfig()
                let (tokens, created) = try data.directory.loadOrCreateTokens()
                if !created.isEmpty {
                    print(
                        "created the missing \(created.map(\.rawValue).joined(separator: " and ")) token (restart a running node to use it)"
                    )
                }
                print("\(role.rawValue) token of node \(config.node.code) (\(config.node.name)):")
                print(tokens[role])
            } catch {
                throw FedctlFailure(message: "\(error)")
            }
        }
    }

    struct Rotate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Replace a role's token with a fresh one and print it as the last line.",
            discussion: """
                The old token stops working when the node restarts (it reads its tokens at start).
                Example: fedctl token rotate --data ./data/130102001000 --role viewer
                """)

        @OptionGroup var data: DataOption
        @Option(help: "viewer or operator.") var role: AccessRole

        func run() throws {
            do {
                let config = try data.directory.loadConfig()
                let token = try data.directory.rotateToken(role)
                print(
                    "new \(role.rawValue) token of node \(config.node.code) (\(config.node.name)); restart the node to apply it:"
                )
                print(token)
            } catch {
                throw FedctlFailure(message: "\(error)")
            }
        }
    }
}

/// `--token T`, `--data DIR` (reads the operator token) or `ELDERCARE_TOKEN`: how the commands that
/// write to a running node authenticate.
struct TokenOptions: ParsableArguments {
    @Option(help: "Operator access token (Authorization: Bearer); default: $ELDERCARE_TOKEN.") var token: String?
    @Option(
        name: .customLong("data"), help: "Read the operator token from this node data directory instead of --token.")
    var dataPath: String?

    func resolve() throws -> String {
        if let token { return token }
        if let dataPath {
            do {
                return try DataDirectory(path: dataPath).loadTokens().operator
            } catch {
                throw FedctlFailure(message: "\(error)")
            }
        }
        if let token = ProcessInfo.processInfo.environment["ELDERCARE_TOKEN"], !token.isEmpty { return token }
        throw ValidationError(
            "no access token: pass --token T, --data DIR (the node's data directory), or set ELDERCARE_TOKEN; fedctl token show --data DIR --role operator prints it"
        )
    }
}
