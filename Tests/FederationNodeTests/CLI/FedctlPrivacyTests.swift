import Foundation
import Testing

/// `fedctl init` and the federation's privacy key (docs/PRIVACY.md).
@Suite struct FedctlPrivacyTests {
    @Test func theTopNodeGeneratesTheKeyAndOthersTakeIt() throws {
        let federation = try ProcessFederation()
        defer { federation.shutdown() }
        let city = federation.root.appendingPathComponent("city").path
        let top = try federation.fedctl([
            "init", "--data", city, "--code", "130100000000", "--name", "石家庄市", "--listen", "tcp://127.0.0.1:17100",
            "--http", "127.0.0.1:18100",
        ])
        #expect(top.status == 0, "\(top.error)")
        let line = try #require(top.output.split(separator: "\n").first { $0.contains("--privacy-key ") })
        let key = String(line.split(separator: " ").last ?? "")
        #expect(key.count == 64)
        let cityToml = try String(contentsOfFile: city + "/node.toml", encoding: .utf8)
        #expect(cityToml.contains("hash_key = '\(key)'"))

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
}
