import ArgumentParser
import FederationNode
import Logging

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the node in the foreground; SIGTERM or SIGINT stops it cleanly.",
        discussion: "Example: fedctl run --data ./data/130102001001 --log-level info")

    @OptionGroup var data: DataOption
    @Option(help: "trace, debug, info, notice, warning, error or critical.") var logLevel: String = "info"

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel) else {
            throw ValidationError("--log-level must be one of trace, debug, info, notice, warning, error, critical")
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        do {
            let daemon = try await NodeDaemon(directory: data.directory, logger: Logger(label: "eldercare"))
            try await daemon.run()
        } catch {
            throw FedctlFailure(message: "\(error)")
        }
    }
}
