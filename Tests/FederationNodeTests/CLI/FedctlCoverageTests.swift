import Foundation
import Testing

/// What issue 6 asks of every `fedctl` subcommand that the other CLI suites do not already show: an
/// example in each `--help`, and one bad input (with a hint of what to do next) for `run`, `key` and
/// `import`. The main paths and the other bad inputs are in FedctlProcessTests, FedctlOpsTests,
/// FedctlTokenTests, FedctlUploadTests and FedctlReportTests (table in docs/TESTING.md).
@Suite(.timeLimit(.minutes(10))) struct FedctlCoverageTests {
    /// Every command a user types, as its words after `fedctl`.
    static let commands: [[String]] = [
        ["init"], ["run"], ["key"], ["key", "show"], ["trust"], ["token"], ["token", "show"], ["token", "rotate"],
        ["status"], ["import"], ["import", "roster"], ["ingest"], ["report"], ["plan"], ["simulate"], ["demo"],
        ["backup"], ["restore"],
    ]

    @Test(arguments: commands) func helpShowsAnExampleOfTheCommand(_ words: [String]) throws {
        let federation = try ProcessFederation()
        defer { federation.shutdown() }
        let help = try federation.fedctl(words + ["--help"])
        #expect(help.status == 0, "\(help.error)")
        let example = help.output.range(of: "Example")
        #expect(example != nil, "fedctl \(words.joined(separator: " ")) --help has no example:\n\(help.output)")
        if let example {
            // The example follows the word "Example" and shows this very command.
            #expect(
                help.output[example.lowerBound...].contains("fedctl \(words.joined(separator: " "))"),
                "\(help.output)")
        }
    }

    @Test func keyShowPrintsTheZ85KeyAndRefusesADirectoryThatWasNeverInitialised() throws {
        let federation = try ProcessFederation()
        defer { federation.shutdown() }
        let data = federation.root.appendingPathComponent("node").path
        let created = try federation.fedctl([
            "init", "--data", data, "--code", "130102001001", "--name", "建设北大街社区", "--listen", "tcp://127.0.0.1:1",
            "--http", "127.0.0.1:2",
        ])
        #expect(created.status == 0, "\(created.error)")
        let shown = try federation.fedctl(["key", "show", "--data", data])
        #expect(shown.status == 0)
        #expect(shown.output.contains("130102001001"))
        #expect(try federation.lastLine(shown.output).count == 40)  // a 32-byte key in Z85

        let missing = try federation.fedctl([
            "key", "show", "--data", federation.root.appendingPathComponent("none").path,
        ])
        #expect(missing.status != 0)
        #expect(missing.error.contains("fedctl init"), "\(missing.error)")
    }

    @Test func runRefusesAMissingDirectoryAndAnUnknownLogLevelWithAHint() throws {
        let federation = try ProcessFederation()
        defer { federation.shutdown() }
        let missing = try federation.fedctl(["run", "--data", federation.root.appendingPathComponent("none").path])
        #expect(missing.status != 0)
        #expect(missing.error.contains("fedctl init"), "\(missing.error)")
        let level = try federation.fedctl(["run", "--data", federation.root.path, "--log-level", "loud"])
        #expect(level.status != 0)
        #expect(level.error.contains("--log-level must be one of"), "\(level.error)")
    }

    @Test func importRefusesAFileItCannotReadAndSaysWhatToCheck() throws {
        let federation = try ProcessFederation()
        defer { federation.shutdown() }
        let absent = federation.root.appendingPathComponent("roster.csv").path
        let unreadable = try federation.fedctl([
            "import", "roster", absent, "--node", "http://127.0.0.1:1", "--token", "t",
        ])
        #expect(unreadable.status != 0)
        #expect(unreadable.error.contains("cannot read \(absent): check the path"), "\(unreadable.error)")
        let empty = federation.root.appendingPathComponent("empty.csv")
        try Data().write(to: empty)
        let nothing = try federation.fedctl([
            "import", "roster", empty.path, "--node", "http://127.0.0.1:1", "--token", "t",
        ])
        #expect(nothing.status != 0)
        #expect(nothing.error.contains("is empty: export the roster with its header row"), "\(nothing.error)")
    }
}
