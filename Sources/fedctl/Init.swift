import ArgumentParser
import FederationNode
import Replication

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a node's data directory: configuration, CURVE key pair, empty trust list.",
        discussion: """
            The level follows from the 12-digit code. Example (a community under its street):
              fedctl init --data ./data/130102001001 --code 130102001001 --name 建设北大街社区 \\
                  --listen tcp://127.0.0.1:7104 --http 127.0.0.1:8104 \\
                  --parent tcp://127.0.0.1:7103 --parent-key "$(fedctl key show --data ./data/130102001000 | tail -1)"
            """)

    @OptionGroup var data: DataOption
    @Option(help: "12-digit administrative division code, e.g. 130102001001.") var code: String
    @Option(help: "Display name, e.g. 建设北大街社区.") var name: String
    @Option(help: "ZeroMQ endpoint for children, tcp://HOST:PORT.") var listen: String
    @Option(help: "HTTP address for the dashboard and API, HOST:PORT.") var http: String
    @Option(help: "The parent's ZeroMQ endpoint, tcp://HOST:PORT (omit at the top of the tree).") var parent: String?
    // Z85 keys may start with '-': take the next argument whatever it looks like.
    @Option(name: .customLong("parent-key"), parsing: .unconditional, help: "The parent's public key (Z85), from fedctl key show on the parent.")
    var parentKey: String?
    @Option(name: .customLong("parent-code"), help: "The parent's code; must be an ancestor of --code.")
    var parentCode: String?
    @Flag(help: "This node was re-assigned under a parent outside its own branch of codes.")
    var transferred = false

    func validate() throws {
        let code: NodeCode
        do { code = try NodeCode(self.code) } catch {
            throw ValidationError("--code: \(error.message)")
        }
        if (parent == nil) != (parentKey == nil) {
            throw ValidationError("--parent and --parent-key go together: give both, or neither for the top node")
        }
        if let parentCode {
            guard let parent = try? NodeCode(parentCode) else {
                throw ValidationError("--parent-code \(parentCode) is not a 12-digit administrative code")
            }
            guard parent.level < code.level, parent.contains(code) || transferred else {
                throw ValidationError("--parent-code \(parent) is not an ancestor of \(code); pass --transferred if this node was re-assigned there")
            }
        }
    }

    func run() throws {
        var config = NodeConfig(code: code, name: name, listen: listen, http: http, parent: parent, parentKey: parentKey)
        config.sync.parentCode = parentCode
        do {
            let directory = try DataDirectory.initialize(at: data.path, config: config)
            let keys = try directory.loadKeyPair()
            let level = try NodeCode(code).level
            print("initialised \(level) node \(code) (\(name)) in \(directory.url.path)")
            print("next: trust it at its parent with")
            print("  fedctl trust --data PARENT_DIR --child \(code) --key \(keys.publicKey)")
            print("access tokens (viewer, operator): fedctl token show --data \(directory.url.path) --role viewer|operator")
            print("public key:")
            print(keys.publicKey)
        } catch {
            throw FedctlFailure(message: "\(error)")
        }
    }
}

/// An error shown as one line, exit status 1.
struct FedctlFailure: Error, CustomStringConvertible {
    let message: String
    var description: String { message }
}
