import ArgumentParser
import FederationNode
import Replication

@main
struct Fedctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fedctl",
        abstract: "ElderCare Federation node control (居家养老服务数据联邦节点管理).",
        discussion: """
            A node keeps its elder roster and service statistics in SQLite and replicates them to its parent
            over ZeroMQ. Typical set-up of a community under its street:

              fedctl init --data /var/lib/eldercare/130102001000 --code 130102001000 --name 建设街道 \\
                  --listen tcp://0.0.0.0:7100 --http 0.0.0.0:8100 --parent tcp://district:7100 --parent-key KEY
              fedctl key show --data /var/lib/eldercare/130102001000
              fedctl trust --data /var/lib/eldercare/130102000000 --child 130102001000 --key KEY
              fedctl run --data /var/lib/eldercare/130102001000
            """,
        version: FederationVersion.software,
        subcommands: [
            Init.self, Key.self, Token.self, Trust.self, Run.self, Status.self, Import.self, Ingest.self, Report.self,
            Plan.self, Simulate.self,
            Demo.self, Backup.self, Restore.self,
        ]
    )

    static func main() async {
        await main(KeyArguments.joined(Array(CommandLine.arguments.dropFirst())))
    }
}

/// A Z85 key may begin with `-` (`-=HNL…`), which the argument splitter reads as an option before any
/// option sees it (`parsing: .unconditional` does not help: "Invalid option"). Passing a key as
/// `--key -=HNL…` is what every example shows, so join such a pair into `--key=-=HNL…` before parsing.
enum KeyArguments {
    static let keyOptions: Set<String> = ["--key", "--parent-key"]

    static func joined(_ arguments: [String]) -> [String] {
        var result: [String] = []
        var index = arguments.startIndex
        while index < arguments.endIndex {
            let argument = arguments[index]
            if argument == "--" {
                result.append(contentsOf: arguments[index...])
                break
            }
            if keyOptions.contains(argument), index + 1 < arguments.endIndex {
                result.append(argument + "=" + arguments[index + 1])
                index += 2
                continue
            }
            result.append(argument)
            index += 1
        }
        return result
    }
}

/// The `--data DIR` option every node command takes.
struct DataOption: ParsableArguments {
    @Option(name: .customLong("data"), help: "The node's data directory (config, database, keys).")
    var path: String

    var directory: DataDirectory { DataDirectory(path: path) }
}
