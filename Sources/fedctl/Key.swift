import ArgumentParser
import FederationNode

struct Key: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show this node's CURVE public key.",
        discussion: "Example: fedctl key show --data ./data/130102001000",
        subcommands: [Show.self])

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print this node's public key (Z85) as the last line.",
            discussion: "Example: fedctl key show --data ./data/130102001000")

        @OptionGroup var data: DataOption

        func run() throws {
            do {
                let keys = try data.directory.loadKeyPair()
                let config = try data.directory.loadConfig()
                print("public key of node \(config.node.code) (\(config.node.name)):")
                print(keys.publicKey)
            } catch {
                throw FedctlFailure(message: "\(error)")
            }
        }
    }
}
