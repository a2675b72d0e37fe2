import Foundation
import Testing

/// `fedctl init` and the federation's privacy key (docs/PRIVACY.md): the top node makes it, only the
/// nodes at or below the boundary keep it.
@Suite(.timeLimit(.minutes(10))) struct FedctlPrivacyTests {
    @Test func theCityPrintsTheKeyWithoutKeepingItAndTheNodesBelowTakeIt() throws {
        let federation = try ProcessFederation()
        defer { federation.shutdown() }
        let city = federation.root.appendingPathComponent("city").path
        let cityArguments = [
            "init", "--data", city, "--code", "130100000000", "--name", "石家庄市", "--listen", "tcp://127.0.0.1:17100",
            "--http", "127.0.0.1:18100",
        ]
        // Above the boundary a key is refused, with why and what to do, and nothing is written.
        let refused = try federation.fedctl(cityArguments + ["--privacy-key", String(repeating: "3f9a", count: 16)])
        #expect(refused.status != 0)
        #expect(refused.error.contains("--privacy-key: 市级节点在隐私边界"), "\(refused.error)")
        #expect(refused.error.contains("Leave out --privacy-key here"))
        #expect(refused.error.contains("privacy_key_above_boundary"))
        #expect(!FileManager.default.fileExists(atPath: city + "/node.toml"))

        let top = try federation.fedctl(cityArguments)
        #expect(top.status == 0, "\(top.error)")
        // The key line as the README captures it: sed -n 's/^  --privacy-key //p'.
        let lines = top.output.split(separator: "\n").filter { $0.hasPrefix("  --privacy-key ") }
        #expect(lines.count == 1, "\(top.output)")
        let key = String(lines.first?.dropFirst("  --privacy-key ".count) ?? "")
        #expect(key.count == 64)
        #expect(top.output.contains("does not store it"))
        let cityToml = try String(contentsOfFile: city + "/node.toml", encoding: .utf8)
        #expect(!cityToml.contains("hash_key"))
        #expect(!cityToml.contains(key))

        let district = federation.root.appendingPathComponent("district").path
        let parentKey = try #require(
            try federation.fedctl(["key", "show", "--data", city]).output.split(separator: "\n").last.map(String.init))
        var arguments = [
            "init", "--data", district, "--code", "130102000000", "--name", "长安区", "--listen", "tcp://127.0.0.1:17101",
            "--http", "127.0.0.1:18101", "--parent", "tcp://127.0.0.1:17100", "--parent-key", parentKey,
        ]
        let bad = try federation.fedctl(arguments + ["--privacy-key", "not-hex"])
        #expect(bad.status != 0)
        #expect(bad.error.contains("--privacy-key"))
        #expect(!FileManager.default.fileExists(atPath: district + "/node.toml"))
        arguments += ["--privacy-key", key]
        let good = try federation.fedctl(arguments)
        #expect(good.status == 0, "\(good.error)")
        #expect(!good.output.contains("warning"))
        #expect(try String(contentsOfFile: district + "/node.toml", encoding: .utf8).contains("hash_key = '\(key)'"))

        // Below the top without a key: it works, and says what is lost.
        let street = federation.root.appendingPathComponent("street").path
        let keyless = try federation.fedctl([
            "init", "--data", street, "--code", "130102001000", "--name", "建北街道", "--listen", "tcp://127.0.0.1:17102",
            "--http", "127.0.0.1:18102", "--parent", "tcp://127.0.0.1:17101", "--parent-key", parentKey,
        ])
        #expect(keyless.status == 0)
        #expect(keyless.output.contains("warning: no --privacy-key"))
    }

    @Test func aTopNodeAtTheBoundaryKeepsTheKeyItMakes() throws {
        let federation = try ProcessFederation()
        defer { federation.shutdown() }
        let district = federation.root.appendingPathComponent("district").path
        let top = try federation.fedctl([
            "init", "--data", district, "--code", "130102000000", "--name", "长安区", "--listen", "tcp://127.0.0.1:17111",
            "--http", "127.0.0.1:18111",
        ])
        #expect(top.status == 0, "\(top.error)")
        let line = try #require(top.output.split(separator: "\n").first { $0.hasPrefix("  --privacy-key ") })
        let key = String(line.dropFirst("  --privacy-key ".count))
        #expect(try String(contentsOfFile: district + "/node.toml", encoding: .utf8).contains("hash_key = '\(key)'"))
    }

    @Test func aNodeAboveTheBoundaryWithAKeyInItsFileDoesNotRun() throws {
        let federation = try ProcessFederation()
        defer { federation.shutdown() }
        let city = federation.root.appendingPathComponent("city").path
        let initialised = try federation.fedctl([
            "init", "--data", city, "--code", "130100000000", "--name", "石家庄市", "--listen", "tcp://127.0.0.1:17120",
            "--http", "127.0.0.1:18120",
        ])
        #expect(initialised.status == 0, "\(initialised.error)")
        // An upgraded city whose node.toml an earlier version wrote with the key.
        let file = city + "/node.toml"
        let written = try String(contentsOfFile: file, encoding: .utf8)
        #expect(written.contains("[privacy]\n"))
        let planted = written.replacingOccurrences(
            of: "[privacy]\n", with: "[privacy]\nhash_key = '\(String(repeating: "3f9a", count: 16))'\n")
        try Data(planted.utf8).write(to: URL(fileURLWithPath: file))
        for arguments in [["status", "--data", city], ["run", "--data", city]] {
            let result = try Self.fedctl(federation, arguments, deadline: .seconds(30))
            #expect(result.status != 0, "fedctl \(arguments[0]) ran")
            let said = result.output + result.error
            #expect(said.contains(file), "\(said)")
            #expect(said.contains("删除 node.toml 中 [privacy] 下的 hash_key"))
            #expect(said.contains("Delete the hash_key line"))
        }
        #expect(try String(contentsOfFile: file, encoding: .utf8) == planted)
    }

    /// `fedctl ARGS`, killed (status −1) if it has not exited by `deadline`: a node that wrongly starts
    /// would otherwise run for ever.
    static func fedctl(_ federation: ProcessFederation, _ arguments: [String], deadline: Duration) throws -> (
        status: Int32, output: String, error: String
    ) {
        let process = Process()
        process.executableURL = federation.fedctl
        process.arguments = arguments
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let end = ContinuousClock.now + deadline
        while process.isRunning, ContinuousClock.now < end { Thread.sleep(forTimeInterval: 0.05) }
        let timedOut = process.isRunning
        if timedOut { process.terminate() }
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (
            timedOut ? -1 : process.terminationStatus, String(decoding: out, as: UTF8.self),
            String(decoding: err, as: UTF8.self)
        )
    }
}
