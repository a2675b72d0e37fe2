import ArgumentParser
import FederationNode

@main
struct Fedctl: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fedctl",
        abstract: "ElderCare Federation node control (居家养老服务数据联邦节点管理).",
        version: FederationVersion.software,
        subcommands: []
    )
}
